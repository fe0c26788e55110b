//! A therapist's visits as an RFC 5545 calendar a phone can subscribe to: a VEVENT per visit
//! that is not cancelled, with a stable UID, times in UTC, the patient's initials (full names
//! only when asked), CRLF line ends and lines folded at 75 octets.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};

use crate::domain::AppointmentStatus;
use crate::domain::export_records::AppointmentRec;
use crate::sanitize::clean_line;

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (RFC 5545 §3.1): at most 75 octets per line, continuation lines
/// start with a space, a UTF-8 character is never split; each line ends in CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0usize;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
    out
}

/// A local clinic time in UTC, as `YYYYMMDDTHHMMSSZ`.
pub fn utc(t: NaiveDateTime) -> String {
    let local = Local.from_local_datetime(&t).earliest().or_else(|| {
        Local
            .from_local_datetime(&(t + chrono::Duration::hours(1)))
            .earliest()
    });
    let u: DateTime<Utc> = match local {
        Some(l) => l.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&t),
    };
    u.format("%Y%m%dT%H%M%SZ").to_string()
}

/// "A.O.": the first letter of each name.
pub fn initials(first: &str, last: &str) -> String {
    [first, last]
        .iter()
        .filter_map(|n| clean_line(n).chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect()
}

/// What the calendar is and how its events are named.
pub struct Calendar<'a> {
    pub therapist: &'a str,
    /// Makes UIDs unique to this clinic record.
    pub clinic_key: &'a str,
    pub full_names: bool,
    /// When the calendar was made (DTSTAMP), UTC.
    pub stamp: DateTime<Utc>,
}

/// The whole calendar text.
pub fn calendar(cal: &Calendar, visits: &[AppointmentRec]) -> String {
    let mut out = String::new();
    let mut line = |s: &str| out.push_str(&fold(s));
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!(
        "PRODID:-//ptclinic//ptclinic {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!(
        "X-WR-CALNAME:{}",
        escape(&format!("Visits: {}", clean_line(cal.therapist)))
    ));
    line("REFRESH-INTERVAL;VALUE=DURATION:PT15M");
    line("X-PUBLISHED-TTL:PT15M");
    let stamp = cal.stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for v in visits
        .iter()
        .filter(|v| v.status != AppointmentStatus::Cancelled)
    {
        let who = if cal.full_names {
            clean_line(&format!("{} {}", v.first_name, v.last_name))
        } else {
            initials(&v.first_name, &v.last_name)
        };
        line("BEGIN:VEVENT");
        line(&format!(
            "UID:{}-appointment-{}@ptclinic",
            cal.clinic_key, v.id
        ));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{}", utc(v.start)));
        line(&format!(
            "DTEND:{}",
            utc(v.start + chrono::Duration::minutes(v.minutes))
        ));
        line(&format!(
            "SUMMARY:{}",
            escape(&format!("{who} - {}", v.kind.label()))
        ));
        line(&format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "{}, {} minutes, {}",
                v.kind.label(),
                v.minutes,
                v.status.label()
            ))
        ));
        if let Some(room) = v.room.as_deref().map(clean_line).filter(|r| !r.is_empty()) {
            line(&format!("LOCATION:{}", escape(&room)));
        }
        line("STATUS:CONFIRMED");
        line("TRANSP:OPAQUE");
        line(&format!("SEQUENCE:{}", (v.version - 1).max(0)));
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let long = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&long);
        assert!(folded.ends_with("\r\n"));
        for (i, l) in folded.trim_end_matches("\r\n").split("\r\n").enumerate() {
            assert!(l.len() <= 75, "{l:?}");
            assert_eq!(i > 0, l.starts_with(' '));
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
    }

    #[test]
    fn initials_of_a_name() {
        assert_eq!(initials("ada", "Okafor"), "A.O.");
        assert_eq!(initials("Émile", ""), "É.");
    }
}

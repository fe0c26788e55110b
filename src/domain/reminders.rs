//! When a visit's reminder goes and by which channel: the clinic's offsets before the visit,
//! its quiet hours, the patient's preference and consent, and how often a refused message is
//! tried again. Pure rules; the outbox in the record applies them.

use chrono::{Duration, NaiveDateTime, NaiveTime, Timelike};

use super::messages::{Channel, ContactConsent, text_number};
use super::patient::ContactPreference;

/// The offsets a clinic may choose: from 15 minutes to 14 days before the visit.
pub const OFFSET_MINUTES: std::ops::RangeInclusive<i64> = 15..=14 * 24 * 60;
/// At most this many reminders per visit.
pub const MAX_OFFSETS: usize = 4;
/// A claim on a message older than this is taken to be from a terminal that stopped mid-send.
pub const CLAIM_MINUTES: i64 = 10;
/// Minutes to wait after each refused attempt that may succeed later; one more refusal after
/// the last wait ends the message as failed.
pub const RETRY_AFTER_MINUTES: [i64; 3] = [1, 5, 15];
/// A reminder pushed out of quiet hours to their end must still leave this long before the
/// visit; else it goes the evening before, this long before quiet hours begin.
pub const QUIET_MARGIN_MINUTES: i64 = 60;

/// The clinic's quiet hours, local time: no message is sent from `from` up to `to` (which may
/// be past midnight, as 21:00–08:00 is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl QuietHours {
    /// `HH:MM-HH:MM`, as the settings command takes it.
    pub fn parse(range: &str) -> Result<QuietHours, String> {
        let (from, to) = range.split_once('-').ok_or_else(|| {
            format!(
                "quiet hours are two times like 21:00-08:00, not {}",
                crate::sanitize::clean_echo(range)
            )
        })?;
        let hours = QuietHours {
            from: clock_time(from)?,
            to: clock_time(to)?,
        };
        if hours.from == hours.to {
            return Err("quiet hours must start and end at different times".into());
        }
        Ok(hours)
    }

    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            t >= self.from && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }

    /// `21:00-08:00`
    pub fn text(&self) -> String {
        format!("{}-{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }

    /// When the quiet hours holding `at` end.
    fn end_after(&self, at: NaiveDateTime) -> NaiveDateTime {
        let end = at.date().and_time(self.to);
        if end > at {
            end
        } else {
            end + Duration::days(1)
        }
    }

    /// When the quiet hours holding `at` began.
    fn start_before(&self, at: NaiveDateTime) -> NaiveDateTime {
        let start = at.date().and_time(self.from);
        if start <= at {
            start
        } else {
            start - Duration::days(1)
        }
    }
}

/// `HH:MM` on a 24-hour clock, as settings store it.
pub fn clock_time(text: &str) -> Result<NaiveTime, String> {
    let t = text.trim();
    let two_digits = |s: &str| -> Option<u32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    t.split_once(':')
        .and_then(|(h, m)| NaiveTime::from_hms_opt(two_digits(h)?, two_digits(m)?, 0))
        .ok_or_else(|| {
            format!(
                "{} is not a time of day like 08:00 (00:00 to 23:59)",
                crate::sanitize::clean_echo(t)
            )
        })
}

/// How long before each visit its reminders go, largest first: `2880,120` as stored, or
/// `2d,2h,30m` as typed.
pub fn parse_offsets(text: &str) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let minutes = offset_minutes(part).ok_or_else(|| {
            format!(
                "{} is not a time before the visit like 2d, 2h or 30m",
                crate::sanitize::clean_echo(part)
            )
        })?;
        if !OFFSET_MINUTES.contains(&minutes) {
            return Err(format!(
                "a reminder goes between 15 minutes and 14 days before the visit, not {}",
                offset_words(minutes)
            ));
        }
        if out.contains(&minutes) {
            return Err(format!("{} is given twice", offset_words(minutes)));
        }
        out.push(minutes);
    }
    if out.is_empty() {
        return Err("give at least one time before the visit, like 2d,2h".into());
    }
    if out.len() > MAX_OFFSETS {
        return Err(format!("at most {MAX_OFFSETS} reminders per visit"));
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    Ok(out)
}

fn offset_minutes(part: &str) -> Option<i64> {
    if let Ok(minutes) = part.parse() {
        return Some(minutes);
    }
    let (number, per) = [("d", 24 * 60), ("h", 60), ("m", 1)]
        .into_iter()
        .find_map(|(unit, per)| Some((part.strip_suffix(unit)?, per)))?;
    number.trim().parse::<i64>().ok()?.checked_mul(per)
}

/// `2d`, `2h`, `90m`: the shortest exact way to say an offset.
pub fn offset_words(minutes: i64) -> String {
    if minutes % (24 * 60) == 0 {
        format!("{}d", minutes / (24 * 60))
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// The stored form of offsets: minutes, largest first, comma-separated.
pub fn offsets_text(offsets: &[i64]) -> String {
    offsets
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// When the reminder `offset` minutes before `start` goes: then, unless that falls in quiet
/// hours; then at their end, or, when that would leave under [`QUIET_MARGIN_MINUTES`] before the
/// visit, that long before they began.
pub fn due_at(start: NaiveDateTime, offset: i64, quiet: &QuietHours) -> NaiveDateTime {
    let plain = start - Duration::minutes(offset);
    if !quiet.contains(plain.time()) {
        return plain;
    }
    let after = quiet.end_after(plain);
    if start - after >= Duration::minutes(QUIET_MARGIN_MINUTES) {
        after
    } else {
        quiet.start_before(plain) - Duration::minutes(QUIET_MARGIN_MINUTES)
    }
}

/// A scheduled visit as the reminder rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitTimes {
    pub start: NaiveDateTime,
    /// When it was booked: a reminder due before then is not sent (the patient just booked).
    pub booked_at: NaiveDateTime,
}

/// The reminder due for a visit at `now`, as (offset, due time): of the offsets whose time has
/// come, the one nearest the visit (an earlier one missed while no terminal ran is not sent as
/// well). None when the visit has begun, nothing is due yet, or what is due is overdue and a
/// nearer reminder comes within [`QUIET_MARGIN_MINUTES`] (the patient gets that one alone).
pub fn due_reminder(
    visit: VisitTimes,
    offsets: &[i64],
    quiet: &QuietHours,
    now: NaiveDateTime,
) -> Option<(i64, NaiveDateTime)> {
    if now >= visit.start {
        return None;
    }
    let times: Vec<(i64, NaiveDateTime)> = offsets
        .iter()
        .map(|&o| (o, due_at(visit.start, o, quiet)))
        .filter(|&(_, due)| due >= visit.booked_at)
        .collect();
    let soon = now + Duration::minutes(QUIET_MARGIN_MINUTES);
    if times.iter().any(|&(_, due)| due > now && due <= soon) {
        return None;
    }
    times
        .into_iter()
        .filter(|&(_, due)| due <= now)
        .max_by_key(|&(_, due)| due)
}

/// What to do after a refused attempt: try again at this time, or give up.
pub fn next_attempt(attempts_made: i64, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let wait = RETRY_AFTER_MINUTES.get(usize::try_from(attempts_made - 1).ok()?)?;
    Some(now + Duration::minutes(*wait))
}

/// The most attempts a message gets.
pub fn max_attempts() -> usize {
    RETRY_AFTER_MINUTES.len() + 1
}

/// A patient's ways of being reached, as the record holds them.
#[derive(Debug, Clone, Copy)]
pub struct Reachable<'a> {
    pub preference: Option<ContactPreference>,
    pub consent: ContactConsent,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// The channel and address a reminder goes to: the patient's preferred channel when they
/// consented to it and it has an address, else the other one; or why neither will do.
pub fn channel_for(r: &Reachable) -> Result<(Channel, String), String> {
    let [first, second] = match r.preference {
        Some(ContactPreference::Email) => [Channel::Email, Channel::Sms],
        _ => [Channel::Sms, Channel::Email],
    };
    let first_refusal = match address_on(r, first) {
        Ok(to) => return Ok((first, to)),
        Err(why) => why,
    };
    match address_on(r, second) {
        Ok(to) => Ok((second, to)),
        Err(why) => Err(format!(
            "{first_refusal}, and {}",
            why.strip_prefix("the patient ").unwrap_or(&why)
        )),
    }
}

/// Where a message on `channel` goes, or why it cannot.
pub fn address_on(r: &Reachable, channel: Channel) -> Result<String, String> {
    if let Some(why) = r.consent.refusal(channel) {
        return Err(why);
    }
    let missing = || format!("the patient has no {} on record", address_words(channel));
    match channel {
        Channel::Email => r
            .email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .ok_or_else(missing),
        Channel::Sms => {
            let phone = r.phone.map(str::trim).filter(|p| !p.is_empty());
            text_number(phone.ok_or_else(missing)?)
        }
    }
}

fn address_words(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email address",
        Channel::Sms => "phone number",
    }
}

/// Whether a message may go at `now`.
pub fn may_send_at(now: NaiveDateTime, quiet: &QuietHours) -> bool {
    !quiet.contains(now.time().with_second(0).unwrap_or(now.time()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn quiet() -> QuietHours {
        QuietHours::parse("21:00-08:00").unwrap()
    }

    #[test]
    fn quiet_hours_cross_midnight_and_refuse_impossible_times() {
        let q = quiet();
        assert!(q.contains(NaiveTime::from_hms_opt(22, 0, 0).unwrap()));
        assert!(q.contains(NaiveTime::from_hms_opt(7, 59, 0).unwrap()));
        assert!(!q.contains(NaiveTime::from_hms_opt(8, 0, 0).unwrap()));
        assert!(!q.contains(NaiveTime::from_hms_opt(20, 59, 0).unwrap()));
        let lunch = QuietHours::parse("12:00-13:00").unwrap();
        assert!(lunch.contains(NaiveTime::from_hms_opt(12, 30, 0).unwrap()));
        assert!(!lunch.contains(NaiveTime::from_hms_opt(13, 0, 0).unwrap()));
        assert_eq!(
            QuietHours::parse("25:00-08:00").unwrap_err(),
            "25:00 is not a time of day like 08:00 (00:00 to 23:59)"
        );
        assert!(
            QuietHours::parse("21:00")
                .unwrap_err()
                .contains("two times")
        );
        assert!(QuietHours::parse("08:00-08:00").is_err());
        assert!(QuietHours::parse("8:5-9:00").is_err());
        assert_eq!(q.text(), "21:00-08:00");
    }

    #[test]
    fn offsets_read_as_typed_and_as_stored() {
        assert_eq!(parse_offsets("2d,2h").unwrap(), vec![2880, 120]);
        assert_eq!(parse_offsets("120, 2880").unwrap(), vec![2880, 120]);
        assert_eq!(parse_offsets("30m").unwrap(), vec![30]);
        assert!(
            parse_offsets("5m")
                .unwrap_err()
                .contains("15 minutes and 14 days")
        );
        assert!(parse_offsets("2d,48h").unwrap_err().contains("twice"));
        assert!(parse_offsets("soon").unwrap_err().contains("soon"));
        assert!(parse_offsets("").is_err());
        assert_eq!(offsets_text(&[2880, 120]), "2880,120");
        assert_eq!(offset_words(2880), "2d");
        assert_eq!(offset_words(90), "90m");
    }

    #[test]
    fn a_reminder_due_in_quiet_hours_moves_out_of_them() {
        let q = quiet();
        // Two days before a 10:00 visit is outside quiet hours.
        assert_eq!(
            due_at(at("2026-12-10 10:00"), 2880, &q),
            at("2026-12-08 10:00")
        );
        // Two hours before 09:30 is 07:30: at 08:00 instead, still 90 minutes ahead.
        assert_eq!(
            due_at(at("2026-12-10 09:30"), 120, &q),
            at("2026-12-10 08:00")
        );
        // Two hours before 08:30 would leave 30 minutes after quiet hours: the evening before.
        assert_eq!(
            due_at(at("2026-12-10 08:30"), 120, &q),
            at("2026-12-09 20:00")
        );
        // Two days before a 07:00 visit falls at 07:00: at 08:00 that day (a day ahead).
        assert_eq!(
            due_at(at("2026-12-10 07:00"), 2880, &q),
            at("2026-12-08 08:00")
        );
    }

    #[test]
    fn the_reminder_nearest_the_visit_of_those_due_is_the_one_sent() {
        let q = quiet();
        let visit = VisitTimes {
            start: at("2026-12-10 10:00"),
            booked_at: at("2026-12-01 09:00"),
        };
        let offsets = [2880, 120];
        assert_eq!(
            due_reminder(visit, &offsets, &q, at("2026-12-08 09:59")),
            None
        );
        assert_eq!(
            due_reminder(visit, &offsets, &q, at("2026-12-08 10:00")),
            Some((2880, at("2026-12-08 10:00")))
        );
        // The two-day one is overdue, but the two-hour one comes within the hour: only that.
        assert_eq!(
            due_reminder(visit, &offsets, &q, at("2026-12-10 07:30")),
            None
        );
        // Both are due (nothing ran for two days): only the nearer one.
        assert_eq!(
            due_reminder(visit, &offsets, &q, at("2026-12-10 08:30")),
            Some((120, at("2026-12-10 08:00")))
        );
        assert_eq!(
            due_reminder(visit, &offsets, &q, at("2026-12-10 10:00")),
            None
        );
        // Booked the day before: the two-day reminder was due before the booking.
        let late = VisitTimes {
            booked_at: at("2026-12-09 15:00"),
            ..visit
        };
        assert_eq!(
            due_reminder(late, &offsets, &q, at("2026-12-09 16:00")),
            None
        );
        assert_eq!(
            due_reminder(late, &offsets, &q, at("2026-12-10 08:00")),
            Some((120, at("2026-12-10 08:00")))
        );
    }

    #[test]
    fn refusals_are_tried_again_after_longer_waits_then_given_up() {
        let now = at("2026-12-08 10:00");
        assert_eq!(next_attempt(1, now), Some(at("2026-12-08 10:01")));
        assert_eq!(next_attempt(2, now), Some(at("2026-12-08 10:05")));
        assert_eq!(next_attempt(3, now), Some(at("2026-12-08 10:15")));
        assert_eq!(next_attempt(4, now), None);
        assert_eq!(max_attempts(), 4);
    }

    #[test]
    fn the_channel_follows_preference_then_consent() {
        let day = crate::domain::parse_day("2026-01-05");
        let both = ContactConsent {
            email_consent_on: day,
            sms_consent_on: day,
            ..Default::default()
        };
        let mut r = Reachable {
            preference: Some(ContactPreference::Email),
            consent: both,
            email: Some("ana@example.com"),
            phone: Some("(555) 010-1234"),
        };
        assert_eq!(
            channel_for(&r).unwrap(),
            (Channel::Email, "ana@example.com".into())
        );
        r.preference = Some(ContactPreference::Text);
        assert_eq!(
            channel_for(&r).unwrap(),
            (Channel::Sms, "+15550101234".into())
        );
        r.phone = Some("call the office");
        assert_eq!(channel_for(&r).unwrap().0, Channel::Email);
        r.consent.email_opt_out_on = crate::domain::parse_day("2026-02-01");
        assert!(
            channel_for(&r)
                .unwrap_err()
                .contains("is not a phone number")
        );
        let none = Reachable {
            preference: None,
            consent: ContactConsent::default(),
            email: None,
            phone: None,
        };
        assert_eq!(
            channel_for(&none).unwrap_err(),
            "the patient has not consented to text messages, and has not consented to emails"
        );
        let no_address = Reachable {
            consent: both,
            ..none
        };
        assert_eq!(
            channel_for(&no_address).unwrap_err(),
            "the patient has no phone number on record, and has no email address on record"
        );
    }

    #[test]
    fn nothing_goes_in_quiet_hours() {
        let q = quiet();
        assert!(!may_send_at(at("2026-12-08 21:00"), &q));
        assert!(!may_send_at(at("2026-12-08 07:59"), &q));
        assert!(may_send_at(at("2026-12-08 08:00"), &q));
    }
}

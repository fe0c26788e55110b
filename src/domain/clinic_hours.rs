//! The clinic's opening hours per weekday and its closed dates, as the record holds them for
//! every terminal, and the warning a booking outside them gets.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// One weekday's opening hours; a visit must end by `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => panic!("a clock time"),
    }
}

const fn open(from: NaiveTime, to: NaiveTime) -> Option<DayHours> {
    Some(DayHours {
        open: from,
        close: to,
    })
}

/// The hours of a record in which none were set, and what `init` writes: Monday to Friday
/// 07:00–19:00, Saturday 08:00–12:00, Sunday closed. Indexed from Monday.
pub const DEFAULT_HOURS: [Option<DayHours>; 7] = [
    open(hm(7, 0), hm(19, 0)),
    open(hm(7, 0), hm(19, 0)),
    open(hm(7, 0), hm(19, 0)),
    open(hm(7, 0), hm(19, 0)),
    open(hm(7, 0), hm(19, 0)),
    open(hm(8, 0), hm(12, 0)),
    None,
];

/// The weekdays in order from Monday, as `--day` takes them and lists show them.
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// "mon", "Monday", "thu": a weekday by the start of its name (two letters at least).
pub fn parse_weekday(text: &str) -> Result<Weekday, String> {
    let t = text.trim().to_lowercase();
    let found: Vec<Weekday> = WEEKDAYS
        .iter()
        .copied()
        .filter(|wd| t.len() >= 2 && weekday_name(*wd).to_lowercase().starts_with(&t))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(format!(
            "\"{}\" is not a weekday: type mon, tue, wed, thu, fri, sat or sun",
            crate::sanitize::clean_echo(text.trim())
        )),
    }
}

pub fn weekday_name(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Opening and closing times that make a day's hours: the close after the open.
pub fn day_hours(open: NaiveTime, close: NaiveTime) -> Result<DayHours, String> {
    if close <= open {
        return Err(format!(
            "the clinic must close after it opens, not {} to {}",
            open.format("%H:%M"),
            close.format("%H:%M")
        ));
    }
    Ok(DayHours { open, close })
}

/// "Mon–Fri 07:00–19:00, Sat 08:00–12:00, Sun closed": a week in one line, runs of weekdays
/// with the same hours together.
pub fn describe_week(week: &[Option<DayHours>; 7]) -> String {
    let short = |i: usize| &weekday_name(WEEKDAYS[i])[..3];
    let mut parts = Vec::new();
    let mut from = 0;
    for i in 0..7 {
        if i + 1 < 7 && week[i + 1] == week[from] {
            continue;
        }
        let days = if i == from {
            short(i).to_string()
        } else {
            format!("{}–{}", short(from), short(i))
        };
        let hours = match week[from] {
            Some(h) => format!("{}–{}", h.open.format("%H:%M"), h.close.format("%H:%M")),
            None => "closed".into(),
        };
        parts.push(format!("{days} {hours}"));
        from = i + 1;
    }
    parts.join(", ")
}

/// A date the clinic is closed, whatever its weekday's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDay {
    pub date: NaiveDate,
    pub reason: Option<String>,
}

/// The week's hours and the closed dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicCalendar {
    /// Indexed from Monday; None is closed.
    pub week: [Option<DayHours>; 7],
    pub closed: Vec<ClosedDay>,
}

impl Default for ClinicCalendar {
    fn default() -> Self {
        Self {
            week: DEFAULT_HOURS,
            closed: Vec::new(),
        }
    }
}

impl ClinicCalendar {
    pub fn hours_on(&self, wd: Weekday) -> Option<DayHours> {
        self.week[wd.num_days_from_monday() as usize]
    }

    pub fn closed_on(&self, date: NaiveDate) -> Option<&ClosedDay> {
        self.closed.iter().find(|c| c.date == date)
    }

    /// The hours a time typed for `date` is read within: the day's, or the default
    /// weekday's when the clinic is closed then (a booking anyway still needs a reading).
    pub fn reading_window(&self, date: NaiveDate) -> (NaiveTime, NaiveTime) {
        let h = self
            .hours_on(date.weekday())
            .or(DEFAULT_HOURS[0])
            .unwrap_or(DayHours {
                open: hm(7, 0),
                close: hm(19, 0),
            });
        (h.open, h.close)
    }

    /// Why a visit from `start` for `minutes` is one to think twice about: in the past, on a
    /// closed date or weekday, or outside the day's hours. None when it is none of these.
    pub fn booking_warning(
        &self,
        start: NaiveDateTime,
        minutes: i64,
        now: NaiveDateTime,
    ) -> Option<String> {
        let date = start.date();
        let day = date.format("%a %-d %b");
        if start < now {
            return Some(format!("{day} {} is in the past", start.format("%H:%M")));
        }
        if let Some(c) = self.closed_on(date) {
            return Some(match &c.reason {
                Some(r) => format!("the clinic is closed on {day} ({r})"),
                None => format!("the clinic is closed on {day}"),
            });
        }
        let Some(h) = self.hours_on(date.weekday()) else {
            return Some(format!(
                "the clinic is closed on {}s",
                weekday_name(date.weekday())
            ));
        };
        let end = start + chrono::Duration::minutes(minutes);
        if start.time() < h.open || end.time() > h.close || end.date() != date {
            return Some(format!(
                "{}–{} is outside the clinic's hours on {day} ({}–{})",
                start.format("%H:%M"),
                end.format("%H:%M"),
                h.open.format("%H:%M"),
                h.close.format("%H:%M")
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    const NOW: &str = "2026-11-27T08:00";

    #[test]
    fn the_default_week_is_weekdays_seven_to_seven_saturday_morning_and_no_sunday() {
        let c = ClinicCalendar::default();
        assert_eq!(c.booking_warning(at("2026-11-30T07:00"), 45, at(NOW)), None);
        assert_eq!(c.booking_warning(at("2026-11-30T18:15"), 45, at(NOW)), None);
        assert!(
            c.booking_warning(at("2026-11-30T18:30"), 45, at(NOW))
                .unwrap()
                .contains("outside the clinic's hours")
        );
        assert_eq!(c.booking_warning(at("2026-11-28T09:00"), 45, at(NOW)), None);
        assert!(
            c.booking_warning(at("2026-11-28T12:00"), 30, at(NOW))
                .is_some()
        );
        assert_eq!(
            c.booking_warning(at("2026-11-29T10:00"), 45, at(NOW)),
            Some("the clinic is closed on Sundays".into())
        );
        assert!(
            c.booking_warning(at("2026-11-30T02:30"), 45, at(NOW))
                .is_some()
        );
    }

    #[test]
    fn a_closed_date_and_the_past_are_warned_of() {
        let mut c = ClinicCalendar::default();
        c.closed.push(ClosedDay {
            date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            reason: Some("Christmas Eve".into()),
        });
        assert_eq!(
            c.booking_warning(at("2026-12-24T10:00"), 45, at(NOW)),
            Some("the clinic is closed on Thu 24 Dec (Christmas Eve)".into())
        );
        assert!(
            c.booking_warning(at("2026-11-27T07:30"), 45, at(NOW))
                .unwrap()
                .contains("in the past")
        );
        assert_eq!(c.booking_warning(at("2026-11-27T08:00"), 45, at(NOW)), None);
    }

    #[test]
    fn a_week_is_described_in_runs_of_days() {
        assert_eq!(
            describe_week(&DEFAULT_HOURS),
            "Mon–Fri 07:00–19:00, Sat 08:00–12:00, Sun closed"
        );
    }

    #[test]
    fn weekdays_are_named_by_their_start_and_hours_must_close_after_opening() {
        assert_eq!(parse_weekday("Mon"), Ok(Weekday::Mon));
        assert_eq!(parse_weekday("thursday"), Ok(Weekday::Thu));
        assert!(parse_weekday("t").is_err());
        assert!(parse_weekday("funday").is_err());
        assert!(day_hours(hm(9, 0), hm(9, 0)).is_err());
        assert!(day_hours(hm(9, 0), hm(17, 0)).is_ok());
    }
}

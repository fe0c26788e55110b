//! Dates and times as people type them at the desk: `2026-12-08`, `12/8`, `8 dec`, `tomorrow`,
//! `+7`, `mon`; `9:30am`, `2pm`, `14:30`, `930`, `230`. One reading for every date and time
//! field of the app and every date option of the command line.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

/// The forms a date may take, for the sentence that refuses one.
pub const DATE_FORMS: &str = "2026-12-08, 12/8, 8 dec, today, tomorrow, +7 or mon";
/// The forms a time may take.
pub const TIME_FORMS: &str = "9:30am, 2pm, 14:30 or 930";

/// The most days `+N` / `-N` may move: ten years, beyond which it is a slip.
const MAX_OFFSET_DAYS: u64 = 3660;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Why a typed date was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date in any form; what was typed, cleaned for echoing.
    NotADate(String),
    OutsideYears(NaiveDate),
}

impl std::fmt::Display for DateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateProblem::NotADate(typed) => {
                write!(f, "\"{typed}\" is not a date: type {DATE_FORMS}")
            }
            DateProblem::OutsideYears(d) => {
                write!(f, "{d} is outside the years {}", super::clinic_years())
            }
        }
    }
}

/// A date typed in any of [`DATE_FORMS`], read from `today`. A day without a year (`12/8`,
/// `8 dec`) is its next occurrence from today on (today included); a weekday name is the
/// nearest such day from today on, so `mon` typed on a Monday is today (`+7` is next week's).
/// US order: `12/8` is December 8; `12/8/2026` gives the year.
/// A period as typed: two dates as people type them, with "to", ".." or "–" between
/// (`2026-01-01 to 2026-03-31`, `1 jan to 31 mar`), the first not after the second.
pub fn parse_period(text: &str, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), String> {
    let t = text.trim();
    let split = [" to ", "..", "–", " - "]
        .iter()
        .find_map(|sep| t.split_once(sep));
    let Some((a, b)) = split else {
        return Err("a period is two dates with \"to\" between: 2026-01-01 to 2026-03-31".into());
    };
    // A period looks back: a day and month without a year is the last one on or before today
    // (where a booking's "8 dec" is the next).
    let past = |text: &str| -> Result<NaiveDate, String> {
        let day = parse_date(text, today)?;
        let has_year = text
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
        Ok(match day.checked_sub_months(chrono::Months::new(12)) {
            Some(earlier) if day > today && !has_year => earlier,
            _ => day,
        })
    };
    let (from, to) = (past(a)?, past(b)?);
    if from > to {
        return Err(format!(
            "the period's start, {from}, is after its end, {to}"
        ));
    }
    Ok((from, to))
}

pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    read_typed_date(text, today).map_err(|e| e.to_string())
}

/// [`parse_date`], with the reason it was refused for a caller that words its own sentence.
pub fn read_typed_date(text: &str, today: NaiveDate) -> Result<NaiveDate, DateProblem> {
    let t = text.trim().to_lowercase();
    match read_date(&t, today) {
        Some(d) if super::in_clinic_years(d) => Ok(d),
        Some(d) => Err(DateProblem::OutsideYears(d)),
        None => Err(DateProblem::NotADate(crate::sanitize::clean_echo(
            text.trim(),
        ))),
    }
}

fn read_date(t: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(d) = super::parse_day(t) {
        return Some(d);
    }
    match t {
        "today" | "tod" => return Some(today),
        "tomorrow" | "tom" | "tmrw" => return today.checked_add_days(Days::new(1)),
        "yesterday" => return today.checked_sub_days(Days::new(1)),
        _ => {}
    }
    if let Some(sign @ ('+' | '-')) = t.chars().next() {
        let n: u64 = t[1..]
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= MAX_OFFSET_DAYS)?;
        return if sign == '+' {
            today.checked_add_days(Days::new(n))
        } else {
            today.checked_sub_days(Days::new(n))
        };
    }
    if let Some(wd) = weekday(t) {
        let ahead = (7 + wd.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
        return today.checked_add_days(Days::new(ahead.into()));
    }
    if t.contains('/') {
        let parts: Vec<&str> = t.split('/').map(str::trim).collect();
        let num = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        return match parts.as_slice() {
            [m, d] => next_occurrence(num(m)?, num(d)?, today),
            [m, d, y] if y.len() == 4 => NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, num(d)?),
            _ => None,
        };
    }
    let words: Vec<&str> = t.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (month, day) = match words.as_slice() {
        [a, b] if a.chars().all(|c| c.is_ascii_digit()) => (month(b)?, a.parse().ok()?),
        [a, b] => (month(a)?, b.parse().ok()?),
        _ => return None,
    };
    next_occurrence(month, day, today)
}

/// Month and day in this year if not yet past, else next year.
fn next_occurrence(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let this = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this {
        Some(d) if d >= today => Some(d),
        // February 29 of a year that has none is refused rather than moved four years on.
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day).filter(|_| this.is_some()),
    }
}

fn month(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" { "sep" } else { word };
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn weekday(word: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    if word.len() < 2 {
        return None;
    }
    let found: Vec<Weekday> = NAMES
        .iter()
        .filter(|(name, _)| name.starts_with(word))
        .map(|(_, wd)| *wd)
        .collect();
    // "t" or "s" alone would be two days; "tu", "th", "sa", "su" are one.
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// A time typed in any of [`TIME_FORMS`]. One without a meridiem and with an hour from 1 to 11
/// (`230`, `6:15`, `2`) is read inside the clinic's `open`–`close`: when the morning reading is
/// before opening and the afternoon one starts before closing, it is the afternoon. A leading
/// zero (`0630`, `06:30`) or an hour from 13 up is the 24-hour clock as typed.
pub fn parse_time(text: &str, open: NaiveTime, close: NaiveTime) -> Result<NaiveTime, String> {
    read_time(&text.trim().to_lowercase(), open, close).ok_or_else(|| {
        format!(
            "\"{}\" is not a time: type {TIME_FORMS}",
            crate::sanitize::clean_echo(text.trim())
        )
    })
}

fn read_time(t: &str, open: NaiveTime, close: NaiveTime) -> Option<NaiveTime> {
    let (body, meridiem) = if let Some(b) = t.strip_suffix("am").or_else(|| t.strip_suffix('a')) {
        (b.trim_end(), Some(false))
    } else if let Some(b) = t.strip_suffix("pm").or_else(|| t.strip_suffix('p')) {
        (b.trim_end(), Some(true))
    } else {
        (t, None)
    };
    let (hours, minutes) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None if body.len() <= 2 => (body, "00"),
        None if body.len() <= 4 => body.split_at(body.len() - 2),
        None => return None,
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (h, m): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    let h = match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            }
        }
        None if (1..=11).contains(&h) && !hours.starts_with('0') => {
            let morning = NaiveTime::from_hms_opt(h, m, 0)?;
            let afternoon = NaiveTime::from_hms_opt(h + 12, m, 0)?;
            if morning < open && afternoon < close {
                h + 12
            } else {
                h
            }
        }
        None => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_two_dates_and_looks_back() {
        let today = d("2026-11-27");
        for typed in [
            "2026-01-01 to 2026-03-31",
            "2026-01-01..2026-03-31",
            "1 jan – 31 mar",
        ] {
            assert_eq!(
                parse_period(typed, today),
                Ok((d("2026-01-01"), d("2026-03-31"))),
                "{typed}"
            );
        }
        // December is last December; a year typed is kept.
        assert_eq!(
            parse_period("1 dec to 31 dec", today),
            Ok((d("2025-12-01"), d("2025-12-31")))
        );
        assert!(parse_period("2027-01-01 to 2027-02-01", today).is_ok());
        assert!(
            parse_period("2026-01-01", today)
                .unwrap_err()
                .contains("two dates")
        );
        assert!(
            parse_period("2026-03-01 to 2026-01-01", today)
                .unwrap_err()
                .contains("after its end")
        );
        assert!(parse_period("soon to later", today).is_err());
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    // A Friday.
    const TODAY: &str = "2026-11-27";

    fn date(text: &str) -> Result<NaiveDate, String> {
        parse_date(text, d(TODAY))
    }

    fn time(text: &str) -> Result<NaiveTime, String> {
        parse_time(text, t(7, 0), t(19, 0))
    }

    #[test]
    fn dates_are_read_in_every_form_the_desk_types() {
        assert_eq!(date("2026-12-08"), Ok(d("2026-12-08")));
        assert_eq!(date("12/8"), Ok(d("2026-12-08")));
        assert_eq!(date("12/08/2027"), Ok(d("2027-12-08")));
        assert_eq!(date("8 dec"), Ok(d("2026-12-08")));
        assert_eq!(date("Dec 8"), Ok(d("2026-12-08")));
        assert_eq!(date("8 December"), Ok(d("2026-12-08")));
        assert_eq!(date("today"), Ok(d(TODAY)));
        assert_eq!(date(" Tomorrow "), Ok(d("2026-11-28")));
        assert_eq!(date("+7"), Ok(d("2026-12-04")));
        assert_eq!(date("-3"), Ok(d("2026-11-24")));
    }

    #[test]
    fn a_day_without_a_year_is_its_next_occurrence_from_today_on() {
        assert_eq!(date("11/27"), Ok(d("2026-11-27")));
        assert_eq!(date("11/26"), Ok(d("2027-11-26")));
        assert_eq!(date("3 jan"), Ok(d("2027-01-03")));
    }

    #[test]
    fn a_weekday_is_the_nearest_one_from_today_on() {
        assert_eq!(date("mon"), Ok(d("2026-11-30")));
        assert_eq!(date("fri"), Ok(d(TODAY)));
        assert_eq!(date("thursday"), Ok(d("2026-12-03")));
        assert_eq!(date("sa"), Ok(d("2026-11-28")));
        assert!(date("t").is_err(), "tuesday or thursday");
    }

    #[test]
    fn a_date_that_is_not_one_is_refused_naming_what_was_typed() {
        for bad in [
            "31/31", "2/30", "13/1", "0/5", "2026-2-3", "soon", "+", "+99999", "8 foo",
        ] {
            let err = date(bad).unwrap_err();
            assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
        assert!(date("2/29").is_err(), "no February 29 in 2027");
        assert_eq!(
            date("2101-01-01"),
            Err("2101-01-01 is outside the years 1900 to 2100".into())
        );
    }

    #[test]
    fn times_with_a_meridiem_or_on_the_24_hour_clock_are_as_typed() {
        assert_eq!(time("9:30am"), Ok(t(9, 30)));
        assert_eq!(time("9:30 AM"), Ok(t(9, 30)));
        assert_eq!(time("2pm"), Ok(t(14, 0)));
        assert_eq!(time("12pm"), Ok(t(12, 0)));
        assert_eq!(time("12am"), Ok(t(0, 0)));
        assert_eq!(time("14:30"), Ok(t(14, 30)));
        assert_eq!(time("930"), Ok(t(9, 30)));
        assert_eq!(time("0630"), Ok(t(6, 30)));
        assert_eq!(time("1415"), Ok(t(14, 15)));
    }

    #[test]
    fn a_time_without_a_meridiem_is_read_inside_clinic_hours() {
        assert_eq!(time("230"), Ok(t(14, 30)));
        assert_eq!(time("2"), Ok(t(14, 0)));
        assert_eq!(time("6:30"), Ok(t(18, 30)));
        assert_eq!(time("7"), Ok(t(7, 0)));
        assert_eq!(time("12:15"), Ok(t(12, 15)));
        // A clinic open from 06:00 reads 6:30 as the morning.
        assert_eq!(parse_time("6:30", t(6, 0), t(19, 0)), Ok(t(6, 30)));
        // 7:30 with a 19:00 close: the evening would start after closing.
        assert_eq!(parse_time("7:30", t(8, 0), t(19, 0)), Ok(t(7, 30)));
    }

    #[test]
    fn a_time_that_is_not_one_is_refused_naming_what_was_typed() {
        for bad in ["25:00", "13pm", "0pm", "9:3O", "9:5", "12345", "soon", ""] {
            let err = time(bad).unwrap_err();
            assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
    }
}

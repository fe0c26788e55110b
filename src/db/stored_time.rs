//! The text forms times and days are stored in, written and read in one place. Reading is on
//! the path of every screen (a busy day reads thousands of them), so the stored forms are read
//! digit by digit. Only the stored forms are read: `2026-10-8` is not a stored day (it would
//! sort wrongly against stored ones in SQL), and SQL that needs a valid day says so with
//! `date(x) IS x`, which agrees with [`parse_day`].

use super::sql::{SqlError, SqlResult};
use chrono::{NaiveDate, NaiveDateTime};

/// Stored form of an appointment start: local `YYYY-MM-DDTHH:MM`.
pub const START_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Stored form of a day: `YYYY-MM-DD`.
pub const DAY_FORMAT: &str = "%Y-%m-%d";

pub fn start_text(t: NaiveDateTime) -> String {
    t.format(START_FORMAT).to_string()
}

pub fn day_text(d: NaiveDate) -> String {
    d.format(DAY_FORMAT).to_string()
}

/// The stored texts a day's starts lie between: from the day (inclusive) to the next (exclusive).
pub fn day_range(day: NaiveDate) -> (String, String) {
    (day_text(day), day_text(day.succ_opt().unwrap_or(day)))
}

/// The number in `b[r]`, when every byte there is a digit.
fn digits(b: &[u8], r: std::ops::Range<usize>) -> Option<u32> {
    b.get(r)?.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `b`.
fn fast_day(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(b, 0..4)? as i32, digits(b, 5..7)?, digits(b, 8..10)?)
}

/// A stored start; `None` when it is not one (or not a real date and time).
pub fn parse_start(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    fast_day(b)?.and_hms_opt(digits(b, 11..13)?, digits(b, 14..16)?, 0)
}

/// A stored day; `None` when it is not one.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    (s.len() == 10).then(|| fast_day(s.as_bytes())).flatten()
}

/// A stored day read from a column, or the conversion error naming that column.
pub(crate) fn parse_day_column(idx: usize, s: &str) -> SqlResult<NaiveDate> {
    parse_day(s)
        .ok_or_else(|| SqlError::Type(idx, "not a day in the stored form YYYY-MM-DD".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_read_back_exactly_and_nothing_else_passes() {
        let t = parse_start("2026-11-27T08:45").unwrap();
        assert_eq!(start_text(t), "2026-11-27T08:45");
        assert_eq!(
            t,
            NaiveDateTime::parse_from_str("2026-11-27T08:45", START_FORMAT).unwrap()
        );
        let d = parse_day("2026-11-27").unwrap();
        assert_eq!(day_text(d), "2026-11-27");
        for bad in [
            "2026-02-30T08:45",
            "2026-11-27T25:00",
            "2026-11-27T08:60",
            "2026-11-27 08:45",
            "2026-1a-27T08:45",
            "2026-11-27T8:45",
            "2026-11-2T08:45",
            "nonsense",
            "",
        ] {
            assert_eq!(parse_start(bad), None, "{bad}");
        }
        for bad in [
            "2026-13-01",
            "2026-02-29",
            "2026/11/27",
            "20261127",
            "2026-11-2x",
            "2026-10-8",
            " 2026-10-08",
            "TBD",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(
            parse_day("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
    }
}

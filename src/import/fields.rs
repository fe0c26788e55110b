//! Checking one field of an imported row: each returns the stored form or a short reason that
//! names the column and what was found.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::measures::BodyRegion;
use crate::sanitize::clean_line;

pub type Check<T> = Result<T, String>;

/// Quoted, cleaned and shortened for a message.
pub fn shown(raw: &str) -> String {
    let s = clean_line(raw);
    if s.chars().count() > 40 {
        format!("\"{}…\"", s.chars().take(40).collect::<String>())
    } else {
        format!("\"{s}\"")
    }
}

/// Cleaned text; `None` when empty.
pub fn text(raw: Option<&str>) -> Option<String> {
    raw.map(clean_line).filter(|s| !s.is_empty())
}

pub fn required_text(column: &str, raw: Option<&str>) -> Check<String> {
    text(raw).ok_or_else(|| empty(column))
}

pub fn empty(column: &str) -> String {
    format!("{column} is empty")
}

pub fn too_long(column: &str, max: usize) -> String {
    format!("{column} is longer than {max} characters")
}

pub fn not_a_date(column: &str, raw: &str) -> String {
    format!("{column} {} is not a real date like 2026-11-27", shown(raw))
}

/// Text with a length limit.
pub fn limited(column: &str, raw: Option<&str>, max: usize) -> Check<Option<String>> {
    match text(raw) {
        Some(s) if s.chars().count() > max => Err(too_long(column, max)),
        other => Ok(other),
    }
}

pub fn date(column: &str, raw: Option<&str>) -> Check<Option<NaiveDate>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => crate::domain::parse_day(s)
            .map(Some)
            .ok_or_else(|| not_a_date(column, s)),
    }
}

/// `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM` (seconds, when given, must be zero).
pub fn start(column: &str, raw: Option<&str>) -> Check<NaiveDateTime> {
    let s = raw.unwrap_or_default();
    if s.is_empty() {
        return Err(format!("{column} is empty"));
    }
    let normal = s.replacen(' ', "T", 1);
    let normal = normal
        .strip_suffix(":00")
        .filter(|n| n.len() == 16)
        .unwrap_or(&normal);
    let start = NaiveDateTime::parse_from_str(normal, "%Y-%m-%dT%H:%M")
        .ok()
        .filter(|_| normal.len() == 16)
        .ok_or_else(|| {
            format!(
                "{column} {} is not a date and time like 2026-11-27 08:30",
                shown(s)
            )
        })?;
    if !crate::domain::in_clinic_years(start.date()) {
        return Err(format!(
            "{column} {} is not in the years {}",
            shown(s),
            crate::domain::clinic_years()
        ));
    }
    Ok(start)
}

pub fn integer(column: &str, raw: Option<&str>, min: i64, max: i64) -> Check<Option<i64>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "{column} {} is not a whole number from {min} to {max}",
                shown(s)
            )),
        },
    }
}

/// Stored words are lower case with `_`; "Wrist/hand", "re-evaluation" and "Checked in" are
/// accepted as such.
pub fn word(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' | '/' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// One of a fixed set of words.
pub fn one_of<'w>(column: &str, raw: Option<&str>, words: &[&'w str]) -> Check<Option<&'w str>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            let w = word(s);
            words
                .iter()
                .find(|k| **k == w)
                .copied()
                .map(Some)
                .ok_or_else(|| format!("{column} {} is not one of {}", shown(s), words.join(", ")))
        }
    }
}

pub fn body_regions() -> Vec<&'static str> {
    BodyRegion::ALL.iter().map(|r| r.as_str()).collect()
}

/// MRN: 1 to 20 letters, digits, `-` or `.`.
pub fn mrn(raw: Option<&str>) -> Check<String> {
    let s = raw.unwrap_or_default();
    if s.is_empty() {
        return Err("mrn is empty".into());
    }
    if s.len() > 20
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(format!(
            "mrn {} must be 1 to 20 letters, digits, - or .",
            shown(s)
        ));
    }
    Ok(s.to_string())
}

pub fn email(raw: Option<&str>) -> Check<Option<String>> {
    let Some(e) = text(raw) else { return Ok(None) };
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !e.contains(' ')
        }
        None => false,
    };
    if ok {
        Ok(Some(e))
    } else {
        Err(format!(
            "email {} is not an address like name@example.org",
            shown(&e)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_starts() {
        assert!(date("d", Some("2026-02-29")).is_err());
        assert!(date("d", Some("2026-2-3")).is_err());
        assert_eq!(date("d", Some("")).unwrap(), None);
        assert!(date("d", Some("2024-02-29")).unwrap().is_some());
        let a = start("start", Some("2026-11-27 08:30")).unwrap();
        let b = start("start", Some("2026-11-27T08:30")).unwrap();
        let c = start("start", Some("2026-11-27T08:30:00")).unwrap();
        assert_eq!((a, b), (c, c));
        assert!(start("start", Some("2026-11-27 8:30am")).is_err());
        assert!(start("start", Some("27/11/2026 08:30")).is_err());
    }

    #[test]
    fn words_numbers_and_contacts() {
        assert_eq!(
            one_of("r", Some("Wrist/Hand"), &body_regions()).unwrap(),
            Some("wrist_hand")
        );
        assert!(one_of("r", Some("neck"), &body_regions()).is_err());
        assert!(integer("m", Some("4.5"), 1, 9).is_err());
        assert!(integer("m", Some("10"), 1, 9).is_err());
        assert_eq!(integer("m", Some("9"), 1, 9).unwrap(), Some(9));
        assert!(email(Some("ann@example")).is_err());
        assert!(email(Some("ann@example.org")).is_ok());
        assert!(mrn(Some("100 200")).is_err());
    }
}

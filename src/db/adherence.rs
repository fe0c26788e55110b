//! Patient-reported adherence read from the record: one query for the progress pane (every
//! report), the program pane (the last few), the progress report and its flags (the latest on
//! or before a day). The day's flags read the same rows for many patients at once in
//! `flags::DAY_FLAGS_SQL` and turn each into a report with [`report`].

use super::sql::{Conn, SqlResult, args};
use chrono::NaiveDate;

use super::Db;
use super::stored_time::{day_text, parse_day};
use crate::domain::adherence::Adherence;
use crate::error::AppResult;

/// A stored report; None when its day is not a stored day (such a row is skipped, as the
/// flags skip it).
pub(crate) fn report(reported_on: &str, done: i64, prescribed: i64) -> Option<Adherence> {
    Some(Adherence {
        reported_on: parse_day(reported_on)?,
        done,
        prescribed,
    })
}

/// A patient's reports on or before `through` (every one when None), oldest first: the `last`
/// few of them, or all when None.
pub(crate) fn reports(
    conn: &Conn,
    patient_id: i64,
    through: Option<NaiveDate>,
    last: Option<usize>,
) -> SqlResult<Vec<Adherence>> {
    // Newest first so that LIMIT keeps the latest; "no limit" is the largest limit (both
    // backends take it, where only SQLite takes -1), and every stored day sorts before
    // "9999-12-31".
    let mut stmt = conn.prepare_cached(
        "SELECT reported_on, sessions_done, sessions_prescribed FROM adherence_reports
         WHERE patient_id = ?1 AND reported_on <= ?2
         ORDER BY reported_on DESC, id DESC LIMIT ?3",
    )?;
    let through = through.map_or_else(|| "9999-12-31".to_string(), day_text);
    let limit = last.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let rows = stmt
        .query_map(args![patient_id, through, limit], |r| {
            Ok((r.get::<String>(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<SqlResult<Vec<(String, i64, i64)>>>()?;
    Ok(rows
        .iter()
        .rev()
        .filter_map(|(on, done, prescribed)| report(on, *done, *prescribed))
        .collect())
}

impl Db {
    /// A patient's adherence reports, oldest first: the `last` few, or every one when None.
    pub fn adherence_reports(
        &self,
        patient_id: i64,
        last: Option<usize>,
    ) -> AppResult<Vec<Adherence>> {
        reports(&self.sql(), patient_id, None, last).map_err(|e| self.fail(e))
    }
}

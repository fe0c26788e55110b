//! The patients' answers about their visits as the schedule and the record read them: each
//! visit's answer for its present start (an answer given for another time no longer counts).
//! Recording one is `confirmations`' work.

use super::sql::{Conn, OptionalExtension, Row, SqlResult, args};
use std::collections::HashMap;

use chrono::NaiveDate;

use super::Db;
use super::stored_time::day_text;
use crate::domain::messages::{AnswerVia, Confirmation, VisitAnswer};
use crate::error::AppResult;

/// The answers of the visits whose start lies in [?1, ?2), each for the start it has now:
/// the visits by their start, each one's answer by its key.
const ANSWERS_BETWEEN: &str =
    "SELECT c.appointment_id, c.answer, c.via, c.answered_at, c.recorded_by
    FROM appointments a
    JOIN visit_confirmations c ON c.appointment_id = a.id AND c.for_start = a.start
    WHERE a.start >= ?1 AND a.start < ?2";

const ANSWER_OF: &str = "SELECT c.appointment_id, c.answer, c.via, c.answered_at, c.recorded_by
    FROM visit_confirmations c
    JOIN appointments a ON a.id = c.appointment_id AND a.start = c.for_start
    WHERE c.appointment_id = ?1";

/// A stored answer; a row this build cannot read (an unknown word) counts as no answer.
fn row_to_answer(r: &Row) -> SqlResult<(i64, Option<VisitAnswer>)> {
    let answer: String = r.get(1)?;
    let via: String = r.get(2)?;
    let read = Confirmation::parse(&answer)
        .zip(AnswerVia::parse(&via))
        .map(|(answer, via)| -> SqlResult<VisitAnswer> {
            Ok(VisitAnswer {
                answer,
                via,
                answered_at: r.get(3)?,
                recorded_by: r.get(4)?,
            })
        })
        .transpose()?;
    Ok((r.get(0)?, read))
}

/// Visits in [from, to) (days) with an answer for their present start.
pub(in crate::db) fn answers_between(
    conn: &Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> SqlResult<HashMap<i64, VisitAnswer>> {
    let mut stmt = conn.prepare_cached(ANSWERS_BETWEEN)?;
    let rows = stmt.query_map(args![day_text(from), day_text(to)], row_to_answer)?;
    let mut out = HashMap::new();
    for row in rows {
        if let (id, Some(answer)) = row? {
            out.insert(id, answer);
        }
    }
    Ok(out)
}

pub(in crate::db) fn answer_of(conn: &Conn, id: i64) -> SqlResult<Option<VisitAnswer>> {
    Ok(conn
        .prepare_cached(ANSWER_OF)?
        .query_row(args![id], row_to_answer)
        .optional()?
        .and_then(|(_, a)| a))
}

/// Visits of these ids with an answer for their present start.
pub(in crate::db) fn answers_of(conn: &Conn, ids: &[i64]) -> SqlResult<HashMap<i64, VisitAnswer>> {
    let mut out = HashMap::new();
    for &id in ids {
        if let Some(a) = answer_of(conn, id)? {
            out.insert(id, a);
        }
    }
    Ok(out)
}

impl Db {
    /// Each visit of the days [from, to) with an answer for the time it has now.
    pub fn answers_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<HashMap<i64, VisitAnswer>> {
        answers_between(&self.sql(), from, to).map_err(|e| self.fail(e))
    }

    /// The answers of these visits, each for the time it has now.
    pub fn answers_of(&self, appointment_ids: &[i64]) -> AppResult<HashMap<i64, VisitAnswer>> {
        answers_of(&self.sql(), appointment_ids).map_err(|e| self.fail(e))
    }
}

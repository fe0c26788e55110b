//! The outbox: every message to a patient as a row of the record. This part reads what the
//! schedule shows of it: each visit's reminder at the visit's present time.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::Db;
use super::stored_time::day_text;
use crate::domain::messages::{OutboxState, ReminderState};
use crate::error::AppResult;

/// The newest reminder of each visit whose start lies in [?1, ?2), for the start the visit has
/// now (a reminder for the time before a move does not count). Reads the visits by their
/// start and each one's reminders by `outbox_visit`.
const REMINDERS_BETWEEN: &str = "SELECT a.id,
        (SELECT o.state FROM outbox o
         WHERE o.appointment_id = a.id AND o.purpose = 'reminder' AND o.for_start = a.start
         ORDER BY o.id DESC LIMIT 1)
    FROM appointments a
    WHERE a.start >= ?1 AND a.start < ?2";

const REMINDER_OF: &str = "SELECT o.state FROM outbox o
    JOIN appointments a ON a.id = o.appointment_id AND a.start = o.for_start
    WHERE o.appointment_id = ?1 AND o.purpose = 'reminder'
    ORDER BY o.id DESC LIMIT 1";

fn state_of(text: Option<String>) -> ReminderState {
    text.as_deref()
        .and_then(OutboxState::parse)
        .map_or(ReminderState::None, ReminderState::of)
}

/// Visits in [from, to) (days) that have a reminder; a visit missing from the map has none.
pub(in crate::db) fn reminders_between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> rusqlite::Result<HashMap<i64, ReminderState>> {
    let mut stmt = conn.prepare_cached(REMINDERS_BETWEEN)?;
    let rows = stmt.query_map([day_text(from), day_text(to)], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, state) = row?;
        let state = state_of(state);
        if state != ReminderState::None {
            out.insert(id, state);
        }
    }
    Ok(out)
}

impl Db {
    /// Each visit of the days [from, to) that has a reminder, with where it stands.
    pub fn reminders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<HashMap<i64, ReminderState>> {
        reminders_between(self.conn(), from, to).map_err(|e| self.fail(e))
    }

    /// Where the reminder of these visits stands, each at its present time.
    pub fn reminders_of(&self, appointment_ids: &[i64]) -> AppResult<HashMap<i64, ReminderState>> {
        let run = || -> rusqlite::Result<HashMap<i64, ReminderState>> {
            let mut stmt = self.conn().prepare_cached(REMINDER_OF)?;
            let mut out = HashMap::new();
            for &id in appointment_ids {
                let mut rows = stmt.query([id])?;
                if let Some(r) = rows.next()? {
                    out.insert(id, state_of(r.get(0)?));
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }
}

//! A booking undone at the terminal that made it, within minutes: the visit's row goes as if
//! it had never been booked (no cancellation on the record, none counted against the patient),
//! and the audit log says so. Only a booking still as it was made can go: the same version,
//! still scheduled, nothing recorded on it (a note, a measure, adherence, a waitlist entry).

use super::sql::{Sql, args};
use chrono::NaiveDateTime;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::schedule::{conflict, load_for_change, start_text};
use super::{Db, TxError, Who};
use crate::domain::AppointmentStatus;
use crate::domain::appointment::{BOOKING_UNDO_MINUTES, Visit};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

fn refuse(why: impl Into<String>) -> TxError {
    TxError::App(AppError::input(why.into()))
}

fn stamp_of(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.get(..19)?, "%Y-%m-%dT%H:%M:%S").ok()
}

impl Db {
    /// Deletes a visit booked at most [`BOOKING_UNDO_MINUTES`] ago that nobody has touched
    /// since (`seen_version` is the version the booking made); returns the visit as it was.
    pub fn unbook(&mut self, id: i64, seen_version: i64, who: Who) -> AppResult<Visit> {
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let v = load_for_change(tx, id)?;
            if v.version != seen_version {
                return Err(conflict(tx, id));
            }
            if v.status != AppointmentStatus::Scheduled {
                return Err(refuse(format!(
                    "this visit is {} now, so the booking stays: cancel it instead",
                    v.status.label()
                )));
            }
            let created: String = tx.query_row(
                "SELECT created_at FROM appointments WHERE id = ?1",
                args![id],
                |r| r.get(0),
            )?;
            let age = stamp_of(who.at)
                .zip(stamp_of(&created))
                .map(|(now, then)| now - then);
            if age.is_none_or(|a| a > chrono::Duration::minutes(BOOKING_UNDO_MINUTES)) {
                return Err(refuse(format!(
                    "a booking can be undone for {BOOKING_UNDO_MINUTES} minutes after it is made; this one stays: cancel it instead"
                )));
            }
            let recorded: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM visit_notes WHERE appointment_id = ?1)
                     OR EXISTS (SELECT 1 FROM measurements WHERE appointment_id = ?1)
                     OR EXISTS (SELECT 1 FROM adherence_reports WHERE appointment_id = ?1)
                     OR EXISTS (SELECT 1 FROM waitlist WHERE booked_appointment = ?1)
                     OR EXISTS (SELECT 1 FROM outbox WHERE appointment_id = ?1
                                AND (state IN ('sent', 'failed') OR claimed_by IS NOT NULL))",
                args![id],
                |r| r.get(0),
            )?;
            if recorded {
                return Err(refuse(
                    "something is already recorded on this visit (or a reminder has gone out), so the booking stays: cancel it instead",
                ));
            }
            // Reminders that never left go with the booking.
            let dropped = tx.execute("DELETE FROM outbox WHERE appointment_id = ?1", args![id])?;
            let gone = tx.execute(
                "DELETE FROM appointments WHERE id = ?1 AND version = ?2",
                args![id, v.version],
            )?;
            if gone == 0 {
                return Err(conflict(tx, id));
            }
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "appointment.unbook",
                    entity: "appointment",
                    entity_id: Some(id),
                    detail: json!({
                        "patient_id": v.patient_id,
                        "therapist_id": v.therapist_id,
                        "start": start_text(v.start),
                        "minutes": v.minutes,
                        "kind": v.kind.as_str(),
                        "booked_at": created,
                        "unsent_messages_dropped": dropped,
                    }),
                },
            )?;
            Ok(v)
        })
    }
}

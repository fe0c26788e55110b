//! What the integration tests and benchmarks need to see of a record, or to put in it, in
//! the store's own terms; not for the app, which goes through `Db`'s methods.

use super::sql::{Sql, args};
use chrono::NaiveDateTime;

use super::demo_build::DemoWriter;
use super::export_reads::{AppointmentRec, patient_appointments};
use super::{Db, TxError, TxResult};
use crate::error::AppResult;

/// The record's tables, for counting rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Staff,
    Patients,
    Appointments,
    Exercises,
    Measurements,
    HepPrograms,
    HepItems,
    VisitNotes,
    AdherenceReports,
    AuditLog,
    Goals,
    Discharges,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Staff => "staff",
            Table::Patients => "patients",
            Table::Appointments => "appointments",
            Table::Exercises => "exercises",
            Table::Measurements => "measurements",
            Table::HepPrograms => "hep_programs",
            Table::HepItems => "hep_items",
            Table::VisitNotes => "visit_notes",
            Table::AdherenceReports => "adherence_reports",
            Table::AuditLog => "audit_log",
            Table::Goals => "goals",
            Table::Discharges => "discharges",
        }
    }
}

/// How many rows `table` holds.
pub fn rows(db: &Db, table: Table) -> AppResult<i64> {
    db.sql()
        .query_row(
            &format!("SELECT COUNT(*) FROM {}", table.name()),
            &[],
            |r| r.get(0),
        )
        .map_err(|e| db.fail(e))
}

/// Puts records straight into the file, in one transaction and without audit rows, the way
/// the demo's build does: a test's setup, not a change a user makes.
pub fn seed<T>(db: &Db, fill: impl FnOnce(&mut DemoWriter) -> TxResult<T>) -> AppResult<T> {
    db.transaction(|conn| {
        let value = fill(&mut DemoWriter::new(conn))?;
        super::flag_cache::refresh(conn)?;
        Ok(value)
    })
    .map_err(|e| match e {
        TxError::Sql(e) => db.fail(e),
        TxError::App(e) => e,
    })
}

/// Every patient's id, in order.
pub fn patient_ids(db: &Db) -> AppResult<Vec<i64>> {
    db.sql()
        .rows("SELECT id FROM patients ORDER BY id", &[], |r| r.get(0))
        .map_err(|e| db.fail(e))
}

/// A patient's visits, whatever their status, in order of start.
pub fn visits_of_patient(db: &Db, patient_id: i64) -> AppResult<Vec<AppointmentRec>> {
    patient_appointments(&db.sql(), Some(patient_id)).map_err(|e| db.fail(e))
}

/// A measurement as stored, with what only the file shows (item answers, the visit).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMeasurement {
    pub id: i64,
    pub code: String,
    pub appointment_id: Option<i64>,
    pub detail: Option<String>,
    pub items: Option<String>,
    pub taken_on: String,
}

/// Every measurement, in the order they were recorded.
pub fn measurements(db: &Db) -> AppResult<Vec<StoredMeasurement>> {
    db.sql()
        .rows(
            "SELECT id, measure_code, appointment_id, detail, items, taken_on
             FROM measurements ORDER BY id",
            &[],
            |r| {
                Ok(StoredMeasurement {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    appointment_id: r.get(2)?,
                    detail: r.get(3)?,
                    items: r.get(4)?,
                    taken_on: r.get(5)?,
                })
            },
        )
        .map_err(|e| db.fail(e))
}

/// The audit chain's check: the rows that follow from their predecessors, or the first that
/// does not.
pub fn verify_audit_chain(db: &Db) -> AppResult<Result<usize, String>> {
    super::audit::verify_chain(&db.sql()).map_err(|e| db.fail(e))
}

/// A setting of this terminal's SQLite connection (`PRAGMA name`), as SQLite's value prints.
pub fn sqlite_setting(db: &Db, name: &str) -> AppResult<String> {
    db.conn()?
        .query_row(&format!("PRAGMA {name}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| format!("{v:?}"))
        .map_err(|e| db.fail(e))
}

/// `day` at `hour:minute`, the way seeded records are stamped.
pub fn at(day: chrono::NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, minute, 0).unwrap_or_default()
}

/// Gives every patient consent to `channel` on `day`, or with None takes it from everyone (a
/// test's setup: the desk records it through `ptclinic contact`).
pub fn consent_everyone(
    db: &Db,
    channel: crate::domain::messages::Channel,
    day: Option<chrono::NaiveDate>,
) -> AppResult<usize> {
    let column = match channel {
        crate::domain::messages::Channel::Email => "email_consent_on",
        crate::domain::messages::Channel::Sms => "sms_consent_on",
    };
    db.sql()
        .execute(
            &format!("UPDATE patients SET {column} = ?1"),
            args![day.map(super::stored_time::day_text)],
        )
        .map_err(|e| db.fail(e))
}

/// Records one patient's opt-out of `channel` on `day`, as a STOP reply would.
pub fn opt_out(
    db: &Db,
    patient_id: i64,
    channel: crate::domain::messages::Channel,
    day: chrono::NaiveDate,
) -> AppResult<()> {
    let column = match channel {
        crate::domain::messages::Channel::Email => "email_opt_out_on",
        crate::domain::messages::Channel::Sms => "sms_opt_out_on",
    };
    db.sql()
        .execute(
            &format!("UPDATE patients SET {column} = ?1 WHERE id = ?2"),
            args![super::stored_time::day_text(day), patient_id],
        )
        .map(|_| ())
        .map_err(|e| db.fail(e))
}

/// A patient's answer to a visit's reminder for the visit starting at `for_start`, put straight
/// into the file (the desk's own command records it with its audit row).
pub fn record_confirmation(
    db: &Db,
    appointment_id: i64,
    answer: crate::domain::messages::Confirmation,
    for_start: NaiveDateTime,
) -> AppResult<()> {
    db.sql()
        .execute(
            "INSERT INTO visit_confirmations (appointment_id, answer, for_start, answered_at,
                recorded_by, via)
             VALUES (?1, ?2, ?3, ?4, 'test', 'desk')
             ON CONFLICT (appointment_id) DO UPDATE SET answer = excluded.answer,
                for_start = excluded.for_start",
            args![
                appointment_id,
                answer.as_str(),
                super::stored_time::start_text(for_start),
                "2026-11-27T09:00:00",
            ],
        )
        .map(|_| ())
        .map_err(|e| db.fail(e))
}

/// One outbox row as (appointment, channel, offset, state, attempts).
pub type OutboxRow = (Option<i64>, String, Option<i64>, String, i64);

/// The outbox's rows, in order.
pub fn outbox_rows(db: &Db) -> AppResult<Vec<OutboxRow>> {
    db.sql()
        .rows(
            "SELECT appointment_id, channel, offset_minutes, state, attempts FROM outbox ORDER BY id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .map_err(|e| db.fail(e))
}

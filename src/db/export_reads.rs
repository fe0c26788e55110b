//! The reads the exports need, copied into memory in one go (an export never keeps a
//! statement open). `only` narrows each to one patient; `None` reads the whole clinic.

use super::sql::{Conn, Row, SqlError, SqlResult, args};
use chrono::NaiveDate;

use crate::db::stored_time::parse_start;
pub use crate::domain::export_records::{
    AppointmentRec, ExportRecord, HepItemRec, HepRec, MeasurementRec,
};
use crate::domain::patient::Patient;
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::AppResult;

use super::Db;

fn bad(idx: usize, what: &str) -> SqlError {
    SqlError::Type(idx, format!("unknown {what}"))
}

pub(crate) fn patients(conn: &Conn, only: Option<i64>) -> SqlResult<Vec<Patient>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM patients WHERE CAST(?1 AS INTEGER) IS NULL OR id = ?1 ORDER BY id",
        super::patients::PATIENT_COLUMNS
    ))?;
    stmt.query_map(args![only], super::patients::row_to_patient)?
        .collect()
}

pub(crate) fn measurements(conn: &Conn, only: Option<i64>) -> SqlResult<Vec<MeasurementRec>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, patient_id, measure_code, taken_on, value, detail FROM measurements
         WHERE CAST(?1 AS INTEGER) IS NULL OR patient_id = ?1 ORDER BY patient_id, taken_on, measure_code, id",
    )?;
    stmt.query_map(args![only], |r| {
        Ok(MeasurementRec {
            id: r.get(0)?,
            patient_id: r.get(1)?,
            code: r.get(2)?,
            taken_on: r.get(3)?,
            value: r.get(4)?,
            detail: r.get(5)?,
        })
    })?
    .collect()
}

const APPOINTMENT_SELECT: &str = "SELECT a.id, a.patient_id, p.first_name, p.last_name, s.name,
        a.start, a.minutes, a.kind, a.status, a.cancel_reason, a.room, a.version
    FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN staff s ON s.id = a.therapist_id";

fn row_to_appointment(r: &Row) -> SqlResult<AppointmentRec> {
    let start: String = r.get(5)?;
    let kind: String = r.get(7)?;
    let status: String = r.get(8)?;
    let reason: Option<String> = r.get(9)?;
    Ok(AppointmentRec {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        therapist_name: r.get(4)?,
        start: parse_start(&start).ok_or_else(|| bad(5, "start"))?,
        minutes: r.get(6)?,
        kind: VisitKind::parse(&kind).ok_or_else(|| bad(7, "visit kind"))?,
        status: AppointmentStatus::parse(&status).ok_or_else(|| bad(8, "status"))?,
        cancel_reason: reason.as_deref().and_then(CancelReason::parse),
        room: r.get(10)?,
        version: r.get(11)?,
    })
}

pub(crate) fn patient_appointments(
    conn: &Conn,
    only: Option<i64>,
) -> SqlResult<Vec<AppointmentRec>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{APPOINTMENT_SELECT} WHERE CAST(?1 AS INTEGER) IS NULL OR a.patient_id = ?1 ORDER BY a.patient_id, a.start, a.id"
    ))?;
    stmt.query_map(args![only], row_to_appointment)?.collect()
}

/// A therapist's visits from the start of `from` to the end of `to`.
pub(crate) fn therapist_appointments(
    conn: &Conn,
    therapist_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> SqlResult<Vec<AppointmentRec>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{APPOINTMENT_SELECT} WHERE a.therapist_id = ?1 AND a.start >= ?2 AND a.start < ?3
         ORDER BY a.start, a.id"
    ))?;
    let end = to.succ_opt().unwrap_or(to);
    stmt.query_map(
        args![
            therapist_id,
            from.format("%Y-%m-%d").to_string(),
            end.format("%Y-%m-%d").to_string()
        ],
        row_to_appointment,
    )?
    .collect()
}

/// Each patient's current program (the highest version_no; templates have no patient).
pub(crate) fn current_programs(conn: &Conn, only: Option<i64>) -> SqlResult<Vec<HepRec>> {
    let mut programs: Vec<HepRec> = {
        let mut stmt = conn.prepare_cached(
            "SELECT h.id, h.patient_id, h.version_no, h.created_at FROM hep_programs h
             WHERE h.patient_id IS NOT NULL AND (CAST(?1 AS INTEGER) IS NULL OR h.patient_id = ?1)
               AND h.version_no = (SELECT MAX(version_no) FROM hep_programs x
                                   WHERE x.patient_id = h.patient_id)
             ORDER BY h.patient_id",
        )?;
        stmt.query_map(args![only], |r| {
            let created: String = r.get(3)?;
            Ok(HepRec {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                version_no: r.get(2)?,
                created_on: created.chars().take(10).collect(),
                items: Vec::new(),
            })
        })?
        .collect::<SqlResult<_>>()?
    };
    let index: std::collections::HashMap<i64, usize> = programs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT i.program_id, e.name, i.sets, i.reps, i.hold_seconds, i.times_per_day,
            i.days_per_week, i.side, i.load, i.note
         FROM hep_items i JOIN exercises e ON e.id = i.exercise_id
         JOIN hep_programs h ON h.id = i.program_id
         WHERE h.patient_id IS NOT NULL AND (CAST(?1 AS INTEGER) IS NULL OR h.patient_id = ?1)
         ORDER BY i.program_id, i.position, i.id",
    )?;
    stmt.each(args![only], |r| {
        let program: i64 = r.get(0)?;
        let Some(&i) = index.get(&program) else {
            return Ok(());
        };
        programs[i].items.push(HepItemRec {
            exercise: r.get(1)?,
            sets: r.get(2)?,
            reps: r.get(3)?,
            hold_seconds: r.get(4)?,
            times_per_day: r.get(5)?,
            days_per_week: r.get(6)?,
            side: r.get(7)?,
            load: r.get(8)?,
            note: r.get(9)?,
        });
        Ok(())
    })?;
    Ok(programs)
}

fn plans(
    conn: &Conn,
    only: Option<i64>,
) -> SqlResult<Vec<crate::domain::plan_of_care::PlanOfCare>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM plans_of_care WHERE CAST(?1 AS INTEGER) IS NULL OR patient_id = ?1
         ORDER BY patient_id, starts_on, id",
        super::plans::PLAN_COLUMNS
    ))?;
    stmt.query_map(args![only], super::plans::row_to_plan)?
        .collect()
}

impl Db {
    /// One patient (`Some(id)`) or the whole clinic, read inside one read transaction so
    /// the resources of an export agree with each other.
    pub fn export_record(&self, only: Option<i64>) -> AppResult<ExportRecord> {
        let read = || -> SqlResult<ExportRecord> {
            let conn = &self.sql();
            conn.in_read(|| {
                Ok(ExportRecord {
                    patients: patients(conn, only)?,
                    measurements: measurements(conn, only)?,
                    appointments: patient_appointments(conn, only)?,
                    programs: current_programs(conn, only)?,
                    plans: plans(conn, only)?,
                })
            })
        };
        read().map_err(|e| self.fail(e))
    }

    /// A therapist's visits from the start of `from` to the end of `to`, for a calendar.
    pub fn therapist_visits(
        &self,
        therapist_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<AppointmentRec>> {
        therapist_appointments(&self.sql(), therapist_id, from, to).map_err(|e| self.fail(e))
    }
}

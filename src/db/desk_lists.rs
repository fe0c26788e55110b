//! The desk's lists over every patient: the patients falling through the cracks (the rules are
//! `domain::unscheduled`) and the patient directory the finder searches. Reading only; the
//! caller audits what it shows with `log_patient_list`.

use super::sql::{Conn, SqlResult, args};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day_column, parse_start, start_text};
use super::{Db, Who};
use crate::domain::plan_of_care::MAX_PLAN_DAYS;
use crate::domain::unscheduled::{CareFacts, Reason, Visit};
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::AppResult;

/// A patient to call, for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnscheduledPatient {
    pub patient_id: i64,
    pub mrn: String,
    pub name: String,
    pub phone: Option<String>,
    pub reason: Reason,
    pub last_visit: Option<NaiveDateTime>,
    pub next_visit: Option<NaiveDateTime>,
    /// Left on the authorisation holding today (negative when exceeded); None when none does.
    pub visits_left: Option<i64>,
}

/// A patient as the finder lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub patient_id: i64,
    pub mrn: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub last_visit: Option<NaiveDateTime>,
    pub next_visit: Option<NaiveDateTime>,
}

impl DirectoryEntry {
    pub fn full_name(&self) -> String {
        crate::domain::patient::full_name(&self.first_name, &self.last_name)
    }
}

/// What the finder compares of each patient, in the directory's order: worked out once for a
/// list, so that each keystroke (in `patients --search` or the app's finder) only matches.
pub fn search_keys(all: &[DirectoryEntry]) -> Vec<crate::search::patients::PatientKey> {
    all.iter()
        .map(|p| {
            crate::search::patients::PatientKey::new(
                &p.full_name(),
                &p.mrn,
                p.phone.as_deref(),
                &p.date_of_birth.format("%Y-%m-%d").to_string(),
            )
        })
        .collect()
}

fn visits_of(conn: &Conn, patient_id: i64) -> SqlResult<Vec<Visit>> {
    conn.prepare_cached(
        "SELECT start, kind, status, cancel_reason FROM appointments WHERE patient_id = ?1",
    )?
    .query_map(args![patient_id], |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<Option<String>>(3)?,
        ))
    })?
    .filter_map(|row| {
        row.map(|(start, kind, status, reason)| {
            // A row the app cannot read is left out, as the schedule leaves it out.
            Some(Visit {
                start: parse_start(&start)?,
                kind: VisitKind::parse(&kind)?,
                status: AppointmentStatus::parse(&status)?,
                cancel_reason: reason.as_deref().and_then(CancelReason::parse),
            })
        })
        .transpose()
    })
    .collect()
}

fn facts_of(conn: &Conn, patient_id: i64) -> SqlResult<CareFacts> {
    let mut discharged_plans = Vec::new();
    let mut discharge_days = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT plan_id, discharged_on FROM discharges WHERE patient_id = ?1")?;
    stmt.each(args![patient_id], |r| {
        discharged_plans.push(r.get(0)?);
        discharge_days.push(parse_day_column(1, &r.get::<String>(1)?)?);
        Ok(())
    })?;
    Ok(CareFacts {
        plans: super::plans::of_patient(conn, patient_id)?,
        discharged_plans,
        discharge_days,
        visits: visits_of(conn, patient_id)?,
    })
}

/// Active patients the rules could list: a plan covering today, or a visit in the last 90
/// days (no visit since then cannot be a recent miss). The rules decide; this only narrows.
fn candidates(conn: &Conn, today: NaiveDate, now: NaiveDateTime) -> SqlResult<Vec<i64>> {
    conn.prepare_cached(
        "SELECT id FROM patients WHERE active = 1 AND (
             id IN (SELECT patient_id FROM plans_of_care WHERE starts_on <= ?1 AND ends_on >= ?1)
             OR id IN (SELECT patient_id FROM appointments WHERE start >= ?2 AND start <= ?3))
         ORDER BY last_name, first_name, mrn",
    )?
    .query_map(
        args![
            day_text(today),
            day_text(today - Duration::days(MAX_PLAN_DAYS)),
            start_text(now)
        ],
        |r| r.get(0),
    )?
    .collect()
}

fn unscheduled(
    conn: &Conn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> SqlResult<Vec<UnscheduledPatient>> {
    let mut out = Vec::new();
    for id in candidates(conn, today, now)? {
        let facts = facts_of(conn, id)?;
        let reasons = facts.reasons(today, now);
        if reasons.is_empty() {
            continue;
        }
        let (mrn, first, last, phone): (String, String, String, Option<String>) = conn
            .prepare_cached("SELECT mrn, first_name, last_name, phone FROM patients WHERE id = ?1")?
            .query_row(args![id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let visits_left = super::authorizations::uses(conn, id, today)?
            .into_iter()
            .filter(|u| u.authorization.holds(today))
            .max_by_key(|u| (u.authorization.starts_on, u.authorization.id))
            .map(|u| u.left());
        for reason in reasons {
            out.push(UnscheduledPatient {
                patient_id: id,
                mrn: mrn.clone(),
                name: crate::domain::patient::full_name(&first, &last),
                phone: phone.clone(),
                reason,
                last_visit: facts.last_visit(now),
                next_visit: facts.next_visit(today),
                visits_left,
            });
        }
    }
    Ok(out)
}

/// Every patient, active first, then by name. Last and next visit by the same words as the
/// rules (`Visit::outcome`, `Visit::is_booked_from`): attended is checked in or completed.
fn directory(conn: &Conn, today: NaiveDate, now: NaiveDateTime) -> SqlResult<Vec<DirectoryEntry>> {
    conn.prepare_cached(
        "SELECT p.id, p.mrn, p.first_name, p.last_name, p.date_of_birth, p.phone, p.email, p.active,
             (SELECT max(a.start) FROM appointments a WHERE a.patient_id = p.id AND a.start <= ?2
                  AND a.status IN ('checked_in', 'completed')),
             (SELECT min(a.start) FROM appointments a WHERE a.patient_id = p.id AND a.start >= ?1
                  AND a.status = 'scheduled')
         FROM patients p ORDER BY p.active DESC, p.last_name, p.first_name, p.mrn",
    )?
    .query_map(args![day_text(today), start_text(now)], |r| {
        let start = |i: usize| -> SqlResult<_> {
            Ok(r.get::<Option<String>>(i)?.as_deref().and_then(parse_start))
        };
        Ok(DirectoryEntry {
            patient_id: r.get(0)?,
            mrn: r.get(1)?,
            first_name: r.get(2)?,
            last_name: r.get(3)?,
            date_of_birth: parse_day_column(4, &r.get::<String>(4)?)?,
            phone: r.get(5)?,
            email: r.get(6)?,
            active: r.get(7)?,
            last_visit: start(8)?,
            next_visit: start(9)?,
        })
    })?
    .collect()
}

impl Db {
    /// The patients falling through the cracks on `today`, one row per patient and reason,
    /// by name.
    pub fn unscheduled_patients(
        &self,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> AppResult<Vec<UnscheduledPatient>> {
        unscheduled(&self.sql(), today, now).map_err(|e| self.fail(e))
    }

    /// Every patient with their last and next visit, active first, for the finder.
    pub fn patient_directory(
        &self,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> AppResult<Vec<DirectoryEntry>> {
        directory(&self.sql(), today, now).map_err(|e| self.fail(e))
    }

    /// Audits a list of patients shown (a report, a search): one row, `detail` holding ids
    /// and counts only, never names or what was typed.
    pub fn log_patient_list(&mut self, action: &str, detail: Value, who: Who) -> AppResult<()> {
        self.write(|tx| {
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action,
                    entity: "patient",
                    entity_id: None,
                    detail: detail.clone(),
                },
            )?;
            Ok(())
        })
    }
}

//! A patient's progress (measures, episode, flags, latest assessment) read from the record,
//! and recording a measurement with its audit row. The rules are in `domain::progress`,
//! `domain::flags` and `domain::scoring`.

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::Db;
use super::Who;
use super::audit::{self, AuditEntry};
use super::stored_time::{self, day_text, parse_start};
use crate::domain::flags::Thresholds;
use crate::domain::measures::MeasureDef;
use crate::domain::progress::{self, Assessment, Progress, ProgressInput, VisitSummary};
use crate::domain::roles::Duty;
use crate::domain::scoring::Scored;
use crate::domain::{AppointmentStatus, VisitKind};
use crate::error::{AppError, AppResult};

/// The day of a stored day or start.
fn parse_day(s: &str) -> Option<NaiveDate> {
    stored_time::parse_day(s.get(..10).unwrap_or(s))
}

fn visits_of(conn: &Conn, patient_id: i64) -> SqlResult<Vec<VisitSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.start, a.minutes, a.kind, a.status, s.initials,
                COALESCE(n.is_progress_report, 0)
         FROM appointments a
         JOIN staff s ON s.id = a.therapist_id
         LEFT JOIN visit_notes n ON n.appointment_id = a.id
         WHERE a.patient_id = ?1
         ORDER BY a.start, a.id",
    )?;
    let rows = stmt.query_map(args![patient_id], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<i64>(2)?,
            r.get::<String>(3)?,
            r.get::<String>(4)?,
            r.get::<String>(5)?,
            r.get::<i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, start, minutes, kind, status, initials, report) = row?;
        let (Some(start), Some(kind), Some(status)) = (
            parse_start(&start),
            VisitKind::parse(&kind),
            AppointmentStatus::parse(&status),
        ) else {
            continue;
        };
        out.push(VisitSummary {
            id,
            start,
            minutes,
            kind,
            status,
            therapist_initials: initials,
            progress_report: report != 0,
        });
    }
    Ok(out)
}

fn latest_assessment(
    conn: &Conn,
    patient_id: i64,
    today: NaiveDate,
) -> SqlResult<Option<Assessment>> {
    let next = day_text(today.succ_opt().unwrap_or(today));
    let row: Option<(String, i64, String, String, i64)> = conn
        .query_row(
            "SELECT a.start, a.id, a.kind, n.assessment, n.id
             FROM visit_notes n JOIN appointments a ON a.id = n.appointment_id
             WHERE a.patient_id = ?1 AND a.start < ?2 AND trim(n.assessment) <> ''
             ORDER BY a.start DESC, a.id DESC LIMIT 1",
            args![patient_id, next],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((start, id, kind, text, note_id)) = row else {
        return Ok(None);
    };
    let signing = super::signatures::signing(conn, note_id)?;
    Ok((|| {
        Some(Assessment {
            date: parse_day(&start)?,
            appointment_id: id,
            kind: VisitKind::parse(&kind)?,
            text,
            signing,
        })
    })())
}

/// What [`Db::record_measurement`] stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub id: i64,
    /// The patient's visit that day it was stored against, if there was one.
    pub appointment_id: Option<i64>,
}

impl Db {
    /// The clinic's compliance thresholds (defaults plus the record's `reeval_days`).
    pub fn thresholds(&self) -> AppResult<Thresholds> {
        super::flags::thresholds(&self.sql()).map_err(|e| self.fail(e))
    }

    /// A patient's progress as of `today`: episode, measures, flags of today's (else the next)
    /// visit, latest assessment. Reading only; record the opening with [`Db::log_opened`].
    /// The measures as this clinic defines them: their thresholds from the record.
    pub fn measures(&self) -> AppResult<Vec<MeasureDef>> {
        super::measure_reads::clinic_measures(&self.sql()).map_err(|e| self.fail(e))
    }

    /// Sets a measure's thresholds in the record, with its audit row, so that every terminal
    /// and report judges by them. The values are checked by `domain::measures::check_thresholds`.
    pub fn set_measure_thresholds(
        &mut self,
        code: &str,
        mcid: Option<f64>,
        mdc: Option<f64>,
        who: Who,
    ) -> AppResult<MeasureDef> {
        let current = self
            .measures()?
            .into_iter()
            .find(|m| m.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "unknown measure \"{}\"",
                    crate::sanitize::clean_echo(code)
                ))
            })?;
        let next = crate::domain::measures::check_thresholds(
            &current,
            mcid.or(current.mcid),
            mdc.or(current.mdc),
        )
        .map_err(AppError::input)?;
        self.write_as(&who, Duty::MeasureThresholds, |tx, _| {
            tx.execute(
                "UPDATE measure_definitions SET mcid = ?2, mdc = ?3 WHERE code = ?1",
                args![next.code, next.mcid, next.mdc],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "measure.set",
                    entity: "measure",
                    entity_id: None,
                    detail: json!({
                        "code": next.code,
                        "mcid": next.mcid,
                        "mdc": next.mdc,
                        "was": { "mcid": current.mcid, "mdc": current.mdc },
                    }),
                },
            )?;
            Ok(())
        })?;
        Ok(next)
    }

    pub fn progress(&self, patient_id: i64, today: NaiveDate) -> AppResult<Option<Progress>> {
        let Some(patient) = self.patient(patient_id)? else {
            return Ok(None);
        };
        let conn = &self.sql();
        let read = || -> SqlResult<Progress> {
            let t = super::flags::thresholds(conn)?;
            let input = ProgressInput {
                visits: visits_of(conn, patient.id)?,
                // A report as of an earlier day (a discharge) sees the measures up to that day.
                points: super::measure_reads::points_of(conn, patient.id)?
                    .into_iter()
                    .filter(|(_, p)| p.date <= today)
                    .collect(),
                adherence: super::adherence::reports(conn, patient.id, Some(today), Some(1))?.pop(),
                latest_assessment: latest_assessment(conn, patient.id, today)?,
                terms: super::flags::terms_of(conn, patient.id)?,
                plans: super::plans::of_patient(conn, patient.id)?,
                authorizations: super::authorizations::uses(conn, patient.id, today)?,
                patient: patient.clone(),
                defs: super::measure_reads::clinic_measures(conn)?,
            };
            let mut progress = progress::build(input, today, &t);
            progress.goals =
                super::goals::reviewed(conn, patient.id, today, super::goals::Plans::Current)?
                    .pop();
            Ok(progress)
        };
        read().map(Some).map_err(|e| self.fail(e))
    }

    /// Records that someone opened a patient's record (a report, the progress pane): one
    /// write transaction with the audit row. `detail` names codes, never clinical text.
    pub fn log_opened(
        &mut self,
        patient_id: i64,
        action: &str,
        detail: serde_json::Value,
        who: Who,
    ) -> AppResult<()> {
        self.write(|tx| {
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action,
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: detail.clone(),
                },
            )?;
            Ok(())
        })
    }

    /// Stores a checked measurement taken on `date`, against the patient's visit that day
    /// when there is one (an attended one first), with its audit row in the same transaction.
    pub fn record_measurement(
        &mut self,
        patient_id: i64,
        date: NaiveDate,
        scored: &Scored,
        who: Who,
    ) -> AppResult<Recorded> {
        if !crate::domain::in_clinic_years(date) {
            return Err(AppError::input(format!(
                "a measurement's date is in the years {}, not {date}",
                crate::domain::clinic_years()
            )));
        }
        self.write_as(&who, Duty::Measures, |tx, _| {
            store_measurement(tx, patient_id, date, scored, &who)
        })
    }

    /// Several measurements taken together (the whole KOOS: one per subscale), stored in one
    /// transaction with their audit rows, by a clinician: all of them or none.
    pub fn record_measurements(
        &mut self,
        patient_id: i64,
        date: NaiveDate,
        scored: &[Scored],
        who: Who,
    ) -> AppResult<Vec<Recorded>> {
        if !crate::domain::in_clinic_years(date) {
            return Err(AppError::input(format!(
                "a measurement's date is in the years {}, not {date}",
                crate::domain::clinic_years()
            )));
        }
        self.write_as(&who, Duty::Measures, |tx, _| {
            scored
                .iter()
                .map(|s| store_measurement(tx, patient_id, date, s, &who))
                .collect()
        })
    }
}

/// One measurement and its audit row, against the patient's visit that day if there is one.
fn store_measurement(
    tx: &Conn,
    patient_id: i64,
    date: NaiveDate,
    scored: &Scored,
    who: &Who,
) -> super::TxResult<Recorded> {
    super::patients::require(tx, patient_id)?;
    let appointment_id = super::patients::visit_on(tx, patient_id, date)?;
    let from = day_text(date);
    let id = tx.insert(
        "INSERT INTO measurements (patient_id, appointment_id, measure_code, taken_on,
            value, detail, items, recorded_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            patient_id,
            appointment_id,
            scored.def.code,
            from,
            scored.value,
            scored.detail,
            scored.items_json(),
            who.user,
            who.at
        ],
    )?;
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action: "measurement.record",
            entity: "measurement",
            entity_id: Some(id),
            detail: json!({
                "patient_id": patient_id,
                "measure": scored.def.code,
                "taken_on": from,
                "appointment_id": appointment_id,
                "by_items": scored.items.is_some(),
            }),
        },
    )?;
    Ok(Recorded { id, appointment_id })
}

//! Discharges as stored (one per plan of care, with the therapist's signature and its audit
//! row), and what the discharge summary reads: the episode up to the discharge, its visits,
//! measures, goals and the home program then.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlError, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day_column};
use super::{Db, TxError, Who};
use crate::domain::discharge::{
    Discharge, DischargeReason, DischargeSummary, ProgramAtDischarge, VisitCounts,
};
use crate::domain::goals;
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

const DISCHARGE_COLUMNS: &str =
    "id, patient_id, plan_id, discharged_on, reason, note, signed_as, at";

fn row_to_discharge(r: &Row) -> SqlResult<Discharge> {
    let reason: String = r.get(4)?;
    Ok(Discharge {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        plan_id: r.get(2)?,
        discharged_on: parse_day_column(3, &r.get::<String>(3)?)?,
        reason: DischargeReason::parse(&reason).unwrap_or(DischargeReason::Other),
        note: r.get(5)?,
        signed_as: r.get(6)?,
        at: r.get(7)?,
    })
}

fn latest(conn: &Conn, patient_id: i64) -> SqlResult<Option<Discharge>> {
    conn.query_row(
        &format!(
            "SELECT {DISCHARGE_COLUMNS} FROM discharges WHERE patient_id = ?1
             ORDER BY discharged_on DESC, id DESC LIMIT 1"
        ),
        args![patient_id],
        row_to_discharge,
    )
    .optional()
}

/// The patient's visits from `from` to `to` (both included) by outcome.
fn visit_counts(
    conn: &Conn,
    patient_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> SqlResult<VisitCounts> {
    let end = day_text(to.succ_opt().unwrap_or(to));
    conn.query_row(
        "SELECT
            COUNT(CASE WHEN status IN ('checked_in', 'completed') THEN 1 END),
            COUNT(CASE WHEN status = 'no_show' THEN 1 END),
            COUNT(CASE WHEN status = 'cancelled' AND cancel_reason = 'late' THEN 1 END),
            COUNT(CASE WHEN status = 'cancelled' AND cancel_reason IS NOT 'late' THEN 1 END)
         FROM appointments WHERE patient_id = ?1 AND start >= ?2 AND start < ?3",
        args![patient_id, day_text(from), end],
        |r| {
            Ok(VisitCounts {
                attended: r.get(0)?,
                no_shows: r.get(1)?,
                late_cancellations: r.get(2)?,
                other_cancellations: r.get(3)?,
            })
        },
    )
}

impl Db {
    /// Records the discharge of the patient on `on` under the plan of care covering that day
    /// (else the latest), signed by the therapist making it, with its audit row. A plan is
    /// discharged once.
    pub fn discharge(
        &mut self,
        patient_id: i64,
        on: NaiveDate,
        reason: DischargeReason,
        note: Option<&str>,
        who: Who,
    ) -> AppResult<Discharge> {
        self.write_as(&who, Duty::DischargeSummary, |tx, acting| {
            let plans = super::plans::of_patient(tx, patient_id)?;
            let plan = goals::plan_for(&plans, on).ok_or_else(super::goals::no_plan)?;
            if on < plan.starts_on {
                return Err(TxError::App(AppError::input(format!(
                    "--on {on} is before the plan of care starts ({})",
                    plan.starts_on
                ))));
            }
            let already: Option<String> = tx
                .query_row(
                    "SELECT discharged_on FROM discharges WHERE plan_id = ?1",
                    args![plan.id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(day) = already {
                return Err(TxError::App(AppError::input(format!(
                    "the plan of care from {} was already discharged on {day}",
                    plan.starts_on
                ))));
            }
            let Some(me) = acting.staff() else {
                return Err(TxError::App(AppError::failure(
                    "a discharge is signed by a member of the staff",
                )));
            };
            let signed_as = me.signature();
            let id = tx.insert(
                "INSERT INTO discharges (patient_id, plan_id, discharged_on, reason, note,
                    by_staff, signed_as, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![
                    patient_id,
                    plan.id,
                    day_text(on),
                    reason.as_str(),
                    note,
                    me.id,
                    signed_as,
                    who.at
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "discharge.record",
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: json!({
                        "discharge_id": id,
                        "plan_id": plan.id,
                        "discharged_on": day_text(on),
                        "reason": reason.as_str(),
                    }),
                },
            )?;
            Ok(Discharge {
                id,
                patient_id,
                plan_id: plan.id,
                discharged_on: on,
                reason,
                note: note.map(str::to_string),
                signed_as: signed_as.clone(),
                at: who.at.to_string(),
            })
        })
    }

    /// The patient's latest discharge, if any.
    pub fn latest_discharge(&self, patient_id: i64) -> AppResult<Option<Discharge>> {
        latest(&self.sql(), patient_id).map_err(|e| self.fail(e))
    }

    /// The summary of the patient's latest discharge; None when they have not been
    /// discharged. Reading only: the caller audits the opening.
    pub fn discharge_summary(&self, patient_id: i64) -> AppResult<Option<DischargeSummary>> {
        let Some(discharge) = self.latest_discharge(patient_id)? else {
            return Ok(None);
        };
        let on = discharge.discharged_on;
        // The episode's measures as of the discharge, by the same rules as the progress report.
        let Some(progress) = self.progress(patient_id, on)? else {
            return Ok(None);
        };
        let conn = &self.sql();
        let read = || -> SqlResult<(VisitCounts, goals::PlanGoals)> {
            let plan_goals = super::goals::reviewed(
                conn,
                patient_id,
                on,
                super::goals::Plans::One(discharge.plan_id),
            )?
            .pop();
            let Some(plan_goals) = plan_goals else {
                return Err(SqlError::NoRows);
            };
            let from = progress
                .episode
                .evaluation
                .unwrap_or(plan_goals.plan.starts_on);
            Ok((visit_counts(conn, patient_id, from, on)?, plan_goals))
        };
        let (visits, goals) = read().map_err(|e| self.fail(e))?;
        let program = self
            .hep_versions(patient_id)?
            .into_iter()
            .find(|v| {
                v.created_at
                    .get(..10)
                    .is_some_and(|d| d <= day_text(on).as_str())
            })
            .map(|v| -> AppResult<ProgramAtDischarge> {
                let p = self.hep_program(patient_id, Some(v.version_no))?;
                Ok(ProgramAtDischarge {
                    version_no: v.version_no,
                    saved_on: v
                        .created_at
                        .get(..10)
                        .and_then(super::stored_time::parse_day)
                        .unwrap_or(on),
                    items: p.items,
                })
            })
            .transpose()?;
        Ok(Some(DischargeSummary {
            patient: progress.patient,
            evaluation: progress.episode.evaluation,
            measures: progress.measures,
            discharge,
            visits,
            goals,
            program,
        }))
    }
}

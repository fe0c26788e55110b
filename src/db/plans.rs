//! Plans of care as stored: one row per certification. A recertification is a new row, and a
//! signature is recorded on its plan with the plan's version checked, so an old certification
//! is never rewritten by a later one.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day_column};
use super::{Db, TxError, Who};
use crate::domain::plan_of_care::{Certification, PlanOfCare, PlanRequest, PlanTerms};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

pub(crate) const PLAN_COLUMNS: &str = "id, patient_id, starts_on, ends_on, visits_per_week, weeks,
    physician, certified_on, delay_reason, recertifies, version";

pub(crate) fn row_to_plan(r: &Row) -> SqlResult<PlanOfCare> {
    let day = |i: usize| -> SqlResult<_> { parse_day_column(i, &r.get::<String>(i)?) };
    let certified: Option<String> = r.get(7)?;
    Ok(PlanOfCare {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        starts_on: day(2)?,
        ends_on: day(3)?,
        visits_per_week: r.get(4)?,
        weeks: r.get(5)?,
        physician: r.get(6)?,
        certified_on: certified.map(|c| parse_day_column(7, &c)).transpose()?,
        delay_reason: r.get(8)?,
        recertifies: r.get(9)?,
        version: r.get(10)?,
    })
}

/// A patient's plans, oldest first.
pub(crate) fn of_patient(conn: &Conn, patient_id: i64) -> SqlResult<Vec<PlanOfCare>> {
    conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans_of_care WHERE patient_id = ?1 ORDER BY starts_on, id"
    ))?
    .query_map(args![patient_id], row_to_plan)?
    .collect()
}

/// Records a plan of the checked terms; returns its id.
fn insert(
    tx: &Conn,
    patient_id: i64,
    terms: &PlanTerms,
    physician: Option<&str>,
    recertifies: Option<i64>,
    who: &Who,
) -> SqlResult<i64> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, visits_per_week, weeks,
             physician, recertifies, created_by, created_at, body_region)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                 (SELECT body_region FROM patients WHERE id = ?1))",
        )?
        .insert(args![
            patient_id,
            day_text(terms.starts_on),
            day_text(terms.ends_on),
            terms.visits_per_week,
            terms.weeks,
            physician,
            recertifies,
            who.user,
            who.at,
        ])?;
    Ok(inserted)
}

/// A plan's period as a file or an upgrade states it, without a frequency; an identical period
/// already recorded is not added twice (an import run again).
pub(crate) fn insert_period(
    tx: &Conn,
    patient_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    who: &Who,
) -> SqlResult<()> {
    tx.prepare_cached(
        "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, created_by, created_at,
             body_region)
         SELECT ?1, ?2, ?3, ?4, ?5, (SELECT body_region FROM patients WHERE id = ?1)
         WHERE NOT EXISTS (SELECT 1 FROM plans_of_care
                           WHERE patient_id = ?1 AND starts_on = ?2 AND ends_on = ?3)",
    )?
    .execute(args![
        patient_id,
        day_text(starts_on),
        day_text(ends_on),
        who.user,
        who.at
    ])?;
    Ok(())
}

fn plan_audit(
    tx: &Conn,
    who: &Who,
    action: &str,
    plan_id: i64,
    detail: serde_json::Value,
) -> SqlResult<()> {
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action,
            entity: "plan_of_care",
            entity_id: Some(plan_id),
            detail,
        },
    )
}

fn terms_detail(patient_id: i64, t: &PlanTerms) -> serde_json::Value {
    json!({
        "patient_id": patient_id,
        "starts_on": day_text(t.starts_on),
        "ends_on": day_text(t.ends_on),
        "visits_per_week": t.visits_per_week,
        "weeks": t.weeks,
    })
}

fn input(why: String) -> TxError {
    TxError::App(AppError::input(why))
}

impl Db {
    /// The patient's plans of care, oldest first: the certification history.
    pub fn plans_of_care(&self, patient_id: i64) -> AppResult<Vec<PlanOfCare>> {
        of_patient(&self.sql(), patient_id).map_err(|e| self.fail(e))
    }

    /// Records the patient's plan of care starting on the initial treatment (a therapist's
    /// duty). Refused when a plan already covers its start: a new period is a recertification.
    pub fn add_plan_of_care(
        &mut self,
        patient_id: i64,
        request: &PlanRequest,
        physician: Option<&str>,
        who: Who,
    ) -> AppResult<PlanOfCare> {
        let terms = request.check().map_err(AppError::input)?;
        let physician = physician.map(str::trim).filter(|p| !p.is_empty());
        let id = self.write_as(&who, Duty::PlanOfCare, |tx, _| {
            if let Some(p) = of_patient(tx, patient_id)?
                .into_iter()
                .find(|p| p.covers(terms.starts_on))
            {
                return Err(input(format!(
                    "plan {} already covers {} ({} to {}): a new period is a recertification (plan recertify)",
                    p.id, terms.starts_on, p.starts_on, p.ends_on
                )));
            }
            let id = insert(tx, patient_id, &terms, physician, None, &who)?;
            plan_audit(tx, &who, "plan.add", id, terms_detail(patient_id, &terms))?;
            Ok(id)
        })?;
        self.plan_with_id(id)
    }

    /// Adds a recertification of the patient's latest plan: a new plan, from the day after the
    /// latest one ends unless `request` says otherwise. The old plan is left as it was.
    pub fn recertify_plan_of_care(
        &mut self,
        patient_id: i64,
        start: Option<NaiveDate>,
        visits_per_week: i64,
        weeks: i64,
        end: Option<NaiveDate>,
        who: Who,
    ) -> AppResult<PlanOfCare> {
        let id = self.write_as(&who, Duty::PlanOfCare, |tx, _| {
            let Some(latest) = of_patient(tx, patient_id)?.pop() else {
                return Err(input(
                    "the patient has no plan of care to recertify: record one with plan add".into(),
                ));
            };
            let starts_on = start.unwrap_or(latest.ends_on + chrono::Duration::days(1));
            if starts_on <= latest.starts_on {
                return Err(input(format!(
                    "a recertification starts after the plan it recertifies (plan {}, from {})",
                    latest.id, latest.starts_on
                )));
            }
            let terms = PlanRequest {
                starts_on,
                ends_on: end,
                visits_per_week,
                weeks,
            }
            .check()
            .map_err(input)?;
            let id = insert(tx, patient_id, &terms, None, Some(latest.id), &who)?;
            let mut detail = terms_detail(patient_id, &terms);
            detail["recertifies"] = json!(latest.id);
            plan_audit(tx, &who, "plan.recertify", id, detail)?;
            Ok(id)
        })?;
        self.plan_with_id(id)
    }

    /// Records the physician's signature on a plan (the patient's latest when `plan_id` is
    /// None), checked against the plan's version as it was read: a plan signed meanwhile at
    /// another terminal is not signed over.
    pub fn certify_plan_of_care(
        &mut self,
        patient_id: i64,
        plan_id: Option<i64>,
        physician: &str,
        on: NaiveDate,
        reason: Option<&str>,
        who: Who,
    ) -> AppResult<PlanOfCare> {
        let today = who.today()?;
        let plans = self.plans_of_care(patient_id)?;
        let plan = match plan_id {
            Some(id) => plans.iter().find(|p| p.id == id).ok_or_else(|| {
                AppError::not_found(format!("the patient has no plan of care {id}"))
            })?,
            None => plans.last().ok_or_else(|| {
                AppError::input(
                    "the patient has no plan of care to certify: record one with plan add",
                )
            })?,
        };
        if let Some(on) = plan.certified_on {
            return Err(AppError::input(format!(
                "plan {} was certified on {on}: a new certification period is a recertification (plan recertify)",
                plan.id
            )));
        }
        let c =
            Certification::check(plan, physician, on, reason, today).map_err(AppError::input)?;
        let (id, version) = (plan.id, plan.version);
        self.write_as(&who, Duty::PlanOfCare, |tx, _| {
            let changed = tx.execute(
                "UPDATE plans_of_care SET physician = ?3, certified_on = ?4, delay_reason = ?5,
                     version = version + 1
                 WHERE id = ?1 AND version = ?2",
                args![id, version, c.physician, day_text(c.certified_on), c.delay_reason],
            )?;
            if changed == 0 {
                return Err(TxError::App(AppError::input(format!(
                    "plan {id} was changed at another terminal meanwhile; nothing was signed: look at it again (plan list)"
                ))));
            }
            plan_audit(
                tx,
                &who,
                "plan.certify",
                id,
                json!({
                    "patient_id": patient_id,
                    "certified_on": day_text(c.certified_on),
                    "delayed": c.delay_reason.is_some(),
                }),
            )?;
            Ok(())
        })?;
        self.plan_with_id(id)
    }

    fn plan_with_id(&self, id: i64) -> AppResult<PlanOfCare> {
        self.sql()
            .query_row(
                &format!("SELECT {PLAN_COLUMNS} FROM plans_of_care WHERE id = ?1"),
                args![id],
                row_to_plan,
            )
            .optional()
            .map_err(|e| self.fail(e))?
            .ok_or_else(|| AppError::not_found(format!("no plan of care {id}")))
    }
}

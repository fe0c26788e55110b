//! Goals of plans of care as stored, setting and assessing them (each with its audit row),
//! and their review on a day against the measurements of the plan's episode. The rules are in
//! `domain::goals`.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day_column};
use super::{Db, TxError, Who};
use crate::domain::goals::{
    self, Assessed, Goal, MeasureTarget, NewGoal, PlanGoals, Term, episode_window,
};
use crate::domain::plan_of_care::PlanOfCare;
use crate::domain::progress::{MeasurePoint, trends};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

const GOAL_COLUMNS: &str = "g.id, g.plan_id, g.term, g.description, g.measure_code, g.detail,
    g.target, g.target_on, g.assessed, g.assessed_on, g.version";

fn row_to_goal(r: &Row) -> SqlResult<Goal> {
    let term: String = r.get(2)?;
    let code: Option<String> = r.get(4)?;
    let target: Option<f64> = r.get(6)?;
    let assessed: Option<String> = r.get(8)?;
    let assessed_on: Option<String> = r.get(9)?;
    Ok(Goal {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        term: Term::parse(&term).unwrap_or(Term::Long),
        description: r.get(3)?,
        target: match (code, target) {
            (Some(code), Some(value)) => Some(MeasureTarget {
                code,
                detail: r.get(5)?,
                value,
            }),
            _ => None,
        },
        target_on: parse_day_column(7, &r.get::<String>(7)?)?,
        assessed: assessed.as_deref().and_then(Assessed::parse),
        assessed_on: assessed_on.map(|d| parse_day_column(9, &d)).transpose()?,
        version: r.get(10)?,
    })
}

/// A patient's goals, every plan's: short-term first, each term by date.
fn goals_of_patient(conn: &Conn, patient_id: i64) -> SqlResult<Vec<Goal>> {
    conn.prepare_cached(&format!(
        "SELECT {GOAL_COLUMNS} FROM goals g JOIN plans_of_care p ON p.id = g.plan_id
         WHERE p.patient_id = ?1
         ORDER BY g.plan_id, g.term = 'long', g.target_on, g.id"
    ))?
    .query_map(args![patient_id], row_to_goal)?
    .collect()
}

fn goal_by_id(conn: &Conn, id: i64) -> SqlResult<Option<Goal>> {
    conn.query_row(
        &format!("SELECT {GOAL_COLUMNS} FROM goals g WHERE g.id = ?1"),
        args![id],
        row_to_goal,
    )
    .optional()
}

/// Which plans' goals to review.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Plans {
    /// Every plan, oldest first.
    All,
    /// The plan covering the day, else the latest.
    Current,
    One(i64),
}

/// The goals of a patient's plans reviewed on `as_of`: each measured goal against the
/// measurements of its plan's episode up to that day.
pub(crate) fn reviewed(
    conn: &Conn,
    patient_id: i64,
    as_of: NaiveDate,
    which: Plans,
) -> SqlResult<Vec<PlanGoals>> {
    let plans = super::plans::of_patient(conn, patient_id)?;
    let chosen: Vec<&PlanOfCare> = match which {
        Plans::All => plans.iter().collect(),
        Plans::Current => goals::plan_for(&plans, as_of).into_iter().collect(),
        Plans::One(id) => plans.iter().filter(|p| p.id == id).collect(),
    };
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let all_goals = goals_of_patient(conn, patient_id)?;
    let points = super::measure_reads::points_of(conn, patient_id)?;
    let defs = super::measure_reads::clinic_measures(conn)?;
    Ok(chosen
        .into_iter()
        .map(|plan| {
            let (from, until) = episode_window(&plans, plan);
            let last = until.map_or(as_of, |u| u.min(as_of));
            let episode: Vec<(String, MeasurePoint)> = points
                .iter()
                .filter(|(_, p)| p.date >= from && p.date <= last)
                .cloned()
                .collect();
            let series = trends(episode, &defs);
            PlanGoals {
                plan: plan.clone(),
                goals: all_goals
                    .iter()
                    .filter(|g| g.plan_id == plan.id)
                    .map(|g| crate::domain::goal_review::review(g, &series, &defs, as_of))
                    .collect(),
            }
        })
        .collect())
}

/// The sentence for a patient without a plan of care, for a goal or a discharge.
pub(crate) fn no_plan() -> AppError {
    AppError::input(
        "this patient has no plan of care: a therapist writes one first (ptclinic plan add)",
    )
}

impl Db {
    /// Every plan of care of the patient, oldest first, with its goals reviewed on `as_of`.
    pub fn goals(&self, patient_id: i64, as_of: NaiveDate) -> AppResult<Vec<PlanGoals>> {
        reviewed(&self.sql(), patient_id, as_of, Plans::All).map_err(|e| self.fail(e))
    }

    /// Adds a checked goal to the patient's plan `plan_id`, else to the plan covering today,
    /// else the latest; with its audit row. Returns the goal's id and its plan.
    pub fn add_goal(
        &mut self,
        patient_id: i64,
        plan_id: Option<i64>,
        goal: &NewGoal,
        who: Who,
    ) -> AppResult<(i64, PlanOfCare)> {
        let today = who.today()?;
        self.write_as(&who, Duty::Goals, |tx, _| {
            let plans = super::plans::of_patient(tx, patient_id)?;
            let plan = match plan_id {
                Some(id) => plans.iter().find(|p| p.id == id).ok_or_else(|| {
                    AppError::input(format!(
                        "plan {id} is not one of this patient's plans of care"
                    ))
                })?,
                None => goals::plan_for(&plans, today).ok_or_else(no_plan)?,
            };
            if goal.target_on < plan.starts_on {
                return Err(TxError::App(AppError::input(format!(
                    "--by {} is before the plan of care starts ({})",
                    goal.target_on, plan.starts_on
                ))));
            }
            let target = goal.target.as_ref();
            let id = tx.insert(
                "INSERT INTO goals (plan_id, term, description, measure_code, detail, target,
                    target_on, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                args![
                    plan.id,
                    goal.term.as_str(),
                    goal.description,
                    target.map(|t| t.code.as_str()),
                    target.and_then(|t| t.detail.as_deref()),
                    target.map(|t| t.value),
                    day_text(goal.target_on),
                    who.user,
                    who.at
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "goal.add",
                    entity: "goal",
                    entity_id: Some(id),
                    detail: json!({
                        "patient_id": patient_id,
                        "plan_id": plan.id,
                        "term": goal.term.as_str(),
                        "measure": target.map(|t| t.code.as_str()),
                        "target_on": day_text(goal.target_on),
                    }),
                },
            )?;
            Ok((id, plan.clone()))
        })
    }

    /// Sets a worded goal's status as the therapist assessed it today, with its audit row. A
    /// measured goal's status is worked out from its measure and refused here.
    pub fn assess_goal(&mut self, goal_id: i64, status: Assessed, who: Who) -> AppResult<Goal> {
        let today = who.today()?;
        self.write_as(&who, Duty::Goals, |tx, _| {
            let goal = goal_by_id(tx, goal_id)?.ok_or_else(|| {
                AppError::not_found(format!("there is no goal {goal_id}"))
            })?;
            if let Some(t) = &goal.target {
                return Err(TxError::App(AppError::input(format!(
                    "goal {goal_id} is measured by {}: its status is worked out from the measurements (ptclinic record), not set by hand",
                    t.code
                ))));
            }
            tx.execute(
                "UPDATE goals SET assessed = ?2, assessed_on = ?3, version = version + 1
                 WHERE id = ?1",
                args![goal_id, status.as_str(), day_text(today)],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "goal.assess",
                    entity: "goal",
                    entity_id: Some(goal_id),
                    detail: json!({
                        "plan_id": goal.plan_id,
                        "status": status.as_str(),
                        "was": goal.assessed.map(Assessed::as_str),
                    }),
                },
            )?;
            Ok(Goal {
                assessed: Some(status),
                assessed_on: Some(today),
                version: goal.version + 1,
                ..goal
            })
        })
    }
}

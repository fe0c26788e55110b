//! `ptclinic goal`: the goals of a patient's plan of care. Adding and assessing are clinical
//! writes (a therapist or an assistant), each audited; a measured goal's status is worked out
//! from its measure, so only a worded goal is assessed by hand.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::cli::{GoalCommand, GoalStatusArg, GoalTermArg};
use crate::config::{self, Settings};
use crate::db::Who;
use crate::domain::goals::{self, Assessed, GoalInput, GoalReview, PlanGoals, Term};
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;
use crate::text::number;

/// A goal in JSON, the same in `goal list`, the progress report and the discharge summary:
/// `{id, term, description, measure, detail, target, target_on, status, latest, latest_on,
/// assessed_on}`.
pub(super) fn goal_json(g: &GoalReview) -> Value {
    let t = g.goal.target.as_ref();
    json!({
        "id": g.goal.id,
        "plan_id": g.goal.plan_id,
        "term": g.goal.term.as_str(),
        "description": clean_line(&g.words()),
        "measure": t.map(|t| t.code.clone()),
        "detail": t.and_then(|t| t.detail.as_deref()).map(clean_line),
        "target": t.map(|t| t.value),
        "target_on": g.goal.target_on.format("%Y-%m-%d").to_string(),
        "status": g.status.as_str(),
        "latest": g.latest.map(|(_, v)| v),
        "latest_on": g.latest.map(|(d, _)| d.format("%Y-%m-%d").to_string()),
        "assessed_on": g.goal.assessed_on.map(|d| d.format("%Y-%m-%d").to_string()),
    })
}

/// "progressing (latest 4 on 2026-11-20)", "no measure yet", "met (assessed 2026-11-27)".
pub(super) fn status_words(g: &GoalReview) -> String {
    match (g.latest, g.goal.assessed_on) {
        (Some((d, v)), _) => format!(
            "{} (latest {} on {})",
            g.status.label(),
            number(v),
            d.format("%Y-%m-%d")
        ),
        (None, Some(d)) if !g.is_measured() => {
            format!("{} (assessed {})", g.status.label(), d.format("%Y-%m-%d"))
        }
        _ => g.status.label().to_string(),
    }
}

/// "short-term", "long-term".
pub(super) fn term_words(term: Term) -> &'static str {
    match term {
        Term::Short => "short-term",
        Term::Long => "long-term",
    }
}

/// "2026-10-26 to 2027-01-23 (2x/week for 6 weeks)".
pub(super) fn plan_words(p: &PlanGoals) -> String {
    format!(
        "{} to {} ({})",
        p.plan.starts_on.format("%Y-%m-%d"),
        p.plan.ends_on.format("%Y-%m-%d"),
        p.plan.frequency()
    )
}

pub fn run(settings: &Settings, cmd: GoalCommand) -> AppResult<()> {
    match cmd {
        GoalCommand::Add {
            patient,
            term,
            text,
            by,
            measure,
            target,
            detail,
            plan,
        } => {
            let term = match term {
                GoalTermArg::Short => Term::Short,
                GoalTermArg::Long => Term::Long,
            };
            let by = by
                .as_deref()
                .map(|d| config::parse_typed_day(d, "--by", settings.clock.today()))
                .transpose()?;
            let mut db = super::open_clinic(settings)?;
            let defs = db.measures()?;
            let new = goals::check_new(
                term,
                GoalInput {
                    text: text.as_deref(),
                    measure: measure.as_deref(),
                    target: target.as_deref(),
                    detail: detail.as_deref(),
                    by,
                },
                &defs,
            )
            .map_err(AppError::input)?;
            let patient = super::patient_with_mrn(&db, &patient)?;
            let at = crate::clock::stamp(settings.clock.now());
            let (id, plan) = db.add_goal(
                patient.id,
                plan,
                &new,
                Who {
                    user: &settings.user,
                    at: &at,
                },
            )?;
            let today = settings.clock.today();
            // Stored by now: a failure to read the status back is said, not a failed exit.
            let status = db
                .goals(patient.id, today)
                .ok()
                .and_then(|plans| {
                    plans
                        .into_iter()
                        .flat_map(|p| p.goals)
                        .find(|g| g.goal.id == id)
                })
                .map(|g| format!("; today: {}", status_words(&g)))
                .unwrap_or_default();
            super::emit_after_change(&format!(
                "Added goal {id} ({}, by {}) to the plan of care from {} for MRN {}{status}\n",
                term_words(term),
                new.target_on,
                plan.starts_on,
                clean_line(&patient.mrn)
            ));
        }
        GoalCommand::List { patient, json } => {
            let mut db = super::open_clinic(settings)?;
            let patient = super::patient_with_mrn(&db, &patient)?;
            let today = settings.clock.today();
            let plans = db.goals(patient.id, today)?;
            let current = goals::plan_for(
                &plans.iter().map(|p| p.plan.clone()).collect::<Vec<_>>(),
                today,
            )
            .map(|p| p.id);
            let text = if json {
                let rows: Vec<Value> = plans
                    .iter()
                    .flat_map(|p| {
                        p.goals.iter().map(move |g| {
                            let mut v = goal_json(g);
                            v["plan_id"] = json!(p.plan.id);
                            v["current_plan"] = json!(Some(p.plan.id) == current);
                            v
                        })
                    })
                    .collect();
                format!("{:#}\n", Value::Array(rows))
            } else {
                list_text(&plans, current, &patient.mrn)
            };
            let at = crate::clock::stamp(settings.clock.now());
            super::disclose(None, &text, || {
                db.log_opened(
                    patient.id,
                    "goal.list",
                    json!({ "json": json }),
                    Who {
                        user: &settings.user,
                        at: &at,
                    },
                )
            })?;
        }
        GoalCommand::Assess { id, status } => {
            let status = match status {
                GoalStatusArg::Met => Assessed::Met,
                GoalStatusArg::Progressing => Assessed::Progressing,
                GoalStatusArg::NotMet => Assessed::NotMet,
            };
            let mut db = super::open_clinic(settings)?;
            let at = crate::clock::stamp(settings.clock.now());
            let goal = db.assess_goal(
                id,
                status,
                Who {
                    user: &settings.user,
                    at: &at,
                },
            )?;
            super::emit_after_change(&format!(
                "Goal {id} ({}): {} as of {}\n",
                term_words(goal.term),
                status.label(),
                goal.assessed_on
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            ));
        }
    }
    Ok(())
}

fn list_text(plans: &[PlanGoals], current: Option<i64>, mrn: &str) -> String {
    if plans.is_empty() {
        return format!("MRN {} has no plan of care on file.\n", clean_line(mrn));
    }
    let mut s = String::new();
    for p in plans {
        let _ = writeln!(
            s,
            "Plan of care {}: {}{}",
            p.plan.id,
            plan_words(p),
            if Some(p.plan.id) == current {
                ", current"
            } else {
                ""
            }
        );
        if p.goals.is_empty() {
            s.push_str("  no goals yet\n");
        }
        for g in &p.goals {
            let _ = writeln!(
                s,
                "  #{:<4} {:<10} by {}  {}\n        {}",
                g.goal.id,
                term_words(g.goal.term),
                g.goal.target_on.format("%Y-%m-%d"),
                clean_line(&goal_line(g)),
                status_words(g)
            );
        }
    }
    s
}

/// The goal's words with its measured target when they differ: "Walks pain-free (NPRS ≤ 2)".
pub(super) fn goal_line(g: &GoalReview) -> String {
    let words = g.words();
    match g.target_text() {
        Some(t) if t != words => format!("{words} ({t})"),
        _ => words,
    }
}

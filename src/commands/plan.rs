//! `ptclinic plan`: a patient's plans of care. Each certification is its own plan: `add`
//! records the plan from the initial treatment, `recertify` adds the next one (the old stays as
//! it was), `certify` records the physician's signature, `list` shows the history.

use serde_json::{Value, json};

use crate::cli::PlanCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::plan_of_care::{PlanOfCare, PlanRequest};
use crate::error::AppResult;
use crate::sanitize::clean_line;

fn day(d: Option<chrono::NaiveDate>) -> Value {
    d.map(|d| Value::String(d.to_string()))
        .unwrap_or(Value::Null)
}

/// A plan as `plan list --json` and the progress report's JSON show it.
pub fn as_json(p: &PlanOfCare) -> Value {
    json!({
        "id": p.id,
        "starts_on": p.starts_on.to_string(),
        "ends_on": p.ends_on.to_string(),
        "visits_per_week": p.visits_per_week,
        "weeks": p.weeks,
        "frequency": p.frequency(),
        "physician": p.physician.as_deref().map(clean_line),
        "certified_on": day(p.certified_on),
        "certification_due": p.certification_due().to_string(),
        "delay_reason": p.delay_reason.as_deref().map(clean_line),
        "recertifies": p.recertifies,
    })
}

/// "signed 2026-10-03 by Dr. Ada Park", or "not certified (due by 2026-10-31)".
pub fn certification_text(p: &PlanOfCare) -> String {
    match p.certified_on {
        Some(on) => format!(
            "signed {on}{}{}",
            p.physician
                .as_deref()
                .map(|n| format!(" by {}", clean_line(n)))
                .unwrap_or_default(),
            p.delay_reason
                .as_deref()
                .map(|r| format!(" (delayed: {})", clean_line(r)))
                .unwrap_or_default()
        ),
        None => format!("not certified (timely until {})", p.certification_due()),
    }
}

fn line(p: &PlanOfCare) -> String {
    format!(
        "{:>4}  {} to {}  {:<22} {}{}\n",
        p.id,
        p.starts_on,
        p.ends_on,
        p.frequency(),
        certification_text(p),
        p.recertifies
            .map(|r| format!("; recertifies {r}"))
            .unwrap_or_default()
    )
}

fn optional_day(
    settings: &Settings,
    text: Option<&str>,
    what: &str,
) -> AppResult<Option<chrono::NaiveDate>> {
    text.map(|t| parse_day(settings, t, what)).transpose()
}

pub fn run(settings: &Settings, cmd: PlanCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = || Who {
        user: &settings.user,
        at: &at,
    };
    match cmd {
        PlanCommand::Add {
            patient,
            start,
            per_week,
            weeks,
            end,
            physician,
        } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let request = PlanRequest {
                starts_on: parse_day(settings, &start, "--start")?,
                ends_on: optional_day(settings, end.as_deref(), "--end")?,
                visits_per_week: per_week,
                weeks,
            };
            let plan = db.add_plan_of_care(p.id, &request, physician.as_deref(), who())?;
            super::emit_after_change(&format!(
                "Plan of care {} for MRN {}: {} to {}, {}; {}.\n",
                plan.id,
                clean_line(&p.mrn),
                plan.starts_on,
                plan.ends_on,
                plan.frequency(),
                certification_text(&plan)
            ));
        }
        PlanCommand::Recertify {
            patient,
            per_week,
            weeks,
            start,
            end,
        } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let plan = db.recertify_plan_of_care(
                p.id,
                optional_day(settings, start.as_deref(), "--start")?,
                per_week,
                weeks,
                optional_day(settings, end.as_deref(), "--end")?,
                who(),
            )?;
            super::emit_after_change(&format!(
                "Recertification {} for MRN {}: {} to {}, {}; {}.\n",
                plan.id,
                clean_line(&p.mrn),
                plan.starts_on,
                plan.ends_on,
                plan.frequency(),
                certification_text(&plan)
            ));
        }
        PlanCommand::Certify {
            patient,
            plan,
            physician,
            on,
            reason,
        } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let on = parse_day(settings, &on, "--on")?;
            let plan =
                db.certify_plan_of_care(p.id, plan, &physician, on, reason.as_deref(), who())?;
            super::emit_after_change(&format!(
                "Plan of care {} for MRN {} certified: {}.\n",
                plan.id,
                clean_line(&p.mrn),
                certification_text(&plan)
            ));
        }
        PlanCommand::List { patient, json } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let plans = db.plans_of_care(p.id)?;
            let text = if json {
                format!("{:#}\n", Value::Array(plans.iter().map(as_json).collect()))
            } else if plans.is_empty() {
                format!("MRN {}: no plan of care on file.\n", clean_line(&p.mrn))
            } else {
                plans.iter().map(line).collect()
            };
            super::disclose(None, &text, || {
                db.log_opened(p.id, "plan.list", json!({ "plans": plans.len() }), who())
            })?;
        }
    }
    Ok(())
}

/// A date option in any form people type (`crate::domain::when`), read from the clinic's today.
fn parse_day(settings: &Settings, text: &str, what: &str) -> AppResult<chrono::NaiveDate> {
    crate::config::parse_typed_day(text, what, settings.clock.today())
}

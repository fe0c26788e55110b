//! `ptclinic auth`: a patient's authorisations of visits, several over time; each visit counts
//! against the one whose window holds it.

use serde_json::{Value, json};

use crate::cli::AuthCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::authorization::{AuthorizationRequest, AuthorizationUse};
use crate::error::AppResult;
use crate::sanitize::clean_line;

/// An authorisation as `auth list --json` and the progress report's JSON show it.
pub fn as_json(u: &AuthorizationUse) -> Value {
    let a = &u.authorization;
    json!({
        "id": a.id,
        "payer": clean_line(&a.payer),
        "reference": a.reference.as_deref().map(clean_line),
        "starts_on": a.starts_on.to_string(),
        "ends_on": a.ends_on.to_string(),
        "visits": a.visits,
        "used": u.used,
        "left": u.left(),
        "evaluation_counts": u.evaluation_counts,
    })
}

fn line(u: &AuthorizationUse) -> String {
    let a = &u.authorization;
    format!(
        "{:>4}  {} to {}  {:<24} {} of {} used, {} left{}{}\n",
        a.id,
        a.starts_on,
        a.ends_on,
        clean_line(&a.payer),
        u.used,
        a.visits,
        u.left(),
        a.reference
            .as_deref()
            .map(|r| format!("; ref {}", clean_line(r)))
            .unwrap_or_default(),
        if u.evaluation_counts {
            ""
        } else {
            "; evaluation not counted"
        }
    )
}

pub fn run(settings: &Settings, cmd: AuthCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = || Who {
        user: &settings.user,
        at: &at,
    };
    let today = settings.clock.today();
    match cmd {
        AuthCommand::Add {
            patient,
            payer,
            start,
            end,
            visits,
            reference,
        } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let request = AuthorizationRequest {
                payer,
                reference,
                starts_on: parse_day(settings, &start, "--start")?,
                ends_on: parse_day(settings, &end, "--end")?,
                visits,
            };
            let a = db.add_authorization(p.id, request, who())?;
            super::emit_after_change(&format!(
                "Authorisation {} for MRN {}: {} visits, {} to {}, {}.\n",
                a.id,
                clean_line(&p.mrn),
                a.visits,
                a.starts_on,
                a.ends_on,
                clean_line(&a.payer)
            ));
        }
        AuthCommand::List { patient, json } => {
            let p = super::patient_with_mrn(&db, &patient)?;
            let uses = db.authorization_uses(p.id, today)?;
            let text = if json {
                format!("{:#}\n", Value::Array(uses.iter().map(as_json).collect()))
            } else if uses.is_empty() {
                format!("MRN {}: no authorisation on file.\n", clean_line(&p.mrn))
            } else {
                uses.iter().map(line).collect()
            };
            super::disclose(None, &text, || {
                db.log_opened(
                    p.id,
                    "auth.list",
                    json!({ "authorizations": uses.len() }),
                    who(),
                )
            })?;
        }
    }
    Ok(())
}

/// A date option in any form people type (`crate::domain::when`), read from the clinic's today.
fn parse_day(settings: &Settings, text: &str, what: &str) -> AppResult<chrono::NaiveDate> {
    crate::config::parse_typed_day(text, what, settings.clock.today())
}

//! `ptclinic patients [--search Q] [--json]`: every patient, active first, or those the finder
//! matches (`search::patients`) best first. It names patients, so it is audited as a search
//! ("patients.search", one row): ids and counts, never what was typed.

use serde_json::{Value, json};

use super::unscheduled::{minute, when};
use crate::config::Settings;
use crate::db::Who;
use crate::db::desk_lists::DirectoryEntry;
use crate::error::AppResult;
use crate::sanitize::clean_line;
use crate::search::Matcher;
use crate::search::patients::find;

pub fn run(settings: &Settings, search: Option<&str>, json_out: bool) -> AppResult<()> {
    let today = settings.clock.today();
    let now = settings.clock.now();
    let mut db = super::open_clinic(settings)?;
    let all = db.patient_directory(today, now)?;
    let query = search.map(str::trim).filter(|q| !q.is_empty());
    let shown: Vec<&DirectoryEntry> = match query {
        None => all.iter().collect(),
        Some(q) => {
            let keys = crate::db::desk_lists::search_keys(&all);
            find(&Matcher::default(), &keys, q)
                .into_iter()
                .map(|h| &all[h.index])
                .collect()
        }
    };
    let text = if json_out {
        format!("{:#}\n", to_json(&shown))
    } else {
        text(&shown, query.is_some())
    };
    // The whole list is every id there is: its count says as much.
    let detail = match query {
        None => json!({ "all": true, "patients": shown.len() }),
        Some(_) => json!({
            "all": false,
            "patients": shown.len(),
            "ids": shown.iter().map(|p| p.patient_id).collect::<Vec<_>>(),
        }),
    };
    let at = crate::clock::stamp(now);
    super::disclose(None, &text, || {
        db.log_patient_list(
            "patients.search",
            detail,
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })
}

/// `[{mrn, name, date_of_birth, phone, email, next_visit, last_visit}]`.
pub fn to_json(shown: &[&DirectoryEntry]) -> Value {
    shown
        .iter()
        .map(|p| {
            json!({
                "mrn": clean_line(&p.mrn),
                "name": clean_line(&p.full_name()),
                "date_of_birth": p.date_of_birth.format("%Y-%m-%d").to_string(),
                "phone": p.phone.as_deref().map(clean_line),
                "email": p.email.as_deref().map(clean_line),
                "next_visit": minute(p.next_visit),
                "last_visit": minute(p.last_visit),
            })
        })
        .collect()
}

pub fn text(shown: &[&DirectoryEntry], searched: bool) -> String {
    if shown.is_empty() {
        return if searched {
            "No patient matches.\n".into()
        } else {
            "No patients yet.\n".into()
        };
    }
    let dash = || "—".to_string();
    let cells: Vec<Vec<String>> = shown
        .iter()
        .map(|p| {
            vec![
                clean_line(&p.full_name()) + if p.active { "" } else { " (inactive)" },
                clean_line(&p.mrn),
                p.date_of_birth.format("%Y-%m-%d").to_string(),
                p.phone.as_deref().map(clean_line).unwrap_or_else(dash),
                p.email.as_deref().map(clean_line).unwrap_or_else(dash),
                when(p.last_visit),
                when(p.next_visit),
            ]
        })
        .collect();
    crate::text::table(
        &[
            "Patient",
            "MRN",
            "Born",
            "Phone",
            "Email",
            "Last visit",
            "Next visit",
        ],
        &cells,
    )
}

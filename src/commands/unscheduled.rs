//! `ptclinic report unscheduled [--json]`: the patients falling through the cracks (the rules
//! are `domain::unscheduled`), each with what the desk needs to call them. It names patients,
//! so showing it writes one audit row ("report.unscheduled") with their ids.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::Who;
use crate::db::desk_lists::UnscheduledPatient;
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, json_out: bool) -> AppResult<()> {
    let today = settings.clock.today();
    let now = settings.clock.now();
    let mut db = super::open_clinic(settings)?;
    let rows = db.unscheduled_patients(today, now)?;
    let text = if json_out {
        format!("{:#}\n", to_json(&rows))
    } else {
        text(&rows, today)
    };
    let mut ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
    ids.dedup();
    let at = crate::clock::stamp(now);
    super::disclose(None, &text, || {
        db.log_patient_list(
            "report.unscheduled",
            json!({
                "as_of": today.to_string(),
                "rows": rows.len(),
                "patients": ids,
                "format": if json_out { "json" } else { "text" },
            }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })
}

pub(super) fn minute(t: Option<NaiveDateTime>) -> Value {
    t.map(|t| Value::String(t.format("%Y-%m-%dT%H:%M").to_string()))
        .unwrap_or(Value::Null)
}

/// `[{mrn, name, phone, reason, last_visit, next_visit, visits_left}]`.
pub fn to_json(rows: &[UnscheduledPatient]) -> Value {
    rows.iter()
        .map(|r| {
            json!({
                "mrn": clean_line(&r.mrn),
                "name": clean_line(&r.name),
                "phone": r.phone.as_deref().map(clean_line),
                "reason": r.reason.as_str(),
                "last_visit": minute(r.last_visit),
                "next_visit": minute(r.next_visit),
                "visits_left": r.visits_left,
            })
        })
        .collect()
}

pub(super) fn when(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "—".into())
}

pub fn text(rows: &[UnscheduledPatient], today: chrono::NaiveDate) -> String {
    let mut s = format!(
        "Patients falling through the cracks, {}: {} to call\n",
        today.format("%A %-d %B %Y"),
        rows.len()
    );
    if rows.is_empty() {
        s.push_str("\nEvery patient in a plan of care is booked.\n");
        return s;
    }
    s.push('\n');
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                clean_line(&r.name),
                clean_line(&r.mrn),
                r.phone
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| "—".into()),
                r.reason.label().to_string(),
                when(r.last_visit),
                when(r.next_visit),
                r.visits_left
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "no authorisation".into()),
            ]
        })
        .collect();
    s.push_str(&crate::text::table(
        &[
            "Patient",
            "MRN",
            "Phone",
            "Why",
            "Last visit",
            "Next visit",
            "Visits left",
        ],
        &cells,
    ));
    s
}

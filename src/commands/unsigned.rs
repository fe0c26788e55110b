//! `ptclinic report unsigned [--date D] [--json]`: the attended visits (checked in or
//! completed) up to and including a day whose documentation is not finished: no note, a note
//! not signed, or an assistant's note awaiting a therapist's co-signature. It names patients,
//! so it is audited ("report.unsigned", one row per visit shown).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::Who;
use crate::db::note_signing::UnsignedVisit;
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, date: Option<&str>, json_out: bool) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    let mut db = super::open_clinic(settings)?;
    let visits = db.unsigned_visits(day)?;
    let text = if json_out {
        format!("{:#}\n", to_json(&visits))
    } else {
        text(&visits, day)
    };
    let ids: Vec<i64> = visits.iter().map(|v| v.visit.id).collect();
    let at = crate::clock::stamp(settings.clock.now());
    super::disclose(None, &text, || {
        if ids.is_empty() {
            return Ok(());
        }
        db.log_visits_report(
            "report.unsigned",
            &ids,
            &json!({
                "up_to": day.to_string(),
                "visits": ids.len(),
                "format": if json_out { "json" } else { "text" },
            }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })
}

/// `[{appointment, date, patient, mrn, therapist, missing}]`, `missing` one of `no_note`,
/// `unsigned`, `awaiting_cosign`.
pub fn to_json(visits: &[UnsignedVisit]) -> Value {
    visits
        .iter()
        .map(|u| {
            json!({
                "appointment": u.visit.id,
                "date": u.visit.start.format("%Y-%m-%d").to_string(),
                "patient": clean_line(&u.visit.patient_name),
                "mrn": clean_line(&u.visit.mrn),
                "therapist": clean_line(&u.visit.therapist_name),
                "missing": u.missing.as_str(),
            })
        })
        .collect()
}

pub fn text(visits: &[UnsignedVisit], day: chrono::NaiveDate) -> String {
    let mut s = format!(
        "Unsigned notes, attended visits up to {}: {} to finish\n",
        day.format("%A %-d %B %Y"),
        visits.len()
    );
    if visits.is_empty() {
        s.push_str("\nEvery attended visit has a signed note.\n");
        return s;
    }
    s.push('\n');
    for u in visits {
        let _ = writeln!(
            s,
            "Visit {}  {}  {}  MRN {}  {}  {}",
            u.visit.id,
            u.visit.start.format("%Y-%m-%d %H:%M"),
            clean_line(&u.visit.patient_name),
            clean_line(&u.visit.mrn),
            clean_line(&u.visit.therapist_name),
            u.missing.label()
        );
    }
    s
}

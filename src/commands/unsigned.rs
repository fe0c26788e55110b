//! `ptclinic report unsigned [--date D] [--json]`: the attended visits (checked in or
//! completed) up to and including a day whose documentation is not finished: no note, a note
//! not signed, or an assistant's note awaiting a therapist's co-signature. It names patients,
//! so it is audited ("report.unsigned", one row per visit shown).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::Who;
use crate::db::note_signing::UnsignedVisit;
use crate::domain::sites::{SiteView, Sites};
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, date: Option<&str>, json_out: bool) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    let mut db = super::open_clinic(settings)?;
    let (sites, view) = super::site_view(&db, settings)?;
    let visits: Vec<UnsignedVisit> = db
        .unsigned_visits(day)?
        .into_iter()
        .filter(|u| view.shows(u.visit.site_id))
        .collect();
    let text = if json_out {
        format!("{:#}\n", to_json(&visits, &sites))
    } else {
        let at = sites.heading(view);
        text(&visits, day, at.as_deref())
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

/// `[{appointment, date, site, patient, mrn, therapist, missing}]`, `missing` one of
/// `no_note`, `unsigned`, `awaiting_cosign`.
pub fn to_json(visits: &[UnsignedVisit], sites: &Sites) -> Value {
    visits
        .iter()
        .map(|u| {
            json!({
                "appointment": u.visit.id,
                "date": u.visit.start.format("%Y-%m-%d").to_string(),
                "site": clean_line(&sites.label(SiteView::One(u.visit.site_id))),
                "patient": clean_line(&u.visit.patient_name),
                "mrn": clean_line(&u.visit.mrn),
                "therapist": clean_line(&u.visit.therapist_name),
                "missing": u.missing.as_str(),
            })
        })
        .collect()
}

/// `at` names the site (or "all sites") in a clinic group.
pub fn text(visits: &[UnsignedVisit], day: chrono::NaiveDate, at: Option<&str>) -> String {
    let mut s = format!(
        "Unsigned notes, attended visits up to {}{}: {} to finish\n",
        day.format("%A %-d %B %Y"),
        at.map(|a| format!(" at {}", clean_line(a)))
            .unwrap_or_default(),
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

use chrono::NaiveDate;
use serde_json::json;

use crate::config::Settings;
use crate::domain::age_on;
use crate::domain::appointment::Visit;
use crate::domain::messages::Confirmation;
use crate::domain::sites::{SiteView, Sites};
use crate::error::AppResult;
use crate::sanitize::clean_line;
use crate::text::fit;

pub fn run(
    settings: &Settings,
    date: Option<&str>,
    therapist: Option<&str>,
    json: bool,
) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    let db = super::open_clinic(settings)?;
    let only = therapist.map(|t| db.find_staff(t)).transpose()?;
    let (sites, view) = super::site_view(&db, settings)?;
    let visits: Vec<Visit> = db
        .day(day)?
        .into_iter()
        .filter(|v| only.as_ref().is_none_or(|s| s.id == v.therapist_id))
        .filter(|v| view.shows(v.site_id))
        .collect();
    if json {
        let series = db.day_series(day)?;
        super::emit(&format!("{}\n", to_json(&visits, day, &series, &sites)))?;
    } else {
        let at = sites.heading(view);
        super::emit(&day_sheet(&visits, day, at.as_deref()))?;
    }
    Ok(())
}

/// `series` names the series of each visit booked as one (see `Db::day_series`).
pub fn to_json(
    visits: &[Visit],
    day: NaiveDate,
    series: &std::collections::HashMap<i64, i64>,
    sites: &Sites,
) -> serde_json::Value {
    visits
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "start": v.start.format("%Y-%m-%dT%H:%M").to_string(),
                "minutes": v.minutes,
                "patient": clean_line(&v.patient_name),
                "mrn": clean_line(&v.mrn),
                "age": age_on(v.date_of_birth, day),
                "therapist": clean_line(&v.therapist_name),
                "therapist_initials": clean_line(&v.therapist_initials),
                "kind": v.kind.as_str(),
                "status": v.status.as_str(),
                "status_changed_at": v.status_changed_at,
                "checked_in_at": v.checked_in_at,
                "cancel_reason": v.cancel_reason.map(|r| r.as_str()),
                "room": v.room.as_deref().map(clean_line),
                "site": clean_line(&sites.label(SiteView::One(v.site_id))),
                "series_id": series.get(&v.id),
                "reminder": v.reminder.as_str(),
                "confirmed": Confirmation::as_json(v.answer),
                "flags": v.flags,
            })
        })
        .collect()
}

/// A plain day sheet for the printer (and for downtime); `at` names the site (or "all sites")
/// in a clinic group.
pub fn day_sheet(visits: &[Visit], day: NaiveDate, at: Option<&str>) -> String {
    // The same counts, in the same words, as the app's header.
    let c = crate::domain::appointment::DayCounts::of(visits);
    let mut out = format!(
        "{}{}: {} visits (booked {}, arrived {}, no-show {}, cancelled {})\n\n",
        day.format("%A %-d %B %Y"),
        at.map(|a| format!(", {}", clean_line(a)))
            .unwrap_or_default(),
        visits.len(),
        c.booked,
        c.arrived,
        c.no_show,
        c.cancelled,
    );
    out.push_str(&format!(
        "{}  {}  {}  {}  {}  {}  {}\n",
        fit("Time", 11),
        fit("Patient", 26),
        fit("Age", 3),
        fit("MRN", 8),
        fit("Therapist", 20),
        fit("Kind", 10),
        "Status"
    ));
    for v in visits {
        out.push_str(&format!(
            "{}  {}  {:>3}  {}  {}  {}  {}\n",
            fit(
                &format!("{}-{}", v.start.format("%H:%M"), v.end().format("%H:%M")),
                11
            ),
            fit(&clean_line(&v.patient_name), 26),
            age_on(v.date_of_birth, day),
            fit(&clean_line(&v.mrn), 8),
            fit(&clean_line(&v.therapist_name), 20),
            fit(v.kind.label(), 10),
            v.status.label()
        ));
    }
    if visits.is_empty() {
        out.push_str("No visits booked.\n");
    }
    out
}

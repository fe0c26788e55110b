//! `ptclinic check-out`: a checked-in patient's visit completed, as `o` does in the app (for
//! kiosks and scripts). The same rule as there and as a signed note: only a checked-in visit
//! is completed.

use super::check_in::pick_visit;
use crate::config::Settings;
use crate::db::Who;
use crate::db::schedule::StatusChange;
use crate::domain::AppointmentStatus;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

pub fn run(
    settings: &Settings,
    appointment: Option<i64>,
    patient: Option<&str>,
    date: Option<&str>,
) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    if day > settings.clock.today() {
        return Err(AppError::input(format!(
            "a visit of a later day has not been attended yet, and --date {day} is a later day"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    // The patient's checked-in visit, else their first (whose refusal then says why).
    let id = pick_visit(&db, day, appointment, patient, |s| {
        s == AppointmentStatus::CheckedIn
    })?;
    let at = crate::clock::stamp(settings.clock.now());
    let change = db.set_status(
        id,
        None,
        AppointmentStatus::Completed,
        None,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let (verb, v) = match &change {
        StatusChange::Changed { visit, .. } => ("Checked out", visit),
        StatusChange::Unchanged { visit } => ("Already completed", visit),
    };
    super::emit_after_change(&format!(
        "{verb}: {} {} (MRN {}) with {}, appointment {}{}\n",
        v.start.format("%Y-%m-%d %H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.mrn),
        clean_line(&v.therapist_name),
        v.id,
        v.checked_in_at
            .as_deref()
            .and_then(|t| t.get(11..16))
            .map(|t| format!(", arrived {t}"))
            .unwrap_or_default()
    ));
    Ok(())
}

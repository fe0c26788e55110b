//! `ptclinic check-out`: a checked-in patient's visit completed, as `o` does in the app (for
//! kiosks and scripts). The same rule as there and as a signed note: only a checked-in visit
//! is completed.

use super::check_in::pick_visit;
use crate::config::Settings;
use crate::domain::AppointmentStatus;
use crate::error::{AppError, AppResult};

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
    super::check_in::set_and_say(
        &mut db,
        settings,
        id,
        AppointmentStatus::Completed,
        ("Checked out", "Already completed"),
    )
}

//! `ptclinic discharge`: records the end of a patient's episode of care with its reason,
//! signed by the therapist (audited). `report discharge` prints its summary.

use crate::cli::{DischargeArgs, DischargeReasonArg};
use crate::config::Settings;
use crate::db::Who;
use crate::domain::discharge::DischargeReason;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

/// The most characters in a discharge's note: a sentence, not a second report.
const NOTE_MAX_CHARS: usize = 300;

pub fn run(settings: &Settings, args: &DischargeArgs) -> AppResult<()> {
    let reason = match args.reason {
        DischargeReasonArg::GoalsMet => DischargeReason::GoalsMet,
        DischargeReasonArg::Plateau => DischargeReason::Plateau,
        DischargeReasonArg::PatientRequest => DischargeReason::PatientRequest,
        DischargeReasonArg::NonAttendance => DischargeReason::NonAttendance,
        DischargeReasonArg::Referred => DischargeReason::Referred,
        DischargeReasonArg::Other => DischargeReason::Other,
    };
    let note = args
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(n) = note {
        if n.chars().any(crate::sanitize::is_unsafe_char) {
            return Err(AppError::input(
                "--note has control characters in it: type it as plain text",
            ));
        }
        if n.chars().count() > NOTE_MAX_CHARS {
            return Err(AppError::input(format!(
                "--note is at most {NOTE_MAX_CHARS} characters"
            )));
        }
    }
    if reason == DischargeReason::Other && note.is_none() {
        return Err(AppError::input(
            "a discharge for another reason says which: --note TEXT",
        ));
    }
    let today = settings.clock.today();
    let on = match args.on.as_deref() {
        Some(d) => crate::config::parse_typed_day(d, "--on", settings.clock.today())?,
        None => today,
    };
    if on > today {
        return Err(AppError::input(format!(
            "--on {on} is in the future: a discharge is recorded on or after its day"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, &args.patient)?;
    let at = crate::clock::stamp(settings.clock.now());
    let d = db.discharge(
        patient.id,
        on,
        reason,
        note,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    super::emit_after_change(&format!(
        "Discharged MRN {} on {} ({}), signed {}. The summary: ptclinic report discharge --patient {}\n",
        clean_line(&patient.mrn),
        d.discharged_on,
        clean_line(&d.reason_text()),
        clean_line(&d.signed_as),
        clean_line(&patient.mrn)
    ));
    Ok(())
}

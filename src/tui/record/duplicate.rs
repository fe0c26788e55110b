//! Registering a patient the clinic already has: before the registration is written, the
//! record is asked for the same person (`domain::patient::same_person`); a match is shown in
//! the form, and saving the same details again registers anyway.

use crate::db::record_work::RecordRequest;
use crate::db::worker::Request;
use crate::domain::patient::NewPatient;
use crate::tui::event::Effect;
use crate::tui::forms::PatientFormState;
use crate::tui::modal::Modal;
use crate::tui::pane::Outcome;

/// The save of a checked new patient: registered when already warned of for these very
/// details, else first compared with the patients the clinic has.
pub fn on_submit(
    form: &mut PatientFormState,
    patient: NewPatient,
    out: &mut Outcome,
) -> Vec<Effect> {
    form.saving = true;
    if form.warned_for(&patient) {
        out.begin_write();
        return vec![Effect::Db(Request::Register(patient))];
    }
    form.lookalike = None;
    vec![Effect::Db(Request::Record(RecordRequest::Lookalikes(
        patient,
    )))]
}

/// The record's answer: nobody alike registers the patient; someone alike is shown, and the
/// form waits for a second save.
pub fn on_lookalikes(
    modal: &mut Option<Modal>,
    patient: NewPatient,
    matches: Vec<crate::domain::patient::Patient>,
) -> Outcome {
    let mut out = Outcome::default();
    let Some(Modal::NewPatient(form)) = modal.as_mut() else {
        return out;
    };
    if matches.is_empty() {
        out.write(Effect::Db(Request::Register(patient)));
        return out;
    }
    form.saving = false;
    form.lookalike = Some((patient, matches));
    out
}

/// The id of the first patient the form was warned of, for opening their record.
pub fn first_match(form: &PatientFormState) -> Option<i64> {
    form.lookalike
        .as_ref()
        .and_then(|(_, m)| m.first())
        .map(|p| p.id)
}

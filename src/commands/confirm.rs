//! `ptclinic confirm`: the patient's answer about a visit still to come, as a reply to its
//! reminder said it, recorded by an integration that reads the gateway's replies.

use crate::config::Settings;
use crate::db::Who;
use crate::domain::messages::{AnswerVia, Confirmation};
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, appointment: i64, declined: bool) -> AppResult<()> {
    let answer = if declined {
        Confirmation::Declined
    } else {
        Confirmation::Confirmed
    };
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let said = db.record_answer(
        appointment,
        None,
        answer,
        AnswerVia::Reply,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let verb = match (answer, said.unchanged) {
        (Confirmation::Confirmed, false) => "Confirmed",
        (Confirmation::Confirmed, true) => "Already confirmed",
        (Confirmation::Declined, false) => "Can't come",
        (Confirmation::Declined, true) => "Already recorded as can't come",
    };
    let v = &said.visit;
    let replaced = match said.replaced {
        Some(Confirmation::Confirmed) => " (replaces the earlier confirmation)",
        Some(Confirmation::Declined) => " (replaces the earlier can't come)",
        None => "",
    };
    let stays = if answer == Confirmation::Declined {
        "; the visit stays booked until it is cancelled or moved"
    } else {
        ""
    };
    super::emit_after_change(&format!(
        "{verb}: {} {} (MRN {}) with {}, appointment {}{replaced}{stays}\n",
        v.start.format("%Y-%m-%d %H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.mrn),
        clean_line(&v.therapist_name),
        v.id,
    ));
    Ok(())
}

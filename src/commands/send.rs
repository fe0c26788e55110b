//! `ptclinic send hep|progress --patient MRN`: the home exercise program or a progress letter
//! to the patient's email, with their consent, through the outbox like every message to a
//! patient (queued and audited first, then sent; a refusal that may pass is tried again by the
//! next `remind` run).

use crate::cli::SendCommand;
use crate::config::Settings;
use crate::db::outbox::ForPatient;
use crate::domain::messages::Purpose;
use crate::error::{AppError, AppResult};
use crate::export::{handout, progress_letter};
use crate::messaging::outbox::{self, Line, Outcome};

fn what(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::HomeProgram => "the home exercise program",
        _ => "the progress letter",
    }
}

fn said(line: &Line, json: bool) -> AppResult<()> {
    if json {
        super::emit_after_change(&format!("{}\n", super::remind::line_json(line)));
    } else if line.outcome == Outcome::Sent {
        super::emit_after_change(&format!(
            "Sent {} to {}.\n",
            what(line.purpose),
            crate::sanitize::clean_line(line.to.as_deref().unwrap_or(""))
        ));
    }
    match line.outcome {
        Outcome::Sent => Ok(()),
        Outcome::Pending => Err(AppError::failure(format!(
            "{} is not sent yet: {}; it stays in the outbox and goes at the next run of ptclinic remind",
            what(line.purpose),
            line.reason.as_deref().unwrap_or("it waits")
        ))),
        _ => Err(AppError::failure(format!(
            "{} could not be sent: {}",
            what(line.purpose),
            line.reason.as_deref().unwrap_or("refused")
        ))),
    }
}

pub fn run(settings: &Settings, cmd: SendCommand) -> AppResult<()> {
    let (mrn, json, purpose) = match &cmd {
        SendCommand::Hep { patient, json } => (patient, *json, Purpose::HomeProgram),
        SendCommand::Progress { patient, json } => (patient, *json, Purpose::ProgressLetter),
    };
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let now = settings.clock.now();
    let letter = match purpose {
        Purpose::HomeProgram => {
            let data = db.hep_handout(patient.id, now.date())?.ok_or_else(|| {
                AppError::input(format!(
                    "MRN {} has no home exercise program yet: build one in the app (pane 3)",
                    crate::sanitize::clean_echo(mrn)
                ))
            })?;
            let emailed = handout::for_email(&data);
            ForPatient {
                patient_id: patient.id,
                purpose,
                therapist_name: data.therapist.clone(),
                text: handout::text(&emailed),
                html: handout::html(&emailed),
            }
        }
        _ => {
            let letter = db.progress_letter(patient.id, now.date())?.ok_or_else(|| {
                AppError::not_found(format!(
                    "no patient with MRN {}",
                    crate::sanitize::clean_echo(mrn)
                ))
            })?;
            ForPatient {
                patient_id: patient.id,
                purpose,
                // The template names who wrote it; a record without one says so plainly.
                therapist_name: letter
                    .therapist
                    .clone()
                    .unwrap_or_else(|| "Your therapist".into()),
                text: progress_letter::text(&letter),
                html: progress_letter::html(&letter),
            }
        }
    };
    let transports = super::remind::transports(settings)?;
    let line = outbox::send_to_patient(&mut db, &transports, &letter, now, &settings.user)?;
    said(&line, json)
}

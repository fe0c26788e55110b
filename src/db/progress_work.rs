//! The database work pane 2 asks the database thread for.

use chrono::NaiveDate;

use super::Db;
use super::Who;
use super::visit_notes::{StoredNote, VisitNote};
use crate::domain::flags::Adherence;
use crate::domain::progress::Progress;
use crate::domain::scoring::Scored;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressRequest {
    /// The patient's progress as of `today`; `opened` audits the opening.
    Load {
        patient_id: i64,
        today: NaiveDate,
        opened: bool,
    },
    /// What to expect for the patient: from the kept episodes only, or (`read`) reading the
    /// clinic's finished episodes first.
    Expected {
        patient_id: i64,
        today: NaiveDate,
        read: bool,
    },
    /// A checked measurement, taken today.
    Record {
        patient_id: i64,
        date: NaiveDate,
        scored: Scored,
    },
    /// The whole KOOS: its scored subscales, stored together.
    RecordForm {
        patient_id: i64,
        date: NaiveDate,
        scored: Vec<Scored>,
    },
    /// The note of a visit, for the editor.
    LoadNote {
        appointment_id: i64,
    },
    SaveNote {
        appointment_id: i64,
        seen_version: Option<i64>,
        note: VisitNote,
    },
    /// Sign the note as the user; `note` is the editor's unsaved text, saved first as the
    /// draft that is signed.
    SignNote {
        appointment_id: i64,
        seen_version: Option<i64>,
        note: Option<VisitNote>,
    },
    CoSignNote {
        appointment_id: i64,
    },
    AddAddendum {
        appointment_id: i64,
        text: String,
    },
}

#[derive(Debug, Clone)]
pub enum ProgressReply {
    Loaded {
        patient_id: i64,
        progress: Option<Box<Progress>>,
        adherence: Vec<Adherence>,
    },
    Recorded {
        patient_id: i64,
        code: &'static str,
        value: f64,
    },
    /// The KOOS's subscales stored: each code with its score.
    RecordedForm {
        patient_id: i64,
        scores: Vec<(&'static str, f64)>,
    },
    Note {
        appointment_id: i64,
        /// The patient's payer's billing rule; None: a payer the record does not list.
        payer_rule: Option<crate::domain::billing::BillingRule>,
        note: Option<Box<StoredNote>>,
    },
    NoteSaved {
        appointment_id: i64,
        version: i64,
    },
    NoteSigned {
        appointment_id: i64,
        signed: super::note_signing::Signed,
    },
    NoteCoSigned {
        appointment_id: i64,
    },
    AddendumAdded {
        appointment_id: i64,
    },
    /// Pane 2's line on what to expect; None when the episodes compared with are not read yet
    /// (or the patient has no measure).
    Expected {
        patient_id: i64,
        line: Option<String>,
        read: bool,
    },
}

impl ProgressRequest {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            ProgressRequest::Record { .. }
                | ProgressRequest::RecordForm { .. }
                | ProgressRequest::SaveNote { .. }
                | ProgressRequest::SignNote { .. }
                | ProgressRequest::CoSignNote { .. }
                | ProgressRequest::AddAddendum { .. }
        )
    }

    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<ProgressReply> {
        match self {
            ProgressRequest::Load {
                patient_id,
                today,
                opened,
            } => {
                let progress = db.progress(patient_id, today)?;
                if opened && progress.is_some() {
                    db.log_opened(patient_id, "progress.view", serde_json::json!({}), who)?;
                }
                let adherence = db.adherence_reports(patient_id, None)?;
                Ok(ProgressReply::Loaded {
                    patient_id,
                    progress: progress.map(Box::new),
                    adherence,
                })
            }
            ProgressRequest::Expected {
                patient_id,
                today,
                read,
            } => {
                let found = if read {
                    db.expected_outcome(patient_id, today)?
                } else {
                    db.kept_expected_outcome(patient_id, today)?
                };
                let line = match (found, read) {
                    (Some(o), _) => Some(o.expected.headline(o.measure)),
                    (None, true) => Some(
                        "no episode with a measure yet (from an attended evaluation) to compare with similar episodes".into(),
                    ),
                    (None, false) => None,
                };
                Ok(ProgressReply::Expected {
                    patient_id,
                    line,
                    read,
                })
            }
            ProgressRequest::Record {
                patient_id,
                date,
                scored,
            } => {
                db.record_measurement(patient_id, date, &scored, who)?;
                Ok(ProgressReply::Recorded {
                    patient_id,
                    code: scored.def.code,
                    value: scored.value,
                })
            }
            ProgressRequest::RecordForm {
                patient_id,
                date,
                scored,
            } => {
                db.record_measurements(patient_id, date, &scored, who)?;
                Ok(ProgressReply::RecordedForm {
                    patient_id,
                    scores: scored.iter().map(|s| (s.def.code, s.value)).collect(),
                })
            }
            ProgressRequest::LoadNote { appointment_id } => Ok(ProgressReply::Note {
                appointment_id,
                payer_rule: db.visit_payer_rule(appointment_id)?,
                note: db.visit_note(appointment_id)?.map(Box::new),
            }),
            ProgressRequest::SignNote {
                appointment_id,
                seen_version,
                note,
            } => {
                let signed =
                    db.sign_visit_note(appointment_id, seen_version, note.as_ref(), who)?;
                Ok(ProgressReply::NoteSigned {
                    appointment_id,
                    signed,
                })
            }
            ProgressRequest::CoSignNote { appointment_id } => {
                db.cosign_visit_note(appointment_id, who)?;
                Ok(ProgressReply::NoteCoSigned { appointment_id })
            }
            ProgressRequest::AddAddendum {
                appointment_id,
                text,
            } => {
                db.add_note_addendum(appointment_id, &text, who)?;
                Ok(ProgressReply::AddendumAdded { appointment_id })
            }
            ProgressRequest::SaveNote {
                appointment_id,
                seen_version,
                note,
            } => {
                let version = db.save_visit_note(appointment_id, seen_version, &note, who)?;
                Ok(ProgressReply::NoteSaved {
                    appointment_id,
                    version,
                })
            }
        }
    }
}

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
    LoadNote { appointment_id: i64 },
    SaveNote {
        appointment_id: i64,
        seen_version: Option<i64>,
        note: VisitNote,
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
        note: Option<StoredNote>,
    },
    NoteSaved {
        appointment_id: i64,
        version: i64,
    },
}

impl ProgressRequest {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            ProgressRequest::Record { .. }
                | ProgressRequest::RecordForm { .. }
                | ProgressRequest::SaveNote { .. }
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
                note: db.visit_note(appointment_id)?,
            }),
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

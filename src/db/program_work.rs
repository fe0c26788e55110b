//! The database work pane 3 asks the database thread for.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::json;

use super::Db;
use super::Who;
use super::hep::SaveOutcome;
use super::outbox::ForPatient;
use crate::domain::adherence::Adherence;
use crate::domain::hep::{Exercise, HandoutData, Program, ProgramItem, Template, VersionInfo};
use crate::error::{AppError, AppResult};
use crate::files::StagedFile;

/// Adherence reports the program pane shows (its sparkline), the latest last.
const ADHERENCE_SHOWN: usize = 12;

/// Where a handout goes: a file in this folder (default: the data folder's `handouts/`), or
/// the patient's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoutTo {
    File(Option<PathBuf>),
    Email,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProgramRequest {
    /// The exercise library and the templates.
    Library,
    /// The patient's current program, its versions and adherence; `opened` audits the opening.
    Open { patient_id: i64, opened: bool },
    /// One earlier version, to look at.
    Version { patient_id: i64, version_no: i64 },
    /// Save as the next version on top of `based_on`.
    Save {
        patient_id: i64,
        based_on: i64,
        items: Vec<ProgramItem>,
    },
    SaveTemplate {
        name: String,
        items: Vec<ProgramItem>,
    },
    Adherence {
        patient_id: i64,
        on: NaiveDate,
        done: i64,
        prescribed: i64,
    },
    /// What the handout of the saved program says; the screen's side writes it into a folder
    /// or emails it, as `to` (which travels back with the reply) says.
    Handout {
        patient_id: i64,
        today: NaiveDate,
        to: HandoutTo,
    },
    /// The handout as the patient's email: into the outbox, audited.
    Email(ForPatient),
    /// The handout is staged beside its place: audit its disclosure, then put it in place.
    HandoutStaged {
        patient_id: i64,
        version_no: i64,
        exercises: usize,
        file: StagedFile,
    },
}

#[derive(Debug, Clone)]
pub enum ProgramReply {
    Library {
        exercises: Vec<Exercise>,
        templates: Vec<Template>,
    },
    Opened {
        program: Program,
        versions: Vec<VersionInfo>,
        adherence: Vec<Adherence>,
    },
    Version(Program),
    Saved {
        patient_id: i64,
        version: VersionInfo,
    },
    /// Another terminal saved `latest` first; nothing was written.
    Stale {
        patient_id: i64,
        latest: VersionInfo,
    },
    TemplateSaved(Template),
    AdherenceRecorded {
        patient_id: i64,
        adherence: Vec<Adherence>,
    },
    /// The handout to write or email (step one of two: see [`ProgramRequest::HandoutStaged`]
    /// and [`ProgramRequest::Email`]).
    HandoutReady {
        patient_id: i64,
        data: HandoutData,
        today: NaiveDate,
        to: HandoutTo,
    },
    /// The handout is in the outbox for this address.
    EmailQueued {
        patient_id: i64,
        to: String,
    },
    HandoutWritten {
        patient_id: i64,
        path: String,
    },
}

impl ProgramRequest {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            ProgramRequest::Save { .. }
                | ProgramRequest::SaveTemplate { .. }
                | ProgramRequest::Adherence { .. }
                | ProgramRequest::Handout { .. }
                | ProgramRequest::HandoutStaged { .. }
                | ProgramRequest::Email(_)
        )
    }

    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<ProgramReply> {
        match self {
            ProgramRequest::Library => Ok(ProgramReply::Library {
                exercises: db.exercises()?,
                templates: db.hep_templates()?,
            }),
            ProgramRequest::Open { patient_id, opened } => {
                let program = db.hep_program(patient_id, None)?;
                let versions = db.hep_versions(patient_id)?;
                let adherence = db.adherence_reports(patient_id, Some(ADHERENCE_SHOWN))?;
                if opened {
                    db.log_opened(
                        patient_id,
                        "hep.view",
                        json!({ "version": program.version_no, "exercises": program.items.len() }),
                        who,
                    )?;
                }
                Ok(ProgramReply::Opened {
                    program,
                    versions,
                    adherence,
                })
            }
            ProgramRequest::Version {
                patient_id,
                version_no,
            } => Ok(ProgramReply::Version(
                db.hep_program(patient_id, Some(version_no))?,
            )),
            ProgramRequest::Save {
                patient_id,
                based_on,
                items,
            } => Ok(match db.hep_save(patient_id, based_on, &items, who)? {
                SaveOutcome::Saved(version) => ProgramReply::Saved {
                    patient_id,
                    version,
                },
                SaveOutcome::Stale(latest) => ProgramReply::Stale { patient_id, latest },
            }),
            ProgramRequest::SaveTemplate { name, items } => Ok(ProgramReply::TemplateSaved(
                db.hep_save_template(&name, &items, who)?,
            )),
            ProgramRequest::Adherence {
                patient_id,
                on,
                done,
                prescribed,
            } => {
                db.record_adherence(patient_id, on, done, prescribed, who)?;
                Ok(ProgramReply::AdherenceRecorded {
                    patient_id,
                    adherence: db.adherence_reports(patient_id, Some(ADHERENCE_SHOWN))?,
                })
            }
            ProgramRequest::Handout {
                patient_id,
                today,
                to,
            } => {
                let data = db.hep_handout(patient_id, today)?.ok_or_else(|| {
                    // No key named here: the store does not know the keys in force.
                    AppError::input("there is no saved program to print: save it first")
                })?;
                Ok(ProgramReply::HandoutReady {
                    patient_id,
                    data,
                    today,
                    to,
                })
            }
            ProgramRequest::Email(letter) => {
                let queued = db.queue_for_patient(&letter, who)?;
                Ok(ProgramReply::EmailQueued {
                    patient_id: letter.patient_id,
                    to: queued.to,
                })
            }
            ProgramRequest::HandoutStaged {
                patient_id,
                version_no,
                exercises,
                file,
            } => {
                db.log_opened(
                    patient_id,
                    "export.hep",
                    json!({ "format": "html", "version": version_no, "exercises": exercises, "to": "file" }),
                    who,
                )?;
                file.persist()?;
                Ok(ProgramReply::HandoutWritten {
                    patient_id,
                    path: crate::sanitize::path_for_message(file.path()),
                })
            }
        }
    }
}

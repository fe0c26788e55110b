//! SOAP visit notes, saved with a version check so an edit made at another terminal is never
//! overwritten unseen.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::Who;
use super::audit::{self, AuditEntry};
use super::{Db, TxError};
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_text;

/// Timed minutes per procedure (CPT) code, in the order typed.
pub type TimedMinutes = Vec<(String, u32)>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitNote {
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub timed_minutes: TimedMinutes,
    pub is_progress_report: bool,
}

/// A stored note with who last saved it and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    pub note: VisitNote,
    pub author: String,
    pub updated_at: String,
    pub version: i64,
}

fn minutes_from_json(text: Option<String>) -> TimedMinutes {
    let Some(text) = text else { return Vec::new() };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_default();
    map.into_iter()
        .filter_map(|(code, m)| Some((code, u32::try_from(m.as_u64()?).ok()?)))
        .collect()
}

fn minutes_to_json(minutes: &TimedMinutes) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        minutes.iter().map(|(c, m)| (c.clone(), json!(m))).collect();
    serde_json::Value::Object(map).to_string()
}

impl Db {
    pub fn visit_note(&self, appointment_id: i64) -> AppResult<Option<StoredNote>> {
        self.conn()
            .query_row(
                "SELECT subjective, objective, assessment, plan, timed_minutes, is_progress_report,
                        author, updated_at, version
                 FROM visit_notes WHERE appointment_id = ?1",
                [appointment_id],
                |r| {
                    Ok(StoredNote {
                        note: VisitNote {
                            subjective: r.get(0)?,
                            objective: r.get(1)?,
                            assessment: r.get(2)?,
                            plan: r.get(3)?,
                            timed_minutes: minutes_from_json(r.get(4)?),
                            is_progress_report: r.get(5)?,
                        },
                        author: r.get(6)?,
                        updated_at: r.get(7)?,
                        version: r.get(8)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Saves a note. `seen_version` is the version the editor loaded (None: there was no note):
    /// a note saved elsewhere since is a conflict, named, and nothing is overwritten.
    pub fn save_visit_note(
        &mut self,
        appointment_id: i64,
        seen_version: Option<i64>,
        note: &VisitNote,
        who: Who,
    ) -> AppResult<i64> {
        let clean = VisitNote {
            subjective: clean_text(&note.subjective),
            objective: clean_text(&note.objective),
            assessment: clean_text(&note.assessment),
            plan: clean_text(&note.plan),
            timed_minutes: note.timed_minutes.clone(),
            is_progress_report: note.is_progress_report,
        };
        self.write(|tx| {
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM appointments WHERE id = ?1)", [appointment_id], |r| r.get(0))?;
            if !exists {
                return Err(TxError::App(AppError::not_found(format!("there is no appointment {appointment_id}"))));
            }
            let current: Option<(i64, i64, String, String)> = tx
                .query_row(
                    "SELECT id, version, author, updated_at FROM visit_notes WHERE appointment_id = ?1",
                    [appointment_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let minutes = minutes_to_json(&clean.timed_minutes);
            let (note_id, version) = match (current, seen_version) {
                (Some((id, version, _, _)), Some(seen)) if seen == version => {
                    tx.execute(
                        "UPDATE visit_notes SET subjective = ?1, objective = ?2, assessment = ?3, plan = ?4,
                            timed_minutes = ?5, is_progress_report = ?6, author = ?7, updated_at = ?8,
                            version = version + 1
                         WHERE id = ?9 AND version = ?10",
                        params![clean.subjective, clean.objective, clean.assessment, clean.plan, minutes, clean.is_progress_report, who.user, who.at, id, version],
                    )?;
                    (id, version + 1)
                }
                (None, _) => {
                    tx.execute(
                        "INSERT INTO visit_notes (appointment_id, subjective, objective, assessment, plan,
                            timed_minutes, is_progress_report, author, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        params![appointment_id, clean.subjective, clean.objective, clean.assessment, clean.plan, minutes, clean.is_progress_report, who.user, who.at],
                    )?;
                    (tx.last_insert_rowid(), 1)
                }
                (Some((_, _, author, at)), _) => {
                    return Err(TxError::App(AppError::of(crate::error::ErrorKind::Conflict, format!(
                        // Only the fact: the app adds what to do next, naming the save key in force.
                        "this note was changed on another terminal by {} at {}",
                        crate::sanitize::clean_line(&author),
                        at.get(11..16).unwrap_or(&at)
                    ))));
                }
            };
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "note.save",
                    entity: "visit_note",
                    entity_id: Some(note_id),
                    detail: json!({ "appointment_id": appointment_id, "version": version, "progress_report": clean.is_progress_report }),
                },
            )?;
            Ok(version)
        })
    }
}

//! Signing a visit note, co-signing an assistant's, and the addenda written under a signed
//! note; and the attended visits whose documentation is not finished. Each change is
//! role-checked in its own transaction with its audit row (ids only, never the note's text).

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::signatures::{signed_refusal, signing};
use super::{Db, TxError, TxResult, Who};
use crate::domain::appointment::Visit;
use crate::domain::roles::{self, Acting, Duty};
use crate::domain::signing::{Addendum, Missing, Signature};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::sanitize::{clean_line, clean_text};

/// The one sentence for an addendum without text.
pub const ADDENDUM_EMPTY: &str = "an addendum needs its text: say what is added or corrected";

/// What [`Db::sign_visit_note`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub signature: Signature,
    /// The visit was checked in and is now completed.
    pub completed_visit: bool,
    pub awaiting_cosign: bool,
}

/// An attended visit whose documentation is not finished.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsignedVisit {
    pub visit: Visit,
    pub missing: Missing,
}

struct NoteRow {
    id: i64,
    version: i64,
    is_progress_report: bool,
    empty: bool,
    signed_as: Option<String>,
    signed_at: Option<String>,
}

fn note_row(tx: &Conn, appointment_id: i64) -> TxResult<NoteRow> {
    let row = tx
        .query_row(
            "SELECT id, version, is_progress_report,
                    trim(subjective || objective || assessment || plan) = '',
                    signed_as, signed_at
             FROM visit_notes WHERE appointment_id = ?1",
            args![appointment_id],
            |r| {
                Ok(NoteRow {
                    id: r.get(0)?,
                    version: r.get(1)?,
                    is_progress_report: r.get(2)?,
                    empty: r.get(3)?,
                    signed_as: r.get(4)?,
                    signed_at: r.get(5)?,
                })
            },
        )
        .optional()?;
    if let Some(row) = row {
        return Ok(row);
    }
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM appointments WHERE id = ?1)",
        args![appointment_id],
        |r| r.get(0),
    )?;
    Err(TxError::App(if exists {
        AppError::input(format!(
            "appointment {appointment_id} has no note yet: write and save it first"
        ))
    } else {
        AppError::not_found(format!("there is no appointment {appointment_id}"))
    }))
}

fn forbidden(why: String) -> TxError {
    TxError::App(AppError::of(ErrorKind::Forbidden, why))
}

/// The acting member of staff (a write that passed its role check always has one).
fn signer(acting: &Acting) -> TxResult<&crate::domain::staff::Staff> {
    acting.staff().ok_or_else(|| {
        TxError::App(AppError::failure(
            "the change has no member of staff to sign it",
        ))
    })
}

impl Db {
    /// Signs the note of a visit as the acting clinician: name and credentials as they are now,
    /// and the time. `seen_version` (None: whatever is stored) must be the stored version, so
    /// nobody signs a text they have not seen. `draft`, the editor's unsaved text, is saved
    /// first in the same transaction, so a refused signature leaves nothing saved either. A
    /// progress report needs a therapist. Signing the note of a checked-in visit completes the
    /// visit in the same transaction.
    pub fn sign_visit_note(
        &mut self,
        appointment_id: i64,
        seen_version: Option<i64>,
        draft: Option<&super::visit_notes::VisitNote>,
        who: Who,
    ) -> AppResult<Signed> {
        let duty = if draft.is_some_and(|d| d.is_progress_report) {
            Duty::ProgressReport
        } else {
            Duty::VisitNote
        };
        self.write_as(&who, duty, |tx, acting| {
            let seen_version = match draft {
                Some(note) => Some(super::visit_notes::save_in(
                    tx,
                    appointment_id,
                    seen_version,
                    note,
                    &who,
                    acting,
                )?),
                None => seen_version,
            };
            let note = note_row(tx, appointment_id)?;
            if let (Some(by), Some(at)) = (&note.signed_as, &note.signed_at) {
                return Err(TxError::App(signed_refusal(by, at)));
            }
            if note.is_progress_report {
                roles::check(Duty::ProgressReport, who.user, acting).map_err(forbidden)?;
            }
            if seen_version.is_some_and(|seen| seen != note.version) {
                return Err(TxError::App(AppError::of(
                    ErrorKind::Conflict,
                    "this note was changed on another terminal since it was opened; nothing was signed",
                )));
            }
            if note.empty {
                return Err(TxError::App(AppError::input(
                    "this note is empty: write it before signing it",
                )));
            }
            let me = signer(acting)?;
            let signature = Signature {
                staff_id: me.id,
                written_as: me.signature(),
                at: who.at.to_string(),
            };
            tx.execute(
                "UPDATE visit_notes SET signed_by = ?1, signed_as = ?2, signed_at = ?3,
                    signed_role = ?4, version = version + 1
                 WHERE id = ?5 AND version = ?6",
                args![
                    signature.staff_id,
                    signature.written_as,
                    signature.at,
                    me.role.as_str(),
                    note.id,
                    note.version
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "note.sign",
                    entity: "visit_note",
                    entity_id: Some(note.id),
                    detail: json!({
                        "appointment_id": appointment_id,
                        "version": note.version + 1,
                        "staff_id": me.id,
                        "progress_report": note.is_progress_report,
                    }),
                },
            )?;
            let completed_visit =
                super::schedule::complete_if_checked_in(tx, appointment_id, &who)?;
            let awaiting_cosign = signing(tx, note.id)?.awaiting_cosign;
            Ok(Signed {
                signature: signature.clone(),
                completed_visit,
                awaiting_cosign,
            })
        })
    }

    /// A therapist's co-signature of an assistant's signed note, where the patient's payer
    /// asks for one; refused when it is not needed, already given, or the note is one's own.
    pub fn cosign_visit_note(&mut self, appointment_id: i64, who: Who) -> AppResult<Signature> {
        self.write_as(&who, Duty::CoSign, |tx, acting| {
            let note = note_row(tx, appointment_id)?;
            let now = signing(tx, note.id)?;
            let me = signer(acting)?;
            let refuse = |why: String| Err(TxError::App(AppError::input(why)));
            let Some(signed) = &now.signed else {
                return refuse(
                    "this note is not signed yet: its author signs it first".to_string(),
                );
            };
            if let Some(c) = &now.cosigned {
                return refuse(format!(
                    "this note was already co-signed by {} at {}",
                    clean_line(&c.written_as),
                    crate::domain::signing::shown_time(&c.at)
                ));
            }
            if signed.staff_id == me.id {
                return refuse(
                    "a note cannot be co-signed by the one who signed it: another therapist co-signs it"
                        .to_string(),
                );
            }
            if !now.awaiting_cosign {
                return refuse(format!(
                    "this note needs no co-signature: it was signed by {}, and the patient's payer asks for one only of an assistant's note",
                    clean_line(&signed.written_as)
                ));
            }
            let cosignature = Signature {
                staff_id: me.id,
                written_as: me.signature(),
                at: who.at.to_string(),
            };
            tx.execute(
                "UPDATE visit_notes SET cosigned_by = ?1, cosigned_as = ?2, cosigned_at = ?3,
                    version = version + 1
                 WHERE id = ?4 AND version = ?5",
                args![
                    cosignature.staff_id,
                    cosignature.written_as,
                    cosignature.at,
                    note.id,
                    note.version
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "note.cosign",
                    entity: "visit_note",
                    entity_id: Some(note.id),
                    detail: json!({
                        "appointment_id": appointment_id,
                        "staff_id": me.id,
                        "signed_by": signed.staff_id,
                    }),
                },
            )?;
            Ok(cosignature.clone())
        })
    }

    /// Adds a dated addendum by the acting clinician under the signed note of a visit.
    pub fn add_note_addendum(
        &mut self,
        appointment_id: i64,
        text: &str,
        who: Who,
    ) -> AppResult<Addendum> {
        let text = clean_text(text).trim().to_string();
        if text.is_empty() {
            return Err(AppError::input(ADDENDUM_EMPTY));
        }
        self.write_as(&who, Duty::VisitNote, |tx, acting| {
            let note = note_row(tx, appointment_id)?;
            if note.signed_at.is_none() {
                return Err(TxError::App(AppError::input(
                    "this note is not signed yet: change the draft itself rather than add an addendum",
                )));
            }
            let me = signer(acting)?;
            let addendum = Addendum {
                staff_id: me.id,
                written_as: me.signature(),
                written_at: who.at.to_string(),
                text: text.clone(),
            };
            let id = tx.insert(
                "INSERT INTO note_addenda (note_id, staff_id, written_as, written_at, text)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![
                    note.id,
                    addendum.staff_id,
                    addendum.written_as,
                    addendum.written_at,
                    addendum.text
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "note.addendum",
                    entity: "visit_note",
                    entity_id: Some(note.id),
                    detail: json!({
                        "appointment_id": appointment_id,
                        "addendum_id": id,
                        "staff_id": me.id,
                    }),
                },
            )?;
            Ok(addendum.clone())
        })
    }

    /// The attended visits (checked in or completed) up to and including `up_to` whose note is
    /// missing, unsigned or awaiting a co-signature, oldest first.
    pub fn unsigned_visits(&self, up_to: NaiveDate) -> AppResult<Vec<UnsignedVisit>> {
        let conn = &self.sql();
        let read = || -> SqlResult<Vec<UnsignedVisit>> {
            let (_, end) = super::stored_time::day_range(up_to);
            let rows: Vec<(i64, Option<i64>, bool)> = conn
                .prepare_cached(
                    "SELECT a.id, n.id, n.signed_at IS NOT NULL
                     FROM appointments a LEFT JOIN visit_notes n ON n.appointment_id = a.id
                     WHERE a.status IN ('checked_in', 'completed') AND a.start < ?1
                       AND (n.id IS NULL OR n.signed_at IS NULL
                            OR (n.cosigned_at IS NULL AND n.signed_role = 'assistant'))
                     ORDER BY a.start, a.id",
                )?
                .query_map(args![end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<SqlResult<_>>()?;
            let mut out = Vec::new();
            for (appointment_id, note_id, signed) in rows {
                let missing = match note_id {
                    None => Some(Missing::NoNote),
                    Some(_) if !signed => Some(Missing::Unsigned),
                    Some(id) => signing(conn, id)?.missing(),
                };
                let (Some(missing), Some(visit)) =
                    (missing, super::schedule::visit(conn, appointment_id)?)
                else {
                    continue;
                };
                out.push(UnsignedVisit { visit, missing });
            }
            Ok(out)
        };
        read().map_err(|e| self.fail(e))
    }
}

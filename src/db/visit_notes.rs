//! SOAP visit notes, saved with a version check so an edit made at another terminal is never
//! overwritten unseen.

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::Who;
use super::audit::{self, AuditEntry};
use super::{Db, TxError};
use crate::domain::AppointmentStatus;
use crate::domain::appointment::Visit;
use crate::domain::billing::{Amount, ProcedureLine};
use crate::domain::procedures::procedure;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_text;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitNote {
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    /// The procedures given, as typed: timed codes with minutes, untimed with a count (the
    /// same code may come twice; billing adds them up).
    pub procedures: Vec<ProcedureLine>,
    pub is_progress_report: bool,
}

/// A stored note with who last saved it and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    pub note: VisitNote,
    pub author: String,
    pub updated_at: String,
    pub version: i64,
    /// Draft or signed, the co-signature awaited, the addenda.
    pub signing: crate::domain::signing::NoteSigning,
}

/// The `timed_minutes` column: a JSON array of lines, `[{"code":"97110","minutes":30},
/// {"code":"97161","count":1}]`. Notes saved before procedure lines hold an object of code
/// to minutes (`{"97110":30}`), read as lines of minutes, except that a code the table calls
/// untimed becomes a count of one (its minutes were never billable). What cannot be read is
/// skipped, never a failure: the note's text still opens.
pub fn lines_from_json(text: Option<&str>) -> Vec<ProcedureLine> {
    let Some(value) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
        return Vec::new();
    };
    let number = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| {
                let code = item.get("code")?.as_str()?;
                if let Some(m) = item.get("minutes").and_then(number) {
                    Some(ProcedureLine::minutes(code, m))
                } else {
                    item.get("count")
                        .and_then(number)
                        .map(|n| ProcedureLine::count(code, n))
                }
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(code, m)| {
                let m = number(m)?;
                Some(match procedure(code) {
                    Some(p) if !p.timed => ProcedureLine::count(p.code, 1),
                    _ => ProcedureLine::minutes(code, m),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub fn lines_to_json(lines: &[ProcedureLine]) -> String {
    Value::Array(
        lines
            .iter()
            .map(|l| match l.amount {
                Amount::Minutes(m) => json!({ "code": l.code, "minutes": m }),
                Amount::Count(n) => json!({ "code": l.code, "count": n }),
            })
            .collect(),
    )
    .to_string()
}

/// An attended visit of a day with the procedures its note records, for the billing report.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingVisit {
    pub visit: Visit,
    /// None: the visit has no note yet.
    pub procedures: Option<Vec<ProcedureLine>>,
    /// The patient's payer's billing rule (the terminal's for a payer the record does not list).
    pub rule: crate::domain::billing::BillingRule,
}

/// Saves the note as a draft inside an open transaction (a save, or the draft a signature
/// signs): refused over a signed note and over a version changed since `seen_version`. Returns
/// the new version.
pub(super) fn save_in(
    tx: &Conn,
    appointment_id: i64,
    seen_version: Option<i64>,
    note: &VisitNote,
    who: &Who,
    acting: &crate::domain::roles::Acting,
) -> super::TxResult<i64> {
    let clean = VisitNote {
        subjective: clean_text(&note.subjective),
        objective: clean_text(&note.objective),
        assessment: clean_text(&note.assessment),
        plan: clean_text(&note.plan),
        procedures: note.procedures.clone(),
        is_progress_report: note.is_progress_report,
    };
    let kind: Option<String> = tx
        .query_row(
            "SELECT kind FROM appointments WHERE id = ?1",
            args![appointment_id],
            |r| r.get(0),
        )
        .optional()?;
    // An assistant treats under the therapist's plan but does not evaluate (BPM ch. 15
    // §230.1): the note of an evaluation or a re-evaluation is the therapist's.
    if matches!(kind.as_deref(), Some("evaluation" | "re_evaluation")) {
        crate::domain::roles::check(crate::domain::roles::Duty::Evaluation, who.user, acting)
            .map_err(|why| TxError::App(AppError::of(crate::error::ErrorKind::Forbidden, why)))?;
    }
    if kind.is_none() {
        return Err(TxError::App(AppError::not_found(format!(
            "there is no appointment {appointment_id}"
        ))));
    }
    // A signed note is locked: what comes later is an addendum.
    let signed: Option<(String, String)> = tx
        .query_row(
            "SELECT signed_as, signed_at FROM visit_notes
                 WHERE appointment_id = ?1 AND signed_at IS NOT NULL",
            args![appointment_id],
            |r| Ok((r.get::<Option<String>>(0)?.unwrap_or_default(), r.get(1)?)),
        )
        .optional()?;
    if let Some((by, at)) = signed {
        return Err(TxError::App(super::signatures::signed_refusal(&by, &at)));
    }
    let current: Option<(i64, i64, String, String)> = tx
        .query_row(
            "SELECT id, version, author, updated_at FROM visit_notes WHERE appointment_id = ?1",
            args![appointment_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let minutes = lines_to_json(&clean.procedures);
    let (note_id, version) = match (current, seen_version) {
        (Some((id, version, _, _)), Some(seen)) if seen == version => {
            tx.execute(
                    "UPDATE visit_notes SET subjective = ?1, objective = ?2, assessment = ?3, plan = ?4,
                        timed_minutes = ?5, is_progress_report = ?6, author = ?7, updated_at = ?8,
                        version = version + 1
                     WHERE id = ?9 AND version = ?10",
                    args![clean.subjective, clean.objective, clean.assessment, clean.plan, minutes, clean.is_progress_report, who.user, who.at, id, version],
                )?;
            (id, version + 1)
        }
        (None, _) => {
            let inserted = tx.insert(
                "INSERT INTO visit_notes (appointment_id, subjective, objective, assessment, plan,
                        timed_minutes, is_progress_report, author, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                args![
                    appointment_id,
                    clean.subjective,
                    clean.objective,
                    clean.assessment,
                    clean.plan,
                    minutes,
                    clean.is_progress_report,
                    who.user,
                    who.at
                ],
            )?;
            (inserted, 1)
        }
        (Some((_, _, author, at)), _) => {
            return Err(TxError::App(AppError::of(
                crate::error::ErrorKind::Conflict,
                format!(
                    // Only the fact: the app adds what to do next, naming the save key in force.
                    "this note was changed on another terminal by {} at {}",
                    crate::sanitize::clean_line(&author),
                    at.get(11..16).unwrap_or(&at)
                ),
            )));
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
}

impl Db {
    pub fn visit_note(&self, appointment_id: i64) -> AppResult<Option<StoredNote>> {
        let read = || -> SqlResult<Option<StoredNote>> {
            let row = self.sql().query_row(
                "SELECT subjective, objective, assessment, plan, timed_minutes, is_progress_report,
                        author, updated_at, version, id
                 FROM visit_notes WHERE appointment_id = ?1",
                args![appointment_id],
                |r| {
                    Ok((r.get::<i64>(9)?, StoredNote {
                        note: VisitNote {
                            subjective: r.get(0)?,
                            objective: r.get(1)?,
                            assessment: r.get(2)?,
                            plan: r.get(3)?,
                            procedures: lines_from_json(r.get::<Option<String>>(4)?.as_deref()),
                            is_progress_report: r.get(5)?,
                        },
                        author: r.get(6)?,
                        updated_at: r.get(7)?,
                        version: r.get(8)?,
                        signing: Default::default(),
                    }))
                },
            )
            .optional()?;
            row.map(|(id, mut note)| {
                note.signing = super::signatures::signing(&self.sql(), id)?;
                Ok(note)
            })
            .transpose()
        };
        read().map_err(|e| self.fail(e))
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
        let duty = if note.is_progress_report {
            crate::domain::roles::Duty::ProgressReport
        } else {
            crate::domain::roles::Duty::VisitNote
        };
        self.write_as(&who, duty, |tx, acting| {
            save_in(tx, appointment_id, seen_version, note, &who, acting)
        })
    }

    /// The attended visits (checked in or completed) of `day`, in time order, each with the
    /// procedures of its note: what the billing report lists.
    /// `fallback` is the rule of a payer the record does not list.
    pub fn billing_day(
        &self,
        day: NaiveDate,
        fallback: crate::domain::billing::BillingRule,
    ) -> AppResult<Vec<BillingVisit>> {
        let visits = self.day_without_flags(day)?;
        let (from, to) = super::stored_time::day_range(day);
        let notes: HashMap<i64, Vec<ProcedureLine>> = (|| {
            let mut stmt = self.sql().prepare_cached(
                "SELECT n.appointment_id, n.timed_minutes FROM visit_notes n
                 JOIN appointments a ON a.id = n.appointment_id
                 WHERE a.start >= ?1 AND a.start < ?2",
            )?;
            stmt.query_map(args![from, to], |r| {
                let text: Option<String> = r.get(1)?;
                Ok((r.get::<i64>(0)?, lines_from_json(text.as_deref())))
            })?
            .collect::<SqlResult<HashMap<_, _>>>()
        })()
        .map_err(|e| self.fail(e))?;
        let rule_of = |patient_id: i64| -> SqlResult<_> {
            let payer: Option<String> = self
                .sql()
                .prepare_cached("SELECT payer FROM patients WHERE id = ?1")?
                .query_row(args![patient_id], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(super::payers::rules(&self.sql(), payer.as_deref(), fallback)?.billing_rule)
        };
        visits
            .into_iter()
            .filter(|v| {
                matches!(
                    v.status,
                    AppointmentStatus::CheckedIn | AppointmentStatus::Completed
                )
            })
            .map(|v| {
                Ok(BillingVisit {
                    procedures: notes.get(&v.id).cloned(),
                    rule: rule_of(v.patient_id).map_err(|e| self.fail(e))?,
                    visit: v,
                })
            })
            .collect()
    }

    /// Audits a report over visits (`report.billing`, `report.unsigned`): one row per visit
    /// shown (entity `appointment`, so each patient's audit trail names it), all in one
    /// transaction; ids and counts only.
    pub fn log_visits_report(
        &mut self,
        action: &'static str,
        appointment_ids: &[i64],
        detail: &Value,
        who: Who,
    ) -> AppResult<()> {
        self.write(|tx| {
            for &id in appointment_ids {
                audit::record(
                    tx,
                    &AuditEntry {
                        at: who.at,
                        user: who.user,
                        action,
                        entity: "appointment",
                        entity_id: Some(id),
                        detail: detail.clone(),
                    },
                )?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_the_same_code_twice_is_kept() {
        let lines = vec![
            ProcedureLine::minutes("97110", 20),
            ProcedureLine::count("97161", 1),
            ProcedureLine::minutes("97110", 13),
        ];
        let text = lines_to_json(&lines);
        assert_eq!(
            text,
            r#"[{"code":"97110","minutes":20},{"code":"97161","count":1},{"code":"97110","minutes":13}]"#
        );
        assert_eq!(lines_from_json(Some(&text)), lines);
        assert_eq!(lines_from_json(Some("[]")), vec![]);
        assert_eq!(lines_from_json(None), vec![]);
    }

    #[test]
    fn notes_saved_as_an_object_of_minutes_are_still_read() {
        assert_eq!(
            lines_from_json(Some(r#"{"97110":30,"97140":15}"#)),
            vec![
                ProcedureLine::minutes("97110", 30),
                ProcedureLine::minutes("97140", 15)
            ]
        );
        // An untimed code's minutes were never billable: it was given once.
        assert_eq!(
            lines_from_json(Some(r#"{"97161":45}"#)),
            vec![ProcedureLine::count("97161", 1)]
        );
        // Nonsense is skipped, never a failure.
        assert_eq!(lines_from_json(Some("not json")), vec![]);
        assert_eq!(
            lines_from_json(Some(
                r#"[{"code":"97110","minutes":-3},{"code":"97112","minutes":8}]"#
            )),
            vec![ProcedureLine::minutes("97112", 8)]
        );
    }
}

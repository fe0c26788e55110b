//! The patient's answer about a visit: confirmed, or "can't come", from a call the desk took
//! or a reply an integration read. One answer per visit (a new one replaces it), kept with the
//! start it was given for: once the visit moves, the answer no longer counts and a new one is
//! needed, so every read here compares it with the visit's present start.

use super::sql::args;
use serde_json::json;

use super::answers::answer_of;
use super::audit::{self, AuditEntry};
use super::schedule::{conflict, load_for_change};
use super::stored_time::start_text;
use super::{Db, TxError, Who};
use crate::domain::appointment::Visit;
use crate::domain::messages::{AnswerVia, Confirmation, VisitAnswer, answerable};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

/// An answer recorded: the visit (with it), the answer as stored, the one it replaced, and
/// whether it was already so (nothing written then).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub visit: Visit,
    pub answer: VisitAnswer,
    pub replaced: Option<Confirmation>,
    pub unchanged: bool,
}

impl Db {
    /// Records the patient's answer about a scheduled visit that has not started, for its
    /// present start, replacing an earlier answer; audited as `visit.confirmed` or
    /// `visit.declined` in the same transaction. `seen_version` is the visit's version as the
    /// desk saw it (a visit moved since is refused as a conflict: the patient answered about
    /// the time they were told); None for an integration, which answers for the visit as it is.
    /// The same answer again for the same start writes nothing.
    pub fn record_answer(
        &mut self,
        id: i64,
        seen_version: Option<i64>,
        answer: Confirmation,
        via: AnswerVia,
        who: Who,
    ) -> AppResult<Answered> {
        let now = who.now()?;
        self.write_as(&who, Duty::PatientContact, |tx, _| {
            let mut visit = load_for_change(tx, id)?;
            if seen_version.is_some_and(|seen| seen != visit.version) {
                return Err(conflict(tx, id));
            }
            answerable(visit.status, visit.start, now)
                .map_err(|why| TxError::App(AppError::input(why)))?;
            let before = answer_of(tx, id)?;
            if let Some(same) = before.as_ref().filter(|b| b.answer == answer) {
                visit.answer = Some(answer);
                return Ok(Answered {
                    visit,
                    answer: same.clone(),
                    replaced: None,
                    unchanged: true,
                });
            }
            let for_start = start_text(visit.start);
            tx.prepare_cached(
                "INSERT INTO visit_confirmations
                    (appointment_id, answer, for_start, answered_at, recorded_by, via)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (appointment_id) DO UPDATE SET answer = excluded.answer,
                    for_start = excluded.for_start, answered_at = excluded.answered_at,
                    recorded_by = excluded.recorded_by, via = excluded.via",
            )?
            .execute(args![
                id,
                answer.as_str(),
                for_start,
                who.at,
                who.user,
                via.as_str()
            ])?;
            let replaced = before.map(|b| b.answer);
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: match answer {
                        Confirmation::Confirmed => "visit.confirmed",
                        Confirmation::Declined => "visit.declined",
                    },
                    entity: "appointment",
                    entity_id: Some(id),
                    detail: json!({
                        "via": via.as_str(),
                        "for_start": for_start,
                        "replaces": replaced.map(Confirmation::as_str),
                    }),
                },
            )?;
            visit.answer = Some(answer);
            Ok(Answered {
                visit,
                answer: VisitAnswer {
                    answer,
                    via,
                    answered_at: who.at.to_string(),
                    recorded_by: who.user.to_string(),
                },
                replaced,
                unchanged: false,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schedule::Booking;
    use crate::db::sql::Sql;
    use crate::domain::AppointmentStatus;
    use chrono::NaiveDate;

    fn clinic() -> (tempfile::TempDir, Db) {
        crate::db::contact::tests::clinic()
    }

    fn who(at: &str) -> Who<'_> {
        Who { user: "admin", at }
    }

    const NOW: &str = "2026-11-27T07:30:00";

    /// A scheduled visit of a later day that the demo left unanswered.
    fn later_visit(db: &Db) -> Visit {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        db.day(day)
            .unwrap()
            .into_iter()
            .find(|v| v.status == AppointmentStatus::Scheduled && v.answer.is_none())
            .expect("a scheduled visit on Monday")
    }

    /// A reminder of the visit in the outbox, for the start given, in `state`.
    fn reminder(db: &Db, v: &Visit, for_start: &str, state: &str, offset: i64) {
        db.sql()
            .execute(
                "INSERT INTO outbox (patient_id, appointment_id, purpose, channel, for_start,
                    offset_minutes, due_at, state, created_at, created_by)
                 VALUES (?1, ?2, 'reminder', 'sms', ?3, ?4, ?3, ?5, ?6, 'test')",
                args![v.patient_id, v.id, for_start, offset, state, NOW],
            )
            .unwrap();
    }

    #[test]
    fn the_day_reads_each_visits_reminder_and_answer_at_its_present_time() {
        let (_dir, mut db) = clinic();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let visits: Vec<Visit> = db
            .day(day)
            .unwrap()
            .into_iter()
            .filter(|v| v.status == AppointmentStatus::Scheduled && v.answer.is_none())
            .take(3)
            .collect();
        let [sent, failed, moved] = [&visits[0], &visits[1], &visits[2]];
        reminder(&db, sent, &start_text(sent.start), "pending", 2880);
        reminder(&db, sent, &start_text(sent.start), "sent", 120);
        reminder(&db, failed, &start_text(failed.start), "failed", 120);
        // A reminder for the time the visit had before a move says nothing of it now.
        reminder(&db, moved, "2026-11-29T10:00", "sent", 120);
        db.record_answer(
            moved.id,
            None,
            Confirmation::Declined,
            AnswerVia::Desk,
            who(NOW),
        )
        .unwrap();
        let shown = db.day(day).unwrap();
        let of = |id: i64| shown.iter().find(|v| v.id == id).unwrap();
        use crate::domain::messages::ReminderState;
        assert_eq!(of(sent.id).reminder, ReminderState::Sent, "the newest one");
        assert_eq!(of(failed.id).reminder, ReminderState::Failed);
        assert_eq!(of(moved.id).reminder, ReminderState::None);
        assert_eq!(of(moved.id).answer, Some(Confirmation::Declined));
        assert_eq!(of(sent.id).answer, None);
        // The record's reads say the same.
        let reminders = db.reminders_of(&[sent.id, failed.id, moved.id]).unwrap();
        assert_eq!(reminders.get(&sent.id), Some(&ReminderState::Sent));
        assert_eq!(reminders.get(&moved.id), None);
    }

    #[test]
    fn the_demo_has_answers_for_the_coming_days_at_their_present_times() {
        let (_dir, db) = clinic();
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let answers = db
            .answers_between(today, today + chrono::Duration::days(4))
            .unwrap();
        let kinds: std::collections::HashSet<Confirmation> =
            answers.values().map(|a| a.answer).collect();
        assert_eq!(kinds.len(), 2, "{answers:?}");
        let visits = db.day(today).unwrap();
        assert!(visits.iter().any(|v| v.answer.is_some()));
        assert!(visits.iter().any(|v| v.answer.is_none()));
    }

    fn audit_actions(db: &Db, id: i64) -> Vec<(String, String)> {
        db.sql()
            .prepare_cached(
                "SELECT action, summary FROM audit_log WHERE entity = 'appointment' AND entity_id = ?1
                 AND action LIKE 'visit.%' ORDER BY id",
            )
            .unwrap()
            .query_map(args![id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn an_answer_replaces_the_last_and_is_audited_with_it() {
        let (_dir, mut db) = clinic();
        let v = later_visit(&db);
        let day = v.start.date();
        let before = db.day(day).unwrap();
        let said = db
            .record_answer(
                v.id,
                Some(v.version),
                Confirmation::Confirmed,
                AnswerVia::Desk,
                who(NOW),
            )
            .unwrap();
        assert!(!said.unchanged && said.replaced.is_none());
        assert_eq!(said.visit.answer, Some(Confirmation::Confirmed));
        let between = db.answers_between(day, day.succ_opt().unwrap()).unwrap();
        assert_eq!(between[&v.id].answer, Confirmation::Confirmed);
        assert_eq!(between[&v.id].via, AnswerVia::Desk);
        assert_eq!(between[&v.id].recorded_by, "admin");
        // The day's visits carry it; the others of the day are as they were.
        let shown = db.day(day).unwrap();
        for (w, was) in shown.iter().zip(&before) {
            let expected = if w.id == v.id {
                Some(Confirmation::Confirmed)
            } else {
                was.answer
            };
            assert_eq!(w.answer, expected, "{}", w.id);
        }

        // The same answer again writes nothing; "can't come" replaces it.
        let again = db
            .record_answer(
                v.id,
                None,
                Confirmation::Confirmed,
                AnswerVia::Reply,
                who(NOW),
            )
            .unwrap();
        assert!(again.unchanged);
        let declined = db
            .record_answer(
                v.id,
                None,
                Confirmation::Declined,
                AnswerVia::Reply,
                who(NOW),
            )
            .unwrap();
        assert_eq!(declined.replaced, Some(Confirmation::Confirmed));
        let of = db.answers_of(&[v.id, v.id + 100_000]).unwrap();
        assert_eq!(of.len(), 1);
        assert_eq!(of[&v.id].answer, Confirmation::Declined);
        assert_eq!(of[&v.id].via, AnswerVia::Reply);
        let audited = audit_actions(&db, v.id);
        assert_eq!(
            audited.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
            ["visit.confirmed", "visit.declined"]
        );
        let summary: serde_json::Value = serde_json::from_str(&audited[1].1).unwrap();
        assert_eq!(summary["replaces"], "confirmed");
        assert_eq!(summary["via"], "reply");
        assert_eq!(summary["for_start"], start_text(v.start));
    }

    #[test]
    fn a_moved_visit_needs_a_new_answer() {
        let (_dir, mut db) = clinic();
        let v = later_visit(&db);
        db.record_answer(
            v.id,
            None,
            Confirmation::Confirmed,
            AnswerVia::Desk,
            who(NOW),
        )
        .unwrap();
        let moved = db
            .reschedule(
                v.id,
                v.version,
                &Booking {
                    site_id: v.site_id,
                    patient_id: v.patient_id,
                    therapist_id: v.therapist_id,
                    start: v.start + chrono::Duration::days(1),
                    minutes: v.minutes,
                    kind: v.kind,
                },
                who(NOW),
            )
            .unwrap();
        assert!(db.answers_of(&[v.id]).unwrap().is_empty());
        for day in [v.start.date(), moved.start.date()] {
            let next = day.succ_opt().unwrap();
            assert!(!db.answers_between(day, next).unwrap().contains_key(&v.id));
            assert!(
                db.day(day)
                    .unwrap()
                    .iter()
                    .all(|w| w.answer.is_none() || w.id != v.id)
            );
        }
        // Asked with the version from before the move: refused, nothing written.
        let stale = db
            .record_answer(
                v.id,
                Some(v.version),
                Confirmation::Confirmed,
                AnswerVia::Desk,
                who(NOW),
            )
            .unwrap_err();
        assert_eq!(stale.kind, crate::error::ErrorKind::Conflict);
        assert!(db.answers_of(&[v.id]).unwrap().is_empty());
        // The new time's answer counts (and is not "the same answer again").
        let fresh = db
            .record_answer(
                v.id,
                Some(moved.version),
                Confirmation::Confirmed,
                AnswerVia::Desk,
                who(NOW),
            )
            .unwrap();
        assert!(!fresh.unchanged);
        assert_eq!(
            db.answers_of(&[v.id]).unwrap()[&v.id].answer,
            Confirmation::Confirmed
        );
        assert_eq!(audit_actions(&db, v.id).len(), 2);
    }

    #[test]
    fn only_a_booked_visit_still_to_come_takes_an_answer_and_a_refusal_writes_nothing() {
        let (_dir, mut db) = clinic();
        let v = later_visit(&db);
        let past = db
            .record_answer(
                v.id,
                None,
                Confirmation::Confirmed,
                AnswerVia::Desk,
                who(&format!("{}:00", start_text(v.start))),
            )
            .unwrap_err();
        assert_eq!(past.kind, crate::error::ErrorKind::Input);
        assert!(
            past.message.starts_with("this visit began at"),
            "{}",
            past.message
        );
        db.set_status(
            v.id,
            None,
            AppointmentStatus::Cancelled,
            Some(crate::domain::CancelReason::Patient),
            who(NOW),
        )
        .unwrap();
        let cancelled = db
            .record_answer(
                v.id,
                None,
                Confirmation::Declined,
                AnswerVia::Desk,
                who(NOW),
            )
            .unwrap_err();
        assert!(
            cancelled.message.ends_with("this one is cancelled"),
            "{}",
            cancelled.message
        );
        let unknown = db
            .record_answer(
                999_999,
                None,
                Confirmation::Declined,
                AnswerVia::Desk,
                who(NOW),
            )
            .unwrap_err();
        assert_eq!(unknown.kind, crate::error::ErrorKind::NotFound);
        assert!(audit_actions(&db, v.id).is_empty());
        assert!(db.answers_of(&[v.id]).unwrap().is_empty());
    }
}

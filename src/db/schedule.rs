//! The day's visits and the front desk's changes to them: status changes with undo, booking
//! and rescheduling. Each change is one transaction with its audit row and a version check.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlError, SqlResult, args};
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::parse_day_column;
use super::{Db, TxError, TxResult, Who};
use crate::domain::appointment::{self, StatusSnapshot, Transition, Visit};
use crate::domain::roles::Duty;
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::{AppError, AppResult};

pub use super::stored_time::{START_FORMAT, start_text};
use super::stored_time::{day_range, parse_start};

/// The planner would look patients up in their table (a page read each on a cold cache);
/// `patients_schedule` holds the same columns in a fifth of the pages.
const VISIT_SELECT: &str =
    "SELECT a.id, a.start, a.minutes, p.id, p.first_name || ' ' || p.last_name,
        p.mrn, p.date_of_birth, s.id, s.name, s.initials, a.kind, a.status, a.status_changed_at,
        a.checked_in_at, a.cancel_reason, a.room, a.version, a.no_show_risk, a.site_id
    FROM appointments a
    JOIN patients p INDEXED BY patients_schedule ON p.id = a.patient_id
    JOIN staff s ON s.id = a.therapist_id";

fn bad_column(idx: usize, what: &str) -> SqlError {
    SqlError::Type(idx, format!("unknown {what}"))
}

fn row_to_visit(r: &Row) -> SqlResult<Visit> {
    let start: String = r.get(1)?;
    let dob: String = r.get(6)?;
    let kind: String = r.get(10)?;
    let status: String = r.get(11)?;
    let reason: Option<String> = r.get(14)?;
    Ok(Visit {
        id: r.get(0)?,
        start: parse_start(&start).ok_or_else(|| bad_column(1, "start"))?,
        minutes: r.get(2)?,
        patient_id: r.get(3)?,
        patient_name: r.get(4)?,
        mrn: r.get(5)?,
        date_of_birth: parse_day_column(6, &dob)?,
        therapist_id: r.get(7)?,
        therapist_name: r.get(8)?,
        therapist_initials: r.get(9)?,
        kind: VisitKind::parse(&kind).ok_or_else(|| bad_column(10, "visit kind"))?,
        status: AppointmentStatus::parse(&status).ok_or_else(|| bad_column(11, "status"))?,
        status_changed_at: r.get(12)?,
        checked_in_at: r.get(13)?,
        cancel_reason: reason.as_deref().and_then(CancelReason::parse),
        room: r.get(15)?,
        version: r.get(16)?,
        flags: Vec::new(),
        reminder: Default::default(),
        answer: None,
        risk: super::no_show::decode_risk(r.text(17)?),
        site_id: r.get(18)?,
    })
}

/// The day's visits: ?1 the day, ?2 the next day.
pub(crate) fn day_sql() -> String {
    format!(
        "{VISIT_SELECT} WHERE a.start >= ?1 AND a.start < ?2 ORDER BY a.start, s.initials, a.id"
    )
}

/// The day's visits read from their own rows alone (`appointments_day` covers every column,
/// the patient's and the flags' included), with their stored flags (None: not worked out);
/// ?1 the day, ?2 the next day. Only the few staff rows are looked up.
pub(crate) const DAY_ROWS_SQL: &str =
    "SELECT a.id, a.start, a.minutes, a.patient_id, a.patient_name, a.patient_mrn, a.patient_dob,
        s.id, s.name, s.initials, a.kind, a.status, a.status_changed_at, a.checked_in_at,
        a.cancel_reason, a.room, a.version, a.no_show_risk, a.site_id, a.flags
    FROM appointments a
    JOIN staff s ON s.id = a.therapist_id
    WHERE a.start >= ?1 AND a.start < ?2 ORDER BY a.start, s.initials, a.id";

/// A visit as its day's row holds it, with its stored flags (None: not worked out).
type StoredVisit = (Visit, Option<String>);

/// The day's visits with their stored flags, from the day's rows; None when a row lacks its
/// patient's columns (a record whose triggers were dropped), which is then read the long way.
fn day_rows(conn: &Conn, day: NaiveDate) -> SqlResult<Option<Vec<StoredVisit>>> {
    let (from, to) = day_range(day);
    stored_rows(conn, &from, &to)
}

/// The visits starting in [from, to) from their own rows, or None as soon as one lacks its
/// patient's columns.
fn stored_rows(conn: &Conn, from: &str, to: &str) -> SqlResult<Option<Vec<StoredVisit>>> {
    let mut out = Vec::new();
    let mut whole = true;
    conn.scan(DAY_ROWS_SQL, args![from, to], &mut |r| {
        whole = r.text(4)?.is_some() && r.text(5)?.is_some() && r.text(6)?.is_some();
        if whole {
            out.push((row_to_visit(r)?, r.get(19)?));
        }
        Ok(whole)
    })?;
    Ok(whole.then_some(out))
}

/// The day's visits in time order, without their compliance flags.
fn day_visits(conn: &Conn, day: NaiveDate) -> SqlResult<Vec<Visit>> {
    check_long_way(conn)?;
    if let Some(rows) = day_rows(conn, day)? {
        return Ok(rows.into_iter().map(|(v, _)| v).collect());
    }
    day_visits_joined(conn, day)
}

/// The day's visits with each patient's columns read from the patient (the long way).
fn day_visits_joined(conn: &Conn, day: NaiveDate) -> SqlResult<Vec<Visit>> {
    let (from, to) = day_range(day);
    joined_rows(conn, &from, &to)
}

/// The visits starting in [from, to), each joined to its patient.
fn joined_rows(conn: &Conn, from: &str, to: &str) -> SqlResult<Vec<Visit>> {
    let mut stmt = conn.prepare_cached(&day_sql())?;
    stmt.query_map(args![from, to], row_to_visit)?.collect()
}

/// The day's visits in time order, each with its compliance flags (the stored ones, when
/// every visit has them and no mark says they may be out of date (see `flag_cache`), else
/// worked out from the day's patients' histories), its reminder and the patient's answer. One
/// read transaction, so that the rows and the marks are of the same moment (and the shared
/// lock is taken once).
pub(crate) fn day(conn: &Conn, day: NaiveDate) -> SqlResult<Vec<Visit>> {
    conn.in_read(|| {
        let mut visits = day_in(conn, day)?;
        with_notices(conn, day, &mut visits)?;
        Ok(visits)
    })
}

/// Each visit's reminder and the patient's answer, for its present time: one query each for
/// the whole day, whatever its size.
fn with_notices(conn: &Conn, day: NaiveDate, visits: &mut [Visit]) -> SqlResult<()> {
    let next = day + chrono::Duration::days(1);
    let reminders = super::outbox::reminders_between(conn, day, next)?;
    let answers = super::answers::answers_between(conn, day, next)?;
    for v in visits {
        v.reminder = reminders.get(&v.id).copied().unwrap_or_default();
        v.answer = answers.get(&v.id).map(|a| a.answer);
    }
    Ok(())
}

/// The long way must work at any moment (a mark can appear with any write), so it is
/// prepared even when the stored flags serve: a record missing an index it names fails here,
/// with the index named, as `doctor` says it would. Preparing reads no page of the file.
fn check_long_way(conn: &Conn) -> SqlResult<()> {
    conn.prepare(&day_sql())?;
    conn.prepare(super::flags::DAY_FLAGS_SQL)
}

fn day_in(conn: &Conn, day: NaiveDate) -> SqlResult<Vec<Visit>> {
    check_long_way(conn)?;
    if let Some(rows) = day_rows(conn, day)? {
        let marks = super::flag_cache::stale_marks(conn)?;
        let day_text = super::stored_time::day_text(day);
        if rows.iter().all(|(v, stored)| {
            stored.is_some() && !super::flag_cache::covers(&marks, v.patient_id, &day_text)
        }) {
            return Ok(rows
                .into_iter()
                .map(|(mut v, stored)| {
                    v.flags = super::flag_cache::decode(stored.as_deref().unwrap_or(""));
                    v
                })
                .collect());
        }
    }
    let mut visits = day_visits_joined(conn, day)?;
    super::flags::fill_day_flags(conn, day, &mut visits)?;
    Ok(visits)
}

/// The visits of the seven days from `monday`, in time order, without their flags: the week
/// view shows who comes when and in what status. One query over the week's range, from the
/// visits' own rows (the long way, joined to the patients, when a row lacks their columns).
pub(crate) fn week(conn: &Conn, monday: NaiveDate) -> SqlResult<Vec<Visit>> {
    let from = super::stored_time::day_text(monday);
    let to = super::stored_time::day_text(monday + chrono::Duration::days(7));
    if let Some(rows) = stored_rows(conn, &from, &to)? {
        return Ok(rows.into_iter().map(|(v, _)| v).collect());
    }
    joined_rows(conn, &from, &to)
}

/// One visit, from its own row (the patient's columns included) when the row has them.
pub(in crate::db) fn visit(conn: &Conn, id: i64) -> SqlResult<Option<Visit>> {
    let own = conn
        .prepare_cached(ROW_SELECT)?
        .query_row(args![id], |r| {
            let whole = (4..=6).try_fold(true, |whole, i| {
                Ok::<_, SqlError>(whole && r.text(i)?.is_some())
            })?;
            whole.then(|| row_to_visit(r)).transpose()
        })
        .optional()?;
    match own {
        Some(Some(v)) => Ok(Some(v)),
        None => Ok(None),
        Some(None) => conn
            .query_row(
                &format!("{VISIT_SELECT} WHERE a.id = ?1"),
                args![id],
                row_to_visit,
            )
            .optional(),
    }
}

/// A visit's row with what it holds of its patient (schema 4): no patient row is read.
const ROW_SELECT: &str =
    "SELECT a.id, a.start, a.minutes, a.patient_id, a.patient_name, a.patient_mrn, a.patient_dob,
        s.id, s.name, s.initials, a.kind, a.status, a.status_changed_at, a.checked_in_at,
        a.cancel_reason, a.room, a.version, a.no_show_risk, a.site_id
    FROM appointments a
    JOIN staff s ON s.id = a.therapist_id
    WHERE a.id = ?1";

/// "changed on another terminal by USER at HH:MM": who made the last audited change.
pub(in crate::db) fn conflict(tx: &Conn, id: i64) -> TxError {
    let last: Option<(String, String)> = tx
        .query_row(
            "SELECT user, local_at FROM audit_log WHERE entity = 'appointment' AND entity_id = ?1
             ORDER BY id DESC LIMIT 1",
            args![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap_or(None);
    let by = match last {
        Some((user, at)) => format!(" by {user} at {}", at.get(11..16).unwrap_or(&at)),
        None => String::new(),
    };
    TxError::App(AppError::of(
        crate::error::ErrorKind::Conflict,
        format!(
            "this visit was changed on another terminal{by} — reloaded; check it and try again"
        ),
    ))
}

pub(in crate::db) fn load_for_change(tx: &Conn, id: i64) -> TxResult<Visit> {
    visit(tx, id)?
        .ok_or_else(|| TxError::App(AppError::not_found(format!("there is no appointment {id}"))))
}

/// The result of asking for a status change.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusChange {
    Changed {
        previous: StatusSnapshot,
        visit: Visit,
    },
    /// Already in that status: nothing stored (checking in twice is harmless).
    Unchanged { visit: Visit },
}

impl Db {
    /// The day's visits without their flags: what the first frame needs, fast on any clinic.
    pub fn day_without_flags(&self, d: NaiveDate) -> AppResult<Vec<Visit>> {
        day_visits(&self.sql(), d).map_err(|e| self.fail(e))
    }

    pub fn day(&self, d: NaiveDate) -> AppResult<Vec<Visit>> {
        day(&self.sql(), d).map_err(|e| self.fail(e))
    }

    /// The week from `monday` (see [`week`]).
    pub fn week(&self, monday: NaiveDate) -> AppResult<Vec<Visit>> {
        week(&self.sql(), monday).map_err(|e| self.fail(e))
    }

    pub fn visit(&self, id: i64) -> AppResult<Option<Visit>> {
        visit(&self.sql(), id).map_err(|e| self.fail(e))
    }

    /// Moves an appointment to `to`. `seen_version` is the version the user was looking at:
    /// when someone else changed the visit since, the change is refused as a conflict.
    pub fn set_status(
        &mut self,
        id: i64,
        seen_version: Option<i64>,
        to: AppointmentStatus,
        reason: Option<CancelReason>,
        who: Who,
    ) -> AppResult<StatusChange> {
        if to == AppointmentStatus::Cancelled && reason.is_none() {
            return Err(AppError::input(
                "a cancellation needs a reason: patient, clinic or late",
            ));
        }
        let today = who.today()?;
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let v = load_for_change(tx, id)?;
            // Already there is harmless whoever did it; otherwise a change made elsewhere
            // since the user looked is reported as such before any other refusal.
            let transition = if to == AppointmentStatus::Completed {
                v.status.check_out(v.start.date(), today)
            } else {
                v.status.transition_to(to, v.start.date(), today)
            };
            if transition == Transition::Unchanged {
                return Ok(StatusChange::Unchanged { visit: v });
            }
            if seen_version.is_some_and(|seen| seen != v.version) {
                return Err(conflict(tx, id));
            }
            if let Transition::Refused(why) = transition {
                return Err(TxError::App(AppError::input(why)));
            }
            let previous = StatusSnapshot {
                status: v.status,
                status_changed_at: v.status_changed_at.clone(),
                checked_in_at: v.checked_in_at.clone(),
                cancel_reason: v.cancel_reason,
            };
            let checked_in_at = match to {
                AppointmentStatus::CheckedIn => Some(who.at.to_string()),
                AppointmentStatus::Completed => v.checked_in_at.clone(),
                _ => None,
            };
            let next = StatusSnapshot {
                status: to,
                status_changed_at: Some(who.at.to_string()),
                checked_in_at,
                cancel_reason: reason.filter(|_| to == AppointmentStatus::Cancelled),
            };
            write_status(tx, id, v.version, &next, &who)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "appointment.status",
                    entity: "appointment",
                    entity_id: Some(id),
                    detail: json!({
                        "from": v.status.as_str(),
                        "to": to.as_str(),
                        "reason": next.cancel_reason.map(|r| r.as_str()),
                    }),
                },
            )?;
            let visit = load_for_change(tx, id)?;
            Ok(StatusChange::Changed { previous, visit })
        })
    }

    /// Puts back the status an appointment had before this terminal's last change (`u`).
    pub fn restore_status(
        &mut self,
        id: i64,
        seen_version: i64,
        previous: &StatusSnapshot,
        who: Who,
    ) -> AppResult<Visit> {
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let v = load_for_change(tx, id)?;
            if v.version != seen_version {
                return Err(conflict(tx, id));
            }
            write_status(tx, id, v.version, previous, &who)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "appointment.status.undo",
                    entity: "appointment",
                    entity_id: Some(id),
                    detail: json!({ "from": v.status.as_str(), "to": previous.status.as_str() }),
                },
            )?;
            load_for_change(tx, id)
        })
    }

    /// Visits of one therapist on one day that are not cancelled (for double-booking warnings).
    pub fn therapist_bookings(&self, therapist_id: i64, d: NaiveDate) -> AppResult<Vec<Visit>> {
        // Only times matter for a double booking: the flags are not worked out.
        Ok(self
            .day_without_flags(d)?
            .into_iter()
            .filter(|v| v.therapist_id == therapist_id && v.status != AppointmentStatus::Cancelled)
            .collect())
    }

    pub fn book(&mut self, b: &Booking, who: Who) -> AppResult<Visit> {
        b.check()?;
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let id = insert_booking(tx, b, None, &who)?;
            load_for_change(tx, id)
        })
    }

    /// Moves a scheduled visit to another time, length or therapist.
    pub fn reschedule(
        &mut self,
        id: i64,
        seen_version: i64,
        b: &Booking,
        who: Who,
    ) -> AppResult<Visit> {
        b.check()?;
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let v = load_for_change(tx, id)?;
            if v.status != AppointmentStatus::Scheduled {
                return Err(TxError::App(AppError::input(format!(
                    "only a scheduled visit can be moved; this one is {}",
                    v.status.label()
                ))));
            }
            if v.version != seen_version {
                return Err(conflict(tx, id));
            }
            super::sites::check_works_at(tx, b.therapist_id, b.site_id)?;
            tx.execute(
                "UPDATE appointments SET start = ?1, minutes = ?2, therapist_id = ?3, kind = ?4,
                    site_id = ?7, version = version + 1
                 WHERE id = ?5 AND version = ?6",
                args![
                    start_text(b.start),
                    b.minutes,
                    b.therapist_id,
                    b.kind.as_str(),
                    id,
                    v.version,
                    b.site_id
                ],
            )?;
            if v.start != b.start {
                super::outbox::cancel_visit_reminders(tx, id, super::outbox::MOVED, &who)?;
            }
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "appointment.reschedule",
                    entity: "appointment",
                    entity_id: Some(id),
                    detail: json!({
                        "from": start_text(v.start),
                        "to": start_text(b.start),
                        "minutes": b.minutes,
                        "therapist_id": b.therapist_id,
                        "site_id": b.site_id,
                    }),
                },
            )?;
            load_for_change(tx, id)
        })
    }
}

/// Books one visit inside a change's transaction (in the therapist's last room), with its
/// audit row; `series` is the visit series it is an occurrence of.
pub(in crate::db) fn insert_booking(
    tx: &Conn,
    b: &Booking,
    series: Option<i64>,
    who: &Who,
) -> TxResult<i64> {
    super::sites::check_works_at(tx, b.therapist_id, b.site_id)?;
    let id = tx.prepare_cached(
        "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, room, created_at,
            patient_name, patient_mrn, patient_dob, series_id, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5,
            (SELECT room FROM appointments WHERE therapist_id = ?2 AND site_id = ?8
                AND room IS NOT NULL ORDER BY start DESC LIMIT 1),
            ?6,
            (SELECT first_name || ' ' || last_name FROM patients WHERE id = ?1),
            (SELECT mrn FROM patients WHERE id = ?1),
            (SELECT date_of_birth FROM patients WHERE id = ?1),
            ?7, ?8)",
    )?
    .insert(args![
        b.patient_id,
        b.therapist_id,
        start_text(b.start),
        b.minutes,
        b.kind.as_str(),
        who.at,
        series,
        b.site_id
    ])?;
    let mut detail = json!({
        "patient_id": b.patient_id,
        "therapist_id": b.therapist_id,
        "start": start_text(b.start),
        "minutes": b.minutes,
        "kind": b.kind.as_str(),
        "site_id": b.site_id,
    });
    if let Some(series) = series {
        detail["series_id"] = json!(series);
    }
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action: "appointment.book",
            entity: "appointment",
            entity_id: Some(id),
            detail,
        },
    )?;
    Ok(id)
}

/// Completes a checked-in visit inside another change's transaction (signing its note), with
/// the status change audited as every status change is. Returns whether it was checked in.
pub(in crate::db) fn complete_if_checked_in(tx: &Conn, id: i64, who: &Who) -> TxResult<bool> {
    let v = load_for_change(tx, id)?;
    // Checking out's rule: only a checked-in visit is completed.
    if v.status.check_out(v.start.date(), who.today()?) != Transition::Change {
        return Ok(false);
    }
    let next = StatusSnapshot {
        status: AppointmentStatus::Completed,
        status_changed_at: Some(who.at.to_string()),
        checked_in_at: v.checked_in_at.clone(),
        cancel_reason: None,
    };
    write_status(tx, id, v.version, &next, who)?;
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action: "appointment.status",
            entity: "appointment",
            entity_id: Some(id),
            detail: json!({
                "from": v.status.as_str(),
                "to": AppointmentStatus::Completed.as_str(),
                "reason": null,
                "by": "note.sign",
            }),
        },
    )?;
    Ok(true)
}

/// Writes a visit's status; a visit no longer scheduled has its waiting reminders cancelled.
pub(in crate::db) fn write_status(
    tx: &Conn,
    id: i64,
    version: i64,
    s: &StatusSnapshot,
    who: &Who,
) -> TxResult<()> {
    let changed = tx.execute(
        "UPDATE appointments SET status = ?1, status_changed_at = ?2, checked_in_at = ?3,
            cancel_reason = ?4, version = version + 1
         WHERE id = ?5 AND version = ?6",
        args![
            s.status.as_str(),
            s.status_changed_at,
            s.checked_in_at,
            s.cancel_reason.map(|r| r.as_str()),
            id,
            version
        ],
    )?;
    if changed == 0 {
        return Err(conflict(tx, id));
    }
    if s.status != AppointmentStatus::Scheduled {
        super::outbox::cancel_visit_reminders(tx, id, super::outbox::NOT_SCHEDULED, who)?;
    }
    Ok(())
}

/// A visit to book or the new place of a rescheduled one.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub patient_id: i64,
    pub therapist_id: i64,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: VisitKind,
    /// Where the visit is (`sites.id`); its therapist must work there.
    pub site_id: i64,
}

impl Booking {
    pub(crate) fn check(&self) -> AppResult<()> {
        if !appointment::is_visit_length(self.minutes) {
            return Err(AppError::input(format!(
                "a visit lasts {} minutes",
                appointment::visit_minutes_range()
            )));
        }
        if !crate::domain::in_clinic_years(self.start.date()) {
            return Err(AppError::input(format!(
                "a visit's date is in the years {}, not {}",
                crate::domain::clinic_years(),
                self.start.date()
            )));
        }
        Ok(())
    }
}

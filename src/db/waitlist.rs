//! The waitlist as stored (schema 7): entries, their preferred therapists, and the changes to
//! them. An entry is never deleted: removing it, or booking it, stamps `removed_at` (and the
//! visit booked), so the record shows who waited and what became of them.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlError, SqlResult, args};
use chrono::{NaiveTime, Weekday};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::schedule::{Booking, insert_booking, load_for_change};
use super::{Db, TxError, TxResult, Who};
use crate::domain::Role;
use crate::domain::appointment::Visit;
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::roles::Duty;
use crate::domain::waitlist::{
    self, FreedSlot, NewWaitlistEntry, PreferredTherapist, TimeWindow, WaitlistEntry, days_text,
};
use crate::error::{AppError, AppResult};

/// Open entries with their patient; the order is the domain's (see `WaitlistEntry::best_first`).
const OPEN_SELECT: &str =
    "SELECT w.id, w.patient_id, p.first_name || ' ' || p.last_name, p.mrn, p.phone,
        w.weekdays, w.times_from, w.times_to, w.minutes, w.priority, w.note, w.added_at,
        w.site_id
    FROM waitlist w JOIN patients p ON p.id = w.patient_id
    WHERE w.removed_at IS NULL";

const ORDER: &str = " ORDER BY w.priority, w.added_at, w.id";

fn bad(idx: usize, what: &str) -> SqlError {
    SqlError::Type(idx, format!("unreadable {what}"))
}

fn time_column(idx: usize, s: &str) -> SqlResult<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| bad(idx, "time"))
}

fn row_to_entry(r: &Row) -> SqlResult<WaitlistEntry> {
    let days: Option<String> = r.get(5)?;
    let weekdays: Vec<Weekday> = match days.as_deref() {
        None | Some("") => Vec::new(),
        Some(d) => waitlist::parse_days(d).map_err(|_| bad(5, "weekdays"))?,
    };
    let from = time_column(6, &r.get::<String>(6)?)?;
    let to = time_column(7, &r.get::<String>(7)?)?;
    let added: String = r.get(11)?;
    let added_at = chrono::NaiveDateTime::parse_from_str(&added, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&added, "%Y-%m-%dT%H:%M"))
        .map_err(|_| bad(11, "added time"))?;
    let priority: i64 = r.get(9)?;
    Ok(WaitlistEntry {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        patient_name: r.get(2)?,
        mrn: r.get(3)?,
        phone: r.get(4)?,
        therapists: Vec::new(),
        weekdays,
        window: TimeWindow::new(from, to).map_err(|_| bad(6, "window"))?,
        minutes: r.get(8)?,
        priority: u8::try_from(priority).map_err(|_| bad(9, "priority"))?,
        note: r.get(10)?,
        added_at,
        site_id: r.get(12)?,
    })
}

/// Fills in each entry's preferred therapists.
fn with_therapists(conn: &Conn, mut entries: Vec<WaitlistEntry>) -> SqlResult<Vec<WaitlistEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.initials FROM waitlist_therapists wt JOIN staff s ON s.id = wt.therapist_id
         WHERE wt.entry_id = ?1 ORDER BY s.initials",
    )?;
    for e in &mut entries {
        e.therapists = stmt
            .query_map(args![e.id], |r| {
                Ok(PreferredTherapist {
                    id: r.get(0)?,
                    initials: r.get(1)?,
                })
            })?
            .collect::<SqlResult<_>>()?;
    }
    Ok(entries)
}

fn open_entries(conn: &Conn) -> SqlResult<Vec<WaitlistEntry>> {
    let mut stmt = conn.prepare_cached(&format!("{OPEN_SELECT}{ORDER}"))?;
    let entries = stmt
        .query_map(&[], row_to_entry)?
        .collect::<SqlResult<_>>()?;
    let mut entries = with_therapists(conn, entries)?;
    entries.sort_by(WaitlistEntry::best_first);
    Ok(entries)
}

fn open_entries_of(conn: &Conn, patient_id: i64) -> SqlResult<Vec<WaitlistEntry>> {
    let mut stmt = conn.prepare_cached(&format!("{OPEN_SELECT} AND w.patient_id = ?1{ORDER}"))?;
    let entries = stmt
        .query_map(args![patient_id], row_to_entry)?
        .collect::<SqlResult<_>>()?;
    let mut entries = with_therapists(conn, entries)?;
    entries.sort_by(WaitlistEntry::best_first);
    Ok(entries)
}

fn open_entry(tx: &Conn, id: i64) -> TxResult<WaitlistEntry> {
    let found = tx
        .prepare_cached(&format!("{OPEN_SELECT} AND w.id = ?1"))?
        .query_row(args![id], row_to_entry)
        .optional()?;
    match found {
        Some(e) => Ok(with_therapists(tx, vec![e])?.remove(0)),
        None => {
            let removed: Option<Option<String>> = tx
                .query_row(
                    "SELECT removed_at FROM waitlist WHERE id = ?1",
                    args![id],
                    |r| r.get(0),
                )
                .optional()?;
            Err(TxError::App(match removed {
                Some(_) => {
                    AppError::input(format!("waitlist entry {id} is already off the waitlist"))
                }
                None => AppError::not_found(format!("there is no waitlist entry {id}")),
            }))
        }
    }
}

/// Takes an open entry off the list: removed by hand, or booked (`appointment`).
fn take_off(tx: &Conn, entry: &WaitlistEntry, appointment: Option<i64>, who: &Who) -> TxResult<()> {
    let changed = tx.execute(
        "UPDATE waitlist SET removed_at = ?1, booked_appointment = ?2, version = version + 1
         WHERE id = ?3 AND removed_at IS NULL",
        args![who.at, appointment, entry.id],
    )?;
    if changed == 0 {
        return Err(TxError::App(AppError::input(format!(
            "waitlist entry {} is already off the waitlist",
            entry.id
        ))));
    }
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action: if appointment.is_some() {
                "waitlist.booked"
            } else {
                "waitlist.remove"
            },
            entity: "waitlist",
            entity_id: Some(entry.id),
            detail: json!({
                "patient_id": entry.patient_id,
                "appointment": appointment,
            }),
        },
    )?;
    Ok(())
}

/// Stores a checked entry and its preferred therapists; returns its id.
pub(in crate::db) fn insert_entry(
    tx: &Conn,
    e: &NewWaitlistEntry,
    added_at: &str,
    added_by: &str,
) -> SqlResult<i64> {
    let hhmm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let days = (!e.weekdays.is_empty()).then(|| days_text(&e.weekdays));
    let id = tx.insert(
        "INSERT INTO waitlist (patient_id, weekdays, times_from, times_to, minutes, priority,
            note, added_at, added_by, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        args![
            e.patient_id,
            days,
            hhmm(e.window.from),
            hhmm(e.window.to),
            e.minutes,
            e.priority,
            e.note,
            added_at,
            added_by,
            e.site_id
        ],
    )?;
    for t in &e.therapist_ids {
        tx.execute(
            "INSERT INTO waitlist_therapists (entry_id, therapist_id) VALUES (?1, ?2)",
            args![id, *t],
        )?;
    }
    Ok(id)
}

impl Db {
    /// Puts a patient on the waitlist; returns the entry's id. Managing the waitlist is part
    /// of the schedule: whoever may book may add, remove and book from it.
    /// A typed entry read as the command and the record's form take it: the therapists found
    /// on the staff (each one who sees patients), the times within the clinic's day. `name`
    /// says a field as the person typing knows it (a flag, a label). Returns the entry and the
    /// therapists' initials.
    pub fn read_typed_waitlist_entry(
        &self,
        patient_id: i64,
        site_id: i64,
        typed: &waitlist::TypedEntry,
        name: fn(waitlist::TypedField) -> &'static str,
    ) -> AppResult<(NewWaitlistEntry, Vec<String>)> {
        use crate::domain::waitlist::TypedField;
        let wrong =
            |(field, e): (TypedField, String)| AppError::input(format!("{}: {e}", name(field)));
        let (open, close) = clinic_day(&self.clinic_calendar()?);
        let read = waitlist::read_typed(typed, open, close).map_err(wrong)?;
        let mut therapist_ids = Vec::new();
        let mut initials = Vec::new();
        for t in typed
            .therapists
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let s = self.find_staff(t).map_err(|e| {
                AppError::input(format!("{}: {}", name(TypedField::Therapists), e.message))
            })?;
            if !matches!(s.role, Role::Therapist | Role::Assistant) {
                return Err(wrong((
                    TypedField::Therapists,
                    format!(
                        "{} ({}) does not see patients: name a therapist or an assistant",
                        crate::sanitize::clean_line(&s.name),
                        crate::sanitize::clean_line(&s.initials)
                    ),
                )));
            }
            therapist_ids.push(s.id);
            initials.push(crate::sanitize::clean_line(&s.initials));
        }
        let entry = NewWaitlistEntry {
            patient_id,
            site_id,
            therapist_ids,
            weekdays: read.weekdays,
            window: read.window,
            minutes: read.minutes,
            priority: read.priority,
            note: read.note,
        };
        Ok((entry, initials))
    }

    pub fn add_waitlist_entry(&mut self, entry: NewWaitlistEntry, who: Who) -> AppResult<i64> {
        let e = entry.checked().map_err(AppError::input)?;
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM patients WHERE id = ?1)",
                args![e.patient_id],
                |r| r.get(0),
            )?;
            if !known {
                return Err(TxError::App(AppError::not_found(format!(
                    "there is no patient {}",
                    e.patient_id
                ))));
            }
            let id = insert_entry(tx, &e, who.at, who.user)?;
            let days = (!e.weekdays.is_empty()).then(|| days_text(&e.weekdays));
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "waitlist.add",
                    entity: "waitlist",
                    entity_id: Some(id),
                    detail: json!({
                        "patient_id": e.patient_id,
                        "therapists": e.therapist_ids,
                        "days": days,
                        "times": e.window.label(),
                        "minutes": e.minutes,
                        "priority": e.priority,
                        "site_id": e.site_id,
                    }),
                },
            )?;
            Ok(id)
        })
    }

    /// Every open entry, best first (the same order at every terminal).
    pub fn open_waitlist(&self) -> AppResult<Vec<WaitlistEntry>> {
        open_entries(&self.sql()).map_err(|e| self.fail(e))
    }

    /// One patient's open waitlist entries, best first: what their record lists.
    pub fn open_waitlist_entries_of_patient(
        &self,
        patient_id: i64,
    ) -> AppResult<Vec<WaitlistEntry>> {
        open_entries_of(&self.sql(), patient_id).map_err(|e| self.fail(e))
    }

    /// The open entries a freed slot fits, best first.
    pub fn waitlist_fitting(&self, slot: &FreedSlot) -> AppResult<Vec<WaitlistEntry>> {
        Ok(waitlist::fitting(&self.open_waitlist()?, slot))
    }

    /// Takes an entry off the waitlist by hand (it stays in the record, marked removed).
    pub fn remove_waitlist_entry(&mut self, id: i64, who: Who) -> AppResult<WaitlistEntry> {
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let entry = open_entry(tx, id)?;
            take_off(tx, &entry, None, &who)?;
            Ok(entry)
        })
    }

    /// Books a waitlisted patient and takes their entry off the list, both or neither: the
    /// booking must be for the entry's patient and the entry still open.
    pub fn book_from_waitlist(&mut self, entry_id: i64, b: &Booking, who: Who) -> AppResult<Visit> {
        b.check()?;
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let entry = open_entry(tx, entry_id)?;
            if entry.patient_id != b.patient_id {
                return Err(TxError::App(AppError::input(format!(
                    "waitlist entry {entry_id} is for {}, not the patient being booked",
                    crate::sanitize::clean_line(&entry.patient_name)
                ))));
            }
            if entry.site_id != b.site_id {
                return Err(TxError::App(AppError::input(format!(
                    "waitlist entry {entry_id} is for another site than the visit being booked"
                ))));
            }
            let id = insert_booking(tx, b, None, &who)?;
            take_off(tx, &entry, Some(id), &who)?;
            load_for_change(tx, id)
        })
    }
}

/// The clinic's day across the week, earliest opening to latest closing: a time typed without
/// a meridiem is read within it (`2-5` is the afternoon).
fn clinic_day(calendar: &ClinicCalendar) -> (NaiveTime, NaiveTime) {
    let open = calendar.week.iter().flatten();
    let first = open.clone().map(|h| h.open).min();
    let last = open.map(|h| h.close).max();
    match (first, last) {
        (Some(f), Some(l)) => (f, l),
        _ => (NaiveTime::MIN, NaiveTime::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;
    use crate::domain::{Role, VisitKind};
    use chrono::{NaiveDate, NaiveTime};

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn who(at: &str) -> Who<'_> {
        Who { user: "admin", at }
    }

    struct Ids {
        patients: Vec<i64>,
        therapist: i64,
    }

    /// A small demo clinic, and some of its patients and a therapist.
    fn clinic() -> (tempfile::TempDir, Db, Ids) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.db");
        let opts = crate::demo::DemoOptions {
            patients: 30,
            weeks_back: 1,
            weeks_ahead: 1,
            ..Default::default()
        };
        crate::demo::build(
            &path,
            false,
            &opts,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        )
        .unwrap();
        let db = crate::db::open_existing(&path).unwrap();
        let patients = testing::patient_ids(&db).unwrap();
        let therapist = db
            .staff()
            .unwrap()
            .into_iter()
            .find(|s| s.role == Role::Therapist)
            .unwrap()
            .id;
        (
            dir,
            db,
            Ids {
                patients,
                therapist,
            },
        )
    }

    /// The open entries among `ours`, in the order the store gives them.
    fn open_of(db: &Db, ours: &[i64]) -> Vec<i64> {
        db.open_waitlist()
            .unwrap()
            .iter()
            .map(|e| e.id)
            .filter(|id| ours.contains(id))
            .collect()
    }

    fn new(patient_id: i64, priority: u8, therapists: Vec<i64>) -> NewWaitlistEntry {
        NewWaitlistEntry {
            site_id: 1,
            patient_id,
            therapist_ids: therapists,
            weekdays: vec![],
            window: TimeWindow::new(t(9, 0), t(12, 0)).unwrap(),
            minutes: 45,
            priority,
            note: Some("can come at short notice".into()),
        }
    }

    fn audit_actions(db: &Db, ours: &[i64]) -> Vec<String> {
        let rows: Vec<(String, i64)> = db
            .sql()
            .prepare_cached(
                "SELECT action, entity_id FROM audit_log WHERE entity = 'waitlist' ORDER BY id",
            )
            .unwrap()
            .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.into_iter()
            .filter(|(_, id)| ours.contains(id))
            .map(|(a, _)| a)
            .collect()
    }

    #[test]
    fn entries_are_listed_best_first_and_removed_without_deleting() {
        let (_dir, mut db, ids) = clinic();
        let (p1, p2, therapist) = (ids.patients[0], ids.patients[1], ids.therapist);
        let a = db
            .add_waitlist_entry(new(p1, 3, vec![]), who("2026-11-20T09:00:00"))
            .unwrap();
        let b = db
            .add_waitlist_entry(new(p2, 1, vec![therapist]), who("2026-11-25T09:00:00"))
            .unwrap();
        let c = db
            .add_waitlist_entry(new(p2, 3, vec![]), who("2026-11-10T09:00:00"))
            .unwrap();
        let ours = [a, b, c];
        assert_eq!(open_of(&db, &ours), vec![b, c, a]);
        let listed = db.open_waitlist().unwrap();
        let first = listed.iter().find(|e| e.id == b).unwrap();
        assert_eq!(first.therapists.len(), 1);
        assert_eq!(first.note.as_deref(), Some("can come at short notice"));
        let mine: Vec<i64> = db
            .open_waitlist_entries_of_patient(p2)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .filter(|id| ours.contains(id))
            .collect();
        assert_eq!(mine, vec![b, c]);
        db.remove_waitlist_entry(c, who("2026-11-26T09:00:00"))
            .unwrap();
        let err = db
            .remove_waitlist_entry(c, who("2026-11-26T09:01:00"))
            .unwrap_err();
        assert!(
            err.message.contains("already off the waitlist"),
            "{}",
            err.message
        );
        assert_eq!(open_of(&db, &ours), vec![b, a]);
        let kept: i64 = db
            .sql()
            .query_row(
                "SELECT count(*) FROM waitlist WHERE id = ?1",
                args![c],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 1, "never deleted");
        assert_eq!(
            audit_actions(&db, &ours),
            vec![
                "waitlist.add",
                "waitlist.add",
                "waitlist.add",
                "waitlist.remove"
            ]
        );
    }

    #[test]
    fn booking_from_the_waitlist_takes_the_entry_off_in_the_same_change() {
        let (_dir, mut db, ids) = clinic();
        let (p1, p2, therapist) = (ids.patients[0], ids.patients[1], ids.therapist);
        let entry = db
            .add_waitlist_entry(new(p1, 2, vec![therapist]), who("2026-11-20T09:00:00"))
            .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let slot = FreedSlot {
            site_id: 1,
            start: day.and_time(t(10, 30)),
            minutes: 45,
            therapist_id: therapist,
        };
        let fits_ours = |db: &Db| {
            db.waitlist_fitting(&slot)
                .unwrap()
                .iter()
                .filter(|e| e.id == entry)
                .count()
        };
        assert_eq!(fits_ours(&db), 1);
        let booking = |patient_id| Booking {
            site_id: 1,
            patient_id,
            therapist_id: therapist,
            start: slot.start,
            minutes: 45,
            kind: VisitKind::Treatment,
        };
        // Another patient's booking leaves the entry and books nothing.
        let before: i64 = db
            .sql()
            .query_row("SELECT count(*) FROM appointments", &[], |r| r.get(0))
            .unwrap();
        let err = db
            .book_from_waitlist(entry, &booking(p2), who("2026-11-27T08:00:00"))
            .unwrap_err();
        assert!(err.message.contains("not the patient being booked"));
        let after: i64 = db
            .sql()
            .query_row("SELECT count(*) FROM appointments", &[], |r| r.get(0))
            .unwrap();
        assert_eq!(before, after);
        let visit = db
            .book_from_waitlist(entry, &booking(p1), who("2026-11-27T08:00:00"))
            .unwrap();
        assert_eq!(visit.patient_id, p1);
        assert!(open_of(&db, &[entry]).is_empty());
        let booked: Option<i64> = db
            .sql()
            .query_row(
                "SELECT booked_appointment FROM waitlist WHERE id = ?1",
                args![entry],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(booked, Some(visit.id));
        assert_eq!(fits_ours(&db), 0);
        // Booked once: a second booking from it is refused, and nothing is booked.
        let err = db
            .book_from_waitlist(entry, &booking(p1), who("2026-11-27T08:01:00"))
            .unwrap_err();
        assert!(err.message.contains("already off the waitlist"));
        assert_eq!(
            audit_actions(&db, &[entry]),
            vec!["waitlist.add", "waitlist.booked"]
        );
    }
}

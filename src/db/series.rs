//! Visit series as stored: what checking a series reads (in one read transaction), booking a
//! whole series in one transaction, and cancelling or moving "this and the following ones".
//!
//! Each occurrence is its own appointment row carrying `series_id`; the `visit_series` row
//! keeps the rule it was booked by (weekdays, time, length, first and last day, the count).

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::schedule::{Booking, insert_booking, start_text};
use super::stored_time::{day_text, parse_start};
use super::{Db, TxError, TxResult, Who};
use crate::domain::appointment::{StatusSnapshot, Visit};
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::flags::Terms;
use crate::domain::plan_of_care::PlanOfCare;
use crate::domain::roles::Duty;
use crate::domain::slots::{Busy, SEARCH_DAYS};
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::{AppError, AppResult};

/// What the check of a patient's series needs from the record but the therapist's diary.
#[derive(Debug, Clone)]
pub struct SeriesFacts {
    pub calendar: ClinicCalendar,
    pub plans: Vec<PlanOfCare>,
    pub terms: Terms,
    /// The patient's visits that are booked or attended (neither cancelled nor missed): they
    /// count against an authorisation.
    pub counted_visits: Vec<(NaiveDate, VisitKind)>,
}

/// The rule a series was booked by, as its row keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRule {
    /// "mon,thu".
    pub weekdays: String,
    /// "HH:MM".
    pub time: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub count: Option<u32>,
}

/// A series (or a single visit, `rule: None`) to book: the times its occurrences were placed
/// at by the check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSeries {
    pub patient_id: i64,
    pub therapist_id: i64,
    pub minutes: i64,
    pub kind: VisitKind,
    /// Where every occurrence is (`sites.id`).
    pub site_id: i64,
    pub rule: Option<SeriesRule>,
    /// Each booked occurrence's start, and whether it must find the therapist free (not one
    /// booked anyway over a clash): a visit booked at another terminal since the check makes
    /// the whole series refused rather than double-booked unseen.
    pub starts: Vec<(NaiveDateTime, bool)>,
}

/// What booking a series stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BookedSeries {
    pub series_id: Option<i64>,
    /// The appointments' ids, in the order of `NewSeries::starts`.
    pub appointments: Vec<i64>,
}

const NOT_GONE: &str = "status NOT IN ('cancelled', 'no_show')";

fn read_counted(conn: &Conn, patient_id: i64) -> SqlResult<Vec<(NaiveDate, VisitKind)>> {
    conn.prepare_cached(&format!(
        "SELECT start, kind FROM appointments WHERE patient_id = ?1 AND {NOT_GONE}"
    ))?
    .query_map(args![patient_id], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?))
    })?
    .filter_map(|row| {
        row.map(|(start, kind)| Some((parse_start(&start)?.date(), VisitKind::parse(&kind)?)))
            .transpose()
    })
    .collect()
}

/// The therapist's visits that are not cancelled from `from` (inclusive) to `to` (exclusive),
/// with the day before, whose longest visit could reach into `from`.
fn read_busy(
    conn: &Conn,
    therapist_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> SqlResult<Vec<Busy>> {
    let from = from.pred_opt().unwrap_or(from);
    conn.prepare_cached(
        "SELECT start, minutes FROM appointments
         WHERE therapist_id = ?1 AND start >= ?2 AND start < ?3 AND status <> 'cancelled'",
    )?
    .query_map(args![therapist_id, day_text(from), day_text(to)], |r| {
        Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
    })?
    .filter_map(|row| {
        row.map(|(start, minutes)| parse_start(&start).map(|start| Busy { start, minutes }))
            .transpose()
    })
    .collect()
}

fn taken_since_check(tx: &Conn, s: &NewSeries) -> TxResult<()> {
    let (Some(first), Some(last)) = (
        s.starts.iter().map(|(t, _)| t.date()).min(),
        s.starts.iter().map(|(t, _)| t.date()).max(),
    ) else {
        return Ok(());
    };
    let busy = crate::domain::slots::BusyTimes::new(read_busy(
        tx,
        s.therapist_id,
        first,
        last + Duration::days(1),
    )?);
    if let Some((at, _)) = s
        .starts
        .iter()
        .find(|(at, must_be_free)| *must_be_free && busy.overlapping(*at, s.minutes).is_some())
    {
        return Err(TxError::App(AppError::of(
            crate::error::ErrorKind::Conflict,
            format!(
                "the therapist was booked at {} on another terminal since the check; nothing was booked: check the series again",
                at.format("%a %-d %b %H:%M")
            ),
        )));
    }
    Ok(())
}

/// The visit a "this and the following" change starts from, and the scheduled visits of its
/// series from it on (itself included when scheduled), in time order.
fn this_and_following(tx: &Conn, id: i64) -> TxResult<(Visit, i64, Vec<Visit>)> {
    let v = super::schedule::visit(tx, id)?.ok_or_else(|| {
        TxError::App(AppError::not_found(format!("there is no appointment {id}")))
    })?;
    let series: Option<i64> = tx.query_row(
        "SELECT series_id FROM appointments WHERE id = ?1",
        args![id],
        |r| r.get(0),
    )?;
    let Some(series) = series else {
        return Err(TxError::App(AppError::input(format!(
            "appointment {id} is a single visit, not one of a series"
        ))));
    };
    let ids: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM appointments WHERE series_id = ?1 AND start >= ?2
               AND status = 'scheduled' ORDER BY start, id",
        )?
        .query_map(args![series, start_text(v.start)], |r| r.get(0))?
        .collect::<SqlResult<_>>()?;
    let mut visits = Vec::with_capacity(ids.len());
    for i in ids {
        if let Some(found) = super::schedule::visit(tx, i)? {
            visits.push(found);
        }
    }
    Ok((v, series, visits))
}

impl Db {
    /// The site's calendar and the patient's plans, authorisations and counted visits, read
    /// at one moment.
    pub fn series_facts(&self, patient_id: i64, site_id: i64) -> AppResult<SeriesFacts> {
        let conn = &self.sql();
        conn.in_read(|| {
            Ok(SeriesFacts {
                calendar: super::sites::calendar_at(conn, site_id)?,
                plans: super::plans::of_patient(conn, patient_id)?,
                terms: super::flags::terms_of(conn, patient_id)?,
                counted_visits: read_counted(conn, patient_id)?,
            })
        })
        .map_err(|e| self.fail(e))
    }

    /// The therapist's taken times from `from` to `to` (exclusive), for slots and the check.
    pub fn therapist_busy(
        &self,
        therapist_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Busy>> {
        read_busy(&self.sql(), therapist_id, from, to).map_err(|e| self.fail(e))
    }

    /// The site's calendar and the therapist's taken times (at every site) from `from` over
    /// the days a free slot is looked for: what the next free slot needs, at one moment.
    pub fn slot_facts(
        &self,
        therapist_id: i64,
        site_id: i64,
        from: NaiveDate,
    ) -> AppResult<(ClinicCalendar, Vec<Busy>)> {
        let conn = &self.sql();
        conn.in_read(|| {
            Ok((
                super::sites::calendar_at(conn, site_id)?,
                read_busy(
                    conn,
                    therapist_id,
                    from,
                    from + Duration::days(SEARCH_DAYS + 1),
                )?,
            ))
        })
        .map_err(|e| self.fail(e))
    }

    /// Books every occurrence in one transaction, each audited, or none: a refusal of any
    /// row (a closed record, a visit the database refuses, the therapist taken since the
    /// check) leaves the record as it was.
    pub fn book_series(&mut self, s: &NewSeries, who: Who) -> AppResult<BookedSeries> {
        for (start, _) in &s.starts {
            Booking {
                patient_id: s.patient_id,
                therapist_id: s.therapist_id,
                start: *start,
                minutes: s.minutes,
                kind: s.kind,
                site_id: s.site_id,
            }
            .check()?;
        }
        if s.starts.is_empty() {
            return Err(AppError::input(
                "every occurrence of the series was skipped: there is nothing to book",
            ));
        }
        self.write_as(&who, Duty::Schedule, |tx, _| {
            super::patients::require(tx, s.patient_id)?;
            taken_since_check(tx, s)?;
            let series_id = match &s.rule {
                None => None,
                Some(rule) => {
                    let id = tx.prepare_cached(
                        "INSERT INTO visit_series (patient_id, therapist_id, weekdays, time, minutes,
                            starts_on, ends_on, count, created_by, created_at, site_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )?
                    .insert(args![
                        s.patient_id,
                        s.therapist_id,
                        rule.weekdays,
                        rule.time,
                        s.minutes,
                        day_text(rule.starts_on),
                        day_text(rule.ends_on),
                        rule.count,
                        who.user,
                        who.at,
                        s.site_id
                    ])?;
                    audit::record(
                        tx,
                        &AuditEntry {
                            at: who.at,
                            user: who.user,
                            action: "series.book",
                            entity: "visit_series",
                            entity_id: Some(id),
                            detail: json!({
                                "patient_id": s.patient_id,
                                "therapist_id": s.therapist_id,
                                "weekdays": rule.weekdays,
                                "time": rule.time,
                                "minutes": s.minutes,
                                "starts_on": day_text(rule.starts_on),
                                "ends_on": day_text(rule.ends_on),
                                "count": rule.count,
                                "booked": s.starts.len(),
                                "site_id": s.site_id,
                            }),
                        },
                    )?;
                    Some(id)
                }
            };
            let mut appointments = Vec::with_capacity(s.starts.len());
            for (start, _) in &s.starts {
                let booking = Booking {
                    patient_id: s.patient_id,
                    therapist_id: s.therapist_id,
                    start: *start,
                    minutes: s.minutes,
                    kind: s.kind,
                    site_id: s.site_id,
                };
                let id = insert_booking(tx, &booking, series_id, &who)?;
                appointments.push(id);
            }
            Ok(BookedSeries {
                series_id,
                appointments,
            })
        })
    }

    /// The series each of the day's visits belongs to (visits of no series are not listed).
    /// The day's covering index does not hold `series_id`, so this reads each visit's row (a
    /// page each on a cold cache); a record in which no series was ever booked is answered
    /// from the first page of `visit_series` alone.
    pub fn day_series(&self, day: NaiveDate) -> AppResult<HashMap<i64, i64>> {
        let (from, to) = super::stored_time::day_range(day);
        let conn = &self.sql();
        conn.in_read(|| {
            let any: bool =
                conn.query_row("SELECT EXISTS (SELECT 1 FROM visit_series)", &[], |r| {
                    r.get(0)
                })?;
            if !any {
                return Ok(HashMap::new());
            }
            conn.prepare_cached(
                "SELECT id, series_id FROM appointments
                 WHERE start >= ?1 AND start < ?2 AND series_id IS NOT NULL",
            )?
            .query_map(args![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
        })
        .map_err(|e| self.fail(e))
    }

    /// The series a visit belongs to, if any.
    pub fn series_of(&self, appointment_id: i64) -> AppResult<Option<i64>> {
        self.sql()
            .query_row(
                "SELECT series_id FROM appointments WHERE id = ?1",
                args![appointment_id],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.fail(e))
    }

    /// Cancels a visit of a series and every later scheduled one of the same series, each
    /// audited; earlier occurrences, attended ones and other visits are left as they are.
    /// Returns the cancelled visits.
    pub fn cancel_following(
        &mut self,
        appointment_id: i64,
        reason: CancelReason,
        who: Who,
    ) -> AppResult<Vec<Visit>> {
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let (first, series, visits) = this_and_following(tx, appointment_id)?;
            if visits.is_empty() {
                return Err(TxError::App(AppError::input(format!(
                    "no scheduled visit of the series is left from {} on",
                    first.start.format("%Y-%m-%d %H:%M")
                ))));
            }
            let mut out = Vec::with_capacity(visits.len());
            for v in visits {
                let cancelled = StatusSnapshot {
                    status: AppointmentStatus::Cancelled,
                    status_changed_at: Some(who.at.to_string()),
                    checked_in_at: None,
                    cancel_reason: Some(reason),
                };
                super::schedule::write_status(tx, v.id, v.version, &cancelled, &who)?;
                audit::record(
                    tx,
                    &AuditEntry {
                        at: who.at,
                        user: who.user,
                        action: "appointment.status",
                        entity: "appointment",
                        entity_id: Some(v.id),
                        detail: json!({
                            "from": v.status.as_str(),
                            "to": AppointmentStatus::Cancelled.as_str(),
                            "reason": reason.as_str(),
                            "series_id": series,
                            "with_following": appointment_id,
                        }),
                    },
                )?;
                if let Some(done) = super::schedule::visit(tx, v.id)? {
                    out.push(done);
                }
            }
            Ok(out)
        })
    }

    /// Moves a visit of a series to `to`, and every later scheduled one of the same series by
    /// the same shift (a Thursday moved an hour later moves each following visit an hour
    /// later), each audited. `seen_version` is the version of the visit the user was looking at.
    pub fn move_following(
        &mut self,
        appointment_id: i64,
        seen_version: Option<i64>,
        to: NaiveDateTime,
        who: Who,
    ) -> AppResult<Vec<Visit>> {
        self.write_as(&who, Duty::Schedule, |tx, _| {
            let (first, series, visits) = this_and_following(tx, appointment_id)?;
            if first.status != AppointmentStatus::Scheduled {
                return Err(TxError::App(AppError::input(format!(
                    "only a scheduled visit can be moved; this one is {}",
                    first.status.label()
                ))));
            }
            if seen_version.is_some_and(|seen| seen != first.version) {
                return Err(TxError::App(AppError::of(
                    crate::error::ErrorKind::Conflict,
                    "this visit was changed on another terminal — reloaded; check it and try again",
                )));
            }
            let shift = to - first.start;
            let mut out = Vec::with_capacity(visits.len());
            for v in visits {
                let moved = v.start + shift;
                if !crate::domain::in_clinic_years(moved.date()) {
                    return Err(TxError::App(AppError::input(format!(
                        "a visit's date is in the years {}, not {}",
                        crate::domain::clinic_years(),
                        moved.date()
                    ))));
                }
                tx.prepare_cached(
                    "UPDATE appointments SET start = ?1, version = version + 1
                     WHERE id = ?2 AND version = ?3",
                )?
                .execute(args![start_text(moved), v.id, v.version])?;
                super::outbox::cancel_visit_reminders(tx, v.id, super::outbox::MOVED, &who)?;
                audit::record(
                    tx,
                    &AuditEntry {
                        at: who.at,
                        user: who.user,
                        action: "appointment.reschedule",
                        entity: "appointment",
                        entity_id: Some(v.id),
                        detail: json!({
                            "from": start_text(v.start),
                            "to": start_text(moved),
                            "minutes": v.minutes,
                            "therapist_id": v.therapist_id,
                            "series_id": series,
                            "with_following": appointment_id,
                        }),
                    },
                )?;
                if let Some(done) = super::schedule::visit(tx, v.id)? {
                    out.push(done);
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoOptions;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A small demo clinic and one of its visits a week ahead (a therapist's taken time).
    fn clinic(dir: &std::path::Path) -> (Db, Visit) {
        let path = dir.join("series.db");
        let opts = DemoOptions {
            patients: 40,
            weeks_back: 1,
            weeks_ahead: 2,
            ..DemoOptions::default()
        };
        crate::demo::build(&path, false, &opts, day("2026-11-27")).unwrap();
        let db = crate::db::open_existing(&path).unwrap();
        let taken = db
            .day_without_flags(day("2026-12-03"))
            .unwrap()
            .into_iter()
            .find(|v| v.status == AppointmentStatus::Scheduled)
            .unwrap();
        (db, taken)
    }

    fn rows(db: &Db, sql: &str) -> i64 {
        db.sql().query_row(sql, &[], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_therapist_taken_since_the_check_refuses_the_whole_series() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, taken) = clinic(dir.path());
        let audit_before = rows(&db, "SELECT count(*) FROM audit_log");
        let free = taken.start - Duration::days(3) + Duration::hours(12);
        let series = |over_taken_must_be_free: bool| NewSeries {
            site_id: 1,
            patient_id: taken.patient_id,
            therapist_id: taken.therapist_id,
            minutes: 45,
            kind: VisitKind::Treatment,
            rule: Some(SeriesRule {
                weekdays: "mon,thu".into(),
                time: "10:00".into(),
                starts_on: free.date(),
                ends_on: taken.start.date(),
                count: Some(2),
            }),
            starts: vec![(free, true), (taken.start, over_taken_must_be_free)],
        };
        let who = Who {
            user: "admin",
            at: "2026-11-27T09:00:00",
        };
        let refused = db.book_series(&series(true), who).unwrap_err();
        assert_eq!(refused.kind, crate::error::ErrorKind::Conflict);
        assert!(
            refused.message.contains("nothing was booked"),
            "{}",
            refused.message
        );
        assert_eq!(rows(&db, "SELECT count(*) FROM visit_series"), 0);
        assert_eq!(rows(&db, "SELECT count(*) FROM audit_log"), audit_before);

        // Booked anyway over the clash it was checked with: both visits, one series.
        let who = Who {
            user: "admin",
            at: "2026-11-27T09:00:00",
        };
        let booked = db.book_series(&series(false), who).unwrap();
        assert_eq!(booked.appointments.len(), 2);
        let id = booked.series_id.unwrap();
        assert_eq!(db.series_of(booked.appointments[1]).unwrap(), Some(id));
        assert_eq!(db.series_of(taken.id).unwrap(), None);
        let on_day = db.day_series(taken.start.date()).unwrap();
        assert_eq!(on_day.get(&booked.appointments[1]), Some(&id));
        assert_eq!(on_day.get(&taken.id), None);
    }
}

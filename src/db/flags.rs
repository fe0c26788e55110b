//! Compliance flags for a whole day's visits with a few set-based queries (not one query per
//! visit): the day's patients' visits up to the day's end, their plan-of-care and
//! authorisation terms, and their latest adherence reports. The rules are in
//! `domain::flags`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension};

use super::schedule::START_FORMAT;
use crate::domain::appointment::Visit;
use crate::domain::flags::{self, Adherence, HistoryVisit, THRESHOLDS, Terms, Thresholds};
use crate::domain::{AppointmentStatus, VisitKind};

/// The `meta` key that overrides the re-evaluation interval in days (0 turns it off).
pub const META_REEVAL_DAYS: &str = "reeval_days";

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// The clinic's thresholds: the defaults, with the record's own re-evaluation interval.
pub fn thresholds(conn: &Connection) -> rusqlite::Result<Thresholds> {
    let reeval: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([META_REEVAL_DAYS], |r| r.get(0))
        .optional()?;
    Ok(match reeval.and_then(|v| v.trim().parse::<i64>().ok()) {
        Some(days) => Thresholds {
            reeval_days: (days > 0).then_some(days),
            ..THRESHOLDS
        },
        None => THRESHOLDS,
    })
}

/// Fills `flags` of every visit in `visits` (all on `day`).
pub fn fill_day_flags(
    conn: &Connection,
    day: NaiveDate,
    visits: &mut [Visit],
) -> rusqlite::Result<()> {
    if visits.is_empty() {
        return Ok(());
    }
    let t = thresholds(conn)?;
    let from = day_text(day);
    let to = day_text(day.succ_opt().unwrap_or(day));
    const DAY_PATIENTS: &str =
        "SELECT patient_id FROM appointments WHERE start >= ?1 AND start < ?2";

    let mut history: HashMap<i64, Vec<HistoryVisit>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.patient_id, a.id, a.start, a.kind, a.status,
                COALESCE((SELECT n.is_progress_report FROM visit_notes n WHERE n.appointment_id = a.id), 0)
         FROM appointments a
         WHERE a.patient_id IN ({DAY_PATIENTS}) AND a.start < ?2
           AND a.status IN ('scheduled', 'checked_in', 'completed')"
    ))?;
    let mut rows = stmt.query([&from, &to])?;
    while let Some(r) = rows.next()? {
        let start: String = r.get(2)?;
        let kind: String = r.get(3)?;
        let status: String = r.get(4)?;
        let (Ok(start), Some(kind), Some(status)) = (
            NaiveDateTime::parse_from_str(&start, START_FORMAT),
            VisitKind::parse(&kind),
            AppointmentStatus::parse(&status),
        ) else {
            continue;
        };
        history.entry(r.get(0)?).or_default().push(HistoryVisit {
            id: r.get(1)?,
            start,
            kind,
            status,
            progress_report: r.get::<_, i64>(5)? != 0,
        });
    }

    let mut terms: HashMap<i64, Terms> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, authorized_visits, auth_end, poc_start, poc_end FROM patients
         WHERE id IN ({DAY_PATIENTS})"
    ))?;
    let mut rows = stmt.query([&from, &to])?;
    while let Some(r) = rows.next()? {
        terms.insert(
            r.get(0)?,
            Terms {
                authorized_visits: r.get(1)?,
                auth_end: parse_day(r.get(2)?),
                poc_start: parse_day(r.get(3)?),
                poc_end: parse_day(r.get(4)?),
            },
        );
    }

    // The latest report on or before the day, per patient.
    let mut adherence: HashMap<i64, Adherence> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT patient_id, reported_on, sessions_done, sessions_prescribed
         FROM adherence_reports
         WHERE patient_id IN ({DAY_PATIENTS}) AND reported_on < ?2
         ORDER BY patient_id, reported_on, id"
    ))?;
    let mut rows = stmt.query([&from, &to])?;
    while let Some(r) = rows.next()? {
        if let Some(reported_on) = parse_day(r.get(1)?) {
            adherence.insert(
                r.get(0)?,
                Adherence {
                    reported_on,
                    done: r.get(2)?,
                    prescribed: r.get(3)?,
                },
            );
        }
    }

    let empty = Vec::new();
    for v in visits.iter_mut() {
        let h = history.get(&v.patient_id).unwrap_or(&empty);
        let target = h
            .iter()
            .find(|x| x.id == v.id)
            .cloned()
            .unwrap_or(HistoryVisit {
                id: v.id,
                start: v.start,
                kind: v.kind,
                status: v.status,
                progress_report: false,
            });
        let standing = flags::assess(
            h,
            &target,
            &terms.get(&v.patient_id).copied().unwrap_or_default(),
            adherence.get(&v.patient_id),
            &t,
        );
        v.flags = standing
            .flags
            .iter()
            .map(|f| f.as_str().to_string())
            .collect();
    }
    Ok(())
}

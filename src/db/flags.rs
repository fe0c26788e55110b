//! Compliance flags for a whole day's visits with a few set-based queries (not one query per
//! visit): the day's patients' visits up to the day's end, their plan-of-care and
//! authorisation terms, and their latest adherence reports. The rules are in
//! `domain::flags`.

use super::sql::{Conn, OptionalExtension, SqlResult, args};
use std::collections::HashMap;

use chrono::NaiveDate;

use super::stored_time::{day_range, parse_day, parse_start};
use crate::domain::appointment::Visit;
use crate::domain::flags::{
    self, Adherence, AuthWindow, HistoryVisit, PlanWindow, THRESHOLDS, Terms, Thresholds,
};
use crate::domain::{AppointmentStatus, VisitKind};

/// The `meta` key that overrides the re-evaluation interval in days (0 turns it off).
pub const META_REEVAL_DAYS: &str = "reeval_days";

/// The clinic's thresholds: the defaults, with the record's own re-evaluation interval.
pub(crate) fn thresholds(conn: &Conn) -> SqlResult<Thresholds> {
    let reeval: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row(args![META_REEVAL_DAYS], |r| r.get(0))
        .optional()?;
    Ok(with_reeval(reeval))
}

/// The defaults with the record's `reeval_days` value, when it is a number.
fn with_reeval(value: Option<String>) -> Thresholds {
    match value.and_then(|v| v.trim().parse::<i64>().ok()) {
        Some(days) => Thresholds {
            reeval_days: (days > 0).then_some(days),
            ..THRESHOLDS
        },
        None => THRESHOLDS,
    }
}

/// The day's flag inputs: ?1 the day, ?2 the next day, ?3 the re-evaluation setting's key.
///
/// One statement, so the shared lock is taken once (each lock is a round trip on a
/// network drive). Row tags: 0 a visit up to the day's end, 1 a plan of care, 2 an
/// adherence report, 3 the re-evaluation setting, 4 an authorisation (with whether its payer
/// counts the evaluation).
///
/// A patient's visits are read from `from_day` on, so that the cost of a day does not grow
/// with the years behind it. `flags::assess` starts over at every attended evaluation; an
/// attended re-evaluation or discharge also ends the reporting period and restarts (or
/// stops) the re-evaluation clock. The plans' flags need no visit at all, and the
/// authorisation's count only the visits in the window of the authorisation that holds the
/// day. So the history starts on the latest of those boundaries before the day, or on the
/// start of an authorisation holding the day when that is earlier, and is whole when there is
/// no boundary. Plans and authorisations whose days are not stored days count as none, on
/// both sides (`date(x) IS x`, as `stored_time::parse_day` reads them). Reading more than that
/// never changes a flag; this reads nothing less (a test compares every visit's flags with
/// those from the patient's whole history).
///
/// A visit's progress report is looked up in the small index of progress reports: the
/// planner would otherwise take the unique index of all notes and read each note's row
/// (its text) for its one flag, a page read per visit of the episode.
pub(crate) const DAY_FLAGS_SQL: &str = "WITH day_patients AS (
         SELECT DISTINCT patient_id FROM appointments WHERE start >= ?1 AND start < ?2),
     bounded AS MATERIALIZED (
         SELECT d.patient_id,
                (SELECT substr(e.start, 1, 10) FROM appointments e
                 WHERE e.patient_id = d.patient_id AND e.start < ?1
                   AND e.status IN ('checked_in', 'completed')
                   AND e.kind IN ('evaluation', 're_evaluation', 'discharge')
                 ORDER BY e.start DESC LIMIT 1) AS boundary,
                (SELECT min(au.starts_on) FROM authorizations au
                 WHERE au.patient_id = d.patient_id AND au.starts_on <= ?1 AND au.ends_on >= ?1
                   AND date(au.starts_on) IS au.starts_on AND date(au.ends_on) IS au.ends_on)
                    AS auth_start
         FROM day_patients d),
     history_from AS (
         SELECT patient_id,
                CASE WHEN boundary IS NULL THEN ''
                     WHEN auth_start IS NOT NULL AND auth_start < boundary THEN auth_start
                     ELSE boundary END AS from_day
         FROM bounded)
     SELECT 0, a.patient_id, a.id, a.start, a.kind, a.status,
            CASE WHEN a.kind IN ('treatment', 'progress') OR a.start >= ?1
                 THEN CASE WHEN EXISTS (SELECT 1 FROM visit_notes n INDEXED BY visit_notes_progress
                                        WHERE n.appointment_id = a.id AND n.is_progress_report = 1)
                           THEN 1 ELSE 0 END
                 ELSE 0 END,
            CAST(NULL AS INTEGER)
     FROM history_from h
     JOIN appointments a ON a.patient_id = h.patient_id
     WHERE a.start >= h.from_day AND a.start < ?2
       AND a.status IN ('scheduled', 'checked_in', 'completed')
     UNION ALL
     SELECT 1, pl.patient_id, pl.id, pl.starts_on, pl.ends_on, NULL,
            CASE WHEN pl.certified_on IS NOT NULL THEN 1 ELSE 0 END, NULL
     FROM plans_of_care pl WHERE pl.patient_id IN (SELECT patient_id FROM day_patients)
     UNION ALL
     SELECT 2, patient_id, sessions_done, reported_on, NULL, NULL, sessions_prescribed, id
     FROM adherence_reports
     WHERE patient_id IN (SELECT patient_id FROM day_patients) AND reported_on < ?2
     UNION ALL
     SELECT 3, NULL, NULL, value, NULL, NULL, NULL, NULL FROM meta WHERE key = ?3
     UNION ALL
     SELECT 4, au.patient_id, au.id, au.starts_on, au.ends_on, NULL,
            coalesce((SELECT py.evaluation_counts FROM payers py INDEXED BY payers_evaluation_counts
                      WHERE py.name = au.payer), 1),
            au.visits
     FROM authorizations au WHERE au.patient_id IN (SELECT patient_id FROM day_patients)";

/// A plan of care row as the flag queries read it; `None` when a day is not a stored day.
pub(crate) fn plan_window(
    id: i64,
    starts_on: &str,
    ends_on: &str,
    certified: bool,
) -> Option<PlanWindow> {
    Some(PlanWindow {
        id,
        starts_on: parse_day(starts_on)?,
        ends_on: parse_day(ends_on)?,
        certified,
    })
}

/// An authorisation row as the flag queries read it; `None` when a day is not a stored day.
pub(crate) fn auth_window(
    id: i64,
    starts_on: &str,
    ends_on: &str,
    visits: i64,
    evaluation_counts: bool,
) -> Option<AuthWindow> {
    Some(AuthWindow {
        id,
        starts_on: parse_day(starts_on)?,
        ends_on: parse_day(ends_on)?,
        visits,
        evaluation_counts,
    })
}

/// One patient's plans and authorisations, as the day's query reads them.
pub(crate) fn terms_of(conn: &Conn, patient_id: i64) -> SqlResult<Terms> {
    let plans = conn
        .prepare_cached(
            "SELECT id, starts_on, ends_on, certified_on IS NOT NULL FROM plans_of_care
             WHERE patient_id = ?1",
        )?
        .query_map(args![patient_id], |r| {
            Ok(plan_window(
                r.get(0)?,
                &r.get::<String>(1)?,
                &r.get::<String>(2)?,
                r.get(3)?,
            ))
        })?
        .filter_map(|w| w.transpose())
        .collect::<SqlResult<_>>()?;
    let authorizations = conn
        .prepare_cached(
            "SELECT au.id, au.starts_on, au.ends_on, au.visits,
                    coalesce((SELECT py.evaluation_counts FROM payers py WHERE py.name = au.payer), 1)
             FROM authorizations au WHERE au.patient_id = ?1",
        )?
        .query_map(args![patient_id], |r| {
            Ok(auth_window(
                r.get(0)?,
                &r.get::<String>(1)?,
                &r.get::<String>(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?
        .filter_map(|w| w.transpose())
        .collect::<SqlResult<_>>()?;
    Ok(Terms {
        plans,
        authorizations,
    })
}

impl super::Db {
    /// Fills `flags` of every visit in `visits` (all on `day`).
    pub fn fill_day_flags(
        &self,
        day: NaiveDate,
        visits: &mut [Visit],
    ) -> crate::error::AppResult<()> {
        fill_day_flags(&self.sql(), day, visits).map_err(|e| self.fail(e))
    }
}

/// Fills `flags` of every visit in `visits` (all on `day`).
pub(crate) fn fill_day_flags(conn: &Conn, day: NaiveDate, visits: &mut [Visit]) -> SqlResult<()> {
    if visits.is_empty() {
        return Ok(());
    }
    let (from, to) = day_range(day);
    let mut stmt = conn.prepare_cached(DAY_FLAGS_SQL)?;
    let mut t = THRESHOLDS;
    let mut history: HashMap<i64, Vec<HistoryVisit>> = HashMap::new();
    let mut terms: HashMap<i64, Terms> = HashMap::new();
    // The latest report on or before the day, per patient: (reported_on, id) decides.
    let mut adherence: HashMap<i64, (NaiveDate, i64, Adherence)> = HashMap::new();
    stmt.each(args![from, to, META_REEVAL_DAYS], |r| {
        match r.get::<i64>(0)? {
            0 => {
                let start: String = r.get(3)?;
                let kind: String = r.get(4)?;
                let status: String = r.get(5)?;
                let (Some(start), Some(kind), Some(status)) = (
                    parse_start(&start),
                    VisitKind::parse(&kind),
                    AppointmentStatus::parse(&status),
                ) else {
                    return Ok(());
                };
                history.entry(r.get(1)?).or_default().push(HistoryVisit {
                    id: r.get(2)?,
                    start,
                    kind,
                    status,
                    progress_report: r.get::<i64>(6)? != 0,
                });
            }
            1 => {
                let (start, end): (String, String) = (r.get(3)?, r.get(4)?);
                if let Some(w) = plan_window(r.get(2)?, &start, &end, r.get(6)?) {
                    terms.entry(r.get(1)?).or_default().plans.push(w);
                }
            }
            4 => {
                let (start, end): (String, String) = (r.get(3)?, r.get(4)?);
                if let Some(w) = auth_window(r.get(2)?, &start, &end, r.get(7)?, r.get(6)?) {
                    terms.entry(r.get(1)?).or_default().authorizations.push(w);
                }
            }
            2 => {
                let day: Option<String> = r.get(3)?;
                let (done, prescribed): (i64, i64) = (r.get(2)?, r.get(6)?);
                let Some(report) = day
                    .as_deref()
                    .and_then(|day| super::adherence::report(day, done, prescribed))
                else {
                    return Ok(());
                };
                let reported_on = report.reported_on;
                let id: i64 = r.get(7)?;
                let e = adherence
                    .entry(r.get(1)?)
                    .or_insert((reported_on, id, report));
                if (reported_on, id) > (e.0, e.1) {
                    *e = (reported_on, id, report);
                }
            }
            _ => {
                let value: Option<String> = r.get(3)?;
                t = with_reeval(value);
            }
        }
        Ok(())
    })?;
    let adherence: HashMap<i64, Adherence> =
        adherence.into_iter().map(|(k, (_, _, a))| (k, a)).collect();

    let empty = Vec::new();
    let no_terms = Terms::default();
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
            terms.get(&v.patient_id).unwrap_or(&no_terms),
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

//! What the clinic's outcome figures read: every patient's visits, measurements, discharges,
//! plans, authorisations and adherence reports over a window, in a few short statements (each
//! copied into memory and finished, so another terminal's commit never waits for a report),
//! built into episodes by `domain::outcomes`.

use super::sql::{Conn, SqlResult, args};
use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::Db;
use super::stored_time::{day_text, parse_day};
use crate::domain::discharge::DischargeReason;
use crate::domain::measures::{BodyRegion, MeasureDef};
use crate::domain::no_show::Attendance;
use crate::domain::outcomes::episodes::{
    OutcomePoint, OutcomeVisit, PatientOutcomeInput, PayerSpan, PlanSpan, SELF_DISCHARGE_DAYS,
};
use crate::domain::outcomes::{Episode, Expected, episodes_of, expected};
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::AppResult;

/// How far before a period its episodes are looked for: an episode that ends in the period
/// began at most this long before it (a plan of care runs up to 90 days; three
/// recertifications are nine months). What a period's figures cost is mostly this read.
pub const LOOKBACK_DAYS: i64 = 270;

/// The days read for episodes ending from `from` to `to`: a year before, and 30 days after,
/// which tells whether an episode without a discharge lapsed.
fn window(from: NaiveDate, to: NaiveDate, as_of: NaiveDate) -> (String, String) {
    let first = from - Duration::days(LOOKBACK_DAYS);
    let last = (to + Duration::days(SELF_DISCHARGE_DAYS + 1)).min(as_of);
    (day_text(first), day_text(last + Duration::days(1)))
}

/// A patient's part of the read, made on first use.
fn entry(people: &mut HashMap<i64, PatientOutcomeInput>, id: i64) -> &mut PatientOutcomeInput {
    people.entry(id).or_insert_with(|| PatientOutcomeInput {
        patient_id: id,
        ..Default::default()
    })
}

/// A plan's or an authorisation's patient, days and its region or payer.
type Span = (i64, NaiveDate, NaiveDate, Option<String>);

fn read_inputs(
    conn: &Conn,
    only: Option<i64>,
    (first, end): (&str, &str),
) -> SqlResult<HashMap<i64, PatientOutcomeInput>> {
    let mut people: HashMap<i64, PatientOutcomeInput> = HashMap::new();
    // A patient's own read goes by their indexes; the clinic's by the days'.
    let who = only.unwrap_or(-1);
    let mine = if only.is_some() {
        "patient_id = ?3"
    } else {
        "CAST(?3 AS INTEGER) = -1"
    };
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT patient_id, id, therapist_id, start, kind, status, cancel_reason
             FROM appointments
             WHERE start >= ?1 AND start < ?2 AND {mine}
               AND status <> 'scheduled'"
        ))?;
        stmt.each(args![first, end, who], |r| {
            let (Some(day), Some(kind), Some(status)) = (
                parse_day(r.text(3)?.unwrap_or("").get(..10).unwrap_or("")),
                VisitKind::parse(r.text(4)?.unwrap_or("")),
                AppointmentStatus::parse(r.text(5)?.unwrap_or("")),
            ) else {
                return Ok(());
            };
            let reason = r.text(6)?.and_then(CancelReason::parse);
            entry(&mut people, r.get(0)?).visits.push(OutcomeVisit {
                id: r.get(1)?,
                therapist_id: r.get(2)?,
                day,
                kind,
                attendance: Attendance::of(status, reason),
            });
            Ok(())
        })?;
    }
    // Patients with no visit in the window have no episode in it.
    let (first_day, last_day) = (&first[..10], &end[..10]);
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT patient_id, measure_code, taken_on, value FROM measurements
             WHERE taken_on >= ?1 AND taken_on < ?2 AND {mine}"
        ))?;
        stmt.each(args![first_day, last_day, who], |r| {
            let Some(p) = people.get_mut(&r.get(0)?) else {
                return Ok(());
            };
            let Some(date) = parse_day(r.text(2)?.unwrap_or("")) else {
                return Ok(());
            };
            p.points.push(OutcomePoint {
                code: r.get(1)?,
                date,
                value: r.get(3)?,
            });
            Ok(())
        })?;
    }
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT patient_id, discharged_on, reason FROM discharges
             WHERE discharged_on >= ?1 AND discharged_on < ?2 AND {mine}"
        ))?;
        stmt.each(args![first_day, last_day, who], |r| {
            let (Some(p), Some(day), Some(reason)) = (
                people.get_mut(&r.get(0)?),
                parse_day(r.text(1)?.unwrap_or("")),
                DischargeReason::parse(r.text(2)?.unwrap_or("")),
            ) else {
                return Ok(());
            };
            p.discharges.push((day, reason));
            Ok(())
        })?;
    }
    // Plans name the region an episode treats; authorisations its payer.
    let spans = |table: &str, column: &str| -> SqlResult<Vec<Span>> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT patient_id, starts_on, ends_on, {column} FROM {table}
             WHERE ends_on >= ?1 AND starts_on < ?2 AND {mine}"
        ))?;
        let mut out = Vec::new();
        stmt.each(args![first_day, last_day, who], |r| {
            if let (Some(starts_on), Some(ends_on)) = (
                parse_day(r.text(1)?.unwrap_or("")),
                parse_day(r.text(2)?.unwrap_or("")),
            ) {
                out.push((r.get(0)?, starts_on, ends_on, r.get(3)?));
            }
            Ok(())
        })?;
        Ok(out)
    };
    for (id, starts_on, ends_on, region) in spans("plans_of_care", "body_region")? {
        if let Some(p) = people.get_mut(&id) {
            p.plans.push(PlanSpan {
                starts_on,
                ends_on,
                region: region.as_deref().and_then(BodyRegion::parse),
            });
        }
    }
    for (id, starts_on, ends_on, payer) in spans("authorizations", "payer")? {
        if let (Some(p), Some(payer)) = (people.get_mut(&id), payer) {
            p.payers.push(PayerSpan {
                starts_on,
                ends_on,
                payer,
            });
        }
    }
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT patient_id, reported_on, sessions_done, sessions_prescribed
             FROM adherence_reports
             WHERE reported_on >= ?1 AND reported_on < ?2 AND {mine}"
        ))?;
        stmt.each(args![first_day, last_day, who], |r| {
            let (Some(p), Some(day)) = (
                people.get_mut(&r.get(0)?),
                parse_day(r.text(1)?.unwrap_or("")),
            ) else {
                return Ok(());
            };
            let (done, prescribed): (i64, i64) = (r.get(2)?, r.get(3)?);
            if prescribed > 0 {
                p.adherence
                    .push((day, (100.0 * done as f64 / prescribed as f64).min(100.0)));
            }
            Ok(())
        })?;
    }
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT id, date_of_birth, body_region, payer FROM patients
             WHERE {}",
            if only.is_some() {
                "id = ?1"
            } else {
                "CAST(?1 AS INTEGER) = -1"
            }
        ))?;
        stmt.each(args![who], |r| {
            let Some(p) = people.get_mut(&r.get(0)?) else {
                return Ok(());
            };
            p.date_of_birth = r.text(1)?.and_then(parse_day);
            p.region = r.text(2)?.and_then(BodyRegion::parse);
            p.payer = r.get(3)?;
            Ok(())
        })?;
    }
    Ok(people)
}

/// Episodes of every patient, in patient and start order.
fn build(
    people: HashMap<i64, PatientOutcomeInput>,
    defs: &[MeasureDef],
    as_of: NaiveDate,
) -> Vec<Episode> {
    let mut ids: Vec<i64> = people.keys().copied().collect();
    ids.sort_unstable();
    ids.iter()
        .flat_map(|id| episodes_of(&people[id], defs, as_of))
        .collect()
}

/// The clinic's episodes a period's figures stand on, and the measures as the clinic defines
/// them.
pub struct OutcomeRead {
    pub defs: Vec<MeasureDef>,
    pub episodes: Vec<Episode>,
}

/// How many years of finished episodes "what to expect" compares with.
pub const HISTORY_YEARS: u32 = 3;

/// How long the compared episodes are kept before they are read again.
const HISTORY_KEPT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The clinic's finished episodes of the last years, as read at a time.
pub struct History {
    read_at: std::time::Instant,
    as_of: NaiveDate,
    episodes: Vec<Episode>,
}

/// A patient as the Clinic pane's drill-down lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientLabel {
    pub name: String,
    pub mrn: String,
}

/// A count, not the episodes: a reply in a debug line must not list a clinic's patients.
impl std::fmt::Debug for OutcomeRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutcomeRead({} episodes)", self.episodes.len())
    }
}

/// What to expect for a patient's latest episode.
pub struct ExpectedOutcome {
    pub episode: Episode,
    pub expected: Expected,
    /// The code of the measure compared on.
    pub measure: &'static str,
}

impl Db {
    /// The episodes that can end from `from` to `to` (and those in care), as of `as_of`.
    pub fn outcome_episodes(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> AppResult<OutcomeRead> {
        let (first, end) = window(from, to, as_of);
        let run = || -> SqlResult<OutcomeRead> {
            let defs = super::measure_reads::clinic_measures(&self.sql())?;
            let people = read_inputs(&self.sql(), None, (&first, &end))?;
            Ok(OutcomeRead {
                episodes: build(people, &defs, as_of),
                defs,
            })
        };
        run().map_err(|e| self.fail(e))
    }

    /// One patient's episodes up to `as_of` (the last year and a half of them).
    pub fn patient_episodes(&self, patient_id: i64, as_of: NaiveDate) -> AppResult<Vec<Episode>> {
        Ok(self.patient_care(patient_id, as_of)?.0)
    }

    /// The patient's episodes and the day of their last attended visit (which may lie in no
    /// episode: treatment after a missed evaluation, or after a lapse).
    fn patient_care(
        &self,
        patient_id: i64,
        as_of: NaiveDate,
    ) -> AppResult<(Vec<Episode>, Option<NaiveDate>)> {
        let (first, end) = window(as_of - Duration::days(183), as_of, as_of);
        let run = || -> SqlResult<(Vec<Episode>, Option<NaiveDate>)> {
            let defs = super::measure_reads::clinic_measures(&self.sql())?;
            let people = read_inputs(&self.sql(), Some(patient_id), (&first, &end))?;
            let last = people
                .values()
                .flat_map(|p| &p.visits)
                .filter(|v| v.attendance == Attendance::Attended && v.day <= as_of)
                .map(|v| v.day)
                .max();
            Ok((build(people, &defs, as_of), last))
        };
        run().map_err(|e| self.fail(e))
    }

    /// What to expect for the patient's latest episode (in care, or the last one finished)
    /// from the clinic's finished episodes of the last three years: None when the patient has
    /// no episode with a measure, or is treated outside one (no attended evaluation since). The episodes compared with are read once an hour.
    pub fn expected_outcome(
        &mut self,
        patient_id: i64,
        as_of: NaiveDate,
    ) -> AppResult<Option<ExpectedOutcome>> {
        if !self.history_kept(as_of) {
            let from = as_of
                .checked_sub_months(chrono::Months::new(12 * HISTORY_YEARS))
                .unwrap_or(as_of);
            let read = self.outcome_episodes(from, as_of, as_of)?;
            self.outcome_history = Some(History {
                read_at: std::time::Instant::now(),
                as_of,
                episodes: read
                    .episodes
                    .into_iter()
                    .filter(|e| e.ending.finished())
                    .collect(),
            });
        }
        self.kept_expected_outcome(patient_id, as_of)
    }

    fn history_kept(&self, as_of: NaiveDate) -> bool {
        self.outcome_history
            .as_ref()
            .is_some_and(|h| h.as_of == as_of && h.read_at.elapsed() < HISTORY_KEPT)
    }

    /// [`Db::expected_outcome`] only when the compared episodes are kept: never the long read
    /// (pane 2 asks this at every opening; its own key asks for the read).
    pub fn kept_expected_outcome(
        &self,
        patient_id: i64,
        as_of: NaiveDate,
    ) -> AppResult<Option<ExpectedOutcome>> {
        if !self.history_kept(as_of) {
            return Ok(None);
        }
        let (mut episodes, last_attended) = self.patient_care(patient_id, as_of)?;
        // The latest episode is the patient's care only if no attended visit came after it.
        let Some(current) = episodes
            .pop()
            .filter(|e| e.end.is_none() || e.end >= last_attended)
        else {
            return Ok(None);
        };
        let defs = self.measures()?;
        let history = self
            .outcome_history
            .as_ref()
            .map_or(&[][..], |h| &h.episodes[..]);
        Ok(
            expected(history, &defs, &current).map(|expected| ExpectedOutcome {
                measure: defs[expected.measure].code,
                episode: current,
                expected,
            }),
        )
    }

    /// The names and MRNs of these patients (for lists a role may see).
    pub fn patient_labels(&self, ids: &[i64]) -> AppResult<HashMap<i64, PatientLabel>> {
        let run = || -> SqlResult<HashMap<i64, PatientLabel>> {
            let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
            let mut stmt = self
                .sql()
                .prepare_cached("SELECT id, first_name, last_name, mrn FROM patients")?;
            let mut out = HashMap::new();
            stmt.each(&[], |r| {
                let id: i64 = r.get(0)?;
                if wanted.contains(&id) {
                    let (first, last): (String, String) = (r.get(1)?, r.get(2)?);
                    out.insert(
                        id,
                        PatientLabel {
                            name: format!("{last}, {first}"),
                            mrn: r.get(3)?,
                        },
                    );
                }
                Ok(())
            })?;
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }
}

//! Episodes of care as the clinic's outcome figures count them, built from one patient's
//! visits, measurements, discharges, plans and authorisations.
//!
//! An episode runs from an attended evaluation to its discharge (an attended discharge visit or
//! a recorded discharge, whichever comes first) or, with neither, to the last attended visit
//! once 30 days have passed without one ("self-discharged"). A new evaluation also closes the
//! episode before it at its last attended visit.

use chrono::{Datelike, NaiveDate};

use crate::domain::discharge::DischargeReason;
use crate::domain::measures::{BodyRegion, MeasureDef, is_functional};
use crate::domain::no_show::Attendance;
use crate::domain::progress::improvement;
use crate::domain::{VisitKind, age_on};

/// Days without a visit after which an episode with no discharge counts as self-discharged.
pub const SELF_DISCHARGE_DAYS: i64 = 30;
/// Days between the first and last value that make a pair complete without an intake and a
/// discharge value.
pub const COMPLETE_PAIR_DAYS: i64 = 14;
/// How near the evaluation (and the discharge) a value counts as taken at intake (discharge).
pub const INTAKE_DAYS: i64 = 7;

/// Float slack for "met" (the same as the progress pane's).
const EPS: f64 = 1e-9;

/// One of the patient's visits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeVisit {
    pub id: i64,
    pub therapist_id: i64,
    pub day: NaiveDate,
    pub kind: VisitKind,
    pub attendance: Attendance,
}

/// One stored measurement (ROM and other measures without an MCID are ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomePoint {
    pub code: String,
    pub date: NaiveDate,
    pub value: f64,
}

/// A plan of care's span and the body region it treats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSpan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub region: Option<BodyRegion>,
}

/// An authorisation's span and its payer.
#[derive(Debug, Clone, PartialEq)]
pub struct PayerSpan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub payer: String,
}

/// Everything the outcome figures read about one patient.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientOutcomeInput {
    pub patient_id: i64,
    pub date_of_birth: Option<NaiveDate>,
    /// The region on the patient's record, for episodes whose plan names none.
    pub region: Option<BodyRegion>,
    /// The payer on the patient's record, for episodes no authorisation covers.
    pub payer: Option<String>,
    pub visits: Vec<OutcomeVisit>,
    pub points: Vec<OutcomePoint>,
    pub discharges: Vec<(NaiveDate, DischargeReason)>,
    pub plans: Vec<PlanSpan>,
    pub payers: Vec<PayerSpan>,
    /// Reported home-program adherence: the day and the percentage of sessions done.
    pub adherence: Vec<(NaiveDate, f64)>,
}

/// How an episode ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ending {
    /// A recorded discharge with its reason.
    Discharged(ReasonKey),
    /// A discharge visit without a recorded reason.
    DischargeVisit,
    /// No discharge, and 30 days without a visit (or a new evaluation).
    SelfDischarged,
    /// Still in care.
    Open,
}

/// A discharge reason as an ordered key (for tallies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonKey(pub u8);

impl ReasonKey {
    pub fn of(r: DischargeReason) -> ReasonKey {
        ReasonKey(
            DischargeReason::ALL
                .iter()
                .position(|x| *x == r)
                .unwrap_or(0) as u8,
        )
    }

    pub fn reason(self) -> DischargeReason {
        DischargeReason::ALL
            .get(usize::from(self.0))
            .copied()
            .unwrap_or(DischargeReason::Other)
    }
}

impl Ending {
    /// The word reports and JSON use: a discharge reason, "discharged" (no reason recorded),
    /// "self_discharged", "open".
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Discharged(r) => r.reason().as_str(),
            Ending::DischargeVisit => "discharged",
            Ending::SelfDischarged => "self_discharged",
            Ending::Open => "open",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Ending::Discharged(r) => r.reason().label(),
            Ending::DischargeVisit => "discharged, no reason recorded",
            Ending::SelfDischarged => "self-discharged",
            Ending::Open => "in care",
        }
    }

    pub fn finished(self) -> bool {
        self != Ending::Open
    }
}

/// One measure over one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurePair {
    /// Index into the definitions the episodes were built with.
    pub measure: usize,
    pub initial: f64,
    pub last: f64,
    pub initial_on: NaiveDate,
    pub last_on: NaiveDate,
    pub values: usize,
    /// `last − initial` counted positive when it is an improvement.
    pub change: f64,
    pub mcid_met: bool,
    /// At least two values 14 days apart, or an intake and a discharge value.
    pub complete: bool,
    /// The improvement so far after each measured visit: (attended visits by then, change).
    pub course: Vec<(u32, f64)>,
}

/// A functional-outcome check of one attended visit (MIPS measure 182).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitCheck {
    pub day: NaiveDate,
    /// The patient was 18 or older: the visit is in the measure's denominator.
    pub adult: bool,
    /// A standardised functional measure was taken that day or in the 30 days before.
    pub assessed: bool,
    /// The assessment shows a deficit and there is a plan of care dated within two days of it.
    pub planned: bool,
    /// The assessment shows a deficit (a score short of full function).
    pub deficit: bool,
}

impl VisitCheck {
    /// In the measure's numerator: assessed, and where the score shows a deficit, a care plan.
    pub fn met(&self) -> bool {
        self.assessed && (!self.deficit || self.planned)
    }
}

/// One episode of care with what the figures need.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub patient_id: i64,
    /// The therapist of the evaluation.
    pub therapist_id: i64,
    pub start: NaiveDate,
    /// The day it ended: the discharge, or the last attended visit. None while open.
    pub end: Option<NaiveDate>,
    pub ending: Ending,
    pub region: Option<BodyRegion>,
    pub payer: Option<String>,
    /// Age at the evaluation.
    pub age: Option<i32>,
    pub attended: u32,
    pub no_shows: u32,
    pub late_cancels: u32,
    /// Attended, no-show and late-cancelled visits: what the rates divide by.
    pub finished_visits: u32,
    pub adherence: Vec<f64>,
    pub pairs: Vec<MeasurePair>,
    /// A standardised functional measure within a week of the evaluation.
    pub functional_at_intake: bool,
    /// A standardised functional measure within a week before the end.
    pub functional_at_discharge: bool,
    pub visit_checks: Vec<VisitCheck>,
    /// The last attended visit (its id and day), where the patient's record can be opened.
    pub last_visit: Option<(i64, NaiveDate)>,
}

impl Episode {
    /// Days from the evaluation to the end (0 for a one-day episode), None while open.
    pub fn days(&self) -> Option<i64> {
        self.end.map(|e| (e - self.start).num_days())
    }

    /// The month it ended, `YYYY-MM`.
    pub fn end_month(&self) -> Option<String> {
        self.end
            .map(|e| format!("{:04}-{:02}", e.year(), e.month()))
    }

    /// The pair of this measure, if the episode has one.
    pub fn pair(&self, measure: usize) -> Option<&MeasurePair> {
        self.pairs.iter().find(|p| p.measure == measure)
    }
}

/// A functional score short of full function: not at the measure's best end.
fn shows_deficit(def: &MeasureDef, value: f64) -> bool {
    match def.better {
        crate::domain::measures::Better::Higher => value < def.max - EPS,
        crate::domain::measures::Better::Lower => value > def.min + EPS,
    }
}

/// The patient's episodes, oldest first, as of `as_of` (which decides what is still open).
pub fn episodes_of(
    input: &PatientOutcomeInput,
    defs: &[MeasureDef],
    as_of: NaiveDate,
) -> Vec<Episode> {
    let mut visits: Vec<OutcomeVisit> = input
        .visits
        .iter()
        .filter(|v| v.day <= as_of)
        .copied()
        .collect();
    visits.sort_by_key(|v| (v.day, v.id));
    let attended = |v: &OutcomeVisit| v.attendance == Attendance::Attended;
    let evaluations: Vec<usize> = visits
        .iter()
        .enumerate()
        .filter(|(_, v)| v.kind == VisitKind::Evaluation && attended(v))
        .map(|(i, _)| i)
        .collect();
    // Same-day values of one measure (PSFS activities, a retest) count as their mean.
    let mut points: Vec<(usize, NaiveDate, f64)> = Vec::new();
    {
        let mut raw: Vec<(usize, NaiveDate, f64)> = input
            .points
            .iter()
            .filter(|p| p.date <= as_of)
            .filter_map(|p| {
                let m = defs
                    .iter()
                    .position(|d| d.code.eq_ignore_ascii_case(&p.code) && d.mcid.is_some())?;
                Some((m, p.date, p.value))
            })
            .collect();
        raw.sort_by_key(|a| (a.0, a.1));
        for chunk in raw.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            let mean = chunk.iter().map(|c| c.2).sum::<f64>() / chunk.len() as f64;
            points.push((chunk[0].0, chunk[0].1, mean));
        }
    }
    let mut out = Vec::with_capacity(evaluations.len());
    for (n, &first) in evaluations.iter().enumerate() {
        let mut next = evaluations.get(n + 1).copied().unwrap_or(visits.len());
        // More than 30 days between two attended visits ends the episode at the first: what
        // comes after without a new evaluation belongs to no episode.
        let mut last_seen = visits[first].day;
        for (i, v) in visits.iter().enumerate().take(next).skip(first + 1) {
            if (v.day - last_seen).num_days() > SELF_DISCHARGE_DAYS {
                next = i;
                break;
            }
            if attended(v) {
                last_seen = v.day;
            }
        }
        let segment = &visits[first..next];
        let start = segment[0].day;
        // Where the next segment starts: a new evaluation or the visit after a lapse.
        let next_evaluation = visits.get(next).map(|v| v.day);
        let before_next = |d: NaiveDate| next_evaluation.is_none_or(|n| d < n);
        let discharge_visit = segment
            .iter()
            .find(|v| v.kind == VisitKind::Discharge && attended(v))
            .map(|v| v.day);
        let recorded = input
            .discharges
            .iter()
            .filter(|(d, _)| *d >= start && before_next(*d))
            .min_by_key(|(d, _)| *d)
            .copied();
        let last_attended = segment.iter().rfind(|v| attended(v)).map(|v| v.day);
        let (end, ending) = match (discharge_visit, recorded) {
            // The earlier of the two ends it; a recorded discharge always gives the reason.
            (v, Some((d, reason))) => (
                Some(v.map_or(d, |v| v.min(d))),
                Ending::Discharged(ReasonKey::of(reason)),
            ),
            (Some(v), None) => (Some(v), Ending::DischargeVisit),
            (None, None) => {
                let last = last_attended.unwrap_or(start);
                let lapsed = (as_of - last).num_days() > SELF_DISCHARGE_DAYS;
                if next_evaluation.is_some() || lapsed {
                    (Some(last), Ending::SelfDischarged)
                } else {
                    (None, Ending::Open)
                }
            }
        };
        let until = end.unwrap_or(as_of);
        let within: Vec<&OutcomeVisit> = segment.iter().filter(|v| v.day <= until).collect();
        let count = |a: Attendance| within.iter().filter(|v| v.attendance == a).count() as u32;
        let attended_days: Vec<NaiveDate> = within
            .iter()
            .filter(|v| attended(v))
            .map(|v| v.day)
            .collect();
        let visits_by = |d: NaiveDate| attended_days.iter().filter(|a| **a <= d).count() as u32;
        let mine: Vec<&(usize, NaiveDate, f64)> = points
            .iter()
            .filter(|(_, d, _)| *d >= start && *d <= until && before_next(*d))
            .collect();
        let mut pairs = Vec::new();
        for (m, def) in defs.iter().enumerate() {
            let series: Vec<&&(usize, NaiveDate, f64)> =
                mine.iter().filter(|(pm, _, _)| *pm == m).collect();
            let (Some(first), Some(last)) = (series.first(), series.last()) else {
                continue;
            };
            let change = improvement(def, first.2, last.2);
            let at_intake = (first.1 - start).num_days() <= INTAKE_DAYS;
            let at_discharge = end.is_some_and(|e| (e - last.1).num_days() <= INTAKE_DAYS)
                && matches!(ending, Ending::Discharged(_) | Ending::DischargeVisit);
            let apart = (last.1 - first.1).num_days() >= COMPLETE_PAIR_DAYS;
            pairs.push(MeasurePair {
                measure: m,
                initial: first.2,
                last: last.2,
                initial_on: first.1,
                last_on: last.1,
                values: series.len(),
                change,
                mcid_met: def.mcid.is_some_and(|mcid| change + EPS >= mcid),
                complete: series.len() >= 2 && (apart || (at_intake && at_discharge)),
                course: series
                    .iter()
                    .map(|(_, d, v)| (visits_by(*d), improvement(def, first.2, *v)))
                    .collect(),
            });
        }
        let functional: Vec<(NaiveDate, bool)> = mine
            .iter()
            .filter(|(m, _, _)| is_functional(defs[*m].code))
            .map(|(m, d, v)| (*d, shows_deficit(&defs[*m], *v)))
            .collect();
        let functional_at_intake = functional
            .iter()
            .any(|(d, _)| (*d - start).num_days() <= INTAKE_DAYS);
        let functional_at_discharge = end.is_some_and(|e| {
            ending != Ending::Open
                && functional
                    .iter()
                    .any(|(d, _)| (e - *d).num_days() <= INTAKE_DAYS && *d >= start)
        });
        let visit_checks = attended_days
            .iter()
            .map(|&day| {
                let adult = input
                    .date_of_birth
                    .is_some_and(|dob| age_on(dob, day) >= 18);
                // The latest functional assessment on the day or in the 30 days before.
                let current = functional
                    .iter()
                    .filter(|(d, _)| *d <= day && (day - *d).num_days() <= 30)
                    .max_by_key(|(d, _)| *d);
                let deficit = current.is_some_and(|(_, deficit)| *deficit);
                let planned = current.is_some_and(|(d, _)| {
                    input
                        .plans
                        .iter()
                        .any(|p| p.ends_on >= *d && (p.starts_on - *d).num_days() <= 2)
                });
                VisitCheck {
                    day,
                    adult,
                    assessed: current.is_some(),
                    planned,
                    deficit,
                }
            })
            .collect();
        let plan_region = input
            .plans
            .iter()
            .filter(|p| p.starts_on <= start + chrono::Duration::days(INTAKE_DAYS))
            .filter(|p| p.ends_on >= start)
            .max_by_key(|p| p.starts_on)
            .and_then(|p| p.region);
        let payer = input
            .payers
            .iter()
            .filter(|p| p.starts_on <= start + chrono::Duration::days(INTAKE_DAYS))
            .filter(|p| p.ends_on >= start)
            .max_by_key(|p| p.starts_on)
            .map(|p| p.payer.clone())
            .or_else(|| input.payer.clone());
        out.push(Episode {
            patient_id: input.patient_id,
            therapist_id: segment[0].therapist_id,
            start,
            end,
            ending,
            region: plan_region.or(input.region),
            payer,
            age: input.date_of_birth.map(|dob| age_on(dob, start)),
            attended: count(Attendance::Attended),
            no_shows: count(Attendance::NoShow),
            late_cancels: count(Attendance::LateCancel),
            finished_visits: within.iter().filter(|v| v.attendance.finished()).count() as u32,
            adherence: input
                .adherence
                .iter()
                .filter(|(d, _)| *d >= start && *d <= until)
                .map(|(_, p)| *p)
                .collect(),
            pairs,
            functional_at_intake,
            functional_at_discharge,
            visit_checks,
            last_visit: within.iter().rfind(|v| attended(v)).map(|v| (v.id, v.day)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::measures::MEASURES;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn visit(id: i64, day: &str, kind: VisitKind, a: Attendance) -> OutcomeVisit {
        OutcomeVisit {
            id,
            therapist_id: 7,
            day: d(day),
            kind,
            attendance: a,
        }
    }

    fn point(code: &str, day: &str, value: f64) -> OutcomePoint {
        OutcomePoint {
            code: code.into(),
            date: d(day),
            value,
        }
    }

    fn m(code: &str) -> usize {
        MEASURES.iter().position(|d| d.code == code).unwrap()
    }

    use Attendance::{Attended, LateCancel, NoShow};
    use VisitKind::{Discharge, Evaluation, Treatment};

    fn patient(visits: Vec<OutcomeVisit>, points: Vec<OutcomePoint>) -> PatientOutcomeInput {
        PatientOutcomeInput {
            patient_id: 1,
            date_of_birth: Some(d("1970-05-01")),
            region: Some(BodyRegion::Knee),
            payer: Some("Aetna".into()),
            visits,
            points,
            ..Default::default()
        }
    }

    #[test]
    fn an_episode_with_one_value_has_no_complete_pair() {
        let p = patient(
            vec![
                visit(1, "2026-03-02", Evaluation, Attended),
                visit(2, "2026-03-09", Treatment, Attended),
                visit(3, "2026-03-30", Discharge, Attended),
            ],
            vec![point("LEFS", "2026-03-02", 40.0)],
        );
        let e = episodes_of(&p, MEASURES, d("2026-06-01"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].ending, Ending::DischargeVisit);
        assert_eq!(e[0].end, Some(d("2026-03-30")));
        let pair = e[0].pair(m("LEFS")).unwrap();
        assert_eq!(pair.values, 1);
        assert!(!pair.complete);
        assert!(!pair.mcid_met);
    }

    #[test]
    fn a_patient_who_stops_coming_is_self_discharged_after_30_days() {
        let visits = vec![
            visit(1, "2026-03-02", Evaluation, Attended),
            visit(2, "2026-03-09", Treatment, Attended),
            visit(3, "2026-03-16", Treatment, NoShow),
        ];
        let p = patient(visits, vec![]);
        let open = episodes_of(&p, MEASURES, d("2026-04-08"));
        assert_eq!(open[0].ending, Ending::Open);
        assert_eq!(open[0].end, None);
        let gone = episodes_of(&p, MEASURES, d("2026-04-09"));
        assert_eq!(gone[0].ending, Ending::SelfDischarged);
        assert_eq!(gone[0].end, Some(d("2026-03-09")));
        assert_eq!((gone[0].attended, gone[0].no_shows), (2, 0));
    }

    #[test]
    fn two_episodes_of_one_patient_keep_their_own_values() {
        let p = patient(
            vec![
                visit(1, "2025-01-06", Evaluation, Attended),
                visit(2, "2025-01-20", Treatment, Attended),
                visit(3, "2025-02-03", Discharge, Attended),
                visit(4, "2025-09-01", Evaluation, Attended),
                visit(5, "2025-09-08", Treatment, LateCancel),
                visit(6, "2025-09-22", Treatment, Attended),
            ],
            vec![
                point("NPRS", "2025-01-06", 7.0),
                point("NPRS", "2025-02-03", 3.0),
                point("NPRS", "2025-09-01", 6.0),
                point("NPRS", "2025-09-22", 5.0),
            ],
        );
        let e = episodes_of(&p, MEASURES, d("2026-01-01"));
        assert_eq!(e.len(), 2);
        let first = e[0].pair(m("NPRS")).unwrap();
        assert_eq!((first.initial, first.last, first.change), (7.0, 3.0, 4.0));
        assert!(first.complete && first.mcid_met);
        let second = e[1].pair(m("NPRS")).unwrap();
        assert_eq!((second.initial, second.last), (6.0, 5.0));
        assert!(second.complete && !second.mcid_met);
        assert_eq!(e[1].ending, Ending::SelfDischarged);
        assert_eq!(e[1].late_cancels, 1);
        assert_eq!(e[1].finished_visits, 3);
    }

    #[test]
    fn a_worsening_counts_negative_and_lower_is_better_for_odi() {
        let p = patient(
            vec![
                visit(1, "2026-01-05", Evaluation, Attended),
                visit(2, "2026-02-02", Discharge, Attended),
            ],
            vec![
                point("ODI", "2026-01-05", 40.0),
                point("ODI", "2026-02-02", 28.0),
                point("LEFS", "2026-01-05", 50.0),
                point("LEFS", "2026-02-02", 44.0),
            ],
        );
        let e = &episodes_of(&p, MEASURES, d("2026-03-01"))[0];
        let odi = e.pair(m("ODI")).unwrap();
        assert_eq!(odi.change, 12.0);
        assert!(odi.mcid_met, "ODI 40 → 28 is 12 points better, MCID 10");
        let lefs = e.pair(m("LEFS")).unwrap();
        assert_eq!(lefs.change, -6.0);
        assert!(!lefs.mcid_met);
        assert!(e.functional_at_intake && e.functional_at_discharge);
    }

    #[test]
    fn intake_and_discharge_values_make_a_pair_complete_even_when_close() {
        let p = patient(
            vec![
                visit(1, "2026-01-05", Evaluation, Attended),
                visit(2, "2026-01-12", Discharge, Attended),
            ],
            vec![
                point("NPRS", "2026-01-05", 6.0),
                point("NPRS", "2026-01-12", 2.0),
            ],
        );
        let e = &episodes_of(&p, MEASURES, d("2026-03-01"))[0];
        assert!(e.pair(m("NPRS")).unwrap().complete);
        // Without the discharge, a week apart is not enough.
        let mut open = p.clone();
        open.visits[1].kind = Treatment;
        let e = &episodes_of(&open, MEASURES, d("2026-03-01"))[0];
        assert_eq!(e.ending, Ending::SelfDischarged);
        assert!(!e.pair(m("NPRS")).unwrap().complete);
    }

    #[test]
    fn a_recorded_discharge_gives_its_reason_and_same_day_values_are_averaged() {
        let mut p = patient(
            vec![
                visit(1, "2026-01-05", Evaluation, Attended),
                visit(2, "2026-01-26", Treatment, Attended),
            ],
            vec![
                point("PSFS", "2026-01-05", 3.0),
                point("PSFS", "2026-01-05", 5.0),
                point("PSFS", "2026-01-26", 7.0),
            ],
        );
        p.discharges = vec![(d("2026-01-26"), DischargeReason::GoalsMet)];
        let e = &episodes_of(&p, MEASURES, d("2026-01-27"))[0];
        assert_eq!(e.ending.as_str(), "goals_met");
        let psfs = e.pair(m("PSFS")).unwrap();
        assert_eq!((psfs.initial, psfs.values, psfs.change), (4.0, 2, 3.0));
        assert_eq!(psfs.course, vec![(1, 0.0), (2, 3.0)]);
    }

    #[test]
    fn a_lapse_of_more_than_30_days_ends_the_episode_before_it() {
        let p = patient(
            vec![
                visit(1, "2026-01-05", Evaluation, Attended),
                visit(2, "2026-01-12", Treatment, Attended),
                visit(3, "2026-03-02", Treatment, Attended),
            ],
            vec![],
        );
        let e = episodes_of(&p, MEASURES, d("2026-03-03"));
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].ending, e[0].end),
            (Ending::SelfDischarged, Some(d("2026-01-12")))
        );
        assert_eq!(e[0].attended, 2);
    }

    #[test]
    fn visits_before_any_evaluation_start_no_episode() {
        let p = patient(
            vec![
                visit(1, "2026-01-05", Treatment, Attended),
                visit(2, "2026-01-12", Evaluation, NoShow),
            ],
            vec![],
        );
        assert!(episodes_of(&p, MEASURES, d("2026-03-01")).is_empty());
    }

    #[test]
    fn the_plan_names_the_region_and_the_authorisation_the_payer() {
        let mut p = patient(vec![visit(1, "2026-01-05", Evaluation, Attended)], vec![]);
        p.plans = vec![PlanSpan {
            starts_on: d("2026-01-05"),
            ends_on: d("2026-03-05"),
            region: Some(BodyRegion::Lumbar),
        }];
        p.payers = vec![PayerSpan {
            starts_on: d("2026-01-05"),
            ends_on: d("2026-03-05"),
            payer: "Medicare".into(),
        }];
        let e = &episodes_of(&p, MEASURES, d("2026-01-06"))[0];
        assert_eq!(e.region, Some(BodyRegion::Lumbar));
        assert_eq!(e.payer.as_deref(), Some("Medicare"));
        assert_eq!(e.age, Some(55));
    }

    #[test]
    fn a_visit_is_in_mips_182s_numerator_with_a_current_assessment_and_a_plan() {
        let mut p = patient(
            vec![
                visit(1, "2026-01-05", Evaluation, Attended),
                visit(2, "2026-01-20", Treatment, Attended),
                visit(3, "2026-02-12", Treatment, Attended),
            ],
            vec![
                point("LEFS", "2026-01-05", 40.0),
                point("NPRS", "2026-02-12", 3.0),
            ],
        );
        let checks = |p: &PatientOutcomeInput| {
            episodes_of(p, MEASURES, d("2026-02-13"))[0]
                .visit_checks
                .iter()
                .map(VisitCheck::met)
                .collect::<Vec<_>>()
        };
        // A deficit with no plan; NPRS is pain, not function; day 38 is past 30 days.
        assert_eq!(checks(&p), vec![false, false, false]);
        p.plans = vec![PlanSpan {
            starts_on: d("2026-01-06"),
            ends_on: d("2026-03-06"),
            region: None,
        }];
        assert_eq!(checks(&p), vec![true, true, false]);
    }
}

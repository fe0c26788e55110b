//! A patient's progress: each outcome measure from the initial (evaluation) value to the
//! latest, with its change and MCID status, the episode's counts, and the compliance flags.
//! Built by `db::progress` from the record; everything here is pure.
//!
//! MCID status compares the latest value with the initial one in the measure's better
//! direction: an improvement of at least the MCID is *met*; a worsening of at least the MDC
//! (where the measure has one, else the MCID) is *worse*; anything between is *not yet* (a
//! change smaller than the measurement error is not called worse). ROM has no MCID: its
//! change is shown alone.

use chrono::{NaiveDate, NaiveDateTime};

use super::authorization::AuthorizationUse;
use super::flags::{Adherence, Flag, HistoryVisit, Terms, Thresholds};
pub use super::measures::short_site;
use super::measures::{Better, MeasureDef};
use super::patient::Patient;
use super::plan_of_care::PlanOfCare;
use super::{AppointmentStatus, VisitKind};

/// Tolerance for comparing computed scores with MCID (scores carry one decimal).
const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasureStatus {
    /// Improved by at least the MCID.
    Met,
    /// Not (yet) improved by the MCID, and not worse beyond measurement error.
    NotYet,
    /// Worse by at least the MDC (or the MCID where no MDC is defined).
    Worse,
    /// No MCID for this measure (ROM): the change is shown alone.
    ChangeOnly,
    /// Taken in an earlier episode, shown as such while the current one has no measure yet:
    /// no change or MCID is claimed from another episode's values.
    EarlierEpisode,
}

impl MeasureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureStatus::Met => "met",
            MeasureStatus::NotYet => "not_yet",
            MeasureStatus::Worse => "worse",
            MeasureStatus::ChangeOnly => "change_only",
            MeasureStatus::EarlierEpisode => "earlier_episode",
        }
    }

    /// The words a person reads.
    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Met => "MCID met",
            MeasureStatus::NotYet => "not yet",
            MeasureStatus::Worse => "worse than MDC",
            MeasureStatus::ChangeOnly => "change only",
            MeasureStatus::EarlierEpisode => "earlier episode",
        }
    }

    /// The words for a measure: "met" is named by the form's own threshold ("MCID met",
    /// PSFS's "MDC met").
    pub fn label_for(self, def: &MeasureDef) -> String {
        match self {
            MeasureStatus::Met => format!("{} met", def.threshold),
            other => other.label().to_string(),
        }
    }

    /// `mcid_status` in JSON: "met", "not_yet", "worse", or None when the measure has no MCID.
    pub fn mcid_status(self) -> Option<&'static str> {
        match self {
            MeasureStatus::ChangeOnly | MeasureStatus::EarlierEpisode => None,
            other => Some(other.as_str()),
        }
    }

    /// `mcid_met` in JSON: None when the measure has no MCID.
    pub fn mcid_met(self) -> Option<bool> {
        match self {
            MeasureStatus::Met => Some(true),
            MeasureStatus::NotYet | MeasureStatus::Worse => Some(false),
            MeasureStatus::ChangeOnly | MeasureStatus::EarlierEpisode => None,
        }
    }
}

/// The change from `initial` to `latest` counted positive when it is an improvement.
pub fn improvement(def: &MeasureDef, initial: f64, latest: f64) -> f64 {
    match def.better {
        Better::Higher => latest - initial,
        Better::Lower => initial - latest,
    }
}

/// The MCID status of a change from `initial` to `latest`.
pub fn mcid_status(def: &MeasureDef, initial: f64, latest: f64) -> MeasureStatus {
    let Some(mcid) = def.mcid else {
        return MeasureStatus::ChangeOnly;
    };
    let gain = improvement(def, initial, latest);
    let worse_by = def.mdc.unwrap_or(mcid);
    if gain + EPS >= mcid {
        MeasureStatus::Met
    } else if -gain + EPS >= worse_by {
        MeasureStatus::Worse
    } else {
        MeasureStatus::NotYet
    }
}

/// Sparkline levels for `values`, scaled over the measure's whole range to `0..=top` so that
/// up is better whatever the measure's direction (pain going down draws as a rising line).
/// For ratatui's `Sparkline`, set `.max(top)`.
pub fn sparkline_levels(def: &MeasureDef, values: &[f64], top: u64) -> Vec<u64> {
    let span = def.max - def.min;
    values
        .iter()
        .map(|&v| {
            let v = v.clamp(def.min, def.max);
            let goodness = match def.better {
                Better::Higher => (v - def.min) / span,
                Better::Lower => (def.max - v) / span,
            };
            (goodness * top as f64).round() as u64
        })
        .collect()
}

/// One stored measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurePoint {
    pub id: i64,
    pub date: NaiveDate,
    pub value: f64,
    /// ROM joint/motion/side, PSFS activities, a short note.
    pub detail: Option<String>,
    /// Item answers as stored (JSON), when entered item by item.
    pub items: Option<String>,
    pub appointment_id: Option<i64>,
}

/// One measure's course over the episode (ROM: one per joint, motion and side).
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureTrend {
    /// The measure as this clinic defines it (its thresholds from the record).
    pub def: MeasureDef,
    /// The ROM site this series is about ("knee flexion right"); None for the others.
    pub site: Option<String>,
    /// Oldest first.
    pub points: Vec<MeasurePoint>,
    pub initial: f64,
    pub latest: f64,
    /// `latest − initial`, in the measure's own points (negative when a value went down).
    pub change: f64,
    pub status: MeasureStatus,
}

impl MeasureTrend {
    /// "Numeric Pain Rating Scale", or "Range of motion: knee flexion right".
    pub fn title(&self) -> String {
        match &self.site {
            Some(site) => format!("{}: {site}", self.def.name),
            None => self.def.name.to_string(),
        }
    }

    /// The series in a dozen columns: the code, and for ROM its site in clinicians' short
    /// words ("ROM R knee ext").
    pub fn short_title(&self) -> String {
        match &self.site {
            Some(site) => format!("{} {}", self.def.code, short_site(site)),
            None => self.def.code.to_string(),
        }
    }

    /// The change this episode shows, None for an earlier episode's values.
    pub fn change_shown(&self) -> Option<f64> {
        (self.status != MeasureStatus::EarlierEpisode).then_some(self.change)
    }

    /// The change counted positive when it is an improvement.
    pub fn improvement(&self) -> f64 {
        improvement(&self.def, self.initial, self.latest)
    }

    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.value).collect()
    }

    /// Levels for a sparkline, up is better (see [`sparkline_levels`]).
    pub fn sparkline(&self, top: u64) -> Vec<u64> {
        sparkline_levels(&self.def, &self.values(), top)
    }
}

/// Groups measurements into trends, in the order of the MEASURES table (ROM sites
/// alphabetically). `points` are (code, point) pairs in any order.
pub fn trends(points: Vec<(String, MeasurePoint)>, defs: &[MeasureDef]) -> Vec<MeasureTrend> {
    let mut out: Vec<MeasureTrend> = Vec::new();
    for def in defs {
        let mut mine: Vec<MeasurePoint> = points
            .iter()
            .filter(|(c, _)| c.eq_ignore_ascii_case(def.code))
            .map(|(_, p)| p.clone())
            .collect();
        mine.sort_by_key(|p| (p.date, p.id));
        let mut sites: Vec<Option<String>> = if def.code == "ROM" {
            mine.iter().map(|p| p.detail.clone()).collect()
        } else {
            vec![None]
        };
        sites.sort();
        sites.dedup();
        for site in sites {
            let series: Vec<MeasurePoint> = mine
                .iter()
                .filter(|p| site.is_none() || p.detail == site)
                .cloned()
                .collect();
            let (Some(first), Some(last)) = (series.first(), series.last()) else {
                continue;
            };
            let (initial, latest) = (first.value, last.value);
            out.push(MeasureTrend {
                def: *def,
                site: site.clone(),
                initial,
                latest,
                // Adding 0.0 turns a rounded -0.0 into 0: no "−0" anywhere.
                change: ((latest - initial) * 10.0).round() / 10.0 + 0.0,
                status: mcid_status(def, initial, latest),
                points: series,
            });
        }
    }
    out
}

/// A visit of the patient, for the episode list.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSummary {
    pub id: i64,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub therapist_initials: String,
    pub progress_report: bool,
}

impl VisitSummary {
    pub fn history(&self) -> HistoryVisit {
        HistoryVisit {
            id: self.id,
            start: self.start,
            kind: self.kind,
            status: self.status,
            progress_report: self.progress_report,
        }
    }
}

/// The episode of care as of a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// The latest evaluation on or before the day (the episode's start).
    pub evaluation: Option<NaiveDate>,
    /// A discharge after that evaluation, on or before the day.
    pub discharged: Option<NaiveDate>,
    /// The visit the flags are about: the patient's visit that day, else the next booked one.
    pub focus_visit: Option<VisitSummary>,
    /// The focus visit's number counted against the authorisation whose window holds it.
    pub visit_number: Option<i64>,
    /// The focus visit's treatment day in the current reporting period (10 = report due).
    pub treatment_day: Option<u32>,
    /// The last progress report (or the evaluation) the reporting period runs from.
    pub period_start: Option<NaiveDate>,
    /// Attended visits (checked in or completed) counted so far against the authorisation
    /// whose window holds the focus visit (or the day): 0 when none does.
    pub visits_used: i64,
    pub authorized: Option<i64>,
    /// `authorized − visits_used` (negative when exceeded).
    pub visits_left: Option<i64>,
    pub auth_end: Option<NaiveDate>,
    /// The plan of care whose period holds the focus visit (or the day), else the latest
    /// started before it.
    pub poc_start: Option<NaiveDate>,
    pub poc_end: Option<NaiveDate>,
    /// Days from the day to the plan of care's end (0 on its last day, negative after).
    pub days_left_in_poc: Option<i64>,
    /// Visits in the episode so far by outcome, and the next booked visit.
    pub attended: u32,
    pub no_shows: u32,
    pub cancelled: u32,
    pub next_visit: Option<NaiveDateTime>,
}

/// The latest assessment written in a visit note.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub date: NaiveDate,
    pub appointment_id: i64,
    pub kind: VisitKind,
    pub text: String,
    /// The note's signature, co-signature and addenda.
    pub signing: super::signing::NoteSigning,
}

/// Everything the progress pane and the progress report show.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub patient: Patient,
    /// The day it was computed for.
    pub as_of: NaiveDate,
    pub episode: Episode,
    /// The episode's visits (from its evaluation), oldest first.
    pub visits: Vec<VisitSummary>,
    pub measures: Vec<MeasureTrend>,
    /// Flags of the focus visit (empty when nothing is booked).
    pub flags: Vec<Flag>,
    pub thresholds: Thresholds,
    pub adherence: Option<Adherence>,
    pub latest_assessment: Option<Assessment>,
    /// The current plan of care (the one covering the day, else the latest) with its goals
    /// reviewed on the day; None when the patient has no plan of care.
    pub goals: Option<super::goals::PlanGoals>,
    /// Every certification of the patient's plan of care, oldest first.
    pub plans: Vec<PlanOfCare>,
    /// Every authorisation, oldest first, with the visits used.
    pub authorizations: Vec<AuthorizationUse>,
}

impl Progress {
    /// One sentence per flag, for the header.
    pub fn flag_sentences(&self) -> Vec<String> {
        self.flags
            .iter()
            .map(|f| f.sentence(&self.thresholds))
            .collect()
    }
}

/// Inputs of [`build`], as read from the record.
pub struct ProgressInput {
    pub patient: Patient,
    /// All of the patient's visits, any order.
    pub visits: Vec<VisitSummary>,
    /// (measure code, point), any order.
    pub points: Vec<(String, MeasurePoint)>,
    pub adherence: Option<Adherence>,
    pub latest_assessment: Option<Assessment>,
    /// The patient's plans and authorisations as the flag rules read them.
    pub terms: Terms,
    /// Every plan of care, oldest first.
    pub plans: Vec<PlanOfCare>,
    /// Every authorisation with the visits used (as of the day), oldest first.
    pub authorizations: Vec<AuthorizationUse>,
    /// The clinic's measures: `MEASURES` with the thresholds its record holds
    /// (`measure_definitions`), so that every terminal and report judges alike.
    pub defs: Vec<MeasureDef>,
}

/// Assembles the progress view as of `today`.
pub fn build(input: ProgressInput, today: NaiveDate, t: &Thresholds) -> Progress {
    let ProgressInput {
        patient,
        mut visits,
        points,
        adherence,
        latest_assessment,
        terms,
        plans,
        authorizations,
        defs,
    } = input;
    visits.sort_by_key(|v| (v.start, v.id));
    let attended = |v: &VisitSummary| {
        matches!(
            v.status,
            AppointmentStatus::CheckedIn | AppointmentStatus::Completed
        )
    };
    let evaluation = visits
        .iter()
        .filter(|v| v.kind == VisitKind::Evaluation && attended(v) && v.start.date() <= today)
        .map(|v| v.start.date())
        .next_back();
    let in_episode = |v: &VisitSummary| evaluation.is_none_or(|e| v.start.date() >= e);
    let episode_visits: Vec<VisitSummary> =
        visits.iter().filter(|v| in_episode(v)).cloned().collect();
    let discharged = episode_visits
        .iter()
        .filter(|v| v.kind == VisitKind::Discharge && attended(v) && v.start.date() <= today)
        .map(|v| v.start.date())
        .next_back();
    let live = |v: &&VisitSummary| {
        !matches!(
            v.status,
            AppointmentStatus::Cancelled | AppointmentStatus::NoShow
        )
    };
    let focus = visits
        .iter()
        .filter(live)
        .find(|v| v.start.date() == today)
        .or_else(|| {
            visits
                .iter()
                .filter(live)
                .find(|v| v.start.date() > today && v.status == AppointmentStatus::Scheduled)
        })
        .cloned();
    let history: Vec<HistoryVisit> = visits.iter().map(VisitSummary::history).collect();
    let standing = focus
        .as_ref()
        .map(|f| super::flags::assess(&history, &f.history(), &terms, adherence.as_ref(), t));
    let focus_day = focus.as_ref().map_or(today, |f| f.start.date());
    let authorization = authorizations
        .iter()
        .filter(|a| a.authorization.holds(focus_day))
        .max_by_key(|a| (a.authorization.starts_on, a.authorization.id));
    let plan = plans
        .iter()
        .filter(|p| p.covers(focus_day))
        .max_by_key(|p| (p.starts_on, p.id))
        .or_else(|| plans.iter().rfind(|p| p.starts_on <= focus_day));
    let count = |s: AppointmentStatus| {
        episode_visits
            .iter()
            .filter(|v| v.status == s && v.start.date() <= today)
            .count() as u32
    };
    let episode = Episode {
        evaluation,
        discharged,
        visit_number: standing.as_ref().and_then(|s| s.visit_number),
        treatment_day: standing.as_ref().map(|s| s.treatment_day),
        period_start: standing.as_ref().and_then(|s| s.period_start),
        focus_visit: focus.clone(),
        visits_used: authorization.map_or(0, |a| a.used),
        authorized: authorization.map(|a| a.authorization.visits),
        visits_left: authorization.map(AuthorizationUse::left),
        auth_end: authorization.map(|a| a.authorization.ends_on),
        poc_start: plan.map(|p| p.starts_on),
        poc_end: plan.map(|p| p.ends_on),
        days_left_in_poc: plan.map(|p| (p.ends_on - today).num_days()),
        attended: count(AppointmentStatus::Completed) + count(AppointmentStatus::CheckedIn),
        no_shows: count(AppointmentStatus::NoShow),
        cancelled: count(AppointmentStatus::Cancelled),
        next_visit: visits
            .iter()
            .find(|v| v.start.date() > today && v.status == AppointmentStatus::Scheduled)
            .map(|v| v.start),
    };
    // Measures of this episode. While it has none yet, the earlier episode's are shown as
    // such, claiming no change: its initial value is not this episode's.
    let episode_points: Vec<(String, MeasurePoint)> = points
        .iter()
        .filter(|(_, p)| evaluation.is_none_or(|e| p.date >= e))
        .cloned()
        .collect();
    let measures = if episode_points.is_empty() {
        let mut earlier = trends(points, &defs);
        for m in &mut earlier {
            m.status = MeasureStatus::EarlierEpisode;
        }
        earlier
    } else {
        trends(episode_points, &defs)
    };
    Progress {
        patient,
        as_of: today,
        episode,
        visits: episode_visits,
        measures,
        flags: standing.map(|s| s.flags).unwrap_or_default(),
        thresholds: *t,
        adherence,
        latest_assessment,
        // Goals belong to the plan of care, which the store reads beside this.
        goals: None,
        plans,
        authorizations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::measures::MEASURES;
    use crate::domain::measures::measure;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn m(c: &str) -> &'static MeasureDef {
        measure(c).unwrap()
    }

    #[test]
    fn pain_going_down_is_improvement() {
        assert_eq!(improvement(m("NPRS"), 7.0, 4.0), 3.0);
        assert_eq!(mcid_status(m("NPRS"), 7.0, 5.0), MeasureStatus::Met);
        assert_eq!(mcid_status(m("NPRS"), 7.0, 6.0), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("NPRS"), 7.0, 7.0), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("NPRS"), 7.0, 8.0), MeasureStatus::NotYet);
        // NPRS has no MDC: worse by the MCID (2) is worse.
        assert_eq!(mcid_status(m("NPRS"), 5.0, 7.0), MeasureStatus::Worse);
    }

    #[test]
    fn function_going_up_is_improvement() {
        assert_eq!(mcid_status(m("LEFS"), 30.0, 39.0), MeasureStatus::Met);
        assert_eq!(mcid_status(m("LEFS"), 30.0, 38.0), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("LEFS"), 30.0, 22.0), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("LEFS"), 30.0, 21.0), MeasureStatus::Worse);
        assert_eq!(mcid_status(m("PSFS"), 3.0, 5.0), MeasureStatus::Met);
    }

    #[test]
    fn worse_needs_the_mdc_where_there_is_one() {
        // NDI: "met" at 10 (Young 2009's MCID of 7.5 lies inside the MDC of 10.2). Worse by 8
        // is within measurement error.
        assert_eq!(mcid_status(m("NDI"), 20.0, 28.0), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("NDI"), 20.0, 31.0), MeasureStatus::Worse);
        assert_eq!(mcid_status(m("NDI"), 20.0, 12.5), MeasureStatus::NotYet);
        assert_eq!(mcid_status(m("NDI"), 20.0, 10.0), MeasureStatus::Met);
        assert_eq!(mcid_status(m("NDI"), 20.5, 10.5), MeasureStatus::Met);
        // QuickDASH: MCID 14, MDC 17.1.
        assert_eq!(mcid_status(m("QuickDASH"), 40.0, 26.0), MeasureStatus::Met);
        assert_eq!(
            mcid_status(m("QuickDASH"), 40.0, 56.0),
            MeasureStatus::NotYet
        );
        assert_eq!(
            mcid_status(m("QuickDASH"), 40.0, 57.1),
            MeasureStatus::Worse
        );
        // ODI: no MDC, worse by the MCID (10).
        assert_eq!(mcid_status(m("ODI"), 30.0, 40.0), MeasureStatus::Worse);
        assert_eq!(mcid_status(m("ROM"), 90.0, 60.0), MeasureStatus::ChangeOnly);
        assert_eq!(MeasureStatus::ChangeOnly.mcid_met(), None);
    }

    #[test]
    fn sparklines_point_up_when_better() {
        assert_eq!(
            sparkline_levels(m("NPRS"), &[8.0, 5.0, 2.0], 10),
            vec![2, 5, 8]
        );
        assert_eq!(
            sparkline_levels(m("LEFS"), &[20.0, 40.0, 80.0], 8),
            vec![2, 4, 8]
        );
        assert_eq!(
            sparkline_levels(m("ROM"), &[-20.0, 180.0], 100),
            vec![0, 100]
        );
    }

    fn point(id: i64, date: &str, value: f64, detail: Option<&str>) -> MeasurePoint {
        MeasurePoint {
            id,
            date: d(date),
            value,
            detail: detail.map(str::to_string),
            items: None,
            appointment_id: None,
        }
    }

    #[test]
    fn trends_run_from_initial_to_latest_and_split_rom_by_site() {
        let pts = vec![
            ("NPRS".to_string(), point(3, "2026-11-20", 3.0, None)),
            ("NPRS".to_string(), point(1, "2026-11-01", 7.0, None)),
            ("NPRS".to_string(), point(2, "2026-11-10", 5.0, None)),
            (
                "ROM".to_string(),
                point(4, "2026-11-01", 90.0, Some("knee flexion right")),
            ),
            (
                "ROM".to_string(),
                point(5, "2026-11-01", -10.0, Some("knee extension right")),
            ),
            (
                "ROM".to_string(),
                point(6, "2026-11-20", 110.0, Some("knee flexion right")),
            ),
            ("LEFS".to_string(), point(7, "2026-11-01", 30.0, None)),
        ];
        let t = trends(pts, MEASURES);
        let codes: Vec<String> = t.iter().map(|t| t.title()).collect();
        assert_eq!(
            codes,
            [
                "Numeric Pain Rating Scale",
                "Lower Extremity Functional Scale",
                "Range of motion: knee extension right",
                "Range of motion: knee flexion right"
            ]
        );
        assert_eq!((t[0].initial, t[0].latest, t[0].change), (7.0, 3.0, -4.0));
        assert_eq!(t[0].status, MeasureStatus::Met);
        assert_eq!(t[0].sparkline(10), vec![3, 5, 7]);
        assert_eq!(t[1].status, MeasureStatus::NotYet);
        assert_eq!(t[3].change, 20.0);
        assert_eq!(t[3].status, MeasureStatus::ChangeOnly);
    }

    /// A new episode with no measure yet shows last summer's values as an earlier episode's,
    /// with no change and no MCID claimed; its first measure starts the episode's own series.
    #[test]
    fn a_new_episode_claims_nothing_from_the_last_one() {
        let evaluation = VisitSummary {
            id: 1,
            start: d("2026-11-20").and_hms_opt(9, 0, 0).unwrap(),
            minutes: 60,
            kind: VisitKind::Evaluation,
            status: AppointmentStatus::Completed,
            therapist_initials: "AR".into(),
            progress_report: false,
        };
        let summer = vec![
            ("NPRS".to_string(), point(1, "2026-06-01", 8.0, None)),
            ("NPRS".to_string(), point(2, "2026-07-20", 2.0, None)),
        ];
        let input = |points| ProgressInput {
            patient: crate::tui::fixtures::patient(10, "100001", "Maria", "Lopez"),
            visits: vec![evaluation.clone()],
            points,
            adherence: None,
            latest_assessment: None,
            terms: Terms::default(),
            plans: Vec::new(),
            authorizations: Vec::new(),
            defs: MEASURES.to_vec(),
        };
        let p = build(
            input(summer.clone()),
            d("2026-11-27"),
            &super::super::flags::THRESHOLDS,
        );
        let nprs = &p.measures[0];
        assert_eq!(nprs.status, MeasureStatus::EarlierEpisode);
        assert_eq!(nprs.change_shown(), None);
        assert_eq!(nprs.status.mcid_status(), None);
        assert_eq!(
            (nprs.initial, nprs.latest),
            (8.0, 2.0),
            "shown, marked as earlier"
        );
        let mut now = summer;
        now.push(("NPRS".to_string(), point(3, "2026-11-20", 6.0, None)));
        let p = build(
            input(now),
            d("2026-11-27"),
            &super::super::flags::THRESHOLDS,
        );
        let nprs = &p.measures[0];
        assert_eq!((nprs.initial, nprs.latest), (6.0, 6.0));
        assert_eq!(nprs.status, MeasureStatus::NotYet);
        assert_eq!(nprs.change_shown(), Some(0.0));
    }

    #[test]
    fn rom_sites_read_short_as_clinicians_write_them() {
        assert_eq!(short_site("knee extension right"), "R knee ext");
        assert_eq!(
            short_site("shoulder external rotation left"),
            "L shoulder ER"
        );
        assert_eq!(short_site("ankle dorsiflexion"), "ankle DF");
        assert_eq!(
            short_site("cervical lateral flexion both"),
            "B cervical lat flex"
        );
    }
}

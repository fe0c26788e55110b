//! Compliance flags on a visit, computed from the record (CLINICAL.md): progress report due
//! (Medicare's 10 treatment days), plan of care ending, expired or not certified in time,
//! authorisation low or exceeded, re-evaluation due, and low home-exercise adherence. Every
//! threshold lives in [`Thresholds`]; the rules below only read it.
//!
//! Plans of care and authorisations are rows of their own, several per patient over time
//! ([`Terms`]). A visit is judged by the plan whose period holds it (the latest started, when
//! two overlap) and counted against the authorisation whose window holds it; a plan or an
//! authorisation added later never changes which visits an earlier one held, so a
//! recertification leaves the visits before it flagged as they were.
//!
//! Which visits count. A *treatment day* is a distinct date with an attended visit
//! (checked in or completed). The visit being flagged counts as well, and so do the *expected*
//! visits before it: visits still scheduled after the patient's last attended visit. A later
//! visit is thus flagged on the assumption that the visits booked before it take place, and a
//! report due on an expected visit is assumed to be written on it, so only the one visit on
//! which the report falls due carries the flag; a report due on an attended visit and not
//! written keeps the next visits flagged. No-shows, cancellations, and scheduled visits left
//! behind (an attended visit came after them) never count. This needs no clock: every
//! terminal flags the same visits from the same record.
//!
//! Episode markers (on counted visits before the flagged one):
//! - an evaluation starts the episode: it is treatment day 1 and restarts every clock;
//! - a progress visit, a re-evaluation, a discharge, or any visit whose note is marked as a
//!   progress report ends the reporting period (Medicare accepts a re-evaluation or the
//!   discharge summary as the progress report); the next treatment day is day 1 again;
//! - an evaluation or a re-evaluation restarts the re-evaluation clock; a discharge closes the
//!   episode, so no re-evaluation is due after it.

use chrono::{NaiveDate, NaiveDateTime};

pub use super::adherence::Adherence;
use super::authorization::counts as counts_against_authorization;
use super::plan_of_care::TIMELY_CERTIFICATION_DAYS;
use super::{AppointmentStatus, VisitKind};

/// Every compliance threshold, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A progress report is due on this treatment day since the evaluation or the last report.
    pub progress_note_treatment_days: u32,
    /// `poc_ending` when this many days or fewer are left in the plan of care.
    pub poc_ending_days: i64,
    /// `poc_uncertified` on visits this many days or more after an unsigned plan's start.
    pub poc_certification_days: i64,
    /// `auth_low` when this many authorised visits or fewer are left after the visit ...
    pub auth_low_visits: i64,
    /// ... or the authorisation ends within this many days.
    pub auth_ending_days: i64,
    /// `reeval_due` this many days after the evaluation or the last re-evaluation (None: off).
    pub reeval_days: Option<i64>,
    /// `adherence_low` when the latest report has fewer than this percentage of the prescribed
    /// sessions done.
    pub adherence_low_percent: i64,
}

/// The defaults (CLINICAL.md). `reeval_days` can be changed per clinic: the `reeval_days` key
/// of the record's `meta` table (0 turns the flag off).
pub const THRESHOLDS: Thresholds = Thresholds {
    progress_note_treatment_days: 10,
    poc_ending_days: 7,
    poc_certification_days: TIMELY_CERTIFICATION_DAYS,
    auth_low_visits: 2,
    auth_ending_days: 7,
    reeval_days: Some(30),
    adherence_low_percent: 50,
};

impl Default for Thresholds {
    fn default() -> Self {
        THRESHOLDS
    }
}

/// A compliance flag. The order of the variants is the order flags are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    ProgressNoteDue,
    ReevalDue,
    PocExpired,
    PocEnding,
    PocUncertified,
    AuthExceeded,
    AuthLow,
    AdherenceLow,
}

impl Flag {
    pub const ALL: &'static [Flag] = &[
        Flag::ProgressNoteDue,
        Flag::ReevalDue,
        Flag::PocExpired,
        Flag::PocEnding,
        Flag::PocUncertified,
        Flag::AuthExceeded,
        Flag::AuthLow,
        Flag::AdherenceLow,
    ];

    /// The word in JSON (`schedule --json`, `report progress --format json`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::ProgressNoteDue => "progress_note_due",
            Flag::ReevalDue => "reeval_due",
            Flag::PocExpired => "poc_expired",
            Flag::PocEnding => "poc_ending",
            Flag::PocUncertified => "poc_uncertified",
            Flag::AuthExceeded => "auth_exceeded",
            Flag::AuthLow => "auth_low",
            Flag::AdherenceLow => "adherence_low",
        }
    }

    pub fn parse(word: &str) -> Option<Flag> {
        Flag::ALL.iter().copied().find(|f| f.as_str() == word)
    }

    /// A short badge for schedule rows; "!" marks a limit already passed.
    pub fn badge(self) -> &'static str {
        match self {
            Flag::ProgressNoteDue => "PN",
            Flag::ReevalDue => "RE",
            Flag::PocExpired => "POC!",
            Flag::PocEnding => "POC",
            Flag::PocUncertified => "CERT",
            Flag::AuthExceeded => "AUTH!",
            Flag::AuthLow => "AUTH",
            Flag::AdherenceLow => "ADH",
        }
    }

    /// Whether the flag reports a limit already passed (for a warning colour).
    pub fn is_breach(self) -> bool {
        matches!(self, Flag::PocExpired | Flag::AuthExceeded)
    }

    /// How urgent, lowest first: a limit already passed (treatment outside the plan or the
    /// authorisation is not paid), then what is due at this visit, then what is coming.
    pub fn severity(self) -> u8 {
        match self {
            Flag::PocExpired | Flag::AuthExceeded => 0,
            Flag::ProgressNoteDue | Flag::ReevalDue | Flag::PocUncertified => 1,
            Flag::PocEnding | Flag::AuthLow | Flag::AdherenceLow => 2,
        }
    }

    /// One sentence for the progress header and reports.
    pub fn sentence(self, t: &Thresholds) -> String {
        match self {
            Flag::ProgressNoteDue => format!(
                "Progress report due: treatment day {} or later since the evaluation or the last report.",
                t.progress_note_treatment_days
            ),
            Flag::ReevalDue => format!(
                "Re-evaluation due: {} days or more since the evaluation or the last re-evaluation.",
                t.reeval_days.unwrap_or(0)
            ),
            Flag::PocExpired => {
                "Plan of care expired: no plan covers this visit since the last one ended; recertify."
                    .to_string()
            }
            Flag::PocEnding => format!(
                "Plan of care ends within {} days: recertify if treatment continues.",
                t.poc_ending_days
            ),
            Flag::PocUncertified => format!(
                "Plan of care not certified: unsigned {} days or more after its start; get the physician's signature.",
                t.poc_certification_days
            ),
            Flag::AuthExceeded => {
                "Authorisation exceeded: more visits than authorised, or no authorisation covers this day."
                    .to_string()
            }
            Flag::AuthLow => format!(
                "Authorisation low: {} or fewer visits left, or it ends within {} days.",
                t.auth_low_visits, t.auth_ending_days
            ),
            Flag::AdherenceLow => format!(
                "Home exercise adherence low: under {}% of prescribed sessions done.",
                t.adherence_low_percent
            ),
        }
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of a patient's visits, as the flag rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryVisit {
    pub id: i64,
    pub start: NaiveDateTime,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    /// Its note is marked as a progress report.
    pub progress_report: bool,
}

impl HistoryVisit {
    pub fn date(&self) -> NaiveDate {
        self.start.date()
    }

    fn order(&self) -> (NaiveDateTime, i64) {
        (self.start, self.id)
    }
}

/// A plan of care as the flag rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanWindow {
    pub id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The physician's or NPP's signature is recorded.
    pub certified: bool,
}

/// An authorisation as the flag rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthWindow {
    pub id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits: i64,
    /// Its payer counts the evaluation as one of the visits.
    pub evaluation_counts: bool,
}

impl PlanWindow {
    pub fn of(p: &super::plan_of_care::PlanOfCare) -> Self {
        PlanWindow {
            id: p.id,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            certified: p.certified_on.is_some(),
        }
    }
}

impl AuthWindow {
    pub fn of(a: &super::authorization::AuthorizationUse) -> Self {
        AuthWindow {
            id: a.authorization.id,
            starts_on: a.authorization.starts_on,
            ends_on: a.authorization.ends_on,
            visits: a.authorization.visits,
            evaluation_counts: a.evaluation_counts,
        }
    }
}

/// The patient's plans of care and authorisations, in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub plans: Vec<PlanWindow>,
    pub authorizations: Vec<AuthWindow>,
}

impl Terms {
    /// The plan whose period holds `day` (the latest started, when two do).
    pub fn plan_for(&self, day: NaiveDate) -> Option<&PlanWindow> {
        self.plans
            .iter()
            .filter(|p| p.starts_on <= day && day <= p.ends_on)
            .max_by_key(|p| (p.starts_on, p.id))
    }

    /// The authorisation whose window holds `day` (the latest started, when two do).
    pub fn authorization_for(&self, day: NaiveDate) -> Option<&AuthWindow> {
        self.authorizations
            .iter()
            .filter(|a| a.starts_on <= day && day <= a.ends_on)
            .max_by_key(|a| (a.starts_on, a.id))
    }

    /// The last day of care certified without a gap from `day` on: a recertification that
    /// starts by the day after a plan's end carries it on.
    pub fn covered_until(&self, day: NaiveDate) -> Option<NaiveDate> {
        let mut end = self
            .plans
            .iter()
            .filter(|p| p.starts_on <= day && day <= p.ends_on)
            .map(|p| p.ends_on)
            .max()?;
        while let Some(next) = self
            .plans
            .iter()
            .filter(|p| p.starts_on <= end + chrono::Duration::days(1) && p.ends_on > end)
            .map(|p| p.ends_on)
            .max()
        {
            end = next;
        }
        Some(end)
    }
}

/// Where a visit stands in its episode, and its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitStanding {
    /// Its treatment day in the current reporting period (0: the period's report was written
    /// earlier the same day).
    pub treatment_day: u32,
    /// Its number among the visits counted against the authorisation whose window holds it
    /// (None when none does).
    pub visit_number: Option<i64>,
    /// The last progress report (or evaluation) before it.
    pub period_start: Option<NaiveDate>,
    /// The evaluation or re-evaluation the re-evaluation clock runs from (None once discharged).
    pub reeval_from: Option<NaiveDate>,
    pub flags: Vec<Flag>,
}

fn attended(s: AppointmentStatus) -> bool {
    matches!(
        s,
        AppointmentStatus::CheckedIn | AppointmentStatus::Completed
    )
}

/// Still scheduled after the patient's last attended visit: expected to take place.
fn expected(v: &HistoryVisit, last_attended: Option<(NaiveDateTime, i64)>) -> bool {
    v.status == AppointmentStatus::Scheduled && last_attended.is_none_or(|l| v.order() > l)
}

/// The standing and flags of `target`, from the patient's other visits in `history` (in any
/// order; visits after `target` are ignored, and `target` itself may be in it or not).
/// Cancelled and no-show visits carry no flags.
pub fn assess(
    history: &[HistoryVisit],
    target: &HistoryVisit,
    terms: &Terms,
    adherence: Option<&Adherence>,
    t: &Thresholds,
) -> VisitStanding {
    let last_attended = history
        .iter()
        .filter(|v| attended(v.status))
        .map(HistoryVisit::order)
        .max();
    let mut before: Vec<&HistoryVisit> = history
        .iter()
        .filter(|v| {
            v.order() < target.order() && (attended(v.status) || expected(v, last_attended))
        })
        .collect();
    before.sort_by_key(|v| v.order());

    let mut day_count: u32 = 0;
    let mut last_day: Option<NaiveDate> = None;
    let mut period_start: Option<NaiveDate> = None;
    let mut reeval_from: Option<NaiveDate> = None;
    for v in &before {
        let d = v.date();
        if v.kind == VisitKind::Evaluation {
            day_count = 0;
            last_day = None;
            period_start = Some(d);
        }
        if last_day != Some(d) {
            day_count += 1;
            last_day = Some(d);
        }
        match v.kind {
            VisitKind::Evaluation | VisitKind::ReEvaluation => reeval_from = Some(d),
            VisitKind::Discharge => reeval_from = None,
            _ => {}
        }
        // A report due on an expected visit is assumed to be written on it; on an attended
        // progress visit only the note marked as the report ends the period (the kind alone
        // says what was planned, not what was written). Medicare takes a re-evaluation or a
        // discharge summary as the report.
        let ends_period = v.progress_report
            || matches!(v.kind, VisitKind::ReEvaluation | VisitKind::Discharge)
            || (v.kind == VisitKind::Progress && !attended(v.status))
            || (!attended(v.status) && day_count >= t.progress_note_treatment_days);
        if ends_period {
            day_count = 0;
            period_start = Some(d);
        }
    }
    let date = target.date();
    let treatment_day = if target.kind == VisitKind::Evaluation {
        1
    } else if last_day == Some(date) {
        day_count
    } else {
        day_count + 1
    };

    let authorization = terms.authorization_for(date);
    let visit_number = authorization.map(|a| {
        let counted = |v: &HistoryVisit| {
            a.starts_on <= v.date()
                && v.date() <= a.ends_on
                && counts_against_authorization(v.kind, a.evaluation_counts)
        };
        before.iter().filter(|v| counted(v)).count() as i64 + i64::from(counted(target))
    });

    let mut flags = Vec::new();
    let active = matches!(
        target.status,
        AppointmentStatus::Scheduled | AppointmentStatus::CheckedIn | AppointmentStatus::Completed
    );
    if active {
        if target.kind != VisitKind::Evaluation
            && !target.progress_report
            && treatment_day >= t.progress_note_treatment_days
        {
            flags.push(Flag::ProgressNoteDue);
        }
        if let (Some(days), Some(from)) = (t.reeval_days.filter(|d| *d > 0), reeval_from)
            && !matches!(
                target.kind,
                VisitKind::Evaluation | VisitKind::ReEvaluation | VisitKind::Discharge
            )
            && (date - from).num_days() >= days
        {
            flags.push(Flag::ReevalDue);
        }
        match (terms.plan_for(date), terms.covered_until(date)) {
            (Some(plan), Some(until)) => {
                if (until - date).num_days() <= t.poc_ending_days {
                    flags.push(Flag::PocEnding);
                }
                if !plan.certified && (date - plan.starts_on).num_days() >= t.poc_certification_days
                {
                    flags.push(Flag::PocUncertified);
                }
            }
            // Treated under a plan that has ended, with none after it: outside any certified
            // period. A visit before the first plan is left alone (the evaluation that sets it
            // up, or treatment recorded before plans were).
            _ if terms.plans.iter().any(|p| p.starts_on < date) => {
                flags.push(Flag::PocExpired);
            }
            _ => {}
        }
        match (authorization, visit_number) {
            (Some(a), Some(number)) => {
                let left = a.visits - number;
                if left < 0 {
                    flags.push(Flag::AuthExceeded);
                } else if left <= t.auth_low_visits
                    || (a.ends_on - date).num_days() <= t.auth_ending_days
                {
                    flags.push(Flag::AuthLow);
                }
            }
            // Past every authorisation's window, or between two: not authorised. A visit
            // before the first authorisation is left alone, as a visit before the first plan.
            _ if terms.authorizations.iter().any(|a| a.starts_on < date) => {
                flags.push(Flag::AuthExceeded)
            }
            _ => {}
        }
        if adherence.is_some_and(|a| a.reported_on <= date && a.is_low(t)) {
            flags.push(Flag::AdherenceLow);
        }
    }
    VisitStanding {
        treatment_day,
        visit_number,
        period_start,
        reeval_from,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::*;
    use VisitKind::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn today() -> NaiveDate {
        d("2026-11-27")
    }

    /// Visits on consecutive days from 2026-11-01, `id` = index + 1.
    fn visits(spec: &[(VisitKind, AppointmentStatus)]) -> Vec<HistoryVisit> {
        spec.iter()
            .enumerate()
            .map(|(i, &(kind, status))| HistoryVisit {
                id: i as i64 + 1,
                start: (d("2026-11-01") + chrono::Duration::days(i as i64))
                    .and_hms_opt(9, 0, 0)
                    .unwrap(),
                kind,
                status,
                progress_report: false,
            })
            .collect()
    }

    fn flags_of(h: &[HistoryVisit], i: usize, terms: &Terms) -> Vec<Flag> {
        assess(h, &h[i], terms, None, &THRESHOLDS).flags
    }

    fn day_of(h: &[HistoryVisit], i: usize) -> u32 {
        assess(h, &h[i], &Terms::default(), None, &THRESHOLDS).treatment_day
    }

    #[test]
    fn words_badges_and_sentences() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.as_str()), Some(*f));
            assert!(!f.badge().is_empty() && f.badge().len() <= 5);
            assert!(f.sentence(&THRESHOLDS).ends_with('.'));
        }
        assert_eq!(Flag::ProgressNoteDue.as_str(), "progress_note_due");
        assert_eq!(Flag::PocExpired.badge(), "POC!");
    }

    #[test]
    fn the_evaluation_is_day_one_and_the_tenth_treatment_day_is_flagged() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 11));
        let h = visits(&spec);
        assert_eq!(day_of(&h, 0), 1);
        assert_eq!(day_of(&h, 8), 9);
        assert_eq!(day_of(&h, 9), 10);
        assert!(!flags_of(&h, 8, &Terms::default()).contains(&Flag::ProgressNoteDue));
        assert_eq!(
            flags_of(&h, 9, &Terms::default()),
            vec![Flag::ProgressNoteDue]
        );
        // Still due (overdue) until a report is written.
        assert_eq!(
            flags_of(&h, 10, &Terms::default()),
            vec![Flag::ProgressNoteDue]
        );
    }

    #[test]
    fn missed_visits_are_not_treatment_days() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 4));
        spec.push((Treatment, NoShow));
        spec.push((Treatment, Cancelled));
        spec.extend(std::iter::repeat_n((Treatment, Completed), 5));
        let h = visits(&spec);
        assert_eq!(day_of(&h, 10), 9);
        assert_eq!(day_of(&h, 11), 10);
        assert_eq!(
            flags_of(&h, 11, &Terms::default()),
            vec![Flag::ProgressNoteDue]
        );
        // A no-show carries no flags at all.
        assert!(flags_of(&h, 5, &Terms::default()).is_empty());
    }

    /// A re-evaluation or a discharge ends the period by its kind (Medicare takes either as
    /// the report); an attended progress visit by its note marked as the report; an expected
    /// one by the report assumed to be written there.
    #[test]
    fn progress_reevaluation_and_discharge_end_the_reporting_period() {
        for ender in [Progress, ReEvaluation, Discharge] {
            let mut spec = vec![(Evaluation, Completed)];
            spec.extend(std::iter::repeat_n((Treatment, Completed), 8));
            spec.push((ender, Completed)); // day 10: the report
            spec.extend(std::iter::repeat_n((Treatment, Completed), 10));
            let mut h = visits(&spec);
            h[9].progress_report = ender == Progress;
            assert_eq!(day_of(&h, 9), 10, "{ender:?}");
            assert_eq!(day_of(&h, 10), 1, "{ender:?}");
            assert_eq!(day_of(&h, 19), 10, "{ender:?}");
            assert!(!flags_of(&h, 18, &Terms::default()).contains(&Flag::ProgressNoteDue));
            assert!(flags_of(&h, 19, &Terms::default()).contains(&Flag::ProgressNoteDue));
        }
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 8));
        spec.push((Progress, Scheduled));
        spec.push((Treatment, Scheduled));
        let h = visits(&spec);
        assert_eq!(
            day_of(&h, 10),
            1,
            "an expected progress visit is assumed to hold the report"
        );
    }

    #[test]
    fn a_note_marked_as_progress_report_ends_the_period_and_clears_its_own_flag() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 12));
        let mut h = visits(&spec);
        h[9].progress_report = true;
        assert!(flags_of(&h, 9, &Terms::default()).is_empty());
        assert_eq!(day_of(&h, 10), 1);
        // A progress visit on day 10 whose note is not yet written carries the flag.
        let mut h = visits(&spec);
        h[9].kind = Progress;
        assert_eq!(
            flags_of(&h, 9, &Terms::default()),
            vec![Flag::ProgressNoteDue]
        );
        // Attended, and its note never marked: the report is still owed on the next visits.
        assert_eq!(day_of(&h, 10), 11);
        assert_eq!(
            flags_of(&h, 10, &Terms::default()),
            vec![Flag::ProgressNoteDue]
        );
        // Marked: the period ends there.
        h[9].progress_report = true;
        assert_eq!(day_of(&h, 10), 1);
        assert!(flags_of(&h, 10, &Terms::default()).is_empty());
    }

    #[test]
    fn a_new_evaluation_starts_a_new_episode() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 7));
        spec.push((Discharge, Completed));
        spec.push((Evaluation, Completed));
        spec.extend(std::iter::repeat_n((Treatment, Completed), 9));
        let h = visits(&spec);
        assert_eq!(day_of(&h, 9), 1);
        assert_eq!(day_of(&h, 18), 10);
    }

    #[test]
    fn future_visits_assume_the_visits_booked_before_them_take_place() {
        // Evaluation and 7 treatments done; today and the next days booked.
        let mut h = visits(&[(Evaluation, Completed)]);
        for i in 1..12 {
            let start = (today() + chrono::Duration::days(i - 8))
                .and_hms_opt(9, 0, 0)
                .unwrap();
            h.push(HistoryVisit {
                id: i + 1,
                start,
                kind: Treatment,
                status: if i < 8 { Completed } else { Scheduled },
                progress_report: false,
            });
        }
        h[0].start = (today() - chrono::Duration::days(8))
            .and_hms_opt(8, 0, 0)
            .unwrap();
        // i = 8 is today: day 9; i = 9 tomorrow: day 10, the only one flagged.
        let pn: Vec<usize> = (0..h.len())
            .filter(|&i| flags_of(&h, i, &Terms::default()).contains(&Flag::ProgressNoteDue))
            .collect();
        assert_eq!(pn, vec![9]);
        assert_eq!(day_of(&h, 9), 10);
        // A scheduled visit left in the past (never marked) does not count.
        let mut h2 = h.clone();
        h2[3].status = Scheduled;
        assert_eq!(day_of(&h2, 9), 9);
        assert_eq!(day_of(&h2, 10), 10);
    }

    fn plan(id: i64, start: &str, end: &str, certified: bool) -> PlanWindow {
        PlanWindow {
            id,
            starts_on: d(start),
            ends_on: d(end),
            certified,
        }
    }

    fn auth(id: i64, start: &str, end: &str, visits: i64, evaluation_counts: bool) -> AuthWindow {
        AuthWindow {
            id,
            starts_on: d(start),
            ends_on: d(end),
            visits,
            evaluation_counts,
        }
    }

    fn only(flags: Vec<Flag>, keep: &[Flag]) -> Vec<Flag> {
        flags.into_iter().filter(|f| keep.contains(f)).collect()
    }

    const POC: &[Flag] = &[Flag::PocExpired, Flag::PocEnding, Flag::PocUncertified];
    const AUTH: &[Flag] = &[Flag::AuthExceeded, Flag::AuthLow];

    #[test]
    fn plan_of_care_ending_and_expired() {
        let h = visits(&[
            (Evaluation, Completed),
            (Treatment, Completed),
            (Treatment, Scheduled),
        ]);
        let terms = |end: &str| Terms {
            plans: vec![plan(1, "2026-11-01", end, true)],
            ..Terms::default()
        };
        // Visit 3 is on 2026-11-03.
        assert!(flags_of(&h, 2, &terms("2026-11-11")).is_empty());
        assert_eq!(flags_of(&h, 2, &terms("2026-11-10")), vec![Flag::PocEnding]);
        assert_eq!(flags_of(&h, 2, &terms("2026-11-03")), vec![Flag::PocEnding]);
        assert_eq!(
            flags_of(&h, 2, &terms("2026-11-02")),
            vec![Flag::PocExpired]
        );
        // A recertification that starts the day after the end carries the plan on: no longer
        // ending.
        let mut recertified = terms("2026-11-05");
        recertified
            .plans
            .push(plan(2, "2026-11-06", "2026-12-31", true));
        assert!(flags_of(&h, 2, &recertified).is_empty());
        // No plan yet: nothing to expire.
        assert!(flags_of(&h, 2, &Terms::default()).is_empty());
    }

    /// Evaluated 1 November, the plan unsigned: visits up to 30 November are inside the timely
    /// 30 days; from 1 December each is flagged until the signature is recorded.
    #[test]
    fn an_unsigned_plan_is_flagged_from_thirty_days_after_its_start() {
        let mut h = visits(&[(Evaluation, Completed), (Treatment, Scheduled)]);
        let unsigned = Terms {
            plans: vec![plan(1, "2026-11-01", "2027-01-29", false)],
            ..Terms::default()
        };
        h[1].start = d("2026-11-30").and_hms_opt(9, 0, 0).unwrap();
        assert!(only(flags_of(&h, 1, &unsigned), POC).is_empty());
        h[1].start = d("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            only(flags_of(&h, 1, &unsigned), POC),
            vec![Flag::PocUncertified]
        );
        let signed = Terms {
            plans: vec![plan(1, "2026-11-01", "2027-01-29", true)],
            ..Terms::default()
        };
        assert!(only(flags_of(&h, 1, &signed), POC).is_empty());
    }

    /// A plan of 1 to 20 November, visits on 1 to 30 November: those after the 20th were
    /// given outside any certified period. A recertification from the 25th covers the visits
    /// from then on; the visits between keep their flag, and no authorisation count moves.
    #[test]
    fn a_recertification_keeps_past_flags_and_the_authorisation_count() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 29));
        let h = visits(&spec);
        let before = Terms {
            plans: vec![plan(1, "2026-11-01", "2026-11-20", true)],
            authorizations: vec![auth(1, "2026-11-01", "2026-12-31", 40, true)],
        };
        let mut after = before.clone();
        after.plans.push(plan(2, "2026-11-25", "2027-01-20", false));
        let expired = |terms: &Terms| -> Vec<usize> {
            (0..h.len())
                .filter(|&i| flags_of(&h, i, terms).contains(&Flag::PocExpired))
                .collect()
        };
        assert_eq!(expired(&before), (20..30).collect::<Vec<_>>());
        assert_eq!(expired(&after), (20..24).collect::<Vec<_>>());
        for i in 0..h.len() {
            let number = |terms: &Terms| assess(&h, &h[i], terms, None, &THRESHOLDS).visit_number;
            assert_eq!(number(&before), number(&after), "visit {i}");
            assert_eq!(number(&after), Some(i as i64 + 1));
        }
    }

    #[test]
    fn authorisation_low_and_exceeded() {
        let spec = vec![(Evaluation, Completed); 1]
            .into_iter()
            .chain(std::iter::repeat_n((Treatment, Completed), 6))
            .chain([(Treatment, NoShow), (Treatment, Completed)])
            .collect::<Vec<_>>();
        let h = visits(&spec);
        let terms = Terms {
            authorizations: vec![auth(1, "2026-11-01", "2026-12-31", 7, true)],
            ..Terms::default()
        };
        // Visit numbers: 1..=7 for indices 0..=6; the no-show is not counted; index 8 is 8th.
        let a = |i, terms: &Terms| only(flags_of(&h, i, terms), AUTH);
        assert!(a(3, &terms).is_empty()); // 4th visit: 3 left
        assert_eq!(a(4, &terms), vec![Flag::AuthLow]); // 5th: 2 left
        assert_eq!(a(6, &terms), vec![Flag::AuthLow]); // 7th: none left after it
        assert_eq!(a(8, &terms), vec![Flag::AuthExceeded]); // 8th
        // Ending within 7 days (5 November), and past its end with no other to hold the visit.
        let by_date = Terms {
            authorizations: vec![auth(1, "2026-11-01", "2026-11-05", 30, true)],
            ..Terms::default()
        };
        assert_eq!(a(1, &by_date), vec![Flag::AuthLow]);
        assert_eq!(a(6, &by_date), vec![Flag::AuthExceeded]);
        // Without any authorisation, nothing is counted or flagged.
        assert!(a(8, &Terms::default()).is_empty());
        assert_eq!(
            assess(&h, &h[8], &Terms::default(), None, &THRESHOLDS).visit_number,
            None
        );
    }

    /// Two authorisations, 1 to 4 November (3 visits) and 5 November on (4 visits): each visit
    /// counts against the one whose window holds it, and the second starts again from one.
    #[test]
    fn visits_count_against_the_authorisation_whose_window_holds_them() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 9));
        let h = visits(&spec);
        let terms = Terms {
            authorizations: vec![
                auth(1, "2026-11-01", "2026-11-04", 3, true),
                auth(2, "2026-11-05", "2026-12-31", 4, true),
            ],
            ..Terms::default()
        };
        let numbers: Vec<Option<i64>> = (0..h.len())
            .map(|i| assess(&h, &h[i], &terms, None, &THRESHOLDS).visit_number)
            .collect();
        let expected: Vec<Option<i64>> = [1, 2, 3, 4, 1, 2, 3, 4, 5, 6].map(Some).to_vec();
        assert_eq!(numbers, expected);
        let exceeded: Vec<usize> = (0..h.len())
            .filter(|&i| flags_of(&h, i, &terms).contains(&Flag::AuthExceeded))
            .collect();
        assert_eq!(exceeded, vec![3, 8, 9]);
    }

    /// The payer decides whether the evaluation is one of the authorised visits.
    #[test]
    fn the_evaluation_counts_or_not_as_the_payer_says() {
        let mut spec = vec![(Evaluation, Completed)];
        spec.extend(std::iter::repeat_n((Treatment, Completed), 4));
        let h = visits(&spec);
        let with = |counts| Terms {
            authorizations: vec![auth(1, "2026-11-01", "2026-12-31", 4, counts)],
            ..Terms::default()
        };
        let number = |terms: &Terms| assess(&h, &h[4], terms, None, &THRESHOLDS).visit_number;
        assert_eq!(number(&with(true)), Some(5));
        assert_eq!(number(&with(false)), Some(4));
        assert!(flags_of(&h, 4, &with(true)).contains(&Flag::AuthExceeded));
        assert!(!flags_of(&h, 4, &with(false)).contains(&Flag::AuthExceeded));
    }

    #[test]
    fn reevaluation_due_after_thirty_days() {
        let mut h = visits(&[
            (Evaluation, Completed),
            (Treatment, Completed),
            (Treatment, Scheduled),
        ]);
        h[2].start = d("2026-12-01").and_hms_opt(9, 0, 0).unwrap(); // 30 days after 11-01
        assert!(flags_of(&h, 2, &Terms::default()).contains(&Flag::ReevalDue));
        h[2].start = d("2026-11-30").and_hms_opt(9, 0, 0).unwrap();
        assert!(!flags_of(&h, 2, &Terms::default()).contains(&Flag::ReevalDue));
        // A re-evaluation restarts the clock; a discharge stops it; the setting can turn it off.
        h[2].start = d("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        h[1].kind = ReEvaluation;
        assert!(!flags_of(&h, 2, &Terms::default()).contains(&Flag::ReevalDue));
        h[1].kind = Discharge;
        assert!(!flags_of(&h, 2, &Terms::default()).contains(&Flag::ReevalDue));
        h[1].kind = Treatment;
        let off = Thresholds {
            reeval_days: None,
            ..THRESHOLDS
        };
        assert!(
            assess(&h, &h[2], &Terms::default(), None, &off)
                .flags
                .is_empty()
        );
    }

    #[test]
    fn adherence_below_half_is_flagged() {
        let h = visits(&[(Evaluation, Completed), (Treatment, Completed)]);
        let report = |done| Adherence {
            reported_on: d("2026-11-01"),
            done,
            prescribed: 7,
        };
        let f = |a: Adherence| assess(&h, &h[1], &Terms::default(), Some(&a), &THRESHOLDS).flags;
        assert_eq!(f(report(3)), vec![Flag::AdherenceLow]); // 43 %
        assert!(f(report(4)).is_empty()); // 57 %
        let half = Adherence {
            reported_on: d("2026-11-01"),
            done: 5,
            prescribed: 10,
        };
        assert!(f(half).is_empty()); // exactly 50 % is not below 50 %
    }
}

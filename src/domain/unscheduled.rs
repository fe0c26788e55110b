//! Patients falling through the cracks: who the desk should call. About 20% of PT patients drop
//! out by the third visit and 70% do not finish their plan of care; these rules find them
//! while there is still a plan to finish.
//!
//! - `no_future_visit`: an open plan of care (one covering today that no discharge has closed)
//!   and no visit booked from today on.
//! - `below_frequency`: an open plan whose frequency is recorded, with fewer visits booked in
//!   the next two weeks than the frequency asks for (prorated when the plan ends sooner). A
//!   patient with no future visit at all is listed once, as `no_future_visit`.
//! - `missed_twice`: the patient's last two visits, in date order, were both missed (a no-show
//!   or a late cancellation; a cancellation by the patient or the clinic in good time is not a
//!   visit), the later within a plan's longest period (90 days) and no discharge since.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::plan_of_care::{MAX_PLAN_DAYS, PlanOfCare};
use super::{AppointmentStatus, CancelReason, VisitKind};

/// The days ahead whose bookings are held against the plan's frequency.
pub const LOOKAHEAD_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    NoFutureVisit,
    BelowFrequency,
    MissedTwice,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoFutureVisit => "no_future_visit",
            Reason::BelowFrequency => "below_frequency",
            Reason::MissedTwice => "missed_twice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::NoFutureVisit => "no visit booked",
            Reason::BelowFrequency => "booked below the plan's frequency",
            Reason::MissedTwice => "missed the last two visits",
        }
    }
}

/// One of the patient's visits as the rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub start: NaiveDateTime,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub cancel_reason: Option<CancelReason>,
}

/// How a visit that has taken place (or should have) counts for attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Attended,
    Missed,
}

impl Visit {
    /// None for a visit still booked and for a cancellation in good time (it never was a visit).
    pub fn outcome(&self) -> Option<Outcome> {
        match self.status {
            AppointmentStatus::CheckedIn | AppointmentStatus::Completed => Some(Outcome::Attended),
            AppointmentStatus::NoShow => Some(Outcome::Missed),
            AppointmentStatus::Cancelled if self.cancel_reason == Some(CancelReason::Late) => {
                Some(Outcome::Missed)
            }
            AppointmentStatus::Cancelled | AppointmentStatus::Scheduled => None,
        }
    }

    /// Booked and not yet taken place: still scheduled, on `today` or later.
    pub fn is_booked_from(&self, today: NaiveDate) -> bool {
        self.status == AppointmentStatus::Scheduled && self.start.date() >= today
    }
}

/// What the record holds about one patient, for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareFacts {
    pub plans: Vec<PlanOfCare>,
    /// The plans a discharge row closes.
    pub discharged_plans: Vec<i64>,
    /// The days of the patient's recorded discharges.
    pub discharge_days: Vec<NaiveDate>,
    /// Every visit of the patient, any order.
    pub visits: Vec<Visit>,
}

impl CareFacts {
    /// The days the patient's care ended: recorded discharges and attended discharge visits.
    fn discharged_on(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.discharge_days.iter().copied().chain(
            self.visits
                .iter()
                .filter(|v| {
                    v.kind == VisitKind::Discharge && v.outcome() == Some(Outcome::Attended)
                })
                .map(|v| v.start.date()),
        )
    }

    /// The plan covering `today` that no discharge has closed: not one a discharge row names,
    /// nor one with a discharge (row or attended discharge visit) from its start to today.
    /// The latest starting wins when two cover the day (a recertification).
    pub fn open_plan(&self, today: NaiveDate) -> Option<&PlanOfCare> {
        self.plans
            .iter()
            .filter(|p| p.covers(today) && !self.discharged_plans.contains(&p.id))
            .filter(|p| !self.discharged_on().any(|d| p.starts_on <= d && d <= today))
            .max_by_key(|p| (p.starts_on, p.id))
    }

    /// The last attended visit up to `now`.
    pub fn last_visit(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.visits
            .iter()
            .filter(|v| v.start <= now && v.outcome() == Some(Outcome::Attended))
            .map(|v| v.start)
            .max()
    }

    /// The next visit booked from `today` on.
    pub fn next_visit(&self, today: NaiveDate) -> Option<NaiveDateTime> {
        self.visits
            .iter()
            .filter(|v| v.is_booked_from(today))
            .map(|v| v.start)
            .min()
    }

    /// Why the patient should be called, in the order of [`Reason`]; empty when they need not.
    pub fn reasons(&self, today: NaiveDate, now: NaiveDateTime) -> Vec<Reason> {
        let mut out = Vec::new();
        if let Some(plan) = self.open_plan(today) {
            let booked: Vec<NaiveDate> = self
                .visits
                .iter()
                .filter(|v| v.is_booked_from(today))
                .map(|v| v.start.date())
                .collect();
            if booked.is_empty() {
                out.push(Reason::NoFutureVisit);
            } else if let Some(per_week) = plan.visits_per_week {
                let last = (today + Duration::days(LOOKAHEAD_DAYS - 1)).min(plan.ends_on);
                let days = (last - today).num_days() + 1;
                let wanted = (i64::from(per_week) * days + 6) / 7;
                let in_window = booked.iter().filter(|d| **d <= last).count() as i64;
                if in_window < wanted {
                    out.push(Reason::BelowFrequency);
                }
            }
        }
        if self.missed_twice(today, now) {
            out.push(Reason::MissedTwice);
        }
        out
    }

    fn missed_twice(&self, today: NaiveDate, now: NaiveDateTime) -> bool {
        let mut past: Vec<(NaiveDateTime, Outcome)> = self
            .visits
            .iter()
            .filter(|v| v.start <= now)
            .filter_map(|v| v.outcome().map(|o| (v.start, o)))
            .collect();
        past.sort_by_key(|(start, _)| *start);
        let [.., (_, first), (later, second)] = past[..] else {
            return false;
        };
        first == Outcome::Missed
            && second == Outcome::Missed
            && later.date() > today - Duration::days(MAX_PLAN_DAYS)
            && !self.discharged_on().any(|d| d >= later.date())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        d(s).and_hms_opt(10, 0, 0).unwrap()
    }

    const TODAY: &str = "2026-11-27";

    fn now() -> NaiveDateTime {
        d(TODAY).and_hms_opt(8, 0, 0).unwrap()
    }

    fn plan(id: i64, start: &str, end: &str, per_week: Option<u8>) -> PlanOfCare {
        PlanOfCare {
            id,
            patient_id: 1,
            starts_on: d(start),
            ends_on: d(end),
            visits_per_week: per_week,
            weeks: per_week.map(|_| 6),
            physician: None,
            certified_on: None,
            delay_reason: None,
            recertifies: None,
            version: 1,
        }
    }

    fn visit(day: &str, status: AppointmentStatus) -> Visit {
        Visit {
            start: at(day),
            kind: VisitKind::Treatment,
            status,
            cancel_reason: None,
        }
    }

    fn cancelled(day: &str, reason: CancelReason) -> Visit {
        Visit {
            cancel_reason: Some(reason),
            ..visit(day, AppointmentStatus::Cancelled)
        }
    }

    use AppointmentStatus::{Completed, NoShow, Scheduled};

    fn facts(plans: Vec<PlanOfCare>, visits: Vec<Visit>) -> CareFacts {
        CareFacts {
            plans,
            visits,
            ..CareFacts::default()
        }
    }

    fn reasons(f: &CareFacts) -> Vec<Reason> {
        f.reasons(d(TODAY), now())
    }

    #[test]
    fn an_open_plan_with_nothing_booked_is_no_future_visit() {
        // Evaluated on 11-02, 2x/week, seen last on 11-20; nothing booked from today.
        let f = facts(
            vec![plan(1, "2026-11-02", "2026-12-13", Some(2))],
            vec![
                visit("2026-11-02", Completed),
                visit("2026-11-20", Completed),
            ],
        );
        assert_eq!(reasons(&f), vec![Reason::NoFutureVisit]);
        assert_eq!(f.last_visit(now()), Some(at("2026-11-20")));
        assert_eq!(f.next_visit(d(TODAY)), None);
        // A visit booked later today counts as booked.
        let mut booked = f.clone();
        booked.visits.push(visit(TODAY, Scheduled));
        assert!(!reasons(&booked).contains(&Reason::NoFutureVisit));
    }

    #[test]
    fn a_plan_not_covering_today_or_closed_by_a_discharge_is_not_open() {
        let ended = facts(vec![plan(1, "2026-08-01", "2026-10-29", Some(2))], vec![]);
        assert_eq!(reasons(&ended), vec![]);
        let mut by_row = facts(vec![plan(1, "2026-11-02", "2026-12-13", Some(2))], vec![]);
        by_row.discharged_plans = vec![1];
        assert_eq!(reasons(&by_row), vec![]);
        let mut by_day = by_row.clone();
        by_day.discharged_plans.clear();
        by_day.discharge_days = vec![d("2026-11-25")];
        assert_eq!(reasons(&by_day), vec![]);
        // An attended discharge visit closes the plan too; a discharge booked for later does not.
        let mut by_visit = facts(by_day.plans.clone(), vec![]);
        by_visit.visits.push(Visit {
            kind: VisitKind::Discharge,
            ..visit("2026-11-24", Completed)
        });
        assert_eq!(reasons(&by_visit), vec![]);
        let mut booked_discharge = facts(by_day.plans.clone(), vec![]);
        booked_discharge.visits.push(Visit {
            kind: VisitKind::Discharge,
            ..visit("2026-12-10", Scheduled)
        });
        assert_eq!(reasons(&booked_discharge), vec![Reason::BelowFrequency]);
    }

    #[test]
    fn fewer_bookings_in_two_weeks_than_the_frequency_is_below_frequency() {
        let plan2 = vec![plan(1, "2026-11-02", "2026-12-31", Some(2))];
        // 2x/week asks for 4 in the 14 days from 11-27 to 12-10; 3 are booked.
        let three = facts(
            plan2.clone(),
            vec![
                visit("2026-11-30", Scheduled),
                visit("2026-12-03", Scheduled),
                visit("2026-12-07", Scheduled),
                visit("2026-12-11", Scheduled), // the 15th day: outside the window
            ],
        );
        assert_eq!(reasons(&three), vec![Reason::BelowFrequency]);
        let mut four = three.clone();
        four.visits.push(visit("2026-12-10", Scheduled));
        assert_eq!(reasons(&four), vec![]);
        // Cancelled bookings are not bookings.
        let mut one_cancelled = four.clone();
        one_cancelled.visits[0] = cancelled("2026-11-30", CancelReason::Patient);
        assert_eq!(reasons(&one_cancelled), vec![Reason::BelowFrequency]);
    }

    #[test]
    fn the_frequency_is_prorated_when_the_plan_ends_within_two_weeks_and_skipped_when_unknown() {
        // 3x/week, the plan ends on 12-01: 5 days left ask for ceil(15 / 7) = 3 visits.
        let ending = facts(
            vec![plan(1, "2026-09-03", "2026-12-01", Some(3))],
            vec![
                visit("2026-11-28", Scheduled),
                visit("2026-11-30", Scheduled),
            ],
        );
        assert_eq!(reasons(&ending), vec![Reason::BelowFrequency]);
        let mut enough = ending.clone();
        enough.visits.push(visit("2026-12-01", Scheduled));
        assert_eq!(reasons(&enough), vec![]);
        // No frequency recorded: one booking is enough.
        let unknown = facts(
            vec![plan(1, "2026-11-02", "2026-12-31", None)],
            vec![visit("2026-12-01", Scheduled)],
        );
        assert_eq!(reasons(&unknown), vec![]);
    }

    #[test]
    fn the_last_two_visits_missed_in_date_order_is_missed_twice() {
        // Listed out of order: by date, a no-show on 11-18 then a late cancellation on 11-25.
        let f = facts(
            vec![],
            vec![
                cancelled("2026-11-25", CancelReason::Late),
                visit("2026-11-11", Completed),
                visit("2026-11-18", NoShow),
                // Cancelled in good time: not a visit, so it does not break the run.
                cancelled("2026-11-20", CancelReason::Clinic),
            ],
        );
        assert_eq!(reasons(&f), vec![Reason::MissedTwice]);
        // Attended after the misses: not missed twice.
        let mut came_back = f.clone();
        came_back.visits.push(visit("2026-11-26", Completed));
        assert_eq!(reasons(&came_back), vec![]);
        // One miss only.
        let once = facts(
            vec![],
            vec![visit("2026-11-11", Completed), visit("2026-11-18", NoShow)],
        );
        assert_eq!(reasons(&once), vec![]);
    }

    #[test]
    fn missed_twice_long_ago_or_before_a_discharge_is_not_listed() {
        let old = facts(
            vec![],
            vec![visit("2026-07-01", NoShow), visit("2026-08-28", NoShow)],
        );
        assert_eq!(reasons(&old), vec![]);
        let mut recent = facts(
            vec![],
            vec![visit("2026-11-10", NoShow), visit("2026-11-17", NoShow)],
        );
        assert_eq!(reasons(&recent), vec![Reason::MissedTwice]);
        recent.discharge_days = vec![d("2026-11-20")];
        assert_eq!(reasons(&recent), vec![]);
    }

    #[test]
    fn a_patient_can_have_two_reasons() {
        let f = facts(
            vec![plan(1, "2026-11-02", "2026-12-13", Some(2))],
            vec![visit("2026-11-19", NoShow), visit("2026-11-24", NoShow)],
        );
        assert_eq!(
            reasons(&f),
            vec![Reason::NoFutureVisit, Reason::MissedTwice]
        );
        assert_eq!(f.last_visit(now()), None);
    }
}

//! No-show and late-cancellation rates over a period, by therapist, weekday, hour and lead
//! time: of the visits that stood until their time (attended or missed), the share missed.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::Attendance;

/// A visit of the period, as the rates read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateVisit {
    pub therapist_id: i64,
    pub start: NaiveDateTime,
    pub booked_on: Option<NaiveDate>,
    pub attendance: Attendance,
}

/// Finished visits and the missed among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub visits: usize,
    pub no_shows: usize,
    pub late_cancellations: usize,
}

impl Tally {
    fn add(&mut self, a: Attendance) {
        self.visits += 1;
        match a {
            Attendance::NoShow => self.no_shows += 1,
            Attendance::LateCancel => self.late_cancellations += 1,
            _ => {}
        }
    }

    fn rate(&self, n: usize) -> Option<f64> {
        (self.visits > 0).then(|| n as f64 / self.visits as f64)
    }

    pub fn no_show_rate(&self) -> Option<f64> {
        self.rate(self.no_shows)
    }

    pub fn late_cancel_rate(&self) -> Option<f64> {
        self.rate(self.late_cancellations)
    }
}

/// Days between booking and visit, in the bands the report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeadBand {
    SameDay,
    UpToAWeek,
    UpToTwoWeeks,
    UpToAMonth,
    UpToTwoMonths,
    Longer,
    Unknown,
}

impl LeadBand {
    pub fn of(lead_days: Option<i64>) -> LeadBand {
        match lead_days {
            None => LeadBand::Unknown,
            Some(i64::MIN..=0) => LeadBand::SameDay,
            Some(1..=7) => LeadBand::UpToAWeek,
            Some(8..=14) => LeadBand::UpToTwoWeeks,
            Some(15..=30) => LeadBand::UpToAMonth,
            Some(31..=60) => LeadBand::UpToTwoMonths,
            Some(_) => LeadBand::Longer,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadBand::SameDay => "same day",
            LeadBand::UpToAWeek => "1-7 days",
            LeadBand::UpToTwoWeeks => "8-14 days",
            LeadBand::UpToAMonth => "15-30 days",
            LeadBand::UpToTwoMonths => "31-60 days",
            LeadBand::Longer => "over 60 days",
            LeadBand::Unknown => "booking day unknown",
        }
    }

    /// The band's days, first and last (None: open-ended or unknown).
    pub fn days(self) -> (Option<i64>, Option<i64>) {
        match self {
            LeadBand::SameDay => (Some(0), Some(0)),
            LeadBand::UpToAWeek => (Some(1), Some(7)),
            LeadBand::UpToTwoWeeks => (Some(8), Some(14)),
            LeadBand::UpToAMonth => (Some(15), Some(30)),
            LeadBand::UpToTwoMonths => (Some(31), Some(60)),
            LeadBand::Longer => (Some(61), None),
            LeadBand::Unknown => (None, None),
        }
    }
}

/// The period's rates; only groups with visits are listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rates {
    pub total: Tally,
    pub by_therapist: BTreeMap<i64, Tally>,
    /// Monday first.
    pub by_weekday: BTreeMap<usize, Tally>,
    pub by_hour: BTreeMap<u32, Tally>,
    pub by_lead: BTreeMap<LeadBand, Tally>,
}

/// Counts the finished visits among `visits` (others are passed over).
pub fn rates(visits: &[RateVisit]) -> Rates {
    let mut r = Rates::default();
    for v in visits.iter().filter(|v| v.attendance.finished()) {
        let a = v.attendance;
        r.total.add(a);
        r.by_therapist.entry(v.therapist_id).or_default().add(a);
        r.by_weekday
            .entry(v.start.weekday().num_days_from_monday() as usize)
            .or_default()
            .add(a);
        r.by_hour.entry(v.start.hour()).or_default().add(a);
        let lead = v.booked_on.map(|b| (v.start.date() - b).num_days());
        r.by_lead.entry(LeadBand::of(lead)).or_default().add(a);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_finished_visits_by_group() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let v = |therapist_id, hour, lead: Option<i64>, attendance| RateVisit {
            therapist_id,
            start: monday.and_hms_opt(hour, 0, 0).unwrap(),
            booked_on: lead.map(|d| monday - chrono::Duration::days(d)),
            attendance,
        };
        use Attendance::*;
        let r = rates(&[
            v(1, 8, Some(0), NoShow),
            v(1, 8, Some(40), Attended),
            v(2, 9, Some(3), LateCancel),
            v(2, 9, None, Attended),
            v(2, 10, Some(3), Cancelled),
            v(2, 10, Some(3), Open),
        ]);
        assert_eq!(
            r.total,
            Tally {
                visits: 4,
                no_shows: 1,
                late_cancellations: 1
            }
        );
        assert_eq!(r.total.no_show_rate(), Some(0.25));
        assert_eq!(r.by_therapist[&1].no_shows, 1);
        assert_eq!(r.by_therapist[&2].late_cancel_rate(), Some(0.5));
        assert_eq!(r.by_weekday.keys().copied().collect::<Vec<_>>(), vec![0]);
        assert_eq!(r.by_hour.keys().copied().collect::<Vec<_>>(), vec![8, 9]);
        assert_eq!(r.by_lead[&LeadBand::SameDay].no_shows, 1);
        assert_eq!(r.by_lead[&LeadBand::UpToTwoMonths].visits, 1);
        assert_eq!(r.by_lead[&LeadBand::Unknown].visits, 1);
        assert_eq!(Tally::default().no_show_rate(), None);
    }
}

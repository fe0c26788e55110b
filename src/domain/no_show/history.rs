//! What the model knows of a visit: the patient's own earlier visits (missed ones in the 12
//! months before it, the last one attended), when it was booked, when it is, and who comes.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Timelike};

use crate::domain::{AppointmentStatus, CancelReason, VisitKind};

/// How a visit ended, as the model counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    /// Checked in or completed.
    Attended,
    NoShow,
    /// Cancelled by the patient inside 24 hours: a slot lost like a no-show.
    LateCancel,
    /// Cancelled ahead of time (by the patient or the clinic): neither attended nor missed, so
    /// the model neither learns from it nor counts it.
    Cancelled,
    /// Still to come, or never closed out.
    Open,
}

impl Attendance {
    pub fn of(status: AppointmentStatus, reason: Option<CancelReason>) -> Attendance {
        match status {
            AppointmentStatus::CheckedIn | AppointmentStatus::Completed => Attendance::Attended,
            AppointmentStatus::NoShow => Attendance::NoShow,
            AppointmentStatus::Cancelled if reason == Some(CancelReason::Late) => {
                Attendance::LateCancel
            }
            AppointmentStatus::Cancelled => Attendance::Cancelled,
            AppointmentStatus::Scheduled => Attendance::Open,
        }
    }

    /// The outcome the model predicts: a no-show or a late cancellation.
    pub fn missed(self) -> bool {
        matches!(self, Attendance::NoShow | Attendance::LateCancel)
    }

    /// A visit the model learns from: it stood until its time, and was attended or missed.
    pub fn finished(self) -> bool {
        matches!(
            self,
            Attendance::Attended | Attendance::NoShow | Attendance::LateCancel
        )
    }
}

/// One of a patient's visits, as the history holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryVisit {
    pub id: i64,
    pub start: NaiveDateTime,
    /// The day it was booked (None when the record's booking time is unreadable).
    pub booked_on: Option<NaiveDate>,
    pub kind: VisitKind,
    pub attendance: Attendance,
}

/// A patient's visits in start order, with what the model reads of the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientHistory {
    pub date_of_birth: Option<NaiveDate>,
    pub payer: Option<String>,
    /// The last attended visit before the first of `visits`, when they are only the latest
    /// part of a longer history.
    pub attended_before: Option<NaiveDateTime>,
    pub visits: Vec<HistoryVisit>,
}

/// What came before a visit: only visits that started earlier count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prior {
    /// No-shows in the 12 months before the visit.
    pub no_shows: u32,
    /// Late cancellations in the 12 months before the visit.
    pub late_cancels: u32,
    pub last_attended: Option<NaiveDateTime>,
}

/// The first moment of the 12 months before `start` that count as prior visits.
pub fn window_start(start: NaiveDateTime) -> NaiveDateTime {
    start
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Walks a patient's visits (in start order) once, telling `each` what came before each one:
/// the earlier visits inside its 12 months enter and leave a sliding window, so a history of
/// any length costs one pass.
pub fn walk(history: &PatientHistory, mut each: impl FnMut(&HistoryVisit, Prior)) {
    let visits = &history.visits;
    let (mut lo, mut hi) = (0, 0);
    let mut prior = Prior {
        last_attended: history.attended_before,
        ..Prior::default()
    };
    for v in visits {
        while hi < visits.len() && visits[hi].start < v.start {
            match visits[hi].attendance {
                Attendance::NoShow => prior.no_shows += 1,
                Attendance::LateCancel => prior.late_cancels += 1,
                Attendance::Attended => {
                    prior.last_attended = prior.last_attended.max(Some(visits[hi].start));
                }
                Attendance::Cancelled | Attendance::Open => {}
            }
            hi += 1;
        }
        let from = window_start(v.start);
        while lo < hi && visits[lo].start < from {
            match visits[lo].attendance {
                Attendance::NoShow => prior.no_shows -= 1,
                Attendance::LateCancel => prior.late_cancels -= 1,
                _ => {}
            }
            lo += 1;
        }
        each(v, prior);
    }
}

/// The model's view of one visit, in the clinic's words before any scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFacts {
    pub start: NaiveDateTime,
    pub no_shows: u32,
    pub late_cancels: u32,
    /// Days between booking and the visit (None: booking day unknown).
    pub lead_days: Option<i64>,
    /// Days since the last attended visit (None: none attended before).
    pub days_since_attended: Option<i64>,
    /// An evaluation, or no visit attended before it.
    pub first_visit: bool,
    /// The patient's age on the day (None: no readable date of birth).
    pub age: Option<i32>,
}

impl VisitFacts {
    pub fn of(visit: &HistoryVisit, prior: Prior, date_of_birth: Option<NaiveDate>) -> Self {
        let day = visit.start.date();
        let last = prior.last_attended.map(|t| t.date());
        VisitFacts {
            start: visit.start,
            no_shows: prior.no_shows,
            late_cancels: prior.late_cancels,
            lead_days: visit.booked_on.map(|b| (day - b).num_days().max(0)),
            days_since_attended: last.map(|l| (day - l).num_days().max(0)),
            first_visit: visit.kind == VisitKind::Evaluation || last.is_none(),
            age: date_of_birth
                .filter(|dob| *dob <= day)
                .map(|dob| crate::domain::age_on(dob, day)),
        }
    }

    /// Monday = 0.
    pub fn weekday(&self) -> usize {
        self.start.weekday().num_days_from_monday() as usize
    }

    pub fn time_band(&self) -> usize {
        TimeBand::of(self.start.hour()) as usize
    }

    pub fn age_band(&self) -> usize {
        self.age.map_or(AgeBand::Unknown, AgeBand::of) as usize
    }
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The time of day, in the bands the model learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBand {
    EarlyMorning,
    Morning,
    Midday,
    Afternoon,
}

impl TimeBand {
    pub const ALL: [TimeBand; 4] = [
        TimeBand::EarlyMorning,
        TimeBand::Morning,
        TimeBand::Midday,
        TimeBand::Afternoon,
    ];

    pub fn of(hour: u32) -> TimeBand {
        match hour {
            0..=8 => TimeBand::EarlyMorning,
            9..=11 => TimeBand::Morning,
            12..=14 => TimeBand::Midday,
            _ => TimeBand::Afternoon,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeBand::EarlyMorning => "before 9:00",
            TimeBand::Morning => "9:00 to 12:00",
            TimeBand::Midday => "12:00 to 15:00",
            TimeBand::Afternoon => "15:00 or later",
        }
    }
}

/// The patient's age, in the bands the model learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    Under30,
    From30To44,
    From45To64,
    From65To74,
    From75,
    Unknown,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        AgeBand::Under30,
        AgeBand::From30To44,
        AgeBand::From45To64,
        AgeBand::From65To74,
        AgeBand::From75,
        AgeBand::Unknown,
    ];

    pub fn of(age: i32) -> AgeBand {
        match age {
            i32::MIN..=29 => AgeBand::Under30,
            30..=44 => AgeBand::From30To44,
            45..=64 => AgeBand::From45To64,
            65..=74 => AgeBand::From65To74,
            _ => AgeBand::From75,
        }
    }

    /// The stored name, which the reasons also read.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under30 => "under 30",
            AgeBand::From30To44 => "30 to 44",
            AgeBand::From45To64 => "45 to 64",
            AgeBand::From65To74 => "65 to 74",
            AgeBand::From75 => "75 or over",
            AgeBand::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, hour: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn visit(id: i64, day: &str, attendance: Attendance) -> HistoryVisit {
        HistoryVisit {
            id,
            start: at(day, 10),
            booked_on: None,
            kind: VisitKind::Treatment,
            attendance,
        }
    }

    #[test]
    fn prior_counts_cover_the_12_months_before_each_visit_only() {
        use Attendance::*;
        let history = PatientHistory {
            date_of_birth: None,
            payer: None,
            attended_before: None,
            visits: vec![
                visit(1, "2025-01-10", NoShow),
                visit(2, "2025-06-01", LateCancel),
                visit(3, "2025-06-01", NoShow),
                visit(4, "2025-08-01", Attended),
                visit(5, "2025-08-02", Cancelled),
                visit(6, "2026-01-09", Open),
                visit(7, "2026-01-11", Open),
            ],
        };
        let mut seen = Vec::new();
        walk(&history, |v, p| seen.push((v.id, p)));
        let counts: Vec<(i64, u32, u32)> = seen
            .iter()
            .map(|(id, p)| (*id, p.no_shows, p.late_cancels))
            .collect();
        assert_eq!(
            counts,
            vec![
                (1, 0, 0),
                (2, 1, 0),
                // Visits at the same time do not see each other.
                (3, 1, 0),
                (4, 2, 1),
                (5, 2, 1),
                // The no-show of 2025-01-10 is inside the 12 months of 2026-01-09 ...
                (6, 2, 1),
                // ... and out of them two days later.
                (7, 1, 1),
            ]
        );
        assert_eq!(seen[4].1.last_attended, Some(at("2025-08-01", 10)));
        assert_eq!(seen[3].1.last_attended, None);
    }

    #[test]
    fn facts_read_lead_time_gap_first_visit_and_age() {
        let v = HistoryVisit {
            id: 1,
            start: at("2026-03-02", 8),
            booked_on: NaiveDate::from_ymd_opt(2026, 1, 21),
            kind: VisitKind::Treatment,
            attendance: Attendance::Open,
        };
        let prior = Prior {
            no_shows: 2,
            late_cancels: 0,
            last_attended: Some(at("2026-02-20", 9)),
        };
        let f = VisitFacts::of(&v, prior, NaiveDate::from_ymd_opt(2000, 3, 3));
        assert_eq!(f.lead_days, Some(40));
        assert_eq!(f.days_since_attended, Some(10));
        assert!(!f.first_visit);
        assert_eq!(f.age, Some(25));
        assert_eq!(f.weekday(), 0);
        assert_eq!(TimeBand::ALL[f.time_band()], TimeBand::EarlyMorning);
        assert_eq!(AgeBand::ALL[f.age_band()], AgeBand::Under30);
        let first = VisitFacts::of(&v, Prior::default(), None);
        assert!(first.first_visit);
        assert_eq!(AgeBand::ALL[first.age_band()], AgeBand::Unknown);
        let eval = HistoryVisit {
            kind: VisitKind::Evaluation,
            ..v
        };
        assert!(VisitFacts::of(&eval, prior, None).first_visit);
    }
}

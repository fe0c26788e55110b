//! The booking form's series and free-slot work, done on the database thread: the next free
//! slot, what checking a series reads, booking it, and "this and the following ones".

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::series::{BookedSeries, NewSeries, SeriesFacts, SeriesRule};
use super::{Db, Who};
use crate::domain::appointment::Visit;
use crate::domain::series::{
    self, Checked, Outcome, SeriesContext, SeriesEnd, SeriesRequest, authorization_counts,
};
use crate::domain::slots::{Busy, BusyTimes, SEARCH_DAYS, next_free};
use crate::domain::{CancelReason, VisitKind};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum SeriesWork {
    /// The therapist's first free start for `minutes` from `from` on, in the site's hours.
    NextSlot {
        therapist_id: i64,
        site_id: i64,
        minutes: i64,
        from: NaiveDateTime,
    },
    /// What checking a series of the patient's with the therapist at the site needs, from
    /// `from` on.
    Facts {
        patient_id: i64,
        therapist_id: i64,
        site_id: i64,
        from: NaiveDate,
    },
    Book(NewSeries),
    /// Whether a visit is one of a series (before cancel or move asks "this and the following").
    SeriesOf {
        visit_id: i64,
    },
    CancelFollowing {
        visit_id: i64,
        reason: CancelReason,
    },
    MoveFollowing {
        visit_id: i64,
        seen_version: i64,
        to: NaiveDateTime,
    },
}

/// What the check of a series works from: the patient's terms and the therapist's taken
/// times over the series' year and the weeks a clash may be moved into.
#[derive(Debug, Clone)]
pub struct CheckFacts {
    pub facts: SeriesFacts,
    pub busy: Vec<Busy>,
}

impl CheckFacts {
    pub fn context(&self, kind: VisitKind, now: NaiveDateTime) -> SeriesContext<'_> {
        SeriesContext {
            calendar: &self.facts.calendar,
            busy: BusyTimes::new(self.busy.clone()),
            plans: self.facts.terms.plans.clone(),
            authorizations: authorization_counts(
                &self.facts.terms.authorizations,
                &self.facts.counted_visits,
            ),
            kind,
            now,
        }
    }
}

#[derive(Debug, Clone)]
pub enum SeriesWorkReply {
    NextSlot(Option<NaiveDateTime>),
    Facts(Box<CheckFacts>),
    Booked(BookedSeries),
    SeriesOf { visit_id: i64, series: Option<i64> },
    CancelledFollowing(Vec<Visit>),
    MovedFollowing(Vec<Visit>),
}

/// The visits a series' check reads the therapist's diary for: a year from its start and the
/// weeks after its last day a clash may move into.
const FACTS_DAYS: i64 = 366 + SEARCH_DAYS + 1;

impl SeriesWork {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            SeriesWork::Book(_)
                | SeriesWork::CancelFollowing { .. }
                | SeriesWork::MoveFollowing { .. }
        )
    }

    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<SeriesWorkReply> {
        match self {
            SeriesWork::NextSlot {
                therapist_id,
                site_id,
                minutes,
                from,
            } => {
                let (calendar, busy) = db.slot_facts(therapist_id, site_id, from.date())?;
                let found = next_free(from, minutes, &calendar, &BusyTimes::new(busy), 1);
                Ok(SeriesWorkReply::NextSlot(found.first().copied()))
            }
            SeriesWork::Facts {
                patient_id,
                therapist_id,
                site_id,
                from,
            } => {
                let facts = db.series_facts(patient_id, site_id)?;
                let busy =
                    db.therapist_busy(therapist_id, from, from + Duration::days(FACTS_DAYS))?;
                Ok(SeriesWorkReply::Facts(Box::new(CheckFacts { facts, busy })))
            }
            SeriesWork::Book(s) => db.book_series(&s, who).map(SeriesWorkReply::Booked),
            SeriesWork::SeriesOf { visit_id } => Ok(SeriesWorkReply::SeriesOf {
                visit_id,
                series: db.series_of(visit_id)?,
            }),
            SeriesWork::CancelFollowing { visit_id, reason } => db
                .cancel_following(visit_id, reason, who)
                .map(SeriesWorkReply::CancelledFollowing),
            SeriesWork::MoveFollowing {
                visit_id,
                seen_version,
                to,
            } => db
                .move_following(visit_id, Some(seen_version), to, who)
                .map(SeriesWorkReply::MovedFollowing),
        }
    }
}

/// The series to book from a checked request: each occurrence booked, moved or booked anyway
/// at its place, those booked anyway over a clash not required to find the therapist free.
pub fn new_series(
    patient_id: i64,
    therapist_id: i64,
    site_id: i64,
    kind: VisitKind,
    request: &SeriesRequest,
    checked: &[Checked],
) -> NewSeries {
    let starts = checked
        .iter()
        .filter_map(|c| {
            c.booked_at().map(|at| {
                (
                    at,
                    !matches!(c.outcome, Outcome::Booked { reason: Some(_) }),
                )
            })
        })
        .collect();
    NewSeries {
        patient_id,
        therapist_id,
        minutes: request.minutes,
        kind,
        site_id,
        rule: Some(SeriesRule {
            weekdays: request.weekdays_text(),
            time: request.time.format("%H:%M").to_string(),
            starts_on: request.start,
            ends_on: match request.end {
                SeriesEnd::Until(u) => u,
                SeriesEnd::Count(_) => request.last_day(),
            },
            count: match request.end {
                SeriesEnd::Count(n) => Some(n),
                SeriesEnd::Until(_) => None,
            },
        }),
        starts,
    }
}

/// The plan's frequency for a series starting on `start`, from the facts read.
pub fn plan_frequency(facts: &CheckFacts, start: NaiveDate) -> Option<series::PlanFrequency> {
    series::plan_frequency(&facts.facts.plans, start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoOptions;
    use crate::domain::AppointmentStatus;
    use crate::domain::clinic_hours::ClinicCalendar;
    use crate::domain::series::{Resolution, TypedSeries, read_series};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const WHO: Who = Who {
        user: "admin",
        at: "2026-11-27T09:00:00",
    };

    /// What the booking form asks the database thread, end to end on a small demo clinic: the
    /// next free slot, the facts, the series booked from them and its later visits cancelled.
    #[test]
    fn the_desk_finds_a_slot_checks_and_books_a_series_then_cancels_the_later_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let opts = DemoOptions {
            patients: 40,
            weeks_back: 1,
            weeks_ahead: 2,
            ..DemoOptions::default()
        };
        crate::demo::build(&path, false, &opts, day("2026-11-27")).unwrap();
        let mut db = crate::db::open_existing(&path).unwrap();
        let taken = db
            .day_without_flags(day("2026-12-03"))
            .unwrap()
            .into_iter()
            .find(|v| v.status == AppointmentStatus::Scheduled)
            .unwrap();
        let (therapist, patient) = (taken.therapist_id, taken.patient_id);
        let from = day("2026-11-30").and_hms_opt(0, 0, 0).unwrap();
        let SeriesWorkReply::NextSlot(Some(slot)) = (SeriesWork::NextSlot {
            therapist_id: therapist,
            site_id: 1,
            minutes: 45,
            from,
        })
        .handle(&mut db, WHO)
        .unwrap() else {
            panic!("no free slot")
        };
        let calendar = ClinicCalendar::default();
        assert!(slot >= from);
        assert_eq!(
            calendar.booking_warning(slot, 45, from),
            None,
            "a slot within the hours"
        );
        assert!(
            db.therapist_bookings(therapist, slot.date())
                .unwrap()
                .iter()
                .all(|v| !v.overlaps(slot, 45))
        );

        let SeriesWorkReply::Facts(facts) = (SeriesWork::Facts {
            patient_id: patient,
            therapist_id: therapist,
            site_id: 1,
            from: day("2026-11-30"),
        })
        .handle(&mut db, WHO)
        .unwrap() else {
            panic!("no facts")
        };
        let typed = TypedSeries {
            weekdays: Some("mon,thu".into()),
            time: taken.start.format("%H:%M").to_string(),
            minutes: 45,
            start: "2026-11-30".into(),
            count: Some(4),
            until: None,
        };
        let request = read_series(&typed, None, &facts.facts.calendar, day("2026-11-27")).unwrap();
        let ctx = facts.context(VisitKind::Treatment, from);
        let checked = series::check_series(&request.occurrences, 45, &ctx, |_, _| {
            Some(Resolution::Move)
        });
        assert!(
            checked
                .iter()
                .any(|c| c.start == taken.start && c.outcome.word() != "booked"),
            "the therapist's own visit on Thursday is a clash: {checked:?}"
        );
        let new = new_series(
            patient,
            therapist,
            1,
            VisitKind::Treatment,
            &request,
            &checked,
        );
        let SeriesWorkReply::Booked(booked) = SeriesWork::Book(new).handle(&mut db, WHO).unwrap()
        else {
            panic!("not booked")
        };
        let placed = checked.iter().filter(|c| c.booked_at().is_some()).count();
        assert_eq!(booked.appointments.len(), placed);

        let second = booked.appointments[1];
        let SeriesWorkReply::SeriesOf {
            series: Some(id), ..
        } = (SeriesWork::SeriesOf { visit_id: second })
            .handle(&mut db, WHO)
            .unwrap()
        else {
            panic!("not one of a series")
        };
        assert_eq!(Some(id), booked.series_id);
        let SeriesWorkReply::CancelledFollowing(cancelled) = (SeriesWork::CancelFollowing {
            visit_id: second,
            reason: CancelReason::Patient,
        })
        .handle(&mut db, WHO)
        .unwrap() else {
            panic!("nothing cancelled")
        };
        assert_eq!(cancelled.len(), placed - 1);
        let first = db.visit(booked.appointments[0]).unwrap().unwrap();
        assert_eq!(first.status, AppointmentStatus::Scheduled);
        let other = db.visit(taken.id).unwrap().unwrap();
        assert_eq!(other.status, AppointmentStatus::Scheduled);
    }
}

//! When a therapist is free for a visit of a given length: the "next free slot" of the booking
//! form and `ptclinic slots`, and the "nearest free time" a clashing occurrence of a series is
//! moved to. Both read the same free starts of a day, so they can never disagree.
//!
//! A day's free starts: each stretch of the day's opening hours with no visit of the therapist
//! in it is filled with back-to-back visits of the asked length from the stretch's beginning
//! (rounded up to the next 5 minutes). A closed date or weekday has none; nothing starts
//! before `not_before` (now, when the day is today).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::clinic_hours::ClinicCalendar;

/// Free starts fall on the 5-minute clock, as visits are booked.
pub const SLOT_STEP_MINUTES: u32 = 5;
/// How far ahead a free time is looked for: beyond two months a therapist's diary is a
/// different question (a leave, a new hire) than the next free slot.
pub const SEARCH_DAYS: i64 = 60;
/// How many free starts `ptclinic slots` and the booking form list.
pub const LISTED_SLOTS: usize = 10;
/// The longest visit, so that a visit starting the evening before is still seen.
const LONGEST_VISIT: i64 = super::appointment::VISIT_MINUTES_MAX;

/// A time the therapist is taken: a visit that is not cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub start: NaiveDateTime,
    pub minutes: i64,
}

impl Busy {
    pub fn end(&self) -> NaiveDateTime {
        self.start + Duration::minutes(self.minutes)
    }

    fn overlaps(&self, start: NaiveDateTime, minutes: i64) -> bool {
        self.start < start + Duration::minutes(minutes) && start < self.end()
    }
}

/// A therapist's taken times in start order, so that a day's are found without a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusyTimes {
    sorted: Vec<Busy>,
}

impl BusyTimes {
    pub fn new(mut times: Vec<Busy>) -> Self {
        times.sort_by_key(|b| b.start);
        BusyTimes { sorted: times }
    }

    pub fn add(&mut self, b: Busy) {
        let at = self.sorted.partition_point(|x| x.start <= b.start);
        self.sorted.insert(at, b);
    }

    /// The first taken time overlapping `[start, start + minutes)`.
    pub fn overlapping(&self, start: NaiveDateTime, minutes: i64) -> Option<Busy> {
        let from = self
            .sorted
            .partition_point(|b| b.start < start - Duration::minutes(LONGEST_VISIT));
        let to = self
            .sorted
            .partition_point(|b| b.start < start + Duration::minutes(minutes));
        self.sorted[from..to]
            .iter()
            .copied()
            .find(|b| b.overlaps(start, minutes))
    }

    /// The latest end among the taken times overlapping `[start, start + minutes)`.
    fn latest_end_over(&self, start: NaiveDateTime, minutes: i64) -> Option<NaiveDateTime> {
        let from = self
            .sorted
            .partition_point(|b| b.start < start - Duration::minutes(LONGEST_VISIT));
        let to = self
            .sorted
            .partition_point(|b| b.start < start + Duration::minutes(minutes));
        self.sorted[from..to]
            .iter()
            .filter(|b| b.overlaps(start, minutes))
            .map(Busy::end)
            .max()
    }
}

/// `t` rounded up to the 5-minute clock.
fn round_up(t: NaiveDateTime) -> NaiveDateTime {
    let t = t
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t);
    let over = t.minute() % SLOT_STEP_MINUTES;
    if over == 0 {
        t
    } else {
        t + Duration::minutes(i64::from(SLOT_STEP_MINUTES - over))
    }
}

/// The free starts of `day` for a visit of `minutes` (see the module's rule).
pub fn free_starts_on(
    day: NaiveDate,
    minutes: i64,
    calendar: &ClinicCalendar,
    busy: &BusyTimes,
    not_before: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    if calendar.closed_on(day).is_some() {
        return Vec::new();
    }
    let Some(hours) = calendar.hours_on(chrono::Datelike::weekday(&day)) else {
        return Vec::new();
    };
    let close = day.and_time(hours.close);
    let mut cursor = round_up(day.and_time(hours.open).max(not_before));
    let mut out = Vec::new();
    while cursor + Duration::minutes(minutes) <= close && cursor.date() == day {
        match busy.latest_end_over(cursor, minutes) {
            Some(end) => cursor = round_up(end.max(cursor + Duration::minutes(1))),
            None => {
                out.push(cursor);
                cursor += Duration::minutes(minutes);
            }
        }
    }
    out
}

/// Up to `limit` free starts from `from` on, day by day within [`SEARCH_DAYS`].
pub fn next_free(
    from: NaiveDateTime,
    minutes: i64,
    calendar: &ClinicCalendar,
    busy: &BusyTimes,
    limit: usize,
) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    for offset in 0..SEARCH_DAYS {
        let day = from.date() + Duration::days(offset);
        for start in free_starts_on(day, minutes, calendar, busy, from) {
            if out.len() == limit {
                return out;
            }
            out.push(start);
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

/// The free time nearest to `at` for a clashing visit: the day's free start closest to `at`
/// (earlier or later, the later on a tie: a patient can more often stay on than come early), else the first free start of the following days
/// within [`SEARCH_DAYS`]. Nothing starts before `not_before`.
pub fn nearest_free(
    at: NaiveDateTime,
    minutes: i64,
    calendar: &ClinicCalendar,
    busy: &BusyTimes,
    not_before: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let same_day = free_starts_on(at.date(), minutes, calendar, busy, not_before)
        .into_iter()
        .min_by_key(|s| ((*s - at).num_minutes().abs(), std::cmp::Reverse(*s)));
    if same_day.is_some() {
        return same_day;
    }
    let next_day = at.date().succ_opt()?.and_time(NaiveTime::MIN);
    next_free(next_day.max(not_before), minutes, calendar, busy, 1)
        .into_iter()
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clinic_hours::ClosedDay;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn busy(list: &[(&str, i64)]) -> BusyTimes {
        BusyTimes::new(
            list.iter()
                .map(|(s, m)| Busy {
                    start: at(s),
                    minutes: *m,
                })
                .collect(),
        )
    }

    const EARLY: &str = "2026-11-01T00:00";

    #[test]
    fn a_free_day_is_filled_back_to_back_from_opening() {
        let c = ClinicCalendar::default();
        let day = at("2026-11-30T00:00").date();
        let starts = free_starts_on(day, 45, &c, &BusyTimes::default(), at(EARLY));
        assert_eq!(starts.first(), Some(&at("2026-11-30T07:00")));
        assert_eq!(starts.get(1), Some(&at("2026-11-30T07:45")));
        // 16 visits of 45 minutes fit in 07:00–19:00 exactly.
        assert_eq!(starts.len(), 16);
        assert_eq!(starts.last(), Some(&at("2026-11-30T18:15")));
    }

    #[test]
    fn busy_time_is_stepped_over_and_the_next_start_is_on_the_five_minute_clock() {
        let c = ClinicCalendar::default();
        let b = busy(&[("2026-11-30T07:00", 50), ("2026-11-30T08:30", 30)]);
        let starts = next_free(at("2026-11-30T07:00"), 30, &c, &b, 3);
        // 07:50–08:20 fits before 08:30; then after 09:00.
        assert_eq!(
            starts,
            vec![
                at("2026-11-30T07:50"),
                at("2026-11-30T09:00"),
                at("2026-11-30T09:30")
            ]
        );
        let odd = busy(&[("2026-11-30T07:00", 47)]);
        assert_eq!(
            next_free(at("2026-11-30T07:00"), 30, &c, &odd, 1),
            vec![at("2026-11-30T07:50")]
        );
    }

    #[test]
    fn closed_days_and_the_past_have_no_free_start() {
        let mut c = ClinicCalendar::default();
        c.closed.push(ClosedDay {
            date: at("2026-12-01T00:00").date(),
            reason: None,
        });
        // Monday 18:30: nothing of 45 minutes fits before 19:00; Tuesday is closed; Wednesday opens.
        let starts = next_free(at("2026-11-30T18:30"), 45, &c, &BusyTimes::default(), 1);
        assert_eq!(starts, vec![at("2026-12-02T07:00")]);
        // Saturday after noon and Sunday: Monday's opening.
        let weekend = next_free(at("2026-11-28T11:40"), 30, &c, &BusyTimes::default(), 1);
        assert_eq!(weekend, vec![at("2026-11-30T07:00")]);
    }

    #[test]
    fn a_therapist_booked_solid_has_no_slot_within_the_search() {
        let c = ClinicCalendar::default();
        let solid: Vec<Busy> = (0..SEARCH_DAYS)
            .map(|d| Busy {
                start: at("2026-11-30T07:00") + Duration::days(d),
                minutes: 12 * 60,
            })
            .collect();
        assert!(next_free(at("2026-11-30T07:00"), 30, &c, &BusyTimes::new(solid), 1).is_empty());
    }

    #[test]
    fn the_nearest_free_time_is_the_same_day_first_then_the_following_days() {
        let c = ClinicCalendar::default();
        let b = busy(&[("2026-11-30T07:00", 180), ("2026-11-30T10:45", 60)]);
        // 10:00 is taken until 10:00 … 10:45 free 45 min, then busy to 11:45.
        assert_eq!(
            nearest_free(at("2026-11-30T10:30"), 45, &c, &b, at(EARLY)),
            Some(at("2026-11-30T10:00"))
        );
        assert_eq!(
            nearest_free(at("2026-11-30T11:00"), 60, &c, &b, at(EARLY)),
            Some(at("2026-11-30T11:45"))
        );
        // The whole day taken: the next day's opening.
        let full = busy(&[("2026-11-30T07:00", 480), ("2026-11-30T15:00", 240)]);
        assert_eq!(
            nearest_free(at("2026-11-30T10:00"), 45, &c, &full, at(EARLY)),
            Some(at("2026-12-01T07:00"))
        );
    }

    #[test]
    fn a_visit_overlapping_from_before_the_looked_at_time_is_seen() {
        let b = busy(&[("2026-11-30T09:00", 120)]);
        assert!(b.overlapping(at("2026-11-30T10:30"), 15).is_some());
        assert!(b.overlapping(at("2026-11-30T11:00"), 15).is_none());
        assert!(b.overlapping(at("2026-11-30T08:30"), 30).is_none());
        assert!(b.overlapping(at("2026-11-30T08:30"), 31).is_some());
    }
}

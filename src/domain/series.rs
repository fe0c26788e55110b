//! A series of visits ("Mon and Thu 10:00, 12 visits"): the request as typed and checked, its
//! occurrences, the check of each occurrence against the therapist's diary, the clinic's
//! calendar and the patient's plan of care and authorisation, and what becomes of a clash.
//!
//! Each occurrence is booked as its own visit carrying the series' id (never one object that
//! hides its visits), and a series always has an end: a count or an until date, at most a year
//! after its start.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::authorization::counts;
use super::clinic_hours::{ClinicCalendar, WEEKDAYS, parse_weekday, weekday_name};
use super::flags::{AuthWindow, PlanWindow, Terms};
use super::slots::{Busy, BusyTimes, nearest_free};
use super::{VisitKind, appointment, when};

/// The most visits a week a series may hold: one a day.
pub const MAX_PER_WEEK: usize = 7;

/// How a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesEnd {
    Count(u32),
    Until(NaiveDate),
}

/// A series as typed at the desk or on the command line, before it is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedSeries {
    /// "mon,thu"; None: from the plan of care, else the start's weekday.
    pub weekdays: Option<String>,
    pub time: String,
    pub minutes: i64,
    pub start: String,
    pub count: Option<i64>,
    pub until: Option<String>,
}

/// The plan of care's frequency and duration, which fill in what the series leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFrequency {
    pub visits_per_week: u8,
    pub weeks: u8,
}

/// A checked series and its occurrences in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRequest {
    pub weekdays: Vec<Weekday>,
    pub time: NaiveTime,
    pub minutes: i64,
    pub start: NaiveDate,
    pub end: SeriesEnd,
    pub occurrences: Vec<NaiveDateTime>,
    /// What was filled in from the plan of care, in a sentence each (for the screen or stdout).
    pub filled_in: Vec<String>,
}

impl SeriesRequest {
    /// "mon,thu": the weekdays as stored and typed.
    pub fn weekdays_text(&self) -> String {
        weekdays_text(&self.weekdays)
    }

    pub fn last_day(&self) -> NaiveDate {
        self.occurrences.last().map_or(self.start, |o| o.date())
    }
}

pub fn weekdays_text(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| weekday_name(*d)[..3].to_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

/// The first day a series starting on `start` may no longer reach: a year on.
fn year_after(start: NaiveDate) -> NaiveDate {
    start
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

/// The weekdays of "mon,thu", "Mon Thu" or "monday, thursday", in week order without repeats.
pub fn read_weekdays(text: &str) -> Result<Vec<Weekday>, String> {
    let words: Vec<&str> = text
        .split([',', ' ', '/'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err("a series needs at least one weekday, such as mon,thu".into());
    }
    if words.len() > MAX_PER_WEEK {
        return Err(format!(
            "a series has at most {MAX_PER_WEEK} visits a week (one a day), not {}",
            words.len()
        ));
    }
    let mut days = Vec::new();
    for w in words {
        let d = parse_weekday(w)?;
        if days.contains(&d) {
            return Err(format!(
                "{} is named twice: a series has at most one visit a day",
                weekday_name(d)
            ));
        }
        days.push(d);
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

/// The weekdays for a plan's `per_week` visits: that many of the clinic's open weekdays, spread
/// as evenly as the week allows from the start's weekday (or the next open one). With the
/// default week (Mon–Sat open) a start on Monday gives Mon,Thu for 2 a week and Mon,Wed,Fri for 3.
pub fn spread_weekdays(
    per_week: usize,
    start: NaiveDate,
    calendar: &ClinicCalendar,
) -> Result<Vec<Weekday>, String> {
    let from = start.weekday().num_days_from_monday() as usize;
    let open: Vec<Weekday> = (0..7)
        .map(|i| WEEKDAYS[(from + i) % 7])
        .filter(|wd| calendar.hours_on(*wd).is_some())
        .collect();
    if per_week == 0 || per_week > open.len() {
        return Err(format!(
            "the plan of care's {per_week} visits a week do not fit the {} days the clinic is open: name the weekdays",
            open.len()
        ));
    }
    let mut days: Vec<Weekday> = (0..per_week)
        .map(|k| open[k * open.len() / per_week])
        .collect();
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

/// The series' occurrences: each of the weekdays at `time` from `start`, until the count or
/// the end date; an error when they would run a year or more.
fn occurrences(
    weekdays: &[Weekday],
    time: NaiveTime,
    start: NaiveDate,
    end: SeriesEnd,
) -> Result<Vec<NaiveDateTime>, String> {
    let limit = year_after(start);
    let mut out = Vec::new();
    let mut day = start;
    loop {
        let done = match end {
            SeriesEnd::Count(n) => out.len() >= n as usize,
            SeriesEnd::Until(u) => day > u,
        };
        if done {
            return Ok(out);
        }
        if day >= limit {
            return Err(format!(
                "a series spans at most a year: {} from {start} would run past {}",
                match end {
                    SeriesEnd::Count(n) => format!("{n} visits on {}", weekdays_text(weekdays)),
                    SeriesEnd::Until(u) => format!("until {u}"),
                },
                limit - Duration::days(1)
            ));
        }
        if weekdays.contains(&day.weekday()) {
            out.push(day.and_time(time));
        }
        day = day
            .succ_opt()
            .ok_or("a series' dates run past the calendar")?;
    }
}

/// Reads and checks a typed series: one sentence for the first problem. What is left out is
/// filled from the plan of care when `plan` is given (weekdays spread over the week, a count of
/// its visits a week times its weeks); with neither weekdays nor a plan, nor a count or end,
/// it is a single visit.
pub fn read_series(
    typed: &TypedSeries,
    plan: Option<PlanFrequency>,
    calendar: &ClinicCalendar,
    today: NaiveDate,
) -> Result<SeriesRequest, String> {
    let start = when::parse_date(&typed.start, today).map_err(|e| format!("the start: {e}"))?;
    let (open, close) = calendar.reading_window(start);
    let time = when::parse_time(&typed.time, open, close).map_err(|e| format!("the time: {e}"))?;
    if !appointment::is_visit_length(typed.minutes) {
        return Err(format!(
            "a visit lasts {} minutes, not {}",
            appointment::visit_minutes_range(),
            typed.minutes
        ));
    }
    let until = typed
        .until
        .as_deref()
        .map(|u| when::parse_date(u, today).map_err(|e| format!("the end: {e}")))
        .transpose()?;
    if let Some(n) = typed.count
        && n < 1
    {
        return Err(format!("a series has at least one visit, not {n}"));
    }
    if let Some(u) = until {
        if u < start {
            return Err(format!("the series' end {u} is before its start {start}"));
        }
        if u >= year_after(start) {
            return Err(format!(
                "a series spans at most a year: the end {u} is after {}",
                year_after(start) - Duration::days(1)
            ));
        }
    }
    let mut filled_in = Vec::new();
    let weekdays = match (&typed.weekdays, plan) {
        (Some(text), _) => read_weekdays(text)?,
        // One visit asked for is on its start, whatever the plan's weekdays.
        (None, Some(p)) if typed.count != Some(1) => {
            let days = spread_weekdays(p.visits_per_week.into(), start, calendar)?;
            filled_in.push(format!(
                "weekdays {} from the plan of care's {} visits a week, spread over the clinic's open days from {}",
                weekdays_text(&days),
                p.visits_per_week,
                weekday_name(start.weekday())
            ));
            days
        }
        (None, _) => vec![start.weekday()],
    };
    let end = match (typed.count, until, plan) {
        (Some(n), _, _) => SeriesEnd::Count(
            u32::try_from(n)
                .map_err(|_| format!("a series spans at most a year, not {n} visits"))?,
        ),
        (None, Some(u), _) => SeriesEnd::Until(u),
        (None, None, Some(p)) => {
            let n = u32::from(p.visits_per_week) * u32::from(p.weeks);
            filled_in.push(format!(
                "{n} visits from the plan of care's {}x/week for {} weeks",
                p.visits_per_week, p.weeks
            ));
            SeriesEnd::Count(n)
        }
        (None, None, None) if typed.weekdays.is_none() => SeriesEnd::Count(1),
        (None, None, None) => {
            return Err("a series always has an end: give a count of visits or an end date".into());
        }
    };
    let occurrences = occurrences(&weekdays, time, start, end)?;
    if occurrences.is_empty() {
        return Err(format!(
            "no {} falls between {start} and the end",
            weekdays_text(&weekdays)
        ));
    }
    Ok(SeriesRequest {
        weekdays,
        time,
        minutes: typed.minutes,
        start,
        end,
        occurrences,
        filled_in,
    })
}

/// What is wrong with an occurrence's time or terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClashKind {
    TherapistBusy,
    InThePast,
    ClinicClosed,
    OutsideHours,
    BeyondAuthorization,
    BeyondPlanOfCare,
}

impl ClashKind {
    /// Whether another time can mend it: a busy therapist or the clinic's calendar can, the
    /// authorisation's visits and the plan's period cannot.
    pub fn mended_by_moving(self) -> bool {
        !matches!(
            self,
            ClashKind::BeyondAuthorization | ClashKind::BeyondPlanOfCare
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub kind: ClashKind,
    pub reason: String,
}

/// What to do with an occurrence that clashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Skip,
    /// To the nearest free time ([`nearest_free`]): the same day first, then the following days.
    Move,
    BookAnyway,
}

impl Resolution {
    pub fn parse(word: &str) -> Option<Self> {
        match word.trim().to_lowercase().as_str() {
            "skip" => Some(Resolution::Skip),
            "move" => Some(Resolution::Move),
            "book" | "book-anyway" | "anyway" => Some(Resolution::BookAnyway),
            _ => None,
        }
    }
}

/// What becomes of an occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Booked at its time; `reason` is the clash it was booked despite, if any.
    Booked {
        reason: Option<String>,
    },
    Skipped {
        reason: String,
    },
    Moved {
        to: NaiveDateTime,
        reason: String,
    },
    /// Clashes and nothing was chosen (or moving could not mend it): the series is not booked.
    Clash {
        reason: String,
    },
}

impl Outcome {
    /// The word scripts read: booked, skipped, moved or clash.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Booked { .. } => "booked",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Moved { .. } => "moved",
            Outcome::Clash { .. } => "clash",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Booked { reason } => reason.as_deref(),
            Outcome::Skipped { reason }
            | Outcome::Moved { reason, .. }
            | Outcome::Clash { reason } => Some(reason),
        }
    }
}

/// One occurrence after the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The occurrence's own time.
    pub start: NaiveDateTime,
    pub clashes: Vec<Clash>,
    pub outcome: Outcome,
}

impl Checked {
    /// Where the visit is booked, when it is.
    pub fn booked_at(&self) -> Option<NaiveDateTime> {
        match &self.outcome {
            Outcome::Booked { .. } => Some(self.start),
            Outcome::Moved { to, .. } => Some(*to),
            Outcome::Skipped { .. } | Outcome::Clash { .. } => None,
        }
    }
}

/// An authorisation with the patient's visits already booked or attended in its window that
/// count against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizationCount {
    pub window: AuthWindow,
    pub booked: i64,
}

/// What the check of a series needs to know.
#[derive(Debug, Clone)]
pub struct SeriesContext<'a> {
    pub calendar: &'a ClinicCalendar,
    /// The therapist's visits that are not cancelled, over the series' weeks and after.
    pub busy: BusyTimes,
    pub plans: Vec<PlanWindow>,
    pub authorizations: Vec<AuthorizationCount>,
    pub kind: VisitKind,
    pub now: NaiveDateTime,
}

fn hm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

impl SeriesContext<'_> {
    fn time_clashes(&self, start: NaiveDateTime, minutes: i64) -> Vec<Clash> {
        let mut out = Vec::new();
        if let Some(b) = self.busy.overlapping(start, minutes) {
            out.push(Clash {
                kind: ClashKind::TherapistBusy,
                reason: format!(
                    "the therapist has a visit {}–{} on {}",
                    hm(b.start),
                    hm(b.end()),
                    b.start.format("%a %-d %b")
                ),
            });
        }
        if let Some(warning) = self.calendar.booking_warning(start, minutes, self.now) {
            let kind = if start < self.now {
                ClashKind::InThePast
            } else if warning.contains("outside the clinic's hours") {
                ClashKind::OutsideHours
            } else {
                ClashKind::ClinicClosed
            };
            out.push(Clash {
                kind,
                reason: warning,
            });
        }
        out
    }

    fn term_clashes(&self, day: NaiveDate, placed: &[NaiveDate]) -> Vec<Clash> {
        let mut out = Vec::new();
        let plans = Terms {
            plans: self.plans.clone(),
            authorizations: Vec::new(),
        };
        if !self.plans.is_empty() && plans.plan_for(day).is_none() {
            let ended = self
                .plans
                .iter()
                .filter(|p| p.ends_on < day)
                .map(|p| p.ends_on)
                .max();
            out.push(Clash {
                kind: ClashKind::BeyondPlanOfCare,
                reason: match ended {
                    Some(end) => format!("after the plan of care's end on {end}"),
                    None => "before the plan of care starts".to_string(),
                },
            });
        }
        if !self.authorizations.is_empty() {
            let terms = Terms {
                plans: Vec::new(),
                authorizations: self.authorizations.iter().map(|a| a.window).collect(),
            };
            match terms.authorization_for(day) {
                None => {
                    let ended = self
                        .authorizations
                        .iter()
                        .filter(|a| a.window.ends_on < day)
                        .map(|a| a.window.ends_on)
                        .max();
                    out.push(Clash {
                        kind: ClashKind::BeyondAuthorization,
                        reason: match ended {
                            Some(end) => format!("after the authorisation's end on {end}"),
                            None => "before the authorisation's window starts".to_string(),
                        },
                    });
                }
                Some(a) if counts(self.kind, a.evaluation_counts) => {
                    let booked = self
                        .authorizations
                        .iter()
                        .find(|c| c.window.id == a.id)
                        .map_or(0, |c| c.booked);
                    let in_series = placed
                        .iter()
                        .filter(|d| a.starts_on <= **d && **d <= a.ends_on)
                        .count() as i64;
                    let number = booked + in_series + 1;
                    if number > a.visits {
                        out.push(Clash {
                            kind: ClashKind::BeyondAuthorization,
                            reason: format!(
                                "beyond the authorisation's {} visits (this would be visit {number})",
                                a.visits
                            ),
                        });
                    }
                }
                Some(_) => {}
            }
        }
        out
    }
}

fn joined(clashes: &[Clash]) -> String {
    clashes
        .iter()
        .map(|c| c.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks each occurrence in time order and applies `choose` (None: leave it a clash) to
/// those that clash. Occurrences placed earlier in the series take the therapist's time for
/// later ones and count against the authorisation; a move never lands on a later occurrence's
/// own time.
pub fn check_series(
    occurrences: &[NaiveDateTime],
    minutes: i64,
    ctx: &SeriesContext,
    mut choose: impl FnMut(usize, &[Clash]) -> Option<Resolution>,
) -> Vec<Checked> {
    let mut busy = ctx.busy.clone();
    let mut placed: Vec<NaiveDate> = Vec::new();
    let mut out = Vec::new();
    for (i, &start) in occurrences.iter().enumerate() {
        let mut clashes = ctx.time_clashes(start, minutes);
        // A series' own earlier occurrence on the same time is a busy therapist too.
        if clashes.iter().all(|c| c.kind != ClashKind::TherapistBusy)
            && let Some(b) = busy.overlapping(start, minutes)
        {
            clashes.insert(
                0,
                Clash {
                    kind: ClashKind::TherapistBusy,
                    reason: format!(
                        "the therapist has this series' visit {}–{} then",
                        hm(b.start),
                        hm(b.end())
                    ),
                },
            );
        }
        clashes.extend(ctx.term_clashes(start.date(), &placed));
        let outcome = if clashes.is_empty() {
            Outcome::Booked { reason: None }
        } else {
            let reason = joined(&clashes);
            match choose(i, &clashes) {
                None => Outcome::Clash { reason },
                Some(Resolution::Skip) => Outcome::Skipped { reason },
                Some(Resolution::BookAnyway) => Outcome::Booked {
                    reason: Some(reason),
                },
                Some(Resolution::Move) => move_outcome(
                    start,
                    minutes,
                    ctx,
                    &busy,
                    &occurrences[i + 1..],
                    &placed,
                    &clashes,
                ),
            }
        };
        let checked = Checked {
            start,
            clashes,
            outcome,
        };
        if let Some(at) = checked.booked_at() {
            busy.add(Busy { start: at, minutes });
            placed.push(at.date());
        }
        out.push(checked);
    }
    out
}

fn move_outcome(
    start: NaiveDateTime,
    minutes: i64,
    ctx: &SeriesContext,
    busy: &BusyTimes,
    later: &[NaiveDateTime],
    placed: &[NaiveDate],
    clashes: &[Clash],
) -> Outcome {
    let reason = joined(clashes);
    if let Some(c) = clashes.iter().find(|c| !c.kind.mended_by_moving()) {
        return Outcome::Clash {
            reason: format!(
                "{}: another time cannot mend it; skip it or book it anyway",
                c.reason
            ),
        };
    }
    let mut reserved = busy.clone();
    for l in later {
        reserved.add(Busy { start: *l, minutes });
    }
    let found = nearest_free(start, minutes, ctx.calendar, &reserved, ctx.now)
        .filter(|to| ctx.term_clashes(to.date(), placed).is_empty());
    match found {
        Some(to) => Outcome::Moved { to, reason },
        None => Outcome::Clash {
            reason: format!("{reason}; no free time nearby within the plan and the authorisation"),
        },
    }
}

/// The frequency the series' defaults come from: the plan of care covering its start (the
/// latest started, when two do), when that plan states one.
pub fn plan_frequency(
    plans: &[super::plan_of_care::PlanOfCare],
    start: NaiveDate,
) -> Option<PlanFrequency> {
    let plan = plans
        .iter()
        .filter(|p| p.covers(start))
        .max_by_key(|p| (p.starts_on, p.id))?;
    Some(PlanFrequency {
        visits_per_week: plan.visits_per_week.filter(|n| *n > 0)?,
        weeks: plan.weeks.filter(|w| *w > 0)?,
    })
}

/// Each authorisation with the patient's visits in its window that count against it:
/// `visits` are the patient's booked or attended ones (neither cancelled nor missed).
pub fn authorization_counts(
    authorizations: &[AuthWindow],
    visits: &[(NaiveDate, VisitKind)],
) -> Vec<AuthorizationCount> {
    authorizations
        .iter()
        .map(|a| AuthorizationCount {
            window: *a,
            booked: visits
                .iter()
                .filter(|(day, kind)| {
                    a.starts_on <= *day && *day <= a.ends_on && counts(*kind, a.evaluation_counts)
                })
                .count() as i64,
        })
        .collect()
}

/// Whether every occurrence has an outcome that can be booked (nothing left a clash).
pub fn resolved(checked: &[Checked]) -> bool {
    checked
        .iter()
        .all(|c| !matches!(c.outcome, Outcome::Clash { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clinic_hours::ClosedDay;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    const TODAY: &str = "2026-11-27";

    fn typed(weekdays: Option<&str>, count: Option<i64>, until: Option<&str>) -> TypedSeries {
        TypedSeries {
            weekdays: weekdays.map(str::to_string),
            time: "10:00".into(),
            minutes: 45,
            start: "2026-11-30".into(),
            count,
            until: until.map(str::to_string),
        }
    }

    fn read(t: &TypedSeries, plan: Option<PlanFrequency>) -> Result<SeriesRequest, String> {
        read_series(t, plan, &ClinicCalendar::default(), d(TODAY))
    }

    #[test]
    fn mon_and_thu_for_six_visits_are_three_weeks() {
        let s = read(&typed(Some("mon,thu"), Some(6), None), None).unwrap();
        assert_eq!(s.weekdays, vec![Weekday::Mon, Weekday::Thu]);
        assert_eq!(s.occurrences.len(), 6);
        assert_eq!(s.occurrences[0], at("2026-11-30T10:00"));
        assert_eq!(s.occurrences[1], at("2026-12-03T10:00"));
        assert_eq!(s.occurrences[5], at("2026-12-17T10:00"));
        let until = read(&typed(Some("thu mon"), None, Some("2026-12-07")), None).unwrap();
        assert_eq!(until.occurrences.len(), 3);
        assert_eq!(until.weekdays_text(), "mon,thu");
    }

    #[test]
    fn each_bad_series_is_one_sentence() {
        let cases: [(TypedSeries, &str); 9] = [
            (
                typed(Some("mon"), Some(0), None),
                "at least one visit, not 0",
            ),
            (typed(Some(""), Some(3), None), "at least one weekday"),
            (typed(Some(" , "), Some(3), None), "at least one weekday"),
            (
                typed(Some("mon"), None, Some("2026-11-01")),
                "is before its start",
            ),
            (
                typed(Some("mon,tue,wed,thu,fri,sat,sun,mon"), Some(3), None),
                "at most 7 visits a week",
            ),
            (typed(Some("mon"), Some(60), None), "at most a year"),
            (
                typed(Some("mon"), None, Some("2028-01-01")),
                "at most a year",
            ),
            (typed(Some("mon"), None, None), "always has an end"),
            (typed(Some("mon,mon"), Some(2), None), "named twice"),
        ];
        for (t, expected) in cases {
            let e = read(&t, None).unwrap_err();
            assert!(e.contains(expected), "{t:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let mut bad_date = typed(Some("mon"), Some(2), None);
        bad_date.start = "31/31".into();
        assert!(read(&bad_date, None).unwrap_err().contains("is not a date"));
        let mut bad_time = typed(Some("mon"), Some(2), None);
        bad_time.time = "25:00".into();
        assert!(read(&bad_time, None).unwrap_err().contains("is not a time"));
        let mut bad_until = typed(Some("mon"), None, Some("31/31"));
        bad_until.until = Some("31/31".into());
        assert!(read(&bad_until, None).unwrap_err().contains("the end"));
        let mut short = typed(Some("mon"), Some(2), None);
        short.minutes = 2;
        assert!(read(&short, None).unwrap_err().contains("5 to 480"));
    }

    #[test]
    fn the_plan_of_care_fills_the_weekdays_and_the_count() {
        let plan = PlanFrequency {
            visits_per_week: 2,
            weeks: 6,
        };
        let s = read(&typed(None, None, None), Some(plan)).unwrap();
        assert_eq!(s.weekdays, vec![Weekday::Mon, Weekday::Thu]);
        assert_eq!(s.occurrences.len(), 12);
        assert_eq!(s.filled_in.len(), 2);
        assert!(s.filled_in[0].contains("mon,thu"), "{:?}", s.filled_in);
        // Given weekdays are kept; the count still comes from the plan.
        let s = read(&typed(Some("tue,fri"), None, None), Some(plan)).unwrap();
        assert_eq!(s.weekdays, vec![Weekday::Tue, Weekday::Fri]);
        assert_eq!(s.occurrences.len(), 12);
        let three = spread_weekdays(3, d("2026-11-30"), &ClinicCalendar::default()).unwrap();
        assert_eq!(three, vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]);
        let from_thu = spread_weekdays(2, d("2026-12-03"), &ClinicCalendar::default()).unwrap();
        assert_eq!(from_thu, vec![Weekday::Mon, Weekday::Thu]);
        assert!(spread_weekdays(7, d("2026-11-30"), &ClinicCalendar::default()).is_err());
    }

    #[test]
    fn without_weekdays_or_plan_it_is_one_visit() {
        let s = read(&typed(None, None, None), None).unwrap();
        assert_eq!(s.occurrences, vec![at("2026-11-30T10:00")]);
        let weekly = read(&typed(None, Some(3), None), None).unwrap();
        assert_eq!(weekly.occurrences[2], at("2026-12-14T10:00"));
    }

    fn ctx<'a>(calendar: &'a ClinicCalendar, busy: Vec<(&str, i64)>) -> SeriesContext<'a> {
        SeriesContext {
            calendar,
            busy: BusyTimes::new(
                busy.into_iter()
                    .map(|(s, m)| Busy {
                        start: at(s),
                        minutes: m,
                    })
                    .collect(),
            ),
            plans: Vec::new(),
            authorizations: Vec::new(),
            kind: VisitKind::Treatment,
            now: at("2026-11-27T08:00"),
        }
    }

    fn weekly(n: usize) -> Vec<NaiveDateTime> {
        (0..n)
            .map(|i| at("2026-11-30T10:00") + Duration::days(7 * i as i64))
            .collect()
    }

    #[test]
    fn each_kind_of_clash_is_found() {
        let mut calendar = ClinicCalendar::default();
        calendar.closed.push(ClosedDay {
            date: d("2026-12-07"),
            reason: Some("staff training".into()),
        });
        let mut c = ctx(&calendar, vec![("2026-11-30T09:30", 60)]);
        c.plans.push(PlanWindow {
            id: 1,
            starts_on: d("2026-11-01"),
            ends_on: d("2026-12-16"),
            certified: true,
        });
        c.authorizations.push(AuthorizationCount {
            window: AuthWindow {
                id: 1,
                starts_on: d("2026-11-01"),
                ends_on: d("2027-01-31"),
                visits: 4,
                evaluation_counts: true,
            },
            booked: 2,
        });
        let checked = check_series(&weekly(4), 45, &c, |_, _| None);
        let kinds: Vec<Vec<ClashKind>> = checked
            .iter()
            .map(|c| c.clashes.iter().map(|x| x.kind).collect())
            .collect();
        assert_eq!(
            kinds,
            vec![
                vec![ClashKind::TherapistBusy],
                vec![ClashKind::ClinicClosed],
                // The 30 Nov visit clashed and was left out: 14 Dec is visit 3 of 4.
                vec![],
                vec![ClashKind::BeyondPlanOfCare],
            ]
        );
        assert!(!resolved(&checked));
        let evening = check_series(&[at("2026-11-30T18:30")], 45, &c, |_, _| None);
        assert_eq!(evening[0].clashes[0].kind, ClashKind::OutsideHours);
        let past = check_series(&[at("2026-11-26T10:00")], 45, &c, |_, _| None);
        assert_eq!(past[0].clashes[0].kind, ClashKind::InThePast);
        // Booked anyway, each takes a visit of the authorisation.
        let all = check_series(&weekly(4), 45, &c, |_, _| Some(Resolution::BookAnyway));
        assert!(
            all[1]
                .clashes
                .iter()
                .all(|x| x.kind != ClashKind::BeyondAuthorization)
        );
        assert!(
            all[2]
                .clashes
                .iter()
                .any(|x| x.reason == "beyond the authorisation's 4 visits (this would be visit 5)")
        );
    }

    #[test]
    fn skip_move_and_book_anyway_each_do_what_they_say() {
        let calendar = ClinicCalendar::default();
        let c = ctx(
            &calendar,
            vec![("2026-11-30T10:00", 45), ("2026-12-07T09:30", 60)],
        );
        let skip = check_series(&weekly(3), 45, &c, |_, _| Some(Resolution::Skip));
        let words: Vec<&str> = skip.iter().map(|x| x.outcome.word()).collect();
        assert_eq!(words, ["skipped", "skipped", "booked"]);
        let moved = check_series(&weekly(3), 45, &c, |_, _| Some(Resolution::Move));
        assert_eq!(
            moved[0].outcome,
            Outcome::Moved {
                to: at("2026-11-30T10:45"),
                reason: moved[0].outcome.reason().unwrap().to_string()
            }
        );
        assert_eq!(moved[1].booked_at(), Some(at("2026-12-07T10:30")));
        let anyway = check_series(&weekly(3), 45, &c, |_, _| Some(Resolution::BookAnyway));
        assert_eq!(anyway[0].booked_at(), Some(at("2026-11-30T10:00")));
        assert!(
            anyway[0]
                .outcome
                .reason()
                .unwrap()
                .contains("has a visit 10:00–10:45")
        );
        assert!(resolved(&anyway));
        // Per occurrence: skip the first, move the second.
        let mixed = check_series(&weekly(3), 45, &c, |i, _| {
            Some(if i == 0 {
                Resolution::Skip
            } else {
                Resolution::Move
            })
        });
        let words: Vec<&str> = mixed.iter().map(|x| x.outcome.word()).collect();
        assert_eq!(words, ["skipped", "moved", "booked"]);
    }

    #[test]
    fn a_move_cannot_mend_the_plans_end_and_never_lands_on_a_later_occurrence() {
        let calendar = ClinicCalendar::default();
        let mut c = ctx(&calendar, vec![]);
        c.plans.push(PlanWindow {
            id: 1,
            starts_on: d("2026-11-01"),
            ends_on: d("2026-11-30"),
            certified: true,
        });
        let out = check_series(&weekly(2), 45, &c, |_, _| Some(Resolution::Move));
        assert_eq!(out[0].outcome.word(), "booked");
        assert_eq!(out[1].outcome.word(), "clash");
        assert!(out[1].outcome.reason().unwrap().contains("cannot mend"));

        // Mon 10:00 is busy all day but 10:45; the series' own 10:45 the same day is kept free.
        let c = ctx(
            &calendar,
            vec![("2026-11-30T07:00", 225), ("2026-11-30T11:30", 450)],
        );
        let own = [at("2026-11-30T10:00"), at("2026-11-30T10:45")];
        let out = check_series(&own, 45, &c, |_, _| Some(Resolution::Move));
        assert_eq!(out[0].booked_at(), Some(at("2026-12-01T07:00")));
        assert_eq!(out[1].booked_at(), Some(at("2026-11-30T10:45")));
    }
}

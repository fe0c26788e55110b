//! A plan of care as certified (BPM ch. 15 §220.1): its period, frequency and duration, the
//! certifying physician and the date of their signature. Each certification is its own plan; a
//! recertification adds one and never rewrites the old.
//!
//! The rules a new plan and its certification are checked against, each refusal one sentence:
//! - the plan covers its stated duration or 90 calendar days from its first day (the initial
//!   treatment, the evaluation counting), whichever is less;
//! - 1 to 7 visits a week, for at least one week and at most the 13 weeks that fit in 90 days;
//! - the physician's or NPP's signature is timely within 30 days of the initial treatment;
//!   later, the delayed certification states why.

use chrono::{Duration, NaiveDate};

/// The longest certification period, in calendar days counting the first (BPM §220.1.5).
pub const MAX_PLAN_DAYS: i64 = 90;
/// A signature this many days or fewer after the initial treatment is timely (§220.1.3).
pub const TIMELY_CERTIFICATION_DAYS: i64 = 30;
pub const MAX_VISITS_PER_WEEK: i64 = 7;
/// The most whole weeks a plan can state: 13 weeks reach the 90-day cap.
pub const MAX_WEEKS: i64 = 13;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOfCare {
    pub id: i64,
    pub patient_id: i64,
    /// The initial treatment (the evaluation), or the first day a recertification covers.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The frequency and duration; None on a plan carried from a record that never stated
    /// them (an upgrade from schema 4, an imported file).
    pub visits_per_week: Option<u8>,
    pub weeks: Option<u8>,
    pub physician: Option<String>,
    /// The date of the physician's or NPP's signature.
    pub certified_on: Option<NaiveDate>,
    /// Why the certification came after the timely 30 days.
    pub delay_reason: Option<String>,
    /// The plan this one recertifies.
    pub recertifies: Option<i64>,
    pub version: i64,
}

impl PlanOfCare {
    /// Whether `day` falls in the plan's period.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// "2x/week for 6 weeks".
    pub fn frequency(&self) -> String {
        match (self.visits_per_week, self.weeks) {
            (Some(n), Some(w)) => format!("{n}x/week for {w} weeks"),
            _ => "frequency not recorded".to_string(),
        }
    }

    /// The last day a timely signature can carry.
    pub fn certification_due(&self) -> NaiveDate {
        self.starts_on + Duration::days(TIMELY_CERTIFICATION_DAYS)
    }
}

/// A plan's period and signature, as a summary shows it or a file states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPeriod {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub certified_on: Option<NaiveDate>,
}

/// The end of a plan starting on `start`: `end` when it is within the 90 days, the 90th day
/// when none is given; an end before the start or past the cap is refused, naming the last
/// day allowed.
pub fn check_end(start: NaiveDate, end: Option<NaiveDate>) -> Result<NaiveDate, String> {
    let cap = last_day_allowed(start);
    match end {
        None => Ok(cap),
        Some(end) if end < start => {
            Err(format!("the plan's end {end} is before its start {start}"))
        }
        Some(end) if end > cap => Err(format!(
            "a plan of care covers at most {MAX_PLAN_DAYS} days from its start: the last day allowed is {cap}, not {end}"
        )),
        Some(end) => Ok(end),
    }
}

/// The last day a plan starting on `start` may cover: the 90th calendar day counting the start.
pub fn last_day_allowed(start: NaiveDate) -> NaiveDate {
    start + Duration::days(MAX_PLAN_DAYS - 1)
}

/// A plan as asked for, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub visits_per_week: i64,
    pub weeks: i64,
}

/// A plan's checked period and frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanTerms {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits_per_week: u8,
    pub weeks: u8,
}

impl PlanRequest {
    /// The plan's period: the stated end, or the stated duration's last day capped at the 90th
    /// day. An end before the start or past the cap is refused, naming the last day allowed.
    pub fn check(&self) -> Result<PlanTerms, String> {
        if !(1..=MAX_VISITS_PER_WEEK).contains(&self.visits_per_week) {
            return Err(format!(
                "a plan of care has 1 to {MAX_VISITS_PER_WEEK} visits a week, not {}",
                self.visits_per_week
            ));
        }
        if !(1..=MAX_WEEKS).contains(&self.weeks) {
            return Err(format!(
                "a plan of care lasts 1 to {MAX_WEEKS} weeks (at most {MAX_PLAN_DAYS} days), not {}; recertify for the weeks after",
                self.weeks
            ));
        }
        let ends_on = match self.ends_on {
            None => (self.starts_on + Duration::days(self.weeks * 7 - 1))
                .min(last_day_allowed(self.starts_on)),
            end => check_end(self.starts_on, end)?,
        };
        Ok(PlanTerms {
            starts_on: self.starts_on,
            ends_on,
            visits_per_week: self.visits_per_week as u8,
            weeks: self.weeks as u8,
        })
    }
}

/// A physician's or NPP's signature on a plan, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    pub physician: String,
    pub certified_on: NaiveDate,
    pub delay_reason: Option<String>,
}

impl Certification {
    /// Checks a signature on `plan` given on `on` (at most `today`): a physician named, and a
    /// reason when it came more than 30 days after the plan's initial treatment (a delayed
    /// certification, BPM §220.1.3).
    pub fn check(
        plan: &PlanOfCare,
        physician: &str,
        on: NaiveDate,
        reason: Option<&str>,
        today: NaiveDate,
    ) -> Result<Certification, String> {
        let physician = physician.trim();
        if physician.is_empty() {
            return Err("a certification names the physician or NPP who signed it".into());
        }
        if on > today {
            return Err(format!(
                "the signature's date {on} is after today ({today}): record it once it is signed"
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if on > plan.certification_due() && reason.is_none() {
            return Err(format!(
                "signed {on}, more than {TIMELY_CERTIFICATION_DAYS} days after the plan's start {} (timely until {}): a delayed certification needs --reason",
                plan.starts_on,
                plan.certification_due()
            ));
        }
        Ok(Certification {
            physician: physician.to_string(),
            certified_on: on,
            delay_reason: reason.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn request(start: &str, end: Option<&str>, per_week: i64, weeks: i64) -> PlanRequest {
        PlanRequest {
            starts_on: d(start),
            ends_on: end.map(d),
            visits_per_week: per_week,
            weeks,
        }
    }

    /// Evaluated 1 October: 2x/week for 6 weeks ends 11 November; 13 weeks would reach
    /// 30 December (91 days), so the plan stops at the 90th day, 29 December.
    #[test]
    fn the_end_is_the_stated_duration_or_the_ninetieth_day_whichever_is_less() {
        let six = request("2026-10-01", None, 2, 6).check().unwrap();
        assert_eq!(six.ends_on, d("2026-11-11"));
        let thirteen = request("2026-10-01", None, 3, 13).check().unwrap();
        assert_eq!(thirteen.ends_on, d("2026-12-29"));
        assert_eq!(last_day_allowed(d("2026-10-01")), d("2026-12-29"));
        assert_eq!((d("2026-12-29") - d("2026-10-01")).num_days() + 1, 90);
        // An explicit end is kept up to the cap, and refused one day past it.
        let end = request("2026-10-01", Some("2026-12-29"), 2, 13).check();
        assert_eq!(end.unwrap().ends_on, d("2026-12-29"));
        let past = request("2026-10-01", Some("2026-12-30"), 2, 13)
            .check()
            .unwrap_err();
        assert!(
            past.contains("the last day allowed is 2026-12-29"),
            "{past}"
        );
    }

    #[test]
    fn an_impossible_plan_is_refused_in_one_sentence() {
        let cases = [
            (
                request("2026-10-01", Some("2026-09-30"), 2, 6),
                "before its start",
            ),
            (
                request("2026-10-01", None, 0, 6),
                "1 to 7 visits a week, not 0",
            ),
            (request("2026-10-01", None, 8, 6), "not 8"),
            (request("2026-10-01", None, 2, 0), "1 to 13 weeks"),
            (request("2026-10-01", None, 2, 14), "not 14"),
        ];
        for (r, words) in cases {
            let why = r.check().unwrap_err();
            assert!(why.contains(words), "{why}");
            assert!(!why.contains('\n') && !why.ends_with('.'), "{why}");
        }
    }

    fn plan(start: &str) -> PlanOfCare {
        PlanOfCare {
            id: 1,
            patient_id: 1,
            starts_on: d(start),
            ends_on: d(start) + Duration::days(41),
            visits_per_week: Some(2),
            weeks: Some(6),
            physician: None,
            certified_on: None,
            delay_reason: None,
            recertifies: None,
            version: 1,
        }
    }

    /// Evaluated 1 October: a signature up to 31 October is timely; from 1 November it needs
    /// the reason for the delay.
    #[test]
    fn a_signature_after_thirty_days_needs_a_reason() {
        let p = plan("2026-10-01");
        let today = d("2026-11-27");
        let timely = Certification::check(&p, "Dr. Ada Park", d("2026-10-31"), None, today);
        assert_eq!(timely.unwrap().delay_reason, None);
        let late = Certification::check(&p, "Dr. Ada Park", d("2026-11-01"), None, today);
        assert!(late.unwrap_err().contains("needs --reason"));
        let explained = Certification::check(
            &p,
            "Dr. Ada Park",
            d("2026-11-01"),
            Some(" physician on leave "),
            today,
        )
        .unwrap();
        assert_eq!(
            explained.delay_reason.as_deref(),
            Some("physician on leave")
        );
        assert!(Certification::check(&p, " ", d("2026-10-05"), None, today).is_err());
        assert!(Certification::check(&p, "Dr. Park", d("2026-11-28"), None, today).is_err());
    }
}

//! Who comes to the demo's visits. Its no-shows and late cancellations follow the predictors
//! the literature names, so that the no-show model has something to find: earlier missed
//! visits, a long wait since booking, an early-morning or a Monday (or Friday) slot, younger
//! patients, first visits, a long gap since the last visit, and one payer (Medicaid) more
//! (Bhavsar 2021; Taylor 2012), on top of a propensity of each patient's own. About one visit
//! in ten is missed.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use rand::Rng;
use rand::rngs::SmallRng;

use crate::domain::CancelReason;

/// The log-odds of a visit with none of the predictors.
const BASE: f64 = -3.65;
/// The payer whose patients miss more.
const RISKY_PAYER: &str = "Medicaid";
/// Cancelled ahead of time, by the patient or the clinic, whoever the patient is.
const CANCELLED_AHEAD: f64 = 0.065;

/// What the demo knows of a patient while it makes their visits, oldest first.
pub struct Attendee {
    age: i64,
    risky_payer: bool,
    /// The patient's own leaning, in log-odds.
    propensity: f64,
    missed: Vec<NaiveDate>,
    last_attended: Option<NaiveDate>,
}

/// How a past visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Attended,
    NoShow,
    Cancelled(CancelReason),
}

impl Attendee {
    pub fn new(age: i64, payer: &str, rng: &mut SmallRng) -> Self {
        Attendee {
            age,
            risky_payer: payer == RISKY_PAYER,
            propensity: rng.random_range(-0.9..0.9),
            missed: Vec::new(),
            last_attended: None,
        }
    }

    /// The chance that the visit at `start`, booked on `booked_on`, is missed.
    fn chance(&self, start: NaiveDateTime, booked_on: NaiveDate, evaluation: bool) -> f64 {
        let day = start.date();
        let year_before = day - chrono::Duration::days(365);
        let missed = self.missed.iter().filter(|d| **d >= year_before).count() as f64;
        let lead = (day - booked_on).num_days().clamp(0, 40) as f64;
        let gap = self.last_attended.map(|d| (day - d).num_days());
        let eta = BASE
            + self.propensity
            + 0.55 * missed.min(3.0)
            + 0.03 * lead
            + if start.hour() < 9 { 0.55 } else { 0.0 }
            + match day.weekday() {
                Weekday::Mon => 0.4,
                Weekday::Fri => 0.25,
                _ => 0.0,
            }
            + match self.age {
                ..30 => 0.6,
                30..45 => 0.3,
                65.. => -0.3,
                _ => 0.0,
            }
            + if evaluation || gap.is_none() {
                0.5
            } else {
                0.0
            }
            + if gap.is_some_and(|g| g > 10) {
                0.35
            } else {
                0.0
            }
            + if self.risky_payer { 0.6 } else { 0.0 };
        1.0 / (1.0 + (-eta).exp())
    }

    /// Draws how the past visit at `start` ended, and remembers it.
    pub fn visit(
        &mut self,
        rng: &mut SmallRng,
        start: NaiveDateTime,
        booked_on: NaiveDate,
        evaluation: bool,
    ) -> Outcome {
        let p = self.chance(start, booked_on, evaluation);
        let u: f64 = rng.random();
        let outcome = if u < p {
            // A quarter of the missed visits are called off inside 24 hours.
            if rng.random_range(0..4) == 0 {
                Outcome::Cancelled(CancelReason::Late)
            } else {
                Outcome::NoShow
            }
        } else if u < p + CANCELLED_AHEAD {
            Outcome::Cancelled(
                [
                    CancelReason::Patient,
                    CancelReason::Patient,
                    CancelReason::Clinic,
                ][rng.random_range(0..3)],
            )
        } else {
            Outcome::Attended
        };
        match outcome {
            Outcome::Attended => self.last_attended = Some(start.date()),
            Outcome::NoShow | Outcome::Cancelled(CancelReason::Late) => {
                self.missed.push(start.date())
            }
            Outcome::Cancelled(_) => {}
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn at(day: &str, hour: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_predictors_raise_the_chance_of_a_missed_visit() {
        let mut rng = SmallRng::seed_from_u64(1);
        let mut calm = Attendee::new(70, "Aetna", &mut rng);
        calm.propensity = 0.0;
        calm.last_attended = NaiveDate::from_ymd_opt(2026, 11, 23);
        let mut risky = Attendee::new(22, "Medicaid", &mut rng);
        risky.propensity = 0.0;
        risky.missed = vec![NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(); 2];
        // A Wednesday at 14:00, booked the day before, against a Monday at 8:00 booked 40
        // days ahead.
        let quiet = calm.chance(
            at("2026-11-25", 14),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            false,
        );
        let loud = risky.chance(
            at("2026-11-30", 8),
            NaiveDate::from_ymd_opt(2026, 10, 21).unwrap(),
            true,
        );
        assert!(quiet < 0.04, "{quiet}");
        assert!(loud > 0.6, "{loud}");
    }

    #[test]
    fn a_missed_visit_is_remembered_and_raises_the_next_one() {
        let mut rng = SmallRng::seed_from_u64(2);
        let mut a = Attendee::new(50, "Aetna", &mut rng);
        let booked = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let before = a.chance(at("2026-11-20", 10), booked, false);
        a.missed
            .push(NaiveDate::from_ymd_opt(2026, 11, 10).unwrap());
        assert!(a.chance(at("2026-11-20", 10), booked, false) > before);
        // A year on, it no longer counts.
        let later = a.chance(at("2027-11-20", 10), booked, false);
        a.missed.clear();
        assert_eq!(later, a.chance(at("2027-11-20", 10), booked, false));
    }
}

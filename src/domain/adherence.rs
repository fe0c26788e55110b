//! Home-exercise adherence as the patient reports it at a visit: sessions done of those
//! prescribed in the last week. One type for every reader (the flags, the progress and
//! program panes, the reports), so that they all show the same percentage.

use chrono::NaiveDate;

use super::flags::Thresholds;

/// The sessions a week a report can count as prescribed: at least one (a report of nothing
/// prescribed says nothing), and two digits' worth (more is a typing slip).
pub const MIN_SESSIONS_PRESCRIBED: i64 = 1;
pub const MAX_SESSIONS_PRESCRIBED: i64 = 99;

/// One report: sessions done out of prescribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adherence {
    pub reported_on: NaiveDate,
    pub done: i64,
    pub prescribed: i64,
}

impl Adherence {
    /// The share of the prescribed sessions done, in whole percent (rounded down).
    ///
    /// Nothing prescribed counts as 100%: with no sessions asked for there is nothing to
    /// adhere to, so nothing was missed. A clinician reading "0%" would take it for a patient
    /// who did none of the program, and it would contradict the flag, which is never raised
    /// for such a report. (The record's CHECK refuses such a report; the rule is here so that
    /// every reader agrees on a value built any other way.)
    pub fn percent(&self) -> i64 {
        if self.prescribed <= 0 {
            100
        } else {
            self.done * 100 / self.prescribed
        }
    }

    /// The week as one bar of a sparkline, 0 to `top`: a session done shows at least one
    /// step, every session done shows the top. Panes 2 and 3 draw it alike.
    pub fn level(&self, top: u64) -> u64 {
        (self.percent().clamp(0, 100) as u64 * top).div_ceil(100)
    }

    /// Fewer than the threshold's share of the prescribed sessions done: the `adherence_low`
    /// flag.
    pub fn is_low(&self, t: &Thresholds) -> bool {
        self.prescribed > 0 && self.done * 100 < t.adherence_low_percent * self.prescribed
    }
}

/// Checks a report's counts before it is stored: the problem in one line, or nothing.
pub fn check_counts(done: i64, prescribed: i64) -> Result<(), String> {
    if !(MIN_SESSIONS_PRESCRIBED..=MAX_SESSIONS_PRESCRIBED).contains(&prescribed) {
        return Err(format!(
            "sessions prescribed is a whole number from {MIN_SESSIONS_PRESCRIBED} to \
             {MAX_SESSIONS_PRESCRIBED}"
        ));
    }
    if !(0..=prescribed).contains(&done) {
        return Err(format!(
            "sessions done is a whole number from 0 to {prescribed} (the sessions prescribed)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::THRESHOLDS;

    fn r(done: i64, prescribed: i64) -> Adherence {
        Adherence {
            reported_on: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            done,
            prescribed,
        }
    }

    #[test]
    fn below_half_is_low() {
        assert!(r(3, 7).is_low(&THRESHOLDS));
        assert_eq!(r(3, 7).percent(), 42);
        assert!(!r(4, 7).is_low(&THRESHOLDS));
        assert!(!r(7, 14).is_low(&THRESHOLDS));
    }

    #[test]
    fn nothing_prescribed_is_fully_adhered_to_and_never_low() {
        assert_eq!(r(0, 0).percent(), 100);
        assert!(!r(0, 0).is_low(&THRESHOLDS));
    }

    #[test]
    fn a_week_is_one_bar_from_nothing_to_the_top() {
        assert_eq!(r(0, 7).level(7), 0);
        assert_eq!(r(1, 14).level(7), 1, "a session done shows");
        assert_eq!(r(3, 7).level(7), 3);
        assert_eq!(r(7, 7).level(7), 7);
        assert_eq!(r(0, 0).level(7), 7, "nothing prescribed is all done");
    }

    #[test]
    fn counts_are_checked_against_the_limits() {
        assert!(check_counts(0, 1).is_ok());
        assert!(check_counts(MAX_SESSIONS_PRESCRIBED, MAX_SESSIONS_PRESCRIBED).is_ok());
        assert!(check_counts(0, 0).is_err());
        assert!(check_counts(0, MAX_SESSIONS_PRESCRIBED + 1).is_err());
        assert!(check_counts(8, 7).is_err());
        assert!(check_counts(-1, 7).is_err());
    }
}

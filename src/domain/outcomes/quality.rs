//! Quality measures over a period: the process indicator (finished episodes with a
//! standardised functional measure at intake and at discharge) and MIPS measure 182,
//! "Functional Outcome Assessment", as its 2026 specification states it: the share of visits of
//! patients aged 18 and older with a current functional outcome assessment using a
//! standardised tool and, where it shows a deficit, a care plan within two days of it. A
//! "current" assessment is one on the visit's day or in the 30 days before.

use chrono::NaiveDate;

use super::episodes::Episode;
use super::stats::share;

/// The specification year MIPS 182's rule follows.
pub const MIPS_182_YEAR: u16 = 2026;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProcessIndicator {
    /// Finished episodes in the period.
    pub episodes: usize,
    pub at_intake: usize,
    pub at_intake_and_discharge: usize,
}

impl ProcessIndicator {
    pub fn rate(&self) -> Option<f64> {
        share(self.at_intake_and_discharge, self.episodes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Mips182 {
    /// Attended visits of adults in the period.
    pub denominator: usize,
    pub numerator: usize,
    /// Attended visits in the period not eligible: the patient under 18 or of unknown age.
    /// The record holds no refusals or urgent situations (the measure's exceptions).
    pub exclusions: usize,
}

impl Mips182 {
    pub fn rate(&self) -> Option<f64> {
        share(self.numerator, self.denominator)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub process: ProcessIndicator,
    pub mips_182: Mips182,
}

/// Both measures over `from..=to`, for `episodes` (of one therapist, or all).
pub fn quality(episodes: &[&Episode], from: NaiveDate, to: NaiveDate) -> Quality {
    let mut process = ProcessIndicator::default();
    let mut mips = Mips182::default();
    for e in episodes {
        if e.ending.finished() && e.end.is_some_and(|d| d >= from && d <= to) {
            process.episodes += 1;
            process.at_intake += usize::from(e.functional_at_intake);
            process.at_intake_and_discharge +=
                usize::from(e.functional_at_intake && e.functional_at_discharge);
        }
        for v in e
            .visit_checks
            .iter()
            .filter(|v| v.day >= from && v.day <= to)
        {
            if v.adult {
                mips.denominator += 1;
                mips.numerator += usize::from(v.met());
            } else {
                mips.exclusions += 1;
            }
        }
    }
    Quality {
        process,
        mips_182: mips,
    }
}

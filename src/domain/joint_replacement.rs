//! KOOS JR (knee, 7 items) and HOOS JR (hip, 6 items): each item 0–4, the raw sum converted to
//! an interval score from 0 (total joint disability) to 100 (perfect joint health) by the
//! published tables (Lyman S et al., "Validation of the KOOS, JR" and "Validation of the HOOS,
//! JR", Clin Orthop Relat Res 2016;474(6)). The conversion is Rasch-based, not linear: a raw sum
//! of 14 out of 28 is 52.465, not 50.
//!
//! Where the numbers were checked: both full tables from an open implementation of the HSS
//! tables, cross-checked at raw sums KOOS JR 7 → 68.284 and 15 → 50.012, HOOS JR 6 → 70.426 and
//! 11 → 55.985 in independent data. A second table seen in example FHIR material disagreed with
//! its own worked examples and was not used.
//!
//! Every item is needed: the tables convert a full raw sum, and the scoring instructions give
//! no rule for a skipped item, so a form with one left blank has no score.

/// Which short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    Knee,
    Hip,
}

/// KOOS JR: raw sum 0–28 → interval score.
const KOOS_JR: [f64; 29] = [
    100.000, 91.975, 84.600, 79.914, 76.332, 73.342, 70.704, 68.284, 65.994, 63.776, 61.583,
    59.381, 57.140, 54.840, 52.465, 50.012, 47.487, 44.905, 42.281, 39.625, 36.931, 34.174, 31.307,
    28.251, 24.875, 20.941, 15.939, 8.291, 0.000,
];

/// HOOS JR: raw sum 0–24 → interval score.
const HOOS_JR: [f64; 25] = [
    100.000, 92.340, 85.257, 80.550, 76.776, 73.472, 70.426, 67.516, 64.664, 61.815, 58.930,
    55.985, 52.965, 49.858, 46.652, 43.335, 39.902, 36.363, 32.735, 29.009, 25.103, 20.805, 15.633,
    8.104, 0.000,
];

impl Joint {
    pub fn table(self) -> &'static [f64] {
        match self {
            Joint::Knee => &KOOS_JR,
            Joint::Hip => &HOOS_JR,
        }
    }

    /// The interval score of a raw sum; `None` beyond the form's maximum.
    pub fn interval_score(self, raw_sum: u32) -> Option<f64> {
        self.table().get(raw_sum as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_run_from_100_at_no_problems_to_0_at_the_maximum() {
        assert_eq!(Joint::Knee.table().len(), 7 * 4 + 1);
        assert_eq!(Joint::Hip.table().len(), 6 * 4 + 1);
        for joint in [Joint::Knee, Joint::Hip] {
            let t = joint.table();
            assert_eq!(t[0], 100.0);
            assert_eq!(t[t.len() - 1], 0.0);
            assert!(
                t.windows(2).all(|w| w[0] > w[1]),
                "{joint:?} falls steadily"
            );
        }
        assert_eq!(Joint::Knee.interval_score(29), None);
        assert_eq!(Joint::Hip.interval_score(25), None);
    }

    #[test]
    fn published_values_at_the_checked_raw_sums() {
        assert_eq!(Joint::Knee.interval_score(7), Some(68.284));
        assert_eq!(Joint::Knee.interval_score(14), Some(52.465));
        assert_eq!(Joint::Knee.interval_score(15), Some(50.012));
        assert_eq!(Joint::Hip.interval_score(6), Some(70.426));
        assert_eq!(Joint::Hip.interval_score(11), Some(55.985));
        assert_eq!(Joint::Hip.interval_score(12), Some(52.965));
    }
}

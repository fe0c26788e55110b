//! Billing arithmetic: the Medicare 8-minute rule (CLINICAL.md).

/// The minutes one procedure code can take in a visit's note: at least one, and no more than
/// a working day (a different fact from a visit's length: a code's minutes are typed, not
/// booked).
pub const TIMED_MINUTES_MIN: u32 = 1;
pub const TIMED_MINUTES_MAX: u32 = 480;

/// The fewest total timed minutes in a day that bill one unit.
pub const EIGHT_MINUTE_RULE_MIN: u32 = 8;
/// Minutes per timed unit.
pub const MINUTES_PER_UNIT: u32 = 15;

/// Billable timed units for the total timed minutes of one day under the Medicare 8-minute
/// rule: 0 below 8 minutes, else `floor((minutes + 7) / 15)`.
pub fn medicare_units(total_timed_minutes: u32) -> u32 {
    if total_timed_minutes < EIGHT_MINUTE_RULE_MIN {
        0
    } else {
        (total_timed_minutes + MINUTES_PER_UNIT - EIGHT_MINUTE_RULE_MIN) / MINUTES_PER_UNIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table in CLINICAL.md, both ends of every band.
    #[test]
    fn eight_minute_rule_follows_the_table() {
        let table: &[(u32, u32, u32)] = &[
            (0, 7, 0),
            (8, 22, 1),
            (23, 37, 2),
            (38, 52, 3),
            (53, 67, 4),
            (68, 82, 5),
            (83, 97, 6),
            (98, 112, 7),
        ];
        for &(from, to, units) in table {
            for m in from..=to {
                assert_eq!(medicare_units(m), units, "{m} minutes");
            }
        }
        assert_eq!(medicare_units(113), 8);
    }
}

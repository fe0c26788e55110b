//! Billing arithmetic: the lines of procedures a visit note records, and the units they bill
//! under the Medicare 8-minute rule (Claims Processing Manual ch. 5 §20.2) or the AMA rule of
//! eights per code (CLINICAL.md). The codes themselves are in `procedures`.

use super::procedures::{self, Procedure};

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

/// The most an untimed code is billed in one visit (they are usually billed once).
pub const UNTIMED_COUNT_MIN: u32 = 1;
pub const UNTIMED_COUNT_MAX: u32 = 4;

/// How a payer turns timed minutes into units: a payer setting (`billing_rule` in the config
/// file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BillingRule {
    /// Medicare (and payers that follow it): the day's total timed minutes decide the units,
    /// assigned to codes as the Claims Processing Manual ch. 5 §20.2 says.
    #[default]
    Medicare,
    /// The AMA's rule of eights, each code on its own: 8 minutes or more of a code is a unit.
    Ama,
}

impl<'de> serde::Deserialize<'de> for BillingRule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        BillingRule::parse(&word).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "billing_rule is \"medicare\" or \"ama\", not \"{}\"",
                crate::sanitize::clean_echo(&word)
            ))
        })
    }
}

impl BillingRule {
    pub fn parse(word: &str) -> Option<Self> {
        match word.trim().to_ascii_lowercase().as_str() {
            "medicare" => Some(BillingRule::Medicare),
            "ama" => Some(BillingRule::Ama),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BillingRule::Medicare => "medicare",
            BillingRule::Ama => "ama",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BillingRule::Medicare => "Medicare 8-minute rule",
            BillingRule::Ama => "AMA rule of eights per code",
        }
    }
}

/// What a line of a note records of a code: its minutes (a timed code) or how many times it
/// was given (an untimed code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Minutes(u32),
    Count(u32),
}

/// One line of a visit note's procedures, as typed: "97110 30" or "97161".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureLine {
    pub code: String,
    pub amount: Amount,
}

impl ProcedureLine {
    pub fn minutes(code: &str, minutes: u32) -> Self {
        Self {
            code: code.to_string(),
            amount: Amount::Minutes(minutes),
        }
    }

    pub fn count(code: &str, count: u32) -> Self {
        Self {
            code: code.to_string(),
            amount: Amount::Count(count),
        }
    }

    /// As the editor shows it and reads it back: "97110 30", "97161 x1".
    pub fn text(&self) -> String {
        match self.amount {
            Amount::Minutes(m) => format!("{} {m}", self.code),
            Amount::Count(n) => format!("{} x{n}", self.code),
        }
    }
}

/// The lines typed in the note's procedures field: "97110 30, 97140 15, 97161". A timed
/// code takes its minutes; an untimed code its count ("97161", "97161 x1" or "97161 1").
/// The first bad line is one sentence, and nothing is taken.
pub fn parse_lines(text: &str) -> Result<Vec<ProcedureLine>, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        out.push(parse_line(part)?);
    }
    Ok(out)
}

fn parse_line(part: &str) -> Result<ProcedureLine, String> {
    let shown = crate::sanitize::clean_echo(part);
    let mut words = part.split_whitespace();
    let (Some(code), amount, None) = (words.next(), words.next(), words.next()) else {
        return Err(format!(
            "\"{shown}\": write a procedure code and its minutes, e.g. 97110 30"
        ));
    };
    if code.len() != 5 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "\"{}\" is not a procedure code: write a code and its minutes, e.g. 97110 30",
            crate::sanitize::clean_echo(code)
        ));
    }
    let Some(p) = procedures::procedure(code) else {
        return Err(procedures::unknown_code(code));
    };
    let (counted, number) = match amount {
        None => (true, None),
        Some(a) => match a.strip_prefix(['x', 'X', '×']) {
            Some(n) => (true, Some(n)),
            None => (false, Some(a)),
        },
    };
    if p.timed {
        let Some(number) = number.filter(|_| !counted) else {
            return Err(format!(
                "{} is a timed code: give its minutes, not a count, e.g. {} 23",
                p.code, p.code
            ));
        };
        let minutes = number
            .parse::<u32>()
            .ok()
            .filter(|m| (TIMED_MINUTES_MIN..=TIMED_MINUTES_MAX).contains(m))
            .ok_or_else(|| {
                format!(
                    "{} {}: minutes are a whole number from {TIMED_MINUTES_MIN} to {TIMED_MINUTES_MAX}",
                    p.code,
                    crate::sanitize::clean_echo(number)
                )
            })?;
        return Ok(ProcedureLine::minutes(p.code, minutes));
    }
    let count = match number {
        None => 1,
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|c| (UNTIMED_COUNT_MIN..=UNTIMED_COUNT_MAX).contains(c))
            .ok_or_else(|| {
                format!(
                    "{} is untimed (billed by count, not minutes): a count from {UNTIMED_COUNT_MIN} to {UNTIMED_COUNT_MAX}, not {}",
                    p.code,
                    crate::sanitize::clean_echo(n)
                )
            })?,
    };
    Ok(ProcedureLine::count(p.code, count))
}

/// One code of a visit with what it bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledCode {
    pub code: String,
    /// The table's entry (None: a code saved before the table knew it; it bills nothing).
    pub procedure: Option<&'static Procedure>,
    /// Timed: its minutes; untimed: None.
    pub minutes: Option<u32>,
    /// Untimed: how many times it was given.
    pub count: Option<u32>,
    pub units: u32,
}

impl BilledCode {
    pub fn timed(&self) -> bool {
        self.minutes.is_some()
    }

    /// Medicare pays it inside the day's other services: listed, no unit of its own.
    pub fn bundled(&self, rule: BillingRule) -> bool {
        rule == BillingRule::Medicare && self.procedure.is_some_and(|p| p.bundled_by_medicare)
    }
}

/// A visit's codes (each code once, its lines added up, in the order first typed) with their
/// units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bill {
    pub codes: Vec<BilledCode>,
    /// Minutes of the known timed codes: what the 8-minute rule counts.
    pub total_timed_minutes: u32,
    pub total_units: u32,
}

/// The units a visit's lines bill under `rule`. The same code twice adds up; untimed codes
/// bill their count and are never counted in the minutes.
///
/// Medicare (Claims Processing Manual ch. 5 §20.2): the total timed minutes give the units
/// (`medicare_units`); each code gets its whole 15-minute blocks first, then the units left go
/// one each to the codes with the most minutes left over (a tie goes to the code with more
/// minutes in all, then to the one typed first). So two short services (7 minutes or less
/// each) that together reach 8 minutes bill one unit, for the longer.
/// AMA: each timed code on its own, `medicare_units` of its own minutes.
pub fn bill(lines: &[ProcedureLine], rule: BillingRule) -> Bill {
    let mut codes: Vec<BilledCode> = Vec::new();
    for line in lines {
        let code = line.code.trim().to_ascii_uppercase();
        let timed = matches!(line.amount, Amount::Minutes(_));
        let at = codes
            .iter()
            .position(|c| c.code == code && c.timed() == timed);
        let c = match at {
            Some(i) => &mut codes[i],
            None => {
                codes.push(BilledCode {
                    procedure: procedures::procedure(&code),
                    code,
                    minutes: timed.then_some(0),
                    count: (!timed).then_some(0),
                    units: 0,
                });
                codes.last_mut().expect("just pushed")
            }
        };
        match line.amount {
            Amount::Minutes(m) => c.minutes = c.minutes.map(|t| t.saturating_add(m)),
            Amount::Count(n) => c.count = c.count.map(|t| t.saturating_add(n)),
        }
    }
    // Timed codes the table knows: the ones the rule counts.
    let timed: Vec<usize> = (0..codes.len())
        .filter(|&i| codes[i].timed() && codes[i].procedure.is_some())
        .collect();
    let mins: Vec<u32> = codes.iter().map(|c| c.minutes.unwrap_or(0)).collect();
    let minutes = |i: usize| mins[i];
    let total_timed_minutes: u32 = timed.iter().map(|&i| minutes(i)).sum();
    match rule {
        BillingRule::Ama => {
            for &i in &timed {
                codes[i].units = medicare_units(minutes(i));
            }
        }
        BillingRule::Medicare => {
            let units = medicare_units(total_timed_minutes);
            let whole: u32 = timed.iter().map(|&i| minutes(i) / MINUTES_PER_UNIT).sum();
            let mut by_rest = timed.clone();
            by_rest.sort_by_key(|&i| {
                (
                    std::cmp::Reverse(minutes(i) % MINUTES_PER_UNIT),
                    std::cmp::Reverse(minutes(i)),
                    i,
                )
            });
            let mut left = units.saturating_sub(whole);
            for &i in &timed {
                codes[i].units = minutes(i) / MINUTES_PER_UNIT;
            }
            for i in by_rest {
                if left == 0 || minutes(i) % MINUTES_PER_UNIT == 0 {
                    break;
                }
                codes[i].units += 1;
                left -= 1;
            }
        }
    }
    for c in &mut codes {
        if let (Some(n), Some(_)) = (c.count, c.procedure) {
            c.units = if c.bundled(rule) { 0 } else { n };
        }
    }
    let total_units = codes.iter().map(|c| c.units).sum();
    Bill {
        codes,
        total_timed_minutes,
        total_units,
    }
}

/// "97110 33 min → 2 units · 97140 7 min → 1 unit · total 40 min, 3 units".
pub fn summary(bill: &Bill, rule: BillingRule) -> String {
    let units = |n: u32| format!("{n} unit{}", if n == 1 { "" } else { "s" });
    let mut parts: Vec<String> = bill
        .codes
        .iter()
        .map(|c| match (c.minutes, c.count) {
            _ if c.bundled(rule) => format!("{} x{} → bundled", c.code, c.count.unwrap_or(1)),
            (Some(m), _) => format!("{} {m} min → {}", c.code, units(c.units)),
            (None, n) => format!("{} x{} → {}", c.code, n.unwrap_or(0), units(c.units)),
        })
        .collect();
    parts.push(format!(
        "total {} min, {}",
        bill.total_timed_minutes,
        units(bill.total_units)
    ));
    parts.join(" · ")
}
#[cfg(test)]
mod tests {
    use super::*;

    fn units_of(lines: &[ProcedureLine], rule: BillingRule) -> Vec<(String, u32)> {
        bill(lines, rule)
            .codes
            .into_iter()
            .map(|c| (c.code, c.units))
            .collect()
    }

    fn m(code: &str, minutes: u32) -> ProcedureLine {
        ProcedureLine::minutes(code, minutes)
    }

    fn pairs(v: &[(&str, u32)]) -> Vec<(String, u32)> {
        v.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    /// The worked examples of the Claims Processing Manual ch. 5 §20.2.
    #[test]
    fn units_are_assigned_as_the_claims_processing_manual_says() {
        let med = BillingRule::Medicare;
        // Example 1: 24 min 97112 + 23 min 97110 = 47 min → 3 units, 2 to the longer.
        let b = bill(&[m("97112", 24), m("97110", 23)], med);
        assert_eq!((b.total_timed_minutes, b.total_units), (47, 3));
        assert_eq!(
            units_of(&[m("97112", 24), m("97110", 23)], med),
            pairs(&[("97112", 2), ("97110", 1)])
        );
        // Example 2: 20 + 20 = 40 → 3 units: 2 for either, never 3 for one.
        assert_eq!(
            units_of(&[m("97112", 20), m("97110", 20)], med),
            pairs(&[("97112", 2), ("97110", 1)])
        );
        // Example 3: 33 min 97110 + 7 min 97140 = 40 → 3: the first 30 of 97110 are two
        // units; its 3 minutes left lose to 97140's 7.
        assert_eq!(
            units_of(&[m("97110", 33), m("97140", 7)], med),
            pairs(&[("97110", 2), ("97140", 1)])
        );
        // Example 4: 18 97110, 13 97140, 10 97116, 8 97035 = 49 → 3 units: one each to
        // 97110, 97140 and 97116, none to the ultrasound.
        let four = [
            m("97110", 18),
            m("97140", 13),
            m("97116", 10),
            m("97035", 8),
        ];
        assert_eq!(
            units_of(&four, med),
            pairs(&[("97110", 1), ("97140", 1), ("97116", 1), ("97035", 0)])
        );
        assert_eq!(bill(&four, med).total_units, 3);
        // Example 5: three codes of 7 minutes = 21 → one unit, for one of them.
        let five = [m("97112", 7), m("97110", 7), m("97140", 7)];
        assert_eq!(
            units_of(&five, med),
            pairs(&[("97112", 1), ("97110", 0), ("97140", 0)])
        );
    }

    #[test]
    fn two_short_services_that_reach_8_minutes_bill_one_unit_for_the_longer() {
        let med = BillingRule::Medicare;
        assert_eq!(
            units_of(&[m("97140", 3), m("97110", 5)], med),
            pairs(&[("97140", 0), ("97110", 1)])
        );
        assert_eq!(
            bill(&[m("97110", 7)], med).total_units,
            0,
            "7 minutes alone"
        );
        assert_eq!(bill(&[m("97110", 4), m("97140", 3)], med).total_units, 0);
    }

    #[test]
    fn untimed_codes_bill_their_count_and_never_count_in_the_minutes() {
        let lines = [
            ProcedureLine::count("97161", 1),
            m("97110", 33),
            m("97140", 7),
            ProcedureLine::count("G0283", 1),
            ProcedureLine::count("97010", 1),
        ];
        let b = bill(&lines, BillingRule::Medicare);
        assert_eq!(b.total_timed_minutes, 40);
        assert_eq!(
            units_of(&lines, BillingRule::Medicare),
            pairs(&[
                ("97161", 1),
                ("97110", 2),
                ("97140", 1),
                ("G0283", 1),
                ("97010", 0)
            ])
        );
        assert_eq!(
            b.total_units, 5,
            "3 timed, the evaluation and G0283; 97010 bundled"
        );
        assert!(b.codes[4].bundled(BillingRule::Medicare));
        assert_eq!(
            summary(&b, BillingRule::Medicare),
            "97161 x1 → 1 unit · 97110 33 min → 2 units · 97140 7 min → 1 unit · G0283 x1 → 1 unit · 97010 x1 → bundled · total 40 min, 5 units"
        );
        // By the AMA rule 97140's 7 minutes bill nothing, and the hot pack is a unit.
        let ama = bill(&lines, BillingRule::Ama);
        assert_eq!((ama.total_timed_minutes, ama.total_units), (40, 5));
        assert_eq!(ama.codes[4].units, 1);
    }

    #[test]
    fn the_same_code_twice_adds_up() {
        let lines = [m("97110", 20), m("97140", 7), m("97110", 13)];
        let b = bill(&lines, BillingRule::Medicare);
        assert_eq!(b.codes.len(), 2);
        assert_eq!(b.codes[0].minutes, Some(33));
        assert_eq!(
            units_of(&lines, BillingRule::Medicare),
            pairs(&[("97110", 2), ("97140", 1)])
        );
    }

    #[test]
    fn the_ama_rule_counts_each_code_on_its_own() {
        let ama = BillingRule::Ama;
        // Three codes of 8 minutes: 3 units by the AMA, 2 by Medicare (24 minutes).
        let three = [m("97110", 8), m("97140", 8), m("97112", 8)];
        assert_eq!(bill(&three, ama).total_units, 3);
        assert_eq!(bill(&three, BillingRule::Medicare).total_units, 2);
        // Example 3 by the AMA: 97140's 7 minutes alone bill nothing.
        assert_eq!(
            units_of(&[m("97110", 33), m("97140", 7)], ama),
            pairs(&[("97110", 2), ("97140", 0)])
        );
    }

    #[test]
    fn a_code_the_table_does_not_know_bills_nothing() {
        let b = bill(&[m("99999", 30), m("97110", 10)], BillingRule::Medicare);
        assert_eq!((b.total_timed_minutes, b.total_units), (10, 1));
        assert_eq!(b.codes[0].units, 0);
    }

    #[test]
    fn lines_are_read_as_typed_and_bad_ones_are_one_sentence() {
        assert_eq!(
            parse_lines("97110 30, 97140 15; 97161, g0283 x1, 97150 1"),
            Ok(vec![
                m("97110", 30),
                m("97140", 15),
                ProcedureLine::count("97161", 1),
                ProcedureLine::count("G0283", 1),
                ProcedureLine::count("97150", 1),
            ])
        );
        assert_eq!(parse_lines("  "), Ok(vec![]));
        assert_eq!(
            parse_lines("97110 -5").unwrap_err(),
            "97110 -5: minutes are a whole number from 1 to 480"
        );
        assert_eq!(
            parse_lines("97110 600").unwrap_err(),
            "97110 600: minutes are a whole number from 1 to 480"
        );
        assert_eq!(
            parse_lines("97110 x2").unwrap_err(),
            "97110 is a timed code: give its minutes, not a count, e.g. 97110 23"
        );
        assert_eq!(
            parse_lines("97110").unwrap_err(),
            "97110 is a timed code: give its minutes, not a count, e.g. 97110 23"
        );
        assert_eq!(
            parse_lines("97161 45").unwrap_err(),
            "97161 is untimed (billed by count, not minutes): a count from 1 to 4, not 45"
        );
        assert_eq!(
            parse_lines("97110 30, 97111 10").unwrap_err(),
            "97111 is not a code ptclinic knows; closest: 97110, 97112"
        );
        assert!(
            parse_lines("ther-ex 30")
                .unwrap_err()
                .contains("not a procedure code")
        );
        for line in [m("97110", 30), ProcedureLine::count("97161", 2)] {
            assert_eq!(parse_lines(&line.text()), Ok(vec![line]));
        }
    }

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

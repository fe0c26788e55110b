//! Scoring outcome measures: a total checked against the measure's range, or item answers
//! scored with the measure's own rule (CLINICAL.md). Pure functions; every refusal is one
//! sentence naming the valid range, and nothing is stored after a refusal.
//!
//! Skipped items: ODI allows one skipped section of 10 (the form's own rule) and divides by the
//! sections answered; NDI allows at most 2 skipped of 10 and is prorated the same way,
//! `sum ÷ (5 × answered) × 50` (so its total may have one decimal). QuickDASH allows 1 skipped
//! of 11 (its published rule). LEFS is a plain sum of 20 items and has no rule for a gap, so
//! every item is needed; PSFS averages the 1 to 5 activities given ("up to five", the form says).
//! Each KOOS subscale is `100 − mean × 25` of its items (0–4); missing items take the
//! subscale's mean as long as at least half of its items are answered (KOOS Scoring 2012, which
//! replaced the 1998 rule of at most two missing): Pain 5 of 9, Symptoms 4 of 7, ADL 9 of 17,
//! Sport/Rec 3 of 5, QOL 2 of 4. KOOS JR and HOOS JR sum their items and convert the sum with
//! the published table (`joint_replacement`); every item is needed.

use super::joint_replacement::Joint;
use super::measures::{MeasureDef, measure};

/// How the answered items become the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Items summed (LEFS).
    Sum,
    /// `sum ÷ (max item × answered) × 100` (ODI).
    PercentOfAnswered,
    /// `sum ÷ (max item × answered) × items` scale, i.e. the raw total prorated (NDI, 0–50).
    ProratedSum,
    /// `((sum ÷ answered) − 1) × 25` (QuickDASH).
    QuickDash,
    /// The mean of the items (PSFS).
    Average,
    /// `100 − mean × 25` (each KOOS subscale: items 0–4, 100 is best).
    Koos,
    /// The raw sum looked up in the published interval-score table (KOOS JR, HOOS JR).
    Interval(Joint),
}

/// The item-by-item rule of a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemRule {
    pub code: &'static str,
    /// Fewest and most items (PSFS: 1 to 5 activities; the others a fixed count).
    pub items_min: usize,
    pub items_max: usize,
    pub item_min: u8,
    pub item_max: u8,
    /// How many items may be left unanswered.
    pub max_skipped: usize,
    pub method: Method,
    pub what: &'static str,
}

/// Item rules, one per questionnaire that can be entered item by item.
pub const ITEM_RULES: &[ItemRule] = &[
    ItemRule {
        code: "LEFS",
        items_min: 20,
        items_max: 20,
        item_min: 0,
        item_max: 4,
        max_skipped: 0,
        method: Method::Sum,
        what: "items",
    },
    ItemRule {
        code: "ODI",
        items_min: 10,
        items_max: 10,
        item_min: 0,
        item_max: 5,
        max_skipped: 1,
        method: Method::PercentOfAnswered,
        what: "sections",
    },
    ItemRule {
        code: "NDI",
        items_min: 10,
        items_max: 10,
        item_min: 0,
        item_max: 5,
        max_skipped: 2,
        method: Method::ProratedSum,
        what: "items",
    },
    ItemRule {
        code: "QuickDASH",
        items_min: 11,
        items_max: 11,
        item_min: 1,
        item_max: 5,
        max_skipped: 1,
        method: Method::QuickDash,
        what: "items",
    },
    ItemRule {
        code: "PSFS",
        items_min: 1,
        items_max: 5,
        item_min: 0,
        item_max: 10,
        max_skipped: 0,
        method: Method::Average,
        what: "activities",
    },
    // KOOS Scoring 2012: missing items take the subscale's mean (which the mean of the
    // answered ones is) while at least half are answered; with more missing, no score.
    ItemRule {
        code: "KOOS-Pain",
        items_min: 9,
        items_max: 9,
        item_min: 0,
        item_max: 4,
        max_skipped: 4,
        method: Method::Koos,
        what: "items",
    },
    ItemRule {
        code: "KOOS-Symptoms",
        items_min: 7,
        items_max: 7,
        item_min: 0,
        item_max: 4,
        max_skipped: 3,
        method: Method::Koos,
        what: "items",
    },
    ItemRule {
        code: "KOOS-ADL",
        items_min: 17,
        items_max: 17,
        item_min: 0,
        item_max: 4,
        max_skipped: 8,
        method: Method::Koos,
        what: "items",
    },
    ItemRule {
        code: "KOOS-Sport",
        items_min: 5,
        items_max: 5,
        item_min: 0,
        item_max: 4,
        max_skipped: 2,
        method: Method::Koos,
        what: "items",
    },
    ItemRule {
        code: "KOOS-QOL",
        items_min: 4,
        items_max: 4,
        item_min: 0,
        item_max: 4,
        max_skipped: 2,
        method: Method::Koos,
        what: "items",
    },
    ItemRule {
        code: "KOOS-JR",
        items_min: 7,
        items_max: 7,
        item_min: 0,
        item_max: 4,
        max_skipped: 0,
        method: Method::Interval(Joint::Knee),
        what: "items",
    },
    ItemRule {
        code: "HOOS-JR",
        items_min: 6,
        items_max: 6,
        item_min: 0,
        item_max: 4,
        max_skipped: 0,
        method: Method::Interval(Joint::Hip),
        what: "items",
    },
];

pub fn item_rule(code: &str) -> Option<&'static ItemRule> {
    ITEM_RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Computed scores are kept to one decimal place (ODI 35.6 %, QuickDASH 43.2).
fn one_decimal(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// "NPRS is a whole number from 0 to 10"
pub fn range_text(def: &MeasureDef) -> String {
    format!(
        "{} is {} from {} to {}{}",
        def.code,
        if def.integer {
            "a whole number"
        } else {
            "a number"
        },
        number(def.min),
        number(def.max),
        if def.unit == "points" {
            String::new()
        } else {
            format!(" {}", def.unit)
        }
    )
}

/// Checks a total against the measure's range (and whole numbers where the measure needs them).
pub fn check_total(def: &MeasureDef, value: f64) -> Result<f64, String> {
    let ok = value.is_finite()
        && value >= def.min
        && value <= def.max
        && (!def.integer || value.fract() == 0.0);
    if ok {
        Ok(value)
    } else {
        Err(format!("{}, not {}", range_text(def), number(value)))
    }
}

/// Parses and checks a total as typed.
pub fn parse_total(def: &MeasureDef, text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => check_total(def, v),
        _ => Err(format!(
            "{}, not \"{}\"",
            range_text(def),
            crate::sanitize::clean_echo(t)
        )),
    }
}

/// Scores item answers (`None` = skipped) with the measure's rule.
pub fn score_items(rule: &ItemRule, items: &[Option<u8>]) -> Result<f64, String> {
    let code = rule.code;
    let count = if rule.items_min == rule.items_max {
        format!("{}", rule.items_min)
    } else {
        format!("{} to {}", rule.items_min, rule.items_max)
    };
    if items.len() < rule.items_min || items.len() > rule.items_max {
        return Err(format!(
            "{code} has {count} {}, each {} to {}; {} given",
            rule.what,
            rule.item_min,
            rule.item_max,
            items.len()
        ));
    }
    if let Some((i, v)) = items.iter().enumerate().find_map(|(i, v)| {
        v.filter(|v| !(rule.item_min..=rule.item_max).contains(v))
            .map(|v| (i, v))
    }) {
        return Err(format!(
            "{code} {} {} is {v}: each is a whole number from {} to {}",
            rule.what.trim_end_matches('s'),
            i + 1,
            rule.item_min,
            rule.item_max
        ));
    }
    let answered: Vec<f64> = items.iter().flatten().map(|&v| f64::from(v)).collect();
    let skipped = items.len() - answered.len();
    if skipped > rule.max_skipped || answered.is_empty() {
        return Err(if rule.max_skipped == 0 {
            format!(
                "{code} needs every one of its {count} {} answered",
                rule.what
            )
        } else {
            format!(
                "{code} allows at most {} of {count} {} skipped; {skipped} were skipped",
                rule.max_skipped, rule.what
            )
        });
    }
    let n = answered.len() as f64;
    let sum: f64 = answered.iter().sum();
    let max = f64::from(rule.item_max);
    let value = match rule.method {
        Method::Sum => sum,
        Method::PercentOfAnswered => one_decimal(sum / (max * n) * 100.0),
        Method::ProratedSum => one_decimal(sum / (max * n) * max * items.len() as f64),
        Method::QuickDash => one_decimal((sum / n - 1.0) * 25.0),
        Method::Average => one_decimal(sum / n),
        Method::Koos => one_decimal(100.0 - sum / n * 25.0),
        // Every item is answered (max_skipped 0), so the sum is the form's raw score.
        Method::Interval(joint) => joint
            .interval_score(sum as u32)
            .ok_or_else(|| format!("{code}'s raw sum {sum} is beyond its table"))?,
    };
    Ok(value)
}

/// Item answers as typed: comma- or space-separated whole numbers, `-` (or nothing between
/// two commas) for a skipped item.
pub fn parse_items(text: &str) -> Result<Vec<Option<u8>>, String> {
    let parts: Vec<&str> = if text.contains(',') {
        text.split(',').map(str::trim).collect()
    } else {
        text.split_whitespace().collect()
    };
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| match *p {
            "" | "-" => Ok(None),
            p => p.parse::<u8>().map(Some).map_err(|_| {
                format!(
                    "item {} is \"{}\": items are whole numbers, with - for a skipped one",
                    i + 1,
                    crate::sanitize::clean_echo(p)
                )
            }),
        })
        .collect()
}

/// The sides a range-of-motion reading can be taken on.
pub const ROM_SIDES: &[&str] = &["left", "right", "bilateral", "midline"];

/// A range-of-motion site "joint motion side", e.g. "knee flexion right" or "shoulder
/// external rotation left" (first word the joint, last the side, the motion between).
pub fn rom_detail(text: &str) -> Result<String, String> {
    let clean = crate::sanitize::clean_line(text).to_lowercase();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let side = words.last().map(|s| match *s {
        "l" | "lt" => "left",
        "r" | "rt" => "right",
        "b/l" | "both" | "bilat" => "bilateral",
        s => s,
    });
    match (words.len(), side) {
        (3.., Some(side)) if ROM_SIDES.contains(&side) => Ok(format!(
            "{} {} {side}",
            words[0],
            words[1..words.len() - 1].join(" ")
        )),
        _ => Err(
            "ROM needs --detail \"JOINT MOTION SIDE\", e.g. \"knee flexion right\" (side: left, right, bilateral or midline)"
                .to_string(),
        ),
    }
}

/// A measurement that passed every check, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub def: &'static MeasureDef,
    pub value: f64,
    /// Item answers when entered item by item (`None` = skipped).
    pub items: Option<Vec<Option<u8>>>,
    /// ROM joint/motion/side, PSFS activities, or a short note.
    pub detail: Option<String>,
}

impl Scored {
    /// The item answers as stored in `measurements.items`: a JSON array, `null` for skipped.
    pub fn items_json(&self) -> Option<String> {
        self.items
            .as_ref()
            .map(|items| serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
    }
}

/// Longest detail kept.
pub const DETAIL_MAX: usize = 200;

/// Checks a measurement as typed: the measure code, then either a total or item answers,
/// and the detail (required for ROM).
pub fn score(
    code: &str,
    value: Option<&str>,
    items: Option<&str>,
    detail: Option<&str>,
) -> Result<Scored, String> {
    let def = measure(code).ok_or_else(|| {
        let known: Vec<&str> = super::measures::MEASURES.iter().map(|m| m.code).collect();
        format!(
            "unknown measure \"{}\": one of {}",
            crate::sanitize::clean_echo(code),
            known.join(", ")
        )
    })?;
    let detail = detail
        .map(crate::sanitize::clean_line)
        .filter(|d| !d.is_empty());
    let detail = if def.code == "ROM" {
        Some(rom_detail(detail.as_deref().unwrap_or(""))?)
    } else {
        detail
    };
    if detail
        .as_ref()
        .is_some_and(|d| d.chars().count() > DETAIL_MAX)
    {
        return Err(format!("the detail is at most {DETAIL_MAX} characters"));
    }
    let (value, items) = match (value, items) {
        (Some(v), None) => (parse_total(def, v)?, None),
        (None, Some(text)) => {
            let rule = item_rule(def.code).ok_or_else(|| {
                format!(
                    "{} is entered as a total (--value), not item by item",
                    def.code
                )
            })?;
            let items = parse_items(text)?;
            (score_items(rule, &items)?, Some(items))
        }
        _ => return Err("give either --value or --items".to_string()),
    };
    // A computed score must also be inside the measure's range (it always is for valid items).
    if !(def.min..=def.max).contains(&value) {
        return Err(format!("{}, not {}", range_text(def), number(value)));
    }
    Ok(Scored {
        def,
        value,
        items,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(code: &str) -> &'static ItemRule {
        item_rule(code).unwrap()
    }

    fn all(v: u8, n: usize) -> Vec<Option<u8>> {
        vec![Some(v); n]
    }

    #[test]
    fn totals_are_checked_against_each_range() {
        let ok = |c: &str, v: &str| score(c, Some(v), None, None).map(|s| s.value);
        assert_eq!(ok("NPRS", "7"), Ok(7.0));
        assert_eq!(ok("nprs", "0"), Ok(0.0));
        let err = ok("NPRS", "11").unwrap_err();
        assert_eq!(err, "NPRS is a whole number from 0 to 10, not 11");
        assert!(
            ok("NPRS", "6.5")
                .unwrap_err()
                .contains("whole number from 0 to 10")
        );
        assert!(ok("NPRS", "-1").is_err());
        assert!(ok("NPRS", "abc").unwrap_err().contains("\"abc\""));
        assert!(ok("NPRS", "NaN").is_err());
        assert_eq!(ok("LEFS", "80"), Ok(80.0));
        assert!(ok("LEFS", "81").unwrap_err().contains("from 0 to 80"));
        assert_eq!(ok("ODI", "35.5"), Ok(35.5));
        assert!(ok("ODI", "101").unwrap_err().contains("from 0 to 100 %"));
        assert_eq!(ok("NDI", "50"), Ok(50.0));
        assert!(ok("NDI", "51").unwrap_err().contains("from 0 to 50"));
        assert_eq!(ok("QuickDASH", "43.2"), Ok(43.2));
        assert!(ok("QuickDASH", "100.5").is_err());
        assert_eq!(ok("PSFS", "6.3"), Ok(6.3));
        assert!(ok("PSFS", "10.1").unwrap_err().contains("from 0 to 10"));
        assert!(
            score("XYZ", Some("1"), None, None)
                .unwrap_err()
                .contains("NPRS")
        );
    }

    #[test]
    fn rom_needs_joint_motion_and_side_in_degrees() {
        let s = score("ROM", Some("-5"), None, Some("Knee extension R")).unwrap();
        assert_eq!(s.value, -5.0);
        assert_eq!(s.detail.as_deref(), Some("knee extension right"));
        let s = score(
            "ROM",
            Some("90"),
            None,
            Some("shoulder external rotation left"),
        )
        .unwrap();
        assert_eq!(s.detail.as_deref(), Some("shoulder external rotation left"));
        assert!(
            score("ROM", Some("90"), None, None)
                .unwrap_err()
                .contains("JOINT MOTION SIDE")
        );
        assert!(score("ROM", Some("90"), None, Some("knee flexion")).is_err());
        assert_eq!(
            score("ROM", Some("181"), None, Some("knee flexion right")).unwrap_err(),
            "ROM is a whole number from -20 to 180 degrees, not 181"
        );
        assert!(score("ROM", Some("-21"), None, Some("knee flexion right")).is_err());
    }

    #[test]
    fn lefs_sums_twenty_items() {
        assert_eq!(score_items(rule("LEFS"), &all(4, 20)), Ok(80.0));
        let mut items = all(2, 20);
        items[0] = Some(0);
        items[19] = Some(4);
        assert_eq!(score_items(rule("LEFS"), &items), Ok(40.0));
        items[3] = None;
        assert!(
            score_items(rule("LEFS"), &items)
                .unwrap_err()
                .contains("every one of its 20")
        );
        items[3] = Some(5);
        assert_eq!(
            score_items(rule("LEFS"), &items).unwrap_err(),
            "LEFS item 4 is 5: each is a whole number from 0 to 4"
        );
        assert!(
            score_items(rule("LEFS"), &all(4, 19))
                .unwrap_err()
                .contains("19 given")
        );
    }

    /// Fairbank's worked example: 16 points over 10 sections is 32 %; with one section
    /// skipped, 16 ÷ 45 × 100 = 35.5… %.
    #[test]
    fn odi_divides_by_the_sections_answered() {
        let mut items = vec![
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
        ];
        assert_eq!(score_items(rule("ODI"), &items), Ok(32.0));
        items[9] = None;
        items[0] = Some(3);
        assert_eq!(items.iter().flatten().sum::<u8>(), 16);
        assert_eq!(score_items(rule("ODI"), &items), Ok(35.6));
        // The form's rule covers one skipped section; with two there is no score.
        items[8] = None;
        assert_eq!(
            score_items(rule("ODI"), &items).unwrap_err(),
            "ODI allows at most 1 of 10 sections skipped; 2 were skipped"
        );
        assert_eq!(score_items(rule("ODI"), &all(5, 10)), Ok(100.0));
        assert_eq!(score_items(rule("ODI"), &all(0, 10)), Ok(0.0));
    }

    /// NDI: the raw sum 0–50; one skipped item is prorated, sum ÷ (5 × 9) × 50.
    #[test]
    fn ndi_sums_and_prorates_skipped_items() {
        let items: Vec<Option<u8>> = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2].map(Some).to_vec();
        assert_eq!(score_items(rule("NDI"), &items), Ok(15.0));
        let mut items = all(2, 10);
        items[4] = None;
        // 18 ÷ 45 × 50 = 20: the skipped item counts as the mean of the others.
        assert_eq!(score_items(rule("NDI"), &items), Ok(20.0));
        items[5] = None;
        assert_eq!(score_items(rule("NDI"), &items), Ok(20.0));
        items[0] = Some(4);
        // 18 ÷ 40 × 50 = 22.5
        assert_eq!(score_items(rule("NDI"), &items), Ok(22.5));
        let mut nine = all(2, 10);
        nine[2] = None;
        nine[3] = Some(4);
        // 20 ÷ 45 × 50 = 22.2…
        assert_eq!(score_items(rule("NDI"), &nine), Ok(22.2));
        items[6] = None;
        assert!(
            score_items(rule("NDI"), &items)
                .unwrap_err()
                .contains("at most 2 of 10")
        );
        assert_eq!(score_items(rule("NDI"), &all(5, 10)), Ok(50.0));
    }

    #[test]
    fn quickdash_needs_ten_of_eleven() {
        assert_eq!(score_items(rule("QuickDASH"), &all(1, 11)), Ok(0.0));
        assert_eq!(score_items(rule("QuickDASH"), &all(5, 11)), Ok(100.0));
        assert_eq!(score_items(rule("QuickDASH"), &all(3, 11)), Ok(50.0));
        // 30 over 11 items: (30 ÷ 11 − 1) × 25 = 43.18…
        let items: Vec<Option<u8>> = [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2].map(Some).to_vec();
        assert_eq!(score_items(rule("QuickDASH"), &items), Ok(43.2));
        // One skipped: 27 over 10: (2.7 − 1) × 25 = 42.5
        let mut items = items;
        items[0] = None;
        assert_eq!(score_items(rule("QuickDASH"), &items), Ok(42.5));
        items[1] = None;
        assert!(
            score_items(rule("QuickDASH"), &items)
                .unwrap_err()
                .contains("at most 1 of 11")
        );
        assert!(
            score_items(rule("QuickDASH"), &all(0, 11))
                .unwrap_err()
                .contains("from 1 to 5")
        );
    }

    #[test]
    fn psfs_averages_one_to_five_activities() {
        assert_eq!(
            score_items(rule("PSFS"), &[Some(3), Some(5), Some(7)]),
            Ok(5.0)
        );
        assert_eq!(
            score_items(rule("PSFS"), &[Some(4), Some(5), Some(6), Some(7)]),
            Ok(5.5)
        );
        assert_eq!(
            score_items(rule("PSFS"), &[Some(2), Some(3), Some(3)]),
            Ok(2.7)
        );
        // "Up to five" activities: one or two are a score too.
        assert_eq!(score_items(rule("PSFS"), &[Some(3), Some(5)]), Ok(4.0));
        assert_eq!(score_items(rule("PSFS"), &[Some(6)]), Ok(6.0));
        assert!(
            score_items(rule("PSFS"), &all(5, 6))
                .unwrap_err()
                .contains("1 to 5 activities")
        );
        assert!(score_items(rule("PSFS"), &[Some(3), Some(11), Some(7)]).is_err());
    }

    #[test]
    fn items_parse_with_skips_and_are_stored_as_json() {
        assert_eq!(
            parse_items("1, 2,-,,4"),
            Ok(vec![Some(1), Some(2), None, None, Some(4)])
        );
        assert_eq!(parse_items("1 2 3"), Ok(vec![Some(1), Some(2), Some(3)]));
        assert!(parse_items("1,x").unwrap_err().contains("item 2"));
        let s = score("NDI", None, Some("2,2,2,2,-,2,2,2,2,2"), None).unwrap();
        assert_eq!(s.value, 20.0);
        assert_eq!(s.items_json().as_deref(), Some("[2,2,2,2,null,2,2,2,2,2]"));
        assert!(
            score("NPRS", None, Some("1,2,3"), None)
                .unwrap_err()
                .contains("--value")
        );
        assert!(score("NPRS", Some("1"), Some("1"), None).is_err());
    }

    #[test]
    fn koos_subscales_score_100_best_and_need_half_their_items() {
        let pain = rule("KOOS-Pain");
        assert_eq!(score_items(pain, &all(0, 9)), Ok(100.0));
        assert_eq!(score_items(pain, &all(4, 9)), Ok(0.0));
        // 2,1,1,1,1,1,1,1,1: mean 10/9 → 100 − 27.8 = 72.2.
        let mut items = all(1, 9);
        items[0] = Some(2);
        assert_eq!(score_items(pain, &items), Ok(72.2));
        // Two missing take the mean of the others: the same score as if they had it.
        items[7] = None;
        items[8] = None;
        assert_eq!(
            score_items(pain, &items),
            Ok(one_decimal(100.0 - 8.0 / 7.0 * 25.0))
        );
        // KOOS Scoring 2012: 5 of Pain's 9 answered still score, 4 do not.
        items[6] = None;
        items[5] = None;
        assert_eq!(
            score_items(pain, &items),
            Ok(one_decimal(100.0 - 6.0 / 5.0 * 25.0))
        );
        items[4] = None;
        assert_eq!(
            score_items(pain, &items).unwrap_err(),
            "KOOS-Pain allows at most 4 of 9 items skipped; 5 were skipped"
        );
        // The fewest answered per subscale: Symptoms 4 of 7, ADL 9 of 17, Sport 3 of 5, QOL 2 of 4.
        for (code, n, needed) in [
            ("KOOS-Symptoms", 7, 4),
            ("KOOS-ADL", 17, 9),
            ("KOOS-Sport", 5, 3),
            ("KOOS-QOL", 4, 2),
        ] {
            let mut items = all(1, n);
            for v in items.iter_mut().skip(needed) {
                *v = None;
            }
            assert_eq!(score_items(rule(code), &items), Ok(75.0), "{code}");
            items[needed - 1] = None;
            assert!(score_items(rule(code), &items).is_err(), "{code}");
        }
        assert!(score_items(rule("KOOS-QOL"), &all(2, 4)).is_ok());
        assert!(
            score_items(rule("KOOS-ADL"), &all(2, 9)).is_err(),
            "ADL has 17 items"
        );
        let s = score("KOOS-Sport", None, Some("1,2,3,4,0"), None).unwrap();
        assert_eq!(s.value, 50.0);
        assert_eq!(s.def.mcid, Some(12.5));
    }

    /// The raw sum converted with the published table at 0, the maximum and middle sums.
    #[test]
    fn koos_jr_and_hoos_jr_convert_the_raw_sum_with_the_published_table() {
        let knee = rule("KOOS-JR");
        assert_eq!(score_items(knee, &all(0, 7)), Ok(100.0));
        assert_eq!(score_items(knee, &all(4, 7)), Ok(0.0));
        // 2 × 7 = 14 → 52.465 (not the 50 a linear rescaling would give).
        assert_eq!(score_items(knee, &all(2, 7)), Ok(52.465));
        let s = score("KOOS-JR", None, Some("1,1,1,1,1,1,1"), None).unwrap();
        assert_eq!(s.value, 68.284);
        assert_eq!(s.def.mcid, None, "no checked MCID: change only");
        let s = score("koos-jr", None, Some("2,2,1,3,2,2,3"), None).unwrap();
        assert_eq!(s.value, 50.012);
        assert_eq!(
            score("KOOS-JR", None, Some("4,4,4,4,4,4,3"), None)
                .unwrap()
                .value,
            8.291
        );

        let hip = rule("HOOS-JR");
        assert_eq!(score_items(hip, &all(0, 6)), Ok(100.0));
        assert_eq!(score_items(hip, &all(4, 6)), Ok(0.0));
        assert_eq!(score_items(hip, &all(1, 6)), Ok(70.426));
        assert_eq!(score_items(hip, &all(2, 6)), Ok(52.965));
        let s = score("HOOS-JR", None, Some("2 2 2 3 1 1"), None).unwrap();
        assert_eq!(s.value, 55.985);
        assert_eq!(s.items_json().as_deref(), Some("[2,2,2,3,1,1]"));
    }

    #[test]
    fn the_short_forms_have_no_score_with_any_item_missing() {
        assert_eq!(
            score("KOOS-JR", None, Some("1,1,-,1,1,1,1"), None).unwrap_err(),
            "KOOS-JR needs every one of its 7 items answered"
        );
        assert_eq!(
            score("HOOS-JR", None, Some("1,1,1,1,1,"), None).unwrap_err(),
            "HOOS-JR needs every one of its 6 items answered"
        );
        assert!(
            score("HOOS-JR", None, Some("1,1,1,1,1"), None)
                .unwrap_err()
                .contains("5 given")
        );
        assert!(
            score("KOOS-JR", None, Some("1,1,1,1,1,1,5"), None)
                .unwrap_err()
                .contains("item 7 is 5")
        );
        // A total from a paper form is checked against the 0–100 range.
        assert_eq!(
            score("HOOS-JR", Some("70.426"), None, None).unwrap().value,
            70.426
        );
        assert!(score("HOOS-JR", Some("101"), None, None).is_err());
    }
}

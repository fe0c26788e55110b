//! The procedure codes (CPT and HCPCS) an outpatient physical-therapy clinic bills: the one
//! table the note editor, the units and the billing report read.
//!
//! Timed codes are billed in 15-minute units from the minutes documented (the 8-minute rule,
//! `billing`); untimed codes are billed by their count (usually one a visit) and their time is
//! never counted in the timed minutes.
//!
//! Checked against ../shared/CLINICAL.md and these sources (December 2026):
//! - Medicare Claims Processing Manual (Pub. 100-04) ch. 5 §20.2, quoted by
//!   medicare.fcso.com/Rehabilitation_services/0508065.asp and findacode.com
//!   ("Documentation Requirements for Therapy Services"): timed and untimed codes, the
//!   examples used in `billing`'s tests.
//! - CPT 2018 changes (pt-management.com "Orthotics Management and Training Codes-2018
//!   Changes"; blog.functionalpathways.com "Changes to therapy CPT codes effective Jan 1,
//!   2018"): 97762 was deleted and 97763 added for subsequent orthotic/prosthetic
//!   encounters. CLINICAL.md lists "97760–97763"; the table follows CPT and leaves 97762
//!   out (a note that names it is told to use 97763).
//! - Medicare does not recognise 97014 (unattended electrical stimulation) and pays G0283
//!   instead (Medicare contractors' billing guidelines for G0283); both are in the table,
//!   97014 for other payers.
//! - 97010 (hot or cold packs) is bundled in the Medicare physician fee schedule (status B):
//!   recorded, but never a paid unit under the Medicare rule.
//! - 97124 (massage, each 15 minutes) is a timed PT code that CLINICAL.md does not list
//!   (CPT's 97110–97124 therapeutic procedures); added.

/// One billable procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Procedure {
    pub code: &'static str,
    /// Billed in 15-minute units from its minutes; otherwise billed by count.
    pub timed: bool,
    /// Medicare pays it within the other services of the day (never a unit of its own there).
    pub bundled_by_medicare: bool,
    pub description: &'static str,
}

const fn timed(code: &'static str, description: &'static str) -> Procedure {
    Procedure {
        code,
        timed: true,
        bundled_by_medicare: false,
        description,
    }
}

const fn untimed(code: &'static str, description: &'static str) -> Procedure {
    Procedure {
        code,
        timed: false,
        bundled_by_medicare: false,
        description,
    }
}

/// Every code ptclinic knows, in code order.
pub const PROCEDURES: &[Procedure] = &[
    Procedure {
        bundled_by_medicare: true,
        ..untimed("97010", "Hot or cold packs (bundled by Medicare)")
    },
    untimed("97012", "Mechanical traction"),
    untimed(
        "97014",
        "Electrical stimulation, unattended (Medicare: G0283)",
    ),
    untimed("97016", "Vasopneumatic device"),
    untimed("97018", "Paraffin bath"),
    untimed("97022", "Whirlpool"),
    untimed("97024", "Diathermy"),
    untimed("97026", "Infrared"),
    untimed("97028", "Ultraviolet"),
    timed("97032", "Electrical stimulation, attended"),
    timed("97033", "Iontophoresis"),
    timed("97034", "Contrast baths"),
    timed("97035", "Ultrasound"),
    timed("97036", "Hubbard tank"),
    timed("97110", "Therapeutic exercise"),
    timed("97112", "Neuromuscular re-education"),
    timed("97113", "Aquatic therapy with exercise"),
    timed("97116", "Gait training"),
    timed("97124", "Massage"),
    timed("97140", "Manual therapy"),
    untimed("97150", "Group therapy (2 or more patients)"),
    untimed("97161", "PT evaluation, low complexity"),
    untimed("97162", "PT evaluation, moderate complexity"),
    untimed("97163", "PT evaluation, high complexity"),
    untimed("97164", "PT re-evaluation"),
    timed("97530", "Therapeutic activities"),
    timed("97533", "Sensory integrative techniques"),
    timed("97535", "Self-care/home management training"),
    timed("97537", "Community/work reintegration training"),
    timed("97542", "Wheelchair management"),
    timed("97750", "Physical performance test"),
    timed("97755", "Assistive technology assessment"),
    timed("97760", "Orthotic management, initial encounter"),
    timed("97761", "Prosthetic training, initial encounter"),
    timed(
        "97763",
        "Orthotic/prosthetic management, subsequent encounter",
    ),
    untimed("G0283", "Electrical stimulation, unattended (Medicare)"),
];

/// Codes that once existed and what replaced them: a note that names one is told so.
const RETIRED: &[(&str, &str)] = &[
    ("97001", "was replaced in 2017 by 97161, 97162 and 97163"),
    ("97002", "was replaced in 2017 by 97164"),
    ("97762", "was deleted from CPT in 2018; use 97763"),
];

/// The procedure with this code (case does not matter: "g0283" is G0283).
pub fn procedure(code: &str) -> Option<&'static Procedure> {
    PROCEDURES
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(code.trim()))
}

/// The two known codes nearest to `code`: fewest edits (a transposition is one), then
/// nearest in number, then in table order.
pub fn closest(code: &str) -> Vec<&'static str> {
    let typed = code.trim().to_ascii_uppercase();
    let number = |c: &str| c.parse::<i64>().ok();
    let mut ranked: Vec<(usize, i64, usize, &'static str)> = PROCEDURES
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let gap = match (number(&typed), number(p.code)) {
                (Some(a), Some(b)) => (a - b).abs(),
                _ => i64::MAX,
            };
            (edits(&typed, p.code), gap, i, p.code)
        })
        .collect();
    ranked.sort();
    ranked.into_iter().take(2).map(|r| r.3).collect()
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours, each one edit.
fn edits(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The sentence for a code the table does not hold: what replaced it, or the closest codes.
pub fn unknown_code(code: &str) -> String {
    let shown = crate::sanitize::clean_echo(code).to_uppercase();
    if let Some((_, why)) = RETIRED
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
    {
        return format!("{shown} {why}");
    }
    format!(
        "{shown} is not a code ptclinic knows; closest: {}",
        closest(code).join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_marks_timed_and_untimed_codes_as_clinical_md_and_cms_do() {
        let timed = [
            "97032", "97033", "97034", "97035", "97036", "97110", "97112", "97113", "97116",
            "97124", "97140", "97530", "97533", "97535", "97537", "97542", "97750", "97755",
            "97760", "97761", "97763",
        ];
        let untimed = [
            "97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026", "97028",
            "97150", "97161", "97162", "97163", "97164", "G0283",
        ];
        for c in timed {
            assert!(procedure(c).is_some_and(|p| p.timed), "{c} is timed");
        }
        for c in untimed {
            assert!(procedure(c).is_some_and(|p| !p.timed), "{c} is untimed");
        }
        assert_eq!(PROCEDURES.len(), timed.len() + untimed.len());
        let bundled: Vec<&str> = PROCEDURES
            .iter()
            .filter(|p| p.bundled_by_medicare)
            .map(|p| p.code)
            .collect();
        assert_eq!(bundled, ["97010"]);
        // One row per code, in code order, each described.
        for w in PROCEDURES.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        assert!(PROCEDURES.iter().all(|p| !p.description.is_empty()));
        assert_eq!(procedure("g0283").map(|p| p.code), Some("G0283"));
    }

    #[test]
    fn an_unknown_code_names_the_closest_known_ones() {
        assert_eq!(
            unknown_code("97111"),
            "97111 is not a code ptclinic knows; closest: 97110, 97112"
        );
        // A swap of two digits is one slip.
        assert_eq!(closest("97410")[0], "97140");
        assert_eq!(closest("g0238")[0], "G0283");
        assert_eq!(
            unknown_code("97762"),
            "97762 was deleted from CPT in 2018; use 97763"
        );
        assert!(procedure("97762").is_none());
    }
}

//! Outcome measure definitions: the one place their ranges, direction and MCID live
//! (values from CLINICAL.md). The database's `measure_definitions` table is seeded from here.

use super::appointment::stored_words;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureDef {
    pub code: &'static str,
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    pub better: Better,
    /// Minimal clinically important difference, in the measure's own points.
    pub mcid: Option<f64>,
    /// Minimal detectable change, where the literature gives one.
    pub mdc: Option<f64>,
    pub unit: &'static str,
    /// Whole numbers only (NPRS).
    pub integer: bool,
    /// What the form itself calls the threshold for "met": the MCID, or for PSFS its MDC.
    pub threshold: &'static str,
}

pub const MEASURES: &[MeasureDef] = &[
    MeasureDef {
        code: "NPRS",
        name: "Numeric Pain Rating Scale",
        min: 0.0,
        max: 10.0,
        better: Better::Lower,
        mcid: Some(2.0),
        mdc: None,
        unit: "points",
        integer: true,
        threshold: "MCID",
    },
    MeasureDef {
        code: "LEFS",
        name: "Lower Extremity Functional Scale",
        min: 0.0,
        max: 80.0,
        better: Better::Higher,
        mcid: Some(9.0),
        mdc: Some(9.0),
        unit: "points",
        integer: true,
        threshold: "MCID",
    },
    MeasureDef {
        code: "ODI",
        name: "Oswestry Disability Index",
        min: 0.0,
        max: 100.0,
        better: Better::Lower,
        mcid: Some(10.0),
        mdc: None,
        unit: "%",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "NDI",
        name: "Neck Disability Index",
        min: 0.0,
        max: 50.0,
        better: Better::Lower,
        // "Met" at 10 points: Young 2009 found an MCID of 7.5, inside the measurement error
        // (MDC 10.2), and advised 10. A total may have one decimal (a skipped item prorated).
        mcid: Some(10.0),
        mdc: Some(10.2),
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "QuickDASH",
        name: "Quick Disabilities of the Arm, Shoulder and Hand",
        min: 0.0,
        max: 100.0,
        better: Better::Lower,
        mcid: Some(14.0),
        mdc: Some(17.1),
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "PSFS",
        name: "Patient-Specific Functional Scale",
        min: 0.0,
        max: 10.0,
        better: Better::Higher,
        // The form calls 2 (average score) its minimal detectable change at 90% confidence.
        mcid: Some(2.0),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MDC",
    },
    // KOOS: each of its five subscales is its own series, 0–100 with 100 best; the MCIDs are
    // those after total knee replacement (CLINICAL.md).
    MeasureDef {
        code: "KOOS-Pain",
        name: "KOOS Pain",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: Some(16.7),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "KOOS-Symptoms",
        name: "KOOS Symptoms",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: Some(10.7),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "KOOS-ADL",
        name: "KOOS Function in daily living",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: Some(18.4),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "KOOS-Sport",
        name: "KOOS Function in sport and recreation",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: Some(12.5),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "KOOS-QOL",
        name: "KOOS Knee-related quality of life",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: Some(15.6),
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    // KOOS JR and HOOS JR, the joint-replacement short forms: an interval score 0–100 from the
    // published table (`joint_replacement`). No MCID is set: none was found that could be
    // checked against its publication, so these show change only until a clinic sets one.
    MeasureDef {
        code: "KOOS-JR",
        name: "KOOS JR (knee, joint replacement)",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: None,
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "HOOS-JR",
        name: "HOOS JR (hip, joint replacement)",
        min: 0.0,
        max: 100.0,
        better: Better::Higher,
        mcid: None,
        mdc: None,
        unit: "points",
        integer: false,
        threshold: "MCID",
    },
    MeasureDef {
        code: "ROM",
        name: "Range of motion",
        min: -20.0,
        max: 180.0,
        better: Better::Higher,
        mcid: None,
        mdc: None,
        unit: "degrees",
        integer: true,
        threshold: "MCID",
    },
];

/// A measure's new thresholds checked: each above 0 and within the measure's span.
pub fn check_thresholds(
    def: &MeasureDef,
    mcid: Option<f64>,
    mdc: Option<f64>,
) -> Result<MeasureDef, String> {
    let span = def.max - def.min;
    for (what, v) in [("MCID", mcid), ("MDC", mdc)] {
        if let Some(v) = v
            && !(v.is_finite() && v > 0.0 && v <= span)
        {
            return Err(format!(
                "{}'s {what} is a number above 0 and at most {span}, not {v}",
                def.code
            ));
        }
    }
    Ok(MeasureDef { mcid, mdc, ..*def })
}

/// A standardised functional outcome tool, as quality measures count them: every
/// questionnaire of function, not a pain rating and not a range of motion.
pub fn is_functional(code: &str) -> bool {
    !(code.eq_ignore_ascii_case("NPRS") || code.eq_ignore_ascii_case("ROM"))
}

pub fn measure(code: &str) -> Option<&'static MeasureDef> {
    MEASURES.iter().find(|m| m.code.eq_ignore_ascii_case(code))
}

/// The body region a patient is treated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BodyRegion {
    Cervical,
    Thoracic,
    Lumbar,
    Shoulder,
    Elbow,
    WristHand,
    Hip,
    Knee,
    AnkleFoot,
}

stored_words!(BodyRegion {
    Cervical => "cervical", "Cervical";
    Thoracic => "thoracic", "Thoracic";
    Lumbar => "lumbar", "Lumbar";
    Shoulder => "shoulder", "Shoulder";
    Elbow => "elbow", "Elbow";
    WristHand => "wrist_hand", "Wrist/hand";
    Hip => "hip", "Hip";
    Knee => "knee", "Knee";
    AnkleFoot => "ankle_foot", "Ankle/foot";
});

impl BodyRegion {
    /// The usual region-specific questionnaire (CLINICAL.md); NPRS applies to everyone.
    pub fn regional_measure(self) -> Option<&'static str> {
        match self {
            Self::Knee | Self::Hip | Self::AnkleFoot => Some("LEFS"),
            Self::Lumbar => Some("ODI"),
            Self::Cervical => Some("NDI"),
            Self::Shoulder | Self::Elbow | Self::WristHand => Some("QuickDASH"),
            Self::Thoracic => None,
        }
    }
}

/// A ROM site ("knee extension right") as clinicians write it short: the side first as a
/// letter, the motion abbreviated ("R knee ext"). Words it does not know stay as they are.
pub fn short_site(site: &str) -> String {
    let words: Vec<String> = site.split_whitespace().map(str::to_lowercase).collect();
    let side = words.iter().find_map(|w| match w.as_str() {
        "right" | "r" => Some("R"),
        "left" | "l" => Some("L"),
        "both" | "bilateral" | "b" => Some("B"),
        _ => None,
    });
    let text = words
        .iter()
        .filter(|w| {
            !matches!(
                w.as_str(),
                "right" | "r" | "left" | "l" | "both" | "bilateral" | "b"
            )
        })
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    const SHORT: &[(&str, &str)] = &[
        ("external rotation", "ER"),
        ("internal rotation", "IR"),
        ("lateral flexion", "lat flex"),
        ("dorsiflexion", "DF"),
        ("plantarflexion", "PF"),
        ("plantar flexion", "PF"),
        ("flexion", "flex"),
        ("extension", "ext"),
        ("abduction", "abd"),
        ("adduction", "add"),
        ("rotation", "rot"),
        ("inversion", "inv"),
        ("eversion", "ev"),
        ("pronation", "pron"),
        ("supination", "sup"),
    ];
    let short = SHORT
        .iter()
        .fold(text, |t, (long, short)| t.replace(long, short));
    match side {
        Some(side) => format!("{side} {short}"),
        None => short,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regional_measure_is_defined() {
        for r in BodyRegion::ALL {
            if let Some(code) = r.regional_measure() {
                assert!(measure(code).is_some(), "{code}");
            }
        }
    }

    #[test]
    fn mcid_values_follow_clinical_md() {
        let mcid = |c| measure(c).unwrap().mcid;
        assert_eq!(mcid("NPRS"), Some(2.0));
        assert_eq!(mcid("LEFS"), Some(9.0));
        assert_eq!(mcid("ODI"), Some(10.0));
        assert_eq!(mcid("NDI"), Some(10.0));
        assert_eq!(mcid("QuickDASH"), Some(14.0));
        assert_eq!(mcid("PSFS"), Some(2.0));
        assert_eq!(mcid("ROM"), None);
    }
}

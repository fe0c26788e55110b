//! Short- and long-term goals of a plan of care (BPM ch. 15 §220.1: the plan states them, and
//! each progress report assesses progress toward each, §220.3). A goal aims at a value of an
//! outcome measure by a date, or is worded ("walks to the mailbox without a cane") and assessed
//! by the therapist. A measured goal's status is worked out from the measurements, never typed.

use chrono::NaiveDate;

use super::appointment::stored_words;
use super::measures::{Better, MeasureDef};
use super::plan_of_care::PlanOfCare;
use std::fmt;

/// Scores carry one decimal: a value equal to the target up to rounding reaches it.
const EPS: f64 = 1e-9;

/// The most characters in a goal's words: a sentence or two, as a plan of care states it.
pub const GOAL_TEXT_MAX_CHARS: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Term {
    Short,
    Long,
}

stored_words!(Term {
    Short => "short", "Short";
    Long => "long", "Long";
});

/// A worded goal's status as the therapist assessed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assessed {
    Met,
    Progressing,
    NotMet,
}

stored_words!(Assessed {
    Met => "met", "met";
    Progressing => "progressing", "progressing";
    NotMet => "not_met", "not met";
});

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalStatus {
    Met,
    Progressing,
    NotMet,
    /// A measured goal whose measure has no value in the plan's episode yet, its date not past.
    NoMeasureYet,
    /// A worded goal the therapist has not assessed yet.
    NotAssessed,
}

stored_words!(GoalStatus {
    Met => "met", "met";
    Progressing => "progressing", "progressing";
    NotMet => "not_met", "not met";
    NoMeasureYet => "no_measure_yet", "no measure yet";
    NotAssessed => "not_assessed", "not assessed";
});

impl From<Assessed> for GoalStatus {
    fn from(a: Assessed) -> Self {
        match a {
            Assessed::Met => GoalStatus::Met,
            Assessed::Progressing => GoalStatus::Progressing,
            Assessed::NotMet => GoalStatus::NotMet,
        }
    }
}

/// The value of a measure a goal aims at.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureTarget {
    pub code: String,
    /// The ROM series ("knee flexion right"); None for the measures with one series.
    pub detail: Option<String>,
    pub value: f64,
}

/// A goal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: i64,
    pub plan_id: i64,
    pub term: Term,
    /// The therapist's words; empty for a measured goal given without any.
    pub description: String,
    pub target: Option<MeasureTarget>,
    /// The date it is to be met by.
    pub target_on: NaiveDate,
    pub assessed: Option<Assessed>,
    pub assessed_on: Option<NaiveDate>,
    pub version: i64,
}

/// Whether `value` reaches `target` in the measure's better direction.
pub fn reaches(def: &MeasureDef, value: f64, target: f64) -> bool {
    match def.better {
        Better::Lower => value <= target + EPS,
        Better::Higher => value + EPS >= target,
    }
}

/// "NPRS ≤ 3", "LEFS ≥ 60", "ROM R knee flex ≥ 120°": the target as clinicians write it.
pub fn target_words(def: &MeasureDef, target: &MeasureTarget) -> String {
    let sign = match def.better {
        Better::Lower => "≤",
        Better::Higher => "≥",
    };
    let series = match &target.detail {
        Some(site) => format!("{} {}", def.code, super::measures::short_site(site)),
        None => def.code.to_string(),
    };
    let unit = match def.unit {
        "degrees" => "°",
        "%" => "%",
        _ => "",
    };
    format!(
        "{series} {sign} {}{unit}",
        crate::text::number(target.value)
    )
}

/// A goal with its status on a day and the value it was judged by.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalReview {
    pub goal: Goal,
    /// The measure as the clinic defines it, for a measured goal.
    pub def: Option<MeasureDef>,
    pub status: GoalStatus,
    /// The latest value of the goal's measure in the plan's episode, and its date.
    pub latest: Option<(NaiveDate, f64)>,
}

impl GoalReview {
    /// The goal's words: the therapist's, else its target's.
    pub fn words(&self) -> String {
        if !self.goal.description.trim().is_empty() {
            return self.goal.description.clone();
        }
        self.target_text().unwrap_or_default()
    }

    /// The measured target ("NPRS ≤ 3"), None for a worded goal.
    pub fn target_text(&self) -> Option<String> {
        match (&self.def, &self.goal.target) {
            (Some(def), Some(t)) => Some(target_words(def, t)),
            _ => None,
        }
    }

    /// Whether the status is worked out from measurements (not the therapist's to set).
    pub fn is_measured(&self) -> bool {
        self.goal.target.is_some()
    }
}

/// A plan of care with its goals reviewed on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanGoals {
    pub plan: PlanOfCare,
    /// Short-term goals first, each term by date.
    pub goals: Vec<GoalReview>,
}

/// The plan a goal or a discharge belongs to when none is named: the one covering `day`,
/// else the latest.
pub fn plan_for(plans: &[PlanOfCare], day: NaiveDate) -> Option<&PlanOfCare> {
    plans
        .iter()
        .rev()
        .find(|p| p.covers(day))
        .or_else(|| plans.iter().max_by_key(|p| (p.starts_on, p.id)))
}

/// The days whose measurements count for `plan`'s goals: from the start of its episode (the
/// first plan of its recertification chain, whose start is the evaluation) to the day before
/// the next episode's first plan, if any. `plans` oldest first.
pub fn episode_window(plans: &[PlanOfCare], plan: &PlanOfCare) -> (NaiveDate, Option<NaiveDate>) {
    let mut root = plan;
    // A chain is at most as long as the list: a loop in bad data cannot hang this.
    for _ in 0..plans.len() {
        match root
            .recertifies
            .and_then(|id| plans.iter().find(|p| p.id == id))
        {
            Some(earlier) => root = earlier,
            None => break,
        }
    }
    let next = plans
        .iter()
        .filter(|p| p.recertifies.is_none() && p.starts_on > root.starts_on)
        .map(|p| p.starts_on)
        .min();
    (root.starts_on, next.and_then(|d| d.pred_opt()))
}

/// A new goal as typed, checked before anything is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub term: Term,
    pub description: String,
    pub target: Option<MeasureTarget>,
    pub target_on: NaiveDate,
}

/// What a new goal was given, before it is checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoalInput<'a> {
    pub text: Option<&'a str>,
    pub measure: Option<&'a str>,
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub by: Option<NaiveDate>,
}

/// Checks a new goal: a target (words, or a known measure with a value in its range), a date;
/// one sentence when something is wrong. `defs` are the clinic's measures.
pub fn check_new(term: Term, input: GoalInput, defs: &[MeasureDef]) -> Result<NewGoal, String> {
    let text = input.text.map(str::trim).unwrap_or_default();
    if text.chars().any(crate::sanitize::is_unsafe_char) {
        return Err(
            "a goal's words have control characters in them: type them as plain text".into(),
        );
    }
    if text.chars().count() > GOAL_TEXT_MAX_CHARS {
        return Err(format!(
            "a goal's words are at most {GOAL_TEXT_MAX_CHARS} characters"
        ));
    }
    let measure = input.measure.map(str::trim).filter(|m| !m.is_empty());
    let target = input.target.map(str::trim).filter(|t| !t.is_empty());
    let detail = input.detail.map(str::trim).filter(|d| !d.is_empty());
    let target = match (measure, target) {
        (None, None) if detail.is_some() => {
            return Err(
                "--detail names the series of a measured goal: give --measure and --target too"
                    .into(),
            );
        }
        (None, None) if text.is_empty() => {
            return Err("a goal needs a target: words (--text \"…\") or a measure and value (--measure CODE --target X)".into());
        }
        (None, None) => None,
        (None, Some(_)) => {
            return Err("--target needs the measure it is a value of: --measure CODE".into());
        }
        (Some(code), None) => {
            return Err(format!(
                "a goal on {} needs the value it aims at: --target X",
                crate::sanitize::clean_echo(code)
            ));
        }
        (Some(code), Some(value)) => Some(check_target(code, value, detail, defs)?),
    };
    let Some(target_on) = input.by else {
        return Err("a goal needs the date it is to be met by: --by YYYY-MM-DD".into());
    };
    Ok(NewGoal {
        term,
        description: text.to_string(),
        target,
        target_on,
    })
}

fn check_target(
    code: &str,
    value: &str,
    detail: Option<&str>,
    defs: &[MeasureDef],
) -> Result<MeasureTarget, String> {
    let Some(def) = defs.iter().find(|d| d.code.eq_ignore_ascii_case(code)) else {
        let known: Vec<&str> = defs.iter().map(|d| d.code).collect();
        return Err(format!(
            "unknown measure \"{}\": the clinic's measures are {}",
            crate::sanitize::clean_echo(code),
            known.join(", ")
        ));
    };
    let v: f64 = value
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            format!(
                "--target takes a number, not \"{}\"",
                crate::sanitize::clean_echo(value)
            )
        })?;
    let (min, max) = (crate::text::number(def.min), crate::text::number(def.max));
    if v < def.min || v > def.max {
        return Err(format!(
            "a {} target is from {min} to {max}, not {}",
            def.code,
            crate::text::number(v)
        ));
    }
    if def.integer && v.fract() != 0.0 {
        return Err(format!(
            "a {} target is a whole number from {min} to {max}, not {}",
            def.code,
            crate::text::number(v)
        ));
    }
    let detail = match (def.code, detail) {
        ("ROM", None) => {
            return Err("a ROM goal names its series: --detail \"JOINT MOTION SIDE\" (e.g. \"knee flexion right\")".into());
        }
        ("ROM", Some(d)) => {
            if d.chars().any(crate::sanitize::is_unsafe_char) || d.chars().count() > 80 {
                return Err(
                    "--detail is a ROM series in plain words, at most 80 characters".into(),
                );
            }
            Some(d.to_string())
        }
        (code, Some(_)) => {
            return Err(format!(
                "--detail names a ROM series; {code} has one series, so a goal on it takes none"
            ));
        }
        (_, None) => None,
    };
    Ok(MeasureTarget {
        code: def.code.to_string(),
        detail,
        value: v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::measures::MEASURES;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input<'a>(
        text: Option<&'a str>,
        measure: Option<&'a str>,
        target: Option<&'a str>,
    ) -> GoalInput<'a> {
        GoalInput {
            text,
            measure,
            target,
            detail: None,
            by: Some(d("2026-12-10")),
        }
    }

    #[test]
    fn a_new_goal_needs_a_target_and_a_date() {
        let e = check_new(Term::Short, input(Some("  "), None, None), MEASURES).unwrap_err();
        assert!(e.starts_with("a goal needs a target"), "{e}");
        let mut no_date = input(Some("Walks 30 minutes"), None, None);
        no_date.by = None;
        let e = check_new(Term::Short, no_date, MEASURES).unwrap_err();
        assert!(e.contains("--by"), "{e}");
        let e = check_new(Term::Long, input(None, Some("NPRS"), None), MEASURES).unwrap_err();
        assert!(e.contains("--target"), "{e}");
        let e = check_new(Term::Long, input(None, None, Some("3")), MEASURES).unwrap_err();
        assert!(e.contains("--measure"), "{e}");
        let ok = check_new(Term::Long, input(None, Some("nprs"), Some("3")), MEASURES).unwrap();
        assert_eq!(
            ok.target.unwrap().code,
            "NPRS",
            "the measure's own spelling"
        );
    }

    #[test]
    fn a_target_is_a_known_measure_within_its_range() {
        let e = check_new(Term::Short, input(None, Some("XYZ"), Some("3")), MEASURES).unwrap_err();
        assert!(e.starts_with("unknown measure \"XYZ\""), "{e}");
        let e =
            check_new(Term::Short, input(None, Some("NPRS"), Some("11")), MEASURES).unwrap_err();
        assert_eq!(e, "a NPRS target is from 0 to 10, not 11");
        let e = check_new(
            Term::Short,
            input(None, Some("NPRS"), Some("2.5")),
            MEASURES,
        )
        .unwrap_err();
        assert!(e.contains("whole number"), "{e}");
        let e = check_new(
            Term::Short,
            input(None, Some("LEFS"), Some("abc")),
            MEASURES,
        )
        .unwrap_err();
        assert!(e.contains("takes a number"), "{e}");
        let e =
            check_new(Term::Short, input(None, Some("ROM"), Some("120")), MEASURES).unwrap_err();
        assert!(e.contains("--detail"), "{e}");
        let e =
            check_new(Term::Short, input(None, Some("NPRS"), Some("-1")), MEASURES).unwrap_err();
        assert_eq!(e, "a NPRS target is from 0 to 10, not -1");
    }

    fn plan(id: i64, start: &str, end: &str, recertifies: Option<i64>) -> PlanOfCare {
        PlanOfCare {
            id,
            patient_id: 1,
            starts_on: d(start),
            ends_on: d(end),
            visits_per_week: Some(2),
            weeks: Some(6),
            physician: None,
            certified_on: None,
            delay_reason: None,
            recertifies,
            version: 1,
        }
    }

    #[test]
    fn a_recertification_keeps_its_episode_and_a_new_plan_starts_one() {
        let plans = vec![
            plan(1, "2026-06-01", "2026-08-29", None),
            plan(2, "2026-08-30", "2026-10-30", Some(1)),
            plan(3, "2026-11-02", "2027-01-30", None),
        ];
        assert_eq!(
            episode_window(&plans, &plans[1]),
            (d("2026-06-01"), Some(d("2026-11-01")))
        );
        assert_eq!(episode_window(&plans, &plans[2]), (d("2026-11-02"), None));
        assert_eq!(plan_for(&plans, d("2026-09-15")).map(|p| p.id), Some(2));
        assert_eq!(plan_for(&plans, d("2026-10-31")).map(|p| p.id), Some(3));
        assert_eq!(plan_for(&[], d("2026-10-31")), None);
    }
}

//! A goal's status worked out from the measures of its plan's episode: where the goals meet
//! the progress machinery, so that neither needs the other.

use chrono::NaiveDate;

use super::goals::{Goal, GoalReview, GoalStatus, reaches};
use super::measures::MeasureDef;
use super::progress::MeasureTrend;

/// The goal's status on `as_of`, from `trends` (the measures of the plan's episode up to that
/// day, built by `progress::trends`) for a measured goal, else as the therapist assessed it.
///
/// A measured goal is met when the latest value reaches the target in the measure's better
/// direction; not met once its date has passed without that; progressing otherwise, or "no
/// measure yet" while its measure has no value in the episode.
pub fn review(
    goal: &Goal,
    trends: &[MeasureTrend],
    defs: &[MeasureDef],
    as_of: NaiveDate,
) -> GoalReview {
    let Some(target) = &goal.target else {
        return GoalReview {
            goal: goal.clone(),
            def: None,
            status: goal
                .assessed
                .map_or(GoalStatus::NotAssessed, GoalStatus::from),
            latest: None,
        };
    };
    let def = defs
        .iter()
        .find(|d| d.code.eq_ignore_ascii_case(&target.code))
        .copied();
    let series = trends.iter().find(|t| {
        t.def.code.eq_ignore_ascii_case(&target.code)
            && (target.detail.is_none() || t.site.as_deref() == target.detail.as_deref())
    });
    let latest = series.and_then(|t| t.points.last().map(|p| (p.date, p.value)));
    let past = as_of > goal.target_on;
    let status = match (def, latest) {
        (Some(def), Some((_, v))) if reaches(&def, v, target.value) => GoalStatus::Met,
        _ if past => GoalStatus::NotMet,
        (_, Some(_)) => GoalStatus::Progressing,
        (_, None) => GoalStatus::NoMeasureYet,
    };
    GoalReview {
        goal: goal.clone(),
        def,
        status,
        latest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goals::{Assessed, MeasureTarget, Term};
    use crate::domain::measures::MEASURES;
    use crate::domain::progress::{MeasurePoint, trends};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn goal(code: &str, detail: Option<&str>, target: f64, by: &str) -> Goal {
        Goal {
            id: 1,
            plan_id: 1,
            term: Term::Short,
            description: String::new(),
            target: Some(MeasureTarget {
                code: code.into(),
                detail: detail.map(str::to_string),
                value: target,
            }),
            target_on: d(by),
            assessed: None,
            assessed_on: None,
            version: 1,
        }
    }

    fn series(values: &[(&str, &str, f64, Option<&str>)]) -> Vec<MeasureTrend> {
        let points = values
            .iter()
            .enumerate()
            .map(|(i, (code, date, value, detail))| {
                (
                    code.to_string(),
                    MeasurePoint {
                        id: i as i64,
                        date: d(date),
                        value: *value,
                        detail: detail.map(str::to_string),
                        items: None,
                        appointment_id: None,
                    },
                )
            })
            .collect();
        trends(points, MEASURES)
    }

    /// NPRS 7 → 3 against "NPRS ≤ 3 by 10 Dec": met on 27 Nov; at 4 it is progressing, and
    /// still 4 after 10 Dec it is not met.
    #[test]
    fn a_pain_goal_is_met_at_or_below_its_target() {
        let g = goal("NPRS", None, 3.0, "2026-12-10");
        let met = series(&[
            ("NPRS", "2026-10-26", 7.0, None),
            ("NPRS", "2026-11-20", 3.0, None),
        ]);
        let r = review(&g, &met, MEASURES, d("2026-11-27"));
        assert_eq!(r.status, GoalStatus::Met);
        assert_eq!(r.latest, Some((d("2026-11-20"), 3.0)));
        assert_eq!(r.target_text().as_deref(), Some("NPRS ≤ 3"));
        assert_eq!(r.words(), "NPRS ≤ 3", "no words given: the target's");
        let short = series(&[
            ("NPRS", "2026-10-26", 7.0, None),
            ("NPRS", "2026-11-20", 4.0, None),
        ]);
        assert_eq!(
            review(&g, &short, MEASURES, d("2026-11-27")).status,
            GoalStatus::Progressing
        );
        assert_eq!(
            review(&g, &short, MEASURES, d("2026-12-10")).status,
            GoalStatus::Progressing,
            "its last day is still in time"
        );
        assert_eq!(
            review(&g, &short, MEASURES, d("2026-12-11")).status,
            GoalStatus::NotMet
        );
    }

    /// Higher is better for LEFS and ROM; the latest value counts, not the best.
    #[test]
    fn a_function_goal_is_met_at_or_above_and_by_the_latest_value() {
        let g = goal("LEFS", None, 60.0, "2027-01-20");
        let s = series(&[
            ("LEFS", "2026-10-26", 31.0, None),
            ("LEFS", "2026-11-10", 61.0, None),
            ("LEFS", "2026-11-24", 58.0, None),
        ]);
        let r = review(&g, &s, MEASURES, d("2026-11-27"));
        assert_eq!(r.status, GoalStatus::Progressing);
        assert_eq!(r.latest, Some((d("2026-11-24"), 58.0)));
        let rom = goal("ROM", Some("knee flexion right"), 120.0, "2027-01-20");
        let s = series(&[
            ("ROM", "2026-10-26", 95.0, Some("knee flexion right")),
            ("ROM", "2026-11-24", -5.0, Some("knee extension right")),
            ("ROM", "2026-11-24", 120.0, Some("knee flexion right")),
        ]);
        let r = review(&rom, &s, MEASURES, d("2026-11-27"));
        assert_eq!(r.status, GoalStatus::Met, "its own series only");
        assert_eq!(r.target_text().as_deref(), Some("ROM R knee flex ≥ 120°"));
    }

    #[test]
    fn no_measure_yet_is_said_until_the_date_passes() {
        let g = goal("ODI", None, 20.0, "2026-12-10");
        let other = series(&[("NPRS", "2026-11-20", 4.0, None)]);
        let r = review(&g, &other, MEASURES, d("2026-11-27"));
        assert_eq!(r.status, GoalStatus::NoMeasureYet);
        assert_eq!(r.status.label(), "no measure yet");
        assert_eq!(r.latest, None);
        assert_eq!(
            review(&g, &other, MEASURES, d("2026-12-11")).status,
            GoalStatus::NotMet
        );
    }

    #[test]
    fn a_worded_goal_has_the_status_the_therapist_gave_it() {
        let mut g = goal("NPRS", None, 3.0, "2026-12-10");
        g.target = None;
        g.description = "Walks to the mailbox without a cane".into();
        let r = review(&g, &[], MEASURES, d("2026-12-20"));
        assert_eq!(r.status, GoalStatus::NotAssessed, "never guessed");
        assert!(!r.is_measured());
        g.assessed = Some(Assessed::Progressing);
        assert_eq!(
            review(&g, &[], MEASURES, d("2026-12-20")).status,
            GoalStatus::Progressing
        );
    }
}

//! What to expect for a patient: the clinic's own finished episodes of the same body region
//! and a similar start (age band, and the initial score's band on the same measure), and how
//! this episode compares so far at the same visit number.

use super::episodes::{Episode, MeasurePair};
use super::groups::{age_band, primary_pair};
use super::stats::{quantile, share, sorted_quantile};
use crate::domain::measures::{Better, MeasureDef};
use crate::text::{number, signed};

/// Fewer similar episodes than this and no expectation is given.
pub const MIN_SIMILAR: usize = 20;

/// Where the episode stands against the similar ones at its visit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    OnTrack,
    /// Below the similar episodes' lower quartile of change at the same visit number.
    Behind,
    TooFew,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTrack => "on_track",
            Standing::Behind => "behind",
            Standing::TooFew => "too_few",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::OnTrack => "on track",
            Standing::Behind => "behind",
            Standing::TooFew => "too few similar episodes",
        }
    }
}

/// The expectation for one episode on its primary measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// Index into the definitions.
    pub measure: usize,
    pub similar_episodes: usize,
    pub median_change: Option<f64>,
    pub change_iqr: Option<(f64, f64)>,
    pub mcid_met_share: Option<f64>,
    pub median_visits: Option<f64>,
    pub status: Standing,
    /// This episode's change so far and its visit number.
    pub change_so_far: f64,
    pub visit_number: u32,
    /// The similar episodes' median change at that visit number.
    pub median_change_at_visit: Option<f64>,
}

impl Expected {
    /// The report's sentence: "LEFS: 31 similar episodes gained a median of +12 points over 8
    /// visits, 65% reached the MCID; at visit 12 this one is on track (+13 so far, similar +11)".
    pub fn sentence(&self, code: &str) -> String {
        match (self.status, self.median_change, self.median_visits) {
            (Standing::OnTrack | Standing::Behind, Some(change), Some(visits)) => format!(
                "{code}: {} similar episodes gained a median of {} points over {} visits, {} reached the MCID; at visit {} this one is {} ({} so far, similar {})",
                self.similar_episodes,
                signed(change),
                number(visits),
                percent(self.mcid_met_share),
                self.visit_number,
                self.status.label(),
                signed(self.change_so_far),
                self.median_change_at_visit
                    .map_or_else(|| "—".into(), signed),
            ),
            _ => self.too_few(code),
        }
    }

    /// Pane 2's line, the standing first: "On track against 31 similar episodes: LEFS +12 over
    /// 8 visits, 65% reach the MCID".
    pub fn headline(&self, code: &str) -> String {
        match (self.status, self.median_change, self.median_visits) {
            (Standing::OnTrack | Standing::Behind, Some(change), Some(visits)) => format!(
                "{} against {} similar episodes: {code} {} over {} visits, {} reach the MCID",
                crate::text::capitalised(self.status.label()),
                self.similar_episodes,
                signed(change),
                number(visits),
                percent(self.mcid_met_share),
            ),
            _ => self.too_few(code),
        }
    }

    fn too_few(&self, code: &str) -> String {
        format!(
            "{code}: too few similar episodes ({} of the {MIN_SIMILAR} needed: same region, age band and starting score)",
            self.similar_episodes
        )
    }
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".into(), |s| format!("{:.0}%", s * 100.0))
}

/// The band of an initial score: 0 severe, 1 moderate, 2 mild (thirds of the range, by how
/// good the score is).
pub fn score_band(def: &MeasureDef, value: f64) -> u8 {
    let span = def.max - def.min;
    let goodness = match def.better {
        Better::Higher => (value - def.min) / span,
        Better::Lower => (def.max - value) / span,
    };
    match goodness {
        g if g < 1.0 / 3.0 => 0,
        g if g < 2.0 / 3.0 => 1,
        _ => 2,
    }
}

pub const SCORE_BANDS: [&str; 3] = ["severe", "moderate", "mild"];

/// The change at `visit` of a course: the last measured change by then (0 before any).
fn change_at(pair: &MeasurePair, visit: u32) -> f64 {
    pair.course
        .iter()
        .take_while(|(n, _)| *n <= visit)
        .last()
        .map_or(0.0, |(_, c)| *c)
}

/// The expectation for `current` (an episode in care or finished) from `history`, the
/// clinic's episodes. None when the episode has no measure to compare on.
pub fn expected(history: &[Episode], defs: &[MeasureDef], current: &Episode) -> Option<Expected> {
    let pair = primary_pair(current, defs)?;
    let def = &defs[pair.measure];
    let band = score_band(def, pair.initial);
    let age = current.age.map(age_band);
    let similar: Vec<(&Episode, &MeasurePair)> = history
        .iter()
        .filter(|e| e.ending.finished())
        .filter(|e| !(e.patient_id == current.patient_id && e.start == current.start))
        .filter(|e| e.region == current.region && e.age.map(age_band) == age)
        .filter_map(|e| e.pair(pair.measure).map(|p| (e, p)))
        .filter(|(_, p)| p.complete && score_band(def, p.initial) == band)
        .collect();
    let visit_number = current.attended;
    let change_so_far = pair.change;
    if similar.len() < MIN_SIMILAR {
        return Some(Expected {
            measure: pair.measure,
            similar_episodes: similar.len(),
            median_change: None,
            change_iqr: None,
            mcid_met_share: None,
            median_visits: None,
            status: Standing::TooFew,
            change_so_far,
            visit_number,
            median_change_at_visit: None,
        });
    }
    let changes: Vec<f64> = similar.iter().map(|(_, p)| p.change).collect();
    let visits: Vec<f64> = similar.iter().map(|(e, _)| f64::from(e.attended)).collect();
    let mut at_visit: Vec<f64> = similar
        .iter()
        .map(|(_, p)| change_at(p, visit_number))
        .collect();
    at_visit.sort_by(f64::total_cmp);
    let lower_quartile = sorted_quantile(&at_visit, 0.25);
    Some(Expected {
        measure: pair.measure,
        similar_episodes: similar.len(),
        median_change: quantile(&changes, 0.5),
        change_iqr: quantile(&changes, 0.25).zip(quantile(&changes, 0.75)),
        mcid_met_share: share(
            similar.iter().filter(|(_, p)| p.mcid_met).count(),
            similar.len(),
        ),
        median_visits: quantile(&visits, 0.5),
        status: if change_so_far + 1e-9 < lower_quartile {
            Standing::Behind
        } else {
            Standing::OnTrack
        },
        change_so_far,
        visit_number,
        median_change_at_visit: Some(sorted_quantile(&at_visit, 0.5)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::VisitKind;
    use crate::domain::measures::{BodyRegion, MEASURES};
    use crate::domain::no_show::Attendance;
    use crate::domain::outcomes::episodes::{
        OutcomePoint, OutcomeVisit, PatientOutcomeInput, episodes_of,
    };
    use chrono::{Duration, NaiveDate};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A knee episode: ODI-free, LEFS from `initial` rising by `per_visit` at each of six
    /// weekly visits (measured at every visit), discharged at the last when `done`.
    fn episode(
        id: i64,
        age_dob: &str,
        initial: f64,
        per_visit: f64,
        visits: i64,
        done: bool,
    ) -> Episode {
        let start = d("2026-01-05") + Duration::days(id);
        let p = PatientOutcomeInput {
            patient_id: id,
            date_of_birth: Some(d(age_dob)),
            region: Some(BodyRegion::Knee),
            visits: (0..visits)
                .map(|n| OutcomeVisit {
                    id: id * 100 + n,
                    therapist_id: 1,
                    day: start + Duration::days(7 * n),
                    kind: match n {
                        0 => VisitKind::Evaluation,
                        n if n == visits - 1 && done => VisitKind::Discharge,
                        _ => VisitKind::Treatment,
                    },
                    attendance: Attendance::Attended,
                })
                .collect(),
            points: (0..visits)
                .map(|n| OutcomePoint {
                    code: "LEFS".into(),
                    date: start + Duration::days(7 * n),
                    value: initial + per_visit * n as f64,
                })
                .collect(),
            ..Default::default()
        };
        episodes_of(&p, MEASURES, start + Duration::days(7 * (visits - 1))).remove(0)
    }

    #[test]
    fn fewer_than_twenty_similar_episodes_give_no_expectation() {
        let history: Vec<Episode> = (0..19)
            .map(|i| episode(i, "1970-01-01", 20.0, 3.0, 6, true))
            .collect();
        let me = episode(99, "1971-06-01", 22.0, 1.0, 3, false);
        let e = expected(&history, MEASURES, &me).unwrap();
        assert_eq!(e.status, Standing::TooFew);
        assert_eq!(e.similar_episodes, 19);
        assert_eq!(e.median_change, None);
    }

    #[test]
    fn a_patient_gaining_less_than_most_similar_ones_is_behind() {
        let mut history: Vec<Episode> = (0..30)
            .map(|i| episode(i, "1970-01-01", 20.0, 3.0 + (i % 3) as f64, 6, true))
            .collect();
        // Not similar: another age band, a milder start.
        history.push(episode(50, "2000-01-01", 20.0, 1.0, 6, true));
        history.push(episode(51, "1970-01-01", 70.0, 1.0, 6, true));
        let behind = episode(99, "1971-06-01", 22.0, 1.0, 3, false);
        let e = expected(&history, MEASURES, &behind).unwrap();
        assert_eq!(e.similar_episodes, 30);
        assert_eq!(e.visit_number, 3);
        assert_eq!(e.change_so_far, 2.0);
        assert_eq!(e.status, Standing::Behind);
        assert_eq!(e.median_visits, Some(6.0));
        assert_eq!(
            e.median_change,
            Some(20.0),
            "five gains of 4 points, median"
        );
        assert_eq!(e.mcid_met_share, Some(1.0));
        assert_eq!(e.median_change_at_visit, Some(8.0));
        let on_track = episode(98, "1971-06-01", 22.0, 4.0, 3, false);
        assert_eq!(
            expected(&history, MEASURES, &on_track).unwrap().status,
            Standing::OnTrack
        );
    }

    #[test]
    fn score_bands_follow_the_better_direction() {
        let lefs = crate::domain::measures::measure("LEFS").unwrap();
        let odi = crate::domain::measures::measure("ODI").unwrap();
        assert_eq!(score_band(lefs, 10.0), 0);
        assert_eq!(score_band(lefs, 70.0), 2);
        assert_eq!(score_band(odi, 80.0), 0);
        assert_eq!(score_band(odi, 10.0), 2);
    }
}

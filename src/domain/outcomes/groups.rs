//! The clinic's figures per group of finished episodes: by therapist, body region, measure,
//! payer, age band or month of discharge, or any two of them combined.
//!
//! Without a measure in the grouping (or a measure chosen), each episode counts once, by its
//! primary measure: the body region's questionnaire when the episode has it, else its first
//! functional measure, else pain. Changes are only averaged within one measure: points of
//! different scales do not add up.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::episodes::{Ending, Episode, MeasurePair};
use super::stats::{mean, median, quantile, share, wilson};
use crate::domain::measures::{BodyRegion, MeasureDef, is_functional};

/// Fewer complete pairs than this and a group is marked as too small to compare.
pub const SMALL_GROUP: usize = 10;

/// What a group is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Therapist,
    Region,
    Measure,
    Payer,
    Age,
    Month,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Therapist,
        Dimension::Region,
        Dimension::Measure,
        Dimension::Payer,
        Dimension::Age,
        Dimension::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Therapist => "therapist",
            Dimension::Region => "region",
            Dimension::Measure => "measure",
            Dimension::Payer => "payer",
            Dimension::Age => "age",
            Dimension::Month => "month",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Therapist => "Therapist",
            Dimension::Region => "Region",
            Dimension::Measure => "Measure",
            Dimension::Payer => "Payer",
            Dimension::Age => "Age",
            Dimension::Month => "Month",
        }
    }

    pub fn parse(word: &str) -> Option<Dimension> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(word.trim()))
    }
}

/// `therapist`, `region,measure`: one or two dimensions, comma-separated.
pub fn parse_grouping(text: &str) -> Result<Vec<Dimension>, String> {
    let mut out = Vec::new();
    for word in text.split(',') {
        let d = Dimension::parse(word).ok_or_else(|| {
            format!(
                "unknown grouping \"{}\": use {}",
                crate::sanitize::clean_echo(word.trim()),
                Dimension::ALL.map(Dimension::as_str).join(", ")
            )
        })?;
        if out.contains(&d) {
            return Err(format!("the grouping names {} twice", d.as_str()));
        }
        out.push(d);
    }
    if out.len() > 2 {
        return Err("group by at most two of therapist, region, measure, payer, age, month".into());
    }
    Ok(out)
}

/// The age bands the figures split by.
pub const AGE_BANDS: [(i32, i32, &str); 6] = [
    (0, 17, "under 18"),
    (18, 34, "18-34"),
    (35, 49, "35-49"),
    (50, 64, "50-64"),
    (65, 79, "65-79"),
    (80, i32::MAX, "80+"),
];

/// The index into [`AGE_BANDS`] of an age.
pub fn age_band(age: i32) -> usize {
    AGE_BANDS
        .iter()
        .position(|(lo, hi, _)| (*lo..=*hi).contains(&age))
        .unwrap_or(0)
}

/// One part of a group's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPart {
    Therapist(i64),
    Region(Option<BodyRegion>),
    Measure(usize),
    Payer(Option<String>),
    Age(Option<usize>),
    Month(String),
}

impl KeyPart {
    pub fn dimension(&self) -> Dimension {
        match self {
            KeyPart::Therapist(_) => Dimension::Therapist,
            KeyPart::Region(_) => Dimension::Region,
            KeyPart::Measure(_) => Dimension::Measure,
            KeyPart::Payer(_) => Dimension::Payer,
            KeyPart::Age(_) => Dimension::Age,
            KeyPart::Month(_) => Dimension::Month,
        }
    }
}

/// The episodes a table covers: finished in the period, and of one measure if chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scope {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub measure: Option<usize>,
    /// Only this therapist's episodes (a therapist's own row).
    pub therapist: Option<i64>,
}

impl Scope {
    pub fn holds(&self, e: &Episode) -> bool {
        e.ending != Ending::Open
            && e.end.is_some_and(|d| d >= self.from && d <= self.to)
            && self.therapist.is_none_or(|t| e.therapist_id == t)
    }
}

/// An episode's primary measure: its region's questionnaire, else its first functional
/// measure, else its first measure (pain).
pub fn primary_pair<'a>(e: &'a Episode, defs: &[MeasureDef]) -> Option<&'a MeasurePair> {
    let regional = e.region.and_then(BodyRegion::regional_measure);
    e.pairs
        .iter()
        .find(|p| regional.is_some_and(|r| defs[p.measure].code == r))
        .or_else(|| e.pairs.iter().find(|p| is_functional(defs[p.measure].code)))
        .or_else(|| e.pairs.first())
}

/// The figures of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub key: Vec<KeyPart>,
    pub episodes: usize,
    pub complete_pairs: usize,
    /// Complete pairs of all episodes (or pairs, by measure) in the group.
    pub completeness: Option<f64>,
    pub mcid_met: usize,
    pub mcid_met_share: Option<f64>,
    pub mcid_met_ci: Option<(f64, f64)>,
    /// Changes (positive = better) of the complete pairs: only within one measure.
    pub mean_change: Option<f64>,
    pub median_change: Option<f64>,
    pub change_per_visit: Option<f64>,
    pub median_visits: Option<f64>,
    pub visits_iqr: Option<(f64, f64)>,
    pub median_days: Option<f64>,
    pub endings: BTreeMap<Ending, usize>,
    pub no_show_rate: Option<f64>,
    pub late_cancel_rate: Option<f64>,
    pub adherence_median: Option<f64>,
    /// MCID share by month of discharge across the period, oldest first.
    pub monthly: Vec<Option<f64>>,
    /// The episodes behind the figures (indexes into the slice given), for a drill-down.
    pub members: Vec<usize>,
}

impl Figures {
    pub fn too_small(&self) -> bool {
        self.complete_pairs < SMALL_GROUP
    }
}

/// One episode's part in a group: the episode and the pair it counts with.
#[derive(Clone, Copy)]
struct Unit<'a> {
    index: usize,
    episode: &'a Episode,
    pair: Option<&'a MeasurePair>,
}

/// The months from `from` to `to`, `YYYY-MM`.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

fn figures(key: Vec<KeyPart>, units: &[Unit], single_measure: bool, months: &[String]) -> Figures {
    let mut seen: Vec<usize> = units.iter().map(|u| u.index).collect();
    seen.sort_unstable();
    seen.dedup();
    let episodes: Vec<&Episode> = {
        let mut by_index: HashMap<usize, &Episode> = HashMap::new();
        for u in units {
            by_index.insert(u.index, u.episode);
        }
        seen.iter().map(|i| by_index[i]).collect()
    };
    let complete: Vec<(&Episode, &MeasurePair)> = units
        .iter()
        .filter_map(|u| u.pair.filter(|p| p.complete).map(|p| (u.episode, p)))
        .collect();
    let met = complete.iter().filter(|(_, p)| p.mcid_met).count();
    let changes: Vec<f64> = complete.iter().map(|(_, p)| p.change).collect();
    let per_visit: Vec<f64> = complete
        .iter()
        .filter(|(e, _)| e.attended > 0)
        .map(|(e, p)| p.change / f64::from(e.attended))
        .collect();
    let visits: Vec<f64> = episodes.iter().map(|e| f64::from(e.attended)).collect();
    let days: Vec<f64> = episodes
        .iter()
        .filter_map(|e| e.days())
        .map(|d| d as f64)
        .collect();
    let mut endings = BTreeMap::new();
    for e in &episodes {
        *endings.entry(e.ending).or_insert(0) += 1;
    }
    let finished: u32 = episodes.iter().map(|e| e.finished_visits).sum();
    let no_shows: u32 = episodes.iter().map(|e| e.no_shows).sum();
    let late: u32 = episodes.iter().map(|e| e.late_cancels).sum();
    let adherence: Vec<f64> = episodes
        .iter()
        .flat_map(|e| e.adherence.iter().copied())
        .collect();
    let monthly = months
        .iter()
        .map(|m| {
            let of_month: Vec<&&MeasurePair> = complete
                .iter()
                .filter(|(e, _)| e.end_month().as_deref() == Some(m.as_str()))
                .map(|(_, p)| p)
                .collect();
            share(
                of_month.iter().filter(|p| p.mcid_met).count(),
                of_month.len(),
            )
        })
        .collect();
    Figures {
        key,
        episodes: episodes.len(),
        complete_pairs: complete.len(),
        completeness: share(complete.len(), units.len()),
        mcid_met: met,
        mcid_met_share: share(met, complete.len()),
        mcid_met_ci: wilson(met, complete.len()),
        mean_change: if single_measure { mean(&changes) } else { None },
        median_change: if single_measure {
            median(&changes)
        } else {
            None
        },
        change_per_visit: if single_measure {
            mean(&per_visit)
        } else {
            None
        },
        median_visits: median(&visits),
        visits_iqr: quantile(&visits, 0.25).zip(quantile(&visits, 0.75)),
        median_days: median(&days),
        endings,
        no_show_rate: share(no_shows as usize, finished as usize),
        late_cancel_rate: share(late as usize, finished as usize),
        adherence_median: median(&adherence),
        monthly,
        members: seen,
    }
}

fn part(d: Dimension, u: &Unit) -> KeyPart {
    let e = u.episode;
    match d {
        Dimension::Therapist => KeyPart::Therapist(e.therapist_id),
        Dimension::Region => KeyPart::Region(e.region),
        Dimension::Measure => KeyPart::Measure(u.pair.map_or(usize::MAX, |p| p.measure)),
        Dimension::Payer => KeyPart::Payer(e.payer.clone()),
        Dimension::Age => KeyPart::Age(e.age.map(age_band)),
        Dimension::Month => KeyPart::Month(e.end_month().unwrap_or_default()),
    }
}

/// The clinic's figures in the scope: the whole (key empty) and each group, in key order.
pub struct Table {
    pub total: Figures,
    pub groups: Vec<Figures>,
}

/// The units of the scope: by measure (grouped or chosen) one per pair, else one per episode
/// with its primary pair.
fn units<'a>(
    episodes: &'a [Episode],
    defs: &[MeasureDef],
    scope: &Scope,
    by_measure: bool,
) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    for (index, episode) in episodes.iter().enumerate() {
        if !scope.holds(episode) {
            continue;
        }
        if let Some(m) = scope.measure {
            if let Some(pair) = episode.pair(m) {
                out.push(Unit {
                    index,
                    episode,
                    pair: Some(pair),
                });
            }
        } else if by_measure {
            out.extend(episode.pairs.iter().map(|p| Unit {
                index,
                episode,
                pair: Some(p),
            }));
        } else {
            out.push(Unit {
                index,
                episode,
                pair: primary_pair(episode, defs),
            });
        }
    }
    out
}

/// The table of `grouping` (none, one or two dimensions) over the episodes in `scope`.
pub fn table(
    episodes: &[Episode],
    defs: &[MeasureDef],
    scope: &Scope,
    grouping: &[Dimension],
) -> Table {
    let by_measure = grouping.contains(&Dimension::Measure);
    let all = units(episodes, defs, scope, by_measure);
    let single = scope.measure.is_some();
    let months = months(scope.from, scope.to);
    // The whole counts each episode once, by its primary pair (or the chosen measure's).
    let whole = if by_measure && !single {
        units(episodes, defs, scope, false)
    } else {
        all.clone()
    };
    let total = figures(Vec::new(), &whole, single, &months);
    let mut grouped: BTreeMap<Vec<KeyPart>, Vec<Unit>> = BTreeMap::new();
    if !grouping.is_empty() {
        for u in &all {
            let key = grouping.iter().map(|d| part(*d, u)).collect();
            grouped.entry(key).or_default().push(*u);
        }
    }
    let groups = grouped
        .into_iter()
        .map(|(key, units)| figures(key, &units, single || by_measure, &months))
        .collect();
    Table { total, groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::VisitKind;
    use crate::domain::measures::MEASURES;
    use crate::domain::no_show::Attendance;
    use crate::domain::outcomes::episodes::{
        OutcomePoint, OutcomeVisit, PatientOutcomeInput, episodes_of,
    };

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A finished knee episode of therapist `t` with LEFS going from `a` to `b` and NPRS
    /// from 6 to 2, discharged on `end`.
    fn knee(id: i64, t: i64, a: f64, b: f64, end: &str) -> Episode {
        let visit = |n: i64, day: NaiveDate, kind| OutcomeVisit {
            id: id * 10 + n,
            therapist_id: t,
            day,
            kind,
            attendance: Attendance::Attended,
        };
        let end = d(end);
        let start = end - chrono::Duration::days(28);
        let p = PatientOutcomeInput {
            patient_id: id,
            date_of_birth: Some(d("1960-01-01")),
            region: Some(BodyRegion::Knee),
            visits: vec![
                visit(1, start, VisitKind::Evaluation),
                visit(2, start + chrono::Duration::days(7), VisitKind::Treatment),
                visit(3, end, VisitKind::Discharge),
            ],
            points: vec![
                OutcomePoint {
                    code: "LEFS".into(),
                    date: start,
                    value: a,
                },
                OutcomePoint {
                    code: "LEFS".into(),
                    date: end,
                    value: b,
                },
                OutcomePoint {
                    code: "NPRS".into(),
                    date: start,
                    value: 6.0,
                },
                OutcomePoint {
                    code: "NPRS".into(),
                    date: end,
                    value: 2.0,
                },
            ],
            ..Default::default()
        };
        episodes_of(&p, MEASURES, end).remove(0)
    }

    fn scope() -> Scope {
        Scope {
            from: d("2026-01-01"),
            to: d("2026-03-31"),
            measure: None,
            therapist: None,
        }
    }

    #[test]
    fn groups_split_by_therapist_and_count_primary_pairs() {
        let episodes = vec![
            knee(1, 1, 30.0, 50.0, "2026-01-20"),
            knee(2, 1, 30.0, 33.0, "2026-02-20"),
            knee(3, 2, 40.0, 60.0, "2026-03-10"),
            // Outside the period.
            knee(4, 2, 40.0, 41.0, "2026-04-10"),
        ];
        let t = table(&episodes, MEASURES, &scope(), &[Dimension::Therapist]);
        assert_eq!(t.total.episodes, 3);
        assert_eq!(t.total.complete_pairs, 3, "one primary (LEFS) pair each");
        assert_eq!(t.total.mcid_met, 2);
        assert_eq!(t.total.mean_change, None, "no mean across measures");
        assert_eq!(t.groups.len(), 2);
        assert_eq!(t.groups[0].key, vec![KeyPart::Therapist(1)]);
        assert_eq!(t.groups[0].mcid_met_share, Some(0.5));
        assert_eq!(t.groups[1].mcid_met_share, Some(1.0));
        assert!(t.groups[1].too_small());
        assert_eq!(t.total.monthly, vec![Some(1.0), Some(0.0), Some(1.0)]);
        assert_eq!(t.total.median_visits, Some(3.0));
    }

    #[test]
    fn by_measure_each_pair_counts_and_changes_are_averaged() {
        let episodes = vec![
            knee(1, 1, 30.0, 50.0, "2026-01-20"),
            knee(2, 1, 30.0, 34.0, "2026-02-20"),
        ];
        let t = table(&episodes, MEASURES, &scope(), &[Dimension::Measure]);
        let code = |f: &Figures| match f.key[0] {
            KeyPart::Measure(m) => MEASURES[m].code,
            _ => unreachable!(),
        };
        assert_eq!(
            t.groups.iter().map(code).collect::<Vec<_>>(),
            ["NPRS", "LEFS"]
        );
        let lefs = &t.groups[1];
        assert_eq!(lefs.mean_change, Some(12.0));
        assert_eq!(lefs.median_change, Some(12.0));
        assert_eq!(lefs.mcid_met, 1);
        let nprs = &t.groups[0];
        assert_eq!(nprs.mean_change, Some(4.0));
        assert_eq!(t.total.episodes, 2);
        assert_eq!(
            t.total.complete_pairs, 2,
            "the whole counts each episode once"
        );
    }

    #[test]
    fn an_empty_period_has_no_shares() {
        let t = table(
            &[],
            MEASURES,
            &scope(),
            &[Dimension::Region, Dimension::Age],
        );
        assert_eq!(t.total.episodes, 0);
        assert_eq!(t.total.mcid_met_share, None);
        assert_eq!(t.total.mcid_met_ci, None);
        assert_eq!(t.total.no_show_rate, None);
        assert!(t.groups.is_empty());
    }

    #[test]
    fn groupings_are_parsed_and_refused_in_one_sentence() {
        assert_eq!(
            parse_grouping("therapist,Region"),
            Ok(vec![Dimension::Therapist, Dimension::Region])
        );
        assert!(
            parse_grouping("room")
                .unwrap_err()
                .starts_with("unknown grouping \"room\"")
        );
        assert!(parse_grouping("age,age").is_err());
        assert!(parse_grouping("age,month,payer").is_err());
        assert_eq!(age_band(17), 0);
        assert_eq!(age_band(64), 3);
        assert_eq!(age_band(90), 5);
    }
}

//! The no-show model as the record stores it: fitted on the clinic's own finished visits,
//! measured on the last three months it was not fitted on, refitted on everything for use,
//! and each visit's risk with the reasons that raise it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::VisitRisk;
use super::history::{AgeBand, PatientHistory, TimeBand, VisitFacts, WEEKDAYS, walk};
use super::logistic::{self, LEVELS, NUMBERS, Row};
use super::quality::{self, CalibrationBin};

/// The stored model's layout; a stored model of another version is refitted.
pub const MODEL_VERSION: u32 = 1;
/// Below this many finished visits (attended or missed) there is no model.
pub const MIN_FINISHED_VISITS: usize = 200;
/// Below this many no-shows and late cancellations there is no model.
pub const MIN_MISSED: usize = 10;
/// The top band: this share of the last three months' visits, as the stored model scores them.
pub const TOP_SHARE: f64 = 0.10;
/// The months at the end of the history the model is tested on.
pub const HOLDOUT_MONTHS: u32 = 3;
/// A stored model older than this is refitted.
pub const MAX_AGE_DAYS: i64 = 7;
/// The model fitted before the holdout is tested only with at least this many visits.
const MIN_TEST_FIT: usize = 100;
const MAX_REASONS: usize = 4;
/// A feature raises a visit's log-odds by at least this much to be named (about 5% odds).
const MIN_REASON: f64 = 0.05;
/// A payer with fewer visits than this share (or than 20) counts as "other".
const RARE_PAYER: f64 = 0.02;

pub const OTHER_PAYER: &str = "(other)";
pub const NO_PAYER: &str = "(none)";

/// The numbers, in column order (columns 1 to 5).
pub const NUMBER_FEATURES: [&str; NUMBERS] = [
    "prior_no_shows",
    "prior_late_cancellations",
    "lead_days",
    "days_since_attended",
    "first_visit",
];

/// The categorical features, in column order after the numbers.
pub const LEVEL_FEATURES: [&str; LEVELS] = ["weekday", "time_of_day", "age", "payer"];

const WEEKDAY_AT: usize = 1 + NUMBERS;
const TIME_AT: usize = WEEKDAY_AT + 7;
const AGE_AT: usize = TIME_AT + 4;
const PAYER_AT: usize = AGE_AT + 6;

/// The stored model: when and on what it was fitted, how well it did, and its coefficients
/// (None when the record has too little history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoShowModel {
    pub version: u32,
    /// Local time, `YYYY-MM-DDTHH:MM:SS`.
    pub fitted_at: String,
    /// The first and last days of finished visits it read (`YYYY-MM-DD`).
    pub history_from: Option<String>,
    pub history_through: String,
    pub counts: Counts,
    pub fit: Option<Fit>,
    /// Why there is no fit, in one sentence.
    pub no_model: Option<String>,
    pub quality: Option<Quality>,
    /// Why the model could not be tested ("the test months hold no missed visit ...").
    pub no_quality: Option<String>,
}

/// The finished visits of the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub finished_visits: usize,
    pub attended: usize,
    pub no_shows: usize,
    pub late_cancellations: usize,
}

/// The coefficients of the model in use (fitted on every finished visit) and its top band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub intercept: f64,
    pub numbers: Vec<NumberColumn>,
    pub levels: Vec<LevelColumn>,
    pub lambda: f64,
    pub iterations: usize,
    pub visits: usize,
    pub missed: usize,
    /// A visit is in the top band from this probability on.
    pub threshold: f64,
    pub threshold_rule: String,
}

/// A number, standardised: (value − mean) / sd. A missing value counts as the mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberColumn {
    pub feature: String,
    pub mean: f64,
    pub sd: f64,
    pub coefficient: f64,
}

/// One level of a categorical feature, with its share of the visits fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelColumn {
    pub feature: String,
    pub level: String,
    pub share: f64,
    pub coefficient: f64,
}

/// The model fitted on the visits before `holdout_from`, tested on those from it to
/// `holdout_to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub holdout_from: String,
    pub holdout_to: String,
    pub fit_visits: usize,
    pub fit_missed: usize,
    pub visits: usize,
    pub missed: usize,
    pub auc: f64,
    pub calibration: Vec<CalibrationBin>,
    /// The share missed among the holdout's top tenth by predicted risk.
    pub top_band_observed: f64,
}

impl NoShowModel {
    /// The day it was fitted.
    pub fn fitted_on(&self) -> Option<NaiveDate> {
        self.fitted_at.get(..10).and_then(crate::domain::parse_day)
    }

    /// Whether it may serve `today`: this layout, fitted at most [`MAX_AGE_DAYS`] days ago
    /// (and not on a later day: a clock set back means another history).
    pub fn is_fresh(&self, today: NaiveDate) -> bool {
        self.version == MODEL_VERSION
            && self.fit.as_ref().is_none_or(Fit::is_well_formed)
            && self
                .fitted_on()
                .is_some_and(|d| d <= today && (today - d).num_days() <= MAX_AGE_DAYS)
    }
}

/// A visit as the fit reads it: raw numbers (NaN when missing) and level indexes.
#[derive(Debug, Clone, Copy)]
struct Sample {
    day: NaiveDate,
    raw: [f64; NUMBERS],
    weekday: u8,
    time: u8,
    age: u8,
    payer: u32,
    missed: bool,
}

fn raw_numbers(f: &VisitFacts) -> [f64; NUMBERS] {
    [
        f64::from(f.no_shows.min(5)),
        f64::from(f.late_cancels.min(5)),
        f.lead_days
            .map_or(f64::NAN, |d| (d.clamp(0, 365) as f64).ln_1p()),
        f.days_since_attended
            .map_or(f64::NAN, |d| (d.clamp(0, 730) as f64).ln_1p()),
        f64::from(u8::from(f.first_visit)),
    ]
}

/// The numbers in standard units, a missing one (NaN) at its mean: `scale` gives each one's
/// mean and sd.
fn standardise(raw: [f64; NUMBERS], scale: impl Fn(usize) -> (f64, f64)) -> [f64; NUMBERS] {
    std::array::from_fn(|k| {
        let (mean, sd) = scale(k);
        let x = if raw[k].is_nan() { mean } else { raw[k] };
        (x - mean) / sd
    })
}

/// A payer as the model groups it: trimmed, and "(none)" for none.
fn payer_key(payer: Option<&str>) -> &str {
    match payer.map(str::trim) {
        Some(p) if !p.is_empty() => p,
        _ => NO_PAYER,
    }
}

/// Columns and scaling learnt from the visits a model is fitted on.
struct Layout {
    mean: [f64; NUMBERS],
    sd: [f64; NUMBERS],
    /// The payer levels in column order ("(other)" last), and each payer index's column.
    payer_levels: Vec<String>,
    payer_column: Vec<u16>,
    shares: Vec<f64>,
}

impl Layout {
    fn learn(samples: &[&Sample], payer_names: &[String]) -> Layout {
        let n = samples.len().max(1) as f64;
        let mut mean = [0.0; NUMBERS];
        let mut sd = [1.0; NUMBERS];
        for k in 0..NUMBERS {
            let (mut sum, mut seen) = (0.0, 0usize);
            for s in samples {
                if !s.raw[k].is_nan() {
                    sum += s.raw[k];
                    seen += 1;
                }
            }
            mean[k] = if seen > 0 { sum / seen as f64 } else { 0.0 };
            let mut sq = 0.0;
            for s in samples {
                if !s.raw[k].is_nan() {
                    sq += (s.raw[k] - mean[k]).powi(2);
                }
            }
            let v = (sq / n).sqrt();
            sd[k] = if v > 1e-9 { v } else { 1.0 };
        }
        let mut per_payer = vec![0usize; payer_names.len()];
        for s in samples {
            per_payer[s.payer as usize] += 1;
        }
        let mut kept: Vec<&String> = payer_names
            .iter()
            .zip(&per_payer)
            .filter(|(name, count)| {
                name.as_str() != OTHER_PAYER && **count >= 20 && **count as f64 >= RARE_PAYER * n
            })
            .map(|(name, _)| name)
            .collect();
        kept.sort();
        let mut payer_levels: Vec<String> = kept.into_iter().cloned().collect();
        payer_levels.push(OTHER_PAYER.to_string());
        let other = payer_levels.len() - 1;
        let payer_column = payer_names
            .iter()
            .map(|name| {
                let at = payer_levels[..other]
                    .iter()
                    .position(|l| l == name)
                    .unwrap_or(other);
                (PAYER_AT + at) as u16
            })
            .collect();
        let mut layout = Layout {
            mean,
            sd,
            payer_levels,
            payer_column,
            shares: Vec::new(),
        };
        let columns = layout.columns();
        let mut counts = vec![0usize; columns];
        for s in samples {
            for c in layout.encode(s).levels {
                counts[usize::from(c)] += 1;
            }
        }
        layout.shares = counts.iter().map(|c| *c as f64 / n).collect();
        layout
    }

    fn columns(&self) -> usize {
        PAYER_AT + self.payer_levels.len()
    }

    fn encode(&self, s: &Sample) -> Row {
        Row {
            numbers: standardise(s.raw, |k| (self.mean[k], self.sd[k])),
            levels: [
                (WEEKDAY_AT + usize::from(s.weekday)) as u16,
                (TIME_AT + usize::from(s.time)) as u16,
                (AGE_AT + usize::from(s.age)) as u16,
                self.payer_column[s.payer as usize],
            ],
        }
    }

    /// The fit of these samples, in the stored form.
    fn fit(&self, samples: &[&Sample]) -> Fit {
        let rows: Vec<Row> = samples.iter().map(|s| self.encode(s)).collect();
        let missed: Vec<bool> = samples.iter().map(|s| s.missed).collect();
        let c = logistic::fit(&rows, &missed, self.columns());
        let numbers = (0..NUMBERS)
            .map(|k| NumberColumn {
                feature: NUMBER_FEATURES[k].to_string(),
                mean: self.mean[k],
                sd: self.sd[k],
                coefficient: c.beta[1 + k],
            })
            .collect();
        let mut levels = Vec::with_capacity(self.columns() - WEEKDAY_AT);
        let mut level = |feature: &str, name: &str, col: usize| {
            levels.push(LevelColumn {
                feature: feature.to_string(),
                level: name.to_string(),
                share: self.shares[col],
                coefficient: c.beta[col],
            });
        };
        for (i, w) in WEEKDAYS.iter().enumerate() {
            level(LEVEL_FEATURES[0], w, WEEKDAY_AT + i);
        }
        for (i, t) in TimeBand::ALL.iter().enumerate() {
            level(LEVEL_FEATURES[1], t.as_str(), TIME_AT + i);
        }
        for (i, a) in AgeBand::ALL.iter().enumerate() {
            level(LEVEL_FEATURES[2], a.as_str(), AGE_AT + i);
        }
        for (i, p) in self.payer_levels.iter().enumerate() {
            level(LEVEL_FEATURES[3], p, PAYER_AT + i);
        }
        Fit {
            intercept: c.beta[0],
            numbers,
            levels,
            lambda: logistic::LAMBDA,
            iterations: c.iterations,
            visits: samples.len(),
            missed: missed.iter().filter(|m| **m).count(),
            threshold: 1.0,
            threshold_rule: String::new(),
        }
    }
}

/// Fits the model on every finished visit before `today` (their histories in patient order),
/// tests a model fitted before the last three months on them, and sets the top band.
pub fn fit_model(histories: &[PatientHistory], today: NaiveDate, fitted_at: &str) -> NoShowModel {
    let mut payer_names: Vec<String> = Vec::new();
    let mut payer_index: std::collections::HashMap<String, u32> = Default::default();
    let mut samples: Vec<Sample> = Vec::new();
    let mut counts = Counts::default();
    for h in histories {
        let key = payer_key(h.payer.as_deref());
        let payer = match payer_index.get(key) {
            Some(i) => *i,
            None => {
                payer_names.push(key.to_string());
                let i = (payer_names.len() - 1) as u32;
                payer_index.insert(key.to_string(), i);
                i
            }
        };
        walk(h, |v, prior| {
            let day = v.start.date();
            if !v.attendance.finished() || day >= today {
                return;
            }
            let facts = VisitFacts::of(v, prior, h.date_of_birth);
            match v.attendance {
                super::Attendance::NoShow => counts.no_shows += 1,
                super::Attendance::LateCancel => counts.late_cancellations += 1,
                _ => counts.attended += 1,
            }
            samples.push(Sample {
                day,
                raw: raw_numbers(&facts),
                weekday: facts.weekday() as u8,
                time: facts.time_band() as u8,
                age: facts.age_band() as u8,
                payer,
                missed: v.attendance.missed(),
            });
        });
    }
    counts.finished_visits = samples.len();
    let through = today.pred_opt().unwrap_or(today);
    let first = samples.iter().map(|s| s.day).min();
    let mut model = NoShowModel {
        version: MODEL_VERSION,
        fitted_at: fitted_at.to_string(),
        history_from: first.map(|d| d.to_string()),
        history_through: through.to_string(),
        counts,
        fit: None,
        no_model: None,
        quality: None,
        no_quality: None,
    };
    let missed = counts.no_shows + counts.late_cancellations;
    if counts.finished_visits < MIN_FINISHED_VISITS || missed < MIN_MISSED {
        let why = format!(
            "there is no no-show model yet: it needs at least {MIN_FINISHED_VISITS} finished visits with at least {MIN_MISSED} no-shows or late cancellations, and the record has {} with {missed}",
            counts.finished_visits
        );
        model.no_model = Some(why.clone());
        model.no_quality = Some(why);
        return model;
    }
    let first = first.unwrap_or(through);
    let holdout_from = holdout_start(first, through, today);
    let all: Vec<&Sample> = samples.iter().collect();
    let (before, after): (Vec<&Sample>, Vec<&Sample>) =
        all.iter().partition(|s| s.day < holdout_from);
    match test(&before, &after, &payer_names) {
        Ok(mut q) => {
            q.holdout_from = holdout_from.to_string();
            q.holdout_to = through.to_string();
            model.quality = Some(q);
        }
        Err(why) => model.no_quality = Some(why),
    }
    let layout = Layout::learn(&all, &payer_names);
    let mut fit = layout.fit(&all);
    let scored = if after.is_empty() { &all } else { &after };
    let mut risks: Vec<f64> = scored
        .iter()
        .map(|s| logistic::sigmoid(eta_of(&fit, &layout.encode(s))))
        .collect();
    risks.sort_by(|a, b| b.total_cmp(a));
    let top = ((risks.len() as f64 * TOP_SHARE).ceil() as usize).clamp(1, risks.len());
    fit.threshold = risks[top - 1];
    fit.threshold_rule = format!(
        "the lowest risk among the top {:.0}% of the {} finished visits from {} to {through}, as this model scores them",
        TOP_SHARE * 100.0,
        risks.len(),
        if after.is_empty() {
            first
        } else {
            holdout_from
        },
    );
    model.fit = Some(fit);
    model
}

/// The last three months before `today`, or the later half of the history when it is shorter
/// than six months (so that the model tested has as much history behind it as it is tested on).
fn holdout_start(first: NaiveDate, through: NaiveDate, today: NaiveDate) -> NaiveDate {
    let three = today
        .checked_sub_months(Months::new(HOLDOUT_MONTHS))
        .unwrap_or(first);
    let half = first + chrono::Duration::days(((through - first).num_days() + 1) / 2);
    three.max(half)
}

/// The model fitted on `before`, tested on `after`.
fn test(before: &[&Sample], after: &[&Sample], payer_names: &[String]) -> Result<Quality, String> {
    let fit_missed = before.iter().filter(|s| s.missed).count();
    if before.len() < MIN_TEST_FIT || fit_missed < 5 {
        return Err(format!(
            "the history before the test months has {} finished visits with {fit_missed} missed, and a test needs {MIN_TEST_FIT} with 5",
            before.len()
        ));
    }
    let layout = Layout::learn(before, payer_names);
    let fit = layout.fit(before);
    let scores: Vec<f64> = after
        .iter()
        .map(|s| logistic::sigmoid(eta_of(&fit, &layout.encode(s))))
        .collect();
    let missed: Vec<bool> = after.iter().map(|s| s.missed).collect();
    let auc = quality::auc(&scores, &missed)
        .ok_or_else(|| "the test months hold no missed visit or no attended one".to_string())?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let top = ((scores.len() as f64 * TOP_SHARE).ceil() as usize).clamp(1, scores.len());
    let top_band_observed = order[..top].iter().filter(|&&k| missed[k]).count() as f64 / top as f64;
    Ok(Quality {
        holdout_from: String::new(),
        holdout_to: String::new(),
        fit_visits: before.len(),
        fit_missed,
        visits: after.len(),
        missed: missed.iter().filter(|m| **m).count(),
        auc,
        calibration: quality::calibration(&scores, &missed),
        top_band_observed,
    })
}

fn eta_of(fit: &Fit, row: &Row) -> f64 {
    let mut eta = fit.intercept;
    for (k, x) in row.numbers.iter().enumerate() {
        eta += fit.numbers[k].coefficient * x;
    }
    for &c in &row.levels {
        eta += fit.levels[usize::from(c) - WEEKDAY_AT].coefficient;
    }
    eta
}

/// One feature's pull on a visit's log-odds against the clinic's average, with its words.
struct Pull {
    by: f64,
    words: String,
}

impl Fit {
    /// The layout this code reads: the numbers and levels in their order, a payer "(other)".
    pub fn is_well_formed(&self) -> bool {
        let numbers = self
            .numbers
            .iter()
            .map(|n| n.feature.as_str())
            .eq(NUMBER_FEATURES);
        let fixed = WEEKDAYS
            .iter()
            .map(|w| (LEVEL_FEATURES[0], *w))
            .chain(
                TimeBand::ALL
                    .iter()
                    .map(|t| (LEVEL_FEATURES[1], t.as_str())),
            )
            .chain(AgeBand::ALL.iter().map(|a| (LEVEL_FEATURES[2], a.as_str())));
        let levels_fixed = self
            .levels
            .iter()
            .take(PAYER_AT - WEEKDAY_AT)
            .map(|l| (l.feature.as_str(), l.level.as_str()))
            .eq(fixed);
        let payers = &self.levels[(PAYER_AT - WEEKDAY_AT).min(self.levels.len())..];
        numbers
            && levels_fixed
            && payers.iter().all(|l| l.feature == LEVEL_FEATURES[3])
            && payers.last().is_some_and(|l| l.level == OTHER_PAYER)
            && self.numbers.iter().all(|n| n.sd > 0.0)
    }

    fn payer_column(&self, payer: Option<&str>) -> usize {
        let key = payer_key(payer);
        let payers = &self.levels[PAYER_AT - WEEKDAY_AT..];
        let at = payers[..payers.len() - 1]
            .iter()
            .position(|l| l.level == key)
            .unwrap_or(payers.len() - 1);
        PAYER_AT + at
    }

    fn row(&self, facts: &VisitFacts, payer: Option<&str>) -> Row {
        Row {
            numbers: standardise(raw_numbers(facts), |k| {
                (self.numbers[k].mean, self.numbers[k].sd)
            }),
            levels: [
                (WEEKDAY_AT + facts.weekday()) as u16,
                (TIME_AT + facts.time_band()) as u16,
                (AGE_AT + facts.age_band()) as u16,
                self.payer_column(payer) as u16,
            ],
        }
    }

    /// The probability of a no-show or late cancellation.
    pub fn probability(&self, facts: &VisitFacts, payer: Option<&str>) -> f64 {
        logistic::sigmoid(eta_of(self, &self.row(facts, payer)))
    }

    /// The level's pull against the average level of its feature.
    fn level_pull(&self, column: usize) -> f64 {
        let l = &self.levels[column - WEEKDAY_AT];
        let mean: f64 = self
            .levels
            .iter()
            .filter(|o| o.feature == l.feature)
            .map(|o| o.share * o.coefficient)
            .sum();
        l.coefficient - mean
    }

    /// The visit's risk, whether it is in the top band, and what raises it most.
    pub fn risk(&self, facts: &VisitFacts, payer: Option<&str>) -> VisitRisk {
        let row = self.row(facts, payer);
        let probability = logistic::sigmoid(eta_of(self, &row));
        let mut pulls: Vec<Pull> = Vec::new();
        let number = |k: usize| self.numbers[k].coefficient * row.numbers[k];
        let plural = |n: u32, one: &str, many: &str| match n {
            0 => format!("no {many}"),
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        pulls.push(Pull {
            by: number(0),
            words: format!(
                "{} in the last 12 months",
                plural(facts.no_shows, "no-show", "no-shows")
            ),
        });
        pulls.push(Pull {
            by: number(1),
            words: format!(
                "{} in the last 12 months",
                plural(
                    facts.late_cancels,
                    "late cancellation",
                    "late cancellations"
                )
            ),
        });
        if let Some(d) = facts.lead_days {
            pulls.push(Pull {
                by: number(2),
                words: match d {
                    0 => "booked the same day".to_string(),
                    1 => "booked 1 day ahead".to_string(),
                    d => format!("booked {d} days ahead"),
                },
            });
        }
        if let Some(d) = facts.days_since_attended {
            pulls.push(Pull {
                by: number(3),
                words: match d {
                    0 => "last attended earlier the same day".to_string(),
                    1 => "last attended the day before".to_string(),
                    d => format!("last attended {d} days before"),
                },
            });
        }
        pulls.push(Pull {
            by: number(4),
            words: if facts.first_visit {
                "first visit".to_string()
            } else {
                "a follow-up visit".to_string()
            },
        });
        // The day and the time read best together ("Monday 8:00") when both raise the risk.
        let day = self.level_pull(row.levels[0].into());
        let time = self.level_pull(row.levels[1].into());
        let weekday = WEEKDAYS[facts.weekday()];
        let clock = facts.start.format("%-H:%M");
        if day >= MIN_REASON && time >= MIN_REASON {
            pulls.push(Pull {
                by: day + time,
                words: format!("{weekday} {clock}"),
            });
        } else {
            pulls.push(Pull {
                by: day,
                words: format!("on a {weekday}"),
            });
            pulls.push(Pull {
                by: time,
                words: format!("at {clock}"),
            });
        }
        let age = AgeBand::ALL[facts.age_band()];
        pulls.push(Pull {
            by: self.level_pull(row.levels[2].into()),
            words: match age {
                AgeBand::Unknown => "no date of birth on file".to_string(),
                a => format!("aged {}", a.as_str()),
            },
        });
        let payer_col = usize::from(row.levels[3]);
        pulls.push(Pull {
            by: self.level_pull(payer_col),
            words: match self.levels[payer_col - WEEKDAY_AT].level.as_str() {
                OTHER_PAYER => "an uncommon payer".to_string(),
                NO_PAYER => "no payer on file".to_string(),
                p => format!("payer {}", crate::sanitize::clean_line(p)),
            },
        });
        pulls.retain(|p| p.by >= MIN_REASON);
        // Strongest first; the stable sort keeps the features' order between equals.
        pulls.sort_by(|a, b| b.by.total_cmp(&a.by));
        VisitRisk {
            probability,
            high: probability >= self.threshold,
            reasons: pulls
                .into_iter()
                .take(MAX_REASONS)
                .map(|p| p.words)
                .collect(),
        }
    }
}

/// The risk of each of `targets` (visit ids) among a patient's visits; the history holds the
/// visits before them (at least the 12 months before, and `attended_before`).
pub fn risks_of(
    fit: &Fit,
    history: &PatientHistory,
    targets: &[i64],
    mut each: impl FnMut(i64, VisitRisk),
) {
    walk(history, |v, prior| {
        if targets.contains(&v.id) {
            let facts = VisitFacts::of(v, prior, history.date_of_birth);
            each(v.id, fit.risk(&facts, history.payer.as_deref()));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::history::{Attendance, HistoryVisit};
    use super::*;
    use crate::domain::VisitKind;
    use chrono::{Datelike, Duration, NaiveDateTime};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn uniform(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A clinic whose patients miss more after a missed visit and on Mondays at 8:00, over
    /// the two years before today.
    fn planted_clinic(patients: usize) -> Vec<PatientHistory> {
        let mut s = 11;
        let first = today() - Duration::days(730);
        (0..patients)
            .map(|p| {
                let mut day = first + Duration::days((uniform(&mut s) * 700.0) as i64);
                let mut visits = Vec::new();
                let mut missed_before = 0;
                for i in 0..14 {
                    let hour = if uniform(&mut s) < 0.3 { 8 } else { 13 };
                    let start = day.and_hms_opt(hour, 0, 0).unwrap();
                    let monday = day.weekday() == chrono::Weekday::Mon;
                    let eta = -2.6
                        + 0.9 * f64::from(missed_before.min(2))
                        + if monday && hour == 8 { 1.2 } else { 0.0 };
                    let attendance = if day >= today() {
                        Attendance::Open
                    } else if uniform(&mut s) < logistic::sigmoid(eta) {
                        missed_before += 1;
                        Attendance::NoShow
                    } else {
                        Attendance::Attended
                    };
                    visits.push(HistoryVisit {
                        id: (p * 100 + i) as i64,
                        start,
                        booked_on: Some(day - Duration::days((uniform(&mut s) * 14.0) as i64)),
                        kind: if i == 0 {
                            VisitKind::Evaluation
                        } else {
                            VisitKind::Treatment
                        },
                        attendance,
                    });
                    day += Duration::days(2 + (uniform(&mut s) * 4.0) as i64);
                }
                PatientHistory {
                    date_of_birth: NaiveDate::from_ymd_opt(1970, 1, 1),
                    payer: Some(if p % 3 == 0 { "Medicaid" } else { "Aetna" }.to_string()),
                    attended_before: None,
                    visits,
                }
            })
            .collect()
    }

    fn fitted() -> NoShowModel {
        fit_model(&planted_clinic(600), today(), "2026-11-27T07:00:00")
    }

    fn level<'a>(fit: &'a Fit, feature: &str, name: &str) -> &'a LevelColumn {
        fit.levels
            .iter()
            .find(|l| l.feature == feature && l.level == name)
            .unwrap()
    }

    #[test]
    fn the_model_finds_the_planted_effects_and_ranks_the_holdout_well() {
        let m = fitted();
        let fit = m.fit.as_ref().expect("a fit");
        assert!(fit.is_well_formed());
        assert!(fit.numbers[0].coefficient > 0.3, "{:?}", fit.numbers[0]);
        assert!(
            level(fit, "weekday", "Monday").coefficient
                > level(fit, "weekday", "Wednesday").coefficient
        );
        let q = m.quality.as_ref().expect("tested");
        assert!(q.auc > 0.6 && q.auc < 1.0, "AUC {}", q.auc);
        assert_eq!(q.holdout_from, "2026-08-27");
        assert_eq!(q.holdout_to, "2026-11-26");
        assert_eq!(
            q.calibration.iter().map(|b| b.count).sum::<usize>(),
            q.visits
        );
        assert!(fit.threshold > 0.0 && fit.threshold < 1.0);
        assert_eq!(
            m.counts.finished_visits,
            m.counts.attended + m.counts.no_shows + m.counts.late_cancellations
        );
        assert_eq!(fit.visits, m.counts.finished_visits);
        assert_eq!(
            fit.levels
                .iter()
                .filter(|l| l.feature == "payer")
                .map(|l| l.level.as_str())
                .collect::<Vec<_>>(),
            vec!["Aetna", "Medicaid", OTHER_PAYER]
        );
    }

    #[test]
    fn the_same_record_gives_the_same_model_bit_for_bit_and_through_json() {
        let a = fitted();
        let b = fitted();
        assert_eq!(a, b);
        let bits = |m: &NoShowModel| {
            let f = m.fit.as_ref().unwrap();
            std::iter::once(f.intercept)
                .chain(f.numbers.iter().map(|n| n.coefficient))
                .chain(f.levels.iter().map(|l| l.coefficient))
                .map(f64::to_bits)
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&a), bits(&b));
        let back: NoShowModel = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(bits(&back), bits(&a));
        assert_eq!(back, a);
    }

    #[test]
    fn too_little_history_gives_no_model_and_says_why() {
        let m = fit_model(&planted_clinic(10), today(), "2026-11-27T07:00:00");
        assert!(m.fit.is_none() && m.quality.is_none());
        let why = m.no_model.unwrap();
        assert!(why.contains("at least 200 finished visits"), "{why}");
    }

    #[test]
    fn a_short_history_is_tested_on_its_later_half() {
        let first = NaiveDate::from_ymd_opt(2026, 9, 4).unwrap();
        let through = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(
            holdout_start(first, through, today()),
            NaiveDate::from_ymd_opt(2026, 10, 16).unwrap()
        );
        let long_ago = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        assert_eq!(
            holdout_start(long_ago, through, today()),
            NaiveDate::from_ymd_opt(2026, 8, 27).unwrap()
        );
    }

    #[test]
    fn freshness_is_seven_days_and_never_a_later_day() {
        let m = fitted();
        assert!(m.is_fresh(today()));
        assert!(m.is_fresh(today() + Duration::days(7)));
        assert!(!m.is_fresh(today() + Duration::days(8)));
        assert!(!m.is_fresh(today() - Duration::days(1)));
        let old = NoShowModel {
            version: MODEL_VERSION + 1,
            ..m
        };
        assert!(!old.is_fresh(today()));
    }

    /// A model whose coefficients are set by hand: prior no-shows, Mondays at 8:00 and one
    /// payer raise the risk, a longer lead lowers it a little.
    fn hand_made() -> Fit {
        let mut m = fitted().fit.unwrap();
        m.intercept = -2.0;
        for n in &mut m.numbers {
            n.coefficient = 0.0;
        }
        m.numbers[0].coefficient = 0.8;
        m.numbers[2].coefficient = -0.1;
        for l in &mut m.levels {
            l.coefficient = 0.0;
        }
        let set = |m: &mut Fit, feature: &str, name: &str, c: f64| {
            m.levels
                .iter_mut()
                .find(|l| l.feature == feature && l.level == name)
                .unwrap()
                .coefficient = c;
        };
        set(&mut m, "weekday", "Monday", 0.4);
        set(&mut m, "time_of_day", "before 9:00", 0.3);
        set(&mut m, "payer", "Medicaid", 0.2);
        m
    }

    fn facts(start: NaiveDateTime, no_shows: u32, lead: i64) -> VisitFacts {
        VisitFacts {
            start,
            no_shows,
            late_cancels: 0,
            lead_days: Some(lead),
            days_since_attended: Some(3),
            first_visit: false,
            age: Some(50),
        }
    }

    #[test]
    fn reasons_name_what_raises_this_visit_strongest_first() {
        let fit = hand_made();
        let monday_8 = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let risky = fit.risk(&facts(monday_8, 3, 0), Some("Medicaid"));
        assert_eq!(
            risky.reasons,
            vec![
                "3 no-shows in the last 12 months",
                "Monday 8:00",
                // A same-day booking is below the average lead, and lead lowers the risk.
                "booked the same day",
                "payer Medicaid",
            ],
            "{risky:?}"
        );
        // Nothing that lowers the risk is named, and a plain visit has no reasons.
        let thursday_2 = monday_8 + Duration::days(3) + Duration::hours(6);
        let plain = fit.risk(&facts(thursday_2, 0, 60), Some("Aetna"));
        assert!(plain.reasons.is_empty(), "{plain:?}");
        assert!(risky.probability > plain.probability);
        // The day alone when the time does not raise it.
        let monday_2 = monday_8 + Duration::hours(6);
        let day_only = fit.risk(&facts(monday_2, 0, 60), None);
        assert_eq!(day_only.reasons, vec!["on a Monday"]);
        // Two fits of the same record give the same reasons.
        let again = hand_made().risk(&facts(monday_8, 3, 0), Some("Medicaid"));
        assert_eq!(again, risky);
    }

    #[test]
    fn the_top_band_starts_at_the_stored_threshold() {
        let mut fit = hand_made();
        let monday_8 = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let f = facts(monday_8, 2, 5);
        let p = fit.probability(&f, None);
        fit.threshold = p;
        assert!(fit.risk(&f, None).high);
        fit.threshold = p + 1e-9;
        assert!(!fit.risk(&f, None).high);
    }
}

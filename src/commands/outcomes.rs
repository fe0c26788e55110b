//! `ptclinic report outcomes [--from D] [--to D] [--by G[,G]] [--measure CODE] [--format F]
//! [--episodes] [--out FILE]`: the clinic's outcomes over a period (by default the 12 months
//! to today), by group, with the quality measures; or, with `--episodes`, one CSV row per
//! finished episode and measure. Opening the figures writes one audit row ("report.outcomes").

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::json;

use crate::cli::OutcomeFormat;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::measures::MeasureDef;
use crate::domain::outcomes::quality::quality;
use crate::domain::outcomes::{Dimension, Episode, Scope, parse_grouping, table};
use crate::error::{AppError, AppResult};
use crate::export::outcomes::{self as render, OutcomeReport};
use crate::sanitize::clean_echo;

/// What a report is asked for.
pub struct OutcomeArgs<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub by: Option<&'a str>,
    pub measure: Option<&'a str>,
    pub format: OutcomeFormat,
    pub episodes: bool,
    pub out: Option<&'a Path>,
}

/// The measure named, as the clinic defines it: one with an MCID.
pub fn measure_index(defs: &[MeasureDef], code: &str) -> AppResult<usize> {
    let with_mcid = || {
        defs.iter()
            .filter(|d| d.mcid.is_some())
            .map(|d| d.code)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match defs
        .iter()
        .position(|d| d.code.eq_ignore_ascii_case(code.trim()))
    {
        Some(i) if defs[i].mcid.is_some() => Ok(i),
        Some(i) => Err(AppError::input(format!(
            "{} has no MCID, so no share can reach it: outcomes cover {}",
            defs[i].code,
            with_mcid()
        ))),
        None => Err(AppError::input(format!(
            "unknown measure \"{}\": outcomes cover {}",
            clean_echo(code),
            with_mcid()
        ))),
    }
}

/// The period checked: not after today, `--from` not after `--to`.
pub fn outcome_period(
    settings: &Settings,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let today = settings.clock.today();
    let (from, to) = super::no_shows::period(settings, from, to, today)?;
    if from > today {
        return Err(AppError::input(format!(
            "the period starts on {from}, after today ({today}): outcomes are of episodes that have ended"
        )));
    }
    Ok((from, to.min(today)))
}

pub fn report(settings: &Settings, args: &OutcomeArgs) -> AppResult<()> {
    super::check_out_folder(args.out)?;
    if args.episodes && args.format != OutcomeFormat::Csv {
        return Err(AppError::input(
            "--episodes writes one row per episode and measure: use it with --format csv",
        ));
    }
    let (from, to) = outcome_period(settings, args.from, args.to)?;
    let grouping: Vec<Dimension> = match args.by {
        Some(text) => parse_grouping(text).map_err(AppError::input)?,
        None => Vec::new(),
    };
    let today = settings.clock.today();
    let mut db = super::open_clinic(settings)?;
    let read = db.outcome_episodes(from, to, today)?;
    let measure = args
        .measure
        .map(|m| measure_index(&read.defs, m))
        .transpose()?;
    let therapists: HashMap<i64, String> =
        db.staff()?.into_iter().map(|s| (s.id, s.name)).collect();
    let scope = Scope {
        from,
        to,
        measure,
        therapist: None,
    };
    let finished: Vec<&Episode> = read.episodes.iter().filter(|e| scope.holds(e)).collect();
    let (text, word) = if args.episodes {
        let mine: Vec<&Episode> = finished
            .iter()
            .copied()
            .filter(|e| measure.is_none_or(|m| e.pair(m).is_some()))
            .collect();
        (
            render::episodes_csv(&mine, &read.defs, &therapists),
            "episodes_csv",
        )
    } else {
        let t = table(&read.episodes, &read.defs, &scope, &grouping);
        let all: Vec<&Episode> = read.episodes.iter().collect();
        let q = quality(&all, from, to);
        let r = OutcomeReport {
            from,
            to,
            grouping: &grouping,
            measure,
            defs: &read.defs,
            table: &t,
            quality: &q,
            therapists: &therapists,
        };
        match args.format {
            OutcomeFormat::Text => (render::text(&r), "text"),
            OutcomeFormat::Markdown => (render::markdown(&r), "markdown"),
            OutcomeFormat::Html => (render::html(&r), "html"),
            OutcomeFormat::Csv => (render::csv(&r), "csv"),
            OutcomeFormat::Json => (format!("{:#}\n", render::json(&r)), "json"),
        }
    };
    let at = crate::clock::stamp(settings.clock.now());
    let mut patients: Vec<i64> = finished.iter().map(|e| e.patient_id).collect();
    patients.sort_unstable();
    patients.dedup();
    super::disclose(args.out, &text, || {
        db.log_patient_list(
            "report.outcomes",
            json!({
                "from": from.to_string(),
                "to": to.to_string(),
                "by": grouping.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                "measure": measure.map(|m| read.defs[m].code),
                "format": word,
                "episodes": finished.len(),
                "patients": if args.episodes { json!(patients) } else { json!(patients.len()) },
                "to_file": args.out.is_some(),
            }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })?;
    if let Some(path) = args.out {
        eprintln!(
            "Wrote the outcome report to {}.",
            crate::sanitize::path_for_message(path)
        );
    }
    Ok(())
}

//! `ptclinic exercises [--search Q] [--region R] [--limit N] [--json]` and
//! `ptclinic export hep --patient MRN [--format text|markdown|html] [--out FILE]`.

use std::path::Path;

use serde_json::json;

use crate::cli::HandoutFormat;
use crate::config::Settings;
use crate::domain::hep::{REGIONS, parse_region, region_label};
use crate::error::{AppError, AppResult};
use crate::export::handout;
use crate::sanitize::clean_line;
use crate::search::exercises::{ExerciseIndex, Via};
use crate::text::fit;

pub fn exercises(
    settings: &Settings,
    search: Option<&str>,
    region: Option<&str>,
    limit: Option<usize>,
    json: bool,
) -> AppResult<()> {
    let region = match region {
        None => None,
        Some(r) => Some(parse_region(r).ok_or_else(|| {
            let known: Vec<&str> = REGIONS.iter().map(|(c, _)| *c).collect();
            AppError::input(format!(
                "there is no region \"{}\": use one of {}",
                crate::sanitize::clean_echo(r),
                known.join(", ")
            ))
        })?),
    };
    if limit == Some(0) {
        return Err(AppError::input("--limit is at least 1"));
    }
    let db = super::open_clinic(settings)?;
    let library = db.exercises()?;
    let index = ExerciseIndex::new(&library);
    let limit = limit.unwrap_or(usize::MAX);
    let hits = index.search(search.unwrap_or(""), region, limit.min(library.len()));
    let shown: Vec<_> = hits.iter().take(limit).collect();
    if json {
        let rows: Vec<serde_json::Value> = shown
            .iter()
            .map(|h| {
                let e = &library[h.index];
                json!({
                    "id": e.id,
                    "name": clean_line(&e.name),
                    "region": e.region,
                    "category": clean_line(&e.category),
                    "equipment": clean_line(&e.equipment),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&rows)
            .map_err(|e| AppError::failure(format!("cannot write JSON: {e}")))?;
        text.push('\n');
        return super::emit(&text);
    }
    if shown.is_empty() {
        eprintln!("No exercise matches.");
        return Ok(());
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{:>5}  {}  {}  {}\n",
        "id",
        fit("exercise", 44),
        fit("region", 11),
        "equipment"
    ));
    for h in shown {
        let e = &library[h.index];
        let name = match h.via {
            Via::Alias(a) => format!("{} ({})", clean_line(&e.name), clean_line(&e.aliases[a])),
            _ => clean_line(&e.name),
        };
        out.push_str(&format!(
            "{:>5}  {}  {}  {}\n",
            e.id,
            fit(&name, 44),
            fit(region_label(&e.region), 11),
            clean_line(&e.equipment)
        ));
    }
    super::emit(&out)
}

pub fn export_handout(
    settings: &Settings,
    mrn: &str,
    format: HandoutFormat,
    out: Option<&Path>,
) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let data = db
        .hep_handout(patient.id, settings.clock.today())?
        .ok_or_else(|| {
            AppError::input(format!(
                "MRN {} has no home exercise program yet: build one in the app (pane 3)",
                crate::sanitize::clean_echo(mrn)
            ))
        })?;
    let (text, name) = match format {
        HandoutFormat::Text => (handout::text(&data), "text"),
        HandoutFormat::Markdown => (handout::markdown(&data), "markdown"),
        HandoutFormat::Html => (handout::html(&data), "html"),
    };
    let at = crate::clock::stamp(settings.clock.now());
    super::disclose(out, &text, || {
        db.log_opened(
            patient.id,
            "export.hep",
            json!({
                "format": name,
                "version": data.version_no,
                "exercises": data.items.len(),
                "to": if out.is_some() { "file" } else { "stdout" },
            }),
            crate::db::Who {
                user: &settings.user,
                at: &at,
            },
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote the home exercise handout ({} exercises, version {}) to {}.",
            data.items.len(),
            data.version_no,
            crate::sanitize::path_for_message(path)
        );
    }
    Ok(())
}

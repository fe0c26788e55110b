//! `ptclinic report discharge`: a discharged patient's summary as text, Markdown, HTML or JSON,
//! drawn the way the progress report is (its cleaning, escaping, tables and style). Printing it
//! opens the patient's record, so it is audited ("report.discharge") once it is written.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::report::{
    CSS, MEASURE_HEAD, format_word, goals_html, goals_json, goals_markdown, goals_text, md,
    trend_rows,
};
use crate::cli::ReportFormat;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::age_on;
use crate::domain::discharge::DischargeSummary;
use crate::domain::measures::Better;
use crate::domain::progress::MeasureStatus;
use crate::error::{AppError, AppResult};
use crate::sanitize::html as esc;
use crate::sanitize::{clean_line, clean_text};

pub fn run(
    settings: &Settings,
    mrn: &str,
    format: ReportFormat,
    out: Option<&Path>,
) -> AppResult<()> {
    super::check_out_folder(out)?;
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let summary = db.discharge_summary(patient.id)?.ok_or_else(|| {
        AppError::input(format!(
            "MRN {} has not been discharged: a therapist records it first (ptclinic discharge --patient {} --reason …)",
            clean_line(&patient.mrn),
            clean_line(&patient.mrn)
        ))
    })?;
    let text = match format {
        ReportFormat::Text => text(&summary),
        ReportFormat::Markdown => markdown(&summary),
        ReportFormat::Html => html(&summary),
        ReportFormat::Json => format!("{:#}\n", to_json(&summary)),
    };
    let at = crate::clock::stamp(settings.clock.now());
    super::disclose(out, &text, || {
        db.log_opened(
            patient.id,
            "report.discharge",
            json!({ "format": format_word(format), "to_file": out.is_some() }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote the discharge summary for MRN {} to {}.",
            clean_line(&patient.mrn),
            crate::sanitize::path_for_message(path)
        );
    }
    Ok(())
}

fn ymd(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The summary as JSON: `{patient, episode, visits, measures, goals, home_program, reason,
/// note, therapist}`.
pub fn to_json(s: &DischargeSummary) -> Value {
    let pt = &s.patient;
    let d = &s.discharge;
    let plan = &s.goals.plan;
    let (met, total) = s.goals_met();
    json!({
        "patient": {
            "mrn": clean_line(&pt.mrn),
            "name": clean_line(&pt.full_name()),
            "date_of_birth": ymd(pt.date_of_birth),
            "age": age_on(pt.date_of_birth, d.discharged_on),
            "payer": pt.payer.as_deref().map(clean_line),
            "diagnosis_code": pt.diagnosis_code.as_deref().map(clean_line),
            "diagnosis": pt.diagnosis.as_deref().map(clean_line),
        },
        "episode": {
            "evaluation": s.evaluation.map(ymd),
            "discharged": ymd(d.discharged_on),
            "days": s.evaluation.map(|e| (d.discharged_on - e).num_days() + 1),
            "plan_of_care": {
                "id": plan.id,
                "starts_on": ymd(plan.starts_on),
                "ends_on": ymd(plan.ends_on),
                "frequency": plan.frequency(),
                "physician": plan.physician.as_deref().map(clean_line),
                "certified_on": plan.certified_on.map(ymd),
            },
        },
        "visits": {
            "attended": s.visits.attended,
            "missed": s.visits.missed(),
            "no_shows": s.visits.no_shows,
            "late_cancellations": s.visits.late_cancellations,
            "other_cancellations": s.visits.other_cancellations,
        },
        "measures": s.measures.iter().map(|m| json!({
            "code": m.def.code,
            "name": clean_line(&m.title()),
            "unit": m.def.unit,
            "better": match m.def.better { Better::Higher => "higher", Better::Lower => "lower" },
            "mcid": m.def.mcid,
            "initial": m.initial,
            "initial_on": m.points.first().map(|p| ymd(p.date)),
            "final": m.latest,
            "final_on": m.points.last().map(|p| ymd(p.date)),
            "change": m.change_shown(),
            "mcid_met": m.status.mcid_met(),
            "mcid_status": m.status.mcid_status(),
        })).collect::<Vec<_>>(),
        "goals": goals_json(Some(&s.goals)),
        "goals_met": met,
        "goals_total": total,
        "home_program": s.program.as_ref().map(|p| json!({
            "version": p.version_no,
            "saved_on": ymd(p.saved_on),
            "exercises": p.items.iter().map(|i| json!({
                "name": clean_line(&i.name),
                "dosage": i.dosage.plain(),
                "sets": i.dosage.sets,
                "reps": i.dosage.reps,
                "hold_seconds": i.dosage.hold_seconds,
                "times_per_day": i.dosage.times_per_day,
                "days_per_week": i.dosage.days_per_week,
                "side": i.dosage.side.map(|s| s.as_str()),
                "load": i.dosage.load.as_deref().map(clean_line),
                "note": i.note.as_deref().map(clean_line),
            })).collect::<Vec<_>>(),
        })),
        "reason": d.reason.as_str(),
        "reason_text": clean_line(&d.reason_text()),
        "note": d.note.as_deref().map(clean_text),
        "therapist": clean_line(&d.signed_as),
        "recorded_at": d.at,
    })
}

/// Lines of facts shared by the text, Markdown and HTML forms: (label, value).
fn facts(s: &DischargeSummary) -> Vec<(&'static str, String)> {
    let pt = &s.patient;
    let d = &s.discharge;
    let plan = &s.goals.plan;
    let v = &s.visits;
    let (met, total) = s.goals_met();
    let plural = |n: u32, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut out = super::report::patient_facts(pt, d.discharged_on);
    out.extend([
        (
            "Episode",
            match s.evaluation {
                Some(e) => format!(
                    "evaluation {} to discharge {} ({} days)",
                    ymd(e),
                    ymd(d.discharged_on),
                    (d.discharged_on - e).num_days() + 1
                ),
                None => format!("no evaluation on file; discharge {}", ymd(d.discharged_on)),
            },
        ),
        (
            "Plan of care",
            format!(
                "{} to {} ({}){}",
                ymd(plan.starts_on),
                ymd(plan.ends_on),
                plan.frequency(),
                match (&plan.physician, plan.certified_on) {
                    (Some(p), Some(on)) =>
                        format!(", certified by {} on {}", clean_line(p), ymd(on)),
                    (_, None) => ", not certified".to_string(),
                    (None, Some(on)) => format!(", certified on {}", ymd(on)),
                }
            ),
        ),
        (
            "Visits",
            format!(
                "{} attended; {} missed ({}, {}){}",
                v.attended,
                v.missed(),
                plural(v.no_shows, "no-show", "no-shows"),
                plural(
                    v.late_cancellations,
                    "late cancellation",
                    "late cancellations"
                ),
                if v.other_cancellations > 0 {
                    format!("; {} cancelled ahead", v.other_cancellations)
                } else {
                    String::new()
                }
            ),
        ),
        ("Goals met", format!("{met} of {total}")),
        ("Reason", clean_line(&d.reason_text())),
        ("Therapist", clean_line(&d.signed_as)),
        ("Recorded", d.at.replacen('T', " ", 1)),
    ]);
    out
}

/// The home program's lines: (exercise, dosage in plain words, note).
fn program_rows(s: &DischargeSummary) -> Vec<[String; 3]> {
    s.program
        .iter()
        .flat_map(|p| p.items.iter())
        .map(|i| {
            [
                clean_line(&i.name),
                i.dosage.plain(),
                i.note.as_deref().map(clean_line).unwrap_or_default(),
            ]
        })
        .collect()
}

fn program_heading(s: &DischargeSummary) -> String {
    match &s.program {
        Some(p) => format!(
            "Home program at discharge (version {}, saved {})",
            p.version_no,
            ymd(p.saved_on)
        ),
        None => "Home program at discharge".to_string(),
    }
}

fn title(s: &DischargeSummary) -> String {
    format!(
        "Discharge summary, {}",
        s.discharge.discharged_on.format("%-d %B %Y")
    )
}

pub fn text(s: &DischargeSummary) -> String {
    let mut out = format!("{}\n\n", title(s));
    for (k, v) in facts(s) {
        let _ = writeln!(out, "{:<15}{v}", format!("{k}:"));
    }
    out.push_str("\nOutcome measures (initial → final):\n");
    if s.measures.is_empty() {
        out.push_str("  none recorded\n");
    }
    for r in trend_rows(&s.measures) {
        let _ = writeln!(
            out,
            "  {}\n    {} → {}  change {}  {}  ({})",
            r[0], r[1], r[2], r[3], r[4], r[5]
        );
    }
    goals_text(&mut out, Some(&s.goals));
    let _ = writeln!(out, "\n{}:", program_heading(s));
    let rows = program_rows(s);
    if rows.is_empty() {
        out.push_str("  none saved\n");
    }
    for r in rows {
        let _ = writeln!(
            out,
            "  {}: {}{}",
            r[0],
            r[1],
            if r[2].is_empty() {
                String::new()
            } else {
                format!(" ({})", r[2])
            }
        );
    }
    if let Some(note) = s.discharge.note.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push_str("\nNote:\n");
        for line in clean_text(note).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

pub fn markdown(s: &DischargeSummary) -> String {
    let mut out = format!(
        "# Discharge summary: {}\n\nDischarged {}.\n\n",
        md(&s.patient.full_name()),
        s.discharge.discharged_on.format("%-d %B %Y")
    );
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in facts(s) {
        let _ = writeln!(out, "| {k} | {} |", md(&v));
    }
    out.push_str("\n## Outcome measures\n\n");
    if s.measures.is_empty() {
        out.push_str("None recorded.\n");
    } else {
        let head = MEASURE_HEAD.map(|h| if h == "Latest" { "Final" } else { h });
        let _ = writeln!(out, "| {} |", head.join(" | "));
        out.push_str("|---|---:|---:|---:|---|---|\n");
        for r in trend_rows(&s.measures) {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    goals_markdown(&mut out, Some(&s.goals));
    let _ = writeln!(out, "\n## {}\n", md(&program_heading(s)));
    let rows = program_rows(s);
    if rows.is_empty() {
        out.push_str("None saved.\n");
    } else {
        out.push_str("| Exercise | Dosage | Note |\n|---|---|---|\n");
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    if let Some(note) = s.discharge.note.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push_str("\n## Note\n\n");
        for line in clean_text(note).lines() {
            let _ = writeln!(out, "> {}", md(line));
        }
    }
    out
}

pub fn html(s: &DischargeSummary) -> String {
    let name = esc(&clean_line(&s.patient.full_name()));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Discharge summary: {name}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>Discharge summary: {name}</h1>\n<p>Discharged {}.</p>\n<table>\n",
        s.discharge.discharged_on.format("%-d %B %Y")
    );
    for (k, v) in facts(s) {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(&v)
        );
    }
    out.push_str("</table>\n<h2>Outcome measures</h2>\n");
    if s.measures.is_empty() {
        out.push_str("<p>None recorded.</p>\n");
    } else {
        out.push_str("<table>\n<tr>");
        for h in MEASURE_HEAD.map(|h| if h == "Latest" { "Final" } else { h }) {
            let _ = write!(out, "<th>{}</th>", esc(h));
        }
        out.push_str("</tr>\n");
        for (m, r) in s.measures.iter().zip(trend_rows(&s.measures)) {
            let class = match m.status {
                MeasureStatus::Met => " class=\"met\"",
                MeasureStatus::Worse => " class=\"worse\"",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td{class}>{}</td><td>{}</td></tr>",
                esc(&r[0]),
                esc(&r[1]),
                esc(&r[2]),
                esc(&r[3]),
                esc(&r[4]),
                esc(&r[5])
            );
        }
        out.push_str("</table>\n");
    }
    goals_html(&mut out, Some(&s.goals));
    let _ = writeln!(out, "<h2>{}</h2>", esc(&program_heading(s)));
    let rows = program_rows(s);
    if rows.is_empty() {
        out.push_str("<p>None saved.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>Exercise</th><th>Dosage</th><th>Note</th></tr>\n");
        for r in rows {
            out.push_str("<tr>");
            for c in &r {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    if let Some(note) = s.discharge.note.as_deref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(
            out,
            "<h2>Note</h2>\n<blockquote>{}</blockquote>",
            esc(&clean_text(note))
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

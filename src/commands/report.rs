//! `ptclinic report progress`: a patient's progress as text, Markdown, HTML or JSON. Printing
//! it opens the patient's record, so it is audited ("report.progress") once it is written.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::cli::{ProgressFormat, ReportFormat};
use crate::config::Settings;
use crate::db::Who;
use crate::db::outcomes::ExpectedOutcome;
use crate::domain::goals::{GoalStatus, PlanGoals};
use crate::domain::measures::Better;
use crate::domain::outcomes::Standing;
use crate::domain::progress::{MeasureStatus, MeasureTrend, Progress};
use crate::domain::{AppointmentStatus, age_on};
use crate::error::{AppError, AppResult};
use crate::export::outcomes::json_rounded;
use crate::sanitize::{clean_line, clean_text};
// HTML text: everything from the record is cleaned and escaped.
use crate::sanitize::html as esc;
use crate::text::{number as num, signed};

pub fn run_progress(
    settings: &Settings,
    mrn: &str,
    format: ProgressFormat,
    out: Option<&Path>,
) -> AppResult<()> {
    super::check_out_folder(out)?;
    let today = settings.clock.today();
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let missing = || {
        AppError::not_found(format!(
            "no patient with MRN {}",
            crate::sanitize::clean_echo(mrn)
        ))
    };
    let text = match format {
        ProgressFormat::Letter => {
            let letter = db.progress_letter(patient.id, today)?.ok_or_else(missing)?;
            crate::export::progress_letter::text(&letter)
        }
        _ => {
            let progress = db.progress(patient.id, today)?.ok_or_else(missing)?;
            let expected = db.expected_outcome(patient.id, today)?;
            let line = expected_sentence(expected.as_ref());
            match format {
                ProgressFormat::Markdown => {
                    format!(
                        "{}\n## What to expect\n\n{}\n",
                        markdown(&progress),
                        md(&line)
                    )
                }
                ProgressFormat::Html => html(&progress).replace(
                    "</body>",
                    &format!("<h2>What to expect</h2>\n<p>{}</p>\n</body>", esc(&line)),
                ),
                ProgressFormat::Json => {
                    let mut v = to_json(&progress);
                    v["expected"] = expected_json(expected.as_ref());
                    format!("{v:#}\n")
                }
                ProgressFormat::Text | ProgressFormat::Letter => {
                    format!("{}\nWhat to expect: {line}\n", text(&progress))
                }
            }
        }
    };
    let at = crate::clock::stamp(settings.clock.now());
    let word = progress_format_word(format);
    super::disclose(out, &text, || {
        db.log_opened(
            patient.id,
            "report.progress",
            json!({ "format": word, "to_file": out.is_some() }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote the progress {} for MRN {} to {}.",
            if format == ProgressFormat::Letter {
                "letter"
            } else {
                "report"
            },
            clean_line(&patient.mrn),
            crate::sanitize::path_for_message(path)
        );
    }
    Ok(())
}

/// `{similar_episodes, median_change, mcid_met_share, median_visits, status, measure,
/// visit_number, change_so_far, median_change_at_visit}`; `status` "too_few" also when the
/// patient has no episode with a measure yet (then `similar_episodes` is 0).
pub fn expected_json(e: Option<&ExpectedOutcome>) -> Value {
    let r = |x: Option<f64>| json_rounded(x, 2);
    match e {
        None => json!({
            "similar_episodes": 0, "median_change": null, "mcid_met_share": null,
            "median_visits": null, "status": Standing::TooFew.as_str(), "measure": null,
            "visit_number": null, "change_so_far": null, "median_change_at_visit": null,
        }),
        Some(o) => {
            let x = &o.expected;
            json!({
                "similar_episodes": x.similar_episodes,
                "median_change": r(x.median_change),
                "mcid_met_share": json_rounded(x.mcid_met_share, 4),
                "median_visits": r(x.median_visits),
                "status": x.status.as_str(),
                "measure": o.measure,
                "visit_number": x.visit_number,
                "change_so_far": r(Some(x.change_so_far)),
                "median_change_at_visit": r(x.median_change_at_visit),
            })
        }
    }
}

/// What to expect in one sentence (or why there is none).
pub fn expected_sentence(e: Option<&ExpectedOutcome>) -> String {
    e.map_or_else(
        || "no episode with a measure yet (from an attended evaluation) to compare with similar episodes".into(),
        |o| o.expected.sentence(o.measure),
    )
}

fn progress_format_word(f: ProgressFormat) -> &'static str {
    match f {
        ProgressFormat::Text => "text",
        ProgressFormat::Markdown => "markdown",
        ProgressFormat::Html => "html",
        ProgressFormat::Json => "json",
        ProgressFormat::Letter => "letter",
    }
}

pub(super) fn format_word(f: ReportFormat) -> &'static str {
    match f {
        ReportFormat::Text => "text",
        ReportFormat::Markdown => "markdown",
        ReportFormat::Html => "html",
        ReportFormat::Json => "json",
    }
}

fn day(d: Option<chrono::NaiveDate>) -> Value {
    d.map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
        .unwrap_or(Value::Null)
}

/// The report as JSON: `{patient, measures, flags, plan_of_care, goals}`; the episode and the
/// latest assessment are inside `patient`.
pub fn to_json(p: &Progress) -> Value {
    let pt = &p.patient;
    let e = &p.episode;
    let measures: Vec<Value> = p
        .measures
        .iter()
        .map(|m| {
            json!({
                "code": m.def.code,
                "name": clean_line(&m.title()),
                "unit": m.def.unit,
                "better": match m.def.better { Better::Higher => "higher", Better::Lower => "lower" },
                "mcid": m.def.mcid,
                "initial": m.initial,
                "latest": m.latest,
                "change": m.change_shown(),
                "mcid_met": m.status.mcid_met(),
                "mcid_status": m.status.mcid_status(),
                "values": m.points.iter().map(|v| json!({
                    "date": v.date.format("%Y-%m-%d").to_string(),
                    "value": v.value,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "patient": {
            "mrn": clean_line(&pt.mrn),
            "name": clean_line(&pt.full_name()),
            "date_of_birth": pt.date_of_birth.format("%Y-%m-%d").to_string(),
            "age": age_on(pt.date_of_birth, p.as_of),
            "payer": pt.payer.as_deref().map(clean_line),
            "diagnosis_code": pt.diagnosis_code.as_deref().map(clean_line),
            "diagnosis": pt.diagnosis.as_deref().map(clean_line),
            "body_region": pt.body_region.as_deref().map(clean_line),
            "as_of": p.as_of.format("%Y-%m-%d").to_string(),
            "episode": {
                "evaluation": day(e.evaluation),
                "discharged": day(e.discharged),
                "visits_attended": e.attended,
                "no_shows": e.no_shows,
                "cancelled": e.cancelled,
                "visits_used": e.visits_used,
                "authorized_visits": e.authorized,
                "visits_left": e.visits_left,
                "auth_end": day(e.auth_end),
                "poc_start": day(e.poc_start),
                "poc_end": day(e.poc_end),
                "days_left_in_poc": e.days_left_in_poc,
                "visit_number": e.visit_number,
                "treatment_day": e.treatment_day,
                "next_visit": e.next_visit.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
            },
            "latest_assessment": p.latest_assessment.as_ref().map(|a| json!({
                "date": a.date.format("%Y-%m-%d").to_string(),
                "kind": a.kind.as_str(),
                "text": clean_text(&a.text),
                "signed_by": a.signing.signed.as_ref().map(|s| clean_line(&s.written_as)),
                "signed_at": a.signing.signed.as_ref().map(|s| s.at.clone()),
                "cosigned_by": a.signing.cosigned.as_ref().map(|s| clean_line(&s.written_as)),
                "cosigned_at": a.signing.cosigned.as_ref().map(|s| s.at.clone()),
                "awaiting_cosign": a.signing.awaiting_cosign,
                "addenda": a.signing.addenda.iter().map(|d| json!({
                    "by": clean_line(&d.written_as),
                    "at": d.written_at,
                    "text": clean_text(&d.text),
                })).collect::<Vec<_>>(),
            })),
        },
        "measures": measures,
        "flags": p.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "goals": goals_json(p.goals.as_ref()),
        "plans_of_care": p.plans.iter().map(super::plan::as_json).collect::<Vec<_>>(),
        "authorizations": p.authorizations.iter().map(super::auth::as_json).collect::<Vec<_>>(),
    })
}

const PLAN_HEAD: [&str; 5] = [
    "Period",
    "Frequency",
    "Physician",
    "Certification",
    "Delay reason",
];

/// One row per certification of the plan of care, oldest first: period, frequency, physician,
/// the signature's date or "not certified", and the reason of a delayed certification.
fn plan_rows(p: &Progress) -> Vec<[String; 5]> {
    p.plans
        .iter()
        .map(|plan| {
            [
                format!(
                    "{} to {}{}",
                    plan.starts_on,
                    plan.ends_on,
                    if plan.recertifies.is_some() {
                        " (recertification)"
                    } else {
                        ""
                    }
                ),
                plan.frequency(),
                plan.physician
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| "—".into()),
                plan.certified_on
                    .map(|d| format!("signed {d}"))
                    .unwrap_or_else(|| "not certified".into()),
                plan.delay_reason
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect()
}

/// "MCID met", "not yet (MCID 2)", "worse than MDC", "change only".
pub(super) fn status_text(m: &MeasureTrend) -> String {
    match (m.status, m.def.mcid) {
        (MeasureStatus::NotYet, Some(mcid)) => {
            format!("not yet ({} {})", m.def.threshold, num(mcid))
        }
        (MeasureStatus::Met, Some(mcid)) => {
            format!("{} met (≥ {})", m.def.threshold, num(mcid))
        }
        (s, _) => s.label_for(&m.def),
    }
}

fn unit(m: &MeasureTrend) -> &'static str {
    match m.def.unit {
        "points" => "",
        "%" => "%",
        _ => "°",
    }
}

pub(super) fn opt_day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// Who the patient is, as every report to a payer opens: name, MRN, date of birth with the age
/// on `on`, diagnosis and payer.
pub(super) fn patient_facts(
    pt: &crate::domain::patient::Patient,
    on: chrono::NaiveDate,
) -> Vec<(&'static str, String)> {
    vec![
        ("Patient", clean_line(&pt.full_name())),
        ("MRN", clean_line(&pt.mrn)),
        (
            "Date of birth",
            format!(
                "{} (age {})",
                pt.date_of_birth.format("%Y-%m-%d"),
                age_on(pt.date_of_birth, on)
            ),
        ),
        (
            "Diagnosis",
            clean_line(
                &[pt.diagnosis_code.as_deref(), pt.diagnosis.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
        ("Payer", clean_line(pt.payer.as_deref().unwrap_or("—"))),
    ]
}

/// Lines of facts shared by the text, Markdown and HTML forms: (label, value).
fn facts(p: &Progress) -> Vec<(&'static str, String)> {
    let pt = &p.patient;
    let e = &p.episode;
    let mut out = patient_facts(pt, p.as_of);
    out.push(("Evaluation", opt_day(e.evaluation)));
    if let Some(d) = e.discharged {
        out.push(("Discharged", d.format("%Y-%m-%d").to_string()));
    }
    out.push((
        "Visits",
        format!(
            "{} attended, {} no-show, {} cancelled{}",
            e.attended,
            e.no_shows,
            e.cancelled,
            e.next_visit
                .map(|t| format!("; next {}", t.format("%Y-%m-%d %H:%M")))
                .unwrap_or_default()
        ),
    ));
    out.push((
        "Authorisation",
        match e.authorized {
            Some(a) => format!(
                "{} of {a} visits used, {} left{}",
                e.visits_used,
                a - e.visits_used,
                e.auth_end
                    .map(|d| format!(", ends {}", d.format("%Y-%m-%d")))
                    .unwrap_or_default()
            ),
            None if p.authorizations.is_empty() => "no authorisation on file".to_string(),
            None => "none covers the visit's day (see the authorisations)".to_string(),
        },
    ));
    out.push((
        "Plan of care",
        match (e.poc_start, e.poc_end, e.days_left_in_poc) {
            (s, Some(end), Some(left)) => format!(
                "{} to {}{}",
                opt_day(s),
                end.format("%Y-%m-%d"),
                match left {
                    1 => " (1 day left)".to_string(),
                    0.. => format!(" ({left} days left)"),
                    -1 => " (ended yesterday)".to_string(),
                    _ => format!(" (ended {} days ago)", -left),
                }
            ),
            _ => "not on file".to_string(),
        },
    ));
    if let (Some(v), Some(n)) = (&e.focus_visit, e.treatment_day) {
        out.push((
            "Next report",
            format!(
                "visit of {} is treatment day {n} of {} since {}",
                v.start.format("%Y-%m-%d"),
                p.thresholds.progress_note_treatment_days,
                e.period_start
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "the first visit".to_string())
            ),
        ));
    }
    if let Some(a) = &p.adherence {
        out.push((
            "HEP adherence",
            format!(
                "{} of {} sessions ({}%) reported {}",
                a.done,
                a.prescribed,
                a.percent(),
                a.reported_on.format("%Y-%m-%d")
            ),
        ));
    }
    out
}

/// One row per measure: name, initial, latest, change, status, dates.
fn measure_rows(p: &Progress) -> Vec<[String; 6]> {
    trend_rows(&p.measures)
}

/// One row per measure of `measures`: name, initial, latest, change, status, dates.
pub(super) fn trend_rows(measures: &[MeasureTrend]) -> Vec<[String; 6]> {
    measures
        .iter()
        .map(|m| {
            let u = unit(m);
            [
                clean_line(&format!("{} ({})", m.title(), m.def.code)),
                format!("{}{u}", num(m.initial)),
                format!("{}{u}", num(m.latest)),
                m.change_shown()
                    .map_or_else(|| "—".to_string(), |c| format!("{}{u}", signed(c))),
                status_text(m),
                format!(
                    "{} values, {} to {}",
                    m.points.len(),
                    m.points[0].date.format("%Y-%m-%d"),
                    m.points[m.points.len() - 1].date.format("%Y-%m-%d")
                ),
            ]
        })
        .collect()
}

pub(super) const MEASURE_HEAD: [&str; 6] =
    ["Measure", "Initial", "Latest", "Change", "MCID", "Taken"];

fn visit_rows(p: &Progress) -> Vec<[String; 4]> {
    p.visits
        .iter()
        .filter(|v| v.start.date() <= p.as_of || v.status != AppointmentStatus::Scheduled)
        .map(|v| {
            [
                v.start.format("%Y-%m-%d %H:%M").to_string(),
                v.kind.label().to_string(),
                v.status.label().to_string(),
                clean_line(&v.therapist_initials),
            ]
        })
        .collect()
}

/// When the latest assessment was written, its text, and the note's signature, co-signature
/// and addenda, a line each: the clinician's words apart from what vouches for them.
fn assessment(p: &Progress) -> Option<(String, String, Vec<String>)> {
    p.latest_assessment.as_ref().map(|a| {
        (
            format!("{} ({})", a.date.format("%Y-%m-%d"), a.kind.label()),
            clean_text(&a.text),
            a.signing.lines().iter().map(|l| clean_line(l)).collect(),
        )
    })
}

pub fn text(p: &Progress) -> String {
    let mut s = format!("Progress report, {}\n\n", p.as_of.format("%-d %B %Y"));
    for (k, v) in facts(p) {
        let _ = writeln!(s, "{:<15}{v}", format!("{k}:"));
    }
    s.push_str("\nFlags:\n");
    if p.flags.is_empty() {
        s.push_str("  none\n");
    }
    for f in &p.flags {
        let _ = writeln!(s, "  [{}] {}", f.badge(), f.sentence(&p.thresholds));
    }
    s.push_str("\nPlan of care certifications:\n");
    if p.plans.is_empty() {
        s.push_str("  none on file\n");
    }
    for r in plan_rows(p) {
        let _ = writeln!(
            s,
            "  {}  {}  physician {}  {}{}",
            r[0],
            r[1],
            r[2],
            r[3],
            if r[4] == "—" {
                String::new()
            } else {
                format!("  delay: {}", r[4])
            }
        );
    }
    s.push_str("\nOutcome measures (initial → latest):\n");
    if p.measures.is_empty() {
        s.push_str("  none recorded\n");
    }
    for r in measure_rows(p) {
        let _ = writeln!(
            s,
            "  {}\n    {} → {}  change {}  {}  ({})",
            r[0], r[1], r[2], r[3], r[4], r[5]
        );
    }
    goals_text(&mut s, p.goals.as_ref());
    let visits = visit_rows(p);
    if !visits.is_empty() {
        s.push_str("\nVisits:\n");
        for r in visits {
            let _ = writeln!(s, "  {}  {:<10} {:<10} {}", r[0], r[1], r[2], r[3]);
        }
    }
    if let Some((when, text, signing)) = assessment(p) {
        let _ = writeln!(s, "\nLatest assessment, {when}:");
        for line in text.lines().chain(signing.iter().map(String::as_str)) {
            let _ = writeln!(s, "  {line}");
        }
    }
    s
}

/// Markdown table cells: no pipes or line breaks inside a cell.
pub(super) fn md(s: &str) -> String {
    clean_line(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn markdown(p: &Progress) -> String {
    let mut s = format!(
        "# Progress report: {}\n\nAs of {}.\n\n",
        md(&p.patient.full_name()),
        p.as_of.format("%-d %B %Y")
    );
    s.push_str("| | |\n|---|---|\n");
    for (k, v) in facts(p) {
        let _ = writeln!(s, "| {k} | {} |", md(&v));
    }
    s.push_str("\n## Flags\n\n");
    if p.flags.is_empty() {
        s.push_str("None.\n");
    }
    for f in &p.flags {
        let _ = writeln!(s, "- **{}** {}", f.badge(), f.sentence(&p.thresholds));
    }
    s.push_str("\n## Plan of care certifications\n\n");
    if p.plans.is_empty() {
        s.push_str("None on file.\n");
    } else {
        let _ = writeln!(s, "| {} |", PLAN_HEAD.join(" | "));
        s.push_str("|---|---|---|---|---|\n");
        for r in plan_rows(p) {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
    }
    s.push_str("\n## Outcome measures\n\n");
    if p.measures.is_empty() {
        s.push_str("None recorded.\n");
    } else {
        let _ = writeln!(s, "| {} |", MEASURE_HEAD.join(" | "));
        s.push_str("|---|---:|---:|---:|---|---|\n");
        for r in measure_rows(p) {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
    }
    goals_markdown(&mut s, p.goals.as_ref());
    let visits = visit_rows(p);
    if !visits.is_empty() {
        s.push_str("\n## Visits\n\n| Date | Kind | Status | PT |\n|---|---|---|---|\n");
        for r in visits {
            let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
    }
    if let Some((when, text, signing)) = assessment(p) {
        let _ = writeln!(s, "\n## Latest assessment\n\n{}:\n", md(&when));
        for line in text.lines() {
            let _ = writeln!(s, "> {}", md(line));
        }
        for line in &signing {
            let _ = writeln!(s, "\n{}", md(line));
        }
    }
    s
}

pub(super) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}
.met{font-weight:bold}.worse{font-weight:bold;text-decoration:underline}
.flag{display:inline-block;border:1px solid #111;padding:0 .3rem;margin-right:.4rem;font-weight:bold}
blockquote{margin:.5rem 0;padding:.4rem .8rem;border-left:3px solid #999;white-space:pre-wrap}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}";

pub fn html(p: &Progress) -> String {
    let name = esc(&clean_line(&p.patient.full_name()));
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Progress report: {name}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>Progress report: {name}</h1>\n<p>As of {}.</p>\n<table>\n",
        p.as_of.format("%-d %B %Y")
    );
    for (k, v) in facts(p) {
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(&v)
        );
    }
    s.push_str("</table>\n<h2>Flags</h2>\n");
    if p.flags.is_empty() {
        s.push_str("<p>None.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for f in &p.flags {
            let _ = writeln!(
                s,
                "<li><span class=\"flag\">{}</span>{}</li>",
                esc(f.badge()),
                esc(&f.sentence(&p.thresholds))
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("<h2>Plan of care certifications</h2>\n");
    if p.plans.is_empty() {
        s.push_str("<p>None on file.</p>\n");
    } else {
        s.push_str("<table>\n<tr>");
        for h in PLAN_HEAD {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr>\n");
        for r in plan_rows(p) {
            s.push_str("<tr>");
            for c in &r {
                let _ = write!(s, "<td>{}</td>", esc(c));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
    }
    s.push_str("<h2>Outcome measures</h2>\n");
    if p.measures.is_empty() {
        s.push_str("<p>None recorded.</p>\n");
    } else {
        s.push_str("<table>\n<tr>");
        for h in MEASURE_HEAD {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr>\n");
        for (m, r) in p.measures.iter().zip(measure_rows(p)) {
            let class = match m.status {
                MeasureStatus::Met => " class=\"met\"",
                MeasureStatus::Worse => " class=\"worse\"",
                _ => "",
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td{class}>{}</td><td>{}</td></tr>",
                esc(&r[0]),
                esc(&r[1]),
                esc(&r[2]),
                esc(&r[3]),
                esc(&r[4]),
                esc(&r[5])
            );
        }
        s.push_str("</table>\n");
    }
    goals_html(&mut s, p.goals.as_ref());
    let visits = visit_rows(p);
    if !visits.is_empty() {
        s.push_str("<h2>Visits</h2>\n<table>\n<tr><th>Date</th><th>Kind</th><th>Status</th><th>PT</th></tr>\n");
        for r in visits {
            s.push_str("<tr>");
            for c in &r {
                let _ = write!(s, "<td>{}</td>", esc(c));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
    }
    if let Some((when, text, signing)) = assessment(p) {
        let _ = writeln!(
            s,
            "<h2>Latest assessment</h2>\n<p>{}:</p>\n<blockquote>{}</blockquote>",
            esc(&when),
            esc(&text)
        );
        for line in &signing {
            let _ = writeln!(s, "<p class=\"signature\">{}</p>", esc(line));
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// The goals as JSON: `[{term, description, measure, target, target_on, status, latest, …}]`,
/// empty without a plan of care.
pub(super) fn goals_json(g: Option<&PlanGoals>) -> Value {
    Value::Array(
        g.map(|g| g.goals.iter().map(super::goal::goal_json).collect())
            .unwrap_or_default(),
    )
}

pub(super) const GOAL_HEAD: [&str; 6] = ["Term", "Goal", "Target", "By", "Status", "Latest"];

/// One row per goal: term, words, measured target (or "in words"), date, status, latest value.
fn goal_rows(g: &PlanGoals) -> Vec<[String; 6]> {
    g.goals
        .iter()
        .map(|r| {
            [
                super::goal::term_words(r.goal.term).to_string(),
                clean_line(&r.words()),
                r.target_text().unwrap_or_else(|| "in words".to_string()),
                r.goal.target_on.format("%Y-%m-%d").to_string(),
                match (r.is_measured(), r.goal.assessed_on) {
                    (false, Some(d)) => {
                        format!("{} (assessed {})", r.status.label(), d.format("%Y-%m-%d"))
                    }
                    _ => r.status.label().to_string(),
                },
                r.latest.map_or_else(
                    || "—".to_string(),
                    |(d, v)| format!("{} on {}", num(v), d.format("%Y-%m-%d")),
                ),
            ]
        })
        .collect()
}

/// "Goals of the plan of care 2026-10-26 to 2027-01-23 (2x/week for 6 weeks)".
fn goals_heading(g: Option<&PlanGoals>) -> String {
    match g {
        Some(g) => format!("Goals of the plan of care {}", super::goal::plan_words(g)),
        None => "Goals".to_string(),
    }
}

fn goals_none(g: Option<&PlanGoals>) -> Option<&'static str> {
    match g {
        None => Some("No plan of care on file."),
        Some(g) if g.goals.is_empty() => Some("None set in the plan of care."),
        Some(_) => None,
    }
}

/// The goals section of a text report: each goal with its target, date, status and latest value.
pub(super) fn goals_text(s: &mut String, g: Option<&PlanGoals>) {
    let _ = writeln!(s, "\n{}:", goals_heading(g));
    if let Some(none) = goals_none(g) {
        let _ = writeln!(s, "  {none}");
    }
    for r in g.map(goal_rows).unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {}, by {}: {}\n    target {}  status {}  latest {}",
            r[0], r[3], r[1], r[2], r[4], r[5]
        );
    }
}

pub(super) fn goals_markdown(s: &mut String, g: Option<&PlanGoals>) {
    let _ = writeln!(s, "\n## {}\n", md(&goals_heading(g)));
    if let Some(none) = goals_none(g) {
        let _ = writeln!(s, "{none}");
        return;
    }
    let _ = writeln!(s, "| {} |", GOAL_HEAD.join(" | "));
    s.push_str("|---|---|---|---|---|---|\n");
    for r in g.map(goal_rows).unwrap_or_default() {
        let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
}

pub(super) fn goals_html(s: &mut String, g: Option<&PlanGoals>) {
    let _ = writeln!(s, "<h2>{}</h2>", esc(&goals_heading(g)));
    if let Some(none) = goals_none(g) {
        let _ = writeln!(s, "<p>{}</p>", esc(none));
        return;
    }
    s.push_str("<table>\n<tr>");
    for h in GOAL_HEAD {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    let reviews = g.map(|g| g.goals.as_slice()).unwrap_or_default();
    for (r, row) in reviews.iter().zip(g.map(goal_rows).unwrap_or_default()) {
        let class = match r.status {
            GoalStatus::Met => " class=\"met\"",
            GoalStatus::NotMet => " class=\"worse\"",
            _ => "",
        };
        s.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let _ = write!(s, "<td{}>{}</td>", if i == 4 { class } else { "" }, esc(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_everything() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!(signed(3.0), "+3");
        assert_eq!(signed(-2.5), "−2.5");
        assert_eq!(signed(0.0), "0");
    }
}

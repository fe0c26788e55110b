//! The clinic's outcome report in text, Markdown, CSV, JSON and one self-contained HTML page
//! whose charts are inline SVG drawn by `plotters`; and the per-episode CSV for a statistician.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use plotters::prelude::*;
use serde_json::{Value, json};

use crate::domain::measures::MeasureDef;
use crate::domain::outcomes::groups::{AGE_BANDS, SMALL_GROUP};
use crate::domain::outcomes::quality::{MIPS_182_YEAR, Quality};
use crate::domain::outcomes::{Dimension, Episode, Figures, KeyPart, Table};
use crate::sanitize::{clean_line, html as esc};
use crate::text::number as num;

/// What a report shows, with the names its keys need.
pub struct OutcomeReport<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub grouping: &'a [Dimension],
    pub measure: Option<usize>,
    pub defs: &'a [MeasureDef],
    pub table: &'a Table,
    pub quality: &'a Quality,
    /// Staff ids to names.
    pub therapists: &'a HashMap<i64, String>,
}

/// The sentence shown instead of figures when no episode ended in the period.
pub const NO_EPISODES: &str = "no completed episodes in this period";

/// A key part as a person reads it.
pub fn part_label(
    part: &KeyPart,
    defs: &[MeasureDef],
    therapists: &HashMap<i64, String>,
) -> String {
    match part {
        KeyPart::Therapist(id) => therapists
            .get(id)
            .map(|n| clean_line(n))
            .unwrap_or_else(|| format!("staff #{id}")),
        KeyPart::Region(r) => r.map_or("region not recorded", |r| r.label()).to_string(),
        KeyPart::Measure(m) => defs.get(*m).map_or("no measure", |d| d.code).to_string(),
        KeyPart::Payer(p) => p
            .as_deref()
            .map_or_else(|| "payer not recorded".into(), clean_line),
        KeyPart::Age(b) => b
            .and_then(|b| AGE_BANDS.get(b))
            .map_or("age not recorded", |(_, _, l)| l)
            .to_string(),
        KeyPart::Month(m) => m.clone(),
    }
}

/// A key part as JSON carries it: the stored word or id.
fn part_value(part: &KeyPart, defs: &[MeasureDef], therapists: &HashMap<i64, String>) -> Value {
    match part {
        KeyPart::Therapist(_) => json!(part_label(part, defs, therapists)),
        KeyPart::Region(r) => json!(r.map(|r| r.as_str())),
        KeyPart::Measure(m) => json!(defs.get(*m).map(|d| d.code)),
        KeyPart::Payer(p) => json!(p.as_deref().map(clean_line)),
        KeyPart::Age(b) => json!(b.and_then(|b| AGE_BANDS.get(b)).map(|(_, _, l)| *l)),
        KeyPart::Month(m) => json!(m),
    }
}

pub fn key_label(f: &Figures, defs: &[MeasureDef], therapists: &HashMap<i64, String>) -> String {
    if f.key.is_empty() {
        return "Whole clinic".into();
    }
    f.key
        .iter()
        .map(|p| part_label(p, defs, therapists))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f + 0.0
}

/// A figure as JSON carries it: rounded to `places` decimals (never -0), null where absent.
pub fn json_rounded(x: Option<f64>, places: i32) -> Value {
    x.map_or(Value::Null, |x| json!(round(x, places)))
}

pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{:.0}%", x * 100.0))
}

fn figures_json(f: &Figures, r: &OutcomeReport) -> Value {
    let key: serde_json::Map<String, Value> = f
        .key
        .iter()
        .map(|p| {
            (
                p.dimension().as_str().to_string(),
                part_value(p, r.defs, r.therapists),
            )
        })
        .collect();
    json!({
        "key": key,
        "episodes": f.episodes,
        "complete_pairs": f.complete_pairs,
        "completeness": json_rounded(f.completeness, 4),
        "mcid_met": f.mcid_met,
        "mcid_met_share": json_rounded(f.mcid_met_share, 4),
        "mcid_met_ci": f.mcid_met_ci.map(|(lo, hi)| json!([round(lo, 4), round(hi, 4)])),
        "too_small": f.too_small(),
        "mean_change": json_rounded(f.mean_change, 2),
        "median_change": json_rounded(f.median_change, 2),
        "change_per_visit": json_rounded(f.change_per_visit, 3),
        "median_visits": json_rounded(f.median_visits, 1),
        "visits_iqr": f.visits_iqr.map(|(a, b)| json!([round(a, 1), round(b, 1)])),
        "median_days": json_rounded(f.median_days, 1),
        "discharge_reasons": f.endings.iter()
            .map(|(e, n)| (e.as_str().to_string(), json!(n)))
            .collect::<serde_json::Map<_, _>>(),
        "no_show_rate": json_rounded(f.no_show_rate, 4),
        "late_cancel_rate": json_rounded(f.late_cancel_rate, 4),
        "adherence_median": json_rounded(f.adherence_median, 1),
    })
}

fn quality_json(q: &Quality) -> Value {
    json!({
        "functional_measure_at_intake_and_discharge": {
            "episodes": q.process.episodes,
            "at_intake": q.process.at_intake,
            "at_intake_and_discharge": q.process.at_intake_and_discharge,
            "rate": json_rounded(q.process.rate(), 4),
        },
        "mips_182": {
            "specification_year": MIPS_182_YEAR,
            "numerator": q.mips_182.numerator,
            "denominator": q.mips_182.denominator,
            "exclusions": q.mips_182.exclusions,
            "rate": json_rounded(q.mips_182.rate(), 4),
        },
    })
}

/// `{period: {from, to}, grouping, measure, total, groups: [...], quality}`.
pub fn json(r: &OutcomeReport) -> Value {
    json!({
        "period": { "from": r.from.to_string(), "to": r.to.to_string() },
        "grouping": r.grouping.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "measure": r.measure.and_then(|m| r.defs.get(m)).map(|d| d.code),
        "message": (r.table.total.episodes == 0).then_some(NO_EPISODES),
        "total": figures_json(&r.table.total, r),
        "groups": r.table.groups.iter().map(|f| figures_json(f, r)).collect::<Vec<_>>(),
        "quality": quality_json(r.quality),
    })
}

const HEAD: [&str; 9] = [
    "Group",
    "Episodes",
    "Complete",
    "MCID met",
    "95% CI",
    "Median change",
    "Visits (IQR)",
    "No-show",
    "HEP",
];

fn row(f: &Figures, r: &OutcomeReport) -> Vec<String> {
    let small = if f.too_small() && f.complete_pairs > 0 {
        " (too few to compare)"
    } else {
        ""
    };
    vec![
        key_label(f, r.defs, r.therapists),
        f.episodes.to_string(),
        format!("{} ({})", f.complete_pairs, percent(f.completeness)),
        format!("{}{small}", percent(f.mcid_met_share)),
        f.mcid_met_ci.map_or_else(
            || "—".into(),
            |(lo, hi)| format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0),
        ),
        f.median_change
            .map_or_else(|| "—".into(), crate::text::signed),
        match (f.median_visits, f.visits_iqr) {
            (Some(m), Some((a, b))) => format!("{} ({}–{})", num(m), num(a), num(b)),
            _ => "—".into(),
        },
        percent(f.no_show_rate),
        percent(f.adherence_median.map(|a| a / 100.0)),
    ]
}

fn rows(r: &OutcomeReport) -> Vec<Vec<String>> {
    std::iter::once(&r.table.total)
        .chain(&r.table.groups)
        .map(|f| row(f, r))
        .collect()
}

fn title(r: &OutcomeReport) -> String {
    let by = if r.grouping.is_empty() {
        String::new()
    } else {
        format!(
            " by {}",
            r.grouping
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    };
    let measure = r
        .measure
        .and_then(|m| r.defs.get(m))
        .map_or(String::new(), |d| format!(", {}", d.code));
    format!("Clinic outcomes {} to {}{by}{measure}", r.from, r.to)
}

fn notes(r: &OutcomeReport) -> Vec<String> {
    let mut out = vec![format!(
        "MCID met: the share of complete pairs (two values 14 or more days apart, or at intake and discharge) whose change reached the measure's MCID; 95% Wilson interval. Groups with fewer than {SMALL_GROUP} complete pairs are too few to compare."
    )];
    if r.measure.is_none() && !r.grouping.contains(&Dimension::Measure) {
        out.push("Each episode counts by its primary measure (the region's questionnaire, else its first functional measure, else pain); changes are shown by measure only.".into());
    }
    out
}

fn quality_lines(q: &Quality) -> Vec<String> {
    vec![
        format!(
            "Functional measure at intake and discharge: {} of {} finished episodes ({})",
            q.process.at_intake_and_discharge,
            q.process.episodes,
            percent(q.process.rate())
        ),
        format!(
            "MIPS 182 (functional outcome assessment, {MIPS_182_YEAR} specification): {} of {} adult visits ({}); {} visits of patients under 18 or of unknown age excluded",
            q.mips_182.numerator,
            q.mips_182.denominator,
            percent(q.mips_182.rate()),
            q.mips_182.exclusions
        ),
    ]
}

pub fn text(r: &OutcomeReport) -> String {
    let mut s = format!("{}\n\n", title(r));
    if r.table.total.episodes == 0 {
        let _ = writeln!(s, "{}.", crate::text::capitalised(NO_EPISODES));
        return s;
    }
    s.push_str(&crate::text::table(&HEAD, &rows(r)));
    s.push('\n');
    for n in notes(r).iter().chain(&quality_lines(r.quality)) {
        let _ = writeln!(s, "{n}");
    }
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn markdown(r: &OutcomeReport) -> String {
    let mut s = format!("# {}\n\n", title(r));
    if r.table.total.episodes == 0 {
        let _ = writeln!(s, "{}.", crate::text::capitalised(NO_EPISODES));
        return s;
    }
    let _ = writeln!(s, "| {} |", HEAD.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(HEAD.len()));
    for cells in rows(r) {
        let cells: Vec<String> = cells.iter().map(|c| md(c)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s.push('\n');
    for n in notes(r).iter().chain(&quality_lines(r.quality)) {
        let _ = writeln!(s, "- {}", md(n));
    }
    s
}

/// One row per group (the whole clinic first), the figures as numbers.
pub fn csv(r: &OutcomeReport) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = r.grouping.iter().map(|d| d.as_str().to_string()).collect();
    head.extend(
        [
            "episodes",
            "complete_pairs",
            "completeness",
            "mcid_met",
            "mcid_met_share",
            "mcid_met_ci_low",
            "mcid_met_ci_high",
            "mean_change",
            "median_change",
            "median_visits",
            "visits_q1",
            "visits_q3",
            "no_show_rate",
            "late_cancel_rate",
            "adherence_median",
            "too_small",
        ]
        .map(String::from),
    );
    let _ = w.write_record(&head);
    let cell = |x: Option<f64>| x.map_or(String::new(), |x| round(x, 4).to_string());
    for f in std::iter::once(&r.table.total).chain(&r.table.groups) {
        let mut rec: Vec<String> = if f.key.is_empty() {
            r.grouping.iter().map(|_| "all".to_string()).collect()
        } else {
            f.key
                .iter()
                .map(|p| part_label(p, r.defs, r.therapists))
                .collect()
        };
        rec.extend([
            f.episodes.to_string(),
            f.complete_pairs.to_string(),
            cell(f.completeness),
            f.mcid_met.to_string(),
            cell(f.mcid_met_share),
            cell(f.mcid_met_ci.map(|c| c.0)),
            cell(f.mcid_met_ci.map(|c| c.1)),
            cell(f.mean_change),
            cell(f.median_change),
            cell(f.median_visits),
            cell(f.visits_iqr.map(|c| c.0)),
            cell(f.visits_iqr.map(|c| c.1)),
            cell(f.no_show_rate),
            cell(f.late_cancel_rate),
            cell(f.adherence_median),
            f.too_small().to_string(),
        ]);
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One row per finished episode and measure in the period, for a statistician: no names, no
/// MRNs; `patient` is the record's internal id, so two episodes of one patient can be told
/// apart from two patients.
pub fn episodes_csv(
    episodes: &[&Episode],
    defs: &[MeasureDef],
    therapists: &HashMap<i64, String>,
) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "patient",
        "therapist",
        "start",
        "end",
        "ending",
        "region",
        "payer",
        "age",
        "visits",
        "no_shows",
        "late_cancels",
        "measure",
        "initial",
        "initial_on",
        "final",
        "final_on",
        "values",
        "change",
        "mcid",
        "mcid_met",
        "complete",
    ]);
    for e in episodes {
        let base = [
            e.patient_id.to_string(),
            part_label(&KeyPart::Therapist(e.therapist_id), defs, therapists),
            e.start.to_string(),
            e.end.map(|d| d.to_string()).unwrap_or_default(),
            e.ending.as_str().to_string(),
            e.region.map(|r| r.as_str().to_string()).unwrap_or_default(),
            e.payer.as_deref().map(clean_line).unwrap_or_default(),
            e.age.map(|a| a.to_string()).unwrap_or_default(),
            e.attended.to_string(),
            e.no_shows.to_string(),
            e.late_cancels.to_string(),
        ];
        for p in &e.pairs {
            let def = &defs[p.measure];
            let mut rec: Vec<String> = base.to_vec();
            rec.extend([
                def.code.to_string(),
                p.initial.to_string(),
                p.initial_on.to_string(),
                p.last.to_string(),
                p.last_on.to_string(),
                p.values.to_string(),
                round(p.change, 2).to_string(),
                def.mcid.map(|m| m.to_string()).unwrap_or_default(),
                p.mcid_met.to_string(),
                p.complete.to_string(),
            ]);
            let _ = w.write_record(&rec);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.small td{color:#555;font-style:italic}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#333}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr,figure{break-inside:avoid}}";

/// The MCID share of each group as a horizontal bar with its 95% interval, drawn by plotters
/// into an SVG string. None when no group has a share.
pub fn mcid_chart(r: &OutcomeReport) -> Option<String> {
    let bars: Vec<(String, f64, (f64, f64), bool)> = std::iter::once(&r.table.total)
        .chain(&r.table.groups)
        .filter_map(|f| {
            Some((
                key_label(f, r.defs, r.therapists),
                f.mcid_met_share?,
                f.mcid_met_ci?,
                f.too_small(),
            ))
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let height = 40 + 22 * bars.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let n = bars.len() as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(220)
            .build_cartesian_2d(0f64..100f64, (0..n).into_segmented())
            .ok()?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("% of complete pairs reaching the MCID")
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}%"))
            .y_labels(bars.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .draw()
            .ok()?;
        let fill = RGBColor(70, 110, 160);
        let faint = RGBColor(170, 185, 205);
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, share, _, small))| {
                let i = i as i32;
                let colour = if *small { faint } else { fill };
                Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i)),
                        (share * 100.0, SegmentValue::Exact(i + 1)),
                    ],
                    colour.filled(),
                )
            }))
            .ok()?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, _, (lo, hi), _))| {
                PathElement::new(
                    vec![
                        (lo * 100.0, SegmentValue::CenterOf(i as i32)),
                        (hi * 100.0, SegmentValue::CenterOf(i as i32)),
                    ],
                    BLACK.stroke_width(2),
                )
            }))
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

pub fn html(r: &OutcomeReport) -> String {
    let t = esc(&title(r));
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n"
    );
    if r.table.total.episodes == 0 {
        let _ = writeln!(
            s,
            "<p>{}.</p>\n</body>\n</html>",
            esc(&crate::text::capitalised(NO_EPISODES))
        );
        return s;
    }
    if let Some(svg) = mcid_chart(r) {
        let _ = writeln!(
            s,
            "<figure>\n{svg}\n<figcaption>Share of complete pairs reaching the MCID, with its 95% interval; pale bars are groups too small to compare.</figcaption>\n</figure>"
        );
    }
    s.push_str("<table>\n<tr>");
    for h in HEAD {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    for (f, cells) in std::iter::once(&r.table.total)
        .chain(&r.table.groups)
        .zip(rows(r))
    {
        let class = if f.too_small() {
            " class=\"small\""
        } else {
            ""
        };
        let _ = write!(s, "<tr{class}>");
        for (i, c) in cells.iter().enumerate() {
            let n = if i == 0 { "" } else { " class=\"n\"" };
            let _ = write!(s, "<td{n}>{}</td>", esc(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n<h2>Quality measures</h2>\n<ul>\n");
    for l in quality_lines(r.quality) {
        let _ = writeln!(s, "<li>{}</li>", esc(&l));
    }
    s.push_str("</ul>\n<h2>How to read this</h2>\n<ul>\n");
    for n in notes(r) {
        let _ = writeln!(s, "<li>{}</li>", esc(&n));
    }
    s.push_str("</ul>\n</body>\n</html>\n");
    s
}

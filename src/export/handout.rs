//! The patient's home exercise handout: who it is for, each exercise with its instructions
//! and its dosage in plain language, and a week of tick boxes. Text, Markdown, or one
//! self-contained, print-friendly HTML page (fits A4 and Letter). Everything from the record
//! is cleaned of control characters; HTML is escaped.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::domain::hep::HandoutData;
use crate::error::{AppError, AppResult};
use crate::files::Staged;
use crate::sanitize::{clean_line, clean_text};
// HTML text: everything from the record is cleaned and escaped.
use crate::sanitize::html as esc;

/// Where `p` in the builder puts handouts when nothing else is said.
pub fn default_dir() -> PathBuf {
    crate::config::data_dir(&crate::config::process_env).join("handouts")
}

/// The printable handout of `today`, written in full into `dir` (else [`default_dir`]) beside
/// its place and not yet in it: its audit row comes first, then the rename.
pub fn stage_html(data: &HandoutData, dir: Option<&Path>, today: NaiveDate) -> AppResult<Staged> {
    let dir = dir.map_or_else(default_dir, Path::to_path_buf);
    crate::files::create_private_dir(&dir).map_err(|e| {
        AppError::failure(format!(
            "cannot create the folder {}: {e}",
            crate::sanitize::path_for_message(&dir)
        ))
    })?;
    let safe_mrn: String = data
        .mrn
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let path = dir.join(format!("hep-{safe_mrn}-{today}.html"));
    crate::files::stage(&path, html(data).as_bytes())
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn long_date(h: &HandoutData) -> String {
    h.date.format("%-d %B %Y").to_string()
}

/// Wraps `text` at `width` columns, each line starting with `indent`.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for para in clean_text(text).lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let w = crate::text::width(word);
            if !line.is_empty() && crate::text::width(&line) + 1 + w > width {
                lines.push(format!("{indent}{line}"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(format!("{indent}{line}"));
        }
    }
    lines
}

fn note_of(n: &Option<String>) -> Option<String> {
    n.as_deref()
        .map(clean_text)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn equipment_of(e: &str) -> Option<String> {
    let e = clean_line(e);
    (!e.is_empty() && e != "none").then_some(e)
}

/// The handout's words that every format shares.
const TITLE: &str = "Your home exercise program";
const SAFETY: &str =
    "Do each exercise as shown. Stop and tell your therapist if pain is sharp or lasts.";

/// " (MRN 100123)" on a printed handout; nothing on an emailed one, which leaves the MRN out
/// as more than the patient needs.
fn mrn_part(mrn: &str) -> String {
    if mrn.is_empty() {
        String::new()
    } else {
        format!(" (MRN {mrn})")
    }
}

/// The handout as it is emailed: everything but the MRN.
pub fn for_email(h: &HandoutData) -> HandoutData {
    HandoutData {
        mrn: String::new(),
        ..h.clone()
    }
}

pub fn text(h: &HandoutData) -> String {
    let mut out = Vec::new();
    out.push(TITLE.to_string());
    out.push(String::new());
    out.push(format!(
        "Patient:   {}{}",
        clean_line(&h.patient_name),
        mrn_part(&clean_line(&h.mrn))
    ));
    out.push(format!("Date:      {}", long_date(h)));
    out.push(format!("Therapist: {}", clean_line(&h.therapist)));
    out.push(String::new());
    out.push(SAFETY.to_string());
    for (i, item) in h.items.iter().enumerate() {
        out.push(String::new());
        out.push(format!("{}. {}", i + 1, clean_line(&item.name)));
        out.push(format!("   {}", item.dosage.plain()));
        if let Some(e) = equipment_of(&item.equipment) {
            out.push(format!("   You need: {e}"));
        }
        out.extend(wrap(&item.instructions, 72, "   "));
        if let Some(note) = note_of(&item.note) {
            let mut lines = wrap(&note, 66, "         ");
            if let Some(first) = lines.first_mut() {
                *first = format!("   Note: {}", first.trim_start());
            }
            out.extend(lines);
        }
    }
    out.push(String::new());
    out.push("This week: tick a box each day you do the exercise.".to_string());
    out.push(String::new());
    let name_w = 30;
    out.push(format!(
        "{}  {}",
        " ".repeat(name_w),
        DAYS.map(|d| format!("{d:<4}")).join(" ").trim_end()
    ));
    for (i, item) in h.items.iter().enumerate() {
        let label = crate::text::fit(&format!("{}. {}", i + 1, clean_line(&item.name)), name_w);
        out.push(format!("{label}  {}", ["[ ] "; 7].join(" ").trim_end()));
    }
    out.push(String::new());
    out.join("\n")
}

pub fn markdown(h: &HandoutData) -> String {
    let mut out = Vec::new();
    out.push(format!("# {TITLE}"));
    out.push(String::new());
    out.push(format!(
        "- **Patient:** {}{}",
        md(&h.patient_name),
        mrn_part(&md(&h.mrn))
    ));
    out.push(format!("- **Date:** {}", long_date(h)));
    out.push(format!("- **Therapist:** {}", md(&h.therapist)));
    out.push(String::new());
    out.push(SAFETY.to_string());
    for (i, item) in h.items.iter().enumerate() {
        out.push(String::new());
        out.push(format!("## {}. {}", i + 1, md(&item.name)));
        out.push(String::new());
        out.push(format!("**{}**", item.dosage.plain()));
        out.push(String::new());
        if let Some(e) = equipment_of(&item.equipment) {
            out.push(format!("You need: {}", md(&e)));
            out.push(String::new());
        }
        out.push(md(&item.instructions));
        if let Some(note) = note_of(&item.note) {
            out.push(String::new());
            out.push(format!("*Note:* {}", md(&note.replace('\n', " "))));
        }
    }
    out.push(String::new());
    out.push("## This week".to_string());
    out.push(String::new());
    out.push(format!("| Exercise | {} |", DAYS.join(" | ")));
    out.push(format!("|---|{}", "---|".repeat(7)));
    for (i, item) in h.items.iter().enumerate() {
        out.push(format!(
            "| {}. {} |{}",
            i + 1,
            md(&item.name),
            " [ ] |".repeat(7)
        ));
    }
    out.push(String::new());
    out.join("\n")
}

/// Markdown text: one line, with the characters Markdown would read escaped.
fn md(s: &str) -> String {
    let mut out = String::new();
    for c in clean_line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45;font-size:12pt}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.2rem;margin:1.4rem 0 .3rem}
.who{margin:0 0 1rem;padding:0}.who li{list-style:none}
.dose{font-weight:bold;font-size:1.1rem;margin:.2rem 0}.note{border-left:3px solid #999;padding-left:.6rem;white-space:pre-wrap}
section{break-inside:avoid;page-break-inside:avoid}
table{border-collapse:collapse;width:100%;margin-top:.5rem}th,td{border:1px solid #777;padding:.35rem .4rem;text-align:left}
td.box{width:2.6rem;text-align:center}td.box span{display:inline-block;width:1rem;height:1rem;border:1.5px solid #111}
@page{margin:15mm}
@media print{body{margin:0;max-width:none;font-size:11pt}}";

pub fn html(h: &HandoutData) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>Home exercise program: {}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n",
        esc(&clean_line(&h.patient_name))
    ));
    out.push_str(&format!("<h1>{TITLE}</h1>\n<ul class=\"who\">\n"));
    out.push_str(&format!(
        "<li><b>Patient:</b> {}{}</li>\n<li><b>Date:</b> {}</li>\n<li><b>Therapist:</b> {}</li>\n</ul>\n",
        esc(&clean_line(&h.patient_name)),
        mrn_part(&esc(&clean_line(&h.mrn))),
        esc(&long_date(h)),
        esc(&clean_line(&h.therapist))
    ));
    out.push_str(&format!("<p>{SAFETY}</p>\n"));
    for (i, item) in h.items.iter().enumerate() {
        out.push_str("<section>\n");
        out.push_str(&format!(
            "<h2>{}. {}</h2>\n<p class=\"dose\">{}</p>\n",
            i + 1,
            esc(&clean_line(&item.name)),
            esc(&item.dosage.plain())
        ));
        if let Some(e) = equipment_of(&item.equipment) {
            out.push_str(&format!("<p>You need: {}</p>\n", esc(&e)));
        }
        out.push_str(&format!("<p>{}</p>\n", esc(&item.instructions)));
        if let Some(note) = note_of(&item.note) {
            out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&note)));
        }
        out.push_str("</section>\n");
    }
    out.push_str("<section>\n<h2>This week</h2>\n<p>Tick a box each day you do the exercise.</p>\n<table>\n<thead><tr><th>Exercise</th>");
    for d in DAYS {
        out.push_str(&format!("<th>{d}</th>"));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, item) in h.items.iter().enumerate() {
        out.push_str(&format!(
            "<tr><td>{}. {}</td>{}</tr>\n",
            i + 1,
            esc(&clean_line(&item.name)),
            "<td class=\"box\"><span></span></td>".repeat(7)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::hep::{Dosage, HandoutItem, Side};

    fn sample() -> HandoutData {
        HandoutData {
            patient_name: "Emily Smith-Patel".into(),
            mrn: "100123".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            therapist: "Ana Ruiz".into(),
            version_no: 2,
            items: vec![
                HandoutItem {
                    name: "Straight leg raise".into(),
                    instructions: "Lie on your back with one knee bent and the other leg straight. Tighten the thigh of the straight leg and lift it to the height of the bent knee. Lower it slowly.".into(),
                    dosage: Dosage {
                        sets: Some(3),
                        reps: Some(10),
                        hold_seconds: Some(5),
                        times_per_day: Some(2),
                        days_per_week: Some(5),
                        side: Some(Side::Left),
                        load: None,
                    },
                    note: Some("Keep the knee locked.\nStop if the knee gives way.".into()),
                    equipment: "none".into(),
                },
                HandoutItem {
                    name: "Terminal knee extension".into(),
                    instructions: "Loop a band behind your knee and anchor it in front of you. Straighten the knee against the band.".into(),
                    dosage: Dosage {
                        sets: Some(2),
                        reps: Some(15),
                        hold_seconds: None,
                        times_per_day: Some(1),
                        days_per_week: Some(7),
                        side: Some(Side::Both),
                        load: Some("red band".into()),
                    },
                    note: None,
                    equipment: "resistance band".into(),
                },
            ],
        }
    }

    #[test]
    fn the_text_handout_reads_plainly() {
        insta::assert_snapshot!(text(&sample()));
    }

    #[test]
    fn html_is_escaped_and_self_contained() {
        let mut h = sample();
        h.patient_name = "<script>alert('x')</script> \u{202e}Eve".into();
        h.items[0].note = Some("a < b & \"c\"".into());
        let page = html(&h);
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(page.contains("a &lt; b &amp; &quot;c&quot;"));
        assert!(!page.contains('\u{202e}'));
        assert!(!page.contains("http"), "no external resources");
        assert_eq!(page.matches("class=\"box\"").count(), 14);
        assert!(
            page.contains("3 sets of 10, hold 5 seconds, twice a day, 5 days a week, left side")
        );
    }

    #[test]
    fn markdown_escapes_and_has_the_week() {
        let mut h = sample();
        h.items[0].name = "Leg *raise* | x".into();
        let m = markdown(&h);
        assert!(m.contains("## 1. Leg \\*raise\\* \\| x"));
        assert!(m.contains("| Exercise | Mon | Tue | Wed | Thu | Fri | Sat | Sun |"));
        assert_eq!(m.matches("[ ]").count(), 14);
    }
}

//! A plain-language progress letter to the patient: each measure of this episode said in
//! words ("Your pain went from 7 to 3 out of 10"), judged against the clinic's MCID (or the
//! form's MDC) and honest when it is worse or unchanged; the plan's goals, the activities the
//! patient named, the home program and the next visit. No codes, no diagnosis, nothing from the
//! notes: [`LetterData`] does not hold them. Plain text (for the terminal and an email's text
//! part) and one self-contained, print-friendly HTML page (an email's HTML part), composed once
//! so that both say the same. Everything from the record is cleaned; HTML is escaped.

use std::fmt::Write as _;

use crate::domain::goals::{GoalReview, GoalStatus};
use crate::domain::measures::{Better, MeasureDef};
use crate::domain::progress::{MeasurePoint, MeasureStatus, MeasureTrend};
use crate::domain::progress_letter::LetterData;
use crate::sanitize::clean_line;
// HTML text: everything from the record is cleaned and escaped.
use crate::sanitize::html as esc;
use crate::text::number as num;

/// The letter's title, and the email's subject with the clinic's name.
const TITLE: &str = "Your progress";

/// The subject line of the letter as an email: "Your progress at Riverside Physical Therapy".
pub fn subject(d: &LetterData) -> String {
    format!("{TITLE} at {}", clean_line(&d.clinic.name))
}

/// One piece of the letter, as both renderings lay it out. All text is plain and clean.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    /// Lines kept as they are (the letterhead, the signature).
    Lines(Vec<String>),
    Heading(String),
    Para(String),
    List(Vec<String>),
}

fn long_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A change as the letter rounds it (scores carry one decimal).
fn rounded(v: f64) -> f64 {
    (v * 10.0).round() / 10.0 + 0.0
}

/// A value on the measure's scale: "7 out of 10", "42%", "110 degrees".
fn amount(def: &MeasureDef, v: f64) -> String {
    match def.unit {
        "%" => format!("{}%", num(v)),
        "degrees" => format!("{} degrees", num(v)),
        _ => format!("{}{}", num(v), scale(def)),
    }
}

/// Two values on the measure's scale: "7 to 3 out of 10", "42% to 20%", "90 to 110 degrees".
fn span(def: &MeasureDef, from: f64, to: f64) -> String {
    match def.unit {
        "%" => format!("{}% to {}%", num(from), num(to)),
        "degrees" => format!("{} to {} degrees", num(from), num(to)),
        _ => format!("{} to {}{}", num(from), num(to), scale(def)),
    }
}

fn scale(def: &MeasureDef) -> String {
    if def.min == 0.0 {
        format!(" out of {}", num(def.max))
    } else {
        format!(" on a scale from {} to {}", num(def.min), num(def.max))
    }
}

/// A difference on the measure's scale in its better or worse direction: "20 degrees more
/// movement", "12 points better", "1 point worse".
fn difference(def: &MeasureDef, v: f64, better: bool) -> String {
    let one = v == 1.0;
    let points = if one { "point" } else { "points" };
    let degrees = if one { "degree" } else { "degrees" };
    match (def.unit, better) {
        ("degrees", true) => format!("{} {degrees} more movement", num(v)),
        ("degrees", false) => format!("{} {degrees} less movement", num(v)),
        (_, true) => format!("{} {points} better", num(v)),
        (_, false) => format!("{} {points} worse", num(v)),
    }
}

/// What a measure is about, as the subject of a sentence ("Your pain"), and what its best end
/// means ("0 means no pain"). `site` is the ROM series. PSFS is worded apart (its activities).
fn words(def: &MeasureDef, site: Option<&str>) -> (String, Option<&'static str>) {
    let (subject, anchor): (&str, Option<&'static str>) = match def.code {
        "NPRS" => ("Your pain", Some("0 means no pain")),
        "LEFS" => (
            "Your score for everyday activities using your legs",
            Some("80 means no difficulty at all"),
        ),
        "ODI" => (
            "How much your back pain gets in the way of daily life",
            Some("0% means not at all"),
        ),
        "NDI" => (
            "How much your neck pain gets in the way of daily life",
            Some("0 means not at all"),
        ),
        "QuickDASH" => (
            "How much trouble you have with daily tasks using your arm, shoulder or hand",
            Some("0 means no trouble at all"),
        ),
        "PSFS" => (
            "Your score for the activities you told us matter most to you",
            Some("10 means you can do them as well as before your problem began"),
        ),
        "KOOS-Pain" => ("Your knee pain score", Some("100 means no knee pain")),
        "KOOS-Symptoms" => (
            "Your score for knee symptoms such as stiffness and swelling",
            Some("100 means none"),
        ),
        "KOOS-ADL" => (
            "Your score for daily activities with your knee",
            Some("100 means no difficulty"),
        ),
        "KOOS-Sport" => (
            "Your score for sport and recreation with your knee",
            Some("100 means no difficulty"),
        ),
        "KOOS-QOL" => (
            "Your score for how your knee affects your quality of life",
            Some("100 means it does not trouble you at all"),
        ),
        "KOOS-JR" => (
            "Your knee health score",
            Some("100 means your knee gives you no trouble"),
        ),
        "HOOS-JR" => (
            "Your hip health score",
            Some("100 means your hip gives you no trouble"),
        ),
        "ROM" => return (motion_words(site.unwrap_or("")), None),
        // Every measure the clinic keeps is named above (a test holds it so); a form added
        // later still reads as a sentence, never as its code.
        _ => (
            "Your score on one of the questionnaires you filled in",
            None,
        ),
    };
    (subject.to_string(), anchor)
}

/// A ROM series ("knee flexion right", as the record keeps it: joint, motion, side) in words:
/// "How far you can bend your right knee". Words it does not know stay as they are.
fn motion_words(site: &str) -> String {
    let site = clean_line(site).to_lowercase();
    let mut parts: Vec<&str> = site.split_whitespace().collect();
    let (side, both) = match parts.last().copied() {
        Some("right") => ("right ", ""),
        Some("left") => ("left ", ""),
        Some("bilateral") => ("", " on both sides"),
        Some("midline") => ("", ""),
        _ => ("", ""),
    };
    if matches!(
        parts.last().copied(),
        Some("right" | "left" | "bilateral" | "midline")
    ) {
        parts.pop();
    }
    if parts.len() < 2 {
        return if site.trim().is_empty() {
            "How far you can move".into()
        } else {
            format!("How far you can move ({site})")
        };
    }
    let joint = match parts[0] {
        "cervical" => "neck",
        "thoracic" => "upper back",
        "lumbar" => "lower back",
        "trunk" => "back",
        other => other,
    };
    // The spine has no left and right of its own: it turns or bends to a side.
    let spine = matches!(joint, "neck" | "upper back" | "lower back" | "back");
    let (side, both) = match (spine, side) {
        (true, "right ") => ("", " to the right"),
        (true, "left ") => ("", " to the left"),
        (_, side) => (side, both),
    };
    let motion = parts[1..].join(" ");
    let (verb, tail) = match motion.as_str() {
        "flexion" => ("bend", ""),
        "extension" => ("straighten", ""),
        "abduction" => ("move", " out to the side"),
        "adduction" => ("move", " in toward your body"),
        "external rotation" => ("turn", " outward"),
        "internal rotation" => ("turn", " inward"),
        "lateral flexion" => ("bend", " to the side"),
        "rotation" => ("turn", ""),
        "dorsiflexion" => ("bend", " upward"),
        "plantarflexion" | "plantar flexion" => ("point", " downward"),
        "inversion" => ("turn", " inward"),
        "eversion" => ("turn", " outward"),
        "pronation" => ("turn", " palm down"),
        "supination" => ("turn", " palm up"),
        _ => return format!("How far you can move your {side}{joint} ({motion}){both}"),
    };
    format!("How far you can {verb} your {side}{joint}{tail}{both}")
}

/// The sentence that judges a change against the clinic's threshold.
fn verdict(m: &MeasureTrend, next_visit: bool) -> Option<String> {
    let gain = rounded(m.improvement());
    let talk = if next_visit {
        "We will talk about it with you at your next visit."
    } else {
        "Please get in touch with us so that we can talk about it."
    };
    let mdc_only = m.def.threshold == "MDC";
    Some(match m.status {
        MeasureStatus::Met if mdc_only => {
            "That is an improvement larger than the usual ups and downs: a real change.".into()
        }
        MeasureStatus::Met => "That is an improvement large enough to matter to you.".into(),
        MeasureStatus::Worse => format!(
            "That is worse than when you started, by more than the usual ups and downs. {talk}"
        ),
        MeasureStatus::NotYet if gain > 0.0 && mdc_only => {
            "That is a little better, though not yet by more than the usual ups and downs.".into()
        }
        MeasureStatus::NotYet if gain > 0.0 => "That is a little better, though not yet by as much as we look for to be sure the change matters to you.".into(),
        MeasureStatus::NotYet if gain < 0.0 => "That is a little worse, but within the usual ups and downs, so it is not a clear change.".into(),
        // No MCID to judge by (range of motion, the joint-replacement forms): the change
        // itself, in which direction, and no claim about whether it matters.
        MeasureStatus::ChangeOnly if gain > 0.0 => format!(
            "That is {} than when you started.",
            difference(&m.def, gain, true)
        ),
        MeasureStatus::ChangeOnly if gain < 0.0 => format!(
            "That is {} than when you started. {talk}",
            difference(&m.def, -gain, false)
        ),
        // No change: the sentence before says it is the same.
        _ => return None,
    })
}

/// "Your pain went from 7 to 3 out of 10 (0 means no pain)." and its verdict.
fn measure_sentence(subject: &str, anchor: Option<&str>, m: &MeasureTrend, next: bool) -> String {
    let anchor = anchor.map(|a| format!(" ({a})")).unwrap_or_default();
    let mut s = if rounded(m.latest - m.initial) == 0.0 {
        format!(
            "{subject} is {}{anchor}, the same as when you started.",
            amount(&m.def, m.latest)
        )
    } else {
        format!(
            "{subject} went from {}{anchor}.",
            span(&m.def, m.initial, m.latest)
        )
    };
    if let Some(v) = verdict(m, next) {
        s.push(' ');
        s.push_str(&v);
    }
    s
}

/// The activities a patient named on the PSFS, in their words: the detail split at `;` (else
/// at `,`), empty pieces dropped.
fn activities(detail: Option<&str>) -> Vec<String> {
    let Some(detail) = detail else {
        return Vec::new();
    };
    let sep = if detail.contains(';') { ';' } else { ',' };
    detail
        .split(sep)
        .map(clean_line)
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The item answers stored with a point (one per PSFS activity), None where one was skipped.
fn item_answers(p: &MeasurePoint) -> Vec<Option<f64>> {
    p.items
        .as_deref()
        .and_then(|t| serde_json::from_str::<Vec<Option<f64>>>(t).ok())
        .unwrap_or_default()
}

/// The PSFS in the patient's words: each activity they named with its score then and now
/// (where the first and latest forms scored the same activities), and the average.
fn psfs_blocks(m: &MeasureTrend, next: bool) -> Vec<Block> {
    let first = &m.points[0];
    let last = &m.points[m.points.len() - 1];
    let named = activities(first.detail.as_deref());
    let same = match last.detail.as_deref() {
        None => true,
        Some(d) => {
            let later = activities(Some(d));
            later.len() == named.len()
                && later
                    .iter()
                    .zip(&named)
                    .all(|(a, b)| a.to_lowercase() == b.to_lowercase())
        }
    };
    let (was, now) = (item_answers(first), item_answers(last));
    let scored = same && !named.is_empty() && was.len() == named.len() && now.len() == named.len();
    let mut out = Vec::new();
    match named.len() {
        0 => {
            let (subject, anchor) = words(&m.def, None);
            out.push(Block::Para(measure_sentence(&subject, anchor, m, next)));
        }
        1 => {
            let subject = format!(
                "Your score for {}, the activity you told us matters most to you,",
                named[0]
            );
            out.push(Block::Para(measure_sentence(
                &subject,
                Some("10 means you can do it as well as before your problem began"),
                m,
                next,
            )));
        }
        _ => {
            out.push(Block::Para(
                "You told us these activities matter most to you:".into(),
            ));
            let lines = named
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    match (
                        scored,
                        was.get(i).copied().flatten(),
                        now.get(i).copied().flatten(),
                    ) {
                        (true, Some(w), Some(n)) if rounded(n - w) == 0.0 => {
                            format!("{a}: {} out of 10, the same as at the start", num(w))
                        }
                        (true, Some(w), Some(n)) => {
                            format!("{a}: from {} to {} out of 10", num(w), num(n))
                        }
                        _ => a.clone(),
                    }
                })
                .collect();
            out.push(Block::List(lines));
            out.push(Block::Para(measure_sentence(
                "On average, your score for them",
                Some("10 means you can do them as well as before your problem began"),
                m,
                next,
            )));
        }
    }
    out
}

/// A goal in words: the words it was set in, else its target said plainly ("Your pain: 3 out
/// of 10 or lower").
fn goal_words(r: &GoalReview) -> String {
    let said = clean_line(&r.goal.description);
    if !said.trim().is_empty() {
        return format!("“{}”", said.trim());
    }
    match (&r.def, &r.goal.target) {
        (Some(def), Some(t)) => {
            let (subject, _) = words(def, t.detail.as_deref());
            let way = match def.better {
                Better::Lower => "or lower",
                Better::Higher => "or higher",
            };
            format!("{subject}: {} {way}", amount(def, t.value))
        }
        _ => "A goal set with your therapist".into(),
    }
}

/// A goal with, while it is ahead, the day it aims at, and for a measured goal where it is now.
fn goal_line(r: &GoalReview, reached: bool, today: chrono::NaiveDate) -> String {
    let mut s = goal_words(r);
    let now = match (&r.def, r.latest) {
        (Some(def), Some((_, v))) => Some(format!("now {}", amount(def, v))),
        _ => None,
    };
    let by = (!reached && r.goal.target_on >= today)
        .then(|| format!("by {}", long_date(r.goal.target_on)));
    let extra: Vec<String> = by.into_iter().chain(now).collect();
    if !extra.is_empty() {
        let _ = write!(s, " ({})", extra.join("; "));
    }
    s
}

fn goal_blocks(goals: &[GoalReview], today: chrono::NaiveDate) -> Vec<Block> {
    if goals.is_empty() {
        return Vec::new();
    }
    let pick = |keep: &dyn Fn(GoalStatus) -> bool, reached: bool| -> Vec<String> {
        goals
            .iter()
            .filter(|g| keep(g.status))
            .map(|g| goal_line(g, reached, today))
            .collect()
    };
    let reached = pick(&|s| s == GoalStatus::Met, true);
    let working = pick(
        &|s| {
            matches!(
                s,
                GoalStatus::Progressing | GoalStatus::NoMeasureYet | GoalStatus::NotAssessed
            )
        },
        false,
    );
    let not_yet = pick(&|s| s == GoalStatus::NotMet, false);
    let mut out = vec![Block::Heading("Your goals".into())];
    for (intro, lines) in [
        ("Goals you have reached:", reached),
        ("Goals you are working toward:", working),
        (
            "Goals not reached yet, which we will look at again with you:",
            not_yet,
        ),
    ] {
        if !lines.is_empty() {
            out.push(Block::Para(intro.into()));
            out.push(Block::List(lines));
        }
    }
    out
}

/// The letter, composed once for both renderings.
fn compose(d: &LetterData) -> Vec<Block> {
    let clinic = clean_line(&d.clinic.name);
    let first = clean_line(&d.first_name);
    let next = d.next_visit.is_some();
    let mut out = vec![
        Block::Lines(vec![clinic.clone(), long_date(d.date)]),
        Block::Para(if first.trim().is_empty() {
            "Hello,".into()
        } else {
            format!("Dear {},", first.trim())
        }),
        Block::Para(match d.since {
            Some(since) => format!(
                "Here is how your physical therapy is going since your first visit on {}.",
                long_date(since)
            ),
            None => "Here is how your physical therapy is going.".into(),
        }),
    ];
    let (compared, once): (Vec<&MeasureTrend>, Vec<&MeasureTrend>) =
        d.measures.iter().partition(|m| m.points.len() >= 2);
    let compare_when = if next {
        "at your next visit"
    } else {
        "when we measure again"
    };
    out.push(Block::Heading("How you are doing".into()));
    if compared.is_empty() {
        out.push(Block::Para(format!(
            "We have not measured your progress twice yet, so there is nothing to compare so far. We will compare {compare_when}."
        )));
    }
    for m in &compared {
        if m.def.code == "PSFS" {
            out.extend(psfs_blocks(m, next));
        } else {
            let (subject, anchor) = words(&m.def, m.site.as_deref());
            out.push(Block::Para(measure_sentence(&subject, anchor, m, next)));
        }
    }
    if !once.is_empty() {
        out.push(Block::Para(format!(
            "We have measured {} once so far, and will compare {compare_when}:",
            if once.len() == 1 { "this" } else { "these" }
        )));
        out.push(Block::List(
            once.iter()
                .map(|m| {
                    let p = &m.points[0];
                    let subject = match (m.def.code, activities(p.detail.as_deref()).as_slice()) {
                        ("PSFS", [one]) => format!("Your score for {one}"),
                        ("PSFS", named) if !named.is_empty() => format!(
                            "Your score for the activities you told us matter most to you ({})",
                            named.join(", ")
                        ),
                        _ => words(&m.def, m.site.as_deref()).0,
                    };
                    format!(
                        "{subject}: {} on {}",
                        amount(&m.def, p.value),
                        long_date(p.date)
                    )
                })
                .collect(),
        ));
    }
    out.extend(goal_blocks(&d.goals, d.date));
    if !d.program.is_empty() {
        out.push(Block::Heading("Your home exercises".into()));
        out.push(Block::Para(
            "Please keep doing your home exercises as your therapist showed you:".into(),
        ));
        out.push(Block::List(
            d.program
                .iter()
                .map(|p| format!("{}: {}", clean_line(&p.name), p.dosage.plain()))
                .collect(),
        ));
    }
    if let Some(at) = d.next_visit {
        out.push(Block::Para(format!(
            "Your next visit is on {}.",
            at.format("%A %-d %B %Y at %H:%M")
        )));
    }
    let phone = d.clinic.phone.as_deref().map(clean_line);
    out.push(Block::Para(match (next, phone) {
        (true, Some(p)) => format!(
            "If you have any questions, please ask us at your next visit or call us on {p}."
        ),
        (true, None) => "If you have any questions, please ask us at your next visit.".into(),
        (false, Some(p)) => format!("If you have any questions, please call us on {p}."),
        (false, None) => "If you have any questions, please get in touch with us.".into(),
    }));
    let mut sign = vec!["Kind regards,".to_string()];
    if let Some(t) = d.therapist.as_deref().map(clean_line) {
        sign.push(t);
    }
    sign.push(clinic);
    out.push(Block::Lines(sign));
    out
}

/// The letter as plain text, wrapped at 72 columns.
pub fn text(d: &LetterData) -> String {
    let mut out: Vec<String> = Vec::new();
    for block in compose(d) {
        if !out.is_empty() {
            out.push(String::new());
        }
        match block {
            Block::Lines(lines) => out.extend(lines),
            Block::Heading(h) => {
                out.push(h.clone());
                out.push("-".repeat(crate::text::width(&h)));
            }
            Block::Para(p) => out.extend(super::handout::wrap(&p, 72, "")),
            Block::List(items) => {
                for item in items {
                    let mut lines = super::handout::wrap(&item, 68, "    ");
                    if let Some(first) = lines.first_mut() {
                        *first = format!("  - {}", first.trim_start());
                    }
                    out.extend(lines);
                }
            }
        }
    }
    out.push(String::new());
    out.join("\n")
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.5;font-size:12pt}
h2{font-size:1.15rem;margin:1.4rem 0 .3rem}
.letterhead{margin-bottom:1.5rem}.letterhead b{font-size:1.2rem}
ul{padding-left:1.4rem}li{margin:.2rem 0}
.signature{margin-top:1.5rem}
@page{margin:20mm}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}}";

/// The letter as one self-contained, print-friendly HTML page (an email's HTML part): the
/// same words as [`text`].
pub fn html(d: &LetterData) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = write!(
        out,
        "<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n",
        esc(&subject(d))
    );
    let blocks = compose(d);
    let last = blocks.len().saturating_sub(1);
    for (i, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Lines(lines) => {
                let (class, head) = if i == 0 {
                    ("letterhead", true)
                } else {
                    (if i == last { "signature" } else { "lines" }, false)
                };
                let body: Vec<String> = lines
                    .iter()
                    .enumerate()
                    .map(|(j, l)| {
                        if head && j == 0 {
                            format!("<b>{}</b>", esc(l))
                        } else {
                            esc(l)
                        }
                    })
                    .collect();
                let _ = writeln!(out, "<p class=\"{class}\">{}</p>", body.join("<br>\n"));
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "<h2>{}</h2>", esc(&h));
            }
            Block::Para(p) => {
                let _ = writeln!(out, "<p>{}</p>", esc(&p));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", esc(&item));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::flags::{THRESHOLDS, Terms};
    use crate::domain::goals::{Goal, MeasureTarget, PlanGoals, Term};
    use crate::domain::hep::{HandoutData, HandoutItem};
    use crate::domain::measures::{MEASURES, measure};
    use crate::domain::messages::ClinicContact;
    use crate::domain::plan_of_care::PlanOfCare;
    use crate::domain::progress::{Assessment, ProgressInput, VisitSummary, build};
    use crate::domain::signing::NoteSigning;
    use crate::domain::{AppointmentStatus, VisitKind};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const DIAGNOSIS_CODE: &str = "M17.11";
    const DIAGNOSIS: &str = "Unilateral primary osteoarthritis, right knee";
    const NOTE: &str = "Pt guarded with SLR; quad lag noted, cont POC";
    const MEASURE_NOTE: &str = "pt distracted, retest";

    /// A measurement as the record holds it: (code, day, value, detail, items as JSON).
    type Taken<'a> = (&'a str, &'a str, f64, Option<&'a str>, Option<&'a str>);

    fn visit(id: i64, day: &str, kind: VisitKind, status: AppointmentStatus) -> VisitSummary {
        VisitSummary {
            id,
            start: d(day).and_hms_opt(10, 0, 0).unwrap(),
            minutes: 45,
            kind,
            status,
            therapist_initials: "AR".into(),
            progress_report: false,
        }
    }

    /// A patient evaluated on 2 November with a diagnosis, a written assessment and a visit
    /// booked for 1 December, as of 27 November, with these measurements and goals.
    fn data(taken: &[Taken], goals: Vec<GoalReview>, program: bool) -> LetterData {
        let mut patient = crate::tui::fixtures::patient(10, "100123", "Maria", "Lopez");
        patient.diagnosis_code = Some(DIAGNOSIS_CODE.into());
        patient.diagnosis = Some(DIAGNOSIS.into());
        patient.payer = Some("Medicare".into());
        let points = taken
            .iter()
            .enumerate()
            .map(|(i, (code, day, value, detail, items))| {
                (
                    code.to_string(),
                    MeasurePoint {
                        id: i as i64 + 1,
                        date: d(day),
                        value: *value,
                        detail: detail.map(str::to_string),
                        items: items.map(str::to_string),
                        appointment_id: None,
                    },
                )
            })
            .collect();
        let input = ProgressInput {
            patient,
            visits: vec![
                visit(
                    1,
                    "2026-11-02",
                    VisitKind::Evaluation,
                    AppointmentStatus::Completed,
                ),
                visit(
                    2,
                    "2026-11-20",
                    VisitKind::Treatment,
                    AppointmentStatus::Completed,
                ),
                visit(
                    3,
                    "2026-12-01",
                    VisitKind::Treatment,
                    AppointmentStatus::Scheduled,
                ),
            ],
            points,
            adherence: None,
            latest_assessment: Some(Assessment {
                date: d("2026-11-20"),
                appointment_id: 2,
                kind: VisitKind::Treatment,
                text: NOTE.into(),
                signing: NoteSigning::default(),
            }),
            terms: Terms::default(),
            plans: Vec::new(),
            authorizations: Vec::new(),
            defs: MEASURES.to_vec(),
        };
        let mut progress = build(input, d("2026-11-27"), &THRESHOLDS);
        progress.goals = Some(PlanGoals {
            plan: plan(),
            goals,
        });
        let program = program.then(|| HandoutData {
            patient_name: "Maria Lopez".into(),
            mrn: "100123".into(),
            date: d("2026-11-27"),
            therapist: "Ana Ruiz".into(),
            version_no: 1,
            items: vec![HandoutItem {
                name: "Straight leg raise".into(),
                instructions: "Lie on your back and lift the straight leg.".into(),
                dosage: crate::domain::hep::Dosage {
                    sets: Some(3),
                    reps: Some(10),
                    hold_seconds: None,
                    times_per_day: Some(1),
                    days_per_week: Some(7),
                    side: None,
                    load: None,
                },
                note: Some("Watch the quad lag".into()),
                equipment: "none".into(),
            }],
        });
        LetterData::new(
            progress,
            ClinicContact {
                name: "Riverside Physical Therapy".into(),
                phone: Some("(555) 010-2000".into()),
            },
            Some("Ana Ruiz".into()),
            program,
        )
    }

    fn plan() -> PlanOfCare {
        PlanOfCare {
            id: 1,
            patient_id: 10,
            starts_on: d("2026-11-02"),
            ends_on: d("2027-01-30"),
            visits_per_week: Some(2),
            weeks: Some(8),
            physician: Some("Dr. Rosa Alvarez".into()),
            certified_on: None,
            delay_reason: None,
            recertifies: None,
            version: 1,
        }
    }

    fn goal(
        description: &str,
        target: Option<(&str, f64)>,
        by: &str,
        status: GoalStatus,
        latest: Option<f64>,
    ) -> GoalReview {
        GoalReview {
            goal: Goal {
                id: 1,
                plan_id: 1,
                term: Term::Short,
                description: description.into(),
                target: target.map(|(code, value)| MeasureTarget {
                    code: code.into(),
                    detail: None,
                    value,
                }),
                target_on: d(by),
                assessed: None,
                assessed_on: None,
                version: 1,
            },
            def: target.map(|(code, _)| *measure(code).unwrap()),
            status,
            latest: latest.map(|v| (d("2026-11-20"), v)),
        }
    }

    /// Text and HTML both.
    fn both(l: &LetterData) -> [String; 2] {
        [text(l), html(l)]
    }

    /// The letter's text on one line, for phrases that wrapping may break.
    fn flat(l: &LetterData) -> String {
        text(l).split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn an_improvement_meeting_the_mcid_says_it_matters() {
        let l = data(
            &[
                ("LEFS", "2026-11-02", 30.0, None, None),
                ("LEFS", "2026-11-20", 45.0, None, None),
            ],
            Vec::new(),
            false,
        );
        let t = flat(&l);
        assert!(
            t.contains("Your score for everyday activities using your legs went from 30 to 45 out of 80 (80 means no difficulty at all). That is an improvement large enough to matter to you."),
            "{t}"
        );
        // Just under the MCID (9) is better, and said to be not yet enough.
        let l = data(
            &[
                ("LEFS", "2026-11-02", 30.0, None, None),
                ("LEFS", "2026-11-20", 38.0, None, None),
            ],
            Vec::new(),
            false,
        );
        let t = flat(&l);
        assert!(t.contains("went from 30 to 38 out of 80"), "{t}");
        assert!(
            t.contains("a little better, though not yet by as much"),
            "{t}"
        );
        assert!(!t.contains("large enough to matter"), "{t}");
    }

    #[test]
    fn lower_is_better_measures_read_their_way() {
        let l = data(
            &[
                ("NPRS", "2026-11-02", 7.0, None, None),
                ("ODI", "2026-11-02", 40.0, None, None),
                ("NPRS", "2026-11-20", 3.0, None, None),
                ("ODI", "2026-11-20", 22.0, None, None),
            ],
            Vec::new(),
            false,
        );
        let t = flat(&l);
        assert!(
            t.contains("Your pain went from 7 to 3 out of 10 (0 means no pain). That is an improvement large enough to matter to you."),
            "{t}"
        );
        assert!(
            t.contains("How much your back pain gets in the way of daily life went from 40% to 22% (0% means not at all). That is an improvement large enough to matter to you."),
            "{t}"
        );
    }

    #[test]
    fn worse_and_unchanged_are_said_honestly() {
        let l = data(
            &[
                ("NPRS", "2026-11-02", 4.0, None, None),
                ("NPRS", "2026-11-20", 7.0, None, None),
                ("ODI", "2026-11-02", 30.0, None, None),
                ("ODI", "2026-11-20", 30.0, None, None),
                ("NDI", "2026-11-02", 20.0, None, None),
                ("NDI", "2026-11-20", 26.0, None, None),
            ],
            Vec::new(),
            false,
        );
        let t = flat(&l);
        assert!(
            t.contains("Your pain went from 4 to 7 out of 10 (0 means no pain). That is worse than when you started, by more than the usual ups and downs. We will talk about it with you at your next visit."),
            "{t}"
        );
        assert!(
            t.contains("is 30% (0% means not at all), the same as when you started."),
            "{t}"
        );
        // Worse by 6, inside NDI's MDC (10.2): not called a real worsening.
        assert!(
            t.contains("went from 20 to 26 out of 50 (0 means not at all). That is a little worse, but within the usual ups and downs, so it is not a clear change."),
            "{t}"
        );
        assert!(!t.contains("improvement"), "{t}");

        // Without an MCID the change is given as it is; without a visit booked the patient
        // is asked to get in touch.
        let mut l = data(
            &[
                ("HOOS-JR", "2026-11-02", 60.0, None, None),
                ("HOOS-JR", "2026-11-20", 55.0, None, None),
                ("ROM", "2026-11-02", 120.0, Some("hip flexion left"), None),
                ("ROM", "2026-11-20", 119.0, Some("hip flexion left"), None),
            ],
            Vec::new(),
            false,
        );
        l.next_visit = None;
        let t = flat(&l);
        assert!(
            t.contains("Your hip health score went from 60 to 55 out of 100 (100 means your hip gives you no trouble). That is 5 points worse than when you started. Please get in touch with us so that we can talk about it."),
            "{t}"
        );
        assert!(
            t.contains("How far you can bend your left hip went from 120 to 119 degrees. That is 1 degree less movement than when you started."),
            "{t}"
        );
        assert!(!t.contains("next visit"), "{t}");
    }

    #[test]
    fn psfs_activities_are_the_patients_own_words() {
        let l = data(
            &[
                (
                    "PSFS",
                    "2026-11-02",
                    3.0,
                    Some("walking 30 minutes; climbing stairs; lifting my grandson"),
                    Some("[3,4,2]"),
                ),
                ("PSFS", "2026-11-20", 6.7, None, Some("[7,8,5]")),
            ],
            Vec::new(),
            false,
        );
        let t = text(&l);
        assert!(
            t.contains("You told us these activities matter most to you:"),
            "{t}"
        );
        assert!(
            t.contains("  - walking 30 minutes: from 3 to 7 out of 10\n"),
            "{t}"
        );
        assert!(
            t.contains("  - climbing stairs: from 4 to 8 out of 10\n"),
            "{t}"
        );
        assert!(
            t.contains("  - lifting my grandson: from 2 to 5 out of 10\n"),
            "{t}"
        );
        let t = flat(&l);
        assert!(
            t.contains("On average, your score for them went from 3 to 6.7 out of 10"),
            "{t}"
        );
        // The form's own threshold is an MDC: a real change, not a claim about what matters.
        assert!(
            t.contains("larger than the usual ups and downs: a real change"),
            "{t}"
        );

        // One activity named: the sentence is about it.
        let l = data(
            &[
                ("PSFS", "2026-11-02", 3.0, Some("walking 30 minutes"), None),
                ("PSFS", "2026-11-20", 8.0, Some("walking 30 minutes"), None),
            ],
            Vec::new(),
            false,
        );
        let t = flat(&l);
        assert!(
            t.contains("Your score for walking 30 minutes, the activity you told us matters most to you, went from 3 to 8 out of 10 (10 means you can do it as well as before your problem began)."),
            "{t}"
        );

        // Other activities named later: only the average is compared, each named as given.
        let l = data(
            &[
                (
                    "PSFS",
                    "2026-11-02",
                    3.0,
                    Some("gardening, driving"),
                    Some("[3,3]"),
                ),
                (
                    "PSFS",
                    "2026-11-20",
                    4.0,
                    Some("running, driving"),
                    Some("[4,4]"),
                ),
            ],
            Vec::new(),
            false,
        );
        let t = text(&l);
        assert!(t.contains("  - gardening\n  - driving\n"), "{t}");
        assert!(!t.contains("from 3 to 4 out of 10\n"), "{t}");
    }

    #[test]
    fn no_codes_no_diagnosis_and_nothing_from_the_notes() {
        let l = data(
            &[
                ("NPRS", "2026-11-02", 7.0, Some(MEASURE_NOTE), None),
                ("NPRS", "2026-11-20", 3.0, None, None),
                (
                    "ODI",
                    "2026-11-02",
                    40.0,
                    None,
                    Some("[1,2,3,4,5,1,2,3,4,5]"),
                ),
                ("ODI", "2026-11-20", 22.0, None, None),
                ("PSFS", "2026-11-02", 3.0, Some("walking"), None),
                ("PSFS", "2026-11-20", 6.0, None, None),
                ("ROM", "2026-11-02", 90.0, Some("knee flexion right"), None),
                ("ROM", "2026-11-20", 115.0, Some("knee flexion right"), None),
            ],
            vec![
                goal(
                    "",
                    Some(("NPRS", 3.0)),
                    "2026-12-10",
                    GoalStatus::Met,
                    Some(3.0),
                ),
                goal(
                    "",
                    Some(("ODI", 20.0)),
                    "2027-01-10",
                    GoalStatus::Progressing,
                    Some(22.0),
                ),
            ],
            true,
        );
        for out in both(&l) {
            for never in [
                DIAGNOSIS_CODE,
                DIAGNOSIS,
                "osteoarthritis",
                NOTE,
                "guarded",
                MEASURE_NOTE,
                "Watch the quad lag",
                "100123",
                "Medicare",
                "Lopez",
                "Dr. Rosa",
                "MRN",
                "NPRS",
                "ODI",
                "PSFS",
                "ROM",
                "MCID",
                "MDC",
                "Oswestry",
                "Numeric Pain",
                "Range of motion",
                "flexion",
                "≤",
                "≥",
            ] {
                assert!(!out.contains(never), "{never:?} in\n{out}");
            }
        }
        let t = flat(&l);
        assert!(
            t.contains("How far you can bend your right knee went from 90 to 115 degrees. That is 25 degrees more movement than when you started."),
            "{t}"
        );
        assert!(
            t.contains(
                "Goals you have reached: - Your pain: 3 out of 10 or lower (now 3 out of 10)"
            ),
            "{t}"
        );
        assert!(
            t.contains("How much your back pain gets in the way of daily life: 20% or lower (by 10 January 2027; now 22%)"),
            "{t}"
        );
        assert!(
            t.contains("Straight leg raise: 3 sets of 10, once a day, every day"),
            "{t}"
        );
        assert!(
            text(&l).starts_with("Riverside Physical Therapy\n27 November 2026\n\nDear Maria,\n"),
            "{t}"
        );
        assert!(
            t.ends_with("Kind regards, Ana Ruiz Riverside Physical Therapy"),
            "{t}"
        );
        assert!(
            t.contains("Your next visit is on Tuesday 1 December 2026 at 10:00."),
            "{t}"
        );
        assert!(t.contains("call us on (555) 010-2000"), "{t}");
    }

    #[test]
    fn a_patient_measured_once_or_not_at_all_gets_a_short_honest_letter() {
        for taken in [Vec::new(), vec![("NPRS", "2026-11-02", 6.0, None, None)]] {
            let l = data(&taken, Vec::new(), false);
            for out in both(&l) {
                let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(out.contains("We have not measured your progress twice yet, so there is nothing to compare so far. We will compare at your next visit."), "{out}");
                for never in ["went from", "improvement", "worse", "NaN", "inf", "%"] {
                    assert!(!out.contains(never), "{never:?} in\n{out}");
                }
            }
            let t = flat(&l);
            assert_eq!(
                t.contains("We have measured this once so far, and will compare at your next visit: - Your pain: 6 out of 10 on 2 November 2026"),
                !taken.is_empty(),
                "{t}"
            );
        }
        // An earlier episode's values claim nothing about this one.
        let l = data(
            &[
                ("NPRS", "2026-06-01", 8.0, None, None),
                ("NPRS", "2026-07-01", 2.0, None, None),
            ],
            Vec::new(),
            false,
        );
        assert!(l.measures.is_empty());
        assert!(!flat(&l).contains("Your pain"), "{}", flat(&l));
    }

    #[test]
    fn goals_are_grouped_by_where_they_stand() {
        let l = data(
            &[],
            vec![
                goal(
                    "Walks to the mailbox without a cane",
                    None,
                    "2026-12-20",
                    GoalStatus::Met,
                    None,
                ),
                goal(
                    "I want to dance at my daughter's wedding",
                    None,
                    "2027-01-20",
                    GoalStatus::NotAssessed,
                    None,
                ),
                goal(
                    "",
                    Some(("NPRS", 2.0)),
                    "2026-11-20",
                    GoalStatus::NotMet,
                    Some(5.0),
                ),
            ],
            false,
        );
        let t = flat(&l);
        assert!(
            t.contains("Goals you have reached: - “Walks to the mailbox without a cane”"),
            "{t}"
        );
        assert!(
            t.contains("Goals you are working toward: - “I want to dance at my daughter's wedding” (by 20 January 2027)"),
            "{t}"
        );
        // A goal whose day has passed is not given that day again.
        assert!(
            t.contains("Goals not reached yet, which we will look at again with you: - Your pain: 2 out of 10 or lower (now 5 out of 10)"),
            "{t}"
        );
    }

    #[test]
    fn html_escapes_everything_and_is_self_contained() {
        let mut l = data(
            &[
                ("NPRS", "2026-11-02", 7.0, None, None),
                ("NPRS", "2026-11-20", 3.0, None, None),
            ],
            vec![goal(
                "<b>run</b> & \"jump\"",
                None,
                "2027-01-20",
                GoalStatus::Progressing,
                None,
            )],
            true,
        );
        l.first_name = "<script>alert('x')</script>\u{202e}Eve".into();
        l.clinic.name = "Smith & Sons <PT>".into();
        let page = html(&l);
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<style>"));
        assert!(
            !page.contains("<script>") && !page.contains("<b>run"),
            "{page}"
        );
        assert!(
            page.contains("Dear &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;Eve,"),
            "{page}"
        );
        assert!(
            page.contains("<title>Your progress at Smith &amp; Sons &lt;PT&gt;</title>"),
            "{page}"
        );
        assert!(
            page.contains("“&lt;b&gt;run&lt;/b&gt; &amp; &quot;jump&quot;”"),
            "{page}"
        );
        assert!(!page.contains('\u{202e}') && !text(&l).contains('\u{202e}'));
        for external in ["http", "src=", "href=", "url("] {
            assert!(!page.contains(external), "{external}: self-contained");
        }
        // The same words as the text letter, paragraph by paragraph.
        assert!(page.contains("<p>Your pain went from 7 to 3 out of 10 (0 means no pain). That is an improvement large enough to matter to you.</p>"), "{page}");
        assert!(page.contains("<li>Straight leg raise: 3 sets of 10, once a day, every day</li>"));
        assert_eq!(subject(&l), "Your progress at Smith & Sons <PT>");
    }

    #[test]
    fn every_measure_has_plain_words_and_rom_reads_as_movement() {
        for def in MEASURES {
            let (subject, _) = words(def, Some("knee flexion right"));
            assert!(
                !subject.contains("questionnaires"),
                "{} has no words",
                def.code
            );
            assert!(!subject.contains(def.code), "{subject}");
        }
        assert_eq!(
            motion_words("knee flexion right"),
            "How far you can bend your right knee"
        );
        assert_eq!(
            motion_words("shoulder external rotation left"),
            "How far you can turn your left shoulder outward"
        );
        assert_eq!(
            motion_words("cervical rotation left"),
            "How far you can turn your neck to the left"
        );
        assert_eq!(
            motion_words("hip abduction bilateral"),
            "How far you can move your hip out to the side on both sides"
        );
        assert_eq!(
            motion_words("ankle circumduction right"),
            "How far you can move your right ankle (circumduction)"
        );
        assert_eq!(motion_words(""), "How far you can move");
    }

    #[test]
    fn the_letter_reads_plainly() {
        let l = data(
            &[
                ("NPRS", "2026-11-02", 7.0, None, None),
                ("NPRS", "2026-11-20", 3.0, None, None),
                ("LEFS", "2026-11-02", 32.0, None, None),
                ("LEFS", "2026-11-20", 36.0, None, None),
                (
                    "PSFS",
                    "2026-11-02",
                    2.5,
                    Some("walking 30 minutes; climbing stairs"),
                    Some("[3,2]"),
                ),
                ("PSFS", "2026-11-20", 6.0, None, Some("[7,5]")),
            ],
            vec![
                goal(
                    "",
                    Some(("NPRS", 3.0)),
                    "2026-12-01",
                    GoalStatus::Met,
                    Some(3.0),
                ),
                goal(
                    "Climbs a flight of stairs step over step without a rail",
                    None,
                    "2027-01-10",
                    GoalStatus::Progressing,
                    None,
                ),
            ],
            true,
        );
        insta::assert_snapshot!(text(&l));
    }
}

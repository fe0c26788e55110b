//! `ptclinic report billing [--date D] [--json] [--out FILE]`: each attended visit of a day
//! (checked in or completed) with its procedure codes and the units they bill under the payer
//! rule in force (`billing_rule`, default Medicare). It names patients, so it is audited
//! ("report.billing", one row per visit shown) once it is written.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::Who;
use crate::db::visit_notes::BillingVisit;
use crate::domain::billing::{Bill, BillingRule, bill};
use crate::error::AppResult;
use crate::sanitize::{clean_line, path_for_message};

pub fn run(
    settings: &Settings,
    date: Option<&str>,
    json_out: bool,
    out: Option<&Path>,
) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    super::check_out_folder(out)?;
    let rule = settings.billing_rule;
    let mut db = super::open_clinic(settings)?;
    let visits = db.billing_day(day, rule)?;
    let text = if json_out {
        format!("{:#}\n", to_json(&visits))
    } else {
        text(&visits, day, rule)
    };
    let ids: Vec<i64> = visits.iter().map(|v| v.visit.id).collect();
    let at = crate::clock::stamp(settings.clock.now());
    super::disclose(out, &text, || {
        if ids.is_empty() {
            // No patient named, nothing disclosed.
            return Ok(());
        }
        db.log_visits_report(
            "report.billing",
            &ids,
            &json!({
                "date": day.to_string(),
                "visits": ids.len(),
                "format": if json_out { "json" } else { "text" },
                "to_file": out.is_some(),
                "rule": rule.as_str(),
            }),
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote the billing report of {day} ({} visits) to {}.",
            ids.len(),
            path_for_message(path)
        );
    }
    Ok(())
}

fn bill_of(v: &BillingVisit) -> Bill {
    bill(v.procedures.as_deref().unwrap_or_default(), v.rule)
}

/// `[{appointment, patient, mrn, therapist, lines: [{code, minutes, units, timed}],
/// total_timed_minutes, total_units}]`; an untimed line's minutes are null and its units its
/// count (none for a code Medicare bundles, under the Medicare rule); `rule` is the patient's
/// payer's (`medicare` or `ama`).
pub fn to_json(visits: &[BillingVisit]) -> Value {
    visits
        .iter()
        .map(|v| {
            let b = bill_of(v);
            json!({
                "appointment": v.visit.id,
                "patient": clean_line(&v.visit.patient_name),
                "mrn": clean_line(&v.visit.mrn),
                "therapist": clean_line(&v.visit.therapist_name),
                "lines": b.codes.iter().map(|c| json!({
                    "code": clean_line(&c.code),
                    "minutes": c.minutes,
                    "units": c.units,
                    "timed": c.timed(),
                })).collect::<Vec<_>>(),
                "total_timed_minutes": b.total_timed_minutes,
                "total_units": b.total_units,
                "rule": v.rule.as_str(),
            })
        })
        .collect()
}

fn units(n: u32) -> String {
    format!("{n} unit{}", if n == 1 { "" } else { "s" })
}

/// For people: a heading, then one block per visit.
pub fn text(visits: &[BillingVisit], day: NaiveDate, rule: BillingRule) -> String {
    let mut s = format!(
        "Billing, {} ({}): {} attended visit{}\n",
        day.format("%A %-d %B %Y"),
        rule.label(),
        visits.len(),
        if visits.len() == 1 { "" } else { "s" }
    );
    if visits.is_empty() {
        s.push_str("\nNo visit was checked in or completed on this day.\n");
    }
    // The description column is as wide as the longest description shown.
    let width = visits
        .iter()
        .flat_map(|v| bill_of(v).codes)
        .map(|c| c.procedure.map_or(37, |p| p.description.chars().count()))
        .max()
        .unwrap_or(0);
    let (mut minutes, mut all) = (0, 0);
    for v in visits {
        let b = bill_of(v);
        minutes += b.total_timed_minutes;
        all += b.total_units;
        let _ = writeln!(
            s,
            "\nVisit {}  {}  {}  MRN {}  {}  {}{}",
            v.visit.id,
            v.visit.start.format("%H:%M"),
            clean_line(&v.visit.patient_name),
            clean_line(&v.visit.mrn),
            clean_line(&v.visit.therapist_name),
            v.visit.kind.label(),
            // The heading names the rule of unlisted payers; a payer's own is named here.
            if v.rule == rule {
                String::new()
            } else {
                format!("  ({})", v.rule.label())
            }
        );
        match &v.procedures {
            None => s.push_str("  no note yet: nothing to bill\n"),
            Some(lines) if lines.is_empty() => s.push_str("  no procedures in the note\n"),
            Some(_) => {}
        }
        for c in &b.codes {
            let what = match c.procedure {
                None => "not a code ptclinic knows: not billed".to_string(),
                Some(p) => p.description.to_string(),
            };
            let amount = match (c.minutes, c.count) {
                (Some(m), _) => format!("{m} min"),
                (None, n) => format!("x{}", n.unwrap_or(0)),
            };
            let billed = if c.bundled(v.rule) {
                "bundled: no unit".to_string()
            } else {
                units(c.units)
            };
            let _ = writeln!(
                s,
                "  {:<6} {:<width$} {:>7}  {billed}",
                clean_line(&c.code),
                what,
                amount
            );
        }
        if !b.codes.is_empty() {
            let _ = writeln!(
                s,
                "  Total: {} timed minutes, {}",
                b.total_timed_minutes,
                units(b.total_units)
            );
        }
    }
    if !visits.is_empty() {
        let _ = writeln!(s, "\nDay total: {minutes} timed minutes, {}", units(all));
    }
    s
}

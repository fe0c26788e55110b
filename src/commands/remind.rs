//! `ptclinic remind`: sends what is due now (the reminders of the coming visits, retries,
//! anything queued), or with `--dry-run` shows what would go and to whom. Its plain output
//! names no patient, for it usually lands in a cron log; `--dry-run` and `--json` are for a
//! person or a script that may see the addresses.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::messaging::Transports;
use crate::messaging::outbox::{self, Line, Outcome, Report};

fn parse_now(text: &str) -> AppResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").map_err(|_| {
        AppError::input(format!(
            "--now: {} is not a local time like 2026-12-08 10:00",
            crate::sanitize::clean_echo(text)
        ))
    })
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

pub(super) fn line_json(l: &Line) -> serde_json::Value {
    json!({
        "message": l.message,
        "appointment": l.appointment,
        "mrn": l.mrn,
        "purpose": l.purpose.as_str(),
        "channel": l.channel.map(|c| c.as_str()),
        "to": l.to,
        "due": l.due.map(minute),
        "state": l.outcome.as_str(),
        "reason": l.reason,
    })
}

fn count(report: &Report, outcome: Outcome) -> usize {
    report.lines.iter().filter(|l| l.outcome == outcome).count()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The run in a few lines that name no patient: counts, and each refusal by visit id.
fn summary(report: &Report) -> String {
    let mut s = String::new();
    if let Some(held) = &report.held {
        s.push_str(&crate::text::capitalised(held));
        s.push('\n');
    }
    s.push_str(&format!(
        "{} sent, {} waiting, {} failed, {} cancelled; {} without a reminder (no consent or address).\n",
        plural(count(report, Outcome::Sent), "message", "messages"),
        count(report, Outcome::Pending),
        count(report, Outcome::Failed),
        count(report, Outcome::Cancelled),
        plural(count(report, Outcome::Skipped), "visit", "visits"),
    ));
    // What this run was refused, one line each; what waits for a reason of the machine's
    // (no gateway here) or another terminal's, one line per reason.
    let mut waiting: Vec<(&str, usize)> = Vec::new();
    for l in &report.lines {
        let Some(reason) = l.reason.as_deref() else {
            continue;
        };
        if l.tried && matches!(l.outcome, Outcome::Failed | Outcome::Pending) {
            s.push_str(&format!(
                "  {} {}: {reason}\n",
                l.outcome.as_str(),
                l.appointment.map_or_else(
                    || l.purpose.as_str().replace('_', " "),
                    |a| format!("visit {a}")
                ),
            ));
        } else if l.outcome == Outcome::Pending && report.held.is_none() {
            match waiting.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => waiting.push((reason, 1)),
            }
        }
    }
    for (reason, n) in waiting {
        s.push_str(&format!("  {n} waiting: {reason}\n"));
    }
    s
}

/// Every line, to whom: what `--dry-run` shows a person.
fn table(report: &Report) -> String {
    let mut s = String::new();
    if let Some(held) = &report.held {
        s.push_str(&crate::text::capitalised(held));
        s.push('\n');
    }
    if report.lines.is_empty() {
        s.push_str("Nothing is due.\n");
    } else {
        s.push_str(&format!(
            "{:<16}  {:>7}  {:<10}  {:<5}  {:<28}  {}\n",
            "due", "visit", "MRN", "by", "to", "what happens"
        ));
    }
    for l in &report.lines {
        s.push_str(&format!(
            "{}  {:>7}  {:<10}  {:<5}  {:<28}  {}{}\n",
            l.due.map(minute).unwrap_or_default(),
            l.appointment.map(|a| a.to_string()).unwrap_or_default(),
            crate::sanitize::clean_line(&l.mrn),
            l.channel.map_or("-", |c| c.as_str()),
            l.to.as_deref()
                .map_or("-".into(), crate::sanitize::clean_line),
            l.outcome.as_str().replace('_', " "),
            l.reason
                .as_deref()
                .map(|r| format!(": {}", crate::sanitize::clean_line(r)))
                .unwrap_or_default(),
        ));
    }
    s
}

/// The one sentence a run ends with when something was refused, for cron to mail.
fn refusals(report: &Report) -> Option<AppError> {
    let refused: Vec<&Line> = report
        .lines
        .iter()
        .filter(|l| l.tried && matches!(l.outcome, Outcome::Failed | Outcome::Pending))
        .collect();
    let first = refused.first()?;
    Some(AppError::failure(format!(
        "{} not sent: {}",
        plural(refused.len(), "message was", "messages were"),
        first.reason.as_deref().unwrap_or("refused")
    )))
}

/// This machine's mail server and SMS gateway, from its config and environment.
pub(super) fn transports(settings: &Settings) -> AppResult<Transports> {
    Transports::from_settings(settings, &crate::config::process_env)
}

pub fn run(settings: &Settings, dry_run: bool, json: bool, now: Option<&str>) -> AppResult<()> {
    let now = match now {
        Some(text) => parse_now(text)?,
        None => settings.clock.now(),
    };
    let transports = transports(settings)?;
    let mut db = super::open_clinic(settings)?;
    let report = if dry_run {
        outbox::preview(&db, &transports, now)?
    } else {
        outbox::run(&mut db, &transports, now, &settings.user)?
    };
    let out = if json {
        let lines: Vec<_> = report.lines.iter().map(line_json).collect();
        format!("{}\n", serde_json::Value::Array(lines))
    } else if dry_run {
        table(&report)
    } else {
        summary(&report)
    };
    if dry_run {
        // Who would get what is a view of patients' addresses: audited as the desk's lists are,
        // by the visits it names.
        let at = crate::clock::stamp(settings.clock.now());
        let detail = json!({
            "messages": report.lines.len(),
            "appointments": report.lines.iter().filter_map(|l| l.appointment).collect::<Vec<_>>(),
        });
        return super::disclose(None, &out, || {
            db.log_patient_list(
                "remind.preview",
                detail,
                crate::db::Who {
                    user: &settings.user,
                    at: &at,
                },
            )
        });
    }
    super::emit_after_change(&out);
    refusals(&report).map_or(Ok(()), Err)
}

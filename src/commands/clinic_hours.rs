//! `ptclinic hours set|list` and `ptclinic closed add|remove|list`: the clinic's week and its
//! closed dates, kept in the record so every terminal warns of the same bookings.

use chrono::NaiveTime;
use serde_json::json;

use crate::cli::{ClosedCommand, HoursCommand};
use crate::config::{self, Settings};
use crate::db::Who;
use crate::domain::clinic_hours::{self, ClinicCalendar, DayHours, WEEKDAYS, weekday_name};
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

pub(super) fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// An opening or closing time: any form `domain::when` reads, on the 24-hour clock when it has
/// no meridiem (there are no clinic hours yet to read it within).
pub(super) fn clock_time(text: &str, what: &str) -> AppResult<NaiveTime> {
    let midnight = NaiveTime::MIN;
    crate::domain::when::parse_time(text, midnight, midnight)
        .map_err(|e| AppError::input(format!("{what}: {e}")))
}

/// One weekday's hours as `hours list --json` and `site list --json` give them.
pub(super) fn day_json(wd: chrono::Weekday, h: Option<DayHours>) -> serde_json::Value {
    json!({
        "day": weekday_name(wd)[..3].to_lowercase(),
        "open": h.map(|h| hhmm(h.open)),
        "close": h.map(|h| hhmm(h.close)),
        "closed": h.is_none(),
    })
}

fn week_json(c: &ClinicCalendar) -> serde_json::Value {
    let days: Vec<_> = WEEKDAYS
        .iter()
        .map(|wd| day_json(*wd, c.hours_on(*wd)))
        .collect();
    serde_json::Value::Array(days)
}

fn week_text(c: &ClinicCalendar) -> String {
    let mut s = String::new();
    for wd in WEEKDAYS {
        let hours = match c.hours_on(wd) {
            Some(h) => format!("{}–{}", hhmm(h.open), hhmm(h.close)),
            None => "closed".into(),
        };
        s.push_str(&format!("{:<10} {hours}\n", weekday_name(wd)));
    }
    s
}

pub fn hours(settings: &Settings, cmd: HoursCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    match cmd {
        HoursCommand::List { json } => {
            let c = db.clinic_calendar()?;
            if json {
                super::emit(&format!("{}\n", week_json(&c)))
            } else {
                super::emit(&week_text(&c))
            }
        }
        HoursCommand::Set {
            day,
            open,
            close,
            closed,
        } => {
            let weekday = clinic_hours::parse_weekday(&day)
                .map_err(|e| AppError::input(format!("--day: {e}")))?;
            let hours: Option<DayHours> = if closed {
                None
            } else {
                let (Some(open), Some(close)) = (open, close) else {
                    return Err(AppError::input(
                        "hours set needs --open and --close, or --closed",
                    ));
                };
                let open = clock_time(&open, "--open")?;
                let close = clock_time(&close, "--close")?;
                Some(clinic_hours::day_hours(open, close).map_err(AppError::input)?)
            };
            let at = crate::clock::stamp(settings.clock.now());
            let c = db.set_clinic_hours(
                weekday,
                hours,
                Who {
                    user: &settings.user,
                    at: &at,
                },
            )?;
            super::emit_after_change(&format!(
                "The clinic's week: {}\n",
                clinic_hours::describe_week(&c.week)
            ));
            Ok(())
        }
    }
}

pub fn closed(settings: &Settings, cmd: ClosedCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let today = settings.clock.today();
    let at = crate::clock::stamp(settings.clock.now());
    let who = Who {
        user: &settings.user,
        at: &at,
    };
    match cmd {
        ClosedCommand::List { json } => {
            let c = db.clinic_calendar()?;
            if json {
                let rows: Vec<_> = c
                    .closed
                    .iter()
                    .map(|d| {
                        json!({
                            "date": d.date.format("%Y-%m-%d").to_string(),
                            "reason": d.reason.as_deref().map(clean_line),
                        })
                    })
                    .collect();
                super::emit(&format!("{}\n", serde_json::Value::Array(rows)))
            } else {
                let mut s = String::new();
                for d in &c.closed {
                    s.push_str(&d.date.format("%a %Y-%m-%d").to_string());
                    if let Some(r) = &d.reason {
                        s.push_str(&format!("  {}", clean_line(r)));
                    }
                    s.push('\n');
                }
                if c.closed.is_empty() {
                    s.push_str("No closed dates.\n");
                }
                super::emit(&s)
            }
        }
        ClosedCommand::Add { date, reason } => {
            let date = config::parse_typed_day(&date, "--date", today)?;
            db.add_closed_day(date, reason.as_deref(), who)?;
            super::emit_after_change(&format!(
                "The clinic is closed on {}.\n",
                date.format("%a %Y-%m-%d")
            ));
            Ok(())
        }
        ClosedCommand::Remove { date } => {
            let date = config::parse_typed_day(&date, "--date", today)?;
            db.remove_closed_day(date, who)?;
            super::emit_after_change(&format!(
                "The clinic is open again on {}.\n",
                date.format("%a %Y-%m-%d")
            ));
            Ok(())
        }
    }
}

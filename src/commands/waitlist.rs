//! `ptclinic waitlist add|list|remove`: the patients waiting for a time, best first (priority
//! 1 is the most urgent, then the longest waiting). The list names patients, so printing it is
//! audited as a list shown ("waitlist.list": ids and a count).

use chrono::NaiveTime;
use serde_json::{Value, json};

use crate::cli::WaitlistCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::Role;
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::waitlist::{
    self, MINUTES_DEFAULT, NewWaitlistEntry, PRIORITY_DEFAULT, WaitlistEntry, days_label, days_text,
};
use crate::error::{AppError, AppResult};
use crate::sanitize::{clean_echo, clean_line};
use crate::text::fit;

pub fn run(settings: &Settings, cmd: WaitlistCommand) -> AppResult<()> {
    match cmd {
        WaitlistCommand::Add {
            patient,
            therapist,
            days,
            times,
            minutes,
            priority,
            note,
        } => add(
            settings,
            AddArgs {
                patient: &patient,
                therapists: &therapist,
                days: days.as_deref(),
                times: times.as_deref(),
                minutes: minutes.as_deref(),
                priority: priority.as_deref(),
                note: note.as_deref(),
            },
        ),
        WaitlistCommand::List { json } => list(settings, json),
        WaitlistCommand::Remove { id } => remove(settings, &id),
    }
}

struct AddArgs<'a> {
    patient: &'a str,
    therapists: &'a [String],
    days: Option<&'a str>,
    times: Option<&'a str>,
    minutes: Option<&'a str>,
    priority: Option<&'a str>,
    note: Option<&'a str>,
}

/// The clinic's day across the week, earliest opening to latest closing: a time typed without
/// a meridiem is read within it (`2-5` is the afternoon).
fn clinic_day(calendar: &ClinicCalendar) -> (NaiveTime, NaiveTime) {
    let open = calendar.week.iter().flatten();
    let first = open.clone().map(|h| h.open).min();
    let last = open.map(|h| h.close).max();
    match (first, last) {
        (Some(f), Some(l)) => (f, l),
        _ => (NaiveTime::MIN, NaiveTime::MIN),
    }
}

fn whole(text: &str, what: &str) -> AppResult<i64> {
    text.trim().parse::<i64>().map_err(|_| {
        AppError::input(format!(
            "{what} takes a whole number, not \"{}\"",
            clean_echo(text.trim())
        ))
    })
}

fn add(settings: &Settings, a: AddArgs) -> AppResult<()> {
    // Everything typed is read before the record is opened for writing: bad input stores nothing.
    let times = a.times.ok_or_else(|| {
        AppError::input("a waitlist entry needs --times, the times of day the patient can come, like 09:00-12:00")
    })?;
    let weekdays = waitlist::parse_days(a.days.unwrap_or(""))
        .map_err(|e| AppError::input(format!("--days: {e}")))?;
    let minutes = match a.minutes {
        Some(m) => whole(m, "--minutes")?,
        None => MINUTES_DEFAULT,
    };
    let priority = match a.priority {
        Some(p) => {
            waitlist::parse_priority(p).map_err(|e| AppError::input(format!("--priority: {e}")))?
        }
        None => PRIORITY_DEFAULT,
    };
    let mut db = super::open_clinic(settings)?;
    let (open, close) = clinic_day(&db.clinic_calendar()?);
    let window = waitlist::parse_times(times, open, close)
        .map_err(|e| AppError::input(format!("--times: {e}")))?;
    let patient = super::patient_with_mrn(&db, a.patient)?;
    let mut therapist_ids = Vec::new();
    let mut initials = Vec::new();
    for t in a.therapists {
        let s = db.find_staff(t)?;
        if !matches!(s.role, Role::Therapist | Role::Assistant) {
            return Err(AppError::input(format!(
                "{} ({}) does not see patients: name a therapist or an assistant",
                clean_line(&s.name),
                clean_line(&s.initials)
            )));
        }
        therapist_ids.push(s.id);
        initials.push(clean_line(&s.initials));
    }
    let entry = NewWaitlistEntry {
        patient_id: patient.id,
        therapist_ids,
        weekdays: weekdays.clone(),
        window,
        minutes,
        priority,
        note: a.note.map(str::to_string),
    };
    let at = crate::clock::stamp(settings.clock.now());
    let id = db.add_waitlist_entry(
        entry,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let with = if initials.is_empty() {
        "anyone".to_string()
    } else {
        initials.join(", ")
    };
    super::emit_after_change(&format!(
        "Waitlist entry {id}: {} ({}), {} {}, {minutes} min with {with}, priority {priority}.\n",
        clean_line(&crate::domain::patient::full_name(
            &patient.first_name,
            &patient.last_name
        )),
        clean_line(&patient.mrn),
        days_label(&weekdays),
        window.label(),
    ));
    Ok(())
}

/// `[{id, mrn, name, therapists, days, times, minutes, priority, added}]`.
pub fn to_json(entries: &[WaitlistEntry]) -> Value {
    entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "mrn": clean_line(&e.mrn),
                "name": clean_line(&e.patient_name),
                "therapists": e.therapists.iter().map(|t| clean_line(&t.initials)).collect::<Vec<_>>(),
                "days": e.weekdays.iter().map(|d| days_text(&[*d])).collect::<Vec<_>>(),
                "times": e.window.label(),
                "minutes": e.minutes,
                "priority": e.priority,
                "added": e.added_at.format("%Y-%m-%dT%H:%M").to_string(),
            })
        })
        .collect()
}

pub fn text(entries: &[WaitlistEntry]) -> String {
    if entries.is_empty() {
        return "No one is on the waitlist.\n".into();
    }
    let mut s = format!(
        "Waitlist, best first (priority 1 is the most urgent): {} waiting\n\n",
        entries.len()
    );
    s.push_str(&format!(
        "{}  {}  {}  {}  {}  {}  {}  {}  {}\n",
        fit("Id", 4),
        fit("P", 1),
        fit("Patient", 22),
        fit("MRN", 8),
        fit("Phone", 14),
        fit("With", 8),
        fit("Days", 13),
        fit("Times", 15),
        "Waiting since"
    ));
    for e in entries {
        s.push_str(&format!(
            "{}  {}  {}  {}  {}  {}  {}  {}  {}\n",
            fit(&e.id.to_string(), 4),
            e.priority,
            fit(&clean_line(&e.patient_name), 22),
            fit(&clean_line(&e.mrn), 8),
            fit(&clean_line(e.phone.as_deref().unwrap_or("—")), 14),
            fit(&clean_line(&e.therapists_label()), 8),
            fit(&days_label(&e.weekdays), 13),
            fit(&format!("{} {}m", e.window.label(), e.minutes), 15),
            e.added_at.format("%Y-%m-%d"),
        ));
        if let Some(note) = &e.note {
            s.push_str(&format!("      {}\n", clean_line(note)));
        }
    }
    s
}

fn list(settings: &Settings, json_out: bool) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let entries = db.open_waitlist()?;
    let out = if json_out {
        format!("{:#}\n", to_json(&entries))
    } else {
        text(&entries)
    };
    let detail = json!({
        "entries": entries.len(),
        "ids": entries.iter().map(|e| e.patient_id).collect::<Vec<_>>(),
    });
    let at = crate::clock::stamp(settings.clock.now());
    super::disclose(None, &out, || {
        db.log_patient_list(
            "waitlist.list",
            detail,
            Who {
                user: &settings.user,
                at: &at,
            },
        )
    })
}

fn remove(settings: &Settings, id: &str) -> AppResult<()> {
    let id = whole(id, "waitlist remove")?;
    if id < 1 {
        return Err(AppError::input(format!("there is no waitlist entry {id}")));
    }
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let entry = db.remove_waitlist_entry(
        id,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    super::emit_after_change(&format!(
        "Took {} ({}) off the waitlist (entry {id}).\n",
        clean_line(&entry.patient_name),
        clean_line(&entry.mrn)
    ));
    Ok(())
}

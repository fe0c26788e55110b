//! `ptclinic waitlist add|list|remove`: the patients waiting for a time, best first (priority
//! 1 is the most urgent, then the longest waiting). The list names patients, so printing it is
//! audited as a list shown ("waitlist.list": ids and a count).

use serde_json::{Value, json};

use crate::cli::WaitlistCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::sites::{SiteView, Sites};
use crate::domain::waitlist::{TypedEntry, TypedField, WaitlistEntry, days_label, days_text};
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
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, a.patient)?;
    let typed = TypedEntry {
        therapists: a.therapists.join(","),
        days: a.days.unwrap_or_default().to_string(),
        times: times.to_string(),
        minutes: a.minutes.unwrap_or_default().to_string(),
        priority: a.priority.unwrap_or_default().to_string(),
        note: a.note.unwrap_or_default().to_string(),
    };
    let site = super::site_here(&db, settings)?;
    let (entry, initials) =
        db.read_typed_waitlist_entry(patient.id, site.id, &typed, TypedField::flag)?;
    let (weekdays, window, minutes, priority) = (
        entry.weekdays.clone(),
        entry.window,
        entry.minutes,
        entry.priority,
    );
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

/// `[{id, site, mrn, name, therapists, days, times, minutes, priority, added}]`.
pub fn to_json(entries: &[WaitlistEntry], sites: &Sites) -> Value {
    entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "site": site_name(sites, e.site_id),
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

fn site_name(sites: &Sites, id: i64) -> String {
    clean_line(&sites.label(SiteView::One(id)))
}

pub fn text(entries: &[WaitlistEntry], sites: &Sites, view: SiteView) -> String {
    let at = match view {
        SiteView::One(_) if !sites.several() => String::new(),
        _ => format!(" at {}", clean_line(&sites.label(view))),
    };
    if entries.is_empty() {
        return format!("No one is on the waitlist{at}.\n");
    }
    let mut s = format!(
        "Waitlist{at}, best first (priority 1 is the most urgent): {} waiting\n\n",
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
        if view == SiteView::All {
            s.push_str(&format!("      at {}\n", site_name(sites, e.site_id)));
        }
        if let Some(note) = &e.note {
            s.push_str(&format!("      {}\n", clean_line(note)));
        }
    }
    s
}

fn list(settings: &Settings, json_out: bool) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let (sites, view) = super::site_view(&db, settings)?;
    let entries: Vec<WaitlistEntry> = db
        .open_waitlist()?
        .into_iter()
        .filter(|e| view.shows(e.site_id))
        .collect();
    let out = if json_out {
        format!("{:#}\n", to_json(&entries, &sites))
    } else {
        text(&entries, &sites, view)
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

//! `ptclinic site list|add|edit|staff|rooms|hours`: a clinic group's sites, kept in the record
//! so that every terminal books, lists and reminds by the same ones.

use serde_json::json;

use crate::cli::SiteCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::db::sites::{Membership, SiteDetails};
use crate::domain::clinic_hours::{self, WEEKDAYS, weekday_name};
use crate::domain::sites::{Site, Sites};
use crate::domain::staff::Staff;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

use super::clinic_hours::{day_json, hhmm};

/// "Mon 10:00–20:00, Tue closed", the weekdays the site keeps its own hours; None: the clinic's.
fn own_hours(site: &Site) -> Option<String> {
    let days: Vec<String> = WEEKDAYS
        .iter()
        .zip(site.hours)
        .filter_map(|(wd, own)| {
            own.map(|h| {
                let day = &weekday_name(*wd)[..3];
                match h {
                    Some(h) => format!("{day} {}–{}", hhmm(h.open), hhmm(h.close)),
                    None => format!("{day} closed"),
                }
            })
        })
        .collect();
    (!days.is_empty()).then(|| days.join(", "))
}

fn names_of(staff: &[Staff], ids: &[i64]) -> Vec<String> {
    staff
        .iter()
        .filter(|s| ids.contains(&s.id))
        .map(|s| clean_line(&s.name))
        .collect()
}

fn site_json(site: &Site, staff: &[Staff]) -> serde_json::Value {
    let hours: Vec<serde_json::Value> = WEEKDAYS
        .iter()
        .zip(site.hours)
        .filter_map(|(wd, own)| own.map(|h| day_json(*wd, h)))
        .collect();
    json!({
        "id": site.id,
        "name": clean_line(&site.name),
        "address": site.address.as_deref().map(clean_line),
        "phone": site.phone.as_deref().map(clean_line),
        "active": site.active,
        "rooms": site.rooms.iter().map(|r| clean_line(r)).collect::<Vec<_>>(),
        "own_hours": hours,
        "staff": names_of(staff, &site.staff),
    })
}

fn site_text(site: &Site, staff: &[Staff]) -> String {
    let mut s = format!(
        "{}{}\n",
        clean_line(&site.name),
        if site.active { "" } else { " (closed)" }
    );
    let line = |label: &str, value: Option<String>| {
        format!("  {label:<8} {}\n", value.unwrap_or_else(|| "—".into()))
    };
    s.push_str(&line("address", site.address.as_deref().map(clean_line)));
    s.push_str(&line(
        "phone",
        Some(
            site.phone
                .as_deref()
                .map_or_else(|| "the clinic's".into(), clean_line),
        ),
    ));
    s.push_str(&line(
        "hours",
        Some(own_hours(site).map_or_else(
            || "the clinic's".into(),
            |h| format!("the clinic's, but {h}"),
        )),
    ));
    s.push_str(&line(
        "rooms",
        (!site.rooms.is_empty()).then(|| {
            site.rooms
                .iter()
                .map(|r| clean_line(r))
                .collect::<Vec<_>>()
                .join(", ")
        }),
    ));
    let people = names_of(staff, &site.staff);
    s.push_str(&line(
        "staff",
        (!people.is_empty()).then(|| people.join(", ")),
    ));
    s
}

fn list(sites: &Sites, staff: &[Staff], json_out: bool) -> String {
    if json_out {
        let rows: Vec<_> = sites.0.iter().map(|s| site_json(s, staff)).collect();
        return format!("{:#}\n", serde_json::Value::Array(rows));
    }
    sites
        .0
        .iter()
        .map(|s| site_text(s, staff))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn run(settings: &Settings, cmd: SiteCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = Who {
        user: &settings.user,
        at: &at,
    };
    let changed = match cmd {
        SiteCommand::List { json } => {
            return super::emit(&list(&db.sites()?, &db.staff()?, json));
        }
        SiteCommand::Add {
            name,
            address,
            phone,
        } => db.add_site(
            &SiteDetails {
                name: Some(name),
                address,
                phone,
                active: None,
            },
            who,
        )?,
        SiteCommand::Edit {
            which,
            name,
            address,
            phone,
            close,
            reopen,
        } => {
            let active = match (close, reopen) {
                (true, _) => Some(false),
                (_, true) => Some(true),
                _ => None,
            };
            if name.is_none() && address.is_none() && phone.is_none() && active.is_none() {
                return Err(AppError::input(
                    "site edit changes --name, --address, --phone, or --close / --reopen: give one",
                ));
            }
            db.edit_site(
                &which,
                &SiteDetails {
                    name,
                    address,
                    phone,
                    active,
                },
                who,
            )?
        }
        SiteCommand::Staff { which, add, remove } => {
            if add.is_empty() && remove.is_empty() {
                return Err(AppError::input(
                    "site staff needs --add NAME or --remove NAME",
                ));
            }
            let mut changes = Vec::new();
            for (names, change) in [(add, Membership::Add), (remove, Membership::Remove)] {
                for name in names {
                    changes.push((db.find_staff(&name)?.id, change));
                }
            }
            db.set_site_staff(&which, &changes, who)?
        }
        SiteCommand::Rooms { which, add, remove } => {
            if add.is_empty() && remove.is_empty() {
                return Err(AppError::input(
                    "site rooms needs --add ROOM or --remove ROOM",
                ));
            }
            let changes: Vec<(String, Membership)> = add
                .into_iter()
                .map(|r| (r, Membership::Add))
                .chain(remove.into_iter().map(|r| (r, Membership::Remove)))
                .collect();
            db.set_site_rooms(&which, &changes, who)?
        }
        SiteCommand::Hours {
            which,
            day,
            open,
            close,
            closed,
            clinic,
        } => {
            let weekday = clinic_hours::parse_weekday(&day)
                .map_err(|e| AppError::input(format!("--day: {e}")))?;
            let own = match (open, close, closed, clinic) {
                (_, _, true, _) => Some(None),
                (_, _, _, true) => None,
                (Some(open), Some(close), _, _) => {
                    let open = super::clinic_hours::clock_time(&open, "--open")?;
                    let close = super::clinic_hours::clock_time(&close, "--close")?;
                    Some(Some(
                        clinic_hours::day_hours(open, close).map_err(AppError::input)?,
                    ))
                }
                _ => {
                    return Err(AppError::input(
                        "site hours needs --open and --close, --closed, or --clinic",
                    ));
                }
            };
            db.set_site_hours(&which, weekday, own, who)?
        }
    };
    super::emit_after_change(&site_text(&changed, &db.staff()?));
    Ok(())
}

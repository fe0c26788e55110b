//! A clinic group's sites as stored (schema 11), and their changes: each one transaction with
//! its audit row, by an admin.

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use chrono::{NaiveTime, Weekday};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::clinic_hours::{hhmm, hours_json};
use super::{Db, TxError, TxResult, Who};
use crate::domain::clinic_hours::{ClinicCalendar, DayHours, weekday_name};
use crate::domain::roles::Duty;
use crate::domain::sites::{ALL_SITES, Site, Sites};
use crate::domain::staff::checked_identity;
use crate::error::{AppError, AppResult};

/// The site every record starts with (schema 11): a one-site clinic's, and the demo's.
pub const DEMO_SITE: i64 = 1;

/// Every site, active or not, in name order, each with its rooms, own hours and staff.
pub(crate) fn read(conn: &Conn) -> SqlResult<Sites> {
    let mut sites: Vec<Site> = conn
        .prepare_cached(
            "SELECT id, name, address, phone, active, version FROM sites ORDER BY name, id",
        )?
        .query_map(&[], |r| {
            Ok(Site {
                id: r.get(0)?,
                name: r.get(1)?,
                address: r.get(2)?,
                phone: r.get(3)?,
                active: r.get(4)?,
                version: r.get(5)?,
                rooms: Vec::new(),
                hours: [None; 7],
                staff: Vec::new(),
            })
        })?
        .collect::<SqlResult<_>>()?;
    let mut rooms = conn.prepare_cached("SELECT site_id, name FROM site_rooms ORDER BY name")?;
    for row in rooms.query_map(&[], |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))? {
        let (id, name) = row?;
        if let Some(site) = sites.iter_mut().find(|s| s.id == id) {
            site.rooms.push(name);
        }
    }
    let mut hours = conn.prepare_cached("SELECT site_id, weekday, open, close FROM site_hours")?;
    let rows = hours.query_map(&[], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<i64>(1)?,
            r.get::<Option<String>>(2)?,
            r.get::<Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (id, weekday, open, close) = row?;
        let time = |t: Option<String>| t.and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok());
        let own = match (time(open), time(close)) {
            (Some(open), Some(close)) => Some(DayHours { open, close }),
            _ => None,
        };
        if let (Some(site), Ok(day)) = (
            sites.iter_mut().find(|s| s.id == id),
            usize::try_from(weekday),
        ) {
            if let Some(slot) = site.hours.get_mut(day) {
                *slot = Some(own);
            }
        }
    }
    let mut staff =
        conn.prepare_cached("SELECT staff_id, site_id FROM staff_sites ORDER BY staff_id")?;
    for row in staff.query_map(&[], |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)))? {
        let (staff_id, id) = row?;
        if let Some(site) = sites.iter_mut().find(|s| s.id == id) {
            site.staff.push(staff_id);
        }
    }
    Ok(Sites(sites))
}

/// A site's calendar inside a transaction: the clinic's, with the site's own weekdays.
pub(in crate::db) fn calendar_at(conn: &Conn, site_id: i64) -> SqlResult<ClinicCalendar> {
    let clinic = super::clinic_hours::read_calendar(conn)?;
    let sites = read(conn)?;
    Ok(sites
        .by_id(site_id)
        .map_or_else(|| clinic.clone(), |s| s.calendar(&clinic)))
}

/// Refuses a visit for a therapist at a site they do not work at, naming where they do.
pub(in crate::db) fn check_works_at(conn: &Conn, therapist_id: i64, site_id: i64) -> TxResult<()> {
    let sites = read(conn)?;
    let Some(site) = sites.by_id(site_id) else {
        return Err(TxError::App(AppError::not_found(format!(
            "site {site_id} is not in the record"
        ))));
    };
    if !site.active {
        return Err(TxError::App(AppError::input(format!(
            "{} is closed (no longer an active site)",
            site.name
        ))));
    }
    if site.works_here(therapist_id) {
        return Ok(());
    }
    let name: String = conn
        .query_row(
            "SELECT name FROM staff WHERE id = ?1",
            args![therapist_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| format!("staff {therapist_id}"));
    Err(TxError::App(AppError::input(sites.not_working_at(
        site,
        therapist_id,
        &crate::sanitize::clean_line(&name),
    ))))
}

/// A site's details as `site add` and `site edit` give them; None leaves a field as it is,
/// and an empty address or phone clears it.
#[derive(Debug, Clone, Default)]
pub struct SiteDetails {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: Option<bool>,
}

fn checked(field: &str, text: &Option<String>) -> AppResult<Option<String>> {
    match text.as_deref().map(str::trim) {
        None => Ok(None),
        Some(t) => {
            checked_identity(field, t).map_err(AppError::input)?;
            Ok(Some(t.to_string()))
        }
    }
}

fn site_json(s: &Site) -> serde_json::Value {
    json!({"name": s.name, "address": s.address, "phone": s.phone, "active": s.active})
}

/// The change a room or a staff member is to a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Add,
    Remove,
}

impl Db {
    pub fn sites(&self) -> AppResult<Sites> {
        read(&self.sql()).map_err(|e| self.fail(e))
    }

    /// The clinic's calendar with the site's own weekday hours.
    pub fn site_calendar(&self, site_id: i64) -> AppResult<ClinicCalendar> {
        calendar_at(&self.sql(), site_id).map_err(|e| self.fail(e))
    }

    /// Adds a site (admin). Its name is unique whatever its case, and may not be `all`.
    pub fn add_site(&mut self, details: &SiteDetails, who: Who) -> AppResult<Site> {
        let Some(name) = checked("--name", &details.name)?.filter(|n| !n.is_empty()) else {
            return Err(AppError::input("a site needs a name (--name)"));
        };
        if name.eq_ignore_ascii_case(ALL_SITES) {
            return Err(AppError::input(
                "\"all\" names every site; give the site another name",
            ));
        }
        let address = checked("--address", &details.address)?.filter(|a| !a.is_empty());
        let phone = checked("--phone", &details.phone)?.filter(|p| !p.is_empty());
        self.write_as(&who, Duty::Sites, |tx, _| {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sites WHERE name = ?1)",
                args![name],
                |r| r.get(0),
            )?;
            if taken {
                return Err(TxError::App(AppError::input(format!(
                    "a site is already named {name:?}"
                ))));
            }
            let id = tx.insert(
                "INSERT INTO sites (name, address, phone, created_at) VALUES (?1, ?2, ?3, ?4)",
                args![name, address, phone, who.at],
            )?;
            let site = read(tx)?.by_id(id).cloned().ok_or_else(|| {
                TxError::App(AppError::failure("the new site could not be read back"))
            })?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "site.add",
                    entity: "site",
                    entity_id: Some(id),
                    detail: site_json(&site),
                },
            )?;
            Ok(site)
        })
    }

    /// Changes a site's name, address, phone or whether it is active (admin). The last active
    /// site cannot close, and a site with visits still to come cannot close.
    pub fn edit_site(&mut self, site: &str, change: &SiteDetails, who: Who) -> AppResult<Site> {
        let name = checked("--name", &change.name)?;
        if name.as_deref().is_some_and(str::is_empty) {
            return Err(AppError::input("a site's name cannot be empty"));
        }
        if name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(ALL_SITES))
        {
            return Err(AppError::input(
                "\"all\" names every site; give the site another name",
            ));
        }
        let address = checked("--address", &change.address)?;
        let phone = checked("--phone", &change.phone)?;
        self.write_as(&who, Duty::Sites, |tx, _| {
            let sites = read(tx)?;
            let before = sites.named(site).map_err(AppError::not_found)?.clone();
            if change.active == Some(false) && before.active {
                refuse_closing(tx, &sites, &before, &who)?;
            }
            let new_name = name.clone().unwrap_or_else(|| before.name.clone());
            let clash: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sites WHERE name = ?1 AND id <> ?2)",
                args![new_name, before.id],
                |r| r.get(0),
            )?;
            if clash {
                return Err(TxError::App(AppError::input(format!(
                    "a site is already named {new_name:?}"
                ))));
            }
            let keep_or_clear = |given: &Option<String>, was: &Option<String>| match given {
                Some(t) if t.is_empty() => None,
                Some(t) => Some(t.clone()),
                None => was.clone(),
            };
            tx.execute(
                "UPDATE sites SET name = ?1, address = ?2, phone = ?3, active = ?4,
                    version = version + 1
                 WHERE id = ?5 AND version = ?6",
                args![
                    new_name,
                    keep_or_clear(&address, &before.address),
                    keep_or_clear(&phone, &before.phone),
                    change.active.unwrap_or(before.active),
                    before.id,
                    before.version
                ],
            )?;
            let after = read(tx)?.by_id(before.id).cloned().ok_or_else(|| {
                TxError::App(AppError::failure("the site could not be read back"))
            })?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "site.edit",
                    entity: "site",
                    entity_id: Some(before.id),
                    detail: json!({"was": site_json(&before), "now": site_json(&after)}),
                },
            )?;
            Ok(after)
        })
    }

    /// Puts staff at a site or takes them off it (admin), all the changes or none. Someone
    /// with visits still to come at the site stays until those are moved.
    pub fn set_site_staff(
        &mut self,
        site: &str,
        changes: &[(i64, Membership)],
        who: Who,
    ) -> AppResult<Site> {
        self.write_as(&who, Duty::Sites, |tx, _| {
            let mut s = read(tx)?.named(site).map_err(AppError::not_found)?.clone();
            for &(staff_id, change) in changes {
                if change == Membership::Remove {
                    let coming: i64 = tx.query_row(
                        "SELECT count(*) FROM appointments WHERE therapist_id = ?1 AND site_id = ?2
                            AND status = 'scheduled' AND start >= ?3",
                        args![staff_id, s.id, who.at],
                        |r| r.get(0),
                    )?;
                    if coming > 0 {
                        let name: String = tx.query_row(
                            "SELECT name FROM staff WHERE id = ?1",
                            args![staff_id],
                            |r| r.get(0),
                        )?;
                        return Err(TxError::App(AppError::input(format!(
                            "{} has {coming} visit(s) still to come at {}: move or cancel those first; nothing was changed",
                            crate::sanitize::clean_line(&name),
                            s.name
                        ))));
                    }
                }
                tx.execute(
                    match change {
                        Membership::Add => {
                            "INSERT OR IGNORE INTO staff_sites (staff_id, site_id) VALUES (?1, ?2)"
                        }
                        Membership::Remove => {
                            "DELETE FROM staff_sites WHERE staff_id = ?1 AND site_id = ?2"
                        }
                    },
                    args![staff_id, s.id],
                )?;
                let action = match change {
                    Membership::Add => "site.staff_add",
                    Membership::Remove => "site.staff_remove",
                };
                s = audited(tx, &who, s, action, json!({"staff_id": staff_id}))?;
            }
            Ok(s)
        })
    }

    /// Adds rooms to a site or takes them off its list (admin), all the changes or none.
    pub fn set_site_rooms(
        &mut self,
        site: &str,
        changes: &[(String, Membership)],
        who: Who,
    ) -> AppResult<Site> {
        let mut rooms = Vec::with_capacity(changes.len());
        for (room, change) in changes {
            let room = room.trim().to_string();
            checked_identity("--room", &room).map_err(AppError::input)?;
            if room.is_empty() {
                return Err(AppError::input("a room needs a name"));
            }
            rooms.push((room, *change));
        }
        self.write_as(&who, Duty::Sites, |tx, _| {
            let mut s = read(tx)?.named(site).map_err(AppError::not_found)?.clone();
            for (room, change) in &rooms {
                let changed = tx.execute(
                    match change {
                        Membership::Add => {
                            "INSERT OR IGNORE INTO site_rooms (site_id, name) VALUES (?1, ?2)"
                        }
                        Membership::Remove => {
                            "DELETE FROM site_rooms WHERE site_id = ?1 AND name = ?2"
                        }
                    },
                    args![s.id, room],
                )?;
                if changed == 0 && *change == Membership::Remove {
                    return Err(TxError::App(AppError::not_found(format!(
                        "{} has no room {room:?}; nothing was changed",
                        s.name
                    ))));
                }
                let action = match change {
                    Membership::Add => "site.room_add",
                    Membership::Remove => "site.room_remove",
                };
                s = audited(tx, &who, s, action, json!({"room": room}))?;
            }
            Ok(s)
        })
    }

    /// Sets a weekday's hours at one site: its own (`Some(Some)`), closed there
    /// (`Some(None)`), or the clinic's again (`None`). Admin only.
    pub fn set_site_hours(
        &mut self,
        site: &str,
        day: Weekday,
        own: Option<Option<DayHours>>,
        who: Who,
    ) -> AppResult<Site> {
        self.write_as(&who, Duty::Sites, |tx, _| {
            let s = read(tx)?.named(site).map_err(AppError::not_found)?.clone();
            let weekday = day.num_days_from_monday();
            match own {
                None => {
                    tx.execute(
                        "DELETE FROM site_hours WHERE site_id = ?1 AND weekday = ?2",
                        args![s.id, weekday],
                    )?;
                }
                Some(hours) => {
                    tx.execute(
                        "INSERT INTO site_hours (site_id, weekday, open, close)
                         VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (site_id, weekday)
                         DO UPDATE SET open = excluded.open, close = excluded.close",
                        args![
                            s.id,
                            weekday,
                            hours.map(|h| hhmm(h.open)),
                            hours.map(|h| hhmm(h.close))
                        ],
                    )?;
                }
            }
            let now = own.map_or_else(|| json!("clinic"), hours_json);
            audited(
                tx,
                &who,
                s,
                "site.hours_set",
                json!({"day": weekday_name(day), "now": now}),
            )
        })
    }
}

/// A change to a site's staff, rooms or hours: its audit row, then the site as it is now.
fn audited(
    tx: &Conn,
    who: &Who,
    site: Site,
    action: &str,
    detail: serde_json::Value,
) -> TxResult<Site> {
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action,
            entity: "site",
            entity_id: Some(site.id),
            detail,
        },
    )?;
    Ok(read(tx)?.by_id(site.id).cloned().unwrap_or(site))
}

fn refuse_closing(tx: &Conn, sites: &Sites, site: &Site, who: &Who) -> TxResult<()> {
    if sites.0.iter().filter(|s| s.active).count() == 1 {
        return Err(TxError::App(AppError::input(format!(
            "{} is the only active site; add another before closing it",
            site.name
        ))));
    }
    let coming: i64 = tx.query_row(
        "SELECT count(*) FROM appointments WHERE site_id = ?1 AND status = 'scheduled'
            AND start >= ?2",
        args![site.id, who.at],
        |r| r.get(0),
    )?;
    if coming > 0 {
        return Err(TxError::App(AppError::input(format!(
            "{} has {coming} visit(s) still to come: move or cancel those before closing it",
            site.name
        ))));
    }
    let waiting: i64 = tx.query_row(
        "SELECT count(*) FROM waitlist WHERE site_id = ?1 AND removed_at IS NULL",
        args![site.id],
        |r| r.get(0),
    )?;
    if waiting > 0 {
        return Err(TxError::App(AppError::input(format!(
            "{} has {waiting} patient(s) on its waitlist: book or remove them before closing it",
            site.name
        ))));
    }
    Ok(())
}

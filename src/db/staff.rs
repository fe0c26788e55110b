use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::{Db, TxError};
use crate::domain::Role;
use crate::domain::roles::{Acting, Duty};
use crate::domain::staff::Staff;
use crate::domain::staff::checked_identity;
use crate::error::{AppError, AppResult};
use crate::sanitize::{clean_echo, clean_line};

pub struct NewStaff {
    pub name: String,
    pub initials: String,
    pub role: Role,
    pub username: Option<String>,
    /// As a signature shows them: "PT, DPT", "PTA".
    pub credentials: Option<String>,
}

/// What `staff edit` changes: each field given replaces the stored one; an empty credentials
/// or username clears it.
#[derive(Debug, Clone, Default)]
pub struct StaffEdit {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub credentials: Option<String>,
    pub username: Option<String>,
}

fn row_to_staff(r: &Row) -> SqlResult<Staff> {
    let role: String = r.get(3)?;
    Ok(Staff {
        id: r.get(0)?,
        name: r.get(1)?,
        initials: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::FrontDesk),
        username: r.get(4)?,
        credentials: r.get(5)?,
    })
}

pub(crate) fn list(conn: &Conn) -> SqlResult<Vec<Staff>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, initials, role, username, credentials FROM staff WHERE active = 1
         ORDER BY role DESC, name",
    )?;
    stmt.query_map(&[], row_to_staff)?.collect()
}

/// Everyone ever on the staff, active or not, in the order they were added: an import's
/// therapist column may name someone who has since left.
pub(super) fn everyone(conn: &Conn) -> SqlResult<Vec<Staff>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, initials, role, username, credentials FROM staff")?;
    stmt.query_map(&[], row_to_staff)?.collect()
}

/// Inserts a staff member inside an open transaction (shared by `staff add` and the demo).
pub(crate) fn insert(conn: &Conn, s: &NewStaff) -> SqlResult<i64> {
    let id = conn.insert(
        "INSERT INTO staff (name, initials, role, username, credentials)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
            s.name,
            s.initials,
            s.role.as_str(),
            s.username,
            s.credentials
        ],
    )?;
    // A clinic of one site has everyone working there; in a group, `site staff` says where.
    conn.prepare_cached(
        "INSERT INTO staff_sites (staff_id, site_id)
         SELECT ?1, id FROM sites WHERE active = 1
             AND (SELECT count(*) FROM sites WHERE active = 1) = 1",
    )?
    .execute(args![id])?;
    Ok(id)
}

/// Who `user` acts as in the record open on `conn`: a member of the staff (matched by username,
/// initials or name), or in the demo clinic its front-desk person.
pub(crate) fn acting(conn: &Conn, user: &str) -> SqlResult<Acting> {
    let staff = list(conn)?;
    if let Some(me) = staff.iter().find(|s| s.is_user(user)) {
        return Ok(Acting::Staff(me.clone()));
    }
    let demo: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND value = '1')",
        &[],
        |r| r.get(0),
    )?;
    Ok(staff
        .into_iter()
        .find(|s| demo && s.role == Role::FrontDesk)
        .map_or(Acting::NotStaff, Acting::DemoStand))
}

/// Whether an active admin is on the staff.
pub(crate) fn has_admin(conn: &Conn) -> SqlResult<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE active = 1 AND role = 'admin')",
        &[],
        |r| r.get(0),
    )
}

/// Whether the app's user can unlock with a PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinState {
    /// The user is not on the staff list, so has no PIN.
    NotStaff,
    NoPin(Staff),
    /// The stored argon2 PHC string.
    Set(Staff, String),
}

impl Db {
    /// The PIN of the staff member the app's user is (matched as everywhere: username,
    /// initials or name).
    pub fn pin_state(&self, user: &str) -> AppResult<PinState> {
        let Some(me) = self.staff()?.into_iter().find(|s| s.is_user(user)) else {
            return Ok(PinState::NotStaff);
        };
        let hash: Option<String> = self
            .sql()
            .query_row(
                "SELECT pin_hash FROM staff_pins WHERE staff_id = ?1",
                args![me.id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        Ok(match hash {
            Some(h) => PinState::Set(me, h),
            None => PinState::NoPin(me),
        })
    }

    /// Stores a staff member's new PIN hash; the audit row says whose and whether it replaced
    /// one, never anything about the PIN.
    /// One's own PIN is one's own business; anyone else's is a change to the staff list.
    pub fn set_pin(&mut self, staff: &Staff, pin_hash: &str, who: super::Who) -> AppResult<()> {
        self.write(|tx| {
            let own = matches!(acting(tx, who.user)?, Acting::Staff(me) if me.id == staff.id);
            if !own {
                super::allowed(tx, &who, Duty::Staff)?;
            }
            let replaced = tx.execute(
                "UPDATE staff_pins SET pin_hash = ?2, set_at = ?3 WHERE staff_id = ?1",
                args![staff.id, pin_hash, who.at],
            )? == 1;
            if !replaced {
                tx.execute(
                    "INSERT INTO staff_pins (staff_id, pin_hash, set_at) VALUES (?1, ?2, ?3)",
                    args![staff.id, pin_hash, who.at],
                )?;
            }
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "staff.set_pin",
                    entity: "staff",
                    entity_id: Some(staff.id),
                    detail: json!({ "replaced": replaced }),
                },
            )?;
            Ok(())
        })
    }

    pub fn staff(&self) -> AppResult<Vec<Staff>> {
        list(&self.sql()).map_err(|e| self.fail(e))
    }

    /// The therapist (or any staff member) named by full name, initials or username. A name
    /// that fits more than one person lists them all rather than picking one.
    pub fn find_staff(&self, who: &str) -> AppResult<Staff> {
        let all = self.staff()?;
        let listed = |people: &[&Staff]| -> String {
            let names: Vec<String> = people
                .iter()
                .map(|s| format!("{} ({})", clean_line(&s.name), clean_line(&s.initials)))
                .collect();
            names.join(", ")
        };
        let found: Vec<&Staff> = all.iter().filter(|s| s.is_user(who)).collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                let everyone: Vec<&Staff> = all.iter().collect();
                Err(AppError::input(format!(
                    "no staff member called \"{}\"; known: {}",
                    clean_echo(who),
                    if everyone.is_empty() {
                        "none yet (ptclinic staff add)".into()
                    } else {
                        listed(&everyone)
                    }
                )))
            }
            many => Err(AppError::input(format!(
                "\"{}\" names more than one staff member, {}: use their initials",
                clean_echo(who),
                listed(many)
            ))),
        }
    }

    pub fn add_staff(&mut self, s: NewStaff, user: &str, at: &str) -> AppResult<i64> {
        let name = checked_identity("--name", &s.name).map_err(AppError::input)?;
        let s = NewStaff {
            name: clean_line(name),
            initials: clean_line(&s.initials).to_uppercase(),
            role: s.role,
            username: optional_identity("--username", s.username.as_deref())?,
            credentials: optional_identity("--credentials", s.credentials.as_deref())?,
        };
        if s.initials.is_empty()
            || s.initials.chars().count() > 4
            || !s.initials.chars().all(char::is_alphanumeric)
        {
            return Err(AppError::input(format!(
                "initials must be 1 to 4 letters or digits, not \"{}\"",
                clean_echo(&s.initials)
            )));
        }
        let who = super::Who { user, at };
        self.write_as(&who, Duty::Staff, |tx, _| {
            let exists = |sql: &str, value: &Option<String>| -> SqlResult<bool> {
                tx.query_row(sql, args![value], |r| r.get(0))
            };
            if exists(
                "SELECT EXISTS (SELECT 1 FROM staff WHERE initials = ?1)",
                &Some(s.initials.clone()),
            )? {
                return Err(TxError::App(AppError::input(format!(
                    "the initials {} already belong to someone on the staff",
                    s.initials
                ))));
            }
            refuse_taken_username(tx, s.username.as_deref(), None)?;
            let id = insert(tx, &s)?;
            audit::record(
                tx,
                &AuditEntry {
                    at,
                    user,
                    action: "staff.add",
                    entity: "staff",
                    entity_id: Some(id),
                    detail: json!({
                        "role": s.role.as_str(),
                        "initials": s.initials,
                        "credentials": s.credentials,
                    }),
                },
            )?;
            Ok(id)
        })
    }
}

/// A flag that may be left out or given empty (nothing), else checked as a name is.
fn optional_identity(flag: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(clean_line(
            checked_identity(flag, v).map_err(AppError::input)?,
        ))),
    }
}

fn refuse_taken_username(
    tx: &Conn,
    username: Option<&str>,
    except: Option<i64>,
) -> Result<(), TxError> {
    let Some(username) = username else {
        return Ok(());
    };
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1 AND id IS NOT ?2)",
        args![username, except],
        |r| r.get(0),
    )?;
    if taken {
        return Err(TxError::App(AppError::input(format!(
            "the username {} already belongs to someone on the staff",
            clean_echo(username)
        ))));
    }
    Ok(())
}

/// The active staff member with these initials, and their row's version, read in the change's
/// transaction.
fn active_by_initials(tx: &Conn, initials: &str) -> Result<(Staff, i64), TxError> {
    let found = tx
        .query_row(
            "SELECT id, name, initials, role, username, credentials, version FROM staff
             WHERE active = 1 AND initials = ?1",
            args![initials.trim()],
            |r| Ok((row_to_staff(r)?, r.get::<i64>(6)?)),
        )
        .optional()?;
    found.ok_or_else(|| {
        TxError::App(AppError::not_found(format!(
            "no active staff member has the initials {} (ptclinic staff list shows who does)",
            clean_echo(initials)
        )))
    })
}

/// Refuses a change that would leave the record with no active admin: nobody could then
/// change the staff list or the clinic's settings.
fn keep_an_admin(tx: &Conn, leaving: &Staff, what: &str) -> Result<(), TxError> {
    if leaving.role != Role::Admin {
        return Ok(());
    }
    let others: i64 = tx.query_row(
        "SELECT COUNT(*) FROM staff WHERE active = 1 AND role = 'admin' AND id != ?1",
        args![leaving.id],
        |r| r.get(0),
    )?;
    if others == 0 {
        return Err(TxError::App(AppError::input(format!(
            "{} is the last active admin, so {what} would leave nobody to manage the staff: make someone else an admin first (ptclinic staff edit --initials XX --role admin)",
            clean_line(&leaving.name)
        ))));
    }
    Ok(())
}

fn store_change(
    tx: &Conn,
    before: &Staff,
    version: i64,
    after: &Staff,
    active: bool,
) -> Result<(), TxError> {
    let changed = tx.execute(
        "UPDATE staff SET name = ?2, role = ?3, username = ?4, credentials = ?5, active = ?6,
            version = version + 1
         WHERE id = ?1 AND version = ?7",
        args![
            before.id,
            after.name,
            after.role.as_str(),
            after.username,
            after.credentials,
            active,
            version
        ],
    )?;
    if changed != 1 {
        return Err(TxError::App(AppError::of(
            crate::error::ErrorKind::Conflict,
            format!(
                "{} was changed on another terminal at the same moment; nothing was changed: try again",
                clean_line(&before.name)
            ),
        )));
    }
    Ok(())
}

impl Db {
    /// Changes a staff member's name, role, credentials or username (an admin's change).
    pub fn edit_staff(
        &mut self,
        initials: &str,
        edit: &StaffEdit,
        who: super::Who,
    ) -> AppResult<Staff> {
        let name = match edit.name.as_deref() {
            Some(n) => Some(clean_line(
                checked_identity("--name", n).map_err(AppError::input)?,
            )),
            None => None,
        };
        // Given empty, these clear; left out, they stay.
        let credentials = match edit.credentials.as_deref() {
            Some(c) => Some(optional_identity("--credentials", Some(c))?),
            None => None,
        };
        let username = match edit.username.as_deref() {
            Some(u) => Some(optional_identity("--username", Some(u))?),
            None => None,
        };
        if name.is_none() && edit.role.is_none() && credentials.is_none() && username.is_none() {
            return Err(AppError::input(
                "say what to change: --name, --role, --credentials or --username",
            ));
        }
        self.write_as(&who, Duty::Staff, |tx, _| {
            let (before, version) = active_by_initials(tx, initials)?;
            let after = Staff {
                name: name.clone().unwrap_or_else(|| before.name.clone()),
                role: edit.role.unwrap_or(before.role),
                credentials: credentials
                    .clone()
                    .unwrap_or_else(|| before.credentials.clone()),
                username: username.clone().unwrap_or_else(|| before.username.clone()),
                ..before.clone()
            };
            if after.role != Role::Admin {
                keep_an_admin(tx, &before, "taking away their admin role")?;
            }
            if after.username != before.username {
                refuse_taken_username(tx, after.username.as_deref(), Some(before.id))?;
            }
            store_change(tx, &before, version, &after, true)?;
            let changed: Vec<&str> = [
                ("name", after.name != before.name),
                ("role", after.role != before.role),
                ("credentials", after.credentials != before.credentials),
                ("username", after.username != before.username),
            ]
            .into_iter()
            .filter_map(|(field, differs)| differs.then_some(field))
            .collect();
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "staff.edit",
                    entity: "staff",
                    entity_id: Some(before.id),
                    detail: json!({
                        "initials": before.initials,
                        "changed": changed,
                        "role": { "from": before.role.as_str(), "to": after.role.as_str() },
                    }),
                },
            )?;
            Ok(after)
        })
    }

    /// Takes a staff member off the active staff: they keep their past notes and visits, and
    /// can no longer change the record.
    pub fn deactivate_staff(&mut self, initials: &str, who: super::Who) -> AppResult<Staff> {
        self.write_as(&who, Duty::Staff, |tx, _| {
            let (before, version) = active_by_initials(tx, initials)?;
            keep_an_admin(tx, &before, "deactivating them")?;
            store_change(tx, &before, version, &before, false)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "staff.deactivate",
                    entity: "staff",
                    entity_id: Some(before.id),
                    detail: json!({
                        "initials": before.initials,
                        "role": { "from": before.role.as_str(), "to": null },
                    }),
                },
            )?;
            Ok(before)
        })
    }

    /// Who `user` acts as in this record (see [`acting`]): what the TUI's status bar says.
    pub fn acting(&self, user: &str) -> AppResult<Acting> {
        acting(&self.sql(), user).map_err(|e| self.fail(e))
    }
}

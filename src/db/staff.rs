use rusqlite::{Connection, params};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::{Db, TxError};
use crate::domain::Role;
use crate::domain::roles::Acting;
use crate::domain::staff::Staff;
use crate::domain::staff::checked_identity;
use crate::error::{AppError, AppResult};
use crate::sanitize::{clean_echo, clean_line};

pub struct NewStaff {
    pub name: String,
    pub initials: String,
    pub role: Role,
    pub username: Option<String>,
}

fn row_to_staff(r: &rusqlite::Row) -> rusqlite::Result<Staff> {
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

pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<Staff>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, initials, role, username, credentials FROM staff WHERE active = 1
         ORDER BY role DESC, name",
    )?;
    stmt.query_map([], row_to_staff)?.collect()
}

/// Everyone ever on the staff, active or not, in the order they were added: an import's
/// therapist column may name someone who has since left.
pub(super) fn everyone(conn: &Connection) -> rusqlite::Result<Vec<Staff>> {
    let mut stmt =
        conn.prepare("SELECT id, name, initials, role, username, credentials FROM staff")?;
    stmt.query_map([], row_to_staff)?.collect()
}

/// Inserts a staff member inside an open transaction (shared by `staff add` and the demo).
pub(crate) fn insert(conn: &Connection, s: &NewStaff) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO staff (name, initials, role, username) VALUES (?1, ?2, ?3, ?4)",
        params![s.name, s.initials, s.role.as_str(), s.username],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Who `user` acts as in the record open on `conn`: a member of the staff (matched by username,
/// initials or name), or in the demo clinic its front-desk person.
pub(crate) fn acting(conn: &Connection, user: &str) -> rusqlite::Result<Acting> {
    let staff = list(conn)?;
    if let Some(me) = staff.iter().find(|s| s.is_user(user)) {
        return Ok(Acting::Staff(me.clone()));
    }
    let demo: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND value = '1')",
        [],
        |r| r.get(0),
    )?;
    Ok(staff
        .into_iter()
        .find(|s| demo && s.role == Role::FrontDesk)
        .map_or(Acting::NotStaff, Acting::DemoStand))
}

/// Whether an active admin is on the staff.
pub(crate) fn has_admin(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE active = 1 AND role = 'admin')",
        [],
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
        use rusqlite::OptionalExtension;
        let Some(me) = self.staff()?.into_iter().find(|s| s.is_user(user)) else {
            return Ok(PinState::NotStaff);
        };
        let hash: Option<String> = self
            .conn()
            .query_row(
                "SELECT pin_hash FROM staff_pins WHERE staff_id = ?1",
                [me.id],
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
    pub fn set_pin(&mut self, staff: &Staff, pin_hash: &str, who: super::Who) -> AppResult<()> {
        self.write(|tx| {
            let replaced = tx.execute(
                "UPDATE staff_pins SET pin_hash = ?2, set_at = ?3 WHERE staff_id = ?1",
                params![staff.id, pin_hash, who.at],
            )? == 1;
            if !replaced {
                tx.execute(
                    "INSERT INTO staff_pins (staff_id, pin_hash, set_at) VALUES (?1, ?2, ?3)",
                    params![staff.id, pin_hash, who.at],
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
        list(self.conn()).map_err(|e| self.fail(e))
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
        let username = match s.username.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(checked_identity("--username", u).map_err(AppError::input)?),
        };
        let s = NewStaff {
            name: clean_line(name),
            initials: clean_line(&s.initials).to_uppercase(),
            role: s.role,
            username: username.map(clean_line),
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
        self.write(|tx| {
            let exists = |sql: &str, value: &Option<String>| -> rusqlite::Result<bool> {
                tx.query_row(sql, [value], |r| r.get(0))
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
            if s.username.is_some()
                && exists(
                    "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1)",
                    &s.username,
                )?
            {
                return Err(TxError::App(AppError::input(format!(
                    "the username {} already belongs to someone on the staff",
                    s.username.as_deref().unwrap_or_default()
                ))));
            }
            let id = insert(tx, &s)?;
            audit::record(
                tx,
                &AuditEntry {
                    at,
                    user,
                    action: "staff.add",
                    entity: "staff",
                    entity_id: Some(id),
                    detail: json!({ "role": s.role.as_str(), "initials": s.initials }),
                },
            )?;
            Ok(id)
        })
    }
}

use crate::cli::StaffCommand;
use crate::config::Settings;
use crate::db::staff::{NewStaff, StaffEdit};
use crate::db::{Db, Who};
use crate::domain::Role;
use crate::domain::pin::Pin;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, cmd: StaffCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    match cmd {
        StaffCommand::Add {
            name,
            initials,
            role,
            username,
            credentials,
        } => {
            let at = crate::clock::stamp(settings.clock.now());
            let id = db.add_staff(
                NewStaff {
                    name,
                    initials,
                    role: role.into(),
                    username,
                    credentials,
                },
                &settings.user,
                &at,
            )?;
            super::note(&format!("Added staff member {id}."));
        }
        StaffCommand::Edit {
            initials,
            name,
            role,
            credentials,
            username,
        } => {
            let at = crate::clock::stamp(settings.clock.now());
            let edit = StaffEdit {
                name,
                role: role.map(Role::from),
                credentials,
                username,
            };
            let who = Who {
                user: &settings.user,
                at: &at,
            };
            let s = db.edit_staff(&initials, &edit, who)?;
            super::note(&format!(
                "Changed {} ({}): {}.",
                clean_line(&s.signature()),
                clean_line(&s.initials),
                s.role.label().to_lowercase()
            ));
        }
        StaffCommand::Deactivate { initials } => {
            let at = crate::clock::stamp(settings.clock.now());
            let who = Who {
                user: &settings.user,
                at: &at,
            };
            let s = db.deactivate_staff(&initials, who)?;
            super::note(&format!(
                "Deactivated {} ({}): their notes and visits stay in the record.",
                clean_line(&s.name),
                clean_line(&s.initials)
            ));
        }
        StaffCommand::SetPin { username } => set_pin(settings, &mut db, username.as_deref())?,
        StaffCommand::List { json } => {
            let staff = db.staff()?;
            if json {
                let rows: Vec<_> = staff
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "id": s.id,
                            "name": clean_line(&s.name),
                            "initials": clean_line(&s.initials),
                            "role": s.role.as_str(),
                            "username": s.username.as_deref().map(clean_line),
                            "credentials": s.credentials.as_deref().map(clean_line),
                        })
                    })
                    .collect();
                super::emit(&format!("{}\n", serde_json::Value::Array(rows)))?;
            } else {
                for s in &staff {
                    super::emit(&format!(
                        "{:<4} {:<28} {:<10} {:<10} {}\n",
                        clean_line(&s.initials),
                        clean_line(&s.name),
                        s.role.label(),
                        s.credentials.as_deref().map(clean_line).unwrap_or_default(),
                        s.username.as_deref().map(clean_line).unwrap_or_default()
                    ))?;
                }
            }
        }
    }
    Ok(())
}

/// Sets the PIN of the person running the command: a PIN guards their own unattended screen,
/// so nobody sets another's (a forgotten PIN is set again by its owner).
fn set_pin(settings: &Settings, db: &mut Db, username: Option<&str>) -> AppResult<()> {
    let user = settings.user.as_str();
    let all = db.staff()?;
    let Some(me) = all.iter().find(|s| s.is_user(user)).cloned() else {
        return Err(AppError::input(format!(
            "{} is not on the staff list, so cannot have a PIN: add them first with `ptclinic staff add --username {}`",
            clean_line(user),
            clean_line(user)
        )));
    };
    if let Some(named) = username {
        let them = db.find_staff(named)?;
        if them.id != me.id {
            return Err(AppError::input(format!(
                "you can set only your own PIN: you are {} and {} is {}",
                clean_line(user),
                clean_line(named),
                clean_line(&them.name)
            )));
        }
    }
    let pin = read_pin(&clean_line(&me.name))?;
    pin.check_rule().map_err(AppError::input)?;
    let hash = pin.hash().map_err(AppError::failure)?;
    drop(pin);
    let at = crate::clock::stamp(settings.clock.now());
    let who = crate::db::Who { user, at: &at };
    db.set_pin(&me, &hash, who)?;
    eprintln!(
        "PIN set for {}: it unlocks the idle lock from now on.",
        clean_line(&me.name)
    );
    Ok(())
}

/// The PIN from a terminal (typed twice, not shown) or one line of standard input.
fn read_pin(whose: &str) -> AppResult<Pin> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        let read = std::io::stdin().read_line(&mut line);
        let pin = Pin::new(line.trim_end_matches(['\r', '\n']));
        zeroize::Zeroize::zeroize(&mut line);
        read.map_err(|e| AppError::failure(format!("cannot read the PIN: {e}")))?;
        return Ok(pin);
    }
    let first = read_hidden(&format!(
        "New PIN for {whose} ({}): ",
        crate::domain::pin::RULE
    ))?;
    first.check_rule().map_err(AppError::input)?;
    let again = read_hidden("The same PIN again: ")?;
    if first != again {
        return Err(AppError::input(
            "the two PINs differ; nothing was changed: try again",
        ));
    }
    Ok(first)
}

/// Reads one line from the terminal with echo off (raw mode, put back on every path).
fn read_hidden(prompt: &str) -> AppResult<Pin> {
    use std::io::{Read, Write};
    struct Raw;
    impl Drop for Raw {
        fn drop(&mut self) {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
    let fail = |e: std::io::Error| AppError::failure(format!("cannot read the PIN: {e}"));
    // Echo goes off before the prompt shows: digits typed in answer are never echoed.
    crossterm::terminal::enable_raw_mode().map_err(fail)?;
    let raw = Raw;
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut pin = Pin::empty();
    // Letters among the digits, or digits past the longest PIN, are kept out of the PIN; the
    // PIN then is not what was typed, so it is refused.
    let mut refused = false;
    let mut stdin = std::io::stdin().lock();
    let mut byte = [0u8; 1];
    loop {
        match stdin.read(&mut byte).map_err(fail)? {
            0 => break,
            _ => match byte[0] {
                b'\r' | b'\n' => break,
                // Ctrl-C and Ctrl-D: raw mode delivers them as bytes.
                3 | 4 => {
                    drop(raw);
                    eprintln!();
                    return Err(AppError::input("no PIN was set"));
                }
                0x7f | 8 => pin.pop(),
                b => refused |= !pin.push(char::from(b)),
            },
        }
    }
    drop(raw);
    eprintln!();
    if refused {
        return Err(AppError::input(crate::domain::pin::RULE));
    }
    Ok(pin)
}

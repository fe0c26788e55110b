//! The commands that are different on a PostgreSQL record: `init` builds one, `doctor` checks
//! one, `migrate` moves a SQLite record onto one, and `backup` and `demo` (which make files)
//! say what to do instead. Every other command, and the terminal app, runs on a server as on a
//! file, through the same store.

use std::path::Path;

use crate::cli::Command;
use crate::config::Settings;
use crate::db::postgres::{self, Target, migrate};
use crate::db::{self, Who};
use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

/// The record configured, when it is a server's address rather than a file.
pub fn address(settings: &Settings) -> Option<&str> {
    settings
        .db
        .path()
        .to_str()
        .filter(|t| postgres::is_server_address(t))
}

fn target(address: &str) -> AppResult<Target> {
    Target::parse(address, &|k| std::env::var(k).ok())
}

/// `command` against the server at `address`, when it is one of those a server does its own
/// way; None for the others.
pub fn run(settings: &Settings, address: &str, command: &Option<Command>) -> Option<AppResult<()>> {
    let own = matches!(
        command,
        Some(
            Command::Init { .. }
                | Command::Doctor { .. }
                | Command::Backup { .. }
                | Command::Demo(_)
        )
    );
    own.then(|| target(address).and_then(|target| run_own(settings, &target, command)))
}

fn run_own(settings: &Settings, target: &Target, command: &Option<Command>) -> AppResult<()> {
    match command {
        Some(Command::Init { empty }) => {
            let at = crate::clock::stamp(settings.clock.now());
            let library = if *empty {
                Vec::new()
            } else {
                crate::demo::starter_library()?
            };
            let who = Who {
                user: &settings.user,
                at: &at,
            };
            let (made, _) = migrate::init_server(target, who, &library)?;
            eprintln!(
                "{} Next: ptclinic doctor --db {} checks it.",
                super::created(&made, target.shown()),
                target.shown()
            );
            Ok(())
        }
        Some(Command::Doctor { json, .. }) => {
            super::doctor::report(&postgres::doctor::run(target), *json, target.shown())
        }
        Some(Command::Backup { .. }) => Err(AppError::input(format!(
            "{} is backed up by the server, not by ptclinic: pg_dump, or the server's continuous archiving (README, \"A clinic group on PostgreSQL\")",
            target.shown()
        ))),
        _ => Err(AppError::input(format!(
            "the demo clinic is a SQLite file, not a server's record: ptclinic demo --db FILE, then ptclinic migrate --from FILE --to {}",
            target.shown()
        ))),
    }
}

/// `ptclinic migrate --from FILE --to URL [--dry-run] [--json]`.
pub fn migrate(
    settings: &Settings,
    from: &Path,
    to: &str,
    dry_run: bool,
    json: bool,
) -> AppResult<()> {
    if !postgres::is_server_address(to) {
        return Err(AppError::input(format!(
            "--to names the PostgreSQL database (postgres://user@host:port/dbname), not \"{}\"",
            crate::sanitize::clean_echo(to)
        )));
    }
    let target = target(to)?;
    if !from.is_file() {
        return Err(AppError::input(format!(
            "there is no clinic record at {}: --from names the SQLite file to move",
            path_for_message(from)
        )));
    }
    let mut source = db::open_existing(from)?;
    let at = crate::clock::stamp(settings.clock.now());
    let started = std::time::Instant::now();
    let moved = source.migrate_to(
        &target,
        Who {
            user: &settings.user,
            at: &at,
        },
        dry_run,
    )?;
    let (rows, _) = moved.rows();
    if json {
        super::emit(&format!(
            "{}\n",
            serde_json::to_string(&moved).map_err(|e| {
                AppError::failure(format!("the counts could not be written as JSON: {e}"))
            })?
        ))?;
    } else {
        let mut text = format!("{:<24} {:>10} {:>10}\n", "table", "sqlite", "server");
        for c in &moved.tables {
            text.push_str(&format!(
                "{:<24} {:>10} {:>10}\n",
                c.table, c.source, c.target
            ));
        }
        super::emit(&text)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let tables = moved.tables.len();
    let chain = moved.audit_rows_verified;
    if dry_run {
        eprintln!(
            "Dry run: {rows} rows in {tables} tables copied and counted, the audit chain of {chain} rows verified on the server, in {seconds:.1} s; nothing was kept."
        );
    } else {
        eprintln!(
            "Moved {rows} rows in {tables} tables to {} in {seconds:.1} s; the audit chain of {chain} rows verified there. Next: point every terminal at it (db = \"{}\" in each config.toml) and keep {} as the last copy of the file.",
            target.shown(),
            target.shown(),
            path_for_message(from)
        );
    }
    Ok(())
}

//! Opening the configured clinic record, shared by the commands and the terminal app: the demo
//! clinic is built (or rebuilt) here, so neither front end has to ask the other for it.

use crate::config::{DbChoice, Settings};
use crate::db::{self, Db};
use crate::demo::{self, DemoOptions};
use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

/// Opens the configured clinic record. The demo clinic is built on first use, and rebuilt
/// when it is more than a week old so that today is always a full day.
pub fn open_clinic(settings: &Settings) -> AppResult<Db> {
    announce_upgrade(settings.db.path());
    let DbChoice::Demo(path) = &settings.db else {
        return db::open_existing(settings.db.path());
    };
    let today = settings.clock.today();
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                AppError::failure(format!(
                    "cannot create the folder {} for the demo clinic: {e}",
                    path_for_message(dir)
                ))
            })?;
        }
        eprintln!(
            "Building the demo clinic at {} (first start)…",
            path_for_message(path)
        );
        build_demo(settings, path, false, &DemoOptions::default())?;
        return db::open_existing(path);
    }
    let db = db::open_existing(path)?;
    match demo::built_on(&db)? {
        Some(built) if (today - built).num_days().abs() <= demo::DEMO_MAX_AGE_DAYS => Ok(db),
        built => {
            drop(db);
            let why = match built {
                Some(day) => format!("it was built on {day}"),
                None => "it is not a demo clinic".to_string(),
            };
            if built.is_none() {
                return Err(AppError::input(format!(
                    "{} is where the demo clinic lives, but {why}; it was left untouched",
                    path_for_message(path)
                )));
            }
            eprintln!("Rebuilding the demo clinic around {today} ({why})…");
            build_demo(settings, path, true, &DemoOptions::default())?;
            db::open_existing(path)
        }
    }
}

/// Says so when opening the record will upgrade its schema: on a large clinic that takes
/// seconds, before anything is on the screen. (Whatever is wrong with the file is reported by
/// the opening itself.)
fn announce_upgrade(path: &std::path::Path) {
    let shown = path_for_message(path);
    let Ok(header) = db::read_header(path, &shown) else {
        return;
    };
    let version = db::schema::SCHEMA_VERSION;
    if header.is_ours() && header.user_version < version {
        eprintln!(
            "Upgrading the clinic record at {shown} to schema {version} (a few seconds on a large clinic; other terminals wait)…"
        );
    }
}

/// Builds a demo clinic around the app's today, its audit row naming the user and the time.
pub fn build_demo(
    settings: &Settings,
    path: &std::path::Path,
    force: bool,
    opts: &DemoOptions,
) -> AppResult<demo::DemoSummary> {
    let now = crate::clock::stamp(settings.clock.now());
    let who = crate::db::Who {
        user: &settings.user,
        at: &now,
    };
    demo::build_as(path, force, opts, settings.clock.today(), who)
}

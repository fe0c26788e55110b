//! What each command does. Every command resolves the same settings and opens the record the
//! same way; output is for scripts (stable JSON) or for people (plain, sanitised text).

mod audit;
mod backup;
mod check_in;
mod doctor;
mod export;
mod hep;
mod import;
mod record;
mod report;
mod schedule;
mod staff;

use crate::cli::{Cli, Command};
use crate::config::{self, DbChoice, Overrides, Settings};
use crate::db::{self, Db};
use crate::demo::{self, DemoOptions};
use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

pub fn run(cli: Cli) -> AppResult<()> {
    let overrides = Overrides {
        db: cli.global.db.clone(),
        user: cli.global.user.clone(),
        theme: cli.global.theme.clone(),
        idle_lock_minutes: cli.global.idle_lock,
        ascii: cli.global.ascii,
    };
    let settings = config::resolve(&overrides, &config::process_env)?;
    match cli.command {
        None => crate::tui::run(&settings),
        Some(Command::Schedule {
            date,
            therapist,
            json,
        }) => schedule::run(&settings, date.as_deref(), therapist.as_deref(), json),
        Some(Command::CheckIn {
            appointment,
            patient,
            date,
        }) => check_in::run(&settings, appointment, patient.as_deref(), date.as_deref()),
        Some(Command::Demo(args)) => {
            let opts = DemoOptions {
                seed: args.seed,
                therapists: args.therapists,
                patients: args.patients,
                weeks_back: args.weeks_back,
                weeks_ahead: args.weeks_ahead,
            };
            let path = settings.db.path();
            let started = std::time::Instant::now();
            let made = build_demo(&settings, path, args.force, &opts)?;
            eprintln!(
                "Built the demo clinic at {} in {:.1} s: {} therapists, {} patients, {} visits.",
                path_for_message(path),
                started.elapsed().as_secs_f64(),
                made.therapists,
                made.patients,
                made.visits
            );
            Ok(())
        }
        Some(Command::Init) => {
            let path = match &settings.db {
                DbChoice::Named(p) => p.clone(),
                DbChoice::Demo(_) => {
                    return Err(AppError::input(
                        "say where the clinic record goes: ptclinic init --db PATH",
                    ));
                }
            };
            let keep = db::Existing::Keep(
                "choose another path, or move that file away first if it is to be replaced",
            );
            db::build_new_file(&path, keep, |db| {
                let at = crate::clock::stamp(settings.clock.now());
                db.write(|tx| {
                    db::set_meta(tx, "app", "ptclinic")?;
                    db::set_meta(tx, "created_at", &at)?;
                    db::audit::record(
                        tx,
                        &db::audit::AuditEntry {
                            at: &at,
                            user: &settings.user,
                            action: "clinic.init",
                            entity: "clinic",
                            entity_id: None,
                            detail: serde_json::json!({}),
                        },
                    )?;
                    Ok(())
                })
            })?;
            let shown = path_for_message(&path);
            eprintln!(
                "Created an empty clinic record at {shown}. Next: ptclinic staff add --db {shown} --name NAME --initials XX --role therapist"
            );
            Ok(())
        }
        Some(Command::Staff(cmd)) => staff::run(&settings, cmd),
        Some(Command::Report(crate::cli::ReportCommand::Progress {
            patient,
            format,
            out,
        })) => report::run_progress(&settings, &patient, format, out.as_deref()),
        Some(Command::Record(args)) => record::run(&settings, &args),
        Some(Command::Import(args)) => import::run(&settings, args),
        Some(Command::Export(cmd)) => export::run(&settings, cmd),
        Some(Command::Exercises {
            search,
            region,
            limit,
            json,
        }) => hep::exercises(&settings, search.as_deref(), region.as_deref(), limit, json),
        Some(Command::Backup { to, keep }) => backup::run(&settings, to, keep),
        Some(Command::Doctor { quick, full, json }) => {
            let depth = match (quick, full) {
                (_, true) => crate::db::doctor::Depth::Full,
                (true, false) => crate::db::doctor::Depth::Quick,
                (false, false) => crate::db::doctor::Depth::Standard,
            };
            doctor::run(&settings, depth, json)
        }
        Some(Command::Audit {
            since,
            user,
            patient,
            json,
        }) => audit::run(&settings, since.as_deref(), user, patient.as_deref(), json),
    }
}

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
fn build_demo(
    settings: &Settings,
    path: &std::path::Path,
    force: bool,
    opts: &DemoOptions,
) -> AppResult<demo::DemoSummary> {
    let now = crate::clock::stamp(settings.clock.now());
    let who = crate::db::schedule::Who {
        user: &settings.user,
        at: &now,
    };
    demo::build_as(path, force, opts, settings.clock.today(), who)
}

/// A `--date` value, or today.
fn day_arg(settings: &Settings, date: Option<&str>) -> AppResult<chrono::NaiveDate> {
    match date {
        Some(d) => config::parse_day(d, "--date"),
        None => Ok(settings.clock.today()),
    }
}

/// Sends an export, a report or a handout where it was asked for (a file, else stdout), and
/// audits the disclosure once nothing but the final rename can stop it: the file is written in
/// full beside its destination first, so a refused path or an unwritable file leaves no audit
/// row claiming that patient data went out.
fn disclose(
    out: Option<&std::path::Path>,
    text: &str,
    audit: impl FnOnce() -> AppResult<()>,
) -> AppResult<()> {
    match out {
        Some(path) => {
            let staged = crate::files::stage(path, text.as_bytes())?;
            audit()?;
            staged.persist()
        }
        None => {
            audit()?;
            emit(text)
        }
    }
}

/// Prints the confirmation of a change that is already committed. Nothing here may turn a saved
/// change into a failure exit (a script would retry it, or a person restore a backup over it):
/// when stdout cannot take the text (closed, full), stderr says so and the command exits 0.
pub fn emit_after_change(text: &str) {
    if let Err(e) = emit(text) {
        note(&format!(
            "ptclinic: the change was saved, but its confirmation could not be printed: {}",
            e.message
        ));
    }
}

/// One line for a person on stderr. A stderr that is gone is not worth failing over.
pub fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Writes command output to stdout. A closed pipe (`| head`) ends the output quietly.
pub fn emit(text: &str) -> AppResult<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::failure(format!("cannot write the output: {e}"))),
    }
}

//! What each command does. Every command resolves the same settings and opens the record the
//! same way; output is for scripts (stable JSON) or for people (plain, sanitised text).

mod audit;
mod auth;
mod backup;
mod billing;
mod book;
mod check_in;
mod check_out;
mod clinic_hours;
mod confirm;
mod contact;
mod discharge;
mod discharge_summary;
mod doctor;
mod export;
mod goal;
mod hep;
mod import;
mod measures;
mod messaging;
mod no_shows;
mod note;
mod outcomes;
mod patients;
mod payers;
mod plan;
mod record;
mod remind;
mod report;
mod schedule;
mod send;
mod server;
mod sites;
mod staff;
mod unscheduled;
mod unsigned;
mod waitlist;

use crate::cli::{Cli, Command};
use crate::clinic::build_demo;
pub use crate::clinic::open_clinic;

/// The site a change made by this command happens at: the one named (`--site`, PTCLINIC_SITE,
/// the config), else the record's only active site.
fn site_here(db: &db::Db, settings: &config::Settings) -> AppResult<crate::domain::sites::Site> {
    db.sites()?
        .pick(settings.site.as_deref())
        .cloned()
        .map_err(AppError::input)
}

/// What a view by this command shows: the site named, `all`, else the only site or every one.
fn site_view(
    db: &db::Db,
    settings: &config::Settings,
) -> AppResult<(crate::domain::sites::Sites, crate::domain::sites::SiteView)> {
    let sites = db.sites()?;
    let view = sites
        .view(settings.site.as_deref())
        .map_err(AppError::input)?;
    Ok((sites, view))
}

/// The patient an `--patient MRN` names, or the one sentence every command gives when none has it.
fn patient_with_mrn(db: &db::Db, mrn: &str) -> AppResult<crate::domain::patient::Patient> {
    db.patient_by_mrn(mrn)?.ok_or_else(|| {
        AppError::not_found(format!(
            "no patient with MRN {}",
            crate::sanitize::clean_echo(mrn)
        ))
    })
}
use crate::config::{self, DbChoice, Overrides, Settings};
use crate::db;
use crate::demo::DemoOptions;
use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

pub fn run(cli: Cli) -> AppResult<()> {
    let overrides = Overrides {
        db: cli.global.db.clone(),
        user: cli.global.user.clone(),
        site: cli.global.site.clone(),
        theme: cli.global.theme.clone(),
        idle_lock_minutes: cli.global.idle_lock,
        ascii: cli.global.ascii,
    };
    let settings = config::resolve(&overrides, &config::process_env)?;
    // `migrate` names its own two ends; every other command runs on the record configured.
    if !matches!(cli.command, Some(Command::Migrate { .. }))
        && let Some(address) = server::address(&settings)
        && let Some(done) = server::run(&settings, address, &cli.command)
    {
        return done;
    }
    match cli.command {
        None => crate::tui::run(&settings),
        Some(Command::Schedule {
            date,
            therapist,
            json,
        }) => schedule::run(&settings, date.as_deref(), therapist.as_deref(), json),
        Some(Command::Book(args)) => book::run(&settings, &args),
        Some(Command::Slots {
            therapist,
            minutes,
            from,
            json,
        }) => book::slots(&settings, &therapist, minutes, from.as_deref(), json),
        Some(Command::Cancel {
            appointment,
            reason,
            following,
        }) => book::cancel(&settings, appointment, reason, following),
        Some(Command::Move {
            appointment,
            date,
            time,
            following,
        }) => book::move_visit(&settings, appointment, date.as_deref(), &time, following),
        Some(Command::CheckIn {
            appointment,
            patient,
            date,
        }) => check_in::run(&settings, appointment, patient.as_deref(), date.as_deref()),
        Some(Command::CheckOut {
            appointment,
            patient,
            date,
        }) => check_out::run(&settings, appointment, patient.as_deref(), date.as_deref()),
        Some(Command::Contact {
            patient,
            email,
            phone,
            consent,
            opt_out,
        }) => contact::run(
            &settings,
            &patient,
            contact::Asked {
                email,
                phone,
                consent,
                opt_out,
            },
        ),
        Some(Command::Confirm {
            appointment,
            declined,
        }) => confirm::run(&settings, appointment, declined),
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
        Some(Command::Init { empty }) => {
            let path = match &settings.db {
                DbChoice::Named(p) => p.clone(),
                DbChoice::Demo(_) => {
                    return Err(AppError::input(
                        "say where the clinic record goes: ptclinic init --db PATH",
                    ));
                }
            };
            let at = crate::clock::stamp(settings.clock.now());
            let library = if empty {
                Vec::new()
            } else {
                crate::demo::starter_library()?
            };
            let made = db::Db::init_clinic(
                &path,
                db::Who {
                    user: &settings.user,
                    at: &at,
                },
                &library,
            )?;
            let shown = path_for_message(&path);
            eprintln!(
                "{} Next: ptclinic staff add --db {shown} --name NAME --initials XX --role admin --username $USER (the first admin then adds the others)",
                created(&made, &shown)
            );
            Ok(())
        }
        Some(Command::Staff(cmd)) => staff::run(&settings, cmd),
        Some(Command::Measures(cmd)) => measures::run(&settings, cmd),
        Some(Command::Plan(cmd)) => plan::run(&settings, cmd),
        Some(Command::Auth(cmd)) => auth::run(&settings, cmd),
        Some(Command::Report(crate::cli::ReportCommand::Progress {
            patient,
            format,
            out,
        })) => report::run_progress(&settings, &patient, format, out.as_deref()),
        Some(Command::Report(crate::cli::ReportCommand::Outcomes {
            from,
            to,
            by,
            measure,
            format,
            episodes,
            out,
        })) => outcomes::report(
            &settings,
            &outcomes::OutcomeArgs {
                from: from.as_deref(),
                to: to.as_deref(),
                by: by.as_deref(),
                measure: measure.as_deref(),
                format,
                episodes,
                out: out.as_deref(),
            },
        ),
        Some(Command::Report(crate::cli::ReportCommand::Billing { date, json, out })) => {
            billing::run(&settings, date.as_deref(), json, out.as_deref())
        }
        Some(Command::Record(args)) => record::run(&settings, &args),
        Some(Command::Goal(cmd)) => goal::run(&settings, cmd),
        Some(Command::Discharge(args)) => discharge::run(&settings, &args),
        Some(Command::Report(crate::cli::ReportCommand::Discharge {
            patient,
            format,
            out,
        })) => discharge_summary::run(&settings, &patient, format, out.as_deref()),
        Some(Command::Note(cmd)) => note::run(&settings, cmd),
        Some(Command::Payer(cmd)) => payers::run(&settings, cmd),
        Some(Command::Messaging(cmd)) => messaging::run(&settings, cmd),
        Some(Command::Send(cmd)) => send::run(&settings, cmd),
        Some(Command::Remind { dry_run, json, now }) => {
            remind::run(&settings, dry_run, json, now.as_deref())
        }
        Some(Command::Hours(cmd)) => clinic_hours::hours(&settings, cmd),
        Some(Command::Site(cmd)) => sites::run(&settings, cmd),
        Some(Command::Closed(cmd)) => clinic_hours::closed(&settings, cmd),
        Some(Command::Report(crate::cli::ReportCommand::Unscheduled { json })) => {
            unscheduled::run(&settings, json)
        }
        Some(Command::Report(crate::cli::ReportCommand::NoShows { from, to, json })) => {
            no_shows::report(&settings, from.as_deref(), to.as_deref(), json)
        }
        Some(Command::Report(crate::cli::ReportCommand::CallList { date, json })) => {
            no_shows::call_list(&settings, date.as_deref(), json)
        }
        Some(Command::Waitlist(cmd)) => waitlist::run(&settings, cmd),
        Some(Command::Patients { search, json }) => {
            patients::run(&settings, search.as_deref(), json)
        }
        Some(Command::Report(crate::cli::ReportCommand::Unsigned { date, json })) => {
            unsigned::run(&settings, date.as_deref(), json)
        }
        Some(Command::Import(args)) => import::run(&settings, args),
        Some(Command::Export(cmd)) => export::run(&settings, cmd),
        Some(Command::Exercises {
            search,
            region,
            limit,
            json,
        }) => hep::exercises(&settings, search.as_deref(), region.as_deref(), limit, json),
        Some(Command::Migrate {
            from,
            to,
            dry_run,
            json,
        }) => server::migrate(&settings, &from, &to, dry_run, json),
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

/// A `--date` value, or today.
fn day_arg(settings: &Settings, date: Option<&str>) -> AppResult<chrono::NaiveDate> {
    match date {
        Some(d) => config::parse_typed_day(d, "--date", settings.clock.today()),
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
/// What `init` says of the record it made at `shown` (a file or a server), and what comes next.
pub(crate) fn created(made: &db::InitSummary, shown: &str) -> String {
    let what = if made.exercises == 0 {
        "an empty clinic record".to_string()
    } else {
        format!(
            "a clinic record with {} exercises and {} program templates",
            made.exercises, made.templates
        )
    };
    format!(
        "Created {what} at {shown}, open {} (ptclinic hours set changes that).",
        crate::domain::clinic_hours::describe_week(&crate::domain::clinic_hours::DEFAULT_HOURS)
    )
}

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

/// Refuses an `--out` file whose folder does not exist, before the record is opened (the file
/// itself is staged beside its place, so its folder must be there).
pub(crate) fn check_out_folder(out: Option<&std::path::Path>) -> AppResult<()> {
    if let Some(path) = out {
        let dir = crate::files::folder_of(path);
        if !dir.is_dir() {
            return Err(AppError::input(format!(
                "--out {}: the folder {} does not exist",
                crate::sanitize::path_for_message(path),
                crate::sanitize::path_for_message(dir)
            )));
        }
    }
    Ok(())
}

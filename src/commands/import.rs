//! `ptclinic import patients|appointments|exercises FILE.csv [--dry-run] [--update]`.

use std::io::{IsTerminal, Write};

use crate::cli::{ImportArgs, ImportKindArg};
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::import::{self, Kind, Options};

/// Files with fewer rows finish too fast for a progress line to help.
const PROGRESS_FROM_ROWS: usize = 5_000;

pub fn run(settings: &Settings, args: ImportArgs) -> AppResult<()> {
    let kind = match args.what {
        ImportKindArg::Patients => Kind::Patients,
        ImportKindArg::Appointments => Kind::Appointments,
        ImportKindArg::Exercises => Kind::Exercises,
    };
    if args.template {
        return super::emit(&format!("{}\n", kind.template()));
    }
    let Some(path) = args.file else {
        return Err(AppError::input(format!(
            "name the CSV file: ptclinic import {} FILE.csv",
            kind.as_str()
        )));
    };
    let shown = crate::sanitize::path_for_message(&path);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::input(format!("there is no file {shown}")),
        _ if path.is_dir() => AppError::input(format!("{shown} is a folder, not a CSV file")),
        _ => AppError::failure(format!("cannot read {shown}: {e}")),
    })?;
    let mut db = super::open_clinic(settings)?;
    // Visits are at a site; patients and exercises belong to the whole clinic.
    let site_id = match kind {
        Kind::Appointments => Some(super::site_here(&db, settings)?.id),
        Kind::Patients | Kind::Exercises => None,
    };
    let at = crate::clock::stamp(settings.clock.now());
    let opts = Options {
        dry_run: args.dry_run,
        update: args.update,
        user: &settings.user,
        at: &at,
        today: settings.clock.today(),
        file_name: &shown,
        site_id,
    };
    let terminal = std::io::stderr().is_terminal();
    let mut drawn = false;
    let mut progress = |phase: &'static str, done: usize, total: usize| {
        if !terminal || total < PROGRESS_FROM_ROWS {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{phase} {} rows: {:>3}% ({done}/{total})   ",
            kind.as_str(),
            done * 100 / total.max(1)
        );
        let _ = err.flush();
        drawn = true;
    };
    let result = import::import(&mut db, kind, &bytes, &opts, &mut progress);
    if drawn {
        eprint!("\r{:60}\r", "");
    }
    let s = result?;
    let rows = plural(s.rows, "row", "rows");
    let changes = format!("{} new, {} updated", s.inserted, s.updated);
    if s.dry_run {
        eprintln!(
            "Checked {shown}: all {rows} of {} are good ({changes}); nothing was written (--dry-run).",
            kind.as_str()
        );
    } else {
        super::note(&format!(
            "Imported {shown}: {rows} of {} ({changes}).",
            kind.as_str()
        ));
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

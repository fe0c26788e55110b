//! CSV imports of patients, appointments and exercises, all or nothing: the whole file is
//! checked against the record inside one `BEGIN IMMEDIATE` transaction, and either every row
//! is written (with one audit row) or nothing is, and every bad line is reported with the
//! reason.

mod appointments;
mod exercises;
pub mod fields;
mod patients;
pub mod table;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::json;

use crate::db::audit::{self, AuditEntry};
use crate::db::{Db, TxError};
use crate::error::{AppError, AppResult};
pub use table::{Column, Problem};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Patients,
    Appointments,
    Exercises,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Patients => "patients",
            Kind::Appointments => "appointments",
            Kind::Exercises => "exercises",
        }
    }

    /// The columns this kind of file may have, required ones first.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Patients => patients::COLUMNS,
            Kind::Appointments => appointments::COLUMNS,
            Kind::Exercises => exercises::COLUMNS,
        }
    }

    /// The header line of a file of this kind, every known column, required ones first.
    pub fn template(self) -> String {
        self.columns()
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One audit row per imported record, beside the import's summary row, so that
/// `ptclinic audit --patient MRN` shows that an import created or changed this patient's record.
pub(crate) fn audit_record(
    conn: &rusqlite::Connection,
    opts: &Options,
    entity: &str,
    id: i64,
    updated: bool,
) -> rusqlite::Result<()> {
    audit::record(
        conn,
        &AuditEntry {
            at: opts.at,
            user: opts.user,
            action: if updated {
                "import.update"
            } else {
                "import.insert"
            },
            entity,
            entity_id: Some(id),
            detail: json!({ "file": crate::sanitize::clean_line(opts.file_name) }),
        },
    )
}

/// How an import runs, and who runs it.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Change records that already exist (patients by MRN, exercises by name, appointments by
    /// patient and start) instead of refusing them.
    pub update: bool,
    pub user: &'a str,
    /// The local time stamped on new rows and the audit row.
    pub at: &'a str,
    /// Dates of birth must be before this day.
    pub today: NaiveDate,
    /// The file as named in messages.
    pub file_name: &'a str,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub kind: Kind,
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub dry_run: bool,
}

/// Rows added and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: usize,
    pub updated: usize,
}

impl Counts {
    /// From each planned row's existing record, if any: none is an insert, some an update.
    fn of(existing: impl Iterator<Item = Option<i64>>) -> Self {
        let (mut inserted, mut updated) = (0, 0);
        for e in existing {
            if e.is_some() {
                updated += 1
            } else {
                inserted += 1
            }
        }
        Counts { inserted, updated }
    }
}

/// Told how far an import is: the phase ("checking", "writing"), rows done, rows in all.
pub type Progress<'p> = &'p mut dyn FnMut(&'static str, usize, usize);

/// Calls the progress callback every 1% of the rows (and at the end).
pub(crate) fn tick(progress: &mut Progress, phase: &'static str, done: usize, total: usize) {
    let step = (total / 100).max(1);
    if done % step == 0 || done == total {
        progress(phase, done, total);
    }
}

/// The result of checking one kind of file: SQLite trouble, or the rows that are wrong.
pub(crate) type Checked<T> = rusqlite::Result<Result<T, Vec<Problem>>>;

/// Imports one file. Any bad row means nothing is written; the error lists every bad line.
pub fn import(
    db: &mut Db,
    kind: Kind,
    bytes: &[u8],
    opts: &Options,
    mut progress: Progress,
) -> AppResult<Summary> {
    let (table, read_problems) =
        table::read(bytes, kind.columns()).map_err(|p| rejected(opts, p))?;
    let rows = table.rows.len() + read_problems.len();
    let summary = |c: Counts| Summary {
        kind,
        rows,
        inserted: c.inserted,
        updated: c.updated,
        dry_run: opts.dry_run,
    };
    if opts.dry_run {
        let path = db.path_text();
        let counts = run_kind(
            db.conn(),
            kind,
            &table,
            read_problems,
            opts,
            false,
            &mut progress,
        )
        .map_err(|e| crate::db::sql_failure(&path, e))?
        .map_err(|p| rejected(opts, p))?;
        return Ok(summary(counts));
    }
    let counts = db.write(|tx| {
        let counts = run_kind(
            tx,
            kind,
            &table,
            read_problems.clone(),
            opts,
            true,
            &mut progress,
        )?
        .map_err(|p| TxError::App(rejected(opts, p)))?;
        audit::record(
            tx,
            &AuditEntry {
                at: opts.at,
                user: opts.user,
                action: match kind {
                    Kind::Patients => "import.patients",
                    Kind::Appointments => "import.appointments",
                    Kind::Exercises => "import.exercises",
                },
                entity: match kind {
                    Kind::Patients => "patient",
                    Kind::Appointments => "appointment",
                    Kind::Exercises => "exercise",
                },
                entity_id: None,
                detail: json!({
                    "rows": rows,
                    "inserted": counts.inserted,
                    "updated": counts.updated,
                }),
            },
        )?;
        Ok(counts)
    })?;
    Ok(summary(counts))
}

/// Checks (and with `write`, writes) one kind of file; `problems` are those found reading it.
fn run_kind(
    conn: &Connection,
    kind: Kind,
    table: &table::Table,
    problems: Vec<Problem>,
    opts: &Options,
    write: bool,
    progress: &mut Progress,
) -> Checked<Counts> {
    match kind {
        Kind::Patients => patients::run(conn, table, problems, opts, write, progress),
        Kind::Appointments => appointments::run(conn, table, problems, opts, write, progress),
        Kind::Exercises => exercises::run(conn, table, problems, opts, write, progress),
    }
}

/// Sorted by line, one sentence per line.
pub(crate) fn finish(mut problems: Vec<Problem>) -> Result<(), Vec<Problem>> {
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_key(|p| p.line);
    Err(problems)
}

/// The refusal: a one-line summary, then `line N: reason` for every bad line.
fn rejected(opts: &Options, mut problems: Vec<Problem>) -> AppError {
    problems.sort_by_key(|p| p.line);
    let file = crate::sanitize::clean_line(opts.file_name);
    let n = problems.len();
    let lines = if n == 1 { "line" } else { "lines" };
    let outcome = if opts.dry_run {
        "the import would fail"
    } else {
        "nothing was imported"
    };
    let mut message = format!("{file}: {n} bad {lines}, {outcome}:");
    for p in &problems {
        message.push_str(&format!("\nline {}: {}", p.line, p.reason));
    }
    AppError::input(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_put_required_columns_first() {
        for kind in [Kind::Patients, Kind::Appointments, Kind::Exercises] {
            let cols = kind.columns();
            let first_optional = cols.iter().position(|c| !c.required).unwrap();
            assert!(cols[first_optional..].iter().all(|c| !c.required));
        }
        assert!(
            Kind::Patients
                .template()
                .starts_with("mrn,first_name,last_name,date_of_birth")
        );
    }

    #[test]
    fn a_refusal_lists_every_line_in_order() {
        let opts = Options {
            dry_run: false,
            update: false,
            user: "u",
            at: "2026-11-27T10:00:00",
            today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            file_name: "p.csv",
        };
        let e = rejected(&opts, vec![Problem::new(5, "b"), Problem::new(2, "a")]);
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.message,
            "p.csv: 2 bad lines, nothing was imported:\nline 2: a\nline 5: b"
        );
    }
}

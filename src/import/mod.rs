//! CSV imports of patients, appointments and exercises, all or nothing. This module reads a
//! file and checks its rows into domain values against what the record holds; the store
//! (`Db::import`) runs that check inside the transaction that writes them, so either every row
//! is written (with its audit rows) or nothing is, and every bad line is reported with the
//! reason.

mod appointments;
mod exercises;
pub mod fields;
mod patients;
pub mod table;

use chrono::NaiveDate;

use crate::db::Db;
use crate::domain::bulk::{ImportAudit, ImportPlan, Planned};
pub use crate::domain::bulk::{ImportCounts as Counts, ImportKind as Kind, Progress};
use crate::error::{AppError, AppResult};
pub use table::{Column, Problem};

impl Kind {
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
    /// The site imported visits are at (the terminal's, or the record's only one); None for
    /// patients and exercises.
    pub site_id: Option<i64>,
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

/// The keys a file's rows name (an MRN, an exercise's name, a patient and a start): a key on
/// an earlier line of the file, or one the record already has outside `--update`, is a reason
/// to refuse the row.
pub(crate) struct Claims<'a, K> {
    seen: std::collections::HashMap<K, u64>,
    existing: &'a std::collections::HashMap<K, i64>,
    update: bool,
}

impl<'a, K: std::hash::Hash + Eq> Claims<'a, K> {
    pub fn new(existing: &'a std::collections::HashMap<K, i64>, update: bool) -> Self {
        Self {
            seen: std::collections::HashMap::new(),
            existing,
            update,
        }
    }

    /// The stored row's id when the record has the key; why the row cannot have it goes into
    /// `reasons` (`twice` is told the first line that named it).
    pub fn claim(
        &mut self,
        key: K,
        line: u64,
        reasons: &mut Vec<String>,
        twice: impl FnOnce(u64) -> String,
        stored: impl FnOnce() -> String,
    ) -> Option<i64> {
        let found = self.existing.get(&key).copied();
        match self.seen.get(&key) {
            Some(first) => reasons.push(twice(*first)),
            None => {
                self.seen.insert(key, line);
            }
        }
        if found.is_some() && !self.update {
            reasons.push(stored());
        }
        found
    }
}

/// A checked row joins the plan, or its reasons the problems.
pub(crate) fn settle<T>(
    plan: &mut Vec<Planned<T>>,
    problems: &mut Vec<Problem>,
    line: u64,
    row: Option<T>,
    reasons: Vec<String>,
    existing: Option<i64>,
) {
    match row {
        Some(row) if reasons.is_empty() => plan.push(Planned { row, existing }),
        _ => problems.push(Problem::new(line, reasons.join("; "))),
    }
}

/// Calls the progress callback every 1% of the rows (and at the end).
pub(crate) fn tick(progress: &mut Progress, phase: &'static str, done: usize, total: usize) {
    let step = (total / 100).max(1);
    if done % step == 0 || done == total {
        progress(phase, done, total);
    }
}

/// Imports one file. Any bad row means nothing is written; the error lists every bad line.
pub fn import(
    db: &mut Db,
    kind: Kind,
    bytes: &[u8],
    opts: &Options,
    progress: Progress,
) -> AppResult<Summary> {
    let (table, read_problems) =
        table::read(bytes, kind.columns()).map_err(|p| rejected(opts, p))?;
    let rows = table.rows.len() + read_problems.len();
    let audit = ImportAudit {
        user: opts.user,
        at: opts.at,
        file_name: opts.file_name,
        rows,
        site_id: opts.site_id,
    };
    let counts = db.import(
        kind,
        opts.dry_run,
        &audit,
        |known, mut progress| {
            let problems = read_problems.clone();
            let plan = match kind {
                Kind::Patients => patients::check(known, &table, problems, opts, &mut progress)
                    .map(ImportPlan::Patients),
                Kind::Appointments => {
                    appointments::check(known, &table, problems, opts, &mut progress)
                        .map(ImportPlan::Appointments)
                }
                Kind::Exercises => exercises::check(known, &table, problems, opts, &mut progress)
                    .map(ImportPlan::Exercises),
            };
            plan.map_err(|p| rejected(opts, p))
        },
        progress,
    )?;
    Ok(Summary {
        kind,
        rows,
        inserted: counts.inserted,
        updated: counts.updated,
        dry_run: opts.dry_run,
    })
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
            site_id: None,
        };
        let e = rejected(&opts, vec![Problem::new(5, "b"), Problem::new(2, "a")]);
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.message,
            "p.csv: 2 bad lines, nothing was imported:\nline 2: a\nline 5: b"
        );
    }
}

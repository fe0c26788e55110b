//! The only module that speaks SQL. Connection rules for a file on a network drive live in
//! `connection`; every change goes through `Db::write`, one short `BEGIN IMMEDIATE`
//! transaction with its audit row, retried as a whole while another terminal holds the lock.
//!
//! The rest of the app sees `Db`'s methods only, which take and return domain types (bulk
//! work too: [`Db::import`], [`Db::build_demo`]); the connection, `write` and the SQL helpers
//! stay inside this module, so a second backend (PostgreSQL for a clinic group) is another
//! implementation of these methods here, not a change to the app. `testing` is what the
//! integration tests and benchmarks may see.

mod adherence;
pub mod answers;
pub mod audit;
pub mod authorizations;
pub mod backup;
pub mod clinic_hours;
pub mod clinic_work;
pub mod confirmations;
mod connection;
pub mod contact;
pub mod demo_build;
pub mod desk_lists;
pub mod discharge;
pub mod doctor;
pub mod export_reads;
mod flag_cache;
pub mod flags;
pub mod goals;
pub mod hep;
mod imports;
mod measure_reads;
pub mod messaging_settings;
mod new_clinic;
pub mod no_show;
pub mod note_signing;
pub mod outbox;
pub mod outcomes;
pub mod patient_record;
pub mod patients;
pub mod payers;
pub mod plans;
pub mod postgres;
pub mod program_work;
pub mod progress;
pub mod progress_letter;
pub mod progress_work;
pub mod record_work;
pub mod schedule;
pub mod schema;
pub mod series;
pub mod series_work;
mod signatures;
pub mod sites;
pub(crate) mod sql;
pub mod staff;
pub mod stored_time;
#[doc(hidden)]
pub mod testing;
mod unbook;
pub mod visit_notes;
pub mod waitlist;
pub mod worker;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use sql::{Conn, Sql};

use chrono::NaiveDate;

use crate::error::{AppError, AppResult, ErrorKind};

pub use connection::{
    Existing, Header, build_new_file, damage_note_path, open_existing, read_header, set_damage_note,
};
pub use new_clinic::InitSummary;

/// The sentence every front end shows when the lock could not be had in time.
pub const BUSY_MESSAGE: &str =
    "the clinic database is busy (another terminal is writing); nothing was changed: try again";

/// What every front end says of a record found damaged; the instruction comes first, so that
/// it survives a narrow status line.
pub const DAMAGED_MESSAGE: &str =
    "clinic database damaged: read-only, nothing was saved; run `ptclinic doctor`";

/// Total time a write keeps retrying before giving up (each attempt also waits for the
/// busy timeout inside SQLite).
const WRITE_BUDGET: Duration = Duration::from_secs(18);
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open clinic record.
pub struct Db {
    store: Store,
    /// Why the file is not to be written this session: the note a failed integrity check left
    /// beside it. A write on a damaged file could commit and then be thrown away by the restore
    /// it calls for. (A damaged page met while working is not taken as proof: on a network drive
    /// SQLite reports a read that failed in transit the same way, and the next read may succeed.)
    damaged: Option<String>,
    /// The clinic's finished episodes that "what to expect" compares with, kept for an hour.
    outcome_history: Option<outcomes::History>,
}

/// Where the record is held.
enum Store {
    /// A SQLite file (on a network drive, usually).
    File {
        conn: Connection,
        path: PathBuf,
        /// The identity of the file this connection opened: when the path names another file
        /// (a backup restored, a record rebuilt), the connection still points at the old one.
        file_id: Option<FileId>,
    },
    /// A clinic group's PostgreSQL server.
    Server(Box<postgres::session::Session>),
}

/// A file's device and inode: the same path can come to name another file.
pub type FileId = (u64, u64);

/// The identity of the file at `path` now (None where it cannot be read, or off Unix).
pub fn file_identity(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Why a write transaction stopped: SQLite trouble (maybe retryable) or a refusal that the
/// user must read.
#[derive(Debug)]
pub enum TxError {
    Sql(sql::SqlError),
    App(AppError),
}

impl From<rusqlite::Error> for TxError {
    fn from(e: rusqlite::Error) -> Self {
        TxError::Sql(e.into())
    }
}

impl From<AppError> for TxError {
    fn from(e: AppError) -> Self {
        TxError::App(e)
    }
}

pub type TxResult<T> = Result<T, TxError>;

fn is_io_failure(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::SystemIoFailure | ErrorCode::DiskFull)
    )
}

/// What a change leaves to check once it is committed: the audit row it wrote, if any.
type Written = Option<(i64, String)>;

/// `f` and what every change does with it: the flags it may have altered refreshed in the same
/// transaction, and its audit row noted (whether that row is there tells, after a failed
/// commit, whether the change was saved).
fn change<T>(conn: &Conn, f: &mut impl FnMut(&Conn) -> TxResult<T>) -> TxResult<(T, Written)> {
    let chain = sql::ChainEnd::default();
    let conn = Conn::in_change(conn, &chain);
    let value = f(&conn)?;
    flag_cache::refresh(&conn)?;
    Ok((value, chain.last_appended()))
}

/// Who makes a change, and when: what every audit row records.
pub struct Who<'a> {
    pub user: &'a str,
    /// The local time of the change, `YYYY-MM-DDTHH:MM:SS`; its date is the clinic's today.
    pub at: &'a str,
}

impl Who<'_> {
    /// The clinic day the change is made on (the app clock's today, as `at` carries it).
    pub(crate) fn today(&self) -> AppResult<NaiveDate> {
        self.at
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| self.not_a_time())
    }

    /// The moment of the change (the app clock's now, as `at` carries it).
    pub(crate) fn now(&self) -> AppResult<chrono::NaiveDateTime> {
        self.at
            .get(..19)
            .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok())
            .ok_or_else(|| self.not_a_time())
    }

    fn not_a_time(&self) -> AppError {
        AppError::failure(format!(
            "the time of the change, \"{}\", is not a date and time",
            crate::sanitize::clean_echo(self.at)
        ))
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Turns a SQLite error into a sentence naming the file.
pub(in crate::db) fn sql_failure(path: &str, e: rusqlite::Error) -> AppError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            AppError::of(ErrorKind::Busy, BUSY_MESSAGE)
        }
        Some(ErrorCode::NotADatabase) => AppError::input(format!(
            "{path} is not a SQLite database; it was left untouched"
        )),
        Some(ErrorCode::ReadOnly) => AppError::failure(format!(
            "{path} is read-only for this user: ask IT for write access"
        )),
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) => AppError::of(
            ErrorKind::Offline,
            format!("cannot reach the clinic database at {path}: is the network drive connected?"),
        ),
        Some(ErrorCode::DatabaseCorrupt) => AppError::failure(format!(
            "the clinic database at {path} could not be read (a damaged page, or the drive failed in the middle of a read); nothing was written: try again, and run `ptclinic doctor` if it happens again"
        )),
        Some(ErrorCode::DiskFull) => AppError::failure(format!(
            "the drive holding the clinic database at {path} is full; nothing was written: free some space on it"
        )),
        _ => {
            // SQLite's own words only: an error in a statement carries the statement's whole
            // text (a migration's is kilobytes of SQL), which tells the reader nothing.
            let why = match &e {
                rusqlite::Error::SqlInputError { msg, .. } => crate::sanitize::clean_echo(msg),
                other => crate::sanitize::clean_echo(&other.to_string()),
            };
            AppError::failure(format!(
                "database error at {path}: {why} (`ptclinic doctor` checks the file)"
            ))
        }
    }
}

impl Db {
    fn new(store: Store, damaged: Option<String>) -> Db {
        Db {
            store,
            damaged,
            outcome_history: None,
        }
    }

    /// The file's path, or the server's address as it may be shown (without a password).
    pub fn path(&self) -> &Path {
        match &self.store {
            Store::File { path, .. } => path,
            Store::Server(s) => Path::new(s.shown()),
        }
    }

    /// The identity of the file this connection has open (see `file_identity`); a server has
    /// none.
    pub fn file_id(&self) -> Option<FileId> {
        match &self.store {
            Store::File { file_id, .. } => *file_id,
            Store::Server(_) => None,
        }
    }

    /// Whether the record is a clinic group's server rather than a file.
    pub fn is_server(&self) -> bool {
        matches!(self.store, Store::Server(_))
    }

    pub fn path_text(&self) -> String {
        match &self.store {
            Store::File { path, .. } => crate::sanitize::path_for_message(path),
            Store::Server(s) => s.shown().to_string(),
        }
    }

    /// The SQLite connection, for what only a file has (its backups, its integrity checks);
    /// on a server, the sentence saying so.
    pub(in crate::db) fn conn(&self) -> AppResult<&Connection> {
        match &self.store {
            Store::File { conn, .. } => Ok(conn),
            Store::Server(s) => Err(AppError::input(format!(
                "{} is a PostgreSQL record: the server does this (README, \"A clinic group on PostgreSQL\")",
                s.shown()
            ))),
        }
    }

    /// The connection as the store's modules take it, whichever backend holds the record.
    /// Reads run outside any long-lived transaction: each query copies into memory and
    /// finishes, so an idle screen never blocks another terminal's commit.
    pub(in crate::db) fn sql(&self) -> Conn<'_> {
        match &self.store {
            Store::File { conn, .. } => Conn::new(conn),
            Store::Server(s) => s.sql(),
        }
    }

    /// A statement's failure as a sentence naming the file or the server.
    pub(in crate::db) fn fail(&self, e: impl Into<sql::SqlError>) -> AppError {
        match (&self.store, e.into()) {
            (Store::Server(s), e) => s.fail(e),
            (Store::File { .. }, e) => sql_failure(&self.path_text(), e.into()),
        }
    }

    /// Why this file is read-only for the session, if it is.
    pub fn damage(&self) -> Option<String> {
        self.damaged.clone()
    }

    /// Runs `f` in one transaction that holds the writers' lock (`BEGIN IMMEDIATE` on a file,
    /// an advisory lock on a server), retried as a whole with jitter while another writer is
    /// in the way, for at most about 20 seconds. A damaged file is not written at all.
    pub(in crate::db) fn write<T>(
        &mut self,
        mut f: impl FnMut(&Conn) -> TxResult<T>,
    ) -> AppResult<T> {
        if let Some(why) = self.damage() {
            return Err(AppError::failure(format!(
                "{} ({why}; {})",
                DAMAGED_MESSAGE,
                self.path_text()
            )));
        }
        let busy = |e: &TxError| matches!(e, TxError::Sql(e) if e.is_busy());
        match retry_while_busy(busy, || self.try_write(&mut f)) {
            Ok(v) => Ok(v),
            Err(TxError::App(e)) => Err(e),
            Err(TxError::Sql(e)) => Err(self.fail(e)),
        }
    }

    /// [`Db::write`] for a change only some roles may make: the user's role is looked up in the
    /// same transaction, so a role changed at another terminal a moment ago counts, and a refusal
    /// writes nothing. `f` is told who is acting (a signature records them).
    ///
    /// The staff list itself may be written by anyone while the record has no admin: that is how
    /// a new record gets its first one.
    pub(in crate::db) fn write_as<T>(
        &mut self,
        who: &Who,
        duty: crate::domain::roles::Duty,
        mut f: impl FnMut(&Conn, &crate::domain::roles::Acting) -> TxResult<T>,
    ) -> AppResult<T> {
        self.write(|tx| {
            let acting = allowed(tx, who, duty)?;
            f(tx, &acting)
        })
    }

    fn try_write<T>(&mut self, f: &mut impl FnMut(&Conn) -> TxResult<T>) -> TxResult<T> {
        let conn = match &mut self.store {
            Store::Server(s) => return s.write(|tx| change(tx, f)).map(|(value, _)| value),
            Store::File { conn, .. } => conn,
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (value, ours) = change(&Conn::new(&tx), f)?;
        match tx.commit() {
            Ok(()) => Ok(value),
            // A drive can fail after the commit point (syncing the emptied journal, say):
            // SQLite reports an error, yet the change is in the file. Every change carries its
            // audit row, so whether that row is there tells which it was, and a saved change
            // is never reported as lost (a script would retry it, a person redo it).
            Err(e) if is_io_failure(&e) => match ours {
                Some((id, hash))
                    if audit::has_row(&Conn::new(conn), id, &hash).unwrap_or(false) =>
                {
                    Ok(value)
                }
                _ => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// `f` in one transaction with nothing added (no retry, no audit check): a test's setup,
    /// which puts rows in as they are.
    pub(in crate::db) fn transaction<T>(
        &self,
        f: impl FnOnce(&Conn) -> TxResult<T>,
    ) -> TxResult<T> {
        match &self.store {
            Store::File { conn, .. } => {
                let tx = conn.unchecked_transaction()?;
                let value = f(&Conn::new(&tx))?;
                tx.commit()?;
                Ok(value)
            }
            Store::Server(s) => s.write(f),
        }
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> AppResult<Option<String>> {
        self.sql()
            .row(
                "SELECT value FROM meta WHERE key = ?1",
                sql::args![key],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    /// Changes whenever another terminal commits (SQLite's `data_version`; on a server, the
    /// audit log's head, read again when a notification says so).
    pub fn data_version(&self) -> AppResult<i64> {
        match &self.store {
            Store::File { conn, .. } => conn
                .pragma_query_value(None, "data_version", |r| r.get(0))
                .map_err(|e| self.fail(e)),
            Store::Server(s) => s.data_version(),
        }
    }

    /// The requests this terminal has sent a server's record, one round trip each (None for a
    /// file, which has no round trips).
    pub fn round_trips(&self) -> Option<u64> {
        match &self.store {
            Store::File { .. } => None,
            Store::Server(s) => Some(s.round_trips()),
        }
    }

    /// Whether the record looks reachable without asking it anything: on a network drive a
    /// lost mount shows up here first, while the open handle may still answer from cache. A
    /// server can only be asked: trying to connect again is how a terminal finds it back.
    pub fn reachable(&self) -> bool {
        match &self.store {
            Store::File { path, .. } => std::fs::metadata(path).is_ok_and(|m| m.is_file()),
            Store::Server(_) => true,
        }
    }

    /// The record opened again with a fresh connection: after a lost drive or server, or a
    /// file replaced under its path.
    pub fn reopen(&self) -> AppResult<Db> {
        match &self.store {
            Store::File { path, .. } => open_existing(path),
            Store::Server(s) => Ok(Db::new(Store::Server(Box::new(s.reopen()?)), None)),
        }
    }
}

/// Runs `f` again, with jitter, while it fails because another terminal holds the file's lock,
/// for about 20 seconds in all: what a write waits, and what opening the record waits while
/// another terminal upgrades it (which holds an exclusive lock for seconds).
fn retry_while_busy<T, E>(
    is_busy: impl Fn(&E) -> bool,
    mut f: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    let started = Instant::now();
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        match f() {
            Err(e) if is_busy(&e) && started.elapsed() < WRITE_BUDGET => {
                std::thread::sleep(jitter(attempt));
            }
            result => return result,
        }
    }
}

/// A pause that grows with the attempt and varies between terminals, so two waiting writers
/// do not retry in lock-step.
fn jitter(attempt: u32) -> Duration {
    let base = 50u64 * u64::from(attempt.min(8));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(base + u64::from(nanos % 200))
}

pub(in crate::db) fn set_meta(tx: &Conn, key: &str, value: &str) -> sql::SqlResult<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        sql::args![key, value],
    )?;
    Ok(())
}

/// Who `who` acts as, once `roles::check` lets them do `duty` (inside the change's transaction).
/// The staff list is open to anyone while the record has no active admin: that is how a new
/// record gets its first one.
pub(in crate::db) fn allowed(
    tx: &Conn,
    who: &Who,
    duty: crate::domain::roles::Duty,
) -> TxResult<crate::domain::roles::Acting> {
    use crate::domain::roles::{self, Duty};
    let acting = staff::acting(tx, who.user)?;
    let setting_up = duty == Duty::Staff && !staff::has_admin(tx)?;
    if !setting_up {
        roles::check(duty, who.user, &acting)
            .map_err(|why| TxError::App(AppError::of(ErrorKind::Forbidden, why)))?;
    }
    Ok(acting)
}

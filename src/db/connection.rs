//! Opening a clinic record on a possibly shared, possibly network drive: recognise the file
//! before touching it, apply the rollback-journal pragmas, then migrate.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::schema::{self, APPLICATION_ID, SCHEMA_VERSION};
use super::{BUSY_TIMEOUT, Db, Store, postgres, sql_failure};
use crate::error::{AppError, AppResult};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What the first 100 bytes of a SQLite file say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub user_version: i64,
    pub application_id: i32,
    /// The file is marked for WAL (write/read format version 2).
    pub wal: bool,
}

impl Header {
    pub fn is_ours(&self) -> bool {
        self.application_id == APPLICATION_ID
    }
}

/// Reads a file's SQLite header without opening it as a database.
pub fn read_header(path: &Path, shown: &str) -> AppResult<Header> {
    let mut file = std::fs::File::open(path).map_err(|e| {
        AppError::failure(format!("cannot read the clinic database at {shown}: {e}"))
    })?;
    let mut buf = [0u8; 100];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => {
                return Err(AppError::failure(format!(
                    "cannot read the clinic database at {shown}: {e}"
                )));
            }
        }
    }
    if filled < buf.len() || &buf[..16] != SQLITE_MAGIC {
        return Err(AppError::input(format!(
            "{shown} is not a SQLite database, so not a clinic record; it was left untouched"
        )));
    }
    let be = |at: usize| i32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]);
    Ok(Header {
        user_version: i64::from(be(60)),
        application_id: be(68),
        wal: buf[18] == 2 || buf[19] == 2,
    })
}

fn check_location(path: &Path, shown: &str) -> AppResult<()> {
    let parent = crate::files::folder_of(path);
    match std::fs::metadata(parent) {
        Ok(m) if m.is_dir() => {}
        // A share that stopped answering is not a mistyped path: say what to check, and let a
        // script retry (exit 1) rather than give up on its arguments (exit 2).
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(AppError::of(
                crate::error::ErrorKind::Offline,
                format!(
                    "cannot reach the clinic database at {shown} ({e}): is the network drive connected?"
                ),
            ));
        }
        _ => {
            return Err(AppError::input(format!(
                "the folder {} does not exist (clinic database {shown})",
                crate::sanitize::path_for_message(parent)
            )));
        }
    }
    if path.is_dir() {
        return Err(AppError::input(format!(
            "{shown} is a folder, not a clinic database file"
        )));
    }
    Ok(())
}

/// Opens an existing clinic record: a file, or a clinic group's server when `path` is a
/// `postgres://` address. Never creates a file: a missing one is an error that points to `init`
/// and `demo`.
pub fn open_existing(path: &Path) -> AppResult<Db> {
    if let Some(address) = path.to_str().filter(|t| postgres::is_server_address(t)) {
        let target = postgres::Target::parse(address, &|k| std::env::var(k).ok())?;
        return Ok(Db::new(
            Store::Server(Box::new(postgres::session::Session::open(&target)?)),
            None,
        ));
    }
    let shown = crate::sanitize::path_for_message(path);
    check_location(path, &shown)?;
    if !path.exists() {
        return Err(AppError::input(format!(
            "no clinic database at {shown}: create one with `ptclinic init --db {shown}`, or a demo clinic with `ptclinic demo --db {shown}`"
        )));
    }
    let header = read_header(path, &shown)?;
    if header.application_id != APPLICATION_ID {
        return Err(AppError::input(format!(
            "{shown} is a SQLite database but not a ptclinic clinic record; it was left untouched"
        )));
    }
    if header.user_version > SCHEMA_VERSION {
        return Err(schema::newer_schema(&shown, header.user_version));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_failure(&shown, e))?;
    // Another terminal upgrading the file holds an exclusive lock for seconds: wait it out
    // as a write would, rather than give up after one busy timeout.
    super::retry_while_busy(super::is_busy, || {
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
    })
    .map_err(|e| sql_failure(&shown, e))?;
    // Read once the file is open, so that it names the file the connection has.
    let file_id = super::file_identity(path);
    let mut conn = configure(conn, &shown)?;
    schema::migrate(&mut conn, &shown)?;
    let mut db = Db::new(
        Store::File {
            conn,
            path: path.to_path_buf(),
            file_id,
        },
        read_damage_note(path),
    );
    if db.damage().is_none() {
        // Someone dropped the audit log's append-only triggers: put them back and say so in
        // the log itself. A user who may not write leaves that to the next one who may.
        let at = crate::clock::stamp(chrono::Local::now().naive_local());
        let _ = db.restore_audit_triggers(&at);
        let _ = db.record_restore(&at);
    }
    Ok(db)
}

/// Where `doctor` (or a backup whose copy failed its integrity check) leaves a note that the
/// record is damaged: beside the record, so that every terminal opens it read-only until a
/// passing `doctor` removes the note.
pub fn damage_note_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clinic.db".into());
    path.with_file_name(format!(".{name}.damaged"))
}

/// Leaves (or, with `None`, removes) the damage note beside the record.
pub fn set_damage_note(path: &Path, why: Option<&str>) -> std::io::Result<()> {
    let note = damage_note_path(path);
    match why {
        Some(why) => crate::files::write_whole(&note, format!("{why}\n").as_bytes())
            .map_err(|e| std::io::Error::other(e.message)),
        None => match std::fs::remove_file(&note) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

fn read_damage_note(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(damage_note_path(path)).ok()?;
    let first =
        crate::sanitize::clean_line(text.lines().next().unwrap_or("an integrity check failed"));
    Some(first.chars().take(160).collect())
}

/// How long a terminal waits for another's lock before the whole transaction is retried:
/// short, frequent tries (SQLite's default handler backs off to 100 ms sleeps, which makes
/// a busy front desk wait far longer than the lock is actually held), about `BUSY_TIMEOUT` in all.
fn wait_for_lock(attempts: i32) -> bool {
    // 0.2 ms steps for the first 0.1 s (a commit takes about a millisecond), then 2 ms steps.
    const FAST_TRIES: u64 = 500;
    let attempts = u64::from(attempts.unsigned_abs());
    let waited_us = attempts.min(FAST_TRIES) * 200 + attempts.saturating_sub(FAST_TRIES) * 2_000;
    if u128::from(waited_us) >= BUSY_TIMEOUT.as_micros() {
        return false;
    }
    let step = if attempts < FAST_TRIES { 200 } else { 2_000 };
    std::thread::sleep(std::time::Duration::from_micros(step));
    true
}

/// Shared-drive settings, applied at every open. The journal mode is read back: a file that
/// some other tool switched to WAL (which needs shared memory on one host) is switched back.
fn configure(mut conn: Connection, shown: &str) -> AppResult<Connection> {
    let fail = |e| sql_failure(shown, e);
    conn.busy_handler(Some(wait_for_lock)).map_err(fail)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "TRUNCATE", |r| r.get(0))
        .map_err(fail)?;
    if !mode.eq_ignore_ascii_case("truncate") {
        return Err(AppError::failure(format!(
            "{shown} is in {mode} journal mode and could not be switched back to a rollback journal (is another program holding it open?)"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(fail)?;
    conn.pragma_update(None, "locking_mode", "NORMAL")
        .map_err(fail)?;
    conn.pragma_update(None, "mmap_size", 0).map_err(fail)?;
    // 16 MiB of page cache (SQLite's default is 2): a busy day of a ten-year clinic touches
    // more pages than that, and a cache miss on a network drive is a round trip.
    conn.pragma_update(None, "cache_size", -16_384)
        .map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(fail)?;
    Ok(conn)
}

/// Removes what an interrupted build (a killed process, a lost drive) left beside `path`.
fn remove_stale_builds(path: &Path, file_name: &str) {
    let stem = format!(".{file_name}.building-");
    let dir = crate::files::folder_of(path);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&stem) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What a new record may do to a file already at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave it alone; the words say how to proceed instead (shown in brackets).
    Keep(&'static str),
    /// Replace it when it is a demo clinic and `force` is given; anything else is refused,
    /// `force` or not, since a real clinic's record is never rebuilt by accident.
    ReplaceDemo { force: bool },
}

/// Whether the file at `path` is a demo clinic (its `meta` says `demo` = 1). Read through a
/// read-only connection; anything unreadable counts as not a demo, the safe side.
fn is_demo_record(path: &Path, shown: &str) -> bool {
    if !read_header(path, shown).is_ok_and(|h| h.is_ours()) {
        return false;
    }
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return false;
    };
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
    conn.query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
        r.get::<_, String>(0)
    })
    .is_ok_and(|v| v == "1")
}

/// Builds a brand-new clinic record all or nothing: into a temporary file beside `path`,
/// renamed into place only when `fill` succeeded. A file already there is dealt with as
/// `existing` says.
pub fn build_new_file(
    path: &Path,
    existing: Existing,
    fill: impl FnOnce(&mut Db) -> AppResult<()>,
) -> AppResult<()> {
    let shown = crate::sanitize::path_for_message(path);
    check_location(path, &shown)?;
    if path.exists() {
        match existing {
            Existing::Keep(how) => {
                return Err(AppError::input(format!(
                    "{shown} already exists; it was left untouched ({how})"
                )));
            }
            Existing::ReplaceDemo { .. } if !is_demo_record(path, &shown) => {
                return Err(AppError::input(format!(
                    "{shown} already exists and is not a demo clinic; it was left untouched (demo replaces only a demo clinic, --force or not: choose another path)"
                )));
            }
            Existing::ReplaceDemo { force: false } => {
                return Err(AppError::input(format!(
                    "{shown} already exists; it was left untouched (it is a demo clinic: use --force to replace it)"
                )));
            }
            Existing::ReplaceDemo { force: true } => {}
        }
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clinic.db".into());
    remove_stale_builds(path, &file_name);
    let dir = crate::files::folder_of(path);
    let temp: PathBuf = crate::files::temp_in(dir, &format!(".{file_name}.building-"), "")
        .and_then(|t| t.keep().map_err(|e| e.error))
        .map(|(_, p)| p)
        .map_err(|e| {
            AppError::failure(format!("cannot create a file in {}: {e}", dir.display()))
        })?;
    let result = (|| {
        // The file was just created, private and exclusively; a link put in its place since
        // is refused rather than followed.
        let conn = Connection::open_with_flags(
            &temp,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(|e| sql_failure(&shown, e))?;
        let mut conn = configure(conn, &shown)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| sql_failure(&shown, e))?;
        schema::migrate(&mut conn, &shown)?;
        let mut db = Db::new(
            Store::File {
                conn,
                file_id: super::file_identity(&temp),
                path: temp.clone(),
            },
            None,
        );
        fill(&mut db)?;
        if let Store::File { conn, .. } = db.store {
            conn.close().map_err(|(_, e)| sql_failure(&shown, e))?;
        }
        // Group-writable so the clinic's group can share it; never world-readable.
        crate::files::set_mode(&temp, crate::files::RECORD_MODE)
            .map_err(|e| AppError::failure(format!("cannot set the permissions of {shown}: {e}")))
    })();
    let journal = temp.with_file_name(format!(
        "{}-journal",
        temp.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_file(&journal);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        AppError::failure(format!(
            "cannot put the new clinic database in place at {shown}: {e}"
        ))
    })
}

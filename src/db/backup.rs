//! Backups with SQLite's online backup API (never a file copy, which could catch a transaction
//! half-written), checked for integrity before they count, marked inside as ptclinic's own, and
//! rotated by the time recorded in them.
//!
//! Rotation removes only files that carry the mark of a backup under their own name, never the
//! record being backed up, and never the backup it has just made: a clinic whose record is
//! called `ptclinic-2024.db` and lives in the backup folder keeps it, and a copy named with a
//! wrong clock's date cannot push the new ones out. Every backup also records the head of the
//! audit chain (inside the copy and in a head file beside the backups), which `doctor` holds
//! the record against.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::sql::{Conn, Sql, SqlError, args};
use chrono::NaiveDateTime;
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::Db;
use super::audit::{self, AuditHead};
use crate::error::{AppError, AppResult};
use crate::files;
use crate::sanitize::path_for_message;

const PREFIX: &str = "ptclinic-";
const SUFFIX: &str = ".db";
const PARTIAL_PREFIX: &str = ".ptclinic-backup-";
const PARTIAL_SUFFIX: &str = ".partial";
/// One line per backup: when, the chain, its rows, its last row and that row's hash.
pub const HEADS_FILE: &str = "ptclinic-audit-heads.txt";
/// A partial copy untouched this long was left by a killed backup: a running one writes to
/// its copy at every step.
const STALE_PARTIAL: Duration = Duration::from_secs(3600);

const MARK_FILE: &str = "backup_file";
const MARK_MADE: &str = "backup_made_utc";
const MARK_SOURCE: &str = "backup_source";
const MARK_CHAIN: &str = "backup_audit_chain";
const MARK_ROWS: &str = "backup_audit_rows";
const MARK_LAST: &str = "backup_audit_last_id";
const MARK_HASH: &str = "backup_audit_hash";
const MARK_KEYS: [&str; 7] = [
    MARK_FILE,
    MARK_MADE,
    MARK_SOURCE,
    MARK_CHAIN,
    MARK_ROWS,
    MARK_LAST,
    MARK_HASH,
];

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupMade {
    pub path: PathBuf,
    /// Older backups removed by the rotation, exactly.
    pub removed: Vec<PathBuf>,
    pub head: AuditHead,
}

/// What a backup says about itself, read from inside the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The name the copy was given: a file carrying another name is not that backup (a
    /// restored record, for one, carries the mark of the backup it came from).
    pub file: String,
    /// Real UTC time of the copy, `YYYY-MM-DDTHH:MM:SS.mmmZ`: it orders the backups.
    pub made_utc: String,
    /// The record it copied.
    pub source: String,
    pub head: AuditHead,
}

impl Mark {
    /// The mark as `meta` rows, the form `mark_in` reads back.
    fn rows(&self) -> impl Iterator<Item = (&'static str, String)> {
        MARK_KEYS.into_iter().zip([
            self.file.clone(),
            self.made_utc.clone(),
            self.source.clone(),
            self.head.chain.clone(),
            self.head.rows.to_string(),
            self.head.last_id.to_string(),
            self.head.hash.clone(),
        ])
    }

    /// When the copy was made, for comparing with other times.
    pub fn made(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        utc_time(&self.made_utc)
    }
}

/// The real time now, as backups record it.
fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A UTC time as backups and the audit log write it (with or without milliseconds).
pub fn utc_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Removes the mark from a record that was restored from a backup, so that it is not taken
/// for that backup again.
pub(crate) fn clear_mark(tx: &Conn) -> Result<(), SqlError> {
    for key in MARK_KEYS {
        tx.execute("DELETE FROM meta WHERE key = ?1", args![key])?;
    }
    Ok(())
}

/// A backup found in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub mark: Mark,
}

/// Whether the folder may be created when it is missing. A folder that was named (`--to`,
/// `backup_dir`) must exist: a mistyped path or an unmounted backup drive must not quietly
/// put the clinic's backups on the local disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    MustExist,
    CreateIfMissing,
}

pub fn file_name(at: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%d-%H%M%S%.3f"))
}

fn has_backup_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
}

fn names_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| has_backup_name(p))
        .collect()
}

/// Whether `dir` already holds a backup named for `day` (local): the daily backup's cheap
/// test, which opens no file.
pub fn has_backup_on(dir: &Path, day: chrono::NaiveDate) -> bool {
    let stem = format!("{PREFIX}{}-", day.format("%Y%m%d"));
    names_in(dir).iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&stem))
    })
}

/// The mark inside a backup, or None for any other file (an ordinary record, a damaged copy,
/// something else entirely).
pub fn read_mark(path: &Path) -> Option<Mark> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .ok()?;
    mark_in(&conn)
}

/// The backup mark in an open record: there only in a backup, or in a record restored from one
/// that no terminal has opened since (the first opening records the restore and clears it).
pub(crate) fn mark_in(conn: &Connection) -> Option<Mark> {
    let get = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ok()
            .flatten()
    };
    let number = |key: &str| get(key).and_then(|v| v.parse::<i64>().ok());
    Some(Mark {
        file: get(MARK_FILE)?,
        made_utc: get(MARK_MADE)?,
        source: get(MARK_SOURCE).unwrap_or_default(),
        head: AuditHead {
            chain: get(MARK_CHAIN).unwrap_or_default(),
            rows: number(MARK_ROWS)?,
            last_id: number(MARK_LAST)?,
            hash: get(MARK_HASH).unwrap_or_default(),
        },
    })
}

/// Whether two paths name the same file (a hard link or another spelling of the record).
fn same_file(a: &Path, b: &Path) -> bool {
    match (super::file_identity(a), super::file_identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        },
    }
}

/// The backups ptclinic made in `dir`, newest first by the time recorded in each; `record` (the
/// file being backed up) is never among them, whatever it is called.
pub fn ours(dir: &Path, record: &Path) -> Vec<Found> {
    let mut found: Vec<Found> = names_in(dir)
        .into_iter()
        .filter(|p| !same_file(p, record))
        .filter_map(|path| {
            let mark = read_mark(&path)?;
            let own_name = path.file_name().and_then(|n| n.to_str()) == Some(mark.file.as_str());
            own_name.then_some(Found { path, mark })
        })
        .collect();
    found.sort_by(|a, b| b.mark.made_utc.cmp(&a.mark.made_utc));
    found
}

/// Removes partial copies that killed backups left behind.
fn remove_stale_partials(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let partial = name.starts_with(PARTIAL_PREFIX)
            && (name.ends_with(PARTIAL_SUFFIX)
                || name.ends_with(&format!("{PARTIAL_SUFFIX}-journal")));
        let stale = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_PARTIAL);
        if partial && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// Copies the open record into `dir`, checks and marks the copy, records the audit head beside
/// it, then removes all but the newest `keep` of ptclinic's own backups there.
/// How far a copy has got, in pages of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub pages_done: u64,
    pub pages: u64,
}

pub fn backup(
    db: &Db,
    dir: &Path,
    keep: usize,
    at: NaiveDateTime,
    folder: Folder,
    on_progress: Option<&dyn Fn(Copied)>,
) -> AppResult<BackupMade> {
    let shown = path_for_message(dir);
    if !dir.is_dir() {
        if dir.exists() || folder == Folder::MustExist {
            return Err(AppError::input(format!(
                "the backup folder is missing (is the backup drive connected?): {shown}; nothing was backed up"
            )));
        }
        files::create_private_dir(dir).map_err(|e| {
            AppError::failure(format!("cannot create the backup folder {shown}: {e}"))
        })?;
    }
    remove_stale_partials(dir);
    let name = file_name(at);
    let target = dir.join(&name);
    let partial = files::temp_in(dir, PARTIAL_PREFIX, PARTIAL_SUFFIX).map_err(|e| {
        AppError::failure(format!("cannot write in the backup folder {shown}: {e}"))
    })?;
    let source = std::fs::canonicalize(db.path())
        .unwrap_or_else(|_| db.path().to_path_buf())
        .to_string_lossy()
        .into_owned();
    let mark = match copy_check_and_mark(db.conn()?, partial.path(), &name, &source, on_progress) {
        Ok(mark) => mark,
        Err(CopyError::Failed(e)) => return Err(e),
        Err(CopyError::Damaged(verdict)) => {
            let why = format!("the backup's integrity check failed: {verdict}");
            // Every terminal opens the record read-only from now on, until doctor passes.
            let _ = super::set_damage_note(db.path(), Some(&why));
            return Err(AppError::failure(format!(
                "the backup copy failed its integrity check, so the clinic record itself is damaged ({verdict}); it is read-only until `ptclinic doctor` passes"
            )));
        }
    };
    // Never over an existing file: two backups in the same millisecond, or a record that
    // happens to carry the name, are left as they are.
    partial.persist_noclobber(&target).map_err(|e| {
        AppError::failure(format!(
            "cannot put the backup in place at {}: {}",
            path_for_message(&target),
            e.error
        ))
    })?;
    record_head(dir, &mark)?;
    let mut removed = Vec::new();
    let others = ours(dir, db.path())
        .into_iter()
        .filter(|f| !same_file(&f.path, &target));
    for old in others.skip(keep.max(1) - 1) {
        if std::fs::remove_file(&old.path).is_ok() {
            removed.push(old.path);
        }
    }
    Ok(BackupMade {
        path: target,
        removed,
        head: mark.head,
    })
}

/// Why a copy did not become a backup: the record it copied is damaged, or the copying failed.
enum CopyError {
    Damaged(String),
    Failed(AppError),
}

fn copy_check_and_mark(
    source: &Connection,
    partial: &Path,
    name: &str,
    source_path: &str,
    on_progress: Option<&dyn Fn(Copied)>,
) -> Result<Mark, CopyError> {
    let fail = |what: &str, e: rusqlite::Error| {
        CopyError::Failed(AppError::failure(format!(
            "backup failed while {what}: {e}"
        )))
    };
    let mut copy = Connection::open_with_flags(
        partial,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .map_err(|e| fail("creating the copy", e))?;
    {
        let backup = Backup::new(source, &mut copy).map_err(|e| fail("starting", e))?;
        // Small steps with pauses let other terminals write while the copy runs (a write
        // between steps makes SQLite copy the changed pages again, so the copy is whole).
        loop {
            let step = backup.step(256).map_err(|e| fail("copying", e))?;
            if let Some(report) = on_progress {
                let p = backup.progress();
                let pages = u64::try_from(p.pagecount).unwrap_or(0);
                let left = u64::try_from(p.remaining).unwrap_or(0);
                report(Copied {
                    pages_done: pages.saturating_sub(left),
                    pages,
                });
            }
            if step == rusqlite::backup::StepResult::Done {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let verdict: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| fail("checking the copy", e))?;
    if verdict != "ok" {
        let verdict = crate::sanitize::clean_line(&verdict)
            .chars()
            .take(120)
            .collect();
        return Err(CopyError::Damaged(verdict));
    }
    let head =
        audit::head(&Conn::new(&copy)).map_err(|e| fail("reading the audit chain", e.into()))?;
    let mark = Mark {
        file: name.to_string(),
        made_utc: now_utc(),
        source: source_path.to_string(),
        head,
    };
    for (key, value) in mark.rows() {
        super::set_meta(&Conn::new(&copy), key, &value)
            .map_err(|e| fail("marking the copy", e.into()))?;
    }
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| fail("closing the copy", e))?;
    copy.close().map_err(|(_, e)| fail("closing the copy", e))?;
    Ok(mark)
}

/// Appends the backup's audit head to the head file beside the backups (created private).
fn record_head(dir: &Path, mark: &Mark) -> AppResult<()> {
    let path = dir.join(HEADS_FILE);
    let fail = |e: std::io::Error| {
        AppError::failure(format!(
            "the backup was made, but its audit head could not be recorded in {}: {e}",
            path_for_message(&path)
        ))
    };
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(files::PRIVATE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(&path).map_err(fail)?;
    let h = &mark.head;
    writeln!(
        file,
        "{}\t{}\t{}\t{}\t{}\t{}",
        mark.made_utc, h.chain, h.rows, h.last_id, h.hash, mark.file
    )
    .and_then(|()| file.sync_all())
    .map_err(fail)
}

/// The heads recorded in the head file for the chain `chain`, newest first, with their times.
pub fn recorded_heads(dir: &Path, chain: &str) -> Vec<(String, AuditHead)> {
    let Ok(text) = std::fs::read_to_string(dir.join(HEADS_FILE)) else {
        return Vec::new();
    };
    text.lines()
        .rev()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 5 || f[1] != chain {
                return None;
            }
            Some((
                f[0].to_string(),
                AuditHead {
                    chain: f[1].to_string(),
                    rows: f[2].parse().ok()?,
                    last_id: f[3].parse().ok()?,
                    hash: f[4].to_string(),
                },
            ))
        })
        .collect()
}

impl Db {
    /// A record copied back from a backup still carries that backup's mark. Its first opening
    /// records the restore in the audit log (which backup, made when, and where its chain
    /// stood) and clears the mark, in one transaction: the rows the restore replaced are then
    /// accounted for, and `doctor` does not take the restore for a log cut short.
    pub fn record_restore(&mut self, at: &str) -> AppResult<Option<Mark>> {
        let Ok(conn) = self.conn() else {
            return Ok(None);
        };
        let Some(mark) = mark_in(conn) else {
            return Ok(None);
        };
        self.write(|tx| {
            clear_mark(tx)?;
            audit::record(
                tx,
                &audit::AuditEntry {
                    at,
                    user: "ptclinic",
                    action: RESTORED,
                    entity: "clinic",
                    entity_id: None,
                    detail: serde_json::json!({
                        "backup": mark.file,
                        "made_utc": mark.made_utc,
                        // To the millisecond, as backups are: a backup made in the same second
                        // after the restore is not of the replaced history.
                        "restored_utc": now_utc(),
                        "audit_rows": mark.head.rows,
                        "audit_last_id": mark.head.last_id,
                    }),
                },
            )?;
            Ok(())
        })?;
        Ok(Some(mark))
    }
}

/// The audit action of a restore.
pub const RESTORED: &str = "clinic.restored";

/// A restore the record went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restore {
    /// When the backup it came from was made.
    pub backup_made: chrono::DateTime<chrono::Utc>,
    /// When the restore was recorded; none while no terminal has opened the record since.
    pub recorded: Option<chrono::DateTime<chrono::Utc>>,
}

/// The last restore the record went through.
pub(crate) fn last_restore(conn: &Connection) -> rusqlite::Result<Option<Restore>> {
    if let Some(made) = mark_in(conn).and_then(|m| m.made()) {
        return Ok(Some(Restore {
            backup_made: made,
            recorded: None,
        }));
    }
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT at, summary FROM audit_log WHERE action = ?1 ORDER BY id DESC LIMIT 1",
            [RESTORED],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(at, summary)| {
        let detail: serde_json::Value = serde_json::from_str(&summary).ok()?;
        Some(Restore {
            backup_made: utc_time(detail["made_utc"].as_str()?)?,
            recorded: detail["restored_utc"]
                .as_str()
                .and_then(utc_time)
                .or_else(|| utc_time(&at)),
        })
    }))
}

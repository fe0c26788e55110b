//! Backups with SQLite's online backup API (never a file copy, which could catch a transaction
//! half-written), checked for integrity before they count, named by time and rotated.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDateTime;
use rusqlite::Connection;
use rusqlite::backup::Backup;

use super::Db;
use crate::error::{AppError, AppResult};

const PREFIX: &str = "ptclinic-";
const SUFFIX: &str = ".db";

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupMade {
    pub path: PathBuf,
    pub removed: Vec<PathBuf>,
}

pub fn file_name(at: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%d-%H%M%S%.3f"))
}

/// Backups in `dir`, newest first (their names sort by time).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    found.sort();
    found.reverse();
    found
}

/// Whether `dir` already holds a backup made on `day` (local).
pub fn has_backup_on(dir: &Path, day: chrono::NaiveDate) -> bool {
    let stem = format!("{PREFIX}{}-", day.format("%Y%m%d"));
    list(dir).iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&stem))
    })
}

/// Copies the open record into `dir`, checks the copy, then removes all but the newest `keep`.
pub fn backup(db: &Db, dir: &Path, keep: usize, at: NaiveDateTime) -> AppResult<BackupMade> {
    let shown = dir.display();
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::failure(format!("cannot create the backup folder {shown}: {e}")))?;
    let name = file_name(at);
    let target = dir.join(&name);
    let partial = dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial);
    let result = copy_and_check(db.conn(), &partial);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target).map_err(|e| {
        AppError::failure(format!(
            "cannot put the backup in place at {}: {e}",
            target.display()
        ))
    })?;
    let mut removed = Vec::new();
    for old in list(dir).into_iter().skip(keep.max(1)) {
        if std::fs::remove_file(&old).is_ok() {
            removed.push(old);
        }
    }
    Ok(BackupMade {
        path: target,
        removed,
    })
}

fn copy_and_check(source: &Connection, partial: &Path) -> AppResult<()> {
    let fail = |what: &str, e: rusqlite::Error| {
        AppError::failure(format!("backup failed while {what}: {e}"))
    };
    let mut copy = Connection::open(partial).map_err(|e| fail("creating the copy", e))?;
    {
        let backup = Backup::new(source, &mut copy).map_err(|e| fail("starting", e))?;
        // Small steps with pauses let other terminals write while the copy runs.
        backup
            .run_to_completion(256, Duration::from_millis(5), None)
            .map_err(|e| fail("copying", e))?;
    }
    let verdict: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| fail("checking the copy", e))?;
    if verdict != "ok" {
        return Err(AppError::failure(format!(
            "the backup copy failed its integrity check: {verdict}"
        )));
    }
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| fail("closing the copy", e))?;
    copy.close().map_err(|(_, e)| fail("closing the copy", e))
}

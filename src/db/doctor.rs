//! `ptclinic doctor`: the checks an IT person needs to trust the clinic record on a shared drive.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::sql::Conn;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::schema::SCHEMA_VERSION;
use super::{audit, read_header};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
}

fn check(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
    }
}

/// Filesystems on which SQLite's locking depends on the network.
const NETWORK_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "davfs",
    "fuse.rclone",
];
/// Mount options that switch off the byte-range locks SQLite relies on.
const UNSAFE_OPTIONS: &[&str] = &["nobrl", "nolock", "local_lock=all", "local_lock=posix"];

/// The mount holding `path` (longest matching mount point): (mount point, fs type, options).
pub fn mount_of(path: &Path, mounts: &str) -> Option<(String, String, String)> {
    let path = path.to_string_lossy();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4).then(|| {
                (
                    f[1].replace("\\040", " "),
                    f[2].to_string(),
                    f[3].to_string(),
                )
            })
        })
        .filter(|(mp, _, _)| {
            mp == "/" || path == mp.as_str() || path.starts_with(&format!("{mp}/"))
        })
        .max_by_key(|(mp, _, _)| mp.len())
}

fn filesystem(path: &Path) -> Check {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return check(
            "filesystem",
            Status::Warning,
            "cannot read /proc/mounts on this system",
        );
    };
    match mount_of(&canonical, &mounts) {
        None => check("filesystem", Status::Warning, "mount not found"),
        Some((mp, fs, opts)) => {
            let bad: Vec<&str> = opts
                .split(',')
                .filter(|o| UNSAFE_OPTIONS.contains(o))
                .collect();
            let kind = if NETWORK_FS.contains(&fs.as_str()) {
                "network"
            } else {
                "local"
            };
            if !bad.is_empty() {
                check(
                    "filesystem",
                    Status::Error,
                    format!(
                        "{kind} {fs} at {mp} mounted with {}: SQLite's locks are off, so two terminals can corrupt the file; remount without it",
                        bad.join(",")
                    ),
                )
            } else {
                check("filesystem", Status::Ok, format!("{kind} ({fs} at {mp})"))
            }
        }
    }
}

/// How much of the file the checks read. On a network drive every page is a round trip, so
/// the everyday check reads only what it must and leaves the page-by-page check to `--full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything but reading every page: the audit chain from the last head verified.
    Standard,
    /// And `quick_check`, `foreign_key_check` and the whole audit chain.
    Quick,
    /// And the full `integrity_check` (every page and index), with progress reported.
    Full,
}

/// How far the page-by-page check has got: a share of the file read, and the time so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: f64,
    pub elapsed: Duration,
}

impl Progress {
    /// The time left at the pace so far, once there is a pace to go by.
    pub fn left(&self) -> Option<Duration> {
        (self.done > 0.01).then(|| self.elapsed.mul_f64((1.0 - self.done) / self.done))
    }
}

pub struct DoctorInput<'a> {
    pub path: &'a Path,
    pub depth: Depth,
    pub backup_dir: Option<PathBuf>,
    /// Called about once a second during the full check.
    pub on_progress: Option<&'a dyn Fn(Progress)>,
}

/// Runs every check; later checks that need an open database are skipped after a fatal one.
pub fn run(input: &DoctorInput) -> Vec<Check> {
    let path = input.path;
    let shown = path.display().to_string();
    let mut out = Vec::new();
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => out.push(check(
            "reachable",
            Status::Ok,
            format!("{shown}, {} KiB", m.len() / 1024),
        )),
        Ok(_) => {
            out.push(check(
                "reachable",
                Status::Error,
                format!("{shown} is not a file"),
            ));
            return out;
        }
        Err(e) => {
            out.push(check("reachable", Status::Error, format!("{shown}: {e}")));
            return out;
        }
    }
    let writable = std::fs::OpenOptions::new().append(true).open(path).is_ok();
    out.push(if writable {
        check("permissions", Status::Ok, "readable and writable")
    } else {
        check(
            "permissions",
            Status::Error,
            "not writable by this user: terminals cannot save",
        )
    });
    out.push(folder_writable(path));
    let header = match read_header(path, &shown) {
        Ok(h) => h,
        Err(e) => {
            out.push(check("header", Status::Error, e.message));
            return out;
        }
    };
    out.push(check("header", Status::Ok, "SQLite format 3"));
    if !header.is_ours() {
        out.push(check(
            "schema",
            Status::Error,
            "a SQLite database, but not a ptclinic clinic record",
        ));
        return out;
    }
    out.push(match header.user_version {
        v if v > SCHEMA_VERSION => check(
            "schema",
            Status::Error,
            format!("version {v}, newer than this ptclinic ({SCHEMA_VERSION}): update ptclinic"),
        ),
        v if v < SCHEMA_VERSION => check(
            "schema",
            Status::Warning,
            format!("version {v}; the next ptclinic start migrates it to {SCHEMA_VERSION}"),
        ),
        v => check("schema", Status::Ok, format!("ptclinic, version {v}")),
    });
    out.push(if header.wal {
        check("journal mode", Status::Error, "WAL, which needs shared memory on one host and breaks on a network drive: open it once with ptclinic (it switches back) or run `sqlite3 FILE 'PRAGMA journal_mode=TRUNCATE'`")
    } else {
        check("journal mode", Status::Ok, "rollback journal")
    });
    out.push(filesystem(path));
    if let Some(found) = interrupted_write(path) {
        out.push(found);
    }

    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            out.push(check("open", Status::Error, e.to_string()));
            return out;
        }
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    let pragma = match input.depth {
        Depth::Standard => "",
        Depth::Quick => "quick_check",
        Depth::Full => "integrity_check",
    };
    let integrity = match input.depth {
        Depth::Standard => None,
        Depth::Quick => Some(
            conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
                .map_err(|e| e.to_string()),
        ),
        Depth::Full => Some(full_check(path, input.on_progress)),
    };
    out.push(match integrity {
        None => check(
            "integrity",
            Status::Ok,
            "not read page by page today (on a network drive that is every page a round trip): `ptclinic doctor --full` does, with a progress line",
        ),
        Some(integrity) => integrity_verdict(path, pragma, integrity),
    });
    if input.depth != Depth::Standard {
        out.push(foreign_keys(&conn));
    }
    if header.user_version == SCHEMA_VERSION {
        out.push(indexes(&conn));
    }
    out.push(lock_round_trip(path));
    out.push(triggers(&conn));
    let verified = input
        .backup_dir
        .as_deref()
        .filter(|_| input.depth == Depth::Standard)
        .and_then(|dir| last_verified(&conn, dir));
    out.push(match audit::verify_chain_from(&conn, verified.as_ref()) {
        Ok(Ok(walked)) => check(
                "audit chain",
                Status::Ok,
                match &verified {
                    Some(from) => format!(
                        "{walked} entries since the last verified (row {}), chain intact; `--quick` or `--full` walk it all",
                        from.last_id
                    ),
                    None => format!("{walked} entries, chain intact"),
                },
            ),
        Ok(Err(why)) => check("audit chain", Status::Error, why),
        Err(e) => check("audit chain", Status::Error, e.to_string()),
    });
    out.push(anchors(&conn, path, input.backup_dir.as_deref()));
    // Only a chain that is intact and matches every head recorded outside it becomes the
    // starting point of the next walk.
    let held = out.iter().rev().take(2).all(|c| c.status != Status::Error);
    if let (true, Some(dir)) = (held, input.backup_dir.as_deref()) {
        let _ = record_verified(&conn, dir);
    }
    out.push(last_backup(path, input.backup_dir.as_deref()));
    out
}

/// What an integrity check found, and the damage note that follows from it.
fn integrity_verdict(path: &Path, pragma: &str, integrity: Result<String, String>) -> Check {
    match integrity {
        Ok(v) if v == "ok" => {
            // A passing check lifts an earlier finding: terminals may write again.
            let lifted = super::damage_note_path(path).exists()
                && super::set_damage_note(path, None).is_ok();
            let note = if lifted {
                "; the earlier damage note was removed, so terminals may write again"
            } else {
                ""
            };
            check("integrity", Status::Ok, format!("{pragma}: ok{note}"))
        }
        Ok(v) => {
            let v: String = crate::sanitize::clean_line(&v).chars().take(200).collect();
            // Every terminal opens the file read-only until a check passes again, so that no
            // change is made that the restore would throw away.
            let _ = super::set_damage_note(path, Some(&format!("{pragma} found: {v}")));
            check(
                "integrity",
                Status::Error,
                format!(
                    "{pragma}: {v}: terminals now open it read-only; restore the latest backup, then run doctor again"
                ),
            )
        }
        Err(e) => check("integrity", Status::Error, e),
    }
}

fn foreign_keys(conn: &Connection) -> Check {
    let fk: rusqlite::Result<i64> =
        conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        });
    match fk {
        Ok(0) => check("foreign keys", Status::Ok, "every reference resolves"),
        Ok(n) => check(
            "foreign keys",
            Status::Error,
            format!("{n} rows point at records that do not exist"),
        ),
        Err(e) => check("foreign keys", Status::Error, e.to_string()),
    }
}

/// The full `integrity_check`, on its own connection and thread, while this thread reports how
/// much of the file has been read (the bytes this process has read, against the file's size).
fn full_check(path: &Path, on_progress: Option<&dyn Fn(Progress)>) -> Result<String, String> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0).max(1);
    let read_so_far = || process_bytes_read().unwrap_or(0);
    let started_at = read_so_far();
    let started = Instant::now();
    let owned = path.to_path_buf();
    let worker = std::thread::spawn(move || {
        Connection::open_with_flags(&owned, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| {
                c.busy_timeout(Duration::from_secs(5))?;
                c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            })
            .map_err(|e| e.to_string())
    });
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(200));
        if let Some(report) = on_progress {
            let done = (read_so_far().saturating_sub(started_at) as f64 / size as f64).min(0.99);
            report(Progress {
                done,
                elapsed: started.elapsed(),
            });
        }
    }
    worker
        .join()
        .unwrap_or_else(|_| Err("the integrity check stopped unexpectedly".into()))
}

/// Bytes this process has read through system calls (Linux), which is how far a check that
/// reads each page once has got.
fn process_bytes_read() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Where the last head `doctor` verified is kept: beside the backups, so that it anchors the
/// chain outside the record too.
const VERIFIED_FILE: &str = "ptclinic-audit-verified.txt";

/// The last verified head for this record's chain, when the record still holds it unchanged
/// (otherwise the walk starts from the beginning, and the anchors check names the difference).
fn last_verified(conn: &Connection, dir: &Path) -> Option<audit::AuditHead> {
    let here = audit::head(&Conn::new(conn)).ok()?;
    let (_, head) = verified_line(dir, &here.chain)?;
    audit::has_row(&Conn::new(conn), head.last_id, &head.hash)
        .ok()
        .filter(|held| *held)
        .map(|_| head)
}

/// The head recorded as verified for the chain `chain`, with when.
fn verified_line(dir: &Path, chain: &str) -> Option<(String, audit::AuditHead)> {
    let text = std::fs::read_to_string(dir.join(VERIFIED_FILE)).ok()?;
    text.lines().rev().find_map(|line| {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 || f[1] != chain {
            return None;
        }
        Some((
            f[0].to_string(),
            audit::AuditHead {
                chain: f[1].to_string(),
                rows: 0,
                last_id: f[2].parse().ok()?,
                hash: f[3].to_string(),
            },
        ))
    })
}

/// Writes the head just verified (the newest only: the file is rewritten whole).
fn record_verified(conn: &Connection, dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let head = audit::head(&Conn::new(conn)).map_err(std::io::Error::other)?;
    let line = format!(
        "{}\t{}\t{}\t{}\n",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        head.chain,
        head.last_id,
        head.hash
    );
    crate::files::write_whole(&dir.join(VERIFIED_FILE), line.as_bytes())
        .map_err(|e| std::io::Error::other(e.message))
}

/// SQLite creates the journal beside the record at every change: a folder this user cannot
/// write makes every change fail although the file itself is writable.
fn folder_writable(path: &Path) -> Check {
    let dir = crate::files::folder_of(path);
    match crate::files::temp_in(dir, ".ptclinic-doctor-", ".tmp") {
        Ok(_) => check(
            "folder",
            Status::Ok,
            "this user can create the journal beside it",
        ),
        Err(e) => check(
            "folder",
            Status::Error,
            format!(
                "this user cannot create files in {} ({e}): SQLite writes its journal there at every change, so every change fails; ask IT for write access to the folder",
                crate::sanitize::path_for_message(dir)
            ),
        ),
    }
}

/// A journal that still holds a transaction's old pages: a writer was killed mid-change.
/// Opening the file for writing rolls it back, as SQLite does at any normal open, so the
/// checks that follow see the record as it was before that change, not a false alarm.
fn interrupted_write(path: &Path) -> Option<Check> {
    const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
    let name = path.file_name()?.to_string_lossy().into_owned();
    let journal = path.with_file_name(format!("{name}-journal"));
    let holds_pages = |j: &Path| {
        let mut head = [0u8; 8];
        std::fs::File::open(j)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| head == JOURNAL_MAGIC)
    };
    if !holds_pages(&journal) {
        return None;
    }
    let rolled_back = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .and_then(|c| {
            c.busy_timeout(std::time::Duration::from_secs(5))?;
            c.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
        });
    Some(match rolled_back {
        Ok(_) if !holds_pages(&journal) => check(
            "interrupted write",
            Status::Ok,
            "an interrupted write was rolled back (a terminal stopped in the middle of a change; the record is as it was before that change)",
        ),
        // Still there: another terminal is writing right now, which is no fault.
        Ok(_) => check(
            "interrupted write",
            Status::Ok,
            "a write was in progress at another terminal",
        ),
        Err(e) => check(
            "interrupted write",
            Status::Error,
            format!(
                "an interrupted write is waiting to be rolled back, but this user cannot do it ({e}): open ptclinic once as a user who can write the folder"
            ),
        ),
    })
}

/// The audit log's append-only triggers.
fn triggers(conn: &Connection) -> Check {
    match audit::missing_triggers(&Conn::new(conn)) {
        Ok(missing) if missing.is_empty() => {
            check("audit triggers", Status::Ok, "the log is append-only")
        }
        Ok(missing) => check(
            "audit triggers",
            Status::Error,
            format!(
                "{} dropped, so rows could be changed or deleted unseen: the next ptclinic start puts them back and records it",
                missing.join(" and ")
            ),
        ),
        Err(e) => check("audit triggers", Status::Error, e.to_string()),
    }
}

/// How many of the newest backups the record's audit log is held against.
const ANCHOR_BACKUPS: usize = 3;

/// Holds the record's audit log against the heads recorded outside it: in the newest backups
/// and in the head file beside them. A log cut short, or rewritten and re-hashed from an
/// edited row, passes its own chain check but no longer matches these.
fn anchors(conn: &Connection, path: &Path, dir: Option<&Path>) -> Check {
    let Some(dir) = dir else {
        return check(
            "audit anchors",
            Status::Warning,
            "no backup folder, so nothing outside the record anchors its audit chain",
        );
    };
    let here = match audit::head(&Conn::new(conn)) {
        Ok(h) => h,
        Err(e) => return check("audit anchors", Status::Error, e.to_string()),
    };
    let source = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned();
    let restore = match super::backup::last_restore(conn) {
        Ok(r) => r,
        Err(e) => return check("audit anchors", Status::Error, e.to_string()),
    };
    // Heads recorded after the backup a restore came from, and before the restore, belong to
    // the history the restore replaced: they are counted, not held against the record.
    let replaced = |made_utc: &str| {
        let (Some(r), Some(t)) = (restore, super::backup::utc_time(made_utc)) else {
            return false;
        };
        t > r.backup_made && r.recorded.is_none_or(|at| t < at)
    };
    let ours: Vec<_> = super::backup::ours(dir, path)
        .into_iter()
        .filter(|f| f.mark.head.chain == here.chain || f.mark.source == source)
        .collect();
    let recorded = super::backup::recorded_heads(dir, &here.chain);
    let set_aside = ours.iter().filter(|f| replaced(&f.mark.made_utc)).count();
    let mut heads: Vec<(String, audit::AuditHead)> = ours
        .into_iter()
        .filter(|f| !replaced(&f.mark.made_utc))
        .take(ANCHOR_BACKUPS)
        .map(|f| {
            let name = crate::sanitize::path_for_message(&f.path);
            (format!("the backup {name}"), f.mark.head)
        })
        .collect();
    if let Some((at, head)) = recorded.into_iter().find(|(at, _)| !replaced(at)) {
        heads.push((format!("the head file's line of {at}"), head));
    }
    if let Some((at, head)) = verified_line(dir, &here.chain).filter(|(at, _)| !replaced(at)) {
        heads.push((format!("the head doctor verified at {at}"), head));
    }
    let restored_note = match (restore, set_aside) {
        (Some(r), n) if n > 0 => format!(
            "; restored from the backup of {}, so {n} later backup{} of the replaced history {} set aside",
            r.backup_made.format("%Y-%m-%d %H:%M UTC"),
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ),
        _ => String::new(),
    };
    if heads.is_empty() {
        return check(
            "audit anchors",
            Status::Warning,
            format!(
                "no backup of this record in {} yet anchors its audit chain: run `ptclinic backup`{restored_note}",
                crate::sanitize::path_for_message(dir)
            ),
        );
    }
    for (what, head) in &heads {
        match audit::check_against(&Conn::new(conn), head, what) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => return check("audit anchors", Status::Error, why),
            Err(e) => return check("audit anchors", Status::Error, e.to_string()),
        }
    }
    check(
        "audit anchors",
        Status::Ok,
        format!(
            "every row recorded outside the record is in it unchanged ({} heads: the newest backups and the head file){restored_note}",
            heads.len()
        ),
    )
}

/// The schema's indexes: the day's queries name theirs and fail without them.
fn indexes(conn: &Connection) -> Check {
    let present = match super::schema::index_names(conn) {
        Ok(p) => p,
        Err(e) => return check("indexes", Status::Error, e.to_string()),
    };
    let expected = match super::schema::expected_indexes() {
        Ok(e) => e,
        Err(e) => return check("indexes", Status::Error, e.to_string()),
    };
    let missing: Vec<&str> = expected
        .iter()
        .filter(|name| !present.contains(name))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        check(
            "indexes",
            Status::Ok,
            format!("all {} present", expected.len()),
        )
    } else {
        check(
            "indexes",
            Status::Error,
            format!(
                "missing {}: the schedule cannot be read without them; restore the latest backup",
                missing.join(", ")
            ),
        )
    }
}

fn lock_round_trip(path: &Path) -> Check {
    let started = Instant::now();
    let result =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).and_then(|c| {
            c.busy_timeout(std::time::Duration::from_secs(5))?;
            c.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
        });
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(()) if ms > 500.0 => check(
            "lock round trip",
            Status::Warning,
            format!("{ms:.0} ms: the drive is slow or another terminal holds long locks"),
        ),
        Ok(()) => check("lock round trip", Status::Ok, format!("{ms:.1} ms")),
        Err(e) => check(
            "lock round trip",
            Status::Error,
            format!("cannot take the write lock: {e}"),
        ),
    }
}

fn last_backup(record: &Path, dir: Option<&Path>) -> Check {
    let Some(dir) = dir else {
        return check(
            "last backup",
            Status::Warning,
            "no backup folder configured (backup_dir in the config file)",
        );
    };
    let newest = super::backup::ours(dir, record)
        .into_iter()
        .next()
        .map(|f| f.path);
    let age = newest
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.elapsed().ok());
    match (newest, age) {
        (Some(p), Some(age)) if age.as_secs() > 2 * 86_400 => check(
            "last backup",
            Status::Warning,
            format!(
                "{} is {} days old",
                crate::sanitize::path_for_message(&p),
                age.as_secs() / 86_400
            ),
        ),
        (Some(p), Some(age)) => check(
            "last backup",
            Status::Ok,
            format!(
                "{} ({} h ago)",
                crate::sanitize::path_for_message(&p),
                age.as_secs() / 3600
            ),
        ),
        _ => check(
            "last backup",
            Status::Warning,
            format!("no backup in {}", dir.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "/dev/vda / ext4 rw,relatime 0 0\n//nas/clinic /mnt/clinic cifs rw,vers=3.0,nobrl 0 0\nnas:/export /mnt/nfs nfs4 rw,hard 0 0\n";

    #[test]
    fn the_longest_mount_point_wins() {
        let (mp, fs, _) = mount_of(Path::new("/mnt/clinic/ptclinic.db"), MOUNTS).unwrap();
        assert_eq!((mp.as_str(), fs.as_str()), ("/mnt/clinic", "cifs"));
        let (mp, _, _) = mount_of(Path::new("/mnt/clinical/x.db"), MOUNTS).unwrap();
        assert_eq!(mp, "/", "a prefix of a name is not a mount");
        let (_, fs, _) = mount_of(Path::new("/mnt/nfs/a.db"), MOUNTS).unwrap();
        assert_eq!(fs, "nfs4");
    }
}

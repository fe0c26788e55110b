//! The record is never lost or leaked by ordinary use: backup rotation removes only its own
//! copies, a committed change never exits as a failure, a damaged file is not written, files
//! holding patient data are private, the audit log cannot be quietly cut or rewritten, a lock
//! is waited out as promised, and `doctor` tells an interrupted write from damage.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use common::{BIN, Clinic, TODAY, assert_code, stderr, stdout};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

fn backup(clinic: &Clinic, dir: &Path, keep: &str, today: &str) -> std::process::Output {
    clinic
        .command(&["backup", "--to", dir.to_str().unwrap(), "--keep", keep])
        .env("PTCLINIC_TODAY", today)
        .output()
        .unwrap()
}

fn db_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    found.sort();
    found
}

fn audit_rows(db: &Path) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

fn first_scheduled_today(clinic: &Clinic) -> i64 {
    clinic
        .today()
        .iter()
        .find(|v| v["status"] == "scheduled")
        .and_then(|v| v["id"].as_i64())
        .expect("a scheduled visit today")
}

fn status_of(db: &Path, id: i64) -> String {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT status FROM appointments WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn doctor(clinic: &Clinic) -> (i32, String) {
    let out = clinic.cli(&["doctor", "--quick"]);
    (out.status.code().unwrap_or(-1), stdout(&out))
}

/// Writes `config.toml` with a backup folder, so that `doctor` holds the record against it.
fn configure_backups(clinic: &Clinic, dir: &Path) {
    let cfg = clinic.sub("config").join("ptclinic");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        format!("backup_dir = \"{}\"\n", dir.display()),
    )
    .unwrap();
}

#[test]
fn rotation_never_removes_the_record_it_backs_up_even_in_the_backup_folder() {
    let clinic = Clinic::demo();
    let dir = clinic.sub("backups");
    std::fs::create_dir(&dir).unwrap();
    // The clinic's record is called like a backup and lives in the backup folder.
    let record = dir.join("ptclinic-2024.db");
    std::fs::rename(&clinic.db, &record).unwrap();
    let stranger = dir.join("ptclinic-notes.db");
    std::fs::write(&stranger, b"not a backup").unwrap();
    let before = std::fs::read(&record).unwrap();
    let mut made = Vec::new();
    for _ in 0..4 {
        let out = clinic
            .command_on(
                &record,
                BIN,
                &["backup", "--to", dir.to_str().unwrap(), "--keep", "1"],
            )
            .output()
            .unwrap();
        assert_code(&out, 0);
        made.push(PathBuf::from(stdout(&out).trim()));
    }
    assert_eq!(
        std::fs::read(&record).unwrap(),
        before,
        "the record is untouched"
    );
    assert!(
        stranger.exists(),
        "a file that is not a backup is never removed"
    );
    assert_eq!(
        db_files(&dir),
        {
            let mut v = vec![record.clone(), made[3].clone(), stranger.clone()];
            v.sort();
            v
        },
        "only the newest backup is kept beside the record"
    );
}

#[test]
fn a_backup_named_by_a_wrong_clock_does_not_push_out_the_new_ones() {
    let clinic = Clinic::demo();
    let dir = clinic.sub("backups");
    std::fs::create_dir(&dir).unwrap();
    // A backup made while the clinic's date was pinned years ahead: its name sorts last.
    let out = backup(&clinic, &dir, "2", "2031-06-01");
    assert_code(&out, 0);
    let future = PathBuf::from(stdout(&out).trim());
    assert!(future.to_string_lossy().contains("ptclinic-20310601-"));
    let second = backup(&clinic, &dir, "2", TODAY);
    assert_code(&second, 0);
    let second = PathBuf::from(stdout(&second).trim());
    assert_eq!(db_files(&dir).len(), 2, "two kept");
    let third = backup(&clinic, &dir, "2", TODAY);
    assert_code(&third, 0);
    let made = PathBuf::from(stdout(&third).trim());
    assert!(made.exists(), "the backup just made is kept");
    assert!(second.exists(), "the newer of the older ones is kept");
    assert!(
        !future.exists(),
        "the oldest by its recorded time goes, whatever its name"
    );
    let said = stderr(&third);
    assert!(
        said.contains(&format!("Removed the older backup {}", future.display())),
        "the message names exactly what was removed: {said}"
    );
    assert_eq!(said.matches("Removed").count(), 1, "{said}");
}

#[test]
fn a_missing_backup_folder_is_refused_and_a_killed_backups_copy_is_cleared() {
    let clinic = Clinic::demo();
    let missing = clinic.sub("backup-drive/ptclinic");
    let out = backup(&clinic, &missing, "3", TODAY);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("is missing"), "{}", stderr(&out));
    assert!(!missing.exists(), "nothing was created in its place");

    let dir = clinic.sub("backups");
    std::fs::create_dir(&dir).unwrap();
    // What a backup killed an hour or more ago left, and what a running one is writing now.
    let stale = dir.join(".ptclinic-backup-a1b2c3d4e5f6.partial");
    let running = dir.join(".ptclinic-backup-f6e5d4c3b2a1.partial");
    std::fs::write(&stale, b"half a copy").unwrap();
    std::fs::write(&running, b"being written").unwrap();
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_code(&backup(&clinic, &dir, "3", TODAY), 0);
    assert!(
        !stale.exists(),
        "a killed backup's copy is removed by the next run"
    );
    assert!(running.exists(), "a copy still being written is left alone");
}

#[test]
fn a_committed_change_exits_0_even_when_its_confirmation_cannot_be_printed() {
    let clinic = Clinic::demo();
    let id = first_scheduled_today(&clinic);
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = clinic
        .command(&["check-in", "--appointment", &id.to_string()])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("the change was saved"),
        "{}",
        stderr(&out)
    );
    assert_eq!(status_of(&clinic.db, id), "checked_in");
}

/// Overwrites most of one page of the appointments table with garbage.
fn damage_a_page(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let page: i64 = conn
        .query_row(
            "SELECT pageno FROM dbstat WHERE name = 'appointments' AND pagetype = 'leaf' LIMIT 1 OFFSET 5",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::File::options().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((page as u64 - 1) * 4096 + 8))
        .unwrap();
    f.write_all(&[0xff; 3000]).unwrap();
}

#[test]
fn a_file_that_fails_its_integrity_check_is_not_written() {
    let clinic = Clinic::demo();
    let id = first_scheduled_today(&clinic);
    damage_a_page(&clinic.db);
    let out = clinic.cli(&["doctor", "--quick"]);
    assert_code(&out, 1);
    assert!(stdout(&out).contains("read-only"), "{}", stdout(&out));
    let rows = audit_rows(&clinic.db);
    let out = clinic.cli(&["check-in", "--appointment", &id.to_string()]);
    assert_code(&out, 1);
    let said = stderr(&out);
    assert!(
        said.contains("damaged") && said.contains("read-only") && said.contains("doctor"),
        "{said}"
    );
    assert_eq!(
        status_of(&clinic.db, id),
        "scheduled",
        "no write was attempted"
    );
    assert_eq!(audit_rows(&clinic.db), rows);
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The binary under a permissive umask, as a clinic's shell often has.
fn with_umask_022(clinic: &Clinic, args: &[&str]) -> std::process::Output {
    let mut all = vec!["-c", "umask 022 && exec \"$0\" \"$@\"", BIN];
    all.extend_from_slice(args);
    clinic.command_of("sh", &all).output().unwrap()
}

#[cfg(unix)]
#[test]
fn files_holding_patient_data_are_private_under_umask_022() {
    let clinic = Clinic::demo();
    let mrn = clinic.today()[0]["mrn"].as_str().unwrap().to_string();
    let out_dir = clinic.sub("out");
    std::fs::create_dir(&out_dir).unwrap();
    let o = |name: &str| out_dir.join(name).to_string_lossy().into_owned();

    // A new record: the clinic's group may share it, nobody else may read it.
    let fresh = clinic.sub("fresh.db");
    let out = clinic
        .command_on(
            &fresh,
            "sh",
            &["-c", "umask 022 && exec \"$0\" \"$@\"", BIN, "init"],
        )
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert_eq!(mode(&fresh), 0o660, "the record");
    assert_eq!(mode(&clinic.db), 0o660, "a demo record");

    // The default backup folder is created private, and so is each backup.
    assert_code(&with_umask_022(&clinic, &["backup"]), 0);
    let default_dir = clinic.sub("data").join("ptclinic").join("backups");
    assert_eq!(mode(&default_dir), 0o700, "the backup folder");
    for file in std::fs::read_dir(&default_dir).unwrap().flatten() {
        assert_eq!(mode(&file.path()), 0o600, "{}", file.path().display());
    }

    let bundle = o("bundle.json");
    assert_code(
        &with_umask_022(
            &clinic,
            &["export", "fhir", "--patient", &mrn, "--out", &bundle],
        ),
        0,
    );
    assert_eq!(mode(Path::new(&bundle)), 0o600, "a FHIR bundle");
    let bulk = o("bulk");
    assert_code(
        &with_umask_022(&clinic, &["export", "fhir", "--all", "--out", &bulk]),
        0,
    );
    assert_eq!(mode(Path::new(&bulk)), 0o700, "a bulk folder");
    for file in std::fs::read_dir(&bulk).unwrap().flatten() {
        assert_eq!(mode(&file.path()), 0o600, "{}", file.path().display());
    }
    let report = o("report.html");
    assert_code(
        &with_umask_022(
            &clinic,
            &[
                "report",
                "progress",
                "--patient",
                &mrn,
                "--format",
                "html",
                "--out",
                &report,
            ],
        ),
        0,
    );
    assert_eq!(mode(Path::new(&report)), 0o600, "a progress report");
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");
}

#[test]
fn a_refused_export_writes_no_disclosure_row() {
    let clinic = Clinic::demo();
    let mrn = clinic.today()[0]["mrn"].as_str().unwrap().to_string();
    let not_a_folder = clinic.sub("notes.txt");
    std::fs::write(&not_a_folder, b"x").unwrap();
    let rows = audit_rows(&clinic.db);
    let target = not_a_folder.join("bundle.json");
    let target = target.to_str().unwrap();
    for args in [
        vec!["export", "fhir", "--patient", &mrn, "--out", target],
        vec!["export", "hep", "--patient", &mrn, "--out", target],
        vec!["report", "progress", "--patient", &mrn, "--out", target],
        vec!["export", "ical", "--therapist", "AM", "--out", target],
    ] {
        let out = clinic.cli(&args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(audit_rows(&clinic.db), rows, "{args:?} left an audit row");
    }
}

/// The chain's hash of one row, as the app computes it (recomputed here the way an attacker
/// who read the source would).
fn rehash(conn: &Connection, from_id: i64) {
    let mut stmt = conn
        .prepare("SELECT id, at, local_at, user, host, action, entity, entity_id, summary FROM audit_log ORDER BY id")
        .unwrap();
    let rows: Vec<(i64, Vec<String>)> = stmt
        .query_map([], |r| {
            let mut parts = Vec::new();
            for i in 1..=8 {
                let v: rusqlite::types::Value = r.get(i)?;
                parts.push(match v {
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    _ => String::new(),
                });
            }
            Ok((r.get(0)?, parts))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = String::new();
    for (id, parts) in rows {
        let hash = if id < from_id {
            conn.query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .unwrap()
        } else {
            let mut h = Sha256::new();
            for part in std::iter::once(prev.as_str()).chain(parts.iter().map(String::as_str)) {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let hash = format!("{:x}", h.finalize());
            conn.execute(
                "UPDATE audit_log SET hash = ?1 WHERE id = ?2",
                rusqlite::params![hash, id],
            )
            .unwrap();
            hash
        };
        prev = hash;
    }
}

/// A clinic with some audit history and a backup anchoring it.
fn anchored_clinic() -> (Clinic, PathBuf) {
    let clinic = Clinic::demo();
    let ids: Vec<i64> = clinic
        .today()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .take(6)
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    for id in &ids {
        assert_code(
            &clinic.cli(&["check-in", "--appointment", &id.to_string()]),
            0,
        );
    }
    let dir = clinic.sub("backups");
    std::fs::create_dir(&dir).unwrap();
    configure_backups(&clinic, &dir);
    assert_code(&clinic.cli(&["backup"]), 0);
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("audit anchors"), "{text}");
    (clinic, dir)
}

/// Runs SQL with the append-only triggers out of the way and puts them back, as an attacker
/// with the file would.
fn tamper(db: &Path, sql: &str) -> Connection {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};
         CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    ))
    .unwrap();
    conn
}

#[test]
fn a_truncated_audit_tail_is_found_against_the_backups() {
    let (clinic, _backups) = anchored_clinic();
    tamper(
        &clinic.db,
        "DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 3 FROM audit_log)",
    );
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the last 3 were deleted"), "{text}");
}

#[test]
fn a_rewritten_and_rehashed_chain_is_found_against_the_backups() {
    let (clinic, _backups) = anchored_clinic();
    let conn = Connection::open(&clinic.db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    conn.execute("UPDATE audit_log SET user = 'mallory' WHERE id = 3", [])
        .unwrap();
    rehash(&conn, 3);
    conn.execute_batch(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
    .unwrap();
    drop(conn);
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("chain intact"),
        "the chain alone cannot see it: {text}"
    );
    assert!(text.contains("rewritten"), "{text}");
}

#[test]
fn a_deleted_first_row_is_named_as_such() {
    let (clinic, _backups) = anchored_clinic();
    tamper(&clinic.db, "DELETE FROM audit_log WHERE id = 1");
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the first audit row was deleted"), "{text}");
    assert!(!text.contains("row 2 was altered"), "{text}");
}

#[test]
fn dropped_triggers_are_reported_then_put_back_and_recorded() {
    let clinic = Clinic::demo();
    Connection::open(&clinic.db)
        .unwrap()
        .execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    let out = clinic.cli(&["doctor", "--quick"]);
    assert_code(&out, 1);
    assert!(stdout(&out).contains("dropped"), "{}", stdout(&out));
    // Any ordinary start of the app puts them back.
    assert_code(&clinic.cli(&["schedule"]), 0);
    let conn = Connection::open(&clinic.db).unwrap();
    assert!(
        conn.execute("DELETE FROM audit_log", []).is_err(),
        "append-only again"
    );
    let action: String = conn
        .query_row(
            "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(action, "audit.triggers_restored");
    drop(conn);
    let out = clinic.cli(&["doctor", "--quick"]);
    assert!(stdout(&out).contains("append-only"), "{}", stdout(&out));
}

#[test]
fn an_exclusive_lock_of_eight_seconds_is_waited_out() {
    let clinic = Clinic::demo();
    let id = first_scheduled_today(&clinic);
    let db = clinic.db.clone();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    // What another terminal's schema upgrade does: an exclusive lock held for seconds.
    let holder = std::thread::spawn(move || {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(8));
        conn.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    let out = clinic.cli(&["check-in", "--appointment", &id.to_string()]);
    holder.join().unwrap();
    assert_code(&out, 0);
    assert_eq!(status_of(&clinic.db, id), "checked_in");
}

#[test]
fn doctor_rolls_back_an_interrupted_write_instead_of_calling_it_damage() {
    let clinic = Clinic::demo();
    let crashed = clinic.sub("crashed");
    std::fs::create_dir(&crashed).unwrap();
    let copy = crashed.join("clinic.db");
    {
        // A writer in the middle of a large change, its dirty pages spilled into the file
        // with the originals in the journal: the files as a kill -9 at that moment leaves them.
        let conn = Connection::open(&clinic.db).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = TRUNCATE; PRAGMA cache_size = 5; BEGIN IMMEDIATE;
             UPDATE appointments SET room = 'R' || id;",
        )
        .unwrap();
        std::fs::copy(&clinic.db, &copy).unwrap();
        let journal = clinic.sub("clinic.db-journal");
        std::fs::copy(&journal, crashed.join("clinic.db-journal")).unwrap();
        conn.execute_batch("ROLLBACK").unwrap();
    }
    let out = clinic.command_on(&copy, BIN, &["doctor"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("an interrupted write was rolled back"),
        "{text}"
    );
    assert!(!text.contains("ERROR") && !text.contains("error"), "{text}");
    assert_code(&out, 0);
    let rooms: i64 = Connection::open(&copy)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM appointments WHERE room LIKE 'R%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rooms, 0, "the half-made change is gone");
}

#[cfg(unix)]
#[test]
fn doctor_names_a_folder_this_user_cannot_write() {
    // Root writes any folder, so the check runs as the unprivileged user `nobody` (CI is root).
    if !running_as_root() {
        eprintln!("skipped here: needs root to run doctor as `nobody`; CI runs it");
        return;
    }
    let clinic = Clinic::demo();
    let shared = clinic.sub("share");
    std::fs::create_dir(&shared).unwrap();
    let record = shared.join("clinic.db");
    std::fs::copy(&clinic.db, &record).unwrap();
    set_mode(&record, 0o666);
    set_mode(&shared, 0o555);
    for dir in [
        clinic.root.path(),
        &clinic.sub("config"),
        &clinic.sub("data"),
        &clinic.sub("home"),
    ] {
        set_mode(dir, 0o755);
    }
    let out = clinic
        .command_on(
            &record,
            "setpriv",
            &[
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                BIN,
                "doctor",
                "--quick",
            ],
        )
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_code(&out, 1);
    assert!(text.contains("cannot create files in"), "{text}");
    assert!(text.contains("every change fails"), "{text}");
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file this process just made is the process's user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

#[test]
fn restoring_an_older_backup_is_recorded_not_taken_for_a_cut_log() {
    let (clinic, dir) = anchored_clinic();
    let older = ours_newest(&dir);
    let more: Vec<i64> = clinic
        .today()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .take(3)
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    for id in &more {
        assert_code(
            &clinic.cli(&["check-in", "--appointment", &id.to_string()]),
            0,
        );
    }
    assert_code(&clinic.cli(&["backup"]), 0);
    // The IT person restores the older backup, then runs doctor before anyone opens the app.
    std::fs::copy(&older, &clinic.db).unwrap();
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("restored from the backup of"), "{text}");
    assert!(
        text.contains("1 later backup of the replaced history is set aside"),
        "{text}"
    );
    // The first opening records the restore in the log itself.
    assert_code(&clinic.cli(&["schedule"]), 0);
    let conn = Connection::open(&clinic.db).unwrap();
    let (action, user): (String, String) = conn
        .query_row(
            "SELECT action, user FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (action.as_str(), user.as_str()),
        ("clinic.restored", "ptclinic")
    );
    drop(conn);
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 0, "{text}");
    // Life goes on: a change and a backup after the restore, and a cut tail is caught again.
    let id = first_scheduled_today(&clinic);
    assert_code(
        &clinic.cli(&["check-in", "--appointment", &id.to_string()]),
        0,
    );
    assert_code(&clinic.cli(&["backup"]), 0);
    assert_eq!(doctor(&clinic).0, 0);
    tamper(
        &clinic.db,
        "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
    );
    let (code, text) = doctor(&clinic);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the last 1 were deleted"), "{text}");
}

/// The newest backup file in `dir`.
fn ours_newest(dir: &Path) -> PathBuf {
    db_files(dir).pop().expect("a backup")
}

#[test]
fn everyday_doctor_walks_the_chain_from_the_last_verified_head_and_full_reads_every_page() {
    let (clinic, dir) = anchored_clinic();
    assert!(dir.join("ptclinic-audit-verified.txt").is_file());
    let ids: Vec<i64> = clinic
        .today()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .take(2)
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    for id in &ids {
        assert_code(
            &clinic.cli(&["check-in", "--appointment", &id.to_string()]),
            0,
        );
    }
    let out = clinic.cli(&["doctor"]);
    let text = stdout(&out);
    assert_code(&out, 0);
    assert!(text.contains("2 entries since the last verified"), "{text}");
    assert!(text.contains("not read page by page"), "{text}");
    assert!(!text.contains("foreign keys"), "{text}");

    let out = clinic.cli(&["doctor", "--full"]);
    let text = stdout(&out);
    assert_code(&out, 0);
    assert!(text.contains("integrity_check: ok"), "{text}");
    assert!(text.contains("foreign keys"), "{text}");

    // An old row edited and the chain re-hashed after it: the walk from the last verified head
    // would not pass that row, but the head itself no longer matches.
    let conn = Connection::open(&clinic.db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    conn.execute("UPDATE audit_log SET user = 'mallory' WHERE id = 2", [])
        .unwrap();
    rehash(&conn, 2);
    drop(conn);
    let out = clinic.cli(&["doctor"]);
    let text = stdout(&out);
    assert_code(&out, 1);
    assert!(text.contains("rewritten"), "{text}");
}

#[test]
fn the_full_checks_progress_reads_as_a_share_and_a_time_left() {
    use ptclinic::db::doctor::Progress;
    let p = Progress {
        done: 0.25,
        elapsed: Duration::from_secs(30),
    };
    assert_eq!(p.left(), Some(Duration::from_secs(90)));
    let early = Progress {
        done: 0.0,
        elapsed: Duration::from_secs(2),
    };
    assert_eq!(early.left(), None, "no pace to go by yet");
}

#[test]
fn a_backup_copies_in_steps_and_says_how_far_it_has_got() {
    use ptclinic::db::backup::{self, Copied, Folder};
    let clinic = Clinic::demo();
    let dir = clinic.sub("backups");
    std::fs::create_dir(&dir).unwrap();
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let seen = std::cell::RefCell::new(Vec::<Copied>::new());
    let report = |c: Copied| seen.borrow_mut().push(c);
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
        .unwrap()
        .and_hms_opt(7, 0, 0)
        .unwrap();
    let made = backup::backup(&db, &dir, 3, at, Folder::MustExist, Some(&report)).unwrap();
    assert!(made.path.is_file());
    let seen = seen.into_inner();
    // The demo's record is a few hundred pages: more than one step of 256.
    assert!(!seen.is_empty(), "progress was reported");
    assert!(
        seen.windows(2).all(|w| w[0].pages_done <= w[1].pages_done),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|c| c.pages_done <= c.pages && c.pages > 256),
        "{seen:?}"
    );
}

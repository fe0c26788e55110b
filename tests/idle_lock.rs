//! The idle lock is a lock: `staff set-pin` stores a salted argon2id hash (audited, no secret
//! anywhere), and the database thread unlocks only with that PIN, records three wrong ones in
//! a row, and lets a user without a PIN in with Enter.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{BIN, EnvDirs, TODAY, assert_code, ptclinic, stderr};
use ptclinic::db::worker::{LockReply, Reply, Request, Worker};
use ptclinic::domain::pin::{Pin, PinNeed};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// An empty record with two therapists, aruiz and dfry.
fn clinic(env: &EnvDirs) -> PathBuf {
    let db = env.path("clinic.db");
    assert_code(&ptclinic(env, &["init", "--db", p(&db)]), 0);
    for (name, initials, login) in [("Ana Ruiz", "AR", "aruiz"), ("Dana Fry", "DF", "dfry")] {
        let out = ptclinic(
            env,
            &[
                "staff",
                "add",
                "--db",
                p(&db),
                "--name",
                name,
                "--initials",
                initials,
                "--role",
                "therapist",
                "--username",
                login,
            ],
        );
        assert_code(&out, 0);
    }
    db
}

/// `staff set-pin` as `user`, with `input` on standard input (not a terminal).
fn set_pin(env: &EnvDirs, db: &Path, user: &str, extra: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(["staff", "set-pin", "--db", p(db), "--user", user])
        .args(extra)
        .current_dir(env.sub("work"))
        .env("XDG_CONFIG_HOME", env.sub("config"))
        .env("XDG_DATA_HOME", env.sub("data"))
        .env("HOME", env.sub("home"))
        .env("PTCLINIC_TODAY", TODAY)
        .env_remove("PTCLINIC_DB")
        .env_remove("PTCLINIC_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refusal may come before the PIN is read: the pipe is then closed, which is no failure.
    if let Err(e) = child.stdin.take().unwrap().write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// (action, summary) of every audit row, oldest first.
fn audit(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare("SELECT action, summary FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn stored_hashes(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare("SELECT pin_hash FROM staff_pins")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn worker(db: &Path, user: &str) -> Worker {
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    Worker::new(
        ptclinic::db::open_existing(db).unwrap(),
        user.into(),
        ptclinic::clock::Clock::fixed(day),
    )
}

fn unlock(w: &mut Worker, pin: &str) -> LockReply {
    match w.handle(Request::Unlock { pin: Pin::new(pin) }) {
        Reply::Lock(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn set_pin_stores_a_salted_argon2_hash_audited_without_the_secret() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let out = set_pin(&env, &db, "aruiz", &[], "482193\n");
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("PIN set for Ana Ruiz"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("482193"));
    let hashes = stored_hashes(&db);
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$"), "{}", hashes[0]);
    assert!(!hashes[0].contains("482193"));
    let rows = audit(&db);
    let (action, summary) = rows.last().unwrap();
    assert_eq!(action, "staff.set_pin");
    assert!(
        !summary.contains("482193") && !summary.contains("argon2"),
        "{summary}"
    );

    // A new PIN replaces the old one, with a fresh salt.
    assert_code(
        &set_pin(&env, &db, "aruiz", &["--username", "aruiz"], "1234"),
        0,
    );
    let again = stored_hashes(&db);
    assert_eq!(again.len(), 1);
    assert_ne!(again[0], hashes[0]);
}

#[test]
fn set_pin_refuses_a_bad_pin_someone_elses_pin_and_a_stranger() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    for bad in ["123\n", "12345678901234\n", "12a4\n", "\n"] {
        let out = set_pin(&env, &db, "aruiz", &[], bad);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("4 to 12 digits"), "{err}");
        assert!(!err.contains(bad.trim()) || bad.trim().is_empty(), "{err}");
    }
    let out = set_pin(&env, &db, "aruiz", &["--username", "dfry"], "1234\n");
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("only your own PIN"),
        "{}",
        stderr(&out)
    );
    let out = set_pin(&env, &db, "mallory", &[], "1234\n");
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("not on the staff list"),
        "{}",
        stderr(&out)
    );
    assert!(stored_hashes(&db).is_empty(), "nothing was stored");
    assert!(!audit(&db).iter().any(|(a, _)| a == "staff.set_pin"));
}

#[test]
fn only_the_pin_unlocks_and_three_wrong_ones_in_a_row_are_audited() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    assert_code(&set_pin(&env, &db, "aruiz", &[], "4821\n"), 0);
    let mut w = worker(&db, "aruiz");
    assert!(matches!(
        w.handle(Request::Locked),
        Reply::Lock(LockReply::Needs(PinNeed::Pin))
    ));
    assert_eq!(unlock(&mut w, ""), LockReply::PinNeeded);
    for n in 1..=4 {
        assert_eq!(unlock(&mut w, "1111"), LockReply::WrongPin { in_a_row: n });
    }
    assert!(matches!(
        unlock(&mut w, "4821"),
        LockReply::Unlocked {
            by: PinNeed::Pin,
            note: None
        }
    ));
    // The count starts again after an unlock.
    assert_eq!(unlock(&mut w, "1111"), LockReply::WrongPin { in_a_row: 1 });

    let rows = audit(&db);
    let failed: Vec<&String> = rows
        .iter()
        .filter(|(a, _)| a == "session.pin_failed")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    assert!(failed[0].contains('3'), "the count: {}", failed[0]);
    let unlocks = rows.iter().filter(|(a, _)| a == "session.unlock").count();
    assert_eq!(unlocks, 1);
    for (_, summary) in &rows {
        assert!(
            !summary.contains("4821") && !summary.contains("1111"),
            "{summary}"
        );
    }
}

#[test]
fn a_user_without_a_pin_unlocks_with_enter_and_is_told_to_set_one() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let mut w = worker(&db, "dfry");
    assert!(matches!(
        w.handle(Request::Locked),
        Reply::Lock(LockReply::Needs(PinNeed::NoPin))
    ));
    assert!(matches!(
        unlock(&mut w, ""),
        LockReply::Unlocked {
            by: PinNeed::NoPin,
            note: None
        }
    ));
    // A PIN set at another terminal counts at the next lock of a running one.
    assert_code(&set_pin(&env, &db, "dfry", &[], "2468\n"), 0);
    assert!(matches!(
        w.handle(Request::Locked),
        Reply::Lock(LockReply::Needs(PinNeed::Pin))
    ));
    assert_eq!(unlock(&mut w, ""), LockReply::PinNeeded);
    let mut stranger = worker(&db, "mallory");
    assert!(matches!(
        stranger.handle(Request::Locked),
        Reply::Lock(LockReply::Needs(PinNeed::NotStaff))
    ));
}

/// The drive gone: the PIN as last read still unlocks (the unlock is not in the audit log,
/// and the screen says so).
#[test]
fn with_the_drive_gone_the_last_read_pin_still_unlocks() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    assert_code(&set_pin(&env, &db, "aruiz", &[], "4821\n"), 0);
    let mut w = worker(&db, "aruiz");
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let away = env.path("away.db");
    std::fs::rename(&db, &away).unwrap();
    assert!(matches!(
        w.handle(Request::Poll(day)),
        Reply::Offline { .. }
    ));
    assert_eq!(unlock(&mut w, "1111"), LockReply::WrongPin { in_a_row: 1 });
    match unlock(&mut w, "4821") {
        LockReply::Unlocked {
            by: PinNeed::Pin,
            note: Some(note),
        } => assert!(note.contains("audit log"), "{note}"),
        other => panic!("{other:?}"),
    }
}

/// `staff set-pin` at a terminal: asked twice, the digits never echoed.
#[test]
fn set_pin_at_a_terminal_asks_twice_and_echoes_nothing() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    use std::time::{Duration, Instant};

    let env = EnvDirs::new();
    let db = clinic(&env);
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(["staff", "set-pin", "--db", p(&db), "--user", "aruiz"]);
    cmd.env("HOME", env.sub("home"));
    cmd.env("XDG_CONFIG_HOME", env.sub("config"));
    cmd.env("XDG_DATA_HOME", env.sub("data"));
    cmd.env("PTCLINIC_TODAY", TODAY);
    cmd.env_remove("PTCLINIC_DB");
    cmd.env_remove("PTCLINIC_USER");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let wait_for = |needle: &str, seen: &mut String| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !seen.contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} in {seen:?}");
            if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
    };
    wait_for("New PIN for Ana Ruiz", &mut seen);
    writer.write_all(b"4821\r").unwrap();
    wait_for("again", &mut seen);
    writer.write_all(b"4821\r").unwrap();
    wait_for("PIN set for Ana Ruiz", &mut seen);
    let status = child.wait().unwrap();
    assert!(status.success(), "{seen}");
    assert!(!seen.contains("4821"), "the PIN was echoed: {seen:?}");
    let hashes = stored_hashes(&db);
    assert_eq!(hashes.len(), 1);
    assert!(Pin::new("4821").verify(&hashes[0]));
}

//! Many terminals on one record: concurrent writers lose nothing, a killed process leaves nothing
//! half-written, a held lock is waited out or reported plainly, changes reach other screens,
//! backups restore, and tampering with the audit log is detected. The writers, the killed
//! processes and the live refresh run on a SQLite file and again on a PostgreSQL server (where
//! the other terminal hears the change through NOTIFY) from one test body.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Clinic, Session, TODAY, each_backend};
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Scheduled visits today and in the days after: each id with its day.
fn scheduled_visits(clinic: &Clinic, days: &[&str]) -> Vec<(i64, String)> {
    days.iter()
        .flat_map(|d| {
            json(&clinic.cli(&["schedule", "--json", "--date", d]))
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|v| v["status"] == "scheduled")
        .map(|v| {
            let day = v["start"].as_str().unwrap()[..10].to_string();
            (v["id"].as_i64().unwrap(), day)
        })
        .collect()
}

/// Scheduled visits today and in the days after, ids only.
fn scheduled_ids(clinic: &Clinic, days: &[&str]) -> Vec<i64> {
    scheduled_visits(clinic, days)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// A shell loop of check-ins, as one writer. Each runs on its visit's day (check-in takes
/// today's visits only), so that a few days' visits make a long enough run.
fn writer(clinic: &Clinic, visits: &[(i64, String)], user: &str) -> std::process::Child {
    let commands: Vec<(String, String)> = visits
        .iter()
        .map(|(id, day)| (day.clone(), format!("check-in --appointment {id}")))
        .collect();
    shell_writer(clinic, &commands, user)
}

/// One terminal's run of commands, one process each, in a shell loop; each command runs on
/// the day paired with it.
fn shell_writer(clinic: &Clinic, commands: &[(String, String)], user: &str) -> std::process::Child {
    let script = commands
        .iter()
        .map(|(day, c)| {
            format!(
                "PTCLINIC_TODAY={day} \"$BIN\" {c} --db \"$DB\" --user {user} >/dev/null || echo \"failed: {c}\" >&2"
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .env("BIN", BIN)
        .env("DB", &clinic.db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in clinic.env() {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn a writer")
}

fn doctor_ok(clinic: &Clinic) {
    let out = clinic.cli(&["doctor", "--json"]);
    let report = json(&out);
    assert_eq!(report["ok"], true, "{report}");
}

fn audit_count(clinic: &Clinic, action: &str) -> usize {
    json(&clinic.cli(&["audit", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .count()
}

#[test]
fn eight_writers_at_once_lose_nothing() {
    each_backend("eight_writers", &[], |clinic| {
        let visits = scheduled_visits(
            clinic,
            &[
                TODAY,
                "2026-11-28",
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
            ],
        );
        assert!(
            visits.len() >= 200,
            "only {} scheduled visits",
            visits.len()
        );
        let visits = &visits[..200];
        let ids: Vec<i64> = visits.iter().map(|(id, _)| *id).collect();
        // Two therapists record 50 pain scores each while the front desks check in.
        let mrns: Vec<String> = clinic
            .today()
            .iter()
            .take(2)
            .map(|v| v["mrn"].as_str().unwrap().to_string())
            .collect();
        let measurements_before = audit_count(clinic, "measurement.record");
        let therapists = clinic.therapists();
        let mut writers: Vec<_> = visits
            .chunks(25)
            .enumerate()
            .map(|(i, chunk)| writer(clinic, chunk, &format!("desk{i}")))
            .collect();
        for (i, mrn) in mrns.iter().enumerate() {
            let records: Vec<(String, String)> = (0..50)
                .map(|n| {
                    let c = format!("record --patient {mrn} --measure NPRS --value {}", n % 11);
                    (TODAY.to_string(), c)
                })
                .collect();
            writers.push(shell_writer(clinic, &records, &therapists[i]));
        }
        for w in writers {
            let out = w.wait_with_output().unwrap();
            assert!(out.status.success());
            assert!(
                out.stderr.is_empty(),
                "a writer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let done: BTreeSet<i64> = [
            "2026-11-27",
            "2026-11-28",
            "2026-11-30",
            "2026-12-01",
            "2026-12-02",
        ]
        .iter()
        .flat_map(|d| {
            json(&clinic.cli(&["schedule", "--json", "--date", d]))
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|v| v["status"] == "checked_in")
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
        assert_eq!(done, ids.iter().copied().collect::<BTreeSet<_>>());
        assert_eq!(audit_count(clinic, "appointment.status"), 200);
        assert_eq!(
            audit_count(clinic, "measurement.record"),
            measurements_before + 100
        );
        for mrn in &mrns {
            let out = clinic.cli(&["report", "progress", "--patient", mrn, "--format", "json"]);
            let nprs = json(&out)["measures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["code"] == "NPRS")
                .cloned()
                .unwrap();
            let today = nprs["values"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v["date"] == TODAY)
                .count();
            assert_eq!(
                today, 50,
                "every one of the therapist's 50 scores is stored"
            );
        }
        doctor_ok(clinic);
    });
}

/// The negative control: the same kind of check (every change present) catches lost updates
/// when SQLite's locking is switched off, so the test above would fail if ours were broken.
#[test]
fn without_locking_the_same_check_catches_lost_updates() {
    fn run(vfs: &str) -> i64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("counter.db");
        let setup = rusqlite::Connection::open(&path).unwrap();
        setup.execute_batch("PRAGMA journal_mode=TRUNCATE; CREATE TABLE c (n INTEGER); INSERT INTO c VALUES (0);").unwrap();
        drop(setup);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (path, vfs) = (path.clone(), vfs.to_string());
                std::thread::spawn(move || {
                    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE;
                    let mut conn =
                        rusqlite::Connection::open_with_flags_and_vfs(&path, flags, vfs.as_str())
                            .unwrap();
                    conn.busy_timeout(Duration::from_secs(10)).unwrap();
                    for _ in 0..40 {
                        let tx = conn
                            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                            .unwrap();
                        let n: i64 = tx.query_row("SELECT n FROM c", [], |r| r.get(0)).unwrap();
                        std::thread::sleep(Duration::from_millis(1));
                        tx.execute("UPDATE c SET n = ?1", [n + 1]).unwrap();
                        tx.commit().unwrap();
                    }
                })
            })
            .collect();
        let mut crashed = false;
        for t in threads {
            crashed |= t.join().is_err();
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n = conn
            .query_row("SELECT n FROM c", [], |r| r.get(0))
            .unwrap_or(-1);
        if crashed { -1 } else { n }
    }
    assert_eq!(run("unix"), 160, "with locking every increment is kept");
    assert_ne!(
        run("unix-none"),
        160,
        "without locking increments are lost (or the file breaks)"
    );
}

#[test]
fn a_killed_demo_build_leaves_the_old_file_or_the_new_one_never_half() {
    let clinic = Clinic::demo();
    for round in 0..8u64 {
        let mut child = Command::new(BIN)
            .args([
                "demo",
                "--force",
                "--seed",
                &(round + 2).to_string(),
                "--db",
            ])
            .arg(&clinic.db)
            .envs(clinic.env())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + round * 9));
        let _ = child.kill();
        let _ = child.wait();
        doctor_ok(&clinic);
        let visits = json(&clinic.cli(&["schedule", "--json"]));
        assert!(
            visits.as_array().unwrap().len() > 30,
            "round {round}: a whole clinic is there"
        );
    }
    // The next build clears what the killed ones left behind.
    let out = clinic.cli(&["demo", "--force"]);
    assert!(out.status.success());
    let leftovers: Vec<_> = std::fs::read_dir(clinic.db.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".building-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn killed_check_ins_are_all_or_nothing() {
    each_backend("killed_writers", &[], |clinic| {
        let visits = scheduled_visits(clinic, &[TODAY, "2026-11-28"]);
        for (round, chunk) in visits.chunks(10).take(6).enumerate() {
            let mut w = writer(clinic, chunk, "desk");
            std::thread::sleep(Duration::from_millis(15 + 20 * round as u64));
            let _ = w.kill();
            let _ = w.wait();
        }
        // Let any check-in still running in an orphaned child finish.
        std::thread::sleep(Duration::from_millis(300));
        doctor_ok(clinic);
        let checked_in: usize = [TODAY, "2026-11-28"]
            .iter()
            .flat_map(|d| {
                json(&clinic.cli(&["schedule", "--json", "--date", d]))
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|v| v["status"] == "checked_in")
            .count();
        assert_eq!(
            checked_in,
            audit_count(clinic, "appointment.status"),
            "every stored change has its audit row and no more"
        );
    });
}

#[test]
fn a_lock_held_too_long_ends_in_a_plain_message_and_changes_nothing() {
    let clinic = Clinic::demo();
    let id = scheduled_ids(&clinic, &[TODAY])[0];
    let path = clinic.db.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        ready_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(26));
        tx.rollback().unwrap();
    });
    ready_rx.recv().unwrap();
    let started = Instant::now();
    let out = clinic.cli(&["check-in", "--appointment", &id.to_string()]);
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the clinic database is busy"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        waited >= Duration::from_secs(15) && waited < Duration::from_secs(26),
        "gave up after {waited:?}"
    );
    holder.join().unwrap();
    assert_eq!(audit_count(&clinic, "appointment.status"), 0);
}

#[test]
fn a_check_in_at_one_terminal_shows_at_another_without_a_key() {
    each_backend("live_check_in", &[], |clinic| {
        let mut desk = Session::start(clinic, "desk");
        let mut room = Session::start(clinic, "room3");
        desk.wait_for_text("booked");
        room.wait_for_text("booked");
        assert!(room.screen().contains("arrived 0"));
        desk.send("c");
        desk.wait_for_text("checked in");
        // No key is pressed at the other terminal: only its once-a-second poll (on a server, the
        // notification it hears) can bring the change.
        // (It arrives within two seconds on an idle machine; the bound here allows for a loaded CI
        // machine running the stress tests beside this one: speed lives in benchmarks, not tests.)
        room.wait_for(
            "the other terminal to show the arrival",
            Duration::from_secs(10),
            |s| s.contains("arrived 1"),
        );
        desk.send("q");
        room.send("q");
        assert!(desk.wait_exit().success());
        assert!(room.wait_exit().success());
    });
}

#[test]
fn a_program_saved_at_one_terminal_shows_in_pane_three_at_another() {
    each_backend("live_program", &[], |clinic| {
        // The first visit's therapist saves the program (the front desk may not): their own day
        // starts with the visit the other terminal has selected.
        let first = clinic.today().into_iter().next().expect("a visit today");
        let therapist = clinic.username_of(first["therapist"].as_str().unwrap());
        let mut desk = Session::start(clinic, &therapist);
        let mut room = Session::start(clinic, "room3");
        desk.wait_for_text("booked");
        room.wait_for_text("booked");
        // Both on the first visit's patient, in pane 3.
        let loaded = |s: &str| s.contains("Exercises ·") && !s.contains("Loading");
        desk.send("3");
        room.send("3");
        desk.wait_for("pane 3", Duration::from_secs(10), loaded);
        room.wait_for("pane 3", Duration::from_secs(10), loaded);
        desk.send("/");
        desk.send("slr");
        desk.wait_for_text("(SLR)");
        desk.send("\r");
        desk.wait_for_text("added Straight leg raise");
        // A key sent right after Esc would read as Alt-key.
        desk.send("\x1b");
        desk.wait_for_text("/ search");
        desk.send("s");
        desk.wait_for_text("saved version");
        let screen = desk.screen();
        let version = screen
            .split("saved version ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the version saved")
            .to_string();
        // No key at the other terminal: its poll brings the new version into pane 3.
        room.wait_for(
            "the other terminal to show the new version",
            Duration::from_secs(10),
            |s| {
                s.contains(&format!("{therapist} saved version {version} at"))
                    && s.contains("on another terminal: shown")
                    && s.contains(&format!("v{version}"))
            },
        );
        desk.send("q");
        room.send("q");
        assert!(desk.wait_exit().success());
        assert!(room.wait_exit().success());
    });
}

#[test]
fn backup_is_checked_rotated_and_restores() {
    let clinic = Clinic::demo();
    let dir = clinic.root.path().join("backups");
    std::fs::create_dir(&dir).unwrap();
    let dir_text = dir.to_str().unwrap();
    let mut made = Vec::new();
    for _ in 0..3 {
        let out = clinic.cli(&["backup", "--to", dir_text, "--keep", "2"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        made.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    let kept: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".db"))
        .collect();
    assert_eq!(
        kept,
        made[1..].iter().cloned().collect(),
        "the two newest are kept"
    );
    let before = json(&clinic.cli(&["schedule", "--json"]));
    let id = scheduled_ids(&clinic, &[TODAY])[0];
    assert!(
        clinic
            .cli(&["check-in", "--appointment", &id.to_string()])
            .status
            .success()
    );
    // Restore: terminals closed, the backup copied over the record.
    std::fs::copy(&made[2], &clinic.db).unwrap();
    doctor_ok(&clinic);
    assert_eq!(json(&clinic.cli(&["schedule", "--json"])), before);
}

#[test]
fn the_audit_log_is_append_only_and_tampering_is_detected() {
    let clinic = Clinic::demo();
    let id = scheduled_ids(&clinic, &[TODAY])[0];
    assert!(
        clinic
            .cli(&[
                "check-in",
                "--appointment",
                &id.to_string(),
                "--user",
                "dfry"
            ])
            .status
            .success()
    );
    let rows = json(&clinic.cli(&["audit", "--json", "--user", "dfry"]));
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(
        (row["action"].as_str(), row["entity_id"].as_i64()),
        (Some("appointment.status"), Some(id))
    );
    assert!(row["at"].as_str().unwrap().ends_with('Z'), "UTC time");
    assert!(!row["host"].as_str().unwrap().is_empty());
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let refused = conn.execute("UPDATE audit_log SET user = 'mallory'", []);
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET user = 'mallory';")
        .unwrap();
    drop(conn);
    let out = clinic.cli(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("was altered"));
}

/// A small record at `path`: one therapist, one patient and `visits` scheduled visits today
/// (at 08:00, 09:00, ...).
fn small_record(path: &std::path::Path, visits: usize) {
    use ptclinic::domain::bulk::{DemoPatient, DemoVisit, PatientDetails};
    use ptclinic::domain::{AppointmentStatus, Role, VisitKind};
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let booked =
        ptclinic::db::testing::at(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(), 9, 0);
    ptclinic::db::build_new_file(path, ptclinic::db::Existing::Keep("a test record"), |db| {
        ptclinic::db::testing::seed(db, |w| {
            let therapist = w.staff(&ptclinic::db::staff::NewStaff {
                name: "Ana Ruiz".into(),
                initials: "AR".into(),
                role: Role::Therapist,
                username: Some("aruiz".into()),
                credentials: None,
            })?;
            let patient = w.patient(&DemoPatient {
                details: PatientDetails {
                    mrn: "100001".into(),
                    first_name: "Maria".into(),
                    last_name: "Lopez".into(),
                    date_of_birth: chrono::NaiveDate::from_ymd_opt(1961, 3, 2).unwrap(),
                    phone: None,
                    email: None,
                    payer: None,
                    diagnosis_code: None,
                    diagnosis: None,
                    body_region: None,
                    plan: None,
                    authorization: None,
                },
                active: true,
                created_at: booked,
            })?;
            for hour in 8..8 + visits {
                w.visit(&DemoVisit {
                    patient_id: patient,
                    therapist_id: therapist,
                    start: ptclinic::db::testing::at(day, hour as u32, 0),
                    minutes: 45,
                    kind: VisitKind::Treatment,
                    status: AppointmentStatus::Scheduled,
                    status_changed_at: None,
                    checked_in_at: None,
                    cancel_reason: None,
                    room: None,
                    created_at: booked,
                })?;
            }
            Ok(())
        })
    })
    .unwrap();
}

/// A backup restored (or a record rebuilt) by renaming it over the path while a terminal has
/// the old file open: the next poll notices, reopens the path and says so, and the next write
/// lands in the new file instead of being refused as read-only.
#[test]
fn a_file_replaced_under_a_running_terminal_is_reopened_at_the_next_poll() {
    use ptclinic::db::worker::{Reply, Request, Worker};
    use ptclinic::domain::AppointmentStatus;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let restored = dir.path().join("restored.db");
    small_record(&path, 1);
    small_record(&restored, 2);
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let db = ptclinic::db::open_existing(&path).unwrap();
    let mut worker = Worker::new(db, "aruiz".into(), ptclinic::clock::Clock::fixed(day));
    assert!(matches!(worker.handle(Request::Poll(day)), Reply::Quiet));

    std::fs::rename(&restored, &path).unwrap();
    match worker.handle(Request::Poll(day)) {
        Reply::Replaced { note } => {
            assert!(note.contains("was replaced"), "{note}");
            assert!(note.contains("reopened"), "{note}");
            assert!(note.contains(path.to_str().unwrap()), "{note}");
        }
        other => panic!("the replacement went unnoticed: {other:?}"),
    }
    assert!(matches!(worker.handle(Request::Poll(day)), Reply::Quiet));
    let visits = match worker.handle(Request::LoadDay(day)) {
        Reply::Day { visits, .. } => visits,
        other => panic!("{other:?}"),
    };
    assert_eq!(visits.len(), 2, "the new file's day");
    let last = visits.last().unwrap();
    let reply = worker.handle(Request::SetStatus {
        id: last.id,
        seen_version: last.version,
        to: AppointmentStatus::CheckedIn,
        reason: None,
    });
    assert!(matches!(reply, Reply::StatusChanged(_)), "{reply:?}");

    let check = rusqlite::Connection::open(&path).unwrap();
    let status: String = check
        .query_row(
            "SELECT status FROM appointments WHERE id = ?1",
            [last.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "checked_in");
    let audited: i64 = check
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.status' AND entity_id = ?1",
            [last.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

/// A file that is not a clinic record renamed over the path is reported once, and the screen
/// keeps the old day rather than a stream of errors.
#[test]
fn a_replacement_that_cannot_be_opened_is_reported_once() {
    use ptclinic::db::worker::{Reply, Request, Worker};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    small_record(&path, 1);
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let db = ptclinic::db::open_existing(&path).unwrap();
    let mut worker = Worker::new(db, "aruiz".into(), ptclinic::clock::Clock::fixed(day));
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"not a database at all").unwrap();
    std::fs::rename(&junk, &path).unwrap();
    match worker.handle(Request::Poll(day)) {
        Reply::Failed { error, asked } => {
            assert!(!asked.write);
            assert!(error.message.contains("was replaced"), "{}", error.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(worker.handle(Request::Poll(day)), Reply::Quiet));
}

/// A change asked for before the next poll has noticed the replacement is not made on the day
/// of the old file: the new one is opened, nothing is changed, and the change asked again lands.
#[test]
fn a_change_right_after_a_replacement_opens_the_new_file_and_changes_nothing() {
    use ptclinic::db::worker::{Reply, Request, Worker};
    use ptclinic::domain::AppointmentStatus;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let restored = dir.path().join("restored.db");
    small_record(&path, 1);
    small_record(&restored, 2);
    let day = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let mut worker = Worker::new(
        ptclinic::db::open_existing(&path).unwrap(),
        "aruiz".into(),
        ptclinic::clock::Clock::fixed(day),
    );
    let check_in = || Request::SetStatus {
        id: 1,
        seen_version: 1,
        to: AppointmentStatus::CheckedIn,
        reason: None,
    };
    std::fs::rename(&restored, &path).unwrap();
    match worker.handle(check_in()) {
        Reply::Failed { error, asked } => {
            assert!(asked.write);
            assert!(error.message.contains("was replaced"), "{}", error.message);
            assert!(
                error.message.contains("nothing was changed"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(worker.handle(Request::Poll(day)), Reply::Quiet));
    assert!(matches!(worker.handle(check_in()), Reply::StatusChanged(_)));
    let check = rusqlite::Connection::open(&path).unwrap();
    let (checked_in, visits): (i64, i64) = check
        .query_row(
            "SELECT SUM(status = 'checked_in'), COUNT(*) FROM appointments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((checked_in, visits), (1, 2), "in the new file, once");
}

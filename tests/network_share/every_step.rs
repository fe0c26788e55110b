//! Faults at every step, the way SQLite's own I/O-error tests work: a flow is run once to count
//! the reads, writes and syncs it costs, then again with an I/O error injected at each of those
//! operations in turn. After each: the record passes `integrity_check`, the change is wholly
//! there or wholly absent, a failure was one plain sentence, and the same change succeeds once
//! the fault has cleared.

use std::process::Output;

use super::share::{Fault, Op};
use super::*;

/// The operations faults are injected at.
const STEPS: [Op; 3] = [Op::Read, Op::Write, Op::Fsync];

/// One flow: attempt `i` makes change `i` (each attempt a fresh change, so that a retry and
/// the next injection never see each other's work), and `stored(i)` says whether it is in the
/// record on the server's disk.
struct Flow<'a> {
    name: &'static str,
    attempt: Box<dyn Fn(usize) -> Output + 'a>,
    stored: Box<dyn Fn(usize) -> bool + 'a>,
}

/// Runs `flow` with a fault at every step in turn; returns how many injection points it had.
fn at_every_step(shared: &SharedClinic, flow: &Flow) -> usize {
    let controls = &shared.share.controls;
    controls.reset_counts();
    let clean = (flow.attempt)(0);
    common::assert_code(&clean, 0);
    assert!(
        (flow.stored)(0),
        "{}: the clean run stores its change",
        flow.name
    );
    let costs = controls.counts();
    let mut attempt = 0;
    let mut points = 0;
    for op in STEPS {
        for nth in 1..=costs.of(op) {
            attempt += 1;
            points += 1;
            controls.arm(Fault::IoError { op, nth });
            let out = (flow.attempt)(attempt);
            controls.disarm();
            let what = format!("{}: I/O error at {op:?} {nth}", flow.name);
            assert_eq!(integrity(&shared.on_server()), "ok", "{what}");
            match out.status.code() {
                Some(0) => assert!((flow.stored)(attempt), "{what}: said done, not stored"),
                Some(1) => {
                    assert!(!(flow.stored)(attempt), "{what}: failed, yet stored");
                    let said = common::stderr(&out);
                    assert!(
                        said.starts_with("ptclinic: ") && said.trim_end().lines().count() == 1,
                        "{what}: {said}"
                    );
                    let again = (flow.attempt)(attempt);
                    common::assert_code(&again, 0);
                    assert!((flow.stored)(attempt), "{what}: the retry is stored");
                }
                other => panic!("{what}: exit {other:?}: {}", common::stderr(&out)),
            }
        }
    }
    points
}

fn scheduled_today(shared: &SharedClinic) -> Vec<i64> {
    shared
        .clinic
        .today()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .filter_map(|v| v["id"].as_i64())
        .collect()
}

#[test]
fn a_check_in_an_import_and_a_backup_recover_from_an_io_error_at_every_step() {
    let Some(shared) = SharedClinic::small() else {
        return;
    };
    let server = shared.on_server();
    let mut points = Vec::new();

    // A check-in. There are more injection points than visits today, so a visit is used again
    // once it has been set back to scheduled on the server's disk (behind the share, so that
    // the counts stay the check-in's own).
    let visits = scheduled_today(&shared);
    let visit = |i: usize| visits[i % visits.len()];
    let check_in = Flow {
        name: "check-in",
        attempt: Box::new(|i| {
            rusqlite::Connection::open(&server)
                .unwrap()
                .execute(
                    "UPDATE appointments SET status = 'scheduled', checked_in_at = NULL,
                     version = version + 1 WHERE id = ?1 AND status <> 'scheduled'",
                    [visit(i)],
                )
                .unwrap();
            shared
                .clinic
                .cli(&["check-in", "--appointment", &visit(i).to_string()])
        }),
        stored: Box::new(|i| status_and_audit(&server, visit(i)).0 == "checked_in"),
    };
    points.push(("check-in", at_every_step(&shared, &check_in)));

    // An import of one appointment: each attempt its own start time.
    let therapist = "AM";
    let mrn = shared.clinic.today()[0]["mrn"]
        .as_str()
        .unwrap()
        .to_string();
    let csv_dir = shared.clinic.sub("csv");
    std::fs::create_dir(&csv_dir).unwrap();
    // Past the demo's bookings, so that no attempt meets a visit already there.
    let start = |i: usize| {
        format!(
            "2027-02-{:02} {:02}:{:02}",
            1 + i / 40,
            7 + (i % 40) / 4,
            (i % 4) * 15
        )
    };
    let import = Flow {
        name: "import",
        attempt: Box::new(|i| {
            let file = csv_dir.join(format!("visit-{i}.csv"));
            std::fs::write(
                &file,
                format!(
                    "mrn,therapist,start,minutes,kind\n{mrn},{therapist},{},30,treatment\n",
                    start(i)
                ),
            )
            .unwrap();
            shared.clinic.cli(&[
                "import",
                "appointments",
                file.to_str().unwrap(),
                "--user",
                common::DEMO_ADMIN,
            ])
        }),
        stored: Box::new(|i| {
            let start = start(i).replace(' ', "T");
            rusqlite::Connection::open(&server)
                .unwrap()
                .query_row(
                    "SELECT COUNT(*) FROM appointments a JOIN patients p ON p.id = a.patient_id
                     WHERE a.start = ?1 AND p.mrn = ?2",
                    [&start, &mrn],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                == 1
        }),
    };
    points.push(("import", at_every_step(&shared, &import)));

    // A backup from the share to a local folder: each attempt its own folder.
    let backups = shared.clinic.sub("backups");
    let backup = Flow {
        name: "backup",
        attempt: Box::new(|i| {
            let dir = backups.join(i.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            shared
                .clinic
                .cli(&["backup", "--to", dir.to_str().unwrap()])
        }),
        stored: Box::new(|i| {
            let dir = backups.join(i.to_string());
            let made: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "db"))
                .collect();
            let partial = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".partial"));
            assert!(!partial, "a failed backup leaves no partial copy");
            made.len() == 1 && integrity(&made[0]) == "ok"
        }),
    };
    points.push(("backup", at_every_step(&shared, &backup)));

    let total: usize = points.iter().map(|(_, n)| n).sum();
    eprintln!(
        "{total} injection points in {} flows, all recovered: {points:?}",
        points.len()
    );
    assert!(points.iter().all(|(_, n)| *n > 0), "{points:?}");
}

/// The visit note, saved the way the note editor saves it (the store's own method, in this
/// process, on the share), with an I/O error at every read, write and sync of the save in turn.
/// The typed text is the editor's to keep: after a failed save the same text is saved again, and
/// what is stored is exactly what was typed.
#[test]
fn a_note_save_recovers_from_an_io_error_at_every_step_and_keeps_what_was_typed() {
    use ptclinic::db::Who;
    use ptclinic::db::visit_notes::VisitNote;
    let Some(shared) = SharedClinic::small() else {
        return;
    };
    let server = shared.on_server();
    // Visits without a note yet, read on the server's side: one for each attempt.
    let visits: Vec<i64> = {
        let conn = rusqlite::Connection::open(&server).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT id FROM appointments WHERE id NOT IN (SELECT appointment_id FROM visit_notes)
                 ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut db = ptclinic::db::open_existing(&shared.clinic.db).expect("open through the share");
    let who = Who {
        user: "amehta",
        at: "2026-11-27T10:00:00",
    };
    let typed = |i: usize| VisitNote {
        subjective: format!("Knee sore after stairs, attempt {i}"),
        objective: "Flexion 110°, extension −5°".into(),
        assessment: "Improving".into(),
        plan: "Progress to step-ups".into(),
        procedures: vec![ptclinic::domain::billing::ProcedureLine::minutes(
            "97110", 23,
        )],
        is_progress_report: false,
    };
    let stored = |id: i64| -> Option<String> {
        rusqlite::Connection::open(&server)
            .unwrap()
            .query_row(
                "SELECT subjective FROM visit_notes WHERE appointment_id = ?1",
                [id],
                |r| r.get(0),
            )
            .ok()
    };
    // Each attempt a visit of its own, so that every save is a first one.
    let controls = &shared.share.controls;
    controls.reset_counts();
    db.save_visit_note(visits[0], None, &typed(0), Who { ..who })
        .expect("a clean save");
    let costs = controls.counts();
    let mut attempt = 0;
    let mut points = 0;
    for op in STEPS {
        for nth in 1..=costs.of(op) {
            attempt += 1;
            points += 1;
            let id = visits[attempt];
            let what = format!("note save: I/O error at {op:?} {nth}");
            controls.arm(Fault::IoError { op, nth });
            let saved = db.save_visit_note(id, None, &typed(attempt), Who { ..who });
            controls.disarm();
            assert_eq!(integrity(&server), "ok", "{what}");
            match saved {
                Ok(_) => assert_eq!(stored(id), Some(typed(attempt).subjective), "{what}"),
                Err(e) => {
                    assert_eq!(stored(id), None, "{what}: failed, yet stored");
                    assert_eq!(e.message.lines().count(), 1, "{what}: {}", e.message);
                    db.save_visit_note(id, None, &typed(attempt), Who { ..who })
                        .unwrap_or_else(|e| panic!("{what}: the retry: {}", e.message));
                    assert_eq!(stored(id), Some(typed(attempt).subjective), "{what}");
                }
            }
        }
    }
    eprintln!("{points} injection points in a note save, all recovered");
    assert!(points > 0);
}

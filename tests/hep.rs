//! Home exercise programs in the record: saves are new versions with audit rows, a stale save
//! writes nothing, templates, adherence (and its flag), handouts, and the CLI commands.

mod common;

use chrono::NaiveDate;
use ptclinic::db::Who;
use ptclinic::db::hep::SaveOutcome;
use ptclinic::db::{self, Db};
use ptclinic::domain::flags::THRESHOLDS;
use ptclinic::domain::hep::{ProgramItem, Side};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn demo_db() -> (tempfile::TempDir, Db) {
    common::small_demo_db(40)
}

/// The demo's assistant: programs and adherence are a clinician's to record.
fn who(at: &str) -> Who<'_> {
    Who {
        user: common::DEMO_ASSISTANT,
        at,
    }
}

fn audit_rows(db: &Db, action: &str) -> Vec<(Option<i64>, String, String)> {
    db.audit_log(&ptclinic::db::audit::AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| (r.entity_id, r.user, r.summary))
        .collect()
}

fn a_patient(db: &Db) -> i64 {
    ptclinic::db::testing::patient_ids(db).unwrap()[0]
}

fn item(db: &Db, name: &str) -> ProgramItem {
    let e = db
        .exercises()
        .unwrap()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap();
    ProgramItem::from_exercise(&e)
}

#[test]
fn a_save_is_a_new_version_and_earlier_versions_are_kept() {
    let (_dir, mut db) = demo_db();
    let patient = a_patient(&db);
    let before = db.hep_program(patient, None).unwrap();
    let mut items = vec![item(&db, "Straight leg raise"), item(&db, "Quad set")];
    items[0].dosage.side = Some(Side::Left);
    items[0].dosage.load = Some("1 kg".into());
    items[1].note = Some("Towel under the knee".into());
    let out = db
        .hep_save(
            patient,
            before.version_no,
            &items,
            who("2026-11-27T10:00:00"),
        )
        .unwrap();
    let SaveOutcome::Saved(v) = out else {
        panic!("{out:?}")
    };
    assert_eq!(v.version_no, before.version_no + 1);
    let now = db.hep_program(patient, None).unwrap();
    assert_eq!(now.items, items);
    // The earlier version is still there, unchanged.
    if before.version_no > 0 {
        let old = db.hep_program(patient, Some(before.version_no)).unwrap();
        assert_eq!(old, before);
    }
    let versions = db.hep_versions(patient).unwrap();
    assert_eq!(versions[0].version_no, v.version_no);
    assert_eq!(versions[0].exercises, 2);
    let rows = audit_rows(&db, "hep.save");
    let (entity, user, summary) = rows.last().unwrap();
    assert_eq!(
        (*entity, user.as_str()),
        (Some(patient), common::DEMO_ASSISTANT)
    );
    assert!(summary.contains("\"exercises\":2"), "{summary}");
    assert!(
        !summary.contains("Towel"),
        "no clinical free text: {summary}"
    );

    // A save based on the old version is stale: nothing written, the newer one named.
    let stale = db
        .hep_save(
            patient,
            before.version_no,
            &items[..1],
            who("2026-11-27T10:01:00"),
        )
        .unwrap();
    assert!(matches!(stale, SaveOutcome::Stale(ref l) if l.version_no == v.version_no));
    assert_eq!(db.hep_versions(patient).unwrap().len(), versions.len());
    assert_eq!(audit_rows(&db, "hep.save").len(), rows.len());
}

#[test]
fn templates_are_seeded_saved_and_replaced() {
    let (_dir, mut db) = demo_db();
    let names: Vec<String> = db
        .hep_templates()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for seeded in [
        "ACL reconstruction phase 1",
        "Lumbar stabilisation starter",
        "Rotator cuff early strengthening",
    ] {
        assert!(names.iter().any(|n| n == seeded), "{names:?}");
    }
    let items = vec![item(&db, "Bridge"), item(&db, "Clamshell")];
    let t = db
        .hep_save_template("Hip starter", &items, who("2026-11-27T10:00:00"))
        .unwrap();
    assert_eq!(t.items.len(), 2);
    let t2 = db
        .hep_save_template("Hip starter", &items[..1], who("2026-11-27T10:05:00"))
        .unwrap();
    assert_eq!(t2.id, t.id);
    let all = db.hep_templates().unwrap();
    let hip = all.iter().find(|x| x.name == "Hip starter").unwrap();
    assert_eq!(hip.items.len(), 1);
    assert_eq!(audit_rows(&db, "hep.template_save").len(), 2);
    assert!(
        db.hep_save_template("  ", &items, who("2026-11-27T10:06:00"))
            .is_err()
    );
}

#[test]
fn adherence_is_recorded_with_its_audit_row_and_low_raises_the_flag() {
    let (_dir, mut db) = demo_db();
    let patient = a_patient(&db);
    db.record_adherence(patient, today(), 2, 7, who("2026-11-27T10:00:00"))
        .unwrap();
    let reports = db.adherence_reports(patient, None).unwrap();
    let last = reports.last().unwrap();
    assert_eq!(
        (last.done, last.prescribed, last.reported_on),
        (2, 7, today())
    );
    assert!(last.is_low(&THRESHOLDS));
    let rows = audit_rows(&db, "adherence.record");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, Some(patient));
    let progress = db.progress(patient, today()).unwrap().unwrap();
    let flagged = format!("{progress:?}");
    assert!(flagged.contains("AdherenceLow"), "adherence_low is raised");
    // Refused before anything is written.
    assert!(
        db.record_adherence(patient, today(), 9, 7, who("x"))
            .is_err()
    );
    assert!(
        db.record_adherence(patient, today(), 1, 0, who("x"))
            .is_err()
    );
    assert_eq!(audit_rows(&db, "adherence.record").len(), 1);
}

#[test]
fn the_cli_lists_exercises_and_exports_the_handout() {
    let clinic = common::Clinic::demo();
    let out = clinic.cli(&["exercises", "--search", "slr", "--json", "--limit", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["name"], "Straight leg raise");
    for key in ["id", "name", "region", "category", "equipment"] {
        assert!(rows[0].get(key).is_some(), "{key}");
    }
    assert!(rows.as_array().unwrap().len() <= 3);
    let knee = clinic.cli(&["exercises", "--region", "knee", "--json"]);
    let knee: serde_json::Value = serde_json::from_slice(&knee.stdout).unwrap();
    assert!(
        knee.as_array()
            .unwrap()
            .iter()
            .all(|r| r["region"] == "knee")
    );
    assert_eq!(
        clinic.cli(&["exercises", "--region", "toe"]).status.code(),
        Some(2)
    );

    let unknown = clinic.cli(&["export", "hep", "--patient", "NOPE-1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no patient with MRN NOPE-1"));

    // A demo patient with a program.
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let mrn: String = conn
        .query_row(
            "SELECT p.mrn FROM patients p JOIN hep_programs h ON h.patient_id = p.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let text = clinic.cli(&["export", "hep", "--patient", &mrn]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("(MRN {mrn})")), "{text}");
    assert!(text.contains("Mon  Tue  Wed"));
    let file = clinic.sub("handout.html");
    let html = clinic.cli(&[
        "export",
        "hep",
        "--patient",
        &mrn,
        "--format",
        "html",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(html.status.success());
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("@page"));
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let exports: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'export.hep'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(exports, 2);
}

/// Pane 3's handout: the database thread reads what it says, the screen's side writes the file
/// beside its place, and only then is the disclosure audited and the file put in place.
#[test]
fn the_builders_handout_is_staged_before_its_audit_row_and_placed_after_it() {
    use ptclinic::db::program_work::{ProgramReply, ProgramRequest};
    use ptclinic::db::worker::{Reply, Request, Worker};
    let (dir, db) = demo_db();
    let patient = ptclinic::db::testing::patient_ids(&db)
        .unwrap()
        .into_iter()
        .find(|id| db.hep_handout(*id, today()).unwrap().is_some())
        .expect("a patient with a saved program");
    let user = db
        .staff()
        .unwrap()
        .into_iter()
        .find_map(|s| s.username)
        .unwrap();
    let out = dir.path().join("handouts");
    let mut worker = Worker::new(db, user, ptclinic::clock::Clock::fixed(today()));
    let ask = |worker: &mut Worker, r: ProgramRequest| match worker.handle(Request::Program(r)) {
        Reply::Program(reply) => reply,
        other => panic!("{other:?}"),
    };
    let ready = ask(
        &mut worker,
        ProgramRequest::Handout {
            patient_id: patient,
            today: today(),
            to: ptclinic::db::program_work::HandoutTo::File(Some(out.clone())),
        },
    );
    let ProgramReply::HandoutReady { data, .. } = ready else {
        panic!("{ready:?}")
    };
    assert!(!out.exists(), "the database thread writes no file");
    let staged = ptclinic::export::handout::stage_html(&data, Some(&out), today()).unwrap();
    let file = staged.path().to_path_buf();
    assert!(!file.exists(), "staged beside its place, not in it");
    let written = ask(
        &mut worker,
        ProgramRequest::HandoutStaged {
            patient_id: patient,
            version_no: data.version_no,
            exercises: data.items.len(),
            file: ptclinic::files::StagedFile::new(staged),
        },
    );
    assert!(
        matches!(written, ProgramReply::HandoutWritten { .. }),
        "{written:?}"
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains(&data.mrn));
    drop(worker);
    let db = db::open_existing(&dir.path().join("clinic.db")).unwrap();
    let audited = audit_rows(&db, "export.hep");
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].0, Some(patient));
}

/// The handout names the therapist of record (who last evaluated the patient), never whoever
/// saved the program: here the assistant, who may change a program and is nobody's therapist
/// of record.
#[test]
fn the_handout_names_the_therapist_of_record_not_who_saved_it() {
    use ptclinic::domain::{AppointmentStatus, Role, VisitKind};
    let (_dir, mut db) = demo_db();
    let staff = db.staff().unwrap();
    let assistant = staff.iter().find(|s| s.role == Role::Assistant).unwrap();
    let assistant_user = assistant.username.clone().unwrap();
    let (patient, evaluator) = ptclinic::db::testing::patient_ids(&db)
        .unwrap()
        .into_iter()
        .find_map(|id| {
            let visits = ptclinic::db::testing::visits_of_patient(&db, id).unwrap();
            let eval = visits
                .iter()
                .filter(|v| {
                    v.kind == VisitKind::Evaluation
                        && matches!(
                            v.status,
                            AppointmentStatus::Completed | AppointmentStatus::CheckedIn
                        )
                        && v.start.date() <= today()
                })
                .max_by_key(|v| v.start)?;
            Some((id, eval.therapist_name.clone()))
        })
        .expect("a patient evaluated before today");
    let before = db.hep_program(patient, None).unwrap();
    let saved = db
        .hep_save(
            patient,
            before.version_no,
            &[item(&db, "Quad set")],
            Who {
                user: &assistant_user,
                at: "2026-11-27T10:00:00",
            },
        )
        .unwrap();
    assert!(matches!(saved, SaveOutcome::Saved(_)));
    let handout = db.hep_handout(patient, today()).unwrap().unwrap();
    assert_eq!(handout.therapist, evaluator);
    assert_ne!(handout.therapist, assistant.name);
}

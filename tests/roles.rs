//! Roles in the store, for the changes only the app makes (notes, programs, adherence, booking,
//! registering, PINs): each is refused for each role it is not for, with the sentence naming
//! the role needed and nothing written, and allowed for the roles it is for.

mod common;

use chrono::NaiveDate;
use ptclinic::db::testing::{self, Table};
use ptclinic::db::visit_notes::VisitNote;
use ptclinic::db::{self, Db, Who};
use ptclinic::domain::hep::ProgramItem;
use ptclinic::domain::patient::NewPatient;
use ptclinic::domain::{AppointmentStatus, Role, VisitKind};
use ptclinic::error::{AppResult, ErrorKind};

const AT: &str = "2026-11-27T10:00:00";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn demo_db() -> (tempfile::TempDir, Db) {
    common::small_demo_db(40)
}

/// Who a change is made as: a demo user of each role ("walkin" is not on the staff, so the
/// demo takes them for its front desk).
fn users(db: &Db) -> [(Role, String); 4] {
    let therapist = db
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.role == Role::Therapist)
        .and_then(|s| s.username)
        .unwrap();
    [
        (Role::Therapist, therapist),
        (Role::Assistant, common::DEMO_ASSISTANT.into()),
        (Role::FrontDesk, "walkin".into()),
        (Role::Admin, common::DEMO_ADMIN.into()),
    ]
}

type Change = Box<dyn Fn(&mut Db, &str) -> AppResult<()>>;

struct Case {
    what: &'static str,
    change: Change,
    allowed: &'static [Role],
    needs: &'static str,
    /// The table the change writes to, besides the audit log.
    table: Table,
}

fn cases(db: &Db) -> Vec<Case> {
    let day = db.day(today()).unwrap();
    // Visits an assistant may document: not evaluations, whose notes are a therapist's.
    let mut open = day
        .iter()
        .filter(|v| v.status == AppointmentStatus::Scheduled)
        .filter(|v| !matches!(v.kind, VisitKind::Evaluation | VisitKind::ReEvaluation))
        .filter(|v| db.visit_note(v.id).unwrap().is_none());
    let (note_visit, report_visit, signed_visit) = (
        open.next().unwrap().id,
        open.next().unwrap().id,
        open.next().unwrap().id,
    );
    let patient = day[0].patient_id;
    let therapist_id = day[0].therapist_id;
    let exercise = db.exercises().unwrap().into_iter().next().unwrap();
    let item = ProgramItem::from_exercise(&exercise);
    let note = |progress: bool| VisitNote {
        assessment: "Tolerated the session well.".into(),
        is_progress_report: progress,
        ..VisitNote::default()
    };
    let items = vec![item];
    let items2 = items.clone();
    vec![
        Case {
            what: "a visit note",
            change: Box::new(move |db, user| {
                db.save_visit_note(note_visit, None, &note(false), who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist, Role::Assistant],
            needs: "writing a visit note needs a therapist or an assistant",
            table: Table::VisitNotes,
        },
        Case {
            what: "a note marked as the progress report",
            change: Box::new(move |db, user| {
                db.save_visit_note(report_visit, None, &note(true), who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist],
            needs: "writing a progress report needs a therapist",
            table: Table::VisitNotes,
        },
        Case {
            what: "signing a draft marked as the progress report",
            change: Box::new(move |db, user| {
                db.sign_visit_note(signed_visit, None, Some(&note(true)), who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist],
            needs: "writing a progress report needs a therapist",
            table: Table::VisitNotes,
        },
        Case {
            what: "a home program",
            change: Box::new(move |db, user| {
                let based_on = db.hep_program(patient, None)?.version_no;
                db.hep_save(patient, based_on, &items, who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist, Role::Assistant],
            needs: "changing a home exercise program needs a therapist or an assistant",
            table: Table::HepPrograms,
        },
        Case {
            what: "a program template",
            change: Box::new(move |db, user| {
                db.hep_save_template("Knee week one", &items2, who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist, Role::Assistant],
            needs: "changing a home exercise program needs a therapist or an assistant",
            table: Table::HepPrograms,
        },
        Case {
            what: "adherence",
            change: Box::new(move |db, user| {
                db.record_adherence(patient, today(), 3, 5, who(user))
                    .map(|_| ())
            }),
            allowed: &[Role::Therapist, Role::Assistant],
            needs: "recording home-exercise adherence needs a therapist or an assistant",
            table: Table::AdherenceReports,
        },
        Case {
            what: "registering a patient",
            change: Box::new(move |db, user| {
                let p = NewPatient {
                    first_name: "Ada".into(),
                    last_name: "Okafor".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(1961, 4, 2).unwrap(),
                    phone: None,
                    payer: None,
                    diagnosis_code: None,
                    diagnosis: None,
                    body_region: None,
                };
                db.register_patient(&p, user, AT).map(|_| ())
            }),
            allowed: &[Role::FrontDesk, Role::Admin],
            needs: "registering or editing a patient needs the front desk or an admin",
            table: Table::Patients,
        },
        Case {
            what: "booking",
            change: Box::new(move |db, user| {
                let b = db::schedule::Booking {
                    patient_id: patient,
                    therapist_id,
                    start: today().and_hms_opt(19, 0, 0).unwrap(),
                    minutes: 30,
                    kind: VisitKind::Treatment,
                    site_id: 1,
                };
                db.book(&b, who(user)).map(|_| ())
            }),
            allowed: &[
                Role::Therapist,
                Role::Assistant,
                Role::FrontDesk,
                Role::Admin,
            ],
            needs: "",
            table: Table::Appointments,
        },
    ]
}

fn who(user: &str) -> Who<'_> {
    Who { user, at: AT }
}

#[test]
fn each_change_is_refused_for_each_role_it_is_not_for_and_nothing_is_written() {
    let (_dir, mut db) = demo_db();
    let users = users(&db);
    let mut refused = 0;
    for case in cases(&db) {
        for (role, user) in users.iter().filter(|(r, _)| !case.allowed.contains(r)) {
            let rows = testing::rows(&db, case.table).unwrap();
            let audit = testing::rows(&db, Table::AuditLog).unwrap();
            let err = (case.change)(&mut db, user).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Forbidden, "{} as {role:?}", case.what);
            assert!(
                err.message.starts_with(case.needs),
                "{} as {role:?}: {}",
                case.what,
                err.message
            );
            assert!(!err.message.contains('\n'));
            assert_eq!(testing::rows(&db, case.table).unwrap(), rows);
            assert_eq!(testing::rows(&db, Table::AuditLog).unwrap(), audit);
            refused += 1;
        }
        let mut allowed = users.iter().filter(|(r, _)| case.allowed.contains(r));
        // The first role it is for makes it…
        let (role, user) = allowed.next().unwrap();
        let audit = testing::rows(&db, Table::AuditLog).unwrap();
        if let Err(e) = (case.change)(&mut db, user) {
            panic!("{} as {role:?}: {}", case.what, e.message);
        }
        assert!(testing::rows(&db, Table::AuditLog).unwrap() > audit);
        // …and the others are not refused for their role (a second note on the same visit is
        // a conflict instead).
        for (role, user) in allowed {
            if let Err(e) = (case.change)(&mut db, user) {
                assert_ne!(e.kind, ErrorKind::Forbidden, "{} as {role:?}", case.what);
            }
        }
    }
    assert_eq!(refused, 2 + 3 + 3 + 2 + 2 + 2 + 2);
}

#[test]
fn a_pin_is_ones_own_to_set_and_anyone_elses_is_an_admins() {
    let (_dir, mut db) = demo_db();
    let [(_, therapist), ..] = users(&db);
    let staff = db.staff().unwrap();
    let me = staff.iter().find(|s| s.is_user(&therapist)).unwrap();
    let pta = staff
        .iter()
        .find(|s| s.is_user(common::DEMO_ASSISTANT))
        .unwrap();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    db.set_pin(me, hash, who(&therapist)).unwrap();
    let audit = testing::rows(&db, Table::AuditLog).unwrap();
    let err = db.set_pin(pta, hash, who(&therapist)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(
        err.message
            .starts_with("changing the staff list needs an admin"),
        "{}",
        err.message
    );
    assert_eq!(testing::rows(&db, Table::AuditLog).unwrap(), audit);
    db.set_pin(pta, hash, who(common::DEMO_ADMIN)).unwrap();
}

/// The app itself, in a pseudo-terminal: the demo says whom it takes a walk-in user for.
#[test]
fn the_app_says_the_demo_takes_an_unknown_user_for_its_front_desk() {
    let clinic = common::Clinic::demo();
    let staff: serde_json::Value =
        serde_json::from_slice(&clinic.cli(&["staff", "list", "--json"]).stdout).unwrap();
    let desk = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "front_desk")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let mut s = common::Session::start_with(&clinic, "walkin", &[], (24, 100));
    s.wait_for_text(&format!("demo: acting as front desk ({desk})"));
    s.send("q");
    assert!(s.wait_exit().success());
}

/// An assistant treats under the therapist's plan but does not evaluate (BPM ch. 15 §230.1):
/// the note of an evaluation is refused to them, saved or signed, and nothing is written.
#[test]
fn an_evaluations_note_is_the_therapists() {
    let (_dir, mut db) = demo_db();
    let [(_, therapist), (_, assistant), ..] = users(&db);
    let visit = db.day(today()).unwrap()[0].clone();
    let booked = db
        .book(
            &db::schedule::Booking {
                patient_id: visit.patient_id,
                therapist_id: visit.therapist_id,
                start: today().and_hms_opt(19, 0, 0).unwrap(),
                minutes: 60,
                kind: VisitKind::Evaluation,
                site_id: 1,
            },
            who(common::DEMO_ADMIN),
        )
        .unwrap();
    let note = VisitNote {
        assessment: "Impairments consistent with the referral diagnosis.".into(),
        ..VisitNote::default()
    };
    let rows = testing::rows(&db, Table::VisitNotes).unwrap();
    let save = db.save_visit_note(booked.id, None, &note, who(&assistant));
    let sign = db.sign_visit_note(booked.id, None, Some(&note), who(&assistant));
    for refused in [save.unwrap_err(), sign.unwrap_err()] {
        assert_eq!(refused.kind, ErrorKind::Forbidden);
        assert!(
            refused
                .message
                .starts_with("documenting an evaluation or a re-evaluation needs a therapist"),
            "{}",
            refused.message
        );
    }
    assert_eq!(testing::rows(&db, Table::VisitNotes).unwrap(), rows);
    db.sign_visit_note(booked.id, None, Some(&note), who(&therapist))
        .unwrap();
    assert!(db.visit_note(booked.id).unwrap().is_some());
}

//! Patient progress: compliance flags on the day's schedule built from small records written
//! with SQL, and `record` + `report progress` through the real binary.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use ptclinic::db::audit::AuditQuery;
use ptclinic::db::staff::NewStaff;
use ptclinic::db::testing::{self, Table, at};
use ptclinic::db::{self, Db};
use ptclinic::domain::Role;
use ptclinic::domain::bulk::{
    DemoAdherence, DemoAuthorization, DemoNote, DemoPatient, DemoPlan, DemoVisit, PatientDetails,
};
use ptclinic::domain::{AppointmentStatus, VisitKind};
use serde_json::Value;

mod common;

use common::{EnvDirs, TODAY, assert_code, ptclinic, stderr, stdout};

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An empty clinic record with one therapist.
fn clinic(path: &Path) -> Db {
    db::build_new_file(path, db::Existing::Keep("a test record"), |db| {
        testing::seed(db, |w| {
            w.staff(&NewStaff {
                name: "Ana Ruiz".into(),
                initials: "AR".into(),
                role: Role::Therapist,
                username: Some("aruiz".into()),
                credentials: None,
            })
        })
        .map(|_| ())
    })
    .unwrap();
    db::open_existing(path).unwrap()
}

struct PatientSpec<'a> {
    mrn: &'a str,
    first: &'a str,
    authorized: Option<i64>,
    auth_end: Option<NaiveDate>,
    poc_end: Option<NaiveDate>,
}

fn add_patient(db: &Db, p: &PatientSpec, poc_start: NaiveDate) -> i64 {
    let patient = DemoPatient {
        details: PatientDetails {
            mrn: p.mrn.into(),
            first_name: p.first.into(),
            last_name: "Test".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1960, 5, 1).unwrap(),
            phone: None,
            email: None,
            payer: Some("Medicare".into()),
            diagnosis_code: None,
            diagnosis: None,
            body_region: None,
            plan: None,
            authorization: None,
        },
        active: true,
        created_at: at(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 8, 0),
    };
    let made = at(poc_start, 8, 0);
    testing::seed(db, |w| {
        let id = w.patient(&patient)?;
        // A certified plan from `poc_start` to `poc_end`, and an authorisation of the visits
        // from `poc_start` to `auth_end` (or well after today).
        if let Some(ends_on) = p.poc_end {
            w.plan(&DemoPlan {
                patient_id: id,
                starts_on: poc_start,
                ends_on,
                visits_per_week: 2,
                weeks: 6,
                physician: Some("Dr. Ada Park"),
                certified_on: Some(poc_start),
                recertifies: None,
                region: None,
                created_by: "aruiz",
                created_at: made,
            })?;
        }
        if let Some(visits) = p.authorized {
            w.authorization(&DemoAuthorization {
                patient_id: id,
                payer: "Medicare",
                reference: None,
                starts_on: poc_start,
                ends_on: p.auth_end.unwrap_or(today() + Duration::days(60)),
                visits,
                created_by: "aruiz",
                created_at: made,
            })?;
        }
        Ok(id)
    })
    .unwrap()
}

/// Books (kind, status) visits at 09:00 on each of `days` days before today (0 = today).
fn add_visits(db: &Db, patient: i64, visits: &[(i64, &str, &str)]) -> Vec<i64> {
    visits
        .iter()
        .map(|&(days_ago, kind, status)| {
            let visit = DemoVisit {
                patient_id: patient,
                therapist_id: 1,
                start: at(today() - Duration::days(days_ago), 9, 0),
                minutes: 45,
                kind: VisitKind::parse(kind).unwrap(),
                status: AppointmentStatus::parse(status).unwrap(),
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
                room: None,
                created_at: at(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 8, 0),
            };
            testing::seed(db, |w| w.visit(&visit)).unwrap()
        })
        .collect()
}

/// A progress report's note on a visit, written at six in the evening of `on`.
fn progress_note(db: &Db, visit: i64, on: NaiveDate) {
    let note = DemoNote {
        appointment_id: visit,
        subjective: "",
        objective: "",
        assessment: "",
        plan: "",
        timed_minutes: None,
        is_progress_report: true,
        author: "aruiz",
        updated_at: at(on, 18, 0),
        signed: false,
    };
    testing::seed(db, |w| w.note(&note)).unwrap();
}

fn flags_today(db: &Db, patient: i64) -> Vec<String> {
    db.day(today())
        .unwrap()
        .into_iter()
        .find(|v| v.patient_id == patient)
        .expect("a visit today")
        .flags
}

/// Evaluation 20 days ago, then `n` completed treatments on the following days.
fn episode(n: i64) -> Vec<(i64, &'static str, &'static str)> {
    let mut v = vec![(20, "evaluation", "completed")];
    v.extend((0..n).map(|i| (19 - i, "treatment", "completed")));
    v
}

fn plain<'a>(mrn: &'a str) -> PatientSpec<'a> {
    PatientSpec {
        mrn,
        first: "Pat",
        authorized: None,
        auth_end: None,
        poc_end: None,
    }
}

#[test]
fn progress_note_due_on_the_tenth_treatment_day_across_visit_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let db = clinic(&dir.path().join("c.db"));
    let start = today() - Duration::days(20);

    // Evaluation + 8 treatments + today = day 10.
    let a = add_patient(&db, &plain("A1"), start);
    let mut v = episode(8);
    v.push((0, "treatment", "scheduled"));
    add_visits(&db, a, &v);
    assert_eq!(flags_today(&db, a), ["progress_note_due"]);

    // A no-show and a cancellation do not count: today is day 9.
    let b = add_patient(&db, &plain("B1"), start);
    let mut v = episode(8);
    v[3].2 = "no_show";
    v[4].2 = "cancelled";
    v.push((0, "treatment", "scheduled"));
    add_visits(&db, b, &v);
    assert!(flags_today(&db, b).is_empty());

    // A re-evaluation or a discharge on day 5 restarts the count: today is day 5.
    for (mrn, ender) in [("C2", "re_evaluation"), ("C3", "discharge")] {
        let c = add_patient(&db, &plain(mrn), start);
        let mut v = episode(8);
        v[4].1 = ender;
        v.push((0, "treatment", "scheduled"));
        add_visits(&db, c, &v);
        assert!(flags_today(&db, c).is_empty(), "{ender}");
    }
    // A progress visit on day 5 restarts it only once its note is marked as the report: the
    // kind says what was planned, the note what was written.
    let c = add_patient(&db, &plain("C1"), start);
    let mut v = episode(8);
    v[4].1 = "progress";
    v.push((0, "treatment", "scheduled"));
    let ids = add_visits(&db, c, &v);
    assert_eq!(flags_today(&db, c), ["progress_note_due"]);
    progress_note(&db, ids[4], NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    assert!(flags_today(&db, c).is_empty());

    // A note marked as progress report on a treatment visit does the same.
    let d = add_patient(&db, &plain("D1"), start);
    let mut v = episode(8);
    v.push((0, "treatment", "checked_in"));
    let ids = add_visits(&db, d, &v);
    assert_eq!(flags_today(&db, d), ["progress_note_due"]);
    progress_note(&db, ids[3], NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    assert!(flags_today(&db, d).is_empty());

    // Today's progress visit is where the report is due: flagged until its note is marked.
    let e = add_patient(&db, &plain("E1"), start);
    let mut v = episode(8);
    v.push((0, "progress", "checked_in"));
    let ids = add_visits(&db, e, &v);
    assert_eq!(flags_today(&db, e), ["progress_note_due"]);
    progress_note(&db, ids[9], NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    assert!(flags_today(&db, e).is_empty());

    // A new evaluation after a discharge starts a new episode.
    let f = add_patient(&db, &plain("F1"), start);
    let mut v = episode(12);
    v[10].1 = "discharge";
    v[11].1 = "evaluation";
    v.push((0, "treatment", "scheduled"));
    add_visits(&db, f, &v);
    assert!(flags_today(&db, f).is_empty());
}

#[test]
fn plan_of_care_authorisation_reevaluation_and_adherence_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = clinic(&dir.path().join("c.db"));
    let start = today() - Duration::days(20);
    let short = |mrn, spec: PatientSpec<'static>| PatientSpec { mrn, ..spec };
    let v = || {
        let mut v = episode(3);
        v.push((0, "treatment", "scheduled"));
        v
    };

    let p = add_patient(
        &db,
        &short(
            "P1",
            PatientSpec {
                poc_end: Some(today() + Duration::days(7)),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert_eq!(flags_today(&db, p), ["poc_ending"]);
    let p = add_patient(
        &db,
        &short(
            "P2",
            PatientSpec {
                poc_end: Some(today() + Duration::days(8)),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert!(flags_today(&db, p).is_empty());
    let p = add_patient(
        &db,
        &short(
            "P3",
            PatientSpec {
                poc_end: Some(today() - Duration::days(1)),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert_eq!(flags_today(&db, p), ["poc_expired"]);

    // Today is visit 5 of the plan of care.
    let p = add_patient(
        &db,
        &short(
            "Q1",
            PatientSpec {
                authorized: Some(7),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert_eq!(flags_today(&db, p), ["auth_low"]);
    let p = add_patient(
        &db,
        &short(
            "Q2",
            PatientSpec {
                authorized: Some(8),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert!(flags_today(&db, p).is_empty());
    let p = add_patient(
        &db,
        &short(
            "Q3",
            PatientSpec {
                authorized: Some(4),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert_eq!(flags_today(&db, p), ["auth_exceeded"]);
    let p = add_patient(
        &db,
        &short(
            "Q4",
            PatientSpec {
                authorized: Some(20),
                auth_end: Some(today() - Duration::days(1)),
                ..plain("")
            },
        ),
        start,
    );
    add_visits(&db, p, &v());
    assert_eq!(flags_today(&db, p), ["auth_exceeded"]);

    // Re-evaluation: 30 days after the evaluation by default; the record can change it.
    let r = add_patient(&db, &plain("R1"), today() - Duration::days(30));
    add_visits(
        &db,
        r,
        &[
            (30, "evaluation", "completed"),
            (0, "treatment", "scheduled"),
        ],
    );
    assert_eq!(flags_today(&db, r), ["reeval_due"]);
    testing::seed(&db, |w| w.meta("reeval_days", "45")).unwrap();
    assert!(flags_today(&db, r).is_empty());
    assert_eq!(db.thresholds().unwrap().reeval_days, Some(45));
    testing::seed(&db, |w| w.meta("reeval_days", "0")).unwrap();
    assert_eq!(db.thresholds().unwrap().reeval_days, None);

    // Adherence: the latest report counts.
    let h = add_patient(&db, &plain("H1"), start);
    add_visits(&db, h, &v());
    let report = |on: NaiveDate, done: i64| {
        let entry = DemoAdherence {
            patient_id: h,
            appointment_id: None,
            reported_on: on,
            sessions_done: done,
            sessions_prescribed: 7,
            recorded_by: "aruiz",
        };
        testing::seed(&db, |w| w.adherence(&entry)).unwrap();
    };
    report(today() - Duration::days(10), 6);
    report(today() - Duration::days(3), 3);
    assert_eq!(flags_today(&db, h), ["adherence_low"]);
    report(today() - Duration::days(1), 4);
    assert!(flags_today(&db, h).is_empty());

    // The progress view carries the same flags for today's visit.
    let p = db.patient_by_mrn("Q3").unwrap().unwrap();
    let progress = db.progress(p.id, today()).unwrap().unwrap();
    assert_eq!(
        progress.flags,
        [ptclinic::domain::flags::Flag::AuthExceeded]
    );
    assert_eq!(progress.episode.visits_used, 4);
    assert_eq!(progress.episode.visit_number, Some(5));
    assert_eq!(progress.episode.visits_left, Some(0));
    let _ = &mut db;
}

fn audit_rows(db_path: &Path, action: &str) -> usize {
    let db = db::open_existing(db_path).unwrap();
    let all = db.audit_log(&AuditQuery::default()).unwrap();
    all.iter().filter(|r| r.action == action).count()
}

fn count(db_path: &Path, table: Table) -> i64 {
    let db = db::open_existing(db_path).unwrap();
    testing::rows(&db, table).unwrap()
}

#[test]
fn record_and_report_round_trip_through_the_binary() {
    let env = EnvDirs::new();
    let path = env.path("clinic.db");
    let db = clinic(&path);
    let p = add_patient(
        &db,
        &PatientSpec {
            mrn: "200001",
            first: "<b>Ann</b> & \u{202E}Co",
            authorized: Some(12),
            auth_end: None,
            poc_end: Some(today() + Duration::days(40)),
        },
        today() - Duration::days(20),
    );
    let ids = add_visits(
        &db,
        p,
        &[
            (20, "evaluation", "completed"),
            (0, "treatment", "checked_in"),
        ],
    );
    let note = DemoNote {
        appointment_id: ids[0],
        subjective: "",
        objective: "",
        assessment: "Improving <script>alert(1)</script>",
        plan: "",
        timed_minutes: None,
        is_progress_report: false,
        author: "aruiz",
        updated_at: at(NaiveDate::from_ymd_opt(2026, 11, 7).unwrap(), 18, 0),
        signed: false,
    };
    testing::seed(&db, |w| w.note(&note)).unwrap();
    drop(db);
    let db_arg = path.to_str().unwrap();
    let eval_day = ymd(today() - Duration::days(20));
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db_arg, "--user", "aruiz"];
        all.extend_from_slice(args);
        ptclinic(&env, &all)
    };

    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "NPRS",
        "--value",
        "7",
        "--date",
        &eval_day,
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).starts_with("Recorded NPRS 7 for MRN 200001"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "NPRS",
        "--value",
        "4",
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(&format!("visit {}", ids[1])),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("change −3"), "{}", stdout(&out));
    assert!(stdout(&out).contains("MCID met"), "{}", stdout(&out));

    // Refused values exit 2 with the valid range, and store nothing.
    let before = count(&path, Table::Measurements);
    let audit_before = count(&path, Table::AuditLog);
    for (measure, value, needle) in [
        ("NPRS", "11", "from 0 to 10"),
        ("NPRS", "4.5", "whole number from 0 to 10"),
        ("LEFS", "81", "from 0 to 80"),
        ("ODI", "-1", "from 0 to 100"),
        ("QuickDASH", "abc", "from 0 to 100"),
        ("ROM", "200", "JOINT MOTION SIDE"),
        ("KOOS", "50", "entered item by item"),
        ("KOOS-Hip", "50", "unknown measure"),
    ] {
        let out = run(&[
            "record",
            "--patient",
            "200001",
            "--measure",
            measure,
            "--value",
            value,
        ]);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(
            err.starts_with("ptclinic: ") && err.contains(needle),
            "{measure} {value}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(stdout(&out).is_empty());
    }
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ROM",
        "--value",
        "181",
        "--detail",
        "knee flexion right",
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("from -20 to 180 degrees"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ODI",
        "--items",
        "1,2,3,-,-,-,1,1,1,1",
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("at most 1 of 10 sections"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "record",
        "--patient",
        "999999",
        "--measure",
        "NPRS",
        "--value",
        "3",
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no patient with MRN"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "NPRS",
        "--value",
        "3",
        "--date",
        "2026-12-01",
    ]);
    assert_code(&out, 2);
    assert_eq!(count(&path, Table::Measurements), before);
    assert_eq!(count(&path, Table::AuditLog), audit_before);

    // Item by item, with a skipped section; ROM with its site; negative degrees.
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ODI",
        "--items",
        "3,2,2,2,2,2,1,1,1,-",
        "--date",
        &eval_day,
    ]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("ODI 35.6 %"), "{}", stdout(&out));
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ODI",
        "--value",
        "20",
    ]);
    assert_code(&out, 0);
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ROM",
        "--value",
        "-5",
        "--detail",
        "Knee extension R",
        "--date",
        &eval_day,
    ]);
    assert_code(&out, 0);
    let out = run(&[
        "record",
        "--patient",
        "200001",
        "--measure",
        "ROM",
        "--value",
        "0",
        "--detail",
        "knee extension right",
    ]);
    assert_code(&out, 0);
    let db = db::open_existing(&path).unwrap();
    let measured = testing::measurements(&db).unwrap();
    let odi = measured.iter().find(|m| m.code == "ODI").unwrap();
    let (items, appt) = (odi.items.clone(), odi.appointment_id);
    assert_eq!(items.as_deref(), Some("[3,2,2,2,2,2,1,1,1,null]"));
    assert_eq!(appt, Some(ids[0]));
    let detail: String = measured
        .iter()
        .find(|m| m.code == "ROM")
        .and_then(|m| m.detail.clone())
        .unwrap();
    assert_eq!(detail, "knee extension right");
    let audit: Vec<(String, String)> = db
        .audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "measurement.record")
        .map(|r| (r.action, r.summary))
        .collect();
    assert_eq!(audit.len(), 6);
    assert!(
        audit
            .iter()
            .all(|(_, d)| d.contains("\"patient_id\"") && !d.contains("knee"))
    );
    drop(db);

    // The report as JSON.
    let out = run(&[
        "report",
        "progress",
        "--patient",
        "200001",
        "--format",
        "json",
    ]);
    assert_code(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "authorizations",
            "expected",
            "flags",
            "goals",
            "measures",
            "patient",
            "plans_of_care"
        ]
    );
    assert_eq!(v["patient"]["mrn"], "200001");
    // The plan of care's certification and the authorisation's use, as the lists print them.
    let plans = v["plans_of_care"].as_array().unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0]["starts_on"], eval_day);
    assert_eq!(plans[0]["certified_on"], eval_day);
    assert_eq!(plans[0]["physician"], "Dr. Ada Park");
    let auths = v["authorizations"].as_array().unwrap();
    assert_eq!(
        (auths[0]["visits"].as_i64(), auths[0]["used"].as_i64()),
        (Some(12), Some(2))
    );
    let m = v["measures"].as_array().unwrap();
    let codes: Vec<&str> = m.iter().map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["NPRS", "ODI", "ROM"]);
    let nprs = &m[0];
    let mut nprs_keys: Vec<&str> = nprs
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    nprs_keys.sort();
    assert_eq!(
        nprs_keys,
        [
            "better",
            "change",
            "code",
            "initial",
            "latest",
            "mcid",
            "mcid_met",
            "mcid_status",
            "name",
            "unit",
            "values"
        ]
    );
    assert_eq!(nprs["better"], "lower");
    assert_eq!(nprs["initial"], 7.0);
    assert_eq!(nprs["latest"], 4.0);
    assert_eq!(nprs["change"], -3.0);
    assert_eq!(nprs["mcid"], 2.0);
    assert_eq!(nprs["mcid_met"], true);
    assert_eq!(nprs["mcid_status"], "met");
    assert_eq!(nprs["values"][0]["date"], eval_day.as_str());
    assert_eq!(nprs["values"][1]["value"], 4.0);
    assert_eq!(m[1]["change"], -15.6);
    assert_eq!(m[1]["mcid_met"], true);
    assert_eq!(m[1]["mcid_status"], "met");
    assert_eq!(m[2]["mcid_met"], Value::Null);
    assert_eq!(m[2]["mcid_status"], Value::Null);
    assert_eq!(m[2]["change"], 5.0);
    assert_eq!(m[2]["name"], "Range of motion: knee extension right");
    assert_eq!(v["flags"], serde_json::json!([]));
    assert_eq!(
        v["patient"]["latest_assessment"]["text"],
        "Improving <script>alert(1)</script>"
    );

    // Text, Markdown, HTML (escaped, self-contained) and to a file.
    let out = run(&["report", "progress", "--patient", "200001"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("Numeric Pain Rating Scale (NPRS)") && text.contains("MCID met"),
        "{text}"
    );
    assert!(!text.contains('\u{202E}'));
    let out = run(&[
        "report",
        "progress",
        "--patient",
        "200001",
        "--format",
        "markdown",
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("| Measure | Initial |"),
        "{}",
        stdout(&out)
    );
    let file = env.path("report.html");
    let out = run(&[
        "report",
        "progress",
        "--patient",
        "200001",
        "--format",
        "html",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_code(&out, 0);
    assert!(stdout(&out).is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<style>"));
    assert!(
        !html.contains("<script>") && !html.contains("<b>Ann"),
        "not escaped"
    );
    assert!(html.contains("&lt;b&gt;Ann&lt;/b&gt; &amp; Co"), "{html}");
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "self-contained"
    );

    // Every opening is audited; an unknown MRN is refused and not audited.
    assert_eq!(audit_rows(&path, "report.progress"), 4);
    let out = run(&["report", "progress", "--patient", "nope"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no patient with MRN"));
    assert_eq!(audit_rows(&path, "report.progress"), 4);
}

#[test]
fn the_demo_schedule_carries_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    ptclinic::demo::build(
        &path,
        false,
        &ptclinic::demo::DemoOptions::default(),
        today(),
    )
    .unwrap();
    let db = db::open_existing(&path).unwrap();
    let visits = db.day(today()).unwrap();
    let flagged = visits.iter().filter(|v| !v.flags.is_empty()).count();
    assert!(
        flagged > 0 && flagged < visits.len(),
        "{flagged} of {}",
        visits.len()
    );
    for v in &visits {
        for f in &v.flags {
            assert!(ptclinic::domain::flags::Flag::parse(f).is_some(), "{f}");
        }
    }
    // Demo progress visits fall on the tenth treatment day.
    assert!(
        visits
            .iter()
            .any(|v| v.flags.iter().any(|f| f == "progress_note_due"))
    );
}

/// The day's flags read each patient's visits only from the latest boundary of the current
/// episode on (issue 8: a day must not cost more in a clinic's tenth year). On five years of
/// returning patients, including episodes whose evaluation was missed, every visit's flags
/// must be exactly those the progress pane computes from the patient's whole history.
#[test]
fn the_days_flags_equal_those_from_each_patients_whole_history() {
    use ptclinic::domain::AppointmentStatus::{Cancelled, NoShow};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("years.db");
    let opts = ptclinic::demo::DemoOptions {
        therapists: 4,
        patients: 300,
        weeks_back: 260,
        weeks_ahead: 4,
        ..Default::default()
    };
    ptclinic::demo::build(&path, false, &opts, today()).unwrap();
    let db = db::open_existing(&path).unwrap();
    // Some patients without plans or authorisations, some authorisations starting after the
    // episode's evaluation (the history then reaches back to the authorisation's start only
    // when that is earlier than the episode's boundary), some overlapping, and payers that do
    // not count the evaluation. The edit is made as another tool would make it, on its own
    // connection to the file.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DELETE FROM goals WHERE plan_id IN
                 (SELECT id FROM plans_of_care WHERE patient_id % 3 = 0);
             DELETE FROM plans_of_care WHERE patient_id % 3 = 0;
             DELETE FROM authorizations WHERE patient_id % 5 = 0;
             UPDATE authorizations SET starts_on = date(starts_on, '+10 days')
                 WHERE patient_id % 7 = 1 AND date(starts_on, '+10 days') <= ends_on;
             UPDATE authorizations SET starts_on = date(starts_on, '-200 days')
                 WHERE patient_id % 7 = 2;
             INSERT INTO authorizations (patient_id, payer, starts_on, ends_on, visits,
                                         created_by, created_at)
                 SELECT patient_id, payer, date(ends_on, '-20 days'), date(ends_on, '+30 days'),
                        6, 'x', 'x'
                 FROM authorizations WHERE patient_id % 11 = 4;
             UPDATE payers SET evaluation_counts = 0 WHERE name IN ('Aetna', 'Medicare');",
        )
        .unwrap();
    let live = |v: &&ptclinic::domain::appointment::Visit| !matches!(v.status, Cancelled | NoShow);
    let (mut compared, mut flagged, mut returning) = (0, 0, 0);
    for offset in 0..10 {
        let day = today() + Duration::days(offset);
        let visits = db.day(day).unwrap();
        for v in visits.iter().filter(live) {
            // The progress pane speaks of one visit a day.
            if visits
                .iter()
                .filter(live)
                .filter(|o| o.patient_id == v.patient_id)
                .count()
                != 1
            {
                continue;
            }
            let progress = db.progress(v.patient_id, day).unwrap().unwrap();
            let whole: Vec<&str> = progress.flags.iter().map(|f| f.as_str()).collect();
            assert_eq!(v.flags, whole, "visit {} on {day}", v.id);
            compared += 1;
            flagged += usize::from(!v.flags.is_empty());
            let evaluations = testing::visits_of_patient(&db, v.patient_id)
                .unwrap()
                .iter()
                .filter(|a| a.kind == VisitKind::Evaluation && a.start.date() < day)
                .count();
            returning += usize::from(evaluations > 1);
        }
    }
    assert!(
        compared > 100 && flagged > 20 && returning > 20,
        "compared {compared}, flagged {flagged}, returning patients {returning}"
    );
}

/// `report progress --format letter` on the demo clinic: a letter to the patient in plain
/// words, from the clinic's name to the therapist's signature, that names no code, no diagnosis
/// and nothing from the notes; written privately with `--out` and audited like every format.
#[test]
fn the_progress_letter_speaks_to_the_patient_in_plain_words() {
    use ptclinic::domain::progress::MeasureStatus;
    let clinic = common::Clinic::demo();
    let db = db::open_existing(&clinic.db).unwrap();
    let mrns: Vec<String> = {
        let conn = rusqlite::Connection::open(&clinic.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT mrn FROM patients ORDER BY mrn")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // A patient whose pain fell by the MCID, with a diagnosis, a written assessment, goals and
    // a home program; and one not measured twice yet in this episode.
    let (mut improved, mut once) = (None, None);
    for mrn in &mrns {
        let patient = db.patient_by_mrn(mrn).unwrap().unwrap();
        let p = db.progress(patient.id, today()).unwrap().unwrap();
        let pain_met = p
            .measures
            .iter()
            .any(|m| m.def.code == "NPRS" && m.status == MeasureStatus::Met);
        if improved.is_none()
            && pain_met
            && patient.diagnosis_code.is_some()
            && p.latest_assessment.is_some()
            && p.goals.as_ref().is_some_and(|g| !g.goals.is_empty())
            && db.hep_handout(patient.id, today()).unwrap().is_some()
        {
            improved = Some((patient.clone(), p.latest_assessment.clone().unwrap().text));
        }
        if once.is_none()
            && p.episode.evaluation.is_some()
            && !p.measures.is_empty()
            && p.measures.iter().all(|m| m.points.len() == 1)
        {
            once = Some(patient.mrn.clone());
        }
    }
    let (patient, note) = improved.expect("the demo has a patient whose pain improved");
    let once = once.expect("the demo has a patient measured once");
    drop(db);

    let letter = |mrn: &str| {
        let out = clinic.cli(&["report", "progress", "--patient", mrn, "--format", "letter"]);
        assert_code(&out, 0);
        stdout(&out)
    };
    let before = audit_rows(&clinic.db, "report.progress");
    let text = letter(&patient.mrn);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.starts_with("Your physical therapy clinic\n27 November 2026\n"),
        "{text}"
    );
    assert!(
        flat.contains(&format!("Dear {},", patient.first_name)),
        "{text}"
    );
    assert!(flat.contains("Your pain went from "), "{text}");
    assert!(
        flat.contains("That is an improvement large enough to matter to you."),
        "{text}"
    );
    assert!(flat.contains("Your goals"), "{text}");
    assert!(
        flat.contains("Please keep doing your home exercises"),
        "{text}"
    );
    assert!(flat.contains("Kind regards,"), "{text}");
    let diagnosis_code = patient.diagnosis_code.clone().unwrap();
    let note_start: String = note.chars().take(30).collect();
    for never in [
        diagnosis_code.as_str(),
        patient.diagnosis.as_deref().unwrap_or("no diagnosis"),
        note_start.as_str(),
        patient.mrn.as_str(),
        patient.last_name.as_str(),
        patient.payer.as_deref().unwrap_or("no payer"),
        "NPRS",
        "MCID",
        "MDC",
        "Numeric Pain Rating Scale",
        "≤",
    ] {
        assert!(!text.contains(never), "{never:?} in\n{text}");
    }
    // The last line signs with the clinic's name, the one before with the therapist's.
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(lines[lines.len() - 1], "Your physical therapy clinic");
    assert_ne!(lines[lines.len() - 2], "Kind regards,", "a therapist signs");

    // The clinic's own name and phone, as the record holds them.
    rusqlite::Connection::open(&clinic.db)
        .unwrap()
        .execute(
            "UPDATE clinic_settings SET clinic_name = 'Riverside PT', clinic_phone = '(555) 010-2000' WHERE id = 1",
            [],
        )
        .unwrap();
    let text = letter(&patient.mrn);
    assert!(text.starts_with("Riverside PT\n"), "{text}");
    assert!(text.trim_end().ends_with("\nRiverside PT"), "{text}");
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("(555) 010-2000"),
        "{text}"
    );

    // Not measured twice yet: a short, honest letter.
    let short = letter(&once)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        short.contains(
            "We have not measured your progress twice yet, so there is nothing to compare so far."
        ),
        "{short}"
    );
    assert!(!short.contains("went from"), "{short}");

    // To a file: private, nothing on stdout, the same letter.
    let out_dir = clinic.sub("out");
    std::fs::create_dir(&out_dir).unwrap();
    let file = out_dir.join("letter.txt");
    let file_text = file.to_str().unwrap();
    let out = clinic
        .command_of(
            "sh",
            &[
                "-c",
                "umask 022 && exec \"$0\" \"$@\"",
                common::BIN,
                "report",
                "progress",
                "--patient",
                &patient.mrn,
                "--format",
                "letter",
                "--out",
                file_text,
            ],
        )
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("Wrote the progress letter"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a letter holds patient data");
    }

    // Each letter is audited as a view of the record, its format named; a refusal is not.
    assert_eq!(audit_rows(&clinic.db, "report.progress"), before + 4);
    let db = db::open_existing(&clinic.db).unwrap();
    let rows = db
        .audit_log(&AuditQuery {
            patient_id: Some(patient.id),
            ..Default::default()
        })
        .unwrap();
    let last = rows
        .iter()
        .rfind(|r| r.action == "report.progress")
        .unwrap();
    let detail: Value = serde_json::from_str(&last.summary).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({ "format": "letter", "to_file": true })
    );
    let out = clinic.cli(&[
        "report",
        "progress",
        "--patient",
        "nope",
        "--format",
        "letter",
    ]);
    assert_code(&out, 2);
    assert_eq!(audit_rows(&clinic.db, "report.progress"), before + 4);
}

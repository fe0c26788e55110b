//! The command line: goals of a plan of care (`goal add/list/assess`) with their status worked
//! out from the measures, the goals in the progress report, and the discharge with its summary.

use chrono::NaiveDate;
use ptclinic::db::testing::{self, Table, at};
use ptclinic::domain::bulk::{
    DemoMeasurement, DemoPatient, DemoProgram, DemoVisit, PatientDetails,
};
use ptclinic::domain::{AppointmentStatus, CancelReason, VisitKind};

use super::support::*;

const MRN: &str = "900001";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A patient of the small demo with a history we know, and the demo therapist who treats them.
struct Episode {
    env: EnvDirs,
    db: PathBuf,
    /// The therapist's username: clinical writes pass it as `--user`.
    therapist: String,
    exercises: Vec<String>,
}

/// Evaluation on 26 Oct (the plan of care's start), eight treatments, a no-show, a late
/// cancellation and one cancelled ahead; NPRS 7 → 4 and LEFS 31 → 62; a home program of two
/// exercises saved on the evaluation day. `with_plan`: whether a plan of care is on file.
fn episode(with_plan: bool) -> Episode {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    let staff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let me = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "therapist")
        .expect("a demo therapist")
        .clone();
    let therapist = me["username"].as_str().unwrap().to_string();
    let therapist_id = me["id"].as_i64().unwrap();
    let store = ptclinic::db::open_existing(&db).unwrap();
    let created = at(d("2026-10-01"), 8, 0);
    let patient = DemoPatient {
        details: PatientDetails {
            mrn: MRN.into(),
            first_name: "Grace".into(),
            last_name: "Okafor".into(),
            date_of_birth: d("1958-03-14"),
            phone: None,
            email: None,
            payer: Some("Medicare".into()),
            diagnosis_code: Some("M17.11".into()),
            diagnosis: Some("Primary osteoarthritis, right knee".into()),
            body_region: Some("knee".into()),
            plan: None,
            authorization: None,
        },
        active: true,
        created_at: created,
    };
    let patient_id = testing::seed(&store, |w| w.patient(&patient)).unwrap();
    let mut visits: Vec<(&str, VisitKind, AppointmentStatus, Option<CancelReason>)> = vec![(
        "2026-10-26",
        VisitKind::Evaluation,
        AppointmentStatus::Completed,
        None,
    )];
    for day in [
        "2026-10-29",
        "2026-11-02",
        "2026-11-05",
        "2026-11-09",
        "2026-11-12",
        "2026-11-16",
        "2026-11-20",
        "2026-11-24",
    ] {
        visits.push((
            day,
            VisitKind::Treatment,
            AppointmentStatus::Completed,
            None,
        ));
    }
    visits.push((
        "2026-11-19",
        VisitKind::Treatment,
        AppointmentStatus::NoShow,
        None,
    ));
    visits.push((
        "2026-11-23",
        VisitKind::Treatment,
        AppointmentStatus::Cancelled,
        Some(CancelReason::Late),
    ));
    visits.push((
        "2026-11-10",
        VisitKind::Treatment,
        AppointmentStatus::Cancelled,
        Some(CancelReason::Patient),
    ));
    let mut ids = Vec::new();
    for (day, kind, status, cancel_reason) in visits {
        let v = DemoVisit {
            patient_id,
            therapist_id,
            start: at(d(day), 10, 0),
            minutes: 45,
            kind,
            status,
            status_changed_at: None,
            checked_in_at: None,
            cancel_reason,
            room: None,
            created_at: created,
        };
        ids.push(testing::seed(&store, |w| w.visit(&v)).unwrap());
    }
    for (code, day, value, visit) in [
        ("NPRS", "2026-10-26", 7.0, ids[0]),
        ("LEFS", "2026-10-26", 31.0, ids[0]),
        ("NPRS", "2026-11-20", 4.0, ids[7]),
        ("LEFS", "2026-11-24", 62.0, ids[8]),
    ] {
        let m = DemoMeasurement {
            patient_id,
            appointment_id: visit,
            code,
            taken_on: d(day),
            value,
            recorded_by: &therapist,
            created_at: at(d(day), 11, 0),
        };
        testing::seed(&store, |w| w.measurement(&m)).unwrap();
    }
    let library = store.exercises().unwrap();
    let chosen: Vec<&ptclinic::domain::hep::Exercise> = library
        .iter()
        .filter(|e| e.name == "Quad set" || e.name == "Straight leg raise")
        .collect();
    assert_eq!(chosen.len(), 2, "the demo library has both");
    let program = DemoProgram {
        patient_id,
        version_no: 1,
        created_by: &therapist,
        created_at: at(d("2026-10-26"), 11, 30),
        items: chosen.iter().map(|e| (e.id, "right")).collect(),
    };
    testing::seed(&store, |w| w.program(&program)).unwrap();
    let episode = Episode {
        env,
        db,
        therapist,
        exercises: chosen.iter().map(|e| e.name.clone()).collect(),
    };
    if with_plan {
        // 2x/week for 13 weeks from 26 Oct: capped at the 90th day, 23 Jan.
        let me = ["--user", episode.therapist.as_str()];
        let plan = [
            "plan",
            "add",
            "--patient",
            MRN,
            "--start",
            "2026-10-26",
            "--per-week",
            "2",
            "--weeks",
            "13",
            "--physician",
            "Dr Jane Osei",
        ];
        assert_ok(&episode.run(&[&plan[..], &me[..]].concat()));
        let certify = [
            "plan",
            "certify",
            "--patient",
            MRN,
            "--physician",
            "Dr Jane Osei",
            "--on",
            "2026-10-28",
        ];
        assert_ok(&episode.run(&[&certify[..], &me[..]].concat()));
    }
    episode
}

impl Episode {
    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--db", p(&self.db)]);
        ptclinic(&self.env, &all)
    }

    /// A clinical write as the demo's therapist.
    fn as_therapist(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--user", &self.therapist]);
        self.run(&all)
    }

    fn add_goal(&self, extra: &[&str]) -> i64 {
        let mut args = vec!["goal", "add", "--patient", MRN];
        args.extend_from_slice(extra);
        let out = self.as_therapist(&args);
        assert_ok(&out);
        let text = stdout(&out);
        text.strip_prefix("Added goal ")
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("the goal's id in {text:?}"))
    }

    fn goals(&self) -> Vec<Value> {
        let out = self.run(&["goal", "list", "--patient", MRN, "--json"]);
        assert_ok(&out);
        serde_json::from_str::<Value>(&stdout(&out))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn count(&self, table: Table) -> i64 {
        testing::rows(&ptclinic::db::open_existing(&self.db).unwrap(), table).unwrap()
    }

    fn report(&self, kind: &str, format: &str) -> String {
        let out = self.run(&["report", kind, "--patient", MRN, "--format", format]);
        assert_ok(&out);
        stdout(&out)
    }

    fn audit_actions(&self) -> Vec<String> {
        let out = self.run(&["audit", "--json"]);
        assert_ok(&out);
        let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

fn status_of(goals: &[Value], id: i64) -> (String, Value) {
    let g = goals
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("goal {id} listed"));
    (
        g["status"].as_str().unwrap().to_string(),
        g["latest"].clone(),
    )
}

/// Today is 27 Nov. NPRS is 4 (from 7), LEFS 62 (from 31), no ODI yet.
#[test]
fn a_measured_goal_is_met_progressing_not_met_or_waits_for_its_measure() {
    let e = episode(true);
    let progressing = e.add_goal(&[
        "--term",
        "short",
        "--measure",
        "NPRS",
        "--target",
        "3",
        "--by",
        "2026-12-10",
    ]);
    let met = e.add_goal(&[
        "--term",
        "long",
        "--text",
        "Climbs stairs reciprocally",
        "--measure",
        "LEFS",
        "--target",
        "60",
        "--by",
        "2027-01-20",
    ]);
    let not_met = e.add_goal(&[
        "--term",
        "short",
        "--measure",
        "NPRS",
        "--target",
        "2",
        "--by",
        "2026-11-25",
    ]);
    let waiting = e.add_goal(&[
        "--term",
        "short",
        "--measure",
        "ODI",
        "--target",
        "20",
        "--by",
        "2026-12-31",
    ]);
    let worded = e.add_goal(&[
        "--term",
        "long",
        "--text",
        "Walks to the mailbox without a cane",
        "--by",
        "2027-01-20",
    ]);
    let goals = e.goals();
    assert_eq!(
        status_of(&goals, progressing),
        ("progressing".into(), Value::from(4.0))
    );
    assert_eq!(status_of(&goals, met), ("met".into(), Value::from(62.0)));
    assert_eq!(
        status_of(&goals, not_met),
        ("not_met".into(), Value::from(4.0))
    );
    assert_eq!(
        status_of(&goals, waiting),
        ("no_measure_yet".into(), Value::Null)
    );
    assert_eq!(
        status_of(&goals, worded),
        ("not_assessed".into(), Value::Null)
    );
    let first = goals.iter().find(|g| g["id"] == progressing).unwrap();
    assert_eq!(
        first["description"], "NPRS ≤ 3",
        "no words given: the target's"
    );
    assert_eq!(first["target_on"], "2026-12-10");
    assert_eq!(first["current_plan"], true);
    let text = stdout(&e.run(&["goal", "list", "--patient", MRN]));
    assert!(text.contains("no measure yet"), "{text}");
    assert!(
        text.contains("progressing (latest 4 on 2026-11-20)"),
        "{text}"
    );

    // A worded goal is assessed by hand; a measured one refuses it.
    let out = e.as_therapist(&[
        "goal",
        "assess",
        "--id",
        &worded.to_string(),
        "--status",
        "progressing",
    ]);
    assert_ok(&out);
    assert_eq!(status_of(&e.goals(), worded).0, "progressing");
    let out = e.as_therapist(&[
        "goal",
        "assess",
        "--id",
        &met.to_string(),
        "--status",
        "not_met",
    ]);
    assert_usage_error(&out, &["measured by LEFS"]);
    assert_eq!(status_of(&e.goals(), met).0, "met", "unchanged");

    // A new measurement moves the status.
    let out = e.as_therapist(&[
        "record",
        "--patient",
        MRN,
        "--measure",
        "NPRS",
        "--value",
        "3",
    ]);
    assert_ok(&out);
    assert_eq!(status_of(&e.goals(), progressing).0, "met");

    let actions = e.audit_actions();
    assert_eq!(actions.iter().filter(|a| *a == "goal.add").count(), 5);
    assert_eq!(actions.iter().filter(|a| *a == "goal.assess").count(), 1);
}

#[test]
fn a_goal_without_a_target_date_range_measure_or_plan_is_refused_and_nothing_stored() {
    let e = episode(true);
    let before = e.count(Table::Goals);
    let audit_before = e.count(Table::AuditLog);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--term", "short", "--by", "2026-12-10"],
            "a goal needs a target",
        ),
        (
            &["--term", "short", "--text", "  ", "--by", "2026-12-10"],
            "a goal needs a target",
        ),
        (&["--term", "short", "--text", "Walks 30 minutes"], "--by"),
        (
            &[
                "--term",
                "short",
                "--measure",
                "NPRS",
                "--target",
                "11",
                "--by",
                "2026-12-10",
            ],
            "from 0 to 10",
        ),
        (
            &[
                "--term",
                "short",
                "--measure",
                "LEFS",
                "--target",
                "-3",
                "--by",
                "2026-12-10",
            ],
            "from 0 to 80",
        ),
        (
            &[
                "--term",
                "short",
                "--measure",
                "PAIN",
                "--target",
                "3",
                "--by",
                "2026-12-10",
            ],
            "unknown measure \"PAIN\"",
        ),
        (
            &["--term", "short", "--measure", "NPRS", "--by", "2026-12-10"],
            "--target",
        ),
        (
            &[
                "--term",
                "short",
                "--measure",
                "ROM",
                "--target",
                "120",
                "--by",
                "2026-12-10",
            ],
            "--detail",
        ),
        (
            &["--term", "short", "--text", "Walks", "--by", "2026-13-40"],
            "--by must be a real date",
        ),
        (
            &["--term", "short", "--text", "Walks", "--by", "2026-10-01"],
            "before the plan of care starts",
        ),
        (
            &[
                "--term",
                "short",
                "--text",
                "Walks",
                "--by",
                "2026-12-10",
                "--plan",
                "9999",
            ],
            "plan 9999",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["goal", "add", "--patient", MRN];
        args.extend_from_slice(extra);
        let out = e.as_therapist(&args);
        let err = assert_usage_error(&out, &[needle]);
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    // The front desk (an unknown user in the demo) sets no goals.
    let out = e.run(&[
        "goal",
        "add",
        "--patient",
        MRN,
        "--term",
        "short",
        "--text",
        "Walks",
        "--by",
        "2026-12-10",
    ]);
    assert_usage_error(&out, &["needs a therapist or an assistant"]);
    assert_eq!(e.count(Table::Goals), before, "nothing stored");
    assert_eq!(e.count(Table::AuditLog), audit_before, "nothing audited");

    let without = episode(false);
    let out = without.as_therapist(&[
        "goal",
        "add",
        "--patient",
        MRN,
        "--term",
        "short",
        "--text",
        "Walks",
        "--by",
        "2026-12-10",
    ]);
    assert_usage_error(&out, &["no plan of care"]);
    let out = without.as_therapist(&["goal", "assess", "--id", "4242", "--status", "met"]);
    assert_usage_error(&out, &["there is no goal 4242"]);
}

#[test]
fn the_progress_report_assesses_each_goal() {
    let e = episode(true);
    e.add_goal(&[
        "--term",
        "short",
        "--measure",
        "NPRS",
        "--target",
        "3",
        "--by",
        "2026-12-10",
    ]);
    e.add_goal(&[
        "--term",
        "long",
        "--text",
        "Kneels to garden",
        "--by",
        "2027-01-20",
    ]);
    let text = e.report("progress", "text");
    assert!(
        text.contains("Goals of the plan of care 2026-10-26 to 2027-01-23 (2x/week for 13 weeks):"),
        "{text}"
    );
    assert!(
        text.contains("short-term, by 2026-12-10: NPRS ≤ 3"),
        "{text}"
    );
    assert!(
        text.contains("target NPRS ≤ 3  status progressing  latest 4 on 2026-11-20"),
        "{text}"
    );
    assert!(
        text.contains("long-term, by 2027-01-20: Kneels to garden"),
        "{text}"
    );
    assert!(
        text.contains("target in words  status not assessed  latest —"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&e.report("progress", "json")).unwrap();
    let goals = json["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 2);
    let g = &goals[0];
    for (k, v) in [
        ("term", Value::from("short")),
        ("description", Value::from("NPRS ≤ 3")),
        ("measure", Value::from("NPRS")),
        ("target", Value::from(3.0)),
        ("target_on", Value::from("2026-12-10")),
        ("status", Value::from("progressing")),
        ("latest", Value::from(4.0)),
    ] {
        assert_eq!(g[k], v, "{k} in {g}");
    }
    assert_eq!(goals[1]["measure"], Value::Null);
    // The goals belong to the plan covering the day, listed among the certifications.
    let plan = &json["plans_of_care"][0];
    assert_eq!(plan["starts_on"], "2026-10-26");
    assert!(
        goals.iter().all(|g| g["plan_id"] == plan["id"]),
        "{goals:?}"
    );
    let md = e.report("progress", "markdown");
    assert!(
        md.contains(
            "| short-term | NPRS ≤ 3 | NPRS ≤ 3 | 2026-12-10 | progressing | 4 on 2026-11-20 |"
        ),
        "{md}"
    );
    let html = e.report("progress", "html");
    assert!(html.contains("<td>NPRS ≤ 3</td>"), "{html}");

    // Without a plan of care the report says so, and JSON has no goals.
    let without = episode(false);
    assert!(
        without
            .report("progress", "text")
            .contains("No plan of care on file.")
    );
    let json: Value = serde_json::from_str(&without.report("progress", "json")).unwrap();
    assert_eq!(json["goals"], Value::Array(vec![]));
}

#[test]
fn the_discharge_summary_shows_the_episode_in_each_format() {
    let e = episode(true);
    e.add_goal(&[
        "--term",
        "short",
        "--measure",
        "NPRS",
        "--target",
        "4",
        "--by",
        "2026-12-10",
    ]);
    e.add_goal(&[
        "--term",
        "long",
        "--measure",
        "LEFS",
        "--target",
        "70",
        "--by",
        "2027-01-20",
    ]);
    let out = e.as_therapist(&[
        "discharge",
        "--patient",
        MRN,
        "--reason",
        "plateau",
        "--on",
        "2026-11-26",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Discharged MRN 900001 on 2026-11-26"),
        "{}",
        stdout(&out)
    );

    let text = e.report("discharge", "text");
    for needle in [
        "Discharge summary, 26 November 2026",
        "Episode:       evaluation 2026-10-26 to discharge 2026-11-26 (32 days)",
        "Visits:        9 attended; 2 missed (1 no-show, 1 late cancellation); 1 cancelled ahead",
        "Plan of care:  2026-10-26 to 2027-01-23 (2x/week for 13 weeks), certified by Dr Jane Osei on 2026-10-28",
        "Goals met:     1 of 2",
        "Reason:        progress has plateaued",
        ", PT, DPT",
        "Numeric Pain Rating Scale (NPRS)\n    7 → 4  change −3  MCID met (≥ 2)",
        "Lower Extremity Functional Scale (LEFS)\n    31 → 62  change +31  MCID met (≥ 9)",
        "short-term, by 2026-12-10: NPRS ≤ 4",
        "status met  latest 4 on 2026-11-20",
        "status progressing  latest 62 on 2026-11-24",
        "Home program at discharge (version 1, saved 2026-10-26):",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    for name in &e.exercises {
        assert!(text.contains(&format!("  {name}: ")), "{name} in\n{text}");
    }

    let json: Value = serde_json::from_str(&e.report("discharge", "json")).unwrap();
    assert_eq!(json["episode"]["evaluation"], "2026-10-26");
    assert_eq!(json["episode"]["discharged"], "2026-11-26");
    assert_eq!(json["visits"]["attended"], 9);
    assert_eq!(json["visits"]["missed"], 2);
    assert_eq!(json["visits"]["no_shows"], 1);
    assert_eq!(json["visits"]["late_cancellations"], 1);
    assert_eq!(json["reason"], "plateau");
    assert!(json["therapist"].as_str().unwrap().ends_with(", PT, DPT"));
    let nprs = json["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "NPRS")
        .unwrap();
    assert_eq!(
        (nprs["initial"].clone(), nprs["final"].clone()),
        (Value::from(7.0), Value::from(4.0))
    );
    assert_eq!(nprs["mcid_status"], "met");
    assert_eq!(json["goals"].as_array().unwrap().len(), 2);
    assert_eq!(json["goals_met"], 1);
    let exercises = json["home_program"]["exercises"].as_array().unwrap();
    assert_eq!(exercises.len(), 2);
    assert_eq!(exercises[0]["side"], "right");

    let md = e.report("discharge", "markdown");
    assert!(md.starts_with("# Discharge summary: Grace Okafor"), "{md}");
    assert!(md.contains("| Reason | progress has plateaued |"), "{md}");
    assert!(md.contains("| Exercise | Dosage | Note |"), "{md}");
    let html = e.report("discharge", "html");
    assert!(
        html.contains("<h1>Discharge summary: Grace Okafor</h1>"),
        "{html}"
    );
    assert!(
        html.contains("<th scope=\"row\">Goals met</th><td>1 of 2</td>"),
        "{html}"
    );

    // To a file: private, like every file with patient data; each reading is audited.
    let file = e.env.path("discharge.html");
    let out = e.run(&[
        "report",
        "discharge",
        "--patient",
        MRN,
        "--format",
        "html",
        "--out",
        p(&file),
    ]);
    assert_ok(&out);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o077,
            0
        );
    }
    let actions = e.audit_actions();
    assert_eq!(
        actions.iter().filter(|a| *a == "report.discharge").count(),
        5
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "discharge.record").count(),
        1
    );
}

#[test]
fn a_discharge_needs_a_therapist_a_plan_and_a_reason_and_comes_once() {
    let e = episode(true);
    let out = e.run(&["report", "discharge", "--patient", MRN]);
    assert_usage_error(&out, &["has not been discharged"]);
    let audit_before = e.count(Table::AuditLog);
    let cases: &[(&[&str], &str)] = &[
        (&["--reason", "other"], "--note"),
        (
            &["--reason", "plateau", "--on", "2026-12-01"],
            "in the future",
        ),
        (
            &["--reason", "plateau", "--on", "2026-10-01"],
            "before the plan of care starts",
        ),
        (
            &["--reason", "plateau", "--on", "someday"],
            "--on must be a real date",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["discharge", "--patient", MRN];
        args.extend_from_slice(extra);
        let err = assert_usage_error(&e.as_therapist(&args), &[needle]);
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    let out = e.run(&["discharge", "--patient", MRN, "--reason", "goals_met"]);
    assert_usage_error(&out, &["writing a discharge summary needs a therapist"]);
    assert_eq!(e.count(Table::Discharges), 0);
    assert_eq!(e.count(Table::AuditLog), audit_before, "nothing audited");

    let out = e.as_therapist(&[
        "discharge",
        "--patient",
        MRN,
        "--reason",
        "other",
        "--note",
        "moved away",
    ]);
    assert_ok(&out);
    let out = e.as_therapist(&["discharge", "--patient", MRN, "--reason", "goals_met"]);
    assert_usage_error(&out, &["already discharged on 2026-11-27"]);
    assert_eq!(e.count(Table::Discharges), 1);
    let json: Value = serde_json::from_str(&e.report("discharge", "json")).unwrap();
    assert_eq!(json["reason_text"], "other: moved away");

    let without = episode(false);
    let out = without.as_therapist(&["discharge", "--patient", MRN, "--reason", "plateau"]);
    assert_usage_error(&out, &["no plan of care"]);
}

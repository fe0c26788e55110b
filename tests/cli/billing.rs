//! The command line: `report billing`, each attended visit of a day with its codes and units.

use super::support::*;
use ptclinic::db::Who;
use ptclinic::db::audit::AuditQuery;
use ptclinic::db::visit_notes::VisitNote;
use ptclinic::domain::billing::ProcedureLine;

/// A past Monday of the small demo, with attended visits.
const DAY: &str = "2026-11-23";

/// Saves a note on an attended visit of DAY that has none (the demo writes notes on
/// evaluations and progress visits only) and whose payer bills by the 8-minute rule: 97110
/// twice (20 + 13 minutes), 97140 7 minutes and one untimed G0283. Returns the visit.
fn visit_with_lines(env: &EnvDirs, db: &Path) -> Value {
    let report = billing_json(env, db, &[]);
    let visit = report
        .iter()
        .find(|v| v["lines"].as_array().unwrap().is_empty() && v["rule"] == "medicare")
        .expect("an attended visit under the 8-minute rule without a note")
        .clone();
    let mut store = ptclinic::db::open_existing(db).expect("open the clinic");
    store
        .save_visit_note(
            visit["appointment"].as_i64().unwrap(),
            None,
            &VisitNote {
                subjective: "Less pain on stairs.".into(),
                procedures: vec![
                    ProcedureLine::minutes("97110", 20),
                    ProcedureLine::minutes("97140", 7),
                    ProcedureLine::count("G0283", 1),
                    ProcedureLine::minutes("97110", 13),
                ],
                ..Default::default()
            },
            Who {
                user: "amehta",
                at: "2026-11-23T12:00:00",
            },
        )
        .expect("save the note");
    visit
}

fn billing_json(env: &EnvDirs, db: &Path, extra: &[(&str, &str)]) -> Vec<Value> {
    let out = ptclinic_with(
        env,
        &["report", "billing", "--date", DAY, "--json", "--db", p(db)],
        extra,
    );
    assert_ok(&out);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("report billing --json is JSON");
    v.as_array().expect("a JSON array").clone()
}

fn billing_rows(db: &Path) -> Vec<ptclinic::db::audit::AuditRow> {
    let store = ptclinic::db::open_existing(db).expect("open the clinic");
    store
        .audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "report.billing")
        .collect()
}

#[test]
fn billing_json_lists_each_attended_visit_with_its_lines_and_units() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visit = visit_with_lines(&env, &db);
    let id = visit["appointment"].as_i64().unwrap();
    let report = billing_json(&env, &db, &[]);
    // Exactly the day's checked-in and completed visits, in the schedule's order.
    let attended: Vec<i64> = schedule_json(&env, &db, &["--date", DAY])
        .iter()
        .filter(|v| ["checked_in", "completed"].contains(&v["status"].as_str().unwrap()))
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    let listed: Vec<i64> = report
        .iter()
        .map(|v| v["appointment"].as_i64().unwrap())
        .collect();
    assert!(!attended.is_empty());
    assert_eq!(listed, attended);
    for v in &report {
        let o = v.as_object().unwrap();
        for key in [
            "appointment",
            "patient",
            "mrn",
            "therapist",
            "lines",
            "total_timed_minutes",
            "total_units",
        ] {
            assert!(o.contains_key(key), "visit lacks {key}: {v}");
        }
    }
    let ours = report
        .iter()
        .find(|v| v["appointment"].as_i64() == Some(id))
        .unwrap();
    assert_eq!(ours["patient"], visit["patient"]);
    // 97110 20 + 13 = 33 minutes, 97140 7: 40 timed minutes → 3 units (2 + 1, the Claims
    // Processing Manual's example 3), and G0283 once, never counted in the minutes.
    assert_eq!(
        ours["lines"],
        serde_json::json!([
            {"code": "97110", "minutes": 33, "units": 2, "timed": true},
            {"code": "97140", "minutes": 7, "units": 1, "timed": true},
            {"code": "G0283", "minutes": null, "units": 1, "timed": false},
        ])
    );
    assert_eq!(ours["total_timed_minutes"], 40);
    assert_eq!(ours["total_units"], 4);
    // The demo's evaluations bill their evaluation code beside their minutes.
    let evaluation = report
        .iter()
        .find(|v| v["lines"][0]["code"] == "97162")
        .expect("an evaluation with its note");
    assert_eq!(evaluation["lines"][0]["units"], 1);
    assert!(evaluation["lines"][0]["minutes"].is_null());

    // The patient's payer comes to count each code on its own (the AMA's rule of eights):
    // 97140's 7 minutes bill nothing.
    let out = ptclinic(
        &env,
        &[
            "report",
            "progress",
            "--patient",
            ours["mrn"].as_str().unwrap(),
            "--format",
            "json",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let payer = serde_json::from_str::<Value>(&stdout(&out)).unwrap()["patient"]["payer"]
        .as_str()
        .expect("the demo patient has a payer")
        .to_string();
    assert_ok(&ptclinic(
        &env,
        &[
            "payer",
            "set",
            "--name",
            &payer,
            "--billing-rule",
            "ama",
            "--user",
            crate::common::DEMO_ADMIN,
            "--db",
            p(&db),
        ],
    ));
    let ama = billing_json(&env, &db, &[]);
    let ours = ama
        .iter()
        .find(|v| v["appointment"].as_i64() == Some(id))
        .unwrap();
    assert_eq!(ours["lines"][1]["units"], 0);
    assert_eq!(ours["total_units"], 3);
    std::fs::create_dir_all(env.sub("config").join("ptclinic")).unwrap();
    std::fs::write(
        env.sub("config").join("ptclinic/config.toml"),
        "billing_rule = \"cigna\"\n",
    )
    .unwrap();
    let out = ptclinic(&env, &["report", "billing", "--date", DAY, "--db", p(&db)]);
    assert_usage_error(
        &out,
        &[
            "config file",
            "billing_rule is \"medicare\" or \"ama\", not \"cigna\"",
        ],
    );
}

#[test]
fn billing_text_has_one_block_per_visit_and_the_report_is_audited() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visit = visit_with_lines(&env, &db);
    let id = visit["appointment"].as_i64().unwrap();
    let before = billing_rows(&db).len();
    let out = ptclinic(&env, &["report", "billing", "--date", DAY, "--db", p(&db)]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with("Billing, Monday 23 November 2026 (Medicare 8-minute rule): "),
        "{text}"
    );
    let block = text
        .split("\n\n")
        .find(|b| b.starts_with(&format!("Visit {id} ")))
        .unwrap_or_else(|| panic!("no block for visit {id}:\n{text}"));
    assert!(
        block.contains(visit["patient"].as_str().unwrap()),
        "{block}"
    );
    assert!(block.contains(&format!("MRN {}", visit["mrn"].as_str().unwrap())));
    let lines: Vec<&str> = block.lines().skip(1).map(str::trim).collect();
    assert_eq!(lines.len(), 4, "{block}");
    assert!(
        lines[0].starts_with("97110  Therapeutic exercise"),
        "{block}"
    );
    assert!(lines[0].ends_with("33 min  2 units"), "{block}");
    assert!(lines[1].ends_with("7 min  1 unit"), "{block}");
    assert!(lines[2].starts_with("G0283") && lines[2].ends_with("x1  1 unit"));
    assert_eq!(lines[3], "Total: 40 timed minutes, 4 units");
    assert!(text.contains("no note yet: nothing to bill"), "{text}");
    assert!(text.contains("\nDay total: "), "{text}");

    // One audit row per visit shown, naming the appointment (so each patient's trail has
    // it), ids and counts only.
    let rows = billing_rows(&db);
    let shown = billing_json(&env, &db, &[]).len();
    assert_eq!(rows.len() - before, shown);
    let ours: Vec<_> = rows[before..]
        .iter()
        .filter(|r| r.entity == "appointment" && r.entity_id == Some(id))
        .collect();
    assert_eq!(ours.len(), 1, "one row for the visit from the text report");
    assert!(!ours[0].summary.contains("stairs"), "{}", ours[0].summary);
    assert!(!ours[0].summary.contains(visit["patient"].as_str().unwrap()));

    // To a file: private, the same text, audited as going to a file.
    let file = env.path("billing.txt");
    let out = ptclinic(
        &env,
        &[
            "report",
            "billing",
            "--date",
            DAY,
            "--db",
            p(&db),
            "--out",
            p(&file),
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).is_empty());
    assert_eq!(String::from_utf8(read(&file)).unwrap(), text);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o077,
        0,
        "the report is readable by its owner only"
    );
    let last = billing_rows(&db).pop().unwrap();
    assert!(
        last.summary.contains("\"to_file\":true"),
        "{}",
        last.summary
    );
}

#[test]
fn billing_refuses_a_bad_date_and_a_day_without_visits_names_nobody() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = billing_rows(&db).len();
    for bad in ["2026-11-31", "someday", "2201-01-01"] {
        let out = ptclinic(&env, &["report", "billing", "--date", bad, "--db", p(&db)]);
        assert_usage_error(&out, &["--date"]);
    }
    let out = ptclinic(
        &env,
        &[
            "report",
            "billing",
            "--date",
            DAY,
            "--db",
            p(&db),
            "--out",
            "/no/such/dir/b.txt",
        ],
    );
    assert_usage_error(&out, &["--out", "does not exist"]);
    assert_eq!(billing_rows(&db).len(), before, "nothing audited");
    // A Sunday: no visit, nothing disclosed, nothing audited; the JSON is an empty array.
    let out = ptclinic(
        &env,
        &["report", "billing", "--date", "2026-11-29", "--db", p(&db)],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("No visit was checked in or completed on this day."));
    let out = ptclinic(
        &env,
        &[
            "report",
            "billing",
            "--date",
            "2026-11-29",
            "--json",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    assert_eq!(stdout(&out).trim(), "[]");
    assert_eq!(billing_rows(&db).len(), before);
    // An unknown MRN-like typo in the command is clap's to refuse, with exit 2.
    let out = ptclinic(&env, &["report", "billing", "--day", DAY, "--db", p(&db)]);
    assert_code(&out, 2);
}

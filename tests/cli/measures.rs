//! The command line: `measures list` and `measures set`, the clinic's thresholds in its record,
//! which every report then judges by.

use super::support::*;

fn report_json(env: &EnvDirs, db: &Path, mrn: &str) -> Value {
    let out = ptclinic(
        env,
        &[
            "report",
            "progress",
            "--patient",
            mrn,
            "--format",
            "json",
            "--db",
            p(db),
        ],
    );
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).expect("the report is JSON")
}

/// A patient of the demo whose report shows an NPRS met by its MCID: today's patients first,
/// then those of the days before.
fn patient_with_nprs_met(env: &EnvDirs, db: &Path) -> (String, f64) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let days = (0..14).map(|back| (today - chrono::Duration::days(back)).to_string());
    for visit in days.flat_map(|d| schedule_json(env, db, &["--date", &d])) {
        let mrn = visit["mrn"].as_str().unwrap().to_string();
        if !seen.insert(mrn.clone()) {
            continue;
        }
        let report = report_json(env, db, &mrn);
        let met = report["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == "NPRS" && m["mcid_status"] == "met");
        if let Some(m) = met {
            return (mrn, m["change"].as_f64().unwrap());
        }
    }
    panic!("no patient of the last two weeks with NPRS met");
}

#[test]
fn thresholds_set_in_the_record_change_every_report_and_are_audited() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let out = ptclinic(&env, &["measures", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    let listed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ndi = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "NDI")
        .unwrap();
    assert_eq!(ndi["mcid"], 10.0);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["code"] == "KOOS-Pain"),
        "{listed}"
    );

    let (mrn, change) = patient_with_nprs_met(&env, &db);
    // A stricter clinic: more than this patient improved.
    let stricter = format!("{}", change.abs() + 1.0);
    let out = ptclinic(
        &env,
        &[
            "measures",
            "set",
            "--code",
            "nprs",
            "--mcid",
            &stricter,
            "--user",
            DEMO_ADMIN,
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).starts_with("NPRS: MCID"), "{}", stdout(&out));
    let report = report_json(&env, &db, &mrn);
    let nprs = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "NPRS")
        .unwrap();
    assert_eq!(nprs["mcid_status"], "not_yet", "{nprs}");
    assert_eq!(nprs["mcid"].as_f64().unwrap(), change.abs() + 1.0);

    let out = ptclinic(&env, &["audit", "--json", "--db", p(&db)]);
    assert!(stdout(&out).contains("measure.set"), "{}", stdout(&out));
}

#[test]
fn bad_thresholds_are_refused_and_nothing_changes() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    for (args, says) in [
        (
            vec!["--code", "NPRS", "--mcid", "-1"],
            "above 0 and at most 10",
        ),
        (
            vec!["--code", "NPRS", "--mcid", "11"],
            "above 0 and at most 10",
        ),
        (vec!["--code", "NOPE", "--mcid", "1"], "unknown measure"),
        (vec!["--code", "NPRS"], "needs --mcid or --mdc"),
    ] {
        let mut all = vec!["measures", "set"];
        all.extend(args);
        all.extend(["--db", p(&db)]);
        let out = ptclinic(&env, &all);
        assert_usage_error(&out, &[says]);
    }
    assert_eq!(read(&db), before, "the record is untouched");
}

/// A therapist of the demo: measures are written by clinicians.
fn demo_therapist(env: &EnvDirs, db: &Path) -> String {
    let out = ptclinic(env, &["staff", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    let staff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "therapist")
        .expect("the demo has therapists")["username"]
        .as_str()
        .unwrap()
        .to_string()
}

fn measurements(db: &Path, mrn: &str) -> Vec<(String, f64, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT m.measure_code, m.value, m.items FROM measurements m
             JOIN patients p ON p.id = m.patient_id
             WHERE p.mrn = ?1 AND m.measure_code LIKE '%OOS%' ORDER BY m.id",
        )
        .unwrap();
    stmt.query_map([mrn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_whole_koos_is_stored_as_five_subscales_in_one_change_and_the_short_forms_by_their_tables() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let user = demo_therapist(&env, &db);
    let mrn = schedule_json(&env, &db, &[])[0]["mrn"]
        .as_str()
        .unwrap()
        .to_string();
    let record = |measure: &str, items: &str, user: Option<&str>| {
        let mut args = vec![
            "record",
            "--patient",
            &mrn,
            "--measure",
            measure,
            "--items",
            items,
            "--db",
            p(&db),
        ];
        if let Some(u) = user {
            args.extend(["--user", u]);
        }
        ptclinic(&env, &args)
    };
    // Symptoms 7, Pain 9 (two skipped), ADL 17, Sport/Rec 5, QOL 4: the form's order.
    let koos =
        "0,1,1,1,1,2,2, 2,-,2,-,2,2,2,2,2, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,2,1,2,1, 4,4,4,4";
    let audit_before = count_rows(&db, "audit_log WHERE action = 'measurement.record'");
    let out = record("KOOS", koos, Some(&user));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("KOOS-Pain 50"), "{text}");
    let stored = measurements(&db, &mrn);
    let codes: Vec<&str> = stored.iter().map(|(c, ..)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "KOOS-Symptoms",
            "KOOS-Pain",
            "KOOS-ADL",
            "KOOS-Sport",
            "KOOS-QOL"
        ]
    );
    assert_eq!(stored[0].1, 71.4);
    assert_eq!(stored[1].1, 50.0);
    assert_eq!(stored[1].2, "[2,null,2,null,2,2,2,2,2]");
    assert_eq!(stored[2].1, 75.0);
    assert_eq!(stored[3].1, 65.0);
    assert_eq!(stored[4].1, 0.0);
    assert_eq!(
        count_rows(&db, "audit_log WHERE action = 'measurement.record'"),
        audit_before + 5
    );

    // Refused, nothing stored: the wrong count, an answer out of range, a user who is not a
    // clinician, and a short form with an item left blank.
    let out = record("KOOS", "1,1,1", Some(&user));
    assert_usage_error(&out, &["42 items", "3 given"]);
    let out = record("KOOS", &koos.replace("4,4,4,4", "4,4,4,5"), Some(&user));
    assert_usage_error(&out, &["item 42 (Q4"]);
    let out = record("KOOS", koos, None);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("therapist or an assistant"),
        "{}",
        stderr(&out)
    );
    let out = record("KOOS-JR", "1,1,-,1,1,1,1", Some(&user));
    assert_usage_error(&out, &["every one of its 7 items"]);
    assert_eq!(measurements(&db, &mrn).len(), 5);

    // KOOS JR raw 7 → 68.284, HOOS JR raw 24 → 0 (the published tables).
    let out = record("KOOS-JR", "1,1,1,1,1,1,1", Some(&user));
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Recorded KOOS-JR 68.284"),
        "{}",
        stdout(&out)
    );
    assert_ok(&record("HOOS-JR", "4,4,4,4,4,4", Some(&user)));
    let stored = measurements(&db, &mrn);
    assert_eq!(
        stored[5],
        ("KOOS-JR".into(), 68.284, "[1,1,1,1,1,1,1]".into())
    );
    assert_eq!(stored[6].0, "HOOS-JR");
    assert_eq!(stored[6].1, 0.0);
}

fn count_rows(db: &Path, table_and_filter: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        &format!("SELECT COUNT(*) FROM {table_and_filter}"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

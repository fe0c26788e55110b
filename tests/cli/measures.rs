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

/// A patient of the demo whose report shows an NPRS met by its MCID.
fn patient_with_nprs_met(env: &EnvDirs, db: &Path) -> (String, f64) {
    for visit in schedule_json(env, db, &[]) {
        let mrn = visit["mrn"].as_str().unwrap().to_string();
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
    panic!("no patient of the day with NPRS met");
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

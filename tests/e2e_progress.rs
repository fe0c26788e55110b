//! A therapist's minute before a visit, end to end: select today's first patient, open their
//! progress, record today's pain, and see the pane, the audit log and the payer's report change.

mod common;

use common::{Clinic, Session};
use serde_json::Value;

fn report(clinic: &Clinic, mrn: &str) -> Value {
    let out = clinic.cli(&["report", "progress", "--patient", mrn, "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn nprs(report: &Value) -> Value {
    report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "NPRS")
        .cloned()
        .expect("an NPRS series")
}

#[test]
fn recording_todays_pain_changes_the_pane_and_the_report() {
    let clinic = Clinic::demo();
    let first = clinic.today().into_iter().next().expect("a visit today");
    let mrn = first["mrn"].as_str().unwrap().to_string();
    let before = nprs(&report(&clinic, &mrn));
    let points = before["values"].as_array().unwrap().len();
    // Today's value lands far from the last one, so the change is unmistakable.
    let value = if before["latest"].as_f64().unwrap() >= 5.0 {
        "0"
    } else {
        "10"
    };

    // The first visit's therapist: their own day starts with it.
    let therapist = clinic.username_of(first["therapist"].as_str().unwrap());
    let mut s = Session::start(&clinic, &therapist);
    s.wait_for_text("booked");
    s.send("2");
    s.wait_for_text("NPRS");
    s.send("r");
    s.wait_for_text("Record today's measure");
    s.send("99\r");
    s.wait_for_text("from 0 to 10");
    s.send("\u{7f}\u{7f}");
    s.send(value);
    s.send("\r");
    s.wait_for_text(&format!("recorded NPRS {value}"));
    s.send("q");
    assert!(s.wait_exit().success());

    let after = nprs(&report(&clinic, &mrn));
    assert_eq!(
        after["values"].as_array().unwrap().len(),
        points + 1,
        "{after}"
    );
    assert_eq!(
        after["latest"].as_f64().unwrap(),
        value.parse::<f64>().unwrap()
    );
    assert_eq!(
        after["change"].as_f64().unwrap(),
        after["latest"].as_f64().unwrap() - after["initial"].as_f64().unwrap()
    );
    let audit = clinic.cli(&["audit", "--json", "--patient", &mrn]);
    let actions: Vec<String> = serde_json::from_slice::<Value>(&audit.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"progress.view".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"measurement.record".to_string()),
        "{actions:?}"
    );
}

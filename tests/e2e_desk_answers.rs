//! The desk takes a patient's answer on the phone, end to end: the full-screen app in a
//! pseudo-terminal, a key on tomorrow's first visit, its badge on the screen, then the record
//! through `schedule --json` and the audit log.

mod common;

use common::{Clinic, Session};
use serde_json::Value;

const TOMORROW: &str = "2026-11-28";

fn day(clinic: &Clinic, date: &str) -> Vec<Value> {
    let out = clinic.cli(&["schedule", "--json", "--date", date]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_desk_records_that_tomorrows_first_patient_is_coming_or_not() {
    let clinic = Clinic::demo();
    let before = day(&clinic, TOMORROW);
    let first = before.first().expect("visits tomorrow").clone();
    assert_eq!(first["status"], "scheduled");
    // The answer it does not have yet (the demo answered some visits already).
    let (key, said, badge, json) = if first["confirmed"] == Value::Bool(true) {
        ("X", "can't come: still booked", "NO", Value::Bool(false))
    } else {
        ("Y", ": confirmed", "OK", Value::Bool(true))
    };
    let name = first["patient"].as_str().unwrap().to_string();
    let time = &first["start"].as_str().unwrap()[11..16];

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("]");
    s.wait_for_text("Sat 28 Nov");
    // The header moves at once; the key waits for tomorrow's visits to be on the screen.
    let short: String = name.chars().take(12).collect();
    s.wait_for(
        "tomorrow's first visit",
        std::time::Duration::from_secs(10),
        |screen| {
            screen
                .lines()
                .any(|l| l.starts_with('▶') && l.contains(time) && l.contains(&short))
        },
    );
    s.send(key);
    s.wait_for_text(&format!("{time} {name}{said}"));
    // The day comes back with the answer: its badge on the visit's row.
    s.wait_for("the badge", std::time::Duration::from_secs(10), |screen| {
        screen
            .lines()
            .any(|l| l.contains(time) && l.contains(&short) && l.contains(&format!(" {badge} ")))
    });
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}\n{}", s.screen());

    let after = day(&clinic, TOMORROW);
    for (v, was) in after.iter().zip(&before) {
        if v["id"] == first["id"] {
            assert_eq!(v["confirmed"], json, "{v}");
            assert_eq!(v["status"], "scheduled", "{v}");
        } else {
            assert_eq!(v["confirmed"], was["confirmed"], "{v}");
        }
    }
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let (action, user, summary): (String, String, String) = conn
        .query_row(
            "SELECT action, user, summary FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let expected = if key == "Y" {
        "visit.confirmed"
    } else {
        "visit.declined"
    };
    assert_eq!((action.as_str(), user.as_str()), (expected, "frontdesk1"));
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["via"], "desk");
    assert_eq!(summary["for_start"], first["start"]);
}

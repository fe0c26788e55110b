//! A cancelled slot offered to the waitlist, end to end: the full-screen app in a
//! pseudo-terminal cancels a demo visit, lists who fits, books one of them, and the record
//! then has the visit booked and the entry off the waitlist.

mod common;

use std::time::Duration;

use common::{Clinic, Session};
use serde_json::Value;

fn waitlist(clinic: &Clinic) -> Vec<Value> {
    let out = clinic.cli(&["waitlist", "list", "--json"]);
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
fn a_cancelled_visit_is_offered_to_the_waitlist_and_booked_from_it() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    let waiting = waitlist(&clinic);
    assert!(!waiting.is_empty(), "the demo has a waitlist");
    // A scheduled visit whose patient has no other visit today, found by their MRN.
    let mrn_count = |mrn: &Value| before.iter().filter(|v| v["mrn"] == *mrn).count();
    let visit = before
        .iter()
        .find(|v| v["status"] == "scheduled" && mrn_count(&v["mrn"]) == 1)
        .expect("a scheduled visit today")
        .clone();
    let mrn = visit["mrn"].as_str().unwrap();
    let start = visit["start"].as_str().unwrap();
    let time = &start[11..16];

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.wait_for_text("Find:");
    s.send(mrn);
    s.send("\r");
    s.send("x");
    s.wait_for_text("yes, cancel it");
    s.send("y");
    s.wait_for_text("by the patient");
    s.send("p");
    s.wait_for_text("on the waitlist fit");
    s.send("W");
    s.wait_for_text("Waitlist: fits");
    s.send("\r");
    s.wait_for_text("Book from the waitlist");
    s.send("\r");
    // A time already past today asks first; Enter again books it.
    s.wait_for(
        "the booking or its warning",
        Duration::from_secs(10),
        |screen| screen.contains("off the waitlist") || screen.contains("books anyway"),
    );
    if !s.screen().contains("off the waitlist") {
        s.send("\r");
        s.wait_for_text("off the waitlist");
    }
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}\n{}", s.screen());

    let after = waitlist(&clinic);
    assert_eq!(after.len(), waiting.len() - 1, "one taken off the list");
    let booked_mrn = waiting
        .iter()
        .find(|e| !after.iter().any(|a| a["id"] == e["id"]))
        .map(|e| e["mrn"].clone())
        .unwrap();
    let today = clinic.today();
    assert!(
        today.iter().any(|v| v["mrn"] == booked_mrn
            && v["status"] == "scheduled"
            && v["start"].as_str().unwrap().get(11..16) >= Some(time)
            && v["therapist_initials"] == visit["therapist_initials"]),
        "the waitlisted patient is booked in the freed slot"
    );
    assert!(
        today
            .iter()
            .any(|v| v["id"] == visit["id"] && v["status"] == "cancelled")
    );
}

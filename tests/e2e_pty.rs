//! The front-desk flow end to end: the full-screen app in a pseudo-terminal, driven by keys,
//! checked on the screen and then through `schedule --json`.

mod common;

use common::{Clinic, Session, TODAY};
use serde_json::Value;

/// A patient with exactly one visit today and a name nobody else has today.
struct Pick {
    id: i64,
    name: String,
    mrn: String,
}

fn single_visit_patients(visits: &[Value]) -> Vec<Pick> {
    let named = |n: &str| visits.iter().filter(|v| v["patient"] == n).count();
    visits
        .iter()
        .filter(|v| named(v["patient"].as_str().unwrap()) == 1)
        .filter(|v| v["status"] == "scheduled")
        .map(|v| Pick {
            id: v["id"].as_i64().unwrap(),
            name: v["patient"].as_str().unwrap().to_string(),
            mrn: v["mrn"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// True when the app's own ranking puts `pick` strictly first for `query` among today's visits.
fn wins_outright(visits: &[Value], query: &str, pick: &Pick) -> bool {
    let matcher = ptclinic::search::Matcher::default();
    let people: Vec<(&str, &str)> = visits
        .iter()
        .map(|v| (v["patient"].as_str().unwrap(), v["mrn"].as_str().unwrap()))
        .collect();
    let hits = ptclinic::search::rank_people(&matcher, query, people.iter().copied());
    match hits.as_slice() {
        [first, rest @ ..] => {
            visits[first.index]["id"].as_i64() == Some(pick.id)
                && rest.first().is_none_or(|second| second.score < first.score)
        }
        [] => false,
    }
}

/// A patient and a name query (their last name, else "first last") that picks them out.
fn pick_by_name(visits: &[Value]) -> (Pick, String) {
    for pick in single_visit_patients(visits) {
        let last = pick.name.split_whitespace().last().unwrap().to_string();
        for query in [last, pick.name.clone()] {
            if wins_outright(visits, &query, &pick) {
                return (pick, query);
            }
        }
    }
    panic!("no patient today is picked out by their name");
}

/// Asserts that only `id` is checked in today and everything else is still scheduled.
#[track_caller]
fn assert_only_checked_in(visits: &[Value], id: Option<i64>) {
    for v in visits {
        let expected = if Some(v["id"].as_i64().unwrap()) == id {
            "checked_in"
        } else {
            "scheduled"
        };
        assert_eq!(v["status"], expected, "{v}");
    }
}

fn assert_exited_cleanly(status: &portable_pty::ExitStatus, session: &Session) {
    assert!(
        status.success(),
        "exit status {status:?}; the screen was:\n{}",
        session.screen()
    );
}

#[test]
fn front_desk_checks_a_patient_in_by_name() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    assert!(before.len() > 10, "a full day: {}", before.len());
    assert_only_checked_in(&before, None);
    let (pick, query) = pick_by_name(&before);

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.wait_for_text("Find:");
    s.send(&query);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let after = clinic.today();
    assert_eq!(after.len(), before.len());
    assert_only_checked_in(&after, Some(pick.id));
    let v = after
        .iter()
        .find(|v| v["id"].as_i64() == Some(pick.id))
        .unwrap();
    assert!(
        v["checked_in_at"].as_str().unwrap().starts_with(TODAY),
        "{v}"
    );

    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let (action, user): (String, String) = conn
        .query_row(
            "SELECT action, user FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (action.as_str(), user.as_str()),
        ("appointment.status", "frontdesk1")
    );
}

#[test]
fn front_desk_checks_a_patient_in_by_mrn() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    // Any patient with a single visit today; the MRN wins over every name.
    let pick = single_visit_patients(&before)
        .into_iter()
        .nth(3)
        .expect("a few patients with one visit today");
    assert!(wins_outright(&before, &pick.mrn, &pick));

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.send(&pick.mrn);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);
    assert_only_checked_in(&clinic.today(), Some(pick.id));
}

#[test]
fn undo_puts_the_visit_back_to_scheduled() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    let (pick, query) = pick_by_name(&before);

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.wait_for_text("Find:");
    s.send(&query);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("u");
    s.wait_for_text(&format!("undone: {} is", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let after = clinic.today();
    assert_only_checked_in(&after, None);
    let v = after
        .iter()
        .find(|v| v["id"].as_i64() == Some(pick.id))
        .unwrap();
    assert!(v["checked_in_at"].is_null(), "{v}");
}

#[test]
fn quitting_restores_the_terminal() {
    let clinic = Clinic::demo();
    let before = clinic.today();

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    assert!(
        s.parser.screen().alternate_screen(),
        "the app draws on the alternate screen"
    );
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let raw = String::from_utf8_lossy(&s.raw).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered, "left after entering");
    assert!(
        !raw[left..].contains("\x1b[?1049h"),
        "not re-entered after leaving"
    );
    // Bracketed paste: on while the app runs (a paste is text, never keys), off at the end.
    let paste_on = raw.find("\x1b[?2004h").expect("bracketed paste turned on");
    let paste_off = raw
        .rfind("\x1b[?2004l")
        .expect("bracketed paste turned off on the way out");
    assert!(paste_off > paste_on);
    let shown = raw.rfind("\x1b[?25h").expect("cursor shown again");
    assert!(
        shown > raw.rfind("\x1b[?25l").unwrap_or(0),
        "the cursor is visible at the end"
    );
    assert!(
        !s.parser.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(!s.parser.screen().hide_cursor(), "cursor visible");

    // Just looking changes nothing.
    assert_eq!(clinic.today(), before);
}

#[test]
fn the_app_starts_on_the_pinned_day() {
    let clinic = Clinic::demo();
    let n = clinic.today().len();
    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.wait_for_text("Fri 27 Nov 2026");
    s.wait_for_text(&format!("booked {n}"));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);
}

//! The exercise program builder end to end: the full-screen app in a pseudo-terminal at
//! 80x24, driven by keys (select a patient, 3, search by shorthand, add, save, quit), then
//! the handout through `ptclinic export hep`.

mod common;

use common::{Clinic, Session};

#[test]
fn a_therapist_builds_a_program_by_shorthand_and_the_handout_has_it() {
    let clinic = Clinic::demo();
    let therapist = clinic.therapist();
    let mut s = Session::start(&clinic, &therapist);
    s.wait_for_text("booked");
    // The second visit of the day, to show that the selection carries into pane 3.
    s.send("j");
    s.send("3");
    s.wait_for_text("Program:");
    s.wait_for(
        "the program and the library",
        std::time::Duration::from_secs(10),
        |screen| screen.contains("Exercises ·") && !screen.contains("Loading"),
    );
    s.send("/");
    s.send("slr");
    s.wait_for_text("(SLR)");
    s.send("\r");
    s.wait_for_text("added Straight leg raise");
    s.send("\x1b");
    // Leaving the search shows its hint again (a key sent with Esc would read as Alt-key).
    s.wait_for_text("/ search");
    assert!(s.screen().contains("unsaved*"));
    s.send("s");
    s.wait_for_text("saved version");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "the screen was:\n{}", s.screen());

    // Whose program was saved: the audit row says.
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let (mrn, user): (String, String) = conn
        .query_row(
            "SELECT p.mrn, a.user FROM audit_log a JOIN patients p ON p.id = a.entity_id
             WHERE a.action = 'hep.save' ORDER BY a.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(user, therapist);
    let views: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'hep.view'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(views >= 1, "opening the program is audited");
    drop(conn);

    let out = clinic.cli(&["export", "hep", "--patient", &mrn]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let at = text
        .find(". Straight leg raise\n")
        .unwrap_or_else(|| panic!("no Straight leg raise in:\n{text}"));
    let dosage = text[at..].lines().nth(1).unwrap();
    assert_eq!(dosage.trim(), "3 sets of 10, once a day, 5 days a week");
}

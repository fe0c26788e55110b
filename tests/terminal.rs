//! The app over a thin client: no colour under NO_COLOR with the selection still marked, few
//! bytes per key and almost none when idle, hostile text drawn harmlessly, resizing at will.

mod common;

use std::time::Duration;

use common::{Clinic, Session};

/// SGR colour parameters: 30–37, 38, 39 (fg), 40–47, 48, 49 (bg), 90–97, 100–107.
fn colour_codes(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut found = Vec::new();
    for seq in text.split("\u{1b}[").skip(1) {
        let Some(end) = seq.find(|c: char| c.is_ascii_alphabetic()) else {
            continue;
        };
        if &seq[end..=end] != "m" {
            continue;
        }
        for p in seq[..end].split(';').filter_map(|p| p.parse::<u32>().ok()) {
            if matches!(p, 30..=49 | 90..=97 | 100..=107) {
                found.push(seq[..end].to_string());
            }
        }
    }
    found
}

#[test]
fn no_color_writes_no_colour_and_still_marks_the_selected_row() {
    let clinic = Clinic::demo();
    let mut s = Session::start_with(&clinic, "desk", &[("NO_COLOR", "1")], (24, 80));
    s.wait_for_text("booked");
    s.send("j");
    s.settle(Duration::from_millis(300));
    assert!(
        colour_codes(&s.raw).is_empty(),
        "colour under NO_COLOR: {:?}",
        colour_codes(&s.raw)
    );
    let screen = s.screen();
    let marked: Vec<&str> = screen.lines().filter(|l| l.starts_with('▶')).collect();
    assert_eq!(marked.len(), 1, "{screen}");
    assert!(
        String::from_utf8_lossy(&s.raw).contains("\u{1b}[7m"),
        "the selected row is drawn in reverse video"
    );
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_selection_move_costs_a_small_fraction_of_a_frame_and_idle_costs_almost_nothing() {
    let clinic = Clinic::demo();
    let mut s = Session::start(&clinic, "desk");
    s.wait_for_text("? help");
    s.settle(Duration::from_millis(300));
    let first_frame = s.raw.len();
    s.send("j");
    s.settle(Duration::from_millis(300));
    let one_move = s.raw.len() - first_frame;
    assert!(one_move > 0, "the move was drawn");
    // Two rows drawn again (the one left and the one reached), each with its styled badges
    // (flags, and whether the patient is coming): about a tenth of the frame, never a frame.
    assert!(
        one_move * 8 < first_frame,
        "a move cost {one_move} bytes of a {first_frame}-byte frame"
    );
    let before_idle = s.raw.len();
    s.settle(Duration::from_secs(5));
    let idle = s.raw.len() - before_idle;
    // At most the clock's minute tick can fall into these five seconds.
    assert!(idle < 100, "{idle} bytes while idle");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn hostile_text_in_the_record_reaches_the_screen_harmlessly() {
    let clinic = Clinic::demo();
    // Another tool wrote this straight into the file, past every import check.
    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let id: i64 = conn
        .query_row("SELECT patient_id FROM appointments WHERE start >= '2026-11-27' ORDER BY start LIMIT 1", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE patients SET first_name = ?1, last_name = ?2 WHERE id = ?3",
        rusqlite::params![
            "Eve\u{1b}]0;owned\u{7}\u{1b}[2J",
            "\u{202E}nomis\u{9b}31m",
            id
        ],
    )
    .unwrap();
    drop(conn);
    let mut s = Session::start(&clinic, "desk");
    s.wait_for_text("booked");
    // The earliest visits are on the first screen of the schedule, this patient's among them.
    s.settle(Duration::from_millis(300));
    let raw = String::from_utf8_lossy(&s.raw).into_owned();
    assert!(
        !raw.contains("\u{1b}]0;owned"),
        "a title-setting sequence got through"
    );
    assert!(!raw.contains('\u{202E}'), "a bidi override got through");
    assert!(!raw.contains('\u{9b}'), "a C1 control got through");
    assert!(
        s.screen().contains("Eve"),
        "the rest of the name is shown:\n{}",
        s.screen()
    );
    // The CLI prints the same name cleaned.
    let out = clinic.cli(&["schedule"]);
    let sheet = String::from_utf8_lossy(&out.stdout);
    assert!(
        !sheet.contains('\u{1b}') && !sheet.contains('\u{202E}'),
        "{sheet}"
    );
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn resizing_at_any_moment_just_works() {
    let clinic = Clinic::demo();
    let mut s = Session::start_with(&clinic, "desk", &[], (40, 120));
    s.wait_for_text("booked");
    s.resize(8, 30);
    s.wait_for("the too-small message", Duration::from_secs(5), |screen| {
        screen.contains("terminal too small")
    });
    s.resize(40, 120);
    s.wait_for("the schedule again", Duration::from_secs(5), |screen| {
        screen.contains("booked") && screen.contains("Therapist")
    });
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_key_sequence_split_across_packets_is_one_key() {
    let clinic = Clinic::demo();
    let mut s = Session::start(&clinic, "desk");
    s.wait_for_text("booked");
    let first_row = |screen: &str| screen.lines().position(|l| l.starts_with('▶'));
    let before = first_row(&s.screen());
    // Arrow down arrives as "ESC [" in one packet and "B" in the next, as over a slow SSH link.
    s.send("\u{1b}[");
    s.settle(Duration::from_millis(80));
    s.send("B");
    s.settle(Duration::from_millis(300));
    let screen = s.screen();
    assert_eq!(
        first_row(&screen),
        before.map(|r| r + 1),
        "the selection moved down one row:\n{screen}"
    );
    assert!(
        screen.contains("(today)"),
        "the day did not change (a stray [ would go back a day):\n{screen}"
    );
    s.send("q");
    assert!(s.wait_exit().success());
}

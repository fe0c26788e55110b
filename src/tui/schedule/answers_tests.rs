//! The patient's answers at the desk: `Y` (they are coming) and `X` (they can't) on the
//! selected visit, refused in words for a visit under way or gone, written through the
//! database thread; and the "are they coming?" badges, told apart without colour.

use crossterm::event::KeyCode;

use crate::db::confirmations::Answered;
use crate::db::worker::{Reply, Request};
use crate::domain::messages::{AnswerVia, Confirmation, VisitAnswer};
use crate::tui::event::Event;
use crate::tui::fixtures::{self, key, requests, state_for};
use crate::tui::keymap::Action;
use crate::tui::state::{AppState, Level};
use crate::tui::theme::{Symbols, Theme};
use crate::tui::update::update;

fn said(s: &AppState) -> (Level, String) {
    s.message.clone().expect("a message")
}

fn select(s: &mut AppState, id: i64) {
    s.schedule.selected = Some(id);
    assert_eq!(s.selected_visit().unwrap().id, id);
}

fn answered(s: &AppState, id: i64, answer: Confirmation, unchanged: bool) -> Reply {
    let mut visit = s
        .schedule
        .visits
        .iter()
        .find(|v| v.id == id)
        .cloned()
        .unwrap();
    visit.answer = Some(answer);
    Reply::Answered(Answered {
        visit,
        answer: VisitAnswer {
            answer,
            via: AnswerVia::Desk,
            answered_at: "2026-11-27T09:41:00".into(),
            recorded_by: "dfry".into(),
        },
        replaced: None,
        unchanged,
    })
}

#[test]
fn y_records_a_confirmation_for_the_visit_as_seen_and_says_it() {
    let mut s = state_for("dfry");
    // Li's 10:00, still to come at 09:41.
    select(&mut s, 5);
    let sent = requests(key(&mut s, KeyCode::Char('Y')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Answer {
                id: 5,
                seen_version: 1,
                answer: Confirmation::Confirmed
            }]
        ),
        "{sent:?}"
    );
    assert_eq!(s.pending_writes, 1);
    let reply = answered(&s, 5, Confirmation::Confirmed, false);
    update(&mut s, Event::Reply(reply));
    assert_eq!(s.pending_writes, 0);
    assert_eq!(said(&s), (Level::Info, "10:00 李小龍 Li: confirmed".into()));
}

#[test]
fn x_records_a_cant_come_and_names_the_keys_that_free_the_slot() {
    let mut s = state_for("dfry");
    select(&mut s, 8);
    let sent = requests(key(&mut s, KeyCode::Char('X')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Answer {
                id: 8,
                answer: Confirmation::Declined,
                ..
            }]
        ),
        "{sent:?}"
    );
    let reply = answered(&s, 8, Confirmation::Declined, false);
    update(&mut s, Event::Reply(reply));
    assert_eq!(
        said(&s).1,
        "13:15 Amira Haddad can't come: still booked (x cancels, r moves)"
    );
    // The visit itself is untouched: still scheduled.
    assert_eq!(
        s.selected_visit().unwrap().status,
        crate::domain::AppointmentStatus::Scheduled
    );
}

#[test]
fn a_visit_under_way_cancelled_or_already_answered_takes_no_answer() {
    let mut s = state_for("dfry");
    // Olivia's 09:00 has begun.
    select(&mut s, 3);
    assert!(requests(key(&mut s, KeyCode::Char('Y'))).is_empty());
    assert_eq!(
        said(&s),
        (
            Level::Warning,
            "this visit began at 2026-11-27 09:00: only a visit still to come can be confirmed or declined"
                .into()
        )
    );
    select(&mut s, 6);
    assert!(requests(key(&mut s, KeyCode::Char('X'))).is_empty());
    assert!(
        said(&s).1.ends_with("this one is cancelled"),
        "{:?}",
        said(&s)
    );
    // Already confirmed: said, nothing asked.
    s.schedule
        .visits
        .iter_mut()
        .find(|v| v.id == 7)
        .unwrap()
        .answer = Some(Confirmation::Confirmed);
    select(&mut s, 7);
    assert!(requests(key(&mut s, KeyCode::Char('Y'))).is_empty());
    assert_eq!(said(&s).1, "already confirmed");
    assert_eq!(s.pending_writes, 0);
}

#[test]
fn answers_are_refused_while_the_drive_is_gone() {
    let mut s = state_for("dfry");
    select(&mut s, 5);
    update(
        &mut s,
        Event::Reply(Reply::Offline {
            since: "2026-11-27T09:40:00".into(),
        }),
    );
    assert!(requests(key(&mut s, KeyCode::Char('Y'))).is_empty());
    assert!(crate::tui::schedule::is_write(Action::Confirm));
    assert!(crate::tui::schedule::is_write(Action::CantCome));
}

#[test]
fn a_failed_answer_ends_the_write_and_says_why() {
    let mut s = state_for("dfry");
    select(&mut s, 5);
    let asked = requests(key(&mut s, KeyCode::Char('Y')));
    let asked = asked[0].asked();
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked,
            error: crate::error::AppError::of(
                crate::error::ErrorKind::Conflict,
                "this visit was changed on another terminal — reloaded; check it and try again",
            ),
        }),
    );
    assert_eq!(s.pending_writes, 0);
    assert_eq!(said(&s).0, Level::Error);
}

/// The five cells of the "Conf" column on the row showing `name` (a wide letter fills two).
fn conf_cell(text: &str, name: &str) -> String {
    let header = text.lines().find(|l| l.contains("Time  Patient")).unwrap();
    let from = crate::text::width(&header[..header.find("Conf").unwrap()]);
    let line = text.lines().find(|l| l.contains(name)).unwrap();
    let mut at = 0;
    let mut cell = String::new();
    for c in line.chars() {
        if (from..from + 5).contains(&at) {
            cell.push(c);
        }
        at += crate::text::width(&c.to_string());
    }
    cell
}

#[test]
fn each_notice_has_its_letters_in_ascii_and_without_colour_and_its_colour_with_it() {
    let mut s = fixtures::flagged_state_for("dfry");
    let mono = Theme::load("default", true).unwrap();
    let mut ascii = Theme::load("default", false).unwrap();
    ascii.ascii = true;
    ascii.symbols = Symbols::ASCII;
    for theme in [&mono, &ascii] {
        let text = fixtures::screen_text(&mut s, 80, 24, theme);
        let cells: Vec<String> = [
            "Maria Lopez",
            "Kwame Mensah",
            "Olivia",
            "Tom",
            "Li ",
            "Bartholomew",
            "Mark Lopez",
            "Amira Haddad",
        ]
        .iter()
        .map(|n| conf_cell(&text, n).trim_end().to_string())
        .collect();
        assert_eq!(cells, ["R", "OK", "OK", "", "R!", "", "R", "NO"], "{text}");
    }
    // In colour: a failed reminder as an error, a can't-come as a warning, a confirmation as
    // an arrival.
    let theme = Theme::load("default", false).unwrap();
    let text = fixtures::screen_text(&mut s, 80, 24, &theme);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    crate::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
    let buf = term.backend().buffer();
    let header = text.lines().find(|l| l.contains("Time  Patient")).unwrap();
    let x = header[..header.find("Conf").unwrap()].chars().count() as u16;
    let row = |name: &str| text.lines().position(|l| l.contains(name)).unwrap() as u16;
    assert_eq!(buf[(x, row("Li "))].fg, theme.error.fg.unwrap());
    assert_eq!(buf[(x, row("Amira"))].fg, theme.warning.fg.unwrap());
    assert_eq!(buf[(x, row("Kwame"))].fg, theme.arrived.fg.unwrap());
    assert_ne!(theme.warning.fg, theme.arrived.fg);
}

#[test]
fn the_keys_are_named_in_help_and_rebound_by_name() {
    let m = crate::tui::keymap::Keymap::with_overrides([
        ("confirm", vec!["ctrl-y"]),
        ("cant_come", vec!["F9"]),
    ])
    .unwrap();
    assert_eq!(m.label(Action::Confirm), "Ctrl-Y");
    assert_eq!(m.label(Action::CantCome), "F9");
    let defaults = crate::tui::keymap::Keymap::default();
    assert_eq!(defaults.keys_for(Action::Confirm), "Y");
    assert_eq!(defaults.keys_for(Action::CantCome), "X");
    // Y and X are the schedule's own: the cancel dialog's y and the global x-less keys are apart.
    assert!(crate::tui::keymap::Keymap::with_overrides([("confirm", vec!["c"])]).is_err());
}

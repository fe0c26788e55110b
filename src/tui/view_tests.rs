//! What people see: the schedule rendered on ratatui's TestBackend, as reviewed snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::fixtures::state_for;
use super::state::AppState;
use super::theme::Theme;
use super::update::{Event, update};
use super::view::draw;

fn render(state: &mut AppState, w: u16, h: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| draw(f, state, theme)).unwrap();
    term
}

fn screen(state: &mut AppState, w: u16, h: u16) -> String {
    super::fixtures::screen_text(state, w, h, &Theme::load("default", false).unwrap())
}

fn press(state: &mut AppState, code: KeyCode) {
    update(state, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn schedule_at_80x24() {
    let mut s = state_for("dfry");
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

#[test]
fn schedule_at_120x40() {
    let mut s = state_for("dfry");
    insta::assert_snapshot!(screen(&mut s, 120, 40));
}

#[test]
fn filtering_at_80x24() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('/'));
    for c in "lopez".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('?'));
    let text = screen(&mut s, 80, 24);
    let shown = |scope| {
        matches!(
            scope,
            super::keymap::Scope::Everywhere | super::keymap::Scope::Schedule
        )
    };
    for b in s.keymap.bindings().iter().filter(|b| shown(b.scope)) {
        assert!(text.contains(b.help), "help lacks {:?}", b.action);
    }
    // In pane 2 the help lists pane 2's keys instead of the schedule's.
    let mut p = state_for("dfry");
    press(&mut p, KeyCode::Char('2'));
    press(&mut p, KeyCode::Char('?'));
    let pane_two = screen(&mut p, 80, 24);
    for b in p
        .keymap
        .bindings()
        .iter()
        .filter(|b| b.scope == super::keymap::Scope::Progress)
    {
        assert!(
            pane_two.contains(b.help),
            "pane 2 help lacks {:?}",
            b.action
        );
    }
    assert!(!pane_two.contains("check the patient in"));
    // Pane 3's keys fit the help at 80x24 too.
    let mut p = state_for("dfry");
    press(&mut p, KeyCode::Char('3'));
    press(&mut p, KeyCode::Char('?'));
    let pane_three = screen(&mut p, 80, 24);
    for b in p
        .keymap
        .bindings()
        .iter()
        .filter(|b| b.scope == super::keymap::Scope::Program)
    {
        assert!(
            pane_three.contains(b.help),
            "pane 3 help lacks {:?}",
            b.action
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn booking_form_at_80x24() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('a'));
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

#[test]
fn patient_summary_in_pane_two() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('2'));
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("Progress: Maria Lopez"), "{text}");
    assert!(text.contains("Loading…"));
}

#[test]
fn too_small_says_what_it_needs() {
    let mut s = state_for("dfry");
    let text = screen(&mut s, 50, 10);
    assert!(
        text.starts_with("terminal too small (need 70x20)"),
        "{text}"
    );
}

#[test]
fn the_selected_row_is_marked_without_colour() {
    let mut s = state_for("dfry");
    let mono = Theme::load("default", true).unwrap();
    let term = render(&mut s, 80, 24, &mono);
    let buf = term.backend().buffer();
    let row = (0..24)
        .find(|&y| buf[(0, y)].symbol() == "▶")
        .expect("a marker on the selected row");
    assert!(buf[(8, row)].modifier.contains(Modifier::REVERSED));
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
}

/// Each theme at 80x24, with its styles: ratatui's buffer debug lists every run of style.
#[test]
fn each_theme_at_80x24() {
    for name in super::theme::names() {
        let mut s = state_for("dfry");
        let theme = Theme::load(name, false).unwrap();
        let term = render(&mut s, 80, 24, &theme);
        insta::assert_snapshot!(
            format!("theme_{name}"),
            format!("{:?}", term.backend().buffer())
        );
    }
}

//! Roles on screen: the status bar says whom the record takes the user for when it is not
//! simply them, and a change refused for the user's role is answered in the pane that asked,
//! with what was typed kept.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::{Effect, Event};
use super::fixtures::{self, state_for};
use super::state::AppState;
use super::theme::Theme;
use super::update::update;
use crate::db::progress_work::{ProgressReply, ProgressRequest};
use crate::db::worker::{Asked, Asker, Reply, Request};
use crate::domain::Role;
use crate::domain::roles::{self, Acting, Duty};
use crate::error::{AppError, ErrorKind};

fn screen(s: &mut AppState, w: u16, h: u16) -> String {
    fixtures::screen_text(s, w, h, &Theme::load("default", false).unwrap())
}

fn status_line(s: &mut AppState, w: u16, h: u16) -> String {
    screen(s, w, h)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

fn key_with(s: &mut AppState, code: KeyCode, m: KeyModifiers) -> Vec<Request> {
    update(s, Event::Key(KeyEvent::new(code, m)))
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(r) => Some(r),
            Effect::Notify(_) => None,
        })
        .collect()
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Request> {
    key_with(s, code, KeyModifiers::NONE)
}

/// The demo, with a user it does not know standing in for its front desk (Dana Fry).
fn demo_walk_in() -> AppState {
    let mut s = state_for("walkin");
    let desk = s
        .staff
        .iter()
        .find(|p| p.role == Role::FrontDesk)
        .cloned()
        .unwrap();
    s.info.demo = true;
    s.info.acting = Acting::DemoStand(desk);
    s
}

#[test]
fn the_status_bar_says_whom_the_demo_takes_an_unknown_user_for() {
    let mut s = demo_walk_in();
    let bar = status_line(&mut s, 80, 24);
    assert!(
        bar.contains("walkin  demo: acting as front desk (Dana Fry)"),
        "{bar}"
    );
    assert!(bar.contains("? help"), "{bar}");
    // Narrower, the badge gives way before the help key does.
    let bar = status_line(&mut s, 70, 20);
    assert!(bar.contains("demo: acting as front desk "), "{bar}");
    assert!(!bar.contains("Dana Fry"), "{bar}");
    assert!(bar.contains("? help"), "{bar}");
    // A demo user on its staff sees the plain badge.
    let mut s = state_for("aruiz");
    s.info.demo = true;
    let bar = status_line(&mut s, 80, 24);
    assert!(bar.contains(" DEMO "), "{bar}");
    assert!(!bar.contains("acting as"), "{bar}");
}

#[test]
fn in_a_real_record_a_user_not_on_the_staff_is_told_it_is_read_only() {
    let mut s = state_for("root");
    assert_eq!(s.info.acting, Acting::NotStaff);
    let bar = status_line(&mut s, 80, 24);
    assert!(bar.contains("read-only: root is not on the staff"), "{bar}");
    assert!(bar.contains("? help"), "{bar}");
    // Staff see no badge at all.
    let mut s = state_for("aruiz");
    let bar = status_line(&mut s, 80, 24);
    assert!(!bar.contains("read-only") && !bar.contains("DEMO"), "{bar}");
}

#[test]
fn a_note_refused_for_the_role_stays_open_with_its_text_and_the_reason() {
    let mut s = demo_walk_in();
    s.schedule.selected = Some(1);
    key(&mut s, KeyCode::Char('2'));
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(fixtures::progress())),
            adherence: Vec::new(),
        })),
    );
    key(&mut s, KeyCode::Char('e'));
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule: None,
            note: None,
        })),
    );
    for c in "Knee stiff in the morning.".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let sent = key_with(&mut s, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Progress(ProgressRequest::SaveNote { .. })]
        ),
        "{sent:?}"
    );
    // The store's own sentence, as it refuses the front desk.
    let why = roles::check(Duty::VisitNote, "walkin", &s.info.acting).unwrap_err();
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: Asked {
                by: Asker::Progress,
                write: true,
            },
            error: AppError::of(ErrorKind::Forbidden, why.clone()),
        }),
    );
    let editor = s.progress.note.as_ref().expect("the editor stays open");
    assert!(!editor.saving);
    assert_eq!(editor.sections[0].lines(), ["Knee stiff in the morning."]);
    assert_eq!(editor.error.as_deref(), Some(why.as_str()));
    assert!(s.has_unsaved_edit(), "the text is still unsaved work");
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("writing a visit note needs a therapist or an"),
        "{text}"
    );
}

//! Every dialog's and the note editor's action rebound to another key: the screens and the
//! messages that name a key name the new one, never the default.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::Event;
use super::fixtures::{screen_text, state_for};
use super::keymap::{Action, Key, Keymap, Scope};
use super::modal::Modal;
use super::state::AppState;
use super::theme::Theme;
use super::update::update;
use crate::db::progress_work::ProgressReply;
use crate::db::worker::Reply;

/// Keys no default uses, so that each scoped action gets one of its own.
const SPARE: &[&str] = &[
    "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "ctrl-w", "ctrl-e",
    "ctrl-r", "ctrl-t", "ctrl-y", "ctrl-u", "ctrl-o", "ctrl-b", "ctrl-a", "ctrl-d", "ctrl-g",
    "ctrl-k", "ctrl-l", "ctrl-n", "ctrl-v", "ctrl-x",
];

fn is_scoped(scope: Scope) -> bool {
    !matches!(
        scope,
        Scope::Everywhere | Scope::Schedule | Scope::Progress | Scope::Program
    )
}

fn scoped_actions() -> Vec<Action> {
    Keymap::default()
        .bindings()
        .iter()
        .filter(|b| is_scoped(b.scope))
        .map(|b| b.action)
        .collect()
}

/// The generated override set: each scoped action on a spare key.
fn rebound() -> Keymap {
    let actions = scoped_actions();
    assert!(
        actions.len() <= SPARE.len(),
        "more scoped actions than spare keys"
    );
    Keymap::with_overrides(
        actions
            .iter()
            .zip(SPARE)
            .map(|(a, key)| (a.name(), vec![*key])),
    )
    .unwrap()
}

/// The keys hints name (each action's first) in the given scopes, as the defaults print them.
/// Only a screen's own scopes: the pane behind a dialog names the pane's keys, not rebound.
fn old_labels(scopes: &[Scope]) -> Vec<String> {
    let defaults = Keymap::default();
    let mut labels: Vec<String> = defaults
        .bindings()
        .iter()
        .filter(|b| scopes.contains(&b.scope))
        .map(|b| defaults.label(b.action))
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// Whether `label` stands in `text` as a word of its own, as a key does in a hint.
fn names(text: &str, label: &str) -> bool {
    // A word cut short ("y…" for "your") is a word, not a key.
    let part = |c: char| c.is_alphanumeric() || c == '-' || c == '…';
    text.match_indices(label).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(part)
            && !text[at + label.len()..].chars().next().is_some_and(part)
    })
}

fn assert_names_no_old_key(what: &str, scopes: &[Scope], text: &str) {
    for label in old_labels(scopes) {
        assert!(!names(text, &label), "{what} still names {label}:\n{text}");
    }
}

/// What a dialog drawn over a pane says: the text inside its borders, without the pane's own
/// hints behind it (which name the pane's keys, not rebound here).
fn inside_box(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|line| {
            let first = line.find('│')?;
            let last = line.rfind('│')?;
            (last > first).then(|| &line[first + '│'.len_utf8()..last])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn state() -> AppState {
    let mut s = state_for("dfry");
    s.keymap = rebound();
    s
}

fn screen(s: &mut AppState) -> String {
    screen_text(s, 80, 24, &Theme::load("default", false).unwrap())
}

fn press(s: &mut AppState, code: KeyCode, modifiers: KeyModifiers) {
    update(s, Event::Key(KeyEvent::new(code, modifiers)));
}

fn press_action(s: &mut AppState, action: Action) {
    let key: Key = s
        .keymap
        .bindings()
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first().copied())
        .unwrap();
    let m = if key.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    press(s, key.code, m);
}

#[test]
fn the_override_set_rebinds_every_scoped_action() {
    let (defaults, map) = (Keymap::default(), rebound());
    for a in scoped_actions() {
        assert_ne!(defaults.keys_for(a), map.keys_for(a), "{a:?}");
    }
}

#[test]
fn the_cancel_dialog_names_the_keys_in_force() {
    let mut s = state();
    press(&mut s, KeyCode::Down, KeyModifiers::NONE);
    press(&mut s, KeyCode::Down, KeyModifiers::NONE);
    press(&mut s, KeyCode::Char('x'), KeyModifiers::NONE);
    let ask = screen(&mut s);
    assert!(ask.contains("F3 yes, cancel it"), "{ask}");
    assert_names_no_old_key(
        "the cancel question",
        &[Scope::CancelConfirm, Scope::CancelReason],
        &inside_box(&ask),
    );
    // The old keys do nothing now.
    press(&mut s, KeyCode::Char('y'), KeyModifiers::NONE);
    assert!(matches!(
        s.modal,
        Some(Modal::Cancel {
            confirmed: false,
            ..
        })
    ));
    press_action(&mut s, Action::CancelYes);
    let reason = screen(&mut s);
    assert!(reason.contains("F8 keeps the visit"), "{reason}");
    assert_names_no_old_key(
        "the cancel reasons",
        &[Scope::CancelConfirm, Scope::CancelReason],
        &inside_box(&reason),
    );
    press_action(&mut s, Action::CancelBack);
    assert!(s.modal.is_none());
}

#[test]
fn the_quit_question_and_the_help_name_the_keys_in_force() {
    let mut s = state();
    s.modal = Some(Modal::ConfirmQuit);
    let ask = screen(&mut s);
    assert!(ask.contains("F1 quit"), "{ask}");
    assert_names_no_old_key(
        "the quit question",
        &[Scope::QuitConfirm],
        &inside_box(&ask),
    );
    s.modal = None;
    press(&mut s, KeyCode::Char('?'), KeyModifiers::NONE);
    let help = screen(&mut s);
    assert!(help.contains("Keys (F2 closes)"), "{help}");
    press(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(s.modal, Some(Modal::Help)), "Esc no longer closes");
    press_action(&mut s, Action::HelpClose);
    assert!(s.modal.is_none());
}

#[test]
fn the_note_editor_and_its_conflict_name_the_keys_in_force() {
    let mut s = state_for("aruiz");
    s.keymap = rebound();
    s.schedule.selected = Some(1);
    press(&mut s, KeyCode::Char('2'), KeyModifiers::NONE);
    press(&mut s, KeyCode::Char('e'), KeyModifiers::NONE);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            note: None,
        })),
    );
    let editor = screen(&mut s);
    assert!(editor.contains("F9 saves"), "{editor}");
    assert_names_no_old_key("the note editor", &[Scope::NoteEditor], &editor);
    press(&mut s, KeyCode::Char('x'), KeyModifiers::NONE);
    press_action(&mut s, Action::NoteClose);
    let armed = screen(&mut s);
    assert!(armed.contains("Ctrl-W again discards"), "{armed}");
    assert_names_no_old_key("the note editor's discard", &[Scope::NoteEditor], &armed);
    // Typed text stays text: a word no key label is.
    for c in "stiff".chars() {
        press(&mut s, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press_action(&mut s, Action::NoteSave);
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            error: crate::error::AppError::of(
                crate::error::ErrorKind::Conflict,
                "this note was changed on another terminal by bokafor at 09:02",
            ),
            write: true,
        }),
    );
    let said = s.message.clone().map(|(_, m)| m).unwrap_or_default();
    assert!(said.contains("F9 again saves yours over it"), "{said}");
    assert_names_no_old_key("the note's conflict", &[Scope::NoteEditor], &said);
    assert_names_no_old_key(
        "the note editor after a conflict",
        &[Scope::NoteEditor],
        &screen(&mut s),
    );
}

#[test]
fn the_chart_names_the_key_that_closes_it() {
    let mut s = state_for("aruiz");
    s.keymap = rebound();
    s.schedule.selected = Some(1);
    press(&mut s, KeyCode::Char('2'), KeyModifiers::NONE);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(super::fixtures::progress())),
            adherence: Vec::new(),
        })),
    );
    press(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    assert!(s.progress.chart);
    let chart = screen(&mut s);
    let close = s.keymap.label(Action::ChartClose);
    assert!(chart.contains(&format!("({close} closes)")), "{chart}");
    assert!(!chart.contains("(Esc closes)"), "{chart}");
    press(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert!(s.progress.chart, "Esc no longer closes it");
    press_action(&mut s, Action::ChartClose);
    assert!(!s.progress.chart);
}

/// The schedule's messages after a change and a registration name the pane's keys in force.
#[test]
fn the_schedule_messages_name_the_undo_and_book_keys_in_force() {
    use crate::db::schedule::StatusChange;
    use crate::domain::AppointmentStatus;
    use crate::domain::appointment::StatusSnapshot;

    let mut s = state_for("dfry");
    s.keymap = Keymap::with_overrides([("undo", vec!["z"]), ("book", vec!["b"])]).unwrap();
    s.schedule.selected = Some(3);
    press(&mut s, KeyCode::Char('c'), KeyModifiers::NONE);
    let mut after = super::fixtures::visits()[2].clone();
    after.status = AppointmentStatus::CheckedIn;
    after.version = 2;
    update(
        &mut s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: StatusSnapshot {
                status: AppointmentStatus::Scheduled,
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
            },
            visit: after,
        })),
    );
    let said = s.message.clone().map(|(_, m)| m).unwrap_or_default();
    assert!(said.ends_with("(z undoes)"), "{said}");
    update(
        &mut s,
        Event::Reply(Reply::Registered {
            id: 99,
            mrn: "MRN-0099".into(),
        }),
    );
    let said = s.message.clone().map(|(_, m)| m).unwrap_or_default();
    assert!(said.contains("press b to book"), "{said}");
}

#[test]
fn the_forms_name_the_keys_in_force() {
    let form = [Scope::Form];
    let mut s = state();
    press(&mut s, KeyCode::Char('a'), KeyModifiers::NONE);
    let booking = screen(&mut s);
    let save = s.keymap.label(Action::FormSave);
    assert!(booking.contains(&format!("{save} saves")), "{booking}");
    assert_names_no_old_key("the booking form", &form, &inside_box(&booking));
    press(&mut s, KeyCode::Char('z'), KeyModifiers::NONE);
    press_action(&mut s, Action::FormClose);
    assert_names_no_old_key(
        "the booking form's discard",
        &form,
        &inside_box(&screen(&mut s)),
    );
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());
    press(&mut s, KeyCode::Char('N'), KeyModifiers::SHIFT);
    let patient = screen(&mut s);
    assert!(patient.contains("saves on the last"), "{patient}");
    assert_names_no_old_key("the new patient form", &form, &inside_box(&patient));
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());

    let mut s = state_for("aruiz");
    s.keymap = rebound();
    s.schedule.selected = Some(1);
    press(&mut s, KeyCode::Char('2'), KeyModifiers::NONE);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(super::fixtures::progress())),
            adherence: Vec::new(),
        })),
    );
    press(&mut s, KeyCode::Char('r'), KeyModifiers::NONE);
    let record = screen(&mut s);
    assert!(record.contains("on Measure changes it"), "{record}");
    assert_names_no_old_key("the record form", &form, &inside_box(&record));
}

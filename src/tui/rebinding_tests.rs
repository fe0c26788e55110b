//! Every dialog's and the note editor's action rebound to another key: the screens and the
//! messages that name a key name the new one, never the default.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::Event;
use super::fixtures::{press_action, screen_text, state_for};
use super::keymap::{Action, Binding, Key, Keymap, Scope};
use super::modal::Modal;
use super::state::AppState;
use super::theme::Theme;
use super::update::update;
use crate::db::progress_work::ProgressReply;
use crate::db::worker::Reply;

/// Keys no default uses and no text field takes (Ctrl-A/E/U/W/H edit a field, Ctrl-I/J/M are
/// Tab and Enter to a terminal), so that every action can be moved onto one of them.
fn spare_keys() -> Vec<Key> {
    let defaults = Keymap::default();
    let taken: Vec<Key> = defaults
        .bindings()
        .iter()
        .flat_map(|b| b.keys.iter().copied())
        .collect();
    let mut names: Vec<String> = (1..=12).map(|n| format!("f{n}")).collect();
    names.extend((1..=12).map(|n| format!("ctrl-f{n}")));
    names.extend("bdfgklnopqrstvxyz".chars().map(|c| format!("ctrl-{c}")));
    names.extend((0..=9).map(|n| format!("ctrl-{n}")));
    names.extend(["ctrl-up", "ctrl-down", "ctrl-pgup", "ctrl-pgdn", "ctrl-tab"].map(String::from));
    names
        .iter()
        .map(|n| Key::parse(n).unwrap())
        .filter(|k| !taken.contains(k))
        .collect()
}

/// Every action of the app on a spare key: each takes the first spare key that no action it
/// can meet has taken yet.
fn rebound() -> Keymap {
    let defaults = Keymap::default();
    let spare = spare_keys();
    let mut given: Vec<Binding> = Vec::new();
    for b in defaults.bindings() {
        let key = spare
            .iter()
            .find(|k| !given.iter().any(|g| g.keys.contains(k) && g.meets(b, k)))
            .copied()
            .expect("enough spare keys");
        given.push(Binding {
            keys: vec![key],
            ..b.clone()
        });
    }
    let overrides: Vec<(&str, String)> = given
        .iter()
        .map(|b| (b.action.name(), b.keys[0].label()))
        .collect();
    Keymap::with_overrides(overrides.iter().map(|(a, k)| (*a, vec![k.as_str()]))).unwrap()
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
    // A word cut short ("y…" for "your") is a word, not a key; so is "everyone's", and a
    // word of the screen behind a box, cut by its border.
    let part = |c: char| {
        c.is_alphanumeric() || matches!(c, '-' | '…' | '\'' | '’' | '\u{2500}'..='\u{257f}')
    };
    // "e.g." is an abbreviation, not the keys e and g.
    let text = text.replace("e.g.", "eg");
    text.match_indices(label).any(|(at, _)| {
        let mut before = text[..at].chars().rev();
        let joined = match (before.next(), before.next()) {
            (Some(c), _) if part(c) => true,
            // "2/d", a dosage's "per day", against "↑/k", a key's second binding.
            (Some('/'), Some(c)) => c.is_alphanumeric(),
            _ => false,
        };
        !joined && !text[at + label.len()..].chars().next().is_some_and(part)
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

#[test]
fn the_override_set_rebinds_every_action() {
    let (defaults, map) = (Keymap::default(), rebound());
    for b in defaults.bindings() {
        assert_ne!(
            defaults.keys_for(b.action),
            map.keys_for(b.action),
            "{:?}",
            b.action
        );
    }
}

#[test]
fn the_cancel_dialog_names_the_keys_in_force() {
    let mut s = state();
    press_action(&mut s, Action::Down);
    press_action(&mut s, Action::Down);
    press_action(&mut s, Action::Cancel);
    let ask = screen(&mut s);
    let yes = s.keymap.label(Action::CancelYes);
    assert!(ask.contains(&format!("{yes} yes, cancel it")), "{ask}");
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
    let back = s.keymap.label(Action::CancelBack);
    assert!(
        reason.contains(&format!("{back} keeps the visit")),
        "{reason}"
    );
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
    s.asking_quit = true;
    let ask = screen(&mut s);
    let yes = s.keymap.label(Action::QuitYes);
    assert!(ask.contains(&format!("{yes} quit")), "{ask}");
    assert_names_no_old_key(
        "the quit question",
        &[Scope::QuitConfirm],
        &inside_box(&ask),
    );
    s.asking_quit = false;
    press_action(&mut s, Action::Help);
    let help = screen(&mut s);
    let close = s.keymap.label(Action::HelpClose);
    assert!(help.contains(&format!("Keys ({close} closes)")), "{help}");
    press(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert!(
        matches!(s.modal, Some(Modal::Help { .. })),
        "Esc no longer closes"
    );
    press_action(&mut s, Action::HelpClose);
    assert!(s.modal.is_none());
}

#[test]
fn the_note_editor_and_its_conflict_name_the_keys_in_force() {
    let mut s = state_for("aruiz");
    s.keymap = rebound();
    s.schedule.selected = Some(1);
    press_action(&mut s, Action::ShowProgress);
    press_action(&mut s, Action::EditNote);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule: None,
            note: None,
        })),
    );
    let editor = screen(&mut s);
    let save = s.keymap.label(Action::NoteSave);
    assert!(editor.contains(&format!("{save} saves")), "{editor}");
    assert_names_no_old_key("the note editor", &[Scope::NoteEditor], &editor);
    press(&mut s, KeyCode::Char('x'), KeyModifiers::NONE);
    press_action(&mut s, Action::NoteClose);
    let armed = screen(&mut s);
    let close = s.keymap.label(Action::NoteClose);
    assert!(
        armed.contains(&format!("{close} again discards")),
        "{armed}"
    );
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
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Progress,
                write: true,
            },
        }),
    );
    let said = s.message.clone().map(|(_, m)| m).unwrap_or_default();
    assert!(
        said.contains(&format!("{save} again saves yours over it")),
        "{said}"
    );
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
    press_action(&mut s, Action::ShowProgress);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(super::fixtures::progress())),
            adherence: Vec::new(),
        })),
    );
    press_action(&mut s, Action::OpenChart);
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
    press_action(&mut s, Action::Book);
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
    press_action(&mut s, Action::NewPatient);
    let patient = screen(&mut s);
    assert!(patient.contains("saves on the last"), "{patient}");
    assert_names_no_old_key("the new patient form", &form, &inside_box(&patient));
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());

    let mut s = state_for("aruiz");
    s.keymap = rebound();
    s.schedule.selected = Some(1);
    press_action(&mut s, Action::ShowProgress);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(super::fixtures::progress())),
            adherence: Vec::new(),
        })),
    );
    press_action(&mut s, Action::RecordMeasure);
    let record = screen(&mut s);
    assert!(record.contains("on Measure changes it"), "{record}");
    assert_names_no_old_key("the record form", &form, &inside_box(&record));
}

/// Every label any default key prints as: the first key of an action (as hints name it) and
/// each key as help lists it.
fn every_old_label() -> Vec<String> {
    let defaults = Keymap::default();
    let mut labels: Vec<String> = defaults
        .bindings()
        .iter()
        .flat_map(|b| b.keys.iter().map(|k| k.label()))
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// What a screen says besides the header (its date and counts, which name no key): the tabs,
/// the pane, its hints, the message and the status line.
fn below_header(screen: &str) -> String {
    screen.lines().skip(1).collect::<Vec<_>>().join("\n")
}

/// Words that stand on screens as data or prose, never as a key: the article "a", counts
/// ("2 or fewer visits"), "Home exercise adherence".
fn is_prose(label: &str) -> bool {
    matches!(label, "a" | "A" | "1" | "2" | "3" | "4" | "Home")
}

fn assert_no_default_key(what: &str, text: &str) {
    for label in every_old_label() {
        // A count is prose, but "(1)" after "the schedule" names its key.
        let named = if is_prose(&label) {
            text.contains(&format!("({label})"))
        } else {
            names(text, &label)
        };
        assert!(!named, "{what} still names {label}:\n{text}");
    }
}

fn said(s: &AppState) -> String {
    s.message.clone().map(|(_, m)| m).unwrap_or_default()
}

/// Every action on another key, and a walk through every pane, dialog, form, overlay and
/// message that names a key: none still names a default key.
#[test]
fn with_every_action_rebound_no_screen_or_message_names_a_default_key() {
    super::fixtures::walk_every_screen(&rebound(), &mut |s: &mut AppState, what: &str| {
        let text = below_header(&screen(s));
        assert_no_default_key(what, &text);
        assert_no_default_key(&format!("{what}: the message"), &said(s));
    });
}

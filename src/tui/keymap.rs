//! The one table of keys: it drives key handling and generates the `?` help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    ShowSchedule,
    ShowProgress,
    ShowProgram,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    PrevDay,
    NextDay,
    Today,
    Filter,
    ClearFilter,
    ToggleMine,
    CheckIn,
    NoShow,
    Cancel,
    Undo,
    Book,
    Reschedule,
    NewPatient,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Schedule,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Everywhere => "Everywhere",
            Scope::Schedule => "Schedule",
        }
    }
}

/// A key as written in the table: a code plus whether Ctrl is held. Shift is part of the
/// character itself (`G`, `N`), so it is ignored for character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let ev_code = match ev.code {
            // Terminals report Shift-Tab as BackTab, with or without the Shift flag.
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        ev_code == self.code && ctrl == self.ctrl
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

pub struct Binding {
    pub action: Action,
    pub keys: &'static [Key],
    pub scope: Scope,
    pub help: &'static str,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        action: Action::Quit,
        keys: &[
            k('q'),
            Key {
                code: KeyCode::Char('c'),
                ctrl: true,
            },
        ],
        scope: Scope::Everywhere,
        help: "quit",
    },
    Binding {
        action: Action::Help,
        keys: &[k('?')],
        scope: Scope::Everywhere,
        help: "this help",
    },
    Binding {
        action: Action::NextPane,
        keys: &[code(KeyCode::Tab)],
        scope: Scope::Everywhere,
        help: "next pane",
    },
    Binding {
        action: Action::PrevPane,
        keys: &[code(KeyCode::BackTab)],
        scope: Scope::Everywhere,
        help: "previous pane",
    },
    Binding {
        action: Action::ShowSchedule,
        keys: &[k('1')],
        scope: Scope::Everywhere,
        help: "schedule",
    },
    Binding {
        action: Action::ShowProgress,
        keys: &[k('2')],
        scope: Scope::Everywhere,
        help: "patient progress",
    },
    Binding {
        action: Action::ShowProgram,
        keys: &[k('3')],
        scope: Scope::Everywhere,
        help: "home exercise program",
    },
    Binding {
        action: Action::Up,
        keys: &[code(KeyCode::Up), k('k')],
        scope: Scope::Everywhere,
        help: "move up",
    },
    Binding {
        action: Action::Down,
        keys: &[code(KeyCode::Down), k('j')],
        scope: Scope::Everywhere,
        help: "move down",
    },
    Binding {
        action: Action::PageUp,
        keys: &[code(KeyCode::PageUp)],
        scope: Scope::Everywhere,
        help: "page up",
    },
    Binding {
        action: Action::PageDown,
        keys: &[code(KeyCode::PageDown)],
        scope: Scope::Everywhere,
        help: "page down",
    },
    Binding {
        action: Action::First,
        keys: &[k('g'), code(KeyCode::Home)],
        scope: Scope::Everywhere,
        help: "first visit",
    },
    Binding {
        action: Action::Last,
        keys: &[k('G'), code(KeyCode::End)],
        scope: Scope::Everywhere,
        help: "last visit",
    },
    Binding {
        action: Action::PrevDay,
        keys: &[code(KeyCode::Left), k('[')],
        scope: Scope::Everywhere,
        help: "previous day",
    },
    Binding {
        action: Action::NextDay,
        keys: &[code(KeyCode::Right), k(']')],
        scope: Scope::Everywhere,
        help: "next day",
    },
    Binding {
        action: Action::Today,
        keys: &[k('t')],
        scope: Scope::Everywhere,
        help: "today",
    },
    Binding {
        action: Action::Filter,
        keys: &[k('/')],
        scope: Scope::Schedule,
        help: "find patient: name or MRN",
    },
    Binding {
        action: Action::ClearFilter,
        keys: &[code(KeyCode::Esc)],
        scope: Scope::Schedule,
        help: "clear the patient filter",
    },
    Binding {
        action: Action::ToggleMine,
        keys: &[k('m')],
        scope: Scope::Schedule,
        help: "my visits / everyone's",
    },
    Binding {
        action: Action::CheckIn,
        keys: &[k('c')],
        scope: Scope::Schedule,
        help: "check the patient in",
    },
    Binding {
        action: Action::NoShow,
        keys: &[k('n')],
        scope: Scope::Schedule,
        help: "mark a no-show",
    },
    Binding {
        action: Action::Cancel,
        keys: &[k('x')],
        scope: Scope::Schedule,
        help: "cancel (asks y/n, reason)",
    },
    Binding {
        action: Action::Undo,
        keys: &[k('u')],
        scope: Scope::Schedule,
        help: "undo last status change",
    },
    Binding {
        action: Action::Book,
        keys: &[k('a')],
        scope: Scope::Schedule,
        help: "book a visit",
    },
    Binding {
        action: Action::Reschedule,
        keys: &[k('r')],
        scope: Scope::Schedule,
        help: "reschedule the visit",
    },
    Binding {
        action: Action::NewPatient,
        keys: &[k('N')],
        scope: Scope::Schedule,
        help: "register a new patient",
    },
];

/// The action a key means in a pane: pane bindings first, then the global ones.
pub fn action_for(ev: &KeyEvent, in_schedule: bool) -> Option<Action> {
    BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Everywhere || (in_schedule && b.scope == Scope::Schedule))
        .find(|b| b.keys.iter().any(|key| key.matches(ev)))
        .map(|b| b.action)
}

/// The keys bound to an action, as shown to people ("c", "↑/k").
pub fn keys_for(action: Action) -> String {
    BINDINGS
        .iter()
        .find(|b| b.action == action)
        .map(|b| b.keys.iter().map(Key::label).collect::<Vec<_>>().join("/"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                let overlap = a.scope == b.scope
                    || a.scope == Scope::Everywhere
                    || b.scope == Scope::Everywhere;
                for ka in a.keys {
                    assert!(
                        !(overlap && b.keys.contains(ka)),
                        "{:?} and {:?} share {}",
                        a.action,
                        b.action,
                        ka.label()
                    );
                }
            }
        }
    }

    #[test]
    fn shifted_letters_and_back_tab_are_recognised() {
        assert_eq!(
            action_for(&key(KeyCode::Char('G'), KeyModifiers::SHIFT), true),
            Some(Action::Last)
        );
        assert_eq!(
            action_for(&key(KeyCode::BackTab, KeyModifiers::SHIFT), true),
            Some(Action::PrevPane)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('N'), KeyModifiers::SHIFT), true),
            Some(Action::NewPatient)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL), true),
            Some(Action::Quit)
        );
    }

    #[test]
    fn schedule_keys_only_work_in_the_schedule() {
        let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action_for(&c, true), Some(Action::CheckIn));
        assert_eq!(action_for(&c, false), None);
    }
}

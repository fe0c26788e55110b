//! The idle lock: the PIN typed on the lock screen and the database's answers about it.

use crossterm::event::{KeyCode, KeyEvent};

use super::event::Effect;
use super::input::types_text;
use super::keymap::{Action, Scope};
use super::state::{AppState, Level, LockScreen};
use crate::db::worker::{LockReply, Request, WRONG_PINS_AUDITED};
use crate::domain::pin::PinNeed;
use crate::sanitize::clean_line;

/// Keys on the lock screen: digits go into the PIN (up to the longest), Backspace takes one
/// back, the lock's keys clear it or ask the database thread to check it. Nothing reaches
/// the app.
pub fn on_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let unlock = state.keymap.label(Action::LockUnlock);
    let lock = &mut state.lock;
    if lock.checking {
        return Vec::new();
    }
    match state.keymap.resolve(key, Scope::Lock) {
        Some(Action::LockClear) => lock.pin.clear(),
        Some(Action::LockUnlock) if lock.need == PinNeed::Pin && lock.pin.is_empty() => {
            lock.message = Some(format!("type your PIN, then {unlock}"));
        }
        Some(Action::LockUnlock) => {
            lock.checking = true;
            // The field is empty again at once: the PIN lives only in the request.
            let pin = std::mem::take(&mut lock.pin);
            return vec![Effect::Db(Request::Unlock { pin })];
        }
        _ if key.code == KeyCode::Backspace => lock.pin.pop(),
        _ if types_text(key) && lock.need == PinNeed::Pin => {
            if let KeyCode::Char(c) = key.code {
                // Anything but a digit (or a digit past the longest PIN) is not taken.
                lock.pin.push(c);
                lock.message = None;
            }
        }
        _ => {}
    }
    Vec::new()
}

pub fn on_reply(state: &mut AppState, reply: LockReply) -> Vec<Effect> {
    let unlock = state.keymap.label(Action::LockUnlock);
    let lock = &mut state.lock;
    match reply {
        LockReply::Needs(need) => lock.need = need,
        LockReply::Unlocked { by, note } => {
            state.locked = false;
            state.lock = LockScreen::default();
            state.last_key_at = state.now;
            let user = clean_line(&state.info.user);
            let warning = match by {
                PinNeed::Pin => None,
                PinNeed::NoPin => Some(format!(
                    "no PIN set for {user}: set one with `ptclinic staff set-pin`; until then {unlock} opens the lock"
                )),
                PinNeed::NotStaff => Some(format!(
                    "{user} is not on the staff list, so has no PIN: {unlock} opens the lock"
                )),
            };
            match (warning, note) {
                (Some(w), Some(n)) => state.say(Level::Warning, format!("{w}; {n}")),
                (Some(w), None) => state.say(Level::Warning, w),
                (None, Some(n)) => state.say(Level::Warning, n),
                (None, None) => {}
            }
        }
        LockReply::WrongPin { in_a_row } => {
            lock.checking = false;
            lock.message = Some(if in_a_row >= WRONG_PINS_AUDITED {
                format!("wrong PIN ({in_a_row} in a row, recorded in the audit log)")
            } else {
                "wrong PIN".into()
            });
        }
        LockReply::PinNeeded => {
            lock.checking = false;
            lock.need = PinNeed::Pin;
            lock.message = Some(format!("a PIN is set for you now: type it, then {unlock}"));
        }
        LockReply::CannotCheck(why) => {
            lock.checking = false;
            lock.message = Some(why);
        }
    }
    Vec::new()
}

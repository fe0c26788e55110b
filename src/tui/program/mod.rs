//! Pane 3: the selected patient's home exercise program.

pub mod view;

use crossterm::event::KeyEvent;

use super::state::AppState;
use super::update::Effect;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgramPane {}

impl ProgramPane {
    pub fn has_unsaved_edit(&self) -> bool {
        false
    }
}

/// Keys the pane takes before the keymap (while editing); None lets the keymap have them.
pub fn on_key(_state: &mut AppState, _key: &KeyEvent) -> Option<Vec<Effect>> {
    None
}

/// The database's answers to this pane's requests.
pub fn on_reply(
    _state: &mut AppState,
    reply: crate::db::program_work::ProgramReply,
) -> Vec<Effect> {
    match reply {}
}

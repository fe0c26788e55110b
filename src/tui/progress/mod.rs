//! Pane 2: the selected visit's patient and whether they are getting better.

pub mod view;

use crossterm::event::KeyEvent;

use super::state::AppState;
use super::update::Effect;
use crate::db::progress_work::ProgressReply;
use crate::domain::progress::Progress;

#[derive(Debug, Clone, Default)]
pub struct ProgressPane {
    /// The loaded progress and whose it is.
    pub loaded: Option<(i64, Box<Progress>)>,
}

impl PartialEq for ProgressPane {
    fn eq(&self, other: &Self) -> bool {
        self.loaded.as_ref().map(|(id, _)| *id) == other.loaded.as_ref().map(|(id, _)| *id)
    }
}

impl ProgressPane {
    pub fn has_unsaved_edit(&self) -> bool {
        false
    }
}

/// Keys the pane takes before the keymap (while editing); None lets the keymap have them.
pub fn on_key(_state: &mut AppState, _key: &KeyEvent) -> Option<Vec<Effect>> {
    None
}

/// The database's answers to this pane's requests.
pub fn on_reply(state: &mut AppState, reply: ProgressReply) -> Vec<Effect> {
    match reply {
        ProgressReply::Loaded {
            patient_id,
            progress,
        } => {
            if state.selected_visit().map(|v| v.patient_id) == Some(patient_id) {
                state.progress.loaded = progress.map(|p| (patient_id, p));
            }
            Vec::new()
        }
    }
}

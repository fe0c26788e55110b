//! Pane 2: is the selected visit's patient getting better, by enough to matter, and what
//! paperwork is due. Measures with sparklines and MCID status, a chart per measure, today's
//! measures (`r`) and the visit note (`e`).

mod note;
mod record;
#[cfg(test)]
mod tests;
pub mod view;

use crossterm::event::{KeyCode, KeyEvent};

use super::event::Effect;
use super::forms::FormOutcome;
use super::keymap::Action;
use super::state::{AppState, Level, Pane};
use crate::db::progress_work::{ProgressReply, ProgressRequest};
use crate::db::worker::Request;
use crate::domain::flags::Adherence;
use crate::domain::progress::Progress;
pub use note::NoteEditor;
pub use record::RecordForm;

#[derive(Debug, Clone, Default)]
pub struct ProgressPane {
    /// The loaded progress and whose it is.
    pub loaded: Option<(i64, Box<Progress>)>,
    /// Patient-reported adherence, oldest first.
    pub adherence: Vec<Adherence>,
    /// The highlighted measure row.
    pub selected: usize,
    /// The chart of the highlighted measure is open.
    pub chart: bool,
    pub record: Option<RecordForm>,
    pub note: Option<NoteEditor>,
}

impl ProgressPane {
    pub fn has_unsaved_edit(&self) -> bool {
        self.record.as_ref().is_some_and(|f| f.touched)
            || self.note.as_ref().is_some_and(|n| n.dirty)
    }

    /// The progress shown for `patient_id`, if it has arrived.
    pub fn for_patient(&self, patient_id: i64) -> Option<&Progress> {
        self.loaded
            .as_ref()
            .filter(|(id, _)| *id == patient_id)
            .map(|(_, p)| p.as_ref())
    }
}

pub fn load(state: &AppState, opened: bool) -> Vec<Effect> {
    match state.selected_visit() {
        Some(v) => vec![Effect::Db(Request::Progress(ProgressRequest::Load {
            patient_id: v.patient_id,
            today: state.today,
            opened,
        }))],
        None => Vec::new(),
    }
}

fn measure_count(state: &AppState) -> usize {
    let id = state.selected_visit().map(|v| v.patient_id);
    id.and_then(|id| state.progress.for_patient(id))
        .map(|p| p.measures.len())
        .unwrap_or(0)
}

/// Keys the pane takes before the keymap: everything while a form or the note is open, and
/// closing the chart.
pub fn on_key(state: &mut AppState, key: &KeyEvent) -> Option<Vec<Effect>> {
    let patient_id = state.selected_visit().map(|v| v.patient_id);
    let today = state.today;
    if let Some(form) = state.progress.record.as_mut() {
        if form.saving {
            return Some(Vec::new());
        }
        return Some(match form.handle_key(key) {
            FormOutcome::Stay => Vec::new(),
            FormOutcome::Close => {
                state.progress.record = None;
                Vec::new()
            }
            FormOutcome::Submit => match (form.scored(), patient_id) {
                (Err(e), _) => {
                    form.error = Some(e);
                    Vec::new()
                }
                (Ok(_), None) => Vec::new(),
                (Ok(scored), Some(patient_id)) => {
                    form.error = None;
                    form.saving = true;
                    let request = ProgressRequest::Record {
                        patient_id,
                        date: today,
                        scored,
                    };
                    state.begin_write();
                    vec![Effect::Db(Request::Progress(request))]
                }
            },
        });
    }
    if let Some(editor) = state.progress.note.as_mut() {
        if editor.saving {
            return Some(Vec::new());
        }
        return Some(match editor.handle_key(key) {
            FormOutcome::Stay => Vec::new(),
            FormOutcome::Close => {
                state.progress.note = None;
                Vec::new()
            }
            FormOutcome::Submit => match editor.note() {
                Err(e) => {
                    editor.error = Some(e);
                    editor.focus = 4;
                    Vec::new()
                }
                Ok(note) => {
                    editor.error = None;
                    editor.saving = true;
                    let request = ProgressRequest::SaveNote {
                        appointment_id: editor.appointment_id,
                        seen_version: editor.seen_version,
                        note,
                    };
                    state.begin_write();
                    vec![Effect::Db(Request::Progress(request))]
                }
            },
        });
    }
    if state.progress.chart && matches!(key.code, KeyCode::Esc | KeyCode::Enter) {
        state.progress.chart = false;
        return Some(Vec::new());
    }
    None
}

/// Pane 2's commands, and moving between its measures.
pub fn on_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    let n = measure_count(state);
    let sel = state.progress.selected;
    match action {
        Action::Up => state.progress.selected = sel.saturating_sub(1),
        Action::Down => state.progress.selected = (sel + 1).min(n.saturating_sub(1)),
        Action::PageUp | Action::First => state.progress.selected = 0,
        Action::PageDown | Action::Last => state.progress.selected = n.saturating_sub(1),
        Action::OpenChart => {
            if n == 0 {
                state.say(Level::Info, "no measures recorded yet: r records today's");
            } else {
                state.progress.chart = true;
            }
        }
        Action::RecordMeasure => {
            if state.selected_visit().is_none() {
                return Vec::new();
            }
            let code = state
                .selected_visit()
                .and_then(|v| state.progress.for_patient(v.patient_id))
                .and_then(|p| p.measures.get(sel))
                .map(|m| m.def.code);
            state.progress.chart = false;
            state.progress.record = Some(RecordForm::new(code));
        }
        Action::EditNote => {
            let Some(v) = state.selected_visit() else {
                return Vec::new();
            };
            let title = format!(
                "{} {} {}: {}",
                v.start.format("%a %-d %b"),
                v.start.format("%H:%M"),
                v.patient_name,
                v.kind.label()
            );
            let id = v.id;
            state.progress.chart = false;
            state.progress.note = Some(NoteEditor::new(id, title));
            return vec![Effect::Db(Request::Progress(ProgressRequest::LoadNote {
                appointment_id: id,
            }))];
        }
        _ => {}
    }
    Vec::new()
}

/// The database's answers to this pane's requests.
pub fn on_reply(state: &mut AppState, reply: ProgressReply) -> Vec<Effect> {
    match reply {
        ProgressReply::Loaded {
            patient_id,
            progress,
            adherence,
        } => {
            if state.selected_visit().map(|v| v.patient_id) == Some(patient_id) {
                let changed_patient =
                    state.progress.loaded.as_ref().map(|(id, _)| *id) != Some(patient_id);
                state.progress.loaded = progress.map(|p| (patient_id, p));
                state.progress.adherence = adherence;
                if changed_patient {
                    state.progress.selected = 0;
                    state.progress.chart = false;
                }
                let n = measure_count(state);
                state.progress.selected = state.progress.selected.min(n.saturating_sub(1));
            }
            Vec::new()
        }
        ProgressReply::Recorded { code, value, .. } => {
            state.end_write();
            state.progress.record = None;
            state.say(Level::Info, format!("recorded {code} {value}"));
            if state.pane == Pane::Progress {
                load(state, false)
            } else {
                Vec::new()
            }
        }
        ProgressReply::Note {
            appointment_id,
            note,
        } => {
            if let Some(editor) = state
                .progress
                .note
                .as_mut()
                .filter(|e| e.appointment_id == appointment_id)
            {
                editor.load(note);
            }
            Vec::new()
        }
        ProgressReply::NoteSaved { appointment_id, .. } => {
            state.end_write();
            if state
                .progress
                .note
                .as_ref()
                .is_some_and(|e| e.appointment_id == appointment_id)
            {
                state.progress.note = None;
            }
            state.say(Level::Info, "note saved");
            if state.pane == Pane::Progress {
                load(state, false)
            } else {
                Vec::new()
            }
        }
    }
}

/// A failed write while a form or the note is open: the text stays, the reason is shown, and
/// after a conflict the note's stored version is fetched so that a second save is deliberate.
pub fn on_failed_write(state: &mut AppState, message: &str) -> Vec<Effect> {
    if let Some(form) = state.progress.record.as_mut() {
        form.saving = false;
        form.error = Some(message.to_string());
    }
    if let Some(editor) = state.progress.note.as_mut() {
        editor.saving = false;
        editor.error = Some(message.to_string());
        if message.contains("another terminal") {
            return vec![Effect::Db(Request::Progress(ProgressRequest::LoadNote {
                appointment_id: editor.appointment_id,
            }))];
        }
    }
    Vec::new()
}

//! Pane 2: is the selected visit's patient getting better, by enough to matter, and what
//! paperwork is due. Measures with sparklines and MCID status, a chart per measure, today's
//! measures (`r`) and the visit note (`e`).

mod note;
mod record;
#[cfg(test)]
mod tests;
pub mod view;

use crossterm::event::KeyEvent;

use super::event::Effect;
use super::forms::FormOutcome;
use super::keymap::{Action, Keymap, Scope};
use super::pane::{Context, Level, Outcome, Pane};
use crate::db::progress_work::{ProgressReply, ProgressRequest};
use crate::db::worker::Request;
use crate::domain::flags::Adherence;
use crate::domain::progress::Progress;
pub use note::{NoteEditor, NoteOutcome};
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
    /// How the note editor counts units (the `billing_rule` setting).
    pub billing_rule: crate::domain::billing::BillingRule,
    /// What to expect for the patient (whose), once known: the header's line.
    pub expected: Option<(i64, String)>,
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

/// Asks for the selected visit's patient's progress; `opened` audits it as an opening.
pub fn load(ctx: &Context, opened: bool) -> Vec<Effect> {
    match ctx.visit {
        Some(v) => vec![Effect::Db(Request::Progress(ProgressRequest::Load {
            patient_id: v.patient_id,
            today: ctx.today,
            opened,
        }))],
        None => Vec::new(),
    }
}

fn measure_count(pane: &ProgressPane, ctx: &Context) -> usize {
    ctx.patient_id()
        .and_then(|id| pane.for_patient(id))
        .map(|p| p.measures.len())
        .unwrap_or(0)
}

/// Keys the pane takes before the keymap: everything while a form or the note is open, and
/// closing the chart.
pub fn on_key(pane: &mut ProgressPane, ctx: &Context, key: &KeyEvent) -> Option<Outcome> {
    let mut out = Outcome::default();
    if let Some(form) = pane.record.as_mut() {
        if form.saving {
            return Some(out);
        }
        match form.handle_key(key, ctx.keymap) {
            FormOutcome::Stay => {}
            FormOutcome::Close => pane.record = None,
            FormOutcome::Submit => match (form.submission(), ctx.patient_id()) {
                (Err(e), _) => form.error = Some(e),
                (Ok(_), None) => {}
                (Ok(mut scored), Some(patient_id)) => {
                    form.error = None;
                    form.saving = true;
                    let request = if form.is_koos_form() {
                        ProgressRequest::RecordForm {
                            patient_id,
                            date: ctx.today,
                            scored,
                        }
                    } else {
                        ProgressRequest::Record {
                            patient_id,
                            date: ctx.today,
                            scored: scored.remove(0),
                        }
                    };
                    out.write(Effect::Db(Request::Progress(request)));
                }
            },
        }
        return Some(out);
    }
    if let Some(editor) = pane.note.as_mut() {
        if editor.saving {
            return Some(out);
        }
        let appointment_id = editor.appointment_id;
        let outcome = editor.handle_key(key, ctx.keymap);
        let request = match outcome {
            NoteOutcome::Stay => None,
            NoteOutcome::Close => {
                pane.note = None;
                None
            }
            NoteOutcome::Save | NoteOutcome::Sign => match editor.note() {
                Err(e) => {
                    editor.error = Some(e);
                    editor.focus = 4;
                    None
                }
                Ok(note) if outcome == NoteOutcome::Sign => Some(ProgressRequest::SignNote {
                    appointment_id,
                    seen_version: editor.seen_version,
                    // What is typed and not saved yet is saved first: the text signed is the
                    // text on the screen.
                    note: editor.dirty.then_some(note),
                }),
                Ok(note) => Some(ProgressRequest::SaveNote {
                    appointment_id,
                    seen_version: editor.seen_version,
                    note,
                }),
            },
            NoteOutcome::CoSign => Some(ProgressRequest::CoSignNote { appointment_id }),
            NoteOutcome::SaveAddendum => match editor.addendum_text() {
                Some(text) if !text.is_empty() => Some(ProgressRequest::AddAddendum {
                    appointment_id,
                    text,
                }),
                _ => {
                    editor.error = Some(crate::db::note_signing::ADDENDUM_EMPTY.to_string());
                    None
                }
            },
        };
        if let (Some(request), Some(editor)) = (request, pane.note.as_mut()) {
            editor.error = None;
            editor.saving = true;
            editor.signing_sent = matches!(request, ProgressRequest::SignNote { .. });
            out.write(Effect::Db(Request::Progress(request)));
        }
        return Some(out);
    }
    if pane.chart && ctx.keymap.resolve(key, Scope::Chart) == Some(Action::ChartClose) {
        pane.chart = false;
        return Some(out);
    }
    None
}

/// Pane 2's commands, and moving between its measures.
pub fn on_action(pane: &mut ProgressPane, ctx: &Context, action: Action) -> Outcome {
    let mut out = Outcome::default();
    let n = measure_count(pane, ctx);
    let sel = pane.selected;
    match action {
        Action::ShowExpected => {
            if let Some(patient_id) = ctx.patient_id() {
                out.say(
                    Level::Info,
                    "reading the clinic's finished episodes of the last three years…",
                );
                out.effects
                    .push(Effect::Db(Request::Progress(ProgressRequest::Expected {
                        patient_id,
                        today: ctx.today,
                        read: true,
                    })));
            }
        }
        Action::Up => pane.selected = sel.saturating_sub(1),
        Action::Down => pane.selected = (sel + 1).min(n.saturating_sub(1)),
        Action::PageUp | Action::First => pane.selected = 0,
        Action::PageDown | Action::Last => pane.selected = n.saturating_sub(1),
        Action::OpenChart => {
            if n == 0 {
                out.say(
                    Level::Info,
                    format!(
                        "no measures recorded yet: {} records today's",
                        ctx.keymap.label(Action::RecordMeasure)
                    ),
                );
            } else {
                pane.chart = true;
            }
        }
        Action::RecordMeasure => {
            let Some(v) = ctx.visit else {
                return out;
            };
            let code = pane
                .for_patient(v.patient_id)
                .and_then(|p| p.measures.get(sel))
                .map(|m| m.def.code);
            pane.chart = false;
            pane.record = Some(RecordForm::new(code));
        }
        Action::EditNote => {
            let Some(v) = ctx.visit else {
                return out;
            };
            let title = format!(
                "{} {} {}: {}",
                v.start.format("%a %-d %b"),
                v.start.format("%H:%M"),
                v.patient_name,
                v.kind.label()
            );
            pane.chart = false;
            let mut editor = NoteEditor::new(v.id, title);
            editor.rule = pane.billing_rule;
            pane.note = Some(editor);
            out.effects
                .push(Effect::Db(Request::Progress(ProgressRequest::LoadNote {
                    appointment_id: v.id,
                })));
        }
        _ => {}
    }
    out
}

/// The database's answers to this pane's requests.
pub fn on_reply(pane: &mut ProgressPane, ctx: &Context, reply: ProgressReply) -> Outcome {
    let mut out = Outcome::default();
    let reload = |ctx: &Context| {
        if ctx.pane == Pane::Progress {
            load(ctx, false)
        } else {
            Vec::new()
        }
    };
    match reply {
        ProgressReply::Loaded {
            patient_id,
            progress,
            adherence,
        } => {
            if ctx.patient_id() == Some(patient_id) {
                let changed_patient = pane.loaded.as_ref().map(|(id, _)| *id) != Some(patient_id);
                pane.loaded = progress.map(|p| (patient_id, p));
                pane.adherence = adherence;
                if changed_patient {
                    pane.selected = 0;
                    pane.chart = false;
                    // Known already when the clinic's episodes are kept (after a first `x`).
                    out.effects
                        .push(Effect::Db(Request::Progress(ProgressRequest::Expected {
                            patient_id,
                            today: ctx.today,
                            read: false,
                        })));
                }
                let n = measure_count(pane, ctx);
                pane.selected = pane.selected.min(n.saturating_sub(1));
            }
        }
        ProgressReply::Expected {
            patient_id,
            line,
            read,
        } => {
            if ctx.patient_id() == Some(patient_id) {
                if let Some(line) = line {
                    pane.expected = Some((patient_id, line));
                }
                if read {
                    out.clear_message();
                }
            }
        }
        ProgressReply::Recorded { code, value, .. } => {
            out.end_write();
            pane.record = None;
            out.say(Level::Info, format!("recorded {code} {value}"));
            out.effects = reload(ctx);
        }
        ProgressReply::RecordedForm { scores, .. } => {
            out.end_write();
            pane.record = None;
            let scores: Vec<String> = scores.iter().map(|(c, v)| format!("{c} {v}")).collect();
            out.say(
                Level::Info,
                format!("recorded the KOOS: {}", scores.join(", ")),
            );
            out.effects = reload(ctx);
        }
        ProgressReply::Note {
            appointment_id,
            payer_rule,
            note,
        } => {
            if let Some(editor) = pane
                .note
                .as_mut()
                .filter(|e| e.appointment_id == appointment_id)
            {
                // The patient's payer's rule; the terminal's for a payer the record does not list.
                editor.rule = payer_rule.unwrap_or(pane.billing_rule);
                editor.load(note.map(|n| *n));
            }
        }
        ProgressReply::NoteSigned {
            appointment_id,
            signed,
        } => {
            out.end_write();
            let mut said = format!("note signed by {}", signed.signature.written_as);
            if signed.completed_visit {
                said.push_str("; the visit is completed");
            }
            if signed.awaiting_cosign {
                said.push_str("; it awaits a therapist's co-signature");
            }
            out.say(Level::Info, crate::sanitize::clean_line(&said));
            out.effects = after_note_write(pane, ctx, appointment_id);
        }
        ProgressReply::NoteCoSigned { appointment_id } => {
            out.end_write();
            out.say(Level::Info, "note co-signed");
            out.effects = after_note_write(pane, ctx, appointment_id);
        }
        ProgressReply::AddendumAdded { appointment_id } => {
            out.end_write();
            out.say(Level::Info, "addendum added under the note");
            out.effects = after_note_write(pane, ctx, appointment_id);
        }
        ProgressReply::NoteSaved { appointment_id, .. } => {
            out.end_write();
            if pane
                .note
                .as_ref()
                .is_some_and(|e| e.appointment_id == appointment_id)
            {
                pane.note = None;
            }
            out.say(Level::Info, "note saved");
            out.effects = reload(ctx);
        }
    }
    out
}

/// After a signature, a co-signature or an addendum: the editor stays open on the note as
/// stored now (signed, with its addenda), and the pane is read again.
fn after_note_write(pane: &mut ProgressPane, ctx: &Context, appointment_id: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(editor) = pane
        .note
        .as_mut()
        .filter(|e| e.appointment_id == appointment_id)
    {
        editor.saving = false;
        editor.signing_sent = false;
        editor.dirty = false;
        editor.addendum = None;
        effects.push(Effect::Db(Request::Progress(ProgressRequest::LoadNote {
            appointment_id,
        })));
    }
    if ctx.pane == Pane::Progress {
        effects.extend(load(ctx, false));
    }
    effects
}

/// A failed write while a form or the note is open: the text stays, the reason is shown, and
/// after a conflict the note's stored version is fetched so that a second save is deliberate.
/// Returns the effects and the sentence to show: after a note's conflict the store says who
/// changed it, and this adds what to do next with the save key in force.
pub fn on_failed_write(
    pane: &mut ProgressPane,
    error: &crate::error::AppError,
    keymap: &Keymap,
) -> (Vec<Effect>, String) {
    if let Some(form) = pane.record.as_mut() {
        form.saving = false;
        form.error = Some(error.message.clone());
    }
    if let Some(editor) = pane.note.as_mut() {
        editor.saving = false;
        if std::mem::take(&mut editor.signing_sent)
            && error.kind != crate::error::ErrorKind::Conflict
        {
            // The draft may have been saved before the signature was refused: its version is
            // fetched so that the next save is not taken for a conflict. What is typed stays.
            editor.error = Some(error.message.clone());
            let effects = vec![Effect::Db(Request::Progress(ProgressRequest::LoadNote {
                appointment_id: editor.appointment_id,
            }))];
            return (effects, error.message.clone());
        }
        if error.kind == crate::error::ErrorKind::Conflict {
            let shown = format!(
                "{} — reloaded; your text is kept ({} again saves yours over it)",
                error.message,
                keymap.label(Action::NoteSave)
            );
            editor.error = Some(shown.clone());
            let effects = vec![Effect::Db(Request::Progress(ProgressRequest::LoadNote {
                appointment_id: editor.appointment_id,
            }))];
            return (effects, shown);
        }
        editor.error = Some(error.message.clone());
    }
    (Vec::new(), error.message.clone())
}

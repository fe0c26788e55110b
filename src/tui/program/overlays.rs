//! The overlays over the program, each with the keys while it is open: the dosage form, an
//! item's note, the saved versions, the templates and the week's adherence.

use crossterm::event::KeyEvent;

use super::state::{AdherenceForm, DOSAGE_FIELDS, DosageForm, Overlay, ProgramPane};
use super::{program, said_with_length};
use crate::db::program_work::ProgramRequest;
use crate::domain::adherence::{MAX_SESSIONS_PRESCRIBED, MIN_SESSIONS_PRESCRIBED};
use crate::domain::hep::{Program, parse_count};
use crate::tui::input::LineInput;
use crate::tui::keymap::{Action, Scope};
use crate::tui::pane::{Context, Level, Outcome};

/// Keys while an overlay is open: it has them all.
pub(super) fn on_key(pane: &mut ProgramPane, ctx: &Context, key: &KeyEvent) -> Outcome {
    let mut out = Outcome::default();
    let Some(overlay) = pane.overlay.take() else {
        return out;
    };
    let keep = match overlay {
        Overlay::Dosage(form) => dosage_key(pane, ctx, form, key, &mut out),
        Overlay::Note {
            index,
            mut editor,
            initial,
        } => {
            if ctx.keymap.resolve(key, Scope::ItemNote) == Some(Action::ItemNoteDone) {
                let text = editor.lines().join("\n").trim().to_string();
                if let Some(item) = pane
                    .draft_of(ctx.patient_id())
                    .and_then(|d| d.items.get_mut(index))
                {
                    item.note = (!text.is_empty()).then_some(text);
                }
                None
            } else {
                editor.input(*key);
                Some(Overlay::Note {
                    index,
                    editor,
                    initial,
                })
            }
        }
        Overlay::Versions { cursor, preview } => {
            versions_key(pane, ctx, cursor, preview, key, &mut out)
        }
        Overlay::Templates { cursor, naming } => {
            templates_key(pane, ctx, cursor, naming, key, &mut out)
        }
        Overlay::Adherence(form) => adherence_key(pane, ctx, form, key, &mut out),
    };
    if pane.overlay.is_none() {
        pane.overlay = keep;
    }
    out
}

fn dosage_key(
    pane: &mut ProgramPane,
    ctx: &Context,
    mut form: Box<DosageForm>,
    key: &KeyEvent,
    out: &mut Outcome,
) -> Option<Overlay> {
    let last = DOSAGE_FIELDS.len() - 1;
    match ctx.keymap.resolve(key, Scope::Form) {
        Some(Action::FormClose) => return None,
        Some(Action::FormNext) => form.focus = (form.focus + 1).min(last),
        Some(Action::FormPrev) => form.focus = form.focus.saturating_sub(1),
        Some(Action::FormSave) => match form.dosage() {
            Ok(d) => {
                if let Some(item) = pane
                    .draft_of(ctx.patient_id())
                    .and_then(|dr| dr.items.get_mut(form.index))
                {
                    item.dosage = d;
                    let text = format!("{}: {}", item.name, item.dosage.plain());
                    out.say(Level::Info, text);
                }
                return None;
            }
            Err((field, e)) => {
                form.focus = field;
                form.error = Some(e);
            }
        },
        _ => {
            form.fields[form.focus].handle(key);
        }
    }
    Some(Overlay::Dosage(form))
}

fn versions_key(
    pane: &mut ProgramPane,
    ctx: &Context,
    mut cursor: usize,
    preview: Option<Program>,
    key: &KeyEvent,
    out: &mut Outcome,
) -> Option<Overlay> {
    let draft = pane.draft_of(ctx.patient_id())?;
    let last = draft.versions.len().saturating_sub(1);
    let patient_id = draft.patient_id;
    match ctx.keymap.resolve(key, Scope::Versions) {
        Some(Action::ListClose) if preview.is_some() => {
            return Some(Overlay::Versions {
                cursor,
                preview: None,
            });
        }
        Some(Action::ListClose) => return None,
        Some(Action::ListUp) => cursor = cursor.saturating_sub(1),
        Some(Action::ListDown) => cursor = (cursor + 1).min(last),
        Some(Action::ListPick) => {
            let version_no = draft.versions[cursor.min(last)].version_no;
            out.effects.push(program(ProgramRequest::Version {
                patient_id,
                version_no,
            }));
            return Some(Overlay::Versions { cursor, preview });
        }
        Some(Action::VersionUse) => {
            if let Some(p) = preview.as_ref() {
                draft.items = p.items.clone();
                let text = format!(
                    "version {} copied into the program: {} saves it as a new version",
                    p.version_no,
                    ctx.keymap.label(Action::HepSave)
                );
                pane.cursor = 0;
                out.say(Level::Info, text);
                return None;
            }
        }
        _ => {}
    }
    let preview = preview.filter(|p| {
        pane.draft_of(ctx.patient_id())
            .and_then(|d| d.versions.get(cursor))
            .is_some_and(|v| v.version_no == p.version_no)
    });
    Some(Overlay::Versions { cursor, preview })
}

fn templates_key(
    pane: &mut ProgramPane,
    ctx: &Context,
    mut cursor: usize,
    naming: Option<LineInput>,
    key: &KeyEvent,
    out: &mut Outcome,
) -> Option<Overlay> {
    if let Some(mut name) = naming {
        // Naming is a form of one field: its keys save and close it.
        match ctx.keymap.resolve(key, Scope::Form) {
            Some(Action::FormClose) => {
                return Some(Overlay::Templates {
                    cursor,
                    naming: None,
                });
            }
            Some(Action::FormSave | Action::FormSaveNow) => {
                let text = name.text().trim().to_string();
                let items = pane.draft_of(ctx.patient_id()).map(|d| d.items.clone())?;
                if text.is_empty() {
                    out.say(Level::Warning, "type a name for the template");
                } else if items.is_empty() {
                    out.say(Level::Warning, "a template needs at least one exercise");
                } else {
                    out.write(program(ProgramRequest::SaveTemplate { name: text, items }));
                    return None;
                }
            }
            _ => {
                name.handle(key);
            }
        }
        return Some(Overlay::Templates {
            cursor,
            naming: Some(name),
        });
    }
    let last = pane.templates.len();
    match ctx.keymap.resolve(key, Scope::List) {
        Some(Action::ListClose) => return None,
        Some(Action::ListUp) => cursor = cursor.saturating_sub(1),
        Some(Action::ListDown) => cursor = (cursor + 1).min(last),
        Some(Action::ListPick) if cursor == 0 => {
            return Some(Overlay::Templates {
                cursor,
                naming: Some(LineInput::default()),
            });
        }
        Some(Action::ListPick) => {
            let t = pane.templates.get(cursor - 1).cloned()?;
            let draft = pane.draft_of(ctx.patient_id())?;
            let mut added = 0;
            for item in t.items {
                if !draft
                    .items
                    .iter()
                    .any(|i| i.exercise_id == item.exercise_id)
                {
                    draft.items.push(item);
                    added += 1;
                }
            }
            let said = format!(
                "added {added} exercises from \"{}\" ({} saves)",
                t.name,
                ctx.keymap.label(Action::HepSave)
            );
            said_with_length(pane, said, out);
            return None;
        }
        _ => {}
    }
    Some(Overlay::Templates {
        cursor,
        naming: None,
    })
}

fn adherence_key(
    pane: &mut ProgramPane,
    ctx: &Context,
    mut form: AdherenceForm,
    key: &KeyEvent,
    out: &mut Outcome,
) -> Option<Overlay> {
    match ctx.keymap.resolve(key, Scope::Form) {
        Some(Action::FormClose) => return None,
        // Two fields: either way is the other one.
        Some(Action::FormNext | Action::FormPrev) => form.focus = 1 - form.focus,
        Some(Action::FormSave) => {
            let prescribed = parse_count(
                form.prescribed.text(),
                "sessions prescribed",
                MIN_SESSIONS_PRESCRIBED,
                MAX_SESSIONS_PRESCRIBED,
            );
            let checked = prescribed.and_then(|p| {
                let p = p.ok_or("type the sessions prescribed in the last week".to_string())?;
                let d = parse_count(form.done.text(), "sessions done", 0, p)?
                    .ok_or("type the sessions done in the last week".to_string())?;
                Ok((d, p))
            });
            match checked {
                Ok((done, prescribed)) => {
                    let patient_id = pane.draft_of(ctx.patient_id()).map(|d| d.patient_id)?;
                    out.write(program(ProgramRequest::Adherence {
                        patient_id,
                        on: ctx.today,
                        done,
                        prescribed,
                    }));
                    return None;
                }
                Err(e) => form.error = Some(e),
            }
        }
        _ => {
            let field = if form.focus == 0 {
                &mut form.done
            } else {
                &mut form.prescribed
            };
            field.handle(key);
        }
    }
    Some(Overlay::Adherence(form))
}

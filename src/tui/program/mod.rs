//! Pane 3: the selected visit's patient's home exercise program. The exercise search (with
//! clinicians' shorthand) on one side, the program being built on the other; dosage edited in
//! place, a note in a text area, saves as new versions, templates, the handout and adherence.
//!
//! Matching runs synchronously on each keystroke: on the bench (`benches/exercise_search.rs`,
//! 5,000 exercises, a busy 2-core machine) a query takes 0.3 to 1.7 ms, about 1 ms a keystroke
//! typing "hamstring st", under the 2 ms budget; the clinic's library is 306, so typing never
//! waits for it.

mod merge;
mod overlays;
mod state;
pub mod view;

#[cfg(test)]
mod tests;

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::event::Effect;
use super::input::LineInput;
use super::keymap::{Action, Scope};
use super::pane::{Context, Level, Outcome};
use crate::db::outbox::ForPatient;
use crate::db::program_work::{HandoutTo, ProgramReply, ProgramRequest};
use crate::db::worker::Request;
use crate::domain::flags::THRESHOLDS;
use crate::domain::hep::{ProgramItem, REGIONS, WARN_ABOVE, sessions_prescribed};
use crate::domain::messages::Purpose;
use crate::search::exercises::ExerciseIndex;
pub use state::{
    AdherenceForm, DOSAGE_FIELDS, DosageForm, Draft, Focus, Library, Overlay, ProgramPane,
};

fn program(r: ProgramRequest) -> Effect {
    Effect::Db(Request::Program(r))
}

/// Requests for pane 3 when it is shown for a visit's patient: the library (once) and the
/// patient's program (the opening is audited).
pub fn on_shown(pane: &ProgramPane, patient_id: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    if pane.library.is_none() {
        effects.push(program(ProgramRequest::Library));
    }
    effects.push(program(ProgramRequest::Open {
        patient_id,
        opened: true,
    }));
    effects
}

/// The shown patient's program read again after another terminal changed the record (not a
/// new opening, so not audited as one).
pub fn on_refresh(patient_id: i64) -> Effect {
    program(ProgramRequest::Open {
        patient_id,
        opened: false,
    })
}

/// Keys the pane takes before the keymap (while editing); None lets the keymap have them.
pub fn on_key(pane: &mut ProgramPane, ctx: &Context, key: &KeyEvent) -> Option<Outcome> {
    if pane.overlay.is_some() {
        return Some(overlays::on_key(pane, ctx, key));
    }
    if pane.typing {
        if let Some(out) = on_search_key(pane, ctx, key) {
            return Some(out);
        }
    }
    let action = ctx.keymap.action_for(key, Scope::Program)?;
    let moves = |cur: usize, len: usize, a: Action, page: usize| -> Option<usize> {
        let last = len.saturating_sub(1);
        Some(match a {
            Action::Up => cur.saturating_sub(1),
            Action::Down => (cur + 1).min(last),
            Action::PageUp => cur.saturating_sub(page),
            Action::PageDown => (cur + page).min(last),
            Action::First => 0,
            Action::Last => last,
            _ => return None,
        })
    };
    let page = ctx.page_size.max(1);
    match pane.focus {
        Focus::Program => {
            let len = pane.draft.as_ref().map_or(0, |d| d.items.len());
            pane.cursor = moves(pane.cursor, len, action, page)?;
        }
        Focus::Search => {
            pane.hit_cursor = moves(pane.hit_cursor, pane.hits.len(), action, page)?;
        }
    }
    let mut out = Outcome::default();
    out.clear_message();
    Some(out)
}

/// Keys while typing a search: characters and the field's editing keys go into it, its own
/// keys add the highlighted exercise or stop. None hands any other key on: the list's moves
/// keep the search going, the region filter too; anything else ends the typing first.
fn on_search_key(pane: &mut ProgramPane, ctx: &Context, key: &KeyEvent) -> Option<Outcome> {
    match ctx.keymap.resolve(key, Scope::SearchTyping) {
        Some(Action::SearchAdd) => return Some(add_highlighted(pane, ctx)),
        Some(Action::SearchDone) => {
            pane.typing = false;
            pane.focus = Focus::Program;
            return Some(Outcome::default());
        }
        _ => {}
    }
    let edit = pane.query.handle(key);
    if edit.changed() {
        pane.refresh_hits();
    }
    if edit.taken() {
        return Some(Outcome::default());
    }
    let keeps_typing = matches!(
        ctx.keymap.action_for(key, Scope::Program),
        Some(Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::HepRegion)
    );
    if !keeps_typing {
        pane.typing = false;
    }
    None
}

fn cycle_region(pane: &mut ProgramPane) {
    let at = pane
        .region
        .and_then(|r| REGIONS.iter().position(|(code, _)| *code == r));
    pane.region = match at {
        None => Some(REGIONS[0].0),
        Some(i) if i + 1 < REGIONS.len() => Some(REGIONS[i + 1].0),
        Some(_) => None,
    };
    pane.refresh_hits();
}

/// Says what was added, with a warning once the program grows long.
fn said_with_length(pane: &ProgramPane, said: String, out: &mut Outcome) {
    let n = pane.draft.as_ref().map_or(0, |d| d.items.len());
    if n > WARN_ABOVE {
        out.say(
            Level::Warning,
            format!("{said}; {n} exercises: adherence falls as programs grow (3 to 6 is usual)"),
        );
    } else {
        out.say(Level::Info, said);
    }
}

fn add_highlighted(pane: &mut ProgramPane, ctx: &Context) -> Outcome {
    let mut out = Outcome::default();
    let Some(ex) = pane.highlighted().cloned() else {
        out.say(Level::Info, "no exercise matches: change the search");
        return out;
    };
    let Some(draft) = pane.draft_of(ctx.patient_id()) else {
        out.say(Level::Info, "the patient's program is still loading");
        return out;
    };
    let item = ProgramItem::from_exercise(&ex);
    let said = format!("added {} ({})", ex.name, item.dosage.short());
    draft.items.push(item);
    let n = draft.items.len();
    pane.cursor = n - 1;
    pane.query.clear();
    pane.refresh_hits();
    said_with_length(pane, said, &mut out);
    out
}

/// Pane 3's commands from the keymap.
pub fn on_action(pane: &mut ProgramPane, ctx: &Context, action: Action) -> Outcome {
    let mut out = Outcome::default();
    if action == Action::HepSearch {
        pane.typing = true;
        pane.focus = Focus::Search;
        if pane.hits.is_empty() {
            pane.refresh_hits();
        }
        return out;
    }
    if action == Action::HepRegion {
        cycle_region(pane);
        return out;
    }
    if action == Action::HepTemplates {
        if pane.draft_of(ctx.patient_id()).is_none() {
            return loading(ctx);
        }
        pane.overlay = Some(Overlay::Templates {
            cursor: 0,
            naming: None,
        });
        return out;
    }
    let dir = pane.handout_dir.clone();
    let cursor = pane.cursor;
    let Some(draft) = pane.draft_of(ctx.patient_id()) else {
        return loading(ctx);
    };
    let n = draft.items.len();
    let has_item = cursor < n;
    match action {
        Action::HepEdit if has_item => {
            let form = DosageForm::new(cursor, &draft.items[cursor].dosage);
            pane.overlay = Some(Overlay::Dosage(Box::new(form)));
        }
        Action::HepNote if has_item => {
            let note = draft.items[cursor].note.clone().unwrap_or_default();
            let mut editor = TextArea::new(note.lines().map(String::from).collect());
            editor.set_placeholder_text(format!(
                "A note for the patient ({}: done)",
                ctx.keymap.label(Action::ItemNoteDone)
            ));
            pane.overlay = Some(Overlay::Note {
                index: cursor,
                editor: Box::new(editor),
                initial: note,
            });
        }
        Action::HepRemove if has_item => {
            let gone = draft.items.remove(cursor);
            pane.cursor = cursor.min(n.saturating_sub(2));
            out.say(
                Level::Info,
                format!(
                    "removed {} ({} saves)",
                    gone.name,
                    ctx.keymap.label(Action::HepSave)
                ),
            );
        }
        Action::HepMoveUp if has_item && cursor > 0 => {
            draft.items.swap(cursor, cursor - 1);
            pane.cursor = cursor - 1;
        }
        Action::HepMoveDown if has_item && cursor + 1 < n => {
            draft.items.swap(cursor, cursor + 1);
            pane.cursor = cursor + 1;
        }
        Action::HepEdit
        | Action::HepNote
        | Action::HepRemove
        | Action::HepMoveUp
        | Action::HepMoveDown => {}
        Action::HepSave => {
            if draft.sending.is_some() && ctx.pending_writes > 0 {
                out.say(Level::Info, "still saving…");
                return out;
            }
            if !draft.is_dirty() {
                let text = match draft.base_version {
                    0 => format!(
                        "nothing to save yet: {} finds exercises to add",
                        ctx.keymap.label(Action::HepSearch)
                    ),
                    v => format!("nothing changed since version {v}"),
                };
                out.say(Level::Info, text);
                return out;
            }
            draft.sending = Some(draft.items.clone());
            out.write(program(ProgramRequest::Save {
                patient_id: draft.patient_id,
                based_on: draft.base_version,
                items: draft.items.clone(),
            }));
        }
        Action::HepVersions => {
            if draft.versions.is_empty() {
                out.say(
                    Level::Info,
                    format!(
                        "no saved versions yet: {} saves the program",
                        ctx.keymap.label(Action::HepSave)
                    ),
                );
            } else {
                pane.overlay = Some(Overlay::Versions {
                    cursor: 0,
                    preview: None,
                });
            }
        }
        Action::HepPrint | Action::HepEmail => {
            let (verb, to_do) = if action == Action::HepEmail {
                ("emails", "email")
            } else {
                ("prints", "print")
            };
            if draft.is_dirty() {
                out.say(
                    Level::Warning,
                    format!(
                        "save the program first ({}): the handout {verb} the saved version",
                        ctx.keymap.label(Action::HepSave)
                    ),
                );
                return out;
            }
            if draft.base_version == 0 {
                out.say(
                    Level::Info,
                    format!(
                        "nothing saved to {to_do} yet: {} saves the program",
                        ctx.keymap.label(Action::HepSave)
                    ),
                );
                return out;
            }
            let to = if action == Action::HepEmail {
                HandoutTo::Email
            } else {
                HandoutTo::File(dir)
            };
            out.write(program(ProgramRequest::Handout {
                patient_id: draft.patient_id,
                today: ctx.today,
                to,
            }));
        }
        Action::HepAdherence => {
            let items = if draft.saved.is_empty() {
                &draft.items
            } else {
                &draft.saved
            };
            let prescribed = sessions_prescribed(items);
            pane.overlay = Some(Overlay::Adherence(AdherenceForm {
                done: LineInput::default(),
                prescribed: LineInput::with_text(&prescribed.to_string()),
                focus: 0,
                error: None,
            }));
        }
        _ => {}
    }
    out
}

fn loading(ctx: &Context) -> Outcome {
    let text = if ctx.visit.is_none() {
        format!(
            "select a visit in the schedule ({}) first",
            ctx.keymap.label(Action::ShowSchedule)
        )
    } else {
        "the patient's program is still loading".to_string()
    };
    let mut out = Outcome::default();
    out.say(Level::Info, text);
    out
}

/// The database's answers to this pane's requests.
pub fn on_reply(pane: &mut ProgramPane, ctx: &Context, reply: ProgramReply) -> Outcome {
    let mut out = Outcome::default();
    match reply {
        ProgramReply::Library {
            exercises,
            templates,
        } => {
            let index = ExerciseIndex::new(&exercises);
            pane.library = Some(Library { exercises, index });
            pane.templates = templates;
            pane.refresh_hits();
        }
        ProgramReply::Opened {
            program,
            versions,
            adherence,
        } => {
            if ctx.patient_id() != Some(program.patient_id) {
                return out;
            }
            let merged = merge::opened(
                merge::Held {
                    shown: pane.draft.take(),
                    parked: std::mem::take(&mut pane.parked),
                    editing: pane.overlay.as_ref().is_some_and(Overlay::is_dirty),
                },
                program,
                versions,
                adherence,
            );
            if merged.switched {
                pane.cursor = 0;
            }
            if merged.switched || merged.editor_stale {
                pane.overlay = None;
            }
            let n = merged.draft.items.len();
            pane.cursor = pane.cursor.min(n.saturating_sub(1));
            if let Some((level, text)) = merged.note() {
                out.say(level, text);
            }
            pane.draft = Some(merged.draft);
            pane.parked = merged.parked;
        }
        ProgramReply::Version(p) => {
            let shown = ctx.patient_id() == Some(p.patient_id);
            if let Some(Overlay::Versions { preview, .. }) = pane.overlay.as_mut() {
                if shown {
                    *preview = Some(p);
                }
            }
        }
        ProgramReply::Saved {
            patient_id,
            version,
        } => {
            out.end_write();
            let shown = ctx.patient_id() == Some(patient_id);
            if let Some(d) = pane.any_draft(patient_id) {
                d.base_version = version.version_no;
                d.saved = d.sending.take().unwrap_or_else(|| d.items.clone());
                d.versions.insert(0, version.clone());
            }
            pane.parked.retain(Draft::is_dirty);
            let who = if shown { "" } else { " (another patient's)" };
            out.say(
                Level::Info,
                format!(
                    "saved version {}{who} with {} exercises: p prints the handout",
                    version.version_no, version.exercises
                ),
            );
        }
        ProgramReply::Stale { patient_id, latest } => {
            out.end_write();
            if let Some(d) = pane.any_draft(patient_id) {
                d.sending = None;
                d.base_version = latest.version_no;
                if !d.versions.iter().any(|v| v.version_no == latest.version_no) {
                    d.versions.insert(0, latest.clone());
                }
            }
            out.say(Level::Warning, merge::saved_meanwhile(&latest));
        }
        ProgramReply::TemplateSaved(t) => {
            out.end_write();
            let said = format!(
                "saved template \"{}\" with {} exercises",
                t.name,
                t.items.len()
            );
            pane.templates.retain(|x| x.id != t.id);
            pane.templates.push(t);
            pane.templates.sort_by_key(|t| t.name.to_lowercase());
            out.say(Level::Info, said);
        }
        ProgramReply::AdherenceRecorded {
            patient_id,
            adherence,
        } => {
            out.end_write();
            let latest = adherence.last().cloned();
            if let Some(d) = pane.any_draft(patient_id) {
                d.adherence = adherence;
            }
            if let Some(r) = latest {
                let text = format!(
                    "recorded adherence: {} of {} sessions ({}%)",
                    r.done,
                    r.prescribed,
                    r.percent()
                );
                if r.is_low(&THRESHOLDS) {
                    let under = THRESHOLDS.adherence_low_percent;
                    out.say(
                        Level::Warning,
                        format!("{text}, under {under}%: flagged ADH"),
                    );
                } else {
                    out.say(Level::Info, text);
                }
            }
        }
        ProgramReply::HandoutReady {
            patient_id,
            data,
            today,
            to: HandoutTo::File(dir),
        } => match crate::export::handout::stage_html(&data, dir.as_deref(), today) {
            // The write asked for by `p` goes on: the database audits it, then puts it in place.
            Ok(staged) => out.effects.push(program(ProgramRequest::HandoutStaged {
                patient_id,
                version_no: data.version_no,
                exercises: data.items.len(),
                file: crate::files::StagedFile::new(staged),
            })),
            Err(e) => {
                out.end_write();
                out.say(Level::Error, e.message);
            }
        },
        ProgramReply::HandoutReady {
            patient_id,
            data,
            to: HandoutTo::Email,
            ..
        } => {
            // The email asked for by its key goes on: the outbox queues it, audited.
            let emailed = crate::export::handout::for_email(&data);
            out.effects.push(program(ProgramRequest::Email(ForPatient {
                patient_id,
                purpose: Purpose::HomeProgram,
                therapist_name: data.therapist.clone(),
                text: crate::export::handout::text(&emailed),
                html: crate::export::handout::html(&emailed),
            })));
        }
        ProgramReply::EmailQueued { to, .. } => {
            out.end_write();
            out.say(
                Level::Info,
                format!(
                    "the program is in the outbox for {}: it goes from the terminal or the run that sends messages",
                    crate::sanitize::clean_line(&to)
                ),
            );
        }
        ProgramReply::HandoutWritten { path, .. } => {
            out.end_write();
            out.say(Level::Info, format!("handout written to {path}"));
        }
    }
    out
}

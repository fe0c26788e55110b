//! Pane 3: the selected visit's patient's home exercise program. The exercise search (with
//! clinicians' shorthand) on one side, the program being built on the other; dosage edited in
//! place, a note in a text area, saves as new versions, templates, the handout and adherence.
//!
//! Matching runs synchronously on each keystroke: on the bench (`benches/exercise_search.rs`,
//! 5,000 exercises, a busy 2-core machine) a query takes 0.3 to 1.7 ms, about 1 ms a keystroke
//! typing "hamstring st", under the 2 ms budget; the clinic's library is 306, so typing never
//! waits for it.

pub mod view;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::event::Effect;
use super::input::LineInput;
use super::keymap::{Action, Scope};
use super::state::{AppState, Level};
use crate::db::program_work::{ProgramReply, ProgramRequest};
use crate::db::worker::Request;
use crate::domain::hep::{
    AdherenceReport, Dosage, Exercise, Program, ProgramItem, REGIONS, Side, Template, VersionInfo,
    WARN_ABOVE, parse_count, sessions_prescribed,
};
use crate::search::exercises::{ExerciseHit, ExerciseIndex};

/// How many search results get their matched letters worked out (more than fit on a screen).
const SHOWN_HITS: usize = 60;

/// The exercise library, prepared for searching.
pub struct Library {
    pub exercises: Vec<Exercise>,
    pub index: ExerciseIndex,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Library({} exercises)", self.exercises.len())
    }
}

/// A patient's program as being edited, with what is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub patient_id: i64,
    /// The saved version this draft builds on (0: none yet).
    pub base_version: i64,
    pub saved: Vec<ProgramItem>,
    pub items: Vec<ProgramItem>,
    pub versions: Vec<VersionInfo>,
    pub adherence: Vec<AdherenceReport>,
    /// The items sent to be saved, until the answer comes.
    pub sending: Option<Vec<ProgramItem>>,
}

impl Draft {
    fn from_program(
        p: Program,
        versions: Vec<VersionInfo>,
        adherence: Vec<AdherenceReport>,
    ) -> Self {
        Self {
            patient_id: p.patient_id,
            base_version: p.version_no,
            saved: p.items.clone(),
            items: p.items,
            versions,
            adherence,
            sending: None,
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.items != self.saved
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Search,
    #[default]
    Program,
}

/// The dosage fields as edited in place: sets, reps, hold, times a day, days a week, side,
/// load.
pub const DOSAGE_FIELDS: [&str; 7] = [
    "Sets",
    "Reps",
    "Hold (s)",
    "Times/day",
    "Days/week",
    "Side l/r/b",
    "Load/band",
];

#[derive(Debug, Clone, PartialEq)]
pub struct DosageForm {
    pub index: usize,
    pub fields: [LineInput; 7],
    pub initial: [String; 7],
    pub focus: usize,
    pub error: Option<String>,
}

fn opt_text(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

impl DosageForm {
    fn new(index: usize, d: &Dosage) -> Self {
        let texts = [
            opt_text(d.sets),
            opt_text(d.reps),
            opt_text(d.hold_seconds),
            opt_text(d.times_per_day),
            opt_text(d.days_per_week),
            d.side.map(|s| s.as_str().to_string()).unwrap_or_default(),
            d.load.clone().unwrap_or_default(),
        ];
        Self {
            index,
            fields: texts.clone().map(|t| LineInput::with_text(&t)),
            initial: texts,
            focus: 0,
            error: None,
        }
    }

    fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, i)| f.text() != i)
    }

    /// The dosage typed, or the first field's problem (and which field).
    fn dosage(&self) -> Result<Dosage, (usize, String)> {
        let t = |i: usize| self.fields[i].text();
        let count =
            |i: usize, what: &str, min, max| parse_count(t(i), what, min, max).map_err(|e| (i, e));
        let side = match t(5).trim() {
            "" => None,
            s => Some(
                Side::parse(s).ok_or((5, "side is l (left), r (right) or b (both)".to_string()))?,
            ),
        };
        let load = crate::sanitize::clean_line(t(6)).trim().to_string();
        Ok(Dosage {
            sets: count(0, "sets", 1, 20)?,
            reps: count(1, "reps", 1, 200)?,
            hold_seconds: count(2, "hold", 0, 600)?,
            times_per_day: count(3, "times a day", 1, 12)?,
            days_per_week: count(4, "days a week", 1, 7)?,
            side,
            load: (!load.is_empty()).then_some(load),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdherenceForm {
    pub done: LineInput,
    pub prescribed: LineInput,
    /// 0: sessions done, 1: prescribed.
    pub focus: usize,
    pub error: Option<String>,
}

/// What sits over the program while it has the keys.
#[derive(Debug, Clone)]
pub enum Overlay {
    Dosage(Box<DosageForm>),
    Note {
        index: usize,
        editor: Box<TextArea<'static>>,
        initial: String,
    },
    Versions {
        cursor: usize,
        preview: Option<Program>,
    },
    Templates {
        cursor: usize,
        /// Typing the name to save the program under.
        naming: Option<LineInput>,
    },
    Adherence(AdherenceForm),
}

impl Overlay {
    fn is_dirty(&self) -> bool {
        match self {
            Overlay::Dosage(f) => f.is_dirty(),
            Overlay::Note {
                editor, initial, ..
            } => editor.lines().join("\n") != *initial,
            Overlay::Templates {
                naming: Some(n), ..
            } => !n.is_empty(),
            Overlay::Adherence(f) => !f.done.is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Default)]
pub struct ProgramPane {
    pub library: Option<Library>,
    pub templates: Vec<Template>,
    /// The shown patient's program.
    pub draft: Option<Draft>,
    /// Other patients' programs with unsaved changes, kept until saved or dropped on quit.
    pub parked: Vec<Draft>,
    pub focus: Focus,
    pub query: LineInput,
    /// True while the cursor is in the search box.
    pub typing: bool,
    /// Only exercises of this region (a code from `REGIONS`).
    pub region: Option<&'static str>,
    pub hits: Vec<ExerciseHit>,
    pub hit_cursor: usize,
    /// The selected line of the program.
    pub cursor: usize,
    pub overlay: Option<Overlay>,
    /// Where `p` writes handouts (None: the data folder's `handouts/`).
    pub handout_dir: Option<PathBuf>,
}

impl ProgramPane {
    pub fn has_unsaved_edit(&self) -> bool {
        self.draft.as_ref().is_some_and(Draft::is_dirty)
            || self.parked.iter().any(Draft::is_dirty)
            || self.overlay.as_ref().is_some_and(Overlay::is_dirty)
    }

    /// Reruns the search for the typed query and the region filter.
    pub fn refresh_hits(&mut self) {
        let Some(lib) = &self.library else {
            self.hits.clear();
            return;
        };
        self.hits = lib.index.search(self.query.text(), self.region, SHOWN_HITS);
        self.hit_cursor = 0;
    }

    pub fn highlighted(&self) -> Option<&Exercise> {
        let lib = self.library.as_ref()?;
        let hit = self.hits.get(self.hit_cursor)?;
        lib.exercises.get(hit.index)
    }
}

fn selected_patient(state: &AppState) -> Option<i64> {
    state.selected_visit().map(|v| v.patient_id)
}

/// The shown patient's draft, if it is loaded.
fn draft_mut(state: &mut AppState) -> Option<&mut Draft> {
    let id = selected_patient(state)?;
    state.program.draft.as_mut().filter(|d| d.patient_id == id)
}

fn program(r: ProgramRequest) -> Effect {
    Effect::Db(Request::Program(r))
}

/// Requests for pane 3 when it is shown for a visit's patient: the library (once) and the
/// patient's program (the opening is audited).
pub fn on_shown(state: &AppState, patient_id: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state.program.library.is_none() {
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

/// "bokafor saved version 4 at 09:58": who saved `v`, and when.
fn saved_by(v: &VersionInfo) -> String {
    format!(
        "{} saved version {} at {}",
        crate::sanitize::clean_line(&v.created_by),
        v.version_no,
        v.created_at.get(11..16).unwrap_or(&v.created_at)
    )
}

/// Says that `latest` was saved on another terminal while this one has unsaved changes.
fn say_saved_meanwhile(state: &mut AppState, latest: &VersionInfo) {
    state.say(
        Level::Warning,
        format!(
            "{} meanwhile: your changes are kept; s saves them as version {}, v shows theirs",
            saved_by(latest),
            latest.version_no + 1
        ),
    );
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

/// Keys the pane takes before the keymap (while editing); None lets the keymap have them.
pub fn on_key(state: &mut AppState, key: &KeyEvent) -> Option<Vec<Effect>> {
    if is_ctrl_c(key) {
        return None;
    }
    if state.program.overlay.is_some() {
        return Some(on_overlay_key(state, key));
    }
    let action = state.keymap.action_for(key, Scope::Program);
    if state.program.typing {
        return on_search_key(state, key, action);
    }
    let pane = &mut state.program;
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
    let page = state.page_size.max(1);
    let action = action?;
    match pane.focus {
        Focus::Program => {
            let len = pane.draft.as_ref().map_or(0, |d| d.items.len());
            pane.cursor = moves(pane.cursor, len, action, page)?;
        }
        Focus::Search => {
            pane.hit_cursor = moves(pane.hit_cursor, pane.hits.len(), action, page)?;
        }
    }
    state.message = None;
    Some(Vec::new())
}

fn on_search_key(
    state: &mut AppState,
    key: &KeyEvent,
    action: Option<Action>,
) -> Option<Vec<Effect>> {
    let pane = &mut state.program;
    match key.code {
        KeyCode::Esc => {
            pane.typing = false;
            pane.focus = Focus::Program;
        }
        KeyCode::Enter => return Some(add_highlighted(state)),
        KeyCode::Up => pane.hit_cursor = pane.hit_cursor.saturating_sub(1),
        KeyCode::Down => {
            pane.hit_cursor = (pane.hit_cursor + 1).min(pane.hits.len().saturating_sub(1))
        }
        KeyCode::PageUp => pane.hit_cursor = pane.hit_cursor.saturating_sub(5),
        KeyCode::PageDown => {
            pane.hit_cursor = (pane.hit_cursor + 5).min(pane.hits.len().saturating_sub(1))
        }
        KeyCode::Tab | KeyCode::BackTab => {
            pane.typing = false;
            return None;
        }
        _ if action == Some(Action::HepRegion)
            && (key.modifiers.contains(KeyModifiers::CONTROL)
                || !matches!(key.code, KeyCode::Char(_))) =>
        {
            cycle_region(state);
        }
        _ => {
            if pane.query.handle(key) {
                pane.refresh_hits();
            }
        }
    }
    Some(Vec::new())
}

fn cycle_region(state: &mut AppState) {
    let pane = &mut state.program;
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

fn warn_if_long(state: &mut AppState, said: String) {
    let n = state.program.draft.as_ref().map_or(0, |d| d.items.len());
    if n > WARN_ABOVE {
        state.say(
            Level::Warning,
            format!("{said}; {n} exercises: adherence falls as programs grow (3 to 6 is usual)"),
        );
    } else {
        state.say(Level::Info, said);
    }
}

fn add_highlighted(state: &mut AppState) -> Vec<Effect> {
    let Some(ex) = state.program.highlighted().cloned() else {
        state.say(Level::Info, "no exercise matches: change the search");
        return Vec::new();
    };
    let Some(draft) = draft_mut(state) else {
        state.say(Level::Info, "the patient's program is still loading");
        return Vec::new();
    };
    let item = ProgramItem::from_exercise(&ex);
    let said = format!("added {} ({})", ex.name, item.dosage.short());
    draft.items.push(item);
    let n = draft.items.len();
    let pane = &mut state.program;
    pane.cursor = n - 1;
    pane.query.clear();
    pane.refresh_hits();
    warn_if_long(state, said);
    Vec::new()
}

/// Pane 3's commands from the keymap.
pub fn on_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    if action == Action::HepSearch {
        let pane = &mut state.program;
        pane.typing = true;
        pane.focus = Focus::Search;
        if pane.hits.is_empty() {
            pane.refresh_hits();
        }
        return Vec::new();
    }
    if action == Action::HepRegion {
        cycle_region(state);
        return Vec::new();
    }
    if action == Action::HepTemplates {
        if draft_mut(state).is_none() {
            return loading(state);
        }
        state.program.overlay = Some(Overlay::Templates {
            cursor: 0,
            naming: None,
        });
        return Vec::new();
    }
    let today = state.today;
    let dir = state.program.handout_dir.clone();
    let pending = state.pending_writes;
    let cursor = state.program.cursor;
    let Some(draft) = draft_mut(state) else {
        return loading(state);
    };
    let n = draft.items.len();
    let has_item = cursor < n;
    match action {
        Action::HepEdit if has_item => {
            let form = DosageForm::new(cursor, &draft.items[cursor].dosage);
            state.program.overlay = Some(Overlay::Dosage(Box::new(form)));
        }
        Action::HepNote if has_item => {
            let note = draft.items[cursor].note.clone().unwrap_or_default();
            let mut editor = TextArea::new(note.lines().map(String::from).collect());
            editor.set_placeholder_text("A note for the patient (Esc: done)");
            state.program.overlay = Some(Overlay::Note {
                index: cursor,
                editor: Box::new(editor),
                initial: note,
            });
        }
        Action::HepRemove if has_item => {
            let gone = draft.items.remove(cursor);
            state.program.cursor = cursor.min(n.saturating_sub(2));
            state.say(Level::Info, format!("removed {} (s saves)", gone.name));
        }
        Action::HepMoveUp if has_item && cursor > 0 => {
            draft.items.swap(cursor, cursor - 1);
            state.program.cursor = cursor - 1;
        }
        Action::HepMoveDown if has_item && cursor + 1 < n => {
            draft.items.swap(cursor, cursor + 1);
            state.program.cursor = cursor + 1;
        }
        Action::HepEdit
        | Action::HepNote
        | Action::HepRemove
        | Action::HepMoveUp
        | Action::HepMoveDown => {}
        Action::HepSave => {
            if draft.sending.is_some() && pending > 0 {
                state.say(Level::Info, "still saving…");
                return Vec::new();
            }
            if !draft.is_dirty() {
                let text = match draft.base_version {
                    0 => "nothing to save yet: / finds exercises to add".to_string(),
                    v => format!("nothing changed since version {v}"),
                };
                state.say(Level::Info, text);
                return Vec::new();
            }
            draft.sending = Some(draft.items.clone());
            let request = ProgramRequest::Save {
                patient_id: draft.patient_id,
                based_on: draft.base_version,
                items: draft.items.clone(),
            };
            state.begin_write();
            return vec![program(request)];
        }
        Action::HepVersions => {
            if draft.versions.is_empty() {
                state.say(Level::Info, "no saved versions yet: s saves the program");
            } else {
                state.program.overlay = Some(Overlay::Versions {
                    cursor: 0,
                    preview: None,
                });
            }
        }
        Action::HepPrint => {
            if draft.is_dirty() {
                state.say(
                    Level::Warning,
                    "save the program first (s): the handout prints the saved version",
                );
                return Vec::new();
            }
            if draft.base_version == 0 {
                state.say(
                    Level::Info,
                    "nothing saved to print yet: s saves the program",
                );
                return Vec::new();
            }
            let patient_id = draft.patient_id;
            state.begin_write();
            return vec![program(ProgramRequest::Handout {
                patient_id,
                today,
                dir,
            })];
        }
        Action::HepAdherence => {
            let items = if draft.saved.is_empty() {
                &draft.items
            } else {
                &draft.saved
            };
            let prescribed = sessions_prescribed(items);
            state.program.overlay = Some(Overlay::Adherence(AdherenceForm {
                done: LineInput::default(),
                prescribed: LineInput::with_text(&prescribed.to_string()),
                focus: 0,
                error: None,
            }));
        }
        _ => {}
    }
    Vec::new()
}

fn loading(state: &mut AppState) -> Vec<Effect> {
    let text = if state.selected_visit().is_none() {
        "select a visit in the schedule (1) first"
    } else {
        "the patient's program is still loading"
    };
    state.say(Level::Info, text);
    Vec::new()
}

fn on_overlay_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let Some(overlay) = state.program.overlay.take() else {
        return Vec::new();
    };
    let (keep, effects) = match overlay {
        Overlay::Dosage(form) => dosage_key(state, form, key),
        Overlay::Note {
            index,
            mut editor,
            initial,
        } => {
            if key.code == KeyCode::Esc {
                let text = editor.lines().join("\n").trim().to_string();
                if let Some(item) = draft_mut(state).and_then(|d| d.items.get_mut(index)) {
                    item.note = (!text.is_empty()).then_some(text);
                }
                (None, Vec::new())
            } else {
                editor.input(*key);
                (
                    Some(Overlay::Note {
                        index,
                        editor,
                        initial,
                    }),
                    Vec::new(),
                )
            }
        }
        Overlay::Versions { cursor, preview } => versions_key(state, cursor, preview, key),
        Overlay::Templates { cursor, naming } => templates_key(state, cursor, naming, key),
        Overlay::Adherence(form) => adherence_key(state, form, key),
    };
    if state.program.overlay.is_none() {
        state.program.overlay = keep;
    }
    effects
}

fn dosage_key(
    state: &mut AppState,
    mut form: Box<DosageForm>,
    key: &KeyEvent,
) -> (Option<Overlay>, Vec<Effect>) {
    let last = DOSAGE_FIELDS.len() - 1;
    match key.code {
        KeyCode::Esc => return (None, Vec::new()),
        KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1).min(last),
        KeyCode::BackTab | KeyCode::Up => form.focus = form.focus.saturating_sub(1),
        KeyCode::Enter => match form.dosage() {
            Ok(d) => {
                if let Some(item) = draft_mut(state).and_then(|dr| dr.items.get_mut(form.index)) {
                    item.dosage = d;
                    let text = format!("{}: {}", item.name, item.dosage.plain());
                    state.say(Level::Info, text);
                }
                return (None, Vec::new());
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
    (Some(Overlay::Dosage(form)), Vec::new())
}

fn versions_key(
    state: &mut AppState,
    mut cursor: usize,
    preview: Option<Program>,
    key: &KeyEvent,
) -> (Option<Overlay>, Vec<Effect>) {
    let Some(draft) = draft_mut(state) else {
        return (None, Vec::new());
    };
    let last = draft.versions.len().saturating_sub(1);
    let patient_id = draft.patient_id;
    match key.code {
        KeyCode::Esc if preview.is_some() => {
            return (
                Some(Overlay::Versions {
                    cursor,
                    preview: None,
                }),
                Vec::new(),
            );
        }
        KeyCode::Esc => return (None, Vec::new()),
        KeyCode::Up | KeyCode::Char('k') => cursor = cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => cursor = (cursor + 1).min(last),
        KeyCode::Enter => {
            let version_no = draft.versions[cursor.min(last)].version_no;
            return (
                Some(Overlay::Versions { cursor, preview }),
                vec![program(ProgramRequest::Version {
                    patient_id,
                    version_no,
                })],
            );
        }
        KeyCode::Char('u') => {
            if let Some(p) = preview.as_ref() {
                draft.items = p.items.clone();
                let text = format!(
                    "version {} copied into the program: s saves it as a new version",
                    p.version_no
                );
                state.program.cursor = 0;
                state.say(Level::Info, text);
                return (None, Vec::new());
            }
        }
        _ => {}
    }
    let preview = preview.filter(|p| {
        draft_mut(state)
            .and_then(|d| d.versions.get(cursor))
            .is_some_and(|v| v.version_no == p.version_no)
    });
    (Some(Overlay::Versions { cursor, preview }), Vec::new())
}

fn templates_key(
    state: &mut AppState,
    mut cursor: usize,
    naming: Option<LineInput>,
    key: &KeyEvent,
) -> (Option<Overlay>, Vec<Effect>) {
    if let Some(mut name) = naming {
        match key.code {
            KeyCode::Esc => {
                return (
                    Some(Overlay::Templates {
                        cursor,
                        naming: None,
                    }),
                    Vec::new(),
                );
            }
            KeyCode::Enter => {
                let text = name.text().trim().to_string();
                let Some(items) = draft_mut(state).map(|d| d.items.clone()) else {
                    return (None, Vec::new());
                };
                if text.is_empty() {
                    state.say(Level::Warning, "type a name for the template");
                } else if items.is_empty() {
                    state.say(Level::Warning, "a template needs at least one exercise");
                } else {
                    state.begin_write();
                    return (
                        None,
                        vec![program(ProgramRequest::SaveTemplate { name: text, items })],
                    );
                }
            }
            _ => {
                name.handle(key);
            }
        }
        return (
            Some(Overlay::Templates {
                cursor,
                naming: Some(name),
            }),
            Vec::new(),
        );
    }
    let last = state.program.templates.len();
    match key.code {
        KeyCode::Esc => return (None, Vec::new()),
        KeyCode::Up | KeyCode::Char('k') => cursor = cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => cursor = (cursor + 1).min(last),
        KeyCode::Enter if cursor == 0 => {
            return (
                Some(Overlay::Templates {
                    cursor,
                    naming: Some(LineInput::default()),
                }),
                Vec::new(),
            );
        }
        KeyCode::Enter => {
            let Some(t) = state.program.templates.get(cursor - 1).cloned() else {
                return (None, Vec::new());
            };
            let Some(draft) = draft_mut(state) else {
                return (None, Vec::new());
            };
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
            let said = format!("added {added} exercises from \"{}\" (s saves)", t.name);
            warn_if_long(state, said);
            return (None, Vec::new());
        }
        _ => {}
    }
    (
        Some(Overlay::Templates {
            cursor,
            naming: None,
        }),
        Vec::new(),
    )
}

fn adherence_key(
    state: &mut AppState,
    mut form: AdherenceForm,
    key: &KeyEvent,
) -> (Option<Overlay>, Vec<Effect>) {
    match key.code {
        KeyCode::Esc => return (None, Vec::new()),
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            form.focus = 1 - form.focus
        }
        KeyCode::Enter => {
            let prescribed = parse_count(form.prescribed.text(), "sessions prescribed", 1, 99);
            let checked = prescribed.and_then(|p| {
                let p = p.ok_or("type the sessions prescribed in the last week".to_string())?;
                let d = parse_count(form.done.text(), "sessions done", 0, p)?
                    .ok_or("type the sessions done in the last week".to_string())?;
                Ok((d, p))
            });
            match checked {
                Ok((done, prescribed)) => {
                    let Some(patient_id) = draft_mut(state).map(|d| d.patient_id) else {
                        return (None, Vec::new());
                    };
                    state.begin_write();
                    return (
                        None,
                        vec![program(ProgramRequest::Adherence {
                            patient_id,
                            on: state.today,
                            done,
                            prescribed,
                        })],
                    );
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
    (Some(Overlay::Adherence(form)), Vec::new())
}

/// Finds the draft of `patient_id`, shown or parked.
fn any_draft(state: &mut AppState, patient_id: i64) -> Option<&mut Draft> {
    let pane = &mut state.program;
    if pane
        .draft
        .as_ref()
        .is_some_and(|d| d.patient_id == patient_id)
    {
        return pane.draft.as_mut();
    }
    pane.parked.iter_mut().find(|d| d.patient_id == patient_id)
}

/// The database's answers to this pane's requests.
pub fn on_reply(state: &mut AppState, reply: ProgramReply) -> Vec<Effect> {
    match reply {
        ProgramReply::Library {
            exercises,
            templates,
        } => {
            let index = ExerciseIndex::new(&exercises);
            state.program.library = Some(Library { exercises, index });
            state.program.templates = templates;
            state.program.refresh_hits();
        }
        ProgramReply::Opened {
            program,
            versions,
            adherence,
        } => {
            let id = program.patient_id;
            if selected_patient(state) != Some(id) {
                return Vec::new();
            }
            let pane = &mut state.program;
            // A version saved on another terminal since this one loaded the patient's program.
            let newer = pane
                .draft
                .iter()
                .chain(&pane.parked)
                .find(|d| d.patient_id == id)
                .and_then(|d| versions.first().filter(|v| v.version_no > d.base_version))
                .cloned();
            // The shown draft of another patient is parked if it has unsaved changes.
            if let Some(d) = pane.draft.take_if(|d| d.patient_id != id) {
                if d.is_dirty() {
                    pane.parked.push(d);
                }
                pane.cursor = 0;
                pane.overlay = None;
            }
            if pane.draft.is_none() {
                pane.draft = match pane.parked.iter().position(|d| d.patient_id == id) {
                    Some(i) => Some(pane.parked.remove(i)),
                    None => None,
                };
            }
            // Unsaved changes, or an editor with something typed in it, are work in progress.
            let keep = pane.draft.as_ref().is_some_and(Draft::is_dirty)
                || pane.overlay.as_ref().is_some_and(Overlay::is_dirty);
            match pane.draft.as_mut() {
                Some(d) if keep => {
                    // The work stays; the saved side becomes the newest version, so that a save
                    // goes on top of it (as after a save refused as stale).
                    d.base_version = program.version_no;
                    d.saved = program.items;
                    d.versions = versions;
                    d.adherence = adherence;
                }
                _ => {
                    // An editor open on an item finds it by position: a different program
                    // closes it (nothing was typed in it).
                    if pane
                        .draft
                        .as_ref()
                        .is_some_and(|d| d.items != program.items)
                    {
                        pane.overlay = None;
                    }
                    pane.draft = Some(Draft::from_program(program, versions, adherence));
                }
            }
            let n = pane.draft.as_ref().map_or(0, |d| d.items.len());
            pane.cursor = pane.cursor.min(n.saturating_sub(1));
            if let Some(latest) = newer {
                if keep {
                    say_saved_meanwhile(state, &latest);
                } else {
                    let said = format!("{} on another terminal: shown", saved_by(&latest));
                    state.say(Level::Info, said);
                }
            }
        }
        ProgramReply::Version(p) => {
            let shown = selected_patient(state) == Some(p.patient_id);
            if let Some(Overlay::Versions { preview, .. }) = state.program.overlay.as_mut() {
                if shown {
                    *preview = Some(p);
                }
            }
        }
        ProgramReply::Saved {
            patient_id,
            version,
        } => {
            state.end_write();
            let shown = selected_patient(state) == Some(patient_id);
            if let Some(d) = any_draft(state, patient_id) {
                d.base_version = version.version_no;
                d.saved = d.sending.take().unwrap_or_else(|| d.items.clone());
                d.versions.insert(0, version.clone());
            }
            let pane = &mut state.program;
            pane.parked.retain(Draft::is_dirty);
            let who = if shown { "" } else { " (another patient's)" };
            state.say(
                Level::Info,
                format!(
                    "saved version {}{who} with {} exercises: p prints the handout",
                    version.version_no, version.exercises
                ),
            );
        }
        ProgramReply::Stale { patient_id, latest } => {
            state.end_write();
            if let Some(d) = any_draft(state, patient_id) {
                d.sending = None;
                d.base_version = latest.version_no;
                if !d.versions.iter().any(|v| v.version_no == latest.version_no) {
                    d.versions.insert(0, latest.clone());
                }
            }
            say_saved_meanwhile(state, &latest);
        }
        ProgramReply::TemplateSaved(t) => {
            state.end_write();
            let said = format!(
                "saved template \"{}\" with {} exercises",
                t.name,
                t.items.len()
            );
            let pane = &mut state.program;
            pane.templates.retain(|x| x.id != t.id);
            pane.templates.push(t);
            pane.templates.sort_by_key(|t| t.name.to_lowercase());
            state.say(Level::Info, said);
        }
        ProgramReply::AdherenceRecorded {
            patient_id,
            adherence,
        } => {
            state.end_write();
            let latest = adherence.last().cloned();
            if let Some(d) = any_draft(state, patient_id) {
                d.adherence = adherence;
            }
            if let Some(r) = latest {
                let text = format!(
                    "recorded adherence: {} of {} sessions ({}%)",
                    r.done,
                    r.prescribed,
                    r.percent()
                );
                if r.is_low() {
                    state.say(Level::Warning, format!("{text}, under 50%: flagged ADH"));
                } else {
                    state.say(Level::Info, text);
                }
            }
        }
        ProgramReply::HandoutWritten { path, .. } => {
            state.end_write();
            state.say(Level::Info, format!("handout written to {path}"));
        }
    }
    Vec::new()
}

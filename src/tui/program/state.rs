//! Pane 3's state: the library, the drafts of patients' programs, the search and the overlay
//! that has the keys.

use std::path::PathBuf;

use ratatui_textarea::TextArea;

use crate::domain::adherence::Adherence;
use crate::domain::hep::{
    DAYS_PER_WEEK, Dosage, Exercise, HOLD_SECONDS, Limit, Program, ProgramItem, REPS, SETS, Side,
    TIMES_PER_DAY, Template, VersionInfo, parse_count,
};
use crate::search::exercises::{ExerciseHit, ExerciseIndex};
use crate::tui::input::LineInput;

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
    pub adherence: Vec<Adherence>,
    /// The items sent to be saved, until the answer comes.
    pub sending: Option<Vec<ProgramItem>>,
}

impl Draft {
    pub(super) fn from_program(
        p: Program,
        versions: Vec<VersionInfo>,
        adherence: Vec<Adherence>,
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
    "Hold (sec)",
    "Times/day",
    "Days/week",
    "Side L/R/B",
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
    pub(super) fn new(index: usize, d: &Dosage) -> Self {
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

    pub(super) fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, i)| f.text() != i)
    }

    /// The dosage typed, or the first field's problem (and which field).
    pub(super) fn dosage(&self) -> Result<Dosage, (usize, String)> {
        let t = |i: usize| self.fields[i].text();
        let count = |i: usize, what: &str, limit: Limit| {
            parse_count(t(i), what, limit.min, limit.max).map_err(|e| (i, e))
        };
        let side = match t(5).trim() {
            "" => None,
            s => Some(
                Side::parse(s).ok_or((5, "side is l (left), r (right) or b (both)".to_string()))?,
            ),
        };
        let load = crate::sanitize::clean_line(t(6)).trim().to_string();
        Ok(Dosage {
            sets: count(0, "sets", SETS)?,
            reps: count(1, "reps", REPS)?,
            hold_seconds: count(2, "hold", HOLD_SECONDS)?,
            times_per_day: count(3, "times a day", TIMES_PER_DAY)?,
            days_per_week: count(4, "days a week", DAYS_PER_WEEK)?,
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
    pub(super) fn is_dirty(&self) -> bool {
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

    /// The shown patient's draft, if it is loaded.
    pub(super) fn draft_of(&mut self, patient_id: Option<i64>) -> Option<&mut Draft> {
        let id = patient_id?;
        self.draft.as_mut().filter(|d| d.patient_id == id)
    }

    /// The draft of `patient_id`, shown or parked.
    pub(super) fn any_draft(&mut self, patient_id: i64) -> Option<&mut Draft> {
        if self
            .draft
            .as_ref()
            .is_some_and(|d| d.patient_id == patient_id)
        {
            return self.draft.as_mut();
        }
        self.parked.iter_mut().find(|d| d.patient_id == patient_id)
    }

    pub fn highlighted(&self) -> Option<&Exercise> {
        let lib = self.library.as_ref()?;
        let hit = self.hits.get(self.hit_cursor)?;
        lib.exercises.get(hit.index)
    }
}

//! A patient's program as read from the record, merged with what this terminal holds for it:
//! the work in progress is never lost, and a version saved on another terminal meanwhile is
//! noticed and named.

use super::state::Draft;
use crate::domain::adherence::Adherence;
use crate::domain::hep::{Program, VersionInfo};
use crate::tui::pane::Level;

/// What the pane holds when a program arrives.
#[derive(Debug, Default)]
pub struct Held {
    /// The shown draft (perhaps another patient's).
    pub shown: Option<Draft>,
    /// Other patients' drafts with unsaved changes.
    pub parked: Vec<Draft>,
    /// An editor over the shown draft has something typed in it.
    pub editing: bool,
}

/// The merge's result: the patient's draft to show, the drafts still parked, and what the
/// pane should do about its cursor, its editor and its message line.
#[derive(Debug)]
pub struct Merged {
    pub draft: Draft,
    pub parked: Vec<Draft>,
    /// The shown draft was another patient's (set aside if it had unsaved changes).
    pub switched: bool,
    /// An editor open on an item finds it by position: a different program closes it.
    pub editor_stale: bool,
    /// The draft's work (or an editor's) was kept over the program read.
    pub kept: bool,
    /// A version saved on another terminal since this one loaded the patient's program.
    pub newer: Option<VersionInfo>,
}

impl Merged {
    /// What to tell the user, when another terminal saved meanwhile.
    pub fn note(&self) -> Option<(Level, String)> {
        let latest = self.newer.as_ref()?;
        Some(if self.kept {
            (Level::Warning, saved_meanwhile(latest))
        } else {
            (
                Level::Info,
                format!("{} on another terminal: shown", saved_by(latest)),
            )
        })
    }
}

/// Merges `program` (with its versions and adherence, as just read) into what is held.
pub fn opened(
    held: Held,
    program: Program,
    versions: Vec<VersionInfo>,
    adherence: Vec<Adherence>,
) -> Merged {
    let Held {
        shown,
        mut parked,
        editing,
    } = held;
    let id = program.patient_id;
    let newer = shown
        .iter()
        .chain(&parked)
        .find(|d| d.patient_id == id)
        .and_then(|d| versions.first().filter(|v| v.version_no > d.base_version))
        .cloned();
    let switched = shown.as_ref().is_some_and(|d| d.patient_id != id);
    let mut draft = match shown {
        Some(d) if d.patient_id != id => {
            if d.is_dirty() {
                parked.push(d);
            }
            None
        }
        other => other,
    };
    if draft.is_none() {
        draft = parked
            .iter()
            .position(|d| d.patient_id == id)
            .map(|i| parked.remove(i));
    }
    // Unsaved changes, or an editor with something typed in it, are work in progress.
    let kept = draft.as_ref().is_some_and(Draft::is_dirty) || (editing && !switched);
    let mut editor_stale = false;
    let draft = match draft {
        Some(mut d) if kept => {
            // The work stays; the saved side becomes the newest version, so that a save goes
            // on top of it (as after a save refused as stale).
            d.base_version = program.version_no;
            d.saved = program.items;
            d.versions = versions;
            d.adherence = adherence;
            d
        }
        held => {
            editor_stale = held.is_some_and(|d| d.items != program.items);
            Draft::from_program(program, versions, adherence)
        }
    };
    Merged {
        draft,
        parked,
        switched,
        editor_stale,
        kept,
        newer,
    }
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
pub fn saved_meanwhile(latest: &VersionInfo) -> String {
    format!(
        "{} meanwhile: your changes are kept; s saves them as version {}, v shows theirs",
        saved_by(latest),
        latest.version_no + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hep::{Dosage, ProgramItem};

    fn item(exercise_id: i64) -> ProgramItem {
        ProgramItem {
            exercise_id,
            name: format!("exercise {exercise_id}"),
            region: "knee".into(),
            equipment: "none".into(),
            dosage: Dosage::default(),
            note: None,
        }
    }

    fn version(version_no: i64) -> VersionInfo {
        VersionInfo {
            version_no,
            created_by: "bokafor".into(),
            created_at: "2026-03-02T09:58:00".into(),
            exercises: 2,
        }
    }

    fn saved(patient_id: i64, version_no: i64, items: &[i64]) -> Program {
        Program {
            patient_id,
            version_no,
            items: items.iter().map(|&i| item(i)).collect(),
        }
    }

    fn draft(patient_id: i64, version_no: i64, items: &[i64]) -> Draft {
        let versions = (1..=version_no).rev().map(version).collect();
        Draft::from_program(saved(patient_id, version_no, items), versions, Vec::new())
    }

    fn open(held: Held, program: Program) -> Merged {
        let versions = (1..=program.version_no).rev().map(version).collect();
        opened(held, program, versions, Vec::new())
    }

    #[test]
    fn a_first_opening_shows_the_program_as_saved() {
        let m = open(Held::default(), saved(7, 2, &[1, 2]));
        assert_eq!(m.draft, draft(7, 2, &[1, 2]));
        assert!(!m.switched && !m.kept && !m.editor_stale);
        assert_eq!(m.note(), None);
    }

    #[test]
    fn a_version_saved_elsewhere_replaces_a_clean_draft_and_is_named() {
        let held = Held {
            shown: Some(draft(7, 2, &[1, 2])),
            ..Held::default()
        };
        let m = open(held, saved(7, 3, &[1, 2, 3]));
        assert_eq!(m.draft.items, saved(7, 3, &[1, 2, 3]).items);
        assert_eq!(m.draft.base_version, 3);
        assert!(!m.kept);
        assert!(
            m.editor_stale,
            "an editor on an item of the old program closes"
        );
        assert_eq!(
            m.note(),
            Some((
                Level::Info,
                "bokafor saved version 3 at 09:58 on another terminal: shown".into()
            ))
        );
    }

    #[test]
    fn unsaved_changes_are_kept_over_a_version_saved_elsewhere() {
        let mut mine = draft(7, 2, &[1, 2]);
        mine.items.push(item(9));
        let held = Held {
            shown: Some(mine),
            ..Held::default()
        };
        let m = open(held, saved(7, 3, &[1, 2, 3]));
        assert_eq!(m.draft.items, saved(7, 2, &[1, 2, 9]).items);
        assert_eq!(m.draft.saved, saved(7, 3, &[1, 2, 3]).items);
        assert_eq!(m.draft.base_version, 3, "a save goes on top of theirs");
        assert!(m.kept && !m.editor_stale);
        assert_eq!(
            m.note(),
            Some((
                Level::Warning,
                "bokafor saved version 3 at 09:58 meanwhile: your changes are kept; s saves them as version 4, v shows theirs".into()
            ))
        );
    }

    #[test]
    fn text_typed_in_an_editor_keeps_the_draft_as_it_is() {
        let held = Held {
            shown: Some(draft(7, 2, &[1, 2])),
            editing: true,
            ..Held::default()
        };
        let m = open(held, saved(7, 3, &[4]));
        assert_eq!(m.draft.items, saved(7, 2, &[1, 2]).items);
        assert!(m.kept && !m.editor_stale);
    }

    #[test]
    fn another_patients_unsaved_draft_is_parked_and_comes_back() {
        let mut theirs = draft(5, 1, &[1]);
        theirs.items.push(item(2));
        let held = Held {
            shown: Some(theirs.clone()),
            editing: true,
            ..Held::default()
        };
        let m = open(held, saved(7, 1, &[3]));
        assert!(m.switched);
        assert!(
            !m.kept,
            "an editor over another patient's program does not count"
        );
        assert_eq!(m.draft, draft(7, 1, &[3]));
        assert_eq!(m.parked, vec![theirs.clone()]);

        let held = Held {
            shown: Some(m.draft),
            parked: m.parked,
            editing: false,
        };
        let back = open(held, saved(5, 1, &[1]));
        assert!(back.switched && back.kept);
        assert_eq!(back.draft.items, theirs.items);
        assert!(
            back.parked.is_empty(),
            "the clean draft of patient 7 is dropped"
        );
    }
}

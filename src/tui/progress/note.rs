//! `e`: the SOAP note of the selected visit, four multi-line editors, and the procedures
//! given (timed codes with their minutes, untimed with a count) with each code's units under
//! the payer rule in force shown as you type.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::db::visit_notes::{StoredNote, VisitNote};
use crate::domain::billing::{BillingRule, ProcedureLine, bill, parse_lines, summary};
use crate::domain::signing::NoteSigning;
use crate::tui::input::LineInput;
use crate::tui::keymap::{Action, Keymap, Scope};

pub const SECTIONS: [&str; 4] = ["Subjective", "Objective", "Assessment", "Plan"];

#[derive(Debug, Clone)]
pub struct NoteEditor {
    pub appointment_id: i64,
    /// What the header says: time, patient and kind of the visit.
    pub title: String,
    /// The version loaded (None: no note yet). Saving checks it.
    pub seen_version: Option<i64>,
    pub sections: [TextArea<'static>; 4],
    /// The procedures field: "97110 30, 97140 15, 97161".
    pub minutes: LineInput,
    /// How the units shown are counted (the `billing_rule` setting).
    pub rule: BillingRule,
    pub is_progress_report: bool,
    /// 0..=3 a section, 4 the timed minutes.
    pub focus: usize,
    pub loading: bool,
    pub saving: bool,
    pub dirty: bool,
    pub discard_armed: bool,
    pub error: Option<String>,
    /// The stored note's signatures and addenda: a signed note is read-only.
    pub signing: NoteSigning,
    /// An addendum being written under the signed note.
    pub addendum: Option<TextArea<'static>>,
    /// The write in flight signs the note (a failure then fetches the note again: the draft
    /// may have been saved before the signature was refused).
    pub signing_sent: bool,
}

/// What a key in the note editor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteOutcome {
    Stay,
    Close,
    Save,
    Sign,
    CoSign,
    SaveAddendum,
}

fn area(text: &str) -> TextArea<'static> {
    TextArea::new(text.lines().map(str::to_string).collect())
}

/// The lines as the editor shows them: "97110 30, 97161 x1".
pub fn lines_text(lines: &[ProcedureLine]) -> String {
    lines
        .iter()
        .map(ProcedureLine::text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Under the procedures field, as it is typed: each code's units and the total
/// ("97110 33 min → 2 units · 97140 7 min → 1 unit · total 40 min, 3 units"), or the one
/// sentence saying what is wrong with the field.
pub fn units_line(text: &str, rule: BillingRule) -> Result<String, String> {
    match parse_lines(text)? {
        lines if lines.is_empty() => Ok("no procedures yet".into()),
        lines => Ok(summary(&bill(&lines, rule), rule)),
    }
}

impl NoteEditor {
    pub fn new(appointment_id: i64, title: String) -> Self {
        Self {
            appointment_id,
            title,
            seen_version: None,
            sections: [area(""), area(""), area(""), area("")],
            minutes: LineInput::default(),
            rule: BillingRule::default(),
            is_progress_report: false,
            focus: 0,
            loading: true,
            saving: false,
            dirty: false,
            discard_armed: false,
            error: None,
            signing: NoteSigning::default(),
            addendum: None,
            signing_sent: false,
        }
    }

    pub fn is_signed(&self) -> bool {
        self.signing.is_signed()
    }

    /// The addendum as typed, trimmed.
    pub fn addendum_text(&self) -> Option<String> {
        self.addendum
            .as_ref()
            .map(|a| a.lines().join("\n").trim().to_string())
    }

    /// Fills the editor from the stored note, unless the user has already typed.
    pub fn load(&mut self, stored: Option<StoredNote>) {
        self.loading = false;
        let Some(stored) = stored else { return };
        self.seen_version = Some(stored.version);
        self.signing = stored.signing.clone();
        if self.dirty {
            return;
        }
        let n = stored.note;
        self.sections = [
            area(&n.subjective),
            area(&n.objective),
            area(&n.assessment),
            area(&n.plan),
        ];
        self.minutes = LineInput::with_text(&lines_text(&n.procedures));
        self.is_progress_report = n.is_progress_report;
    }

    pub fn note(&self) -> Result<VisitNote, String> {
        let text = |i: usize| self.sections[i].lines().join("\n").trim_end().to_string();
        Ok(VisitNote {
            subjective: text(0),
            objective: text(1),
            assessment: text(2),
            plan: text(3),
            procedures: parse_lines(self.minutes.text())?,
            is_progress_report: self.is_progress_report,
        })
    }

    pub fn handle_key(&mut self, ev: &KeyEvent, keymap: &Keymap) -> NoteOutcome {
        let action = keymap.resolve(ev, Scope::NoteEditor);
        if action != Some(Action::NoteClose) {
            self.discard_armed = false;
        }
        let key = |a: Action| keymap.label(a);
        match action {
            Some(Action::NoteClose) => {
                if !self.dirty || self.discard_armed {
                    return NoteOutcome::Close;
                }
                self.discard_armed = true;
            }
            Some(Action::NoteNextPart) => self.focus = (self.focus + 1) % 5,
            Some(Action::NotePrevPart) => self.focus = (self.focus + 4) % 5,
            // Until the stored note is in, nothing may change or save it: a save now would
            // replace the note with an empty one.
            _ if self.loading || self.saving => {}
            Some(Action::NoteSave) if self.addendum.is_some() => return NoteOutcome::SaveAddendum,
            Some(Action::NoteSave | Action::NoteProgressReport) if self.is_signed() => {
                self.error = Some(format!(
                    "this note is signed and can no longer be changed: {} writes an addendum",
                    key(Action::NoteAddendum)
                ));
            }
            Some(Action::NoteSave) => return NoteOutcome::Save,
            Some(Action::NoteSign) if self.is_signed() => {
                self.error = Some(format!(
                    "this note is already signed: {} writes an addendum",
                    key(Action::NoteAddendum)
                ));
            }
            Some(Action::NoteSign) => return NoteOutcome::Sign,
            Some(Action::NoteCoSign) => return NoteOutcome::CoSign,
            Some(Action::NoteAddendum) if !self.is_signed() => {
                self.error = Some(format!(
                    "an addendum is for a signed note; this one is a draft: change it, and {} saves it",
                    key(Action::NoteSave)
                ));
            }
            Some(Action::NoteAddendum) => {
                self.error = None;
                self.addendum.get_or_insert_with(|| area(""));
            }
            Some(Action::NoteProgressReport) => {
                self.is_progress_report = !self.is_progress_report;
                self.dirty = true;
            }
            // A signed note is read-only; what is typed goes into the addendum, if one is open.
            _ if self.is_signed() => {
                if let Some(a) = self.addendum.as_mut()
                    && a.input(*ev)
                {
                    self.dirty = true;
                }
            }
            _ if self.focus == 4 => {
                if self.minutes.handle(ev).changed() {
                    self.dirty = true;
                }
            }
            _ => {
                if self.sections[self.focus].input(*ev) {
                    self.dirty = true;
                }
            }
        }
        NoteOutcome::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn units_per_code_are_shown_as_the_procedures_are_typed() {
        let med = BillingRule::Medicare;
        assert_eq!(
            units_line("97110 33, 97140 7", med).unwrap(),
            "97110 33 min → 2 units · 97140 7 min → 1 unit · total 40 min, 3 units"
        );
        assert_eq!(
            units_line("97110 7", med).unwrap(),
            "97110 7 min → 0 units · total 7 min, 0 units"
        );
        assert_eq!(
            units_line("97110 20, 97110 13", med).unwrap(),
            "97110 33 min → 2 units · total 33 min, 2 units",
            "the same code twice adds up"
        );
        assert_eq!(
            units_line("97110 33, 97140 7", BillingRule::Ama).unwrap(),
            "97110 33 min → 2 units · 97140 7 min → 0 units · total 40 min, 2 units"
        );
        assert_eq!(units_line("", med).unwrap(), "no procedures yet");
        assert!(
            units_line("97110 thirty", med)
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            units_line("ther-ex 30", med)
                .unwrap_err()
                .contains("procedure code")
        );
    }

    fn typed(text: &str) -> NoteEditor {
        let mut e = NoteEditor::new(1, "x".into());
        e.load(None);
        e.focus = 4;
        for c in text.chars() {
            e.handle_key(
                &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                &Keymap::default(),
            );
        }
        e
    }

    #[test]
    fn an_unknown_code_is_refused_with_the_closest_known_codes() {
        let e = typed("97110 30, 97111 10");
        let said = "97111 is not a code ptclinic knows; closest: 97110, 97112";
        assert_eq!(units_line(e.minutes.text(), e.rule).unwrap_err(), said);
        assert_eq!(e.note().unwrap_err(), said, "nothing can be saved");
        for (text, said) in [
            (
                "97110 -5",
                "97110 -5: minutes are a whole number from 1 to 480",
            ),
            (
                "97110 600",
                "97110 600: minutes are a whole number from 1 to 480",
            ),
            (
                "97110 x2",
                "97110 is a timed code: give its minutes, not a count, e.g. 97110 23",
            ),
        ] {
            assert_eq!(typed(text).note().unwrap_err(), said);
        }
        let ok = typed("97161, 97110 20, 97110 13");
        assert_eq!(
            ok.note().unwrap().procedures,
            vec![
                ProcedureLine::count("97161", 1),
                ProcedureLine::minutes("97110", 20),
                ProcedureLine::minutes("97110", 13),
            ]
        );
    }

    #[test]
    fn typing_goes_to_the_focused_section_and_marks_the_note_unsaved() {
        let mut e = NoteEditor::new(1, "x".into());
        e.load(None);
        for c in "Less pain".chars() {
            e.handle_key(
                &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                &Keymap::default(),
            );
        }
        e.handle_key(
            &KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            &Keymap::default(),
        );
        e.handle_key(
            &KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
            &Keymap::default(),
        );
        let n = e.note().unwrap();
        assert_eq!(
            (n.subjective.as_str(), n.objective.as_str()),
            ("Less pain", "x")
        );
        assert!(e.dirty);
        assert_eq!(
            e.handle_key(
                &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                &Keymap::default()
            ),
            NoteOutcome::Stay
        );
        assert_eq!(
            e.handle_key(
                &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                &Keymap::default()
            ),
            NoteOutcome::Close
        );
    }

    #[test]
    fn nothing_changes_or_saves_the_note_before_it_has_loaded() {
        let mut e = NoteEditor::new(1, "x".into());
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        e.handle_key(&ctrl('p'), &Keymap::default());
        assert_eq!(
            e.handle_key(&ctrl('s'), &Keymap::default()),
            NoteOutcome::Stay
        );
        assert!(!e.dirty && !e.is_progress_report);
        e.load(Some(StoredNote {
            note: VisitNote {
                subjective: "stored".into(),
                ..Default::default()
            },
            author: "aruiz".into(),
            updated_at: "2026-11-27T10:00:00".into(),
            version: 3,
            signing: Default::default(),
        }));
        assert_eq!(
            e.sections[0].lines(),
            ["stored"],
            "the stored note is shown"
        );
    }

    #[test]
    fn a_late_load_never_overwrites_what_was_typed() {
        let mut e = NoteEditor::new(1, "x".into());
        e.loading = false;
        e.handle_key(
            &KeyEvent::new(KeyCode::Char('A'), KeyModifiers::NONE),
            &Keymap::default(),
        );
        e.load(Some(StoredNote {
            note: VisitNote {
                subjective: "old".into(),
                ..Default::default()
            },
            author: "aruiz".into(),
            updated_at: "2026-11-27T10:00:00".into(),
            version: 3,
            signing: Default::default(),
        }));
        assert_eq!(e.sections[0].lines(), ["A"]);
        assert_eq!(e.seen_version, Some(3));
    }
}

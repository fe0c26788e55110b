//! `e`: the SOAP note of the selected visit, four multi-line editors, timed minutes per
//! procedure code with billable units by the 8-minute rule shown as you type.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::db::visit_notes::{StoredNote, TimedMinutes, VisitNote};
use crate::domain::billing::{TIMED_MINUTES_MAX, TIMED_MINUTES_MIN, medicare_units};
use crate::tui::forms::FormOutcome;
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
    pub minutes: LineInput,
    pub is_progress_report: bool,
    /// 0..=3 a section, 4 the timed minutes.
    pub focus: usize,
    pub loading: bool,
    pub saving: bool,
    pub dirty: bool,
    pub discard_armed: bool,
    pub error: Option<String>,
}

fn area(text: &str) -> TextArea<'static> {
    TextArea::new(text.lines().map(str::to_string).collect())
}

/// "97110 30, 97140 15" → [("97110", 30), ("97140", 15)].
pub fn parse_minutes(text: &str) -> Result<TimedMinutes, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let mut words = part.split_whitespace();
        let (Some(code), Some(mins), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!(
                "\"{part}\": write a procedure code and its minutes, e.g. 97110 30"
            ));
        };
        if code.len() != 5 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("\"{code}\" is not a 5-character procedure code"));
        }
        let mins: u32 = mins
            .parse()
            .ok()
            .filter(|m| (TIMED_MINUTES_MIN..=TIMED_MINUTES_MAX).contains(m))
            .ok_or_else(|| {
                format!("\"{mins}\" minutes: a whole number from {TIMED_MINUTES_MIN} to {TIMED_MINUTES_MAX}")
            })?;
        out.push((code.to_uppercase(), mins));
    }
    Ok(out)
}

pub fn minutes_text(m: &TimedMinutes) -> String {
    m.iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "45 timed minutes: 3 billable units (8-minute rule)", or what is wrong with the field.
pub fn units_line(text: &str) -> String {
    match parse_minutes(text) {
        Ok(m) if m.is_empty() => "no timed procedures".into(),
        Ok(m) => {
            let total: u32 = m.iter().map(|(_, n)| n).sum();
            let units = medicare_units(total);
            format!(
                "{total} timed minutes: {units} billable unit{} (8-minute rule)",
                if units == 1 { "" } else { "s" }
            )
        }
        Err(e) => e,
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
            is_progress_report: false,
            focus: 0,
            loading: true,
            saving: false,
            dirty: false,
            discard_armed: false,
            error: None,
        }
    }

    /// Fills the editor from the stored note, unless the user has already typed.
    pub fn load(&mut self, stored: Option<StoredNote>) {
        self.loading = false;
        let Some(stored) = stored else { return };
        self.seen_version = Some(stored.version);
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
        self.minutes = LineInput::with_text(&minutes_text(&n.timed_minutes));
        self.is_progress_report = n.is_progress_report;
    }

    pub fn note(&self) -> Result<VisitNote, String> {
        let text = |i: usize| self.sections[i].lines().join("\n").trim_end().to_string();
        Ok(VisitNote {
            subjective: text(0),
            objective: text(1),
            assessment: text(2),
            plan: text(3),
            timed_minutes: parse_minutes(self.minutes.text())?,
            is_progress_report: self.is_progress_report,
        })
    }

    pub fn handle_key(&mut self, ev: &KeyEvent, keymap: &Keymap) -> FormOutcome {
        let action = keymap.resolve(ev, Scope::NoteEditor);
        if action != Some(Action::NoteClose) {
            self.discard_armed = false;
        }
        match action {
            Some(Action::NoteClose) => {
                if !self.dirty || self.discard_armed {
                    return FormOutcome::Close;
                }
                self.discard_armed = true;
            }
            Some(Action::NoteNextPart) => self.focus = (self.focus + 1) % 5,
            Some(Action::NotePrevPart) => self.focus = (self.focus + 4) % 5,
            // Until the stored note is in, nothing may change or save it: a save now would
            // replace the note with an empty one.
            _ if self.loading || self.saving => {}
            Some(Action::NoteSave) => return FormOutcome::Submit,
            Some(Action::NoteProgressReport) => {
                self.is_progress_report = !self.is_progress_report;
                self.dirty = true;
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
        FormOutcome::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn timed_minutes_become_units_by_the_8_minute_rule() {
        assert_eq!(
            units_line("97110 30, 97140 15"),
            "45 timed minutes: 3 billable units (8-minute rule)"
        );
        assert_eq!(
            units_line("97110 7"),
            "7 timed minutes: 0 billable units (8-minute rule)"
        );
        assert_eq!(
            units_line("97110 8"),
            "8 timed minutes: 1 billable unit (8-minute rule)"
        );
        assert_eq!(units_line(""), "no timed procedures");
        assert!(units_line("97110 thirty").contains("whole number"));
        assert!(units_line("ther-ex 30").contains("procedure code"));
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
            FormOutcome::Stay
        );
        assert_eq!(
            e.handle_key(
                &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                &Keymap::default()
            ),
            FormOutcome::Close
        );
    }

    #[test]
    fn nothing_changes_or_saves_the_note_before_it_has_loaded() {
        let mut e = NoteEditor::new(1, "x".into());
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        e.handle_key(&ctrl('p'), &Keymap::default());
        assert_eq!(
            e.handle_key(&ctrl('s'), &Keymap::default()),
            FormOutcome::Stay
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
        }));
        assert_eq!(e.sections[0].lines(), ["A"]);
        assert_eq!(e.seen_version, Some(3));
    }
}

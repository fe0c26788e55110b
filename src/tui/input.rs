//! A one-line text field for forms and the patient filter: what was typed stays until the
//! person clears it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl LineInput {
    pub fn with_text(text: &str) -> Self {
        let text = crate::sanitize::clean_line(text);
        Self {
            cursor: text.chars().count(),
            text,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    /// Inserts pasted text at the cursor as one line: line breaks become spaces and control
    /// and bidi characters are dropped, as for typed keys; a paste longer than any field
    /// needs is cut. Returns whether anything was inserted.
    pub fn insert_text(&mut self, pasted: &str) -> bool {
        const LONGEST_PASTE: usize = 500;
        let clean: String = crate::sanitize::clean_line(pasted)
            .chars()
            .take(LONGEST_PASTE)
            .collect();
        if clean.is_empty() {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
        true
    }

    /// Applies an editing key. These are the field's own keys, as in any line editor (not in
    /// the keymap): characters, ←/→, Home/End, Backspace/Delete, Ctrl-A/E/U/W/H.
    pub fn handle(&mut self, ev: &KeyEvent) -> Edit {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        let before = (self.text.len(), self.cursor);
        match ev.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            KeyCode::Char(c) if types_text(ev) => {
                if !crate::sanitize::is_unsafe_char(c) {
                    let at = self.byte_at(self.cursor);
                    self.text.insert(at, c);
                    self.cursor += 1;
                }
            }
            // Some terminals send Ctrl-H for Backspace.
            KeyCode::Char('h') if ctrl => self.backspace(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => {
                if self.cursor < len {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            _ => return Edit::NotMine,
        }
        if self.text.len() != before.0 {
            Edit::Changed
        } else if self.cursor != before.1 {
            Edit::Moved
        } else {
            Edit::Nothing
        }
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.text.remove(at);
            self.cursor -= 1;
        }
    }
}

/// What an editing key did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// A key of the field's that had nothing to do (Backspace at the start).
    Nothing,
    /// Not an editing key: whoever holds the field may give it a meaning.
    NotMine,
}

impl Edit {
    pub fn changed(self) -> bool {
        self == Edit::Changed
    }

    /// Whether the field took the key (so it means nothing else while typing).
    pub fn taken(self) -> bool {
        self != Edit::NotMine
    }
}

/// Whether a key types a character (rather than being a command): a character without Ctrl.
/// While a field has the keys, these always go into it.
pub fn types_text(ev: &KeyEvent) -> bool {
    matches!(ev.code, KeyCode::Char(_)) && !ev.modifiers.contains(KeyModifiers::CONTROL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut LineInput, code: KeyCode) {
        input.handle(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn typed(s: &str) -> LineInput {
        let mut i = LineInput::default();
        for c in s.chars() {
            press(&mut i, KeyCode::Char(c));
        }
        i
    }

    #[test]
    fn typing_and_editing_in_the_middle() {
        let mut i = typed("Mria");
        press(&mut i, KeyCode::Home);
        press(&mut i, KeyCode::Right);
        press(&mut i, KeyCode::Char('a'));
        assert_eq!(i.text(), "Maria");
        press(&mut i, KeyCode::End);
        press(&mut i, KeyCode::Backspace);
        assert_eq!(i.text(), "Mari");
    }

    #[test]
    fn multibyte_text_is_edited_by_character() {
        let mut i = typed("José");
        press(&mut i, KeyCode::Backspace);
        assert_eq!(i.text(), "Jos");
        let mut i = typed("李小龍");
        press(&mut i, KeyCode::Left);
        press(&mut i, KeyCode::Delete);
        assert_eq!(i.text(), "李小");
    }

    #[test]
    fn pasted_text_is_one_line_of_plain_text_at_the_cursor() {
        let mut i = typed("Ana ");
        press(&mut i, KeyCode::Home);
        assert!(i.insert_text("\rjjc\n\u{202e}Dr\x1b "));
        assert_eq!(i.text(), "jjc DrAna ");
        assert_eq!(i.cursor(), "jjc Dr".chars().count());
        assert!(!i.insert_text("\r\n"));
    }

    #[test]
    fn a_cursor_move_is_not_a_change() {
        let mut i = typed("Ana");
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE)),
            Edit::Moved
        );
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE)),
            Edit::Moved
        );
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
            Edit::Nothing
        );
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)),
            Edit::NotMine
        );
        assert_eq!(
            i.handle(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Edit::NotMine
        );
        assert_eq!(i.text(), "xAna");
    }

    #[test]
    fn ctrl_w_deletes_a_word() {
        let mut i = typed("Ana Maria");
        i.handle(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(i.text(), "Ana ");
    }
}

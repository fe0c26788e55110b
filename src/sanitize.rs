//! Text from the database or an import is data, never terminal commands: control characters and
//! bidirectional overrides are removed wherever text enters the record or leaves the app.

/// True for characters that must never reach a terminal: C0/C1 controls, DEL, and the
/// bidirectional embedding/override/isolate marks that can make text read differently
/// from how it is stored.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// One-line text: unsafe characters dropped, any whitespace run (tabs, newlines) folded to a space.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_unsafe_char(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Multi-line text (notes): keeps newlines, drops every other unsafe character.
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || !is_unsafe_char(c))
        .collect()
}

/// A file path as it may be printed: cleaned like database text, since a folder name is typed
/// by someone and may hold anything.
pub fn shown_path(path: &std::path::Path) -> String {
    clean_line(&path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_escape_sequences_and_bidi_overrides() {
        assert_eq!(clean_line("Ann\u{1b}[2J\u{202E}a Lee"), "Ann[2Ja Lee");
        assert_eq!(clean_line("\u{2066}Bo\u{2069}b\u{9b}"), "Bob");
    }

    #[test]
    fn folds_whitespace_and_trims() {
        assert_eq!(clean_line("  Mary\t\nJane  "), "Mary Jane");
    }

    #[test]
    fn keeps_wide_and_accented_text() {
        assert_eq!(clean_line("José 李小龍 🙂"), "José 李小龍 🙂");
    }

    #[test]
    fn multi_line_text_keeps_newlines_only() {
        assert_eq!(clean_text("a\nb\u{7}\r\n"), "a\nb\n");
    }
}

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

/// The most characters of a typed value that a message repeats: enough to recognise it, never a
/// pasted file or a runaway script's output.
pub const ECHO_MAX_CHARS: usize = 80;

/// A typed value as a message repeats it: one clean line of at most [`ECHO_MAX_CHARS`]
/// characters, cut with an ellipsis.
pub fn clean_echo(s: &str) -> String {
    let line = clean_line(s);
    if line.chars().count() <= ECHO_MAX_CHARS {
        return line;
    }
    let mut out: String = line.chars().take(ECHO_MAX_CHARS - 1).collect();
    out.push('…');
    out
}

/// A file path as a message prints it: cleaned like database text and bounded like any typed
/// value, its middle elided so that the file's name stays readable.
pub fn path_for_message(path: &std::path::Path) -> String {
    let line = clean_line(&path.to_string_lossy());
    let count = line.chars().count();
    if count <= ECHO_MAX_CHARS {
        return line;
    }
    let head = (ECHO_MAX_CHARS - 1) / 2;
    let tail = ECHO_MAX_CHARS - 1 - head;
    let mut out: String = line.chars().take(head).collect();
    out.push('…');
    out.extend(line.chars().skip(count - tail));
    out
}

/// Multi-line text (notes): keeps newlines, drops every other unsafe character.
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || !is_unsafe_char(c))
        .collect()
}

/// Text for an HTML page (a handout, a report): cleaned as for the screen, then escaped, so
/// nothing from the record can open a tag or an attribute.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean_text(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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
    fn echoed_values_and_paths_are_bounded() {
        let long = "9".repeat(120_000);
        let echoed = clean_echo(&long);
        assert_eq!(echoed.chars().count(), ECHO_MAX_CHARS);
        assert!(echoed.ends_with('…'));
        assert_eq!(clean_echo("2026-1\u{1b}[2J3-01"), "2026-1[2J3-01");
        let path = std::path::PathBuf::from(format!("/srv/{}/clinic\u{202E}.db", "d".repeat(300)));
        let shown = path_for_message(&path);
        assert_eq!(shown.chars().count(), ECHO_MAX_CHARS);
        assert!(
            shown.starts_with("/srv/d") && shown.ends_with("/clinic.db"),
            "{shown}"
        );
    }

    #[test]
    fn multi_line_text_keeps_newlines_only() {
        assert_eq!(clean_text("a\nb\u{7}\r\n"), "a\nb\n");
    }
}

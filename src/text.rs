//! Fitting text into terminal columns: display width (wide CJK and emoji count two), an
//! ellipsis for what does not fit, padding for alignment.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending in "…" when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A number as reports show it: whole numbers without a decimal, others with one.
pub fn number(v: f64) -> String {
    let v = v + 0.0;
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A change with its sign ("+3", "−2.5", "0"): never "−0".
pub fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", number(v))
    } else if v == 0.0 {
        "0".to_string()
    } else {
        format!("−{}", number(-v))
    }
}

/// A sentence with its first letter capitalised ("no completed episodes" → "No completed …").
pub fn capitalised(sentence: &str) -> String {
    let mut chars = sentence.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `s` cut or padded to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// `s` cut from the left to at most `max` columns, starting with "…": a path keeps its file
/// name.
pub fn truncate_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut tail = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        tail.push(c);
        used += w;
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

/// The lines `s` takes wrapped at spaces into `cols` columns (a word longer than a line is
/// broken where the line ends).
fn wrap(s: &str, cols: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let fits = width(&line) + usize::from(!line.is_empty()) + width(word) <= cols;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            if width(&line) + c.width().unwrap_or(0) > cols {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    lines.push(line);
    lines
}

/// A sentence fitted into `lines` lines of `cols` columns without losing its instruction: the
/// longest word (a path, a file or a long name) gives up its beginning first; only if that is
/// not enough does the sentence lose its end.
pub fn fit_message(s: &str, cols: usize, lines: usize) -> Vec<String> {
    // A word keeps at least a dozen columns, so a file name still reads.
    const KEEP: usize = 12;
    let mut words: Vec<String> = s.split(' ').map(String::from).collect();
    loop {
        let text = words.join(" ");
        let wrapped = wrap(&text, cols);
        if wrapped.len() <= lines {
            return wrapped;
        }
        let longest = words
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| width(w))
            .map(|(i, w)| (i, width(w)));
        match longest {
            Some((at, w)) if w > KEEP => {
                let shorter = (w - 1).min(w.saturating_sub(cols / 4)).max(KEEP);
                words[at] = truncate_left(&words[at], shorter);
            }
            _ => {
                let mut wrapped = wrap(&truncate(&text, cols * lines), cols);
                wrapped.truncate(lines);
                if let Some(last) = wrapped.last_mut() {
                    if !last.ends_with('…') {
                        *last = truncate(&format!("{last}…"), cols);
                    }
                }
                return wrapped;
            }
        }
    }
}

/// Rows under a header, each column padded to its widest cell (display width), two spaces
/// between columns and none after the last.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(w - width(cell) + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(head.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_gives_up_its_path_before_its_instruction() {
        let msg = "handout written to /home/clinic-front-desk/.local/share/ptclinic/handouts/2026/november/hep-100001-2026-11-27.html: print it from there, or p writes it again";
        let fitted = fit_message(msg, 69, 2);
        assert_eq!(fitted.len(), 2, "{fitted:?}");
        assert!(fitted.iter().all(|l| width(l) <= 69), "{fitted:?}");
        let joined = fitted.join(" ");
        assert!(joined.ends_with("or p writes it again"), "{joined}");
        assert!(joined.contains("…"), "{joined}");
        assert!(joined.contains("hep-100001-2026-11-27.html"), "{joined}");
        assert_eq!(fit_message("short", 70, 2), vec!["short".to_string()]);
        // No long word to give: the end goes.
        assert_eq!(fit_message("a b c d e f", 5, 1), vec!["a b …".to_string()]);
    }

    #[test]
    fn changes_have_a_sign_and_never_a_negative_zero() {
        assert_eq!(signed(3.0), "+3");
        assert_eq!(signed(-2.5), "−2.5");
        assert_eq!(signed(-0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(35.64), "35.6");
    }

    #[test]
    fn long_names_end_in_an_ellipsis() {
        assert_eq!(
            truncate("Bartholomew Featherstonehaugh", 12),
            "Bartholomew…"
        );
        assert_eq!(truncate("Ann Lee", 12), "Ann Lee");
    }

    #[test]
    fn wide_characters_line_up() {
        assert_eq!(width(&fit("李小龍", 5)), 5);
        assert_eq!(fit("李小龍abc", 5), "李小…");
        assert_eq!(width(&fit("🙂🙂🙂", 4)), 4);
    }

    #[test]
    fn a_table_pads_each_column_to_its_widest_cell() {
        let rows = vec![
            vec!["Ana".to_string(), "1".to_string()],
            vec!["Bartholomew".to_string(), "22".to_string()],
        ];
        assert_eq!(
            table(&["Name", "N"], &rows),
            "Name         N\nAna          1\nBartholomew  22\n"
        );
    }
}

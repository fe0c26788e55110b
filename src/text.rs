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

/// `s` cut or padded to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

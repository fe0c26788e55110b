//! `--ascii`: the finished frame folded to plain ASCII, cell by cell, so that nothing drawn
//! anywhere (a separator, an ellipsis, an arrow in a hint, a border, a bar, a name with an
//! accent) reaches a terminal that cannot show it. Each cell keeps its width, so columns stay
//! aligned.

use ratatui::buffer::Buffer;

/// The app's own symbols, each as the ASCII a reader expects in its place.
fn symbol(c: char) -> Option<char> {
    Some(match c {
        '·' | '—' | '–' | '─' | '━' | '═' | '╌' | '┄' => '-',
        '…' => '.',
        '↑' | '▲' | '△' => '^',
        '↓' | '▼' | '▽' => 'v',
        '←' | '◀' | '◂' => '<',
        '→' | '▶' | '▸' => '>',
        '│' | '┃' | '║' | '╎' | '┆' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' => {
            '+'
        }
        '▁' => '_',
        '▂' => '.',
        '▃' => '-',
        '▄' => '~',
        '▅' => '=',
        '▆' => '+',
        '▇' => '*',
        '█' | '■' => '#',
        '•' | '●' | '⠁'..='⣿' => '*',
        '✓' | '✔' => 'v',
        '✗' | '✘' | '×' => 'x',
        '≥' => '>',
        '≤' => '<',
        '±' => '+',
        '°' => 'o',
        _ => return None,
    })
}

/// The ASCII for one character: the app's symbols as above, letters as their plain form
/// ("ø" as "o", "李" as "Li"), anything else as "?".
fn fold_char(c: char) -> String {
    if c.is_ascii() {
        return c.to_string();
    }
    if let Some(s) = symbol(c) {
        return s.to_string();
    }
    match deunicode::deunicode_char(c).map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => "?".to_string(),
    }
}

/// Folds every cell of the buffer to ASCII. A character two cells wide gives its
/// transliteration's first two letters to its two cells.
pub fn fold(buf: &mut Buffer) {
    let width = buf.area.width as usize;
    let cells = &mut buf.content;
    let mut i = 0;
    while i < cells.len() {
        let symbol = cells[i].symbol().to_string();
        if symbol.is_ascii() {
            i += 1;
            continue;
        }
        let wide = unicode_width::UnicodeWidthStr::width(symbol.as_str()) > 1;
        let plain: String = symbol.chars().map(fold_char).collect();
        let mut letters = plain.chars();
        cells[i].set_char(letters.next().unwrap_or(' '));
        let next_on_row = (i + 1) % width != 0 && i + 1 < cells.len();
        if wide && next_on_row {
            cells[i + 1].set_char(letters.next().unwrap_or(' '));
            i += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn symbols_names_and_wide_characters_fold_and_keep_their_cells() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 24, 1));
        buf.set_string(0, 0, "▶ Sørensen · 李 ↑/k…", Style::default());
        fold(&mut buf);
        let row: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(row, "> Sorensen - Li ^/k.    ");
        assert!(row.is_ascii());
    }
}

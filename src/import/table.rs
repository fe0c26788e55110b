//! Reading a CSV file into rows addressed by column name: UTF-8 with or without a byte order
//! mark, comma or semicolon (told from the header line), quoted fields. Every problem is kept
//! with the line it starts on (the header is line 1), so a whole file is judged at once.

use std::collections::HashMap;

/// One bad line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub reason: String,
}

impl Problem {
    pub fn new(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// A column a kind of import knows.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

/// A column of a file's table of columns, as the importers list them.
pub const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

/// A data row: its line in the file and its fields, in header order.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    fields: Vec<String>,
}

/// The rows of a file, with the position of each known column that the header names.
#[derive(Debug)]
pub struct Table {
    index: HashMap<&'static str, usize>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Whether the header names this column.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// A field, trimmed; `None` when the header lacks the column.
    pub fn get<'r>(&self, row: &'r Row, column: &str) -> Option<&'r str> {
        self.index
            .get(column)
            .and_then(|&i| row.fields.get(i))
            .map(|s| s.trim())
    }
}

/// Header names are matched ignoring case, surrounding space, and spaces or hyphens for `_`
/// ("First Name" is `first_name`).
pub fn normalise_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The delimiter of the header line: the more frequent of `,` and `;` outside quotes
/// (comma when neither appears).
fn delimiter(first_line: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in first_line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Where a quoted field opens that no quote closes, as a byte offset. The reader would take the
/// rest of the file into that one field and report nothing, or report the line where the file
/// ends; the person needs the line where the quote opens. Quotes count as the reader counts
/// them: one at the start of a field opens it, `""` inside is a quote, the next `"` closes it.
fn unclosed_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let (mut quoted, mut field_start, mut opened) = (false, true, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                quoted = false;
            }
        } else if b == b'"' && field_start {
            quoted = true;
            opened = i;
        }
        field_start = !quoted && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    quoted.then_some(opened)
}

/// Reads a whole file: the rows that could be read, and a problem for each that could not
/// (a wrong number of fields, bytes that are not UTF-8). `Err` is a file that cannot be read by
/// column name at all: empty, a header only, or a header with missing or unknown columns.
pub fn read(bytes: &[u8], columns: &[Column]) -> Result<(Table, Vec<Problem>), Vec<Problem>> {
    let template = columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![Problem::new(
            1,
            "the file is UTF-16 text: save it as \"CSV UTF-8\"",
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![Problem::new(
            1,
            format!(
                "the file is empty: the first line must name the columns, for example {template}"
            ),
        )]);
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(bytes);
    // The reader's own line count leaves out blank lines, and a record's byte offset is where
    // the blank lines before it begin: skip those to get the line as an editor shows it.
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |pos: Option<&csv::Position>| -> u64 {
        let mut byte = pos.map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        newlines.partition_point(|&n| n < byte) as u64 + 1
    };
    let delimiter = delimiter(first_line);
    let unclosed = unclosed_quote(bytes, delimiter).map(|at| {
        let line = newlines.partition_point(|&n| n < at) as u64 + 1;
        Problem::new(
            line,
            "a double quote opens a field here and is never closed (a quote inside a field is written twice: \"\")",
        )
    });
    if let Some(p) = unclosed.as_ref().filter(|p| p.line == 1) {
        return Err(vec![p.clone()]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);

    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![Problem::new(1, format!("unreadable header: {e}"))]),
        None => {
            return Err(vec![Problem::new(
                1,
                format!(
                    "the file is empty: the first line must name the columns, for example {template}"
                ),
            )]);
        }
    };
    let header_line = line_at(header.position());
    let index = read_header(&header, header_line, columns, &template)?;
    let width = header.len();

    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                problems.push(Problem::new(line, format!("unreadable: {e}")));
                continue;
            }
        };
        let line = line_at(record.position());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != width {
            problems.push(Problem::new(
                line,
                format!(
                    "{} fields where the header has {width} (a field with a comma or semicolon in it needs double quotes)",
                    record.len()
                ),
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(width);
        let mut bad_utf8 = false;
        for f in record.iter() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    bad_utf8 = true;
                    break;
                }
            }
        }
        if bad_utf8 {
            problems.push(Problem::new(
                line,
                "not UTF-8 text: save the file as \"CSV UTF-8\"",
            ));
            continue;
        }
        rows.push(Row { line, fields });
    }
    if let Some(quote) = unclosed {
        // From the open quote on, the reader saw one runaway field: nothing there is a row.
        rows.retain(|r| r.line < quote.line);
        problems.retain(|p| p.line < quote.line);
        problems.push(quote);
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(vec![Problem::new(
            header_line,
            "only a header: there are no rows to import",
        )]);
    }
    Ok((Table { index, rows }, problems))
}

fn read_header(
    header: &csv::ByteRecord,
    line: u64,
    columns: &[Column],
    template: &str,
) -> Result<HashMap<&'static str, usize>, Vec<Problem>> {
    let Ok(names) = header
        .iter()
        .map(|f| std::str::from_utf8(f).map(normalise_name))
        .collect::<Result<Vec<String>, _>>()
    else {
        return Err(vec![Problem::new(
            line,
            "the header is not UTF-8 text: save the file as \"CSV UTF-8\"",
        )]);
    };
    let mut reasons = Vec::new();
    let mut index = HashMap::new();
    let mut unknown = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match columns.iter().find(|c| c.name == name) {
            Some(c) => {
                if index.insert(c.name, i).is_some() {
                    reasons.push(format!("the column {name} appears twice"));
                }
            }
            None if name.is_empty() => unknown.push("(an empty name)".to_string()),
            None => unknown.push(crate::sanitize::clean_line(name)),
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.required && !index.contains_key(c.name))
        .map(|c| c.name)
        .collect();
    if names.len() == 1 && !missing.is_empty() {
        let only = &names[0];
        let hint = if only.contains('\t') {
            "this file seems to use tabs: "
        } else if only.contains('|') {
            "this file seems to use | : "
        } else {
            ""
        };
        return Err(vec![Problem::new(
            line,
            format!(
                "the header has one column only; {hint}columns must be separated by commas or semicolons, like {template}"
            ),
        )]);
    }
    if !missing.is_empty() {
        reasons.push(format!("missing column(s): {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        reasons.push(format!(
            "unknown column(s): {} (known: {})",
            unknown.join(", "),
            columns
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if reasons.is_empty() {
        Ok(index)
    } else {
        Err(vec![Problem::new(line, reasons.join("; "))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[
        Column {
            name: "a",
            required: true,
        },
        Column {
            name: "b",
            required: true,
        },
        Column {
            name: "c",
            required: false,
        },
    ];

    #[test]
    fn bom_semicolons_quotes_and_any_order() {
        let t = read(
            "\u{feff}B;A\n\"x;y\";\"say \"\"hi\"\"\"\n\n2;1\n".as_bytes(),
            COLS,
        )
        .unwrap()
        .0;
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.get(&t.rows[0], "a"), Some("say \"hi\""));
        assert_eq!(t.get(&t.rows[0], "b"), Some("x;y"));
        assert_eq!(t.rows[1].line, 4);
        assert!(!t.has("c"));
        assert_eq!(t.get(&t.rows[1], "c"), None);
    }

    #[test]
    fn header_problems_are_named() {
        let e = read(b"a,d\n1,2\n", COLS).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].reason.contains("missing column(s): b"), "{e:?}");
        assert!(e[0].reason.contains("unknown column(s): d"), "{e:?}");
        let e = read(b"a\tb\n1\t2\n", COLS).unwrap_err();
        assert!(e[0].reason.contains("tabs"), "{e:?}");
        let e = read(b"A, a ,b\n", COLS).unwrap_err();
        assert!(e[0].reason.contains("twice"), "{e:?}");
    }

    #[test]
    fn empty_header_only_and_ragged_rows() {
        assert!(read(b"", COLS).unwrap_err()[0].reason.contains("empty"));
        assert!(
            read(b"\xEF\xBB\xBF \r\n", COLS).unwrap_err()[0]
                .reason
                .contains("empty")
        );
        assert!(
            read(b"a,b\r\n", COLS).unwrap_err()[0]
                .reason
                .contains("only a header")
        );
        let (t, e) = read(b"a,b\n1,2\n\n1,2,3\r\n\r\n\"x\ny\"\n1\n", COLS).unwrap();
        assert_eq!(e.iter().map(|p| p.line).collect::<Vec<_>>(), [4, 6, 8]);
        assert_eq!(t.rows.len(), 1);
        let (_, e) = read(b"a,b\n1,\xff\n", COLS).unwrap();
        assert!(e[0].reason.contains("UTF-8"));
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        for input in [
            &b"a,b\n1,2\n3,\"x\n4,5\n6,7\n"[..],
            &b"a,b\n1,2\n\"x,3\n4,5\n6,7"[..],
            &b"a,b\r\n1,2\r\n3,\"say \"\"hi\"\"\r\n4,5\r\n"[..],
        ] {
            let (t, e) = read(input, COLS).unwrap();
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].line, 3, "{e:?}");
            assert!(e[0].reason.contains("never closed"), "{e:?}");
            assert_eq!(t.rows.len(), 1);
        }
        // Balanced quotes, line breaks and doubled quotes inside are fine.
        let (t, e) = read(b"a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n\"1\"2,3\n", COLS).unwrap();
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(t.rows.len(), 2);
        let e = read(b"\"a,b\n1,2\n", COLS).unwrap_err();
        assert_eq!(e[0].line, 1);
    }
}

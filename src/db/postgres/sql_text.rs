//! SQLite's schema statements rewritten for PostgreSQL, token by token. The SQLite migrations
//! stay the one definition of the record: the server's tables, indexes and triggers are derived
//! from the schema they produce, so the two backends cannot drift apart.
//!
//! The rewrites are the handful this schema needs, each a known difference between the two:
//! storage classes, `STRICT`, `INTEGER PRIMARY KEY` ids, `IS`/`IS NOT` as null-safe equality,
//! the two-argument `min`/`max`, `GLOB`, `RAISE(ABORT, …)`, `date()` that gives NULL for a
//! malformed date, and the `user` column, a reserved word there.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A string literal, with its quotes.
    Str(String),
    /// A double-quoted identifier, with its quotes.
    Quoted(String),
    Punct(char),
    Space,
}

fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            push_space(&mut out);
        } else if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            push_space(&mut out);
        } else if c == '\'' || c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            let text: String = chars[start..i].iter().collect();
            out.push(if c == '\'' {
                Token::Str(text)
            } else {
                Token::Quoted(text)
            });
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

fn push_space(out: &mut Vec<Token>) {
    if out.last() != Some(&Token::Space) {
        out.push(Token::Space);
    }
}

fn text(tokens: &[Token]) -> String {
    let mut s = String::new();
    for t in tokens {
        match t {
            Token::Word(w) | Token::Str(w) | Token::Quoted(w) => s.push_str(w),
            Token::Punct(c) => s.push(*c),
            Token::Space => s.push(' '),
        }
    }
    s.trim().to_string()
}

fn is_word(t: Option<&Token>, w: &str) -> bool {
    matches!(t, Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
}

/// The index of the next token that is not a space, from `i` on.
fn next_solid(ts: &[Token], i: usize) -> Option<usize> {
    (i..ts.len()).find(|&j| ts[j] != Token::Space)
}

/// The expression rewrites every kind of statement needs.
fn rewrite_expressions(ts: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(ts.len());
    let mut i = 0;
    while i < ts.len() {
        let t = &ts[i];
        match t {
            Token::Word(w) if w == "user" => out.push(Token::Quoted("\"user\"".into())),
            Token::Word(w) if w.eq_ignore_ascii_case("IS") => {
                let after = next_solid(&ts, i + 1);
                let next = after.map(|j| &ts[j]);
                if is_word(next, "NULL") {
                    out.push(t.clone());
                } else if is_word(next, "NOT") {
                    let after_not = after.and_then(|j| next_solid(&ts, j + 1));
                    if is_word(after_not.map(|j| &ts[j]), "NULL") {
                        out.push(t.clone());
                    } else {
                        out.push(Token::Word("IS DISTINCT FROM".into()));
                        i = after.unwrap_or(i) + 1;
                        continue;
                    }
                } else {
                    out.push(Token::Word("IS NOT DISTINCT FROM".into()));
                }
            }
            Token::Word(w) if w.eq_ignore_ascii_case("GLOB") => {
                // `x GLOB 'pattern'` as an anchored regular expression, `x NOT GLOB` as its
                // negation.
                let after = next_solid(&ts, i + 1);
                if let Some(j) = after
                    && let Token::Str(pattern) = &ts[j]
                {
                    while out.last() == Some(&Token::Space) {
                        out.pop();
                    }
                    let negated =
                        matches!(out.last(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT"));
                    if negated {
                        out.pop();
                        out.push(Token::Punct('!'));
                    } else {
                        out.push(Token::Space);
                    }
                    out.push(Token::Punct('~'));
                    out.push(Token::Space);
                    out.push(Token::Str(glob_as_regex(pattern)));
                    i = j + 1;
                    continue;
                }
                out.push(t.clone());
            }
            Token::Word(w)
                if (w.eq_ignore_ascii_case("min") || w.eq_ignore_ascii_case("max"))
                    && ts.get(i + 1) == Some(&Token::Punct('('))
                    && has_top_level_comma(&ts, i + 1) =>
            {
                let name = if w.eq_ignore_ascii_case("min") {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                out.push(Token::Word(name.into()));
            }
            Token::Word(w)
                if w.eq_ignore_ascii_case("date") && ts.get(i + 1) == Some(&Token::Punct('(')) =>
            {
                out.push(Token::Word("ptclinic_date".into()));
            }
            Token::Word(w) if w.eq_ignore_ascii_case("RAISE") => {
                // `SELECT RAISE(ABORT, 'why')`: the SELECT was already written.
                let select = out.iter().rposition(|t| *t != Token::Space);
                if let Some(at) = select
                    && is_word(out.get(at), "SELECT")
                {
                    out.truncate(at);
                }
                let message = ts[i..].iter().find_map(|t| match t {
                    Token::Str(s) => Some(s.clone()),
                    _ => None,
                });
                out.push(Token::Word("RAISE EXCEPTION".into()));
                out.push(Token::Space);
                out.push(Token::Str(message.unwrap_or_else(|| "'refused'".into())));
                while i < ts.len() && ts[i] != Token::Punct(')') {
                    i += 1;
                }
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

/// `ON CONFLICT … DO UPDATE SET d = LEAST(d, excluded.d)`: PostgreSQL reads the bare `d` on
/// the right as ambiguous between the row and `excluded`, where SQLite takes the row's.
fn qualify_upsert_columns(mut ts: Vec<Token>) -> Vec<Token> {
    let mut table: Option<String> = None;
    let mut i = 0;
    while i < ts.len() {
        if is_word(ts.get(i), "INTO")
            && let Some(j) = next_solid(&ts, i + 1)
            && let Token::Word(name) = &ts[j]
        {
            table = Some(name.clone());
        }
        let set = is_word(ts.get(i), "SET")
            && ts[..i]
                .iter()
                .rev()
                .find(|t| **t != Token::Space)
                .is_some_and(|t| is_word(Some(t), "UPDATE"));
        let upsert = set
            && ts[..i]
                .iter()
                .rev()
                .filter(|t| **t != Token::Space)
                .nth(1)
                .is_some_and(|t| is_word(Some(t), "DO"));
        if upsert && let Some(table) = &table {
            // Each assignment in turn: `column = expression`, up to its comma.
            let mut at = next_solid(&ts, i + 1);
            while let Some(c) = at
                && let Token::Word(column) = ts[c].clone()
            {
                at = None;
                let mut depth = 0;
                let mut k = c + 1;
                while k < ts.len() {
                    match &ts[k] {
                        Token::Punct('(') => depth += 1,
                        Token::Punct(')') if depth == 0 => break,
                        Token::Punct(')') => depth -= 1,
                        Token::Punct(',') if depth == 0 => {
                            at = next_solid(&ts, k + 1);
                            break;
                        }
                        Token::Punct(';') => break,
                        Token::Word(w)
                            if depth == 0
                                && (w.eq_ignore_ascii_case("WHERE")
                                    || w.eq_ignore_ascii_case("RETURNING")) =>
                        {
                            break;
                        }
                        Token::Word(w)
                            if *w == column
                                && ts.get(k - 1) != Some(&Token::Punct('.'))
                                && ts.get(k + 1) != Some(&Token::Punct('.'))
                                && k > c + 1 =>
                        {
                            ts[k] = Token::Word(format!("{table}.{column}"));
                        }
                        _ => {}
                    }
                    k += 1;
                }
            }
        }
        i += 1;
    }
    ts
}

/// Whether the parenthesis at `open` holds a comma at its own level.
fn has_top_level_comma(ts: &[Token], open: usize) -> bool {
    let mut depth = 0;
    for t in &ts[open..] {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            Token::Punct(',') if depth == 1 => return true,
            _ => {}
        }
    }
    false
}

/// `'[0-2][0-9]:*'` as `'^[0-2][0-9]:.*$'`.
fn glob_as_regex(quoted: &str) -> String {
    let inner = &quoted[1..quoted.len().saturating_sub(1)];
    let mut re = String::from("'^");
    let mut in_class = false;
    for c in inner.chars() {
        match c {
            '[' => {
                in_class = true;
                re.push(c);
            }
            ']' => {
                in_class = false;
                re.push(c);
            }
            '*' if !in_class => re.push_str(".*"),
            '?' if !in_class => re.push('.'),
            '.' | '+' | '(' | ')' | '{' | '}' | '^' | '$' | '|' | '\\' if !in_class => {
                re.push('\\');
                re.push(c);
            }
            c => re.push(c),
        }
    }
    re.push_str("$'");
    re
}

/// A `CREATE TABLE` for PostgreSQL: 64-bit integers and floats, ids that number themselves,
/// no `STRICT`.
pub fn table(sql: &str) -> String {
    let ts = rewrite_expressions(tokens(sql));
    let mut out: Vec<Token> = Vec::with_capacity(ts.len());
    let mut i = 0;
    while i < ts.len() {
        match &ts[i] {
            Token::Word(w) if w == "INTEGER" => {
                let column = out.iter().rev().find(|t| **t != Token::Space).cloned();
                let primary = next_solid(&ts, i + 1)
                    .filter(|&j| is_word(ts.get(j), "PRIMARY"))
                    .and_then(|j| next_solid(&ts, j + 1))
                    .filter(|&j| is_word(ts.get(j), "KEY"));
                let refers = primary
                    .and_then(|j| next_solid(&ts, j + 1))
                    .is_some_and(|j| is_word(ts.get(j), "REFERENCES"));
                if column == Some(Token::Word("id".into()))
                    && let Some(key) = primary
                    && !refers
                {
                    out.push(Token::Word(
                        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY".into(),
                    ));
                    i = key + 1;
                    continue;
                }
                out.push(Token::Word("BIGINT".into()));
            }
            Token::Word(w) if w == "REAL" => out.push(Token::Word("DOUBLE PRECISION".into())),
            Token::Word(w) if w == "BLOB" => out.push(Token::Word("BYTEA".into())),
            Token::Word(w) if w == "STRICT" => {}
            other => out.push(other.clone()),
        }
        i += 1;
    }
    text(&out)
}

/// One of the store's statements (written once, for both backends) as the server reads it:
/// the expression rewrites, SQLite's index hints dropped (the server's planner chooses its
/// own), `INSERT OR IGNORE` as `ON CONFLICT DO NOTHING`, and casts to SQLite's storage classes
/// as the server's 64-bit types.
pub fn statement(sql: &str) -> String {
    let ts = qualify_upsert_columns(rewrite_expressions(tokens(sql)));
    let mut out: Vec<Token> = Vec::with_capacity(ts.len());
    let mut ignore_conflicts = false;
    let mut i = 0;
    while i < ts.len() {
        let previous = out.iter().rev().find(|t| **t != Token::Space);
        match &ts[i] {
            Token::Word(w) if w.eq_ignore_ascii_case("INDEXED") => {
                // `INDEXED BY name`: skip the three words.
                let by = next_solid(&ts, i + 1).filter(|&j| is_word(ts.get(j), "BY"));
                if let Some(name) = by.and_then(|j| next_solid(&ts, j + 1)) {
                    i = name + 1;
                    continue;
                }
                out.push(ts[i].clone());
            }
            Token::Word(w) if w.eq_ignore_ascii_case("OR") && is_word(previous, "INSERT") => {
                // `INSERT OR IGNORE INTO`: the `OR IGNORE` goes, and the conflict clause
                // goes at the end.
                if let Some(j) = next_solid(&ts, i + 1).filter(|&j| is_word(ts.get(j), "IGNORE")) {
                    ignore_conflicts = true;
                    i = j + 1;
                    continue;
                }
                out.push(ts[i].clone());
            }
            Token::Word(w) if w == "INTEGER" && is_word(previous, "AS") => {
                out.push(Token::Word("BIGINT".into()));
            }
            Token::Word(w) if w == "REAL" && is_word(previous, "AS") => {
                out.push(Token::Word("DOUBLE PRECISION".into()));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    if ignore_conflicts {
        // Before a `RETURNING` clause, if there is one.
        let at = out
            .iter()
            .rposition(|t| is_word(Some(t), "RETURNING"))
            .unwrap_or(out.len());
        out.splice(
            at..at,
            [
                Token::Space,
                Token::Word("ON CONFLICT DO NOTHING".into()),
                Token::Space,
            ],
        );
    }
    text(&out)
}

/// A `CREATE INDEX` for PostgreSQL (the same statement, with the expression rewrites).
pub fn index(sql: &str) -> String {
    text(&rewrite_expressions(tokens(sql)))
}

/// A SQLite trigger as PostgreSQL's pair: a PL/pgSQL function holding the body (its `WHEN`
/// as an `IF`, since PostgreSQL's `WHEN` cannot hold a subquery) and the row trigger calling it.
pub fn trigger(sql: &str) -> Option<[String; 2]> {
    let ts = qualify_upsert_columns(rewrite_expressions(tokens(sql)));
    let solid: Vec<&Token> = ts.iter().filter(|t| **t != Token::Space).collect();
    let mut k = 2; // CREATE TRIGGER
    if is_word(solid.get(k).copied(), "IF") {
        k += 3;
    }
    let Token::Word(name) = solid.get(k)? else {
        return None;
    };
    let name = name.clone();
    let begin = ts.iter().position(|t| is_word(Some(t), "BEGIN"))?;
    let end = ts.iter().rposition(|t| is_word(Some(t), "END"))?;
    let header_start = ts.iter().position(|t| *t == Token::Word(name.clone()))? + 1;
    let header = &ts[header_start..begin];
    let when = header.iter().position(|t| is_word(Some(t), "WHEN"));
    let (event, condition) = match when {
        Some(w) => (&header[..w], Some(&header[w + 1..])),
        None => (header, None),
    };
    let body = text(&ts[begin + 1..end]);
    let body = match condition {
        Some(c) => format!("IF {} THEN {body} END IF;", text(c)),
        None => body,
    };
    // A BEFORE trigger that lets the change through returns its row: NULL would skip the row
    // without a word. An AFTER trigger's value is ignored.
    let before = event.iter().any(|t| is_word(Some(t), "BEFORE"));
    let returns = match (before, event.iter().any(|t| is_word(Some(t), "DELETE"))) {
        (false, _) => "NULL",
        (true, true) => "OLD",
        (true, false) => "NEW",
    };
    Some([
        format!(
            "CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN {body} RETURN {returns}; END $fn$"
        ),
        format!(
            "CREATE TRIGGER {name} {} FOR EACH ROW EXECUTE FUNCTION {name}_fn()",
            text(event)
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_gets_server_types_and_ids_that_number_themselves() {
        let t = table(
            "CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                user TEXT NOT NULL, -- who
                score REAL, data BLOB,
                staff_id INTEGER PRIMARY KEY REFERENCES staff (id),
                open TEXT CHECK (open IS NULL OR open GLOB '[0-2][0-9]:*')
            ) STRICT",
        );
        assert_eq!(
            t,
            "CREATE TABLE audit_log ( id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \"user\" TEXT NOT NULL, score DOUBLE PRECISION, data BYTEA, staff_id BIGINT PRIMARY KEY REFERENCES staff (id), open TEXT CHECK (open IS NULL OR open ~ '^[0-2][0-9]:.*$') )"
        );
    }

    #[test]
    fn every_assignment_of_an_upsert_reads_the_row_not_excluded() {
        assert_eq!(
            statement(
                "INSERT INTO t (k, a) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET a = excluded.a,
                 n = n + 1, m = max(m, excluded.m) WHERE t.k <> 0"
            ),
            "INSERT INTO t (k, a) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET a = excluded.a, n = t.n + 1, m = GREATEST(t.m, excluded.m) WHERE t.k <> 0"
        );
    }

    #[test]
    fn glob_and_not_glob_become_anchored_regular_expressions() {
        assert_eq!(
            statement("SELECT 1 FROM p WHERE mrn GLOB '[0-9]*' AND mrn NOT GLOB '*[^0-9]*'"),
            "SELECT 1 FROM p WHERE mrn ~ '^[0-9].*$' AND mrn !~ '^.*[^0-9].*$'"
        );
    }

    #[test]
    fn a_trigger_becomes_a_function_and_a_row_trigger() {
        let [function, trigger] = trigger(
            "CREATE TRIGGER IF NOT EXISTS t_stale AFTER UPDATE OF a, b ON t
             WHEN OLD.a IS NOT NEW.a OR (OLD.b = 1) IS (NEW.b = 1)
             BEGIN
                 INSERT INTO s (k, d) VALUES (NEW.k, substr(min(OLD.d, NEW.d), 1, 10))
                     ON CONFLICT (k) DO UPDATE SET d = min(d, excluded.d);
             END",
        )
        .unwrap();
        assert_eq!(
            function,
            "CREATE FUNCTION t_stale_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN IF OLD.a IS DISTINCT FROM NEW.a OR (OLD.b = 1) IS NOT DISTINCT FROM (NEW.b = 1) THEN INSERT INTO s (k, d) VALUES (NEW.k, substr(LEAST(OLD.d, NEW.d), 1, 10)) ON CONFLICT (k) DO UPDATE SET d = LEAST(s.d, excluded.d); END IF; RETURN NULL; END $fn$"
        );
        assert_eq!(
            trigger,
            "CREATE TRIGGER t_stale AFTER UPDATE OF a, b ON t FOR EACH ROW EXECUTE FUNCTION t_stale_fn()"
        );
    }

    #[test]
    fn raise_and_an_aggregate_min_and_is_null_are_read_right() {
        let [function, _] = trigger(
            "CREATE TRIGGER no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        )
        .unwrap();
        // A BEFORE trigger gives its row back, or PostgreSQL would skip the row unsaid.
        assert!(
            function.contains("BEGIN RAISE EXCEPTION 'the audit log is append-only'; RETURN NEW;"),
            "{function}"
        );
        let [function, _] = trigger(
            "CREATE TRIGGER no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'kept'); END",
        )
        .unwrap();
        assert!(function.ends_with("RETURN OLD; END $fn$"), "{function}");
        assert_eq!(
            index("CREATE INDEX i ON t (a) WHERE b IS NOT NULL AND min(c) IS NULL"),
            "CREATE INDEX i ON t (a) WHERE b IS NOT NULL AND min(c) IS NULL"
        );
        assert_eq!(
            index("CREATE INDEX d ON t (x) WHERE date(x) IS x"),
            "CREATE INDEX d ON t (x) WHERE ptclinic_date(x) IS NOT DISTINCT FROM x"
        );
    }
}

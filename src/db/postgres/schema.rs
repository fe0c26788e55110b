//! The server's schema: derived from the SQLite migrations (see `sql_text`), created and
//! versioned in one transaction under an advisory lock, so that two terminals never build or
//! upgrade the same database at once; a database with a newer schema is refused untouched.

use rusqlite::Connection;

use super::sql_text;
use crate::db::schema::SCHEMA_VERSION;
use crate::error::{AppError, AppResult};

/// The advisory lock every schema change takes (one number for the whole app: "PTCL").
pub const SCHEMA_LOCK: i64 = 0x5054_434C;

/// What the derived statements lean on: a case-insensitive collation for SQLite's `NOCASE`
/// (ICU's, at secondary strength), `date()` that gives NULL for a malformed date as SQLite's
/// does, and the table that holds the schema's version (SQLite keeps it in `user_version`).
const PREAMBLE: &[&str] = &[
    "CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
    "CREATE FUNCTION ptclinic_date(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
     BEGIN RETURN to_char(substr(t, 1, 10)::date, 'YYYY-MM-DD');
     EXCEPTION WHEN others THEN RETURN NULL; END $fn$",
    "CREATE TABLE ptclinic_schema (version BIGINT NOT NULL)",
];

/// One table of the record, as both backends define it.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// Columns in SQLite's order, with the declared type (`INTEGER`, `REAL`, `TEXT`, `BLOB`).
    pub columns: Vec<(String, String)>,
    pub create: String,
}

/// The whole record's definition on the server.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Parents before the tables that refer to them.
    pub tables: Vec<Table>,
    /// Indexes and triggers, created once the rows are in (faster, and no trigger fires on
    /// copied rows: they arrive as the SQLite record holds them).
    pub after_rows: Vec<String>,
}

/// Works the server's definition out from a fresh SQLite record of this version.
pub fn derived() -> AppResult<Derived> {
    let mut conn = Connection::open_in_memory().map_err(|e| crate::db::sql_failure("memory", e))?;
    crate::db::schema::migrate(&mut conn, "memory")?;
    derived_from(&conn).map_err(|e| crate::db::sql_failure("memory", e))
}

fn derived_from(conn: &Connection) -> rusqlite::Result<Derived> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut tables = Vec::new();
    let mut indexes = Vec::new();
    let mut triggers = Vec::new();
    for (kind, name, sql) in rows {
        match kind.as_str() {
            "table" => {
                let columns = conn
                    .prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")?
                    .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let parents: Vec<String> = conn
                    .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
                    .query_map([&name], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                tables.push((
                    Table {
                        create: sql_text::table(&sql),
                        name,
                        columns,
                    },
                    parents,
                ));
            }
            "index" => indexes.push(sql_text::index(&sql)),
            "trigger" => {
                if let Some(pair) = sql_text::trigger(&sql) {
                    triggers.extend(pair);
                }
            }
            _ => {}
        }
    }
    let mut after_rows = indexes;
    after_rows.extend(triggers);
    Ok(Derived {
        tables: parents_first(tables),
        after_rows,
    })
}

/// Orders tables so that each comes after those it refers to (a table referring to itself, or
/// a cycle, keeps SQLite's order).
fn parents_first(mut pending: Vec<(Table, Vec<String>)>) -> Vec<Table> {
    let mut done: Vec<Table> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|(t, parents)| {
            parents.iter().all(|p| {
                p.eq_ignore_ascii_case(&t.name)
                    || done.iter().any(|d| d.name.eq_ignore_ascii_case(p))
            })
        });
        let (table, _) = pending.remove(ready.unwrap_or(0));
        done.push(table);
    }
    done
}

/// Creates the support objects and every table (no rows, no indexes yet).
pub fn create_tables(
    tx: &mut postgres::Transaction,
    derived: &Derived,
) -> Result<(), postgres::Error> {
    for sql in PREAMBLE {
        tx.batch_execute(sql)?;
    }
    for table in &derived.tables {
        tx.batch_execute(&table.create)?;
    }
    Ok(())
}

/// Creates the indexes and triggers and records the schema's version.
pub fn finish(tx: &mut postgres::Transaction, derived: &Derived) -> Result<(), postgres::Error> {
    for sql in &derived.after_rows {
        tx.batch_execute(sql)?;
    }
    tx.execute(
        "INSERT INTO ptclinic_schema (version) VALUES ($1)",
        &[&SCHEMA_VERSION],
    )?;
    Ok(())
}

/// Waits for the schema lock, held until the transaction ends.
pub fn lock(tx: &mut postgres::Transaction) -> Result<(), postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    Ok(())
}

/// What the database holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No table of ours: a database ready for `init` or `migrate`.
    Empty,
    /// A clinic record of this schema version or another.
    Record(i64),
    /// Tables of ours but no version: something else, or a half-made record.
    Other(Vec<String>),
}

/// Looks at the database's tables (in the connection's schema search path).
pub fn found(
    client: &mut impl postgres::GenericClient,
    derived: &Derived,
) -> Result<Found, postgres::Error> {
    let names: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema()",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if names.iter().any(|n| n == "ptclinic_schema") {
        let version: Option<i64> = client
            .query_opt("SELECT max(version) FROM ptclinic_schema", &[])?
            .and_then(|r| r.get(0));
        return Ok(match version {
            Some(v) => Found::Record(v),
            None => Found::Other(vec!["ptclinic_schema".into()]),
        });
    }
    let ours: Vec<String> = names
        .into_iter()
        .filter(|n| {
            derived
                .tables
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(n))
        })
        .collect();
    Ok(if ours.is_empty() {
        Found::Empty
    } else {
        Found::Other(ours)
    })
}

/// Whether this binary can work on what was found; the refusal names the server.
pub fn check_usable(found: &Found, shown: &str) -> AppResult<()> {
    match found {
        Found::Record(v) if *v == SCHEMA_VERSION => Ok(()),
        Found::Record(v) if *v > SCHEMA_VERSION => Err(crate::db::schema::newer_schema(shown, *v)),
        Found::Record(v) => Err(AppError::failure(format!(
            "{shown} holds schema {v}, which this ptclinic cannot upgrade on a server (it knows {SCHEMA_VERSION}); the database was not changed"
        ))),
        Found::Empty => Err(AppError::input(format!(
            "{shown} holds no clinic record yet: ptclinic init --db {shown}, or ptclinic migrate --from FILE --to {shown}"
        ))),
        Found::Other(tables) => Err(AppError::failure(format!(
            "{shown} holds tables named like ptclinic's ({}) but no schema version: it is not a clinic record ptclinic made",
            tables.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_comes_after_the_tables_it_refers_to() {
        let d = derived().unwrap();
        let place = |n: &str| d.tables.iter().position(|t| t.name == n).unwrap();
        assert!(place("staff") < place("appointments"));
        assert!(place("patients") < place("appointments"));
        assert!(place("visit_series") < place("appointments"));
        assert!(place("appointments") < place("visit_notes"));
        assert!(d.tables.iter().all(|t| !t.create.contains("STRICT")));
        // SQLite's record: 29 tables, 26 indexes, 26 triggers (two statements each here).
        let triggers = d
            .after_rows
            .iter()
            .filter(|s| s.starts_with("CREATE TRIGGER"))
            .count();
        let functions = d
            .after_rows
            .iter()
            .filter(|s| s.starts_with("CREATE FUNCTION"))
            .count();
        assert_eq!(triggers, functions);
        assert!(triggers > 20, "{triggers}");
    }

    #[test]
    fn a_newer_or_foreign_database_is_refused_in_one_sentence() {
        let shown = "postgres://desk@db/clinic";
        assert!(check_usable(&Found::Record(SCHEMA_VERSION), shown).is_ok());
        for (found, says) in [
            (Found::Record(SCHEMA_VERSION + 1), "newer ptclinic"),
            (Found::Empty, "ptclinic init --db"),
            (Found::Other(vec!["patients".into()]), "not a clinic record"),
        ] {
            let e = check_usable(&found, shown).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
            assert!(!e.contains('\n'));
        }
    }
}

//! A SQLite record moved onto a server in one transaction: every table copied as it is (binary
//! `COPY`, parents first), the ids' sequences set past the copied rows, the indexes and
//! triggers built, the audit chain walked on arrival, and the move itself audited at the end
//! of the chain. A database that already holds a record is refused; `--dry-run` does all of it
//! and rolls back.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use rusqlite::types::ValueRef;

use super::schema::{self, Found, Table};
use super::{Target, failure};
use crate::db::audit;
use crate::db::sql::{Conn, Pg, SqlError};
use crate::db::{Db, Who};
use crate::error::{AppError, AppResult};

/// One table's rows on each side.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub target: i64,
}

/// What a move did (or, dry, would do).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moved {
    pub tables: Vec<TableCount>,
    /// Audit rows whose chain was verified on the server (the move's own row not counted).
    pub audit_rows_verified: usize,
    pub dry_run: bool,
}

impl Moved {
    pub fn rows(&self) -> (i64, i64) {
        self.tables
            .iter()
            .fold((0, 0), |(s, t), c| (s + c.source, t + c.target))
    }
}

/// A SQLite value as the server's column takes it (the tables are STRICT, so a column's
/// values are of its declared type, integers in a REAL column aside).
#[derive(Debug)]
struct Cell<'a>(ValueRef<'a>);

impl ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) if *ty == Type::FLOAT8 => (i as f64).to_sql(ty, out),
            ValueRef::Integer(i) => i.to_sql(ty, out),
            ValueRef::Real(f) => f.to_sql(ty, out),
            ValueRef::Text(t) => std::str::from_utf8(t)?.to_sql(ty, out),
            ValueRef::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [Type::INT8, Type::FLOAT8, Type::TEXT, Type::BYTEA].contains(ty)
    }

    to_sql_checked!();
}

fn server_type(declared: &str) -> Type {
    match declared.to_ascii_uppercase().as_str() {
        "INTEGER" => Type::INT8,
        "REAL" => Type::FLOAT8,
        "BLOB" => Type::BYTEA,
        _ => Type::TEXT,
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Why a record is copied onto a server: the audit row at the end of the chain says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `ptclinic migrate`: a clinic's record moves.
    Migrate,
    /// `ptclinic init --db postgres://…`: a new record, built as SQLite's is, goes up.
    Init,
}

impl Purpose {
    fn action(self) -> &'static str {
        match self {
            Purpose::Migrate => "record.migrate",
            Purpose::Init => "record.init_server",
        }
    }
}

/// A statement's failure on the server (or a value that did not fit) as one sentence.
fn server_failure(shown: &str, e: SqlError) -> AppError {
    match e {
        SqlError::Pg(e) => failure(shown, &e),
        other => AppError::failure(format!("database error at {shown}: {other}")),
    }
}

impl Db {
    /// Moves this record onto the server at `target` (see the module's note).
    pub fn migrate_to(&mut self, target: &Target, who: Who, dry_run: bool) -> AppResult<Moved> {
        self.copy_to(target, who, dry_run, Purpose::Migrate)
    }

    pub(crate) fn copy_to(
        &mut self,
        target: &Target,
        who: Who,
        dry_run: bool,
        purpose: Purpose,
    ) -> AppResult<Moved> {
        let derived = schema::derived()?;
        let mut server = super::connect(target)?;
        let shown = target.shown().to_string();
        let pg = |e: postgres::Error| failure(&shown, &e);
        match schema::found(&mut server.client, &derived).map_err(pg)? {
            Found::Empty => {}
            Found::Record(v) => {
                return Err(AppError::input(format!(
                    "{shown} already holds a clinic record (schema {v}); nothing was copied: a clinic moves only into an empty database"
                )));
            }
            Found::Other(tables) => {
                return Err(AppError::input(format!(
                    "{shown} already holds tables named like ptclinic's ({}); nothing was copied: a clinic moves only into an empty database",
                    tables.join(", ")
                )));
            }
        }
        // One snapshot of the file for the whole copy: a terminal that writes meanwhile waits.
        let source_path = self.path_text();
        let lite = |e| crate::db::sql_failure(&source_path, e);
        let read = self.conn()?.unchecked_transaction().map_err(lite)?;
        if let Err(why) = audit::verify_chain(&read).map_err(|e| lite(e.into()))? {
            return Err(AppError::failure(format!(
                "{source_path}'s audit chain is broken ({why}); nothing was copied: run `ptclinic doctor` first"
            )));
        }
        let mut tx = server.client.transaction().map_err(pg)?;
        schema::lock(&mut tx).map_err(pg)?;
        if schema::found(&mut tx, &derived).map_err(pg)? != Found::Empty {
            return Err(AppError::input(format!(
                "{shown} was given a clinic record by another terminal meanwhile; nothing was copied"
            )));
        }
        schema::create_tables(&mut tx, &derived).map_err(pg)?;
        let mut tables = Vec::new();
        for table in &derived.tables {
            let source = copy_table(&read, &mut tx, table).map_err(|e| match e {
                CopyError::Lite(e) => lite(e),
                CopyError::Server(e) => pg(e),
            })?;
            tables.push(TableCount {
                table: table.name.clone(),
                source,
                target: 0,
            });
        }
        for table in &derived.tables {
            if table.columns.iter().any(|(c, _)| c == "id") && table.create.contains("IDENTITY") {
                let name = quoted(&table.name);
                tx.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), max(id)) FROM {name} HAVING max(id) IS NOT NULL",
                    table.name
                ))
                .map_err(pg)?;
            }
        }
        schema::finish(&mut tx, &derived).map_err(pg)?;
        for count in &mut tables {
            count.target = tx
                .query_one(
                    &format!("SELECT count(*) FROM {}", quoted(&count.table)),
                    &[],
                )
                .map_err(pg)?
                .get(0);
        }
        if let Some(off) = tables.iter().find(|c| c.source != c.target) {
            return Err(AppError::failure(format!(
                "{} has {} rows on the server but {} in {source_path}; nothing was kept",
                off.table, off.target, off.source
            )));
        }
        let verified = audit::verify_chain(&Pg::in_transaction(&mut tx))
            .map_err(|e| server_failure(&shown, e))?
            .map_err(|why| {
                AppError::failure(format!(
                    "the audit chain did not arrive intact ({why}); nothing was kept"
                ))
            })?;
        record_move(&mut tx, &who, purpose, &tables).map_err(|e| server_failure(&shown, e))?;
        drop(read);
        if dry_run {
            tx.rollback().map_err(pg)?;
        } else {
            tx.commit().map_err(pg)?;
        }
        Ok(Moved {
            tables,
            audit_rows_verified: verified,
            dry_run,
        })
    }
}

enum CopyError {
    Lite(rusqlite::Error),
    Server(postgres::Error),
}

/// Copies one table's rows; returns how many.
fn copy_table(
    read: &rusqlite::Connection,
    tx: &mut postgres::Transaction,
    table: &Table,
) -> Result<i64, CopyError> {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let types: Vec<Type> = table.columns.iter().map(|(_, t)| server_type(t)).collect();
    let list = columns.join(", ");
    let name = quoted(&table.name);
    let mut stmt = read
        .prepare(&format!("SELECT {list} FROM {name}"))
        .map_err(CopyError::Lite)?;
    let sink = tx
        .copy_in(&format!("COPY {name} ({list}) FROM STDIN (FORMAT binary)"))
        .map_err(CopyError::Server)?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut rows = stmt.query([]).map_err(CopyError::Lite)?;
    let mut count = 0i64;
    while let Some(row) = rows.next().map_err(CopyError::Lite)? {
        let cells: Vec<Cell> = (0..columns.len())
            .map(|i| row.get_ref(i).map(Cell))
            .collect::<Result<_, _>>()
            .map_err(CopyError::Lite)?;
        let values: Vec<&(dyn ToSql + Sync)> =
            cells.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
        writer.write(&values).map_err(CopyError::Server)?;
        count += 1;
    }
    writer.finish().map_err(CopyError::Server)?;
    Ok(count)
}

/// The move's own audit row, at the end of the chain: who moved the record, and how many rows
/// of each table.
fn record_move(
    tx: &mut postgres::Transaction,
    who: &Who,
    purpose: Purpose,
    tables: &[TableCount],
) -> Result<(), SqlError> {
    let counts: serde_json::Map<String, serde_json::Value> = tables
        .iter()
        .map(|c| (c.table.clone(), serde_json::Value::from(c.source)))
        .collect();
    audit::record(
        &Conn::new(&Pg::in_transaction(tx)),
        &audit::AuditEntry {
            at: who.at,
            user: who.user,
            action: purpose.action(),
            entity: "record",
            entity_id: None,
            detail: serde_json::json!({ "rows": counts }),
        },
    )
}

/// A new clinic record on the server: built as `init` builds a file (the same library,
/// templates, hours and first audit row), in a private folder, then copied up whole.
pub fn init_server(
    target: &Target,
    who: Who,
    library: &[crate::domain::bulk::NewExercise],
) -> AppResult<(crate::db::new_clinic::InitSummary, Moved)> {
    let folder = tempfile::Builder::new()
        .prefix(".ptclinic-init-")
        .tempdir()
        .map_err(|e| AppError::failure(format!("no private folder for the new record: {e}")))?;
    let path = folder.path().join("new.db");
    let made = Db::init_clinic(
        &path,
        Who {
            user: who.user,
            at: who.at,
        },
        library,
    )?;
    let mut db = crate::db::open_existing(&path)?;
    let moved = db.copy_to(target, who, false, Purpose::Init)?;
    Ok((made, moved))
}

//! One way for the store's code to run a statement, whichever backend holds the record: the
//! SQLite connection (`lite`) or a PostgreSQL client or transaction (`pg`). A statement is
//! written once, in the SQL both accept, with `?1`-style parameters; values go in as [`Value`]
//! and come out of a [`Row`] as plain Rust types, whatever integer or text type the server
//! chose for a column or an expression.
//!
//! The store's modules move onto this one by one (the audit log first); until a module has,
//! it keeps speaking rusqlite, and a [`SqlError`] turns back into a rusqlite error at its `?`.

mod lite;
mod pg;

pub use pg::Pg;

/// A parameter, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What can be given to a statement as a parameter: borrowed where the value is text or
/// bytes, so a statement's parameters are never copied.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! integer_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                // Every count, id and minute the store keeps fits; a value that did not would
                // be a bug upstream, and is stored as the largest integer rather than wrapped.
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_value!(i64, i32, u32, i16, u16, u8, usize, u64);

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map(ToValue::to_value).unwrap_or(Value::Null)
    }
}

/// `args![a, b]`: the parameters of a statement, each borrowed as [`ToValue`] gives it.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::db::sql::ToValue::to_value(&$v)),*]
    };
}
pub(in crate::db) use args;

/// One value of a row, as the backend holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'r> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'r str),
    Blob(&'r [u8]),
}

/// Why a statement failed.
#[derive(Debug)]
pub enum SqlError {
    Lite(rusqlite::Error),
    Pg(postgres::Error),
    /// A column's value is not what the code asked for (column, what was found).
    Type(usize, String),
    /// A statement that must return a row returned none.
    NoRows,
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlError::Lite(e) => e.fmt(f),
            SqlError::Pg(e) => e.fmt(f),
            SqlError::Type(i, what) => write!(f, "column {i} holds {what}"),
            SqlError::NoRows => f.write_str("the statement returned no row"),
        }
    }
}

impl std::error::Error for SqlError {}

impl SqlError {
    /// Another writer held what this one needed (SQLite's lock; a server's serialization
    /// failure, deadlock or lock timeout): the whole transaction may be tried again.
    pub fn is_busy(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            SqlError::Lite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            SqlError::Pg(e) => e.code().is_some_and(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE
            }),
            SqlError::Type(..) | SqlError::NoRows => false,
        }
    }
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => SqlError::NoRows,
            e => SqlError::Lite(e),
        }
    }
}

impl From<postgres::Error> for SqlError {
    fn from(e: postgres::Error) -> Self {
        SqlError::Pg(e)
    }
}

/// Code still on rusqlite calls converted code with `?`: SQLite's own errors come back as
/// they were, so its busy and I/O handling sees them unchanged.
impl From<SqlError> for rusqlite::Error {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Lite(e) => e,
            SqlError::NoRows => rusqlite::Error::QueryReturnedNoRows,
            SqlError::Type(i, what) => rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Null,
                what.into(),
            ),
            other @ SqlError::Pg(_) => rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
        }
    }
}

impl From<SqlError> for crate::db::TxError {
    fn from(e: SqlError) -> Self {
        crate::db::TxError::Sql(e)
    }
}

/// A value read out of a row.
pub trait FromCell: Sized {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError>;
}

fn wrong(i: usize, cell: Cell, wanted: &str) -> SqlError {
    let found = match cell {
        Cell::Null => "NULL",
        Cell::Int(_) => "an integer",
        Cell::Real(_) => "a real number",
        Cell::Text(_) => "text",
        Cell::Blob(_) => "bytes",
    };
    SqlError::Type(i, format!("{found} where {wanted} was read"))
}

impl FromCell for i64 {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Int(v) => Ok(v),
            other => Err(wrong(i, other, "an integer")),
        }
    }
}

/// The narrower integers the store keeps (counts, minutes, scores), read as the `i64` both
/// backends give and refused where they do not fit.
macro_rules! narrow_integer {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
                let v = i64::from_cell(i, cell)?;
                <$t>::try_from(v).map_err(|_| {
                    SqlError::Type(i, format!("{v}, out of range for {}", stringify!($t)))
                })
            }
        }
    )*};
}
narrow_integer!(i32, u32, i16, u16, u8, usize, u64);

impl FromCell for f64 {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Real(v) => Ok(v),
            Cell::Int(v) => Ok(v as f64),
            other => Err(wrong(i, other, "a number")),
        }
    }
}

impl FromCell for bool {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Int(v) => Ok(v != 0),
            other => Err(wrong(i, other, "a truth value")),
        }
    }
}

impl FromCell for String {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Text(v) => Ok(v.to_string()),
            other => Err(wrong(i, other, "text")),
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Blob(v) => Ok(v.to_vec()),
            other => Err(wrong(i, other, "bytes")),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(i: usize, cell: Cell) -> Result<Self, SqlError> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(i, other).map(Some),
        }
    }
}

/// A row of either backend.
pub enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl<'r> Row<'r> {
    /// A text column read in place (NULL as `None`), for values parsed straight away.
    pub fn text(&self, i: usize) -> Result<Option<&str>, SqlError> {
        match self {
            Row::Lite(r) => match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t)
                    .map(Some)
                    .map_err(|_| SqlError::Type(i, "text that is not UTF-8".into())),
                _ => Err(SqlError::Type(i, "a value where text was read".into())),
            },
            Row::Pg(r) => Ok(r.try_get::<_, Option<&str>>(i)?),
        }
    }

    pub fn get<T: FromCell>(&self, i: usize) -> Result<T, SqlError> {
        match self {
            Row::Lite(r) => lite::cell(r, i, T::from_cell),
            Row::Pg(r) => pg::cell(r, i, T::from_cell),
        }
    }
}

/// What the store's code runs statements on: a SQLite connection or transaction, a server's
/// client or transaction, or a [`Conn`] holding any of them.
pub trait Sql {
    /// Runs a statement that returns no rows; how many rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, SqlError>;

    /// Hands the rows to `f` in turn, as the backend streams them, for as long as `f` answers
    /// `true`: a read that wants the first row stops there.
    fn scan(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<bool, SqlError>,
    ) -> Result<(), SqlError>;

    /// Hands every row to `f` in turn.
    fn each(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<(), SqlError>,
    ) -> Result<(), SqlError> {
        self.scan(sql, params, &mut |r| f(r).map(|()| true))
    }

    /// Runs an `INSERT` into a table with an `id` key and gives back the new row's id.
    fn insert(&self, sql: &str, params: &[Value]) -> Result<i64, SqlError>;

    /// Prepares a statement (kept for its next run) without running it: a statement the
    /// record cannot run (an index it names is gone) fails here, before anything is read.
    fn prepare(&self, sql: &str) -> Result<(), SqlError>;

    /// Runs statements separated by `;`, without parameters (an index dropped and rebuilt).
    fn execute_batch(&self, sql: &str) -> Result<(), SqlError>;

    /// Opens a read-only snapshot when no transaction is open, so that several reads see one
    /// moment; whether it did (and so must end it).
    fn begin_snapshot(&self) -> Result<bool, SqlError>;

    /// Ends the snapshot `begin_snapshot` opened, with `COMMIT` or `ROLLBACK`.
    fn end_snapshot(&self, sql: &str) -> Result<(), SqlError> {
        self.execute_batch(sql)
    }

    /// Every row, each turned into a value by `f`.
    fn rows<T>(
        &self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row) -> Result<T, SqlError>,
    ) -> Result<Vec<T>, SqlError>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.each(sql, params, &mut |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if there is one.
    fn row<T>(
        &self,
        sql: &str,
        params: &[Value],
        f: impl FnOnce(&Row) -> Result<T, SqlError>,
    ) -> Result<Option<T>, SqlError>
    where
        Self: Sized,
    {
        let mut f = Some(f);
        let mut first = None;
        self.scan(sql, params, &mut |r| {
            if let Some(f) = f.take() {
                first = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(first)
    }

    /// The first row, which must be there ([`SqlError::NoRows`] otherwise).
    fn query_row<T>(
        &self,
        sql: &str,
        params: &[Value],
        f: impl FnOnce(&Row) -> Result<T, SqlError>,
    ) -> Result<T, SqlError>
    where
        Self: Sized,
    {
        self.row(sql, params, f)?.ok_or(SqlError::NoRows)
    }
}

/// The rows `Stmt::query_map` read, each handed back as a `Result` for the caller to collect.
pub type MappedRows<T> = std::iter::Map<std::vec::IntoIter<T>, fn(T) -> Result<T, SqlError>>;

/// A statement bound to its connection (see [`Conn::prepare_cached`]).
pub struct Stmt<'c> {
    conn: Conn<'c>,
    // Owned, as a prepared statement holds its text: a statement built with `format!` may be
    // prepared in one line and run in the next.
    sql: String,
}

impl Stmt<'_> {
    pub fn execute(&mut self, params: &[Value]) -> Result<usize, SqlError> {
        self.conn.execute(&self.sql, params)
    }

    pub fn insert(&mut self, params: &[Value]) -> Result<i64, SqlError> {
        self.conn.insert(&self.sql, params)
    }

    pub fn query_row<T>(
        &mut self,
        params: &[Value],
        f: impl FnOnce(&Row) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        self.conn.query_row(&self.sql, params, f)
    }

    /// Every row read by `f`, handed back one by one (as rusqlite's `query_map` does, so a
    /// caller collects them into a `Result`).
    pub fn query_map<T>(
        &mut self,
        params: &[Value],
        f: impl FnMut(&Row) -> Result<T, SqlError>,
    ) -> Result<MappedRows<T>, SqlError> {
        Ok(self
            .conn
            .rows(&self.sql, params, f)?
            .into_iter()
            .map(Ok as fn(T) -> Result<T, SqlError>))
    }

    pub fn each(
        &mut self,
        params: &[Value],
        mut f: impl FnMut(&Row) -> Result<(), SqlError>,
    ) -> Result<(), SqlError> {
        self.conn.each(&self.sql, params, &mut f)
    }
}

/// The store's connection, whichever backend holds the record: what every module's functions
/// take, so one body of code runs on both.
#[derive(Clone, Copy)]
pub struct Conn<'c> {
    sql: &'c dyn Sql,
    /// Inside a change: the audit log's end as the change knows it.
    chain: Option<&'c ChainEnd>,
}

/// The audit log's newest hash as a change's transaction last read or wrote it, and the last
/// row the change appended. The writers' lock (a file's write lock, the server's advisory
/// lock) is held for the whole change, so no one else can append meanwhile: the log's end is
/// read once per change, not once per row, and the change knows its own last row without
/// reading it back.
#[derive(Debug, Default)]
pub struct ChainEnd {
    hash: std::cell::RefCell<Option<String>>,
    appended: std::cell::RefCell<Option<(i64, String)>>,
}

impl ChainEnd {
    /// The newest row's hash, when the change has read or written it.
    pub fn hash(&self) -> Option<String> {
        self.hash.borrow().clone()
    }

    pub fn set_hash(&self, hash: &str) {
        *self.hash.borrow_mut() = Some(hash.to_string());
    }

    /// A row the change appended: the log's new end.
    pub fn appended(&self, id: i64, hash: &str) {
        self.set_hash(hash);
        *self.appended.borrow_mut() = Some((id, hash.to_string()));
    }

    /// The last row the change appended (id and hash), if it appended any.
    pub fn last_appended(&self) -> Option<(i64, String)> {
        self.appended.borrow().clone()
    }
}

impl<'c> Conn<'c> {
    pub fn new(inner: &'c dyn Sql) -> Self {
        Conn {
            sql: inner,
            chain: None,
        }
    }

    /// The connection of one change, whose audit rows `chain` follows.
    pub fn in_change(inner: &'c dyn Sql, chain: &'c ChainEnd) -> Self {
        Conn {
            sql: inner,
            chain: Some(chain),
        }
    }

    /// The audit log's end as the change in progress knows it (None outside a change).
    pub fn chain(&self) -> Option<&'c ChainEnd> {
        self.chain
    }

    /// A statement to run once or many times (each backend keeps it prepared).
    pub fn prepare_cached(self, sql: &str) -> Result<Stmt<'c>, SqlError> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_string(),
        })
    }
}

impl Sql for Conn<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, SqlError> {
        self.sql.execute(sql, params)
    }

    fn scan(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<bool, SqlError>,
    ) -> Result<(), SqlError> {
        self.sql.scan(sql, params, f)
    }

    fn insert(&self, sql: &str, params: &[Value]) -> Result<i64, SqlError> {
        self.sql.insert(sql, params)
    }

    fn prepare(&self, sql: &str) -> Result<(), SqlError> {
        self.sql.prepare(sql)
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        self.sql.execute_batch(sql)
    }

    fn begin_snapshot(&self) -> Result<bool, SqlError> {
        self.sql.begin_snapshot()
    }

    fn end_snapshot(&self, sql: &str) -> Result<(), SqlError> {
        self.sql.end_snapshot(sql)
    }
}

/// Rows [`Conn::set_each`] sends in one statement at most; fewer are padded up to the next
/// power of two, so that a handful of statement texts is all either backend keeps prepared.
const SET_EACH_ROWS: usize = 256;

impl Conn<'_> {
    /// Sets `column` of `table`'s rows, each (by id) to its own text, in one statement per
    /// [`SET_EACH_ROWS`] rows rather than one per row (each statement a round trip on a
    /// server); a row that holds its value already is not written. `table` and `column` are
    /// the code's own names, never input.
    pub fn set_each(&self, table: &str, column: &str, rows: &[(i64, String)]) -> SqlResult<()> {
        for chunk in rows.chunks(SET_EACH_ROWS) {
            let size = chunk.len().next_power_of_two();
            let tuples: Vec<String> = (0..size)
                .map(|i| format!("(CAST(?{} AS BIGINT), ?{})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "UPDATE {table} SET {column} = v.column2 FROM (VALUES {}) AS v
                 WHERE {table}.id = v.column1 AND {table}.{column} IS NOT v.column2",
                tuples.join(", ")
            );
            // Padding repeats the last row: the same value again changes nothing.
            let last = chunk.len() - 1;
            let params: Vec<Value> = (0..size)
                .flat_map(|i| {
                    let (id, value) = &chunk[i.min(last)];
                    [Value::Int(*id), Value::Text(value)]
                })
                .collect();
            self.execute(&sql, &params)?;
        }
        Ok(())
    }
}

impl Conn<'_> {
    /// Runs `f`'s reads in one snapshot (inside the caller's transaction if there is one):
    /// the rows of a day and their notices, or of an export, agree with each other.
    pub fn in_read<T>(&self, f: impl FnOnce() -> Result<T, SqlError>) -> Result<T, SqlError> {
        if !self.begin_snapshot()? {
            return f();
        }
        match f() {
            Ok(v) => {
                self.end_snapshot("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                // The read failed already; that error is the one to report.
                let _ = self.end_snapshot("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// `query_row(..).optional()`: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>, SqlError>;
}

impl<T> OptionalExtension<T> for Result<T, SqlError> {
    fn optional(self) -> Result<Option<T>, SqlError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(SqlError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub type SqlResult<T> = Result<T, SqlError>;

#[cfg(test)]
mod tests;

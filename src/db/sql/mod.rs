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

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(v)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(v)
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Blob(v)
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// `args![a, b]`: the parameters of a statement.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::db::sql::Value::from($v)),*]
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
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlError::Lite(e) => e.fmt(f),
            SqlError::Pg(e) => e.fmt(f),
            SqlError::Type(i, what) => write!(f, "column {i} holds {what}"),
        }
    }
}

impl std::error::Error for SqlError {}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        SqlError::Lite(e)
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
        crate::db::TxError::Sql(e.into())
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

impl Row<'_> {
    pub fn get<T: FromCell>(&self, i: usize) -> Result<T, SqlError> {
        match self {
            Row::Lite(r) => lite::cell(r, i, T::from_cell),
            Row::Pg(r) => pg::cell(r, i, T::from_cell),
        }
    }
}

/// What the store's code runs statements on.
pub trait Sql {
    /// Runs a statement that returns no rows; how many rows it changed.
    fn exec(&self, sql: &str, params: &[Value]) -> Result<u64, SqlError>;

    /// Hands each row to `f` in turn, as the backend streams them.
    fn each(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<(), SqlError>,
    ) -> Result<(), SqlError>;

    /// Every row, each turned into a value by `f`.
    fn rows<T>(
        &self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row) -> Result<T, SqlError>,
    ) -> Result<Vec<T>, SqlError> {
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
        mut f: impl FnMut(&Row) -> Result<T, SqlError>,
    ) -> Result<Option<T>, SqlError> {
        let mut first = None;
        self.each(sql, params, &mut |r| {
            if first.is_none() {
                first = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(first)
    }
}

#[cfg(test)]
mod tests;

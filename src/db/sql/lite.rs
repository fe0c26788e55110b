//! The SQLite side: statements go to rusqlite as they are (`?1` is SQLite's own form), through
//! its statement cache.

use rusqlite::types::ValueRef;

use super::{Cell, Row, Sql, SqlError, Value};

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput::Borrowed;
        Ok(Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(v),
            Value::Real(v) => ValueRef::Real(v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

pub(super) fn cell<T>(
    row: &rusqlite::Row,
    i: usize,
    read: impl FnOnce(usize, Cell) -> Result<T, SqlError>,
) -> Result<T, SqlError> {
    let cell = match row.get_ref(i)? {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(v) => Cell::Int(v),
        ValueRef::Real(v) => Cell::Real(v),
        ValueRef::Text(t) => Cell::Text(
            std::str::from_utf8(t)
                .map_err(|_| SqlError::Type(i, "text that is not UTF-8".into()))?,
        ),
        ValueRef::Blob(b) => Cell::Blob(b),
    };
    read(i, cell)
}

impl Sql for rusqlite::Connection {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, SqlError> {
        Ok(self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params.iter()))?)
    }

    fn insert(&self, sql: &str, params: &[Value]) -> Result<i64, SqlError> {
        Sql::execute(self, sql, params)?;
        Ok(self.last_insert_rowid())
    }

    fn prepare(&self, sql: &str) -> Result<(), SqlError> {
        self.prepare_cached(sql)?;
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        Ok(rusqlite::Connection::execute_batch(self, sql)?)
    }

    fn begin_snapshot(&self) -> Result<bool, SqlError> {
        if !self.is_autocommit() {
            return Ok(false);
        }
        rusqlite::Connection::execute_batch(self, "BEGIN")?;
        Ok(true)
    }

    fn scan(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<bool, SqlError>,
    ) -> Result<(), SqlError> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            if !f(&Row::Lite(r))? {
                break;
            }
        }
        Ok(())
    }
}

/// A transaction is its connection for the statements in it.
impl Sql for rusqlite::Transaction<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, SqlError> {
        Sql::execute(&**self, sql, params)
    }

    fn insert(&self, sql: &str, params: &[Value]) -> Result<i64, SqlError> {
        Sql::insert(&**self, sql, params)
    }

    fn prepare(&self, sql: &str) -> Result<(), SqlError> {
        Sql::prepare(&**self, sql)
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        Sql::execute_batch(&**self, sql)
    }

    fn begin_snapshot(&self) -> Result<bool, SqlError> {
        Ok(false)
    }

    fn scan(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<bool, SqlError>,
    ) -> Result<(), SqlError> {
        Sql::scan(&**self, sql, params, f)
    }
}

//! The PostgreSQL side: `?1` becomes `$1` (outside literals), each statement is prepared once
//! per wrapper and reused, parameters take the type the server inferred for them, and a
//! column of any integer, float, text or boolean type reads as the store's plain types.

use std::cell::{Cell as Flag, RefCell};
use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{GenericClient, Statement};

use super::{Cell, FromCell, Row, Sql, SqlError, Value};

/// A PostgreSQL client or transaction that statements written for both backends run on.
pub struct Pg<'c, C: GenericClient> {
    client: RefCell<Handle<'c, C>>,
    prepared: RefCell<HashMap<String, Statement>>,
    /// The client is inside a transaction (the caller's, or one `begin` opened): a read needs
    /// no snapshot of its own, and must not end the transaction.
    in_transaction: Flag<bool>,
    /// Requests sent to the server and answered (each one network round trip), for the
    /// count the README gives per user action and the tests hold it to.
    trips: Flag<u64>,
}

/// The client a [`Pg`] runs on: borrowed for one piece of work, or owned by an open record
/// (whose statements then stay prepared for the whole session).
enum Handle<'c, C> {
    Borrowed(&'c mut C),
    Owned(C),
}

impl<C> std::ops::Deref for Handle<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        match self {
            Handle::Borrowed(c) => c,
            Handle::Owned(c) => c,
        }
    }
}

impl<C> std::ops::DerefMut for Handle<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        match self {
            Handle::Borrowed(c) => c,
            Handle::Owned(c) => c,
        }
    }
}

impl<'c> Pg<'c, postgres::Client> {
    /// A client outside any transaction.
    pub fn new(client: &'c mut postgres::Client) -> Self {
        Pg::wrap(Handle::Borrowed(client), false)
    }
}

impl Pg<'static, postgres::Client> {
    /// A record's own connection, kept with its prepared statements for the session.
    pub fn owning(client: postgres::Client) -> Self {
        Pg::wrap(Handle::Owned(client), false)
    }

    /// Opens a transaction on the owned client (statements stay prepared across it).
    pub fn begin(&self, sql: &str) -> Result<(), SqlError> {
        self.trip();
        self.client.borrow_mut().batch_execute(sql)?;
        self.in_transaction.set(true);
        Ok(())
    }

    /// Ends the transaction `begin` opened with `COMMIT` or `ROLLBACK`.
    pub fn end(&self, sql: &str) -> Result<(), SqlError> {
        self.in_transaction.set(false);
        self.trip();
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    /// Whether the connection to the server has gone (the server or the network dropped it).
    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// The owned client, for what the shared statements do not cover (notifications).
    pub fn with_client<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> T {
        f(&mut self.client.borrow_mut())
    }
}

impl<'c, 't> Pg<'c, postgres::Transaction<'t>> {
    /// Statements inside the caller's transaction.
    pub fn in_transaction(tx: &'c mut postgres::Transaction<'t>) -> Self {
        Pg::wrap(Handle::Borrowed(tx), true)
    }
}

impl<'c, C: GenericClient> Pg<'c, C> {
    fn wrap(client: Handle<'c, C>, in_transaction: bool) -> Self {
        Pg {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_transaction: Flag::new(in_transaction),
            trips: Flag::new(0),
        }
    }

    /// How many requests this wrapper has sent the server.
    pub fn round_trips(&self) -> u64 {
        self.trips.get()
    }

    fn trip(&self) {
        self.trips.set(self.trips.get() + 1);
    }

    fn statement(&self, sql: &str) -> Result<Statement, SqlError> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        self.trip();
        let s = self.client.borrow_mut().prepare(&dollar_placeholders(
            &crate::db::postgres::sql_text::statement(sql),
        ))?;
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

/// `?1`, `?2` (and bare `?`, numbered in order) as PostgreSQL's `$1`, `$2`; string literals,
/// quoted names and comments are left as they are.
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut bare = 0;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == c {
                        if chars.peek() == Some(&c) {
                            out.push(chars.next().unwrap_or(c));
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    bare += 1;
                    digits = bare.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            c => out.push(c),
        }
    }
    out
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (*self, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(v), &Type::INT8) => v.to_sql(ty, out),
            (Value::Int(v), &Type::INT4) => i32::try_from(v)?.to_sql(ty, out),
            (Value::Int(v), &Type::INT2) => i16::try_from(v)?.to_sql(ty, out),
            (Value::Int(v), &Type::FLOAT8) => (v as f64).to_sql(ty, out),
            (Value::Int(v), &Type::BOOL) => (v != 0).to_sql(ty, out),
            (Value::Real(v), &Type::FLOAT8) => v.to_sql(ty, out),
            (Value::Real(v), &Type::FLOAT4) => (v as f32).to_sql(ty, out),
            (Value::Text(v), _) if <&str as ToSql>::accepts(ty) => v.to_sql(ty, out),
            (Value::Blob(v), &Type::BYTEA) => v.to_sql(ty, out),
            (v, ty) => Err(format!("{v:?} cannot be given where the server expects {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

pub(super) fn cell<T>(
    row: &postgres::Row,
    i: usize,
    read: impl FnOnce(usize, Cell) -> Result<T, SqlError>,
) -> Result<T, SqlError> {
    let Some(column) = row.columns().get(i) else {
        return Err(SqlError::Type(i, "no such column".into()));
    };
    let ty = column.type_();
    let cell = match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Cell::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|v| Cell::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|v| Cell::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|v| Cell::Real(v.into())),
        Type::BYTEA => row.try_get::<_, Option<&[u8]>>(i)?.map(Cell::Blob),
        ref t if <&str as postgres::types::FromSql>::accepts(t) => {
            row.try_get::<_, Option<&str>>(i)?.map(Cell::Text)
        }
        ref t => {
            return Err(SqlError::Type(
                i,
                format!("the server's type {t}: cast it to bigint, double precision or text"),
            ));
        }
    };
    read(i, cell.unwrap_or(Cell::Null))
}

fn refs<'v>(params: &'v [Value<'v>]) -> Vec<&'v (dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl<C: GenericClient> Sql for Pg<'_, C> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, SqlError> {
        let statement = self.statement(sql)?;
        self.trip();
        let changed = self
            .client
            .borrow_mut()
            .execute(&statement, &refs(params))?;
        Ok(changed as usize)
    }

    /// The server says the new id in the statement's own answer (`RETURNING id`): one round
    /// trip, and no session state to go wrong between two statements.
    fn insert(&self, sql: &str, params: &[Value]) -> Result<i64, SqlError> {
        let returning = format!("{} RETURNING id", sql.trim_end().trim_end_matches(';'));
        let statement = self.statement(&returning)?;
        self.trip();
        let row = self
            .client
            .borrow_mut()
            .query_one(&statement, &refs(params))?;
        cell(&row, 0, i64::from_cell)
    }

    fn prepare(&self, sql: &str) -> Result<(), SqlError> {
        self.statement(sql).map(|_| ())
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        self.trip();
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    fn begin_snapshot(&self) -> Result<bool, SqlError> {
        if self.in_transaction.get() {
            return Ok(false);
        }
        self.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction.set(true);
        Ok(true)
    }

    fn end_snapshot(&self, sql: &str) -> Result<(), SqlError> {
        self.in_transaction.set(false);
        self.execute_batch(sql)
    }

    fn scan(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(&Row) -> Result<bool, SqlError>,
    ) -> Result<(), SqlError> {
        let statement = self.statement(sql)?;
        self.trip();
        let mut client = self.client.borrow_mut();
        let mut rows = client.query_raw(&statement, refs(params))?;
        while let Some(r) = rows.next()? {
            if !f(&Row::Pg(&r))? {
                break;
            }
        }
        Ok(())
    }
}

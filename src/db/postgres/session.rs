//! A terminal's session on a clinic group's server: one connection, its statements prepared
//! once for the whole session, every change one short transaction serialized with the other
//! terminals' (so the audit chain cannot fork), and other terminals' changes heard through
//! `LISTEN`/`NOTIFY`, with a slow poll of the audit log's head behind it.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::{Target, connect, failure};
use crate::db::sql::{Conn, Pg, Sql, SqlError};
use crate::error::{AppError, AppResult, ErrorKind};

/// The channel every change is announced on (its payload is empty: a terminal that hears it
/// reads what it shows again, and no patient data crosses the wire twice).
pub const CHANGES: &str = "ptclinic_changed";

/// The advisory lock every change takes for its transaction: writers take turns, as they do on
/// a SQLite file, so each audit row is chained to the one committed before it. A change is a
/// handful of statements, so the turn is short.
pub const WRITE_LOCK: i64 = 0x5054_4357; // "PTCW"

/// How often a terminal reads the audit log's head even when it heard nothing: a notification
/// lost (a connection pooler that drops `LISTEN`, say) delays a refresh by this much at most.
const FALLBACK_POLL: Duration = Duration::from_secs(15);

/// How long a poll lets the connection read notifications already on the wire: no round trip,
/// only the local socket.
const NOTICE_READ: Duration = Duration::from_millis(5);

/// How long one attempt waits for the writers' lock before the write is retried (and, after
/// the write budget, reported busy), and how long a transaction may sit idle before the
/// server ends it: a terminal frozen mid-change cannot hold the other terminals up for long.
const SESSION_SETTINGS: &str =
    "SET lock_timeout = '4s'; SET idle_in_transaction_session_timeout = '30s'";

pub struct Session {
    pg: Pg<'static, postgres::Client>,
    target: Target,
    /// This connection's server process: its own notifications are not another's change.
    pid: i32,
    /// The audit log's last id when last read, and when that was.
    head: Cell<i64>,
    head_read: Cell<Option<Instant>>,
}

impl Session {
    /// Connects, checks that the server holds a record of this build's schema, listens for
    /// changes and sets the session's lock waits: one round trip after the connection is made.
    pub fn open(target: &Target) -> AppResult<Session> {
        let mut server = connect(target)?;
        let shown = target.shown().to_string();
        let answer = server.client.simple_query(&format!(
            "{SESSION_SETTINGS}; LISTEN {CHANGES}; SELECT pg_backend_pid(), (SELECT max(version) FROM ptclinic_schema)"
        ));
        let (pid, version) = match answer {
            Ok(messages) => first_row(&messages).ok_or_else(|| {
                AppError::failure(format!("the server at {shown} did not say its schema"))
            })?,
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
                // Not a record (yet): say what the database holds instead.
                let derived = super::schema::derived()?;
                let found = super::schema::found(&mut server.client, &derived)
                    .map_err(|e| failure(&shown, &e))?;
                super::schema::check_usable(&found, &shown)?;
                return Err(AppError::failure(format!(
                    "{shown} holds no schema version"
                )));
            }
            Err(e) => return Err(failure(&shown, &e)),
        };
        let found = match version {
            Some(v) => super::schema::Found::Record(v),
            None => super::schema::Found::Other(vec!["ptclinic_schema".into()]),
        };
        super::schema::check_usable(&found, &shown)?;
        Ok(Session {
            pg: Pg::owning(server.client),
            target: target.clone(),
            pid,
            head: Cell::new(0),
            head_read: Cell::new(None),
        })
    }

    /// Another session on the same server (after a lost connection).
    pub fn reopen(&self) -> AppResult<Session> {
        Session::open(&self.target)
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn shown(&self) -> &str {
        self.target.shown()
    }

    pub fn sql(&self) -> Conn<'_> {
        Conn::new(&self.pg)
    }

    /// Requests this session has sent the server (one round trip each), the connection's
    /// opening aside.
    pub fn round_trips(&self) -> u64 {
        self.pg.round_trips()
    }

    /// Whether the connection is known to be gone.
    pub fn is_closed(&self) -> bool {
        self.pg.is_closed()
    }

    /// One change: `BEGIN` and the writers' lock in one round trip, `f`, then the
    /// announcement and `COMMIT` in one more. Anything that fails rolls the whole change back.
    pub fn write<T, E: From<SqlError>>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        let result = self
            .pg
            .begin(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            ))
            .map_err(E::from)
            .and_then(|()| f(&self.sql()))
            .and_then(|value| {
                self.pg.end(&format!("NOTIFY {CHANGES}; COMMIT"))?;
                Ok(value)
            });
        if result.is_err() {
            // The change failed already (its lock wait, a statement, or the commit); that is
            // the error to report. The transaction is ended so that a retry starts clean.
            let _ = self.pg.end("ROLLBACK");
        }
        result
    }

    /// A number that changes when another terminal commits: the audit log's head, read again
    /// when a notification came (heard without a round trip) or the fallback poll is due.
    pub fn data_version(&self) -> AppResult<i64> {
        let heard = self
            .pg
            .with_client(|client| {
                let mut notifications = client.notifications();
                // Not `iter()`: it returns before the client's runtime has read the socket,
                // so a notification that arrived while the terminal sat idle stays unread
                // until the next statement. A short wait lets the runtime read what is there.
                let mut pending = notifications.timeout_iter(NOTICE_READ);
                let mut heard = false;
                while let Some(n) =
                    postgres::fallible_iterator::FallibleIterator::next(&mut pending)?
                {
                    heard |= n.process_id() != self.pid;
                }
                Ok::<_, postgres::Error>(heard)
            })
            .map_err(|e| failure(self.shown(), &e))?;
        if self.is_closed() {
            return Err(self.lost());
        }
        let due = self
            .head_read
            .get()
            .is_none_or(|at| at.elapsed() >= FALLBACK_POLL);
        if heard || due {
            let head: i64 = self
                .sql()
                .query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", &[], |r| {
                    r.get(0)
                })
                .map_err(|e| self.fail(e))?;
            self.head.set(head);
            self.head_read.set(Some(Instant::now()));
        }
        Ok(self.head.get())
    }

    fn lost(&self) -> AppError {
        AppError::of(
            ErrorKind::Offline,
            format!(
                "the connection to the clinic database at {} was lost",
                self.shown()
            ),
        )
    }

    /// A statement's failure as a sentence naming the server; any failure that closed the
    /// connection (the server restarted, the network went) is the offline mode's.
    pub fn fail(&self, e: SqlError) -> AppError {
        if self.is_closed() {
            return self.lost();
        }
        match e {
            SqlError::Pg(e) => failure(self.shown(), &e),
            other => AppError::failure(format!("database error at {}: {other}", self.shown())),
        }
    }
}

/// The first row of a simple query's answer, as (backend pid, schema version).
fn first_row(messages: &[postgres::SimpleQueryMessage]) -> Option<(i32, Option<i64>)> {
    messages.iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(row) => {
            let pid = row.get(0)?.parse().ok()?;
            let version = row.get(1).and_then(|v| v.parse().ok());
            Some((pid, version))
        }
        _ => None,
    })
}

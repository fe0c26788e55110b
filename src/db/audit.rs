//! The audit log: who did what to which record, from which host, and when. Written inside the
//! same transaction as the change it describes. Rows are append-only (triggers refuse UPDATE
//! and DELETE) and each carries a SHA-256 hash chained to the previous row, so an edited or
//! deleted row breaks the chain. Summaries name ids and codes, never clinical free text.

use super::sql::{ChainEnd, Conn, OptionalExtension, Row, Sql, SqlError, SqlResult, args};
use sha2::{Digest, Sha256};

pub struct AuditEntry<'a> {
    /// The clinic's local time of the change (the app's clock, which tests may pin).
    pub at: &'a str,
    pub user: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub detail: serde_json::Value,
}

impl super::Db {
    /// A session event (the idle lock lifted, wrong PINs) in the audit log, in its own
    /// transaction. `detail` holds counts and flags only, never what was typed.
    pub fn record_session_event(
        &mut self,
        action: &str,
        detail: serde_json::Value,
        who: super::Who,
    ) -> crate::error::AppResult<()> {
        self.write(|tx| {
            record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action,
                    entity: "session",
                    entity_id: None,
                    detail: detail.clone(),
                },
            )?;
            Ok(())
        })
    }
}

impl super::Db {
    /// The audit row of a disclosure (an export, a report, a handout) in its own transaction:
    /// the data went out of the record, so nothing else changes.
    pub fn record_disclosure(&mut self, entry: &AuditEntry) -> crate::error::AppResult<()> {
        self.write(|tx| {
            record(tx, entry)?;
            Ok(())
        })
    }

    /// Audit rows matching `q`, oldest first.
    pub fn audit_log(&self, q: &AuditQuery) -> crate::error::AppResult<Vec<AuditRow>> {
        query(&self.sql(), q).map_err(|e| self.fail(e))
    }
}

/// This machine's name, for the audit log.
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| crate::sanitize::clean_line(&h))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The hash of one row, chained to the previous row's hash.
fn chain_hash(prev: &str, row: &AuditRow) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &row.at,
        &row.local_at,
        &row.user,
        &row.host,
        &row.action,
        &row.entity,
        &row.entity_id.map(|i| i.to_string()).unwrap_or_default(),
        &row.summary,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    format!("{:x}", h.finalize())
}

/// The row `e` makes at the end of a chain whose last hash is `prev`, stamped now (UTC) on this
/// host, whichever backend stores it.
fn chained_row(prev: &str, e: &AuditEntry) -> AuditRow {
    let mut row = AuditRow {
        id: 0,
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        local_at: e.at.to_string(),
        user: e.user.to_string(),
        host: host(),
        action: e.action.to_string(),
        entity: e.entity.to_string(),
        entity_id: e.entity_id,
        summary: e.detail.to_string(),
        hash: String::new(),
    };
    row.hash = chain_hash(prev, &row);
    row
}

/// Appends `e` to the chain, in the caller's transaction, on either backend. Inside a change
/// the log's end is read once (see [`ChainEnd`]); elsewhere at every row.
pub(crate) fn record(conn: &Conn, e: &AuditEntry) -> Result<(), SqlError> {
    let known = conn.chain().and_then(ChainEnd::hash);
    let prev = match known {
        Some(hash) => hash,
        None => conn
            .row(
                "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
                &[],
                |r| r.get(0),
            )?
            .unwrap_or_default(),
    };
    let row = chained_row(&prev, e);
    let id = conn.insert(
        "INSERT INTO audit_log (at, local_at, \"user\", host, action, entity, entity_id, summary, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            &row.at,
            &row.local_at,
            &row.user,
            &row.host,
            &row.action,
            &row.entity,
            row.entity_id,
            &row.summary,
            &row.hash
        ],
    )?;
    if let Some(chain) = conn.chain() {
        chain.appended(id, &row.hash);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRow {
    #[serde(skip)]
    pub id: i64,
    pub at: String,
    #[serde(skip)]
    pub local_at: String,
    pub user: String,
    pub host: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    #[serde(skip)]
    pub hash: String,
}

/// `user` quoted: a reserved word in PostgreSQL, a plain name in SQLite either way.
const AUDIT_COLUMNS: &str =
    "id, at, local_at, \"user\", host, action, entity, entity_id, summary, hash";

fn row(r: &Row) -> Result<AuditRow, SqlError> {
    Ok(AuditRow {
        id: r.get(0)?,
        at: r.get(1)?,
        local_at: r.get(2)?,
        user: r.get(3)?,
        host: r.get(4)?,
        action: r.get(5)?,
        entity: r.get(6)?,
        entity_id: r.get(7)?,
        summary: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// Which rows `ptclinic audit` shows.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    /// UTC date (YYYY-MM-DD) from which on.
    pub since: Option<String>,
    pub user: Option<String>,
    pub patient_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Rows matching `q`, oldest first. A patient's rows include those about their visits,
/// measurements, notes, programs, adherence reports, plans of care and authorisations.
pub(crate) fn query(conn: &impl Sql, q: &AuditQuery) -> Result<Vec<AuditRow>, SqlError> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log a
         WHERE (CAST(?1 AS TEXT) IS NULL OR a.at >= ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR a.user = ?2 COLLATE NOCASE)
           AND (CAST(?3 AS INTEGER) IS NULL
                OR (a.entity = 'patient' AND a.entity_id = ?3)
                OR (a.entity = 'appointment' AND a.entity_id IN (SELECT id FROM appointments WHERE patient_id = ?3))
                OR (a.entity = 'measurement' AND a.entity_id IN (SELECT id FROM measurements WHERE patient_id = ?3))
                OR (a.entity = 'visit_note' AND a.entity_id IN
                    (SELECT n.id FROM visit_notes n JOIN appointments p ON p.id = n.appointment_id WHERE p.patient_id = ?3))
                OR (a.entity = 'hep_program' AND a.entity_id IN (SELECT id FROM hep_programs WHERE patient_id = ?3))
                OR (a.entity = 'adherence' AND a.entity_id IN (SELECT id FROM adherence_reports WHERE patient_id = ?3))
                OR (a.entity = 'plan_of_care' AND a.entity_id IN (SELECT id FROM plans_of_care WHERE patient_id = ?3))
                OR (a.entity = 'authorization' AND a.entity_id IN (SELECT id FROM authorizations WHERE patient_id = ?3)))
         ORDER BY a.id{}",
        // The two backends spell "no limit" differently; a number is safe in the text.
        q.limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default()
    );
    conn.rows(
        &sql,
        args![q.since.as_ref(), q.user.as_ref(), q.patient_id],
        row,
    )
}

/// The triggers that make the log append-only, as the schema creates them. A test checks that
/// a fresh record holds exactly these, so the schema and this restorer cannot drift apart.
pub const TRIGGERS: [(&str, &str); 2] = [
    (
        "audit_log_no_update",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    (
        "audit_log_no_delete",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
];

/// The append-only triggers that are not in the record (someone dropped them).
pub(crate) fn missing_triggers(conn: &Conn) -> SqlResult<Vec<&'static str>> {
    let mut missing = Vec::new();
    for (name, _) in TRIGGERS {
        let present: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1 AND tbl_name = 'audit_log')",
            args![name],
            |r| r.get(0),
        )?;
        if !present {
            missing.push(name);
        }
    }
    Ok(missing)
}

impl super::Db {
    /// Puts back append-only triggers that were dropped, with an audit row saying so, in one
    /// transaction. Returns the names restored (none in the usual case, which writes nothing).
    pub fn restore_audit_triggers(
        &mut self,
        at: &str,
    ) -> crate::error::AppResult<Vec<&'static str>> {
        let missing = missing_triggers(&self.sql()).map_err(|e| self.fail(e))?;
        if missing.is_empty() {
            return Ok(missing);
        }
        self.write(|tx| {
            let missing = missing_triggers(tx)?;
            for (name, sql) in TRIGGERS {
                if missing.contains(&name) {
                    tx.execute_batch(sql)?;
                }
            }
            record(
                tx,
                &AuditEntry {
                    at,
                    user: "ptclinic",
                    action: "audit.triggers_restored",
                    entity: "audit_log",
                    entity_id: None,
                    detail: serde_json::json!({ "triggers": missing }),
                },
            )?;
            Ok(missing)
        })
    }
}

/// Where the chain stood at one moment: recorded in every backup and in the head file beside
/// the backups, so that a log cut short or rewritten and re-hashed inside the record (which a
/// chain alone cannot reveal) no longer matches what was recorded outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// The first row's hash: which record's chain this is.
    pub chain: String,
    pub rows: i64,
    pub last_id: i64,
    pub hash: String,
}

pub(crate) fn head(conn: &Conn) -> SqlResult<AuditHead> {
    let chain: String = conn
        .query_row("SELECT hash FROM audit_log WHERE id = 1", &[], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let (rows, last_id): (i64, i64) = conn.query_row(
        "SELECT COUNT(*), coalesce(MAX(id), 0) FROM audit_log",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let hash: String = conn
        .query_row(
            "SELECT hash FROM audit_log WHERE id = ?1",
            args![last_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default();
    Ok(AuditHead {
        chain,
        rows,
        last_id,
        hash,
    })
}

/// Checks the record's log against a head recorded outside it (`source` says where, for the
/// message). Rows added since are fine; rows missing or different are not.
pub(crate) fn check_against(
    conn: &Conn,
    anchor: &AuditHead,
    source: &str,
) -> SqlResult<Result<(), String>> {
    if anchor.last_id == 0 {
        return Ok(Ok(()));
    }
    let now = head(conn)?;
    let stored: Option<String> = conn
        .query_row(
            "SELECT hash FROM audit_log WHERE id = ?1",
            args![anchor.last_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match stored {
        None if now.last_id < anchor.last_id => Err(format!(
            "the audit log ends at row {} but {source} recorded {} rows: the last {} were deleted",
            now.last_id,
            anchor.last_id,
            anchor.last_id - now.last_id
        )),
        None => Err(format!(
            "audit row {}, recorded by {source}, is missing",
            anchor.last_id
        )),
        Some(hash) if hash != anchor.hash => Err(format!(
            "audit row {} is not the one {source} recorded: the log was rewritten after it",
            anchor.last_id
        )),
        Some(_) => {
            let up_to: i64 = conn.query_row(
                "SELECT COUNT(*) FROM audit_log WHERE id <= ?1",
                args![anchor.last_id],
                |r| r.get(0),
            )?;
            if up_to < anchor.rows {
                Err(format!(
                    "{} audit rows up to row {} are gone since {source}",
                    anchor.rows - up_to,
                    anchor.last_id
                ))
            } else {
                Ok(())
            }
        }
    })
}

/// Whether the row `id` is in the log with this hash (the hash chains every row before it, so
/// it names exactly one history).
pub fn has_row(conn: &Conn, id: i64, hash: &str) -> SqlResult<bool> {
    let stored: Option<String> = conn
        .query_row("SELECT hash FROM audit_log WHERE id = ?1", args![id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(stored.as_deref() == Some(hash))
}

/// Walks the chain; the first row whose hash does not follow from its predecessor is named.
pub(crate) fn verify_chain(conn: &impl Sql) -> Result<Result<usize, String>, SqlError> {
    verify_chain_from(conn, None)
}

/// Walks the chain from a head already verified (the rows after it; the head itself must
/// still be in the log as it was, which the caller checked), or from the start. The first row
/// is looked at either way, so a log whose beginning was cut is named as such. The rows are
/// streamed: a clinic's years of audit rows are never in memory at once.
pub(crate) fn verify_chain_from(
    conn: &impl Sql,
    from: Option<&AuditHead>,
) -> Result<Result<usize, String>, SqlError> {
    let first: Option<i64> = conn
        .row("SELECT MIN(id) FROM audit_log", &[], |r| r.get(0))?
        .flatten();
    if let Some(why) = first_rows_missing(first) {
        return Ok(Err(why));
    }
    let mut walk = ChainWalk::from(from);
    let after = walk.last_id;
    let mut broken = None;
    conn.each(
        &format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > ?1 ORDER BY id"),
        args![after],
        &mut |r| {
            if broken.is_none()
                && let Err(why) = walk.next(&row(r)?)
            {
                broken = Some(why);
            }
            Ok(())
        },
    )?;
    Ok(match broken {
        Some(why) => Err(why),
        None => Ok(walk.count),
    })
}

/// What a log starting at row `first` lost at its beginning, if anything.
fn first_rows_missing(first: Option<i64>) -> Option<String> {
    match first {
        Some(2) => Some("the first audit row was deleted".to_string()),
        Some(n) if n > 2 => Some(format!(
            "the first audit rows (1 to {}) were deleted",
            n - 1
        )),
        _ => None,
    }
}

/// The chain walked one row at a time, oldest first, whichever backend the rows come from: the
/// first row that is missing or does not follow from its predecessor is named.
struct ChainWalk {
    prev: String,
    last_id: i64,
    count: usize,
}

impl ChainWalk {
    /// From a head already verified, or (None) from the start.
    fn from(head: Option<&AuditHead>) -> ChainWalk {
        ChainWalk {
            prev: head.map(|h| h.hash.clone()).unwrap_or_default(),
            last_id: head.map(|h| h.last_id).unwrap_or(0),
            count: 0,
        }
    }

    fn next(&mut self, a: &AuditRow) -> Result<(), String> {
        if a.id != self.last_id + 1 && self.last_id != 0 {
            return Err(format!(
                "audit rows {} to {} are missing",
                self.last_id + 1,
                a.id - 1
            ));
        }
        if chain_hash(&self.prev, a) != a.hash {
            return Err(format!(
                "audit row {} was altered (its hash does not match the chain)",
                a.id
            ));
        }
        self.prev = a.hash.clone();
        self.last_id = a.id;
        self.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restorer_puts_back_exactly_the_triggers_the_schema_creates() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::schema::migrate(&mut conn, "memory").unwrap();
        let sql_conn = Conn::new(&conn);
        for (name, sql) in TRIGGERS {
            let stored: String = sql_conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                    args![name],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(stored, sql);
        }
        assert!(missing_triggers(&sql_conn).unwrap().is_empty());
        sql_conn
            .execute_batch("DROP TRIGGER audit_log_no_delete")
            .unwrap();
        assert_eq!(
            missing_triggers(&sql_conn).unwrap(),
            ["audit_log_no_delete"]
        );
    }
}

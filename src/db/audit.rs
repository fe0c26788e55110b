//! The audit log: who did what to which record, from which host, and when. Written inside the
//! same transaction as the change it describes. Rows are append-only (triggers refuse UPDATE
//! and DELETE) and each carries a SHA-256 hash chained to the previous row, so an edited or
//! deleted row breaks the chain. Summaries name ids and codes, never clinical free text.

use rusqlite::{Connection, OptionalExtension, params};
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
        who: super::schedule::Who,
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

pub fn record(conn: &Connection, e: &AuditEntry) -> rusqlite::Result<()> {
    let prev: String = conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default();
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
    row.hash = chain_hash(&prev, &row);
    conn.execute(
        "INSERT INTO audit_log (at, local_at, user, host, action, entity, entity_id, summary, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            row.at,
            row.local_at,
            row.user,
            row.host,
            row.action,
            row.entity,
            row.entity_id,
            row.summary,
            row.hash
        ],
    )?;
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

const AUDIT_COLUMNS: &str =
    "id, at, local_at, user, host, action, entity, entity_id, summary, hash";

fn row(r: &rusqlite::Row) -> rusqlite::Result<AuditRow> {
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
/// measurements, notes, programs and adherence reports.
pub fn query(conn: &Connection, q: &AuditQuery) -> rusqlite::Result<Vec<AuditRow>> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log a
         WHERE (?1 IS NULL OR a.at >= ?1)
           AND (?2 IS NULL OR a.user = ?2 COLLATE NOCASE)
           AND (?3 IS NULL
                OR (a.entity = 'patient' AND a.entity_id = ?3)
                OR (a.entity = 'appointment' AND a.entity_id IN (SELECT id FROM appointments WHERE patient_id = ?3))
                OR (a.entity = 'measurement' AND a.entity_id IN (SELECT id FROM measurements WHERE patient_id = ?3))
                OR (a.entity = 'visit_note' AND a.entity_id IN
                    (SELECT n.id FROM visit_notes n JOIN appointments p ON p.id = n.appointment_id WHERE p.patient_id = ?3))
                OR (a.entity = 'hep_program' AND a.entity_id IN (SELECT id FROM hep_programs WHERE patient_id = ?3))
                OR (a.entity = 'adherence' AND a.entity_id IN (SELECT id FROM adherence_reports WHERE patient_id = ?3)))
         ORDER BY a.id
         LIMIT coalesce(?4, -1)"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map(params![q.since, q.user, q.patient_id, q.limit], row)?
        .collect()
}

/// The newest entries first (for the IT person's audit view and for tests).
pub fn recent(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?1"
    ))?;
    stmt.query_map([limit], row)?.collect()
}

/// Walks the chain; the first row whose hash does not follow from its predecessor is named.
pub fn verify_chain(conn: &Connection) -> rusqlite::Result<Result<usize, String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut prev = String::new();
    let mut count = 0usize;
    let mut last_id = 0i64;
    while let Some(r) = rows.next()? {
        let a = row(r)?;
        if a.id != last_id + 1 && last_id != 0 {
            return Ok(Err(format!(
                "audit rows {} to {} are missing",
                last_id + 1,
                a.id - 1
            )));
        }
        if chain_hash(&prev, &a) != a.hash {
            return Ok(Err(format!(
                "audit row {} was altered (its hash does not match the chain)",
                a.id
            )));
        }
        prev = a.hash;
        last_id = a.id;
        count += 1;
    }
    Ok(Ok(count))
}

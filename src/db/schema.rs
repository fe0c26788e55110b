//! The clinic record's schema and its migrations, applied in order on `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::domain::measures::{Better, MEASURES};
use crate::error::{AppError, AppResult};

/// `PRAGMA application_id` of a ptclinic record ("PTCL"): how a file is told apart from any
/// other SQLite database.
pub const APPLICATION_ID: i32 = 0x5054_434C;

/// Each entry upgrades the schema by one version; the index + 1 is the version it produces.
const MIGRATIONS: &[&str] = &[MIGRATION_1];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const MIGRATION_1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    initials TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role     TEXT NOT NULL CHECK (role IN ('therapist', 'front_desk')),
    username TEXT UNIQUE COLLATE NOCASE,
    active   INTEGER NOT NULL DEFAULT 1,
    version  INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE patients (
    id                INTEGER PRIMARY KEY,
    mrn               TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    date_of_birth     TEXT NOT NULL,
    phone             TEXT,
    email             TEXT,
    diagnosis_code    TEXT,
    diagnosis         TEXT,
    body_region       TEXT,
    payer             TEXT,
    authorized_visits INTEGER,
    auth_end          TEXT,
    poc_start         TEXT,
    poc_end           TEXT,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX patients_name ON patients (last_name, first_name);

CREATE TABLE appointments (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patients (id),
    therapist_id      INTEGER NOT NULL REFERENCES staff (id),
    start             TEXT NOT NULL,   -- local YYYY-MM-DDTHH:MM
    minutes           INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    kind              TEXT NOT NULL CHECK (kind IN ('evaluation', 'treatment', 're_evaluation', 'progress', 'discharge')),
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'checked_in', 'completed', 'no_show', 'cancelled')),
    status_changed_at TEXT,
    checked_in_at     TEXT,
    cancel_reason     TEXT CHECK (cancel_reason IN ('patient', 'clinic', 'late')),
    room              TEXT,
    created_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX appointments_start ON appointments (start);
CREATE INDEX appointments_patient ON appointments (patient_id, start);
CREATE INDEX appointments_therapist ON appointments (therapist_id, start);

CREATE TABLE measure_definitions (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    min     REAL NOT NULL,
    max     REAL NOT NULL,
    better  TEXT NOT NULL CHECK (better IN ('lower', 'higher')),
    mcid    REAL,
    mdc     REAL,
    unit    TEXT NOT NULL,
    integer INTEGER NOT NULL
) STRICT;

CREATE TABLE measurements (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients (id),
    appointment_id INTEGER REFERENCES appointments (id),
    measure_code   TEXT NOT NULL REFERENCES measure_definitions (code),
    taken_on       TEXT NOT NULL,
    value          REAL NOT NULL,
    detail         TEXT,            -- ROM joint/motion/side, PSFS activity
    items          TEXT,            -- item answers as JSON when entered item by item
    recorded_by    TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX measurements_patient ON measurements (patient_id, measure_code, taken_on);

CREATE TABLE exercises (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    aliases       TEXT NOT NULL DEFAULT '',   -- ';'-separated clinician shorthand
    region        TEXT NOT NULL,
    category      TEXT NOT NULL,
    equipment     TEXT NOT NULL,
    position      TEXT,
    instructions  TEXT NOT NULL,
    sets          INTEGER,
    reps          INTEGER,
    hold_seconds  INTEGER,
    times_per_day INTEGER,
    days_per_week INTEGER
) STRICT;

CREATE TABLE hep_programs (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER REFERENCES patients (id),
    version_no    INTEGER NOT NULL,
    template_name TEXT UNIQUE,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK ((patient_id IS NULL) <> (template_name IS NULL))
) STRICT;
CREATE UNIQUE INDEX hep_programs_patient ON hep_programs (patient_id, version_no);

CREATE TABLE hep_items (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES hep_programs (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    exercise_id   INTEGER NOT NULL REFERENCES exercises (id),
    sets          INTEGER,
    reps          INTEGER,
    hold_seconds  INTEGER,
    times_per_day INTEGER,
    days_per_week INTEGER,
    side          TEXT CHECK (side IN ('left', 'right', 'both')),
    load          TEXT,
    note          TEXT
) STRICT;
CREATE INDEX hep_items_program ON hep_items (program_id, position);

CREATE TABLE adherence_reports (
    id                  INTEGER PRIMARY KEY,
    patient_id          INTEGER NOT NULL REFERENCES patients (id),
    appointment_id      INTEGER REFERENCES appointments (id),
    reported_on         TEXT NOT NULL,
    sessions_done       INTEGER NOT NULL CHECK (sessions_done >= 0),
    sessions_prescribed INTEGER NOT NULL CHECK (sessions_prescribed > 0),
    note                TEXT,
    recorded_by         TEXT NOT NULL
) STRICT;
CREATE INDEX adherence_patient ON adherence_reports (patient_id, reported_on);

CREATE TABLE visit_notes (
    id                 INTEGER PRIMARY KEY,
    appointment_id     INTEGER NOT NULL UNIQUE REFERENCES appointments (id),
    subjective         TEXT NOT NULL DEFAULT '',
    objective          TEXT NOT NULL DEFAULT '',
    assessment         TEXT NOT NULL DEFAULT '',
    plan               TEXT NOT NULL DEFAULT '',
    timed_minutes      TEXT,        -- JSON: procedure code -> minutes
    is_progress_report INTEGER NOT NULL DEFAULT 0,
    author             TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Append-only: every change and every opening of a patient's record, chained by hash so that
-- an edited or deleted row is detected (doctor). `summary` never holds clinical free text.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,   -- UTC, YYYY-MM-DDTHH:MM:SSZ
    local_at  TEXT NOT NULL,   -- the clinic's local time of the change
    user      TEXT NOT NULL,
    host      TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    summary   TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_at ON audit_log (at);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// Brings the schema up to date. `BEGIN EXCLUSIVE` makes a second terminal wait rather than
/// migrate the same file at the same time; a schema newer than this binary is refused untouched.
pub fn migrate(conn: &mut Connection, path_for_messages: &str) -> AppResult<()> {
    // The usual case, an up-to-date file, takes no lock: another terminal may be writing.
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| super::sql_failure(path_for_messages, e))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| super::sql_failure(path_for_messages, e))?;
    let current: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| super::sql_failure(path_for_messages, e))?;
    if current > SCHEMA_VERSION {
        return Err(newer_schema(path_for_messages, current));
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)
            .map_err(|e| super::sql_failure(path_for_messages, e))?;
        if index == 0 {
            seed_measure_definitions(&tx).map_err(|e| super::sql_failure(path_for_messages, e))?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(|e| super::sql_failure(path_for_messages, e))?;
    tx.commit()
        .map_err(|e| super::sql_failure(path_for_messages, e))
}

pub fn newer_schema(path: &str, found: i64) -> AppError {
    AppError::input(format!(
        "{path} was written by a newer ptclinic (schema {found}; this one knows up to {SCHEMA_VERSION}): update ptclinic; the file was not changed"
    ))
}

fn seed_measure_definitions(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO measure_definitions (code, name, min, max, better, mcid, mdc, unit, integer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for m in MEASURES {
        let better = match m.better {
            Better::Lower => "lower",
            Better::Higher => "higher",
        };
        stmt.execute(rusqlite::params![
            m.code, m.name, m.min, m.max, better, m.mcid, m.mdc, m.unit, m.integer
        ])?;
    }
    Ok(())
}

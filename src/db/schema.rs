//! The clinic record's schema and its migrations, applied in order on `PRAGMA user_version`.

use super::sql::Conn;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::domain::measures::{Better, MEASURES};
use crate::error::{AppError, AppResult};

/// `PRAGMA application_id` of a ptclinic record ("PTCL"): how a file is told apart from any
/// other SQLite database.
pub const APPLICATION_ID: i32 = 0x5054_434C;

/// Each entry upgrades the schema by one version; the index + 1 is the version it produces.
const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_7,
    MIGRATION_8,
    MIGRATION_9,
    MIGRATION_10,
    MIGRATION_11,
];

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

/// A day's schedule and its compliance flags read from indexes alone, so that a day costs the
/// same in a clinic's tenth year as in its first: with a row looked up for each of the day's
/// visits, their patients and each visit of their episodes, a ten-year file (a day's rows
/// scattered over 300 MB) made every lookup a page read. `patients_schedule` holds what a
/// schedule row shows of a patient in a fifth of the table's pages.
const MIGRATION_2: &str = r#"
DROP INDEX IF EXISTS appointments_start;
CREATE INDEX appointments_day ON appointments (start, therapist_id, patient_id, minutes, kind,
    status, status_changed_at, checked_in_at, cancel_reason, room, version);
DROP INDEX IF EXISTS appointments_patient;
CREATE INDEX appointments_patient ON appointments (patient_id, start, kind, status);
CREATE INDEX patients_schedule ON patients (id, last_name, first_name, mrn, date_of_birth);
CREATE INDEX visit_notes_progress ON visit_notes (appointment_id) WHERE is_progress_report = 1;
DROP INDEX IF EXISTS adherence_patient;
CREATE INDEX adherence_patient ON adherence_reports (patient_id, reported_on, sessions_done,
    sessions_prescribed);
"#;

/// The idle lock's PINs: argon2id PHC strings (salt and parameters inside), one per staff
/// member, in their own table so that nothing that reads the staff ever carries a hash.
/// `IF NOT EXISTS`: a record whose version was set back by hand still upgrades.
const MIGRATION_3: &str = r#"
CREATE TABLE IF NOT EXISTS staff_pins (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id),
    pin_hash TEXT NOT NULL,
    set_at   TEXT NOT NULL
) STRICT;
"#;

/// A day read from its own rows (issue 14): on a network drive every page is a round trip, and a
/// day of a ten-year clinic read each patient's row, visits and reports, over a thousand pages
/// for 320 visits. Each visit now carries what its schedule row shows of the patient (kept by
/// triggers, so that any tool's change of a name, MRN or birth date reaches the visits) and its
/// compliance flags (a cache, see `flag_cache`: triggers mark the patients whose flags a
/// change may alter, and every write of the app works them out again before it commits), all
/// in the day's covering index. The flags of every visit are worked out once here, before the
/// index is built ([`super::flag_cache::DAY_INDEX`]).
///
/// The columns are added first ([`MIGRATION_4_COLUMNS`], each only when missing) and the
/// triggers with `IF NOT EXISTS`, so that a record whose version was set back by hand still
/// upgrades.
const MIGRATION_4: &str = r#"
DROP INDEX IF EXISTS appointments_day;
-- NDI is met at 10 points (Young 2009: its MCID of 7.5 lies inside the measurement error); a
-- record still holding the old default takes the new one, a clinic's own value stays.
UPDATE measure_definitions SET mcid = 10.0 WHERE code = 'NDI' AND mcid = 7.5;
UPDATE appointments SET patient_name = p.first_name || ' ' || p.last_name, patient_mrn = p.mrn,
    patient_dob = p.date_of_birth
FROM patients p WHERE p.id = appointments.patient_id;

CREATE TABLE IF NOT EXISTS flags_stale (
    patient_id INTEGER PRIMARY KEY,
    from_day   TEXT NOT NULL
) STRICT;
INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
    ON CONFLICT (patient_id) DO UPDATE SET from_day = '';

CREATE TRIGGER IF NOT EXISTS appointments_insert_derived AFTER INSERT ON appointments
WHEN NEW.patient_name IS NOT (SELECT first_name || ' ' || last_name FROM patients
                              WHERE id = NEW.patient_id)
    OR NEW.patient_mrn IS NOT (SELECT mrn FROM patients WHERE id = NEW.patient_id)
    OR NEW.patient_dob IS NOT (SELECT date_of_birth FROM patients WHERE id = NEW.patient_id)
BEGIN
    UPDATE appointments SET (patient_name, patient_mrn, patient_dob) =
        (SELECT first_name || ' ' || last_name, mrn, date_of_birth FROM patients
         WHERE id = NEW.patient_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS appointments_insert_flags_stale AFTER INSERT ON appointments
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (NEW.patient_id, substr(NEW.start, 1, 10))
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS appointments_patient_derived AFTER UPDATE OF patient_id ON appointments
WHEN OLD.patient_id IS NOT NEW.patient_id
BEGIN
    UPDATE appointments SET (patient_name, patient_mrn, patient_dob) =
        (SELECT first_name || ' ' || last_name, mrn, date_of_birth FROM patients
         WHERE id = NEW.patient_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS appointments_flags_stale AFTER UPDATE OF patient_id, start, kind, status
ON appointments
WHEN OLD.patient_id IS NOT NEW.patient_id OR OLD.start IS NOT NEW.start
    OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO flags_stale (patient_id, from_day)
        VALUES (OLD.patient_id, substr(min(OLD.start, NEW.start), 1, 10))
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
    INSERT INTO flags_stale (patient_id, from_day)
        VALUES (NEW.patient_id, substr(min(OLD.start, NEW.start), 1, 10))
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS appointments_delete_flags_stale AFTER DELETE ON appointments
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, substr(OLD.start, 1, 10))
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS patients_schedule_derived AFTER UPDATE OF first_name, last_name, mrn, date_of_birth
ON patients
WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name
    OR OLD.mrn IS NOT NEW.mrn OR OLD.date_of_birth IS NOT NEW.date_of_birth
BEGIN
    UPDATE appointments SET patient_name = NEW.first_name || ' ' || NEW.last_name,
        patient_mrn = NEW.mrn, patient_dob = NEW.date_of_birth
    WHERE patient_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS patients_flags_stale AFTER UPDATE OF authorized_visits, auth_end, poc_start, poc_end
ON patients
WHEN OLD.authorized_visits IS NOT NEW.authorized_visits OR OLD.auth_end IS NOT NEW.auth_end
    OR OLD.poc_start IS NOT NEW.poc_start OR OLD.poc_end IS NOT NEW.poc_end
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (NEW.id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS visit_notes_insert_flags_stale AFTER INSERT ON visit_notes
WHEN NEW.is_progress_report = 1
BEGIN
    INSERT INTO flags_stale (patient_id, from_day)
        SELECT patient_id, substr(start, 1, 10) FROM appointments WHERE id = NEW.appointment_id
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS visit_notes_update_flags_stale AFTER UPDATE OF is_progress_report, appointment_id
ON visit_notes
WHEN (OLD.is_progress_report = 1) IS NOT (NEW.is_progress_report = 1)
    OR OLD.appointment_id IS NOT NEW.appointment_id
BEGIN
    INSERT INTO flags_stale (patient_id, from_day)
        SELECT patient_id, substr(start, 1, 10) FROM appointments
        WHERE id IN (OLD.appointment_id, NEW.appointment_id)
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS visit_notes_delete_flags_stale AFTER DELETE ON visit_notes
WHEN OLD.is_progress_report = 1
BEGIN
    INSERT INTO flags_stale (patient_id, from_day)
        SELECT patient_id, substr(start, 1, 10) FROM appointments WHERE id = OLD.appointment_id
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS adherence_insert_flags_stale AFTER INSERT ON adherence_reports
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (NEW.patient_id,
            CASE WHEN date(NEW.reported_on) IS NEW.reported_on THEN NEW.reported_on ELSE '' END)
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS adherence_update_flags_stale AFTER UPDATE ON adherence_reports
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, ''), (NEW.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS adherence_delete_flags_stale AFTER DELETE ON adherence_reports
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS meta_insert_flags_stale AFTER INSERT ON meta WHEN NEW.key = 'reeval_days'
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS meta_update_flags_stale AFTER UPDATE ON meta
WHEN 'reeval_days' IN (OLD.key, NEW.key)
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS meta_delete_flags_stale AFTER DELETE ON meta WHEN OLD.key = 'reeval_days'
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
"#;

/// Documentation a payer accepts (issue 15).
///
/// - Staff roles gain the assistant (PTA) and the admin, and each person their credentials
///   ("PT, DPT"), which a signature shows. SQLite cannot change a CHECK in place, so the table is
///   rebuilt; `migrate` turns foreign keys off around it and checks them before the commit.
/// - A plan of care is its own row: a recertification adds one, so an old certification is
///   never rewritten and the visits treated under it keep their flags.
/// - Authorisations are their own rows, several per patient over time, each counting the visits
///   its window holds.
/// - A payer's rules (how units are assigned, whether the evaluation counts against an
///   authorisation, whether an assistant's note needs a therapist's co-signature) live in the
///   record, so every terminal bills and counts alike.
/// - Goals belong to a plan of care; a measured goal's status is worked out from the measure,
///   a worded one is assessed by the therapist.
/// - A discharge closes the plan it ends (one per plan), with its reason and the therapist's
///   signature.
/// - A note is signed once; later changes are addenda, each dated and by its author. The
///   signature keeps the name and credentials as they were when it was given.
const MIGRATION_5: &str = r#"
CREATE TABLE IF NOT EXISTS payers (
    name                   TEXT PRIMARY KEY COLLATE NOCASE,
    billing_rule           TEXT NOT NULL CHECK (billing_rule IN ('medicare', 'ama')),
    evaluation_counts      INTEGER NOT NULL DEFAULT 1,
    assistant_needs_cosign INTEGER NOT NULL DEFAULT 1,
    version                INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE IF NOT EXISTS plans_of_care (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    starts_on       TEXT NOT NULL,   -- the initial treatment (evaluation) or the recertification
    ends_on         TEXT NOT NULL,
    visits_per_week INTEGER CHECK (visits_per_week BETWEEN 1 AND 7),   -- NULL: not recorded
    weeks           INTEGER CHECK (weeks BETWEEN 1 AND 13),
    physician       TEXT,
    certified_on    TEXT,            -- the date of the physician's or NPP's signature
    delay_reason    TEXT,            -- why the certification came after 30 days
    recertifies     INTEGER REFERENCES plans_of_care (id),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_on >= starts_on),
    CHECK ((visits_per_week IS NULL) = (weeks IS NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS plans_of_care_patient ON plans_of_care (patient_id, starts_on, ends_on,
    certified_on);

CREATE TABLE IF NOT EXISTS authorizations (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    payer      TEXT NOT NULL,
    reference  TEXT,                 -- the payer's authorisation number
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    visits     INTEGER NOT NULL CHECK (visits > 0),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_on >= starts_on)
) STRICT;
CREATE INDEX IF NOT EXISTS authorizations_patient ON authorizations (patient_id, starts_on, ends_on, visits,
    payer);

CREATE TABLE IF NOT EXISTS goals (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES plans_of_care (id),
    term         TEXT NOT NULL CHECK (term IN ('short', 'long')),
    description  TEXT NOT NULL,
    measure_code TEXT REFERENCES measure_definitions (code),
    detail       TEXT,               -- the ROM series or PSFS activity a measured goal follows
    target       REAL,
    target_on    TEXT NOT NULL,
    assessed     TEXT CHECK (assessed IN ('met', 'progressing', 'not_met')),
    assessed_on  TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK ((measure_code IS NULL) = (target IS NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS goals_plan ON goals (plan_id, term, target_on);

CREATE TABLE IF NOT EXISTS note_addenda (
    id         INTEGER PRIMARY KEY,
    note_id    INTEGER NOT NULL REFERENCES visit_notes (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    written_as TEXT NOT NULL,        -- "Dana Fry, PT, DPT" when it was written
    written_at TEXT NOT NULL,
    text       TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS note_addenda_note ON note_addenda (note_id, written_at);

-- The end of an episode of care, under the plan it closes. The signature keeps the
-- therapist's name and credentials as they were when the discharge was recorded.
CREATE TABLE IF NOT EXISTS discharges (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    plan_id       INTEGER NOT NULL UNIQUE REFERENCES plans_of_care (id),
    discharged_on TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('goals_met', 'plateau', 'patient_request',
                      'non_attendance', 'referred', 'other')),
    note          TEXT,
    by_staff      INTEGER NOT NULL REFERENCES staff (id),
    signed_as     TEXT NOT NULL,     -- "Dana Fry, PT, DPT" when it was recorded
    at            TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS discharges_patient ON discharges (patient_id, discharged_on);

-- Whether a payer counts the evaluation, read by the day's flags from the index alone.
CREATE INDEX IF NOT EXISTS payers_evaluation_counts ON payers (name, evaluation_counts);

-- The visits' flags follow the plans, the authorisations and the payers' counting rule. A new
-- authorisation only bears on the visits from its start on; a new plan also on the visits
-- before it (a recertification carries on the plan that ends the day before, which is then
-- no longer ending); any other change, on all of the patient's.
DROP TRIGGER IF EXISTS patients_flags_stale;
CREATE TRIGGER IF NOT EXISTS plans_of_care_insert_flags_stale AFTER INSERT ON plans_of_care
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (NEW.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS plans_of_care_update_flags_stale AFTER UPDATE OF patient_id,
    starts_on, ends_on, certified_on ON plans_of_care
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, ''), (NEW.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS plans_of_care_delete_flags_stale AFTER DELETE ON plans_of_care
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS authorizations_insert_flags_stale AFTER INSERT ON authorizations
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (NEW.patient_id,
            CASE WHEN date(NEW.starts_on) IS NEW.starts_on THEN NEW.starts_on ELSE '' END)
        ON CONFLICT (patient_id) DO UPDATE SET from_day = min(from_day, excluded.from_day);
END;
CREATE TRIGGER IF NOT EXISTS authorizations_update_flags_stale AFTER UPDATE OF patient_id, payer,
    starts_on, ends_on, visits ON authorizations
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, ''), (NEW.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS authorizations_delete_flags_stale AFTER DELETE ON authorizations
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (OLD.patient_id, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS payers_insert_flags_stale AFTER INSERT ON payers
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS payers_update_flags_stale AFTER UPDATE OF name, evaluation_counts
ON payers
WHEN OLD.name IS NOT NEW.name OR OLD.evaluation_counts IS NOT NEW.evaluation_counts
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
CREATE TRIGGER IF NOT EXISTS payers_delete_flags_stale AFTER DELETE ON payers
BEGIN
    INSERT INTO flags_stale (patient_id, from_day) VALUES (0, '')
        ON CONFLICT (patient_id) DO UPDATE SET from_day = '';
END;
"#;

/// Schema 6: the clinic's hours and closed dates, one set for every terminal.
/// - A weekday without a row keeps the default hours (`clinic_hours::DEFAULT_HOURS`); a row
///   with no times is a weekday the clinic is closed.
/// - A closed date overrides its weekday's hours, with an optional reason.
const MIGRATION_6: &str = r#"
CREATE TABLE IF NOT EXISTS clinic_hours (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
    open    TEXT CHECK (open IS NULL OR (length(open) = 5 AND open GLOB '[0-2][0-9]:[0-5][0-9]')),
    close   TEXT CHECK (close IS NULL OR (length(close) = 5 AND close GLOB '[0-2][0-9]:[0-5][0-9]')),
    CHECK ((open IS NULL) = (close IS NULL)),
    CHECK (open IS NULL OR close > open)
) STRICT;

CREATE TABLE IF NOT EXISTS closed_days (
    day    TEXT PRIMARY KEY CHECK (length(day) = 10),
    reason TEXT
) STRICT;
"#;

/// Schema 7: the week's bookings.
/// - A visit booked as one of a series names it (`series_id`); each occurrence stays its own
///   row, so checking in, cancelling or moving one never touches the others. The series row
///   keeps the rule it was booked by, which always has an end.
/// - The waitlist: who would take an earlier or a cancelled slot, with whom, on which days and
///   at which times, for how long, how urgently. An entry is taken off when the patient is
///   booked from it or removed by hand (`removed_at`, `booked_appointment`), never deleted, so
///   the list's history is in the record.
/// - The patient's preferred way of being reached by the desk.
const MIGRATION_7: &str = r#"
CREATE TABLE IF NOT EXISTS visit_series (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    therapist_id INTEGER NOT NULL REFERENCES staff (id),
    weekdays     TEXT NOT NULL,   -- e.g. 'mon,thu'
    time         TEXT NOT NULL,   -- HH:MM
    minutes      INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    count        INTEGER CHECK (count IS NULL OR count > 0),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
) STRICT;

CREATE TABLE IF NOT EXISTS waitlist (
    id                 INTEGER PRIMARY KEY,
    patient_id         INTEGER NOT NULL REFERENCES patients (id),
    weekdays           TEXT,             -- NULL: any day the clinic is open
    times_from         TEXT NOT NULL,    -- HH:MM
    times_to           TEXT NOT NULL,
    minutes            INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    priority           INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    note               TEXT,
    added_at           TEXT NOT NULL,
    added_by           TEXT NOT NULL,
    removed_at         TEXT,
    booked_appointment INTEGER REFERENCES appointments (id),
    version            INTEGER NOT NULL DEFAULT 1,
    CHECK (times_to > times_from)
) STRICT;
CREATE INDEX IF NOT EXISTS waitlist_open ON waitlist (removed_at, priority, added_at);

CREATE TABLE IF NOT EXISTS waitlist_therapists (
    entry_id     INTEGER NOT NULL REFERENCES waitlist (id),
    therapist_id INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (entry_id, therapist_id)
) STRICT;
"#;

/// Schema 8, messages to patients:
/// - The outbox: a row per message (a reminder, a rebooking note, a home program, a progress
///   letter), with the text and address as sent, its state, attempts and the provider's id. A
///   reminder names the visit and the start it was for, so a moved visit gets its own, and
///   `outbox_once` keeps two senders from planning the same one twice. A row being sent is
///   `pending` with a claim (`claimed_by`, `claimed_at`).
/// - The clinic's settings that messages use: its name and phone as patients read them, how
///   long before a visit reminders go (minutes, comma-separated) and the quiet hours.
/// - The message templates, clinic-wide, one per purpose and channel.
/// - A patient's answer about a visit (confirmed or declined), for the start it was given for:
///   moving the visit leaves it unanswered again.
/// - The patient's consent to email and text messages, each with its day, and their opt-outs.
const MIGRATION_8: &str = r#"
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    appointment_id  INTEGER REFERENCES appointments (id),
    purpose         TEXT NOT NULL
                    CHECK (purpose IN ('reminder', 'rebooking', 'home_program', 'progress_letter')),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    for_start       TEXT,             -- a reminder: the visit's start it is for
    offset_minutes  INTEGER,          -- a reminder: how long before the visit
    due_at          TEXT NOT NULL,    -- local YYYY-MM-DDTHH:MM
    recipient       TEXT,             -- the address or number, as sent
    subject         TEXT,
    body            TEXT,             -- the text, as sent
    html            TEXT,             -- an email's HTML part
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_by      TEXT,
    claimed_at      TEXT,
    provider_id     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    sent_at         TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (purpose <> 'reminder' OR (appointment_id IS NOT NULL AND for_start IS NOT NULL
                                     AND offset_minutes IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS outbox_once
    ON outbox (appointment_id, channel, offset_minutes, for_start) WHERE purpose = 'reminder';
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_visit ON outbox (appointment_id, id) WHERE appointment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_patient ON outbox (patient_id, id);

CREATE TABLE IF NOT EXISTS clinic_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    clinic_name      TEXT NOT NULL DEFAULT 'Your physical therapy clinic',
    clinic_phone     TEXT,
    reminder_offsets TEXT NOT NULL DEFAULT '2880,120',
    quiet_from       TEXT NOT NULL DEFAULT '21:00',
    quiet_to         TEXT NOT NULL DEFAULT '08:00',
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT OR IGNORE INTO clinic_settings (id) VALUES (1);

CREATE TABLE IF NOT EXISTS message_templates (
    purpose TEXT NOT NULL
            CHECK (purpose IN ('reminder', 'rebooking', 'home_program', 'progress_letter')),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    subject TEXT,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (purpose, channel)
) STRICT;

CREATE TABLE IF NOT EXISTS visit_confirmations (
    appointment_id INTEGER PRIMARY KEY REFERENCES appointments (id),
    answer         TEXT NOT NULL CHECK (answer IN ('confirmed', 'declined')),
    for_start      TEXT NOT NULL,
    answered_at    TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    via            TEXT NOT NULL CHECK (via IN ('desk', 'reply'))
) STRICT;
"#;

/// Schema 9 keeps each scheduled visit's no-show risk in its row, in the day's covering index
/// (built again at the end of the upgrade with the column).
const MIGRATION_9: &str = "DROP INDEX IF EXISTS appointments_day;";

/// Schema 10 is for the clinic's outcome figures: each plan of care names the body region it
/// treats (an episode's region, as the patient's record names only the latest complaint;
/// earlier plans take the patient's region at the upgrade), and measurements and adherence
/// reports are read by day from covering indexes.
const MIGRATION_10: &str = "
UPDATE plans_of_care SET body_region = (SELECT body_region FROM patients WHERE id = patient_id)
    WHERE body_region IS NULL;
CREATE INDEX IF NOT EXISTS measurements_day ON measurements (taken_on, patient_id, measure_code,
    value);
CREATE INDEX IF NOT EXISTS adherence_day ON adherence_reports (reported_on, patient_id,
    sessions_done, sessions_prescribed);
";

/// Schema 11, sites: a clinic group's places, each with its name, address, phone and rooms,
/// and the weekdays whose hours differ from the clinic's. Visits, series and waitlist entries
/// name their site; staff work at one or more. A record made before holds one site, "Main",
/// where every visit was and everyone works. The site's phone, when set, is the one its
/// patients' messages give (else the clinic's), so a one-site clinic keeps one phone.
const MIGRATION_11: &str = r#"
CREATE TABLE IF NOT EXISTS sites (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    address    TEXT,
    phone      TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO sites (id, name, created_at)
    SELECT 1, 'Main', strftime('%Y-%m-%dT%H:%M:%S', 'now')
    WHERE NOT EXISTS (SELECT 1 FROM sites);

CREATE TABLE IF NOT EXISTS site_rooms (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name    TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) > 0),
    PRIMARY KEY (site_id, name)
) STRICT;

CREATE TABLE IF NOT EXISTS site_hours (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    open    TEXT CHECK (open IS NULL OR (length(open) = 5 AND open GLOB '[0-2][0-9]:[0-5][0-9]')),
    close   TEXT CHECK (close IS NULL OR (length(close) = 5 AND close GLOB '[0-2][0-9]:[0-5][0-9]')),
    CHECK ((open IS NULL) = (close IS NULL)),
    CHECK (open IS NULL OR close > open),
    PRIMARY KEY (site_id, weekday)
) STRICT;

CREATE TABLE IF NOT EXISTS staff_sites (
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    site_id  INTEGER NOT NULL REFERENCES sites (id),
    PRIMARY KEY (staff_id, site_id)
) STRICT;
INSERT OR IGNORE INTO staff_sites (staff_id, site_id) SELECT id, 1 FROM staff;

UPDATE appointments SET site_id = 1 WHERE site_id IS NULL;
UPDATE visit_series SET site_id = 1 WHERE site_id IS NULL;
UPDATE waitlist SET site_id = 1 WHERE site_id IS NULL;
CREATE INDEX IF NOT EXISTS waitlist_site ON waitlist (site_id) WHERE removed_at IS NULL;
DROP INDEX IF EXISTS appointments_day;

CREATE TRIGGER IF NOT EXISTS appointments_name_their_site BEFORE INSERT ON appointments
WHEN NEW.site_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a visit names its site');
END;
CREATE TRIGGER IF NOT EXISTS waitlist_names_its_site BEFORE INSERT ON waitlist
WHEN NEW.site_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a waitlist entry names its site');
END;
"#;

/// The columns schema 11 adds: each visit, series and waitlist entry's site.
const MIGRATION_11_COLUMNS: [(&str, &str, &str); 3] = [
    ("appointments", "site_id", "INTEGER REFERENCES sites (id)"),
    ("visit_series", "site_id", "INTEGER REFERENCES sites (id)"),
    ("waitlist", "site_id", "INTEGER REFERENCES sites (id)"),
];

/// The column schema 10 adds to the plan of care (only when missing).
const MIGRATION_10_COLUMNS: [(&str, &str); 1] = [("body_region", "TEXT")];

/// The column schema 9 adds to the visit (only when missing).
const MIGRATION_9_COLUMNS: [(&str, &str); 1] = [("no_show_risk", "TEXT")];

/// The columns schema 8 adds to the patient (each only when missing).
const MIGRATION_8_COLUMNS: [(&str, &str); 4] = [
    ("email_consent_on", "TEXT"),
    ("sms_consent_on", "TEXT"),
    ("email_opt_out_on", "TEXT"),
    ("sms_opt_out_on", "TEXT"),
];

/// The columns schema 7 adds (each only when missing).
const MIGRATION_7_COLUMNS: [(&str, &str, &str); 2] = [
    (
        "appointments",
        "series_id",
        "INTEGER REFERENCES visit_series (id)",
    ),
    (
        "patients",
        "contact_preference",
        "TEXT CHECK (contact_preference IN ('phone', 'text', 'email'))",
    ),
];

/// The plan of care and the authorisation a record before schema 5 kept on the patient's row,
/// carried into rows of their own (once, while the old columns are there), before the columns
/// go. The old record never said how often the patient was to come, nor who certified the
/// plan: the frequency is left unrecorded (NULL) and the signature too, so that the plan shows
/// as uncertified until a physician's signature is recorded. A plan with no valid end gets the
/// 90-day cap; an authorisation starts on the plan's start (else the first visit, else the
/// day the patient was registered), ends on its own end (else the plan's, else a year on) and
/// names the patient's payer. An authorisation of no visits (or none stated) is not carried:
/// an authorisation holds at least one.
const MIGRATION_5_CARRY: &str = r#"
CREATE TEMP TABLE carried AS
    SELECT p.id AS patient_id, p.payer, p.authorized_visits, p.auth_end, p.poc_end,
           coalesce(CASE WHEN date(p.poc_start) IS p.poc_start THEN p.poc_start END,
                    (SELECT min(substr(a.start, 1, 10)) FROM appointments a
                     WHERE a.patient_id = p.id AND date(substr(a.start, 1, 10)) IS substr(a.start, 1, 10)),
                    date(p.created_at), date('now')) AS start,
           p.poc_start IS NOT NULL OR p.poc_end IS NOT NULL AS has_plan
    FROM patients p
    WHERE p.poc_start IS NOT NULL OR p.poc_end IS NOT NULL OR p.authorized_visits > 0;
UPDATE carried SET poc_end = CASE WHEN date(poc_end) IS poc_end AND poc_end >= start THEN poc_end
                                  END;
INSERT INTO plans_of_care (patient_id, starts_on, ends_on, visits_per_week, weeks, created_by,
                           created_at)
    SELECT patient_id, start, coalesce(poc_end, date(start, '+89 days')), NULL, NULL, 'upgrade', strftime('%Y-%m-%dT%H:%M:%S', 'now')
    FROM carried WHERE has_plan;
INSERT INTO authorizations (patient_id, payer, starts_on, ends_on, visits, created_by, created_at)
    SELECT patient_id, coalesce(nullif(trim(payer), ''), 'unknown payer'), start,
           coalesce(CASE WHEN date(auth_end) IS auth_end AND auth_end >= start THEN auth_end END,
                    poc_end, date(start, '+1 year', '-1 day')),
           authorized_visits, 'upgrade', strftime('%Y-%m-%dT%H:%M:%S', 'now')
    FROM carried WHERE authorized_visits > 0;
DROP TABLE carried;
ALTER TABLE patients DROP COLUMN authorized_visits;
ALTER TABLE patients DROP COLUMN auth_end;
ALTER TABLE patients DROP COLUMN poc_start;
ALTER TABLE patients DROP COLUMN poc_end;
"#;

fn patients_keep_the_old_terms(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('patients') WHERE name = 'poc_start')",
        [],
        |r| r.get(0),
    )
}

/// Schema 5's staff table, with the assistant and the admin among its roles and each person's
/// credentials: rebuilt when the stored table's CHECK does not know the assistant yet.
const MIGRATION_5_STAFF: &str = r#"
CREATE TABLE staff_roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    initials    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role        TEXT NOT NULL CHECK (role IN ('therapist', 'assistant', 'front_desk', 'admin')),
    username    TEXT UNIQUE COLLATE NOCASE,
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    credentials TEXT
) STRICT;
INSERT INTO staff_roles (id, name, initials, role, username, active, version)
    SELECT id, name, initials, role, username, active, version FROM staff;
DROP TABLE staff;
ALTER TABLE staff_roles RENAME TO staff;
"#;

fn staff_knows_every_role(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT instr(sql, 'assistant') > 0 FROM sqlite_master WHERE name = 'staff'",
        [],
        |r| r.get(0),
    )
}

/// The signature columns schema 5 adds to `visit_notes` (each only when missing, as schema 4's).
const MIGRATION_5_NOTE_COLUMNS: [(&str, &str); 7] = [
    ("signed_by", "INTEGER REFERENCES staff (id)"),
    ("signed_as", "TEXT"),
    ("signed_at", "TEXT"),
    // The signer's role then: an assistant's note keeps waiting for its co-signature even if
    // the assistant is later made a therapist.
    ("signed_role", "TEXT"),
    ("cosigned_by", "INTEGER REFERENCES staff (id)"),
    ("cosigned_as", "TEXT"),
    ("cosigned_at", "TEXT"),
];

/// The columns schema 4 adds to `appointments`, with their types.
const MIGRATION_4_COLUMNS: [(&str, &str); 4] = [
    ("patient_name", "TEXT"),
    ("patient_mrn", "TEXT"),
    ("patient_dob", "TEXT"),
    ("flags", "TEXT"),
];

fn add_missing_columns(
    conn: &Connection,
    table: &str,
    columns: &[(&str, &str)],
) -> rusqlite::Result<()> {
    for (name, kind) in columns {
        let present: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, name],
            |r| r.get(0),
        )?;
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {name} {kind}"))?;
        }
    }
    Ok(())
}

/// The indexes a record of the current schema has: those of a fresh record, built in memory by
/// the migrations. `doctor` checks a file has them all (the day's queries name theirs and
/// cannot run without them).
pub fn expected_indexes() -> AppResult<Vec<String>> {
    let fresh = "a fresh clinic record in memory";
    let mut conn = Connection::open_in_memory().map_err(|e| super::sql_failure(fresh, e))?;
    migrate(&mut conn, fresh)?;
    index_names(&conn).map_err(|e| super::sql_failure(fresh, e))
}

/// The indexes created in `conn` (not those SQLite makes for UNIQUE constraints).
pub(crate) fn index_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Brings the schema up to date. `BEGIN EXCLUSIVE` makes a second terminal wait rather than
/// migrate the same file at the same time; a schema newer than this binary is refused untouched.
pub(crate) fn migrate(conn: &mut Connection, path_for_messages: &str) -> AppResult<()> {
    let fail = |e| super::sql_failure(path_for_messages, e);
    // The usual case, an up-to-date file, takes no lock: another terminal may be writing.
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(fail)?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // Schema 5 rebuilds the staff table, which the visits refer to: SQLite's way is foreign
    // keys off (only possible outside a transaction) and a check of them all before the commit.
    let enforced: bool = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(fail)?;
    let result = migrate_in_one_transaction(conn, path_for_messages);
    conn.pragma_update(None, "foreign_keys", enforced)
        .map_err(fail)?;
    result
}

fn migrate_in_one_transaction(conn: &mut Connection, path_for_messages: &str) -> AppResult<()> {
    let fail = |e| super::sql_failure(path_for_messages, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(fail)?;
    let current: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(fail)?;
    if current > SCHEMA_VERSION {
        return Err(newer_schema(path_for_messages, current));
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        if index == 3 {
            add_missing_columns(&tx, "appointments", &MIGRATION_4_COLUMNS).map_err(fail)?;
        }
        if index == 8 {
            add_missing_columns(&tx, "appointments", &MIGRATION_9_COLUMNS).map_err(fail)?;
        }
        if index == 9 {
            add_missing_columns(&tx, "plans_of_care", &MIGRATION_10_COLUMNS).map_err(fail)?;
        }
        if index == 10 {
            for (table, name, kind) in MIGRATION_11_COLUMNS {
                add_missing_columns(&tx, table, &[(name, kind)]).map_err(fail)?;
            }
        }
        tx.execute_batch(sql).map_err(fail)?;
        if index == 6 {
            for (table, name, kind) in MIGRATION_7_COLUMNS {
                add_missing_columns(&tx, table, &[(name, kind)]).map_err(fail)?;
            }
            tx.execute_batch(
                "CREATE INDEX IF NOT EXISTS appointments_series ON appointments (series_id) WHERE series_id IS NOT NULL",
            )
            .map_err(fail)?;
        }
        if index == 7 {
            add_missing_columns(&tx, "patients", &MIGRATION_8_COLUMNS).map_err(fail)?;
        }
        if index == 8 {
            // A model stored before the column was there scores the scheduled visits now.
            let fit = super::no_show::stored_fit(&Conn::new(&tx)).map_err(|e| fail(e.into()))?;
            if fit.is_some() {
                super::no_show::store_all_risks(&Conn::new(&tx), fit.as_ref())
                    .map_err(|e| fail(e.into()))?;
            }
        }
        if index == 4 {
            add_missing_columns(&tx, "visit_notes", &MIGRATION_5_NOTE_COLUMNS).map_err(fail)?;
            if patients_keep_the_old_terms(&tx).map_err(fail)? {
                tx.execute_batch(MIGRATION_5_CARRY).map_err(fail)?;
            }
            if !staff_knows_every_role(&tx).map_err(fail)? {
                tx.execute_batch(MIGRATION_5_STAFF).map_err(fail)?;
            }
        }
        // Measures added since a record was made (KOOS's subscales with schema 4) are defined
        // at its upgrade; those it has are left as they are (a clinic may have set its own).
        if index == 0 || index >= 3 {
            seed_measure_definitions(&tx).map_err(fail)?;
        }
    }
    // The visits' flags are worked out once every table they read is in place, and the day's
    // index built with them (schema 4 dropped it).
    super::flag_cache::refresh(&Conn::new(&tx)).map_err(|e| fail(e.into()))?;
    if !super::flag_cache::day_index_exists(&Conn::new(&tx)).map_err(|e| fail(e.into()))? {
        tx.execute_batch(super::flag_cache::DAY_INDEX)
            .map_err(fail)?;
    }
    let broken: Option<String> = tx
        .query_row(
            "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(fail)?;
    if let Some(table) = broken {
        return Err(AppError::failure(format!(
            "{path_for_messages} could not be upgraded: a row of {table} refers to one that is not there (`ptclinic doctor` lists them); the file was not changed"
        )));
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

pub fn newer_schema(path: &str, found: i64) -> AppError {
    AppError::input(format!(
        "{path} was written by a newer ptclinic (schema {found}; this one knows up to {SCHEMA_VERSION}): update ptclinic; the file was not changed"
    ))
}

fn seed_measure_definitions(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT OR IGNORE INTO measure_definitions
             (code, name, min, max, better, mcid, mdc, unit, integer)
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A record as the first release wrote it, with one visit of each kind of row the day reads.
    fn version_one() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATION_1).unwrap();
        seed_measure_definitions(&conn).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO staff (id, name, initials, role, username)
                 VALUES (1, 'Dana Fry', 'DF', 'therapist', 'dfry');
             INSERT INTO patients (id, mrn, first_name, last_name, date_of_birth, created_at,
                                   payer, authorized_visits, poc_start, poc_end)
                 VALUES (1, '100001', 'Maria', 'Lopez', '1961-03-02', '2026-10-01T09:00:00Z',
                         'Medicare', 12, '2026-10-01', '2026-12-29');
             INSERT INTO appointments (id, patient_id, therapist_id, start, minutes, kind, status,
                                       created_at)
                 VALUES (1, 1, 1, '2026-10-01T08:00', 60, 'evaluation', 'completed', 'x'),
                        (2, 1, 1, '2026-10-08T08:00', 45, 'treatment', 'completed', 'x'),
                        (3, 1, 1, '2026-11-27T08:00', 45, 'treatment', 'scheduled', 'x');
             INSERT INTO visit_notes (appointment_id, is_progress_report, author, updated_at)
                 VALUES (2, 1, 'dfry', 'x');
             INSERT INTO adherence_reports (patient_id, reported_on, sessions_done,
                                            sessions_prescribed, recorded_by)
                 VALUES (1, '2026-11-20', 2, 10, 'dfry');",
        )
        .unwrap();
        conn
    }

    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let n = stmt.parameter_count();
        let params: Vec<&str> = ["2026-11-27", "2026-11-28", "reeval_days"][..n].to_vec();
        stmt.query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    #[test]
    fn the_indexes_the_day_names_are_expected() {
        let expected = expected_indexes().unwrap();
        let sql = super::super::schedule::day_sql() + super::super::flags::DAY_FLAGS_SQL;
        let named: Vec<&str> = sql
            .split("INDEXED BY ")
            .skip(1)
            .filter_map(|rest| rest.split_whitespace().next())
            .collect();
        assert_eq!(
            named,
            [
                "patients_schedule",
                "visit_notes_progress",
                "payers_evaluation_counts"
            ]
        );
        for name in named
            .iter()
            .chain(&["appointments_day", "appointments_patient"])
        {
            assert!(expected.iter().any(|e| e == name), "{name}: {expected:?}");
        }
        assert!(!expected.iter().any(|e| e == "appointments_start"));
    }

    #[test]
    fn a_first_release_record_is_upgraded_in_place_and_keeps_every_row() {
        let mut conn = version_one();
        migrate(&mut conn, "clinic.db").unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let visits = super::super::schedule::day(&Conn::new(&conn), day).unwrap();
        assert_eq!(visits.len(), 1);
        assert_eq!(visits[0].patient_name, "Maria Lopez");
        // 2 of 10 sessions: the adherence flag comes through the new covering index.
        assert!(
            visits[0].flags.iter().any(|f| f == "adherence_low"),
            "{:?}",
            visits[0].flags
        );
        // Upgrading twice changes nothing.
        migrate(&mut conn, "clinic.db").unwrap();
    }

    /// The plan of care and the authorisation an older record kept on the patient's row become
    /// rows of their own, and the old columns go: the plan with no frequency and no signature
    /// (so uncertified until signed), the authorisation from the plan's start, else the first
    /// visit, else the registration day, to its end or the plan's.
    #[test]
    fn an_upgrade_carries_the_patients_plan_and_authorisation_into_rows() {
        let mut conn = version_one();
        conn.execute_batch(
            "INSERT INTO patients (id, mrn, first_name, last_name, date_of_birth, created_at,
                                   authorized_visits, auth_end)
                 VALUES (2, '100002', 'Kwame', 'Mensah', '1990-01-01', '2026-10-20T09:00:00Z',
                         8, '2026-12-15');
             INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
                                       created_at)
                 VALUES (2, 1, '2026-11-02T08:00', 60, 'evaluation', 'completed', 'x');
             INSERT INTO patients (id, mrn, first_name, last_name, date_of_birth, created_at,
                                   payer, authorized_visits, poc_start, poc_end)
                 VALUES (3, '100003', 'Olivia', 'Chen', '1980-01-01', '2026-09-15T09:00:00Z',
                         ' Aetna ', 0, 'TBD', '2026-11-30');
             INSERT INTO patients (id, mrn, first_name, last_name, date_of_birth, created_at)
                 VALUES (4, '100004', 'Tomas', 'Alvarez', '1980-01-01', '2026-09-15T09:00:00Z');",
        )
        .unwrap();
        migrate(&mut conn, "clinic.db").unwrap();
        fn rows_of(conn: &Connection, sql: &str) -> Vec<String> {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        }
        let rows = |sql: &str| rows_of(&conn, sql);
        assert_eq!(
            rows(
                "SELECT patient_id || ' ' || starts_on || ' ' || ends_on || ' '
                        || coalesce(visits_per_week, '-') || ' ' || coalesce(certified_on, '-')
                        || ' ' || created_by
                 FROM plans_of_care ORDER BY patient_id"
            ),
            [
                "1 2026-10-01 2026-12-29 - - upgrade",
                "3 2026-09-15 2026-11-30 - - upgrade"
            ]
        );
        assert_eq!(
            rows(
                "SELECT patient_id || ' ' || payer || ' ' || starts_on || ' ' || ends_on || ' '
                        || visits FROM authorizations ORDER BY patient_id"
            ),
            [
                "1 Medicare 2026-10-01 2026-12-29 12",
                "2 unknown payer 2026-11-02 2026-12-15 8"
            ]
        );
        let gone = rows(
            "SELECT name FROM pragma_table_info('patients')
             WHERE name IN ('authorized_visits', 'auth_end', 'poc_start', 'poc_end')",
        );
        assert!(gone.is_empty(), "{gone:?}");
        // Upgrading again adds nothing.
        conn.pragma_update(None, "user_version", 4).unwrap();
        migrate(&mut conn, "clinic.db").unwrap();
        let count = |table: &str| rows_of(&conn, &format!("SELECT count(*) || '' FROM {table}"));
        assert_eq!(count("plans_of_care"), ["2"]);
        assert_eq!(count("authorizations"), ["2"]);
    }

    /// An older record gains the measures defined since (KOOS's subscales, KOOS JR, HOOS JR) at
    /// its upgrade, and keeps the thresholds it has.
    #[test]
    fn an_upgrade_defines_the_new_measures_and_keeps_the_clinics_own() {
        let ndi_after = |was: f64| -> (i64, f64) {
            let mut conn = version_one();
            conn.execute(
                "DELETE FROM measure_definitions WHERE code LIKE 'KOOS-%' OR code = 'HOOS-JR'",
                [],
            )
            .unwrap();
            conn.execute(
                "UPDATE measure_definitions SET mcid = ?1 WHERE code = 'NDI'",
                [was],
            )
            .unwrap();
            migrate(&mut conn, "clinic.db").unwrap();
            conn.query_row(
                "SELECT (SELECT COUNT(*) FROM measure_definitions
                                WHERE code LIKE 'KOOS-%' OR code = 'HOOS-JR'),
                        (SELECT mcid FROM measure_definitions WHERE code = 'NDI')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        // The old default gives way to the new one; a clinic's own value stays.
        assert_eq!(ndi_after(7.5), (7, 10.0));
        assert_eq!(ndi_after(8.0), (7, 8.0));
    }

    /// Tables, indexes and triggers of a record upgraded from the first release are those of a
    /// record made fresh by this one (the PIN table included).
    #[test]
    fn an_upgraded_record_has_the_schema_of_a_fresh_one() {
        let schema = |conn: &Connection| -> Vec<(String, String, Option<String>)> {
            conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh, "fresh").unwrap();
        let mut upgraded = version_one();
        migrate(&mut upgraded, "clinic.db").unwrap();
        assert_eq!(schema(&upgraded), schema(&fresh));
        assert!(
            schema(&fresh)
                .iter()
                .any(|(_, name, _)| name == "staff_pins")
        );
    }

    /// The day and its flags read no appointment, patient or report row: each of those would
    /// be a page read on a large file (issue 8). Only the few staff and meta rows are looked up.
    #[test]
    fn the_day_and_its_flags_are_read_from_indexes_alone() {
        let mut conn = version_one();
        migrate(&mut conn, "clinic.db").unwrap();
        let day = plan(&conn, &super::super::schedule::day_sql());
        let flags = plan(&conn, super::super::flags::DAY_FLAGS_SQL);
        let lookups = |plan: &[String], allowed: &dyn Fn(&str) -> bool| -> Vec<String> {
            plan.iter()
                .filter(|l| l.starts_with("SEARCH") || l.starts_with("SCAN"))
                .filter(|l| !l.contains("COVERING INDEX") && !allowed(l))
                .cloned()
                .collect()
        };
        let staff = |l: &str| l.starts_with("SEARCH s USING INTEGER PRIMARY KEY");
        assert_eq!(lookups(&day, &staff), Vec::<String>::new(), "{day:#?}");
        // The flags also read the setting and their own lists of the day's patients; the
        // plans, the authorisations and the payers' counting rule come from indexes.
        let flag_rows = |l: &str| {
            l.starts_with("SEARCH meta ")
                || l == "SCAN d"
                || l == "SCAN t"
                || l == "SCAN bounded"
                || l == "SCAN day_patients"
        };
        assert_eq!(
            lookups(&flags, &flag_rows),
            Vec::<String>::new(),
            "{flags:#?}"
        );
        let all = [day.join("\n"), flags.join("\n")].join("\n");
        for index in [
            "COVERING INDEX appointments_day",
            "COVERING INDEX patients_schedule",
            "COVERING INDEX appointments_patient",
            "COVERING INDEX visit_notes_progress",
            "COVERING INDEX adherence_patient",
            "COVERING INDEX plans_of_care_patient",
            "COVERING INDEX authorizations_patient",
            "COVERING INDEX payers_evaluation_counts",
        ] {
            assert!(all.contains(index), "{index} unused:\n{all}");
        }
    }

    /// The day from its own rows (schema 4) reads one index and the staff: no patient, no
    /// history, no report (each a page read per patient of the day on a large file).
    #[test]
    fn the_day_from_its_rows_reads_the_days_index_alone() {
        let mut conn = version_one();
        migrate(&mut conn, "clinic.db").unwrap();
        let day = plan(&conn, super::super::schedule::DAY_ROWS_SQL);
        let scans: Vec<&String> = day
            .iter()
            .filter(|l| l.starts_with("SEARCH") || l.starts_with("SCAN"))
            .collect();
        assert_eq!(
            scans,
            [
                "SEARCH a USING COVERING INDEX appointments_day (start>? AND start<?)",
                "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"
            ],
            "{day:#?}"
        );
    }

    fn day_flags(conn: &Connection, day: &str) -> Vec<(i64, Vec<String>)> {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        super::super::schedule::day(&Conn::new(conn), day)
            .unwrap()
            .into_iter()
            .map(|v| (v.id, v.flags))
            .collect()
    }

    /// What the long way works out, whatever the stored flags say.
    fn worked_out(conn: &Connection, day: &str) -> Vec<(i64, Vec<String>)> {
        conn.execute("INSERT OR REPLACE INTO flags_stale VALUES (0, '')", [])
            .unwrap();
        let flags = day_flags(conn, day);
        conn.execute("DELETE FROM flags_stale", []).unwrap();
        flags
    }

    /// A change made by another tool (raw SQL here) marks the patient, so the day is worked
    /// out again until a write of the app stores the new flags; a renamed patient's visits
    /// carry the new name at once.
    #[test]
    fn stored_flags_follow_every_change_and_are_never_read_stale() {
        let mut conn = version_one();
        migrate(&mut conn, "clinic.db").unwrap();
        let stored: Option<String> = conn
            .query_row("SELECT flags FROM appointments WHERE id = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        // The plan carried from the patient's row has no signature, 57 days after its start.
        assert_eq!(
            stored.as_deref(),
            Some("reeval_due,poc_uncertified,adherence_low")
        );
        assert_eq!(
            day_flags(&conn, "2026-11-27"),
            worked_out(&conn, "2026-11-27")
        );
        let changes = [
            "UPDATE authorizations SET visits = 3 WHERE patient_id = 1",
            "UPDATE plans_of_care SET ends_on = '2026-11-30' WHERE patient_id = 1",
            "UPDATE plans_of_care SET certified_on = '2026-10-05' WHERE patient_id = 1",
            "INSERT INTO payers (name, billing_rule, evaluation_counts) VALUES ('medicare', 'medicare', 0)",
            "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, created_by, created_at)
                 VALUES (1, '2026-12-01', '2027-02-27', 'x', 'x')",
            "UPDATE plans_of_care SET ends_on = '2026-11-20' WHERE starts_on = '2026-10-01'",
            "DELETE FROM authorizations",
            "INSERT INTO adherence_reports (patient_id, reported_on, sessions_done,
                 sessions_prescribed, recorded_by) VALUES (1, '2026-11-26', 9, 10, 'dfry')",
            "UPDATE visit_notes SET is_progress_report = 0 WHERE appointment_id = 2",
            "UPDATE appointments SET status = 'no_show' WHERE id = 2",
            "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
                 created_at, site_id)
                 VALUES (1, 1, '2026-11-27T09:00', 45, 'treatment', 'scheduled', 'x', 1)",
            "INSERT INTO meta (key, value) VALUES ('reeval_days', '20')",
        ];
        let mut seen = vec![day_flags(&conn, "2026-11-27")];
        for change in changes {
            conn.execute(change, []).unwrap();
            let marks: i64 = conn
                .query_row("SELECT COUNT(*) FROM flags_stale", [], |r| r.get(0))
                .unwrap();
            assert_eq!(marks, 1, "{change}");
            let now = worked_out_keeping_marks(&conn, "2026-11-27");
            assert_eq!(day_flags(&conn, "2026-11-27"), now, "{change}");
            super::super::flag_cache::refresh(&Conn::new(&conn)).unwrap();
            assert_eq!(day_flags(&conn, "2026-11-27"), now, "{change}");
            assert_eq!(worked_out(&conn, "2026-11-27"), now, "{change}");
            seen.push(now);
        }
        // The changes do change the flags (so the checks above compare something).
        seen.dedup();
        assert!(seen.len() >= 4, "{seen:?}");
        conn.execute("UPDATE patients SET last_name = 'Ruiz' WHERE id = 1", [])
            .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let visits = super::super::schedule::day(&Conn::new(&conn), day).unwrap();
        assert!(visits.iter().all(|v| v.patient_name == "Maria Ruiz"));
    }

    fn worked_out_keeping_marks(conn: &Connection, day: &str) -> Vec<(i64, Vec<String>)> {
        let marks = super::super::flag_cache::stale_marks(&Conn::new(conn)).unwrap();
        let flags = worked_out(conn, day);
        for (p, from) in marks {
            conn.execute(
                "INSERT INTO flags_stale VALUES (?1, ?2)",
                rusqlite::params![p, from],
            )
            .unwrap();
        }
        flags
    }

    /// Migrations are history and keep their literal CHECKs; this ties them to the rules the
    /// app applies before it writes, so that a changed limit cannot pass one and fail the other.
    #[test]
    fn the_records_checks_are_the_domain_limits() {
        use crate::domain::adherence::MIN_SESSIONS_PRESCRIBED;
        use crate::domain::appointment::{VISIT_MINUTES_MAX, VISIT_MINUTES_MIN};
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "fresh").unwrap();
        let table = |name: &str| -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap()
        };
        let visits = table("appointments");
        let minutes =
            format!("CHECK (minutes BETWEEN {VISIT_MINUTES_MIN} AND {VISIT_MINUTES_MAX})");
        assert!(visits.contains(&minutes), "{minutes} not in:\n{visits}");
        // The record has no upper limit on sessions; the app's lower one is the record's.
        let adherence = table("adherence_reports");
        let fewest = format!(
            "CHECK (sessions_prescribed > {})",
            MIN_SESSIONS_PRESCRIBED - 1
        );
        assert!(adherence.contains(&fewest), "{fewest} not in:\n{adherence}");
    }
}

//! Imports written to the record: the rows arrive checked (see `crate::import`), and the whole
//! file goes in one transaction with an audit row per record and one for the import. The
//! check itself runs inside that transaction, against what the record holds then.

use super::sql::{Conn, SqlResult, ToValue, args};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{parse_start, start_text};
use super::{Db, TxError};
use crate::domain::bulk::{
    ImportAudit, ImportCounts, ImportKind, ImportPlan, ImportedVisit, Known, NewExercise,
    PatientDetails, Planned, Progress,
};
use crate::error::{AppError, AppResult};

impl Db {
    /// Checks a file of `kind` with `check`, given what the record holds, and (unless
    /// `dry_run`) writes what it planned. A refusal from `check` writes nothing.
    pub fn import(
        &mut self,
        kind: ImportKind,
        dry_run: bool,
        audit: &ImportAudit,
        mut check: impl FnMut(&Known, Progress) -> Result<ImportPlan, AppError>,
        progress: Progress,
    ) -> AppResult<ImportCounts> {
        if dry_run {
            let known = known(&self.sql(), kind, audit.site_id).map_err(|e| self.fail(e))?;
            return Ok(check(&known, progress)?.counts());
        }
        let who = super::Who {
            user: audit.user,
            at: audit.at,
        };
        self.write_as(&who, crate::domain::roles::Duty::Import, |tx, _| {
            let known = known(tx, kind, audit.site_id)?;
            let plan = check(&known, &mut *progress).map_err(TxError::App)?;
            let counts = plan.counts();
            write_plan(tx, &plan, audit, &mut *progress)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: audit.at,
                    user: audit.user,
                    action: match kind {
                        ImportKind::Patients => "import.patients",
                        ImportKind::Appointments => "import.appointments",
                        ImportKind::Exercises => "import.exercises",
                    },
                    entity: entity(kind),
                    entity_id: None,
                    detail: json!({
                        "rows": audit.rows,
                        "inserted": counts.inserted,
                        "updated": counts.updated,
                    }),
                },
            )?;
            Ok(counts)
        })
    }
}

fn entity(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Patients => "patient",
        ImportKind::Appointments => "appointment",
        ImportKind::Exercises => "exercise",
    }
}

/// Read once per import, so a large file costs no lookup per row.
fn known(conn: &Conn, kind: ImportKind, site_id: Option<i64>) -> SqlResult<Known> {
    let mut k = Known::default();
    if matches!(kind, ImportKind::Patients | ImportKind::Appointments) {
        let mut stmt = conn.prepare_cached("SELECT mrn, id FROM patients")?;
        k.patients = stmt
            .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<SqlResult<_>>()?;
    }
    if kind == ImportKind::Appointments {
        let sites = super::sites::read(conn)?;
        k.site = site_id.and_then(|id| sites.by_id(id)).cloned();
        k.staff = super::staff::everyone(conn)?;
        let mut stmt =
            conn.prepare_cached("SELECT patient_id, start, id, site_id FROM appointments")?;
        let rows = stmt.query_map(&[], |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<String>(1)?,
                r.get(2)?,
                r.get::<i64>(3)?,
            ))
        })?;
        for row in rows {
            let (patient, start, id, site) = row?;
            k.visit_sites.insert(id, site);
            // Only a start in the stored form can equal one from a file.
            if let Some(t) = parse_start(&start).filter(|t| start_text(*t) == start) {
                k.visits.insert((patient, t), id);
            }
        }
    }
    if kind == ImportKind::Exercises {
        let mut stmt = conn.prepare_cached("SELECT name, id FROM exercises")?;
        k.exercises = stmt
            .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<SqlResult<_>>()?;
    }
    Ok(k)
}

/// Calls the progress callback every 1% of the rows (and at the end).
fn tick(progress: &mut Progress, done: usize, total: usize) {
    let step = (total / 100).max(1);
    if done % step == 0 || done == total {
        progress("writing", done, total);
    }
}

fn write_plan(
    conn: &Conn,
    plan: &ImportPlan,
    audit: &ImportAudit,
    mut progress: Progress,
) -> SqlResult<()> {
    match plan {
        ImportPlan::Patients(rows) => patients(conn, rows, audit, &mut progress),
        ImportPlan::Appointments(rows) => appointments(conn, rows, audit, &mut progress),
        ImportPlan::Exercises(rows) => exercises(conn, rows, &mut progress),
    }
}

/// One audit row per imported record, beside the import's summary row, so that
/// `ptclinic audit --patient MRN` shows that an import created or changed this patient's record.
fn audit_record(
    conn: &Conn,
    audit: &ImportAudit,
    entity: &str,
    id: i64,
    updated: bool,
) -> SqlResult<()> {
    audit::record(
        conn,
        &AuditEntry {
            at: audit.at,
            user: audit.user,
            action: if updated {
                "import.update"
            } else {
                "import.insert"
            },
            entity,
            entity_id: Some(id),
            detail: json!({ "file": crate::sanitize::clean_line(audit.file_name) }),
        },
    )
}

fn patients(
    conn: &Conn,
    rows: &[Planned<PatientDetails>],
    audit: &ImportAudit,
    progress: &mut Progress,
) -> SqlResult<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO patients (mrn, first_name, last_name, date_of_birth, phone, email, payer,
            diagnosis_code, diagnosis, body_region, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    // Every column but the MRN; an empty cell keeps what is stored.
    let mut update = conn.prepare_cached(
        "UPDATE patients SET first_name = COALESCE(?2, first_name),
            last_name = COALESCE(?3, last_name), date_of_birth = COALESCE(?4, date_of_birth),
            phone = COALESCE(?5, phone), email = COALESCE(?6, email),
            payer = COALESCE(?7, payer), diagnosis_code = COALESCE(?8, diagnosis_code),
            diagnosis = COALESCE(?9, diagnosis), body_region = COALESCE(?10, body_region),
            version = version + 1
         WHERE id = ?1",
    )?;
    let total = rows.len();
    for (i, p) in rows.iter().enumerate() {
        tick(progress, i + 1, total);
        let r = &p.row;
        let dob = r.date_of_birth.format("%Y-%m-%d").to_string();
        let fields = args![
            r.first_name,
            r.last_name,
            dob,
            r.phone,
            r.email,
            r.payer,
            r.diagnosis_code,
            r.diagnosis,
            r.body_region,
        ];
        let who = super::Who {
            user: audit.user,
            at: audit.at,
        };
        match p.existing {
            None => {
                let mut all = vec![r.mrn.to_value()];
                all.extend_from_slice(fields);
                all.push(audit.at.to_value());
                let id = insert.insert(&all)?;
                audit_record(conn, audit, "patient", id, false)?;
                stated_terms(conn, id, r, &who)?;
            }
            Some(id) => {
                let mut all = vec![id.to_value()];
                all.extend_from_slice(fields);
                update.execute(&all)?;
                audit_record(conn, audit, "patient", id, true)?;
                stated_terms(conn, id, r, &who)?;
            }
        }
    }
    Ok(())
}

/// The plan of care and the authorisation a patient file's columns state, as rows of their own
/// (the import's one audit row covers them).
fn stated_terms(
    conn: &Conn,
    patient_id: i64,
    r: &PatientDetails,
    who: &super::Who,
) -> SqlResult<()> {
    if let Some(plan) = &r.plan {
        super::plans::insert_period(conn, patient_id, plan.starts_on, plan.ends_on, who)?;
    }
    if let Some(a) = &r.authorization {
        super::authorizations::insert_stated(conn, patient_id, a, who)?;
    }
    Ok(())
}

fn appointments(
    conn: &Conn,
    rows: &[Planned<ImportedVisit>],
    audit: &ImportAudit,
    progress: &mut Progress,
) -> SqlResult<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
            status_changed_at, cancel_reason, room, created_at,
            patient_name, patient_mrn, patient_dob, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
            (SELECT first_name || ' ' || last_name FROM patients WHERE id = ?1),
            (SELECT mrn FROM patients WHERE id = ?1),
            (SELECT date_of_birth FROM patients WHERE id = ?1), ?11)",
    )?;
    // A status in the file replaces the stored one (and its reason); an empty cell keeps it.
    let mut update = conn.prepare_cached(
        "UPDATE appointments SET therapist_id = ?2, minutes = ?3, kind = ?4,
            status_changed_at = CASE WHEN ?5 IS NOT NULL AND ?5 <> status THEN ?8
                                     ELSE status_changed_at END,
            cancel_reason = CASE WHEN ?5 IS NOT NULL THEN ?6 ELSE cancel_reason END,
            status = COALESCE(?5, status),
            room = COALESCE(?7, room),
            version = version + 1
         WHERE id = ?1",
    )?;
    let total = rows.len();
    for (i, p) in rows.iter().enumerate() {
        tick(progress, i + 1, total);
        let r = &p.row;
        let status = r.status.map(|s| s.as_str());
        let reason = r.cancel_reason.map(|r| r.as_str());
        match p.existing {
            None => {
                let status = status.unwrap_or("scheduled");
                let changed = (status != "scheduled").then_some(audit.at);
                let inserted = insert.insert(args![
                    r.patient_id,
                    r.therapist_id,
                    start_text(r.start),
                    r.minutes,
                    r.kind.as_str(),
                    status,
                    changed,
                    reason,
                    r.room,
                    audit.at,
                    audit.site_id
                ])?;
                audit_record(conn, audit, "appointment", inserted, false)?;
            }
            Some(id) => {
                update.execute(args![
                    id,
                    r.therapist_id,
                    r.minutes,
                    r.kind.as_str(),
                    status,
                    reason,
                    r.room,
                    audit.at
                ])?;
                audit_record(conn, audit, "appointment", id, true)?;
            }
        }
    }
    Ok(())
}

/// Adds exercises to the library (the demo's library too); ids in the order given.
pub(super) fn insert_exercise(conn: &Conn, e: &NewExercise) -> SqlResult<i64> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO exercises (name, aliases, region, category, equipment, position, instructions,
            sets, reps, hold_seconds, times_per_day, days_per_week)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let inserted = insert.insert(args![
        e.name,
        e.aliases,
        e.region,
        e.category,
        e.equipment,
        e.position,
        e.instructions,
        e.sets,
        e.reps,
        e.hold_seconds,
        e.times_per_day,
        e.days_per_week
    ])?;
    Ok(inserted)
}

fn exercises(conn: &Conn, rows: &[Planned<NewExercise>], progress: &mut Progress) -> SqlResult<()> {
    let mut update = conn.prepare_cached(
        "UPDATE exercises SET region = COALESCE(?2, region), category = COALESCE(?3, category),
            equipment = COALESCE(?4, equipment), position = COALESCE(?5, position),
            instructions = COALESCE(?6, instructions),
            aliases = CASE WHEN ?7 = '' THEN aliases ELSE ?7 END,
            sets = COALESCE(?8, sets), reps = COALESCE(?9, reps),
            hold_seconds = COALESCE(?10, hold_seconds),
            times_per_day = COALESCE(?11, times_per_day),
            days_per_week = COALESCE(?12, days_per_week)
         WHERE id = ?1",
    )?;
    let total = rows.len();
    for (i, p) in rows.iter().enumerate() {
        tick(progress, i + 1, total);
        let e = &p.row;
        match p.existing {
            None => {
                insert_exercise(conn, e)?;
            }
            Some(id) => {
                update.execute(args![
                    id,
                    e.region,
                    e.category,
                    e.equipment,
                    e.position,
                    e.instructions,
                    e.aliases,
                    e.sets,
                    e.reps,
                    e.hold_seconds,
                    e.times_per_day,
                    e.days_per_week
                ])?;
            }
        }
    }
    Ok(())
}

//! Home exercise programs in the record: the exercise library, a patient's program versions
//! (a save is always a new version, earlier ones are kept), templates (programs with a name
//! and no patient), patient-reported adherence and the data for a handout. Every change, and
//! every opening of a patient's program, writes its audit row in the same transaction.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::Db;
use super::Who;
use super::audit::{self, AuditEntry};
use crate::domain::adherence;
use crate::domain::hep::{
    Dosage, Exercise, HandoutData, HandoutItem, Program, ProgramItem, Side, Template, VersionInfo,
};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

/// The outcome of saving a program.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveOutcome {
    Saved(VersionInfo),
    /// Someone saved a newer version since this one was loaded: nothing was written.
    Stale(VersionInfo),
}

/// The templates the demo clinic starts with: (name, exercise names in order).
pub const SEED_TEMPLATES: &[(&str, &[&str])] = &[
    (
        "ACL reconstruction phase 1",
        &[
            "Quad set",
            "Straight leg raise",
            "Heel slide",
            "Ankle pumps",
            "Passive knee extension with heel prop",
            "Short arc quad",
        ],
    ),
    (
        "Lumbar stabilisation starter",
        &[
            "Transversus abdominis activation",
            "Posterior pelvic tilt",
            "Bridge",
            "Bird dog",
            "Dead bug",
        ],
    ),
    (
        "Rotator cuff early strengthening",
        &[
            "Pendulum exercise",
            "Scapular retraction",
            "Isometric shoulder external rotation",
            "Isometric shoulder internal rotation",
            "Shoulder external rotation with band",
            "Shoulder internal rotation with band",
        ],
    ),
    (
        "Knee osteoarthritis basics",
        &[
            "Quad set",
            "Straight leg raise",
            "Long arc quad",
            "Sit to stand",
            "Mini squats",
        ],
    ),
    (
        "Neck pain starter",
        &[
            "Chin tuck",
            "Upper trap stretch",
            "Levator scapulae stretch",
            "Scapular retraction",
            "Cervical rotation AROM",
        ],
    ),
    (
        "Ankle sprain early rehab",
        &[
            "Ankle pumps",
            "Alphabet ankle ROM",
            "Ankle isometrics",
            "Bilateral heel raises",
            "Single-leg stance",
        ],
    ),
];

fn row_to_exercise(r: &Row) -> SqlResult<Exercise> {
    let aliases: String = r.get(2)?;
    Ok(Exercise {
        id: r.get(0)?,
        name: r.get(1)?,
        aliases: aliases
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect(),
        region: r.get(3)?,
        category: r.get(4)?,
        equipment: r.get(5)?,
        position: r.get(6)?,
        instructions: r.get(7)?,
        default: Dosage {
            sets: r.get(8)?,
            reps: r.get(9)?,
            hold_seconds: r.get(10)?,
            times_per_day: r.get(11)?,
            days_per_week: r.get(12)?,
            side: None,
            load: None,
        },
    })
}

/// The whole exercise library, by name.
pub(crate) fn library(conn: &Conn) -> SqlResult<Vec<Exercise>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, aliases, region, category, equipment, position, instructions,
            sets, reps, hold_seconds, times_per_day, days_per_week
         FROM exercises ORDER BY name COLLATE NOCASE, id",
    )?;
    stmt.query_map(&[], row_to_exercise)?.collect()
}

fn items_of(conn: &Conn, program_id: i64) -> SqlResult<Vec<ProgramItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.exercise_id, e.name, e.region, e.equipment, i.sets, i.reps, i.hold_seconds,
            i.times_per_day, i.days_per_week, i.side, i.load, i.note
         FROM hep_items i JOIN exercises e ON e.id = i.exercise_id
         WHERE i.program_id = ?1 ORDER BY i.position, i.id",
    )?;
    stmt.query_map(args![program_id], |r| {
        let side: Option<String> = r.get(9)?;
        Ok(ProgramItem {
            exercise_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            equipment: r.get(3)?,
            dosage: Dosage {
                sets: r.get(4)?,
                reps: r.get(5)?,
                hold_seconds: r.get(6)?,
                times_per_day: r.get(7)?,
                days_per_week: r.get(8)?,
                side: side.as_deref().and_then(Side::parse),
                load: r.get(10)?,
            },
            note: r.get(11)?,
        })
    })?
    .collect()
}

fn insert_items(tx: &Conn, program_id: i64, items: &[ProgramItem]) -> SqlResult<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO hep_items (program_id, position, exercise_id, sets, reps, hold_seconds,
            times_per_day, days_per_week, side, load, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (i, item) in items.iter().enumerate() {
        let d = &item.dosage;
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(crate::sanitize::clean_text)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
        };
        stmt.execute(args![
            program_id,
            i as i64 + 1,
            item.exercise_id,
            d.sets,
            d.reps,
            d.hold_seconds,
            d.times_per_day,
            d.days_per_week,
            d.side.map(Side::as_str),
            clean(&d.load),
            clean(&item.note),
        ])?;
    }
    Ok(())
}

fn latest_version(conn: &Conn, patient_id: i64) -> SqlResult<Option<VersionInfo>> {
    conn.query_row(
        "SELECT h.version_no, h.created_by, h.created_at,
            (SELECT COUNT(*) FROM hep_items i WHERE i.program_id = h.id)
         FROM hep_programs h WHERE h.patient_id = ?1 ORDER BY h.version_no DESC LIMIT 1",
        args![patient_id],
        row_to_version,
    )
    .optional()
}

fn row_to_version(r: &Row) -> SqlResult<VersionInfo> {
    Ok(VersionInfo {
        version_no: r.get(0)?,
        created_by: r.get(1)?,
        created_at: r.get(2)?,
        exercises: r.get::<i64>(3)? as usize,
    })
}

/// Adds the seed templates whose exercises are all in the library (demo clinics). Returns
/// how many were added; a template whose name is taken is left alone.
pub(crate) fn seed_templates(tx: &Conn, by: &str, at: &str) -> SqlResult<usize> {
    let mut added = 0;
    for (name, exercises) in SEED_TEMPLATES {
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM hep_programs WHERE template_name = ?1)",
            args![name],
            |r| r.get(0),
        )?;
        if taken {
            continue;
        }
        let mut items = Vec::new();
        for ex in *exercises {
            let found = tx
                .query_row(
                    "SELECT id, name, aliases, region, category, equipment, position, instructions,
                        sets, reps, hold_seconds, times_per_day, days_per_week
                     FROM exercises WHERE name = ?1",
                    args![ex],
                    row_to_exercise,
                )
                .optional()?;
            if let Some(e) = found {
                items.push(ProgramItem::from_exercise(&e));
            }
        }
        if items.is_empty() {
            continue;
        }
        let inserted = tx.insert(
            "INSERT INTO hep_programs (patient_id, version_no, template_name, created_by, created_at)
             VALUES (NULL, 1, ?1, ?2, ?3)",
            args![name, by, at],
        )?;
        insert_items(tx, inserted, &items)?;
        added += 1;
    }
    Ok(added)
}

/// What a handout names as its therapist when the record names none.
pub const THERAPIST_NOT_RECORDED: &str = "not recorded";

/// The therapist of record on `date`: whoever evaluated the patient last, else whoever saw
/// them last (checked in or completed); None when no therapist has seen them yet.
pub(in crate::db) fn therapist_of_record(
    conn: &Conn,
    patient_id: i64,
    date: NaiveDate,
) -> SqlResult<Option<String>> {
    let day_end = format!("{}T23:59", date.format("%Y-%m-%d"));
    let seen_by = |evaluation_only: bool| -> SqlResult<Option<String>> {
        conn.query_row(
            "SELECT s.name FROM appointments a JOIN staff s ON s.id = a.therapist_id
             WHERE a.patient_id = ?1 AND a.start <= ?2
               AND a.status IN ('checked_in', 'completed')
               AND (?3 = 0 OR a.kind = 'evaluation')
             ORDER BY a.start DESC LIMIT 1",
            args![patient_id, day_end, evaluation_only],
            |r| r.get(0),
        )
        .optional()
    };
    match seen_by(true)? {
        Some(name) => Ok(Some(name)),
        None => seen_by(false),
    }
}

impl Db {
    /// The exercise library, by name.
    pub fn exercises(&self) -> AppResult<Vec<Exercise>> {
        library(&self.sql()).map_err(|e| self.fail(e))
    }

    /// A patient's program: the newest version, or `version` when given. Version 0 with no
    /// items when nothing has been saved.
    pub fn hep_program(&self, patient_id: i64, version: Option<i64>) -> AppResult<Program> {
        let conn = &self.sql();
        let read = || -> SqlResult<Program> {
            let row: Option<(i64, i64)> = conn
                .query_row(
                    "SELECT id, version_no FROM hep_programs
                     WHERE patient_id = ?1 AND (CAST(?2 AS INTEGER) IS NULL OR version_no = ?2)
                     ORDER BY version_no DESC LIMIT 1",
                    args![patient_id, version],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(match row {
                Some((id, version_no)) => Program {
                    patient_id,
                    version_no,
                    items: items_of(conn, id)?,
                },
                None => Program {
                    patient_id,
                    ..Program::default()
                },
            })
        };
        read().map_err(|e| self.fail(e))
    }

    /// Every saved version of a patient's program, newest first.
    pub fn hep_versions(&self, patient_id: i64) -> AppResult<Vec<VersionInfo>> {
        let conn = &self.sql();
        let read = || -> SqlResult<Vec<VersionInfo>> {
            let mut stmt = conn.prepare_cached(
                "SELECT h.version_no, h.created_by, h.created_at,
                    (SELECT COUNT(*) FROM hep_items i WHERE i.program_id = h.id)
                 FROM hep_programs h WHERE h.patient_id = ?1 ORDER BY h.version_no DESC",
            )?;
            stmt.query_map(args![patient_id], row_to_version)?.collect()
        };
        read().map_err(|e| self.fail(e))
    }

    /// The named templates with their exercises, by name.
    pub fn hep_templates(&self) -> AppResult<Vec<Template>> {
        let conn = &self.sql();
        let read = || -> SqlResult<Vec<Template>> {
            let mut stmt = conn.prepare_cached(
                "SELECT id, template_name FROM hep_programs WHERE template_name IS NOT NULL
                 ORDER BY template_name COLLATE NOCASE",
            )?;
            let heads: Vec<(i64, String)> = stmt
                .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<SqlResult<_>>()?;
            heads
                .into_iter()
                .map(|(id, name)| {
                    Ok(Template {
                        id,
                        name,
                        items: items_of(conn, id)?,
                    })
                })
                .collect()
        };
        read().map_err(|e| self.fail(e))
    }

    /// Saves `items` as the patient's next version, on top of `based_on` (the version the
    /// therapist started from; 0 for a first program). If another terminal saved since,
    /// nothing is written and the newer version is returned.
    pub fn hep_save(
        &mut self,
        patient_id: i64,
        based_on: i64,
        items: &[ProgramItem],
        who: Who,
    ) -> AppResult<SaveOutcome> {
        self.write_as(&who, Duty::HomeProgram, |tx, _| {
            super::patients::require(tx, patient_id)?;
            let latest = latest_version(tx, patient_id)?;
            if let Some(latest) = latest.filter(|l| l.version_no != based_on) {
                return Ok(SaveOutcome::Stale(latest));
            }
            let version_no = based_on + 1;
            let program_id = tx.insert(
                "INSERT INTO hep_programs (patient_id, version_no, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                args![patient_id, version_no, who.user, who.at],
            )?;
            insert_items(tx, program_id, items)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "hep.save",
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: json!({
                        "program_id": program_id,
                        "version": version_no,
                        "exercises": items.len(),
                        "exercise_ids": items.iter().map(|i| i.exercise_id).collect::<Vec<_>>(),
                    }),
                },
            )?;
            Ok(SaveOutcome::Saved(VersionInfo {
                version_no,
                created_by: who.user.to_string(),
                created_at: who.at.to_string(),
                exercises: items.len(),
            }))
        })
    }

    /// Saves `items` as a template called `name`; a template of that name is replaced (its
    /// version goes up).
    pub fn hep_save_template(
        &mut self,
        name: &str,
        items: &[ProgramItem],
        who: Who,
    ) -> AppResult<Template> {
        let name = crate::sanitize::clean_line(name).trim().to_string();
        if name.is_empty() {
            return Err(AppError::input("a template needs a name"));
        }
        if items.is_empty() {
            return Err(AppError::input("a template needs at least one exercise"));
        }
        self.write_as(&who, Duty::HomeProgram, |tx, _| {
            let existing: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT id, version_no FROM hep_programs WHERE template_name = ?1",
                    args![name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let id = match existing {
                Some((id, version)) => {
                    tx.execute("DELETE FROM hep_items WHERE program_id = ?1", args![id])?;
                    tx.execute(
                        "UPDATE hep_programs SET version_no = ?2, created_by = ?3, created_at = ?4
                         WHERE id = ?1",
                        args![id, version + 1, who.user, who.at],
                    )?;
                    id
                }
                None => tx.insert(
                    "INSERT INTO hep_programs (patient_id, version_no, template_name,
                            created_by, created_at)
                         VALUES (NULL, 1, ?1, ?2, ?3)",
                    args![name, who.user, who.at],
                )?,
            };
            insert_items(tx, id, items)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "hep.template_save",
                    entity: "hep_template",
                    entity_id: Some(id),
                    detail: json!({
                        "replaced": existing.is_some(),
                        "exercises": items.len(),
                    }),
                },
            )?;
            Ok(Template {
                id,
                name: name.clone(),
                items: items_of(tx, id)?,
            })
        })
    }

    /// Records what a patient reported on `on`: sessions done of those prescribed in the
    /// last week, against that day's visit when there is one.
    pub fn record_adherence(
        &mut self,
        patient_id: i64,
        on: NaiveDate,
        done: i64,
        prescribed: i64,
        who: Who,
    ) -> AppResult<i64> {
        adherence::check_counts(done, prescribed).map_err(AppError::input)?;
        let from = on.format("%Y-%m-%d").to_string();
        self.write_as(&who, Duty::Adherence, |tx, _| {
            super::patients::require(tx, patient_id)?;
            let appointment_id = super::patients::visit_on(tx, patient_id, on)?;
            let id = tx.insert(
                "INSERT INTO adherence_reports (patient_id, appointment_id, reported_on,
                    sessions_done, sessions_prescribed, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![patient_id, appointment_id, from, done, prescribed, who.user],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "adherence.record",
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: json!({
                        "report_id": id,
                        "appointment_id": appointment_id,
                        "done": done,
                        "prescribed": prescribed,
                    }),
                },
            )?;
            Ok(id)
        })
    }

    /// What a handout of the patient's current program shows; None when no program has been
    /// saved. Reading only: the caller audits the disclosure.
    pub fn hep_handout(&self, patient_id: i64, date: NaiveDate) -> AppResult<Option<HandoutData>> {
        let Some(patient) = self.patient(patient_id)? else {
            return Ok(None);
        };
        let program = self.hep_program(patient_id, None)?;
        if program.version_no == 0 {
            return Ok(None);
        }
        let conn = &self.sql();
        let read = || -> SqlResult<HandoutData> {
            let created_by: String = conn.query_row(
                "SELECT created_by FROM hep_programs WHERE patient_id = ?1 AND version_no = ?2",
                args![patient_id, program.version_no],
                |r| r.get(0),
            )?;
            // Else the program's author if a therapist. Never the front desk person who
            // pressed the key.
            let therapist = match therapist_of_record(conn, patient_id, date)? {
                Some(name) => name,
                None => super::staff::list(conn)?
                    .into_iter()
                    .find(|s| s.is_user(&created_by) && s.role == crate::domain::Role::Therapist)
                    .map(|s| s.name)
                    .unwrap_or_else(|| THERAPIST_NOT_RECORDED.to_string()),
            };
            let mut items = Vec::new();
            for item in &program.items {
                let (instructions, equipment): (String, String) = conn.query_row(
                    "SELECT instructions, equipment FROM exercises WHERE id = ?1",
                    args![item.exercise_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                items.push(HandoutItem {
                    name: item.name.clone(),
                    instructions,
                    dosage: item.dosage.clone(),
                    note: item.note.clone(),
                    equipment,
                });
            }
            Ok(HandoutData {
                patient_name: patient.full_name(),
                mrn: patient.mrn.clone(),
                date,
                therapist,
                version_no: program.version_no,
                items,
            })
        };
        read().map(Some).map_err(|e| self.fail(e))
    }
}

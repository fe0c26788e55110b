//! The clinical side of a demo episode: outcome measures with believable trajectories, home
//! exercise programs, patient-reported adherence and short visit notes.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::SmallRng;
use rusqlite::{Transaction, params};

use super::seed::ExerciseSeed;
use crate::domain::measures::{Better, BodyRegion, MeasureDef, measure};
use crate::domain::{AppointmentStatus, VisitKind};

pub struct EpisodeVisit {
    pub id: i64,
    pub day: NaiveDate,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
}

pub fn insert_exercises(tx: &Transaction, all: &[ExerciseSeed]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO exercises (name, aliases, region, category, equipment, position, instructions,
            sets, reps, hold_seconds, times_per_day, days_per_week)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for e in all {
        stmt.execute(params![
            e.name,
            e.aliases.join(";"),
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
    }
    Ok(())
}

/// Exercise regions that suit a patient's body region.
fn exercise_regions(region: BodyRegion) -> &'static [&'static str] {
    match region {
        BodyRegion::Cervical => &["cervical", "thoracic"],
        BodyRegion::Thoracic => &["thoracic", "core"],
        BodyRegion::Lumbar => &["lumbar", "core"],
        BodyRegion::Shoulder => &["shoulder"],
        BodyRegion::Elbow => &["elbow", "wrist_hand"],
        BodyRegion::WristHand => &["wrist_hand"],
        BodyRegion::Hip => &["hip", "core"],
        BodyRegion::Knee => &["knee", "hip"],
        BodyRegion::AnkleFoot => &["ankle_foot", "balance"],
    }
}

/// How an episode goes: most patients improve, some plateau, a few get worse.
#[derive(Clone, Copy)]
enum Course {
    Improving,
    Plateau,
    Worsening,
}

pub struct Clinical {
    /// (id, region) of every exercise, in library order.
    exercises: Vec<(i64, String)>,
}

impl Clinical {
    pub fn new() -> Self {
        Self {
            exercises: Vec::new(),
        }
    }

    /// Exercises are inserted before the first patient; their ids are read once, then.
    fn load_exercises(&mut self, tx: &Transaction) -> rusqlite::Result<()> {
        if self.exercises.is_empty() {
            let mut stmt = tx.prepare("SELECT id, region FROM exercises ORDER BY id")?;
            self.exercises = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(())
    }

    /// Measures, notes and, when `program` names a version number, a home exercise program;
    /// an active episode also gets adherence reports. Returns whether a program was stored.
    #[allow(clippy::too_many_arguments)]
    pub fn episode(
        &mut self,
        tx: &Transaction,
        rng: &mut SmallRng,
        patient_id: i64,
        region: BodyRegion,
        visits: &[EpisodeVisit],
        active: bool,
        program: Option<i64>,
        today: NaiveDate,
    ) -> rusqlite::Result<bool> {
        self.load_exercises(tx)?;
        let course = match rng.random_range(0..100) {
            0..=69 => Course::Improving,
            70..=89 => Course::Plateau,
            _ => Course::Worsening,
        };
        let attended: Vec<&EpisodeVisit> = visits
            .iter()
            .filter(|v| v.status == AppointmentStatus::Completed)
            .collect();
        let Some(first) = attended.first() else {
            return Ok(false);
        };
        let therapist: String = tx.query_row(
            "SELECT s.username FROM appointments a JOIN staff s ON s.id = a.therapist_id WHERE a.id = ?1",
            [first.id],
            |r| r.get(0),
        )?;
        let mut codes = vec!["NPRS"];
        codes.extend(region.regional_measure());
        if rng.random_range(0..10) < 3 {
            codes.push("PSFS");
        }
        let measured: Vec<(usize, &EpisodeVisit)> = attended
            .iter()
            .enumerate()
            .filter(|(i, v)| *i == 0 || *i % 4 == 0 || v.kind != VisitKind::Treatment)
            .map(|(i, v)| (i, *v))
            .collect();
        let total = attended.len().max(8) as f64;
        for code in codes {
            let Some(def) = measure(code) else { continue };
            let (initial, target) = trajectory(def, course, rng);
            let mut stmt = tx.prepare_cached(
                "INSERT INTO measurements (patient_id, appointment_id, measure_code, taken_on, value,
                    recorded_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, v) in &measured {
                let progress = (*i as f64 / total).min(1.0);
                let noise = rng.random_range(-0.08..0.08) * def.mcid.unwrap_or(1.0);
                let raw =
                    initial + (target - initial) * progress + if *i == 0 { 0.0 } else { noise };
                let value = round_for(def, raw.clamp(def.min, def.max));
                let day = v.day.format("%Y-%m-%d").to_string();
                stmt.execute(params![
                    patient_id,
                    v.id,
                    code,
                    day,
                    value,
                    therapist,
                    format!("{day}T12:00:00")
                ])?;
            }
        }
        self.notes(tx, patient_id, &attended, &therapist, region, course)?;
        let stored = match program {
            Some(version) => {
                self.program(tx, rng, patient_id, version, region, first, &therapist)?
            }
            None => false,
        };
        if active {
            adherence(tx, rng, patient_id, &attended, &therapist, today)?;
        }
        Ok(stored)
    }

    #[allow(clippy::too_many_arguments)]
    fn program(
        &self,
        tx: &Transaction,
        rng: &mut SmallRng,
        patient_id: i64,
        version: i64,
        region: BodyRegion,
        eval: &EpisodeVisit,
        therapist: &str,
    ) -> rusqlite::Result<bool> {
        let regions = exercise_regions(region);
        let pool: Vec<i64> = self
            .exercises
            .iter()
            .filter(|(_, r)| regions.contains(&r.as_str()))
            .map(|(id, _)| *id)
            .collect();
        if pool.is_empty() {
            return Ok(false);
        }
        let count = rng.random_range(3..=6).min(pool.len());
        let mut chosen: Vec<i64> = Vec::with_capacity(count);
        while chosen.len() < count {
            let id = pool[rng.random_range(0..pool.len())];
            if !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        let day = eval.day.format("%Y-%m-%d").to_string();
        tx.execute(
            "INSERT INTO hep_programs (patient_id, version_no, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![patient_id, version, therapist, format!("{day}T12:30:00")],
        )?;
        let program_id = tx.last_insert_rowid();
        let mut stmt = tx.prepare_cached(
            "INSERT INTO hep_items (program_id, position, exercise_id, sets, reps, hold_seconds,
                times_per_day, days_per_week, side)
             SELECT ?1, ?2, id, sets, reps, hold_seconds, times_per_day, days_per_week, ?3
             FROM exercises WHERE id = ?4",
        )?;
        for (position, id) in chosen.iter().enumerate() {
            let side = ["both", "both", "left", "right"][rng.random_range(0..4)];
            stmt.execute(params![program_id, position as i64 + 1, side, id])?;
        }
        Ok(true)
    }

    fn notes(
        &self,
        tx: &Transaction,
        _patient_id: i64,
        attended: &[&EpisodeVisit],
        therapist: &str,
        region: BodyRegion,
        course: Course,
    ) -> rusqlite::Result<()> {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO visit_notes (appointment_id, subjective, objective, assessment, plan,
                timed_minutes, is_progress_report, author, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let part = region.label().to_lowercase();
        for v in attended.iter().filter(|v| v.kind != VisitKind::Treatment) {
            let (s, a) = match (v.kind, course) {
                (VisitKind::Evaluation, _) => (
                    format!("Reports {part} pain limiting daily activities and sleep."),
                    "Impairments in strength, mobility and function consistent with the referral diagnosis. Good rehabilitation potential.".to_string(),
                ),
                (_, Course::Improving) => (
                    format!("Reports less {part} pain and easier daily activities."),
                    "Progressing toward goals; outcome measures improving.".to_string(),
                ),
                (_, Course::Plateau) => (
                    format!("Reports {part} symptoms about the same as last report."),
                    "Slow progress; plan adjusted to address persistent limitations.".to_string(),
                ),
                (_, Course::Worsening) => (
                    format!("Reports increased {part} pain since the last report."),
                    "Symptoms worsening; consider referral back to the physician.".to_string(),
                ),
            };
            let day = v.day.format("%Y-%m-%d").to_string();
            stmt.execute(params![
                v.id,
                s,
                "Outcome measures recorded; see progress pane.",
                a,
                "Continue therapeutic exercise and home exercise program.",
                r#"{"97110":30,"97140":15}"#,
                v.kind == VisitKind::Progress,
                therapist,
                format!("{day}T18:00:00"),
            ])?;
        }
        Ok(())
    }
}

fn adherence(
    tx: &Transaction,
    rng: &mut SmallRng,
    patient_id: i64,
    attended: &[&EpisodeVisit],
    therapist: &str,
    today: NaiveDate,
) -> rusqlite::Result<()> {
    let poor = rng.random_range(0..4) == 0;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO adherence_reports (patient_id, appointment_id, reported_on, sessions_done,
            sessions_prescribed, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for v in attended.iter().skip(1).filter(|v| v.day < today).step_by(2) {
        let prescribed = 7;
        let done = if poor {
            rng.random_range(1..=3)
        } else {
            rng.random_range(4..=7)
        };
        stmt.execute(params![
            patient_id,
            v.id,
            v.day.format("%Y-%m-%d").to_string(),
            done,
            prescribed,
            therapist
        ])?;
    }
    Ok(())
}

/// A starting value in the measure's usual clinical range, and where the episode heads.
fn trajectory(def: &MeasureDef, course: Course, rng: &mut SmallRng) -> (f64, f64) {
    let span = def.max - def.min;
    let mcid = def.mcid.unwrap_or(span / 10.0);
    // Starting points: pain 5-8/10, disability in the moderate band.
    let initial = match def.better {
        Better::Lower => def.min + span * rng.random_range(0.35..0.7),
        Better::Higher => def.min + span * rng.random_range(0.3..0.55),
    };
    let change = match course {
        Course::Improving => mcid * rng.random_range(1.3..3.0),
        Course::Plateau => mcid * rng.random_range(-0.3..0.6),
        Course::Worsening => -mcid * rng.random_range(0.8..1.5),
    };
    let target = match def.better {
        Better::Lower => initial - change,
        Better::Higher => initial + change,
    };
    (initial, target.clamp(def.min, def.max))
}

fn round_for(def: &MeasureDef, v: f64) -> f64 {
    if def.integer {
        v.round()
    } else if def.code == "ODI" {
        (v / 2.0).round() * 2.0
    } else {
        (v * 10.0).round() / 10.0
    }
}

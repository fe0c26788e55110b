//! The clinical side of a demo episode: outcome measures with believable trajectories, home
//! exercise programs, patient-reported adherence and short visit notes.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::rngs::SmallRng;

use super::seed::ExerciseSeed;
use crate::db::TxResult;
use crate::db::demo_build::DemoWriter;
use crate::domain::bulk::{
    DemoAdherence, DemoGoal, DemoMeasurement, DemoNote, DemoProgram, NewExercise,
};
use crate::domain::measures::{Better, BodyRegion, MeasureDef, measure};
use crate::domain::{AppointmentStatus, VisitKind};

pub struct EpisodeVisit {
    pub id: i64,
    pub day: NaiveDate,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
}

/// A seed exercise as the library stores it.
pub fn library_entry(e: &ExerciseSeed) -> NewExercise {
    NewExercise {
        name: e.name.clone(),
        aliases: e.aliases.join(";"),
        region: e.region.clone(),
        category: e.category.clone(),
        equipment: e.equipment.clone(),
        position: Some(e.position.clone()),
        instructions: e.instructions.clone(),
        sets: Some(e.sets),
        reps: Some(e.reps),
        hold_seconds: Some(e.hold_seconds),
        times_per_day: Some(e.times_per_day),
        days_per_week: Some(e.days_per_week),
    }
}

/// `day` at `hour` o'clock.
fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
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
    fn load_exercises(&mut self, w: &mut DemoWriter) -> TxResult<()> {
        if self.exercises.is_empty() {
            self.exercises = w.exercise_regions()?;
        }
        Ok(())
    }

    /// Measures, notes and, when `program` names a version number, a home exercise program;
    /// an active episode also gets adherence reports, all signed by `therapist` (who treats
    /// the episode). Returns whether a program was stored.
    #[allow(clippy::too_many_arguments)]
    pub fn episode(
        &mut self,
        w: &mut DemoWriter,
        rng: &mut SmallRng,
        therapist: &str,
        patient_id: i64,
        region: BodyRegion,
        visits: &[EpisodeVisit],
        active: bool,
        program: Option<i64>,
        today: NaiveDate,
    ) -> TxResult<bool> {
        self.load_exercises(w)?;
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
        let mut goals: Vec<DemoGoal> = Vec::new();
        for code in codes {
            let Some(def) = measure(code) else { continue };
            let (initial, target) = trajectory(def, course, rng);
            if active && code != "PSFS" {
                goals.push(measured_goal(def, initial, first.day, goals.is_empty()));
            }
            for (i, v) in &measured {
                let progress = (*i as f64 / total).min(1.0);
                let noise = rng.random_range(-0.08..0.08) * def.mcid.unwrap_or(1.0);
                let raw =
                    initial + (target - initial) * progress + if *i == 0 { 0.0 } else { noise };
                let value = round_for(def, raw.clamp(def.min, def.max));
                w.measurement(&DemoMeasurement {
                    patient_id,
                    appointment_id: v.id,
                    code,
                    taken_on: v.day,
                    value,
                    recorded_by: therapist,
                    created_at: at(v.day, 12, 0),
                })?;
            }
        }
        self.notes(w, &attended, therapist, region, course, today)?;
        if active {
            goals.push(DemoGoal {
                patient_id,
                evaluated_on: first.day,
                term: "long",
                description: worded_goal(region),
                measure: None,
                target_on: first.day + chrono::Duration::days(56),
                by: therapist,
            });
            for goal in &goals {
                w.goal(&DemoGoal {
                    patient_id,
                    by: therapist,
                    ..goal.clone()
                })?;
            }
        }
        let stored = match program {
            Some(version) => self.program(w, rng, patient_id, version, region, first, therapist)?,
            None => false,
        };
        if active {
            adherence(w, rng, patient_id, &attended, therapist, today)?;
        }
        Ok(stored)
    }

    #[allow(clippy::too_many_arguments)]
    fn program(
        &self,
        w: &mut DemoWriter,
        rng: &mut SmallRng,
        patient_id: i64,
        version: i64,
        region: BodyRegion,
        eval: &EpisodeVisit,
        therapist: &str,
    ) -> TxResult<bool> {
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
        let items = chosen
            .iter()
            .map(|id| {
                (
                    *id,
                    ["both", "both", "left", "right"][rng.random_range(0..4)],
                )
            })
            .collect();
        w.program(&DemoProgram {
            patient_id,
            version_no: version,
            created_by: therapist,
            created_at: at(eval.day, 12, 30),
            items,
        })?;
        Ok(true)
    }

    fn notes(
        &self,
        w: &mut DemoWriter,
        attended: &[&EpisodeVisit],
        therapist: &str,
        region: BodyRegion,
        course: Course,
        today: NaiveDate,
    ) -> TxResult<()> {
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
            w.note(&DemoNote {
                appointment_id: v.id,
                subjective: &s,
                objective: "Outcome measures recorded; see progress pane.",
                assessment: &a,
                plan: "Continue therapeutic exercise and home exercise program.",
                // The evaluation and re-evaluation codes are untimed: billed once, beside the
                // timed minutes.
                timed_minutes: Some(match v.kind {
                    VisitKind::Evaluation => {
                        r#"[{"code":"97162","count":1},{"code":"97110","minutes":20}]"#
                    }
                    VisitKind::ReEvaluation => {
                        r#"[{"code":"97164","count":1},{"code":"97110","minutes":30},{"code":"97140","minutes":8}]"#
                    }
                    _ => r#"[{"code":"97110","minutes":30},{"code":"97140","minutes":15}]"#,
                }),
                is_progress_report: v.kind == VisitKind::Progress,
                author: therapist,
                updated_at: at(v.day, 18, 0),
                // Signed the evening they were written, but for the last two days' notes,
                // still drafts: `report unsigned` has something to show.
                signed: v.day < today - chrono::Duration::days(2),
            })?;
        }
        Ok(())
    }
}

fn adherence(
    w: &mut DemoWriter,
    rng: &mut SmallRng,
    patient_id: i64,
    attended: &[&EpisodeVisit],
    therapist: &str,
    today: NaiveDate,
) -> TxResult<()> {
    let poor = rng.random_range(0..4) == 0;
    for v in attended.iter().skip(1).filter(|v| v.day < today).step_by(2) {
        let prescribed = 7;
        // Drawn as i32, as the demo always has been: a wider type draws other numbers.
        let done: i32 = if poor {
            rng.random_range(1..=3)
        } else {
            rng.random_range(4..=7)
        };
        w.adherence(&DemoAdherence {
            patient_id,
            appointment_id: Some(v.id),
            reported_on: v.day,
            sessions_done: i64::from(done),
            sessions_prescribed: prescribed,
            recorded_by: therapist,
        })?;
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

/// A goal on a measure the episode follows: the regional measure by one MCID in four weeks
/// (short-term), the others by twice their MCID in eight (long-term), within the measure's span.
fn measured_goal(
    def: &MeasureDef,
    initial: f64,
    evaluated_on: NaiveDate,
    short: bool,
) -> DemoGoal<'static> {
    let (steps, weeks) = if short { (1.0, 4) } else { (2.0, 8) };
    let change = def.mcid.unwrap_or((def.max - def.min) / 10.0) * steps;
    let target = match def.better {
        Better::Higher => initial + change,
        Better::Lower => initial - change,
    };
    DemoGoal {
        patient_id: 0,
        evaluated_on,
        term: if short { "short" } else { "long" },
        description: String::new(),
        measure: Some((def.code, round_for(def, target.clamp(def.min, def.max)))),
        target_on: evaluated_on + chrono::Duration::days(weeks * 7),
        by: "",
    }
}

/// The long-term goal in words a therapist writes for the region.
fn worded_goal(region: BodyRegion) -> String {
    match region {
        BodyRegion::Cervical | BodyRegion::Thoracic => {
            "Works a full day at the computer without neck pain".into()
        }
        BodyRegion::Lumbar => "Lifts a laundry basket from the floor without back pain".into(),
        BodyRegion::Shoulder | BodyRegion::Elbow | BodyRegion::WristHand => {
            "Reaches the top shelf and carries shopping without pain".into()
        }
        BodyRegion::Hip | BodyRegion::Knee | BodyRegion::AnkleFoot => {
            "Climbs a flight of stairs step over step without a rail".into()
        }
    }
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

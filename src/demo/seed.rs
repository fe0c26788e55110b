//! The demo clinic's seed data (`demo_db/*.toml`), compiled into the binary so that
//! `cargo run --release` works from any folder.

use serde::Deserialize;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSeed {
    pub name: String,
    pub aliases: Vec<String>,
    pub region: String,
    pub category: String,
    pub equipment: String,
    pub position: String,
    pub instructions: String,
    pub sets: i64,
    pub reps: i64,
    pub hold_seconds: i64,
    pub times_per_day: i64,
    pub days_per_week: i64,
}

#[derive(Debug, Deserialize)]
struct ExerciseFile {
    exercise: Vec<ExerciseSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub first_names: Vec<String>,
    pub last_names: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisSeed {
    pub code: String,
    pub description: String,
    pub region: String,
}

#[derive(Debug, Deserialize)]
struct DiagnosisFile {
    diagnosis: Vec<DiagnosisSeed>,
}

const EXERCISES: &str = include_str!("../../demo_db/exercises.toml");
const NAMES: &str = include_str!("../../demo_db/names.toml");
const DIAGNOSES: &str = include_str!("../../demo_db/diagnoses.toml");

fn parse<T: for<'de> Deserialize<'de>>(text: &str, file: &str) -> AppResult<T> {
    toml::from_str(text).map_err(|e| {
        AppError::failure(format!(
            "demo_db/{file} is not valid seed data: {}",
            e.message()
        ))
    })
}

pub fn exercises() -> AppResult<Vec<ExerciseSeed>> {
    Ok(parse::<ExerciseFile>(EXERCISES, "exercises.toml")?.exercise)
}

pub fn names() -> AppResult<Names> {
    parse(NAMES, "names.toml")
}

pub fn diagnoses() -> AppResult<Vec<DiagnosisSeed>> {
    Ok(parse::<DiagnosisFile>(DIAGNOSES, "diagnoses.toml")?.diagnosis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::measures::BodyRegion;
    use std::collections::HashSet;

    #[test]
    fn the_exercise_library_is_big_and_well_formed() {
        let all = exercises().unwrap();
        assert!(all.len() >= 250, "{} exercises", all.len());
        let mut names = HashSet::new();
        for e in &all {
            assert!(names.insert(e.name.to_lowercase()), "duplicate {}", e.name);
            let sentences = e.instructions.matches(". ").count() + 1;
            assert!(
                (2..=4).contains(&sentences),
                "{}: {sentences} sentences",
                e.name
            );
            assert!(
                e.sets > 0 && e.reps > 0 && e.days_per_week <= 7,
                "{}",
                e.name
            );
        }
        for shorthand in ["SLR", "TKE", "SAQ", "LAQ", "QS"] {
            let owners = all
                .iter()
                .filter(|e| e.aliases.iter().any(|a| a == shorthand))
                .count();
            assert_eq!(
                owners, 1,
                "{shorthand} should belong to exactly one exercise"
            );
        }
    }

    #[test]
    fn diagnoses_cover_every_body_region_with_icd10_codes() {
        let all = diagnoses().unwrap();
        assert!(all.len() >= 40);
        for d in &all {
            assert!(
                BodyRegion::parse(&d.region).is_some(),
                "{}: {}",
                d.code,
                d.region
            );
            assert!(crate::domain::patient::is_icd10(&d.code), "{}", d.code);
        }
        for r in BodyRegion::ALL {
            assert!(
                all.iter().any(|d| d.region == r.as_str()),
                "no diagnosis for {r}"
            );
        }
    }

    #[test]
    fn name_pools_are_large_enough_for_a_clinic() {
        let n = names().unwrap();
        assert!(n.first_names.len() >= 100 && n.last_names.len() >= 100);
    }
}

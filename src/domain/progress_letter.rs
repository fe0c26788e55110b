//! What a progress letter to the patient may say, and nothing else. It is built from the
//! progress report's data, keeping only what belongs in a letter to the patient: their first
//! name, the measures of this episode, the plan's goals, the home program's exercises and the
//! next visit. The diagnosis, the MRN, the payer, the visit notes and the flags never get in,
//! so no rendering of it can leak them.

use chrono::{NaiveDate, NaiveDateTime};

use super::goals::GoalReview;
use super::hep::{Dosage, HandoutData};
use super::messages::ClinicContact;
use super::progress::{MeasureStatus, MeasureTrend, Progress};

/// One exercise of the home program as the letter reminds the patient of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramLine {
    pub name: String,
    pub dosage: Dosage,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetterData {
    pub first_name: String,
    pub clinic: ClinicContact,
    /// Who signs: the therapist of record; None when the record names no therapist.
    pub therapist: Option<String>,
    /// The day the letter is written for.
    pub date: NaiveDate,
    /// The episode's evaluation, when there is one.
    pub since: Option<NaiveDate>,
    /// This episode's measures, in the record's order; a measure's points carry a detail only
    /// where it is the patient's own words (PSFS activities) or the ROM site.
    pub measures: Vec<MeasureTrend>,
    /// The current plan of care's goals, short-term first.
    pub goals: Vec<GoalReview>,
    pub program: Vec<ProgramLine>,
    pub next_visit: Option<NaiveDateTime>,
}

impl LetterData {
    /// The letter's data from a patient's progress, the clinic's contact, the therapist who
    /// signs and the current home program (None when none is saved).
    pub fn new(
        progress: Progress,
        clinic: ClinicContact,
        therapist: Option<String>,
        program: Option<HandoutData>,
    ) -> Self {
        let measures = progress
            .measures
            .into_iter()
            // An earlier episode's values say nothing about this one.
            .filter(|m| m.status != MeasureStatus::EarlierEpisode)
            .map(patient_facing)
            .collect();
        LetterData {
            first_name: progress.patient.first_name,
            clinic,
            therapist,
            date: progress.as_of,
            since: progress.episode.evaluation,
            measures,
            goals: progress.goals.map(|g| g.goals).unwrap_or_default(),
            program: program
                .map(|h| {
                    h.items
                        .into_iter()
                        .map(|i| ProgramLine {
                            name: i.name,
                            dosage: i.dosage,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            next_visit: progress.episode.next_visit,
        }
    }
}

/// A measure's points without what a clinician may have typed beside a value: the detail of
/// any measure but PSFS (the patient's activities) and ROM (the site) can be a short note, and
/// only PSFS's item answers are read back (one per activity).
fn patient_facing(mut m: MeasureTrend) -> MeasureTrend {
    let keep_detail = matches!(m.def.code, "PSFS" | "ROM");
    let keep_items = m.def.code == "PSFS";
    for p in &mut m.points {
        if !keep_detail {
            p.detail = None;
        }
        if !keep_items {
            p.items = None;
        }
    }
    m
}

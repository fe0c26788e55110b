//! The end of an episode of care and its summary: the episode from the evaluation to the
//! discharge, the visits attended and missed, each measure initial → final with its MCID status,
//! the goals with their status, the home program the patient leaves with, and why care ended.

use chrono::NaiveDate;

use super::appointment::stored_words;
use super::goals::PlanGoals;
use super::hep::ProgramItem;
use super::patient::Patient;
use super::progress::MeasureTrend;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DischargeReason {
    GoalsMet,
    Plateau,
    PatientRequest,
    NonAttendance,
    Referred,
    Other,
}

stored_words!(DischargeReason {
    GoalsMet => "goals_met", "goals met";
    Plateau => "plateau", "progress has plateaued";
    PatientRequest => "patient_request", "at the patient's request";
    NonAttendance => "non_attendance", "non-attendance";
    Referred => "referred", "referred to another provider";
    Other => "other", "other";
});

/// A discharge as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Discharge {
    pub id: i64,
    pub patient_id: i64,
    pub plan_id: i64,
    pub discharged_on: NaiveDate,
    pub reason: DischargeReason,
    pub note: Option<String>,
    /// The therapist who recorded it, as their signature read then: "Dana Fry, PT, DPT".
    pub signed_as: String,
    /// Local time it was recorded, `YYYY-MM-DDTHH:MM:SS`.
    pub at: String,
}

impl Discharge {
    /// "goals met", or for another reason its note: "other: moved away".
    pub fn reason_text(&self) -> String {
        match (&self.reason, self.note.as_deref().map(str::trim)) {
            (DischargeReason::Other, Some(n)) if !n.is_empty() => format!("other: {n}"),
            (r, _) => r.label().to_string(),
        }
    }
}

/// Visits of the episode, evaluation to discharge, by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VisitCounts {
    pub attended: u32,
    pub no_shows: u32,
    /// Cancelled inside 24 hours (reason "late").
    pub late_cancellations: u32,
    /// Cancelled for another reason (by the patient ahead of time, or by the clinic).
    pub other_cancellations: u32,
}

impl VisitCounts {
    /// Visits missed: no-shows and late cancellations.
    pub fn missed(&self) -> u32 {
        self.no_shows + self.late_cancellations
    }
}

/// The home program at discharge: the latest version saved on or before the day.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramAtDischarge {
    pub version_no: i64,
    pub saved_on: NaiveDate,
    pub items: Vec<ProgramItem>,
}

/// Everything the discharge summary shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DischargeSummary {
    pub patient: Patient,
    pub discharge: Discharge,
    /// The evaluation that started the episode.
    pub evaluation: Option<NaiveDate>,
    pub visits: VisitCounts,
    /// Each measure of the episode, initial → final, as of the discharge.
    pub measures: Vec<MeasureTrend>,
    /// The plan the discharge closes, with its goals as of the discharge.
    pub goals: PlanGoals,
    pub program: Option<ProgramAtDischarge>,
}

impl DischargeSummary {
    /// Goals met out of all.
    pub fn goals_met(&self) -> (usize, usize) {
        let met = self
            .goals
            .goals
            .iter()
            .filter(|g| g.status == super::goals::GoalStatus::Met)
            .count();
        (met, self.goals.goals.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_words_and_another_reason_says_which() {
        let mut d = Discharge {
            id: 1,
            patient_id: 1,
            plan_id: 1,
            discharged_on: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            reason: DischargeReason::Other,
            note: Some("moved away".into()),
            signed_as: "Ana Ruiz, PT, DPT".into(),
            at: "2026-11-27T10:00:00".into(),
        };
        assert_eq!(d.reason_text(), "other: moved away");
        d.reason = DischargeReason::GoalsMet;
        assert_eq!(d.reason_text(), "goals met");
        assert_eq!(
            DischargeReason::parse("non_attendance"),
            Some(DischargeReason::NonAttendance)
        );
        let c = VisitCounts {
            attended: 9,
            no_shows: 1,
            late_cancellations: 2,
            other_cancellations: 1,
        };
        assert_eq!(c.missed(), 3);
    }
}

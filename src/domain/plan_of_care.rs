//! A plan of care as certified (BPM ch. 15 §220.1): its period, frequency and duration, the
//! certifying physician and the date of their signature. Each certification is its own plan; a
//! recertification adds one and never rewrites the old.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOfCare {
    pub id: i64,
    pub patient_id: i64,
    /// The initial treatment (the evaluation), or the first day a recertification covers.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits_per_week: u8,
    pub weeks: u8,
    pub physician: Option<String>,
    /// The date of the physician's or NPP's signature.
    pub certified_on: Option<NaiveDate>,
    /// Why the certification came after the timely 30 days.
    pub delay_reason: Option<String>,
    /// The plan this one recertifies.
    pub recertifies: Option<i64>,
    pub version: i64,
}

impl PlanOfCare {
    /// Whether `day` falls in the plan's period.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// "2x/week for 6 weeks".
    pub fn frequency(&self) -> String {
        format!("{}x/week for {} weeks", self.visits_per_week, self.weeks)
    }
}

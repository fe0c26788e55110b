//! A visit's risk of a no-show or a late cancellation, from a model fitted on the clinic's own
//! history: `history` reads what came before each visit, `logistic` fits, `quality` measures,
//! `model` is what the record stores and scores with, `rates` the report's counts.

pub mod history;
pub mod logistic;
pub mod model;
pub mod quality;
pub mod rates;

pub use history::{Attendance, HistoryVisit, PatientHistory, VisitFacts};
pub use model::{Fit, NoShowModel, fit_model, risks_of};

/// One upcoming visit's risk, as the schedule's badge and the call list show it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRisk {
    /// The model's probability of a no-show or a late cancellation, 0 to 1.
    pub probability: f64,
    /// In the top band: the schedule shows a badge.
    pub high: bool,
    /// What raises it most, in words ("2 no-shows in the last 12 months"), strongest first.
    pub reasons: Vec<String>,
}

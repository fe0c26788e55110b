//! The Clinic pane's requests on the database thread: a period's episodes, with the names and
//! MRNs of their patients for the drill-down (the pane decides whose it may show), audited as a
//! view of patient data; and the trend's 12 months, figures only (no names, no audit row).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::outcomes::OutcomeRead;
pub use super::outcomes::PatientLabel;
use super::{Db, Who};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum ClinicRequest {
    Load {
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
        /// The trend's read: its figures are shown, never its patients.
        trend: bool,
    },
}

#[derive(Debug, Clone)]
pub enum ClinicReply {
    Loaded {
        from: NaiveDate,
        to: NaiveDate,
        read: std::sync::Arc<OutcomeRead>,
        patients: std::sync::Arc<HashMap<i64, PatientLabel>>,
    },
}

impl ClinicRequest {
    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<ClinicReply> {
        match self {
            ClinicRequest::Load {
                from,
                to,
                today,
                trend,
            } => {
                let read = db.outcome_episodes(from, to, today)?;
                if trend {
                    return Ok(ClinicReply::Loaded {
                        from,
                        to,
                        read: std::sync::Arc::new(read),
                        patients: Default::default(),
                    });
                }
                let mut ids: Vec<i64> = read
                    .episodes
                    .iter()
                    .filter(|e| e.ending.finished() && e.end.is_some_and(|d| d >= from && d <= to))
                    .map(|e| e.patient_id)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                let patients = db.patient_labels(&ids)?;
                db.log_patient_list(
                    "clinic.view",
                    json!({
                        "from": from.to_string(),
                        "to": to.to_string(),
                        "patients": ids.len(),
                    }),
                    who,
                )?;
                Ok(ClinicReply::Loaded {
                    from,
                    to,
                    read: std::sync::Arc::new(read),
                    patients: std::sync::Arc::new(patients),
                })
            }
        }
    }
}

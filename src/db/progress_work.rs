//! The database work pane 2 asks the database thread for.

use chrono::NaiveDate;

use super::Db;
use super::schedule::Who;
use crate::domain::progress::Progress;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressRequest {
    /// The patient's progress as of `today`; `opened` audits the opening.
    Load {
        patient_id: i64,
        today: NaiveDate,
        opened: bool,
    },
}

#[derive(Debug, Clone)]
pub enum ProgressReply {
    Loaded {
        patient_id: i64,
        progress: Option<Box<Progress>>,
    },
}

impl ProgressRequest {
    pub fn is_write(&self) -> bool {
        false
    }

    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<ProgressReply> {
        match self {
            ProgressRequest::Load {
                patient_id,
                today,
                opened,
            } => {
                let progress = db.progress(patient_id, today)?;
                if opened && progress.is_some() {
                    db.log_opened(patient_id, "progress.view", serde_json::json!({}), who)?;
                }
                Ok(ProgressReply::Loaded {
                    patient_id,
                    progress: progress.map(Box::new),
                })
            }
        }
    }
}

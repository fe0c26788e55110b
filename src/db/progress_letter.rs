//! The data of a progress letter to a patient, read in one go: the progress report's data,
//! the clinic's contact, the therapist of record and the current home program.

use chrono::NaiveDate;

use super::Db;
use crate::domain::progress_letter::LetterData;
use crate::error::AppResult;

impl Db {
    /// What a progress letter to the patient says as of `today`; None when there is no such
    /// patient. Reading only: the caller audits the disclosure.
    pub fn progress_letter(
        &self,
        patient_id: i64,
        today: NaiveDate,
    ) -> AppResult<Option<LetterData>> {
        let Some(progress) = self.progress(patient_id, today)? else {
            return Ok(None);
        };
        let settings = self.messaging_settings()?;
        let clinic = crate::domain::messages::ClinicContact {
            name: settings.clinic_name,
            phone: settings.clinic_phone,
        };
        let program = self.hep_handout(patient_id, today)?;
        let therapist = match &program {
            // The handout already named the therapist of record (or the program's author).
            Some(h) if h.therapist != super::hep::THERAPIST_NOT_RECORDED => {
                Some(h.therapist.clone())
            }
            Some(_) => None,
            None => super::hep::therapist_of_record(&self.sql(), patient_id, today)
                .map_err(|e| self.fail(e))?,
        };
        Ok(Some(LetterData::new(progress, clinic, therapist, program)))
    }
}

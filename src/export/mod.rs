//! Exports for the clinic's other systems: FHIR R4 (a Bundle for one patient, or bulk-data
//! NDJSON for the clinic) and iCalendar (a therapist's visits).

pub mod fhir;
pub mod handout;
pub mod ical;
pub mod outcomes;
pub mod progress_letter;

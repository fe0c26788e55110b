//! The dialogs over the screen.

use super::forms::{BookingForm, PatientFormState};

/// Modal dialogs; while one is open it receives every key.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help,
    /// `q` with unsaved work: y quits and drops it, anything else stays.
    ConfirmQuit,
    /// `x`: first y/n, then the reason.
    Cancel {
        visit_id: i64,
        version: i64,
        confirmed: bool,
    },
    Booking(Box<BookingForm>),
    NewPatient(Box<PatientFormState>),
}

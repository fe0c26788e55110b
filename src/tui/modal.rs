//! The dialogs over the screen.

use super::forms::{BookingForm, PatientFormState};

/// Modal dialogs; while one is open it receives every key.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// `?`, scrolled to this line.
    Help {
        scroll: usize,
    },
    /// `x`: first y/n, then the reason.
    Cancel {
        visit_id: i64,
        version: i64,
        confirmed: bool,
    },
    Booking(Box<BookingForm>),
    NewPatient(Box<PatientFormState>),
    /// The schedule's "go to date" prompt.
    GoToDate(super::schedule::go_to_date::Prompt),
}

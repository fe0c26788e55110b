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
    /// The waitlist entries that fit the freed slot (`Schedule::waitlist`), best first; the
    /// one highlighted.
    Waitlist {
        cursor: usize,
    },
    /// A series of visits from the booking form, each occurrence checked.
    Series(Box<super::schedule::dialogs::SeriesDialog>),
    /// `x` on a visit of a series: this one, or this and the following ones (then the reason).
    CancelSeries {
        visit_id: i64,
        version: i64,
        following: bool,
    },
    /// The schedule's "go to date" prompt.
    GoToDate(super::schedule::dialogs::Prompt),
}

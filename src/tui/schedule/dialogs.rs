//! The schedule's dialogs as data (what the go-to-date prompt and the series dialog hold), apart
//! from the keys and answers that change them (`go_to_date`, `series`), so that `Modal` can
//! hold them without the dialogs' logic depending on it both ways.

use crate::db::schedule::Booking;
use crate::db::series_work::CheckFacts;
use crate::domain::series::{Checked, Resolution, SeriesRequest};
use crate::tui::forms::BookingForm;
use crate::tui::input::LineInput;

/// What the prompt holds: the text typed and, after a refused Enter, why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    pub input: LineInput,
    pub error: Option<String>,
}

/// A series being put together from a booking: its first visit's patient, therapist, time,
/// length and kind come from the booking form.
#[derive(Debug, Clone)]
pub struct SeriesDialog {
    pub first: Booking,
    pub patient_name: String,
    pub therapist_initials: String,
    pub weekdays: LineInput,
    pub count: LineInput,
    pub until: LineInput,
    pub focus: usize,
    /// What the check reads, once the database thread has sent it.
    pub facts: Option<Box<CheckFacts>>,
    /// The series as last read from the fields, with each occurrence checked.
    pub request: Option<SeriesRequest>,
    pub checked: Vec<Checked>,
    /// Each occurrence's choice should it clash (None: left a clash).
    pub choices: Vec<Option<Resolution>>,
    pub selected: usize,
    pub error: Option<String>,
    /// What the plan of care filled in, a sentence each.
    pub filled_in: Vec<String>,
    pub touched: bool,
    pub discard_armed: bool,
    pub saving: bool,
    /// The booking form the series was opened from: closing the series goes back to it.
    pub from_form: Option<Box<BookingForm>>,
}

// The facts are what the fields are checked against, not part of what is shown.
impl PartialEq for SeriesDialog {
    fn eq(&self, o: &Self) -> bool {
        self.first == o.first
            && self.weekdays == o.weekdays
            && self.count == o.count
            && self.until == o.until
            && self.focus == o.focus
            && self.request == o.request
            && self.checked == o.checked
            && self.choices == o.choices
            && self.selected == o.selected
            && self.error == o.error
            && self.saving == o.saving
    }
}

//! The desk's patient screens: the finder over every patient, the list of patients falling
//! through the cracks, and one patient's record over them. Each is open or not; the record
//! stands in front, and closing it shows the list it was opened from as it was left.

use crate::db::desk_lists::{DirectoryEntry, UnscheduledPatient};
use crate::db::patient_record::PatientRecord;
use crate::domain::authorization::Authorization;
use crate::domain::messages::{Channel, ConsentStep};
use crate::domain::patient_record::{AuthField, AuthForm, PatientDetail};
use crate::search::Matcher;
use crate::search::patients::PatientKey;
use crate::tui::input::LineInput;

#[derive(Default)]
pub struct Desk {
    pub finder: Option<Finder>,
    pub calls: Option<Calls>,
    pub record: Option<RecordScreen>,
    pub matcher: Matcher,
}

impl Desk {
    pub fn is_open(&self) -> bool {
        self.finder.is_some() || self.calls.is_some() || self.record.is_some()
    }

    /// Typed work in the record that has not been saved.
    pub fn has_unsaved_edit(&self) -> bool {
        self.record
            .as_ref()
            .and_then(|r| r.edit.as_ref())
            .is_some_and(Edit::is_dirty)
    }
}

/// Every patient, read once when the finder opens; each keystroke only matches (the search
/// keys are worked out once, as `benches/desk_lists.rs` measures).
#[derive(Debug, Default)]
pub struct Finder {
    pub input: LineInput,
    pub entries: Vec<DirectoryEntry>,
    pub keys: Vec<PatientKey>,
    /// Indices into `entries`, best first; every patient while nothing is typed.
    pub hits: Vec<usize>,
    pub pick: usize,
    pub loading: bool,
}

impl Finder {
    pub fn picked(&self) -> Option<&DirectoryEntry> {
        self.hits.get(self.pick).map(|i| &self.entries[*i])
    }
}

#[derive(Debug, Default)]
pub struct Calls {
    pub rows: Vec<UnscheduledPatient>,
    pub pick: usize,
    pub loading: bool,
}

#[derive(Debug, Default)]
pub struct RecordScreen {
    pub patient_id: i64,
    /// None until it is read.
    pub record: Option<PatientRecord>,
    /// The row the cursor is on: a detail ([`DETAIL_ROWS`]), then each authorisation.
    pub row: usize,
    pub edit: Option<Edit>,
}

/// What the record's cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Detail(PatientDetail),
    /// The patient's consent to a channel.
    Consent(Channel),
    Authorization(usize),
}

/// The rows of the record's details, in the order shown: the consent to each channel beside
/// how the patient likes to be reached.
pub const DETAIL_ROWS: [Row; 9] = [
    Row::Detail(PatientDetail::FirstName),
    Row::Detail(PatientDetail::LastName),
    Row::Detail(PatientDetail::DateOfBirth),
    Row::Detail(PatientDetail::Phone),
    Row::Detail(PatientDetail::Email),
    Row::Detail(PatientDetail::ContactPreference),
    Row::Consent(Channel::Email),
    Row::Consent(Channel::Sms),
    Row::Detail(PatientDetail::Payer),
];

impl RecordScreen {
    pub fn rows(&self) -> usize {
        DETAIL_ROWS.len() + self.record.as_ref().map_or(0, |r| r.authorizations.len())
    }

    pub fn row(&self) -> Row {
        DETAIL_ROWS
            .get(self.row)
            .copied()
            .unwrap_or_else(|| Row::Authorization(self.row - DETAIL_ROWS.len()))
    }

    pub fn authorization(&self, i: usize) -> Option<&Authorization> {
        self.record
            .as_ref()?
            .authorizations
            .get(i)
            .map(|u| &u.authorization)
    }
}

/// A change being typed in the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Detail {
        detail: PatientDetail,
        input: LineInput,
        state: EditState,
    },
    /// A new authorisation (`editing` None) or an existing one (its id, version and
    /// reference, which the record keeps as it is).
    Authorization {
        editing: Option<(i64, i64, Option<String>)>,
        fields: [LineInput; 4],
        focus: usize,
        error_field: Option<AuthField>,
        state: EditState,
    },
    /// The patient's consent to a channel, chosen among the steps the desk records.
    Consent {
        channel: Channel,
        step: ConsentStep,
        state: EditState,
    },
    /// A new waitlist entry for the patient, field by field as `waitlist add` takes them
    /// (`TypedField::ALL`); the store reads it and says which field is wrong.
    Waitlist {
        fields: [LineInput; 6],
        focus: usize,
        state: EditState,
    },
}

/// What every edit has: its inline message, whether it was typed in, whether a close would
/// drop it, whether it is being saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditState {
    pub error: Option<String>,
    pub touched: bool,
    pub discard_armed: bool,
    pub saving: bool,
}

impl Edit {
    pub fn state(&self) -> &EditState {
        match self {
            Edit::Detail { state, .. }
            | Edit::Consent { state, .. }
            | Edit::Authorization { state, .. }
            | Edit::Waitlist { state, .. } => state,
        }
    }

    pub fn state_mut(&mut self) -> &mut EditState {
        match self {
            Edit::Detail { state, .. }
            | Edit::Consent { state, .. }
            | Edit::Authorization { state, .. }
            | Edit::Waitlist { state, .. } => state,
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.state().touched
    }

    pub fn typed_waitlist(fields: &[LineInput; 6]) -> crate::domain::waitlist::TypedEntry {
        let text = |i: usize| fields[i].text().to_string();
        crate::domain::waitlist::TypedEntry {
            therapists: text(0),
            days: text(1),
            times: text(2),
            minutes: text(3),
            priority: text(4),
            note: text(5),
        }
    }

    pub fn auth_form(fields: &[LineInput; 4]) -> AuthForm {
        AuthForm {
            payer: fields[0].text().to_string(),
            starts_on: fields[1].text().to_string(),
            ends_on: fields[2].text().to_string(),
            visits: fields[3].text().to_string(),
        }
    }
}

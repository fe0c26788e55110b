//! The booking/rescheduling form and the new-patient form. Forms check inline, keep what was
//! typed through every error, and only close on save or an explicit discard.

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::KeyEvent;

use super::input::LineInput;
use super::keymap::{Action, Keymap, Scope};
use crate::db::schedule::Booking;
use crate::domain::appointment;
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::patient::{Patient, PatientField, PatientForm};
use crate::domain::staff::Staff;
use crate::domain::when;
use crate::domain::{Role, VisitKind};
use crate::search::{Matcher, rank_people};

/// A bookable patient, with the name as searched and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub id: i64,
    pub name: String,
    pub mrn: String,
    pub date_of_birth: NaiveDate,
}

impl From<&Patient> for DirectoryEntry {
    fn from(p: &Patient) -> Self {
        Self {
            id: p.id,
            name: p.full_name(),
            mrn: p.mrn.clone(),
            date_of_birth: p.date_of_birth,
        }
    }
}

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Stay,
    Submit,
    Close,
}

/// Esc twice discards a form with typed text; once closes an untouched one.
fn escape(dirty: bool, armed: &mut bool) -> FormOutcome {
    if !dirty || *armed {
        FormOutcome::Close
    } else {
        *armed = true;
        FormOutcome::Stay
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BookingMode {
    New,
    Move {
        visit_id: i64,
        version: i64,
        patient_id: i64,
        patient_name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingField {
    Patient,
    Therapist,
    Date,
    Time,
    Minutes,
    Kind,
}

impl BookingField {
    pub const ALL: [BookingField; 6] = [
        BookingField::Patient,
        BookingField::Therapist,
        BookingField::Date,
        BookingField::Time,
        BookingField::Minutes,
        BookingField::Kind,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BookingField::Patient => "Patient",
            BookingField::Therapist => "Therapist",
            BookingField::Date => "Date",
            BookingField::Time => "Time",
            BookingField::Minutes => "Minutes",
            BookingField::Kind => "Kind",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BookingForm {
    pub mode: BookingMode,
    pub focus: usize,
    pub patient: LineInput,
    /// Patient ids matching what is typed, best first, and the highlighted one.
    pub patient_hits: Vec<i64>,
    pub patient_pick: usize,
    pub therapist: LineInput,
    pub date: LineInput,
    pub time: LineInput,
    pub minutes: LineInput,
    pub kind: VisitKind,
    pub error: Option<(BookingField, String)>,
    /// A double booking found at the last Enter, for that booking; Enter again books anyway.
    pub warning: Option<(Booking, String)>,
    pub touched: bool,
    pub discard_armed: bool,
    pub saving: bool,
    /// The waitlist entry this booking was opened from: booking its patient takes it off
    /// the list in the same change.
    pub from_waitlist: Option<WaitlistPick>,
    /// The series of the visit being moved, once the database has said it is one's.
    pub series: Option<i64>,
    /// The site the visit is at when the form says (a visit moved, a waitlist entry's slot);
    /// else the schedule's (`Schedule::booking_site`).
    pub site_id: Option<i64>,
}

/// A waitlist entry picked to fill a freed slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitlistPick {
    pub entry_id: i64,
    pub patient_id: i64,
}

/// What a booking gets in a clinic group while all sites are shown and the terminal has none
/// of its own: the site is picked on the schedule.
pub fn pick_a_site_first(keymap: &Keymap) -> String {
    format!(
        "this clinic has several sites: show the one to book at with {} on the schedule first",
        keymap.label(Action::SwitchSite)
    )
}

impl BookingForm {
    pub fn new(day: NaiveDate, therapist: Option<&Staff>) -> Self {
        Self {
            mode: BookingMode::New,
            focus: 0,
            patient: LineInput::default(),
            patient_hits: Vec::new(),
            patient_pick: 0,
            therapist: LineInput::with_text(therapist.map(|s| s.initials.as_str()).unwrap_or("")),
            date: LineInput::with_text(&day.format("%Y-%m-%d").to_string()),
            time: LineInput::default(),
            minutes: LineInput::with_text("45"),
            kind: VisitKind::Treatment,
            error: None,
            warning: None,
            touched: false,
            discard_armed: false,
            saving: false,
            from_waitlist: None,
            series: None,
            site_id: None,
        }
    }

    /// A booking for a patient already chosen (from their record, the call list, or just
    /// registered): the patient's MRN picks them, since an MRN from its start wins outright.
    pub fn for_patient(
        day: NaiveDate,
        therapist: Option<&Staff>,
        patient_id: i64,
        mrn: &str,
        kind: VisitKind,
    ) -> Self {
        let mut f = Self::new(day, therapist);
        f.patient = LineInput::with_text(mrn);
        f.patient_hits = vec![patient_id];
        f.kind = kind;
        f.focus = 1;
        f
    }

    pub fn reschedule(v: &crate::domain::appointment::Visit) -> Self {
        let mut f = Self::new(v.start.date(), None);
        f.mode = BookingMode::Move {
            visit_id: v.id,
            version: v.version,
            patient_id: v.patient_id,
            patient_name: v.patient_name.clone(),
        };
        f.focus = 2;
        f.therapist = LineInput::with_text(&v.therapist_initials);
        f.time = LineInput::with_text(&v.start.format("%H:%M").to_string());
        f.minutes = LineInput::with_text(&v.minutes.to_string());
        f.kind = v.kind;
        f.site_id = Some(v.site_id);
        f
    }

    pub fn field(&self) -> BookingField {
        BookingField::ALL[self.focus]
    }

    fn first_field(&self) -> usize {
        match self.mode {
            BookingMode::New => 0,
            BookingMode::Move { .. } => 1,
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.touched
    }

    fn input_mut(&mut self, field: BookingField) -> Option<&mut LineInput> {
        match field {
            BookingField::Patient => Some(&mut self.patient),
            BookingField::Therapist => Some(&mut self.therapist),
            BookingField::Date => Some(&mut self.date),
            BookingField::Time => Some(&mut self.time),
            BookingField::Minutes => Some(&mut self.minutes),
            BookingField::Kind => None,
        }
    }

    pub fn refresh_patient_hits(&mut self, matcher: &Matcher, patients: &[DirectoryEntry]) {
        let hits = rank_people(
            matcher,
            self.patient.text(),
            patients.iter().map(|p| (p.name.as_str(), p.mrn.as_str())),
        );
        self.patient_hits = hits.iter().take(50).map(|h| patients[h.index].id).collect();
        self.patient_pick = 0;
    }

    /// Pasted text into the focused field, as if typed (the kind of visit takes none).
    pub fn paste(&mut self, text: &str, matcher: &Matcher, patients: &[DirectoryEntry]) {
        let field = self.field();
        if self.input_mut(field).is_some_and(|i| i.insert_text(text)) {
            self.touched = true;
            self.warning = None;
            self.discard_armed = false;
            if field == BookingField::Patient {
                self.refresh_patient_hits(matcher, patients);
            }
        }
    }

    pub fn handle_key(
        &mut self,
        ev: &KeyEvent,
        keymap: &Keymap,
        matcher: &Matcher,
        patients: &[DirectoryEntry],
    ) -> FormOutcome {
        let field = self.field();
        // The patients found take their own keys (↑/↓) in front of the form's.
        let in_hits = field == BookingField::Patient && !self.patient_hits.is_empty();
        let scope = if in_hits {
            Scope::PatientPick
        } else {
            Scope::Form
        };
        let action = keymap.resolve(ev, scope);
        if action != Some(Action::FormClose) {
            self.discard_armed = false;
        }
        match action {
            Some(Action::FormClose) => return escape(self.is_dirty(), &mut self.discard_armed),
            Some(Action::FormSave | Action::FormSaveNow) => return FormOutcome::Submit,
            Some(Action::PickNext) => {
                self.patient_pick = (self.patient_pick + 1).min(self.patient_hits.len() - 1);
            }
            Some(Action::PickPrev) => {
                self.patient_pick = self.patient_pick.saturating_sub(1);
            }
            Some(Action::FormNext) => {
                self.focus = (self.focus + 1).min(BookingField::ALL.len() - 1)
            }
            Some(Action::FormPrev) => {
                self.focus = self.focus.saturating_sub(1).max(self.first_field())
            }
            Some(choice @ (Action::FormChoicePrev | Action::FormChoiceNext))
                if field == BookingField::Kind =>
            {
                let all = VisitKind::ALL;
                let at = all.iter().position(|k| *k == self.kind).unwrap_or(0);
                let next = if choice == Action::FormChoicePrev {
                    at + all.len() - 1
                } else {
                    at + 1
                };
                self.kind = all[next % all.len()];
                self.touched = true;
                self.warning = None;
            }
            _ => {
                let Some(input) = self.input_mut(field) else {
                    return FormOutcome::Stay;
                };
                if input.handle(ev).changed() {
                    self.touched = true;
                    self.warning = None;
                    if field == BookingField::Patient {
                        self.refresh_patient_hits(matcher, patients);
                    }
                }
            }
        }
        FormOutcome::Stay
    }

    pub fn picked_patient(&self) -> Option<i64> {
        match &self.mode {
            BookingMode::Move { patient_id, .. } => Some(*patient_id),
            BookingMode::New => self.patient_hits.get(self.patient_pick).copied(),
        }
    }

    /// Reads the form into a booking, or names the first field that is wrong.
    /// The date and time take every form of `domain::when`; a time without a meridiem is read
    /// within the clinic's hours of that date.
    pub fn validate(
        &self,
        staff: &[Staff],
        keymap: &Keymap,
        calendar: &ClinicCalendar,
        today: NaiveDate,
        default_site: Option<i64>,
    ) -> Result<Booking, (BookingField, String)> {
        let site_id = self
            .site_id
            .or(default_site)
            .ok_or_else(|| (BookingField::Therapist, pick_a_site_first(keymap)))?;
        let patient_id = self.picked_patient().ok_or_else(|| {
            let (up, down) = (
                keymap.label(Action::PickPrev),
                keymap.label(Action::PickNext),
            );
            (
                BookingField::Patient,
                format!("type part of a name or MRN, then pick with {up}/{down}"),
            )
        })?;
        let therapist = find_therapist(staff, self.therapist.text())
            .map_err(|m| (BookingField::Therapist, m))?;
        let date =
            when::parse_date(self.date.text(), today).map_err(|m| (BookingField::Date, m))?;
        let (open, close) = calendar.reading_window(date);
        let time =
            when::parse_time(self.time.text(), open, close).map_err(|m| (BookingField::Time, m))?;
        let minutes: i64 = self
            .minutes
            .text()
            .trim()
            .parse()
            .ok()
            .filter(|m| appointment::is_visit_length(*m))
            .ok_or_else(|| {
                (
                    BookingField::Minutes,
                    format!(
                        "minutes: a whole number from {}",
                        appointment::visit_minutes_range()
                    ),
                )
            })?;
        Ok(Booking {
            patient_id,
            therapist_id: therapist.id,
            start: NaiveDateTime::new(date, time),
            minutes,
            kind: self.kind,
            site_id,
        })
    }
}

/// A therapist by initials, username or (part of) the name.
pub fn find_therapist<'a>(staff: &'a [Staff], text: &str) -> Result<&'a Staff, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type the therapist's initials or name".into());
    }
    let therapists: Vec<&Staff> = staff.iter().filter(|s| s.role == Role::Therapist).collect();
    if let Some(s) = therapists.iter().find(|s| s.is_user(text)) {
        return Ok(s);
    }
    let lower = text.to_lowercase();
    let found: Vec<&&Staff> = therapists
        .iter()
        .filter(|s| s.name.to_lowercase().contains(&lower))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no therapist matches \"{text}\"")),
        many => Err(format!(
            "\"{text}\" matches {}",
            many.iter()
                .map(|s| s.initials.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientFormState {
    pub inputs: [LineInput; 6],
    pub focus: usize,
    pub error: Option<(PatientField, String)>,
    /// The patients the clinic already has who are this one (same names and birth date), for
    /// the patient as checked at the last save: saving it again registers anyway.
    pub lookalike: Option<(crate::domain::patient::NewPatient, Vec<Patient>)>,
    pub touched: bool,
    pub discard_armed: bool,
    pub saving: bool,
}

pub const PATIENT_FIELDS: [(PatientField, &str, &str); 6] = [
    (PatientField::FirstName, "First name", ""),
    (PatientField::LastName, "Last name", ""),
    (PatientField::DateOfBirth, "Date of birth", "YYYY-MM-DD"),
    (PatientField::Phone, "Phone", "optional"),
    (PatientField::Payer, "Payer", "optional"),
    (
        PatientField::Diagnosis,
        "Diagnosis",
        "ICD-10 code and words, optional",
    ),
];

impl PatientFormState {
    pub fn is_dirty(&self) -> bool {
        self.touched
    }

    pub fn form(&self) -> PatientForm {
        let t = |i: usize| self.inputs[i].text().to_string();
        PatientForm {
            first_name: t(0),
            last_name: t(1),
            date_of_birth: t(2),
            phone: t(3),
            payer: t(4),
            diagnosis: t(5),
        }
    }

    pub fn focus_field(&mut self, field: PatientField) {
        if let Some(i) = PATIENT_FIELDS.iter().position(|(f, _, _)| *f == field) {
            self.focus = i;
        }
    }

    /// Pasted text into the focused field, as if typed.
    pub fn paste(&mut self, text: &str) {
        if self.inputs[self.focus].insert_text(text) {
            self.touched = true;
            self.discard_armed = false;
        }
    }

    pub fn handle_key(&mut self, ev: &KeyEvent, keymap: &Keymap) -> FormOutcome {
        let action = keymap.resolve(ev, Scope::Form);
        if action != Some(Action::FormClose) {
            self.discard_armed = false;
        }
        match action {
            Some(Action::FormClose) => return escape(self.is_dirty(), &mut self.discard_armed),
            Some(Action::FormSave) if self.focus + 1 < self.inputs.len() => self.focus += 1,
            Some(Action::FormSave) => return FormOutcome::Submit,
            // Saving from any field, as in the note editor: most terminals send Ctrl-Enter as
            // a plain Enter.
            Some(Action::FormSaveNow) => return FormOutcome::Submit,
            Some(Action::FormNext) => self.focus = (self.focus + 1).min(self.inputs.len() - 1),
            Some(Action::FormPrev) => self.focus = self.focus.saturating_sub(1),
            _ => {
                if self.inputs[self.focus].handle(ev).changed() {
                    self.touched = true;
                    // Other details are another patient: the warning no longer holds.
                    self.lookalike = None;
                }
            }
        }
        FormOutcome::Stay
    }

    /// Whether saving `p` has been warned of as a patient the clinic already has.
    pub fn warned_for(&self, p: &crate::domain::patient::NewPatient) -> bool {
        self.lookalike
            .as_ref()
            .is_some_and(|(warned, _)| warned == p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff() -> Vec<Staff> {
        vec![
            Staff {
                id: 1,
                name: "Ana Ruiz".into(),
                initials: "AR".into(),
                role: Role::Therapist,
                username: Some("aruiz".into()),
                credentials: None,
            },
            Staff {
                id: 2,
                name: "Ben Okafor".into(),
                initials: "BO".into(),
                role: Role::Therapist,
                username: None,
                credentials: None,
            },
            Staff {
                id: 3,
                name: "Anna Berg".into(),
                initials: "AB".into(),
                role: Role::FrontDesk,
                username: None,
                credentials: None,
            },
        ]
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_date_and_time_are_read_the_way_people_type_them_within_clinic_hours() {
        let mut f = BookingForm::new(day("2026-11-27"), None);
        f.patient_hits = vec![7];
        f.therapist = LineInput::with_text("AR");
        f.date = LineInput::with_text("12/8");
        f.time = LineInput::with_text("230");
        let cal = ClinicCalendar::default();
        let b = f
            .validate(
                &staff(),
                &Keymap::default(),
                &cal,
                day("2026-11-27"),
                Some(1),
            )
            .unwrap();
        assert_eq!(b.start.to_string(), "2026-12-08 14:30:00");
        f.date = LineInput::with_text("31/31");
        let (field, message) = f
            .validate(
                &staff(),
                &Keymap::default(),
                &cal,
                day("2026-11-27"),
                Some(1),
            )
            .unwrap_err();
        assert_eq!(field, BookingField::Date);
        assert!(message.contains("\"31/31\""), "{message}");
        f.date = LineInput::with_text("mon");
        f.time = LineInput::with_text("13pm");
        let (field, message) = f
            .validate(
                &staff(),
                &Keymap::default(),
                &cal,
                day("2026-11-27"),
                Some(1),
            )
            .unwrap_err();
        assert_eq!(field, BookingField::Time);
        assert!(message.contains("\"13pm\""), "{message}");
    }

    #[test]
    fn therapists_are_found_by_initials_or_name_and_front_desk_is_not_bookable() {
        let s = staff();
        assert_eq!(find_therapist(&s, "ar").unwrap().id, 1);
        assert_eq!(find_therapist(&s, "okafor").unwrap().id, 2);
        assert!(find_therapist(&s, "AB").is_err());
        assert!(find_therapist(&s, "").is_err());
    }

    #[test]
    fn a_bad_field_is_named_and_the_typed_text_stays() {
        let mut f = BookingForm::new(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), None);
        f.patient_hits = vec![7];
        f.therapist = LineInput::with_text("AR");
        f.time = LineInput::with_text("9:3O");
        let err = f
            .validate(
                &staff(),
                &Keymap::default(),
                &ClinicCalendar::default(),
                day("2026-11-27"),
                Some(1),
            )
            .unwrap_err();
        assert_eq!(err.0, BookingField::Time);
        assert_eq!(f.time.text(), "9:3O");
        f.time = LineInput::with_text("9:30");
        let b = f
            .validate(
                &staff(),
                &Keymap::default(),
                &ClinicCalendar::default(),
                day("2026-11-27"),
                Some(1),
            )
            .unwrap();
        assert_eq!((b.patient_id, b.therapist_id, b.minutes), (7, 1, 45));
    }

    #[test]
    fn escape_needs_two_presses_once_something_was_typed() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mut f = PatientFormState::default();
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        f.handle_key(
            &KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT),
            &Keymap::default(),
        );
        assert_eq!(f.handle_key(&esc, &Keymap::default()), FormOutcome::Stay);
        assert_eq!(f.inputs[0].text(), "A");
        assert_eq!(f.handle_key(&esc, &Keymap::default()), FormOutcome::Close);
        let mut untouched = PatientFormState::default();
        assert_eq!(
            untouched.handle_key(&esc, &Keymap::default()),
            FormOutcome::Close
        );
    }
}

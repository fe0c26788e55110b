use chrono::{Datelike, NaiveDate};

/// Whole years of age on `day` (a birthday counts from its own date; 29 February birthdays
/// count from 1 March in common years).
pub fn age_on(date_of_birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = day.year() - date_of_birth.year();
    if (day.month(), day.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    years.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_turns_over_on_the_birthday() {
        assert_eq!(age_on(d("1970-11-27"), d("2026-11-26")), 55);
        assert_eq!(age_on(d("1970-11-27"), d("2026-11-27")), 56);
        assert_eq!(age_on(d("2000-02-29"), d("2025-02-28")), 24);
        assert_eq!(age_on(d("2000-02-29"), d("2025-03-01")), 25);
    }
}

/// A patient's record as the app shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: i64,
    pub mrn: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub diagnosis_code: Option<String>,
    pub diagnosis: Option<String>,
    pub body_region: Option<String>,
    pub payer: Option<String>,
    /// The latest plan of care, as the patient's summary shows it (`Db::plans_of_care` has
    /// every certification).
    pub plan_of_care: Option<crate::domain::plan_of_care::PlanPeriod>,
    /// The latest authorisation, as the summary shows it (`Db::authorizations` has them all).
    pub authorization: Option<crate::domain::authorization::AuthorizedVisits>,
    pub active: bool,
    pub version: i64,
    /// How the patient wants the clinic to reach them; None when they have not said.
    pub contact_preference: Option<ContactPreference>,
    /// Their consent to emails and texts, and their opt-outs.
    pub consent: crate::domain::messages::ContactConsent,
}

/// How a patient prefers to be reached (`patients.contact_preference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactPreference {
    Phone,
    Text,
    Email,
}

impl ContactPreference {
    pub const ALL: [ContactPreference; 3] = [
        ContactPreference::Phone,
        ContactPreference::Text,
        ContactPreference::Email,
    ];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactPreference::Phone => "phone",
            ContactPreference::Text => "text",
            ContactPreference::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// As the record shows it.
    pub fn label(self) -> &'static str {
        match self {
            ContactPreference::Phone => "phone call",
            ContactPreference::Text => "text message",
            ContactPreference::Email => "email",
        }
    }
}

/// Whether two registrations are the same person: the same date of birth and the same first
/// and last name, ignoring case and stray spaces. The one rule for telling a new patient from
/// one the clinic already has.
pub fn same_person(
    first: &str,
    last: &str,
    date_of_birth: NaiveDate,
    other: (&str, &str, NaiveDate),
) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    date_of_birth == other.2 && fold(first) == fold(other.0) && fold(last) == fold(other.1)
}

/// "First Last", as every screen and report names a patient.
pub fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}")
}

impl Patient {
    pub fn full_name(&self) -> String {
        full_name(&self.first_name, &self.last_name)
    }
}

/// A new patient as typed at the front desk, already checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPatient {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub payer: Option<String>,
    pub diagnosis_code: Option<String>,
    pub diagnosis: Option<String>,
    pub body_region: Option<String>,
}

/// The fields of the registration form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientForm {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    pub phone: String,
    pub payer: String,
    pub diagnosis: String,
}

/// Which field a validation message belongs to (index into the form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientField {
    FirstName,
    LastName,
    DateOfBirth,
    Phone,
    Payer,
    Diagnosis,
}

fn optional(s: &str) -> Option<String> {
    let s = crate::sanitize::clean_line(s);
    (!s.is_empty()).then_some(s)
}

/// Splits "M17.11 Primary osteoarthritis, right knee" into an ICD-10 code and its words;
/// text without a leading code is kept as the description alone.
pub fn split_diagnosis(text: &str) -> (Option<String>, Option<String>) {
    let text = crate::sanitize::clean_line(text);
    let (first, rest) = text.split_once(' ').unwrap_or((&text, ""));
    if is_icd10(first) {
        (Some(first.to_uppercase()), optional(rest))
    } else {
        (None, optional(&text))
    }
}

/// ICD-10-CM shape: a letter, two characters, then optionally a dot and up to four more.
pub fn is_icd10(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 3
        || !b[0].is_ascii_alphabetic()
        || !b[1].is_ascii_digit()
        || !b[2].is_ascii_alphanumeric()
    {
        return false;
    }
    match &code[3..] {
        "" => true,
        rest => {
            rest.starts_with('.')
                && (2..=5).contains(&rest.len())
                && rest[1..].chars().all(|c| c.is_ascii_alphanumeric())
        }
    }
}

/// The limits of a patient's fields, shared by the registration form and the import.
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const PAYER_MAX_CHARS: usize = 100;
pub const DIAGNOSIS_MAX_CHARS: usize = 300;
/// A phone number's digits: the shortest local number to the longest international one
/// (E.164 allows 15).
pub const PHONE_DIGITS_MIN: usize = 7;
pub const PHONE_DIGITS_MAX: usize = 15;
/// What a phone number may hold besides digits, as people write them.
const PHONE_PUNCTUATION: &str = " +-().";
/// A date of birth further back than this is a typing slip.
pub const MAX_AGE_YEARS: i32 = 120;

/// What is wrong with one field of a patient. Each front end words it its own way (the form
/// under the field, the import after the column's name and the text found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Empty,
    /// Longer than this many characters.
    TooLong(usize),
    NotADate,
    NotInThePast,
    /// Over [`MAX_AGE_YEARS`] ago.
    TooLongAgo,
    /// Not [`phone_rule`].
    NotAPhone,
    NotAnEmail,
    NotIcd10,
}

/// What a phone number must be, for messages: "7 to 15 digits (spaces, + - ( ) allowed)".
pub fn phone_rule() -> String {
    format!("{PHONE_DIGITS_MIN} to {PHONE_DIGITS_MAX} digits (spaces, + - ( ) allowed)")
}

/// Text of at most `max` characters; None when empty.
pub fn limited(text: &str, max: usize) -> Result<Option<String>, FieldProblem> {
    match optional(text) {
        Some(s) if s.chars().count() > max => Err(FieldProblem::TooLong(max)),
        other => Ok(other),
    }
}

/// A first or last name: needed, and at most [`NAME_MAX_CHARS`].
pub fn name(text: &str) -> Result<String, FieldProblem> {
    limited(text, NAME_MAX_CHARS)?.ok_or(FieldProblem::Empty)
}

/// A date of birth: needed, a real date, before `today` and at most [`MAX_AGE_YEARS`] ago.
pub fn date_of_birth(text: &str, today: NaiveDate) -> Result<NaiveDate, FieldProblem> {
    if text.trim().is_empty() {
        return Err(FieldProblem::Empty);
    }
    let day = super::parse_day(text).ok_or(FieldProblem::NotADate)?;
    if day >= today {
        Err(FieldProblem::NotInThePast)
    } else if age_on(day, today) > MAX_AGE_YEARS {
        Err(FieldProblem::TooLongAgo)
    } else {
        Ok(day)
    }
}

/// A phone number, optional: [`phone_rule`].
pub fn phone(text: &str) -> Result<Option<String>, FieldProblem> {
    let Some(p) = optional(text) else {
        return Ok(None);
    };
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let allowed = p
        .chars()
        .all(|c| c.is_ascii_digit() || PHONE_PUNCTUATION.contains(c));
    if allowed && (PHONE_DIGITS_MIN..=PHONE_DIGITS_MAX).contains(&digits) {
        Ok(Some(p))
    } else {
        Err(FieldProblem::NotAPhone)
    }
}

/// An email address, optional: one `@` with text on both sides, a dot in the domain, no
/// spaces, at most [`EMAIL_MAX_CHARS`].
pub fn email(text: &str) -> Result<Option<String>, FieldProblem> {
    let Some(e) = limited(text, EMAIL_MAX_CHARS)? else {
        return Ok(None);
    };
    let well_formed = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.contains(char::is_whitespace)
        }
        None => false,
    };
    if well_formed {
        Ok(Some(e))
    } else {
        Err(FieldProblem::NotAnEmail)
    }
}

/// The payer, optional: at most [`PAYER_MAX_CHARS`].
pub fn payer(text: &str) -> Result<Option<String>, FieldProblem> {
    limited(text, PAYER_MAX_CHARS)
}

/// The diagnosis in words, optional: at most [`DIAGNOSIS_MAX_CHARS`].
pub fn diagnosis(text: &str) -> Result<Option<String>, FieldProblem> {
    limited(text, DIAGNOSIS_MAX_CHARS)
}

/// An ICD-10 code, optional, stored in capitals.
pub fn diagnosis_code(text: &str) -> Result<Option<String>, FieldProblem> {
    match optional(text) {
        None => Ok(None),
        Some(code) if is_icd10(&code) => Ok(Some(code.to_uppercase())),
        Some(_) => Err(FieldProblem::NotIcd10),
    }
}

impl PatientForm {
    /// Checks every field; the first problem comes back with the field it belongs to, so the
    /// form can show it inline beside what was typed.
    pub fn validate(&self, today: NaiveDate) -> Result<NewPatient, (PatientField, String)> {
        use FieldProblem as P;
        let too_long = |what: &str, max: usize| format!("{what}: at most {max} characters");
        let named = |text: &str, field: PatientField, what: &str| {
            name(text).map_err(|p| match p {
                P::TooLong(max) => (field, too_long(what, max)),
                _ => (field, format!("a {what} is needed")),
            })
        };
        let first_name = named(&self.first_name, PatientField::FirstName, "first name")?;
        let last_name = named(&self.last_name, PatientField::LastName, "last name")?;
        let date_of_birth = date_of_birth(&self.date_of_birth, today).map_err(|p| {
            let said = match p {
                P::NotInThePast => "date of birth must be in the past".to_string(),
                P::TooLongAgo => format!("that is over {MAX_AGE_YEARS} years ago"),
                _ => "date of birth as YYYY-MM-DD, a real date".to_string(),
            };
            (PatientField::DateOfBirth, said)
        })?;
        let phone = phone(&self.phone)
            .map_err(|_| (PatientField::Phone, format!("phone: {}", phone_rule())))?;
        let payer = payer(&self.payer)
            .map_err(|_| (PatientField::Payer, too_long("payer", PAYER_MAX_CHARS)))?;
        let (diagnosis_code, words) = split_diagnosis(&self.diagnosis);
        let diagnosis = diagnosis(words.as_deref().unwrap_or_default()).map_err(|_| {
            (
                PatientField::Diagnosis,
                too_long("diagnosis", DIAGNOSIS_MAX_CHARS),
            )
        })?;
        Ok(NewPatient {
            first_name,
            last_name,
            date_of_birth,
            phone,
            payer,
            diagnosis_code,
            diagnosis,
            body_region: None,
        })
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn form() -> PatientForm {
        PatientForm {
            first_name: " Ada ".into(),
            last_name: "Okafor".into(),
            date_of_birth: "1961-04-02".into(),
            phone: "(555) 010-2233".into(),
            payer: "Medicare".into(),
            diagnosis: "m17.11 Primary osteoarthritis, right knee".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_patient() {
        let p = form().validate(today()).unwrap();
        assert_eq!(p.first_name, "Ada");
        assert_eq!(p.diagnosis_code.as_deref(), Some("M17.11"));
        assert_eq!(
            p.diagnosis.as_deref(),
            Some("Primary osteoarthritis, right knee")
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut f = form();
        f.date_of_birth = "2027-01-01".into();
        assert_eq!(
            f.validate(today()).unwrap_err().0,
            PatientField::DateOfBirth
        );
        f.date_of_birth = "1961-02-30".into();
        assert_eq!(
            f.validate(today()).unwrap_err().0,
            PatientField::DateOfBirth
        );
        let mut f = form();
        f.last_name = "  ".into();
        assert_eq!(f.validate(today()).unwrap_err().0, PatientField::LastName);
        let mut f = form();
        f.phone = "call me".into();
        assert_eq!(f.validate(today()).unwrap_err().0, PatientField::Phone);
    }

    #[test]
    fn the_field_rules_are_the_imports_too() {
        assert!(phone("555-0100").is_ok());
        assert_eq!(phone("call me"), Err(FieldProblem::NotAPhone));
        assert_eq!(
            phone(&"5".repeat(PHONE_DIGITS_MAX + 1)),
            Err(FieldProblem::NotAPhone)
        );
        assert_eq!(diagnosis_code("m17.11").unwrap().as_deref(), Some("M17.11"));
        assert_eq!(diagnosis_code("knee"), Err(FieldProblem::NotIcd10));
        let long = "a".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(name(&long), Err(FieldProblem::TooLong(NAME_MAX_CHARS)));
        assert_eq!(name(" "), Err(FieldProblem::Empty));
        assert_eq!(date_of_birth("", today()), Err(FieldProblem::Empty));
        assert_eq!(
            date_of_birth("1961-4-2", today()),
            Err(FieldProblem::NotADate)
        );
        assert_eq!(
            date_of_birth("1900-01-01", today()),
            Err(FieldProblem::TooLongAgo)
        );
        assert_eq!(
            date_of_birth("2026-11-27", today()),
            Err(FieldProblem::NotInThePast)
        );
        let mut f = form();
        f.first_name = long;
        assert_eq!(
            f.validate(today()).unwrap_err(),
            (
                PatientField::FirstName,
                format!("first name: at most {NAME_MAX_CHARS} characters")
            )
        );
    }

    #[test]
    fn diagnosis_without_a_code_is_kept_as_words() {
        assert_eq!(
            split_diagnosis("low back pain"),
            (None, Some("low back pain".into()))
        );
        assert!(is_icd10("S83.511A"));
        assert!(is_icd10("M54.2"));
        assert!(!is_icd10("M5"));
        assert!(!is_icd10("low"));
    }
}

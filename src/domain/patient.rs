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
    pub authorized_visits: Option<i64>,
    pub auth_end: Option<NaiveDate>,
    pub poc_start: Option<NaiveDate>,
    pub poc_end: Option<NaiveDate>,
    pub active: bool,
    pub version: i64,
}

impl Patient {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
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

impl PatientForm {
    /// Checks every field; the first problem comes back with the field it belongs to, so the
    /// form can show it inline beside what was typed.
    pub fn validate(&self, today: NaiveDate) -> Result<NewPatient, (PatientField, String)> {
        let first_name = optional(&self.first_name).ok_or((
            PatientField::FirstName,
            "a first name is needed".to_string(),
        ))?;
        let last_name = optional(&self.last_name)
            .ok_or((PatientField::LastName, "a last name is needed".to_string()))?;
        let dob_text = self.date_of_birth.trim();
        let date_of_birth = NaiveDate::parse_from_str(dob_text, "%Y-%m-%d").map_err(|_| {
            (
                PatientField::DateOfBirth,
                "date of birth as YYYY-MM-DD, a real date".to_string(),
            )
        })?;
        if date_of_birth >= today {
            return Err((
                PatientField::DateOfBirth,
                "date of birth must be in the past".into(),
            ));
        }
        if age_on(date_of_birth, today) > 120 {
            return Err((
                PatientField::DateOfBirth,
                "that is over 120 years ago".into(),
            ));
        }
        let phone = optional(&self.phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let allowed = p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !allowed || !(7..=15).contains(&digits) {
                return Err((
                    PatientField::Phone,
                    "phone: 7 to 15 digits (spaces, + - ( ) allowed)".into(),
                ));
            }
        }
        let (diagnosis_code, diagnosis) = split_diagnosis(&self.diagnosis);
        Ok(NewPatient {
            first_name,
            last_name,
            date_of_birth,
            phone,
            payer: optional(&self.payer),
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

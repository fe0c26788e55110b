//! A patient's record as the desk edits it: one detail at a time, each checked by the same
//! rules as registration (`domain::patient`), and authorisations as typed in the record.

use chrono::NaiveDate;

use super::authorization::{Authorization, AuthorizationRequest};
use super::patient::{
    self, ContactPreference, EMAIL_MAX_CHARS, FieldProblem, MAX_AGE_YEARS, NAME_MAX_CHARS,
    PAYER_MAX_CHARS, Patient,
};
use super::when;

/// The details of a patient the record edits, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientDetail {
    FirstName,
    LastName,
    DateOfBirth,
    Phone,
    Email,
    ContactPreference,
    Payer,
}

impl PatientDetail {
    pub const ALL: [PatientDetail; 7] = [
        PatientDetail::FirstName,
        PatientDetail::LastName,
        PatientDetail::DateOfBirth,
        PatientDetail::Phone,
        PatientDetail::Email,
        PatientDetail::ContactPreference,
        PatientDetail::Payer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PatientDetail::FirstName => "First name",
            PatientDetail::LastName => "Last name",
            PatientDetail::DateOfBirth => "Born",
            PatientDetail::Phone => "Phone",
            PatientDetail::Email => "Email",
            PatientDetail::ContactPreference => "Contact by",
            PatientDetail::Payer => "Payer",
        }
    }

    /// The column it is stored in (and the name the audit row gives it).
    pub fn column(self) -> &'static str {
        match self {
            PatientDetail::FirstName => "first_name",
            PatientDetail::LastName => "last_name",
            PatientDetail::DateOfBirth => "date_of_birth",
            PatientDetail::Phone => "phone",
            PatientDetail::Email => "email",
            PatientDetail::ContactPreference => "contact_preference",
            PatientDetail::Payer => "payer",
        }
    }

    /// What the patient's record holds for it, as the field is typed.
    pub fn text_of(self, p: &Patient) -> String {
        match self {
            PatientDetail::FirstName => p.first_name.clone(),
            PatientDetail::LastName => p.last_name.clone(),
            PatientDetail::DateOfBirth => p.date_of_birth.format("%Y-%m-%d").to_string(),
            PatientDetail::Phone => p.phone.clone().unwrap_or_default(),
            PatientDetail::Email => p.email.clone().unwrap_or_default(),
            PatientDetail::ContactPreference => p
                .contact_preference
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            PatientDetail::Payer => p.payer.clone().unwrap_or_default(),
        }
    }
}

/// Checks what was typed for a detail; the value comes back as it is stored (None clears an
/// optional detail), or one sentence saying what is wrong.
pub fn check_detail(
    detail: PatientDetail,
    text: &str,
    today: NaiveDate,
) -> Result<Option<String>, String> {
    let too_long = |what: &str, max: usize| format!("{what}: at most {max} characters");
    match detail {
        PatientDetail::FirstName | PatientDetail::LastName => {
            let what = if detail == PatientDetail::FirstName {
                "first name"
            } else {
                "last name"
            };
            patient::name(text).map(Some).map_err(|p| match p {
                FieldProblem::TooLong(_) => too_long(what, NAME_MAX_CHARS),
                _ => format!("a {what} is needed"),
            })
        }
        PatientDetail::DateOfBirth => patient::date_of_birth(text, today)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|p| match p {
                FieldProblem::NotInThePast => "date of birth must be in the past".to_string(),
                FieldProblem::TooLongAgo => format!("that is over {MAX_AGE_YEARS} years ago"),
                _ => "date of birth as YYYY-MM-DD, a real date".to_string(),
            }),
        PatientDetail::Phone => {
            patient::phone(text).map_err(|_| format!("phone: {}", patient::phone_rule()))
        }
        PatientDetail::Email => patient::email(text).map_err(|p| match p {
            FieldProblem::TooLong(_) => too_long("email", EMAIL_MAX_CHARS),
            _ => "email: an address like name@example.com".to_string(),
        }),
        PatientDetail::ContactPreference => {
            if text.trim().is_empty() {
                return Ok(None);
            }
            ContactPreference::parse(text)
                .map(|c| Some(c.as_str().to_string()))
                .ok_or_else(|| "contact by phone, text or email".to_string())
        }
        PatientDetail::Payer => {
            patient::payer(text).map_err(|_| too_long("payer", PAYER_MAX_CHARS))
        }
    }
}

/// The fields of an authorisation in the record, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthField {
    Payer,
    Start,
    End,
    Visits,
}

impl AuthField {
    pub const ALL: [AuthField; 4] = [
        AuthField::Payer,
        AuthField::Start,
        AuthField::End,
        AuthField::Visits,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AuthField::Payer => "Payer",
            AuthField::Start => "From",
            AuthField::End => "Until",
            AuthField::Visits => "Visits",
        }
    }
}

/// An authorisation as typed in the record: the payer, the window in any of `domain::when`'s
/// date forms, and the visits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthForm {
    pub payer: String,
    pub starts_on: String,
    pub ends_on: String,
    pub visits: String,
}

impl AuthForm {
    /// An existing authorisation's fields, for editing.
    pub fn of(a: &Authorization) -> Self {
        Self {
            payer: a.payer.clone(),
            starts_on: a.starts_on.format("%Y-%m-%d").to_string(),
            ends_on: a.ends_on.format("%Y-%m-%d").to_string(),
            visits: a.visits.to_string(),
        }
    }

    /// Reads the form into a request (the authorisation's own rules then apply), keeping
    /// `reference`, which the record does not edit; the first field wrong is named.
    pub fn read(
        &self,
        reference: Option<String>,
        today: NaiveDate,
    ) -> Result<AuthorizationRequest, (AuthField, String)> {
        let starts_on =
            when::parse_date(&self.starts_on, today).map_err(|m| (AuthField::Start, m))?;
        let ends_on = when::parse_date(&self.ends_on, today).map_err(|m| (AuthField::End, m))?;
        let visits: i64 = self.visits.trim().parse().map_err(|_| {
            (
                AuthField::Visits,
                format!("visits: a whole number, not \"{}\"", self.visits.trim()),
            )
        })?;
        let request = AuthorizationRequest {
            payer: self.payer.clone(),
            reference,
            starts_on,
            ends_on,
            visits,
        };
        // The authorisation's own rules, named by the field they are about.
        request.clone().check().map_err(|m| {
            let field = if self.payer.trim().is_empty() {
                AuthField::Payer
            } else if ends_on < starts_on {
                AuthField::End
            } else {
                AuthField::Visits
            };
            (field, m)
        })?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn each_detail_is_checked_by_the_registration_rules() {
        let check = |d, t: &str| check_detail(d, t, today());
        assert_eq!(
            check(PatientDetail::Phone, " (555) 555-0134 "),
            Ok(Some("(555) 555-0134".into()))
        );
        assert!(check(PatientDetail::Phone, "call me").is_err());
        assert_eq!(check(PatientDetail::Phone, ""), Ok(None));
        assert_eq!(
            check(PatientDetail::Email, "ana@example.com"),
            Ok(Some("ana@example.com".into()))
        );
        for bad in ["ana", "ana@", "a@b", "a b@c.d", "a@@b.c"] {
            assert!(check(PatientDetail::Email, bad).is_err(), "{bad}");
        }
        assert_eq!(
            check(PatientDetail::ContactPreference, "Text"),
            Ok(Some("text".into()))
        );
        assert_eq!(check(PatientDetail::ContactPreference, " "), Ok(None));
        assert!(check(PatientDetail::ContactPreference, "pigeon").is_err());
        assert!(check(PatientDetail::LastName, "  ").is_err());
        assert!(check(PatientDetail::DateOfBirth, "2027-01-01").is_err());
        assert_eq!(
            check(PatientDetail::DateOfBirth, "1961-03-02"),
            Ok(Some("1961-03-02".into()))
        );
    }

    #[test]
    fn an_authorisation_reads_dates_as_people_type_them_and_names_the_wrong_field() {
        let form = AuthForm {
            payer: "Medicare".into(),
            starts_on: "12/1".into(),
            ends_on: "2027-02-28".into(),
            visits: "12".into(),
        };
        let r = form.read(None, today()).unwrap();
        assert_eq!(r.starts_on.to_string(), "2026-12-01");
        let mut bad = form.clone();
        bad.ends_on = "2026-11-01".into();
        assert_eq!(bad.read(None, today()).unwrap_err().0, AuthField::End);
        let mut bad = form.clone();
        bad.visits = "0".into();
        assert_eq!(bad.read(None, today()).unwrap_err().0, AuthField::Visits);
        let mut bad = form.clone();
        bad.visits = "twelve".into();
        assert_eq!(bad.read(None, today()).unwrap_err().0, AuthField::Visits);
        let mut bad = form;
        bad.payer = " ".into();
        assert_eq!(bad.read(None, today()).unwrap_err().0, AuthField::Payer);
    }

    #[test]
    fn the_same_person_is_the_same_names_and_birth_date_whatever_the_case_and_spaces() {
        let dob = NaiveDate::from_ymd_opt(1961, 3, 2).unwrap();
        assert!(patient::same_person(
            " maria ",
            "LOPEZ",
            dob,
            ("Maria", "Lopez", dob)
        ));
        assert!(!patient::same_person(
            "Maria",
            "Lopez",
            dob.succ_opt().unwrap(),
            ("Maria", "Lopez", dob)
        ));
        assert!(!patient::same_person(
            "Mario",
            "Lopez",
            dob,
            ("Maria", "Lopez", dob)
        ));
    }
}

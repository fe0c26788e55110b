use super::appointment::stored_words;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Therapist,
    /// A physical therapist assistant (PTA): treats and documents under a therapist's plan.
    Assistant,
    FrontDesk,
    /// Runs the record: the staff list and the clinic's measure thresholds.
    Admin,
}

stored_words!(Role {
    Therapist => "therapist", "Therapist";
    Assistant => "assistant", "Assistant";
    FrontDesk => "front_desk", "Front desk";
    Admin => "admin", "Admin";
});

/// The most characters in a person's name, a username or the user the app runs as: room for any
/// real name, and a bound on what every audit row and message carries.
pub const IDENTITY_MAX_CHARS: usize = 64;

/// Checks a name or login as typed, before anything is stored: not empty, at most
/// [`IDENTITY_MAX_CHARS`], no control characters or bidirectional overrides (refused rather
/// than silently cleaned, so the stored name is the one the person typed). Returns it trimmed.
pub fn checked_identity<'a>(what: &str, value: &'a str) -> Result<&'a str, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("{what} is empty: give a name"));
    }
    if value.chars().any(crate::sanitize::is_unsafe_char) {
        return Err(format!(
            "{what} \"{}\" has control characters in it: type it as plain text",
            crate::sanitize::clean_echo(value)
        ));
    }
    if value.chars().count() > IDENTITY_MAX_CHARS {
        return Err(format!(
            "{what} \"{}\" is longer than {IDENTITY_MAX_CHARS} characters",
            crate::sanitize::clean_echo(value)
        ));
    }
    Ok(value)
}

/// A member of staff as the rest of the app sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub initials: String,
    pub role: Role,
    pub username: Option<String>,
    /// As a signature shows them: "PT, DPT", "PTA".
    pub credentials: Option<String>,
}

impl Staff {
    /// The name a signature carries: "Dana Fry, PT, DPT".
    pub fn signature(&self) -> String {
        match self.credentials.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => format!("{}, {c}", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether the login/user name given to the app is this person: their username, initials
    /// or full name, ignoring case.
    pub fn is_user(&self, user: &str) -> bool {
        let user = user.trim();
        self.username
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(user))
            || self.initials.eq_ignore_ascii_case(user)
            || self.name.eq_ignore_ascii_case(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_recognised_by_username_initials_or_name() {
        let s = Staff {
            id: 1,
            name: "Ana Ruiz".into(),
            initials: "AR".into(),
            role: Role::Therapist,
            username: Some("aruiz".into()),
            credentials: None,
        };
        assert!(s.is_user("aruiz"));
        assert!(s.is_user("ar"));
        assert!(s.is_user("ana ruiz"));
        assert!(!s.is_user("root"));
    }

    #[test]
    fn identities_are_bounded_and_plain() {
        assert_eq!(checked_identity("--user", " aruiz "), Ok("aruiz"));
        assert!(checked_identity("--user", "").is_err());
        assert!(checked_identity("--user", "a\u{1b}[2Jb").is_err());
        assert!(checked_identity("--user", "evil\u{202E}").is_err());
        assert!(checked_identity("--name", &"x".repeat(IDENTITY_MAX_CHARS)).is_ok());
        let long = checked_identity("--name", &"x".repeat(10_000)).unwrap_err();
        assert!(long.contains("64") && long.len() < 200, "{long}");
    }
}

use super::appointment::stored_words;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Therapist,
    FrontDesk,
}

stored_words!(Role {
    Therapist => "therapist", "Therapist";
    FrontDesk => "front_desk", "Front desk";
});

/// A member of staff as the rest of the app sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub initials: String,
    pub role: Role,
    pub username: Option<String>,
}

impl Staff {
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
        };
        assert!(s.is_user("aruiz"));
        assert!(s.is_user("ar"));
        assert!(s.is_user("ana ruiz"));
        assert!(!s.is_user("root"));
    }
}

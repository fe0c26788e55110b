//! Who may change what in the record: every write names its [`Duty`], and the store refuses it,
//! in the same transaction, to anyone whose role is not among the duty's. One table, read by
//! the store, the refusals, `?` and the README's list.

use super::Role;
use super::staff::Staff;

/// A kind of change to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// Visit notes: writing, saving, signing one's own, addenda.
    VisitNote,
    Measures,
    HomeProgram,
    Adherence,
    Goals,
    PlanOfCare,
    /// The note of an evaluation or a re-evaluation.
    Evaluation,
    /// Marking a note as the progress report.
    ProgressReport,
    DischargeSummary,
    /// Co-signing an assistant's note.
    CoSign,
    /// Booking, checking in, cancelling, marking a no-show.
    Schedule,
    /// Registering a patient and editing their details.
    Demographics,
    Authorizations,
    /// Adding, editing and deactivating staff, and setting anyone's PIN.
    Staff,
    MeasureThresholds,
    /// Bringing rows in from another system's files.
    Import,
    /// Payers' rules: billing, evaluations, co-signatures.
    Payers,
    /// The opening hours per weekday and the closed dates.
    ClinicHours,
    /// A clinic group's sites: their details, rooms, hours and who works at each.
    Sites,
    /// The clinic's name and phone as messages give them, when reminders go and the templates.
    Messaging,
    /// Sending a patient a message (a reminder, a home program, a progress letter), recording
    /// their consent to a channel and their answer to a reminder.
    PatientContact,
}

const CLINICIANS: &[Role] = &[Role::Therapist, Role::Assistant];
const THERAPISTS: &[Role] = &[Role::Therapist];
const EVERYONE: &[Role] = &[
    Role::Therapist,
    Role::Assistant,
    Role::FrontDesk,
    Role::Admin,
];
const FRONT_DESK: &[Role] = &[Role::FrontDesk, Role::Admin];
const ADMINS: &[Role] = &[Role::Admin];

impl Duty {
    pub const ALL: &'static [Duty] = &[
        Duty::VisitNote,
        Duty::Measures,
        Duty::HomeProgram,
        Duty::Adherence,
        Duty::Goals,
        Duty::PlanOfCare,
        Duty::Evaluation,
        Duty::ProgressReport,
        Duty::DischargeSummary,
        Duty::CoSign,
        Duty::Schedule,
        Duty::Demographics,
        Duty::Authorizations,
        Duty::Staff,
        Duty::MeasureThresholds,
        Duty::Import,
        Duty::Payers,
        Duty::ClinicHours,
        Duty::Sites,
        Duty::Messaging,
        Duty::PatientContact,
    ];

    /// The roles that may do it.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Duty::VisitNote
            | Duty::Measures
            | Duty::HomeProgram
            | Duty::Adherence
            | Duty::Goals => CLINICIANS,
            Duty::PlanOfCare
            | Duty::Evaluation
            | Duty::ProgressReport
            | Duty::DischargeSummary
            | Duty::CoSign => THERAPISTS,
            // Therapists book the next visit at the treatment-room terminal.
            Duty::Schedule | Duty::PatientContact => EVERYONE,
            Duty::Demographics | Duty::Authorizations => FRONT_DESK,
            Duty::Staff
            | Duty::MeasureThresholds
            | Duty::Import
            | Duty::Payers
            | Duty::ClinicHours
            | Duty::Sites
            | Duty::Messaging => ADMINS,
        }
    }

    /// What the change is, as a refusal starts: "writing a visit note needs …".
    pub fn doing(self) -> &'static str {
        match self {
            Duty::VisitNote => "writing a visit note",
            Duty::Measures => "recording a measure",
            Duty::HomeProgram => "changing a home exercise program",
            Duty::Adherence => "recording home-exercise adherence",
            Duty::Goals => "setting or assessing a goal",
            Duty::PlanOfCare => "writing a plan of care",
            Duty::Evaluation => "documenting an evaluation or a re-evaluation",
            Duty::ProgressReport => "writing a progress report",
            Duty::DischargeSummary => "writing a discharge summary",
            Duty::CoSign => "co-signing an assistant's note",
            Duty::Schedule => "changing the schedule",
            Duty::Demographics => "registering or editing a patient",
            Duty::Authorizations => "recording an authorisation",
            Duty::Staff => "changing the staff list",
            Duty::MeasureThresholds => "setting a measure's thresholds",
            Duty::Import => "importing records",
            Duty::Payers => "setting a payer's rules",
            Duty::ClinicHours => "setting the clinic's hours or closed days",
            Duty::Sites => "changing the clinic's sites",
            Duty::Messaging => "setting the clinic's reminders and message templates",
            Duty::PatientContact => "contacting a patient or recording their consent",
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// "a therapist or an assistant".
    pub fn needed(self) -> String {
        let names: Vec<String> = self.roles().iter().map(|r| role_with_article(*r)).collect();
        match names.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
            [] => "nobody".into(),
        }
    }
}

fn role_with_article(role: Role) -> String {
    match role {
        Role::Therapist => "a therapist".into(),
        Role::Assistant => "an assistant".into(),
        Role::FrontDesk => "the front desk".into(),
        Role::Admin => "an admin".into(),
    }
}

/// The user a change is made as: a member of the staff, or someone the record does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acting {
    Staff(Staff),
    /// In the demo clinic a user not on its staff acts as its front-desk person.
    DemoStand(Staff),
    NotStaff,
}

impl Acting {
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Acting::Staff(s) | Acting::DemoStand(s) => Some(s),
            Acting::NotStaff => None,
        }
    }
}

/// Whether a viewer may see the names of the patients of `therapist_id`'s episodes in the
/// clinic's outcome lists: the front desk and admins, who run every patient's day, see all;
/// therapists and assistants see their own; a user not on the staff sees none.
pub fn sees_names_of(viewer: Option<&Staff>, therapist_id: i64) -> bool {
    match viewer {
        Some(s) => match s.role {
            Role::FrontDesk | Role::Admin => true,
            Role::Therapist | Role::Assistant => s.id == therapist_id,
        },
        None => false,
    }
}

/// Whether `acting` may do `duty`: the one sentence of a refusal when not.
pub fn check(duty: Duty, user: &str, acting: &Acting) -> Result<(), String> {
    let user = crate::sanitize::clean_echo(user);
    match acting.staff() {
        Some(s) if duty.allows(s.role) => Ok(()),
        Some(s) if matches!(acting, Acting::DemoStand(_)) => Err(format!(
            "{} needs {}; in the demo {user} acts as its {} ({}): run as one of its staff (--user)",
            duty.doing(),
            duty.needed(),
            s.role.label().to_lowercase(),
            crate::sanitize::clean_echo(&s.name)
        )),
        Some(s) => Err(format!(
            "{} needs {}; {user} is on the staff as {}",
            duty.doing(),
            duty.needed(),
            s.role.label().to_lowercase()
        )),
        None => Err(format!(
            "{} needs {}; {user} is not on the staff of this record, so it is read-only for them (an admin adds staff: ptclinic staff add)",
            duty.doing(),
            duty.needed()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role) -> Acting {
        Acting::Staff(Staff {
            id: 1,
            name: "Dana Fry".into(),
            initials: "DF".into(),
            role,
            username: Some("dfry".into()),
            credentials: None,
        })
    }

    #[test]
    fn each_duty_is_for_its_roles_only() {
        assert!(check(Duty::VisitNote, "dfry", &staff(Role::Assistant)).is_ok());
        assert!(check(Duty::PlanOfCare, "dfry", &staff(Role::Assistant)).is_err());
        assert!(check(Duty::Staff, "dfry", &staff(Role::Therapist)).is_err());
        assert!(check(Duty::Staff, "dfry", &staff(Role::Admin)).is_ok());
        assert!(check(Duty::Demographics, "dfry", &staff(Role::FrontDesk)).is_ok());
        assert!(check(Duty::VisitNote, "dfry", &staff(Role::FrontDesk)).is_err());
        for duty in Duty::ALL {
            assert!(!duty.roles().is_empty());
            assert!(check(*duty, "x", &Acting::NotStaff).is_err());
        }
    }

    #[test]
    fn a_refusal_is_one_sentence_naming_the_role_needed() {
        let why = check(Duty::VisitNote, "dfry", &staff(Role::FrontDesk)).unwrap_err();
        assert_eq!(
            why,
            "writing a visit note needs a therapist or an assistant; dfry is on the staff as front desk"
        );
        let why = check(Duty::CoSign, "root", &Acting::NotStaff).unwrap_err();
        assert!(
            why.starts_with(
                "co-signing an assistant's note needs a therapist; root is not on the staff"
            ),
            "{why}"
        );
        assert!(!why.contains('\n'));
    }

    /// The README's table of who may do what is this module's, row for row.
    #[test]
    fn the_readme_table_is_the_code() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- roles table")
            .expect("the README has the roles table");
        let end = readme[start..]
            .find("<!-- end of roles table -->")
            .expect("the table ends")
            + start;
        let rows: Vec<&str> = readme[start..end]
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| change |"))
            .collect();
        let expected: Vec<String> = Duty::ALL
            .iter()
            .map(|d| format!("| {} | {} |", d.doing(), d.needed()))
            .collect();
        assert_eq!(rows, expected);
    }
}

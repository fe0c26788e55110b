//! The appointment status machine and visit kinds. Status words map one to one onto FHIR R4
//! `Appointment.status` (see CLINICAL.md).

use std::fmt;

/// Generates the stored-word conversions for a fieldless enum, so each word lives in one place.
macro_rules! stored_words {
    ($ty:ident { $($variant:ident => $word:literal, $label:literal;)+ }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The word stored in the database and printed in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $word),+ }
            }

            /// The word a person reads on screen.
            pub fn label(self) -> &'static str {
                match self { $($ty::$variant => $label),+ }
            }

            pub fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($ty::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use stored_words;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppointmentStatus {
    Scheduled,
    CheckedIn,
    Completed,
    NoShow,
    Cancelled,
}

stored_words!(AppointmentStatus {
    Scheduled => "scheduled", "scheduled";
    CheckedIn => "checked_in", "arrived";
    Completed => "completed", "completed";
    NoShow => "no_show", "no-show";
    Cancelled => "cancelled", "cancelled";
});

impl AppointmentStatus {
    /// The FHIR R4 Appointment.status code.
    pub fn fhir(self) -> &'static str {
        match self {
            Self::Scheduled => "booked",
            Self::CheckedIn => "arrived",
            Self::Completed => "fulfilled",
            Self::NoShow => "noshow",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What happens when someone asks for a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Store the new status.
    Change,
    /// Already there: nothing to store, nothing to audit (checking in twice is harmless).
    Unchanged,
    /// Not allowed; the sentence says why and what to do instead.
    Refused(&'static str),
}

impl AppointmentStatus {
    /// The front desk's corrections are allowed (a late patient after a no-show, a cancelled
    /// visit reinstated); what makes no sense in a clinic is refused with a reason.
    pub fn transition_to(self, to: AppointmentStatus) -> Transition {
        use AppointmentStatus::*;
        if self == to {
            return Transition::Unchanged;
        }
        match (self, to) {
            (Scheduled, CheckedIn | NoShow | Cancelled) => Transition::Change,
            (CheckedIn, Completed | Scheduled | Cancelled) => Transition::Change,
            (NoShow, CheckedIn | Scheduled) => Transition::Change,
            (Cancelled, Scheduled) => Transition::Change,
            (Completed, CheckedIn) => Transition::Change,
            (Cancelled, _) => Transition::Refused(
                "this visit was cancelled: book a new one, or undo the cancellation",
            ),
            (Completed, _) => Transition::Refused("this visit is already completed"),
            (CheckedIn, NoShow) => {
                Transition::Refused("the patient is checked in: undo the check-in first (u)")
            }
            (NoShow, _) => Transition::Refused("this visit is marked as a no-show"),
            (Scheduled, _) => Transition::Refused("this visit has not started yet"),
            (CheckedIn, _) => Transition::Refused("the patient is already checked in"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitKind {
    Evaluation,
    Treatment,
    ReEvaluation,
    Progress,
    Discharge,
}

stored_words!(VisitKind {
    Evaluation => "evaluation", "Evaluation";
    Treatment => "treatment", "Treatment";
    ReEvaluation => "re_evaluation", "Re-eval";
    Progress => "progress", "Progress";
    Discharge => "discharge", "Discharge";
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelReason {
    Patient,
    Clinic,
    /// Cancelled by the patient inside 24 hours: counted separately.
    Late,
}

stored_words!(CancelReason {
    Patient => "patient", "by the patient";
    Clinic => "clinic", "by the clinic";
    Late => "late", "late (under 24 h)";
});

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::*;

    #[test]
    fn words_round_trip() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(*s));
        }
        for k in VisitKind::ALL {
            assert_eq!(VisitKind::parse(k.as_str()), Some(*k));
        }
        for r in CancelReason::ALL {
            assert_eq!(CancelReason::parse(r.as_str()), Some(*r));
        }
        assert_eq!(AppointmentStatus::parse("arrived"), None);
    }

    #[test]
    fn checking_in_twice_is_harmless() {
        assert_eq!(CheckedIn.transition_to(CheckedIn), Transition::Unchanged);
        assert_eq!(Scheduled.transition_to(CheckedIn), Transition::Change);
    }

    #[test]
    fn front_desk_corrections_are_allowed() {
        assert_eq!(NoShow.transition_to(CheckedIn), Transition::Change);
        assert_eq!(Cancelled.transition_to(Scheduled), Transition::Change);
        assert_eq!(CheckedIn.transition_to(Scheduled), Transition::Change);
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert!(matches!(
            Cancelled.transition_to(CheckedIn),
            Transition::Refused(_)
        ));
        assert!(matches!(
            Completed.transition_to(NoShow),
            Transition::Refused(_)
        ));
        assert!(matches!(
            CheckedIn.transition_to(NoShow),
            Transition::Refused(_)
        ));
    }

    #[test]
    fn fhir_codes_follow_clinical_md() {
        let codes: Vec<_> = AppointmentStatus::ALL.iter().map(|s| s.fhir()).collect();
        assert_eq!(
            codes,
            ["booked", "arrived", "fulfilled", "noshow", "cancelled"]
        );
    }
}

/// One visit as the schedule shows it: the appointment with its patient and therapist.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: i64,
    pub start: chrono::NaiveDateTime,
    pub minutes: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub date_of_birth: chrono::NaiveDate,
    pub therapist_id: i64,
    pub therapist_name: String,
    pub therapist_initials: String,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub status_changed_at: Option<String>,
    pub checked_in_at: Option<String>,
    pub cancel_reason: Option<CancelReason>,
    pub room: Option<String>,
    pub version: i64,
    pub flags: Vec<String>,
}

impl Visit {
    pub fn end(&self) -> chrono::NaiveDateTime {
        self.start + chrono::Duration::minutes(self.minutes)
    }

    /// Whether this visit's time overlaps `[start, start + minutes)`.
    pub fn overlaps(&self, start: chrono::NaiveDateTime, minutes: i64) -> bool {
        self.start < start + chrono::Duration::minutes(minutes) && start < self.end()
    }
}

/// The status fields of an appointment before a change: what `u` puts back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSnapshot {
    pub status: AppointmentStatus,
    pub status_changed_at: Option<String>,
    pub checked_in_at: Option<String>,
    pub cancel_reason: Option<CancelReason>,
}

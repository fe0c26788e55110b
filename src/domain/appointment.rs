//! The appointment status machine and visit kinds. Status words map one to one onto FHIR R4
//! `Appointment.status` (see CLINICAL.md).

use std::fmt;

use chrono::NaiveDate;

/// The shortest and longest visit that can be booked, in minutes: under 5 is a slip for a
/// longer number, and a visit cannot outlast a working day. The booking form, the import, the
/// store's check and the record's own CHECK (a test compares them) all use these.
pub const VISIT_MINUTES_MIN: i64 = 5;
pub const VISIT_MINUTES_MAX: i64 = 480;

/// The length limits for messages and hints: "5 to 480".
pub fn visit_minutes_range() -> String {
    format!("{VISIT_MINUTES_MIN} to {VISIT_MINUTES_MAX}")
}

/// Whether a visit may last `minutes`.
pub fn is_visit_length(minutes: i64) -> bool {
    (VISIT_MINUTES_MIN..=VISIT_MINUTES_MAX).contains(&minutes)
}

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
    /// Whether a visit on `day` may move from this status to `to` when the clinic's date is
    /// `today`. The day comes first: an arrival is a fact of the visit's own day (checking in a
    /// past visit would overwrite its arrival time and turn a fulfilled FHIR appointment back
    /// into "arrived"), a no-show can only be known once the day has come, and a past visit
    /// that was completed, missed or cancelled is history. Then the front desk's corrections
    /// are allowed (a late patient after a no-show, a cancelled visit reinstated); what makes
    /// no sense in a clinic is refused with a reason.
    pub fn transition_to(
        self,
        to: AppointmentStatus,
        day: NaiveDate,
        today: NaiveDate,
    ) -> Transition {
        use AppointmentStatus::*;
        if self == to {
            return Transition::Unchanged;
        }
        if day < today {
            match self {
                Completed => {
                    return Transition::Refused(
                        "this visit of an earlier day was completed; it stays as it is",
                    );
                }
                NoShow => {
                    return Transition::Refused(
                        "this visit of an earlier day was a no-show; it stays as it is",
                    );
                }
                Cancelled => {
                    return Transition::Refused(
                        "this visit of an earlier day was cancelled; it stays as it is",
                    );
                }
                Scheduled | CheckedIn => {}
            }
        }
        match to {
            CheckedIn if day < today => {
                return Transition::Refused(
                    "only today's visits can be checked in, and this one was on an earlier day",
                );
            }
            CheckedIn if day > today => {
                return Transition::Refused(
                    "only today's visits can be checked in, and this one is on a later day",
                );
            }
            NoShow if day > today => {
                return Transition::Refused(
                    "a no-show can be marked on the visit's day or later, and this one is on a later day",
                );
            }
            _ => {}
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

/// Minutes after booking during which the terminal that booked a visit can undo it, leaving no
/// cancellation on the record (a mis-keyed booking, not a patient's cancellation).
pub const BOOKING_UNDO_MINUTES: i64 = 5;

impl AppointmentStatus {
    /// Checking a visit out: the one rule for `o`, `ptclinic check-out` and signing the
    /// visit's note. Only an attended (checked-in) visit is completed; one not yet checked in,
    /// or missed, is refused with what to do instead.
    pub fn check_out(self, day: NaiveDate, today: NaiveDate) -> Transition {
        match self {
            Self::Scheduled => Transition::Refused(
                "the patient has not been checked in: only a checked-in visit can be checked out",
            ),
            Self::NoShow => Transition::Refused(
                "this visit is marked as a no-show: check the patient in first if they came",
            ),
            _ => self.transition_to(Self::Completed, day, today),
        }
    }

    /// Whether a visit on `day` can stand in this status when the clinic's date is `today`:
    /// a visit that has not come yet cannot have been attended or missed.
    pub fn fits_day(self, day: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
        match self {
            Self::CheckedIn | Self::Completed | Self::NoShow if day > today => Err(
                "a visit on a later day can only be scheduled or cancelled, not checked_in, completed or no_show",
            ),
            _ => Ok(()),
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

/// A day's visits counted as the front desk reads them, the same on the screen's header and
/// on the printed day sheet: booked is every visit not cancelled (attended, missed or still to
/// come), arrived is checked in or completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub booked: usize,
    pub arrived: usize,
    pub no_show: usize,
    pub cancelled: usize,
}

impl DayCounts {
    pub fn of<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> DayCounts {
        let mut c = DayCounts::default();
        for v in visits {
            match v.status {
                AppointmentStatus::Scheduled => c.booked += 1,
                AppointmentStatus::CheckedIn | AppointmentStatus::Completed => {
                    c.booked += 1;
                    c.arrived += 1;
                }
                AppointmentStatus::NoShow => {
                    c.booked += 1;
                    c.no_show += 1;
                }
                AppointmentStatus::Cancelled => c.cancelled += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    /// The status rule alone: a change on the visit's own day.
    fn on_the_day(from: AppointmentStatus, to: AppointmentStatus) -> Transition {
        from.transition_to(to, today(), today())
    }

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
        assert_eq!(on_the_day(CheckedIn, CheckedIn), Transition::Unchanged);
        assert_eq!(on_the_day(Scheduled, CheckedIn), Transition::Change);
    }

    #[test]
    fn front_desk_corrections_are_allowed() {
        assert_eq!(on_the_day(NoShow, CheckedIn), Transition::Change);
        assert_eq!(on_the_day(Cancelled, Scheduled), Transition::Change);
        assert_eq!(on_the_day(CheckedIn, Scheduled), Transition::Change);
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert!(matches!(
            on_the_day(Cancelled, CheckedIn),
            Transition::Refused(_)
        ));
        assert!(matches!(
            on_the_day(Completed, NoShow),
            Transition::Refused(_)
        ));
        assert!(matches!(
            on_the_day(CheckedIn, NoShow),
            Transition::Refused(_)
        ));
    }

    #[test]
    fn status_changes_follow_the_clinic_day() {
        let yesterday = today().pred_opt().unwrap();
        let tomorrow = today().succ_opt().unwrap();
        let refused = |t: Transition| matches!(t, Transition::Refused(_));
        // Check-in: today's visits only, whatever their status.
        for from in [Scheduled, NoShow, Completed, Cancelled] {
            assert!(
                refused(from.transition_to(CheckedIn, yesterday, today())),
                "{from}"
            );
            assert!(
                refused(from.transition_to(CheckedIn, tomorrow, today())),
                "{from}"
            );
        }
        assert_eq!(
            Completed.transition_to(CheckedIn, today(), today()),
            Transition::Change
        );
        // No-show: on the day or later, never before.
        assert_eq!(
            Scheduled.transition_to(NoShow, today(), today()),
            Transition::Change
        );
        assert_eq!(
            Scheduled.transition_to(NoShow, yesterday, today()),
            Transition::Change
        );
        assert!(refused(Scheduled.transition_to(NoShow, tomorrow, today())));
        // A past visit that was completed, missed or cancelled is history.
        for from in [Completed, NoShow, Cancelled] {
            for to in AppointmentStatus::ALL.iter().filter(|&&to| to != from) {
                assert!(
                    refused(from.transition_to(*to, yesterday, today())),
                    "{from} to {to}"
                );
            }
        }
        // A future visit can still be cancelled and reinstated.
        assert_eq!(
            Scheduled.transition_to(Cancelled, tomorrow, today()),
            Transition::Change
        );
        assert_eq!(
            Cancelled.transition_to(Scheduled, tomorrow, today()),
            Transition::Change
        );
        // Asking for what is already there stays harmless.
        assert_eq!(
            CheckedIn.transition_to(CheckedIn, yesterday, today()),
            Transition::Unchanged
        );
    }

    #[test]
    fn a_later_visit_cannot_have_happened() {
        let tomorrow = today().succ_opt().unwrap();
        for s in [CheckedIn, Completed, NoShow] {
            assert!(s.fits_day(tomorrow, today()).is_err(), "{s}");
            assert!(s.fits_day(today(), today()).is_ok(), "{s}");
        }
        assert!(Scheduled.fits_day(tomorrow, today()).is_ok());
        assert!(Cancelled.fits_day(tomorrow, today()).is_ok());
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
    /// Where the visit's reminder stands at its present time. Read with the day (`Db::day`);
    /// a visit read on its own or with the week has none.
    pub reminder: crate::domain::messages::ReminderState,
    /// The patient's answer for the visit at its present time, read as `reminder` is.
    pub answer: Option<crate::domain::messages::Confirmation>,
    /// A scheduled visit's no-show risk by the clinic's model, kept with the visit.
    pub risk: Option<crate::domain::no_show::VisitRisk>,
    /// The site the visit is at (`sites.id`).
    pub site_id: i64,
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

//! Plain types and clinic rules, free of storage and screen concerns.

pub mod adherence;
pub mod appointment;
pub mod authorization;
pub mod billing;
pub mod bulk;
pub mod clinic_hours;
pub mod discharge;
pub mod export_records;
pub mod flags;
pub mod goal_review;
pub mod goals;
pub mod hep;
pub mod joint_replacement;
pub mod koos_form;
pub mod measures;
pub mod message_templates;
pub mod messages;
pub mod no_show;
pub mod outcomes;
pub mod patient;
pub mod patient_record;
pub mod payers;
pub mod pin;
pub mod plan_of_care;
pub mod procedures;
pub mod progress;
pub mod progress_letter;
pub mod reminders;
pub mod roles;
pub mod scoring;
pub mod series;
pub mod signing;
pub mod sites;
pub mod slots;
pub mod staff;
pub mod unscheduled;
pub mod waitlist;
pub mod when;

pub use appointment::{AppointmentStatus, CancelReason, VisitKind};
pub use patient::age_on;
pub use staff::Role;

use chrono::{Datelike, NaiveDate};

/// The first and last years a visit or a measurement can fall in. Outside them a date is a
/// typing slip (a year 20266, a year 0026), and an export over such a range would be empty.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// A date as typed: `YYYY-MM-DD` in full and a real date ("2026-2-3" is refused: a short
/// text is as likely a slip as a date).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 10)
}

/// Whether `day` falls in [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn in_clinic_years(day: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

/// The sentence's end for a date outside the clinic's years: "… must be in 1900 to 2100".
pub fn clinic_years() -> String {
    format!("{FIRST_YEAR} to {LAST_YEAR}")
}

//! Plain types and clinic rules, free of storage and screen concerns.

pub mod appointment;
pub mod billing;
pub mod flags;
pub mod hep;
pub mod measures;
pub mod patient;
pub mod pin;
pub mod progress;
pub mod scoring;
pub mod staff;

pub use appointment::{AppointmentStatus, CancelReason, VisitKind};
pub use patient::age_on;
pub use staff::Role;

//! CSV imports (all or nothing, every bad line reported), FHIR R4 export checked against the
//! R4 structure of each resource, and iCalendar export (folding, escaping, CRLF), all through
//! the real binary with a clean environment.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod fhir;
mod ical;
mod imports;

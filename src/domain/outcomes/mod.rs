//! The clinic's outcomes: episodes of care with each measure's initial and last value, the
//! figures per group (MCID share with its Wilson interval, changes, visits, attendance,
//! adherence), what to expect for a patient from similar episodes, and the quality measures.
//! Defined once here; the reports, the Clinic pane and pane 2 read them.

pub mod episodes;
pub mod expected;
pub mod groups;
pub mod quality;
pub mod stats;

pub use episodes::{Ending, Episode, MeasurePair, PatientOutcomeInput, episodes_of};
pub use expected::{Expected, Standing, expected};
pub use groups::{Dimension, Figures, KeyPart, Scope, Table, parse_grouping, table};

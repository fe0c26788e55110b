//! The app's idea of "today" and "now": the real local clock, or a fixed day for training,
//! demos and tests (`PTCLINIC_TODAY`).

use chrono::{Local, NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    fixed_day: Option<NaiveDate>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed_day: None }
    }

    /// A clock whose date is pinned; the time of day still follows the wall clock so that
    /// check-in times stay believable during a training session.
    pub fn fixed(day: NaiveDate) -> Self {
        Self {
            fixed_day: Some(day),
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.fixed_day.is_some()
    }

    pub fn today(&self) -> NaiveDate {
        self.fixed_day.unwrap_or_else(|| Local::now().date_naive())
    }

    /// Local date and time.
    pub fn now(&self) -> NaiveDateTime {
        let local = Local::now().naive_local();
        match self.fixed_day {
            Some(day) => day.and_time(local.time()),
            None => local,
        }
    }
}

/// Stored form of a local timestamp with seconds: `YYYY-MM-DDTHH:MM:SS`.
pub fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

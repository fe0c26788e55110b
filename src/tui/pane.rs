//! What a pane reads from the app (`Context`) and what it hands back (`Outcome`). Panes own
//! their state; the message line and the tracking of writes are the app's, so a pane asks for
//! them as data instead of reaching into the app's state.

use chrono::NaiveDate;

use super::event::Effect;
use super::keymap::{Keymap, Scope};
use crate::domain::appointment::Visit;
use crate::domain::patient::Patient;
use crate::domain::staff::Staff;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Schedule,
    Progress,
    Program,
    Clinic,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Schedule, Pane::Progress, Pane::Program, Pane::Clinic];

    /// The keymap scope of the pane's own keys.
    pub fn scope(self) -> Scope {
        match self {
            Pane::Schedule => Scope::Schedule,
            Pane::Progress => Scope::Progress,
            Pane::Program => Scope::Program,
            Pane::Clinic => Scope::Clinic,
        }
    }

    /// The title where the tabs are short of room.
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Program => "Program",
            other => other.title(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Schedule => "Schedule",
            Pane::Progress => "Progress",
            Pane::Program => "Exercise program",
            Pane::Clinic => "Clinic",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// The app as a pane sees it, read-only: for its update and for its view.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: NaiveDate,
    /// The app clock's time, as of its last tick.
    pub now: chrono::NaiveDateTime,
    /// The pane on screen.
    pub pane: Pane,
    /// The visit selected in the schedule, whose patient the other panes show.
    pub visit: Option<&'a Visit>,
    /// That visit's patient record, once loaded.
    pub patient: Option<&'a Patient>,
    pub keymap: &'a Keymap,
    /// Who is using the app, and their staff record if they are on the staff.
    pub user: &'a str,
    pub me: Option<&'a Staff>,
    pub staff: &'a [Staff],
    pub page_size: usize,
    /// Writes sent and not yet answered.
    pub pending_writes: usize,
    /// Where a visit or a waitlist entry made now goes (`Schedule::booking_site`).
    pub site: Option<i64>,
}

impl Context<'_> {
    pub fn patient_id(&self) -> Option<i64> {
        self.visit.map(|v| v.patient_id)
    }

    pub fn me_id(&self) -> Option<i64> {
        self.me.map(|s| s.id)
    }
}

/// What the message line should do after a pane's turn.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Message {
    #[default]
    Keep,
    Clear,
    Show(Level, String),
}

/// A pane's answer: the effects it asks for, what to tell the user, and how many writes it
/// started (each one an effect here) and saw answered.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub message: Message,
    pub writes_begun: usize,
    pub writes_ended: usize,
}

impl Outcome {
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Message::Show(level, text.into());
    }

    pub fn clear_message(&mut self) {
        self.message = Message::Clear;
    }

    /// Asks for a write, which the app tracks until its answer arrives.
    pub fn write(&mut self, effect: Effect) {
        self.begin_write();
        self.effects.push(effect);
    }

    /// Counts a write asked for among the effects returned.
    pub fn begin_write(&mut self) {
        self.writes_begun += 1;
    }

    pub fn end_write(&mut self) {
        self.writes_ended += 1;
    }
}

impl From<Vec<Effect>> for Outcome {
    fn from(effects: Vec<Effect>) -> Self {
        Self {
            effects,
            ..Self::default()
        }
    }
}

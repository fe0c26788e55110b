//! Everything the screen shows, in one place. Views read it; only `update` changes it.

use chrono::{NaiveDate, NaiveDateTime};

use super::event::Effect;
pub use super::modal::Modal;
use super::pane::{Context, Message, Outcome};
pub use super::pane::{Level, Pane};
pub use super::schedule::state::{Filter, Schedule, UndoEntry};
use crate::domain::Role;
use crate::domain::appointment::Visit;
use crate::domain::patient::Patient;
use crate::domain::pin::{Pin, PinNeed};
use crate::domain::roles::Acting;
use crate::domain::staff::Staff;

/// The idle lock's own screen: the PIN being typed (never drawn, only counted), what
/// unlocking takes, and the answer to the last attempt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockScreen {
    pub pin: Pin,
    pub need: PinNeed,
    /// An attempt is being checked: keys wait for its answer.
    pub checking: bool,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClinicInfo {
    pub user: String,
    pub db_path: String,
    pub demo: bool,
    /// Set when `PTCLINIC_TODAY` pins the date.
    pub fixed_today: bool,
    pub me: Option<Staff>,
    /// Whom the record takes the user for when they change it: the status bar says so when it
    /// is not simply them.
    pub acting: Acting,
}

pub struct AppState {
    pub info: ClinicInfo,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub pane: Pane,
    /// Pane 1's own state (the day's visits, the selection, the filter, undo).
    pub schedule: Schedule,
    pub modal: Option<Modal>,
    pub message: Option<(Level, String)>,
    pub staff: Vec<Staff>,
    pub patient: Option<Patient>,
    /// Writes sent to the database and not yet answered, and when the oldest was sent.
    pub pending_writes: usize,
    pub write_started: Option<NaiveDateTime>,
    /// Set while the clinic database cannot be reached (local time it was lost).
    pub offline_since: Option<String>,
    pub quit: bool,
    /// Quitting would drop typed work: the question is over whatever is open, which stays
    /// as it was if the answer is no.
    pub asking_quit: bool,
    /// How `?` fitted when it was last drawn (its page and its furthest line).
    pub help_fit: super::event::HelpFit,
    /// The first frame shows the visits alone; their flags are read once it is out.
    pub flags_to_load: bool,
    /// The key bindings in force (defaults plus the config's `[keys]`).
    pub keymap: super::keymap::Keymap,
    /// Minutes without a key before the screen hides patient data (0: never).
    pub idle_lock_minutes: u32,
    pub last_key_at: NaiveDateTime,
    /// The screen is locked: nothing about patients is drawn until it is unlocked (the
    /// user's PIN, or Enter for a user without one).
    pub locked: bool,
    pub lock: LockScreen,
    /// Pane 2's own state (the selected patient's measures, forms, the note editor).
    pub progress: super::progress::ProgressPane,
    /// Pane 3's own state (the program being built, the exercise search).
    pub program: super::program::ProgramPane,
    /// Pane 4's own state (the period, the grouping, the figures and a group's episodes).
    pub clinic: super::clinic::ClinicPane,
    /// The patient finder, the patients to call and a patient's record, over the panes.
    pub desk: super::record::state::Desk,
}

impl AppState {
    pub fn new(info: ClinicInfo, today: NaiveDate, now: NaiveDateTime) -> Self {
        let mine_only = info.me.as_ref().is_some_and(|s| s.role == Role::Therapist);
        Self {
            info,
            today,
            now,
            pane: Pane::Schedule,
            schedule: Schedule::new(today, mine_only),
            modal: None,
            message: None,
            staff: Vec::new(),
            patient: None,
            pending_writes: 0,
            write_started: None,
            offline_since: None,
            quit: false,
            asking_quit: false,
            help_fit: Default::default(),
            flags_to_load: false,
            keymap: super::keymap::Keymap::default(),
            idle_lock_minutes: 10,
            last_key_at: now,
            locked: false,
            lock: LockScreen::default(),
            progress: Default::default(),
            program: Default::default(),
            clinic: Default::default(),
            desk: Default::default(),
        }
    }

    /// Installs a freshly loaded day, keeping the selection on the same visit when it is
    /// still shown (else the first row).
    pub fn set_day(&mut self, day: NaiveDate, visits: Vec<Visit>, loaded_at: String) {
        let me = self.mine_id();
        self.schedule.set_day(day, visits, loaded_at, me);
    }

    /// Replaces one visit in place after a change (the reload that follows confirms it).
    pub fn replace_visit(&mut self, v: Visit) {
        let me = self.mine_id();
        self.schedule.replace_visit(v, me);
    }

    pub fn mine_id(&self) -> Option<i64> {
        self.info.me.as_ref().map(|s| s.id)
    }

    /// Recomputes the schedule's shown rows (see `Schedule::refresh_rows`).
    pub fn refresh_rows(&mut self) {
        let me = self.mine_id();
        self.schedule.refresh_rows(me);
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.schedule.selected_index()
    }

    pub fn selected_visit(&self) -> Option<&Visit> {
        self.schedule.selected_visit()
    }

    pub fn select_row(&mut self, row: usize) {
        self.schedule.select_row(row);
    }

    pub fn begin_write(&mut self) {
        self.pending_writes += 1;
        self.write_started.get_or_insert(self.now);
    }

    pub fn end_write(&mut self) {
        self.pending_writes = self.pending_writes.saturating_sub(1);
        if self.pending_writes == 0 {
            self.write_started = None;
        }
    }

    /// A write has waited a second or more: another terminal holds the lock, or the drive is slow.
    pub fn is_waiting(&self) -> bool {
        self.write_started
            .is_some_and(|t| self.now - t >= chrono::Duration::seconds(1))
    }

    pub fn is_loading(&self) -> bool {
        self.schedule.is_loading()
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    /// The app as the panes see it.
    pub fn context(&self) -> Context<'_> {
        let visit = self.selected_visit();
        Context {
            today: self.today,
            now: self.now,
            pane: self.pane,
            visit,
            patient: self
                .patient
                .as_ref()
                .filter(|p| visit.is_some_and(|v| v.patient_id == p.id)),
            keymap: &self.keymap,
            user: &self.info.user,
            me: self.info.me.as_ref(),
            staff: &self.staff,
            page_size: self.schedule.page_size,
            pending_writes: self.pending_writes,
            site: self.schedule.booking_site(),
        }
    }

    /// Takes in what a pane handed back: answered writes first, then new ones, then the message.
    pub fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
        for _ in 0..outcome.writes_ended {
            self.end_write();
        }
        for _ in 0..outcome.writes_begun {
            self.begin_write();
        }
        match outcome.message {
            Message::Keep => {}
            Message::Clear => self.message = None,
            Message::Show(level, text) => self.say(level, text),
        }
        outcome.effects
    }

    /// Counts for the header.
    pub fn counts(&self) -> crate::domain::appointment::DayCounts {
        self.schedule.counts(self.mine_id())
    }

    /// True when a form or a pane holds typed work that has not been saved.
    pub fn has_unsaved_edit(&self) -> bool {
        let in_modal = match &self.modal {
            Some(Modal::Booking(f)) => f.is_dirty(),
            Some(Modal::NewPatient(f)) => f.is_dirty(),
            Some(Modal::Series(d)) => d.is_dirty(),
            _ => false,
        };
        in_modal
            || self.progress.has_unsaved_edit()
            || self.program.has_unsaved_edit()
            || self.desk.has_unsaved_edit()
    }
}

//! Everything the screen shows, in one place. Views read it; only `update` changes it.

use chrono::{NaiveDate, NaiveDateTime};

use super::event::Effect;
use super::forms::{BookingForm, DirectoryEntry, PatientFormState};
use super::input::LineInput;
use super::pane::{Context, Message, Outcome};
pub use super::pane::{Level, Pane};
use crate::domain::appointment::{StatusSnapshot, Visit};
use crate::domain::patient::Patient;
use crate::domain::pin::{Pin, PinNeed};
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, Role};
use crate::search::{Matcher, rank_people};

/// What `u` can put back: this terminal's status changes, newest last.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub visit_id: i64,
    /// The version the change produced; undo is refused if someone changed the visit since.
    pub version: i64,
    pub previous: StatusSnapshot,
    pub now: AppointmentStatus,
}

/// Modal dialogs; while one is open it receives every key.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help,
    /// `q` with unsaved work: y quits and drops it, anything else stays.
    ConfirmQuit,
    /// `x`: first y/n, then the reason.
    Cancel {
        visit_id: i64,
        version: i64,
        confirmed: bool,
    },
    Booking(Box<BookingForm>),
    NewPatient(Box<PatientFormState>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub input: LineInput,
    /// True while the cursor is in the filter box.
    pub typing: bool,
}

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
}

pub struct AppState {
    pub info: ClinicInfo,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub pane: Pane,
    /// The day asked for; `visits` belong to `visits_day` until its load arrives.
    pub day: NaiveDate,
    pub visits_day: Option<NaiveDate>,
    pub visits: Vec<Visit>,
    pub loaded_at: Option<String>,
    /// Indices into `visits` that are shown, in time order (derived: see `refresh_rows`).
    pub rows: Vec<usize>,
    pub selected: Option<i64>,
    pub mine_only: bool,
    pub filter: Option<Filter>,
    pub modal: Option<Modal>,
    pub undo: Vec<UndoEntry>,
    pub message: Option<(Level, String)>,
    /// Bookable patients, loaded when a booking form first opens.
    pub directory: Vec<DirectoryEntry>,
    pub staff: Vec<Staff>,
    pub patient: Option<Patient>,
    /// Writes sent to the database and not yet answered, and when the oldest was sent.
    pub pending_writes: usize,
    pub write_started: Option<NaiveDateTime>,
    /// Set while the clinic database cannot be reached (local time it was lost).
    pub offline_since: Option<String>,
    pub page_size: usize,
    /// The schedule row at the top of the list: the list scrolls only when the selection
    /// would leave it.
    pub schedule_top: usize,
    pub quit: bool,
    pub matcher: Matcher,
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
}

impl AppState {
    pub fn new(info: ClinicInfo, today: NaiveDate, now: NaiveDateTime) -> Self {
        let mine_only = info.me.as_ref().is_some_and(|s| s.role == Role::Therapist);
        Self {
            info,
            today,
            now,
            pane: Pane::Schedule,
            day: today,
            visits_day: None,
            visits: Vec::new(),
            loaded_at: None,
            rows: Vec::new(),
            selected: None,
            mine_only,
            filter: None,
            modal: None,
            undo: Vec::new(),
            message: None,
            directory: Vec::new(),
            staff: Vec::new(),
            patient: None,
            pending_writes: 0,
            write_started: None,
            offline_since: None,
            page_size: 10,
            schedule_top: 0,
            quit: false,
            matcher: Matcher::default(),
            keymap: super::keymap::Keymap::default(),
            idle_lock_minutes: 10,
            last_key_at: now,
            locked: false,
            lock: LockScreen::default(),
            progress: Default::default(),
            program: Default::default(),
        }
    }

    /// Installs a freshly loaded day, keeping the selection on the same visit when it is
    /// still shown (else the first row).
    pub fn set_day(&mut self, day: NaiveDate, visits: Vec<Visit>, loaded_at: String) {
        self.day = day;
        self.visits_day = Some(day);
        self.visits = visits;
        self.loaded_at = Some(loaded_at);
        self.refresh_rows();
    }

    /// Replaces one visit in place after a change (the reload that follows confirms it).
    pub fn replace_visit(&mut self, v: crate::domain::appointment::Visit) {
        if let Some(slot) = self.visits.iter_mut().find(|x| x.id == v.id) {
            *slot = v;
        }
        self.refresh_rows();
    }

    pub fn mine_id(&self) -> Option<i64> {
        self.info.me.as_ref().map(|s| s.id)
    }

    /// Recomputes the shown rows from the day, the "mine" toggle and the patient filter, and
    /// keeps a valid selection: the best filter match while filtering, else the same visit,
    /// else the first row.
    pub fn refresh_rows(&mut self) {
        let mine = self.mine_only.then(|| self.mine_id()).flatten();
        let candidates: Vec<usize> = (0..self.visits.len())
            .filter(|&i| mine.is_none_or(|id| self.visits[i].therapist_id == id))
            .collect();
        let query = self
            .filter
            .as_ref()
            .map(|f| f.input.text().trim().to_string())
            .unwrap_or_default();
        if query.is_empty() {
            self.rows = candidates;
        } else {
            let hits = rank_people(
                &self.matcher,
                &query,
                candidates.iter().map(|&i| {
                    (
                        self.visits[i].patient_name.as_str(),
                        self.visits[i].mrn.as_str(),
                    )
                }),
            );
            let best = hits.first().map(|h| self.visits[candidates[h.index]].id);
            let mut rows: Vec<usize> = hits.iter().map(|h| candidates[h.index]).collect();
            rows.sort_unstable();
            self.rows = rows;
            if self.filter.as_ref().is_some_and(|f| f.typing) {
                self.selected = best;
            }
        }
        let still_shown = self
            .selected
            .is_some_and(|id| self.rows.iter().any(|&i| self.visits[i].id == id));
        if !still_shown {
            self.selected = self.rows.first().map(|&i| self.visits[i].id);
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected?;
        self.rows.iter().position(|&i| self.visits[i].id == id)
    }

    pub fn selected_visit(&self) -> Option<&Visit> {
        let id = self.selected?;
        self.visits.iter().find(|v| v.id == id)
    }

    pub fn select_row(&mut self, row: usize) {
        if let Some(&i) = self.rows.get(row) {
            self.selected = Some(self.visits[i].id);
        }
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
        self.visits_day != Some(self.day)
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    /// The app as the panes see it.
    pub fn context(&self) -> Context<'_> {
        let visit = self.selected_visit();
        Context {
            today: self.today,
            pane: self.pane,
            visit,
            patient: self
                .patient
                .as_ref()
                .filter(|p| visit.is_some_and(|v| v.patient_id == p.id)),
            keymap: &self.keymap,
            page_size: self.page_size,
            pending_writes: self.pending_writes,
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

    /// Counts for the header: booked, arrived (checked in or completed), no-show, cancelled.
    pub fn counts(&self) -> [usize; 4] {
        let mine = self.mine_only.then(|| self.mine_id()).flatten();
        let mut c = [0; 4];
        for v in self
            .visits
            .iter()
            .filter(|v| mine.is_none_or(|id| v.therapist_id == id))
        {
            match v.status {
                AppointmentStatus::Scheduled => c[0] += 1,
                AppointmentStatus::CheckedIn | AppointmentStatus::Completed => c[1] += 1,
                AppointmentStatus::NoShow => c[2] += 1,
                AppointmentStatus::Cancelled => c[3] += 1,
            }
        }
        c[0] += c[1] + c[2];
        c
    }

    /// True when a form or a pane holds typed work that has not been saved.
    pub fn has_unsaved_edit(&self) -> bool {
        let in_modal = match &self.modal {
            Some(Modal::Booking(f)) => f.is_dirty(),
            Some(Modal::NewPatient(f)) => f.is_dirty(),
            _ => false,
        };
        in_modal || self.progress.has_unsaved_edit() || self.program.has_unsaved_edit()
    }
}

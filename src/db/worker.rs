//! The thread that owns the SQLite connection. The UI sends it requests and keeps drawing;
//! replies come back on a channel, so a slow network drive never freezes the screen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use chrono::NaiveDate;
use tokio::sync::mpsc::UnboundedSender;

use super::Db;
use super::Who;
use super::schedule::{Booking, StatusChange};
use super::staff::PinState;
use crate::clock::{Clock, stamp};
use crate::domain::appointment::{StatusSnapshot, Visit};
use crate::domain::patient::{NewPatient, Patient};
use crate::domain::pin::{Pin, PinNeed};
use crate::domain::staff::Staff;
use crate::domain::waitlist::{FreedSlot, WaitlistEntry};
use crate::domain::{AppointmentStatus, CancelReason};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub enum Request {
    LoadDay(NaiveDate),
    /// A patient's record for pane 3's header (its opening is audited by the program's load).
    LoadPatient(i64),
    /// About once a second: has another terminal committed? Is the file still there?
    Poll(NaiveDate),
    LoadDirectory,
    SetStatus {
        id: i64,
        seen_version: i64,
        to: AppointmentStatus,
        reason: Option<CancelReason>,
    },
    Undo {
        id: i64,
        seen_version: i64,
        previous: StatusSnapshot,
    },
    TherapistDay {
        therapist_id: i64,
        day: NaiveDate,
    },
    Book(Booking),
    Reschedule {
        id: i64,
        seen_version: i64,
        booking: Booking,
    },
    Register(NewPatient),
    /// Who on the waitlist fits the slot a cancellation or a no-show at this terminal freed.
    WaitlistFits(FreedSlot),
    /// A booking made from a waitlist entry, which takes the entry off the list in the same
    /// transaction (answered with `Reply::Booked`).
    BookFromWaitlist {
        entry_id: i64,
        booking: Booking,
    },
    /// A booking made here undone within minutes: its row deleted if untouched since.
    Unbook {
        id: i64,
        seen_version: i64,
    },
    /// The week view: the week from this Monday, with the clinic's hours (Some), or the week
    /// view closed (None). While a week is shown it comes back, fresh, with every fresh day.
    LoadWeek(Option<NaiveDate>),
    /// The screen has just locked: what does unlocking take (a PIN, or Enter for a user
    /// without one)?
    Locked,
    /// An attempt to lift the idle lock, checked against the user's PIN hash here, off the
    /// UI thread (audited: who came back, and when; three wrong PINs in a row).
    Unlock {
        pin: Pin,
    },
    /// Pane 2's work (progress, measures, notes).
    Progress(super::progress_work::ProgressRequest),
    /// Pane 4: a period's episodes for the clinic's outcome figures.
    Clinic(super::clinic_work::ClinicRequest),
    /// Pane 3's work (exercise programs).
    Program(super::program_work::ProgramRequest),
    /// The patient finder's, the patient record's and the call list's work.
    Record(super::record_work::RecordRequest),
    /// The booking form's series and free slots, and "this and the following ones".
    Series(super::series_work::SeriesWork),
    /// The patient's answer about a visit, as the desk took it (a call, a reply it read),
    /// for the visit at the version the desk saw.
    Answer {
        id: i64,
        seen_version: i64,
        answer: crate::domain::messages::Confirmation,
    },
}

#[derive(Debug, Clone)]
pub enum Reply {
    Day {
        day: NaiveDate,
        visits: Vec<Visit>,
        loaded_at: String,
    },

    Patient(Option<Patient>),
    /// Everyone bookable: active patients and staff, with the clinic's hours and closed dates
    /// the booking form reads times within and warns of.
    Directory {
        patients: Vec<Patient>,
        staff: Vec<Staff>,
        calendar: crate::domain::clinic_hours::ClinicCalendar,
    },
    StatusChanged(StatusChange),
    Undone(Visit),
    TherapistDay {
        therapist_id: i64,
        day: NaiveDate,
        visits: Vec<Visit>,
    },
    Booked(Visit),
    Rescheduled(Visit),
    /// The booking undone: the visit as it was, now off the schedule.
    Unbooked(Visit),
    /// The week from `monday`: its visits in time order (without flags) and the clinic's
    /// hours and closed dates.
    Week {
        monday: NaiveDate,
        visits: Vec<Visit>,
        calendar: crate::domain::clinic_hours::ClinicCalendar,
        loaded_at: String,
    },
    Registered {
        id: i64,
        mrn: String,
    },
    /// The open waitlist entries that fit a freed slot, best first.
    WaitlistFits {
        slot: FreedSlot,
        entries: Vec<WaitlistEntry>,
    },
    /// A request failed: `asked` says whose it was and whether it was a change (which the UI
    /// was waiting on), so that the failure reaches the one that asked.
    Failed {
        asked: Asked,
        error: AppError,
    },
    Progress(super::progress_work::ProgressReply),
    Clinic(super::clinic_work::ClinicReply),
    Program(super::program_work::ProgramReply),
    Record(super::record_work::RecordReply),
    Series(super::series_work::SeriesWorkReply),
    /// The answer about a visit recorded (or already so).
    Answered(super::confirmations::Answered),
    /// A poll found nothing new.
    Quiet,
    /// Something worth a line in the status bar (a finished background backup).
    Note(String),
    /// The file cannot be reached (since this local time); the worker keeps retrying.
    Offline {
        since: String,
    },
    /// The file is back; a fresh day follows.
    Online,
    /// The idle lock's answers.
    Lock(LockReply),
    /// The file at the path was replaced (a backup restored, a record rebuilt) and has been
    /// opened in place of the old one; what was loaded from the old one is to be read again.
    Replaced {
        note: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockReply {
    /// What unlocking takes (the answer to `Request::Locked`).
    Needs(PinNeed),
    /// The lock is lifted: by the PIN (`Pin`), or by Enter for a user without one. `note`
    /// says when the unlock could not be written to the audit log.
    Unlocked { by: PinNeed, note: Option<String> },
    /// Not the PIN; `in_a_row` counts the wrong ones since the last unlock.
    WrongPin { in_a_row: u32 },
    /// The user has a PIN (set since the screen locked) and nothing was typed.
    PinNeeded,
    /// The PIN could not be checked (nothing is known about it and the file cannot be read).
    CannotCheck(String),
}

/// Who sent a request and whether it changes the record: what a failure carries back in place
/// of the request itself (none of its payload, so never a PIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub by: Asker,
    pub write: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// The day, its poll, the patient of pane 3's header, the record reopened.
    Schedule,
    Progress,
    Program,
    Clinic,
    /// The patient finder, the patient record and the call list.
    Record,
    Lock,
    /// The terminal's own work, asked for by no one: the daily backup.
    Background,
}

impl Asked {
    /// A read made for the schedule (the day, the poll, the day again after a change).
    pub const DAY: Asked = Asked {
        by: Asker::Schedule,
        write: false,
    };
}

/// Every this many wrong PINs in a row write an audit row.
pub const WRONG_PINS_AUDITED: u32 = 3;

impl Request {
    pub fn asked(&self) -> Asked {
        let by = match self {
            Request::Progress(_) => Asker::Progress,
            Request::Clinic(_) => Asker::Clinic,
            Request::Program(_) => Asker::Program,
            Request::Record(_) => Asker::Record,
            Request::Locked | Request::Unlock { .. } => Asker::Lock,
            _ => Asker::Schedule,
        };
        Asked {
            by,
            write: self.is_write(),
        }
    }

    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Request::SetStatus { .. }
                | Request::Undo { .. }
                | Request::Book(_)
                | Request::Reschedule { .. }
                | Request::Register(_)
                | Request::BookFromWaitlist { .. }
                | Request::Unbook { .. }
                | Request::Answer { .. }
        ) || match self {
            Request::Progress(r) => r.is_write(),
            Request::Program(r) => r.is_write(),
            Request::Record(r) => r.is_write(),
            Request::Series(r) => r.is_write(),
            _ => false,
        }
    }
}

pub struct Worker {
    db: Db,
    user: String,
    clock: Clock,
    /// `PRAGMA data_version` at the last poll: it changes when another connection commits.
    seen_version: Option<i64>,
    offline_since: Option<String>,
    /// Set by the UI when it sends a poll, cleared here when one is handled: at most one poll
    /// waits in the queue, however long a write or a dead drive holds this thread.
    poll_pending: Arc<AtomicBool>,
    /// A replacement file that could not be opened: it is tried again at each poll but
    /// reported once.
    refused_file: Option<super::FileId>,
    /// The user's PIN as last read: a terminal whose drive is gone still unlocks with it.
    pin: Option<PinState>,
    wrong_pins: u32,
    /// The day the screen shows (the last one loaded or polled): after a change made here, its
    /// visits and flags go back with the answer, so the screen needs no second round trip.
    shown_day: Option<NaiveDate>,
    /// The Monday of the week the screen shows, if it shows one: it goes back with each day.
    shown_week: Option<NaiveDate>,
}

impl Worker {
    /// `db` is the connection the first screen was read with: changes committed elsewhere
    /// from now on show up at the first poll.
    pub fn new(db: Db, user: String, clock: Clock) -> Self {
        let seen_version = db.data_version().ok();
        let pin = db.pin_state(&user).ok();
        Self {
            db,
            user,
            clock,
            seen_version,
            offline_since: None,
            poll_pending: Arc::new(AtomicBool::new(false)),
            refused_file: None,
            pin,
            wrong_pins: 0,
            shown_day: None,
            shown_week: None,
        }
    }

    /// The flag the UI checks before queueing another poll (see `poll_pending`).
    pub fn poll_flag(&self) -> Arc<AtomicBool> {
        self.poll_pending.clone()
    }

    fn reachable(&self) -> bool {
        self.db.reachable()
    }

    fn offline_error(&self) -> AppError {
        AppError::of(
            crate::error::ErrorKind::Offline,
            format!(
                "the clinic database cannot be reached (since {}); nothing was changed: try again when it is back",
                self.offline_since
                    .as_deref()
                    .and_then(|t| t.get(11..16))
                    .unwrap_or("now")
            ),
        )
    }

    fn poll(&mut self, day: NaiveDate, at: &str) -> Reply {
        self.poll_pending.store(false, Ordering::Release);
        if !self.reachable() {
            if self.offline_since.is_none() {
                self.offline_since = Some(at.to_string());
                return Reply::Offline {
                    since: at.to_string(),
                };
            }
            return Reply::Quiet;
        }
        if self.offline_since.is_some() {
            // Reconnect with a fresh connection: the old handle may point at a stale file, or
            // at a server connection that is gone.
            match self.db.reopen() {
                Ok(db) => {
                    self.db = db;
                    self.offline_since = None;
                    self.seen_version = None;
                    return Reply::Online;
                }
                Err(_) => return Reply::Quiet,
            }
        }
        if let Some(reply) = self.reopen_if_replaced() {
            return reply;
        }
        match self.db.data_version() {
            Ok(v) if self.seen_version == Some(v) => Reply::Quiet,
            Ok(v) => {
                self.seen_version = Some(v);
                match self.db.day(day) {
                    Ok(visits) => Reply::Day {
                        day,
                        visits,
                        loaded_at: at.to_string(),
                    },
                    Err(error) => Reply::Failed {
                        asked: Asked::DAY,
                        error,
                    },
                }
            }
            Err(_) => {
                self.offline_since = Some(at.to_string());
                Reply::Offline {
                    since: at.to_string(),
                }
            }
        }
    }

    /// The user's PIN, read again when the file can be read (a PIN set a minute ago counts),
    /// else as last read.
    fn pin_state(&mut self) -> Option<PinState> {
        if self.offline_since.is_none() || self.reachable() {
            if let Ok(state) = self.db.pin_state(&self.user) {
                self.pin = Some(state);
            }
        }
        self.pin.clone()
    }

    fn lock_needs(&mut self) -> Reply {
        Reply::Lock(LockReply::Needs(match self.pin_state() {
            Some(PinState::NotStaff) => PinNeed::NotStaff,
            Some(PinState::NoPin(_)) => PinNeed::NoPin,
            // Unknown counts as a PIN: the screen stays shut rather than open by mistake.
            Some(PinState::Set(..)) | None => PinNeed::Pin,
        }))
    }

    fn unlock(&mut self, pin: Pin, at: &str) -> Reply {
        let by = match self.pin_state() {
            None => {
                return Reply::Lock(LockReply::CannotCheck(
                    "the PIN cannot be checked while the clinic database cannot be reached: try again when it is back".into(),
                ));
            }
            Some(PinState::NotStaff) => PinNeed::NotStaff,
            Some(PinState::NoPin(_)) => PinNeed::NoPin,
            Some(PinState::Set(_, hash)) => {
                if pin.is_empty() {
                    return Reply::Lock(LockReply::PinNeeded);
                }
                if !pin.verify(&hash) {
                    self.wrong_pins += 1;
                    if self.wrong_pins % WRONG_PINS_AUDITED == 0 {
                        // Best effort: an unreachable file must not keep the count from the
                        // screen; the next multiple tries again.
                        let _ = self.session_event(
                            "session.pin_failed",
                            serde_json::json!({ "count": self.wrong_pins }),
                            at,
                        );
                    }
                    return Reply::Lock(LockReply::WrongPin {
                        in_a_row: self.wrong_pins,
                    });
                }
                PinNeed::Pin
            }
        };
        drop(pin);
        let failures = std::mem::take(&mut self.wrong_pins);
        let detail = serde_json::json!({ "pin": by == PinNeed::Pin, "wrong_before": failures });
        let note = self
            .session_event("session.unlock", detail, at)
            .err()
            .map(|e| {
                format!(
                    "the unlock could not be written to the audit log: {}",
                    e.message
                )
            });
        Reply::Lock(LockReply::Unlocked { by, note })
    }

    /// A session event in the audit log; skipped while the file is known to be unreachable,
    /// where a write would only wait and fail.
    fn session_event(
        &mut self,
        action: &str,
        detail: serde_json::Value,
        at: &str,
    ) -> Result<(), AppError> {
        if self.offline_since.is_some() {
            return Err(self.offline_error());
        }
        let who = Who {
            user: &self.user,
            at,
        };
        self.db.record_session_event(action, detail, who)
    }

    /// A file renamed over the path (a restored backup, a rebuilt record) is not the file the
    /// connection has open: SQLite would keep reading the old one and refuse every write as
    /// read-only. Opening the path again follows the new file.
    fn reopen_if_replaced(&mut self) -> Option<Reply> {
        let now = super::file_identity(self.db.path())?;
        if self.db.file_id().is_none_or(|open| open == now) {
            return None;
        }
        let shown = self.db.path_text();
        match self.db.reopen() {
            Ok(db) => {
                self.db = db;
                self.seen_version = self.db.data_version().ok();
                self.refused_file = None;
                Some(Reply::Replaced {
                    note: format!(
                        "the clinic record at {shown} was replaced (restored or rebuilt): reopened"
                    ),
                })
            }
            Err(_) if self.refused_file == Some(now) => Some(Reply::Quiet),
            Err(e) => {
                self.refused_file = Some(now);
                Some(Reply::Failed {
                    asked: Asked::DAY,
                    error: AppError::failure(format!(
                        "the clinic record at {shown} was replaced, and the new file cannot be opened ({}); this screen shows the old one until it can",
                        e.message
                    )),
                })
            }
        }
    }

    /// Runs on its own thread until the UI drops its sender. Requests already queued are
    /// still carried out after the UI has gone (a write is never dropped on quit); join the
    /// handle to wait for them.
    pub fn spawn(
        self,
        replies: UnboundedSender<Reply>,
    ) -> std::io::Result<(mpsc::Sender<Request>, std::thread::JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel::<Request>();
        let handle = std::thread::Builder::new()
            .name("ptclinic-db".into())
            .spawn(move || {
                let mut worker = self;
                for request in rx {
                    for reply in worker.answer(request) {
                        let _ = replies.send(reply);
                    }
                }
            })?;
        Ok((tx, handle))
    }

    /// Everything a request is answered with: its own reply and, after a change made at this
    /// terminal, the shown day with its flags as they now are (a status change, a note marked
    /// as the progress report or recorded adherence can each change a flag). The UI takes them
    /// in together and draws once.
    pub fn answer(&mut self, request: Request) -> Vec<Reply> {
        if let Request::LoadDay(day) | Request::Poll(day) = request {
            self.shown_day = Some(day);
        }
        let write = request.is_write();
        let reply = self.handle(request);
        let changed = write && !matches!(reply, Reply::Failed { .. });
        let mut replies = vec![reply];
        if let (true, Some(day)) = (changed, self.shown_day) {
            replies.push(match self.db.day(day) {
                Ok(visits) => Reply::Day {
                    day,
                    visits,
                    loaded_at: stamp(self.clock.now()),
                },
                Err(error) => Reply::Failed {
                    asked: Asked::DAY,
                    error,
                },
            });
        }
        // A fresh day (a change here, or one a poll found) brings the shown week with it.
        let fresh_day = replies.iter().any(|r| matches!(r, Reply::Day { .. }));
        if let (true, Some(monday)) = (fresh_day, self.shown_week) {
            replies.push(self.week_reply(monday));
        }
        replies
    }

    fn week_reply(&self, monday: NaiveDate) -> Reply {
        let read = || -> Result<Reply, AppError> {
            Ok(Reply::Week {
                monday,
                visits: self.db.week(monday)?,
                calendar: self.db.clinic_calendar()?,
                loaded_at: stamp(self.clock.now()),
            })
        };
        read().unwrap_or_else(|error| Reply::Failed {
            asked: Asked::DAY,
            error,
        })
    }

    pub fn handle(&mut self, request: Request) -> Reply {
        let at = stamp(self.clock.now());
        let asked = request.asked();
        let write = asked.write;
        // A change meant for the old file's day would be refused as read-only: the new file is
        // opened first, and nothing is changed until the user has seen its day.
        if write && self.offline_since.is_none() {
            match self.reopen_if_replaced() {
                Some(Reply::Replaced { note }) => {
                    return Reply::Failed {
                        asked,
                        error: AppError::failure(format!(
                            "{note}; nothing was changed: check the day and try again"
                        )),
                    };
                }
                Some(Reply::Failed { error, .. }) => return Reply::Failed { asked, error },
                _ => {}
            }
        }
        let who = Who {
            user: &self.user,
            at: &at,
        };
        // The lock is answered from the PIN as last read when the file is gone: a clinic whose
        // drive is down still needs its screens.
        let own_way = matches!(
            request,
            Request::Poll(_) | Request::Locked | Request::Unlock { .. }
        );
        if !own_way && self.offline_since.is_some() && (write || !self.reachable()) {
            return Reply::Failed {
                asked,
                error: self.offline_error(),
            };
        }
        let result = match request {
            Request::Poll(day) => return self.poll(day, &at),
            Request::LoadWeek(week) => {
                self.shown_week = week;
                return match week {
                    Some(monday) => self.week_reply(monday),
                    None => Reply::Quiet,
                };
            }
            Request::Locked => return self.lock_needs(),
            Request::Unlock { pin } => return self.unlock(pin, &at),
            Request::Progress(r) => r.handle(&mut self.db, who).map(Reply::Progress),
            Request::Clinic(r) => r.handle(&mut self.db, who).map(Reply::Clinic),
            Request::Program(r) => r.handle(&mut self.db, who).map(Reply::Program),
            Request::Record(r) => r.handle(&mut self.db, who).map(Reply::Record),
            Request::Series(r) => r.handle(&mut self.db, who).map(Reply::Series),
            Request::LoadDay(day) => self.db.day(day).map(|visits| Reply::Day {
                day,
                visits,
                loaded_at: at.clone(),
            }),
            Request::LoadPatient(id) => self.db.patient(id).map(Reply::Patient),
            Request::LoadDirectory => self.db.active_patients().and_then(|patients| {
                Ok(Reply::Directory {
                    patients,
                    staff: self.db.staff()?,
                    calendar: self.db.clinic_calendar()?,
                })
            }),
            Request::SetStatus {
                id,
                seen_version,
                to,
                reason,
            } => self
                .db
                .set_status(id, Some(seen_version), to, reason, who)
                .map(Reply::StatusChanged),
            Request::Undo {
                id,
                seen_version,
                previous,
            } => self
                .db
                .restore_status(id, seen_version, &previous, who)
                .map(Reply::Undone),
            Request::TherapistDay { therapist_id, day } => self
                .db
                .therapist_bookings(therapist_id, day)
                .map(|visits| Reply::TherapistDay {
                    therapist_id,
                    day,
                    visits,
                }),
            Request::Book(b) => self.db.book(&b, who).map(Reply::Booked),
            Request::Unbook { id, seen_version } => {
                self.db.unbook(id, seen_version, who).map(Reply::Unbooked)
            }
            Request::Reschedule {
                id,
                seen_version,
                booking,
            } => self
                .db
                .reschedule(id, seen_version, &booking, who)
                .map(Reply::Rescheduled),
            Request::WaitlistFits(slot) => self
                .db
                .waitlist_fitting(&slot)
                .map(|entries| Reply::WaitlistFits { slot, entries }),
            Request::BookFromWaitlist { entry_id, booking } => self
                .db
                .book_from_waitlist(entry_id, &booking, who)
                .map(Reply::Booked),
            Request::Answer {
                id,
                seen_version,
                answer,
            } => self
                .db
                .record_answer(
                    id,
                    Some(seen_version),
                    answer,
                    crate::domain::messages::AnswerVia::Desk,
                    who,
                )
                .map(Reply::Answered),
            Request::Register(p) => self
                .db
                .register_patient(&p, &self.user, &at)
                .map(|(id, mrn)| Reply::Registered { id, mrn }),
        };
        result.unwrap_or_else(|error| Reply::Failed { asked, error })
    }
}

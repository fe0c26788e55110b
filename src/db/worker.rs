//! The thread that owns the SQLite connection. The UI sends it requests and keeps drawing;
//! replies come back on a channel, so a slow network drive never freezes the screen.

use std::sync::mpsc;

use chrono::NaiveDate;
use tokio::sync::mpsc::UnboundedSender;

use super::Db;
use super::schedule::{Booking, StatusChange, Who};
use crate::clock::{Clock, stamp};
use crate::domain::appointment::{StatusSnapshot, Visit};
use crate::domain::patient::{NewPatient, Patient};
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, CancelReason};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub enum Request {
    LoadDay(NaiveDate),
    LoadPatient(i64),
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
}

#[derive(Debug, Clone)]
pub enum Reply {
    Day {
        day: NaiveDate,
        visits: Vec<Visit>,
        loaded_at: String,
    },
    Patient(Option<Patient>),
    /// Everyone bookable: active patients and staff.
    Directory {
        patients: Vec<Patient>,
        staff: Vec<Staff>,
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
    Registered {
        id: i64,
        mrn: String,
    },
    /// A request failed; `write` tells whether it was a change (which the UI was waiting on).
    Failed {
        error: AppError,
        write: bool,
    },
}

impl Request {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Request::SetStatus { .. }
                | Request::Undo { .. }
                | Request::Book(_)
                | Request::Reschedule { .. }
                | Request::Register(_)
        )
    }
}

pub struct Worker {
    db: Db,
    user: String,
    clock: Clock,
}

impl Worker {
    pub fn new(db: Db, user: String, clock: Clock) -> Self {
        Self { db, user, clock }
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
                    let _ = replies.send(worker.handle(request));
                }
            })?;
        Ok((tx, handle))
    }

    pub fn handle(&mut self, request: Request) -> Reply {
        let at = stamp(self.clock.now());
        let who = Who {
            user: &self.user,
            at: &at,
        };
        let write = request.is_write();
        let result = match request {
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
            Request::Reschedule {
                id,
                seen_version,
                booking,
            } => self
                .db
                .reschedule(id, seen_version, &booking, who)
                .map(Reply::Rescheduled),
            Request::Register(p) => self
                .db
                .register_patient(&p, &self.user, &at)
                .map(|(id, mrn)| Reply::Registered { id, mrn }),
        };
        result.unwrap_or_else(|error| Reply::Failed { error, write })
    }
}

//! Pane 1: the day's schedule. Its keys (moving, the day shown, the filter, "mine", check-in,
//! no-show, cancel, undo), its dialogs (cancel, book or move a visit, register a patient) and
//! the database's answers to them. The day's list lives in the app's state: every other pane
//! shows the patient of the visit selected here.

pub mod state;
pub mod view;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};

use super::event::Effect;
use super::forms::{BookingField, BookingForm, BookingMode, DirectoryEntry, FormOutcome};
use super::keymap::Action;
use super::state::{AppState, Filter, Level, Modal, UndoEntry};
use crate::db::schedule::{Booking, StatusChange};
use crate::db::worker::{Reply, Request};
use crate::domain::appointment::{Transition, Visit};
use crate::domain::{AppointmentStatus, CancelReason};

/// Keys while typing in the filter; None hands the key on to the list (↑/↓ keep working).
pub fn on_filter_key(state: &mut AppState, key: &KeyEvent) -> Option<Vec<Effect>> {
    let filter = state.schedule.filter.as_mut()?;
    match key.code {
        KeyCode::Esc => {
            state.schedule.filter = None;
            state.refresh_rows();
        }
        KeyCode::Enter => {
            filter.typing = false;
            if filter.input.is_empty() {
                state.schedule.filter = None;
            }
            state.refresh_rows();
        }
        KeyCode::Up
        | KeyCode::Down
        | KeyCode::PageUp
        | KeyCode::PageDown
        | KeyCode::Tab
        | KeyCode::BackTab => {
            return None;
        }
        _ => {
            if filter.input.handle(key) {
                state.refresh_rows();
            }
        }
    }
    Some(Vec::new())
}

/// Moves the selection to the row `to` picks from the current one and the last; false when
/// there are no rows.
pub fn move_selection(state: &mut AppState, to: impl FnOnce(usize, usize) -> usize) -> bool {
    if state.schedule.rows.is_empty() {
        return false;
    }
    let last = state.schedule.rows.len() - 1;
    let current = state.selected_index().unwrap_or(0);
    state.select_row(to(current, last).min(last));
    true
}

fn go_to_day(state: &mut AppState, day: chrono::NaiveDate) -> Vec<Effect> {
    state.schedule.day = day;
    vec![Effect::Db(Request::LoadDay(day))]
}

/// Actions that change the record; while the drive is gone the day shown is read-only.
pub fn is_write(action: Action) -> bool {
    matches!(
        action,
        Action::CheckIn
            | Action::NoShow
            | Action::Cancel
            | Action::Undo
            | Action::Book
            | Action::Reschedule
            | Action::NewPatient
    )
}

/// The schedule's commands other than moving: the day shown, the filter, "mine", the status
/// changes, undo and opening the dialogs.
pub fn on_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::PrevDay => go_to_day(state, state.schedule.day - Duration::days(1)),
        Action::NextDay => go_to_day(state, state.schedule.day + Duration::days(1)),
        Action::Today => go_to_day(state, state.today),
        Action::Filter => {
            let filter = state.schedule.filter.get_or_insert_with(Filter::default);
            filter.typing = true;
            Vec::new()
        }
        Action::ClearFilter => {
            if state.schedule.filter.take().is_some() {
                state.refresh_rows();
            }
            Vec::new()
        }
        Action::ToggleMine => {
            if state.info.me.is_none() {
                let user = state.info.user.clone();
                state.say(Level::Warning, format!("{user} is not on the staff list, so there are no visits of yours: showing everyone"));
            } else {
                state.schedule.mine_only = !state.schedule.mine_only;
                state.refresh_rows();
            }
            Vec::new()
        }
        Action::CheckIn => change_status(state, AppointmentStatus::CheckedIn, None),
        Action::NoShow => change_status(state, AppointmentStatus::NoShow, None),
        Action::Cancel => {
            let Some(v) = state.selected_visit() else {
                return Vec::new();
            };
            match v
                .status
                .transition_to(AppointmentStatus::Cancelled, v.start.date(), state.today)
            {
                Transition::Change => {
                    state.modal = Some(Modal::Cancel {
                        visit_id: v.id,
                        version: v.version,
                        confirmed: false,
                    });
                }
                Transition::Unchanged => state.say(Level::Info, "this visit is already cancelled"),
                Transition::Refused(why) => state.say(Level::Warning, why),
            }
            Vec::new()
        }
        Action::Undo => match state.schedule.undo.pop() {
            Some(entry) => {
                state.begin_write();
                vec![Effect::Db(Request::Undo {
                    id: entry.visit_id,
                    seen_version: entry.version,
                    previous: entry.previous,
                })]
            }
            None => {
                state.say(Level::Info, "nothing to undo");
                Vec::new()
            }
        },
        Action::Book => {
            let me = state
                .info
                .me
                .as_ref()
                .filter(|s| s.role == crate::domain::Role::Therapist);
            state.modal = Some(Modal::Booking(Box::new(BookingForm::new(
                state.schedule.day,
                me,
            ))));
            vec![Effect::Db(Request::LoadDirectory)]
        }
        Action::Reschedule => {
            let Some(v) = state.selected_visit() else {
                return Vec::new();
            };
            if v.status != AppointmentStatus::Scheduled {
                let status = v.status.label();
                state.say(
                    Level::Warning,
                    format!("only a scheduled visit can be moved; this one is {status}"),
                );
                return Vec::new();
            }
            state.modal = Some(Modal::Booking(Box::new(BookingForm::reschedule(v))));
            vec![Effect::Db(Request::LoadDirectory)]
        }
        Action::NewPatient => {
            state.modal = Some(Modal::NewPatient(Box::default()));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn change_status(
    state: &mut AppState,
    to: AppointmentStatus,
    reason: Option<CancelReason>,
) -> Vec<Effect> {
    let Some(v) = state.selected_visit() else {
        state.say(Level::Info, "no visit selected");
        return Vec::new();
    };
    match v.status.transition_to(to, v.start.date(), state.today) {
        Transition::Refused(why) => {
            state.say(Level::Warning, why);
            Vec::new()
        }
        Transition::Unchanged => {
            let note = match (to, v.checked_in_at.as_deref().and_then(|t| t.get(11..16))) {
                (AppointmentStatus::CheckedIn, Some(at)) => format!("already checked in at {at}"),
                _ => format!("already {}", to.label()),
            };
            state.say(Level::Info, note);
            Vec::new()
        }
        Transition::Change => {
            let (id, seen_version) = (v.id, v.version);
            state.begin_write();
            vec![Effect::Db(Request::SetStatus {
                id,
                seen_version,
                to,
                reason,
            })]
        }
    }
}

/// Keys in the schedule's dialogs: cancel a visit, book or move one, register a patient.
pub fn on_dialog_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.modal.as_mut() else {
        return Vec::new();
    };
    match modal {
        Modal::Cancel {
            visit_id,
            version,
            confirmed,
        } => {
            let (id, version) = (*visit_id, *version);
            if !*confirmed {
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => *confirmed = true,
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => state.modal = None,
                    _ => {}
                }
                return Vec::new();
            }
            let reason = match key.code {
                KeyCode::Char('p') => CancelReason::Patient,
                KeyCode::Char('c') => CancelReason::Clinic,
                KeyCode::Char('l') => CancelReason::Late,
                KeyCode::Esc => {
                    state.modal = None;
                    return Vec::new();
                }
                _ => return Vec::new(),
            };
            state.modal = None;
            state.begin_write();
            vec![Effect::Db(Request::SetStatus {
                id,
                seen_version: version,
                to: AppointmentStatus::Cancelled,
                reason: Some(reason),
            })]
        }
        Modal::Booking(form) => {
            if form.saving {
                return Vec::new();
            }
            match form.handle_key(key, &state.schedule.matcher, &state.schedule.directory) {
                FormOutcome::Stay => Vec::new(),
                FormOutcome::Close => {
                    state.modal = None;
                    Vec::new()
                }
                FormOutcome::Submit => submit_booking(state),
            }
        }
        Modal::NewPatient(form) => {
            if form.saving {
                return Vec::new();
            }
            match form.handle_key(key) {
                FormOutcome::Stay => Vec::new(),
                FormOutcome::Close => {
                    state.modal = None;
                    Vec::new()
                }
                FormOutcome::Submit => match form.form().validate(state.today) {
                    Err((field, message)) => {
                        form.focus_field(field);
                        form.error = Some((field, message));
                        Vec::new()
                    }
                    Ok(patient) => {
                        form.error = None;
                        form.saving = true;
                        state.begin_write();
                        vec![Effect::Db(Request::Register(patient))]
                    }
                },
            }
        }
        Modal::Help | Modal::ConfirmQuit => Vec::new(),
    }
}

fn booking_form(state: &mut AppState) -> Option<&mut BookingForm> {
    match state.modal.as_mut() {
        Some(Modal::Booking(f)) => Some(f),
        _ => None,
    }
}

/// The visits a booking would overlap, other than the one being moved.
fn clashes<'a>(visits: &'a [Visit], b: &Booking, moving: Option<i64>) -> Vec<&'a Visit> {
    visits
        .iter()
        .filter(|v| {
            v.therapist_id == b.therapist_id
                && v.status != AppointmentStatus::Cancelled
                && Some(v.id) != moving
                && v.overlaps(b.start, b.minutes)
        })
        .collect()
}

fn clash_warning(clashing: &[&Visit]) -> String {
    let list: Vec<String> = clashing
        .iter()
        .map(|v| {
            format!(
                "{}–{} {}",
                v.start.format("%H:%M"),
                v.end().format("%H:%M"),
                v.patient_name
            )
        })
        .collect();
    format!(
        "{} is already booked then: {}",
        clashing[0].therapist_initials,
        list.join(", ")
    )
}

fn moving_id(form: &BookingForm) -> Option<i64> {
    match form.mode {
        BookingMode::Move { visit_id, .. } => Some(visit_id),
        BookingMode::New => None,
    }
}

fn submit_booking(state: &mut AppState) -> Vec<Effect> {
    let staff = state.staff.clone();
    let shown_day = state.schedule.visits_day;
    let visits = std::mem::take(&mut state.schedule.visits);
    let effects = (|| {
        let form = booking_form(state)?;
        let booking = match form.validate(&staff) {
            Ok(b) => b,
            Err((field, message)) => {
                form.focus = BookingField::ALL
                    .iter()
                    .position(|f| *f == field)
                    .unwrap_or(0);
                form.error = Some((field, message));
                return Some(Vec::new());
            }
        };
        form.error = None;
        if form
            .warning
            .as_ref()
            .is_some_and(|(warned, _)| *warned == booking)
        {
            return Some(save_booking(form, booking));
        }
        if shown_day == Some(booking.start.date()) {
            let clashing = clashes(&visits, &booking, moving_id(form));
            if !clashing.is_empty() {
                form.warning = Some((booking, clash_warning(&clashing)));
                return Some(Vec::new());
            }
            return Some(save_booking(form, booking));
        }
        form.saving = true;
        Some(vec![Effect::Db(Request::TherapistDay {
            therapist_id: booking.therapist_id,
            day: booking.start.date(),
        })])
    })();
    state.schedule.visits = visits;
    let effects = effects.unwrap_or_default();
    if effects
        .iter()
        .any(|e| matches!(e, Effect::Db(r) if r.is_write()))
    {
        state.begin_write();
    }
    effects
}

fn save_booking(form: &mut BookingForm, booking: Booking) -> Vec<Effect> {
    form.saving = true;
    form.warning = None;
    let request = match form.mode {
        BookingMode::New => Request::Book(booking),
        BookingMode::Move {
            visit_id, version, ..
        } => Request::Reschedule {
            id: visit_id,
            seen_version: version,
            booking,
        },
    };
    vec![Effect::Db(request)]
}

/// The database's answers about the schedule's visits, the directory and the dialogs.
pub fn on_reply(state: &mut AppState, reply: Reply) -> Vec<Effect> {
    let reload = |state: &AppState| vec![Effect::Db(Request::LoadDay(state.schedule.day))];
    match reply {
        Reply::Directory { patients, staff } => {
            state.schedule.directory = patients.iter().map(DirectoryEntry::from).collect();
            state.staff = staff;
            let (matcher, directory) = (&state.schedule.matcher, &state.schedule.directory);
            if let Some(Modal::Booking(form)) = state.modal.as_mut() {
                if !form.patient.is_empty() {
                    form.refresh_patient_hits(matcher, directory);
                }
            }
            Vec::new()
        }
        Reply::StatusChanged(change) => {
            state.end_write();
            match change {
                StatusChange::Changed { previous, visit } => {
                    state.say(
                        Level::Info,
                        format!(
                            "{} {}: {} (u undoes)",
                            visit.start.format("%H:%M"),
                            visit.patient_name,
                            match visit.status {
                                AppointmentStatus::CheckedIn => "checked in",
                                AppointmentStatus::NoShow => "marked no-show",
                                AppointmentStatus::Cancelled => "cancelled",
                                other => other.label(),
                            }
                        ),
                    );
                    state.schedule.undo.push(UndoEntry {
                        visit_id: visit.id,
                        version: visit.version,
                        previous,
                        now: visit.status,
                    });
                    state.replace_visit(visit);
                }
                StatusChange::Unchanged { visit } => {
                    state.say(
                        Level::Info,
                        format!("{} is already {}", visit.patient_name, visit.status.label()),
                    );
                    state.replace_visit(visit);
                }
            }
            reload(state)
        }
        Reply::Undone(visit) => {
            state.end_write();
            state.say(
                Level::Info,
                format!(
                    "undone: {} is {} again",
                    visit.patient_name,
                    visit.status.label()
                ),
            );
            state.replace_visit(visit);
            reload(state)
        }
        Reply::TherapistDay { visits, .. } => {
            let staff = state.staff.clone();
            let Some(form) = booking_form(state) else {
                return Vec::new();
            };
            form.saving = false;
            let Ok(booking) = form.validate(&staff) else {
                return Vec::new();
            };
            let clashing = clashes(&visits, &booking, moving_id(form));
            if clashing.is_empty() {
                state.begin_write();
                let form = booking_form(state).expect("the booking form is open");
                save_booking(form, booking)
            } else {
                form.warning = Some((booking.clone(), clash_warning(&clashing)));
                Vec::new()
            }
        }
        Reply::Booked(v) | Reply::Rescheduled(v) => {
            state.end_write();
            let moved = matches!(state.modal, Some(Modal::Booking(ref f)) if matches!(f.mode, BookingMode::Move { .. }));
            state.modal = None;
            state.say(
                Level::Info,
                format!(
                    "{} {} {} with {}",
                    if moved { "Moved to" } else { "Booked" },
                    v.start.format("%a %-d %b %H:%M"),
                    v.patient_name,
                    v.therapist_initials
                ),
            );
            state.schedule.selected = Some(v.id);
            state.schedule.day = v.start.date();
            if state.schedule.visits_day != Some(state.schedule.day) {
                state.schedule.filter = None;
            }
            reload(state)
        }
        Reply::Registered { mrn, .. } => {
            state.end_write();
            state.modal = None;
            state.say(
                Level::Info,
                format!("Registered with MRN {mrn}: press a to book a first visit"),
            );
            vec![Effect::Db(Request::LoadDirectory)]
        }
        _ => Vec::new(),
    }
}

/// "Your 10:30 has arrived (room 3)": the current user's visits that another terminal checked
/// in since the last load. No patient name: the text may reach a desktop notification.
pub fn arrivals_elsewhere(state: &AppState, fresh: &[Visit]) -> Vec<String> {
    let (Some(me), Some(loaded)) = (state.mine_id(), state.schedule.visits_day) else {
        return Vec::new();
    };
    if loaded != state.schedule.day {
        return Vec::new();
    }
    fresh
        .iter()
        .filter(|v| v.therapist_id == me && v.status == AppointmentStatus::CheckedIn)
        .filter(|v| {
            state
                .schedule
                .visits
                .iter()
                .find(|old| old.id == v.id)
                .is_some_and(|old| old.status != AppointmentStatus::CheckedIn)
        })
        .map(|v| match v.room.as_deref() {
            Some(room) => format!("Your {} has arrived (room {room})", v.start.format("%H:%M")),
            None => format!("Your {} has arrived", v.start.format("%H:%M")),
        })
        .collect()
}

//! `update(state, event) -> effects`: keys and database replies in, new state and requests
//! out. No I/O happens here, so every flow can be tested as a plain function.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::event::{Effect, Event};
use super::forms::{BookingForm, BookingMode, DirectoryEntry, FormOutcome};
use super::keymap::Action;
use super::pane::Context;
use super::program::{self, ProgramPane};
use super::progress::{self, ProgressPane};
use super::state::{AppState, Filter, Level, LockScreen, Modal, Pane, UndoEntry};
use crate::db::schedule::{Booking, StatusChange};
use crate::db::worker::{LockReply, Reply, Request, WRONG_PINS_AUDITED};
use crate::domain::appointment::{Transition, Visit};
use crate::domain::pin::PinNeed;
use crate::domain::{AppointmentStatus, CancelReason};
use crate::sanitize::clean_line;

pub fn update(state: &mut AppState, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => on_key(state, &key),
        Event::Key(_) => Vec::new(),
        Event::Reply(reply) => on_reply(state, reply),
        Event::Tick(now) => {
            if now.date() > state.today && state.now.date() == state.today {
                // Past midnight: "today" moves on; the shown day stays where the user put it.
                state.today = now.date();
            }
            state.now = now;
            let idle = now - state.last_key_at;
            if !state.locked
                && state.idle_lock_minutes > 0
                && idle >= chrono::Duration::minutes(i64::from(state.idle_lock_minutes))
            {
                state.locked = true;
                state.lock = LockScreen::default();
                // Whether this user has a PIN is asked now, not at start: one set a minute
                // ago counts.
                return vec![Effect::Db(Request::Locked)];
            }
            Vec::new()
        }
        Event::Paste(text) => on_paste(state, &text),
        Event::Drawn(learned) => {
            if let Some(page) = learned.page_size {
                state.page_size = page;
            }
            if let Some(top) = learned.schedule_top {
                state.schedule_top = top;
            }
            Vec::new()
        }
    }
}

/// Runs one of pane 2's functions on its own state, with the app as context.
fn with_progress<R>(state: &mut AppState, f: impl FnOnce(&mut ProgressPane, &Context) -> R) -> R {
    let mut pane = std::mem::take(&mut state.progress);
    let result = f(&mut pane, &state.context());
    state.progress = pane;
    result
}

/// Runs one of pane 3's functions on its own state, with the app as context.
fn with_program<R>(state: &mut AppState, f: impl FnOnce(&mut ProgramPane, &Context) -> R) -> R {
    let mut pane = std::mem::take(&mut state.program);
    let result = f(&mut pane, &state.context());
    state.program = pane;
    result
}

/// Pasted text goes where typed text goes (the filter, a form's field); elsewhere it is
/// dropped. While locked it never reaches the app, not even the PIN field: what a paste holds
/// is not known to be a PIN, and a clipboard is no place for one.
fn on_paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    if state.locked {
        state.lock.message = Some("pasting does nothing here: type the PIN".into());
        return Vec::new();
    }
    state.last_key_at = state.now;
    if let Some(filter) = state.filter.as_mut().filter(|f| f.typing) {
        if filter.input.insert_text(text) {
            state.refresh_rows();
        }
        return Vec::new();
    }
    let (matcher, directory) = (&state.matcher, &state.directory);
    match state.modal.as_mut() {
        Some(Modal::Booking(form)) if !form.saving => form.paste(text, matcher, directory),
        Some(Modal::NewPatient(form)) if !form.saving => form.paste(text),
        _ => {}
    }
    Vec::new()
}

/// Keys on the lock screen: digits go into the PIN (up to the longest), Backspace takes one
/// back, Esc clears it, Enter asks the database thread to check it. Nothing reaches the app.
fn on_locked_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let lock = &mut state.lock;
    if lock.checking {
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char(c) if !ctrl && lock.need == PinNeed::Pin => {
            // Anything but a digit (or a digit past the longest PIN) is not taken.
            lock.pin.push(c);
            lock.message = None;
        }
        KeyCode::Backspace => lock.pin.pop(),
        KeyCode::Esc => lock.pin.clear(),
        KeyCode::Enter if lock.need == PinNeed::Pin && lock.pin.is_empty() => {
            lock.message = Some("type your PIN, then Enter".into());
        }
        KeyCode::Enter => {
            lock.checking = true;
            // The field is empty again at once: the PIN lives only in the request.
            let pin = std::mem::take(&mut lock.pin);
            return vec![Effect::Db(Request::Unlock { pin })];
        }
        _ => {}
    }
    Vec::new()
}

fn on_lock_reply(state: &mut AppState, reply: LockReply) -> Vec<Effect> {
    let lock = &mut state.lock;
    match reply {
        LockReply::Needs(need) => lock.need = need,
        LockReply::Unlocked { by, note } => {
            state.locked = false;
            state.lock = LockScreen::default();
            state.last_key_at = state.now;
            let user = clean_line(&state.info.user);
            let warning = match by {
                PinNeed::Pin => None,
                PinNeed::NoPin => Some(format!(
                    "no PIN set for {user}: set one with `ptclinic staff set-pin`; until then Enter opens the lock"
                )),
                PinNeed::NotStaff => Some(format!(
                    "{user} is not on the staff list, so has no PIN: Enter opens the lock"
                )),
            };
            match (warning, note) {
                (Some(w), Some(n)) => state.say(Level::Warning, format!("{w}; {n}")),
                (Some(w), None) => state.say(Level::Warning, w),
                (None, Some(n)) => state.say(Level::Warning, n),
                (None, None) => {}
            }
        }
        LockReply::WrongPin { in_a_row } => {
            lock.checking = false;
            lock.message = Some(if in_a_row >= WRONG_PINS_AUDITED {
                format!("wrong PIN ({in_a_row} in a row, recorded in the audit log)")
            } else {
                "wrong PIN".into()
            });
        }
        LockReply::PinNeeded => {
            lock.checking = false;
            lock.need = PinNeed::Pin;
            lock.message = Some("a PIN is set for you now: type it, then Enter".into());
        }
        LockReply::CannotCheck(why) => {
            lock.checking = false;
            lock.message = Some(why);
        }
    }
    Vec::new()
}

fn on_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    if state.locked {
        return on_locked_key(state, key);
    }
    state.last_key_at = state.now;
    if state.modal.is_some() {
        return on_modal_key(state, key);
    }
    if state.filter.as_ref().is_some_and(|f| f.typing) {
        if let Some(effects) = on_filter_key(state, key) {
            return effects;
        }
    }
    // A pane that is editing text (a note, a dosage, a search) takes the key first.
    let pane_first = match state.pane {
        Pane::Schedule => None,
        Pane::Progress => with_progress(state, |pane, ctx| progress::on_key(pane, ctx, key)),
        Pane::Program => with_program(state, |pane, ctx| program::on_key(pane, ctx, key)),
    };
    if let Some(outcome) = pane_first {
        return state.apply(outcome);
    }
    // A message stays until the next key, so it is read before it goes.
    state.message = None;
    match state.keymap.action_for(key, state.pane.scope()) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

/// Keys while typing in the filter; None hands the key on to the list (↑/↓ keep working).
fn on_filter_key(state: &mut AppState, key: &KeyEvent) -> Option<Vec<Effect>> {
    let filter = state.filter.as_mut()?;
    match key.code {
        KeyCode::Esc => {
            state.filter = None;
            state.refresh_rows();
        }
        KeyCode::Enter => {
            filter.typing = false;
            if filter.input.is_empty() {
                state.filter = None;
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

/// Opening a pane on a patient loads (and audits the opening of) their record.
fn load_patient(state: &AppState) -> Vec<Effect> {
    match (state.pane, state.selected_visit()) {
        (Pane::Schedule, _) | (_, None) => Vec::new(),
        (Pane::Progress, Some(_)) => progress::load(&state.context(), true),
        (Pane::Program, Some(v)) => {
            // Opening the program is audited once, by the program's own load.
            let mut effects = vec![Effect::Db(Request::LoadPatient(v.patient_id))];
            effects.extend(program::on_shown(&state.program, v.patient_id));
            effects
        }
    }
}

fn move_selection(state: &mut AppState, to: impl FnOnce(usize, usize) -> usize) -> Vec<Effect> {
    if state.rows.is_empty() {
        return Vec::new();
    }
    let last = state.rows.len() - 1;
    let current = state.selected_index().unwrap_or(0);
    state.select_row(to(current, last).min(last));
    load_patient(state)
}

fn go_to_day(state: &mut AppState, day: chrono::NaiveDate) -> Vec<Effect> {
    state.day = day;
    vec![Effect::Db(Request::LoadDay(day))]
}

/// Actions that change the record; while the drive is gone the day shown is read-only.
fn is_write(action: Action) -> bool {
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

fn on_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = state.page_size.max(1);
    let moves = matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last
    );
    if state.pane == Pane::Progress
        && (moves
            || matches!(
                action,
                Action::OpenChart | Action::RecordMeasure | Action::EditNote
            ))
    {
        if matches!(action, Action::RecordMeasure | Action::EditNote)
            && state.offline_since.is_some()
        {
            state.say(
                Level::Error,
                "the clinic database cannot be reached: nothing can be saved until it is back",
            );
            return Vec::new();
        }
        let outcome = with_progress(state, |pane, ctx| progress::on_action(pane, ctx, action));
        return state.apply(outcome);
    }
    if let Some(since) = state.offline_since.as_ref().filter(|_| is_write(action)) {
        let since = since.get(11..16).unwrap_or(since).to_string();
        state.say(Level::Error, format!("the clinic database cannot be reached since {since}: the day shown is read-only until it is back"));
        return Vec::new();
    }
    match action {
        Action::Quit => {
            if state.has_unsaved_edit() {
                state.modal = Some(Modal::ConfirmQuit);
            } else {
                state.quit = true;
            }
            Vec::new()
        }
        Action::Help => {
            state.modal = Some(Modal::Help);
            Vec::new()
        }
        Action::NextPane | Action::PrevPane => {
            let at = Pane::ALL.iter().position(|p| *p == state.pane).unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                Pane::ALL.len() - 1
            };
            state.pane = Pane::ALL[(at + step) % Pane::ALL.len()];
            load_patient(state)
        }
        Action::ShowSchedule | Action::ShowProgress | Action::ShowProgram => {
            state.pane = match action {
                Action::ShowSchedule => Pane::Schedule,
                Action::ShowProgress => Pane::Progress,
                _ => Pane::Program,
            };
            load_patient(state)
        }
        Action::Up => move_selection(state, |i, _| i.saturating_sub(1)),
        Action::Down => move_selection(state, |i, _| i + 1),
        Action::PageUp => move_selection(state, |i, _| i.saturating_sub(page)),
        Action::PageDown => move_selection(state, |i, _| i + page),
        Action::First => move_selection(state, |_, _| 0),
        Action::Last => move_selection(state, |_, last| last),
        Action::PrevDay => go_to_day(state, state.day - Duration::days(1)),
        Action::NextDay => go_to_day(state, state.day + Duration::days(1)),
        Action::Today => go_to_day(state, state.today),
        Action::Filter => {
            let filter = state.filter.get_or_insert_with(Filter::default);
            filter.typing = true;
            Vec::new()
        }
        Action::ClearFilter => {
            if state.filter.take().is_some() {
                state.refresh_rows();
            }
            Vec::new()
        }
        Action::ToggleMine => {
            if state.info.me.is_none() {
                let user = state.info.user.clone();
                state.say(Level::Warning, format!("{user} is not on the staff list, so there are no visits of yours: showing everyone"));
            } else {
                state.mine_only = !state.mine_only;
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
        Action::Undo => match state.undo.pop() {
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
            state.modal = Some(Modal::Booking(Box::new(BookingForm::new(state.day, me))));
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
        // Pane 2's own actions are handled above; the keymap offers them only there.
        Action::OpenChart | Action::RecordMeasure | Action::EditNote => Vec::new(),
        // Pane 3's own actions (the keymap offers them only there).
        a @ (Action::HepSearch
        | Action::HepRegion
        | Action::HepEdit
        | Action::HepRemove
        | Action::HepMoveUp
        | Action::HepMoveDown
        | Action::HepNote
        | Action::HepSave
        | Action::HepVersions
        | Action::HepTemplates
        | Action::HepPrint
        | Action::HepAdherence) => {
            let outcome = with_program(state, |pane, ctx| program::on_action(pane, ctx, a));
            state.apply(outcome)
        }
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

fn on_modal_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.modal.as_mut() else {
        return Vec::new();
    };
    match modal {
        Modal::ConfirmQuit => {
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                state.quit = true;
            }
            state.modal = None;
            Vec::new()
        }
        Modal::Help => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') | KeyCode::Char('q')
            ) {
                state.modal = None;
            }
            Vec::new()
        }
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
            match form.handle_key(key, &state.matcher, &state.directory) {
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
    let shown_day = state.visits_day;
    let visits = std::mem::take(&mut state.visits);
    let effects = (|| {
        let form = booking_form(state)?;
        let booking = match form.validate(&staff) {
            Ok(b) => b,
            Err((field, message)) => {
                form.focus = super::forms::BookingField::ALL
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
    state.visits = visits;
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

fn on_reply(state: &mut AppState, reply: Reply) -> Vec<Effect> {
    let reload = |state: &AppState| vec![Effect::Db(Request::LoadDay(state.day))];
    match reply {
        Reply::Day {
            day,
            visits,
            loaded_at,
        } => {
            // Latest request wins: a day the user has already moved past is dropped.
            if day != state.day {
                return Vec::new();
            }
            let arrivals = arrivals_elsewhere(state, &visits);
            let shown = state.selected_visit().map(|v| v.patient_id);
            state.set_day(day, visits, loaded_at);
            // A refresh reloads what the pane shows without counting as a new opening; when
            // the selected visit is gone (moved elsewhere) another patient is shown, and that
            // is an opening.
            let patient = state.selected_visit().map(|v| v.patient_id);
            let opened = patient != shown;
            let mut effects: Vec<Effect> = match (state.pane, patient) {
                (Pane::Schedule, _) | (_, None) => Vec::new(),
                (Pane::Progress, Some(_)) => progress::load(&state.context(), opened),
                (Pane::Program, Some(id)) => {
                    let mut e = vec![Effect::Db(Request::LoadPatient(id))];
                    if opened {
                        e.extend(program::on_shown(&state.program, id));
                    } else {
                        e.push(program::on_refresh(id));
                    }
                    e
                }
            };
            if let Some(last) = arrivals.last() {
                state.say(Level::Info, last.clone());
            }
            effects.extend(arrivals.into_iter().map(Effect::Notify));
            effects
        }
        Reply::Lock(reply) => on_lock_reply(state, reply),
        Reply::Progress(reply) => {
            let outcome = with_progress(state, |pane, ctx| progress::on_reply(pane, ctx, reply));
            state.apply(outcome)
        }
        Reply::Program(reply) => {
            let outcome = with_program(state, |pane, ctx| program::on_reply(pane, ctx, reply));
            state.apply(outcome)
        }
        Reply::Quiet => Vec::new(),
        Reply::Note(text) => {
            state.say(Level::Info, text);
            Vec::new()
        }
        Reply::Offline { since } => {
            let at = since.get(11..16).unwrap_or(&since).to_string();
            state.offline_since = Some(since);
            state.say(
                Level::Error,
                format!("the clinic database cannot be reached since {at}: retrying"),
            );
            Vec::new()
        }
        Reply::Online => {
            state.offline_since = None;
            state.say(Level::Info, "the clinic database is back");
            reload(state)
        }
        Reply::Replaced { note } => {
            // What `u` would put back belongs to the old file's visits and versions.
            state.undo.clear();
            state.offline_since = None;
            state.say(Level::Warning, note);
            reload(state)
        }
        Reply::Patient(p) => {
            if p.as_ref().map(|p| p.id) == state.selected_visit().map(|v| v.patient_id) {
                state.patient = p;
            }
            Vec::new()
        }
        Reply::Directory { patients, staff } => {
            state.directory = patients.iter().map(DirectoryEntry::from).collect();
            state.staff = staff;
            let (matcher, directory) = (&state.matcher, &state.directory);
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
                    state.undo.push(UndoEntry {
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
            state.selected = Some(v.id);
            state.day = v.start.date();
            if state.visits_day != Some(state.day) {
                state.filter = None;
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
        Reply::Failed { error, write } => {
            if write {
                state.end_write();
            }
            match state.modal.as_mut() {
                Some(Modal::Booking(f)) => f.saving = false,
                Some(Modal::NewPatient(f)) => f.saving = false,
                _ => {}
            }
            let mut effects = if write {
                progress::on_failed_write(&mut state.progress, &error.message)
            } else {
                Vec::new()
            };
            state.say(Level::Error, error.message);
            if write {
                effects.extend(reload(state));
            }
            effects
        }
    }
}

/// "Your 10:30 has arrived (room 3)": the current user's visits that another terminal checked
/// in since the last load. No patient name: the text may reach a desktop notification.
fn arrivals_elsewhere(state: &AppState, fresh: &[Visit]) -> Vec<String> {
    let (Some(me), Some(loaded)) = (state.mine_id(), state.visits_day) else {
        return Vec::new();
    };
    if loaded != state.day {
        return Vec::new();
    }
    fresh
        .iter()
        .filter(|v| v.therapist_id == me && v.status == AppointmentStatus::CheckedIn)
        .filter(|v| {
            state
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

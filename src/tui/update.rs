//! `update(state, event) -> effects`: keys and database replies in, new state and requests
//! out. No I/O happens here, so every flow can be tested as a plain function. This module only
//! routes: a key goes to the lock, an open dialog, the focused pane or the app's own actions; a
//! reply goes to the pane that asked for it. The app's own are quitting, help, switching panes
//! and the record's comings and goings (offline, back, replaced, failed).

use crossterm::event::{KeyEvent, KeyEventKind};

use super::clinic::{self, ClinicPane};
use super::event::{Effect, Event};
use super::input::types_text;
use super::keymap::{Action, Scope};
use super::pane::{Context, Outcome};
use super::program::{self, ProgramPane};
use super::progress::{self, ProgressPane};
use super::record::{self, state::Desk};
use super::schedule::state::Schedule;
use super::state::{AppState, Level, LockScreen, Modal, Pane};
use super::{lock, schedule};
use crate::db::worker::{Asker, Reply, Request};

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
                return vec![Effect::Db(Request::Locked), poll(state)];
            }
            vec![poll(state)]
        }
        Event::Paste(text) => on_paste(state, &text),
        Event::Drawn(learned) => {
            if let Some(page) = learned.page_size {
                state.schedule.page_size = page;
            }
            if let Some(top) = learned.schedule_top {
                state.schedule.top = top;
            }
            if let Some(fit) = learned.help {
                state.help_fit = fit;
            }
            // The day's flags are asked for once the first frame (the visits alone) is out,
            // so that their query does not hold that frame back.
            if std::mem::take(&mut state.flags_to_load) {
                return vec![Effect::Db(Request::LoadDay(state.schedule.day))];
            }
            Vec::new()
        }
    }
}

/// Each tick asks whether another terminal changed the shown day (and whether the file is
/// still there); the runtime keeps at most one such question waiting.
fn poll(state: &AppState) -> Effect {
    Effect::Db(Request::Poll(state.schedule.day))
}

/// Runs one of the schedule's functions on its own state and the dialog slot, with the app as
/// context (the selection is the schedule's own, so the context carries no visit), and returns
/// its result with what it handed back for the app.
fn with_schedule<R>(
    state: &mut AppState,
    f: impl FnOnce(&mut schedule::Parts, &Context) -> R,
) -> (R, Outcome) {
    let placeholder = Schedule::new(state.today, false);
    let mut own = std::mem::replace(&mut state.schedule, placeholder);
    let mut modal = state.modal.take();
    let result = {
        let ctx = state.context();
        let mut parts = schedule::Parts {
            schedule: &mut own,
            modal: &mut modal,
            out: Outcome::default(),
        };
        let result = f(&mut parts, &ctx);
        (result, parts.out)
    };
    state.schedule = own;
    state.modal = modal;
    result
}

/// The schedule's effects after the app has taken in its message and writes.
fn schedule_effects(
    state: &mut AppState,
    f: impl FnOnce(&mut schedule::Parts, &Context) -> Vec<Effect>,
) -> Vec<Effect> {
    let (effects, outcome) = with_schedule(state, f);
    let mut all = state.apply(outcome);
    all.extend(effects);
    all
}

/// Runs one of pane 2's functions on its own state, with the app as context.
fn with_progress<R>(state: &mut AppState, f: impl FnOnce(&mut ProgressPane, &Context) -> R) -> R {
    let mut pane = std::mem::take(&mut state.progress);
    let result = f(&mut pane, &state.context());
    state.progress = pane;
    result
}

/// Runs one of pane 4's functions on its own state, with the app as context.
fn with_clinic<R>(state: &mut AppState, f: impl FnOnce(&mut ClinicPane, &Context) -> R) -> R {
    let mut pane = std::mem::take(&mut state.clinic);
    let result = f(&mut pane, &state.context());
    state.clinic = pane;
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
    if state.desk.is_open() && state.modal.is_none() {
        record::on_paste(&mut state.desk, text);
        return Vec::new();
    }
    schedule_effects(state, |p, ctx| schedule::on_paste(p, ctx, text))
}

/// Runs one of the desk's functions (the finder, the call list, the record) on its own
/// state, with the app as context.
fn with_desk<R>(state: &mut AppState, f: impl FnOnce(&mut Desk, &Context) -> R) -> R {
    let mut desk = std::mem::take(&mut state.desk);
    let result = f(&mut desk, &state.context());
    state.desk = desk;
    result
}

/// A key in the finder, the call list or the record; a booking they hand over opens the
/// booking form with the patient filled in.
fn on_desk_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    state.message = None;
    let turn = with_desk(state, |desk, ctx| record::on_key(desk, ctx, key));
    let mut effects = state.apply(turn.out);
    if let Some(b) = turn.book {
        let modal = record::booking_for(
            &state.context(),
            state.today,
            &b,
            crate::domain::VisitKind::Treatment,
        );
        state.modal = Some(modal);
        effects.push(Effect::Db(Request::LoadDirectory));
    }
    effects
}

fn on_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    if state.locked {
        return lock::on_key(state, key);
    }
    state.last_key_at = state.now;
    if state.asking_quit {
        state.asking_quit = false;
        if state.keymap.resolve(key, Scope::QuitConfirm) == Some(Action::QuitYes) {
            state.quit = true;
        }
        return Vec::new();
    }
    // A quit key that types nothing (Ctrl-C) works over every form, editor and dialog, and
    // asks first when typed work would be dropped, as q does where q is not text.
    if !types_text(key) && state.keymap.resolve(key, Scope::Everywhere) == Some(Action::Quit) {
        return on_action(state, Action::Quit);
    }
    if state.modal.is_some() {
        return on_modal_key(state, key);
    }
    if state.desk.is_open() {
        return on_desk_key(state, key);
    }
    if state.schedule.filter.as_ref().is_some_and(|f| f.typing) {
        let (handled, outcome) =
            with_schedule(state, |p, ctx| schedule::on_filter_key(p, ctx, key));
        let mut effects = state.apply(outcome);
        if let Some(more) = handled {
            effects.extend(more);
            return effects;
        }
    }
    // A pane that is editing text (a note, a dosage, a search) takes the key first.
    let pane_first = match state.pane {
        Pane::Schedule => None,
        Pane::Progress => with_progress(state, |pane, ctx| progress::on_key(pane, ctx, key)),
        Pane::Program => with_program(state, |pane, ctx| program::on_key(pane, ctx, key)),
        Pane::Clinic => with_clinic(state, |pane, ctx| clinic::on_key(pane, ctx, key)),
    };
    if let Some(outcome) = pane_first {
        return state.apply(outcome);
    }
    // A message stays until the next key, so it is read before it goes.
    state.message = None;
    match state.keymap.resolve(key, state.pane.scope()) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

/// Opening a pane on a patient loads (and audits the opening of) their record.
fn load_patient(state: &AppState) -> Vec<Effect> {
    match (state.pane, state.selected_visit()) {
        (Pane::Schedule | Pane::Clinic, _) | (_, None) => Vec::new(),
        (Pane::Progress, Some(_)) => progress::load(&state.context(), true),
        (Pane::Program, Some(v)) => {
            // Opening the program is audited once, by the program's own load.
            let mut effects = vec![Effect::Db(Request::LoadPatient(v.patient_id))];
            effects.extend(program::on_shown(&state.program, v.patient_id));
            effects
        }
    }
}

/// A pane came on screen: the patient panes load their patient, the Clinic pane its period.
fn shown(state: &mut AppState) -> Vec<Effect> {
    if state.pane == Pane::Clinic {
        with_clinic(state, clinic::on_shown)
    } else {
        load_patient(state)
    }
}

/// Pane 4's keys: its own, and moving in its table.
fn on_clinic_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    let turn = with_clinic(state, |pane, ctx| clinic::on_action(pane, ctx, action));
    let mut effects = state.apply(turn.out);
    if let Some((day, visit)) = turn.show_progress {
        // The schedule goes to the episode's last visit, selected, everyone's and unfiltered
        // so that it is shown; pane 2 follows it once the day is read.
        state.schedule.day = day;
        state.schedule.selected = Some(visit);
        state.schedule.filter = None;
        state.schedule.week = None;
        state.schedule.mine_only = false;
        state.pane = Pane::Progress;
        state.say(
            Level::Info,
            format!(
                "the patient's last visit of the episode, {day}: {} goes back to today's schedule",
                state.keymap.keys_for(Action::Today)
            ),
        );
        effects.push(Effect::Db(Request::LoadDay(day)));
    }
    effects
}

fn move_selection(state: &mut AppState, to: impl FnOnce(usize, usize) -> usize) -> Vec<Effect> {
    if schedule::move_selection(&mut state.schedule, to) {
        load_patient(state)
    } else {
        Vec::new()
    }
}

fn on_action(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = state.schedule.page_size.max(1);
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
                Action::OpenChart | Action::RecordMeasure | Action::EditNote | Action::ShowExpected
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
    if state.pane == Pane::Clinic && (moves || action.in_scope(Scope::Clinic)) {
        return on_clinic_action(state, action);
    }
    if let Some(since) = state
        .offline_since
        .as_ref()
        .filter(|_| schedule::is_write(action))
    {
        let since = since.get(11..16).unwrap_or(since).to_string();
        state.say(Level::Error, format!("the clinic database cannot be reached since {since}: the day shown is read-only until it is back"));
        return Vec::new();
    }
    match action {
        Action::Quit => {
            if state.has_unsaved_edit() {
                state.asking_quit = true;
            } else {
                state.quit = true;
            }
            Vec::new()
        }
        Action::Help => {
            state.modal = Some(Modal::Help { scroll: 0 });
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
            shown(state)
        }
        Action::ShowSchedule | Action::ShowProgress | Action::ShowProgram | Action::ShowClinic => {
            state.pane = match action {
                Action::ShowSchedule => Pane::Schedule,
                Action::ShowProgress => Pane::Progress,
                Action::ShowClinic => Pane::Clinic,
                _ => Pane::Program,
            };
            shown(state)
        }
        Action::Up => move_selection(state, |i, _| i.saturating_sub(1)),
        Action::Down => move_selection(state, |i, _| i + 1),
        Action::PageUp => move_selection(state, |i, _| i.saturating_sub(page)),
        Action::PageDown => move_selection(state, |i, _| i + page),
        Action::First => move_selection(state, |_, _| 0),
        Action::Last => move_selection(state, |_, last| last),
        Action::PrevDay
        | Action::NextDay
        | Action::Today
        | Action::Filter
        | Action::ClearFilter
        | Action::ToggleMine
        | Action::SwitchSite
        | Action::CheckIn
        | Action::NoShow
        | Action::Cancel
        | Action::Undo
        | Action::Book
        | Action::Reschedule
        | Action::NewPatient
        | Action::Waitlist
        | Action::WeekToggle
        | Action::WeekLayout
        | Action::WeekTherapist
        | Action::GoToDate
        | Action::CheckOut
        | Action::Confirm
        | Action::CantCome => schedule_effects(state, |p, ctx| schedule::on_action(p, ctx, action)),
        Action::FindPatient => {
            let outcome = with_desk(state, record::open_finder);
            state.apply(outcome)
        }
        Action::ShowUnscheduled => {
            let outcome = with_desk(state, record::open_calls);
            state.apply(outcome)
        }
        // Pane 2's own actions are handled above; the keymap offers them only there.
        Action::OpenChart | Action::RecordMeasure | Action::EditNote | Action::ShowExpected => {
            Vec::new()
        }
        // A dialog's, an editor's or a form's actions: resolved there while it is open, never
        // offered here.
        Action::QuitYes
        | Action::HelpClose
        | Action::CancelYes
        | Action::CancelNo
        | Action::CancelForPatient
        | Action::CancelByClinic
        | Action::CancelLate
        | Action::CancelBack
        | Action::CancelFollowing
        | Action::NextFreeSlot
        | Action::BookSeries
        | Action::NoteSave
        | Action::NoteProgressReport
        | Action::NoteNextPart
        | Action::NotePrevPart
        | Action::NoteClose
        | Action::NoteSign
        | Action::NoteCoSign
        | Action::NoteAddendum
        // Pane 4's keys, handled above while it is on screen.
        | Action::ClinicPeriod
        | Action::ClinicEarlier
        | Action::ClinicLater
        | Action::ClinicGroup
        | Action::ClinicCustom
        | Action::ClinicOpen
        | Action::ClinicBack
        | Action::ListUp
        | Action::ListDown
        | Action::ListPick
        | Action::ListClose
        | Action::VersionUse
        | Action::ChartClose
        | Action::FormSave
        | Action::FormSaveNow
        | Action::FormNext
        | Action::FormPrev
        | Action::FormClose
        | Action::FormChoicePrev
        | Action::FormChoiceNext
        | Action::PickPrev
        | Action::PickNext
        | Action::FilterKeep
        | Action::SearchAdd
        | Action::SearchDone
        | Action::ItemNoteDone
        | Action::LockUnlock
        | Action::LockClear
        | Action::HelpUp
        | Action::HelpDown
        | Action::HelpPageUp
        | Action::HelpPageDown
        | Action::FinderUp
        | Action::FinderDown
        | Action::FinderOpen
        | Action::FinderClose
        | Action::CallsUp
        | Action::CallsDown
        | Action::CallsOpen
        | Action::CallsBook
        | Action::CallsClose
        | Action::RecordUp
        | Action::RecordDown
        | Action::RecordEdit
        | Action::RecordAddAuth
        | Action::RecordAddWaitlist
        | Action::RecordBook
        | Action::RecordClose
        | Action::FormOpenMatch => Vec::new(),
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
        | Action::HepEmail
        | Action::HepAdherence) => {
            let outcome = with_program(state, |pane, ctx| program::on_action(pane, ctx, a));
            state.apply(outcome)
        }
    }
}

fn on_modal_key(state: &mut AppState, key: &KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.modal.as_mut() else {
        return Vec::new();
    };
    match modal {
        Modal::Help { scroll } => {
            let (last, page) = (state.help_fit.last_top, state.help_fit.page.max(1));
            match state.keymap.resolve(key, Scope::HelpScreen) {
                Some(Action::HelpClose) => state.modal = None,
                Some(Action::HelpUp) => *scroll = scroll.saturating_sub(1),
                Some(Action::HelpDown) => *scroll = (*scroll + 1).min(last),
                Some(Action::HelpPageUp) => *scroll = scroll.saturating_sub(page),
                Some(Action::HelpPageDown) => *scroll = (*scroll + page).min(last),
                _ => {}
            }
            Vec::new()
        }
        // A patient the clinic already has, shown in the registration: their record opens
        // in place of the form.
        Modal::NewPatient(form)
            if !form.saving
                && state.keymap.resolve(key, Scope::Form) == Some(Action::FormOpenMatch) =>
        {
            let Some(id) = record::duplicate::first_match(form) else {
                return Vec::new();
            };
            state.modal = None;
            let outcome = with_desk(state, |desk, ctx| record::open_record(desk, ctx, id));
            state.apply(outcome)
        }
        Modal::Cancel { .. }
        | Modal::Booking(_)
        | Modal::NewPatient(_)
        | Modal::Waitlist { .. }
        | Modal::Series(_)
        | Modal::CancelSeries { .. }
        | Modal::GoToDate(_) => {
            schedule_effects(state, |p, ctx| schedule::on_dialog_key(p, ctx, key))
        }
    }
}

fn on_reply(state: &mut AppState, reply: Reply) -> Vec<Effect> {
    let reload = |state: &AppState| vec![Effect::Db(Request::LoadDay(state.schedule.day))];
    match reply {
        Reply::Day {
            day,
            visits,
            loaded_at,
        } => {
            // Latest request wins: a day the user has already moved past is dropped.
            if day != state.schedule.day {
                return Vec::new();
            }
            let arrivals = schedule::arrivals_elsewhere(&state.schedule, state.mine_id(), &visits);
            let shown = state.selected_visit().map(|v| v.patient_id);
            state.set_day(day, visits, loaded_at);
            // A refresh reloads what the pane shows without counting as a new opening; when
            // the selected visit is gone (moved elsewhere) another patient is shown, and that
            // is an opening.
            let patient = state.selected_visit().map(|v| v.patient_id);
            let opened = patient != shown;
            let mut effects: Vec<Effect> = match (state.pane, patient) {
                (Pane::Schedule | Pane::Clinic, _) | (_, None) => Vec::new(),
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
        Reply::Lock(reply) => lock::on_reply(state, reply),
        Reply::Progress(reply) => {
            let outcome = with_progress(state, |pane, ctx| progress::on_reply(pane, ctx, reply));
            state.apply(outcome)
        }
        Reply::Program(reply) => {
            let outcome = with_program(state, |pane, ctx| program::on_reply(pane, ctx, reply));
            state.apply(outcome)
        }
        Reply::Clinic(reply) => {
            let outcome = with_clinic(state, |pane, ctx| clinic::on_reply(pane, ctx, reply));
            state.apply(outcome)
        }
        Reply::Record(crate::db::record_work::RecordReply::Lookalikes { patient, matches }) => {
            let outcome = record::duplicate::on_lookalikes(&mut state.modal, patient, matches);
            state.apply(outcome)
        }
        Reply::Record(reply) => {
            let outcome = record::on_reply(&mut state.desk, reply);
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
            state.schedule.undo.clear();
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
        reply @ (Reply::Directory { .. }
        | Reply::StatusChanged(_)
        | Reply::Undone(_)
        | Reply::TherapistDay { .. }
        | Reply::Booked(_)
        | Reply::Rescheduled(_)
        | Reply::Registered { .. }
        | Reply::WaitlistFits { .. }
        | Reply::Series(_)
        | Reply::Week { .. }
        | Reply::Unbooked(_)
        | Reply::Answered(_)) => {
            if let Reply::Directory { staff, .. } = &reply {
                state.staff = staff.clone();
            }
            let booked = match &reply {
                Reply::Booked(v) | Reply::Rescheduled(v) => Some(v.patient_id),
                _ => None,
            };
            let mut effects = schedule_effects(state, |p, ctx| schedule::on_reply(p, ctx, reply));
            if let Some(id) = booked {
                effects.extend(with_desk(state, |desk, ctx| {
                    record::on_booked(desk, ctx, id)
                }));
            }
            effects
        }
        Reply::Failed { asked, error } => {
            if asked.write {
                state.end_write();
            }
            // The failure goes to the one that asked: a check-in refused while a note is
            // open in pane 2 is no news for the note.
            let (mut effects, shown) = match asked.by {
                Asker::Schedule => {
                    schedule::on_failed(&mut state.modal);
                    (Vec::new(), error.message)
                }
                Asker::Progress if asked.write => {
                    progress::on_failed_write(&mut state.progress, &error, &state.keymap)
                }
                // The lock screen shows its own answers: it takes keys again.
                Asker::Lock => {
                    state.lock.checking = false;
                    state.lock.message = Some(error.message.clone());
                    (Vec::new(), error.message)
                }
                Asker::Record => {
                    // The registration's look for a patient alike, or the desk's own.
                    if let Some(Modal::NewPatient(f)) =
                        state.modal.as_mut().filter(|_| !asked.write)
                    {
                        f.saving = false;
                        (Vec::new(), error.message)
                    } else {
                        with_desk(state, |desk, ctx| record::on_failed(desk, ctx, &error))
                    }
                }
                Asker::Clinic => {
                    state.clinic.asked = None;
                    (Vec::new(), error.message)
                }
                Asker::Progress | Asker::Program | Asker::Background => (Vec::new(), error.message),
            };
            state.say(Level::Error, shown);
            if asked.write {
                effects.extend(reload(state));
            }
            effects
        }
    }
}

//! Pane 1: the day's schedule. Its keys (moving, the day shown, the filter, "mine", check-in,
//! no-show, cancel, undo, the patient's answer), its dialogs (cancel, book or move a visit,
//! register a patient) and the database's answers to them. Every other pane shows the patient
//! of the visit selected here.

pub mod answers;
pub mod badges;
pub mod dialogs;
pub mod go_to_date;
pub mod series;
pub mod series_view;
pub mod state;
pub mod unbook;
pub mod view;
pub mod waitlist;

#[cfg(test)]
mod series_tests;
pub mod week;
pub mod week_view;

#[cfg(test)]
mod answers_tests;
#[cfg(test)]
mod desk_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod week_tests;

use chrono::Duration;
use crossterm::event::KeyEvent;

use super::event::Effect;
use super::forms::{BookingField, BookingForm, BookingMode, DirectoryEntry, FormOutcome};
use super::keymap::{Action, Scope};
use super::modal::Modal;
use super::pane::{Context, Level, Outcome};
use crate::db::schedule::{Booking, StatusChange};
use crate::db::worker::{Reply, Request};
use crate::domain::appointment::{Transition, Visit};
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::messages::Confirmation;
use crate::domain::{AppointmentStatus, CancelReason};
use state::{Filter, Schedule, UndoEntry};

/// What the schedule's keys and replies change: its own state, the dialog slot (its dialogs
/// are modal: while one is open it has every key) and what it hands back to the app.
pub struct Parts<'a> {
    pub schedule: &'a mut Schedule,
    pub modal: &'a mut Option<Modal>,
    pub out: Outcome,
}

/// Keys while typing in the filter: characters and the field's editing keys go into it, its
/// own key keeps it; None hands any other key on to the schedule (↑/↓ keep moving, Esc clears).
pub fn on_filter_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Option<Vec<Effect>> {
    let filter = p.schedule.filter.as_mut()?;
    if ctx.keymap.resolve(key, Scope::FilterTyping) == Some(Action::FilterKeep) {
        filter.typing = false;
        if filter.input.is_empty() {
            p.schedule.filter = None;
        }
        p.schedule.refresh_rows(ctx.me_id());
        return Some(Vec::new());
    }
    let edit = filter.input.handle(key);
    if edit.changed() {
        p.schedule.refresh_rows(ctx.me_id());
    }
    edit.taken().then(Vec::new)
}

/// Pasted text goes where typed text goes: the filter, or a dialog's field.
pub fn on_paste(p: &mut Parts, ctx: &Context, text: &str) -> Vec<Effect> {
    if let Some(filter) = p.schedule.filter.as_mut().filter(|f| f.typing) {
        if filter.input.insert_text(text) {
            p.schedule.refresh_rows(ctx.me_id());
        }
        return Vec::new();
    }
    let (matcher, directory) = (&p.schedule.matcher, &p.schedule.directory);
    match p.modal.as_mut() {
        Some(Modal::Booking(form)) if !form.saving => form.paste(text, matcher, directory),
        Some(Modal::NewPatient(form)) if !form.saving => form.paste(text),
        Some(Modal::GoToDate(prompt)) => go_to_date::on_paste(prompt, text),
        _ => {}
    }
    Vec::new()
}

/// A failed request: a dialog that was saving takes keys again, with what was typed.
pub fn on_failed(modal: &mut Option<Modal>) {
    match modal.as_mut() {
        Some(Modal::Booking(f)) => f.saving = false,
        Some(Modal::NewPatient(f)) => f.saving = false,
        Some(Modal::Series(d)) => d.failed(),
        _ => {}
    }
}

/// Moves the selection to the row `to` picks from the current one and the last; false when
/// there are no rows.
pub fn move_selection(schedule: &mut Schedule, to: impl FnOnce(usize, usize) -> usize) -> bool {
    if let Some(week) = schedule.week.as_mut() {
        return week.move_selection(to);
    }
    if schedule.rows.is_empty() {
        return false;
    }
    let last = schedule.rows.len() - 1;
    let current = schedule.selected_index().unwrap_or(0);
    schedule.select_row(to(current, last).min(last));
    true
}

fn go_to_day(p: &mut Parts, day: chrono::NaiveDate) -> Vec<Effect> {
    p.schedule.day = day;
    vec![Effect::Db(Request::LoadDay(day))]
}

/// Actions that change the record; while the drive is gone the day shown is read-only.
pub fn is_write(action: Action) -> bool {
    matches!(
        action,
        Action::CheckIn
            | Action::CheckOut
            | Action::NoShow
            | Action::Cancel
            | Action::Undo
            | Action::Book
            | Action::Reschedule
            | Action::NewPatient
            | Action::Confirm
            | Action::CantCome
    )
}

/// The schedule's commands other than moving: the day shown, the filter, "mine", the status
/// changes, undo and opening the dialogs.
pub fn on_action(p: &mut Parts, ctx: &Context, action: Action) -> Vec<Effect> {
    if let Some(effects) = week::on_action(p, ctx, action) {
        return effects;
    }
    match action {
        Action::PrevDay => go_to_day(p, p.schedule.day - Duration::days(1)),
        Action::NextDay => go_to_day(p, p.schedule.day + Duration::days(1)),
        Action::Today => go_to_day(p, ctx.today),
        Action::Filter => {
            let filter = p.schedule.filter.get_or_insert_with(Filter::default);
            filter.typing = true;
            Vec::new()
        }
        Action::ClearFilter => {
            if p.schedule.filter.take().is_some() {
                p.schedule.refresh_rows(ctx.me_id());
            }
            Vec::new()
        }
        Action::ToggleMine => {
            if ctx.me.is_none() {
                let user = ctx.user.to_string();
                p.out.say(Level::Warning, format!("{user} is not on the staff list, so there are no visits of yours: showing everyone"));
            } else {
                p.schedule.mine_only = !p.schedule.mine_only;
                p.schedule.refresh_rows(ctx.me_id());
            }
            Vec::new()
        }
        Action::SwitchSite => {
            let sched = &mut p.schedule;
            if sched.sites.several() {
                sched.site_view = sched.sites.next_view(sched.site_view);
                sched.refresh_rows(ctx.me_id());
                let label = sched.sites.label(sched.site_view);
                p.out.say(
                    Level::Info,
                    format!("showing {}", crate::sanitize::clean_line(&label)),
                );
                // The week shown is read again for the site now shown.
                if let Some(week) = &sched.week {
                    return vec![Effect::Db(Request::LoadWeek(Some(week.monday())))];
                }
            } else {
                p.out.say(Level::Info, "this clinic has one site");
            }
            Vec::new()
        }
        Action::CheckIn => change_status(p, ctx, AppointmentStatus::CheckedIn, None),
        Action::NoShow => change_status(p, ctx, AppointmentStatus::NoShow, None),
        Action::CheckOut => change_status(p, ctx, AppointmentStatus::Completed, None),
        Action::Confirm => answers::ask(p, ctx, Confirmation::Confirmed),
        Action::CantCome => answers::ask(p, ctx, Confirmation::Declined),
        Action::Cancel => {
            let Some(v) = p.schedule.selected_visit() else {
                return Vec::new();
            };
            match v
                .status
                .transition_to(AppointmentStatus::Cancelled, v.start.date(), ctx.today)
            {
                Transition::Change => {
                    *p.modal = Some(Modal::Cancel {
                        visit_id: v.id,
                        version: v.version,
                        confirmed: false,
                    });
                    return vec![series::ask_series_of(v.id)];
                }
                Transition::Unchanged => p.out.say(Level::Info, "this visit is already cancelled"),
                Transition::Refused(why) => p.out.say(Level::Warning, why),
            }
            Vec::new()
        }
        Action::Undo => match p.schedule.undo.pop() {
            Some(entry) if entry.booked_at.is_some() => unbook::undo(p, ctx, entry),
            Some(entry) => {
                p.out.begin_write();
                vec![Effect::Db(Request::Undo {
                    id: entry.visit_id,
                    seen_version: entry.version,
                    previous: entry.previous,
                })]
            }
            None => {
                p.out.say(Level::Info, "nothing to undo");
                Vec::new()
            }
        },
        Action::Book => {
            let me = ctx.me.filter(|s| s.role == crate::domain::Role::Therapist);
            // Right after a registration the booking is that patient's evaluation.
            let form = match p.schedule.just_registered.take() {
                Some((id, mrn)) => BookingForm::for_patient(
                    p.schedule.day,
                    me,
                    id,
                    &mrn,
                    crate::domain::VisitKind::Evaluation,
                ),
                None => BookingForm::new(p.schedule.day, me),
            };
            *p.modal = Some(Modal::Booking(Box::new(form)));
            vec![Effect::Db(Request::LoadDirectory)]
        }
        Action::Reschedule => {
            let Some(v) = p.schedule.selected_visit() else {
                return Vec::new();
            };
            if v.status != AppointmentStatus::Scheduled {
                let status = v.status.label();
                p.out.say(
                    Level::Warning,
                    format!("only a scheduled visit can be moved; this one is {status}"),
                );
                return Vec::new();
            }
            let id = v.id;
            *p.modal = Some(Modal::Booking(Box::new(BookingForm::reschedule(v))));
            vec![
                Effect::Db(Request::LoadDirectory),
                series::ask_series_of(id),
            ]
        }
        Action::NewPatient => {
            *p.modal = Some(Modal::NewPatient(Box::default()));
            Vec::new()
        }
        Action::Waitlist => {
            waitlist::open(p);
            Vec::new()
        }
        Action::GoToDate => go_to_date::open(p),
        _ => Vec::new(),
    }
}

fn change_status(
    p: &mut Parts,
    ctx: &Context,
    to: AppointmentStatus,
    reason: Option<CancelReason>,
) -> Vec<Effect> {
    let Some(v) = p.schedule.selected_visit() else {
        p.out.say(Level::Info, "no visit selected");
        return Vec::new();
    };
    let transition = if to == AppointmentStatus::Completed {
        v.status.check_out(v.start.date(), ctx.today)
    } else {
        v.status.transition_to(to, v.start.date(), ctx.today)
    };
    match transition {
        Transition::Refused(why) => {
            p.out.say(Level::Warning, why);
            Vec::new()
        }
        Transition::Unchanged => {
            let note = match (to, v.checked_in_at.as_deref().and_then(|t| t.get(11..16))) {
                (AppointmentStatus::CheckedIn, Some(at)) => format!("already checked in at {at}"),
                _ => format!("already {}", to.label()),
            };
            p.out.say(Level::Info, note);
            Vec::new()
        }
        Transition::Change => {
            let (id, seen_version) = (v.id, v.version);
            p.out.begin_write();
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
pub fn on_dialog_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Vec<Effect> {
    // The booking form's next free slot and series, before its fields take the key.
    if matches!(p.modal.as_ref(), Some(Modal::Booking(f)) if !f.saving)
        && let Some(effects) = series::on_booking_key(p, ctx, key)
    {
        return effects;
    }
    let Some(modal) = p.modal.as_mut() else {
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
                match ctx.keymap.resolve(key, Scope::CancelConfirm) {
                    Some(Action::CancelYes) => *confirmed = true,
                    Some(Action::CancelNo) => *p.modal = None,
                    _ => {}
                }
                return Vec::new();
            }
            let Some(reason) = cancel_reason(p, ctx, key) else {
                return Vec::new();
            };
            *p.modal = None;
            p.out.begin_write();
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
            match form.handle_key(key, ctx.keymap, &p.schedule.matcher, &p.schedule.directory) {
                FormOutcome::Stay => Vec::new(),
                FormOutcome::Close => {
                    *p.modal = None;
                    Vec::new()
                }
                FormOutcome::Submit => submit_booking(p, ctx),
            }
        }
        Modal::NewPatient(form) => {
            if form.saving {
                return Vec::new();
            }
            match form.handle_key(key, ctx.keymap) {
                FormOutcome::Stay => Vec::new(),
                FormOutcome::Close => {
                    *p.modal = None;
                    Vec::new()
                }
                FormOutcome::Submit => match form.form().validate(ctx.today) {
                    Err((field, message)) => {
                        form.focus_field(field);
                        form.error = Some((field, message));
                        Vec::new()
                    }
                    Ok(patient) => {
                        form.error = None;
                        crate::tui::record::duplicate::on_submit(form, patient, &mut p.out)
                    }
                },
            }
        }
        Modal::Waitlist { .. } => waitlist::on_key(p, ctx, key),
        Modal::Series(_) | Modal::CancelSeries { .. } => series::on_dialog_key(p, ctx, key),
        Modal::GoToDate(_) => go_to_date::on_key(p, ctx, key),
        Modal::Help { .. } => Vec::new(),
    }
}

fn booking_form(modal: &mut Option<Modal>) -> Option<&mut BookingForm> {
    match modal.as_mut() {
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

/// Books, or holds the booking with what is wrong with it (a double booking, a time outside
/// the clinic's hours, a closed day, the past) for a second Enter to book anyway.
fn warn_or_save(
    form: &mut BookingForm,
    booking: Booking,
    clashing: &[&Visit],
    calendar: &ClinicCalendar,
    ctx: &Context,
) -> Vec<Effect> {
    let mut warnings = Vec::new();
    if let Some(w) = calendar.booking_warning(booking.start, booking.minutes, ctx.now) {
        warnings.push(w);
    }
    if !clashing.is_empty() {
        warnings.push(clash_warning(clashing));
    }
    if warnings.is_empty() {
        return save_booking(form, booking);
    }
    form.warning = Some((booking, warnings.join("; ")));
    Vec::new()
}

fn moving_id(form: &BookingForm) -> Option<i64> {
    match form.mode {
        BookingMode::Move { visit_id, .. } => Some(visit_id),
        BookingMode::New => None,
    }
}

fn submit_booking(p: &mut Parts, ctx: &Context) -> Vec<Effect> {
    let shown_day = p.schedule.visits_day;
    let visits = std::mem::take(&mut p.schedule.visits);
    let calendar = &p.schedule.calendar;
    let site = p.schedule.booking_site();
    let effects = (|| {
        let form = booking_form(p.modal)?;
        let typed_in = p.schedule.form_calendar(form.site_id);
        let booking = match form.validate(ctx.staff, ctx.keymap, &typed_in, ctx.today, site) {
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
        // Who works where is known here: said at the first Enter, before any clash, as the
        // store would refuse it.
        if let Some(at) = p.schedule.sites.by_id(booking.site_id)
            && !at.works_here(booking.therapist_id)
        {
            let name = ctx
                .staff
                .iter()
                .find(|s| s.id == booking.therapist_id)
                .map(|s| crate::sanitize::clean_line(&s.name))
                .unwrap_or_default();
            form.focus = BookingField::ALL
                .iter()
                .position(|f| *f == BookingField::Therapist)
                .unwrap_or(0);
            let why = p
                .schedule
                .sites
                .works_elsewhere(at, booking.therapist_id, &name);
            form.error = Some((BookingField::Therapist, why));
            return Some(Vec::new());
        }
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
            let at_site = p.schedule.site_calendar(calendar, Some(booking.site_id));
            return Some(warn_or_save(form, booking, &clashing, &at_site, ctx));
        }
        form.saving = true;
        Some(vec![Effect::Db(Request::TherapistDay {
            therapist_id: booking.therapist_id,
            day: booking.start.date(),
        })])
    })();
    p.schedule.visits = visits;
    let effects = effects.unwrap_or_default();
    if effects
        .iter()
        .any(|e| matches!(e, Effect::Db(r) if r.is_write()))
    {
        p.out.begin_write();
    }
    effects
}

fn save_booking(form: &mut BookingForm, booking: Booking) -> Vec<Effect> {
    form.saving = true;
    form.warning = None;
    let request = match form.mode {
        BookingMode::New => waitlist::booking_request(form, booking),
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

/// The database's answers about the schedule's visits, the directory and the dialogs. A change
/// made here needs no reload: the database thread sends the shown day with its flags right
/// after the change's own answer.
pub fn on_reply(p: &mut Parts, ctx: &Context, reply: Reply) -> Vec<Effect> {
    let reload = |day| vec![Effect::Db(Request::LoadDay(day))];
    match reply {
        // The staff list in it is the app's, taken in by `update`.
        Reply::Directory {
            patients, calendar, ..
        } => {
            p.schedule.calendar = calendar;
            p.schedule.directory = patients.iter().map(DirectoryEntry::from).collect();
            let (matcher, directory) = (&p.schedule.matcher, &p.schedule.directory);
            if let Some(Modal::Booking(form)) = p.modal.as_mut() {
                // A booking from the waitlist has its patient already.
                if !form.patient.is_empty() && form.from_waitlist.is_none() {
                    form.refresh_patient_hits(matcher, directory);
                }
            }
            Vec::new()
        }
        Reply::StatusChanged(change) => {
            p.out.end_write();
            let mut effects = Vec::new();
            match change {
                StatusChange::Changed { previous, visit } => {
                    p.out.say(
                        Level::Info,
                        format!(
                            "{} {}: {} ({} undoes)",
                            visit.start.format("%H:%M"),
                            visit.patient_name,
                            match visit.status {
                                AppointmentStatus::CheckedIn => "checked in",
                                AppointmentStatus::NoShow => "marked no-show",
                                AppointmentStatus::Completed => "checked out, visit completed",
                                AppointmentStatus::Cancelled => "cancelled",
                                other => other.label(),
                            },
                            ctx.keymap.label(Action::Undo)
                        ),
                    );
                    p.schedule.undo.push(UndoEntry {
                        visit_id: visit.id,
                        version: visit.version,
                        previous,
                        now: visit.status,
                        booked_at: None,
                    });
                    // The next patient at the desk is a fresh search: `/`, letters, Enter, check
                    // in, never letters added to the last one's name.
                    if visit.status == AppointmentStatus::CheckedIn {
                        p.schedule.filter = None;
                    }
                    effects = waitlist::ask_for_fits(p.schedule, &visit);
                    p.schedule.replace_visit(visit, ctx.me_id());
                }
                StatusChange::Unchanged { visit } => {
                    p.out.say(
                        Level::Info,
                        format!("{} is already {}", visit.patient_name, visit.status.label()),
                    );
                    p.schedule.replace_visit(visit, ctx.me_id());
                }
            }
            effects
        }
        Reply::WaitlistFits { slot, entries } => {
            waitlist::on_fits(p, ctx, slot, entries);
            Vec::new()
        }
        Reply::Undone(visit) => {
            p.out.end_write();
            p.out.say(
                Level::Info,
                format!(
                    "undone: {} is {} again",
                    visit.patient_name,
                    visit.status.label()
                ),
            );
            waitlist::on_undone(p.schedule, &visit);
            p.schedule.replace_visit(visit, ctx.me_id());
            Vec::new()
        }
        Reply::TherapistDay { visits, .. } => {
            let Some(form) = booking_form(p.modal) else {
                return Vec::new();
            };
            form.saving = false;
            let calendar = &p.schedule.calendar;
            let site = p.schedule.booking_site();
            let typed_in = p.schedule.form_calendar(form.site_id);
            let Ok(booking) = form.validate(ctx.staff, ctx.keymap, &typed_in, ctx.today, site)
            else {
                return Vec::new();
            };
            let clashing = clashes(&visits, &booking, moving_id(form));
            let at_site = p.schedule.site_calendar(calendar, Some(booking.site_id));
            let effects = warn_or_save(form, booking, &clashing, &at_site, ctx);
            if !effects.is_empty() {
                p.out.begin_write();
            }
            effects
        }
        Reply::Booked(v) | Reply::Rescheduled(v) => {
            p.out.end_write();
            let moved = matches!(*p.modal, Some(Modal::Booking(ref f)) if matches!(f.mode, BookingMode::Move { .. }));
            let from_waitlist = matches!(*p.modal, Some(Modal::Booking(ref f)) if f.from_waitlist.is_some_and(|w| w.patient_id == v.patient_id));
            waitlist::on_booked(p.schedule, from_waitlist);
            *p.modal = None;
            p.out.say(
                Level::Info,
                format!(
                    "{} {} {} with {}{}",
                    if moved { "Moved to" } else { "Booked" },
                    v.start.format("%a %-d %b %H:%M"),
                    v.patient_name,
                    v.therapist_initials,
                    if from_waitlist {
                        ", off the waitlist"
                    } else {
                        ""
                    }
                ),
            );
            if !moved && !from_waitlist {
                // A booking made here can be taken back for a few minutes; one from the
                // waitlist took the entry off it, which a cancellation undoes more honestly.
                unbook::on_booked(p, ctx, &v);
            }
            p.schedule.selected = Some(v.id);
            let shown = p.schedule.day;
            p.schedule.day = v.start.date();
            if p.schedule.visits_day != Some(p.schedule.day) {
                p.schedule.filter = None;
            }
            // Booked on the day shown, it comes with the fresh day; on another, that day is asked for.
            if p.schedule.day == shown {
                Vec::new()
            } else {
                reload(p.schedule.day)
            }
        }
        Reply::Series(reply) => series::on_reply(p, ctx, reply),
        Reply::Unbooked(v) => {
            unbook::on_unbooked(p, ctx, &v);
            Vec::new()
        }
        Reply::Answered(a) => {
            answers::on_answered(p, ctx, a);
            Vec::new()
        }
        Reply::Week {
            monday,
            visits,
            calendar,
            ..
        } => {
            week::on_loaded(p, ctx, monday, visits, calendar);
            Vec::new()
        }
        Reply::Registered { id, mrn } => {
            p.out.end_write();
            *p.modal = None;
            p.schedule.just_registered = Some((id, mrn.clone()));
            p.out.say(
                Level::Info,
                format!(
                    "Registered with MRN {mrn}: press {} to book their evaluation",
                    ctx.keymap.label(Action::Book)
                ),
            );
            vec![Effect::Db(Request::LoadDirectory)]
        }
        _ => Vec::new(),
    }
}

/// The reason picked in the cancel dialog's second step; back closes the dialog.
pub(super) fn cancel_reason(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Option<CancelReason> {
    match ctx.keymap.resolve(key, Scope::CancelReason) {
        Some(Action::CancelForPatient) => Some(CancelReason::Patient),
        Some(Action::CancelByClinic) => Some(CancelReason::Clinic),
        Some(Action::CancelLate) => Some(CancelReason::Late),
        Some(Action::CancelBack) => {
            *p.modal = None;
            None
        }
        _ => None,
    }
}

/// "Your 10:30 has arrived (room 3)": the current user's visits that another terminal checked
/// in since the last load. No patient name: the text may reach a desktop notification.
pub fn arrivals_elsewhere(schedule: &Schedule, me: Option<i64>, fresh: &[Visit]) -> Vec<String> {
    let (Some(me), Some(loaded)) = (me, schedule.visits_day) else {
        return Vec::new();
    };
    if loaded != schedule.day {
        return Vec::new();
    }
    fresh
        .iter()
        .filter(|v| v.therapist_id == me && v.status == AppointmentStatus::CheckedIn)
        .filter(|v| {
            schedule
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

//! A booking undone with the schedule's undo key, at the terminal that made it and within
//! `BOOKING_UNDO_MINUTES`: the visit goes from the record as if never booked (the database
//! refuses once anyone has touched it). Later, or elsewhere, it is a cancellation.

use chrono::Duration;

use super::Parts;
use super::state::UndoEntry;
use crate::db::worker::Request;
use crate::domain::appointment::{BOOKING_UNDO_MINUTES, StatusSnapshot, Visit};
use crate::tui::event::Effect;
use crate::tui::keymap::Action;
use crate::tui::pane::{Context, Level};

/// A booking made here: it goes on the undo list, and the message says for how long.
pub fn on_booked(p: &mut Parts, ctx: &Context, v: &Visit) {
    p.schedule.undo.push(UndoEntry {
        visit_id: v.id,
        version: v.version,
        previous: StatusSnapshot {
            status: v.status,
            status_changed_at: v.status_changed_at.clone(),
            checked_in_at: v.checked_in_at.clone(),
            cancel_reason: v.cancel_reason,
        },
        now: v.status,
        booked_at: Some(ctx.now),
    });
    p.out.say(
        Level::Info,
        format!(
            "Booked {} {} with {} ({} undoes it for {BOOKING_UNDO_MINUTES} minutes)",
            v.start.format("%a %-d %b %H:%M"),
            v.patient_name,
            v.therapist_initials,
            ctx.keymap.label(Action::Undo)
        ),
    );
}

/// Undoing a booking: asked of the database while it is recent, else refused with what to do.
pub fn undo(p: &mut Parts, ctx: &Context, entry: UndoEntry) -> Vec<Effect> {
    let recent = entry
        .booked_at
        .is_some_and(|at| ctx.now - at <= Duration::minutes(BOOKING_UNDO_MINUTES));
    if !recent {
        p.out.say(
            Level::Warning,
            format!(
                "a booking can be undone for {BOOKING_UNDO_MINUTES} minutes after it is made; this one stays: {} cancels it",
                ctx.keymap.label(Action::Cancel)
            ),
        );
        return Vec::new();
    }
    p.out.begin_write();
    vec![Effect::Db(Request::Unbook {
        id: entry.visit_id,
        seen_version: entry.version,
    })]
}

/// The booking is gone: from the day and the week at once (the fresh day follows).
pub fn on_unbooked(p: &mut Parts, ctx: &Context, v: &Visit) {
    p.out.end_write();
    p.schedule.visits.retain(|x| x.id != v.id);
    if let Some(week) = p.schedule.week.as_mut() {
        week.visits.retain(|x| x.id != v.id);
        if week.selected == Some(v.id) {
            week.selected = None;
        }
    }
    p.schedule.refresh_rows(ctx.me_id());
    p.out.say(
        Level::Info,
        format!(
            "booking undone: {} {} is off the schedule",
            v.start.format("%a %-d %b %H:%M"),
            v.patient_name
        ),
    );
}

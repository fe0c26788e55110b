//! The patient's answer about the selected visit, as the desk takes it on the phone: they are
//! coming, or they can't. Written through the database thread; the day that comes back with
//! the answer shows its badge.

use crate::db::confirmations::Answered;
use crate::db::worker::Request;
use crate::domain::messages::{Confirmation, answerable};
use crate::tui::event::Effect;
use crate::tui::keymap::Action;
use crate::tui::pane::{Context, Level};

use super::Parts;

/// Asks the store to record `answer` for the selected visit, or says why it cannot take one.
pub fn ask(p: &mut Parts, ctx: &Context, answer: Confirmation) -> Vec<Effect> {
    let Some(v) = p.schedule.selected_visit() else {
        p.out.say(Level::Info, "no visit selected");
        return Vec::new();
    };
    if let Err(why) = answerable(v.status, v.start, ctx.now) {
        p.out.say(Level::Warning, why);
        return Vec::new();
    }
    if v.answer == Some(answer) {
        p.out.say(Level::Info, already(answer));
        return Vec::new();
    }
    let (id, seen_version) = (v.id, v.version);
    p.out.begin_write();
    vec![Effect::Db(Request::Answer {
        id,
        seen_version,
        answer,
    })]
}

fn already(answer: Confirmation) -> &'static str {
    match answer {
        Confirmation::Confirmed => "already confirmed",
        Confirmation::Declined => "already marked can't come",
    }
}

/// The answer stored: said in the status line (a "can't come" with the keys that free the
/// slot); the fresh day follows from the database thread.
pub fn on_answered(p: &mut Parts, ctx: &Context, a: Answered) {
    p.out.end_write();
    let v = &a.visit;
    let when = if v.start.date() == p.schedule.day {
        v.start.format("%H:%M").to_string()
    } else {
        v.start.format("%a %-d %b %H:%M").to_string()
    };
    let name = &v.patient_name;
    let text = match (a.answer.answer, a.unchanged) {
        (answer, true) => format!("{when} {name}: {}", already(answer)),
        (Confirmation::Confirmed, false) => format!("{when} {name}: confirmed"),
        (Confirmation::Declined, false) => format!(
            "{when} {name} can't come: still booked ({} cancels, {} moves)",
            ctx.keymap.label(Action::Cancel),
            ctx.keymap.label(Action::Reschedule)
        ),
    };
    p.out.say(Level::Info, text);
}

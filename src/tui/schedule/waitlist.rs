//! Offering a freed slot to the waitlist. When this terminal cancels a visit or marks it a
//! no-show, the database is asked who on the waitlist fits that time; the status line then
//! says how many ("2 on the waitlist fit 10:30 with AM") and names the key that lists them,
//! best first. Picking one opens the booking form with that patient in the freed slot, and
//! saving it takes them off the waitlist in the same change.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Parts;
use super::state::Schedule;
use crate::db::worker::Request;
use crate::domain::AppointmentStatus;
use crate::domain::appointment::Visit;
use crate::domain::waitlist::{FreedSlot, WaitlistEntry, days_label};
use crate::sanitize::clean_line;
use crate::text::{fit, truncate, width};
use crate::tui::event::Effect;
use crate::tui::forms::{BookingField, BookingForm, WaitlistPick};
use crate::tui::input::LineInput;
use crate::tui::keymap::{Action, Keymap, Scope};
use crate::tui::modal::Modal;
use crate::tui::pane::{Context, Level};
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::{bordered, centered};
use crate::tui::widgets::marked_list;

pub use super::state::WaitlistOffer;

/// After a status change made here: a cancelled or missed visit frees its time, and the
/// waitlist is asked who fits it. Any other change leaves the last offer as it was.
pub fn ask_for_fits(schedule: &mut Schedule, visit: &Visit) -> Vec<Effect> {
    if !matches!(
        visit.status,
        AppointmentStatus::Cancelled | AppointmentStatus::NoShow
    ) {
        return Vec::new();
    }
    let slot = FreedSlot {
        start: visit.start,
        minutes: visit.minutes,
        therapist_id: visit.therapist_id,
        site_id: visit.site_id,
    };
    schedule.waitlist = Some(WaitlistOffer {
        visit_id: visit.id,
        patient_id: visit.patient_id,
        slot,
        therapist_initials: visit.therapist_initials.clone(),
        entries: Vec::new(),
    });
    vec![Effect::Db(Request::WaitlistFits(slot))]
}

/// "2 on the waitlist fit 10:30 with AM: W shows them".
pub fn fits_message(offer: &WaitlistOffer, keymap: &Keymap) -> String {
    let n = offer.entries.len();
    format!(
        "{n} on the waitlist {} {} with {}: {} shows {} ({} undoes)",
        if n == 1 { "fits" } else { "fit" },
        offer.slot.start.format("%H:%M"),
        clean_line(&offer.therapist_initials),
        keymap.label(Action::Waitlist),
        if n == 1 { "them" } else { "them, best first" },
        keymap.label(Action::Undo),
    )
}

/// The database's answer: kept when it is for the slot still on offer (a later change may
/// have freed another), and said when anyone fits.
pub fn on_fits(p: &mut Parts, ctx: &Context, slot: FreedSlot, entries: Vec<WaitlistEntry>) {
    let Some(offer) = p.schedule.waitlist.as_mut().filter(|o| o.slot == slot) else {
        return;
    };
    let freed_by = offer.patient_id;
    offer.entries = entries
        .into_iter()
        .filter(|e| e.patient_id != freed_by)
        .collect();
    if !offer.entries.is_empty() {
        let said = fits_message(offer, ctx.keymap);
        p.out.say(Level::Info, said);
    }
}

/// The key that lists the entries that fit.
pub fn open(p: &mut Parts) {
    match &p.schedule.waitlist {
        Some(offer) if !offer.entries.is_empty() => {
            *p.modal = Some(Modal::Waitlist { cursor: 0 });
        }
        Some(offer) => {
            let said = format!(
                "no one on the waitlist fits {} with {}",
                offer.slot.start.format("%H:%M"),
                clean_line(&offer.therapist_initials)
            );
            p.out.say(Level::Info, said);
        }
        None => p.out.say(
            Level::Info,
            "the waitlist fills a slot freed here: cancel a visit or mark a no-show first",
        ),
    }
}

/// The booking form for `entry` in the freed slot: its patient, the slot's therapist and
/// date, the time the entry's window allows in it, and the entry's visit length.
pub fn booking_for(offer: &WaitlistOffer, entry: &WaitlistEntry) -> BookingForm {
    let start = entry.start_in(&offer.slot).unwrap_or(offer.slot.start);
    let mut form = BookingForm::new(start.date(), None);
    form.patient = LineInput::with_text(&entry.patient_name);
    form.patient_hits = vec![entry.patient_id];
    form.therapist = LineInput::with_text(&offer.therapist_initials);
    form.time = LineInput::with_text(&start.format("%H:%M").to_string());
    form.minutes = LineInput::with_text(&entry.minutes.to_string());
    form.focus = BookingField::ALL
        .iter()
        .position(|f| *f == BookingField::Kind)
        .unwrap_or(0);
    form.from_waitlist = Some(WaitlistPick {
        entry_id: entry.id,
        patient_id: entry.patient_id,
    });
    form.site_id = Some(entry.site_id);
    form
}

/// Keys in the list: move, pick (the booking form), close.
pub fn on_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Vec<Effect> {
    let Some(Modal::Waitlist { cursor }) = p.modal.as_mut() else {
        return Vec::new();
    };
    let Some(offer) = p.schedule.waitlist.as_ref() else {
        *p.modal = None;
        return Vec::new();
    };
    let last = offer.entries.len().saturating_sub(1);
    match ctx.keymap.resolve(key, Scope::List) {
        Some(Action::ListUp) => *cursor = cursor.saturating_sub(1),
        Some(Action::ListDown) => *cursor = (*cursor + 1).min(last),
        Some(Action::ListClose) => *p.modal = None,
        Some(Action::ListPick) => {
            let Some(entry) = offer.entries.get(*cursor) else {
                return Vec::new();
            };
            let form = booking_for(offer, entry);
            *p.modal = Some(Modal::Booking(Box::new(form)));
            return vec![Effect::Db(Request::LoadDirectory)];
        }
        _ => {}
    }
    Vec::new()
}

/// The request that saves a new booking: from the waitlist when it is still the entry's
/// patient being booked (the patient field was not changed to someone else).
pub fn booking_request(form: &BookingForm, booking: crate::db::schedule::Booking) -> Request {
    match form.from_waitlist {
        Some(pick) if pick.patient_id == booking.patient_id => Request::BookFromWaitlist {
            entry_id: pick.entry_id,
            booking,
        },
        _ => Request::Book(booking),
    }
}

/// A booking saved from the offer fills the slot: the offer is over.
pub fn on_booked(schedule: &mut Schedule, form_from_waitlist: bool) {
    if form_from_waitlist {
        schedule.waitlist = None;
    }
}

/// An undone cancellation takes its slot back off the offer.
pub fn on_undone(schedule: &mut Schedule, visit: &Visit) {
    if schedule
        .waitlist
        .as_ref()
        .is_some_and(|o| o.visit_id == visit.id)
    {
        schedule.waitlist = None;
    }
}

/// One entry's row: priority, name, when they can come, waiting since, note.
fn row(e: &WaitlistEntry, cols: usize) -> String {
    let can_come = format!("{} {}", days_label(&e.weekdays), e.window.label());
    let since = e.added_at.format("%-d %b").to_string();
    let fixed = format!(
        "P{} {} {} {}",
        e.priority,
        fit(&clean_line(&e.patient_name), 18),
        fit(&can_come, 25),
        fit(&since, 7),
    );
    let note = e.note.as_deref().map(clean_line).unwrap_or_default();
    let room = cols.saturating_sub(width(&fixed) + 1);
    // A note cut to a few letters says nothing: it shows where a word or two fit.
    if note.is_empty() || room < 10 {
        fixed
    } else {
        format!("{fixed} {}", truncate(&note, room))
    }
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    schedule: &Schedule,
    cursor: usize,
    keymap: &Keymap,
    theme: &Theme,
) {
    let Some(offer) = schedule.waitlist.as_ref() else {
        return;
    };
    // Borders, the header, the entries, a blank line and the keys.
    let wanted_rows = offer.entries.len() as u16 + 5;
    let rect = centered(area, area.width.saturating_sub(4).min(96), wanted_rows);
    frame.render_widget(Clear, rect);
    let title = format!(
        " Waitlist: fits {} with {}, {} min ",
        offer.slot.start.format("%a %H:%M"),
        clean_line(&offer.therapist_initials),
        offer.slot.minutes
    );
    let block = bordered(theme).title(title);
    let inner = block.inner(rect).inner(Margin::new(1, 0));
    frame.render_widget(block, rect);
    let marker_w = width(theme.symbols.marker);
    let cols = usize::from(inner.width).saturating_sub(marker_w);
    let mut lines = vec![Line::styled(
        truncate(
            &format!(
                "{}P  {} {} {} Note",
                " ".repeat(marker_w),
                fit("Patient", 18),
                fit("Can come", 25),
                fit("Waiting", 7)
            ),
            usize::from(inner.width),
        ),
        theme.muted,
    )];
    let rows = usize::from(inner.height).saturating_sub(2).max(1);
    let texts: Vec<String> = offer.entries.iter().map(|e| row(e, cols)).collect();
    lines.extend(marked_list::text_rows(&texts, cursor, rows, cols, theme));
    lines.push(Line::from(""));
    let mut footer = format!(
        "{} books · {}/{} moves · {} closes",
        keymap.label(Action::ListPick),
        keymap.label(Action::ListUp),
        keymap.label(Action::ListDown),
        keymap.label(Action::ListClose)
    );
    const PRIORITY_HINT: &str = " · P1 is the most urgent";
    if width(&footer) + width(PRIORITY_HINT) <= usize::from(inner.width) {
        footer.push_str(PRIORITY_HINT);
    }
    lines.push(Line::from(Span::styled(
        truncate(&footer, usize::from(inner.width)),
        theme.muted,
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
#[path = "waitlist_tests.rs"]
mod tests;

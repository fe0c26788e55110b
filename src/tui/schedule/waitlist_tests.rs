//! A freed slot offered to the waitlist, through the app's `update` as the desk meets it:
//! the count said after a cancellation or a no-show, the list best first, and a booking from
//! it that takes the entry off the list.

use crossterm::event::KeyCode;

use crate::db::schedule::StatusChange;
use crate::db::worker::{Reply, Request};
use crate::domain::appointment::StatusSnapshot;
use crate::domain::{AppointmentStatus, CancelReason};
use crate::tui::event::Event;
use crate::tui::fixtures::{
    self, key, offer_freed_slot, press_action, requests, state_for, waitlist_entries,
};
use crate::tui::forms::BookingField;
use crate::tui::keymap::{Action, Keymap};
use crate::tui::state::{AppState, Modal};
use crate::tui::update::update;

fn said(s: &AppState) -> String {
    s.message.clone().map(|(_, m)| m).unwrap_or_default()
}

fn screen(s: &mut AppState, w: u16, h: u16) -> String {
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    fixtures::screen_text(s, w, h, &theme)
}

fn changed(s: &mut AppState, visit: crate::domain::appointment::Visit) -> Vec<Request> {
    requests(update(
        s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: StatusSnapshot {
                status: AppointmentStatus::Scheduled,
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
            },
            visit,
        })),
    ))
}

#[test]
fn a_cancellation_here_says_how_many_on_the_waitlist_fit_and_which_key_shows_them() {
    let mut s = state_for("dfry");
    offer_freed_slot(&mut s);
    assert_eq!(
        said(&s),
        "3 on the waitlist fit 09:00 with BO: W shows them, best first (u undoes)"
    );
    let offer = s.schedule.waitlist.as_ref().unwrap();
    assert_eq!(offer.slot.therapist_id, 2);
    assert_eq!(offer.slot.minutes, 45);
}

#[test]
fn the_message_names_the_keys_in_force() {
    let mut s = state_for("dfry");
    s.keymap = Keymap::with_overrides([("waitlist", vec!["F7"]), ("undo", vec!["Z"])]).unwrap();
    offer_freed_slot(&mut s);
    assert!(said(&s).contains(": F7 shows them"), "{}", said(&s));
    assert!(said(&s).contains("(Z undoes)"), "{}", said(&s));
}

#[test]
fn a_no_show_asks_the_waitlist_too_and_a_check_in_does_not() {
    let mut s = state_for("dfry");
    let mut missed = fixtures::visits().into_iter().find(|v| v.id == 5).unwrap();
    missed.status = AppointmentStatus::NoShow;
    missed.version = 2;
    let sent = changed(&mut s, missed.clone());
    match sent.as_slice() {
        [Request::WaitlistFits(slot)] => {
            assert_eq!(slot.start, missed.start);
            assert_eq!(slot.therapist_id, missed.therapist_id);
            assert_eq!(slot.minutes, missed.minutes);
        }
        other => panic!("unexpected {other:?}"),
    }
    let mut arrived = fixtures::visits().into_iter().find(|v| v.id == 7).unwrap();
    arrived.status = AppointmentStatus::CheckedIn;
    arrived.version = 2;
    assert!(changed(&mut s, arrived).is_empty());
    assert!(
        s.schedule.waitlist.is_some(),
        "the no-show's slot is still on offer"
    );
}

#[test]
fn no_one_fitting_leaves_the_status_message_and_the_key_says_so() {
    let mut s = state_for("dfry");
    let mut cancelled = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.cancel_reason = Some(CancelReason::Clinic);
    cancelled.version = 2;
    let sent = changed(&mut s, cancelled);
    let Some(Request::WaitlistFits(slot)) = sent.first().cloned() else {
        panic!("{sent:?}");
    };
    let before = said(&s);
    assert!(before.contains("cancelled"), "{before}");
    update(
        &mut s,
        Event::Reply(Reply::WaitlistFits {
            slot,
            entries: Vec::new(),
        }),
    );
    assert_eq!(said(&s), before);
    press_action(&mut s, Action::Waitlist);
    assert!(s.modal.is_none());
    assert_eq!(said(&s), "no one on the waitlist fits 09:00 with BO");
}

#[test]
fn the_patient_who_cancelled_is_not_offered_their_own_slot() {
    let mut s = state_for("dfry");
    let mut cancelled = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.cancel_reason = Some(CancelReason::Patient);
    cancelled.version = 2;
    let sent = changed(&mut s, cancelled.clone());
    let Some(Request::WaitlistFits(slot)) = sent.first().cloned() else {
        panic!("{sent:?}");
    };
    let mut entries = waitlist_entries();
    entries[0].patient_id = cancelled.patient_id;
    update(&mut s, Event::Reply(Reply::WaitlistFits { slot, entries }));
    let offered: Vec<i64> = s
        .schedule
        .waitlist
        .as_ref()
        .unwrap()
        .entries
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(offered, vec![22, 23]);
    assert!(said(&s).starts_with("2 on the waitlist fit 09:00 with BO"));
}

#[test]
fn the_key_without_a_freed_slot_says_what_it_is_for() {
    let mut s = state_for("dfry");
    press_action(&mut s, Action::Waitlist);
    assert!(s.modal.is_none());
    assert!(said(&s).contains("cancel a visit or mark a no-show first"));
}

#[test]
fn an_answer_for_an_older_slot_is_dropped() {
    let mut s = state_for("dfry");
    offer_freed_slot(&mut s);
    let old = s.schedule.waitlist.as_ref().unwrap().slot;
    let mut missed = fixtures::visits().into_iter().find(|v| v.id == 5).unwrap();
    missed.status = AppointmentStatus::NoShow;
    missed.version = 2;
    changed(&mut s, missed);
    update(
        &mut s,
        Event::Reply(Reply::WaitlistFits {
            slot: old,
            entries: waitlist_entries(),
        }),
    );
    assert!(s.schedule.waitlist.as_ref().unwrap().entries.is_empty());
}

#[test]
fn picking_an_entry_books_them_in_the_freed_slot_and_takes_them_off_the_list() {
    let mut s = state_for("dfry");
    // Before the freed 09:00, so that it books without the warning of a time in the past.
    s.now = fixtures::at(8, 40);
    offer_freed_slot(&mut s);
    press_action(&mut s, Action::Waitlist);
    assert_eq!(s.modal, Some(Modal::Waitlist { cursor: 0 }));
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(
        s.modal,
        Some(Modal::Waitlist { cursor: 2 }),
        "stops at the last"
    );
    key(&mut s, KeyCode::Up);
    let sent = requests(key(&mut s, KeyCode::Enter));
    assert!(
        matches!(sent.as_slice(), [Request::LoadDirectory]),
        "{sent:?}"
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("the booking form");
    };
    assert_eq!(form.patient.text(), "Henrik Østergaard");
    assert_eq!(form.therapist.text(), "BO");
    assert_eq!(form.date.text(), "2026-11-27");
    assert_eq!(form.time.text(), "09:00");
    assert_eq!(form.minutes.text(), "45");
    assert_eq!(form.field(), BookingField::Kind);
    let shown = screen(&mut s, 80, 24);
    assert!(shown.contains("Book from the waitlist"), "{shown}");
    // The directory's arrival keeps the patient picked.
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![fixtures::patient(220, "100022", "Henrik", "Østergaard")],
            staff: fixtures::staff(),
            calendar: Default::default(),
        }),
    );
    // Visit 3 is cancelled, so 09:00 with BO is free: Enter books at once, from the waitlist.
    let mut day = fixtures::visits();
    day.iter_mut().find(|v| v.id == 3).unwrap().status = AppointmentStatus::Cancelled;
    s.set_day(fixtures::day(), day, "2026-11-27T08:00:00".into());
    let sent = requests(key(&mut s, KeyCode::Enter));
    let booked = match sent.as_slice() {
        [
            Request::BookFromWaitlist {
                entry_id: 22,
                booking,
            },
        ] => booking.clone(),
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(booked.patient_id, 220);
    assert_eq!(booked.therapist_id, 2);
    assert_eq!(booked.start, fixtures::at(9, 0));
    assert_eq!(booked.minutes, 45);
    assert_eq!(s.pending_writes, 1);
    let mut visit = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    visit.id = 99;
    visit.patient_id = 220;
    visit.patient_name = "Henrik Østergaard".into();
    update(&mut s, Event::Reply(Reply::Booked(visit)));
    assert!(s.modal.is_none());
    assert!(s.schedule.waitlist.is_none(), "the slot is filled");
    assert_eq!(
        said(&s),
        "Booked Fri 27 Nov 09:00 Henrik Østergaard with BO, off the waitlist"
    );
}

#[test]
fn a_window_opening_later_in_the_slot_books_from_the_window() {
    let mut s = state_for("dfry");
    offer_freed_slot(&mut s);
    let offer = s.schedule.waitlist.clone().unwrap();
    let mut later = waitlist_entries()[1].clone();
    later.window = crate::domain::waitlist::TimeWindow::new(
        fixtures::at(9, 0).time(),
        fixtures::at(12, 0).time(),
    )
    .unwrap();
    let mut offer = offer;
    offer.slot.start = fixtures::at(8, 30);
    offer.slot.minutes = 75;
    let form = super::booking_for(&offer, &later);
    assert_eq!(form.time.text(), "09:00");
}

#[test]
fn another_patient_typed_in_books_plainly_and_undo_withdraws_the_offer() {
    let mut s = state_for("dfry");
    offer_freed_slot(&mut s);
    press_action(&mut s, Action::Waitlist);
    key(&mut s, KeyCode::Enter);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("the booking form");
    };
    let mut booking = form
        .validate(
            &fixtures::staff(),
            &s.keymap,
            &Default::default(),
            fixtures::day(),
            None,
        )
        .unwrap();
    assert_eq!(booking.site_id, 1, "the freed slot's site");
    assert!(matches!(
        super::booking_request(form, booking.clone()),
        Request::BookFromWaitlist { entry_id: 21, .. }
    ));
    booking.patient_id = 70;
    assert!(matches!(
        super::booking_request(form, booking),
        Request::Book(_)
    ));
    press_action(&mut s, Action::FormClose);
    let mut back = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    back.version = 3;
    update(&mut s, Event::Reply(Reply::Undone(back)));
    assert!(s.schedule.waitlist.is_none());
}

/// The list over the day at 80x24: best first, each with priority, when they can come, how
/// long they have waited and their note; the freed slot in the title.
#[test]
fn the_waitlist_overlay_at_80x24() {
    let mut s = state_for("dfry");
    offer_freed_slot(&mut s);
    press_action(&mut s, Action::Waitlist);
    key(&mut s, KeyCode::Down);
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("Waitlist: fits Fri 09:00 with BO, 45 min"),
        "{text}"
    );
    let order: Vec<usize> = ["Grace Whitfield", "Henrik Østergaard", "Samira Benali"]
        .iter()
        .map(|n| text.find(n).unwrap_or_else(|| panic!("{n}:\n{text}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "best first:\n{text}");
    assert!(text.contains("Mon, Fri 08:00-12:00"), "{text}");
    assert!(text.contains("12 Nov"), "{text}");
    assert!(
        text.contains("Enter books · ↑/↓ moves · Esc closes · P1 is the most urgent"),
        "{text}"
    );
    for (w, h) in [(70, 20), (120, 40)] {
        let other = screen(&mut s, w, h);
        assert!(other.contains("Henrik Østergaard"), "{w}x{h}:\n{other}");
        assert!(other.contains("Enter books"), "{w}x{h}:\n{other}");
    }
    insta::assert_snapshot!("waitlist_overlay_at_80x24", text);
}

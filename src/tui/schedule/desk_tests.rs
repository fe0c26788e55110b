//! The desk's day finished (issue 16, part 7): check-out, a booking undone, rooms and
//! arrival times, and which visits are shown at every width.

use crossterm::event::KeyCode;

use crate::db::schedule::StatusChange;
use crate::db::worker::{Reply, Request};
use crate::domain::AppointmentStatus;
use crate::domain::appointment::StatusSnapshot;
use crate::tui::event::Event;
use crate::tui::fixtures::{self, key, press_action, requests, state_for};
use crate::tui::keymap::Action;
use crate::tui::update::update;

fn select(s: &mut crate::tui::state::AppState, id: i64) {
    s.schedule.selected = Some(id);
}

#[test]
fn o_checks_out_an_arrived_patient_and_u_undoes_it() {
    let mut s = state_for("dfry");
    select(&mut s, 2);
    let sent = requests(key(&mut s, KeyCode::Char('o')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::SetStatus {
                id: 2,
                seen_version: 1,
                to: AppointmentStatus::Completed,
                reason: None
            }]
        ),
        "{sent:?}"
    );
    let mut done = fixtures::visits().into_iter().find(|v| v.id == 2).unwrap();
    done.status = AppointmentStatus::Completed;
    done.version = 2;
    update(
        &mut s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: StatusSnapshot {
                status: AppointmentStatus::CheckedIn,
                status_changed_at: None,
                checked_in_at: Some("2026-11-27T08:55:00".into()),
                cancel_reason: None,
            },
            visit: done,
        })),
    );
    let said = s.message.as_ref().unwrap().1.clone();
    assert!(
        said.contains("checked out") && said.contains("u undoes"),
        "{said}"
    );
    let sent = requests(key(&mut s, KeyCode::Char('u')));
    assert!(
        matches!(sent.as_slice(), [Request::Undo { id: 2, seen_version: 2, previous }] if previous.status == AppointmentStatus::CheckedIn),
        "{sent:?}"
    );
}

#[test]
fn only_a_checked_in_visit_is_checked_out() {
    for (id, why) in [(3, "not been checked in"), (4, "no-show"), (6, "cancelled")] {
        let mut s = state_for("dfry");
        select(&mut s, id);
        let sent = requests(key(&mut s, KeyCode::Char('o')));
        assert!(sent.is_empty(), "{id}: {sent:?}");
        let said = &s.message.as_ref().unwrap().1;
        assert!(said.contains(why), "{id}: {said}");
    }
    let mut s = state_for("dfry");
    select(&mut s, 1);
    assert!(requests(key(&mut s, KeyCode::Char('o'))).is_empty());
    assert_eq!(s.message.as_ref().unwrap().1, "already completed");
    // Offline, it is a change like the others: refused with the reason.
    update(
        &mut s,
        Event::Reply(Reply::Offline {
            since: "2026-11-27T09:40:00".into(),
        }),
    );
    select(&mut s, 2);
    press_action(&mut s, Action::CheckOut);
    assert!(s.message.as_ref().unwrap().1.contains("read-only"));
}

fn booked_here(s: &mut crate::tui::state::AppState) -> crate::domain::appointment::Visit {
    let mut v = fixtures::visits().into_iter().find(|v| v.id == 8).unwrap();
    v.id = 99;
    v.start = fixtures::at(15, 0);
    update(s, Event::Reply(Reply::Booked(v.clone())));
    v
}

#[test]
fn u_takes_back_a_booking_made_here_within_minutes() {
    let mut s = state_for("dfry");
    let v = booked_here(&mut s);
    let said = s.message.as_ref().unwrap().1.clone();
    assert!(said.contains("u undoes it for 5 minutes"), "{said}");
    s.now += chrono::Duration::minutes(4);
    let sent = requests(key(&mut s, KeyCode::Char('u')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Unbook {
                id: 99,
                seen_version: 1
            }]
        ),
        "{sent:?}"
    );
    assert_eq!(s.pending_writes, 1);
    update(&mut s, Event::Reply(Reply::Unbooked(v)));
    assert_eq!(s.pending_writes, 0);
    assert!(!s.schedule.visits.iter().any(|x| x.id == 99));
    assert!(s.message.as_ref().unwrap().1.starts_with("booking undone"));
    assert!(requests(key(&mut s, KeyCode::Char('u'))).is_empty());
    assert_eq!(s.message.as_ref().unwrap().1, "nothing to undo");
}

#[test]
fn a_booking_older_than_the_minutes_is_cancelled_instead() {
    let mut s = state_for("dfry");
    booked_here(&mut s);
    s.now += chrono::Duration::minutes(6);
    assert!(requests(key(&mut s, KeyCode::Char('u'))).is_empty());
    let (level, said) = s.message.clone().unwrap();
    assert_eq!(level, crate::tui::state::Level::Warning);
    assert!(said.contains("x cancels it"), "{said}");
}

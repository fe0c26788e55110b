//! Keys in, state and database requests out: the front desk's flows as pure functions.

use crossterm::event::KeyCode;

use super::event::{Effect, Event};
use super::fixtures::{self, key, requests, state_for, typ};
use super::state::{Level, Modal, Pane};
use super::update::update;
use crate::db::schedule::StatusChange;
use crate::db::worker::{LockReply, Reply, Request};
use crate::domain::AppointmentStatus;
use crate::domain::appointment::StatusSnapshot;
use crate::domain::pin::Pin;
use crate::domain::pin::PinNeed;

#[test]
fn panes_switch_by_number_and_tab_and_load_the_patient() {
    let mut s = state_for("dfry");
    let sent = requests(key(&mut s, KeyCode::Char('2')));
    assert_eq!(s.pane, Pane::Progress);
    assert!(matches!(
        sent.as_slice(),
        [Request::Progress(
            crate::db::progress_work::ProgressRequest::Load {
                patient_id: 10,
                opened: true,
                ..
            }
        )]
    ));
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.pane, Pane::Program);
    key(&mut s, KeyCode::BackTab);
    key(&mut s, KeyCode::BackTab);
    assert_eq!(s.pane, Pane::Schedule);
    assert!(
        key(&mut s, KeyCode::Char('c')).len() == 1,
        "c works in the schedule"
    );
    key(&mut s, KeyCode::Char('3'));
    assert!(
        key(&mut s, KeyCode::Char('c')).is_empty(),
        "c means nothing outside the schedule"
    );
}

#[test]
fn while_the_drive_is_gone_the_day_is_read_only() {
    let mut s = state_for("dfry");
    update(
        &mut s,
        Event::Reply(Reply::Offline {
            since: "2026-11-27T10:42:05".into(),
        }),
    );
    assert!(key(&mut s, KeyCode::Char('c')).is_empty());
    assert!(s.message.as_ref().unwrap().1.contains("since 10:42"));
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.selected_visit().unwrap().id, 2, "moving still works");
    let back = requests(update(&mut s, Event::Reply(Reply::Online)));
    assert!(matches!(back.as_slice(), [Request::LoadDay(_)]));
    s.schedule.selected = Some(3);
    assert_eq!(requests(key(&mut s, KeyCode::Char('c'))).len(), 1);
}

#[test]
fn a_replaced_file_is_said_and_the_day_read_again_without_the_old_undo() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    key(&mut s, KeyCode::Char('c'));
    let visit = s.schedule.visits[2].clone();
    let sent = requests(update(
        &mut s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: StatusSnapshot {
                status: AppointmentStatus::Scheduled,
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
            },
            visit,
        })),
    ));
    assert!(sent.is_empty(), "the day comes with the answer: {sent:?}");
    assert_eq!(s.schedule.undo.len(), 1);
    let note = "the clinic record at /x/clinic.db was replaced (restored or rebuilt): reopened";
    let sent = requests(update(
        &mut s,
        Event::Reply(Reply::Replaced { note: note.into() }),
    ));
    assert!(matches!(sent.as_slice(), [Request::LoadDay(_)]), "{sent:?}");
    assert_eq!(s.message.as_ref().unwrap().1, note);
    assert!(
        s.schedule.undo.is_empty(),
        "undo would reach into the old file"
    );
}

#[test]
fn a_write_that_waits_is_shown_as_waiting() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    key(&mut s, KeyCode::Char('c'));
    assert!(!s.is_waiting());
    update(
        &mut s,
        Event::Tick(fixtures::at(9, 41) + chrono::Duration::seconds(2)),
    );
    assert!(s.is_waiting());
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            error: crate::error::AppError::failure(crate::db::BUSY_MESSAGE),
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Schedule,
                write: true,
            },
        }),
    );
    assert!(!s.is_waiting());
    assert_eq!(s.message.as_ref().unwrap().1, crate::db::BUSY_MESSAGE);
}

fn lock_reply(state: &mut super::state::AppState, reply: LockReply) -> Vec<Effect> {
    update(state, Event::Reply(Reply::Lock(reply)))
}

/// The PIN sent by the last Enter on the lock screen.
fn sent_pin(effects: Vec<Effect>) -> Pin {
    match requests(effects).as_slice() {
        [Request::Unlock { pin }] => pin.clone(),
        other => panic!("expected one unlock attempt, got {other:?}"),
    }
}

#[test]
fn an_idle_terminal_locks_and_only_the_pin_unlocks_it() {
    let mut s = state_for("dfry");
    s.idle_lock_minutes = 10;
    update(&mut s, Event::Tick(fixtures::at(9, 50)));
    assert!(!s.locked, "nine minutes is not ten");
    let sent = requests(update(&mut s, Event::Tick(fixtures::at(9, 51))));
    assert!(s.locked);
    assert!(
        matches!(sent.as_slice(), [Request::Locked, Request::Poll(_)]),
        "the lock asks what unlocking takes: {sent:?}"
    );
    // Locked, the tick only polls (the record is still watched); it asks nothing again.
    assert!(matches!(
        requests(update(&mut s, Event::Tick(fixtures::at(9, 52)))).as_slice(),
        [Request::Poll(_)]
    ));
    lock_reply(&mut s, LockReply::Needs(PinNeed::Pin));
    assert!(
        requests(key(&mut s, KeyCode::Char('c'))).is_empty(),
        "keys do nothing while locked"
    );
    assert!(
        requests(key(&mut s, KeyCode::Enter)).is_empty(),
        "no PIN typed"
    );
    assert!(s.locked);
    typ(&mut s, "48x21");
    assert_eq!(s.lock.pin.len(), 4, "digits only");
    let pin = sent_pin(key(&mut s, KeyCode::Enter));
    assert_eq!(pin, Pin::new("4821"));
    assert!(
        s.lock.pin.is_empty(),
        "the field is cleared at each attempt"
    );
    assert!(
        s.locked,
        "locked until the database thread says the PIN is right"
    );
    assert!(
        requests(key(&mut s, KeyCode::Enter)).is_empty(),
        "one check at a time"
    );
    lock_reply(&mut s, LockReply::WrongPin { in_a_row: 1 });
    assert!(s.locked);
    assert_eq!(s.lock.message.as_deref(), Some("wrong PIN"));
    typ(&mut s, "4812");
    key(&mut s, KeyCode::Enter);
    lock_reply(
        &mut s,
        LockReply::Unlocked {
            by: PinNeed::Pin,
            note: None,
        },
    );
    assert!(!s.locked);
    assert_eq!(s.lock, super::state::LockScreen::default());
    assert_eq!(s.pending_writes, 0);
    // A key resets the idle clock; 0 turns the lock off.
    key(&mut s, KeyCode::Char('j'));
    update(&mut s, Event::Tick(fixtures::at(9, 59)));
    assert!(!s.locked);
    s.idle_lock_minutes = 0;
    update(&mut s, Event::Tick(fixtures::at(23, 0)));
    assert!(!s.locked);
}

#[test]
fn three_wrong_pins_in_a_row_say_they_were_recorded() {
    let mut s = state_for("dfry");
    s.locked = true;
    for n in 1..=3 {
        typ(&mut s, "0000");
        key(&mut s, KeyCode::Enter);
        lock_reply(&mut s, LockReply::WrongPin { in_a_row: n });
    }
    assert!(s.locked);
    let said = s.lock.message.clone().unwrap();
    assert!(
        said.contains("3 in a row") && said.contains("audit"),
        "{said}"
    );
    assert!(!said.contains("0000"));
}

#[test]
fn without_a_pin_enter_unlocks_with_a_warning() {
    let mut s = state_for("dfry");
    s.locked = true;
    lock_reply(&mut s, LockReply::Needs(PinNeed::NoPin));
    typ(&mut s, "12");
    assert!(s.lock.pin.is_empty(), "there is no PIN field to type in");
    let pin = sent_pin(key(&mut s, KeyCode::Enter));
    assert!(pin.is_empty());
    assert!(s.locked, "still the database thread's call");
    lock_reply(
        &mut s,
        LockReply::Unlocked {
            by: PinNeed::NoPin,
            note: None,
        },
    );
    assert!(!s.locked);
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Warning);
    assert!(
        text.contains("no PIN set for dfry") && text.contains("ptclinic staff set-pin"),
        "{text}"
    );
    // A PIN set at another terminal since the lock came on: Enter alone is not enough.
    s.locked = true;
    lock_reply(&mut s, LockReply::Needs(PinNeed::NoPin));
    key(&mut s, KeyCode::Enter);
    lock_reply(&mut s, LockReply::PinNeeded);
    assert!(s.locked);
    assert_eq!(s.lock.need, PinNeed::Pin);
    assert!(!s.lock.checking);
}

/// Today a paste of "\rjjc" arrives as keys: Enter unlocks, j j moves, c checks in.
#[test]
fn a_paste_while_locked_neither_unlocks_nor_acts() {
    let mut s = state_for("dfry");
    s.locked = true;
    lock_reply(&mut s, LockReply::Needs(PinNeed::NoPin));
    let selected = s.schedule.selected;
    let sent = update(&mut s, Event::Paste("\rjjc".into()));
    assert!(sent.is_empty(), "{sent:?}");
    assert!(s.locked);
    assert_eq!(s.schedule.selected, selected);
    assert_eq!(s.pending_writes, 0);
    lock_reply(&mut s, LockReply::Needs(PinNeed::Pin));
    let sent = update(&mut s, Event::Paste("4821\r".into()));
    assert!(sent.is_empty());
    assert!(s.lock.pin.is_empty(), "a paste is not typed into the PIN");
    assert!(s.locked);
}

#[test]
fn a_paste_is_text_where_text_goes_and_nothing_elsewhere() {
    let mut s = state_for("dfry");
    let selected = s.schedule.selected;
    assert!(update(&mut s, Event::Paste("\rjjc".into())).is_empty());
    assert_eq!(s.schedule.selected, selected, "not keys");
    key(&mut s, KeyCode::Char('/'));
    update(&mut s, Event::Paste("amira\r".into()));
    assert_eq!(s.schedule.filter.as_ref().unwrap().input.text(), "amira");
    assert!(
        s.schedule.filter.as_ref().unwrap().typing,
        "the pasted Enter is not a key"
    );
    assert_eq!(s.selected_visit().unwrap().patient_name, "Amira Haddad");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('N'));
    update(&mut s, Event::Paste("Ada\tLovelace".into()));
    let Some(Modal::NewPatient(form)) = &s.modal else {
        panic!("the new-patient form is open");
    };
    assert_eq!(form.inputs[0].text(), "Ada Lovelace");
    assert_eq!(form.focus, 0, "a pasted tab moves nowhere");
}

#[test]
fn the_locked_screen_hides_every_patient() {
    let mut s = state_for("dfry");
    s.locked = true;
    typ(&mut s, "4821");
    let screen = |s: &mut super::state::AppState, ascii: bool| -> String {
        let theme =
            super::theme::Theme::load_with("default", false, &toml::Table::new(), ascii).unwrap();
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        super::draw_frame(&mut term, s, &theme).unwrap();
        term.backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect()
    };
    let text = screen(&mut s, false);
    assert!(text.contains("Locked — type your PIN, then Enter"));
    assert!(text.contains("PIN: ••••"), "one dot a digit");
    assert!(!text.contains("4821"));
    assert!(screen(&mut s, true).contains("PIN: ****"));
    lock_reply(&mut s, LockReply::Needs(PinNeed::NoPin));
    let no_pin = screen(&mut s, false);
    assert!(no_pin.contains("Locked — press Enter"));
    assert!(no_pin.contains("no PIN set for dfry: ptclinic staff set-pin"));
    for text in [text, no_pin] {
        for v in fixtures::visits() {
            assert!(
                !text.contains(v.patient_name.split(' ').next().unwrap()),
                "{} shows",
                v.patient_name
            );
        }
    }
}

/// Pane 2 follows the record: the same patient is read again quietly, but when the selected
/// visit is gone (moved at another terminal) the patient now shown is an audited opening.
#[test]
fn a_refresh_in_pane_two_audits_only_a_new_patient() {
    use crate::db::progress_work::ProgressRequest;
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('2'));
    let shown = s.selected_visit().unwrap().patient_id;
    let opened_of = |sent: Vec<Request>| -> Vec<(i64, bool)> {
        sent.into_iter()
            .filter_map(|r| match r {
                Request::Progress(ProgressRequest::Load {
                    patient_id, opened, ..
                }) => Some((patient_id, opened)),
                _ => None,
            })
            .collect()
    };
    let day = s.schedule.day;
    let reload = |visits| {
        Event::Reply(Reply::Day {
            day,
            visits,
            loaded_at: "2026-11-27T09:42:00".into(),
        })
    };
    let sent = requests(update(&mut s, reload(fixtures::visits())));
    assert_eq!(opened_of(sent), [(shown, false)]);
    let others = fixtures::visits()
        .into_iter()
        .filter(|v| v.patient_id != shown)
        .collect();
    let sent = requests(update(&mut s, reload(others)));
    let now = s.selected_visit().unwrap().patient_id;
    assert_ne!(now, shown);
    assert_eq!(opened_of(sent), [(now, true)]);
}

/// A failure reaches the one that asked: a check-in refused by a conflict while a note is open
/// in pane 2 leaves the note as it is (before, the note took the error and was read again).
#[test]
fn a_failed_check_in_is_no_news_for_an_open_note() {
    use crate::db::progress_work::{ProgressReply, ProgressRequest};
    use crate::db::worker::{Asked, Asker};
    use crate::error::{AppError, ErrorKind};

    let mut s = state_for("aruiz");
    s.schedule.selected = Some(1);
    key(&mut s, KeyCode::Char('2'));
    key(&mut s, KeyCode::Char('e'));
    let appointment_id = s.selected_visit().unwrap().id;
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id,
            payer_rule: None,
            note: None,
        })),
    );
    for c in "knee stiff".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    // A check-in sent before the note was opened is answered now.
    let sent = update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: Asked {
                by: Asker::Schedule,
                write: true,
            },
            error: AppError::of(
                ErrorKind::Conflict,
                "this visit was changed on another terminal",
            ),
        }),
    );
    let editor = s.progress.note.as_ref().expect("the note stays open");
    assert_eq!(editor.error, None);
    assert!(
        !requests(sent)
            .iter()
            .any(|r| matches!(r, Request::Progress(ProgressRequest::LoadNote { .. }))),
        "the note was read again"
    );
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("changed on another terminal")
    );
}

/// The clock and the poll are asked for by `update`: each tick polls the day shown, and the
/// first frame drawn asks for the day's flags once.
#[test]
fn the_tick_polls_the_day_shown_and_the_first_frame_asks_for_the_flags() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char(']'));
    let sent = requests(update(&mut s, Event::Tick(fixtures::at(9, 42))));
    assert!(
        matches!(sent.as_slice(), [Request::Poll(d)] if *d == fixtures::day().succ_opt().unwrap()),
        "{sent:?}"
    );
    s.flags_to_load = true;
    let drawn = super::event::Learned::default();
    let first = requests(update(&mut s, Event::Drawn(drawn)));
    assert!(
        matches!(first.as_slice(), [Request::LoadDay(_)]),
        "{first:?}"
    );
    assert!(requests(update(&mut s, Event::Drawn(drawn))).is_empty());
}

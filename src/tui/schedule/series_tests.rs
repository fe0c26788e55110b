//! The booking form's next free slot and series, and cancelling a visit of a series, through
//! the app's `update` as the desk meets them.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use crossterm::event::KeyCode;

use crate::db::series::{BookedSeries, SeriesFacts};
use crate::db::series_work::{CheckFacts, SeriesWork, SeriesWorkReply};
use crate::db::worker::{Reply, Request};
use crate::domain::CancelReason;
use crate::domain::flags::Terms;
use crate::domain::plan_of_care::PlanOfCare;
use crate::domain::series::Outcome;
use crate::domain::slots::Busy;
use crate::tui::event::Event;
use crate::tui::fixtures::{self, key, requests, state_for, typ};
use crate::tui::keymap::Action;
use crate::tui::schedule::series::SeriesField;
use crate::tui::state::{AppState, Modal};
use crate::tui::update::update;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The series work among requests, each request being one.
fn works(sent: Vec<Request>) -> Vec<SeriesWork> {
    sent.into_iter()
        .map(|r| match r {
            Request::Series(w) => w,
            other => panic!("not series work: {other:?}"),
        })
        .collect()
}

fn press(s: &mut AppState, action: Action) -> Vec<Request> {
    let key = s
        .keymap
        .bindings()
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first().copied())
        .unwrap();
    let m = if key.ctrl {
        crossterm::event::KeyModifiers::CONTROL
    } else {
        crossterm::event::KeyModifiers::NONE
    };
    requests(update(
        s,
        Event::Key(crossterm::event::KeyEvent::new(key.code, m)),
    ))
}

/// The booking form with Amira Haddad and Ana, Monday 30 November at 10:00.
fn booking_form() -> AppState {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('a'));
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![fixtures::patient(80, "100008", "Amira", "Haddad")],
            staff: fixtures::staff(),
            calendar: Default::default(),
        }),
    );
    typ(&mut s, "amira");
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "AR");
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!("no form")
    };
    form.date = crate::tui::input::LineInput::with_text("mon");
    form.time = crate::tui::input::LineInput::with_text("10:00");
    s
}

#[test]
fn the_next_free_slot_fills_the_date_and_time() {
    let mut s = booking_form();
    let sent = press(&mut s, Action::NextFreeSlot);
    assert_eq!(
        works(sent),
        vec![
            (SeriesWork::NextSlot {
                therapist_id: 1,
                site_id: 1,
                minutes: 45,
                from: at("2026-11-30T00:00"),
            })
        ]
    );
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::NextSlot(Some(at(
            "2026-11-30T07:45",
        ))))),
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("form closed")
    };
    assert_eq!(
        (form.date.text(), form.time.text()),
        ("2026-11-30", "07:45")
    );
    let said = s.message.clone().unwrap().1;
    assert!(
        said.contains("next free slot of AR: Mon 30 Nov 07:45"),
        "{said}"
    );
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::NextSlot(None))),
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("form closed")
    };
    let (field, message) = form.error.clone().unwrap();
    assert_eq!(field, crate::tui::forms::BookingField::Time);
    assert!(message.contains("no free 45 minutes"), "{message}");

    // Today's slot is looked for from now, not from the morning already gone.
    let mut s = booking_form();
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!()
    };
    form.date = crate::tui::input::LineInput::with_text("today");
    let sent = press(&mut s, Action::NextFreeSlot);
    assert!(
        matches!(sent.as_slice(), [Request::Series(SeriesWork::NextSlot { from, .. })] if *from == fixtures::at(9, 41)),
        "{sent:?}"
    );
    // Without a therapist there is nothing to look up, and the field says so.
    let mut s = booking_form();
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!()
    };
    form.therapist = crate::tui::input::LineInput::with_text("");
    assert!(press(&mut s, Action::NextFreeSlot).is_empty());
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!()
    };
    assert_eq!(
        form.error.as_ref().unwrap().0,
        crate::tui::forms::BookingField::Therapist
    );
}

/// A plan of care of 2 visits a week for 6 weeks from 23 November, and Ana busy on Thursday
/// 3 December at 10:00.
fn facts() -> Box<CheckFacts> {
    let plan = PlanOfCare {
        id: 5,
        patient_id: 80,
        starts_on: day("2026-11-23"),
        ends_on: day("2027-02-20"),
        visits_per_week: Some(2),
        weeks: Some(6),
        physician: None,
        certified_on: None,
        delay_reason: None,
        recertifies: None,
        version: 1,
    };
    Box::new(CheckFacts {
        facts: SeriesFacts {
            calendar: Default::default(),
            terms: Terms {
                plans: vec![crate::domain::flags::PlanWindow::of(&plan)],
                authorizations: Vec::new(),
            },
            plans: vec![plan],
            counted_visits: Vec::new(),
        },
        busy: vec![Busy {
            start: at("2026-12-03T10:00"),
            minutes: 45,
        }],
    })
}

fn series_dialog(s: &AppState) -> &crate::tui::schedule::series::SeriesDialog {
    match &s.modal {
        Some(Modal::Series(d)) => d,
        other => panic!("not the series dialog: {other:?}"),
    }
}

fn open_series() -> AppState {
    let mut s = booking_form();
    let sent = press(&mut s, Action::BookSeries);
    assert_eq!(
        works(sent),
        vec![
            (SeriesWork::Facts {
                patient_id: 80,
                therapist_id: 1,
                site_id: 1,
                from: day("2026-11-30"),
            })
        ]
    );
    assert!(series_dialog(&s).facts.is_none());
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::Facts(facts()))),
    );
    s
}

#[test]
fn a_series_is_filled_from_the_plan_of_care_and_each_clash_is_resolved_before_booking() {
    let mut s = open_series();
    let d = series_dialog(&s);
    assert_eq!((d.weekdays.text(), d.count.text()), ("mon,thu", "12"));
    assert_eq!(
        d.filled_in,
        ["from the plan of care's 2x/week for 6 weeks, spread from Monday"]
    );
    assert_eq!(d.checked.len(), 12);
    assert_eq!(d.open_clashes(), 1, "Thursday 3 December 10:00 is taken");

    // Booking with a clash left is refused inline, naming the keys that resolve it.
    assert!(press(&mut s, Action::FormSaveNow).is_empty());
    let error = series_dialog(&s).error.clone().unwrap();
    assert!(error.contains("1 clash left"), "{error}");

    // Enter in the fields checks and goes to the list; ↓ to the clash; → skip, → move.
    press(&mut s, Action::FormSave);
    assert_eq!(series_dialog(&s).field(), SeriesField::List);
    press(&mut s, Action::FormNext);
    assert_eq!(series_dialog(&s).selected, 1);
    press(&mut s, Action::FormChoiceNext);
    assert_eq!(series_dialog(&s).checked[1].outcome.word(), "skipped");
    press(&mut s, Action::FormChoiceNext);
    let d = series_dialog(&s);
    assert!(
        matches!(d.checked[1].outcome, Outcome::Moved { to, .. } if to == at("2026-12-03T10:45")),
        "{:?}",
        d.checked[1].outcome
    );
    // A free occurrence has no choice to make.
    press(&mut s, Action::FormPrev);
    press(&mut s, Action::FormChoiceNext);
    assert!(series_dialog(&s).choices[0].is_none());
    press(&mut s, Action::FormNext);

    let sent = press(&mut s, Action::FormSave);
    let [Request::Series(SeriesWork::Book(new))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(new.starts.len(), 12);
    assert!(new.starts.contains(&(at("2026-12-03T10:45"), true)));
    assert_eq!(new.rule.as_ref().unwrap().weekdays, "mon,thu");
    assert_eq!(new.rule.as_ref().unwrap().count, Some(12));
    assert!(series_dialog(&s).saving);
    assert_eq!(s.pending_writes, 1);

    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::Booked(BookedSeries {
            series_id: Some(3),
            appointments: (100..112).collect(),
        }))),
    );
    assert!(s.modal.is_none());
    assert_eq!(s.pending_writes, 0);
    let said = s.message.clone().unwrap().1;
    assert!(
        said.contains("Booked 12 visits of the series for Amira Haddad with AR"),
        "{said}"
    );
    assert_eq!(s.schedule.day, day("2026-11-30"));
}

#[test]
fn book_anyway_keeps_the_clash_and_skip_leaves_the_visit_out() {
    let mut s = open_series();
    press(&mut s, Action::FormSave);
    press(&mut s, Action::FormNext);
    press(&mut s, Action::FormChoicePrev);
    let d = series_dialog(&s);
    assert!(
        matches!(&d.checked[1].outcome, Outcome::Booked { reason: Some(r) } if r.contains("has a visit 10:00–10:45")),
        "{:?}",
        d.checked[1].outcome
    );
    let sent = press(&mut s, Action::FormSave);
    let [Request::Series(SeriesWork::Book(new))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    // Booked anyway over the clash: the store does not require the time free.
    assert!(new.starts.contains(&(at("2026-12-03T10:00"), false)));

    let mut s = open_series();
    press(&mut s, Action::FormSave);
    press(&mut s, Action::FormNext);
    press(&mut s, Action::FormChoiceNext);
    let sent = press(&mut s, Action::FormSave);
    let [Request::Series(SeriesWork::Book(new))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(new.starts.len(), 11);
}

#[test]
fn a_bad_series_is_one_inline_sentence_and_nothing_is_sent() {
    let cases = [
        ("", "12", "", "type the weekdays"),
        ("mon,thu", "0", "", "at least one visit, not 0"),
        ("mon,thu", "", "2026-11-01", "before its start"),
        (
            "mon,tue,wed,thu,fri,sat,sun,mon",
            "3",
            "",
            "at most 7 visits a week",
        ),
        ("mon", "60", "", "at most a year"),
        ("mon", "", "31/31", "is not a date"),
        ("mon", "3", "+7", "not both"),
        ("mon", "many", "", "not a number of visits"),
    ];
    for (weekdays, count, until, expected) in cases {
        let mut s = open_series();
        let Some(Modal::Series(d)) = &mut s.modal else {
            panic!()
        };
        d.weekdays = crate::tui::input::LineInput::with_text(weekdays);
        d.count = crate::tui::input::LineInput::with_text(count);
        d.until = crate::tui::input::LineInput::with_text(until);
        press(&mut s, Action::FormSave);
        let d = series_dialog(&s);
        let error = d.error.clone().unwrap_or_default();
        assert!(
            error.contains(expected),
            "{weekdays}/{count}/{until}: {error}"
        );
        assert_eq!(d.field(), SeriesField::Weekdays, "the fields stay in front");
        assert!(press(&mut s, Action::FormSaveNow).is_empty());
        assert_eq!(s.pending_writes, 0);
    }
}

#[test]
fn a_failed_read_or_booking_gives_the_dialog_back() {
    let mut s = booking_form();
    press(&mut s, Action::BookSeries);
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: crate::db::worker::Asked::DAY,
            error: crate::error::AppError::failure("disk I/O error"),
        }),
    );
    let error = series_dialog(&s).error.clone().unwrap();
    assert!(error.contains("could not be read"), "{error}");

    let mut s = open_series();
    press(&mut s, Action::FormSave);
    press(&mut s, Action::FormNext);
    press(&mut s, Action::FormChoiceNext);
    assert_eq!(works(press(&mut s, Action::FormSave)).len(), 1);
    assert!(series_dialog(&s).saving);
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Schedule,
                write: true,
            },
            error: crate::error::AppError::failure("the therapist was booked at another terminal"),
        }),
    );
    let d = series_dialog(&s);
    assert!(
        !d.saving && d.checked.len() == 12,
        "the list stays as it was"
    );
    assert_eq!(s.pending_writes, 0);
}

#[test]
fn typing_a_field_checks_the_series_again() {
    let mut s = open_series();
    press(&mut s, Action::FormNext);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    typ(&mut s, "4");
    let d = series_dialog(&s);
    assert_eq!(d.checked.len(), 4);
    assert!(d.filled_in.is_empty(), "typed over, no longer the plan's");
    // Esc twice (something was typed) goes back to the booking form as it was.
    press(&mut s, Action::FormClose);
    assert!(matches!(s.modal, Some(Modal::Series(_))));
    press(&mut s, Action::FormClose);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("not back in the booking form: {:?}", s.modal)
    };
    assert_eq!(
        (form.time.text(), form.picked_patient()),
        ("10:00", Some(80))
    );
    // A series is booked from a new booking only.
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    press(&mut s, Action::Reschedule);
    assert!(matches!(s.modal, Some(Modal::Booking(_))));
    assert!(press(&mut s, Action::BookSeries).is_empty());
    assert!(matches!(s.modal, Some(Modal::Booking(_))));
}

#[test]
fn cancelling_a_visit_of_a_series_asks_this_one_or_the_following_ones() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    let sent = press(&mut s, Action::Cancel);
    assert_eq!(works(sent), vec![(SeriesWork::SeriesOf { visit_id: 3 })]);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(9),
        })),
    );
    assert!(matches!(
        s.modal,
        Some(Modal::CancelSeries {
            visit_id: 3,
            following: false,
            ..
        })
    ));
    let text = fixtures::screen_text(
        &mut s,
        80,
        24,
        &crate::tui::theme::Theme::load("default", false).unwrap(),
    );
    assert!(text.contains("this and the following ones"), "{text}");
    insta::assert_snapshot!("cancel_series_asks_which", text);
    press(&mut s, Action::CancelFollowing);
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    for cols in [80, 70] {
        let reason = fixtures::screen_text(&mut s, cols, 24, &theme);
        assert!(
            reason.contains("and the later visits of its series")
                && reason.contains("l late (under 24 h)"),
            "{cols} columns:\n{reason}"
        );
    }
    let sent = press(&mut s, Action::CancelForPatient);
    assert_eq!(
        works(sent),
        vec![
            (SeriesWork::CancelFollowing {
                visit_id: 3,
                reason: CancelReason::Patient,
            })
        ]
    );
    assert!(s.modal.is_none());
    let mut cancelled = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    cancelled.status = crate::domain::AppointmentStatus::Cancelled;
    let later = {
        let mut v = cancelled.clone();
        v.id = 30;
        v.start += Duration::days(3);
        v
    };
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::CancelledFollowing(vec![
            cancelled, later,
        ]))),
    );
    let said = s.message.clone().unwrap().1;
    assert!(said.starts_with("Cancelled 2 visits of"), "{said}");

    // "This visit" goes on as a single cancel; a visit of no series is never asked.
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    press(&mut s, Action::Cancel);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(9),
        })),
    );
    press(&mut s, Action::CancelYes);
    assert!(matches!(
        s.modal,
        Some(Modal::Cancel {
            visit_id: 3,
            confirmed: true,
            ..
        })
    ));
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    press(&mut s, Action::Cancel);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: None,
        })),
    );
    assert!(matches!(
        s.modal,
        Some(Modal::Cancel {
            confirmed: false,
            ..
        })
    ));
}

#[test]
fn the_series_dialog_at_80x24_120x40_and_70x20() {
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    let mut s = open_series();
    press(&mut s, Action::FormSave);
    press(&mut s, Action::FormNext);
    let narrow = fixtures::screen_text(&mut s, 80, 24, &theme);
    assert!(narrow.contains("Book a series"), "{narrow}");
    assert!(
        narrow.contains("Thu 3 Dec 10:00  clash: the therapist has a visit"),
        "{narrow}"
    );
    insta::assert_snapshot!("series_dialog_at_80x24", narrow);
    let wide = fixtures::screen_text(&mut s, 120, 40, &theme);
    assert!(
        wide.contains("Mon 4 Jan 10:00  free"),
        "all twelve at 40 rows:\n{wide}"
    );
    insta::assert_snapshot!("series_dialog_at_120x40", wide);
    let smallest = fixtures::screen_text(&mut s, 70, 20, &theme);
    assert!(
        smallest.contains("Thu 3 Dec 10:00"),
        "the selected one shown:\n{smallest}"
    );
    insta::assert_snapshot!("series_dialog_at_70x20", smallest);
    // The keys named are the keymap's.
    assert!(
        narrow.contains("←/→: skip, move, book anyway · Enter books"),
        "{narrow}"
    );
    assert!(smallest.contains("Enter books"), "{smallest}");
}

#[test]
fn moving_a_visit_of_a_series_moves_it_alone_or_with_the_later_ones() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    let sent = press(&mut s, Action::Reschedule);
    assert!(
        matches!(
            sent.as_slice(),
            [
                Request::LoadDirectory,
                Request::Series(SeriesWork::SeriesOf { visit_id: 3 })
            ]
        ),
        "{sent:?}"
    );
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(9),
        })),
    );
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    let text = fixtures::screen_text(&mut s, 80, 24, &theme);
    assert!(
        text.contains("One of a series: Enter moves this visit, Ctrl-R this and the later"),
        "{text}"
    );
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!()
    };
    form.time = crate::tui::input::LineInput::with_text("11:00");
    let sent = press(&mut s, Action::BookSeries);
    assert_eq!(
        works(sent),
        vec![SeriesWork::MoveFollowing {
            visit_id: 3,
            seen_version: 1,
            to: fixtures::at(11, 0),
        }]
    );
    assert_eq!(s.pending_writes, 1);
    let mut moved = fixtures::visits().into_iter().find(|v| v.id == 3).unwrap();
    moved.start = fixtures::at(11, 0);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::MovedFollowing(vec![moved]))),
    );
    assert!(s.modal.is_none());
    let said = s.message.clone().unwrap().1;
    assert!(said.starts_with("Moved 1 visits of Olivia"), "{said}");

    // The later ones keep their therapist: a change of therapist is moved alone.
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    press(&mut s, Action::Reschedule);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(9),
        })),
    );
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!()
    };
    form.therapist = crate::tui::input::LineInput::with_text("AR");
    assert!(press(&mut s, Action::BookSeries).is_empty());
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!()
    };
    assert!(
        form.error
            .as_ref()
            .unwrap()
            .1
            .contains("keep their therapist"),
        "{:?}",
        form.error
    );
    // Enter moves this visit alone, as a single reschedule.
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!()
    };
    form.therapist = crate::tui::input::LineInput::with_text("BO");
    form.time = crate::tui::input::LineInput::with_text("16:00");
    let sent = press(&mut s, Action::FormSave);
    assert!(
        matches!(sent.as_slice(), [Request::Reschedule { id: 3, .. }]),
        "{sent:?}"
    );
}

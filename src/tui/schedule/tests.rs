//! The front desk's flows in pane 1, keys in and state and database requests out, through the
//! app's `update` as a user meets them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::db::schedule::StatusChange;
use crate::db::worker::{Reply, Request};
use crate::domain::appointment::StatusSnapshot;
use crate::domain::{AppointmentStatus, CancelReason};
use crate::tui::event::{Effect, Event};
use crate::tui::fixtures::{self, key, requests, state_for, typ};
use crate::tui::state::{Level, Modal};
use crate::tui::update::update;

#[test]
fn slash_a_few_letters_enter_c_checks_the_patient_in() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('/'));
    typ(&mut s, "amira");
    assert_eq!(s.selected_visit().unwrap().patient_name, "Amira Haddad");
    assert_eq!(
        s.schedule.rows.len(),
        1,
        "only the match is shown while filtering"
    );
    key(&mut s, KeyCode::Enter);
    assert!(!s.schedule.filter.as_ref().unwrap().typing);
    let sent = requests(key(&mut s, KeyCode::Char('c')));
    match sent.as_slice() {
        [
            Request::SetStatus {
                id: 8,
                seen_version: 1,
                to: AppointmentStatus::CheckedIn,
                reason: None,
            },
        ] => {}
        other => panic!("unexpected requests {other:?}"),
    }
    assert_eq!(s.pending_writes, 1);
    // Checked in, the filter is gone: the next patient's `/` starts a fresh search.
    let mut after = fixtures::visits().into_iter().find(|v| v.id == 8).unwrap();
    after.status = AppointmentStatus::CheckedIn;
    after.version = 2;
    update(
        &mut s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: StatusSnapshot {
                status: AppointmentStatus::Scheduled,
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
            },
            visit: after,
        })),
    );
    assert!(s.schedule.filter.is_none());
    assert_eq!(s.schedule.rows.len(), 8, "the whole day again");
    assert_eq!(
        s.selected_visit().unwrap().id,
        8,
        "on the patient checked in"
    );
    key(&mut s, KeyCode::Char('/'));
    typ(&mut s, "100007");
    assert_eq!(s.selected_visit().unwrap().id, 7);
}

#[test]
fn an_mrn_finds_its_patient_and_esc_clears_the_filter_but_keeps_the_selection() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('/'));
    typ(&mut s, "100007");
    assert_eq!(s.selected_visit().unwrap().id, 7);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Esc);
    assert!(s.schedule.filter.is_none());
    assert_eq!(s.schedule.rows.len(), 8);
    assert_eq!(s.selected_visit().unwrap().id, 7);
}

#[test]
fn a_confirmed_change_can_be_undone() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(3);
    key(&mut s, KeyCode::Char('c'));
    let mut after = fixtures::visits()[2].clone();
    after.status = AppointmentStatus::CheckedIn;
    after.version = 2;
    let previous = StatusSnapshot {
        status: AppointmentStatus::Scheduled,
        status_changed_at: None,
        checked_in_at: None,
        cancel_reason: None,
    };
    let reload = requests(update(
        &mut s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: previous.clone(),
            visit: after,
        })),
    ));
    // No second round trip: the database thread sends the day with its flags after the answer.
    assert!(reload.is_empty(), "{reload:?}");
    assert_eq!(s.pending_writes, 0);
    assert_eq!(
        s.selected_visit().unwrap().status,
        AppointmentStatus::CheckedIn
    );
    assert!(s.message.as_ref().unwrap().1.contains("checked in"));
    let undo = requests(key(&mut s, KeyCode::Char('u')));
    match undo.as_slice() {
        [
            Request::Undo {
                id: 3,
                seen_version: 2,
                previous: p,
            },
        ] => assert_eq!(*p, previous),
        other => panic!("unexpected {other:?}"),
    }
    assert!(s.schedule.undo.is_empty());
    key(&mut s, KeyCode::Char('u'));
    assert_eq!(s.message.as_ref().unwrap().1, "nothing to undo");
}

#[test]
fn checking_in_an_arrived_patient_again_sends_nothing() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(2);
    assert!(key(&mut s, KeyCode::Char('c')).is_empty());
    assert_eq!(s.message.as_ref().unwrap().1, "already checked in at 08:55");
}

#[test]
fn cancelling_asks_yes_or_no_then_a_reason() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(7);
    // Only whether the visit is one of a series is asked (see series_tests).
    assert!(matches!(
        requests(key(&mut s, KeyCode::Char('x'))).as_slice(),
        [Request::Series(_)]
    ));
    assert!(matches!(
        s.modal,
        Some(Modal::Cancel {
            confirmed: false,
            ..
        })
    ));
    key(&mut s, KeyCode::Char('n'));
    assert!(s.modal.is_none(), "n keeps the visit");
    key(&mut s, KeyCode::Char('x'));
    key(&mut s, KeyCode::Char('y'));
    assert!(
        key(&mut s, KeyCode::Char('z')).is_empty(),
        "only p, c or l give a reason"
    );
    let sent = requests(key(&mut s, KeyCode::Char('l')));
    assert!(matches!(
        sent.as_slice(),
        [Request::SetStatus {
            id: 7,
            to: AppointmentStatus::Cancelled,
            reason: Some(CancelReason::Late),
            ..
        }]
    ));
    assert!(s.modal.is_none());
}

#[test]
fn a_refused_change_says_why_and_sends_nothing() {
    let mut s = state_for("dfry");
    s.schedule.selected = Some(6);
    assert!(key(&mut s, KeyCode::Char('c')).is_empty());
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Warning);
    assert!(text.contains("cancelled"), "{text}");
}

#[test]
fn m_toggles_a_therapists_own_visits() {
    let mut s = state_for("aruiz");
    assert!(
        s.schedule.mine_only,
        "a therapist starts with their own visits"
    );
    assert_eq!(s.schedule.rows.len(), 4);
    key(&mut s, KeyCode::Char('m'));
    assert_eq!(s.schedule.rows.len(), 8);
    let mut desk = state_for("dfry");
    assert!(
        !desk.schedule.mine_only,
        "the front desk starts with everyone"
    );
    let mut stranger = state_for("root");
    key(&mut stranger, KeyCode::Char('m'));
    assert!(!stranger.schedule.mine_only);
    assert_eq!(stranger.message.as_ref().unwrap().0, Level::Warning);
    key(&mut desk, KeyCode::Char('m'));
    assert_eq!(
        desk.schedule.rows.len(),
        0,
        "the front desk has no visits of its own"
    );
}

#[test]
fn moving_and_changing_days() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.selected_visit().unwrap().id, 8);
    key(&mut s, KeyCode::Char('k'));
    assert_eq!(s.selected_visit().unwrap().id, 7);
    key(&mut s, KeyCode::Char('g'));
    assert_eq!(s.selected_visit().unwrap().id, 1);
    let sent = requests(key(&mut s, KeyCode::Char(']')));
    let next = fixtures::day().succ_opt().unwrap();
    assert!(matches!(sent.as_slice(), [Request::LoadDay(d)] if *d == next));
    assert!(s.is_loading());
    // A stale reply for a day already left is dropped; the latest request wins.
    update(
        &mut s,
        Event::Reply(Reply::Day {
            day: fixtures::day(),
            visits: vec![],
            loaded_at: "x".into(),
        }),
    );
    assert!(s.is_loading());
    update(
        &mut s,
        Event::Reply(Reply::Day {
            day: next,
            visits: vec![],
            loaded_at: "x".into(),
        }),
    );
    assert!(!s.is_loading());
    let sent = requests(key(&mut s, KeyCode::Char('t')));
    assert!(matches!(sent.as_slice(), [Request::LoadDay(d)] if *d == fixtures::day()));
}

#[test]
fn booking_validates_inline_and_warns_about_a_double_booking() {
    let mut s = state_for("dfry");
    let sent = requests(key(&mut s, KeyCode::Char('a')));
    assert!(matches!(sent.as_slice(), [Request::LoadDirectory]));
    let patients = vec![fixtures::patient(80, "100008", "Amira", "Haddad")];
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients,
            staff: fixtures::staff(),
            calendar: Default::default(),
        }),
    );
    typ(&mut s, "amira");
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "AR");
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "10:15");
    assert!(
        key(&mut s, KeyCode::Enter).is_empty(),
        "10:15 clashes with Ana's 10:00"
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("form closed")
    };
    assert!(
        form.warning.as_ref().unwrap().1.contains("already booked"),
        "{:?}",
        form.warning
    );
    let sent = requests(key(&mut s, KeyCode::Enter));
    match sent.as_slice() {
        [Request::Book(b)] => {
            assert_eq!((b.patient_id, b.therapist_id, b.minutes), (80, 1, 45));
            assert_eq!(b.start, fixtures::at(10, 15));
        }
        other => panic!("unexpected {other:?}"),
    }
    // Esc on a form with typed text needs a second press.
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('a'));
    typ(&mut s, "zz");
    key(&mut s, KeyCode::Enter);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("form closed")
    };
    assert_eq!(
        form.error.as_ref().unwrap().0,
        crate::tui::forms::BookingField::Patient
    );
    key(&mut s, KeyCode::Esc);
    assert!(s.modal.is_some());
    key(&mut s, KeyCode::Esc);
    assert!(s.modal.is_none());
}

/// The booking form with Amira Haddad and Ana picked, in a clinic closed on `closed`.
fn booking_in_a_clinic_closed_on(closed: &str) -> crate::tui::state::AppState {
    use crate::domain::clinic_hours::{ClinicCalendar, ClosedDay};
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('a'));
    let mut calendar = ClinicCalendar::default();
    calendar.closed.push(ClosedDay {
        date: chrono::NaiveDate::parse_from_str(closed, "%Y-%m-%d").unwrap(),
        reason: Some("staff training".into()),
    });
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![fixtures::patient(80, "100008", "Amira", "Haddad")],
            staff: fixtures::staff(),
            calendar,
        }),
    );
    typ(&mut s, "amira");
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "AR");
    s
}

fn set_when(s: &mut crate::tui::state::AppState, date: &str, time: &str) {
    use crate::tui::input::LineInput;
    let Some(Modal::Booking(form)) = &mut s.modal else {
        panic!("form closed")
    };
    form.date = LineInput::with_text(date);
    form.time = LineInput::with_text(time);
}

fn warning(s: &crate::tui::state::AppState) -> String {
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("form closed")
    };
    form.warning
        .as_ref()
        .map(|w| w.1.clone())
        .unwrap_or_default()
}

#[test]
fn a_booking_on_a_closed_day_warns_first_and_enter_again_books_it() {
    let mut s = booking_in_a_clinic_closed_on("2026-11-30");
    set_when(&mut s, "mon", "230");
    let sent = requests(key(&mut s, KeyCode::Enter));
    assert!(
        matches!(sent.as_slice(), [Request::TherapistDay { .. }]),
        "another day's visits are asked for first: {sent:?}"
    );
    update(
        &mut s,
        Event::Reply(Reply::TherapistDay {
            therapist_id: 1,
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            visits: Vec::new(),
        }),
    );
    assert_eq!(
        warning(&s),
        "the clinic is closed on Mon 30 Nov (staff training)"
    );
    match requests(key(&mut s, KeyCode::Enter)).as_slice() {
        [Request::Book(b)] => assert_eq!(b.start.to_string(), "2026-11-30 14:30:00"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_booking_in_the_past_or_outside_the_hours_warns_first() {
    let mut s = booking_in_a_clinic_closed_on("2026-12-25");
    // The fixtures' clock says 09:41.
    set_when(&mut s, "today", "8:30am");
    assert!(requests(key(&mut s, KeyCode::Enter)).is_empty());
    assert!(warning(&s).contains("in the past"), "{}", warning(&s));
    set_when(&mut s, "today", "18:45");
    assert!(requests(key(&mut s, KeyCode::Enter)).is_empty());
    assert!(
        warning(&s).contains("outside the clinic's hours"),
        "{}",
        warning(&s)
    );
    assert!(matches!(
        requests(key(&mut s, KeyCode::Enter)).as_slice(),
        [Request::Book(_)]
    ));
    let mut s = booking_in_a_clinic_closed_on("2026-12-25");
    set_when(&mut s, "today", "2pm");
    assert!(
        matches!(
            requests(key(&mut s, KeyCode::Enter)).as_slice(),
            [Request::Book(_)]
        ),
        "inside the hours it books at once"
    );
}

/// `N`, then Ada Okafor born on `dob`, the cursor left in the date of birth.
fn new_patient_up_to_birth_date(s: &mut crate::tui::state::AppState, dob: &str) {
    key(s, KeyCode::Char('N'));
    typ(s, "Ada");
    key(s, KeyCode::Enter);
    typ(s, "Okafor");
    key(s, KeyCode::Enter);
    typ(s, dob);
}

#[test]
fn a_failed_write_is_shown_and_the_form_keeps_its_text() {
    let mut s = state_for("dfry");
    new_patient_up_to_birth_date(&mut s, "2030-01-01");
    for _ in 0..4 {
        key(&mut s, KeyCode::Enter);
    }
    let Some(Modal::NewPatient(form)) = &s.modal else {
        panic!("form closed")
    };
    assert_eq!(
        form.error.as_ref().unwrap().0,
        crate::domain::patient::PatientField::DateOfBirth
    );
    assert_eq!(form.inputs[2].text(), "2030-01-01");
    assert_eq!(form.focus, 2);
    for _ in 0..10 {
        key(&mut s, KeyCode::Backspace);
    }
    typ(&mut s, "1961-04-02");
    let mut sent = Vec::new();
    for _ in 0..4 {
        sent = requests(key(&mut s, KeyCode::Enter));
    }
    let sent = nobody_alike(&mut s, sent);
    assert!(matches!(sent.as_slice(), [Request::Register(p)] if p.last_name == "Okafor"));
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
    let Some(Modal::NewPatient(form)) = &s.modal else {
        panic!("form closed")
    };
    assert!(!form.saving);
    assert_eq!(form.inputs[1].text(), "Okafor");
    assert_eq!(s.message.as_ref().unwrap().0, Level::Error);
}

#[test]
fn another_terminals_check_in_of_my_patient_notifies_me_without_a_name() {
    let mut s = state_for("aruiz");
    let mut fresh = fixtures::visits();
    fresh[4].status = AppointmentStatus::CheckedIn; // Ana's 10:00
    fresh[2].status = AppointmentStatus::CheckedIn; // Ben's 09:00: not mine
    let effects = update(
        &mut s,
        Event::Reply(Reply::Day {
            day: fixtures::day(),
            visits: fresh.clone(),
            loaded_at: "x".into(),
        }),
    );
    let notes: Vec<String> = effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Notify(t) => Some(t),
            Effect::Db(_) => None,
        })
        .collect();
    assert_eq!(notes, ["Your 10:00 has arrived (room 1)"]);
    assert!(
        !notes[0].contains("Li"),
        "no patient name in a notification"
    );
    // The same day again: nothing new, nothing said.
    let again = update(
        &mut s,
        Event::Reply(Reply::Day {
            day: fixtures::day(),
            visits: fresh,
            loaded_at: "y".into(),
        }),
    );
    assert!(again.iter().all(|e| !matches!(e, Effect::Notify(_))));
}

#[test]
fn a_refresh_keeps_the_selection_the_filter_and_an_open_form() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Char('/'));
    typ(&mut s, "lopez");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Char('j'));
    let selected = s.schedule.selected;
    key(&mut s, KeyCode::Char('N'));
    typ(&mut s, "Ada");
    let mut fresh = fixtures::visits();
    fresh[0].status = AppointmentStatus::NoShow;
    update(
        &mut s,
        Event::Reply(Reply::Day {
            day: fixtures::day(),
            visits: fresh,
            loaded_at: "2026-11-27T09:42:00".into(),
        }),
    );
    assert_eq!(s.schedule.selected, selected);
    assert_eq!(s.schedule.filter.as_ref().unwrap().input.text(), "lopez");
    let Some(Modal::NewPatient(form)) = &s.modal else {
        panic!("the form closed")
    };
    assert_eq!(form.inputs[0].text(), "Ada");
    assert_eq!(s.schedule.visits[0].status, AppointmentStatus::NoShow);
}

#[test]
fn ctrl_s_saves_the_new_patient_form_from_any_field() {
    let mut s = state_for("dfry");
    new_patient_up_to_birth_date(&mut s, "1961-04-02");
    let sent = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    ));
    let sent = nobody_alike(&mut s, sent);
    assert!(
        matches!(sent.as_slice(), [Request::Register(p)] if p.last_name == "Okafor"),
        "{sent:?}"
    );
}

/// A registration first asks for the patients it would duplicate; none answers, and what is
/// sent next is the registration.
fn nobody_alike(s: &mut crate::tui::state::AppState, sent: Vec<Request>) -> Vec<Request> {
    use crate::db::record_work::{RecordReply, RecordRequest};
    let [Request::Record(RecordRequest::Lookalikes(p))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    let reply = RecordReply::Lookalikes {
        patient: p.clone(),
        matches: Vec::new(),
    };
    requests(update(s, Event::Reply(Reply::Record(reply))))
}

#[test]
fn c_and_n_follow_the_clinic_day_and_say_why_inline() {
    let visits = fixtures::visits();
    let id_of = |status| visits.iter().find(|v| v.status == status).unwrap().id;
    let (completed, scheduled) = (
        id_of(AppointmentStatus::Completed),
        id_of(AppointmentStatus::Scheduled),
    );

    // The shown day is yesterday: a completed visit stays as it is, a scheduled one can only
    // be marked as a no-show.
    let mut s = state_for("dfry");
    s.today = fixtures::day().succ_opt().unwrap();
    s.schedule.selected = Some(completed);
    for k in ['c', 'n'] {
        assert!(key(&mut s, KeyCode::Char(k)).is_empty(), "{k}");
        let (level, said) = s.message.clone().unwrap();
        assert_eq!(level, Level::Warning);
        assert!(said.contains("earlier day"), "{said}");
    }
    s.schedule.selected = Some(scheduled);
    assert!(key(&mut s, KeyCode::Char('c')).is_empty());
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("only today's visits")
    );
    assert!(matches!(
        requests(key(&mut s, KeyCode::Char('n'))).as_slice(),
        [Request::SetStatus {
            to: AppointmentStatus::NoShow,
            ..
        }]
    ));

    // The shown day is tomorrow: neither is allowed yet.
    let mut s = state_for("dfry");
    s.today = fixtures::day().pred_opt().unwrap();
    s.schedule.selected = Some(scheduled);
    for k in ['c', 'n'] {
        assert!(key(&mut s, KeyCode::Char(k)).is_empty(), "{k}");
        assert!(s.message.as_ref().unwrap().1.contains("later day"), "{k}");
    }
    assert_eq!(s.pending_writes, 0);
}

fn screen(s: &mut crate::tui::state::AppState, w: u16, h: u16) -> String {
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    fixtures::screen_text(s, w, h, &theme)
}

/// The line of `text` that shows `name`, and the column where `what` starts on it (the
/// fixture's names before the badges are one column per character).
fn column_of(text: &str, name: &str, what: &str) -> (u16, u16) {
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(name))
        .unwrap_or_else(|| panic!("no row for {name}:\n{text}"));
    let at = line
        .find(what)
        .unwrap_or_else(|| panic!("no {what} on {line:?}"));
    (line[..at].chars().count() as u16, y as u16)
}

/// Rows with their badges: at 120x40 the flags column holds every badge in full, the most
/// severe first; at 80x24 it is 12 columns wide, and the app draws whole badges and "+N".
#[test]
fn schedule_rows_with_their_badges() {
    use crate::domain::flags::Flag;
    let mut s = fixtures::flagged_state_for("dfry");
    let wide = screen(&mut s, 120, 40);
    for flag in Flag::ALL {
        let badge = flag.badge();
        assert!(
            wide.lines()
                .any(|l| l.split_whitespace().any(|w| w == badge)),
            "{badge} is not shown whole:\n{wide}"
        );
    }
    // The badges line up under the column's title.
    let (flags_x, _) = column_of(&wide, "Time  Patient", "Flags");
    let (mark_x, _) = column_of(&wide, "Mark Lopez", "POC! AUTH! PN RE ADH");
    let (maria_x, _) = column_of(&wide, "Maria Lopez", "PN");
    assert_eq!((mark_x, maria_x), (flags_x, flags_x), "{wide}");
    let narrow = screen(&mut s, 80, 24);
    assert!(
        narrow
            .lines()
            .any(|l| l.contains("Olivia") && l.ends_with("POC! AUTH!")),
        "{narrow}"
    );
    assert!(
        narrow
            .lines()
            .any(|l| l.contains("Mark Lopez") && l.ends_with("POC! +4")),
        "never a cut badge, and the rest counted:\n{narrow}"
    );
    insta::assert_snapshot!("badges_at_80x24", narrow);
    insta::assert_snapshot!("badges_at_120x40", wide);
    // At the narrowest the app allows, still whole badges and a count, never a cut one.
    let smallest = screen(&mut s, 70, 20);
    for line in smallest.lines().filter(|l| l.contains(':')).skip(1) {
        let flags = line.get(line.len().saturating_sub(12)..).unwrap_or(line);
        assert!(!flags.contains('…'), "a cut badge at 70x20:\n{smallest}");
    }
    assert!(
        smallest
            .lines()
            .any(|l| l.contains("Mark Lopez") && l.ends_with("POC! +4")),
        "{smallest}"
    );
    // The header's counts are whole too, in their short words; whose visits they are is
    // said on the tabs' line.
    let header = smallest.lines().next().unwrap();
    assert!(
        header.contains("Fri 27 Nov (today)  7 booked · 2 in · 1 no-show · 1 cancelled")
            && !header.contains('…'),
        "{header}"
    );
    let tabs = smallest.lines().nth(1).unwrap();
    assert!(tabs.ends_with("all therapists"), "{tabs}");
    insta::assert_snapshot!("badges_at_70x20", smallest);
}

/// The badges' colour and the selected row's, cell by cell, and the whole styled buffer.
#[test]
fn badges_and_the_selected_row_keep_their_styles() {
    use crate::tui::theme::Theme;
    let theme = Theme::load("default", false).unwrap();
    let mut s = fixtures::flagged_state_for("dfry");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(s.selected_visit().unwrap().id, 3);
    let text = fixtures::screen_text(&mut s, 80, 24, &theme);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    crate::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
    let buf = term.backend().buffer();

    // An unselected row: the badge in the flag colour, the name in its status colour.
    let (x, y) = column_of(&text, "Kwame Mensah", "RE ADH");
    assert_eq!(buf[(x, y)].fg, theme.flag.fg.unwrap(), "RE at {x},{y}");
    assert_ne!(theme.flag.fg, theme.arrived.fg);
    let (nx, _) = column_of(&text, "Kwame Mensah", "Kwame");
    assert_eq!(buf[(nx, y)].fg, theme.arrived.fg.unwrap());
    assert_eq!(buf[(0, y)].symbol(), " ");

    // The selected row: the marker, and the selection's style over every cell, badges too.
    let (bx, sy) = column_of(&text, "Olivia", "POC!");
    assert_eq!(buf[(0, sy)].symbol(), "▶");
    for x in [2, bx] {
        let cell = &buf[(x, sy)];
        let want = theme.selected;
        if let Some(bg) = want.bg {
            assert_eq!(cell.bg, bg, "selected bg at {x},{sy}");
        }
        assert!(
            cell.modifier.contains(want.add_modifier),
            "selected modifier at {x},{sy}: {:?}",
            cell.modifier
        );
    }
    // A limit already passed stands out from what is merely due.
    let (px, py) = column_of(&text, "Mark Lopez", "POC!");
    assert_eq!(
        buf[(px, py)].fg,
        theme.error.fg.unwrap(),
        "POC! at {px},{py}"
    );
    assert_ne!(theme.error.fg, theme.flag.fg);
    insta::assert_snapshot!("badges_styled_at_80x24", format!("{buf:?}"));
}

/// `x` on a selected visit asks first, then asks the reason.
#[test]
fn the_cancel_dialog_at_80x24() {
    let mut s = state_for("dfry");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    // The database is asked whether the visit is one of a series (see series_tests).
    assert!(matches!(
        requests(key(&mut s, KeyCode::Char('x'))).as_slice(),
        [Request::Series(_)]
    ));
    assert!(matches!(
        s.modal,
        Some(Modal::Cancel {
            visit_id: 3,
            confirmed: false,
            ..
        })
    ));
    let ask = screen(&mut s, 80, 24);
    assert!(
        ask.contains("Cancel 09:00 Olivia Chen-Sørensen with BO?"),
        "{ask}"
    );
    insta::assert_snapshot!("cancel_dialog_asks_first", ask);
    assert!(key(&mut s, KeyCode::Char('y')).is_empty());
    let reason = screen(&mut s, 80, 24);
    assert!(reason.contains("Reason:"), "{reason}");
    assert!(reason.contains("Esc keeps the visit"), "{reason}");
    // Every reason whole, down to the app's narrowest terminal.
    for cols in [80, 70] {
        let shown = screen(&mut s, cols, 24);
        assert!(
            shown.contains("l late (under 24 h)"),
            "{cols} columns:\n{shown}"
        );
    }
    insta::assert_snapshot!("cancel_dialog_asks_the_reason", reason);
}

/// `N` opens the form; two fields typed, the cursor on the date of birth.
#[test]
fn the_new_patient_form_at_80x24() {
    let mut s = state_for("dfry");
    new_patient_up_to_birth_date(&mut s, "");
    assert!(matches!(s.modal, Some(Modal::NewPatient(_))));
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("New patient"), "{text}");
    assert!(text.contains("Ada") && text.contains("Okafor"), "{text}");
    insta::assert_snapshot!("new_patient_form_at_80x24", text);
}

/// The fixture's clinic with a second site, North, where visits 2 and 3 are.
fn two_sites() -> crate::tui::state::AppState {
    use crate::domain::sites::{SiteView, Sites};
    let mut s = state_for("dfry");
    let everyone: Vec<i64> = fixtures::staff().iter().map(|s| s.id).collect();
    s.schedule.sites = Sites(vec![
        fixtures::site(1, "Main", everyone.clone()),
        fixtures::site(2, "North", everyone),
    ]);
    for v in s
        .schedule
        .visits
        .iter_mut()
        .filter(|v| [2, 3].contains(&v.id))
    {
        v.site_id = 2;
    }
    s.schedule.site_view = SiteView::One(1);
    s.schedule.refresh_rows(s.mine_id());
    s
}

#[test]
fn s_steps_the_schedule_through_the_sites_then_shows_them_all() {
    use crate::domain::sites::SiteView;
    let mut s = two_sites();
    let all = s.schedule.visits.len();
    let shown = |s: &crate::tui::state::AppState| -> Vec<i64> {
        s.schedule
            .rows
            .iter()
            .map(|&i| s.schedule.visits[i].id)
            .collect()
    };
    assert_eq!(shown(&s).len(), all - 2);
    assert!(!shown(&s).contains(&2));
    assert!(
        fixtures::screen_text(
            &mut s,
            80,
            24,
            &crate::tui::theme::Theme::load("default", false).unwrap()
        )
        .contains("· Main")
    );

    key(&mut s, KeyCode::Char('S'));
    assert_eq!(s.schedule.site_view, SiteView::One(2));
    assert_eq!(shown(&s), [2, 3]);
    assert_eq!(
        s.counts().booked + s.counts().cancelled,
        2,
        "the counts are the site's"
    );
    let screen = fixtures::screen_text(
        &mut s,
        80,
        24,
        &crate::tui::theme::Theme::load("default", false).unwrap(),
    );
    assert!(screen.contains("· North"), "{screen}");
    assert!(screen.contains("showing North"), "{screen}");
    let narrow = fixtures::screen_text(
        &mut s,
        70,
        20,
        &crate::tui::theme::Theme::load("default", false).unwrap(),
    );
    assert!(
        narrow.lines().nth(1).is_some_and(|l| l.ends_with("North")),
        "the site is said at 70 columns too: {narrow}"
    );

    key(&mut s, KeyCode::Char('S'));
    assert_eq!(s.schedule.site_view, SiteView::All);
    assert_eq!(shown(&s).len(), all);
    assert!(
        fixtures::screen_text(
            &mut s,
            80,
            24,
            &crate::tui::theme::Theme::load("default", false).unwrap()
        )
        .contains("· all sites")
    );
    key(&mut s, KeyCode::Char('S'));
    assert_eq!(s.schedule.site_view, SiteView::One(1));
}

#[test]
fn a_booking_goes_to_the_site_shown_and_all_sites_needs_the_terminals_own() {
    use crate::domain::sites::SiteView;
    let mut s = two_sites();
    s.schedule.site_view = SiteView::One(2);
    assert_eq!(s.schedule.booking_site(), Some(2));
    s.schedule.site_view = SiteView::All;
    assert_eq!(
        s.schedule.booking_site(),
        Some(1),
        "the terminal's own site"
    );
    s.schedule.home_site = None;
    assert_eq!(s.schedule.booking_site(), None);
    key(&mut s, KeyCode::Char('a'));
    typ(&mut s, "100001");
    for _ in 0..3 {
        key(&mut s, KeyCode::Tab);
    }
    typ(&mut s, "10:00");
    let sent = requests(key(&mut s, KeyCode::Enter));
    assert!(
        !sent
            .iter()
            .any(|r| matches!(r, Request::Book(_) | Request::TherapistDay { .. })),
        "{sent:?}"
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("the form stays open");
    };
    let (_, why) = form.error.as_ref().expect("the form says why");
    assert!(why.contains("several sites") && why.contains('S'), "{why}");
}

#[test]
fn the_booking_form_says_at_once_when_the_therapist_does_not_work_at_the_site() {
    use crate::domain::sites::SiteView;
    let mut s = two_sites();
    // AR (id 1) works at Main only.
    s.schedule.sites.0[1].staff = vec![2, 3];
    s.schedule.site_view = SiteView::One(2);
    key(&mut s, KeyCode::Char('a'));
    let calendar = s.schedule.calendar.clone();
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![fixtures::patient(80, "100008", "Amira", "Haddad")],
            staff: fixtures::staff(),
            calendar,
        }),
    );
    typ(&mut s, "amira");
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "AR");
    set_when(&mut s, "2026-11-28", "10:00");
    let sent = requests(key(&mut s, KeyCode::Enter));
    assert!(
        !sent
            .iter()
            .any(|r| matches!(r, Request::Book(_) | Request::TherapistDay { .. })),
        "nothing is asked of the store: {sent:?}"
    );
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("the form stays open");
    };
    let (field, why) = form.error.as_ref().expect("the form says why");
    assert_eq!(*field, crate::tui::forms::BookingField::Therapist, "{why}");
    assert!(
        why.contains("does not work at North (works at Main)"),
        "{why}"
    );
    assert!(form.warning.is_none(), "no clash is offered to book anyway");
}

//! The desk's patient screens as a front-desk person uses them: find a patient by phone, open
//! their record, edit a detail and an authorisation (a stale version keeps what was typed and
//! says why), book from the record and from the call list, and the registration's warning of
//! a patient the clinic already has.

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::db::desk_lists::{DirectoryEntry, UnscheduledPatient};
use crate::db::patient_record::{PatientRecord, RecordVisit};
use crate::db::record_work::{RecordReply, RecordRequest};
use crate::db::worker::{Asked, Asker, Reply, Request};
use crate::domain::authorization::{Authorization, AuthorizationUse};
use crate::domain::messages::{
    AnswerVia, Channel, Confirmation, ConsentStep, ContactConsent, ReminderState, VisitAnswer,
};
use crate::domain::patient::ContactPreference;
use crate::domain::patient_record::PatientDetail;
use crate::domain::unscheduled::Reason;
use crate::domain::{AppointmentStatus, VisitKind};
use crate::error::{AppError, ErrorKind};
use crate::tui::event::Event;
use crate::tui::fixtures::{patient, press_action, requests, screen_text, state_for, typ};
use crate::tui::keymap::Action;
use crate::tui::modal::Modal;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use crate::tui::update::update;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn entry(id: i64, mrn: &str, first: &str, last: &str, phone: &str, born: &str) -> DirectoryEntry {
    DirectoryEntry {
        patient_id: id,
        mrn: mrn.into(),
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: d(born),
        phone: Some(phone.into()),
        email: None,
        active: true,
        last_visit: Some(t("2026-11-20 10:00")),
        next_visit: Some(t("2026-12-01 10:00")),
    }
}

pub fn directory() -> Vec<DirectoryEntry> {
    vec![
        entry(
            10,
            "100001",
            "Maria",
            "Lopez",
            "(555) 555-0134",
            "1961-06-15",
        ),
        entry(20, "100002", "James", "Chen", "555.555.0199", "1975-11-30"),
        entry(
            30,
            "100003",
            "Amira",
            "Haddad",
            "555-555-0142",
            "1988-02-03",
        ),
    ]
}

/// Maria Lopez's record: phone and email, a current authorisation, two past visits and one
/// booked.
pub fn record() -> PatientRecord {
    let mut p = patient(10, "100001", "Maria", "Lopez");
    p.date_of_birth = d("1961-06-15");
    p.phone = Some("(555) 555-0134".into());
    p.email = Some("maria.lopez@example.com".into());
    p.payer = Some("Medicare".into());
    p.contact_preference = Some(ContactPreference::Text);
    p.diagnosis_code = Some("M17.11".into());
    p.diagnosis = Some("Primary osteoarthritis, right knee".into());
    p.version = 4;
    let visit = |id, start: &str, kind, status| RecordVisit {
        id,
        start: t(start),
        minutes: 45,
        therapist_initials: "AR".into(),
        kind,
        status,
        reminder: ReminderState::None,
        answer: None,
        risk: None,
    };
    // Emails since the evaluation; texts stopped a week ago.
    p.consent = ContactConsent {
        email_consent_on: Some(d("2026-10-26")),
        sms_consent_on: Some(d("2026-10-26")),
        sms_opt_out_on: Some(d("2026-11-20")),
        ..ContactConsent::default()
    };
    // The booked visit: its reminder went, the patient confirmed on the phone.
    let mut booked = visit(
        103,
        "2026-12-01 10:00",
        VisitKind::Treatment,
        AppointmentStatus::Scheduled,
    );
    booked.reminder = ReminderState::Sent;
    booked.answer = Some(VisitAnswer {
        answer: Confirmation::Confirmed,
        via: AnswerVia::Desk,
        answered_at: "2026-11-26T15:02:00".into(),
        recorded_by: "dfry".into(),
    });
    PatientRecord {
        patient: p,
        authorizations: vec![AuthorizationUse {
            authorization: Authorization {
                id: 7,
                patient_id: 10,
                payer: "Medicare".into(),
                reference: Some("A-123".into()),
                starts_on: d("2026-10-26"),
                ends_on: d("2027-01-23"),
                visits: 12,
                version: 2,
            },
            evaluation_counts: true,
            used: 5,
        }],
        visits: vec![
            visit(
                101,
                "2026-11-20 10:00",
                VisitKind::Treatment,
                AppointmentStatus::Completed,
            ),
            visit(
                102,
                "2026-11-24 10:00",
                VisitKind::Treatment,
                AppointmentStatus::NoShow,
            ),
            booked,
            // The next one: no answer yet, and the clinic's model puts it in its top band.
            {
                let mut next = visit(
                    104,
                    "2026-12-04 08:00",
                    VisitKind::Treatment,
                    AppointmentStatus::Scheduled,
                );
                next.risk = Some(crate::domain::no_show::VisitRisk {
                    probability: 0.41,
                    high: true,
                    reasons: vec![
                        "1 no-show in the last 12 months".into(),
                        "Friday 8:00".into(),
                    ],
                });
                next
            },
        ],
        waitlist: crate::tui::fixtures::waitlist_entries()
            .into_iter()
            .take(1)
            .map(|mut w| {
                w.patient_id = 10;
                w
            })
            .collect(),
    }
}

fn reply(s: &mut AppState, r: RecordReply) -> Vec<Request> {
    requests(update(s, Event::Reply(Reply::Record(r))))
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Request> {
    requests(update(
        s,
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE)),
    ))
}

fn act(s: &mut AppState, a: Action) {
    press_action(s, a);
}

fn theme() -> Theme {
    Theme::load("default", false).unwrap()
}

/// The record of Maria Lopez open over the schedule, as the finder opens it.
pub fn state_with_record(user: &str) -> AppState {
    let mut s = state_for(user);
    s.keymap = crate::tui::keymap::Keymap::default();
    open_record_through_finder(&mut s);
    s
}

pub fn open_record_through_finder(s: &mut AppState) {
    act(s, Action::FindPatient);
    reply(s, RecordReply::Directory(directory()));
    typ(s, "555-0134");
    act(s, Action::FinderOpen);
    reply(s, RecordReply::Opened(Box::new(record())));
}

#[test]
fn the_finder_reads_every_patient_once_and_finds_one_by_phone_number() {
    let mut s = state_for("dfry");
    let asked = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE)),
    ));
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::Directory { .. })]
    ));
    reply(&mut s, RecordReply::Directory(directory()));
    assert_eq!(s.desk.finder.as_ref().unwrap().hits.len(), 3);
    // Each keystroke matches what was read: no request goes out while typing.
    for c in "555-0199".chars() {
        assert!(key(&mut s, KeyCode::Char(c)).is_empty());
    }
    let f = s.desk.finder.as_ref().unwrap();
    assert_eq!(f.picked().unwrap().full_name(), "James Chen");
    // By birth date, by MRN, by name fuzzily: the `patients --search` matching.
    for (q, who) in [
        ("1988-02", "Amira Haddad"),
        ("100001", "Maria Lopez"),
        ("mlopz", "Maria Lopez"),
    ] {
        let f = s.desk.finder.as_mut().unwrap();
        f.input = crate::tui::input::LineInput::with_text(q);
        super::refresh_hits(&mut s.desk);
        let f = s.desk.finder.as_ref().unwrap();
        assert_eq!(f.picked().unwrap().full_name(), who, "{q}");
    }
    let asked = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::Open {
            patient_id: 10,
            opened: true,
            ..
        })]
    ));
    reply(&mut s, RecordReply::Opened(Box::new(record())));
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("(555) 555-0134"), "{screen}");
    assert!(screen.contains("maria.lopez@example.com"), "{screen}");
    assert!(screen.contains("text message"), "{screen}");
    assert!(screen.contains("5 of 12 used"), "{screen}");
    // Closing the record shows the finder as it was left; closing that, the schedule.
    act(&mut s, Action::RecordClose);
    assert!(s.desk.finder.is_some() && s.desk.record.is_none());
    act(&mut s, Action::FinderClose);
    assert!(!s.desk.is_open());
}

#[test]
fn a_detail_is_saved_with_the_version_seen_and_a_stale_one_keeps_what_was_typed() {
    let mut s = state_with_record("dfry");
    for _ in 0..3 {
        act(&mut s, Action::RecordDown);
    }
    act(&mut s, Action::RecordEdit);
    assert!(matches!(
        s.desk.record.as_ref().unwrap().edit,
        Some(super::state::Edit::Detail {
            detail: PatientDetail::Phone,
            ..
        })
    ));
    // A bad phone is refused inline, nothing sent.
    for _ in 0..20 {
        key(&mut s, KeyCode::Backspace);
    }
    typ(&mut s, "call me");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("! phone: 7 to 15 digits"), "{screen}");
    for _ in 0..7 {
        key(&mut s, KeyCode::Backspace);
    }
    typ(&mut s, "555 555 0177");
    let asked = key(&mut s, KeyCode::Enter);
    let [
        Request::Record(RecordRequest::SaveDetail {
            seen_version,
            detail,
            text,
            ..
        }),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert_eq!(
        (*seen_version, *detail, text.as_str()),
        (4, PatientDetail::Phone, "555 555 0177")
    );
    assert_eq!(s.pending_writes, 1);
    // Another terminal changed the record first: the edit stays, with why, and the record is
    // read again.
    let effects = update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: Asked {
                by: Asker::Record,
                write: true,
            },
            error: AppError::of(
                ErrorKind::Conflict,
                "this record was changed on another terminal by jlee at 09:40 — reloaded; nothing was overwritten: check it and try again",
            ),
        }),
    );
    assert!(requests(effects).iter().any(|r| matches!(
        r,
        Request::Record(RecordRequest::Open { opened: false, .. })
    )));
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("555 555 0177"), "{screen}");
    assert!(screen.contains("! this record was changed"), "{screen}");
    let mut newer = record();
    newer.patient.version = 5;
    reply(&mut s, RecordReply::Opened(Box::new(newer.clone())));
    let asked = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::SaveDetail {
            seen_version: 5,
            ..
        })]
    ));
    newer.patient.phone = Some("555 555 0177".into());
    newer.patient.version = 6;
    reply(
        &mut s,
        RecordReply::Changed {
            record: Box::new(newer),
            note: "Phone saved".into(),
        },
    );
    assert!(s.desk.record.as_ref().unwrap().edit.is_none());
    assert_eq!(s.pending_writes, 0);
    // Back in the finder, the new number finds her.
    act(&mut s, Action::RecordClose);
    for _ in 0..8 {
        key(&mut s, KeyCode::Backspace);
    }
    typ(&mut s, "0177");
    let f = s.desk.finder.as_ref().unwrap();
    assert_eq!(f.picked().unwrap().full_name(), "Maria Lopez");
    assert_eq!(f.hits.len(), 1);
}

#[test]
fn the_contact_preference_is_chosen_not_typed() {
    let mut s = state_with_record("dfry");
    for _ in 0..5 {
        act(&mut s, Action::RecordDown);
    }
    act(&mut s, Action::RecordEdit);
    act(&mut s, Action::FormChoiceNext);
    let asked = key(&mut s, KeyCode::Enter);
    let [Request::Record(RecordRequest::SaveDetail { detail, text, .. })] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    assert_eq!(
        (*detail, text.as_str()),
        (PatientDetail::ContactPreference, "email")
    );
}

#[test]
fn an_authorisation_is_added_and_edited_with_dates_as_people_type_them() {
    let mut s = state_with_record("dfry");
    act(&mut s, Action::RecordAddAuth);
    // Payer from the record, start today: the end and the visits are typed.
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    typ(&mut s, "+90");
    key(&mut s, KeyCode::Enter);
    typ(&mut s, "0");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("! an authorisation holds 1 to 999"),
        "{screen}"
    );
    key(&mut s, KeyCode::Backspace);
    typ(&mut s, "10");
    let asked = key(&mut s, KeyCode::Enter);
    let [
        Request::Record(RecordRequest::AddAuthorization {
            patient_id: 10,
            request,
            ..
        }),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert_eq!(request.payer, "Medicare");
    assert_eq!(request.ends_on, d("2027-02-25"));
    assert_eq!(request.visits, 10);
    reply(
        &mut s,
        RecordReply::Changed {
            record: Box::new(record()),
            note: "added".into(),
        },
    );
    // The authorisation's row: its edit carries its version and keeps its reference.
    for _ in 0..super::state::DETAIL_ROWS.len() {
        act(&mut s, Action::RecordDown);
    }
    act(&mut s, Action::RecordEdit);
    act(&mut s, Action::FormSaveNow);
    let asked = requests(Vec::new());
    assert!(asked.is_empty());
    let r = s.desk.record.as_ref().unwrap();
    assert!(r.edit.as_ref().unwrap().state().saving);
}

#[test]
fn an_authorisation_edit_sends_its_version_and_reference() {
    let mut s = state_with_record("dfry");
    for _ in 0..super::state::DETAIL_ROWS.len() {
        act(&mut s, Action::RecordDown);
    }
    act(&mut s, Action::RecordEdit);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    for _ in 0..2 {
        key(&mut s, KeyCode::Backspace);
    }
    typ(&mut s, "20");
    let asked = key(&mut s, KeyCode::Enter);
    let [
        Request::Record(RecordRequest::EditAuthorization {
            id: 7,
            seen_version: 2,
            request,
            ..
        }),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert_eq!(
        (request.visits, request.reference.as_deref()),
        (20, Some("A-123"))
    );
}

#[test]
fn one_key_in_the_record_books_the_patient() {
    let mut s = state_with_record("dfry");
    let effects = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)),
    ));
    assert!(effects.iter().any(|r| matches!(r, Request::LoadDirectory)));
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("no booking form")
    };
    assert_eq!(form.picked_patient(), Some(10));
    assert_eq!(form.patient.text(), "100001");
    assert_eq!(form.kind, VisitKind::Treatment);
    // Booked: the record is read again to show the visit.
    let mut v = crate::tui::fixtures::visits()[0].clone();
    v.patient_id = 10;
    let effects = requests(update(&mut s, Event::Reply(Reply::Booked(v))));
    assert!(effects.iter().any(|r| matches!(
        r,
        Request::Record(RecordRequest::Open {
            patient_id: 10,
            opened: false,
            ..
        })
    )));
    assert!(s.modal.is_none() && s.desk.record.is_some());
}

fn calls() -> Vec<UnscheduledPatient> {
    vec![
        UnscheduledPatient {
            patient_id: 20,
            mrn: "100002".into(),
            name: "James Chen".into(),
            phone: Some("555.555.0199".into()),
            reason: Reason::MissedTwice,
            last_visit: Some(t("2026-11-10 09:00")),
            next_visit: None,
            visits_left: Some(4),
        },
        UnscheduledPatient {
            patient_id: 30,
            mrn: "100003".into(),
            name: "Amira Haddad".into(),
            phone: None,
            reason: Reason::NoFutureVisit,
            last_visit: Some(t("2026-11-02 14:00")),
            next_visit: None,
            visits_left: None,
        },
    ]
}

#[test]
fn the_patients_to_call_open_a_record_or_a_booking_with_one_key() {
    let mut s = state_for("dfry");
    let asked = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('U'), KeyModifiers::SHIFT)),
    ));
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::Unscheduled { .. })]
    ));
    reply(&mut s, RecordReply::Unscheduled(calls()));
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("missed twice"), "{screen}");
    assert!(screen.contains("555.555.0199"), "{screen}");
    act(&mut s, Action::CallsDown);
    act(&mut s, Action::CallsBook);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("no booking form")
    };
    assert_eq!(form.picked_patient(), Some(30));
    // Booked: the list is read again, the patient may no longer be one to call.
    let mut v = crate::tui::fixtures::visits()[0].clone();
    v.patient_id = 30;
    let asked = requests(update(&mut s, Event::Reply(Reply::Booked(v))));
    assert!(
        asked
            .iter()
            .any(|r| matches!(r, Request::Record(RecordRequest::Unscheduled { .. })))
    );
    assert!(s.modal.is_none() && s.desk.calls.is_some());
    reply(&mut s, RecordReply::Unscheduled(calls()));
    act(&mut s, Action::CallsDown);
    let asked = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::Open { patient_id: 30, .. })]
    ));
}

fn fill_new_patient(s: &mut AppState) {
    act(s, Action::NewPatient);
    for text in ["Maria", "Lopez", "1961-06-15"] {
        typ(s, text);
        key(s, KeyCode::Tab);
    }
}

#[test]
fn registering_a_patient_the_clinic_has_warns_and_shows_the_match() {
    let mut s = state_for("dfry");
    fill_new_patient(&mut s);
    let asked = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    ));
    let [Request::Record(RecordRequest::Lookalikes(p))] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    let p = p.clone();
    let mut existing = patient(10, "100001", "Maria", "Lopez");
    existing.date_of_birth = d("1961-06-15");
    assert!(
        reply(
            &mut s,
            RecordReply::Lookalikes {
                patient: p.clone(),
                matches: vec![existing]
            }
        )
        .is_empty()
    );
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("already registered: Maria Lopez · MRN 100001"),
        "{screen}"
    );
    assert!(screen.contains("Ctrl-S again registers anyway"), "{screen}");
    assert_eq!(s.pending_writes, 0);
    // The match's record, in place of the form.
    act(&mut s, Action::FormOpenMatch);
    assert!(s.modal.is_none());
    assert_eq!(s.desk.record.as_ref().unwrap().patient_id, 10);

    // Saving again registers anyway.
    let mut s = state_for("dfry");
    fill_new_patient(&mut s);
    act(&mut s, Action::FormSaveNow);
    let existing = patient(10, "100001", "Maria", "Lopez");
    reply(
        &mut s,
        RecordReply::Lookalikes {
            patient: p.clone(),
            matches: vec![existing],
        },
    );
    let asked = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    ));
    assert!(matches!(asked.as_slice(), [Request::Register(_)]));
    assert_eq!(s.pending_writes, 1);

    // Nobody alike: registered straight away.
    let mut s = state_for("dfry");
    fill_new_patient(&mut s);
    act(&mut s, Action::FormSaveNow);
    let asked = reply(
        &mut s,
        RecordReply::Lookalikes {
            patient: p,
            matches: Vec::new(),
        },
    );
    assert!(matches!(asked.as_slice(), [Request::Register(_)]));
    assert_eq!(s.pending_writes, 1);
}

#[test]
fn after_registering_the_booking_is_the_new_patients_evaluation() {
    let mut s = state_for("dfry");
    update(
        &mut s,
        Event::Reply(Reply::Registered {
            id: 99,
            mrn: "100099".into(),
        }),
    );
    act(&mut s, Action::Book);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("no booking form")
    };
    assert_eq!(form.picked_patient(), Some(99));
    assert_eq!(form.kind, VisitKind::Evaluation);
    // Only that booking: the next one starts empty.
    s.modal = None;
    act(&mut s, Action::Book);
    let Some(Modal::Booking(form)) = &s.modal else {
        panic!("no booking form")
    };
    assert_eq!(
        (form.picked_patient(), form.kind),
        (None, VisitKind::Treatment)
    );
}

#[test]
fn snapshot_the_patient_record_at_80x24() {
    let mut s = state_with_record("dfry");
    insta::assert_snapshot!(screen_text(&mut s, 80, 24, &theme()));
}

#[test]
fn snapshot_the_patient_record_at_120x40() {
    let mut s = state_with_record("dfry");
    insta::assert_snapshot!(screen_text(&mut s, 120, 40, &theme()));
}

#[test]
fn snapshot_the_finder_at_80x24() {
    let mut s = state_for("dfry");
    act(&mut s, Action::FindPatient);
    reply(&mut s, RecordReply::Directory(directory()));
    typ(&mut s, "555");
    insta::assert_snapshot!(screen_text(&mut s, 80, 24, &theme()));
}

#[test]
fn the_record_fits_at_70x20_in_ascii() {
    let mut s = state_with_record("dfry");
    let mut ascii = Theme::load("default", true).unwrap();
    ascii.ascii = true;
    ascii.symbols = crate::tui::theme::Symbols::ASCII;
    let screen = screen_text(&mut s, 70, 20, &ascii);
    assert!(screen.contains("(555) 555-0134"), "{screen}");
    assert!(screen.contains("maria.lopez@example.com"), "{screen}");
    assert!(screen.contains("5 of 12 used"), "{screen}");
    assert!(screen.is_ascii(), "{screen}");
}

#[test]
fn the_patient_is_put_on_the_waitlist_from_their_record() {
    let mut s = state_with_record("dfry");
    act(&mut s, Action::RecordAddWaitlist);
    // The form starts on the times, the one field an entry needs; length and priority are
    // filled with the defaults `waitlist add` uses.
    typ(&mut s, "8am-12pm");
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("Times    8am-12pm"), "{screen}");
    assert!(screen.contains("Minutes  45"), "{screen}");
    act(&mut s, Action::FormPrev);
    typ(&mut s, "mon,fri");
    act(&mut s, Action::FormPrev);
    typ(&mut s, "BO");
    let asked = requests(update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    ));
    let [
        Request::Record(RecordRequest::AddWaitlist {
            patient_id: 10,
            typed,
            ..
        }),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert_eq!(typed.therapists, "BO");
    assert_eq!(typed.days, "mon,fri");
    assert_eq!(typed.times, "8am-12pm");
    assert_eq!(
        (typed.minutes.as_str(), typed.priority.as_str()),
        ("45", "3")
    );
    // The store's refusal is shown under the form, which keeps what was typed.
    let failed = AppError::input("Times: the window must end after it starts");
    let today = s.today;
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: Request::Record(RecordRequest::AddWaitlist {
                patient_id: 10,
                site_id: 1,
                typed: typed.clone(),
                today,
            })
            .asked(),
            error: failed,
        }),
    );
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("the window must end after it starts"),
        "{screen}"
    );
    assert!(screen.contains("Days     mon,fri"), "{screen}");
}

/// Down to a row of the record's details.
fn to_row(s: &mut AppState, row: super::state::Row) {
    let at = super::state::DETAIL_ROWS
        .iter()
        .position(|r| *r == row)
        .unwrap();
    for _ in 0..at {
        act(s, Action::RecordDown);
    }
}

#[test]
fn the_record_says_each_channels_consent_and_each_coming_visits_reminder_and_answer() {
    let mut s = state_with_record("dfry");
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("Emails     consented 2026-10-26"),
        "{screen}"
    );
    // Consent given before a STOP: the STOP wins, with its day.
    assert!(
        screen.contains("Texts      opted out 2026-11-20"),
        "{screen}"
    );
    assert!(
        screen.contains("reminder sent · confirmed to the desk"),
        "{screen}"
    );
    // Past visits say nothing of reminders.
    assert_eq!(screen.matches("reminder").count(), 1, "{screen}");
}

#[test]
fn consent_is_chosen_and_saved_with_the_version_seen() {
    let mut s = state_with_record("dfry");
    to_row(&mut s, super::state::Row::Consent(Channel::Sms));
    act(&mut s, Action::RecordEdit);
    // The edit starts from where the patient stands: opted out.
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("Texts      ◀ opted out today ▶"),
        "{screen}"
    );
    assert!(
        screen.contains("consents today, opted out today, no consent (←/→ choose)"),
        "{screen}"
    );
    insta::assert_snapshot!("consent_being_chosen_at_80x24", screen);
    // Typing does nothing; → goes on to "no consent", ← back twice to "consents today".
    assert!(key(&mut s, KeyCode::Char('z')).is_empty());
    act(&mut s, Action::FormChoiceNext);
    act(&mut s, Action::FormChoicePrev);
    act(&mut s, Action::FormChoicePrev);
    let asked = key(&mut s, KeyCode::Enter);
    let [
        Request::Record(RecordRequest::SetConsent {
            patient_id: 10,
            seen_version: 4,
            channel: Channel::Sms,
            step: ConsentStep::Give,
            ..
        }),
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert!(
        s.desk
            .record
            .as_ref()
            .unwrap()
            .edit
            .as_ref()
            .unwrap()
            .state()
            .saving
    );
    // Saved: the record as it now is, and what it now says.
    let mut now = record();
    now.patient.consent.sms_opt_out_on = None;
    now.patient.consent.sms_consent_on = Some(d("2026-11-27"));
    now.patient.version = 5;
    reply(
        &mut s,
        RecordReply::Changed {
            record: Box::new(now),
            note: "Texts: consented 2026-11-27".into(),
        },
    );
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(
        screen.contains("Texts      consented 2026-11-27"),
        "{screen}"
    );
    assert!(s.desk.record.as_ref().unwrap().edit.is_none());
}

#[test]
fn a_consent_refused_by_the_store_stays_open_with_the_reason() {
    let mut s = state_with_record("dfry");
    to_row(&mut s, super::state::Row::Consent(Channel::Email));
    act(&mut s, Action::RecordEdit);
    act(&mut s, Action::FormChoiceNext);
    let asked = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        asked.as_slice(),
        [Request::Record(RecordRequest::SetConsent {
            step: ConsentStep::OptOut,
            ..
        })]
    ));
    let asked_by = asked[0].asked();
    update(
        &mut s,
        Event::Reply(Reply::Failed {
            asked: asked_by,
            error: AppError::of(
                ErrorKind::Conflict,
                "this record was changed on another terminal by pta at 09:30 — reloaded; nothing was overwritten: check it and try again",
            ),
        }),
    );
    let r = s.desk.record.as_ref().unwrap();
    let Some(super::state::Edit::Consent { step, state, .. }) = &r.edit else {
        panic!("the edit stays open")
    };
    assert_eq!(*step, ConsentStep::OptOut);
    assert!(state.error.as_deref().unwrap().contains("by pta at 09:30"));
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("! this record was changed"), "{screen}");
}

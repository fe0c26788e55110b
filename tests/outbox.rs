//! The outbox through the library API, with a transport that records what it is given: each
//! reminder once however many runs and senders, quiet hours, consent and opt-out, cancelled
//! and moved visits, retries and their end, and a dry run that writes nothing. The same
//! through a real SMTP server and the command line is in `tests/messages_e2e.rs`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};
use ptclinic::db::messaging_settings::SettingsChange;
use ptclinic::db::testing::{self, Table};
use ptclinic::db::{self, Db, Who};
use ptclinic::demo::{self, DemoOptions};
use ptclinic::domain::message_templates::Template;
use ptclinic::domain::messages::{Channel, Purpose, ReminderState};
use ptclinic::domain::reminders::QuietHours;
use ptclinic::domain::{AppointmentStatus, CancelReason};
use ptclinic::messaging::outbox::{self, Outcome, Report};
use ptclinic::messaging::{Delivered, Outgoing, SendFailure, Transport, Transports};

const DESK: &str = "frontdesk1";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn clinic() -> (tempfile::TempDir, std::path::PathBuf, Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let opts = DemoOptions {
        patients: 60,
        weeks_back: 2,
        weeks_ahead: 2,
        ..DemoOptions::default()
    };
    demo::build(&path, false, &opts, today()).unwrap();
    let mut db = db::open_existing(&path).unwrap();
    // Every reminder by email, which the recording transport takes; tests of texts add theirs.
    testing::consent_everyone(&db, Channel::Email, Some(today())).unwrap();
    testing::consent_everyone(&db, Channel::Sms, None).unwrap();
    db.set_messaging_settings(
        &SettingsChange {
            clinic_name: Some("Riverside PT".into()),
            clinic_phone: Some("(555) 010-2000".into()),
            ..SettingsChange::default()
        },
        Who {
            user: "admin",
            at: "2026-11-27T07:30:00",
        },
    )
    .unwrap();
    (dir, path, db)
}

/// What a fake provider was handed.
#[derive(Debug, Clone)]
struct Handed {
    to: String,
    subject: Option<String>,
    text: String,
    key: String,
}

/// A provider that records each message, refuses as told first, and may take its time.
#[derive(Clone)]
struct Fake {
    channel: Channel,
    handed: Arc<Mutex<Vec<Handed>>>,
    refusals: Arc<Mutex<VecDeque<SendFailure>>>,
    pause: std::time::Duration,
}

impl Fake {
    fn new(channel: Channel) -> Fake {
        Fake {
            channel,
            handed: Arc::default(),
            refusals: Arc::default(),
            pause: std::time::Duration::ZERO,
        }
    }

    fn refuse(&self, times: usize, retry: bool) {
        let mut r = self.refusals.lock().unwrap();
        for _ in 0..times {
            r.push_back(SendFailure {
                reason: "451 4.3.0 try again later".into(),
                retry,
            });
        }
    }

    fn handed(&self) -> Vec<Handed> {
        self.handed.lock().unwrap().clone()
    }
}

impl Transport for Fake {
    fn channel(&self) -> Channel {
        self.channel
    }

    fn send(&self, m: &Outgoing) -> Result<Delivered, SendFailure> {
        std::thread::sleep(self.pause);
        if let Some(refusal) = self.refusals.lock().unwrap().pop_front() {
            return Err(refusal);
        }
        let mut handed = self.handed.lock().unwrap();
        handed.push(Handed {
            to: m.to.to_string(),
            subject: m.subject.map(str::to_string),
            text: m.text.to_string(),
            key: m.idempotency_key.to_string(),
        });
        Ok(Delivered {
            provider_id: Some(format!("fake-{}", handed.len())),
        })
    }
}

fn email(fake: &Fake) -> Transports {
    Transports {
        email: Some(Box::new(fake.clone())),
        sms: None,
    }
}

fn run(db: &mut Db, fake: &Fake, now: &str) -> Report {
    outbox::run(db, &email(fake), at(now), DESK).unwrap()
}

fn of(report: &Report, outcome: Outcome) -> Vec<i64> {
    report
        .lines
        .iter()
        .filter(|l| l.outcome == outcome)
        .filter_map(|l| l.appointment)
        .collect()
}

/// Monday 2026-11-30 10:00: the two-day reminders of visits up to Wednesday 10:00, and the
/// two-hour ones of Monday's visits up to noon, are due.
const MONDAY: &str = "2026-11-30 10:00";

#[test]
fn a_due_reminder_is_sent_once_however_often_remind_runs() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    let first = run(&mut db, &fake, MONDAY);
    let sent = of(&first, Outcome::Sent);
    assert!(sent.len() >= 10, "a clinic's two days: {first:?}");
    assert_eq!(fake.handed().len(), sent.len());
    let again = run(&mut db, &fake, "2026-11-30 10:05");
    assert!(of(&again, Outcome::Sent).is_empty(), "{again:?}");
    assert_eq!(fake.handed().len(), sent.len());
    // Each went to the patient's address, in the clinic's words, and the schedule shows it.
    let states = db.reminders_of(&sent).unwrap();
    assert!(sent.iter().all(|id| states[id] == ReminderState::Sent));
    let m = &fake.handed()[0];
    assert!(m.to.ends_with("@example.com"), "{m:?}");
    assert!(m.text.contains("Riverside PT") && m.text.contains("(555) 010-2000"));
    assert!(m.subject.as_deref().unwrap().starts_with("Your visit on "));
    let keys: std::collections::HashSet<_> = fake.handed().iter().map(|h| h.key.clone()).collect();
    assert_eq!(keys.len(), sent.len(), "one idempotency key per message");
}

#[test]
fn a_message_names_nothing_but_the_clinic_the_time_and_the_therapist() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    let report = run(&mut db, &fake, MONDAY);
    let first = report
        .lines
        .iter()
        .find(|l| l.outcome == Outcome::Sent)
        .unwrap();
    let visit = db.visit(first.appointment.unwrap()).unwrap().unwrap();
    let patient = db.patient(visit.patient_id).unwrap().unwrap();
    let handed = fake
        .handed()
        .into_iter()
        .find(|h| Some(&h.to) == patient.email.as_ref())
        .unwrap();
    let words = format!("{}\n{}", handed.subject.unwrap(), handed.text);
    for private in [
        patient.last_name.as_str(),
        patient.mrn.as_str(),
        patient.diagnosis.as_deref().unwrap_or("no diagnosis"),
        patient.diagnosis_code.as_deref().unwrap_or("no code"),
        visit.kind.label(),
    ] {
        assert!(!words.contains(private), "{private:?} in {words}");
    }
    let therapist_first = visit.therapist_name.split_whitespace().next().unwrap();
    assert!(words.contains(therapist_first), "{words}");
    assert!(words.contains(&visit.start.format("%A, %B %-d").to_string()));
}

#[test]
fn two_senders_at_once_send_each_reminder_once() {
    let (_dir, path, db) = clinic();
    drop(db);
    let shared = Fake {
        pause: std::time::Duration::from_millis(15),
        ..Fake::new(Channel::Email)
    };
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (path, fake) = (path.clone(), shared.clone());
            std::thread::spawn(move || {
                let mut db = db::open_existing(&path).unwrap();
                outbox::run(&mut db, &email(&fake), at(MONDAY), DESK).unwrap()
            })
        })
        .collect();
    let reports: Vec<Report> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let sent: Vec<i64> = reports.iter().flat_map(|r| of(r, Outcome::Sent)).collect();
    let unique: std::collections::HashSet<_> = sent.iter().collect();
    assert_eq!(unique.len(), sent.len(), "a visit reminded twice: {sent:?}");
    assert_eq!(shared.handed().len(), sent.len());
    assert!(sent.len() >= 10);
    let db = db::open_existing(&path).unwrap();
    let rows = testing::outbox_rows(&db).unwrap();
    assert_eq!(rows.len(), sent.len(), "one row per reminder: {rows:?}");
    assert!(rows.iter().all(|r| r.3 == "sent" && r.4 == 1));
}

#[test]
fn nothing_goes_in_quiet_hours_and_it_goes_when_they_end() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    let night = run(&mut db, &fake, "2026-11-30 22:30");
    assert!(night.held.as_deref().unwrap().contains("21:00-08:00"));
    assert!(fake.handed().is_empty());
    assert!(of(&night, Outcome::Sent).is_empty());
    let morning = run(&mut db, &fake, "2026-12-01 08:00");
    assert!(morning.held.is_none());
    assert!(!of(&morning, Outcome::Sent).is_empty());
    // The clinic moves its quiet hours; a time like 25:00 is refused and nothing changes.
    let admin = Who {
        user: "admin",
        at: "2026-12-01T09:00:00",
    };
    assert_eq!(
        QuietHours::parse("25:00-08:00").unwrap_err(),
        "25:00 is not a time of day like 08:00 (00:00 to 23:59)"
    );
    let changed = db
        .set_messaging_settings(
            &SettingsChange {
                quiet: Some(QuietHours::parse("20:00-09:00").unwrap()),
                ..SettingsChange::default()
            },
            admin,
        )
        .unwrap();
    assert_eq!(changed.quiet.text(), "20:00-09:00");
    // Reminders due in the new quiet hours wait for their end.
    let handed = fake.handed().len();
    let early = run(&mut db, &fake, "2026-12-01 08:59");
    assert!(of(&early, Outcome::Sent).is_empty(), "{early:?}");
    assert_eq!(fake.handed().len(), handed);
    let nine = run(&mut db, &fake, "2026-12-01 09:00");
    assert!(!of(&nine, Outcome::Sent).is_empty(), "{nine:?}");
}

#[test]
fn a_patient_without_consent_or_who_opted_out_gets_nothing() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    let preview = outbox::preview(&db, &email(&fake), at(MONDAY)).unwrap();
    let target = preview
        .lines
        .iter()
        .find(|l| l.outcome == Outcome::WouldSend)
        .unwrap()
        .clone();
    let visit = db.visit(target.appointment.unwrap()).unwrap().unwrap();
    testing::opt_out(&db, visit.patient_id, Channel::Email, today()).unwrap();
    let report = run(&mut db, &fake, MONDAY);
    let line = report
        .lines
        .iter()
        .find(|l| l.appointment == target.appointment)
        .unwrap();
    assert_eq!(line.outcome, Outcome::Skipped);
    assert_eq!(
        line.reason.as_deref(),
        Some(
            "the patient has not consented to text messages, and opted out of emails on 2026-11-27"
        )
    );
    assert!(
        fake.handed()
            .iter()
            .all(|h| Some(&h.to) != target.to.as_ref())
    );
}

#[test]
fn an_opt_out_after_a_refusal_cancels_the_retry() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    fake.refuse(1000, true);
    let first = run(&mut db, &fake, MONDAY);
    let waiting = of(&first, Outcome::Pending);
    assert!(!waiting.is_empty());
    let visit = db.visit(waiting[0]).unwrap().unwrap();
    testing::opt_out(&db, visit.patient_id, Channel::Email, today()).unwrap();
    fake.refusals.lock().unwrap().clear();
    let later = run(&mut db, &fake, "2026-11-30 10:02");
    assert!(!of(&later, Outcome::Sent).contains(&waiting[0]));
    let rows = testing::outbox_rows(&db).unwrap();
    let row = rows.iter().find(|r| r.0 == Some(waiting[0])).unwrap();
    assert_eq!(row.3, "cancelled");
}

#[test]
fn a_cancelled_visit_loses_its_reminder_and_a_moved_one_is_reminded_of_its_new_time() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    fake.refuse(1000, true);
    let first = run(&mut db, &fake, MONDAY);
    let waiting = of(&first, Outcome::Pending);
    assert!(waiting.len() >= 2, "{first:?}");
    let desk = || Who {
        user: DESK,
        at: "2026-11-30T10:01:00",
    };
    // One visit is cancelled: its reminder with it.
    let cancelled = db
        .set_status(
            waiting[0],
            None,
            AppointmentStatus::Cancelled,
            Some(CancelReason::Patient),
            desk(),
        )
        .unwrap();
    let ptclinic::db::schedule::StatusChange::Changed { previous, visit } = cancelled else {
        panic!("the visit was scheduled");
    };
    // Another moves to the next week: its reminder for the old time goes, and none is due yet.
    let moved = db.visit(waiting[1]).unwrap().unwrap();
    let later = moved.start + chrono::Duration::days(7);
    db.reschedule(
        moved.id,
        moved.version,
        &ptclinic::db::schedule::Booking {
            patient_id: moved.patient_id,
            therapist_id: moved.therapist_id,
            start: later,
            minutes: moved.minutes,
            kind: moved.kind,
            site_id: 1,
        },
        desk(),
    )
    .unwrap();
    let rows = testing::outbox_rows(&db).unwrap();
    for id in [waiting[0], waiting[1]] {
        let row = rows.iter().find(|r| r.0 == Some(id)).unwrap();
        assert_eq!(row.3, "cancelled", "{id}: {rows:?}");
    }
    fake.refusals.lock().unwrap().clear();
    let retry = run(&mut db, &fake, "2026-11-30 10:02");
    let sent = of(&retry, Outcome::Sent);
    assert!(!sent.contains(&waiting[0]) && !sent.contains(&waiting[1]));
    // Two days before its new time, the moved visit is reminded of that time.
    let new_due = (later - chrono::Duration::days(2))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let handed_before = fake.handed().len();
    let then = run(&mut db, &fake, &new_due);
    assert!(of(&then, Outcome::Sent).contains(&waiting[1]), "{then:?}");
    let address = db
        .patient(moved.patient_id)
        .unwrap()
        .unwrap()
        .email
        .unwrap();
    let handed = fake.handed();
    let text = &handed[handed_before..]
        .iter()
        .find(|h| h.to == address)
        .expect("a reminder of the new time")
        .text;
    assert!(text.contains(&later.format("%A, %B %-d").to_string()));
    assert!(text.contains(&later.format("%-I:%M %p").to_string()));
    // Undoing the cancellation brings its reminder back at the next run.
    assert_eq!(
        db.reminders_of(&[waiting[0]]).unwrap()[&waiting[0]],
        ReminderState::None
    );
    db.restore_status(visit.id, visit.version, &previous, desk())
        .unwrap();
    let back = run(&mut db, &fake, "2026-11-30 10:03");
    assert!(of(&back, Outcome::Sent).contains(&waiting[0]), "{back:?}");
}

#[test]
fn a_refused_message_is_tried_again_later_with_the_same_key_then_sent() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    fake.refuse(1, true);
    let first = run(&mut db, &fake, MONDAY);
    let waiting = of(&first, Outcome::Pending);
    assert_eq!(waiting.len(), 1, "one refusal: {first:?}");
    let refused = first
        .lines
        .iter()
        .find(|l| l.outcome == Outcome::Pending)
        .unwrap();
    assert_eq!(refused.reason.as_deref(), Some("451 4.3.0 try again later"));
    assert_eq!(
        db.reminders_of(&waiting).unwrap()[&waiting[0]],
        ReminderState::Pending
    );
    // Not before its next attempt, a minute on.
    let soon = run(&mut db, &fake, MONDAY);
    assert!(!of(&soon, Outcome::Sent).contains(&waiting[0]));
    let later = run(&mut db, &fake, "2026-11-30 10:01");
    assert_eq!(of(&later, Outcome::Sent), waiting);
    let rows = testing::outbox_rows(&db).unwrap();
    let row = rows.iter().find(|r| r.0 == Some(waiting[0])).unwrap();
    assert_eq!((row.3.as_str(), row.4), ("sent", 2));
}

#[test]
fn refusals_end_as_failed_with_the_providers_reason() {
    let (_dir, _path, mut db) = clinic();
    let fake = Fake::new(Channel::Email);
    // A refusal that will not change fails at once.
    fake.refusals.lock().unwrap().push_back(SendFailure {
        reason: "550 5.1.1 no such mailbox".into(),
        retry: false,
    });
    let first = run(&mut db, &fake, MONDAY);
    let failed = of(&first, Outcome::Failed);
    assert_eq!(failed.len(), 1);
    assert_eq!(
        db.reminders_of(&failed).unwrap()[&failed[0]],
        ReminderState::Failed
    );
    // One that may pass is tried four times in all (after 1, 5 and 15 minutes), then fails.
    fake.refuse(100_000, true);
    let second = run(&mut db, &fake, "2026-11-30 10:30");
    let refused = of(&second, Outcome::Pending);
    assert!(!refused.is_empty(), "{second:?}");
    for now in ["2026-11-30 10:31", "2026-11-30 10:36"] {
        let r = run(&mut db, &fake, now);
        assert!(
            refused
                .iter()
                .all(|id| of(&r, Outcome::Pending).contains(id))
        );
    }
    let last = run(&mut db, &fake, "2026-11-30 10:51");
    assert!(
        refused
            .iter()
            .all(|id| of(&last, Outcome::Failed).contains(id)),
        "{last:?}"
    );
    let rows = testing::outbox_rows(&db).unwrap();
    for id in &refused {
        let row = rows.iter().find(|r| r.0 == Some(*id)).unwrap();
        assert_eq!((row.3.as_str(), row.4), ("failed", 4), "{id}");
    }
    let audit = db
        .audit_log(&ptclinic::db::audit::AuditQuery::default())
        .unwrap();
    assert!(
        audit.iter().any(
            |a| a.action == "message.failed" && a.summary.contains("550 5.1.1 no such mailbox")
        )
    );
}

#[test]
fn a_dry_run_shows_who_would_get_what_and_writes_nothing() {
    let (_dir, _path, db) = clinic();
    let fake = Fake::new(Channel::Email);
    let audit_before = testing::rows(&db, Table::AuditLog).unwrap();
    let preview = outbox::preview(&db, &email(&fake), at(MONDAY)).unwrap();
    let would: Vec<_> = preview
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::WouldSend)
        .collect();
    assert!(would.len() >= 10);
    assert!(
        would
            .iter()
            .all(|l| l.to.as_deref().is_some_and(|t| t.contains('@')))
    );
    assert!(fake.handed().is_empty());
    assert_eq!(testing::rows(&db, Table::AuditLog).unwrap(), audit_before);
    assert!(testing::outbox_rows(&db).unwrap().is_empty());
    // Without a transport for the channel the same messages would wait, and say why.
    let none = outbox::preview(
        &db,
        &Transports {
            email: None,
            sms: None,
        },
        at(MONDAY),
    )
    .unwrap();
    assert!(none.lines.iter().any(|l| l.outcome == Outcome::Pending
        && l.reason.as_deref()
            == Some("no mail server is set up on this machine ([smtp] in the config)")));
}

#[test]
fn reminders_wait_for_the_clinics_phone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    demo::build(&path, false, &DemoOptions::default(), today()).unwrap();
    let mut db = db::open_existing(&path).unwrap();
    testing::consent_everyone(&db, Channel::Email, Some(today())).unwrap();
    let fake = Fake::new(Channel::Email);
    let refused = outbox::run(&mut db, &email(&fake), at(MONDAY), DESK).unwrap_err();
    assert!(refused.message.contains("--clinic-phone"), "{refused:?}");
    assert!(fake.handed().is_empty());
}

#[test]
fn a_clinics_template_may_use_the_placeholders_only() {
    let (_dir, _path, mut db) = clinic();
    let admin = || Who {
        user: "admin",
        at: "2026-11-27T09:00:00",
    };
    let bad = Template {
        subject: None,
        body: "{{ clinic_name }}: {{ diagnosis }} visit at {{ time }}".into(),
    };
    let refused = db
        .set_message_template(Purpose::Reminder, Channel::Sms, Some(&bad), admin())
        .unwrap_err();
    assert!(refused.message.contains("{{ diagnosis }}"), "{refused:?}");
    assert!(
        !db.message_template(Purpose::Reminder, Channel::Sms)
            .unwrap()
            .own
    );
    let own = Template {
        subject: Some("See you {{ date }}".into()),
        body: "{{ clinic_name }} expects you at {{ time }}.".into(),
    };
    db.set_message_template(Purpose::Reminder, Channel::Email, Some(&own), admin())
        .unwrap();
    let fake = Fake::new(Channel::Email);
    run(&mut db, &fake, MONDAY);
    let m = &fake.handed()[0];
    assert!(m.text.starts_with("Riverside PT expects you at "), "{m:?}");
    assert!(m.subject.as_deref().unwrap().starts_with("See you "));
    // A front-desk user may not change the words.
    let desk = Who {
        user: DESK,
        at: "2026-11-27T09:00:00",
    };
    assert!(
        db.set_message_template(Purpose::Reminder, Channel::Email, None, desk)
            .is_err()
    );
}

#[test]
fn an_undone_booking_takes_its_unsent_reminder_with_it() {
    let (_dir, _path, mut db) = clinic();
    let patient = testing::patient_ids(&db).unwrap()[0];
    let therapist = db.day(today()).unwrap()[0].therapist_id;
    let desk = Who {
        user: DESK,
        at: "2026-11-30T10:00:00",
    };
    let visit = db
        .book(
            &ptclinic::db::schedule::Booking {
                patient_id: patient,
                therapist_id: therapist,
                start: at("2026-11-30 12:03"),
                minutes: 30,
                kind: ptclinic::domain::VisitKind::Treatment,
                site_id: 1,
            },
            desk,
        )
        .unwrap();
    let fake = Fake::new(Channel::Email);
    fake.refuse(1000, true);
    run(&mut db, &fake, "2026-11-30 10:03");
    let queued = testing::outbox_rows(&db)
        .unwrap()
        .into_iter()
        .filter(|r| r.0 == Some(visit.id))
        .count();
    assert_eq!(queued, 1);
    db.unbook(
        visit.id,
        visit.version,
        Who {
            user: DESK,
            at: "2026-11-30T10:04:00",
        },
    )
    .unwrap();
    assert!(
        testing::outbox_rows(&db)
            .unwrap()
            .iter()
            .all(|r| r.0 != Some(visit.id))
    );
}

#[test]
fn a_message_behind_many_waiting_for_another_channel_still_goes() {
    let (_dir, _path, mut db) = clinic();
    testing::consent_everyone(&db, Channel::Sms, Some(today())).unwrap();
    let fake = Fake::new(Channel::Email);
    // Text messages this machine cannot send queue up first.
    let first = run(&mut db, &fake, MONDAY);
    let waiting = first
        .lines
        .iter()
        .filter(|l| l.channel == Some(Channel::Sms) && l.outcome == Outcome::Pending)
        .count();
    assert!(waiting > 16, "more than a page of them: {waiting}");
    let patient = testing::patient_ids(&db).unwrap()[0];
    let letter = ptclinic::db::outbox::ForPatient {
        patient_id: patient,
        purpose: Purpose::HomeProgram,
        therapist_name: "Maya Chen".into(),
        text: "1. Bridge: 2 sets of 10".into(),
        html: "<h1>Home exercise program</h1>".into(),
    };
    let handed = fake.handed().len();
    let line = outbox::send_to_patient(
        &mut db,
        &email(&fake),
        &letter,
        at("2026-11-30 10:05"),
        DESK,
    )
    .unwrap();
    assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
    let got = &fake.handed()[handed..];
    assert_eq!(got.len(), 1);
    assert!(
        got[0]
            .text
            .contains("Maya has put together your home exercise program")
    );
    assert!(got[0].text.ends_with("1. Bridge: 2 sets of 10"));
}

#[test]
fn a_groups_reminder_names_the_sites_address_and_phone() {
    let (_dir, path, mut db) = clinic();
    let admin = Who {
        user: "admin",
        at: "2026-11-27T07:40:00",
    };
    let north = db
        .add_site(
            &ptclinic::db::sites::SiteDetails {
                name: Some("North".into()),
                address: Some("12 Elm St".into()),
                phone: Some("(555) 010-3000".into()),
                active: None,
            },
            admin,
        )
        .unwrap();
    // Every visit of the coming days is at North (set in the file, as a fixture).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE appointments SET site_id = ?1 WHERE start >= '2026-11-30'",
            [north.id],
        )
        .unwrap();
    let fake = Fake::new(Channel::Email);
    run(&mut db, &fake, MONDAY);
    let handed = fake.handed();
    assert!(!handed.is_empty());
    for h in &handed {
        assert!(h.text.contains("Riverside PT North"), "{}", h.text);
        assert!(h.text.contains("Where: 12 Elm St"), "{}", h.text);
        assert!(h.text.contains("(555) 010-3000"), "{}", h.text);
        assert!(!h.text.contains("(555) 010-2000"), "{}", h.text);
    }
}

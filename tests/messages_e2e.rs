//! Messages to patients end to end: `ptclinic remind`, `send hep` and `send progress` run as
//! the clinic runs them, through a real SMTP server on loopback (Debian's python3-aiosmtpd,
//! which CI installs) and a local HTTP gateway standing in for the SMS provider. What the
//! servers received is what is checked: once per reminder across runs and processes, nothing
//! in quiet hours, nothing without consent or after an opt-out, nothing for a cancelled visit,
//! the new time for a moved one, a refusal retried, and no more of the record than the
//! template's words.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::gateway::{GatewayRecorder, Reply};
use common::smtp::{SINK_REFUSAL, SinkOptions, SmtpSink};
use common::{Clinic, DEMO_ADMIN, assert_code, stderr, stdout};
use ptclinic::db::testing;
use ptclinic::domain::messages::Channel;
use serde_json::Value;

/// Monday 2026-11-30 10:00: the demo's visits up to Wednesday 10:00 are due their two-day
/// reminder, and Monday's up to noon their two-hour one.
const MONDAY: &str = "2026-11-30 10:00";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn write_config(clinic: &Clinic, body: &str) {
    let dir = clinic.sub("config").join("ptclinic");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), body).unwrap();
}

fn smtp_config(port: u16) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"Riverside PT <desk@riverside.example>\"\n"
    )
}

/// A small demo clinic whose patients consented to email, with the clinic's name and phone set.
fn clinic() -> Clinic {
    let clinic = Clinic::demo_with(&[
        "--patients",
        "60",
        "--weeks-back",
        "2",
        "--weeks-ahead",
        "2",
    ]);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    testing::consent_everyone(&db, Channel::Email, Some(day("2026-11-20"))).unwrap();
    testing::consent_everyone(&db, Channel::Sms, None).unwrap();
    drop(db);
    let out = clinic.cli(&[
        "messaging",
        "settings",
        "--clinic-name",
        "Riverside PT",
        "--clinic-phone",
        "(555) 010-2000",
        "--user",
        DEMO_ADMIN,
    ]);
    assert_code(&out, 0);
    clinic
}

fn remind(clinic: &Clinic, now: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["remind", "--now", now, "--json", "--user", DEMO_ADMIN];
    args.extend_from_slice(extra);
    clinic.cli(&args)
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn with_state(lines: &[Value], state: &str) -> Vec<Value> {
    lines
        .iter()
        .filter(|l| l["state"] == state)
        .cloned()
        .collect()
}

fn started(options: SinkOptions) -> Option<SmtpSink> {
    SmtpSink::start(options, None)
}

#[test]
fn tomorrows_reminders_reach_the_mail_server_once_and_say_no_more_than_the_template() {
    let Some(sink) = started(SinkOptions::default()) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    // The dry run names everyone who would get one, and sends nothing.
    let dry = remind(&clinic, MONDAY, &["--dry-run"]);
    assert_code(&dry, 0);
    let would = with_state(&lines(&dry), "would_send");
    assert!(would.len() >= 10, "{}", stdout(&dry));
    assert!(sink.messages().is_empty());
    // Showing who would get what is a view of their addresses: audited, by visit.
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let viewed = db
        .audit_log(&ptclinic::db::audit::AuditQuery::default())
        .unwrap()
        .into_iter()
        .find(|a| a.action == "remind.preview")
        .expect("the dry run's audit row");
    assert!(
        viewed
            .summary
            .contains(&would[0]["appointment"].to_string())
    );
    assert!(!viewed.summary.contains('@'), "no address in the audit row");
    drop(db);

    let first = remind(&clinic, MONDAY, &[]);
    assert_code(&first, 0);
    let sent = with_state(&lines(&first), "sent");
    assert_eq!(sent.len(), would.len());
    let mail = sink.wait_for(sent.len(), Duration::from_secs(10));
    assert_eq!(mail.len(), sent.len());
    // A second run at the same time (cron's next, or another machine's) sends nothing again.
    let again = remind(&clinic, MONDAY, &[]);
    assert_code(&again, 0);
    assert!(
        with_state(&lines(&again), "sent").is_empty(),
        "{}",
        stdout(&again)
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), sent.len(), "a second run sent again");

    // Each went to the patient, from the clinic, in the template's words and nothing else.
    let line = &sent[0];
    let to = line["to"].as_str().unwrap();
    let got = mail.iter().find(|m| m.rcpt_to == [to]).unwrap();
    assert_eq!(got.mail_from, "desk@riverside.example");
    let schedule: Vec<Value> = serde_json::from_str(&stdout(&clinic.cli(&[
        "schedule",
        "--date",
        &line["due"].as_str().unwrap()[..10],
        "--json",
        "--user",
        DEMO_ADMIN,
    ])))
    .unwrap_or_default();
    let text = got.text.clone().unwrap();
    assert!(
        text.contains("Riverside PT") && text.contains("(555) 010-2000"),
        "{text}"
    );
    assert!(got.header("Message-ID").unwrap().contains("ptclinic"));
    for visit in &schedule {
        let last_name = visit["patient"]
            .as_str()
            .unwrap()
            .split(' ')
            .next_back()
            .unwrap();
        assert!(
            !text.contains(last_name) || last_name.len() < 3,
            "{last_name} in {text}"
        );
        assert!(!text.contains(visit["mrn"].as_str().unwrap()));
        assert!(!text.contains(visit["kind"].as_str().unwrap()));
    }
    // The plain output names nobody: it lands in cron's mail.
    let quiet = clinic.cli(&["remind", "--now", "2026-11-30 10:40", "--user", DEMO_ADMIN]);
    assert_code(&quiet, 0);
    assert!(stdout(&quiet).contains("sent"), "{}", stdout(&quiet));
    assert!(!stdout(&quiet).contains('@'));
}

#[test]
fn two_runs_at_once_send_each_reminder_once() {
    let Some(sink) = started(SinkOptions::default()) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            clinic
                .command(&["remind", "--now", MONDAY, "--json", "--user", DEMO_ADMIN])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut sent: Vec<i64> = Vec::new();
    for out in &outs {
        assert_code(out, 0);
        sent.extend(
            with_state(&lines(out), "sent")
                .iter()
                .map(|l| l["appointment"].as_i64().unwrap()),
        );
    }
    let mut unique = sent.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "a reminder sent by both runs");
    assert!(sent.len() >= 10);
    let mail = sink.wait_for(sent.len(), Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), sent.len());
    let mut recipients: Vec<_> = mail.iter().map(|m| m.rcpt_to.clone()).collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    // A patient with two visits in the window gets two reminders, one per visit.
    assert!(recipients.len() <= before);
}

#[test]
fn quiet_hours_hold_everything_until_they_end() {
    let Some(sink) = started(SinkOptions::default()) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    let night = remind(&clinic, "2026-11-29 22:15", &[]);
    assert_code(&night, 0);
    assert!(with_state(&lines(&night), "sent").is_empty());
    std::thread::sleep(Duration::from_millis(300));
    assert!(sink.messages().is_empty(), "sent in quiet hours");
    let morning = remind(&clinic, "2026-11-30 08:00", &[]);
    assert_code(&morning, 0);
    assert!(!with_state(&lines(&morning), "sent").is_empty());
    // A clinic's quiet hours are checked as typed.
    let bad = clinic.cli(&[
        "messaging",
        "settings",
        "--quiet-hours",
        "25:00-08:00",
        "--user",
        DEMO_ADMIN,
    ]);
    assert_code(&bad, 2);
    assert_eq!(
        stderr(&bad).trim(),
        "ptclinic: --quiet-hours: 25:00 is not a time of day like 08:00 (00:00 to 23:59)"
    );
}

#[test]
fn no_consent_an_opt_out_and_a_cancelled_visit_get_nothing_and_a_moved_one_its_new_time() {
    let Some(sink) = started(SinkOptions::default()) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    let would = with_state(
        &lines(&remind(&clinic, MONDAY, &["--dry-run"])),
        "would_send",
    );
    assert!(would.len() >= 4);
    let (opted, cancelled, moved) = (&would[0], &would[1], &would[2]);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let patient_of = |appointment: &Value| {
        db.visit(appointment["appointment"].as_i64().unwrap())
            .unwrap()
            .unwrap()
    };
    testing::opt_out(
        &db,
        patient_of(opted).patient_id,
        Channel::Email,
        day("2026-11-29"),
    )
    .unwrap();
    let moved_visit = patient_of(moved);
    drop(db);
    let id = |l: &Value| l["appointment"].as_i64().unwrap().to_string();
    assert_code(
        &clinic.cli(&[
            "cancel",
            "--appointment",
            &id(cancelled),
            "--reason",
            "patient",
            "--user",
            DEMO_ADMIN,
        ]),
        0,
    );
    let new_day = moved_visit.start.date() + chrono::Duration::days(7);
    assert_code(
        &clinic.cli(&[
            "move",
            "--appointment",
            &id(moved),
            "--date",
            &new_day.to_string(),
            "--time",
            "14:15",
            "--user",
            DEMO_ADMIN,
        ]),
        0,
    );
    let run = lines(&remind(&clinic, MONDAY, &[]));
    let by_visit = |l: &Value| {
        run.iter()
            .find(|r| r["appointment"] == l["appointment"])
            .cloned()
    };
    assert_eq!(by_visit(opted).unwrap()["state"], "skipped");
    assert!(
        by_visit(opted).unwrap()["reason"]
            .as_str()
            .unwrap()
            .contains("opted out of emails on 2026-11-29")
    );
    assert!(by_visit(cancelled).is_none());
    assert!(by_visit(moved).is_none(), "not due yet at its new time");
    let mail = sink.wait_for(with_state(&run, "sent").len(), Duration::from_secs(10));
    for l in [opted, cancelled, moved] {
        let to = l["to"].as_str().unwrap();
        let others_of_theirs = run
            .iter()
            .filter(|r| r["to"] == to && r["state"] == "sent")
            .count();
        let received = mail.iter().filter(|m| m.rcpt_to == [to]).count();
        assert_eq!(received, others_of_theirs, "{to}");
    }
    // Two days before its new time, the moved visit is reminded of that time.
    let due = format!("{} 14:15", new_day - chrono::Duration::days(2));
    let later = lines(&remind(&clinic, &due, &[]));
    let line = later
        .iter()
        .find(|r| r["appointment"] == moved["appointment"])
        .expect("the moved visit's reminder");
    assert_eq!(line["state"], "sent");
    let to = line["to"].as_str().unwrap();
    let all = sink.wait_for(
        mail.len() + with_state(&later, "sent").len(),
        Duration::from_secs(10),
    );
    let text = all
        .iter()
        .rev()
        .find(|m| m.rcpt_to == [to])
        .and_then(|m| m.text.clone())
        .unwrap();
    assert!(text.contains("2:15 PM"), "{text}");
    assert!(
        text.contains(&new_day.format("%A, %B %-d").to_string()),
        "{text}"
    );
}

#[test]
fn a_server_that_refuses_first_gets_the_message_at_the_next_attempt() {
    let Some(sink) = started(SinkOptions {
        refuse_first: 1,
        ..SinkOptions::default()
    }) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    let first = remind(&clinic, MONDAY, &[]);
    // One refusal: the run says so (exit 1) and the rest of the batch went.
    assert_code(&first, 1);
    assert!(stderr(&first).contains(SINK_REFUSAL), "{}", stderr(&first));
    let run = lines(&first);
    let waiting = with_state(&run, "pending");
    assert_eq!(waiting.len(), 1, "{}", stdout(&first));
    assert!(with_state(&run, "sent").len() >= 9);
    let later = remind(&clinic, "2026-11-30 10:01", &[]);
    assert_code(&later, 0);
    let retried = with_state(&lines(&later), "sent");
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0]["appointment"], waiting[0]["appointment"]);
    let mail = sink.wait_for(with_state(&run, "sent").len() + 1, Duration::from_secs(10));
    let to = waiting[0]["to"].as_str().unwrap();
    assert_eq!(mail.iter().filter(|m| m.rcpt_to == [to]).count(), 1);
}

#[test]
fn an_unreachable_server_leaves_every_message_unsent_and_says_so() {
    let clinic = clinic();
    write_config(&clinic, &smtp_config(common::smtp::closed_port()));
    let out = remind(&clinic, MONDAY, &[]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("127.0.0.1"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let run = lines(&out);
    assert!(with_state(&run, "sent").is_empty());
    assert!(with_state(&run, "pending").len() >= 10);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    assert!(
        testing::outbox_rows(&db)
            .unwrap()
            .iter()
            .all(|r| r.3 == "pending")
    );
    // A password that is not in the environment is one sentence before anything is tried.
    write_config(
        &clinic,
        "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"starttls\"\nusername = \"desk\"\npassword_env = \"PTCLINIC_TEST_NO_SUCH_PASSWORD\"\nfrom = \"desk@riverside.example\"\n",
    );
    let out = remind(&clinic, MONDAY, &[]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("PTCLINIC_TEST_NO_SUCH_PASSWORD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_text_reminder_goes_through_the_gateway_in_twilios_form() {
    let gateway = GatewayRecorder::start(vec![Reply::twilio_created("SM0001")]);
    let clinic = clinic();
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    testing::consent_everyone(&db, Channel::Sms, Some(day("2026-11-20"))).unwrap();
    drop(db);
    write_config(
        &clinic,
        &format!(
            "[sms]\nurl = \"{}\"\npreset = \"twilio\"\naccount = \"ACtest\"\ntoken_env = \"PTCLINIC_TEST_SMS_TOKEN\"\nfrom = \"+15555550100\"\n",
            gateway.url("/2010-04-01/Accounts/ACtest/Messages.json")
        ),
    );
    let out = clinic
        .command(&["remind", "--now", MONDAY, "--json", "--user", DEMO_ADMIN])
        .env("PTCLINIC_TEST_SMS_TOKEN", "secret-token")
        .output()
        .unwrap();
    assert_code(&out, 0);
    let run = lines(&out);
    let texts: Vec<_> = run.iter().filter(|l| l["channel"] == "sms").collect();
    assert!(!texts.is_empty(), "{}", stdout(&out));
    assert!(texts.iter().all(|l| l["state"] == "sent"));
    let requests = gateway.requests();
    assert_eq!(requests.len(), texts.len());
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.field("From").as_deref(), Some("+15555550100"));
    assert!(r.field("To").unwrap().starts_with('+'));
    let body = r.field("Body").unwrap();
    assert!(
        body.starts_with("Riverside PT: your visit is on "),
        "{body}"
    );
    assert!(body.contains("Reply STOP"));
    assert!(r.header("Idempotency-Key").is_some());
}

#[test]
fn a_patient_gets_their_home_program_and_progress_letter_by_email() {
    let Some(sink) = started(SinkOptions::default()) else {
        return;
    };
    let clinic = clinic();
    write_config(&clinic, &smtp_config(sink.port));
    // `send` goes now, by the wall clock's time of day: quiet hours that begin two hours from
    // now let it go at whatever hour the test runs.
    let from = (chrono::Timelike::hour(&chrono::Local::now()) + 2) % 24;
    let quiet = format!("{from:02}:00-{:02}:00", (from + 1) % 24);
    let out = clinic.cli(&[
        "messaging",
        "settings",
        "--quiet-hours",
        &quiet,
        "--user",
        DEMO_ADMIN,
    ]);
    assert_code(&out, 0);
    let patients: Vec<Value> = serde_json::from_str(&stdout(
        &clinic.cli(&["patients", "--json", "--user", DEMO_ADMIN]),
    ))
    .unwrap();
    // A patient with a program: the demo gives most active patients one.
    let mrn = patients
        .iter()
        .map(|p| p["mrn"].as_str().unwrap().to_string())
        .find(|mrn| {
            clinic
                .cli(&["export", "hep", "--patient", mrn, "--user", DEMO_ADMIN])
                .status
                .success()
        })
        .expect("a patient with a program");
    let out = clinic.cli(&["send", "hep", "--patient", &mrn, "--user", DEMO_ADMIN]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).starts_with("Sent the home exercise program to "),
        "{}",
        stdout(&out)
    );
    let mail = sink.wait_for(1, Duration::from_secs(10));
    let m = &mail[0];
    let html = m.html.clone().expect("an HTML part");
    assert!(html.contains("<h1>") && html.contains("Home exercise program"));
    assert!(!html.contains(&mrn), "the MRN stays out of the email");
    assert!(m.text.clone().unwrap().contains("Riverside PT"));
    assert!(
        m.header("Subject")
            .unwrap()
            .contains("home exercise program")
    );
    let letter = clinic.cli(&["send", "progress", "--patient", &mrn, "--user", DEMO_ADMIN]);
    assert_code(&letter, 0);
    let both = sink.wait_for(2, Duration::from_secs(10));
    assert!(both[1].html.clone().unwrap().contains("Dear "));
    // Without consent: one sentence, exit 2, nothing sent.
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let patient = db.patient_by_mrn(&mrn).unwrap().unwrap();
    testing::opt_out(&db, patient.id, Channel::Email, day("2026-11-27")).unwrap();
    drop(db);
    let refused = clinic.cli(&["send", "hep", "--patient", &mrn, "--user", DEMO_ADMIN]);
    assert_code(&refused, 2);
    assert!(
        stderr(&refused).contains("opted out of emails"),
        "{}",
        stderr(&refused)
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), 2);
}

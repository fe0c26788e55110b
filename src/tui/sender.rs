//! A terminal whose machine has a mail server or an SMS gateway configured sends what is due
//! while it runs, every couple of minutes, on its own thread and connection, as `ptclinic
//! remind` would from cron. Claims in the record keep two such terminals (or one and cron)
//! from sending one message twice. What it did comes back as a note without patient data.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::Settings;
use crate::db::worker::{Asked, Asker, Reply};
use crate::error::AppError;
use crate::messaging::Transports;
use crate::messaging::outbox::{self, Outcome, Report};

/// How often a sending terminal plans the reminders that have come due.
const PLAN_EVERY: Duration = Duration::from_secs(120);
/// How often it looks for a message queued meanwhile (a handout emailed from pane 3): one read
/// when nothing is due.
const LOOK_EVERY: Duration = Duration::from_secs(15);
/// The first look waits until the app has drawn and read its day.
const FIRST_AFTER: Duration = Duration::from_secs(5);

fn note_of(report: &Report) -> Option<String> {
    let count = |o: Outcome| report.lines.iter().filter(|l| l.outcome == o).count();
    let (sent, failed) = (count(Outcome::Sent), count(Outcome::Failed));
    match (sent, failed) {
        (0, 0) => None,
        (s, 0) => Some(format!(
            "{s} patient message{} sent",
            if s == 1 { "" } else { "s" }
        )),
        (s, f) => Some(format!(
            "{s} patient message{} sent, {f} failed (ptclinic remind --dry-run says why)",
            if s == 1 { "" } else { "s" }
        )),
    }
}

fn failed(message: String) -> Reply {
    Reply::Failed {
        asked: Asked {
            by: Asker::Background,
            write: false,
        },
        error: AppError::failure(message),
    }
}

/// Starts the sender when this machine can send; says once, in one sentence, why it cannot
/// when its config is wrong.
pub(super) fn start(
    settings: &Settings,
    db_path: std::path::PathBuf,
    replies: mpsc::UnboundedSender<Reply>,
) {
    let transports = match Transports::from_settings(settings, &crate::config::process_env) {
        Ok(t) if t.email.is_some() || t.sms.is_some() => t,
        Ok(_) => return,
        Err(e) => {
            let _ = replies.send(failed(format!("messages to patients: {}", e.message)));
            return;
        }
    };
    let (clock, user) = (settings.clock, settings.user.clone());
    let _ = std::thread::Builder::new()
        .name("ptclinic-sender".into())
        .spawn(move || {
            std::thread::sleep(FIRST_AFTER);
            // A problem that lasts (no clinic phone set, the file unreachable) is said once.
            let mut said: Option<String> = None;
            let mut planned: Option<std::time::Instant> = None;
            // One connection while it works; a failure drops it and the next look opens anew.
            let mut open: Option<crate::db::Db> = None;
            while !replies.is_closed() {
                let plan = planned.is_none_or(|at| at.elapsed() >= PLAN_EVERY);
                let result = match open.take() {
                    Some(db) => Ok(db),
                    None => crate::db::open_existing(&db_path),
                }
                .and_then(|mut db| {
                    let done = if plan {
                        outbox::run(&mut db, &transports, clock.now(), &user)
                    } else {
                        outbox::send_due(&mut db, &transports, clock.now(), &user)
                    };
                    if done.is_ok() {
                        open = Some(db);
                    }
                    done
                });
                if plan {
                    planned = Some(std::time::Instant::now());
                }
                let reply = match result {
                    Ok(report) => {
                        said = None;
                        note_of(&report).map(Reply::Note)
                    }
                    Err(e) if said.as_ref() == Some(&e.message) => None,
                    Err(e) => {
                        said = Some(e.message.clone());
                        Some(failed(format!("messages to patients: {}", e.message)))
                    }
                };
                if let Some(reply) = reply
                    && replies.send(reply).is_err()
                {
                    break;
                }
                std::thread::sleep(LOOK_EVERY);
            }
        });
}

//! The full-screen app: state, keys, update, views and the event loop.

pub mod clinic;
pub mod event;
pub mod forms;
mod help;
pub mod input;
pub mod keymap;
mod lock;
pub mod modal;
mod notify;
pub mod pane;
pub mod program;
pub mod progress;
pub mod record;
pub mod schedule;
mod sender;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod widgets;

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::db::worker::{Reply, Request, Worker};
use crate::error::{AppError, AppResult};
use event::{Effect, Event};
use state::{AppState, ClinicInfo};
use theme::Theme;
use update::update;

/// Opens the clinic and runs the app until the user quits. Any problem opening the record is
/// reported before the screen is taken over.
pub fn run(settings: &Settings) -> AppResult<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::load_with(&settings.theme, no_color, &settings.colors, settings.ascii)?;
    let keymap = keymap::Keymap::with_overrides(
        settings
            .keys
            .iter()
            .map(|(action, keys)| (action.as_str(), keys.iter().map(String::as_str).collect())),
    )
    .map_err(AppError::input)?
    .with_ascii_labels(settings.ascii);
    let db = crate::clinic::open_clinic(settings)?;
    let mut state = initial_state(&db, settings)?;
    state.keymap = keymap;
    state.idle_lock_minutes = settings.idle_lock_minutes;
    state.progress.billing_rule = settings.billing_rule;

    let (reply_tx, reply_rx) = mpsc::unbounded_channel();
    daily_backup(settings, db.path().to_path_buf(), reply_tx.clone());
    sender::start(settings, db.path().to_path_buf(), reply_tx.clone());
    // Read on this connection: a second one only when there is a model to fit.
    let today = settings.clock.today();
    if db
        .stored_no_show_model()
        .is_ok_and(|m| m.is_none_or(|m| !m.is_fresh(today)))
    {
        refit_no_show_model(settings, db.path().to_path_buf());
    }
    let worker = Worker::new(db, settings.user.clone(), settings.clock);
    let poll_pending = worker.poll_flag();
    let (requests, worker) = worker
        .spawn(reply_tx)
        .map_err(|e| AppError::failure(format!("cannot start the database thread: {e}")))?;

    let mut term = terminal::enter()
        .map_err(|e| AppError::failure(format!("cannot use this terminal: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::failure(format!("cannot start: {e}")));
    let result = runtime.and_then(|rt| {
        rt.block_on(event_loop(
            &mut term,
            &mut state,
            &theme,
            settings,
            &requests,
            reply_rx,
            &poll_pending,
        ))
    });
    terminal::restore();
    // Queued writes finish before the process ends (within a bound).
    drop(requests);
    finish_writes(worker);
    result
}

/// The first screen's state: who is using the app and today's visits, read before the first
/// frame so that it is a full one.
pub fn initial_state(db: &crate::db::Db, settings: &Settings) -> AppResult<AppState> {
    let today = settings.clock.today();
    let staff = db.staff()?;
    // The first frame shows the visits at once; their flags follow with the first reload.
    let visits = db.day_without_flags(today)?;
    let info = ClinicInfo {
        user: settings.user.clone(),
        db_path: db.path_text(),
        demo: settings.db.is_demo() || db.meta("demo")?.as_deref() == Some("1"),
        fixed_today: settings.clock.is_fixed(),
        me: staff.iter().find(|s| s.is_user(&settings.user)).cloned(),
        acting: db.acting(&settings.user)?,
    };
    let now = settings.clock.now();
    let sites = db.sites()?;
    let site_view = sites
        .view(settings.site.as_deref())
        .map_err(|e| AppError::input(format!("the terminal's site: {e}")))?;
    let mut state = AppState::new(info, today, now);
    // `--site all` at a terminal of a one-site clinic still books at that site.
    state.schedule.home_site = sites
        .pick(settings.site.as_deref())
        .or_else(|_| sites.pick(None))
        .ok()
        .map(|s| s.id);
    state.schedule.site_view = site_view;
    state.schedule.sites = sites;
    state.staff = staff;
    state.set_day(today, visits, crate::clock::stamp(now));
    if db.damage().is_some() {
        state.say(state::Level::Error, crate::db::DAMAGED_MESSAGE);
    }
    Ok(state)
}

/// Draws a frame and hands what its layout decided back to `update`, as the event loop does
/// (for tests and benchmarks on any backend).
pub fn draw_frame<B: ratatui::backend::Backend>(
    term: &mut ratatui::Terminal<B>,
    state: &mut AppState,
    theme: &Theme,
) -> Result<(), B::Error> {
    let mut learned = event::Learned::default();
    term.draw(|f| learned = view::draw(f, state, theme))?;
    update(state, Event::Drawn(learned));
    Ok(())
}

/// Waits for the database thread to carry out the writes already queued, but not forever: on a
/// dead network drive it could wait for minutes, and a closed SSH session must not leave the
/// process behind. What could not be written was already reported as busy or unreachable.
fn finish_writes(worker: std::thread::JoinHandle<()>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(25);
    while !worker.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if worker.is_finished() {
        let _ = worker.join();
    } else {
        eprintln!(
            "ptclinic: the clinic database did not answer in time; changes not confirmed on screen may not be saved"
        );
    }
}

/// Carries out what `update` asked for.
/// Carries out what `update` asked for. A poll is dropped while another still waits for the
/// database thread (a long write or a dead drive holds it), so polls never pile up.
fn run_effects(
    term: &mut terminal::Term,
    settings: &Settings,
    requests: &std::sync::mpsc::Sender<Request>,
    poll_pending: &std::sync::atomic::AtomicBool,
    effects: Vec<Effect>,
) -> AppResult<()> {
    for effect in effects {
        match effect {
            Effect::Db(Request::Poll(_))
                if poll_pending.swap(true, std::sync::atomic::Ordering::AcqRel) => {}
            Effect::Db(request) => requests.send(request).map_err(|_| {
                AppError::failure(
                    "the database thread stopped unexpectedly; nothing more can be saved",
                )
            })?,
            Effect::Notify(text) => notify::send(settings.notify, &text, term.backend_mut()),
        }
    }
    Ok(())
}

/// With a backup folder configured, the first terminal started on a day makes that day's
/// backup, on its own connection and thread; the result comes back as a message.
fn daily_backup(
    settings: &Settings,
    db_path: std::path::PathBuf,
    replies: mpsc::UnboundedSender<Reply>,
) {
    let Some(dir) = settings.backup_dir.clone() else {
        return;
    };
    let (today, now, keep) = (
        settings.clock.today(),
        settings.clock.now(),
        settings.backup_keep,
    );
    if crate::db::backup::has_backup_on(&dir, today) {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("ptclinic-backup".into())
        .spawn(move || {
            let result = crate::db::open_existing(&db_path).and_then(|db| {
                crate::db::backup::backup(
                    &db,
                    &dir,
                    keep,
                    now,
                    crate::db::backup::Folder::MustExist,
                    None,
                )
            });
            let _ = replies.send(match result {
                Ok(made) => Reply::Note(format!(
                    "today's backup is done: {}",
                    crate::sanitize::path_for_message(&made.path)
                )),
                Err(e) => Reply::Failed {
                    asked: crate::db::worker::Asked {
                        by: crate::db::worker::Asker::Background,
                        write: false,
                    },
                    error: AppError::failure(format!("backup failed: {}", e.message)),
                },
            });
        });
}

/// The no-show model is refitted when it is a week old, by the first terminal that starts
/// after that, on its own connection and thread (a second or two on the ten-year clinic); the
/// visits' risks change with it in the same transaction, and every terminal's schedule shows
/// them at its next refresh.
fn refit_no_show_model(settings: &Settings, db_path: std::path::PathBuf) {
    let (clock, user) = (settings.clock, settings.user.clone());
    let _ = std::thread::Builder::new()
        .name("ptclinic-no-show-model".into())
        .spawn(move || {
            if let Ok(mut db) = crate::db::open_existing(&db_path) {
                let at = crate::clock::stamp(clock.now());
                let _ = db.no_show_model(crate::db::Who {
                    user: &user,
                    at: &at,
                });
            }
        });
}

async fn event_loop(
    term: &mut terminal::Term,
    state: &mut AppState,
    theme: &Theme,
    settings: &Settings,
    requests: &std::sync::mpsc::Sender<Request>,
    mut replies: mpsc::UnboundedReceiver<Reply>,
    poll_pending: &std::sync::atomic::AtomicBool,
) -> AppResult<()> {
    let io = |e: std::io::Error| AppError::failure(format!("terminal error: {e}"));
    let mut events = EventStream::new();
    let mut signals = Signals::new()?;
    // One slow timer: it polls for other terminals' changes and moves the clock. It causes a
    // redraw only when something visible changed.
    let mut second = tokio::time::interval(Duration::from_secs(1));
    second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut dirty = true;
    state.flags_to_load = true;
    loop {
        if dirty {
            let mut learned = event::Learned::default();
            terminal::draw(term, |f| learned = view::draw(f, state, theme)).map_err(io)?;
            let effects = update(state, Event::Drawn(learned));
            run_effects(term, settings, requests, poll_pending, effects)?;
            dirty = false;
        }
        if state.quit {
            return Ok(());
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(key))) => {
                    let effects = update(state, Event::Key(key));
                    run_effects(term, settings, requests, poll_pending, effects)?;
                    dirty = true;
                }
                Some(Ok(TermEvent::Paste(text))) => {
                    let effects = update(state, Event::Paste(text));
                    run_effects(term, settings, requests, poll_pending, effects)?;
                    dirty = true;
                }
                Some(Ok(TermEvent::Resize(..))) => {
                    term.autoresize().map_err(io)?;
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(io(e)),
                None => return Ok(()),
            },
            Some(reply) = replies.recv() => {
                // Take everything that is ready, then draw once.
                let mut next = Some(reply);
                while let Some(reply) = next {
                    dirty |= !matches!(reply, Reply::Quiet);
                    let effects = update(state, Event::Reply(reply));
                    run_effects(term, settings, requests, poll_pending, effects)?;
                    next = replies.try_recv().ok();
                }
            }
            _ = second.tick() => {
                let seen = |s: &AppState| (s.now.format("%H:%M").to_string(), s.is_waiting(), s.locked);
                let before = seen(state);
                let effects = update(state, Event::Tick(settings.clock.now()));
                run_effects(term, settings, requests, poll_pending, effects)?;
                dirty |= before != seen(state);
            }
            _ = signals.recv() => return Ok(()),
        }
    }
}

/// SIGTERM and SIGHUP (a closed SSH session) end the app cleanly.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> AppResult<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let fail = |e: std::io::Error| AppError::failure(format!("cannot listen for signals: {e}"));
        Ok(Self {
            term: signal(SignalKind::terminate()).map_err(fail)?,
            hup: signal(SignalKind::hangup()).map_err(fail)?,
        })
    }

    #[cfg(unix)]
    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
    }

    #[cfg(not(unix))]
    fn new() -> AppResult<Self> {
        Ok(Self {})
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) {
        std::future::pending::<()>().await
    }
}

#[cfg(test)]
pub mod fixtures;
#[cfg(test)]
mod rebinding_tests;
#[cfg(test)]
mod roles_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod view_tests;

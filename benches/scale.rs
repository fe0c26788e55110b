//! Issue 8: the clinic day's hot paths on the default demo clinic and on the large ten-year
//! clinic (30 therapists, 20,000 patients, 520 weeks back, 8 ahead: about 930,000 visits).
//! The large clinic is built once into `target/bench-data/` and reused (see `common`).
//!
//! Criterion times: the day's schedule query (with its flags), the flags alone, loading a
//! patient's progress, a full frame at 80x24 and 120x40, a selection move, a check-in commit.
//! Then "any key to a drawn frame": a round of representative keys, each carried through
//! `update`, the database work it asks for (done synchronously here, on the same thread,
//! which is slower than the app, where the frame is drawn before the reply arrives) and a
//! draw on a `TestBackend`; p50, p99 and max are printed.
//!
//! `cargo bench --bench scale`; one clinic: `PTCLINIC_BENCH_CLINIC=large cargo bench --bench scale`.

mod common;

use std::collections::VecDeque;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Clinic, percentiles, settings, today};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ptclinic::clock::Clock;
use ptclinic::db::Who;
use ptclinic::db::schedule::StatusChange;
use ptclinic::db::testing::{self, Table};
use ptclinic::db::worker::Worker;
use ptclinic::domain::AppointmentStatus;
use ptclinic::domain::appointment::Visit;
use ptclinic::tui::event::{Effect, Event};
use ptclinic::tui::state::AppState;
use ptclinic::tui::theme::Theme;
use ptclinic::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The app on a test backend with its database worker run synchronously.
struct App {
    state: AppState,
    worker: Worker,
    term: Terminal<TestBackend>,
    theme: Theme,
}

impl App {
    fn new(path: &Path, w: u16, h: u16) -> App {
        let db = ptclinic::db::open_existing(path).unwrap();
        let state = ptclinic::tui::initial_state(&db, &settings(path, "front-desk")).unwrap();
        let worker = Worker::new(db, "bench".into(), Clock::fixed(today()));
        let mut app = App {
            state,
            worker,
            term: Terminal::new(TestBackend::new(w, h)).unwrap(),
            theme: Theme::load("default", false).unwrap(),
        };
        app.draw();
        app
    }

    /// A key through `update`, every database request it leads to, then one frame.
    fn key(&mut self, key: KeyEvent) {
        let mut effects: VecDeque<Effect> = update(&mut self.state, Event::Key(key)).into();
        while let Some(effect) = effects.pop_front() {
            if let Effect::Db(request) = effect {
                let reply = self.worker.handle(request);
                effects.extend(update(&mut self.state, Event::Reply(reply)));
            }
        }
        self.draw();
    }

    fn draw(&mut self) {
        let (state, theme) = (&mut self.state, &self.theme);
        ptclinic::tui::draw_frame(&mut self.term, state, theme).unwrap();
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// The patient on today's schedule with the longest history: the slowest progress to load.
fn busiest_patient(db: &ptclinic::db::Db, visits: &[Visit]) -> i64 {
    visits
        .iter()
        .map(|v| {
            let n = testing::visits_of_patient(db, v.patient_id).unwrap().len();
            (n, v.patient_id)
        })
        .max()
        .unwrap()
        .1
}

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let path = clinic.path();
    let db = ptclinic::db::open_existing(&path).unwrap();
    let visits = db.day(today()).unwrap();
    let patient = busiest_patient(&db, &visits);
    let history = testing::visits_of_patient(&db, patient).unwrap().len();
    let total = testing::rows(&db, Table::Appointments).unwrap();
    println!(
        "{label} clinic: {total} visits; today {} visits; progress bench patient {patient} has {history} visits",
        visits.len()
    );

    c.bench_function(&format!("day query ({label})"), |b| {
        b.iter(|| black_box(db.day(today()).unwrap()))
    });
    let mut bare = visits.clone();
    c.bench_function(&format!("flags for a day ({label})"), |b| {
        b.iter(|| {
            db.fill_day_flags(today(), &mut bare).unwrap();
            black_box(&bare);
        })
    });
    c.bench_function(&format!("progress of a patient ({label})"), |b| {
        b.iter(|| black_box(db.progress(patient, today()).unwrap()))
    });

    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = App::new(&path, w, h);
        c.bench_function(&format!("full frame {w}x{h} ({label})"), |b| {
            b.iter(|| app.draw())
        });
    }

    // Writes (the audit row of an opened record, check-ins) go to a private copy.
    let dir = tempfile::tempdir().unwrap();
    let copy = clinic.copy(dir.path());

    for (pane, keys) in [("schedule", vec![]), ("progress", vec![ch('2')])] {
        let mut app = App::new(&copy, 80, 24);
        for k in keys {
            app.key(k);
        }
        let mut flip = false;
        c.bench_function(
            &format!("selection move, {pane} pane, 80x24 ({label})"),
            |b| {
                b.iter(|| {
                    flip = !flip;
                    app.key(if flip { ch('j') } else { ch('k') });
                })
            },
        );
    }

    let mut wdb = ptclinic::db::open_existing(&copy).unwrap();
    let visit = visits
        .iter()
        .find(|v| v.status == AppointmentStatus::Scheduled)
        .unwrap()
        .id;
    c.bench_function(&format!("check-in commit and undo ({label})"), |b| {
        b.iter(|| {
            let who = Who {
                user: "bench",
                at: "2026-11-27T09:00:00",
            };
            let change = wdb
                .set_status(visit, None, AppointmentStatus::CheckedIn, None, who)
                .unwrap();
            if let StatusChange::Changed { previous, visit } = change {
                let who = Who {
                    user: "bench",
                    at: "2026-11-27T09:00:01",
                };
                wdb.restore_status(visit.id, visit.version, &previous, who)
                    .unwrap();
            }
        })
    });

    // Any key to a drawn frame: moves, pages, day changes (the day reloaded from the record),
    // pane switches, each on both panes that show a patient.
    let round: Vec<KeyEvent> = [
        ch('j'),
        ch('j'),
        ch('j'),
        ch('k'),
        key(KeyCode::PageDown),
        key(KeyCode::PageUp),
        ch('G'),
        ch('g'),
        ch(']'),
        ch('j'),
        ch('['),
        ch('2'),
        ch('j'),
        ch('k'),
        ch('3'),
        ch('j'),
        key(KeyCode::Tab),
        ch('1'),
        ch('['),
        ch('t'),
    ]
    .into();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = App::new(&copy, w, h);
        let mut samples: Vec<Duration> = Vec::new();
        for _ in 0..3 {
            for k in &round {
                app.key(*k);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            for k in &round {
                let started = Instant::now();
                app.key(*k);
                samples.push(started.elapsed());
            }
        }
        let (p50, p99, max) = percentiles(&mut samples);
        println!(
            "any key to a drawn frame {w}x{h} ({label}): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {} keys",
            samples.len()
        );
    }
}

fn benches(c: &mut Criterion) {
    for which in Clinic::ALL {
        if !common::wanted(which) {
            continue;
        }
        clinic(c, which);
    }
}

criterion_group!(scale, benches);
criterion_main!(scale);

//! The clinic day's hot paths on the demo clinic: the day query, a full frame at 80x24 and
//! 120x40, a key in the schedule to a drawn frame, a check-in commit, and building the demo.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ptclinic::clock::Clock;
use ptclinic::config::{DbChoice, Settings};
use ptclinic::db::Who;
use ptclinic::demo::{self, DemoOptions};
use ptclinic::domain::AppointmentStatus;
use ptclinic::tui::event::Event;
use ptclinic::tui::state::AppState;
use ptclinic::tui::theme::Theme;
use ptclinic::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn settings(path: &Path, user: &str) -> Settings {
    Settings {
        db: DbChoice::Named(path.to_path_buf()),
        user: user.into(),
        site: None,
        theme: "default".into(),
        clock: Clock::fixed(today()),
        config_path: None,
        backup_dir: None,
        backup_keep: 30,
        notify: ptclinic::config::Notify::Off,
        default_backup_dir: path.with_extension("backups"),
        idle_lock_minutes: 0,
        ascii: false,
        billing_rule: Default::default(),
        keys: Vec::new(),
        colors: toml::Table::new(),
        transports: Default::default(),
    }
}

fn state(path: &Path) -> AppState {
    let db = ptclinic::db::open_existing(path).unwrap();
    ptclinic::tui::initial_state(&db, &settings(path, "front-desk")).unwrap()
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    demo::build(&path, false, &DemoOptions::default(), today()).unwrap();
    let theme = Theme::load("default", false).unwrap();

    let db = ptclinic::db::open_existing(&path).unwrap();
    c.bench_function("day query (demo)", |b| {
        b.iter(|| black_box(db.day(today()).unwrap()))
    });

    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = state(&path);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("full frame {w}x{h} (demo)"), |b| {
            b.iter(|| {
                ptclinic::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
            })
        });
    }

    let mut s = state(&path);
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let down = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    let up = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE);
    let mut flip = false;
    c.bench_function("key to frame: selection move 80x24 (demo)", |b| {
        b.iter(|| {
            flip = !flip;
            update(&mut s, Event::Key(if flip { down } else { up }));
            ptclinic::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
        })
    });

    let mut db = ptclinic::db::open_existing(&path).unwrap();
    let visit = db
        .day(today())
        .unwrap()
        .into_iter()
        .find(|v| v.status == AppointmentStatus::Scheduled)
        .unwrap();
    c.bench_function("check-in commit and undo (demo)", |b| {
        b.iter(|| {
            let who = Who {
                user: "bench",
                at: "2026-11-27T09:00:00",
            };
            let change = db
                .set_status(visit.id, None, AppointmentStatus::CheckedIn, None, who)
                .unwrap();
            if let ptclinic::db::schedule::StatusChange::Changed { previous, visit } = change {
                let who = Who {
                    user: "bench",
                    at: "2026-11-27T09:00:01",
                };
                db.restore_status(visit.id, visit.version, &previous, who)
                    .unwrap();
            }
        })
    });

    // The once-a-second refresh poll when no other terminal changed anything.
    let worker_db = ptclinic::db::open_existing(&path).unwrap();
    let mut worker =
        ptclinic::db::worker::Worker::new(worker_db, "bench".into(), Clock::fixed(today()));
    worker.handle(ptclinic::db::worker::Request::Poll(today()));
    c.bench_function("refresh poll, nothing changed (demo)", |b| {
        b.iter(|| black_box(worker.handle(ptclinic::db::worker::Request::Poll(today()))))
    });

    let mut group = c.benchmark_group("demo build");
    group.sample_size(10);
    group.bench_function("ptclinic demo, defaults", |b| {
        b.iter(|| {
            let out = dir.path().join("again.db");
            demo::build(&out, true, &DemoOptions::default(), today()).unwrap();
        })
    });
    group.finish();
}

criterion_group!(clinic_day, benches);
criterion_main!(clinic_day);

//! The week view on each clinic (issue 16: drawn in under 5 ms of work on the ten-year
//! clinic): the week's one query, and the week taken in and drawn at 80x24 (one therapist's
//! week) and 120x40 (the therapists side by side on a day), and the two together.
//!
//! `cargo bench --bench week_view` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only)

mod common;

use std::hint::black_box;

use chrono::Duration;
use common::{Clinic, settings, today};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ptclinic::db::worker::Reply;
use ptclinic::tui::event::Event;
use ptclinic::tui::state::AppState;
use ptclinic::tui::theme::Theme;
use ptclinic::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn press(s: &mut AppState, c: char) {
    update(
        s,
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
}

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let path = clinic.path();
    let db = ptclinic::db::open_existing(&path).unwrap();
    let monday = today() - Duration::days(4);
    let visits = db.week(monday).unwrap();
    let calendar = db.clinic_calendar().unwrap();
    println!(
        "{label} clinic: the week of {monday} has {} visits",
        visits.len()
    );
    c.bench_function(&format!("week query, {label}"), |b| {
        b.iter(|| black_box(db.week(monday).unwrap()))
    });
    let week_reply = |visits: Vec<_>| {
        Event::Reply(Reply::Week {
            monday,
            visits,
            calendar: calendar.clone(),
            loaded_at: "2026-11-27T09:00:00".into(),
        })
    };
    let theme = Theme::load("default", false).unwrap();
    for (w, h, layout) in [(80, 24, false), (120, 40, true)] {
        let mut s = ptclinic::tui::initial_state(&db, &settings(&path, "front-desk")).unwrap();
        press(&mut s, 'w');
        update(&mut s, week_reply(visits.clone()));
        if layout {
            press(&mut s, 'v');
        }
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("week drawn {w}x{h}, {label}"), |b| {
            b.iter(|| ptclinic::tui::draw_frame(&mut term, &mut s, &theme).unwrap())
        });
        c.bench_function(
            &format!("week queried, taken in and drawn {w}x{h}, {label}"),
            |b| {
                b.iter(|| {
                    let fresh = db.week(monday).unwrap();
                    update(&mut s, week_reply(fresh));
                    ptclinic::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
                })
            },
        );
    }
}

fn benches(c: &mut Criterion) {
    for which in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(which) {
            continue;
        }
        clinic(c, which);
    }
}

criterion_group!(week_view, benches);
criterion_main!(week_view);

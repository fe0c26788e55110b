//! Pane 4's flows as pure functions (keys in, requests and state out), and what it looks like.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use crossterm::event::KeyCode;

use super::PeriodKind;
use crate::db::clinic_work::{ClinicReply, ClinicRequest, PatientLabel};
use crate::db::outcomes::OutcomeRead;
use crate::db::worker::{Reply, Request};
use crate::domain::VisitKind;
use crate::domain::measures::{BodyRegion, MEASURES};
use crate::domain::no_show::Attendance;
use crate::domain::outcomes::episodes::{OutcomePoint, OutcomeVisit, PatientOutcomeInput};
use crate::domain::outcomes::{Episode, episodes_of};
use crate::tui::event::Event;
use crate::tui::fixtures::{self, key, requests, screen_text, state_for};
use crate::tui::state::{AppState, Level};
use crate::tui::theme::Theme;
use crate::tui::update::update;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A finished episode of therapist `t`: evaluation, treatment, discharge 28 days later on
/// `end`, LEFS (knee) or ODI (lumbar) from `a` to `b`.
fn episode(patient: i64, t: i64, region: BodyRegion, a: f64, b: f64, end: NaiveDate) -> Episode {
    let start = end - Duration::days(28);
    let code = region.regional_measure().unwrap();
    let visit = |n: i64, day, kind| OutcomeVisit {
        id: patient * 10 + n,
        therapist_id: t,
        day,
        kind,
        attendance: Attendance::Attended,
    };
    let input = PatientOutcomeInput {
        patient_id: patient,
        date_of_birth: Some(d("1965-03-01")),
        region: Some(region),
        payer: Some("Aetna".into()),
        visits: vec![
            visit(1, start, VisitKind::Evaluation),
            visit(2, start + Duration::days(14), VisitKind::Treatment),
            visit(3, end, VisitKind::Discharge),
        ],
        points: vec![
            OutcomePoint {
                code: code.into(),
                date: start,
                value: a,
            },
            OutcomePoint {
                code: code.into(),
                date: end,
                value: b,
            },
        ],
        ..Default::default()
    };
    episodes_of(&input, MEASURES, end).remove(0)
}

/// Ana Ruiz (1): 14 knee episodes, 10 reaching LEFS's MCID; Ben Okafor (2): 6 lumbar, 2 of
/// them reaching ODI's. All ended in November 2026, one in October.
fn clinic() -> (Arc<OutcomeRead>, Arc<HashMap<i64, PatientLabel>>) {
    let mut episodes = Vec::new();
    let mut labels = HashMap::new();
    for p in 0..20 {
        let end = d("2026-11-02") + Duration::days(p % 20);
        let e = if p < 14 {
            let gain = if p < 10 { 15.0 } else { 4.0 };
            episode(p, 1, BodyRegion::Knee, 30.0, 30.0 + gain, end)
        } else {
            let fall = if p < 16 { 14.0 } else { 4.0 };
            episode(p, 2, BodyRegion::Lumbar, 50.0, 50.0 - fall, end)
        };
        episodes.push(e);
        labels.insert(
            p,
            PatientLabel {
                name: format!("Patient{p:02}, Test"),
                mrn: format!("9{p:05}"),
            },
        );
    }
    episodes.push(episode(
        99,
        1,
        BodyRegion::Knee,
        30.0,
        50.0,
        d("2026-10-15"),
    ));
    (
        Arc::new(OutcomeRead {
            defs: MEASURES.to_vec(),
            episodes,
        }),
        Arc::new(labels),
    )
}

/// Answers one load with the fixture clinic; returns what the pane asks next.
fn answer(s: &mut AppState, sent: &[Request]) -> Vec<Request> {
    let [Request::Clinic(ClinicRequest::Load { from, to, .. })] = sent else {
        panic!("expected one load, got {sent:?}");
    };
    let (read, patients) = clinic();
    requests(update(
        s,
        Event::Reply(Reply::Clinic(ClinicReply::Loaded {
            from: *from,
            to: *to,
            read,
            patients,
        })),
    ))
}

fn opened(user: &str) -> AppState {
    let mut s = state_for(user);
    let sent = requests(key(&mut s, KeyCode::Char('4')));
    // This month first: its table is drawn before the trend's 12 months are read.
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Clinic(ClinicRequest::Load { from, to, trend: false, .. })]
                if *from == d("2026-11-01") && *to == fixtures::day()
        ),
        "{sent:?}"
    );
    let trend = answer(&mut s, &sent);
    assert!(
        s.clinic.shown.as_ref().unwrap().trend.is_empty(),
        "no trend yet"
    );
    assert!(
        matches!(
            trend.as_slice(),
            [Request::Clinic(ClinicRequest::Load { from, to, trend: true, .. })]
                if *from == d("2025-12-01") && *to == fixtures::day()
        ),
        "{trend:?}"
    );
    assert!(answer(&mut s, &trend).is_empty());
    s
}

#[test]
fn the_month_by_therapist_with_a_therapists_own_row() {
    let s = opened("aruiz");
    let shown = s.clinic.shown.as_ref().unwrap();
    let rows = &shown.table.rows;
    assert!(shown.table.mine);
    assert_eq!(
        rows[0].episodes, 20,
        "November only: the October episode is outside"
    );
    assert_eq!(rows[1].episodes, 14, "Ana's own");
    assert_eq!(rows[1].mcid_met, 10);
    assert_eq!(rows.len(), 4, "whole, you, Ana, Ben");
    assert_eq!(rows[3].episodes, 6);
    assert!(rows[3].too_small());
    assert_eq!(rows[3].mcid_met, 2);
    // The trend covers the 12 months to the period's end: October's one episode shows.
    let trend = &shown.trend[&Vec::new()];
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[10], Some(1.0));
    assert_eq!(trend[11], Some(0.6));
}

#[test]
fn a_grouping_changes_in_memory_and_a_period_is_read() {
    let mut s = opened("dfry");
    assert!(
        !s.clinic.shown.as_ref().unwrap().table.mine,
        "the desk has no own row"
    );
    assert!(requests(key(&mut s, KeyCode::Char('b'))).is_empty());
    let rows = &s.clinic.shown.as_ref().unwrap().table.rows;
    assert_eq!(rows.len(), 3, "whole, lumbar, knee");
    let sent = requests(key(&mut s, KeyCode::Char('p')));
    assert_eq!(s.clinic.period, PeriodKind::Quarter);
    assert!(
        matches!(sent.as_slice(), [Request::Clinic(ClinicRequest::Load { to, .. })] if *to == fixtures::day()),
        "{sent:?}"
    );
    assert_eq!(s.clinic.span(s.today), (d("2026-10-01"), d("2026-11-27")));
    let sent = requests(key(&mut s, KeyCode::Char('<')));
    assert_eq!(s.clinic.span(s.today), (d("2026-07-01"), d("2026-09-30")));
    assert_eq!(sent.len(), 1);
    // The answers for the quarter left behind are not shown for this one.
    let (read, patients) = clinic();
    update(
        &mut s,
        Event::Reply(Reply::Clinic(ClinicReply::Loaded {
            from: d("2025-12-01"),
            to: d("2026-11-27"),
            read,
            patients,
        })),
    );
    assert_eq!(
        s.clinic.loaded.as_ref().unwrap().from,
        d("2026-11-01"),
        "still the month's"
    );
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("Reading the period's episodes"), "{screen}");
    key(&mut s, KeyCode::Char('>'));
    key(&mut s, KeyCode::Char('>'));
    assert!(
        matches!(&s.message, Some((Level::Info, m)) if m.contains("latest period")),
        "{:?}",
        s.message
    );
}

#[test]
fn enter_lists_a_groups_episodes_and_opens_only_a_patient_one_may_see() {
    let mut s = opened("aruiz");
    // Ben Okafor's row: his patients' names are not Ana's to see.
    key(&mut s, KeyCode::Char('G'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.clinic.drill, Some((3, 0)));
    let screen = screen_text(&mut s, 100, 30, &theme());
    assert!(screen.contains("BO's patient"), "{screen}");
    assert!(!screen.contains("Patient1"), "{screen}");
    assert!(requests(key(&mut s, KeyCode::Enter)).is_empty());
    assert!(matches!(&s.message, Some((Level::Info, m)) if m.contains("another therapist")));
    // Back, up to her own row: her patients open in their record.
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.clinic.drill, None);
    key(&mut s, KeyCode::Char('g'));
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Enter);
    let screen = screen_text(&mut s, 100, 30, &theme());
    assert!(screen.contains("Patient"), "{screen}");
    let sent = requests(key(&mut s, KeyCode::Enter));
    // The latest of her episodes, patient 13's, ended on 15 November at visit 133.
    assert!(
        matches!(sent.as_slice(), [Request::LoadDay(day)] if *day == d("2026-11-15")),
        "{sent:?}"
    );
    assert_eq!(s.pane, crate::tui::state::Pane::Progress);
    assert_eq!(s.schedule.selected, Some(133));
    let day = crate::domain::appointment::Visit {
        id: 133,
        patient_id: 13,
        ..fixtures::visits()[0].clone()
    };
    let sent = requests(update(
        &mut s,
        Event::Reply(Reply::Day {
            day: d("2026-11-15"),
            visits: vec![day],
            loaded_at: "2026-11-27T09:42:00".into(),
        }),
    ));
    assert!(
        sent.iter().any(|r| matches!(
            r,
            Request::Progress(crate::db::progress_work::ProgressRequest::Load {
                patient_id: 13,
                opened: true,
                ..
            })
        )),
        "pane 2 loads the episode's patient: {sent:?}"
    );
}

#[test]
fn the_clinic_pane_at_80x24_and_120x40() {
    let mut s = opened("aruiz");
    let text = screen_text(&mut s, 80, 24, &theme());
    insta::assert_snapshot!("clinic_80x24", text);
    let wide = screen_text(&mut s, 120, 40, &theme());
    insta::assert_snapshot!("clinic_120x40", wide);
    key(&mut s, KeyCode::Char('G'));
    key(&mut s, KeyCode::Up);
    key(&mut s, KeyCode::Enter);
    let drill = screen_text(&mut s, 80, 24, &theme());
    insta::assert_snapshot!("clinic_episodes_80x24", drill);
}

fn theme() -> Theme {
    Theme::load("default", false).unwrap()
}

/// `c` takes a period as people type dates; what cannot be read stays typed with one sentence.
#[test]
fn a_period_is_typed_and_a_wrong_one_says_why() {
    let mut s = opened("dfry");
    key(&mut s, KeyCode::Char('c'));
    for c in "1 mar to 1 jan".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    assert!(requests(key(&mut s, KeyCode::Enter)).is_empty());
    let screen = screen_text(&mut s, 80, 24, &theme());
    assert!(screen.contains("is after its end"), "{screen}");
    assert!(
        screen.contains("1 mar to 1 jan"),
        "what was typed stays: {screen}"
    );
    for _ in 0.."1 jan".len() {
        key(&mut s, KeyCode::Backspace);
    }
    for c in "31 mar".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let sent = requests(key(&mut s, KeyCode::Enter));
    assert!(s.clinic.prompt.is_none());
    assert_eq!(s.clinic.span(s.today), (d("2026-03-01"), d("2026-03-31")));
    assert!(
        matches!(sent.as_slice(), [Request::Clinic(ClinicRequest::Load { from, .. })] if *from == d("2026-03-01")),
        "{sent:?}"
    );
    // Earlier steps back by the period's own length.
    key(&mut s, KeyCode::Char('<'));
    assert_eq!(s.clinic.span(s.today), (d("2026-01-29"), d("2026-02-28")));
    // Esc closes a prompt without changing the period.
    key(&mut s, KeyCode::Char('c'));
    key(&mut s, KeyCode::Esc);
    assert!(s.clinic.prompt.is_none());
    assert_eq!(s.clinic.span(s.today).0, d("2026-01-29"));
}

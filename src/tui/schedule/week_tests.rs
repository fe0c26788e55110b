//! The week view through the app's `update`, as the front desk uses it, and its snapshots.

use chrono::NaiveDate;
use crossterm::event::KeyCode;

use crate::db::worker::{Reply, Request};
use crate::domain::AppointmentStatus;
use crate::tui::event::Event;
use crate::tui::fixtures::{self, key, open_week, press_action, requests, state_for};
use crate::tui::keymap::Action;
use crate::tui::update::update;

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn screen(s: &mut crate::tui::state::AppState, w: u16, h: u16) -> String {
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    fixtures::screen_text(s, w, h, &theme)
}

#[test]
fn w_asks_for_the_week_in_one_request_and_back_for_the_day() {
    let mut s = state_for("dfry");
    let sent = requests(key(&mut s, KeyCode::Char('w')));
    assert!(
        matches!(sent.as_slice(), [Request::LoadWeek(Some(m))] if *m == date(11, 23)),
        "{sent:?}"
    );
    assert!(screen(&mut s, 80, 24).contains("Loading the week"));
    update(
        &mut s,
        Event::Reply(Reply::Week {
            monday: date(11, 23),
            visits: fixtures::week_visits(),
            calendar: fixtures::week_calendar(),
            loaded_at: "x".into(),
        }),
    );
    // The visit selected in the day stays selected, and the week is its therapist's.
    assert_eq!(s.selected_visit().unwrap().id, 1);
    let week = s.schedule.week.as_ref().unwrap();
    assert_eq!(week.therapist, Some(1));
    press_action(&mut s, Action::Down);
    assert_eq!(
        s.selected_visit().unwrap().id,
        2,
        "AR's next visit that day"
    );
    let sent = requests(key(&mut s, KeyCode::Char('w')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::LoadWeek(None), Request::LoadDay(d)] if *d == fixtures::day()
        ),
        "{sent:?}"
    );
    assert!(s.schedule.week.is_none());
    assert_eq!(
        s.selected_visit().unwrap().id,
        2,
        "the day opens on the week's visit"
    );
}

#[test]
fn days_and_therapists_change_with_the_selection_kept_near_in_time() {
    let mut s = state_for("dfry");
    open_week(&mut s);
    press_action(&mut s, Action::Last);
    assert_eq!(s.selected_visit().unwrap().id, 8, "AR's 13:15");
    // Back a day: Thursday is closed and empty; then Wednesday; Tuesday has the 09:00.
    let sent = requests(key(&mut s, KeyCode::Left));
    assert!(matches!(sent.as_slice(), [Request::LoadDay(d)] if *d == date(11, 26)));
    assert!(s.selected_visit().is_none());
    key(&mut s, KeyCode::Left);
    key(&mut s, KeyCode::Left);
    assert_eq!(s.selected_visit().unwrap().id, 23);
    // Monday's visit nearest 09:00 is the 08:00 (an hour off) rather than the 10:00.
    key(&mut s, KeyCode::Left);
    assert_eq!(s.selected_visit().unwrap().id, 21);
    // Before Monday is the week before: it is asked for.
    let sent = requests(key(&mut s, KeyCode::Left));
    assert!(
        sent.iter()
            .any(|r| matches!(r, Request::LoadWeek(Some(m)) if *m == date(11, 16)))
            && sent
                .iter()
                .any(|r| matches!(r, Request::LoadDay(d) if *d == date(11, 22))),
        "{sent:?}"
    );
    let sent = requests(key(&mut s, KeyCode::Char('t')));
    assert!(
        sent.iter()
            .any(|r| matches!(r, Request::LoadWeek(Some(m)) if *m == date(11, 23))),
        "{sent:?}"
    );
    // A week already left is dropped when it arrives.
    update(
        &mut s,
        Event::Reply(Reply::Week {
            monday: date(11, 16),
            visits: Vec::new(),
            calendar: fixtures::week_calendar(),
            loaded_at: "x".into(),
        }),
    );
    let week = s.schedule.week.as_ref().unwrap();
    assert_eq!(
        week.loaded,
        Some(date(11, 23)),
        "the week shown was already in"
    );
    assert!(week.visits.iter().any(|v| v.id == 25));
    update(
        &mut s,
        Event::Reply(Reply::Week {
            monday: date(11, 23),
            visits: fixtures::week_visits(),
            calendar: fixtures::week_calendar(),
            loaded_at: "x".into(),
        }),
    );
    assert_eq!(s.selected_visit().unwrap().start.date(), fixtures::day());
    press_action(&mut s, Action::WeekTherapist);
    let week = s.schedule.week.as_ref().unwrap();
    assert_eq!(week.therapist, Some(2), "BO's week");
    assert_eq!(s.selected_visit().unwrap().therapist_initials, "BO");
}

#[test]
fn the_day_keys_act_on_the_visit_selected_in_the_week() {
    let mut s = state_for("dfry");
    open_week(&mut s);
    key(&mut s, KeyCode::Right);
    assert_eq!(s.selected_visit().unwrap().id, 25, "Saturday's 09:00");
    key(&mut s, KeyCode::Left);
    assert_eq!(s.selected_visit().unwrap().id, 2, "Friday's 09:00");
    press_action(&mut s, Action::Down);
    let v = s.selected_visit().unwrap().clone();
    assert_eq!(v.id, 5);
    let sent = requests(key(&mut s, KeyCode::Char('c')));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::SetStatus {
                id: 5,
                to: AppointmentStatus::CheckedIn,
                ..
            }]
        ),
        "{sent:?}"
    );
    // The answer shows in the week at once.
    let mut after = v.clone();
    after.status = AppointmentStatus::CheckedIn;
    after.version = 2;
    update(
        &mut s,
        Event::Reply(Reply::StatusChanged(
            crate::db::schedule::StatusChange::Changed {
                previous: crate::domain::appointment::StatusSnapshot {
                    status: AppointmentStatus::Scheduled,
                    status_changed_at: None,
                    checked_in_at: None,
                    cancel_reason: None,
                },
                visit: after,
            },
        )),
    );
    assert_eq!(
        s.selected_visit().unwrap().status,
        AppointmentStatus::CheckedIn
    );
    press_action(&mut s, Action::Cancel);
    assert!(screen(&mut s, 80, 24).contains("Cancel 10:00"));
}

#[test]
fn my_week_and_the_layout_key() {
    let mut s = state_for("aruiz");
    open_week(&mut s);
    assert_eq!(s.schedule.week.as_ref().unwrap().therapist, Some(1));
    press_action(&mut s, Action::WeekTherapist);
    assert!(s.message.as_ref().unwrap().1.contains("only your visits"));
    press_action(&mut s, Action::ToggleMine);
    press_action(&mut s, Action::WeekTherapist);
    assert_eq!(s.schedule.week.as_ref().unwrap().therapist, Some(2));
    press_action(&mut s, Action::WeekLayout);
    let narrow = screen(&mut s, 80, 24);
    assert!(narrow.contains("by therapist from 120"), "{narrow}");
    let wide = screen(&mut s, 120, 40);
    assert!(
        wide.contains("AR Ana Ruiz") && wide.contains("BO Ben Okafor"),
        "{wide}"
    );
}

#[test]
fn the_week_at_80x24_and_120x40() {
    let mut s = state_for("dfry");
    open_week(&mut s);
    insta::assert_snapshot!("week_at_80x24", screen(&mut s, 80, 24));
    insta::assert_snapshot!("week_at_120x40", screen(&mut s, 120, 40));
    insta::assert_snapshot!("week_at_70x20", screen(&mut s, 70, 20));
    press_action(&mut s, Action::WeekLayout);
    insta::assert_snapshot!("week_by_therapist_at_120x40", screen(&mut s, 120, 40));
}

fn go_to(s: &mut crate::tui::state::AppState, typed: &str) -> Vec<Request> {
    press_action(s, Action::GoToDate);
    fixtures::typ(s, typed);
    requests(key(s, KeyCode::Enter))
}

#[test]
fn go_to_date_takes_dates_as_people_type_them() {
    // Today is Friday 27 November 2026.
    for (typed, day) in [
        ("2026-12-08", date(12, 8)),
        ("12/8", date(12, 8)),
        ("8 dec", date(12, 8)),
        ("tomorrow", date(11, 28)),
        ("+7", date(12, 4)),
        ("mon", date(11, 30)),
    ] {
        let mut s = state_for("dfry");
        let sent = go_to(&mut s, typed);
        assert!(
            matches!(sent.as_slice(), [Request::LoadDay(d)] if *d == day),
            "{typed}: {sent:?}"
        );
        assert!(s.modal.is_none(), "{typed}");
        assert_eq!(s.schedule.day, day, "{typed}");
    }
}

#[test]
fn a_date_that_is_not_one_stays_typed_with_a_sentence() {
    let mut s = state_for("dfry");
    let sent = go_to(&mut s, "31/31");
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(s.schedule.day, fixtures::day());
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("31/31") && text.contains("! "), "{text}");
    insta::assert_snapshot!("go_to_date_refused_at_80x24", text);
    // Typing again clears the sentence; Esc closes without moving.
    fixtures::typ(&mut s, "x");
    assert!(!screen(&mut s, 80, 24).contains("! "));
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());
    assert_eq!(s.schedule.day, fixtures::day());
}

#[test]
fn go_to_date_in_the_week_moves_the_week() {
    let mut s = state_for("dfry");
    open_week(&mut s);
    let sent = go_to(&mut s, "8 dec");
    assert!(
        sent.iter()
            .any(|r| matches!(r, Request::LoadWeek(Some(m)) if *m == date(12, 7))),
        "{sent:?}"
    );
    assert_eq!(s.schedule.week.as_ref().unwrap().day, date(12, 8));
    assert!(screen(&mut s, 80, 24).contains("Loading the week"));
}

#[test]
fn the_weeks_columns_are_the_therapists_of_the_site_shown() {
    use crate::domain::sites::{SiteView, Sites};
    use fixtures::site;
    let mut s = state_for("dfry");
    // AR works at Main only, BO at North only; the fixture's week is all at Main.
    s.schedule.sites = Sites(vec![
        site(1, "Main", vec![1, 3]),
        site(2, "North", vec![2, 3]),
    ]);
    let columns = |s: &mut crate::tui::state::AppState, view: SiteView| {
        s.schedule.site_view = view;
        update(
            s,
            Event::Reply(Reply::Week {
                monday: date(11, 23),
                visits: fixtures::week_visits(),
                calendar: fixtures::week_calendar(),
                loaded_at: "x".into(),
            }),
        );
        let week = s.schedule.week.as_ref().unwrap();
        week.therapists
            .iter()
            .map(|c| c.initials.clone())
            .collect::<Vec<_>>()
    };
    press_action(&mut s, Action::WeekToggle);
    assert_eq!(
        columns(&mut s, SiteView::One(2)),
        ["BO"],
        "North's own therapist, though its week is empty"
    );
    // BO has visits at Main this week: they are shown there though BO works at North.
    assert_eq!(columns(&mut s, SiteView::One(1)), ["AR", "BO"]);
    assert_eq!(columns(&mut s, SiteView::All), ["AR", "BO"]);
    // A site no one works at yet says so, and how to put someone there.
    s.schedule.sites = Sites(vec![site(1, "Main", vec![1, 3]), site(2, "North", vec![])]);
    assert!(columns(&mut s, SiteView::One(2)).is_empty());
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("No therapist works at North yet: ptclinic site staff \"North\" --add NAME"),
        "{text}"
    );
}

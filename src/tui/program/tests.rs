//! Pane 3's flows as pure functions: keys in, state and database requests out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Focus, Overlay};
use chrono::NaiveDate;

use crate::db::program_work::{HandoutTo, ProgramReply, ProgramRequest};
use crate::db::worker::{Reply, Request};
use crate::domain::hep::{HandoutData, Program, ProgramItem, Side, VersionInfo};
use crate::tui::event::{Effect, Event};
use crate::tui::fixtures::{library, state_for};
use crate::tui::state::{AppState, Level, Pane};
use crate::tui::update::update;

fn key(s: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(s, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(s: &mut AppState, c: char) -> Vec<Effect> {
    key(s, KeyCode::Char(c))
}

fn typ(s: &mut AppState, text: &str) {
    for c in text.chars() {
        ch(s, c);
    }
}

fn program_requests(effects: Vec<Effect>) -> Vec<ProgramRequest> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(Request::Program(r)) => Some(r),
            _ => None,
        })
        .collect()
}

fn reply(s: &mut AppState, r: ProgramReply) -> Vec<Effect> {
    update(s, Event::Reply(Reply::Program(r)))
}

/// The builder open on the selected visit's patient, with an empty program loaded.
fn builder() -> (AppState, i64) {
    let mut s = state_for("aruiz");
    let sent = program_requests(ch(&mut s, '3'));
    assert_eq!(s.pane, Pane::Program);
    let patient_id = s.selected_visit().unwrap().patient_id;
    assert_eq!(
        sent,
        vec![
            ProgramRequest::Library,
            ProgramRequest::Open {
                patient_id,
                opened: true
            }
        ]
    );
    crate::tui::fixtures::answer_program_opening(&mut s, patient_id);
    (s, patient_id)
}

/// `/`, each query and Enter (the best match added), then Esc out of the search.
fn add(s: &mut AppState, queries: &[&str]) {
    ch(s, '/');
    for q in queries {
        typ(s, q);
        key(s, KeyCode::Enter);
    }
    key(s, KeyCode::Esc);
}

fn names(s: &AppState) -> Vec<String> {
    s.program
        .draft
        .as_ref()
        .unwrap()
        .items
        .iter()
        .map(|i| i.name.clone())
        .collect()
}

#[test]
fn slash_shorthand_enter_adds_with_the_default_dosage_and_s_saves_a_new_version() {
    let (mut s, patient_id) = builder();
    assert!(!s.has_unsaved_edit());
    ch(&mut s, '/');
    assert!(s.program.typing);
    typ(&mut s, "slr");
    assert_eq!(s.program.highlighted().unwrap().name, "Straight leg raise");
    key(&mut s, KeyCode::Enter);
    // The search stays open and empty for the next exercise.
    assert!(s.program.typing && s.program.query.is_empty());
    typ(&mut s, "qs");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Esc);
    assert!(!s.program.typing);
    assert_eq!(s.program.focus, Focus::Program);
    assert_eq!(names(&s), ["Straight leg raise", "Quad set"]);
    assert_eq!(
        s.program.draft.as_ref().unwrap().items[0].dosage.plain(),
        "3 sets of 10, hold 5 seconds, twice a day, 5 days a week"
    );
    assert!(s.has_unsaved_edit(), "the builder's changes are unsaved");

    let sent = program_requests(ch(&mut s, 's'));
    let [
        ProgramRequest::Save {
            patient_id: p,
            based_on: 0,
            items,
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!((*p, items.len()), (patient_id, 2));
    assert_eq!(s.pending_writes, 1);
    reply(
        &mut s,
        ProgramReply::Saved {
            patient_id,
            version: VersionInfo {
                version_no: 1,
                created_by: "aruiz".into(),
                created_at: "2026-11-27T10:00:00".into(),
                exercises: 2,
            },
        },
    );
    assert_eq!(s.pending_writes, 0);
    assert!(!s.has_unsaved_edit());
    assert_eq!(s.program.draft.as_ref().unwrap().base_version, 1);
    assert!(s.message.as_ref().unwrap().1.contains("saved version 1"));
    // Nothing changed: s says so instead of writing.
    assert!(program_requests(ch(&mut s, 's')).is_empty());
}

#[test]
fn typing_letters_in_the_search_never_triggers_commands() {
    let (mut s, _) = builder();
    ch(&mut s, '/');
    typ(&mut s, "q3sd");
    assert!(!s.quit);
    assert_eq!(s.pane, Pane::Program);
    assert_eq!(s.program.query.text(), "q3sd");
    assert!(s.program.hits.is_empty(), "no match is empty");
}

#[test]
fn the_region_key_filters_the_results() {
    let (mut s, _) = builder();
    assert_eq!(s.program.hits.len(), 6);
    ch(&mut s, 'f');
    assert_eq!(s.program.region, Some("cervical"));
    assert_eq!(s.program.hits.len(), 1);
    // While typing, Ctrl-f cycles too (a plain f is text).
    ch(&mut s, '/');
    update(
        &mut s,
        Event::Key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL)),
    );
    assert_eq!(s.program.region, Some("thoracic"));
    assert!(s.program.query.is_empty());
}

#[test]
fn move_remove_and_edit_the_dosage_inline() {
    let (mut s, _) = builder();
    add(&mut s, &["slr", "qs", "tke"]);
    assert_eq!(s.program.cursor, 2);
    ch(&mut s, 'K');
    assert_eq!(
        names(&s),
        ["Straight leg raise", "Terminal knee extension", "Quad set"]
    );
    assert_eq!(s.program.cursor, 1);
    ch(&mut s, 'k');
    assert_eq!(
        s.program.cursor, 0,
        "k moves in the program, not the schedule"
    );
    ch(&mut s, 'J');
    assert_eq!(names(&s)[1], "Straight leg raise");
    // Enter edits the dosage: sets 2, reps 15, no hold, side left.
    key(&mut s, KeyCode::Enter);
    assert!(matches!(s.program.overlay, Some(Overlay::Dosage(_))));
    key(&mut s, KeyCode::Backspace);
    ch(&mut s, '2');
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    typ(&mut s, "15");
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Backspace);
    for _ in 0..3 {
        key(&mut s, KeyCode::Tab);
    }
    ch(&mut s, 'x');
    key(&mut s, KeyCode::Enter);
    match &s.program.overlay {
        Some(Overlay::Dosage(f)) => {
            assert_eq!(f.focus, 5);
            assert!(f.error.as_ref().unwrap().contains("side"));
        }
        other => panic!("{other:?}"),
    }
    key(&mut s, KeyCode::Backspace);
    ch(&mut s, 'l');
    key(&mut s, KeyCode::Tab);
    typ(&mut s, "red band");
    key(&mut s, KeyCode::Enter);
    assert!(s.program.overlay.is_none());
    let d = &s.program.draft.as_ref().unwrap().items[1].dosage;
    assert_eq!(
        (d.sets, d.reps, d.hold_seconds, d.side, d.load.as_deref()),
        (Some(2), Some(15), None, Some(Side::Left), Some("red band"))
    );
    assert_eq!(
        d.plain(),
        "2 sets of 15, twice a day, 5 days a week, left side, with red band"
    );
    ch(&mut s, 'd');
    assert_eq!(names(&s), ["Terminal knee extension", "Quad set"]);
}

#[test]
fn e_edits_the_note_in_a_text_area() {
    let (mut s, _) = builder();
    add(&mut s, &["bridge"]);
    ch(&mut s, 'e');
    assert!(matches!(s.program.overlay, Some(Overlay::Note { .. })));
    typ(&mut s, "Squeeze glutes");
    key(&mut s, KeyCode::Enter);
    typ(&mut s, "q");
    assert!(!s.quit, "q is text in the note");
    key(&mut s, KeyCode::Esc);
    assert!(s.program.overlay.is_none());
    assert_eq!(
        s.program.draft.as_ref().unwrap().items[0].note.as_deref(),
        Some("Squeeze glutes\nq")
    );
}

#[test]
fn q_with_an_unsaved_program_asks_first() {
    let (mut s, _) = builder();
    add(&mut s, &["tke"]);
    ch(&mut s, 'q');
    assert!(s.asking_quit);
    assert!(!s.quit);
}

#[test]
fn templates_apply_and_save_and_a_long_program_warns() {
    let (mut s, _) = builder();
    ch(&mut s, 'T');
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Enter);
    assert_eq!(names(&s), ["Quad set", "Straight leg raise"]);
    // Save as a template: the first row, a name, Enter.
    ch(&mut s, 'T');
    key(&mut s, KeyCode::Enter);
    typ(&mut s, "Knee starter");
    let sent = program_requests(key(&mut s, KeyCode::Enter));
    assert!(
        matches!(sent.as_slice(), [ProgramRequest::SaveTemplate { name, items }] if name == "Knee starter" && items.len() == 2),
        "{sent:?}"
    );
    // Past eight exercises the builder warns.
    ch(&mut s, '/');
    for _ in 0..7 {
        typ(&mut s, "bridge");
        key(&mut s, KeyCode::Enter);
    }
    assert_eq!(names(&s).len(), 9);
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Warning);
    assert!(text.contains("9 exercises"), "{text}");
}

#[test]
fn adherence_is_recorded_for_the_patient_and_checked_first() {
    let (mut s, patient_id) = builder();
    ch(&mut s, 'A');
    let Some(Overlay::Adherence(form)) = &s.program.overlay else {
        panic!("no adherence form")
    };
    assert_eq!(form.prescribed.text(), "7");
    typ(&mut s, "9");
    assert!(program_requests(key(&mut s, KeyCode::Enter)).is_empty());
    key(&mut s, KeyCode::Backspace);
    ch(&mut s, '3');
    let sent = program_requests(key(&mut s, KeyCode::Enter));
    assert_eq!(
        sent,
        vec![ProgramRequest::Adherence {
            patient_id,
            on: s.today,
            done: 3,
            prescribed: 7
        }]
    );
}

#[test]
fn a_stale_save_keeps_the_changes_and_the_next_s_saves_on_top() {
    let (mut s, patient_id) = builder();
    add(&mut s, &["slr"]);
    ch(&mut s, 's');
    reply(
        &mut s,
        ProgramReply::Stale {
            patient_id,
            latest: VersionInfo {
                version_no: 4,
                created_by: "bokafor".into(),
                created_at: "2026-11-27T09:58:00".into(),
                exercises: 3,
            },
        },
    );
    assert!(s.has_unsaved_edit());
    assert!(s.message.as_ref().unwrap().1.contains("version 5"));
    let sent = program_requests(ch(&mut s, 's'));
    assert!(matches!(
        sent.as_slice(),
        [ProgramRequest::Save { based_on: 4, .. }]
    ));
}

#[test]
fn p_refuses_an_unsaved_program_and_prints_a_saved_one() {
    let (mut s, patient_id) = builder();
    add(&mut s, &["slr"]);
    assert!(program_requests(ch(&mut s, 'p')).is_empty());
    assert_eq!(s.message.as_ref().unwrap().0, Level::Warning);
    ch(&mut s, 's');
    reply(
        &mut s,
        ProgramReply::Saved {
            patient_id,
            version: VersionInfo {
                version_no: 1,
                created_by: "aruiz".into(),
                created_at: "2026-11-27T10:00:00".into(),
                exercises: 1,
            },
        },
    );
    let sent = program_requests(ch(&mut s, 'p'));
    assert!(matches!(sent.as_slice(), [ProgramRequest::Handout { .. }]));
    reply(
        &mut s,
        ProgramReply::HandoutWritten {
            patient_id,
            path: "/data/handouts/hep-100001-2026-11-27.html".into(),
        },
    );
    assert!(s.message.as_ref().unwrap().1.contains("/data/handouts/"));
}

#[test]
fn m_emails_the_saved_handout_without_the_mrn_through_the_outbox() {
    let (mut s, patient_id) = builder();
    add(&mut s, &["slr"]);
    assert!(program_requests(ch(&mut s, 'm')).is_empty());
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("emails the saved version")
    );
    ch(&mut s, 's');
    reply(
        &mut s,
        ProgramReply::Saved {
            patient_id,
            version: VersionInfo {
                version_no: 1,
                created_by: "aruiz".into(),
                created_at: "2026-11-27T10:00:00".into(),
                exercises: 1,
            },
        },
    );
    let sent = program_requests(ch(&mut s, 'm'));
    assert!(matches!(
        sent.as_slice(),
        [ProgramRequest::Handout {
            to: HandoutTo::Email,
            ..
        }]
    ));
    let data = HandoutData {
        patient_name: "Ana Ruiz".into(),
        mrn: "100001".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        therapist: "Maya Chen".into(),
        version_no: 1,
        items: Vec::new(),
    };
    let next = program_requests(update(
        &mut s,
        Event::Reply(Reply::Program(ProgramReply::HandoutReady {
            patient_id,
            data,
            today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            to: HandoutTo::Email,
        })),
    ));
    let [ProgramRequest::Email(letter)] = next.as_slice() else {
        panic!("{next:?}");
    };
    assert_eq!(letter.therapist_name, "Maya Chen");
    assert!(letter.html.contains("Ana Ruiz") && !letter.html.contains("100001"));
    assert!(!letter.text.contains("100001"));
    reply(
        &mut s,
        ProgramReply::EmailQueued {
            patient_id,
            to: "ana@example.com".into(),
        },
    );
    let (level, said) = s.message.clone().unwrap();
    assert_eq!(level, Level::Info);
    assert!(said.contains("ana@example.com"), "{said}");
}

#[test]
fn program_keys_are_in_the_keymap_and_rebindable() {
    let map = crate::tui::keymap::Keymap::with_overrides([("hep_save", vec!["ctrl-s"])]).unwrap();
    let b = map
        .bindings()
        .iter()
        .filter(|b| b.action.in_scope(crate::tui::keymap::Scope::Program))
        .count();
    assert_eq!(b, 13);
    assert_eq!(map.keys_for(crate::tui::keymap::Action::HepSave), "Ctrl-S");
}

/// Another terminal changed the record: the schedule's refresh reads pane 3's program again.
fn refresh(s: &mut AppState) -> Vec<ProgramRequest> {
    let day = s.schedule.day;
    program_requests(update(
        s,
        Event::Reply(Reply::Day {
            day,
            visits: crate::tui::fixtures::visits(),
            loaded_at: "2026-11-27T10:02:00".into(),
        }),
    ))
}

fn saved_elsewhere(patient_id: i64, version_no: i64, items: Vec<ProgramItem>) -> ProgramReply {
    ProgramReply::Opened {
        program: Program {
            patient_id,
            version_no,
            items,
        },
        versions: vec![VersionInfo {
            version_no,
            created_by: "bokafor".into(),
            created_at: "2026-11-27T10:01:00".into(),
            exercises: 1,
        }],
        adherence: Vec::new(),
    }
}

#[test]
fn a_program_saved_on_another_terminal_shows_up_without_reopening() {
    let (mut s, patient_id) = builder();
    assert_eq!(
        refresh(&mut s),
        vec![ProgramRequest::Open {
            patient_id,
            opened: false
        }]
    );
    reply(
        &mut s,
        saved_elsewhere(
            patient_id,
            1,
            vec![ProgramItem::from_exercise(&library()[3])],
        ),
    );
    assert_eq!(names(&s), ["Bridge"]);
    assert!(!s.has_unsaved_edit());
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Info);
    assert!(text.contains("bokafor saved version 1 at 10:01"), "{text}");
    // Nothing new on the next refresh: nothing said.
    s.message = None;
    reply(
        &mut s,
        saved_elsewhere(
            patient_id,
            1,
            vec![ProgramItem::from_exercise(&library()[3])],
        ),
    );
    assert_eq!(s.message, None);
}

#[test]
fn unsaved_changes_survive_a_version_saved_elsewhere_and_save_on_top_of_it() {
    let (mut s, patient_id) = builder();
    add(&mut s, &["slr"]);
    refresh(&mut s);
    reply(
        &mut s,
        saved_elsewhere(
            patient_id,
            1,
            vec![ProgramItem::from_exercise(&library()[3])],
        ),
    );
    assert_eq!(names(&s), ["Straight leg raise"]);
    assert!(s.has_unsaved_edit());
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Warning);
    assert!(
        text.contains("your changes are kept; s saves them as version 2"),
        "{text}"
    );
    let sent = program_requests(ch(&mut s, 's'));
    assert!(
        matches!(sent.as_slice(), [ProgramRequest::Save { based_on: 1, .. }]),
        "{sent:?}"
    );
}

/// SLR and QS saved as version 1 by this terminal, the cursor on QS.
fn saved_program() -> (AppState, i64) {
    let (mut s, patient_id) = builder();
    add(&mut s, &["slr", "qs"]);
    ch(&mut s, 's');
    reply(
        &mut s,
        ProgramReply::Saved {
            patient_id,
            version: VersionInfo {
                version_no: 1,
                created_by: "aruiz".into(),
                created_at: "2026-11-27T10:00:00".into(),
                exercises: 2,
            },
        },
    );
    assert!(!s.has_unsaved_edit());
    assert_eq!(s.program.cursor, 1);
    (s, patient_id)
}

#[test]
fn a_dosage_being_typed_stays_on_its_exercise_when_another_version_arrives() {
    let (mut s, patient_id) = saved_program();
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Backspace);
    ch(&mut s, '5');
    refresh(&mut s);
    reply(
        &mut s,
        saved_elsewhere(
            patient_id,
            2,
            vec![
                ProgramItem::from_exercise(&library()[3]),
                ProgramItem::from_exercise(&library()[4]),
            ],
        ),
    );
    assert!(matches!(s.program.overlay, Some(Overlay::Dosage(_))));
    assert_eq!(names(&s), ["Straight leg raise", "Quad set"]);
    assert_eq!(s.message.as_ref().unwrap().0, Level::Warning);
    key(&mut s, KeyCode::Enter);
    assert!(s.program.overlay.is_none());
    let items = &s.program.draft.as_ref().unwrap().items;
    assert_eq!(
        (items[1].name.as_str(), items[1].dosage.sets),
        ("Quad set", Some(5))
    );
    assert!(s.has_unsaved_edit(), "theirs is the saved side now");
    let sent = program_requests(ch(&mut s, 's'));
    assert!(
        matches!(sent.as_slice(), [ProgramRequest::Save { based_on: 2, .. }]),
        "{sent:?}"
    );
}

#[test]
fn an_untouched_editor_closes_when_another_version_replaces_the_program() {
    let (mut s, patient_id) = saved_program();
    key(&mut s, KeyCode::Enter);
    assert!(matches!(s.program.overlay, Some(Overlay::Dosage(_))));
    refresh(&mut s);
    reply(
        &mut s,
        saved_elsewhere(
            patient_id,
            2,
            vec![ProgramItem::from_exercise(&library()[3])],
        ),
    );
    assert!(s.program.overlay.is_none());
    assert_eq!(names(&s), ["Bridge"]);
    assert_eq!(s.program.cursor, 0);
    assert_eq!(s.message.as_ref().unwrap().0, Level::Info);
}

#[test]
fn a_refresh_that_moves_the_selection_to_another_patient_audits_the_opening() {
    let (mut s, patient_id) = builder();
    let day = s.schedule.day;
    let others: Vec<_> = crate::tui::fixtures::visits()
        .into_iter()
        .filter(|v| v.patient_id != patient_id)
        .collect();
    let sent = program_requests(update(
        &mut s,
        Event::Reply(Reply::Day {
            day,
            visits: others,
            loaded_at: "2026-11-27T10:02:00".into(),
        }),
    ));
    let now = s.selected_visit().unwrap().patient_id;
    assert_ne!(now, patient_id);
    assert_eq!(
        sent,
        vec![ProgramRequest::Open {
            patient_id: now,
            opened: true
        }]
    );
}

fn screen(s: &mut AppState, w: u16, h: u16) -> String {
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    crate::tui::fixtures::screen_text(s, w, h, &theme)
}

/// Pane 3 with a program of four exercises and the search open on "ham": stacked at 80x24,
/// side by side at 120x40.
#[test]
fn pane_three_with_a_program_and_the_search_open() {
    let (mut s, _) = builder();
    add(&mut s, &["slr", "qs", "tke", "bridge"]);
    assert_eq!(
        names(&s),
        [
            "Straight leg raise",
            "Quad set",
            "Terminal knee extension",
            "Bridge"
        ]
    );
    ch(&mut s, '/');
    typ(&mut s, "ham");
    assert!(s.program.typing);
    assert_eq!(s.program.highlighted().unwrap().name, "Hamstring stretch");
    let narrow = screen(&mut s, 80, 24);
    let wide = screen(&mut s, 120, 40);
    for text in [&narrow, &wide] {
        assert!(text.contains("Hamstring stretch"), "{text}");
        assert!(text.contains("ham"), "{text}");
    }
    for name in names(&s) {
        assert!(wide.contains(&name), "{name} missing:\n{wide}");
    }
    // The letters the search matched stand out on the highlighted hit; the rest do not.
    let theme = crate::tui::theme::Theme::load("default", false).unwrap();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    crate::tui::draw_frame(&mut term, &mut s, &theme).unwrap();
    let buf = term.backend().buffer();
    let (y, line) = narrow
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Hamstring stretch"))
        .unwrap();
    let x = line[..line.find("Hamstring").unwrap()].chars().count() as u16;
    let y = y as u16;
    for dx in 0..3 {
        let cell = &buf[(x + dx, y)];
        assert_eq!(Some(cell.fg), theme.matched.fg, "{:?} at {}", cell, x + dx);
        assert!(
            cell.modifier.contains(theme.matched.add_modifier),
            "{cell:?}"
        );
    }
    assert_ne!(
        Some(buf[(x + 4, y)].fg),
        theme.matched.fg,
        "'s' is not matched"
    );
    insta::assert_snapshot!("program_with_search_80x24", narrow);
    insta::assert_snapshot!("program_with_search_120x40", wide);
}

//! What people see: the schedule rendered on ratatui's TestBackend, as reviewed snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::event::Event;
use super::fixtures::state_for;
use super::state::AppState;
use super::theme::Theme;
use super::update::update;

fn render(state: &mut AppState, w: u16, h: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    super::draw_frame(&mut term, state, theme).unwrap();
    term
}

fn screen(state: &mut AppState, w: u16, h: u16) -> String {
    super::fixtures::screen_text(state, w, h, &Theme::load("default", false).unwrap())
}

fn press(state: &mut AppState, code: KeyCode) {
    update(state, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn schedule_at_80x24() {
    let mut s = state_for("dfry");
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

#[test]
fn schedule_at_120x40() {
    let mut s = state_for("dfry");
    insta::assert_snapshot!(screen(&mut s, 120, 40));
}

#[test]
fn filtering_at_80x24() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('/'));
    for c in "lopez".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

/// Every page of `?` at a size, scrolled with the help's page key until it moves no more.
fn help_pages(s: &mut AppState, w: u16, h: u16) -> Vec<String> {
    use super::keymap::Action;
    super::fixtures::press_action(s, Action::Help);
    let mut pages = vec![screen(s, w, h)];
    loop {
        super::fixtures::press_action(s, Action::HelpPageDown);
        let page = screen(s, w, h);
        if Some(&page) == pages.last() {
            break;
        }
        pages.push(page);
        assert!(pages.len() < 20, "the help does not stop scrolling");
    }
    pages
}

#[test]
fn help_is_generated_from_the_keymap_and_scrolls_to_every_key() {
    use super::keymap::Scope;
    for (pane, scope) in [
        (None, Scope::Schedule),
        (Some('2'), Scope::Progress),
        (Some('3'), Scope::Program),
    ] {
        for (w, h) in [(80, 24), (70, 20), (120, 40)] {
            let mut s = state_for("dfry");
            if let Some(p) = pane {
                press(&mut s, KeyCode::Char(p));
            }
            let pages = help_pages(&mut s, w, h);
            let all = pages.join("\n");
            let listed = |b: &&super::keymap::Binding| {
                [Scope::Everywhere, scope]
                    .iter()
                    .any(|at| b.scope == *at || at.dialogs().contains(&b.scope))
            };
            for b in s.keymap.bindings().iter().filter(listed) {
                let keys = s.keymap.keys_for(b.action);
                // The key and what it does stand on one line, uncut.
                assert!(
                    all.lines()
                        .any(|l| l.contains(b.help) && l.contains(&format!("{keys} "))),
                    "{scope:?} at {w}x{h}: help lacks {keys} {:?}",
                    b.action
                );
                assert!(all.contains(b.scope.title()), "help lacks {:?}", b.scope);
            }
            if scope != Scope::Schedule {
                assert!(!all.contains("check the patient in"), "{scope:?}");
            }
        }
    }
    let mut s = state_for("dfry");
    insta::assert_snapshot!("help_at_80x24", help_pages(&mut s, 80, 24).join("\n"));
    let mut s = state_for("dfry");
    insta::assert_snapshot!("help_at_70x20", help_pages(&mut s, 70, 20).join("\n"));
}

#[test]
fn booking_form_at_80x24() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('a'));
    insta::assert_snapshot!(screen(&mut s, 80, 24));
}

#[test]
fn patient_summary_in_pane_two() {
    let mut s = state_for("dfry");
    press(&mut s, KeyCode::Char('2'));
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("Progress: Maria Lopez"), "{text}");
    assert!(text.contains("Loading…"));
}

#[test]
fn too_small_says_what_it_needs() {
    let mut s = state_for("dfry");
    let text = screen(&mut s, 50, 10);
    assert!(
        text.starts_with("terminal too small (need 70x20)"),
        "{text}"
    );
}

#[test]
fn the_selected_row_is_marked_without_colour() {
    let mut s = state_for("dfry");
    let mono = Theme::load("default", true).unwrap();
    let term = render(&mut s, 80, 24, &mono);
    let buf = term.backend().buffer();
    let row = (0..24)
        .find(|&y| buf[(0, y)].symbol() == "▶")
        .expect("a marker on the selected row");
    assert!(buf[(8, row)].modifier.contains(Modifier::REVERSED));
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
}

/// Each theme at 80x24, with its styles: ratatui's buffer debug lists every run of style.
#[test]
fn each_theme_at_80x24() {
    for name in super::theme::names() {
        let mut s = state_for("dfry");
        let theme = Theme::load(name, false).unwrap();
        let term = render(&mut s, 80, 24, &theme);
        insta::assert_snapshot!(
            format!("theme_{name}"),
            format!("{:?}", term.backend().buffer())
        );
    }
}

#[test]
fn the_list_window_moves_only_when_the_selection_would_leave_it() {
    use super::widgets::marked_list::list_top;
    // (top, selected, height, len) -> top
    let cases = [
        ((0, Some(3), 10, 50), 0),
        ((0, Some(9), 10, 50), 0),
        ((0, Some(10), 10, 50), 1),
        ((30, Some(35), 10, 50), 30),
        ((30, Some(29), 10, 50), 29),
        ((30, Some(45), 10, 50), 36),
        ((30, None, 10, 50), 30),
        // The list got shorter (a filter): no empty lines under the last row.
        ((30, Some(2), 10, 8), 0),
        ((30, None, 10, 35), 25),
    ];
    for ((top, sel, h, len), want) in cases {
        assert_eq!(list_top(top, sel, h, len), want, "{top} {sel:?} {h} {len}");
    }
}

/// A 30-therapist day: more rows than fit. Only the rows on screen are drawn, the selection
/// stays on screen, and moving back up does not scroll until the selection reaches the top.
#[test]
fn a_long_day_scrolls_with_the_selection() {
    let mut s = state_for("dfry");
    let template = super::fixtures::visits();
    let visits: Vec<_> = (0..120)
        .map(|i| {
            let mut v = template[i % template.len()].clone();
            v.id = 1000 + i as i64;
            v.patient_name = format!("Patient {i:03}");
            v.start = super::fixtures::at(7 + (i / 12) as u32, (i % 12) as u32 * 5);
            v
        })
        .collect();
    s.set_day(super::fixtures::day(), visits, "2026-11-27T09:41:07".into());
    let marked = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.split_once("Patient ")
                    .is_some_and(|(_, rest)| rest.starts_with(|c: char| c.is_ascii_digit()))
            })
            .map(|l| l.to_string())
            .collect()
    };
    let first = screen(&mut s, 80, 24);
    let rows = marked(&first);
    assert!(rows.len() < 24 && rows.len() > 10, "{first}");
    let height = rows.len();

    for _ in 0..60 {
        press(&mut s, KeyCode::Down);
    }
    let down = screen(&mut s, 80, 24);
    let rows = marked(&down);
    let selected = s.selected_index().expect("a selection");
    assert_eq!(rows.len(), height, "{down}");
    assert!(
        rows.last().unwrap().starts_with("▶")
            && rows
                .last()
                .unwrap()
                .contains(&format!("Patient {selected:03}")),
        "the selection is the last row shown:\n{down}"
    );
    assert!(
        rows[0].contains(&format!("Patient {:03}", selected + 1 - height)),
        "{down}"
    );

    press(&mut s, KeyCode::Up);
    let up = screen(&mut s, 80, 24);
    let rows_up = marked(&up);
    assert_eq!(
        rows_up[0],
        rows[0].replace('▶', " "),
        "the window stays:\n{up}"
    );
    assert!(rows_up[height - 2].starts_with("▶"), "{up}");
}

/// The idle lock over a flagged day: only how to come back, the PIN as one symbol per digit,
/// and nothing about any patient or visit.
#[test]
fn the_locked_screen_at_80x24() {
    use crate::db::worker::{LockReply, Reply};
    use crate::domain::pin::PinNeed;
    let mut s = super::fixtures::flagged_state_for("dfry");
    s.idle_lock_minutes = 10;
    update(&mut s, Event::Tick(super::fixtures::at(9, 51)));
    assert!(s.locked);
    update(
        &mut s,
        Event::Reply(Reply::Lock(LockReply::Needs(PinNeed::Pin))),
    );
    for c in "48".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("Locked — type your PIN, then Enter"),
        "{text}"
    );
    assert!(text.contains("PIN: ••"), "{text}");
    assert!(!text.contains("48"), "the digits are never drawn:\n{text}");
    let wide = screen(&mut s, 120, 40);
    for v in super::fixtures::flagged_visits() {
        for shown in [&v.patient_name, &v.mrn, &v.therapist_name] {
            let part = shown.split_whitespace().next().unwrap();
            for t in [&text, &wide] {
                assert!(!t.contains(part), "{part} on the locked screen:\n{t}");
            }
        }
    }
    for word in [
        "PN",
        "POC",
        "AUTH",
        "ADH",
        "CERT",
        "booked",
        "Schedule",
        "clinic.db",
    ] {
        assert!(!text.contains(word), "{word} on the locked screen:\n{text}");
    }
    insta::assert_snapshot!(text);
}

/// The drive gone: a banner under the header says since when, the day stays on screen, and a
/// write is refused with a sentence on the message line.
#[test]
fn the_offline_banner_at_80x24() {
    use crate::db::worker::Reply;
    let theme = Theme::load("default", false).unwrap();
    let mut s = state_for("dfry");
    update(
        &mut s,
        Event::Reply(Reply::Offline {
            since: "2026-11-27T09:41:30".into(),
        }),
    );
    let text = screen(&mut s, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1], " clinic database unreachable since 09:41: retrying; the day below is read-only",
        "{text}"
    );
    assert!(
        lines[2].contains("1 Schedule"),
        "the tabs move down:\n{text}"
    );
    assert!(text.contains("Maria Lopez"), "{text}");
    let term = render(&mut s, 80, 24, &theme);
    let banner = theme.error.patch(theme.status_bar);
    let cell = &term.backend().buffer()[(10, 1)];
    assert_eq!(Some(cell.fg), banner.fg, "the banner's colour");
    assert!(cell.modifier.contains(banner.add_modifier), "{cell:?}");
    assert_ne!(banner.fg, None, "the banner stands out");
    insta::assert_snapshot!("offline_banner_at_80x24", text);

    press(&mut s, KeyCode::Char('c'));
    let refused = screen(&mut s, 80, 24);
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("read-only until it is back"),
        "{:?}",
        s.message
    );
    assert!(
        refused.contains(" the clinic database cannot be reached since 09:41"),
        "{refused}"
    );
    insta::assert_snapshot!("offline_refuses_a_write_at_80x24", refused);
}

#[test]
fn a_message_longer_than_the_line_keeps_its_instruction_on_a_second_line() {
    let mut s = state_for("dfry");
    let conflict = "this note was changed on another terminal by bokafor at 09:02 — reloaded; your text is kept (Ctrl-S again saves yours over it)";
    s.say(super::state::Level::Warning, conflict);
    let text = screen(&mut s, 80, 24);
    let joined: String = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("(Ctrl-S again saves yours over it)"),
        "the instruction is whole:\n{text}"
    );
    // A short message keeps one line: the list above does not give up a row for nothing.
    s.say(super::state::Level::Info, "saved");
    let short = screen(&mut s, 80, 24);
    assert_eq!(
        short.lines().filter(|l| l.trim() == "saved").count(),
        1,
        "{short}"
    );
}

/// `--ascii`: every screen of the walk, at 80x24 and 70x20, is plain ASCII from corner to
/// corner (separators, ellipses, arrows in hints and help, borders, bars, the lock, names).
#[test]
fn with_ascii_every_screen_is_plain_ascii() {
    let theme = Theme::load_with("default", false, &toml::Table::new(), true).unwrap();
    for (w, h) in [(80, 24), (70, 20)] {
        let mut helped = false;
        super::fixtures::walk_every_screen(
            &super::keymap::Keymap::default().with_ascii_labels(true),
            &mut |s: &mut AppState, what: &str| {
                let text = super::fixtures::screen_text(s, w, h, &theme);
                assert!(text.is_ascii(), "{what} at {w}x{h} is not ASCII:\n{text}");
                // The arrows are named as `[keys]` reads them, not drawn as "^".
                if what == "the help" {
                    assert!(text.contains("Up/k") && !text.contains("^/k"), "{text}");
                    helped = true;
                }
            },
        );
        assert!(helped);
    }
    // The names in the fixtures keep their letters.
    let mut s = state_for("dfry");
    let text = super::fixtures::screen_text(&mut s, 80, 24, &theme);
    assert!(text.contains("Olivia Chen-Sorensen"), "{text}");
    assert!(text.contains("Tomas Alvarez"), "{text}");
}

/// A message longer than two lines at 70 columns keeps its instruction: the path gives up its
/// beginning instead.
#[test]
fn a_long_message_keeps_its_instruction_at_70x20() {
    let mut s = state_for("dfry");
    s.message = Some((
        super::state::Level::Info,
        "handout written to /home/clinic-front-desk/.local/share/ptclinic/handouts/2026/november/hep-100001-2026-11-27.html: print it from there, or p writes it again".into(),
    ));
    let text = screen(&mut s, 70, 20);
    let bottom: Vec<&str> = text.lines().rev().skip(1).take(2).collect();
    let said = format!("{} {}", bottom[1].trim(), bottom[0].trim());
    assert!(said.ends_with("or p writes it again"), "{text}");
    assert!(said.contains("hep-100001-2026-11-27.html"), "{text}");
}

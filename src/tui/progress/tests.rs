//! Pane 2's flows as pure functions, and what it looks like.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::db::progress_work::{ProgressReply, ProgressRequest};
use crate::db::visit_notes::{StoredNote, VisitNote};
use crate::db::worker::{Reply, Request};
use crate::domain::billing::BillingRule;
use crate::domain::flags::Adherence;
use crate::domain::signing::{Addendum, NoteSigning, Signature};
use crate::tui::event::{Effect, Event};
use crate::tui::fixtures::{self, state_for};
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use crate::tui::update::update;

fn key(s: &mut AppState, code: KeyCode) -> Vec<Request> {
    key_with(s, code, KeyModifiers::NONE)
}

fn key_with(s: &mut AppState, code: KeyCode, m: KeyModifiers) -> Vec<Request> {
    update(s, Event::Key(KeyEvent::new(code, m)))
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(r) => Some(r),
            Effect::Notify(_) => None,
        })
        .collect()
}

fn typ(s: &mut AppState, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

fn loaded() -> AppState {
    let mut s = state_for("aruiz");
    s.schedule.selected = Some(1);
    let sent = key(&mut s, KeyCode::Char('2'));
    assert!(matches!(
        sent.as_slice(),
        [Request::Progress(ProgressRequest::Load {
            patient_id: 10,
            opened: true,
            ..
        })]
    ));
    let adherence = vec![
        Adherence {
            reported_on: fixtures::day() - chrono::Duration::days(10),
            done: 6,
            prescribed: 7,
        },
        Adherence {
            reported_on: fixtures::day() - chrono::Duration::days(3),
            done: 3,
            prescribed: 7,
        },
    ];
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(fixtures::progress())),
            adherence,
        })),
    );
    s
}

/// The goals of the current plan with their status, in the room left at 80x24 and 70x20.
#[test]
fn the_pane_shows_the_goals_of_the_plan_with_their_status() {
    let mut s = loaded();
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(fixtures::progress_with_goals())),
            adherence: Vec::new(),
        })),
    );
    let text = screen(&mut s, 80, 24);
    for needle in [
        "Goals of the plan to 23 Jan",
        "NPRS ≤ 3",
        "progressing",
        "Sleeps through the night",
        "met",
        "LEFS ≥ 45",
        "not met",
        "Climbs stairs reciprocally",
        "not assessed",
        "Long ",
        "10 Dec",
    ] {
        assert!(text.contains(needle), "{needle:?} at 80x24:\n{text}");
    }
    insta::assert_snapshot!("progress_goals_80x24", text);
    let narrow = screen(&mut s, 70, 20);
    for needle in ["NPRS ≤ 3", "not met", "Kneels to garden", "not assessed"] {
        assert!(narrow.contains(needle), "{needle:?} at 70x20:\n{narrow}");
    }
    assert!(
        narrow.contains("PN") && narrow.contains("ADH"),
        "every flag's badge still shows:\n{narrow}"
    );
    insta::assert_snapshot!("progress_goals_70x20", narrow);
    let wide = screen(&mut s, 120, 40);
    // In ASCII a target keeps its meaning: "at most 3" is "<= 3", never "< 3".
    let ascii = Theme::load_with("default", false, &toml::Table::new(), true).unwrap();
    let plain = fixtures::screen_text(&mut s, 80, 24, &ascii);
    assert!(
        plain.contains("NPRS <= 3") && plain.contains("LEFS >= 45"),
        "{plain}"
    );
    // The fixture's note is unsigned, which the assessment says before its words.
    assert!(
        wide.contains("Assessment (24 Nov, Treatment, draft): Tolerating progression"),
        "room for the assessment too:\n{wide}"
    );
}

fn screen(s: &mut AppState, w: u16, h: u16) -> String {
    fixtures::screen_text(s, w, h, &Theme::load("default", false).unwrap())
}

#[test]
fn the_pane_shows_trend_change_and_whether_it_matters() {
    let mut s = loaded();
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("NPRS"), "{text}");
    assert!(
        text.contains("MCID met"),
        "NPRS 7 -> 4 is 3 points down, past the MCID of 2:\n{text}"
    );
    assert!(
        text.contains("not yet"),
        "LEFS 31 -> 37 is short of 9:\n{text}"
    );
    assert!(text.contains("Progress report due"), "{text}");
    insta::assert_snapshot!("progress_80x24", text);
    insta::assert_snapshot!("progress_120x40", screen(&mut s, 120, 40));
}

#[test]
fn arrows_pick_a_measure_and_enter_opens_its_chart() {
    let mut s = loaded();
    key(&mut s, KeyCode::Down);
    assert_eq!(s.progress.selected, 1);
    assert_eq!(
        s.schedule.selected,
        Some(1),
        "the schedule selection stays put"
    );
    key(&mut s, KeyCode::Down);
    assert_eq!(s.progress.selected, 1, "no row past the last measure");
    key(&mut s, KeyCode::Enter);
    assert!(s.progress.chart);
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("Esc closes"), "{text}");
    assert!(
        text.contains("MCID line at 40"),
        "the line LEFS must cross: 31 + 9\n{text}"
    );
    key(&mut s, KeyCode::Esc);
    assert!(!s.progress.chart);
}

#[test]
fn recording_checks_the_range_inline_then_saves_and_reloads() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('r'));
    typ(&mut s, "12");
    assert!(
        key(&mut s, KeyCode::Enter).is_empty(),
        "nothing is sent for an out-of-range value"
    );
    let form = s.progress.record.as_ref().unwrap();
    assert!(
        form.error.as_ref().unwrap().contains("0 to 10"),
        "{:?}",
        form.error
    );
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    typ(&mut s, "3");
    let sent = key(&mut s, KeyCode::Enter);
    match sent.as_slice() {
        [
            Request::Progress(ProgressRequest::Record {
                patient_id: 10,
                scored,
                date,
            }),
        ] => {
            assert_eq!((scored.def.code, scored.value), ("NPRS", 3.0));
            assert_eq!(*date, fixtures::day());
        }
        other => panic!("{other:?}"),
    }
    let after = update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Recorded {
            patient_id: 10,
            code: "NPRS",
            value: 3.0,
        })),
    );
    assert!(s.progress.record.is_none());
    assert!(matches!(
        after.as_slice(),
        [Effect::Db(Request::Progress(ProgressRequest::Load {
            opened: false,
            ..
        }))]
    ));
}

#[test]
fn the_note_loads_saves_with_its_version_and_keeps_text_on_a_conflict() {
    let mut s = loaded();
    let sent = key(&mut s, KeyCode::Char('e'));
    assert!(matches!(
        sent.as_slice(),
        [Request::Progress(ProgressRequest::LoadNote {
            appointment_id: 1
        })]
    ));
    let stored = StoredNote {
        note: VisitNote {
            subjective: "Knee stiff in the morning.".into(),
            ..Default::default()
        },
        author: "aruiz".into(),
        updated_at: "2026-11-27T08:50:00".into(),
        version: 2,
        signing: Default::default(),
    };
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule: None,
            note: Some(Box::new(stored)),
        })),
    );
    key(&mut s, KeyCode::End);
    typ(&mut s, " Better after walking.");
    for _ in 0..4 {
        key(&mut s, KeyCode::Tab);
    }
    typ(&mut s, "97110 30, 97140 15");
    assert!(
        screen(&mut s, 80, 24)
            .contains("97110 30 min → 2 units · 97140 15 min → 1 unit · total 45 min, 3 units")
    );
    assert!(s.has_unsaved_edit());
    let sent = key_with(&mut s, KeyCode::Char('s'), KeyModifiers::CONTROL);
    match sent.as_slice() {
        [
            Request::Progress(ProgressRequest::SaveNote {
                appointment_id: 1,
                seen_version: Some(2),
                note,
            }),
        ] => {
            assert_eq!(
                note.subjective,
                "Knee stiff in the morning. Better after walking."
            );
            assert_eq!(
                note.procedures,
                vec![
                    crate::domain::billing::ProcedureLine::minutes("97110", 30),
                    crate::domain::billing::ProcedureLine::minutes("97140", 15)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    // A busy database names another terminal too, but only a conflict fetches the stored note.
    let busy = update(
        &mut s,
        Event::Reply(Reply::Failed {
            error: crate::error::AppError::of(
                crate::error::ErrorKind::Busy,
                crate::db::BUSY_MESSAGE,
            ),
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Progress,
                write: true,
            },
        }),
    );
    assert!(!busy.iter().any(|e| matches!(
        e,
        Effect::Db(Request::Progress(ProgressRequest::LoadNote { .. }))
    )));
    let conflict = "this note was changed on another terminal by bokafor at 09:02";
    let after = update(
        &mut s,
        Event::Reply(Reply::Failed {
            error: crate::error::AppError::of(crate::error::ErrorKind::Conflict, conflict),
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Progress,
                write: true,
            },
        }),
    );
    assert!(after.iter().any(|e| matches!(
        e,
        Effect::Db(Request::Progress(ProgressRequest::LoadNote {
            appointment_id: 1
        }))
    )));
    // The store says who changed the note; the app says what to do, with the save key.
    let said = s
        .message
        .as_ref()
        .map(|(_, m)| m.as_str())
        .unwrap_or_default();
    assert_eq!(
        said,
        "this note was changed on another terminal by bokafor at 09:02 — reloaded; your text is kept (Ctrl-S again saves yours over it)"
    );
    let editor = s.progress.note.as_ref().expect("the editor stays open");
    assert!(!editor.saving);
    assert_eq!(
        editor.sections[0].lines(),
        ["Knee stiff in the morning. Better after walking."]
    );
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::NoteSaved {
            appointment_id: 1,
            version: 4,
        })),
    );
    assert!(s.progress.note.is_none());
    assert!(!s.has_unsaved_edit());
}

#[test]
fn quitting_with_an_unsaved_note_asks_first() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('e'));
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule: None,
            note: None,
        })),
    );
    typ(&mut s, "x");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    assert!(s.progress.note.is_none(), "Esc twice discards");
    key(&mut s, KeyCode::Char('r'));
    typ(&mut s, "4");
    assert!(s.has_unsaved_edit());
}

/// Enter on LEFS opens its chart over the pane: the points, the MCID line to cross.
#[test]
fn the_chart_at_80x24_and_120x40() {
    let mut s = loaded();
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Enter);
    assert!(s.progress.chart);
    let text = screen(&mut s, 80, 24);
    // At 80 columns the short name keeps the key that closes it in the title.
    assert!(
        text.contains("LEFS: not yet · higher is better · MCID line at 40 (Esc closes)"),
        "{text}"
    );
    // Every point with its value under the chart, not only a line.
    assert!(text.contains("26 Oct 31 · 13 Nov 36 · 22 Nov 37"), "{text}");
    insta::assert_snapshot!("chart_80x24", text);
    let wide = screen(&mut s, 120, 40);
    assert!(
        wide.contains("Lower Extremity Functional Scale: not yet"),
        "{wide}"
    );
    assert!(wide.contains("MCID line at 40"), "{wide}");
    insta::assert_snapshot!("chart_120x40", wide);
}

/// `r` on NPRS opens the record form over the pane, a value typed in.
#[test]
fn the_record_form_at_80x24() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('r'));
    assert!(s.progress.record.is_some());
    typ(&mut s, "3");
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("NPRS"), "{text}");
    insta::assert_snapshot!("record_form_80x24", text);
}

/// `e` opens the visit's note; the stored note loads into it.
#[test]
fn the_note_editor_at_80x24() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('e'));
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule: None,
            note: Some(Box::new(StoredNote {
                note: VisitNote {
                    subjective: "Knee stiff in the morning.".into(),
                    objective: "Knee flexion 110°.".into(),
                    ..Default::default()
                },
                author: "aruiz".into(),
                updated_at: "2026-11-27T08:50:00".into(),
                version: 2,
                signing: Default::default(),
            })),
        })),
    );
    assert!(s.progress.note.is_some());
    let text = screen(&mut s, 80, 24);
    assert!(text.contains("Knee stiff in the morning."), "{text}");
    assert!(text.contains("Knee flexion 110°."), "{text}");
    insta::assert_snapshot!("note_editor_80x24", text);
}

fn open_note(s: &mut AppState, note: Option<StoredNote>, payer_rule: Option<BillingRule>) {
    key(s, KeyCode::Char('e'));
    update(
        s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id: 1,
            payer_rule,
            note: note.map(Box::new),
        })),
    );
}

fn ctrl(s: &mut AppState, c: char) -> Vec<Request> {
    key_with(s, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn draft() -> StoredNote {
    StoredNote {
        note: VisitNote {
            subjective: "Knee stiff in the morning.".into(),
            ..Default::default()
        },
        author: "aruiz".into(),
        updated_at: "2026-11-27T08:50:00".into(),
        version: 2,
        signing: Default::default(),
    }
}

fn signed_by_an_assistant() -> StoredNote {
    StoredNote {
        signing: NoteSigning {
            signed: Some(Signature {
                staff_id: 8,
                written_as: "Sam Lee, PTA".into(),
                at: "2026-11-27T10:02:00".into(),
            }),
            cosigned: None,
            awaiting_cosign: true,
            addenda: vec![Addendum {
                staff_id: 8,
                written_as: "Sam Lee, PTA".into(),
                written_at: "2026-11-27T11:30:00".into(),
                text: "Called back: pain 2/10.".into(),
            }],
        },
        version: 3,
        ..draft()
    }
}

#[test]
fn signing_saves_what_is_typed_first_and_the_editor_then_shows_the_signature() {
    let mut s = loaded();
    open_note(&mut s, Some(draft()), None);
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("Draft: not signed · Ctrl-G signs it"),
        "{text}"
    );
    // Nothing typed: the stored version is signed as it is.
    let sent = ctrl(&mut s, 'g');
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Progress(ProgressRequest::SignNote {
                appointment_id: 1,
                seen_version: Some(2),
                note: None,
            })]
        ),
        "{sent:?}"
    );
    // A refusal keeps the editor open, says why, and fetches the note again.
    let after = update(
        &mut s,
        Event::Reply(Reply::Failed {
            error: crate::error::AppError::of(
                crate::error::ErrorKind::Forbidden,
                "writing a progress report needs a therapist; slee is on the staff as assistant",
            ),
            asked: crate::db::worker::Asked {
                by: crate::db::worker::Asker::Progress,
                write: true,
            },
        }),
    );
    assert!(after.iter().any(|e| matches!(
        e,
        Effect::Db(Request::Progress(ProgressRequest::LoadNote {
            appointment_id: 1
        }))
    )));
    let editor = s.progress.note.as_ref().unwrap();
    assert!(
        !editor.saving
            && editor
                .error
                .as_deref()
                .unwrap()
                .contains("needs a therapist")
    );
    // Typed text is saved with the signature.
    key(&mut s, KeyCode::End);
    typ(&mut s, " Better.");
    match ctrl(&mut s, 'g').as_slice() {
        [
            Request::Progress(ProgressRequest::SignNote {
                note: Some(note), ..
            }),
        ] => assert_eq!(note.subjective, "Knee stiff in the morning. Better."),
        other => panic!("{other:?}"),
    }
    let effects = update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::NoteSigned {
            appointment_id: 1,
            signed: crate::db::note_signing::Signed {
                signature: Signature {
                    staff_id: 1,
                    written_as: "Ana Ruiz, PT, DPT".into(),
                    at: "2026-11-27T10:02:00".into(),
                },
                completed_visit: true,
                awaiting_cosign: false,
            },
        })),
    );
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Db(Request::Progress(ProgressRequest::LoadNote {
            appointment_id: 1
        }))
    )));
    assert_eq!(
        s.message.as_ref().map(|(_, m)| m.as_str()),
        Some("note signed by Ana Ruiz, PT, DPT; the visit is completed")
    );
    assert!(!s.has_unsaved_edit(), "what was typed is in the record");
    assert!(
        s.progress.note.is_some(),
        "the editor shows the signed note"
    );
}

#[test]
fn a_signed_note_is_read_only_and_takes_an_addendum_and_a_cosignature() {
    let mut s = loaded();
    open_note(&mut s, Some(signed_by_an_assistant()), None);
    let text = screen(&mut s, 80, 24);
    assert!(
        text.contains("Signed by Sam Lee, PTA, at 2026-11-27 10:02"),
        "{text}"
    );
    assert!(
        text.contains("Awaiting co-signature by a therapist"),
        "{text}"
    );
    assert!(
        text.contains("Addendum, 2026-11-27 11:30, Sam Lee, PTA: Called back: pain 2/10."),
        "{text}"
    );
    assert!(
        text.contains("signed: read-only · Ctrl-T addendum · Ctrl-O co-signs"),
        "{text}"
    );
    insta::assert_snapshot!("signed_note_80x24", text);
    // Typing changes nothing; saving over it is refused with the addendum's key.
    typ(&mut s, "rewrite");
    assert_eq!(
        s.progress.note.as_ref().unwrap().sections[0].lines(),
        ["Knee stiff in the morning."]
    );
    assert!(ctrl(&mut s, 's').is_empty());
    assert_eq!(
        s.progress.note.as_ref().unwrap().error.as_deref(),
        Some("this note is signed and can no longer be changed: Ctrl-T writes an addendum")
    );
    assert!(ctrl(&mut s, 'g').is_empty(), "signed once");
    // The addendum: empty is one sentence, nothing sent; typed, it is sent.
    assert!(ctrl(&mut s, 't').is_empty());
    assert!(ctrl(&mut s, 's').is_empty());
    assert_eq!(
        s.progress.note.as_ref().unwrap().error.as_deref(),
        Some(crate::db::note_signing::ADDENDUM_EMPTY)
    );
    typ(&mut s, "Ice at home.");
    assert!(s.has_unsaved_edit());
    assert!(screen(&mut s, 80, 24).contains("Ice at home."));
    match ctrl(&mut s, 's').as_slice() {
        [
            Request::Progress(ProgressRequest::AddAddendum {
                appointment_id: 1,
                text,
            }),
        ] => assert_eq!(text, "Ice at home."),
        other => panic!("{other:?}"),
    }
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::AddendumAdded {
            appointment_id: 1,
        })),
    );
    assert!(s.progress.note.as_ref().unwrap().addendum.is_none());
    assert!(!s.has_unsaved_edit());
    let sent = ctrl(&mut s, 'o');
    assert!(matches!(
        sent.as_slice(),
        [Request::Progress(ProgressRequest::CoSignNote {
            appointment_id: 1
        })]
    ));
}

#[test]
fn an_addendum_is_only_for_a_signed_note_and_the_units_follow_the_payer() {
    let mut s = loaded();
    open_note(&mut s, Some(draft()), Some(BillingRule::Ama));
    assert!(ctrl(&mut s, 't').is_empty());
    assert!(
        s.progress.note.as_ref().unwrap().error.as_deref().unwrap().starts_with(
            "an addendum is for a signed note; this one is a draft: change it, and Ctrl-S saves it"
        )
    );
    for _ in 0..4 {
        key(&mut s, KeyCode::Tab);
    }
    typ(&mut s, "97110 33, 97140 7");
    // The patient's payer bills by the AMA rule: 97140's 7 minutes bill nothing.
    assert!(
        screen(&mut s, 80, 24)
            .contains("97110 33 min → 2 units · 97140 7 min → 0 units · total 40 min, 2 units")
    );
}

/// `x` reads the clinic's similar episodes once; the header then says what to expect, and
/// opening the pane again asks only for what is kept.
#[test]
fn x_says_what_to_expect_from_similar_episodes() {
    let mut s = loaded();
    let sent = key(&mut s, KeyCode::Char('x'));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Progress(ProgressRequest::Expected {
                patient_id: 10,
                read: true,
                ..
            })]
        ),
        "{sent:?}"
    );
    let line = "On track against 31 similar episodes: LEFS +12 over 8 visits, 65% reach the MCID";
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Expected {
            patient_id: 10,
            line: Some(line.into()),
            read: true,
        })),
    );
    let text = screen(&mut s, 100, 30);
    assert!(text.contains(line), "{text}");
    // Another patient's answer is not shown over this one.
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Expected {
            patient_id: 11,
            line: Some("Behind against 20 similar episodes".into()),
            read: false,
        })),
    );
    assert!(!screen(&mut s, 100, 30).contains("Behind"));
}

#[test]
fn a_newly_shown_patient_asks_only_for_what_is_kept() {
    let mut s = state_for("aruiz");
    s.schedule.selected = Some(1);
    key(&mut s, KeyCode::Char('2'));
    let sent = crate::tui::fixtures::requests(update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(fixtures::progress())),
            adherence: Vec::new(),
        })),
    ));
    assert!(
        matches!(
            sent.as_slice(),
            [Request::Progress(ProgressRequest::Expected {
                patient_id: 10,
                read: false,
                ..
            })]
        ),
        "{sent:?}"
    );
}

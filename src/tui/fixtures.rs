//! A small, fixed clinic day for tests of update and view: no database, no clock.

use chrono::{NaiveDate, NaiveDateTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::{Effect, Event};
use super::state::{AppState, ClinicInfo};
use super::update::update;
use crate::db::worker::Request;
use crate::domain::appointment::Visit;
use crate::domain::hep::{Dosage, Exercise};
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, CancelReason, Role, VisitKind};

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

pub fn at(hh: u32, mm: u32) -> NaiveDateTime {
    day().and_hms_opt(hh, mm, 0).unwrap()
}

pub fn staff() -> Vec<Staff> {
    vec![
        Staff {
            id: 1,
            name: "Ana Ruiz".into(),
            initials: "AR".into(),
            role: Role::Therapist,
            username: Some("aruiz".into()),
            credentials: None,
        },
        Staff {
            id: 2,
            name: "Ben Okafor".into(),
            initials: "BO".into(),
            role: Role::Therapist,
            username: Some("bokafor".into()),
            credentials: None,
        },
        Staff {
            id: 3,
            name: "Dana Fry".into(),
            initials: "DF".into(),
            role: Role::FrontDesk,
            username: Some("dfry".into()),
            credentials: None,
        },
    ]
}

#[allow(clippy::too_many_arguments)]
fn visit(
    id: i64,
    hh: u32,
    mm: u32,
    minutes: i64,
    name: &str,
    mrn: &str,
    born: i32,
    therapist: usize,
    kind: VisitKind,
    status: AppointmentStatus,
) -> Visit {
    let s = &staff()[therapist];
    Visit {
        id,
        site_id: 1,
        start: at(hh, mm),
        minutes,
        patient_id: id * 10,
        patient_name: name.into(),
        mrn: mrn.into(),
        date_of_birth: NaiveDate::from_ymd_opt(born, 6, 15).unwrap(),
        therapist_id: s.id,
        therapist_name: s.name.clone(),
        therapist_initials: s.initials.clone(),
        kind,
        status,
        status_changed_at: None,
        checked_in_at: (status == AppointmentStatus::CheckedIn)
            .then(|| "2026-11-27T08:55:00".to_string()),
        cancel_reason: (status == AppointmentStatus::Cancelled).then_some(CancelReason::Late),
        room: Some("1".into()),
        version: 1,
        flags: Vec::new(),
        reminder: Default::default(),
        risk: None,
        answer: None,
    }
}

pub fn visits() -> Vec<Visit> {
    use AppointmentStatus::*;
    use VisitKind::*;
    vec![
        visit(
            1,
            8,
            0,
            60,
            "Maria Lopez",
            "100001",
            1961,
            0,
            Evaluation,
            Completed,
        ),
        visit(
            2,
            9,
            0,
            45,
            "Kwame Mensah",
            "100002",
            1990,
            0,
            Treatment,
            CheckedIn,
        ),
        visit(
            3,
            9,
            0,
            45,
            "Olivia Chen-Sørensen",
            "100003",
            1978,
            1,
            Treatment,
            Scheduled,
        ),
        visit(
            4,
            9,
            45,
            30,
            "Tomás Álvarez",
            "100004",
            2001,
            1,
            Progress,
            NoShow,
        ),
        visit(
            5,
            10,
            0,
            45,
            "李小龍 Li",
            "100005",
            1940,
            0,
            Treatment,
            Scheduled,
        ),
        visit(
            6,
            10,
            30,
            45,
            "Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen",
            "100006",
            1955,
            1,
            Treatment,
            Cancelled,
        ),
        visit(
            7,
            11,
            0,
            60,
            "Mark Lopez",
            "100007",
            1983,
            1,
            ReEvaluation,
            Scheduled,
        ),
        visit(
            8,
            13,
            15,
            45,
            "Amira Haddad",
            "100008",
            1995,
            0,
            Discharge,
            Scheduled,
        ),
    ]
}

/// The fixture day with compliance flags stored on its visits, as the day query returns them
/// (the words of [`crate::domain::flags::Flag::as_str`], in the order flags are shown): every
/// badge appears at least once, and Mark Lopez carries five at once.
pub fn flagged_visits() -> Vec<Visit> {
    let flags: [&[&str]; 8] = [
        &["progress_note_due"],
        &["reeval_due", "adherence_low"],
        &["poc_expired", "auth_exceeded"],
        &[],
        &["poc_ending", "auth_low"],
        &[],
        &[
            "progress_note_due",
            "reeval_due",
            "poc_expired",
            "auth_exceeded",
            "adherence_low",
        ],
        &["poc_uncertified", "auth_low"],
    ];
    use crate::domain::messages::{Confirmation, ReminderState};
    // Whether they are coming: Olivia confirmed after her reminder, Li's reminder failed, Mark's
    // went out unanswered, Amira can't come.
    let notices: [(ReminderState, Option<Confirmation>); 8] = [
        (ReminderState::Sent, None),
        (ReminderState::None, Some(Confirmation::Confirmed)),
        (ReminderState::Sent, Some(Confirmation::Confirmed)),
        (ReminderState::None, None),
        (ReminderState::Failed, None),
        (ReminderState::Pending, None),
        (ReminderState::Sent, None),
        (ReminderState::Sent, Some(Confirmation::Declined)),
    ];
    visits()
        .into_iter()
        .zip(flags)
        .zip(notices)
        .map(|((mut v, f), (reminder, answer))| {
            v.flags = f.iter().map(|w| w.to_string()).collect();
            v.reminder = reminder;
            v.answer = answer;
            v
        })
        .collect()
}

/// `state_for(user)` on the flagged day (with whether each patient is coming).
pub fn flagged_state_for(user: &str) -> AppState {
    let mut state = state_for(user);
    state.set_day(day(), flagged_visits(), "2026-11-27T09:41:07".into());
    state
}

/// The app as the front-desk person "dfry" sees it on the fixture day.
pub fn state_for(user: &str) -> AppState {
    let staff = staff();
    let info = ClinicInfo {
        user: user.into(),
        db_path: "/srv/clinic/ptclinic.db".into(),
        demo: false,
        fixed_today: false,
        me: staff.iter().find(|s| s.is_user(user)).cloned(),
        acting: staff
            .iter()
            .find(|s| s.is_user(user))
            .cloned()
            .map_or(crate::domain::roles::Acting::NotStaff, |s| {
                crate::domain::roles::Acting::Staff(s)
            }),
    };
    let mut state = AppState::new(info, day(), at(9, 41));
    state.staff = staff;
    // A clinic of one site, as every record starts: its visits are shown and booked there.
    state.schedule.site_view = crate::domain::sites::SiteView::One(1);
    state.schedule.home_site = Some(1);
    state.set_day(day(), visits(), "2026-11-27T09:41:07".into());
    state
}

/// Maria Lopez's progress (the fixture's visit 1): knee pain improving on NPRS and LEFS, a
/// progress note due, two adherence reports.
pub fn progress() -> crate::domain::progress::Progress {
    use crate::domain::progress::{MeasurePoint, ProgressInput, VisitSummary, build};
    let patient = crate::domain::patient::Patient {
        id: 10,
        mrn: "100001".into(),
        first_name: "Maria".into(),
        last_name: "Lopez".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1961, 6, 15).unwrap(),
        phone: None,
        email: None,
        diagnosis_code: Some("M17.11".into()),
        diagnosis: Some("Unilateral primary osteoarthritis, right knee".into()),
        body_region: Some("knee".into()),
        payer: Some("Medicare".into()),
        plan_of_care: None,
        authorization: None,
        active: true,
        version: 1,
        contact_preference: None,
        consent: Default::default(),
    };
    // Certified two days after the evaluation; 12 visits authorised until 31 January.
    let plan = crate::domain::plan_of_care::PlanOfCare {
        id: 1,
        patient_id: 10,
        starts_on: NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2027, 1, 23).unwrap(),
        visits_per_week: Some(2),
        weeks: Some(13),
        physician: Some("Dr. Ada Park".into()),
        certified_on: NaiveDate::from_ymd_opt(2026, 10, 28),
        delay_reason: None,
        recertifies: None,
        version: 2,
    };
    let authorization = crate::domain::authorization::AuthorizationUse {
        authorization: crate::domain::authorization::Authorization {
            id: 1,
            patient_id: 10,
            payer: "Medicare".into(),
            reference: None,
            starts_on: NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            visits: 12,
            version: 1,
        },
        evaluation_counts: true,
        used: 10,
    };
    let terms = crate::domain::flags::Terms {
        plans: vec![crate::domain::flags::PlanWindow::of(&plan)],
        authorizations: vec![crate::domain::flags::AuthWindow::of(&authorization)],
    };
    let first = NaiveDate::from_ymd_opt(2026, 10, 26).unwrap();
    let visits: Vec<VisitSummary> = (0..10)
        .map(|i| VisitSummary {
            id: 100 + i,
            start: (first + chrono::Duration::days(i * 3))
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            minutes: 45,
            kind: if i == 0 {
                VisitKind::Evaluation
            } else {
                VisitKind::Treatment
            },
            status: AppointmentStatus::Completed,
            therapist_initials: "AR".into(),
            progress_report: false,
        })
        .chain(std::iter::once(VisitSummary {
            id: 1,
            start: at(8, 0),
            minutes: 60,
            kind: VisitKind::Treatment,
            status: AppointmentStatus::Scheduled,
            therapist_initials: "AR".into(),
            progress_report: false,
        }))
        .collect();
    let point = |id: i64, day: i64, value: f64| MeasurePoint {
        id,
        date: first + chrono::Duration::days(day),
        value,
        detail: None,
        items: None,
        appointment_id: None,
    };
    let points = vec![
        ("NPRS".to_string(), point(1, 0, 7.0)),
        ("NPRS".to_string(), point(2, 9, 6.0)),
        ("NPRS".to_string(), point(3, 18, 4.0)),
        ("NPRS".to_string(), point(4, 27, 4.0)),
        ("LEFS".to_string(), point(5, 0, 31.0)),
        ("LEFS".to_string(), point(6, 18, 36.0)),
        ("LEFS".to_string(), point(7, 27, 37.0)),
    ];
    let input = ProgressInput {
        patient,
        visits,
        points,
        adherence: Some(crate::domain::flags::Adherence {
            reported_on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            done: 3,
            prescribed: 7,
        }),
        latest_assessment: None,
        terms,
        plans: vec![plan],
        authorizations: vec![authorization],
        defs: crate::domain::measures::MEASURES.to_vec(),
    };
    build(input, day(), &crate::domain::flags::THRESHOLDS)
}

/// [`progress`] with a plan of care and five goals, reviewed on [`day`]: NPRS ≤ 3
/// progressing (at 4), a worded goal the therapist assessed as met, LEFS ≥ 45 not met by its
/// date (at 37), LEFS ≥ 60 progressing and a worded goal not assessed yet; and an assessment.
pub fn progress_with_goals() -> crate::domain::progress::Progress {
    use crate::domain::goal_review::review;
    use crate::domain::goals::{Assessed, Goal, MeasureTarget, PlanGoals, Term};
    let mut p = progress();
    let plan = crate::domain::plan_of_care::PlanOfCare {
        id: 1,
        patient_id: 10,
        starts_on: NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2027, 1, 23).unwrap(),
        visits_per_week: Some(2),
        weeks: Some(12),
        physician: Some("Dr Jane Osei".into()),
        certified_on: NaiveDate::from_ymd_opt(2026, 10, 28),
        delay_reason: None,
        recertifies: None,
        version: 1,
    };
    let goal =
        |id: i64, term, words: &str, target: Option<(&str, f64)>, by: (i32, u32, u32)| Goal {
            id,
            plan_id: 1,
            term,
            description: words.into(),
            target: target.map(|(code, value)| MeasureTarget {
                code: code.into(),
                detail: None,
                value,
            }),
            target_on: NaiveDate::from_ymd_opt(by.0, by.1, by.2).unwrap(),
            assessed: None,
            assessed_on: None,
            version: 1,
        };
    let mut sleeps = goal(
        2,
        Term::Short,
        "Sleeps through the night",
        None,
        (2026, 12, 10),
    );
    sleeps.assessed = Some(Assessed::Met);
    sleeps.assessed_on = Some(day());
    let goals = [
        goal(1, Term::Short, "", Some(("NPRS", 3.0)), (2026, 12, 10)),
        sleeps,
        goal(
            3,
            Term::Short,
            "Walks 20 minutes",
            Some(("LEFS", 45.0)),
            (2026, 11, 25),
        ),
        goal(
            4,
            Term::Long,
            "Climbs stairs reciprocally",
            Some(("LEFS", 60.0)),
            (2027, 1, 20),
        ),
        goal(5, Term::Long, "Kneels to garden", None, (2027, 1, 20)),
    ];
    let defs = crate::domain::measures::MEASURES;
    p.goals = Some(PlanGoals {
        plan,
        goals: goals
            .iter()
            .map(|g| review(g, &p.measures, defs, day()))
            .collect(),
    });
    p.latest_assessment = Some(crate::domain::progress::Assessment {
        date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        appointment_id: 109,
        kind: VisitKind::Treatment,
        text: "Tolerating progression; quads stronger.".into(),
        signing: Default::default(),
    });
    p
}

/// The screen as text, drawn by the real view on a TestBackend. A wide character covers two
/// cells; the second is a continuation, not a space.
pub fn screen_text(state: &mut AppState, w: u16, h: u16, theme: &super::theme::Theme) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    super::draw_frame(&mut term, state, theme).unwrap();
    let buf = term.backend().buffer();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < w {
                let symbol = buf[(x, y)].symbol();
                line.push_str(symbol);
                x += crate::text::width(symbol).max(1) as u16;
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Presses one key, as the terminal would send it.
pub fn key(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(state, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Types `text` one key at a time.
pub fn typ(state: &mut AppState, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

/// The database requests among `effects`.
pub fn requests(effects: Vec<Effect>) -> Vec<Request> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(r) => Some(r),
            Effect::Notify(_) => None,
        })
        .collect()
}

fn exercise(id: i64, name: &str, aliases: &[&str], region: &str) -> Exercise {
    Exercise {
        id,
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        region: region.into(),
        category: "strengthening".into(),
        equipment: "none".into(),
        position: None,
        instructions: "Do it slowly.".into(),
        default: Dosage {
            sets: Some(3),
            reps: Some(10),
            hold_seconds: Some(5),
            times_per_day: Some(2),
            days_per_week: Some(5),
            side: None,
            load: None,
        },
    }
}

pub fn library() -> Vec<Exercise> {
    vec![
        exercise(1, "Straight leg raise", &["SLR"], "knee"),
        exercise(2, "Quad set", &["QS", "quad sets"], "knee"),
        exercise(3, "Terminal knee extension", &["TKE"], "knee"),
        exercise(4, "Bridge", &[], "hip"),
        exercise(5, "Chin tuck", &[], "cervical"),
        exercise(6, "Hamstring stretch", &["HS stretch"], "knee"),
    ]
}

/// Pane 3 open on the selected visit's patient: the library (with one template) and an empty
/// program in.
pub fn open_program(s: &mut AppState) {
    press_action(s, super::keymap::Action::ShowProgram);
    let patient_id = s.selected_visit().unwrap().patient_id;
    answer_program_opening(s, patient_id);
}

/// The database's answers to pane 3's opening: the library, one template of two exercises, and
/// an empty program.
pub fn answer_program_opening(s: &mut AppState, patient_id: i64) {
    use crate::db::program_work::ProgramReply;
    use crate::db::worker::Reply;
    use crate::domain::hep::{Program, ProgramItem, Template};
    let reply = |s: &mut AppState, r| update(s, Event::Reply(Reply::Program(r)));
    reply(
        s,
        ProgramReply::Library {
            exercises: library(),
            templates: vec![Template {
                id: 90,
                name: "ACL reconstruction phase 1".into(),
                items: vec![
                    ProgramItem::from_exercise(&library()[1]),
                    ProgramItem::from_exercise(&library()[0]),
                ],
            }],
        },
    );
    reply(
        s,
        ProgramReply::Opened {
            program: Program {
                patient_id,
                version_no: 0,
                items: Vec::new(),
            },
            versions: Vec::new(),
            adherence: Vec::new(),
        },
    );
}

/// Presses the first key bound to `action` in the keymap in force.
pub fn press_action(s: &mut AppState, action: super::keymap::Action) {
    let key = s
        .keymap
        .bindings()
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first().copied())
        .unwrap();
    let m = if key.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    update(s, Event::Key(KeyEvent::new(key.code, m)));
}

/// A patient of the clinic's directory (what the booking form searches).
pub fn patient(id: i64, mrn: &str, first: &str, last: &str) -> crate::domain::patient::Patient {
    crate::domain::patient::Patient {
        id,
        mrn: mrn.into(),
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1995, 6, 15).unwrap(),
        phone: None,
        email: None,
        diagnosis_code: None,
        diagnosis: None,
        body_region: None,
        payer: None,
        plan_of_care: None,
        authorization: None,
        active: true,
        version: 1,
        contact_preference: None,
        consent: Default::default(),
    }
}

/// Three waitlist entries that all fit the fixture's 09:00 with BO (a Friday, 45 minutes),
/// best first: priority 1, then 2, then 4.
pub fn waitlist_entries() -> Vec<crate::domain::waitlist::WaitlistEntry> {
    use crate::domain::waitlist::{PreferredTherapist, TimeWindow, WaitlistEntry};
    use chrono::{NaiveTime, Weekday};
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let added = |d: u32| {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .unwrap()
            .and_time(t(10, 0))
    };
    let entry = |id: i64, name: &str, priority: u8, from, to, minutes, d| WaitlistEntry {
        id,
        site_id: 1,
        patient_id: id * 10,
        patient_name: name.into(),
        mrn: format!("1000{id}"),
        phone: Some("(555) 010-0021".into()),
        therapists: Vec::new(),
        weekdays: Vec::new(),
        window: TimeWindow::new(from, to).unwrap(),
        minutes,
        priority,
        note: None,
        added_at: added(d),
    };
    let mut first = entry(21, "Grace Whitfield", 1, t(8, 0), t(12, 0), 45, 12);
    first.therapists = vec![PreferredTherapist {
        id: 2,
        initials: "BO".into(),
    }];
    first.weekdays = vec![Weekday::Mon, Weekday::Fri];
    first.note = Some("post-op knee, comes at short notice".into());
    let second = entry(22, "Henrik Østergaard", 2, t(9, 0), t(11, 0), 45, 20);
    let mut third = entry(
        23,
        "Samira Benali-Featherstone",
        4,
        t(7, 0),
        t(10, 0),
        30,
        2,
    );
    third.weekdays = vec![Weekday::Fri];
    third.note = Some("prefers the first visit of the day".into());
    vec![first, second, third]
}

/// Visit 3 (09:00 with BO) cancelled at this terminal and the waitlist's answer: three fit.
pub fn offer_freed_slot(s: &mut AppState) {
    use crate::db::schedule::StatusChange;
    use crate::db::worker::Reply;
    let mut cancelled = visits().into_iter().find(|v| v.id == 3).unwrap();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.cancel_reason = Some(CancelReason::Patient);
    cancelled.version = 2;
    let sent = requests(update(
        s,
        Event::Reply(Reply::StatusChanged(StatusChange::Changed {
            previous: crate::domain::appointment::StatusSnapshot {
                status: AppointmentStatus::Scheduled,
                status_changed_at: None,
                checked_in_at: None,
                cancel_reason: None,
            },
            visit: cancelled,
        })),
    ));
    let Some(Request::WaitlistFits(slot)) = sent.first().cloned() else {
        panic!("the waitlist is asked after a cancellation: {sent:?}");
    };
    update(
        s,
        Event::Reply(Reply::WaitlistFits {
            slot,
            entries: waitlist_entries(),
        }),
    );
}

/// The series dialog (its fields, its list with a clash, a choice made) and the question a
/// cancel of a series' visit asks.
fn walk_the_series_screens(
    keymap: &super::keymap::Keymap,
    look: &mut dyn FnMut(&mut AppState, &str),
) {
    use super::keymap::Action;
    use super::state::Modal;
    use crate::db::series_work::{CheckFacts, SeriesWorkReply};
    use crate::db::worker::Reply;

    let mut s = state_for("dfry");
    s.keymap = keymap.clone();
    press_action(&mut s, Action::Book);
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![patient(80, "100008", "Amira", "Haddad")],
            staff: staff(),
            calendar: Default::default(),
        }),
    );
    if let Some(Modal::Booking(form)) = &mut s.modal {
        form.patient_hits = vec![80];
        form.therapist = super::input::LineInput::with_text("AR");
        form.date = super::input::LineInput::with_text("2026-11-30");
        form.time = super::input::LineInput::with_text("10:00");
    }
    press_action(&mut s, Action::NextFreeSlot);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::NextSlot(None))),
    );
    look(&mut s, "the booking form with no free slot");
    press_action(&mut s, Action::BookSeries);
    assert!(matches!(s.modal, Some(Modal::Series(_))));
    look(&mut s, "the series dialog checking the diary");
    let facts = CheckFacts {
        facts: crate::db::series::SeriesFacts {
            calendar: Default::default(),
            plans: Vec::new(),
            terms: Default::default(),
            counted_visits: Vec::new(),
        },
        busy: vec![crate::domain::slots::Busy {
            start: NaiveDate::from_ymd_opt(2026, 12, 3)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            minutes: 45,
        }],
    };
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::Facts(Box::new(facts)))),
    );
    look(&mut s, "the series dialog without weekdays");
    for c in "mon,thu".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    press_action(&mut s, Action::FormNext);
    for c in "4".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    press_action(&mut s, Action::FormSave);
    look(&mut s, "the series' occurrences with a clash");
    press_action(&mut s, Action::FormSave);
    look(&mut s, "a series with a clash left");
    press_action(&mut s, Action::FormNext);
    press_action(&mut s, Action::FormChoiceNext);
    look(&mut s, "a clash skipped");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::FormClose);
    assert!(matches!(s.modal, Some(Modal::Booking(_))));
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());

    let mut s = state_for("dfry");
    s.keymap = keymap.clone();
    s.schedule.selected = Some(3);
    press_action(&mut s, Action::Cancel);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(1),
        })),
    );
    look(&mut s, "the cancel of a series' visit");
    press_action(&mut s, Action::CancelFollowing);
    look(&mut s, "the reason for the following ones");
    press_action(&mut s, Action::CancelBack);
    assert!(s.modal.is_none());
    press_action(&mut s, Action::Reschedule);
    update(
        &mut s,
        Event::Reply(Reply::Series(SeriesWorkReply::SeriesOf {
            visit_id: 3,
            series: Some(1),
        })),
    );
    look(&mut s, "moving a visit of a series");
    press_action(&mut s, Action::FormClose);
}

/// A walk through every pane, dialog, form, list, overlay, the help and the lock, with
/// `keymap` in force; `look` is shown each screen (and its message) on the way.
pub fn walk_every_screen(
    keymap: &super::keymap::Keymap,
    look: &mut dyn FnMut(&mut AppState, &str),
) {
    use super::keymap::Action;
    use super::state::Modal;
    use crate::db::progress_work::ProgressReply;
    use crate::db::worker::Reply;

    let state = || {
        let mut s = state_for("dfry");
        s.keymap = keymap.clone();
        s
    };
    let said = |s: &AppState| s.message.clone().map(|(_, m)| m).unwrap_or_default();
    let mut s = state();
    look(&mut s, "the schedule");
    press_action(&mut s, Action::ShowClinic);
    look(&mut s, "the clinic pane, reading");
    let (from, to) = s.clinic.span(s.today);
    update(
        &mut s,
        Event::Reply(Reply::Clinic(crate::db::clinic_work::ClinicReply::Loaded {
            from,
            to,
            read: std::sync::Arc::new(crate::db::outcomes::OutcomeRead {
                defs: crate::domain::measures::MEASURES.to_vec(),
                episodes: Vec::new(),
            }),
            patients: Default::default(),
        })),
    );
    look(&mut s, "the clinic pane");
    press_action(&mut s, Action::ShowSchedule);
    press_action(&mut s, Action::Down);
    press_action(&mut s, Action::Down);
    press_action(&mut s, Action::Cancel);
    look(&mut s, "the cancel question");
    press_action(&mut s, Action::CancelYes);
    look(&mut s, "the cancel reasons");
    press_action(&mut s, Action::CancelBack);
    assert!(s.modal.is_none());
    update(
        &mut s,
        Event::Reply(Reply::Offline {
            since: "2026-11-27T09:40:00".into(),
        }),
    );
    look(&mut s, "the offline banner");
    press_action(&mut s, Action::CheckIn);
    look(&mut s, "a change refused while offline");
    update(&mut s, Event::Reply(Reply::Online));
    press_action(&mut s, Action::Filter);
    look(&mut s, "the filter being typed");
    for c in "zzz".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    look(&mut s, "a filter that matches nobody");
    press_action(&mut s, Action::FilterKeep);
    look(&mut s, "the filter kept");
    press_action(&mut s, Action::ClearFilter);
    assert!(s.schedule.filter.is_none());
    press_action(&mut s, Action::ToggleMine);
    look(&mut s, "my visits");
    press_action(&mut s, Action::ToggleMine);
    // The patient's answers: one refused for a visit under way, one recorded and said.
    press_action(&mut s, Action::Confirm);
    look(&mut s, "an answer refused for a visit under way");
    press_action(&mut s, Action::Last);
    press_action(&mut s, Action::CantCome);
    let mut declined = s.selected_visit().cloned().unwrap();
    declined.answer = Some(crate::domain::messages::Confirmation::Declined);
    update(
        &mut s,
        Event::Reply(Reply::Answered(crate::db::confirmations::Answered {
            visit: declined,
            answer: crate::domain::messages::VisitAnswer {
                answer: crate::domain::messages::Confirmation::Declined,
                via: crate::domain::messages::AnswerVia::Desk,
                answered_at: "2026-11-27T09:41:00".into(),
                recorded_by: "dfry".into(),
            },
            replaced: None,
            unchanged: false,
        })),
    );
    look(&mut s, "a can't come said");
    press_action(&mut s, Action::First);
    press_action(&mut s, Action::Book);
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![
                patient(10, "100001", "Maria", "Lopez"),
                patient(70, "100007", "Mark", "Lopez"),
            ],
            staff: staff(),
            calendar: Default::default(),
        }),
    );
    for c in "lop".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    look(&mut s, "the booking form with patients found");
    press_action(&mut s, Action::PickNext);
    for c in "zzz".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    look(&mut s, "the booking form with no patient found");
    assert!(
        screen_text(
            &mut s,
            80,
            24,
            &super::theme::Theme::load("default", false).unwrap()
        )
        .contains("registers one")
    );
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());
    press_action(&mut s, Action::Book);
    press_action(&mut s, Action::FormSave);
    look(&mut s, "the booking form's missing patient");
    press_action(&mut s, Action::NextFreeSlot);
    look(&mut s, "the next free slot asked without a therapist");
    press_action(&mut s, Action::BookSeries);
    look(&mut s, "a series asked without a patient");
    press_action(&mut s, Action::FormClose);
    offer_freed_slot(&mut s);
    look(&mut s, "the waitlist's fits said after a cancellation");
    press_action(&mut s, Action::Waitlist);
    assert!(matches!(s.modal, Some(Modal::Waitlist { .. })));
    look(&mut s, "the waitlist fits for the freed slot");
    press_action(&mut s, Action::ListDown);
    press_action(&mut s, Action::ListPick);
    assert!(matches!(s.modal, Some(Modal::Booking(_))));
    update(
        &mut s,
        Event::Reply(Reply::Directory {
            patients: vec![patient(220, "100022", "Henrik", "Østergaard")],
            staff: staff(),
            calendar: Default::default(),
        }),
    );
    look(&mut s, "the booking form from the waitlist");
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());
    walk_the_series_screens(keymap, look);
    press_action(&mut s, Action::NewPatient);
    key(&mut s, KeyCode::Char('z'));
    look(&mut s, "the new patient form");
    // A quit key that types nothing (Ctrl-C) asks over the form, which stays as it was.
    let quit = s
        .keymap
        .bindings()
        .iter()
        .find(|b| b.action == Action::Quit)
        .and_then(|b| b.keys.iter().find(|k| !k.types_text()).copied())
        .unwrap();
    let m = if quit.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    update(&mut s, Event::Key(KeyEvent::new(quit.code, m)));
    assert!(s.asking_quit && matches!(s.modal, Some(Modal::NewPatient(_))));
    look(&mut s, "the quit question over a form");
    key(&mut s, KeyCode::Char('n'));
    assert!(!s.quit && matches!(s.modal, Some(Modal::NewPatient(_))));
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::Help);
    look(&mut s, "the help");
    press_action(&mut s, Action::HelpPageDown);
    look(&mut s, "the help scrolled");
    press_action(&mut s, Action::HelpClose);

    // Pane 2: the summary, the chart, the record form and the note editor.
    let mut s = state_for("aruiz");
    s.keymap = keymap.clone();
    s.schedule.selected = Some(1);
    press_action(&mut s, Action::ShowProgress);
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Loaded {
            patient_id: 10,
            progress: Some(Box::new(progress())),
            adherence: Vec::new(),
        })),
    );
    look(&mut s, "pane 2");
    press_action(&mut s, Action::OpenChart);
    look(&mut s, "the chart");
    press_action(&mut s, Action::ChartClose);
    press_action(&mut s, Action::RecordMeasure);
    look(&mut s, "the record form");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::EditNote);
    let appointment_id = s.selected_visit().unwrap().id;
    update(
        &mut s,
        Event::Reply(Reply::Progress(ProgressReply::Note {
            appointment_id,
            payer_rule: None,
            note: None,
        })),
    );
    look(&mut s, "the note editor");
    press_action(&mut s, Action::NoteClose);

    // Pane 3: the search being typed, a program, its overlays and their messages.
    let mut s = state_for("aruiz");
    s.keymap = keymap.clone();
    open_program(&mut s);
    assert_eq!(s.pane, super::state::Pane::Program);
    look(&mut s, "pane 3");
    press_action(&mut s, Action::HepSave);
    assert!(said(&s).starts_with("nothing to save yet"), "{}", said(&s));
    look(&mut s, "an empty program's save");
    press_action(&mut s, Action::HepSearch);
    look(&mut s, "the search being typed");
    for c in "slr".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    press_action(&mut s, Action::SearchAdd);
    look(&mut s, "an exercise added");
    press_action(&mut s, Action::SearchDone);
    press_action(&mut s, Action::HepEdit);
    look(&mut s, "the dosage form");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::HepNote);
    look(&mut s, "an exercise's note");
    press_action(&mut s, Action::ItemNoteDone);
    press_action(&mut s, Action::HepTemplates);
    look(&mut s, "the templates");
    press_action(&mut s, Action::ListPick);
    look(&mut s, "a template being named");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::ListClose);
    press_action(&mut s, Action::HepAdherence);
    look(&mut s, "the adherence form");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::HepRemove);
    assert!(said(&s).starts_with("removed"), "{}", said(&s));
    look(&mut s, "an exercise removed");

    // A day with no visits: the patients' panes say how to choose one.
    let mut s = state();
    s.set_day(day(), Vec::new(), "2026-11-27T09:41:07".into());
    look(&mut s, "an empty day");
    press_action(&mut s, Action::ShowProgress);
    look(&mut s, "pane 2 with no visit chosen");
    press_action(&mut s, Action::ShowProgram);
    press_action(&mut s, Action::HepSave);
    assert!(said(&s).starts_with("select a visit"), "{}", said(&s));
    look(&mut s, "pane 3 with no visit chosen");

    // The desk's patient screens: the finder, a record with a detail and an authorisation
    // being edited, the patients to call, the registration's warning of a match.
    let mut s = state();
    press_action(&mut s, Action::FindPatient);
    look(&mut s, "the finder, reading");
    // Opened afresh: with the finder open, its key would be typed into the search.
    press_action(&mut s, Action::FinderClose);
    super::record::tests::open_record_through_finder(&mut s);
    assert!(s.desk.record.as_ref().is_some_and(|r| r.record.is_some()));
    look(&mut s, "the patient record");
    press_action(&mut s, Action::RecordEdit);
    look(&mut s, "a detail being edited");
    key(&mut s, KeyCode::Char('z'));
    press_action(&mut s, Action::FormClose);
    look(&mut s, "a detail's discard");
    press_action(&mut s, Action::FormClose);
    // Down to the consent to texts: the choice and its hint.
    for _ in 0..7 {
        press_action(&mut s, Action::RecordDown);
    }
    press_action(&mut s, Action::RecordEdit);
    assert!(matches!(
        s.desk.record.as_ref().and_then(|r| r.edit.as_ref()),
        Some(super::record::state::Edit::Consent { .. })
    ));
    look(&mut s, "a consent being chosen");
    press_action(&mut s, Action::FormChoiceNext);
    look(&mut s, "another consent chosen");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::RecordAddAuth);
    look(&mut s, "an authorisation being added");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::RecordAddWaitlist);
    look(&mut s, "a waitlist entry being added");
    press_action(&mut s, Action::FormClose);
    press_action(&mut s, Action::RecordClose);
    look(&mut s, "the finder after the record");
    press_action(&mut s, Action::FinderClose);
    press_action(&mut s, Action::ShowUnscheduled);
    update(
        &mut s,
        Event::Reply(Reply::Record(
            crate::db::record_work::RecordReply::Unscheduled(Vec::new()),
        )),
    );
    look(&mut s, "the patients to call");
    press_action(&mut s, Action::CallsClose);
    press_action(&mut s, Action::NewPatient);
    for text in ["Maria", "Lopez", "1961-06-15"] {
        for c in text.chars() {
            key(&mut s, KeyCode::Char(c));
        }
        press_action(&mut s, Action::FormNext);
    }
    press_action(&mut s, Action::FormSaveNow);
    let p = match s.modal.as_ref() {
        Some(Modal::NewPatient(f)) => f.form().validate(day()).unwrap(),
        _ => panic!("no new patient form"),
    };
    update(
        &mut s,
        Event::Reply(Reply::Record(
            crate::db::record_work::RecordReply::Lookalikes {
                patient: p,
                matches: vec![patient(10, "100001", "Maria", "Lopez")],
            },
        )),
    );
    look(&mut s, "a registration that matches a patient");
    press_action(&mut s, Action::FormOpenMatch);
    assert!(s.desk.record.is_some());
    // The week: one therapist's, the next therapist's, the therapists side by side.
    let mut s = state();
    open_week(&mut s);
    look(&mut s, "the week");
    press_action(&mut s, Action::WeekTherapist);
    look(&mut s, "the next therapist's week");
    press_action(&mut s, Action::WeekLayout);
    look(&mut s, "the therapists side by side");
    press_action(&mut s, Action::WeekToggle);
    assert!(s.schedule.week.is_none());

    // Go to date: the prompt, and a date that is not one.
    let mut s = state();
    press_action(&mut s, Action::GoToDate);
    look(&mut s, "the go-to-date prompt");
    for c in "31/31".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    press_action(&mut s, Action::FormSave);
    assert!(matches!(s.modal, Some(Modal::GoToDate(ref p)) if p.error.is_some()));
    look(&mut s, "a date that is not one");
    press_action(&mut s, Action::FormClose);
    assert!(s.modal.is_none());

    // The lock: its title, an empty PIN's answer.
    let mut s = state();
    s.locked = true;
    s.lock.need = crate::domain::pin::PinNeed::Pin;
    look(&mut s, "the lock");
    press_action(&mut s, Action::LockUnlock);
    assert!(s.lock.message.is_some());
    look(&mut s, "the lock's answer");
}

/// The fixture day's week: its visits and a few on other days (Thursday 26 is a closed date).
pub fn week_visits() -> Vec<Visit> {
    use AppointmentStatus::*;
    use VisitKind::*;
    let on = |days: i64, v: Visit| Visit {
        start: v.start + chrono::Duration::days(days),
        ..v
    };
    let mut all = visits();
    all.extend([
        on(
            -4,
            visit(
                21,
                8,
                0,
                60,
                "Maria Lopez",
                "100001",
                1961,
                0,
                Evaluation,
                Completed,
            ),
        ),
        on(
            -4,
            visit(
                22,
                10,
                0,
                45,
                "Kwame Mensah",
                "100002",
                1990,
                0,
                Treatment,
                Completed,
            ),
        ),
        on(
            -3,
            visit(
                23,
                9,
                0,
                45,
                "Amira Haddad",
                "100008",
                1995,
                0,
                Treatment,
                NoShow,
            ),
        ),
        on(
            -2,
            visit(
                24,
                14,
                0,
                60,
                "Mark Lopez",
                "100007",
                1983,
                1,
                Treatment,
                Completed,
            ),
        ),
        on(
            1,
            visit(
                25,
                9,
                0,
                45,
                "Kwame Mensah",
                "100002",
                1990,
                0,
                Treatment,
                Scheduled,
            ),
        ),
    ]);
    all.sort_by_key(|v| (v.start, v.therapist_initials.clone(), v.id));
    all
}

/// Hours 08:00–17:00 on weekdays and 08:00–12:00 on Saturdays; closed on 26 November.
pub fn week_calendar() -> crate::domain::clinic_hours::ClinicCalendar {
    use crate::domain::clinic_hours::{ClinicCalendar, ClosedDay, DayHours};
    let h = |open, close| {
        Some(DayHours {
            open: chrono::NaiveTime::from_hms_opt(open, 0, 0).unwrap(),
            close: chrono::NaiveTime::from_hms_opt(close, 0, 0).unwrap(),
        })
    };
    ClinicCalendar {
        week: [
            h(8, 17),
            h(8, 17),
            h(8, 17),
            h(8, 17),
            h(8, 17),
            h(8, 12),
            None,
        ],
        closed: vec![ClosedDay {
            date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            reason: Some("Thanksgiving".into()),
        }],
    }
}

/// The week view opened from the day, with the fixture's week loaded.
pub fn open_week(s: &mut AppState) {
    use crate::db::worker::Reply;
    press_action(s, super::keymap::Action::WeekToggle);
    update(
        s,
        Event::Reply(Reply::Week {
            monday: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            visits: week_visits(),
            calendar: week_calendar(),
            loaded_at: "2026-11-27T09:41:07".into(),
        }),
    );
}

/// A site with no address, phone, rooms or hours of its own, where `staff` work.
pub fn site(id: i64, name: &str, staff: Vec<i64>) -> crate::domain::sites::Site {
    crate::domain::sites::Site {
        id,
        name: name.into(),
        address: None,
        phone: None,
        active: true,
        version: 1,
        rooms: Vec::new(),
        hours: [None; 7],
        staff,
    }
}

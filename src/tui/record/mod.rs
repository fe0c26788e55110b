//! Any patient, found and opened: the finder (`search::patients`, the matching of
//! `ptclinic patients --search`), the patients falling through the cracks (`report
//! unscheduled`), and the patient's record, where every detail, the consent to each channel
//! and every authorisation is edited with the version check the store makes. Their keys, the
//! database's answers to them, and the registration's warning of a patient the clinic already
//! has (`duplicate`).

pub mod duplicate;
pub mod state;
pub mod view;

#[cfg(test)]
pub(crate) mod tests;

use crossterm::event::KeyEvent;

use super::event::Effect;
use super::forms::BookingForm;
use super::input::LineInput;
use super::keymap::{Action, Scope};
use super::modal::Modal;
use super::pane::{Context, Level, Outcome};
use crate::db::record_work::{RecordReply, RecordRequest};
use crate::db::worker::Request;
use crate::domain::VisitKind;
use crate::domain::messages::ConsentStep;
use crate::domain::patient_record::{AuthField, AuthForm, PatientDetail};
use crate::error::{AppError, ErrorKind};
use crate::search::patients::find;
use state::{Calls, Desk, Edit, EditState, Finder, RecordScreen, Row};

/// A patient to book, as the finder, the record or the call list hands them to the booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFor {
    pub patient_id: i64,
    pub mrn: String,
}

/// What a key in the desk's screens did: the app's outcome, and a booking to open.
#[derive(Debug, Default)]
pub struct Turn {
    pub out: Outcome,
    pub book: Option<BookFor>,
}

fn ask(r: RecordRequest) -> Effect {
    Effect::Db(Request::Record(r))
}

pub fn open_finder(desk: &mut Desk, ctx: &Context) -> Outcome {
    desk.finder = Some(Finder {
        loading: true,
        ..Finder::default()
    });
    vec![ask(RecordRequest::Directory {
        today: ctx.today,
        now: ctx.now,
    })]
    .into()
}

pub fn open_calls(desk: &mut Desk, ctx: &Context) -> Outcome {
    desk.calls = Some(Calls {
        loading: true,
        ..Calls::default()
    });
    vec![ask(RecordRequest::Unscheduled {
        today: ctx.today,
        now: ctx.now,
    })]
    .into()
}

pub fn open_record(desk: &mut Desk, ctx: &Context, patient_id: i64) -> Outcome {
    desk.record = Some(RecordScreen {
        patient_id,
        ..RecordScreen::default()
    });
    vec![load(ctx, patient_id, true)].into()
}

fn load(ctx: &Context, patient_id: i64, opened: bool) -> Effect {
    ask(RecordRequest::Open {
        patient_id,
        today: ctx.today,
        opened,
    })
}

/// The booking form for a patient handed over by the desk: an evaluation for one just
/// registered, else a treatment, on `day`, with the user as therapist when they are one.
pub fn booking_for(ctx: &Context, day: chrono::NaiveDate, b: &BookFor, kind: VisitKind) -> Modal {
    let me = ctx.me.filter(|s| s.role == crate::domain::Role::Therapist);
    Modal::Booking(Box::new(BookingForm::for_patient(
        day,
        me,
        b.patient_id,
        &b.mrn,
        kind,
    )))
}

/// Refilters the finder's patients for what is typed.
pub fn refresh_hits(desk: &mut Desk) {
    let Some(f) = desk.finder.as_mut() else {
        return;
    };
    f.hits = if f.input.text().trim().is_empty() {
        (0..f.entries.len()).collect()
    } else {
        find(&desk.matcher, &f.keys, f.input.text())
            .into_iter()
            .map(|h| h.index)
            .collect()
    };
    f.pick = 0;
}

pub fn on_paste(desk: &mut Desk, text: &str) {
    if let Some(r) = desk.record.as_mut() {
        if let Some(edit) = r.edit.as_mut().filter(|e| !e.state().saving) {
            let input = match edit {
                Edit::Detail { input, .. } => input,
                Edit::Authorization { fields, focus, .. } => &mut fields[*focus],
                Edit::Waitlist { fields, focus, .. } => &mut fields[*focus],
                // Chosen, not typed.
                Edit::Consent { .. } => return,
            };
            if input.insert_text(text) {
                edit.state_mut().touched = true;
            }
        }
        return;
    }
    if let Some(f) = desk.finder.as_mut() {
        if f.input.insert_text(text) {
            refresh_hits(desk);
        }
    }
}

/// A key while one of the desk's screens is open: the record in front, else the list.
pub fn on_key(desk: &mut Desk, ctx: &Context, key: &KeyEvent) -> Turn {
    if desk.record.is_some() {
        return on_record_key(desk, ctx, key);
    }
    if desk.calls.is_some() {
        return on_calls_key(desk, ctx, key);
    }
    on_finder_key(desk, ctx, key)
}

fn on_finder_key(desk: &mut Desk, ctx: &Context, key: &KeyEvent) -> Turn {
    let mut turn = Turn::default();
    let Some(f) = desk.finder.as_mut() else {
        return turn;
    };
    match ctx.keymap.resolve(key, Scope::Finder) {
        Some(Action::FinderClose) => desk.finder = None,
        Some(Action::FinderUp) => f.pick = f.pick.saturating_sub(1),
        Some(Action::FinderDown) => {
            f.pick = (f.pick + 1).min(f.hits.len().saturating_sub(1));
        }
        Some(Action::FinderOpen) => match f.picked() {
            Some(p) => {
                let id = p.patient_id;
                turn.out = open_record(desk, ctx, id);
            }
            None if f.loading => turn.out.say(Level::Info, "still reading the patients"),
            None => turn.out.say(Level::Info, "no patient matches: type less"),
        },
        _ => {
            if f.input.handle(key).changed() {
                refresh_hits(desk);
            }
        }
    }
    turn
}

fn on_calls_key(desk: &mut Desk, ctx: &Context, key: &KeyEvent) -> Turn {
    let mut turn = Turn::default();
    let Some(c) = desk.calls.as_mut() else {
        return turn;
    };
    let picked = c.rows.get(c.pick).map(|r| (r.patient_id, r.mrn.clone()));
    match ctx.keymap.resolve(key, Scope::Calls) {
        Some(Action::CallsClose) => desk.calls = None,
        Some(Action::CallsUp) => c.pick = c.pick.saturating_sub(1),
        Some(Action::CallsDown) => c.pick = (c.pick + 1).min(c.rows.len().saturating_sub(1)),
        Some(Action::CallsOpen) => {
            if let Some((id, _)) = picked {
                turn.out = open_record(desk, ctx, id);
            }
        }
        Some(Action::CallsBook) => {
            if let Some((patient_id, mrn)) = picked {
                turn.book = Some(BookFor { patient_id, mrn });
            }
        }
        _ => {}
    }
    turn
}

fn on_record_key(desk: &mut Desk, ctx: &Context, key: &KeyEvent) -> Turn {
    let mut turn = Turn::default();
    let Some(r) = desk.record.as_mut() else {
        return turn;
    };
    if r.edit.is_some() {
        turn.out = on_edit_key(r, ctx, key);
        return turn;
    }
    match ctx.keymap.resolve(key, Scope::Record) {
        Some(Action::RecordClose) => desk.record = None,
        Some(Action::RecordUp) => r.row = r.row.saturating_sub(1),
        Some(Action::RecordDown) => r.row = (r.row + 1).min(r.rows().saturating_sub(1)),
        Some(Action::RecordEdit) => start_edit(r, ctx, &mut turn.out),
        Some(Action::RecordAddAuth) if r.record.is_some() => {
            let payer = r
                .record
                .as_ref()
                .and_then(|rec| rec.patient.payer.clone())
                .unwrap_or_default();
            r.edit = Some(Edit::Authorization {
                editing: None,
                fields: [
                    LineInput::with_text(&payer),
                    LineInput::with_text(&ctx.today.format("%Y-%m-%d").to_string()),
                    LineInput::default(),
                    LineInput::default(),
                ],
                focus: 0,
                error_field: None,
                state: EditState::default(),
            });
        }
        Some(Action::RecordAddWaitlist) if r.record.is_some() => {
            use crate::domain::waitlist::{MINUTES_DEFAULT, PRIORITY_DEFAULT};
            let mut fields: [LineInput; 6] = Default::default();
            fields[3] = LineInput::with_text(&MINUTES_DEFAULT.to_string());
            fields[4] = LineInput::with_text(&PRIORITY_DEFAULT.to_string());
            // The times are the one field an entry cannot do without.
            r.edit = Some(Edit::Waitlist {
                fields,
                focus: 2,
                state: EditState::default(),
            });
        }
        Some(Action::RecordBook) => match r.record.as_ref().map(|rec| &rec.patient) {
            Some(p) if p.active => {
                turn.book = Some(BookFor {
                    patient_id: p.id,
                    mrn: p.mrn.clone(),
                })
            }
            Some(_) => turn.out.say(
                Level::Warning,
                "this patient is inactive: only active patients are booked",
            ),
            None => {}
        },
        _ => {}
    }
    turn
}

fn start_edit(r: &mut RecordScreen, ctx: &Context, out: &mut Outcome) {
    let Some(record) = r.record.as_ref() else {
        return;
    };
    r.edit = match r.row() {
        Row::Detail(detail) => Some(Edit::Detail {
            detail,
            input: LineInput::with_text(&detail.text_of(&record.patient)),
            state: EditState::default(),
        }),
        Row::Consent(channel) => {
            let step = record.patient.consent.standing(channel).step();
            let choices: Vec<&str> = ConsentStep::ALL.iter().map(|s| s.label()).collect();
            out.say(
                Level::Info,
                format!(
                    "{} ({}/{} choose)",
                    choices.join(", "),
                    ctx.keymap.label(Action::FormChoicePrev),
                    ctx.keymap.label(Action::FormChoiceNext)
                ),
            );
            Some(Edit::Consent {
                channel,
                step,
                state: EditState::default(),
            })
        }
        Row::Authorization(i) => {
            let Some(a) = r.authorization(i) else {
                return;
            };
            let form = AuthForm::of(a);
            Some(Edit::Authorization {
                editing: Some((a.id, a.version, a.reference.clone())),
                fields: [
                    LineInput::with_text(&form.payer),
                    LineInput::with_text(&form.starts_on),
                    LineInput::with_text(&form.ends_on),
                    LineInput::with_text(&form.visits),
                ],
                focus: 0,
                error_field: None,
                state: EditState::default(),
            })
        }
    };
    if let Some(Edit::Detail {
        detail: PatientDetail::ContactPreference,
        ..
    }) = r.edit
    {
        out.say(
            Level::Info,
            format!(
                "phone, text or email ({}/{} choose; empty: not said)",
                ctx.keymap.label(Action::FormChoicePrev),
                ctx.keymap.label(Action::FormChoiceNext)
            ),
        );
    }
}

/// The next contact preference after `text` (or before it), round through "not said".
fn cycle_preference(text: &str, back: bool) -> String {
    use crate::domain::patient::ContactPreference as C;
    let mut all: Vec<String> = C::ALL.iter().map(|c| c.as_str().to_string()).collect();
    all.push(String::new());
    let at = all
        .iter()
        .position(|c| c.eq_ignore_ascii_case(text.trim()))
        .unwrap_or(all.len() - 1);
    let next = if back { at + all.len() - 1 } else { at + 1 };
    all[next % all.len()].clone()
}

fn on_edit_key(r: &mut RecordScreen, ctx: &Context, key: &KeyEvent) -> Outcome {
    let mut out = Outcome::default();
    let Some(edit) = r.edit.as_mut() else {
        return out;
    };
    if edit.state().saving {
        return out;
    }
    let action = ctx.keymap.resolve(key, Scope::Form);
    if action != Some(Action::FormClose) {
        edit.state_mut().discard_armed = false;
    }
    match (action, &mut *edit) {
        (Some(Action::FormClose), _) => {
            let s = edit.state_mut();
            if !s.touched || s.discard_armed {
                r.edit = None;
            } else {
                s.discard_armed = true;
            }
        }
        (Some(Action::FormSave), Edit::Authorization { focus, .. }) if *focus + 1 < 4 => {
            *focus += 1;
        }
        (Some(Action::FormSave), Edit::Waitlist { focus, .. }) if *focus + 1 < 6 => {
            *focus += 1;
        }
        (Some(Action::FormSave | Action::FormSaveNow), _) => return save(r, ctx),
        (Some(Action::FormNext), Edit::Waitlist { focus, .. }) => {
            *focus = (*focus + 1).min(5);
        }
        (Some(Action::FormPrev), Edit::Waitlist { focus, .. }) => {
            *focus = focus.saturating_sub(1);
        }
        (
            _,
            Edit::Waitlist {
                fields,
                focus,
                state,
            },
        ) => {
            if fields[*focus].handle(key).changed() {
                state.touched = true;
                state.error = None;
            }
        }
        (Some(Action::FormNext), Edit::Authorization { focus, .. }) => {
            *focus = (*focus + 1).min(3);
        }
        (Some(Action::FormPrev), Edit::Authorization { focus, .. }) => {
            *focus = focus.saturating_sub(1);
        }
        (
            Some(a @ (Action::FormChoicePrev | Action::FormChoiceNext)),
            Edit::Detail {
                detail: PatientDetail::ContactPreference,
                input,
                state,
            },
        ) => {
            let next = cycle_preference(input.text(), a == Action::FormChoicePrev);
            *input = LineInput::with_text(&next);
            state.touched = true;
            state.error = None;
        }
        (
            Some(a @ (Action::FormChoicePrev | Action::FormChoiceNext)),
            Edit::Consent { step, state, .. },
        ) => {
            let all = ConsentStep::ALL;
            let at = all.iter().position(|s| s == step).unwrap_or(0);
            let next = if a == Action::FormChoicePrev {
                at + all.len() - 1
            } else {
                at + 1
            };
            *step = all[next % all.len()];
            state.touched = true;
            state.error = None;
        }
        (_, Edit::Consent { .. }) => {}
        (_, Edit::Detail { input, state, .. }) => {
            if input.handle(key).changed() {
                state.touched = true;
                state.error = None;
            }
        }
        (
            _,
            Edit::Authorization {
                fields,
                focus,
                state,
                ..
            },
        ) => {
            if fields[*focus].handle(key).changed() {
                state.touched = true;
                state.error = None;
            }
        }
    }
    out.clear_message();
    out
}

fn save(r: &mut RecordScreen, ctx: &Context) -> Outcome {
    let mut out = Outcome::default();
    let (Some(record), Some(edit)) = (r.record.as_ref(), r.edit.as_mut()) else {
        return out;
    };
    let patient_id = record.patient.id;
    let request = match edit {
        Edit::Detail {
            detail,
            input,
            state,
        } => {
            // Checked here so the message is inline at once; the store checks again.
            if let Err(m) =
                crate::domain::patient_record::check_detail(*detail, input.text(), ctx.today)
            {
                state.error = Some(m);
                return out;
            }
            RecordRequest::SaveDetail {
                patient_id,
                seen_version: record.patient.version,
                detail: *detail,
                text: input.text().to_string(),
                today: ctx.today,
            }
        }
        Edit::Consent { channel, step, .. } => RecordRequest::SetConsent {
            patient_id,
            seen_version: record.patient.version,
            channel: *channel,
            step: *step,
            today: ctx.today,
        },
        Edit::Waitlist { fields, state, .. } => {
            let Some(site_id) = ctx.site else {
                state.error = Some(crate::tui::forms::pick_a_site_first(ctx.keymap));
                return out;
            };
            RecordRequest::AddWaitlist {
                patient_id,
                site_id,
                typed: Edit::typed_waitlist(fields),
                today: ctx.today,
            }
        }
        Edit::Authorization {
            editing,
            fields,
            focus,
            error_field,
            state,
        } => {
            let reference = editing.as_ref().and_then(|(_, _, r)| r.clone());
            let request = match Edit::auth_form(fields).read(reference, ctx.today) {
                Ok(request) => request,
                Err((field, m)) => {
                    *focus = AuthField::ALL.iter().position(|f| *f == field).unwrap_or(0);
                    *error_field = Some(field);
                    state.error = Some(m);
                    return out;
                }
            };
            *error_field = None;
            match editing {
                Some((id, version, _)) => RecordRequest::EditAuthorization {
                    patient_id,
                    id: *id,
                    seen_version: *version,
                    request,
                    today: ctx.today,
                },
                None => RecordRequest::AddAuthorization {
                    patient_id,
                    request,
                    today: ctx.today,
                },
            }
        }
    };
    let state = edit.state_mut();
    state.error = None;
    state.saving = true;
    out.write(ask(request));
    out
}

/// The database's answers for the desk's screens.
pub fn on_reply(desk: &mut Desk, reply: RecordReply) -> Outcome {
    let mut out = Outcome::default();
    match reply {
        RecordReply::Directory(entries) => {
            if let Some(f) = desk.finder.as_mut() {
                f.keys = crate::db::desk_lists::search_keys(&entries);
                f.entries = entries;
                f.loading = false;
                refresh_hits(desk);
            }
        }
        RecordReply::Unscheduled(rows) => {
            if let Some(c) = desk.calls.as_mut() {
                c.rows = rows;
                c.loading = false;
                c.pick = c.pick.min(c.rows.len().saturating_sub(1));
            }
        }
        RecordReply::Opened(record) => {
            if let Some(r) = desk
                .record
                .as_mut()
                .filter(|r| r.patient_id == record.patient.id)
            {
                r.record = Some(*record);
                r.row = r.row.min(r.rows().saturating_sub(1));
            }
        }
        RecordReply::Changed { record, note } => {
            out.end_write();
            refresh_entry(desk, &record.patient);
            if let Some(r) = desk
                .record
                .as_mut()
                .filter(|r| r.patient_id == record.patient.id)
            {
                r.record = Some(*record);
                r.edit = None;
                r.row = r.row.min(r.rows().saturating_sub(1));
            }
            out.say(Level::Info, note);
        }
        // The registration form's: see `duplicate`.
        RecordReply::Lookalikes { .. } => {}
    }
    out
}

/// A patient changed in their record is found by what they are now: the finder's row and its
/// search key follow (the list was read once, when the finder opened).
fn refresh_entry(desk: &mut Desk, p: &crate::domain::patient::Patient) {
    let Some(f) = desk.finder.as_mut() else {
        return;
    };
    let Some(at) = f.entries.iter().position(|e| e.patient_id == p.id) else {
        return;
    };
    let e = &mut f.entries[at];
    e.first_name = p.first_name.clone();
    e.last_name = p.last_name.clone();
    e.date_of_birth = p.date_of_birth;
    e.phone = p.phone.clone();
    e.email = p.email.clone();
    if let Some(key) = crate::db::desk_lists::search_keys(std::slice::from_ref(e)).pop() {
        f.keys[at] = key;
    }
}

/// A request of the desk's failed. A change refused (a stale version, a bad field) keeps the
/// edit open with what was typed and says why inline; the record is read again so that the
/// next save is made over what is there now. Returns the effects and the status line's text.
pub fn on_failed(desk: &mut Desk, ctx: &Context, error: &AppError) -> (Vec<Effect>, String) {
    let Some(r) = desk.record.as_mut() else {
        if let Some(f) = desk.finder.as_mut() {
            f.loading = false;
        }
        if let Some(c) = desk.calls.as_mut() {
            c.loading = false;
        }
        return (Vec::new(), error.message.clone());
    };
    let mut effects = Vec::new();
    if let Some(edit) = r.edit.as_mut().filter(|e| e.state().saving) {
        let state = edit.state_mut();
        state.saving = false;
        state.error = Some(error.message.clone());
        if error.kind == ErrorKind::Conflict {
            effects.push(load(ctx, r.patient_id, false));
        }
    }
    (effects, error.message.clone())
}

/// A visit was booked: an open record of that patient shows it, and an open list of patients
/// to call is read again (the patient may no longer be one).
pub fn on_booked(desk: &mut Desk, ctx: &Context, patient_id: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    if desk
        .record
        .as_ref()
        .is_some_and(|r| r.patient_id == patient_id)
    {
        effects.push(load(ctx, patient_id, false));
    }
    if let Some(c) = desk.calls.as_mut() {
        c.loading = true;
        effects.push(ask(RecordRequest::Unscheduled {
            today: ctx.today,
            now: ctx.now,
        }));
    }
    effects
}

//! The booking form's "next free slot" and series of visits, and "this visit or this and the
//! following ones" when a visit of a series is cancelled.
//!
//! The series dialog is checked as it is typed: the database thread reads once what the check
//! needs (the clinic's calendar, the therapist's diary, the patient's plan of care and
//! authorisations) and every change of a field or of a clash's choice is checked again here,
//! with the same rules `ptclinic book` uses. Nothing is booked until the whole list is
//! resolved, and then in one transaction.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use crossterm::event::KeyEvent;

use super::Parts;
use crate::db::schedule::Booking;
use crate::db::series_work::{self, CheckFacts, SeriesWork, SeriesWorkReply};
use crate::db::worker::Request;
use crate::domain::AppointmentStatus;
use crate::domain::appointment;
use crate::domain::series::{self, Checked, Outcome, Resolution, TypedSeries};
use crate::domain::slots::SEARCH_DAYS;
use crate::tui::event::Effect;
use crate::tui::forms::{BookingField, BookingForm, BookingMode, find_therapist};
use crate::tui::input::LineInput;
use crate::tui::keymap::{Action, Keymap, Scope};
use crate::tui::modal::Modal;
use crate::tui::pane::{Context, Level};

/// The series dialog's typed fields, then the list of occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesField {
    Weekdays,
    Count,
    Until,
    List,
}

impl SeriesField {
    pub const ALL: [SeriesField; 4] = [
        SeriesField::Weekdays,
        SeriesField::Count,
        SeriesField::Until,
        SeriesField::List,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SeriesField::Weekdays => "Weekdays",
            SeriesField::Count => "Visits",
            SeriesField::Until => "Until",
            SeriesField::List => "Occurrences",
        }
    }
}

pub use super::dialogs::SeriesDialog;

/// What a key did in the series dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesOutcome {
    Stay,
    Book,
    Close,
}

fn cycle(choice: Option<Resolution>, forward: bool) -> Option<Resolution> {
    const ORDER: [Option<Resolution>; 4] = [
        None,
        Some(Resolution::Skip),
        Some(Resolution::Move),
        Some(Resolution::BookAnyway),
    ];
    let at = ORDER.iter().position(|c| *c == choice).unwrap_or(0);
    let next = if forward {
        at + 1
    } else {
        at + ORDER.len() - 1
    };
    ORDER[next % ORDER.len()]
}

impl SeriesDialog {
    pub fn new(first: Booking, patient_name: String, therapist_initials: String) -> Self {
        SeriesDialog {
            first,
            patient_name,
            therapist_initials,
            weekdays: LineInput::default(),
            count: LineInput::default(),
            until: LineInput::default(),
            focus: 0,
            facts: None,
            request: None,
            checked: Vec::new(),
            choices: Vec::new(),
            selected: 0,
            error: None,
            filled_in: Vec::new(),
            touched: false,
            discard_armed: false,
            saving: false,
            from_form: None,
        }
    }

    pub fn field(&self) -> SeriesField {
        SeriesField::ALL[self.focus]
    }

    pub fn is_dirty(&self) -> bool {
        self.touched
    }

    fn input_mut(&mut self, field: SeriesField) -> Option<&mut LineInput> {
        match field {
            SeriesField::Weekdays => Some(&mut self.weekdays),
            SeriesField::Count => Some(&mut self.count),
            SeriesField::Until => Some(&mut self.until),
            SeriesField::List => None,
        }
    }

    /// The fields as the series' rules read them.
    fn typed(&self) -> Result<TypedSeries, String> {
        let text = |i: &LineInput| Some(i.text().trim().to_string()).filter(|t| !t.is_empty());
        let count = text(&self.count)
            .map(|c| {
                c.parse::<i64>()
                    .map_err(|_| format!("\"{c}\" is not a number of visits"))
            })
            .transpose()?;
        let until = text(&self.until);
        if count.is_some() && until.is_some() {
            return Err("give a number of visits or an end date, not both".into());
        }
        Ok(TypedSeries {
            weekdays: text(&self.weekdays),
            time: self.first.start.format("%H:%M").to_string(),
            minutes: self.first.minutes,
            start: self.first.start.date().format("%Y-%m-%d").to_string(),
            count,
            until,
        })
    }

    /// Takes in what the check reads and fills the empty fields from the plan of care.
    pub fn take_facts(&mut self, facts: Box<CheckFacts>, ctx: &Context) {
        let start = self.first.start.date();
        let blank = self.weekdays.is_empty() && self.count.is_empty() && self.until.is_empty();
        if let (true, Some(plan)) = (blank, series_work::plan_frequency(&facts, start)) {
            let typed = TypedSeries {
                weekdays: None,
                count: None,
                until: None,
                ..self.typed().unwrap_or_default()
            };
            if let Ok(r) = series::read_series(&typed, Some(plan), &facts.facts.calendar, ctx.today)
            {
                self.weekdays = LineInput::with_text(&r.weekdays_text());
                self.count = LineInput::with_text(&r.occurrences.len().to_string());
                // One line the dialog has room for; the rule's own sentences are `ptclinic book`'s.
                self.filled_in = vec![format!(
                    "from the plan of care's {}x/week for {} weeks, spread from {}",
                    plan.visits_per_week,
                    plan.weeks,
                    crate::domain::clinic_hours::weekday_name(chrono::Datelike::weekday(&start))
                )];
            }
        }
        self.facts = Some(facts);
        self.recheck(ctx);
    }

    /// Reads the fields and checks each occurrence again, keeping the choices made while the
    /// occurrences stay the same.
    pub fn recheck(&mut self, ctx: &Context) {
        let Some(facts) = self.facts.as_deref() else {
            return;
        };
        let read = self.typed().and_then(|t| {
            if t.weekdays.is_none() {
                return Err("type the weekdays, such as mon,thu".into());
            }
            series::read_series(&t, None, &facts.facts.calendar, ctx.today)
        });
        match read {
            Err(e) => {
                self.error = Some(e);
                self.request = None;
                self.checked.clear();
            }
            Ok(r) => {
                self.error = None;
                let same = self
                    .request
                    .as_ref()
                    .is_some_and(|old| old.occurrences == r.occurrences);
                if !same {
                    self.choices = vec![None; r.occurrences.len()];
                    self.selected = 0;
                }
                let check_ctx = facts.context(self.first.kind, ctx.now);
                let choices = &self.choices;
                self.checked =
                    series::check_series(&r.occurrences, r.minutes, &check_ctx, |i, _| {
                        choices.get(i).copied().flatten()
                    });
                self.request = Some(r);
            }
        }
    }

    /// A request of the dialog's failed (the status line says why): it takes keys again, and a
    /// diary that could not be read says so in place of "checking".
    pub fn failed(&mut self) {
        self.saving = false;
        if self.facts.is_none() {
            self.error =
                Some("the diary could not be read: close the series and open it again".into());
        }
    }

    /// How many occurrences are still clashes with nothing chosen.
    pub fn open_clashes(&self) -> usize {
        self.checked
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Clash { .. }))
            .count()
    }

    pub fn handle_key(&mut self, ev: &KeyEvent, keymap: &Keymap, ctx: &Context) -> SeriesOutcome {
        let action = keymap.resolve(ev, Scope::Form);
        if action != Some(Action::FormClose) {
            self.discard_armed = false;
        }
        let field = self.field();
        match action {
            Some(Action::FormClose) => {
                if !self.is_dirty() || self.discard_armed {
                    return SeriesOutcome::Close;
                }
                self.discard_armed = true;
            }
            Some(Action::FormSaveNow) => return SeriesOutcome::Book,
            Some(Action::FormSave) if field == SeriesField::List => return SeriesOutcome::Book,
            Some(Action::FormSave) => {
                self.recheck(ctx);
                if self.error.is_none() {
                    self.focus = SeriesField::ALL.len() - 1;
                }
            }
            Some(Action::FormNext) if field == SeriesField::List => {
                self.selected = (self.selected + 1).min(self.checked.len().saturating_sub(1));
            }
            Some(Action::FormPrev) if field == SeriesField::List && self.selected > 0 => {
                self.selected -= 1;
            }
            Some(Action::FormNext) => self.focus = (self.focus + 1).min(SeriesField::ALL.len() - 1),
            Some(Action::FormPrev) => self.focus = self.focus.saturating_sub(1),
            Some(choice @ (Action::FormChoicePrev | Action::FormChoiceNext))
                if field == SeriesField::List =>
            {
                let clashes = self
                    .checked
                    .get(self.selected)
                    .is_some_and(|c| !c.clashes.is_empty());
                if clashes && let Some(c) = self.choices.get_mut(self.selected) {
                    *c = cycle(*c, choice == Action::FormChoiceNext);
                    self.touched = true;
                    self.recheck(ctx);
                }
            }
            _ => {
                if let Some(input) = self.input_mut(field)
                    && input.handle(ev).changed()
                {
                    self.touched = true;
                    self.filled_in.clear();
                    self.recheck(ctx);
                }
            }
        }
        SeriesOutcome::Stay
    }

    /// The series to book, or why it cannot be booked yet.
    pub fn to_book(&self, keymap: &Keymap) -> Result<crate::db::series::NewSeries, String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let Some(request) = &self.request else {
            return Err("the series is still being checked".into());
        };
        let open = self.open_clashes();
        if open > 0 {
            return Err(format!(
                "{open} {} left: on each, {}/{} chooses skip, move or book anyway",
                if open == 1 { "clash" } else { "clashes" },
                keymap.label(Action::FormChoicePrev),
                keymap.label(Action::FormChoiceNext)
            ));
        }
        if self.checked.iter().all(|c| c.booked_at().is_none()) {
            return Err("every visit is skipped: there is nothing to book".into());
        }
        Ok(series_work::new_series(
            self.first.patient_id,
            self.first.therapist_id,
            self.first.site_id,
            self.first.kind,
            request,
            &self.checked,
        ))
    }
}

/// The booking form's own series actions, tried before its fields take the key: None when the
/// key is not one of them.
pub fn on_booking_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Option<Vec<Effect>> {
    let action = ctx.keymap.resolve(key, Scope::Form)?;
    let Some(Modal::Booking(form)) = p.modal.as_mut() else {
        return None;
    };
    // A character goes into the field being typed, whatever it is bound to.
    if crate::tui::input::types_text(key) && form.field() != BookingField::Kind {
        return None;
    }
    match action {
        Action::NextFreeSlot => Some(next_free_slot(form, ctx, p.schedule.booking_site())),
        Action::BookSeries => {
            form.discard_armed = false;
            if let BookingMode::Move {
                visit_id, version, ..
            } = form.mode
            {
                return Some(move_following(p, ctx, visit_id, version));
            }
            let booking = match form.validate(
                ctx.staff,
                ctx.keymap,
                &p.schedule.form_calendar(form.site_id),
                ctx.today,
                p.schedule.booking_site(),
            ) {
                Ok(b) => b,
                Err((field, message)) => {
                    form.focus = BookingField::ALL
                        .iter()
                        .position(|f| *f == field)
                        .unwrap_or(0);
                    form.error = Some((field, message));
                    return Some(Vec::new());
                }
            };
            let patient_name = p
                .schedule
                .directory
                .iter()
                .find(|d| d.id == booking.patient_id)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let initials = ctx
                .staff
                .iter()
                .find(|s| s.id == booking.therapist_id)
                .map(|s| s.initials.clone())
                .unwrap_or_default();
            let facts = SeriesWork::Facts {
                patient_id: booking.patient_id,
                therapist_id: booking.therapist_id,
                site_id: booking.site_id,
                from: booking.start.date(),
            };
            let mut dialog = SeriesDialog::new(booking, patient_name, initials);
            if let Some(Modal::Booking(form)) = p.modal.take() {
                dialog.from_form = Some(form);
            }
            *p.modal = Some(Modal::Series(Box::new(dialog)));
            Some(vec![Effect::Db(Request::Series(facts))])
        }
        _ => None,
    }
}

/// Moves the visit being rescheduled and the later ones of its series by the same shift; they
/// keep their therapist and length, so a change of either is moved alone.
fn move_following(p: &mut Parts, ctx: &Context, visit_id: i64, version: i64) -> Vec<Effect> {
    let Some(Modal::Booking(form)) = p.modal.as_mut() else {
        return Vec::new();
    };
    if form.series.is_none() {
        form.error = Some((
            BookingField::Date,
            "this visit is not one of a series: a series starts from a new booking".into(),
        ));
        return Vec::new();
    }
    let booking = match form.validate(
        ctx.staff,
        ctx.keymap,
        &p.schedule.form_calendar(form.site_id),
        ctx.today,
        p.schedule.booking_site(),
    ) {
        Ok(b) => b,
        Err((field, message)) => {
            form.error = Some((field, message));
            return Vec::new();
        }
    };
    let shown = p.schedule.visits.iter().find(|v| v.id == visit_id);
    if shown.is_some_and(|v| v.therapist_id != booking.therapist_id || v.minutes != booking.minutes)
    {
        form.error = Some((
            BookingField::Therapist,
            format!(
                "the later visits keep their therapist and length: {} moves this visit alone",
                ctx.keymap.label(Action::FormSave)
            ),
        ));
        return Vec::new();
    }
    form.error = None;
    form.saving = true;
    p.out.begin_write();
    vec![Effect::Db(Request::Series(SeriesWork::MoveFollowing {
        visit_id,
        seen_version: version,
        to: booking.start,
    }))]
}

/// Asks for the therapist's first free start for the form's length, from the form's date (now,
/// when that is today or past).
fn next_free_slot(form: &mut BookingForm, ctx: &Context, default_site: Option<i64>) -> Vec<Effect> {
    let Some(site_id) = form.site_id.or(default_site) else {
        form.error = Some((
            BookingField::Therapist,
            crate::tui::forms::pick_a_site_first(ctx.keymap),
        ));
        return Vec::new();
    };
    let therapist = match find_therapist(ctx.staff, form.therapist.text()) {
        Ok(t) => t,
        Err(m) => {
            form.error = Some((BookingField::Therapist, m));
            return Vec::new();
        }
    };
    let Some(minutes) = form
        .minutes
        .text()
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| appointment::is_visit_length(*m))
    else {
        form.error = Some((
            BookingField::Minutes,
            format!(
                "minutes: a whole number from {}",
                appointment::visit_minutes_range()
            ),
        ));
        return Vec::new();
    };
    let day = crate::domain::when::parse_date(form.date.text(), ctx.today).unwrap_or(ctx.today);
    let from = if day <= ctx.today {
        ctx.now
    } else {
        day.and_time(NaiveTime::MIN)
    };
    form.error = None;
    vec![Effect::Db(Request::Series(SeriesWork::NextSlot {
        therapist_id: therapist.id,
        site_id,
        minutes,
        from,
    }))]
}

/// Keys in the series dialog and in "this visit or this and the following".
pub fn on_dialog_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Vec<Effect> {
    match p.modal.as_mut() {
        Some(Modal::Series(dialog)) => {
            if dialog.saving {
                return Vec::new();
            }
            match dialog.handle_key(key, ctx.keymap, ctx) {
                SeriesOutcome::Stay => Vec::new(),
                SeriesOutcome::Close => {
                    *p.modal = dialog.from_form.take().map(Modal::Booking);
                    Vec::new()
                }
                SeriesOutcome::Book => match dialog.to_book(ctx.keymap) {
                    Err(e) => {
                        dialog.error = Some(e);
                        Vec::new()
                    }
                    Ok(new) => {
                        dialog.saving = true;
                        p.out.begin_write();
                        vec![Effect::Db(Request::Series(SeriesWork::Book(new)))]
                    }
                },
            }
        }
        Some(Modal::CancelSeries {
            visit_id,
            version,
            following,
        }) => {
            let (id, version) = (*visit_id, *version);
            if !*following {
                match ctx.keymap.resolve(key, Scope::CancelConfirm) {
                    Some(Action::CancelYes) => {
                        *p.modal = Some(Modal::Cancel {
                            visit_id: id,
                            version,
                            confirmed: true,
                        });
                    }
                    Some(Action::CancelFollowing) => *following = true,
                    Some(Action::CancelNo) => *p.modal = None,
                    _ => {}
                }
                return Vec::new();
            }
            let Some(reason) = super::cancel_reason(p, ctx, key) else {
                return Vec::new();
            };
            *p.modal = None;
            p.out.begin_write();
            vec![Effect::Db(Request::Series(SeriesWork::CancelFollowing {
                visit_id: id,
                reason,
            }))]
        }
        _ => Vec::new(),
    }
}

/// Whether a visit is one of a series, asked of the database as its cancel or move opens: the
/// answer turns the cancel's question into "this visit or this and the later ones", and tells
/// the move form that the later ones can move with it.
pub fn ask_series_of(visit_id: i64) -> Effect {
    Effect::Db(Request::Series(SeriesWork::SeriesOf { visit_id }))
}

fn day_text(t: NaiveDateTime) -> String {
    t.format("%a %-d %b %H:%M").to_string()
}

/// The database's answers to the series work.
pub fn on_reply(p: &mut Parts, ctx: &Context, reply: SeriesWorkReply) -> Vec<Effect> {
    match reply {
        SeriesWorkReply::NextSlot(found) => {
            let Some(Modal::Booking(form)) = p.modal.as_mut() else {
                return Vec::new();
            };
            match found {
                Some(at) => {
                    form.date = LineInput::with_text(&at.date().format("%Y-%m-%d").to_string());
                    form.time = LineInput::with_text(&at.format("%H:%M").to_string());
                    form.touched = true;
                    form.warning = None;
                    form.error = None;
                    form.focus = BookingField::ALL
                        .iter()
                        .position(|f| *f == BookingField::Time)
                        .unwrap_or(0);
                    p.out.say(
                        Level::Info,
                        format!(
                            "the next free slot of {}: {}",
                            form.therapist.text().trim(),
                            day_text(at)
                        ),
                    );
                }
                None => {
                    form.error = Some((
                        BookingField::Time,
                        format!(
                            "{} has no free {} minutes in the next {SEARCH_DAYS} days",
                            form.therapist.text().trim(),
                            form.minutes.text().trim()
                        ),
                    ));
                }
            }
            Vec::new()
        }
        SeriesWorkReply::Facts(facts) => {
            if let Some(Modal::Series(dialog)) = p.modal.as_mut() {
                dialog.take_facts(facts, ctx);
            }
            Vec::new()
        }
        SeriesWorkReply::Booked(booked) => {
            p.out.end_write();
            let Some(Modal::Series(dialog)) = p.modal.take() else {
                return Vec::new();
            };
            let first = dialog.checked.iter().find_map(Checked::booked_at);
            let skipped = dialog
                .checked
                .iter()
                .filter(|c| c.booked_at().is_none())
                .count();
            p.out.say(
                Level::Info,
                format!(
                    "Booked {} visits of the series for {} with {}{}",
                    booked.appointments.len(),
                    dialog.patient_name,
                    dialog.therapist_initials,
                    if skipped > 0 {
                        format!(" ({skipped} skipped)")
                    } else {
                        String::new()
                    }
                ),
            );
            if let (Some(first), Some(id)) = (first, booked.appointments.first()) {
                p.schedule.selected = Some(*id);
                let shown = p.schedule.day;
                p.schedule.day = first.date();
                if p.schedule.day != shown {
                    p.schedule.filter = None;
                    return vec![Effect::Db(Request::LoadDay(p.schedule.day))];
                }
            }
            Vec::new()
        }
        SeriesWorkReply::SeriesOf {
            visit_id,
            series: series @ Some(_),
        } => {
            match p.modal.as_mut() {
                Some(Modal::Cancel {
                    visit_id: open,
                    version,
                    confirmed: false,
                }) if *open == visit_id => {
                    *p.modal = Some(Modal::CancelSeries {
                        visit_id,
                        version: *version,
                        following: false,
                    });
                }
                Some(Modal::Booking(form)) if matches!(form.mode, BookingMode::Move { visit_id: open, .. } if open == visit_id) =>
                {
                    form.series = series;
                }
                _ => {}
            }
            Vec::new()
        }
        SeriesWorkReply::SeriesOf { series: None, .. } => Vec::new(),
        SeriesWorkReply::CancelledFollowing(visits) | SeriesWorkReply::MovedFollowing(visits) => {
            p.out.end_write();
            if matches!(p.modal.as_ref(), Some(Modal::Booking(f)) if f.saving) {
                *p.modal = None;
            }
            let cancelled = visits
                .iter()
                .all(|v| v.status == AppointmentStatus::Cancelled);
            match visits.first() {
                Some(first) => p.out.say(
                    Level::Info,
                    format!(
                        "{} {} visits of {}'s series from {} on",
                        if cancelled { "Cancelled" } else { "Moved" },
                        visits.len(),
                        first.patient_name,
                        day_text(first.start)
                    ),
                ),
                None => p
                    .out
                    .say(Level::Info, "no visit of the series was left to change"),
            }
            Vec::new()
        }
    }
}

/// An occurrence's day as the list shows it: "Mon 30 Nov".
pub fn occurrence_day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

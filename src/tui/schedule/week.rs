//! Pane 1's week: one therapist's week with the days side by side, or (from 120 columns) one
//! day with the therapists side by side. The selection is a visit of the focused day and
//! therapist; the day view's keys (check in, no-show, cancel, move, the other panes) act on it.
//! ←/→ change the focused day as in the day view, the week's own key changes the therapist.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike};

use super::Parts;
use crate::db::worker::Request;
use crate::domain::appointment::Visit;
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::sites::SiteView;
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, Role};
use crate::tui::event::Effect;
use crate::tui::keymap::Action;
use crate::tui::pane::{Context, Level};

/// Which way the week is laid out where there is room for both (120 columns and wider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekLayout {
    /// One therapist, the days as columns (the only layout below 120 columns).
    Days,
    /// One day, the therapists as columns.
    Therapists,
}

/// A therapist who can have a column: someone with visits this week or on the staff as a
/// clinician (at the site shown, when one is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub therapist_id: i64,
    pub initials: String,
    pub name: String,
}

/// The site a week is shown for: its name, and the staff who work there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownSite {
    pub name: String,
    pub staff: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// The focused day (the schedule's day); the week shown is the one it falls in.
    pub day: NaiveDate,
    /// The week's visits as loaded (cancelled ones included; the grid leaves them out).
    pub visits: Vec<Visit>,
    /// The Monday the visits belong to, until the focused week's load arrives.
    pub loaded: Option<NaiveDate>,
    pub calendar: ClinicCalendar,
    pub layout: WeekLayout,
    /// The therapist whose week is shown, or whose column is focused.
    pub therapist: Option<i64>,
    pub therapists: Vec<Column>,
    /// The site shown and who works there (None: every site is shown).
    pub site: Option<ShownSite>,
    pub selected: Option<i64>,
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

impl Week {
    pub fn new(day: NaiveDate, therapist: Option<i64>) -> Self {
        Self {
            day,
            visits: Vec::new(),
            loaded: None,
            calendar: ClinicCalendar::default(),
            layout: WeekLayout::Days,
            therapist,
            therapists: Vec::new(),
            site: None,
            selected: None,
        }
    }

    pub fn monday(&self) -> NaiveDate {
        monday_of(self.day)
    }

    pub fn is_loading(&self) -> bool {
        self.loaded != Some(self.monday())
    }

    /// The visits the grid shows: a cancelled visit leaves its time free.
    pub fn shown(&self) -> impl Iterator<Item = &Visit> {
        self.visits
            .iter()
            .filter(|v| v.status != AppointmentStatus::Cancelled)
    }

    /// One column's cell of a day: its visits in time order.
    pub fn cell(&self, day: NaiveDate, therapist: Option<i64>) -> Vec<&Visit> {
        self.shown()
            .filter(|v| v.start.date() == day && Some(v.therapist_id) == therapist)
            .collect()
    }

    pub fn focused_cell(&self) -> Vec<&Visit> {
        self.cell(self.day, self.therapist)
    }

    pub fn selected_visit(&self) -> Option<&Visit> {
        let id = self.selected?;
        self.visits.iter().find(|v| v.id == id)
    }

    pub fn therapist_column(&self) -> Option<&Column> {
        self.therapists
            .iter()
            .find(|c| Some(c.therapist_id) == self.therapist)
    }

    /// Moves the selection within the focused cell as `to` picks from the current index and
    /// the last; false when the cell is empty.
    pub fn move_selection(&mut self, to: impl FnOnce(usize, usize) -> usize) -> bool {
        let cell: Vec<i64> = self.focused_cell().iter().map(|v| v.id).collect();
        if cell.is_empty() {
            return false;
        }
        let last = cell.len() - 1;
        let current = cell
            .iter()
            .position(|id| Some(*id) == self.selected)
            .unwrap_or(0);
        self.selected = Some(cell[to(current, last).min(last)]);
        true
    }

    /// Keeps the therapist one of the columns and the selection a visit of the focused cell:
    /// the same one when it is still there, else the one nearest in time of day to `near`.
    fn settle(&mut self, ctx: &Context, mine_only: bool, near: Option<NaiveTime>) {
        self.therapists = columns(
            ctx.staff,
            self.site.as_ref().map(|s| s.staff.as_slice()),
            &self.visits,
            mine_only.then_some(ctx.me).flatten(),
        );
        if !self
            .therapists
            .iter()
            .any(|c| Some(c.therapist_id) == self.therapist)
        {
            self.therapist = self.therapists.first().map(|c| c.therapist_id);
        }
        let cell = self.focused_cell();
        if cell.iter().any(|v| Some(v.id) == self.selected) {
            return;
        }
        let minute = |t: NaiveTime| i64::from(t.num_seconds_from_midnight() / 60);
        let near = near.map(minute).unwrap_or(0);
        self.selected = cell
            .iter()
            .min_by_key(|v| (minute(v.start.time()) - near).abs())
            .map(|v| v.id);
    }
}

/// The columns: the staff's clinicians (those of `site_staff` when a site is shown; only `me`
/// when the user shows their own visits) and anyone else with a visit this week, by initials.
fn columns(
    staff: &[Staff],
    site_staff: Option<&[i64]>,
    visits: &[Visit],
    me: Option<&Staff>,
) -> Vec<Column> {
    if let Some(me) = me {
        return vec![Column {
            therapist_id: me.id,
            initials: me.initials.clone(),
            name: me.name.clone(),
        }];
    }
    let mut out: Vec<Column> = staff
        .iter()
        .filter(|s| matches!(s.role, Role::Therapist | Role::Assistant))
        .filter(|s| site_staff.is_none_or(|here| here.contains(&s.id)))
        .map(|s| Column {
            therapist_id: s.id,
            initials: s.initials.clone(),
            name: s.name.clone(),
        })
        .collect();
    for v in visits {
        if !out.iter().any(|c| c.therapist_id == v.therapist_id) {
            out.push(Column {
                therapist_id: v.therapist_id,
                initials: v.therapist_initials.clone(),
                name: v.therapist_name.clone(),
            });
        }
    }
    out.sort_by(|a, b| {
        a.initials
            .cmp(&b.initials)
            .then(a.therapist_id.cmp(&b.therapist_id))
    });
    out
}

fn load(week: &Week) -> Vec<Effect> {
    vec![Effect::Db(Request::LoadWeek(Some(week.monday())))]
}

/// `w`: from the day to the week (of the therapist whose visit is selected, or the user's
/// own), and back to the day on the visit selected in the week.
pub fn toggle(p: &mut Parts, ctx: &Context) -> Vec<Effect> {
    if let Some(week) = p.schedule.week.take() {
        if let Some(v) = week.selected_visit() {
            p.schedule.selected = Some(v.id);
        }
        p.schedule.refresh_rows(ctx.me_id());
        return vec![
            Effect::Db(Request::LoadWeek(None)),
            Effect::Db(Request::LoadDay(p.schedule.day)),
        ];
    }
    let selected = p.schedule.selected_visit();
    let mine = ctx.me.filter(|s| s.role == Role::Therapist).map(|s| s.id);
    let therapist = selected.map(|v| v.therapist_id).or(mine);
    let mut week = Week::new(p.schedule.day, therapist);
    week.selected = selected.map(|v| v.id);
    let effects = load(&week);
    p.schedule.week = Some(week);
    effects
}

/// Shows `day` in the week (another week is asked for when it falls in one).
pub fn go_to_day(p: &mut Parts, ctx: &Context, day: NaiveDate) -> Vec<Effect> {
    p.schedule.day = day;
    let mine_only = p.schedule.mine_only;
    let Some(week) = p.schedule.week.as_mut() else {
        return vec![Effect::Db(Request::LoadDay(day))];
    };
    let near = week.selected_visit().map(|v| v.start.time());
    let before = week.monday();
    week.day = day;
    week.settle(ctx, mine_only, near);
    let mut effects = vec![Effect::Db(Request::LoadDay(day))];
    if week.monday() != before {
        effects.extend(load(week));
    }
    effects
}

/// The week's own keys, and the day view's keys that mean something else here; None leaves
/// the action to the day view (which acts on the visit selected in the week).
pub fn on_action(p: &mut Parts, ctx: &Context, action: Action) -> Option<Vec<Effect>> {
    if action == Action::WeekToggle {
        return Some(toggle(p, ctx));
    }
    let Some(day) = p.schedule.week.as_ref().map(|w| w.day) else {
        if matches!(action, Action::WeekLayout | Action::WeekTherapist) {
            let week = ctx.keymap.label(Action::WeekToggle);
            p.out.say(
                Level::Info,
                format!("this is the week's key: {week} shows the week"),
            );
            return Some(Vec::new());
        }
        return None;
    };
    match action {
        Action::PrevDay => return Some(go_to_day(p, ctx, day - Duration::days(1))),
        Action::NextDay => return Some(go_to_day(p, ctx, day + Duration::days(1))),
        Action::Today => return Some(go_to_day(p, ctx, ctx.today)),
        _ => {}
    }
    let mine_only = p.schedule.mine_only;
    let week = p.schedule.week.as_mut()?;
    let effects = match action {
        Action::WeekLayout => {
            week.layout = match week.layout {
                WeekLayout::Days => WeekLayout::Therapists,
                WeekLayout::Therapists => WeekLayout::Days,
            };
            let how = match week.layout {
                WeekLayout::Days => "one therapist's week, the days side by side",
                WeekLayout::Therapists => {
                    "the therapists side by side on one day (from 120 columns wide)"
                }
            };
            p.out.say(Level::Info, how);
            Vec::new()
        }
        Action::WeekTherapist => {
            if week.therapists.len() <= 1 && mine_only && ctx.me.is_some() {
                p.out.say(
                    Level::Info,
                    format!(
                        "only your visits are shown ({} shows everyone's)",
                        ctx.keymap.label(Action::ToggleMine)
                    ),
                );
                return Some(Vec::new());
            }
            let near = week.selected_visit().map(|v| v.start.time());
            let at = week
                .therapists
                .iter()
                .position(|c| Some(c.therapist_id) == week.therapist);
            let next = at.map_or(0, |i| (i + 1) % week.therapists.len().max(1));
            week.therapist = week.therapists.get(next).map(|c| c.therapist_id);
            week.selected = None;
            week.settle(ctx, mine_only, near);
            Vec::new()
        }
        Action::ToggleMine if ctx.me.is_some() => {
            p.schedule.mine_only = !p.schedule.mine_only;
            p.schedule.refresh_rows(ctx.me_id());
            let mine_only = p.schedule.mine_only;
            if let Some(week) = p.schedule.week.as_mut() {
                let near = week.selected_visit().map(|v| v.start.time());
                week.settle(ctx, mine_only, near);
            }
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

/// A week loaded: kept when it is still the one shown, with the selection settled in it.
pub fn on_loaded(
    p: &mut Parts,
    ctx: &Context,
    monday: NaiveDate,
    visits: Vec<Visit>,
    calendar: ClinicCalendar,
) {
    let mine_only = p.schedule.mine_only;
    let view = p.schedule.site_view;
    let calendar = p
        .schedule
        .site_calendar(&calendar, p.schedule.booking_site());
    let site = match view {
        SiteView::One(id) => p.schedule.sites.by_id(id).map(|s| ShownSite {
            name: s.name.clone(),
            staff: s.staff.clone(),
        }),
        SiteView::All => None,
    };
    let Some(week) = p.schedule.week.as_mut() else {
        return;
    };
    if week.monday() != monday {
        return;
    }
    let near = week.selected_visit().map(|v| v.start.time());
    week.visits = visits
        .into_iter()
        .filter(|v| view.shows(v.site_id))
        .collect();
    week.calendar = calendar;
    week.site = site;
    week.loaded = Some(monday);
    week.settle(ctx, mine_only, near);
}

/// A visit changed here: the week shows it at once (its fresh load follows).
pub fn replace_visit(week: &mut Week, v: &Visit) {
    if let Some(slot) = week.visits.iter_mut().find(|x| x.id == v.id) {
        *slot = v.clone();
    }
}

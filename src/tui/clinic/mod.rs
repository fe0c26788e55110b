//! Pane 4: does the clinic's care work? A period (this month, quarter, year or the last 12
//! months, stepped back and forth), a grouping, and the table of `domain::outcomes` figures
//! with the MCID share as a bar and its monthly trend as a sparkline. Enter on a group lists
//! its episodes; Enter on an episode shows that patient in pane 2, on the day of the episode's
//! last visit.

#[cfg(test)]
mod tests;
pub mod view;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};

use super::event::Effect;
use super::input::{LineInput, types_text};
use super::keymap::{Action, Scope as KeyScope};
use super::pane::{Context, Level, Outcome};
use crate::db::clinic_work::{ClinicReply, ClinicRequest, PatientLabel};
use crate::db::outcomes::OutcomeRead;
use crate::db::worker::Request;
use crate::domain::outcomes::quality::{Quality, quality};
use crate::domain::outcomes::{Dimension, Episode, Figures, KeyPart, Scope, Table, table};

/// The groupings `b` steps through, in order.
pub const GROUPINGS: &[&[Dimension]] = &[
    &[Dimension::Therapist],
    &[Dimension::Region],
    &[Dimension::Measure],
    &[Dimension::Payer],
    &[Dimension::Age],
    &[Dimension::Month],
    &[Dimension::Therapist, Dimension::Region],
    &[Dimension::Region, Dimension::Measure],
];

/// The kinds of period `p` steps through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodKind {
    #[default]
    Month,
    Quarter,
    Year,
    TwelveMonths,
    /// A period typed in (`c`), stepped back and forth by its own length.
    Custom(NaiveDate, NaiveDate),
}

impl PeriodKind {
    fn next(self) -> PeriodKind {
        match self {
            PeriodKind::Month => PeriodKind::Quarter,
            PeriodKind::Quarter => PeriodKind::Year,
            PeriodKind::Year => PeriodKind::TwelveMonths,
            PeriodKind::TwelveMonths | PeriodKind::Custom(..) => PeriodKind::Month,
        }
    }

    /// Months in one step.
    fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year | PeriodKind::TwelveMonths | PeriodKind::Custom(..) => 12,
        }
    }

    /// The period `back` steps before the one holding `today`: (from, to), `to` never after
    /// today.
    pub fn span(self, today: NaiveDate, back: u32) -> (NaiveDate, NaiveDate) {
        let month0 = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        if let PeriodKind::Custom(from, to) = self {
            let length = chrono::Duration::days((to - from).num_days() + 1) * back as i32;
            return (from - length, (to - length).min(today));
        }
        let first = match self {
            PeriodKind::Month => month0(today),
            PeriodKind::Quarter => {
                let m = (today.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(today.year(), m, 1).unwrap_or(today)
            }
            PeriodKind::Year | PeriodKind::Custom(..) => {
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today)
            }
            PeriodKind::TwelveMonths => {
                let to = today
                    .checked_sub_months(Months::new(12 * back))
                    .unwrap_or(today);
                let from = to
                    .checked_sub_months(Months::new(12))
                    .and_then(|d| d.succ_opt())
                    .unwrap_or(to);
                return (from, to);
            }
        };
        let from = first
            .checked_sub_months(Months::new(self.months() * back))
            .unwrap_or(first);
        let to = from
            .checked_add_months(Months::new(self.months()))
            .and_then(|d| d.pred_opt())
            .unwrap_or(from);
        (from, to.min(today))
    }

    pub fn label(self, from: NaiveDate, to: NaiveDate) -> String {
        match self {
            PeriodKind::Month => from.format("%B %Y").to_string(),
            PeriodKind::Quarter => format!("Q{} {}", from.month0() / 3 + 1, from.year()),
            PeriodKind::Year => from.year().to_string(),
            PeriodKind::TwelveMonths => format!("12 months to {to}"),
            PeriodKind::Custom(..) => "chosen period".into(),
        }
    }
}

/// A period's episodes as they arrived, and the names the drill-down may show.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub read: Arc<OutcomeRead>,
    pub patients: Arc<HashMap<i64, PatientLabel>>,
    /// The 12 months to the period's end, for the trend: read after the table is shown (the
    /// period's own read when it covers them).
    pub trend: Option<Arc<OutcomeRead>>,
}

/// The table of one grouping over the loaded period, with the user's own row and each
/// group's trend over the 12 months to the period's end.
#[derive(Debug, Clone)]
pub struct Shown {
    pub table: TableRows,
    pub trend: HashMap<Vec<KeyPart>, Vec<Option<f64>>>,
    /// The user's own row's trend.
    pub mine_trend: Vec<Option<f64>>,
    /// The quality measures of the period, the whole clinic's.
    pub quality: Quality,
}

/// The rows in screen order: the whole clinic, the user's own (a therapist's), the groups.
#[derive(Debug, Clone)]
pub struct TableRows {
    pub rows: Vec<Figures>,
    /// Whether row 1 is the user's own.
    pub mine: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ClinicPane {
    pub period: PeriodKind,
    /// Periods back from the one holding today.
    pub back: u32,
    /// Index into [`GROUPINGS`].
    pub grouping: usize,
    pub loaded: Option<Loaded>,
    pub shown: Option<Shown>,
    pub selected: usize,
    /// The group whose episodes are listed, and the highlighted episode.
    pub drill: Option<(usize, usize)>,
    /// The period asked for and not yet answered.
    pub asked: Option<(NaiveDate, NaiveDate)>,
    /// A period being typed (`c`), and why the last one typed was refused.
    pub prompt: Option<(LineInput, Option<String>)>,
}

/// How far back the trend looks from the period's end.
const TREND_MONTHS: u32 = 12;

/// The first day of the 12 calendar months that end with `to`'s.
fn trend_from(to: NaiveDate) -> NaiveDate {
    let first = to.with_day(1).unwrap_or(to);
    first
        .checked_sub_months(Months::new(TREND_MONTHS - 1))
        .unwrap_or(first)
}

impl ClinicPane {
    pub fn span(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        self.period.span(today, self.back)
    }

    pub fn grouping(&self) -> &'static [Dimension] {
        GROUPINGS[self.grouping % GROUPINGS.len()]
    }

    /// The figures of the loaded period for the grouping (recomputed in memory: a change of
    /// grouping reads nothing).
    fn compute(&mut self, me: Option<i64>, therapist: bool) {
        let Some(l) = &self.loaded else {
            self.shown = None;
            return;
        };
        let scope = Scope {
            from: l.from,
            to: l.to,
            measure: None,
            therapist: None,
        };
        let defs = &l.read.defs;
        let episodes = &l.read.episodes;
        let Table { total, groups } = table(episodes, defs, &scope, self.grouping());
        let mut rows = vec![total];
        let mine = therapist && me.is_some();
        if mine {
            let own = Scope {
                therapist: me,
                ..scope
            };
            let mut t = table(episodes, defs, &own, &[]).total;
            t.key = Vec::new();
            rows.push(t);
        }
        rows.extend(groups);
        let trend_scope = Scope {
            from: trend_from(l.to),
            ..scope
        };
        let covering = (l.from <= trend_scope.from).then_some(&l.read);
        let (mut trend, mut mine_trend) = (HashMap::new(), Vec::new());
        if let Some(read) = l.trend.as_ref().or(covering) {
            let long = table(&read.episodes, defs, &trend_scope, self.grouping());
            trend = long
                .groups
                .into_iter()
                .map(|f| (f.key, f.monthly))
                .collect();
            trend.insert(Vec::new(), long.total.monthly);
            if mine {
                let own = Scope {
                    therapist: me,
                    ..trend_scope
                };
                mine_trend = table(&read.episodes, defs, &own, &[]).total.monthly;
            }
        }
        let all: Vec<&Episode> = episodes.iter().collect();
        self.shown = Some(Shown {
            table: TableRows { rows, mine },
            trend,
            mine_trend,
            quality: quality(&all, l.from, l.to),
        });
        let count = self.shown.as_ref().map_or(0, |s| s.table.rows.len());
        self.selected = self.selected.min(count.saturating_sub(1));
    }

    /// The rows of the group being drilled into: episode indexes, latest end first.
    pub fn drill_rows(&self) -> Vec<usize> {
        let (Some(shown), Some(l), Some((row, _))) = (&self.shown, &self.loaded, self.drill) else {
            return Vec::new();
        };
        let mut members = shown
            .table
            .rows
            .get(row)
            .map(|f| f.members.clone())
            .unwrap_or_default();
        members.sort_by_key(|i| std::cmp::Reverse((l.read.episodes[*i].end, *i)));
        members
    }
}

/// Asks for the period's episodes; the trend's follow once they are shown.
fn ask(pane: &mut ClinicPane, ctx: &Context) -> Vec<Effect> {
    let (from, to) = pane.span(ctx.today);
    if pane.asked == Some((from, to)) {
        return Vec::new();
    }
    pane.asked = Some((from, to));
    load(from, to, ctx, false)
}

fn load(from: NaiveDate, to: NaiveDate, ctx: &Context, trend: bool) -> Vec<Effect> {
    vec![Effect::Db(Request::Clinic(ClinicRequest::Load {
        from,
        to,
        today: ctx.today,
        trend,
    }))]
}

/// The pane came on screen: its period is read again, so that it shows what every terminal
/// has recorded since (the figures shown stay until the new ones arrive).
pub fn on_shown(pane: &mut ClinicPane, ctx: &Context) -> Vec<Effect> {
    ask(pane, ctx)
}

fn is_therapist(ctx: &Context) -> bool {
    ctx.me.is_some_and(|s| {
        matches!(
            s.role,
            crate::domain::Role::Therapist | crate::domain::Role::Assistant
        )
    })
}

/// A key's effect on the pane, and the visit whose patient pane 2 is to show.
#[derive(Debug, Default)]
pub struct Turn {
    pub out: Outcome,
    /// The episode's last attended visit: its day and id.
    pub show_progress: Option<(NaiveDate, i64)>,
}

pub fn on_action(pane: &mut ClinicPane, ctx: &Context, action: Action) -> Turn {
    let mut turn = Turn::default();
    let out = &mut turn.out;
    let rows = pane.shown.as_ref().map_or(0, |s| s.table.rows.len());
    match (action, pane.drill) {
        (Action::ClinicPeriod, _) => {
            pane.period = pane.period.next();
            pane.back = 0;
            pane.drill = None;
            out.effects = ask(pane, ctx);
        }
        (Action::ClinicEarlier, _) => {
            pane.back += 1;
            pane.drill = None;
            out.effects = ask(pane, ctx);
        }
        (Action::ClinicLater, _) => {
            if pane.back == 0 {
                out.say(
                    Level::Info,
                    "this is the latest period: outcomes are of episodes that have ended",
                );
            } else {
                pane.back -= 1;
                pane.drill = None;
                out.effects = ask(pane, ctx);
            }
        }
        (Action::ClinicCustom, _) => {
            pane.prompt = Some((LineInput::default(), None));
        }
        (Action::ClinicGroup, _) => {
            pane.grouping = (pane.grouping + 1) % GROUPINGS.len();
            pane.drill = None;
            pane.selected = 0;
            pane.compute(ctx.me_id(), is_therapist(ctx));
        }
        (Action::ClinicOpen, None) if rows > 0 => {
            let members = pane
                .shown
                .as_ref()
                .and_then(|s| s.table.rows.get(pane.selected))
                .map_or(0, |f| f.members.len());
            if members == 0 {
                out.say(Level::Info, "no episodes in this group");
            } else {
                pane.drill = Some((pane.selected, 0));
            }
        }
        (Action::ClinicOpen, Some((_, at))) => {
            let rows = pane.drill_rows();
            if let (Some(i), Some(l)) = (rows.get(at), &pane.loaded) {
                let e = &l.read.episodes[*i];
                if crate::domain::roles::sees_names_of(ctx.me, e.therapist_id) {
                    turn.show_progress = e.last_visit.map(|(id, day)| (day, id));
                } else {
                    out.say(Level::Info, HIDDEN);
                }
            }
        }
        (Action::ClinicBack, Some(_)) => pane.drill = None,
        (
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last,
            drill,
        ) => {
            let (at, count) = match drill {
                Some((_, at)) => (at, pane.drill_rows().len()),
                None => (pane.selected, rows),
            };
            let page = ctx.page_size.max(1);
            let last = count.saturating_sub(1);
            let to = match action {
                Action::Up => at.saturating_sub(1),
                Action::Down => (at + 1).min(last),
                Action::PageUp => at.saturating_sub(page),
                Action::PageDown => (at + page).min(last),
                Action::First => 0,
                _ => last,
            };
            match &mut pane.drill {
                Some((_, at)) => *at = to,
                None => pane.selected = to,
            }
        }
        _ => {}
    }
    turn
}

/// Keys while a period is typed: characters go in, the form's save key reads it, its close
/// key closes. None when no period is being typed.
pub fn on_key(
    pane: &mut ClinicPane,
    ctx: &Context,
    key: &crossterm::event::KeyEvent,
) -> Option<Outcome> {
    let (input, error) = pane.prompt.as_mut()?;
    let action = if types_text(key) {
        None
    } else {
        ctx.keymap.resolve(key, KeyScope::Form)
    };
    let mut out = Outcome::default();
    match action {
        Some(Action::FormSave | Action::FormSaveNow) => {
            match crate::domain::when::parse_period(input.text(), ctx.today) {
                Ok((from, _)) if from > ctx.today => {
                    *error = Some(format!(
                        "the period starts on {from}, after today: outcomes are of episodes that have ended"
                    ));
                }
                Ok((from, to)) => {
                    pane.prompt = None;
                    pane.period = PeriodKind::Custom(from, to);
                    pane.back = 0;
                    pane.drill = None;
                    out.effects = ask(pane, ctx);
                }
                Err(why) => *error = Some(why),
            }
        }
        Some(Action::FormClose) => pane.prompt = None,
        _ => {
            if input.handle(key).changed() {
                *error = None;
            }
        }
    }
    Some(out)
}

/// Why an episode's patient is not named or opened for this user.
pub const HIDDEN: &str =
    "another therapist's patient: their name and progress are theirs and the desk's to open";

pub fn on_reply(pane: &mut ClinicPane, ctx: &Context, reply: ClinicReply) -> Outcome {
    let ClinicReply::Loaded {
        from,
        to,
        read,
        patients,
    } = reply;
    let (want_from, want_to) = pane.span(ctx.today);
    let (me, therapist) = (ctx.me_id(), is_therapist(ctx));
    // A period left before its answer came is not shown.
    if to != want_to {
        return Outcome::default();
    }
    if from == want_from {
        pane.asked = None;
        let old_trend = pane
            .loaded
            .take()
            .filter(|l| l.to == to)
            .and_then(|l| l.trend);
        pane.loaded = Some(Loaded {
            from,
            to,
            read,
            patients,
            trend: old_trend,
        });
        pane.compute(me, therapist);
        let trend = trend_from(to);
        return if trend < from {
            load(trend, to, ctx, true).into()
        } else {
            Outcome::default()
        };
    }
    if from == trend_from(want_to)
        && let Some(l) = pane.loaded.as_mut().filter(|l| l.to == to)
    {
        l.trend = Some(read);
        pane.compute(me, therapist);
    }
    Outcome::default()
}

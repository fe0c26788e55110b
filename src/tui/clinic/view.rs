//! Pane 4 on screen: the period and grouping, a row per group with its MCID share as a bar
//! (its 95% interval beside it) and the last 12 months as a sparkline, the quality measures;
//! or a group's episodes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{ClinicPane, Loaded, Shown};
use crate::domain::outcomes::Figures;
use crate::domain::outcomes::groups::primary_pair;
use crate::export::outcomes::{NO_EPISODES, key_label, percent};
use crate::sanitize::clean_line;
use crate::text::{fit, number, signed, truncate, width};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::pane::Context;
use crate::tui::theme::Theme;

/// A share as a bar of `cols` cells (eighths of a cell with the theme's bar symbols).
fn bar(share: f64, cols: usize, theme: &Theme) -> String {
    let eighths = (share.clamp(0.0, 1.0) * (cols * 8) as f64).round() as usize;
    let full = theme.symbols.bars[7];
    let mut s = full.repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push_str(theme.symbols.bars[eighths % 8 - 1]);
    }
    fit(&s, cols)
}

/// The monthly shares as a sparkline, a blank for a month without a complete pair.
fn sparkline(monthly: &[Option<f64>], theme: &Theme) -> String {
    monthly
        .iter()
        .map(|m| match m {
            Some(v) => theme.symbols.bars[((v.clamp(0.0, 1.0) * 7.0).round() as usize).min(7)],
            None => " ",
        })
        .collect()
}

/// The pane's keys for the message line.
pub fn hints(keymap: &Keymap, drill: bool) -> String {
    let k = |a| keymap.keys_for(a);
    if drill {
        format!(
            "{}/{} episode  {} patient's progress  {} back to the groups",
            keymap.label(Action::Up),
            keymap.label(Action::Down),
            k(Action::ClinicOpen),
            k(Action::ClinicBack),
        )
    } else {
        format!(
            "{} period  {} from–to  {}/{} earlier/later  {} group by  {} episodes",
            k(Action::ClinicPeriod),
            k(Action::ClinicCustom),
            k(Action::ClinicEarlier),
            k(Action::ClinicLater),
            k(Action::ClinicGroup),
            k(Action::ClinicOpen)
        )
    }
}

pub fn draw(frame: &mut Frame, area: Rect, pane: &ClinicPane, ctx: &Context, theme: &Theme) {
    let (from, to) = pane.span(ctx.today);
    let by = pane
        .grouping()
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let title = format!(
        " Clinic outcomes · {} ({from} to {to}) · by {by} ",
        pane.period.label(from, to)
    );
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border)
        .title(truncate(&title, area.width.saturating_sub(4) as usize));
    let inner = block.inner(area).inner(Margin::new(1, 0));
    frame.render_widget(block, area);
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
    let cols = usize::from(inner.width);
    let shown = pane
        .loaded
        .as_ref()
        .filter(|l| (l.from, l.to) == (from, to))
        .zip(pane.shown.as_ref());
    let Some((loaded, shown)) = shown else {
        frame.render_widget(
            Paragraph::new("Reading the period's episodes…").style(theme.muted),
            body,
        );
        if let Some(lines) = prompt_lines(pane, ctx, theme, cols) {
            frame.render_widget(Paragraph::new(lines), foot);
        }
        return;
    };
    let drill = pane.drill.is_some();
    let mut foot_lines: Vec<Line> = Vec::new();
    if shown.table.rows[0].episodes == 0 {
        frame.render_widget(
            Paragraph::new(format!("{}.", crate::text::capitalised(NO_EPISODES)))
                .style(theme.muted),
            body,
        );
    } else if drill {
        draw_episodes(frame, body, pane, loaded, ctx, theme);
    } else {
        draw_table(frame, body, pane, loaded, shown, ctx, theme);
        let q = &shown.quality;
        foot_lines.push(Line::styled(
            fit(
                &format!(
                    "Measured at intake and discharge {} · MIPS 182: {} of {} visits ({})",
                    percent(q.process.rate()),
                    q.mips_182.numerator,
                    q.mips_182.denominator,
                    percent(q.mips_182.rate())
                ),
                cols,
            ),
            theme.muted,
        ));
        foot_lines.push(Line::styled(
            fit(
                "MCID met: share of complete pairs, 95% CI · few: under 10 pairs to compare",
                cols,
            ),
            theme.muted,
        ));
    }
    if let Some(lines) = prompt_lines(pane, ctx, theme, cols) {
        foot_lines = lines;
    }
    frame.render_widget(Paragraph::new(foot_lines), foot);
}

/// The period being typed, with its hint or why it was refused.
fn prompt_lines(
    pane: &ClinicPane,
    ctx: &Context,
    theme: &Theme,
    cols: usize,
) -> Option<Vec<Line<'static>>> {
    let (input, error) = pane.prompt.as_ref()?;
    let (text, at) = (input.text(), input.cursor());
    let before: String = text.chars().take(at).collect();
    let after: String = text.chars().skip(at).collect();
    Some(vec![
        Line::from(vec![
            Span::styled("Period: ", theme.field_label),
            Span::styled(clean_line(&before), theme.field_focus),
            Span::styled("█", theme.field_focus),
            Span::styled(clean_line(&after), theme.field_focus),
        ]),
        match error {
            Some(why) => Line::styled(fit(why, cols), theme.error),
            None => Line::styled(
                fit(
                    &format!(
                        "like 2026-01-01 to 2026-03-31 or 1 jan to 31 mar · {} reads it · {} closes",
                        ctx.keymap.keys_for(Action::FormSave),
                        ctx.keymap.keys_for(Action::FormClose)
                    ),
                    cols,
                ),
                theme.muted,
            ),
        },
    ])
}

/// A drill-down line: patient, ended, visits, measure, start → end, change, MCID (76
/// columns).
/// Narrower than 76 columns, the start → end values give way to the change and MCID.
fn episode_cells(marker: &str, c: [&str; 7], name: usize, values: bool) -> String {
    let span = if values {
        format!(" {}", fit(c[4], 11))
    } else {
        String::new()
    };
    format!(
        "{marker}{} {} {} {}{span} {} {}",
        fit(c[0], name),
        fit(c[1], 10),
        cell(c[2], 3),
        fit(c[3], 9),
        cell(c[5], 6),
        c[6]
    )
}

/// Column widths for `cols`: the group's name takes what the figures leave.
struct Columns {
    name: usize,
    bar: usize,
    trend: bool,
    no_show: bool,
    wide: bool,
}

fn columns(cols: usize) -> Columns {
    // Marker 2, episodes 4, pairs 5, share 4, CI 7, visits 6, and the spaces between.
    let fixed = 2 + 4 + 5 + 4 + 7 + 6 + 6;
    let wide = cols >= 110;
    let no_show = cols >= 90;
    let trend = cols >= 70;
    let bar = if cols >= 100 { 20 } else { 8 };
    let extra =
        if wide { 9 + 8 + 7 } else { 0 } + if trend { 13 } else { 0 } + if no_show { 6 } else { 0 };
    let name = cols.saturating_sub(fixed + extra + bar + 1).clamp(8, 30);
    Columns {
        name,
        bar,
        trend,
        no_show,
        wide,
    }
}

fn cell(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    format!("{}{s}", " ".repeat(w.saturating_sub(width(&s))))
}

fn draw_table(
    frame: &mut Frame,
    area: Rect,
    pane: &ClinicPane,
    loaded: &Loaded,
    shown: &Shown,
    ctx: &Context,
    theme: &Theme,
) {
    let c = columns(usize::from(area.width));
    let mut head = format!(
        "  {} {} {} {} {} {}",
        fit("Group", c.name),
        cell("Eps", 4),
        cell("Pairs", 5),
        fit("MCID met", c.bar + 5),
        fit("95% CI", 7),
        cell("Visits", 6),
    );
    if c.no_show {
        head.push_str(&format!(" {}", cell("NoSh", 5)));
    }
    if c.trend {
        head.push_str(&format!(" {}", fit("12 months", 12)));
    }
    if c.wide {
        head.push_str(&format!(
            " {} {} {}",
            cell("Change", 8),
            cell("Complete", 8),
            cell("HEP", 6)
        ));
    }
    let mut lines = vec![Line::styled(head, theme.column_header)];
    let visible = usize::from(area.height).saturating_sub(1);
    let rows = &shown.table.rows;
    let top = pane.selected.saturating_sub(visible.saturating_sub(1));
    for (i, f) in rows.iter().enumerate().skip(top).take(visible) {
        let own = i == 1 && shown.table.mine;
        let name = if own {
            format!(
                "You ({})",
                ctx.me.map(|s| clean_line(&s.name)).unwrap_or_default()
            )
        } else {
            key_label(f, &loaded.read.defs, &therapists(ctx))
        };
        lines.push(row_line(
            f,
            &name,
            own,
            i == pane.selected,
            shown,
            &c,
            theme,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn therapists(ctx: &Context) -> std::collections::HashMap<i64, String> {
    ctx.staff.iter().map(|s| (s.id, s.name.clone())).collect()
}

#[allow(clippy::too_many_arguments)]
fn row_line(
    f: &Figures,
    name: &str,
    own: bool,
    selected: bool,
    shown: &Shown,
    c: &Columns,
    theme: &Theme,
) -> Line<'static> {
    let marker = if selected { theme.symbols.marker } else { "  " };
    let small = f.too_small();
    let share = match f.mcid_met_share {
        Some(s) if small => format!("{} {}", fit("few", c.bar), cell(&percent(Some(s)), 4)),
        Some(s) => format!("{} {}", bar(s, c.bar, theme), cell(&percent(Some(s)), 4)),
        None => fit("—", c.bar + 5),
    };
    let ci = f.mcid_met_ci.map_or_else(
        || "—".to_string(),
        |(lo, hi)| format!("{:.0}–{:.0}", lo * 100.0, hi * 100.0),
    );
    let mut text = format!(
        "{marker}{} {} {} {share} {} {}",
        fit(name, c.name),
        cell(&f.episodes.to_string(), 4),
        cell(&f.complete_pairs.to_string(), 5),
        fit(&ci, 7),
        cell(&f.median_visits.map_or("—".into(), number), 6),
    );
    if c.no_show {
        text.push_str(&format!(" {}", cell(&percent(f.no_show_rate), 5)));
    }
    if c.trend {
        let monthly = if own {
            Some(&shown.mine_trend)
        } else {
            shown.trend.get(&f.key)
        };
        let trend = monthly.map_or(String::new(), |m| sparkline(m, theme));
        text.push_str(&format!(" {}", fit(&trend, 12)));
    }
    if c.wide {
        text.push_str(&format!(
            " {} {} {}",
            cell(&f.median_change.map_or("—".into(), signed), 8),
            cell(&percent(f.completeness), 8),
            cell(&percent(f.adherence_median.map(|a| a / 100.0)), 6),
        ));
    }
    let style = match (selected, small) {
        (true, _) => theme.selected,
        (false, true) => theme.muted,
        (false, false) => Style::default(),
    };
    Line::from(Span::styled(text, style))
}

fn draw_episodes(
    frame: &mut Frame,
    area: Rect,
    pane: &ClinicPane,
    loaded: &Loaded,
    ctx: &Context,
    theme: &Theme,
) {
    let cols = usize::from(area.width);
    let (group, at) = pane.drill.unwrap_or_default();
    let names = therapists(ctx);
    let label = pane
        .shown
        .as_ref()
        .and_then(|s| s.table.rows.get(group))
        .map(|f| {
            if group == 1 && pane.shown.as_ref().is_some_and(|s| s.table.mine) {
                "Your episodes".to_string()
            } else {
                format!("Episodes of {}", key_label(f, &loaded.read.defs, &names))
            }
        })
        .unwrap_or_default();
    let rows = pane.drill_rows();
    // The patient's column takes what the others (55 columns) leave, up to 40.
    let values = cols >= 76;
    let name_cols = cols
        .saturating_sub(if values { 55 } else { 43 })
        .clamp(18, 40);
    let mut lines = vec![
        Line::styled(fit(&format!("{label}: {}", rows.len()), cols), theme.header),
        Line::styled(
            fit(
                &episode_cells(
                    "  ",
                    [
                        "Patient",
                        "Ended",
                        "Vis",
                        "Measure",
                        "Start → end",
                        "Change",
                        "MCID",
                    ],
                    name_cols,
                    values,
                ),
                cols,
            ),
            theme.column_header,
        ),
    ];
    let visible = usize::from(area.height).saturating_sub(2);
    let top = at.saturating_sub(visible.saturating_sub(1));
    for (n, i) in rows.iter().enumerate().skip(top).take(visible) {
        let e = &loaded.read.episodes[*i];
        let who = if crate::domain::roles::sees_names_of(ctx.me, e.therapist_id) {
            loaded.patients.get(&e.patient_id).map_or_else(
                || format!("patient #{}", e.patient_id),
                |p| {
                    let name = clean_line(&p.name);
                    let with_mrn = format!("{name} ({})", clean_line(&p.mrn));
                    if width(&with_mrn) <= name_cols {
                        with_mrn
                    } else {
                        name
                    }
                },
            )
        } else {
            format!(
                "{}'s patient",
                ctx.staff
                    .iter()
                    .find(|s| s.id == e.therapist_id)
                    .map_or("another PT".to_string(), |s| clean_line(&s.initials))
            )
        };
        let pair = primary_pair(e, &loaded.read.defs);
        let (code, span, change, met) = match pair {
            Some(p) => (
                loaded.read.defs[p.measure].code.to_string(),
                format!("{} → {}", number(p.initial), number(p.last)),
                signed(p.change),
                if !p.complete {
                    "incompl"
                } else if p.mcid_met {
                    "met"
                } else {
                    "not met"
                },
            ),
            None => ("—".into(), "—".into(), "—".into(), "no measure"),
        };
        let marker = if n == at { theme.symbols.marker } else { "  " };
        let end = e.end.map_or("—".into(), |d| d.to_string());
        let visits = e.attended.to_string();
        let text = episode_cells(
            marker,
            [&who, &end, &visits, &code, &span, &change, met],
            name_cols,
            values,
        );
        let style = if n == at {
            theme.selected
        } else {
            Style::default()
        };
        lines.push(Line::styled(fit(&text, cols), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

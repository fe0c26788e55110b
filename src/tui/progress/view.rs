//! Pane 2 on screen: the header with the episode and what is due, one row per measure with a
//! sparkline (up is always better), the chart of one measure, the record form and the note.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Clear, Dataset, GraphType, Paragraph, Wrap};

use super::ProgressPane;
use super::note::{NoteEditor, units_line};
use super::record::{Field, RecordForm};
use crate::domain::age_on;
use crate::domain::goals::GoalStatus;
use crate::domain::measures::Better;
use crate::domain::progress::{MeasureStatus, MeasureTrend, Progress};
use crate::sanitize::clean_line;
use crate::text::{fit, truncate, width};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::pane::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::centered;
use crate::tui::widgets::marked_list;

pub fn draw(frame: &mut Frame, area: Rect, pane: &ProgressPane, ctx: &Context, theme: &Theme) {
    let Some(v) = ctx.visit else {
        crate::tui::widgets::patient_summary::draw_none_chosen(frame, area, ctx, theme);
        return;
    };
    if let Some(editor) = &pane.note {
        draw_note(frame, area, editor, ctx.keymap, theme);
        return;
    }
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border);
    let Some(p) = pane.for_patient(v.patient_id) else {
        let block = block.title(format!(" Progress: {} ", clean_line(&v.patient_name)));
        frame.render_widget(
            Paragraph::new("  Loading…").style(theme.muted).block(block),
            area,
        );
        return;
    };
    let title = format!(
        " {}, {} · MRN {} ",
        clean_line(&p.patient.full_name()),
        age_on(p.patient.date_of_birth, ctx.today),
        clean_line(&p.patient.mrn)
    );
    let inner = block.inner(area);
    frame.render_widget(
        block.title(truncate(&title, area.width.saturating_sub(4) as usize)),
        area,
    );
    let inner = inner.inner(Margin::new(1, 0));
    // Short of rows for the goals, the flags take one line of badges (the schedule and the
    // report say each in full).
    let goal_rows = p.goals.as_ref().map_or(0, |g| g.goals.len().max(1) + 1);
    let table_rows = 1 + p.measures.len().max(1) + usize::from(!pane.adherence.is_empty());
    let expected = pane
        .expected
        .as_ref()
        .filter(|(id, _)| *id == v.patient_id)
        .map(|(_, line)| line.as_str());
    let full = header_lines(p, expected, theme, inner.width as usize, false);
    let header =
        if p.flags.len() > 1 && full.len() + table_rows + goal_rows > usize::from(inner.height) {
            header_lines(p, expected, theme, inner.width as usize, true)
        } else {
            full
        };
    let [head, table] =
        Layout::vertical([Constraint::Length(header.len() as u16), Constraint::Min(1)])
            .areas(inner);
    frame.render_widget(Paragraph::new(header), head);
    draw_measures(frame, table, pane, p, ctx.keymap, theme);
    if pane.chart {
        if let Some(m) = p.measures.get(pane.selected) {
            draw_chart(frame, area, m, ctx.keymap, theme);
        }
    }
    if let Some(form) = &pane.record {
        draw_record(frame, area, form, ctx.keymap, theme);
    }
}

fn header_lines(
    p: &Progress,
    expected: Option<&str>,
    theme: &Theme,
    cols: usize,
    compact: bool,
) -> Vec<Line<'static>> {
    let e = &p.episode;
    let mut parts = Vec::new();
    if let (Some(code), Some(text)) = (&p.patient.diagnosis_code, &p.patient.diagnosis) {
        parts.push(format!("{} {}", clean_line(code), clean_line(text)));
    }
    if let Some(region) = p
        .patient
        .body_region
        .as_deref()
        .and_then(crate::domain::measures::BodyRegion::parse)
    {
        parts.push(region.label().to_string());
    }
    let mut episode = Vec::new();
    if let Some(n) = e.visit_number {
        episode.push(format!("visit {n} of the episode"));
    }
    episode.push(match e.authorized {
        Some(a) => format!("{} of {a} authorised visits used", e.visits_used),
        None if p.authorizations.is_empty() => "no authorisation on file".to_string(),
        None => "no authorisation covers this visit".to_string(),
    });
    if let Some(days) = e.days_left_in_poc {
        episode.push(if days >= 0 {
            format!("{days} days left in the plan of care")
        } else {
            format!("plan of care ended {} days ago", -days)
        });
    }
    if let Some(payer) = &p.patient.payer {
        episode.push(clean_line(payer));
    }
    let mut lines = vec![
        Line::styled(truncate(&parts.join(" · "), cols), theme.header),
        Line::from(truncate(&episode.join(" · "), cols)),
    ];
    if let Some(line) = expected {
        lines.push(Line::styled(truncate(line, cols), theme.info));
    }
    let sentences = p.flag_sentences();
    if sentences.is_empty() {
        lines.push(Line::styled(
            "Nothing due: no flags on this visit.",
            theme.muted,
        ));
    }
    if compact {
        let mut spans = Vec::new();
        let mut used = 0;
        for flag in &p.flags {
            spans.push(Span::styled(flag.badge().to_string(), theme.badge));
            spans.push(Span::raw(" "));
            used += width(flag.badge()) + 1;
        }
        let style = if p.flags.iter().any(|f| f.is_breach()) {
            theme.error
        } else {
            theme.warning
        };
        if let Some(first) = sentences.first() {
            spans.push(Span::styled(
                truncate(&format!(" {first}"), cols.saturating_sub(used)),
                style,
            ));
        }
        lines.push(Line::from(spans));
        lines.push(Line::from(""));
        return lines;
    }
    for (flag, sentence) in p.flags.iter().zip(sentences) {
        let style = if flag.is_breach() {
            theme.error
        } else {
            theme.warning
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<5} ", flag.badge()), theme.badge),
            Span::styled(
                truncate(&format!(" {sentence}"), cols.saturating_sub(7)),
                style,
            ),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

fn number(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v)
    } else {
        format!("{v:.1}")
    }
}

/// Levels 0..=7 as bar characters.
fn bars(levels: &[u64], theme: &Theme, cols: usize) -> String {
    let take = levels.len().saturating_sub(cols);
    levels[take..]
        .iter()
        .map(|&l| theme.symbols.bars[l.min(7) as usize])
        .collect()
}

fn status_style(theme: &Theme, s: MeasureStatus) -> Style {
    match s {
        MeasureStatus::Met => theme.arrived,
        MeasureStatus::NotYet => theme.warning,
        MeasureStatus::Worse => theme.error,
        MeasureStatus::ChangeOnly | MeasureStatus::EarlierEpisode => theme.muted,
    }
}

fn draw_measures(
    frame: &mut Frame,
    area: Rect,
    pane: &ProgressPane,
    p: &Progress,
    keymap: &Keymap,
    theme: &Theme,
) {
    let cols = area.width as usize;
    let spark = if cols >= 100 { 24 } else { 12 };
    let name_w = cols
        .saturating_sub(2 + spark + 7 * 3 + 6 + 4 + 16)
        .clamp(8, 30);
    // Full names when there is room; the codes clinicians know (NPRS, LEFS, "ROM R knee
    // ext") when narrow.
    let label = |m: &MeasureTrend| {
        if name_w >= 26 && width(&m.title()) <= name_w {
            m.title()
        } else {
            m.short_title()
        }
    };
    // Every bar points up when better, whichever way the measure runs; the title says so.
    let trend_title = if spark >= 20 {
        "Trend (up is better)".to_string()
    } else {
        "Up is better".to_string()
    };
    let mut lines = vec![Line::styled(
        format!(
            "  {} {} {:>7}{:>7}{:>7} {:>5}  {}",
            fit("Measure", name_w),
            fit(&trend_title, spark),
            "Initial",
            "Latest",
            "Change",
            "MCID",
            "Status"
        ),
        theme.column_header,
    )];
    if p.measures.is_empty() {
        lines.push(Line::styled(
            format!(
                "  No outcome measures recorded in this episode yet: {} records today's.",
                keymap.label(Action::RecordMeasure)
            ),
            theme.muted,
        ));
    }
    for (i, m) in p.measures.iter().enumerate() {
        let selected = i == pane.selected;
        let base = if selected {
            theme.selected
        } else {
            Style::default()
        };
        let marker = marked_list::marker(selected, theme);
        lines.push(Line::from(vec![
            Span::styled(
                format!("{marker}{} ", fit(&clean_line(&label(m)), name_w)),
                base,
            ),
            Span::styled(
                fit(&bars(&m.sparkline(7), theme, spark), spark),
                base.patch(theme.info),
            ),
            Span::styled(
                format!(
                    " {:>7}{:>7}{:>7} {:>5}  ",
                    number(m.initial),
                    number(m.latest),
                    m.change_shown().map_or_else(
                        || "—".to_string(),
                        |c| format!("{}{}", if c > 0.0 { "+" } else { "" }, number(c))
                    ),
                    m.def.mcid.map(number).unwrap_or_else(|| "—".into())
                ),
                base,
            ),
            Span::styled(
                m.status.label_for(&m.def),
                base.patch(status_style(theme, m.status)),
            ),
        ]));
    }
    if !pane.adherence.is_empty() {
        let levels: Vec<u64> = pane.adherence.iter().map(|a| a.level(7)).collect();
        let last = pane
            .adherence
            .last()
            .map(|a| (a.done, a.prescribed, a.percent(), a.reported_on));
        if let Some((done, prescribed, pct, on)) = last {
            let low = p
                .adherence
                .as_ref()
                .is_some_and(|a| a.is_low(&p.thresholds));
            lines.push(Line::from(vec![
                Span::raw(format!("  {} ", fit("Home exercise", name_w))),
                Span::styled(fit(&bars(&levels, theme, spark), spark), theme.info),
                Span::styled(
                    format!(
                        "  {done} of {prescribed} sessions ({pct}%) on {}",
                        on.format("%-d %b")
                    ),
                    if low { theme.error } else { Style::default() },
                ),
            ]));
        }
    }
    let rows = usize::from(area.height);
    let mut assessment = Vec::new();
    if let Some(a) = &p.latest_assessment {
        assessment.push(Line::from(""));
        // Whether the words are vouched for comes before them, so a narrow pane keeps it.
        let standing = if !a.signing.is_signed() {
            ", draft"
        } else if a.signing.awaiting_cosign {
            ", awaiting co-signature"
        } else {
            ", signed"
        };
        let text = format!(
            "Assessment ({}, {}{standing}): {}",
            a.date.format("%-d %b"),
            a.kind.label(),
            clean_line(&a.text)
        );
        assessment.push(Line::styled(truncate(&text, cols), theme.muted));
    }
    // The goals come before the assessment's excerpt, which gives way to them when short of
    // rows; goals that still do not fit are counted on the last row.
    let room = rows.saturating_sub(lines.len());
    let every_goal = goal_lines(p, theme, cols, usize::MAX);
    let goals = if every_goal.len() + assessment.len() <= room {
        every_goal
    } else {
        assessment.clear();
        goal_lines(p, theme, cols, room)
    };
    lines.extend(goals);
    lines.extend(assessment);
    frame.render_widget(Paragraph::new(lines), area);
}

/// The goals of the current plan of care in at most `rows` rows (a blank and a heading first):
/// term, words, target, date, status. None without a plan of care.
fn goal_lines(p: &Progress, theme: &Theme, cols: usize, rows: usize) -> Vec<Line<'static>> {
    let Some(plan) = &p.goals else {
        return Vec::new();
    };
    if rows < 2 {
        return Vec::new();
    }
    let (by_w, status_w, target_w) = (6, 14, if cols >= 100 { 24 } else { 14 });
    // "  Term Words Target By  Status": twelve columns of spaces and the term's five.
    let words_w = cols.saturating_sub(12 + target_w + by_w + status_w).max(8);
    // A blank row above the heading when there is room for it and every goal.
    let mut out = if rows > plan.goals.len().max(1) + 1 {
        vec![Line::from("")]
    } else {
        Vec::new()
    };
    out.extend([Line::styled(
        format!(
            "  {} {} {} {}  {}",
            fit("Goals", 5),
            fit(
                &format!("of the plan to {}", plan.plan.ends_on.format("%-d %b")),
                words_w
            ),
            fit("Target", target_w),
            fit("By", by_w),
            "Status"
        ),
        theme.column_header,
    )]);
    if plan.goals.is_empty() {
        out.push(Line::styled(
            "  None set in the plan of care yet.",
            theme.muted,
        ));
        return out;
    }
    let room = rows - out.len();
    let shown = if plan.goals.len() <= room {
        plan.goals.len()
    } else {
        room.saturating_sub(1)
    };
    for g in &plan.goals[..shown] {
        let symbols = |t: &str| {
            t.replace('≤', theme.symbols.at_most)
                .replace('≥', theme.symbols.at_least)
        };
        let words = clean_line(&g.words());
        let target = g.target_text().filter(|t| *t != words).unwrap_or_default();
        let (words, target) = (symbols(&words), symbols(&target));
        let style = match g.status {
            GoalStatus::Met => theme.arrived,
            GoalStatus::NotMet => theme.error,
            GoalStatus::Progressing => theme.warning,
            GoalStatus::NoMeasureYet | GoalStatus::NotAssessed => theme.muted,
        };
        // Words with no separate target take the target's column too.
        let goal = if target.is_empty() {
            fit(&words, words_w + 1 + target_w)
        } else {
            format!("{} {}", fit(&words, words_w), fit(&target, target_w))
        };
        out.push(Line::from(vec![
            Span::raw(format!(
                "  {} {goal} {}  ",
                fit(g.goal.term.label(), 5),
                fit(&g.goal.target_on.format("%-d %b").to_string(), by_w)
            )),
            Span::styled(g.status.label().to_string(), style),
        ]));
    }
    if shown < plan.goals.len() {
        out.push(Line::styled(
            format!("  +{} more goals", plan.goals.len() - shown),
            theme.muted,
        ));
    }
    out
}

fn draw_chart(frame: &mut Frame, area: Rect, m: &MeasureTrend, keymap: &Keymap, theme: &Theme) {
    let rect = area.inner(Margin::new(1, 1));
    frame.render_widget(Clear, rect);
    let Some(first) = m.points.first().map(|p| p.date) else {
        return;
    };
    let last = m.points.last().map(|p| p.date).unwrap_or(first);
    let x = |d: NaiveDate| (d - first).num_days() as f64;
    let data: Vec<(f64, f64)> = m.points.iter().map(|p| (x(p.date), p.value)).collect();
    let span = x(last).max(1.0);
    let ascii = theme.symbols.marker.is_ascii();
    let better = match m.def.better {
        Better::Lower => "lower is better",
        Better::Higher => "higher is better",
    };
    // The line a change must cross to matter: the initial value moved by the MCID.
    let mut sets = Vec::new();
    let mut mcid_line: Vec<(f64, f64)> = Vec::new();
    let mut line_at = String::new();
    if let Some(mcid) = m.def.mcid {
        let target = match m.def.better {
            Better::Lower => m.initial - mcid,
            Better::Higher => m.initial + mcid,
        };
        mcid_line = vec![(0.0, target), (span, target)];
        line_at = format!(" · {} line at {}", m.def.threshold, number(target));
    }
    if !mcid_line.is_empty() {
        sets.push(
            Dataset::default()
                .name(line_at.trim_start_matches(" · ").to_string())
                .graph_type(GraphType::Line)
                .style(theme.warning)
                .data(&mcid_line),
        );
    }
    // The measurements are drawn last, over the threshold's line.
    sets.extend([
        Dataset::default()
            .name(clean_line(&m.short_title()))
            .marker(if ascii { Marker::Dot } else { Marker::Braille })
            .graph_type(GraphType::Line)
            .style(theme.info)
            .data(&data),
        // Each measurement as a point of its own, over the line.
        Dataset::default()
            .marker(if ascii { Marker::Dot } else { Marker::Block })
            .graph_type(GraphType::Scatter)
            .style(theme.title)
            .data(&data),
    ]);
    // The full name where it fits with the key that closes the chart, else the short one.
    let close = format!(" ({} closes) ", keymap.label(Action::ChartClose));
    let status = m.status.label_for(&m.def);
    let titled = |name: String| format!(" {name}: {status} · {better}{line_at}{close}");
    let mut title = titled(clean_line(&m.title()));
    if width(&title) + 2 > usize::from(rect.width) {
        title = titled(clean_line(&m.short_title()));
    }
    let [plot, values] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(rect);
    let mid = first + chrono::Duration::days((span / 2.0) as i64);
    let chart = Chart::new(sets)
        .block(
            Block::bordered()
                .border_set(theme.symbols.border)
                .border_style(theme.border)
                .title(title),
        )
        .x_axis(
            Axis::default()
                // A little room past the last day, so its point is drawn inside the frame.
                .bounds([0.0, span * 1.03])
                .labels([first, mid, last].map(|d| Span::raw(d.format("%-d %b").to_string())))
                .style(theme.muted),
        )
        .y_axis(
            Axis::default()
                .bounds([m.def.min, m.def.max])
                .labels(
                    [m.def.min, (m.def.min + m.def.max) / 2.0, m.def.max]
                        .map(|v| Span::raw(number(v))),
                )
                .style(theme.muted),
        );
    frame.render_widget(chart, plot);
    frame.render_widget(
        Paragraph::new(chart_values(m, usize::from(values.width))).style(theme.muted),
        values,
    );
}

/// Each point's date and value under the chart, the latest kept when they do not all fit.
fn chart_values(m: &MeasureTrend, cols: usize) -> String {
    let all: Vec<String> = m
        .points
        .iter()
        .map(|p| format!("{} {}", p.date.format("%-d %b"), number(p.value)))
        .collect();
    let mut shown: Vec<&str> = Vec::new();
    for v in all.iter().rev() {
        let with = width(v) + shown.iter().map(|s| width(s) + 3).sum::<usize>() + 1;
        if with > cols {
            break;
        }
        shown.insert(0, v);
    }
    format!(" {}", shown.join(" · "))
}

fn draw_record(frame: &mut Frame, area: Rect, form: &RecordForm, keymap: &Keymap, theme: &Theme) {
    let key = |a: Action| keymap.label(a);
    let mut lines = Vec::new();
    for field in form.fields() {
        let focused = field == form.focus;
        let label = match field {
            Field::Measure => "Measure",
            Field::Value => "Total",
            Field::Items => "Items",
            Field::Detail => "Detail",
        };
        let value = match field {
            Field::Measure => format!(
                "{} {} {}",
                theme.symbols.left,
                form.code(),
                theme.symbols.right
            ),
            Field::Value => form.value.text().to_string(),
            Field::Items => form.items.text().to_string(),
            Field::Detail => form.detail.text().to_string(),
        };
        let style = if focused {
            theme.field_focus
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", fit(label, 9)), theme.field_label),
            Span::styled(value.clone(), style),
            Span::styled(format!("  {}", form.hint(field)), theme.muted),
        ]));
    }
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::styled(format!("! {}", clean_line(e)), theme.error));
    }
    let footer = crate::tui::widgets::form::footer(
        form.saving,
        form.discard_armed,
        &key(Action::FormClose),
        format!(
            "{} saves · {} next field · {}/{} on Measure changes it · {} cancels",
            key(Action::FormSave),
            key(Action::FormNext),
            key(Action::FormChoicePrev),
            key(Action::FormChoiceNext),
            key(Action::FormClose)
        ),
    );
    lines.push(Line::styled(footer, theme.muted));
    let w = area.width.saturating_sub(4).min(90);
    let rect = centered(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border)
        .title(" Record today's measure ");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn draw_note(frame: &mut Frame, area: Rect, editor: &NoteEditor, keymap: &Keymap, theme: &Theme) {
    let key = |a: Action| keymap.label(a);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border)
        .title(format!(
            " Note: {} ",
            truncate(
                &clean_line(&editor.title),
                area.width.saturating_sub(10) as usize
            )
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let signed = note_signing_lines(editor, keymap, theme, inner.width as usize);
    let signed_rows = (signed.len() as u16).min(inner.height / 4);
    let addendum_rows = if editor.addendum.is_some() { 3 } else { 0 };
    // The sections share what the rest leaves; the footer holds an error and the keys.
    let [a, b, c, d, minutes, signature, addendum, footer] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(signed_rows),
        Constraint::Length(addendum_rows),
        Constraint::Length(2),
    ])
    .areas(inner);
    // The latest lines are kept when they do not all fit: the newest addendum matters most.
    let skip = signed.len().saturating_sub(signed_rows as usize);
    frame.render_widget(
        Paragraph::new(signed.into_iter().skip(skip).collect::<Vec<_>>()),
        signature,
    );
    if let Some(text) = &editor.addendum {
        let mut area = text.clone();
        area.set_block(Block::new().title(Span::styled(
            format!(
                "Addendum, dated now, by you  ({} adds it)",
                key(Action::NoteSave)
            ),
            theme.field_focus,
        )));
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(theme.selected);
        frame.render_widget(&area, addendum);
    }
    for (i, rect) in [a, b, c, d].into_iter().enumerate() {
        // A signed note is read-only: no section is being typed in.
        let focused = editor.focus == i && !editor.is_signed();
        let mut area = editor.sections[i].clone();
        let label = super::note::SECTIONS[i];
        area.set_block(Block::new().title(Span::styled(
            format!("{label}{}", if focused { "  (typing)" } else { "" }),
            if focused {
                theme.field_focus
            } else {
                theme.field_label
            },
        )));
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(if focused {
            theme.selected
        } else {
            Style::default()
        });
        frame.render_widget(&area, rect);
    }
    let focused = editor.focus == 4;
    let mins = vec![
        Line::from(vec![
            Span::styled(
                "Procedures ",
                if focused {
                    theme.field_focus
                } else {
                    theme.field_label
                },
            ),
            Span::raw(editor.minutes.text().to_string()),
            Span::styled(
                if editor.minutes.is_empty() {
                    "code and minutes, or an untimed code: 97110 30, 97140 15, 97161"
                } else {
                    ""
                },
                theme.muted,
            ),
        ]),
        match units_line(editor.minutes.text(), editor.rule) {
            Ok(units) => Line::styled(format!("  {units}"), theme.info),
            Err(why) => Line::styled(format!("  {}", clean_line(&why)), theme.error),
        },
    ];
    frame.render_widget(Paragraph::new(mins).wrap(Wrap { trim: false }), minutes);
    let mut foot = Vec::new();
    if let Some(e) = &editor.error {
        foot.push(Line::styled(
            truncate(&format!("! {}", clean_line(e)), footer.width as usize),
            theme.error,
        ));
    }
    let status = if editor.is_signed() && !editor.loading && !editor.saving && !editor.discard_armed
    {
        // The co-signature is offered only while the note waits for one.
        let cosign = if editor.signing.awaiting_cosign {
            format!(" · {} co-signs", key(Action::NoteCoSign))
        } else {
            String::new()
        };
        format!(
            "signed: read-only · {} addendum{cosign} · {} closes{}",
            key(Action::NoteAddendum),
            key(Action::NoteClose),
            if editor.dirty { " · unsaved" } else { "" }
        )
    } else if editor.loading {
        "loading the note…".to_string()
    } else if editor.saving {
        "saving…".to_string()
    } else if editor.discard_armed {
        format!("{} again discards the changes", key(Action::NoteClose))
    } else {
        format!(
            "{} saves · {} next part · {} progress report: {} · {} closes{}",
            key(Action::NoteSave),
            key(Action::NoteNextPart),
            key(Action::NoteProgressReport),
            if editor.is_progress_report {
                "yes"
            } else {
                "no"
            },
            key(Action::NoteClose),
            if editor.dirty { " · unsaved" } else { "" }
        )
    };
    foot.push(Line::styled(
        truncate(&status, footer.width as usize),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(foot), footer);
}

/// Under the procedures: a draft says so with the key that signs it; a signed note shows its
/// signature, its co-signature or that one is awaited (with the key that gives it), and its
/// addenda, each cut to the width.
fn note_signing_lines(
    editor: &NoteEditor,
    keymap: &Keymap,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    if editor.loading {
        return Vec::new();
    }
    let fit = |text: String| truncate(&clean_line(&text), width);
    if !editor.is_signed() {
        return vec![Line::styled(
            fit(format!(
                "Draft: not signed · {} signs it (saving first what is typed)",
                keymap.label(Action::NoteSign)
            )),
            theme.muted,
        )];
    }
    editor
        .signing
        .lines()
        .into_iter()
        .map(|line| {
            let style = if line.starts_with("Awaiting") {
                theme.error
            } else if line.starts_with("Addendum") {
                Style::default()
            } else {
                theme.info
            };
            Line::styled(fit(line), style)
        })
        .collect()
}

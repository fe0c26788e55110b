//! Pane 3 on screen: the exercise search and the program side by side from 100 columns,
//! stacked (search above) when narrower. Overlays (dosage, note, versions, templates,
//! adherence) sit over the program.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{DOSAGE_FIELDS, Draft, Focus, Overlay, ProgramPane};
use crate::domain::flags::THRESHOLDS;
use crate::domain::hep::{WARN_ABOVE, region_label};
use crate::sanitize::clean_line;
use crate::search::exercises::Via;
use crate::text::{fit, truncate, width};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::pane::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::{marked_list, patient_summary};

/// From this width the search and the program sit side by side.
const SIDE_BY_SIDE: u16 = 100;

fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_set(theme.symbols.border)
        .title(title)
        .border_style(if focused {
            theme.border.patch(theme.title)
        } else {
            theme.border
        })
}

pub fn draw(frame: &mut Frame, area: Rect, pane: &ProgramPane, ctx: &Context, theme: &Theme) {
    let Some(v) = ctx.visit else {
        patient_summary::draw(frame, area, ctx, theme);
        return;
    };
    let (search, program) = if area.width >= SIDE_BY_SIDE {
        let [a, b] = Layout::horizontal([Constraint::Percentage(44), Constraint::Percentage(56)])
            .areas(area);
        (a, b)
    } else {
        let top = (area.height / 2).clamp(5, 9);
        let [a, b] = Layout::vertical([Constraint::Length(top), Constraint::Min(4)]).areas(area);
        (a, b)
    };
    draw_search(frame, search, pane, ctx, theme);
    let draft = pane.draft.as_ref().filter(|d| d.patient_id == v.patient_id);
    draw_program(
        frame,
        program,
        pane,
        ctx,
        draft,
        &clean_line(&v.patient_name),
        theme,
    );
    if let (Some(overlay), Some(draft)) = (&pane.overlay, draft) {
        draw_overlay(frame, program, pane, overlay, draft, ctx.keymap, theme);
    }
}

/// A text with the characters at `positions` in the matched style.
fn highlighted(
    text: &str,
    positions: &[usize],
    max: usize,
    base: Style,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let text = truncate(&clean_line(text), max);
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let style = if positions.contains(&i) {
                base.patch(theme.matched)
            } else {
                base
            };
            Span::styled(c.to_string(), style)
        })
        .collect()
}

fn draw_search(frame: &mut Frame, area: Rect, pane: &ProgramPane, ctx: &Context, theme: &Theme) {
    let focused = pane.focus == Focus::Search;
    let region = pane
        .region
        .map(|r| format!(" · {}", region_label(r)))
        .unwrap_or_default();
    let count = match &pane.library {
        None => " · loading".to_string(),
        Some(_) => format!(" · {}", pane.hits.len()),
    };
    let title = format!(" Exercises{region}{count} ");
    let b = block(title, focused, theme);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    let cols = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let label = "Find: ";
    let query_line = if pane.query.is_empty() && !pane.typing {
        Line::from(vec![
            Span::styled(label, theme.field_label),
            Span::styled(
                format!(
                    "{} search · {} region",
                    ctx.keymap.keys_for(Action::HepSearch),
                    ctx.keymap.keys_for(Action::HepRegion)
                ),
                theme.muted,
            ),
        ])
    } else {
        Line::from(vec![
            Span::styled(label, theme.field_label),
            Span::styled(
                pane.query.text().to_string(),
                if pane.typing {
                    theme.field_focus
                } else {
                    Style::default()
                },
            ),
        ])
    };
    lines.push(query_line);
    if pane.typing {
        let before: String = pane
            .query
            .text()
            .chars()
            .take(pane.query.cursor())
            .collect();
        let x = inner.x + (width(label) + width(&before)) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
    }
    let rows = inner.height.saturating_sub(1) as usize;
    let Some(lib) = &pane.library else {
        lines.push(Line::styled("Loading the exercise library…", theme.muted));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    if pane.hits.is_empty() {
        lines.push(Line::styled(
            if pane.query.is_empty() {
                "No exercises in this region."
            } else {
                "No exercise matches."
            },
            theme.muted,
        ));
    }
    let offset = marked_list::first_shown(pane.hit_cursor, rows);
    let mw = width(theme.symbols.marker);
    for (i, hit) in pane.hits.iter().enumerate().skip(offset).take(rows) {
        let e = &lib.exercises[hit.index];
        let selected = i == pane.hit_cursor;
        let base = if selected && focused {
            theme.selected
        } else {
            Style::default()
        };
        let right = format!(
            " {} · {}",
            region_label(&e.region),
            clean_line(&e.equipment)
        );
        let right = truncate(&right, (cols / 2).saturating_sub(2).max(8));
        let avail = cols.saturating_sub(mw + width(&right));
        let mut spans = vec![Span::styled(marked_list::marker(selected, theme), base)];
        let name_max = avail.min(width(&e.name));
        spans.extend(highlighted(&e.name, &hit.positions, name_max, base, theme));
        let mut used = width(&truncate(&clean_line(&e.name), name_max));
        if let Via::Alias(a) = hit.via {
            let alias = &e.aliases[a];
            let room = avail.saturating_sub(used + 3);
            if room >= 2 {
                spans.push(Span::styled(" (", base));
                spans.extend(highlighted(alias, &hit.alias_positions, room, base, theme));
                spans.push(Span::styled(")", base));
                used += 3 + width(&truncate(&clean_line(alias), room));
            }
        }
        spans.push(Span::styled(" ".repeat(avail.saturating_sub(used)), base));
        spans.push(Span::styled(right, base.patch(theme.muted)));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_program(
    frame: &mut Frame,
    area: Rect,
    pane: &ProgramPane,
    ctx: &Context,
    draft: Option<&Draft>,
    patient: &str,
    theme: &Theme,
) {
    let focused = pane.focus == Focus::Program && pane.overlay.is_none();
    let Some(d) = draft else {
        let b = block(format!(" Program: {patient} "), focused, theme);
        frame.render_widget(
            Paragraph::new(Line::styled("Loading the program…", theme.muted)).block(b),
            area,
        );
        return;
    };
    let version = match d.base_version {
        0 => "not saved yet".to_string(),
        v => format!("v{v}"),
    };
    let unsaved = if d.is_dirty() { " · unsaved*" } else { "" };
    let title = format!(" Program: {patient} · {version}{unsaved} ");
    let b = block(
        truncate(&title, area.width.saturating_sub(2) as usize),
        focused,
        theme,
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.height == 0 {
        return;
    }
    let cols = inner.width as usize;
    let mut footer: Vec<Line> = Vec::new();
    if d.items.len() > WARN_ABOVE {
        footer.push(Line::styled(
            truncate(
                &format!(
                    "{} exercises: adherence falls as programs grow (3 to 6 is usual)",
                    d.items.len()
                ),
                cols,
            ),
            theme.warning,
        ));
    }
    let adherence = match d.adherence.last() {
        Some(r) => {
            let spark: String = d
                .adherence
                .iter()
                .map(|r| theme.symbols.bars[r.level(7) as usize])
                .collect();
            format!(
                "Adherence {spark} {}/{} ({}%) on {}",
                r.done,
                r.prescribed,
                r.percent(),
                r.reported_on.format("%-d %b")
            )
        }
        None => "Adherence: none reported".to_string(),
    };
    let low = d.adherence.last().is_some_and(|r| r.is_low(&THRESHOLDS));
    footer.push(Line::styled(
        truncate(&adherence, cols),
        if low { theme.warning } else { theme.muted },
    ));
    let keys = |a: Action| ctx.keymap.keys_for(a);
    let hint = format!(
        "{} dosage {} note {} remove {}/{} move {} save {} versions {} templates {} handout {} email {} adherence",
        keys(Action::HepEdit),
        keys(Action::HepNote),
        keys(Action::HepRemove),
        keys(Action::HepMoveUp),
        keys(Action::HepMoveDown),
        keys(Action::HepSave),
        keys(Action::HepVersions),
        keys(Action::HepTemplates),
        keys(Action::HepPrint),
        keys(Action::HepEmail),
        keys(Action::HepAdherence),
    );
    footer.push(Line::styled(truncate(&hint, cols), theme.muted));
    let rows = (inner.height as usize).saturating_sub(footer.len());
    let mut lines: Vec<Line> = Vec::new();
    if d.items.is_empty() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "No exercises yet: {} finds one to add, {} applies a template.",
                    keys(Action::HepSearch),
                    keys(Action::HepTemplates)
                ),
                cols,
            ),
            theme.muted,
        ));
    }
    let mw = width(theme.symbols.marker);
    let offset = marked_list::first_shown(pane.cursor, rows);
    for (i, item) in d.items.iter().enumerate().skip(offset).take(rows) {
        let selected = i == pane.cursor;
        let base = if selected && focused {
            theme.selected
        } else {
            Style::default()
        };
        let dose = item.dosage.short();
        let note = if item.note.is_some() { " +note" } else { "" };
        let right = format!(" {dose}{note}");
        let right = truncate(&right, cols.saturating_sub(mw + 12).max(6));
        let name_cols = cols.saturating_sub(mw + width(&right));
        let name = fit(&format!("{}. {}", i + 1, clean_line(&item.name)), name_cols);
        lines.push(Line::from(vec![
            Span::styled(marked_list::marker(selected, theme), base),
            Span::styled(name, base),
            Span::styled(right, base.patch(theme.info)),
        ]));
    }
    while lines.len() < rows {
        lines.push(Line::from(""));
    }
    lines.truncate(rows);
    lines.extend(footer);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Opens a box over the lower part of `area` (all of it when small), titled, and returns
/// the room inside it.
fn open_overlay(frame: &mut Frame, area: Rect, height: u16, title: String, theme: &Theme) -> Rect {
    let h = height.min(area.height);
    let rect = Rect {
        x: area.x,
        y: area.y + area.height - h,
        width: area.width,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let b = block(title, true, theme);
    let inner = b.inner(rect);
    frame.render_widget(b, rect);
    inner
}

fn draw_overlay(
    frame: &mut Frame,
    area: Rect,
    pane: &ProgramPane,
    overlay: &Overlay,
    d: &Draft,
    keymap: &Keymap,
    theme: &Theme,
) {
    let key = |a: Action| keymap.label(a);
    match overlay {
        Overlay::Dosage(form) => {
            let name = d
                .items
                .get(form.index)
                .map(|i| clean_line(&i.name))
                .unwrap_or_default();
            let inner = open_overlay(frame, area, 11, format!(" Dosage: {name} "), theme);
            let mut lines = Vec::new();
            for (i, label) in DOSAGE_FIELDS.iter().enumerate() {
                let focused = i == form.focus;
                lines.push(Line::from(vec![
                    Span::styled(marked_list::marker(focused, theme), theme.field_label),
                    Span::styled(format!("{} ", fit(label, 11)), theme.field_label),
                    Span::styled(
                        form.fields[i].text().to_string(),
                        if focused {
                            theme.field_focus
                        } else {
                            Style::default()
                        },
                    ),
                ]));
                if focused {
                    let before: String = form.fields[i]
                        .text()
                        .chars()
                        .take(form.fields[i].cursor())
                        .collect();
                    let x = inner.x + (width(theme.symbols.marker) + 12 + width(&before)) as u16;
                    let y = inner.y + i as u16;
                    if y < inner.bottom() {
                        frame.set_cursor_position(Position::new(
                            x.min(inner.right().saturating_sub(1)),
                            y,
                        ));
                    }
                }
            }
            match &form.error {
                Some(e) => lines.push(Line::styled(e.clone(), theme.error)),
                None => {
                    let preview = form.dosage().map(|d| d.plain()).unwrap_or_default();
                    lines.push(Line::styled(preview, theme.info));
                }
            }
            lines.push(Line::styled(
                format!(
                    "{} field · {} keep · {} cancel",
                    key(Action::FormNext),
                    key(Action::FormSave),
                    key(Action::FormClose)
                ),
                theme.muted,
            ));
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Overlay::Note { index, editor, .. } => {
            let name = d
                .items
                .get(*index)
                .map(|i| clean_line(&i.name))
                .unwrap_or_default();
            let done = key(Action::ItemNoteDone);
            let inner = open_overlay(
                frame,
                area,
                8,
                format!(" Note: {name} · {done} done "),
                theme,
            );
            frame.render_widget(editor.as_ref(), inner);
        }
        Overlay::Versions { cursor, preview } => {
            let inner = open_overlay(
                frame,
                area,
                area.height,
                format!(
                    " Versions · {} shows · {} uses it · {} closes ",
                    key(Action::ListPick),
                    key(Action::VersionUse),
                    key(Action::ListClose)
                ),
                theme,
            );
            let mut lines = Vec::new();
            let list_rows = (inner.height as usize / 2).max(2);
            let entries: Vec<String> = d
                .versions
                .iter()
                .map(|v| {
                    format!(
                        "v{}  {}  {}  {} exercises",
                        v.version_no,
                        v.created_at
                            .replace('T', " ")
                            .get(..16)
                            .unwrap_or(&v.created_at),
                        clean_line(&v.created_by),
                        v.exercises
                    )
                })
                .collect();
            lines.extend(marked_list::text_rows(
                &entries,
                *cursor,
                list_rows,
                inner.width.saturating_sub(2) as usize,
                theme,
            ));
            if let Some(p) = preview {
                lines.push(Line::styled(
                    format!("Version {}:", p.version_no),
                    theme.field_label,
                ));
                for (i, item) in p.items.iter().enumerate() {
                    lines.push(Line::from(truncate(
                        &format!(
                            "  {}. {}  {}",
                            i + 1,
                            clean_line(&item.name),
                            item.dosage.short()
                        ),
                        inner.width as usize,
                    )));
                }
            }
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Overlay::Templates { cursor, naming } => {
            let inner = open_overlay(
                frame,
                area,
                area.height,
                format!(
                    " Templates · {} applies · {} closes ",
                    key(Action::ListPick),
                    key(Action::ListClose)
                ),
                theme,
            );
            let mut lines = Vec::new();
            if let Some(name) = naming {
                lines.push(Line::from(vec![
                    Span::styled("Template name: ", theme.field_label),
                    Span::styled(name.text().to_string(), theme.field_focus),
                ]));
                lines.push(Line::styled(
                    format!(
                        "{} saves this program as the template (a template of that name is replaced) · {} back",
                        key(Action::FormSave),
                        key(Action::FormClose)
                    ),
                    theme.muted,
                ));
                let before: String = name.text().chars().take(name.cursor()).collect();
                let x = inner.x + (width("Template name: ") + width(&before)) as u16;
                frame.set_cursor_position(Position::new(
                    x.min(inner.right().saturating_sub(1)),
                    inner.y,
                ));
            } else {
                let rows = inner.height as usize;
                let mut entries = vec![format!(
                    "Save this program ({} exercises) as a template…",
                    d.items.len()
                )];
                entries.extend(
                    pane.templates
                        .iter()
                        .map(|t| format!("{}  ({} exercises)", clean_line(&t.name), t.items.len())),
                );
                lines.extend(marked_list::text_rows(
                    &entries,
                    *cursor,
                    rows,
                    inner.width.saturating_sub(2) as usize,
                    theme,
                ));
            }
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Overlay::Adherence(form) => {
            let inner = open_overlay(
                frame,
                area,
                7,
                " Adherence in the last week ".to_string(),
                theme,
            );
            let row = |label: &str, input: &crate::tui::input::LineInput, focused: bool| {
                Line::from(vec![
                    Span::styled(marked_list::marker(focused, theme), theme.field_label),
                    Span::styled(format!("{} ", fit(label, 20)), theme.field_label),
                    Span::styled(
                        input.text().to_string(),
                        if focused {
                            theme.field_focus
                        } else {
                            Style::default()
                        },
                    ),
                ])
            };
            let mut lines = vec![
                row("Sessions done", &form.done, form.focus == 0),
                row("Sessions prescribed", &form.prescribed, form.focus == 1),
            ];
            let input = if form.focus == 0 {
                &form.done
            } else {
                &form.prescribed
            };
            let before: String = input.text().chars().take(input.cursor()).collect();
            let x = inner.x + (width(theme.symbols.marker) + 21 + width(&before)) as u16;
            frame.set_cursor_position(Position::new(
                x.min(inner.right().saturating_sub(1)),
                inner.y + form.focus as u16,
            ));
            match &form.error {
                Some(e) => lines.push(Line::styled(e.clone(), theme.error)),
                None => lines.push(Line::from("")),
            }
            lines.push(Line::styled(
                format!(
                    "{} field · {} records · {} cancel",
                    key(Action::FormNext),
                    key(Action::FormSave),
                    key(Action::FormClose)
                ),
                theme.muted,
            ));
            frame.render_widget(Paragraph::new(lines), inner);
        }
    }
}

//! The selected visit's patient: who they are, payer, diagnosis, authorisation, plan of care.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::domain::age_on;
use crate::sanitize::clean_line;
use crate::text::fit;
use crate::tui::pane::Context;
use crate::tui::theme::Theme;

/// A labelled line, the labels in one column.
fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {}", fit(label, 20)), theme.field_label),
        Span::raw(value),
    ])
}

/// What a patient's pane says before a visit is chosen: how to choose one.
pub fn draw_none_chosen(frame: &mut Frame, area: Rect, ctx: &Context, theme: &Theme) {
    let text = format!(
        "  Select a visit in the schedule ({}) to see its patient.",
        ctx.keymap.label(crate::tui::keymap::Action::ShowSchedule)
    );
    frame.render_widget(Paragraph::new(text).style(theme.muted), area);
}

/// The summary of the context's patient, or how to choose one.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Context, theme: &Theme) {
    let Some(v) = ctx.visit else {
        draw_none_chosen(frame, area, ctx, theme);
        return;
    };
    let title = format!(" {}: {} ", ctx.pane.title(), clean_line(&v.patient_name));
    let mut lines = vec![Line::from("")];
    match ctx.patient {
        None => lines.push(Line::styled("  Loading…", theme.muted)),
        Some(p) => {
            let opt =
                |s: &Option<String>| s.as_deref().map(clean_line).unwrap_or_else(|| "—".into());
            let day = |d: Option<NaiveDate>| {
                d.map(|d| d.format("%-d %b %Y").to_string())
                    .unwrap_or_else(|| "—".into())
            };
            lines.push(field(
                "Patient",
                format!(
                    "{} ({} years, born {})",
                    clean_line(&p.full_name()),
                    age_on(p.date_of_birth, ctx.today),
                    p.date_of_birth.format("%-d %b %Y")
                ),
                theme,
            ));
            lines.push(field("MRN", clean_line(&p.mrn), theme));
            lines.push(field("Phone", opt(&p.phone), theme));
            lines.push(field("Payer", opt(&p.payer), theme));
            let diagnosis = match (&p.diagnosis_code, &p.diagnosis) {
                (Some(c), Some(d)) => format!("{} {}", clean_line(c), clean_line(d)),
                (c, d) => opt(if c.is_some() { c } else { d }),
            };
            lines.push(field("Diagnosis", diagnosis, theme));
            lines.push(field(
                "Body region",
                p.body_region
                    .as_deref()
                    .and_then(crate::domain::measures::BodyRegion::parse)
                    .map(|r| r.label().to_string())
                    .unwrap_or_else(|| "—".into()),
                theme,
            ));
            lines.push(field(
                "Authorised visits",
                match p.authorization {
                    Some(a) => format!("{}, until {}", a.visits, day(Some(a.ends_on))),
                    None => "—".into(),
                },
                theme,
            ));
            lines.push(field(
                "Plan of care",
                match p.plan_of_care {
                    Some(plan) => format!(
                        "{} to {}{}",
                        day(Some(plan.starts_on)),
                        day(Some(plan.ends_on)),
                        if plan.certified_on.is_some() {
                            ""
                        } else {
                            ", not certified"
                        }
                    ),
                    None => "—".into(),
                },
                theme,
            ));
            lines.push(field(
                "Episode",
                if p.active {
                    "active".into()
                } else {
                    "discharged".into()
                },
                theme,
            ));
        }
    }
    lines.push(Line::from(""));
    lines.push(field(
        "This visit",
        format!(
            "{} {}, {} min, {} with {}: {}",
            v.start.format("%a %-d %b"),
            v.start.format("%H:%M"),
            v.minutes,
            v.kind.label(),
            clean_line(&v.therapist_name),
            v.status.label()
        ),
        theme,
    ));
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .title(title)
        .border_style(theme.border);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

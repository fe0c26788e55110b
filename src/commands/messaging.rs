//! `ptclinic messaging settings|template`: what messages to patients say and when they go,
//! clinic-wide in the record. The mail server and the SMS gateway are each sending machine's
//! own config, never here.

use serde_json::json;

use crate::cli::MessagingCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::db::messaging_settings::{MessagingSettings, SettingsChange, StoredTemplate};
use crate::domain::message_templates::Template;
use crate::domain::reminders::{self, QuietHours};
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_text;

fn settings_json(s: &MessagingSettings) -> serde_json::Value {
    json!({
        "clinic_name": s.clinic_name,
        "clinic_phone": s.clinic_phone,
        "reminders": s.offsets.iter().map(|&m| reminders::offset_words(m)).collect::<Vec<_>>(),
        "quiet_hours": s.quiet.text(),
    })
}

fn settings_text(s: &MessagingSettings) -> String {
    let reminders: Vec<String> = s
        .offsets
        .iter()
        .map(|&m| reminders::offset_words(m))
        .collect();
    format!(
        "Clinic name:   {}\nClinic phone:  {}\nReminders:     {} before each visit\nQuiet hours:   {}\n",
        crate::sanitize::clean_line(&s.clinic_name),
        s.clinic_phone.as_deref().map_or(
            "not set (reminders wait for it)".into(),
            crate::sanitize::clean_line
        ),
        reminders.join(" and "),
        s.quiet.text()
    )
}

fn template_json(t: &StoredTemplate) -> serde_json::Value {
    json!({
        "own": t.own,
        "subject": t.template.subject,
        "body": t.template.body,
    })
}

fn template_text(t: &StoredTemplate) -> String {
    let mut s = String::from(if t.own {
        "The clinic's own template:\n"
    } else {
        "The built-in template:\n"
    });
    if let Some(subject) = &t.template.subject {
        s.push_str(&format!(
            "Subject: {}\n",
            crate::sanitize::clean_line(subject)
        ));
    }
    s.push('\n');
    s.push_str(&clean_text(&t.template.body));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// A body as typed: `@FILE` reads the file; otherwise `\n` is a new line.
fn body_of(text: &str) -> AppResult<String> {
    match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            AppError::input(format!(
                "cannot read {}: {e}",
                crate::sanitize::path_for_message(std::path::Path::new(path))
            ))
        }),
        None => Ok(text.replace("\\n", "\n")),
    }
}

pub fn run(settings: &Settings, cmd: MessagingCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = Who {
        user: &settings.user,
        at: &at,
    };
    match cmd {
        MessagingCommand::Settings {
            clinic_name,
            clinic_phone,
            reminders: offsets,
            quiet_hours,
            json,
        } => {
            let change = SettingsChange {
                clinic_name,
                clinic_phone,
                offsets: offsets
                    .as_deref()
                    .map(reminders::parse_offsets)
                    .transpose()
                    .map_err(|e| AppError::input(format!("--reminders: {e}")))?,
                quiet: quiet_hours
                    .as_deref()
                    .map(QuietHours::parse)
                    .transpose()
                    .map_err(|e| AppError::input(format!("--quiet-hours: {e}")))?,
            };
            let changed = change != SettingsChange::default();
            let now = if changed {
                db.set_messaging_settings(&change, who)?
            } else {
                db.messaging_settings()?
            };
            let out = if json {
                format!("{}\n", settings_json(&now))
            } else {
                settings_text(&now)
            };
            if changed {
                super::emit_after_change(&out);
                Ok(())
            } else {
                super::emit(&out)
            }
        }
        MessagingCommand::Template {
            purpose,
            channel,
            subject,
            body,
            built_in,
            json,
        } => {
            let (purpose, channel) = (purpose.purpose(), channel.channel());
            let changed = built_in || subject.is_some() || body.is_some();
            let stored = if built_in {
                db.set_message_template(purpose, channel, None, who)?
            } else if changed {
                let current = db.message_template(purpose, channel)?.template;
                let template = Template {
                    subject: subject.or(current.subject),
                    body: body
                        .as_deref()
                        .map(body_of)
                        .transpose()?
                        .unwrap_or(current.body),
                };
                db.set_message_template(purpose, channel, Some(&template), who)?
            } else {
                db.message_template(purpose, channel)?
            };
            let out = if json {
                format!("{}\n", template_json(&stored))
            } else {
                template_text(&stored)
            };
            if changed {
                super::emit_after_change(&out);
                Ok(())
            } else {
                super::emit(&out)
            }
        }
    }
}

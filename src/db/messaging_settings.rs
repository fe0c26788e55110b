//! The clinic-wide settings of messages to patients (schema 8): the name and phone messages
//! give, when reminders go, the quiet hours, and the clinic's own templates. Host names and
//! passwords of the mail server and the SMS gateway are never here: they are each sending
//! machine's own.

use super::sql::{Conn, OptionalExtension, Sql, SqlError, SqlResult, args};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::{Db, TxError, Who};
use crate::domain::message_templates::{self as templates, Template};
use crate::domain::messages::{Channel, Purpose};
use crate::domain::reminders::{self, QuietHours};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

/// The clinic's messaging settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagingSettings {
    pub clinic_name: String,
    pub clinic_phone: Option<String>,
    /// Minutes before the visit, largest first.
    pub offsets: Vec<i64>,
    pub quiet: QuietHours,
    pub version: i64,
}

/// A change to the settings: what is None stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub clinic_name: Option<String>,
    pub clinic_phone: Option<String>,
    pub offsets: Option<Vec<i64>>,
    pub quiet: Option<QuietHours>,
}

/// A template as the record has it for one purpose and channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub template: Template,
    /// The clinic wrote it (else it is the built-in one).
    pub own: bool,
}

fn unreadable(what: &str) -> SqlError {
    SqlError::Type(
        0,
        format!("unreadable {what} in the clinic's messaging settings"),
    )
}

pub(in crate::db) fn read_settings(conn: &Conn) -> SqlResult<MessagingSettings> {
    conn.query_row(
        "SELECT clinic_name, clinic_phone, reminder_offsets, quiet_from, quiet_to, version
         FROM clinic_settings WHERE id = 1",
        &[],
        |r| {
            let offsets: String = r.get(2)?;
            let (from, to): (String, String) = (r.get(3)?, r.get(4)?);
            Ok(MessagingSettings {
                clinic_name: r.get(0)?,
                clinic_phone: r.get(1)?,
                offsets: reminders::parse_offsets(&offsets).map_err(|_| unreadable("offsets"))?,
                quiet: QuietHours::parse(&format!("{from}-{to}"))
                    .map_err(|_| unreadable("quiet hours"))?,
                version: r.get(5)?,
            })
        },
    )
}

pub(in crate::db) fn read_template(
    conn: &Conn,
    purpose: Purpose,
    channel: Channel,
) -> SqlResult<StoredTemplate> {
    let own = conn
        .prepare_cached(
            "SELECT subject, body FROM message_templates WHERE purpose = ?1 AND channel = ?2",
        )?
        .query_row(args![purpose.as_str(), channel.as_str()], |r| {
            Ok(Template {
                subject: r.get(0)?,
                body: r.get(1)?,
            })
        })
        .optional()?;
    Ok(match own {
        Some(template) => StoredTemplate {
            template,
            own: true,
        },
        None => StoredTemplate {
            template: templates::built_in(purpose, channel),
            own: false,
        },
    })
}

fn check_change(change: &SettingsChange) -> AppResult<()> {
    if let Some(name) = &change.clinic_name {
        let clean = crate::sanitize::clean_line(name);
        if clean.trim().is_empty() || clean.chars().count() > 80 {
            return Err(AppError::input(
                "the clinic's name is 1 to 80 characters on one line",
            ));
        }
    }
    if let Some(phone) = &change.clinic_phone {
        match crate::domain::patient::phone(phone) {
            Ok(Some(_)) => {}
            _ => {
                return Err(AppError::input(format!(
                    "{} is not a phone number ({})",
                    crate::sanitize::clean_echo(phone),
                    crate::domain::patient::phone_rule()
                )));
            }
        }
    }
    Ok(())
}

impl Db {
    pub fn messaging_settings(&self) -> AppResult<MessagingSettings> {
        read_settings(&self.sql()).map_err(|e| self.fail(e))
    }

    /// Changes the settings (admins only), audited; returns them as they now are.
    pub fn set_messaging_settings(
        &mut self,
        change: &SettingsChange,
        who: Who,
    ) -> AppResult<MessagingSettings> {
        check_change(change)?;
        self.write_as(&who, Duty::Messaging, |tx, _| {
            let before = read_settings(tx)?;
            let name = change
                .clinic_name
                .as_deref()
                .map(|n| crate::sanitize::clean_line(n).trim().to_string())
                .unwrap_or_else(|| before.clinic_name.clone());
            let phone = change
                .clinic_phone
                .as_deref()
                .map(|p| p.trim().to_string())
                .or_else(|| before.clinic_phone.clone());
            let offsets = change
                .offsets
                .clone()
                .unwrap_or_else(|| before.offsets.clone());
            let quiet = change.quiet.unwrap_or(before.quiet);
            tx.execute(
                "UPDATE clinic_settings SET clinic_name = ?1, clinic_phone = ?2,
                    reminder_offsets = ?3, quiet_from = ?4, quiet_to = ?5, version = version + 1
                 WHERE id = 1 AND version = ?6",
                args![
                    name,
                    phone,
                    reminders::offsets_text(&offsets),
                    quiet.from.format("%H:%M").to_string(),
                    quiet.to.format("%H:%M").to_string(),
                    before.version
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "messaging.settings",
                    entity: "clinic_settings",
                    entity_id: Some(1),
                    detail: json!({
                        "clinic_name": name,
                        "clinic_phone": phone,
                        "reminder_offsets": reminders::offsets_text(&offsets),
                        "quiet_hours": quiet.text(),
                    }),
                },
            )?;
            Ok(read_settings(tx)?)
        })
    }

    pub fn message_template(
        &self,
        purpose: Purpose,
        channel: Channel,
    ) -> AppResult<StoredTemplate> {
        if let Some(why) = templates::channel_refusal(purpose, channel) {
            return Err(AppError::input(why));
        }
        read_template(&self.sql(), purpose, channel).map_err(|e| self.fail(e))
    }

    /// Saves the clinic's own template (checked first), or with None goes back to the
    /// built-in one (admins only), audited.
    pub fn set_message_template(
        &mut self,
        purpose: Purpose,
        channel: Channel,
        template: Option<&Template>,
        who: Who,
    ) -> AppResult<StoredTemplate> {
        let refusal = match template {
            Some(t) => templates::check(purpose, channel, t),
            None => templates::channel_refusal(purpose, channel),
        };
        if let Some(why) = refusal {
            return Err(AppError::input(why));
        }
        self.write_as(&who, Duty::Messaging, |tx, _| {
            match template {
                Some(t) => tx.execute(
                    "INSERT INTO message_templates (purpose, channel, subject, body)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (purpose, channel) DO UPDATE SET subject = excluded.subject,
                        body = excluded.body, version = version + 1",
                    args![purpose.as_str(), channel.as_str(), t.subject, t.body],
                )?,
                None => tx.execute(
                    "DELETE FROM message_templates WHERE purpose = ?1 AND channel = ?2",
                    args![purpose.as_str(), channel.as_str()],
                )?,
            };
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "messaging.template",
                    entity: "message_template",
                    entity_id: None,
                    detail: json!({
                        "purpose": purpose.as_str(),
                        "channel": channel.as_str(),
                        "built_in": template.is_none(),
                        "subject": template.and_then(|t| t.subject.clone()),
                        "body": template.map(|t| t.body.clone()),
                    }),
                },
            )?;
            read_template(tx, purpose, channel).map_err(TxError::from)
        })
    }
}

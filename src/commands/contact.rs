//! `ptclinic contact`: how a patient is reached, set from a script: their email and phone,
//! consent to a channel (given today), an opt-out (a reply of STOP). Prints the patient's
//! contact as it now is.

use crate::cli::{ChannelArg, ConsentArg};
use crate::config::Settings;
use crate::db::Who;
use crate::domain::messages::{Channel, ConsentStep, ContactChange, text_number};
use crate::domain::patient::Patient;
use crate::domain::patient_record::{PatientDetail, check_detail};
use crate::error::{AppError, AppResult};
use crate::sanitize::{clean_echo, clean_line};

/// What the command line asked to change.
pub struct Asked {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub consent: Option<ConsentArg>,
    pub opt_out: Option<ChannelArg>,
}

/// The change asked for, each typed value checked by the registration rules first, so that a
/// typo is answered before the record is opened.
fn change_of(asked: Asked, settings: &Settings) -> AppResult<ContactChange> {
    let today = settings.clock.today();
    for (flag, detail, text) in [
        ("--email", PatientDetail::Email, &asked.email),
        ("--phone", PatientDetail::Phone, &asked.phone),
    ] {
        if let Some(text) = text {
            check_detail(detail, text, today).map_err(|why| {
                let rule = why.split_once(": ").map_or(why.as_str(), |(_, rule)| rule);
                AppError::input(format!("{flag}: {rule}, not \"{}\"", clean_echo(text)))
            })?;
        }
    }
    let mut steps = Vec::new();
    match asked.consent {
        Some(ConsentArg::Email) => steps.push((Channel::Email, ConsentStep::Give)),
        Some(ConsentArg::Sms) => steps.push((Channel::Sms, ConsentStep::Give)),
        Some(ConsentArg::Both) => {
            steps.extend(Channel::ALL.map(|c| (c, ConsentStep::Give)));
        }
        Some(ConsentArg::Neither) => steps.extend(Channel::ALL.map(|c| (c, ConsentStep::Clear))),
        None => {}
    }
    if let Some(c) = asked.opt_out {
        steps.push((c.channel(), ConsentStep::OptOut));
    }
    let change = ContactChange {
        email: asked.email,
        phone: asked.phone,
        steps,
    };
    if change.is_empty() {
        return Err(AppError::input(
            "nothing to change: give --email, --phone, --consent or --opt-out",
        ));
    }
    change.steps().map_err(AppError::input)?;
    Ok(change)
}

pub fn run(settings: &Settings, mrn: &str, asked: Asked) -> AppResult<()> {
    let change = change_of(asked, settings)?;
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let at = crate::clock::stamp(settings.clock.now());
    let set = db.set_contact(
        patient.id,
        None,
        &change,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let what = if set.changed.is_empty() {
        "unchanged (already so)".to_string()
    } else {
        let words: Vec<&str> = set.changed.iter().map(|c| column_words(c)).collect();
        format!("changed: {}", words.join(", "))
    };
    super::emit_after_change(&format!(
        "Contact of {} (MRN {}), {what}\n{}",
        clean_line(&set.patient.full_name()),
        clean_line(&set.patient.mrn),
        contact_lines(&set.patient)
    ));
    Ok(())
}

fn column_words(column: &str) -> &'static str {
    match column {
        "email" => "email",
        "phone" => "phone",
        "email_consent_on" => "consent to emails",
        "sms_consent_on" => "consent to texts",
        "email_opt_out_on" => "opt-out of emails",
        _ => "opt-out of texts",
    }
}

/// "  email  ADDRESS  consented 2026-11-27", and the same for texts with the phone.
pub fn contact_lines(p: &Patient) -> String {
    let shown = |v: Option<&str>| v.map(clean_line).unwrap_or_else(|| "none".into());
    let phone = match p.phone.as_deref() {
        Some(ph) if text_number(ph).is_err() => format!("{} (no texts to it)", clean_line(ph)),
        other => shown(other),
    };
    let email = shown(p.email.as_deref());
    let width = email.chars().count().max(phone.chars().count());
    let line = |label: &str, value: &str, c: Channel| {
        format!(
            "  {label:<6} {value:<width$}  {}\n",
            p.consent.standing(c).words()
        )
    };
    line("email", &email, Channel::Email) + &line("texts", &phone, Channel::Sms)
}

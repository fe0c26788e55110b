//! The words of each message to a patient: the clinic's own template where it wrote one, else
//! the built-in one. A template may use seven placeholders and nothing else, so that no
//! diagnosis, visit kind or note can reach a message by way of a template.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::domain::messages::{Channel, Purpose};

/// What a template may name: the clinic, where, when, and with whom. `clinic_phone` is the
/// site's phone where the site has its own; the site's name and address are empty in a message
/// that is not about a visit.
pub const PLACEHOLDERS: [&str; 7] = [
    "clinic_name",
    "clinic_phone",
    "site_name",
    "site_address",
    "date",
    "time",
    "therapist_first_name",
];

/// A template's subject (email only) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: Option<String>,
    pub body: String,
}

/// The values a message is filled with.
#[derive(Debug, Clone, Serialize)]
pub struct Fill {
    pub clinic_name: String,
    pub clinic_phone: String,
    pub site_name: String,
    pub site_address: String,
    /// "Tuesday, December 8"
    pub date: String,
    /// "10:30 AM"
    pub time: String,
    pub therapist_first_name: String,
}

impl Fill {
    pub fn when(at: chrono::NaiveDateTime) -> (String, String) {
        (
            at.format("%A, %B %-d").to_string(),
            at.format("%-I:%M %p").to_string(),
        )
    }
}

/// A message's words, filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub body: String,
}

/// Which purposes go on which channel: a handout or a letter needs an email.
pub fn carries(purpose: Purpose, channel: Channel) -> bool {
    matches!(
        (purpose, channel),
        (Purpose::Reminder | Purpose::Rebooking, _) | (_, Channel::Email)
    )
}

/// Why `purpose` cannot go on `channel`, or None when it can.
pub fn channel_refusal(purpose: Purpose, channel: Channel) -> Option<String> {
    (!carries(purpose, channel)).then(|| {
        format!(
            "a {} goes by email only",
            purpose.as_str().replace('_', " ")
        )
    })
}

/// The built-in words, used until the clinic writes its own.
pub fn built_in(purpose: Purpose, channel: Channel) -> Template {
    let (subject, body) = match (purpose, channel) {
        (Purpose::Reminder, Channel::Email) => (
            Some("Your visit on {{ date }} at {{ time }}"),
            "Hello,\n\nThis is a reminder of your visit at {{ clinic_name }}{% if site_name %} \
             {{ site_name }}{% endif %} on {{ date }} at {{ time }} with \
             {{ therapist_first_name }}.{% if site_address %}\n\nWhere: {{ site_address }}\
             {% endif %}\n\nIf you cannot come, please call us \
             on {{ clinic_phone }} so that someone else can have the time.\n\n{{ clinic_name }}\n",
        ),
        (Purpose::Reminder, Channel::Sms) => (
            None,
            "{{ clinic_name }}: your visit is on {{ date }} at {{ time }} with \
             {{ therapist_first_name }}{% if site_address %} at {{ site_address }}{% elif \
             site_name %} at {{ site_name }}{% endif %}. Can't come? Call {{ clinic_phone }}. \
             Reply STOP to stop texts.",
        ),
        (Purpose::Rebooking, Channel::Email) => (
            Some("Let's find you another time"),
            "Hello,\n\nWe missed you on {{ date }} at {{ time }}. Please call us on \
             {{ clinic_phone }} to book another visit with {{ therapist_first_name }}.\n\n\
             {{ clinic_name }}\n",
        ),
        (Purpose::Rebooking, Channel::Sms) => (
            None,
            "{{ clinic_name }}: we missed you on {{ date }}. Call {{ clinic_phone }} to book \
             another time. Reply STOP to stop texts.",
        ),
        (Purpose::HomeProgram, _) => (
            Some("Your home exercise program from {{ clinic_name }}"),
            "Hello,\n\n{{ therapist_first_name }} has put together your home exercise program; \
             it follows below and prints from this email.\n\nQuestions? Call us on \
             {{ clinic_phone }}.\n\n{{ clinic_name }}\n",
        ),
        (Purpose::ProgressLetter, _) => (
            Some("Your progress at {{ clinic_name }}"),
            "Hello,\n\n{{ therapist_first_name }} has written down how you are getting on; the \
             letter follows below.\n\nQuestions? Call us on {{ clinic_phone }}.\n\n\
             {{ clinic_name }}\n",
        ),
    };
    Template {
        subject: subject.map(str::to_string),
        body: body.to_string(),
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Plain text: nothing is escaped, and an HTML part never comes from a template.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

fn reading_error(part: &str, e: &minijinja::Error) -> String {
    format!(
        "the template's {part} cannot be read: {}",
        crate::sanitize::clean_line(&e.to_string())
    )
}

/// Why a template cannot be used (it does not parse, names a placeholder it may not, has no
/// body, or an email without a subject), or None.
pub fn check(purpose: Purpose, channel: Channel, t: &Template) -> Option<String> {
    if let Some(why) = channel_refusal(purpose, channel) {
        return Some(why);
    }
    if t.body.trim().is_empty() {
        return Some("the template has no text".into());
    }
    match (channel, &t.subject) {
        (Channel::Email, None) => return Some("an email template needs a subject".into()),
        (Channel::Sms, Some(_)) => return Some("a text message has no subject".into()),
        _ => {}
    }
    let env = environment();
    for (part, source) in [("subject", t.subject.as_deref()), ("text", Some(&*t.body))] {
        let Some(source) = source else { continue };
        let compiled = match env.template_from_str(source) {
            Ok(c) => c,
            Err(e) => return Some(reading_error(part, &e)),
        };
        let mut unknown: Vec<String> = compiled
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !PLACEHOLDERS.contains(&v.as_str()))
            .collect();
        unknown.sort();
        if let Some(first) = unknown.first() {
            return Some(format!(
                "the template's {part} names {{{{ {} }}}}, which is not a placeholder; use {}",
                crate::sanitize::clean_echo(first),
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{{ {p} }}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    None
}

/// The template filled in. A template the record holds was checked when it was saved; one
/// that still fails (a filter misused) gives its one sentence and nothing is sent.
pub fn render(t: &Template, fill: &Fill) -> Result<Rendered, String> {
    let env = environment();
    let one = |part: &str, source: &str| -> Result<String, String> {
        env.render_str(source, fill)
            .map_err(|e| reading_error(part, &e))
    };
    Ok(Rendered {
        subject: t
            .subject
            .as_deref()
            .map(|s| one("subject", s).map(|s| crate::sanitize::clean_line(&s)))
            .transpose()?,
        body: one("text", &t.body)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill() -> Fill {
        Fill {
            clinic_name: "Riverside PT".into(),
            clinic_phone: "(555) 010-2000".into(),
            site_name: String::new(),
            site_address: String::new(),
            date: "Tuesday, December 8".into(),
            time: "10:30 AM".into(),
            therapist_first_name: "Maya".into(),
        }
    }

    #[test]
    fn every_built_in_template_passes_its_own_check_and_fills_in() {
        for purpose in Purpose::ALL {
            for channel in Channel::ALL {
                if !carries(purpose, channel) {
                    continue;
                }
                let t = built_in(purpose, channel);
                assert_eq!(check(purpose, channel, &t), None, "{purpose:?} {channel:?}");
                let r = render(&t, &fill()).unwrap();
                assert!(r.body.contains("Riverside PT"), "{purpose:?} {channel:?}");
                assert!(!r.body.contains("{{"));
            }
        }
        let sms = render(&built_in(Purpose::Reminder, Channel::Sms), &fill()).unwrap();
        assert_eq!(
            sms.body,
            "Riverside PT: your visit is on Tuesday, December 8 at 10:30 AM with Maya. Can't \
             come? Call (555) 010-2000. Reply STOP to stop texts."
        );
        let north = Fill {
            site_name: "North".into(),
            site_address: "12 Elm St".into(),
            clinic_phone: "(555) 010-3000".into(),
            ..fill()
        };
        let sms = render(&built_in(Purpose::Reminder, Channel::Sms), &north).unwrap();
        assert_eq!(
            sms.body,
            "Riverside PT: your visit is on Tuesday, December 8 at 10:30 AM with Maya at 12 Elm \
             St. Can't come? Call (555) 010-3000. Reply STOP to stop texts."
        );
        let email = render(&built_in(Purpose::Reminder, Channel::Email), &north).unwrap();
        assert!(
            email
                .body
                .starts_with("Hello,\n\nThis is a reminder of your visit at Riverside PT North on"),
            "{}",
            email.body
        );
        assert!(
            email.body.contains("\n\nWhere: 12 Elm St\n\n"),
            "{}",
            email.body
        );
    }

    #[test]
    fn a_template_may_name_only_the_seven_placeholders() {
        let t = Template {
            subject: None,
            body: "Hi {{ patient_name }}, about your {{ diagnosis }} on {{ date }}".into(),
        };
        assert_eq!(
            check(Purpose::Reminder, Channel::Sms, &t).unwrap(),
            "the template's text names {{ diagnosis }}, which is not a placeholder; use \
             {{ clinic_name }}, {{ clinic_phone }}, {{ site_name }}, {{ site_address }}, \
             {{ date }}, {{ time }}, {{ therapist_first_name }}"
        );
        let broken = Template {
            subject: None,
            body: "See you {{ date ".into(),
        };
        assert!(
            check(Purpose::Reminder, Channel::Sms, &broken)
                .unwrap()
                .starts_with("the template's text cannot be read")
        );
        let subjectless = Template {
            subject: None,
            body: "Hello".into(),
        };
        assert_eq!(
            check(Purpose::Reminder, Channel::Email, &subjectless).unwrap(),
            "an email template needs a subject"
        );
        assert_eq!(
            check(
                Purpose::HomeProgram,
                Channel::Sms,
                &built_in(Purpose::Reminder, Channel::Sms)
            )
            .unwrap(),
            "a home program goes by email only"
        );
    }

    #[test]
    fn a_value_is_put_in_as_it_is_and_a_subject_stays_one_line() {
        let mut f = fill();
        f.clinic_name = "A & B <Physio>\nCenter".into();
        let t = Template {
            subject: Some("{{ clinic_name }}".into()),
            body: "{{ clinic_name }}".into(),
        };
        let r = render(&t, &f).unwrap();
        assert_eq!(r.body, "A & B <Physio>\nCenter");
        assert!(!r.subject.unwrap().contains('\n'));
    }

    #[test]
    fn dates_read_as_a_patient_says_them() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
            .unwrap()
            .and_hms_opt(14, 5, 0)
            .unwrap();
        assert_eq!(
            Fill::when(at),
            ("Tuesday, December 8".into(), "2:05 PM".into())
        );
    }
}

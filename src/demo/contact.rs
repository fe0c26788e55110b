//! How the demo clinic's patients are reached: phones among the numbers reserved for fiction
//! (555-0100 to 555-0199, in many area codes), most patients with consent to emails or texts
//! (addresses on example.com come from the generator), a few who replied STOP, and some of the
//! coming days' visits confirmed or declined. Worked out from each patient's number and each
//! visit's id alone, so that no random number of the rest of the demo moves.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::messages::{AnswerVia, Confirmation, ContactConsent};

/// The `n`th patient's phone: unique for the first 79,900 patients (799 area codes, each
/// with the hundred reserved numbers).
pub fn phone(n: u32) -> String {
    let area = 201 + (n / 100 * 7) % 799;
    format!("({area}) 555-01{:02}", n % 100)
}

/// The `n`th patient's consent: nine in ten have consented to emails (when they have an
/// address) or texts or both, given the day they were first seen; one in 23 later replied
/// STOP to texts and one in 29 to emails.
pub fn consent(n: u32, has_email: bool, first_seen: NaiveDate, today: NaiveDate) -> ContactConsent {
    let given = first_seen.min(today);
    let mut c = ContactConsent::default();
    if n % 10 == 4 {
        return c;
    }
    if has_email && n % 3 != 0 {
        c.email_consent_on = Some(given);
    }
    if n % 2 == 0 || c.email_consent_on.is_none() {
        c.sms_consent_on = Some(given);
    }
    let stopped = (given + Duration::days(10 + i64::from(n % 7))).min(today);
    if n % 23 == 5 && c.sms_consent_on.is_some() && stopped > given {
        c.sms_opt_out_on = Some(stopped);
    }
    if n % 29 == 7 && c.email_consent_on.is_some() && stopped > given {
        c.email_opt_out_on = Some(stopped);
    }
    c
}

/// The days ahead whose visits have answers, the demo's day included.
pub const ANSWERED_DAYS: i64 = 4;

/// The answer to one of the coming days' scheduled visits, if the demo gives it one: about
/// a third confirmed (on the phone or by a reply), one in twelve can't come. Answered the
/// afternoon before the visit, or early on the demo's day for a visit later than tomorrow.
pub fn answer(
    id: i64,
    start: NaiveDateTime,
    today: NaiveDate,
) -> Option<(Confirmation, AnswerVia, NaiveDateTime)> {
    // Spread over the visits by a hash of the id: a plain `id % n` follows the order the
    // demo books each patient's visits in, and would answer some patients' every visit.
    let draw = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
    let answer = match draw {
        0..=4 => Confirmation::Confirmed,
        5 => Confirmation::Declined,
        _ => return None,
    };
    let via = if id % 2 == 0 {
        AnswerVia::Desk
    } else {
        AnswerVia::Reply
    };
    let afternoon_before = (start.date() - Duration::days(1)).and_time(time(16, 10));
    let early_today = today.and_time(time(7, 15));
    Some((answer, via, afternoon_before.min(early_today)))
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::messages::{Channel, text_number};

    #[test]
    fn phones_are_reserved_numbers_a_text_can_go_to_and_distinct() {
        let phones: Vec<String> = (0..5000).map(phone).collect();
        for p in &phones {
            assert!(p.contains("555-01"), "{p}");
            assert!(text_number(p).is_ok(), "{p}");
        }
        let mut unique = phones.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), phones.len());
    }

    #[test]
    fn most_have_consent_a_few_opted_out() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let seen = today - Duration::days(40);
        let all: Vec<ContactConsent> = (0..300)
            .map(|n| consent(n, n % 3 != 1, seen, today))
            .collect();
        let reachable = all
            .iter()
            .filter(|c| c.allows(Channel::Email) || c.allows(Channel::Sms))
            .count();
        let stopped = all
            .iter()
            .filter(|c| c.sms_opt_out_on.is_some() || c.email_opt_out_on.is_some())
            .count();
        assert!(reachable > 240 && reachable < 290, "{reachable}");
        assert!((5..=30).contains(&stopped), "{stopped}");
        // A patient first seen today cannot have stopped yet.
        assert!((0..300).all(|n| consent(n, true, today, today).sms_opt_out_on.is_none()));
    }
}

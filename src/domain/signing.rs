//! A visit note's signatures and addenda. A note is a draft until its author signs it; the
//! signature locks it, and whatever is added later is a dated addendum by its own author. An
//! assistant's signed note waits for a therapist's co-signature when the patient's payer asks
//! for one.

use super::Role;
use super::payers::PayerRules;

/// A signature as it was given: the person, their name and credentials then, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub staff_id: i64,
    /// "Dana Fry, PT, DPT", as the staff list had it at the time.
    pub written_as: String,
    /// `YYYY-MM-DDTHH:MM:SS`, the clinic's local time.
    pub at: String,
}

/// Something added to a signed note, by its author, dated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addendum {
    pub staff_id: i64,
    pub written_as: String,
    pub written_at: String,
    pub text: String,
}

/// Where a note stands: unsigned (a draft), signed, co-signed or waiting for it, and its
/// addenda, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteSigning {
    pub signed: Option<Signature>,
    pub cosigned: Option<Signature>,
    /// Signed by an assistant, for a payer that asks for a therapist's co-signature, and not
    /// co-signed yet.
    pub awaiting_cosign: bool,
    pub addenda: Vec<Addendum>,
}

/// "2026-11-27 10:02" from a stored local time.
pub fn shown_time(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => at.to_string(),
    }
}

impl NoteSigning {
    pub fn is_signed(&self) -> bool {
        self.signed.is_some()
    }

    /// The lines a note's view and the reports show under it: the signature (or that it is a
    /// draft), the co-signature or that one is awaited, then each addendum.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![match &self.signed {
            Some(s) => format!("Signed by {}, at {}", s.written_as, shown_time(&s.at)),
            None => "Draft: not signed".to_string(),
        }];
        if let Some(c) = &self.cosigned {
            lines.push(format!(
                "Co-signed by {}, at {}",
                c.written_as,
                shown_time(&c.at)
            ));
        } else if self.awaiting_cosign {
            lines.push("Awaiting co-signature by a therapist".to_string());
        }
        for a in &self.addenda {
            lines.push(format!(
                "Addendum, {}, {}: {}",
                shown_time(&a.written_at),
                a.written_as,
                a.text
            ));
        }
        lines
    }

    /// What an attended visit with this note still lacks, if anything.
    pub fn missing(&self) -> Option<Missing> {
        if !self.is_signed() {
            Some(Missing::Unsigned)
        } else if self.awaiting_cosign {
            Some(Missing::AwaitingCosign)
        } else {
            None
        }
    }
}

/// Whether a note signed by someone of `signer` role waits for a therapist's co-signature
/// under the patient's payer's rules.
pub fn needs_cosign(signer: Role, rules: &PayerRules) -> bool {
    signer == Role::Assistant && rules.assistant_needs_cosign
}

/// What keeps an attended visit off the list of finished documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    NoNote,
    Unsigned,
    AwaitingCosign,
}

impl Missing {
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::NoNote => "no_note",
            Missing::Unsigned => "unsigned",
            Missing::AwaitingCosign => "awaiting_cosign",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Missing::NoNote => "no note",
            Missing::Unsigned => "note not signed",
            Missing::AwaitingCosign => "awaiting co-signature",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::billing::BillingRule;

    fn signature(who: &str, at: &str) -> Signature {
        Signature {
            staff_id: 1,
            written_as: who.into(),
            at: at.into(),
        }
    }

    #[test]
    fn only_an_assistants_note_waits_and_only_where_the_payer_asks() {
        let strict = PayerRules::unlisted(BillingRule::Medicare);
        let lenient = PayerRules {
            assistant_needs_cosign: false,
            ..strict
        };
        assert!(needs_cosign(Role::Assistant, &strict));
        assert!(!needs_cosign(Role::Assistant, &lenient));
        assert!(!needs_cosign(Role::Therapist, &strict));
    }

    #[test]
    fn a_note_says_who_signed_it_what_it_waits_for_and_its_addenda() {
        let draft = NoteSigning::default();
        assert_eq!(draft.lines(), ["Draft: not signed"]);
        assert_eq!(draft.missing(), Some(Missing::Unsigned));
        let waiting = NoteSigning {
            signed: Some(signature("Sam Lee, PTA", "2026-11-27T10:02:11")),
            awaiting_cosign: true,
            addenda: vec![Addendum {
                staff_id: 2,
                written_as: "Sam Lee, PTA".into(),
                written_at: "2026-11-27T11:30:00".into(),
                text: "Patient called: pain 2/10 tonight.".into(),
            }],
            ..Default::default()
        };
        assert_eq!(
            waiting.lines(),
            [
                "Signed by Sam Lee, PTA, at 2026-11-27 10:02",
                "Awaiting co-signature by a therapist",
                "Addendum, 2026-11-27 11:30, Sam Lee, PTA: Patient called: pain 2/10 tonight."
            ]
        );
        assert_eq!(waiting.missing(), Some(Missing::AwaitingCosign));
        let done = NoteSigning {
            cosigned: Some(signature("Dana Fry, PT, DPT", "2026-11-27T12:00:00")),
            awaiting_cosign: false,
            addenda: vec![],
            ..waiting
        };
        assert_eq!(
            done.lines()[1],
            "Co-signed by Dana Fry, PT, DPT, at 2026-11-27 12:00"
        );
        assert_eq!(done.missing(), None);
    }
}

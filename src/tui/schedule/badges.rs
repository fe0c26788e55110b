//! A visit's flag badges in the few columns a schedule row has: the most severe first, each
//! whole or not at all, and "+N" for those that did not fit (pane 2 lists them all in words).
//! A cut badge ("AUT…") would read as neither AUTH nor AUTH!, the difference between a warning
//! and a visit that will not be paid. Beside them, whether the patient is coming: the
//! reminder's fate or their answer, in letters that read the same without colour.

use unicode_width::UnicodeWidthStr;

use crate::domain::appointment::Visit;
use crate::domain::flags::Flag;
use crate::domain::messages::{Confirmation, ReminderState};

/// Where a visit stands on "are they coming?", as its badge says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    ReminderSent,
    ReminderFailed,
    Confirmed,
    Declined,
    /// In the top band of the clinic's no-show model (the record and the call list give why).
    HighRisk,
}

impl Notice {
    /// The visit's notice: the patient's answer when there is one (it says more than the
    /// reminder that asked for it), else a reminder sent or failed; a reminder still due is
    /// nothing yet. The patient's record says both in words.
    pub fn of(reminder: ReminderState, answer: Option<Confirmation>) -> Option<Notice> {
        match (answer, reminder) {
            (Some(Confirmation::Confirmed), _) => Some(Notice::Confirmed),
            (Some(Confirmation::Declined), _) => Some(Notice::Declined),
            (None, ReminderState::Sent) => Some(Notice::ReminderSent),
            (None, ReminderState::Failed) => Some(Notice::ReminderFailed),
            (None, ReminderState::None | ReminderState::Pending) => None,
        }
    }

    /// Letters, so that `--ascii` and `NO_COLOR` tell them apart as well as colour does.
    pub fn badge(self) -> &'static str {
        match self {
            Notice::ReminderSent => "R",
            Notice::ReminderFailed => "R!",
            Notice::Confirmed => "OK",
            Notice::Declined => "NO",
            Notice::HighRisk => "HR",
        }
    }
}

/// The width of the schedule's "are they coming?" column: the notice's badge, a space, and
/// a second badge of two letters (a visit's no-show risk).
pub const COMING_COLS: usize = 5;

/// The badges of the "are they coming?" column, in the order shown: the notice, then a high
/// no-show risk of a visit not yet confirmed (a confirmation answers it).
pub fn coming(v: &Visit, high_risk: bool) -> Vec<Notice> {
    let notice = Notice::of(v.reminder, v.answer);
    let risk = (high_risk && notice != Some(Notice::Confirmed)).then_some(Notice::HighRisk);
    notice.into_iter().chain(risk).collect()
}

/// One badge as shown, and whether it reports a limit already passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    pub breach: bool,
}

/// The badges for the flag words stored with a visit, within `width` columns (separated by a
/// space); the last piece is "+N" when some were left out.
pub fn within(words: &[String], width: usize) -> Vec<Badge> {
    let mut flags: Vec<(u8, usize, Badge)> = words
        .iter()
        .enumerate()
        .map(|(i, word)| match Flag::parse(word) {
            Some(f) => (
                f.severity(),
                i,
                Badge {
                    text: f.badge().to_string(),
                    breach: f.is_breach(),
                },
            ),
            // A word this build does not know: shown as stored, after the known ones.
            None => (
                u8::MAX,
                i,
                Badge {
                    text: word.clone(),
                    breach: false,
                },
            ),
        })
        .collect();
    flags.sort_by_key(|(severity, i, _)| (*severity, *i));
    let total = flags.len();
    let mut shown: Vec<Badge> = Vec::new();
    let mut used = 0;
    for (_, _, badge) in flags {
        let with = used + usize::from(used > 0) + badge.text.width();
        let left = total - shown.len() - 1;
        let more = if left > 0 {
            1 + more_label(left).width()
        } else {
            0
        };
        if with + more > width {
            break;
        }
        used = with;
        shown.push(badge);
    }
    if shown.len() < total {
        shown.push(Badge {
            text: more_label(total - shown.len()),
            breach: false,
        });
    }
    shown
}

fn more_label(n: usize) -> String {
    format!("+{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(flags: &[Flag]) -> Vec<String> {
        flags.iter().map(|f| f.as_str().to_string()).collect()
    }

    fn text(badges: &[Badge]) -> String {
        badges
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_most_severe_come_first_and_what_does_not_fit_is_counted() {
        let all = words(&[
            Flag::ProgressNoteDue,
            Flag::ReevalDue,
            Flag::PocExpired,
            Flag::AuthExceeded,
            Flag::AdherenceLow,
        ]);
        assert_eq!(text(&within(&all, 40)), "POC! AUTH! PN RE ADH");
        // Around the 12 columns of 80x24: whole badges, and how many more.
        assert_eq!(text(&within(&all, 13)), "POC! AUTH! +3");
        assert_eq!(text(&within(&all, 12)), "POC! +4");
        assert_eq!(text(&within(&all, 7)), "POC! +4");
        assert_eq!(text(&within(&all, 3)), "+5");
        for width in 3..40 {
            let shown = text(&within(&all, width));
            assert!(shown.width() <= width, "{width}: {shown:?}");
            assert!(!shown.contains('…'), "never a cut badge: {shown:?}");
        }
    }

    #[test]
    fn an_answer_outranks_the_reminder_and_each_notice_has_its_own_letters() {
        use Notice::*;
        assert_eq!(Notice::of(ReminderState::Pending, None), None);
        assert_eq!(Notice::of(ReminderState::None, None), None);
        assert_eq!(Notice::of(ReminderState::Sent, None), Some(ReminderSent));
        assert_eq!(
            Notice::of(ReminderState::Failed, None),
            Some(ReminderFailed)
        );
        assert_eq!(
            Notice::of(ReminderState::Failed, Some(Confirmation::Confirmed)),
            Some(Confirmed)
        );
        assert_eq!(
            Notice::of(ReminderState::Sent, Some(Confirmation::Declined)),
            Some(Declined)
        );
        let all = [ReminderSent, ReminderFailed, Confirmed, Declined].map(Notice::badge);
        for (i, a) in all.iter().enumerate() {
            assert!(a.is_ascii() && a.width() <= 2, "{a}");
            assert!(all[i + 1..].iter().all(|b| b != a), "{all:?}");
        }
    }

    #[test]
    fn breaches_are_marked_and_a_row_without_flags_is_empty() {
        let shown = within(&words(&[Flag::AuthLow, Flag::AuthExceeded]), 20);
        assert_eq!(
            shown,
            vec![
                Badge {
                    text: "AUTH!".into(),
                    breach: true
                },
                Badge {
                    text: "AUTH".into(),
                    breach: false
                }
            ]
        );
        assert!(within(&[], 12).is_empty());
    }
}

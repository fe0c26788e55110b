//! A visit's flag badges in the few columns a schedule row has: the most severe first, each
//! whole or not at all, and "+N" for those that did not fit (pane 2 lists them all in words).
//! A cut badge ("AUT…") would read as neither AUTH nor AUTH!, the difference between a warning
//! and a visit that will not be paid.

use unicode_width::UnicodeWidthStr;

use crate::domain::flags::Flag;

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

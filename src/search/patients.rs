//! The patient finder's matching: a patient is found by name (fuzzy, the schedule filter's
//! matcher), MRN (typed from its start), phone (digits compared, so `555-0134` finds
//! `(555) 555-0134`) or date of birth (`1961-03-02`, or its start).

use super::{Hit, Matcher, exercises::letters_in_order};

/// What the finder compares of one patient, worked out once for every keystroke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientKey {
    /// "first last", as the matcher scores it.
    pub name: String,
    name_lower: String,
    pub mrn: String,
    phone_digits: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
}

impl PatientKey {
    pub fn new(name: &str, mrn: &str, phone: Option<&str>, date_of_birth: &str) -> Self {
        PatientKey {
            name: name.to_string(),
            name_lower: name.to_lowercase(),
            mrn: mrn.to_string(),
            phone_digits: digits(phone.unwrap_or("")),
            date_of_birth: date_of_birth.to_string(),
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The fewest digits a phone query needs: fewer would find half the clinic.
pub const MIN_PHONE_DIGITS: usize = 3;

// An MRN, a date of birth or a phone number matched outright ranks above any name.
const EXACT: i64 = i64::MAX / 2;

/// One or two letters match only the start of a word of the name: anywhere else they would
/// find most of the clinic (as the exercise search does).
const SHORT_QUERY: usize = 2;
// A word start ranks by the word: the first name's before the last name's.
const WORD_START: i64 = 1_000;

/// The word of `name` (lowercased) that starts with `q`: its number and its first character's
/// position.
fn word_start(name: &str, q: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    for (n, word) in name.split(' ').enumerate() {
        if word.starts_with(q) {
            return Some((n, at));
        }
        at += word.chars().count() + 1;
    }
    None
}

/// The patients matching `query`, best first; ties keep the input order.
pub fn find(matcher: &Matcher, keys: &[PatientKey], query: &str) -> Vec<Hit> {
    let query = query.trim();
    if query.is_empty() {
        return Vec::new();
    }
    let lower = query.to_lowercase();
    let query_digits = digits(query);
    // A query of digits and phone or date punctuation only is a number, not a name.
    let numeric = query
        .chars()
        .all(|c| c.is_ascii_digit() || " -()+./".contains(c));
    let query_chars = lower.chars().count();
    let short = query_chars <= SHORT_QUERY;
    let mut hits: Vec<Hit> = keys
        .iter()
        .enumerate()
        .filter_map(|(index, k)| {
            let exact = |bonus: usize| Hit {
                index,
                score: EXACT - bonus as i64,
                positions: Vec::new(),
            };
            if k.mrn.starts_with(query) {
                return Some(exact(k.mrn.len()));
            }
            if numeric {
                if k.date_of_birth.starts_with(query) {
                    return Some(exact(k.date_of_birth.len()));
                }
                if query_digits.len() >= MIN_PHONE_DIGITS && k.phone_digits.contains(&query_digits)
                {
                    return Some(exact(k.phone_digits.len()));
                }
                return None;
            }
            if short {
                return word_start(&k.name_lower, &lower).map(|(word, at)| Hit {
                    index,
                    score: WORD_START - word as i64,
                    positions: (at..at + query_chars).collect(),
                });
            }
            if !letters_in_order(&k.name_lower, &lower) {
                return None;
            }
            matcher.score(&k.name, query).map(|(score, positions)| Hit {
                index,
                score,
                positions,
            })
        })
        .collect();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<PatientKey> {
        vec![
            PatientKey::new(
                "Maria Lopez",
                "100001",
                Some("(555) 555-0134"),
                "1961-03-02",
            ),
            PatientKey::new("Mark Chen", "100002", Some("555.555.0199"), "1975-11-30"),
            PatientKey::new("Amira Haddad", "100003", None, "1961-03-20"),
        ]
    }

    fn found(q: &str) -> Vec<&'static str> {
        let names = ["Maria Lopez", "Mark Chen", "Amira Haddad"];
        find(&Matcher::default(), &keys(), q)
            .into_iter()
            .map(|h| names[h.index])
            .collect()
    }

    #[test]
    fn a_phone_number_is_found_by_its_digits_whatever_the_punctuation() {
        assert_eq!(found("555-0134"), vec!["Maria Lopez"]);
        assert_eq!(found("5555550199"), vec!["Mark Chen"]);
        // Two digits are too few to be a phone number.
        assert_eq!(found("01"), Vec::<&str>::new());
    }

    #[test]
    fn a_date_of_birth_is_found_whole_or_by_its_start() {
        assert_eq!(found("1961-03-02"), vec!["Maria Lopez"]);
        assert_eq!(found("1961-03"), vec!["Maria Lopez", "Amira Haddad"]);
    }

    #[test]
    fn an_mrn_from_its_start_and_a_name_fuzzily() {
        assert_eq!(found("100003"), vec!["Amira Haddad"]);
        assert_eq!(found("mchen"), vec!["Mark Chen"]);
        assert_eq!(found("lopz"), vec!["Maria Lopez"]);
        assert_eq!(found("zzz"), Vec::<&str>::new());
        // One or two letters: word starts only, first names first.
        assert_eq!(found("ma"), vec!["Maria Lopez", "Mark Chen"]);
        assert_eq!(found("h"), vec!["Amira Haddad"]);
        assert_eq!(found("ar"), Vec::<&str>::new());
        assert_eq!(found("  "), Vec::<&str>::new());
    }
}

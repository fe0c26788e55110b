//! Fuzzy matching behind one small API, so the matcher can be swapped on benchmark evidence.

pub mod exercises;
pub mod patients;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// A candidate that matched: its index in the input, its score (higher is better) and the
/// character positions of `text` that matched, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: i64,
    pub positions: Vec<usize>,
}

pub struct Matcher {
    inner: SkimMatcherV2,
}

impl Default for Matcher {
    fn default() -> Self {
        Self {
            inner: SkimMatcherV2::default().ignore_case(),
        }
    }
}

impl Matcher {
    pub fn score(&self, text: &str, query: &str) -> Option<(i64, Vec<usize>)> {
        self.inner.fuzzy_indices(text, query)
    }
}

/// Ranks people by name and MRN. An MRN typed from its start wins outright; otherwise the
/// fuzzy score over "first last" decides, ties broken by input order (time of the visit).
pub fn rank_people<'a>(
    matcher: &Matcher,
    query: &str,
    people: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Hit> {
    let query = query.trim();
    if query.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Hit> = people
        .into_iter()
        .enumerate()
        .filter_map(|(index, (name, mrn))| {
            if mrn.starts_with(query) {
                return Some(Hit {
                    index,
                    score: i64::MAX / 2 - mrn.len() as i64,
                    positions: Vec::new(),
                });
            }
            matcher.score(name, query).map(|(score, positions)| Hit {
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

    const PEOPLE: &[(&str, &str)] = &[
        ("Maria Lopez", "100001"),
        ("Mark Chen", "100002"),
        ("Amira Haddad", "100003"),
        ("Lopa Marr", "100104"),
    ];

    fn top(q: &str) -> Option<&'static str> {
        let m = Matcher::default();
        rank_people(&m, q, PEOPLE.iter().copied())
            .first()
            .map(|h| PEOPLE[h.index].0)
    }

    #[test]
    fn a_few_letters_find_the_patient() {
        assert_eq!(top("mar lo"), Some("Maria Lopez"));
        assert_eq!(top("chen"), Some("Mark Chen"));
        assert_eq!(top("AMIRA"), Some("Amira Haddad"));
    }

    #[test]
    fn an_mrn_prefix_wins() {
        assert_eq!(top("100104"), Some("Lopa Marr"));
        assert_eq!(top("1000"), Some("Maria Lopez"));
    }

    #[test]
    fn nothing_matches_nonsense_or_empty() {
        let m = Matcher::default();
        assert!(rank_people(&m, "zzq", PEOPLE.iter().copied()).is_empty());
        assert!(rank_people(&m, "  ", PEOPLE.iter().copied()).is_empty());
    }
}

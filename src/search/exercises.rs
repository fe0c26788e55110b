//! Exercise search that speaks clinicians' shorthand: `slr` finds the straight leg raise first,
//! `hamstring strech` still finds the stretch, `band` finds the resistance-band exercises and
//! `zzq` finds nothing.
//!
//! Ranking, best first:
//! 1. the query is an exercise's name or one of its aliases (shorthand), ignoring case;
//! 2. the query starts a name or an alias (shorter names first);
//! 3. a fuzzy (skim) match over the name or an alias, above a minimum score so that scattered
//!    letters are not offered as matches; queries of one or two letters match word starts only;
//! 4. the query's words each found in the name, aliases, region or equipment, by word start
//!    or within a small edit distance (typos), when the fuzzy pass found little.
//!
//! Speed: the index lower-cases everything once, keeps a vocabulary of words for the typo
//! pass, and skips entries whose text cannot hold the query's letters in order before asking
//! skim. `benches/exercise_search.rs` measures 5,000 exercises per keystroke.

use std::collections::HashMap;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::domain::hep::{Exercise, region_label};

/// Which part of the exercise the query matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Nothing typed: the library in order.
    Library,
    Name,
    /// One of the aliases (by index into `Exercise::aliases`).
    Alias(usize),
    /// Words found across name, aliases, region and equipment (typos forgiven).
    Words,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseHit {
    /// Index into the exercises the index was built from.
    pub index: usize,
    pub score: i64,
    pub via: Via,
    /// Character positions of the name that matched (for highlighting).
    pub positions: Vec<usize>,
    /// Character positions of the matched alias, when `via` is an alias.
    pub alias_positions: Vec<usize>,
}

const EXACT: i64 = 4_000_000;
const PREFIX: i64 = 3_000_000;
const FUZZY: i64 = 1_000_000;
/// An alias match gives way to an equally good name match.
const ALIAS_PENALTY: i64 = 8;

struct Entry {
    name: String,
    aliases: Vec<String>,
    /// The words of the name and of each alias, as characters (for word-start matching).
    name_words: Vec<Vec<char>>,
    alias_words: Vec<Vec<Vec<char>>>,
    region: String,
    /// Everything searchable, for the quick "are the letters there in order" check.
    haystack: String,
    /// Vocabulary ids of the words of name, aliases, region and equipment, with where each
    /// word starts in the name (characters) when it is a name word.
    words: Vec<(u32, Option<(usize, usize)>)>,
}

/// The library prepared for searching; rebuild it when the library changes.
pub struct ExerciseIndex {
    entries: Vec<Entry>,
    vocabulary: Vec<String>,
    vocabulary_chars: Vec<Vec<char>>,
    skim: SkimMatcherV2,
}

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn split_words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    // Words split on anything but letters and digits; positions in characters.
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (char index, byte index)
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some((ci, bi));
            }
        } else if let Some((sc, sb)) = start.take() {
            out.push((sc, &s[sb..bi]));
        }
    }
    if let Some((sc, sb)) = start {
        out.push((sc, &s[sb..]));
    }
    out.into_iter()
}

/// Optimal string alignment distance (a swap of two neighbours counts as one edit), stopping
/// early once it exceeds `max`.
fn edit_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[m]).filter(|d| *d <= max)
}

/// True when `needle`'s characters (spaces aside) appear in `hay` in order.
pub(crate) fn letters_in_order(hay: &str, needle: &str) -> bool {
    let mut it = hay.chars();
    needle
        .chars()
        .filter(|c| *c != ' ')
        .all(|n| it.by_ref().any(|h| h == n))
}

/// True when `q` can be cut into pieces that start successive words, in order ("slr" in
/// "single-leg romanian deadlift", "hipext" in "hip extension").
fn starts_words(words: &[Vec<char>], q: &[char]) -> bool {
    if q.is_empty() {
        return true;
    }
    for (j, w) in words.iter().enumerate() {
        let mut k = 0;
        while k < q.len() && k < w.len() && q[k] == w[k] {
            k += 1;
            if starts_words(&words[j + 1..], &q[k..]) {
                return true;
            }
        }
    }
    false
}

/// The least fuzzy score that counts as a match for a query of `len` characters: skim gives
/// about 16 to 30 points a letter for letters that run together or start words, far less for
/// scattered ones.
fn min_score(len: usize) -> i64 {
    (len as i64) * 14
}

impl ExerciseIndex {
    pub fn new(exercises: &[Exercise]) -> Self {
        let mut vocabulary: Vec<String> = Vec::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut id_of = |w: &str| -> u32 {
            if let Some(id) = ids.get(w) {
                return *id;
            }
            let id = vocabulary.len() as u32;
            vocabulary.push(w.to_string());
            ids.insert(w.to_string(), id);
            id
        };
        let entries = exercises
            .iter()
            .map(|e| {
                let name = normalise(&e.name);
                let aliases: Vec<String> = e.aliases.iter().map(|a| normalise(a)).collect();
                let region = e.region.to_lowercase();
                let equipment = normalise(&e.equipment);
                let label = normalise(region_label(&e.region));
                let mut words: Vec<(u32, Option<(usize, usize)>)> = Vec::new();
                for (at, w) in split_words(&name) {
                    words.push((id_of(w), Some((at, w.chars().count()))));
                }
                for text in aliases
                    .iter()
                    .chain([&region, &label, &equipment])
                    .map(String::as_str)
                {
                    for (_, w) in split_words(text) {
                        let id = id_of(w);
                        if !words.iter().any(|(x, _)| *x == id) {
                            words.push((id, None));
                        }
                    }
                }
                let haystack = format!("{name} {} {region} {equipment}", aliases.join(" "));
                let chars = |t: &str| -> Vec<Vec<char>> {
                    split_words(t).map(|(_, w)| w.chars().collect()).collect()
                };
                Entry {
                    name_words: chars(&name),
                    alias_words: aliases.iter().map(|a| chars(a)).collect(),
                    name,
                    aliases,
                    region,
                    haystack,
                    words,
                }
            })
            .collect();
        Self {
            entries,
            vocabulary_chars: vocabulary.iter().map(|w| w.chars().collect()).collect(),
            vocabulary,
            skim: SkimMatcherV2::default().respect_case(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The exercises matching `query` (best first), only those of `region` when given. An
    /// empty query lists the library (of the region) in order. Positions are filled in for
    /// the first `limit` hits; every hit is returned.
    pub fn search(&self, query: &str, region: Option<&str>, limit: usize) -> Vec<ExerciseHit> {
        let q = normalise(query);
        let in_region = |e: &Entry| region.is_none_or(|r| e.region == r);
        if q.is_empty() {
            return self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| in_region(e))
                .map(|(index, _)| ExerciseHit {
                    index,
                    score: 0,
                    via: Via::Library,
                    positions: Vec::new(),
                    alias_positions: Vec::new(),
                })
                .collect();
        }
        let short = q.chars().count() <= 2;
        let qc: Vec<char> = q.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut hits: Vec<ExerciseHit> = Vec::new();
        for (index, e) in self.entries.iter().enumerate() {
            if !in_region(e) {
                continue;
            }
            if let Some(hit) = self.strict(index, e, &q, &qc, short) {
                hits.push(hit);
            }
        }
        if hits.len() < 5 && !short {
            let found: Vec<usize> = hits.iter().map(|h| h.index).collect();
            for hit in self.by_words(&q, &in_region) {
                if !found.contains(&hit.index) {
                    hits.push(hit);
                }
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| {
                    self.entries[a.index]
                        .name
                        .len()
                        .cmp(&self.entries[b.index].name.len())
                })
                .then(a.index.cmp(&b.index))
        });
        for hit in hits.iter_mut().take(limit) {
            self.fill_positions(hit, &q);
        }
        hits
    }

    fn strict(
        &self,
        index: usize,
        e: &Entry,
        q: &str,
        qc: &[char],
        short: bool,
    ) -> Option<ExerciseHit> {
        let hit = |score, via| {
            Some(ExerciseHit {
                index,
                score,
                via,
                positions: Vec::new(),
                alias_positions: Vec::new(),
            })
        };
        let qlen = q.chars().count() as i64;
        if e.name == q {
            return hit(EXACT, Via::Name);
        }
        if let Some(i) = e.aliases.iter().position(|a| a == q) {
            return hit(EXACT - ALIAS_PENALTY, Via::Alias(i));
        }
        if e.name.starts_with(q) {
            return hit(PREFIX - e.name.len() as i64, Via::Name);
        }
        if let Some(i) = e.aliases.iter().position(|a| a.starts_with(q)) {
            return hit(
                PREFIX - e.aliases[i].len() as i64 - ALIAS_PENALTY,
                Via::Alias(i),
            );
        }
        if short {
            // One or two letters: the start of a word of the name, else nothing (no noise).
            return e
                .name_words
                .iter()
                .any(|w| w.starts_with(qc))
                .then(|| FUZZY + qlen * 10 - e.name.len() as i64)
                .and_then(|s| hit(s, Via::Name));
        }
        if !letters_in_order(&e.haystack, q) {
            return None;
        }
        let floor = min_score(q.chars().count());
        // Three or four letters scattered through a name are noise ("slr" in "sleeper
        // stretch"); they count when they start the name's words ("slr": single-leg
        // Romanian deadlift), run together ("clam" in "clamshell"), or, for four, score
        // well ("brdg" in "bridge"). skim is only asked when the letters are there in order.
        let few = qlen <= 4;
        let consider = |text: &str, words: &[Vec<char>]| -> Option<i64> {
            if !letters_in_order(text, q) {
                return None;
            }
            if few && !text.contains(q) && !starts_words(words, qc) {
                if qlen < 4 {
                    return None;
                }
                return self.skim.fuzzy_match(text, q).filter(|s| *s >= 80);
            }
            self.skim.fuzzy_match(text, q).filter(|s| *s >= floor)
        };
        let mut best: Option<(i64, Via)> = consider(&e.name, &e.name_words).map(|s| (s, Via::Name));
        for (i, a) in e.aliases.iter().enumerate() {
            if let Some(s) = consider(a, &e.alias_words[i]) {
                let s = s - ALIAS_PENALTY;
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, Via::Alias(i)));
                }
            }
        }
        best.and_then(|(s, via)| hit(FUZZY + s, via))
    }

    /// Each query word must be found: a word of the exercise that starts with it, or one a
    /// typo away (one edit for 4 to 6 letters, two from 7).
    fn by_words(&self, q: &str, in_region: &dyn Fn(&Entry) -> bool) -> Vec<ExerciseHit> {
        let tokens: Vec<&str> = q.split(' ').filter(|t| !t.is_empty()).collect();
        // For each token, how well it reaches each vocabulary word (0: not at all); a dense
        // table, so the pass over the entries is plain indexing.
        let reach: Vec<Vec<i64>> = tokens
            .iter()
            .map(|t| {
                let tc: Vec<char> = t.chars().collect();
                let max = match tc.len() {
                    0..=3 => 0,
                    4..=6 => 1,
                    _ => 2,
                };
                self.vocabulary
                    .iter()
                    .enumerate()
                    .map(|(id, w)| {
                        if w == t {
                            return 30;
                        }
                        if tc.len() >= 2 && w.starts_with(t) {
                            return 20;
                        }
                        if max == 0 {
                            return 0;
                        }
                        let wc = &self.vocabulary_chars[id];
                        // A typo in a word, or in the start of a longer word.
                        let whole = edit_distance(&tc, wc, max);
                        let start = (wc.len() > tc.len())
                            .then(|| edit_distance(&tc, &wc[..tc.len()], max))
                            .flatten();
                        whole.or(start).map_or(0, |d| 12 - 2 * d as i64)
                    })
                    .collect()
            })
            .collect();
        if reach.iter().any(|r| r.iter().all(|s| *s == 0)) {
            return Vec::new();
        }
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| in_region(e))
            .filter_map(|(index, e)| {
                let mut total = 0;
                for r in &reach {
                    let best = e.words.iter().map(|(id, _)| r[*id as usize]).max()?;
                    if best == 0 {
                        return None;
                    }
                    total += best;
                }
                Some(ExerciseHit {
                    index,
                    score: total,
                    via: Via::Words,
                    positions: Vec::new(),
                    alias_positions: Vec::new(),
                })
            })
            .collect()
    }

    fn fill_positions(&self, hit: &mut ExerciseHit, q: &str) {
        let e = &self.entries[hit.index];
        match hit.via {
            Via::Library => {}
            Via::Name => {
                hit.positions = self
                    .skim
                    .fuzzy_indices(&e.name, q)
                    .map(|(_, p)| p)
                    .unwrap_or_default();
            }
            Via::Alias(i) => {
                hit.alias_positions = self
                    .skim
                    .fuzzy_indices(&e.aliases[i], q)
                    .map(|(_, p)| p)
                    .unwrap_or_default();
            }
            Via::Words => {
                // Highlight the name words that some query word reached.
                let tokens: Vec<&str> = q.split(' ').filter(|t| !t.is_empty()).collect();
                for (id, span) in &e.words {
                    let Some((at, len)) = span else { continue };
                    let w = &self.vocabulary[*id as usize];
                    let close = tokens.iter().any(|t| {
                        let (tc, wc): (Vec<char>, Vec<char>) =
                            (t.chars().collect(), w.chars().collect());
                        w.starts_with(t)
                            || edit_distance(&tc, &wc, 2).is_some()
                            || (wc.len() > tc.len()
                                && edit_distance(&tc, &wc[..tc.len()], 2).is_some())
                    });
                    if close {
                        hit.positions.extend(*at..at + len);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Vec<Exercise> {
        crate::demo::seed::exercises()
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, s)| Exercise {
                id: i as i64 + 1,
                name: s.name,
                aliases: s.aliases,
                region: s.region,
                category: s.category,
                equipment: s.equipment,
                position: Some(s.position),
                instructions: s.instructions,
                default: Default::default(),
            })
            .collect()
    }

    fn top(index: &ExerciseIndex, lib: &[Exercise], q: &str) -> Vec<String> {
        index
            .search(q, None, 20)
            .iter()
            .take(5)
            .map(|h| lib[h.index].name.clone())
            .collect()
    }

    #[test]
    fn clinical_shorthand_finds_its_exercise_first() {
        let lib = library();
        let index = ExerciseIndex::new(&lib);
        for (q, name) in [
            ("slr", "Straight leg raise"),
            ("SLR", "Straight leg raise"),
            ("tke", "Terminal knee extension"),
            ("saq", "Short arc quad"),
            ("laq", "Long arc quad"),
            ("qs", "Quad set"),
            ("hs stretch", "Hamstring stretch"),
            ("hs curl", "Standing hamstring curl"),
            ("tke w/ band", "Terminal knee extension"),
            ("dktc", "Double knee to chest"),
            ("bridge", "Bridge"),
        ] {
            let got = top(&index, &lib, q);
            assert_eq!(got.first().map(String::as_str), Some(name), "{q}: {got:?}");
        }
    }

    #[test]
    fn typos_are_forgiven() {
        let lib = library();
        let index = ExerciseIndex::new(&lib);
        for (q, name) in [
            ("hamstring strech", "Hamstring stretch"),
            ("hamstrnig stretch", "Hamstring stretch"),
            ("clamshel", "Clamshell"),
            ("straigth leg raise", "Straight leg raise"),
            ("terminal nee extension", "Terminal knee extension"),
            ("piriformis strech", "Piriformis stretch"),
        ] {
            let got = top(&index, &lib, q);
            assert_eq!(got.first().map(String::as_str), Some(name), "{q}: {got:?}");
        }
    }

    #[test]
    fn no_match_is_empty_not_noise() {
        let lib = library();
        let index = ExerciseIndex::new(&lib);
        for q in ["zzq", "xylophone", "qqqq", "zx", "kjhgf"] {
            let got = top(&index, &lib, q);
            assert!(got.is_empty(), "{q}: {got:?}");
        }
    }

    #[test]
    fn region_and_equipment_are_searched_and_filtered() {
        let lib = library();
        let index = ExerciseIndex::new(&lib);
        let band = index.search("band", None, 50);
        assert!(band.len() >= 10, "{}", band.len());
        let knee_band = index.search("knee band", None, 50);
        assert!(!knee_band.is_empty());
        assert!(
            knee_band.iter().all(|h| {
                let e = &lib[h.index];
                let all = format!(
                    "{} {} {} {}",
                    e.name,
                    e.aliases.join(" "),
                    e.region,
                    e.equipment
                )
                .to_lowercase();
                all.contains("knee") && all.contains("band")
            }),
            "{:?}",
            knee_band
                .iter()
                .map(|h| &lib[h.index].name)
                .collect::<Vec<_>>()
        );
        let shoulder = index.search("", Some("shoulder"), 10);
        assert_eq!(shoulder.len(), 43);
        let hits = index.search("stretch", Some("knee"), 10);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| lib[h.index].region == "knee"));
    }

    #[test]
    fn positions_point_at_the_matched_letters() {
        let lib = library();
        let index = ExerciseIndex::new(&lib);
        let hits = index.search("hamstr", None, 5);
        let h = &hits[0];
        assert_eq!(lib[h.index].name, "Hamstring stretch");
        assert_eq!(h.positions, vec![0, 1, 2, 3, 4, 5]);
        let slr = &index.search("slr", None, 1)[0];
        assert_eq!(slr.via, Via::Alias(0));
        assert_eq!(slr.alias_positions, vec![0, 1, 2]);
        // One letter: word starts only.
        let s = index.search("w", None, 300);
        assert!(s.iter().all(|h| {
            let n = lib[h.index].name.to_lowercase();
            n.starts_with('w') || n.contains(" w") || n.contains("-w") || n.contains("(w")
        }));
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("strech"), &c("stretch"), 2), Some(1));
        assert_eq!(edit_distance(&c("hamstrnig"), &c("hamstring"), 2), Some(1));
        assert_eq!(edit_distance(&c("abc"), &c("xyz"), 1), None);
    }
}

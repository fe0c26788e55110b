//! Issue 8, item 2: which fuzzy matcher the exercise search should use. fuzzy-matcher's skim
//! v2 (what `ptclinic::search::Matcher` wraps) against nucleo-matcher, on our exercise library
//! (`demo_db/exercises.toml`, 306 exercises with clinicians' shorthand) grown to 5,000 by
//! variation, with the shorthand clinicians type.
//!
//! Both matchers rank the same way: an exercise scores the best of its name and its aliases;
//! ties go to the shorter name, then library order. Printed: the time per keystroke for each
//! query length 1-12 (typing a query letter by letter), and for each shorthand query whether
//! the intended exercise ranks first. Criterion times typing two whole queries.
//!
//! `cargo bench --bench matcher`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Utf32String};

/// Shorthand and typos a clinician types, with the exercise meant.
const QUERIES: &[(&str, &str)] = &[
    ("slr", "Straight leg raise"),
    ("tke", "Terminal knee extension"),
    ("saq", "Short arc quad"),
    ("laq", "Long arc quad"),
    ("qs", "Quad set"),
    ("hamstring strech", "Hamstring stretch"),
    ("ham stretch", "Hamstring stretch"),
    ("shoulder er band", "Shoulder external rotation with band"),
    ("er band", "Shoulder external rotation with band"),
    ("clam", "Clamshell"),
    ("bridg", "Bridge"),
    ("heel slide", "Heel slide"),
    ("pec stretch", "Doorway pec stretch"),
    ("chin tuck", "Chin tuck"),
    ("sts", "Sit to stand"),
    ("sls", "Single-leg stance"),
    ("calf raise", "Bilateral heel raises"),
    ("bird dog", "Bird dog"),
    ("ppt", "Posterior pelvic tilt"),
    ("wall sit", "Wall sit"),
    ("prone press", "Prone press-up"),
    ("piriformis", "Piriformis stretch"),
    ("codman", "Pendulum exercise"),
    ("band row", "Seated row with band"),
    ("mini squat", "Mini squats"),
    ("step up", "Step-ups"),
    ("ankle pump", "Ankle pumps"),
    ("quad stretch", "Standing quadriceps stretch"),
    ("gastroc", "Gastrocnemius stretch"),
    ("ut stretch", "Upper trap stretch"),
    ("dktc", "Double knee to chest"),
    ("ltr", "Lower trunk rotation"),
    ("tra", "Transversus abdominis activation"),
    ("itb stretch", "Standing IT band stretch"),
    ("sciatic glide", "Seated sciatic nerve glide"),
    ("single leg bridge", "Single-leg bridge"),
];

/// How the library grows to 5,000: each exercise with clinic-made variations.
const VARIATIONS: &[&str] = &[
    "with band",
    "with ankle weight",
    "on foam",
    "eyes closed",
    "progression",
    "left",
    "right",
    "standing",
    "seated",
    "supine",
    "isometric hold",
    "eccentric",
    "slow tempo",
    "with ball",
    "post-op week 2",
    "advanced",
];

struct Exercise {
    name: String,
    /// Name first, then the aliases.
    fields: Vec<String>,
    fields32: Vec<Utf32String>,
    /// The library exercise it was made from.
    base: usize,
}

fn library(size: usize) -> Vec<Exercise> {
    let seed = ptclinic::demo::seed::exercises().unwrap();
    let make = |name: String, aliases: &[String], base: usize| {
        let fields: Vec<String> = std::iter::once(name.clone())
            .chain(aliases.iter().cloned())
            .collect();
        Exercise {
            fields32: fields
                .iter()
                .map(|f| Utf32String::from(f.as_str()))
                .collect(),
            name,
            fields,
            base,
        }
    };
    let mut out: Vec<Exercise> = seed
        .iter()
        .enumerate()
        .map(|(i, e)| make(e.name.clone(), &e.aliases, i))
        .collect();
    'grow: for v in VARIATIONS {
        for (i, e) in seed.iter().enumerate() {
            if out.len() >= size {
                break 'grow;
            }
            out.push(make(format!("{}, {v}", e.name), &e.aliases, i));
        }
    }
    out.truncate(size);
    out
}

trait Ranker {
    fn name(&self) -> &'static str;
    /// Indices of the matching exercises, best first.
    fn rank(&mut self, lib: &[Exercise], query: &str) -> Vec<usize>;
}

fn order(lib: &[Exercise], mut scored: Vec<(i64, usize)>) -> Vec<usize> {
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(lib[a.1].name.len().cmp(&lib[b.1].name.len()))
            .then(a.1.cmp(&b.1))
    });
    scored.into_iter().map(|(_, i)| i).collect()
}

struct Skim(SkimMatcherV2);

impl Ranker for Skim {
    fn name(&self) -> &'static str {
        "fuzzy-matcher skim v2"
    }
    fn rank(&mut self, lib: &[Exercise], query: &str) -> Vec<usize> {
        let scored = lib
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.fields
                    .iter()
                    .filter_map(|f| self.0.fuzzy_match(f, query))
                    .max()
                    .map(|s| (s, i))
            })
            .collect();
        order(lib, scored)
    }
}

struct Nucleo(nucleo_matcher::Matcher);

impl Ranker for Nucleo {
    fn name(&self) -> &'static str {
        "nucleo-matcher, Pattern::parse"
    }
    fn rank(&mut self, lib: &[Exercise], query: &str) -> Vec<usize> {
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let scored = lib
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.fields32
                    .iter()
                    .filter_map(|f| pattern.score(f.slice(..), &mut self.0))
                    .max()
                    .map(|s| (i64::from(s), i))
            })
            .collect();
        order(lib, scored)
    }
}

/// nucleo-matcher with the whole query as one fuzzy atom (spaces are characters to match, as
/// in skim), rather than `Pattern::parse`'s one atom per word.
struct NucleoAtom(nucleo_matcher::Matcher);

impl Ranker for NucleoAtom {
    fn name(&self) -> &'static str {
        "nucleo-matcher, one atom"
    }
    fn rank(&mut self, lib: &[Exercise], query: &str) -> Vec<usize> {
        let atom = Atom::new(
            query,
            CaseMatching::Ignore,
            Normalization::Smart,
            AtomKind::Fuzzy,
            false,
        );
        let scored = lib
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.fields32
                    .iter()
                    .filter_map(|f| atom.score(f.slice(..), &mut self.0))
                    .max()
                    .map(|s| (i64::from(s), i))
            })
            .collect();
        order(lib, scored)
    }
}

fn rankers() -> Vec<Box<dyn Ranker>> {
    vec![
        Box::new(Skim(SkimMatcherV2::default().ignore_case())),
        Box::new(Nucleo(nucleo_matcher::Matcher::new(Config::DEFAULT))),
        Box::new(NucleoAtom(nucleo_matcher::Matcher::new(Config::DEFAULT))),
    ]
}

/// Typed letter by letter: the mean time of one keystroke's search at each query length.
fn per_keystroke(r: &mut dyn Ranker, lib: &[Exercise]) -> Vec<(usize, Duration)> {
    let typed: Vec<&str> = QUERIES
        .iter()
        .map(|(q, _)| *q)
        .filter(|q| q.len() >= 12)
        .chain(["shoulder exte", "single leg bri", "quadriceps st"])
        .collect();
    (1..=12)
        .map(|len| {
            let mut total = Duration::ZERO;
            let mut n = 0u32;
            for _ in 0..20 {
                for q in &typed {
                    let prefix = &q[..len];
                    let started = Instant::now();
                    black_box(r.rank(lib, prefix));
                    total += started.elapsed();
                    n += 1;
                }
            }
            (len, total / n)
        })
        .collect()
}

/// (intended first, intended or a variation of it first, misses listed).
fn quality(r: &mut dyn Ranker, lib: &[Exercise]) -> (usize, usize, Vec<String>) {
    let (mut exact, mut family) = (0, 0);
    let mut misses = Vec::new();
    for (q, meant) in QUERIES {
        let ranked = r.rank(lib, q);
        let top = ranked.first().map(|&i| &lib[i]);
        let hit = top.is_some_and(|e| e.name == *meant);
        let fam = top.is_some_and(|e| lib[e.base].name == *meant);
        exact += usize::from(hit);
        family += usize::from(fam);
        if !hit {
            let place = ranked
                .iter()
                .position(|&i| lib[i].name == *meant)
                .map_or("not matched".to_string(), |p| format!("#{}", p + 1));
            misses.push(format!(
                "{q:?}: {} first, {meant:?} {place}",
                top.map_or("nothing".to_string(), |e| format!("{:?}", e.name))
            ));
        }
    }
    (exact, family, misses)
}

fn benches(c: &mut Criterion) {
    let small = library(306);
    let big = library(5000);
    assert_eq!(big.len(), 5000);
    println!(
        "exercise search: {} queries of clinicians' shorthand",
        QUERIES.len()
    );
    for r in rankers().iter_mut() {
        let (exact, _, misses) = quality(r.as_mut(), &small);
        let (exact_big, family_big, _) = quality(r.as_mut(), &big);
        println!(
            "{}: intended exercise first {exact}/{n} on the 306-exercise library; on 5,000: {exact_big}/{n} (a variation of it first: {family_big}/{n})",
            r.name(),
            n = QUERIES.len()
        );
        for m in misses {
            println!("    miss (306): {m}");
        }
        let times = per_keystroke(r.as_mut(), &big);
        let line: Vec<String> = times
            .iter()
            .map(|(len, t)| format!("{len}:{:.2}", t.as_secs_f64() * 1000.0))
            .collect();
        let worst = times.iter().map(|(_, t)| *t).max().unwrap();
        println!(
            "{}: ms per keystroke over 5,000 exercises by query length {}; worst {:.2} ms",
            r.name(),
            line.join(" "),
            worst.as_secs_f64() * 1000.0
        );
    }

    for mut r in rankers() {
        let name = r.name();
        for q in ["hamstring strech", "shoulder er band"] {
            c.bench_function(
                &format!("{name}: type {q:?} (16 keystrokes) over 5,000 exercises"),
                |b| {
                    b.iter(|| {
                        for len in 1..=q.len() {
                            black_box(r.rank(&big, &q[..len]));
                        }
                    })
                },
            );
        }
    }
}

criterion_group!(matcher, benches);
criterion_main!(matcher);

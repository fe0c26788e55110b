//! Exercise search per keystroke: 5,000 exercises (the 306 of the demo library with variations
//! of name, aliases, region and equipment), queries of 1 to 12 letters as a therapist types
//! them, shorthand, typos and a query that matches nothing. Target: under 2 ms a keystroke.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::domain::hep::{Dosage, Exercise, REGIONS};
use ptclinic::search::exercises::ExerciseIndex;

const VARIANTS: &[&str] = &[
    "",
    "with band",
    "on foam",
    "seated",
    "standing",
    "progression",
    "eccentric",
    "isometric",
    "with ball",
    "supported",
    "advanced",
    "unilateral",
    "with pause",
    "slow tempo",
    "on step",
    "with weight",
    "bilateral",
];
const EQUIPMENT: &[&str] = &[
    "none",
    "resistance band",
    "dumbbell",
    "chair",
    "wall",
    "towel",
    "step",
];

fn library(n: usize) -> Vec<Exercise> {
    let seed = ptclinic::demo::seed::exercises().expect("the demo library");
    (0..n)
        .map(|i| {
            let s = &seed[i % seed.len()];
            let round = i / seed.len();
            let variant = VARIANTS[round % VARIANTS.len()];
            let name = if variant.is_empty() {
                s.name.clone()
            } else {
                format!("{} {variant}", s.name)
            };
            Exercise {
                id: i as i64 + 1,
                name,
                aliases: s.aliases.clone(),
                region: if round % 3 == 2 {
                    REGIONS[i % REGIONS.len()].0.to_string()
                } else {
                    s.region.clone()
                },
                category: s.category.clone(),
                equipment: if round == 0 {
                    s.equipment.clone()
                } else {
                    EQUIPMENT[(i + round) % EQUIPMENT.len()].to_string()
                },
                position: Some(s.position.clone()),
                instructions: s.instructions.clone(),
                default: Dosage::default(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lib = library(5000);
    let index = ExerciseIndex::new(&lib);
    let mut group = c.benchmark_group("exercise_search_5000");
    // Each keystroke of "hamstring st" (1 to 12 letters), the way the search box sees it.
    let typed = "hamstring st";
    group.bench_function("typing hamstring st, per keystroke (12 queries)", |b| {
        b.iter(|| {
            for n in 1..=typed.len() {
                black_box(index.search(black_box(&typed[..n]), None, 60));
            }
        })
    });
    for q in [
        "s",
        "sl",
        "slr",
        "tke",
        "band",
        "bridge",
        "hamstring strech",
        "straigth leg",
        "zzqx",
        "knee band",
    ] {
        group.bench_function(format!("query {q:?}"), |b| {
            b.iter(|| black_box(index.search(black_box(q), None, 60)))
        });
    }
    group.bench_function("build the index", |b| {
        b.iter(|| black_box(ExerciseIndex::new(black_box(&lib))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);

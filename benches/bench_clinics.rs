//! Builds the benchmarks' clinics into `target/bench-data/` (or finds them there, built for these
//! sources) and exits. `.ci/run` runs it before the tests, so that the share tests on the
//! ten-year clinic, which cannot build it unoptimised in reasonable time, always run in CI.

mod common;

fn main() {
    // `cargo bench` passes its own flags (`--bench`); there is nothing to choose.
    for clinic in [common::Clinic::Demo, common::Clinic::Large] {
        let path = clinic.path();
        println!("{}: {}", clinic.label(), path.display());
    }
}

//! What an action costs on the share, in file operations: deterministic, and what decides how
//! the app feels on any network drive (each operation a round trip). The counts are printed
//! (`cargo test --test network_share budgets -- --nocapture`) and bounded at about twice what
//! they are today, so a change that doubles them fails here; the times at 0.5 ms per operation
//! are in the README.

use std::time::Duration;

use super::share::Op;
use super::*;
use common::Session;

/// Reads and all operations of one action, printed for the README's table.
fn cost(shared: &SharedClinic, what: &str, action: impl FnOnce()) -> (u64, u64) {
    let controls = &shared.share.controls;
    controls.reset_counts();
    action();
    let c = controls.counts();
    eprintln!(
        "{what}: {} reads, {} operations ({c:?})",
        c.of(Op::Read),
        c.total()
    );
    (c.of(Op::Read), c.total())
}

#[test]
fn the_first_frame_and_a_check_in_stay_within_their_budgets_of_file_operations() {
    let Some(shared) = SharedClinic::new() else {
        return;
    };
    // Opened once first, so that a schema upgrade or a restore note is not part of the count.
    assert!(!shared.clinic.today().is_empty());

    let (reads, ops) = cost(
        &shared,
        "schedule --json (a day, from a cold process)",
        || {
            assert!(!shared.clinic.today().is_empty());
        },
    );
    assert!(
        reads <= 184 && ops <= 356,
        "schedule: {reads} reads, {ops} operations"
    );

    // The whole start, first frame and quit: the day's flags follow the first frame on the
    // database thread, and the count is only the same from run to run once they are done.
    let (reads, ops) = cost(&shared, "start, first frame and quit (TUI, 80x24)", || {
        let mut s = Session::start(&shared.clinic, "spereira");
        s.wait_for_text("booked");
        s.settle(Duration::from_millis(300));
        s.send("q");
        assert!(s.wait_exit().success());
    });
    assert!(
        reads <= 200 && ops <= 420,
        "first frame: {reads} reads, {ops} operations"
    );

    let id = shared.first_scheduled();
    let (reads, ops) = cost(&shared, "check-in (CLI, a cold process)", || {
        let out = shared
            .clinic
            .cli(&["check-in", "--appointment", &id.to_string()]);
        common::assert_code(&out, 0);
    });
    assert!(
        reads <= 60 && ops <= 354,
        "check-in: {reads} reads, {ops} operations"
    );

    // The same at 0.5 ms per operation, for the README (printed, never asserted: speed lives
    // in benchmarks).
    shared
        .share
        .controls
        .set_latency(Duration::from_micros(500));
    let timed = |what: &str, action: &dyn Fn()| {
        let started = std::time::Instant::now();
        action();
        eprintln!(
            "{what} at 0.5 ms per operation: {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    };
    timed("schedule --json", &|| {
        assert!(!shared.clinic.today().is_empty())
    });
    timed("start to first frame", &|| {
        let mut s = Session::start(&shared.clinic, "spereira");
        s.wait_for_text("booked");
        s.send("q");
        s.wait_exit();
    });
    let id = shared
        .clinic
        .today()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .nth(1)
        .and_then(|v| v["id"].as_i64())
        .unwrap();
    timed("check-in", &|| {
        common::assert_code(
            &shared
                .clinic
                .cli(&["check-in", "--appointment", &id.to_string()]),
            0,
        )
    });
}

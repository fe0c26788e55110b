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

/// What the in-app actions cost on the share, printed for the README's table: the next day, a
/// patient's progress, a program, a search keystroke, and the poll that picks up another
/// terminal's change. Each is counted from the key until the screen has settled; the app's
/// once-a-second poll may add a few operations of its own to any of them, so the bounds are
/// loose (they catch a change that multiplies the cost, not one read).
#[test]
fn the_in_app_actions_cost_few_file_operations() {
    let Some(shared) = SharedClinic::new() else {
        return;
    };
    assert!(!shared.clinic.today().is_empty());
    let controls = &shared.share.controls;
    let mut desk = Session::start(&shared.clinic, "spereira");
    desk.wait_for_text("booked");
    desk.settle(Duration::from_millis(1200));
    let mut step = |what: &str, keys: &str, shows: &str, bound: u64| {
        desk.settle(Duration::from_millis(300));
        controls.reset_counts();
        desk.send(keys);
        desk.wait_for(what, Duration::from_secs(10), |s| s.contains(shows));
        desk.settle(Duration::from_millis(400));
        let c = controls.counts();
        eprintln!("{what}: {} reads, {} operations", c.of(Op::Read), c.total());
        assert!(c.of(Op::Read) <= bound, "{what}: {c:?}");
    };
    step("the next day", "]", "Sat 28 Nov", 120);
    step("back to today", "[", "(today)", 120);
    step("a patient's progress (pane 2)", "2", "Measure", 120);
    step("a patient's program (pane 3)", "3", "Exercises", 120);
    step("a search keystroke in pane 3", "/s", "/ s", 20);
    desk.send("\x1b");
    desk.settle(Duration::from_millis(300));
    desk.send("1");
    desk.settle(Duration::from_millis(500));
    // Another terminal's check-in, picked up by this terminal's poll.
    let id = shared.first_scheduled();
    common::assert_code(
        &shared
            .clinic
            .cli(&["check-in", "--appointment", &id.to_string()]),
        0,
    );
    controls.reset_counts();
    desk.wait_for(
        "the poll to bring the arrival",
        Duration::from_secs(10),
        |s| s.contains("arrived 1"),
    );
    desk.settle(Duration::from_millis(300));
    let c = controls.counts();
    eprintln!(
        "a poll that finds a change: {} reads, {} operations",
        c.of(Op::Read),
        c.total()
    );
    assert!(c.of(Op::Read) <= 200, "{c:?}");
    desk.send("q");
    assert!(desk.wait_exit().success());
}

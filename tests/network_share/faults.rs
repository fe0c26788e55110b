//! Faults in the middle of a change: the change is wholly there or wholly absent, the user reads
//! one plain sentence, and the next attempt after the fault clears succeeds.

use super::share::{Fault, Op};
use super::*;

/// Runs a check-in with `fault` armed, then checks the record and a retry.
fn check_in_with(fault: Fault) -> String {
    let shared = SharedClinic::new().expect("checked by the caller");
    let id = shared.first_scheduled();
    let before = status_and_audit(&shared.on_server(), id);
    shared.share.controls.arm(fault);
    let out = shared
        .clinic
        .cli(&["check-in", "--appointment", &id.to_string()]);
    shared.share.controls.disarm();
    let said = common::stderr(&out);
    let after = status_and_audit(&shared.on_server(), id);
    assert_eq!(integrity(&shared.on_server()), "ok", "{fault:?}");
    match out.status.code() {
        Some(0) => assert_eq!(after, ("checked_in".into(), before.1 + 1), "{fault:?}"),
        Some(1) => {
            assert_eq!(after, before, "{fault:?}: a failed change leaves nothing");
            assert!(
                said.starts_with("ptclinic: ") && said.lines().count() == 1,
                "{said}"
            );
            let again = shared
                .clinic
                .cli(&["check-in", "--appointment", &id.to_string()]);
            common::assert_code(&again, 0);
            assert_eq!(status_and_audit(&shared.on_server(), id).0, "checked_in");
        }
        other => panic!("{fault:?}: exit {other:?}: {said}"),
    }
    said
}

#[test]
fn an_io_error_on_a_sync_or_a_write_of_a_check_in_loses_nothing_half_written() {
    if SharedClinic::new().is_none() {
        return;
    }
    // Each fault, and what the person at the desk reads.
    for (fault, said) in [
        (
            Fault::IoError {
                op: Op::Fsync,
                nth: 1,
            },
            "is the network drive connected?",
        ),
        (
            Fault::IoError {
                op: Op::Fsync,
                nth: 2,
            },
            "is the network drive connected?",
        ),
        (
            Fault::IoError {
                op: Op::Write,
                nth: 1,
            },
            "is the network drive connected?",
        ),
        (
            Fault::IoError {
                op: Op::Write,
                nth: 3,
            },
            "is the network drive connected?",
        ),
        (Fault::NoSpace { nth: 1 }, "is full; nothing was written"),
        (
            Fault::IoError {
                op: Op::Read,
                nth: 5,
            },
            "could not be read",
        ),
    ] {
        let message = check_in_with(fault);
        assert!(message.contains(said), "{fault:?}: {message}");
    }
}

#[test]
fn a_share_that_goes_away_and_comes_back_needs_no_restart() {
    let Some(shared) = SharedClinic::new() else {
        return;
    };
    shared.share.controls.set_gone(true);
    let out = shared.clinic.cli(&["schedule", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let said = common::stderr(&out);
    assert!(said.contains("cannot reach"), "{said}");
    shared.share.controls.set_gone(false);
    assert!(!shared.clinic.today().is_empty());
}

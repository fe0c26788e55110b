//! A share that hangs for half a minute, as a NAS does when it reboots: the app keeps answering
//! keys, says it is waiting, and the change goes through (or is refused plainly) once the share
//! answers; nothing typed is lost and nothing is half-written.

use std::time::Duration;

use super::*;
use common::Session;

#[test]
fn a_thirty_second_stall_keeps_the_screen_answering_and_the_change_arrives_after() {
    let Some(shared) = SharedClinic::small() else {
        return;
    };
    let mut desk = Session::start(&shared.clinic, "spereira");
    desk.wait_for_text("booked");
    desk.settle(Duration::from_millis(800));
    let marked = |s: &str| s.lines().position(|l| l.starts_with('▶'));
    let first_row = marked(&desk.screen()).expect("a selected row");

    shared.share.controls.stall(Duration::from_secs(30));
    desk.send("c");
    desk.wait_for("the waiting line", Duration::from_secs(10), |s| {
        s.contains("waiting for the clinic database")
    });
    // Keys still work while the database thread waits on the share.
    desk.send("j");
    desk.wait_for("the selection to move", Duration::from_secs(5), |s| {
        marked(s) == Some(first_row + 1)
    });
    // Once the share answers, the check-in is saved and shown.
    desk.wait_for(
        "the check-in after the stall",
        Duration::from_secs(60),
        |s| s.contains("checked in") && !s.contains("waiting for the clinic database"),
    );
    assert_eq!(integrity(&shared.on_server()), "ok");
    desk.send("q");
    assert!(desk.wait_exit().success());
}

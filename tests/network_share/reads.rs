//! The app works through the share, and every file operation it costs is counted.

use super::share::Op;
use super::*;

#[test]
fn the_day_is_read_and_a_check_in_written_through_the_share() {
    let Some(shared) = SharedClinic::new() else {
        return;
    };
    let controls = &shared.share.controls;
    controls.reset_counts();
    let visits = shared.clinic.today();
    assert!(!visits.is_empty());
    let read_day = controls.counts();
    assert!(read_day.of(Op::Read) > 0, "{read_day:?}");
    assert_eq!(
        read_day.of(Op::Write),
        0,
        "reading the day writes nothing: {read_day:?}"
    );

    let id = shared.first_scheduled();
    controls.reset_counts();
    let out = shared
        .clinic
        .cli(&["check-in", "--appointment", &id.to_string(), "--date", DAY]);
    common::assert_code(&out, 0);
    let check_in = controls.counts();
    assert!(
        check_in.of(Op::Write) > 0 && check_in.of(Op::Fsync) > 0,
        "{check_in:?}"
    );
    assert_eq!(status_and_audit(&shared.on_server(), id).0, "checked_in");
    assert_eq!(integrity(&shared.on_server()), "ok");
}

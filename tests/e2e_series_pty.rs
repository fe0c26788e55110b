//! A series booked at the desk end to end: the full-screen app in a pseudo-terminal books a
//! 2x/week series from the booking form with every clash skipped, then cancels it from its
//! first visit on; checked in the record.

mod common;

use common::{Clinic, Session};

const CTRL_R: &str = "\x12";
const CTRL_U: &str = "\x15";
const RIGHT: &str = "\x1b[C";
const DOWN: &str = "\x1b[B";

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_desk_books_a_series_with_its_clashes_skipped_and_cancels_it_from_the_first_visit() {
    let clinic = Clinic::demo();
    // A patient whose plan of care, with its frequency, covers the series' first day.
    let (mrn, per_week, planned): (String, i64, i64) = rusqlite::Connection::open(&clinic.db)
        .unwrap()
        .query_row(
            "SELECT p.mrn, c.visits_per_week, c.visits_per_week * c.weeks
             FROM plans_of_care c JOIN patients p ON p.id = c.patient_id
             WHERE c.starts_on <= '2026-12-28' AND c.ends_on >= '2026-12-28'
               AND c.visits_per_week BETWEEN 1 AND 3 AND c.weeks IS NOT NULL
             ORDER BY c.visits_per_week DESC, p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let therapist = clinic.therapist();

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("a");
    s.wait_for_text("Book a visit");
    s.send(&mrn);
    s.wait_for_text(&format!("MRN {mrn}"));
    s.send("\t");
    s.send(&therapist);
    s.send("\t");
    s.send(CTRL_U);
    s.send("12/28");
    s.send("\t");
    s.send("11:30");
    s.send(CTRL_R);
    s.wait_for_text("Book a series");
    // The weekdays and the number of visits come from the plan of care.
    s.wait_for_text(&format!("from the plan of care's {per_week}x/week"));
    s.send("\r");
    s.wait_for_text(&format!("{planned} visits"));
    // → skips a clash and does nothing on a free visit; ↓ goes to the next.
    for _ in 0..planned {
        s.send(RIGHT);
        s.send(DOWN);
    }
    s.send("\r");
    s.wait_for_text("visits of the series for");

    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let series: i64 = count(&conn, "SELECT max(id) FROM visit_series");
    let booked = count(
        &conn,
        &format!("SELECT count(*) FROM appointments WHERE series_id = {series}"),
    );
    assert!((1..=planned).contains(&booked), "{booked} booked");
    assert!(
        s.screen().contains(&format!("Booked {booked} visits")),
        "{}",
        s.screen()
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit_log WHERE action = 'series.book' AND user = 'frontdesk1'"
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'appointment.book'
                 AND json_extract(summary, '$.series_id') = {series}"
            )
        ),
        booked
    );

    // The first visit of the series (the first may have been skipped) is selected on its day,
    // once that day has come from the database thread: cancel it and the later ones.
    let first: String = conn
        .query_row(
            &format!("SELECT min(start) FROM appointments WHERE series_id = {series}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let first = chrono::NaiveDateTime::parse_from_str(&first, "%Y-%m-%dT%H:%M").unwrap();
    let (day, time) = (
        first.format("%a %-d %b %Y").to_string(),
        first.format("%H:%M").to_string(),
    );
    s.wait_for(
        "the series' first day shown",
        std::time::Duration::from_secs(20),
        |screen| {
            screen.contains(&day)
                && screen
                    .lines()
                    .any(|l| l.contains(&time) && l.contains("scheduled"))
        },
    );
    s.send("x");
    s.wait_for_text("It is one of a series");
    s.send("f");
    s.wait_for_text("and the later visits of its series");
    s.send("p");
    s.wait_for_text(&format!("Cancelled {booked} visits"));
    s.send("q");
    s.wait_exit();
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM appointments WHERE series_id = {series}
                 AND status = 'cancelled' AND cancel_reason = 'patient'"
            )
        ),
        booked
    );
}

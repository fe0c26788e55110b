use std::time::Instant;
fn main() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let db = ptclinic::db::open_existing(std::path::Path::new("/tmp/ptc/d.db")).unwrap();
    let conn = db.conn();
    let n = 2000;
    for _ in 0..200 {
        db.day(today).unwrap();
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(db.day(today).unwrap());
    }
    println!("day total {:?}", t.elapsed() / n);
    let mut v = db.day(today).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        ptclinic::db::flags::fill_day_flags(conn, today, &mut v).unwrap();
    }
    println!("flags {:?}", t.elapsed() / n);
    for (name, sql) in [
        (
            "hist",
            "SELECT a.patient_id, a.id, a.start, a.kind, a.status, COALESCE((SELECT n.is_progress_report FROM visit_notes n WHERE n.appointment_id = a.id), 0) FROM appointments a WHERE a.patient_id IN (SELECT patient_id FROM appointments WHERE start >= ?1 AND start < ?2) AND a.start < ?2 AND a.status IN ('scheduled', 'checked_in', 'completed')",
        ),
        (
            "hist-nonote",
            "SELECT a.patient_id, a.id, a.start, a.kind, a.status FROM appointments a WHERE a.patient_id IN (SELECT patient_id FROM appointments WHERE start >= ?1 AND start < ?2) AND a.start < ?2 AND a.status IN ('scheduled', 'checked_in', 'completed')",
        ),
        (
            "terms",
            "SELECT id, authorized_visits, auth_end, poc_start, poc_end FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE start >= ?1 AND start < ?2)",
        ),
        (
            "adh",
            "SELECT patient_id, reported_on, sessions_done, sessions_prescribed FROM adherence_reports WHERE patient_id IN (SELECT patient_id FROM appointments WHERE start >= ?1 AND start < ?2) AND reported_on < ?2 ORDER BY patient_id, reported_on, id",
        ),
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let t = Instant::now();
        for _ in 0..n {
            let mut rows = st.query(["2026-11-27", "2026-11-28"]).unwrap();
            let mut c = 0;
            while let Some(r) = rows.next().unwrap() {
                let _: i64 = r.get(0).unwrap();
                c += 1;
            }
            std::hint::black_box(c);
        }
        println!("{name} {:?}", t.elapsed() / n);
    }
}

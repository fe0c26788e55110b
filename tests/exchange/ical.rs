//! iCalendar: folding, escaping, CRLF, stable UIDs, and the refusals.

use super::support::*;

fn ical(env: &EnvDirs, db: &Path, args: &[&str]) -> String {
    let mut all = vec!["export", "ical", "--db", p(db)];
    all.extend_from_slice(args);
    let out = ptclinic(env, &all);
    assert_code(&out, 0);
    stdout(&out)
}

/// Every line ends in CRLF and is at most 75 octets; returns the unfolded lines.
fn unfold(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"));
    let body = text.strip_suffix("\r\n").unwrap();
    assert!(!body.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(!body.replace("\r\n", "").contains('\r'), "bare CR");
    let mut lines: Vec<String> = Vec::new();
    for l in body.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        match l.strip_prefix(' ') {
            Some(rest) => lines.last_mut().expect("a first line").push_str(rest),
            None => lines.push(l.to_string()),
        }
    }
    lines
}

#[test]
fn icalendar_round_trips_imported_visits_with_folding_and_escaping() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let long_name = "Maximiliane Alexandra Konstanze";
    let patients = env.file(
        "p.csv",
        format!(
            "mrn,first_name,last_name,date_of_birth\n\
             7,{long_name},\"von Hohenzollern-Sigmaringen, Jr.; née Ängström\",1980-01-01\n\
             8,Bo,Ng,1990-03-03\n"
        ),
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let visits = env.file(
        "a.csv",
        "mrn,therapist,start,minutes,kind,status,cancel_reason\n\
         7,AR,2026-12-01 08:00,45,evaluation,,\n\
         8,AR,2026-12-01 09:00,30,treatment,cancelled,late\n\
         8,AR,2026-12-02 09:00,30,treatment,,\n\
         8,BK,2026-12-02 10:00,30,treatment,,\n\
         8,AR,2027-06-01 10:00,30,treatment,,\n",
    );
    assert_code(&import(&env, &db, "appointments", &visits, &[]), 0);

    let text = ical(
        &env,
        &db,
        &[
            "--therapist",
            "Ana Ruiz",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
        ],
    );
    let lines = unfold(&text);
    assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0".to_string()));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    // Two visits: the cancelled one, BK's and the one after --to are left out.
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    assert!(lines.contains(&"DTSTART:20261201T080000Z".to_string()));
    assert!(lines.contains(&"DTEND:20261201T084500Z".to_string()));
    assert!(
        lines.contains(&"SUMMARY:M.V. - Evaluation".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"SUMMARY:B.N. - Treatment".to_string()));
    assert!(
        !text.contains("Maximiliane") && !text.contains("Ng "),
        "initials only by default"
    );
    for l in lines.iter().filter(|l| l.starts_with("DTSTAMP:")) {
        assert!(l.len() == "DTSTAMP:20261127T000000Z".len() && l.ends_with('Z'));
    }
    let uids: Vec<&String> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), 2);
    assert_ne!(uids[0], uids[1]);

    // UIDs are stable from one export to the next.
    let again = unfold(&ical(
        &env,
        &db,
        &[
            "--therapist",
            "AR",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
        ],
    ));
    let uids_again: Vec<&String> = again.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids, uids_again);

    // Full names only when asked: escaped, and folded at 75 octets without splitting "ä".
    let text = ical(
        &env,
        &db,
        &[
            "--therapist",
            "ar",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
            "--full-names",
        ],
    );
    assert!(text.contains("\r\n "), "the long summary is folded");
    let lines = unfold(&text);
    let summary = lines.iter().find(|l| l.starts_with("SUMMARY:")).unwrap();
    assert_eq!(
        summary,
        &format!(
            "SUMMARY:{long_name} von Hohenzollern-Sigmaringen\\, Jr.\\; née Ängström - Evaluation"
        )
    );
}

#[test]
fn icalendar_to_a_file_and_bad_input() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let file = env.path("am.ics");
    let out = ptclinic(
        &env,
        &[
            "export",
            "ical",
            "--therapist",
            "AM",
            "--out",
            p(&file),
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 0);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines = unfold(&text);
    assert!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count() > 3);
    assert_eq!(count(&db, "audit_log WHERE action = 'export.ical'"), 1);

    let out = ptclinic(
        &env,
        &["export", "ical", "--therapist", "Nobody", "--db", p(&db)],
    );
    assert_code(&out, 2);
    let out = ptclinic(
        &env,
        &["export", "ical", "--therapist", "SP", "--db", p(&db)],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("not a therapist"));
    let out = ptclinic(
        &env,
        &[
            "export",
            "ical",
            "--therapist",
            "AM",
            "--from",
            "2026-12-05",
            "--to",
            "2026-12-01",
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("before --from"));
}

use super::pg::dollar_placeholders;
use super::*;

#[test]
fn parameters_become_dollars_outside_literals_and_names() {
    assert_eq!(
        dollar_placeholders(
            "SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"?x\" = ?12 -- ?3\n AND d = ?"
        ),
        "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"?x\" = $12 -- ?3\n AND d = $1"
    );
    assert_eq!(dollar_placeholders("'it''s ?1' || ?2"), "'it''s ?1' || $2");
}

#[test]
fn sqlite_rows_read_as_plain_types_and_say_what_did_not_fit() {
    let lite = rusqlite::Connection::open_in_memory().unwrap();
    let conn = Conn::new(&lite);
    conn.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB)", &[])
        .unwrap();
    let name = String::from("Ana");
    let n = conn
        .execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4), (NULL, NULL, NULL, NULL)",
            args![7i64, 2.5, &name, &b"\x01\x02"[..]],
        )
        .unwrap();
    assert_eq!(n, 2);
    let rows = conn
        .rows("SELECT i, r, s, b FROM t ORDER BY i IS NULL", &[], |r| {
            Ok((
                r.get::<Option<i64>>(0)?,
                r.get::<Option<f64>>(1)?,
                r.get::<Option<String>>(2)?,
                r.get::<Option<Vec<u8>>>(3)?,
            ))
        })
        .unwrap();
    assert_eq!(
        rows,
        [
            (Some(7), Some(2.5), Some("Ana".into()), Some(vec![1, 2])),
            (None, None, None, None)
        ]
    );
    let wrong = conn
        .row("SELECT s FROM t WHERE i = ?1", args![7i64], |r| {
            r.get::<i64>(0)
        })
        .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "column 0 holds text where an integer was read"
    );
    assert_eq!(
        conn.row("SELECT i FROM t WHERE i = ?1", args![Some(8i64)], |r| r
            .get::<i64>(0))
            .unwrap(),
        None
    );
}

/// The same statements on the test server, when one is configured (see tests/common/pg.rs).
#[test]
fn server_rows_read_as_the_same_plain_types() {
    let Ok(address) = std::env::var("PTCLINIC_TEST_PG") else {
        assert!(
            std::env::var("PTCLINIC_REQUIRE_PG").is_err(),
            "PTCLINIC_REQUIRE_PG is set but PTCLINIC_TEST_PG is not"
        );
        eprintln!("server_rows_read_as_the_same_plain_types: needs PTCLINIC_TEST_PG, not run here");
        return;
    };
    let mut config: postgres::Config = address.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    let mut client = config.connect(postgres::NoTls).unwrap();
    let mut tx = client.transaction().unwrap();
    let db = Pg::in_transaction(&mut tx);
    db.execute(
        "CREATE TEMPORARY TABLE t (i BIGINT, small INTEGER, r DOUBLE PRECISION, s TEXT, b BYTEA)",
        &[],
    )
    .unwrap();
    let name = String::from("Ana");
    // A bigint value into an integer column, an integer into a float: the inferred types take them.
    db.execute(
        "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)",
        args![7i64, 3i64, 2i64, &name, &b"\x01\x02"[..]],
    )
    .unwrap();
    let row = db
        .row(
            "SELECT i, small, r, s, b, count(*) OVER (), i = 7, 1 FROM t WHERE s = ?1",
            args!["Ana"],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<f64>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Vec<u8>>(4)?,
                    r.get::<i64>(5)?,
                    r.get::<bool>(6)?,
                    r.get::<i64>(7)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(row, Some((7, 3, 2.0, "Ana".into(), vec![1, 2], 1, true, 1)));
    let numeric = db
        .row("SELECT sum(i) FROM t", &[], |r| r.get::<i64>(0))
        .unwrap_err();
    assert!(numeric.to_string().contains("cast it"), "{numeric}");
    assert_eq!(
        db.row("SELECT sum(i)::bigint FROM t", &[], |r| r.get::<i64>(0))
            .unwrap(),
        Some(7)
    );
}

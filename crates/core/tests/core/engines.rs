//! The database handle on both engines: the same statements, arguments and cells on SQLite and on
//! PostgreSQL, migrations, and the errors of a database that cannot be used. The PostgreSQL half
//! runs when `REOPEN_TEST_PG` names a cluster (scripts/test.sh starts one).

use reopen_core::args;
use reopen_core::store::{self, pg, Db, Value};
use reopen_core::ErrorKind;

use crate::{pg_cluster, R};

/// The same statements on a handle of either engine.
fn round_trip(db: Db<'_>) -> R {
    db.batch(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT, n BIGINT, b BYTEA_OR_BLOB)"
            .replace(
                "BYTEA_OR_BLOB",
                match db.engine() {
                    store::Engine::Sqlite => "BLOB",
                    store::Engine::Postgres => "BYTEA",
                },
            )
            .as_str(),
    )?;
    for (id, s, n) in [
        (1i64, Some("雅安市"), 5i64),
        (2, None, 7),
        (3, Some("a'b"), -2),
    ] {
        db.exec(
            "INSERT INTO t (id, s, n, b) VALUES (?1, ?2, ?3, ?4)",
            args![id, s, n, vec![0u8, 255, id as u8]],
        )?;
    }
    let rows = db.rows(
        "SELECT id, s, n, b FROM t WHERE n > ?1 ORDER BY s NULLS FIRST, id",
        args![-10],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<Option<String>>(1)?,
                r.get::<i32>(2)?,
                r.get::<Vec<u8>>(3)?,
            ))
        },
    )?;
    assert_eq!(
        rows,
        vec![
            (2, None, 7, vec![0, 255, 2]),
            (3, Some("a'b".into()), -2, vec![0, 255, 3]),
            (1, Some("雅安市".into()), 5, vec![0, 255, 1]),
        ]
    );
    // Aggregates read alike: SUM of 64-bit integers is NUMERIC on PostgreSQL.
    let (sum, count, avg): (i64, i64, f64) =
        db.row("SELECT SUM(n), COUNT(*), AVG(n) FROM t", args![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    assert_eq!((sum, count), (10, 3));
    assert!((avg - 10.0 / 3.0).abs() < 1e-9, "{avg}");
    // A parameter of no inferable type, cast; a missing row; a comparison read as a flag.
    let flag: bool = db.one("SELECT CAST(?1 AS TEXT) IS NULL", args![None::<String>])?;
    assert!(flag);
    assert_eq!(
        db.first::<i64>("SELECT id FROM t WHERE id = ?1", args![9])?,
        None
    );
    assert_eq!(
        db.one::<Value>("SELECT s FROM t WHERE id = ?1", args![1])?,
        Value::Text("雅安市".into())
    );
    let e = db
        .one::<i64>("SELECT s FROM t WHERE id = 1", args![])
        .unwrap_err();
    assert!(e.to_string().contains("expected an integer"), "{e}");
    Ok(())
}

#[test]
fn statements_read_alike_on_sqlite() -> R {
    let c = rusqlite::Connection::open_in_memory()?;
    round_trip(Db::Sqlite(&c))
}

#[test]
fn statements_read_alike_on_postgres() -> R {
    let Some(url) = pg_cluster() else {
        return Ok(());
    };
    let pg = pg::connect(&pg::create_test_database(&url)?)?;
    round_trip(Db::Postgres(&pg))
}

#[test]
fn a_postgres_database_is_migrated_once_and_a_newer_one_refused() -> R {
    let Some(url) = pg_cluster() else {
        return Ok(());
    };
    let db_url = pg::create_test_database(&url)?;
    let pg = pg::connect(&db_url)?;
    assert_eq!(pg::version(Db::Postgres(&pg))?, pg::latest_version());
    assert_eq!(pg::migrate(&pg)?, 0, "nothing left to apply");
    // A later program's schema: refused, changing nothing.
    Db::Postgres(&pg).exec(
        "INSERT INTO schema_migrations (version) VALUES (?1)",
        args![pg::latest_version() + 1],
    )?;
    let e = pg::migrate(&pg).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert!(e.message.zh.contains("请升级本程序"), "{e}");
    let keys = tempfile::tempdir()?;
    let e = reopen_core::Reopen::open_db(&db_url, keys.path())
        .err()
        .expect("refused");
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e}");
    Ok(())
}

#[test]
fn an_unreachable_server_and_wrong_credentials_are_clear_errors() -> R {
    let keys = tempfile::tempdir()?;
    // Nothing listens on port 1 of this machine.
    let e = reopen_core::Reopen::open_db(
        "postgres://reopen@127.0.0.1:1/reopen?connect_timeout=5",
        keys.path(),
    )
    .err()
    .expect("refused");
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e}");
    assert!(
        e.message.zh.starts_with("无法连接 PostgreSQL 数据库"),
        "{e}"
    );
    let Some(url) = pg_cluster() else {
        return Ok(());
    };
    let e = reopen_core::Reopen::open_db(&pg::with_dbname(&url, "no_such_db"), keys.path())
        .err()
        .expect("refused");
    assert!(e.message.zh.contains("数据库不存在"), "{e}");
    Ok(())
}

/// The application's role (DML only) uses the database through the use cases but cannot change
/// the schema, drop or disable a guard, or empty a table; the owner migrated it.
#[test]
fn the_application_role_cannot_change_the_schema() -> R {
    let Some(cluster) = pg_cluster() else {
        return Ok(());
    };
    let owner_url = pg::create_test_database(&cluster)?;
    let dir = tempfile::tempdir()?;
    {
        let mut core = reopen_core::Reopen::open_db(&owner_url, &dir.path().join("keys"))?;
        core.init(Some(("admin", crate::ADMIN_PW)), crate::now())?;
    }
    let role = format!("reopen_app_{}", std::process::id());
    let owner = pg::connect(&owner_url)?;
    let o = Db::Postgres(&owner);
    o.batch(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD 'App-2020-pw';
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};"
    ))?;
    // The owner's URL with the application's user; a wrong password is a clear refusal.
    let app_url = owner_url.replacen("reopen_admin@", &format!("{role}:App-2020-pw@"), 1);
    let wrong = owner_url.replacen("reopen_admin@", &format!("{role}:wrong@"), 1);
    let e = reopen_core::Reopen::open_db(&wrong, &dir.path().join("keys"))
        .err()
        .expect("refused");
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e}");
    assert!(e.message.zh.contains("用户名或密码错误"), "{e}");
    assert!(
        !e.message.zh.contains("wrong"),
        "the password is not shown: {e}"
    );
    {
        let mut core = reopen_core::Reopen::open_db(&app_url, &dir.path().join("keys"))?;
        let admin = core.login("admin", crate::ADMIN_PW, crate::now())?;
        crate::clerk(&mut core, &admin, "clerk", "511802")?;
        assert!(core.audit_verify(&admin)?.ok);
        let app = pg::connect(&app_url)?;
        let a = Db::Postgres(&app);
        for sql in [
            "ALTER TABLE audit_events ADD COLUMN x BIGINT",
            "DROP TRIGGER audit_no_update ON audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_no_delete",
            "TRUNCATE audit_events",
            "DELETE FROM audit_events",
            "CREATE TABLE t (id BIGINT)",
        ] {
            let e = a.batch(sql).unwrap_err();
            // 42501: insufficient privilege; 42501 or the guard's own refusal for DELETE.
            assert!(
                e.message.en.contains("42501") || e.message.en.contains("append-only"),
                "{sql}: {e}"
            );
        }
    }
    o.batch(&format!("DROP OWNED BY {role}"))?;
    drop(owner);
    let c = pg::connect(&cluster)?;
    Db::Postgres(&c).batch(&format!("DROP ROLE {role}"))?;
    Ok(())
}

/// An office's database moves into an empty PostgreSQL one whole: the same firms, the audit chain
/// verifying there with the same keys and recording the move; the office's database unchanged; a
/// second move into the now non-empty target refused, changing nothing.
#[test]
fn an_office_database_migrates_into_postgres_with_its_chain() -> R {
    let Some(cluster) = pg_cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let keys = dir.path().join("t.db.keys");
    let mut office = reopen_core::Reopen::open_with_keys(&dir.path().join("t.db"), &keys)?;
    office.init(Some(("admin", crate::ADMIN_PW)), crate::now())?;
    let admin = office.login("admin", crate::ADMIN_PW, crate::now())?;
    let c = crate::clerk(&mut office, &admin, "clerk", "511802")?;
    crate::register(&mut office, &c, 1, "雨城迁移测试商贸有限公司")?;
    let events = crate::audit_len(&office, &admin);
    let url = pg::create_test_database(&cluster)?;
    let report = office.migrate_to_postgres(&admin, &url, crate::now())?;
    assert!(
        report.iter().any(|t| t.table == "firms" && t.rows == 1),
        "{report:?}"
    );
    assert_eq!(
        crate::audit_len(&office, &admin),
        events,
        "the office's log is unchanged"
    );

    let mut city = reopen_core::Reopen::open_db(&url, &keys)?;
    let admin2 = city.login("admin", crate::ADMIN_PW, crate::now())?;
    assert!(city.audit_verify(&admin2)?.ok);
    let log = city.audit_log(&admin2, None, Some(5), None)?;
    assert!(
        log.iter().any(|e| e.action == "database.migrate"),
        "{log:?}"
    );
    let firms = city.firm_list(&admin2, None, Some("迁移测试"), Some(10), None)?;
    assert_eq!(firms.len(), 1);

    let before = crate::audit_len(&city, &admin2);
    let e = office
        .migrate_to_postgres(&admin, &url, crate::now())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{e}");
    assert_eq!(crate::audit_len(&city, &admin2), before);
    Ok(())
}

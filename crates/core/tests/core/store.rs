//! The store: schema snapshot, audit tamper detection, login rules, backup and restore.

use reopen_core::audit;
use reopen_core::ErrorKind;

use super::*;

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/core/schema.snapshot.sql"
);

#[test]
fn schema_snapshot() -> R {
    let dir = tempfile::tempdir()?;
    let (core, _) = open(dir.path())?;
    let schema = reopen_core::store::schema_sql(core.connection())?;
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(SNAPSHOT, &schema)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(SNAPSHOT)
        .map_err(|e| format!("{SNAPSHOT}: {e}; run with UPDATE_SNAPSHOTS=1 to create it"))?;
    assert!(
        committed == schema,
        "the schema changed; if intended, add a migration and rerun with UPDATE_SNAPSHOTS=1.\n--- current ---\n{schema}"
    );
    Ok(())
}

/// A database with a handful of audit events (init, the administrator, its login, two users).
fn with_events() -> R<(tempfile::TempDir, Reopen, Actor)> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    for n in ["u1", "u2"] {
        let u = NewUser {
            name: n.into(),
            role: "leader".into(),
            division: Some("511802".into()),
            password: Some(PW.into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now())?;
    }
    let r = core.audit_verify(&admin)?;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.events, 5);
    Ok((dir, core, admin))
}

#[test]
fn triggers_keep_the_log_append_only() -> R {
    let (_d, core, _) = with_events()?;
    assert!(core
        .connection()
        .execute("UPDATE audit_events SET action = 'x' WHERE seq = 2", [])
        .is_err());
    assert!(core
        .connection()
        .execute("DELETE FROM audit_events WHERE seq = 5", [])
        .is_err());
    assert!(audit::verify(core.connection())?.ok);
    Ok(())
}

#[test]
fn changed_row_is_the_first_bad_seq() -> R {
    let (_d, core, _) = with_events()?;
    let c = core.connection();
    c.execute_batch("DROP TRIGGER audit_no_update;")?;
    c.execute(
        "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3",
        [],
    )?;
    let r = audit::verify(c)?;
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(3), "{r:?}");
    assert!(r.problem.unwrap_or_default().contains("changed"));
    Ok(())
}

#[test]
fn deleted_middle_row_is_reported_missing() -> R {
    let (_d, core, _) = with_events()?;
    let c = core.connection();
    c.execute_batch("DROP TRIGGER audit_no_delete;")?;
    c.execute("DELETE FROM audit_events WHERE seq = 3", [])?;
    let r = audit::verify(c)?;
    assert!(!r.ok);
    let problem = r.problem.clone().unwrap_or_default();
    assert!(problem.contains("event 3 is missing"), "{r:?}");
    assert_eq!(
        r.first_bad_seq,
        Some(4),
        "reported at the first event after the gap"
    );
    Ok(())
}

#[test]
fn deleted_last_row_is_reported() -> R {
    let (_d, core, _) = with_events()?;
    let c = core.connection();
    c.execute_batch("DROP TRIGGER audit_no_delete;")?;
    c.execute("DELETE FROM audit_events WHERE seq = 5", [])?;
    let r = audit::verify(c)?;
    assert!(!r.ok, "{r:?}");
    assert_eq!(r.first_bad_seq, Some(5));
    assert!(r.problem.unwrap_or_default().contains("end of the log"));
    Ok(())
}

#[test]
fn dropped_trigger_alone_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    core.connection()
        .execute_batch("DROP TRIGGER audit_no_update;")?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok);
    assert!(r.problem.unwrap_or_default().contains("triggers"));
    Ok(())
}

// Failed logins (a growing wait, never a lock): accounts.rs.

#[test]
fn disabled_user_is_refused() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    user(
        &mut core,
        &admin,
        "u1",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    core.user_disable(&admin, "u1", now())?;
    assert_eq!(
        kind(core.login("u1", PW, now())),
        Some(ErrorKind::Forbidden)
    );
    // The last administrator cannot be disabled.
    assert_eq!(
        kind(core.user_disable(&admin, "admin", now())),
        Some(ErrorKind::Conflict)
    );
    Ok(())
}

#[test]
fn password_change_refuses_the_old_one() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let u = user(
        &mut core,
        &admin,
        "u1",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    assert!(u.must_change_password);
    // Too weak: refused, old password still works.
    assert_eq!(
        kind(core.user_password(&u, "u1", Some("short"), now())),
        Some(ErrorKind::Validation)
    );
    core.login("u1", PW, now())?;
    core.user_password(&u, "u1", Some("Brand-new-2020"), now())?;
    assert_eq!(
        kind(core.login("u1", PW, now())),
        Some(ErrorKind::Forbidden)
    );
    let again = core.login("u1", "Brand-new-2020", now())?;
    assert!(!again.must_change_password);
    Ok(())
}

#[test]
fn backup_restore_round_trip() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    user(
        &mut core,
        &admin,
        "before",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    let backup = dir.path().join("backup.db");
    core.backup(&admin, &backup, now())?;
    // A second backup never overwrites the first.
    assert_eq!(
        kind(core.backup(&admin, &backup, now())),
        Some(ErrorKind::Conflict)
    );
    user(
        &mut core,
        &admin,
        "after",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    assert!(core.user_list(&admin)?.iter().any(|u| u.name == "after"));

    let report = core.restore(&admin, &backup, hours(1))?;
    assert!(report.audit.ok);
    let names: Vec<String> = core
        .user_list(&admin)?
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert!(names.contains(&"before".to_string()));
    assert!(!names.contains(&"after".to_string()), "{names:?}");
    assert!(core.audit_verify(&admin)?.ok);
    let last = &core.audit_log(&admin, None, Some(1), None)?[0];
    assert_eq!(last.action, "restore");
    core.login("before", PW, hours(1))?;
    assert_eq!(
        kind(core.login("after", PW, hours(1))),
        Some(ErrorKind::Forbidden)
    );
    // Other connections to the same file see the restored data too.
    let other = Reopen::open(&dir.path().join("t.db"))?;
    assert!(!other.user_list(&admin)?.iter().any(|u| u.name == "after"));
    Ok(())
}

#[test]
fn restore_of_garbage_is_refused_and_changes_nothing() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    user(
        &mut core,
        &admin,
        "u1",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not a database at all, just some bytes\n".repeat(200),
    )?;
    let users = core.user_list(&admin)?.len();
    let events = audit_len(&core, &admin);
    let e = core.restore(&admin, &garbage, now()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{e:?}");
    assert_eq!(e.fields[0].field, "file");
    assert_eq!(core.user_list(&admin)?.len(), users);
    assert_eq!(audit_len(&core, &admin), events);
    assert!(core.audit_verify(&admin)?.ok);
    // An empty file and a SQLite file that is not a Reopen database are refused too.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"")?;
    assert_eq!(
        kind(core.restore(&admin, &empty, now())),
        Some(ErrorKind::Validation)
    );
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)?
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")?;
    assert_eq!(
        kind(core.restore(&admin, &foreign, now())),
        Some(ErrorKind::Validation)
    );
    assert_eq!(core.user_list(&admin)?.len(), users);
    // Missing file: not found.
    assert_eq!(
        kind(core.restore(&admin, &dir.path().join("nope.db"), now())),
        Some(ErrorKind::NotFound)
    );
    Ok(())
}

#[test]
fn restore_of_tampered_backup_is_refused() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let backup = dir.path().join("b.db");
    core.backup(&admin, &backup, now())?;
    {
        let c = rusqlite::Connection::open(&backup)?;
        c.execute_batch(
            "DROP TRIGGER audit_no_update; UPDATE audit_events SET actor_name = 'x' WHERE seq = 1;",
        )?;
    }
    let e = core.restore(&admin, &backup, now()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{e:?}");
    assert!(core.audit_verify(&admin)?.ok);
    Ok(())
}

/// Demo data never goes over a database: `create_new` refuses an existing path and leaves it as
/// it was; on a new path it leaves only the finished database.
#[test]
fn demo_create_new_refuses_an_existing_database() -> R {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("office.db");
    std::fs::write(&path, b"not ours")?;
    let e =
        reopen_core::service::demo::create_new(&path, Some(("admin", ADMIN_PW)), "small", now())
            .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(std::fs::read(&path)?, b"not ours");
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);

    let fresh = dir.path().join("demo.db");
    let (_, report) =
        reopen_core::service::demo::create_new(&fresh, Some(("admin", ADMIN_PW)), "small", now())?;
    assert!(!report.users.is_empty());
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 2);
    let core = Reopen::open(&fresh)?;
    assert!(core.is_initialised()?);
    Ok(())
}

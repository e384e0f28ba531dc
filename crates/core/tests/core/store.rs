//! The store: schema snapshot, audit tamper detection, login rules, backup and restore.

use reopen_core::audit;
use reopen_core::ErrorKind;

use super::*;

/// The schema of each engine, as it reports it, is committed: a change needs a migration.
#[test]
fn schema_snapshot() -> R {
    let dir = tempfile::tempdir()?;
    let (core, _) = open(dir.path())?;
    let schema = core.schema()?;
    let snapshot = match core.engine() {
        reopen_core::store::Engine::Sqlite => "schema.snapshot.sql",
        reopen_core::store::Engine::Postgres => "schema.postgres.snapshot.sql",
    };
    let snapshot = format!("{}/tests/core/{snapshot}", env!("CARGO_MANIFEST_DIR"));
    let snapshot = snapshot.as_str();
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(snapshot, &schema)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(snapshot)
        .map_err(|e| format!("{snapshot}: {e}; run with UPDATE_SNAPSHOTS=1 to create it"))?;
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
        .raw()
        .exec(
            "UPDATE audit_events SET action = 'x' WHERE seq = 2",
            reopen_core::args![]
        )
        .is_err());
    assert!(core
        .raw()
        .exec(
            "DELETE FROM audit_events WHERE seq = 5",
            reopen_core::args![]
        )
        .is_err());
    assert!(audit::verify(core.raw(), core.keys())?.ok);
    Ok(())
}

#[test]
fn changed_row_is_the_first_bad_seq() -> R {
    let (_d, core, _) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_update")?;
    core.raw().exec(
        "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3",
        reopen_core::args![],
    )?;
    let r = audit::verify(core.raw(), core.keys())?;
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(3), "{r:?}");
    assert!(r.problem.unwrap_or_default().contains("changed"));
    Ok(())
}

#[test]
fn deleted_middle_row_is_reported_missing() -> R {
    let (_d, core, _) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_delete")?;
    core.raw().exec(
        "DELETE FROM audit_events WHERE seq = 3",
        reopen_core::args![],
    )?;
    let r = audit::verify(core.raw(), core.keys())?;
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
    drop_trigger(&core, "audit_events", "audit_no_delete")?;
    core.raw().exec(
        "DELETE FROM audit_events WHERE seq = 5",
        reopen_core::args![],
    )?;
    let r = audit::verify(core.raw(), core.keys())?;
    assert!(!r.ok, "{r:?}");
    assert_eq!(r.first_bad_seq, Some(5));
    assert!(r.problem.unwrap_or_default().contains("end of the log"));
    Ok(())
}

#[test]
fn dropped_trigger_alone_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_update")?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok);
    assert!(r.problem.unwrap_or_default().contains("triggers"));
    Ok(())
}

#[test]
fn deleted_head_row_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    core.raw().exec(
        "DELETE FROM settings WHERE key = 'audit_head'",
        reopen_core::args![],
    )?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok, "events without a head must not verify: {r:?}");
    assert!(r.problem.unwrap_or_default().contains("head"));
    Ok(())
}

#[test]
fn deleted_head_signature_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    core.raw().exec(
        "DELETE FROM settings WHERE key = 'audit_head_sig'",
        reopen_core::args![],
    )?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok, "{r:?}");
    assert!(r.problem.unwrap_or_default().contains("not signed"));
    Ok(())
}

/// The log emptied of every event and its head: an initialised database always has events.
#[test]
fn emptied_log_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_delete")?;
    core.raw().batch(
        "DELETE FROM audit_events;
         DELETE FROM settings WHERE key IN ('audit_head', 'audit_head_sig');",
    )?;
    core.raw().batch(match core.raw().engine() {
        Engine::Sqlite => {
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events BEGIN
                 SELECT RAISE(ABORT, 'the audit log is append-only');
             END;"
        }
        Engine::Postgres => {
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
                 FOR EACH ROW EXECUTE FUNCTION reopen_refuse('the audit log is append-only');"
        }
    })?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok, "{r:?}");
    Ok(())
}

#[test]
fn trigger_with_the_same_name_and_another_body_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_update")?;
    core.raw().batch(match core.raw().engine() {
        Engine::Sqlite => {
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events BEGIN SELECT 1; END;"
        }
        Engine::Postgres => {
            "CREATE FUNCTION test_let_through() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RETURN NEW; END $$;
             CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
                 FOR EACH ROW EXECUTE FUNCTION test_let_through();"
        }
    })?;
    // The impostor lets rows change.
    core.raw().exec(
        "UPDATE audit_events SET action = action WHERE seq = 1",
        reopen_core::args![],
    )?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok, "{r:?}");
    assert!(r.problem.unwrap_or_default().contains("audit_no_update"));
    Ok(())
}

#[test]
fn trigger_text_differing_only_in_spacing_is_accepted_and_extra_trigger_is_not() -> R {
    let (_d, core, admin) = with_events()?;
    drop_trigger(&core, "audit_events", "audit_no_delete")?;
    core.raw().batch(match core.raw().engine() {
        Engine::Sqlite => {
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        }
        Engine::Postgres => {
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION reopen_refuse('the audit log is append-only');"
        }
    })?;
    assert!(core.audit_verify(&admin)?.ok);
    core.raw().batch(match core.raw().engine() {
        Engine::Sqlite => {
            "CREATE TRIGGER audit_sneak AFTER INSERT ON audit_events BEGIN SELECT 1; END;"
        }
        Engine::Postgres => {
            "CREATE FUNCTION test_sneak() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RETURN NULL; END $$;
             CREATE TRIGGER audit_sneak AFTER INSERT ON audit_events
                 FOR EACH ROW EXECUTE FUNCTION test_sneak();"
        }
    })?;
    let r = core.audit_verify(&admin)?;
    assert!(!r.ok);
    assert!(r.problem.unwrap_or_default().contains("audit_sneak"));
    Ok(())
}

/// The chain's plain SHA-256 as anyone can compute it (the length-prefixed fields).
fn plain_hash(row: &[Option<String>], prev: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut parts: Vec<&str> = row[..7]
        .iter()
        .map(|p| p.as_deref().unwrap_or(""))
        .collect();
    parts.push(row[7].as_deref().unwrap_or("\u{0}"));
    parts.push(row[8].as_deref().unwrap_or("\u{0}"));
    parts.push(prev);
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// What someone with the database file (or the database's superuser) does: rewrites `who` into
/// event `seq`, recomputes every hash after it, puts the triggers back exactly as they were and
/// writes the new head. `sign`: they also hold the audit key (an insider), and sign the new head
/// with it.
fn rewrite(core: &Reopen, seq: i64, who: &str, sign: Option<&ed25519_dalek::SigningKey>) -> R {
    let c = core.raw();
    let rows: Vec<(i64, Vec<Option<String>>)> = c.rows(
        "SELECT seq, at, actor_id, actor_name, role, action, record, before, after FROM audit_events ORDER BY seq",
        reopen_core::args![],
        |r| {
            let mut v = vec![Some(r.get::<i64>(0)?.to_string()), r.get(1)?];
            v.push(r.get::<Option<i64>>(2)?.map(|i| i.to_string()));
            for i in 3..9 {
                v.push(r.get(i)?);
            }
            Ok((r.get(0)?, v))
        },
    )?;
    // The guards out of the way: dropped (their text kept) on SQLite, disabled on PostgreSQL.
    let triggers: Vec<String> = match c.engine() {
        Engine::Sqlite => {
            let v = c.rows(
                "SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'",
                reopen_core::args![],
                |r| r.get(0),
            )?;
            c.batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")?;
            v
        }
        Engine::Postgres => {
            c.batch(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_no_update;
                 ALTER TABLE audit_events DISABLE TRIGGER audit_no_delete;",
            )?;
            vec![
                "ALTER TABLE audit_events ENABLE TRIGGER audit_no_update".into(),
                "ALTER TABLE audit_events ENABLE TRIGGER audit_no_delete".into(),
            ]
        }
    };
    let mut prev = reopen_core::audit::GENESIS.to_string();
    for (s, mut row) in rows {
        if s == seq {
            row[3] = Some(who.to_string());
            c.exec(
                "UPDATE audit_events SET actor_name = ?2 WHERE seq = ?1",
                reopen_core::args![s, who],
            )?;
        }
        let h = plain_hash(&row, &prev);
        c.exec(
            "UPDATE audit_events SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            reopen_core::args![s, prev, h],
        )?;
        prev = h;
    }
    for t in triggers {
        c.batch(&format!("{t};"))?;
    }
    c.exec(
        "UPDATE settings SET value = ?1 WHERE key = 'audit_head'",
        reopen_core::args![prev],
    )?;
    if let Some(k) = sign {
        use ed25519_dalek::Signer;
        let n: i64 = c.one("SELECT max(seq) FROM audit_events", reopen_core::args![])?;
        let kid = reopen_core::domain::certificate::key_id(&k.verifying_key());
        let sig = k.sign(reopen_core::audit::head_message(n, &prev).as_bytes());
        c.exec(
            "UPDATE settings SET value = ?1 WHERE key = 'audit_head_sig'",
            reopen_core::args![format!("{n}:{kid}:{}", hex::encode(sig.to_bytes()))],
        )?;
    }
    Ok(())
}

/// Rewriting history and recomputing the plain SHA-256 chain is not enough without the audit
/// key: the head's signature no longer matches.
#[test]
fn rewritten_log_with_recomputed_hashes_is_reported() -> R {
    let (_d, core, admin) = with_events()?;
    rewrite(&core, 3, "someone else", None)?;
    // The chain itself is consistent again...
    let r = audit::verify(core.raw(), core.keys())?;
    assert!(!r.ok, "a rewritten log verified: {r:?}");
    assert!(
        r.problem.unwrap_or_default().contains("signature"),
        "...but its head is not signed"
    );
    assert!(!core.audit_verify(&admin)?.ok);
    Ok(())
}

fn audit_key(core: &Reopen) -> R<ed25519_dalek::SigningKey> {
    let dir = core.keys().dir().ok_or("no key directory")?;
    let text = std::fs::read_to_string(dir.join("audit.key"))?;
    let bytes: [u8; 32] = hex::decode(text.trim())?
        .try_into()
        .map_err(|_| "key length")?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&bytes))
}

/// An anchor taken, events appended: the log still extends it. History up to the anchor
/// rewritten — even by someone holding the audit key — is found with the anchor.
#[test]
fn anchors_find_rewritten_history() -> R {
    let (_d, mut core, admin) = with_events()?;
    let anchor = core.audit_anchor(&admin, now())?;
    assert_eq!(anchor.seq, 5);
    assert_eq!(anchor.format, "reopen-audit-anchor");
    let text = serde_json::to_string_pretty(&anchor)?;
    user(
        &mut core,
        &admin,
        "u4",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    let r = core.audit_verify_anchor(&admin, &text)?;
    assert!(r.ok, "{r:?}");
    assert!(r.events > 5);
    // A forged anchor (another hash, same signature) is refused as not genuine.
    let mut forged = anchor.clone();
    forged.hash = "00".repeat(32);
    let r = core.audit_verify_anchor(&admin, &serde_json::to_string(&forged)?)?;
    assert!(!r.ok && r.problem.unwrap_or_default().contains("not signed"));
    // Garbage is a validation error on `anchor`.
    let e = core.audit_verify_anchor(&admin, "{}").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!(e.fields[0].field, "anchor");
    // Any one hex digit or number of the anchor changed: never accepted.
    let compact = serde_json::to_string(&anchor)?;
    for (i, c) in compact.char_indices() {
        if !c.is_ascii_hexdigit() {
            continue;
        }
        let mut edited = compact.clone();
        edited.replace_range(i..i + 1, if c == '1' { "2" } else { "1" });
        if let Ok(r) = core.audit_verify_anchor(&admin, &edited) {
            assert!(!r.ok, "edited at {i}: {edited}");
        }
    }
    // An insider with the key rewrites event 2 and signs the new head: the plain check passes...
    rewrite(&core, 2, "nobody", Some(&audit_key(&core)?))?;
    assert!(core.audit_verify(&admin)?.ok);
    // ...the anchor does not.
    let r = core.audit_verify_anchor(&admin, &text)?;
    assert!(!r.ok, "{r:?}");
    assert_eq!(r.first_bad_seq, Some(5));
    assert!(r.problem.unwrap_or_default().contains("rewritten"));
    Ok(())
}

/// A copy of the database without its key directory: the log cannot be checked, and nothing can
/// be written to it.
#[test]
fn a_copy_without_keys_cannot_verify_or_write() -> R {
    if pg_cluster().is_some() {
        return Ok(()); // about a copied SQLite file without its key directory
    }
    let (d, core, admin) = with_events()?;
    let copy = d.path().join("copy.db");
    core.raw()
        .sqlite()
        .expect("a SQLite file")
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])?;
    let mut other = Reopen::open(&copy)?;
    let r = other.audit_verify(&admin)?;
    assert!(!r.ok);
    let problem = r.problem.unwrap_or_default();
    assert!(
        problem.contains("audit key") && problem.contains("copy.db.keys"),
        "{problem}"
    );
    let e = other.user_disable(&admin, "u1", now()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.zh.contains("copy.db.keys"), "{e:?}");
    // With the key directory named explicitly, it is whole again.
    let other = Reopen::open_with_keys(&copy, &d.path().join("t.db.keys"))?;
    assert!(other.audit_verify(&admin)?.ok);
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
    if pg_cluster().is_some() {
        return Ok(()); // backup and restore are SQLite's; on PostgreSQL they point to pg_dump
    }
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
    if pg_cluster().is_some() {
        return Ok(()); // backup and restore are SQLite's; on PostgreSQL they point to pg_dump
    }
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
    if pg_cluster().is_some() {
        return Ok(()); // backup and restore are SQLite's; on PostgreSQL they point to pg_dump
    }
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
    let e = reopen_core::service::demo::create_new(
        &path,
        None,
        Some(("admin", ADMIN_PW)),
        "small",
        now(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(std::fs::read(&path)?, b"not ours");
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);

    let fresh = dir.path().join("demo.db");
    let (_, report) = reopen_core::service::demo::create_new(
        &fresh,
        None,
        Some(("admin", ADMIN_PW)),
        "small",
        now(),
    )?;
    assert!(!report.users.is_empty());
    // The database and its key directory (made under the final name, not the temporary one).
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 3);
    assert!(dir.path().join("demo.db.keys").join("signing.key").exists());
    let mut core = Reopen::open(&fresh)?;
    assert!(core.is_initialised()?);
    let admin = core.login("admin", ADMIN_PW, now())?;
    assert!(core.audit_verify(&admin)?.ok);

    // With a key directory given, the keys go there and nothing is made beside the database.
    let elsewhere = tempfile::tempdir()?;
    let keys = elsewhere.path().join("keys");
    let other = dir.path().join("other.db");
    reopen_core::service::demo::create_new(
        &other,
        Some(&keys),
        Some(("admin", ADMIN_PW)),
        "small",
        now(),
    )?;
    assert!(keys.join("signing.key").exists());
    assert!(!dir.path().join("other.db.keys").exists());
    let mut beside: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    beside.retain(|n| n.contains("other"));
    assert_eq!(
        beside,
        ["other.db"],
        "no keys, no leftovers beside the database"
    );
    let mut core = Reopen::open_with_keys(&other, &keys)?;
    let admin = core.login("admin", ADMIN_PW, now())?;
    assert!(core.audit_verify(&admin)?.ok);
    Ok(())
}

//! Accounts: failed logins slow down and never lock, every failure answers alike, successful
//! logins are audited, passwords that are guessed first are refused, and set-up is safe to repeat.

use reopen_core::domain::auth::MAX_LOGIN_DELAY_SECS;
use reopen_core::service::Mode;

use super::*;

fn actions(core: &Reopen, admin: &Actor) -> Vec<String> {
    core.audit_log(admin, None, Some(500), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn leader(core: &mut Reopen, admin: &Actor, name: &str) -> R<Actor> {
    user(core, admin, name, "leader", None, None, Some("511802"))
}

fn secs(s: i64) -> DateTime<Utc> {
    now() + Duration::seconds(s)
}

/// The same error, word for word, kind and both languages.
fn same(a: reopen_core::Error, b: reopen_core::Error) {
    assert_eq!((a.kind, &a.message), (b.kind, &b.message));
}

#[test]
fn failed_logins_slow_down_but_never_lock_the_owner_out() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    leader(&mut core, &admin, "u1")?;
    // Twenty wrong passwords, each as soon as it is heard.
    let mut t = 0;
    let mut heard = 0;
    while heard < 20 {
        match core.login("u1", "Wrong-pass1", secs(t)) {
            Err(e) if e.message.zh.contains("秒后再试") => t += 1,
            Err(e) => {
                assert_eq!(e.message.zh, "用户名或密码错误");
                heard += 1;
            }
            Ok(_) => panic!("a wrong password was accepted"),
        }
    }
    // While the wait runs, even the right password is not heard, and the answer says nothing
    // of the account: an unknown name with as many failures gets the same words.
    let waiting = core.login("u1", PW, secs(t)).unwrap_err();
    assert!(waiting.message.zh.contains("秒后再试"), "{waiting:?}");
    let listed = core
        .user_list(&admin)?
        .into_iter()
        .find(|u| u.name == "u1")
        .unwrap();
    assert!(listed.locked_until.is_some());
    // The owner is never kept out longer than the longest wait (there is no hard lock).
    let a = core.login("u1", PW, secs(t + MAX_LOGIN_DELAY_SECS))?;
    assert_eq!(a.name, "u1");
    // Success forgets the failures: the next wrong password is answered at once.
    let e = core
        .login("u1", "Wrong-pass1", secs(t + MAX_LOGIN_DELAY_SECS))
        .unwrap_err();
    assert_eq!(e.message.zh, "用户名或密码错误");
    let acts = actions(&core, &admin);
    assert!(acts.iter().any(|a| a == "user.login_failed"));
    assert!(acts.iter().any(|a| a == "user.login"), "{acts:?}");
    assert!(!acts.iter().any(|a| a == "user.locked"));
    assert!(core.audit_verify(&admin)?.ok);
    Ok(())
}

#[test]
fn every_failed_login_answers_alike() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    leader(&mut core, &admin, "u1")?;
    leader(&mut core, &admin, "u2")?;
    core.user_disable(&admin, "u2", now())?;
    // From four different sources, so that no wait comes between.
    let wrong = core
        .login_from("u1", "Wrong-pass1", "a", now())
        .unwrap_err();
    let unknown = core.login_from("nobody", PW, "b", now()).unwrap_err();
    let disabled_right = core.login_from("u2", PW, "c", now()).unwrap_err();
    let disabled_wrong = core
        .login_from("u2", "Wrong-pass1", "d", now())
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Forbidden);
    for e in [unknown, disabled_right, disabled_wrong] {
        same(wrong.clone(), e);
    }
    // Waits are counted by name whether or not it is an account: after as many failures, a
    // known and an unknown name are told the same.
    for i in 0..6 {
        let _ = core.login_from("u1", "Wrong-pass1", &format!("s{i}"), secs(i));
        let _ = core.login_from("nobody", "Wrong-pass1", &format!("t{i}"), secs(i));
    }
    let known = core.login_from("u1", PW, "x", secs(6)).unwrap_err();
    let ghost = core.login_from("nobody", PW, "y", secs(6)).unwrap_err();
    same(known, ghost);
    Ok(())
}

#[test]
fn a_guessing_source_waits_while_others_log_in() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    leader(&mut core, &admin, "u1")?;
    // One PC tries many names: it is slowed down for every name...
    for i in 0..6 {
        let _ = core.login_from(
            &format!("guess{i}"),
            "Wrong-pass1",
            "10.0.0.9",
            secs(i * 10),
        );
    }
    let e = core.login_from("u1", PW, "10.0.0.9", secs(51)).unwrap_err();
    assert!(e.message.zh.contains("秒后再试"), "{e:?}");
    // ...while the owner at another PC logs in at once.
    core.login_from("u1", PW, "10.0.0.2", secs(51))?;
    Ok(())
}

#[test]
fn the_administrator_lifts_a_wait() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    leader(&mut core, &admin, "u1")?;
    for i in 0..8 {
        let _ = core.login_from("u1", "Wrong-pass1", &format!("s{i}"), secs(i * 40));
    }
    assert!(core.login_from("u1", PW, "z", secs(281)).is_err());
    core.user_unlock(&admin, "u1", secs(281))?;
    core.login_from("u1", PW, "z", secs(281))?;
    Ok(())
}

#[test]
fn passwords_guessed_first_are_refused() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    for (name, pw) in [
        ("yc_swj", "yc_swj-2020"),
        ("yc_swj", "Yc_Swj2020!"),
        ("u9", "P@ssw0rd"),
        ("u9", "qwerty123"),
    ] {
        let u = NewUser {
            name: name.into(),
            role: "leader".into(),
            division: Some("511802".into()),
            password: Some(pw.into()),
            ..Default::default()
        };
        assert_eq!(
            fields(core.user_add(&admin, &u, now())),
            ["password"],
            "{pw}"
        );
    }
    // The administrator's own first password too.
    let dir2 = tempfile::tempdir()?;
    let mut fresh = open_empty(dir2.path())?;
    assert_eq!(
        fields(fresh.init(Some(("admin", "Admin-2020x")), now())),
        ["password"]
    );
    Ok(())
}

/// An administrator resets others' passwords; their own they change (the desktop app's 修改密码,
/// the CLI's REOPEN_NEW_PASSWORD): a reset of their own is refused on `name` and changes nothing.
#[test]
fn nobody_resets_their_own_password() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let e = core
        .user_password(&admin, &admin.name, None, now())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!(e.fields[0].field, "name");
    assert!(e.fields[0].message.zh.contains("修改密码"), "{e:?}");
    core.login(&admin.name, ADMIN_PW, now())?;
    // Another user's is reset, with a password made up and shown once.
    leader(&mut core, &admin, "u1")?;
    let made = core.user_password(&admin, "u1", None, now())?;
    assert!(
        core.login("u1", &made.expect("a made-up password"), now())?
            .must_change_password
    );
    Ok(())
}

#[test]
fn the_first_change_refuses_the_initial_password() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let u = leader(&mut core, &admin, "u1")?;
    assert!(u.must_change_password);
    let e = core.user_password(&u, "u1", Some(PW), now()).unwrap_err();
    assert_eq!(e.fields[0].field, "password");
    assert!(
        e.fields[0].message.zh.contains("不能与当前密码相同"),
        "{e:?}"
    );
    assert!(core.login("u1", PW, now())?.must_change_password);
    core.user_password(&u, "u1", Some("Brand-new-2020"), now())?;
    assert!(
        !core
            .login("u1", "Brand-new-2020", now())?
            .must_change_password
    );
    Ok(())
}

#[test]
fn set_up_again_with_the_same_administrator_is_harmless() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let before = audit_len(&core, &admin);
    let r = core.init(Some(("admin", ADMIN_PW)), now())?;
    assert!(!r.created);
    assert_eq!(audit_len(&core, &admin), before);
    // Another name is still a conflict: the first administrator is named once.
    assert_eq!(
        kind(core.init(Some(("root2", ADMIN_PW)), now())),
        Some(ErrorKind::Conflict)
    );
    Ok(())
}

#[test]
fn a_firm_mode_database_never_gets_an_administrator() -> R {
    let dir = tempfile::tempdir()?;
    let mut core = Reopen::open(&dir.path().join("firm.db"))?;
    let code = demo_credit_code("511802", 77);
    core.init_firm_mode(
        &firm_json(&code, "雨城某企业有限公司", "52", 5),
        "firm1",
        PW,
        now(),
    )?;
    assert_eq!(core.mode()?, Mode::Firm);
    assert_eq!(
        kind(core.init(Some(("admin", ADMIN_PW)), now())),
        Some(ErrorKind::Forbidden)
    );
    assert!(core.login("admin", ADMIN_PW, now()).is_err());
    Ok(())
}

#[test]
fn a_failed_backup_leaves_no_file_and_no_record() -> R {
    if pg_cluster().is_some() {
        return Ok(()); // backups are SQLite files; on PostgreSQL the command points to pg_dump
    }
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let before = audit_len(&core, &admin);
    let dest = dir.path().join("no-such-folder").join("backup.db");
    assert!(core.backup(&admin, &dest, now()).is_err());
    assert!(!dest.exists());
    assert_eq!(
        audit_len(&core, &admin),
        before,
        "a backup that failed was audited"
    );
    // A good one: the file is complete, and then recorded.
    let dest = dir.path().join("backup.db");
    core.backup(&admin, &dest, now())?;
    assert_eq!(audit_len(&core, &admin), before + 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
        .collect();
    assert!(leftovers.is_empty());
    let copy = Reopen::open(&dest)?;
    assert!(copy.is_initialised()?);
    Ok(())
}

/// A role (or state) the code does not know, read from a tampered database, is an error — it was
/// once read as a firm user.
#[test]
fn an_unknown_role_in_the_database_is_an_error_not_a_firm() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    leader(&mut core, &admin, "u1")?;
    // Past the CHECK on the role, as someone holding the file or the database's superuser can.
    let db = core.raw();
    match db.engine() {
        Engine::Sqlite => {
            db.batch("PRAGMA ignore_check_constraints = ON;")?;
            db.exec(
                "UPDATE users SET role = 'root' WHERE name = 'u1'",
                reopen_core::args![],
            )?;
            db.batch("PRAGMA ignore_check_constraints = OFF;")?;
        }
        Engine::Postgres => {
            db.batch("ALTER TABLE users DROP CONSTRAINT users_role_check")?;
            db.exec(
                "UPDATE users SET role = 'root' WHERE name = 'u1'",
                reopen_core::args![],
            )?;
        }
    }
    let e = core.user_list(&admin).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
    let e = core.login("u1", PW, secs(1)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
    Ok(())
}

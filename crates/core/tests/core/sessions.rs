//! A logged-in session ends when the user is disabled, when the password is changed, after 30
//! minutes idle and after 12 hours, whatever the screen still shows.

use reopen_core::service::SessionEnd;

use super::*;

#[test]
fn sessions_end_on_disable_password_change_idle_and_age() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let t0 = now();
    let check = |core: &Reopen, last: i64, at: i64| {
        core.session_check(
            &swj,
            t0,
            t0 + Duration::minutes(last),
            t0 + Duration::minutes(at),
        )
        .unwrap()
    };
    // Active every 20 minutes: fine for 12 hours, then over.
    assert_eq!(check(&core, 0, 0).unwrap().name, "swj");
    assert!(check(&core, 700, 719).is_ok());
    assert_eq!(check(&core, 715, 721).unwrap_err(), SessionEnd::Expired);
    // Idle: 30 minutes is still fine, a second more is not.
    assert!(check(&core, 10, 40).is_ok());
    assert_eq!(check(&core, 10, 41).unwrap_err(), SessionEnd::Idle);
    // The administrator resets the password: the session that began before ends.
    core.user_password(
        &admin,
        "swj",
        Some("Another-Passw0rd"),
        t0 + Duration::minutes(5),
    )?;
    assert_eq!(check(&core, 5, 6).unwrap_err(), SessionEnd::PasswordChanged);
    // A session begun after the change goes on.
    let later = t0 + Duration::minutes(6);
    assert!(core.session_check(&swj, later, later, later)?.is_ok());
    // Disabled: over at once; and no new login.
    core.user_disable(&admin, "swj", later)?;
    assert_eq!(
        core.session_check(&swj, later, later, later)?.unwrap_err(),
        SessionEnd::Disabled
    );
    assert_eq!(
        kind(core.login("swj", "Another-Passw0rd", later)),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

/// Two accounts must not look the same: invisible characters are refused in user names.
#[test]
fn user_names_with_invisible_characters_are_refused() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    for name in [
        "雨城\u{200B}商行",
        "\u{FEFF}leader",
        "ya\u{2060}leader",
        "a\u{00AD}b",
    ] {
        let u = NewUser {
            name: name.into(),
            role: "leader".into(),
            division: Some("511802".into()),
            password: Some(PW.into()),
            ..Default::default()
        };
        assert_eq!(
            fields(core.user_add(&admin, &u, now())),
            ["name"],
            "{name:?}"
        );
    }
    assert_eq!(core.user_list(&admin)?.len(), 1, "only the administrator");
    Ok(())
}

/// A server's sessions live in the database: a token opens the same session from another
/// connection (another server behind the same address); only the token's SHA-256 is stored; the
/// session ends by logout, idling, age, a password change or disabling, and an ended or forged
/// token is refused.
#[test]
fn server_sessions_are_shared_through_the_database_and_end_by_the_same_rules() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let t0 = now();
    let min = |m: i64| t0 + Duration::minutes(m);

    let s = core.session_open("swj", PW, "10.0.0.7", t0)?;
    assert_eq!(s.actor.name, "swj");
    assert!(s.token.len() >= 43, "{}", s.token);
    // Another connection (another server) knows the session.
    let mut other = open_again(dir.path())?;
    assert_eq!(
        other.session_resume(&s.token, min(10))?.unwrap().name,
        "swj"
    );
    // The token itself is nowhere in the database.
    let stored: Vec<String> = core.raw().rows(
        "SELECT token_hash FROM sessions",
        reopen_core::args![],
        |r| r.get(0),
    )?;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], s.token);
    assert!(!stored[0].contains(&s.token));
    // Activity moves the idle clock on: 25 minutes after the last call is fine.
    assert!(core.session_resume(&s.token, min(35))?.is_ok());
    // Within a minute of the last recorded activity a request writes nothing.
    let last_seen = |core: &Reopen| -> Result<Vec<String>, reopen_core::Error> {
        core.raw().rows(
            "SELECT CAST(last_seen_at AS TEXT) FROM sessions",
            reopen_core::args![],
            |r| r.get(0),
        )
    };
    let recorded = last_seen(&core)?;
    assert!(core
        .session_resume(&s.token, min(35) + Duration::seconds(50))?
        .is_ok());
    assert_eq!(last_seen(&core)?, recorded);
    // A forged token, and a token of another length, are unknown.
    assert_eq!(
        core.session_resume("forged-token", min(36))?.unwrap_err(),
        SessionEnd::Unknown
    );
    // Idle over 30 minutes: ended and forgotten.
    assert_eq!(
        core.session_resume(&s.token, min(66))?.unwrap_err(),
        SessionEnd::Idle
    );
    assert_eq!(
        core.session_resume(&s.token, min(67))?.unwrap_err(),
        SessionEnd::Unknown
    );

    // Logout ends it at once, audited; logging out twice is no error.
    let s = core.session_open("swj", PW, "10.0.0.7", min(70))?;
    assert!(other.session_close(&s.token, min(71))?);
    assert!(!core.session_close(&s.token, min(71))?);
    assert_eq!(
        core.session_resume(&s.token, min(72))?.unwrap_err(),
        SessionEnd::Unknown
    );
    let log = core.audit_log(&admin, Some("user:2"), Some(50), None)?;
    assert!(log.iter().any(|e| e.action == "user.logout"), "{log:?}");

    // A password change or disabling ends the sessions begun before.
    let s = core.session_open("swj", PW, "10.0.0.7", min(80))?;
    core.user_password(&admin, "swj", Some("Another-Passw0rd"), min(81))?;
    assert_eq!(
        core.session_resume(&s.token, min(82))?.unwrap_err(),
        SessionEnd::PasswordChanged
    );
    let s = core.session_open("swj", "Another-Passw0rd", "10.0.0.7", min(83))?;
    core.user_disable(&admin, "swj", min(84))?;
    assert_eq!(
        core.session_resume(&s.token, min(85))?.unwrap_err(),
        SessionEnd::Disabled
    );

    // No session outlives a working day, however busy.
    let s = core.session_open("admin", ADMIN_PW, "10.0.0.8", min(90))?;
    for m in (20..=700).step_by(20) {
        assert!(core.session_resume(&s.token, min(90 + m))?.is_ok(), "{m}");
    }
    assert_eq!(
        core.session_resume(
            &s.token,
            min(90) + Duration::hours(12) + Duration::minutes(1)
        )?
        .unwrap_err(),
        SessionEnd::Expired
    );
    // A wrong password opens nothing.
    assert_eq!(
        kind(core.session_open("admin", "wrong", "10.0.0.8", min(900))),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

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

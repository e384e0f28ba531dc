//! Retention: personal data of closed cases is purged after N days, audited, and nothing else.

use super::*;

#[test]
fn closed_cases_lose_their_personal_data_after_the_retention_period() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let zhb = reviewer(&mut core, &admin, "zhb", "511802-ZHB")?;
    // A: withdrawn after submission. B: approved and reopened (not closed). C: rejected.
    let a_code = register(&mut core, &clerk, 1, "雨城甲商贸有限公司")?;
    let b_code = register(&mut core, &clerk, 2, "雨城乙商贸有限公司")?;
    let c_code = register(&mut core, &clerk, 3, "雨城丙商贸有限公司")?;
    let a = submitted(&mut core, &clerk, &a_code, "general", 5, 1, 0)?;
    core.app_withdraw(&clerk, a, now())?;
    let b = submitted(&mut core, &clerk, &b_code, "general", 5, 1, 0)?;
    core.review_decide(&swj, b, &decision("approve", Some(5)), now())?;
    core.review_decide(&zhb, b, &decision("approve", None), now())?;
    let c = submitted(&mut core, &clerk, &c_code, "general", 4, 1, 0)?;
    core.review_decide(&swj, c, &decision("reject", None), now())?;
    let schema = core.schema()?;
    let rows = |core: &Reopen, id: i64| -> i64 {
        core.raw()
            .one(
                "SELECT count(*) FROM roster_entries WHERE application_id = ?1",
                reopen_core::args![id],
            )
            .unwrap()
    };
    // Not yet: 29 days on, a 30-day period purges nothing.
    let r = core.retention_purge(&admin, 30, false, now() + Duration::days(29))?;
    assert!(r.applications.is_empty());
    // Only the administrator; 0 days is refused.
    assert_eq!(
        kind(core.retention_purge(&clerk, 30, false, now())),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        fields(core.retention_purge(&admin, 0, false, now())),
        ["older_than"]
    );
    // A dry run tells and changes nothing.
    let later = now() + Duration::days(31);
    let dry = core.retention_purge(&admin, 30, true, later)?;
    assert_eq!(dry.applications, [a, c]);
    assert_eq!(dry.roster_rows, 9);
    assert_eq!(rows(&core, a), 5);
    let done = core.retention_purge(&admin, 30, false, later)?;
    assert_eq!(done.applications, [a, c]);
    assert_eq!((done.roster_rows, done.submissions), (9, 2));
    assert_eq!((rows(&core, a), rows(&core, c), rows(&core, b)), (0, 0, 5));
    let frozen: String = core.raw().one(
        "SELECT roster FROM submissions WHERE application_id = ?1",
        reopen_core::args![a],
    )?;
    assert_eq!(frozen, "[]");
    // The plan stays; a second purge finds nothing; the guards are back exactly as they were.
    assert!(!core
        .app_show(&admin, a, later)?
        .plan
        .emergency_plan
        .is_empty());
    assert!(core
        .retention_purge(&admin, 30, false, later)?
        .applications
        .is_empty());
    assert_eq!(core.schema()?, schema);
    assert!(core
        .raw()
        .exec("UPDATE submissions SET roster = '[]'", reopen_core::args![])
        .is_err());
    let log = core.audit_log(&admin, Some("database"), None, None)?;
    assert!(log.iter().any(|e| e.action == "retention.purge"));
    assert!(reopen_core::audit::verify(core.raw(), core.keys())?.ok);
    Ok(())
}

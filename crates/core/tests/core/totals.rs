//! The pagers' totals (共 N 条): the count of a list is the number of rows its pages show, with
//! the same filter and the same scope; the audit log's page counts what its filter keeps.

use super::*;
use reopen_core::service::{AppFilter, AuditFilter};

fn filter(state: Option<&str>, limit: u32, offset: u32) -> AppFilter {
    AppFilter {
        state: state.map(Into::into),
        division: None,
        department: None,
        firm: None,
        limit: Some(limit),
        offset: Some(offset),
    }
}

#[test]
fn list_totals_match_their_pages_in_each_scope() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let other = super::clerk(&mut core, &admin, "clerk2", "511803")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let zhb = reviewer(&mut core, &admin, "zhb", "511802-ZHB")?;
    for n in 1..=5 {
        let code = register(&mut core, &clerk, n, &format!("雨城合计商贸{n}有限公司"))?;
        let id = submitted(&mut core, &clerk, &code, "daily_necessities", 5, 1, 0)?;
        if n <= 2 {
            core.review_decide(&swj, id, &decision("approve", Some(5)), now())?;
            core.review_decide(&zhb, id, &decision("approve", None), now())?;
            core.cert_issue(&clerk, id, now())?;
        }
    }
    for state in [None, Some("in_review"), Some("certified"), Some("draft")] {
        let pages: usize = (0..3)
            .map(|p| {
                core.app_list(&clerk, &filter(state, 2, p * 2))
                    .unwrap()
                    .len()
            })
            .sum();
        assert_eq!(
            core.app_count(&clerk, &filter(state, 2, 0))?,
            pages as i64,
            "{state:?}"
        );
    }
    assert_eq!(core.app_count(&clerk, &filter(None, 1, 0))?, 5);
    assert_eq!(core.app_count(&other, &filter(None, 50, 0))?, 0);
    assert_eq!(
        fields(core.app_count(&clerk, &filter(Some("nonsense"), 1, 0))),
        ["state"]
    );
    // Firms: the same search and county as the list, in the actor's county only.
    for search in [
        None,
        Some("合计商贸"),
        Some("合计商贸3"),
        Some("91511802"),
        Some("\u{0}"),
    ] {
        let listed = core.firm_list(&clerk, None, search, Some(500), None)?.len();
        assert_eq!(
            core.firm_count(&clerk, None, search)?,
            listed as i64,
            "{search:?}"
        );
    }
    assert_eq!(core.firm_count(&clerk, None, Some("合计商贸"))?, 5);
    assert_eq!(core.firm_count(&other, None, None)?, 0);
    assert_eq!(
        kind(core.firm_count(&clerk, Some("511803"), None)),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(core.cert_count(&clerk, None, false)?, 2);
    assert_eq!(core.cert_count(&clerk, Some("issued"), true)?, 2);
    assert_eq!(core.cert_count(&clerk, Some("revoked"), false)?, 0);
    assert_eq!(core.cert_count(&other, None, false)?, 0);
    assert_eq!(
        kind(core.cert_count(&swj, None, false)),
        Some(ErrorKind::Forbidden)
    );

    // The audit log: the total is what the filter keeps, not the page.
    let all = core.audit_page(
        &admin,
        &AuditFilter {
            limit: Some(3),
            ..AuditFilter::default()
        },
    )?;
    assert_eq!(all.rows.len(), 3);
    assert_eq!(all.total as usize, audit_len(&core, &admin));
    assert!(all.users.contains(&"clerk".to_string()));
    let by_clerk = core.audit_page(
        &admin,
        &AuditFilter {
            user: Some("clerk".into()),
            from: Some(today()),
            to: Some(today()),
            ..AuditFilter::default()
        },
    )?;
    assert!(by_clerk.total > 0 && by_clerk.rows.iter().all(|r| r.event.actor_name == "clerk"));
    assert!(by_clerk
        .rows
        .iter()
        .any(|r| r.action_zh == "签发批准通知书"));
    assert!(by_clerk.rows.iter().all(|r| r.role_zh == "窗口工作人员"));
    let yesterday = today().pred_opt().unwrap();
    let none = core.audit_page(
        &admin,
        &AuditFilter {
            from: Some(yesterday),
            to: Some(yesterday),
            ..AuditFilter::default()
        },
    )?;
    assert_eq!((none.total, none.rows.len()), (0, 0));
    let backwards = core.audit_page(
        &admin,
        &AuditFilter {
            from: Some(today()),
            to: Some(yesterday),
            ..AuditFilter::default()
        },
    );
    assert_eq!(fields(backwards), ["to"]);
    assert_eq!(
        kind(core.audit_page(&clerk, &AuditFilter::default())),
        Some(ErrorKind::Forbidden)
    );
    // The export holds every event the filter keeps.
    let xlsx = core.audit_xlsx(
        &admin,
        &AuditFilter {
            user: Some("clerk".into()),
            ..AuditFilter::default()
        },
    )?;
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(
        kind(core.audit_xlsx(&clerk, &AuditFilter::default())),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

/// The firm's daily-report history: the total is every report it filed, over all pages; only
/// those who may see the firm may count them.
#[test]
fn daily_report_totals_match_their_pages() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let report = reopen_core::service::demo::generate(&mut core, "small", now())?;
    let firm9 = report
        .users
        .iter()
        .find(|u| u.name == "firm9")
        .expect("the demo's reopened firm");
    let firm = core.login("firm9", &firm9.password, now())?;
    let code = core.firm_list(&admin, None, Some("鑫源"), None, None)?[0]
        .credit_code
        .clone();
    let pages: usize = (0..5)
        .map(|p| {
            core.daily_list(&firm, &code, Some(2), Some(p * 2))
                .unwrap()
                .len()
        })
        .sum();
    let n = core.daily_count(&firm, &code)?;
    assert!(n > 2, "the demo firm reported on several days: {n}");
    assert_eq!(n, pages as i64);
    assert_eq!(core.daily_count(&admin, &code)?, n);
    let other = user(
        &mut core,
        &admin,
        "other_clerk",
        "clerk",
        None,
        None,
        Some("511803"),
    )?;
    assert_eq!(
        kind(core.daily_count(&other, &code)),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

//! The leader's dashboard over the small demo data.

use super::*;
use reopen_core::service::demo::generate;

#[test]
fn dashboard_counts_every_application_once_and_respects_scope() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    generate(&mut core, "small", now())?;
    let leader = user(
        &mut core,
        &admin,
        "leader",
        "leader",
        None,
        None,
        Some("511800"),
    )?;
    let d = core.dashboard(&leader, None, None, now())?;
    let total: i64 = d.by_state.iter().map(|c| c.count).sum();
    assert_eq!(total, 9, "eight of today and one that reopened a week ago");
    assert_eq!(d.by_division.iter().map(|c| c.count).sum::<i64>(), total);
    assert_eq!(d.by_category.iter().map(|c| c.count).sum::<i64>(), total);
    assert_eq!(d.by_section.iter().map(|c| c.count).sum::<i64>(), total);
    assert!(d
        .by_state
        .iter()
        .any(|c| c.key == "approved" && c.label == "已批准" && c.count == 1));
    assert!(d.by_category.iter().any(|c| c.label == "群众生活必需"));
    assert_eq!(d.trend.len(), 14);
    let today = d
        .trend
        .last()
        .map(|p| (p.submitted, p.returned, p.rejected))
        .unwrap_or_default();
    assert_eq!(
        today,
        (5, 1, 1),
        "submitted today (one more 30 hours ago), one return, one rejection"
    );
    // The application filed 30 hours ago is overdue.
    assert_eq!(d.overdue.len(), 1);
    assert_eq!(d.approved_headcount, 12 + 10);
    // Another county's leader sees nothing of 雨城区; a firm may not read statistics.
    let county = user(
        &mut core,
        &admin,
        "leader2",
        "leader",
        None,
        None,
        Some("511803"),
    )?;
    assert_eq!(
        core.dashboard(&county, None, None, now())?.by_state.len(),
        0
    );
    let code = demo_credit_code("511802", 100);
    let firm = user(&mut core, &admin, "firm_x", "firm", None, Some(&code), None)?;
    assert_eq!(
        kind(core.dashboard(&firm, None, None, now())),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

//! Daily reports after reopening: lateness across midnight and the deadline in Asia/Shanghai,
//! flags at the top of the department's queue, compliance per day, and bad reports refused.

use super::*;
use reopen_core::domain::daily::{DailyFlag, DayStatus};
use reopen_core::service::StatusFilter;

struct Town {
    _dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    firm: Actor,
    code: String,
    swj: Actor,
    zhb: Actor,
    other_swj: Actor,
    leader: Actor,
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

fn report(date: &str, staff: u32, fever: u32) -> Value {
    json!({"date": date, "staff_on_site": staff, "fever": fever, "under_observation": 1,
        "masks_remaining": 300, "notes": "两次测温,无异常"})
}

/// One retail firm of 雨城区, approved with headcount 5 on 2020-02-05, planned date 2020-02-08.
fn town() -> R<Town> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let zhb = reviewer(&mut core, &admin, "zhb", "511802-ZHB")?;
    let other_swj = reviewer(&mut core, &admin, "swj2", "511803-SWJ")?;
    let leader = user(
        &mut core,
        &admin,
        "leader",
        "leader",
        None,
        None,
        Some("511800"),
    )?;
    let code = register(&mut core, &clerk, 1, "雨城测试商贸有限公司")?;
    let firm = user(&mut core, &admin, "firm1", "firm", None, Some(&code), None)?;
    let id = submitted(&mut core, &firm, &code, "daily_necessities", 5, 1, 0)?;
    core.review_decide(&swj, id, &decision("approve", Some(5)), now())?;
    core.review_decide(&zhb, id, &decision("approve", None), now())?;
    Ok(Town {
        _dir: dir,
        core,
        admin,
        firm,
        code,
        swj,
        zhb,
        other_swj,
        leader,
    })
}

fn reports(core: &Reopen) -> i64 {
    count_rows(core, "daily_reports")
}

#[test]
fn lateness_turns_at_ten_oclock_beijing_time_the_next_day() -> R {
    let mut t = town()?;
    let (f, code) = (t.firm.clone(), t.code.clone());
    // Filed at 23:59 on the day itself (15:59 UTC): on time.
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-08", 5, 0),
        at("2020-02-08T23:59:00+08:00"),
    )?;
    assert_eq!(r.status, DayStatus::OnTime);
    assert!(r.flags.is_empty());
    // Filed just after local midnight, which is still the 9th in UTC: on time.
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-09", 5, 0),
        at("2020-02-10T00:30:00+08:00"),
    )?;
    assert_eq!(r.status, DayStatus::OnTime);
    // 10:00:00 sharp is on time, a second later is late.
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-10", 5, 0),
        at("2020-02-11T10:00:00+08:00"),
    )?;
    assert_eq!(r.status, DayStatus::OnTime);
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-11", 5, 0),
        at("2020-02-12T02:00:01Z"),
    )?;
    assert_eq!(r.status, DayStatus::Late);
    // The day's standing for the department as time passes.
    let status = |t: &Town, d: u32, now: &str| -> R<DayStatus> {
        let s = t.core.daily_status(
            &t.swj,
            &StatusFilter {
                date: Some(day(d)),
                ..Default::default()
            },
            at(now),
        )?;
        assert_eq!(s.total, 1);
        Ok(s.rows[0].status)
    };
    assert_eq!(
        status(&t, 12, "2020-02-12T22:00:00+08:00")?,
        DayStatus::Pending
    );
    assert_eq!(
        status(&t, 12, "2020-02-13T10:00:00+08:00")?,
        DayStatus::Pending
    );
    assert_eq!(
        status(&t, 12, "2020-02-13T10:00:01+08:00")?,
        DayStatus::Overdue
    );
    assert_eq!(
        status(&t, 12, "2020-02-15T23:59:59+08:00")?,
        DayStatus::Overdue
    );
    assert_eq!(
        status(&t, 12, "2020-02-16T00:00:00+08:00")?,
        DayStatus::Missing
    );
    assert_eq!(
        status(&t, 11, "2020-02-16T00:00:00+08:00")?,
        DayStatus::Late
    );
    // Filed after it went missing: late (补报), and no longer missing.
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-12", 4, 0),
        at("2020-02-16T09:00:00+08:00"),
    )?;
    assert_eq!(r.status, DayStatus::Late);
    // Per-day compliance for the department.
    let days = t
        .core
        .daily_compliance(&t.swj, day(7), day(13), at("2020-02-16T09:00:00+08:00"))?;
    let row = |d: u32| {
        days.iter()
            .find(|x| x.date == day(d))
            .unwrap()
            .counts
            .clone()
    };
    assert_eq!(
        row(7).expected,
        0,
        "before the reopening date nothing is due"
    );
    assert_eq!((row(8).expected, row(8).on_time), (1, 1));
    assert_eq!((row(11).late, row(12).late), (1, 1));
    assert_eq!((row(13).overdue, row(13).missing), (1, 0));
    // A firm never reported for yet is not expected before it reopens; another county's
    // department sees none of this firm.
    let s = t.core.daily_status(
        &t.other_swj,
        &StatusFilter {
            date: Some(day(9)),
            ..Default::default()
        },
        at("2020-02-16T09:00:00+08:00"),
    )?;
    assert_eq!(s.total, 0);
    assert!(reopen_core::audit::verify(t.core.raw(), t.core.keys())?.ok);
    Ok(())
}

#[test]
fn flags_reach_the_firms_department_which_follows_them_up() -> R {
    let mut t = town()?;
    let (f, code) = (t.firm.clone(), t.code.clone());
    let r = t.core.daily_file(
        &f,
        &code,
        &report("2020-02-08", 6, 1),
        at("2020-02-08T18:00:00+08:00"),
    )?;
    assert_eq!(r.flags, [DailyFlag::OverHeadcount, DailyFlag::Fever]);
    assert_eq!(r.approved_headcount, Some(5));
    for who in [&t.swj, &t.zhb, &t.leader] {
        let flags = t.core.daily_flags(who)?;
        assert_eq!(flags.len(), 1, "{}", who.name);
        assert_eq!(flags[0].id, r.id);
    }
    assert!(t.core.daily_flags(&t.other_swj)?.is_empty());
    // Flagged firms come first in the day's list.
    let s = t.core.daily_status(
        &t.swj,
        &StatusFilter {
            date: Some(day(8)),
            ..Default::default()
        },
        at("2020-02-09T09:00:00+08:00"),
    )?;
    assert_eq!(s.rows[0].flags.len(), 2);
    // Another county's department may not follow it up; the note is required.
    assert_eq!(
        kind(
            t.core
                .daily_flag_handle(&t.other_swj, r.id, "已核实", now())
        ),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        fields(t.core.daily_flag_handle(&t.swj, r.id, "  ", now())),
        ["note"]
    );
    assert_eq!(
        kind(t.core.daily_flag_handle(&t.leader, r.id, "已核实", now())),
        Some(ErrorKind::Forbidden)
    );
    let h = t.core.daily_flag_handle(
        &t.swj,
        r.id,
        "已电话核实,发热员工已居家隔离",
        at("2020-02-09T09:00:00+08:00"),
    )?;
    assert!(h.flag_handled_at.is_some());
    assert!(t.core.daily_flags(&t.swj)?.is_empty());
    assert_eq!(
        kind(t.core.daily_flag_handle(&t.swj, r.id, "再次", now())),
        Some(ErrorKind::Conflict)
    );
    // The report itself can never be changed, even by SQL.
    assert!(t
        .core
        .raw()
        .exec("UPDATE daily_reports SET fever = 0", reopen_core::args![])
        .is_err());
    assert!(t
        .core
        .raw()
        .exec("DELETE FROM daily_reports", reopen_core::args![])
        .is_err());
    Ok(())
}

#[test]
fn bad_or_unauthorised_reports_are_refused_and_store_nothing() -> R {
    let mut t = town()?;
    let (f, code) = (t.firm.clone(), t.code.clone());
    let when = at("2020-02-10T09:00:00+08:00");
    // Every bad field at once.
    let bad = json!({"date": "2020/02/09", "staff_on_site": -1, "fever": "0", "masks_remaining": 1.5, "x": 1});
    assert_eq!(
        fields(t.core.daily_file(&f, &code, &bad, when)),
        [
            "x",
            "date",
            "staff_on_site",
            "fever",
            "under_observation",
            "masks_remaining"
        ]
    );
    // Before reopening, and in the future.
    assert_eq!(
        fields(
            t.core
                .daily_file(&f, &code, &report("2020-02-07", 5, 0), when)
        ),
        ["date"]
    );
    assert_eq!(
        fields(
            t.core
                .daily_file(&f, &code, &report("2020-02-11", 5, 0), when)
        ),
        ["date"]
    );
    // Twice for one day: the first stands.
    t.core
        .daily_file(&f, &code, &report("2020-02-09", 5, 0), when)?;
    assert_eq!(
        kind(
            t.core
                .daily_file(&f, &code, &report("2020-02-09", 1, 0), when)
        ),
        Some(ErrorKind::Conflict)
    );
    // Other firms, leaders, reviewers and the administrator may not file; a firm without an
    // approved application has nothing to report.
    let clerk = t.core.login("clerk", PW, now())?;
    let other = register(&mut t.core, &clerk, 2, "雨城另一家商贸有限公司")?;
    let other_firm = user(
        &mut t.core,
        &t.admin.clone(),
        "firm2",
        "firm",
        None,
        Some(&other),
        None,
    )?;
    assert_eq!(
        kind(
            t.core
                .daily_file(&other_firm, &code, &report("2020-02-10", 5, 0), when)
        ),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        kind(
            t.core
                .daily_file(&other_firm, &other, &report("2020-02-10", 5, 0), when)
        ),
        Some(ErrorKind::Conflict)
    );
    for who in [&t.leader, &t.swj, &t.admin] {
        assert_eq!(
            kind(
                t.core
                    .daily_file(who, &code, &report("2020-02-10", 5, 0), when)
            ),
            Some(ErrorKind::Forbidden)
        );
    }
    assert_eq!(
        kind(t.core.daily_status(&f, &StatusFilter::default(), when)),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(reports(&t.core), 1);
    // The counter clerk files for a walk-in firm.
    let r = t
        .core
        .daily_file(&clerk, &code, &report("2020-02-10", 5, 0), when)?;
    assert_eq!(r.filed_by, "clerk");
    assert_eq!(t.core.daily_list(&f, &code, None, None)?.len(), 2);
    Ok(())
}

/// An approval revoked later does not rewrite the past: the firm was expected to report on the
/// days before the local day of the revocation, and the dashboard still counts the approval on
/// the day it was given. From the revocation on, nothing is expected of it.
#[test]
fn a_later_revocation_keeps_past_days_as_they_were() -> R {
    let mut t = town()?;
    let clerk = clerk(&mut t.core, &t.admin, "clerk2", "511802")?;
    let app_id: i64 = t.core.raw().one(
        "SELECT id FROM applications ORDER BY id LIMIT 1",
        reopen_core::args![],
    )?;
    let when = at("2020-02-16T09:00:00+08:00");
    let expected = |core: &Reopen| -> R<Vec<u32>> {
        Ok(core
            .daily_compliance(&t.swj, day(8), day(12), when)?
            .iter()
            .map(|d| d.counts.expected)
            .collect())
    };
    assert_eq!(expected(&t.core)?, [1, 1, 1, 1, 1]);
    let approved_on_day_5 = |core: &Reopen| -> R<i64> {
        let d = core.dashboard(&t.leader, Some(day(5)), Some(day(5)), when)?;
        Ok(d.trend.iter().map(|p| p.approved).sum())
    };
    assert_eq!(approved_on_day_5(&t.core)?, 1);

    let cert = t
        .core
        .cert_issue(&clerk, app_id, at("2020-02-06T09:00:00+08:00"))?;
    t.core.cert_revoke(
        &clerk,
        &cert.number,
        "复查发现未落实测温",
        at("2020-02-10T15:00:00+08:00"),
    )?;
    // Days 8 and 9 stay expected; the 10th (revoked that afternoon) and later are not.
    assert_eq!(expected(&t.core)?, [1, 1, 0, 0, 0]);
    assert_eq!(approved_on_day_5(&t.core)?, 1);
    Ok(())
}

//! The small demo: a realistic Ya'an made through the real use cases.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{demo_credit_code, demo_plan, demo_roster_csv, first_admin, login_as};
use super::{DemoReport, DemoUser};
use crate::domain::auth::Actor;
use crate::error::Result;
use crate::service::{local_date, Decision, NewUser, Reopen};
use crate::store::bulk as store;

pub(super) fn small(core: &mut Reopen, now: DateTime<Utc>) -> Result<DemoReport> {
    let admin = first_admin(core)?;
    let mut report = DemoReport::default();
    let mut add = |core: &mut Reopen,
                   name: &str,
                   role: &str,
                   dep: Option<&str>,
                   div: Option<&str>,
                   note: &str|
     -> Result<()> {
        let u = NewUser {
            name: name.into(),
            role: role.into(),
            department: dep.map(Into::into),
            firm: None,
            division: div.map(Into::into),
            password: None,
        };
        let created = core.user_add(&admin, &u, now)?;
        store::keep_password(core.db(), created.id)?;
        report.users.push(DemoUser {
            name: name.into(),
            role: role.into(),
            password: created.initial_password.unwrap_or_default(),
            note: note.into(),
        });
        Ok(())
    };
    add(
        core,
        "yc_swj",
        "reviewer",
        Some("511802-SWJ"),
        None,
        "雨城区商务局审核员",
    )?;
    add(
        core,
        "yc_jxj",
        "reviewer",
        Some("511802-JXJ"),
        None,
        "雨城区经济和信息化局审核员",
    )?;
    add(
        core,
        "yc_fgw",
        "reviewer",
        Some("511802-FGW"),
        None,
        "雨城区发展和改革委员会审核员",
    )?;
    add(
        core,
        "yc_zhb",
        "reviewer",
        Some("511802-ZHB"),
        None,
        "雨城区领导小组办公室（会签）",
    )?;
    add(
        core,
        "yc_clerk",
        "clerk",
        None,
        Some("511802"),
        "雨城区政务服务窗口",
    )?;
    add(
        core,
        "ya_leader",
        "leader",
        None,
        Some("511800"),
        "市领导小组",
    )?;
    let firms = [
        (
            "雅安市惠民超市有限公司",
            "52",
            "daily_necessities",
            "张建国",
            12u32,
            2u32,
            0u32,
        ),
        (
            "雅安雨城康泰药房有限公司",
            "52",
            "epidemic_prevention",
            "李秀英",
            8,
            1,
            0,
        ),
        (
            "雅安市蒙顶食品有限公司",
            "14",
            "production",
            "王志强",
            20,
            6,
            1,
        ),
        ("雅安雨城茶业有限公司", "15", "production", "陈明", 10, 2, 0),
        ("雅安市雨城区便民餐饮店", "62", "general", "刘芳", 6, 1, 0),
        (
            "雅安雨城精工机械有限公司",
            "34",
            "production",
            "杨伟",
            15,
            3,
            1,
        ),
        (
            "雅安市青衣江物流有限公司",
            "54",
            "city_operation",
            "赵磊",
            9,
            2,
            0,
        ),
        ("雅安雨城综合建材商行", "51", "general", "黄军", 5, 0, 0),
    ];
    let clerk = login_as(core, "yc_clerk")?;
    let today = local_date(now);
    let mut apps = Vec::new();
    // Each firm's 防疫联络员 is a person with a name, as on a real form.
    let contacts = [
        "刘芳", "陈静", "杨洋", "吴敏", "孙丽", "马超", "朱琳", "胡波",
    ];
    for (i, (name, industry, category, principal, n, elsewhere, key)) in firms.iter().enumerate() {
        let code = demo_credit_code("511802", 100 + i as u32);
        let firm = json!({"credit_code": code, "name": name, "division": "511802", "township": "河北街道",
            "address": format!("雅安市雨城区青衣江路{}号", 10 + i), "industry": industry, "legal_representative": principal,
            "principal": {"name": principal, "phone": format!("1390835{:04}", i)}, "contact": {"name": contacts[i % contacts.len()], "phone": format!("1370835{:04}", i)},
            "staff_total": n + 5, "city_managed": false});
        core.firm_register(&clerk, &firm, now)?;
        let user = format!("firm{}", i + 1);
        let u = NewUser {
            name: user.clone(),
            role: "firm".into(),
            department: None,
            firm: Some(code.clone()),
            division: None,
            password: None,
        };
        let created = core.user_add(&admin, &u, now)?;
        store::keep_password(core.db(), created.id)?;
        report.users.push(DemoUser {
            name: user.clone(),
            role: "firm".into(),
            password: created.initial_password.unwrap_or_default(),
            note: name.to_string(),
        });
        let firm_actor = login_as(core, &user)?;
        let app = core.app_create(
            &firm_actor,
            &code,
            &demo_plan(category, *n, *elsewhere, *key, principal, now),
            now,
        )?;
        let csv = demo_roster_csv(*n, *elsewhere, *key, 10 + i as u32, today);
        core.app_roster_replace(&firm_actor, app.id, "roster.csv", csv.as_bytes(), None, now)?;
        report.roster_rows += *n as usize;
        apps.push((app.id, firm_actor, *industry, *n - *key));
    }
    report.firms = firms.len();
    report.applications = apps.len();
    let swj = login_as(core, "yc_swj")?;
    let jxj = login_as(core, "yc_jxj")?;
    let zhb = login_as(core, "yc_zhb")?;
    let decide = |core: &mut Reopen,
                  who: &Actor,
                  id: i64,
                  verdict: &str,
                  opinion: &str,
                  headcount: Option<u32>|
     -> Result<()> {
        core.review_decide(
            who,
            id,
            &Decision {
                verdict: verdict.into(),
                opinion: opinion.into(),
                headcount: headcount.map(i64::from),
                conditions: None,
                expect_version: None,
            },
            now,
        )?;
        Ok(())
    };
    let earlier = now - Duration::hours(30);
    // 0: approved through both stages. 1: with the countersigner. 2: returned. 3: rejected.
    // 4: in review and overdue (filed 30 hours ago). 5: withdrawn. 6: in review, green channel. 7: draft.
    for (k, (id, firm_actor, _industry, max)) in apps.iter().enumerate() {
        let when = if k == 4 { earlier } else { now };
        match k {
            7 => {}
            5 => {
                core.app_withdraw(firm_actor, *id, now)?;
            }
            _ => {
                core.app_submit(firm_actor, *id, None, when)?;
            }
        }
        let reviewer = if apps[k].2 == "14" || apps[k].2 == "15" || apps[k].2 == "34" {
            &jxj
        } else {
            &swj
        };
        match k {
            0 => {
                decide(
                    core,
                    reviewer,
                    *id,
                    "approve",
                    "方案完整，防控措施落实到位，同意复工",
                    Some(*max),
                )?;
                decide(core, &zhb, *id, "approve", "同意", None)?;
            }
            1 => decide(
                core,
                reviewer,
                *id,
                "approve",
                "同意，请严格执行每日测温",
                Some(*max),
            )?,
            2 => decide(
                core,
                reviewer,
                *id,
                "return",
                "请补充员工返岗日期和防护物资储备情况",
                None,
            )?,
            3 => decide(
                core,
                reviewer,
                *id,
                "reject",
                "经营场所不具备防控条件，暂不同意复工",
                None,
            )?,
            _ => {}
        }
    }
    reopened_firm(core, &admin, &clerk, &swj, &zhb, &mut report, now)?;
    Ok(report)
}

/// A ninth firm that reopened six days ago and has reported since: on time, late, a day missing,
/// one report with a fever case (a flag for its department), and today's report still to come.
fn reopened_firm(
    core: &mut Reopen,
    admin: &Actor,
    clerk: &Actor,
    swj: &Actor,
    zhb: &Actor,
    report: &mut DemoReport,
    now: DateTime<Utc>,
) -> Result<()> {
    let today = local_date(now);
    // Its history happened a week ago: every step at its own time.
    let t0 = now - Duration::days(7);
    let code = demo_credit_code("511802", 108);
    let principal = "周丽";
    let firm = json!({"credit_code": code, "name": "雅安雨城鑫源商贸有限公司", "division": "511802",
        "township": "河北街道", "address": "雅安市雨城区青衣江路18号", "industry": "52",
        "legal_representative": principal, "principal": {"name": principal, "phone": "13908350108"},
        "contact": {"name": "郑红", "phone": "13708350108"}, "staff_total": 15, "city_managed": false});
    core.firm_register(clerk, &firm, t0)?;
    let u = NewUser {
        name: "firm9".into(),
        role: "firm".into(),
        department: None,
        firm: Some(code.clone()),
        division: None,
        password: None,
    };
    let created = core.user_add(admin, &u, t0)?;
    store::keep_password(core.db(), created.id)?;
    report.users.push(DemoUser {
        name: "firm9".into(),
        role: "firm".into(),
        password: created.initial_password.unwrap_or_default(),
        note: "雅安雨城鑫源商贸有限公司（已复工，每日报告）".into(),
    });
    let firm_actor = login_as(core, "firm9")?;
    let mut plan = demo_plan("daily_necessities", 10, 2, 0, principal, t0);
    // Planned for the day after the approval.
    plan["planned_date"] = json!((today - Duration::days(6)).to_string());
    let app = core.app_create(&firm_actor, &code, &plan, t0)?;
    let csv = demo_roster_csv(10, 2, 0, 18, local_date(t0));
    core.app_roster_replace(&firm_actor, app.id, "roster.csv", csv.as_bytes(), None, t0)?;
    core.app_submit(&firm_actor, app.id, None, t0 + Duration::minutes(10))?;
    let approve = |opinion: &str, headcount: Option<i64>| Decision {
        verdict: "approve".into(),
        opinion: opinion.into(),
        headcount,
        conditions: None,
        expect_version: None,
    };
    core.review_decide(
        swj,
        app.id,
        &approve("同意复工", Some(10)),
        t0 + Duration::hours(2),
    )?;
    core.review_decide(zhb, app.id, &approve("同意", None), t0 + Duration::hours(3))?;
    core.cert_issue(clerk, app.id, t0 + Duration::hours(4))?;
    report.firms += 1;
    report.applications += 1;
    report.roster_rows += 10;
    // Reports: day -6 on time, -5 missing, -4 fever, -3 late, -2 and -1 on time; today pending.
    for (back, staff, fever, late) in [
        (6, 8, 0, false),
        (4, 10, 1, false),
        (3, 10, 0, true),
        (2, 9, 0, false),
        (1, 10, 0, false),
    ] {
        let day = today - Duration::days(back);
        let due = crate::domain::daily::deadline(day, &core.policy()?.daily_report);
        let at = if late {
            due + Duration::hours(3)
        } else {
            due - Duration::hours(12)
        };
        let r = json!({"date": day.to_string(), "staff_on_site": staff, "fever": fever,
            "under_observation": 0, "masks_remaining": 400 - 20 * back, "notes": if fever > 0 { "一名员工体温37.6℃，已送发热门诊" } else { "上下班测温两次，无异常" }});
        core.daily_file(&firm_actor, &code, &r, at)?;
    }
    Ok(())
}

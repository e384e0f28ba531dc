//! Demo data: a small, realistic Ya'an through the real use cases (`init --demo`), and city- or
//! province-scale synthetic databases for benchmarks (`init --demo --scale city|province`).

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use super::{local_date, ts, Reopen};
use crate::domain::auth::Actor;
use crate::domain::ids::{make_credit_code, make_id_number};
use crate::error::{Error, Result};
use crate::service::{Decision, NewUser};
use crate::store::Db;
use crate::t;

#[derive(Debug, Clone, Serialize)]
pub struct DemoUser {
    pub name: String,
    pub role: String,
    pub password: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct DemoReport {
    pub users: Vec<DemoUser>,
    pub firms: usize,
    pub applications: usize,
    pub roster_rows: usize,
    pub audit_events: usize,
}

/// A credit code registered in `division`, unique per `n`.
pub fn demo_credit_code(division: &str, n: u32) -> String {
    make_credit_code('9', '1', division, &format!("MA6{:05}", n % 100_000)).unwrap_or_default()
}

/// A valid resident ID number, unique per `n` (born between 1965 and 2000).
pub fn demo_id_number(division: &str, n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1965, 1, 1).unwrap_or_default()
        + Duration::days(i64::from(n % 12_000));
    make_id_number(&format!(
        "{division}{}{:03}",
        birth.format("%Y%m%d"),
        n % 1000
    ))
    .unwrap_or_default()
}

/// A roster CSV of `n` people, `elsewhere` of them from elsewhere and `key_area` of those from
/// Hubei under observation.
pub fn demo_roster_csv(
    n: u32,
    elsewhere: u32,
    key_area: u32,
    seed: u32,
    today: chrono::NaiveDate,
) -> String {
    let mut s = String::from("姓名,身份证号,手机号,岗位,户籍地,是否外地返岗,来自地区,返岗日期,隔离开始,隔离结束,健康状况\n");
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    let given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"];
    for i in 0..n {
        let name = format!(
            "{}{}{}",
            surnames[(i % 10) as usize],
            given[((i / 10) % 10) as usize],
            given[((i + seed) % 10) as usize]
        );
        let id = demo_id_number("511802", seed.wrapping_mul(1000).wrapping_add(i));
        let phone = format!("138{:08}", (seed * 1000 + i) % 100_000_000);
        let back = today - Duration::days(3);
        if i < key_area {
            let start = today - Duration::days(5);
            s.push_str(&format!("{name},{id},{phone},操作工,湖北省孝感市,是,湖北省孝感市,{back},{start},{},隔离观察\n", start + Duration::days(14)));
        } else if i < elsewhere {
            s.push_str(&format!(
                "{name},{id},{phone},操作工,四川省成都市,是,四川省成都市,{back},,,正常\n"
            ));
        } else {
            s.push_str(&format!(
                "{name},{id},{phone},操作工,雅安市雨城区,否,,,,,正常\n"
            ));
        }
    }
    s
}

pub fn demo_plan(
    category: &str,
    planned: u32,
    elsewhere: u32,
    key_area: u32,
    principal: &str,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let today = local_date(now);
    json!({"category": category, "planned_date": (today + Duration::days(3)).to_string(),
        "headcount": {"planned": planned, "local": planned - elsewhere, "elsewhere": elsewhere, "key_area": key_area,
            "key_area_observed_14d": 0, "under_observation": key_area, "symptomatic": 0},
        "measures": ["temperature_monitoring", "masks", "disinfection", "ventilation", "health_ledger"],
        "measures_note": "上下班两次测温并登记,进出佩戴口罩,工作场所每日消毒两次",
        "supplies": {"masks": planned * 2 * 14, "thermometers": 4, "disinfectant_litres": 40, "gloves": 300},
        "emergency_plan": "发现发热人员立即送临时隔离观察室并报告属地卫生院,停工消杀",
        "commitment": {"signed_by": principal, "date": (today - Duration::days(2)).to_string(), "accepted": true}})
}

fn first_admin(core: &Reopen) -> Result<Actor> {
    let id: i64 = core
        .connection()
        .query_row(
            "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .map_err(|_| {
            Error::internal("demo data needs an administrator: run init --admin NAME first")
        })?;
    super::users::load_actor(core.db(), id)
}

fn login_as(core: &Reopen, name: &str) -> Result<Actor> {
    let id: i64 =
        core.connection()
            .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))?;
    super::users::load_actor(core.db(), id)
}

/// Makes a new demo database at `path` whole or not at all. It is built beside `path` under a
/// temporary name, closed (SQLite folds its write-ahead log into the file) and only then given
/// its name, so a generation that fails or is interrupted never leaves a half-filled database
/// where the app or `reopen` would open it. A leftover from an interrupted run is removed first.
/// Refused if `path` exists: demo data never goes over a database.
pub fn create_new(
    path: &Path,
    admin: Option<(&str, &str)>,
    scale: &str,
    now: DateTime<Utc>,
) -> Result<(super::InitReport, DemoReport)> {
    let exists = || {
        Error::conflict(t!(
            format!("{} 已存在,演示数据只写入新的数据库", path.display()),
            format!(
                "{} exists: demo data only goes into a new database",
                path.display()
            )
        ))
    };
    if path.exists() {
        return Err(exists());
    }
    let name = path
        .file_name()
        .ok_or_else(|| Error::internal(format!("no file name in {}", path.display())))?;
    let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let sidecars = |p: &Path| {
        ["", "-wal", "-shm", "-journal"].map(|suffix| {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            std::path::PathBuf::from(s)
        })
    };
    // The keys are made beside the temporary database and named with it, unless the final
    // name's key directory exists already (kept: its keys serve the new database).
    let final_keys = crate::keys::KeyStore::beside(path);
    let partial_keys = crate::keys::KeyStore::beside(&partial);
    let keys_exist = final_keys.exists();
    let remove_partial = || {
        for f in sidecars(&partial) {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir_all(&partial_keys);
    };
    remove_partial();
    let built = (|| {
        let keys = if keys_exist {
            &final_keys
        } else {
            &partial_keys
        };
        let mut core = Reopen::open_with_keys(&partial, keys)?;
        let init = core.init(admin, now)?;
        let demo = generate(&mut core, scale, now)?;
        drop(core);
        if sidecars(&partial)[1].exists() {
            return Err(Error::internal("the demo database's log was not folded in"));
        }
        Ok((init, demo))
    })();
    let reports = match built {
        Ok(r) => r,
        Err(e) => {
            remove_partial();
            return Err(e);
        }
    };
    // The keys take their name first: a database is never named without its keys.
    if !keys_exist {
        if let Err(e) = std::fs::rename(&partial_keys, &final_keys) {
            remove_partial();
            return Err(Error::internal(format!(
                "cannot name {}: {e}",
                final_keys.display()
            )));
        }
    }
    // A hard link fails if `path` appeared meanwhile, where a rename would replace it.
    let io = |e: std::io::Error| Error::internal(format!("cannot name {}: {e}", path.display()));
    let placed = match std::fs::hard_link(&partial, path) {
        Ok(()) => std::fs::remove_file(&partial).map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        // A file system without hard links.
        Err(_) if !path.exists() => std::fs::rename(&partial, path).map_err(io),
        Err(_) => Err(exists()),
    };
    if placed.is_err() {
        remove_partial();
        if !keys_exist {
            let _ = std::fs::remove_dir_all(&final_keys);
        }
    }
    placed.map(|()| reports)
}

pub fn generate(core: &mut Reopen, scale: &str, now: DateTime<Utc>) -> Result<DemoReport> {
    match scale {
        "city" => bulk(core, 20_000, 30_000, 20, 1_000_000, now),
        "province" => bulk(core, 200_000, 300_000, 20, 10_000_000, now),
        _ => small(core, now),
    }
}

fn small(core: &mut Reopen, now: DateTime<Utc>) -> Result<DemoReport> {
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
        core.connection().execute(
            "UPDATE users SET must_change = 0 WHERE id = ?1",
            [created.id],
        )?;
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
        "雨城区领导小组办公室(会签)",
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
    for (i, (name, industry, category, principal, n, elsewhere, key)) in firms.iter().enumerate() {
        let code = demo_credit_code("511802", 100 + i as u32);
        let firm = json!({"credit_code": code, "name": name, "division": "511802", "township": "河北街道",
            "address": format!("雅安市雨城区青衣江路{}号", 10 + i), "industry": industry, "legal_representative": principal,
            "principal": {"name": principal, "phone": format!("1390835{:04}", i)}, "contact": {"name": "防疫联络员", "phone": format!("1370835{:04}", i)},
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
        core.connection().execute(
            "UPDATE users SET must_change = 0 WHERE id = ?1",
            [created.id],
        )?;
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
                    "方案完整,防控措施落实到位,同意复工",
                    Some(*max),
                )?;
                decide(core, &zhb, *id, "approve", "同意", None)?;
            }
            1 => decide(
                core,
                reviewer,
                *id,
                "approve",
                "同意,请严格执行每日测温",
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
                "经营场所不具备防控条件,暂不同意复工",
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
        "contact": {"name": "防疫联络员", "phone": "13708350108"}, "staff_total": 15, "city_managed": false});
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
    core.connection().execute(
        "UPDATE users SET must_change = 0 WHERE id = ?1",
        [created.id],
    )?;
    report.users.push(DemoUser {
        name: "firm9".into(),
        role: "firm".into(),
        password: created.initial_password.unwrap_or_default(),
        note: "雅安雨城鑫源商贸有限公司(已复工,每日报告)".into(),
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
            "under_observation": 0, "masks_remaining": 400 - 20 * back, "notes": if fever > 0 { "一名员工体温37.6℃,已送发热门诊" } else { "上下班测温两次,无异常" }});
        core.daily_file(&firm_actor, &code, &r, at)?;
    }
    Ok(())
}

/// Synthetic data straight into the tables, in one transaction: for benchmarks and scale tests.
/// Firms spread over the eight counties and industries; applications in every state with review
/// tasks for those in review; `per_app` roster rows per application; `events` audit events spread
/// over the last two weeks, the firms and the applications (a real hash chain).
fn bulk(
    core: &mut Reopen,
    firms: u32,
    apps: u32,
    per_app: u32,
    events: u32,
    now: DateTime<Utc>,
) -> Result<DemoReport> {
    let admin = first_admin(core)?;
    let divisions = [
        "511802", "511803", "511822", "511823", "511824", "511825", "511826", "511827",
    ];
    let industries = [
        "13", "14", "15", "34", "47", "51", "52", "54", "61", "62", "72", "80",
    ];
    let categories = [
        "production",
        "daily_necessities",
        "general",
        "city_operation",
        "epidemic_prevention",
        "key_project",
    ];
    let words = [
        "雅安",
        "青衣江",
        "蒙顶",
        "熊猫",
        "二郎山",
        "周公山",
        "碧峰峡",
        "龙门",
        "茶马",
        "川西",
    ];
    let trades = [
        "食品", "茶业", "机械", "建材", "物流", "商贸", "餐饮", "酒店", "超市", "科技", "农业",
        "医药",
    ];
    let policy = core.policy()?;
    let today = local_date(now);
    let plan_json = serde_json::to_string(
        &crate::domain::plan::Plan::from_json(
            &demo_plan("production", per_app, 4, 1, "张三", now),
            &policy,
        )
        .map_err(Error::validation)?,
    )?;
    let stamp = ts(now);
    let mut roster_rows = 0usize;
    let mut firm_codes = Vec::with_capacity(firms as usize);
    let mut app_ids = Vec::with_capacity(apps as usize);
    let conn = core.conn.sqlite_mut();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let dep_id = |div: &str, kind: &str| -> Result<i64> {
            Ok(tx.query_row(
                "SELECT id FROM departments WHERE division = ?1 AND kind = ?2",
                params![div, kind],
                |r| r.get(0),
            )?)
        };
        let mut firm_stmt = tx.prepare(
            "INSERT INTO firms(credit_code, name, division, township, address, industry, legal_representative, principal_name,
                principal_phone, contact_name, contact_phone, staff_total, city_managed, created_at, updated_at)
             VALUES (?1, ?2, ?3, '城区街道', ?4, ?5, '张三', '张三', '13800000000', '李四', '13900000000', ?6, 0, ?7, ?7)",
        )?;
        for i in 0..firms {
            let div = divisions[(i % 8) as usize];
            let name = format!(
                "{}{}{}{}有限公司",
                words[(i % 10) as usize],
                words[((i / 10) % 10) as usize],
                trades[((i / 100) % 12) as usize],
                i
            );
            let code = make_credit_code('9', '1', div, &format!("MB{:06}", i)).unwrap_or_default();
            firm_stmt.execute(params![
                &code,
                name,
                div,
                format!("{div}某路{i}号"),
                industries[(i % 12) as usize],
                per_app * 2,
                stamp
            ])?;
            firm_codes.push(code);
        }
        let mut app_stmt = tx.prepare(
            "INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount, plan, roster_count,
                version, submission_no, stage, approved_headcount, created_by, created_at, updated_at, submitted_at, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, 3, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
        )?;
        let mut daily_stmt = tx.prepare(
            "INSERT INTO daily_reports(firm_id, application_id, report_date, staff_on_site, fever, under_observation,
                masks_remaining, notes, filed_at, filed_by, timeliness, flags)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, '', ?7, ?8, ?9, ?10)",
        )?;
        let mut daily_rows = 0usize;
        let mut sub_stmt = tx.prepare(
            "INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings, submitted_by, submitted_at)
             VALUES (?1, 1, ?2, '[]', ?3, '[]', ?4, ?5)",
        )?;
        let mut task_stmt = tx.prepare(
            "INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id, quorum, state, green_channel,
                opened_at, due_at, decided_at, decided_by, opinion, headcount)
             VALUES (?1, 1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut roster_stmt = tx.prepare(
            "INSERT INTO roster_entries(application_id, row_no, name, id_number, phone, post, home_region, from_elsewhere,
                from_region, return_date, observation_start, observation_end, health)
             VALUES (?1, ?2, ?3, ?4, ?5, '操作工', '雅安市', ?6, ?7, ?8, NULL, NULL, 'normal')",
        )?;
        let states = [
            "in_review",
            "in_review",
            "approved",
            "approved",
            "returned",
            "rejected",
            "withdrawn",
            "draft",
            "in_review",
            "approved",
        ];
        for a in 0..apps {
            // The first `firms` applications give each firm one; the rest are earlier final ones.
            let firm_id = i64::from(a % firms) + 1;
            let div = divisions[((firm_id - 1) % 8) as usize];
            let industry = industries[((firm_id - 1) % 12) as usize];
            let state = if a >= firms {
                ["rejected", "withdrawn"][(a % 2) as usize]
            } else {
                states[(a % 10) as usize]
            };
            let category = categories[(a % 6) as usize];
            let opened = now - Duration::hours(i64::from(a % 48));
            let submitted = state != "draft";
            let stage: Option<u32> = (state == "in_review").then_some(a % 2);
            // Approved ones planned up to a week ago have reopened and report daily.
            let planned = if state == "approved" {
                today - Duration::days(i64::from(a % 7))
            } else {
                today + Duration::days(3)
            };
            app_stmt.execute(params![
                firm_id,
                div,
                state,
                category,
                planned.to_string(),
                per_app,
                plan_json,
                i64::from(submitted),
                stage,
                (state == "approved").then_some(per_app - 1),
                admin.user_id,
                ts(opened),
                submitted.then(|| ts(opened)),
                (state == "approved").then(|| ts(opened))
            ])?;
            let app_id = tx.last_insert_rowid();
            app_ids.push((app_id, firm_id));
            if state == "approved" {
                let mut day = planned.max(local_date(opened));
                while day < today {
                    let k = a + (today - day).num_days() as u32;
                    if k % 11 != 0 {
                        let due = crate::domain::daily::deadline(day, &policy.daily_report);
                        let late = k % 7 == 0;
                        let at = if late {
                            due + Duration::hours(2)
                        } else {
                            due - Duration::hours(10)
                        };
                        let fever = u32::from(k % 97 == 0);
                        let flags = if fever > 0 { "[\"fever\"]" } else { "[]" };
                        daily_stmt.execute(params![
                            firm_id,
                            app_id,
                            day,
                            per_app - 1,
                            fever,
                            per_app * 20,
                            ts(at),
                            admin.user_id,
                            if late { "late" } else { "on_time" },
                            flags
                        ])?;
                        daily_rows += 1;
                    }
                    day += Duration::days(1);
                }
            }
            if submitted {
                let kind = policy_kind(industry);
                let d1 = dep_id(div, kind)?;
                let d2 = dep_id(div, "ZHB")?;
                let stages = json!([{"name": "行业主管部门审核", "departments": [d1], "quorum": 1}, {"name": "领导小组办公室会签", "departments": [d2], "quorum": 1}]);
                sub_stmt.execute(params![
                    app_id,
                    plan_json,
                    stages.to_string(),
                    admin.user_id,
                    ts(opened)
                ])?;
                let (sla, green) = policy.sla_hours(category);
                let due = ts(opened + Duration::hours(i64::from(sla)));
                let decided = |st: &str| -> (Option<String>, Option<i64>, Option<&str>) {
                    if st == "pending" {
                        (None, None, None)
                    } else {
                        (Some(ts(opened)), Some(admin.user_id), Some("同意"))
                    }
                };
                let first = match (state, stage) {
                    ("in_review", Some(0)) => "pending",
                    ("returned", _) => "returned",
                    ("rejected", _) => "rejected",
                    ("withdrawn", _) => "closed",
                    _ => "approved",
                };
                let (at, by, op) = decided(first);
                task_stmt.execute(params![
                    app_id,
                    0,
                    "行业主管部门审核",
                    d1,
                    first,
                    green,
                    ts(opened),
                    due,
                    at,
                    by,
                    op,
                    (first == "approved").then_some(per_app - 1)
                ])?;
                if matches!((state, stage), ("in_review", Some(1)) | ("approved", _)) {
                    let second = if state == "approved" {
                        "approved"
                    } else {
                        "pending"
                    };
                    let (at, by, op) = decided(second);
                    task_stmt.execute(params![
                        app_id,
                        1,
                        "领导小组办公室会签",
                        d2,
                        second,
                        green,
                        ts(opened),
                        due,
                        at,
                        by,
                        op,
                        Option::<u32>::None
                    ])?;
                }
            }
            for r in 0..per_app {
                let n = a * per_app + r;
                let from_elsewhere = r < 4;
                roster_stmt.execute(params![
                    app_id,
                    r + 1,
                    format!("员工{n}"),
                    demo_id_number(div, n),
                    format!("139{:08}", n % 100_000_000),
                    from_elsewhere,
                    if from_elsewhere {
                        "四川省成都市"
                    } else {
                        ""
                    },
                    from_elsewhere.then(|| (today - Duration::days(2)).to_string())
                ])?;
                roster_rows += 1;
            }
        }
        bulk_audit(
            (&*tx).into(),
            &admin.who(),
            &firm_codes,
            &app_ids,
            events,
            now,
        )?;
        crate::audit::append(
            (&*tx).into(),
            &admin.who(),
            "demo.bulk",
            "database",
            None,
            Some(
                &json!({"firms": firms, "applications": apps, "roster_rows": roster_rows, "daily_reports": daily_rows, "audit_events": events}),
            ),
            now,
        )?;
    }
    tx.commit()?;
    Ok(DemoReport {
        users: vec![],
        firms: firms as usize,
        applications: apps as usize,
        roster_rows,
        audit_events: events as usize + 1,
    })
}

/// `events` audit events in time order over the two weeks before `now`, each on a firm or an
/// application picked pseudo-randomly, with the actions the use cases write (a firm registered,
/// an application created, edited, its roster loaded, submitted, approved at each stage, its
/// roster revealed, daily reports filed), chained through `audit::Batch`.
fn bulk_audit(
    tx: Db<'_>,
    who: &crate::audit::Who,
    firm_codes: &[String],
    app_ids: &[(i64, i64)],
    events: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    if app_ids.is_empty() || events == 0 {
        return Ok(());
    }
    let mut batch = crate::audit::Batch::new(&tx)?;
    let span = Duration::days(14).num_microseconds().unwrap_or(0);
    let start = now - Duration::days(14);
    for k in 0..u64::from(events) {
        let at = start + Duration::microseconds(span * k as i64 / i64::from(events));
        // Knuth's multiplicative hash: a spread of applications, each about events/apps times.
        let (app, firm) =
            app_ids[((k.wrapping_mul(2_654_435_761) >> 7) % app_ids.len() as u64) as usize];
        let code = &firm_codes[(firm - 1) as usize];
        let app_rec = format!("app:{app}");
        let firm_rec = format!("firm:{code}");
        let day = local_date(at);
        let (action, record, before, after): (&str, &str, Option<String>, String) = match k % 10 {
            0 => (
                "firm.update",
                &firm_rec,
                Some(r#"{"staff_total":30}"#.into()),
                r#"{"staff_total":40}"#.into(),
            ),
            1 => (
                "app.create",
                &app_rec,
                None,
                r#"{"state":"draft","category":"production"}"#.into(),
            ),
            2 => (
                "app.update",
                &app_rec,
                Some(r#"{"version":1}"#.into()),
                r#"{"version":2}"#.into(),
            ),
            3 => (
                "app.roster",
                &app_rec,
                None,
                r#"{"file":"roster.csv","rows":20}"#.into(),
            ),
            4 => (
                "app.submit",
                &app_rec,
                Some(r#"{"state":"draft"}"#.into()),
                r#"{"state":"in_review","submission_no":1}"#.into(),
            ),
            5 => (
                "review.approve",
                &app_rec,
                Some(r#"{"stage":0}"#.into()),
                r#"{"opinion":"同意","headcount":19}"#.into(),
            ),
            7 => ("app.roster_reveal", &app_rec, None, r#"{"rows":20}"#.into()),
            8 => (
                "review.approve",
                &app_rec,
                Some(r#"{"stage":1}"#.into()),
                r#"{"opinion":"同意"}"#.into(),
            ),
            _ => (
                "daily.file",
                &firm_rec,
                None,
                format!(r#"{{"date":"{day}","staff_on_site":19,"fever":0}}"#),
            ),
        };
        batch.push(who, action, record, before.as_deref(), Some(&after), at)?;
    }
    batch.finish()?;
    Ok(())
}

fn policy_kind(industry: &str) -> &'static str {
    match industry {
        "13" | "14" | "15" | "34" => "JXJ",
        "47" => "ZJJ",
        "54" => "JTJ",
        "61" => "WLJ",
        _ => "SWJ",
    }
}

//! Demo data: a small, realistic Ya'an through the real use cases (`init --demo`), and city- or
//! province-scale synthetic databases for benchmarks (`init --demo --scale city|province`).

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::{local_date, ts, Reopen};
use crate::domain::auth::Actor;
use crate::domain::daily::DayStatus;
use crate::domain::ids::{make_credit_code, make_id_number};
use crate::domain::roster::Health;
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::{Decision, NewUser};
use crate::store::{bulk as store, Db};
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
    let id = store::first_admin_id(core.db())?.ok_or_else(|| {
        Error::internal("demo data needs an administrator: run init --admin NAME first")
    })?;
    super::users::load_actor(core.db(), id)
}

fn login_as(core: &Reopen, name: &str) -> Result<Actor> {
    let id = store::user_id(core.db(), name)?;
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
    store::keep_password(core.db(), created.id)?;
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

const DIVISIONS: [&str; 8] = [
    "511802", "511803", "511822", "511823", "511824", "511825", "511826", "511827",
];
const INDUSTRIES: [&str; 12] = [
    "13", "14", "15", "34", "47", "51", "52", "54", "61", "62", "72", "80",
];
const CATEGORIES: [&str; 6] = [
    "production",
    "daily_necessities",
    "general",
    "city_operation",
    "epidemic_prevention",
    "key_project",
];
const WORDS: [&str; 10] = [
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
const TRADES: [&str; 12] = [
    "食品", "茶业", "机械", "建材", "物流", "商贸", "餐饮", "酒店", "超市", "科技", "农业", "医药",
];
/// The states of the first `firms` applications, in turn.
const STATES: [AppState; 10] = [
    AppState::InReview,
    AppState::InReview,
    AppState::Approved,
    AppState::Approved,
    AppState::Returned,
    AppState::Rejected,
    AppState::Withdrawn,
    AppState::Draft,
    AppState::InReview,
    AppState::Approved,
];

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
    let policy = core.policy()?;
    let plan_json = serde_json::to_string(
        &crate::domain::plan::Plan::from_json(
            &demo_plan("production", per_app, 4, 1, "张三", now),
            &policy,
        )
        .map_err(Error::validation)?,
    )?;
    let tx = core.conn.begin_write()?;
    let db = tx.db();
    let mark = crate::audit::Mark::take(db)?;
    let firm_codes = bulk_firms(db, firms, per_app, &ts(now))?;
    let gen = Generator {
        db,
        admin: admin.user_id,
        policy: &policy,
        plan_json: &plan_json,
        per_app,
        today: local_date(now),
        now,
    };
    let mut rows = Rows::default();
    let mut app_ids = Vec::with_capacity(apps as usize);
    for a in 0..apps {
        app_ids.push(gen.application(a, firms, &mut rows)?);
    }
    bulk_audit(db, &admin.who(), &firm_codes, &app_ids, events, now)?;
    crate::audit::append(
        db,
        &admin.who(),
        "demo.bulk",
        "database",
        None,
        Some(
            &json!({"firms": firms, "applications": apps, "roster_rows": rows.roster, "daily_reports": rows.daily, "audit_events": events}),
        ),
        now,
    )?;
    mark.sign_head(db, &core.keys)?;
    tx.commit()?;
    Ok(DemoReport {
        users: vec![],
        firms: firms as usize,
        applications: apps as usize,
        roster_rows: rows.roster,
        audit_events: events as usize + 1,
    })
}

/// `firms` firms spread over the counties and industries; their credit codes, in id order.
fn bulk_firms(db: Db<'_>, firms: u32, per_app: u32, stamp: &str) -> Result<Vec<String>> {
    let mut codes = Vec::with_capacity(firms as usize);
    for i in 0..firms {
        let div = DIVISIONS[(i % 8) as usize];
        let name = format!(
            "{}{}{}{}有限公司",
            WORDS[(i % 10) as usize],
            WORDS[((i / 10) % 10) as usize],
            TRADES[((i / 100) % 12) as usize],
            i
        );
        let code = make_credit_code('9', '1', div, &format!("MB{:06}", i)).unwrap_or_default();
        store::insert_firm(
            db,
            &store::Firm {
                credit_code: &code,
                name: &name,
                division: div,
                address: &format!("{div}某路{i}号"),
                industry: INDUSTRIES[(i % 12) as usize],
                staff_total: per_app * 2,
                at: stamp,
            },
        )?;
        codes.push(code);
    }
    Ok(codes)
}

/// Rows written besides firms and applications.
#[derive(Default)]
struct Rows {
    roster: usize,
    daily: usize,
}

/// What every synthetic application shares.
struct Generator<'a> {
    db: Db<'a>,
    admin: i64,
    policy: &'a crate::domain::policy::Policy,
    plan_json: &'a str,
    per_app: u32,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
}

impl Generator<'_> {
    /// Application number `a` with its daily reports, submission, review tasks and roster:
    /// the first `firms` give each firm one; the rest are earlier final ones. (id, firm id).
    fn application(&self, a: u32, firms: u32, rows: &mut Rows) -> Result<(i64, i64)> {
        let (db, per_app, today) = (self.db, self.per_app, self.today);
        let firm_id = i64::from(a % firms) + 1;
        let div = DIVISIONS[((firm_id - 1) % 8) as usize];
        let industry = INDUSTRIES[((firm_id - 1) % 12) as usize];
        let state = if a >= firms {
            [AppState::Rejected, AppState::Withdrawn][(a % 2) as usize]
        } else {
            STATES[(a % 10) as usize]
        };
        let category = CATEGORIES[(a % 6) as usize];
        let opened = self.now - Duration::hours(i64::from(a % 48));
        let opened_ts = ts(opened);
        let submitted = state != AppState::Draft;
        let approved = state == AppState::Approved;
        let stage: Option<u32> = (state == AppState::InReview).then_some(a % 2);
        // Approved ones planned up to a week ago have reopened and report daily.
        let planned = if approved {
            today - Duration::days(i64::from(a % 7))
        } else {
            today + Duration::days(3)
        };
        let app_id = store::insert_application(
            db,
            &store::Application {
                firm_id,
                jurisdiction: div,
                state: state.as_str(),
                category,
                planned_date: &planned.to_string(),
                planned_headcount: per_app,
                plan: self.plan_json,
                submission_no: i64::from(submitted),
                stage,
                approved_headcount: approved.then_some(per_app - 1),
                created_by: self.admin,
                opened: &opened_ts,
                submitted_at: submitted.then_some(opened_ts.as_str()),
                decided_at: approved.then_some(opened_ts.as_str()),
            },
        )?;
        if approved {
            rows.daily +=
                self.daily_reports(a, app_id, firm_id, planned.max(local_date(opened)))?;
        }
        if submitted {
            self.review(
                app_id, div, industry, category, state, stage, &opened_ts, opened,
            )?;
        }
        for r in 0..per_app {
            let n = a * per_app + r;
            let from_elsewhere = r < 4;
            store::insert_roster_entry(
                db,
                &store::RosterEntry {
                    application_id: app_id,
                    row_no: r + 1,
                    name: &format!("员工{n}"),
                    id_number: &demo_id_number(div, n),
                    phone: &format!("139{:08}", n % 100_000_000),
                    from_elsewhere,
                    from_region: if from_elsewhere {
                        "四川省成都市"
                    } else {
                        ""
                    },
                    return_date: from_elsewhere
                        .then(|| (today - Duration::days(2)).to_string())
                        .as_deref(),
                    health: Health::Normal.as_str(),
                },
            )?;
            rows.roster += 1;
        }
        Ok((app_id, firm_id))
    }

    /// The daily reports of an approved application from `first` to yesterday: some late, a few
    /// days missing, now and then a fever. How many were written.
    fn daily_reports(
        &self,
        a: u32,
        app_id: i64,
        firm_id: i64,
        first: chrono::NaiveDate,
    ) -> Result<usize> {
        let mut written = 0;
        let mut day = first;
        while day < self.today {
            let k = a + (self.today - day).num_days() as u32;
            if k % 11 != 0 {
                let due = crate::domain::daily::deadline(day, &self.policy.daily_report);
                let late = k % 7 == 0;
                let at = if late {
                    due + Duration::hours(2)
                } else {
                    due - Duration::hours(10)
                };
                let fever = u32::from(k % 97 == 0);
                store::insert_daily_report(
                    self.db,
                    &store::DailyReport {
                        firm_id,
                        application_id: app_id,
                        report_date: day,
                        staff_on_site: self.per_app - 1,
                        fever,
                        masks_remaining: self.per_app * 20,
                        filed_at: &ts(at),
                        filed_by: self.admin,
                        timeliness: if late {
                            DayStatus::Late.as_str()
                        } else {
                            DayStatus::OnTime.as_str()
                        },
                        flags: if fever > 0 { "[\"fever\"]" } else { "[]" },
                    },
                )?;
                written += 1;
            }
            day += Duration::days(1);
        }
        Ok(written)
    }

    /// The first submission of a submitted application and its review tasks: the sector
    /// department's, and the countersigner's once the first stage approved.
    #[allow(clippy::too_many_arguments)]
    fn review(
        &self,
        app_id: i64,
        div: &str,
        industry: &str,
        category: &str,
        state: AppState,
        stage: Option<u32>,
        opened_ts: &str,
        opened: DateTime<Utc>,
    ) -> Result<()> {
        let db = self.db;
        let d1 = store::department_id(db, div, policy_kind(industry))?;
        let d2 = store::department_id(db, div, "ZHB")?;
        let stages = json!([{"name": "行业主管部门审核", "departments": [d1], "quorum": 1}, {"name": "领导小组办公室会签", "departments": [d2], "quorum": 1}]);
        store::insert_first_submission(
            db,
            app_id,
            self.plan_json,
            &stages.to_string(),
            self.admin,
            opened_ts,
        )?;
        let (sla, green) = self.policy.sla_hours(category);
        let due = ts(opened + Duration::hours(i64::from(sla)));
        let task = |stage: u32, name: &str, department: i64, st: TaskState, headcount| {
            let decided = st != TaskState::Pending;
            store::insert_review_task(
                db,
                &store::ReviewTask {
                    application_id: app_id,
                    stage,
                    stage_name: name,
                    department_id: department,
                    state: st.as_str(),
                    green_channel: green,
                    opened_at: opened_ts,
                    due_at: &due,
                    decided_at: decided.then_some(opened_ts),
                    decided_by: decided.then_some(self.admin),
                    opinion: decided.then_some("同意"),
                    headcount,
                },
            )
        };
        let first = match (state, stage) {
            (AppState::InReview, Some(0)) => TaskState::Pending,
            (AppState::Returned, _) => TaskState::Returned,
            (AppState::Rejected, _) => TaskState::Rejected,
            (AppState::Withdrawn, _) => TaskState::Closed,
            _ => TaskState::Approved,
        };
        task(
            0,
            "行业主管部门审核",
            d1,
            first,
            (first == TaskState::Approved).then_some(self.per_app - 1),
        )?;
        if matches!(
            (state, stage),
            (AppState::InReview, Some(1)) | (AppState::Approved, _)
        ) {
            let second = if state == AppState::Approved {
                TaskState::Approved
            } else {
                TaskState::Pending
            };
            task(1, "领导小组办公室会签", d2, second, None)?;
        }
        Ok(())
    }
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
    let mut batch = crate::audit::Batch::new(tx)?;
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
    batch.finish();
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

//! Demo data: a small, realistic Ya'an through the real use cases (`init --demo`), and city- or
//! province-scale synthetic databases for benchmarks (`init --demo --scale city|province`).

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

mod bulk;
mod small;

use super::{local_date, Reopen};
use crate::domain::auth::Actor;
use crate::domain::ids::{make_credit_code, make_id_number};
use crate::error::{Error, Result};
use crate::store::bulk as store;
use crate::t;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoUser {
    pub name: String,
    pub role: String,
    pub password: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
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
    // CSV data, not prose: the fields are joined with the half-width comma a CSV file needs.
    let row = |fields: &[&str]| fields.join(",") + "\n";
    let mut s = row(&[
        "姓名",
        "身份证号",
        "手机号",
        "岗位",
        "户籍地",
        "是否外地返岗",
        "来自地区",
        "返岗日期",
        "隔离开始",
        "隔离结束",
        "健康状况",
    ]);
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
        let back = (today - Duration::days(3)).to_string();
        let observed = today - Duration::days(5);
        let observation = [
            observed.to_string(),
            (observed + Duration::days(14)).to_string(),
        ];
        // Home, returned from elsewhere, from where, returned on, observation start and end, health.
        let (home, away, from, back, [start, end], health): (_, _, _, &str, [&str; 2], _) =
            if i < key_area {
                let [start, end] = &observation;
                (
                    "湖北省孝感市",
                    "是",
                    "湖北省孝感市",
                    &back,
                    [start, end],
                    "隔离观察",
                )
            } else if i < elsewhere {
                (
                    "四川省成都市",
                    "是",
                    "四川省成都市",
                    &back,
                    ["", ""],
                    "正常",
                )
            } else {
                ("雅安市雨城区", "否", "", "", ["", ""], "正常")
            };
        s.push_str(&row(&[
            &name,
            &id,
            &phone,
            "操作工",
            home,
            away,
            from,
            back,
            start,
            end,
            health,
        ]));
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
        "measures_note": "上下班两次测温并登记，进出佩戴口罩，工作场所每日消毒两次",
        "supplies": {"masks": planned * 2 * 14, "thermometers": 4, "disinfectant_litres": 40, "gloves": 300},
        "emergency_plan": "发现发热人员立即送临时隔离观察室并报告属地卫生院，停工消杀",
        "commitment": {"signed_by": principal, "date": (today - Duration::days(2)).to_string(), "accepted": true}})
}

pub(super) fn first_admin(core: &Reopen) -> Result<Actor> {
    let id = store::first_admin_id(core.db())?.ok_or_else(|| {
        Error::internal("demo data needs an administrator: run init --admin NAME first")
    })?;
    super::users::load_actor(core.db(), id)
}

pub(super) fn login_as(core: &Reopen, name: &str) -> Result<Actor> {
    let id = store::user_id(core.db(), name)?;
    super::users::load_actor(core.db(), id)
}

/// Makes a new demo database at `path` whole or not at all. It is built beside `path` under a
/// temporary name, closed (SQLite folds its write-ahead log into the file) and only then given
/// its name, so a generation that fails or is interrupted never leaves a half-filled database
/// where the app or `reopen` would open it. A leftover from an interrupted run is removed first.
/// Refused if `path` exists: demo data never goes over a database. The keys go into `key_dir`
/// when given (`reopen --keys`), else beside the database.
pub fn create_new(
    path: &Path,
    key_dir: Option<&Path>,
    admin: Option<(&str, &str)>,
    scale: &str,
    now: DateTime<Utc>,
) -> Result<(super::InitReport, DemoReport)> {
    let exists = || {
        Error::conflict(t!(
            format!("{} 已存在，演示数据只写入新的数据库", path.display()),
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
    // key directory exists already (kept: its keys serve the new database) or is given
    // (`--keys`: used as it is, wherever it lives; a rename could not cross file systems).
    let final_keys = key_dir.map_or_else(|| crate::keys::KeyStore::beside(path), Path::to_path_buf);
    let partial_keys = crate::keys::KeyStore::beside(&partial);
    let keys_exist = key_dir.is_some() || final_keys.exists();
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
        "city" => bulk::bulk(core, 20_000, 30_000, 20, 1_000_000, now),
        "province" => bulk::bulk(core, 200_000, 300_000, 20, 10_000_000, now),
        _ => small::small(core, now),
    }
}

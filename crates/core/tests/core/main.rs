//! Integration tests of reopen-core through its public use-case API, each on a real temporary
//! SQLite file — or on a fresh PostgreSQL database when `REOPEN_TEST_PG` names a cluster: the
//! role × operation permission matrix, end-to-end workflows, concurrency, the store (schema
//! snapshot, audit tamper detection, login rules, backup/restore) and bad input. The few tests
//! about SQLite itself (query plans, files, backup/restore, PRAGMAs) return early on PostgreSQL,
//! saying why.
//!
//!     cargo test -p reopen-core --test core
//!     REOPEN_TEST_PG=postgres://... cargo test -p reopen-core --test core  # scripts/lib/pg.sh
//!     UPDATE_SNAPSHOTS=1 cargo test -p reopen-core --test core schema   # rewrite the schema snapshot
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod bad_input;
mod certs;
mod concurrency;
mod daily;
mod engines;
mod guide;
mod hostile;
mod leader;
mod messages;
mod packages;
mod permissions;
mod query_plans;
mod retention;
mod reviewing;
mod sealing;
mod sessions;
mod sheets;
mod statistics;
mod stats;
mod store;
mod totals;
mod workflow;

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use reopen_core::domain::auth::Actor;
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, Decision, NewUser};
use reopen_core::store::Engine;
use reopen_core::{ErrorKind, Reopen};
use serde_json::{json, Value};

pub type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub const ADMIN_PW: &str = "Chief-2020x";
pub const PW: &str = "Passw0rd-x";
pub const PRINCIPAL: &str = "王建国";

/// 2020-02-05T01:00:00Z (09:00 in Ya'an).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap()
}

pub fn today() -> NaiveDate {
    local_date(now())
}

pub fn hours(h: i64) -> DateTime<Utc> {
    now() + Duration::hours(h)
}

/// A new, empty database: a SQLite file in `dir`, or — when `REOPEN_TEST_PG` names a PostgreSQL
/// cluster (scripts/lib/pg.sh starts one) — a fresh database on it, with its keys in `dir`.
pub fn open_empty(dir: &Path) -> R<Reopen> {
    Ok(match pg_cluster() {
        Some(url) => {
            let db = reopen_core::store::pg::create_test_database(&url)?;
            std::fs::write(dir.join("db.url"), &db)?;
            Reopen::open_db(&db, &dir.join("keys"))?
        }
        None => Reopen::open(&dir.join("t.db"))?,
    })
}

/// Another connection to the database `open_empty` made in `dir` (another PC, another process).
pub fn open_again(dir: &Path) -> R<Reopen> {
    Ok(match std::fs::read_to_string(dir.join("db.url")) {
        Ok(url) => Reopen::open_db(&url, &dir.join("keys"))?,
        Err(_) => Reopen::open(&dir.join("t.db"))?,
    })
}

/// The PostgreSQL cluster the tests run on, if any (`REOPEN_TEST_PG`).
pub fn pg_cluster() -> Option<String> {
    std::env::var("REOPEN_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Opens a fresh database (see `open_empty`), initialises it and logs the administrator in.
pub fn open(dir: &Path) -> R<(Reopen, Actor)> {
    let mut core = open_empty(dir)?;
    core.init(Some(("admin", ADMIN_PW)), now())?;
    let admin = core.login("admin", ADMIN_PW, now())?;
    Ok((core, admin))
}

/// Adds a user (password `PW`) and logs them in.
pub fn user(
    core: &mut Reopen,
    admin: &Actor,
    name: &str,
    role: &str,
    department: Option<&str>,
    firm: Option<&str>,
    division: Option<&str>,
) -> R<Actor> {
    let u = NewUser {
        name: name.into(),
        role: role.into(),
        department: department.map(Into::into),
        firm: firm.map(Into::into),
        division: division.map(Into::into),
        password: Some(PW.into()),
    };
    core.user_add(admin, &u, now())?;
    Ok(core.login(name, PW, now())?)
}

pub fn reviewer(core: &mut Reopen, admin: &Actor, name: &str, dept: &str) -> R<Actor> {
    user(core, admin, name, "reviewer", Some(dept), None, None)
}

pub fn clerk(core: &mut Reopen, admin: &Actor, name: &str, division: &str) -> R<Actor> {
    user(core, admin, name, "clerk", None, None, Some(division))
}

/// 雨城区's office on a fresh database, as the workflow and message tests use it: the
/// administrator, a counter clerk, and the reviewers of 商务局 (SWJ), 发展和改革委员会 (FGW) and
/// the leading group office (ZHB).
pub struct County {
    _dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    clerk: Actor,
    swj: Actor,
    fgw: Actor,
    zhb: Actor,
}

pub fn county() -> R<County> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let fgw = reviewer(&mut core, &admin, "fgw", "511802-FGW")?;
    let zhb = reviewer(&mut core, &admin, "zhb", "511802-ZHB")?;
    Ok(County {
        _dir: dir,
        core,
        admin,
        clerk,
        swj,
        fgw,
        zhb,
    })
}

pub fn firm_json(code: &str, name: &str, industry: &str, staff_total: u32) -> Value {
    json!({"credit_code": code, "name": name, "division": "511802", "township": "河北街道",
        "address": "雅安市雨城区青衣江路1号", "industry": industry, "legal_representative": PRINCIPAL,
        "principal": {"name": PRINCIPAL, "phone": "13800000000"},
        "contact": {"name": "李防疫", "phone": "13900000000"},
        "staff_total": staff_total, "city_managed": false})
}

/// Registers firm number `n` of 511802 (retail, industry 52) through `actor`; returns its code.
pub fn register(core: &mut Reopen, actor: &Actor, n: u32, name: &str) -> R<String> {
    let code = demo_credit_code("511802", n);
    core.firm_register(actor, &firm_json(&code, name, "52", 50), now())?;
    Ok(code)
}

/// A draft application with a consistent plan and roster (`planned` people, `elsewhere` of them
/// from elsewhere, `key_area` of those from Hubei and under observation).
pub fn draft(
    core: &mut Reopen,
    firm: &Actor,
    code: &str,
    category: &str,
    planned: u32,
    elsewhere: u32,
    key_area: u32,
) -> R<i64> {
    let plan = demo_plan(category, planned, elsewhere, key_area, PRINCIPAL, now());
    let app = core.app_create(firm, code, &plan, now())?;
    let seed = (app.id as u32) * 7 + 3;
    let csv = demo_roster_csv(planned, elsewhere, key_area, seed, today());
    core.app_roster_replace(firm, app.id, "roster.csv", csv.as_bytes(), None, now())?;
    Ok(app.id)
}

/// A submitted application (in review at stage 1).
#[allow(clippy::too_many_arguments)]
pub fn submitted(
    core: &mut Reopen,
    firm: &Actor,
    code: &str,
    category: &str,
    planned: u32,
    elsewhere: u32,
    key_area: u32,
) -> R<i64> {
    let id = draft(core, firm, code, category, planned, elsewhere, key_area)?;
    core.app_submit(firm, id, None, now())?;
    Ok(id)
}

pub fn decision(verdict: &str, headcount: Option<i64>) -> Decision {
    Decision {
        verdict: verdict.into(),
        opinion: format!("{verdict}:经审核"),
        headcount,
        conditions: None,
        expect_version: None,
    }
}

pub fn kind<T: std::fmt::Debug>(r: reopen_core::Result<T>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind)
}

/// The field names of a Validation error (panics on Ok or another kind).
pub fn fields<T: std::fmt::Debug>(r: reopen_core::Result<T>) -> Vec<String> {
    match r {
        Ok(v) => panic!("expected a validation error, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(
                e.kind,
                ErrorKind::Validation,
                "expected validation, got {e:?}"
            );
            assert!(!e.fields.is_empty(), "validation without fields: {e:?}");
            e.fields.into_iter().map(|f| f.field).collect()
        }
    }
}

/// Drops the guard trigger `name` on `table`, as someone holding the database file (SQLite) or
/// the database's superuser (PostgreSQL, where a trigger is named with its table) would.
pub fn drop_trigger(core: &Reopen, table: &str, name: &str) -> R {
    let sql = match core.raw().engine() {
        Engine::Sqlite => format!("DROP TRIGGER {name}"),
        Engine::Postgres => format!("DROP TRIGGER {name} ON {table}"),
    };
    core.raw().batch(&sql)?;
    Ok(())
}

/// The number of rows of `table` (or of any `FROM ...` clause).
pub fn count_rows(core: &Reopen, from: &str) -> i64 {
    core.raw()
        .one(
            &format!("SELECT count(*) FROM {from}"),
            reopen_core::args![],
        )
        .unwrap()
}

/// Number of audit events, through the administrator's `audit_log`.
pub fn audit_len(core: &Reopen, admin: &Actor) -> usize {
    core.audit_log(admin, None, Some(500), None).unwrap().len()
}

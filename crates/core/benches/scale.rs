//! Issue 6: the use cases on a city-scale database (20,000 firms, 30,000 applications, 600,000
//! roster rows, 1,000,000 audit events) or, opt-in, a province-scale one (10× that), each against
//! the same SQL in the `sqlite3` shell.
//!
//!     cargo bench -p reopen-core --bench scale                              # city
//!     REOPEN_BENCH_SCALE=province cargo bench -p reopen-core --bench scale  # province
//!     scripts/bench-sqlite.sh city                                          # raw SQLite + the table
//!     REOPEN_BENCH_PG=postgres://… cargo bench -p reopen-core --bench scale # the same on PostgreSQL
//!     scripts/bench-pg.sh city                                              # starts a cluster, both
//!
//! On PostgreSQL (`REOPEN_BENCH_PG` names a cluster's maintenance database, as a role that may
//! create databases) the database `reopen_bench_<scale>` is the SQLite one carried over by
//! `reopen migrate` (made on first use), with the same key directory; the group is
//! `scale-<scale>-pg` and the captured statements go to `sql-<scale>-pg/`.
//!
//! The database is `target/scale/<scale>.db` (or `REOPEN_BENCH_DB`), generated on first use and
//! reused after (province: minutes and several GB). Each run adds a few hundred firms,
//! applications and certificates to it (the writes are real). Before timing a use case the bench
//! runs it once with the SQL trace on and writes the statements it executed, parameters expanded,
//! to `target/scale/sql-<scale>/<name>.sql` — the raw-SQLite side replays exactly those. Writes are
//! captured with a commit hook that turns their COMMIT into a rollback, so the file replays
//! against the unchanged database; the script runs them between BEGIN IMMEDIATE and ROLLBACK.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use reopen_core::domain::auth::Actor;
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv, generate};
use reopen_core::service::{AppFilter, Dim, NewUser, QueueFilter, StatsQuery};
use reopen_core::store::Db;
use reopen_core::{args, Reopen};
use rusqlite::trace::{TraceEvent, TraceEventCodes};

const PASSWORD: &str = "Bench-2020-pw";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0)
        .single()
        .expect("valid time")
}

fn scale() -> String {
    std::env::var("REOPEN_BENCH_SCALE").unwrap_or_else(|_| "city".into())
}

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/scale")
}

/// The PostgreSQL cluster to run on, if any.
fn pg_cluster() -> Option<String> {
    std::env::var("REOPEN_BENCH_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Opens the benchmark database on the engine asked for.
fn open(scale: &str) -> Reopen {
    let Some(cluster) = pg_cluster() else {
        return open_sqlite(scale);
    };
    let name = format!("reopen_bench_{scale}");
    let url = reopen_core::store::pg::with_dbname(&cluster, &name);
    let keys = sqlite_path(scale).with_extension("db.keys");
    let admin = reopen_core::store::pg::connect(&cluster).expect("cluster");
    let exists: Option<i64> = reopen_core::store::Db::Postgres(&admin)
        .first(
            "SELECT 1 FROM pg_database WHERE datname = ?1",
            reopen_core::args![name],
        )
        .expect("catalogue");
    if exists.is_none() {
        let mut sqlite = open_sqlite(scale);
        let a = sqlite.login("admin", PASSWORD, now()).expect("admin");
        reopen_core::store::Db::Postgres(&admin)
            .batch(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let t = std::time::Instant::now();
        let r = sqlite
            .migrate_to_postgres(&a, &url, now())
            .expect("migrate");
        eprintln!(
            "migrated into {name}: {} rows in {:.1} s",
            r.iter().map(|t| t.rows).sum::<u64>(),
            t.elapsed().as_secs_f64()
        );
        reopen_core::store::Db::Postgres(&reopen_core::store::pg::connect(&url).expect("db"))
            .batch("ANALYZE")
            .expect("analyze");
    } else {
        eprintln!("reusing {name}");
    }
    Reopen::open_db(&url, &keys).expect("open")
}

fn sqlite_path(scale: &str) -> PathBuf {
    std::env::var_os("REOPEN_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| out_dir().join(format!("{scale}.db")))
}

/// The group and capture names: `<scale>` on SQLite, `<scale>-pg` on PostgreSQL.
fn label(scale: &str) -> String {
    match pg_cluster() {
        Some(_) => format!("{scale}-pg"),
        None => scale.to_string(),
    }
}

/// Opens the SQLite benchmark database, generating it first when it does not exist.
fn open_sqlite(scale: &str) -> Reopen {
    let path = sqlite_path(scale);
    let fresh = !path.exists();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("database directory");
    }
    let mut core = Reopen::open(&path).expect("open");
    if fresh {
        core.init(Some(("admin", PASSWORD)), now()).expect("init");
        let t = std::time::Instant::now();
        let r = generate(&mut core, scale, now()).expect("generate");
        eprintln!(
            "generated {}: {} firms, {} applications, {} roster rows, {} audit events in {:.1} s",
            path.display(),
            r.firms,
            r.applications,
            r.roster_rows,
            r.audit_events,
            t.elapsed().as_secs_f64()
        );
    } else {
        eprintln!("reusing {}", path.display());
    }
    core
}

/// A user of the benchmark, added on the first run.
fn user(core: &mut Reopen, admin: &Actor, name: &str, role: &str, dep: Option<&str>) -> Actor {
    if let Ok(a) = core.login(name, PASSWORD, now()) {
        return a;
    }
    let division = (role != "reviewer").then(|| dep.unwrap_or("511802").to_string());
    let u = NewUser {
        name: name.into(),
        role: role.into(),
        department: if role == "reviewer" {
            dep.map(Into::into)
        } else {
            None
        },
        division,
        password: Some(PASSWORD.into()),
        ..Default::default()
    };
    core.user_add(admin, &u, now()).expect("user");
    core.login(name, PASSWORD, now()).expect("login")
}

static TRACE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn on_trace(e: TraceEvent<'_>) {
    if let TraceEvent::Stmt(stmt, sql) = e {
        // Statements inside triggers come as "-- TRIGGER ..." comments: they run as part of
        // the statement that fired them, in the replay too.
        if !sql.trim_start().starts_with("--") {
            let s = stmt.expanded_sql().unwrap_or_else(|| sql.to_string());
            TRACE.lock().expect("trace").push(s);
        }
    }
}

/// Runs `f` once with the SQL trace on and writes the statements to `sql-<scale>/<name>.sql`.
/// With `write`, the use case's COMMIT is turned into a rollback (its error is expected) and the
/// file ends with ROLLBACK instead, so it replays against the same database.
fn capture(core: &RefCell<Reopen>, scale: &str, name: &str, write: bool, f: impl FnOnce()) {
    TRACE.lock().expect("trace").clear();
    {
        let c = core.borrow();
        match c.raw() {
            Db::Sqlite(conn) => {
                conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(on_trace));
                if write {
                    conn.commit_hook(Some(|| true));
                }
            }
            Db::Postgres(pg) => {
                pg.trace_start();
                pg.refuse_commits(write);
            }
        }
    }
    f();
    {
        let c = core.borrow();
        match c.raw() {
            Db::Sqlite(conn) => {
                conn.trace_v2(TraceEventCodes::empty(), None);
                conn.commit_hook(None::<fn() -> bool>);
            }
            Db::Postgres(pg) => {
                pg.refuse_commits(false);
                *TRACE.lock().expect("trace") = pg.trace_take();
            }
        }
    }
    let mut text = String::new();
    for s in TRACE.lock().expect("trace").iter() {
        let s = s.trim().trim_end_matches(';');
        if s.is_empty() {
            continue;
        }
        if write && s.eq_ignore_ascii_case("COMMIT") {
            text.push_str("ROLLBACK;\n");
        } else {
            text.push_str(s);
            text.push_str(";\n");
        }
    }
    let dir = out_dir().join(format!("sql-{}", label(scale)));
    std::fs::create_dir_all(&dir).expect("sql directory");
    std::fs::write(dir.join(format!("{name}.sql")), text).expect("write sql");
}

fn benches(c: &mut Criterion) {
    let scale = scale();
    let scale = scale.as_str();
    let mut core = open(scale);
    let admin = core.login("admin", PASSWORD, now()).expect("admin");
    let jxj = user(
        &mut core,
        &admin,
        "bench_jxj",
        "reviewer",
        Some("511802-JXJ"),
    );
    let leader = user(&mut core, &admin, "bench_leader", "leader", Some("511800"));
    let clerk = user(&mut core, &admin, "bench_clerk", "clerk", Some("511802"));
    let counties: Vec<String> = core
        .raw()
        .rows(
            "SELECT DISTINCT jurisdiction FROM applications ORDER BY 1",
            args![],
            |r| r.get(0),
        )
        .expect("counties");
    let clerks: Vec<(String, Actor)> = counties
        .iter()
        .map(|d| {
            let a = user(
                &mut core,
                &admin,
                &format!("bench_clerk_{d}"),
                "clerk",
                Some(d),
            );
            (d.clone(), a)
        })
        .collect();
    let today = reopen_core::service::local_date(now());
    let core = RefCell::new(core);

    let mut g = c.benchmark_group(format!("scale-{}", label(scale)));
    g.sample_size(30).measurement_time(Duration::from_secs(4));

    let queue = QueueFilter {
        limit: Some(50),
        ..Default::default()
    };
    let stats = StatsQuery {
        from: None,
        to: None,
        by: vec![Dim::Division, Dim::Industry],
    };
    let app_page = AppFilter {
        limit: Some(50),
        ..Default::default()
    };
    type Read<'a> = Box<dyn Fn(&Reopen) + 'a>;
    let reads: Vec<(&str, Read)> = vec![
        (
            "queue",
            Box::new(|c: &Reopen| {
                c.review_queue(&jxj, &queue, now()).expect("queue");
            }),
        ),
        (
            "search_name",
            Box::new(|c: &Reopen| {
                c.firm_list(&admin, None, Some("青衣江蒙顶"), Some(50), None)
                    .expect("search");
            }),
        ),
        (
            "search_2chars",
            Box::new(|c: &Reopen| {
                c.firm_list(&admin, None, Some("蒙顶"), Some(50), None)
                    .expect("search");
            }),
        ),
        (
            "search_code",
            Box::new(|c: &Reopen| {
                c.firm_list(&admin, None, Some("91511802MB0012"), Some(50), None)
                    .expect("search");
            }),
        ),
        (
            "stats",
            Box::new(|c: &Reopen| {
                c.stats(&leader, &stats, now()).expect("stats");
            }),
        ),
        (
            "app_list",
            Box::new(|c: &Reopen| {
                c.app_list(&clerk, &app_page).expect("apps");
            }),
        ),
        (
            "audit_log",
            Box::new(|c: &Reopen| {
                c.audit_log(&admin, None, Some(50), None).expect("audit");
            }),
        ),
    ];
    for (name, f) in &reads {
        capture(&core, scale, name, false, || f(&core.borrow()));
        g.bench_function(*name, |b| {
            let c = core.borrow();
            b.iter(|| f(&c))
        });
    }

    // Writes: a fresh draft with a 500-row roster per submit; an approved application (any
    // county, through that county's clerk) per certificate.
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_millis(10));
    let n = Cell::new(
        core.borrow()
            .raw()
            .one::<u32>(
                "SELECT count(*) FROM firms WHERE name LIKE '规模测试企业%'",
                args![],
            )
            .expect("count"),
    );
    let roster = demo_roster_csv(500, 50, 5, 7, today);
    let draft = || {
        let mut c = core.borrow_mut();
        let i = n.get();
        n.set(i + 1);
        let code = demo_credit_code("511802", 60_000 + i);
        let firm = serde_json::json!({"credit_code": code, "name": format!("规模测试企业{i}"), "division": "511802",
            "township": "河北街道", "address": "雅安市雨城区", "industry": "14", "legal_representative": "张三",
            "principal": {"name": "张三", "phone": "13800000000"}, "contact": {"name": "李四", "phone": "13900000000"},
            "staff_total": 600, "city_managed": false});
        c.firm_register(&clerk, &firm, now()).expect("firm");
        let app = c
            .app_create(
                &clerk,
                &code,
                &demo_plan("production", 500, 50, 5, "张三", now()),
                now(),
            )
            .expect("app");
        c.app_roster_replace(&clerk, app.id, "r.csv", roster.as_bytes(), None, now())
            .expect("roster");
        app.id
    };
    g.bench_function("submit", |b| {
        b.iter_batched(
            draft,
            |id| {
                core.borrow_mut()
                    .app_submit(&clerk, id, None, now())
                    .expect("submit")
            },
            BatchSize::PerIteration,
        )
    });

    let approved = || -> (i64, &Actor) {
        let (id, division): (i64, String) = core
            .borrow()
            .raw()
            .row(
                "SELECT id, jurisdiction FROM applications WHERE state = 'approved' ORDER BY id DESC LIMIT 1",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("an approved application left to certify");
        let clerk = &clerks
            .iter()
            .find(|(d, _)| *d == division)
            .expect("clerk")
            .1;
        (id, clerk)
    };
    g.bench_function("cert_issue", |b| {
        b.iter_batched(
            approved,
            |(id, who)| core.borrow_mut().cert_issue(who, id, now()).expect("issue"),
            BatchSize::PerIteration,
        )
    });
    g.finish();
    // The writes' statements last, both rolled back: later real writes would take the audit
    // sequence numbers (and certificate numbers) they hold.
    let id = draft();
    capture(&core, scale, "submit", true, || {
        let _ = core.borrow_mut().app_submit(&clerk, id, None, now());
    });
    let (id, who) = approved();
    capture(&core, scale, "cert_issue", true, || {
        let _ = core.borrow_mut().cert_issue(who, id, now());
    });
}

criterion_group!(scale_benches, benches);
criterion_main!(scale_benches);

//! Criterion benchmarks on a generated city-scale database (20,000 firms, 30,000 applications,
//! 600,000 roster rows): submit with a 500-row roster, the reviewer's queue page, firm search.
//!
//!     cargo bench -p reopen-core --bench core
//!
//! Targets (issue 2): submit ≤ 50 ms; queue page (50 rows) ≤ 10 ms; firm search ≤ 20 ms. The
//! queue's count (issue 15) is read with every page, so it shares the page's budget.
//! Issue 5: importing a 5,000-row .xlsx roster ≤ 1 s; statistics for one day by county × industry
//! ≤ 100 ms.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv, generate};
use reopen_core::service::{Dim, NewUser, QueueFilter, StatsQuery, StatusFilter};
use reopen_core::Reopen;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0)
        .single()
        .expect("valid time")
}

fn city() -> (tempfile::TempDir, Reopen) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut core = Reopen::open(&dir.path().join("city.db")).expect("open");
    core.init(Some(("admin", "Chief-2020x")), now())
        .expect("init");
    let t = std::time::Instant::now();
    let r = generate(&mut core, "city", now()).expect("generate");
    eprintln!(
        "generated {} firms, {} applications, {} roster rows in {:.1} s",
        r.firms,
        r.applications,
        r.roster_rows,
        t.elapsed().as_secs_f64()
    );
    (dir, core)
}

fn benches(c: &mut Criterion) {
    let (_dir, mut core) = city();
    let admin = core.login("admin", "Chief-2020x", now()).expect("admin");
    for (name, dep) in [("swj", "511802-SWJ"), ("jxj", "511802-JXJ")] {
        let u = NewUser {
            name: name.into(),
            role: "reviewer".into(),
            department: Some(dep.into()),
            password: Some("Passw0rd-x".into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now()).expect("reviewer");
    }
    let u = NewUser {
        name: "clerk".into(),
        role: "clerk".into(),
        division: Some("511802".into()),
        password: Some("Passw0rd-x".into()),
        ..Default::default()
    };
    core.user_add(&admin, &u, now()).expect("clerk");
    let jxj = core.login("jxj", "Passw0rd-x", now()).expect("login");
    let clerk = core.login("clerk", "Passw0rd-x", now()).expect("login");

    c.bench_function("review_queue page of 50 (city)", |b| {
        let f = QueueFilter {
            limit: Some(50),
            ..Default::default()
        };
        b.iter(|| core.review_queue(&jxj, &f, now()).expect("queue"))
    });
    c.bench_function("review_queue pending only (city)", |b| {
        let f = QueueFilter {
            pending: Some(true),
            limit: Some(50),
            ..Default::default()
        };
        b.iter(|| core.review_queue(&jxj, &f, now()).expect("queue"))
    });
    // The pager's 共 N 条 beside each queue page (issue 15): the same WHERE, counted.
    c.bench_function("review_queue_count all (city)", |b| {
        b.iter(|| {
            core.review_queue_count(&jxj, &QueueFilter::default(), now())
                .expect("count")
        })
    });
    c.bench_function("review_queue_count pending only (city)", |b| {
        let f = QueueFilter {
            pending: Some(true),
            ..Default::default()
        };
        b.iter(|| core.review_queue_count(&jxj, &f, now()).expect("count"))
    });
    c.bench_function("firm search name fragment, trigram (city)", |b| {
        b.iter(|| {
            core.firm_list(&admin, None, Some("青衣江蒙顶"), Some(50), None)
                .expect("search")
        })
    });
    c.bench_function("firm search two characters (city)", |b| {
        b.iter(|| {
            core.firm_list(&admin, None, Some("蒙顶"), Some(50), None)
                .expect("search")
        })
    });
    c.bench_function("firm search credit-code prefix (city)", |b| {
        b.iter(|| {
            core.firm_list(&admin, None, Some("91511802MB0012"), Some(50), None)
                .expect("search")
        })
    });

    let leader = {
        let u = NewUser {
            name: "leader".into(),
            role: "leader".into(),
            division: Some("511800".into()),
            password: Some("Passw0rd-x".into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now()).expect("leader");
        core.login("leader", "Passw0rd-x", now()).expect("login")
    };
    let reports: i64 = core
        .raw()
        .one("SELECT count(*) FROM daily_reports", reopen_core::args![])
        .expect("count");
    eprintln!("{reports} daily reports");
    c.bench_function("stats one day by county x industry (city)", |b| {
        let q = StatsQuery {
            from: None,
            to: None,
            by: vec![Dim::Division, Dim::Industry],
        };
        b.iter(|| core.stats(&leader, &q, now()).expect("stats"))
    });
    c.bench_function("stats 14 days by county (city)", |b| {
        let today = reopen_core::service::local_date(now());
        let q = StatsQuery {
            from: Some(today - chrono::Duration::days(13)),
            to: Some(today),
            by: vec![Dim::Division],
        };
        b.iter(|| core.stats(&leader, &q, now()).expect("stats"))
    });
    c.bench_function(
        "daily-report compliance of one day, page of 50 (city)",
        |b| {
            let f = StatusFilter {
                limit: Some(50),
                ..Default::default()
            };
            b.iter(|| core.daily_status(&leader, &f, now()).expect("status"))
        },
    );

    let n = Cell::new(0u32);
    let today = reopen_core::service::local_date(now());
    let roster = demo_roster_csv(500, 50, 5, 7, today);
    let core = RefCell::new(core);
    c.bench_function("submit with a 500-row roster (city)", |b| {
        b.iter_batched(
            || {
                let mut core = core.borrow_mut();
                let code = new_firm(&mut core, &clerk, &n, 600);
                let app = core
                    .app_create(
                        &clerk,
                        &code,
                        &demo_plan("production", 500, 50, 5, "张三", now()),
                        now(),
                    )
                    .expect("app");
                core.app_roster_replace(&clerk, app.id, "r.csv", roster.as_bytes(), None, now())
                    .expect("roster");
                app.id
            },
            |id| {
                core.borrow_mut()
                    .app_submit(&clerk, id, None, now())
                    .expect("submit")
            },
            BatchSize::PerIteration,
        )
    });

    // Issue 5: a 5,000-row roster as a workbook, read (calamine), checked and stored, ≤ 1 s.
    let xlsx = roster_xlsx(&demo_roster_csv(5_000, 500, 50, 11, today));
    eprintln!("5,000-row roster workbook: {} KB", xlsx.len() / 1024);
    c.bench_function("import a 5,000-row .xlsx roster (city)", |b| {
        b.iter_batched(
            || {
                let mut core = core.borrow_mut();
                let code = new_firm(&mut core, &clerk, &n, 6000);
                core.app_create(
                    &clerk,
                    &code,
                    &demo_plan("production", 5_000, 500, 50, "张三", now()),
                    now(),
                )
                .expect("app")
                .id
            },
            |id| {
                core.borrow_mut()
                    .app_roster_replace(&clerk, id, "花名册.xlsx", &xlsx, None, now())
                    .expect("roster")
            },
            BatchSize::PerIteration,
        )
    });
}

/// Registers the next benchmark firm (numbered by `n`) through the clerk; returns its credit code.
fn new_firm(
    core: &mut Reopen,
    clerk: &reopen_core::domain::auth::Actor,
    n: &Cell<u32>,
    staff: u32,
) -> String {
    let i = n.get();
    n.set(i + 1);
    let code = demo_credit_code("511802", 50_000 + i);
    let firm = serde_json::json!({"credit_code": code, "name": format!("基准测试企业{i}"), "division": "511802",
        "township": "河北街道", "address": "雅安市雨城区", "industry": "14", "legal_representative": "张三",
        "principal": {"name": "张三", "phone": "13800000000"}, "contact": {"name": "李四", "phone": "13900000000"},
        "staff_total": staff, "city_managed": false});
    core.firm_register(clerk, &firm, now()).expect("firm");
    code
}

/// The demo roster CSV as a workbook, every cell text (as a careful office types ID numbers).
fn roster_xlsx(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.trim_start_matches('\u{feff}').lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, v).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

criterion_group! {
    name = core_benches;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(core_benches);

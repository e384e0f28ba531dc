//! Issue 6: every list use case reads the big tables through an index. Each use case runs on the
//! small demo database with the SQL trace on; every statement it executed (parameters expanded) is
//! put through EXPLAIN QUERY PLAN, and a full read of a big table fails the test unless the
//! statement is in `ALLOWED` with its reason. A full read is a `SCAN` of the table itself, or a
//! `SCAN … USING INDEX` (not covering) in a plan that sorts with a temporary B-tree anyway — the
//! index then gives no order to stop early at the LIMIT, only a slower way to read every row.
//! No ANALYZE is run anywhere, so the planner's choices do not depend on the row counts: what holds
//! here holds at city scale. The expanded statement is explained: the values do not change the plan
//! (the `(?1 IS NULL OR x = ?1)` form is no better with the value written in, see ALLOWED).
//!
//!     cargo test -p reopen-core --test core query_plans -- --nocapture   # prints every plan

use std::collections::BTreeSet;
use std::sync::Mutex;

use reopen_core::domain::daily::DayStatus;
use reopen_core::service::demo::generate;
use reopen_core::service::{AppFilter, Dim, QueueFilter, StatsQuery, StatusFilter};
use reopen_core::Reopen;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

use super::*;

const BIG: &[&str] = &[
    "applications",
    "roster_entries",
    "submissions",
    "review_tasks",
    "audit_events",
    "daily_reports",
    "certificates",
    "firms",
];

/// Why the city-wide certificate lists (unfiltered, by state, unprinted) may scan.
const CITY_WIDE_CERT_LIST: &str =
    "the city-wide list (leader, administrator) pages in id (rowid) order and stops after the \
     page; with a state filter it may walk further, over one row per certificate ever issued \
     (thousands, not millions). A county's list (c.jurisdiction = ?) must search \
     certificates_jurisdiction: it is not allowed here";

/// Full scans allowed: (use case, scanned table, a fragment of the statement, why). Those marked
/// KNOWN are real costs found by this test and left for their owners (docs/benchmarks.md).
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "audit_log page",
        "audit_events",
        "FROM audit_events ORDER BY seq DESC LIMIT",
        "newest first by seq, the rowid: the scan starts at the last event and stops after the \
         page (0.1 ms at 1,000,000 events)",
    ),
    (
        "cert_list",
        "certificates",
        "WHERE TRUE ORDER BY c.id LIMIT",
        CITY_WIDE_CERT_LIST,
    ),
    (
        "cert_list",
        "certificates",
        "WHERE TRUE AND c.state = ",
        CITY_WIDE_CERT_LIST,
    ),
    (
        "cert_list",
        "certificates",
        "WHERE TRUE AND NOT EXISTS",
        CITY_WIDE_CERT_LIST,
    ),
];

static TRACE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn on_trace(e: TraceEvent<'_>) {
    if let TraceEvent::Stmt(stmt, sql) = e {
        if !sql.trim_start().starts_with("--") {
            let s = stmt.expanded_sql().unwrap_or_else(|| sql.to_string());
            TRACE.lock().unwrap().push(s);
        }
    }
}

/// The statements `f` executed on `core`'s connection, in order, without repeats.
fn traced<T>(core: &Reopen, f: impl FnOnce(&Reopen) -> T) -> Vec<String> {
    TRACE.lock().unwrap().clear();
    let sqlite = core.raw().sqlite().expect("query plans are SQLite's");
    sqlite.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(on_trace));
    f(core);
    sqlite.trace_v2(TraceEventCodes::empty(), None);
    let mut seen = BTreeSet::new();
    TRACE
        .lock()
        .unwrap()
        .drain(..)
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// Alias → table for the big tables named in `sql` (`FROM review_tasks t JOIN applications a`).
fn aliases(sql: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let keyword = |w: &str| {
        [
            "WHERE",
            "JOIN",
            "ON",
            "LEFT",
            "INNER",
            "CROSS",
            "GROUP",
            "ORDER",
            "LIMIT",
            "UNION",
            "USING",
            "SET",
            "VALUES",
            "AND",
            "OR",
            "AS",
            "SELECT",
            "FROM",
            "WINDOW",
            "NOT",
            "INDEXED",
            "EXCEPT",
            "INTERSECT",
            "HAVING",
        ]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(w))
    };
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(t) = BIG.iter().find(|t| t.eq_ignore_ascii_case(w)) {
            out.push((t.to_string(), t.to_string()));
            let mut j = i + 1;
            if words.get(j).is_some_and(|w| w.eq_ignore_ascii_case("AS")) {
                j += 1;
            }
            if let Some(a) = words.get(j).filter(|a| !keyword(a)) {
                out.push((a.to_string(), t.to_string()));
            }
        }
    }
    out
}

/// The EXPLAIN QUERY PLAN lines of `sql`, indented by depth.
fn plan(core: &Reopen, sql: &str) -> Vec<String> {
    let mut st = core
        .raw()
        .sqlite()
        .expect("query plans are SQLite's")
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows: Vec<(i64, i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut depth = std::collections::HashMap::new();
    rows.into_iter()
        .map(|(id, parent, detail)| {
            let d = depth.get(&parent).map_or(0, |d| d + 1);
            depth.insert(id, d);
            format!("{}{detail}", "  ".repeat(d))
        })
        .collect()
}

/// The big table a plan line reads in full, if it does; `sorts`: the plan sorts with a temporary
/// B-tree for its ORDER BY.
fn full_scan(line: &str, sql: &str, sorts: bool) -> Option<String> {
    let rest = line.trim_start().strip_prefix("SCAN ")?;
    if rest.contains("USING COVERING INDEX") || (rest.contains("USING INDEX") && !sorts) {
        return None;
    }
    let name = rest.split_whitespace().next()?;
    aliases(sql)
        .into_iter()
        .find(|(a, _)| a == name)
        .map(|(_, t)| t)
}

#[test]
fn every_list_query_reads_big_tables_through_an_index() -> R {
    if pg_cluster().is_some() {
        return Ok(()); // EXPLAIN QUERY PLAN and the statement trace are SQLite's
    }
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let report = generate(&mut core, "small", now())?;
    let pw = |name: &str| {
        report
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.password.clone())
            .unwrap()
    };
    let swj = core.login("yc_swj", &pw("yc_swj"), now())?;
    let clerk = core.login("yc_clerk", &pw("yc_clerk"), now())?;
    let leader = core.login("ya_leader", &pw("ya_leader"), now())?;
    let firm = core.login("firm1", &pw("firm1"), now())?;
    let code: String = core.raw().one(
        "SELECT credit_code FROM firms ORDER BY id LIMIT 1",
        reopen_core::args![],
    )?;
    let app_id: i64 = core.raw().one(
        "SELECT id FROM applications ORDER BY id LIMIT 1",
        reopen_core::args![],
    )?;
    let page = |f: QueueFilter| QueueFilter {
        limit: Some(50),
        ..f
    };
    type Case = (String, Box<dyn Fn(&Reopen)>);
    let mut cases: Vec<Case> = Vec::new();
    let mut case = |name: &str, f: Box<dyn Fn(&Reopen)>| cases.push((name.to_string(), f));
    for (label, f) in [
        ("all", QueueFilter::default()),
        (
            "pending",
            QueueFilter {
                pending: Some(true),
                ..Default::default()
            },
        ),
        (
            "decided",
            QueueFilter {
                pending: Some(false),
                ..Default::default()
            },
        ),
        (
            "category",
            QueueFilter {
                category: Some("general".into()),
                ..Default::default()
            },
        ),
        (
            "overdue",
            QueueFilter {
                overdue: Some(true),
                ..Default::default()
            },
        ),
        (
            "green channel",
            QueueFilter {
                green_channel: Some(true),
                ..Default::default()
            },
        ),
        (
            "search, trigram",
            QueueFilter {
                search: Some("惠民超市".into()),
                ..Default::default()
            },
        ),
        (
            "search, two characters",
            QueueFilter {
                search: Some("雨城".into()),
                ..Default::default()
            },
        ),
        (
            "search, credit-code prefix",
            QueueFilter {
                search: Some("91511802MA".into()),
                ..Default::default()
            },
        ),
    ] {
        let f = page(f);
        let swj = swj.clone();
        case(
            &format!("review_queue {label}"),
            Box::new(move |c| {
                c.review_queue(&swj, &f, now()).unwrap();
                c.review_queue_count(&swj, &f, now()).unwrap();
            }),
        );
    }
    for (label, div, q) in [
        ("name, trigram", None, Some("惠民超市")),
        ("name, two characters", None, Some("雨城")),
        ("credit-code prefix", None, Some("91511802MA")),
        ("division", Some("511802"), None),
        ("all", None, None),
    ] {
        let admin = admin.clone();
        case(
            &format!("firm_list {label}"),
            Box::new(move |c| {
                c.firm_list(&admin, div, q, Some(50), None).unwrap();
            }),
        );
    }
    let app_filters = [
        ("all", AppFilter::default()),
        (
            "state",
            AppFilter {
                state: Some("in_review".into()),
                ..Default::default()
            },
        ),
        (
            "division",
            AppFilter {
                division: Some("511802".into()),
                ..Default::default()
            },
        ),
        (
            "department",
            AppFilter {
                department: Some("511802-SWJ".into()),
                ..Default::default()
            },
        ),
        (
            "firm",
            AppFilter {
                firm: Some(code.clone()),
                ..Default::default()
            },
        ),
    ];
    for (who, actor) in [
        ("admin", &admin),
        ("clerk", &clerk),
        ("leader", &leader),
        ("reviewer", &swj),
        ("firm", &firm),
    ] {
        for (label, f) in &app_filters {
            if who != "admin" && *label != "all" && *label != "state" {
                continue;
            }
            let f = AppFilter {
                limit: Some(50),
                ..f.clone()
            };
            let actor = actor.clone();
            case(
                &format!("app_list {who} {label}"),
                Box::new(move |c| {
                    c.app_list(&actor, &f).unwrap();
                }),
            );
        }
    }
    for (label, state, unprinted) in [
        ("all", None, false),
        ("issued", Some("issued"), false),
        ("unprinted", None, true),
    ] {
        for (who, actor) in [("clerk", &clerk), ("leader", &leader), ("admin", &admin)] {
            let actor = actor.clone();
            case(
                &format!("cert_list {who} {label}"),
                Box::new(move |c| {
                    c.cert_list(&actor, state, unprinted, Some(50), None)
                        .unwrap();
                }),
            );
        }
    }
    {
        let a = admin.clone();
        case(
            "audit_log page",
            Box::new(move |c| {
                c.audit_log(&a, None, Some(50), None).unwrap();
            }),
        );
        let admin = admin.clone();
        let record = format!("app:{app_id}");
        case(
            "audit_log of a record",
            Box::new(move |c| {
                c.audit_log(&admin, Some(&record), Some(50), None).unwrap();
            }),
        );
    }
    for (label, status) in [("all", None), ("overdue", Some(DayStatus::Overdue))] {
        for (who, actor) in [("leader", &leader), ("clerk", &clerk), ("reviewer", &swj)] {
            let actor = actor.clone();
            case(
                &format!("daily_status {who} {label}"),
                Box::new(move |c| {
                    let f = StatusFilter {
                        status,
                        limit: Some(50),
                        ..Default::default()
                    };
                    c.daily_status(&actor, &f, now()).unwrap();
                }),
            );
        }
    }
    for (label, by, days) in [
        (
            "one day by county x industry",
            vec![Dim::Division, Dim::Industry],
            0,
        ),
        ("14 days by county", vec![Dim::Division], 13),
    ] {
        for (who, actor) in [("leader", &leader), ("clerk", &clerk)] {
            let actor = actor.clone();
            let q = StatsQuery {
                from: Some(today() - Duration::days(days)),
                to: Some(today()),
                by: by.clone(),
            };
            case(
                &format!("stats {who} {label}"),
                Box::new(move |c| {
                    c.stats(&actor, &q, now()).unwrap();
                }),
            );
        }
    }
    for (who, actor) in [("leader", &leader), ("clerk", &clerk), ("admin", &admin)] {
        let actor = actor.clone();
        case(
            &format!("dashboard {who}"),
            Box::new(move |c| {
                c.dashboard(&actor, None, None, now()).unwrap();
            }),
        );
    }

    let mut checked = BTreeSet::new();
    let mut failures = Vec::new();
    let mut allowed_used = BTreeSet::new();
    for (name, f) in &cases {
        let statements = traced(&core, |c| f(c));
        println!("\n=== {name}: {} statements", statements.len());
        for sql in statements {
            let lines = plan(&core, &sql);
            let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            println!("  {one_line}");
            for l in &lines {
                println!("    {l}");
            }
            checked.insert(one_line.clone());
            let sorts = lines
                .iter()
                .any(|l| l.contains("USE TEMP B-TREE FOR ORDER BY"));
            // The reviewer's queue sorts only its page: each part (pending, decided) is read in
            // index order and cut at the page's end, and only what they return is sorted — not
            // every task the department ever had (86 ms at province scale before).
            if name.starts_with("review_queue") {
                let inner_sort = lines
                    .iter()
                    .any(|l| l.starts_with(' ') && l.contains("USE TEMP B-TREE"));
                let over_parts = lines
                    .iter()
                    .any(|l| l.starts_with("SCAN q") || l.starts_with("SCAN (subquery"));
                if inner_sort || (sorts && !over_parts) {
                    failures.push(format!("{name}: sorts more than its page in {one_line}"));
                }
            }
            for l in &lines {
                if let Some(table) = full_scan(l, &sql, sorts) {
                    let allow = ALLOWED.iter().position(|(case, t, frag, _)| {
                        name.starts_with(case) && *t == table && one_line.contains(frag)
                    });
                    match allow {
                        Some(i) => {
                            allowed_used.insert(i);
                            println!("    ^ allowed: {}", ALLOWED[i].3);
                        }
                        None => failures.push(format!("{name}: {l:?} in {one_line}")),
                    }
                }
            }
        }
    }
    println!(
        "\n{} use-case runs, {} distinct statements checked, allow-list entries used: {:?}",
        cases.len(),
        checked.len(),
        allowed_used
    );
    assert!(
        failures.is_empty(),
        "full scans of big tables:\n{}",
        failures.join("\n")
    );
    Ok(())
}

//! A bounded load test of `reopen serve` (issue 14): simulated users of the city, each a thread
//! with its own client and session, for a fixed time, then a table of throughput and latency per
//! operation. Run by `scripts/bench-load.sh`, which starts the PostgreSQL cluster, carries the
//! city-scale database over and starts a release server; by hand:
//!
//!     REOPEN_LOAD_URL=https://127.0.0.1:18443 REOPEN_LOAD_FINGERPRINT=… \
//!       REOPEN_LOAD_ADMIN_PASSWORD=… cargo run --release -p reopen-client --example load
//!
//! (An example built with the release profile, not a criterion bench: it shares the release
//! build of the server it measures.)
//!
//! Users (200 by default, REOPEN_LOAD_USERS): 40 % firms (each registers a firm, creates its
//! application, uploads a 500-row roster and submits, then follows its status), 30 % reviewers
//! (page their queue, open the first application, decide it), 20 % clerks (list approved
//! applications, issue and print a certificate), 10 % leaders (statistics). Between two actions
//! each waits as a person at work does (REOPEN_LOAD_PACE=office, the default): a firm 2–6 s
//! (it fills in forms), a reviewer or a clerk 1–4 s, a leader 10–30 s (a dashboard is read, not
//! reloaded). REOPEN_LOAD_PACE=flat makes every user wait 0.5–1.5 s, several times faster than
//! anyone types: the machine's saturation, not an office's day. Two reviewers or clerks taking the same item at once get a
//! conflict: expected, counted apart. Anything else that fails is an error.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use reopen_client::{Remote, Trust};
use reopen_core::api;
use reopen_core::error::{ErrorKind, Lang};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{AppFilter, Decision, NewUser, QueueFilter, StatsQuery};

const PASSWORD: &str = "Load-2020-pw";

#[derive(Default)]
struct Tally {
    ok: Vec<Duration>,
    conflicts: u64,
    errors: Vec<String>,
}

type Book = Arc<Mutex<BTreeMap<&'static str, Tally>>>;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (see scripts/bench-load.sh)"))
}

fn client() -> Remote {
    Remote::new(
        &env("REOPEN_LOAD_URL"),
        Trust::Fingerprint(env("REOPEN_LOAD_FINGERPRINT")),
        Lang::Zh,
    )
    .expect("client")
}

/// Times `f` under `name`; a conflict is expected, anything else is an error.
fn timed<T>(
    book: &Book,
    name: &'static str,
    f: impl FnOnce() -> reopen_core::Result<T>,
) -> Option<T> {
    let t = Instant::now();
    let r = f();
    let d = t.elapsed();
    let mut b = book.lock().expect("book");
    let tally = b.entry(name).or_default();
    match r {
        Ok(v) => {
            tally.ok.push(d);
            Some(v)
        }
        Err(e) if e.kind == ErrorKind::Conflict => {
            tally.conflicts += 1;
            None
        }
        Err(e) => {
            let fields: Vec<String> = e
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.zh))
                .collect();
            tally
                .errors
                .push(format!("{} {}", e.message.zh, fields.join("; ")));
            None
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Role {
    Firm,
    Reviewer,
    Clerk,
    Leader,
}

struct User {
    name: String,
    role: Role,
    /// The division (clerk) or department (reviewer).
    place: String,
}

/// The administrator adds the users; each changes its initial password.
fn add_users(admin: &Remote, n: usize) -> Vec<User> {
    let departments: Vec<String> = admin
        .call(&api::DepartmentList { division: None })
        .expect("departments")
        .into_iter()
        .filter(|d| d.active)
        .map(|d| d.code)
        .collect();
    let divisions: Vec<String> = {
        let mut v: Vec<String> = departments
            .iter()
            .filter_map(|d| d.split('-').next().map(str::to_string))
            .filter(|d| d != "511800")
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let stamp = std::process::id();
    (0..n)
        .map(|i| {
            let k = i % 10;
            let (role, place) = match k {
                0..=3 => (Role::Firm, String::new()),
                4..=6 => (Role::Reviewer, departments[i % departments.len()].clone()),
                7 | 8 => (Role::Clerk, divisions[i % divisions.len()].clone()),
                _ => (Role::Leader, "511800".to_string()),
            };
            let name = format!("load{stamp}_{i}");
            let user = NewUser {
                name: name.clone(),
                role: match role {
                    Role::Firm => "firm",
                    Role::Reviewer => "reviewer",
                    Role::Clerk => "clerk",
                    Role::Leader => "leader",
                }
                .into(),
                department: matches!(role, Role::Reviewer).then(|| place.clone()),
                division: matches!(role, Role::Clerk | Role::Leader).then(|| place.clone()),
                password: Some(format!("{PASSWORD}-0")),
                ..Default::default()
            };
            admin.call(&api::UserAdd { user }).expect("user add");
            User { name, role, place }
        })
        .collect()
}

/// Logs in with the initial password, changes it, and logs in again.
fn log_in(name: &str) -> Remote {
    let mut c = client();
    c.login(name, &format!("{PASSWORD}-0"))
        .expect("first login");
    c.call(&api::UserPassword {
        name: name.into(),
        new: Some(PASSWORD.into()),
    })
    .expect("password");
    let mut c = client();
    c.login(name, PASSWORD).expect("login");
    c
}

/// How long a user waits between two actions, in milliseconds.
type Pace = std::ops::Range<u64>;

fn pace(role: &Role) -> Pace {
    if std::env::var("REOPEN_LOAD_PACE").as_deref() == Ok("flat") {
        return 500..1500;
    }
    match role {
        Role::Firm => 2000..6000,
        Role::Reviewer | Role::Clerk => 1000..4000,
        Role::Leader => 10_000..30_000,
    }
}

fn think(rng: &mut impl Rng, pace: &Pace) {
    std::thread::sleep(Duration::from_millis(rng.gen_range(pace.clone())));
}

/// The server's clock as the script set it (REOPEN_NOW), else now: what plans are dated.
fn server_now() -> chrono::DateTime<chrono::Utc> {
    std::env::var("REOPEN_NOW")
        .ok()
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(chrono::Utc::now)
}

fn run_user(u: &User, c: Remote, i: usize, book: &Book, until: Instant) {
    let mut rng = rand::thread_rng();
    let today = reopen_core::time::local_date(server_now());
    let roster = demo_roster_csv(500, 50, 5, i as u32, today);
    let mut filed: Option<i64> = None;
    let pace = pace(&u.role);
    while Instant::now() < until {
        think(&mut rng, &pace);
        match u.role {
            Role::Firm => match filed {
                Some(id) => {
                    timed(book, "app_show", || c.call(&api::AppShow { id }));
                }
                None => {
                    let code = demo_credit_code(
                        "511802",
                        80_000 + (std::process::id() % 1000) * 100 + i as u32,
                    );
                    let firm = serde_json::json!({"credit_code": code, "name": format!("负载测试企业{}号{i}", std::process::id()),
                        "division": "511802", "township": "河北街道", "address": "雅安市雨城区", "industry": "14",
                        "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
                        "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 600, "city_managed": false});
                    if timed(book, "firm_register", || {
                        c.call(&api::FirmRegister { firm })
                    })
                    .is_none()
                    {
                        return;
                    }
                    think(&mut rng, &pace);
                    let plan = demo_plan("production", 500, 50, 5, "张三", server_now());
                    let Some(app) = timed(book, "app_create", || {
                        c.call(&api::AppCreate {
                            credit_code: code.clone(),
                            plan,
                        })
                    }) else {
                        return;
                    };
                    think(&mut rng, &pace);
                    timed(book, "roster_500", || {
                        c.call(&api::AppRosterReplace {
                            id: app.id,
                            file_name: "roster.csv".into(),
                            bytes: roster.clone().into_bytes().into(),
                            expect_version: None,
                        })
                    });
                    think(&mut rng, &pace);
                    timed(book, "submit", || {
                        c.call(&api::AppSubmit {
                            id: app.id,
                            expect_version: None,
                        })
                    });
                    filed = Some(app.id);
                }
            },
            Role::Reviewer => {
                let filter = QueueFilter {
                    pending: Some(true),
                    limit: Some(50),
                    ..Default::default()
                };
                let Some(queue) = timed(book, "queue", || c.call(&api::ReviewQueue { filter }))
                else {
                    continue;
                };
                let Some(row) = queue
                    .get(rng.gen_range(0..queue.len().clamp(1, 5)))
                    .or(queue.first())
                else {
                    continue;
                };
                let id = row.application_id;
                think(&mut rng, &pace);
                let Some(app) = timed(book, "app_show", || c.call(&api::AppShow { id })) else {
                    continue;
                };
                think(&mut rng, &pace);
                let decision = Decision {
                    verdict: "approve".into(),
                    opinion: "同意复工".into(),
                    headcount: Some(allowed(&app.plan.headcount).into()),
                    conditions: None,
                    expect_version: None,
                };
                timed(book, "decide", || {
                    c.call(&api::ReviewDecide { id, decision })
                });
            }
            Role::Clerk => {
                let filter = AppFilter {
                    state: Some("approved".into()),
                    division: Some(u.place.clone()),
                    limit: Some(20),
                    ..Default::default()
                };
                let Some(apps) = timed(book, "app_list", || c.call(&api::AppList { filter }))
                else {
                    continue;
                };
                let Some(app) = apps
                    .get(rng.gen_range(0..apps.len().clamp(1, 5)))
                    .or(apps.first())
                else {
                    continue;
                };
                let app_id = app.id;
                think(&mut rng, &pace);
                let Some(cert) = timed(book, "cert_issue", || c.call(&api::CertIssue { app_id }))
                else {
                    continue;
                };
                timed(book, "cert_print", || {
                    c.call(&api::CertPrint {
                        number: cert.number.clone(),
                    })
                });
            }
            Role::Leader => {
                timed(book, "stats", || {
                    c.call(&api::StatsOp {
                        query: StatsQuery::default(),
                    })
                });
            }
        }
    }
}

/// The most a reviewer may approve: the planned headcount without the staff from key areas
/// still under observation.
fn allowed(h: &reopen_core::domain::plan::Headcounts) -> u32 {
    h.planned
        .saturating_sub(h.key_area + h.under_observation)
        .max(1)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn server_memory() -> Option<String> {
    let pid = std::env::var("REOPEN_LOAD_SERVER_PID").ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
    };
    Some(format!(
        "server memory: VmHWM (peak RSS) {}, VmRSS now {}",
        field("VmHWM:")?,
        field("VmRSS:")?
    ))
}

fn main() {
    let users: usize = std::env::var("REOPEN_LOAD_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let secs: u64 = std::env::var("REOPEN_LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let mut admin = client();
    admin
        .login("admin", &env("REOPEN_LOAD_ADMIN_PASSWORD"))
        .expect("admin login");
    let t = Instant::now();
    let list = add_users(&admin, users);
    eprintln!(
        "{} users added in {:.1} s",
        list.len(),
        t.elapsed().as_secs_f64()
    );
    // Everyone logs in (and changes the initial password) before the clock starts: a morning's
    // logins are not what is measured.
    let t = Instant::now();
    let sessions: Vec<(User, Remote)> = list
        .into_iter()
        .map(|u| {
            let c = log_in(&u.name);
            (u, c)
        })
        .collect();
    eprintln!(
        "{} users logged in in {:.1} s",
        sessions.len(),
        t.elapsed().as_secs_f64()
    );
    if let Some(m) = server_memory() {
        eprintln!("after the logins, {m}");
    }
    let book: Book = Default::default();
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let threads: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, (u, c))| {
            let book = book.clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || run_user(&u, c, i, &book, until))
                .expect("thread")
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let wall = started.elapsed().as_secs_f64();
    let paced = match std::env::var("REOPEN_LOAD_PACE").as_deref() {
        Ok("flat") => "every user waits 0.5-1.5 s between actions",
        _ => "office pace: firms wait 2-6 s between actions, reviewers and clerks 1-4 s, leaders 10-30 s",
    };
    println!("\n{users} users for {wall:.0} s ({paced})\n");
    println!("| operation | done | per second | p50 | p95 | p99 | conflicts | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut errors = 0;
    for (name, tally) in book.lock().expect("book").iter_mut() {
        tally.ok.sort();
        let n = tally.ok.len();
        println!(
            "| {name} | {n} | {:.1} | {:.1} ms | {:.1} ms | {:.1} ms | {} | {} |",
            n as f64 / wall,
            percentile(&tally.ok, 0.50),
            percentile(&tally.ok, 0.95),
            percentile(&tally.ok, 0.99),
            tally.conflicts,
            tally.errors.len()
        );
        errors += tally.errors.len();
        for e in tally.errors.iter().take(3) {
            eprintln!("  {name}: {e}");
        }
    }
    if let Some(m) = server_memory() {
        println!("\n{m}");
    }
    assert_eq!(errors, 0, "errors other than expected conflicts");
}

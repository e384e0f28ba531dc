//! Crash safety: writers killed with SIGKILL at random moments, and power cuts simulated by copying
//! the database while a writer is frozen (SIGSTOP), with and without a torn last WAL transaction.
//!
//! The test binary re-executes itself as the writer: `current_exe() --exact child --nocapture`
//! with `CRASH_CHILD=<database>` and `CRASH_SEED=<n>`. The writer logs in as a clerk and two
//! reviewers and loops over real use cases (firm registration, application create/roster/submit,
//! review decisions, certificate issues, daily reports), printing `ACK <kind> ...` on stdout after
//! each use case returned Ok. The parent kills it after a random delay, reopens the database and
//! checks that every acknowledged write is there as acknowledged, that nothing is half-written
//! (each record has its audit event, no application in an impossible state), that certificate
//! numbers are gapless, `PRAGMA integrity_check` and the audit chain.
//!
//!     cargo test -p reopen-core --test crash -- --nocapture                    # 25 trials
//!     CRASH_TRIALS=200 cargo test -p reopen-core --release --test crash -- --nocapture
//!     CRASH_SEED=12345 ...                                                     # replay a seed
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod threads;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reopen_core::domain::auth::Actor;
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, Decision, NewUser};
use reopen_core::Reopen;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

pub type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub const ADMIN_PW: &str = "Chief-2020x";
pub const PW: &str = "Passw0rd-x";
const CHILD_ENV: &str = "CRASH_CHILD";
const SEED_ENV: &str = "CRASH_SEED";
/// Reports are filed for these days (the applications reopen on 2020-02-08).
const REPORT_DAYS: i64 = 8;

/// 2020-02-05T01:00:00Z (09:00 in Ya'an).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap()
}

/// When the daily reports are filed: 2020-02-16 09:00 in Ya'an.
fn report_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 16, 1, 0, 0).single().unwrap()
}

fn first_report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 8).unwrap()
}

/// xorshift64*: a small seeded generator, enough to pick delays and actions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The writer (child process)
// ---------------------------------------------------------------------------------------------

/// The child's entry point: a no-op in a normal test run.
#[test]
fn child() {
    let Some(db) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let seed = env_u64(SEED_ENV).unwrap_or(1);
    if let Err(e) = writer(Path::new(&db), seed) {
        panic!("writer failed: {e}");
    }
}

/// One line on the real stdout, flushed (a pipe write of one line is atomic).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(format!("{line}\n").as_bytes()).unwrap();
    out.flush().unwrap();
}

struct Staff {
    clerk: Actor,
    swj: Actor,
    zhb: Actor,
}

fn login_staff(core: &mut Reopen) -> R<Staff> {
    Ok(Staff {
        clerk: core.login("clerk", PW, now())?,
        swj: core.login("swj", PW, now())?,
        zhb: core.login("zhb", PW, now())?,
    })
}

fn writer(db: &Path, seed: u64) -> R {
    let mut core = Reopen::open(db)?;
    let staff = login_staff(&mut core)?;
    // libtest may have written "test child ... " without a newline: start on a fresh line.
    say("\nREADY");
    let mut rng = Rng::new(seed);
    loop {
        if let Some(ack) = step(&mut core, &staff, &mut rng)? {
            say(&format!("ACK {ack}"));
        }
    }
}

fn firm_json(code: &str, name: &str) -> Value {
    json!({"credit_code": code, "name": name, "division": "511802", "township": "河北街道",
        "address": "雅安市雨城区青衣江路1号", "industry": "52", "legal_representative": "王建国",
        "principal": {"name": "王建国", "phone": "13800000000"},
        "contact": {"name": "李防疫", "phone": "13900000000"},
        "staff_total": 50, "city_managed": false})
}

fn one<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> R<Option<T>> {
    Ok(conn.query_row(sql, [], |r| r.get(0)).optional()?)
}

fn count(conn: &Connection, sql: &str) -> R<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// One use case chosen among those the database state allows; returns the ACK payload.
fn step(core: &mut Reopen, s: &Staff, rng: &mut Rng) -> R<Option<String>> {
    let conn = core
        .raw()
        .sqlite()
        .expect("the crash tests run on a SQLite file");
    let pending: Option<(i64, i64, i64, i64)> = conn
        .query_row(
            "SELECT t.application_id, t.submission_no, t.stage, t.department_id FROM review_tasks t
             JOIN applications a ON a.id = t.application_id
             WHERE t.state = 'pending' AND a.state = 'in_review' AND t.stage = a.stage
               AND t.submission_no = a.submission_no ORDER BY random() LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let approved: Option<i64> = one(
        conn,
        "SELECT id FROM applications WHERE state = 'approved' ORDER BY random() LIMIT 1",
    )?;
    let to_submit: Option<i64> = one(
        conn,
        "SELECT id FROM applications WHERE (state = 'draft' AND roster_count > 0) OR state = 'returned'
         ORDER BY random() LIMIT 1",
    )?;
    let to_roster: Option<i64> = one(
        conn,
        "SELECT id FROM applications WHERE state = 'draft' AND roster_count = 0 ORDER BY random() LIMIT 1",
    )?;
    let firm_free: Option<String> = one(
        conn,
        "SELECT credit_code FROM firms f WHERE NOT EXISTS (SELECT 1 FROM applications a WHERE a.firm_id = f.id)
         ORDER BY random() LIMIT 1",
    )?;
    let report: Option<(String, i64)> = conn
        .query_row(
            &format!(
                "SELECT f.credit_code, (SELECT count(*) FROM daily_reports r WHERE r.firm_id = f.id) AS n
                 FROM firms f JOIN applications a ON a.firm_id = f.id AND a.state = 'certified'
                 WHERE n < {REPORT_DAYS} ORDER BY random() LIMIT 1"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let in_progress = count(
        conn,
        "SELECT count(*) FROM applications WHERE state IN ('draft','in_review','returned','approved')",
    )?;
    let firms = count(conn, "SELECT count(*) FROM firms")?;

    // Weighted choice among the possible actions.
    let mut choices: Vec<(u64, u8)> = vec![(if in_progress < 8 { 4 } else { 1 }, 0)];
    if firm_free.is_some() {
        choices.push((3, 1));
    }
    if to_roster.is_some() {
        choices.push((3, 2));
    }
    if to_submit.is_some() {
        choices.push((3, 3));
    }
    if pending.is_some() {
        choices.push((6, 4));
    }
    if approved.is_some() {
        choices.push((4, 5));
    }
    if report.is_some() {
        choices.push((2, 6));
    }
    let total: u64 = choices.iter().map(|c| c.0).sum();
    let mut pick = rng.below(total);
    let mut action = 0;
    for (w, a) in &choices {
        if pick < *w {
            action = *a;
            break;
        }
        pick -= w;
    }
    let ack = match action {
        0 => {
            let n = u32::try_from(firms)? + 1;
            let code = demo_credit_code("511802", n);
            core.firm_register(
                &s.clerk,
                &firm_json(&code, &format!("雨城第{n}号商贸有限公司")),
                now(),
            )?;
            format!("firm {code}")
        }
        1 => {
            let code = firm_free.unwrap_or_default();
            let plan = demo_plan("daily_necessities", 5, 1, 0, "王建国", now());
            let app = core.app_create(&s.clerk, &code, &plan, now())?;
            format!("create {} {code}", app.id)
        }
        2 => {
            let id = to_roster.unwrap_or_default();
            let csv = demo_roster_csv(5, 1, 0, u32::try_from(id)? * 7 + 3, local_date(now()));
            core.app_roster_replace(&s.clerk, id, "roster.csv", csv.as_bytes(), None, now())?;
            format!("roster {id} 5")
        }
        3 => {
            let id = to_submit.unwrap_or_default();
            let app = core.app_submit(&s.clerk, id, None, now())?;
            format!("submit {id} {}", app.submission_no)
        }
        4 => {
            let (id, sub, stage, dept) = pending.unwrap_or_default();
            let who = if Some(dept) == s.swj.department_id {
                &s.swj
            } else if Some(dept) == s.zhb.department_id {
                &s.zhb
            } else {
                return Err(format!("no reviewer for department {dept}").into());
            };
            let ret = rng.below(5) == 0;
            let d = Decision {
                verdict: if ret { "return" } else { "approve" }.into(),
                opinion: if ret {
                    "材料不全,请补充"
                } else {
                    "同意"
                }
                .into(),
                headcount: (!ret && stage == 0).then_some(5),
                conditions: None,
                expect_version: None,
            };
            core.review_decide(who, id, &d, now())?;
            let state = if ret { "returned" } else { "approved" };
            format!("decide {id} {sub} {stage} {dept} {state}")
        }
        5 => {
            let id = approved.unwrap_or_default();
            let cert = core.cert_issue(&s.clerk, id, now())?;
            format!("cert {id} {} {} {}", cert.seq, cert.year, cert.number)
        }
        _ => {
            let (code, n) = report.unwrap_or_default();
            let day = first_report_day() + chrono::Duration::days(n);
            let r = json!({"date": day.to_string(), "staff_on_site": 5, "fever": 0,
                "under_observation": 0, "masks_remaining": 300, "notes": "两次测温,无异常"});
            core.daily_file(&s.clerk, &code, &r, report_now())?;
            format!("daily {code} {day}")
        }
    };
    Ok(Some(ack))
}

// ---------------------------------------------------------------------------------------------
// The parent: trials, checks
// ---------------------------------------------------------------------------------------------

/// A database with the administrator, the clerk, the two reviewers and four applications in review.
fn prepare(db: &Path) -> R {
    let mut core = Reopen::open(db)?;
    core.init(Some(("admin", ADMIN_PW)), now())?;
    let admin = core.login("admin", ADMIN_PW, now())?;
    for (name, role, dep, div) in [
        ("clerk", "clerk", None, Some("511802")),
        ("swj", "reviewer", Some("511802-SWJ"), None),
        ("zhb", "reviewer", Some("511802-ZHB"), None),
    ] {
        let u = NewUser {
            name: name.into(),
            role: role.into(),
            department: dep.map(Into::into),
            division: div.map(Into::into),
            password: Some(PW.into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now())?;
    }
    let staff = login_staff(&mut core)?;
    for n in 1..=4u32 {
        let code = demo_credit_code("511802", n);
        core.firm_register(
            &staff.clerk,
            &firm_json(&code, &format!("雨城第{n}号商贸有限公司")),
            now(),
        )?;
        let plan = demo_plan("daily_necessities", 5, 1, 0, "王建国", now());
        let app = core.app_create(&staff.clerk, &code, &plan, now())?;
        let csv = demo_roster_csv(5, 1, 0, u32::try_from(app.id)? * 7 + 3, local_date(now()));
        core.app_roster_replace(
            &staff.clerk,
            app.id,
            "roster.csv",
            csv.as_bytes(),
            None,
            now(),
        )?;
        core.app_submit(&staff.clerk, app.id, None, now())?;
    }
    Ok(())
}

/// One acknowledged write, as the writer printed it.
#[derive(Debug, Clone)]
struct Ack(Vec<String>);

impl Ack {
    fn parse(line: &str) -> Option<Ack> {
        let rest = line.strip_prefix("ACK ")?;
        Some(Ack(rest.split(' ').map(String::from).collect()))
    }
    fn kind(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or("")
    }
    fn arg(&self, i: usize) -> &str {
        self.0.get(i).map(String::as_str).unwrap_or("")
    }
    fn int(&self, i: usize) -> i64 {
        self.arg(i).parse().unwrap_or(-1)
    }
    /// Whether the write is in the database in the state it was acknowledged in. Each of these
    /// facts is permanent: later use cases never undo them.
    fn present(&self, conn: &Connection) -> R<bool> {
        let n: i64 = match self.kind() {
            "firm" => conn.query_row(
                "SELECT count(*) FROM firms WHERE credit_code = ?1",
                [self.arg(1)],
                |r| r.get(0),
            )?,
            "create" => conn.query_row(
                "SELECT count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
                 WHERE a.id = ?1 AND f.credit_code = ?2",
                params![self.int(1), self.arg(2)],
                |r| r.get(0),
            )?,
            "roster" => conn.query_row(
                "SELECT count(*) FROM applications a WHERE a.id = ?1 AND a.roster_count = ?2
                 AND (SELECT count(*) FROM roster_entries e WHERE e.application_id = a.id) = ?2",
                params![self.int(1), self.int(2)],
                |r| r.get(0),
            )?,
            "submit" => conn.query_row(
                "SELECT count(*) FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
                params![self.int(1), self.int(2)],
                |r| r.get(0),
            )?,
            "decide" => conn.query_row(
                "SELECT count(*) FROM review_tasks WHERE application_id = ?1 AND submission_no = ?2
                 AND stage = ?3 AND department_id = ?4 AND state = ?5 AND decided_at IS NOT NULL",
                params![
                    self.int(1),
                    self.int(2),
                    self.int(3),
                    self.int(4),
                    self.arg(5)
                ],
                |r| r.get(0),
            )?,
            "cert" => conn.query_row(
                "SELECT count(*) FROM certificates WHERE application_id = ?1 AND seq = ?2 AND year = ?3
                 AND number = ?4 AND state = 'issued'",
                params![self.int(1), self.int(2), self.int(3), self.arg(4)],
                |r| r.get(0),
            )?,
            "daily" => conn.query_row(
                "SELECT count(*) FROM daily_reports r JOIN firms f ON f.id = r.firm_id
                 WHERE f.credit_code = ?1 AND r.report_date = ?2",
                params![self.arg(1), self.arg(2)],
                |r| r.get(0),
            )?,
            other => return Err(format!("unknown ACK kind {other}").into()),
        };
        Ok(n == 1)
    }
}

/// What a check found (it panics on a broken invariant).
struct Checked {
    audit_events: i64,
    lost: Vec<String>,
}

fn rows(conn: &Connection, sql: &str) -> R<Vec<String>> {
    let mut st = conn.prepare(sql)?;
    let v = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Opens `db` through the core and checks everything; `acks` must all be present.
fn check_db(db: &Path, acks: &[Ack], what: &str) -> R<Checked> {
    let core = Reopen::open(db)?;
    let conn = core
        .raw()
        .sqlite()
        .expect("the crash tests run on a SQLite file");
    let integrity = reopen_core::store::integrity_check(conn)?;
    assert_eq!(integrity, vec!["ok".to_string()], "{what}: integrity_check");
    let fk = count(conn, "SELECT count(*) FROM pragma_foreign_key_check")?;
    assert_eq!(fk, 0, "{what}: foreign_key_check");
    let report = reopen_core::audit::verify(core.raw(), core.keys())?;
    assert!(report.ok, "{what}: audit chain broken: {report:?}");

    let mut lost = Vec::new();
    for a in acks {
        if !a.present(conn)? {
            lost.push(a.0.join(" "));
        }
    }

    // Nothing half-written: each record has its audit event, and the reverse.
    for (table_sql, action) in [
        ("SELECT count(*) FROM firms", "firm.register"),
        ("SELECT count(*) FROM applications", "app.create"),
        (
            "SELECT count(*) FROM applications WHERE roster_count > 0",
            "app.roster",
        ),
        ("SELECT count(*) FROM submissions", "app.submit"),
        (
            "SELECT count(*) FROM review_tasks WHERE state IN ('approved','returned','rejected')",
            "review.%",
        ),
        ("SELECT count(*) FROM certificates", "cert.issue"),
        ("SELECT count(*) FROM daily_reports", "daily.file"),
    ] {
        let records = count(conn, table_sql)?;
        let events: i64 = conn.query_row(
            "SELECT count(*) FROM audit_events WHERE action LIKE ?1",
            [action],
            |r| r.get(0),
        )?;
        assert_eq!(
            records, events,
            "{what}: `{table_sql}` vs audit events {action}"
        );
    }

    // Certificate numbers: gapless 1..n per jurisdiction and year, matching the sequence.
    let mut st = conn.prepare(
        "SELECT jurisdiction, year, count(*), min(seq), max(seq), count(DISTINCT seq),
            (SELECT last FROM cert_sequences s WHERE s.jurisdiction = c.jurisdiction AND s.year = c.year)
         FROM certificates c GROUP BY jurisdiction, year",
    )?;
    let groups = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (j, y, n, min, max, distinct, last) in groups {
        assert!(
            min == 1 && max == n && distinct == n && last == Some(n),
            "{what}: certificate numbers of {j}/{y} are not gapless: n {n}, seq {min}..{max}, \
             distinct {distinct}, sequence {last:?}"
        );
    }
    let orphan_seq = count(
        conn,
        "SELECT count(*) FROM cert_sequences s WHERE s.last <> (SELECT count(*) FROM certificates c
         WHERE c.jurisdiction = s.jurisdiction AND c.year = s.year)",
    )?;
    assert_eq!(
        orphan_seq, 0,
        "{what}: a sequence number was consumed without a certificate"
    );

    // No application in an impossible state.
    let impossible = rows(
        conn,
        "SELECT 'app ' || a.id || ' ' || a.state FROM applications a WHERE
           (a.state = 'certified') <> ((SELECT count(*) FROM certificates c
                WHERE c.application_id = a.id AND c.state = 'issued') = 1)
        OR (SELECT count(*) FROM certificates c WHERE c.application_id = a.id AND c.state = 'issued') > 1
        OR a.roster_count <> (SELECT count(*) FROM roster_entries e WHERE e.application_id = a.id)
        OR (a.state = 'draft' AND a.submission_no <> 0)
        OR (a.state <> 'draft' AND NOT EXISTS (SELECT 1 FROM submissions s
                WHERE s.application_id = a.id AND s.submission_no = a.submission_no))
        OR (a.state = 'in_review' AND NOT EXISTS (SELECT 1 FROM review_tasks t WHERE t.application_id = a.id
                AND t.submission_no = a.submission_no AND t.stage = a.stage AND t.state = 'pending'))
        OR (a.state <> 'in_review' AND EXISTS (SELECT 1 FROM review_tasks t WHERE t.application_id = a.id
                AND t.state = 'pending'))
        OR (a.state = 'returned' AND NOT EXISTS (SELECT 1 FROM review_tasks t WHERE t.application_id = a.id
                AND t.submission_no = a.submission_no AND t.state = 'returned'))
        OR (a.state IN ('approved','certified') AND (a.decided_at IS NULL OR a.approved_headcount IS NULL
                OR EXISTS (SELECT 1 FROM review_tasks t WHERE t.application_id = a.id
                    AND t.submission_no = a.submission_no AND t.state <> 'approved')))
        OR EXISTS (SELECT 1 FROM review_tasks t WHERE t.application_id = a.id AND t.state <> 'pending'
                AND t.state <> 'closed' AND t.decided_at IS NULL)",
    )?;
    assert!(
        impossible.is_empty(),
        "{what}: applications in an impossible state: {impossible:?}"
    );
    let bad_reports = count(
        conn,
        "SELECT count(*) FROM daily_reports r JOIN applications a ON a.id = r.application_id
         WHERE a.state NOT IN ('approved','certified')",
    )?;
    assert_eq!(
        bad_reports, 0,
        "{what}: a report of an application not reopened"
    );

    Ok(Checked {
        audit_events: report.events,
        lost,
    })
}

fn signal(pid: u32, sig: &str) -> R {
    let st = Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()?;
    if !st.success() {
        return Err(format!("kill -{sig} {pid} failed").into());
    }
    Ok(())
}

/// Waits until every thread of `pid` is stopped (SIGSTOP is delivered asynchronously).
fn wait_stopped(pid: u32) -> R {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut all = true;
        for t in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let stat = std::fs::read_to_string(t?.path().join("stat")).unwrap_or_default();
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            if !(state.starts_with('T') || state.starts_with('t') || state.is_empty()) {
                all = false;
            }
        }
        if all {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("process {pid} did not stop").into());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The power cut: freezes the writer, copies the database and its WAL (not the -shm: SQLite
/// rebuilds the WAL index from the log, as after a reboot) and lets the writer go on. A frozen
/// process has finished every write() it started, so the copy is the disk as the kernel holds it
/// at one instant, the best a power cut can leave. A copy taken without freezing would not be a
/// state any power cut leaves: a checkpoint between the two copies mixes newer database pages
/// with an older log (log first), or a log restart loses backfilled frames (database first).
fn freeze_and_copy(pid: u32, db: &Path, to: &Path) -> R {
    signal(pid, "STOP")?;
    let r = (|| -> R {
        wait_stopped(pid)?;
        let wal = side(db, "-wal");
        if wal.exists() {
            std::fs::copy(&wal, side(to, "-wal"))?;
        }
        std::fs::copy(db, to)?;
        // The WAL index only to know how far a checkpoint got (not beside the copy: SQLite
        // rebuilds it from the log when the copy is opened).
        let shm = side(db, "-shm");
        if shm.exists() {
            std::fs::copy(&shm, side(to, ".frozen-shm"))?;
        }
        Ok(())
    })();
    signal(pid, "CONT")?;
    r?;
    copy_keys(db, to)
}

/// The keys live beside the database, not in it (they do not change while the writer runs):
/// a copy is checked with the original's.
fn copy_keys(db: &Path, to: &Path) -> R {
    let (from, into) = (side(db, ".keys"), side(to, ".keys"));
    std::fs::create_dir_all(&into)?;
    for e in std::fs::read_dir(&from)? {
        let e = e?;
        std::fs::copy(e.path(), into.join(e.file_name()))?;
    }
    Ok(())
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .unwrap_or(0)
}

/// Tears the last committed transaction of a WAL copy: the disk persisted its frames only up to
/// a random byte (truncated), or garbage from there (a torn sector). Returns false when the log
/// holds no committed transaction of its current generation, or when a checkpoint had already
/// copied some of that transaction into the database file: SQLite syncs the log before it
/// checkpoints, so no power cut can lose frames that were checkpointed, and tearing them would
/// fake a state that cannot happen (the database holding pages of a transaction the log lost).
#[derive(Debug, PartialEq)]
enum Tear {
    Torn,
    NoTransaction,
    Checkpointed,
}

fn tear_last_transaction(wal: &Path, shm: &Path, rng: &mut Rng) -> R<Tear> {
    // WalCkptInfo follows the two 48-byte copies of the index header (native order): nBackfill
    // at 96, and at 128 nBackfillAttempted, set before a checkpoint starts copying frames into
    // the database file. A writer frozen in the middle of a checkpoint has already copied some
    // of those frames although nBackfill does not say so yet: those frames are in the database
    // file, and tearing them from the log would make a copy no power cut can make (a checkpoint
    // only copies frames that were synced).
    let (n_backfill, attempted) = match std::fs::read(shm) {
        Ok(b) if b.len() >= 132 => (
            u32::from_ne_bytes([b[96], b[97], b[98], b[99]]) as usize,
            u32::from_ne_bytes([b[128], b[129], b[130], b[131]]) as usize,
        ),
        _ => return Ok(Tear::NoTransaction),
    };
    let n_backfill = n_backfill.max(attempted);
    let mut bytes = match std::fs::read(wal) {
        Ok(b) => b,
        Err(_) => return Ok(Tear::NoTransaction),
    };
    if bytes.len() < 32 {
        return Ok(Tear::NoTransaction);
    }
    let page = be32(&bytes, 8) as usize;
    let (salt1, salt2) = (be32(&bytes, 16), be32(&bytes, 20));
    let frame = 24 + page;
    let mut commits = vec![32usize];
    let mut at = 32;
    while at + frame <= bytes.len() {
        if be32(&bytes, at + 8) != salt1 || be32(&bytes, at + 12) != salt2 {
            break;
        }
        if be32(&bytes, at + 4) != 0 {
            commits.push(at + frame);
        }
        at += frame;
    }
    if commits.len() < 2 {
        return Ok(Tear::NoTransaction);
    }
    let end = commits[commits.len() - 1];
    let start = commits[commits.len() - 2];
    if n_backfill > (start - 32) / frame {
        return Ok(Tear::Checkpointed);
    }
    let cut = start + rng.below((end - start) as u64) as usize;
    if rng.below(2) == 0 {
        bytes.truncate(cut);
    } else {
        let upto = (cut + 1 + rng.below(2 * 4096) as usize).min(end);
        for b in &mut bytes[cut..upto] {
            *b = rng.next_u64() as u8;
        }
    }
    std::fs::write(wal, bytes)?;
    Ok(Tear::Torn)
}

struct Spawned {
    child: Child,
    lines: Arc<Mutex<Vec<Ack>>>,
    reader: std::thread::JoinHandle<()>,
    stderr: std::thread::JoinHandle<String>,
}

fn spawn_writer(db: &Path, seed: u64) -> R<Spawned> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .env(SEED_ENV, seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (ready_tx, ready_rx) = mpsc::channel();
    let l = Arc::clone(&lines);
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            // Only complete lines count: one write() of a line to a pipe is atomic.
            let Some(full) = line.strip_suffix('\n') else {
                break;
            };
            if full == "READY" {
                let _ = ready_tx.send(());
            } else if let Some(a) = Ack::parse(full) {
                l.lock().unwrap().push(a);
            }
        }
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut s = Spawned {
        child,
        lines,
        reader,
        stderr,
    };
    if ready_rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = s.child.kill();
        let _ = s.child.wait();
        let err = s.stderr.join().unwrap_or_default();
        return Err(format!("the writer did not start: {err}").into());
    }
    Ok(s)
}

/// The writer must still be running when it is killed: it never stops by itself.
fn still_running(s: &mut Spawned) -> R {
    if let Some(status) = s.child.try_wait()? {
        return Err(format!("the writer exited by itself ({status}): see its stderr").into());
    }
    Ok(())
}

/// An idle connection that has read once, so it holds the log and its index open.
fn watch(db: &Path) -> R<Connection> {
    let c = Connection::open(db)?;
    count(&c, "SELECT count(*) FROM sqlite_master")?;
    Ok(c)
}

#[test]
fn killed_writers_lose_no_acknowledged_write() -> R {
    if std::env::var_os(CHILD_ENV).is_some() {
        return Ok(());
    }
    let started = Instant::now();
    let trials = env_u64("CRASH_TRIALS").unwrap_or(25);
    let seed = env_u64(SEED_ENV).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
    });
    println!("crash: seed {seed} (CRASH_SEED={seed} replays it), {trials} trials");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("crash.db");
    prepare(&db)?;
    // An idle connection kept open, as the desktop app keeps one: the log is then not removed
    // between trials, so it grows through automatic checkpoints and restarts that the kills and
    // copies hit. Now and then it is closed, which checkpoints and removes the log.
    let mut observer = Some(watch(&db)?);

    let mut acked: Vec<Ack> = Vec::new();
    let mut lost_total = 0usize;
    let mut copies = 0usize;
    let mut torn = 0usize;
    let mut dropped = 0usize;
    let mut checkpointed = 0usize;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for trial in 0..trials {
        let mut w = spawn_writer(&db, rng.next_u64())?;
        let run = Duration::from_millis(rng.below(700));
        // Every other trial also takes a power-cut copy at a random moment before the kill.
        let copy_at =
            (trial % 2 == 0).then(|| Duration::from_millis(rng.below(run.as_millis() as u64 + 1)));
        let mut copy: Option<(PathBuf, Vec<Ack>)> = None;
        if let Some(at) = copy_at {
            std::thread::sleep(at);
            still_running(&mut w)?;
            // Acknowledged before the copy started: these must be in it.
            let before = w.lines.lock().unwrap().clone();
            let to = dir.path().join(format!("cut{trial}.db"));
            freeze_and_copy(w.child.id(), &db, &to)?;
            // A second copy of the frozen bytes, to tear (checking `to` recovers and may
            // checkpoint it).
            let to2 = dir.path().join(format!("torn{trial}.db"));
            std::fs::copy(&to, &to2)?;
            copy_keys(&to, &to2)?;
            if side(&to, "-wal").exists() {
                std::fs::copy(side(&to, "-wal"), side(&to2, "-wal"))?;
            }
            copy = Some((to, before));
            std::thread::sleep(run.saturating_sub(at));
        } else {
            std::thread::sleep(run);
        }
        if still_running(&mut w).is_err() {
            let _ = w.child.wait();
            return Err(format!(
                "trial {trial}: the writer stopped by itself: {}",
                w.stderr.join().unwrap_or_default()
            )
            .into());
        }
        w.child.kill()?; // SIGKILL
        w.child.wait()?;
        w.reader.join().map_err(|_| "reader thread")?;
        let _ = w.stderr.join();
        let new: Vec<Ack> = std::mem::take(&mut *w.lines.lock().unwrap());
        for a in &new {
            *kinds.entry(a.kind().to_string()).or_default() += 1;
        }
        acked.extend(new);

        let c = check_db(&db, &acked, &format!("trial {trial} after SIGKILL"))?;
        assert!(
            c.lost.is_empty(),
            "trial {trial}: acknowledged writes lost: {:?}",
            c.lost
        );
        lost_total += c.lost.len();

        if let Some((to, before)) = copy {
            let whole = check_db(&to, &before, &format!("trial {trial} power-cut copy"))?;
            assert!(
                whole.lost.is_empty(),
                "trial {trial}: the power-cut copy lost acknowledged writes: {:?}",
                whole.lost
            );
            copies += 1;
            // The same copy with its last transaction torn: SQLite must drop that transaction
            // (frame checksums) and keep everything before it; at most the newest acknowledgement
            // can be missing (that commit would not have been acknowledged in a real power cut).
            let to2 = dir.path().join(format!("torn{trial}.db"));
            let tear =
                tear_last_transaction(&side(&to2, "-wal"), &side(&to, ".frozen-shm"), &mut rng)?;
            checkpointed += usize::from(tear == Tear::Checkpointed);
            if tear == Tear::Torn {
                let prefix = &before[..before.len().saturating_sub(1)];
                let t = check_db(&to2, prefix, &format!("trial {trial} torn copy"))?;
                assert!(
                    t.lost.is_empty(),
                    "trial {trial}: torn copy lost {:?}",
                    t.lost
                );
                assert!(
                    t.audit_events <= whole.audit_events && t.audit_events + 1 >= whole.audit_events,
                    "trial {trial}: the torn copy is not the copy minus its last transaction: {} vs {}",
                    t.audit_events,
                    whole.audit_events
                );
                torn += 1;
                dropped += usize::from(t.audit_events < whole.audit_events);
            }
            for p in [&to, &to2] {
                for suffix in ["", "-wal", "-shm", ".frozen-shm"] {
                    let _ = std::fs::remove_file(side(p, suffix));
                }
            }
        }
        if trial % 4 == 3 {
            drop(observer.take());
            observer = Some(watch(&db)?);
        }
    }
    drop(observer);
    println!(
        "crash: trials {trials}, acked writes {} {kinds:?}, lost {lost_total}, power-cut copies checked {copies} \
         (+{torn} with a torn last transaction, {dropped} of them dropped an audited write; {checkpointed} not torn: \
         already checkpointed), {:.1} s",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(!acked.is_empty(), "no write was acknowledged at all");
    Ok(())
}

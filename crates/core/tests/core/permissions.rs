//! The role × operation permission matrix, enforced by the core.
//!
//! One fixture database is built once (two firms of 511802, A with an application in review at
//! stage 1, every kind of user); each cell runs on a fresh copy of it, so a write that succeeds
//! never influences another cell.

use std::path::{Path, PathBuf};

use reopen_core::domain::auth::Actor;
use reopen_core::domain::policy::DEFAULT_POLICY_TOML;
use reopen_core::service::demo::demo_credit_code;
use reopen_core::service::{AppFilter, NewUser, QueueFilter, WorkflowConfig};
use reopen_core::{ErrorKind, Reopen};

use super::*;

const ACTORS: [&str; 11] = [
    "firm_a",
    "firm_b",
    "firm_new",
    "rev_swj",
    "rev_jxj",
    "rev_zhb",
    "clerk_802",
    "clerk_803",
    "clerk_city",
    "leader",
    "admin",
];

struct Fixture {
    _dir: tempfile::TempDir,
    /// The fixture's database file, or its PostgreSQL database's URL.
    template: PathBuf,
    actors: Vec<(&'static str, Actor)>,
    code_a: String,
    app_a: i64,
}

impl Fixture {
    fn actor(&self, name: &str) -> &Actor {
        &self.actors.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

fn fixture() -> R<Fixture> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let c802 = clerk(&mut core, &admin, "clerk_802", "511802")?;
    let code_a = register(&mut core, &c802, 1, "雨城甲商贸有限公司")?;
    let code_b = register(&mut core, &c802, 2, "雨城乙商贸有限公司")?;
    let firm_a = user(
        &mut core,
        &admin,
        "firm_a",
        "firm",
        None,
        Some(&code_a),
        None,
    )?;
    let firm_b = user(
        &mut core,
        &admin,
        "firm_b",
        "firm",
        None,
        Some(&code_b),
        None,
    )?;
    let firm_new = user(&mut core, &admin, "firm_new", "firm", None, None, None)?;
    let rev_swj = reviewer(&mut core, &admin, "rev_swj", "511802-SWJ")?;
    let rev_jxj = reviewer(&mut core, &admin, "rev_jxj", "511802-JXJ")?;
    let rev_zhb = reviewer(&mut core, &admin, "rev_zhb", "511802-ZHB")?;
    let c803 = clerk(&mut core, &admin, "clerk_803", "511803")?;
    let ccity = clerk(&mut core, &admin, "clerk_city", "511800")?;
    let leader = user(
        &mut core,
        &admin,
        "leader",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    user(
        &mut core,
        &admin,
        "victim",
        "leader",
        None,
        None,
        Some("511803"),
    )?;
    let app_a = submitted(&mut core, &firm_a, &code_a, "production", 5, 1, 0)?;
    assert_eq!(core.app_show(&admin, app_a, now())?.stage, Some(0));
    // Everything in the file itself, so that copying the file copies the database.
    if let Some(sqlite) = core.raw().sqlite() {
        sqlite.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    drop(core);
    let template = match std::fs::read_to_string(dir.path().join("db.url")) {
        Ok(url) => PathBuf::from(url),
        Err(_) => dir.path().join("t.db"),
    };
    let actors = vec![
        ("firm_a", firm_a),
        ("firm_b", firm_b),
        ("firm_new", firm_new),
        ("rev_swj", rev_swj),
        ("rev_jxj", rev_jxj),
        ("rev_zhb", rev_zhb),
        ("clerk_802", c802),
        ("clerk_803", c803),
        ("clerk_city", ccity),
        ("leader", leader),
        ("admin", admin),
    ];
    Ok(Fixture {
        _dir: dir,
        template,
        actors,
        code_a,
        app_a,
    })
}

/// The outcome of one cell: `Hidden` is a successful read that does not show firm A's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Ok,
    Hidden,
    Forbidden,
    Other(ErrorKind),
}

fn out<T>(r: reopen_core::Result<T>) -> Out {
    match r {
        Ok(_) => Out::Ok,
        Err(e) if e.kind == ErrorKind::Forbidden => Out::Forbidden,
        Err(e) => {
            eprintln!("    unexpected error: {e:?}");
            Out::Other(e.kind)
        }
    }
}

fn seen(r: reopen_core::Result<bool>) -> Out {
    match r {
        Ok(true) => Out::Ok,
        Ok(false) => Out::Hidden,
        Err(e) => out::<()>(Err(e)),
    }
}

/// (operation, expectation per actor in ACTORS order: O ok, H ok but A not shown, F forbidden).
const MATRIX: &[(&str, &str)] = &[
    // columns: firm_a firm_b firm_new rev_swj rev_jxj rev_zhb clerk_802 clerk_803 clerk_city leader admin
    ("firm_register", "FFOFFFOFOFO"),
    ("firm_update", "OFFFFFOFOFO"),
    ("firm_show", "OFFOFFOFOOO"),
    ("firm_list", "OHHOHHOHOOO"),
    ("firm_list_division", "OHHOHHOFOOO"),
    ("app_create", "OFFFFFOFOFF"),
    ("app_update", "OFFFFFOFOFF"),
    ("app_roster_replace", "OFFFFFOFOFF"),
    ("app_submit", "OFFFFFOFOFF"),
    ("app_withdraw", "OFFFFFOFOFF"),
    ("app_show", "OFFOFFOFOOO"),
    ("app_versions", "OFFOFFOFOOO"),
    ("app_list", "OHHOHHOHOOO"),
    ("app_roster", "OFFOFFOFOOO"),
    ("app_roster_reveal", "OFFOFFFFFFF"),
    ("review_queue", "FFFOHHFFFFF"),
    ("review_queue_count", "FFFOOOFFFFF"),
    ("review_decide", "FFFOFFFFFFF"),
    ("user_add", "FFFFFFFFFFO"),
    ("user_list", "FFFFFFFFFFO"),
    ("user_disable", "FFFFFFFFFFO"),
    ("user_password_other", "FFFFFFFFFFO"),
    ("department_set", "FFFFFFFFFFO"),
    ("routing_set", "FFFFFFFFFFO"),
    ("workflow_set", "FFFFFFFFFFO"),
    ("policy_set", "FFFFFFFFFFO"),
    ("audit_log", "FFFFFFFFFFO"),
    ("audit_verify", "FFFFFFFFFFO"),
    ("audit_anchor", "FFFFFFFFFFO"),
    ("cert_key_rotate", "FFFFFFFFFFO"),
    ("backup", "FFFFFFFFFFO"),
    // Certificates (firm A approved through both stages first; print/void/revoke/show after
    // clerk_802 issued one).
    ("cert_issue", "FFFFFFOFOFF"),
    ("cert_print", "FFFFFFOFOFF"),
    ("cert_void", "FFFFFFOFOFF"),
    ("cert_revoke", "FFFFFFOFOFF"),
    ("cert_show", "OFFOFOOFOOO"),
    ("cert_list", "FFFFFFOHOOO"),
    ("form_print", "OFFFFFOFOFF"),
    // Daily reports (firm A approved and reopened; four days later).
    ("daily_file", "OFFFFFOFOFF"),
    ("daily_list", "OFFOFOOFOOO"),
    ("daily_status", "FFFOHOOHOOO"),
    ("daily_flags", "FFFOHOOHOOO"),
    ("daily_flag_handle", "FFFOFOFFFFF"),
    // Statistics and exports.
    ("dashboard", "FFFFFFOOOOO"),
    ("stats", "FFFFFFOOOOO"),
    ("bulletin_xlsx", "FFFFFFOOOOO"),
    ("app_list_xlsx", "OOOOOOOOOOO"),
    ("roster_xlsx", "OFFOFFOFOOO"),
    ("daily_status_xlsx", "FFFOOOOOOOO"),
    // Application packages and attachments (attach after a return).
    ("app_export", "OFFFFFOFOFO"),
    // Whose exported package carries full ID and phone numbers: the reveal rule's (issue 12).
    ("app_export_full_numbers", "OFFFFFFFFFF"),
    ("user_unlock", "FFFFFFFFFFO"),
    ("app_attach", "OFFFFFOFOFF"),
    ("app_attachments", "OFFOFFOFOOO"),
];

fn expected(code: char) -> Out {
    match code {
        'O' => Out::Ok,
        'H' => Out::Hidden,
        'F' => Out::Forbidden,
        c => panic!("bad matrix code {c}"),
    }
}

/// The fixture database itself (its file, or its PostgreSQL database).
fn open_fixture(fx: &Fixture) -> R<Reopen> {
    Ok(match pg_cluster() {
        Some(_) => Reopen::open_db(fx.template.to_str().unwrap(), &fx._dir.path().join("keys"))?,
        None => Reopen::open(&fx.template)?,
    })
}

/// A PostgreSQL database made for one cell, dropped with it.
struct CellDatabase(String);

impl Drop for CellDatabase {
    fn drop(&mut self) {
        let admin = reopen_core::store::pg::connect(&pg_cluster().unwrap()).unwrap();
        reopen_core::store::Db::Postgres(&admin)
            .batch(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0))
            .unwrap();
    }
}

/// The name of the database a PostgreSQL URL names.
fn database_name(url: &str) -> &str {
    let path = url.split('?').next().unwrap();
    &path[path.rfind('/').unwrap() + 1..]
}

/// A fresh copy of the fixture in `dir`, with a copy of its keys: a copy of the file, or on
/// PostgreSQL a database made with the fixture's as its template.
fn copy_fixture(fx: &Fixture, dir: &Path) -> R<(Reopen, Option<CellDatabase>)> {
    let (from, to) = match pg_cluster() {
        Some(_) => (fx._dir.path().join("keys"), dir.join("keys")),
        None => (
            reopen_core::keys::KeyStore::beside(&fx.template),
            reopen_core::keys::KeyStore::beside(&dir.join("cell.db")),
        ),
    };
    // The keys live beside the database (not in it): the copy gets a copy of the template's.
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&to)?;
    for e in std::fs::read_dir(&from)? {
        let e = e?;
        std::fs::copy(e.path(), to.join(e.file_name()))?;
    }
    match pg_cluster() {
        Some(cluster) => {
            let name = format!("{}_cell", database_name(fx.template.to_str().unwrap()));
            let admin = reopen_core::store::pg::connect(&cluster)?;
            let db = reopen_core::store::Db::Postgres(&admin);
            db.batch(&format!(
                "CREATE DATABASE {name} TEMPLATE {} STRATEGY FILE_COPY",
                database_name(fx.template.to_str().unwrap())
            ))?;
            let guard = CellDatabase(name.clone());
            let url = reopen_core::store::pg::with_dbname(&cluster, &name);
            Ok((Reopen::open_db(&url, &to)?, Some(guard)))
        }
        None => {
            let path = dir.join("cell.db");
            std::fs::copy(&fx.template, &path)?;
            Ok((Reopen::open(&path)?, None))
        }
    }
}

/// Runs one operation as `who` on a fresh copy of the fixture.
fn cell(fx: &Fixture, op: &str, who: &Actor, dir: &Path) -> R<Out> {
    let (mut core, _database) = copy_fixture(fx, dir)?;
    let id = fx.app_a;
    let code = fx.code_a.as_str();
    let firm_a = fx.actor("firm_a").clone();
    let swj = fx.actor("rev_swj").clone();
    // Preparation done by the rightful actors, so that the cell's operation can succeed.
    match op {
        "app_update" | "app_roster_replace" | "app_submit" => {
            core.review_decide(&swj, id, &decision("return", None), now())?;
        }
        "app_create" => {
            core.app_withdraw(&firm_a, id, now())?;
        }
        "app_attach" => {
            core.review_decide(&swj, id, &decision("return", None), now())?;
        }
        op if op.starts_with("cert_") || op.starts_with("daily_") => {
            let zhb = fx.actor("rev_zhb").clone();
            core.review_decide(&swj, id, &decision("approve", Some(5)), now())?;
            core.review_decide(&zhb, id, &decision("approve", None), now())?;
            if op != "cert_issue" && op.starts_with("cert_") {
                core.cert_issue(fx.actor("clerk_802"), id, now())?;
            }
            if op != "daily_file" && op.starts_with("daily_") {
                // A report with a fever case, four days on (the plan reopens in three).
                let r = json!({"date": (today() + Duration::days(3)).to_string(), "staff_on_site": 5,
                    "fever": 1, "under_observation": 0, "masks_remaining": 100, "notes": ""});
                core.daily_file(&firm_a, code, &r, now() + Duration::days(4))?;
            }
        }
        _ => {}
    }
    let later = now() + Duration::days(4);
    let report_id: i64 = core.raw().one(
        "SELECT COALESCE(max(id), 0) FROM daily_reports",
        reopen_core::args![],
    )?;
    let cert_number: String = core.raw().one(
        "SELECT COALESCE(max(number), '') FROM certificates",
        reopen_core::args![],
    )?;
    let fonts = reopen_core::documents::DocFonts::load()?;
    let n = now();
    let o = match op {
        "firm_register" => {
            let c = demo_credit_code("511802", 3);
            out(core.firm_register(who, &firm_json(&c, "雨城丙商贸有限公司", "52", 20), n))
        }
        "firm_update" => {
            let mut v = firm_json(code, "雨城甲商贸有限公司", "52", 50);
            v["address"] = "雅安市雨城区新址2号".into();
            out(core.firm_update(who, code, &v, None, n))
        }
        "firm_show" => out(core.firm_show(who, code)),
        "firm_list" => seen(
            core.firm_list(who, None, None, None, None)
                .map(|rows| rows.iter().any(|r| r.credit_code == code)),
        ),
        "firm_list_division" => seen(
            core.firm_list(who, Some("511802"), None, None, None)
                .map(|rows| rows.iter().any(|r| r.credit_code == code)),
        ),
        "app_create" => out(core.app_create(
            who,
            code,
            &demo_plan("production", 5, 1, 0, PRINCIPAL, n),
            n,
        )),
        "app_update" => {
            let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, n);
            plan["emergency_plan"] = "发现发热人员立即隔离并报告卫生院".into();
            out(core.app_update(who, id, &plan, None, n))
        }
        "app_roster_replace" => {
            let csv = demo_roster_csv(5, 1, 0, 99, today());
            out(core.app_roster_replace(who, id, "r.csv", csv.as_bytes(), None, n))
        }
        "app_submit" => out(core.app_submit(who, id, None, n)),
        "app_withdraw" => out(core.app_withdraw(who, id, n)),
        "app_show" => out(core.app_show(who, id, n)),
        "app_versions" => out(core.app_versions(who, id)),
        "app_list" => seen(
            core.app_list(who, &AppFilter::default())
                .map(|rows| rows.iter().any(|r| r.id == id)),
        ),
        "app_roster" => match core.app_roster(who, id, None, None) {
            Ok(rows) => {
                assert_eq!(rows.len(), 5);
                for r in &rows {
                    let s = serde_json::to_string(r)?;
                    assert!(
                        s.contains('*'),
                        "roster row not masked for {}: {s}",
                        who.name
                    );
                }
                Out::Ok
            }
            Err(e) => out::<()>(Err(e)),
        },
        "app_roster_reveal" => match core.app_roster_reveal(who, id, n) {
            Ok(rows) => {
                assert_eq!(rows.len(), 5);
                assert!(!rows[0].id_number.contains('*'));
                Out::Ok
            }
            Err(e) => out::<()>(Err(e)),
        },
        "review_queue" => seen(
            core.review_queue(who, &QueueFilter::default(), n)
                .map(|rows| rows.iter().any(|r| r.application_id == id)),
        ),
        "review_queue_count" => out(core.review_queue_count(who, &QueueFilter::default(), n)),
        "review_decide" => out(core.review_decide(who, id, &decision("approve", Some(5)), n)),
        "user_add" => {
            let u = NewUser {
                name: "newcomer".into(),
                role: "leader".into(),
                division: Some("511802".into()),
                password: Some(PW.into()),
                ..Default::default()
            };
            out(core.user_add(who, &u, n))
        }
        "user_list" => out(core.user_list(who)),
        "user_disable" => out(core.user_disable(who, "victim", n)),
        "user_password_other" => out(core.user_password(who, "victim", Some("Other-Passw0rd"), n)),
        "department_set" => {
            out(core.department_set(who, "511802-SWJ", Some("雨城区商务局"), None, n))
        }
        "routing_set" => out(core.routing_set(who, "52", "SWJ", n)),
        "workflow_set" => {
            let cfg = WorkflowConfig::from_policy(&core.policy()?);
            out(core.workflow_set(who, "511802", &cfg, n))
        }
        "policy_set" => out(core.policy_set(who, DEFAULT_POLICY_TOML, n)),
        "audit_log" => out(core.audit_log(who, None, None, None)),
        "audit_verify" => out(core.audit_verify(who)),
        "audit_anchor" => out(core.audit_anchor(who, n)),
        "cert_key_rotate" => out(core.cert_key_rotate(who, n)),
        "backup" => match core.backup(who, &dir.join("backup.db"), n) {
            // Allowed, and on PostgreSQL told that pg_dump makes the backup.
            Err(e) if core.engine() == Engine::Postgres && format!("{e:?}").contains("pg_dump") => {
                Out::Ok
            }
            r => out(r),
        },
        "cert_issue" => out(core.cert_issue(who, id, n)),
        "cert_print" => out(core.cert_print(who, &cert_number, &fonts, n, |_| Ok(()))),
        "cert_void" => out(core.cert_void(who, &cert_number, "打印错误", n)),
        "cert_revoke" => out(core.cert_revoke(who, &cert_number, "检查发现未落实防控措施", n)),
        "cert_show" => out(core.cert_show(who, &cert_number)),
        "cert_list" => seen(
            core.cert_list(who, None, false, None, None)
                .map(|rows| rows.iter().any(|c| c.number == cert_number)),
        ),
        "form_print" => out(core.form_print(who, id, &fonts, n, |_| Ok(()))),
        "daily_file" => {
            let r = json!({"date": (today() + Duration::days(3)).to_string(), "staff_on_site": 5,
                "fever": 0, "under_observation": 0, "masks_remaining": 100, "notes": ""});
            out(core.daily_file(who, code, &r, later))
        }
        "daily_list" => out(core.daily_list(who, code, None, None)),
        "daily_status" => seen(
            core.daily_status(
                who,
                &reopen_core::service::StatusFilter {
                    date: Some(today() + Duration::days(3)),
                    ..Default::default()
                },
                later,
            )
            .map(|s| s.rows.iter().any(|r| r.credit_code == code)),
        ),
        "daily_flags" => seen(
            core.daily_flags(who)
                .map(|rows| rows.iter().any(|r| r.id == report_id)),
        ),
        "daily_flag_handle" => out(core.daily_flag_handle(who, report_id, "已核实", later)),
        "dashboard" => out(core.dashboard(who, None, None, n)),
        "stats" => out(core.stats(who, &Default::default(), n)),
        "bulletin_xlsx" => out(core.bulletin_xlsx(who, None, n)),
        "app_list_xlsx" => out(core.app_list_xlsx(who, &AppFilter::default())),
        "roster_xlsx" => out(core.roster_xlsx(who, id)),
        "daily_status_xlsx" => out(core.daily_status_xlsx(who, None, n)),
        "app_export" => out(core.app_export(who, id, n, |_| Ok(()))),
        "app_export_full_numbers" => match core.app_export(who, id, n, |_| Ok(())) {
            Ok(r) if !r.roster_masked => Out::Ok,
            Ok(_) => Out::Forbidden,
            Err(e) => out::<()>(Err(e)),
        },
        "user_unlock" => out(core.user_unlock(who, "admin", n)),
        "app_attach" => {
            out(core.app_attach(who, id, "承诺书.pdf", b"%PDF-1.4\n%\xE2\xE3\n1 0 obj\n", n))
        }
        "app_attachments" => out(core.app_attachments(who, id)),
        other => panic!("no operation {other}"),
    };
    Ok(o)
}

fn run_matrix() -> R<Vec<String>> {
    let fx = fixture()?;
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for (op, row) in MATRIX {
        assert_eq!(row.len(), ACTORS.len(), "row {op}");
        for (name, code) in ACTORS.iter().zip(row.chars()) {
            cells += 1;
            let dir = tempfile::tempdir()?;
            let want = expected(code);
            let got = cell(&fx, op, fx.actor(name), dir.path())?;
            if got != want {
                mismatches.push(format!("{name} × {op}: expected {want:?}, got {got:?}"));
            }
        }
    }
    println!(
        "permission matrix: {} operations × {} actors; {cells} cells checked, {} mismatches",
        MATRIX.len(),
        ACTORS.len(),
        mismatches.len()
    );
    Ok(mismatches)
}

#[test]
fn permission_matrix() -> R {
    let mismatches = run_matrix()?;
    assert!(
        mismatches.is_empty(),
        "{} permission mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    Ok(())
}

/// Visibility details the matrix summarises: a firm user's lists hold nothing of another firm.
#[test]
fn firm_b_sees_nothing_of_firm_a() -> R {
    let fx = fixture()?;
    let core = open_fixture(&fx)?;
    let b = fx.actor("firm_b");
    let apps = core.app_list(b, &AppFilter::default())?;
    assert!(apps.is_empty(), "{apps:?}");
    let firms = core.firm_list(b, None, None, None, None)?;
    assert_eq!(firms.len(), 1);
    assert_ne!(firms[0].credit_code, fx.code_a);
    let unbound = core.firm_list(fx.actor("firm_new"), None, None, None, None)?;
    assert!(unbound.is_empty());
    let filter = AppFilter {
        firm: Some(fx.code_a.clone()),
        ..Default::default()
    };
    assert!(core.app_list(b, &filter)?.is_empty());
    // The other county's clerk sees neither the firm nor its application.
    let c803 = fx.actor("clerk_803");
    assert!(core.app_list(c803, &AppFilter::default())?.is_empty());
    assert!(core.firm_list(c803, None, None, None, None)?.is_empty());
    Ok(())
}

/// After stage 1 approves, the countersigning department may decide, and the industry one not again.
#[test]
fn stage_two_department_decides_only_at_stage_two() -> R {
    let fx = fixture()?;
    let mut core = open_fixture(&fx)?;
    let (swj, zhb, jxj) = (
        fx.actor("rev_swj"),
        fx.actor("rev_zhb"),
        fx.actor("rev_jxj"),
    );
    core.review_decide(swj, fx.app_a, &decision("approve", Some(5)), now())?;
    assert_eq!(
        kind(core.review_decide(jxj, fx.app_a, &decision("approve", Some(5)), now())),
        Some(ErrorKind::Forbidden)
    );
    // ZHB now has a pending task: it may read and reveal; SWJ no longer may reveal.
    core.app_show(zhb, fx.app_a, now())?;
    core.app_roster_reveal(zhb, fx.app_a, now())?;
    assert_eq!(
        kind(core.app_roster_reveal(swj, fx.app_a, now())),
        Some(ErrorKind::Forbidden)
    );
    let app = core.review_decide(zhb, fx.app_a, &decision("approve", None), now())?;
    assert_eq!(app.approved_headcount, Some(5));
    Ok(())
}

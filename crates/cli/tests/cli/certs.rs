//! Certificates through the command line: issuing in two processes at once, batch printing,
//! verification (online and offline), void and revoke. The approved applications are prepared
//! through the core library, then the `reopen` binary does the rest.

use std::process::Command;

use chrono::{TimeZone, Utc};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, Decision, NewUser};
use reopen_core::Reopen;
use serde_json::Value;

use crate::support::*;

/// The core on `env`'s database, as the program opens it: the file with its keys beside it, or
/// the PostgreSQL database with its keys in the directory.
pub fn open_core(env: &Env) -> Reopen {
    match &env.pg {
        Some(url) => Reopen::open_db(url, &env.dir.path().join("keys")).unwrap(),
        None => Reopen::open(&env.db).unwrap(),
    }
}

/// What a command started by hand adds to `--db DB` on PostgreSQL: `--keys DIR` (a file's keys
/// are found beside it).
pub fn keys_args(env: &Env) -> Vec<String> {
    match &env.pg {
        Some(_) => vec![
            "--keys".into(),
            env.dir.path().join("keys").to_string_lossy().into_owned(),
        ],
        None => Vec::new(),
    }
}

/// A database with `n` fully approved applications of 511802 and a clerk `clerk` (password PW).
pub(super) fn approved_db(n: u32) -> (Env, Vec<i64>) {
    let env = Env::new();
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut core = open_core(&env);
    let admin = core.login("admin", ADMIN_PW, now).unwrap();
    let add = |core: &mut Reopen, name: &str, role: &str, dep: Option<&str>, div: Option<&str>| {
        let u = NewUser {
            name: name.into(),
            role: role.into(),
            department: dep.map(Into::into),
            division: div.map(Into::into),
            password: Some(PW.into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now).unwrap();
        core.raw()
            .exec(
                "UPDATE users SET must_change = 0 WHERE name = ?1",
                reopen_core::args![name],
            )
            .unwrap();
        core.login(name, PW, now).unwrap()
    };
    let clerk = add(&mut core, "clerk", "clerk", None, Some("511802"));
    add(&mut core, "clerk2", "clerk", None, Some("511803"));
    let swj = add(&mut core, "swj", "reviewer", Some("511802-SWJ"), None);
    let zhb = add(&mut core, "zhb", "reviewer", Some("511802-ZHB"), None);
    let mut ids = Vec::new();
    for i in 0..n {
        let code = demo_credit_code("511802", 300 + i);
        let firm = serde_json::json!({"credit_code": code, "name": format!("雅安雨城第{}商贸有限公司", i + 1),
            "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号", "industry": "52",
            "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
            "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 20, "city_managed": false});
        core.firm_register(&clerk, &firm, now).unwrap();
        let app = core
            .app_create(
                &clerk,
                &code,
                &demo_plan("daily_necessities", 5, 1, 0, "张三", now),
                now,
            )
            .unwrap();
        let csv = demo_roster_csv(5, 1, 0, 40 + i, local_date(now));
        core.app_roster_replace(&clerk, app.id, "r.csv", csv.as_bytes(), None, now)
            .unwrap();
        core.app_submit(&clerk, app.id, None, now).unwrap();
        let d = |h: Option<i64>| Decision {
            verdict: "approve".into(),
            opinion: "同意".into(),
            headcount: h,
            conditions: Some("每日测温;佩戴口罩".into()),
            expect_version: None,
        };
        core.review_decide(&swj, app.id, &d(Some(5)), now).unwrap();
        core.review_decide(&zhb, app.id, &d(None), now).unwrap();
        ids.push(app.id);
    }
    (env, ids)
}

#[test]
fn two_processes_issuing_at_once_get_distinct_gapless_numbers() {
    let (env, ids) = approved_db(12);
    let db = env.db.clone();
    let keys = keys_args(&env);
    let halves: Vec<Vec<i64>> = vec![
        ids.iter().copied().step_by(2).collect(),
        ids.iter().copied().skip(1).step_by(2).collect(),
    ];
    let handles: Vec<_> = halves
        .into_iter()
        .map(|half| {
            let (db, keys) = (db.clone(), keys.clone());
            std::thread::spawn(move || {
                let mut numbers = Vec::new();
                for id in half {
                    let o = Command::new(env!("CARGO_BIN_EXE_reopen"))
                        .args([
                            "--db",
                            db.to_str().unwrap(),
                            "--json",
                            "--user",
                            "clerk",
                            "cert",
                            "issue",
                            &id.to_string(),
                        ])
                        .args(&keys)
                        .env("REOPEN_PASSWORD", PW)
                        .env("REOPEN_NOW", NOW)
                        .output()
                        .unwrap();
                    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                    numbers.push(v["seq"].as_u64().unwrap());
                }
                numbers
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    assert_eq!(all, (1..=12).collect::<Vec<u64>>(), "distinct and gapless");
    env.as_("admin", &["audit", "verify"]).ok();
}

#[test]
fn batch_print_prints_every_new_certificate_once() {
    let (env, ids) = approved_db(3);
    for id in &ids {
        env.as_("clerk", &["cert", "issue", &id.to_string()]).ok();
    }
    let out = env.path("printed");
    let r = env
        .as_(
            "clerk",
            &[
                "cert",
                "print",
                "--all-new",
                "--out-dir",
                out.to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(r["printed"].as_array().unwrap().len(), 3);
    assert!(r["failed"].as_array().unwrap().is_empty());
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 3);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{f:?}");
    }
    assert!(files
        .iter()
        .any(|f| f.to_string_lossy().contains("雨复工〔2020〕2号")));
    // Nothing new the second time.
    let r = env
        .as_(
            "clerk",
            &[
                "cert",
                "print",
                "--all-new",
                "--out-dir",
                out.to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert!(r["printed"].as_array().unwrap().is_empty());
    // A single print refuses to overwrite a file.
    let single = env.path("one.pdf");
    env.as_(
        "clerk",
        &[
            "cert",
            "print",
            "雨复工〔2020〕1号",
            "--out",
            single.to_str().unwrap(),
        ],
    )
    .ok();
    env.as_(
        "clerk",
        &[
            "cert",
            "print",
            "雨复工〔2020〕1号",
            "--out",
            single.to_str().unwrap(),
        ],
    )
    .code(5);
    let shown = env
        .as_("clerk", &["cert", "show", "雨复工〔2020〕1号"])
        .ok()
        .json();
    assert_eq!(shown["prints"], 2);
}

#[test]
fn verify_online_offline_void_and_revoke() {
    let (env, ids) = approved_db(2);
    let cert = env
        .as_("clerk", &["cert", "issue", &ids[0].to_string()])
        .ok()
        .json();
    let number = cert["number"].as_str().unwrap().to_string();
    let payload = cert["payload"].as_str().unwrap().to_string();
    // Anyone verifies, no user needed.
    let v = env.cmd(&["verify", &payload], &[]).ok().json();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["certificate"]["firm_name"], "雅安雨城第1商贸有限公司");
    // A public verification names no user (the clerk's login name is nobody's business).
    assert!(v["certificate"].get("issued_by").is_none(), "{v}");
    assert!(!v.to_string().contains("clerk"), "{v}");
    env.cmd(&["verify", "雨复工〔2020〕0099号"], &[]).code(4);
    let forged = payload.replacen('A', "B", 1);
    let forged = if forged == payload {
        payload.replacen('B', "A", 1)
    } else {
        forged
    };
    let f = env.cmd(&["verify", &forged], &[]).code(2);
    assert!(f.stdout.contains("forged"));
    // Offline with the exported public key; no database at all.
    let key_file = env.path("key.hex");
    env.as_(
        "clerk",
        &["cert", "public-key", "--out", key_file.to_str().unwrap()],
    )
    .ok();
    let offline = Command::new(env!("CARGO_BIN_EXE_reopen"))
        .args([
            "--json",
            "verify",
            &payload,
            "--public-key",
            key_file.to_str().unwrap(),
        ])
        .env("REOPEN_DB", env.path("does-not-exist.db"))
        .output()
        .unwrap();
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert!(!env.path("does-not-exist.db").exists());
    // It says what it could check: the signature, not whether the certificate was revoked.
    let o: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(o["status"], "valid");
    assert_eq!(o["revocation_checked"], false);
    assert_eq!(o["note"]["zh"], "签名有效；未核对是否已作废或撤销");
    let human = Command::new(env!("CARGO_BIN_EXE_reopen"))
        .args([
            "verify",
            &payload,
            "--public-key",
            key_file.to_str().unwrap(),
        ])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("签名有效；未核对是否已作废或撤销"));
    // Another county's clerk cannot void; the right clerk voids; verify says so (exit 5).
    env.as_("clerk2", &["cert", "void", &number, "--reason", "误印"])
        .code(3);
    env.as_(
        "clerk",
        &["cert", "void", &number, "--reason", "误印,重新打印"],
    )
    .ok();
    let v = env.cmd(&["verify", &number], &[]).code(5);
    assert!(v.stdout.contains("voided"));
    let reissued = env
        .as_("clerk", &["cert", "issue", &ids[0].to_string()])
        .ok()
        .json();
    assert_eq!(reissued["seq"], 2);
    // Revoke: the certificate and the application.
    let n2 = reissued["number"].as_str().unwrap();
    env.as_(
        "clerk",
        &["cert", "revoke", n2, "--reason", "检查发现未落实防控措施"],
    )
    .ok();
    assert_eq!(env.show("clerk", ids[0])["state"], "revoked");
    let pdf = env.path("revoked.pdf");
    env.as_(
        "clerk",
        &["cert", "print", n2, "--out", pdf.to_str().unwrap()],
    )
    .ok();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}

/// The printed certificate's QR code, read back from the page with zbarimg, is a payload that
/// `reopen verify` accepts; the same payload altered is refused as forged.
#[test]
fn printed_qr_code_verifies_and_a_forgery_does_not() {
    let (env, ids) = approved_db(1);
    let cert = env
        .as_("clerk", &["cert", "issue", &ids[0].to_string()])
        .ok()
        .json();
    let number = cert["number"].as_str().unwrap();
    let pdf = env.path("cert.pdf");
    env.as_(
        "clerk",
        &["cert", "print", number, "--out", pdf.to_str().unwrap()],
    )
    .ok();
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("雅安雨城第1商贸有限公司") && text.contains(number),
        "{text}"
    );
    let prefix = env.path("page");
    let ok = Command::new("pdftoppm")
        .args([
            "-r",
            "150",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", env.path("page-1.png").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "no QR code found on the printed page");
    let payload = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(payload, cert["payload"].as_str().unwrap());
    let v = env.cmd(&["verify", &payload], &[]).ok().json();
    assert_eq!(v["status"], "valid");
    assert_eq!(v["fields"]["number"], number);
    // Raise the headcount inside the signed fields: the signature no longer matches.
    let (body, sig) = payload.rsplit_once('.').unwrap();
    let (head, fields_b64) = body.rsplit_once('.').unwrap();
    assert!(head.starts_with("RO2."), "{head}");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let json = String::from_utf8(b64.decode(fields_b64).unwrap()).unwrap();
    let forged_json = json.replacen(",5,", ",500,", 1);
    assert_ne!(json, forged_json);
    let forged = format!("{head}.{}.{sig}", b64.encode(forged_json));
    let f = env.cmd(&["verify", &forged], &[]).code(2);
    assert_eq!(
        serde_json::from_str::<Value>(&f.stdout).unwrap()["status"],
        "forged"
    );
}

/// The verification code printed under the QR code (read back with pdftotext): `reopen verify
/// CODE` gives the same answer as the number; a wrong code is unknown (exit 4).
#[test]
fn the_printed_verification_code_verifies_like_the_number() {
    let (env, ids) = approved_db(1);
    let cert = env
        .as_("clerk", &["cert", "issue", &ids[0].to_string()])
        .ok()
        .json();
    let number = cert["number"].as_str().unwrap();
    let pdf = env.path("cert.pdf");
    env.as_(
        "clerk",
        &["cert", "print", number, "--out", pdf.to_str().unwrap()],
    )
    .ok();
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let code = text
        .split("核验码：")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_else(|| panic!("no verification code printed:\n{text}"))
        .to_string();
    assert_eq!(code.len(), 14, "{code}");
    assert!(text.contains("reopen verify"), "how to check it:\n{text}");
    let by_code = env.cmd(&["verify", &code], &[]).ok().json();
    let by_number = env.cmd(&["verify", number], &[]).ok().json();
    assert_eq!(by_code, by_number);
    assert_eq!(by_code["status"], "valid");
    // One character changed: unknown.
    let first = code.chars().next().unwrap();
    let wrong = format!("{}{}", if first == 'A' { 'B' } else { 'A' }, &code[1..]);
    let u = env.cmd(&["verify", &wrong], &[]).code(4);
    assert_eq!(
        serde_json::from_str::<Value>(&u.stdout).unwrap()["status"],
        "unknown"
    );
}

/// `cert key rotate`: new certificates carry the new key id, the exported key file holds both
/// keys, and a certificate issued before still verifies, online and offline.
#[test]
fn rotated_key_keeps_old_certificates_verifiable() {
    let (env, ids) = approved_db(2);
    let old = env
        .as_("clerk", &["cert", "issue", &ids[0].to_string()])
        .ok()
        .json();
    env.as_("clerk", &["cert", "key", "rotate"]).code(3);
    let r = env.as_("admin", &["cert", "key", "rotate"]).ok().json();
    let new_kid = r["new_kid"].as_str().unwrap();
    let new = env
        .as_("clerk", &["cert", "issue", &ids[1].to_string()])
        .ok()
        .json();
    let (old_p, new_p) = (
        old["payload"].as_str().unwrap(),
        new["payload"].as_str().unwrap(),
    );
    assert!(new_p.starts_with(&format!("RO2.{new_kid}.")));
    assert!(!old_p.starts_with(&format!("RO2.{new_kid}.")));
    let keys = env.path("keys.hex");
    let k = env
        .as_(
            "clerk",
            &["cert", "public-key", "--out", keys.to_str().unwrap()],
        )
        .ok()
        .json();
    assert_eq!(k["kid"], new_kid);
    assert_eq!(std::fs::read_to_string(&keys).unwrap().lines().count(), 2);
    for p in [old_p, new_p] {
        assert_eq!(env.cmd(&["verify", p], &[]).ok().json()["status"], "valid");
        let o = env
            .cmd(&["verify", p, "--public-key", keys.to_str().unwrap()], &[])
            .ok()
            .json();
        assert_eq!(o["status"], "valid");
    }
    env.as_("admin", &["audit", "verify"]).ok();
}

/// The database copied without its key directory cannot issue; naming the key directory with
/// --keys or REOPEN_KEYS_DIR makes it whole.
#[test]
fn keys_stay_beside_the_database_and_can_be_named() {
    if std::env::var("REOPEN_TEST_PG").is_ok_and(|u| !u.is_empty()) {
        return; // about a SQLite file copied without the key directory beside it
    }
    let (env, ids) = approved_db(1);
    let keys = env.path("reopen.db.keys");
    assert!(keys.join("signing.key").exists() && keys.join("audit.key").exists());
    let moved = env.path("elsewhere.db");
    rusqlite_copy(&env.db, &moved);
    let run = |extra: &[&str], envs: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
        c.arg("--db").arg(&moved).arg("--json").args(extra);
        c.env_remove("REOPEN_KEYS_DIR")
            .env("REOPEN_PASSWORD", PW)
            .env("REOPEN_NOW", NOW)
            .env("LANG", "zh_CN.UTF-8");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let id = ids[0].to_string();
    let o = run(&["--user", "clerk", "cert", "issue", &id], &[]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("elsewhere.db.keys") && err.contains("signing.key"),
        "{err}"
    );
    let o = run(
        &["--user", "clerk", "cert", "issue", &id],
        &[("REOPEN_KEYS_DIR", keys.to_str().unwrap())],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(
        &[
            "--keys",
            keys.to_str().unwrap(),
            "--user",
            "admin",
            "audit",
            "verify",
        ],
        &[("REOPEN_PASSWORD", ADMIN_PW)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn rusqlite_copy(from: &std::path::Path, to: &std::path::Path) {
    let c = Reopen::open(from).unwrap();
    c.raw()
        .exec("VACUUM INTO ?1", reopen_core::args![to.to_str().unwrap()])
        .unwrap();
}

/// `audit anchor --out FILE`, more events, `audit verify --anchor FILE` passes; history before
/// the anchor rewritten (here: an event removed, the triggers put back) fails.
#[test]
fn audit_anchor_then_verify_against_it() {
    let env = Env::new();
    let anchor = env.path("anchor.json");
    env.as_(
        "admin",
        &["audit", "anchor", "--out", anchor.to_str().unwrap()],
    )
    .ok();
    let a: Value = serde_json::from_str(&std::fs::read_to_string(&anchor).unwrap()).unwrap();
    assert_eq!(a["format"], "reopen-audit-anchor");
    assert!(a["signature"].as_str().unwrap().len() == 128);
    // Never overwrites an anchor kept before.
    env.as_(
        "admin",
        &["audit", "anchor", "--out", anchor.to_str().unwrap()],
    )
    .code(5);
    env.add_user("yc_swj", "reviewer", Some("511802-SWJ"));
    let r = env
        .as_(
            "admin",
            &["audit", "verify", "--anchor", anchor.to_str().unwrap()],
        )
        .ok()
        .json();
    assert_eq!(r["ok"], true);
    // Only the administrator.
    env.as_(
        "yc_swj",
        &["audit", "verify", "--anchor", anchor.to_str().unwrap()],
    )
    .code(3);
    // The anchored event rewritten: the anchor finds it.
    let seq = a["seq"].as_i64().unwrap();
    let core = open_core(&env);
    let on = match core.engine() {
        reopen_core::store::Engine::Sqlite => "",
        reopen_core::store::Engine::Postgres => " ON audit_events",
    };
    core.raw()
        .batch(&format!(
            "DROP TRIGGER audit_no_update{on}; UPDATE audit_events SET hash = '{}' WHERE seq = {seq};",
            "00".repeat(32)
        ))
        .unwrap();
    drop(core);
    let bad = env
        .as_(
            "admin",
            &["audit", "verify", "--anchor", anchor.to_str().unwrap()],
        )
        .code(5);
    assert_eq!(bad.json()["ok"], false);
}

/// `reopen --keys DIR init --demo` puts the new demo database's keys in DIR (they used to go beside
/// the database whatever --keys said), and the database works with them there.
#[test]
fn a_demo_database_takes_its_keys_where_keys_says() {
    if std::env::var("REOPEN_TEST_PG").is_ok_and(|u| !u.is_empty()) {
        return; // about a SQLite file and its key directory
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let keys = dir.path().join("vault").join("keys");
    let run = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
        c.arg("--db")
            .arg(&db)
            .arg("--keys")
            .arg(&keys)
            .arg("--json")
            .args(args);
        c.env_remove("REOPEN_KEYS_DIR")
            .env("REOPEN_PASSWORD", ADMIN_PW)
            .env("REOPEN_NOW", NOW);
        c.output().unwrap()
    };
    let o = run(&["init", "--demo", "--admin", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(keys.join("signing.key").exists() && keys.join("audit.key").exists());
    assert!(!dir.path().join("demo.db.keys").exists());
    let o = run(&["--user", "admin", "audit", "verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

//! The role × command matrix through the `reopen` binary: every role against the commands of
//! every other, each cell on a fresh copy of the demo database. F: refused with exit 3 (not
//! permitted); '.': let through to the use case (done, or another outcome such as a conflict).

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn role_by_command_matrix_through_the_cli() {
    let env = Env::empty();
    let r = env
        .cmd(
            &["init", "--demo", "--admin", "admin"],
            &[("REOPEN_PASSWORD", ADMIN_PW)],
        )
        .ok()
        .json();
    let mut pw: std::collections::HashMap<String, String> = r["demo"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().into(),
                u["password"].as_str().unwrap().into(),
            )
        })
        .collect();
    pw.insert("admin".into(), ADMIN_PW.into());
    let as_ = |db: &std::path::Path, user: &str, args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reopen"));
        c.arg("--db")
            .arg(db)
            .arg("--json")
            .arg("--user")
            .arg(user)
            .args(args);
        // Each cell's copy of the database uses the demo database's key directory.
        c.env("REOPEN_KEYS_DIR", env.db.with_file_name("reopen.db.keys"));
        for k in ["REOPEN_DB", "REOPEN_KEY_FILE", "LC_ALL", "LANGUAGE"] {
            c.env_remove(k);
        }
        c.env("REOPEN_NOW", NOW)
            .env("LANG", "zh_CN.UTF-8")
            .env("REOPEN_PASSWORD", &pw[user])
            .env("REOPEN_NEW_PASSWORD", "Matrix-Passw0rd");
        let o = c.output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    // Identifiers from the demo: a firm, the reviewer's first pending application, a certificate.
    let firms: Value = serde_json::from_str(&as_(&env.db, "admin", &["firm", "list"]).1).unwrap();
    let code_of = |name: &str| {
        firms
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"].as_str().unwrap().contains(name))
            .unwrap()["credit_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let firm1 = code_of("惠民超市");
    let firm8 = code_of("综合建材");
    let firm9 = code_of("鑫源");
    let queue: Value =
        serde_json::from_str(&as_(&env.db, "yc_swj", &["review", "queue"]).1).unwrap();
    let pending = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["state"] == "pending")
        .unwrap()["application_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let certs: Value =
        serde_json::from_str(&as_(&env.db, "yc_clerk", &["cert", "list"]).1).unwrap();
    let number = certs[0]["number"].as_str().unwrap().to_string();
    let plan = env.write_json("plan.json", &fixture_json("plan.json"));
    let report = env.write_json(
        "report.json",
        &json!({"date": "2020-02-05", "staff_on_site": 8, "fever": 0, "under_observation": 0,
            "masks_remaining": 100, "notes": ""}),
    );
    let mut new_firm = fixture_json("firm.json");
    new_firm["credit_code"] = json!(reopen_core::service::demo::demo_credit_code("511802", 600));
    let new_firm = env.write_json("new-firm.json", &new_firm);
    let (plan, report, new_firm) = (
        plan.to_str().unwrap().to_string(),
        report.to_str().unwrap().to_string(),
        new_firm.to_str().unwrap().to_string(),
    );
    #[rustfmt::skip]
    let cells: Vec<(Vec<&str>, &str)> = vec![
        (vec!["firm", "list"], "....."),
        (vec!["firm", "show", &firm1], "....."),
        (vec!["firm", "register", "--file", &new_firm], "FF.F."),
        (vec!["app", "list"], "....."),
        (vec!["app", "show", "1"], "....."),
        (vec!["app", "create", "--firm", &firm8, "--file", &plan], "FF.FF"),
        (vec!["app", "update", "8", "--file", &plan], "FF.FF"),
        (vec!["app", "submit", "8"], "FF.FF"),
        (vec!["app", "export", "1", "--out", "p.reopen"], ".F.F."),
        (vec!["review", "queue"], "F.FFF"),
        (vec!["review", "decide", &pending, "--return", "--opinion", "请补充"], "F.FFF"),
        (vec!["cert", "issue", "1"], "FF.FF"),
        (vec!["cert", "list"], "FF..."),
        (vec!["cert", "void", &number, "--reason", "误印"], "FF.FF"),
        (vec!["form", "print", "1", "--out", "f.pdf"], ".F.FF"),
        (vec!["daily", "file", &firm9, "--file", &report], "FF.FF"),
        (vec!["daily", "status"], "F...."),
        (vec!["daily", "flags"], "F...."),
        (vec!["stats"], "FF..."),
        (vec!["user", "list"], "FFFF."),
        (vec!["user", "add", "matrix_x", "--role", "leader", "--division", "511802"], "FFFF."),
        (vec!["audit", "log"], "FFFF."),
        (vec!["audit", "verify"], "FFFF."),
        (vec!["audit", "anchor", "--out", "a.json"], "FFFF."),
        (vec!["backup", "b.db"], "FFFF."),
        (vec!["retention", "purge", "--older-than", "30", "--dry-run"], "FFFF."),
    ];
    let users = ["firm1", "yc_swj", "yc_clerk", "ya_leader", "admin"];
    let template = env.db.clone();
    let mut mismatches = Vec::new();
    let mut n = 0;
    for (args, want) in &cells {
        if want.len() != users.len() {
            continue;
        }
        for (user, w) in users.iter().zip(want.chars()) {
            n += 1;
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("cell.db");
            std::fs::copy(&template, &db).unwrap();
            for ext in ["-wal", "-shm"] {
                let side = template.with_file_name(format!("reopen.db{ext}"));
                if side.exists() {
                    std::fs::copy(&side, dir.path().join(format!("cell.db{ext}"))).unwrap();
                }
            }
            // Relative output files land in the cell's directory.
            let args: Vec<String> = args
                .iter()
                .map(|a| match *a {
                    "p.reopen" | "f.pdf" | "b.db" | "a.json" => {
                        dir.path().join(a).to_str().unwrap().to_string()
                    }
                    other => other.to_string(),
                })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, _) = as_(&db, user, &args);
            let got = if code == 3 { 'F' } else { '.' };
            if got != w {
                mismatches.push(format!(
                    "{user} × {}: expected {w}, got exit {code}",
                    args.join(" ")
                ));
            }
        }
    }
    println!(
        "CLI permission matrix: {} commands × {} roles = {n} cells, {} mismatches",
        cells.len(),
        users.len(),
        mismatches.len()
    );
    assert!(n >= 120, "{n}");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

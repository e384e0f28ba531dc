//! `reopen daily …` and `reopen stats` on the demo data, as an administrator's script runs them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::support::*;

/// `init --demo`; returns the demo users' passwords by name.
fn demo(env: &Env) -> std::collections::HashMap<String, String> {
    let r = env
        .cmd(
            &["init", "--demo", "--admin", "admin"],
            &[("REOPEN_PASSWORD", ADMIN_PW)],
        )
        .ok();
    r.json()["demo"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                u["password"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const FIRM9: &str = "firm9";

/// Human (not --json) output of `reopen --user USER ARGS`.
fn human(env: &Env, user: &str, pw: &str, args: &[&str]) -> String {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reopen"));
    c.args(["--db", env.db.to_str().unwrap(), "--user", user])
        .args(args)
        .env("REOPEN_PASSWORD", pw)
        .env("REOPEN_NOW", NOW)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("REOPEN_DB");
    let o = c.output().unwrap();
    assert!(o.status.success(), "{o:?}");
    String::from_utf8(o.stdout).unwrap()
}

fn firm9_code(env: &Env, pw: &str) -> String {
    let r = env.as_pw(FIRM9, pw, &["firm", "list"]).ok();
    let list = r.json();
    list[0]["credit_code"].as_str().unwrap().to_string()
}

#[test]
fn a_firm_files_its_daily_report_and_the_department_sees_the_day() {
    let env = Env::empty();
    let pw = demo(&env);
    let code = firm9_code(&env, &pw[FIRM9]);
    // Today's report (2020-02-05, due tomorrow 10:00): on time.
    let report = env.write_json(
        "report.json",
        &json!({"date": "2020-02-05", "staff_on_site": 10, "fever": 0, "under_observation": 0,
            "masks_remaining": 300, "notes": "正常"}),
    );
    let r = env
        .as_pw(
            FIRM9,
            &pw[FIRM9],
            &["daily", "file", &code, "--file", report.to_str().unwrap()],
        )
        .ok();
    let filed = r.json();
    assert_eq!(filed["status"], "on_time");
    assert_eq!(filed["date"], "2020-02-05");
    assert_eq!(filed["flags"], json!([]));
    // The same day again: a conflict, exit 5; the first stands.
    let again = env.as_pw(
        FIRM9,
        &pw[FIRM9],
        &["daily", "file", &code, "--file", report.to_str().unwrap()],
    );
    assert_eq!(again.code(5).error()["kind"], "conflict");
    // A bad report: every bad field at once, exit 2, nothing stored.
    let bad = env.write_json(
        "bad.json",
        &json!({"date": "2020-2-4", "staff_on_site": -3, "fever": 0, "masks_remaining": "many"}),
    );
    let r = env.as_pw(
        FIRM9,
        &pw[FIRM9],
        &["daily", "file", &code, "--file", bad.to_str().unwrap()],
    );
    assert_invalid(
        &r,
        &[
            "date",
            "staff_on_site",
            "under_observation",
            "masks_remaining",
        ],
    );
    let list = env
        .as_pw(FIRM9, &pw[FIRM9], &["daily", "list", &code])
        .ok()
        .json();
    assert_eq!(
        list.as_array().unwrap().len(),
        6,
        "five days of the demo and today"
    );
    // The department: yesterday by default; the demo's day -5 is missing, day -4 flagged.
    let swj = &pw["yc_swj"];
    let s = env.as_pw("yc_swj", swj, &["daily", "status"]).ok().json();
    assert_eq!(s["date"], "2020-02-04");
    assert_eq!(s["counts"]["on_time"], 1);
    let s = env
        .as_pw("yc_swj", swj, &["daily", "status", "--date", "2020-01-31"])
        .ok()
        .json();
    assert_eq!(s["counts"]["missing"], 1);
    assert_eq!(s["rows"][0]["status"], "missing");
    let flags = env.as_pw("yc_swj", swj, &["daily", "flags"]).ok().json();
    let flags = flags.as_array().unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0]["flags"], json!(["fever"]));
    let id = flags[0]["id"].as_i64().unwrap().to_string();
    // On screen the flag comes above the queue; the queue's JSON keeps its shape.
    let q = human(&env, "yc_swj", swj, &["review", "queue"]);
    assert!(q.starts_with("每日报告预警 1 条"), "{q}");
    assert!(q.contains("有发热人员"), "{q}");
    assert!(env
        .as_pw("yc_swj", swj, &["review", "queue"])
        .ok()
        .json()
        .is_array());
    let handled = env
        .as_pw(
            "yc_swj",
            swj,
            &[
                "daily",
                "handle",
                &id,
                "--note",
                "已电话核实,员工已居家观察",
            ],
        )
        .ok()
        .json();
    assert!(handled["flag_handled_at"].is_string());
    assert_eq!(
        env.as_pw("yc_swj", swj, &["daily", "flags"]).ok().json(),
        json!([])
    );
    let days = env
        .as_pw(
            "yc_swj",
            swj,
            &[
                "daily",
                "compliance",
                "--from",
                "2020-01-30",
                "--to",
                "2020-02-04",
            ],
        )
        .ok()
        .json();
    let days = days.as_array().unwrap();
    assert_eq!(days.len(), 6);
    assert_eq!(days[0]["counts"]["on_time"], 1);
    assert_eq!(days[1]["counts"]["missing"], 1);
    assert_eq!(days[3]["counts"]["late"], 1);
    // Bad arguments are named; a firm may not read the department's list.
    assert_invalid(
        &env.as_pw("yc_swj", swj, &["daily", "status", "--date", "昨天"]),
        &["date"],
    );
    assert_invalid(
        &env.as_pw("yc_swj", swj, &["daily", "status", "--status", "bad"]),
        &["status"],
    );
    assert_eq!(env.as_pw(FIRM9, &pw[FIRM9], &["daily", "status"]).code, 3);
}

fn cell(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn stats_by_county_and_industry_with_a_workbook_and_the_bulletin() {
    let env = Env::empty();
    let pw = demo(&env);
    let leader = &pw["ya_leader"];
    let xlsx = env.path("stats.xlsx");
    let pdf = env.path("bulletin.pdf");
    let s = env
        .as_pw(
            "ya_leader",
            leader,
            &[
                "stats",
                "--by",
                "division,industry",
                "--xlsx",
                xlsx.to_str().unwrap(),
                "--pdf",
                pdf.to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(
        (s["from"].as_str(), s["to"].as_str()),
        (Some("2020-02-05"), Some("2020-02-05"))
    );
    assert_eq!(s["by"], json!(["division", "industry"]));
    let total = &s["total"];
    assert_eq!(
        total["submitted"], 5,
        "five of the demo's submissions were today"
    );
    assert_eq!(total["firms_reopened"], 1);
    let rows: &Vec<Value> = s["rows"].as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["keys"].as_array().unwrap().len() == 2));
    let sum: i64 = rows.iter().map(|r| r["submitted"].as_i64().unwrap()).sum();
    assert_eq!(sum, 5);
    // The workbook, read back: the same total.
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
    let sheet = book.worksheet_range("统计").unwrap();
    let grid: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(cell).collect()).collect();
    assert_eq!(&grid[1][..3], ["县（区）", "行业门类", "提交（件次）"]);
    let last = grid.last().unwrap();
    assert_eq!(last[0], "合计");
    assert_eq!(last[2], "5");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // An existing file is never overwritten; bad groupings and dates are named.
    let again = env.as_pw(
        "ya_leader",
        leader,
        &["stats", "--xlsx", xlsx.to_str().unwrap()],
    );
    assert_eq!(again.code, 5);
    assert_invalid(
        &env.as_pw("ya_leader", leader, &["stats", "--by", "county"]),
        &["by"],
    );
    assert_invalid(
        &env.as_pw(
            "ya_leader",
            leader,
            &["stats", "--from", "2020-02-06", "--to", "2020-02-01"],
        ),
        &["from"],
    );
    assert_eq!(env.as_pw("yc_swj", &pw["yc_swj"], &["stats"]).code, 3);
    // Human output in Chinese, with the total row.
    let human = human(&env, "ya_leader", leader, &["stats", "--by", "category"]);
    assert!(
        human.contains("复工复产统计") && human.contains("合计") && human.contains("群众生活必需"),
        "{human}"
    );
}

#[test]
fn retention_purge_is_the_administrators_and_says_what_it_would_do() {
    let env = Env::empty();
    let pw = demo(&env);
    let r = env
        .as_(
            "admin",
            &["retention", "purge", "--older-than", "30", "--dry-run"],
        )
        .ok()
        .json();
    assert_eq!(r["dry_run"], true);
    assert_eq!(
        r["applications"],
        json!([]),
        "the demo's closed cases closed today"
    );
    assert_invalid(
        &env.as_("admin", &["retention", "purge", "--older-than", "0"]),
        &["older_than"],
    );
    assert_eq!(
        env.as_pw(
            "yc_clerk",
            &pw["yc_clerk"],
            &["retention", "purge", "--older-than", "30"]
        )
        .code,
        3
    );
}

#[test]
fn a_sealed_roster_needs_the_key_file() {
    let env = Env::empty();
    let pw = demo(&env);
    let key = env.path("roster.key");
    let k = env
        .cmd(&["roster-key", "new", "--out", key.to_str().unwrap()], &[])
        .ok()
        .json();
    assert_eq!(k["fingerprint"].as_str().unwrap().len(), 16);
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_eq!(
        env.cmd(&["roster-key", "new", "--out", key.to_str().unwrap()], &[])
            .code,
        5
    );
    assert_invalid(
        &env.as_("admin", &["roster-key", "seal"]),
        &["REOPEN_KEY_FILE"],
    );
    let with_key = |user: &str, pw: &str, args: &[&str]| {
        let mut a = vec!["--user", user];
        a.extend_from_slice(args);
        env.cmd(
            &a,
            &[
                ("REOPEN_PASSWORD", pw),
                ("REOPEN_KEY_FILE", key.to_str().unwrap()),
            ],
        )
    };
    let sealed = with_key("admin", ADMIN_PW, &["roster-key", "seal"])
        .ok()
        .json();
    assert!(sealed["roster_rows"].as_u64().unwrap() > 50, "{sealed}");
    // firm1's application (id 1): without the key the roster is refused, with it shown masked.
    let firm1 = &pw["firm1"];
    let r = env.as_pw("firm1", firm1, &["app", "show", "1", "--roster"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.error()["message"]
        .as_str()
        .unwrap()
        .contains("REOPEN_KEY_FILE"));
    let shown = with_key("firm1", firm1, &["app", "show", "1", "--roster"]).ok();
    assert!(shown.stdout.contains('*'));
}

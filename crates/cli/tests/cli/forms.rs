//! `reopen form print ID --kind receipt|return|rejection --out FILE`: the counter documents
//! through the binary, each print audited once it reached its file; the wrong kind for the
//! application's state is a conflict (exit 5), someone else's application forbidden (3), an unknown
//! one not found (4), an unknown kind a usage error (2). `form print ID --out FILE` still prints
//! the application form.

use std::process::Command;

use chrono::{TimeZone, Utc};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, Decision, NewUser};
use reopen_core::Reopen;
use serde_json::Value;

use crate::certs::{keys_args, open_core};
use crate::support::*;

struct Apps {
    draft: i64,
    in_review: i64,
    returned: i64,
    rejected: i64,
    /// Returned, then resubmitted: in review again.
    resubmitted: i64,
}

/// A clerk `clerk` of 511802 (and `clerk2` of 511803), a firm user `f1` of the first firm, and
/// one application of each state the documents care about.
fn setup() -> (Env, Apps) {
    let env = Env::new();
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut core = open_core(&env);
    let admin = core.login("admin", ADMIN_PW, now).unwrap();
    let mut add =
        |name: &str, role: &str, dep: Option<&str>, div: Option<&str>, firm: Option<&str>| {
            let u = NewUser {
                name: name.into(),
                role: role.into(),
                department: dep.map(Into::into),
                division: div.map(Into::into),
                firm: firm.map(Into::into),
                password: Some(PW.into()),
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
    let clerk = add("clerk", "clerk", None, Some("511802"), None);
    add("clerk2", "clerk", None, Some("511803"), None);
    let swj = add("swj", "reviewer", Some("511802-SWJ"), None, None);
    let mut ids = Vec::new();
    for i in 0..5u32 {
        let code = demo_credit_code("511802", 500 + i);
        let firm = serde_json::json!({"credit_code": code, "name": format!("雅安雨城第{}商贸有限公司", i + 1),
            "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号", "industry": "52",
            "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
            "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 20, "city_managed": false});
        core.firm_register(&clerk, &firm, now).unwrap();
        let app = core
            .app_create(
                &clerk,
                &code,
                &demo_plan("production", 5, 1, 0, "张三", now),
                now,
            )
            .unwrap();
        let csv = demo_roster_csv(5, 1, 0, 60 + i, local_date(now));
        core.app_roster_replace(&clerk, app.id, "r.csv", csv.as_bytes(), None, now)
            .unwrap();
        ids.push((code, app.id));
    }
    let decide = |core: &mut Reopen, id: i64, verdict: &str, opinion: &str| {
        let d = Decision {
            verdict: verdict.into(),
            opinion: opinion.into(),
            headcount: None,
            conditions: None,
            expect_version: None,
        };
        core.review_decide(&swj, id, &d, now).unwrap();
    };
    for (_, id) in &ids[1..] {
        core.app_submit(&clerk, *id, None, now).unwrap();
    }
    decide(
        &mut core,
        ids[2].1,
        "return",
        "口罩储备不足7天用量，请补充口罩储备。\n请补报2名外地返岗员工的返岗日期。",
    );
    decide(
        &mut core,
        ids[3].1,
        "reject",
        "企业所在园区尚未解除封闭管理，不具备复工复产条件。",
    );
    decide(&mut core, ids[4].1, "return", "请补充消毒记录。");
    let later = now + chrono::Duration::hours(3);
    core.app_submit(&clerk, ids[4].1, None, later).unwrap();
    let u = NewUser {
        name: "f1".into(),
        role: "firm".into(),
        firm: Some(ids[1].0.clone()),
        password: Some(PW.into()),
        ..Default::default()
    };
    core.user_add(&admin, &u, now).unwrap();
    core.raw()
        .exec(
            "UPDATE users SET must_change = 0 WHERE name = 'f1'",
            reopen_core::args![],
        )
        .unwrap();
    let apps = Apps {
        draft: ids[0].1,
        in_review: ids[1].1,
        returned: ids[2].1,
        rejected: ids[3].1,
        resubmitted: ids[4].1,
    };
    (env, apps)
}

fn print(env: &Env, user: &str, id: i64, kind: Option<&str>, file: &str) -> Run {
    let out = env.path(file);
    let id = id.to_string();
    let mut args = vec!["form", "print", id.as_str()];
    if let Some(k) = kind {
        args.extend(["--kind", k]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    env.as_(user, &args)
}

fn pdf_text(path: &std::path::Path) -> String {
    let o = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn notice_prints(env: &Env, id: i64) -> Vec<Value> {
    env.as_("admin", &["audit", "log", "--record", &format!("app:{id}")])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "notice.print")
        .cloned()
        .collect()
}

#[test]
fn each_kind_prints_its_document_and_is_audited() {
    let (env, a) = setup();
    let firm_name = "雅安雨城第2商贸有限公司";
    let r = print(&env, "clerk", a.in_review, Some("receipt"), "receipt.pdf")
        .ok()
        .json();
    assert_eq!(r["kind"], "receipt");
    let case = format!("雨复工受〔2020〕{}号", a.in_review);
    assert_eq!(r["case_number"], case.as_str());
    let t = pdf_text(&env.path("receipt.pdf"));
    for n in [
        "复工复产申请受理回执",
        firm_name,
        case.as_str(),
        "承诺于2020年2月7日9时00分前办结",
    ] {
        assert!(t.contains(n), "receipt lacks {n}: {t}");
    }
    // The firm itself may print its own receipt too.
    print(&env, "f1", a.in_review, Some("receipt"), "own.pdf").ok();
    assert_eq!(notice_prints(&env, a.in_review).len(), 2);

    print(&env, "clerk", a.returned, Some("return"), "return.pdf").ok();
    let t = pdf_text(&env.path("return.pdf"));
    for n in [
        "退回补正告知书",
        "一次性告知",
        "请补充口罩储备。",
        "请补报2名外地返岗员工的返岗日期。",
    ] {
        assert!(t.contains(n), "return notice lacks {n}: {t}");
    }
    print(
        &env,
        "clerk",
        a.rejected,
        Some("rejection"),
        "rejection.pdf",
    )
    .ok();
    let t = pdf_text(&env.path("rejection.pdf"));
    for n in ["不予批准决定书", "不具备复工复产条件。", "申请行政复议"] {
        assert!(t.contains(n), "rejection lacks {n}: {t}");
    }
    let ev = notice_prints(&env, a.rejected);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["after"]["kind"], "rejection", "{ev:?}");

    // After a resubmission the return notice is still the last return's; the receipt the new one's.
    print(
        &env,
        "clerk",
        a.resubmitted,
        Some("return"),
        "old-return.pdf",
    )
    .ok();
    assert!(pdf_text(&env.path("old-return.pdf")).contains("请补充消毒记录。"));
    let r = print(&env, "clerk", a.resubmitted, Some("receipt"), "again.pdf")
        .ok()
        .json();
    assert_eq!(r["submission_no"], 2);
    assert!(pdf_text(&env.path("again.pdf")).contains("第2次提交"));
}

#[test]
fn the_application_form_is_still_the_default() {
    let (env, a) = setup();
    let r = print(&env, "clerk", a.draft, None, "form.pdf").ok().json();
    assert_eq!(r["application"], a.draft);
    assert!(r["bytes"].as_u64().unwrap() > 1000);
    assert!(pdf_text(&env.path("form.pdf")).contains("复工复产申请审批表"));
    print(&env, "clerk", a.draft, Some("form"), "form2.pdf").ok();
}

/// The form is staged beside FILE and named after the commit: an existing FILE is refused and
/// nothing is logged; no temporary file is left behind.
#[test]
fn the_form_is_not_printed_over_an_existing_file_and_leaves_no_temporary() {
    let (env, a) = setup();
    let file = env.path("form.pdf");
    std::fs::write(&file, b"keep").unwrap();
    let before = form_prints(&env, a.draft);
    let r = print(&env, "clerk", a.draft, None, "form.pdf");
    assert_ne!(r.code, 0, "{r:?}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");
    assert_eq!(
        form_prints(&env, a.draft),
        before,
        "a refused print is not logged"
    );
    print(&env, "clerk", a.draft, None, "form2.pdf").ok();
    assert_eq!(form_prints(&env, a.draft), before + 1);
    let left: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("form") && !n.ends_with(".pdf"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

fn form_prints(env: &Env, id: i64) -> usize {
    let log = env
        .as_("admin", &["audit", "log", "--record", &format!("app:{id}")])
        .ok()
        .json();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "form.print")
        .count()
}

#[test]
fn wrong_kinds_strangers_and_unknowns_are_refused_and_change_nothing() {
    let (env, a) = setup();
    let before = env.audit_len();
    for (id, kind, want) in [
        (a.draft, "receipt", "尚未提交"),
        (a.in_review, "return", "未被退回补正"),
        (a.returned, "rejection", "未被不予批准"),
        (a.in_review, "rejection", "未被不予批准"),
    ] {
        let r = print(&env, "clerk", id, Some(kind), "x.pdf").code(5);
        let e = r.error();
        assert_eq!(e["kind"], "conflict", "{r:?}");
        assert!(e["message"].as_str().unwrap().contains(want), "{r:?}");
        assert!(!env.path("x.pdf").exists());
    }
    // English too.
    let out = env.path("x.pdf");
    let r = env.cmd(
        &[
            "--user",
            "clerk",
            "form",
            "print",
            &a.in_review.to_string(),
            "--kind",
            "return",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("REOPEN_PASSWORD", PW), ("LANG", "en_US.UTF-8")],
    );
    assert_eq!(r.code, 5);
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("never returned"),
        "{r:?}"
    );

    // Another jurisdiction's clerk, another firm's user, a reviewer: not permitted.
    print(&env, "clerk2", a.in_review, Some("receipt"), "x.pdf").code(3);
    print(&env, "f1", a.returned, Some("return"), "x.pdf").code(3);
    print(&env, "swj", a.in_review, Some("receipt"), "x.pdf").code(3);
    print(&env, "clerk", 9999, Some("receipt"), "x.pdf").code(4);
    let r = print(&env, "clerk", a.in_review, Some("certificate"), "x.pdf").code(2);
    assert_eq!(r.error()["kind"], "validation");
    // An existing file is never overwritten, and the print is then not logged.
    env.write("taken.pdf", "mine");
    print(&env, "clerk", a.in_review, Some("receipt"), "taken.pdf").code(5);
    assert_eq!(
        std::fs::read_to_string(env.path("taken.pdf")).unwrap(),
        "mine"
    );
    assert_eq!(env.audit_len(), before);
}

#[test]
fn human_output_names_the_document_and_the_case() {
    let (env, a) = setup();
    let out = env.path("h.pdf");
    let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
    c.arg("--db").arg(&env.db).args(keys_args(&env));
    c.args([
        "--user",
        "clerk",
        "form",
        "print",
        &a.rejected.to_string(),
        "--kind",
        "rejection",
        "--out",
    ])
    .arg(&out)
    .env("REOPEN_NOW", NOW)
    .env("REOPEN_PASSWORD", PW)
    .env("LANG", "zh_CN.UTF-8")
    .env_remove("LC_ALL");
    let o = c.output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains(&format!(
            "不予批准决定书（受理编号 雨复工受〔2020〕{}号）已输出到",
            a.rejected
        )),
        "{s}"
    );
}

/// Not a counter document, but the same reader: the reviewer's queue on screen names the
/// category and the state in Chinese (it printed `production`, `pending`); `--json` keeps codes.
#[test]
fn the_human_queue_names_categories_and_states_in_chinese() {
    let (env, _) = setup();
    let o = Command::new(env!("CARGO_BIN_EXE_reopen"))
        .arg("--db")
        .arg(&env.db)
        .args(keys_args(&env))
        .args(["--user", "swj", "review", "queue"])
        .env("REOPEN_NOW", NOW)
        .env("REOPEN_PASSWORD", PW)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("\t企业生产必需\t") && s.contains("\t待审核\t"),
        "{s}"
    );
    for code in ["production", "pending", "returned", "rejected"] {
        assert!(!s.contains(code), "{code} printed:\n{s}");
    }
    // `app show` too: 复工类别 企业生产必需, not the code.
    let o = Command::new(env!("CARGO_BIN_EXE_reopen"))
        .arg("--db")
        .arg(&env.db)
        .args(keys_args(&env))
        .args(["--user", "swj", "app", "show", "2"])
        .env("REOPEN_NOW", NOW)
        .env("REOPEN_PASSWORD", PW)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && s.contains("复工类别 企业生产必需"),
        "{o:?}"
    );
    assert!(!s.contains("production"), "{s}");
    let j = env.as_("swj", &["review", "queue"]).ok().json();
    assert_eq!(j[0]["category"], "production");
    assert_eq!(j[0]["state"], "pending");
}

/// Filing mode (备案制): the submission is approved at once; the receipt says so, names no
/// deadline, and the competent industry department signs it. The green channel's shorter
/// deadline shows on a receipt of a priority category.
#[test]
fn receipts_in_filing_mode_and_on_the_green_channel() {
    let env = Env::new();
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut core = open_core(&env);
    let admin = core.login("admin", ADMIN_PW, now).unwrap();
    let u = NewUser {
        name: "clerk".into(),
        role: "clerk".into(),
        department: None,
        division: Some("511802".into()),
        firm: None,
        password: Some(PW.into()),
    };
    core.user_add(&admin, &u, now).unwrap();
    core.raw()
        .exec(
            "UPDATE users SET must_change = 0 WHERE name = 'clerk'",
            reopen_core::args![],
        )
        .unwrap();
    let clerk = core.login("clerk", PW, now).unwrap();
    let file = |i: u32, category: &str, core: &mut Reopen| {
        let code = demo_credit_code("511802", 700 + i);
        let firm = serde_json::json!({"credit_code": code, "name": format!("雅安雨城备案第{}商行", i + 1),
            "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号", "industry": "52",
            "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
            "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 20, "city_managed": false});
        core.firm_register(&clerk, &firm, now).unwrap();
        let app = core
            .app_create(
                &clerk,
                &code,
                &demo_plan(category, 5, 1, 0, "张三", now),
                now,
            )
            .unwrap();
        let csv = demo_roster_csv(5, 1, 0, 80 + i, local_date(now));
        core.app_roster_replace(&clerk, app.id, "r.csv", csv.as_bytes(), None, now)
            .unwrap();
        core.app_submit(&clerk, app.id, None, now).unwrap().id
    };
    let green = file(0, "daily_necessities", &mut core);
    let text = reopen_core::domain::policy::DEFAULT_POLICY_TOML
        .replace("mode = \"approval\"", "mode = \"filing\"");
    core.policy_set(&admin, &text, now).unwrap();
    let filed = file(1, "production", &mut core);
    drop(core);

    print(&env, "clerk", green, Some("receipt"), "green.pdf").ok();
    let t = pdf_text(&env.path("green.pdf"));
    for n in [
        "走绿色通道",
        "每个环节8小时",
        "承诺于2020年2月6日1时00分前办结",
    ] {
        assert!(t.contains(n), "green receipt lacks {n}: {t}");
    }
    assert_eq!(env.show("clerk", filed)["state"], "approved");
    print(&env, "clerk", filed, Some("receipt"), "filed.pdf").ok();
    let t = pdf_text(&env.path("filed.pdf"));
    assert!(t.contains("按备案制办理，已即时办结"), "{t}");
    assert!(!t.contains("承诺于"), "{t}");
    assert!(
        t.contains("雨城区商务局"),
        "the industry department signs: {t}"
    );
}

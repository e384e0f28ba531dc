//! Conflicts, permissions, not found, lockout.

use reopen_core::domain::ids::make_credit_code;

use crate::support::*;

#[test]
fn second_application_for_the_same_firm_conflicts() {
    let (env, _id) = with_draft();
    let r = env.as_(
        "f1",
        &[
            "app",
            "create",
            "--firm",
            FIRM_CODE,
            "--file",
            fixture("plan.json").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 5, "{r:?}");
    assert_eq!(r.error()["kind"], "conflict");
    let list = env.as_("admin", &["app", "list"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

#[test]
fn stale_expect_version_conflicts() {
    let (env, id) = with_draft();
    let ids = id.to_string();
    let v = env.show("f1", id)["version"].as_i64().unwrap();
    let mut plan = fixture_json("plan.json");
    plan["supplies"]["masks"] = 500.into();
    let p = env.write_json("p.json", &plan);
    let ok = env
        .as_(
            "f1",
            &[
                "app",
                "update",
                &ids,
                "--file",
                p.to_str().unwrap(),
                "--expect-version",
                &v.to_string(),
            ],
        )
        .ok()
        .json();
    assert_eq!(ok["version"].as_i64().unwrap(), v + 1);
    // The same expectation again is now stale.
    plan["supplies"]["masks"] = 900.into();
    let p = env.write_json("p2.json", &plan);
    let r = env.as_(
        "f1",
        &[
            "app",
            "update",
            &ids,
            "--file",
            p.to_str().unwrap(),
            "--expect-version",
            &v.to_string(),
        ],
    );
    assert_eq!(r.code, 5, "{r:?}");
    let now = env.show("f1", id);
    assert_eq!(now["version"].as_i64().unwrap(), v + 1);
    assert_eq!(now["plan"]["supplies"]["masks"], 500);
    // Stale submit and stale decision, too.
    env.as_(
        "f1",
        &["app", "submit", &ids, "--expect-version", &v.to_string()],
    )
    .code(5);
    assert_eq!(env.show("f1", id)["state"], "draft");
    let sub = env.as_("f1", &["app", "submit", &ids]).ok().json();
    let sv = sub["version"].as_i64().unwrap();
    env.as_(
        "swj",
        &[
            "review",
            "decide",
            &ids,
            "--return",
            "--opinion",
            "补充",
            "--expect-version",
            &(sv - 1).to_string(),
        ],
    )
    .code(5);
    assert_eq!(env.show("f1", id)["state"], "in_review");
}

#[test]
fn leader_cannot_create_applications() {
    let env = with_firm();
    env.add_user("leader", "leader", None);
    let r = env.as_(
        "leader",
        &[
            "app",
            "create",
            "--firm",
            FIRM_CODE,
            "--file",
            fixture("plan.json").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.error()["kind"], "forbidden");
    assert!(has_cjk(r.error()["message"].as_str().unwrap()));
    let list = env.as_("admin", &["app", "list"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 0);
}

#[test]
fn firm_user_cannot_see_another_firms_application() {
    let (env, id1) = with_draft();
    env.add_user("f2", "firm", None);
    let code2 = make_credit_code('9', '1', "511802", "MA62CD02").unwrap();
    let mut firm = fixture_json("firm.json");
    firm["credit_code"] = code2.clone().into();
    firm["name"] = "雅安市另一家超市有限公司".into();
    let f = env.write_json("firm2.json", &firm);
    env.as_("f2", &["firm", "register", "--file", f.to_str().unwrap()])
        .ok();
    let a2 = env
        .as_(
            "f2",
            &[
                "app",
                "create",
                "--firm",
                &code2,
                "--file",
                fixture("plan.json").to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    let id2 = a2["id"].as_i64().unwrap();
    env.as_("f1", &["app", "show", &id2.to_string()]).code(3);
    env.as_("f2", &["app", "show", &id1.to_string()]).code(3);
    // Nor act on it, nor file for the other firm.
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id2.to_string(),
            "--file",
            fixture("plan.json").to_str().unwrap(),
        ],
    )
    .code(3);
    env.as_("f1", &["firm", "show", &code2]).code(3);
    let list = env.as_("f1", &["app", "list"]).ok().json();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id1]);
    // And the owner still sees its own.
    env.as_("f2", &["app", "show", &id2.to_string()]).ok();
}

#[test]
fn unknown_application_is_not_found() {
    let (env, _id) = with_draft();
    let r = env.as_("admin", &["app", "show", "9999"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(r.error()["kind"], "not_found");
    env.as_(
        "swj",
        &["review", "decide", "9999", "--return", "--opinion", "x"],
    )
    .code(4);
    env.as_(
        "admin",
        &[
            "firm",
            "show",
            &make_credit_code('9', '1', "511802", "MA62XY99").unwrap(),
        ],
    )
    .code(4);
}

#[test]
fn wrong_passwords_make_the_next_attempt_wait_and_the_administrator_lifts_it() {
    let env = Env::new();
    env.add_user("swj", "reviewer", Some("511802-SWJ"));
    // The clock stands still (REOPEN_NOW), so after a few failures the wait never runs out here.
    let mut waits = 0;
    for i in 0..5 {
        let r = env.as_pw("swj", "Wrong1234", &["review", "queue"]);
        assert_eq!(r.code, 3, "attempt {i}: {r:?}");
        let m = r.error()["message"].as_str().unwrap().to_string();
        assert!(m == "用户名或密码错误" || m.contains("秒后再试"), "{m}");
        waits += usize::from(m.contains("秒后再试"));
    }
    assert!(waits > 0);
    let r = env.as_("swj", &["review", "queue"]);
    assert_eq!(r.code, 3, "{r:?}");
    let m = r.error()["message"].as_str().unwrap().to_string();
    assert!(m.contains("秒后再试") && !m.contains("锁定"), "{m}");
    // An unknown name after as many failures is told the same words.
    for _ in 0..5 {
        env.as_pw("nobody", "Wrong1234", &["review", "queue"]);
    }
    let n = env.as_("nobody", &["review", "queue"]);
    assert_eq!(n.error()["message"], r.error()["message"]);
    // The administrator lifts it.
    env.as_("admin", &["user", "unlock", "swj"]).ok();
    env.as_("swj", &["review", "queue"]).ok();
}

#[test]
fn initial_password_must_be_changed_first() {
    let env = Env::new();
    let r = env.cmd(
        &[
            "--user",
            "admin",
            "user",
            "add",
            "swj",
            "--role",
            "reviewer",
            "--department",
            "511802-SWJ",
        ],
        &[
            ("REOPEN_PASSWORD", ADMIN_PW),
            ("REOPEN_NEW_PASSWORD", INITIAL_PW),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.as_pw("swj", INITIAL_PW, &["review", "queue"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.error()["message"].as_str().unwrap().contains("修改"),
        "{r:?}"
    );
    // A weak new password is refused.
    let r = env.cmd(
        &["--user", "swj", "user", "password", "swj"],
        &[
            ("REOPEN_PASSWORD", INITIAL_PW),
            ("REOPEN_NEW_PASSWORD", "abcdefgh"),
        ],
    );
    assert_eq!(r.code, 2, "{r:?}");
    env.as_pw("swj", INITIAL_PW, &["review", "queue"]).code(3);
    let r = env.cmd(
        &["--user", "swj", "user", "password", "swj"],
        &[("REOPEN_PASSWORD", INITIAL_PW), ("REOPEN_NEW_PASSWORD", PW)],
    );
    assert_eq!(r.code, 0, "{r:?}");
    env.as_("swj", &["review", "queue"]).ok();
    env.as_pw("swj", INITIAL_PW, &["review", "queue"]).code(3);
}

#[test]
fn wrong_department_reviewer_is_refused_and_only_admin_reads_the_audit_log() {
    let (env, id) = with_submitted();
    let r = env.as_(
        "jxj",
        &[
            "review",
            "decide",
            &id.to_string(),
            "--reject",
            "--opinion",
            "不同意",
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(env.show("admin", id)["state"], "in_review");
    env.as_("swj", &["audit", "log"]).code(3);
    env.as_("f1", &["audit", "verify"]).code(3);
    // The admin never decides applications.
    env.as_(
        "admin",
        &[
            "review",
            "decide",
            &id.to_string(),
            "--approve",
            "--opinion",
            "同意",
            "--headcount",
            "5",
        ],
    )
    .code(3);
}

//! The scripted journey: register, file, return, fix, resubmit, approve in two stages, audit.

use serde_json::Value;

use crate::support::*;

#[test]
fn journey() {
    let env = Env::new();
    env.add_user("swj", "reviewer", Some("511802-SWJ"));
    env.add_user("zhb", "reviewer", Some("511802-ZHB"));
    env.add_user("jxj", "reviewer", Some("511802-JXJ"));
    env.add_user("f1", "firm", None);
    env.add_user("clerk", "clerk", None);

    // The firm user registers its 零售业 firm and is bound to it.
    let firm = env
        .as_(
            "f1",
            &[
                "firm",
                "register",
                "--file",
                fixture("firm.json").to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(firm["credit_code"], FIRM_CODE);
    assert_eq!(firm["industry"], "52");
    assert_eq!(firm["division"], "511802");

    // Create an (empty) draft, then fill it with the full plan.
    let created = env
        .as_(
            "f1",
            &[
                "app",
                "create",
                "--firm",
                FIRM_CODE,
                "--file",
                env.write_json("empty.json", &serde_json::json!({}))
                    .to_str()
                    .unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(created["state"], "draft");
    let id = created["id"].as_i64().unwrap();
    let ids = id.to_string();
    let v0 = created["version"].as_i64().unwrap();

    let updated = env
        .as_(
            "f1",
            &[
                "app",
                "update",
                &ids,
                "--file",
                fixture("plan.json").to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(updated["state"], "draft");
    assert!(updated["version"].as_i64().unwrap() > v0);
    assert_eq!(updated["plan"]["headcount"]["planned"], 10);

    let r = env
        .as_(
            "f1",
            &[
                "app",
                "roster",
                &ids,
                "--file",
                fixture("roster.csv").to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    assert_eq!(r["roster_count"], 10);

    let submitted = env.as_("f1", &["app", "submit", &ids]).ok().json();
    assert_eq!(submitted["state"], "in_review");

    // The SWJ reviewer sees it; JXJ does not and may not decide it.
    let q = env.as_("swj", &["review", "queue"]).ok().json();
    assert!(
        q.as_array()
            .unwrap()
            .iter()
            .any(|row| row["application_id"] == id),
        "not in the SWJ queue: {q}"
    );
    let q = env.as_("jxj", &["review", "queue"]).ok().json();
    assert!(
        !q.as_array()
            .unwrap()
            .iter()
            .any(|row| row["application_id"] == id),
        "in the JXJ queue: {q}"
    );
    let before = env.show("admin", id);
    env.as_(
        "jxj",
        &[
            "review",
            "decide",
            &ids,
            "--approve",
            "--opinion",
            "同意",
            "--headcount",
            "5",
        ],
    )
    .code(3);
    let after = env.show("admin", id);
    assert_eq!(before["version"], after["version"]);
    assert_eq!(after["state"], "in_review");

    // The right reviewer returns it.
    let returned = env
        .as_(
            "swj",
            &[
                "review",
                "decide",
                &ids,
                "--return",
                "--opinion",
                "口罩储备不足,请补充至 500 只",
            ],
        )
        .ok()
        .json();
    assert_eq!(returned["state"], "returned");

    // The firm fixes the plan and resubmits.
    let mut plan = fixture_json("plan.json");
    plan["supplies"]["masks"] = 600.into();
    let p2 = env.write_json("plan2.json", &plan);
    env.as_(
        "f1",
        &["app", "update", &ids, "--file", p2.to_str().unwrap()],
    )
    .ok();
    let resubmitted = env.as_("f1", &["app", "submit", &ids]).ok().json();
    assert_eq!(resubmitted["state"], "in_review");
    assert_eq!(resubmitted["submission_no"], 2);

    let versions = env.as_("swj", &["app", "versions", &ids]).ok().json();
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions}");

    let diff = env.as_("swj", &["app", "diff", &ids]).ok().json();
    let changes = diff["plan"].as_array().unwrap();
    let masks = changes
        .iter()
        .find(|c| c["field"] == "supplies.masks")
        .unwrap_or_else(|| panic!("no supplies.masks in the diff: {diff}"));
    assert_eq!(masks["before"], 280);
    assert_eq!(masks["after"], 600);
    assert_eq!(changes.len(), 1, "only the masks changed: {diff}");
    assert!(diff["roster"].as_array().unwrap().is_empty(), "{diff}");

    // Stage 1: SWJ approves with a headcount; stage 2: ZHB countersigns.
    let s1 = env
        .as_(
            "swj",
            &[
                "review",
                "decide",
                &ids,
                "--approve",
                "--opinion",
                "同意复工,核定 8 人",
                "--headcount",
                "8",
            ],
        )
        .ok()
        .json();
    assert_eq!(s1["state"], "in_review");
    // Now the countersign stage is pending (stages are numbered as in the tasks).
    let pending: Vec<&Value> = s1["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "{s1}");
    assert_eq!(pending[0]["department"], "511802-ZHB");
    assert_eq!(s1["stage"], pending[0]["stage"], "{s1}");
    assert!(env
        .as_("zhb", &["review", "queue"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["application_id"] == id));
    // The SWJ reviewer cannot decide stage 2 again.
    let again = env.as_(
        "swj",
        &[
            "review",
            "decide",
            &ids,
            "--approve",
            "--opinion",
            "再次同意",
            "--headcount",
            "8",
        ],
    );
    // Refused: not permitted (3) or wrong state (5), and nothing changes.
    assert!([3, 5].contains(&again.code), "{again:?}");
    assert_eq!(env.show("admin", id)["version"], s1["version"]);
    let s2 = env
        .as_(
            "zhb",
            &[
                "review",
                "decide",
                &ids,
                "--approve",
                "--opinion",
                "会签同意",
                "--headcount",
                "8",
            ],
        )
        .ok()
        .json();
    assert_eq!(s2["state"], "approved");

    let shown = env.show("f1", id);
    assert_eq!(shown["state"], "approved");
    assert_eq!(shown["approved_headcount"], 8);
    let tasks = shown["tasks"].as_array().unwrap();
    let find = |state: &str, dep: &str, opinion: &str| -> &Value {
        tasks
            .iter()
            .find(|t| t["state"] == state && t["department"] == dep)
            .filter(|t| t["opinion"] == opinion)
            .unwrap_or_else(|| panic!("no {state} task of {dep} with '{opinion}' in {tasks:?}"))
    };
    let ret = find("returned", "511802-SWJ", "口罩储备不足,请补充至 500 只");
    assert_eq!(ret["submission_no"], 1);
    let a1 = find("approved", "511802-SWJ", "同意复工,核定 8 人");
    assert_eq!(a1["submission_no"], 2);
    assert_eq!(a1["headcount"], 8);
    assert_eq!(a1["decided_by"], "swj");
    let a2 = find("approved", "511802-ZHB", "会签同意");
    assert_eq!(a2["submission_no"], 2);
    assert_eq!(a2["stage_name"], "领导小组办公室会签");
    assert_ne!(a2["stage"], a1["stage"]);

    // The clerk issues and prints the certificate; anyone verifies its number.
    let cert = env.as_("clerk", &["cert", "issue", &ids]).ok().json();
    let number = cert["number"].as_str().unwrap().to_string();
    assert!(number.ends_with("1号"), "{cert}");
    let pdf = env.path("cert.pdf");
    env.as_(
        "clerk",
        &["cert", "print", &number, "--out", pdf.to_str().unwrap()],
    )
    .ok();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let verified = env.cmd(&["verify", &number], &[]).ok().json();
    assert_eq!(verified["status"], "valid", "{verified}");
    assert_eq!(env.show("f1", id)["state"], "certified");

    // Reopened on its planned day, the firm files its daily report; the statistics count it.
    let day = [
        ("REOPEN_NOW", "2020-02-08T18:00:00+08:00"),
        ("REOPEN_PASSWORD", PW),
    ];
    let report = env.write_json(
        "report.json",
        &serde_json::json!({"date": "2020-02-08", "staff_on_site": 8, "fever": 0,
            "under_observation": 0, "masks_remaining": 500, "notes": "正常"}),
    );
    let filed = env
        .cmd(
            &[
                "--user",
                "f1",
                "daily",
                "file",
                FIRM_CODE,
                "--file",
                report.to_str().unwrap(),
            ],
            &day,
        )
        .ok()
        .json();
    assert_eq!(filed["status"], "on_time", "{filed}");
    let stats = env
        .cmd(
            &[
                "--user",
                "admin",
                "stats",
                "--from",
                "2020-02-05",
                "--to",
                "2020-02-08",
            ],
            &[
                ("REOPEN_NOW", "2020-02-08T18:00:00+08:00"),
                ("REOPEN_PASSWORD", ADMIN_PW),
            ],
        )
        .ok()
        .json();
    let total = &stats["total"];
    assert_eq!(total["submitted"], 2, "{stats}");
    assert_eq!(total["returned"], 1, "{stats}");
    assert_eq!(total["approved"], 1, "{stats}");
    assert_eq!(total["firms_reopened"], 1, "{stats}");
    assert_eq!(total["reports"]["on_time"], 1, "{stats}");

    // The audit chain is intact...
    let ok = env.as_("admin", &["audit", "verify"]).ok().json();
    assert_eq!(ok["ok"], true);
    assert!(ok["events"].as_u64().unwrap() >= 10, "{ok}");

    // ...the table refuses changes while its triggers stand...
    let update = "UPDATE audit_events SET action='x' WHERE seq=3;";
    let blocked = env.tamper(update, update);
    assert!(
        !blocked.status.success(),
        "a plain UPDATE of the audit log must fail"
    );
    let delete = "DELETE FROM audit_events WHERE seq=3;";
    let blocked = env.tamper(delete, delete);
    assert!(
        !blocked.status.success(),
        "a plain DELETE of the audit log must fail"
    );
    env.as_("admin", &["audit", "verify"]).ok();

    // ...and a tampered event is found.
    let t = env.tamper(
        "DROP TRIGGER audit_no_update; UPDATE audit_events SET action='x' WHERE seq=3;",
        "DROP TRIGGER audit_no_update ON audit_events; UPDATE audit_events SET action='x' WHERE seq=3;",
    );
    assert!(t.status.success(), "{t:?}");
    let bad = env.as_("admin", &["audit", "verify"]);
    assert_ne!(bad.code, 0, "{bad:?}");
    assert_eq!(bad.code, 5, "{bad:?}");
    let report = bad.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_bad_seq"], 3, "{report}");
    assert_eq!(bad.error()["kind"], "conflict");
}

#[test]
fn deleted_audit_event_is_found() {
    let (env, _id) = with_submitted();
    env.as_("admin", &["audit", "verify"]).ok();
    let t = env.tamper(
        "DROP TRIGGER audit_no_delete; DELETE FROM audit_events WHERE seq=4;",
        "DROP TRIGGER audit_no_delete ON audit_events; DELETE FROM audit_events WHERE seq=4;",
    );
    assert!(t.status.success(), "{t:?}");
    let bad = env.as_("admin", &["audit", "verify"]).code(5);
    let report = bad.json();
    assert_eq!(report["ok"], false);
    let first = report["first_bad_seq"].as_i64().unwrap();
    assert!((4..=5).contains(&first), "{report}");
}

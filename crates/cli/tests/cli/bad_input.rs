//! Bad input, one test per class: exit 2, the exact fields, Chinese messages, nothing changed.

use reopen_core::domain::ids::make_credit_code;
use serde_json::{json, Value};

use crate::support::*;

/// Application facts that must not move after a refused command.
fn snapshot(env: &Env, id: i64) -> (Value, Value, Value, Value) {
    let a = env.show("admin", id);
    (
        a["version"].clone(),
        a["state"].clone(),
        a["plan"].clone(),
        a["roster_count"].clone(),
    )
}

fn roster_of(env: &Env, id: i64) -> Value {
    let v = env
        .as_("f1", &["app", "show", &id.to_string(), "--roster"])
        .ok()
        .json();
    v["roster"].clone()
}

fn firm_doc() -> Value {
    fixture_json("firm.json")
}

#[test]
fn bad_credit_code_check_character_is_refused() {
    let env = Env::new();
    let before = env.audit_len();
    let r = env.as_(
        "admin",
        &[
            "firm",
            "register",
            "--file",
            fixture("firm_bad_check.json").to_str().unwrap(),
        ],
    );
    assert_invalid(&r, &["credit_code"]);
    assert!(r.field_message("credit_code").contains("校验"), "{r:?}");
    assert_eq!(env.firm_count(), 0);
    assert_eq!(env.audit_len(), before);
    env.as_("admin", &["firm", "show", "91511802MA62AB0209"])
        .code(4);
}

#[test]
fn bad_id_number_in_roster_keeps_the_previous_roster() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    let roster_before = roster_of(&env, id);
    assert_eq!(roster_before.as_array().unwrap().len(), 10);
    let r = env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            fixture("roster_bad_id.csv").to_str().unwrap(),
        ],
    );
    // The 4th person is on line 5 of the file (the header is line 1).
    assert_invalid(&r, &["roster[5].id_number"]);
    assert!(
        r.field_message("roster[5].id_number").contains("第5行"),
        "{r:?}"
    );
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(roster_of(&env, id), roster_before);
}

#[test]
fn duplicate_id_number_in_roster_file_is_refused() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    let roster_before = roster_of(&env, id);
    let r = env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            fixture("roster_duplicate_id.csv").to_str().unwrap(),
        ],
    );
    // Line 8 repeats the ID number of line 4.
    assert_invalid(&r, &["roster[8].id_number"]);
    assert!(
        r.field_message("roster[8].id_number").contains("重复"),
        "{r:?}"
    );
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(roster_of(&env, id), roster_before);
}

#[test]
fn unknown_field_in_plan_is_refused() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    let audit = env.audit_len();
    let file = fixture("plan_unknown_field.json");
    let r = env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_invalid(&r, &["bonus"]);
    assert!(r.field_message("bonus").contains("未知字段"), "{r:?}");
    assert_eq!(snapshot(&env, id), before);

    // Nested unknown fields are named by their path.
    let mut plan = fixture_json("plan.json");
    plan["supplies"]["n95"] = 10.into();
    let p = env.write_json("nested.json", &plan);
    let r = env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    );
    assert_invalid(&r, &["supplies.n95"]);
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(env.audit_len(), audit);
}

#[test]
fn unknown_field_in_plan_creates_nothing() {
    let env = with_firm();
    let file = fixture("plan_unknown_field.json");
    let r = env.as_(
        "f1",
        &[
            "app",
            "create",
            "--firm",
            FIRM_CODE,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_invalid(&r, &["bonus"]);
    let list = env.as_("admin", &["app", "list"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
}

#[test]
fn headcounts_not_adding_up_are_all_reported_at_submit() {
    let (env, id) = with_draft();
    let mut plan = fixture_json("plan.json");
    // 5 + 3 != 10; 4 key-area > 3 from elsewhere; 4 not cleared but 1 under observation;
    // the roster has 1 person from Hubei, not 4.
    plan["headcount"] = json!({"planned":10,"local":5,"elsewhere":3,"key_area":4,
        "key_area_observed_14d":0,"under_observation":1,"symptomatic":0});
    let p = env.write_json("plan_bad_counts.json", &plan);
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    )
    .ok();
    let before = snapshot(&env, id);
    let r = env.as_("f1", &["app", "submit", &id.to_string()]);
    assert_invalid(
        &r,
        &[
            "headcount.local",
            "headcount.key_area",
            "headcount.under_observation",
            "roster",
        ],
    );
    assert!(
        r.field_message("headcount.local").contains("应等于"),
        "{r:?}"
    );
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(before.1, "draft");
    let versions = env
        .as_("f1", &["app", "versions", &id.to_string()])
        .ok()
        .json();
    assert_eq!(
        versions.as_array().unwrap().len(),
        0,
        "no submission kept: {versions}"
    );
}

#[test]
fn roster_count_must_match_planned_headcount() {
    let (env, id) = with_draft();
    let mut plan = fixture_json("plan.json");
    plan["headcount"]["planned"] = 11.into();
    plan["headcount"]["local"] = 8.into();
    let p = env.write_json("plan11.json", &plan);
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    )
    .ok();
    let r = env.as_("f1", &["app", "submit", &id.to_string()]);
    assert_invalid(&r, &["roster"]);
    assert!(r.field_message("roster").contains("10"), "{r:?}");
}

#[test]
fn education_before_february_17_is_refused() {
    let env = Env::new();
    env.add_user("clerk", "clerk", None);
    let code = make_credit_code('5', '2', "511802", "MA62ED01").unwrap();
    let mut firm = firm_doc();
    firm["credit_code"] = code.clone().into();
    firm["name"] = "雅安雨城某某培训学校".into();
    firm["industry"] = "83".into();
    let f = env.write_json("school.json", &firm);
    env.as_(
        "clerk",
        &["firm", "register", "--file", f.to_str().unwrap()],
    )
    .ok();
    let mut plan = fixture_json("plan.json");
    plan["category"] = "general".into();
    plan["planned_date"] = "2020-02-10".into();
    let p = env.write_json("school_plan.json", &plan);
    let app = env
        .as_(
            "clerk",
            &[
                "app",
                "create",
                "--firm",
                &code,
                "--file",
                p.to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    let id = app["id"].as_i64().unwrap();
    env.as_(
        "clerk",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            fixture("roster.csv").to_str().unwrap(),
        ],
    )
    .ok();
    let before = snapshot(&env, id);
    let r = env.as_("clerk", &["app", "submit", &id.to_string()]);
    assert_invalid(&r, &["planned_date"]);
    assert!(
        r.field_message("planned_date").contains("2020-02-17"),
        "{r:?}"
    );
    assert_eq!(snapshot(&env, id), before);

    // On the 17th it goes through.
    plan["planned_date"] = "2020-02-17".into();
    let p = env.write_json("school_plan2.json", &plan);
    env.as_(
        "clerk",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    )
    .ok();
    let ok = env
        .as_("clerk", &["app", "submit", &id.to_string()])
        .ok()
        .json();
    assert_eq!(ok["state"], "in_review");
}

#[test]
fn section_s_industry_is_refused_at_registration() {
    let env = Env::new();
    let mut firm = firm_doc();
    firm["industry"] = "92".into();
    let f = env.write_json("party.json", &firm);
    let before = env.audit_len();
    let r = env.as_(
        "admin",
        &["firm", "register", "--file", f.to_str().unwrap()],
    );
    assert_invalid(&r, &["industry"]);
    assert_eq!(env.firm_count(), 0);
    assert_eq!(env.audit_len(), before);
}

#[test]
fn missing_commitment_is_refused_at_submit() {
    let (env, id) = with_draft();
    let mut plan = fixture_json("plan.json");
    plan.as_object_mut().unwrap().remove("commitment");
    let p = env.write_json("no_commitment.json", &plan);
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    )
    .ok();
    let before = snapshot(&env, id);
    let r = env.as_("f1", &["app", "submit", &id.to_string()]);
    assert_invalid(&r, &["commitment"]);
    assert!(r.field_message("commitment").contains("承诺书"), "{r:?}");
    assert_eq!(snapshot(&env, id), before);
}

#[test]
fn commitment_signed_by_someone_else_is_refused_at_submit() {
    let (env, id) = with_draft();
    let mut plan = fixture_json("plan.json");
    plan["commitment"]["signed_by"] = "李四".into();
    let p = env.write_json("wrong_signer.json", &plan);
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    )
    .ok();
    let r = env.as_("f1", &["app", "submit", &id.to_string()]);
    assert_invalid(&r, &["commitment.signed_by"]);
    assert!(
        r.field_message("commitment.signed_by").contains("张三"),
        "{r:?}"
    );
}

#[test]
fn invalid_mobile_phone_is_refused() {
    let env = Env::new();
    let mut firm = firm_doc();
    firm["principal"]["phone"] = "12345678901".into();
    firm["contact"]["phone"] = "1390000000".into();
    let f = env.write_json("bad_phone.json", &firm);
    let r = env.as_(
        "admin",
        &["firm", "register", "--file", f.to_str().unwrap()],
    );
    assert_invalid(&r, &["principal.phone", "contact.phone"]);
    assert_eq!(env.firm_count(), 0);
}

#[test]
fn invalid_mobile_phone_in_roster_is_refused() {
    let (env, id) = with_draft();
    let roster_before = roster_of(&env, id);
    let csv = std::fs::read_to_string(fixture("roster.csv"))
        .unwrap()
        .replace("13800000002", "23800000002");
    let p = env.write("bad_phone.csv", &csv);
    let r = env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            p.to_str().unwrap(),
        ],
    );
    assert_invalid(&r, &["roster[4].phone"]);
    assert_eq!(roster_of(&env, id), roster_before);
}

#[test]
fn malformed_reopen_now_is_refused() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    let r = env.cmd(
        &["--user", "f1", "app", "submit", &id.to_string()],
        &[("REOPEN_PASSWORD", PW), ("REOPEN_NOW", "2020-02-05 09:00")],
    );
    assert_invalid(&r, &["REOPEN_NOW"]);
    assert!(r.field_message("REOPEN_NOW").contains("RFC 3339"), "{r:?}");
    assert_eq!(snapshot(&env, id), before);
    // Even commands without a database check it.
    let r = env.cmd(
        &["check", "phone", "13800000000"],
        &[("REOPEN_NOW", "tomorrow")],
    );
    assert_invalid(&r, &["REOPEN_NOW"]);
}

#[test]
fn decide_without_opinion_is_refused() {
    let (env, id) = with_submitted();
    let ids = id.to_string();
    let before = snapshot(&env, id);
    // No value after --opinion, and no --opinion at all: usage errors.
    env.as_("swj", &["review", "decide", &ids, "--return", "--opinion"])
        .code(2);
    env.as_("swj", &["review", "decide", &ids, "--return"])
        .code(2);
    // Empty or blank opinion: a validation error naming the field.
    for blank in ["", "   "] {
        let r = env.as_(
            "swj",
            &["review", "decide", &ids, "--return", "--opinion", blank],
        );
        assert_invalid(&r, &["opinion"]);
    }
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(before.1, "in_review");
}

#[test]
fn usage_error_is_json_with_json_flag() {
    let (env, id) = with_submitted();
    let r = env.as_(
        "swj",
        &["review", "decide", &id.to_string(), "--return", "--opinion"],
    );
    assert_eq!(r.code, 2, "{r:?}");
    let e = r.error();
    assert_eq!(e["kind"], "validation", "{r:?}");
}

#[test]
fn approved_headcount_above_planned_is_refused() {
    let (env, id) = with_submitted();
    let ids = id.to_string();
    let before = snapshot(&env, id);
    // 11 > 10 planned.
    let r = env.as_(
        "swj",
        &[
            "review",
            "decide",
            &ids,
            "--approve",
            "--opinion",
            "同意",
            "--headcount",
            "11",
        ],
    );
    assert_invalid(&r, &["headcount"]);
    // 10 counts the Hubei worker still under observation: at most 9.
    let r = env.as_(
        "swj",
        &[
            "review",
            "decide",
            &ids,
            "--approve",
            "--opinion",
            "同意",
            "--headcount",
            "10",
        ],
    );
    assert_invalid(&r, &["headcount"]);
    assert_eq!(snapshot(&env, id), before);
    let tasks = env.show("admin", id)["tasks"].clone();
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["state"] == "pending" && t["opinion"].is_null()),
        "{tasks}"
    );
    // 9 is fine.
    let ok = env
        .as_(
            "swj",
            &[
                "review",
                "decide",
                &ids,
                "--approve",
                "--opinion",
                "同意",
                "--headcount",
                "9",
            ],
        )
        .ok()
        .json();
    assert_eq!(ok["state"], "in_review");
}

/// A workbook LibreOffice wrote (tests/fixtures/roster at the repository root): `app roster`
/// reads .xlsx; a workbook with a fault in each row is refused with every row named, exit 2, and
/// the roster imported before stays.
#[test]
fn xlsx_roster_is_read_and_a_bad_one_refused_whole() {
    let (env, id) = with_draft();
    let sheets =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/roster");
    let good = sheets.join("roster-good.xlsx");
    let r = env
        .as_(
            "f1",
            &[
                "app",
                "roster",
                &id.to_string(),
                "--file",
                good.to_str().unwrap(),
            ],
        )
        .ok();
    assert_eq!(r.json()["roster_count"], 5, "{r:?}");
    let before = snapshot(&env, id);
    let roster_before = roster_of(&env, id);

    let bad = sheets.join("roster-bad.xlsx");
    let r = env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            bad.to_str().unwrap(),
        ],
    );
    assert_invalid(
        &r,
        &[
            "roster[3].id_number",
            "roster[4].phone",
            "roster[5].id_number",
            "roster[6].return_date",
            "roster[7].health",
        ],
    );
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(roster_of(&env, id), roster_before);
}

/// A file named on the command line is read at most to the largest input any command takes: an
/// endless one (/dev/zero) is refused with the reason instead of filling the memory.
#[test]
fn an_endless_input_file_is_refused_not_read_whole() {
    let env = Env::new();
    env.add_user("clerk", "clerk", None);
    let r = env.as_("clerk", &["app", "import", "/dev/zero"]);
    assert_invalid(&r, &["file"]);
    assert!(r.field_message("file").contains("过大"), "{r:?}");
}

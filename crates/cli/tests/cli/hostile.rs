//! Hostile files through `reopen`: a 1 MB field, control characters, a BOM, invalid UTF-8 in a CSV
//! roster, a text file named .xlsx, a JSON file that is not JSON. Each is refused with exit 2 and
//! Chinese field errors (or, for a BOM, read as the text it is) — never exit 101 (a panic).

use serde_json::Value;

use crate::support::*;

fn snapshot(env: &Env, id: i64) -> (Value, Value, Value) {
    let a = env.show("admin", id);
    (
        a["version"].clone(),
        a["plan"].clone(),
        a["roster_count"].clone(),
    )
}

fn update(env: &Env, id: i64, file: &std::path::Path) -> Run {
    env.as_(
        "f1",
        &[
            "app",
            "update",
            &id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    )
}

fn roster(env: &Env, id: i64, file: &std::path::Path) -> Run {
    env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    )
}

fn no_panic(r: &Run) {
    assert_ne!(r.code, 101, "panicked: {r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
}

#[test]
fn plan_fields_with_a_megabyte_and_control_characters_are_refused() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    let audit = env.audit_len();
    for (field, value) in [
        ("emergency_plan", "疫".repeat(350_000)),
        ("measures_note", "每日消毒\u{7}两次".to_string()),
        ("measures_note", "每日\u{1b}[31m消毒".to_string()),
        ("emergency_plan", "报告\u{202E}属地".to_string()),
        ("measures_note", "a\u{0}b".to_string()),
    ] {
        let mut plan = fixture_json("plan.json");
        plan[field] = value.into();
        let p = env.write_json("plan_hostile.json", &plan);
        let r = update(&env, id, &p);
        no_panic(&r);
        assert_invalid(&r, &[field]);
    }
    let mut plan = fixture_json("plan.json");
    plan["commitment"]["signed_by"] = "王\u{1b}[31m建国".into();
    let r = update(&env, id, &env.write_json("signed.json", &plan));
    assert_invalid(&r, &["commitment.signed_by"]);
    assert_eq!(snapshot(&env, id), before);
    assert_eq!(env.audit_len(), audit);
}

#[test]
fn hostile_text_is_stored_exactly_through_the_cli() {
    let (env, id) = with_draft();
    let note = "'; DROP TABLE firms; -- <script>alert(1)</script> {{7*7}} ${jndi:ldap://x} {0} @:x %s%n e\u{301} \u{200B} 雨城";
    let mut plan = fixture_json("plan.json");
    plan["measures_note"] = note.into();
    let r = update(&env, id, &env.write_json("plan_note.json", &plan));
    no_panic(&r);
    r.ok();
    assert_eq!(env.show("admin", id)["plan"]["measures_note"], note);
    assert!(env.firm_count() >= 1);

    // Emoji and rare CJK: the note is printed on the application form, so it is stored exactly
    // where the installed fonts have every character, and otherwise refused naming the field and
    // each missing code point, with the stored note unchanged.
    let rare = "👩\u{200D}👩\u{200D}👧 𠀀𪚥𰻞";
    plan["measures_note"] = rare.into();
    let r = update(&env, id, &env.write_json("plan_rare.json", &plan));
    no_panic(&r);
    if r.code == 0 {
        assert_eq!(env.show("admin", id)["plan"]["measures_note"], rare);
    } else {
        assert_invalid(&r, &["measures_note"]);
        let message = r.field_message("measures_note");
        assert!(message.contains("U+"), "{message}");
        assert_eq!(env.show("admin", id)["plan"]["measures_note"], note);
    }
}

#[test]
fn json_with_a_bom_or_not_json_at_all() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    // A BOM before the document (Notepad writes one): read as the document, or refused in Chinese.
    let plan = fixture_json("plan.json").to_string();
    let p = env.path("bom.json");
    std::fs::write(&p, format!("\u{feff}{plan}")).unwrap();
    let r = update(&env, id, &p);
    no_panic(&r);
    assert!(r.code == 0 || r.code == 2, "{r:?}");
    if r.code == 2 {
        assert!(has_cjk(r.error()["message"].as_str().unwrap()), "{r:?}");
    }
    let after_bom = snapshot(&env, id);
    // Not JSON: invalid UTF-8, a truncated document, binary.
    for (name, bytes) in [
        ("latin1.json", b"{\"measures_note\": \"caf\xe9\"}".to_vec()),
        ("cut.json", plan.as_bytes()[..plan.len() / 2].to_vec()),
        ("zero.json", vec![0u8; 64]),
        ("empty.json", Vec::new()),
    ] {
        let p = env.path(name);
        std::fs::write(&p, bytes).unwrap();
        let r = update(&env, id, &p);
        no_panic(&r);
        assert_eq!(r.code, 2, "{name}: {r:?}");
        assert!(has_cjk(r.error()["message"].as_str().unwrap()), "{r:?}");
        assert_eq!(snapshot(&env, id), after_bom, "{name}");
    }
    // Either way the plan is the fixture's: the BOM added nothing to it.
    assert_eq!(after_bom.1, before.1);
}

#[test]
fn broken_roster_files_are_refused_whole() {
    let (env, id) = with_draft();
    let before = snapshot(&env, id);
    // Invalid UTF-8 that is not GBK/GB18030 either.
    let csv = std::fs::read(fixture("roster.csv")).unwrap();
    let mut bad = csv.clone();
    bad.extend_from_slice(b"\x80\xff\xff\x41,\x80\n");
    let p = env.path("bad_bytes.csv");
    std::fs::write(&p, &bad).unwrap();
    let r = roster(&env, id, &p);
    no_panic(&r);
    assert_invalid(&r, &["roster"]);
    assert!(r.field_message("roster").contains("编码"), "{r:?}");
    // A text file renamed .xlsx.
    let p = env.path("renamed.xlsx");
    std::fs::write(&p, &csv).unwrap();
    let r = roster(&env, id, &p);
    no_panic(&r);
    assert_invalid(&r, &["roster"]);
    assert!(r.field_message("roster").contains("无法读取"), "{r:?}");
    // A zip cut in half, named .xlsx.
    let good = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/roster/roster-good.xlsx"),
    )
    .unwrap();
    let p = env.path("cut.xlsx");
    std::fs::write(&p, &good[..good.len() / 2]).unwrap();
    let r = roster(&env, id, &p);
    no_panic(&r);
    assert_invalid(&r, &["roster"]);
    // A control character and a direction mark in cells.
    let text = String::from_utf8(csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(',', "\u{1b}[31m,", 1);
    lines[2] = lines[2].replacen(',', "\u{202E},", 1);
    let p = env.write("ctl.csv", &lines.join("\n"));
    let r = roster(&env, id, &p);
    no_panic(&r);
    assert_invalid(&r, &["roster[2].name", "roster[3].name"]);
    assert_eq!(snapshot(&env, id), before);
}

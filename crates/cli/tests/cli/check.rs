//! `reopen check` (no database) and the English locale.

use reopen_core::domain::ids::{make_credit_code, make_id_number};
use serde_json::Value;

use crate::support::*;

fn lines(r: &Run) -> Vec<Value> {
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn check_credit_codes_one_line_each_without_a_database() {
    let env = Env::empty();
    let good = make_credit_code('9', '1', "511802", "MA62AB01").unwrap();
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let r = env.cmd(&["check", "credit-code", &good, &bad], &[]).code(2);
    let out = lines(&r);
    assert_eq!(out.len(), 2, "{r:?}");
    assert_eq!(out[0]["value"], good.as_str());
    assert_eq!(out[0]["valid"], true);
    assert_eq!(out[1]["value"], bad.as_str());
    assert_eq!(out[1]["valid"], false);
    assert!(has_cjk(out[1]["reason"].as_str().unwrap()), "{r:?}");
    assert!(!env.db.exists(), "check must not create a database");

    // All valid: exit 0.
    let r = env.cmd(&["check", "credit-code", &good], &[]).ok();
    assert_eq!(lines(&r)[0]["valid"], true);
    // Lowercase input is normalised, if accepted at all; a wrong length is not.
    let r = env.cmd(&["check", "credit-code", "915118"], &[]).code(2);
    assert_eq!(lines(&r)[0]["valid"], false);
    assert!(!env.db.exists());
}

#[test]
fn check_id_numbers() {
    let env = Env::empty();
    let good = make_id_number("51180219800101001").unwrap();
    let x = make_id_number("51180219800101007").unwrap();
    assert!(x.ends_with('X'));
    // 30 February is no birth date; the check character is computed so only the date is wrong.
    let bad_date = make_id_number("51180219800230001").unwrap();
    let mut bad_check = good.clone();
    let c = bad_check.pop().unwrap();
    bad_check.push(if c == '1' { '2' } else { '1' });
    let r = env
        .cmd(
            &["check", "id-number", &good, &x, &bad_date, &bad_check],
            &[],
        )
        .code(2);
    let out = lines(&r);
    let valid: Vec<bool> = out.iter().map(|o| o["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, [true, true, false, false], "{r:?}");
    // ID numbers are personal data: the normalised form is masked.
    let n = out[0]["normalized"].as_str().unwrap();
    assert!(n.contains('*') && !n.contains("19800101"), "{n}");
    let r = env.cmd(&["check", "id-number", &good, &x], &[]).ok();
    assert_eq!(lines(&r).len(), 2);
    assert!(!env.db.exists());
}

#[test]
fn check_phones() {
    let env = Env::empty();
    let r = env
        .cmd(
            &[
                "check",
                "phone",
                "13800000000",
                "12345",
                "23800000000",
                "1380000000a",
            ],
            &[],
        )
        .code(2);
    let valid: Vec<bool> = lines(&r)
        .iter()
        .map(|o| o["valid"].as_bool().unwrap())
        .collect();
    assert_eq!(valid, [true, false, false, false], "{r:?}");
    env.cmd(&["check", "phone", "19912345678"], &[]).ok();
    // Without --json: one human line per value.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_reopen"))
        .args(["check", "phone", "13800000000", "123"])
        .env("REOPEN_NOW", NOW)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let s = String::from_utf8(o.stdout).unwrap();
    assert_eq!(s.lines().count(), 2, "{s}");
    assert!(s.lines().next().unwrap().contains("有效"), "{s}");
}

#[test]
fn english_locale_gives_english_messages() {
    let env = Env::new();
    let r = env.cmd(
        &[
            "--user",
            "admin",
            "firm",
            "register",
            "--file",
            fixture("firm_bad_check.json").to_str().unwrap(),
        ],
        &[("REOPEN_PASSWORD", ADMIN_PW), ("LANG", "en_US.UTF-8")],
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.fields(), ["credit_code"]);
    let e = r.error();
    let msg = e["message"].as_str().unwrap();
    let fmsg = r.field_message("credit_code");
    assert!(!has_cjk(msg) && !msg.is_empty(), "{r:?}");
    assert!(
        !has_cjk(&fmsg) && fmsg.chars().any(|c| c.is_ascii_alphabetic()),
        "{r:?}"
    );
    // The same in Chinese for comparison.
    let zh = env.as_(
        "admin",
        &[
            "firm",
            "register",
            "--file",
            fixture("firm_bad_check.json").to_str().unwrap(),
        ],
    );
    assert!(has_cjk(&zh.field_message("credit_code")));

    // check, too.
    let r = env
        .cmd(&["check", "phone", "123"], &[("LANG", "en_US.UTF-8")])
        .code(2);
    let line: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert!(!has_cjk(line["reason"].as_str().unwrap()), "{r:?}");
}

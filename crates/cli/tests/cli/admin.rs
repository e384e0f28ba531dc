//! backup / restore.

use crate::support::*;

#[test]
fn backup_then_restore_brings_the_database_back() {
    let env = with_firm();
    let backup = env.path("backup.db");
    let r = env.as_("admin", &["backup", backup.to_str().unwrap()]).ok();
    assert!(backup.exists(), "{r:?}");
    // Change something after the backup.
    let created = env
        .as_(
            "f1",
            &[
                "app",
                "create",
                "--firm",
                FIRM_CODE,
                "--file",
                fixture("plan.json").to_str().unwrap(),
            ],
        )
        .ok()
        .json();
    let id = created["id"].as_i64().unwrap();
    env.as_("admin", &["user", "disable", "jxj"]).ok();
    assert_eq!(
        env.as_("admin", &["app", "list"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    env.as_("admin", &["restore", backup.to_str().unwrap()])
        .ok();
    assert_eq!(
        env.as_("admin", &["app", "list"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    env.as_("admin", &["app", "show", &id.to_string()]).code(4);
    // jxj is enabled again.
    env.as_("jxj", &["review", "queue"]).ok();
    assert_eq!(env.firm_count(), 1);
    env.as_("admin", &["audit", "verify"]).ok();
    // And the restored database works on.
    env.as_(
        "f1",
        &[
            "app",
            "create",
            "--firm",
            FIRM_CODE,
            "--file",
            fixture("plan.json").to_str().unwrap(),
        ],
    )
    .ok();
}

#[test]
fn restore_refuses_a_file_that_is_not_a_database() {
    let (env, id) = with_draft();
    let before = env.show("admin", id);
    let users_before = env.as_("admin", &["user", "list"]).ok().json();
    let junk = env.write("junk.db", "this is not a database at all\n");
    let r = env.as_("admin", &["restore", junk.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(has_cjk(r.error()["message"].as_str().unwrap()), "{r:?}");

    // A real backup, truncated and corrupted.
    let good = env.path("good.db");
    env.as_("admin", &["backup", good.to_str().unwrap()]).ok();
    let mut bytes = std::fs::read(&good).unwrap();
    let half = bytes.len() / 2;
    for b in &mut bytes[100..half] {
        *b ^= 0x5a;
    }
    let bad = env.path("corrupt.db");
    std::fs::write(&bad, &bytes).unwrap();
    let r = env.as_("admin", &["restore", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{r:?}");

    // A real SQLite database that is not a Reopen database.
    let other = env.path("other.db");
    let o = std::process::Command::new("sqlite3")
        .arg(&other)
        .arg("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .output()
        .expect("sqlite3 shell");
    assert!(o.status.success());
    let r = env.as_("admin", &["restore", other.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.fields(), ["file"]);

    let missing = env.path("missing.db");
    let r = env.as_("admin", &["restore", missing.to_str().unwrap()]);
    assert_ne!(r.code, 0, "{r:?}");

    assert_eq!(env.show("admin", id), before);
    assert_eq!(
        env.as_("admin", &["user", "list"]).ok().json(),
        users_before
    );
    env.as_("admin", &["audit", "verify"]).ok();
}

#[test]
fn backup_does_not_overwrite_an_existing_file() {
    let env = Env::new();
    let existing = env.write("exists.db", "keep me");
    let r = env.as_("admin", &["backup", existing.to_str().unwrap()]);
    assert_eq!(r.code, 5, "{r:?}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn only_the_admin_backs_up_and_restores() {
    let env = with_firm();
    let b = env.path("b.db");
    env.as_("swj", &["backup", b.to_str().unwrap()]).code(3);
    assert!(!b.exists());
    env.as_("admin", &["backup", b.to_str().unwrap()]).ok();
    env.as_("f1", &["restore", b.to_str().unwrap()]).code(3);
}

#[test]
fn reopen_db_env_selects_the_database() {
    let env = Env::new();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_reopen"))
        .args(["--json", "--user", "admin", "user", "list"])
        .env("REOPEN_DB", &env.db)
        .env("REOPEN_PASSWORD", ADMIN_PW)
        .env("REOPEN_NOW", NOW)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "admin");
}

/// `init --demo` on a new path makes the database whole or not at all: a generation that fails
/// (here: no administrator to create the demo's users with) leaves no database and no temporary
/// file behind, where before it left an initialised database without the demo. With --admin it
/// is complete, and nothing is left beside it.
#[test]
fn init_demo_is_all_or_nothing() {
    let env = Env::empty();
    let r = env.cmd(&["init", "--demo"], &[]);
    assert_ne!(r.code, 0, "{r:?}");
    let left: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    let r = env
        .cmd(
            &["init", "--demo", "--admin", "admin"],
            &[("REOPEN_PASSWORD", ADMIN_PW)],
        )
        .ok();
    assert!(r.json()["demo"]["users"].as_array().unwrap().len() > 5);
    let mut left: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    // The database and its key directory (the keys live beside it, never in it).
    assert_eq!(left, ["reopen.db", "reopen.db.keys"]);
    let apps = env.as_("admin", &["app", "list"]).ok().json();
    assert!(apps.as_array().is_some_and(|a| a.len() > 5), "{apps}");
    env.as_("admin", &["audit", "verify"]).ok();
}

//! What the shell must not trust or block on: files the webview names (read bounded, written
//! atomically), the initial password, and commands kept off the main thread.

use super::*;

impl App {
    /// A call that must answer within `secs` (a read of a FIFO used to block forever).
    fn call_within(&self, secs: u64, cmd: &str, args: Value) -> Result<Value, Value> {
        let webview = self.webview.clone();
        let cmd = cmd.to_string();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(invoke(&webview, &cmd, args));
        });
        rx.recv_timeout(std::time::Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("no answer within {secs} s"))
    }

    fn dir(&self) -> std::path::PathBuf {
        self.csv.parent().unwrap().to_path_buf()
    }
}

/// A FIFO, a device, a directory or a file too large is refused promptly with a clear error,
/// and nothing is read before the session is checked.
#[cfg(unix)]
#[test]
fn chosen_files_are_read_only_for_a_session_and_only_small_regular_files() {
    let a = app();
    let dir = a.dir();
    let fifo = dir.join("pipe.csv");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let import = |path: &std::path::Path| {
        a.call_within(
            20,
            "app_roster_import",
            json!({"id": a.app_id, "path": path.to_str().unwrap()}),
        )
    };
    // Before login: refused as unauthenticated, without opening the file (a FIFO would block).
    let e = import(&fifo).unwrap_err();
    assert_eq!(e["code"], "unauthenticated", "{e}");
    let e = a
        .call_within(20, "app_import", json!({"path": fifo.to_str().unwrap()}))
        .unwrap_err();
    assert_eq!(e["code"], "unauthenticated", "{e}");

    a.login("firm");
    let big = dir.join("big.csv");
    // Sparse: one byte over the roster limit, without using the disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(20 * 1024 * 1024 + 1)
        .unwrap();
    let sub = dir.join("folder.csv");
    std::fs::create_dir(&sub).unwrap();
    let zero_link = dir.join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero_link).unwrap();
    for (path, says) in [
        (fifo.as_path(), "普通文件"),
        (std::path::Path::new("/dev/zero"), "普通文件"),
        (zero_link.as_path(), "普通文件"),
        (sub.as_path(), "普通文件"),
        (big.as_path(), "20 MB"),
    ] {
        let started = std::time::Instant::now();
        let e = import(path).unwrap_err();
        assert_eq!(e["code"], "validation", "{}: {e}", path.display());
        assert_eq!(e["fields"][0]["field"], "file", "{e}");
        let msg = e["fields"][0]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{}: {msg}", path.display());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    let app = a.call("app_show", json!({"id": a.app_id})).unwrap();
    assert_eq!(app["roster_count"], 0, "nothing was imported");

    // An attachment over 10 MB and a package over 50 MB are refused before they are read.
    let pdf = dir.join("big.pdf");
    std::fs::File::create(&pdf)
        .unwrap()
        .set_len(10 * 1024 * 1024 + 1)
        .unwrap();
    let e = a
        .call_within(
            20,
            "app_attach",
            json!({"id": a.app_id, "path": pdf.to_str().unwrap()}),
        )
        .unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
    assert_eq!(
        a.call("app_attachments", json!({"id": a.app_id})).unwrap(),
        json!([])
    );
    a.login("clerk");
    let pkg = dir.join("big.reopen");
    std::fs::File::create(&pkg)
        .unwrap()
        .set_len(50 * 1024 * 1024 + 1)
        .unwrap();
    let e = a
        .call_within(20, "app_import", json!({"path": pkg.to_str().unwrap()}))
        .unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
    let e = a
        .call_within(20, "app_import", json!({"path": fifo.to_str().unwrap()}))
        .unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
}

/// A written file replaces only a regular file, through a fresh temporary file: a planted
/// symlink (at the destination or at the old `.part` name) is never followed, and only the
/// extensions the command writes are accepted.
#[cfg(unix)]
#[test]
fn written_files_never_follow_symlinks_and_keep_their_extension() {
    let a = app();
    let dir = a.dir();
    a.login("firm");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let template =
        |out: &std::path::Path| a.call("roster_template", json!({"out": out.to_str().unwrap()}));

    // A symlink planted at the name the old code wrote through.
    let out = dir.join("模板.xlsx");
    let part = dir.join("模板.xlsx.part");
    std::os::unix::fs::symlink(&victim, &part).unwrap();
    let n = template(&out).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    let meta = std::fs::symlink_metadata(&out).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(n, json!(meta.len()));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));

    // The destination itself is a symlink: refused, the link and its target untouched.
    let link = dir.join("link.xlsx");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let e = template(&link).unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
    assert_eq!(e["fields"][0]["field"], "path");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");

    // A directory or a FIFO by that name is no file to replace.
    let folder = dir.join("folder.xlsx");
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(template(&folder).unwrap_err()["code"], "validation");
    assert!(folder.is_dir());

    // Only the extensions the command writes, named in the error.
    let script = dir.join("run.sh");
    let e = template(&script).unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
    let msg = e["fields"][0]["message"].as_str().unwrap();
    assert!(msg.contains(".xlsx"), "{msg}");
    assert!(!script.exists());
    let e = a
        .call(
            "form_print",
            json!({"applicationId": a.app_id, "path": dir.join("表.txt").to_str().unwrap()}),
        )
        .unwrap_err();
    assert!(
        e["fields"][0]["message"].as_str().unwrap().contains(".pdf"),
        "{e}"
    );
    a.login("leader");
    let csv = dir.join("日报.csv");
    let e = a
        .call("bulletin_export", json!({"out": csv.to_str().unwrap()}))
        .unwrap_err();
    let msg = e["fields"][0]["message"].as_str().unwrap();
    assert!(msg.contains(".pdf") && msg.contains(".xlsx"), "{msg}");
    assert!(!csv.exists());

    // No temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A user who must change the initial password can only change it (or log out, or read who
/// they are): every other command is refused by the shell, not only hidden by the dialog.
#[test]
fn the_initial_password_must_be_changed_before_anything_else() {
    let a = app();
    a.login("admin");
    let initial = INITIAL;
    a.call(
        "user_add",
        json!({"user": {"name": "newbie", "role": "reviewer", "department": "511802-SWJ",
            "firm": null, "division": null, "password": initial}}),
    )
    .unwrap();
    a.call("logout", json!({})).unwrap();
    let me = a
        .call("login", json!({"name": "newbie", "password": initial}))
        .unwrap();
    assert_eq!(me["must_change_password"], true);
    let me = a.call("whoami", json!({})).unwrap();
    assert_eq!(me["must_change_password"], true);
    a.call("app_info", json!({})).unwrap();
    a.call("set_language", json!({"lang": "zh"})).unwrap();
    let qfilter = json!({"pending": null, "category": null, "overdue": null, "green_channel": null, "limit": null, "offset": null});
    let e = a
        .call("review_queue", json!({"filter": qfilter}))
        .unwrap_err();
    assert_eq!(e["code"], "must_change_password", "{e}");
    assert!(e["message"].as_str().unwrap().contains("修改"), "{e}");
    let out = a.dir().join("模板.xlsx");
    let e = a
        .call("roster_template", json!({"out": out.to_str().unwrap()}))
        .unwrap_err();
    assert_eq!(e["code"], "must_change_password", "{e}");
    assert!(!out.exists());
    for (cmd, args) in [
        ("app_show", json!({"id": a.app_id})),
        ("my_firm", json!({})),
        ("cert_list", json!({"unprinted": false})),
        (
            "app_roster_import",
            json!({"id": a.app_id, "path": a.csv.to_str().unwrap()}),
        ),
    ] {
        let e = a.call(cmd, args).unwrap_err();
        assert_eq!(e["code"], "must_change_password", "{cmd}: {e}");
    }
    let next = "Fresh-Passw0rd-2";
    let me = a
        .call("change_password", json!({"current": initial, "next": next}))
        .unwrap();
    assert_eq!(me["must_change_password"], false);
    a.call("review_queue", json!({"filter": qfilter})).unwrap();
}

/// The batch print runs off the calling thread and still reports each certificate.
#[test]
fn the_batch_print_reports_progress() {
    use tauri::Listener;
    let a = app();
    let dir = a.dir();
    let db = dir.join("app.db");
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut other = Reopen::open(&db).unwrap();
    let admin = other.login("admin", PW, now).unwrap();
    other
        .user_add(
            &admin,
            &NewUser {
                name: "zhb".into(),
                role: "reviewer".into(),
                department: Some("511802-ZHB".into()),
                division: None,
                firm: None,
                password: Some(INITIAL.into()),
            },
            now,
        )
        .unwrap();
    let zhb = other.login("zhb", INITIAL, now).unwrap();
    other.user_password(&zhb, "zhb", Some(PW), now).unwrap();
    let firm = other.login("firm", PW, now).unwrap();
    other
        .app_roster_replace(
            &firm,
            a.app_id,
            "r.csv",
            &std::fs::read(&a.csv).unwrap(),
            None,
            now,
        )
        .unwrap();
    other.app_submit(&firm, a.app_id, None, now).unwrap();
    for (who, headcount) in [("swj", Some(5)), ("zhb", None)] {
        let r = other.login(who, PW, now).unwrap();
        let d: reopen_core::service::Decision = serde_json::from_value(
            json!({"verdict": "approve", "opinion": "同意", "headcount": headcount}),
        )
        .unwrap();
        other.review_decide(&r, a.app_id, &d, now).unwrap();
    }
    let clerk = other.login("clerk", PW, now).unwrap();
    let cert = other.cert_issue(&clerk, a.app_id, now).unwrap();
    drop(other);

    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let seen = events.clone();
    a._app.listen_any("print-progress", move |e| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    a.login("clerk");
    let out = dir.join("批量");
    std::fs::create_dir(&out).unwrap();
    let r = a
        .call_within(
            120,
            "cert_print_batch",
            json!({"dir": out.to_str().unwrap()}),
        )
        .unwrap();
    assert_eq!(r["failed"], json!([]), "{r}");
    assert_eq!(r["printed"][0]["number"], cert.number);
    let file = std::path::PathBuf::from(r["printed"][0]["file"].as_str().unwrap());
    assert!(std::fs::read(&file).unwrap().starts_with(b"%PDF"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while events.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events,
        [json!({"done": 1, "total": 1, "number": cert.number})]
    );
}

/// Only commands that touch neither the core nor a file run on the main thread; every other one
/// is async and runs its work on the blocking pool, so the window never waits for the database,
/// a document or a file (and a command added later cannot forget it).
#[test]
fn commands_that_touch_the_core_run_off_the_main_thread() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/commands");
    let mut sync = Vec::new();
    let mut commands = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for item in text.split("#[tauri::command]").skip(1) {
            commands += 1;
            let sig = item.trim_start();
            if let Some(rest) = sig.strip_prefix("pub fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                sync.push(name);
            } else {
                assert!(
                    sig.starts_with("pub async fn "),
                    "{}: {sig:.60}",
                    path.display()
                );
            }
        }
    }
    sync.sort();
    assert!(commands > 60, "{commands}");
    // Logging out may tell a server.
    assert_eq!(sync, ["set_language", "ui_ready"]);
    // The session's actor without the initial-password rule serves only who am I and the
    // password change; every other command goes through AppState::actor.
    let session = std::fs::read_to_string(dir.join("session.rs")).unwrap();
    assert_eq!(session.matches("session_actor()").count(), 2);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "session.rs" {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("session_actor"), "{}", path.display());
        }
    }
}

//! The desktop app's commands through Tauri's mock runtime: the IPC surface, error shape and a
//! permission refusal per role, on a real temporary SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use reopen_app::state::AppState;
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, NewUser};
use reopen_core::Reopen;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

const PW: &str = "Passw0rd-x";
/// The password an administrator gives a new user, who must change it at first login.
const INITIAL: &str = "Initial-Passw0rd-1";

struct App {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    csv: std::path::PathBuf,
    app_id: i64,
}

/// A database with one user per role, a firm with a user, and that firm's draft application.
fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut core = Reopen::open(&db).unwrap();
    core.init(Some(("admin", PW)), now).unwrap();
    let admin = core.login("admin", PW, now).unwrap();
    let add = |core: &mut Reopen,
               name: &str,
               role: &str,
               dep: Option<&str>,
               div: Option<&str>,
               firm: Option<&str>| {
        let u = NewUser {
            name: name.into(),
            role: role.into(),
            department: dep.map(Into::into),
            division: div.map(Into::into),
            firm: firm.map(Into::into),
            password: Some(INITIAL.into()),
        };
        core.user_add(&admin, &u, now).unwrap();
        // The user's own first change, so that the shell lets them work.
        let me = core.login(name, INITIAL, now).unwrap();
        core.user_password(&me, name, Some(PW), now).unwrap();
    };
    add(&mut core, "clerk", "clerk", None, Some("511802"), None);
    add(&mut core, "leader", "leader", None, Some("511800"), None);
    add(&mut core, "swj", "reviewer", Some("511802-SWJ"), None, None);
    add(&mut core, "jxj", "reviewer", Some("511802-JXJ"), None, None);
    let clerk = core.login("clerk", PW, now).unwrap();
    let code = demo_credit_code("511802", 7);
    let firm = json!({"credit_code": code, "name": "雅安雨城惠民超市有限公司", "division": "511802", "township": "河北街道",
        "address": "雅安市雨城区青衣江路1号", "industry": "52", "legal_representative": "张三",
        "principal": {"name": "张三", "phone": "13800000000"}, "contact": {"name": "李四", "phone": "13900000000"},
        "staff_total": 20, "city_managed": false});
    core.firm_register(&clerk, &firm, now).unwrap();
    add(&mut core, "firm", "firm", None, None, Some(&code));
    let app = core
        .app_create(
            &clerk,
            &code,
            &demo_plan("daily_necessities", 5, 1, 0, "张三", now),
            now,
        )
        .unwrap();
    let csv = dir.path().join("roster.csv");
    std::fs::write(&csv, demo_roster_csv(5, 1, 0, 3, local_date(now))).unwrap();
    let state = AppState::new(core, db, Some(now));
    let tauri_app = reopen_app::builder(mock_builder(), state)
        .build(reopen_app::context())
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&tauri_app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _dir: dir,
        _app: tauri_app,
        webview,
        csv,
        app_id: app.id,
    }
}

/// One command from the main window, from the app's own origin.
fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The app's own origin: the dev server without the embedded UI, else the custom
            // protocol (tauri://localhost; http://tauri.localhost on Windows). scripts/test.sh
            // builds with the UI embedded, so the end-to-end tests can reuse the binary.
            url: if cfg!(dev) {
                "http://localhost:1420"
            } else if cfg!(windows) {
                "http://tauri.localhost"
            } else {
                "tauri://localhost"
            }
            .parse()
            .unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke(&self.webview, cmd, args)
    }

    fn login(&self, name: &str) {
        self.call("login", json!({"name": name, "password": PW}))
            .unwrap();
    }
}

#[test]
fn commands_need_a_session_and_errors_carry_code_message_fields() {
    let a = app();
    let e = a.call("app_show", json!({"id": a.app_id})).unwrap_err();
    assert_eq!(e["code"], "unauthenticated");
    let e = a
        .call("login", json!({"name": "firm", "password": "wrong-pass1"}))
        .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    assert_eq!(e["message"], "用户名或密码错误");
    a.login("firm");
    let info = a.call("app_info", json!({})).unwrap();
    assert_eq!(info["initialised"], true);
    assert!(info["clock_override"]
        .as_str()
        .unwrap()
        .starts_with("2020-02-05"));
    // A bad plan: every field error, in Chinese, then in English after switching.
    let e = a
        .call(
            "app_update",
            json!({"id": a.app_id, "plan": {"headcount": {"planned": -1}, "category": "party"}}),
        )
        .unwrap_err();
    assert_eq!(e["code"], "validation");
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category", "headcount.planned"]);
    assert!(e["fields"][1]["message"].as_str().unwrap().contains("负数"));
    a.call("set_language", json!({"lang": "en"})).unwrap();
    let e = a
        .call(
            "app_update",
            json!({"id": a.app_id, "plan": {"headcount": {"planned": -1}}}),
        )
        .unwrap_err();
    assert_eq!(e["fields"][0]["message"], "must not be negative");
}

#[test]
fn the_firm_files_and_the_reviewer_decides_through_ipc() {
    let a = app();
    a.login("firm");
    let mine = a.call("my_firm", json!({})).unwrap();
    assert_eq!(mine["name"], "雅安雨城惠民超市有限公司");
    let app = a
        .call(
            "app_roster_import",
            json!({"id": a.app_id, "path": a.csv.display().to_string(), "expectVersion": 1}),
        )
        .unwrap();
    assert_eq!(app["roster_count"], 5);
    let app = a
        .call(
            "app_submit",
            json!({"id": a.app_id, "expectVersion": app["version"]}),
        )
        .unwrap();
    assert_eq!(app["state"], "in_review");
    a.call("logout", json!({})).unwrap();
    a.login("swj");
    let queue = a
        .call("review_queue", json!({"filter": {"pending": true}}))
        .unwrap();
    assert_eq!(queue[0]["application_id"], a.app_id);
    let roster = a.call("app_roster", json!({"id": a.app_id})).unwrap();
    assert!(roster[0]["id_number"].as_str().unwrap().contains('*'));
    let decided = a
        .call(
            "review_decide",
            json!({"id": a.app_id, "decision": {"verdict": "return", "opinion": "请补充物资情况"}}),
        )
        .unwrap();
    assert_eq!(decided["state"], "returned");
}

/// One refusal per role, through the same commands the screens use.
#[test]
fn every_role_is_refused_what_it_may_not_do() {
    let a = app();
    let refused = |user: &str, cmd: &str, args: Value| {
        a.call("logout", json!({})).unwrap();
        a.login(user);
        let e = a
            .call(cmd, args)
            .expect_err(&format!("{user} {cmd} should be refused"));
        assert_eq!(e["code"], "forbidden", "{user} {cmd}: {e}");
    };
    refused("firm", "user_list", json!({}));
    refused("jxj", "app_show", json!({"id": a.app_id}));
    refused("clerk", "review_queue", json!({"filter": {}}));
    refused("leader", "app_withdraw", json!({"id": a.app_id}));
    refused(
        "admin",
        "review_decide",
        json!({"id": a.app_id, "decision": {"verdict": "approve", "opinion": "同意", "headcount": 5}}),
    );
    refused("swj", "policy_set", json!({"toml": ""}));
}

#[test]
fn the_leader_reads_the_dashboard() {
    let a = app();
    a.login("leader");
    let d = a.call("dashboard", json!({})).unwrap();
    assert_eq!(d["by_state"][0]["key"], "draft");
    assert_eq!(d["trend"].as_array().unwrap().len(), 14);
    let d = a
        .call(
            "dashboard",
            json!({"from": "2020-02-01", "to": "2020-02-05"}),
        )
        .unwrap();
    assert_eq!(d["trend"].as_array().unwrap().len(), 5);
    let e = a
        .call("dashboard", json!({"from": "2020-02-30"}))
        .unwrap_err();
    assert_eq!(e["fields"][0]["field"], "from");
}

#[test]
fn the_firm_downloads_the_template_and_its_refused_roster_with_the_errors_marked() {
    let a = app();
    let dir = a.csv.parent().unwrap().to_path_buf();
    let out = dir.join("模板.xlsx");
    let e = a
        .call("roster_template", json!({"out": out.to_str().unwrap()}))
        .unwrap_err();
    assert_eq!(e["code"], "unauthenticated");
    a.login("firm");
    let n = a
        .call("roster_template", json!({"out": out.to_str().unwrap()}))
        .unwrap();
    assert_eq!(n.as_u64().unwrap(), std::fs::metadata(&out).unwrap().len());

    // A workbook LibreOffice wrote, with a fault in each row from row 3 on.
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roster/roster-bad.xlsx");
    let report = dir.join("错误.xlsx");
    a.call(
        "roster_error_report",
        json!({"path": bad.to_str().unwrap(), "out": report.to_str().unwrap()}),
    )
    .unwrap();
    let table = reopen_core::domain::sheet::read_table(
        "错误.xlsx",
        &std::fs::read(&report).unwrap(),
        20_000,
    )
    .unwrap();
    assert_eq!(table[0].last().unwrap(), "错误说明");
    assert!(table[2].last().unwrap().contains("校验"), "{:?}", table[2]);
    // The note column of a fine row is empty (a sheet's trailing empty cells may be left off).
    let note = table[0].len() - 1;
    assert_eq!(
        table[1].get(note).map(String::as_str).unwrap_or(""),
        "",
        "row 2 is fine"
    );

    // A file without errors is refused by field, and nothing is written.
    let good = bad.with_file_name("roster-good.xlsx");
    let none = dir.join("none.xlsx");
    let e = a
        .call(
            "roster_error_report",
            json!({"path": good.to_str().unwrap(), "out": none.to_str().unwrap()}),
        )
        .unwrap_err();
    assert_eq!(e["code"], "validation");
    assert_eq!(e["fields"][0]["field"], "file");
    assert!(!none.exists());
}

/// Daily reports, statistics and exports through the commands the new screens use.
#[test]
fn statistics_exports_and_daily_reports_through_ipc() {
    let a = app();
    let dir = a.csv.parent().unwrap().to_path_buf();
    a.login("leader");
    let s = a
        .call("stats", json!({"by": ["division", "industry"]}))
        .unwrap();
    assert_eq!(s["from"], "2020-02-05");
    assert_eq!(s["by"], json!(["division", "industry"]));
    assert_eq!(s["total"]["firms"], 1);
    let e = a
        .call("stats", json!({"by": [], "to": "2020-02-31"}))
        .unwrap_err();
    assert_eq!(e["fields"][0]["field"], "to");
    for (cmd, args, name) in [
        ("stats_xlsx", json!({"by": ["category"]}), "统计.xlsx"),
        ("bulletin_export", json!({}), "日报.pdf"),
        ("bulletin_export", json!({}), "日报.xlsx"),
        ("daily_status_xlsx", json!({}), "日报情况.xlsx"),
        (
            "app_list_xlsx",
            json!({"filter": {"state": null, "division": null, "department": null, "firm": null, "limit": null, "offset": null}}),
            "申请.xlsx",
        ),
    ] {
        let out = dir.join(name);
        let mut args = args.clone();
        args["out"] = json!(out.to_str().unwrap());
        let n = a.call(cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(n, json!(bytes.len()), "{cmd}");
        let magic: &[u8] = if name.ends_with(".pdf") {
            b"%PDF"
        } else {
            b"PK"
        };
        assert!(bytes.starts_with(magic), "{cmd} wrote {name}");
    }
    let d = a.call("daily_status", json!({})).unwrap();
    assert_eq!(d["date"], "2020-02-04");
    assert_eq!(d["counts"]["expected"], 0);
    assert_eq!(a.call("daily_flags", json!({})).unwrap(), json!([]));
    // A leader reads but never files; a firm files only once approved and reads no statistics.
    let report = json!({"date": "2020-02-05", "staff_on_site": 3, "fever": 0, "under_observation": 0,
        "masks_remaining": 100, "notes": ""});
    let code = demo_credit_code("511802", 7);
    let e = a
        .call("daily_file", json!({"creditCode": code, "report": report}))
        .unwrap_err();
    assert_eq!(e["code"], "forbidden");
    a.call("logout", json!({})).unwrap();
    a.login("firm");
    let e = a
        .call("daily_file", json!({"creditCode": code, "report": report}))
        .unwrap_err();
    assert_eq!(e["code"], "conflict", "no approved application yet: {e}");
    let bad = json!({"date": "2020-02-05", "staff_on_site": "三", "fever": 0, "under_observation": 0,
        "masks_remaining": 100});
    let e = a
        .call("daily_file", json!({"creditCode": code, "report": bad}))
        .unwrap_err();
    assert_eq!(e["code"], "validation");
    assert_eq!(e["fields"][0]["field"], "staff_on_site");
    assert_eq!(
        a.call("daily_due", json!({"creditCode": code})).unwrap(),
        json!([])
    );
    assert_eq!(
        a.call("stats", json!({"by": []})).unwrap_err()["code"],
        "forbidden"
    );
    assert_eq!(
        a.call("daily_flag_handle", json!({"reportId": 1, "note": "x"}))
            .unwrap_err()["code"],
        "forbidden"
    );
    // The firm exports its own roster, masked.
    a.call(
        "app_roster_import",
        json!({"id": a.app_id, "path": a.csv.to_str().unwrap()}),
    )
    .unwrap();
    let out = dir.join("花名册.xlsx");
    a.call(
        "roster_xlsx",
        json!({"applicationId": a.app_id, "out": out.to_str().unwrap()}),
    )
    .unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
}

mod packages {
    use super::*;

    /// A package exported from a firm-mode database (the firm's own PC), as a file.
    fn package_file(dir: &std::path::Path) -> std::path::PathBuf {
        let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
        let mut pc = Reopen::open(&dir.join("firm-pc.db")).unwrap();
        let code = demo_credit_code("511802", 8);
        let firm = json!({"credit_code": code, "name": "雅安雨城包装有限公司", "division": "511802", "township": "河北街道",
            "address": "雅安市雨城区青衣江路2号", "industry": "52", "legal_representative": "张三",
            "principal": {"name": "张三", "phone": "13800000000"}, "contact": {"name": "李四", "phone": "13900000000"},
            "staff_total": 20, "city_managed": false});
        pc.init_firm_mode(&firm, "pcfirm", PW, now).unwrap();
        let user = pc.login("pcfirm", PW, now).unwrap();
        let app = pc
            .app_create(
                &user,
                &code,
                &demo_plan("production", 5, 1, 0, "张三", now),
                now,
            )
            .unwrap();
        let csv = demo_roster_csv(5, 1, 0, 11, local_date(now));
        pc.app_roster_replace(&user, app.id, "r.csv", csv.as_bytes(), None, now)
            .unwrap();
        let file = dir.join("申报包.reopen");
        pc.app_export(&user, app.id, now, |b| {
            std::fs::write(&file, b).map_err(reopen_core::Error::internal)
        })
        .unwrap();
        file
    }

    #[test]
    fn a_clerk_imports_a_package_and_a_firm_is_refused() {
        let a = app();
        let file = package_file(a._dir.path());
        let path = file.to_str().unwrap();
        assert_eq!(a.call("app_mode", json!({})).unwrap(), "office");

        a.login("firm");
        let e = a.call("app_import", json!({"path": path})).unwrap_err();
        assert_eq!(e["code"], "forbidden");
        // The firm exports its own application instead.
        let out = a._dir.path().join("mine.reopen");
        let r = a
            .call(
                "app_export",
                json!({"id": a.app_id, "out": out.to_str().unwrap()}),
            )
            .unwrap();
        assert_eq!(r["application_id"], a.app_id);
        assert!(out.exists());

        a.login("clerk");
        let r = a.call("app_import", json!({"path": path})).unwrap();
        assert_eq!(r["firm_registered"], true);
        assert_eq!(r["application"]["state"], "in_review");
        let e = a.call("app_import", json!({"path": path})).unwrap_err();
        assert_eq!(e["code"], "conflict");
        let id = r["application"]["id"].as_i64().unwrap();
        let list = a.call("app_attachments", json!({"id": id})).unwrap();
        assert_eq!(list, json!([]));
    }
}

/// The administrator disables a reviewer or resets a password on another PC: the open session in
/// this window ends at its next call, with the reason.
#[test]
fn a_disabled_user_or_a_changed_password_ends_the_session() {
    let a = app();
    let db = a.csv.parent().unwrap().join("app.db");
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut other = Reopen::open(&db).unwrap();
    let admin = other.login("admin", PW, now).unwrap();
    a.login("swj");
    a.call("review_queue", json!({"filter": {}})).unwrap();
    other.user_disable(&admin, "swj", now).unwrap();
    let e = a.call("review_queue", json!({"filter": {}})).unwrap_err();
    assert_eq!(e["code"], "unauthenticated");
    assert!(e["message"].as_str().unwrap().contains("停用"), "{e}");
    assert_eq!(a.call("whoami", json!({})).unwrap(), Value::Null);
    assert_eq!(
        a.call("login", json!({"name": "swj", "password": PW}))
            .unwrap_err()["code"],
        "forbidden"
    );
    // A password reset after this session began ends it too (the training clock runs on from
    // `now`, so the reset is dated well after the login).
    a.login("jxj");
    a.call("whoami", json!({})).unwrap();
    other
        .user_password(
            &admin,
            "jxj",
            Some("Another-Passw0rd"),
            now + chrono::Duration::minutes(5),
        )
        .unwrap();
    let e = a.call("review_queue", json!({"filter": {}})).unwrap_err();
    assert_eq!(e["code"], "unauthenticated");
    assert!(e["message"].as_str().unwrap().contains("密码已修改"), "{e}");
    // Changing one's own password keeps one logged in.
    a.login("firm");
    a.call(
        "change_password",
        json!({"current": PW, "next": "Owner-Passw0rd-2"}),
    )
    .unwrap();
    assert!(a.call("my_firm", json!({})).is_ok());
}

/// Every role against every command that needs a session: forbidden (F) or let through to the
/// use case (.), in the order firm, reviewer (swj), clerk, leader, admin.
#[test]
fn role_by_command_matrix_through_ipc() {
    let a = app();
    let dir = a.csv.parent().unwrap().to_path_buf();
    let out = |n: &str| json!(dir.join(n).to_str().unwrap());
    let code = demo_credit_code("511802", 7);
    let new_code = demo_credit_code("511802", 9);
    let id = a.app_id;
    let firm = json!({"credit_code": new_code, "name": "雅安雨城新设商行", "division": "511802", "township": "河北街道",
        "address": "雅安市雨城区青衣江路9号", "industry": "52", "legal_representative": "张三",
        "principal": {"name": "张三", "phone": "13800000000"}, "contact": {"name": "李四", "phone": "13900000000"},
        "staff_total": 5, "city_managed": false});
    let plan = demo_plan(
        "daily_necessities",
        5,
        1,
        0,
        "张三",
        Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).unwrap(),
    );
    let filter = json!({"state": null, "division": null, "department": null, "firm": null, "limit": null, "offset": null});
    let qfilter = json!({"pending": null, "category": null, "overdue": null, "green_channel": null, "limit": null, "offset": null});
    a.login("admin");
    let workflow = a
        .call("workflow_get", json!({"division": "511802"}))
        .unwrap();
    let policy = a.call("policy_get", json!({})).unwrap();
    let _ = policy;
    a.call("logout", json!({})).unwrap();
    // The firm's application goes to review at 雨城区商务局, so its reviewer is the deciding one.
    a.login("firm");
    a.call(
        "app_roster_import",
        json!({"id": id, "path": a.csv.to_str().unwrap()}),
    )
    .unwrap();
    a.call("app_submit", json!({"id": id})).unwrap();
    a.call("logout", json!({})).unwrap();
    let report = json!({"date": "2020-02-05", "staff_on_site": 3, "fever": 0, "under_observation": 0,
        "masks_remaining": 100, "notes": ""});
    #[rustfmt::skip]
    let cells: Vec<(&str, Value, &str)> = vec![
        ("whoami", json!({}), "....."),
        ("firm_register", json!({"firm": firm}), "FF.F."),
        ("firm_show", json!({"creditCode": code}), "....."),
        ("my_firm", json!({}), "....."),
        ("firm_list", json!({}), "....."),
        ("app_create", json!({"creditCode": code, "plan": plan}), ".F.FF"),
        ("app_update", json!({"id": id, "plan": plan}), ".F.FF"),
        ("app_roster_import", json!({"id": id, "path": a.csv.to_str().unwrap()}), ".F.FF"),
        ("app_show", json!({"id": id}), "....."),
        ("app_list", json!({"filter": filter}), "....."),
        ("app_roster", json!({"id": id}), "....."),
        ("app_roster_reveal", json!({"id": id}), "..FFF"),
        ("app_versions", json!({"id": id}), "....."),
        ("review_queue", json!({"filter": qfilter}), "F.FFF"),
        ("review_decide", json!({"id": id, "decision": {"verdict": "approve", "opinion": "同意", "headcount": 5}}), "F.FFF"),
        ("app_export", json!({"id": id, "out": out("包.reopen")}), ".F.F."),
        ("app_attachments", json!({"id": id}), "....."),
        ("app_attachment_content", json!({"id": id, "name": "无此附件.pdf"}), "....."),
        ("review_roster", json!({"id": id, "filter": {"health": "key_area", "limit": null, "offset": null}}), "....."),
        ("review_phrases", json!({}), "F.FF."),
        ("cert_issue", json!({"applicationId": id}), "FF.FF"),
        ("cert_list", json!({"unprinted": false}), "FF..."),
        ("cert_void", json!({"number": "雨复工〔2020〕1号", "reason": "错误"}), "FF.FF"),
        ("form_print", json!({"applicationId": id, "path": out("表.pdf")}), ".F.FF"),
        ("dashboard", json!({}), "FF..."),
        ("stats", json!({"by": []}), "FF..."),
        ("dashboard_xlsx", json!({"out": out("d.xlsx")}), "FF..."),
        ("guide", json!({}), "....."),
        ("stats_xlsx", json!({"by": [], "out": out("s.xlsx")}), "FF..."),
        ("bulletin_export", json!({"out": out("b.xlsx")}), "FF..."),
        ("daily_file", json!({"creditCode": code, "report": report}), ".F.FF"),
        ("daily_status", json!({}), "F...."),
        ("daily_flags", json!({}), "F...."),
        ("daily_flag_handle", json!({"reportId": 1, "note": "已核实"}), "F.FFF"),
        ("daily_list", json!({"creditCode": code}), "....."),
        ("app_list_xlsx", json!({"filter": filter, "out": out("l.xlsx")}), "....."),
        ("user_add", json!({"user": {"name": "x", "role": "bogus", "department": null, "firm": null, "division": null, "password": null}}), "FFFF."),
        ("user_list", json!({}), "FFFF."),
        ("user_disable", json!({"name": "nobody"}), "FFFF."),
        ("user_unlock", json!({"name": "nobody"}), "FFFF."),
        ("user_reset_password", json!({"name": "nobody"}), "FFFF."),
        ("department_set", json!({"code": "511802-SWJ", "name": "雨城区商务局"}), "FFFF."),
        ("routing_set", json!({"industry": "52", "kind": "SWJ"}), "FFFF."),
        ("workflow_set", json!({"division": "511802", "config": workflow}), "FFFF."),
        ("policy_set", json!({"toml": ""}), "FFFF."),
        ("audit_log", json!({}), "FFFF."),
        ("audit_verify", json!({}), "FFFF."),
    ];
    let users = ["firm", "swj", "clerk", "leader", "admin"];
    let mut mismatches = Vec::new();
    for (cmd, args, want) in &cells {
        assert_eq!(want.len(), users.len(), "{cmd}");
        for (user, w) in users.iter().zip(want.chars()) {
            a.call("logout", json!({})).unwrap();
            a.login(user);
            let got = match a.call(cmd, args.clone()) {
                Err(e) if e["code"] == "forbidden" => 'F',
                Err(e) if e["code"] == "unauthenticated" => 'U',
                _ => '.',
            };
            if got != w {
                mismatches.push(format!("{user} × {cmd}: expected {w}, got {got}"));
            }
        }
    }
    println!(
        "IPC permission matrix: {} commands × {} roles = {} cells, {} mismatches",
        cells.len(),
        users.len(),
        cells.len() * users.len(),
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// The capability grants exactly the commands the handler registers, and build.rs lists the
/// same names: a command added in one place only fails here.
#[test]
fn capability_handler_and_build_list_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let handler: std::collections::BTreeSet<String> = read("src-tauri/src/commands/mod.rs")
        .lines()
        .filter_map(|l| {
            let t = l.trim().trim_end_matches(',');
            let (m, f) = t.split_once("::")?;
            let plain = |x: &str| x.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            (plain(m) && plain(f)).then(|| f.to_string())
        })
        .collect();
    let build: std::collections::BTreeSet<String> = read("src-tauri/build.rs")
        .lines()
        .filter_map(|l| {
            let t = l.trim();
            t.strip_prefix('"')?.strip_suffix("\",").map(str::to_string)
        })
        .collect();
    let cap: Value = serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    let granted: std::collections::BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert!(handler.len() > 60, "{handler:?}");
    assert_eq!(handler, build, "handler vs build.rs");
    assert_eq!(handler, granted, "handler vs capability");
    // Beyond our commands: events, the window's title (the system's name from the policy), and
    // the dialog and opener plugins only (no shell, fs, http).
    let others: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| p["identifier"].as_str().unwrap().to_string())
        })
        .filter(|p| !p.starts_with("allow-"))
        .collect();
    for p in &others {
        assert!(
            p.starts_with("core:event:")
                || p == "core:window:allow-set-title"
                || p.starts_with("dialog:")
                || p == "opener:allow-open-path",
            "unexpected permission {p}"
        );
    }
    // The opener may only open PDFs.
    for scope in cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["allow"].as_array())
    {
        for s in scope {
            assert!(s["path"].as_str().unwrap().ends_with("/**/*.pdf"), "{s}");
        }
    }
    // A strict CSP: nothing but our own origin; no eval; IPC only.
    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
    let text = csp.to_string();
    assert!(
        !text.contains("unsafe-eval") && !text.contains("http:")
            || text.contains("http://ipc.localhost")
    );
    assert!(!text.contains("unsafe-eval"), "{text}");
    assert!(!text.contains('*'), "no wildcard sources: {text}");
    assert!(conf["app"]["security"]["dangerousDisableAssetCspModification"].is_null());
    assert!(conf["app"]["withGlobalTauri"].is_null() || conf["app"]["withGlobalTauri"] == false);
}

/// What the webview may not reach: plugins we do not grant, paths the opener does not allow,
/// commands that do not exist, and our own commands from another origin.
#[test]
fn the_webview_reaches_only_what_the_capability_grants() {
    let a = app();
    a.login("admin");
    for (cmd, args) in [
        (
            "plugin:shell|execute",
            json!({"program": "sh", "args": ["-c", "id"]}),
        ),
        ("plugin:fs|read_text_file", json!({"path": "/etc/passwd"})),
        (
            "plugin:opener|open_url",
            json!({"url": "https://example.com"}),
        ),
        ("plugin:opener|open_path", json!({"path": "/etc/passwd"})),
        ("plugin:opener|open_path", json!({"path": "/tmp/x.sh"})),
        ("sql_execute", json!({"sql": "DROP TABLE firms"})),
        ("plugin:dialog|ask", json!({"message": "?"})),
    ] {
        let r = a.call(cmd, args);
        assert!(r.is_err(), "{cmd} must be refused, got {r:?}");
    }
    // Our own command, but from a page that is not the app's.
    let r = get_ipc_response(
        &a.webview,
        InvokeRequest {
            cmd: "user_list".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "https://evil.example".parse().unwrap(),
            body: InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    assert!(r.is_err(), "a remote origin must be refused");
    // The same call from the app works.
    assert!(a.call("user_list", json!({})).is_ok());
}

#[path = "ipc/shell.rs"]
mod shell;

//! `reopen serve` over HTTP: what a client that is not ours may send (malformed JSON, wrong
//! types, unknown fields, oversize bodies, wrong, forged or ended tokens, plain HTTP, a client
//! that never finishes) gets a clear error, changes nothing, and the server keeps serving others;
//! a changed certificate is refused by our client; sessions are shared by two servers.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::json;

use super::support::*;

fn server_env() -> (Env, Server) {
    let env = with_firm();
    let server = env.spawn_server(NOW);
    (env, server)
}

#[test]
fn bad_requests_get_clear_errors_and_change_nothing() {
    let (env, server) = server_env();
    let before = env.audit_len();
    let mut c = server.client();
    c.login("admin", ADMIN_PW).unwrap();
    let post = |path: &str, body: &[u8]| c.post_raw(path, body.to_vec()).unwrap();

    let (status, e) = post("/api/v1/op/firm_show", b"{not json");
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["code"], "validation");
    assert!(
        e["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不是有效的 JSON"),
        "{e}"
    );

    let (status, e) = post("/api/v1/op/app_show", br#"{"id": "seven"}"#);
    assert_eq!(status, 400, "{e}");
    assert!(
        e["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("请求参数有误"),
        "{e}"
    );

    let (status, e) = post(
        "/api/v1/op/app_show",
        br#"{"id": 1, "sql": "DROP TABLE firms"}"#,
    );
    assert_eq!(status, 400, "{e}");
    assert!(
        e["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `sql`"),
        "{e}"
    );

    let (status, e) = post("/api/v1/op/drop_everything", b"{}");
    assert_eq!(
        (status, e["code"].as_str()),
        (404, Some("not_found")),
        "{e}"
    );

    // 49 MB of a roster: refused before it is read whole. The server answers 413 and closes
    // the connection; a client still uploading may see the close (a broken pipe) before the answer.
    let big = format!(
        r#"{{"id":1,"file_name":"a.csv","bytes":"{}"}}"#,
        "A".repeat(49 << 20)
    );
    match c.post_raw("/api/v1/op/app_roster_replace", big.clone().into_bytes()) {
        Ok((status, e)) => {
            assert!(status == 400 || status == 413, "{status} {e}");
            if !e.is_null() {
                let m = e["fields"][0]["message"].as_str().unwrap();
                assert!(m.contains("请求过大"), "{e}");
            }
        }
        Err(e) => assert_eq!(e.kind, reopen_core::error::ErrorKind::Unavailable, "{e}"),
    }
    // Our own client says so before sending a byte.
    let body: serde_json::Value = serde_json::from_str(&big).unwrap();
    let e = c.call_json("app_roster_replace", body).unwrap_err();
    assert_eq!(e.kind, reopen_core::error::ErrorKind::Validation, "{e}");
    assert!(e.fields[0].message.zh.contains("请求过大"), "{e:?}");

    // A use case's own refusal keeps its kind and its fields.
    let (status, e) = post("/api/v1/op/firm_register", br#"{"firm": {"name": ""}}"#);
    assert_eq!(status, 400, "{e}");
    assert!(e["fields"].as_array().unwrap().len() > 1, "{e}");

    // The server still serves, and nothing changed.
    let (status, firms) = post("/api/v1/op/firm_list", b"{}");
    assert_eq!(status, 200, "{firms}");
    assert_eq!(firms.as_array().unwrap().len(), 1);
    c.logout().unwrap();
    assert_eq!(env.audit_len(), before);
}

#[test]
fn missing_forged_ended_and_stale_tokens_are_refused() {
    let (_env, server) = server_env();
    let mut c = server.client();
    let (status, e) = c.post_raw("/api/v1/op/user_list", b"{}".to_vec()).unwrap();
    assert_eq!(
        (status, e["code"].as_str()),
        (401, Some("unauthenticated")),
        "{e}"
    );

    c.set_token(Some("A".repeat(43)));
    let (status, e) = c.post_raw("/api/v1/op/user_list", b"{}".to_vec()).unwrap();
    assert_eq!(status, 401, "{e}");
    assert!(e["message"].as_str().unwrap().contains("登录已失效"), "{e}");

    // A token taken from a session that logged out is worth nothing.
    c.set_token(None);
    c.login("admin", ADMIN_PW).unwrap();
    let stolen = c.token().unwrap().to_string();
    c.logout().unwrap();
    let mut thief = server.client();
    thief.set_token(Some(stolen));
    let (status, _) = thief
        .post_raw("/api/v1/op/user_list", b"{}".to_vec())
        .unwrap();
    assert_eq!(status, 401);

    // A session begun before its user's password was reset ends with the reset.
    let mut swj = server.client();
    swj.login("swj", PW).unwrap();
    assert_eq!(
        swj.call(&reopen_core::api::ReviewQueue {
            filter: Default::default()
        })
        .unwrap()
        .len(),
        0
    );
    let mut admin = server.client();
    admin.login("admin", ADMIN_PW).unwrap();
    // Times are kept to the second: the reset comes a second after the login it ends.
    std::thread::sleep(Duration::from_millis(1100));
    admin
        .call(&reopen_core::api::UserPassword {
            name: "swj".into(),
            new: None,
        })
        .unwrap();
    let e = swj
        .call(&reopen_core::api::ReviewQueue {
            filter: Default::default(),
        })
        .unwrap_err();
    assert_eq!(e.kind.exit_code(), 3, "{e:?}");
    assert!(e.message.zh.contains("密码已修改"), "{e:?}");

    // An initial password allows nothing but its change.
    let mut fresh = server.client();
    let r = admin
        .call(&reopen_core::api::UserAdd {
            user: reopen_core::service::NewUser {
                name: "clerk9".into(),
                role: "clerk".into(),
                division: Some("511802".into()),
                ..Default::default()
            },
        })
        .unwrap();
    let initial = r.initial_password.unwrap();
    fresh.login("clerk9", &initial).unwrap();
    let (status, e) = fresh
        .post_raw("/api/v1/op/app_list", b"{}".to_vec())
        .unwrap();
    assert_eq!(
        (status, e["code"].as_str()),
        (403, Some("must_change_password")),
        "{e}"
    );
    fresh
        .call(&reopen_core::api::UserPassword {
            name: "clerk9".into(),
            new: Some("Changed-2020x".into()),
        })
        .unwrap();
}

#[test]
fn errors_speak_the_language_asked_for() {
    let (_env, server) = server_env();
    let en = reopen_client::Remote::new(
        &server.url,
        reopen_client::Trust::Fingerprint(server.fingerprint.clone()),
        reopen_core::Lang::En,
    )
    .unwrap();
    let (status, e) = en.post_raw("/api/v1/op/user_list", b"{}".to_vec()).unwrap();
    assert_eq!(status, 401);
    assert!(
        e["message"].as_str().unwrap().starts_with("log in first"),
        "{e}"
    );
}

#[test]
fn plain_http_and_silent_clients_do_not_stop_the_server() {
    let (_env, server) = server_env();
    let addr = server.url.trim_start_matches("https://").to_string();
    // A client that connects and says nothing, and one that sends half a TLS record.
    let _silent = std::net::TcpStream::connect(&addr).unwrap();
    let mut half = std::net::TcpStream::connect(&addr).unwrap();
    half.write_all(&[0x16, 0x03, 0x01]).unwrap();
    // Plain HTTP gets a plain answer that says to use HTTPS.
    let mut plain = std::net::TcpStream::connect(&addr).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = plain.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("HTTPS"), "{answer}");
    // Meanwhile others are served.
    let c = server.client();
    let h = c.health().unwrap();
    assert_eq!(h["status"], "ok", "{h}");
    assert_eq!(h["schema_version"], h["latest_schema_version"], "{h}");
}

#[test]
fn a_changed_certificate_is_refused_and_a_first_use_is_remembered() {
    let (env, server) = server_env();
    let known = env.path("known_servers");
    let trust = || reopen_client::Trust::KnownServers(known.clone());
    let mut c = reopen_client::Remote::new(&server.url, trust(), reopen_core::Lang::Zh).unwrap();
    c.login("admin", ADMIN_PW).unwrap();
    let text = std::fs::read_to_string(&known).unwrap();
    assert!(text.contains(&server.fingerprint), "{text}");
    // Another server at the same address with another certificate (its keys elsewhere).
    let logins = || {
        env.as_("admin", &["audit", "log", "--limit", "500"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "user.login")
            .count()
    };
    let before = logins();
    let authority = server.url.trim_start_matches("https://").to_string();
    std::fs::write(&known, format!("{authority} {}\n", "AB:".repeat(31) + "AB")).unwrap();
    let mut c = reopen_client::Remote::new(&server.url, trust(), reopen_core::Lang::Zh).unwrap();
    let e = c.login("admin", ADMIN_PW).unwrap_err();
    assert!(
        e.message.zh.starts_with("警告：服务器指纹与记录不符"),
        "{e:?}"
    );
    assert!(e.message.zh.contains(&server.fingerprint), "{e:?}");
    // Nothing reached the server: no login was recorded (the count itself may log in once
    // when the tests run through a server).
    let after = logins();
    assert_eq!(
        after,
        before + usize::from(env.through_server),
        "{before} {after}"
    );
}

#[test]
fn two_servers_share_sessions() {
    let (_env, a) = server_env();
    let b = _env.spawn_server(NOW);
    let mut on_a = a.client();
    on_a.login("swj", PW).unwrap();
    let mut on_b = b.client();
    on_b.set_token(on_a.token().map(str::to_string));
    assert_eq!(on_b.whoami().unwrap().name, "swj");
    on_b.logout().unwrap();
    let (status, _) = on_a
        .post_raw("/api/v1/op/review_queue", b"{}".to_vec())
        .unwrap();
    assert_eq!(status, 401);
    let _ = json!({});
}

/// A server killed (SIGKILL) while a reviewer's decisions stream in: every decision it answered
/// is in the database, each decision is whole (its task, its application and its audit event, or
/// none of them), and the audit chain verifies.
#[test]
fn a_server_killed_mid_decisions_loses_no_acknowledged_write() {
    let t = super::concurrency::town(0, 40, 0);
    let env = &t.env;
    let a = env.spawn_server(NOW);
    let mut c = a.client();
    c.login("swj", PW).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let ids = t.in_review.clone();
    let worker = std::thread::spawn(move || {
        for id in ids {
            let decision = reopen_core::service::Decision {
                verdict: "approve".into(),
                opinion: "同意复工".into(),
                headcount: Some(5),
                conditions: None,
                expect_version: None,
            };
            match c.call(&reopen_core::api::ReviewDecide { id, decision }) {
                Ok(_) => tx.send(id).unwrap(),
                Err(_) => return,
            }
        }
    });
    // Kill it after a few acknowledged decisions, in the middle of the stream.
    let mut acked: Vec<i64> = (0..8).map(|_| rx.recv().unwrap()).collect();
    let pid = a.pid();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    worker.join().unwrap();
    acked.extend(rx.try_iter());
    assert!(acked.len() < 40, "the server was killed before the end");

    // Another server on the same database: every acknowledged decision is there.
    let b = env.spawn_server(NOW);
    let mut admin = b.client();
    admin.login("admin", ADMIN_PW).unwrap();
    let mut decided = 0;
    for id in &t.in_review {
        let app = admin.call(&reopen_core::api::AppShow { id: *id }).unwrap();
        let v = serde_json::to_value(&app).unwrap();
        let events = admin
            .call(&reopen_core::api::AuditLog {
                record: Some(format!("app:{id}")),
                limit: Some(100),
                offset: None,
            })
            .unwrap()
            .iter()
            .filter(|e| e.action == "review.approve")
            .count();
        let stage_one_done = v["tasks"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .any(|t| t["stage"] == 0 && t["state"] == "approved")
            })
            .unwrap_or(false);
        assert_eq!(
            stage_one_done,
            events == 1,
            "application {id}: half written? {v}"
        );
        if acked.contains(id) {
            assert!(stage_one_done, "acknowledged decision on {id} lost: {v}");
        }
        decided += usize::from(stage_one_done);
    }
    assert!(
        decided >= acked.len() && decided <= acked.len() + 1,
        "{decided} {acked:?}"
    );
    let report = admin.call(&reopen_core::api::AuditVerify {}).unwrap();
    assert!(report.ok, "{report:?}");
}

/// PostgreSQL stopped under load: requests get a clean 503 (the core's "unavailable"), never a
/// 500 or a hang; restarted, the same server serves again, sessions included, without a restart
/// of its own. On a cluster of its own (only where the PostgreSQL tests run).
#[test]
fn postgres_stopped_and_restarted_gives_clean_errors_then_recovers() {
    if std::env::var("REOPEN_TEST_PG").is_err() {
        return;
    }
    let cluster = Cluster::start();
    let url = reopen_core::store::pg::create_test_database(&cluster.url).unwrap();
    let env = Env::on_postgres(&url);
    env.cmd(
        &["init", "--admin", "admin"],
        &[("REOPEN_PASSWORD", ADMIN_PW)],
    )
    .ok();
    let server = env.spawn_server(NOW);
    let mut c = server.client();
    c.login("admin", ADMIN_PW).unwrap();
    let list = |c: &reopen_client::Remote| c.call(&reopen_core::api::UserList {});
    assert_eq!(list(&c).unwrap().len(), 1);

    cluster.pause();
    for _ in 0..5 {
        let e = list(&c).unwrap_err();
        assert_eq!(e.kind, reopen_core::ErrorKind::Unavailable, "{e:?}");
        // The first request finds its connection closed, the next ones cannot open one.
        assert!(
            e.message.zh.contains("数据库暂时无法连接")
                || e.message.zh.contains("无法连接 PostgreSQL 数据库"),
            "{e:?}"
        );
    }
    let (status, body) = c.post_raw("/api/v1/op/user_list", b"{}".to_vec()).unwrap();
    assert_eq!(status, 503, "{body}");
    cluster.resume();
    let mut ok = None;
    for _ in 0..50 {
        match list(&c) {
            Ok(users) => {
                ok = Some(users);
                break;
            }
            Err(e) => {
                assert_eq!(e.kind, reopen_core::ErrorKind::Unavailable, "{e:?}");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
    assert_eq!(ok.expect("the server serves again").len(), 1);
}

/// A PostgreSQL cluster of one test's own (scripts/lib/pg.sh), removed when dropped.
struct Cluster {
    dir: String,
    url: String,
}

impl Cluster {
    fn sh(script: &str, dir: Option<&str>) -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut c = std::process::Command::new("bash");
        c.current_dir(root)
            .arg("-c")
            .arg(format!(". scripts/lib/pg.sh && {script}"));
        if let Some(d) = dir {
            c.env("REOPEN_PG_DIR", d);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{script}: {o:?}");
        String::from_utf8(o.stdout).unwrap()
    }

    fn start() -> Cluster {
        let dir = Cluster::sh("start_test_pg >/dev/null && echo \"$REOPEN_PG_DIR\"", None)
            .trim()
            .to_string();
        let url = format!("postgres://reopen_admin@/postgres?host={dir}");
        Cluster { dir, url }
    }

    fn pause(&self) {
        Cluster::sh("pause_test_pg", Some(&self.dir));
    }

    fn resume(&self) {
        Cluster::sh("resume_test_pg", Some(&self.dir));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| Cluster::sh("stop_test_pg", Some(&self.dir)));
    }
}

/// With a public address, a certificate printed through the server carries a QR code that opens
/// the server's check page on a phone, the signed payload inside; the page says 有效 / 已作废 /
/// 无法识别 with the firm, the number, the date and the headcount and nothing personal, takes a
/// typed number, and is rate-limited per address. The CLI verifies the same link offline.
#[test]
fn a_phone_checks_a_certificate_by_its_qr_code() {
    let (env, ids) = super::certs::approved_db(2);
    let server = env.spawn_server_with(NOW, &["--public-url", "https://yaan.example/"]);
    let mut clerk = server.client();
    clerk.login("clerk", PW).unwrap();
    let cert = clerk
        .call(&reopen_core::api::CertIssue { app_id: ids[0] })
        .unwrap();
    let printed = clerk
        .call(&reopen_core::api::CertPrint {
            number: cert.number.clone(),
        })
        .unwrap();
    let pdf = env.path("cert.pdf");
    std::fs::write(&pdf, &printed.pdf.0).unwrap();
    let prefix = env.path("page");
    assert!(std::process::Command::new("pdftoppm")
        .args([
            "-r",
            "300",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap()
        ])
        .status()
        .unwrap()
        .success());
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q", env.path("page-1.png").to_str().unwrap()])
        .output()
        .unwrap();
    let link = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(link, format!("https://yaan.example/v?c={}", cert.payload));
    // The code printed under the QR code is the payload's, as before.
    let text = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let code = reopen_core::domain::certificate::verification_code(&cert.payload);
    assert!(String::from_utf8_lossy(&text.stdout).contains(&code));

    // The phone opens the link (here: the same path and query on the server).
    let phone = server.client();
    let (status, html) = phone.get_text(&format!("/v?c={}", cert.payload)).unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("有效") && html.contains(&cert.number),
        "{html}"
    );
    assert!(html.contains(&escape_html(&cert.firm_name)), "{html}");
    assert!(html.contains("核定复工人数"), "{html}");
    assert!(
        !html.contains(&cert.credit_code),
        "the page shows no more than it must: {html}"
    );
    // A typed number, a verification code, something unknown.
    let (_, by_number) = phone.get_text(&format!("/v?n={}", cert.number)).unwrap();
    assert!(by_number.contains("有效"), "{by_number}");
    let (_, by_code) = phone.get_text(&format!("/v?n={code}")).unwrap();
    assert!(by_code.contains("有效"), "{by_code}");
    let (_, unknown) = phone
        .get_text("/v?n=%E9%9B%A8%E5%A4%8D%E5%B7%A5999")
        .unwrap();
    assert!(unknown.contains("无法识别"), "{unknown}");
    // Voided: the page says so.
    clerk
        .call(&reopen_core::api::CertVoid {
            number: cert.number.clone(),
            reason: "打印错误".into(),
        })
        .unwrap();
    let (_, voided) = phone.get_text(&format!("/v?c={}", cert.payload)).unwrap();
    assert!(voided.contains("已作废"), "{voided}");
    // The form alone, then too many checks from one address.
    let (status, form) = phone.get_text("/v").unwrap();
    assert_eq!(status, 200);
    assert!(form.contains("<form"), "{form}");
    let mut limited = false;
    for _ in 0..40 {
        let (status, _) = phone.get_text("/v?n=1").unwrap();
        limited |= status == 429;
    }
    assert!(limited, "30 checks a minute per address");
    // The CLI takes the whole link too (offline, with the public key).
    let v = env.cmd(&["verify", &link], &[]).json();
    assert_eq!(v["status"], "voided", "{v}");
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// SIGTERM (systemd's stop): requests in flight finish, the server exits cleanly, and new
/// connections are refused.
#[test]
fn sigterm_lets_requests_finish_and_stops_the_server() {
    let (env, mut server) = server_env();
    // A request in flight when the signal comes (a roster of 500 rows takes a while).
    let mut f1 = server.client();
    f1.login("f1", PW).unwrap();
    let today = reopen_core::time::local_date(chrono::Utc::now());
    let roster = reopen_core::service::demo::demo_roster_csv(500, 50, 5, 1, today);
    let plan = fixture_json("plan.json");
    let app = f1
        .call(&reopen_core::api::AppCreate {
            credit_code: FIRM_CODE.into(),
            plan,
        })
        .unwrap();
    let in_flight = std::thread::spawn(move || {
        f1.call(&reopen_core::api::AppRosterReplace {
            id: app.id,
            file_name: "r.csv".into(),
            bytes: roster.into_bytes().into(),
            expect_version: None,
        })
    });
    std::thread::sleep(Duration::from_millis(300));
    let status = server
        .terminate(Duration::from_secs(35))
        .expect("the server stops");
    assert!(status.success(), "{status:?}");
    // The request that was running got its answer (the roster was replaced, or it was refused
    // by the use case itself: never a cut connection).
    let answered = in_flight.join().unwrap();
    if let Err(e) = &answered {
        assert_ne!(e.kind, reopen_core::ErrorKind::Unavailable, "{e:?}");
    }
    // New connections are refused.
    assert!(server.client().health().is_err());
    drop(env);
}

/// Every event done through the server records the client's address, and the address is part of
/// the event's hash: the chain verifies, and the CLI's own events on the same database have none.
/// The password change of issue 14 (checked against the current one) ends the session.
#[test]
fn events_through_a_server_record_the_client_address() {
    let (env, server) = server_env();
    let mut admin = server.client();
    admin.login("admin", ADMIN_PW).unwrap();
    admin
        .call(&reopen_core::api::UserAdd {
            user: reopen_core::service::NewUser {
                name: "clerk8".into(),
                role: "clerk".into(),
                division: Some("511802".into()),
                password: Some("Counter-2020x".into()),
                ..Default::default()
            },
        })
        .unwrap();
    let log = admin
        .call(&reopen_core::api::AuditLog {
            record: None,
            limit: Some(1),
            offset: None,
        })
        .unwrap();
    assert_eq!(log[0].action, "user.add");
    assert_eq!(log[0].client.as_deref(), Some("127.0.0.1"), "{:?}", log[0]);

    // A wrong current password changes nothing; the right one ends the session.
    let mut clerk = server.client();
    clerk.login("clerk8", "Counter-2020x").unwrap();
    // Times are kept to the second: the change comes a second after the login it ends.
    std::thread::sleep(Duration::from_millis(1100));
    let wrong = clerk.call(&reopen_core::api::PasswordChange {
        current: "Not-it-2020x".into(),
        next: "Counter-2021y".into(),
    });
    assert!(wrong.is_err());
    let me = clerk
        .call(&reopen_core::api::PasswordChange {
            current: "Counter-2020x".into(),
            next: "Counter-2021y".into(),
        })
        .unwrap();
    assert_eq!(me.name, "clerk8");
    assert!(clerk.whoami().is_err(), "the old session goes on");
    clerk.login("clerk8", "Counter-2021y").unwrap();

    let report = admin.call(&reopen_core::api::AuditVerify {}).unwrap();
    assert!(report.ok, "{report:?}");
    // The same log read by the CLI: the events of `init` on this PC have no address.
    let local = env
        .as_("admin", &["audit", "log", "--limit", "500"])
        .ok()
        .json();
    let events = local.as_array().unwrap();
    assert!(events.iter().any(|e| e["client"] == "127.0.0.1"), "{local}");
    assert!(events.iter().any(|e| e["client"].is_null()), "{local}");
}

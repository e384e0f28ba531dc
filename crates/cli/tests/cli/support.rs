//! A tiny harness: one temp database per test, the `reopen` binary run with a fixed clock.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub const NOW: &str = "2020-02-05T09:00:00+08:00";
pub const ADMIN_PW: &str = "Chief1234";
pub const INITIAL_PW: &str = "Init1234x";
pub const PW: &str = "Secret123";
pub const FIRM_CODE: &str = "91511802MA62AB0208";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON (the success document).
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
    /// stderr as JSON: the `error` object.
    pub fn error(&self) -> Value {
        let v: Value = serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {self:?}"));
        v["error"].clone()
    }
    /// The field names of a JSON error.
    pub fn fields(&self) -> Vec<String> {
        self.error()["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no fields: {self:?}"))
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    }
    pub fn field_message(&self, field: &str) -> String {
        self.error()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["field"] == field)
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    }
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success: {self:?}");
        self
    }
    pub fn code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "expected exit {code}: {self:?}");
        self
    }
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Asserts a validation failure (exit 2) naming exactly `fields` (as a set, every one present, no
/// others), with Chinese messages.
pub fn assert_invalid(r: &Run, fields: &[&str]) {
    assert_eq!(r.code, 2, "expected exit 2: {r:?}");
    let e = r.error();
    assert_eq!(e["kind"], "validation", "{r:?}");
    let mut got = r.fields();
    got.sort();
    got.dedup();
    let mut want: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    want.sort();
    want.dedup();
    assert_eq!(got, want, "fields differ: {r:?}");
    assert!(
        has_cjk(e["message"].as_str().unwrap()),
        "message not Chinese: {r:?}"
    );
    for f in e["fields"].as_array().unwrap() {
        assert!(
            has_cjk(f["message"].as_str().unwrap()),
            "field message not Chinese: {f}"
        );
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The database file, or the PostgreSQL database's URL when the tests run there.
    pub db: PathBuf,
    /// The URL when the database is on PostgreSQL (`REOPEN_TEST_PG` names the cluster).
    pub pg: Option<String>,
    /// With `REOPEN_TEST_SERVER=1`, user commands go through `reopen serve` on this database
    /// (`--server`); commands that run only here (init, backup, …) still open it directly.
    pub through_server: bool,
    server: std::cell::RefCell<Option<Server>>,
    /// A second server on the same database: processes started at once (`spawn_as`) go to the
    /// two servers in turn, as a city's clients behind one address do.
    second: std::cell::RefCell<Option<Server>>,
    turn: std::cell::Cell<usize>,
}

/// A `reopen serve` on the test's database, started at the clock a command asks for.
pub struct Server {
    child: std::process::Child,
    pub url: String,
    pub fingerprint: String,
    /// The REOPEN_NOW it was started with.
    now: String,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most `limit`) for the server to exit: its exit status.
    pub fn terminate(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .ok()?;
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    /// A client of this server (pinned to its fingerprint).
    pub fn client(&self) -> reopen_client::Remote {
        reopen_client::Remote::new(
            &self.url,
            reopen_client::Trust::Fingerprint(self.fingerprint.clone()),
            reopen_core::Lang::Zh,
        )
        .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The subcommand of `args` (after `--user NAME` and other global options).
fn subcommand<'a>(args: &[&'a str]) -> &'a str {
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "--user" | "--db" | "--keys" | "--server" | "--server-fingerprint" => i += 2,
            a if a.starts_with("--") => i += 1,
            a => return a,
        }
    }
    ""
}

/// What runs only on a database here, never through a server.
fn local_only(sub: &str) -> bool {
    matches!(
        sub,
        "init" | "backup" | "restore" | "migrate" | "roster-key" | "check" | "serve"
    )
}

impl Env {
    /// A fresh directory; no database yet — or, when `REOPEN_TEST_PG` names a PostgreSQL cluster,
    /// a new empty database on it (its keys in the directory).
    pub fn empty() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let pg = std::env::var("REOPEN_TEST_PG")
            .ok()
            .filter(|u| !u.is_empty())
            .map(|cluster| reopen_core::store::pg::create_test_database(&cluster).unwrap());
        let db = match &pg {
            Some(url) => PathBuf::from(url),
            None => dir.path().join("reopen.db"),
        };
        let through_server = std::env::var("REOPEN_TEST_SERVER").is_ok_and(|v| v == "1");
        Env {
            dir,
            db,
            pg,
            through_server,
            server: Default::default(),
            second: Default::default(),
            turn: Default::default(),
        }
    }

    /// An environment on the PostgreSQL database `url` (made by the caller), keys in a new
    /// directory.
    pub fn on_postgres(url: &str) -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            db: PathBuf::from(url),
            pg: Some(url.to_string()),
            through_server: false,
            server: Default::default(),
            second: Default::default(),
            turn: Default::default(),
        }
    }

    /// The key directory the program uses for this database.
    pub fn keys_dir(&self) -> PathBuf {
        match &self.pg {
            Some(_) => self.dir.path().join("keys"),
            None => reopen_core::keys::KeyStore::beside(&self.db),
        }
    }

    /// Starts another `reopen serve` on this database at the clock `now` (REOPEN_NOW).
    pub fn spawn_server(&self, now: &str) -> Server {
        self.spawn_server_with(now, &[])
    }

    /// `spawn_server` with more arguments of `reopen serve`.
    pub fn spawn_server_with(&self, now: &str, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
        c.arg("--db")
            .arg(&self.db)
            .arg("--keys")
            .arg(self.keys_dir())
            .args([
                "--json",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--connections",
                "4",
            ])
            .args(extra);
        for k in [
            "REOPEN_DB",
            "REOPEN_KEYS_DIR",
            "REOPEN_TEST_PG",
            "REOPEN_PASSWORD",
        ] {
            c.env_remove(k);
        }
        c.env("REOPEN_NOW", now)
            .env("LANG", "zh_CN.UTF-8")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().expect("reopen serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's first line");
        let v: Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("reopen serve said {line:?}: {e}"));
        Server {
            child,
            url: v["listening"].as_str().expect("listening").to_string(),
            fingerprint: v["fingerprint"].as_str().expect("fingerprint").to_string(),
            now: now.to_string(),
        }
    }

    /// Starts `reopen serve` on this database at the clock `now` (REOPEN_NOW), unless one runs
    /// at that clock already: the server's clock is the one that counts, so a command that asks
    /// for another day gets a server started on that day.
    pub fn serve_at(&self, now: &str) -> (String, String) {
        let mut slot = self.server.borrow_mut();
        if let Some(s) = slot.as_ref().filter(|s| s.now == now) {
            return (s.url.clone(), s.fingerprint.clone());
        }
        *slot = None;
        let server = self.spawn_server(now);
        let out = (server.url.clone(), server.fingerprint.clone());
        *slot = Some(server);
        out
    }

    /// Runs a statement on the database behind the program's back (sqlite3 or psql), as someone
    /// with the file or the database's superuser would: `sqlite` on a file, `postgres` there.
    pub fn tamper(&self, sqlite: &str, postgres: &str) -> std::process::Output {
        let mut c = match &self.pg {
            Some(url) => {
                let mut c = Command::new("psql");
                c.args(["-v", "ON_ERROR_STOP=1", "-q", url, "-c", postgres]);
                c
            }
            None => {
                let mut c = Command::new("sqlite3");
                c.arg(&self.db).arg(sqlite);
                c
            }
        };
        c.output().expect(
            "the sqlite3 shell or psql is needed (apt-get install sqlite3 postgresql-client)",
        )
    }

    /// `reopen init --admin admin`.
    pub fn new() -> Env {
        let env = Env::empty();
        let r = env.cmd(
            &["init", "--admin", "admin"],
            &[("REOPEN_PASSWORD", ADMIN_PW)],
        );
        assert_eq!(r.code, 0, "init failed: {r:?}");
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn write_json(&self, name: &str, v: &Value) -> PathBuf {
        self.write(name, &serde_json::to_string_pretty(v).unwrap())
    }

    /// Runs `reopen --db DB --json ARGS` with the fixed clock and Chinese locale; `envs` override.
    pub fn cmd(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
        if self.through_server && !local_only(subcommand(args)) {
            let now = envs
                .iter()
                .find(|(k, _)| *k == "REOPEN_NOW")
                .map_or(NOW, |(_, v)| v);
            let (url, fingerprint) = self.serve_at(now);
            c.arg("--server")
                .arg(url)
                .arg("--server-fingerprint")
                .arg(fingerprint)
                .arg("--json");
        } else {
            c.arg("--db").arg(&self.db).arg("--json");
            if self.pg.is_some() {
                c.arg("--keys").arg(self.dir.path().join("keys"));
            }
        }
        c.args(args);
        for k in [
            "REOPEN_DB",
            "REOPEN_KEYS_DIR",
            "REOPEN_TEST_PG",
            "REOPEN_PASSWORD",
            "REOPEN_NEW_PASSWORD",
            "REOPEN_SERVER",
            "REOPEN_SERVER_FINGERPRINT",
            "REOPEN_KNOWN_SERVERS",
            "LC_ALL",
            "LC_MESSAGES",
            "LANGUAGE",
        ] {
            c.env_remove(k);
        }
        c.env("REOPEN_NOW", NOW).env("LANG", "zh_CN.UTF-8");
        for (k, v) in envs {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Acts as `user` with the password `pw`.
    pub fn as_pw(&self, user: &str, pw: &str, args: &[&str]) -> Run {
        let mut a = vec!["--user", user];
        a.extend_from_slice(args);
        self.cmd(&a, &[("REOPEN_PASSWORD", pw)])
    }

    /// Acts as `user` (the admin's or the common password).
    pub fn as_(&self, user: &str, args: &[&str]) -> Run {
        let pw = if user == "admin" { ADMIN_PW } else { PW };
        self.as_pw(user, pw, args)
    }

    /// The admin adds a user and the user changes the initial password to `PW`.
    pub fn add_user(&self, name: &str, role: &str, department: Option<&str>) {
        let mut args = vec!["--user", "admin", "user", "add", name, "--role", role];
        if let Some(d) = department {
            args.extend_from_slice(&["--department", d]);
        }
        if role == "clerk" || role == "leader" {
            args.extend_from_slice(&["--division", "511802"]);
        }
        let r = self.cmd(
            &args,
            &[
                ("REOPEN_PASSWORD", ADMIN_PW),
                ("REOPEN_NEW_PASSWORD", INITIAL_PW),
            ],
        );
        assert_eq!(r.code, 0, "user add {name}: {r:?}");
        let r = self.cmd(
            &["--user", name, "user", "password", name],
            &[("REOPEN_PASSWORD", INITIAL_PW), ("REOPEN_NEW_PASSWORD", PW)],
        );
        assert_eq!(r.code, 0, "password change {name}: {r:?}");
    }

    /// Number of audit events (admin view), sessions left out: through a server every command
    /// logs in and out (both audited), which changes nothing else.
    pub fn audit_len(&self) -> usize {
        self.as_("admin", &["audit", "log", "--limit", "500"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] != "user.login" && e["action"] != "user.logout")
            .count()
    }

    pub fn show(&self, user: &str, id: i64) -> Value {
        self.as_(user, &["app", "show", &id.to_string()])
            .ok()
            .json()
    }

    pub fn firm_count(&self) -> usize {
        self.as_("admin", &["firm", "list"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len()
    }
}

/// A database with a reviewer of 511802-SWJ (`swj`), the countersigner 511802-ZHB (`zhb`), a
/// reviewer of 511802-JXJ (`jxj`) and a firm user `f1` who registered the 零售业 firm of
/// `firm.json`.
pub fn with_firm() -> Env {
    let env = Env::new();
    env.add_user("swj", "reviewer", Some("511802-SWJ"));
    env.add_user("zhb", "reviewer", Some("511802-ZHB"));
    env.add_user("jxj", "reviewer", Some("511802-JXJ"));
    env.add_user("f1", "firm", None);
    env.as_(
        "f1",
        &[
            "firm",
            "register",
            "--file",
            fixture("firm.json").to_str().unwrap(),
        ],
    )
    .ok();
    env
}

/// `with_firm` plus a draft application with the full plan and a matching roster (10 people, 3
/// from elsewhere, 1 of them from Hubei under observation). Returns the application id.
pub fn with_draft() -> (Env, i64) {
    let env = with_firm();
    let r = env
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
        .ok();
    let id = r.json()["id"].as_i64().unwrap();
    env.as_(
        "f1",
        &[
            "app",
            "roster",
            &id.to_string(),
            "--file",
            fixture("roster.csv").to_str().unwrap(),
        ],
    )
    .ok();
    (env, id)
}

/// `with_draft` submitted: pending at stage 1 (SWJ).
pub fn with_submitted() -> (Env, i64) {
    let (env, id) = with_draft();
    env.as_("f1", &["app", "submit", &id.to_string()]).ok();
    (env, id)
}

impl Env {
    /// Starts `reopen --db DB --json --user USER ARGS` as `as_` runs it, without waiting: several
    /// processes on one database at once.
    pub fn spawn_as(&self, user: &str, args: &[&str]) -> std::process::Child {
        let pw = if user == "admin" { ADMIN_PW } else { PW };
        let mut c = Command::new(env!("CARGO_BIN_EXE_reopen"));
        if self.through_server {
            let turn = self.turn.get();
            self.turn.set(turn + 1);
            let (url, fingerprint) = if turn % 2 == 0 {
                self.serve_at(NOW)
            } else {
                let mut second = self.second.borrow_mut();
                let s = second.get_or_insert_with(|| self.spawn_server(NOW));
                (s.url.clone(), s.fingerprint.clone())
            };
            c.arg("--server")
                .arg(url)
                .arg("--server-fingerprint")
                .arg(fingerprint);
        } else {
            c.arg("--db").arg(&self.db);
        }
        c.arg("--json").args(["--user", user]).args(args);
        for k in [
            "REOPEN_DB",
            "REOPEN_NEW_PASSWORD",
            "REOPEN_SERVER",
            "REOPEN_SERVER_FINGERPRINT",
            "LC_ALL",
            "LC_MESSAGES",
            "LANGUAGE",
        ] {
            c.env_remove(k);
        }
        c.env("REOPEN_NOW", NOW)
            .env("LANG", "zh_CN.UTF-8")
            .env("REOPEN_PASSWORD", pw)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c.spawn().unwrap()
    }
}

/// Waits for a process started by `spawn_as`.
pub fn finish(child: std::process::Child) -> Run {
    let o = child.wait_with_output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

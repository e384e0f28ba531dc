//! `reopen`: the command-line shell over reopen-core, exactly as `shared/design/cli.md` fixes it.

mod certs;
mod daily;
mod forms;
mod output;
mod packages;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use reopen_core::domain::auth::Actor;
use reopen_core::error::{Error, Lang};
use reopen_core::keys::RosterKey;
use reopen_core::service::{AppFilter, Decision, NewUser, QueueFilter, WorkflowConfig};
use reopen_core::{t, Reopen};
use serde_json::{json, Value};

use output::Out;

#[derive(Parser)]
#[command(
    name = "reopen",
    version,
    about = "复工复产审批 Reopen — business reopening approvals"
)]
struct Cli {
    /// Database file (default: the per-user data directory the desktop app uses), or a
    /// PostgreSQL URL (postgres://user@host/db)
    #[arg(long, global = true, env = "REOPEN_DB")]
    db: Option<PathBuf>,
    /// Key directory: the certificate signing key and the audit key (default: DB.keys beside
    /// the database file)
    #[arg(long = "keys", global = true, env = "REOPEN_KEYS_DIR")]
    keys: Option<PathBuf>,
    /// Act as this user (password from env REOPEN_PASSWORD)
    #[arg(long, global = true)]
    user: Option<String>,
    /// Print one JSON document on stdout
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create or migrate the database and load reference data
    Init {
        /// Add sample firms, users and applications in every state
        #[arg(long)]
        demo: bool,
        /// With --demo: generate a city- or province-scale database
        #[arg(long, requires = "demo", value_parser = ["city", "province"])]
        scale: Option<String>,
        /// The first administrator (password from REOPEN_PASSWORD)
        #[arg(long)]
        admin: Option<String>,
        /// Firm mode (a firm's own PC): register this firm (firm.json) and its one user
        /// --firm-user NAME (password from REOPEN_PASSWORD); applications leave as packages
        #[arg(long, value_name = "FIRM_JSON", conflicts_with_all = ["demo", "admin"], requires = "firm_user")]
        firm: Option<PathBuf>,
        /// With --firm: the firm's user
        #[arg(long, requires = "firm")]
        firm_user: Option<String>,
    },
    /// Users and passwords
    #[command(subcommand)]
    User(UserCmd),
    /// Firms
    #[command(subcommand)]
    Firm(FirmCmd),
    /// Check identifiers without a database
    Check {
        #[arg(value_parser = ["credit-code", "id-number", "phone"])]
        kind: String,
        #[arg(required = true)]
        values: Vec<String>,
    },
    /// Applications (the one-enterprise-one-plan)
    #[command(subcommand)]
    App(AppCmd),
    /// The reviewer's queue and decisions
    #[command(subcommand)]
    Review(ReviewCmd),
    /// Approval certificates (复工复产批准通知书)
    #[command(subcommand)]
    Cert(CertCmd),
    /// Verify a certificate by number or QR payload (anyone)
    Verify {
        code_or_number: String,
        /// Verify offline from the payload alone with this exported public key file
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// The application form for signing and stamping
    #[command(subcommand)]
    Form(FormCmd),
    /// The audit log
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Departments (administrator)
    #[command(subcommand)]
    Dept(DeptCmd),
    /// Industry → department routing (administrator)
    #[command(subcommand)]
    Routing(RoutingCmd),
    /// Review chain per jurisdiction (administrator)
    #[command(subcommand)]
    Workflow(WorkflowCmd),
    /// Policy values (administrator)
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Daily reports after reopening
    #[command(subcommand)]
    Daily(daily::DailyCmd),
    /// Statistics for a day or a range
    Stats(stats::StatsArgs),
    /// The key that seals the roster's ID and phone numbers (kept outside the database)
    #[command(subcommand)]
    RosterKey(RosterKeyCmd),
    /// Personal data of closed cases: purge after N days
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Online backup to FILE
    Backup { file: PathBuf },
    /// Restore from FILE after checking its integrity
    Restore { file: PathBuf },
    /// Bring a PostgreSQL database to this program's schema (as the schema's owner); with --from,
    /// also copy an office's SQLite database into it, which must be empty (as that database's
    /// administrator; the key directory stays the same: --keys, default FILE.keys)
    Migrate {
        /// The SQLite database file to copy
        #[arg(long)]
        from: Option<PathBuf>,
        /// The PostgreSQL database (postgres://user@host/db); it must be empty
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum RosterKeyCmd {
    /// Write a new random key to FILE (never overwriting; readable by its owner only)
    New {
        #[arg(long)]
        out: PathBuf,
    },
    /// Seal every roster's ID and phone numbers with the key in env REOPEN_KEY_FILE (administrator)
    Seal,
}

#[derive(Subcommand)]
enum RetentionCmd {
    /// Purge rosters, daily reports and attachments of cases closed more than N days ago
    Purge {
        #[arg(long)]
        older_than: u32,
        /// Only report what would be purged
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; initial password from REOPEN_NEW_PASSWORD, else generated and printed once
    Add {
        name: String,
        #[arg(long, value_parser = ["firm", "reviewer", "clerk", "leader", "admin"])]
        role: String,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        firm: Option<String>,
        #[arg(long)]
        division: Option<String>,
    },
    List,
    Disable {
        name: String,
    },
    /// Change your own password (new one from REOPEN_NEW_PASSWORD) or reset another's (admin)
    Password {
        name: String,
    },
    /// Lift a lockout (admin)
    Unlock {
        name: String,
    },
}

#[derive(Subcommand)]
enum FirmCmd {
    Register {
        #[arg(long)]
        file: PathBuf,
    },
    Update {
        credit_code: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Show {
        credit_code: String,
    },
    List {
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        page: Page,
    },
}

#[derive(Args, Clone, Copy)]
struct Page {
    #[arg(long)]
    limit: Option<u32>,
    #[arg(long)]
    offset: Option<u32>,
}

#[derive(Subcommand)]
enum AppCmd {
    Create {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        file: PathBuf,
    },
    Update {
        id: i64,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    /// Replace the roster from a CSV file
    Roster {
        id: i64,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Submit {
        id: i64,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Withdraw {
        id: i64,
    },
    Show {
        id: i64,
        /// Also list the roster (ID numbers masked)
        #[arg(long)]
        roster: bool,
    },
    List {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        firm: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    /// Submissions kept for this application
    Versions {
        id: i64,
    },
    /// What changed between two submissions (default: the last two)
    Diff {
        id: i64,
        #[arg(long)]
        from: Option<i64>,
        #[arg(long)]
        to: Option<i64>,
    },
    /// The roster with full ID numbers (the deciding reviewer; audited)
    Reveal {
        id: i64,
    },
    /// Write the application as a package file (a firm's own PC -> the counter)
    Export {
        id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import an application package at the counter (validated like an application filed here)
    Import {
        file: PathBuf,
    },
    /// Add a file (PDF, JPEG or PNG) to an application being prepared
    Attach {
        id: i64,
        file: PathBuf,
        /// The attachment's name (default: the file's name)
        #[arg(long)]
        name: Option<String>,
    },
    /// List an application's attachments
    Attachments {
        id: i64,
    },
    /// Save one attachment's content to a new file
    Attachment {
        id: i64,
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove an attachment from an application being prepared
    Detach {
        id: i64,
        name: String,
    },
}

#[derive(Subcommand)]
enum ReviewCmd {
    Queue {
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        green: bool,
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    #[command(group(clap::ArgGroup::new("verdict").required(true).multiple(false)))]
    Decide {
        id: i64,
        #[arg(long, group = "verdict")]
        approve: bool,
        #[arg(long, group = "verdict")]
        reject: bool,
        #[arg(long = "return", group = "verdict")]
        return_: bool,
        #[arg(long)]
        opinion: String,
        #[arg(long)]
        headcount: Option<i64>,
        #[arg(long)]
        conditions: Option<String>,
        #[arg(long)]
        expect_version: Option<i64>,
    },
}

#[derive(Subcommand)]
enum CertCmd {
    /// Issue the certificate of an approved application; prints its number
    Issue {
        id: i64,
    },
    /// Print one certificate (logged), or every issued-but-unprinted one with --all-new
    Print {
        #[arg(required_unless_present = "all_new", conflicts_with = "all_new")]
        number: Option<String>,
        #[arg(long, required_unless_present = "all_new", conflicts_with = "all_new")]
        out: Option<PathBuf>,
        #[arg(long, requires = "out_dir")]
        all_new: bool,
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    Void {
        number: String,
        #[arg(long)]
        reason: String,
    },
    Revoke {
        number: String,
        #[arg(long)]
        reason: String,
    },
    List {
        #[arg(long, value_parser = ["issued", "voided", "revoked"])]
        state: Option<String>,
        #[arg(long)]
        unprinted: bool,
        #[command(flatten)]
        page: Page,
    },
    Show {
        number: String,
    },
    /// The installation's public keys (hex, one a line; current first) for offline verification
    PublicKey {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The certificate signing key (administrator)
    #[command(subcommand)]
    Key(certs::KeyCmd),
}

#[derive(Subcommand)]
enum FormCmd {
    Print {
        id: i64,
        /// form (the application form), receipt (受理回执), return (退回补正告知书), rejection (不予批准决定书)
        #[arg(long, value_enum, default_value_t = forms::FormKind::Form)]
        kind: forms::FormKind,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    Log {
        #[arg(long)]
        record: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    /// Check the hash chain, its signed head and the triggers; with --anchor, also that the log
    /// still extends an anchor written earlier
    Verify {
        #[arg(long)]
        anchor: Option<PathBuf>,
    },
    /// Write the signed head of the log to FILE, to keep apart from the database (or print)
    Anchor {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum DeptCmd {
    List {
        #[arg(long)]
        division: Option<String>,
    },
    Set {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
}

#[derive(Subcommand)]
enum RoutingCmd {
    List,
    Set { industry: String, kind: String },
}

#[derive(Subcommand)]
enum WorkflowCmd {
    Show {
        division: String,
    },
    Set {
        division: String,
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCmd {
    Show,
    Set {
        #[arg(long)]
        file: PathBuf,
    },
}

fn lang() -> Lang {
    let v = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    Lang::from_locale(v.as_deref())
}

fn now() -> Result<DateTime<Utc>, Error> {
    match std::env::var("REOPEN_NOW") {
        Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| {
                Error::field(
                    "REOPEN_NOW",
                    t!(
                        format!("REOPEN_NOW 应为 RFC 3339 时间，如 2020-02-05T09:00:00+08:00（实为“{v}”）"),
                        format!("REOPEN_NOW must be RFC 3339, e.g. 2020-02-05T09:00:00+08:00 (got '{v}')")
                    ),
                )
            }),
        _ => Ok(Utc::now()),
    }
}

pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("cn.gov.yaan", "Yaan", "Reopen")
        .map(|d| d.data_dir().join("reopen.db"))
        .unwrap_or_else(|| PathBuf::from("reopen.db"))
}

/// The largest file any command takes (an application package); the use case refuses a smaller
/// limit of its own (a roster sheet, an attachment) with its own words.
const MAX_INPUT_BYTES: usize = reopen_core::domain::package::MAX_PACKAGE_BYTES;

/// Reads a file named on the command line, at most [`MAX_INPUT_BYTES`] of it: a larger file (or
/// an endless one such as /dev/zero) is refused without being read whole.
pub(crate) fn read_file(path: &PathBuf) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        Error::field(
            "file",
            t!(
                format!("无法读取文件 {}：{e}", path.display()),
                format!("cannot read {}: {e}", path.display())
            ),
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Error::field(
            "file",
            t!(
                format!(
                    "文件 {} 过大（超过 {} MB）",
                    path.display(),
                    MAX_INPUT_BYTES / 1024 / 1024
                ),
                format!(
                    "{} is too large (over {} MB)",
                    path.display(),
                    MAX_INPUT_BYTES / 1024 / 1024
                )
            ),
        ));
    }
    Ok(bytes)
}

pub(crate) fn read_json(path: &PathBuf) -> Result<Value, Error> {
    let bytes = read_file(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        Error::field(
            "file",
            t!(
                format!("{} 不是有效的 JSON：{e}", path.display()),
                format!("{} is not valid JSON: {e}", path.display())
            ),
        )
    })
}

/// The first administrator of `init`: --admin NAME with its password from REOPEN_PASSWORD.
fn init_admin<'a>(
    admin: Option<&'a str>,
    password: Option<&'a str>,
) -> Result<Option<(&'a str, &'a str)>, Error> {
    match (admin, password) {
        (Some(a), Some(p)) => Ok(Some((a, p))),
        (Some(_), None) => Err(Error::field(
            "REOPEN_PASSWORD",
            t!(
                "请通过环境变量 REOPEN_PASSWORD 提供管理员密码",
                "give the administrator's password in REOPEN_PASSWORD"
            ),
        )),
        _ => Ok(None),
    }
}

pub(crate) fn env_password(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|s| !s.is_empty())
}

pub(crate) struct Ctx {
    pub(crate) core: Reopen,
    user: Option<String>,
    pub(crate) now: DateTime<Utc>,
}

impl Ctx {
    /// Logs the `--user` in. A user who must change the password may only do that.
    pub(crate) fn actor(&mut self, changing_password: bool) -> Result<Actor, Error> {
        let Some(name) = self.user.clone() else {
            return Err(Error::field(
                "user",
                t!(
                    "此命令需要 --user 用户名（密码通过环境变量 REOPEN_PASSWORD 提供）",
                    "this command needs --user NAME (password in REOPEN_PASSWORD)"
                ),
            ));
        };
        let Some(pw) = env_password("REOPEN_PASSWORD") else {
            return Err(Error::field(
                "REOPEN_PASSWORD",
                t!(
                    "请通过环境变量 REOPEN_PASSWORD 提供密码",
                    "give the password in env REOPEN_PASSWORD"
                ),
            ));
        };
        if !self.core.is_initialised()? {
            return Err(Error::not_found(t!(
                "数据库尚未初始化，请先运行 reopen init --admin 用户名",
                "the database is not initialised: run reopen init --admin NAME first"
            )));
        }
        // Authenticates this one call: its changes are audited under the user's name.
        let actor = self.core.authenticate(&name, &pw, self.now)?;
        if actor.must_change_password && !changing_password {
            return Err(Error::forbidden(t!(
                format!("首次登录须先修改初始密码：REOPEN_NEW_PASSWORD=… reopen user password {name}"),
                format!("change the initial password first: REOPEN_NEW_PASSWORD=… reopen user password {name}")
            )));
        }
        Ok(actor)
    }
}

fn run(cli: Cli, out: &mut Out) -> Result<(), Error> {
    let now = now()?;
    if let Cmd::Check { kind, values } = &cli.cmd {
        return output::check(kind, values, now, out);
    }
    if let Cmd::Verify {
        code_or_number,
        public_key: Some(key),
    } = &cli.cmd
    {
        let key = String::from_utf8(read_file(key)?).unwrap_or_default();
        let v = reopen_core::service::verify_offline(code_or_number, &key)?;
        return certs::offline_verification(&v, out);
    }
    if let Cmd::RosterKey(RosterKeyCmd::New { out: file }) = &cli.cmd {
        let key = RosterKey::generate();
        certs::write_new(file, format!("{}\n", key.to_hex()).as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(
                |e| {
                    Error::field(
                        "out",
                        t!(
                            format!("无法设置密钥文件权限：{e}"),
                            format!("cannot restrict the key file: {e}")
                        ),
                    )
                },
            )?;
        }
        return out.value(&json!({"file": file.display().to_string(), "fingerprint": key.fingerprint()}), |v| {
            format!(
                "已生成密钥文件 {}（指纹 {}），请妥善保管在数据库以外的位置；丢失密钥将无法读取加密的花名册",
                v["file"].as_str().unwrap_or_default(),
                v["fingerprint"].as_str().unwrap_or_default()
            )
        });
    }
    if let Cmd::Migrate { from, to } = &cli.cmd {
        return match from {
            Some(from) => migrate(&cli, from, to, now, out),
            None => migrate_schema(to, out),
        };
    }
    let db = cli.db.clone().unwrap_or_else(default_db);
    let url = db
        .to_str()
        .filter(|d| reopen_core::store::pg::is_url(d))
        .map(str::to_string);
    if url.is_some() {
        refuse_on_postgres(&cli.cmd)?;
    }
    // A new demo database is made whole or not at all (built under a temporary name).
    if let Cmd::Init {
        demo: true,
        scale,
        admin,
        firm: None,
        ..
    } = &cli.cmd
    {
        if url.is_none() && !db.exists() {
            let pw = env_password("REOPEN_PASSWORD");
            let admin_pair = init_admin(admin.as_deref(), pw.as_deref())?;
            let scale = scale.as_deref().unwrap_or("small");
            let (report, d) = reopen_core::service::demo::create_new(&db, admin_pair, scale, now)?;
            let doc = json!({"database": db.display().to_string(), "init": report, "demo": d});
            return out.init(&doc);
        }
    }
    if url.is_none() && !matches!(cli.cmd, Cmd::Init { .. }) && !db.exists() {
        return Err(Error::not_found(t!(
            format!(
                "数据库 {} 不存在，请先运行 reopen init --admin 用户名",
                db.display()
            ),
            format!(
                "no database at {}: run reopen init --admin NAME first",
                db.display()
            )
        )));
    }
    let mut core = match (&url, &cli.keys) {
        (Some(url), Some(keys)) => Reopen::open_db(url, keys)?,
        (Some(_), None) => {
            return Err(Error::field(
                "keys",
                t!(
                    "PostgreSQL 数据库的密钥目录须用 --keys 或环境变量 REOPEN_KEYS_DIR 指定",
                    "a PostgreSQL database needs its key directory: --keys or REOPEN_KEYS_DIR"
                ),
            ))
        }
        (None, Some(keys)) => Reopen::open_with_keys(&db, keys)?,
        (None, None) => Reopen::open(&db)?,
    };
    // The key that seals rosters lives outside the database file.
    if let Some(path) = std::env::var_os("REOPEN_KEY_FILE").filter(|p| !p.is_empty()) {
        core.set_roster_key(RosterKey::read(std::path::Path::new(&path))?)?;
    }
    let mut cx = Ctx {
        core,
        user: cli.user.clone(),
        now,
    };
    out.categories = cx
        .core
        .policy()
        .map(|p| p.categories.into_iter().collect())
        .unwrap_or_default();
    match cli.cmd {
        Cmd::Check { .. } | Cmd::Migrate { .. } => Ok(()),
        Cmd::Init {
            firm: Some(firm),
            firm_user: Some(user),
            ..
        } => packages::init_firm_mode(&mut cx, &db, &firm, &user, out),
        Cmd::Init {
            demo, scale, admin, ..
        } => {
            let pw = env_password("REOPEN_PASSWORD");
            let admin_pair = init_admin(admin.as_deref(), pw.as_deref())?;
            let report = cx.core.init(admin_pair, now)?;
            let mut doc = json!({"database": db.display().to_string(), "init": report});
            if demo {
                let scale = scale.as_deref().unwrap_or("small");
                let d = reopen_core::service::demo::generate(&mut cx.core, scale, now)?;
                doc["demo"] = serde_json::to_value(&d)?;
            }
            out.init(&doc)
        }
        Cmd::User(c) => match c {
            UserCmd::Add {
                name,
                role,
                department,
                firm,
                division,
            } => {
                let a = cx.actor(false)?;
                let u = NewUser {
                    name,
                    role,
                    department,
                    firm,
                    division,
                    password: env_password("REOPEN_NEW_PASSWORD"),
                };
                let r = cx.core.user_add(&a, &u, now)?;
                out.value(&r, |r| match &r.initial_password {
                    Some(p) => format!(
                        "已创建用户 {}（{}），初始密码（只显示这一次）：{p}",
                        r.name,
                        r.role.zh()
                    ),
                    None => format!(
                        "已创建用户 {}（{}），首次登录须修改密码",
                        r.name,
                        r.role.zh()
                    ),
                })
            }
            UserCmd::List => {
                let a = cx.actor(false)?;
                let r = cx.core.user_list(&a)?;
                out.table(
                    &r,
                    &[
                        "id",
                        "name",
                        "role",
                        "department",
                        "firm",
                        "division",
                        "disabled",
                        "locked_until",
                    ],
                )
            }
            UserCmd::Disable { name } => {
                let a = cx.actor(false)?;
                cx.core.user_disable(&a, &name, now)?;
                out.value(&json!({"name": name, "disabled": true}), |_| {
                    format!("已停用用户 {name}")
                })
            }
            UserCmd::Unlock { name } => {
                let a = cx.actor(false)?;
                cx.core.user_unlock(&a, &name, now)?;
                out.value(&json!({"name": name, "unlocked": true}), |_| {
                    format!("已解锁用户 {name}")
                })
            }
            UserCmd::Password { name } => {
                let a = cx.actor(true)?;
                let new = env_password("REOPEN_NEW_PASSWORD");
                let generated = cx.core.user_password(&a, &name, new.as_deref(), now)?;
                out.value(
                    &json!({"name": name, "generated_password": generated}),
                    |_| match &generated {
                        Some(p) => format!("已重置 {name} 的密码，新初始密码（只显示这一次）：{p}"),
                        None => format!("已修改 {name} 的密码"),
                    },
                )
            }
        },
        Cmd::Firm(c) => match c {
            FirmCmd::Register { file } => {
                let v = read_json(&file)?;
                let a = cx.actor(false)?;
                let f = cx.core.firm_register(&a, &v, now)?;
                out.firm(&f)
            }
            FirmCmd::Update {
                credit_code,
                file,
                expect_version,
            } => {
                let v = read_json(&file)?;
                let a = cx.actor(false)?;
                let f = cx
                    .core
                    .firm_update(&a, &credit_code, &v, expect_version, now)?;
                out.firm(&f)
            }
            FirmCmd::Show { credit_code } => {
                let a = cx.actor(false)?;
                let f = cx.core.firm_show(&a, &credit_code)?;
                out.firm(&f)
            }
            FirmCmd::List {
                division,
                search,
                page,
            } => {
                let a = cx.actor(false)?;
                let r = cx.core.firm_list(
                    &a,
                    division.as_deref(),
                    search.as_deref(),
                    page.limit,
                    page.offset,
                )?;
                out.table(
                    &r,
                    &[
                        "credit_code",
                        "name",
                        "division",
                        "industry",
                        "staff_total",
                        "has_warnings",
                    ],
                )
            }
        },
        Cmd::App(c) => match c {
            AppCmd::Create { firm, file } => {
                let v = read_json(&file)?;
                let a = cx.actor(false)?;
                let app = cx.core.app_create(&a, &firm, &v, now)?;
                out.app(&app)
            }
            AppCmd::Update {
                id,
                file,
                expect_version,
            } => {
                let v = read_json(&file)?;
                let a = cx.actor(false)?;
                let app = cx.core.app_update(&a, id, &v, expect_version, now)?;
                out.app(&app)
            }
            AppCmd::Roster {
                id,
                file,
                expect_version,
            } => {
                let bytes = read_file(&file)?;
                let a = cx.actor(false)?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let app = cx
                    .core
                    .app_roster_replace(&a, id, &name, &bytes, expect_version, now)?;
                out.value(&json!({"id": app.id, "roster_count": app.roster_count, "version": app.version}), |_| {
                    format!("申请 {} 的员工花名册已替换为 {} 人（第 {} 版）", app.id, app.roster_count, app.version)
                })
            }
            AppCmd::Submit { id, expect_version } => {
                let a = cx.actor(false)?;
                let app = cx.core.app_submit(&a, id, expect_version, now)?;
                out.app(&app)
            }
            AppCmd::Withdraw { id } => {
                let a = cx.actor(false)?;
                let app = cx.core.app_withdraw(&a, id, now)?;
                out.app(&app)
            }
            AppCmd::Show { id, roster } => {
                let a = cx.actor(false)?;
                let app = cx.core.app_show(&a, id, now)?;
                if roster {
                    let r = cx.core.app_roster(&a, id, Some(500), None)?;
                    out.app_with_roster(&app, &r)
                } else {
                    out.app(&app)
                }
            }
            AppCmd::List {
                state,
                division,
                department,
                firm,
                page,
            } => {
                let a = cx.actor(false)?;
                let f = AppFilter {
                    state,
                    division,
                    department,
                    firm,
                    limit: page.limit,
                    offset: page.offset,
                };
                let r = cx.core.app_list(&a, &f)?;
                out.table(
                    &r,
                    &[
                        "id",
                        "firm_name",
                        "credit_code",
                        "state",
                        "category",
                        "planned_date",
                        "planned_headcount",
                        "approved_headcount",
                    ],
                )
            }
            AppCmd::Versions { id } => {
                let a = cx.actor(false)?;
                let r = cx.core.app_versions(&a, id)?;
                out.table(&r, &["submission_no", "submitted_at", "submitted_by"])
            }
            AppCmd::Diff { id, from, to } => {
                let a = cx.actor(false)?;
                let d = cx.core.app_diff(&a, id, from, to)?;
                out.diff(&d)
            }
            AppCmd::Export { id, out: file } => packages::export(&mut cx, id, &file, out),
            AppCmd::Import { file } => packages::import(&mut cx, &file, out),
            AppCmd::Attach { id, file, name } => packages::attach(&mut cx, id, &file, name, out),
            AppCmd::Attachments { id } => packages::attachments(&mut cx, id, out),
            AppCmd::Attachment {
                id,
                name,
                out: file,
            } => packages::attachment(&mut cx, id, &name, &file, out),
            AppCmd::Detach { id, name } => packages::detach(&mut cx, id, &name, out),
            AppCmd::Reveal { id } => {
                let a = cx.actor(false)?;
                let r = cx.core.app_roster_reveal(&a, id, now)?;
                out.table(
                    &r,
                    &[
                        "name",
                        "id_number",
                        "phone",
                        "post",
                        "from_elsewhere",
                        "from_region",
                        "health",
                    ],
                )
            }
        },
        Cmd::Review(c) => match c {
            ReviewCmd::Queue {
                pending,
                overdue,
                green,
                category,
                page,
            } => {
                let a = cx.actor(false)?;
                let f = QueueFilter {
                    pending: pending.then_some(true),
                    category,
                    overdue: overdue.then_some(true),
                    green_channel: green.then_some(true),
                    limit: page.limit,
                    offset: page.offset,
                    ..Default::default()
                };
                let r = cx.core.review_queue(&a, &f, now)?;
                // Flagged daily reports come first on screen; the JSON stays the queue's array.
                if !out.json && page.offset.unwrap_or(0) == 0 {
                    out.daily_flags(&cx.core.daily_flags(&a)?);
                }
                out.queue(&r)
            }
            ReviewCmd::Decide {
                id,
                approve,
                reject,
                return_: _,
                opinion,
                headcount,
                conditions,
                expect_version,
            } => {
                let verdict = if approve {
                    "approve"
                } else if reject {
                    "reject"
                } else {
                    "return"
                };
                let a = cx.actor(false)?;
                let d = Decision {
                    verdict: verdict.into(),
                    opinion,
                    headcount,
                    conditions,
                    expect_version,
                };
                let app = cx.core.review_decide(&a, id, &d, now)?;
                out.app(&app)
            }
        },
        Cmd::Verify { code_or_number, .. } => {
            let v = cx.core.verify(&code_or_number)?;
            output::verification(&v, out)
        }
        Cmd::Cert(c) => certs::run(&mut cx, c, out),
        Cmd::Daily(c) => daily::run(&mut cx, c, out),
        Cmd::Stats(a) => stats::run(&mut cx, a, out),
        Cmd::Form(FormCmd::Print {
            id,
            kind,
            out: file,
        }) => forms::print(&mut cx, id, kind, &file, out),
        Cmd::Audit(c) => match c {
            AuditCmd::Log { record, page } => {
                let a = cx.actor(false)?;
                let r = cx
                    .core
                    .audit_log(&a, record.as_deref(), page.limit, page.offset)?;
                out.table(&r, &["seq", "at", "actor_name", "role", "action", "record"])
            }
            AuditCmd::Verify { anchor } => certs::audit_verify(&mut cx, anchor.as_ref(), out),
            AuditCmd::Anchor { out: file } => certs::audit_anchor(&mut cx, &file, out),
        },
        Cmd::Dept(c) => match c {
            DeptCmd::List { division } => {
                cx.actor(false)?;
                let r = cx.core.department_list(division.as_deref())?;
                out.table(&r, &["code", "name", "active"])
            }
            DeptCmd::Set { code, name, active } => {
                let a = cx.actor(false)?;
                let r = cx
                    .core
                    .department_set(&a, &code, name.as_deref(), active, now)?;
                out.value(&r, |r| {
                    format!(
                        "{} {} {}",
                        r.code,
                        r.name,
                        if r.active { "在用" } else { "停用" }
                    )
                })
            }
        },
        Cmd::Routing(c) => match c {
            RoutingCmd::List => {
                cx.actor(false)?;
                let r = cx.core.routing_list()?;
                out.table(&r, &["industry", "section", "name", "department_kind"])
            }
            RoutingCmd::Set { industry, kind } => {
                let a = cx.actor(false)?;
                let r = cx.core.routing_set(&a, &industry, &kind, now)?;
                out.value(&r, |r| {
                    format!(
                        "行业 {} {} → {}",
                        r.industry,
                        r.name,
                        r.department_kind.clone().unwrap_or_default()
                    )
                })
            }
        },
        Cmd::Workflow(c) => match c {
            WorkflowCmd::Show { division } => {
                cx.actor(false)?;
                let r = cx.core.workflow_get(&division)?;
                out.json_or_pretty(&r)
            }
            WorkflowCmd::Set { division, file } => {
                let v = read_json(&file)?;
                let cfg: WorkflowConfig = serde_json::from_value(v).map_err(|e| {
                    Error::field(
                        "file",
                        t!(
                            format!("流程配置格式错误：{e}"),
                            format!("bad workflow document: {e}")
                        ),
                    )
                })?;
                let a = cx.actor(false)?;
                let r = cx.core.workflow_set(&a, &division, &cfg, now)?;
                out.json_or_pretty(&r)
            }
        },
        Cmd::Policy(c) => match c {
            PolicyCmd::Show => {
                cx.actor(false)?;
                let r = cx.core.policy()?;
                out.json_or_pretty(&r)
            }
            PolicyCmd::Set { file } => {
                let text = String::from_utf8(read_file(&file)?).map_err(|_| {
                    Error::field(
                        "file",
                        t!("文件不是 UTF-8 文本", "the file is not UTF-8 text"),
                    )
                })?;
                let a = cx.actor(false)?;
                let r = cx.core.policy_set(&a, &text, now)?;
                out.json_or_pretty(&r)
            }
        },
        Cmd::RosterKey(RosterKeyCmd::New { .. }) => Ok(()),
        Cmd::RosterKey(RosterKeyCmd::Seal) => {
            let Some(path) = std::env::var_os("REOPEN_KEY_FILE").filter(|p| !p.is_empty()) else {
                return Err(Error::field(
                    "REOPEN_KEY_FILE",
                    t!(
                        "请用环境变量 REOPEN_KEY_FILE 指定密钥文件（reopen roster-key new --out 文件 生成）",
                        "give the key file in env REOPEN_KEY_FILE (make one with reopen roster-key new --out FILE)"
                    ),
                ));
            };
            let key = RosterKey::read(std::path::Path::new(&path))?;
            let a = cx.actor(false)?;
            let r = cx.core.roster_seal(&a, &key, now)?;
            out.value(&r, |r| {
                format!(
                    "已加密花名册 {} 行、提交记录 {} 份（密钥指纹 {}）",
                    r.roster_rows, r.submissions, r.fingerprint
                )
            })
        }
        Cmd::Retention(RetentionCmd::Purge {
            older_than,
            dry_run,
        }) => {
            let a = cx.actor(false)?;
            let r = cx.core.retention_purge(&a, older_than, dry_run, now)?;
            out.value(&r, |r| {
                format!(
                    "{}{} 件已结案申请（结案早于 {}）：花名册 {} 行，提交记录 {} 份，每日报告 {} 份，附件 {} 个",
                    if r.dry_run { "将清理 " } else { "已清理 " },
                    r.applications.len(),
                    r.cutoff,
                    r.roster_rows,
                    r.submissions,
                    r.daily_reports,
                    r.attachments
                )
            })
        }
        Cmd::Backup { file } => {
            let a = cx.actor(false)?;
            cx.core.backup(&a, &file, now)?;
            out.value(&json!({"backup": file.display().to_string()}), |_| {
                format!("已备份到 {}", file.display())
            })
        }
        Cmd::Restore { file } => {
            let a = cx.actor(false)?;
            let r = cx.core.restore(&a, &file, now)?;
            out.value(&r, |r| {
                format!(
                    "已从 {} 恢复：完整性 {}，操作日志 {} 条校验通过",
                    file.display(),
                    r.integrity,
                    r.audit.events
                )
            })
        }
    }
}

/// What a PostgreSQL database does not do through this program, said before anything is opened.
fn refuse_on_postgres(cmd: &Cmd) -> Result<(), Error> {
    let why = match cmd {
        Cmd::Backup { .. } | Cmd::Restore { .. } => t!(
            "PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（见 README 的“On PostgreSQL”一节）",
            "back up a PostgreSQL database with pg_dump and restore it with pg_restore (README, On PostgreSQL)"
        ),
        Cmd::Init { demo: true, .. } => t!(
            "演示数据库请先建在本机数据库文件中，再用 reopen migrate 迁入 PostgreSQL",
            "make a demo database as a file first, then move it with reopen migrate"
        ),
        Cmd::Init { firm: Some(_), .. } => t!(
            "企业自用模式只用本机数据库文件",
            "firm mode uses a database file on the firm's own PC"
        ),
        _ => return Ok(()),
    };
    Err(Error::field("db", why))
}

/// `reopen migrate --to postgres://…`: the schema migrations the database lacks, as its owner.
fn migrate_schema(to: &str, out: &mut Out) -> Result<(), Error> {
    use reopen_core::store::pg;
    if !pg::is_url(to) {
        return Err(Error::field(
            "to",
            t!(
                "迁移目标须是 PostgreSQL 连接地址（postgres://…）",
                "the target of a migration is a PostgreSQL URL (postgres://…)"
            ),
        ));
    }
    let db = pg::connect(to)?;
    let applied = pg::migrate(&db)?;
    let doc = json!({"to": pg::redacted(to), "applied": applied, "version": pg::latest_version()});
    out.value(&doc, |v| {
        format!(
            "数据库 {} 的结构已是版本 {}（本次应用 {} 个迁移）",
            v["to"].as_str().unwrap_or_default(),
            v["version"],
            v["applied"]
        )
    })
}

/// `reopen migrate --from FILE.db --to postgres://…`, as the source database's administrator.
fn migrate(
    cli: &Cli,
    from: &std::path::Path,
    to: &str,
    now: DateTime<Utc>,
    out: &mut Out,
) -> Result<(), Error> {
    if !from.exists() {
        return Err(Error::not_found(t!(
            format!("数据库 {} 不存在", from.display()),
            format!("no database at {}", from.display())
        )));
    }
    let core = match &cli.keys {
        Some(keys) => Reopen::open_with_keys(from, keys)?,
        None => Reopen::open(from)?,
    };
    let mut cx = Ctx {
        core,
        user: cli.user.clone(),
        now,
    };
    let actor = cx.actor(false)?;
    let report = cx.core.migrate_to_postgres(&actor, to, now)?;
    let rows: u64 = report.iter().map(|t| t.rows).sum();
    let doc = json!({"from": from.display().to_string(), "to": reopen_core::store::pg::redacted(to), "tables": report, "rows": rows});
    out.value(&doc, |v| {
        format!(
            "已将 {} 迁入 {}：{} 张表，共 {} 行",
            v["from"].as_str().unwrap_or_default(),
            v["to"].as_str().unwrap_or_default(),
            v["tables"].as_array().map_or(0, Vec::len),
            v["rows"]
        )
    })
}

fn main() -> ExitCode {
    let lang = lang();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind as K;
            let help = matches!(
                e.kind(),
                K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if help || !std::env::args().any(|a| a == "--json") {
                e.exit();
            }
            // cli.md: with --json every error, usage errors included, is one JSON document.
            let doc = json!({"error": {"kind": "validation", "message": e.to_string().trim(), "fields": []}});
            eprintln!("{doc}");
            return ExitCode::from(2);
        }
    };
    let mut out = Out {
        json: cli.json,
        lang,
        stdout: String::new(),
        categories: Default::default(),
    };
    let result = run(cli, &mut out);
    print!("{}", out.stdout);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if out.json {
                eprintln!("{}", e.to_json(lang));
            } else {
                eprintln!(
                    "{} {}",
                    if lang == Lang::En {
                        "error:"
                    } else {
                        "错误："
                    },
                    e.message.get(lang)
                );
                for f in &e.fields {
                    eprintln!("  - {}: {}", f.field, f.message.get(lang));
                }
            }
            ExitCode::from(e.kind.exit_code() as u8)
        }
    }
}

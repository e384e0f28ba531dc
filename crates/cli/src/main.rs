//! `reopen`: the command-line shell over reopen-core, exactly as `shared/design/cli.md` fixes it.

mod certs;
mod cmd;
mod ctx;
mod daily;
mod forms;
mod output;
mod packages;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use reopen_core::error::{Error, Lang};
use reopen_core::keys::RosterKey;
use reopen_core::{api, t, Reopen};
use serde_json::{json, Value};

use cmd::admin::{AuditCmd, DeptCmd, PolicyCmd, RetentionCmd, RoutingCmd, WorkflowCmd};
use cmd::{apps::AppCmd, firms::FirmCmd, local, review::ReviewCmd, users::UserCmd};
use ctx::{Backend, Ctx};
use output::Out;

/// See the workspace's Cargo.toml: a server must give back what a burst of logins took.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Send every user command to this server (`reopen serve`, https://host:port) instead of
    /// opening a database here
    #[arg(long, global = true, env = "REOPEN_SERVER")]
    server: Option<String>,
    /// The server's certificate fingerprint (SHA-256); without it the one seen at the first
    /// connection is remembered (REOPEN_KNOWN_SERVERS, default: the per-user config directory)
    #[arg(long, global = true, env = "REOPEN_SERVER_FINGERPRINT")]
    server_fingerprint: Option<String>,
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
    /// The city's server: the same use cases over HTTPS for the desktop apps and this command
    /// (--server), on the database given by --db (a PostgreSQL URL)
    Serve(local::ServeArgs),
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

#[derive(Args, Clone, Copy)]
pub(crate) struct Page {
    #[arg(long)]
    pub(crate) limit: Option<u32>,
    #[arg(long)]
    pub(crate) offset: Option<u32>,
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

pub(crate) fn env_password(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|s| !s.is_empty())
}

/// The file where servers trusted on first use are remembered.
fn known_servers() -> PathBuf {
    match std::env::var_os("REOPEN_KNOWN_SERVERS").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => directories::ProjectDirs::from("cn.gov.yaan", "Yaan", "Reopen")
            .map(|d| d.config_dir().join("known_servers"))
            .unwrap_or_else(|| PathBuf::from("reopen_known_servers")),
    }
}

/// Opens where the command runs: the server of `--server`, else the database of `--db`.
fn open(cli: &Cli, db: &std::path::Path, url: Option<&str>, out: &Out) -> Result<Backend, Error> {
    if let Some(server) = &cli.server {
        let trust = match &cli.server_fingerprint {
            Some(f) => reopen_client::Trust::Fingerprint(f.clone()),
            None => reopen_client::Trust::KnownServers(known_servers()),
        };
        let remote = reopen_client::Remote::new(server, trust, out.lang)?;
        return Ok(Backend::Remote(Box::new(remote)));
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
    let mut core = match (url, &cli.keys) {
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
        (None, Some(keys)) => Reopen::open_with_keys(db, keys)?,
        (None, None) => Reopen::open(db)?,
    };
    // The key that seals rosters lives outside the database file.
    if let Some(path) = std::env::var_os("REOPEN_KEY_FILE").filter(|p| !p.is_empty()) {
        core.set_roster_key(RosterKey::read(std::path::Path::new(&path))?)?;
    }
    Ok(Backend::Local(Box::new(core)))
}

fn run(cli: Cli, out: &mut Out) -> Result<(), Error> {
    let now = now()?;
    // What needs no database.
    match &cli.cmd {
        Cmd::Check { kind, values } => return output::check(kind, values, now, out),
        Cmd::Verify {
            code_or_number,
            public_key: Some(key),
        } => {
            let key = String::from_utf8(read_file(key)?).unwrap_or_default();
            let v = reopen_core::service::verify_offline(code_or_number, &key)?;
            return certs::offline_verification(&v, out);
        }
        Cmd::RosterKey(RosterKeyCmd::New { out: file }) => return local::roster_key_new(file, out),
        Cmd::Migrate { from, to } => {
            return match from {
                Some(from) => local::migrate(&cli, from, to, now, out),
                None => local::migrate_schema(to, out),
            };
        }
        Cmd::Serve(a) => return local::serve(&cli, a, out),
        _ => {}
    }
    let db = cli.db.clone().unwrap_or_else(default_db);
    let url = db
        .to_str()
        .filter(|d| reopen_core::store::pg::is_url(d))
        .map(str::to_string);
    if url.is_some() && cli.server.is_none() {
        local::refuse_on_postgres(&cli.cmd)?;
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
        if cli.server.is_none() && url.is_none() && !db.exists() {
            let pw = env_password("REOPEN_PASSWORD");
            let admin_pair = local::init_admin(admin.as_deref(), pw.as_deref())?;
            let scale = scale.as_deref().unwrap_or("small");
            let (report, d) = reopen_core::service::demo::create_new(
                &db,
                cli.keys.as_deref(),
                admin_pair,
                scale,
                now,
            )?;
            let doc = json!({"database": db.display().to_string(), "init": report, "demo": d});
            return out.init(&doc);
        }
    }
    let backend = open(&cli, &db, url.as_deref(), out)?;
    let mut cx = Ctx::new(backend, cli.user.clone(), now);
    let r = categories(&mut cx, &cli.cmd, out).and_then(|_| dispatch(&mut cx, cli.cmd, &db, out));
    cx.finish();
    r
}

/// The names of the application categories, for the human tables (the policy's).
fn categories(cx: &mut Ctx, cmd: &Cmd, out: &mut Out) -> Result<(), Error> {
    let policy = match &mut cx.backend {
        Backend::Local(core) => core.policy().ok(),
        Backend::Remote(_) if !out.json && matches!(cmd, Cmd::App(_) | Cmd::Review(_)) => {
            Some(cx.call(api::PolicyGet {})?)
        }
        Backend::Remote(_) => None,
    };
    out.categories = policy
        .map(|p| p.categories.into_iter().collect())
        .unwrap_or_default();
    Ok(())
}

fn dispatch(cx: &mut Ctx, cmd: Cmd, db: &std::path::Path, out: &mut Out) -> Result<(), Error> {
    match cmd {
        Cmd::Check { .. } | Cmd::Migrate { .. } | Cmd::Serve(_) => Ok(()),
        Cmd::RosterKey(RosterKeyCmd::New { .. }) => Ok(()),
        Cmd::Init {
            firm: Some(firm),
            firm_user: Some(user),
            ..
        } => packages::init_firm_mode(cx, db, &firm, &user, out),
        Cmd::Init {
            demo, scale, admin, ..
        } => local::init(cx, db, demo, scale.as_deref(), admin.as_deref(), out),
        Cmd::User(c) => cmd::users::run(cx, c, out),
        Cmd::Firm(c) => cmd::firms::run(cx, c, out),
        Cmd::App(c) => cmd::apps::run(cx, c, out),
        Cmd::Review(c) => cmd::review::run(cx, c, out),
        Cmd::Verify { code_or_number, .. } => {
            let v = match &mut cx.backend {
                Backend::Local(core) => core.verify(&code_or_number)?,
                Backend::Remote(remote) => remote.verify(&code_or_number)?,
            };
            output::verification(&v, out)
        }
        Cmd::Cert(c) => certs::run(cx, c, out),
        Cmd::Daily(c) => daily::run(cx, c, out),
        Cmd::Stats(a) => stats::run(cx, a, out),
        Cmd::Form(FormCmd::Print {
            id,
            kind,
            out: file,
        }) => forms::print(cx, id, kind, &file, out),
        Cmd::Audit(c) => cmd::admin::audit(cx, c, out),
        Cmd::Dept(c) => cmd::admin::dept(cx, c, out),
        Cmd::Routing(c) => cmd::admin::routing(cx, c, out),
        Cmd::Workflow(c) => cmd::admin::workflow(cx, c, out),
        Cmd::Policy(c) => cmd::admin::policy(cx, c, out),
        Cmd::RosterKey(RosterKeyCmd::Seal) => local::roster_key_seal(cx, out),
        Cmd::Retention(c) => cmd::admin::retention(cx, c, out),
        Cmd::Backup { file } => local::backup(cx, &file, out),
        Cmd::Restore { file } => local::restore(cx, &file, out),
    }
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
                // Full-width ： after Chinese carries its own space; the English colon wants one.
                let (head, colon) = if lang == Lang::En {
                    ("error: ", ": ")
                } else {
                    ("错误：", "：")
                };
                eprintln!("{head}{}", e.message.get(lang));
                for f in &e.fields {
                    eprintln!("  - {}{colon}{}", f.field, f.message.get(lang));
                }
            }
            ExitCode::from(e.kind.exit_code() as u8)
        }
    }
}

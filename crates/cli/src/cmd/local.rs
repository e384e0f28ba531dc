//! What runs only on a database here, never through a server: creating one (`init`), backup
//! and restore of a file, sealing rosters with a key file, moving a file onto PostgreSQL
//! (`migrate`), and the server itself (`serve`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use reopen_core::error::Error;
use reopen_core::keys::RosterKey;
use reopen_core::{t, Reopen};
use serde_json::json;

use crate::ctx::{Backend, Ctx};
use crate::output::Out;
use crate::{env_password, Cli, Cmd};

/// The first administrator of `init`: --admin NAME with its password from REOPEN_PASSWORD.
pub fn init_admin<'a>(
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

/// `reopen init [--demo [--scale …]] [--admin NAME]` on the open database.
pub fn init(
    cx: &mut Ctx,
    db: &Path,
    demo: bool,
    scale: Option<&str>,
    admin: Option<&str>,
    out: &mut Out,
) -> Result<(), Error> {
    let now = cx.now;
    let pw = env_password("REOPEN_PASSWORD");
    let admin_pair = init_admin(admin, pw.as_deref())?;
    let core = cx.local()?;
    let report = core.init(admin_pair, now)?;
    let mut doc = json!({"database": db.display().to_string(), "init": report});
    if demo {
        let d = reopen_core::service::demo::generate(core, scale.unwrap_or("small"), now)?;
        doc["demo"] = serde_json::to_value(&d)?;
    }
    out.init(&doc)
}

/// `reopen roster-key new --out FILE`.
pub fn roster_key_new(file: &Path, out: &mut Out) -> Result<(), Error> {
    let key = RosterKey::generate();
    crate::certs::write_new(file, format!("{}\n", key.to_hex()).as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            Error::field(
                "out",
                t!(
                    format!("无法设置密钥文件权限：{e}"),
                    format!("cannot restrict the key file: {e}")
                ),
            )
        })?;
    }
    out.value(&json!({"file": file.display().to_string(), "fingerprint": key.fingerprint()}), |v| {
        format!(
            "已生成密钥文件 {}（指纹 {}），请妥善保管在数据库以外的位置；丢失密钥将无法读取加密的花名册",
            v["file"].as_str().unwrap_or_default(),
            v["fingerprint"].as_str().unwrap_or_default()
        )
    })
}

/// `reopen roster-key seal` with the key in REOPEN_KEY_FILE.
pub fn roster_key_seal(cx: &mut Ctx, out: &mut Out) -> Result<(), Error> {
    let Some(path) = std::env::var_os("REOPEN_KEY_FILE").filter(|p| !p.is_empty()) else {
        return Err(Error::field(
            "REOPEN_KEY_FILE",
            t!(
                "请用环境变量 REOPEN_KEY_FILE 指定密钥文件（reopen roster-key new --out 文件 生成）",
                "give the key file in env REOPEN_KEY_FILE (make one with reopen roster-key new --out FILE)"
            ),
        ));
    };
    let key = RosterKey::read(Path::new(&path))?;
    cx.local()?;
    let a = cx.actor(false)?;
    let now = cx.now;
    let r = cx.local()?.roster_seal(&a, &key, now)?;
    out.value(&r, |r| {
        format!(
            "已加密花名册 {} 行、提交记录 {} 份（密钥指纹 {}）",
            r.roster_rows, r.submissions, r.fingerprint
        )
    })
}

pub fn backup(cx: &mut Ctx, file: &Path, out: &mut Out) -> Result<(), Error> {
    cx.local()?;
    let a = cx.actor(false)?;
    let now = cx.now;
    cx.local()?.backup(&a, file, now)?;
    out.value(&json!({"backup": file.display().to_string()}), |_| {
        format!("已备份到 {}", file.display())
    })
}

pub fn restore(cx: &mut Ctx, file: &Path, out: &mut Out) -> Result<(), Error> {
    cx.local()?;
    let a = cx.actor(false)?;
    let now = cx.now;
    let r = cx.local()?.restore(&a, file, now)?;
    out.value(&r, |r| {
        format!(
            "已从 {} 恢复：完整性 {}，操作日志 {} 条校验通过",
            file.display(),
            r.integrity,
            r.audit.events
        )
    })
}

/// What a PostgreSQL database does not do through this program, said before anything is opened.
pub fn refuse_on_postgres(cmd: &Cmd) -> Result<(), Error> {
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
pub fn migrate_schema(to: &str, out: &mut Out) -> Result<(), Error> {
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
pub fn migrate(
    cli: &Cli,
    from: &Path,
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
    let mut cx = Ctx::new(Backend::Local(Box::new(core)), cli.user.clone(), now);
    let actor = cx.actor(false)?;
    let report = cx.local()?.migrate_to_postgres(&actor, to, now)?;
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

/// The arguments of `reopen serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed at start)
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// The certificate chain (PEM); without it a self-signed one is made in KEYS/tls/
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The address the public reaches this server at (https://…): printed certificates' QR codes
    /// then open its check page on a phone
    #[arg(long)]
    public_url: Option<String>,
    /// Database connections (requests served at once)
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=200))]
    connections: u16,
}

/// `reopen serve`: runs until SIGTERM or Ctrl-C.
pub fn serve(cli: &Cli, a: &ServeArgs, out: &mut Out) -> Result<(), Error> {
    #[cfg(unix)]
    purge_in_small_units();
    let db = cli
        .db
        .clone()
        .unwrap_or_else(crate::default_db)
        .to_string_lossy()
        .to_string();
    let keys = match (&cli.keys, reopen_core::store::pg::is_url(&db)) {
        (Some(k), _) => k.clone(),
        (None, false) => reopen_core::keys::KeyStore::beside(Path::new(&db)),
        (None, true) => {
            return Err(Error::field(
                "keys",
                t!(
                    "PostgreSQL 数据库的密钥目录须用 --keys 或环境变量 REOPEN_KEYS_DIR 指定",
                    "a PostgreSQL database needs its key directory: --keys or REOPEN_KEYS_DIR"
                ),
            ))
        }
    };
    let training = match std::env::var("REOPEN_NOW") {
        Ok(v) if !v.trim().is_empty() => Some(crate::now()?),
        _ => None,
    };
    let cfg = reopen_server::Config {
        db,
        keys,
        listen: a.listen,
        tls: a.tls_cert.clone().zip(a.tls_key.clone()),
        connections: a.connections.into(),
        training,
        grace: std::time::Duration::from_secs(30),
        public_url: a.public_url.clone(),
    };
    // Structured logs on stderr (RUST_LOG filters them; info by default): requests with their
    // operation, status, time and client address, never a token or a password.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let json = out.json;
    reopen_server::run(cfg, |s| {
        // Said at once (not at exit): scripts and the operator read it while the server runs.
        let doc = json!({"listening": format!("https://{}", s.addr), "fingerprint": s.fingerprint,
            "created_certificate": s.created_certificate.as_ref().map(|p| p.display().to_string())});
        if json {
            println!("{doc}");
        } else {
            println!("复工复产审批服务已启动：https://{}", s.addr);
            println!("服务器指纹（SHA-256）：{}", s.fingerprint);
            if let Some(p) = &s.created_certificate {
                println!(
                    "已生成自签名的服务器证书 {}，客户端首次连接时请核对上面的服务器指纹",
                    p.display()
                );
            }
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
    })
}

/// mimalloc (the global allocator) gives memory back to the system only in whole 2 MiB units
/// while transparent huge pages are allowed, so a server kept what its busiest moment took: the
/// load test peaked at 143-158 MB, and at 56-73 MB with `MIMALLOC_ALLOW_THP=0`, under which it
/// purges in 64 KiB units with the same latencies (docs/benchmarks.md). The allocator reads its
/// options from the environment as the process starts, so `serve` starts itself again with that
/// set (the same process, arguments and descriptors) unless the environment already says. Should
/// the exec fail, the server goes on as it is.
#[cfg(unix)]
fn purge_in_small_units() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let e = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("MIMALLOC_ALLOW_THP", "0")
        .exec();
    eprintln!("reopen serve: cannot restart with MIMALLOC_ALLOW_THP=0 ({e}); going on");
}

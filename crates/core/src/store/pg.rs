//! PostgreSQL: connecting (TLS unless the server is on a Unix socket or the URL says
//! `sslmode=disable`), the numbered migrations applied atomically under an advisory lock, and the
//! schema as the catalogue reports it (the snapshot test).
//!
//! Two roles (ARCHITECTURE.md): the schema's owner runs `reopen migrate` (it creates and alters
//! tables); the application's role, which `reopen serve` and the clients use, is granted only
//! SELECT, INSERT, UPDATE and DELETE, so it can change no table, trigger or function.

use std::str::FromStr;
use std::time::Duration;

use super::db::{Db, Pg};
use crate::error::{Error, Result};
use crate::t;

/// Numbered migrations. Never edit a released one; add the next.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/postgres/001_schema.sql")),
    (2, include_str!("migrations/postgres/002_firm_search.sql")),
    (
        3,
        include_str!("migrations/postgres/003_firm_search_fastupdate.sql"),
    ),
    (4, include_str!("migrations/postgres/004_sessions.sql")),
    (5, include_str!("migrations/postgres/005_message_reads.sql")),
    (6, include_str!("migrations/postgres/006_audit_client.sql")),
];

/// The key of the advisory lock migrations hold: two processes starting on a new database do not
/// both create the schema.
const MIGRATE_LOCK: i64 = 0x5245_4f50_4d49; // "REOPMI"

/// Whether a database argument names a PostgreSQL database (a URL) rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Connects to the database at `url` (`postgres://user:password@host:port/dbname?…`, libpq's
/// form; `host=/path` for a Unix socket).
pub fn connect(url: &str) -> Result<Pg> {
    let mut config = postgres::Config::from_str(url).map_err(|e| {
        Error::field(
            "db",
            t!(
                format!("PostgreSQL 连接地址无效：{e}"),
                format!("not a valid PostgreSQL URL: {e}")
            ),
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("reopen");
    let local = config
        .get_hosts()
        .iter()
        .all(|h| matches!(h, postgres::config::Host::Unix(_)));
    let plain = local || config.get_ssl_mode() == postgres::config::SslMode::Disable;
    let client = if plain {
        config.connect(postgres::NoTls)
    } else {
        config.connect(tls()?)
    }
    .map_err(|e| connect_error(url, e))?;
    let pg = Pg::new(client);
    // Every statement is planned with its arguments: a generic plan cannot use the trigram index
    // for `name LIKE '%' || $1 || '%'` nor a partial index whose condition an argument decides,
    // and the store's statements are cheap to plan.
    Db::Postgres(&pg).batch("SET plan_cache_mode = force_custom_plan")?;
    Ok(pg)
}

fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        // A certificate the system store holds but rustls cannot parse is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    // ring (pure Rust and assembly, no C toolchain like aws-lc needs); its provider is marked
    // deprecated only for lacking post-quantum key exchange, which PostgreSQL servers do not offer.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Why a connection failed, in words an administrator acts on.
fn connect_error(url: &str, e: postgres::Error) -> Error {
    use postgres::error::SqlState;
    let target = redacted(url);
    let code = e.code().cloned();
    let (zh, en) = match code {
        Some(c)
            if c == SqlState::INVALID_PASSWORD
                || c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            (
                "用户名或密码错误".to_string(),
                "wrong user name or password".to_string(),
            )
        }
        Some(c) if c == SqlState::INVALID_CATALOG_NAME => (
            "数据库不存在，请先由数据库管理员创建".to_string(),
            "the database does not exist: have the database administrator create it".to_string(),
        ),
        _ => (format!("{e}"), format!("{e}")),
    };
    Error::unavailable(t!(
        format!("无法连接 PostgreSQL 数据库 {target}：{zh}"),
        format!("cannot connect to the PostgreSQL database {target}: {en}")
    ))
}

/// The newest schema version this program knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// The database's schema version (0: no schema yet).
pub fn version(db: Db<'_>) -> Result<i64> {
    let exists: Option<String> = db.one(
        "SELECT CAST(to_regclass('schema_migrations') AS TEXT)",
        crate::args![],
    )?;
    if exists.is_none() {
        return Ok(0);
    }
    Ok(db
        .one::<Option<i64>>("SELECT max(version) FROM schema_migrations", crate::args![])?
        .unwrap_or(0))
}

/// Applies the migrations the database lacks, all in one transaction under the migration lock;
/// the number applied. A database of a newer version than this program is refused unchanged.
pub fn migrate(pg: &Pg) -> Result<usize> {
    let db = Db::Postgres(pg);
    db.batch("BEGIN")?;
    let result = (|| {
        db.batch(&format!("SELECT pg_advisory_xact_lock({MIGRATE_LOCK})"))?;
        let current = version(db)?;
        let latest = latest_version();
        if current > latest {
            return Err(newer(current, latest));
        }
        if current == 0 {
            db.batch("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY)")
                .map_err(not_owner)?;
        }
        let mut applied = 0;
        for (v, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            db.batch(sql).map_err(not_owner)?;
            db.exec(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                crate::args![*v],
            )?;
            applied += 1;
        }
        Ok(applied)
    })();
    match result {
        Ok(n) => {
            db.batch("COMMIT")?;
            Ok(n)
        }
        Err(e) => {
            let _ = db.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Checks, without changing anything, that the schema is this program's (for a role that may not
/// migrate): behind is "run reopen migrate", ahead is "upgrade the program".
pub fn check_version(db: Db<'_>) -> Result<()> {
    let current = version(db)?;
    let latest = latest_version();
    if current > latest {
        return Err(newer(current, latest));
    }
    if current < latest {
        return Err(Error::unavailable(t!(
            format!("数据库结构版本为 {current}，本程序需要 {latest}：请由数据库所有者运行 reopen migrate"),
            format!("the database schema is version {current} and this program needs {latest}: have the schema owner run reopen migrate")
        )));
    }
    Ok(())
}

fn newer(current: i64, latest: i64) -> Error {
    Error::unavailable(t!(
        format!("数据库结构版本为 {current}，比本程序所知的 {latest} 新：请升级本程序"),
        format!("the database schema is version {current}, newer than this program's {latest}: upgrade the program")
    ))
}

fn not_owner(e: Error) -> Error {
    if e.message.en.contains("42501") {
        return Error::forbidden(t!(
            "当前数据库用户无权修改数据库结构：请由数据库所有者运行 reopen migrate",
            "this database user may not change the schema: have the schema owner run reopen migrate"
        ));
    }
    e
}

/// The schema as PostgreSQL's catalogue reports it, sorted: tables with their columns,
/// constraints, indexes, triggers and the product's functions. The snapshot test compares it with
/// a committed file.
pub fn schema_sql(db: Db<'_>) -> Result<String> {
    let mut out = String::new();
    let columns = db.rows(
        "SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, ''),
                COALESCE(generation_expression, '')
         FROM information_schema.columns WHERE table_schema = 'public'
         ORDER BY table_name, ordinal_position",
        crate::args![],
        |r| {
            Ok(format!(
                "-- column {}.{} {}{}{}{}\n",
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                if r.get::<String>(3)? == "NO" {
                    " NOT NULL"
                } else {
                    ""
                },
                match r.get::<String>(4)? {
                    d if d.is_empty() => String::new(),
                    d => format!(" DEFAULT {d}"),
                },
                match r.get::<String>(5)? {
                    g if g.is_empty() => String::new(),
                    g => format!(" GENERATED {g}"),
                },
            ))
        },
    )?;
    out.extend(columns);
    let mut rest = db.rows(
        "SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         UNION ALL
         SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
         UNION ALL
         SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
           JOIN pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
         UNION ALL
         SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'reopen_%'",
        crate::args![],
        |r| r.get::<String>(0),
    )?;
    rest.sort();
    for r in rest {
        out.push_str("-- ");
        out.push_str(r.trim());
        out.push('\n');
    }
    Ok(out)
}

/// `url` naming the database `name` instead.
pub fn with_dbname(url: &str, name: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let query = url[start..].find('?').map_or(url.len(), |i| start + i);
    let path = url[start..query].find('/').map_or(query, |i| start + i);
    format!("{}/{}{}", &url[..path], name, &url[query..])
}

/// For tests and benchmarks: a new, empty database at this program's schema on the cluster that
/// `admin_url` reaches with a role that may create databases; its URL. It is copied from a
/// template database migrated once per schema (named after a digest of the migrations), which is
/// much faster than migrating each new database.
pub fn create_test_database(admin_url: &str) -> Result<String> {
    use sha2::Digest;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut digest = sha2::Sha256::new();
    for (v, sql) in MIGRATIONS {
        digest.update(v.to_le_bytes());
        digest.update(sql.as_bytes());
    }
    let template = format!("reopen_template_{}", &hex::encode(digest.finalize())[..12]);
    let admin = connect(admin_url)?;
    let db = Db::Postgres(&admin);
    db.batch(&format!("SELECT pg_advisory_lock({MIGRATE_LOCK})"))?;
    let made = (|| -> Result<()> {
        let exists: Option<i64> = db.first(
            "SELECT 1 FROM pg_database WHERE datname = ?1",
            crate::args![template],
        )?;
        if exists.is_none() {
            db.batch(&format!("CREATE DATABASE {template}_new"))?;
            {
                let t = connect(&with_dbname(admin_url, &format!("{template}_new")))?;
                migrate(&t)?;
            }
            db.batch(&format!(
                "ALTER DATABASE {template}_new RENAME TO {template}"
            ))?;
        }
        Ok(())
    })();
    db.batch(&format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})"))?;
    made?;
    let name = format!(
        "reopen_t_{}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros()),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // Copying a template fails while another session is connected to it (only for a moment,
    // while it was being made): try again briefly.
    let mut tries = 0;
    loop {
        match db.batch(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
        )) {
            Ok(()) => break,
            Err(e) if tries < 50 && e.message.en.contains("being accessed") => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(with_dbname(admin_url, &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_their_passwords() {
        assert!(is_url("postgres://a@b/c"));
        assert!(is_url("postgresql://a@b/c"));
        assert!(!is_url("/var/lib/reopen/reopen.db"));
        assert_eq!(
            redacted("postgres://reopen:s3cret@db.yaan.gov.cn:5432/reopen"),
            "postgres://reopen:***@db.yaan.gov.cn:5432/reopen"
        );
        assert_eq!(redacted("postgres://reopen@h/d"), "postgres://reopen@h/d");
    }

    #[test]
    fn a_url_names_another_database() {
        assert_eq!(
            with_dbname("postgres://a@localhost/postgres?host=/tmp/x", "t1"),
            "postgres://a@localhost/t1?host=/tmp/x"
        );
        assert_eq!(
            with_dbname("postgres://a:b@h:5432", "t1"),
            "postgres://a:b@h:5432/t1"
        );
        assert_eq!(
            with_dbname("postgresql:///db?host=/s", "t2"),
            "postgresql:///t2?host=/s"
        );
    }

    #[test]
    fn a_bad_url_is_a_field_error() {
        let e = connect("postgres://a@b/c?sslmode=sometimes")
            .err()
            .expect("refused");
        assert_eq!(e.kind, crate::ErrorKind::Validation, "{e}");
    }
}

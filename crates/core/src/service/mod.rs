//! Use cases: one public method per thing a user does. Each checks permission, applies the pure
//! domain decision, persists it and appends the audit event in one IMMEDIATE transaction.

mod admin;
mod apps;
mod certs;
mod daily;
pub mod demo;
mod exports;
mod firms;
mod forms;
mod guide;
mod login;
mod messages;
mod migrate;
mod packages;
mod retention;
mod review;
mod sessions;
mod stats;
mod users;
mod workflow;

pub use admin::*;
pub use apps::*;
pub use certs::*;
pub use daily::*;
pub use exports::*;
pub use firms::*;
pub use forms::*;
pub use guide::*;
pub use login::*;
pub use messages::*;
pub use migrate::Health;
pub use packages::*;
pub use retention::*;
pub use review::*;
pub use sessions::*;
pub use stats::*;
pub use users::*;
pub use workflow::*;

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::audit::{self, Who};
use crate::domain::auth::{Actor, Role};
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::store;
use crate::store::Db;
use crate::t;

/// The product's core, bound to one database.
pub struct Reopen {
    conn: store::Conn,
    /// The key directory: the certificate signing key and the audit key (never in the database).
    keys: crate::keys::KeyStore,
    /// Fonts of the printed documents, parsed on first need: names must be printable.
    fonts: std::sync::OnceLock<std::sync::Arc<crate::documents::DocFonts>>,
    /// The roster key given (never in the database) and whether this database needs it.
    sealer: store::seal::Sealer,
    /// The public address of the certificate check page (a server's `--public-url` + `/v`):
    /// printed QR codes then open it on a phone.
    verification_address: Option<String>,
}

pub use crate::time::{local_date, local_time, shanghai_midnight};
pub(crate) use crate::time::{parse_ts, ts};

pub(crate) fn load_policy(conn: Db<'_>) -> Result<Policy> {
    match store::settings::policy(conn)? {
        Some(p) => Ok(p),
        None => Err(Error::not_found(t!(
            "数据库尚未初始化，请先运行 reopen init",
            "the database is not initialised: run reopen init first"
        ))),
    }
}

pub(crate) fn audit(
    tx: Db<'_>,
    actor: &Actor,
    action: &str,
    record: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::append(tx, &actor.who(), action, record, before, after, now).map(|_| ())
}

pub(crate) fn system() -> Who {
    Who {
        id: None,
        name: "system".into(),
        role: "system".into(),
        client: None,
    }
}

/// Limits a page size to something a screen or a script can take.
pub(crate) fn page(limit: Option<u32>, offset: Option<u32>) -> (u32, u32) {
    (limit.unwrap_or(50).clamp(1, 500), offset.unwrap_or(0))
}

impl Reopen {
    /// Opens (creating and migrating if needed) the database at `path`, with its keys in the
    /// default key directory beside it (`<path>.keys/`).
    pub fn open(path: &Path) -> Result<Reopen> {
        Reopen::open_with_keys(path, &crate::keys::KeyStore::beside(path))
    }

    /// Opens the database at `path` with its keys in `key_dir`.
    pub fn open_with_keys(path: &Path, key_dir: &Path) -> Result<Reopen> {
        Reopen::with_keys(
            store::Conn::Sqlite(store::open(path)?),
            crate::keys::KeyStore::at(key_dir),
        )
    }

    /// Opens the database `db` — a PostgreSQL URL (`postgres://…`) or a SQLite file's path — with
    /// its keys in `key_dir`. A PostgreSQL database behind this program's schema is migrated
    /// first (by a role that may; otherwise the error says to run `reopen migrate`); one ahead of
    /// it is refused.
    pub fn open_db(db: &str, key_dir: &Path) -> Result<Reopen> {
        if !store::pg::is_url(db) {
            return Reopen::open_with_keys(Path::new(db), key_dir);
        }
        let pg = store::pg::connect(db)?;
        if store::pg::version(Db::Postgres(&pg))? != store::pg::latest_version() {
            store::pg::migrate(&pg)?;
        }
        Reopen::with_keys(
            store::Conn::Postgres(Box::new(pg)),
            crate::keys::KeyStore::at(key_dir),
        )
    }

    /// The schema as the database engine reports it (diagnostics; the snapshot tests).
    pub fn schema(&self) -> Result<String> {
        store::schema(self.db())
    }

    /// Whether this core's database connection is lost for good (see `Conn::is_closed`).
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// The engine this core's database runs on.
    pub fn engine(&self) -> store::Engine {
        self.conn.engine()
    }

    /// A database in memory, with keys that live as long as it.
    pub fn open_in_memory() -> Result<Reopen> {
        Reopen::with_keys(
            store::Conn::Sqlite(store::open_in_memory()?),
            crate::keys::KeyStore::in_memory(),
        )
    }

    fn with_keys(conn: store::Conn, keys: crate::keys::KeyStore) -> Result<Reopen> {
        let mut core = Reopen {
            conn,
            keys,
            fonts: Default::default(),
            sealer: Default::default(),
            verification_address: None,
        };
        core.sealer = store::seal::Sealer::for_database(core.db())?;
        certs::adopt_keys(&mut core)?;
        Ok(core)
    }

    /// The database itself, for tests and benchmarks that look behind the use cases (tamper with
    /// a table, count rows, read a plan). Only with the `test-support` feature: the app, the CLI
    /// and a server reach the database through the use cases alone.
    #[cfg(feature = "test-support")]
    pub fn raw(&self) -> Db<'_> {
        self.conn.db()
    }

    /// The key directory: what checks the audit log's signed head (`audit::verify`).
    pub fn keys(&self) -> &crate::keys::KeyStore {
        &self.keys
    }

    /// The handle on this core's database.
    pub(crate) fn db(&self) -> Db<'_> {
        self.conn.db()
    }

    /// Uses `fonts` for the printability check and the documents instead of the shipped font with
    /// the system's fallbacks (e.g. `DocFonts::load()?.with_fallback_dirs(vec![])`, so that a test
    /// does not depend on the fonts a machine has).
    pub fn set_doc_fonts(&mut self, fonts: crate::documents::DocFonts) {
        self.share_doc_fonts(std::sync::Arc::new(fonts));
    }

    /// Makes printed QR codes open `address` (the server's public check page) with the signed
    /// payload inside; None: the payload alone.
    pub fn set_verification_address(&mut self, address: Option<String>) {
        self.verification_address = address;
    }

    /// Uses fonts parsed once for several cores (a server's pool).
    pub fn share_doc_fonts(&mut self, fonts: std::sync::Arc<crate::documents::DocFonts>) {
        self.fonts = std::sync::OnceLock::from(fonts);
    }

    /// The documents' fonts, parsed on first need (shared: the PDFs of operations render with them).
    pub fn doc_fonts(&self) -> Result<std::sync::Arc<crate::documents::DocFonts>> {
        if self.fonts.get().is_none() {
            let _ = self
                .fonts
                .set(std::sync::Arc::new(crate::documents::DocFonts::load()?));
        }
        self.fonts
            .get()
            .cloned()
            .ok_or_else(|| Error::internal("fonts"))
    }

    /// Refuses text that no available font can print (a rare character missing from the shipped
    /// font and from every installed one), naming the character: a certificate never shows a box.
    pub(crate) fn check_printable(&self, fields: &[(String, &str)]) -> Result<()> {
        let mut p = crate::error::Problems::new();
        // Control and direction characters are refused as the text check refuses them, before a
        // font is consulted: the outcome must not depend on which fonts this machine has.
        let mut clean: Vec<&(String, &str)> = Vec::new();
        for f in fields {
            match crate::domain::ids::check_chars(f.1, true) {
                Ok(()) => clean.push(f),
                Err(e) => p.add(f.0.clone(), e),
            }
        }
        p.into_result()?;
        let fonts = self.doc_fonts()?;
        let mut p = crate::error::Problems::new();
        for (field, text) in clean {
            let missing = fonts.missing_glyphs(text);
            if !missing.is_empty() {
                let chars: String = missing
                    .iter()
                    .map(|c| format!("“{c}”(U+{:04X})", *c as u32))
                    .collect::<Vec<_>>()
                    .join("、");
                p.add(
                    field.clone(),
                    t!(
                        format!("{chars} 无法打印：字库中没有该字，请改用通用写法，或请管理员安装含该字的字体"),
                        format!("{chars} cannot be printed: no installed font has it; use a common form or ask the administrator to install a font with it")
                    ),
                );
            }
        }
        p.into_result()
    }

    /// Runs `f` in one write transaction (see `store::Conn::begin_write`): committed when it
    /// returns Ok, rolled back otherwise.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(Db<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.begin_write()?;
        let mark = audit::Mark::take(tx.db())?;
        let v = f(tx.db())?;
        // The events `f` appended get their signed head in this transaction (see `audit::Mark`).
        mark.sign_head(tx.db(), &self.keys)?;
        tx.commit()?;
        Ok(v)
    }

    /// The time of the newest audit event (None on an empty log): a training clock resumes after
    /// it, so that a second run does not go back in time.
    pub fn last_recorded_at(&self) -> Result<Option<DateTime<Utc>>> {
        store::settings::last_audit_at(self.db())
    }

    pub fn is_initialised(&self) -> Result<bool> {
        store::settings::has_policy(self.db())
    }

    pub fn policy(&self) -> Result<Policy> {
        load_policy(self.db())
    }

    /// Creates the reference data and the first administrator on a new database; on an existing
    /// one only migrates (done by `open`) and reports.
    pub fn init(&mut self, admin: Option<(&str, &str)>, now: DateTime<Utc>) -> Result<InitReport> {
        // The first administrator's password is hashed (argon2) before the write lock is taken;
        // administrators are never removed, so a database that has one needs no hash.
        let hash = match admin {
            Some((name, pw)) if store::users::count_with_role(self.db(), Role::Admin)? == 0 => {
                users::prehash(name, pw)?
            }
            _ => None,
        };
        let keys = self.keys.clone();
        self.write(|tx| {
            let fresh = !store::settings::has_policy(tx)?;
            let admins = store::users::count_with_role(tx, Role::Admin)?;
            let mut report = InitReport {
                created: fresh,
                divisions: 0,
                departments: 0,
                industries: 0,
                admin: None,
            };
            if fresh {
                let (d, dep, ind) = crate::reference::load_defaults(tx)?;
                report.divisions = d;
                report.departments = dep;
                report.industries = ind;
                let policy = Policy::default_policy();
                store::settings::insert_policy(tx, &policy)?;
                // The installation's certificate signing key (its public half is exportable).
                crate::keys::init_signing_key(&keys)?;
                audit::append(
                    tx,
                    &system(),
                    "init",
                    "database",
                    None,
                    Some(&serde_json::json!({"divisions": d, "departments": dep, "industries": ind})),
                    now,
                )?;
            }
            let firm_mode = packages::mode_of(tx)? == Mode::Firm;
            match (admin, admins) {
                // A firm's own PC has its one firm user and never an administrator.
                (Some(_), _) if firm_mode => {
                    return Err(Error::forbidden(t!(
                        "企业自用模式的数据库没有管理员，不能添加",
                        "a firm-mode database has no administrator and cannot get one"
                    )))
                }
                (Some((name, pw)), 0) => {
                    let id = users::insert_user_hashed(
                        tx,
                        &users::NewUserRow {
                            name,
                            role: Role::Admin,
                            department_id: None,
                            firm_id: None,
                            division: None,
                            password: pw,
                            must_change: false,
                        },
                        hash.as_deref(),
                        now,
                    )?;
                    audit::append(
                        tx,
                        &system(),
                        "user.add",
                        &format!("user:{id}"),
                        None,
                        Some(&serde_json::json!({"name": name, "role": "admin"})),
                        now,
                    )?;
                    report.admin = Some(name.to_string());
                }
                // Set-up run again with the same administrator changes nothing and succeeds, so
                // a provisioning script can be re-run; another name is refused.
                (Some((name, _)), _) => {
                    if !store::users::named_with_role(tx, name, Role::Admin)? {
                        return Err(Error::conflict(t!(
                            "系统已有管理员，不能再次指定首个管理员",
                            "an administrator already exists"
                        )));
                    }
                }
                // A firm's own PC (firm mode) has no administrator.
                (None, 0) if firm_mode => {}
                (None, 0) => {
                    return Err(Error::field(
                        "admin",
                        t!(
                            "首次初始化须用 --admin 指定管理员用户名，并通过环境变量 REOPEN_PASSWORD 提供其密码",
                            "the first init needs --admin NAME, with the password in REOPEN_PASSWORD"
                        ),
                    ))
                }
                (None, _) => {}
            }
            Ok(report)
        })
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct InitReport {
    pub created: bool,
    pub divisions: usize,
    pub departments: usize,
    pub industries: usize,
    pub admin: Option<String>,
}

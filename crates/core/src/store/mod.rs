//! SQLite through rusqlite: opening, pragmas, numbered migrations applied atomically.
//! All SQL of the product lives below this module and in `service` queries that take `&Connection`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

pub mod apps;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod certs;
pub mod daily;
pub mod db;
pub mod firms;
pub mod forms;
pub(crate) mod guards;
pub mod logins;
pub mod messages;
pub mod packages;
pub mod pg;
pub mod prints;
pub mod reference;
pub mod retention;
pub mod roster;
pub mod scope;
pub mod seal;
pub mod sessions;
pub mod settings;
pub mod sqlite_file;
pub mod stats;
pub mod submissions;
pub mod tasks;
pub mod transfer;
pub mod users;

pub use db::{Conn, Db, Engine, Row, ToArg, Tx, Value};

/// The SQLite migrations, numbered, in order: never edit a released one, add the next. A database
/// at the latest schema has `user_version` = their count.
const SQLITE_MIGRATIONS: &[&str] = &[
    include_str!("migrations/sqlite/001_initial.sql"),
    include_str!("migrations/sqlite/002_certificates.sql"),
    include_str!("migrations/sqlite/003_daily_packages.sql"),
    include_str!("migrations/sqlite/004_list_indexes.sql"),
    include_str!("migrations/sqlite/005_queue_decided.sql"),
    include_str!("migrations/sqlite/006_certificates_by_app.sql"),
    include_str!("migrations/sqlite/007_login_failures.sql"),
    include_str!("migrations/sqlite/008_sessions.sql"),
    include_str!("migrations/sqlite/009_message_reads.sql"),
    include_str!("migrations/sqlite/010_audit_client.sql"),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(SQLITE_MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + NORMAL loses no committed transaction on an application crash; FULL also survives a
    // power cut at the cost of an fsync per commit. Approvals are worth the fsync.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Up to 32 MiB of page cache (SQLite's default is 2 MiB): a city's statistics and queues read
    // tens of megabytes, and re-reading them through the OS costs a system call per page. The
    // cache only grows as pages are read, so a small database stays small.
    conn.pragma_update(None, "cache_size", -32768)?;
    Ok(())
}

/// Opens (creating if needed) and migrates to the latest schema, all in one transaction.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        }
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    migrations()
        .to_latest(conn)
        .map_err(|e| Error::internal(format!("database migration failed: {e}")))
}

/// The schema as the engine reports it, sorted: the snapshot test compares it with a committed
/// file per engine.
pub fn schema(db: Db<'_>) -> Result<String> {
    match db.sqlite() {
        Some(conn) => schema_sql(conn),
        None => pg::schema_sql(db),
    }
}

/// The schema version the database is at (SQLite's `user_version`, PostgreSQL's last applied
/// migration): reading it also shows that the database answers.
pub fn schema_version(db: Db<'_>) -> Result<i64> {
    match db.sqlite() {
        Some(_) => db.one("PRAGMA user_version", crate::args![]),
        None => pg::version(db),
    }
}

/// The schema version this program brings a database to.
pub fn latest_schema_version(engine: Engine) -> i64 {
    match engine {
        Engine::Sqlite => SQLITE_MIGRATIONS.len() as i64,
        Engine::Postgres => pg::latest_version(),
    }
}

/// The schema as SQLite reports it, sorted.
pub fn schema_sql(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
         AND name NOT LIKE 'firms_fts_%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "-- {} {}\n{};\n",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?
        ))
    })?;
    let mut out = String::new();
    for r in rows {
        out.push_str(&r?);
    }
    Ok(out)
}

pub fn integrity_check(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn audit_rows_cannot_be_updated_or_deleted() {
        let conn = open_in_memory().unwrap();
        conn.execute(
            "INSERT INTO audit_events VALUES (1,'t',NULL,'x','system','a','r',NULL,NULL,'p','h',NULL)",
            [],
        )
        .unwrap();
        assert!(conn
            .execute("UPDATE audit_events SET action='b'", [])
            .is_err());
        assert!(conn.execute("DELETE FROM audit_events", []).is_err());
    }
}

/// For the store's own tests: a fresh PostgreSQL database at this program's schema when
/// `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one), else None (the test is
/// skipped there and runs on SQLite only).
#[cfg(test)]
pub(crate) mod testing {
    pub(crate) fn postgres() -> Option<super::db::Pg> {
        let cluster = std::env::var("REOPEN_TEST_PG")
            .ok()
            .filter(|u| !u.is_empty())?;
        let url = super::pg::create_test_database(&cluster).expect("a test database");
        Some(super::pg::connect(&url).expect("connected"))
    }
}

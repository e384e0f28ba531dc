//! What only a SQLite database file has: the online backup into a new file, restoring the open
//! database from such a copy, and what a copy is checked for first (SQLite's integrity check,
//! the schema version in `PRAGMA user_version`). A PostgreSQL database is backed up and restored
//! with PostgreSQL's own tools: each function here says so there.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::store::{Conn, Db};
use crate::t;

/// The answer on PostgreSQL.
/// A validation error (exit 2, as cli.md says): the command does not apply to this database.
fn postgres_tools() -> Error {
    Error::field(
        "db",
        t!(
        "PostgreSQL 数据库请用 pg_dump 备份、用 pg_restore 恢复，本命令只用于 SQLite 数据库文件",
        "a PostgreSQL database is backed up with pg_dump and restored with pg_restore; this command is for a SQLite database file"
        ),
    )
}

fn exists_already(dest: &Path) -> Error {
    Error::conflict(t!(
        format!("文件 {} 已存在，不会覆盖", dest.display()),
        format!("{} exists; not overwriting", dest.display())
    ))
}

/// Refuses on PostgreSQL, before anything else is checked or done.
pub(crate) fn require_sqlite(db: Db<'_>) -> Result<()> {
    match db.sqlite() {
        Some(_) => Ok(()),
        None => Err(postgres_tools()),
    }
}

/// A consistent copy of the database into the new file `dest`, while others keep working: made
/// through SQLite's online backup in a temporary file beside `dest`, synced and renamed into
/// place (never over an existing file). A failed copy leaves no file behind.
pub(crate) fn backup(db: Db<'_>, dest: &Path) -> Result<()> {
    let Some(conn) = db.sqlite() else {
        return Err(postgres_tools());
    };
    if dest.exists() {
        return Err(exists_already(dest));
    }
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let failed = |e: &dyn std::fmt::Display| {
        Error::internal(format!("backup to {} failed: {e}", dest.display()))
    };
    let tmp = tempfile::Builder::new()
        .prefix(".reopen-backup-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| failed(&e))?;
    conn.backup(rusqlite::MAIN_DB, tmp.path(), None)
        .map_err(|e| failed(&e))?;
    tmp.as_file().sync_all().map_err(|e| failed(&e))?;
    tmp.persist_noclobber(dest).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists_already(dest)
        } else {
            failed(&e.error)
        }
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A backup file opened read-only, to be checked before it replaces the database.
pub(crate) struct BackupFile {
    conn: Connection,
}

/// Opens the backup at `src` read-only (its signed audit head is then checked with this
/// installation's audit key). The error of a file that cannot be opened is the text of why.
pub(crate) fn open_backup(src: &Path) -> Result<std::result::Result<BackupFile, String>> {
    let conn = match Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(Ok(BackupFile { conn }))
}

impl BackupFile {
    pub(crate) fn db(&self) -> Db<'_> {
        Db::Sqlite(&self.conn)
    }

    /// SQLite's integrity check: `["ok"]` or the problems found.
    pub(crate) fn integrity(&self) -> Result<Vec<String>> {
        crate::store::integrity_check(&self.conn)
    }

    /// The schema version (the number of migrations applied; 0: not a Reopen database).
    pub(crate) fn user_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// Replaces the open database's content with the backup at `src` (checked by the caller), then
/// brings it to the latest schema.
pub(crate) fn restore(conn: &mut Conn, src: &Path) -> Result<()> {
    let Conn::Sqlite(c) = conn else {
        return Err(postgres_tools());
    };
    c.restore(
        rusqlite::MAIN_DB,
        src,
        None::<fn(rusqlite::backup::Progress)>,
    )
    .map_err(|e| Error::internal(format!("restore failed: {e}")))?;
    crate::store::migrations()
        .to_latest(c)
        .map_err(|e| Error::internal(format!("migration after restore: {e}")))
}

//! The `login_failures` table: failed logins counted under a key (`user:<name>` or
//! `source:<address>`), with the time of the last one.

use chrono::{DateTime, Utc};

use crate::args;
use crate::error::Result;
use crate::store::Db;

/// The failures recorded under `key`: how many, and when the last was.
pub(crate) fn failures(db: Db<'_>, key: &str) -> Result<Option<(i64, DateTime<Utc>)>> {
    db.row_opt(
        "SELECT failures, last_failed_at FROM login_failures WHERE key = ?1",
        args![key],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Sets the count under `key` to `failures`, the last at `at`.
pub(crate) fn set(db: Db<'_>, key: &str, failures: i64, at: DateTime<Utc>) -> Result<()> {
    db.exec(
        "INSERT INTO login_failures(key, failures, last_failed_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                                         last_failed_at = excluded.last_failed_at",
        args![key, failures, at],
    )?;
    Ok(())
}

/// Forgets the failures under `key`.
pub(crate) fn clear(db: Db<'_>, key: &str) -> Result<()> {
    db.exec("DELETE FROM login_failures WHERE key = ?1", args![key])?;
    Ok(())
}

/// Forgets every count whose last failure is older than `before`.
pub(crate) fn forget_before(db: Db<'_>, before: DateTime<Utc>) -> Result<()> {
    db.exec(
        "DELETE FROM login_failures WHERE last_failed_at < ?1",
        args![before],
    )?;
    Ok(())
}

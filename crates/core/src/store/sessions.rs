//! The `sessions` table: a server's logged-in sessions, each under the SHA-256 of its token.

use chrono::{DateTime, Utc};

use crate::args;
use crate::error::Result;
use crate::store::Db;

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRow {
    pub user_id: i64,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub source: String,
}

pub(crate) fn insert(
    db: Db<'_>,
    token_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
    source: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO sessions(token_hash, user_id, started_at, last_seen_at, source)
         VALUES (?1, ?2, ?3, ?3, ?4)",
        args![token_hash, user_id, now, source],
    )?;
    Ok(())
}

pub(crate) fn get(db: Db<'_>, token_hash: &str) -> Result<Option<SessionRow>> {
    db.row_opt(
        "SELECT user_id, started_at, last_seen_at, source FROM sessions WHERE token_hash = ?1",
        args![token_hash],
        |r| {
            Ok(SessionRow {
                user_id: r.get(0)?,
                started_at: r.get(1)?,
                last_seen_at: r.get(2)?,
                source: r.get(3)?,
            })
        },
    )
}

/// Moves the session's last activity on to `now` (never back).
pub(crate) fn touch(db: Db<'_>, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
    db.exec(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2",
        args![token_hash, now],
    )?;
    Ok(())
}

/// Ends a session; whether there was one.
pub(crate) fn delete(db: Db<'_>, token_hash: &str) -> Result<bool> {
    Ok(db.exec(
        "DELETE FROM sessions WHERE token_hash = ?1",
        args![token_hash],
    )? > 0)
}

/// Forgets the sessions started before `before` (none outlives a working day).
pub(crate) fn forget_started_before(db: Db<'_>, before: DateTime<Utc>) -> Result<usize> {
    db.exec("DELETE FROM sessions WHERE started_at < ?1", args![before])
}

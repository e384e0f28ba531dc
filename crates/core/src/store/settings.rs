//! The `settings` table: one text value per key. This module holds the policy (`policy`, JSON of
//! [`Policy`]) and each jurisdiction's review chain (`workflow:<division>`, JSON of
//! [`WorkflowConfig`]); the keys' and the seal's records (`signing_key`, `audit_head`,
//! `roster_key`) are read by their own modules.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::service::WorkflowConfig;
use crate::store::Db;

const POLICY: &str = "policy";

fn workflow_key(division: &str) -> String {
    format!("workflow:{division}")
}

/// The text stored under `key`.
pub(crate) fn get(db: Db<'_>, key: &str) -> Result<Option<String>> {
    db.first("SELECT value FROM settings WHERE key = ?1", args![key])
}

/// The key of the database's mode (`firm` on a firm's own PC; none in an office's database).
pub(crate) const MODE: &str = "mode";

/// The stored mode, None when never set (an office database).
pub(crate) fn mode(db: Db<'_>) -> Result<Option<String>> {
    get(db, MODE)
}

/// Stores `value` under `key`, replacing what was there.
pub(crate) fn put(db: Db<'_>, key: &str, value: &str) -> Result<()> {
    db.exec(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![key, value],
    )?;
    Ok(())
}

/// Whether the database has a policy (`init` has run).
pub(crate) fn has_policy(db: Db<'_>) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM settings WHERE key = ?1",
        args![POLICY],
    )?;
    Ok(n > 0)
}

/// The stored policy; None before `init`.
pub(crate) fn policy(db: Db<'_>) -> Result<Option<Policy>> {
    get(db, POLICY)?
        .map(|t| {
            serde_json::from_str(&t).map_err(|e| Error::internal(format!("stored policy: {e}")))
        })
        .transpose()
}

/// The first policy of a new database (`init`); a database that has one refuses a second.
pub(crate) fn insert_policy(db: Db<'_>, policy: &Policy) -> Result<()> {
    db.exec(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)",
        args![POLICY, serde_json::to_string(policy)?],
    )?;
    Ok(())
}

/// Replaces the stored policy.
pub(crate) fn set_policy(db: Db<'_>, policy: &Policy) -> Result<()> {
    db.exec(
        "UPDATE settings SET value = ?2 WHERE key = ?1",
        args![POLICY, serde_json::to_string(policy)?],
    )?;
    Ok(())
}

/// A jurisdiction's own review chain; None when it follows the policy's.
pub(crate) fn workflow(db: Db<'_>, division: &str) -> Result<Option<WorkflowConfig>> {
    get(db, &workflow_key(division))?
        .map(|t| serde_json::from_str(&t).map_err(Error::from))
        .transpose()
}

pub(crate) fn set_workflow(db: Db<'_>, division: &str, cfg: &WorkflowConfig) -> Result<()> {
    put(db, &workflow_key(division), &serde_json::to_string(cfg)?)
}

/// The time of the newest audit event (None on an empty log). The audit log's own statements
/// are `crate::audit`'s; this one is the database-wide fact a training clock resumes after.
pub(crate) fn last_audit_at(db: Db<'_>) -> Result<Option<DateTime<Utc>>> {
    db.one("SELECT max(at) FROM audit_events", args![])
}

//! Personal data at rest. Retention: personal data of closed cases is not kept for ever. The administrator purges the
//! rosters, daily reports and attachments of applications closed (rejected, withdrawn, revoked)
//! more than N days ago; the frozen submissions keep their plans but lose their rosters. What was
//! purged, and when, is recorded on the application and in the audit log.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{audit, ts, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::store::Db;
use crate::t;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PurgeReport {
    /// Closed before this instant (RFC 3339, UTC).
    pub cutoff: String,
    pub dry_run: bool,
    pub applications: Vec<i64>,
    pub roster_rows: u64,
    pub submissions: u64,
    pub daily_reports: u64,
    pub attachments: u64,
}

/// Runs `work` with the named guard triggers (those that keep submissions and daily reports
/// unchanged) lifted, then restores each from its own stored text, inside the same transaction:
/// the purge and the sealing are the only writes they let through.
fn without_guards<T>(tx: Db<'_>, guards: &[&str], work: impl FnOnce() -> Result<T>) -> Result<T> {
    let mut saved = Vec::new();
    for name in guards {
        let sql: String = tx.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP TRIGGER {name};"))?;
        saved.push(sql);
    }
    let out = work()?;
    for sql in saved {
        tx.execute_batch(&format!("{sql};"))?;
    }
    Ok(out)
}

impl Reopen {
    /// Purges personal data of cases closed more than `days` days ago (administrator only).
    /// With `dry_run`, reports what would be purged and changes nothing.
    pub fn retention_purge(
        &mut self,
        actor: &Actor,
        days: u32,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<PurgeReport> {
        actor.require(
            &[Role::Admin],
            &t!("清理过期个人信息", "purge personal data"),
        )?;
        if days == 0 {
            return Err(Error::field(
                "older_than",
                t!("保留天数须大于 0", "the days to keep must be above 0"),
            ));
        }
        let cutoff = ts(now - Duration::days(i64::from(days)));
        self.write(|tx| {
            let ids: Vec<i64> = {
                let mut st = tx.prepare(
                    "SELECT id FROM applications WHERE state IN ('rejected','withdrawn','revoked')
                     AND updated_at < ?1 AND purged_at IS NULL ORDER BY id",
                )?;
                let rows = st.query_map([&cutoff], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let count = |sql: &str| -> Result<u64> {
                let mut total = 0u64;
                for id in &ids {
                    total += tx.query_row(sql, [id], |r| r.get::<_, i64>(0))? as u64;
                }
                Ok(total)
            };
            let report = PurgeReport {
                cutoff: cutoff.clone(),
                dry_run,
                roster_rows: count(
                    "SELECT count(*) FROM roster_entries WHERE application_id = ?1",
                )?,
                submissions: count(
                    "SELECT count(*) FROM submissions WHERE application_id = ?1 AND roster <> '[]'",
                )?,
                daily_reports: count(
                    "SELECT count(*) FROM daily_reports WHERE application_id = ?1",
                )?,
                attachments: count("SELECT count(*) FROM attachments WHERE application_id = ?1")?,
                applications: ids.clone(),
            };
            if dry_run || ids.is_empty() {
                return Ok(report);
            }
            without_guards(
                tx,
                &["submissions_no_update", "daily_reports_no_delete"],
                || {
                    for id in &ids {
                        tx.execute("DELETE FROM roster_entries WHERE application_id = ?1", [id])?;
                        tx.execute("DELETE FROM attachments WHERE application_id = ?1", [id])?;
                        tx.execute("DELETE FROM daily_reports WHERE application_id = ?1", [id])?;
                        tx.execute(
                            "UPDATE submissions SET roster = '[]' WHERE application_id = ?1",
                            [id],
                        )?;
                        tx.execute(
                            "UPDATE applications SET purged_at = ?2 WHERE id = ?1",
                            params![id, ts(now)],
                        )?;
                    }
                    Ok(())
                },
            )?;
            audit(
                tx,
                actor,
                "retention.purge",
                "database",
                None,
                Some(&serde_json::to_value(&report)?),
                now,
            )?;
            Ok(report)
        })
    }
}

/// What sealing the roster did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SealReport {
    /// The key's fingerprint (never the key).
    pub fingerprint: String,
    pub roster_rows: u64,
    pub submissions: u64,
}

impl Reopen {
    /// Gives the key that seals the roster's personal numbers (read from a file outside the
    /// database). A database sealed with another key refuses it.
    pub fn set_roster_key(&mut self, key: crate::store::seal::RosterKey) -> Result<()> {
        use crate::store::seal;
        if let Some(fp) = seal::sealed_with(self.conn.sqlite())? {
            if fp != key.fingerprint() {
                return Err(Error::field(
                    "key_file",
                    t!(
                        format!("密钥不符:本数据库由指纹为 {fp} 的密钥加密"),
                        format!("wrong key: this database was sealed with the key {fp}")
                    ),
                ));
            }
        }
        let sealed = seal::sealed_with(self.conn.sqlite())?.is_some();
        seal::register(self.conn.sqlite(), Some(key), sealed)
    }

    /// Seals every roster's ID and phone numbers, in the roster and in the frozen submissions,
    /// with the key given by [`Reopen::set_roster_key`] (administrator; once per database).
    pub fn roster_seal(
        &mut self,
        actor: &Actor,
        key: &crate::store::seal::RosterKey,
        now: DateTime<Utc>,
    ) -> Result<SealReport> {
        use crate::store::seal;
        actor.require(&[Role::Admin], &t!("加密花名册", "seal rosters"))?;
        if let Some(fp) = seal::sealed_with(self.conn.sqlite())? {
            return Err(Error::conflict(t!(
                format!("花名册已由指纹为 {fp} 的密钥加密"),
                format!("the rosters are already sealed with the key {fp}")
            )));
        }
        seal::register(self.conn.sqlite(), Some(key.clone()), false)?;
        let sealed = self.write(|tx| {
            let roster_rows = tx.execute(
                "UPDATE roster_entries SET id_number = reopen_seal(id_number), phone = reopen_seal(phone)",
                [],
            )? as u64;
            let submissions = without_guards(tx, &["submissions_no_update"], || {
                Ok(tx.execute(
                    &format!(
                        "UPDATE submissions SET roster = {} WHERE roster <> '[]'",
                        seal::roster_json_sql("reopen_seal", "roster")
                    ),
                    [],
                )? as u64)
            })?;
            tx.execute(
                "INSERT INTO settings(key, value) VALUES (?1, ?2)",
                params![seal::SETTING, key.fingerprint()],
            )?;
            let report = SealReport {
                fingerprint: key.fingerprint(),
                roster_rows,
                submissions,
            };
            audit(
                tx,
                actor,
                "roster.seal",
                "database",
                None,
                Some(&serde_json::to_value(&report)?),
                now,
            )?;
            Ok(report)
        });
        match sealed {
            Ok(report) => {
                seal::register(self.conn.sqlite(), Some(key.clone()), true)?;
                Ok(report)
            }
            Err(e) => {
                // Nothing was sealed: back to plain writes.
                seal::register(self.conn.sqlite(), None, false)?;
                Err(e)
            }
        }
    }
}

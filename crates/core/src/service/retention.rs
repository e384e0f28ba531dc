//! Personal data at rest. Retention: personal data of closed cases is not kept for ever. The administrator purges the
//! rosters, daily reports and attachments of applications closed (rejected, withdrawn, revoked)
//! more than N days ago; the frozen submissions keep their plans but lose their rosters. What was
//! purged, and when, is recorded on the application and in the audit log.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{audit, ts, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::store::retention::{without_guards, Guard};
use crate::store::{self, seal, Db};
use crate::t;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
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

/// What a purge of `ids` removes (or would remove).
fn purge_counts(tx: Db<'_>, ids: &[i64], report: &mut PurgeReport) -> Result<()> {
    for &id in ids {
        report.roster_rows += store::roster::count(tx, id)?;
        report.submissions += store::submissions::count_with_roster(tx, id)?;
        report.daily_reports += store::retention::count_daily_reports(tx, id)?;
        report.attachments += store::attachments::count(tx, id)?;
    }
    Ok(())
}

/// Removes the personal data of `ids` and records the purge on each.
fn purge(tx: Db<'_>, ids: &[i64], now: DateTime<Utc>) -> Result<()> {
    without_guards(
        tx,
        &[Guard::SubmissionsNoUpdate, Guard::DailyReportsNoDelete],
        || {
            for &id in ids {
                store::roster::delete(tx, id)?;
                store::attachments::delete_all(tx, id)?;
                store::retention::delete_daily_reports(tx, id)?;
                store::submissions::clear_rosters(tx, id)?;
                store::retention::mark_purged(tx, id, now)?;
            }
            Ok(())
        },
    )
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
        let cutoff = now - Duration::days(i64::from(days));
        self.write(|tx| {
            let ids = store::retention::closed_before(tx, cutoff)?;
            let mut report = PurgeReport {
                cutoff: ts(cutoff),
                dry_run,
                applications: ids.clone(),
                ..PurgeReport::default()
            };
            purge_counts(tx, &ids, &mut report)?;
            if dry_run || ids.is_empty() {
                return Ok(report);
            }
            purge(tx, &ids, now)?;
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
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
        if let Some(fp) = seal::sealed_with(self.db())? {
            if fp != key.fingerprint() {
                return Err(Error::field(
                    "key_file",
                    t!(
                        format!("密钥不符：本数据库由指纹为 {fp} 的密钥加密"),
                        format!("wrong key: this database was sealed with the key {fp}")
                    ),
                ));
            }
        }
        let sealed = seal::sealed_with(self.db())?.is_some();
        self.sealer = seal::Sealer::new(Some(key), sealed);
        Ok(())
    }

    /// What the store seals and unseals the roster's numbers with (the key given, if any).
    pub(crate) fn sealer(&self) -> seal::Sealer {
        self.sealer.clone()
    }

    /// Seals every roster's ID and phone numbers, in the roster and in the frozen submissions,
    /// with the key given by [`Reopen::set_roster_key`] (administrator; once per database).
    pub fn roster_seal(
        &mut self,
        actor: &Actor,
        key: &crate::store::seal::RosterKey,
        now: DateTime<Utc>,
    ) -> Result<SealReport> {
        actor.require(&[Role::Admin], &t!("加密花名册", "seal rosters"))?;
        if let Some(fp) = seal::sealed_with(self.db())? {
            return Err(Error::conflict(t!(
                format!("花名册已由指纹为 {fp} 的密钥加密"),
                format!("the rosters are already sealed with the key {fp}")
            )));
        }
        let report = self.write(|tx| {
            let roster_rows = store::roster::seal_all(tx, key)?;
            let submissions = without_guards(tx, &[Guard::SubmissionsNoUpdate], || {
                store::submissions::seal_all(tx, key)
            })?;
            seal::record_sealed(tx, &key.fingerprint())?;
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
        })?;
        // From now on the key is required, and every write is sealed with it.
        self.sealer = seal::Sealer::new(Some(key.clone()), true);
        Ok(report)
    }
}

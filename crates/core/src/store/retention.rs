//! What the retention purge and the roster sealing need beyond each table's own statements:
//! the closed applications due for a purge, the daily reports of an application, and lifting
//! the guards (triggers) that keep submissions and daily reports unchanged.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::store::{Db, Engine};

/// The applications in a final state, last changed before `cutoff` and not purged yet.
pub(crate) fn closed_before(db: Db<'_>, cutoff: DateTime<Utc>) -> Result<Vec<i64>> {
    let finals: Vec<&str> = AppState::ALL
        .into_iter()
        .filter(|s| s.is_final())
        .map(AppState::as_str)
        .collect();
    let [a, b, c] = finals[..] else {
        return Err(Error::internal("three final states expected"));
    };
    db.rows(
        "SELECT id FROM applications WHERE state IN (?1, ?2, ?3)
         AND updated_at < ?4 AND purged_at IS NULL ORDER BY id",
        args![a, b, c, cutoff],
        |r| r.get(0),
    )
}

/// Records on the application that its personal data was purged `now`.
pub(crate) fn mark_purged(db: Db<'_>, app_id: i64, now: DateTime<Utc>) -> Result<()> {
    db.exec(
        "UPDATE applications SET purged_at = ?2 WHERE id = ?1",
        args![app_id, now],
    )?;
    Ok(())
}

pub(crate) fn count_daily_reports(db: Db<'_>, app_id: i64) -> Result<u64> {
    db.one(
        "SELECT count(*) FROM daily_reports WHERE application_id = ?1",
        args![app_id],
    )
}

/// Removes the application's daily reports (the purge; guard lifted).
pub(crate) fn delete_daily_reports(db: Db<'_>, app_id: i64) -> Result<()> {
    db.exec(
        "DELETE FROM daily_reports WHERE application_id = ?1",
        args![app_id],
    )?;
    Ok(())
}

/// A trigger that keeps rows unchanged, lifted only inside the purge's or the sealing's
/// transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    SubmissionsNoUpdate,
    DailyReportsNoDelete,
}

impl Guard {
    fn name(self) -> &'static str {
        match self {
            Guard::SubmissionsNoUpdate => "submissions_no_update",
            Guard::DailyReportsNoDelete => "daily_reports_no_delete",
        }
    }
}

/// Runs `work` with `guards` lifted, then restores them, inside the caller's transaction (an
/// error rolls the lifting back with everything else). On SQLite each trigger is dropped and
/// re-created from its own stored text. On PostgreSQL the application role cannot drop a
/// trigger: both guards let a transaction through that has set `reopen.retention` for itself
/// (`SET LOCAL`), which is switched off again after `work`.
pub(crate) fn without_guards<T>(
    db: Db<'_>,
    guards: &[Guard],
    work: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let mut restore = Vec::new();
    match db.engine() {
        Engine::Sqlite => {
            for g in guards {
                let sql: String = db.one(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                    args![g.name()],
                )?;
                db.batch(&format!("DROP TRIGGER {};", g.name()))?;
                restore.push(format!("{sql};"));
            }
        }
        Engine::Postgres => {
            db.batch("SET LOCAL reopen.retention = 'on'")?;
            restore.push("SET LOCAL reopen.retention = 'off'".to_string());
        }
    }
    let out = work()?;
    for sql in restore {
        db.batch(&sql)?;
    }
    Ok(out)
}

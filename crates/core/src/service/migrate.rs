//! Moving an office's database onto the city's PostgreSQL server (`reopen migrate`).

use chrono::{DateTime, Utc};

use super::{audit, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::store::{self, transfer::Transferred};
use crate::t;

impl Reopen {
    /// Copies this (SQLite) database, whole, into the empty PostgreSQL database at `url`. The
    /// copy is made inside a write transaction on this database — no one changes it meanwhile —
    /// and ends the transaction with the event that records it, so that the copy carries that
    /// event and its audit chain verifies on the target with the same key directory. Nothing is
    /// written to either database when anything fails.
    pub fn migrate_to_postgres(
        &mut self,
        actor: &Actor,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transferred>> {
        actor.require(&[Role::Admin], &t!("迁移数据库", "migrate the database"))?;
        if !store::pg::is_url(url) {
            return Err(Error::field(
                "to",
                t!(
                    "迁移目标须是 PostgreSQL 连接地址（postgres://…）",
                    "the target of a migration is a PostgreSQL URL (postgres://…)"
                ),
            ));
        }
        let target = store::pg::connect(url)?;
        self.write(|tx| {
            audit(
                tx,
                actor,
                "database.migrate",
                "database",
                None,
                Some(&serde_json::json!({"to": store::pg::redacted(url)})),
                now,
            )?;
            store::transfer::sqlite_to_postgres(tx, &target)
        })
    }
}

//! Moving an office's database onto the city's PostgreSQL server (`reopen migrate`).

use chrono::{DateTime, Utc};

use super::{audit, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::store::{self, transfer::Transferred};
use crate::t;

/// What a server's health check answers: the database answers, at this schema.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Health {
    pub engine: store::Engine,
    pub schema_version: i64,
    pub latest_schema_version: i64,
}

impl Reopen {
    /// Whether the database answers, and at which schema version.
    pub fn health(&self) -> Result<Health> {
        Ok(Health {
            engine: self.engine(),
            schema_version: store::schema_version(self.db())?,
            latest_schema_version: store::latest_schema_version(self.engine()),
        })
    }

    /// Copies this (SQLite) database, whole, into the empty PostgreSQL database at `url`, from
    /// one consistent snapshot (a read transaction: writers elsewhere go on, and what they write
    /// after the snapshot stays here). The target then records the migration as its next audit
    /// event, signed with the same key directory, so its chain verifies and says where it came
    /// from; this database is not changed. Nothing is written to the target when the copy fails.
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
        let report = {
            let snapshot = self.conn.begin_read()?;
            store::transfer::sqlite_to_postgres(snapshot.db(), &target)?
        };
        let mut there =
            Reopen::with_keys(store::Conn::Postgres(Box::new(target)), self.keys.clone())?;
        let rows: u64 = report.iter().map(|t| t.rows).sum();
        there.write(|tx| {
            audit(
                tx,
                actor,
                "database.migrate",
                "database",
                None,
                Some(&serde_json::json!({"from": "sqlite", "rows": rows})),
                now,
            )
        })?;
        Ok(report)
    }
}

//! `reopen migrate --from FILE.db --to postgres://…`: an office's SQLite database carried into an
//! empty PostgreSQL database, whole or not at all (one PostgreSQL transaction), every row with its
//! numbers, so that the audit chain, the certificates' numbers and signatures and the sealed rosters
//! arrive as they were (the key directory moves with them, outside both databases).

use super::db::{Db, Pg, ToArg, Value};
use crate::error::{Error, Result};
use crate::t;

/// The tables in an order that satisfies their foreign keys.
pub const TABLES: &[&str] = &[
    "divisions",
    "department_kinds",
    "departments",
    "industries",
    "settings",
    "firms",
    "users",
    "applications",
    "roster_entries",
    "submissions",
    "review_tasks",
    "audit_events",
    "cert_sequences",
    "certificates",
    "cert_prints",
    "daily_reports",
    "attachments",
    "imported_packages",
    "login_failures",
    "sessions",
    "message_reads",
];

/// Rows per INSERT statement (PostgreSQL takes at most 65,535 arguments in one statement).
const BATCH_ARGS: usize = 30_000;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Transferred {
    pub table: String,
    pub rows: u64,
}

/// Copies every table of `source` (a SQLite database at the latest schema, read inside the
/// caller's transaction so that nothing changes it meanwhile) into `dst`, which must hold no rows
/// (its schema is created if missing). Returns the rows copied per table.
pub fn sqlite_to_postgres(source: Db<'_>, dst: &Pg) -> Result<Vec<Transferred>> {
    if source.engine() != super::Engine::Sqlite {
        return Err(Error::field(
            "from",
            t!(
                "迁移的来源须是本机数据库文件",
                "the source of a migration is a SQLite database file"
            ),
        ));
    }
    super::pg::migrate(dst)?;
    let target = Db::Postgres(dst);
    for table in TABLES {
        let any: Option<i64> =
            target.first(&format!("SELECT 1 FROM {table} LIMIT 1"), crate::args![])?;
        if any.is_some() {
            return Err(Error::field(
                "to",
                t!(
                    format!("目标数据库不是空的（表 {table} 已有数据），未迁移任何数据：请指定一个新建的空数据库"),
                    format!("the target database is not empty (table {table} has rows); nothing was migrated: name a new, empty database")
                ),
            ));
        }
    }
    target.batch("BEGIN")?;
    let result = copy_all(source, target);
    match result {
        Ok(report) => {
            target.batch("COMMIT")?;
            Ok(report)
        }
        Err(e) => {
            let _ = target.batch("ROLLBACK");
            Err(e)
        }
    }
}

fn copy_all(source: Db<'_>, target: Db<'_>) -> Result<Vec<Transferred>> {
    target.batch(&format!(
        "SELECT pg_advisory_xact_lock({})",
        super::db::WRITE_LOCK
    ))?;
    let mut report = Vec::new();
    for table in TABLES {
        let columns: Vec<String> = target.rows(
            "SELECT column_name FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = ?1 AND is_generated = 'NEVER'
             ORDER BY ordinal_position",
            crate::args![*table],
            |r| r.get(0),
        )?;
        let list = columns.join(", ");
        // Parents before children where a table refers to itself (a division's parent).
        let order = if *table == "divisions" {
            "parent IS NOT NULL, code"
        } else {
            "1"
        };
        let per_batch = (BATCH_ARGS / columns.len().max(1)).max(1);
        let mut pending: Vec<Value> = Vec::new();
        let mut rows = 0u64;
        let flush = |pending: &mut Vec<Value>| -> Result<()> {
            if pending.is_empty() {
                return Ok(());
            }
            let n = pending.len() / columns.len();
            let mut sql = format!("INSERT INTO {table} ({list}) VALUES ");
            for i in 0..n {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..columns.len() {
                    if c > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("?{}", i * columns.len() + c + 1));
                }
                sql.push(')');
            }
            let refs: Vec<&dyn ToArg> = pending.iter().map(|v| v as &dyn ToArg).collect();
            target.exec(&sql, &refs)?;
            pending.clear();
            Ok(())
        };
        source.each(
            &format!("SELECT {list} FROM {table} ORDER BY {order}"),
            crate::args![],
            |r| {
                for c in 0..columns.len() {
                    pending.push(r.value(c)?);
                }
                rows += 1;
                if rows as usize % per_batch == 0 {
                    flush(&mut pending)?;
                }
                Ok(())
            },
        )?;
        flush(&mut pending)?;
        report.push(Transferred {
            table: table.to_string(),
            rows,
        });
    }
    // Identities continue after the carried rows.
    let identities: Vec<(String, String)> = target.rows(
        "SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND is_identity = 'YES'",
        crate::args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (table, column) in identities {
        target.batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                           COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"
        ))?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of the SQLite schema is carried over, and only those.
    #[test]
    fn the_list_covers_every_table() {
        let conn = super::super::open_in_memory().unwrap();
        let mut tables: Vec<String> = Db::Sqlite(&conn)
            .rows(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'firms_fts%' ORDER BY name",
                crate::args![],
                |r| r.get(0),
            )
            .unwrap();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        tables.sort();
        listed.sort();
        assert_eq!(tables, listed);
    }
}

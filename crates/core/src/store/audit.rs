//! Every statement on the audit log: the `audit_events` chain, its head in `settings`
//! (`audit_head`, `audit_head_sig`) and the append-only triggers. The hashing, the signing and the
//! verification are in `crate::audit`; nothing here knows what a hash means.
//!
//! One chain with several writers: the tail is read inside the write transaction that appends
//! after it. On SQLite that transaction is `BEGIN IMMEDIATE`, so no other writer can append in
//! between; on PostgreSQL the transaction-scoped advisory write lock (`store::db::WRITE_LOCK`,
//! taken first by `Conn::begin_write`) serialises the writers the same way, and the schema's
//! `UNIQUE (prev_hash)` and primary key on `seq` are the backstop: a second event after the same
//! tail is refused rather than forking the chain.

use crate::args;
use crate::error::Result;
use crate::store::{Db, Engine, Row};

/// One event as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub record: String,
    /// JSON texts, as they were hashed.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub client: Option<String>,
}

/// An event to append, borrowed from its caller (a bulk generator appends a million).
pub(crate) struct NewEvent<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub record: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub client: Option<&'a str>,
}

const COLUMNS: &str =
    "SELECT seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash, client FROM audit_events";

fn event(r: &Row<'_>) -> Result<EventRow> {
    Ok(EventRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor_id: r.get(2)?,
        actor_name: r.get(3)?,
        role: r.get(4)?,
        action: r.get(5)?,
        record: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
        client: r.get(11)?,
    })
}

/// The last event's number and hash (None for an empty log).
pub(crate) fn tail(db: Db<'_>) -> Result<Option<(i64, String)>> {
    db.row_opt(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The last event's number (0 for an empty log).
pub(crate) fn tail_seq(db: Db<'_>) -> Result<i64> {
    Ok(db
        .first::<i64>(
            "SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1",
            args![],
        )?
        .unwrap_or(0))
}

pub(crate) fn insert_event(db: Db<'_>, e: &NewEvent<'_>) -> Result<()> {
    db.exec(
        "INSERT INTO audit_events (seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash, client)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        args![
            e.seq,
            e.at,
            e.actor_id,
            e.actor_name,
            e.role,
            e.action,
            e.record,
            e.before,
            e.after,
            e.prev_hash,
            e.hash,
            e.client
        ],
    )?;
    Ok(())
}

/// Up to `limit` events after event `after`, in order: the verification walks the chain in pages,
/// so that neither engine holds the whole log in memory.
pub(crate) fn events_after(db: Db<'_>, after: i64, limit: u32) -> Result<Vec<EventRow>> {
    db.rows(
        &format!("{COLUMNS} WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
        args![after, limit],
        event,
    )
}

/// The hash of event `seq`, if it is in the log.
pub(crate) fn hash_of(db: Db<'_>, seq: i64) -> Result<Option<String>> {
    db.first("SELECT hash FROM audit_events WHERE seq = ?1", args![seq])
}

/// A page of the log, newest first: one record's events, or all of them.
pub(crate) fn page(
    db: Db<'_>,
    record: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<Vec<EventRow>> {
    // Two statements, so that one record's events come from the (record, seq) index and the whole
    // log pages backwards from the newest event; one statement with `? IS NULL OR …` uses neither.
    match record {
        Some(record) => db.rows(
            &format!("{COLUMNS} WHERE record = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3"),
            args![record, limit, offset],
            event,
        ),
        None => db.rows(
            &format!("{COLUMNS} ORDER BY seq DESC LIMIT ?1 OFFSET ?2"),
            args![limit, offset],
            event,
        ),
    }
}

/// What the administrator's log screen filters by: one record, one user (by name), and a span of
/// instants `[from, to)` (UTC RFC 3339, the local days already converted by the caller).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter<'a> {
    pub record: Option<&'a str>,
    pub user: Option<&'a str>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn filter_sql(f: &Filter<'_>) -> (String, Vec<crate::store::Value>) {
    use crate::store::Value;
    let mut sql = String::from(" WHERE TRUE");
    let mut args = Vec::new();
    if let Some(r) = f.record {
        sql.push_str(" AND record = ?");
        args.push(Value::Text(r.to_string()));
    }
    if let Some(u) = f.user {
        sql.push_str(" AND actor_name = ?");
        args.push(Value::Text(u.to_string()));
    }
    if let Some(from) = &f.from {
        sql.push_str(" AND at >= ?");
        args.push(Value::Text(from.clone()));
    }
    if let Some(to) = &f.to {
        sql.push_str(" AND at < ?");
        args.push(Value::Text(to.clone()));
    }
    (sql, args)
}

/// A filtered page of the log, newest first.
pub(crate) fn search(db: Db<'_>, f: &Filter<'_>, limit: u32, offset: u32) -> Result<Vec<EventRow>> {
    use crate::store::db::ToArg;
    let (cond, mut args) = filter_sql(f);
    args.push(crate::store::Value::Int(i64::from(limit)));
    args.push(crate::store::Value::Int(i64::from(offset)));
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(
        &format!("{COLUMNS}{cond} ORDER BY seq DESC LIMIT ? OFFSET ?"),
        &refs,
        event,
    )
}

/// How many events the filter keeps.
pub(crate) fn count(db: Db<'_>, f: &Filter<'_>) -> Result<i64> {
    use crate::store::db::ToArg;
    let (cond, args) = filter_sql(f);
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.one(&format!("SELECT count(*) FROM audit_events{cond}"), &refs)
}

/// Every user's id and name: the log's `user:ID` records shown by name.
pub(crate) fn user_names(db: Db<'_>) -> Result<Vec<(i64, String)>> {
    db.rows("SELECT id, name FROM users ORDER BY id", args![], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// The names of the users who appear in the log (the filter's choices), sorted.
pub(crate) fn actor_names(db: Db<'_>) -> Result<Vec<String>> {
    db.rows(
        "SELECT DISTINCT actor_name FROM audit_events ORDER BY actor_name",
        args![],
        |r| r.get(0),
    )
}

/// The head as stored: the last event's hash and its signature record (`seq:kid:signature`).
pub(crate) struct Head {
    pub hash: Option<String>,
    pub signed: Option<String>,
}

pub(crate) fn head(db: Db<'_>) -> Result<Head> {
    let get =
        |key: &str| db.first::<String>("SELECT value FROM settings WHERE key = ?1", args![key]);
    Ok(Head {
        hash: get("audit_head")?,
        signed: get("audit_head_sig")?,
    })
}

/// Writes the head and its signature record (`seq:kid:signature`).
pub(crate) fn write_head(db: Db<'_>, hash: &str, signed: &str) -> Result<()> {
    db.exec(
        "INSERT INTO settings(key, value) VALUES ('audit_head', ?1), ('audit_head_sig', ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        args![hash, signed],
    )?;
    Ok(())
}

/// What is wrong with the append-only triggers of the audit table, if anything: they must be
/// exactly those the migrations create (same names, same text), with no other trigger on the
/// table. SQLite keeps each trigger's text in `sqlite_master`; PostgreSQL's guards are read from
/// `pg_trigger` (`store::guards`).
pub(crate) fn trigger_problem(db: Db<'_>) -> Result<Option<String>> {
    match db.engine() {
        Engine::Sqlite => {
            let found = db.rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events' ORDER BY name",
                args![],
                |r| Ok((r.get::<String>(0)?, r.get::<Option<String>>(1)?)),
            )?;
            Ok(compare_triggers(&found))
        }
        Engine::Postgres => super::guards::audit_trigger_problem(db),
    }
}

fn compare_triggers(found: &[(String, Option<String>)]) -> Option<String> {
    let mut expected = expected_triggers();
    expected.sort();
    for (name, text) in &expected {
        match found.iter().find(|(n, _)| n == name) {
            None => return Some("the append-only triggers of the audit log were removed".into()),
            Some((_, sql)) if normalise(sql.as_deref().unwrap_or_default()) != *text => {
                return Some(format!(
                    "the append-only trigger {name} of the audit log was replaced by another text"
                ))
            }
            Some(_) => {}
        }
    }
    found
        .iter()
        .find(|(n, _)| !expected.iter().any(|(e, _)| e == n))
        .map(|(extra, _)| format!("an unexpected trigger {extra} was added to the audit log"))
}

/// Whitespace-insensitive form of a statement, without a final `;`.
fn normalise(sql: &str) -> String {
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

/// The audit table's triggers as the migrations create them: (name, normalised SQL).
fn expected_triggers() -> Vec<(String, String)> {
    let sql = include_str!("migrations/sqlite/001_initial.sql");
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find("CREATE TRIGGER audit_") {
        let stmt = &rest[at..];
        let end = stmt.find("END;").map(|e| e + 4).unwrap_or(stmt.len());
        let text = &stmt[..end];
        let name = text
            .split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string();
        out.push((name, normalise(text)));
        rest = &stmt[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Mark, Who};
    use crate::keys::KeyStore;

    /// Every statement above on a migrated database of either engine, and the chain made with
    /// them verifying whole.
    fn audit_on(db: Db<'_>) {
        let keys = KeyStore::in_memory();
        keys.create_audit_key().unwrap();
        let who = Who {
            id: None,
            name: "system".into(),
            role: "system".into(),
            client: None,
        };
        assert_eq!(tail(db).unwrap(), None);
        assert_eq!(tail_seq(db).unwrap(), 0);
        assert!(!crate::store::settings::has_policy(db).unwrap());
        assert!(crate::audit::verify(db, &keys).unwrap().ok);
        let now = chrono::DateTime::parse_from_rfc3339("2020-02-10T01:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mark = Mark::take(db).unwrap();
        let after = serde_json::json!({"n": 1});
        for (k, record) in ["a", "b", "a"].iter().enumerate() {
            let seq =
                crate::audit::append(db, &who, "t.act", record, None, Some(&after), now).unwrap();
            assert_eq!(seq, k as i64 + 1);
        }
        // Not signed yet: the transaction's owner signs once, at the end.
        assert!(head(db).unwrap().signed.is_none());
        mark.sign_head(db, &keys).unwrap();
        let (seq, hash) = tail(db).unwrap().unwrap();
        assert_eq!(seq, 3);
        let stored = head(db).unwrap();
        assert_eq!(stored.hash.as_deref(), Some(hash.as_str()));
        let signed = stored.signed.unwrap();
        assert!(signed.starts_with("3:"));
        // A transaction that appends nothing signs nothing.
        write_head(db, &hash, "3:x:y").unwrap();
        Mark::take(db).unwrap().sign_head(db, &keys).unwrap();
        assert_eq!(head(db).unwrap().signed.as_deref(), Some("3:x:y"));
        write_head(db, &hash, &signed).unwrap();
        let report = crate::audit::verify(db, &keys).unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events, 3);
        assert_eq!(hash_of(db, 3).unwrap(), Some(hash));
        assert_eq!(hash_of(db, 4).unwrap(), None);
        let seqs = |rows: Vec<EventRow>| rows.iter().map(|r| r.seq).collect::<Vec<_>>();
        assert_eq!(seqs(events_after(db, i64::MIN, 2).unwrap()), [1, 2]);
        assert_eq!(seqs(events_after(db, 2, 2).unwrap()), [3]);
        assert_eq!(seqs(page(db, None, 2, 0).unwrap()), [3, 2]);
        assert_eq!(seqs(page(db, None, 2, 2).unwrap()), [1]);
        assert_eq!(seqs(page(db, Some("a"), 10, 0).unwrap()), [3, 1]);
        let only_a = Filter {
            record: Some("a"),
            ..Filter::default()
        };
        assert_eq!(seqs(search(db, &only_a, 10, 0).unwrap()), [3, 1]);
        assert_eq!(count(db, &only_a).unwrap(), 2);
        let by_system = Filter {
            user: Some("system"),
            from: Some("2020-02-10T00:00:00Z".into()),
            to: Some("2020-02-11T00:00:00Z".into()),
            ..Filter::default()
        };
        assert_eq!(count(db, &by_system).unwrap(), 3);
        assert_eq!(seqs(search(db, &by_system, 1, 1).unwrap()), [2]);
        let later = Filter {
            from: Some("2020-02-10T01:00:01Z".into()),
            ..Filter::default()
        };
        assert_eq!(count(db, &later).unwrap(), 0);
        let nobody = Filter {
            user: Some("admin"),
            ..Filter::default()
        };
        assert_eq!(count(db, &nobody).unwrap(), 0);
        assert_eq!(actor_names(db).unwrap(), ["system"]);
        assert!(user_names(db).unwrap().is_empty());
        let first = &events_after(db, 0, 1).unwrap()[0];
        assert_eq!(first.prev_hash, crate::audit::GENESIS);
        assert_eq!(first.before, None);
        assert_eq!(first.after.as_deref(), Some(r#"{"n":1}"#));
        assert_eq!(trigger_problem(db).unwrap(), None);
        // The log refuses changes on both engines.
        assert!(db
            .exec(
                "UPDATE audit_events SET action = 'x' WHERE seq = 1",
                args![]
            )
            .is_err());
    }

    #[test]
    fn audit_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        audit_on(Db::from(&c));
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn audit_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        audit_on(Db::from(&pg));
    }

    #[test]
    fn the_migrations_make_two_audit_triggers() {
        let names: Vec<String> = expected_triggers().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["audit_no_update", "audit_no_delete"]);
        let found: Vec<(String, Option<String>)> = expected_triggers()
            .into_iter()
            .map(|(n, t)| (n, Some(t)))
            .collect();
        assert_eq!(compare_triggers(&found), None);
        assert!(compare_triggers(&found[..1]).is_some_and(|p| p.contains("removed")));
    }
}

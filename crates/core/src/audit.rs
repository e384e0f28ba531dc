//! The append-only, hash-chained audit log. Every use case appends its event inside its own
//! transaction; `verify` walks the chain and reports the first broken or missing link.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted: a user, or the system itself (init, migrations).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Who {
    pub id: Option<i64>,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub record: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
fn digest(
    seq: i64,
    at: &str,
    actor_id: Option<i64>,
    actor_name: &str,
    role: &str,
    action: &str,
    record: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev: &str,
) -> String {
    // Length-prefixed fields: no two different events can serialise to the same bytes.
    let mut h = Sha256::new();
    let actor = actor_id.map(|i| i.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    for part in [
        seq.as_str(),
        at,
        actor.as_str(),
        actor_name,
        role,
        action,
        record,
        before.unwrap_or("\u{0}"),
        after.unwrap_or("\u{0}"),
        prev,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one event; call inside the use case's transaction.
pub fn append(
    conn: &Connection,
    who: &Who,
    action: &str,
    record: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let before = before.map(|v| v.to_string());
    let after = after.map(|v| v.to_string());
    let hash = digest(
        seq,
        &at,
        who.id,
        &who.name,
        &who.role,
        action,
        record,
        before.as_deref(),
        after.as_deref(),
        &prev,
    );
    conn.execute(
        "INSERT INTO audit_events (seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![seq, at, who.id, who.name, who.role, action, record, before, after, prev, hash],
    )?;
    // The head is kept apart from the chain, so deleting events at the tail shows too.
    conn.execute(
        "INSERT INTO settings(key, value) VALUES ('audit_head', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![hash],
    )?;
    Ok(seq)
}

/// Appends many events in a row through one prepared statement, for bulk generators: the chain's
/// tail is read once at the start and the head written once by `finish`. Same hash as `append`.
/// Call inside one transaction; events must be pushed in time order.
pub(crate) struct Batch<'c> {
    conn: &'c Connection,
    insert: rusqlite::Statement<'c>,
    seq: i64,
    prev: String,
}

impl<'c> Batch<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<Self> {
        let last: Option<(i64, String)> = conn
            .query_row(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, prev) = last.unwrap_or((0, GENESIS.to_string()));
        let insert = conn.prepare(
            "INSERT INTO audit_events (seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        Ok(Batch {
            conn,
            insert,
            seq,
            prev,
        })
    }

    /// Appends one event; `before` and `after` are JSON texts (as `append` stores them).
    pub(crate) fn push(
        &mut self,
        who: &Who,
        action: &str,
        record: &str,
        before: Option<&str>,
        after: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let seq = self.seq + 1;
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let hash = digest(
            seq, &at, who.id, &who.name, &who.role, action, record, before, after, &self.prev,
        );
        self.insert.execute(params![
            seq, at, who.id, who.name, who.role, action, record, before, after, self.prev, hash
        ])?;
        self.seq = seq;
        self.prev = hash;
        Ok(seq)
    }

    /// Writes the new head; returns the number of the last event.
    pub(crate) fn finish(self) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES ('audit_head', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![self.prev],
        )?;
        Ok(self.seq)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VerifyReport {
    pub ok: bool,
    pub events: i64,
    /// The first event whose link is broken (changed, inserted or missing before it).
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Walks the chain from the first event; reports the first broken or missing link, and whether
/// the append-only triggers are still in place.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash
         FROM audit_events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut n = 0i64;
    let bad = |seq: i64, n: i64, why: String| VerifyReport {
        ok: false,
        events: n,
        first_bad_seq: Some(seq),
        problem: Some(why),
    };
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let actor_id: Option<i64> = r.get(2)?;
        let actor_name: String = r.get(3)?;
        let role: String = r.get(4)?;
        let action: String = r.get(5)?;
        let record: String = r.get(6)?;
        let before: Option<String> = r.get(7)?;
        let after: Option<String> = r.get(8)?;
        let prev_hash: String = r.get(9)?;
        let hash: String = r.get(10)?;
        n += 1;
        if seq != expected_seq {
            return Ok(bad(
                seq,
                n,
                format!("event {expected_seq} is missing (next present is {seq})"),
            ));
        }
        if prev_hash != prev {
            return Ok(bad(
                seq,
                n,
                format!("event {seq} does not link to event {}", seq - 1),
            ));
        }
        let h = digest(
            seq,
            &at,
            actor_id,
            &actor_name,
            &role,
            &action,
            &record,
            before.as_deref(),
            after.as_deref(),
            &prev_hash,
        );
        if h != hash {
            return Ok(bad(
                seq,
                n,
                format!("event {seq} was changed after it was written"),
            ));
        }
        prev = hash;
        expected_seq += 1;
    }
    let head: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'audit_head'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(head) = head {
        if head != prev {
            return Ok(bad(
                expected_seq,
                n,
                "events at the end of the log are missing".into(),
            ));
        }
    }
    let triggers: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name IN ('audit_no_update','audit_no_delete')",
        [],
        |r| r.get(0),
    )?;
    if triggers != 2 {
        return Ok(VerifyReport {
            ok: false,
            events: n,
            first_bad_seq: None,
            problem: Some("the append-only triggers of the audit log were removed".into()),
        });
    }
    Ok(VerifyReport {
        ok: true,
        events: n,
        first_bad_seq: None,
        problem: None,
    })
}

pub fn log(
    conn: &Connection,
    record: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<Vec<AuditEvent>> {
    // Two statements, so that one record's events come from the (record, seq) index and the whole
    // log pages backwards from the newest event; one statement with `?1 IS NULL OR …` uses neither.
    const COLUMNS: &str =
        "SELECT seq, at, actor_id, actor_name, role, action, record, before, after, prev_hash, hash FROM audit_events";
    let mut stmt = match record {
        Some(_) => conn.prepare_cached(&format!(
            "{COLUMNS} WHERE record = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3"
        ))?,
        None => conn.prepare_cached(&format!(
            "{COLUMNS} WHERE ?1 IS NULL ORDER BY seq DESC LIMIT ?2 OFFSET ?3"
        ))?,
    };
    let rows = stmt.query_map(params![record, limit, offset], |r| {
        let before: Option<String> = r.get(7)?;
        let after: Option<String> = r.get(8)?;
        Ok(AuditEvent {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor_id: r.get(2)?,
            actor_name: r.get(3)?,
            role: r.get(4)?,
            action: r.get(5)?,
            record: r.get(6)?,
            before: before.and_then(|s| serde_json::from_str(&s).ok()),
            after: after.and_then(|s| serde_json::from_str(&s).ok()),
            prev_hash: r.get(9)?,
            hash: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

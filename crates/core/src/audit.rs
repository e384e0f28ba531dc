//! The append-only, hash-chained audit log. Every use case appends its event inside its own
//! transaction; `verify` walks the chain and reports the first broken or missing link.
//!
//! Each event carries the SHA-256 of the previous one, and the head (the last event's number and
//! hash) is signed with the installation's Ed25519 audit key, kept in the key directory outside
//! the database (`keys.rs`; the connection signs through `reopen_audit_sign`). Whoever holds only
//! the database file can recompute SHA-256 hashes but cannot sign the head of a rewritten or
//! truncated log. An anchor (`Anchor`) is the signed head written to a file the administrator
//! keeps; `verify_anchor` checks that the log still extends it.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::Db;
use crate::t;

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
    conn: Db<'_>,
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
    set_head(conn, seq, &hash)?;
    Ok(seq)
}

/// What the audit key signs for the head: domain-separated from anchors.
pub fn head_message(seq: i64, hash: &str) -> String {
    format!("reopen-audit-head\n{seq}\n{hash}")
}

/// What the audit key signs for an anchor.
pub fn anchor_message(seq: i64, hash: &str, at: &str) -> String {
    format!("reopen-audit-anchor\n{seq}\n{hash}\n{at}")
}

/// Keeps the head apart from the chain (so deleting events at the tail shows too) and signs it
/// with the audit key (so whoever lacks the key cannot write a head for a rewritten log).
fn set_head(conn: Db<'_>, seq: i64, hash: &str) -> Result<()> {
    let signed: String = conn
        .prepare_cached("SELECT reopen_audit_sign(?1, ?2)")
        .and_then(|mut st| st.query_row(params![seq, hash], |r| r.get(0)))
        .map_err(|e| crate::keys::sql_error(e, "操作日志签名密钥 / the audit log key"))?;
    conn.execute(
        "INSERT INTO settings(key, value) VALUES ('audit_head', ?1), ('audit_head_sig', ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![hash, format!("{seq}:{signed}")],
    )?;
    Ok(())
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

    /// Writes and signs the new head; returns the number of the last event.
    pub(crate) fn finish(self) -> Result<i64> {
        if self.seq > 0 {
            set_head(self.conn.into(), self.seq, &self.prev)?;
        }
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
pub fn verify(conn: Db<'_>) -> Result<VerifyReport> {
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
    if let Some(why) = head_problem(conn, n, &prev)? {
        return Ok(VerifyReport {
            ok: false,
            events: n,
            first_bad_seq: why.0,
            problem: Some(why.1),
        });
    }
    if let Some(why) = trigger_problem(conn)? {
        return Ok(VerifyReport {
            ok: false,
            events: n,
            first_bad_seq: None,
            problem: Some(why),
        });
    }
    Ok(VerifyReport {
        ok: true,
        events: n,
        first_bad_seq: None,
        problem: None,
    })
}

fn setting(conn: Db<'_>, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The head after a walk of `n` intact events ending in `last`: present, equal to the last
/// event, and signed by the audit key. `Some((first bad seq, why))` when not.
fn head_problem(conn: Db<'_>, n: i64, last: &str) -> Result<Option<(Option<i64>, String)>> {
    let head = setting(conn, "audit_head")?;
    if n == 0 && head.is_none() {
        // `init` records its event in the transaction that stores the policy.
        if setting(conn, "policy")?.is_some() {
            return Ok(Some((
                Some(1),
                "the log is empty although the database is initialised".into(),
            )));
        }
        return Ok(None);
    }
    let Some(head) = head else {
        return Ok(Some((
            None,
            "the head record of the log (settings.audit_head) is missing although events exist"
                .into(),
        )));
    };
    if head != last {
        return Ok(Some((
            Some(n + 1),
            "events at the end of the log are missing".into(),
        )));
    }
    let Some(signed) = setting(conn, "audit_head_sig")? else {
        return Ok(Some((
            None,
            "the head of the log is not signed (settings.audit_head_sig is missing)".into(),
        )));
    };
    let mut parts = signed.splitn(3, ':');
    let (seq, kid, sig) = (parts.next(), parts.next(), parts.next());
    let (Some(seq), Some(kid), Some(sig)) = (seq.and_then(|s| s.parse::<i64>().ok()), kid, sig)
    else {
        return Ok(Some((
            None,
            "the head's signature record is malformed".into(),
        )));
    };
    if seq != n {
        return Ok(Some((
            None,
            format!("the signed head is event {seq}, but the log ends at event {n}"),
        )));
    }
    let public: Option<String> =
        match conn.query_row("SELECT reopen_audit_public(?1)", [kid], |r| r.get(0)) {
            Ok(p) => p,
            Err(e) => {
                return Ok(Some((
                    None,
                    format!(
                    "the head's signature cannot be checked without the audit key directory ({e})"
                ),
                )))
            }
        };
    let Some(public) = public else {
        return Ok(Some((
            None,
            format!("the head is signed by key {kid}, which is not this installation's audit key"),
        )));
    };
    if !signature_ok(&public, head_message(seq, &head).as_bytes(), sig) {
        return Ok(Some((
            None,
            "the head's signature does not match: the log was rewritten without the audit key"
                .into(),
        )));
    }
    Ok(None)
}

fn signature_ok(public_hex: &str, message: &[u8], sig_hex: &str) -> bool {
    use ed25519_dalek::{Signature, Verifier};
    let Ok(key) = crate::domain::certificate::verifying_key_from_hex(public_hex) else {
        return false;
    };
    hex::decode(sig_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        .is_some_and(|b| key.verify(message, &Signature::from_bytes(&b)).is_ok())
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
    let sql = include_str!("store/migrations/sqlite/001_initial.sql");
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

/// The append-only triggers must be exactly those of the migrations: same names, same text,
/// and no other trigger on the audit table.
fn trigger_problem(conn: Db<'_>) -> Result<Option<String>> {
    let mut st = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events' ORDER BY name",
    )?;
    let found = st
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut expected = expected_triggers();
    expected.sort();
    for (name, text) in &expected {
        match found.iter().find(|(n, _)| n == name) {
            None => {
                return Ok(Some(
                    "the append-only triggers of the audit log were removed".into(),
                ))
            }
            Some((_, sql)) if normalise(sql.as_deref().unwrap_or_default()) != *text => {
                return Ok(Some(format!(
                    "the append-only trigger {name} of the audit log was replaced by another text"
                )))
            }
            Some(_) => {}
        }
    }
    if let Some((extra, _)) = found
        .iter()
        .find(|(n, _)| !expected.iter().any(|(e, _)| e == n))
    {
        return Ok(Some(format!(
            "an unexpected trigger {extra} was added to the audit log"
        )));
    }
    Ok(None)
}

/// A signed head written to a file the administrator keeps (or prints): the log must always
/// extend it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Anchor {
    pub format: String,
    pub version: u32,
    /// The last event when the anchor was made, and its hash.
    pub seq: i64,
    pub hash: String,
    /// When the anchor was made (UTC, RFC 3339).
    pub at: String,
    /// The audit key's id and its Ed25519 signature (hex) of `anchor_message(seq, hash, at)`.
    pub kid: String,
    pub signature: String,
}

pub const ANCHOR_FORMAT: &str = "reopen-audit-anchor";

impl Anchor {
    pub fn parse(text: &str) -> Result<Anchor> {
        let bad = |why: &str| {
            Error::field(
                "anchor",
                t!(
                    format!("锚点文件无效：{why}"),
                    format!("not a valid anchor file: {why}")
                ),
            )
        };
        let a: Anchor = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
        if a.format != ANCHOR_FORMAT || a.version != 1 {
            return Err(bad("format/version"));
        }
        Ok(a)
    }
}

/// The last event's number and hash (None for an empty log).
pub fn last_event(conn: Db<'_>) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether the log still extends `anchor`: the anchor is genuine (signed by the audit key), the
/// whole chain and its signed head verify, and the anchored event still has the anchored hash.
pub fn verify_anchor(conn: Db<'_>, anchor: &Anchor) -> Result<VerifyReport> {
    let report = verify(conn)?;
    let bad = |seq: Option<i64>, why: String| VerifyReport {
        ok: false,
        events: report.events,
        first_bad_seq: seq,
        problem: Some(why),
    };
    let public: Option<String> = conn
        .query_row("SELECT reopen_audit_public(?1)", [&anchor.kid], |r| {
            r.get(0)
        })
        .map_err(|e| crate::keys::sql_error(e, "操作日志签名密钥 / the audit log key"))?;
    let genuine = public.is_some_and(|p| {
        signature_ok(
            &p,
            anchor_message(anchor.seq, &anchor.hash, &anchor.at).as_bytes(),
            &anchor.signature,
        )
    });
    if !genuine {
        return Ok(bad(
            None,
            "the anchor is not signed by this installation's audit key".into(),
        ));
    }
    if !report.ok {
        return Ok(report);
    }
    let at: Option<String> = conn
        .query_row(
            "SELECT hash FROM audit_events WHERE seq = ?1",
            [anchor.seq],
            |r| r.get(0),
        )
        .optional()?;
    match at {
        None => Ok(bad(
            Some(anchor.seq),
            format!(
                "event {} of the anchor is no longer in the log: the log was cut back or replaced",
                anchor.seq
            ),
        )),
        Some(h) if h != anchor.hash => Ok(bad(
            Some(anchor.seq),
            format!(
                "event {} no longer has the anchored hash: history up to the anchor was rewritten",
                anchor.seq
            ),
        )),
        Some(_) => Ok(report),
    }
}

pub fn log(conn: Db<'_>, record: Option<&str>, limit: u32, offset: u32) -> Result<Vec<AuditEvent>> {
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

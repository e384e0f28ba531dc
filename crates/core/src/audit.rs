//! The append-only, hash-chained audit log. Every use case appends its event inside its own
//! transaction; `verify` walks the chain and reports the first broken or missing link.
//!
//! Each event carries the SHA-256 of the previous one, and the head (the last event's number and
//! hash) is signed with the installation's Ed25519 audit key, kept in the key directory outside
//! the database (`keys.rs`; the transaction's owner signs it, see `Mark`). Whoever holds only
//! the database file can recompute SHA-256 hashes but cannot sign the head of a rewritten or
//! truncated log. An anchor (`Anchor`) is the signed head written to a file the administrator
//! keeps; `verify_anchor` checks that the log still extends it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::keys::{KeyMissing, KeyStore};
use crate::store::audit as store;
use crate::store::Db;
use crate::t;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted: a user, or the system itself (init, migrations).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Who {
    pub id: Option<i64>,
    pub name: String,
    pub role: String,
    /// The client's address when the user acted through `reopen serve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub client: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
    /// The client's address when the event came through `reopen serve`.
    #[serde(default)]
    pub client: Option<String>,
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
    client: Option<&str>,
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
    // One more part only when there is an address: events without one (every event before the
    // column existed) hash as they always did.
    if let Some(c) = client {
        h.update((c.len() as u64).to_le_bytes());
        h.update(c.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one event; call inside the use case's write transaction, whose owner signs the new
/// head before it commits (`Mark::sign_head`).
pub fn append(
    db: Db<'_>,
    who: &Who,
    action: &str,
    record: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (seq, prev) = match store::tail(db)? {
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
        who.client.as_deref(),
    );
    store::insert_event(
        db,
        &store::NewEvent {
            seq,
            at: &at,
            actor_id: who.id,
            actor_name: &who.name,
            role: &who.role,
            action,
            record,
            before: before.as_deref(),
            after: after.as_deref(),
            prev_hash: &prev,
            hash: &hash,
            client: who.client.as_deref(),
        },
    )?;
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

/// The log's last event when a write transaction began. Whoever owns the transaction
/// (`Reopen::write`, the login, the demo generator) takes the mark first thing and calls
/// `sign_head` last before committing: events appended in between get one signed head.
///
/// The head is kept apart from the chain (so deleting events at the tail shows too) and signed
/// with the audit key (so whoever lacks the key cannot write a head for a rewritten log). It is
/// signed here, in Rust, with the key store the core holds: the use cases' `audit()` calls need
/// no key, and a transaction that appended nothing signs nothing (a head damaged by hand is never
/// re-signed by an unrelated write). Without the audit key the transaction fails and rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a transaction that appends events must sign the new head before it commits"]
pub(crate) struct Mark(i64);

impl Mark {
    /// Call first thing inside the write transaction.
    pub(crate) fn take(db: Db<'_>) -> Result<Mark> {
        store::tail_seq(db).map(Mark)
    }

    /// Signs and writes the new head if events were appended since the mark; call last before
    /// committing.
    pub(crate) fn sign_head(self, db: Db<'_>, keys: &KeyStore) -> Result<()> {
        let Some((seq, hash)) = store::tail(db)? else {
            return Ok(());
        };
        if seq == self.0 {
            return Ok(());
        }
        let (kid, sig) = keys.audit_sign(head_message(seq, &hash).as_bytes())?;
        store::write_head(db, &hash, &format!("{seq}:{kid}:{sig}"))
    }
}

/// Appends many events in a row, for bulk generators: the chain's tail is read once at the
/// start. Same hash as `append`. Call inside one write transaction whose owner signs the head
/// (`Mark`); events must be pushed in time order.
pub(crate) struct Batch<'c> {
    db: Db<'c>,
    seq: i64,
    prev: String,
}

impl<'c> Batch<'c> {
    pub(crate) fn new(db: Db<'c>) -> Result<Self> {
        let (seq, prev) = store::tail(db)?.unwrap_or((0, GENESIS.to_string()));
        Ok(Batch { db, seq, prev })
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
            seq,
            &at,
            who.id,
            &who.name,
            &who.role,
            action,
            record,
            before,
            after,
            &self.prev,
            who.client.as_deref(),
        );
        store::insert_event(
            self.db,
            &store::NewEvent {
                seq,
                at: &at,
                actor_id: who.id,
                actor_name: &who.name,
                role: &who.role,
                action,
                record,
                before,
                after,
                prev_hash: &self.prev,
                hash: &hash,
                client: who.client.as_deref(),
            },
        )?;
        self.seq = seq;
        self.prev = hash;
        Ok(seq)
    }

    /// The number of the last event.
    pub(crate) fn finish(self) -> i64 {
        self.seq
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VerifyReport {
    pub ok: bool,
    pub events: i64,
    /// The first event whose link is broken (changed, inserted or missing before it).
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// How many events the verification reads at a time.
const PAGE: u32 = 10_000;

/// Walks the chain from the first event; reports the first broken or missing link, whether the
/// head is the last event and signed by the audit key (checked with `keys`), and whether the
/// append-only triggers are still in place.
pub fn verify(db: Db<'_>, keys: &KeyStore) -> Result<VerifyReport> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut n = 0i64;
    let bad = |seq: i64, n: i64, why: String| VerifyReport {
        ok: false,
        events: n,
        first_bad_seq: Some(seq),
        problem: Some(why),
    };
    // Keyset pages from the lowest number there is (a row slipped in below 1 is found too).
    let mut after = i64::MIN;
    loop {
        let rows = store::events_after(db, after, PAGE)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.seq;
        for r in &rows {
            n += 1;
            if r.seq != expected_seq {
                return Ok(bad(
                    r.seq,
                    n,
                    format!(
                        "event {expected_seq} is missing (next present is {})",
                        r.seq
                    ),
                ));
            }
            if r.prev_hash != prev {
                return Ok(bad(
                    r.seq,
                    n,
                    format!("event {} does not link to event {}", r.seq, r.seq - 1),
                ));
            }
            let h = digest(
                r.seq,
                &r.at,
                r.actor_id,
                &r.actor_name,
                &r.role,
                &r.action,
                &r.record,
                r.before.as_deref(),
                r.after.as_deref(),
                &r.prev_hash,
                r.client.as_deref(),
            );
            if h != r.hash {
                return Ok(bad(
                    r.seq,
                    n,
                    format!("event {} was changed after it was written", r.seq),
                ));
            }
            prev.clone_from(&r.hash);
            expected_seq += 1;
        }
        if rows.len() < PAGE as usize {
            break;
        }
    }
    if let Some(why) = head_problem(db, keys, n, &prev)? {
        return Ok(VerifyReport {
            ok: false,
            events: n,
            first_bad_seq: why.0,
            problem: Some(why.1),
        });
    }
    if let Some(why) = store::trigger_problem(db)? {
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

/// The head after a walk of `n` intact events ending in `last`: present, equal to the last
/// event, and signed by the audit key. `Some((first bad seq, why))` when not.
fn head_problem(
    db: Db<'_>,
    keys: &KeyStore,
    n: i64,
    last: &str,
) -> Result<Option<(Option<i64>, String)>> {
    let stored = store::head(db)?;
    if n == 0 && stored.hash.is_none() {
        // `init` records its event in the transaction that stores the policy.
        if crate::store::settings::has_policy(db)? {
            return Ok(Some((
                Some(1),
                "the log is empty although the database is initialised".into(),
            )));
        }
        return Ok(None);
    }
    let Some(head) = stored.hash else {
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
    let Some(signed) = stored.signed else {
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
    let unchecked = |why: String| {
        Ok(Some((
            None,
            format!(
                "the head's signature cannot be checked without the audit key directory ({why})"
            ),
        )))
    };
    // Without an audit key this is not the installation's key directory (a copy).
    match keys.audit_key() {
        Ok(Some(_)) => {}
        Ok(None) => return unchecked(KeyMissing(keys.describe(crate::keys::AUDIT)).to_string()),
        Err(e) => return unchecked(e.to_string()),
    }
    match keys.audit_check(kid, head_message(seq, &head).as_bytes(), sig) {
        Err(e) => unchecked(e.to_string()),
        Ok(None) => Ok(Some((
            None,
            format!("the head is signed by key {kid}, which is not this installation's audit key"),
        ))),
        Ok(Some(false)) => Ok(Some((
            None,
            "the head's signature does not match: the log was rewritten without the audit key"
                .into(),
        ))),
        Ok(Some(true)) => Ok(None),
    }
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
pub fn last_event(db: Db<'_>) -> Result<Option<(i64, String)>> {
    store::tail(db)
}

/// Whether the log still extends `anchor`: the anchor is genuine (signed by the audit key), the
/// whole chain and its signed head verify, and the anchored event still has the anchored hash.
pub fn verify_anchor(db: Db<'_>, keys: &KeyStore, anchor: &Anchor) -> Result<VerifyReport> {
    let report = verify(db, keys)?;
    let bad = |seq: Option<i64>, why: String| VerifyReport {
        ok: false,
        events: report.events,
        first_bad_seq: seq,
        problem: Some(why),
    };
    // Without an audit key this is not the installation's key directory (a copy).
    keys.require_audit_key()?;
    let genuine = keys
        .audit_check(
            &anchor.kid,
            anchor_message(anchor.seq, &anchor.hash, &anchor.at).as_bytes(),
            &anchor.signature,
        )?
        .unwrap_or(false);
    if !genuine {
        return Ok(bad(
            None,
            "the anchor is not signed by this installation's audit key".into(),
        ));
    }
    if !report.ok {
        return Ok(report);
    }
    match store::hash_of(db, anchor.seq)? {
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

impl From<store::EventRow> for AuditEvent {
    /// An event as stored, its JSON texts read back.
    fn from(r: store::EventRow) -> AuditEvent {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            role: r.role,
            action: r.action,
            record: r.record,
            before: r.before.and_then(|s| serde_json::from_str(&s).ok()),
            after: r.after.and_then(|s| serde_json::from_str(&s).ok()),
            prev_hash: r.prev_hash,
            hash: r.hash,
            client: r.client,
        }
    }
}

/// A page of the log, newest first: one record's events, or all.
pub fn log(db: Db<'_>, record: Option<&str>, limit: u32, offset: u32) -> Result<Vec<AuditEvent>> {
    Ok(store::page(db, record, limit, offset)?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

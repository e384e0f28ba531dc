//! The certificate signing keys: the public keys to hand to inspectors, rotation, and the move
//! of a signing key of the earlier format out of the database into the key directory.

use chrono::{DateTime, Utc};

use super::{KeyRotation, PublicKeyInfo, SIGNING_KEY};
use crate::domain::auth::{Actor, Role};
use crate::domain::certificate::{key_id, new_signing_key};
use crate::error::{Error, Result};
use crate::service::{audit, Reopen};
use crate::store;
use crate::t;

/// On open: a fresh database gets its audit key; a database of the earlier format (its signing
/// key in `settings`, its audit head unsigned) has its signing key moved into the key directory
/// and the settings row deleted, and its head signed from then on, in one transaction, audited.
/// Only when the key directory has no audit key yet: a key directory that already signs this
/// log never adopts a key found in the database (it could have been planted there).
pub(crate) fn adopt_keys(core: &mut Reopen) -> Result<()> {
    let keys = core.keys.clone();
    if keys.audit_key()?.is_some() {
        return Ok(());
    }
    let conn = core.db();
    if crate::audit::last_event(conn)?.is_none() {
        // A new database: its audit key (the signing key comes with `init`).
        keys.create_audit_key()?;
        return Ok(());
    }
    let setting = store::certs::setting;
    if setting(conn, "audit_head_sig")?.is_some() {
        // Signed before: the key directory is missing (a copy). Writes will say so.
        return Ok(());
    }
    core.write(|tx| {
        if keys.audit_key()?.is_some() || setting(tx, "audit_head_sig")?.is_some() {
            return Ok(()); // another process did it meanwhile
        }
        let Some((seq, _)) = crate::audit::last_event(tx)? else {
            return Ok(());
        };
        // Open has no clock: the upgrade is recorded at the time of the latest event.
        let at = store::certs::event_at(tx, seq)?;
        let audit_key = keys.create_audit_key()?;
        crate::audit::append(tx, &crate::service::system(), "audit.keyed", "audit", None,
            Some(&serde_json::json!({"kid": key_id(&audit_key.verifying_key()), "signed_from": seq + 1})), at)?;
        if let Some(h) = setting(tx, "signing_key")? {
            let bytes: [u8; 32] = hex::decode(h.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::internal("the signing key stored in the database is malformed"))?;
            let key = ed25519_dalek::SigningKey::from_bytes(&bytes);
            keys.keep_signing_public(&key.verifying_key())?;
            let current = keys.install_signing_key(&key, false)?;
            store::certs::forget_stored_signing_key(tx)?;
            crate::audit::append(tx, &crate::service::system(), "cert.key.moved", "keys", None,
                Some(&serde_json::json!({"kid": key_id(&key.verifying_key()), "current": key_id(&current.verifying_key()),
                    "file": keys.describe(crate::keys::SIGNING)})), at)?;
        }
        Ok(())
    })
}

impl Reopen {
    /// The public key that verifies this installation's new certificates (hex), to hand to
    /// inspectors.
    pub fn cert_public_key(&mut self) -> Result<String> {
        Ok(hex::encode(
            self.keys.require_signing_key()?.verifying_key().to_bytes(),
        ))
    }

    /// Every public key that verifies this installation's certificates: the current one and
    /// those retired by rotation (certificates signed with them stay valid).
    pub fn cert_public_keys(&self) -> Result<Vec<PublicKeyInfo>> {
        let current = self.keys.signing_key()?.map(|k| k.verifying_key());
        let mut out: Vec<PublicKeyInfo> = self
            .keys
            .signing_publics()?
            .into_iter()
            .map(|k| PublicKeyInfo {
                kid: key_id(&k),
                public_key: hex::encode(k.to_bytes()),
                current: current == Some(k),
            })
            .collect();
        if out.is_empty() {
            return Err(crate::keys::missing(
                &self.keys.describe(crate::keys::SIGNING),
                SIGNING_KEY,
            ));
        }
        out.sort_by_key(|k| !k.current);
        Ok(out)
    }

    /// Replaces the certificate signing key by a new one (administrator). The old public key is
    /// kept, so certificates signed before keep verifying; new ones carry the new key id.
    pub fn cert_key_rotate(&mut self, actor: &Actor, now: DateTime<Utc>) -> Result<KeyRotation> {
        actor.require(
            &[Role::Admin],
            &t!("更换批准通知书签名密钥", "rotate the signing key"),
        )?;
        let keys = self.keys.clone();
        let old = keys.signing_key()?;
        let new = new_signing_key();
        let rotation = KeyRotation {
            old_kid: old.as_ref().map(|k| key_id(&k.verifying_key())),
            new_kid: key_id(&new.verifying_key()),
            public_key: hex::encode(new.verifying_key().to_bytes()),
        };
        let r = self.write(|tx| {
            if let Some(o) = &old {
                keys.keep_signing_public(&o.verifying_key())?;
            }
            audit(tx, actor, "cert.key.rotate", "keys", Some(&serde_json::json!({"kid": rotation.old_kid})),
                Some(&serde_json::json!({"kid": rotation.new_kid, "public_key": rotation.public_key})), now)?;
            // Last: a failure to write the key rolls the audit event back.
            keys.install_signing_key(&new, true)?;
            Ok(rotation.clone())
        });
        if r.is_err() {
            // The commit may have failed after the new key was put in place: put the old one back.
            if let Some(o) = &old {
                let _ = keys.install_signing_key(o, true);
            }
        }
        r
    }
}

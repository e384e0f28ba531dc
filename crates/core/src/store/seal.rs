//! Optional at-rest encryption of the roster's personal numbers (ID number, phone), with a key
//! kept outside the database file.
//!
//! The store seals and unseals through two SQL functions registered on the connection,
//! `reopen_seal(x)` and `reopen_unseal(x)`, so every statement that writes or reads those columns
//! (the roster and the frozen copy inside each submission) does it in one place, in SQL. A sealed
//! value is `enc1:` + base64(nonce ‖ ChaCha20-Poly1305 ciphertext); a plain value passes through
//! `reopen_unseal` unchanged. Once a database has been sealed (its key's fingerprint is in
//! `settings`), writing without the key is refused and reading a sealed value without it is a
//! clear error, never garbage.

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::args;
use crate::error::{Error, Result};
use crate::store::Db;
use crate::t;

const PREFIX: &str = "enc1:";
/// The settings key holding the fingerprint of the key that sealed this database.
pub const SETTING: &str = "roster_key";

/// A 256-bit key, read from a file of 64 hexadecimal digits.
#[derive(Clone)]
pub struct RosterKey([u8; 32]);

impl std::fmt::Debug for RosterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RosterKey({})", self.fingerprint())
    }
}

impl RosterKey {
    pub fn generate() -> RosterKey {
        let mut k = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut k);
        RosterKey(k)
    }

    pub fn from_hex(text: &str) -> Result<RosterKey> {
        let bad = || {
            Error::field(
                "key_file",
                t!(
                    "密钥文件应为 64 位十六进制数字",
                    "a key file holds 64 hexadecimal digits"
                ),
            )
        };
        let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
        let k: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
        Ok(RosterKey(k))
    }

    pub fn read(path: &Path) -> Result<RosterKey> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::field(
                "key_file",
                t!(
                    format!("无法读取密钥文件 {}:{e}", path.display()),
                    format!("cannot read the key file {}: {e}", path.display())
                ),
            )
        })?;
        RosterKey::from_hex(&text)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Names the key without revealing it: the first 16 hex digits of its SHA-256.
    pub fn fingerprint(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }

    pub fn seal(&self, plain: &str) -> String {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encrypting a byte string in memory cannot fail with this cipher.
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    pub fn unseal(&self, text: &str) -> std::result::Result<String, SealError> {
        let Some(b64) = text.strip_prefix(PREFIX) else {
            return Ok(text.to_string());
        };
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| SealError::Damaged)?;
        if raw.len() < 12 + 16 {
            return Err(SealError::Damaged);
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let plain = cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SealError::Damaged)
    }
}

pub fn is_sealed(text: &str) -> bool {
    text.starts_with(PREFIX)
}

/// Why a sealed value could not be written or read; raised from inside SQL, mapped to a clear
/// error by `From<rusqlite::Error>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealError {
    /// The database is sealed and no key was given.
    NoKey,
    /// The value does not open with this key (another key, or damage).
    Damaged,
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SealError::NoKey => write!(f, "roster key required"),
            SealError::Damaged => write!(f, "sealed value does not open"),
        }
    }
}

impl std::error::Error for SealError {}

impl SealError {
    pub fn to_error(self) -> Error {
        match self {
            SealError::NoKey => Error::forbidden(t!(
                "花名册的身份证号和手机号已加密保存,需要密钥文件(环境变量 REOPEN_KEY_FILE)才能读写",
                "the roster's ID and phone numbers are encrypted: give the key file (env REOPEN_KEY_FILE)"
            )),
            SealError::Damaged => Error::conflict(t!(
                "加密的花名册数据无法用此密钥解开(密钥不符或数据损坏)",
                "an encrypted roster value does not open with this key (wrong key or damage)"
            )),
        }
    }
}

/// The fingerprint of the key this database was sealed with, if it was.
pub fn sealed_with<'a>(db: impl Into<Db<'a>>) -> Result<Option<String>> {
    db.into()
        .first("SELECT value FROM settings WHERE key = ?1", args![SETTING])
}

/// Records that this database is sealed with the key of `fingerprint`.
pub(crate) fn record_sealed(db: Db<'_>, fingerprint: &str) -> Result<()> {
    db.exec(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)",
        args![SETTING, fingerprint],
    )?;
    Ok(())
}

/// (Re-)registers `reopen_seal` and `reopen_unseal` for `key`. Without a key, values pass through
/// unchanged unless the database is sealed (`required`): then writing is refused.
pub fn register(conn: &Connection, key: Option<RosterKey>, required: bool) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let k = key.clone();
    conn.create_scalar_function("reopen_seal", 1, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let v: Option<String> = ctx.get(0)?;
        match (v, &k) {
            (None, _) => Ok(None),
            (Some(s), Some(k)) if !is_sealed(&s) => Ok(Some(k.seal(&s))),
            (Some(s), _) if is_sealed(&s) => Ok(Some(s)),
            (Some(_), None) if required => Err(rusqlite::Error::UserFunctionError(Box::new(
                SealError::NoKey,
            ))),
            (Some(s), _) => Ok(Some(s)),
        }
    })?;
    conn.create_scalar_function("reopen_unseal", 1, flags, move |ctx| {
        let v: Option<String> = ctx.get(0)?;
        match (v, &key) {
            (None, _) => Ok(None),
            (Some(s), _) if !is_sealed(&s) => Ok(Some(s)),
            (Some(s), Some(k)) => k
                .unseal(&s)
                .map(Some)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e))),
            (Some(_), None) => Err(rusqlite::Error::UserFunctionError(Box::new(
                SealError::NoKey,
            ))),
        }
    })?;
    Ok(())
}

/// SQL that seals (or unseals) the numbers inside a roster JSON array: `{f}` is the function.
pub fn roster_json_sql(f: &str, arg: &str) -> String {
    format!(
        "(SELECT COALESCE(json_group_array(json_set(value, '$.id_number', {f}(json_extract(value, '$.id_number')),
                '$.phone', {f}(json_extract(value, '$.phone')))), '[]') FROM json_each({arg}))"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_never_repeats() {
        let k = RosterKey::generate();
        let a = k.seal("11010519491231002X");
        let b = k.seal("11010519491231002X");
        assert!(a.starts_with(PREFIX) && a != b, "a fresh nonce each time");
        assert_eq!(k.unseal(&a).expect("opens"), "11010519491231002X");
        assert_eq!(k.unseal("13800000000").expect("plain"), "13800000000");
        let other = RosterKey::generate();
        assert_eq!(other.unseal(&a), Err(SealError::Damaged));
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(k.unseal(&tampered), Err(SealError::Damaged));
        assert_eq!(
            RosterKey::from_hex(&k.to_hex()).expect("hex").fingerprint(),
            k.fingerprint()
        );
        assert!(RosterKey::from_hex("abc").is_err());
    }
}

//! Optional at-rest encryption of the roster's personal numbers (ID number, phone), with a key
//! kept outside the database file.
//!
//! The store seals and unseals in Rust at its boundary, on either engine: the functions that
//! write or read those columns (`store::roster`, and the frozen copy inside each submission in
//! `store::submissions`) take the core's [`Sealer`], so the key never enters the database, not
//! even as a statement's argument. A sealed value is `enc1:` + base64(nonce ‖ ChaCha20-Poly1305
//! ciphertext); a plain value reads back unchanged. Once a database has been sealed (its key's
//! fingerprint is in `settings`), writing without the key is refused and reading a sealed value
//! without it is a clear error, never garbage.

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::args;
use crate::domain::roster::RosterRecord;
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

/// Why a sealed value could not be written or read; [`SealError::to_error`] is the clear error.
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

/// What the store seals the roster's numbers with: the key given to the core, if any, and
/// whether this database is sealed (then the key is required to write or read them).
#[derive(Debug, Clone, Default)]
pub struct Sealer {
    key: Option<RosterKey>,
    required: bool,
}

impl Sealer {
    pub fn new(key: Option<RosterKey>, required: bool) -> Sealer {
        Sealer { key, required }
    }

    /// The sealer of a database as it was opened: no key yet; required if it was sealed.
    pub fn for_database(db: Db<'_>) -> Result<Sealer> {
        Ok(Sealer::new(None, sealed_with(db)?.is_some()))
    }

    /// `plain` as it is to be stored: sealed when there is a key; unchanged when there is none
    /// and the database is not sealed (or when it is sealed already); refused when the database
    /// is sealed and there is no key.
    pub fn seal(&self, plain: &str) -> Result<String> {
        match &self.key {
            _ if is_sealed(plain) => Ok(plain.to_string()),
            Some(k) => Ok(k.seal(plain)),
            None if self.required => Err(SealError::NoKey.to_error()),
            None => Ok(plain.to_string()),
        }
    }

    /// A stored value in clear: a plain value unchanged, a sealed one opened with the key.
    pub fn unseal(&self, stored: &str) -> Result<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_string());
        }
        match &self.key {
            Some(k) => k.unseal(stored).map_err(SealError::to_error),
            None => Err(SealError::NoKey.to_error()),
        }
    }

    /// A roster record with its ID and phone numbers as they are to be stored.
    pub fn seal_record(&self, r: &RosterRecord) -> Result<RosterRecord> {
        Ok(RosterRecord {
            id_number: self.seal(&r.id_number)?,
            phone: self.seal(&r.phone)?,
            ..r.clone()
        })
    }

    /// A stored roster record with its ID and phone numbers in clear.
    pub fn unseal_record(&self, mut r: RosterRecord) -> Result<RosterRecord> {
        r.id_number = self.unseal(&r.id_number)?;
        r.phone = self.unseal(&r.phone)?;
        Ok(r)
    }
}

/// A frozen roster (a JSON array of records) with the ID and phone number of each entry sealed
/// by `key`; every other field, known or not, kept as it is.
pub fn seal_roster_json(key: &RosterKey, json: &str) -> Result<String> {
    let mut rows: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| Error::internal(format!("a frozen roster is not a JSON array: {e}")))?;
    for row in &mut rows {
        for field in ["id_number", "phone"] {
            if let Some(v) = row.get_mut(field) {
                if let Some(s) = v.as_str().filter(|s| !is_sealed(s)) {
                    *v = serde_json::Value::String(key.seal(s));
                }
            }
        }
    }
    Ok(serde_json::to_string(&rows)?)
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

    #[test]
    fn the_sealer_seals_only_with_a_key_and_refuses_a_sealed_database_without_one() {
        let k = RosterKey::generate();
        let sealed = k.seal("13800000000");
        let plain = Sealer::default();
        assert_eq!(plain.seal("13800000000").expect("plain"), "13800000000");
        assert_eq!(
            plain.unseal(&sealed).unwrap_err().kind,
            crate::error::ErrorKind::Forbidden
        );
        let bare = Sealer::new(None, true);
        assert_eq!(
            bare.seal("13800000000").unwrap_err().kind,
            crate::error::ErrorKind::Forbidden
        );
        assert_eq!(
            bare.unseal("13800000000").expect("plain reads"),
            "13800000000"
        );
        let keyed = Sealer::new(Some(k.clone()), true);
        let s = keyed.seal("13800000000").expect("sealed");
        assert!(is_sealed(&s));
        assert_eq!(keyed.seal(&s).expect("kept"), s, "never sealed twice");
        assert_eq!(keyed.unseal(&s).expect("opens"), "13800000000");
        let other = Sealer::new(Some(RosterKey::generate()), true);
        assert_eq!(
            other.unseal(&s).unwrap_err().kind,
            crate::error::ErrorKind::Conflict
        );
    }

    #[test]
    fn a_frozen_roster_is_sealed_entry_by_entry() {
        let k = RosterKey::generate();
        let json = r#"[{"name":"张三","id_number":"11010519491231002X","phone":"13800000000","extra":1},{"name":"李四"}]"#;
        let sealed = seal_roster_json(&k, json).expect("seals");
        assert!(!sealed.contains("11010519491231002X") && !sealed.contains("13800000000"));
        let again = seal_roster_json(&k, &sealed).expect("idempotent");
        assert_eq!(again, sealed);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&sealed).expect("json");
        assert_eq!(rows[0]["extra"], 1);
        assert_eq!(rows[1]["name"], "李四");
        let keyed = Sealer::new(Some(k), true);
        let id = rows[0]["id_number"].as_str().expect("text");
        assert_eq!(keyed.unseal(id).expect("opens"), "11010519491231002X");
        assert_eq!(
            seal_roster_json(&RosterKey::generate(), "[]").expect("empty"),
            "[]"
        );
    }
}

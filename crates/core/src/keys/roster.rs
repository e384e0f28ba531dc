//! The key that seals the roster's personal numbers (ID number, phone) at rest, and the sealed
//! form: `enc1:` + base64(nonce ‖ ChaCha20-Poly1305 ciphertext). Kept in a file outside the
//! database; the store seals and unseals at its boundary with it (`store::seal::Sealer`).

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::t;

pub(crate) const PREFIX: &str = "enc1:";
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
                "花名册的身份证号和手机号已加密保存，需要密钥文件（环境变量 REOPEN_KEY_FILE）才能读写",
                "the roster's ID and phone numbers are encrypted: give the key file (env REOPEN_KEY_FILE)"
            )),
            SealError::Damaged => Error::conflict(t!(
                "加密的花名册数据无法用此密钥解开（密钥不符或数据损坏）",
                "an encrypted roster value does not open with this key (wrong key or damage)"
            )),
        }
    }
}

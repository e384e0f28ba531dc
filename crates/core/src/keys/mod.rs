//! The installation's private keys, kept in a key directory outside the database file, so that a
//! copy of the database can neither mint certificates nor rewrite the audit log unnoticed.
//!
//! ```text
//! <keys>/                  mode 0700; default: `<database>.keys/` beside the database file
//!   signing.key            the current certificate signing key (Ed25519, 64 hex digits), 0600
//!   signing-<kid>.pub      the public half of every signing key ever used (kept after rotation)
//!   audit.key              the key that signs the audit log's head and its anchors, 0600
//!   audit-<kid>.pub        its public half
//! ```
//!
//! A key id (`kid`) is the first 8 hex digits of the SHA-256 of the public key. Files are written
//! atomically (a temporary file created with its final mode, fsync, rename, fsync of the folder);
//! a key is created only with `create_new` semantics, so two processes starting at once agree on
//! one key. The path is given by the caller: the core reads no environment.
//!
//! The core holds the store and signs in Rust (the audit head at the end of each write
//! transaction, `audit::Mark`; certificates when they are issued): no key ever enters either
//! database engine. The first signing key, at `init` of a fresh database, is made by
//! [`init_signing_key`].

pub mod roster;

pub use roster::RosterKey;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::domain::certificate::{key_id, new_signing_key};
use crate::error::{Error, Result};
use crate::t;

pub const SIGNING: &str = "signing.key";
pub const AUDIT: &str = "audit.key";

/// A key file the database needs is not there; carries the file's path.
#[derive(Debug, Clone)]
pub struct KeyMissing(pub String);

const MISSING_MARK: &str = "reopen key file missing: ";

impl std::fmt::Display for KeyMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{MISSING_MARK}{}", self.0)
    }
}

impl std::error::Error for KeyMissing {}

/// The error of a key file that is not where it must be.
pub fn missing(file: &str, what: &str) -> Error {
    Error::not_found(t!(
        format!("缺少密钥文件 {file}（{what}）：密钥不随数据库复制。请把原安装的密钥目录放回数据库旁边，或用 --keys / 环境变量 REOPEN_KEYS_DIR 指定它"),
        format!("the key file {file} is missing ({what}): keys do not travel with the database; put the installation's key directory back beside the database, or name it with --keys / env REOPEN_KEYS_DIR")
    ))
}

enum Place {
    Dir(PathBuf),
    /// For `Reopen::open_in_memory`: file name → content.
    Memory(Mutex<BTreeMap<String, String>>),
}

struct Inner {
    place: Place,
    /// The audit key once read (every audit append signs with it).
    audit: Mutex<Option<SigningKey>>,
}

/// A key directory (or an in-memory stand-in for tests). Cheap to clone.
#[derive(Clone)]
pub struct KeyStore(Arc<Inner>);

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.place {
            Place::Dir(d) => write!(f, "KeyStore({})", d.display()),
            Place::Memory(_) => write!(f, "KeyStore(memory)"),
        }
    }
}

fn io_error(what: &Path, e: std::io::Error) -> Error {
    Error::internal(format!("key directory: {}: {e}", what.display()))
}

fn parse_secret(text: &str, file: &str) -> Result<SigningKey> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Error::internal(format!(
                "the key file {file} is damaged (64 hex digits expected)"
            ))
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

fn parse_public(text: &str, file: &str) -> Result<VerifyingKey> {
    crate::domain::certificate::verifying_key_from_hex(text)
        .map_err(|_| Error::internal(format!("the public key file {file} is damaged")))
}

impl KeyStore {
    /// The key directory at `dir` (created when a key is first written).
    pub fn at(dir: &Path) -> KeyStore {
        KeyStore::new(Place::Dir(dir.to_path_buf()))
    }

    /// Keys that live as long as this value (an in-memory database).
    pub fn in_memory() -> KeyStore {
        KeyStore::new(Place::Memory(Mutex::default()))
    }

    fn new(place: Place) -> KeyStore {
        KeyStore(Arc::new(Inner {
            place,
            audit: Mutex::default(),
        }))
    }

    /// The default key directory of a database file: `<file>.keys` beside it.
    pub fn beside(db: &Path) -> PathBuf {
        let mut name = db.file_name().map(|n| n.to_owned()).unwrap_or_default();
        name.push(".keys");
        db.with_file_name(name)
    }

    pub fn dir(&self) -> Option<&Path> {
        match &self.0.place {
            Place::Dir(d) => Some(d),
            Place::Memory(_) => None,
        }
    }

    /// Where a key file is, for messages.
    pub fn describe(&self, name: &str) -> String {
        match &self.0.place {
            Place::Dir(d) => d.join(name).display().to_string(),
            Place::Memory(_) => format!("(memory)/{name}"),
        }
    }

    fn read(&self, name: &str) -> Result<Option<String>> {
        match &self.0.place {
            Place::Memory(m) => Ok(m.lock().map_err(poisoned)?.get(name).cloned()),
            Place::Dir(d) => match std::fs::read_to_string(d.join(name)) {
                Ok(s) => Ok(Some(s)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error(&d.join(name), e)),
            },
        }
    }

    /// Writes `name` atomically. `replace = false`: only if it does not exist yet (returns false
    /// when it did, leaving it untouched).
    fn write(&self, name: &str, text: &str, secret: bool, replace: bool) -> Result<bool> {
        match &self.0.place {
            Place::Memory(m) => {
                let mut m = m.lock().map_err(poisoned)?;
                if !replace && m.contains_key(name) {
                    return Ok(false);
                }
                m.insert(name.to_string(), text.to_string());
                Ok(true)
            }
            Place::Dir(d) => write_file(d, name, text.as_bytes(), secret, replace),
        }
    }

    fn names(&self) -> Result<Vec<String>> {
        match &self.0.place {
            Place::Memory(m) => Ok(m.lock().map_err(poisoned)?.keys().cloned().collect()),
            Place::Dir(d) => match std::fs::read_dir(d) {
                Ok(rd) => {
                    let mut v = Vec::new();
                    for e in rd {
                        let e = e.map_err(|e| io_error(d, e))?;
                        v.push(e.file_name().to_string_lossy().into_owned());
                    }
                    v.sort();
                    Ok(v)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(io_error(d, e)),
            },
        }
    }

    // --- the certificate signing key -----------------------------------------------------------

    /// The current signing key, if this directory has one.
    pub fn signing_key(&self) -> Result<Option<SigningKey>> {
        self.read(SIGNING)?
            .map(|t| parse_secret(&t, &self.describe(SIGNING)))
            .transpose()
    }

    /// The current signing key, or an error naming the missing file. Never creates one.
    pub fn require_signing_key(&self) -> Result<SigningKey> {
        self.signing_key()?.ok_or_else(|| {
            missing(
                &self.describe(SIGNING),
                "批准通知书签名密钥 / the certificate signing key",
            )
        })
    }

    /// Keeps a signing key's public half for verification (idempotent).
    pub fn keep_signing_public(&self, key: &VerifyingKey) -> Result<()> {
        let name = format!("signing-{}.pub", key_id(key));
        self.write(
            &name,
            &format!("{}\n", hex::encode(key.to_bytes())),
            false,
            false,
        )?;
        Ok(())
    }

    /// Makes `key` the current signing key. `replace = false`: only if there is none yet; returns
    /// the current key either way.
    pub fn install_signing_key(&self, key: &SigningKey, replace: bool) -> Result<SigningKey> {
        let text = format!("{}\n", hex::encode(key.to_bytes()));
        if replace {
            // The public half first: a certificate signed with the new key always verifies.
            self.keep_signing_public(&key.verifying_key())?;
            self.write(SIGNING, &text, true, true)?;
            return Ok(key.clone());
        }
        self.write(SIGNING, &text, true, false)?;
        // Whoever won a race to make the first key: its public half.
        let current = self.require_signing_key()?;
        self.keep_signing_public(&current.verifying_key())?;
        Ok(current)
    }

    /// Every signing public key this directory knows (current and retired), by key id.
    pub fn signing_publics(&self) -> Result<Vec<VerifyingKey>> {
        let mut out = Vec::new();
        for name in self.names()? {
            if name.starts_with("signing-") && name.ends_with(".pub") {
                if let Some(t) = self.read(&name)? {
                    out.push(parse_public(&t, &self.describe(&name))?);
                }
            }
        }
        // The current key's public half even if its .pub file was lost.
        if let Some(k) = self.signing_key()? {
            let v = k.verifying_key();
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(out)
    }

    // --- the audit key -------------------------------------------------------------------------

    pub fn audit_key(&self) -> Result<Option<SigningKey>> {
        let mut cache = self.0.audit.lock().map_err(poisoned)?;
        if cache.is_none() {
            *cache = self
                .read(AUDIT)?
                .map(|t| parse_secret(&t, &self.describe(AUDIT)))
                .transpose()?;
        }
        Ok(cache.clone())
    }

    pub fn require_audit_key(&self) -> Result<SigningKey> {
        self.audit_key()?.ok_or_else(|| {
            missing(
                &self.describe(AUDIT),
                "操作日志签名密钥 / the audit log key",
            )
        })
    }

    /// Creates the audit key unless one exists; returns the one in force.
    pub fn create_audit_key(&self) -> Result<SigningKey> {
        let key = new_signing_key();
        self.write(
            AUDIT,
            &format!("{}\n", hex::encode(key.to_bytes())),
            true,
            false,
        )?;
        *self.0.audit.lock().map_err(poisoned)? = None;
        // Whoever won a race to make it: its public half.
        let current = self.require_audit_key()?;
        let v = current.verifying_key();
        self.write(
            &format!("audit-{}.pub", key_id(&v)),
            &format!("{}\n", hex::encode(v.to_bytes())),
            false,
            false,
        )?;
        Ok(current)
    }

    /// The audit public key with this id (the current key's even without its .pub file).
    pub fn audit_public(&self, kid: &str) -> Result<Option<VerifyingKey>> {
        if let Some(k) = self.audit_key()? {
            if key_id(&k.verifying_key()) == kid {
                return Ok(Some(k.verifying_key()));
            }
        }
        if kid.len() != 8 || !kid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let name = format!("audit-{kid}.pub");
        self.read(&name)?
            .map(|t| parse_public(&t, &self.describe(&name)))
            .transpose()
    }

    /// Signs `message` with the audit key: (kid, signature hex).
    pub fn audit_sign(&self, message: &[u8]) -> Result<(String, String)> {
        let k = self.require_audit_key()?;
        Ok((
            key_id(&k.verifying_key()),
            hex::encode(k.sign(message).to_bytes()),
        ))
    }

    /// Whether `sig_hex` is the audit key `kid`'s signature of `message`; None: unknown key.
    pub fn audit_check(&self, kid: &str, message: &[u8], sig_hex: &str) -> Result<Option<bool>> {
        let Some(key) = self.audit_public(kid)? else {
            return Ok(None);
        };
        let sig = hex::decode(sig_hex)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| Signature::from_bytes(&b));
        Ok(Some(sig.is_some_and(|s| key.verify(message, &s).is_ok())))
    }
}

/// The first certificate signing key of a fresh database (called by `init`, inside its
/// transaction): made only if the key directory has none, never replacing one. Its key id.
pub fn init_signing_key(keys: &KeyStore) -> Result<String> {
    let k = keys.install_signing_key(&new_signing_key(), false)?;
    Ok(key_id(&k.verifying_key()))
}

fn poisoned<T>(_: T) -> Error {
    Error::internal("key store lock poisoned")
}

/// Creates `dir` (0700) if needed; tightens an existing one that others can read.
fn ensure_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| io_error(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(dir).map_err(|e| io_error(dir, e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io_error(dir, e))?;
        }
    }
    Ok(())
}

/// temp file (created with its final mode) → write → fsync → rename (or link, when it must not
/// replace) → fsync of the folder.
fn write_file(dir: &Path, name: &str, bytes: &[u8], secret: bool, replace: bool) -> Result<bool> {
    use rand::RngCore;
    ensure_dir(dir)?;
    let target = dir.join(name);
    if !replace && target.exists() {
        return Ok(false);
    }
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::rngs::OsRng.next_u64()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    let written = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(&tmp, e));
    }
    let placed = if replace {
        std::fs::rename(&tmp, &target).map(|()| true)
    } else {
        // A hard link fails if the name appeared meanwhile, where a rename would replace it.
        let r = match std::fs::hard_link(&tmp, &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_file(&tmp);
        r
    };
    let placed = placed.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(&target, e)
    })?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))?;
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_keys_never_replaced_by_accident() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = KeyStore::at(&dir.path().join("k"));
        assert!(keys.signing_key().expect("read").is_none());
        let e = keys.require_signing_key().expect_err("missing");
        assert!(e.message.zh.contains("signing.key"), "{e:?}");
        let first = keys
            .install_signing_key(&new_signing_key(), false)
            .expect("first");
        let again = keys
            .install_signing_key(&new_signing_key(), false)
            .expect("second");
        assert_eq!(first.to_bytes(), again.to_bytes(), "not replaced");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("k")), 0o700);
            assert_eq!(mode(&dir.path().join("k").join(SIGNING)), 0o600);
        }
        let rotated = keys
            .install_signing_key(&new_signing_key(), true)
            .expect("rotate");
        assert_ne!(rotated.to_bytes(), first.to_bytes());
        let publics = keys.signing_publics().expect("publics");
        assert!(publics.contains(&first.verifying_key()));
        assert!(publics.contains(&rotated.verifying_key()));
        // No temporary files are left behind.
        let names = keys.names().expect("names");
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn audit_signatures_check_by_key_id() {
        let keys = KeyStore::in_memory();
        assert!(keys.audit_sign(b"m").is_err());
        keys.create_audit_key().expect("create");
        let (kid, sig) = keys.audit_sign(b"m").expect("sign");
        assert_eq!(
            keys.audit_check(&kid, b"m", &sig).expect("check"),
            Some(true)
        );
        assert_eq!(
            keys.audit_check(&kid, b"n", &sig).expect("check"),
            Some(false)
        );
        assert_eq!(
            keys.audit_check("00000000", b"m", &sig).expect("check"),
            None
        );
    }
}

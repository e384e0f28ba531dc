//! The server's TLS identity: the certificate and key the operator gives (PEM), or a
//! self-signed pair made at first start and kept beside the server's keys; its SHA-256
//! fingerprint is what clients pin.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reopen_core::error::{Error, Result};
use reopen_core::t;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    /// Where a self-signed certificate was written at this start.
    pub created: Option<PathBuf>,
}

/// The SHA-256 fingerprint of a certificate (DER), as `AB:CD:…` in upper case.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn bad_file(field: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::field(
        field,
        t!(
            format!("无法读取 {}：{e}", path.display()),
            format!("cannot read {}: {e}", path.display())
        ),
    )
}

impl Identity {
    /// The certificate chain and private key in PEM files.
    pub fn load(cert: &Path, key: &Path) -> Result<Identity> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| bad_file("tls_cert", cert, e))?;
        if chain.is_empty() {
            return Err(bad_file("tls_cert", cert, "no certificate in it"));
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad_file("tls_key", key, e))?;
        Ok(Identity {
            chain,
            key,
            created: None,
        })
    }

    /// The self-signed pair in `dir` (`server.crt`, `server.key`), made there if missing: for
    /// this host's name, `localhost` and the loopback addresses.
    pub fn self_signed(dir: &Path) -> Result<Identity> {
        let cert = dir.join("server.crt");
        let key = dir.join("server.key");
        if cert.exists() && key.exists() {
            return Identity::load(&cert, &key);
        }
        let mut names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        if let Some(host) = hostname() {
            names.push(host);
        }
        let made = rcgen::generate_simple_self_signed(names)
            .map_err(|e| Error::internal(format!("self-signed certificate: {e}")))?;
        std::fs::create_dir_all(dir).map_err(|e| bad_file("keys", dir, e))?;
        write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
        std::fs::write(&cert, made.cert.pem()).map_err(|e| bad_file("keys", &cert, e))?;
        let mut id = Identity::load(&cert, &key)?;
        id.created = Some(cert);
        Ok(id)
    }

    pub fn fingerprint(&self) -> String {
        self.chain
            .first()
            .map(|c| fingerprint(c.as_ref()))
            .unwrap_or_default()
    }

    /// rustls's configuration: TLS 1.2 and 1.3 with ring, HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>> {
        // ring, as for PostgreSQL's TLS (pure Rust and assembly, no C toolchain); its provider is
        // marked deprecated only for lacking post-quantum key exchange.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("tls: {e}")))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| {
                Error::field(
                    "tls_key",
                    t!(
                        format!("服务器证书与私钥不匹配或无法使用：{e}"),
                        format!("the certificate and key cannot be used: {e}")
                    ),
                )
            })?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(cfg))
    }
}

fn hostname() -> Option<String> {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| bad_file("keys", path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| bad_file("keys", path, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_self_signed_identity_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::self_signed(&dir.path().join("tls")).unwrap();
        assert!(a.created.is_some());
        let b = Identity::self_signed(&dir.path().join("tls")).unwrap();
        assert!(b.created.is_none());
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 32 * 3 - 1);
        a.server_config().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("tls/server.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_missing_or_empty_certificate_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        let e = Identity::load(&cert, &dir.path().join("k.pem"))
            .err()
            .unwrap();
        assert_eq!(e.fields[0].field, "tls_cert");
        let e = Identity::load(&dir.path().join("none.pem"), &cert)
            .err()
            .unwrap();
        assert!(e.fields[0].message.zh.contains("无法读取"), "{e:?}");
    }
}

//! Trusting a server by its certificate's SHA-256 fingerprint: pinned by the caller, or on first
//! use remembered in a file (`host:port FINGERPRINT` per line) and required from then on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reopen_core::error::{Error, Result};
use reopen_core::t;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// How a server is trusted.
#[derive(Debug, Clone)]
pub enum Trust {
    /// This fingerprint only (`AB:CD:…` or plain hex, any case).
    Fingerprint(String),
    /// The fingerprint remembered for the server in this file; the one seen at the first
    /// connection is remembered there.
    KnownServers(PathBuf),
    /// Any certificate, remembering nothing: only to read a server's fingerprint and health
    /// before a person decides to trust it (the desktop app's first connection). No login is
    /// sent under it.
    Probe,
}

/// A fingerprint in the one form kept and compared: upper-case hex pairs joined by colons.
pub fn normalize_fingerprint(s: &str) -> Option<String> {
    let hex: String = s
        .trim()
        .trim_start_matches("SHA256:")
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_uppercase();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        hex.as_bytes()
            .chunks(2)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// `s` as [`normalize_fingerprint`] gives it, or a validation error under `field`.
pub(crate) fn checked_fingerprint(s: &str, field: &str) -> Result<String> {
    normalize_fingerprint(s).ok_or_else(|| {
        Error::field(
            field,
            t!(
                "服务器指纹应为 64 位十六进制（SHA-256），可带冒号",
                "the fingerprint is 64 hexadecimal digits (SHA-256), colons allowed"
            ),
        )
    })
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The pinning of one server, shared with rustls's certificate check.
pub(crate) struct Pinning {
    verifier: Arc<PinVerifier>,
    /// Where a first-use fingerprint is remembered, with the server's `host:port`.
    remember: Option<(PathBuf, String)>,
    probe: bool,
}

#[derive(Debug)]
struct PinVerifier {
    expected: Option<String>,
    seen: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl Pinning {
    pub(crate) fn new(trust: Trust, authority: &str) -> Result<Pinning> {
        let (expected, remember) = match trust {
            Trust::Fingerprint(f) => (Some(checked_fingerprint(&f, "server_fingerprint")?), None),
            Trust::KnownServers(file) => (
                remembered(&file, authority)?,
                Some((file, authority.to_string())),
            ),
            Trust::Probe => (None, None),
        };
        let probe = expected.is_none() && remember.is_none();
        // ring, as everywhere in this product; its provider is marked deprecated only for
        // lacking post-quantum key exchange.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(Pinning {
            verifier: Arc::new(PinVerifier {
                expected,
                seen: Mutex::new(None),
                provider,
            }),
            remember,
            probe,
        })
    }

    /// Whether any certificate is accepted (a probe: nothing secret may be sent).
    pub(crate) fn is_probe(&self) -> bool {
        self.probe
    }

    pub(crate) fn client_config(&self) -> rustls::ClientConfig {
        let provider = self.verifier.provider.clone();
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|_| {
                #[allow(deprecated)]
                let p = Arc::new(rustls::crypto::ring::default_provider());
                rustls::ClientConfig::builder_with_provider(p)
                    .with_protocol_versions(rustls::DEFAULT_VERSIONS)
                    .expect("ring supports the default versions")
            });
        builder
            .dangerous()
            .with_custom_certificate_verifier(self.verifier.clone())
            .with_no_client_auth()
    }

    pub(crate) fn seen(&self) -> Option<String> {
        self.verifier.seen.lock().ok().and_then(|s| s.clone())
    }

    /// After an answer: a fingerprint trusted on first use is remembered.
    pub(crate) fn confirm(&self) -> Result<()> {
        if self.verifier.expected.is_some() {
            return Ok(());
        }
        if let (Some((file, authority)), Some(seen)) = (&self.remember, self.seen()) {
            if remembered(file, authority)?.is_none() {
                remember(file, authority, &seen)?;
            }
        }
        Ok(())
    }

    /// Why the server's certificate was refused, if it was.
    pub(crate) fn refusal(&self) -> Option<Error> {
        let expected = self.verifier.expected.as_ref()?;
        let seen = self.seen()?;
        if &seen == expected {
            return None;
        }
        let whence = match &self.remember {
            Some((file, authority)) => format!("（记录于 {} 的 {authority} 一行）", file.display()),
            None => String::new(),
        };
        Some(Error::unavailable(t!(
            format!(
                "警告：服务器指纹与记录不符，未连接。记录为 {expected}{whence}，现为 {seen}。可能有人冒充服务器；如服务器确实更换了服务器证书，请向管理员核实新指纹后再用 --server-fingerprint 指定"
            ),
            format!(
                "WARNING: the server's certificate fingerprint does not match: expected {expected}, got {seen}. Someone may be posing as the server; if its certificate really changed, check the new fingerprint with the administrator and give it with --server-fingerprint"
            )
        )))
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let got = fingerprint(end_entity.as_ref());
        if let Ok(mut s) = self.seen.lock() {
            *s = Some(got.clone());
        }
        match &self.expected {
            Some(e) if *e != got => Err(rustls::Error::General(
                "certificate fingerprint mismatch".into(),
            )),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::field(
        "known_servers",
        t!(
            format!("无法读写已知服务器文件 {}：{e}", path.display()),
            format!("cannot use the known servers file {}: {e}", path.display())
        ),
    )
}

/// The fingerprint remembered for `authority` in `file`.
pub(crate) fn remembered(file: &Path, authority: &str) -> Result<Option<String>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(file, e)),
    };
    Ok(text.lines().find_map(|l| {
        let mut parts = l.split_whitespace();
        (parts.next() == Some(authority))
            .then(|| parts.next().and_then(normalize_fingerprint))
            .flatten()
    }))
}

pub(crate) fn remember(file: &Path, authority: &str, fp: &str) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(file, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|e| file_error(file, e))?;
    writeln!(f, "{authority} {fp}").map_err(|e| file_error(file, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fingerprints_are_compared_in_one_form() {
        let plain = "ab".repeat(32);
        let f = normalize_fingerprint(&plain).unwrap();
        assert_eq!(f.len(), 95);
        assert!(f.starts_with("AB:AB:"));
        assert_eq!(normalize_fingerprint(&f), Some(f.clone()));
        assert_eq!(
            normalize_fingerprint(&format!("SHA256:{f}")),
            Some(f.clone())
        );
        assert_eq!(normalize_fingerprint("AB:CD"), None);
        assert_eq!(normalize_fingerprint(&"zz".repeat(32)), None);
    }

    #[test]
    fn a_first_use_is_remembered_per_server() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/known_servers");
        assert_eq!(remembered(&file, "a:1").unwrap(), None);
        let f = normalize_fingerprint(&"01".repeat(32)).unwrap();
        remember(&file, "a:1", &f).unwrap();
        assert_eq!(remembered(&file, "a:1").unwrap(), Some(f));
        assert_eq!(remembered(&file, "b:1").unwrap(), None);
    }
}

//! Verification of a certificate: online against the register (by number, printed verification
//! code or signed QR payload), offline by the payload's signature alone.

use super::{status_of, CertStatus, Verification, SIGNING_KEY};
use crate::domain::certificate::{
    check_payload_with, is_payload, parse_verification_code, verification_code, PayloadCheck,
};
use crate::error::{Error, Result};
use crate::service::{Certificate, Reopen};
use crate::store::{self, Db};
use crate::t;

/// The certificate whose payload hashes to a verification code: the codes are derived, not
/// stored, so every payload is hashed (a county issues thousands: a few milliseconds).
fn cert_by_code(db: Db<'_>, code: &str) -> Result<Option<Certificate>> {
    match store::certs::number_by_payload(db, |payload| verification_code(payload) == code)? {
        Some(number) => store::certs::by_number(db, &number),
        None => Ok(None),
    }
}

impl Reopen {
    /// Anyone: a certificate number, the verification code printed under the QR code, or a QR payload → valid / voided / revoked / unknown / forged.
    /// Tells what the certificate says and its state, never who handled it.
    pub fn verify(&mut self, input: &str) -> Result<Verification> {
        let input = crate::domain::certificate::payload_from_link(input);
        if is_payload(input) {
            let keys = self.keys.signing_publics()?;
            if keys.is_empty() {
                return Err(crate::keys::missing(
                    &self.keys.describe(crate::keys::SIGNING),
                    SIGNING_KEY,
                ));
            }
            let (status, fields, cert) = match check_payload_with(input, &keys) {
                PayloadCheck::Signed(fields) => {
                    let cert = store::certs::by_number(self.db(), &fields.number)?;
                    let status = match &cert {
                        None => CertStatus::Unknown,
                        Some(c) if c.payload != input => CertStatus::Forged,
                        Some(c) => status_of(c.state),
                    };
                    (status, Some(fields), cert)
                }
                PayloadCheck::Forged(fields) => (CertStatus::Forged, fields, None),
                PayloadCheck::Malformed => (CertStatus::Forged, None, None),
            };
            return Ok(Verification {
                status,
                fields,
                certificate: cert.map(Into::into),
                revocation_checked: true,
            });
        }
        let cert = match parse_verification_code(input) {
            // A number of a custom, all-ASCII format might read as a code: then the number.
            Some(code) => match cert_by_code(self.db(), &code)? {
                Some(c) => Some(c),
                None => store::certs::by_number(self.db(), input)?,
            },
            None => store::certs::by_number(self.db(), input)?,
        };
        Ok(Verification {
            status: cert
                .as_ref()
                .map(|c| status_of(c.state))
                .unwrap_or(CertStatus::Unknown),
            fields: None,
            certificate: cert.map(Into::into),
            revocation_checked: true,
        })
    }
}

/// The zh/en sentence for an offline result: only the signature could be checked.
pub fn offline_note(v: &Verification) -> crate::Text {
    match v.status {
        CertStatus::Valid => t!(
            "签名有效；未核对是否已作废或撤销",
            "signature valid; revocation not checked"
        ),
        _ => t!("签名不符：伪造或被篡改", "bad signature: forged or altered"),
    }
}

/// Offline verification from the payload alone with an exported public key file: one key (64
/// hex digits) per line, as `cert public-key` writes them (the current key and those retired by
/// rotation). Only the signature can be checked: `revocation_checked` is false.
pub fn verify_offline(payload: &str, public_keys: &str) -> Result<Verification> {
    // A verification code names a certificate in the register: it carries no signature to check.
    if !is_payload(payload) && parse_verification_code(payload).is_some() {
        return Err(Error::field(
            "code_or_number",
            t!(
                "核验码只能在系统中核验（不加 --public-key），离线核验请用二维码内容",
                "a verification code is checked against the register (without --public-key); offline, use the QR code's content"
            ),
        ));
    }
    let mut keys = Vec::new();
    for line in public_keys.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // "KID HEX" lines are accepted too; the id is recomputed from the key.
        let hexed = line.split_whitespace().last().unwrap_or(line);
        keys.push(
            crate::domain::certificate::verifying_key_from_hex(hexed)
                .map_err(|e| Error::field("public_key", e))?,
        );
    }
    if keys.is_empty() {
        return Err(Error::field(
            "public_key",
            t!(
                "公钥文件中没有公钥（应为 64 位十六进制）",
                "the public key file holds no key (64 hex characters)"
            ),
        ));
    }
    let (status, fields) = match check_payload_with(payload, &keys) {
        PayloadCheck::Signed(f) => (CertStatus::Valid, Some(f)),
        PayloadCheck::Forged(f) => (CertStatus::Forged, f),
        PayloadCheck::Malformed => (CertStatus::Forged, None),
    };
    Ok(Verification {
        status,
        fields,
        certificate: None,
        revocation_checked: false,
    })
}

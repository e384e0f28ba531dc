//! Certificate numbers and the signed verification payload carried by the QR code.
//!
//! Payload: `RO2.<kid>.<base64url(JSON array of the key fields)>.<base64url(Ed25519 signature)>`,
//! ASCII only, so any QR reader and any terminal can carry it. `kid` names the signing key (the
//! first 8 hex digits of the SHA-256 of its public key), so that certificates signed before a key
//! rotation still verify with the old public key. The signature covers `RO2.<kid>.<fields>`.
//! Payloads of the first format, `RO1.<fields>.<signature>` (no key id), still verify: they are
//! checked against every known key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::Text;
use crate::t;

pub const PAYLOAD_PREFIX: &str = "RO2.";
/// The first format, without a key id: still verified.
pub const PAYLOAD_PREFIX_V1: &str = "RO1.";

/// A public key's id: the first 8 hex digits of the SHA-256 of its 32 bytes.
pub fn key_id(key: &VerifyingKey) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.to_bytes())[..4])
}

/// The alphabet of verification codes (Crockford's base32: no I, L, O, U, so that nothing read
/// aloud or copied by hand is ambiguous).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The human-readable verification code printed under a certificate's QR code: the first 60 bits
/// of the SHA-256 of the signed payload in Crockford base32, grouped by four
/// (`XXXX-XXXX-XXXX`). Derived, never stored: it names the certificate whose payload hashes to it.
pub fn verification_code(payload: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(payload_from_link(payload).as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    let bits = u64::from_be_bytes(b);
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let v = (bits >> (59 - 5 * i)) & 31;
        out.push(char::from(CODE_ALPHABET[v as usize]));
    }
    out
}

/// A verification code as typed (any case, with or without dashes or spaces; O for 0, I and L
/// for 1), normalised to `XXXX-XXXX-XXXX`; `None` if it is not one.
pub fn parse_verification_code(input: &str) -> Option<String> {
    let mut digits = String::with_capacity(12);
    for c in input.trim().chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\u{3000}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        digits.push(c);
    }
    if digits.len() != 12 {
        return None;
    }
    Some(format!(
        "{}-{}-{}",
        &digits[..4],
        &digits[4..8],
        &digits[8..]
    ))
}

/// Formats a number from the policy's pattern: `{short}`, `{year}`, `{seq}` or `{seq:0N}`.
pub fn format_number(pattern: &str, short: &str, year: i32, seq: u32) -> Result<String, Text> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(t!(
                "编号格式中的 { 没有闭合",
                "unclosed { in the number format"
            ));
        };
        let key = &rest[open + 1..open + close];
        match key {
            "short" => out.push_str(short),
            "year" => out.push_str(&year.to_string()),
            "seq" => out.push_str(&seq.to_string()),
            k if k.starts_with("seq:0") => {
                let width: usize = k[5..].parse().map_err(|_| {
                    t!(
                        format!("编号格式 {{{k}}} 无效"),
                        format!("bad placeholder {{{k}}}")
                    )
                })?;
                out.push_str(&format!("{seq:0width$}"));
            }
            k => {
                return Err(t!(
                    format!("编号格式中有未知占位符 {{{k}}}"),
                    format!("unknown placeholder {{{k}}}")
                ))
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The key fields a certificate's QR code carries and its signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CertFields {
    pub jurisdiction: String,
    pub year: i32,
    pub seq: u32,
    pub number: String,
    pub credit_code: String,
    pub firm_name: String,
    pub approved_headcount: u32,
    pub approved_date: NaiveDate,
    pub issue_date: NaiveDate,
}

type Tuple = (
    String,
    i32,
    u32,
    String,
    String,
    String,
    u32,
    NaiveDate,
    NaiveDate,
);

impl CertFields {
    fn tuple(&self) -> Tuple {
        (
            self.jurisdiction.clone(),
            self.year,
            self.seq,
            self.number.clone(),
            self.credit_code.clone(),
            self.firm_name.clone(),
            self.approved_headcount,
            self.approved_date,
            self.issue_date,
        )
    }
}

pub fn sign_payload(fields: &CertFields, key: &SigningKey) -> String {
    let json = serde_json::to_string(&fields.tuple()).unwrap_or_default();
    let kid = key_id(&key.verifying_key());
    let body = format!("{PAYLOAD_PREFIX}{kid}.{}", B64.encode(json.as_bytes()));
    let sig = key.sign(body.as_bytes());
    format!("{body}.{}", B64.encode(sig.to_bytes()))
}

/// The first format (`RO1.`, no key id), for tests of old certificates.
pub fn sign_payload_v1(fields: &CertFields, key: &SigningKey) -> String {
    let json = serde_json::to_string(&fields.tuple()).unwrap_or_default();
    let body = format!("{PAYLOAD_PREFIX_V1}{}", B64.encode(json.as_bytes()));
    let sig = key.sign(body.as_bytes());
    format!("{body}.{}", B64.encode(sig.to_bytes()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadCheck {
    /// Well-formed and signed by the given key.
    Signed(CertFields),
    /// Well-formed, but the signature does not match: forged or altered.
    Forged(Option<CertFields>),
    /// Not a payload of ours at all.
    Malformed,
}

/// The QR code of an installation with a server: its public verification address with the
/// signed payload inside (`https://…/v?c=RO2.…`), so a phone's camera opens the check page and
/// the payload stays checkable offline. Without an address, the payload alone.
pub fn verification_link(base: Option<&str>, payload: &str) -> String {
    match base.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => format!("{}?c={payload}", b.trim_end_matches(['?', '/'])),
        None => payload.to_string(),
    }
}

/// The payload of what was scanned or typed: a verification link's `c` parameter (a payload is
/// base64url and dots, so it needs no decoding), or the input itself.
pub fn payload_from_link(input: &str) -> &str {
    let s = input.trim();
    if !s.starts_with("https://") && !s.starts_with("http://") {
        return s;
    }
    let query = s.split_once('?').map(|(_, q)| q).unwrap_or_default();
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("c="))
        .map(|v| v.split('#').next().unwrap_or_default())
        .filter(|v| is_payload(v))
        .unwrap_or(s)
}

pub fn is_payload(s: &str) -> bool {
    let s = s.trim();
    s.starts_with(PAYLOAD_PREFIX) || s.starts_with(PAYLOAD_PREFIX_V1)
}

pub fn check_payload(payload: &str, key: &VerifyingKey) -> PayloadCheck {
    check_payload_with(payload, std::slice::from_ref(key))
}

/// Checks a payload against the known public keys: an `RO2.` payload with the key its id names
/// (an unknown id is a forgery), an `RO1.` payload with each key in turn.
pub fn check_payload_with(payload: &str, keys: &[VerifyingKey]) -> PayloadCheck {
    let p = payload.trim();
    let (kid, rest) = if let Some(rest) = p.strip_prefix(PAYLOAD_PREFIX) {
        let Some((kid, rest)) = rest.split_once('.') else {
            return PayloadCheck::Malformed;
        };
        (Some(kid), rest)
    } else if let Some(rest) = p.strip_prefix(PAYLOAD_PREFIX_V1) {
        (None, rest)
    } else {
        return PayloadCheck::Malformed;
    };
    let Some((fields_b64, sig_b64)) = rest.rsplit_once('.') else {
        return PayloadCheck::Malformed;
    };
    let fields = B64
        .decode(fields_b64)
        .ok()
        .and_then(|b| serde_json::from_slice::<Tuple>(&b).ok())
        .map(|t| CertFields {
            jurisdiction: t.0,
            year: t.1,
            seq: t.2,
            number: t.3,
            credit_code: t.4,
            firm_name: t.5,
            approved_headcount: t.6,
            approved_date: t.7,
            issue_date: t.8,
        });
    let sig = B64
        .decode(sig_b64)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        .map(|b| Signature::from_bytes(&b));
    // Everything before the last dot: the prefix, the key id and the fields.
    let body = &p[..p.len() - sig_b64.len() - 1];
    let signed = sig.is_some_and(|sig| {
        keys.iter()
            .filter(|k| kid.is_none_or(|kid| key_id(k) == kid))
            .any(|k| k.verify(body.as_bytes(), &sig).is_ok())
    });
    match fields {
        None => PayloadCheck::Malformed,
        Some(f) if signed => PayloadCheck::Signed(f),
        f => PayloadCheck::Forged(f),
    }
}

pub fn new_signing_key() -> SigningKey {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SigningKey::from_bytes(&bytes)
}

pub fn verifying_key_from_hex(s: &str) -> Result<VerifyingKey, Text> {
    let bad = || {
        t!(
            "公钥格式错误（应为 64 位十六进制）",
            "the public key must be 64 hex characters"
        )
    };
    let bytes = hex::decode(s.trim()).map_err(|_| bad())?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
    VerifyingKey::from_bytes(&arr).map_err(|_| bad())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_verification_link_carries_the_payload_and_its_code() {
        let p = "RO2.k1.ZmllbGRz.c2ln";
        let link = verification_link(Some("https://yaan.example/v/"), p);
        assert_eq!(link, "https://yaan.example/v?c=RO2.k1.ZmllbGRz.c2ln");
        assert_eq!(payload_from_link(&link), p);
        assert_eq!(payload_from_link(&format!("{link}&x=1#top")), p);
        assert_eq!(verification_link(None, p), p);
        assert_eq!(verification_link(Some("  "), p), p);
        // The printed code is the payload's, with or without the address around it.
        assert_eq!(verification_code(&link), verification_code(p));
        // Anything else is left as typed: a number, a link without a payload.
        assert_eq!(
            payload_from_link(" 雨复工〔2020〕1号 "),
            "雨复工〔2020〕1号"
        );
        let other = "https://yaan.example/v?c=nonsense";
        assert_eq!(payload_from_link(other), other);
    }

    use super::*;

    fn fields() -> CertFields {
        CertFields {
            jurisdiction: "511802".into(),
            year: 2020,
            seq: 1,
            number: "雨复工〔2020〕0001号".into(),
            credit_code: "91511802MA62AB0208".into(),
            firm_name: "雅安市惠民超市有限公司".into(),
            approved_headcount: 12,
            approved_date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2020, 2, 6).unwrap(),
        }
    }

    #[test]
    fn number_follows_the_policy_pattern() {
        assert_eq!(
            format_number("{short}复工〔{year}〕{seq:04}号", "雨", 2020, 1).unwrap(),
            "雨复工〔2020〕0001号"
        );
        assert_eq!(
            format_number("{short}-{year}-{seq}", "雅", 2021, 12345).unwrap(),
            "雅-2021-12345"
        );
        assert!(format_number("{bogus}", "雨", 2020, 1).is_err());
        assert!(format_number("{seq", "雨", 2020, 1).is_err());
    }

    #[test]
    fn payload_is_ascii_and_round_trips() {
        let key = new_signing_key();
        let p = sign_payload(&fields(), &key);
        assert!(p.is_ascii() && p.starts_with(PAYLOAD_PREFIX));
        assert_eq!(
            check_payload(&p, &key.verifying_key()),
            PayloadCheck::Signed(fields())
        );
    }

    #[test]
    fn altered_payload_is_forged() {
        let key = new_signing_key();
        let p = sign_payload(&fields(), &key);
        let mut other = fields();
        other.approved_headcount = 120;
        let forged_body = sign_payload(&other, &new_signing_key());
        // Fields of one, signature of another.
        let (body, _) = forged_body.rsplit_once('.').unwrap();
        let (_, sig) = p.rsplit_once('.').unwrap();
        let franken = format!("{body}.{sig}");
        assert!(
            matches!(check_payload(&franken, &key.verifying_key()), PayloadCheck::Forged(Some(f)) if f.approved_headcount == 120)
        );
        // Signed by another key.
        assert!(matches!(
            check_payload(&forged_body, &key.verifying_key()),
            PayloadCheck::Forged(_)
        ));
    }

    #[test]
    fn garbage_is_malformed() {
        let key = new_signing_key().verifying_key();
        assert_eq!(check_payload("hello", &key), PayloadCheck::Malformed);
        assert_eq!(check_payload("RO1.!!!.x", &key), PayloadCheck::Malformed);
        assert_eq!(check_payload("RO2.abc", &key), PayloadCheck::Malformed);
    }

    #[test]
    fn verification_codes_are_stable_grouped_and_parsed_leniently() {
        let p = sign_payload(&fields(), &new_signing_key());
        let code = verification_code(&p);
        assert_eq!(code, verification_code(&p));
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert_ne!(code, verification_code(&format!("{p}x")));
        assert_eq!(
            parse_verification_code(&code).as_deref(),
            Some(code.as_str())
        );
        let typed = code
            .replace('-', " ")
            .to_lowercase()
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(
            parse_verification_code(&typed).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(parse_verification_code("雨复工〔2020〕1号"), None);
        assert_eq!(parse_verification_code("ABCD-EFGH-JKM"), None);
        assert_eq!(parse_verification_code("ABCD-EFGH-JKMU"), None);
    }

    #[test]
    fn key_id_picks_the_key_and_old_payloads_still_verify() {
        let (old, new) = (new_signing_key(), new_signing_key());
        let keys = [old.verifying_key(), new.verifying_key()];
        let p = sign_payload(&fields(), &new);
        assert!(p.starts_with(&format!("RO2.{}.", key_id(&new.verifying_key()))));
        assert_eq!(
            check_payload_with(&p, &keys),
            PayloadCheck::Signed(fields())
        );
        // The same signature under another key id is not accepted.
        let other_kid = p.replacen(
            &key_id(&new.verifying_key()),
            &key_id(&old.verifying_key()),
            1,
        );
        assert!(matches!(
            check_payload_with(&other_kid, &keys),
            PayloadCheck::Forged(_)
        ));
        let v1 = sign_payload_v1(&fields(), &old);
        assert!(v1.starts_with("RO1."));
        assert_eq!(
            check_payload_with(&v1, &keys),
            PayloadCheck::Signed(fields())
        );
        assert!(matches!(
            check_payload_with(&v1, &keys[1..]),
            PayloadCheck::Forged(_)
        ));
    }

    #[test]
    fn public_key_hex_round_trips() {
        let key = new_signing_key();
        let hexed = hex::encode(key.verifying_key().to_bytes());
        assert_eq!(verifying_key_from_hex(&hexed).unwrap(), key.verifying_key());
        assert!(verifying_key_from_hex("abcd").is_err());
    }
}

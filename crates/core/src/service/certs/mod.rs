//! Certificates (复工复产批准通知书): issuing with a gapless number, printing (every print logged),
//! voiding a misprint, revoking, verification by number, printed verification code or signed QR
//! payload; and the application form printout. The statements are in [`crate::store::certs`]
//! and [`crate::store::prints`].
//!
//! - `issue`: issuing, voiding, revoking, showing and listing certificates;
//! - `print`: the certificate's and the application form's printouts;
//! - `verify`: verification online (the register) and offline (the signature only);
//! - `keys`: the signing keys (public keys, rotation, adopting a key of the earlier format).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::auth::{Actor, Role};
use crate::domain::certificate::CertFields;
use crate::domain::ids::parse_text;
use crate::error::{Error, Result};
use crate::store::Db;
use crate::t;

mod issue;
mod keys;
mod print;
mod verify;

pub(crate) use keys::adopt_keys;
pub(crate) use print::certificate_doc;
pub use verify::{offline_note, verify_offline};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CertState {
    Issued,
    Voided,
    Revoked,
}

impl CertState {
    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Issued => "issued",
            CertState::Voided => "voided",
            CertState::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<CertState> {
        match s {
            "issued" => Some(CertState::Issued),
            "voided" => Some(CertState::Voided),
            "revoked" => Some(CertState::Revoked),
            _ => None,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            CertState::Issued => "有效",
            CertState::Voided => "已作废",
            CertState::Revoked => "已撤销",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub jurisdiction: String,
    pub year: i32,
    pub seq: u32,
    pub application_id: i64,
    pub state: CertState,
    pub firm_name: String,
    pub credit_code: String,
    pub address: String,
    pub approved_date: NaiveDate,
    pub approved_headcount: u32,
    pub conditions: Vec<String>,
    pub departments: Vec<String>,
    pub issue_date: NaiveDate,
    pub payload: String,
    pub issued_at: String,
    pub issued_by: String,
    pub reason: Option<String>,
    pub closed_at: Option<String>,
    pub prints: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PrintRecord {
    pub number: String,
    pub copy_no: u32,
    pub mark: Option<String>,
    pub bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    Valid,
    Voided,
    Revoked,
    Unknown,
    Forged,
}

impl CertStatus {
    pub fn zh(self) -> &'static str {
        match self {
            CertStatus::Valid => "有效",
            CertStatus::Voided => "已作废",
            CertStatus::Revoked => "已撤销",
            CertStatus::Unknown => "查无此证",
            CertStatus::Forged => "伪造或被篡改（签名不符）",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Verification {
    pub status: CertStatus,
    /// What the payload says (signature checked), when a payload was given.
    pub fields: Option<CertFields>,
    /// What the database says, when the certificate is known here.
    pub certificate: Option<PublicCertificate>,
    /// Whether the certificate's state (voided, revoked) was looked up: false offline, where only
    /// the signature can be checked.
    pub revocation_checked: bool,
}

/// What anyone verifying a certificate may learn: the certificate's own content and state, never
/// who handled it (no user names, no internal ids).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PublicCertificate {
    pub number: String,
    pub state: CertState,
    pub firm_name: String,
    pub credit_code: String,
    pub address: String,
    pub approved_date: NaiveDate,
    pub approved_headcount: u32,
    pub conditions: Vec<String>,
    /// The approving departments (the issuing office speaks through them).
    pub departments: Vec<String>,
    pub issue_date: NaiveDate,
    pub reason: Option<String>,
    pub closed_at: Option<String>,
}

impl From<Certificate> for PublicCertificate {
    fn from(c: Certificate) -> Self {
        PublicCertificate {
            number: c.number,
            state: c.state,
            firm_name: c.firm_name,
            credit_code: c.credit_code,
            address: c.address,
            approved_date: c.approved_date,
            approved_headcount: c.approved_headcount,
            conditions: c.conditions,
            departments: c.departments,
            issue_date: c.issue_date,
            reason: c.reason,
            closed_at: c.closed_at,
        }
    }
}

/// A public key that verifies this installation's certificates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PublicKeyInfo {
    pub kid: String,
    pub public_key: String,
    /// The key new certificates are signed with; the others signed older ones.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KeyRotation {
    pub old_kid: Option<String>,
    pub new_kid: String,
    pub public_key: String,
}

fn cert_required(db: Db<'_>, number: &str) -> Result<Certificate> {
    crate::store::certs::by_number(db, number)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("没有编号为 {number} 的批准通知书"),
            format!("no certificate numbered {number}")
        ))
    })
}

const SIGNING_KEY: &str = "批准通知书签名密钥 / the certificate signing key";

fn clerk_for(actor: &Actor, jurisdiction: &str) -> Result<()> {
    actor.require(&[Role::Clerk], &t!("办理批准通知书", "handle certificates"))?;
    if actor.covers(jurisdiction) {
        Ok(())
    } else {
        Err(Error::forbidden(t!(
            "只能办理本辖区的批准通知书",
            "you may only handle certificates of your jurisdiction"
        )))
    }
}

fn reason_of(reason: &str) -> Result<String> {
    parse_text(reason, 500, true).map_err(|e| Error::field("reason", e))
}

/// The PDF file name of a certificate number (`雨复工〔2020〕0001号.pdf`): path separators and
/// control characters become `_`.
pub fn cert_file_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{safe}.pdf")
}

fn status_of(s: CertState) -> CertStatus {
    match s {
        CertState::Issued => CertStatus::Valid,
        CertState::Voided => CertStatus::Voided,
        CertState::Revoked => CertStatus::Revoked,
    }
}

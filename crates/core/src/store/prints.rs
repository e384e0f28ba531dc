//! The print log of certificates (`cert_prints`): one row per copy that reached its file, so
//! that every copy of a certificate is counted. (The printouts of applications and counter
//! documents are logged in the audit trail only.) How many copies a certificate had is read with
//! the certificate itself ([`crate::store::certs`]).

use chrono::{DateTime, Utc};

use crate::args;
use crate::error::Result;
use crate::store::db::Db;

/// Logs copy `copy_no` of a certificate; `mark` says what it was stamped (voided, revoked).
pub(crate) fn log_cert_print(
    db: Db<'_>,
    certificate_id: i64,
    copy_no: u32,
    at: DateTime<Utc>,
    by: i64,
    mark: Option<&str>,
) -> Result<()> {
    db.exec(
        "INSERT INTO cert_prints(certificate_id, copy_no, printed_at, printed_by, mark)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![certificate_id, copy_no, at, by, mark],
    )?;
    Ok(())
}

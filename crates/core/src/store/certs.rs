//! Certificates (`certificates`) and their gapless numbers (`cert_sequences`): every statement
//! that reads or writes them, plus the few reads of other tables that issuing a certificate needs
//! (the jurisdiction's short name, the application's approval, the competent department).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::domain::auth::Scope;
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::service::{CertState, Certificate};
use crate::store::db::{Db, Row, ToArg};
use crate::store::Value;

#[cfg(test)]
mod engine_tests;

const CERT_SELECT: &str = "SELECT c.id, c.number, c.jurisdiction, c.year, c.seq, c.application_id, c.state, c.firm_name,
    c.credit_code, c.address, c.approved_date, c.approved_headcount, c.conditions, c.departments, c.issue_date, c.payload,
    c.issued_at, u.name, c.reason, c.closed_at, (SELECT count(*) FROM cert_prints p WHERE p.certificate_id = c.id)
    FROM certificates c JOIN users u ON u.id = c.issued_by";

/// A JSON list of texts stored in a column (conditions, departments).
fn text_list(r: &Row<'_>, idx: usize) -> Result<Vec<String>> {
    let s: String = r.get(idx)?;
    serde_json::from_str(&s)
        .map_err(|e| Error::internal(format!("column {idx}: not a list of texts: {e}")))
}

fn cert_from_row(r: &Row<'_>) -> Result<Certificate> {
    Ok(Certificate {
        id: r.get(0)?,
        number: r.get(1)?,
        jurisdiction: r.get(2)?,
        year: r.get(3)?,
        seq: r.get(4)?,
        application_id: r.get(5)?,
        state: r.decode(6, CertState::parse)?,
        firm_name: r.get(7)?,
        credit_code: r.get(8)?,
        address: r.get(9)?,
        approved_date: r.get(10)?,
        approved_headcount: r.get(11)?,
        conditions: text_list(r, 12)?,
        departments: text_list(r, 13)?,
        issue_date: r.get(14)?,
        payload: r.get(15)?,
        issued_at: r.get(16)?,
        issued_by: r.get(17)?,
        reason: r.get(18)?,
        closed_at: r.get(19)?,
        prints: r.get(20)?,
    })
}

/// The certificate with this number (as given, trimmed).
pub(crate) fn by_number(db: Db<'_>, number: &str) -> Result<Option<Certificate>> {
    db.row_opt(
        &format!("{CERT_SELECT} WHERE c.number = ?1"),
        args![number.trim()],
        cert_from_row,
    )
}

/// The number of the first certificate (in issue order) whose signed payload `matches`: the
/// verification codes are derived from the payloads, not stored.
pub(crate) fn number_by_payload(
    db: Db<'_>,
    mut matches: impl FnMut(&str) -> bool,
) -> Result<Option<String>> {
    let mut found = None;
    db.each(
        "SELECT number, payload FROM certificates ORDER BY id",
        args![],
        |r| {
            if found.is_none() {
                let payload: String = r.get(1)?;
                if matches(&payload) {
                    found = Some(r.get::<String>(0)?);
                }
            }
            Ok(())
        },
    )?;
    Ok(found)
}

/// How many certificates of an application are in force (issued, neither voided nor revoked).
pub(crate) fn live_count(db: Db<'_>, application_id: i64) -> Result<i64> {
    db.one(
        "SELECT count(*) FROM certificates WHERE application_id = ?1 AND state = ?2",
        args![application_id, CertState::Issued.as_str()],
    )
}

/// The next number of a jurisdiction's year, taken inside the caller's write transaction: the
/// row is created at 1 or incremented, and a rolled-back issue gives its number back, so the
/// numbers stay gapless (no SEQUENCE, whose values a rollback would lose).
pub(crate) fn next_seq(db: Db<'_>, jurisdiction: &str, year: i32) -> Result<u32> {
    db.one(
        "INSERT INTO cert_sequences(jurisdiction, year, last) VALUES (?1, ?2, 1)
         ON CONFLICT (jurisdiction, year) DO UPDATE SET last = cert_sequences.last + 1
         RETURNING last",
        args![jurisdiction, year],
    )
}

/// A certificate to record, as issued.
pub(crate) struct NewCert<'a> {
    pub number: &'a str,
    pub jurisdiction: &'a str,
    pub year: i32,
    pub seq: u32,
    pub application_id: i64,
    pub submission_no: i64,
    pub firm_name: &'a str,
    pub credit_code: &'a str,
    pub address: &'a str,
    pub approved_date: NaiveDate,
    pub approved_headcount: u32,
    /// The conditions as a JSON list of texts.
    pub conditions: &'a str,
    /// The approving departments as a JSON list of texts.
    pub departments: &'a str,
    pub issue_date: NaiveDate,
    pub payload: &'a str,
    pub issued_at: DateTime<Utc>,
    pub issued_by: i64,
}

/// Records an issued certificate; its id.
pub(crate) fn insert(db: Db<'_>, c: &NewCert<'_>) -> Result<i64> {
    db.one(
        "INSERT INTO certificates(number, jurisdiction, year, seq, application_id, submission_no, state, firm_name,
            credit_code, address, approved_date, approved_headcount, conditions, departments, issue_date, payload,
            issued_at, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         RETURNING id",
        args![
            c.number,
            c.jurisdiction,
            c.year,
            c.seq,
            c.application_id,
            c.submission_no,
            CertState::Issued.as_str(),
            c.firm_name,
            c.credit_code,
            c.address,
            c.approved_date,
            c.approved_headcount,
            c.conditions,
            c.departments,
            c.issue_date,
            c.payload,
            c.issued_at,
            c.issued_by
        ],
    )
}

/// Voids or revokes a certificate still in force; false when it no longer was.
pub(crate) fn close(
    db: Db<'_>,
    id: i64,
    to: CertState,
    reason: &str,
    at: DateTime<Utc>,
    by: i64,
) -> Result<bool> {
    let n = db.exec(
        "UPDATE certificates SET state = ?2, reason = ?3, closed_at = ?4, closed_by = ?5
         WHERE id = ?1 AND state = ?6",
        args![id, to.as_str(), reason, at, by, CertState::Issued.as_str()],
    )?;
    Ok(n == 1)
}

/// A page of certificates in issue order.
pub(crate) struct ListFilter {
    pub state: Option<CertState>,
    /// Only those never printed.
    pub unprinted: bool,
    pub limit: u32,
    pub offset: u32,
}

/// The certificates `scope` may list. Only the filters given are written into the statement, so
/// that a county's list with a state walks certificates_jurisdiction (jurisdiction, state, id)
/// in id order. A division's certificates are those of its jurisdiction (a certificate carries
/// its application's); the other scopes are the applications' ([`crate::store::scope`]).
fn list_where(scope: &Scope, f: &ListFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE TRUE");
    let mut args: Vec<Value> = Vec::new();
    match scope {
        Scope::All => {}
        Scope::Division(d) => {
            sql.push_str(" AND c.jurisdiction = ?");
            args.push(Value::Text(d.clone()));
        }
        other => {
            let (cond, scope_args) = crate::store::scope::applications(other);
            sql.push_str(&format!(
                " AND c.application_id IN (SELECT a.id FROM applications a
                   JOIN firms f ON f.id = a.firm_id WHERE {cond})"
            ));
            args.extend(scope_args);
        }
    }
    if let Some(s) = f.state {
        sql.push_str(" AND c.state = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if f.unprinted {
        sql.push_str(" AND NOT EXISTS (SELECT 1 FROM cert_prints p WHERE p.certificate_id = c.id)");
    }
    (sql, args)
}

/// How many certificates the list shows over all its pages (the pager's 共 N 条).
pub(crate) fn count(db: Db<'_>, scope: &Scope, f: &ListFilter) -> Result<i64> {
    let (cond, args) = list_where(scope, f);
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.one(&format!("SELECT count(*) FROM certificates c{cond}"), &refs)
}

/// A page of the certificates `list_where` keeps, in id order.
pub(crate) fn list(db: Db<'_>, scope: &Scope, f: &ListFilter) -> Result<Vec<Certificate>> {
    let (cond, mut args) = list_where(scope, f);
    let mut sql = format!("{CERT_SELECT}{cond}");
    sql.push_str(" ORDER BY c.id LIMIT ? OFFSET ?");
    args.push(Value::Int(i64::from(f.limit)));
    args.push(Value::Int(i64::from(f.offset)));
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(&sql, &refs, cert_from_row)
}

/// The short name of a division (雨城区 → 雨), which certificate numbers carry.
pub(crate) fn division_short(db: Db<'_>, code: &str) -> Result<String> {
    db.one("SELECT short FROM divisions WHERE code = ?1", args![code])
}

/// What a certificate copies from its application's approval.
pub(crate) struct Approval {
    pub headcount: Option<u32>,
    /// The conditions as a JSON list of texts, when there are any.
    pub conditions: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub(crate) fn approval(db: Db<'_>, application_id: i64) -> Result<Approval> {
    db.row(
        "SELECT approved_headcount, conditions, decided_at FROM applications WHERE id = ?1",
        args![application_id],
        |r| {
            Ok(Approval {
                headcount: r.get(0)?,
                conditions: r.get(1)?,
                decided_at: r.get(2)?,
            })
        },
    )
}

/// An application's new state after its certificate was issued or revoked.
pub(crate) fn set_app_state(
    db: Db<'_>,
    application_id: i64,
    state: AppState,
    at: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE applications SET state = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
        args![application_id, state.as_str(), at],
    )?;
    Ok(())
}

/// The competent industry department of a jurisdiction for an industry: who signs in filing mode.
pub(crate) fn filing_department(
    db: Db<'_>,
    jurisdiction: &str,
    industry: &str,
) -> Result<Option<String>> {
    db.first(
        "SELECT d.name FROM departments d JOIN industries i ON i.department_kind = d.kind
         WHERE d.division = ?1 AND i.division = ?2",
        args![jurisdiction, industry],
    )
}

/// A value of `settings` (the signing key's place before the key directory).
pub(crate) fn setting(db: Db<'_>, key: &str) -> Result<Option<String>> {
    db.first("SELECT value FROM settings WHERE key = ?1", args![key])
}

/// Removes the signing key of the earlier format from `settings`, once moved into the key
/// directory.
pub(crate) fn forget_stored_signing_key(db: Db<'_>) -> Result<()> {
    db.exec("DELETE FROM settings WHERE key = 'signing_key'", args![])?;
    Ok(())
}

/// When the audit event `seq` was recorded.
pub(crate) fn event_at(db: Db<'_>, seq: i64) -> Result<DateTime<Utc>> {
    db.one("SELECT at FROM audit_events WHERE seq = ?1", args![seq])
}

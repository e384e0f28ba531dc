//! Certificates (复工复产批准通知书): issuing with a gapless number, printing (every print logged),
//! voiding a misprint, revoking, verification by number, printed verification code or signed QR
//! payload; and the application form printout.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::admin::resolve_stages;
use super::apps::{app_core, frozen_stages, load_roster, AppCore};
use super::firms::{can_file_for, firm_by_id};
use super::{audit, load_policy, local_date, page, parse_ts, ts, Reopen};
use crate::documents::{
    render_certificate, render_form_reviewed, CertMark, CertificateDoc, DocFonts, FormDecision,
    FormDoc, FormReview, FormStage,
};
use crate::domain::auth::{Actor, Role};
use crate::domain::certificate::{
    check_payload_with, format_number, is_payload, key_id, new_signing_key,
    parse_verification_code, sign_payload, verification_code, CertFields, PayloadCheck,
};
use crate::domain::ids::parse_text;
use crate::domain::policy::ReviewMode;
use crate::domain::workflow;
use crate::error::{Error, Result};
use crate::store::Db;
use crate::t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CertState {
    Issued,
    Voided,
    Revoked,
}

impl CertState {
    fn parse(s: &str) -> Option<CertState> {
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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PrintRecord {
    pub number: String,
    pub copy_no: u32,
    pub mark: Option<String>,
    pub bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
            CertStatus::Forged => "伪造或被篡改(签名不符)",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PublicKeyInfo {
    pub kid: String,
    pub public_key: String,
    /// The key new certificates are signed with; the others signed older ones.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KeyRotation {
    pub old_kid: Option<String>,
    pub new_kid: String,
    pub public_key: String,
}

const CERT_SELECT: &str = "SELECT c.id, c.number, c.jurisdiction, c.year, c.seq, c.application_id, c.state, c.firm_name,
    c.credit_code, c.address, c.approved_date, c.approved_headcount, c.conditions, c.departments, c.issue_date, c.payload,
    c.issued_at, u.name, c.reason, c.closed_at, (SELECT count(*) FROM cert_prints p WHERE p.certificate_id = c.id)
    FROM certificates c JOIN users u ON u.id = c.issued_by";

fn cert_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Certificate> {
    let date = |i: usize| -> rusqlite::Result<NaiveDate> {
        let s: String = r.get(i)?;
        s.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let s: String = r.get(i)?;
        Ok(serde_json::from_str(&s).unwrap_or_default())
    };
    let state = crate::store::decode(r, 6, CertState::parse)?;
    Ok(Certificate {
        id: r.get(0)?,
        number: r.get(1)?,
        jurisdiction: r.get(2)?,
        year: r.get(3)?,
        seq: r.get(4)?,
        application_id: r.get(5)?,
        state,
        firm_name: r.get(7)?,
        credit_code: r.get(8)?,
        address: r.get(9)?,
        approved_date: date(10)?,
        approved_headcount: r.get(11)?,
        conditions: list(12)?,
        departments: list(13)?,
        issue_date: date(14)?,
        payload: r.get(15)?,
        issued_at: r.get(16)?,
        issued_by: r.get(17)?,
        reason: r.get(18)?,
        closed_at: r.get(19)?,
        prints: r.get(20)?,
    })
}

fn cert_by_number(conn: Db<'_>, number: &str) -> Result<Option<Certificate>> {
    Ok(conn
        .query_row(
            &format!("{CERT_SELECT} WHERE c.number = ?1"),
            [number.trim()],
            cert_from_row,
        )
        .optional()?)
}

/// The certificate whose payload hashes to a verification code: the codes are derived, not
/// stored, so every payload is hashed (a county issues thousands: a few milliseconds).
fn cert_by_code(conn: Db<'_>, code: &str) -> Result<Option<Certificate>> {
    let mut st = conn.prepare_cached("SELECT number, payload FROM certificates ORDER BY id")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (number, payload) = row?;
        if verification_code(&payload) == code {
            return cert_by_number(conn, &number);
        }
    }
    Ok(None)
}

fn cert_required(conn: Db<'_>, number: &str) -> Result<Certificate> {
    cert_by_number(conn, number)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("没有编号为 {number} 的批准通知书"),
            format!("no certificate numbered {number}")
        ))
    })
}

const SIGNING_KEY: &str = "批准通知书签名密钥 / the certificate signing key";

/// On open: a fresh database gets its audit key; a database of the earlier format (its signing
/// key in `settings`, its audit head unsigned) has its signing key moved into the key directory
/// and the settings row deleted, and its head signed from then on, in one transaction, audited.
/// Only when the key directory has no audit key yet: a key directory that already signs this
/// log never adopts a key found in the database (it could have been planted there).
pub(crate) fn adopt_keys(core: &mut Reopen) -> Result<()> {
    let keys = core.keys.clone();
    if keys.audit_key()?.is_some() {
        return Ok(());
    }
    let conn = core.db();
    if crate::audit::last_event(conn)?.is_none() {
        // A new database: its audit key (the signing key comes with `init`).
        keys.create_audit_key()?;
        return Ok(());
    }
    let setting = |c: Db<'_>, k: &str| -> Result<Option<String>> {
        Ok(
            c.query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| {
                r.get(0)
            })
            .optional()?,
        )
    };
    if setting(conn, "audit_head_sig")?.is_some() {
        // Signed before: the key directory is missing (a copy). Writes will say so.
        return Ok(());
    }
    core.write(|tx| {
        if keys.audit_key()?.is_some() || setting(tx, "audit_head_sig")?.is_some() {
            return Ok(()); // another process did it meanwhile
        }
        let Some((seq, _)) = crate::audit::last_event(tx)? else {
            return Ok(());
        };
        // Open has no clock: the upgrade is recorded at the time of the latest event.
        let at: String = tx.query_row("SELECT at FROM audit_events WHERE seq = ?1", [seq], |r| r.get(0))?;
        let at = parse_ts(&at)?;
        let audit_key = keys.create_audit_key()?;
        crate::audit::append(tx, &super::system(), "audit.keyed", "audit", None,
            Some(&serde_json::json!({"kid": key_id(&audit_key.verifying_key()), "signed_from": seq + 1})), at)?;
        if let Some(h) = setting(tx, "signing_key")? {
            let bytes: [u8; 32] = hex::decode(h.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::internal("the signing key stored in the database is malformed"))?;
            let key = ed25519_dalek::SigningKey::from_bytes(&bytes);
            keys.keep_signing_public(&key.verifying_key())?;
            let current = keys.install_signing_key(&key, false)?;
            tx.execute("DELETE FROM settings WHERE key = 'signing_key'", [])?;
            crate::audit::append(tx, &super::system(), "cert.key.moved", "keys", None,
                Some(&serde_json::json!({"kid": key_id(&key.verifying_key()), "current": key_id(&current.verifying_key()),
                    "file": keys.describe(crate::keys::SIGNING)})), at)?;
        }
        Ok(())
    })
}

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

impl Reopen {
    /// The public key that verifies this installation's new certificates (hex), to hand to
    /// inspectors.
    pub fn cert_public_key(&mut self) -> Result<String> {
        Ok(hex::encode(
            self.keys.require_signing_key()?.verifying_key().to_bytes(),
        ))
    }

    /// Every public key that verifies this installation's certificates: the current one and
    /// those retired by rotation (certificates signed with them stay valid).
    pub fn cert_public_keys(&self) -> Result<Vec<PublicKeyInfo>> {
        let current = self.keys.signing_key()?.map(|k| k.verifying_key());
        let mut out: Vec<PublicKeyInfo> = self
            .keys
            .signing_publics()?
            .into_iter()
            .map(|k| PublicKeyInfo {
                kid: key_id(&k),
                public_key: hex::encode(k.to_bytes()),
                current: current == Some(k),
            })
            .collect();
        if out.is_empty() {
            return Err(crate::keys::missing(
                &self.keys.describe(crate::keys::SIGNING),
                SIGNING_KEY,
            ));
        }
        out.sort_by_key(|k| !k.current);
        Ok(out)
    }

    /// Replaces the certificate signing key by a new one (administrator). The old public key is
    /// kept, so certificates signed before keep verifying; new ones carry the new key id.
    pub fn cert_key_rotate(&mut self, actor: &Actor, now: DateTime<Utc>) -> Result<KeyRotation> {
        actor.require(
            &[Role::Admin],
            &t!("更换批准通知书签名密钥", "rotate the signing key"),
        )?;
        let keys = self.keys.clone();
        let old = keys.signing_key()?;
        let new = new_signing_key();
        let rotation = KeyRotation {
            old_kid: old.as_ref().map(|k| key_id(&k.verifying_key())),
            new_kid: key_id(&new.verifying_key()),
            public_key: hex::encode(new.verifying_key().to_bytes()),
        };
        let r = self.write(|tx| {
            if let Some(o) = &old {
                keys.keep_signing_public(&o.verifying_key())?;
            }
            audit(tx, actor, "cert.key.rotate", "keys", Some(&serde_json::json!({"kid": rotation.old_kid})),
                Some(&serde_json::json!({"kid": rotation.new_kid, "public_key": rotation.public_key})), now)?;
            // Last: a failure to write the key rolls the audit event back.
            keys.install_signing_key(&new, true)?;
            Ok(rotation.clone())
        });
        if r.is_err() {
            // The commit may have failed after the new key was put in place: put the old one back.
            if let Some(o) = &old {
                let _ = keys.install_signing_key(o, true);
            }
        }
        r
    }

    /// Issues the certificate of a fully approved application; the number is taken from the
    /// jurisdiction's gapless sequence for the year inside this transaction.
    pub fn cert_issue(
        &mut self,
        actor: &Actor,
        app_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Certificate> {
        actor.require(&[Role::Clerk], &t!("签发批准通知书", "issue certificates"))?;
        let keys = self.keys.clone();
        self.write(|tx| {
            let app = app_core(tx, app_id)?;
            clerk_for(actor, &app.jurisdiction)?;
            let live: i64 = tx.query_row(
                "SELECT count(*) FROM certificates WHERE application_id = ?1 AND state = 'issued'",
                [app_id],
                |r| r.get(0),
            )?;
            let new_state = workflow::issue(app.state, live > 0)?;
            let firm = firm_by_id(tx, app.firm_id)?;
            let policy = load_policy(tx)?;
            let today = local_date(now);
            let year = today.year();
            let seq: u32 = tx.query_row(
                "INSERT INTO cert_sequences(jurisdiction, year, last) VALUES (?1, ?2, 1)
                 ON CONFLICT(jurisdiction, year) DO UPDATE SET last = last + 1 RETURNING last",
                params![app.jurisdiction, year],
                |r| r.get(0),
            )?;
            let short: String = tx.query_row("SELECT short FROM divisions WHERE code = ?1", [&app.jurisdiction], |r| r.get(0))?;
            let number = format_number(&policy.certificate.number_format, &short, year, seq)
                .map_err(|e| Error::internal(e.zh))?;
            let (headcount, conditions, decided_at): (Option<u32>, Option<String>, Option<String>) = tx.query_row(
                "SELECT approved_headcount, conditions, decided_at FROM applications WHERE id = ?1",
                [app_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let approved_date = decided_at.as_deref().map(parse_ts).transpose()?.map(local_date).unwrap_or(today);
            let mut departments: Vec<String> = {
                let mut st = tx.prepare_cached(
                    "SELECT d.name FROM review_tasks t JOIN departments d ON d.id = t.department_id
                     WHERE t.application_id = ?1 AND t.submission_no = ?2 AND t.state = 'approved' ORDER BY t.stage, t.id",
                )?;
                let rows = st.query_map(params![app_id, app.submission_no], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            departments.dedup();
            if departments.is_empty() {
                // Filing mode: the competent industry department of the jurisdiction.
                let name: Option<String> = tx
                    .query_row(
                        "SELECT d.name FROM departments d JOIN industries i ON i.department_kind = d.kind
                         WHERE d.division = ?1 AND i.division = ?2",
                        params![app.jurisdiction, firm.industry],
                        |r| r.get(0),
                    )
                    .optional()?;
                departments.extend(name);
            }
            let fields = CertFields {
                jurisdiction: app.jurisdiction.clone(),
                year,
                seq,
                number: number.clone(),
                credit_code: firm.credit_code.clone(),
                firm_name: firm.name.clone(),
                approved_headcount: headcount.unwrap_or(0),
                approved_date,
                issue_date: today,
            };
            let payload = sign_payload(&fields, &keys.require_signing_key()?);
            tx.execute(
                "INSERT INTO certificates(number, jurisdiction, year, seq, application_id, submission_no, state, firm_name, credit_code,
                    address, approved_date, approved_headcount, conditions, departments, issue_date, payload, issued_at, issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'issued', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    number, app.jurisdiction, year, seq, app_id, app.submission_no, firm.name, firm.credit_code, firm.address,
                    approved_date.to_string(), headcount.unwrap_or(0), conditions.unwrap_or_else(|| "[]".into()),
                    serde_json::to_string(&departments)?, today.to_string(), payload, ts(now), actor.user_id
                ],
            )?;
            tx.execute(
                "UPDATE applications SET state = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
                params![app_id, new_state.as_str(), ts(now)],
            )?;
            let cert = cert_required(tx, &number)?;
            audit(tx, actor, "cert.issue", &format!("cert:{number}"), Some(&serde_json::json!({"app_state": app.state})),
                Some(&serde_json::json!({"number": number, "application": app_id, "app_state": new_state})), now)?;
            Ok(cert)
        })
    }

    pub fn cert_show(&self, actor: &Actor, number: &str) -> Result<Certificate> {
        actor.require(
            &[
                Role::Clerk,
                Role::Leader,
                Role::Admin,
                Role::Firm,
                Role::Reviewer,
            ],
            &t!("查看批准通知书", "see certificates"),
        )?;
        let cert = cert_required(self.db(), number)?;
        let app = app_core(self.db(), cert.application_id)?;
        if !super::apps::can_see_app(self.db(), actor, &app)? {
            return Err(Error::forbidden(t!(
                "无权查看该批准通知书",
                "you may not see this certificate"
            )));
        }
        Ok(cert)
    }

    /// Certificates of the actor's jurisdiction; `unprinted` keeps those never printed.
    pub fn cert_list(
        &self,
        actor: &Actor,
        state: Option<&str>,
        unprinted: bool,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<Certificate>> {
        actor.require(
            &[Role::Clerk, Role::Leader, Role::Admin],
            &t!("查看批准通知书", "list certificates"),
        )?;
        let (limit, offset) = page(limit, offset);
        let scope = match (actor.role, actor.division.as_deref()) {
            (Role::Admin, _) | (_, Some(crate::domain::auth::CITY)) => None,
            (_, d) => Some(d.unwrap_or_default().to_string()),
        };
        // Only the filters given are written into the statement, so that a county's list with a
        // state walks certificates_jurisdiction (jurisdiction, state, id) in id order.
        let mut sql = format!("{CERT_SELECT} WHERE 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(j) = scope {
            sql.push_str(" AND c.jurisdiction = ?");
            args.push(j.into());
        }
        if let Some(s) = state {
            sql.push_str(" AND c.state = ?");
            args.push(s.to_string().into());
        }
        if unprinted {
            sql.push_str(
                " AND NOT EXISTS (SELECT 1 FROM cert_prints p WHERE p.certificate_id = c.id)",
            );
        }
        sql.push_str(" ORDER BY c.id LIMIT ? OFFSET ?");
        args.push(i64::from(limit).into());
        args.push(i64::from(offset).into());
        let mut stmt = self.conn.sqlite().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), cert_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every issued, never-printed certificate number of the actor's jurisdiction, read a page at
    /// a time: the batch to print. Taken before printing, since printing changes what "unprinted" is.
    pub fn cert_unprinted_numbers(&self, actor: &Actor) -> Result<Vec<String>> {
        const PAGE: u32 = 500;
        let mut numbers = Vec::new();
        loop {
            let page = self.cert_list(
                actor,
                Some("issued"),
                true,
                Some(PAGE),
                Some(numbers.len() as u32),
            )?;
            let n = page.len();
            numbers.extend(page.into_iter().map(|c| c.number));
            if n < PAGE as usize {
                return Ok(numbers);
            }
        }
    }

    /// Renders and logs one print of a certificate; `sink` receives the PDF after the print was
    /// committed to the log, so no PDF exists that the log does not count (a failed write leaves
    /// a logged print without a file: print again). Prefer `cert_print_staged`.
    pub fn cert_print(
        &mut self,
        actor: &Actor,
        number: &str,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        sink: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<PrintRecord> {
        self.cert_print_staged(
            actor,
            number,
            fonts,
            now,
            |pdf| Ok(pdf.to_vec()),
            |pdf| sink(&pdf),
        )
    }

    /// Renders and logs one print in two steps around the commit: `stage` receives the PDF
    /// inside the transaction (e.g. writes a temporary file beside the destination; its failure
    /// logs nothing), `finish` runs only after the commit succeeded (e.g. renames it into place).
    /// A staged value dropped without `finish` (the commit failed) should remove what it staged.
    /// So the file exists if and only if the print is logged.
    pub fn cert_print_staged<S>(
        &mut self,
        actor: &Actor,
        number: &str,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        stage: impl FnOnce(&[u8]) -> Result<S>,
        finish: impl FnOnce(S) -> Result<()>,
    ) -> Result<PrintRecord> {
        actor.require(&[Role::Clerk], &t!("打印批准通知书", "print certificates"))?;
        let title = self.policy()?.certificate.title;
        self.write(|tx| {
            let cert = cert_required(tx, number)?;
            clerk_for(actor, &cert.jurisdiction)?;
            let copy_no = cert.prints + 1;
            let mark = match cert.state {
                CertState::Issued => None,
                CertState::Voided => Some(CertMark::Voided),
                CertState::Revoked => Some(CertMark::Revoked),
            };
            let doc = CertificateDoc {
                title,
                number: cert.number.clone(),
                firm_name: cert.firm_name.clone(),
                credit_code: cert.credit_code.clone(),
                address: cert.address.clone(),
                approved_date: cert.approved_date,
                approved_headcount: cert.approved_headcount,
                conditions: cert.conditions.clone(),
                departments: cert.departments.clone(),
                issue_date: cert.issue_date,
                issued_at: parse_ts(&cert.issued_at)?,
                qr_payload: cert.payload.clone(),
                mark,
                reprint: (copy_no > 1).then_some(copy_no),
            };
            let pdf = render_certificate(&doc, fonts)?;
            let mark_s = mark.map(|m| match m {
                CertMark::Voided => "voided".to_string(),
                CertMark::Revoked => "revoked".to_string(),
            });
            tx.execute(
                "INSERT INTO cert_prints(certificate_id, copy_no, printed_at, printed_by, mark) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![cert.id, copy_no, ts(now), actor.user_id, mark_s],
            )?;
            audit(tx, actor, "cert.print", &format!("cert:{}", cert.number), None,
                Some(&serde_json::json!({"copy": copy_no, "mark": mark_s, "bytes": pdf.len()})), now)?;
            let staged = stage(&pdf)?;
            Ok((PrintRecord { number: cert.number, copy_no, mark: mark_s, bytes: pdf.len() }, staged))
        })
        .and_then(|(record, staged)| finish(staged).map(|()| record))
    }

    fn cert_close(
        &mut self,
        actor: &Actor,
        number: &str,
        reason: &str,
        to: CertState,
        now: DateTime<Utc>,
    ) -> Result<Certificate> {
        // The role first: whether a number exists is not told to those who may not act on it.
        actor.require(&[Role::Clerk], &t!("办理批准通知书", "handle certificates"))?;
        let reason = reason_of(reason)?;
        self.write(|tx| {
            let cert = cert_required(tx, number)?;
            clerk_for(actor, &cert.jurisdiction)?;
            if cert.state != CertState::Issued {
                return Err(Error::conflict(t!(
                    format!("该批准通知书已{},不能再变更", cert.state.zh().trim_start_matches('已')),
                    format!("the certificate is already {:?}", cert.state).to_lowercase()
                )));
            }
            let state = if to == CertState::Voided { "voided" } else { "revoked" };
            tx.execute(
                "UPDATE certificates SET state = ?2, reason = ?3, closed_at = ?4, closed_by = ?5 WHERE id = ?1",
                params![cert.id, state, reason, ts(now), actor.user_id],
            )?;
            let mut app_after = None;
            if to == CertState::Revoked {
                let app = app_core(tx, cert.application_id)?;
                let s = workflow::revoke(app.state)?;
                tx.execute(
                    "UPDATE applications SET state = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
                    params![app.id, s.as_str(), ts(now)],
                )?;
                app_after = Some(s);
            }
            audit(tx, actor, &format!("cert.{}", if to == CertState::Voided { "void" } else { "revoke" }), &format!("cert:{}", cert.number),
                Some(&serde_json::json!({"state": "issued"})), Some(&serde_json::json!({"state": state, "reason": reason, "app_state": app_after})), now)?;
            cert_required(tx, number)
        })
    }

    /// Voids a misprint: the number stays used and listed; the application keeps its approval
    /// and a new certificate can be issued.
    pub fn cert_void(
        &mut self,
        actor: &Actor,
        number: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Certificate> {
        self.cert_close(actor, number, reason, CertState::Voided, now)
    }

    /// Revokes a certificate (e.g. after an inspection found violations): the certificate and the
    /// application are marked revoked.
    pub fn cert_revoke(
        &mut self,
        actor: &Actor,
        number: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Certificate> {
        self.cert_close(actor, number, reason, CertState::Revoked, now)
    }

    /// Anyone: a certificate number, the verification code printed under the QR code, or a QR payload → valid / voided / revoked / unknown / forged.
    /// Tells what the certificate says and its state, never who handled it.
    pub fn verify(&mut self, input: &str) -> Result<Verification> {
        let input = input.trim();
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
                    let cert = cert_by_number(self.db(), &fields.number)?;
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
                None => cert_by_number(self.db(), input)?,
            },
            None => cert_by_number(self.db(), input)?,
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

    /// The application form to sign and stamp: the firm itself or a clerk of its jurisdiction.
    /// As `cert_print`: `sink` receives the PDF after the print was committed to the log.
    /// Prefer `form_print_staged`.
    pub fn form_print(
        &mut self,
        actor: &Actor,
        app_id: i64,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        sink: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<usize> {
        self.form_print_staged(
            actor,
            app_id,
            fonts,
            now,
            |pdf| Ok(pdf.to_vec()),
            |pdf| sink(&pdf),
        )
    }

    /// The application form (申请审批表) with its review so far: addressed to the first stage's
    /// department(s), a box per frozen stage filled with that stage's latest decision, the
    /// roster's phone numbers in full only on the firm's own copy. Logged (`form.print`) in two
    /// steps around the commit as `cert_print_staged`: the file exists iff the print is logged.
    pub fn form_print_staged<S>(
        &mut self,
        actor: &Actor,
        app_id: i64,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        stage: impl FnOnce(&[u8]) -> Result<S>,
        finish: impl FnOnce(S) -> Result<()>,
    ) -> Result<usize> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("打印申请表", "print application forms"),
        )?;
        self.write(|tx| {
            let app = app_core(tx, app_id)?;
            let firm = firm_by_id(tx, app.firm_id)?;
            if !can_file_for(actor, &firm) {
                return Err(Error::forbidden(t!(
                    "无权打印该申请表",
                    "you may not print this form"
                )));
            }
            let policy = load_policy(tx)?;
            let category = app.plan.category.clone().unwrap_or_default();
            let measures_zh = policy
                .mandatory_measures
                .iter()
                .chain(policy.optional_measures.iter())
                .map(|(code, name)| (name.clone(), app.plan.measures.iter().any(|m| m == code)))
                .collect();
            let entries = load_roster(tx, app_id)?;
            // Only the firm's own copy carries the phone numbers in full.
            let own_copy = actor.role == Role::Firm && actor.firm_id == Some(firm.id);
            let full_phones =
                own_copy.then(|| entries.iter().map(|r| r.phone.clone()).collect::<Vec<_>>());
            let roster = entries
                .iter()
                .enumerate()
                .map(|(i, r)| r.view(i as u32 + 1))
                .collect();
            let stages = form_stages(tx, &app, &firm, &category, &policy)?;
            let addressee = match stages.first() {
                Some(s) if !s.department.is_empty() => s.department.clone(),
                _ => filing_department(tx, &app.jurisdiction, &firm.industry)?
                    .unwrap_or_else(|| format!("{}行业主管部门", firm.division_name)),
            };
            let doc = FormDoc {
                application_id: app_id,
                category_zh: policy
                    .categories
                    .get(&category)
                    .cloned()
                    .unwrap_or(category),
                measures_zh,
                roster,
                firm,
                plan: app.plan.clone(),
                printed_at: now,
            };
            let review = FormReview {
                addressee,
                stages,
                full_phones,
            };
            let pdf = render_form_reviewed(&doc, &review, fonts)?;
            audit(
                tx,
                actor,
                "form.print",
                &format!("app:{app_id}"),
                None,
                Some(&serde_json::json!({"bytes": pdf.len(), "state": app.state, "own_copy": own_copy})),
                now,
            )?;
            let staged = stage(&pdf)?;
            Ok((pdf.len(), staged))
        })
        .and_then(|(n, staged)| finish(staged).map(|()| n))
    }
}

/// The competent industry department of a jurisdiction, who signs in filing mode.
fn filing_department(conn: Db<'_>, jurisdiction: &str, industry: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT d.name FROM departments d JOIN industries i ON i.department_kind = d.kind
             WHERE d.division = ?1 AND i.division = ?2",
            params![jurisdiction, industry],
            |r| r.get(0),
        )
        .optional()?)
}

/// The form's review boxes: the stages frozen with the current submission (a draft: the stages
/// it would go through today), each with the latest decision of that stage of that submission.
/// The reviewer is shown by department: users have no display name, only a login name.
fn form_stages(
    conn: Db<'_>,
    app: &AppCore,
    firm: &crate::service::Firm,
    category: &str,
    policy: &crate::domain::policy::Policy,
) -> Result<Vec<FormStage>> {
    let plans = if app.submission_no >= 1 {
        frozen_stages(conn, app.id, app.submission_no)?
    } else {
        // A draft: a preview of the route; a route that cannot be resolved yet prints no boxes.
        match resolve_stages(conn, &app.jurisdiction, &firm.industry, category, policy) {
            Ok((ReviewMode::Filing, _)) | Err(_) => vec![],
            Ok((_, plans)) => plans,
        }
    };
    let mut st = conn.prepare_cached(
        "SELECT t.state, coalesce(t.opinion, ''), d.name, t.decided_at FROM review_tasks t
         JOIN departments d ON d.id = t.department_id
         WHERE t.application_id = ?1 AND t.submission_no = ?2 AND t.stage = ?3
           AND t.state IN ('approved','rejected','returned') AND t.decided_at IS NOT NULL
         ORDER BY t.decided_at DESC, t.id DESC LIMIT 1",
    )?;
    let mut out = Vec::with_capacity(plans.len());
    for (i, plan) in plans.iter().enumerate() {
        let names = plan
            .departments
            .iter()
            .map(|d| {
                conn.query_row("SELECT name FROM departments WHERE id = ?1", [d], |r| {
                    r.get::<_, String>(0)
                })
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let row: Option<(String, String, String, String)> = st
            .query_row(params![app.id, app.submission_no, i as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let decision = match row {
            Some((state, opinion, department, at)) => Some(FormDecision {
                verdict_zh: match state.as_str() {
                    "approved" => "同意",
                    "rejected" => "不同意",
                    _ => "退回补正",
                }
                .to_string(),
                opinion,
                reviewer: department,
                date: local_date(parse_ts(&at)?),
            }),
            None => None,
        };
        out.push(FormStage {
            name: plan.name.clone(),
            department: names.join("、"),
            decision,
        });
    }
    Ok(out)
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
                "公钥文件中没有公钥(应为 64 位十六进制)",
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

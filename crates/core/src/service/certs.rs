//! Certificates (复工复产批准通知书): issuing with a gapless number, printing (every print logged),
//! voiding a misprint, revoking, verification by number or signed QR payload; and the
//! application form printout.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::apps::{app_core, load_roster};
use super::firms::{can_file_for, firm_by_id};
use super::{audit, load_policy, local_date, page, parse_ts, ts, Reopen};
use crate::documents::{
    render_certificate, render_form, CertMark, CertificateDoc, DocFonts, FormDoc,
};
use crate::domain::auth::{Actor, Role};
use crate::domain::certificate::{
    check_payload, format_number, is_payload, new_signing_key, sign_payload, CertFields,
    PayloadCheck,
};
use crate::domain::ids::parse_text;
use crate::domain::workflow;
use crate::error::{Error, Result};
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
    fn parse(s: &str) -> CertState {
        match s {
            "voided" => CertState::Voided,
            "revoked" => CertState::Revoked,
            _ => CertState::Issued,
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
    pub certificate: Option<Certificate>,
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
    let state: String = r.get(6)?;
    Ok(Certificate {
        id: r.get(0)?,
        number: r.get(1)?,
        jurisdiction: r.get(2)?,
        year: r.get(3)?,
        seq: r.get(4)?,
        application_id: r.get(5)?,
        state: CertState::parse(&state),
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

fn cert_by_number(conn: &Connection, number: &str) -> Result<Option<Certificate>> {
    Ok(conn
        .query_row(
            &format!("{CERT_SELECT} WHERE c.number = ?1"),
            [number.trim()],
            cert_from_row,
        )
        .optional()?)
}

fn cert_required(conn: &Connection, number: &str) -> Result<Certificate> {
    cert_by_number(conn, number)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("没有编号为 {number} 的批准通知书"),
            format!("no certificate numbered {number}")
        ))
    })
}

/// The installation's Ed25519 signing key, created on first use and kept in the database.
pub(crate) fn signing_key(conn: &Connection) -> Result<SigningKey> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'signing_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(h) = stored {
        let bytes: [u8; 32] = hex::decode(h)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::internal("stored signing key is malformed"))?;
        return Ok(SigningKey::from_bytes(&bytes));
    }
    let key = new_signing_key();
    conn.execute(
        "INSERT INTO settings(key, value) VALUES ('signing_key', ?1)",
        [hex::encode(key.to_bytes())],
    )?;
    Ok(key)
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
    /// The public key that verifies this installation's certificates (hex), to hand to inspectors.
    pub fn cert_public_key(&mut self) -> Result<String> {
        self.write(|tx| Ok(hex::encode(signing_key(tx)?.verifying_key().to_bytes())))
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
            let payload = sign_payload(&fields, &signing_key(tx)?);
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
        let cert = cert_required(self.connection(), number)?;
        let app = app_core(self.connection(), cert.application_id)?;
        if !super::apps::can_see_app(self.connection(), actor, &app)? {
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
        let mut stmt = self.connection().prepare_cached(&sql)?;
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

    /// Renders and logs one print of a certificate. `sink` receives the PDF inside the
    /// transaction: the print is logged only if the sink (e.g. writing the file) succeeds.
    pub fn cert_print(
        &mut self,
        actor: &Actor,
        number: &str,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        sink: impl FnOnce(&[u8]) -> Result<()>,
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
            sink(&pdf)?;
            Ok(PrintRecord { number: cert.number, copy_no, mark: mark_s, bytes: pdf.len() })
        })
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

    /// Anyone: a certificate number or a QR payload → valid / voided / revoked / unknown / forged.
    pub fn verify(&mut self, input: &str) -> Result<Verification> {
        let input = input.trim();
        let key = self.write(|tx| signing_key(tx))?.verifying_key();
        if is_payload(input) {
            return match check_payload(input, &key) {
                PayloadCheck::Signed(fields) => {
                    let cert = cert_by_number(self.connection(), &fields.number)?;
                    let status = match &cert {
                        None => CertStatus::Unknown,
                        Some(c) if c.payload != input => CertStatus::Forged,
                        Some(c) => status_of(c.state),
                    };
                    Ok(Verification {
                        status,
                        fields: Some(fields),
                        certificate: cert,
                    })
                }
                PayloadCheck::Forged(fields) => Ok(Verification {
                    status: CertStatus::Forged,
                    fields,
                    certificate: None,
                }),
                PayloadCheck::Malformed => Ok(Verification {
                    status: CertStatus::Forged,
                    fields: None,
                    certificate: None,
                }),
            };
        }
        let cert = cert_by_number(self.connection(), input)?;
        Ok(Verification {
            status: cert
                .as_ref()
                .map(|c| status_of(c.state))
                .unwrap_or(CertStatus::Unknown),
            fields: None,
            certificate: cert,
        })
    }

    /// The application form to sign and stamp: the firm itself or a clerk of its jurisdiction.
    pub fn form_print(
        &mut self,
        actor: &Actor,
        app_id: i64,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        sink: impl FnOnce(&[u8]) -> Result<()>,
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
            let roster = load_roster(tx, app_id)?
                .iter()
                .enumerate()
                .map(|(i, r)| r.view(i as u32 + 1))
                .collect();
            let doc = FormDoc {
                application_id: app_id,
                state_zh: app.state.zh().to_string(),
                submission_no: app.submission_no,
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
            let pdf = render_form(&doc, fonts)?;
            audit(
                tx,
                actor,
                "form.print",
                &format!("app:{app_id}"),
                None,
                Some(&serde_json::json!({"bytes": pdf.len(), "state": app.state})),
                now,
            )?;
            sink(&pdf)?;
            Ok(pdf.len())
        })
    }
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

/// Offline verification from the payload alone with an exported public key.
pub fn verify_offline(payload: &str, public_key_hex: &str) -> Result<Verification> {
    let key = crate::domain::certificate::verifying_key_from_hex(public_key_hex)
        .map_err(|e| Error::field("public_key", e))?;
    Ok(match check_payload(payload, &key) {
        PayloadCheck::Signed(f) => Verification {
            status: CertStatus::Valid,
            fields: Some(f),
            certificate: None,
        },
        PayloadCheck::Forged(f) => Verification {
            status: CertStatus::Forged,
            fields: f,
            certificate: None,
        },
        PayloadCheck::Malformed => Verification {
            status: CertStatus::Forged,
            fields: None,
            certificate: None,
        },
    })
}

//! Issuing a certificate with the jurisdiction's next number; voiding and revoking it; showing
//! and listing certificates.

use chrono::{DateTime, Datelike, Utc};

use super::{cert_required, clerk_for, reason_of, CertState, Certificate};
use crate::domain::auth::{Actor, Role};
use crate::domain::certificate::{format_number, sign_payload, CertFields};
use crate::domain::workflow;
use crate::error::{Error, Result};
use crate::service::apps::{app_core, can_see_app};
use crate::service::firms::firm_by_id;
use crate::service::{audit, load_policy, local_date, page, Reopen};
use crate::store::{self, Db};
use crate::t;

/// The approving departments of an application's submission, in stage order; in filing mode
/// (no review) the competent industry department of the jurisdiction.
fn approving_departments(
    tx: Db<'_>,
    app: &crate::service::apps::AppCore,
    industry: &str,
) -> Result<Vec<String>> {
    let mut departments = store::tasks::approving_departments(tx, app.id, app.submission_no)?;
    departments.dedup();
    if departments.is_empty() {
        departments.extend(store::certs::filing_department(
            tx,
            &app.jurisdiction,
            industry,
        )?);
    }
    Ok(departments)
}

impl Reopen {
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
            let live = store::certs::live_count(tx, app_id)?;
            let new_state = workflow::issue(app.state, live > 0)?;
            let firm = firm_by_id(tx, app.firm_id)?;
            let policy = load_policy(tx)?;
            let today = local_date(now);
            let year = today.year();
            let seq = store::certs::next_seq(tx, &app.jurisdiction, year)?;
            let short = store::certs::division_short(tx, &app.jurisdiction)?;
            let number = format_number(&policy.certificate.number_format, &short, year, seq)
                .map_err(|e| Error::internal(e.zh))?;
            let approval = store::certs::approval(tx, app_id)?;
            let approved_date = approval.decided_at.map(local_date).unwrap_or(today);
            let headcount = approval.headcount.unwrap_or(0);
            let departments = approving_departments(tx, &app, &firm.industry)?;
            let fields = CertFields {
                jurisdiction: app.jurisdiction.clone(),
                year,
                seq,
                number: number.clone(),
                credit_code: firm.credit_code.clone(),
                firm_name: firm.name.clone(),
                approved_headcount: headcount,
                approved_date,
                issue_date: today,
            };
            let payload = sign_payload(&fields, &keys.require_signing_key()?);
            store::certs::insert(
                tx,
                &store::certs::NewCert {
                    number: &number,
                    jurisdiction: &app.jurisdiction,
                    year,
                    seq,
                    application_id: app_id,
                    submission_no: app.submission_no,
                    firm_name: &firm.name,
                    credit_code: &firm.credit_code,
                    address: &firm.address,
                    approved_date,
                    approved_headcount: headcount,
                    conditions: approval.conditions.as_deref().unwrap_or("[]"),
                    departments: &serde_json::to_string(&departments)?,
                    issue_date: today,
                    payload: &payload,
                    issued_at: now,
                    issued_by: actor.user_id,
                },
            )?;
            store::certs::set_app_state(tx, app_id, new_state, now)?;
            let cert = cert_required(tx, &number)?;
            audit(
                tx,
                actor,
                "cert.issue",
                &format!("cert:{number}"),
                Some(&serde_json::json!({"app_state": app.state})),
                Some(&serde_json::json!({"number": number, "application": app_id, "app_state": new_state})),
                now,
            )?;
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
        if !can_see_app(self.db(), actor, &app)? {
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
        let state = cert_list_state(actor, state)?;
        let (limit, offset) = page(limit, offset);
        store::certs::list(
            self.db(),
            &actor.scope(),
            &store::certs::ListFilter {
                state,
                unprinted,
                limit,
                offset,
            },
        )
    }

    /// How many certificates `cert_list` shows over all its pages (the pager's 共 N 条).
    pub fn cert_count(&self, actor: &Actor, state: Option<&str>, unprinted: bool) -> Result<i64> {
        let state = cert_list_state(actor, state)?;
        store::certs::count(
            self.db(),
            &actor.scope(),
            &store::certs::ListFilter {
                state,
                unprinted,
                limit: 0,
                offset: 0,
            },
        )
    }

    /// Every issued, never-printed certificate number of the actor's jurisdiction, read a page at
    /// a time: the batch to print. Taken before printing, since printing changes what "unprinted" is.
    pub fn cert_unprinted_numbers(&self, actor: &Actor) -> Result<Vec<String>> {
        const PAGE: u32 = 500;
        let mut numbers = Vec::new();
        loop {
            let page = self.cert_list(
                actor,
                Some(CertState::Issued.as_str()),
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
            let already = || {
                Error::conflict(t!(
                    format!(
                        "该批准通知书已{}，不能再变更",
                        cert.state.zh().trim_start_matches('已')
                    ),
                    format!("the certificate is already {:?}", cert.state).to_lowercase()
                ))
            };
            if cert.state != CertState::Issued {
                return Err(already());
            }
            if !store::certs::close(tx, cert.id, to, &reason, now, actor.user_id)? {
                return Err(already());
            }
            let mut app_after = None;
            if to == CertState::Revoked {
                let app = app_core(tx, cert.application_id)?;
                let s = workflow::revoke(app.state)?;
                store::certs::set_app_state(tx, app.id, s, now)?;
                app_after = Some(s);
            }
            let action = if to == CertState::Voided {
                "cert.void"
            } else {
                "cert.revoke"
            };
            audit(
                tx,
                actor,
                action,
                &format!("cert:{}", cert.number),
                Some(&serde_json::json!({"state": CertState::Issued})),
                Some(&serde_json::json!({"state": to, "reason": reason, "app_state": app_after})),
                now,
            )?;
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
}

/// Who may list certificates, and the state filter checked.
fn cert_list_state(actor: &Actor, state: Option<&str>) -> Result<Option<CertState>> {
    actor.require(
        &[Role::Clerk, Role::Leader, Role::Admin],
        &t!("查看批准通知书", "list certificates"),
    )?;
    state
        .map(|s| {
            CertState::parse(s.trim()).ok_or_else(|| {
                Error::field(
                    "state",
                    t!(
                        format!("批准通知书状态应为 issued、voided 或 revoked（实为“{s}”）"),
                        format!("a certificate state is issued, voided or revoked, not '{s}'")
                    ),
                )
            })
        })
        .transpose()
}

//! Printing: a certificate (every copy logged, stamped when voided or revoked) and the
//! application form with its review so far (audited). The PDF reaches its file only once the
//! print is committed to the log.

use chrono::{DateTime, Utc};

use super::{cert_required, clerk_for, CertState, PrintRecord};
use crate::documents::{
    render_certificate, render_form_reviewed, CertMark, CertificateDoc, DocFonts, FormDecision,
    FormDoc, FormReview, FormStage,
};
use crate::domain::auth::{Actor, Role};
use crate::domain::policy::ReviewMode;
use crate::domain::workflow::TaskState;
use crate::error::{Error, Result};
use crate::service::admin::resolve_stages;
use crate::service::apps::{app_core, frozen_stages, load_roster, AppCore};
use crate::service::firms::{can_file_for, firm_by_id};
use crate::service::{audit, load_policy, local_date, parse_ts, Reopen};
use crate::store::{self, Db};
use crate::t;

/// The certificate `cert` as a document: its title from the policy, the QR code with the
/// verification link when the installation has a public address (`address`), stamped 作废 or
/// 已撤销 as it is, and `copy_no` (a copy after the first is marked 补打). The clerk's print and
/// the firm's own copy are this same document.
pub(crate) fn certificate_doc(
    cert: &super::Certificate,
    title: String,
    address: Option<&str>,
    copy_no: u32,
) -> Result<CertificateDoc> {
    Ok(CertificateDoc {
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
        qr_payload: crate::domain::certificate::verification_link(address, &cert.payload),
        mark: match cert.state {
            CertState::Issued => None,
            CertState::Voided => Some(CertMark::Voided),
            CertState::Revoked => Some(CertMark::Revoked),
        },
        reprint: (copy_no > 1).then_some(copy_no),
    })
}

impl Reopen {
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
        let address = self.verification_address.clone();
        self.write(|tx| {
            let cert = cert_required(tx, number)?;
            clerk_for(actor, &cert.jurisdiction)?;
            let copy_no = cert.prints + 1;
            let doc = certificate_doc(&cert, title, address.as_deref(), copy_no)?;
            let mark = doc.mark;
            let pdf = render_certificate(&doc, fonts)?;
            let mark_s = mark.map(|m| match m {
                CertMark::Voided => "voided".to_string(),
                CertMark::Revoked => "revoked".to_string(),
            });
            store::prints::log_cert_print(
                tx,
                cert.id,
                copy_no,
                now,
                actor.user_id,
                mark_s.as_deref(),
            )?;
            audit(
                tx,
                actor,
                "cert.print",
                &format!("cert:{}", cert.number),
                None,
                Some(&serde_json::json!({"copy": copy_no, "mark": mark_s, "bytes": pdf.len()})),
                now,
            )?;
            let staged = stage(&pdf)?;
            Ok((
                PrintRecord {
                    number: cert.number,
                    copy_no,
                    mark: mark_s,
                    bytes: pdf.len(),
                },
                staged,
            ))
        })
        .and_then(|(record, staged)| finish(staged).map(|()| record))
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
            &t!("打印申请审批表", "print application forms"),
        )?;
        let sealer = self.sealer();
        self.write(|tx| {
            let app = app_core(tx, app_id)?;
            let firm = firm_by_id(tx, app.firm_id)?;
            if !can_file_for(actor, &firm) {
                return Err(Error::forbidden(t!(
                    "无权打印该申请审批表",
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
            let entries = load_roster(tx, &sealer, app_id)?;
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
                _ => store::certs::filing_department(tx, &app.jurisdiction, &firm.industry)?
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

/// The form's review boxes: the stages frozen with the current submission (a draft: the stages
/// it would go through today), each with the latest decision of that stage of that submission.
/// The reviewer is shown by department: users have no display name, only a login name.
fn form_stages(
    db: Db<'_>,
    app: &AppCore,
    firm: &crate::service::Firm,
    category: &str,
    policy: &crate::domain::policy::Policy,
) -> Result<Vec<FormStage>> {
    let plans = if app.submission_no >= 1 {
        frozen_stages(db, app.id, app.submission_no)?
    } else {
        // A draft: a preview of the route; a route that cannot be resolved yet prints no boxes.
        match resolve_stages(db, &app.jurisdiction, &firm.industry, category, policy) {
            Ok((ReviewMode::Filing, _)) | Err(_) => vec![],
            Ok((_, plans)) => plans,
        }
    };
    let mut out = Vec::with_capacity(plans.len());
    for (i, plan) in plans.iter().enumerate() {
        let names = plan
            .departments
            .iter()
            .map(|d| store::forms::department_name(db, *d))
            .collect::<Result<Vec<_>>>()?;
        let latest = store::tasks::latest_decision(db, app.id, app.submission_no, i as i64)?;
        let decision = latest.map(|d| FormDecision {
            verdict_zh: match d.state {
                TaskState::Approved => "同意",
                TaskState::Rejected => "不同意",
                _ => "退回补正",
            }
            .to_string(),
            opinion: d.opinion,
            reviewer: d.department,
            date: local_date(d.decided_at),
        });
        out.push(FormStage {
            name: plan.name.clone(),
            department: names.join("、"),
            decision,
        });
    }
    Ok(out)
}

//! What the firm's status page shows beyond the timeline: the whole path of the current
//! submission (which stages are done, which is under way with its deadline, which remain, and the
//! promised deadline of the whole review) and, once certified, the certificate; and the firm's own
//! electronic copy of its certificate (a PDF the firm saves or prints), audited as `cert.copy`.
//! The clerk's paper copies are `cert_print`'s, counted in the print log; the firm's copy is not
//! one of them, so it never turns the clerk's next print into a 补打.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::access::{can_see_app, forbidden_app};
use super::show::{app_core, frozen_stages};
use crate::documents::{render_certificate, DocFonts};
use crate::domain::auth::{Actor, Role};
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::certs::certificate_doc;
use crate::service::{audit, ts, Certificate, Reopen};
use crate::store::{self, Db};
use crate::t;

/// Where a stage of the path stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    /// Passed (approved by its quorum).
    Done,
    /// Under review now.
    Current,
    /// Not reached yet.
    Waiting,
    /// Returned for correction at this stage.
    Returned,
    /// Rejected at this stage.
    Rejected,
    /// Never reached: the application was settled or withdrawn before.
    Skipped,
}

/// One stage of the path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PathStage {
    pub name: String,
    /// The departments that review at this stage, by name.
    pub departments: Vec<String>,
    pub status: StageStatus,
    /// The stage's deadline when it is under way (UTC RFC 3339).
    pub due_at: Option<String>,
}

/// The path of the current submission and the certificate, for the status page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppPath {
    pub submission_no: i64,
    pub stages: Vec<PathStage>,
    /// Stages still to pass (under way or waiting).
    pub remaining: u32,
    /// The promised deadline of the whole review as recorded when its first stage opened: the
    /// stages × the hours per stage (None before submission or in filing mode).
    pub deadline: Option<String>,
    /// Hours each stage has (the policy's, green channel included, as recorded).
    pub hours_per_stage: Option<u32>,
    /// The application's newest certificate, if one was issued.
    pub certificate: Option<Certificate>,
}

fn path_of(conn: Db<'_>, app_id: i64, state: AppState, no: i64) -> Result<AppPath> {
    let certificate = match store::messages::certificate_numbers(conn, app_id)?.first() {
        Some(n) => store::certs::by_number(conn, n)?,
        None => None,
    };
    let mut path = AppPath {
        submission_no: no,
        stages: vec![],
        remaining: 0,
        deadline: None,
        hours_per_stage: None,
        certificate,
    };
    if no < 1 {
        return Ok(path);
    }
    let tasks: Vec<_> = store::tasks::timeline(conn, app_id)?
        .into_iter()
        .filter(|t| t.submission_no == no)
        .collect();
    let plans = frozen_stages(conn, app_id, no)?;
    if let Some(first) = store::tasks::first_task(conn, app_id, no)? {
        let per_stage = first.due_at - first.opened_at;
        let n = i32::try_from(plans.len().max(1)).unwrap_or(1);
        path.deadline = Some(ts(first.opened_at + per_stage * n));
        path.hours_per_stage = u32::try_from(per_stage.num_hours()).ok();
    }
    let settled = !matches!(state, AppState::InReview);
    for (i, plan) in plans.iter().enumerate() {
        let here: Vec<_> = tasks.iter().filter(|t| t.stage as usize == i).collect();
        let has = |s: TaskState| here.iter().any(|t| t.state == s);
        let status = if has(TaskState::Rejected) {
            StageStatus::Rejected
        } else if has(TaskState::Returned) {
            StageStatus::Returned
        } else if has(TaskState::Pending) && state == AppState::InReview {
            StageStatus::Current
        } else if !here.is_empty()
            && here
                .iter()
                .filter(|t| t.state == TaskState::Approved)
                .count()
                >= plan.quorum as usize
        {
            StageStatus::Done
        } else if settled {
            StageStatus::Skipped
        } else {
            StageStatus::Waiting
        };
        let due_at = (status == StageStatus::Current)
            .then(|| {
                here.iter()
                    .filter(|t| t.state == TaskState::Pending)
                    .map(|t| t.due_at.clone())
                    .max()
            })
            .flatten();
        if matches!(status, StageStatus::Current | StageStatus::Waiting) {
            path.remaining += 1;
        }
        path.stages.push(PathStage {
            name: plan.name.clone(),
            departments: plan
                .departments
                .iter()
                .map(|d| store::forms::department_name(conn, *d))
                .collect::<Result<Vec<_>>>()?,
            status,
            due_at,
        });
    }
    Ok(path)
}

impl Reopen {
    /// The status page's path and certificate: whoever may see the application.
    pub fn app_path(&self, actor: &Actor, app_id: i64) -> Result<AppPath> {
        let core = app_core(self.db(), app_id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        path_of(self.db(), app_id, core.state, core.submission_no)
    }

    /// The firm's own electronic copy of its application's newest certificate (marked 作废 or
    /// 已撤销 as the certificate is): only the firm itself. `stage` receives the PDF inside the
    /// transaction, `finish` runs after the commit (as `cert_print_staged`), so the file exists
    /// if and only if the copy is audited (`cert.copy`). Returns the certificate and the size.
    pub fn app_certificate_copy_staged<S>(
        &mut self,
        actor: &Actor,
        app_id: i64,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        stage: impl FnOnce(&[u8]) -> Result<S>,
        finish: impl FnOnce(S) -> Result<()>,
    ) -> Result<(Certificate, usize)> {
        actor.require(
            &[Role::Firm],
            &t!("保存本企业的批准通知书", "save the firm's certificate"),
        )?;
        let title = self.policy()?.certificate.title;
        let address = self.verification_address.clone();
        self.write(|tx| {
            let core = app_core(tx, app_id)?;
            if actor.firm_id != Some(core.firm_id) {
                return Err(forbidden_app());
            }
            let Some(number) = store::messages::certificate_numbers(tx, app_id)?
                .into_iter()
                .next()
            else {
                return Err(Error::conflict(t!(
                    format!(
                        "该申请尚未发证，没有批准通知书（当前状态：{}）",
                        core.state.zh()
                    ),
                    format!(
                        "no certificate was issued for this application (state: {})",
                        core.state.as_str()
                    )
                )));
            };
            let Some(cert) = store::certs::by_number(tx, &number)? else {
                return Err(Error::not_found(t!(
                    format!("没有批准通知书 {number}"),
                    format!("no certificate {number}")
                )));
            };
            // The firm's copy is never a 补打: it is not one of the clerk's counted copies.
            let doc = certificate_doc(&cert, title, address.as_deref(), 1)?;
            let pdf = render_certificate(&doc, fonts)?;
            audit(
                tx,
                actor,
                "cert.copy",
                &format!("cert:{}", cert.number),
                None,
                Some(&serde_json::json!({
                    "application": app_id, "state": cert.state, "bytes": pdf.len()
                })),
                now,
            )?;
            let staged = stage(&pdf)?;
            Ok((cert, pdf.len(), staged))
        })
        .and_then(|(cert, bytes, staged)| finish(staged).map(|()| (cert, bytes)))
    }
}

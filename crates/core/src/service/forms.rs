//! The counter documents of an application (受理回执, 退回补正告知书, 不予批准决定书): who may
//! print them (as for the application form: the firm itself or a clerk of its jurisdiction), which
//! state each needs, and the audit of every print that reached its file.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use super::apps::{app_core, frozen_stages, AppCore};
use super::firms::{can_file_for, firm_by_id, Firm};
use super::{audit, load_policy, local_date, Reopen};
use crate::documents::{
    case_number, render_notice, DocFonts, NoticeBody, NoticeDoc, NoticeKind, NoticeOpinion,
    ReceiptStage,
};
use crate::domain::auth::{Actor, Role};
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::store::{self, Db};
use crate::t;

/// What a print of a counter document produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticePrint {
    pub application: i64,
    pub kind: NoticeKind,
    pub case_number: String,
    pub submission_no: i64,
    pub bytes: usize,
}

fn local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&Shanghai).naive_local()
}

/// The case number: jurisdiction's short name, the year the application was created, its id.
fn case_number_of(conn: Db<'_>, app: &AppCore) -> Result<String> {
    let (short, created) = store::forms::case_parts(conn, app.id)?;
    Ok(case_number(&short, local_date(created).year(), app.id))
}

/// The decided tasks of one submission in one state: opinions in stage order, the departments
/// that decided (they sign), the latest decision time.
struct Decided {
    opinions: Vec<NoticeOpinion>,
    signers: Vec<String>,
    at: Option<DateTime<Utc>>,
}

fn decided(conn: Db<'_>, app_id: i64, no: i64, state: TaskState) -> Result<Decided> {
    let mut opinions = Vec::new();
    let mut departments: Vec<String> = Vec::new();
    let mut last: Option<DateTime<Utc>> = None;
    for t in store::tasks::in_state(conn, app_id, no, state)? {
        if let Some(at) = t.decided_at {
            last = Some(last.map_or(at, |l| l.max(at)));
        }
        if !departments.contains(&t.department) {
            departments.push(t.department.clone());
        }
        opinions.push(NoticeOpinion {
            stage: t.stage_name,
            department: t.department,
            opinion: t.opinion,
        });
    }
    Ok(Decided {
        opinions,
        signers: departments,
        at: last,
    })
}

/// The receipt's body: the stages of the submission and the promised deadline as recorded when
/// its first stage opened (hours per stage × stages); none opened means filing mode.
fn receipt_body(
    conn: Db<'_>,
    app: &AppCore,
    firm: &Firm,
    no: i64,
) -> Result<(NoticeBody, Vec<String>)> {
    let Some(first) = store::tasks::first_task(conn, app.id, no)? else {
        // Filing mode: approved at once; the competent industry department signs.
        let name = store::certs::filing_department(conn, &app.jurisdiction, &firm.industry)?;
        let body = NoticeBody::Receipt {
            stages: vec![],
            hours_per_stage: 0,
            green_channel: false,
            deadline: None,
        };
        return Ok((body, name.into_iter().collect()));
    };
    let (opened, green) = (first.opened_at, first.green_channel);
    let per_stage = first.due_at - opened;
    let mut stages = Vec::new();
    let mut signers = Vec::new();
    for (i, s) in frozen_stages(conn, app.id, no)?.iter().enumerate() {
        let names = s
            .departments
            .iter()
            .map(|d| store::forms::department_name(conn, *d))
            .collect::<Result<Vec<_>>>()?;
        if i == 0 {
            signers.clone_from(&names);
        }
        stages.push(ReceiptStage {
            name: s.name.clone(),
            departments: names.join("、"),
        });
    }
    let n = i32::try_from(stages.len().max(1)).unwrap_or(1);
    let deadline = opened + per_stage * n;
    let body = NoticeBody::Receipt {
        stages,
        hours_per_stage: u32::try_from(per_stage.num_hours()).unwrap_or(0),
        green_channel: green,
        deadline: Some(local(deadline)),
    };
    Ok((body, signers))
}

fn wrong_state(kind: NoticeKind, state: AppState) -> Error {
    let (zh, en) = match kind {
        NoticeKind::Receipt => (
            "该申请尚未提交，不能打印受理回执",
            "the application was never submitted; there is no receipt to print",
        ),
        NoticeKind::Return => (
            "该申请未被退回补正，不能打印退回补正告知书",
            "the application was never returned; there is no return notice to print",
        ),
        NoticeKind::Rejection => (
            "该申请未被不予批准，不能打印不予批准决定书",
            "the application was not rejected; there is no rejection decision to print",
        ),
    };
    Error::conflict(t!(
        format!("{zh}（当前状态：{}）", state.zh()),
        format!("{en} (state: {})", state.as_str())
    ))
}

impl Reopen {
    /// Prints a counter document of an application: the firm itself or a clerk of its
    /// jurisdiction, as for the application form. The receipt needs a submission, the return
    /// notice a return (the latest one: the current return, or the one before a resubmission),
    /// the rejection decision a rejected application. `sink` receives the PDF inside the
    /// transaction; the print is audited (`notice.print`) only if it succeeds.
    pub fn notice_print(
        &mut self,
        actor: &Actor,
        app_id: i64,
        kind: NoticeKind,
        fonts: &DocFonts,
        now: DateTime<Utc>,
        sink: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<NoticePrint> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("打印受理回执和告知书", "print counter documents"),
        )?;
        self.write(|tx| {
            let app = app_core(tx, app_id)?;
            let firm = firm_by_id(tx, app.firm_id)?;
            if !can_file_for(actor, &firm) {
                return Err(Error::forbidden(t!(
                    "无权打印该申请的回执或告知书",
                    "you may not print this application's documents"
                )));
            }
            let (no, body, departments, date) = match kind {
                NoticeKind::Receipt => {
                    if app.submission_no < 1 {
                        return Err(wrong_state(kind, app.state));
                    }
                    let (body, signers) = receipt_body(tx, &app, &firm, app.submission_no)?;
                    let at = store::forms::submitted_at(tx, app.id, app.submission_no)?;
                    (app.submission_no, body, signers, local_date(at))
                }
                NoticeKind::Return => {
                    let last = store::tasks::last_submission_with(tx, app.id, TaskState::Returned)?;
                    let Some(no) = last else {
                        return Err(wrong_state(kind, app.state));
                    };
                    let d = decided(tx, app.id, no, TaskState::Returned)?;
                    let at = d.at.unwrap_or(now);
                    let body = NoticeBody::Return {
                        decided_at: local(at),
                        opinions: d.opinions,
                    };
                    (no, body, d.signers, local_date(at))
                }
                NoticeKind::Rejection => {
                    if app.state != AppState::Rejected {
                        return Err(wrong_state(kind, app.state));
                    }
                    let no = app.submission_no;
                    let d = decided(tx, app.id, no, TaskState::Rejected)?;
                    let at = d.at.unwrap_or(now);
                    let body = NoticeBody::Rejection {
                        decided_at: local(at),
                        opinions: d.opinions,
                    };
                    (no, body, d.signers, local_date(at))
                }
            };
            let plan = store::forms::submitted_plan(tx, app.id, no)?;
            let policy = load_policy(tx)?;
            let category = plan.category.clone().unwrap_or_default();
            let doc = NoticeDoc {
                case_number: case_number_of(tx, &app)?,
                application_id: app.id,
                submission_no: no,
                firm_name: firm.name.clone(),
                credit_code: firm.credit_code.clone(),
                category_zh: policy
                    .categories
                    .get(&category)
                    .cloned()
                    .unwrap_or(category),
                planned_date: plan.planned_date,
                planned_headcount: plan.headcount.planned,
                submitted_at: local(store::forms::submitted_at(tx, app.id, no)?),
                body,
                departments,
                date,
                created: now,
            };
            let pdf = render_notice(&doc, fonts)?;
            sink(&pdf)?;
            audit(
                tx,
                actor,
                "notice.print",
                &format!("app:{app_id}"),
                None,
                Some(&serde_json::json!({
                    "kind": kind, "case_number": doc.case_number, "submission_no": no,
                    "bytes": pdf.len(), "state": app.state
                })),
                now,
            )?;
            Ok(NoticePrint {
                application: app_id,
                kind,
                case_number: doc.case_number,
                submission_no: no,
                bytes: pdf.len(),
            })
        })
    }
}

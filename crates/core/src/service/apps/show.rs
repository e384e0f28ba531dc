//! An application's read model: its row, its firm, its latest findings and its timeline.

use chrono::{DateTime, Utc};

use crate::domain::auth::Actor;
use crate::domain::workflow::{StagePlan, TaskState};
use crate::error::{Error, Result};
use crate::service::firms::firm_by_id;
use crate::service::{parse_ts, Reopen};
use crate::store::{self, Db};
use crate::t;

use super::access::{can_see_app, forbidden_app};
use super::{AppCore, Application, FirmSummary, TaskRecord};

pub(crate) fn app_core(conn: Db<'_>, id: i64) -> Result<AppCore> {
    store::apps::core(conn, id)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("没有编号为 {id} 的申请"),
            format!("no application {id}")
        ))
    })
}

/// Every task of the application, pending ones past their deadline marked overdue.
pub(crate) fn tasks_of(conn: Db<'_>, app_id: i64, now: DateTime<Utc>) -> Result<Vec<TaskRecord>> {
    let mut tasks = store::tasks::timeline(conn, app_id)?;
    for t in &mut tasks {
        t.overdue = t.state == TaskState::Pending && parse_ts(&t.due_at)? < now;
    }
    Ok(tasks)
}

pub(crate) fn application(conn: Db<'_>, id: i64, now: DateTime<Utc>) -> Result<Application> {
    let core = app_core(conn, id)?;
    let firm = firm_by_id(conn, core.firm_id)?;
    let d = store::apps::details(conn, id)?;
    let findings = store::submissions::findings(conn, id, core.submission_no)?;
    Ok(Application {
        id,
        firm: FirmSummary {
            id: firm.id,
            credit_code: firm.credit_code,
            name: firm.name,
            division: firm.division,
            industry: firm.industry,
            warnings: firm.warnings,
        },
        jurisdiction: core.jurisdiction,
        state: core.state,
        state_zh: core.state.zh().to_string(),
        category: d.category,
        plan: core.plan,
        roster_count: d.roster_count,
        version: core.version,
        submission_no: core.submission_no,
        stage: core.stage,
        approved_headcount: d.approved_headcount,
        conditions: d
            .conditions
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
        created_at: d.created_at,
        updated_at: d.updated_at,
        submitted_at: d.submitted_at,
        decided_at: d.decided_at,
        findings: findings
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
        tasks: tasks_of(conn, id, now)?,
    })
}

/// Used by the review use case: the stage plans frozen with the current submission.
pub(crate) fn frozen_stages(conn: Db<'_>, app_id: i64, no: i64) -> Result<Vec<StagePlan>> {
    Ok(serde_json::from_str(&store::submissions::stages(
        conn, app_id, no,
    )?)?)
}

impl Reopen {
    pub fn app_show(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Application> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        application(self.db(), id, now)
    }
}

//! Submitting (checking everything at once, freezing the submission, opening the first stage)
//! and withdrawing.

use chrono::{DateTime, Utc};

use crate::domain::auth::{Actor, Role};
use crate::domain::plan::{check_submission, Finding, FirmFacts};
use crate::domain::policy::Policy;
use crate::domain::roster::RosterRecord;
use crate::domain::workflow::{self, AppState};
use crate::error::{Error, Result};
use crate::service::admin::resolve_stages;
use crate::service::firms::Firm;
use crate::service::{audit, load_policy, local_date, Reopen};
use crate::store::seal::Sealer;
use crate::store::{self, Db};
use crate::t;

use super::access::{check_editable, file_for};
use super::roster::load_roster;
use super::show::{app_core, application};
use super::{AppCore, Application};

/// Opens the review tasks of a stage (used by the review use case when a stage is passed).
pub(crate) fn open_tasks(
    tx: Db<'_>,
    app_id: i64,
    submission_no: i64,
    open: &[workflow::OpenTask],
    green: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    store::tasks::insert_open(tx, app_id, submission_no, open, green, now)
}

/// The stored roster with every check of a submission run at once: the roster read back as
/// entries, then the plan, the firm's facts and the roster against the policy. Every error
/// together, or the warnings.
fn checked(
    core: &AppCore,
    firm: &Firm,
    records: &[RosterRecord],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>> {
    let today = local_date(now);
    let entries = records
        .iter()
        .map(|r| r.entry(today))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::field("roster", e))?;
    let facts = FirmFacts {
        industry: &firm.industry,
        principal_name: &firm.principal.name,
        staff_total: firm.staff_total,
    };
    let (errors, findings) = check_submission(&core.plan, &facts, &entries, policy, today);
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    Ok(findings)
}

/// `app_submit` after the permission check, inside the caller's transaction.
pub(crate) fn submit_tx(
    tx: Db<'_>,
    sealer: &Sealer,
    actor: &Actor,
    core: &AppCore,
    firm: &Firm,
    expect_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let id = core.id;
    check_editable(core, expect_version)?;
    let policy = load_policy(tx)?;
    let records = load_roster(tx, sealer, id)?;
    let findings = checked(core, firm, &records, &policy, now)?;
    let category = core.plan.category.clone().unwrap_or_default();
    let (mode, stages) =
        resolve_stages(tx, &core.jurisdiction, &firm.industry, &category, &policy)?;
    let (sla, green) = policy.sla_hours(&category);
    let outcome = workflow::submit(core.state, mode, &stages, now, sla)?;
    let no = core.submission_no + 1;
    store::submissions::insert(
        tx,
        sealer,
        &store::submissions::NewSubmission {
            app_id: id,
            submission_no: no,
            plan: &serde_json::to_string(&core.plan)?,
            roster: &records,
            stages: &serde_json::to_string(&stages)?,
            findings: &serde_json::to_string(&findings)?,
            submitted_by: actor.user_id,
            now,
        },
    )?;
    open_tasks(tx, id, no, &outcome.open, green, now)?;
    let approved =
        (outcome.state == AppState::Approved).then(|| core.plan.headcount.max_approvable());
    store::apps::mark_submitted(
        tx,
        id,
        &store::apps::Submitted {
            state: outcome.state,
            stage: outcome.stage,
            submission_no: no,
            approved_headcount: approved,
            now,
        },
    )?;
    audit(
        tx,
        actor,
        "app.submit",
        &format!("app:{id}"),
        Some(&serde_json::json!({"state": core.state})),
        Some(
            &serde_json::json!({"state": outcome.state, "submission_no": no, "mode": mode, "stages": stages}),
        ),
        now,
    )?;
    application(tx, id, now)
}

impl Reopen {
    /// Submits (or resubmits after a return): checks everything at once, freezes the submission,
    /// routes it to the stage-one departments (or approves at once in filing mode).
    pub fn app_submit(
        &mut self,
        actor: &Actor,
        id: i64,
        expect_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("提交复工申请", "submit applications"),
        )?;
        let sealer = self.sealer();
        self.write(|tx| {
            let core = app_core(tx, id)?;
            let firm = file_for(tx, actor, &core)?;
            crate::service::packages::refuse_in_firm_mode(tx)?;
            submit_tx(tx, &sealer, actor, &core, &firm, expect_version, now)
        })
    }

    pub fn app_withdraw(
        &mut self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("撤回复工申请", "withdraw applications"),
        )?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            let state = workflow::withdraw(core.state)?;
            store::tasks::close_pending_of_application(tx, id)?;
            store::apps::set_state_unstaged(tx, id, state, now)?;
            audit(
                tx,
                actor,
                "app.withdraw",
                &format!("app:{id}"),
                Some(&serde_json::json!({"state": core.state})),
                Some(&serde_json::json!({"state": state})),
                now,
            )?;
            application(tx, id, now)
        })
    }
}

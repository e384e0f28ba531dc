//! Creating a draft and editing its plan.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::auth::{Actor, Role, CITY};
use crate::domain::plan::Plan;
use crate::error::{Error, Result};
use crate::service::firms::{can_file_for, firm_by_code, Firm};
use crate::service::{audit, load_policy, Reopen};
use crate::store::{self, Db};
use crate::t;

use super::access::{check_editable, file_for, forbidden_app};
use super::show::{app_core, application};
use super::{AppCore, Application};

fn parse_plan(conn: Db<'_>, v: &Value) -> Result<Plan> {
    let policy = load_policy(conn)?;
    Plan::from_json(v, &policy).map_err(Error::validation)
}

/// What the audit log keeps of an application before and after a change.
pub(super) fn summary(app: &Application) -> Value {
    serde_json::json!({"state": app.state, "version": app.version, "plan": app.plan, "roster_count": app.roster_count})
}

/// `app_create` without its permission check, inside the caller's transaction (also used by the
/// package import, which composes several use cases in one transaction).
pub(crate) fn create_tx(
    tx: Db<'_>,
    actor: &Actor,
    firm: &Firm,
    plan: &Value,
    now: DateTime<Utc>,
) -> Result<Application> {
    let plan = parse_plan(tx, plan)?;
    if let Some((id, state)) = store::apps::open_of_firm(tx, firm.id)? {
        let (zh, state): (&str, &str) = (state.zh(), state.as_str());
        return Err(Error::conflict(t!(
            format!("该企业已有未办结的申请（编号 {id}，{zh}），不能重复申请"),
            format!("the firm already has an open application ({id}, {state})")
        )));
    }
    let jurisdiction = if firm.city_managed {
        CITY.to_string()
    } else {
        firm.division.clone()
    };
    let id = store::apps::insert(
        tx,
        &store::apps::NewApp {
            firm_id: firm.id,
            jurisdiction: &jurisdiction,
            plan: &plan,
            created_by: actor.user_id,
            now,
        },
    )?;
    let app = application(tx, id, now)?;
    audit(
        tx,
        actor,
        "app.create",
        &format!("app:{id}"),
        None,
        Some(&summary(&app)),
        now,
    )?;
    Ok(app)
}

/// `app_update` after the permission check, inside the caller's transaction.
pub(crate) fn update_tx(
    tx: Db<'_>,
    actor: &Actor,
    core: &AppCore,
    plan: &Value,
    expect_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let id = core.id;
    check_editable(core, expect_version)?;
    let plan = parse_plan(tx, plan)?;
    let before = application(tx, id, now)?;
    store::apps::update_plan(tx, id, &plan, now)?;
    let after = application(tx, id, now)?;
    audit(
        tx,
        actor,
        "app.update",
        &format!("app:{id}"),
        Some(&summary(&before)),
        Some(&summary(&after)),
        now,
    )?;
    Ok(after)
}

impl Reopen {
    pub fn app_create(
        &mut self,
        actor: &Actor,
        credit_code: &str,
        plan: &Value,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("填报复工申请", "file applications"),
        )?;
        self.check_plan_printable(plan)?;
        self.write(|tx| {
            let firm = firm_by_code(tx, credit_code)?;
            if !can_file_for(actor, &firm) {
                return Err(forbidden_app());
            }
            create_tx(tx, actor, &firm, plan, now)
        })
    }

    pub fn app_update(
        &mut self,
        actor: &Actor,
        id: i64,
        plan: &Value,
        expect_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("修改复工申请", "edit applications"),
        )?;
        self.check_plan_printable(plan)?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            update_tx(tx, actor, &core, plan, expect_version, now)
        })
    }

    /// A plan whose printed text no font can draw is refused before anything is stored; a plan
    /// that does not parse is left to the transaction, which reports every malformed field.
    fn check_plan_printable(&self, plan: &Value) -> Result<()> {
        match Plan::from_json(plan, &load_policy(self.db())?) {
            Ok(p) => self.check_printable(&p.printed_text()),
            Err(_) => Ok(()),
        }
    }
}

//! The `applications` table: one row per application (the one-enterprise-one-plan), its plan,
//! state and counters.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::auth::Scope;
use crate::domain::plan::Plan;
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::service::AppRow;
use crate::store::db::ToArg;
use crate::store::{scope, Db, Row, Value};

/// What most use cases need of an application.
pub(crate) struct AppCore {
    pub id: i64,
    pub firm_id: i64,
    pub jurisdiction: String,
    pub state: AppState,
    pub plan: Plan,
    pub version: i64,
    pub submission_no: i64,
    pub stage: Option<u32>,
}

/// The rest of an application's row, for its full read model.
pub(crate) struct AppDetails {
    pub category: String,
    pub roster_count: u32,
    pub approved_headcount: Option<u32>,
    /// JSON array of the conditions of the approval, if any.
    pub conditions: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
}

/// The filters of the application list, already checked.
pub(crate) struct ListFilter<'a> {
    pub state: Option<AppState>,
    pub division: Option<&'a str>,
    /// Applications routed to this department.
    pub department_id: Option<i64>,
    pub credit_code: Option<&'a str>,
    pub limit: u32,
    pub offset: u32,
}

/// A new draft.
pub(crate) struct NewApp<'a> {
    pub firm_id: i64,
    pub jurisdiction: &'a str,
    pub plan: &'a Plan,
    pub created_by: i64,
    pub now: DateTime<Utc>,
}

/// The state an application reaches when it is submitted.
pub(crate) struct Submitted {
    pub state: AppState,
    pub stage: Option<u32>,
    pub submission_no: i64,
    pub approved_headcount: Option<u32>,
    pub now: DateTime<Utc>,
}

fn core_row(r: &Row<'_>) -> Result<AppCore> {
    let plan: String = r.get(4)?;
    Ok(AppCore {
        id: r.get(0)?,
        firm_id: r.get(1)?,
        jurisdiction: r.get(2)?,
        state: r.decode(3, AppState::parse)?,
        plan: serde_json::from_str(&plan)
            .map_err(|e| Error::internal(format!("stored plan: {e}")))?,
        version: r.get(5)?,
        submission_no: r.get(6)?,
        stage: r.get(7)?,
    })
}

pub(crate) fn core(db: Db<'_>, id: i64) -> Result<Option<AppCore>> {
    db.row_opt(
        "SELECT id, firm_id, jurisdiction, state, plan, version, submission_no, stage
         FROM applications WHERE id = ?1",
        args![id],
        core_row,
    )
}

pub(crate) fn details(db: Db<'_>, id: i64) -> Result<AppDetails> {
    db.row(
        "SELECT category, roster_count, approved_headcount, conditions, created_at, updated_at,
                submitted_at, decided_at
         FROM applications WHERE id = ?1",
        args![id],
        |r| {
            Ok(AppDetails {
                category: r.get(0)?,
                roster_count: r.get(1)?,
                approved_headcount: r.get(2)?,
                conditions: r.get(3)?,
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
                submitted_at: r.get(6)?,
                decided_at: r.get(7)?,
            })
        },
    )
}

/// The firm's application that is not in a final state, if any (at most one: a partial unique
/// index keeps it so).
pub(crate) fn open_of_firm(db: Db<'_>, firm_id: i64) -> Result<Option<(i64, AppState)>> {
    let finals: Vec<&str> = AppState::ALL
        .into_iter()
        .filter(|s| s.is_final())
        .map(AppState::as_str)
        .collect();
    let [a, b, c] = finals[..] else {
        return Err(Error::internal("three final states expected"));
    };
    db.row_opt(
        "SELECT id, state FROM applications WHERE firm_id = ?1 AND state NOT IN (?2, ?3, ?4)",
        args![firm_id, a, b, c],
        |r| Ok((r.get(0)?, r.decode(1, AppState::parse)?)),
    )
}

/// The division of an application's firm (whose clerks and leaders may see it too).
pub(crate) fn firm_division(db: Db<'_>, firm_id: i64) -> Result<String> {
    db.one("SELECT division FROM firms WHERE id = ?1", args![firm_id])
}

fn planned_date(plan: &Plan) -> String {
    plan.planned_date.map(|d| d.to_string()).unwrap_or_default()
}

/// A new draft; its id.
pub(crate) fn insert(db: Db<'_>, a: &NewApp<'_>) -> Result<i64> {
    db.one(
        "INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount,
            plan, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id",
        args![
            a.firm_id,
            a.jurisdiction,
            AppState::Draft.as_str(),
            a.plan.category.clone().unwrap_or_default(),
            planned_date(a.plan),
            a.plan.headcount.planned,
            serde_json::to_string(a.plan)?,
            a.created_by,
            a.now
        ],
    )
}

/// A new plan (and the columns derived from it); the version moves on.
pub(crate) fn update_plan(db: Db<'_>, id: i64, plan: &Plan, now: DateTime<Utc>) -> Result<()> {
    db.exec(
        "UPDATE applications SET plan = ?2, category = ?3, planned_date = ?4, planned_headcount = ?5,
            version = version + 1, updated_at = ?6 WHERE id = ?1",
        args![
            id,
            serde_json::to_string(plan)?,
            plan.category.clone().unwrap_or_default(),
            planned_date(plan),
            plan.headcount.planned,
            now
        ],
    )?;
    Ok(())
}

pub(crate) fn roster_count(db: Db<'_>, id: i64) -> Result<u32> {
    db.one(
        "SELECT roster_count FROM applications WHERE id = ?1",
        args![id],
    )
}

/// A new roster was stored: its size, and the version moves on.
pub(crate) fn set_roster_count(
    db: Db<'_>,
    id: i64,
    count: usize,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE applications SET roster_count = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
        args![id, count, now],
    )?;
    Ok(())
}

/// The application was submitted: its new state, stage and submission number; the conditions
/// of an earlier approval are gone, and an approval at once is decided now.
pub(crate) fn mark_submitted(db: Db<'_>, id: i64, s: &Submitted) -> Result<()> {
    let decided_at = (s.state == AppState::Approved).then_some(s.now);
    db.exec(
        "UPDATE applications SET state = ?2, stage = ?3, submission_no = ?4, version = version + 1,
            updated_at = ?5, submitted_at = ?5, approved_headcount = ?6, decided_at = ?7,
            conditions = NULL WHERE id = ?1",
        args![
            id,
            s.state.as_str(),
            s.stage,
            s.submission_no,
            s.now,
            s.approved_headcount,
            decided_at
        ],
    )?;
    Ok(())
}

/// The application was withdrawn (or otherwise left review without a stage).
pub(crate) fn set_state_unstaged(
    db: Db<'_>,
    id: i64,
    state: AppState,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE applications SET state = ?2, stage = NULL, version = version + 1, updated_at = ?3
         WHERE id = ?1",
        args![id, state.as_str(), now],
    )?;
    Ok(())
}

/// The FROM and WHERE of the list: the applications `scope` may see that the filter keeps.
fn list_where(scope: &Scope, f: &ListFilter<'_>) -> (String, Vec<Value>) {
    let (cond, scope_args) = scope::applications(scope);
    let mut sql = format!(" FROM applications a JOIN firms f ON f.id = a.firm_id WHERE {cond}");
    let mut args: Vec<Value> = scope_args;
    if let Some(s) = f.state {
        sql.push_str(" AND a.state = ?");
        args.push(s.as_str().into());
    }
    if let Some(d) = f.division {
        sql.push_str(" AND (a.jurisdiction = ? OR f.division = ?)");
        args.push(d.into());
        args.push(d.into());
    }
    if let Some(dep) = f.department_id {
        sql.push_str(
            " AND a.id IN (SELECT application_id FROM review_tasks WHERE department_id = ?)",
        );
        args.push(dep.into());
    }
    if let Some(c) = f.credit_code {
        sql.push_str(" AND f.credit_code = ?");
        args.push(c.into());
    }
    (sql, args)
}

/// How many applications the list would show over all its pages (the pager's 共 N 条).
pub(crate) fn count(db: Db<'_>, scope: &Scope, f: &ListFilter<'_>) -> Result<i64> {
    let (from, args) = list_where(scope, f);
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.one(&format!("SELECT count(*){from}"), &refs)
}

/// A page of the applications `scope` may see, newest change first.
pub(crate) fn list(db: Db<'_>, scope: &Scope, f: &ListFilter<'_>) -> Result<Vec<AppRow>> {
    let (from, mut args) = list_where(scope, f);
    let mut sql = format!(
        "SELECT a.id, f.name, f.credit_code, a.jurisdiction, a.state, a.category, a.planned_date,
                a.planned_headcount, a.approved_headcount, a.submitted_at, a.updated_at{from}"
    );
    sql.push_str(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ? OFFSET ?");
    args.push(i64::from(f.limit).into());
    args.push(i64::from(f.offset).into());
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(&sql, &refs, |r| {
        Ok(AppRow {
            id: r.get(0)?,
            firm_name: r.get(1)?,
            credit_code: r.get(2)?,
            jurisdiction: r.get(3)?,
            state: r.decode(4, AppState::parse)?,
            category: r.get(5)?,
            planned_date: r.get(6)?,
            planned_headcount: r.get(7)?,
            approved_headcount: r.get(8)?,
            submitted_at: r.get(9)?,
            updated_at: r.get(10)?,
        })
    })
}

#[cfg(test)]
#[path = "apps_tests.rs"]
mod tests;

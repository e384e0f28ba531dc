//! Applications (the one-enterprise-one-plan): drafts, roster, submission, withdrawal, reads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use super::admin::resolve_stages;
use super::firms::{can_file_for, firm_by_code, firm_by_id, stale, Firm};
use super::{audit, load_policy, local_date, page, parse_ts, ts, Reopen};
use crate::domain::auth::{Actor, Role, CITY};
use crate::domain::plan::{check_submission, Finding, FirmFacts, Plan};
use crate::domain::roster::{self, RosterEntry, RosterRecord, RosterView};
use crate::domain::workflow::{self, AppState, StagePlan, TaskState};
use crate::error::{Error, Result, Text};
use crate::store::Db;
use crate::t;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FirmSummary {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub division: String,
    pub industry: String,
    pub warnings: Vec<Text>,
}

/// One stage decision (or pending task) on the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TaskRecord {
    pub id: i64,
    pub submission_no: i64,
    pub stage: u32,
    pub stage_name: String,
    pub department: String,
    pub department_name: String,
    pub state: TaskState,
    pub green_channel: bool,
    pub opened_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub opinion: Option<String>,
    pub headcount: Option<u32>,
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Application {
    pub id: i64,
    pub firm: FirmSummary,
    pub jurisdiction: String,
    pub state: AppState,
    pub state_zh: String,
    pub category: String,
    pub plan: Plan,
    pub roster_count: u32,
    pub version: i64,
    pub submission_no: i64,
    pub stage: Option<u32>,
    pub approved_headcount: Option<u32>,
    pub conditions: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    /// Warnings of the latest submission (supplies, health figures).
    pub findings: Vec<Finding>,
    pub tasks: Vec<TaskRecord>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppRow {
    pub id: i64,
    pub firm_name: String,
    pub credit_code: String,
    pub jurisdiction: String,
    pub state: AppState,
    pub category: String,
    pub planned_date: String,
    pub planned_headcount: u32,
    pub approved_headcount: Option<u32>,
    pub submitted_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppFilter {
    pub state: Option<String>,
    pub division: Option<String>,
    /// `DIVISION-KIND`: applications routed to this department.
    pub department: Option<String>,
    pub firm: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SubmissionInfo {
    pub submission_no: i64,
    pub submitted_at: String,
    pub submitted_by: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterChange {
    /// Masked ID number.
    pub id_number: String,
    pub name: String,
    pub change: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Diff {
    pub from: i64,
    pub to: i64,
    pub plan: Vec<FieldChange>,
    pub roster: Vec<RosterChange>,
}

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

fn bad_column(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

pub(crate) fn app_core(conn: Db<'_>, id: i64) -> Result<AppCore> {
    conn.query_row(
        "SELECT id, firm_id, jurisdiction, state, plan, version, submission_no, stage FROM applications WHERE id = ?1",
        [id],
        |r| {
            let state = crate::store::decode(r, 3, AppState::parse)?;
            let plan: String = r.get(4)?;
            Ok(AppCore {
                id: r.get(0)?,
                firm_id: r.get(1)?,
                jurisdiction: r.get(2)?,
                state,
                plan: serde_json::from_str(&plan).map_err(|e| bad_column(4, e))?,
                version: r.get(5)?,
                submission_no: r.get(6)?,
                stage: r.get(7)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::not_found(t!(format!("没有编号为 {id} 的申请"), format!("no application {id}"))))
}

/// How much of an application's roster `actor` may have: full ID and phone numbers only for the
/// firm itself and for a reviewer with a pending task on it (the one deciding); everyone else
/// masked. The one rule behind the audited reveal and the application package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disclosure {
    Full,
    Masked,
}

impl Disclosure {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Disclosure::Full => "full",
            Disclosure::Masked => "masked",
        }
    }
}

pub(crate) fn roster_disclosure(tx: Db<'_>, actor: &Actor, core: &AppCore) -> Result<Disclosure> {
    let full = match actor.role {
        Role::Reviewer => {
            let n: i64 = tx.query_row(
                "SELECT count(*) FROM review_tasks WHERE application_id = ?1 AND department_id = ?2 AND state = 'pending'",
                params![core.id, actor.department_id],
                |r| r.get(0),
            )?;
            n > 0
        }
        Role::Firm => actor.firm_id == Some(core.firm_id),
        Role::Clerk | Role::Leader | Role::Admin => false,
    };
    Ok(if full {
        Disclosure::Full
    } else {
        Disclosure::Masked
    })
}

pub(crate) fn forbidden_app() -> Error {
    Error::forbidden(t!(
        "无权查看或办理该申请",
        "you may not see or act on this application"
    ))
}

/// Read access: the firm itself, reviewers of departments it was routed to, clerks and leaders of
/// its jurisdiction, the administrator.
pub(crate) fn can_see_app(conn: Db<'_>, actor: &Actor, app: &AppCore) -> Result<bool> {
    Ok(match actor.role {
        Role::Admin => true,
        Role::Firm => actor.firm_id == Some(app.firm_id),
        Role::Clerk | Role::Leader => {
            actor.covers(&app.jurisdiction) || {
                let div: String = conn.query_row(
                    "SELECT division FROM firms WHERE id = ?1",
                    [app.firm_id],
                    |r| r.get(0),
                )?;
                actor.covers(&div)
            }
        }
        Role::Reviewer => {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM review_tasks WHERE application_id = ?1 AND department_id = ?2",
                params![app.id, actor.department_id],
                |r| r.get(0),
            )?;
            n > 0
        }
    })
}

pub(crate) fn file_for(conn: Db<'_>, actor: &Actor, app: &AppCore) -> Result<Firm> {
    let firm = firm_by_id(conn, app.firm_id)?;
    if !can_file_for(actor, &firm) {
        return Err(forbidden_app());
    }
    Ok(firm)
}

fn check_version(app: &AppCore, expect: Option<i64>) -> Result<()> {
    match expect {
        Some(v) if v != app.version => Err(stale(v, app.version)),
        _ => Ok(()),
    }
}

/// The expected version matches and the application may still be edited (draft or returned).
fn check_editable(core: &AppCore, expect_version: Option<i64>) -> Result<()> {
    check_version(core, expect_version)?;
    if !core.state.is_editable() {
        return Err(not_editable(core.state));
    }
    Ok(())
}

pub(crate) fn not_editable(state: AppState) -> Error {
    Error::conflict(t!(
        format!("申请当前状态为“{}”,不能修改", state.zh()),
        format!(
            "an application in state {} cannot be changed",
            state.as_str()
        )
    ))
}

pub(crate) fn load_roster(conn: Db<'_>, app_id: i64) -> Result<Vec<RosterRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, reopen_unseal(id_number), reopen_unseal(phone), post, home_region, from_elsewhere, from_region,
                return_date, observation_start, observation_end, health
         FROM roster_entries WHERE application_id = ?1 ORDER BY row_no",
    )?;
    let rows = stmt.query_map([app_id], |r| {
        let health: String = r.get(10)?;
        let date = |i: usize| -> rusqlite::Result<Option<chrono::NaiveDate>> {
            Ok(r.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok()))
        };
        Ok(RosterRecord {
            name: r.get(0)?,
            id_number: r.get(1)?,
            phone: r.get(2)?,
            post: r.get(3)?,
            home_region: r.get(4)?,
            from_elsewhere: r.get(5)?,
            from_region: r.get(6)?,
            return_date: date(7)?,
            observation_start: date(8)?,
            observation_end: date(9)?,
            health: roster::Health::parse(&health).unwrap_or(roster::Health::Normal),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn insert_roster(conn: Db<'_>, app_id: i64, entries: &[RosterRecord]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO roster_entries(application_id, row_no, name, id_number, phone, post, home_region, from_elsewhere,
            from_region, return_date, observation_start, observation_end, health)
         VALUES (?1,?2,?3,reopen_seal(?4),reopen_seal(?5),?6,?7,?8,?9,?10,?11,?12,?13)",
    )?;
    for (i, e) in entries.iter().enumerate() {
        stmt.execute(params![
            app_id,
            i as i64 + 1,
            e.name,
            e.id_number,
            e.phone,
            e.post,
            e.home_region,
            e.from_elsewhere,
            e.from_region,
            e.return_date.map(|d| d.to_string()),
            e.observation_start.map(|d| d.to_string()),
            e.observation_end.map(|d| d.to_string()),
            e.health.as_str()
        ])?;
    }
    Ok(())
}

pub(crate) fn tasks_of(conn: Db<'_>, app_id: i64, now: DateTime<Utc>) -> Result<Vec<TaskRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.submission_no, t.stage, t.stage_name, d.division || '-' || d.kind, d.name, t.state, t.green_channel,
                t.opened_at, t.due_at, t.decided_at, u.name, t.opinion, t.headcount, t.conditions
         FROM review_tasks t JOIN departments d ON d.id = t.department_id LEFT JOIN users u ON u.id = t.decided_by
         WHERE t.application_id = ?1 ORDER BY t.submission_no, t.stage, t.id",
    )?;
    let rows = stmt.query_map([app_id], |r| {
        let state = crate::store::decode(r, 6, TaskState::parse)?;
        let conditions: Option<String> = r.get(14)?;
        Ok((
            TaskRecord {
                id: r.get(0)?,
                submission_no: r.get(1)?,
                stage: r.get(2)?,
                stage_name: r.get(3)?,
                department: r.get(4)?,
                department_name: r.get(5)?,
                state,
                green_channel: r.get(7)?,
                opened_at: r.get(8)?,
                due_at: r.get(9)?,
                overdue: false,
                decided_at: r.get(10)?,
                decided_by: r.get(11)?,
                opinion: r.get(12)?,
                headcount: r.get(13)?,
                conditions: conditions
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or_default(),
            },
            (),
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (mut t, ()) = r?;
        t.overdue = t.state == TaskState::Pending && parse_ts(&t.due_at)? < now;
        out.push(t);
    }
    Ok(out)
}

pub(crate) fn application(conn: Db<'_>, id: i64, now: DateTime<Utc>) -> Result<Application> {
    let core = app_core(conn, id)?;
    let firm = firm_by_id(conn, core.firm_id)?;
    struct Extra {
        category: String,
        roster_count: u32,
        approved: Option<u32>,
        conditions: Option<String>,
        created_at: String,
        updated_at: String,
        submitted_at: Option<String>,
        decided_at: Option<String>,
    }
    let Extra { category, roster_count, approved, conditions, created_at, updated_at, submitted_at, decided_at } = conn.query_row(
        "SELECT category, roster_count, approved_headcount, conditions, created_at, updated_at, submitted_at, decided_at
         FROM applications WHERE id = ?1",
        [id],
        |r| {
            Ok(Extra {
                category: r.get(0)?,
                roster_count: r.get(1)?,
                approved: r.get(2)?,
                conditions: r.get(3)?,
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
                submitted_at: r.get(6)?,
                decided_at: r.get(7)?,
            })
        },
    )?;
    let findings: Option<String> = conn
        .query_row(
            "SELECT findings FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
            params![id, core.submission_no],
            |r| r.get(0),
        )
        .optional()?;
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
        category,
        plan: core.plan,
        roster_count,
        version: core.version,
        submission_no: core.submission_no,
        stage: core.stage,
        approved_headcount: approved,
        conditions: conditions
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
        created_at,
        updated_at,
        submitted_at,
        decided_at,
        findings: findings
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
        tasks: tasks_of(conn, id, now)?,
    })
}

fn parse_plan(conn: Db<'_>, v: &Value) -> Result<Plan> {
    let policy = load_policy(conn)?;
    Plan::from_json(v, &policy).map_err(Error::validation)
}

fn summary(app: &Application) -> Value {
    serde_json::json!({"state": app.state, "version": app.version, "plan": app.plan, "roster_count": app.roster_count})
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

    /// A roster file checked as `app_roster_replace` checks it, storing nothing, and returned as a
    /// workbook with every bad cell marked and the reasons beside each row, for the firm to fix its
    /// own file. A file without errors is refused (import it instead).
    pub fn roster_error_report(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        lang: crate::error::Lang,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("导入花名册", "import rosters"),
        )?;
        let max_rows = load_policy(self.db())?.roster.max_rows as usize;
        let table = crate::domain::sheet::read_table(file_name, bytes, max_rows)
            .map_err(Error::validation)?;
        let errors = match roster::rows_from_table(table.clone()) {
            Err(e) => e,
            Ok(rows) => {
                let policy = load_policy(self.db())?;
                roster::check_rows(&rows, &|r| policy.is_key_area(r), local_date(now))
                    .err()
                    .unwrap_or_default()
            }
        };
        if errors.is_empty() {
            return Err(Error::field(
                "file",
                t!(
                    "该文件没有发现错误,可以直接导入",
                    "this file has no errors; import it"
                ),
            ));
        }
        crate::documents::workbook::roster_error_report(&table, &errors, lang)
    }

    /// Replaces the roster from a workbook's (.xlsx/.xls/.ods) or a CSV file's (UTF-8 or GBK) bytes;
    /// every bad row is reported, nothing is kept on error.
    pub fn app_roster_replace(
        &mut self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
        expect_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("导入花名册", "import rosters"),
        )?;
        let max_rows = load_policy(self.db())?.roster.max_rows as usize;
        let table = crate::domain::sheet::read_table(file_name, bytes, max_rows)
            .map_err(Error::validation)?;
        let rows = roster::rows_from_table(table).map_err(Error::validation)?;
        let names: Vec<(String, &str)> = rows
            .iter()
            .filter_map(|(line, r)| {
                r.get("name")
                    .map(|n| (format!("roster[{line}].name"), n.as_str()))
            })
            .collect();
        self.check_printable(&names)?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            roster_tx(tx, actor, &core, &rows, file_name, expect_version, now)
        })
    }

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
        self.write(|tx| {
            let core = app_core(tx, id)?;
            let firm = file_for(tx, actor, &core)?;
            super::packages::refuse_in_firm_mode(tx)?;
            submit_tx(tx, actor, &core, &firm, expect_version, now)
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
            tx.execute(
                "UPDATE review_tasks SET state = 'closed' WHERE application_id = ?1 AND state = 'pending'",
                [id],
            )?;
            tx.execute(
                "UPDATE applications SET state = ?2, stage = NULL, version = version + 1, updated_at = ?3 WHERE id = ?1",
                params![id, state.as_str(), ts(now)],
            )?;
            audit(tx, actor, "app.withdraw", &format!("app:{id}"), Some(&serde_json::json!({"state": core.state})), Some(&serde_json::json!({"state": state})), now)?;
            application(tx, id, now)
        })
    }

    pub fn app_show(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Application> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        application(self.db(), id, now)
    }

    /// The roster with ID numbers and phones masked, a page at a time.
    pub fn app_roster(
        &self,
        actor: &Actor,
        id: i64,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<RosterView>> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let (limit, offset) = page(limit, offset);
        let all = load_roster(self.db(), id)?;
        Ok(all
            .iter()
            .enumerate()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(i, r)| r.view(i as u32 + 1))
            .collect())
    }

    /// The full roster (ID numbers in clear) for the reviewer who is deciding this application
    /// now, or for the firm itself; audited.
    pub fn app_roster_reveal(
        &mut self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<RosterRecord>> {
        self.write(|tx| {
            let core = app_core(tx, id)?;
            if roster_disclosure(tx, actor, &core)? != Disclosure::Full {
                return Err(Error::forbidden(t!(
                    "只有正在审核该申请的审核员可以查看完整身份证号",
                    "only the reviewer deciding this application may see full ID numbers"
                )));
            }
            let rows = load_roster(tx, id)?;
            audit(
                tx,
                actor,
                "app.roster_reveal",
                &format!("app:{id}"),
                None,
                Some(&serde_json::json!({"rows": rows.len()})),
                now,
            )?;
            Ok(rows)
        })
    }

    pub fn app_list(&self, actor: &Actor, f: &AppFilter) -> Result<Vec<AppRow>> {
        let (limit, offset) = page(f.limit, f.offset);
        let (scope, mut args) = super::scope_sql(actor);
        let mut sql = format!(
            "SELECT a.id, f.name, f.credit_code, a.jurisdiction, a.state, a.category, a.planned_date, a.planned_headcount,
                    a.approved_headcount, a.submitted_at, a.updated_at
             FROM applications a JOIN firms f ON f.id = a.firm_id WHERE {scope}"
        );
        if let Some(s) = &f.state {
            let st = AppState::parse(s).ok_or_else(|| {
                Error::field(
                    "state",
                    t!(format!("未知状态“{s}”"), format!("unknown state '{s}'")),
                )
            })?;
            sql.push_str(" AND a.state = ?");
            args.push(st.as_str().to_string().into());
        }
        if let Some(d) = &f.division {
            sql.push_str(" AND (a.jurisdiction = ? OR f.division = ?)");
            args.push(d.clone().into());
            args.push(d.clone().into());
        }
        if let Some(d) = &f.department {
            let dep = super::users::department_id(self.db(), d)?;
            sql.push_str(
                " AND a.id IN (SELECT application_id FROM review_tasks WHERE department_id = ?)",
            );
            args.push(dep.into());
        }
        if let Some(c) = &f.firm {
            sql.push_str(" AND f.credit_code = ?");
            args.push(c.trim().to_ascii_uppercase().into());
        }
        sql.push_str(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ? OFFSET ?");
        args.push(i64::from(limit).into());
        args.push(i64::from(offset).into());
        let mut stmt = self.conn.sqlite().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            let state = crate::store::decode(r, 4, AppState::parse)?;
            Ok(AppRow {
                id: r.get(0)?,
                firm_name: r.get(1)?,
                credit_code: r.get(2)?,
                jurisdiction: r.get(3)?,
                state,
                category: r.get(5)?,
                planned_date: r.get(6)?,
                planned_headcount: r.get(7)?,
                approved_headcount: r.get(8)?,
                submitted_at: r.get(9)?,
                updated_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn app_versions(&self, actor: &Actor, id: i64) -> Result<Vec<SubmissionInfo>> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let mut stmt = self.conn.sqlite().prepare(
            "SELECT s.submission_no, s.submitted_at, u.name FROM submissions s JOIN users u ON u.id = s.submitted_by
             WHERE s.application_id = ?1 ORDER BY s.submission_no",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(SubmissionInfo {
                submission_no: r.get(0)?,
                submitted_at: r.get(1)?,
                submitted_by: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// What changed between two submissions (default: the last two). Roster changes name people
    /// by masked ID number.
    pub fn app_diff(
        &self,
        actor: &Actor,
        id: i64,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Diff> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let to = to.unwrap_or(core.submission_no);
        let from = from.unwrap_or(to - 1);
        let load = |no: i64| -> Result<(Value, Vec<RosterRecord>)> {
            let (plan, roster): (String, String) = self
                .conn
                .sqlite()
                .query_row(
                    &format!(
                        "SELECT plan, {} FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
                        crate::store::seal::roster_json_sql("reopen_unseal", "roster")
                    ),
                    params![id, no],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| Error::not_found(t!(format!("申请 {id} 没有第 {no} 次提交"), format!("application {id} has no submission {no}"))))?;
            Ok((serde_json::from_str(&plan)?, serde_json::from_str(&roster)?))
        };
        let (pa, ra) = load(from)?;
        let (pb, rb) = load(to)?;
        Ok(Diff {
            from,
            to,
            plan: diff_values(&pa, &pb),
            roster: diff_roster(&ra, &rb),
        })
    }
}

pub(crate) fn open_tasks(
    tx: Db<'_>,
    app_id: i64,
    submission_no: i64,
    open: &[workflow::OpenTask],
    green: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id, quorum, state, green_channel, opened_at, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9)",
    )?;
    for t in open {
        stmt.execute(params![
            app_id,
            submission_no,
            t.stage,
            t.stage_name,
            t.department_id,
            t.quorum,
            green,
            ts(now),
            ts(t.due_at)
        ])?;
    }
    Ok(())
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

/// Field-by-field differences of two JSON documents (objects flattened to dotted paths).
pub fn diff_values(a: &Value, b: &Value) -> Vec<FieldChange> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    flatten("", a, &mut fa);
    flatten("", b, &mut fb);
    let keys: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let x = fa.get(k).cloned().unwrap_or(Value::Null);
            let y = fb.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange {
                field: k.clone(),
                before: x,
                after: y,
            })
        })
        .collect()
}

fn diff_roster(a: &[RosterRecord], b: &[RosterRecord]) -> Vec<RosterChange> {
    let ia: BTreeMap<&str, &RosterRecord> = a.iter().map(|r| (r.id_number.as_str(), r)).collect();
    let ib: BTreeMap<&str, &RosterRecord> = b.iter().map(|r| (r.id_number.as_str(), r)).collect();
    let mut out = Vec::new();
    for (id, r) in &ia {
        match ib.get(id) {
            None => out.push(RosterChange {
                id_number: roster::mask_id(id),
                name: r.name.clone(),
                change: "removed".into(),
                fields: vec![],
            }),
            Some(n) => {
                let fields: Vec<String> = diff_values(
                    &serde_json::to_value(r).unwrap_or(Value::Null),
                    &serde_json::to_value(n).unwrap_or(Value::Null),
                )
                .into_iter()
                .map(|c| c.field)
                .collect();
                if !fields.is_empty() {
                    out.push(RosterChange {
                        id_number: roster::mask_id(id),
                        name: n.name.clone(),
                        change: "changed".into(),
                        fields,
                    });
                }
            }
        }
    }
    for (id, r) in &ib {
        if !ia.contains_key(id) {
            out.push(RosterChange {
                id_number: roster::mask_id(id),
                name: r.name.clone(),
                change: "added".into(),
                fields: vec![],
            });
        }
    }
    out
}

/// Used by the review use case: the stage plans frozen with the current submission.
pub(crate) fn frozen_stages(conn: Db<'_>, app_id: i64, no: i64) -> Result<Vec<StagePlan>> {
    let s: String = conn.query_row(
        "SELECT stages FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        params![app_id, no],
        |r| r.get(0),
    )?;
    Ok(serde_json::from_str(&s)?)
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
    let open: Option<(i64, AppState)> = tx
        .query_row(
            "SELECT id, state FROM applications WHERE firm_id = ?1 AND state NOT IN ('rejected','withdrawn','revoked')",
            [firm.id],
            |r| Ok((r.get(0)?, crate::store::decode(r, 1, AppState::parse)?)),
        )
        .optional()?;
    if let Some((id, state)) = open {
        let (zh, state): (&str, &str) = (state.zh(), state.as_str());
        return Err(Error::conflict(t!(
            format!("该企业已有未办结的申请(编号 {id},{zh}),不能重复申请"),
            format!("the firm already has an open application ({id}, {state})")
        )));
    }
    let jurisdiction = if firm.city_managed {
        CITY.to_string()
    } else {
        firm.division.clone()
    };
    tx.execute(
        "INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount, plan, created_by, created_at, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            firm.id,
            jurisdiction,
            plan.category.clone().unwrap_or_default(),
            plan.planned_date.map(|d| d.to_string()).unwrap_or_default(),
            plan.headcount.planned,
            serde_json::to_string(&plan)?,
            actor.user_id,
            ts(now)
        ],
    )?;
    let id = tx.last_insert_rowid();
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
    tx.execute(
        "UPDATE applications SET plan = ?2, category = ?3, planned_date = ?4, planned_headcount = ?5,
            version = version + 1, updated_at = ?6 WHERE id = ?1",
        params![
            id,
            serde_json::to_string(&plan)?,
            plan.category.clone().unwrap_or_default(),
            plan.planned_date.map(|d| d.to_string()).unwrap_or_default(),
            plan.headcount.planned,
            ts(now)
        ],
    )?;
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

/// `app_roster_replace` after the permission check, inside the caller's transaction: `rows` as
/// `roster::rows_from_table` read them, `source` names the file in the audit event.
pub(crate) fn roster_tx(
    tx: Db<'_>,
    actor: &Actor,
    core: &AppCore,
    rows: &[(usize, roster::RawRow)],
    source: &str,
    expect_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let id = core.id;
    check_editable(core, expect_version)?;
    let policy = load_policy(tx)?;
    let entries = roster::check_rows(rows, &|r| policy.is_key_area(r), local_date(now))
        .map_err(Error::validation)?;
    let before: u32 = tx.query_row(
        "SELECT roster_count FROM applications WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    tx.execute("DELETE FROM roster_entries WHERE application_id = ?1", [id])?;
    let records: Vec<RosterRecord> = entries.iter().map(RosterEntry::record).collect();
    insert_roster(tx, id, &records)?;
    tx.execute(
        "UPDATE applications SET roster_count = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
        params![id, records.len() as i64, ts(now)],
    )?;
    audit(
        tx,
        actor,
        "app.roster",
        &format!("app:{id}"),
        Some(&serde_json::json!({"roster_count": before})),
        Some(&serde_json::json!({"roster_count": records.len(), "file": source})),
        now,
    )?;
    application(tx, id, now)
}

/// `app_submit` after the permission check, inside the caller's transaction.
pub(crate) fn submit_tx(
    tx: Db<'_>,
    actor: &Actor,
    core: &AppCore,
    firm: &Firm,
    expect_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let id = core.id;
    check_editable(core, expect_version)?;
    let policy = load_policy(tx)?;
    let today = local_date(now);
    let records = load_roster(tx, id)?;
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
    let (errors, findings) = check_submission(&core.plan, &facts, &entries, &policy, today);
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let category = core.plan.category.clone().unwrap_or_default();
    let (mode, stages) =
        resolve_stages(tx, &core.jurisdiction, &firm.industry, &category, &policy)?;
    let (sla, green) = policy.sla_hours(&category);
    let outcome = workflow::submit(core.state, mode, &stages, now, sla)?;
    let no = core.submission_no + 1;
    tx.execute(
        &format!(
            "INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings, submitted_by, submitted_at)
             VALUES (?1, ?2, ?3, {}, ?5, ?6, ?7, ?8)",
            crate::store::seal::roster_json_sql("reopen_seal", "?4")
        ),
        params![
            id,
            no,
            serde_json::to_string(&core.plan)?,
            serde_json::to_string(&records)?,
            serde_json::to_string(&stages)?,
            serde_json::to_string(&findings)?,
            actor.user_id,
            ts(now)
        ],
    )?;
    open_tasks(tx, id, no, &outcome.open, green, now)?;
    let approved =
        (outcome.state == AppState::Approved).then(|| core.plan.headcount.max_approvable());
    tx.execute(
        "UPDATE applications SET state = ?2, stage = ?3, submission_no = ?4, version = version + 1, updated_at = ?5,
            submitted_at = ?5, approved_headcount = ?6, decided_at = CASE WHEN ?2 = 'approved' THEN ?5 END,
            conditions = NULL WHERE id = ?1",
        params![id, outcome.state.as_str(), outcome.stage, no, ts(now), approved],
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

//! The reviewer's queue and decisions.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::apps::{app_core, application, frozen_stages, open_tasks, Application};
use super::firms::stale;
use super::{audit, page, ts, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::domain::ids::parse_text;
use crate::domain::workflow::{self, AppState, DecideFacts, TaskState, TaskView, Verdict};
use crate::error::{Error, Problems, Result};
use crate::t;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueRow {
    pub task_id: i64,
    pub application_id: i64,
    pub firm_name: String,
    pub credit_code: String,
    pub category: String,
    pub stage: u32,
    pub stage_name: String,
    pub state: TaskState,
    pub green_channel: bool,
    pub opened_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub planned_headcount: u32,
    pub has_warnings: bool,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueFilter {
    /// Only pending (true) or only decided (false) tasks; both when None.
    pub pending: Option<bool>,
    pub category: Option<String>,
    pub overdue: Option<bool>,
    pub green_channel: Option<bool>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A decision as a reviewer gives it.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Decision {
    pub verdict: String,
    pub opinion: String,
    pub headcount: Option<i64>,
    /// Conditions, one per line (or separated by ；/;).
    pub conditions: Option<String>,
    pub expect_version: Option<i64>,
}

pub fn split_conditions(s: &str) -> Vec<String> {
    s.split(['\n', ';', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl Reopen {
    /// The acting reviewer's department: pending first (soonest due first), then decided ones.
    pub fn review_queue(
        &self,
        actor: &Actor,
        f: &QueueFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<QueueRow>> {
        actor.require(
            &[Role::Reviewer],
            &t!("查看审核队列", "read a review queue"),
        )?;
        let (limit, offset) = page(f.limit, f.offset);
        let now_s = ts(now);
        // Two parts, each read in the order of an index and cut at the end of the page, so that a
        // page costs the same for a department with ten tasks or ten thousand: pending tasks soonest
        // due first (review_queue), then decided ones newest first (review_tasks_dept_decided).
        // Only the rows of the page are joined to their applications and firms.
        let reach = i64::from(limit) + i64::from(offset);
        let dept = actor.department_id.unwrap_or(-1);
        let mut parts: Vec<String> = Vec::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut part = |pending: bool, args: &mut Vec<rusqlite::types::Value>| {
            let (state, order) = if pending {
                ("t.state = 'pending'", "t.due_at, t.id")
            } else {
                (
                    "t.state IN ('approved', 'rejected', 'returned')",
                    "t.decided_at DESC, t.id",
                )
            };
            let mut q = format!(
                "SELECT * FROM (SELECT t.id AS tid, {} AS part FROM review_tasks t",
                i64::from(!pending)
            );
            if f.category.is_some() {
                q.push_str(" JOIN applications a ON a.id = t.application_id");
            }
            q.push_str(&format!(" WHERE t.department_id = ? AND {state}"));
            args.push(dept.into());
            if let Some(c) = &f.category {
                q.push_str(" AND a.category = ?");
                args.push(c.clone().into());
            }
            if pending && f.overdue == Some(true) {
                q.push_str(" AND t.due_at < ?");
                args.push(now_s.clone().into());
            }
            if let Some(g) = f.green_channel {
                q.push_str(" AND t.green_channel = ?");
                args.push(i64::from(g).into());
            }
            q.push_str(&format!(" ORDER BY {order} LIMIT ?)"));
            args.push(reach.into());
            parts.push(q);
        };
        let overdue = f.overdue == Some(true);
        if f.pending != Some(false) {
            part(true, &mut args);
        }
        if f.pending != Some(true) && !overdue {
            part(false, &mut args);
        }
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT t.id, a.id, fm.name, fm.credit_code, a.category, t.stage, t.stage_name, t.state, t.green_channel,
                    t.opened_at, t.due_at, a.planned_headcount, fm.warnings <> '[]'
             FROM ({}) q JOIN review_tasks t ON t.id = q.tid
                  JOIN applications a ON a.id = t.application_id JOIN firms fm ON fm.id = a.firm_id
             ORDER BY q.part, CASE WHEN q.part = 0 THEN t.due_at END, t.decided_at DESC, t.id LIMIT ? OFFSET ?",
            parts.join(" UNION ALL ")
        );
        args.push(i64::from(limit).into());
        args.push(i64::from(offset).into());
        let mut stmt = self.conn.sqlite().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            let state = crate::store::decode(r, 7, TaskState::parse)?;
            let due: String = r.get(10)?;
            Ok(QueueRow {
                task_id: r.get(0)?,
                application_id: r.get(1)?,
                firm_name: r.get(2)?,
                credit_code: r.get(3)?,
                category: r.get(4)?,
                stage: r.get(5)?,
                stage_name: r.get(6)?,
                state,
                green_channel: r.get(8)?,
                opened_at: r.get(9)?,
                overdue: state == TaskState::Pending && due < now_s,
                due_at: due,
                planned_headcount: r.get(11)?,
                has_warnings: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A reviewer's decision on the current stage of an application routed to their department.
    pub fn review_decide(
        &mut self,
        actor: &Actor,
        id: i64,
        d: &Decision,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Reviewer],
            &t!("审核复工申请", "decide applications"),
        )?;
        let mut p = Problems::new();
        let opinion = p.take("opinion", parse_text(&d.opinion, 2000, true));
        let conditions = d
            .conditions
            .as_deref()
            .map(split_conditions)
            .unwrap_or_default();
        for (i, c) in conditions.iter().enumerate() {
            p.take(&format!("conditions[{i}]"), parse_text(c, 500, true));
        }
        let headcount = match d.headcount {
            Some(h) if h < 0 => {
                p.add(
                    "headcount",
                    t!("核定复工人数不能为负数", "the headcount cannot be negative"),
                );
                None
            }
            Some(h) => Some(u32::try_from(h).unwrap_or(u32::MAX)),
            None => None,
        };
        let verdict = match d.verdict.as_str() {
            "approve" => Some(Verdict::Approve {
                headcount,
                conditions: conditions.clone(),
            }),
            "reject" => Some(Verdict::Reject),
            "return" => Some(Verdict::Return),
            other => {
                p.add(
                    "verdict",
                    t!(
                        format!("审核结论应为 approve、reject 或 return(实为“{other}”)"),
                        format!("verdict must be approve, reject or return, not '{other}'")
                    ),
                );
                None
            }
        };
        if !matches!(verdict, Some(Verdict::Approve { .. }) | None)
            && (headcount.is_some() || !conditions.is_empty())
        {
            p.add(
                "headcount",
                t!(
                    "只有同意时才填写核定复工人数和附加条件",
                    "headcount and conditions go with an approval only"
                ),
            );
        }
        p.into_result()?;
        let (Some(verdict), Some(opinion)) = (verdict, opinion) else {
            return Err(Error::internal("decision"));
        };
        self.write(|tx| {
            let core = app_core(tx, id)?;
            let Some(dept) = actor.department_id else {
                return Err(Error::forbidden(t!("该审核员未绑定部门", "this reviewer has no department")));
            };
            // Is there a task of this department on this application at all, and at the current stage?
            let mine: Option<(i64, String)> = match core.stage {
                Some(stage) => tx
                    .query_row(
                        "SELECT id, state FROM review_tasks WHERE application_id = ?1 AND submission_no = ?2 AND stage = ?3 AND department_id = ?4",
                        params![id, core.submission_no, stage, dept],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?,
                None => None,
            };
            let Some((task_id, _)) = mine else {
                let last: Option<String> = tx
                    .query_row(
                        "SELECT state FROM review_tasks WHERE application_id = ?1 AND department_id = ?2 ORDER BY id DESC LIMIT 1",
                        params![id, dept],
                        |r| r.get(0),
                    )
                    .optional()?;
                let ever = i64::from(last.is_some());
                if ever > 0 && core.state != AppState::InReview {
                    return Err(Error::conflict(t!(
                        format!("申请当前状态为“{}”,不能审核", core.state.zh()),
                        format!("the application is {}, not in review", core.state.as_str())
                    )));
                }
                if last.as_deref() == Some("closed") {
                    return Err(Error::conflict(t!(
                        "本环节已满足通过条件或已结束,无需本部门再审核",
                        "this stage is already settled without your department"
                    )));
                }
                if ever > 0 {
                    // Routed here before, decided already (e.g. a colleague approved first and the
                    // application moved on): a conflict, not a permission problem.
                    return Err(Error::conflict(t!(
                        "本部门已对该申请作出审核意见,申请已进入下一环节",
                        "your department has already decided; the application has moved on"
                    )));
                }
                return Err(Error::forbidden(t!(
                    "该申请当前环节不由本部门审核",
                    "this application is not with your department at its current stage"
                )));
            };
            if let Some(v) = d.expect_version {
                if v != core.version {
                    return Err(stale(v, core.version));
                }
            }
            let stage = core.stage.unwrap_or(0);
            let stages = frozen_stages(tx, id, core.submission_no)?;
            let mut stmt = tx.prepare_cached(
                "SELECT id, department_id, state, headcount FROM review_tasks WHERE application_id = ?1 AND submission_no = ?2 AND stage = ?3",
            )?;
            let tasks = stmt
                .query_map(params![id, core.submission_no, stage], |r| {
                    Ok(TaskView { id: r.get(0)?, department_id: r.get(1)?, state: crate::store::decode(r, 2, TaskState::parse)?, headcount: r.get(3)? })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let prior: Option<u32> = tx.query_row(
                "SELECT min(headcount) FROM review_tasks WHERE application_id = ?1 AND submission_no = ?2 AND stage < ?3 AND state = 'approved'",
                params![id, core.submission_no, stage],
                |r| r.get(0),
            )?;
            let policy = super::load_policy(tx)?;
            let category = core.plan.category.clone().unwrap_or_default();
            let (sla, green) = policy.sla_hours(&category);
            let facts = DecideFacts {
                state: core.state,
                stage,
                stages: &stages,
                tasks: &tasks,
                task_id,
                max_headcount: core.plan.headcount.max_approvable(),
                planned_headcount: core.plan.headcount.planned,
                prior_headcount: prior,
                opinion: &opinion,
                sla_hours: sla,
                now,
            };
            let out = workflow::decide(&facts, &verdict)?;
            let (given_headcount, given_conditions) = match &verdict {
                Verdict::Approve { headcount, conditions } => (*headcount, (!conditions.is_empty()).then(|| serde_json::to_string(conditions)).transpose()?),
                _ => (None, None),
            };
            let changed = tx.execute(
                "UPDATE review_tasks SET state = ?2, decided_at = ?3, decided_by = ?4, opinion = ?5, headcount = ?6, conditions = ?7
                 WHERE id = ?1 AND state = 'pending'",
                params![task_id, out.task_state.as_str(), ts(now), actor.user_id, opinion, given_headcount, given_conditions],
            )?;
            if changed != 1 {
                return Err(Error::conflict(t!("该环节已有审核结果", "this stage was decided meanwhile")));
            }
            for c in &out.close {
                tx.execute("UPDATE review_tasks SET state = 'closed' WHERE id = ?1 AND state = 'pending'", [c])?;
            }
            open_tasks(tx, id, core.submission_no, &out.open, green, now)?;
            // Conditions of every approval of this submission accumulate on the application.
            let all_conditions: Vec<String> = {
                let mut st = tx.prepare_cached(
                    "SELECT conditions FROM review_tasks WHERE application_id = ?1 AND submission_no = ?2 AND state = 'approved' AND conditions IS NOT NULL ORDER BY stage, id",
                )?;
                let rows = st.query_map(params![id, core.submission_no], |r| r.get::<_, String>(0))?;
                let mut v = Vec::new();
                for r in rows {
                    let list: Vec<String> = serde_json::from_str(&r?)?;
                    for c in list {
                        if !v.contains(&c) {
                            v.push(c);
                        }
                    }
                }
                v
            };
            let final_state = out.state != AppState::InReview;
            tx.execute(
                "UPDATE applications SET state = ?2, stage = ?3, version = version + 1, updated_at = ?4,
                    decided_at = CASE WHEN ?5 THEN ?4 ELSE decided_at END,
                    approved_headcount = COALESCE(?6, approved_headcount),
                    conditions = ?7 WHERE id = ?1",
                params![
                    id,
                    out.state.as_str(),
                    out.stage,
                    ts(now),
                    final_state,
                    out.approved_headcount,
                    (!all_conditions.is_empty()).then(|| serde_json::to_string(&all_conditions)).transpose()?
                ],
            )?;
            audit(
                tx,
                actor,
                &format!("review.{}", d.verdict),
                &format!("app:{id}"),
                Some(&serde_json::json!({"state": core.state, "stage": core.stage})),
                Some(&serde_json::json!({"state": out.state, "stage": out.stage, "task": task_id, "opinion": opinion,
                    "headcount": given_headcount, "conditions": conditions, "approved_headcount": out.approved_headcount})),
                now,
            )?;
            application(tx, id, now)
        })
    }
}

//! Each jurisdiction's review chain: as the administrator configures it (or as the policy
//! describes it), and resolved into the departments one application goes through.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::admin::admin_only;
use super::{audit, load_policy, Reopen};
use crate::domain::auth::Actor;
use crate::domain::policy::{Policy, ReviewMode};
use crate::domain::workflow::StagePlan;
use crate::error::{Error, Problems, Result};
use crate::store;
use crate::store::Db;
use crate::t;

/// The review chain of one jurisdiction, as the administrator configures it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct WorkflowConfig {
    /// None: the policy's `review.mode`.
    #[serde(default)]
    pub mode: Option<ReviewMode>,
    pub stages: Vec<StageConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    pub name: String,
    pub departments: Vec<StageDepartment>,
    /// M-of-N: approvals needed; None means all of them.
    #[serde(default)]
    pub quorum: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct StageDepartment {
    /// A department kind code (`ZHB`, `FGW` …) or `@industry` for the firm's industry department.
    pub kind: String,
    /// Only for applications of these categories (empty: all).
    #[serde(default)]
    pub categories: Vec<String>,
    /// A department of another jurisdiction (e.g. the city's); default the application's own.
    #[serde(default)]
    pub division: Option<String>,
}

pub const INDUSTRY: &str = "@industry";

impl WorkflowConfig {
    /// The chain the policy describes: industry department (+ FGW for key projects), then the
    /// leading group office's countersignature.
    pub fn from_policy(p: &Policy) -> WorkflowConfig {
        let mut first = vec![StageDepartment {
            kind: INDUSTRY.into(),
            categories: vec![],
            division: None,
        }];
        if !p.review.parallel_fgw_for.is_empty() {
            first.push(StageDepartment {
                kind: "FGW".into(),
                categories: p.review.parallel_fgw_for.clone(),
                division: None,
            });
        }
        let mut stages = vec![StageConfig {
            name: "行业主管部门审核".into(),
            departments: first,
            quorum: None,
        }];
        if p.review.countersign {
            stages.push(StageConfig {
                name: "领导小组办公室会签".into(),
                departments: vec![StageDepartment {
                    kind: "ZHB".into(),
                    categories: vec![],
                    division: None,
                }],
                quorum: None,
            });
        }
        WorkflowConfig { mode: None, stages }
    }
}

fn workflow_config(conn: Db<'_>, division: &str, policy: &Policy) -> Result<WorkflowConfig> {
    Ok(store::settings::workflow(conn, division)?
        .unwrap_or_else(|| WorkflowConfig::from_policy(policy)))
}

/// The stages one application goes through: departments resolved for its jurisdiction, industry
/// and category; stages that end up empty are dropped; duplicates removed.
pub(crate) fn resolve_stages(
    conn: Db<'_>,
    jurisdiction: &str,
    industry: &str,
    category: &str,
    policy: &Policy,
) -> Result<(ReviewMode, Vec<StagePlan>)> {
    let cfg = workflow_config(conn, jurisdiction, policy)?;
    let mut stages = Vec::new();
    for s in &cfg.stages {
        let mut ids: Vec<i64> = Vec::new();
        for d in &s.departments {
            if !d.categories.is_empty() && !d.categories.iter().any(|c| c == category) {
                continue;
            }
            let kind = if d.kind == INDUSTRY {
                store::reference::industry_department_kind(conn, industry)?
                    .flatten()
                    .ok_or_else(|| {
                        Error::conflict(t!(
                            format!("行业 {industry} 没有配置主管部门"),
                            format!("industry {industry} has no department")
                        ))
                    })?
            } else {
                d.kind.clone()
            };
            let div = d
                .division
                .clone()
                .unwrap_or_else(|| jurisdiction.to_string());
            let id =
                store::reference::active_department_id(conn, &div, &kind)?.ok_or_else(|| {
                    Error::conflict(t!(
                        format!("{div} 没有在用的 {kind} 部门，无法分派审核，请联系系统管理员"),
                        format!(
                        "no active {kind} department in {div} to route to; ask the administrator"
                    )
                    ))
                })?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            continue;
        }
        let n = ids.len() as u32;
        stages.push(StagePlan {
            name: s.name.clone(),
            departments: ids,
            quorum: s.quorum.unwrap_or(n).clamp(1, n),
        });
    }
    Ok((cfg.mode.unwrap_or(policy.review.mode), stages))
}

impl Reopen {
    pub fn workflow_get(&self, division: &str) -> Result<WorkflowConfig> {
        let policy = load_policy(self.db())?;
        workflow_config(self.db(), division, &policy)
    }

    /// Sets a jurisdiction's chain; every referenced kind, category and division must exist.
    pub fn workflow_set(
        &mut self,
        actor: &Actor,
        division: &str,
        cfg: &WorkflowConfig,
        now: DateTime<Utc>,
    ) -> Result<WorkflowConfig> {
        admin_only(actor, t!("配置审核流程", "configure workflows"))?;
        self.write(|tx| {
            let policy = load_policy(tx)?;
            let mut p = Problems::new();
            if !super::users::division_exists(tx, division)? {
                p.add(
                    "division",
                    t!(
                        format!("没有行政区划 {division}"),
                        format!("no division {division}")
                    ),
                );
            }
            if cfg.stages.is_empty() && cfg.mode != Some(ReviewMode::Filing) {
                p.add(
                    "stages",
                    t!(
                        "审批制至少需要一个审核环节",
                        "approval mode needs at least one stage"
                    ),
                );
            }
            for (i, s) in cfg.stages.iter().enumerate() {
                if s.name.trim().is_empty() {
                    p.add(
                        format!("stages[{i}].name"),
                        t!("环节名称不能为空", "a stage needs a name"),
                    );
                }
                if s.departments.is_empty() {
                    p.add(
                        format!("stages[{i}].departments"),
                        t!("环节至少包含一个部门", "a stage needs a department"),
                    );
                }
                if let Some(q) = s.quorum {
                    if q == 0 || q as usize > s.departments.len() {
                        p.add(
                            format!("stages[{i}].quorum"),
                            t!(
                                format!("通过数应在 1 到 {} 之间", s.departments.len()),
                                format!("quorum must be 1 to {}", s.departments.len())
                            ),
                        );
                    }
                }
                for (j, d) in s.departments.iter().enumerate() {
                    let f = format!("stages[{i}].departments[{j}]");
                    if d.kind != INDUSTRY && !store::reference::department_kind_exists(tx, &d.kind)?
                    {
                        p.add(
                            format!("{f}.kind"),
                            t!(
                                format!("没有部门类别 {}", d.kind),
                                format!("no department kind {}", d.kind)
                            ),
                        );
                    }
                    for c in &d.categories {
                        if !policy.categories.contains_key(c) {
                            p.add(
                                format!("{f}.categories"),
                                t!(format!("未知类别 {c}"), format!("unknown category {c}")),
                            );
                        }
                    }
                    if let Some(dv) = &d.division {
                        if !super::users::division_exists(tx, dv)? {
                            p.add(
                                format!("{f}.division"),
                                t!(format!("没有行政区划 {dv}"), format!("no division {dv}")),
                            );
                        }
                    }
                }
            }
            p.into_result()?;
            let before = workflow_config(tx, division, &policy)?;
            store::settings::set_workflow(tx, division, cfg)?;
            audit(
                tx,
                actor,
                "workflow.set",
                &format!("workflow:{division}"),
                Some(&serde_json::to_value(&before)?),
                Some(&serde_json::to_value(cfg)?),
                now,
            )?;
            Ok(cfg.clone())
        })
    }
}

//! The administrator's configuration (departments, routing, workflow, policy), the audit log,
//! backup and restore.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::users::department_id;
use super::{audit, load_policy, Reopen};
use crate::audit::{self as chain, AuditEvent, VerifyReport};
use crate::domain::auth::{Actor, Role};
use crate::domain::ids::parse_name;
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
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [format!("workflow:{division}")],
            |r| r.get(0),
        )
        .optional()?;
    match v {
        Some(s) => Ok(serde_json::from_str(&s)?),
        None => Ok(WorkflowConfig::from_policy(policy)),
    }
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
                let k: Option<String> = conn
                    .query_row(
                        "SELECT department_kind FROM industries WHERE division = ?1",
                        [industry],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                k.ok_or_else(|| {
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
            let id: Option<i64> = conn
                .query_row(
                    "SELECT id FROM departments WHERE division = ?1 AND kind = ?2 AND active = 1",
                    params![div, kind],
                    |r| r.get(0),
                )
                .optional()?;
            let id = id.ok_or_else(|| {
                Error::conflict(t!(
                    format!("{div} 没有在用的 {kind} 部门,无法分派审核,请联系系统管理员"),
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

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub division: String,
    pub kind: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RoutingRow {
    pub industry: String,
    pub section: String,
    pub name: String,
    pub department_kind: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DivisionInfo {
    pub code: String,
    pub name: String,
    pub short: String,
    pub level: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Reference {
    pub divisions: Vec<DivisionInfo>,
    pub industries: Vec<RoutingRow>,
    /// (code, name, kind: industry | countersign)
    pub department_kinds: Vec<(String, String, String)>,
    /// (code, Chinese name), in the policy's order.
    pub categories: Vec<(String, String)>,
    pub mandatory_measures: Vec<(String, String)>,
    pub optional_measures: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RestoreReport {
    pub integrity: String,
    pub audit: VerifyReport,
}

fn admin_only(actor: &Actor, what: crate::Text) -> Result<()> {
    actor.require(&[Role::Admin], &what)
}

impl Reopen {
    pub fn department_list(&self, division: Option<&str>) -> Result<Vec<DepartmentRow>> {
        let mut stmt = self.conn.sqlite().prepare(
            "SELECT id, division || '-' || kind, division, kind, name, active FROM departments
             WHERE ?1 IS NULL OR division = ?1 ORDER BY division, kind",
        )?;
        let rows = stmt.query_map([division], |r| {
            Ok(DepartmentRow {
                id: r.get(0)?,
                code: r.get(1)?,
                division: r.get(2)?,
                kind: r.get(3)?,
                name: r.get(4)?,
                active: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Renames, activates or deactivates a department (`DIVISION-KIND`).
    pub fn department_set(
        &mut self,
        actor: &Actor,
        code: &str,
        name: Option<&str>,
        active: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<DepartmentRow> {
        admin_only(actor, t!("配置部门", "configure departments"))?;
        self.write(|tx| {
            let (div, kind) = code.split_once('-').unwrap_or((code, ""));
            let row: Option<(i64, String, bool)> = tx
                .query_row(
                    "SELECT id, name, active FROM departments WHERE division = ?1 AND kind = ?2",
                    params![div, kind],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((id, old_name, old_active)) = row else {
                return Err(Error::not_found(t!(
                    format!("没有部门 {code}"),
                    format!("no department {code}")
                )));
            };
            let name = match name {
                Some(n) => parse_name(n, 60).map_err(|e| Error::field("name", e))?,
                None => old_name.clone(),
            };
            let active = active.unwrap_or(old_active);
            tx.execute(
                "UPDATE departments SET name = ?2, active = ?3 WHERE id = ?1",
                params![id, name, active],
            )?;
            audit(
                tx,
                actor,
                "department.set",
                &format!("department:{code}"),
                Some(&serde_json::json!({"name": old_name, "active": old_active})),
                Some(&serde_json::json!({"name": name, "active": active})),
                now,
            )?;
            Ok(DepartmentRow {
                id,
                code: code.to_string(),
                division: div.to_string(),
                kind: kind.to_string(),
                name,
                active,
            })
        })
    }

    pub fn routing_list(&self) -> Result<Vec<RoutingRow>> {
        let mut stmt = self.conn.sqlite().prepare(
            "SELECT division, section, name, department_kind FROM industries ORDER BY division",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RoutingRow {
                industry: r.get(0)?,
                section: r.get(1)?,
                name: r.get(2)?,
                department_kind: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Routes an industry division to a department kind.
    pub fn routing_set(
        &mut self,
        actor: &Actor,
        industry: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Result<RoutingRow> {
        admin_only(actor, t!("配置行业路由", "configure routing"))?;
        self.write(|tx| {
            let old: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT section, name, department_kind FROM industries WHERE division = ?1",
                    [industry],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((section, name, old_kind)) = old else {
                return Err(Error::field(
                    "industry",
                    t!(
                        format!("没有行业 {industry}"),
                        format!("no industry {industry}")
                    ),
                ));
            };
            if section == "S" || section == "T" {
                return Err(Error::field(
                    "industry",
                    t!(
                        "门类 S、T 不在本系统申报,不能配置路由",
                        "sections S and T do not file here"
                    ),
                ));
            }
            let kinds: i64 = tx.query_row(
                "SELECT count(*) FROM department_kinds WHERE code = ?1 AND kind = 'industry'",
                [kind],
                |r| r.get(0),
            )?;
            if kinds == 0 {
                return Err(Error::field(
                    "department_kind",
                    t!(
                        format!("没有行业主管部门类别 {kind}"),
                        format!("no industry department kind {kind}")
                    ),
                ));
            }
            tx.execute(
                "UPDATE industries SET department_kind = ?2 WHERE division = ?1",
                params![industry, kind],
            )?;
            audit(
                tx,
                actor,
                "routing.set",
                &format!("industry:{industry}"),
                Some(&serde_json::json!({"department_kind": old_kind})),
                Some(&serde_json::json!({"department_kind": kind})),
                now,
            )?;
            Ok(RoutingRow {
                industry: industry.to_string(),
                section,
                name,
                department_kind: Some(kind.to_string()),
            })
        })
    }

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
                p.add("division", t!(format!("没有行政区划 {division}"), format!("no division {division}")));
            }
            if cfg.stages.is_empty() && cfg.mode != Some(ReviewMode::Filing) {
                p.add("stages", t!("审批制至少需要一个审核环节", "approval mode needs at least one stage"));
            }
            for (i, s) in cfg.stages.iter().enumerate() {
                if s.name.trim().is_empty() {
                    p.add(format!("stages[{i}].name"), t!("环节名称不能为空", "a stage needs a name"));
                }
                if s.departments.is_empty() {
                    p.add(format!("stages[{i}].departments"), t!("环节至少包含一个部门", "a stage needs a department"));
                }
                if let Some(q) = s.quorum {
                    if q == 0 || q as usize > s.departments.len() {
                        p.add(format!("stages[{i}].quorum"), t!(format!("通过数应在 1 到 {} 之间", s.departments.len()), format!("quorum must be 1 to {}", s.departments.len())));
                    }
                }
                for (j, d) in s.departments.iter().enumerate() {
                    let f = format!("stages[{i}].departments[{j}]");
                    if d.kind != INDUSTRY {
                        let n: i64 = tx.query_row("SELECT count(*) FROM department_kinds WHERE code = ?1", [&d.kind], |r| r.get(0))?;
                        if n == 0 {
                            p.add(format!("{f}.kind"), t!(format!("没有部门类别 {}", d.kind), format!("no department kind {}", d.kind)));
                        }
                    }
                    for c in &d.categories {
                        if !policy.categories.contains_key(c) {
                            p.add(format!("{f}.categories"), t!(format!("未知类别 {c}"), format!("unknown category {c}")));
                        }
                    }
                    if let Some(dv) = &d.division {
                        if !super::users::division_exists(tx, dv)? {
                            p.add(format!("{f}.division"), t!(format!("没有行政区划 {dv}"), format!("no division {dv}")));
                        }
                    }
                }
            }
            p.into_result()?;
            let before = workflow_config(tx, division, &policy)?;
            tx.execute(
                "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![format!("workflow:{division}"), serde_json::to_string(cfg)?],
            )?;
            audit(tx, actor, "workflow.set", &format!("workflow:{division}"), Some(&serde_json::to_value(&before)?), Some(&serde_json::to_value(cfg)?), now)?;
            Ok(cfg.clone())
        })
    }

    /// Replaces the policy values (TOML of the shipped file's shape); checked for consistency.
    pub fn policy_set(
        &mut self,
        actor: &Actor,
        toml_text: &str,
        now: DateTime<Utc>,
    ) -> Result<Policy> {
        admin_only(actor, t!("修改政策参数", "change the policy"))?;
        let policy = Policy::from_toml(toml_text).map_err(|e| Error::field("policy", e))?;
        self.write(|tx| {
            let before = load_policy(tx)?;
            tx.execute(
                "UPDATE settings SET value = ?1 WHERE key = 'policy'",
                [serde_json::to_string(&policy)?],
            )?;
            audit(
                tx,
                actor,
                "policy.set",
                "policy",
                Some(&serde_json::to_value(&before)?),
                Some(&serde_json::to_value(&policy)?),
                now,
            )?;
            Ok(policy.clone())
        })
    }

    pub fn audit_log(
        &self,
        actor: &Actor,
        record: Option<&str>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<AuditEvent>> {
        admin_only(actor, t!("查看操作日志", "read the audit log"))?;
        let (limit, offset) = super::page(limit, offset);
        chain::log(self.db(), record, limit, offset)
    }

    pub fn audit_verify(&self, actor: &Actor) -> Result<VerifyReport> {
        admin_only(actor, t!("校验操作日志", "verify the audit log"))?;
        chain::verify(self.db(), &self.keys)
    }

    /// The signed head of the log, for the administrator to keep apart (a file, a printout):
    /// `audit_verify_anchor` later proves the log still extends it. Refused on a broken log.
    pub fn audit_anchor(&self, actor: &Actor, now: DateTime<Utc>) -> Result<chain::Anchor> {
        admin_only(actor, t!("生成操作日志锚点", "anchor the audit log"))?;
        let report = chain::verify(self.db(), &self.keys)?;
        if !report.ok {
            return Err(Error::conflict(t!(
                format!(
                    "操作日志校验失败，不能生成锚点：{}",
                    report.problem.clone().unwrap_or_default()
                ),
                format!(
                    "the audit log does not verify; no anchor made: {}",
                    report.problem.clone().unwrap_or_default()
                )
            )));
        }
        let Some((seq, hash)) = chain::last_event(self.db())? else {
            return Err(Error::not_found(t!(
                "操作日志为空",
                "the audit log is empty"
            )));
        };
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (kid, signature) = self
            .keys
            .audit_sign(chain::anchor_message(seq, &hash, &at).as_bytes())?;
        Ok(chain::Anchor {
            format: chain::ANCHOR_FORMAT.into(),
            version: 1,
            seq,
            hash,
            at,
            kid,
            signature,
        })
    }

    /// Verifies the log and that it still extends an anchor made earlier (the anchor file's text).
    pub fn audit_verify_anchor(&self, actor: &Actor, anchor: &str) -> Result<VerifyReport> {
        admin_only(actor, t!("校验操作日志", "verify the audit log"))?;
        let anchor = chain::Anchor::parse(anchor)?;
        chain::verify_anchor(self.db(), &self.keys, &anchor)
    }

    /// A consistent copy through SQLite's online backup, while others keep working.
    pub fn backup(&mut self, actor: &Actor, dest: &Path, now: DateTime<Utc>) -> Result<()> {
        admin_only(actor, t!("备份数据库", "back up the database"))?;
        if dest.exists() {
            return Err(Error::conflict(t!(
                format!("文件 {} 已存在,不会覆盖", dest.display()),
                format!("{} exists; not overwriting", dest.display())
            )));
        }
        // The copy is made in a temporary file beside the destination, synced and renamed into
        // place (never over an existing file); only then is the backup audited. A failed copy
        // leaves neither a partial file nor a record of a backup that does not exist.
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let failed = |e: &dyn std::fmt::Display| {
            Error::internal(format!("backup to {} failed: {e}", dest.display()))
        };
        let tmp = tempfile::Builder::new()
            .prefix(".reopen-backup-")
            .suffix(".partial")
            .tempfile_in(dir)
            .map_err(|e| failed(&e))?;
        self.db()
            .backup(rusqlite::MAIN_DB, tmp.path(), None)
            .map_err(|e| failed(&e))?;
        tmp.as_file().sync_all().map_err(|e| failed(&e))?;
        tmp.persist_noclobber(dest).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::conflict(t!(
                    format!("文件 {} 已存在，不会覆盖", dest.display()),
                    format!("{} exists; not overwriting", dest.display())
                ))
            } else {
                failed(&e.error)
            }
        })?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        let audited = self.write(|tx| {
            audit(
                tx,
                actor,
                "backup",
                "database",
                None,
                Some(&serde_json::json!({"file": dest.display().to_string()})),
                now,
            )
        });
        if audited.is_err() {
            // An unrecorded copy is not left behind.
            let _ = std::fs::remove_file(dest);
        }
        audited
    }

    /// Replaces the database with a backup after checking the backup's integrity and audit chain.
    pub fn restore(
        &mut self,
        actor: &Actor,
        src: &Path,
        now: DateTime<Utc>,
    ) -> Result<RestoreReport> {
        admin_only(actor, t!("恢复数据库", "restore the database"))?;
        if !src.exists() {
            return Err(Error::not_found(t!(
                format!("找不到备份文件 {}", src.display()),
                format!("no backup file {}", src.display())
            )));
        }
        let report = {
            let bad = |why: String| {
                Error::field(
                    "file",
                    t!(
                        format!("备份文件不可用:{why}"),
                        format!("the backup cannot be used: {why}")
                    ),
                )
            };
            let c = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| bad(e.to_string()))?;
            self.keys.register(&c)?; // the backup's signed head is checked with this installation's audit key
            let integrity = store::integrity_check(&c).map_err(|e| bad(e.message.en))?;
            if integrity != ["ok"] {
                return Err(bad(integrity.join("; ")));
            }
            let version: i64 = c
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| bad(e.to_string()))?;
            if version == 0 {
                return Err(bad("not a Reopen database".into()));
            }
            let audit_report =
                chain::verify((&c).into(), &self.keys).map_err(|e| bad(e.message.en))?;
            if !audit_report.ok {
                return Err(bad(format!(
                    "audit chain broken: {}",
                    audit_report.problem.clone().unwrap_or_default()
                )));
            }
            RestoreReport {
                integrity: "ok".into(),
                audit: audit_report,
            }
        };
        self.conn
            .sqlite_mut()
            .restore(
                rusqlite::MAIN_DB,
                src,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| Error::internal(format!("restore failed: {e}")))?;
        store::migrations()
            .to_latest(self.conn.sqlite_mut())
            .map_err(|e| Error::internal(format!("migration after restore: {e}")))?;
        // The restored database records who restored it.
        let who_exists: i64 = self.conn.sqlite().query_row(
            "SELECT count(*) FROM users WHERE id = ?1 AND role = 'admin'",
            [actor.user_id],
            |r| r.get(0),
        )?;
        let who = if who_exists > 0 {
            actor.who()
        } else {
            chain::Who {
                id: None,
                name: actor.name.clone(),
                role: "admin".into(),
            }
        };
        self.write(|tx| {
            chain::append(
                tx,
                &who,
                "restore",
                "database",
                None,
                Some(&serde_json::json!({"file": src.display().to_string()})),
                now,
            )
            .map(|_| ())
        })?;
        Ok(report)
    }

    /// Reference lists the screens need: divisions, industries, categories and measures.
    pub fn reference(&self) -> Result<Reference> {
        let conn = self.db();
        let mut st =
            conn.prepare("SELECT code, name, short, level FROM divisions ORDER BY code")?;
        let divisions = st
            .query_map([], |r| {
                Ok(DivisionInfo {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    short: r.get(2)?,
                    level: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let industries = self.routing_list()?;
        let mut st = conn.prepare("SELECT code, name, kind FROM department_kinds ORDER BY code")?;
        let department_kinds = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let p = load_policy(conn)?;
        let pairs = |m: &indexmap::IndexMap<String, String>| {
            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        Ok(Reference {
            divisions,
            industries,
            department_kinds,
            categories: pairs(&p.categories),
            mandatory_measures: pairs(&p.mandatory_measures),
            optional_measures: pairs(&p.optional_measures),
        })
    }

    pub fn department_id(&self, code: &str) -> Result<i64> {
        department_id(self.db(), code)
    }
}

//! The administrator's configuration (departments, routing, policy; the review chains are
//! workflow.rs's), the audit log, backup and restore.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::users::department_id;
use super::{audit, load_policy, Reopen};
// The review chain's resolution lives in workflow.rs; its callers import it from here.
pub(crate) use super::workflow::resolve_stages;
use crate::audit::{self as chain, AuditEvent, VerifyReport};
use crate::domain::auth::{Actor, Role};
use crate::domain::ids::parse_name;
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::store;
use crate::t;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub division: String,
    pub kind: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RoutingRow {
    pub industry: String,
    pub section: String,
    pub name: String,
    pub department_kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DivisionInfo {
    pub code: String,
    pub name: String,
    pub short: String,
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RestoreReport {
    pub integrity: String,
    pub audit: VerifyReport,
}

pub(super) fn admin_only(actor: &Actor, what: crate::Text) -> Result<()> {
    actor.require(&[Role::Admin], &what)
}

impl Reopen {
    pub fn department_list(&self, division: Option<&str>) -> Result<Vec<DepartmentRow>> {
        store::reference::departments(self.db(), division)
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
            let Some((id, old_name, old_active)) = store::reference::department(tx, div, kind)?
            else {
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
            store::reference::set_department(tx, id, &name, active)?;
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
        store::reference::industries(self.db())
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
            let Some(RoutingRow {
                section,
                name,
                department_kind: old_kind,
                ..
            }) = store::reference::industry(tx, industry)?
            else {
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
            if !store::reference::industry_kind_exists(tx, kind)? {
                return Err(Error::field(
                    "department_kind",
                    t!(
                        format!("没有行业主管部门类别 {kind}"),
                        format!("no industry department kind {kind}")
                    ),
                ));
            }
            store::reference::set_industry_kind(tx, industry, kind)?;
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

    /// Replaces the policy values (TOML of the shipped file's shape); checked for consistency.
    pub fn policy_set(
        &mut self,
        actor: &Actor,
        toml_text: &str,
        now: DateTime<Utc>,
    ) -> Result<Policy> {
        admin_only(actor, t!("修改政策参数", "change the policy"))?;
        let policy = Policy::from_toml_by_field(toml_text).map_err(Error::validation)?;
        self.write(|tx| {
            let before = load_policy(tx)?;
            store::settings::set_policy(tx, &policy)?;
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

    /// A consistent copy through SQLite's online backup, while others keep working (a PostgreSQL
    /// database is refused: pg_dump backs it up).
    pub fn backup(&mut self, actor: &Actor, dest: &Path, now: DateTime<Utc>) -> Result<()> {
        admin_only(actor, t!("备份数据库", "back up the database"))?;
        // The copy is made in a temporary file beside the destination and renamed into place;
        // only then is the backup audited. A failed copy leaves neither a partial file nor a
        // record of a backup that does not exist.
        store::sqlite_file::backup(self.db(), dest)?;
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

    /// Replaces the database with a backup after checking the backup's integrity and audit chain
    /// (a SQLite file; a PostgreSQL database is refused: pg_restore restores it).
    pub fn restore(
        &mut self,
        actor: &Actor,
        src: &Path,
        now: DateTime<Utc>,
    ) -> Result<RestoreReport> {
        admin_only(actor, t!("恢复数据库", "restore the database"))?;
        store::sqlite_file::require_sqlite(self.db())?;
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
            // The backup's signed head is checked with this installation's audit key.
            let file = store::sqlite_file::open_backup(src)?.map_err(bad)?;
            let integrity = file.integrity().map_err(|e| bad(e.message.en))?;
            if integrity != ["ok"] {
                return Err(bad(integrity.join("; ")));
            }
            let version = file.user_version().map_err(|e| bad(e.message.en))?;
            if version == 0 {
                return Err(bad("not a Reopen database".into()));
            }
            let audit_report =
                chain::verify(file.db(), &self.keys).map_err(|e| bad(e.message.en))?;
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
        store::sqlite_file::restore(&mut self.conn, src)?;
        // The restored database records who restored it.
        let who = if store::users::has_role(self.db(), actor.user_id, Role::Admin)? {
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
        let divisions = store::reference::divisions(conn)?;
        let industries = self.routing_list()?;
        let department_kinds = store::reference::department_kinds(conn)?;
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

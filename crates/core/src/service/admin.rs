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
                        "门类 S、T 不在本系统申报，不能配置路由",
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
                        format!("备份文件不可用：{why}"),
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
                client: None,
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

/// The administrator's log screen: filters by user, by local days and by record.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditFilter {
    /// One user's events (by user name).
    pub user: Option<String>,
    /// From this local day (Asia/Shanghai), inclusive.
    pub from: Option<chrono::NaiveDate>,
    /// To this local day, inclusive.
    pub to: Option<chrono::NaiveDate>,
    /// One record's events (`app:8`, `cert:…`).
    pub record: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// An event as the screen shows it: the action, the role and the record in Chinese.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditRow {
    #[serde(flatten)]
    pub event: AuditEvent,
    pub action_zh: String,
    pub role_zh: String,
    pub record_zh: String,
}

/// A page of the log and how many events the filter keeps in all.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    /// Every user name found in the log (the user filter's choices).
    pub users: Vec<String>,
}

/// Every action the core writes to the log, with its Chinese name (a test checks that no action
/// written anywhere in the core is missing).
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("init", "初始化数据库"),
    ("audit.keyed", "启用操作日志签名"),
    ("backup", "备份数据库"),
    ("restore", "恢复数据库"),
    ("database.migrate", "迁移数据库"),
    ("demo.bulk", "生成演示数据"),
    ("user.add", "新增用户"),
    ("user.disable", "停用用户"),
    ("user.unlock", "解除登录等待"),
    ("user.login", "登录"),
    ("user.login_failed", "登录失败"),
    ("user.logout", "退出登录"),
    ("user.password_change", "修改密码"),
    ("user.password_reset", "重置密码"),
    ("department.set", "修改行业主管部门"),
    ("routing.set", "修改行业归口"),
    ("workflow.set", "修改审核流程"),
    ("policy.set", "修改政策参数"),
    ("firm.register", "企业登记"),
    ("firm.update", "修改企业信息"),
    ("app.create", "新建申请"),
    ("app.update", "修改申请"),
    ("app.roster", "导入人员名单"),
    ("app.roster_reveal", "查看完整人员名单"),
    ("app.attach", "添加附件"),
    ("app.detach", "删除附件"),
    ("app.submit", "提交申请"),
    ("app.withdraw", "撤回申请"),
    ("app.export", "导出申报包"),
    ("app.import", "导入申报包"),
    ("review.approve", "审核同意"),
    ("review.reject", "审核不同意"),
    ("review.return", "退回补正"),
    ("cert.issue", "签发批准通知书"),
    ("cert.print", "打印批准通知书"),
    ("cert.copy", "企业保存批准通知书"),
    ("cert.void", "作废批准通知书"),
    ("cert.revoke", "撤销批准通知书"),
    ("cert.key.rotate", "更换签章密钥"),
    ("cert.key.moved", "签章密钥移出数据库"),
    ("form.print", "打印申请审批表"),
    ("notice.print", "打印回执或告知书"),
    ("daily.file", "报送每日报告"),
    ("daily.flag_handled", "处理日报异常"),
    ("retention.purge", "清理到期案卷"),
    ("roster.seal", "加密人员名单"),
    ("message.read", "阅读站内消息"),
];

/// The Chinese name of an action; an unknown one is shown as 其他操作 (never the code).
pub fn audit_action_zh(action: &str) -> &'static str {
    AUDIT_ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or("其他操作", |(_, zh)| zh)
}

/// The Chinese name of a role as the log records it (the system's own events included).
pub fn audit_role_zh(role: &str) -> &'static str {
    match role {
        "firm" => "企业填报人",
        "reviewer" => "审核员",
        "clerk" => "窗口工作人员",
        "leader" => "领导小组",
        "admin" => "系统管理员",
        "system" => "系统",
        "-" => "未登录",
        _ => "其他",
    }
}

/// A record (`app:8`, `cert:雨复工〔2020〕1号`, `department:511802-SWJ` …) in words, departments and
/// divisions by name.
struct Names {
    departments: std::collections::HashMap<String, String>,
    divisions: std::collections::HashMap<String, String>,
    users: std::collections::HashMap<String, String>,
}

fn record_zh(record: &str, names: &Names) -> String {
    let (kind, rest) = record.split_once(':').unwrap_or((record, ""));
    match kind {
        "app" => format!("申请 {rest}"),
        "cert" => format!("批准通知书 {rest}"),
        "firm" => format!("企业 {rest}"),
        "user" => format!(
            "用户 {}",
            names.users.get(rest).map_or(rest, String::as_str)
        ),
        "department" => names
            .departments
            .get(rest)
            .map_or_else(|| "行业主管部门".to_string(), |n| format!("部门 {n}")),
        "industry" => format!("行业 {rest}"),
        "workflow" => names
            .divisions
            .get(rest)
            .map_or_else(|| "审核流程".to_string(), |n| format!("{n}审核流程")),
        "policy" => "政策参数".into(),
        "database" => "数据库".into(),
        "audit" => "操作日志".into(),
        "keys" => "签章密钥".into(),
        _ => "其他记录".into(),
    }
}

fn to_events(rows: Vec<store::audit::EventRow>) -> Vec<AuditEvent> {
    rows.into_iter().map(AuditEvent::from).collect()
}

impl Reopen {
    fn audit_filter_store<'a>(f: &'a AuditFilter) -> store::audit::Filter<'a> {
        let nonempty =
            |s: &'a Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty());
        store::audit::Filter {
            record: nonempty(&f.record),
            user: nonempty(&f.user),
            from: f.from.map(|d| super::ts(super::shanghai_midnight(d))),
            to: f
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| super::ts(super::shanghai_midnight(d))),
        }
    }

    fn audit_rows(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditRow>> {
        let names = Names {
            departments: store::reference::departments(self.db(), None)?
                .into_iter()
                .map(|d| (d.code, d.name))
                .collect(),
            divisions: store::reference::divisions(self.db())?
                .into_iter()
                .map(|d| (d.code, d.name))
                .collect(),
            users: store::audit::user_names(self.db())?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
        };
        Ok(events
            .into_iter()
            .map(|e| AuditRow {
                action_zh: audit_action_zh(&e.action).to_string(),
                role_zh: audit_role_zh(&e.role).to_string(),
                record_zh: record_zh(&e.record, &names),
                event: e,
            })
            .collect())
    }

    fn check_audit_filter(f: &AuditFilter) -> Result<()> {
        if let (Some(from), Some(to)) = (f.from, f.to) {
            if from > to {
                return Err(Error::field(
                    "to",
                    t!(
                        "结束日期不能早于开始日期",
                        "the end date is before the start date"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A filtered page of the audit log in Chinese, with the total the filter keeps.
    pub fn audit_page(&self, actor: &Actor, f: &AuditFilter) -> Result<AuditPage> {
        admin_only(actor, t!("查看操作日志", "read the audit log"))?;
        Self::check_audit_filter(f)?;
        let (limit, offset) = super::page(f.limit, f.offset);
        let filter = Self::audit_filter_store(f);
        let events = store::audit::search(self.db(), &filter, limit, offset)?;
        let total = store::audit::count(self.db(), &filter)?;
        Ok(AuditPage {
            rows: self.audit_rows(to_events(events))?,
            total,
            users: store::audit::actor_names(self.db())?,
        })
    }

    /// Every event the filter keeps, as a workbook (序号, 时间, 用户, 角色, 操作, 对象, and the
    /// client's address for what was done through a server).
    pub fn audit_xlsx(&self, actor: &Actor, f: &AuditFilter) -> Result<Vec<u8>> {
        use crate::documents::exports::{workbook, Cell, Table};
        admin_only(actor, t!("导出操作日志", "export the audit log"))?;
        Self::check_audit_filter(f)?;
        let filter = Self::audit_filter_store(f);
        let mut rows = Vec::new();
        loop {
            let got = store::audit::search(self.db(), &filter, 500, rows.len() as u32)?;
            let n = got.len();
            rows.extend(self.audit_rows(to_events(got))?);
            if n < 500 {
                break;
            }
        }
        let table = Table {
            sheet: "操作日志".into(),
            title: None,
            headers: ["序号", "时间", "用户", "角色", "操作", "对象", "来源地址"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: rows
                .iter()
                .map(|r| {
                    let at = super::parse_ts(&r.event.at)
                        .map(super::local_time)
                        .unwrap_or_else(|_| r.event.at.clone());
                    vec![
                        Cell::Int(r.event.seq),
                        at.into(),
                        r.event.actor_name.clone().into(),
                        r.role_zh.clone().into(),
                        r.action_zh.clone().into(),
                        r.record_zh.clone().into(),
                        r.event.client.clone().unwrap_or_default().into(),
                    ]
                })
                .collect(),
            total: None,
        };
        workbook(&[table])
    }
}

#[cfg(test)]
mod audit_names {
    use super::*;

    /// The third argument of every `audit(…)` / `append(…)` call in `text`.
    fn third_args(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for pat in ["audit(", "append("] {
            let mut rest = text;
            while let Some(at) = rest.find(pat) {
                let args = &rest[at + pat.len()..];
                rest = args;
                let (mut depth, mut start, mut n) = (0i32, 0usize, 0usize);
                for (i, c) in args.char_indices() {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' if depth == 0 => {
                            if n == 2 {
                                out.push(args[start..i].to_string());
                            }
                            break;
                        }
                        ')' | ']' | '}' => depth -= 1,
                        ',' if depth == 0 => {
                            if n == 2 {
                                out.push(args[start..i].to_string());
                                break;
                            }
                            n += 1;
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }

    fn literals(s: &str) -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .filter(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            })
            .map(str::to_string)
            .collect()
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                // Tests write made-up actions; only the product's code counts.
                let text = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((p.display().to_string(), text));
            }
        }
    }

    #[test]
    fn every_action_the_core_writes_has_a_chinese_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut found = std::collections::BTreeSet::new();
        for (path, text) in &files {
            for arg in third_args(text) {
                if arg.contains("format!(\"review.{}\"") {
                    for v in ["approve", "reject", "return"] {
                        found.insert(format!("review.{v}"));
                    }
                }
                found.extend(literals(&arg));
                // An action chosen earlier (`let action = if … { "a" } else { "b" };`).
                let ident = arg.trim();
                if !ident.is_empty() && ident.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    if let Some(at) = text.find(&format!("let {ident} = ")) {
                        let stmt = &text[at..];
                        let end = stmt.find(';').unwrap_or(stmt.len());
                        found.extend(literals(&stmt[..end]));
                    }
                }
            }
            // The bulk generator's events are listed as tuples (action, record, before, after).
            if path.ends_with("bulk.rs") {
                for line in text.lines() {
                    if let Some(i) = line.find("=> (\"") {
                        found.extend(literals(&line[i..]).into_iter().take(1));
                    }
                }
            }
        }
        for known in [
            "user.add",
            "cert.void",
            "review.return",
            "message.read",
            "notice.print",
        ] {
            assert!(found.contains(known), "the scan missed {known}: {found:?}");
        }
        let missing: Vec<_> = found
            .iter()
            .filter(|a| !AUDIT_ACTIONS.iter().any(|(k, _)| k == a))
            .collect();
        assert!(
            missing.is_empty(),
            "actions without a Chinese name: {missing:?}"
        );
        for (_, zh) in AUDIT_ACTIONS {
            assert!(!zh.is_ascii() && !zh.contains(','), "{zh}");
        }
        assert_eq!(audit_action_zh("review.approve"), "审核同意");
        assert_eq!(audit_action_zh("no.such"), "其他操作");
        assert_eq!(audit_role_zh("system"), "系统");
    }

    #[test]
    fn records_in_words() {
        let pair = |a: &str, b: &str| [(a.to_string(), b.to_string())].into_iter().collect();
        let names = Names {
            departments: pair("511802-SWJ", "雨城区商务局"),
            divisions: pair("511802", "雨城区"),
            users: pair("3", "yc_swj"),
        };
        assert_eq!(record_zh("app:8", &names), "申请 8");
        assert_eq!(
            record_zh("department:511802-SWJ", &names),
            "部门 雨城区商务局"
        );
        assert_eq!(record_zh("workflow:511802", &names), "雨城区审核流程");
        assert_eq!(record_zh("user:3", &names), "用户 yc_swj");
        assert_eq!(record_zh("user:99", &names), "用户 99");
        assert_eq!(record_zh("policy", &names), "政策参数");
        assert_eq!(record_zh("weird:x", &names), "其他记录");
    }
}

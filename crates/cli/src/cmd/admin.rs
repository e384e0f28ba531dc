//! The administrator's commands: the audit log, departments, routing, the review chain per
//! jurisdiction, policy values and the purge of closed cases' personal data.

use std::path::PathBuf;

use clap::Subcommand;
use reopen_core::api;
use reopen_core::error::Error;
use reopen_core::service::WorkflowConfig;
use reopen_core::t;

use crate::ctx::Ctx;
use crate::output::Out;
use crate::{certs, read_file, read_json, Page};

#[derive(Subcommand)]
pub enum AuditCmd {
    Log {
        #[arg(long)]
        record: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    /// Check the hash chain, its signed head and the triggers; with --anchor, also that the log
    /// still extends an anchor written earlier
    Verify {
        #[arg(long)]
        anchor: Option<PathBuf>,
    },
    /// Write the signed head of the log to FILE, to keep apart from the database (or print)
    Anchor {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum DeptCmd {
    List {
        #[arg(long)]
        division: Option<String>,
    },
    Set {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
}

#[derive(Subcommand)]
pub enum RoutingCmd {
    List,
    Set { industry: String, kind: String },
}

#[derive(Subcommand)]
pub enum WorkflowCmd {
    Show {
        division: String,
    },
    Set {
        division: String,
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum PolicyCmd {
    Show,
    Set {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Purge rosters, daily reports and attachments of cases closed more than N days ago
    Purge {
        #[arg(long)]
        older_than: u32,
        /// Only report what would be purged
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn audit(cx: &mut Ctx, c: AuditCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        AuditCmd::Log { record, page } => {
            let r = cx.call(api::AuditLog {
                record,
                limit: page.limit,
                offset: page.offset,
            })?;
            out.table(&r, &["seq", "at", "actor_name", "role", "action", "record"])
        }
        AuditCmd::Verify { anchor } => certs::audit_verify(cx, anchor.as_ref(), out),
        AuditCmd::Anchor { out: file } => certs::audit_anchor(cx, &file, out),
    }
}

pub fn dept(cx: &mut Ctx, c: DeptCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        DeptCmd::List { division } => {
            let r = cx.call(api::DepartmentList { division })?;
            out.table(&r, &["code", "name", "active"])
        }
        DeptCmd::Set { code, name, active } => {
            let r = cx.call(api::DepartmentSet { code, name, active })?;
            out.value(&r, |r| {
                format!(
                    "{} {} {}",
                    r.code,
                    r.name,
                    if r.active { "在用" } else { "停用" }
                )
            })
        }
    }
}

pub fn routing(cx: &mut Ctx, c: RoutingCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        RoutingCmd::List => {
            let r = cx.call(api::RoutingList {})?;
            out.table(&r, &["industry", "section", "name", "department_kind"])
        }
        RoutingCmd::Set { industry, kind } => {
            let r = cx.call(api::RoutingSet { industry, kind })?;
            out.value(&r, |r| {
                format!(
                    "行业 {} {} → {}",
                    r.industry,
                    r.name,
                    r.department_kind.clone().unwrap_or_default()
                )
            })
        }
    }
}

pub fn workflow(cx: &mut Ctx, c: WorkflowCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        WorkflowCmd::Show { division } => {
            let r = cx.call(api::WorkflowGet { division })?;
            out.json_or_pretty(&r)
        }
        WorkflowCmd::Set { division, file } => {
            let v = read_json(&file)?;
            let config: WorkflowConfig = serde_json::from_value(v).map_err(|e| {
                Error::field(
                    "file",
                    t!(
                        format!("流程配置格式错误：{e}"),
                        format!("bad workflow document: {e}")
                    ),
                )
            })?;
            let r = cx.call(api::WorkflowSet { division, config })?;
            out.json_or_pretty(&r)
        }
    }
}

pub fn policy(cx: &mut Ctx, c: PolicyCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        PolicyCmd::Show => {
            let r = cx.call(api::PolicyGet {})?;
            out.json_or_pretty(&r)
        }
        PolicyCmd::Set { file } => {
            let toml = String::from_utf8(read_file(&file)?).map_err(|_| {
                Error::field(
                    "file",
                    t!("文件不是 UTF-8 文本", "the file is not UTF-8 text"),
                )
            })?;
            let r = cx.call(api::PolicySet { toml })?;
            out.json_or_pretty(&r)
        }
    }
}

pub fn retention(cx: &mut Ctx, c: RetentionCmd, out: &mut Out) -> Result<(), Error> {
    let RetentionCmd::Purge {
        older_than,
        dry_run,
    } = c;
    let r = cx.call(api::RetentionPurge {
        days: older_than,
        dry_run,
    })?;
    out.value(&r, |r| {
        format!(
            "{}{} 件已结案申请（结案早于 {}）：花名册 {} 行，提交记录 {} 份，每日报告 {} 份，附件 {} 个",
            if r.dry_run { "将清理 " } else { "已清理 " },
            r.applications.len(),
            r.cutoff,
            r.roster_rows,
            r.submissions,
            r.daily_reports,
            r.attachments
        )
    })
}

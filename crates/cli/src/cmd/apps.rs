//! `reopen app …`: applications (the one-enterprise-one-plan), their rosters, versions,
//! packages and attachments.

use std::path::PathBuf;

use clap::Subcommand;
use reopen_core::api;
use reopen_core::error::Error;
use reopen_core::service::AppFilter;
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::Out;
use crate::{packages, read_file, read_json, Page};

#[derive(Subcommand)]
pub enum AppCmd {
    Create {
        #[arg(long)]
        firm: String,
        #[arg(long)]
        file: PathBuf,
    },
    Update {
        id: i64,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    /// Replace the roster from a CSV file
    Roster {
        id: i64,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Submit {
        id: i64,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Withdraw {
        id: i64,
    },
    Show {
        id: i64,
        /// Also list the roster (ID numbers masked)
        #[arg(long)]
        roster: bool,
    },
    List {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        firm: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    /// Submissions kept for this application
    Versions {
        id: i64,
    },
    /// What changed between two submissions (default: the last two)
    Diff {
        id: i64,
        #[arg(long)]
        from: Option<i64>,
        #[arg(long)]
        to: Option<i64>,
    },
    /// The roster with full ID numbers (the deciding reviewer; audited)
    Reveal {
        id: i64,
    },
    /// Write the application as a package file (a firm's own PC -> the counter)
    Export {
        id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import an application package at the counter (validated like an application filed here)
    Import {
        file: PathBuf,
    },
    /// Add a file (PDF, JPEG or PNG) to an application being prepared
    Attach {
        id: i64,
        file: PathBuf,
        /// The attachment's name (default: the file's name)
        #[arg(long)]
        name: Option<String>,
    },
    /// List an application's attachments
    Attachments {
        id: i64,
    },
    /// Save one attachment's content to a new file
    Attachment {
        id: i64,
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove an attachment from an application being prepared
    Detach {
        id: i64,
        name: String,
    },
}

pub fn run(cx: &mut Ctx, c: AppCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        AppCmd::Create { firm, file } => {
            let plan = read_json(&file)?;
            let app = cx.call(api::AppCreate {
                credit_code: firm,
                plan,
            })?;
            out.app(&app)
        }
        AppCmd::Update {
            id,
            file,
            expect_version,
        } => {
            let plan = read_json(&file)?;
            let app = cx.call(api::AppUpdate {
                id,
                plan,
                expect_version,
            })?;
            out.app(&app)
        }
        AppCmd::Roster {
            id,
            file,
            expect_version,
        } => {
            let bytes = read_file(&file)?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let app = cx.call(api::AppRosterReplace {
                id,
                file_name,
                bytes: bytes.into(),
                expect_version,
            })?;
            out.value(
                &json!({"id": app.id, "roster_count": app.roster_count, "version": app.version}),
                |_| {
                    format!(
                        "申请 {} 的员工花名册已替换为 {} 人（第 {} 版）",
                        app.id, app.roster_count, app.version
                    )
                },
            )
        }
        AppCmd::Submit { id, expect_version } => {
            let app = cx.call(api::AppSubmit { id, expect_version })?;
            out.app(&app)
        }
        AppCmd::Withdraw { id } => {
            let app = cx.call(api::AppWithdraw { id })?;
            out.app(&app)
        }
        AppCmd::Show { id, roster } => {
            let app = cx.call(api::AppShow { id })?;
            if roster {
                let r = cx.call(api::AppRoster {
                    id,
                    limit: Some(500),
                    offset: None,
                })?;
                out.app_with_roster(&app, &r)
            } else {
                out.app(&app)
            }
        }
        AppCmd::List {
            state,
            division,
            department,
            firm,
            page,
        } => {
            let filter = AppFilter {
                state,
                division,
                department,
                firm,
                limit: page.limit,
                offset: page.offset,
            };
            let r = cx.call(api::AppList { filter })?;
            out.table(
                &r,
                &[
                    "id",
                    "firm_name",
                    "credit_code",
                    "state",
                    "category",
                    "planned_date",
                    "planned_headcount",
                    "approved_headcount",
                ],
            )
        }
        AppCmd::Versions { id } => {
            let r = cx.call(api::AppVersions { id })?;
            out.table(&r, &["submission_no", "submitted_at", "submitted_by"])
        }
        AppCmd::Diff { id, from, to } => {
            let d = cx.call(api::AppDiff { id, from, to })?;
            out.diff(&d)
        }
        AppCmd::Export { id, out: file } => packages::export(cx, id, &file, out),
        AppCmd::Import { file } => packages::import(cx, &file, out),
        AppCmd::Attach { id, file, name } => packages::attach(cx, id, &file, name, out),
        AppCmd::Attachments { id } => packages::attachments(cx, id, out),
        AppCmd::Attachment {
            id,
            name,
            out: file,
        } => packages::attachment(cx, id, &name, &file, out),
        AppCmd::Detach { id, name } => packages::detach(cx, id, &name, out),
        AppCmd::Reveal { id } => {
            let r = cx.call(api::AppRosterReveal { id })?;
            out.table(
                &r,
                &[
                    "name",
                    "id_number",
                    "phone",
                    "post",
                    "from_elsewhere",
                    "from_region",
                    "health",
                ],
            )
        }
    }
}

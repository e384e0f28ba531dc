//! Application packages (a firm's own PC -> the counter), the firm mode and attachments.

use reopen_core::api::{AppAttach, AppAttachments, AppDetach, AppExport, AppImport, Blob};
use reopen_core::service::{Attachment, ExportReport, FirmModeReport, ImportReport, Mode};
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;

/// Where this database runs: `office` or `firm` (a firm's own PC). No login needed.
#[tauri::command]
pub async fn app_mode(state: State<'_, Shared>) -> CmdResult<Mode> {
    state
        .run(|s| {
            if s.is_local() {
                s.with_core(|c, _| c.mode())
            } else {
                // A server is an office's.
                Ok(Mode::Office)
            }
        })
        .await
}

/// First run on a firm's own PC: registers the firm and its one user (firm mode).
#[tauri::command]
pub async fn first_run_firm(
    state: State<'_, Shared>,
    firm: Value,
    user_name: String,
    password: String,
) -> CmdResult<FirmModeReport> {
    state
        .run(move |s| {
            if !s.is_local() {
                return Err(s.err(reopen_core::Error::forbidden(reopen_core::t!(
                    "连接服务器时不能在本机登记企业模式；请改用“本机数据库”",
                    "firm mode is for this PC's own database, not a server"
                ))));
            }
            s.with_core(|c, now| c.init_firm_mode(&firm, &user_name, &password, now))
        })
        .await
}

/// Writes the application's package to `out` (chosen in the save dialog). The core hands the
/// bytes to the write inside its transaction, so the export is audited only once written.
#[tauri::command]
pub async fn app_export(state: State<'_, Shared>, id: i64, out: String) -> CmdResult<ExportReport> {
    state
        .run(move |s| {
            let target = Target::new(out, files::PACKAGE_FILE).map_err(|e| s.err(e))?;
            if s.is_local() {
                let actor = s.actor()?;
                return s.with_core(|c, now| c.app_export(&actor, id, now, |b| target.write(b)));
            }
            let exported = s.call(AppExport { id })?;
            target.write(&exported.package.0).map_err(|e| s.err(e))?;
            Ok(exported.report)
        })
        .await
}

/// Imports the package file at `path` (chosen in the open dialog) at the counter.
#[tauri::command]
pub async fn app_import(state: State<'_, Shared>, path: String) -> CmdResult<ImportReport> {
    state
        .run(move |s| {
            s.call_with_file(&path, &files::PACKAGE, |f| AppImport {
                bytes: Blob(f.bytes),
            })
        })
        .await
}

#[tauri::command]
pub async fn app_attach(state: State<'_, Shared>, id: i64, path: String) -> CmdResult<Attachment> {
    state
        .run(move |s| {
            s.call_with_file(&path, &files::ATTACHMENT, |f| AppAttach {
                id,
                name: f.name,
                bytes: Blob(f.bytes),
            })
        })
        .await
}

#[tauri::command]
pub async fn app_attachments(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<Attachment>> {
    state.op(AppAttachments { id }).await
}

#[tauri::command]
pub async fn app_detach(state: State<'_, Shared>, id: i64, name: String) -> CmdResult<()> {
    state.op(AppDetach { id, name }).await
}

//! Application packages (a firm's own PC -> the counter), the firm mode and attachments.

use reopen_core::service::{Attachment, ExportReport, FirmModeReport, ImportReport, Mode};
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;

/// Where this database runs: `office` or `firm` (a firm's own PC). No login needed.
#[tauri::command]
pub async fn app_mode(state: State<'_, Shared>) -> CmdResult<Mode> {
    state.run_with_core(|c, _| c.mode()).await
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
        .run_with_core(move |c, now| c.init_firm_mode(&firm, &user_name, &password, now))
        .await
}

/// Writes the application's package to `out` (chosen in the save dialog). The core hands the
/// bytes to the write inside its transaction, so the export is audited only once written.
#[tauri::command]
pub async fn app_export(state: State<'_, Shared>, id: i64, out: String) -> CmdResult<ExportReport> {
    state
        .run(move |s| {
            let actor = s.actor()?;
            let target = Target::new(out, files::PACKAGE_FILE).map_err(|e| s.err(e))?;
            s.with_core(|c, now| c.app_export(&actor, id, now, |b| target.write(b)))
        })
        .await
}

/// Imports the package file at `path` (chosen in the open dialog) at the counter.
#[tauri::command]
pub async fn app_import(state: State<'_, Shared>, path: String) -> CmdResult<ImportReport> {
    state
        .run(move |s| {
            s.as_actor_with_file(&path, &files::PACKAGE, |c, a, now, f| {
                c.app_import(a, &f.bytes, now)
            })
        })
        .await
}

#[tauri::command]
pub async fn app_attach(state: State<'_, Shared>, id: i64, path: String) -> CmdResult<Attachment> {
    state
        .run(move |s| {
            s.as_actor_with_file(&path, &files::ATTACHMENT, |c, a, now, f| {
                c.app_attach(a, id, &f.name, &f.bytes, now)
            })
        })
        .await
}

#[tauri::command]
pub async fn app_attachments(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<Attachment>> {
    state
        .run_as_actor(move |c, a, _| c.app_attachments(a, id))
        .await
}

#[tauri::command]
pub async fn app_detach(state: State<'_, Shared>, id: i64, name: String) -> CmdResult<()> {
    state
        .run_as_actor(move |c, a, now| c.app_detach(a, id, &name, now))
        .await
}

//! Application packages (a firm's own PC -> the counter), the firm mode and attachments.

use reopen_core::error::Error;
use reopen_core::service::{Attachment, ExportReport, FirmModeReport, ImportReport, Mode};
use reopen_core::t;
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

/// A file the user chose in the open dialog: its name and bytes.
fn read_chosen(state: &AppState, path: &str) -> CmdResult<(String, Vec<u8>)> {
    let p = std::path::Path::new(path);
    let bytes = std::fs::read(p).map_err(|e| {
        state.err(Error::field(
            "file",
            t!(
                format!("无法读取文件 {path}:{e}"),
                format!("cannot read {path}: {e}")
            ),
        ))
    })?;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok((name, bytes))
}

/// Where this database runs: `office` or `firm` (a firm's own PC). No login needed.
#[tauri::command]
pub fn app_mode(state: State<'_, AppState>) -> CmdResult<Mode> {
    state.with_core(|c, _| c.mode())
}

/// First run on a firm's own PC: registers the firm and its one user (firm mode).
#[tauri::command]
pub fn first_run_firm(
    state: State<'_, AppState>,
    firm: Value,
    user_name: String,
    password: String,
) -> CmdResult<FirmModeReport> {
    state.with_core(|c, now| c.init_firm_mode(&firm, &user_name, &password, now))
}

/// Writes the application's package to `out` (chosen in the save dialog).
#[tauri::command]
pub fn app_export(state: State<'_, AppState>, id: i64, out: String) -> CmdResult<ExportReport> {
    state.as_actor(|c, a, now| {
        c.app_export(a, id, now, |b| {
            super::certs::write_file(std::path::Path::new(&out), b)
        })
    })
}

/// Imports the package file at `path` (chosen in the open dialog) at the counter.
#[tauri::command]
pub fn app_import(state: State<'_, AppState>, path: String) -> CmdResult<ImportReport> {
    let (_, bytes) = read_chosen(&state, &path)?;
    state.as_actor(|c, a, now| c.app_import(a, &bytes, now))
}

#[tauri::command]
pub fn app_attach(state: State<'_, AppState>, id: i64, path: String) -> CmdResult<Attachment> {
    let (name, bytes) = read_chosen(&state, &path)?;
    state.as_actor(|c, a, now| c.app_attach(a, id, &name, &bytes, now))
}

#[tauri::command]
pub fn app_attachments(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<Attachment>> {
    state.as_actor(|c, a, _| c.app_attachments(a, id))
}

#[tauri::command]
pub fn app_detach(state: State<'_, AppState>, id: i64, name: String) -> CmdResult<()> {
    state.as_actor(|c, a, now| c.app_detach(a, id, &name, now))
}

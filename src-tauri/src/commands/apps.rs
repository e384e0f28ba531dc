//! Applications and review.

use reopen_core::domain::roster::{RosterRecord, RosterView};
use reopen_core::error::Error;
use reopen_core::service::{
    AppFilter, AppRow, Application, Decision, Diff, QueueFilter, QueueRow, SubmissionInfo,
};
use reopen_core::t;
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub fn app_create(
    state: State<'_, AppState>,
    credit_code: String,
    plan: Value,
) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.app_create(a, &credit_code, &plan, now))
}

#[tauri::command]
pub fn app_update(
    state: State<'_, AppState>,
    id: i64,
    plan: Value,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.app_update(a, id, &plan, expect_version, now))
}

/// Replaces the roster from a file the user chose in the system dialog.
/// A file the user chose in the open dialog: its name (the core picks the format by it) and bytes.
fn read_chosen_file(state: &AppState, path: &str) -> CmdResult<(String, Vec<u8>)> {
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

#[tauri::command]
pub fn app_roster_import(
    state: State<'_, AppState>,
    id: i64,
    path: String,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    let (name, bytes) = read_chosen_file(&state, &path)?;
    state.as_actor(|c, a, now| c.app_roster_replace(a, id, &name, &bytes, expect_version, now))
}

/// The roster template (.xlsx, Chinese headers, one example row), written to `out`.
#[tauri::command]
pub fn roster_template(state: State<'_, AppState>, out: String) -> CmdResult<u64> {
    let bytes = state.as_actor(|_, _, _| reopen_core::documents::workbook::roster_template())?;
    super::certs::write_file(std::path::Path::new(&out), &bytes).map_err(|e| state.err(e))?;
    Ok(bytes.len() as u64)
}

/// The roster file at `path` with its errors marked, written to `out` as .xlsx.
#[tauri::command]
pub fn roster_error_report(
    state: State<'_, AppState>,
    path: String,
    out: String,
) -> CmdResult<u64> {
    let (name, bytes) = read_chosen_file(&state, &path)?;
    let lang = state.lang();
    let report = state.as_actor(|c, a, now| c.roster_error_report(a, &name, &bytes, lang, now))?;
    super::certs::write_file(std::path::Path::new(&out), &report).map_err(|e| state.err(e))?;
    Ok(report.len() as u64)
}

#[tauri::command]
pub fn app_submit(
    state: State<'_, AppState>,
    id: i64,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.app_submit(a, id, expect_version, now))
}

#[tauri::command]
pub fn app_withdraw(state: State<'_, AppState>, id: i64) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.app_withdraw(a, id, now))
}

#[tauri::command]
pub fn app_show(state: State<'_, AppState>, id: i64) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.app_show(a, id, now))
}

#[tauri::command]
pub fn app_list(state: State<'_, AppState>, filter: AppFilter) -> CmdResult<Vec<AppRow>> {
    state.as_actor(|c, a, _| c.app_list(a, &filter))
}

#[tauri::command]
pub fn app_roster(
    state: State<'_, AppState>,
    id: i64,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<RosterView>> {
    state.as_actor(|c, a, _| c.app_roster(a, id, limit, offset))
}

#[tauri::command]
pub fn app_roster_reveal(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<RosterRecord>> {
    state.as_actor(|c, a, now| c.app_roster_reveal(a, id, now))
}

#[tauri::command]
pub fn app_versions(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<SubmissionInfo>> {
    state.as_actor(|c, a, _| c.app_versions(a, id))
}

#[tauri::command]
pub fn app_diff(
    state: State<'_, AppState>,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> CmdResult<Diff> {
    state.as_actor(|c, a, _| c.app_diff(a, id, from, to))
}

#[tauri::command]
pub fn review_queue(state: State<'_, AppState>, filter: QueueFilter) -> CmdResult<Vec<QueueRow>> {
    state.as_actor(|c, a, now| c.review_queue(a, &filter, now))
}

#[tauri::command]
pub fn review_decide(
    state: State<'_, AppState>,
    id: i64,
    decision: Decision,
) -> CmdResult<Application> {
    state.as_actor(|c, a, now| c.review_decide(a, id, &decision, now))
}

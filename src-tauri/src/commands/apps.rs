//! Applications and review.

use reopen_core::api::{
    AppCreate, AppDiff, AppList, AppRoster, AppRosterReplace, AppRosterReveal, AppShow, AppSubmit,
    AppUpdate, AppVersions, AppWithdraw, Blob, ReviewDecide, ReviewQueue, RosterErrorReport,
};
use reopen_core::domain::roster::{RosterRecord, RosterView};
use reopen_core::service::{
    AppFilter, AppRow, Application, Decision, Diff, QueueFilter, QueueRow, SubmissionInfo,
};
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;

#[tauri::command]
pub async fn app_create(
    state: State<'_, Shared>,
    credit_code: String,
    plan: Value,
) -> CmdResult<Application> {
    state.op(AppCreate { credit_code, plan }).await
}

#[tauri::command]
pub async fn app_update(
    state: State<'_, Shared>,
    id: i64,
    plan: Value,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state
        .op(AppUpdate {
            id,
            plan,
            expect_version,
        })
        .await
}

/// Replaces the roster from a file the user chose in the system dialog.
#[tauri::command]
pub async fn app_roster_import(
    state: State<'_, Shared>,
    id: i64,
    path: String,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state
        .run(move |s| {
            s.call_with_file(&path, &files::ROSTER, |f| AppRosterReplace {
                id,
                file_name: f.name,
                bytes: Blob(f.bytes),
                expect_version,
            })
        })
        .await
}

/// The roster template (.xlsx, Chinese headers, one example row), written to `out`.
#[tauri::command]
pub async fn roster_template(state: State<'_, Shared>, out: String) -> CmdResult<u64> {
    state
        .run(move |s| {
            // The same blank in both modes, made here for a logged-in user.
            s.me()?;
            let target = Target::new(out, files::XLSX).map_err(|e| s.err(e))?;
            let bytes =
                reopen_core::documents::workbook::roster_template().map_err(|e| s.err(e))?;
            target.write(&bytes).map_err(|e| s.err(e))?;
            Ok(bytes.len() as u64)
        })
        .await
}

/// The roster file at `path` with its errors marked, written to `out` as .xlsx.
#[tauri::command]
pub async fn roster_error_report(
    state: State<'_, Shared>,
    path: String,
    out: String,
) -> CmdResult<u64> {
    state
        .run(move |s| {
            let lang = s.lang();
            let target = Target::new(out, files::XLSX).map_err(|e| s.err(e))?;
            let report = s.call_with_file(&path, &files::ROSTER, |f| RosterErrorReport {
                file_name: f.name,
                bytes: Blob(f.bytes),
                lang,
            })?;
            target.write(&report.0).map_err(|e| s.err(e))?;
            Ok(report.0.len() as u64)
        })
        .await
}

#[tauri::command]
pub async fn app_submit(
    state: State<'_, Shared>,
    id: i64,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state.op(AppSubmit { id, expect_version }).await
}

#[tauri::command]
pub async fn app_withdraw(state: State<'_, Shared>, id: i64) -> CmdResult<Application> {
    state.op(AppWithdraw { id }).await
}

#[tauri::command]
pub async fn app_show(state: State<'_, Shared>, id: i64) -> CmdResult<Application> {
    state.op(AppShow { id }).await
}

#[tauri::command]
pub async fn app_list(state: State<'_, Shared>, filter: AppFilter) -> CmdResult<Vec<AppRow>> {
    state.op(AppList { filter }).await
}

#[tauri::command]
pub async fn app_roster(
    state: State<'_, Shared>,
    id: i64,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<RosterView>> {
    state.op(AppRoster { id, limit, offset }).await
}

#[tauri::command]
pub async fn app_roster_reveal(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<RosterRecord>> {
    state.op(AppRosterReveal { id }).await
}

#[tauri::command]
pub async fn app_versions(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<SubmissionInfo>> {
    state.op(AppVersions { id }).await
}

#[tauri::command]
pub async fn app_diff(
    state: State<'_, Shared>,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> CmdResult<Diff> {
    state.op(AppDiff { id, from, to }).await
}

#[tauri::command]
pub async fn review_queue(
    state: State<'_, Shared>,
    filter: QueueFilter,
) -> CmdResult<Vec<QueueRow>> {
    state.op(ReviewQueue { filter }).await
}

#[tauri::command]
pub async fn review_decide(
    state: State<'_, Shared>,
    id: i64,
    decision: Decision,
) -> CmdResult<Application> {
    state.op(ReviewDecide { id, decision }).await
}

//! Applications and review.

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
    state
        .run_as_actor(move |c, a, now| c.app_create(a, &credit_code, &plan, now))
        .await
}

#[tauri::command]
pub async fn app_update(
    state: State<'_, Shared>,
    id: i64,
    plan: Value,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state
        .run_as_actor(move |c, a, now| c.app_update(a, id, &plan, expect_version, now))
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
            s.as_actor_with_file(&path, &files::ROSTER, |c, a, now, f| {
                c.app_roster_replace(a, id, &f.name, &f.bytes, expect_version, now)
            })
        })
        .await
}

/// The roster template (.xlsx, Chinese headers, one example row), written to `out`.
#[tauri::command]
pub async fn roster_template(state: State<'_, Shared>, out: String) -> CmdResult<u64> {
    state
        .run(move |s| {
            s.as_actor_to_file(out, files::XLSX, |_, _, _, _| {
                reopen_core::documents::workbook::roster_template()
            })
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
            let (target, report) =
                s.as_actor_with_file(&path, &files::ROSTER, |c, a, now, f| {
                    let target = Target::new(out, files::XLSX)?;
                    Ok((
                        target,
                        c.roster_error_report(a, &f.name, &f.bytes, lang, now)?,
                    ))
                })?;
            target.write(&report).map_err(|e| s.err(e))?;
            Ok(report.len() as u64)
        })
        .await
}

#[tauri::command]
pub async fn app_submit(
    state: State<'_, Shared>,
    id: i64,
    expect_version: Option<i64>,
) -> CmdResult<Application> {
    state
        .run_as_actor(move |c, a, now| c.app_submit(a, id, expect_version, now))
        .await
}

#[tauri::command]
pub async fn app_withdraw(state: State<'_, Shared>, id: i64) -> CmdResult<Application> {
    state
        .run_as_actor(move |c, a, now| c.app_withdraw(a, id, now))
        .await
}

#[tauri::command]
pub async fn app_show(state: State<'_, Shared>, id: i64) -> CmdResult<Application> {
    state
        .run_as_actor(move |c, a, now| c.app_show(a, id, now))
        .await
}

#[tauri::command]
pub async fn app_list(state: State<'_, Shared>, filter: AppFilter) -> CmdResult<Vec<AppRow>> {
    state
        .run_as_actor(move |c, a, _| c.app_list(a, &filter))
        .await
}

#[tauri::command]
pub async fn app_roster(
    state: State<'_, Shared>,
    id: i64,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<RosterView>> {
    state
        .run_as_actor(move |c, a, _| c.app_roster(a, id, limit, offset))
        .await
}

#[tauri::command]
pub async fn app_roster_reveal(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<RosterRecord>> {
    state
        .run_as_actor(move |c, a, now| c.app_roster_reveal(a, id, now))
        .await
}

#[tauri::command]
pub async fn app_versions(state: State<'_, Shared>, id: i64) -> CmdResult<Vec<SubmissionInfo>> {
    state
        .run_as_actor(move |c, a, _| c.app_versions(a, id))
        .await
}

#[tauri::command]
pub async fn app_diff(
    state: State<'_, Shared>,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> CmdResult<Diff> {
    state
        .run_as_actor(move |c, a, _| c.app_diff(a, id, from, to))
        .await
}

#[tauri::command]
pub async fn review_queue(
    state: State<'_, Shared>,
    filter: QueueFilter,
) -> CmdResult<Vec<QueueRow>> {
    state
        .run_as_actor(move |c, a, now| c.review_queue(a, &filter, now))
        .await
}

#[tauri::command]
pub async fn review_decide(
    state: State<'_, Shared>,
    id: i64,
    decision: Decision,
) -> CmdResult<Application> {
    state
        .run_as_actor(move |c, a, now| c.review_decide(a, id, &decision, now))
        .await
}

//! The totals the pagers show (共 N 条): how many rows a list has over all its pages.

use reopen_core::service::AppFilter;

use crate::error::CmdResult;
use crate::state::Shared;
use tauri::State;

/// How many applications `app_list` shows with this filter.
#[tauri::command]
pub async fn app_count(state: State<'_, Shared>, filter: AppFilter) -> CmdResult<i64> {
    state
        .run_as_actor(move |c, a, _| c.app_count(a, &filter))
        .await
}

/// How many certificates `cert_list` shows with this state and `unprinted`.
#[tauri::command]
pub async fn cert_count(
    app_state: State<'_, Shared>,
    state: Option<String>,
    unprinted: bool,
) -> CmdResult<i64> {
    app_state
        .run_as_actor(move |c, a, _| c.cert_count(a, state.as_deref(), unprinted))
        .await
}

/// How many firms `firm_list` shows with this county and search.
#[tauri::command]
pub async fn firm_count(
    state: State<'_, Shared>,
    division: Option<String>,
    search: Option<String>,
) -> CmdResult<i64> {
    state
        .run_as_actor(move |c, a, _| c.firm_count(a, division.as_deref(), search.as_deref()))
        .await
}

/// How many daily reports of the firm `daily_list` shows.
#[tauri::command]
pub async fn daily_count(state: State<'_, Shared>, credit_code: String) -> CmdResult<i64> {
    state
        .run_as_actor(move |c, a, _| c.daily_count(a, &credit_code))
        .await
}

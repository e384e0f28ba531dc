//! The totals the pagers show (共 N 条): how many rows a list has over all its pages.

use reopen_core::api::{AppCount, CertCount, DailyCount, FirmCount, ReviewQueueCount};
use reopen_core::service::{AppFilter, QueueFilter};

use crate::error::CmdResult;
use crate::state::Shared;
use tauri::State;

/// How many applications `app_list` shows with this filter.
#[tauri::command]
pub async fn app_count(state: State<'_, Shared>, filter: AppFilter) -> CmdResult<i64> {
    state.op(AppCount { filter }).await
}

/// How many certificates `cert_list` shows with this state and `unprinted`.
#[tauri::command]
pub async fn cert_count(
    app_state: State<'_, Shared>,
    state: Option<String>,
    unprinted: bool,
) -> CmdResult<i64> {
    app_state.op(CertCount { state, unprinted }).await
}

/// How many firms `firm_list` shows with this county and search.
#[tauri::command]
pub async fn firm_count(
    state: State<'_, Shared>,
    division: Option<String>,
    search: Option<String>,
) -> CmdResult<i64> {
    state.op(FirmCount { division, search }).await
}

/// How many daily reports of the firm `daily_list` shows.
#[tauri::command]
pub async fn daily_count(state: State<'_, Shared>, credit_code: String) -> CmdResult<i64> {
    state.op(DailyCount { credit_code }).await
}

/// How many tasks `review_queue` shows with this filter (its page aside).
#[tauri::command]
pub async fn review_queue_count(state: State<'_, Shared>, filter: QueueFilter) -> CmdResult<i64> {
    state.op(ReviewQueueCount { filter }).await
}

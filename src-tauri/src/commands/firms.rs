//! Firms.

use reopen_core::api::{FirmList, FirmRegister, FirmShow, FirmUpdate, MyFirm};
use reopen_core::service::{Firm, FirmRow};
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::state::Shared;

/// A firm user who registers their firm is bound to it from then on: the session's actor is
/// reloaded from the store at the next call.
#[tauri::command]
pub async fn firm_register(state: State<'_, Shared>, firm: Value) -> CmdResult<Firm> {
    state.op(FirmRegister { firm }).await
}

#[tauri::command]
pub async fn firm_update(
    state: State<'_, Shared>,
    credit_code: String,
    firm: Value,
    expect_version: Option<i64>,
) -> CmdResult<Firm> {
    state
        .op(FirmUpdate {
            credit_code,
            firm,
            expect_version,
        })
        .await
}

#[tauri::command]
pub async fn firm_show(state: State<'_, Shared>, credit_code: String) -> CmdResult<Firm> {
    state.op(FirmShow { credit_code }).await
}

#[tauri::command]
pub async fn my_firm(state: State<'_, Shared>) -> CmdResult<Option<Firm>> {
    state.op(MyFirm {}).await
}

#[tauri::command]
pub async fn firm_list(
    state: State<'_, Shared>,
    division: Option<String>,
    search: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<FirmRow>> {
    state
        .op(FirmList {
            division,
            search,
            limit,
            offset,
        })
        .await
}

//! Firms.

use reopen_core::service::{Firm, FirmRow};
use serde_json::Value;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub fn firm_register(state: State<'_, AppState>, firm: Value) -> CmdResult<Firm> {
    let f = state.as_actor(|c, a, now| c.firm_register(a, &firm, now))?;
    // A firm user who registered their firm is bound to it from now on.
    let me = state.actor()?;
    let fresh = state.with_core(|c, _| c.refresh_actor(&me))?;
    state.set_actor(Some(fresh))?;
    Ok(f)
}

#[tauri::command]
pub fn firm_update(
    state: State<'_, AppState>,
    credit_code: String,
    firm: Value,
    expect_version: Option<i64>,
) -> CmdResult<Firm> {
    state.as_actor(|c, a, now| c.firm_update(a, &credit_code, &firm, expect_version, now))
}

#[tauri::command]
pub fn firm_show(state: State<'_, AppState>, credit_code: String) -> CmdResult<Firm> {
    state.as_actor(|c, a, _| c.firm_show(a, &credit_code))
}

#[tauri::command]
pub fn my_firm(state: State<'_, AppState>) -> CmdResult<Option<Firm>> {
    state.as_actor(|c, a, _| {
        let fresh = c.refresh_actor(a)?;
        c.firm_mine(&fresh)
    })
}

#[tauri::command]
pub fn firm_list(
    state: State<'_, AppState>,
    division: Option<String>,
    search: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<FirmRow>> {
    state.as_actor(|c, a, _| c.firm_list(a, division.as_deref(), search.as_deref(), limit, offset))
}

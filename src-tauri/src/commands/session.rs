//! Start-up, language, first run, login and passwords.

use reopen_core::domain::auth::Actor;
use reopen_core::error::Lang;
use serde::Serialize;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    pub initialised: bool,
    pub clock_override: Option<String>,
    pub language: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    let initialised = state.with_core(|c, _| c.is_initialised())?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: state.db_path.display().to_string(),
        initialised,
        // Shown in Asia/Shanghai, as every time in the UI.
        clock_override: state.clock.map(reopen_core::service::local_time),
        language: if state.lang() == Lang::En { "en" } else { "zh" }.into(),
    })
}

/// The UI has painted its first screen and accepts input (see `startup`); only `--bench-startup`
/// acts on it.
#[tauri::command]
pub fn ui_ready<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>) {
    crate::startup::ui_ready(&app, state.bench);
}

#[tauri::command]
pub fn set_language(state: State<'_, AppState>, lang: String) -> CmdResult<()> {
    let l = if lang.starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    };
    if let Ok(mut g) = state.lang.lock() {
        *g = l;
    }
    Ok(())
}

/// Creates the first administrator on a new installation (never once one exists).
#[tauri::command]
pub fn first_run(
    state: State<'_, AppState>,
    admin_name: String,
    password: String,
) -> CmdResult<()> {
    state.with_core(|c, now| c.init(Some((&admin_name, &password)), now).map(|_| ()))
}

#[tauri::command]
pub fn login(state: State<'_, AppState>, name: String, password: String) -> CmdResult<Actor> {
    let actor = state.with_core(|c, now| c.login(&name, &password, now))?;
    state.set_actor(Some(actor.clone()))?;
    Ok(actor)
}

#[tauri::command]
pub fn logout(state: State<'_, AppState>) -> CmdResult<()> {
    state.set_actor(None)
}

#[tauri::command]
pub fn whoami(state: State<'_, AppState>) -> CmdResult<Option<Actor>> {
    match state.actor() {
        Ok(a) => state.with_core(|c, _| c.refresh_actor(&a)).map(Some),
        Err(_) => Ok(None),
    }
}

/// Changes the logged-in user's own password after checking the current one.
#[tauri::command]
pub fn change_password(
    state: State<'_, AppState>,
    current: String,
    next: String,
) -> CmdResult<Actor> {
    let me = state.actor()?;
    let actor = state.with_core(|c, now| {
        c.login(&me.name, &current, now)?;
        c.user_password(&me, &me.name, Some(&next), now)?;
        c.refresh_actor(&me)
    })?;
    state.set_actor(Some(actor.clone()))?;
    Ok(actor)
}

//! Start-up, language, first run, login and passwords.

use reopen_core::domain::auth::Actor;
use reopen_core::error::Lang;
use serde::Serialize;
use tauri::State;

use crate::error::CmdResult;
use crate::state::Shared;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppInfo {
    pub version: String,
    /// The embedded database's file (empty in server mode).
    pub db_path: String,
    /// Whether the database has its first administrator (always so on a server).
    pub initialised: bool,
    pub clock_override: Option<String>,
    pub language: String,
    /// `local` (本机数据库) or `server` (连接服务器).
    pub mode: String,
    /// The server's address in server mode.
    pub server: Option<String>,
    /// The server certificate's pinned SHA-256 fingerprint in server mode.
    pub fingerprint: Option<String>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, Shared>) -> CmdResult<AppInfo> {
    state
        .run(|s| {
            let initialised = s.with_core(|c, _| c.is_initialised())?;
            Ok(AppInfo {
                version: env!("CARGO_PKG_VERSION").to_string(),
                db_path: s.db_path.display().to_string(),
                initialised,
                // The training clock as it reads now, in Asia/Shanghai as every time in the UI.
                clock_override: s
                    .clock
                    .is_training()
                    .then(|| reopen_core::service::local_time(s.now())),
                language: if s.lang() == Lang::En { "en" } else { "zh" }.into(),
                mode: "local".into(),
                server: None,
                fingerprint: None,
            })
        })
        .await
}

/// The UI has painted its first screen and accepts input (see `startup`); only `--bench-startup`
/// acts on it.
#[tauri::command]
pub fn ui_ready<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: State<'_, Shared>) {
    crate::startup::ui_ready(&app, state.bench);
}

#[tauri::command]
pub fn set_language(state: State<'_, Shared>, lang: String) -> CmdResult<()> {
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
pub async fn first_run(
    state: State<'_, Shared>,
    admin_name: String,
    password: String,
) -> CmdResult<()> {
    state
        .run_with_core(move |c, now| c.init(Some((&admin_name, &password)), now).map(|_| ()))
        .await
}

#[tauri::command]
pub async fn login(state: State<'_, Shared>, name: String, password: String) -> CmdResult<Actor> {
    state
        .run(move |s| {
            let actor = s.with_core(|c, now| c.login(&name, &password, now))?;
            s.set_actor(Some(actor.clone()))?;
            Ok(actor)
        })
        .await
}

#[tauri::command]
pub fn logout(state: State<'_, Shared>) -> CmdResult<()> {
    state.set_actor(None)
}

/// Who is logged in (None without a session), also before the initial password is changed: the
/// UI shows the password dialog from it.
#[tauri::command]
pub async fn whoami(state: State<'_, Shared>) -> CmdResult<Option<Actor>> {
    state
        .run(|s| Ok(s.session_actor().ok().map(|(_, a)| a)))
        .await
}

/// Changes the logged-in user's own password after checking the current one; the one command
/// (with logging out and who am I) open to a user who must still change the initial password.
#[tauri::command]
pub async fn change_password(
    state: State<'_, Shared>,
    current: String,
    next: String,
) -> CmdResult<Actor> {
    state
        .run(move |s| {
            let (serial, me) = s.session_actor()?;
            let actor = s.with_core(|c, now| {
                c.authenticate(&me.name, &current, now)?;
                c.user_password(&me, &me.name, Some(&next), now)?;
                c.refresh_actor(&me)
            })?;
            s.restart_session(serial, actor.clone())?;
            Ok(actor)
        })
        .await
}

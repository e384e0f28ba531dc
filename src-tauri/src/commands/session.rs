//! Start-up, language, first run, login and passwords.

use reopen_core::domain::auth::Actor;
use reopen_core::error::Lang;
use serde::Serialize;
use tauri::State;

use reopen_core::error::Error;
use reopen_core::t;

use crate::error::CmdResult;
use crate::state::{AppState, Backend, Shared};

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

/// What the screens show of the installation: version, where the data lives, the clock.
pub fn info(s: &AppState) -> CmdResult<AppInfo> {
    let (initialised, db_path, server, fingerprint) = match &*s.backend() {
        Backend::Local(_) => (
            s.with_core(|c, _| c.is_initialised())?,
            s.db_path.display().to_string(),
            None,
            None,
        ),
        Backend::Server {
            url, fingerprint, ..
        } => (true, String::new(), Some(url.clone()), fingerprint.clone()),
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path,
        initialised,
        // The training clock as it reads now, in Asia/Shanghai as every time in the UI.
        clock_override: s
            .clock
            .is_training()
            .then(|| reopen_core::service::local_time(s.now())),
        language: if s.lang() == Lang::En { "en" } else { "zh" }.into(),
        mode: if server.is_some() { "server" } else { "local" }.into(),
        server,
        fingerprint,
    })
}

#[tauri::command]
pub async fn app_info(state: State<'_, Shared>) -> CmdResult<AppInfo> {
    state.run(info).await
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
    state.with_remote_mut(|r| {
        r.set_lang(l);
        Ok(())
    });
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
        .run(move |s| {
            if !s.is_local() {
                return Err(s.err(Error::forbidden(t!(
                    "服务器由其管理员设置，无需在本机初始化",
                    "the server is set up by its administrator, not from this PC"
                ))));
            }
            s.with_core(|c, now| c.init(Some((&admin_name, &password)), now).map(|_| ()))
        })
        .await
}

#[tauri::command]
pub async fn login(state: State<'_, Shared>, name: String, password: String) -> CmdResult<Actor> {
    state
        .run(move |s| {
            if let Some(done) =
                s.with_remote_mut(|r| r.login(&name, &password).map_err(|e| s.err(e)))
            {
                return done;
            }
            let actor = s.with_core(|c, now| c.login(&name, &password, now))?;
            s.set_actor(Some(actor.clone()))?;
            Ok(actor)
        })
        .await
}

#[tauri::command]
pub async fn logout(state: State<'_, Shared>) -> CmdResult<()> {
    state
        .run(|s| {
            if let Some(done) = s.with_remote_mut(|r| r.logout().map_err(|e| s.err(e))) {
                return done;
            }
            s.set_actor(None)
        })
        .await
}

/// Who is logged in (None without a session), also before the initial password is changed: the
/// UI shows the password dialog from it.
#[tauri::command]
pub async fn whoami(state: State<'_, Shared>) -> CmdResult<Option<Actor>> {
    state
        .run(|s| {
            if let Some(done) = s.with_remote(|r| {
                if r.token().is_none() {
                    return Ok(None);
                }
                match r.whoami_coded() {
                    Ok(actor) => Ok(Some(actor)),
                    Err(e) if e.code == "unauthenticated" => Ok(None),
                    // Unreachable: said so (the banner), not taken for a logout.
                    Err(e) => Err(s.refused(e)),
                }
            }) {
                return done;
            }
            Ok(s.session_actor().ok().map(|(_, a)| a))
        })
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
            if let Some(done) = s.with_remote_mut(|r| {
                // The server checks the current password and ends the session; the app logs in
                // again with the new one.
                let me = r
                    .call_coded(&reopen_core::api::PasswordChange {
                        current: current.clone(),
                        next: next.clone(),
                    })
                    .map_err(|e| s.refused(e))?;
                r.login(&me.name, &next).map_err(|e| s.err(e))
            }) {
                return done;
            }
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

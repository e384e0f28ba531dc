//! The firm's message centre and the papers of its status page: the path ahead, the certificate,
//! and the firm's own copy of the certificate as a PDF.

use reopen_core::service::{AppPath, Messages};

use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;
use tauri::State;

/// The firm user's messages, newest first, with the unread count.
#[tauri::command]
pub async fn messages(state: State<'_, Shared>) -> CmdResult<Messages> {
    state.run_as_actor(move |c, a, _| c.messages(a)).await
}

/// Marks the given messages read (every message when `keys` is empty); how many were new.
#[tauri::command]
pub async fn messages_read(state: State<'_, Shared>, keys: Vec<String>) -> CmdResult<usize> {
    state
        .run_as_actor(move |c, a, now| c.messages_read(a, &keys, now))
        .await
}

/// The stages of the current submission, the promised deadline and the certificate.
#[tauri::command]
pub async fn app_path(state: State<'_, Shared>, id: i64) -> CmdResult<AppPath> {
    state.run_as_actor(move |c, a, _| c.app_path(a, id)).await
}

/// The firm's own copy of its certificate written to `path` (.pdf), audited once written;
/// returns its size in bytes.
#[tauri::command]
pub async fn app_certificate_copy(
    state: State<'_, Shared>,
    application_id: i64,
    path: String,
) -> CmdResult<usize> {
    state
        .run(move |s| {
            let actor = s.actor()?;
            let target = Target::new(path, files::PDF).map_err(|e| s.err(e))?;
            let fonts = s.fonts()?;
            s.with_core(|c, now| {
                c.app_certificate_copy_staged(
                    &actor,
                    application_id,
                    fonts,
                    now,
                    |pdf| Ok(pdf.to_vec()),
                    |pdf| target.write(&pdf),
                )
                .map(|(_, bytes)| bytes)
            })
        })
        .await
}

//! The firm's message centre and the papers of its status page: the path ahead, the certificate,
//! and the firm's own copy of the certificate as a PDF.

use reopen_core::api::{AppCertificateCopy, AppPathOp, MessagesOp, MessagesRead};
use reopen_core::service::{AppPath, Messages};

use crate::error::CmdResult;
use crate::state::Shared;
use tauri::State;

/// The firm user's messages, newest first, with the unread count.
#[tauri::command]
pub async fn messages(state: State<'_, Shared>) -> CmdResult<Messages> {
    state.op(MessagesOp {}).await
}

/// Marks the given messages read (every message when `keys` is empty); how many were new.
#[tauri::command]
pub async fn messages_read(state: State<'_, Shared>, keys: Vec<String>) -> CmdResult<usize> {
    state.op(MessagesRead { keys }).await
}

/// The stages of the current submission, the promised deadline and the certificate.
#[tauri::command]
pub async fn app_path(state: State<'_, Shared>, id: i64) -> CmdResult<AppPath> {
    state.op(AppPathOp { id }).await
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
            s.print(
                path,
                AppCertificateCopy { id: application_id },
                |c, a, now, fonts, target| {
                    c.app_certificate_copy_staged(
                        a,
                        application_id,
                        fonts,
                        now,
                        |pdf| Ok(pdf.to_vec()),
                        |pdf| target.write(&pdf),
                    )
                    .map(|(_, bytes)| bytes)
                },
                |_, size| size,
            )
        })
        .await
}

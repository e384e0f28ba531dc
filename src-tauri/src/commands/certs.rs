//! Certificates, verification and the application form.

use std::path::{Path, PathBuf};

use reopen_core::error::Error;
use reopen_core::service::{cert_file_name, Certificate, PrintRecord, Verification};
use reopen_core::t;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::error::CmdResult;
use crate::state::AppState;

/// Writes the file the user chose in the save dialog (which already asked about replacing it)
/// through a temporary file and a rename, so a failed write never leaves half a file.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> reopen_core::Result<()> {
    let io = |e: std::io::Error| {
        Error::field(
            "path",
            t!(
                format!("无法写入 {}:{e}", path.display()),
                format!("cannot write {}: {e}", path.display())
            ),
        )
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[tauri::command]
pub fn cert_issue(state: State<'_, AppState>, application_id: i64) -> CmdResult<Certificate> {
    state.as_actor(|c, a, now| c.cert_issue(a, application_id, now))
}

#[tauri::command]
pub fn cert_list(
    app_state: State<'_, AppState>,
    state: Option<String>,
    unprinted: bool,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<Certificate>> {
    app_state.as_actor(|c, a, _| c.cert_list(a, state.as_deref(), unprinted, limit, offset))
}

#[tauri::command]
pub fn cert_print(
    state: State<'_, AppState>,
    number: String,
    path: String,
) -> CmdResult<PrintRecord> {
    let fonts = state.fonts()?;
    let path = PathBuf::from(path);
    state.as_actor(|c, a, now| c.cert_print(a, &number, fonts, now, |pdf| write_file(&path, pdf)))
}

/// The `print-progress` event, after each certificate of a batch.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "PrintProgress")
)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub number: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BatchPrinted {
    pub number: String,
    pub file: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BatchFailed {
    pub number: String,
    pub error: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BatchPrintResult {
    pub printed: Vec<BatchPrinted>,
    pub failed: Vec<BatchFailed>,
}

/// Prints every issued, never-printed certificate of the clerk's jurisdiction into `dir`; a
/// failure is reported and the batch goes on. Emits `print-progress` after each certificate.
#[tauri::command]
pub fn cert_print_batch<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    dir: String,
) -> CmdResult<BatchPrintResult> {
    let dir = PathBuf::from(dir);
    let todo = state.as_actor(|c, a, _| c.cert_unprinted_numbers(a))?;
    let fonts = state.fonts()?;
    let mut result = BatchPrintResult::default();
    for (i, number) in todo.iter().enumerate() {
        let file = dir.join(cert_file_name(number));
        match state
            .as_actor(|c, a, now| c.cert_print(a, number, fonts, now, |pdf| write_file(&file, pdf)))
        {
            Ok(_) => result.printed.push(BatchPrinted {
                number: number.clone(),
                file: file.display().to_string(),
            }),
            Err(e) => result.failed.push(BatchFailed {
                number: number.clone(),
                error: e.message,
            }),
        }
        let _ = app.emit(
            "print-progress",
            Progress {
                done: i + 1,
                total: todo.len(),
                number: number.clone(),
            },
        );
    }
    Ok(result)
}

#[tauri::command]
pub fn cert_void(
    state: State<'_, AppState>,
    number: String,
    reason: String,
) -> CmdResult<Certificate> {
    state.as_actor(|c, a, now| c.cert_void(a, &number, &reason, now))
}

#[tauri::command]
pub fn cert_revoke(
    state: State<'_, AppState>,
    number: String,
    reason: String,
) -> CmdResult<Certificate> {
    state.as_actor(|c, a, now| c.cert_revoke(a, &number, &reason, now))
}

/// Anyone may verify, logged in or not.
#[tauri::command]
pub fn verify(state: State<'_, AppState>, input: String) -> CmdResult<Verification> {
    state.with_core(|c, _| c.verify(&input))
}

#[tauri::command]
pub fn form_print(
    state: State<'_, AppState>,
    application_id: i64,
    path: String,
) -> CmdResult<usize> {
    let fonts = state.fonts()?;
    let path = PathBuf::from(path);
    state.as_actor(|c, a, now| {
        c.form_print(a, application_id, fonts, now, |pdf| write_file(&path, pdf))
    })
}

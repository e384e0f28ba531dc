//! Certificates, verification and the application form.

use std::path::PathBuf;

use reopen_core::api::{
    CertIssue, CertList, CertPrint, CertRevoke, CertUnprintedNumbers, CertVoid, FormPrint,
};
use reopen_core::service::{cert_file_name, Certificate, PrintRecord, Verification};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::error::CmdResult;
use crate::state::Shared;

#[tauri::command]
pub async fn cert_issue(state: State<'_, Shared>, application_id: i64) -> CmdResult<Certificate> {
    state
        .op(CertIssue {
            app_id: application_id,
        })
        .await
}

#[tauri::command]
pub async fn cert_list(
    app_state: State<'_, Shared>,
    state: Option<String>,
    unprinted: bool,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<Certificate>> {
    app_state
        .op(CertList {
            state,
            unprinted,
            limit,
            offset,
        })
        .await
}

/// Prints a certificate to `path`; the core writes the PDF inside its transaction, so the print
/// is logged only once written.
#[tauri::command]
pub async fn cert_print(
    state: State<'_, Shared>,
    number: String,
    path: String,
) -> CmdResult<PrintRecord> {
    state
        .run(move |s| {
            s.print(
                path,
                CertPrint {
                    number: number.clone(),
                },
                |c, a, now, fonts, target| {
                    c.cert_print(a, &number, fonts, now, |pdf| target.write(pdf))
                },
                |record, _| record,
            )
        })
        .await
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
pub async fn cert_print_batch<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, Shared>,
    dir: String,
) -> CmdResult<BatchPrintResult> {
    state
        .run(move |s| {
            let dir = PathBuf::from(dir);
            let todo = s.call(CertUnprintedNumbers {})?;
            let mut result = BatchPrintResult::default();
            for (i, number) in todo.iter().enumerate() {
                let file = dir.join(cert_file_name(number));
                // One use case per certificate: other commands go on between them.
                let printed = s.print(
                    file.display().to_string(),
                    CertPrint {
                        number: number.clone(),
                    },
                    |c, a, now, fonts, target| {
                        c.cert_print(a, number, fonts, now, |pdf| target.write(pdf))
                    },
                    |record, _| record,
                );
                match printed {
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
        })
        .await
}

#[tauri::command]
pub async fn cert_void(
    state: State<'_, Shared>,
    number: String,
    reason: String,
) -> CmdResult<Certificate> {
    state.op(CertVoid { number, reason }).await
}

#[tauri::command]
pub async fn cert_revoke(
    state: State<'_, Shared>,
    number: String,
    reason: String,
) -> CmdResult<Certificate> {
    state.op(CertRevoke { number, reason }).await
}

/// Anyone may verify, logged in or not.
#[tauri::command]
pub async fn verify(state: State<'_, Shared>, input: String) -> CmdResult<Verification> {
    state
        .run(
            move |s| match s.with_remote(|r| r.verify(&input).map_err(|e| s.err(e))) {
                Some(v) => v,
                None => s.with_core(|c, _| c.verify(&input)),
            },
        )
        .await
}

/// Prints the application form to `path`, as a certificate is printed.
#[tauri::command]
pub async fn form_print(
    state: State<'_, Shared>,
    application_id: i64,
    path: String,
) -> CmdResult<usize> {
    state
        .run(move |s| {
            s.print(
                path,
                FormPrint {
                    app_id: application_id,
                },
                |c, a, now, fonts, target| {
                    c.form_print(a, application_id, fonts, now, |pdf| target.write(pdf))
                },
                |pages, _| pages,
            )
        })
        .await
}

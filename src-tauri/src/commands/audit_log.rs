//! The administrator's audit log screen: a filtered page in Chinese and its export.

use reopen_core::api::{AuditPageOp, AuditXlsx};
use reopen_core::service::{AuditFilter, AuditPage};

use crate::error::CmdResult;
use crate::files;
use crate::state::Shared;
use tauri::State;

/// A page of the log by user, local days and record, with the total the filter keeps.
#[tauri::command]
pub async fn audit_page(state: State<'_, Shared>, filter: AuditFilter) -> CmdResult<AuditPage> {
    state.op(AuditPageOp { filter }).await
}

/// Every event the filter keeps, written to `out` (.xlsx); returns the file's size in bytes.
#[tauri::command]
pub async fn audit_xlsx(
    state: State<'_, Shared>,
    filter: AuditFilter,
    out: String,
) -> CmdResult<u64> {
    state
        .run(move |s| s.call_to_file(out, files::XLSX, AuditXlsx { filter }, |b| b.0))
        .await
}

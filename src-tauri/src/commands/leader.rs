//! Issue 15, item 7: the leader's dashboard exported as .xlsx.

use reopen_core::api::DashboardXlsx;
use tauri::State;

use super::admin::date;
use crate::error::CmdResult;
use crate::files;
use crate::state::Shared;

/// The dashboard of the period (default: the last 14 days) as a workbook written to `out`,
/// chosen in the save dialog; the size written.
#[tauri::command]
pub async fn dashboard_xlsx(
    state: State<'_, Shared>,
    from: Option<String>,
    to: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let from = date(&state, "from", from)?;
    let to = date(&state, "to", to)?;
    state
        .run(move |s| s.call_to_file(out, files::XLSX, DashboardXlsx { from, to }, |b| b.0))
        .await
}

//! Issue 15, item 7: the leader's dashboard exported as .xlsx.

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
        .run(move |s| {
            s.as_actor_to_file(out, files::XLSX, |c, a, now, _| {
                c.dashboard_xlsx(a, from, to, now)
            })
        })
        .await
}

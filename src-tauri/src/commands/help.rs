//! Issue 15, item 8: the guide (办事指南) and its blank templates. Public information, so none of
//! these needs a login: the first screen links to the guide. Files are written only where the save
//! dialog chose, with the extension the command writes.

use reopen_core::service::Guide;
use tauri::State;

use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;

/// What the guide says from the policy in force (deadlines, categories, measures, phones).
#[tauri::command]
pub async fn guide(state: State<'_, Shared>) -> CmdResult<Guide> {
    state
        .run(
            |s| match s.with_remote(|r| r.guide().map_err(|e| s.err(e))) {
                Some(g) => g,
                None => s.with_core(|c, _| c.guide()),
            },
        )
        .await
}

/// The blank roster (.xlsx) written to `out`; the size written.
#[tauri::command]
pub async fn guide_roster_template(state: State<'_, Shared>, out: String) -> CmdResult<u64> {
    state
        .run(move |s| {
            let target = Target::new(out, files::XLSX).map_err(|e| s.err(e))?;
            let bytes =
                reopen_core::documents::workbook::roster_template().map_err(|e| s.err(e))?;
            target.write(&bytes).map_err(|e| s.err(e))?;
            Ok(bytes.len() as u64)
        })
        .await
}

/// The blank commitment (PDF) written to `out`; the size written.
#[tauri::command]
pub async fn guide_commitment_template(state: State<'_, Shared>, out: String) -> CmdResult<u64> {
    state
        .run(move |s| {
            let target = Target::new(out, files::PDF).map_err(|e| s.err(e))?;
            let bytes = match s.with_remote(|r| r.commitment_template().map_err(|e| s.err(e))) {
                Some(b) => b?,
                None => {
                    let fonts = s.fonts()?;
                    s.with_core(|c, now| c.commitment_template(fonts, now))?
                }
            };
            target.write(&bytes).map_err(|e| s.err(e))?;
            Ok(bytes.len() as u64)
        })
        .await
}

//! The counter documents from the app (受理回执, 退回补正告知书, 不予批准决定书), as the CLI's
//! `reopen form print ID --kind …`: the firm itself or a clerk of its jurisdiction; each print is
//! audited (`notice.print`) only when its PDF was written.

use reopen_core::api::NoticePrintOp;
use reopen_core::documents::NoticeKind;

use crate::error::CmdResult;
use crate::state::Shared;
use tauri::State;

/// Prints a counter document of an application to `path` (.pdf); returns its size in bytes.
#[tauri::command]
pub async fn notice_print(
    state: State<'_, Shared>,
    application_id: i64,
    kind: NoticeKind,
    path: String,
) -> CmdResult<usize> {
    state
        .run(move |s| {
            s.print(
                path,
                NoticePrintOp {
                    app_id: application_id,
                    kind,
                },
                |c, a, now, fonts, target| {
                    c.notice_print(a, application_id, kind, fonts, now, |pdf| target.write(pdf))
                        .map(|p| p.bytes)
                },
                |_, size| size,
            )
        })
        .await
}

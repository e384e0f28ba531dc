//! Issue 15, item 1: what the review screen adds — an application's attachments opened, the
//! roster by health concern, and the policy's stock opinions and conditions.

use reopen_core::api::{AppAttachment, AttachmentFile, ReviewPhrases, ReviewRoster};
use reopen_core::domain::policy::Phrases;
use reopen_core::service::{RosterFilter, RosterPage};
use reopen_core::Error;
use tauri::ipc::Response;
use tauri::State;

use crate::error::CmdResult;
use crate::state::Shared;

/// The stock opinions and standard conditions of the policy.
#[tauri::command]
pub async fn review_phrases(state: State<'_, Shared>) -> CmdResult<Phrases> {
    state.op(ReviewPhrases {}).await
}

/// One page of the roster (masked), only the people of one health concern when asked.
#[tauri::command]
pub async fn review_roster(
    state: State<'_, Shared>,
    id: i64,
    filter: RosterFilter,
) -> CmdResult<RosterPage> {
    state.op(ReviewRoster { id, filter }).await
}

/// An attachment's content as raw bytes (an ArrayBuffer in the webview), for whoever may see
/// the application: the review screen shows a scanned image in the window.
#[tauri::command]
pub async fn app_attachment_content(
    state: State<'_, Shared>,
    id: i64,
    name: String,
) -> CmdResult<Response> {
    let file = state.op(AppAttachment { id, name }).await?;
    Ok(Response::new(file.bytes.0))
}

/// A PDF attachment written to a private folder of the temporary directory, for the system PDF
/// viewer (the opener may open PDFs there); returns its path. Only PDFs: an image is shown in
/// the window, and nothing else can be attached.
#[tauri::command]
pub async fn app_attachment_open(
    state: State<'_, Shared>,
    id: i64,
    name: String,
) -> CmdResult<String> {
    state
        .run(move |s| {
            let AttachmentFile {
                attachment: meta,
                bytes,
            } = s.call(AppAttachment { id, name })?;
            let bytes = bytes.0;
            if meta.mime != "application/pdf" {
                return Err(s.err(Error::field(
                    "name",
                    reopen_core::t!(
                        "只有 PDF 文件在外部阅读器中打开",
                        "only PDF files open in the viewer"
                    ),
                )));
            }
            write_private(id, &meta.name, &bytes)
                .map_err(|e| s.err(Error::internal(format!("cannot write the attachment: {e}"))))
        })
        .await
}

/// Writes `bytes` as `<temp>/reopen-attachments/<id>/<name>` (folders 0700, the file 0600 on
/// Unix, written whole through a temporary file and renamed), ending in `.pdf`.
fn write_private(id: i64, name: &str, bytes: &[u8]) -> std::io::Result<String> {
    let dir = std::env::temp_dir()
        .join("reopen-attachments")
        .join(id.to_string());
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(&dir)?;
    // The name was checked when it was attached (no folder, no control character).
    let file: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let file = if file.to_ascii_lowercase().ends_with(".pdf") {
        file
    } else {
        format!("{file}.pdf")
    };
    let path = dir.join(file);
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(path.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_pdf_attachment_is_written_privately_with_its_own_name() {
        let id = 900_000 + i64::from(std::process::id() % 1000);
        let path = write_private(id, "承诺书.pdf", b"%PDF-1.4\n").unwrap();
        assert!(
            path.ends_with(&format!("reopen-attachments/{id}/承诺书.pdf")),
            "{path}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4\n");
        // Written again (opened twice): replaced whole.
        let again = write_private(id, "承诺书.pdf", b"%PDF-1.7\n").unwrap();
        assert_eq!(again, path);
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7\n");
        // A name without the extension gets it; a separator never makes a folder.
        let odd = write_private(id, "a/b\\扫描件", b"%PDF").unwrap();
        assert!(odd.ends_with("a_b_扫描件.pdf"), "{odd}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &str| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            let dir = std::path::Path::new(&path).parent().unwrap();
            assert_eq!(mode(dir.to_str().unwrap()), 0o700);
        }
        std::fs::remove_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
    }
}

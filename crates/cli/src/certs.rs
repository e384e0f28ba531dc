//! `reopen cert …`: issuing, printing (one or a batch with a progress bar), voiding, revoking.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use reopen_core::documents::DocFonts;
use reopen_core::error::Error;
use reopen_core::service::cert_file_name;
use reopen_core::t;
use serde_json::json;

use crate::output::Out;
use crate::{CertCmd, Ctx};

/// Writes a new file atomically (temporary file, then rename); never overwrites an existing one.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::conflict(t!(
            format!("文件 {} 已存在,不会覆盖", path.display()),
            format!("{} exists; not overwriting", path.display())
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.part",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let io = |e: std::io::Error| {
        Error::field(
            "out",
            t!(
                format!("无法写入 {}:{e}", path.display()),
                format!("cannot write {}: {e}", path.display())
            ),
        )
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

pub fn run(cx: &mut Ctx, c: CertCmd, out: &mut Out) -> Result<(), Error> {
    let now = cx.now;
    match c {
        CertCmd::Issue { id } => {
            let a = cx.actor(false)?;
            let cert = cx.core.cert_issue(&a, id, now)?;
            out.value(&cert, |c| c.number.clone())
        }
        CertCmd::Show { number } => {
            let a = cx.actor(false)?;
            let cert = cx.core.cert_show(&a, &number)?;
            out.json_or_pretty(&cert)
        }
        CertCmd::List {
            state,
            unprinted,
            page,
        } => {
            let a = cx.actor(false)?;
            let r = cx
                .core
                .cert_list(&a, state.as_deref(), unprinted, page.limit, page.offset)?;
            out.table(
                &r,
                &[
                    "number",
                    "firm_name",
                    "credit_code",
                    "state",
                    "approved_headcount",
                    "issue_date",
                    "prints",
                ],
            )
        }
        CertCmd::Void { number, reason } => {
            let a = cx.actor(false)?;
            let cert = cx.core.cert_void(&a, &number, &reason, now)?;
            out.value(&cert, |c| format!("已作废 {}(编号保留)", c.number))
        }
        CertCmd::Revoke { number, reason } => {
            let a = cx.actor(false)?;
            let cert = cx.core.cert_revoke(&a, &number, &reason, now)?;
            out.value(&cert, |c| {
                format!("已撤销 {},申请同时标记为已撤销", c.number)
            })
        }
        CertCmd::PublicKey { out: file } => {
            cx.actor(false)?;
            let key = cx.core.cert_public_key()?;
            if let Some(f) = &file {
                write_new(f, format!("{key}\n").as_bytes())?;
            }
            out.value(&json!({"public_key": key}), |_| key.clone())
        }
        CertCmd::Print {
            number: Some(number),
            out: Some(file),
            ..
        } => {
            let a = cx.actor(false)?;
            let fonts = DocFonts::load()?;
            let rec = cx
                .core
                .cert_print(&a, &number, &fonts, now, |pdf| write_new(&file, pdf))?;
            out.value(&json!({"number": rec.number, "copy": rec.copy_no, "mark": rec.mark, "file": file.display().to_string(), "bytes": rec.bytes}), |_| {
                format!("已打印 {} 第 {} 份 → {}", rec.number, rec.copy_no, file.display())
            })
        }
        CertCmd::Print {
            all_new: true,
            out_dir: Some(dir),
            ..
        } => batch(cx, &dir, out),
        CertCmd::Print { .. } => Err(Error::field(
            "number",
            t!(
                "请给出编号和 --out,或 --all-new --out-dir",
                "give NUMBER --out FILE, or --all-new --out-dir DIR"
            ),
        )),
    }
}

/// Prints every issued, never-printed certificate of the clerk's jurisdiction. A failure is
/// recorded and the batch goes on; failures are listed at the end (exit 1 if any).
fn batch(cx: &mut Ctx, dir: &PathBuf, out: &mut Out) -> Result<(), Error> {
    let now = cx.now;
    let a = cx.actor(false)?;
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::field(
            "out_dir",
            t!(
                format!("无法创建目录 {}:{e}", dir.display()),
                format!("cannot create {}: {e}", dir.display())
            ),
        )
    })?;
    let todo = cx.core.cert_unprinted_numbers(&a)?;
    let fonts = DocFonts::load()?;
    let bar = if out.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(todo.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for number in &todo {
        bar.set_message(number.clone());
        let file = dir.join(cert_file_name(number));
        match cx
            .core
            .cert_print(&a, number, &fonts, now, |pdf| write_new(&file, pdf))
        {
            Ok(_) => done.push(json!({"number": number, "file": file.display().to_string()})),
            Err(e) => failed.push(json!({"number": number, "error": e.message.get(out.lang)})),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let doc = json!({"printed": done, "failed": failed});
    out.value(&doc, |_| {
        let mut s = format!(
            "已打印 {} 份,失败 {} 份,输出目录 {}",
            done.len(),
            failed.len(),
            dir.display()
        );
        for f in &failed {
            s.push_str(&format!(
                "\n  失败 {}:{}",
                f["number"].as_str().unwrap_or(""),
                f["error"].as_str().unwrap_or("")
            ));
        }
        s
    })?;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "{} of {} certificates failed to print",
            failed.len(),
            todo.len()
        )))
    }
}

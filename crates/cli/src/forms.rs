//! `reopen form print ID [--kind form|receipt|return|rejection] --out FILE`: the application form
//! (the default) or one of the counter documents (受理回执, 退回补正告知书, 不予批准决定书).

use std::path::Path;

use clap::ValueEnum;
use reopen_core::api;
use reopen_core::documents::{DocFonts, NoticeKind};
use reopen_core::error::Error;
use serde_json::json;

use crate::certs;
use crate::ctx::{Backend, Ctx};
use crate::output::Out;

/// What `form print` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormKind {
    /// 复工复产申请审批表 (the default)
    Form,
    /// 受理回执
    Receipt,
    /// 退回补正告知书
    Return,
    /// 不予批准决定书
    Rejection,
}

pub fn print(
    cx: &mut Ctx,
    id: i64,
    kind: FormKind,
    file: &Path,
    out: &mut Out,
) -> Result<(), Error> {
    let now = cx.now;
    let notice = match kind {
        FormKind::Form => {
            let n = match &cx.backend {
                // A temporary file beside FILE inside the transaction, named after the commit:
                // the print is logged if and only if its PDF exists.
                Backend::Local(_) => {
                    let a = cx.actor(false)?;
                    let fonts = DocFonts::load()?;
                    cx.local()?.form_print_staged(
                        &a,
                        id,
                        &fonts,
                        now,
                        |pdf| certs::stage_new(file, pdf),
                        certs::Staged::place,
                    )?
                }
                // Through a server: logged there, written here once answered.
                Backend::Remote(_) => {
                    let p = certs::fetch_into(
                        file,
                        || cx.call(api::FormPrint { app_id: id }),
                        |p| &p.pdf.0,
                    )?;
                    p.record
                }
            };
            return out.value(
                &json!({"application": id, "file": file.display().to_string(), "bytes": n}),
                |_| format!("申请审批表已输出到 {}（{} 字节）", file.display(), n),
            );
        }
        FormKind::Receipt => NoticeKind::Receipt,
        FormKind::Return => NoticeKind::Return,
        FormKind::Rejection => NoticeKind::Rejection,
    };
    let p = match &cx.backend {
        Backend::Local(_) => {
            let a = cx.actor(false)?;
            let fonts = DocFonts::load()?;
            cx.local()?
                .notice_print(&a, id, notice, &fonts, now, |pdf| {
                    certs::write_new(file, pdf)
                })?
        }
        Backend::Remote(_) => {
            let op = api::NoticePrintOp {
                app_id: id,
                kind: notice,
            };
            certs::fetch_into(file, || cx.call(op), |p| &p.pdf.0)?.record
        }
    };
    out.value(
        &json!({"application": id, "kind": p.kind, "case_number": p.case_number,
            "submission_no": p.submission_no, "file": file.display().to_string(), "bytes": p.bytes}),
        |_| {
            format!(
                "{}（受理编号 {}）已输出到 {}（{} 字节）",
                notice.zh(),
                p.case_number,
                file.display(),
                p.bytes
            )
        },
    )
}

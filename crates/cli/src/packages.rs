//! `reopen app export` / `app import`: application packages (a firm's own PC -> the counter);
//! `reopen init --firm firm.json --firm-user NAME` (firm mode); `app attach|attachments|attachment|detach`.

use std::path::{Path, PathBuf};

use reopen_core::api;
use reopen_core::error::Error;
use reopen_core::service::Attachment;
use reopen_core::t;
use serde_json::json;

use crate::certs::write_new;
use crate::ctx::{Backend, Ctx};
use crate::output::Out;
use crate::{env_password, read_file, read_json};

/// Sets up a new database on a firm's own PC (firm mode).
pub fn init_firm_mode(
    cx: &mut Ctx,
    db: &Path,
    firm: &Path,
    user: &str,
    out: &mut Out,
) -> Result<(), Error> {
    let Some(pw) = env_password("REOPEN_PASSWORD") else {
        return Err(Error::field(
            "REOPEN_PASSWORD",
            t!(
                "请通过环境变量 REOPEN_PASSWORD 提供企业用户的密码",
                "give the firm user's password in REOPEN_PASSWORD"
            ),
        ));
    };
    let v = read_json(&firm.to_path_buf())?;
    let now = cx.now;
    let r = cx.local()?.init_firm_mode(&v, user, &pw, now)?;
    let doc = json!({"database": db.display().to_string(), "mode": "firm", "user": r.user, "firm": r.firm});
    out.value(&doc, |_| {
        format!(
            "数据库：{}\n已设置为企业自用模式：{}（{}），用户 {}\n填好申请后用 reopen app export 导出申报包，带到政务服务窗口受理",
            db.display(),
            r.firm.name,
            r.firm.credit_code,
            r.user
        )
    })
}

pub fn export(cx: &mut Ctx, id: i64, file: &Path, out: &mut Out) -> Result<(), Error> {
    // Here the package is written inside the export's transaction (logged if and only if the
    // file exists); through a server it is written once the server answered it.
    let r = match &mut cx.backend {
        Backend::Local(_) => {
            let a = cx.actor(false)?;
            let now = cx.now;
            cx.local()?
                .app_export(&a, id, now, |b| write_new(file, b))?
        }
        Backend::Remote(_) => {
            crate::certs::fetch_into(file, || cx.call(api::AppExport { id }), |e| &e.package.0)?
                .report
        }
    };
    let mut doc = serde_json::to_value(&r)?;
    doc["file"] = file.display().to_string().into();
    out.value(&doc, |_| {
        format!(
            "已导出申报包 → {}（申请 {}，花名册 {} 人{}，附件 {} 个）\n校验和 SHA-256：{}",
            file.display(),
            r.application_id,
            r.roster_rows,
            if r.roster_masked {
                "，身份证号和手机号已脱敏，此副本不能受理"
            } else {
                ""
            },
            r.attachments,
            r.sha256
        )
    })
}

pub fn import(cx: &mut Ctx, file: &Path, out: &mut Out) -> Result<(), Error> {
    let bytes = read_file(&file.to_path_buf())?;
    let r = cx.call(api::AppImport {
        bytes: bytes.into(),
    })?;
    let lang = out.lang;
    out.value(&r, |r| {
        let app = &r.application;
        let mut s = format!(
            "已受理申报包：申请 {}（{}），{} {}，第 {} 次提交{}{}",
            app.id,
            app.state_zh,
            app.firm.name,
            app.firm.credit_code,
            app.submission_no,
            if r.firm_registered {
                "，企业为新登记"
            } else {
                ""
            },
            if r.matched_application {
                "，接续该企业原有申请"
            } else {
                ""
            }
        );
        for w in &r.warnings {
            s.push_str(&format!("\n  注意：{}", w.get(lang)));
        }
        s
    })
}

pub fn attach(
    cx: &mut Ctx,
    id: i64,
    file: &PathBuf,
    name: Option<String>,
    out: &mut Out,
) -> Result<(), Error> {
    let bytes = read_file(file)?;
    let name = name.unwrap_or_else(|| {
        file.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    });
    let att = cx.call(api::AppAttach {
        id,
        name,
        bytes: bytes.into(),
    })?;
    out.value(&att, |x| {
        format!("已添加附件 {}（{}，{} 字节）", x.name, x.mime, x.size)
    })
}

pub fn attachments(cx: &mut Ctx, id: i64, out: &mut Out) -> Result<(), Error> {
    let rows: Vec<Attachment> = cx.call(api::AppAttachments { id })?;
    out.table(
        &rows,
        &["name", "mime", "size", "sha256", "added_at", "added_by"],
    )
}

pub fn attachment(
    cx: &mut Ctx,
    id: i64,
    name: &str,
    file: &Path,
    out: &mut Out,
) -> Result<(), Error> {
    let op = api::AppAttachment {
        id,
        name: name.to_string(),
    };
    let meta = crate::certs::fetch_into(file, || cx.call(op), |a| &a.bytes.0)?.attachment;
    let mut doc = serde_json::to_value(&meta)?;
    doc["file"] = file.display().to_string().into();
    out.value(&doc, |_| {
        format!("已保存附件 {} → {}", meta.name, file.display())
    })
}

pub fn detach(cx: &mut Ctx, id: i64, name: &str, out: &mut Out) -> Result<(), Error> {
    cx.call(api::AppDetach {
        id,
        name: name.to_string(),
    })?;
    out.value(
        &json!({"application_id": id, "name": name, "removed": true}),
        |_| format!("已删除附件 {name}"),
    )
}

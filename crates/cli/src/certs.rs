//! `reopen cert …`: issuing, printing (one or a batch with a progress bar), voiding, revoking,
//! the signing key (public keys, rotation), offline verification; `reopen audit verify|anchor`.

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use reopen_core::api;
use reopen_core::documents::DocFonts;
use reopen_core::error::Error;
use reopen_core::service::{cert_file_name, offline_note, CertStatus, PrintRecord, Verification};
use reopen_core::t;
use serde_json::json;

use crate::ctx::{Backend, Ctx};
use crate::output::Out;
use crate::CertCmd;

#[derive(clap::Subcommand)]
pub enum KeyCmd {
    /// Make a new signing key; the old public key is kept, so older certificates still verify
    Rotate,
}

/// A file written beside its destination (`.NAME.part`, fsync'd) but not yet given its name:
/// `place` names it; dropped without `place`, it is removed.
pub struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
    placed: bool,
}

impl Staged {
    /// Gives the staged file its name, never replacing a file that appeared meanwhile.
    pub fn place(mut self) -> Result<(), Error> {
        let r = match std::fs::hard_link(&self.tmp, &self.dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists(&self.dest)),
            Err(e) => Err(write_error(&self.dest, e)),
        };
        if r.is_ok() {
            self.placed = true;
            if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
            }
        }
        r
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

fn exists(path: &Path) -> Error {
    Error::conflict(t!(
        format!("文件 {} 已存在，不会覆盖", path.display()),
        format!("{} exists; not overwriting", path.display())
    ))
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::field(
        "out",
        t!(
            format!("无法写入 {}:{e}", path.display()),
            format!("cannot write {}: {e}", path.display())
        ),
    )
}

/// A temporary file beside a destination that does not exist yet, made before the work that
/// fills it: a destination that exists (or cannot be written) is refused before anything is done.
pub struct Reserved {
    file: std::fs::File,
    staged: Staged,
}

impl Reserved {
    /// Writes `bytes` and fsyncs them; `Staged::place` then names the file.
    pub fn fill(mut self, bytes: &[u8]) -> Result<Staged, Error> {
        let dest = self.staged.dest.clone();
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| write_error(&dest, e))?;
        Ok(self.staged)
    }
}

/// Reserves `path`: refuses an existing file, and creates the temporary file beside it.
pub fn reserve(path: &Path) -> Result<Reserved, Error> {
    if path.exists() {
        return Err(exists(path));
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
    let _ = std::fs::remove_file(&tmp);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| write_error(path, e))?;
    Ok(Reserved {
        file,
        staged: Staged {
            tmp,
            dest: path.to_path_buf(),
            placed: false,
        },
    })
}

/// Writes `bytes` to a temporary file beside `path` and fsyncs it; `Staged::place` names it.
pub fn stage_new(path: &Path, bytes: &[u8]) -> Result<Staged, Error> {
    reserve(path)?.fill(bytes)
}

/// Through a server, a document is logged there and written here: the file is reserved before
/// the call (an existing or unwritable destination is refused before anything is logged) and
/// filled and named after the answer. Only a failure between the two (a full disk, a crash)
/// leaves a logged copy without a file: the next print is the reprint, 补打.
pub fn fetch_into<T>(
    file: &Path,
    fetch: impl FnOnce() -> Result<T, Error>,
    bytes: impl FnOnce(&T) -> &[u8],
) -> Result<T, Error> {
    let reserved = reserve(file)?;
    let got = fetch()?;
    reserved.fill(bytes(&got))?.place()?;
    Ok(got)
}

/// Writes a new file atomically (temporary file, then rename); never overwrites an existing one.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::conflict(t!(
            format!("文件 {} 已存在，不会覆盖", path.display()),
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
    match c {
        CertCmd::Issue { id } => {
            let cert = cx.call(api::CertIssue { app_id: id })?;
            out.value(&cert, |c| c.number.clone())
        }
        CertCmd::Show { number } => {
            let cert = cx.call(api::CertShow { number })?;
            out.json_or_pretty(&cert)
        }
        CertCmd::List {
            state,
            unprinted,
            page,
        } => {
            let r = cx.call(api::CertList {
                state,
                unprinted,
                limit: page.limit,
                offset: page.offset,
            })?;
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
            let cert = cx.call(api::CertVoid { number, reason })?;
            out.value(&cert, |c| format!("已作废 {}（编号保留）", c.number))
        }
        CertCmd::Revoke { number, reason } => {
            let cert = cx.call(api::CertRevoke { number, reason })?;
            out.value(&cert, |c| {
                format!("已撤销 {}，申请同时标记为已撤销", c.number)
            })
        }
        CertCmd::PublicKey { out: file } => {
            let keys = cx.call(api::CertPublicKeys {})?;
            let text: String = keys.iter().map(|k| format!("{}\n", k.public_key)).collect();
            if let Some(f) = &file {
                write_new(f, text.as_bytes())?;
            }
            let current = keys.iter().find(|k| k.current);
            out.value(
                &json!({"public_key": current.map(|k| &k.public_key), "kid": current.map(|k| &k.kid), "keys": keys}),
                |_| text.trim_end().to_string(),
            )
        }
        CertCmd::Key(KeyCmd::Rotate) => {
            let r = cx.call(api::CertKeyRotate {})?;
            out.value(&r, |r| {
                format!(
                    "已更换批准通知书签名密钥：新密钥 {}（旧密钥 {} 的公钥保留，此前签发的批准通知书仍可核验）。请用 reopen cert public-key --out 文件 重新导出公钥交给核验方",
                    r.new_kid,
                    r.old_kid.as_deref().unwrap_or("-")
                )
            })
        }
        CertCmd::Print {
            number: Some(number),
            out: Some(file),
            ..
        } => {
            let rec = print_one(cx, &number, &file, None)?;
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
                "请给出编号和 --out，或 --all-new --out-dir",
                "give NUMBER --out FILE, or --all-new --out-dir DIR"
            ),
        )),
    }
}

/// Prints one certificate into `file`. Here the PDF is staged beside `file` inside the print's
/// transaction and named after its commit (logged if and only if the file exists); through a
/// server the print is logged there and the file written once answered (a failed write leaves a
/// logged copy without a file: the next print is the reprint, 补打).
fn print_one(
    cx: &mut Ctx,
    number: &str,
    file: &Path,
    fonts: Option<&DocFonts>,
) -> Result<PrintRecord, Error> {
    let now = cx.now;
    match &cx.backend {
        Backend::Local(_) => {
            let a = cx.actor(false)?;
            let loaded;
            let fonts = match fonts {
                Some(f) => f,
                None => {
                    loaded = DocFonts::load()?;
                    &loaded
                }
            };
            cx.local()?.cert_print_staged(
                &a,
                number,
                fonts,
                now,
                |pdf| stage_new(file, pdf),
                Staged::place,
            )
        }
        Backend::Remote(_) => {
            let number = number.to_string();
            let p = fetch_into(file, || cx.call(api::CertPrint { number }), |p| &p.pdf.0)?;
            Ok(p.record)
        }
    }
}

/// Prints every issued, never-printed certificate of the clerk's jurisdiction. A failure is
/// recorded and the batch goes on; failures are listed at the end (exit 1 if any).
fn batch(cx: &mut Ctx, dir: &PathBuf, out: &mut Out) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::field(
            "out_dir",
            t!(
                format!("无法创建目录 {}:{e}", dir.display()),
                format!("cannot create {}: {e}", dir.display())
            ),
        )
    })?;
    let todo = cx.call(api::CertUnprintedNumbers {})?;
    let fonts = match cx.backend {
        Backend::Local(_) => Some(DocFonts::load()?),
        Backend::Remote(_) => None,
    };
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
        match print_one(cx, number, &file, fonts.as_ref()) {
            Ok(_) => done.push(json!({"number": number, "file": file.display().to_string()})),
            Err(e) => failed.push(json!({"number": number, "error": e.message.get(out.lang)})),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let doc = json!({"printed": done, "failed": failed});
    out.value(&doc, |_| {
        let mut s = format!(
            "已打印 {} 份，失败 {} 份，输出目录 {}",
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

/// Offline verification's answer: what the signature says, and that the certificate's state was
/// not looked up.
pub fn offline_verification(v: &Verification, out: &mut Out) -> Result<(), Error> {
    let note = offline_note(v);
    let mut doc = serde_json::to_value(v).map_err(Error::internal)?;
    doc["note"] = json!(note);
    let lang = out.lang;
    out.value(&doc, |_| {
        let mut s = format!("验证结果：{}", note.get(lang));
        if let Some(f) = &v.fields {
            s.push_str(&format!(
                "\n  编号 {}  企业 {}({})\n  核定复工人数 {}  批准日期 {}  签发日期 {}",
                f.number,
                f.firm_name,
                f.credit_code,
                f.approved_headcount,
                f.approved_date,
                f.issue_date
            ));
        }
        s
    })?;
    match v.status {
        CertStatus::Valid => Ok(()),
        _ => Err(Error::field("code", note)),
    }
}

/// `reopen audit verify [--anchor FILE]`: exit 5 when the log does not verify.
pub fn audit_verify(cx: &mut Ctx, anchor: Option<&PathBuf>, out: &mut Out) -> Result<(), Error> {
    let r = match anchor {
        Some(file) => {
            let anchor = String::from_utf8(crate::read_file(file)?).unwrap_or_default();
            cx.call(api::AuditVerifyAnchor { anchor })?
        }
        None => cx.call(api::AuditVerify {})?,
    };
    out.value(&r, |r| {
        if r.ok {
            match anchor {
                Some(f) => format!(
                    "操作日志完整：共 {} 条，哈希链与签名校验通过，且仍延续锚点 {}",
                    r.events,
                    f.display()
                ),
                None => format!("操作日志完整：共 {} 条，哈希链与签名校验通过", r.events),
            }
        } else {
            format!(
                "操作日志校验失败：第 {} 条起链路断开（{}）",
                r.first_bad_seq
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.problem.clone().unwrap_or_default()
            )
        }
    })?;
    if r.ok {
        Ok(())
    } else {
        Err(Error::conflict(t!(
            "操作日志哈希链校验失败",
            "the audit chain is broken"
        )))
    }
}

/// `reopen audit anchor --out FILE`: the signed head as a small JSON file.
pub fn audit_anchor(cx: &mut Ctx, file: &Path, out: &mut Out) -> Result<(), Error> {
    let anchor = cx.call(api::AuditAnchor {})?;
    let text = serde_json::to_string_pretty(&anchor).map_err(Error::internal)? + "\n";
    write_new(file, text.as_bytes())?;
    out.value(&anchor, |x| {
        format!(
            "已写出锚点 {}：第 {} 条，哈希 {}（审计密钥 {}）。请把该文件保存在数据库以外（或打印留存），日后用 reopen audit verify --anchor 文件 核对",
            file.display(),
            x.seq,
            x.hash,
            x.kid
        )
    })
}

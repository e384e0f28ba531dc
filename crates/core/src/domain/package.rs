//! Application packages (申报包): the one file a firm brings from its own PC to the counter.
//!
//! A package is one UTF-8 JSON document:
//! ```text
//! {"format":"reopen-package","version":1,"package_id":"<32 hex>","created_at":"<RFC 3339>",
//!  "firm":{…firm.json…},
//!  "application":{"plan":{…plan.json…},"roster":[{"name":…,"id_number":…,…}],
//!                 "attachments":[{"name","mime","sha256","content_base64"}]},
//!  "origin":{"application_id","state","submission_no","exported_by","mode"},
//!  "sha256":"<hex>"}
//! ```
//! `sha256` is the SHA-256 of the canonical form of the document without the `sha256` member:
//! object keys sorted by their UTF-8 bytes, no whitespace, strings and numbers as serde_json writes
//! them. Canonical, so that re-indenting the file does not break it, but any changed value does.
//! This module is pure: parsing, checking and sniffing; the store is the use case's.

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{FieldError, Text};
use crate::t;

pub const FORMAT: &str = "reopen-package";
pub const VERSION: u32 = 1;
/// File extension offered by the save dialog and the CLI's help.
pub const EXTENSION: &str = "reopen";
/// A package larger than this is refused before it is parsed.
pub const MAX_PACKAGE_BYTES: usize = 50 * 1024 * 1024;
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ATTACHMENTS: usize = 10;
pub const MAX_ATTACHMENT_NAME: usize = 100;
/// The roster columns a package carries, in the order the roster template uses.
pub const ROSTER_KEYS: [&str; 11] = [
    "name",
    "id_number",
    "phone",
    "post",
    "home_region",
    "from_elsewhere",
    "from_region",
    "return_date",
    "observation_start",
    "observation_end",
    "health",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageAttachment {
    pub name: String,
    pub mime: String,
    pub sha256: String,
    pub content_base64: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageApplication {
    /// plan.json of cli.md.
    pub plan: Value,
    /// Roster rows by column key (`ROSTER_KEYS`), every value a string as in a roster file.
    pub roster: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    pub attachments: Vec<PackageAttachment>,
}

/// Where the package came from (informative; the counter matches by credit code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageOrigin {
    pub application_id: i64,
    pub state: String,
    pub submission_no: i64,
    pub exported_by: String,
    /// `firm` (a firm's own PC) or `office`.
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub format: String,
    pub version: u32,
    pub package_id: String,
    pub created_at: String,
    /// firm.json of cli.md.
    pub firm: Value,
    pub application: PackageApplication,
    #[serde(default)]
    pub origin: Option<PackageOrigin>,
    pub sha256: String,
}

/// Writes `v` canonically: keys sorted, no whitespace.
pub fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(*k) {
                    canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The checksum of a package document: SHA-256 of its canonical form without `sha256`.
pub fn checksum(doc: &Value) -> String {
    let mut body = doc.clone();
    if let Value::Object(m) = &mut body {
        m.remove("sha256");
    }
    let mut s = String::new();
    canonical(&body, &mut s);
    sha256_hex(s.as_bytes())
}

fn refused(message: Text) -> Vec<FieldError> {
    vec![FieldError::new("package", message)]
}

/// Reads and checks a package file: size, JSON (a cut-off file is named as truncated), format,
/// version, checksum, then the structure. Every refusal names the reason in both languages.
pub fn parse(bytes: &[u8]) -> Result<Package, Vec<FieldError>> {
    if bytes.len() > MAX_PACKAGE_BYTES {
        return Err(refused(t!(
            format!(
                "申报包过大（{} 字节，上限 {} MB）",
                bytes.len(),
                MAX_PACKAGE_BYTES / 1024 / 1024
            ),
            format!(
                "the package is too large ({} bytes; at most {} MB)",
                bytes.len(),
                MAX_PACKAGE_BYTES / 1024 / 1024
            )
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(refused(t!("申报包文件是空的", "the package file is empty")));
    }
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) if e.is_eof() => {
            return Err(refused(t!(
                "申报包不完整（文件被截断），请企业重新导出或重新拷贝",
                "the package is incomplete (the file was cut off); export or copy it again"
            )))
        }
        Err(e) => {
            return Err(refused(t!(
                format!("不是复工复产申报包（无法读取：{e}）"),
                format!("not an application package (unreadable: {e})")
            )))
        }
    };
    let Value::Object(m) = &doc else {
        return Err(refused(t!(
            "不是复工复产申报包",
            "not an application package"
        )));
    };
    if m.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(refused(t!(
            "不是复工复产申报包（格式标识不符）",
            "not an application package (wrong format marker)"
        )));
    }
    match m.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(refused(t!(
                format!("申报包版本 {v} 不受支持（本系统支持版本 {VERSION}），请升级本系统或用相同版本重新导出"),
                format!("package version {v} is not supported (this system reads version {VERSION})")
            )))
        }
        None => {
            return Err(refused(t!(
                "申报包缺少版本号",
                "the package has no version"
            )))
        }
    }
    let Some(claimed) = m.get("sha256").and_then(Value::as_str) else {
        return Err(refused(t!(
            "申报包缺少校验和",
            "the package has no checksum"
        )));
    };
    if !claimed.eq_ignore_ascii_case(&checksum(&doc)) {
        return Err(refused(t!(
            "申报包校验和不符：文件在导出后被改动或已损坏，不能受理，请企业重新导出",
            "the package checksum does not match: the file was changed or damaged after export; ask the firm to export it again"
        )));
    }
    let p: Package = serde_json::from_value(doc).map_err(|e| {
        refused(t!(
            format!("申报包结构不正确：{e}"),
            format!("the package is malformed: {e}")
        ))
    })?;
    let id_ok = p.package_id.len() == 32 && p.package_id.chars().all(|c| c.is_ascii_hexdigit());
    if !id_ok {
        return Err(vec![FieldError::new(
            "package.package_id",
            t!("申报包编号格式不正确", "the package id is malformed"),
        )]);
    }
    Ok(p)
}

/// Serialises a package, filling in its checksum.
pub fn seal(mut p: Package) -> Result<(Package, Vec<u8>), serde_json::Error> {
    p.sha256 = String::new();
    let doc = serde_json::to_value(&p)?;
    p.sha256 = checksum(&doc);
    let bytes = serde_json::to_vec_pretty(&p)?;
    Ok((p, bytes))
}

/// A fresh random 128-bit package id in hex.
pub fn new_package_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The type of an attachment by its first bytes: PDF, JPEG or PNG; anything else is refused.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// An attachment's name: the last path component, trimmed, at most `MAX_ATTACHMENT_NAME`
/// characters, no control characters.
pub fn attachment_name(raw: &str) -> Result<String, Text> {
    let base = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if base.is_empty() || base == "." || base == ".." {
        return Err(t!("附件须有文件名", "an attachment needs a file name"));
    }
    if base.chars().count() > MAX_ATTACHMENT_NAME {
        return Err(t!(
            format!("附件文件名过长（最多 {MAX_ATTACHMENT_NAME} 个字）"),
            format!("the file name is too long (at most {MAX_ATTACHMENT_NAME} characters)")
        ));
    }
    if base.chars().any(char::is_control) {
        return Err(t!(
            "附件文件名含有控制字符",
            "the file name has control characters"
        ));
    }
    Ok(base)
}

/// Checks an attachment's content: size and type. Returns the MIME type.
pub fn check_attachment(bytes: &[u8]) -> Result<&'static str, Text> {
    if bytes.is_empty() {
        return Err(t!("附件是空文件", "the attachment is empty"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(t!(
            format!("附件过大（上限 {} MB）", MAX_ATTACHMENT_BYTES / 1024 / 1024),
            format!(
                "the attachment is too large (at most {} MB)",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            )
        ));
    }
    sniff_mime(bytes).ok_or_else(|| {
        t!(
            "附件只能是 PDF、JPEG 或 PNG 文件",
            "an attachment must be a PDF, JPEG or PNG file"
        )
    })
}

/// Decodes and checks one attachment of a package (content, digest, type).
pub fn decode_attachment(a: &PackageAttachment) -> Result<(String, &'static str, Vec<u8>), Text> {
    let name = attachment_name(&a.name)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a.content_base64.as_bytes())
        .map_err(|_| t!("附件内容编码损坏", "the attachment's content is damaged"))?;
    if !a.sha256.eq_ignore_ascii_case(&sha256_hex(&bytes)) {
        return Err(t!(
            format!("附件“{name}”的校验和不符"),
            format!("the checksum of attachment '{name}' does not match")
        ));
    }
    let mime = check_attachment(&bytes)?;
    Ok((name, mime, bytes))
}

pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Package {
        Package {
            format: FORMAT.into(),
            version: VERSION,
            package_id: new_package_id(),
            created_at: "2020-02-05T01:00:00Z".into(),
            firm: json!({"name": "雅安某某", "credit_code": "X"}),
            application: PackageApplication {
                plan: json!({"category": "production"}),
                roster: vec![],
                attachments: vec![],
            },
            origin: None,
            sha256: String::new(),
        }
    }

    #[test]
    fn canonical_sorts_keys_and_escapes() {
        let mut s = String::new();
        canonical(
            &json!({"b": 1, "a": ["x\"", {"d": null, "c": true}]}),
            &mut s,
        );
        assert_eq!(s, r#"{"a":["x\"",{"c":true,"d":null}],"b":1}"#);
    }

    #[test]
    fn sealed_package_parses_and_reformatting_keeps_it_valid() {
        let (p, bytes) = seal(sample()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parse(&bytes).ok(), Some(p.clone()));
        let compact = serde_json::to_vec(&p).unwrap_or_default();
        assert!(parse(&compact).is_ok());
    }

    #[test]
    fn tampered_truncated_and_foreign_files_are_refused() {
        let (_, bytes) = seal(sample()).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(bytes.clone()).unwrap_or_default();
        let tampered = text.replace("production", "productiom");
        let msg = |r: Result<Package, Vec<FieldError>>| {
            r.err().map(|e| e[0].message.en.clone()).unwrap_or_default()
        };
        assert!(msg(parse(tampered.as_bytes())).contains("checksum"));
        assert!(msg(parse(&bytes[..bytes.len() / 2])).contains("cut off"));
        assert!(msg(parse(b"{\"format\":\"zip\"}")).contains("format"));
        let v2 = text.replace("\"version\": 1", "\"version\": 2");
        assert!(msg(parse(v2.as_bytes())).contains("version 2"));
        assert!(msg(parse(b"")).contains("empty"));
    }

    #[test]
    fn mime_by_magic_bytes() {
        assert_eq!(sniff_mime(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff_mime(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_mime(b"\x89PNG\r\n\x1a\nxxxx"), Some("image/png"));
        assert_eq!(sniff_mime(b"MZ\x90\0"), None);
        assert_eq!(
            attachment_name("C:\\docs\\承诺书.pdf").ok().as_deref(),
            Some("承诺书.pdf")
        );
        assert!(attachment_name("../").is_err());
    }
}

//! The certificate check page for phones: scanning a certificate's QR code with any camera or
//! WeChat opens `/v?c=PAYLOAD`; `/v?n=NUMBER` (or the form on `/v`) checks a typed number or
//! the verification code printed under the QR. Chinese, small, no login, no personal data (the
//! firm, the number, the approved date and headcount), rate-limited per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reopen_core::service::{CertStatus, Verification};

/// Checks a client address may make per minute.
pub const PER_MINUTE: u32 = 30;

/// Requests per client address in the current minute.
#[derive(Default)]
pub struct RateLimit {
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimit {
    /// Whether `ip` may make one more check now.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= PER_MINUTE
    }
}

/// Text for HTML: the five characters that mean something there are escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;padding:16px;background:#f5f6f8;color:#222}}
.card{{background:#fff;border-radius:10px;padding:18px;max-width:480px;margin:0 auto 14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}}
h1{{font-size:18px;margin:0 0 12px}}
.status{{font-size:30px;font-weight:700;margin:6px 0 14px}}
.ok{{color:#1a7f37}} .bad{{color:#c62828}} .unknown{{color:#666}}
dl{{margin:0}} dt{{color:#666;font-size:13px;margin-top:10px}} dd{{margin:2px 0 0;font-size:16px}}
input{{font-size:16px;padding:8px;width:100%;box-sizing:border-box;margin:8px 0}}
button{{font-size:16px;padding:8px 18px}}
p.note{{font-size:13px;color:#666}}
</style></head><body>
{body}
</body></html>
"#
    )
}

fn form() -> &'static str {
    r#"<div class="card"><h1>核验其他批准通知书</h1>
<form method="get" action="/v"><input name="n" placeholder="批准通知书编号或二维码下方的核验码" maxlength="100">
<button type="submit">核验</button></form></div>"#
}

/// The page for a check's result.
pub fn result(v: &Verification) -> String {
    let (class, word) = match v.status {
        CertStatus::Valid => ("ok", "有效"),
        CertStatus::Voided => ("bad", "已作废"),
        CertStatus::Revoked => ("bad", "已撤销"),
        CertStatus::Unknown | CertStatus::Forged => ("unknown", "无法识别"),
    };
    let mut rows = String::new();
    if let Some(c) = v
        .certificate
        .as_ref()
        .filter(|_| v.status != CertStatus::Forged)
    {
        for (k, val) in [
            ("企业名称", c.firm_name.clone()),
            ("批准通知书编号", c.number.clone()),
            (
                "批准日期",
                c.approved_date.format("%Y年%-m月%-d日").to_string(),
            ),
            ("核定复工人数", format!("{} 人", c.approved_headcount)),
        ] {
            rows.push_str(&format!("<dt>{k}</dt><dd>{}</dd>", escape(&val)));
        }
        if let Some(r) = c.reason.as_ref().filter(|_| v.status != CertStatus::Valid) {
            rows.push_str(&format!("<dt>原因</dt><dd>{}</dd>", escape(r)));
        }
    }
    let note = match v.status {
        CertStatus::Valid => "该企业已获准复工复产。请核对企业名称与现场是否一致。",
        CertStatus::Voided | CertStatus::Revoked => "该批准通知书已失效，企业不得凭此复工复产。",
        CertStatus::Unknown | CertStatus::Forged => {
            "查无此批准通知书，或二维码已被改动。请向发证部门核实。"
        }
    };
    page(
        "复工复产批准通知书核验",
        &format!(
            r#"<div class="card"><h1>复工复产批准通知书核验</h1>
<div class="status {class}">{word}</div><dl>{rows}</dl><p class="note">{note}</p></div>{}"#,
            form()
        ),
    )
}

/// The page with the form only (nothing asked yet), or a refusal.
pub fn message(text: &str) -> String {
    page(
        "复工复产批准通知书核验",
        &format!(
            r#"<div class="card"><h1>复工复产批准通知书核验</h1><p>{}</p></div>{}"#,
            escape(text),
            form()
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<script>"x"&'y'</script>"#),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn an_address_may_check_thirty_times_a_minute() {
        let r = RateLimit::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..PER_MINUTE {
            assert!(r.allow(ip));
        }
        assert!(!r.allow(ip));
        assert!(r.allow(other));
    }

    #[test]
    fn an_unknown_certificate_says_so_and_nothing_else() {
        let v = Verification {
            status: CertStatus::Unknown,
            fields: None,
            certificate: None,
            revocation_checked: true,
        };
        let html = result(&v);
        assert!(html.contains("无法识别"));
        assert!(!html.contains("<dt>"));
    }
}

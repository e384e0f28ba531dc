//! The remote client of `reopen serve`: what the CLI's `--server` and the desktop app's network
//! mode call instead of a local core. Every operation of [`reopen_core::api`] goes the same way:
//! its request as JSON to `/api/v1/op/NAME`, its answer read back as the same type, an error
//! back as the core's error (same kind, so the same exit code).
//!
//! The server is trusted by its certificate's SHA-256 fingerprint, not by a certificate
//! authority (a county's server has a self-signed certificate): pinned by the caller, or trusted
//! on first use and remembered in a file; a changed fingerprint is refused with a warning.

mod trust;

use std::time::Duration;

use reopen_core::api::Op;
use reopen_core::domain::auth::Actor;
use reopen_core::error::{Error, ErrorKind, FieldError, Lang, Result, Text};
use reopen_core::t;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub use trust::{normalize_fingerprint, Trust};

/// An error answer with the server's own code (`unauthenticated`, `must_change_password`,
/// `too_many_requests` … beside the core's kinds), for a caller that tells them apart (the
/// desktop app ends its session on `unauthenticated`). Unreachable: `unavailable`.
#[derive(Debug, Clone)]
pub struct Refused {
    pub code: String,
    pub error: Error,
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Error {
        r.error
    }
}

/// `host:port` of an `https://host:port/…` address, as the known-servers file keys it.
fn authority_of(base: &str) -> String {
    base.trim()
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The fingerprint remembered in `file` for the server at `url` (None: never connected).
pub fn remembered_fingerprint(file: &std::path::Path, url: &str) -> Result<Option<String>> {
    trust::remembered(file, &authority_of(url))
}

/// Remembers `fingerprint` in `file` for the server at `url`, replacing nothing: a server already
/// remembered with another fingerprint is refused (the file is the administrator's to edit).
pub fn remember_fingerprint(file: &std::path::Path, url: &str, fingerprint: &str) -> Result<()> {
    let fp = trust::checked_fingerprint(fingerprint, "fingerprint")?;
    let authority = authority_of(url);
    match trust::remembered(file, &authority)? {
        None => trust::remember(file, &authority, &fp),
        Some(known) if known == fp => Ok(()),
        Some(known) => Err(Error::unavailable(t!(
            format!("警告：服务器 {authority} 已记录的服务器指纹为 {known}，与 {fp} 不符，未作更改"),
            format!("WARNING: the server {authority} is remembered with the fingerprint {known}, not {fp}; nothing changed")
        ))),
    }
}

/// The fingerprint of the certificate the server at `url` presents, read with its health and
/// without trusting it (nothing secret is sent): what a person checks before the first connection.
pub fn probe(url: &str, lang: Lang) -> Result<String> {
    let remote = Remote::new(url, Trust::Probe, lang)?;
    remote.health()?;
    remote
        .fingerprint()
        .ok_or_else(|| Error::internal("the server presented no certificate"))
}

/// A connection to one server, with the session once logged in.
pub struct Remote {
    base: String,
    http: reqwest::blocking::Client,
    token: Option<String>,
    lang: Lang,
    trust: trust::Pinning,
}

/// How long a request may take at most (the server gives up at 120 s itself).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(130);

impl Remote {
    /// A client of the server at `url` (`https://host:port`), trusted as `trust` says; answers
    /// and errors in `lang`. Nothing is sent yet.
    pub fn new(url: &str, trust: Trust, lang: Lang) -> Result<Remote> {
        let base = url.trim().trim_end_matches('/').to_string();
        if !base.starts_with("https://") {
            return Err(Error::field(
                "server",
                t!(
                    format!("服务器地址须以 https:// 开头（实为“{base}”）"),
                    format!("the server's address must start with https:// (got '{base}')")
                ),
            ));
        }
        let authority = authority_of(&base);
        let pinning = trust::Pinning::new(trust, &authority)?;
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(pinning.client_config())
            .connect_timeout(Duration::from_secs(10))
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| Error::internal(format!("http client: {e}")))?;
        Ok(Remote {
            base,
            http,
            token: None,
            lang,
            trust: pinning,
        })
    }

    /// The fingerprint of the server's certificate as this client saw it last.
    pub fn fingerprint(&self) -> Option<String> {
        self.trust.seen()
    }

    /// Logs in: the session's token is kept for the calls that follow.
    pub fn login(&mut self, name: &str, password: &str) -> Result<Actor> {
        if self.trust.is_probe() {
            return Err(Error::internal("no login to a server that is not trusted"));
        }
        let v: Value = self.send(
            "/api/v1/login",
            Some(json!({"name": name, "password": password})),
        )?;
        let token = v["token"]
            .as_str()
            .ok_or_else(|| Error::internal("the server answered a login without a token"))?;
        self.token = Some(token.to_string());
        serde_json::from_value(v["actor"].clone())
            .map_err(|e| Error::internal(format!("the server's answer: {e}")))
    }

    /// Ends the session (nothing happens without one).
    pub fn logout(&mut self) -> Result<()> {
        if self.token.is_some() {
            let _: Value = self.send("/api/v1/logout", Some(json!({})))?;
            self.token = None;
        }
        Ok(())
    }

    /// The session's user as the server knows them now.
    pub fn whoami(&self) -> Result<Actor> {
        self.get("/api/v1/session")
    }

    /// The server's health: its database answers, at which schema.
    pub fn health(&self) -> Result<Value> {
        self.get("/healthz")
    }

    /// Checks a certificate by number or QR payload (no session needed).
    pub fn verify(&self, code: &str) -> Result<reopen_core::service::Verification> {
        self.send("/api/v1/verify", Some(json!({ "code": code })))
    }

    /// Runs one operation as the session's user.
    pub fn call<O: Op>(&self, op: &O) -> Result<O::Output> {
        Ok(self.call_coded(op)?)
    }

    /// [`Remote::call`] with the server's own error code.
    pub fn call_coded<O: Op>(&self, op: &O) -> std::result::Result<O::Output, Refused> {
        let body = serde_json::to_value(op).map_err(|e| Refused {
            code: "internal".into(),
            error: Error::internal(format!("request {}: {e}", O::NAME)),
        })?;
        self.send_coded(&format!("/api/v1/op/{}", O::NAME), Some(body))
    }

    /// [`Remote::whoami`] with the server's own error code (`unauthenticated`: no session).
    pub fn whoami_coded(&self) -> std::result::Result<Actor, Refused> {
        self.send_coded("/api/v1/session", None)
    }

    /// 办事指南 (no session needed).
    pub fn guide(&self) -> Result<reopen_core::service::Guide> {
        self.get("/api/v1/guide")
    }

    /// The blank commitment as a PDF (no session needed).
    pub fn commitment_template(&self) -> Result<Vec<u8>> {
        let b: reopen_core::api::Blob = self.get("/api/v1/commitment-template")?;
        Ok(b.0)
    }

    /// Answers and errors in `lang` from now on.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// Runs the operation `name` with its request as JSON (the desktop app passes what its
    /// screens send); the answer as JSON.
    pub fn call_json(&self, name: &str, args: Value) -> Result<Value> {
        self.send(&format!("/api/v1/op/{name}"), Some(args))
    }

    /// The session's token (to hand a session to another client of the same server farm).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Uses `token` as the session from now on (None: no session).
    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// Posts `body` as it is (any bytes) to `path` with the session's token: the HTTP status and
    /// the answer as JSON (Null when it is not JSON). For tests of what a server does with a
    /// request no client of ours would send.
    pub fn post_raw(&self, path: &str, body: Vec<u8>) -> Result<(u16, Value)> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .header("Accept-Language", self.accept_language())
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().map_err(|e| self.unreachable(e))?;
        let status = res.status().as_u16();
        let bytes = res.bytes().map_err(|e| self.unreachable(e))?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    /// GETs `path` (a page, not the API): the HTTP status and the text.
    pub fn get_text(&self, path: &str) -> Result<(u16, String)> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .map_err(|e| self.unreachable(e))?;
        let status = res.status().as_u16();
        let text = res.text().map_err(|e| self.unreachable(e))?;
        Ok((status, text))
    }

    fn accept_language(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(path, None)
    }

    fn send<T: DeserializeOwned>(&self, path: &str, body: Option<Value>) -> Result<T> {
        Ok(self.send_coded(path, body)?)
    }

    fn send_coded<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<T, Refused> {
        let plain = |error: Error| Refused {
            code: error.kind.as_str().to_string(),
            error,
        };
        let url = format!("{}{path}", self.base);
        let mut req = match &body {
            Some(b) => {
                let bytes = serde_json::to_vec(b)
                    .map_err(|e| plain(Error::internal(format!("request {path}: {e}"))))?;
                // The server would close the connection on it mid-upload; say why instead.
                if bytes.len() > reopen_core::api::BODY_LIMIT {
                    return Err(plain(reopen_core::api::too_large()));
                }
                self.http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(bytes)
            }
            None => self.http.get(&url),
        };
        req = req.header("Accept-Language", self.accept_language());
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().map_err(|e| plain(self.unreachable(e)))?;
        self.trust.confirm().map_err(plain)?;
        let status = res.status();
        let bytes = res.bytes().map_err(|e| plain(self.unreachable(e)))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                plain(Error::internal(format!(
                    "the server's answer to {path}: {e}"
                )))
            });
        }
        let error = answer_error(status.as_u16(), &bytes);
        let code = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_string))
            .unwrap_or_else(|| error.kind.as_str().to_string());
        Err(Refused { code, error })
    }

    /// A request that got no answer: a refused certificate says so; else the server is
    /// unreachable (nothing was done, or nothing is known to have been).
    fn unreachable(&self, e: reqwest::Error) -> Error {
        if let Some(refused) = self.trust.refusal() {
            return refused;
        }
        let mut source: &dyn std::error::Error = &e;
        let mut detail = e.to_string();
        let mut io = None;
        while let Some(s) = source.source() {
            detail = s.to_string();
            io = s.downcast_ref::<std::io::Error>().map(|x| x.kind()).or(io);
            source = s;
        }
        let why = unreachable_why(io, e.is_timeout(), &detail);
        Error::unavailable(t!(
            format!("无法连接服务器 {}：{}", self.base, why.zh),
            format!("cannot reach the server {}: {}", self.base, why.en)
        ))
    }
}

/// Why a request got no answer, in words a clerk can act on; the system's own words (English)
/// only when the cause is none of the usual ones.
fn unreachable_why(io: Option<std::io::ErrorKind>, timeout: bool, detail: &str) -> Text {
    use std::io::ErrorKind as K;
    if timeout || io == Some(K::TimedOut) {
        return t!(
            "等待应答超时，请检查网络",
            "no answer in time: check the network"
        );
    }
    match io {
        Some(K::ConnectionRefused) => t!(
            "连接被拒绝（服务器未启动，或地址、端口不对）",
            "connection refused (the server is not running, or the address or port is wrong)"
        ),
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => {
            t!("连接被中断，请重试", "the connection was cut: try again")
        }
        Some(K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown) => t!(
            "网络不通，请检查本机网络",
            "the network is unreachable: check this PC's network"
        ),
        _ if detail.contains("dns") || detail.contains("resolve") => t!(
            "找不到该服务器（地址不对，或网络不通）",
            "the server's name cannot be found (wrong address, or no network)"
        ),
        _ => t!(
            format!("网络错误（{detail}）"),
            format!("network error ({detail})")
        ),
    }
}

/// The core's error from a server's error answer `{code, message, fields}`.
fn answer_error(status: u16, body: &[u8]) -> Error {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(message) = v["message"].as_str() else {
        return Error::unavailable(t!(
            format!("服务器返回了无法识别的应答（HTTP {status}）"),
            format!("the server gave an answer that is not its own (HTTP {status})")
        ));
    };
    let kind = match v["code"].as_str().unwrap_or_default() {
        "validation" => ErrorKind::Validation,
        "forbidden" | "unauthenticated" | "must_change_password" => ErrorKind::Forbidden,
        "not_found" => ErrorKind::NotFound,
        "conflict" => ErrorKind::Conflict,
        "unavailable" | "too_many_requests" => ErrorKind::Unavailable,
        _ => ErrorKind::Internal,
    };
    let same = |m: &str| Text::new(m, m);
    let fields = v["fields"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    FieldError::new(
                        f["field"].as_str().unwrap_or_default(),
                        same(f["message"].as_str().unwrap_or_default()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Error {
        kind,
        message: same(message),
        fields,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_unreachable_server_is_explained_in_words() {
        use std::io::ErrorKind as K;
        let zh = |io, timeout, detail: &str| super::unreachable_why(io, timeout, detail).zh;
        assert!(zh(
            Some(K::ConnectionRefused),
            false,
            "Connection refused (os error 111)"
        )
        .starts_with("连接被拒绝"));
        assert!(zh(None, true, "operation timed out").starts_with("等待应答超时"));
        assert!(zh(Some(K::ConnectionReset), false, "reset").starts_with("连接被中断"));
        assert!(zh(
            None,
            false,
            "failed to lookup address information: dns error"
        )
        .starts_with("找不到该服务器"));
        assert_eq!(zh(None, false, "odd"), "网络错误（odd）");
    }

    #[test]
    fn a_server_error_reads_back_as_the_cores_error() {
        let e = answer_error(
            400,
            br#"{"code":"validation","message":"m","fields":[{"field":"plan.staff","message":"x"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.kind.exit_code(), 2);
        assert_eq!(e.fields[0].field, "plan.staff");
        assert_eq!(
            answer_error(409, br#"{"code":"conflict","message":"m","fields":[]}"#).kind,
            ErrorKind::Conflict
        );
        assert_eq!(
            answer_error(
                401,
                br#"{"code":"unauthenticated","message":"m","fields":[]}"#
            )
            .kind
            .exit_code(),
            3
        );
        let e = answer_error(502, b"<html>bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(e.message.zh.contains("502"));
    }

    #[test]
    fn only_https_is_spoken() {
        let e = Remote::new(
            "http://example.org",
            Trust::Fingerprint("AB".into()),
            Lang::Zh,
        )
        .err()
        .unwrap();
        assert!(e.fields[0].message.zh.contains("https://"), "{e:?}");
    }
}

//! The HTTP surface: sessions, the operations, and the health check. Errors are
//! `{code, message, fields}` in the language of `Accept-Language` (Chinese unless it asks for
//! English), with the status of their kind.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reopen_core::domain::auth::Actor;
use reopen_core::error::{Error, ErrorKind, Lang, Text};
use reopen_core::service::SessionEnd;
use reopen_core::{api, t};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::pool::Pool;
use crate::Clock;

pub use reopen_core::api::BODY_LIMIT;
/// No request runs longer than this (a statement stuck on a lock, a client that stopped reading).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct State {
    pool: Arc<Pool>,
    clock: Clock,
    checks: Arc<crate::page::RateLimit>,
    /// Logins checked at once: each password check takes argon2's 19 MiB and tens of
    /// milliseconds of a core, so a burst of logins waits here instead of taking every
    /// connection and all the memory.
    logins: Arc<tokio::sync::Semaphore>,
}

/// Password checks at once.
pub const CONCURRENT_LOGINS: usize = 2;

impl State {
    pub fn new(pool: Arc<Pool>, clock: Clock) -> State {
        State {
            pool,
            clock,
            checks: Default::default(),
            logins: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_LOGINS)),
        }
    }
}

pub fn router(state: State) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/session", get(session))
        .route("/api/v1/op/{name}", post(op))
        .route("/api/v1/verify", post(verify))
        .route("/api/v1/guide", get(guide))
        .route("/api/v1/commitment-template", get(commitment_template))
        .route("/v", get(check_page))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// An error as the client receives it.
pub struct ApiError {
    error: Error,
    /// `unauthenticated` and `must_change_password` are the server's own codes.
    code: Option<&'static str>,
    lang: Lang,
}

impl ApiError {
    fn new(error: Error, lang: Lang) -> ApiError {
        ApiError {
            error,
            code: None,
            lang,
        }
    }

    fn unauthenticated(message: Text, lang: Lang) -> ApiError {
        ApiError {
            error: Error::forbidden(message),
            code: Some("unauthenticated"),
            lang,
        }
    }

    fn status(&self) -> StatusCode {
        match (self.code, self.error.kind) {
            (Some("unauthenticated"), _) => StatusCode::UNAUTHORIZED,
            (Some("too_many_requests"), _) => StatusCode::TOO_MANY_REQUESTS,
            (Some(_), _) => StatusCode::FORBIDDEN,
            (None, ErrorKind::Validation) => StatusCode::BAD_REQUEST,
            (None, ErrorKind::Forbidden) => StatusCode::FORBIDDEN,
            (None, ErrorKind::NotFound) => StatusCode::NOT_FOUND,
            (None, ErrorKind::Conflict) => StatusCode::CONFLICT,
            (None, ErrorKind::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
            (None, ErrorKind::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let e = &self.error;
        let body = json!({
            "code": self.code.unwrap_or(e.kind.as_str()),
            "message": e.message.get(self.lang),
            "fields": e.fields.iter().map(|f| json!({"field": f.field, "message": f.message.get(self.lang)})).collect::<Vec<_>>(),
        });
        if status.is_server_error() {
            tracing::error!(code = %body["code"], message = %self.error.message.en, "request failed");
        }
        (status, Json(body)).into_response()
    }
}

fn lang(headers: &HeaderMap) -> Lang {
    let v = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::from_locale(v.map(|v| v.trim_start()))
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = v.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 200).then(|| token.to_string())
}

fn no_session(lang: Lang) -> ApiError {
    ApiError::unauthenticated(
        t!(
            "请先登录（请求未带有效的登录凭据）",
            "log in first (the request carries no valid session)"
        ),
        lang,
    )
}

/// A JSON body, or a validation error that says what is wrong with it.
fn json_body(
    body: std::result::Result<Bytes, BytesRejection>,
    lang: Lang,
) -> Result<Value, ApiError> {
    let bytes = body.map_err(|e| {
        let error = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            reopen_core::api::too_large()
        } else {
            Error::field(
                "request",
                t!(
                    format!("无法读取请求：{e}"),
                    format!("cannot read the request: {e}")
                ),
            )
        };
        ApiError::new(error, lang)
    })?;
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            Error::field(
                "request",
                t!(
                    format!("请求不是有效的 JSON：{e}"),
                    format!("the request is not valid JSON: {e}")
                ),
            ),
            lang,
        )
    })
}

/// 办事指南: public, as on the app's first screen.
async fn guide(
    axum::extract::State(s): axum::extract::State<State>,
    headers: HeaderMap,
) -> Result<Json<reopen_core::service::Guide>, ApiError> {
    let lang = lang(&headers);
    let g = s.pool.run(|core| core.guide()).await;
    g.map(Json).map_err(|e| ApiError::new(e, lang))
}

/// The blank commitment (承诺书) as a PDF in base64: public, as the guide.
async fn commitment_template(
    axum::extract::State(s): axum::extract::State<State>,
    headers: HeaderMap,
) -> Result<Json<api::Blob>, ApiError> {
    let lang = lang(&headers);
    let now = s.clock.now();
    let made = s
        .pool
        .run(move |core| {
            let fonts = core.doc_fonts()?;
            core.commitment_template(&fonts, now).map(api::Blob)
        })
        .await;
    made.map(Json).map_err(|e| ApiError::new(e, lang))
}

async fn healthz(
    axum::extract::State(s): axum::extract::State<State>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&headers);
    match s.pool.run(|core| core.health()).await {
        Ok(h) => Json(
            json!({"status": "ok", "engine": h.engine, "schema_version": h.schema_version,
            "latest_schema_version": h.latest_schema_version}),
        )
        .into_response(),
        Err(e) => ApiError::new(e, lang).into_response(),
    }
}

async fn not_found(headers: HeaderMap) -> ApiError {
    ApiError::new(
        Error::not_found(t!("没有这个地址", "no such address")),
        lang(&headers),
    )
}

#[derive(Deserialize)]
struct CheckQuery {
    /// A QR code's payload.
    c: Option<String>,
    /// A typed certificate number or verification code.
    n: Option<String>,
}

/// The phone's check page (no login): a scanned QR code (`c`) or a typed number (`n`).
async fn check_page(
    axum::extract::State(s): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::extract::Query(q): axum::extract::Query<CheckQuery>,
) -> Response {
    let html = |status: StatusCode, body: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let Some(code) =
        q.c.or(q.n)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    else {
        return html(
            StatusCode::OK,
            crate::page::message("请扫描批准通知书上的二维码，或输入编号。"),
        );
    };
    if !s.checks.allow(peer.ip()) {
        return html(
            StatusCode::TOO_MANY_REQUESTS,
            crate::page::message("核验过于频繁，请一分钟后再试。"),
        );
    }
    if code.len() > 4096 {
        return html(
            StatusCode::BAD_REQUEST,
            crate::page::message("核验内容过长。"),
        );
    }
    match s.pool.run(move |core| core.verify(&code)).await {
        Ok(v) => html(StatusCode::OK, crate::page::result(&v)),
        Err(e) => {
            tracing::warn!(message = %e.message.en, "check page");
            html(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::page::message("暂时无法核验，请稍后再试。"),
            )
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    code: String,
}

/// Checks a certificate by its number or its QR payload: anyone, without a session.
async fn verify(
    axum::extract::State(s): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    if !s.checks.allow(peer.ip()) {
        return Err(ApiError {
            error: Error::conflict(t!(
                "核验过于频繁，请一分钟后再试",
                "too many checks: try again in a minute"
            )),
            code: Some("too_many_requests"),
            lang,
        });
    }
    let req: VerifyRequest =
        api::parse_request_as(json_body(body, lang)?).map_err(|e| ApiError::new(e, lang))?;
    if req.code.len() > 4096 {
        return Err(ApiError::new(
            Error::field("code", t!("核验码过长", "the code is too long")),
            lang,
        ));
    }
    let v = s
        .pool
        .run(move |core| core.verify(&req.code))
        .await
        .map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    name: String,
    password: String,
}

async fn login(
    axum::extract::State(s): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    let req: LoginRequest =
        api::parse_request_as(json_body(body, lang)?).map_err(|e| ApiError::new(e, lang))?;
    let now = s.clock.now();
    let source = peer.ip().to_string();
    let started = Instant::now();
    let _turn = s
        .logins
        .acquire()
        .await
        .map_err(|e| ApiError::new(Error::internal(format!("logins: {e}")), lang))?;
    let opened = s
        .pool
        .run(move |core| core.session_open(&req.name, &req.password, &source, now))
        .await;
    tracing::info!(%peer, ok = opened.is_ok(), ms = started.elapsed().as_millis() as u64, "login");
    let opened = opened.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({"token": opened.token, "actor": opened.actor})).into_response())
}

async fn logout(
    axum::extract::State(s): axum::extract::State<State>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    let token = bearer(&headers).ok_or_else(|| no_session(lang))?;
    let now = s.clock.now();
    let ended = s
        .pool
        .run(move |core| core.session_close(&token, now))
        .await
        .map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({"ended": ended})).into_response())
}

/// The session's user as the store knows them now (who am I).
async fn session(
    axum::extract::State(s): axum::extract::State<State>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    let token = bearer(&headers).ok_or_else(|| no_session(lang))?;
    let now = s.clock.now();
    let actor = s
        .pool
        .run(move |core| core.session_resume(&token, now))
        .await
        .map_err(|e| ApiError::new(e, lang))?
        .map_err(|end| ended(end, lang))?;
    Ok(Json(actor).into_response())
}

fn ended(end: SessionEnd, lang: Lang) -> ApiError {
    ApiError::unauthenticated(end.message(), lang)
}

/// What the session's user may do before they changed their initial password.
fn password_first(lang: Lang) -> ApiError {
    ApiError {
        error: Error::forbidden(t!(
            "请先修改初始密码，再继续操作",
            "change your initial password before you go on"
        )),
        code: Some("must_change_password"),
        lang,
    }
}

async fn op(
    axum::extract::State(s): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let lang = lang(&headers);
    let token = bearer(&headers).ok_or_else(|| no_session(lang))?;
    let args = json_body(body, lang)?;
    let now = s.clock.now();
    let started = Instant::now();
    let op_name = name.clone();
    let client = peer.ip().to_string();
    let out = s
        .pool
        .run(
            move |core| -> reopen_core::Result<Result<Value, ApiError>> {
                let mut actor: Actor = match core.session_resume(&token, now)? {
                    Ok(a) => a,
                    Err(end) => return Ok(Err(ended(end, lang))),
                };
                // Every event of this request records where it came from.
                actor.client = Some(client);
                if actor.must_change_password && !api::allowed_before_password_change(&op_name) {
                    return Ok(Err(password_first(lang)));
                }
                Ok(Ok(api::dispatch(&op_name, args, core, &actor, now)?))
            },
        )
        .await;
    let out = match out {
        Ok(inner) => inner,
        Err(e) => Err(ApiError::new(e, lang)),
    };
    let status = match &out {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status(),
    };
    tracing::info!(%peer, op = %name, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "op");
    out.map(|v| Json(v).into_response())
}

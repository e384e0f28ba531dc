//! The one list of operations: every use case a logged-in user calls, as a request type with a
//! name and a response type. The desktop app, the HTTP server (`reopen serve`) and the remote
//! client (the CLI's and the app's `--server` mode) all go through this list, so a new use case is
//! added once: a request struct in [`ops`] and the line that runs it.
//!
//! A request is plain data (serde): on a PC it runs directly ([`Op::run`]); through a server it
//! travels as JSON (`POST /api/v1/op/NAME` with the request as the body) and is run by
//! [`dispatch`], whose answer the client reads back as the same response type. Bytes (rosters,
//! PDFs, workbooks, packages) travel as base64 ([`Blob`]). Unknown fields, wrong types and unknown
//! operations are refused with a validation error that names them: nothing runs.
//!
//! Sessions (login, logout, who am I, the password change) are not operations: they make the
//! actor an operation runs as.

mod ops;

pub use ops::*;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::auth::Actor;
use crate::error::{Error, FieldError, Result};
use crate::service::Reopen;
use crate::t;

/// The largest request a server takes (a 500-row roster or a scanned commitment fits many
/// times over); our client refuses a larger one before sending it.
pub const BODY_LIMIT: usize = 48 * 1024 * 1024;

/// The refusal of a request larger than [`BODY_LIMIT`].
pub fn too_large() -> Error {
    Error::field(
        "request",
        t!(
            format!("请求过大（上限 {} MB）", BODY_LIMIT / 1024 / 1024),
            format!(
                "the request is too large (at most {} MB)",
                BODY_LIMIT / 1024 / 1024
            )
        ),
    )
}

/// One operation: its name on the wire, what it answers, and how it runs on a core.
pub trait Op: Serialize + DeserializeOwned + Send + 'static {
    /// The name in the URL and in the list (snake_case, as the Tauri command of the same use case).
    const NAME: &'static str;
    /// Whether a user who must still change the initial password may call it.
    const BEFORE_PASSWORD_CHANGE: bool = false;
    type Output: Serialize + DeserializeOwned + Send + 'static;
    fn run(self, core: &mut Reopen, actor: &Actor, now: DateTime<Utc>) -> Result<Self::Output>;
}

/// Bytes in a request or a response: base64 text on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Blob, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Blob)
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Blob {
        Blob(v)
    }
}

/// A request read from JSON: a validation error that says what is wrong (an unknown field, a
/// wrong type, a missing field), in the words serde gives, under the field `request`.
pub fn parse_request<O: Op>(args: serde_json::Value) -> Result<O> {
    parse_request_as(args)
}

/// Any request body read from JSON, refused as [`parse_request`] refuses one.
pub fn parse_request_as<T: DeserializeOwned>(args: serde_json::Value) -> Result<T> {
    serde_json::from_value(args).map_err(|e| {
        Error::validation(vec![FieldError::new(
            "request",
            t!(
                format!("请求参数有误：{e}"),
                format!("the request is not valid: {e}")
            ),
        )])
    })
}

/// The operation called `name` with `args` (its request as JSON), run as `actor`: the answer as
/// JSON. An unknown name is not found.
pub fn dispatch(
    name: &str,
    args: serde_json::Value,
    core: &mut Reopen,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<serde_json::Value> {
    match ops::find(name) {
        Some(run) => run(args, core, actor, now),
        None => Err(unknown(name)),
    }
}

/// Whether a user who must still change the initial password may call `name`.
pub fn allowed_before_password_change(name: &str) -> bool {
    ops::before_password_change(name)
}

fn unknown(name: &str) -> Error {
    Error::not_found(t!(
        format!("没有名为 {name} 的操作"),
        format!("no operation called {name}")
    ))
}

/// Parses, runs and answers one operation as JSON (what [`dispatch`] calls per name).
fn run_json<O: Op>(
    args: serde_json::Value,
    core: &mut Reopen,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<serde_json::Value> {
    let req = parse_request::<O>(args)?;
    let out = req.run(core, actor, now)?;
    serde_json::to_value(out).map_err(|e| Error::internal(format!("answer of {}: {e}", O::NAME)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_operation_has_one_distinct_name() {
        let mut names = NAMES.to_vec();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a name is listed twice");
        assert!(n > 60, "{n}");
        for name in NAMES {
            assert!(ops::find(name).is_some(), "{name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn blobs_travel_as_base64() {
        let b = Blob(vec![0, 1, 2, 250]);
        let j = serde_json::to_string(&b).unwrap();
        assert_eq!(j, "\"AAEC+g==\"");
        assert_eq!(serde_json::from_str::<Blob>(&j).unwrap(), b);
        assert!(serde_json::from_str::<Blob>("\"*not*\"").is_err());
    }

    #[test]
    fn a_bad_request_is_refused_with_what_is_wrong() {
        let e = parse_request::<AppShow>(serde_json::json!({"id": 1, "evil": true})).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Validation);
        assert!(
            e.fields[0].message.en.contains("unknown field `evil`"),
            "{e:?}"
        );
        let e = parse_request::<AppShow>(serde_json::json!({"id": "one"})).unwrap_err();
        assert!(e.fields[0].message.zh.contains("请求参数有误"), "{e:?}");
        let e = parse_request::<AppShow>(serde_json::json!({})).unwrap_err();
        assert!(
            e.fields[0].message.en.contains("missing field `id`"),
            "{e:?}"
        );
        // Optional fields may be left out.
        let q = parse_request::<ReviewQueue>(serde_json::json!({})).unwrap();
        assert!(q.filter.limit.is_none());
    }

    #[test]
    fn an_unknown_operation_is_not_found() {
        let mut core = Reopen::open_in_memory().unwrap();
        let now = Utc::now();
        core.init(Some(("admin", "Passw0rd-x")), now).unwrap();
        let admin = core.login("admin", "Passw0rd-x", now).unwrap();
        let e = dispatch("drop_tables", serde_json::json!({}), &mut core, &admin, now).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::NotFound);
        let users = dispatch("user_list", serde_json::json!({}), &mut core, &admin, now).unwrap();
        assert_eq!(users[0]["name"], "admin");
    }
}

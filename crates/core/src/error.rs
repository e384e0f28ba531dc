//! Errors that cross every door (CLI, IPC, tests) with a stable kind and bilingual messages.

use serde::{Deserialize, Serialize};

/// A message in both languages the product speaks. Chinese first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.zh)
    }
}

/// `t!("中文", "English")`, or with format arguments shared by both: `t!("第{}行", "row {}"; n)`.
#[macro_export]
macro_rules! t {
    ($zh:expr, $en:expr) => {
        $crate::error::Text::new($zh, $en)
    };
    ($zh:literal, $en:literal; $($arg:tt)*) => {
        $crate::error::Text::new(format!($zh, $($arg)*), format!($en, $($arg)*))
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// English when `LANG` (or `LC_ALL`/`LC_MESSAGES`) starts with `en`, Chinese otherwise.
    pub fn from_locale(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// One bad field, named by its JSON path (`headcount.local`, `roster[3].id_number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> Self {
        FieldError {
            field: field.into(),
            message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Validation,
    Forbidden,
    NotFound,
    Conflict,
    /// The database cannot be reached or is not this program's (a server down, wrong credentials,
    /// a newer schema): nothing was done; trying again later may work.
    Unavailable,
    Internal,
}

impl ErrorKind {
    /// Exit codes fixed by cli.md.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Validation => 2,
            ErrorKind::Forbidden => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Conflict => 5,
            ErrorKind::Unavailable | ErrorKind::Internal => 1,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: Text,
    pub fields: Vec<FieldError>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(fields: Vec<FieldError>) -> Self {
        Error {
            kind: ErrorKind::Validation,
            message: t!(
                format!("输入有误，共 {} 处", fields.len()),
                format!("invalid input: {} problem(s)", fields.len())
            ),
            fields,
        }
    }
    pub fn field(field: impl Into<String>, message: Text) -> Self {
        Error::validation(vec![FieldError::new(field, message)])
    }
    pub fn forbidden(message: Text) -> Self {
        Error {
            kind: ErrorKind::Forbidden,
            message,
            fields: vec![],
        }
    }
    pub fn unavailable(message: Text) -> Self {
        Error {
            kind: ErrorKind::Unavailable,
            message,
            fields: vec![],
        }
    }
    pub fn not_found(message: Text) -> Self {
        Error {
            kind: ErrorKind::NotFound,
            message,
            fields: vec![],
        }
    }
    pub fn conflict(message: Text) -> Self {
        Error {
            kind: ErrorKind::Conflict,
            message,
            fields: vec![],
        }
    }
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let d = detail.to_string();
        Error {
            kind: ErrorKind::Internal,
            message: Text::new(format!("内部错误：{d}"), format!("internal error: {d}")),
            fields: vec![],
        }
    }

    /// The JSON error document of cli.md: `{"error":{"kind","message","fields":[{"field","message"}]}}`.
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        serde_json::json!({"error": {
            "kind": self.kind.as_str(),
            "message": self.message.get(lang),
            "fields": self.fields.iter().map(|f| serde_json::json!({
                "field": f.field, "message": f.message.get(lang)})).collect::<Vec<_>>(),
        }})
    }
}

/// Collects field errors so that every failing field is reported at once.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new())
    }
    pub fn add(&mut self, field: impl Into<String>, message: Text) {
        self.0.push(FieldError::new(field, message));
    }
    /// Keeps the value when it parsed, records the reason under `field` when it did not.
    pub fn take<T>(&mut self, field: &str, r: Result<T, Text>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(self.0))
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DatabaseBusy
                || f.code == rusqlite::ErrorCode::DatabaseLocked
            {
                return Error::conflict(t!(
                    "数据库正被其他操作占用，请稍后重试",
                    "the database is busy with another operation; try again"
                ));
            }
        }
        Error::internal(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::internal(e)
    }
}

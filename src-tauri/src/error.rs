//! Errors cross IPC as `{code, message, fields}` in the UI's language.

use reopen_core::error::{Error, Lang};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CmdError {
    /// validation | forbidden | not_found | conflict | internal | unauthenticated |
    /// must_change_password
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldMessage>,
}

impl CmdError {
    pub fn from_core(e: &Error, lang: Lang) -> CmdError {
        CmdError {
            code: e.kind.as_str().to_string(),
            message: e.message.get(lang).to_string(),
            fields: e
                .fields
                .iter()
                .map(|f| FieldMessage {
                    field: f.field.clone(),
                    message: f.message.get(lang).to_string(),
                })
                .collect(),
        }
    }

    pub fn unauthenticated(lang: Lang) -> CmdError {
        CmdError {
            code: "unauthenticated".into(),
            message: match lang {
                Lang::Zh => "请先登录".into(),
                Lang::En => "please log in".into(),
            },
            fields: vec![],
        }
    }
}

impl CmdError {
    /// The user logged in with an initial (or reset) password and must change it first.
    pub fn must_change_password(lang: Lang) -> CmdError {
        CmdError {
            code: "must_change_password".into(),
            message: match lang {
                Lang::Zh => "请先修改初始密码，再继续操作".into(),
                Lang::En => "change your initial password before you go on".into(),
            },
            fields: vec![],
        }
    }
}

pub type CmdResult<T> = Result<T, CmdError>;

#[cfg(test)]
mod tests {
    use super::*;
    use reopen_core::t;

    #[test]
    fn validation_errors_keep_every_field_in_the_chosen_language() {
        let e = Error::validation(vec![
            reopen_core::FieldError::new(
                "headcount.local",
                t!("本地人数有误", "local count is wrong"),
            ),
            reopen_core::FieldError::new("commitment", t!("缺少承诺书", "commitment missing")),
        ]);
        let zh = serde_json::to_value(CmdError::from_core(&e, Lang::Zh)).unwrap();
        assert_eq!(zh["code"], "validation");
        assert_eq!(zh["fields"][0]["field"], "headcount.local");
        assert_eq!(zh["fields"][1]["message"], "缺少承诺书");
        let en = CmdError::from_core(&e, Lang::En);
        assert_eq!(en.fields[0].message, "local count is wrong");
    }

    #[test]
    fn kinds_map_to_stable_codes() {
        let f = Error::forbidden(t!("不可", "no"));
        assert_eq!(CmdError::from_core(&f, Lang::Zh).code, "forbidden");
        assert_eq!(CmdError::unauthenticated(Lang::Zh).code, "unauthenticated");
        assert_eq!(
            CmdError::must_change_password(Lang::Zh).code,
            "must_change_password"
        );
    }
}

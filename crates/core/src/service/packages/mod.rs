//! Application packages: a firm prepares its application on its own PC and brings one file to the
//! counter, where it is imported and validated exactly like an application filed in the office.
//! Also the firm mode (a database on the firm's own PC) and the attachments of an application.
//!
//! The import composes the office's own use cases (`register_tx`, `create_tx`, `update_tx`,
//! `roster_tx`, `submit_tx`) in ONE immediate transaction: a package is taken whole or not at all.

mod attachments;
mod export;
mod firm_mode;
mod import;

use serde::{Deserialize, Serialize};

use super::apps::Application;
use super::firms::Firm;
use super::Reopen;
use crate::domain::workflow::AppState;
use crate::error::{Error, Result, Text};
use crate::store::{self, Db};
use crate::t;

/// Where this database runs: the office (the default) or a firm's own PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Office,
    Firm,
}

impl Mode {
    /// The code stored in the `mode` setting (and named in an exported package's origin).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Office => "office",
            Mode::Firm => "firm",
        }
    }
}

/// An application's attachment (its content is a separate read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
    pub added_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FirmModeReport {
    pub firm: Firm,
    pub user: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportReport {
    pub package_id: String,
    pub sha256: String,
    pub application_id: i64,
    pub credit_code: String,
    pub state: AppState,
    pub roster_rows: u32,
    /// The roster's ID and phone numbers are masked (an office copy: such a package is not
    /// importable). Full numbers go only to whom the reveal rule allows them.
    pub roster_masked: bool,
    pub attachments: u32,
    pub bytes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportReport {
    pub package_id: String,
    pub sha256: String,
    /// The firm was not known here and was registered from the package.
    pub firm_registered: bool,
    /// The package continued the firm's application here (a draft, or a resubmission after a
    /// return) rather than opening a new one.
    pub matched_application: bool,
    pub application: Application,
    pub attachments: u32,
    /// E.g. the package's firm details differ from the office's record (the office's stands).
    pub warnings: Vec<Text>,
}

pub(crate) fn mode_of(db: Db<'_>) -> Result<Mode> {
    // A database whose mode was never set is the office's.
    Ok(match store::settings::mode(db)? {
        Some(m) if m == Mode::Firm.as_str() => Mode::Firm,
        _ => Mode::Office,
    })
}

/// In firm mode nothing is submitted from this PC: the firm exports a package instead.
pub(crate) fn refuse_in_firm_mode(conn: Db<'_>) -> Result<()> {
    if mode_of(conn)? == Mode::Firm {
        return Err(Error::forbidden(t!(
            "本机为企业自用模式，不能直接提交：请导出申报包（reopen app export），带到政务服务窗口受理",
            "this is a firm's own PC (firm mode): nothing is submitted from here; export the application package (reopen app export) and bring it to the service counter"
        )));
    }
    Ok(())
}

impl Reopen {
    /// Where this database runs (the UI offers "export the package" instead of "submit" in firm mode).
    pub fn mode(&self) -> Result<Mode> {
        mode_of(self.db())
    }
}

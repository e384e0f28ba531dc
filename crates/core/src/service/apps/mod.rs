//! Applications (the one-enterprise-one-plan): drafts, roster, submission, withdrawal, reads.
//!
//! - `access`: who may see an application, file for it, have its full roster;
//! - `show`: the application's read model and its timeline;
//! - `plan`: creating a draft and editing its plan;
//! - `roster`: importing, reading and revealing the roster;
//! - `submit`: submitting (freezing the submission, opening the first stage) and withdrawing;
//! - `list`: the list, the submission history and the diff of two submissions;
//! - `papers`: the status page's path ahead and certificate, the firm's copy of its certificate.
//!
//! Every statement is in the store (`store::{apps, tasks, roster, submissions}`).

mod access;
mod list;
mod papers;
mod plan;
mod roster;
mod show;
mod submit;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::plan::{Finding, Plan};
use crate::domain::workflow::{AppState, TaskState};
use crate::error::Text;

pub(crate) use crate::store::apps::AppCore;
pub(crate) use access::{
    can_see_app, file_for, forbidden_app, not_editable, roster_disclosure, Disclosure,
};
pub use list::diff_values;
pub use papers::{AppPath, PathStage, StageStatus};
pub(crate) use plan::{create_tx, update_tx};
pub(crate) use roster::{load_roster, roster_tx};
pub(crate) use show::{app_core, application, frozen_stages};
pub(crate) use submit::{open_tasks, submit_tx};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FirmSummary {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub division: String,
    pub industry: String,
    pub warnings: Vec<Text>,
}

/// One stage decision (or pending task) on the timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TaskRecord {
    pub id: i64,
    pub submission_no: i64,
    pub stage: u32,
    pub stage_name: String,
    pub department: String,
    pub department_name: String,
    pub state: TaskState,
    pub green_channel: bool,
    pub opened_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub opinion: Option<String>,
    pub headcount: Option<u32>,
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Application {
    pub id: i64,
    pub firm: FirmSummary,
    pub jurisdiction: String,
    pub state: AppState,
    pub state_zh: String,
    pub category: String,
    pub plan: Plan,
    pub roster_count: u32,
    pub version: i64,
    pub submission_no: i64,
    pub stage: Option<u32>,
    pub approved_headcount: Option<u32>,
    pub conditions: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    /// Warnings of the latest submission (supplies, health figures).
    pub findings: Vec<Finding>,
    pub tasks: Vec<TaskRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppRow {
    pub id: i64,
    pub firm_name: String,
    pub credit_code: String,
    pub jurisdiction: String,
    pub state: AppState,
    pub category: String,
    pub planned_date: String,
    pub planned_headcount: u32,
    pub approved_headcount: Option<u32>,
    pub submitted_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppFilter {
    pub state: Option<String>,
    pub division: Option<String>,
    /// `DIVISION-KIND`: applications routed to this department.
    pub department: Option<String>,
    pub firm: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SubmissionInfo {
    pub submission_no: i64,
    pub submitted_at: String,
    pub submitted_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterChange {
    /// Masked ID number.
    pub id_number: String,
    pub name: String,
    pub change: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Diff {
    pub from: i64,
    pub to: i64,
    pub plan: Vec<FieldChange>,
    pub roster: Vec<RosterChange>,
}

//! Statistics, users, configuration and the audit log.

use chrono::NaiveDate;
use reopen_core::api::{
    AuditLog, AuditVerify, DashboardOp, DepartmentList, DepartmentSet, PolicyGet, PolicySet,
    ReferenceOp, RoutingList, RoutingSet, UserAdd, UserDisable, UserList, UserPassword, UserUnlock,
    WorkflowGet, WorkflowSet,
};
use reopen_core::audit::{AuditEvent, VerifyReport};
use reopen_core::domain::policy::Policy;
use reopen_core::error::Error;
use reopen_core::service::{
    Dashboard, DepartmentRow, NewUser, Reference, RoutingRow, UserCreated, UserRow, WorkflowConfig,
};
use tauri::State;

use crate::error::CmdResult;
use crate::state::{AppState, Shared};

/// An optional `YYYY-MM-DD` argument; empty means none, a bad one is a field error.
pub(super) fn date(
    state: &AppState,
    field: &str,
    s: Option<String>,
) -> CmdResult<Option<NaiveDate>> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            reopen_core::domain::ids::parse_date(&s).map_err(|e| state.err(Error::field(field, e)))
        })
        .transpose()
}

#[tauri::command]
pub async fn dashboard(
    state: State<'_, Shared>,
    from: Option<String>,
    to: Option<String>,
) -> CmdResult<Dashboard> {
    let from = date(&state, "from", from)?;
    let to = date(&state, "to", to)?;
    state.op(DashboardOp { from, to }).await
}

#[tauri::command]
pub async fn user_add(state: State<'_, Shared>, user: NewUser) -> CmdResult<UserCreated> {
    state.op(UserAdd { user }).await
}

#[tauri::command]
pub async fn user_list(state: State<'_, Shared>) -> CmdResult<Vec<UserRow>> {
    state.op(UserList {}).await
}

#[tauri::command]
pub async fn user_disable(state: State<'_, Shared>, name: String) -> CmdResult<()> {
    state.op(UserDisable { name }).await
}

#[tauri::command]
pub async fn user_unlock(state: State<'_, Shared>, name: String) -> CmdResult<()> {
    state.op(UserUnlock { name }).await
}

/// Resets another user's password to a generated one, shown once.
#[tauri::command]
pub async fn user_reset_password(state: State<'_, Shared>, name: String) -> CmdResult<String> {
    // The core refuses a reset of one's own password (that is 修改密码, with the current one).
    state
        .op(UserPassword { name, new: None })
        .await
        .map(|p| p.unwrap_or_default())
}

#[tauri::command]
pub async fn department_list(
    state: State<'_, Shared>,
    division: Option<String>,
) -> CmdResult<Vec<DepartmentRow>> {
    state.op(DepartmentList { division }).await
}

#[tauri::command]
pub async fn department_set(
    state: State<'_, Shared>,
    code: String,
    name: Option<String>,
    active: Option<bool>,
) -> CmdResult<DepartmentRow> {
    state.op(DepartmentSet { code, name, active }).await
}

#[tauri::command]
pub async fn routing_list(state: State<'_, Shared>) -> CmdResult<Vec<RoutingRow>> {
    state.op(RoutingList {}).await
}

#[tauri::command]
pub async fn routing_set(
    state: State<'_, Shared>,
    industry: String,
    kind: String,
) -> CmdResult<RoutingRow> {
    state.op(RoutingSet { industry, kind }).await
}

#[tauri::command]
pub async fn workflow_get(state: State<'_, Shared>, division: String) -> CmdResult<WorkflowConfig> {
    state.op(WorkflowGet { division }).await
}

#[tauri::command]
pub async fn workflow_set(
    state: State<'_, Shared>,
    division: String,
    config: WorkflowConfig,
) -> CmdResult<WorkflowConfig> {
    state.op(WorkflowSet { division, config }).await
}

#[tauri::command]
pub async fn policy_get(state: State<'_, Shared>) -> CmdResult<Policy> {
    state.op(PolicyGet {}).await
}

#[tauri::command]
pub async fn policy_set(state: State<'_, Shared>, toml: String) -> CmdResult<Policy> {
    state.op(PolicySet { toml }).await
}

#[tauri::command]
pub async fn audit_log(
    state: State<'_, Shared>,
    record: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<AuditEvent>> {
    state
        .op(AuditLog {
            record,
            limit,
            offset,
        })
        .await
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, Shared>) -> CmdResult<VerifyReport> {
    state.op(AuditVerify {}).await
}

#[tauri::command]
pub async fn reference(state: State<'_, Shared>) -> CmdResult<Reference> {
    state.op(ReferenceOp {}).await
}

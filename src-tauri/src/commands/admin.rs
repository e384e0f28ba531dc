//! Statistics, users, configuration and the audit log.

use chrono::NaiveDate;
use reopen_core::audit::{AuditEvent, VerifyReport};
use reopen_core::domain::policy::Policy;
use reopen_core::error::Error;
use reopen_core::service::{
    Dashboard, DepartmentRow, NewUser, Reference, RoutingRow, UserCreated, UserRow, WorkflowConfig,
};
use reopen_core::t;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

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
pub fn dashboard(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
) -> CmdResult<Dashboard> {
    let from = date(&state, "from", from)?;
    let to = date(&state, "to", to)?;
    state.as_actor(|c, a, now| c.dashboard(a, from, to, now))
}

#[tauri::command]
pub fn user_add(state: State<'_, AppState>, user: NewUser) -> CmdResult<UserCreated> {
    state.as_actor(|c, a, now| c.user_add(a, &user, now))
}

#[tauri::command]
pub fn user_list(state: State<'_, AppState>) -> CmdResult<Vec<UserRow>> {
    state.as_actor(|c, a, _| c.user_list(a))
}

#[tauri::command]
pub fn user_disable(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    state.as_actor(|c, a, now| c.user_disable(a, &name, now))
}

#[tauri::command]
pub fn user_unlock(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    state.as_actor(|c, a, now| c.user_unlock(a, &name, now))
}

/// Resets another user's password to a generated one, shown once.
#[tauri::command]
pub fn user_reset_password(state: State<'_, AppState>, name: String) -> CmdResult<String> {
    state
        .as_actor(|c, a, now| {
            if a.name == name {
                return Err(Error::field(
                    "name",
                    t!(
                        "修改自己的密码请用“修改密码”",
                        "use change password for your own"
                    ),
                ));
            }
            c.user_password(a, &name, None, now)
        })
        .map(|p| p.unwrap_or_default())
}

#[tauri::command]
pub fn department_list(
    state: State<'_, AppState>,
    division: Option<String>,
) -> CmdResult<Vec<DepartmentRow>> {
    state.as_actor(|c, _, _| c.department_list(division.as_deref()))
}

#[tauri::command]
pub fn department_set(
    state: State<'_, AppState>,
    code: String,
    name: Option<String>,
    active: Option<bool>,
) -> CmdResult<DepartmentRow> {
    state.as_actor(|c, a, now| c.department_set(a, &code, name.as_deref(), active, now))
}

#[tauri::command]
pub fn routing_list(state: State<'_, AppState>) -> CmdResult<Vec<RoutingRow>> {
    state.as_actor(|c, _, _| c.routing_list())
}

#[tauri::command]
pub fn routing_set(
    state: State<'_, AppState>,
    industry: String,
    kind: String,
) -> CmdResult<RoutingRow> {
    state.as_actor(|c, a, now| c.routing_set(a, &industry, &kind, now))
}

#[tauri::command]
pub fn workflow_get(state: State<'_, AppState>, division: String) -> CmdResult<WorkflowConfig> {
    state.as_actor(|c, _, _| c.workflow_get(&division))
}

#[tauri::command]
pub fn workflow_set(
    state: State<'_, AppState>,
    division: String,
    config: WorkflowConfig,
) -> CmdResult<WorkflowConfig> {
    state.as_actor(|c, a, now| c.workflow_set(a, &division, &config, now))
}

#[tauri::command]
pub fn policy_get(state: State<'_, AppState>) -> CmdResult<Policy> {
    state.as_actor(|c, _, _| c.policy())
}

#[tauri::command]
pub fn policy_set(state: State<'_, AppState>, toml: String) -> CmdResult<Policy> {
    state.as_actor(|c, a, now| c.policy_set(a, &toml, now))
}

#[tauri::command]
pub fn audit_log(
    state: State<'_, AppState>,
    record: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<AuditEvent>> {
    state.as_actor(|c, a, _| c.audit_log(a, record.as_deref(), limit, offset))
}

#[tauri::command]
pub fn audit_verify(state: State<'_, AppState>) -> CmdResult<VerifyReport> {
    state.as_actor(|c, a, _| c.audit_verify(a))
}

#[tauri::command]
pub fn reference(state: State<'_, AppState>) -> CmdResult<Reference> {
    state.as_actor(|c, _, _| c.reference())
}

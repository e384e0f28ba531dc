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
    state
        .run_as_actor(move |c, a, now| c.dashboard(a, from, to, now))
        .await
}

#[tauri::command]
pub async fn user_add(state: State<'_, Shared>, user: NewUser) -> CmdResult<UserCreated> {
    state
        .run_as_actor(move |c, a, now| c.user_add(a, &user, now))
        .await
}

#[tauri::command]
pub async fn user_list(state: State<'_, Shared>) -> CmdResult<Vec<UserRow>> {
    state.run_as_actor(move |c, a, _| c.user_list(a)).await
}

#[tauri::command]
pub async fn user_disable(state: State<'_, Shared>, name: String) -> CmdResult<()> {
    state
        .run_as_actor(move |c, a, now| c.user_disable(a, &name, now))
        .await
}

#[tauri::command]
pub async fn user_unlock(state: State<'_, Shared>, name: String) -> CmdResult<()> {
    state
        .run_as_actor(move |c, a, now| c.user_unlock(a, &name, now))
        .await
}

/// Resets another user's password to a generated one, shown once.
#[tauri::command]
pub async fn user_reset_password(state: State<'_, Shared>, name: String) -> CmdResult<String> {
    state
        .run_as_actor(move |c, a, now| {
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
        .await
        .map(|p| p.unwrap_or_default())
}

#[tauri::command]
pub async fn department_list(
    state: State<'_, Shared>,
    division: Option<String>,
) -> CmdResult<Vec<DepartmentRow>> {
    state
        .run_as_actor(move |c, _, _| c.department_list(division.as_deref()))
        .await
}

#[tauri::command]
pub async fn department_set(
    state: State<'_, Shared>,
    code: String,
    name: Option<String>,
    active: Option<bool>,
) -> CmdResult<DepartmentRow> {
    state
        .run_as_actor(move |c, a, now| c.department_set(a, &code, name.as_deref(), active, now))
        .await
}

#[tauri::command]
pub async fn routing_list(state: State<'_, Shared>) -> CmdResult<Vec<RoutingRow>> {
    state.run_as_actor(move |c, _, _| c.routing_list()).await
}

#[tauri::command]
pub async fn routing_set(
    state: State<'_, Shared>,
    industry: String,
    kind: String,
) -> CmdResult<RoutingRow> {
    state
        .run_as_actor(move |c, a, now| c.routing_set(a, &industry, &kind, now))
        .await
}

#[tauri::command]
pub async fn workflow_get(state: State<'_, Shared>, division: String) -> CmdResult<WorkflowConfig> {
    state
        .run_as_actor(move |c, _, _| c.workflow_get(&division))
        .await
}

#[tauri::command]
pub async fn workflow_set(
    state: State<'_, Shared>,
    division: String,
    config: WorkflowConfig,
) -> CmdResult<WorkflowConfig> {
    state
        .run_as_actor(move |c, a, now| c.workflow_set(a, &division, &config, now))
        .await
}

#[tauri::command]
pub async fn policy_get(state: State<'_, Shared>) -> CmdResult<Policy> {
    state.run_as_actor(move |c, _, _| c.policy()).await
}

#[tauri::command]
pub async fn policy_set(state: State<'_, Shared>, toml: String) -> CmdResult<Policy> {
    state
        .run_as_actor(move |c, a, now| c.policy_set(a, &toml, now))
        .await
}

#[tauri::command]
pub async fn audit_log(
    state: State<'_, Shared>,
    record: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<AuditEvent>> {
    state
        .run_as_actor(move |c, a, _| c.audit_log(a, record.as_deref(), limit, offset))
        .await
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, Shared>) -> CmdResult<VerifyReport> {
    state.run_as_actor(move |c, a, _| c.audit_verify(a)).await
}

#[tauri::command]
pub async fn reference(state: State<'_, Shared>) -> CmdResult<Reference> {
    state.run_as_actor(move |c, _, _| c.reference()).await
}

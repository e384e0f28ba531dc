//! Who may see an application, file for it, and have its roster in full.

use crate::domain::auth::{Actor, Role};
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::service::firms::{can_file_for, firm_by_id, stale, Firm};
use crate::store::{self, Db};
use crate::t;

use super::AppCore;

/// How much of an application's roster `actor` may have: full ID and phone numbers only for the
/// firm itself and for a reviewer with a pending task on it (the one deciding); everyone else
/// masked. The one rule behind the audited reveal and the application package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disclosure {
    Full,
    Masked,
}

impl Disclosure {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Disclosure::Full => "full",
            Disclosure::Masked => "masked",
        }
    }
}

pub(crate) fn roster_disclosure(tx: Db<'_>, actor: &Actor, core: &AppCore) -> Result<Disclosure> {
    let full = match actor.role {
        Role::Reviewer => {
            store::tasks::count_for_department(tx, core.id, actor.department_id, true)? > 0
        }
        Role::Firm => actor.firm_id == Some(core.firm_id),
        Role::Clerk | Role::Leader | Role::Admin => false,
    };
    Ok(if full {
        Disclosure::Full
    } else {
        Disclosure::Masked
    })
}

pub(crate) fn forbidden_app() -> Error {
    Error::forbidden(t!(
        "无权查看或办理该申请",
        "you may not see or act on this application"
    ))
}

/// Read access: the firm itself, reviewers of departments it was routed to, clerks and leaders of
/// its jurisdiction, the administrator.
pub(crate) fn can_see_app(conn: Db<'_>, actor: &Actor, app: &AppCore) -> Result<bool> {
    Ok(match actor.role {
        Role::Admin => true,
        Role::Firm => actor.firm_id == Some(app.firm_id),
        Role::Clerk | Role::Leader => {
            actor.covers(&app.jurisdiction)
                || actor.covers(&store::apps::firm_division(conn, app.firm_id)?)
        }
        Role::Reviewer => {
            store::tasks::count_for_department(conn, app.id, actor.department_id, false)? > 0
        }
    })
}

/// The application's firm, when `actor` may file for it.
pub(crate) fn file_for(conn: Db<'_>, actor: &Actor, app: &AppCore) -> Result<Firm> {
    let firm = firm_by_id(conn, app.firm_id)?;
    if !can_file_for(actor, &firm) {
        return Err(forbidden_app());
    }
    Ok(firm)
}

/// The expected version matches and the application may still be edited (draft or returned).
pub(super) fn check_editable(core: &AppCore, expect_version: Option<i64>) -> Result<()> {
    match expect_version {
        Some(v) if v != core.version => return Err(stale(v, core.version)),
        _ => {}
    }
    if !core.state.is_editable() {
        return Err(not_editable(core.state));
    }
    Ok(())
}

pub(crate) fn not_editable(state: AppState) -> Error {
    Error::conflict(t!(
        format!("申请当前状态为“{}”，不能修改", state.zh()),
        format!(
            "an application in state {} cannot be changed",
            state.as_str()
        )
    ))
}

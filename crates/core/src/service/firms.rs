//! Firms: registration, update, show and search.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::users::division_exists;
use super::{audit, page, Reopen};
use crate::domain::auth::{Actor, Role, CITY};
use crate::domain::firm::FirmInput;
use crate::error::{Error, Problems, Result, Text};
use crate::store::{self, Db};
use crate::t;

pub use crate::model::Firm;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FirmRow {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub division: String,
    pub industry: String,
    pub staff_total: u32,
    pub has_warnings: bool,
}

pub(crate) fn firm_by_id(db: Db<'_>, id: i64) -> Result<Firm> {
    store::firms::by_id(db, id)?.ok_or_else(|| Error::not_found(t!("没有该企业", "no such firm")))
}

pub(crate) fn firm_by_code(db: Db<'_>, code: &str) -> Result<Firm> {
    let code = code.trim().to_ascii_uppercase();
    store::firms::by_code(db, &code)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("没有统一社会信用代码为 {code} 的企业"),
            format!("no firm with credit code {code}")
        ))
    })
}

/// Whether the actor may read this firm.
pub(crate) fn can_see_firm(conn: Db<'_>, actor: &Actor, firm: &Firm) -> Result<bool> {
    Ok(match actor.role {
        Role::Admin => true,
        Role::Firm => actor.firm_id == Some(firm.id),
        Role::Clerk | Role::Leader => actor.covers(&firm.division),
        Role::Reviewer => store::firms::routed_to_department(conn, firm.id, actor.department_id)?,
    })
}

/// Whether the actor may write this firm's records (the firm itself, or a clerk at the counter).
pub(crate) fn can_file_for(actor: &Actor, firm: &Firm) -> bool {
    match actor.role {
        Role::Firm => actor.firm_id == Some(firm.id),
        Role::Clerk => actor.covers(&firm.division),
        _ => false,
    }
}

pub(crate) fn printable_fields(f: &FirmInput) -> Vec<(String, &str)> {
    vec![
        ("name".to_string(), f.name.as_str()),
        ("township".to_string(), f.township.as_str()),
        ("address".to_string(), f.address.as_str()),
        (
            "legal_representative".to_string(),
            f.legal_representative.as_str(),
        ),
        ("principal.name".to_string(), f.principal.name.as_str()),
        ("contact.name".to_string(), f.contact.name.as_str()),
    ]
}

fn not_yours() -> Error {
    Error::forbidden(t!(
        "无权查看或办理该企业的事项",
        "you may not see or act for this firm"
    ))
}

/// Checks against the reference tables, and the warnings a reviewer should see.
pub(crate) fn check_against_store(conn: Db<'_>, f: &FirmInput) -> Result<Vec<Text>> {
    let mut p = Problems::new();
    if !division_exists(conn, f.division.as_str())? {
        p.add(
            "division",
            t!(
                format!("本市没有行政区划 {}", f.division),
                format!("no division {} in this city", f.division)
            ),
        );
    }
    let routed = store::reference::industry_department_kind(conn, f.industry.as_str())?;
    match routed {
        None => p.add(
            "industry",
            t!(
                format!("行业代码 {} 不在行业目录中", f.industry),
                format!("industry {} is not in the list", f.industry)
            ),
        ),
        Some(None) => p.add(
            "industry",
            t!(
                format!("行业 {} 没有对应的行业主管部门", f.industry),
                format!("industry {} has no competent department", f.industry)
            ),
        ),
        Some(Some(_)) => {}
    }
    p.into_result()?;
    Ok(f.division_warning(CITY).into_iter().collect())
}

impl Reopen {
    /// Registers a firm: a clerk of its jurisdiction, the administrator, or a firm user who is not
    /// yet bound to a firm (and becomes bound to this one).
    pub fn firm_register(
        &mut self,
        actor: &Actor,
        v: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Firm> {
        actor.require(
            &[Role::Clerk, Role::Admin, Role::Firm],
            &t!("登记企业", "register firms"),
        )?;
        if actor.role == Role::Firm && actor.firm_id.is_some() {
            return Err(Error::forbidden(t!(
                "该账户已绑定企业，不能再登记其他企业",
                "this account is already bound to a firm"
            )));
        }
        let f = FirmInput::from_json(v).map_err(Error::validation)?;
        if actor.role == Role::Clerk && !actor.covers(f.division.as_str()) {
            return Err(Error::forbidden(t!(
                "只能登记本辖区的企业",
                "you may only register firms of your jurisdiction"
            )));
        }
        self.check_printable(&printable_fields(&f))?;
        self.write(|tx| register_tx(tx, actor, &f, now))
    }

    /// Updates a firm's record (not its credit code). `expect_version` guards against overwriting
    /// someone else's change.
    pub fn firm_update(
        &mut self,
        actor: &Actor,
        code: &str,
        v: &serde_json::Value,
        expect_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Firm> {
        actor.require(
            &[Role::Clerk, Role::Admin, Role::Firm],
            &t!("修改企业信息", "update firms"),
        )?;
        let f = FirmInput::from_json(v).map_err(Error::validation)?;
        self.check_printable(&printable_fields(&f))?;
        self.write(|tx| {
            let before = firm_by_code(tx, code)?;
            let allowed = actor.role == Role::Admin || can_file_for(actor, &before);
            if !allowed {
                return Err(not_yours());
            }
            if f.credit_code.as_str() != before.credit_code {
                return Err(Error::field(
                    "credit_code",
                    t!(
                        "统一社会信用代码不能修改",
                        "the credit code cannot be changed"
                    ),
                ));
            }
            if actor.role == Role::Clerk && !actor.covers(f.division.as_str()) {
                return Err(Error::forbidden(t!(
                    "不能把企业改到本辖区以外",
                    "you may not move a firm out of your jurisdiction"
                )));
            }
            if let Some(v) = expect_version {
                if v != before.version {
                    return Err(stale(v, before.version));
                }
            }
            let warnings = check_against_store(tx, &f)?;
            store::firms::update(tx, before.id, &record(&f, &warnings), now)?;
            let after = firm_by_id(tx, before.id)?;
            audit(
                tx,
                actor,
                "firm.update",
                &format!("firm:{}", after.credit_code),
                Some(&serde_json::to_value(&before)?),
                Some(&serde_json::to_value(&after)?),
                now,
            )?;
            Ok(after)
        })
    }

    /// The firm a firm user is bound to, if any.
    pub fn firm_mine(&self, actor: &Actor) -> Result<Option<Firm>> {
        match (actor.role, actor.firm_id) {
            (Role::Firm, Some(id)) => firm_by_id(self.db(), id).map(Some),
            _ => Ok(None),
        }
    }

    pub fn firm_show(&self, actor: &Actor, code: &str) -> Result<Firm> {
        let firm = firm_by_code(self.db(), code)?;
        if !can_see_firm(self.db(), actor, &firm)? {
            return Err(not_yours());
        }
        Ok(firm)
    }

    /// Lists firms the actor may see: by division, and by a name fragment or credit-code prefix.
    pub fn firm_list(
        &self,
        actor: &Actor,
        division: Option<&str>,
        search: Option<&str>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<FirmRow>> {
        let (limit, offset) = page(limit, offset);
        let Some((division, search)) = firm_filter(actor, division, search)? else {
            return Ok(Vec::new());
        };
        let scope = actor.scope();
        let filter = store::firms::ListFilter {
            scope: &scope,
            division: division.as_deref(),
            search: search.as_deref(),
        };
        store::firms::list(self.db(), &filter, limit, offset)
    }

    /// How many firms `firm_list` shows over all its pages with the same division and search
    /// (the pager's 共 N 条).
    pub fn firm_count(
        &self,
        actor: &Actor,
        division: Option<&str>,
        search: Option<&str>,
    ) -> Result<i64> {
        let Some((division, search)) = firm_filter(actor, division, search)? else {
            return Ok(0);
        };
        let scope = actor.scope();
        let filter = store::firms::ListFilter {
            scope: &scope,
            division: division.as_deref(),
            search: search.as_deref(),
        };
        store::firms::count(self.db(), &filter)
    }
}

/// The firm list's division and search as checked: a county's staff (reviewers included: their
/// department's county) list only the firms registered there, whatever else their scope allows;
/// the search without control characters, trimmed. None when the search can match nothing.
#[allow(clippy::type_complexity)]
fn firm_filter(
    actor: &Actor,
    division: Option<&str>,
    search: Option<&str>,
) -> Result<Option<(Option<String>, Option<String>)>> {
    let home = match (actor.role, actor.division.as_deref()) {
        (Role::Admin | Role::Firm, _) | (_, Some(CITY)) => None,
        (_, d) => Some(d.unwrap_or_default()),
    };
    if let (Some(want), Some(home)) = (division, home) {
        if want != home {
            return Err(Error::forbidden(t!(
                "只能查看本辖区的企业",
                "you may only list firms of your jurisdiction"
            )));
        }
    }
    // Names never hold control characters (registration refuses them), so a search with some
    // cannot match them; they are dropped rather than handed to the full-text parser (a NUL
    // ends an FTS5 query string early).
    let cleaned: Option<String> = search.map(|s| s.chars().filter(|c| !c.is_control()).collect());
    if search.is_some_and(|s| !s.trim().is_empty())
        && cleaned.as_deref().is_some_and(|c| c.trim().is_empty())
    {
        return Ok(None);
    }
    Ok(Some((
        division.or(home).map(str::to_string),
        cleaned
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    )))
}

/// The record written for `f`: a firm of the city itself is always city-managed.
fn record<'a>(f: &'a FirmInput, warnings: &'a [Text]) -> store::firms::FirmRecord<'a> {
    store::firms::FirmRecord {
        firm: f,
        city_managed: f.city_managed || f.division.as_str() == CITY,
        warnings,
    }
}

pub(crate) fn stale(expected: i64, actual: i64) -> Error {
    Error::conflict(t!(
        format!("记录已被他人修改（您看到的是第 {expected} 版，当前为第 {actual} 版），请刷新后再改"),
        format!("the record changed meanwhile (you had version {expected}, it is now {actual}); reload and retry")
    ))
}

/// `firm_register` after the permission and printability checks, inside the caller's transaction
/// (also used by the firm-mode set-up and the package import). A firm user not yet bound to a
/// firm becomes bound to this one.
pub(crate) fn register_tx(
    tx: Db<'_>,
    actor: &Actor,
    f: &FirmInput,
    now: DateTime<Utc>,
) -> Result<Firm> {
    let warnings = check_against_store(tx, f)?;
    if store::firms::code_taken(tx, f.credit_code.as_str())? {
        return Err(Error::conflict(t!(
            format!("统一社会信用代码 {} 已登记", f.credit_code),
            format!("credit code {} is already registered", f.credit_code)
        )));
    }
    let id = store::firms::insert(tx, &record(f, &warnings), now)?;
    if actor.role == Role::Firm {
        store::firms::bind_user(tx, actor.user_id, id)?;
    }
    let firm = firm_by_id(tx, id)?;
    audit(
        tx,
        actor,
        "firm.register",
        &format!("firm:{}", firm.credit_code),
        None,
        Some(&serde_json::to_value(&firm)?),
        now,
    )?;
    Ok(firm)
}

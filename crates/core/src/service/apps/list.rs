//! The list of applications, the history of an application's submissions and what changed
//! between two of them.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::auth::Actor;
use crate::domain::roster::{self, RosterRecord};
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::service::{page, Reopen};
use crate::store;
use crate::t;

use super::access::{can_see_app, forbidden_app};
use super::show::app_core;
use super::{AppFilter, AppRow, Diff, FieldChange, RosterChange, SubmissionInfo};

impl Reopen {
    pub fn app_list(&self, actor: &Actor, f: &AppFilter) -> Result<Vec<AppRow>> {
        let (state, department_id, credit_code) = self.list_filter(f)?;
        let (limit, offset) = page(f.limit, f.offset);
        store::apps::list(
            self.db(),
            &actor.scope(),
            &store::apps::ListFilter {
                state,
                division: f.division.as_deref(),
                department_id,
                credit_code: credit_code.as_deref(),
                limit,
                offset,
            },
        )
    }

    /// How many applications `app_list` shows over all its pages with the same filter (its limit
    /// and offset ignored): the pager's 共 N 条.
    pub fn app_count(&self, actor: &Actor, f: &AppFilter) -> Result<i64> {
        let (state, department_id, credit_code) = self.list_filter(f)?;
        store::apps::count(
            self.db(),
            &actor.scope(),
            &store::apps::ListFilter {
                state,
                division: f.division.as_deref(),
                department_id,
                credit_code: credit_code.as_deref(),
                limit: 0,
                offset: 0,
            },
        )
    }

    /// The list filter's state, department and credit code, checked.
    fn list_filter(
        &self,
        f: &AppFilter,
    ) -> Result<(Option<AppState>, Option<i64>, Option<String>)> {
        let state = f
            .state
            .as_deref()
            .map(|s| {
                AppState::parse(s).ok_or_else(|| {
                    Error::field(
                        "state",
                        t!(format!("未知状态“{s}”"), format!("unknown state '{s}'")),
                    )
                })
            })
            .transpose()?;
        let department_id = f
            .department
            .as_deref()
            .map(|d| crate::service::users::department_id(self.db(), d))
            .transpose()?;
        let credit_code = f.firm.as_deref().map(|c| c.trim().to_ascii_uppercase());
        Ok((state, department_id, credit_code))
    }

    pub fn app_versions(&self, actor: &Actor, id: i64) -> Result<Vec<SubmissionInfo>> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        store::submissions::history(self.db(), id)
    }

    /// What changed between two submissions (default: the last two). Roster changes name people
    /// by masked ID number.
    pub fn app_diff(
        &self,
        actor: &Actor,
        id: i64,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Diff> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let to = to.unwrap_or(core.submission_no);
        let from = from.unwrap_or(to - 1);
        let load = |no: i64| -> Result<(Value, Vec<RosterRecord>)> {
            let (plan, roster) =
                store::submissions::plan_and_roster(self.db(), &self.sealer, id, no)?.ok_or_else(
                    || {
                        Error::not_found(t!(
                            format!("申请 {id} 没有第 {no} 次提交"),
                            format!("application {id} has no submission {no}")
                        ))
                    },
                )?;
            Ok((serde_json::from_str(&plan)?, roster))
        };
        let (pa, ra) = load(from)?;
        let (pb, rb) = load(to)?;
        Ok(Diff {
            from,
            to,
            plan: diff_values(&pa, &pb),
            roster: diff_roster(&ra, &rb),
        })
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

/// Field-by-field differences of two JSON documents (objects flattened to dotted paths).
pub fn diff_values(a: &Value, b: &Value) -> Vec<FieldChange> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    flatten("", a, &mut fa);
    flatten("", b, &mut fb);
    let keys: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let x = fa.get(k).cloned().unwrap_or(Value::Null);
            let y = fb.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange {
                field: k.clone(),
                before: x,
                after: y,
            })
        })
        .collect()
}

fn diff_roster(a: &[RosterRecord], b: &[RosterRecord]) -> Vec<RosterChange> {
    let ia: BTreeMap<&str, &RosterRecord> = a.iter().map(|r| (r.id_number.as_str(), r)).collect();
    let ib: BTreeMap<&str, &RosterRecord> = b.iter().map(|r| (r.id_number.as_str(), r)).collect();
    let mut out = Vec::new();
    for (id, r) in &ia {
        match ib.get(id) {
            None => out.push(RosterChange {
                id_number: roster::mask_id(id),
                name: r.name.clone(),
                change: "removed".into(),
                fields: vec![],
            }),
            Some(n) => {
                let fields: Vec<String> = diff_values(
                    &serde_json::to_value(r).unwrap_or(Value::Null),
                    &serde_json::to_value(n).unwrap_or(Value::Null),
                )
                .into_iter()
                .map(|c| c.field)
                .collect();
                if !fields.is_empty() {
                    out.push(RosterChange {
                        id_number: roster::mask_id(id),
                        name: n.name.clone(),
                        change: "changed".into(),
                        fields,
                    });
                }
            }
        }
    }
    for (id, r) in &ib {
        if !ia.contains_key(id) {
            out.push(RosterChange {
                id_number: roster::mask_id(id),
                name: r.name.clone(),
                change: "added".into(),
                fields: vec![],
            });
        }
    }
    out
}

//! The reference tables: `divisions`, `department_kinds`, `departments` and `industries` (the
//! routing of an industry to its department kind). Loaded at `init`, edited by the administrator.

use crate::args;
use crate::error::Result;
use crate::reference::{DepartmentKindRow, DivisionRow, IndustryRow};
use crate::service::{DepartmentRow, DivisionInfo, RoutingRow};
use crate::store::Db;

/// The kind of department an industry routes to (`department_kinds.kind`).
const INDUSTRY_KIND: &str = "industry";

/// An empty CSV cell is no value.
fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

pub(crate) fn insert_division(db: Db<'_>, d: &DivisionRow) -> Result<()> {
    db.exec(
        "INSERT INTO divisions(code, name, short, level, parent) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![d.code, d.name, d.short, d.level, nonempty(&d.parent)],
    )?;
    Ok(())
}

pub(crate) fn insert_department_kind(db: Db<'_>, k: &DepartmentKindRow) -> Result<()> {
    db.exec(
        "INSERT INTO department_kinds(code, name, name_en, kind) VALUES (?1, ?2, ?3, ?4)",
        args![k.code, k.name, k.name_en, k.kind],
    )?;
    Ok(())
}

pub(crate) fn insert_department(db: Db<'_>, division: &str, kind: &str, name: &str) -> Result<()> {
    db.exec(
        "INSERT INTO departments(division, kind, name) VALUES (?1, ?2, ?3)",
        args![division, kind, name],
    )?;
    Ok(())
}

pub(crate) fn insert_industry(db: Db<'_>, i: &IndustryRow) -> Result<()> {
    db.exec(
        "INSERT INTO industries(division, section, name, department_kind) VALUES (?1, ?2, ?3, ?4)",
        args![i.division, i.section, i.name, nonempty(&i.department)],
    )?;
    Ok(())
}

/// Every division, by code.
pub(crate) fn divisions(db: Db<'_>) -> Result<Vec<DivisionInfo>> {
    db.rows(
        "SELECT code, name, short, level FROM divisions ORDER BY code",
        args![],
        |r| {
            Ok(DivisionInfo {
                code: r.get(0)?,
                name: r.get(1)?,
                short: r.get(2)?,
                level: r.get(3)?,
            })
        },
    )
}

pub(crate) fn division_exists(db: Db<'_>, code: &str) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM divisions WHERE code = ?1",
        args![code],
    )?;
    Ok(n > 0)
}

/// Every department kind: (code, name, kind: industry | countersign), by code.
pub(crate) fn department_kinds(db: Db<'_>) -> Result<Vec<(String, String, String)>> {
    db.rows(
        "SELECT code, name, kind FROM department_kinds ORDER BY code",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

pub(crate) fn department_kind_exists(db: Db<'_>, code: &str) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM department_kinds WHERE code = ?1",
        args![code],
    )?;
    Ok(n > 0)
}

/// Whether `code` is a kind of department an industry can route to.
pub(crate) fn industry_kind_exists(db: Db<'_>, code: &str) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM department_kinds WHERE code = ?1 AND kind = ?2",
        args![code, INDUSTRY_KIND],
    )?;
    Ok(n > 0)
}

/// The departments (of one division, or all), by division and kind.
pub(crate) fn departments(db: Db<'_>, division: Option<&str>) -> Result<Vec<DepartmentRow>> {
    db.rows(
        "SELECT id, division || '-' || kind, division, kind, name, active FROM departments
         WHERE CAST(?1 AS TEXT) IS NULL OR division = ?1 ORDER BY division, kind",
        args![division],
        |r| {
            Ok(DepartmentRow {
                id: r.get(0)?,
                code: r.get(1)?,
                division: r.get(2)?,
                kind: r.get(3)?,
                name: r.get(4)?,
                active: r.get(5)?,
            })
        },
    )
}

/// The active department of `kind` in `division`.
pub(crate) fn active_department_id(db: Db<'_>, division: &str, kind: &str) -> Result<Option<i64>> {
    db.first(
        "SELECT id FROM departments WHERE division = ?1 AND kind = ?2 AND active = 1",
        args![division, kind],
    )
}

/// A department (active or not): its id, name and whether it is active.
pub(crate) fn department(
    db: Db<'_>,
    division: &str,
    kind: &str,
) -> Result<Option<(i64, String, bool)>> {
    db.row_opt(
        "SELECT id, name, active FROM departments WHERE division = ?1 AND kind = ?2",
        args![division, kind],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

pub(crate) fn set_department(db: Db<'_>, id: i64, name: &str, active: bool) -> Result<()> {
    db.exec(
        "UPDATE departments SET name = ?2, active = ?3 WHERE id = ?1",
        args![id, name, active],
    )?;
    Ok(())
}

/// Every industry with its routing, by industry code.
pub(crate) fn industries(db: Db<'_>) -> Result<Vec<RoutingRow>> {
    db.rows(
        "SELECT division, section, name, department_kind FROM industries ORDER BY division",
        args![],
        |r| {
            Ok(RoutingRow {
                industry: r.get(0)?,
                section: r.get(1)?,
                name: r.get(2)?,
                department_kind: r.get(3)?,
            })
        },
    )
}

/// One industry with its routing.
pub(crate) fn industry(db: Db<'_>, industry: &str) -> Result<Option<RoutingRow>> {
    db.row_opt(
        "SELECT division, section, name, department_kind FROM industries WHERE division = ?1",
        args![industry],
        |r| {
            Ok(RoutingRow {
                industry: r.get(0)?,
                section: r.get(1)?,
                name: r.get(2)?,
                department_kind: r.get(3)?,
            })
        },
    )
}

/// The department kind an industry routes to (None: unknown industry or not routed).
/// The department kind an industry is routed to: None when there is no such industry,
/// Some(None) when it is routed to none.
pub(crate) fn industry_department_kind(
    db: Db<'_>,
    industry: &str,
) -> Result<Option<Option<String>>> {
    db.first::<Option<String>>(
        "SELECT department_kind FROM industries WHERE division = ?1",
        args![industry],
    )
}

pub(crate) fn set_industry_kind(db: Db<'_>, industry: &str, kind: &str) -> Result<()> {
    db.exec(
        "UPDATE industries SET department_kind = ?2 WHERE division = ?1",
        args![industry, kind],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Policy;
    use crate::service::WorkflowConfig;
    use crate::store::settings;

    /// Every statement of `store::reference` and `store::settings` on a migrated database.
    fn reference_on(db: Db<'_>) {
        let (d, dep, ind) = crate::reference::load_defaults(db).unwrap();
        assert_eq!((d, dep, ind), (9, 9 * 17, 97));
        let divisions = divisions(db).unwrap();
        assert_eq!(divisions.len(), 9);
        assert!(division_exists(db, "511802").unwrap() && !division_exists(db, "110000").unwrap());
        let kinds = department_kinds(db).unwrap();
        assert_eq!(kinds.len(), 17);
        assert!(department_kind_exists(db, "ZHB").unwrap());
        assert!(industry_kind_exists(db, "SWJ").unwrap());
        assert!(
            !industry_kind_exists(db, "ZHB").unwrap(),
            "the office countersigns"
        );
        assert_eq!(departments(db, None).unwrap().len(), 9 * 17);
        let yucheng = departments(db, Some("511802")).unwrap();
        assert_eq!(yucheng.len(), 17);
        let swj = yucheng.iter().find(|d| d.kind == "SWJ").unwrap();
        assert_eq!((swj.code.as_str(), swj.active), ("511802-SWJ", true));
        set_department(db, swj.id, "商务局", false).unwrap();
        assert_eq!(
            department(db, "511802", "SWJ").unwrap(),
            Some((swj.id, "商务局".into(), false))
        );
        assert_eq!(active_department_id(db, "511802", "SWJ").unwrap(), None);
        let all = industries(db).unwrap();
        assert_eq!(all.len(), 97);
        let first = &all[0];
        assert_eq!(
            industry(db, &first.industry).unwrap().unwrap().name,
            first.name
        );
        set_industry_kind(db, &first.industry, "SWJ").unwrap();
        assert_eq!(
            industry_department_kind(db, &first.industry)
                .unwrap()
                .flatten()
                .as_deref(),
            Some("SWJ")
        );
        assert_eq!(industry_department_kind(db, "99").unwrap(), None);

        assert!(!settings::has_policy(db).unwrap());
        assert!(settings::policy(db).unwrap().is_none());
        let mut policy = Policy::default_policy();
        settings::insert_policy(db, &policy).unwrap();
        assert!(
            settings::insert_policy(db, &policy).is_err(),
            "one first policy"
        );
        assert!(settings::has_policy(db).unwrap());
        policy.roster.max_rows += 1;
        settings::set_policy(db, &policy).unwrap();
        assert_eq!(
            settings::policy(db).unwrap().unwrap().roster.max_rows,
            policy.roster.max_rows
        );
        assert!(settings::workflow(db, "511802").unwrap().is_none());
        let cfg = WorkflowConfig::from_policy(&policy);
        settings::set_workflow(db, "511802", &cfg).unwrap();
        settings::set_workflow(db, "511802", &cfg).unwrap();
        assert_eq!(settings::workflow(db, "511802").unwrap(), Some(cfg));
        assert_eq!(settings::last_audit_at(db).unwrap(), None);
    }

    #[test]
    fn reference_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        reference_on(Db::from(&c));
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn reference_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        reference_on(Db::from(&pg));
    }
}

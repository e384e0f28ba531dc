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
pub(crate) fn industry_department_kind(db: Db<'_>, industry: &str) -> Result<Option<String>> {
    Ok(db
        .first::<Option<String>>(
            "SELECT department_kind FROM industries WHERE division = ?1",
            args![industry],
        )?
        .flatten())
}

pub(crate) fn set_industry_kind(db: Db<'_>, industry: &str, kind: &str) -> Result<()> {
    db.exec(
        "UPDATE industries SET department_kind = ?2 WHERE division = ?1",
        args![industry, kind],
    )?;
    Ok(())
}

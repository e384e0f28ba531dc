//! Reference data shipped as editable defaults (`assets/reference/`): divisions, department kinds,
//! industry routing and the policy. Loaded into the database at `init`; from then on the
//! administrator edits the database copy through audited use cases.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::store::{self, Db};

pub const DIVISIONS_CSV: &str = include_str!("../../../assets/reference/divisions.csv");
pub const DEPARTMENTS_CSV: &str = include_str!("../../../assets/reference/departments.csv");
pub const INDUSTRIES_CSV: &str = include_str!("../../../assets/reference/industries.csv");

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DivisionRow {
    pub code: String,
    pub name: String,
    pub short: String,
    pub level: String,
    pub parent: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DepartmentKindRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct IndustryRow {
    pub section: String,
    pub division: String,
    pub name: String,
    pub department: String,
}

fn read<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<Vec<T>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .map_err(|e| Error::internal(format!("reference data {what}: {e}")))
}

/// Loads the shipped defaults into an empty database (inside the caller's transaction).
/// Every division gets one department of every kind; the administrator may deactivate or rename.
pub fn load_defaults(conn: Db<'_>) -> Result<(usize, usize, usize)> {
    let divisions: Vec<DivisionRow> = read(DIVISIONS_CSV, "divisions.csv")?;
    let kinds: Vec<DepartmentKindRow> = read(DEPARTMENTS_CSV, "departments.csv")?;
    let industries: Vec<IndustryRow> = read(INDUSTRIES_CSV, "industries.csv")?;
    for d in &divisions {
        store::reference::insert_division(conn, d)?;
    }
    for k in &kinds {
        store::reference::insert_department_kind(conn, k)?;
    }
    let mut departments = 0;
    for d in &divisions {
        for k in &kinds {
            let name = format!("{}{}", d.name, k.name);
            store::reference::insert_department(conn, &d.code, &k.code, &name)?;
            departments += 1;
        }
    }
    for i in &industries {
        store::reference::insert_industry(conn, i)?;
    }
    Ok((divisions.len(), departments, industries.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reference_data_loads() {
        let conn = crate::store::open_in_memory().unwrap();
        let (d, dep, ind) = load_defaults((&conn).into()).unwrap();
        assert_eq!(d, 9);
        assert_eq!(dep, 9 * 17);
        assert_eq!(ind, 97);
        let name = store::reference::departments((&conn).into(), Some("511802"))
            .unwrap()
            .into_iter()
            .find(|d| d.kind == "SWJ")
            .unwrap()
            .name;
        assert_eq!(name, "雨城区商务局");
    }
}

//! The firms table: the register of firms, the list with its name search, and what the firm
//! rules read around it (the routing of an industry, the firms a department reviewed).

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::auth::Scope;
use crate::domain::firm::{FirmInput, Person};
use crate::error::{Error, Result, Text};
use crate::service::{Firm, FirmRow};
use crate::store::{scope, Db, Engine, Row, ToArg, Value};

const FIRM_SELECT: &str = "SELECT f.id, f.credit_code, f.name, f.division, dv.name, f.township, f.address, f.industry, i.name,
    f.legal_representative, f.principal_name, f.principal_phone, f.contact_name, f.contact_phone, f.staff_total,
    f.city_managed, f.warnings, f.version, f.created_at, f.updated_at
    FROM firms f JOIN divisions dv ON dv.code = f.division JOIN industries i ON i.division = f.industry";

fn firm_from_row(r: &Row<'_>) -> Result<Firm> {
    let id: i64 = r.get(0)?;
    let warnings: String = r.get(16)?;
    let warnings: Vec<Text> = serde_json::from_str(&warnings)
        .map_err(|e| Error::internal(format!("stored warnings of firm {id}: {e}")))?;
    Ok(Firm {
        id,
        credit_code: r.get(1)?,
        name: r.get(2)?,
        division: r.get(3)?,
        division_name: r.get(4)?,
        township: r.get(5)?,
        address: r.get(6)?,
        industry: r.get(7)?,
        industry_name: r.get(8)?,
        legal_representative: r.get(9)?,
        principal: Person {
            name: r.get(10)?,
            phone: r.get(11)?,
        },
        contact: Person {
            name: r.get(12)?,
            phone: r.get(13)?,
        },
        staff_total: r.get(14)?,
        city_managed: r.get(15)?,
        warnings,
        version: r.get(17)?,
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
    })
}

pub(crate) fn by_id(db: Db<'_>, id: i64) -> Result<Option<Firm>> {
    db.row_opt(
        &format!("{FIRM_SELECT} WHERE f.id = ?1"),
        args![id],
        firm_from_row,
    )
}

/// The firm with this (normalised) credit code.
pub(crate) fn by_code(db: Db<'_>, code: &str) -> Result<Option<Firm>> {
    db.row_opt(
        &format!("{FIRM_SELECT} WHERE f.credit_code = ?1"),
        args![code],
        firm_from_row,
    )
}

/// The id of the firm with this credit code, if there is one.
pub(crate) fn id_of(db: Db<'_>, credit_code: &str) -> Result<Option<i64>> {
    db.first(
        "SELECT id FROM firms WHERE credit_code = ?1",
        args![credit_code],
    )
}

pub(crate) fn code_taken(db: Db<'_>, code: &str) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM firms WHERE credit_code = ?1",
        args![code],
    )?;
    Ok(n > 0)
}

/// A firm's record as written (registration and update alike).
pub(crate) struct FirmRecord<'a> {
    pub firm: &'a FirmInput,
    pub city_managed: bool,
    pub warnings: &'a [Text],
}

impl FirmRecord<'_> {
    fn warnings_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self.warnings)?)
    }
}

/// Registers a firm; its new id.
pub(crate) fn insert(db: Db<'_>, rec: &FirmRecord<'_>, now: DateTime<Utc>) -> Result<i64> {
    let f = rec.firm;
    db.one(
        "INSERT INTO firms(credit_code, name, division, township, address, industry, legal_representative,
            principal_name, principal_phone, contact_name, contact_phone, staff_total, city_managed, warnings,
            created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?15) RETURNING id",
        args![
            f.credit_code.as_str(),
            f.name,
            f.division.as_str(),
            f.township,
            f.address,
            f.industry.as_str(),
            f.legal_representative,
            f.principal.name,
            f.principal.phone,
            f.contact.name,
            f.contact.phone,
            f.staff_total,
            rec.city_managed,
            rec.warnings_json()?,
            now
        ],
    )
}

/// Rewrites firm `id`'s record (not its credit code) and moves it to the next version.
pub(crate) fn update(db: Db<'_>, id: i64, rec: &FirmRecord<'_>, now: DateTime<Utc>) -> Result<()> {
    let f = rec.firm;
    db.exec(
        "UPDATE firms SET name=?2, division=?3, township=?4, address=?5, industry=?6, legal_representative=?7,
            principal_name=?8, principal_phone=?9, contact_name=?10, contact_phone=?11, staff_total=?12,
            city_managed=?13, warnings=?14, version = version + 1, updated_at=?15 WHERE id = ?1",
        args![
            id,
            f.name,
            f.division.as_str(),
            f.township,
            f.address,
            f.industry.as_str(),
            f.legal_representative,
            f.principal.name,
            f.principal.phone,
            f.contact.name,
            f.contact.phone,
            f.staff_total,
            rec.city_managed,
            rec.warnings_json()?,
            now
        ],
    )?;
    Ok(())
}

/// Binds firm user `user_id` to firm `firm_id`, unless it is bound already.
pub(crate) fn bind_user(db: Db<'_>, user_id: i64, firm_id: i64) -> Result<()> {
    db.exec(
        "UPDATE users SET firm_id = ?2 WHERE id = ?1 AND firm_id IS NULL",
        args![user_id, firm_id],
    )?;
    Ok(())
}

/// Whether an application of the firm was routed to the department (None: no department).
pub(crate) fn routed_to_department(
    db: Db<'_>,
    firm_id: i64,
    department_id: Option<i64>,
) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM review_tasks t JOIN applications a ON a.id = t.application_id
         WHERE a.firm_id = ?1 AND t.department_id = ?2",
        args![firm_id, department_id],
    )?;
    Ok(n > 0)
}

/// What the firm list is filtered by.
pub(crate) struct ListFilter<'a> {
    /// Whose firms: see [`scope::firms`].
    pub scope: &'a Scope,
    pub division: Option<&'a str>,
    /// A name fragment or a credit-code prefix, trimmed, without control characters.
    pub search: Option<&'a str>,
}

/// A name fragment as a `LIKE … ESCAPE '\'` operand: `%`, `_` and `\` match themselves.
pub(crate) fn like_escaped(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len() + 4);
    for c in fragment.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Names holding the fragment as it is (its `%`, `_` and `\` included), on both engines.
const NAME_LIKE: &str = "f.name LIKE '%' || CAST(? AS TEXT) || '%' ESCAPE '\\'";

/// The name condition over `f` for a search fragment, with its argument. On SQLite a fragment of
/// three characters or more goes through the trigram full-text table `firms_fts` (a shorter one
/// has no trigram: LIKE); on PostgreSQL always LIKE (the pg_trgm index serves it).
pub(crate) fn name_condition(engine: Engine, fragment: &str) -> (&'static str, Value) {
    match engine {
        Engine::Sqlite if fragment.chars().count() >= 3 => (
            // The fragment as one quoted FTS5 phrase.
            "f.id IN (SELECT rowid FROM firms_fts WHERE firms_fts MATCH ?)",
            Value::Text(format!("\"{}\"", fragment.replace('"', "\"\""))),
        ),
        _ => (NAME_LIKE, Value::Text(like_escaped(fragment))),
    }
}

/// The statement of the firm list and its arguments.
/// The FROM and WHERE of the list: the firms `filter` selects.
fn where_sql(engine: Engine, filter: &ListFilter<'_>) -> (String, Vec<Value>) {
    let (cond, mut args) = scope::firms(filter.scope);
    let mut sql = format!("FROM firms f WHERE {cond}");
    if let Some(d) = filter.division {
        sql.push_str(" AND f.division = ?");
        args.push(d.into());
    }
    if let Some(s) = filter.search {
        let (name_cond, arg) = name_condition(engine, s);
        args.push(arg);
        let upper = s.to_ascii_uppercase();
        if upper.chars().all(|c| c.is_ascii_alphanumeric()) {
            // Or a credit-code prefix (codes are stored upper-case): a range over the unique
            // index, in bytewise order on both engines (PostgreSQL's database has collation C).
            sql.push_str(&format!(
                " AND ({name_cond} OR (f.credit_code >= ? AND f.credit_code < ?))"
            ));
            let end = format!("{upper}\u{7f}");
            args.push(Value::Text(upper));
            args.push(Value::Text(end));
        } else {
            sql.push_str(&format!(" AND {name_cond}"));
        }
    }
    (sql, args)
}

/// How many firms the list shows over all its pages (the pager's 共 N 条).
pub(crate) fn count(db: Db<'_>, filter: &ListFilter<'_>) -> Result<i64> {
    let (from, args) = where_sql(db.engine(), filter);
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.one(&format!("SELECT count(*) {from}"), &refs)
}

fn list_sql(
    engine: Engine,
    filter: &ListFilter<'_>,
    limit: u32,
    offset: u32,
) -> (String, Vec<Value>) {
    let (from, mut args) = where_sql(engine, filter);
    let mut sql = format!(
        "SELECT f.id, f.credit_code, f.name, f.division, f.industry, f.staff_total, f.warnings <> '[]'
         {from}"
    );
    let trigrams = filter.search.is_some_and(|s| s.chars().count() >= 3);
    if engine == Engine::Postgres && trigrams {
        // The matches first (through the trigram index, and the code's unique index), then their
        // order: left to itself the planner walks the name index in order and filters each row,
        // its guess of how many names hold a fragment being far too high (7-12 ms instead of
        // 0.2-1.8 ms among 20,000 firms). MATERIALIZED keeps the two apart. A fragment of one or
        // two characters has no trigram: the walk in name order, stopping after the page, is best.
        sql = format!(
            "WITH m AS MATERIALIZED ({sql}) SELECT * FROM m ORDER BY name, id LIMIT ? OFFSET ?"
        );
    } else {
        sql.push_str(" ORDER BY f.name, f.id LIMIT ? OFFSET ?");
    }
    args.push(Value::Int(limit.into()));
    args.push(Value::Int(offset.into()));
    (sql, args)
}

/// One page of the firms `filter` selects, by name.
pub(crate) fn list(
    db: Db<'_>,
    filter: &ListFilter<'_>,
    limit: u32,
    offset: u32,
) -> Result<Vec<FirmRow>> {
    let (sql, args) = list_sql(db.engine(), filter, limit, offset);
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(&sql, &refs, |r| {
        Ok(FirmRow {
            id: r.get(0)?,
            credit_code: r.get(1)?,
            name: r.get(2)?,
            division: r.get(3)?,
            industry: r.get(4)?,
            staff_total: r.get(5)?,
            has_warnings: r.get(6)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_fragments_escape_wildcards_and_the_escape() {
        assert_eq!(like_escaped("雨城"), "雨城");
        assert_eq!(like_escaped("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    /// The LIKE condition (SQLite's for short fragments, PostgreSQL's for all) matches `%`, `_`
    /// and `\` literally; run here on SQLite, where the PostgreSQL text is portable.
    #[test]
    fn name_search_takes_wildcards_literally() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::from(&c);
        db.batch("CREATE TABLE firms (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .unwrap();
        for name in ["甲50%乙", "甲50乙", "a_b", "axb", "c\\d", "cd", "c\\\\d"] {
            db.exec("INSERT INTO firms(name) VALUES (?1)", args![name])
                .unwrap();
        }
        let find = |engine: Engine, s: &str| -> Vec<String> {
            let (cond, arg) = name_condition(engine, s);
            db.rows(
                &format!("SELECT f.name FROM firms f WHERE {cond} ORDER BY f.name, f.id"),
                args![arg],
                |r| r.get(0),
            )
            .unwrap()
        };
        for engine in [Engine::Sqlite, Engine::Postgres] {
            assert_eq!(find(engine, "%"), vec!["甲50%乙"]);
            assert_eq!(find(engine, "_"), vec!["a_b"]);
            assert_eq!(find(engine, "\\"), vec!["c\\\\d", "c\\d"]);
            assert_eq!(find(engine, "\\\\"), vec!["c\\\\d"]);
        }
        // Three characters and more: SQLite's trigram table, PostgreSQL's LIKE.
        assert_eq!(find(Engine::Postgres, "50%"), vec!["甲50%乙"]);
        assert_eq!(find(Engine::Postgres, "a_b"), vec!["a_b"]);
        assert_eq!(find(Engine::Postgres, "c\\d"), vec!["c\\d"]);
    }

    /// The store's writes and reads of firms on a migrated database of either engine, and the
    /// list through the statements of `engines` (PostgreSQL's text is portable: it runs on SQLite
    /// too).
    fn firms_on(db: Db<'_>, engines: &[Engine]) {
        db.exec(
            "INSERT INTO divisions(code, name, short, level, parent) VALUES
             ('5118', '雅安市', '雅安', 'city', NULL), ('511802', '雨城区', '雨城', 'district', '5118')",
            args![],
        )
        .unwrap();
        db.exec(
            "INSERT INTO industries(division, section, name, department_kind) VALUES ('52', 'F', '零售业', NULL)",
            args![],
        )
        .unwrap();
        assert_eq!(
            crate::store::reference::industry_department_kind(db, "52").unwrap(),
            Some(None)
        );
        assert_eq!(
            crate::store::reference::industry_department_kind(db, "53").unwrap(),
            None
        );
        let now = chrono::DateTime::parse_from_rfc3339("2020-02-10T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut ids = Vec::new();
        for (n, name) in [(1, "雨城惠民超市"), (2, "雨城50%_商贸"), (3, "名山茶厂")] {
            let code = crate::service::demo::demo_credit_code("511802", n);
            let v = serde_json::json!({"credit_code": code, "name": name, "division": "511802",
                "township": "河北街道", "address": "雅安市雨城区青衣江路1号", "industry": "52",
                "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
                "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 20,
                "city_managed": false});
            let f = FirmInput::from_json(&v).unwrap();
            let warnings = vec![Text::new("提示", "note")];
            let rec = FirmRecord {
                firm: &f,
                city_managed: n == 3,
                warnings: if n == 3 { &warnings } else { &[] },
            };
            assert!(!code_taken(db, &code).unwrap());
            let id = insert(db, &rec, now).unwrap();
            assert!(code_taken(db, &code).unwrap());
            let firm = by_code(db, &code).unwrap().unwrap();
            assert_eq!((firm.id, firm.name.as_str()), (id, name));
            assert_eq!((firm.city_managed, firm.version), (n == 3, 1));
            assert_eq!(firm.warnings.len(), usize::from(n == 3));
            ids.push((id, code, f));
        }
        let rec = FirmRecord {
            firm: &ids[0].2,
            city_managed: true,
            warnings: &[],
        };
        update(db, ids[0].0, &rec, now).unwrap();
        let firm = by_id(db, ids[0].0).unwrap().unwrap();
        assert_eq!((firm.city_managed, firm.version), (true, 2));
        assert!(by_id(db, -1).unwrap().is_none());
        assert!(!routed_to_department(db, ids[0].0, Some(1)).unwrap());
        assert!(!routed_to_department(db, ids[0].0, None).unwrap());
        bind_user(db, -1, ids[0].0).unwrap();
        let names = |engine: Engine, scope: &Scope, search: &str| -> Vec<String> {
            let f = ListFilter {
                scope,
                division: Some("511802"),
                search: Some(search),
            };
            let (sql, args) = list_sql(engine, &f, 50, 0);
            let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
            db.rows(&sql, &refs, |r| r.get::<String>(2)).unwrap()
        };
        for &engine in engines {
            assert_eq!(
                names(engine, &Scope::All, "雨城"),
                vec!["雨城50%_商贸", "雨城惠民超市"]
            );
            assert_eq!(names(engine, &Scope::All, "惠民超"), vec!["雨城惠民超市"]);
            assert_eq!(names(engine, &Scope::All, "50%_"), vec!["雨城50%_商贸"]);
            assert!(names(engine, &Scope::All, "%%").is_empty());
            assert_eq!(
                names(engine, &Scope::All, "91511802"),
                names(engine, &Scope::All, "")
            );
            let prefix = ids[2].1[..12].to_ascii_lowercase();
            assert_eq!(names(engine, &Scope::All, &prefix).len(), 3);
            assert_eq!(names(engine, &Scope::All, &ids[2].1), vec!["名山茶厂"]);
            assert_eq!(
                names(engine, &Scope::Firm(ids[0].0), "雨城"),
                vec!["雨城惠民超市"]
            );
            assert!(names(engine, &Scope::Nothing, "雨城").is_empty());
            assert!(names(engine, &Scope::Department(1), "雨城").is_empty());
            assert_eq!(
                names(engine, &Scope::Division("511802".into()), "茶").len(),
                1
            );
        }
        let f = ListFilter {
            scope: &Scope::All,
            division: None,
            search: None,
        };
        let rows = list(db, &f, 2, 1).unwrap();
        let shown: Vec<(&str, bool)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.has_warnings))
            .collect();
        assert_eq!(
            shown,
            vec![("雨城50%_商贸", false), ("雨城惠民超市", false)]
        );
        assert!(list(db, &f, 2, 0).unwrap()[0].has_warnings);
    }

    #[test]
    fn firms_on_sqlite_with_both_engines_statements() {
        let c = crate::store::open_in_memory().unwrap();
        firms_on(Db::from(&c), &[Engine::Sqlite, Engine::Postgres]);
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn firms_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        firms_on(Db::from(&pg), &[Engine::Postgres]);
    }

    #[test]
    fn list_arguments_follow_their_placeholders() {
        let scope = Scope::Division("511802".into());
        for (engine, search) in [
            (Engine::Sqlite, Some("91511802MA")),
            (Engine::Sqlite, Some("雨城")),
            (Engine::Sqlite, Some("雨城惠民")),
            (Engine::Postgres, Some("91511802MA")),
            (Engine::Postgres, None),
        ] {
            let f = ListFilter {
                scope: &scope,
                division: Some("511802"),
                search,
            };
            let (sql, args) = list_sql(engine, &f, 50, 0);
            assert_eq!(sql.matches('?').count(), args.len(), "{sql}");
        }
        let f = ListFilter {
            scope: &Scope::All,
            division: None,
            search: Some("9151"),
        };
        let (_, args) = list_sql(Engine::Sqlite, &f, 50, 100);
        assert_eq!(
            args,
            vec![
                Value::Text("\"9151\"".into()),
                Value::Text("9151".into()),
                Value::Text("9151\u{7f}".into()),
                Value::Int(50),
                Value::Int(100),
            ]
        );
        let (sql, args) = list_sql(Engine::Postgres, &f, 50, 100);
        assert!(!sql.contains("firms_fts"), "{sql}");
        assert_eq!(
            args,
            vec![
                Value::Text("9151".into()),
                Value::Text("9151".into()),
                Value::Text("9151\u{7f}".into()),
                Value::Int(50),
                Value::Int(100),
            ]
        );
    }
}

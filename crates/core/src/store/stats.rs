//! Statistics: the dashboard's counts and trend, and the figures of `reopen stats` (one pass over
//! the applications in scope from the covering index `applications_stats`, and grouped counts of
//! submissions, decisions and firms found by their time indexes). Read-only.
//!
//! Days are local (Asia/Shanghai) and instants UTC: a range of days is given as the UTC instants
//! its first day starts and the day after its last starts (computed in Rust, served by indexes).
//! Only where rows are grouped by their local day does a statement compute it per row, through
//! [`local_day`], the one expression that differs between the engines.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::domain::auth::Scope;
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::{Count, Dim, OverdueRow};
use crate::store::db::ToArg;
use crate::store::{scope, Db, Engine, Row, Value};

/// The local (Asia/Shanghai) calendar day of the instant in column `col`, as `YYYY-MM-DD` text.
/// Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
pub(crate) fn local_day(db: Db<'_>, col: &str) -> String {
    match db.engine() {
        Engine::Sqlite => format!("date({col}, '+8 hours')"),
        Engine::Postgres => {
            format!("to_char(({col}::timestamptz AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD')")
        }
    }
}

/// The firms `scope` may see, as a condition over `f` (firms) with its arguments (in `?`
/// placeholders, to be appended after the statement's others).
fn firms(scope: &Scope) -> (String, Vec<Value>) {
    match scope {
        Scope::All => ("1=1".into(), vec![]),
        Scope::Nothing => ("1=0".into(), vec![]),
        Scope::Firm(id) => ("f.id = ?".into(), vec![Value::Int(*id)]),
        Scope::Division(d) => ("f.division = ?".into(), vec![Value::Text(d.clone())]),
        Scope::Department(id) => (
            "f.id IN (SELECT sa.firm_id FROM applications sa JOIN review_tasks st ON st.application_id = sa.id
             WHERE st.department_id = ?)"
                .into(),
            vec![Value::Int(*id)],
        ),
    }
}

/// A statement's own arguments followed by its scope's.
fn with_scope<'a>(own: &[&'a dyn ToArg], scope: &'a [Value]) -> Vec<&'a dyn ToArg> {
    let mut all = own.to_vec();
    all.extend(scope.iter().map(|v| v as &dyn ToArg));
    all
}

/// The column a dimension groups by: the firm's division or industry (two-digit division, mapped
/// to its section by the caller, not joined per row), or the application's category.
fn column(d: Dim) -> &'static str {
    match d {
        Dim::Division => "f.division",
        Dim::Industry => "f.industry",
        Dim::Category => "a.category",
    }
}

fn columns(by: &[Dim]) -> String {
    by.iter().map(|d| column(*d)).collect::<Vec<_>>().join(", ")
}

/// The first `n` cells of a row as the group's key.
fn keys(r: &Row<'_>, n: usize) -> Result<Vec<String>> {
    (0..n).map(|i| r.get(i)).collect()
}

// ---------------------------------------------------------------------------------------------
// Reference data

/// Division code → name.
pub(crate) fn division_names(db: Db<'_>) -> Result<HashMap<String, String>> {
    let rows = db.rows("SELECT code, name FROM divisions", args![], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.into_iter().collect())
}

pub(crate) fn division_name(db: Db<'_>, code: &str) -> Result<Option<String>> {
    db.first("SELECT name FROM divisions WHERE code = ?1", args![code])
}

/// Two-digit industry division → its GB/T 4754 section letter.
pub(crate) fn industry_sections(db: Db<'_>) -> Result<HashMap<String, String>> {
    let rows = db.rows("SELECT division, section FROM industries", args![], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.into_iter().collect())
}

/// The counties and districts `scope` covers (every one for the city's, its own for a county's).
pub(crate) fn counties(db: Db<'_>, scope: &Scope) -> Result<Vec<String>> {
    // 'city' is the level of the one division above the counties (reference data, not a state).
    match scope {
        Scope::All => db.rows(
            "SELECT code FROM divisions WHERE level <> 'city'",
            args![],
            |r| r.get(0),
        ),
        Scope::Division(d) => db.rows(
            "SELECT code FROM divisions WHERE level <> 'city' AND code = ?1",
            args![d],
            |r| r.get(0),
        ),
        Scope::Department(_) | Scope::Firm(_) | Scope::Nothing => Ok(vec![]),
    }
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/// What the dashboard counts applications by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grouping {
    State,
    Division,
    Section,
    Category,
}

/// Applications in scope counted by `g`, ordered by key (key = state code, division code,
/// section letter or category code; label = the division's name, else the key).
pub(crate) fn counts(db: Db<'_>, scope: &Scope, g: Grouping) -> Result<Vec<Count>> {
    let (key, label, join) = match g {
        Grouping::State => ("a.state", "a.state", ""),
        Grouping::Division => (
            "f.division",
            "dv.name",
            "JOIN divisions dv ON dv.code = f.division",
        ),
        Grouping::Section => (
            "i.section",
            "i.section",
            "JOIN industries i ON i.division = f.industry",
        ),
        Grouping::Category => ("a.category", "a.category", ""),
    };
    let (cond, scope_args) = scope::applications(scope);
    let sql = format!(
        "SELECT {key}, {label}, count(*) FROM applications a JOIN firms f ON f.id = a.firm_id {join}
         WHERE {cond} GROUP BY {key}, {label} ORDER BY {key}"
    );
    db.rows(&sql, &with_scope(&[], &scope_args), |r| {
        let key: String = match g {
            Grouping::State => r.decode(0, AppState::parse)?.as_str().to_string(),
            _ => r.get(0)?,
        };
        Ok(Count {
            key,
            label: r.get(1)?,
            count: r.get(2)?,
        })
    })
}

/// Local day → count, from a statement whose first column is the day and second the count.
fn by_day(
    db: Db<'_>,
    sql: &str,
    own: &[&dyn ToArg],
    scope_args: &[Value],
) -> Result<HashMap<NaiveDate, i64>> {
    let rows = db.rows(sql, &with_scope(own, scope_args), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.into_iter().collect())
}

/// Applications submitted in `[lo, hi)` by local day.
pub(crate) fn submitted_by_day(
    db: Db<'_>,
    scope: &Scope,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> Result<HashMap<NaiveDate, i64>> {
    let (cond, scope_args) = scope::applications(scope);
    let sql = format!(
        "SELECT {day}, count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
         WHERE a.submitted_at >= ? AND a.submitted_at < ? AND {cond} GROUP BY {day}",
        day = local_day(db, "a.submitted_at"),
    );
    by_day(db, &sql, args![lo, hi], &scope_args)
}

/// Approvals given in `[lo, hi)` by local day, including those revoked since: a past day's count
/// does not change.
pub(crate) fn approved_by_day(
    db: Db<'_>,
    scope: &Scope,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> Result<HashMap<NaiveDate, i64>> {
    let (cond, scope_args) = scope::applications(scope);
    let sql = format!(
        "SELECT {day}, count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
         WHERE a.state IN (?, ?, ?) AND a.decided_at >= ? AND a.decided_at < ? AND {cond}
         GROUP BY {day}",
        day = local_day(db, "a.decided_at"),
    );
    let [approved, certified, revoked] =
        [AppState::Approved, AppState::Certified, AppState::Revoked].map(AppState::as_str);
    by_day(
        db,
        &sql,
        args![approved, certified, revoked, lo, hi],
        &scope_args,
    )
}

/// Submissions decided with `verdict` (rejected, returned) in `[lo, hi)` by local day, each
/// submission once however many of its tasks carried the verdict.
pub(crate) fn verdicts_by_day(
    db: Db<'_>,
    scope: &Scope,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    verdict: TaskState,
) -> Result<HashMap<NaiveDate, i64>> {
    let (cond, scope_args) = scope::applications(scope);
    let sql = format!(
        "SELECT {day}, count(DISTINCT t.application_id || '-' || t.submission_no)
         FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id
         WHERE t.state = ? AND t.decided_at >= ? AND t.decided_at < ? AND {cond} GROUP BY {day}",
        day = local_day(db, "t.decided_at"),
    );
    by_day(db, &sql, args![verdict.as_str(), lo, hi], &scope_args)
}

/// Stages past their deadline at `now`, oldest first (at most `limit`).
pub(crate) fn overdue_tasks(
    db: Db<'_>,
    scope: &Scope,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<OverdueRow>> {
    let (cond, scope_args) = scope::applications(scope);
    // `t.state = 'pending'` is the partial index's own condition (review_tasks_pending_due): with
    // a parameter there SQLite could not use it.
    let sql = format!(
        "SELECT a.id, f.name, a.jurisdiction, d.name, t.stage_name, t.due_at, t.green_channel, dv.name
         FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id
         JOIN departments d ON d.id = t.department_id JOIN divisions dv ON dv.code = a.jurisdiction
         WHERE t.state = 'pending' AND t.due_at < ? AND {cond}
         ORDER BY t.due_at, t.application_id, t.id LIMIT {limit}"
    );
    db.rows(&sql, &with_scope(args![now], &scope_args), |r| {
        Ok(OverdueRow {
            application_id: r.get(0)?,
            firm_name: r.get(1)?,
            jurisdiction: r.get(2)?,
            department: r.get(3)?,
            stage_name: r.get(4)?,
            due_at: r.get(5)?,
            green_channel: r.get(6)?,
            jurisdiction_name: r.get(7)?,
        })
    })
}

/// The approved headcount of the applications approved (or certified) now.
pub(crate) fn approved_headcount(db: Db<'_>, scope: &Scope) -> Result<i64> {
    let (cond, scope_args) = scope::applications(scope);
    let sql = format!(
        "SELECT COALESCE(sum(a.approved_headcount), 0) FROM applications a JOIN firms f ON f.id = a.firm_id
         WHERE a.state IN (?, ?) AND {cond}"
    );
    let [approved, certified] = [AppState::Approved, AppState::Certified].map(AppState::as_str);
    db.one(&sql, &with_scope(args![approved, certified], &scope_args))
}

// ---------------------------------------------------------------------------------------------
// Statistics for a day or a range

/// Applications with a stage past its deadline at `now` (a few, from a partial index).
pub(crate) fn late_applications(db: Db<'_>, now: DateTime<Utc>) -> Result<HashSet<i64>> {
    // `state = 'pending'`: the partial index's own condition (see overdue_tasks).
    let ids = db.rows(
        "SELECT application_id FROM review_tasks WHERE state = 'pending' AND due_at < ?1",
        args![now],
        |r| r.get(0),
    )?;
    Ok(ids.into_iter().collect())
}

/// One application in scope as statistics read it.
pub(crate) struct AppFacts {
    /// The values of the dimensions grouped by, in order (the industry as its two-digit division).
    pub keys: Vec<String>,
    pub id: i64,
    pub firm_id: i64,
    pub state: AppState,
    /// RFC 3339 UTC text, compared as text with the range's bounds.
    pub decided_at: Option<String>,
    pub planned_date: String,
    pub approved_headcount: Option<i64>,
    pub key_area: Option<i64>,
    pub under_observation: Option<i64>,
}

impl AppFacts {
    /// The day the firm reopened (see [`crate::store::daily::reopened_on`]), once decided.
    pub fn reopened_on(&self) -> Result<Option<NaiveDate>> {
        let Some(decided) = self.decided_at.as_deref() else {
            return Ok(None);
        };
        let planned = NaiveDate::parse_from_str(&self.planned_date, "%Y-%m-%d").map_err(|e| {
            Error::internal(format!(
                "application {}: planned date {:?}: {e}",
                self.id, self.planned_date
            ))
        })?;
        let decided = crate::service::parse_ts(decided)?;
        Ok(Some(crate::store::daily::reopened_on(planned, decided)))
    }
}

/// Every application in scope passed to `f`, in one pass over the covering index
/// `applications_stats` (and the firm by its key).
pub(crate) fn each_application(
    db: Db<'_>,
    scope: &Scope,
    by: &[Dim],
    mut f: impl FnMut(AppFacts) -> Result<()>,
) -> Result<()> {
    let (cond, scope_args) = scope::applications(scope);
    let n = by.len();
    let sql = format!(
        "SELECT {}, a.firm_id, a.state, a.decided_at, a.planned_date, a.approved_headcount,
                a.key_area, a.under_observation, a.id
         FROM applications a JOIN firms f ON f.id = a.firm_id WHERE {cond}",
        columns(by)
    );
    db.each(&sql, &with_scope(&[], &scope_args), |r| {
        f(AppFacts {
            keys: keys(r, n)?,
            firm_id: r.get(n)?,
            state: r.decode(n + 1, AppState::parse)?,
            decided_at: r.get(n + 2)?,
            planned_date: r.get(n + 3)?,
            approved_headcount: r.get(n + 4)?,
            key_area: r.get(n + 5)?,
            under_observation: r.get(n + 6)?,
            id: r.get(n + 7)?,
        })
    })
}

/// Submissions received in `[lo, hi)` (a resubmission counts again), by the dimensions.
pub(crate) fn submissions_by(
    db: Db<'_>,
    scope: &Scope,
    by: &[Dim],
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> Result<Vec<(Vec<String>, i64)>> {
    let (cond, scope_args) = scope::applications(scope);
    let (keys_sql, n) = (columns(by), by.len());
    let sql = format!(
        "SELECT {keys_sql}, count(*) FROM submissions s JOIN applications a ON a.id = s.application_id
         JOIN firms f ON f.id = a.firm_id
         WHERE s.submitted_at >= ? AND s.submitted_at < ? AND {cond} GROUP BY {keys_sql}"
    );
    db.rows(&sql, &with_scope(args![lo, hi], &scope_args), |r| {
        Ok((keys(r, n)?, r.get(n)?))
    })
}

/// Submissions rejected or returned in `[lo, hi)`, by the dimensions and the verdict (each
/// submission once however many of its tasks carried the verdict).
pub(crate) fn verdicts_by(
    db: Db<'_>,
    scope: &Scope,
    by: &[Dim],
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
) -> Result<Vec<(Vec<String>, TaskState, i64)>> {
    let (cond, scope_args) = scope::applications(scope);
    let (keys_sql, n) = (columns(by), by.len());
    let sql = format!(
        "SELECT {keys_sql}, t.state, count(DISTINCT t.application_id || '-' || t.submission_no)
         FROM review_tasks t JOIN applications a ON a.id = t.application_id
         JOIN firms f ON f.id = a.firm_id
         WHERE t.decided_at >= ? AND t.decided_at < ? AND t.state IN (?, ?) AND {cond}
         GROUP BY {keys_sql}, t.state"
    );
    let [rejected, returned] = [TaskState::Rejected, TaskState::Returned].map(TaskState::as_str);
    let own = args![lo, hi, rejected, returned];
    db.rows(&sql, &with_scope(own, &scope_args), |r| {
        Ok((keys(r, n)?, r.decode(n, TaskState::parse)?, r.get(n + 1)?))
    })
}

/// Firms registered before `hi`, by the dimensions: by the firm's own keys, or — grouped by
/// category, which only an application has — the firms with an application in scope.
pub(crate) fn firms_by(
    db: Db<'_>,
    scope: &Scope,
    by: &[Dim],
    hi: DateTime<Utc>,
) -> Result<Vec<(Vec<String>, i64)>> {
    let (keys_sql, n) = (columns(by), by.len());
    let (sql, scope_args) = if by.contains(&Dim::Category) {
        let (cond, args) = scope::applications(scope);
        (
            format!(
                "SELECT {keys_sql}, count(DISTINCT a.firm_id) FROM applications a JOIN firms f ON f.id = a.firm_id
                 WHERE f.created_at < ? AND {cond} GROUP BY {keys_sql}"
            ),
            args,
        )
    } else {
        let (cond, args) = firms(scope);
        (
            format!(
                "SELECT {keys_sql}, count(*) FROM firms f WHERE f.created_at < ? AND {cond} GROUP BY {keys_sql}"
            ),
            args,
        )
    };
    db.rows(&sql, &with_scope(args![hi], &scope_args), |r| {
        Ok((keys(r, n)?, r.get(n)?))
    })
}

/// Firms in scope registered before `hi`.
pub(crate) fn firms_total(db: Db<'_>, scope: &Scope, hi: DateTime<Utc>) -> Result<i64> {
    let (cond, scope_args) = firms(scope);
    let sql = format!("SELECT count(*) FROM firms f WHERE f.created_at < ? AND {cond}");
    db.one(&sql, &with_scope(args![hi], &scope_args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{local_date, ts};
    use chrono::TimeZone;

    /// SQLite's local-day expression gives the day `service::local_date` gives, on both sides of
    /// local midnight (16:00 UTC).
    #[test]
    fn the_local_day_expression_is_the_local_date() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::from(&c);
        let sql = format!("SELECT {}", local_day(db, "CAST(?1 AS TEXT)"));
        for (d, h, m, s) in [
            (9, 15, 59, 59),
            (9, 16, 0, 0),
            (10, 0, 0, 0),
            (10, 23, 59, 59),
        ] {
            let at = Utc.with_ymd_and_hms(2020, 2, d, h, m, s).unwrap();
            let day: NaiveDate = db.one(&sql, args![at]).unwrap();
            assert_eq!(day, local_date(at), "{}", ts(at));
        }
    }

    /// Every statement of `store::stats` and `store::daily` on PostgreSQL (when `REOPEN_TEST_PG`
    /// names a cluster, as scripts/test.sh sets it; skipped otherwise), over a few rows: each one
    /// prepares, runs and reads back what SQLite gives.
    #[test]
    fn every_statement_runs_on_postgresql() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        let db = Db::Postgres(&pg);
        let t = "2020-02-10T02:00:00Z";
        db.batch(&format!(
            "INSERT INTO divisions VALUES ('511800', '雅安市', '雅安', 'city', NULL),
                ('511802', '雨城区', '雨城', 'district', '511800');
             INSERT INTO department_kinds VALUES ('SWJ', '商务局', 'commerce', 'industry');
             INSERT INTO departments(id, division, kind, name) VALUES (1, '511802', 'SWJ', '雨城区商务局');
             INSERT INTO industries VALUES ('52', 'F', '零售业', 'SWJ');
             INSERT INTO users(id, name, role, division, password_hash, password_changed_at, created_at)
                VALUES (1, 'clerk', 'clerk', '511802', 'x', '{t}', '{t}');
             INSERT INTO firms(id, credit_code, name, division, township, address, industry, legal_representative,
                principal_name, principal_phone, contact_name, contact_phone, staff_total, city_managed,
                created_at, updated_at)
                VALUES (1, 'C1', '甲', '511802', '街道', '路', '52', '张', '张', '1', '李', '2', 10, 0, '{t}', '{t}');
             INSERT INTO applications(id, firm_id, jurisdiction, state, category, planned_date, planned_headcount,
                plan, approved_headcount, created_by, created_at, updated_at, submitted_at, decided_at)
                VALUES (1, 1, '511802', 'approved', 'general', '2020-02-10', 5,
                '{{\"headcount\":{{\"key_area\":2}}}}', 4, 1, '{t}', '{t}', '{t}', '2020-02-09T16:30:00Z');
             INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings, submitted_by,
                submitted_at) VALUES (1, 1, '{{}}', '[]', '[]', '[]', 1, '{t}');
             INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id, quorum, state,
                green_channel, opened_at, due_at) VALUES (1, 1, 1, '行业审核', 1, 1, 'pending', 1, '{t}', '{t}');"
        ))
        .unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (lo, hi, now) = (
            at("2020-02-08T16:00:00Z"),
            at("2020-02-10T16:00:00Z"),
            at("2020-02-10T03:00:00Z"),
        );
        let day = NaiveDate::from_ymd_opt(2020, 2, 10).unwrap();
        for scope in [
            Scope::All,
            Scope::Division("511802".into()),
            Scope::Department(1),
        ] {
            for g in [
                Grouping::State,
                Grouping::Division,
                Grouping::Section,
                Grouping::Category,
            ] {
                let c = counts(db, &scope, g).unwrap();
                assert_eq!(c.iter().map(|c| c.count).sum::<i64>(), 1, "{g:?}");
            }
            assert_eq!(submitted_by_day(db, &scope, lo, hi).unwrap()[&day], 1);
            let approved_day = NaiveDate::from_ymd_opt(2020, 2, 10).unwrap();
            assert_eq!(
                approved_by_day(db, &scope, lo, hi).unwrap()[&approved_day],
                1
            );
            verdicts_by_day(db, &scope, lo, hi, TaskState::Rejected).unwrap();
            let overdue = overdue_tasks(db, &scope, now, 100).unwrap();
            assert!(overdue.len() == 1 && overdue[0].green_channel);
            assert_eq!(approved_headcount(db, &scope).unwrap(), 4);
            let by = [Dim::Division, Dim::Industry];
            let mut seen = 0;
            each_application(db, &scope, &by, |a| {
                assert_eq!(a.keys, ["511802", "52"]);
                assert_eq!((a.key_area, a.reopened_on()?), (Some(2), Some(day)));
                seen += 1;
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, 1);
            assert_eq!(submissions_by(db, &scope, &by, lo, hi).unwrap().len(), 1);
            verdicts_by(db, &scope, &by, lo, hi).unwrap();
            assert_eq!(firms_by(db, &scope, &by, hi).unwrap()[0].1, 1);
            assert_eq!(firms_by(db, &scope, &[Dim::Category], hi).unwrap()[0].1, 1);
            assert_eq!(firms_total(db, &scope, hi).unwrap(), 1);
            assert_eq!(
                counties(db, &scope).unwrap().len(),
                usize::from(scope != Scope::Department(1))
            );
            // Daily reports: file one, read it back every way, follow its flag up.
            let expected = crate::store::daily::compliance(db, &scope, day, "d").unwrap();
            assert_eq!(expected.len(), 1);
            crate::store::daily::open_flags(db, &scope).unwrap();
        }
        assert_eq!(late_applications(db, now).unwrap().len(), 1);
        assert_eq!(
            division_name(db, "511802").unwrap().as_deref(),
            Some("雨城区")
        );
        assert_eq!(division_names(db).unwrap().len(), 2);
        assert_eq!(industry_sections(db).unwrap()["52"], "F");
        use crate::store::daily as d;
        let app = d::reopened_app(db, 1).unwrap().unwrap();
        assert_eq!((app.app_id, app.reopened_on), (1, day));
        assert_eq!(d::filed_at(db, 1, day).unwrap(), None);
        let flags = [crate::domain::daily::DailyFlag::Fever];
        let id = d::insert_report(
            db,
            &d::NewReport {
                firm_id: 1,
                application_id: 1,
                date: day,
                staff_on_site: 3,
                fever: 1,
                under_observation: 0,
                masks_remaining: 10,
                notes: "",
                filed_at: now,
                filed_by: 1,
                timeliness: crate::domain::daily::DayStatus::OnTime,
                flags: &flags,
            },
        )
        .unwrap();
        assert_eq!(d::filed_at(db, 1, day).unwrap(), Some(now));
        assert_eq!(d::report_by_id(db, id).unwrap().unwrap().flags, flags);
        assert_eq!(d::reports_of_firm(db, 1, 50, 0).unwrap().len(), 1);
        assert_eq!(d::filed_for_day(db, 1, day).unwrap().unwrap().id, id);
        assert_eq!(d::open_flags(db, &Scope::All).unwrap().len(), 1);
        assert!(d::routed_to(db, 1, Some(1)).unwrap());
        assert!(!d::routed_to(db, 1, None).unwrap());
        d::handle_flag(db, id, now, 1, "已处理").unwrap();
        assert!(d::open_flags(db, &Scope::All).unwrap().is_empty());
        let rows = d::compliance(db, &Scope::All, day, "d").unwrap();
        assert_eq!((rows[0].report_id, rows[0].flags.len()), (Some(id), 1));
        assert_eq!(
            d::filed_in_range(db, day, day).unwrap(),
            vec![(1, day, now)]
        );
    }
}

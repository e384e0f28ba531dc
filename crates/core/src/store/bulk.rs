//! Bulk inserts for the synthetic demo databases (`init --demo --scale city|province`): rows
//! written straight into the tables, bypassing the use cases, inside the generator's one write
//! transaction. Each statement is prepared once per connection and reused for every row (the
//! statement cache of `Db::exec`). Also the few lookups the demo generator makes on its own users.

use crate::args;
use crate::domain::auth::Role;
use crate::error::{Error, Result};
use crate::store::Db;

/// The first enabled administrator (the demo's data are made in its name).
pub(crate) fn first_admin_id(db: Db<'_>) -> Result<Option<i64>> {
    db.first(
        "SELECT id FROM users WHERE role = ?1 AND disabled = 0 ORDER BY id LIMIT 1",
        args![Role::Admin.as_str()],
    )
}

/// The id of the user named `name`.
pub(crate) fn user_id(db: Db<'_>, name: &str) -> Result<i64> {
    db.first("SELECT id FROM users WHERE name = ?1", args![name])?
        .ok_or_else(|| Error::internal(format!("the demo user {name} is missing")))
}

/// Demo users keep the password they were given (the demo prints it).
pub(crate) fn keep_password(db: Db<'_>, user_id: i64) -> Result<()> {
    db.exec(
        "UPDATE users SET must_change = 0 WHERE id = ?1",
        args![user_id],
    )?;
    Ok(())
}

/// The department of `kind` in `division`.
pub(crate) fn department_id(db: Db<'_>, division: &str, kind: &str) -> Result<i64> {
    db.first(
        "SELECT id FROM departments WHERE division = ?1 AND kind = ?2",
        args![division, kind],
    )?
    .ok_or_else(|| Error::internal(format!("no department {kind} in {division}")))
}

/// A synthetic firm: a township, representative, principal and contact that are the same for all.
pub(crate) struct Firm<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub division: &'a str,
    pub address: &'a str,
    pub industry: &'a str,
    pub staff_total: u32,
    pub at: &'a str,
}

pub(crate) fn insert_firm(db: Db<'_>, f: &Firm<'_>) -> Result<()> {
    db.exec(
        "INSERT INTO firms(credit_code, name, division, township, address, industry, legal_representative, principal_name,
            principal_phone, contact_name, contact_phone, staff_total, city_managed, created_at, updated_at)
         VALUES (?1, ?2, ?3, '城区街道', ?4, ?5, '张三', '张三', '13800000000', '李四', '13900000000', ?6, 0, ?7, ?7)",
        args![f.credit_code, f.name, f.division, f.address, f.industry, f.staff_total, f.at],
    )?;
    Ok(())
}

/// A synthetic application at version 3, its roster count equal to its planned headcount;
/// created and updated at `opened`.
pub(crate) struct Application<'a> {
    pub firm_id: i64,
    pub jurisdiction: &'a str,
    pub state: &'a str,
    pub category: &'a str,
    pub planned_date: &'a str,
    pub planned_headcount: u32,
    pub plan: &'a str,
    pub submission_no: i64,
    pub stage: Option<u32>,
    pub approved_headcount: Option<u32>,
    pub created_by: i64,
    pub opened: &'a str,
    pub submitted_at: Option<&'a str>,
    pub decided_at: Option<&'a str>,
}

/// Inserts the application; its id.
pub(crate) fn insert_application(db: Db<'_>, a: &Application<'_>) -> Result<i64> {
    db.one(
        "INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount, plan, roster_count,
            version, submission_no, stage, approved_headcount, created_by, created_at, updated_at, submitted_at, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, 3, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)
         RETURNING id",
        args![
            a.firm_id,
            a.jurisdiction,
            a.state,
            a.category,
            a.planned_date,
            a.planned_headcount,
            a.plan,
            a.submission_no,
            a.stage,
            a.approved_headcount,
            a.created_by,
            a.opened,
            a.submitted_at,
            a.decided_at
        ],
    )
}

/// A synthetic daily report: nobody under observation, no notes.
pub(crate) struct DailyReport<'a> {
    pub firm_id: i64,
    pub application_id: i64,
    pub report_date: chrono::NaiveDate,
    pub staff_on_site: u32,
    pub fever: u32,
    pub masks_remaining: u32,
    pub filed_at: &'a str,
    pub filed_by: i64,
    pub timeliness: &'a str,
    /// A JSON array.
    pub flags: &'a str,
}

pub(crate) fn insert_daily_report(db: Db<'_>, d: &DailyReport<'_>) -> Result<()> {
    db.exec(
        "INSERT INTO daily_reports(firm_id, application_id, report_date, staff_on_site, fever, under_observation,
            masks_remaining, notes, filed_at, filed_by, timeliness, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, '', ?7, ?8, ?9, ?10)",
        args![
            d.firm_id,
            d.application_id,
            d.report_date,
            d.staff_on_site,
            d.fever,
            d.masks_remaining,
            d.filed_at,
            d.filed_by,
            d.timeliness,
            d.flags
        ],
    )?;
    Ok(())
}

/// The first submission of an application, with an empty roster snapshot and no findings.
pub(crate) fn insert_first_submission(
    db: Db<'_>,
    application_id: i64,
    plan: &str,
    stages: &str,
    submitted_by: i64,
    submitted_at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings, submitted_by, submitted_at)
         VALUES (?1, 1, ?2, '[]', ?3, '[]', ?4, ?5)",
        args![application_id, plan, stages, submitted_by, submitted_at],
    )?;
    Ok(())
}

/// A review task of the first submission, with a quorum of one.
pub(crate) struct ReviewTask<'a> {
    pub application_id: i64,
    pub stage: u32,
    pub stage_name: &'a str,
    pub department_id: i64,
    pub state: &'a str,
    pub green_channel: bool,
    pub opened_at: &'a str,
    pub due_at: &'a str,
    pub decided_at: Option<&'a str>,
    pub decided_by: Option<i64>,
    pub opinion: Option<&'a str>,
    pub headcount: Option<u32>,
}

pub(crate) fn insert_review_task(db: Db<'_>, t: &ReviewTask<'_>) -> Result<()> {
    db.exec(
        "INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id, quorum, state, green_channel,
            opened_at, due_at, decided_at, decided_by, opinion, headcount)
         VALUES (?1, 1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        args![
            t.application_id,
            t.stage,
            t.stage_name,
            t.department_id,
            t.state,
            t.green_channel,
            t.opened_at,
            t.due_at,
            t.decided_at,
            t.decided_by,
            t.opinion,
            t.headcount
        ],
    )?;
    Ok(())
}

/// A synthetic roster row: a worker (操作工) from Ya'an, not under observation.
pub(crate) struct RosterEntry<'a> {
    pub application_id: i64,
    pub row_no: u32,
    pub name: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    pub from_elsewhere: bool,
    pub from_region: &'a str,
    pub return_date: Option<&'a str>,
    pub health: &'a str,
}

pub(crate) fn insert_roster_entry(db: Db<'_>, r: &RosterEntry<'_>) -> Result<()> {
    db.exec(
        "INSERT INTO roster_entries(application_id, row_no, name, id_number, phone, post, home_region, from_elsewhere,
            from_region, return_date, observation_start, observation_end, health)
         VALUES (?1, ?2, ?3, ?4, ?5, '操作工', '雅安市', ?6, ?7, ?8, NULL, NULL, ?9)",
        args![
            r.application_id,
            r.row_no,
            r.name,
            r.id_number,
            r.phone,
            r.from_elsewhere,
            r.from_region,
            r.return_date,
            r.health
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::{AppState, TaskState};

    /// Every statement above on a migrated database of either engine, over one row each.
    fn bulk_on(db: Db<'_>) {
        for sql in [
            "INSERT INTO divisions(code, name, short, level, parent) VALUES ('511802', '雨城区', '雨城', 'district', NULL)",
            "INSERT INTO department_kinds(code, name, name_en, kind) VALUES ('SWJ', '商务局', 'Commerce', 'industry')",
            "INSERT INTO department_kinds(code, name, name_en, kind) VALUES ('ZHB', '领导小组办公室', 'Office', 'countersign')",
            "INSERT INTO departments(division, kind, name) VALUES ('511802', 'SWJ', '雨城区商务局')",
            "INSERT INTO departments(division, kind, name) VALUES ('511802', 'ZHB', '雨城区领导小组办公室')",
            "INSERT INTO industries(division, section, name, department_kind) VALUES ('52', 'F', '零售业', 'SWJ')",
            "INSERT INTO users(name, role, password_hash, password_changed_at, created_at)
             VALUES ('boss', 'admin', 'x', '2020-02-10T01:00:00Z', '2020-02-10T01:00:00Z')",
        ] {
            db.exec(sql, args![]).unwrap();
        }
        let admin = first_admin_id(db).unwrap().unwrap();
        assert_eq!(user_id(db, "boss").unwrap(), admin);
        assert!(user_id(db, "nobody").is_err());
        keep_password(db, admin).unwrap();
        let swj = department_id(db, "511802", "SWJ").unwrap();
        assert!(department_id(db, "511802", "JXJ").is_err());
        let at = "2020-02-10T01:00:00Z";
        insert_firm(
            db,
            &Firm {
                credit_code: "91511802MB0000001X",
                name: "雅安雅安食品0有限公司",
                division: "511802",
                address: "511802某路0号",
                industry: "52",
                staff_total: 40,
                at,
            },
        )
        .unwrap();
        let firm: i64 = db.one("SELECT id FROM firms", args![]).unwrap();
        let app = insert_application(
            db,
            &Application {
                firm_id: firm,
                jurisdiction: "511802",
                state: AppState::Approved.as_str(),
                category: "production",
                planned_date: "2020-02-08",
                planned_headcount: 20,
                plan: "{}",
                submission_no: 1,
                stage: None,
                approved_headcount: Some(19),
                created_by: admin,
                opened: at,
                submitted_at: Some(at),
                decided_at: Some(at),
            },
        )
        .unwrap();
        insert_daily_report(
            db,
            &DailyReport {
                firm_id: firm,
                application_id: app,
                report_date: chrono::NaiveDate::from_ymd_opt(2020, 2, 9).unwrap(),
                staff_on_site: 19,
                fever: 0,
                masks_remaining: 400,
                filed_at: at,
                filed_by: admin,
                timeliness: "on_time",
                flags: "[]",
            },
        )
        .unwrap();
        insert_first_submission(db, app, "{}", "[]", admin, at).unwrap();
        for (stage, st) in [(0, TaskState::Approved), (1, TaskState::Pending)] {
            let decided = st != TaskState::Pending;
            insert_review_task(
                db,
                &ReviewTask {
                    application_id: app,
                    stage,
                    stage_name: "行业主管部门审核",
                    department_id: swj,
                    state: st.as_str(),
                    green_channel: false,
                    opened_at: at,
                    due_at: at,
                    decided_at: decided.then_some(at),
                    decided_by: decided.then_some(admin),
                    opinion: decided.then_some("同意"),
                    headcount: decided.then_some(19),
                },
            )
            .unwrap();
        }
        insert_roster_entry(
            db,
            &RosterEntry {
                application_id: app,
                row_no: 1,
                name: "员工0",
                id_number: "511802196501010000",
                phone: "13900000000",
                from_elsewhere: true,
                from_region: "四川省成都市",
                return_date: Some("2020-02-08"),
                health: "normal",
            },
        )
        .unwrap();
        let count = |t: &str| -> i64 {
            db.one(&format!("SELECT count(*) FROM {t}"), args![])
                .unwrap()
        };
        for (t, n) in [
            ("applications", 1),
            ("daily_reports", 1),
            ("submissions", 1),
            ("review_tasks", 2),
            ("roster_entries", 1),
        ] {
            assert_eq!(count(t), n, "{t}");
        }
        let (state, roster, must_change): (String, i64, bool) = db
            .row(
                "SELECT a.state, a.roster_count, u.must_change FROM applications a JOIN users u ON u.id = a.created_by",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (state.as_str(), roster, must_change),
            ("approved", 20, false)
        );
    }

    #[test]
    fn bulk_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        bulk_on(Db::from(&c));
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn bulk_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        bulk_on(Db::from(&pg));
    }
}

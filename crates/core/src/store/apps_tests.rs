//! Every statement of `store::{apps, tasks, roster, submissions, attachments, retention}`
//! over a few rows, on SQLite and — when `REOPEN_TEST_PG` names a cluster, as scripts/test.sh
//! sets it — on PostgreSQL: each prepares, runs and reads back the same.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::auth::Scope;
use crate::domain::plan::Plan;
use crate::domain::roster::{Health, RosterRecord};
use crate::domain::workflow::{AppState, OpenTask, TaskState};
use crate::store::retention::Guard;
use crate::store::seal::{is_sealed, RosterKey, Sealer};
use crate::store::{apps, attachments, retention, roster, submissions, tasks, Db};

const T: &str = "2020-02-10T02:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn fixture(db: Db<'_>) {
    db.batch(&format!(
        "INSERT INTO divisions VALUES ('511800', '雅安市', '雅安', 'city', NULL),
            ('511802', '雨城区', '雨城', 'district', '511800');
         INSERT INTO department_kinds VALUES ('SWJ', '商务局', 'commerce', 'industry');
         INSERT INTO departments(id, division, kind, name) VALUES (1, '511802', 'SWJ', '雨城区商务局');
         INSERT INTO industries VALUES ('52', 'F', '零售业', 'SWJ');
         INSERT INTO users(id, name, role, division, password_hash, password_changed_at, created_at)
            VALUES (1, 'clerk', 'clerk', '511802', 'x', '{T}', '{T}');
         INSERT INTO firms(id, credit_code, name, division, township, address, industry, legal_representative,
            principal_name, principal_phone, contact_name, contact_phone, staff_total, city_managed,
            created_at, updated_at)
            VALUES (1, 'C1', '甲', '511802', '街道', '路', '52', '张', '张', '1', '李', '2', 10, 0, '{T}', '{T}');"
    ))
    .unwrap();
}

fn person(i: u32) -> RosterRecord {
    RosterRecord {
        name: format!("员工{i}"),
        id_number: format!("51180219900101{i:04}"),
        phone: format!("1380000{i:04}"),
        post: "操作工".into(),
        home_region: "雅安市".into(),
        from_elsewhere: i % 2 == 0,
        from_region: String::new(),
        return_date: NaiveDate::from_ymd_opt(2020, 2, 1),
        observation_start: None,
        observation_end: None,
        health: Health::Normal,
    }
}

fn exercise(db: Db<'_>) {
    fixture(db);
    let now = at(T);
    let plan = Plan {
        category: Some("general".into()),
        planned_date: NaiveDate::from_ymd_opt(2020, 2, 12),
        ..Plan::default()
    };
    // A draft, its plan changed, found as the firm's open application.
    let new = apps::NewApp {
        firm_id: 1,
        jurisdiction: "511802",
        plan: &plan,
        created_by: 1,
        now,
    };
    let id = apps::insert(db, &new).unwrap();
    assert_eq!(
        apps::open_of_firm(db, 1).unwrap(),
        Some((id, AppState::Draft))
    );
    assert_eq!(apps::firm_division(db, 1).unwrap(), "511802");
    apps::update_plan(db, id, &plan, now).unwrap();
    let core = apps::core(db, id).unwrap().unwrap();
    assert_eq!((core.version, core.plan.clone()), (2, plan.clone()));
    assert!(apps::core(db, id + 1).unwrap().is_none());

    // The roster, sealed as it is written, reads back in clear.
    let key = RosterKey::generate();
    let sealer = Sealer::new(Some(key.clone()), true);
    let people: Vec<RosterRecord> = (1..=3).map(person).collect();
    roster::insert(db, &sealer, id, &people).unwrap();
    let stored: Vec<String> = db
        .rows(
            "SELECT id_number FROM roster_entries ORDER BY id",
            crate::args![],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored.iter().all(|s| is_sealed(s)));
    assert_eq!(roster::load(db, &sealer, id).unwrap(), people);
    assert!(roster::load(db, &Sealer::new(None, true), id).is_err());
    apps::set_roster_count(db, id, people.len(), now).unwrap();
    assert_eq!(apps::roster_count(db, id).unwrap(), 3);
    assert_eq!(roster::count(db, id).unwrap(), 3);

    // Submitted: frozen, a task opened, the application in review.
    submissions::insert(
        db,
        &sealer,
        &submissions::NewSubmission {
            app_id: id,
            submission_no: 1,
            plan: &serde_json::to_string(&plan).unwrap(),
            roster: &people,
            stages: "[]",
            findings: "[]",
            submitted_by: 1,
            now,
        },
    )
    .unwrap();
    let open = [OpenTask {
        stage: 1,
        stage_name: "行业审核".into(),
        department_id: 1,
        quorum: 1,
        due_at: at("2020-02-11T02:00:00Z"),
    }];
    tasks::insert_open(db, id, 1, &open, true, now).unwrap();
    apps::mark_submitted(
        db,
        id,
        &apps::Submitted {
            state: AppState::InReview,
            stage: Some(1),
            submission_no: 1,
            approved_headcount: None,
            now,
        },
    )
    .unwrap();
    let details = apps::details(db, id).unwrap();
    assert_eq!(
        (details.submitted_at.as_deref(), details.decided_at),
        (Some(T), None)
    );
    assert_eq!(
        submissions::findings(db, id, 1).unwrap().as_deref(),
        Some("[]")
    );
    assert_eq!(submissions::stages(db, id, 1).unwrap(), "[]");
    let (_, frozen) = submissions::plan_and_roster(db, &sealer, id, 1)
        .unwrap()
        .unwrap();
    assert_eq!(frozen, people);
    assert!(submissions::plan_and_roster(db, &sealer, id, 2)
        .unwrap()
        .is_none());
    assert_eq!(
        submissions::history(db, id).unwrap()[0].submitted_by,
        "clerk"
    );
    for pending_only in [true, false] {
        assert_eq!(
            tasks::count_for_department(db, id, Some(1), pending_only).unwrap(),
            1
        );
        assert_eq!(
            tasks::count_for_department(db, id, None, pending_only).unwrap(),
            0
        );
    }
    let tasks = tasks::timeline(db, id).unwrap();
    assert_eq!(
        (tasks.len(), tasks[0].state, tasks[0].department.as_str()),
        (1, TaskState::Pending, "511802-SWJ")
    );

    // The list through every scope and filter.
    for (scope, n) in [
        (Scope::All, 1),
        (Scope::Division("511802".into()), 1),
        (Scope::Department(1), 1),
        (Scope::Firm(1), 1),
        (Scope::Firm(2), 0),
        (Scope::Nothing, 0),
    ] {
        let f = apps::ListFilter {
            state: Some(AppState::InReview),
            division: Some("511802"),
            department_id: Some(1),
            credit_code: Some("C1"),
            limit: 10,
            offset: 0,
        };
        assert_eq!(apps::list(db, &scope, &f).unwrap().len(), n, "{scope:?}");
    }

    // Withdrawn: the task closed, the application closed and due for a purge.
    tasks::close_pending_of_application(db, id).unwrap();
    apps::set_state_unstaged(db, id, AppState::Withdrawn, now).unwrap();
    assert_eq!(apps::open_of_firm(db, 1).unwrap(), None);
    assert_eq!(tasks::timeline(db, id).unwrap()[0].state, TaskState::Closed);
    assert_eq!(
        retention::closed_before(db, at("2020-03-01T00:00:00Z")).unwrap(),
        [id]
    );
    assert!(retention::closed_before(db, now).unwrap().is_empty());

    // Sealing a database that was plain: every number, once, and the frozen roster too.
    let plain = Sealer::default();
    let id2 = apps::insert(db, &new).unwrap();
    roster::insert(db, &plain, id2, &[person(7)]).unwrap();
    let sealed_rows = roster::seal_all(db, &key).unwrap();
    assert_eq!(sealed_rows, 4);
    assert_eq!(roster::load(db, &sealer, id2).unwrap(), [person(7)]);
    let n = retention::without_guards(db, &[Guard::SubmissionsNoUpdate], || {
        submissions::seal_all(db, &key)
    })
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        submissions::plan_and_roster(db, &sealer, id, 1)
            .unwrap()
            .unwrap()
            .1,
        people
    );

    // The purge: counts, then everything personal gone, the guards back.
    db.exec(
        "INSERT INTO attachments(application_id, name, mime, sha256, size, content, added_at, added_by)
         VALUES (?1, 'a.pdf', 'application/pdf', 'x', 1, ?2, ?3, 1)",
        crate::args![id, vec![1u8], now],
    )
    .unwrap();
    db.batch(&format!(
        "INSERT INTO daily_reports(firm_id, application_id, report_date, staff_on_site, fever,
            under_observation, masks_remaining, notes, filed_at, filed_by, timeliness, flags)
            VALUES (1, {id}, '2020-02-12', 3, 0, 0, 10, '', '{T}', 1, 'on_time', '[]');"
    ))
    .unwrap();
    assert_eq!(submissions::count_with_roster(db, id).unwrap(), 1);
    assert_eq!(attachments::count(db, id).unwrap(), 1);
    assert_eq!(retention::count_daily_reports(db, id).unwrap(), 1);
    retention::without_guards(
        db,
        &[Guard::SubmissionsNoUpdate, Guard::DailyReportsNoDelete],
        || {
            roster::delete(db, id)?;
            attachments::delete_all(db, id)?;
            retention::delete_daily_reports(db, id)?;
            submissions::clear_rosters(db, id)?;
            retention::mark_purged(db, id, now)
        },
    )
    .unwrap();
    assert_eq!(roster::count(db, id).unwrap(), 0);
    assert_eq!(submissions::count_with_roster(db, id).unwrap(), 0);
    assert_eq!(attachments::count(db, id).unwrap(), 0);
    assert_eq!(retention::count_daily_reports(db, id).unwrap(), 0);
    assert!(retention::closed_before(db, at("2020-03-01T00:00:00Z"))
        .unwrap()
        .is_empty());
    assert!(
        submissions::clear_rosters(db, id).is_err(),
        "the guard is back"
    );
}

#[test]
fn every_statement_runs_on_sqlite() {
    let conn = crate::store::open_in_memory().unwrap();
    let db = Db::from(&conn);
    db.batch("BEGIN").unwrap();
    exercise(db);
    db.batch("ROLLBACK").unwrap();
}

#[test]
fn every_statement_runs_on_postgresql() {
    let Some(pg) = crate::store::testing::postgres() else {
        return;
    };
    let db = Db::Postgres(&pg);
    db.batch("BEGIN").unwrap();
    exercise(db);
    db.batch("ROLLBACK").unwrap();
}

//! The certificate store's statements run on both engines (issue 13): what the service tests
//! check through the use cases on SQLite, checked here statement by statement on each engine.

use chrono::{DateTime, Utc};

use crate::domain::auth::Scope;
use crate::domain::workflow::{AppState, TaskState};
use crate::service::{CertState, QueueFilter};
use crate::store::db::Db;
use crate::store::tasks::*;
use crate::store::{certs, forms, prints};

/// The statements of store::{certs, prints, forms, tasks} over a few rows: the same calls and
/// the same answers on SQLite and, when REOPEN_TEST_PG names a cluster, on PostgreSQL.
fn exercise(db: Db<'_>) {
    let t = "2020-02-10T01:00:00Z";
    db.batch(&format!(
            "INSERT INTO divisions(code, name, short, level) VALUES ('511802', '雨城区', '雨', 'district');
             INSERT INTO department_kinds(code, name, name_en, kind) VALUES ('SWJ', '商务局', 'commerce', 'industry');
             INSERT INTO departments(division, kind, name) VALUES ('511802', 'SWJ', '雨城区商务局');
             INSERT INTO industries(division, section, name, department_kind) VALUES ('F', 'F', 'wholesale', 'SWJ');
             INSERT INTO firms(credit_code, name, division, township, address, industry, legal_representative,
               principal_name, principal_phone, contact_name, contact_phone, staff_total, city_managed, created_at, updated_at)
               VALUES ('91511802', '雅安商贸', '511802', 't', '地址', 'F', 'l', 'p', '1', 'c', '1', 10, 0, '{t}', '{t}');
             INSERT INTO users(name, role, division, password_hash, password_changed_at, created_at)
               VALUES ('clerk', 'clerk', '511802', 'x', '{t}', '{t}');
             INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount, plan,
               created_by, created_at, updated_at, submission_no, stage, approved_headcount, conditions, decided_at)
               VALUES (1, '511802', 'approved', 'general', '2020-02-11', 8, '{{\"headcount\": {{\"planned\": 8}}}}',
               1, '{t}', '{t}', 1, NULL, 6, '[\"戴口罩\"]', '{t}');
             INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings, submitted_by, submitted_at)
               VALUES (1, 1, '{{}}', '[]', '[]', '[]', 1, '{t}');
             INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id, quorum, state,
               green_channel, opened_at, due_at, decided_at, decided_by, opinion, headcount, conditions)
               VALUES (1, 1, 0, '行业审核', 1, 1, 'approved', 1, '{t}', '2020-02-11T01:00:00Z', '{t}', 1, '同意', 6, '[\"戴口罩\"]'),
                      (1, 1, 1, '会签', 1, 1, 'pending', 0, '{t}', '2020-02-11T01:00:00Z', NULL, NULL, NULL, NULL, NULL);"
        ))
        .unwrap();
    let now: DateTime<Utc> = t.parse().unwrap();
    let d = chrono::NaiveDate::from_ymd_opt(2020, 2, 10).unwrap();
    assert_eq!(certs::next_seq(db, "511802", 2020).unwrap(), 1);
    assert_eq!(certs::next_seq(db, "511802", 2020).unwrap(), 2);
    assert_eq!(certs::next_seq(db, "511802", 2021).unwrap(), 1);
    assert_eq!(certs::division_short(db, "511802").unwrap(), "雨");
    let a = certs::approval(db, 1).unwrap();
    assert_eq!((a.headcount, a.decided_at), (Some(6), Some(now)));
    assert_eq!(certs::live_count(db, 1).unwrap(), 0);
    let id = certs::insert(
        db,
        &certs::NewCert {
            number: "雨复工〔2020〕0002号",
            jurisdiction: "511802",
            year: 2020,
            seq: 2,
            application_id: 1,
            submission_no: 1,
            firm_name: "雅安商贸",
            credit_code: "91511802",
            address: "地址",
            approved_date: d,
            approved_headcount: 6,
            conditions: a.conditions.as_deref().unwrap_or("[]"),
            departments: "[\"雨城区商务局\"]",
            issue_date: d,
            payload: "payload",
            issued_at: now,
            issued_by: 1,
        },
    )
    .unwrap();
    assert_eq!(certs::live_count(db, 1).unwrap(), 1);
    prints::log_cert_print(db, id, 1, now, 1, None).unwrap();
    let c = certs::by_number(db, " 雨复工〔2020〕0002号 ")
        .unwrap()
        .unwrap();
    assert_eq!((c.prints, c.seq, c.approved_date), (1, 2, d));
    assert_eq!(c.conditions, vec!["戴口罩".to_string()]);
    let f = |state, unprinted| certs::ListFilter {
        state,
        unprinted,
        limit: 50,
        offset: 0,
    };
    assert_eq!(
        certs::list(
            db,
            &Scope::Division("511802".into()),
            &f(Some(CertState::Issued), false)
        )
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        certs::list(db, &Scope::All, &f(None, true)).unwrap().len(),
        0
    );
    assert_eq!(
        certs::list(db, &Scope::Firm(1), &f(None, false))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        certs::list(db, &Scope::Department(1), &f(None, false))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        certs::number_by_payload(db, |p| p == "payload")
            .unwrap()
            .as_deref(),
        Some("雨复工〔2020〕0002号")
    );
    assert!(certs::close(db, id, CertState::Voided, "misprint", now, 1).unwrap());
    assert!(!certs::close(db, id, CertState::Revoked, "again", now, 1).unwrap());
    certs::set_app_state(db, 1, AppState::Certified, now).unwrap();
    assert_eq!(
        certs::filing_department(db, "511802", "F")
            .unwrap()
            .as_deref(),
        Some("雨城区商务局")
    );
    assert_eq!(forms::department_name(db, 1).unwrap(), "雨城区商务局");
    assert_eq!(forms::case_parts(db, 1).unwrap(), ("雨".to_string(), now));
    assert_eq!(forms::submitted_at(db, 1, 1).unwrap(), now);
    assert_eq!(
        approving_departments(db, 1, 1).unwrap(),
        vec!["雨城区商务局".to_string()]
    );
    let l = latest_decision(db, 1, 1, 0).unwrap().unwrap();
    assert_eq!((l.state, l.decided_at), (TaskState::Approved, now));
    assert_eq!(in_state(db, 1, 1, TaskState::Approved).unwrap().len(), 1);
    let ft = first_task(db, 1, 1).unwrap().unwrap();
    assert!(ft.green_channel);
    assert_eq!(
        last_submission_with(db, 1, TaskState::Approved).unwrap(),
        Some(1)
    );
    assert_eq!(
        last_submission_with(db, 1, TaskState::Returned).unwrap(),
        None
    );
    assert_eq!(task_of_department(db, 1, 1, 1, 1).unwrap(), Some(2));
    assert_eq!(
        last_state_of_department(db, 1, 1).unwrap(),
        Some(TaskState::Pending)
    );
    assert_eq!(stage_tasks(db, 1, 1, 1).unwrap().len(), 1);
    assert_eq!(prior_headcount(db, 1, 1, 1).unwrap(), Some(6));
    assert_eq!(approved_conditions(db, 1, 1).unwrap().len(), 1);
    let q = queue(db, 1, &QueueFilter::default(), now, 50, 0).unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].task_id, 2);
    assert!(decide(
        db,
        &TaskDecision {
            task_id: 2,
            state: TaskState::Approved,
            at: now,
            by: 1,
            opinion: "同意",
            headcount: None,
            conditions: None
        }
    )
    .unwrap());
    assert!(!decide(
        db,
        &TaskDecision {
            task_id: 2,
            state: TaskState::Approved,
            at: now,
            by: 1,
            opinion: "同意",
            headcount: None,
            conditions: None
        }
    )
    .unwrap());
    apply_to_application(
        db,
        1,
        &AppDecision {
            state: AppState::Approved,
            stage: None,
            at: now,
            settled: true,
            approved_headcount: None,
            conditions: Some("[]"),
        },
    )
    .unwrap();
    let a = certs::approval(db, 1).unwrap();
    assert_eq!(a.headcount, Some(6));
    apply_to_application(
        db,
        1,
        &AppDecision {
            state: AppState::Approved,
            stage: Some(1),
            at: now,
            settled: false,
            approved_headcount: Some(5),
            conditions: None,
        },
    )
    .unwrap();
    assert_eq!(certs::approval(db, 1).unwrap().headcount, Some(5));
}

#[test]
fn certificate_statements_on_sqlite() {
    let conn = crate::store::open_in_memory().unwrap();
    exercise(Db::Sqlite(&conn));
}

#[test]
fn certificate_statements_on_postgres() {
    let Some(p) = crate::store::testing::postgres() else {
        return;
    };
    exercise(Db::Postgres(&p));
}

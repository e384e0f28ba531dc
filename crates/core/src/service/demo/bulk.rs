//! City- and province-scale synthetic databases, written straight into the tables
//! (`store::bulk`) in one write transaction: for benchmarks and scale tests.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{demo_id_number, demo_plan, first_admin, DemoReport};
use crate::domain::daily::DayStatus;
use crate::domain::ids::make_credit_code;
use crate::domain::roster::Health;
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::{local_date, ts, Reopen};
use crate::store::{bulk as store, Db};

const DIVISIONS: [&str; 8] = [
    "511802", "511803", "511822", "511823", "511824", "511825", "511826", "511827",
];
const INDUSTRIES: [&str; 12] = [
    "13", "14", "15", "34", "47", "51", "52", "54", "61", "62", "72", "80",
];
const CATEGORIES: [&str; 6] = [
    "production",
    "daily_necessities",
    "general",
    "city_operation",
    "epidemic_prevention",
    "key_project",
];
const WORDS: [&str; 10] = [
    "雅安",
    "青衣江",
    "蒙顶",
    "熊猫",
    "二郎山",
    "周公山",
    "碧峰峡",
    "龙门",
    "茶马",
    "川西",
];
const TRADES: [&str; 12] = [
    "食品", "茶业", "机械", "建材", "物流", "商贸", "餐饮", "酒店", "超市", "科技", "农业", "医药",
];
/// The states of the first `firms` applications, in turn.
const STATES: [AppState; 10] = [
    AppState::InReview,
    AppState::InReview,
    AppState::Approved,
    AppState::Approved,
    AppState::Returned,
    AppState::Rejected,
    AppState::Withdrawn,
    AppState::Draft,
    AppState::InReview,
    AppState::Approved,
];

/// Synthetic data straight into the tables, in one transaction: for benchmarks and scale tests.
/// Firms spread over the eight counties and industries; applications in every state with review
/// tasks for those in review; `per_app` roster rows per application; `events` audit events spread
/// over the last two weeks, the firms and the applications (a real hash chain).
pub(super) fn bulk(
    core: &mut Reopen,
    firms: u32,
    apps: u32,
    per_app: u32,
    events: u32,
    now: DateTime<Utc>,
) -> Result<DemoReport> {
    let admin = first_admin(core)?;
    let policy = core.policy()?;
    let plan_json = serde_json::to_string(
        &crate::domain::plan::Plan::from_json(
            &demo_plan("production", per_app, 4, 1, "张三", now),
            &policy,
        )
        .map_err(Error::validation)?,
    )?;
    let tx = core.conn.begin_write()?;
    let db = tx.db();
    let mark = crate::audit::Mark::take(db)?;
    let firm_codes = bulk_firms(db, firms, per_app, &ts(now))?;
    let gen = Generator {
        db,
        admin: admin.user_id,
        policy: &policy,
        plan_json: &plan_json,
        per_app,
        today: local_date(now),
        now,
    };
    let mut rows = Rows::default();
    let mut app_ids = Vec::with_capacity(apps as usize);
    for a in 0..apps {
        app_ids.push(gen.application(a, firms, &mut rows)?);
    }
    bulk_audit(db, &admin.who(), &firm_codes, &app_ids, events, now)?;
    crate::audit::append(
        db,
        &admin.who(),
        "demo.bulk",
        "database",
        None,
        Some(
            &json!({"firms": firms, "applications": apps, "roster_rows": rows.roster, "daily_reports": rows.daily, "audit_events": events}),
        ),
        now,
    )?;
    mark.sign_head(db, &core.keys)?;
    tx.commit()?;
    Ok(DemoReport {
        users: vec![],
        firms: firms as usize,
        applications: apps as usize,
        roster_rows: rows.roster,
        audit_events: events as usize + 1,
    })
}

/// `firms` firms spread over the counties and industries; their credit codes, in id order.
fn bulk_firms(db: Db<'_>, firms: u32, per_app: u32, stamp: &str) -> Result<Vec<String>> {
    let mut codes = Vec::with_capacity(firms as usize);
    for i in 0..firms {
        let div = DIVISIONS[(i % 8) as usize];
        let name = format!(
            "{}{}{}{}有限公司",
            WORDS[(i % 10) as usize],
            WORDS[((i / 10) % 10) as usize],
            TRADES[((i / 100) % 12) as usize],
            i
        );
        let code = make_credit_code('9', '1', div, &format!("MB{:06}", i)).unwrap_or_default();
        store::insert_firm(
            db,
            &store::Firm {
                credit_code: &code,
                name: &name,
                division: div,
                address: &format!("{div}某路{i}号"),
                industry: INDUSTRIES[(i % 12) as usize],
                staff_total: per_app * 2,
                at: stamp,
            },
        )?;
        codes.push(code);
    }
    Ok(codes)
}

/// Rows written besides firms and applications.
#[derive(Default)]
struct Rows {
    roster: usize,
    daily: usize,
}

/// What every synthetic application shares.
struct Generator<'a> {
    db: Db<'a>,
    admin: i64,
    policy: &'a crate::domain::policy::Policy,
    plan_json: &'a str,
    per_app: u32,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
}

impl Generator<'_> {
    /// Application number `a` with its daily reports, submission, review tasks and roster:
    /// the first `firms` give each firm one; the rest are earlier final ones. (id, firm id).
    fn application(&self, a: u32, firms: u32, rows: &mut Rows) -> Result<(i64, i64)> {
        let (db, per_app, today) = (self.db, self.per_app, self.today);
        let firm_id = i64::from(a % firms) + 1;
        let div = DIVISIONS[((firm_id - 1) % 8) as usize];
        let industry = INDUSTRIES[((firm_id - 1) % 12) as usize];
        let state = if a >= firms {
            [AppState::Rejected, AppState::Withdrawn][(a % 2) as usize]
        } else {
            STATES[(a % 10) as usize]
        };
        let category = CATEGORIES[(a % 6) as usize];
        let opened = self.now - Duration::hours(i64::from(a % 48));
        let opened_ts = ts(opened);
        let submitted = state != AppState::Draft;
        let approved = state == AppState::Approved;
        let stage: Option<u32> = (state == AppState::InReview).then_some(a % 2);
        // Approved ones planned up to a week ago have reopened and report daily.
        let planned = if approved {
            today - Duration::days(i64::from(a % 7))
        } else {
            today + Duration::days(3)
        };
        let app_id = store::insert_application(
            db,
            &store::Application {
                firm_id,
                jurisdiction: div,
                state: state.as_str(),
                category,
                planned_date: &planned.to_string(),
                planned_headcount: per_app,
                plan: self.plan_json,
                submission_no: i64::from(submitted),
                stage,
                approved_headcount: approved.then_some(per_app - 1),
                created_by: self.admin,
                opened: &opened_ts,
                submitted_at: submitted.then_some(opened_ts.as_str()),
                decided_at: approved.then_some(opened_ts.as_str()),
            },
        )?;
        if approved {
            rows.daily +=
                self.daily_reports(a, app_id, firm_id, planned.max(local_date(opened)))?;
        }
        if submitted {
            self.review(
                app_id, div, industry, category, state, stage, &opened_ts, opened,
            )?;
        }
        for r in 0..per_app {
            let n = a * per_app + r;
            let from_elsewhere = r < 4;
            store::insert_roster_entry(
                db,
                &store::RosterEntry {
                    application_id: app_id,
                    row_no: r + 1,
                    name: &format!("员工{n}"),
                    id_number: &demo_id_number(div, n),
                    phone: &format!("139{:08}", n % 100_000_000),
                    from_elsewhere,
                    from_region: if from_elsewhere {
                        "四川省成都市"
                    } else {
                        ""
                    },
                    return_date: from_elsewhere
                        .then(|| (today - Duration::days(2)).to_string())
                        .as_deref(),
                    health: Health::Normal.as_str(),
                },
            )?;
            rows.roster += 1;
        }
        Ok((app_id, firm_id))
    }

    /// The daily reports of an approved application from `first` to yesterday: some late, a few
    /// days missing, now and then a fever. How many were written.
    fn daily_reports(
        &self,
        a: u32,
        app_id: i64,
        firm_id: i64,
        first: chrono::NaiveDate,
    ) -> Result<usize> {
        let mut written = 0;
        let mut day = first;
        while day < self.today {
            let k = a + (self.today - day).num_days() as u32;
            if k % 11 != 0 {
                let due = crate::domain::daily::deadline(day, &self.policy.daily_report);
                let late = k % 7 == 0;
                let at = if late {
                    due + Duration::hours(2)
                } else {
                    due - Duration::hours(10)
                };
                let fever = u32::from(k % 97 == 0);
                store::insert_daily_report(
                    self.db,
                    &store::DailyReport {
                        firm_id,
                        application_id: app_id,
                        report_date: day,
                        staff_on_site: self.per_app - 1,
                        fever,
                        masks_remaining: self.per_app * 20,
                        filed_at: &ts(at),
                        filed_by: self.admin,
                        timeliness: if late {
                            DayStatus::Late.as_str()
                        } else {
                            DayStatus::OnTime.as_str()
                        },
                        flags: if fever > 0 { "[\"fever\"]" } else { "[]" },
                    },
                )?;
                written += 1;
            }
            day += Duration::days(1);
        }
        Ok(written)
    }

    /// The first submission of a submitted application and its review tasks: the sector
    /// department's, and the countersigner's once the first stage approved.
    #[allow(clippy::too_many_arguments)]
    fn review(
        &self,
        app_id: i64,
        div: &str,
        industry: &str,
        category: &str,
        state: AppState,
        stage: Option<u32>,
        opened_ts: &str,
        opened: DateTime<Utc>,
    ) -> Result<()> {
        let db = self.db;
        let d1 = store::department_id(db, div, policy_kind(industry))?;
        let d2 = store::department_id(db, div, "ZHB")?;
        let stages = json!([{"name": "行业主管部门审核", "departments": [d1], "quorum": 1}, {"name": "领导小组办公室会签", "departments": [d2], "quorum": 1}]);
        store::insert_first_submission(
            db,
            app_id,
            self.plan_json,
            &stages.to_string(),
            self.admin,
            opened_ts,
        )?;
        let (sla, green) = self.policy.sla_hours(category);
        let due = ts(opened + Duration::hours(i64::from(sla)));
        let task = |stage: u32, name: &str, department: i64, st: TaskState, headcount| {
            let decided = st != TaskState::Pending;
            store::insert_review_task(
                db,
                &store::ReviewTask {
                    application_id: app_id,
                    stage,
                    stage_name: name,
                    department_id: department,
                    state: st.as_str(),
                    green_channel: green,
                    opened_at: opened_ts,
                    due_at: &due,
                    decided_at: decided.then_some(opened_ts),
                    decided_by: decided.then_some(self.admin),
                    opinion: decided.then_some("同意"),
                    headcount,
                },
            )
        };
        let first = match (state, stage) {
            (AppState::InReview, Some(0)) => TaskState::Pending,
            (AppState::Returned, _) => TaskState::Returned,
            (AppState::Rejected, _) => TaskState::Rejected,
            (AppState::Withdrawn, _) => TaskState::Closed,
            _ => TaskState::Approved,
        };
        task(
            0,
            "行业主管部门审核",
            d1,
            first,
            (first == TaskState::Approved).then_some(self.per_app - 1),
        )?;
        if matches!(
            (state, stage),
            (AppState::InReview, Some(1)) | (AppState::Approved, _)
        ) {
            let second = if state == AppState::Approved {
                TaskState::Approved
            } else {
                TaskState::Pending
            };
            task(1, "领导小组办公室会签", d2, second, None)?;
        }
        Ok(())
    }
}

/// `events` audit events in time order over the two weeks before `now`, each on a firm or an
/// application picked pseudo-randomly, with the actions the use cases write (a firm registered,
/// an application created, edited, its roster loaded, submitted, approved at each stage, its
/// roster revealed, daily reports filed), chained through `audit::Batch`.
fn bulk_audit(
    tx: Db<'_>,
    who: &crate::audit::Who,
    firm_codes: &[String],
    app_ids: &[(i64, i64)],
    events: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    if app_ids.is_empty() || events == 0 {
        return Ok(());
    }
    let mut batch = crate::audit::Batch::new(tx)?;
    let span = Duration::days(14).num_microseconds().unwrap_or(0);
    let start = now - Duration::days(14);
    for k in 0..u64::from(events) {
        let at = start + Duration::microseconds(span * k as i64 / i64::from(events));
        // Knuth's multiplicative hash: a spread of applications, each about events/apps times.
        let (app, firm) =
            app_ids[((k.wrapping_mul(2_654_435_761) >> 7) % app_ids.len() as u64) as usize];
        let code = &firm_codes[(firm - 1) as usize];
        let app_rec = format!("app:{app}");
        let firm_rec = format!("firm:{code}");
        let day = local_date(at);
        let (action, record, before, after): (&str, &str, Option<String>, String) = match k % 10 {
            0 => (
                "firm.update",
                &firm_rec,
                Some(r#"{"staff_total":30}"#.into()),
                r#"{"staff_total":40}"#.into(),
            ),
            1 => (
                "app.create",
                &app_rec,
                None,
                r#"{"state":"draft","category":"production"}"#.into(),
            ),
            2 => (
                "app.update",
                &app_rec,
                Some(r#"{"version":1}"#.into()),
                r#"{"version":2}"#.into(),
            ),
            3 => (
                "app.roster",
                &app_rec,
                None,
                r#"{"file":"roster.csv","rows":20}"#.into(),
            ),
            4 => (
                "app.submit",
                &app_rec,
                Some(r#"{"state":"draft"}"#.into()),
                r#"{"state":"in_review","submission_no":1}"#.into(),
            ),
            5 => (
                "review.approve",
                &app_rec,
                Some(r#"{"stage":0}"#.into()),
                r#"{"opinion":"同意","headcount":19}"#.into(),
            ),
            7 => ("app.roster_reveal", &app_rec, None, r#"{"rows":20}"#.into()),
            8 => (
                "review.approve",
                &app_rec,
                Some(r#"{"stage":1}"#.into()),
                r#"{"opinion":"同意"}"#.into(),
            ),
            _ => (
                "daily.file",
                &firm_rec,
                None,
                format!(r#"{{"date":"{day}","staff_on_site":19,"fever":0}}"#),
            ),
        };
        batch.push(who, action, record, before.as_deref(), Some(&after), at)?;
    }
    batch.finish();
    Ok(())
}

fn policy_kind(industry: &str) -> &'static str {
    match industry {
        "13" | "14" | "15" | "34" => "JXJ",
        "47" => "ZJJ",
        "54" => "JTJ",
        "61" => "WLJ",
        _ => "SWJ",
    }
}

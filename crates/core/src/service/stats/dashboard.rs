//! The leader's dashboard: counts by state, jurisdiction, industry section and category, the daily
//! trend of submissions and decisions, and the overdue list.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Count, Dashboard, DayPoint, Dim, Headline, StatsQuery};
use crate::documents::exports::{workbook, Cell, Table};
use crate::domain::auth::{Actor, Role, Scope};
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::{local_date, shanghai_midnight, Reopen};
use crate::service::{local_time, parse_ts};
use crate::store::stats::{self as store, Grouping};
use crate::store::Db;
use crate::t;

/// The overdue list shows at most this many stages, oldest first.
const OVERDUE_SHOWN: u32 = 100;

impl Reopen {
    /// For leaders (their jurisdiction; the city's see all), clerks and the administrator.
    /// `from`/`to` bound the trend (default: the last 14 days to today, Asia/Shanghai).
    pub fn dashboard(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Dashboard> {
        actor.require(
            &[Role::Leader, Role::Clerk, Role::Admin],
            &t!("查看统计", "read statistics"),
        )?;
        let default_period = from.is_none() && to.is_none();
        let to = to.unwrap_or_else(|| local_date(now));
        let from = from.unwrap_or(to - Duration::days(13));
        if from > to || (to - from).num_days() > 366 {
            return Err(Error::field(
                "from",
                t!(
                    "统计区间应在一年以内且起始不晚于结束",
                    "the range must be at most a year, from before to"
                ),
            ));
        }
        let scope = actor.scope();
        let policy = self.policy()?;
        let db = self.db();
        let mut by_state = store::counts(db, &scope, Grouping::State)?;
        for c in &mut by_state {
            if let Some(st) = AppState::parse(&c.key) {
                c.label = st.zh().to_string();
            }
        }
        let mut by_section = store::counts(db, &scope, Grouping::Section)?;
        for c in &mut by_section {
            if let Some((_, name)) = super::SECTION_NAMES.iter().find(|(s, _)| *s == c.key) {
                c.label = name.to_string();
            }
        }
        let mut by_category = store::counts(db, &scope, Grouping::Category)?;
        for c in &mut by_category {
            if let Some(zh) = policy.categories.get(&c.key) {
                c.label = zh.clone();
            }
        }
        // The headline comes from the statistics of the period (one pass, as `reopen stats`).
        let figures = self.stats(
            actor,
            &StatsQuery {
                from: Some(from),
                to: Some(to),
                by: vec![Dim::Division],
            },
            now,
        )?;
        let total = &figures.total;
        let headline = Headline {
            firms: total.firms,
            firms_reopened: total.firms_reopened,
            reopening_rate: total.reopening_rate(),
            approved_headcount: total.approved_headcount,
            in_review: total.pending,
            overdue: total.overdue,
        };
        let by_division = every_county(
            store::counts(db, &scope, Grouping::Division)?,
            store::counties(db, &scope)?,
            &store::division_names(db)?,
        );
        Ok(Dashboard {
            from,
            to,
            by_state,
            by_division,
            by_section,
            by_category,
            trend: trend(db, &scope, from, to)?,
            overdue: store::overdue_tasks(db, &scope, now, OVERDUE_SHOWN)?,
            approved_headcount: store::approved_headcount(db, &scope)?,
            headline,
            scope: figures.scope,
            default_period,
        })
    }

    /// The dashboard as a workbook: the headline, applications by state, county, industry
    /// section and category, the trend, and the overdue stages.
    pub fn dashboard_xlsx(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let d = self.dashboard(actor, from, to, now)?;
        dashboard_workbook(&d)
    }
}

/// Every county of the scope, in code order, with zero where there is no application; the
/// counts of any other division (none, with consistent data) are kept after them.
fn every_county(
    counted: Vec<Count>,
    counties: Vec<String>,
    names: &HashMap<String, String>,
) -> Vec<Count> {
    let mut out: Vec<Count> = counties
        .into_iter()
        .map(|code| {
            let found = counted.iter().find(|c| c.key == code);
            Count {
                label: found
                    .map(|c| c.label.clone())
                    .or_else(|| names.get(&code).cloned())
                    .unwrap_or_else(|| code.clone()),
                count: found.map_or(0, |c| c.count),
                key: code,
            }
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    for c in counted {
        if !out.iter().any(|o| o.key == c.key) {
            out.push(c);
        }
    }
    out
}

fn period_text(d: &Dashboard) -> String {
    format!(
        "{}（{} 至 {}）",
        d.scope,
        d.from.format("%Y年%-m月%-d日"),
        d.to.format("%Y年%-m月%-d日")
    )
}

fn count_table(sheet: &str, what: &str, d: &Dashboard, rows: &[Count]) -> Table {
    let total: i64 = rows.iter().map(|c| c.count).sum();
    Table {
        sheet: sheet.into(),
        title: Some(format!("复工复产申请{what}（{}）", period_text(d))),
        headers: vec![what.trim_start_matches('按').into(), "申请数".into()],
        rows: rows
            .iter()
            .map(|c| vec![Cell::Text(c.label.clone()), c.count.into()])
            .collect(),
        total: Some(vec![Cell::Text("合计".into()), total.into()]),
    }
}

/// The dashboard's figures as a workbook (the same numbers as the screen).
pub fn dashboard_workbook(d: &Dashboard) -> Result<Vec<u8>> {
    let h = &d.headline;
    let headline = Table {
        sheet: "概况".into(),
        title: Some(format!("复工复产概况（{}）", period_text(d))),
        headers: vec!["指标".into(), "数值".into()],
        rows: vec![
            vec![Cell::Text("登记企业".into()), h.firms.into()],
            vec![Cell::Text("已复工企业".into()), h.firms_reopened.into()],
            vec![Cell::Text("复工率".into()), Cell::Percent(h.reopening_rate)],
            vec![
                Cell::Text("核定复工人数".into()),
                h.approved_headcount.into(),
            ],
            vec![Cell::Text("审核中".into()), h.in_review.into()],
            vec![Cell::Text("超时未办".into()), h.overdue.into()],
        ],
        total: None,
    };
    let trend = Table {
        sheet: "每日趋势".into(),
        title: Some(format!("每日提交和审核结果（{}）", period_text(d))),
        headers: ["日期", "提交", "批准", "退回补正", "不予批准"]
            .map(String::from)
            .to_vec(),
        rows: d
            .trend
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.date.to_string()),
                    p.submitted.into(),
                    p.approved.into(),
                    p.returned.into(),
                    p.rejected.into(),
                ]
            })
            .collect(),
        total: None,
    };
    let overdue = Table {
        sheet: "超时未办".into(),
        title: Some(format!("超时未办的审核环节（{}）", d.scope)),
        headers: [
            "申请编号",
            "企业",
            "县（区）",
            "审核部门",
            "审核环节",
            "办理时限",
        ]
        .map(String::from)
        .to_vec(),
        rows: d
            .overdue
            .iter()
            .map(|o| {
                vec![
                    o.application_id.into(),
                    Cell::Text(o.firm_name.clone()),
                    Cell::Text(o.jurisdiction_name.clone()),
                    Cell::Text(o.department.clone()),
                    Cell::Text(o.stage_name.clone()),
                    Cell::Text(
                        parse_ts(&o.due_at)
                            .map(local_time)
                            .unwrap_or_else(|_| o.due_at.clone()),
                    ),
                ]
            })
            .collect(),
        total: None,
    };
    workbook(&[
        headline,
        count_table("按县区", "按县（区）", d, &d.by_division),
        count_table("按行业", "按行业门类", d, &d.by_section),
        count_table("按类别", "按复工类别", d, &d.by_category),
        count_table("按状态", "按办理状态", d, &d.by_state),
        trend,
        overdue,
    ])
}

/// Each local day of `from..=to`: submissions, approvals (by the day they were given, including
/// those revoked since), rejections and returns. The range is given as UTC bounds (an index
/// serves them) and each row is grouped by its local day.
fn trend(db: Db<'_>, scope: &Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayPoint>> {
    let (lo, hi) = (
        shanghai_midnight(from),
        shanghai_midnight(to + Duration::days(1)),
    );
    let submitted = store::submitted_by_day(db, scope, lo, hi)?;
    let approved = store::approved_by_day(db, scope, lo, hi)?;
    let rejected = store::verdicts_by_day(db, scope, lo, hi, TaskState::Rejected)?;
    let returned = store::verdicts_by_day(db, scope, lo, hi, TaskState::Returned)?;
    let mut trend = Vec::new();
    let mut d = from;
    while d <= to {
        let n = |m: &HashMap<NaiveDate, i64>| m.get(&d).copied().unwrap_or(0);
        trend.push(DayPoint {
            date: d,
            submitted: n(&submitted),
            approved: n(&approved),
            rejected: n(&rejected),
            returned: n(&returned),
        });
        d += Duration::days(1);
    }
    Ok(trend)
}

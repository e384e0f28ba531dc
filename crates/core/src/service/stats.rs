//! The leader's dashboard: counts by state, jurisdiction, industry section and category, the daily
//! trend of submissions and approvals, and the overdue list. Read-only.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{local_date, ts, Reopen};
use crate::domain::auth::{Actor, Role, CITY};
use crate::error::{Error, Result};
use crate::t;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DayPoint {
    pub date: NaiveDate,
    pub submitted: i64,
    pub approved: i64,
    pub rejected: i64,
    pub returned: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OverdueRow {
    pub application_id: i64,
    pub firm_name: String,
    pub jurisdiction: String,
    pub department: String,
    pub stage_name: String,
    pub due_at: String,
    pub green_channel: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Applications by state (key = state, label = its Chinese name).
    pub by_state: Vec<Count>,
    /// By the firm's county/district (key = division code, label = its name).
    pub by_division: Vec<Count>,
    /// By GB/T 4754 section (key = the letter).
    pub by_section: Vec<Count>,
    /// By category (label = the category's Chinese name).
    pub by_category: Vec<Count>,
    pub trend: Vec<DayPoint>,
    pub overdue: Vec<OverdueRow>,
    pub approved_headcount: i64,
}

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
        let scope: Option<String> = match (actor.role, actor.division.as_deref()) {
            (Role::Admin, _) | (_, Some(CITY)) => None,
            (_, d) => Some(d.unwrap_or_default().to_string()),
        };
        let policy = self.policy()?;
        let conn = self.connection();
        let grouped = |key_sql: &str, label_sql: &str, join: &str| -> Result<Vec<Count>> {
            let sql = format!(
                "SELECT {key_sql}, {label_sql}, count(*) FROM applications a JOIN firms f ON f.id = a.firm_id {join}
                 WHERE (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1) GROUP BY 1, 2 ORDER BY 1"
            );
            let mut st = conn.prepare(&sql)?;
            let rows = st.query_map(params![scope], |r| {
                Ok(Count {
                    key: r.get(0)?,
                    label: r.get(1)?,
                    count: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let mut by_state = grouped("a.state", "a.state", "")?;
        for c in &mut by_state {
            if let Some(st) = crate::domain::workflow::AppState::parse(&c.key) {
                c.label = st.zh().to_string();
            }
        }
        let by_division = grouped(
            "f.division",
            "dv.name",
            "JOIN divisions dv ON dv.code = f.division",
        )?;
        let by_section = grouped(
            "i.section",
            "i.section",
            "JOIN industries i ON i.division = f.industry",
        )?;
        let mut by_category = grouped("a.category", "a.category", "")?;
        for c in &mut by_category {
            if let Some(zh) = policy.categories.get(&c.key) {
                c.label = zh.clone();
            }
        }
        // Trend: local days; timestamps are UTC, Asia/Shanghai is UTC+8 without daylight saving.
        let mut trend = Vec::new();
        let mut st = conn.prepare(
            "SELECT date(a.submitted_at, '+8 hours'), count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE a.submitted_at IS NOT NULL AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
               AND date(a.submitted_at, '+8 hours') BETWEEN ?2 AND ?3 GROUP BY 1",
        )?;
        let submitted: std::collections::HashMap<String, i64> = st
            .query_map(params![scope, from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = conn.prepare(
            "SELECT date(a.decided_at, '+8 hours'), count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE a.state IN ('approved','certified') AND a.decided_at IS NOT NULL
               AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
               AND date(a.decided_at, '+8 hours') BETWEEN ?2 AND ?3 GROUP BY 1",
        )?;
        let approved: std::collections::HashMap<String, i64> = st
            .query_map(params![scope, from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let decided = |verdict: &str| -> Result<std::collections::HashMap<String, i64>> {
            let mut st = conn.prepare(
                "SELECT date(t.decided_at, '+8 hours'), count(DISTINCT t.application_id || '-' || t.submission_no)
                 FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id
                 WHERE t.state = ?4 AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
                   AND date(t.decided_at, '+8 hours') BETWEEN ?2 AND ?3 GROUP BY 1",
            )?;
            let rows = st.query_map(
                params![scope, from.to_string(), to.to_string(), verdict],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let rejected = decided("rejected")?;
        let returned = decided("returned")?;
        let mut d = from;
        while d <= to {
            let k = d.to_string();
            let n = |m: &std::collections::HashMap<String, i64>| *m.get(&k).unwrap_or(&0);
            trend.push(DayPoint {
                date: d,
                submitted: n(&submitted),
                approved: n(&approved),
                rejected: n(&rejected),
                returned: n(&returned),
            });
            d += Duration::days(1);
        }
        let mut st = conn.prepare(
            "SELECT a.id, f.name, a.jurisdiction, d.name, t.stage_name, t.due_at, t.green_channel FROM review_tasks t
             JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id JOIN departments d ON d.id = t.department_id
             WHERE t.state = 'pending' AND t.due_at < ?2 AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
             ORDER BY t.due_at LIMIT 100",
        )?;
        let overdue = st
            .query_map(params![scope, ts(now)], |r| {
                Ok(OverdueRow {
                    application_id: r.get(0)?,
                    firm_name: r.get(1)?,
                    jurisdiction: r.get(2)?,
                    department: r.get(3)?,
                    stage_name: r.get(4)?,
                    due_at: r.get(5)?,
                    green_channel: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let approved_headcount: i64 = conn.query_row(
            "SELECT COALESCE(sum(a.approved_headcount), 0) FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE a.state IN ('approved','certified') AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)",
            params![scope],
            |r| r.get(0),
        )?;
        Ok(Dashboard {
            from,
            to,
            by_state,
            by_division,
            by_section,
            by_category,
            trend,
            overdue,
            approved_headcount,
        })
    }
}

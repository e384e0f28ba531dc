//! The leader's dashboard: counts by state, jurisdiction, industry section and category, the daily
//! trend of submissions and approvals, and the overdue list. Read-only.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::daily::ComplianceCounts;
use super::{local_date, ts, Reopen};
use crate::domain::auth::{Actor, Role, CITY};
use crate::error::{Error, Result};
use crate::store::Db;
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
    pub jurisdiction_name: String,
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
        let conn = self.db();
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
        // Trend: local days; timestamps are UTC, so the range is given as UTC bounds (an index
        // serves them) and each row is grouped by its local day.
        let (lo, hi) = (day_start(from), day_start(to + Duration::days(1)));
        let mut trend = Vec::new();
        let mut st = conn.prepare(
            "SELECT date(a.submitted_at, '+8 hours'), count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE a.submitted_at >= ?2 AND a.submitted_at < ?3 AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
             GROUP BY 1",
        )?;
        let submitted: std::collections::HashMap<String, i64> = st
            .query_map(params![scope, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // Approvals by the day they were given, including those revoked since: a past day's count
        // does not change.
        let mut st = conn.prepare(
            "SELECT date(a.decided_at, '+8 hours'), count(*) FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE a.state IN ('approved','certified','revoked') AND a.decided_at IS NOT NULL
               AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
               AND a.decided_at >= ?2 AND a.decided_at < ?3 GROUP BY 1",
        )?;
        let approved: std::collections::HashMap<String, i64> = st
            .query_map(params![scope, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let decided = |verdict: &str| -> Result<std::collections::HashMap<String, i64>> {
            let mut st = conn.prepare(
                "SELECT date(t.decided_at, '+8 hours'), count(DISTINCT t.application_id || '-' || t.submission_no)
                 FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id
                 WHERE t.state = ?4 AND (?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)
                   AND t.decided_at >= ?2 AND t.decided_at < ?3 GROUP BY 1",
            )?;
            let rows = st.query_map(params![scope, lo, hi, verdict], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
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
            "SELECT a.id, f.name, a.jurisdiction, d.name, t.stage_name, t.due_at, t.green_channel, dv.name FROM review_tasks t
             JOIN applications a ON a.id = t.application_id JOIN firms f ON f.id = a.firm_id JOIN departments d ON d.id = t.department_id
             JOIN divisions dv ON dv.code = a.jurisdiction
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
                    jurisdiction_name: r.get(7)?,
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

// ---------------------------------------------------------------------------------------------
// Statistics for a day or a range (`reopen stats`, the leading group's daily bulletin)

/// GB/T 4754-2017 sections (门类) by letter.
pub const SECTION_NAMES: [(&str, &str); 20] = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
];

/// What statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The firm's county or district.
    Division,
    /// The firm's GB/T 4754 section.
    Industry,
    /// The application's category (复工类别).
    Category,
}

impl Dim {
    pub fn parse(s: &str) -> Option<Dim> {
        match s.trim() {
            "division" => Some(Dim::Division),
            "industry" => Some(Dim::Industry),
            "category" => Some(Dim::Category),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Division => "division",
            Dim::Industry => "industry",
            Dim::Category => "category",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Dim::Division => "县(区)",
            Dim::Industry => "行业门类",
            Dim::Category => "复工类别",
        }
    }
    fn sql(self) -> &'static str {
        match self {
            Dim::Division => "f.division",
            // The two-digit division, mapped to its section after reading (no join per row).
            Dim::Industry => "f.industry",
            Dim::Category => "a.category",
        }
    }
}

/// One group's figures. Flows (submitted … returned, reports) count within the range; stocks
/// (pending, overdue) are as of now; reopened firms and their staff are as of the range's end.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatsRow {
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    /// Submissions received in the range (a resubmission after a return counts again).
    pub submitted: i64,
    /// Applications finally approved in the range.
    pub approved: i64,
    pub rejected: i64,
    pub returned: i64,
    /// Applications in review now, and those with a stage past its deadline.
    pub pending: i64,
    pub overdue: i64,
    /// Firms registered by the range's end, and those reopened (approved, reopening date reached).
    pub firms: i64,
    pub firms_reopened: i64,
    /// Of applications approved by the range's end (reopened or about to): the approved headcount,
    /// and staff from key epidemic areas and under observation as their plans say.
    pub approved_headcount: i64,
    pub key_area_staff: i64,
    pub under_observation: i64,
    /// Daily reports expected over the range and how they stand.
    pub reports: ComplianceCounts,
}

impl StatsRow {
    /// Reopened firms as a share of registered firms (0 when there are none).
    pub fn reopening_rate(&self) -> f64 {
        if self.firms == 0 {
            0.0
        } else {
            self.firms_reopened as f64 / self.firms as f64
        }
    }
    fn merge(&mut self, o: &StatsRow) {
        self.submitted += o.submitted;
        self.approved += o.approved;
        self.rejected += o.rejected;
        self.returned += o.returned;
        self.pending += o.pending;
        self.overdue += o.overdue;
        self.firms += o.firms;
        self.firms_reopened += o.firms_reopened;
        self.approved_headcount += o.approved_headcount;
        self.key_area_staff += o.key_area_staff;
        self.under_observation += o.under_observation;
        self.reports.merge(&o.reports);
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RatePoint {
    pub date: NaiveDate,
    /// Firms registered by the end of the range (the same for every day).
    pub firms: i64,
    pub reopened: i64,
    /// reopened / firms, 0..1.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Vec<Dim>,
    /// The scope: the city's name, or the actor's county/district.
    pub scope: String,
    pub rows: Vec<StatsRow>,
    pub total: StatsRow,
    /// The reopening rate at the end of each day of the range, out of the firms registered by
    /// its end.
    pub rate: Vec<RatePoint>,
    pub generated_at: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatsQuery {
    /// Default: `to`. At most 366 days before `to`.
    pub from: Option<NaiveDate>,
    /// Default: today (Asia/Shanghai).
    pub to: Option<NaiveDate>,
    /// One or two dimensions (e.g. county × industry); default: by county.
    pub by: Vec<Dim>,
}

/// Local midnight starting `day`, in UTC, as stored timestamps are written.
fn day_start(day: NaiveDate) -> String {
    ts(super::shanghai_midnight(day))
}

type Keyed = std::collections::HashMap<Vec<String>, i64>;

/// Division code → name, for labels.
pub(crate) fn division_names(conn: Db<'_>) -> Result<std::collections::HashMap<String, String>> {
    let mut st = conn.prepare_cached("SELECT code, name FROM divisions")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Reopen {
    /// Statistics for a day or a range, grouped by one or two dimensions, within the actor's
    /// jurisdiction (leaders, clerks; the administrator and the city's users see the whole city).
    pub fn stats(&self, actor: &Actor, q: &StatsQuery, now: DateTime<Utc>) -> Result<Stats> {
        actor.require(
            &[Role::Leader, Role::Clerk, Role::Admin],
            &t!("查看统计", "read statistics"),
        )?;
        let to = q.to.unwrap_or_else(|| local_date(now));
        let from = q.from.unwrap_or(to);
        let mut p = crate::error::Problems::new();
        if from > to || (to - from).num_days() > 366 {
            p.add(
                "from",
                t!(
                    "统计区间应在一年以内且起始不晚于结束",
                    "the range must be at most a year, from before to"
                ),
            );
        }
        if to > local_date(now) {
            p.add(
                "to",
                t!(
                    "统计截止日期不能晚于今天",
                    "the range must not end after today"
                ),
            );
        }
        let mut by = q.by.clone();
        if by.is_empty() {
            by.push(Dim::Division);
        }
        if by.len() > 2 || (by.len() == 2 && by[0] == by[1]) {
            p.add(
                "by",
                t!(
                    "最多按两个不同维度分组(如 division,industry)",
                    "group by at most two different dimensions (such as division,industry)"
                ),
            );
        }
        p.into_result()?;
        let policy = self.policy()?;
        let conn = self.db();
        let scope: Option<String> = match (actor.role, actor.division.as_deref()) {
            (Role::Admin, _) | (_, Some(CITY)) => None,
            (_, d) => Some(d.unwrap_or_default().to_string()),
        };
        let scope_name: String = conn
            .query_row(
                "SELECT name FROM divisions WHERE code = ?1",
                params![scope.clone().unwrap_or_else(|| CITY.to_string())],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default();
        let keys = by.iter().map(|d| d.sql()).collect::<Vec<_>>().join(", ");
        let nkeys = by.len();
        let lo = day_start(from);
        let hi = day_start(to + Duration::days(1));
        let now_s = ts(now);
        const FROM: &str = "FROM applications a JOIN firms f ON f.id = a.firm_id";
        const SCOPE: &str = "(?1 IS NULL OR a.jurisdiction = ?1 OR f.division = ?1)";
        let sections: std::collections::HashMap<String, String> = {
            let mut st = conn.prepare_cached("SELECT division, section FROM industries")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let read_keys = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Vec<String>> {
            by.iter()
                .enumerate()
                .map(|(i, d)| {
                    let v = r.get::<_, String>(i)?;
                    Ok(match d {
                        Dim::Industry => sections.get(&v).cloned().unwrap_or(v),
                        _ => v,
                    })
                })
                .collect()
        };
        let bump = |m: &mut Keyed, k: &[String], n: i64| {
            if let Some(v) = m.get_mut(k) {
                *v += n;
            } else {
                m.insert(k.to_vec(), n);
            }
        };
        let (mut approved, mut pending, mut overdue) = (Keyed::new(), Keyed::new(), Keyed::new());
        let (mut reopened, mut headcount) = (Keyed::new(), Keyed::new());
        let (mut key_area, mut observed) = (Keyed::new(), Keyed::new());
        let mut reopened_apps: Vec<(Vec<String>, i64, NaiveDate)> = Vec::new();
        // One pass over the applications in scope, read from one covering index.
        {
            let sql = format!(
                "SELECT {keys}, a.firm_id, a.state, a.decided_at, {}, a.approved_headcount,
                        a.key_area, a.under_observation, a.id
                 {FROM} WHERE {SCOPE}",
                "max(a.planned_date, date(a.decided_at, '+8 hours'))"
            );
            // Applications with a stage past its deadline now (a few, from a partial index).
            let late: std::collections::HashSet<i64> = {
                let mut st = conn.prepare_cached(
                    "SELECT application_id FROM review_tasks WHERE state = 'pending' AND due_at < ?1",
                )?;
                let ids = st.query_map(params![now_s], |r| r.get(0))?;
                ids.collect::<rusqlite::Result<_>>()?
            };
            let mut st = conn.prepare_cached(&sql)?;
            let mut rows = st.query(params![scope])?;
            while let Some(r) = rows.next()? {
                let k = read_keys(r)?;
                let firm: i64 = r.get(nkeys)?;
                let state: String = r.get(nkeys + 1)?;
                let decided: Option<String> = r.get(nkeys + 2)?;
                let reopened_on: Option<NaiveDate> = r.get(nkeys + 3)?;
                if decided
                    .as_deref()
                    .is_some_and(|d| d >= lo.as_str() && d < hi.as_str())
                {
                    bump(&mut approved, &k, 1);
                }
                if state == "in_review" {
                    bump(&mut pending, &k, 1);
                    if late.contains(&r.get::<_, i64>(nkeys + 7)?) {
                        bump(&mut overdue, &k, 1);
                    }
                }
                let live = state == "approved" || state == "certified";
                if live && decided.as_deref().is_some_and(|d| d < hi.as_str()) {
                    bump(
                        &mut headcount,
                        &k,
                        r.get::<_, Option<i64>>(nkeys + 4)?.unwrap_or(0),
                    );
                    bump(
                        &mut key_area,
                        &k,
                        r.get::<_, Option<i64>>(nkeys + 5)?.unwrap_or(0),
                    );
                    bump(
                        &mut observed,
                        &k,
                        r.get::<_, Option<i64>>(nkeys + 6)?.unwrap_or(0),
                    );
                }
                if let Some(on) = reopened_on.filter(|d| live && *d <= to) {
                    bump(&mut reopened, &k, 1);
                    reopened_apps.push((k, firm, on));
                }
            }
        }
        // Submissions and decisions in the range, found by their time indexes.
        let submitted: Keyed = {
            let sql = format!(
                "SELECT {keys}, count(*) FROM submissions s JOIN applications a ON a.id = s.application_id
                 JOIN firms f ON f.id = a.firm_id
                 WHERE s.submitted_at >= ?2 AND s.submitted_at < ?3 AND {SCOPE} GROUP BY {keys}"
            );
            let mut st = conn.prepare_cached(&sql)?;
            let mut m = Keyed::new();
            let mut rows = st.query(params![scope, lo, hi])?;
            while let Some(r) = rows.next()? {
                bump(&mut m, &read_keys(r)?, r.get(nkeys)?);
            }
            m
        };
        let (mut rejected, mut returned) = (Keyed::new(), Keyed::new());
        {
            let sql = format!(
                "SELECT {keys}, t.state, count(DISTINCT t.application_id || '-' || t.submission_no)
                 FROM review_tasks t JOIN applications a ON a.id = t.application_id
                 JOIN firms f ON f.id = a.firm_id
                 WHERE t.decided_at >= ?2 AND t.decided_at < ?3 AND t.state IN ('rejected','returned') AND {SCOPE}
                 GROUP BY {keys}, t.state"
            );
            let mut st = conn.prepare_cached(&sql)?;
            let mut rows = st.query(params![scope, lo, hi])?;
            while let Some(r) = rows.next()? {
                let k = read_keys(r)?;
                let state: String = r.get(nkeys)?;
                let n: i64 = r.get(nkeys + 1)?;
                if state == "rejected" {
                    bump(&mut rejected, &k, n);
                } else {
                    bump(&mut returned, &k, n);
                }
            }
        }
        // Registered firms: by the firm's own keys (a firm without an application has no category).
        let firms: Keyed = {
            let sql = if by.contains(&Dim::Category) {
                format!(
                    "SELECT {keys}, count(DISTINCT a.firm_id) {FROM} WHERE {SCOPE} AND f.created_at < ?2 GROUP BY {keys}"
                )
            } else {
                format!(
                    "SELECT {keys}, count(*) FROM firms f
                     WHERE (?1 IS NULL OR f.division = ?1) AND f.created_at < ?2 GROUP BY {keys}"
                )
            };
            let mut st = conn.prepare_cached(&sql)?;
            let mut m = Keyed::new();
            let mut rows = st.query(params![scope, hi])?;
            while let Some(r) = rows.next()? {
                bump(&mut m, &read_keys(r)?, r.get(nkeys)?);
            }
            m
        };
        // Daily reports over the range for every reopened firm.
        let mut reports: std::collections::HashMap<Vec<String>, ComplianceCounts> =
            Default::default();
        let mut reopen_days: Vec<NaiveDate> = Vec::with_capacity(reopened_apps.len());
        {
            let mut filed: std::collections::HashMap<(i64, NaiveDate), DateTime<Utc>> =
                Default::default();
            for (firm, day, at) in crate::store::daily::filed_in_range(conn, from, to)? {
                filed.insert((firm, day), at);
            }
            for (k, firm, reopened_on) in reopened_apps {
                reopen_days.push(reopened_on);
                let c = reports.entry(k).or_default();
                let mut d = reopened_on.max(from);
                while d <= to {
                    let s = crate::domain::daily::status(
                        d,
                        filed.get(&(firm, d)).copied(),
                        now,
                        &policy.daily_report,
                    );
                    c.add(s);
                    d += Duration::days(1);
                }
            }
        }
        // Labels.
        let division_names = division_names(conn)?;
        let label = |d: Dim, k: &str| -> String {
            match d {
                Dim::Division => division_names
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| k.to_string()),
                Dim::Industry => SECTION_NAMES
                    .iter()
                    .find(|(s, _)| *s == k)
                    .map(|(s, n)| format!("{s} {n}"))
                    .unwrap_or_else(|| k.to_string()),
                Dim::Category => policy
                    .categories
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| k.to_string()),
            }
        };
        let mut all_keys: std::collections::BTreeSet<Vec<String>> = Default::default();
        for m in [
            &submitted, &approved, &rejected, &returned, &pending, &overdue, &reopened, &firms,
        ] {
            all_keys.extend(m.keys().cloned());
        }
        all_keys.extend(reports.keys().cloned());
        // By county alone, every county of the scope is listed, with zeros where nothing happened.
        if by == [Dim::Division] {
            let mut st = conn.prepare_cached(
                "SELECT code FROM divisions WHERE level <> 'city' AND (?1 IS NULL OR code = ?1)",
            )?;
            let codes = st.query_map(params![scope], |r| r.get::<_, String>(0))?;
            for c in codes {
                all_keys.insert(vec![c?]);
            }
        }
        let get = |m: &Keyed, k: &Vec<String>| *m.get(k).unwrap_or(&0);
        let mut rows = Vec::new();
        let mut total = StatsRow::default();
        for k in all_keys {
            let row = StatsRow {
                labels: k.iter().zip(&by).map(|(v, d)| label(*d, v)).collect(),
                submitted: get(&submitted, &k),
                approved: get(&approved, &k),
                rejected: get(&rejected, &k),
                returned: get(&returned, &k),
                pending: get(&pending, &k),
                overdue: get(&overdue, &k),
                firms: get(&firms, &k),
                firms_reopened: get(&reopened, &k),
                approved_headcount: get(&headcount, &k),
                key_area_staff: get(&key_area, &k),
                under_observation: get(&observed, &k),
                reports: reports.get(&k).cloned().unwrap_or_default(),
                keys: k,
            };
            total.merge(&row);
            rows.push(row);
        }
        total.labels = vec!["合计".to_string()];
        // The rate by day, as 复工率 is read: firms reopened by the end of each day, out of all
        // the firms registered by the end of the range (one denominator, so the curve shows
        // reopening, not registration).
        let firms_total: i64 = conn.query_row(
            "SELECT count(*) FROM firms f WHERE (?1 IS NULL OR f.division = ?1) AND f.created_at < ?2",
            params![scope, hi],
            |r| r.get(0),
        )?;
        reopen_days.sort_unstable();
        let mut rate = Vec::new();
        let mut d = from;
        while d <= to {
            let reopened_then = reopen_days.partition_point(|r| *r <= d) as i64;
            rate.push(RatePoint {
                date: d,
                firms: firms_total,
                reopened: reopened_then,
                rate: if firms_total == 0 {
                    0.0
                } else {
                    (reopened_then as f64 / firms_total as f64).min(1.0)
                },
            });
            d += Duration::days(1);
        }
        Ok(Stats {
            from,
            to,
            by,
            scope: scope_name,
            rows,
            total,
            rate,
            generated_at: ts(now),
        })
    }
}

/// The leading group's daily bulletin (复工复产日报) for one day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Bulletin {
    pub date: NaiveDate,
    pub scope: String,
    pub generated_at: String,
    /// The day's figures by county/district, by industry section and by category.
    pub by_division: Stats,
    pub by_industry: Stats,
    pub by_category: Stats,
    /// The reopening rate over the 14 days to `date`.
    pub rate: Vec<RatePoint>,
    /// Daily reports due for the day before `date` (filed by this morning's deadline or not).
    pub reports_date: NaiveDate,
    pub reports: ComplianceCounts,
    /// Flagged daily reports not yet followed up.
    pub open_flags: i64,
    /// Stages past their deadline now (at most 100, oldest first).
    pub overdue: Vec<OverdueRow>,
}

impl Reopen {
    pub fn bulletin(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Bulletin> {
        let date = date.unwrap_or_else(|| local_date(now));
        let day = |by: Dim| {
            self.stats(
                actor,
                &StatsQuery {
                    from: Some(date),
                    to: Some(date),
                    by: vec![by],
                },
                now,
            )
        };
        let by_division = day(Dim::Division)?;
        let by_industry = day(Dim::Industry)?;
        let by_category = day(Dim::Category)?;
        let trend = self.stats(
            actor,
            &StatsQuery {
                from: Some(date - Duration::days(13)),
                to: Some(date),
                by: vec![Dim::Division],
            },
            now,
        )?;
        let reports_date = date - Duration::days(1);
        let policy = self.policy()?;
        let reports = ComplianceCounts::of(&self.compliance_rows(
            actor,
            reports_date,
            &policy.daily_report,
            now,
        )?);
        let open_flags = self.daily_flags(actor)?.len() as i64;
        let overdue = self.dashboard(actor, Some(date), Some(date), now)?.overdue;
        Ok(Bulletin {
            date,
            scope: by_division.scope.clone(),
            generated_at: ts(now),
            by_division,
            by_industry,
            by_category,
            rate: trend.rate,
            reports_date,
            reports,
            open_flags,
            overdue,
        })
    }

    /// The bulletin as a workbook: a summary sheet, one sheet per grouping, the rate, the overdue list.
    pub fn bulletin_xlsx(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        use crate::documents::exports::{workbook, Cell, Table};
        let b = self.bulletin(actor, date, now)?;
        let t = &b.by_division.total;
        let summary = Table {
            sheet: "概况".into(),
            title: Some(format!(
                "{}复工复产日报({})",
                b.scope,
                crate::documents::zh_date(b.date)
            )),
            headers: vec!["项目".into(), "数值".into()],
            rows: vec![
                vec!["当日提交(件次)".into(), t.submitted.into()],
                vec!["当日批准".into(), t.approved.into()],
                vec!["当日不予批准".into(), t.rejected.into()],
                vec!["当日退回补正".into(), t.returned.into()],
                vec!["审核中".into(), t.pending.into()],
                vec!["超时未办".into(), t.overdue.into()],
                vec!["企业数".into(), t.firms.into()],
                vec!["已复工企业".into(), t.firms_reopened.into()],
                vec!["复工率".into(), Cell::Percent(t.reopening_rate())],
                vec!["核定复工人数".into(), t.approved_headcount.into()],
                vec!["重点地区来雅人员".into(), t.key_area_staff.into()],
                vec!["隔离观察人员".into(), t.under_observation.into()],
                vec![
                    format!("{} 日报应报", b.reports_date).into(),
                    b.reports.expected.into(),
                ],
                vec!["按时".into(), b.reports.on_time.into()],
                vec!["迟报".into(), b.reports.late.into()],
                vec!["逾期未报".into(), b.reports.overdue.into()],
                vec!["漏报".into(), b.reports.missing.into()],
                vec!["未处理的日报预警".into(), b.open_flags.into()],
            ],
            total: None,
        };
        let rate = super::exports::rate_table(&Stats {
            rate: b.rate.clone(),
            from: b.date - Duration::days(13),
            ..b.by_division.clone()
        });
        let overdue = Table {
            sheet: "超时未办".into(),
            title: None,
            headers: [
                "申请编号",
                "企业名称",
                "受理地",
                "部门",
                "环节",
                "办理期限",
                "绿色通道",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: b
                .overdue
                .iter()
                .map(|o| {
                    vec![
                        o.application_id.into(),
                        o.firm_name.clone().into(),
                        o.jurisdiction.clone().into(),
                        o.department.clone().into(),
                        o.stage_name.clone().into(),
                        super::parse_ts(&o.due_at)
                            .map(super::local_time)
                            .unwrap_or_else(|_| o.due_at.clone())
                            .into(),
                        if o.green_channel { "是" } else { "否" }.into(),
                    ]
                })
                .collect(),
            total: None,
        };
        workbook(&[
            summary,
            super::exports::stats_table(&b.by_division, "按县(区)"),
            super::exports::stats_table(&b.by_industry, "按行业"),
            super::exports::stats_table(&b.by_category, "按复工类别"),
            rate,
            overdue,
        ])
    }

    /// The bulletin as a PDF for the leading group (A4, Chinese).
    pub fn bulletin_pdf(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
        fonts: &crate::documents::DocFonts,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let b = self.bulletin(actor, date, now)?;
        crate::documents::render_bulletin(&b, fonts)
    }
}

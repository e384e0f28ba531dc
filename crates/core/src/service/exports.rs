//! Exports to .xlsx: statistics, the daily-report compliance list, application lists as filtered,
//! and rosters. Every export goes through the same permission checks as the screen it comes from;
//! ID numbers and phone numbers leave only masked.

use chrono::{DateTime, NaiveDate, Utc};

use super::daily::{ComplianceCounts, StatusFilter};
use super::{local_time, parse_ts, AppFilter, Reopen, Stats};
use crate::documents::exports::{workbook, Cell, Table};
use crate::domain::auth::Actor;
use crate::error::Result;

fn when(s: Option<&str>) -> Cell {
    match s.map(parse_ts) {
        Some(Ok(t)) => Cell::Text(local_time(t)),
        _ => Cell::Empty,
    }
}

const STATS_HEADERS: [&str; 17] = [
    "提交（件次）",
    "批准",
    "不予批准",
    "退回补正",
    "审核中",
    "超时未办",
    "企业数",
    "已复工企业",
    "复工率",
    "核定复工人数",
    "重点地区来雅人员",
    "隔离观察人员",
    "应报日报",
    "按时",
    "迟报",
    "逾期未报",
    "漏报",
];

fn stats_cells(r: &super::StatsRow) -> Vec<Cell> {
    vec![
        r.submitted.into(),
        r.approved.into(),
        r.rejected.into(),
        r.returned.into(),
        r.pending.into(),
        r.overdue.into(),
        r.firms.into(),
        r.firms_reopened.into(),
        Cell::Percent(r.reopening_rate()),
        r.approved_headcount.into(),
        r.key_area_staff.into(),
        r.under_observation.into(),
        r.reports.expected.into(),
        r.reports.on_time.into(),
        r.reports.late.into(),
        r.reports.overdue.into(),
        r.reports.missing.into(),
    ]
}

fn range_text(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        from.format("%Y年%-m月%-d日").to_string()
    } else {
        format!(
            "{} 至 {}",
            from.format("%Y年%-m月%-d日"),
            to.format("%Y年%-m月%-d日")
        )
    }
}

/// The statistics table of one grouping (also a sheet of the daily bulletin).
pub fn stats_table(s: &Stats, sheet: &str) -> Table {
    let mut headers: Vec<String> = s.by.iter().map(|d| d.zh().to_string()).collect();
    headers.extend(STATS_HEADERS.iter().map(|h| h.to_string()));
    let rows = s
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<Cell> = r.labels.iter().map(|l| Cell::Text(l.clone())).collect();
            cells.extend(stats_cells(r));
            cells
        })
        .collect();
    let mut total: Vec<Cell> = vec![Cell::Text("合计".into())];
    total.extend((1..s.by.len()).map(|_| Cell::Empty));
    total.extend(stats_cells(&s.total));
    Table {
        sheet: sheet.to_string(),
        title: Some(format!(
            "{}复工复产统计（{}）",
            s.scope,
            range_text(s.from, s.to)
        )),
        headers,
        rows,
        total: Some(total),
    }
}

/// The reopening rate at the end of each day.
pub fn rate_table(s: &Stats) -> Table {
    Table {
        sheet: "复工率".into(),
        title: Some(format!(
            "{}企业复工率（{}）",
            s.scope,
            range_text(s.from, s.to)
        )),
        headers: vec![
            "日期".into(),
            "企业数".into(),
            "已复工企业".into(),
            "复工率".into(),
        ],
        rows: s
            .rate
            .iter()
            .map(|p| {
                vec![
                    p.date.to_string().into(),
                    p.firms.into(),
                    p.reopened.into(),
                    Cell::Percent(p.rate),
                ]
            })
            .collect(),
        total: None,
    }
}

/// Statistics as a workbook: the grouped figures with a total row, and the rate by day.
pub fn stats_workbook(s: &Stats) -> Result<Vec<u8>> {
    workbook(&[stats_table(s, "统计"), rate_table(s)])
}

pub(crate) fn counts_cells(c: &ComplianceCounts) -> Vec<Cell> {
    vec![
        c.expected.into(),
        c.on_time.into(),
        c.late.into(),
        c.pending.into(),
        c.overdue.into(),
        c.missing.into(),
    ]
}

/// Every row of a paged list use case, fetched a page (the largest the core serves) at a time.
fn every_page<T>(mut page: impl FnMut(u32, u32) -> Result<Vec<T>>) -> Result<Vec<T>> {
    const PAGE: u32 = 500;
    let mut all = Vec::new();
    loop {
        let rows = page(PAGE, all.len() as u32)?;
        let n = rows.len() as u32;
        all.extend(rows);
        if n < PAGE {
            return Ok(all);
        }
    }
}

impl Reopen {
    /// The whole compliance list of a day (every firm, not a page), as a workbook.
    pub fn daily_status_xlsx(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let f = StatusFilter {
            date,
            ..Default::default()
        };
        let first = self.daily_status_all(actor, &f, now)?;
        let rows = &first.rows;
        let opt = |v: Option<u32>| Cell::from(v);
        let list = Table {
            sheet: "日报情况".into(),
            title: Some(format!(
                "{} 每日报告报送情况（截止 {}）",
                first.date.format("%Y年%-m月%-d日"),
                local_time(parse_ts(&first.due_at)?)
            )),
            headers: [
                "统一社会信用代码",
                "企业名称",
                "县（区）",
                "复工日期",
                "报送情况",
                "报送时间",
                "在岗人数",
                "核定复工人数",
                "发热人数",
                "隔离观察",
                "口罩存量",
                "预警",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.credit_code.clone().into(),
                        r.firm_name.clone().into(),
                        r.division_name.clone().into(),
                        r.reopened_on.to_string().into(),
                        r.status.zh().into(),
                        when(r.filed_at.as_deref()),
                        opt(r.staff_on_site),
                        opt(r.approved_headcount),
                        opt(r.fever),
                        opt(r.under_observation),
                        opt(r.masks_remaining),
                        r.flags
                            .iter()
                            .map(|f| f.zh())
                            .collect::<Vec<_>>()
                            .join("、")
                            .into(),
                    ]
                })
                .collect(),
            total: None,
        };
        let c = &first.counts;
        let mut summary_row: Vec<Cell> = vec![first.date.to_string().into()];
        summary_row.extend(counts_cells(c));
        let summary = Table {
            sheet: "汇总".into(),
            title: None,
            headers: ["日期", "应报", "按时", "迟报", "待报", "逾期未报", "漏报"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: vec![summary_row],
            total: None,
        };
        workbook(&[list, summary])
    }

    /// Every application matching the filter (not only a page), as a workbook.
    pub fn app_list_xlsx(&self, actor: &Actor, f: &AppFilter) -> Result<Vec<u8>> {
        let policy = self.policy()?;
        let all = every_page(|limit, offset| {
            self.app_list(
                actor,
                &AppFilter {
                    limit: Some(limit),
                    offset: Some(offset),
                    ..f.clone()
                },
            )
        })?;
        let names = crate::store::stats::division_names(self.db())?;
        let table = Table {
            sheet: "申请列表".into(),
            title: None,
            headers: [
                "申请编号",
                "企业名称",
                "统一社会信用代码",
                "受理地",
                "状态",
                "复工类别",
                "计划复工日期",
                "计划复工人数",
                "核定复工人数",
                "提交时间",
                "最后更新",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: all
                .iter()
                .map(|a| {
                    vec![
                        a.id.into(),
                        a.firm_name.clone().into(),
                        a.credit_code.clone().into(),
                        names
                            .get(&a.jurisdiction)
                            .cloned()
                            .unwrap_or_else(|| a.jurisdiction.clone())
                            .into(),
                        a.state.zh().into(),
                        policy
                            .categories
                            .get(&a.category)
                            .cloned()
                            .unwrap_or_else(|| a.category.clone())
                            .into(),
                        a.planned_date.clone().into(),
                        a.planned_headcount.into(),
                        a.approved_headcount.into(),
                        when(a.submitted_at.as_deref()),
                        when(Some(&a.updated_at)),
                    ]
                })
                .collect(),
            total: None,
        };
        workbook(&[table])
    }

    /// An application's roster with ID numbers and phone numbers masked, as a workbook.
    pub fn roster_xlsx(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        let rows =
            every_page(|limit, offset| self.app_roster(actor, id, Some(limit), Some(offset)))?;
        let date = |d: Option<NaiveDate>| -> Cell { d.map(|d| d.to_string()).into() };
        let table = Table {
            sheet: "员工花名册".into(),
            title: None,
            headers: std::iter::once("序号")
                .chain(crate::domain::roster::COLUMNS.iter().map(|c| c.1))
                .map(|s| s.to_string())
                .collect(),
            rows: rows
                .iter()
                .map(|v| {
                    let r = &v.masked;
                    vec![
                        v.row_no.into(),
                        r.name.clone().into(),
                        r.id_number.clone().into(),
                        r.phone.clone().into(),
                        r.post.clone().into(),
                        r.home_region.clone().into(),
                        if r.from_elsewhere { "是" } else { "否" }.into(),
                        r.from_region.clone().into(),
                        date(r.return_date),
                        date(r.observation_start),
                        date(r.observation_end),
                        r.health.zh().into(),
                    ]
                })
                .collect(),
            total: None,
        };
        workbook(&[table])
    }
}

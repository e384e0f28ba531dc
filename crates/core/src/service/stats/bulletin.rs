//! The leading group's daily bulletin (复工复产日报): the day's statistics by county, industry and
//! category, the reopening rate over 14 days, daily-report compliance, open flags and the overdue
//! list; as a workbook or a PDF.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Bulletin, Dim, Stats, StatsQuery};
use crate::domain::auth::Actor;
use crate::error::Result;
use crate::service::{local_date, ts, ComplianceCounts, Reopen};

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
            system: policy.system.name.clone(),
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
                "{}复工复产日报（{}）",
                b.scope,
                crate::documents::zh_date(b.date)
            )),
            headers: vec!["项目".into(), "数值".into()],
            rows: vec![
                vec!["当日提交（件次）".into(), t.submitted.into()],
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
        let rate = crate::service::exports::rate_table(&Stats {
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
                        crate::service::parse_ts(&o.due_at)
                            .map(crate::service::local_time)
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
            crate::service::exports::stats_table(&b.by_division, "按县（区）"),
            crate::service::exports::stats_table(&b.by_industry, "按行业"),
            crate::service::exports::stats_table(&b.by_category, "按复工类别"),
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

//! Daily reports after reopening: filing, lateness (Asia/Shanghai), flags and compliance.
//!
//! A firm is expected to report every local day from the day it reopened — the later of its
//! planned date and the day its application was approved — while its application stays approved
//! or certified. The department it was routed to sees flagged reports at the top of its queue and
//! every day's compliance (on time / late / overdue / missing) for its firms.

pub use crate::model::ComplianceCounts;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::firms::{can_file_for, can_see_firm, firm_by_code};
use super::{audit, local_date, page, parse_ts, ts, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::domain::daily::{self, DailyFlag, DailyInput, DayStatus};
use crate::domain::ids::parse_text;
use crate::error::{Error, Result};
use crate::store::daily as store;
use crate::store::Db;
use crate::t;

/// A filed report as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DailyReportRow {
    pub id: i64,
    pub credit_code: String,
    pub firm_name: String,
    pub application_id: i64,
    pub date: NaiveDate,
    pub staff_on_site: u32,
    pub fever: u32,
    pub under_observation: u32,
    pub masks_remaining: u32,
    pub notes: String,
    pub filed_at: String,
    pub filed_by: String,
    pub status: DayStatus,
    pub approved_headcount: Option<u32>,
    pub flags: Vec<DailyFlag>,
    pub flag_handled_at: Option<String>,
    pub flag_note: Option<String>,
}

/// One firm's standing for one day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ComplianceRow {
    /// The day reported on, and when its report is due (RFC 3339, UTC).
    pub date: NaiveDate,
    pub due_at: String,
    pub credit_code: String,
    pub firm_name: String,
    pub division: String,
    pub division_name: String,
    pub application_id: i64,
    pub reopened_on: NaiveDate,
    pub approved_headcount: Option<u32>,
    pub status: DayStatus,
    pub report_id: Option<i64>,
    pub filed_at: Option<String>,
    pub staff_on_site: Option<u32>,
    pub fever: Option<u32>,
    pub under_observation: Option<u32>,
    pub masks_remaining: Option<u32>,
    pub flags: Vec<DailyFlag>,
}

impl ComplianceCounts {
    pub fn add(&mut self, s: DayStatus) {
        self.expected += 1;
        match s {
            DayStatus::OnTime => self.on_time += 1,
            DayStatus::Late => self.late += 1,
            DayStatus::Pending => self.pending += 1,
            DayStatus::Overdue => self.overdue += 1,
            DayStatus::Missing => self.missing += 1,
        }
    }
    /// The counts of a day's rows.
    pub fn of(rows: &[ComplianceRow]) -> ComplianceCounts {
        let mut c = ComplianceCounts::default();
        for r in rows {
            c.add(r.status);
        }
        c
    }
    pub fn merge(&mut self, o: &ComplianceCounts) {
        self.expected += o.expected;
        self.on_time += o.on_time;
        self.late += o.late;
        self.pending += o.pending;
        self.overdue += o.overdue;
        self.missing += o.missing;
    }
}

/// Compliance of one day: the counts over every expected firm, and a page of firms.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DailyStatus {
    pub date: NaiveDate,
    /// When the day's reports are due, and when an unfiled one counts as missing (RFC 3339, UTC).
    pub due_at: String,
    pub missing_at: String,
    pub counts: ComplianceCounts,
    pub rows: Vec<ComplianceRow>,
    /// Rows in the whole list (for paging).
    pub total: u32,
}

/// Per-day counts over a range, for a department's or leader's compliance chart.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ComplianceDay {
    pub date: NaiveDate,
    pub counts: ComplianceCounts,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatusFilter {
    pub date: Option<NaiveDate>,
    /// Only firms in this standing (on_time, late, pending, overdue, missing).
    pub status: Option<DayStatus>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

fn report_by_id(db: Db<'_>, id: i64) -> Result<DailyReportRow> {
    store::report_by_id(db, id)?
        .ok_or_else(|| Error::not_found(t!("没有该每日报告", "no such daily report")))
}

impl Reopen {
    /// Files the firm's report for a day: the firm itself, or a clerk of its jurisdiction at the
    /// counter. One report per firm per day; a second one for the same day is a conflict.
    pub fn daily_file(
        &mut self,
        actor: &Actor,
        credit_code: &str,
        report: &Value,
        now: DateTime<Utc>,
    ) -> Result<DailyReportRow> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("报送每日报告", "file daily reports"),
        )?;
        let input = DailyInput::from_json(report).map_err(Error::validation)?;
        let policy = self.policy()?;
        self.write(|tx| {
            let firm = firm_by_code(tx, credit_code)?;
            if !can_file_for(actor, &firm) {
                return Err(Error::forbidden(t!(
                    "无权为该企业报送每日报告",
                    "you may not file reports for this firm"
                )));
            }
            let Some(app) = store::reopened_app(tx, firm.id)? else {
                return Err(Error::conflict(t!(
                    format!("{} 尚无已批准的复工申请，无需报送每日报告", firm.name),
                    format!(
                        "{} has no approved application: no daily report is due",
                        firm.name
                    )
                )));
            };
            daily::check_day(input.date, app.reopened_on, local_date(now))
                .map_err(|m| Error::field("date", m))?;
            if let Some(at) = store::filed_at(tx, firm.id, input.date)? {
                let at = super::local_time(at);
                return Err(Error::conflict(t!(
                    format!("{} 的每日报告已于 {at} 报送，不能重复报送", input.date),
                    format!("the report for {} was already filed at {at}", input.date)
                )));
            }
            let timeliness = daily::timeliness(input.date, now, &policy.daily_report);
            let flags = daily::flags(&input, app.approved_headcount);
            let id = store::insert_report(
                tx,
                &store::NewReport {
                    firm_id: firm.id,
                    application_id: app.app_id,
                    date: input.date,
                    staff_on_site: input.staff_on_site,
                    fever: input.fever,
                    under_observation: input.under_observation,
                    masks_remaining: input.masks_remaining,
                    notes: &input.notes,
                    filed_at: now,
                    filed_by: actor.user_id,
                    timeliness,
                    flags: &flags,
                },
            )?;
            audit(
                tx,
                actor,
                "daily.file",
                &format!("firm:{}", firm.credit_code),
                None,
                Some(
                    &json!({"report": id, "date": input.date, "staff_on_site": input.staff_on_site,
                    "fever": input.fever, "timeliness": timeliness.as_str(), "flags": flags}),
                ),
                now,
            )?;
            report_by_id(tx, id)
        })
    }

    /// A firm's reports, newest first (the firm, and whoever may see the firm).
    pub fn daily_list(
        &self,
        actor: &Actor,
        credit_code: &str,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<DailyReportRow>> {
        let firm = firm_by_code(self.db(), credit_code)?;
        if !can_see_firm(self.db(), actor, &firm)? {
            return Err(Error::forbidden(t!(
                "无权查看该企业的每日报告",
                "you may not see this firm's reports"
            )));
        }
        let (limit, offset) = page(limit, offset);
        store::reports_of_firm(self.db(), firm.id, limit, offset)
    }

    /// How many reports `daily_list` shows over all its pages (the pager's 共 N 条).
    pub fn daily_count(&self, actor: &Actor, credit_code: &str) -> Result<i64> {
        let firm = firm_by_code(self.db(), credit_code)?;
        if !can_see_firm(self.db(), actor, &firm)? {
            return Err(Error::forbidden(t!(
                "无权查看该企业的每日报告",
                "you may not see this firm's reports"
            )));
        }
        store::count_reports_of_firm(self.db(), firm.id)
    }

    /// The day a firm should report next and whether it has reported today (for the firm's screen).
    pub fn daily_due(
        &self,
        actor: &Actor,
        credit_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ComplianceRow>> {
        let firm = firm_by_code(self.db(), credit_code)?;
        if !can_see_firm(self.db(), actor, &firm)? {
            return Err(Error::forbidden(t!(
                "无权查看该企业的每日报告",
                "you may not see this firm's reports"
            )));
        }
        let Some(app) = store::reopened_app(self.db(), firm.id)? else {
            return Ok(vec![]);
        };
        let policy = self.policy()?;
        let today = local_date(now);
        let from = app.reopened_on.max(today - Duration::days(13));
        let mut out = Vec::new();
        let mut d = today;
        while d >= from {
            let filed = store::filed_for_day(self.db(), firm.id, d)?;
            let filed_at = filed.as_ref().map(|f| parse_ts(&f.filed_at)).transpose()?;
            out.push(ComplianceRow {
                date: d,
                due_at: ts(daily::deadline(d, &policy.daily_report)),
                credit_code: firm.credit_code.clone(),
                firm_name: firm.name.clone(),
                division: firm.division.clone(),
                division_name: firm.division_name.clone(),
                application_id: app.app_id,
                reopened_on: app.reopened_on,
                approved_headcount: app.approved_headcount,
                status: daily::status(d, filed_at, now, &policy.daily_report),
                report_id: filed.as_ref().map(|f| f.id),
                filed_at: filed.as_ref().map(|f| f.filed_at.clone()),
                staff_on_site: filed.as_ref().map(|f| f.staff_on_site),
                fever: filed.as_ref().map(|f| f.fever),
                under_observation: filed.as_ref().map(|f| f.under_observation),
                masks_remaining: filed.as_ref().map(|f| f.masks_remaining),
                flags: filed.map(|f| f.flags).unwrap_or_default(),
            });
            d -= Duration::days(1);
        }
        Ok(out)
    }

    /// Compliance for one day (default: yesterday, whose reports are due this morning) over the
    /// firms the actor may see: reviewers their department's, clerks and leaders their
    /// jurisdiction's, the administrator all. Flagged and missing firms come first.
    pub fn daily_status(
        &self,
        actor: &Actor,
        f: &StatusFilter,
        now: DateTime<Utc>,
    ) -> Result<DailyStatus> {
        let mut all = self.daily_status_all(actor, f, now)?;
        let (limit, offset) = page(f.limit, f.offset);
        all.rows = all
            .rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(all)
    }

    /// [`Reopen::daily_status`] with every row (for the export), computed once.
    pub(crate) fn daily_status_all(
        &self,
        actor: &Actor,
        f: &StatusFilter,
        now: DateTime<Utc>,
    ) -> Result<DailyStatus> {
        actor.require(
            &[Role::Reviewer, Role::Clerk, Role::Leader, Role::Admin],
            &t!("查看每日报告情况", "read daily-report compliance"),
        )?;
        let policy = self.policy()?;
        let date = f.date.unwrap_or(local_date(now) - Duration::days(1));
        if date > local_date(now) {
            return Err(Error::field(
                "date",
                t!("不能查询未来日期", "the date must not be in the future"),
            ));
        }
        let mut rows = self.compliance_rows(actor, date, &policy.daily_report, now)?;
        let counts = ComplianceCounts::of(&rows);
        if let Some(s) = f.status {
            rows.retain(|r| r.status == s);
        }
        let rank = |r: &ComplianceRow| match (r.flags.is_empty(), r.status) {
            (false, _) => 0,
            (_, DayStatus::Missing) => 1,
            (_, DayStatus::Overdue) => 2,
            (_, DayStatus::Late) => 3,
            (_, DayStatus::Pending) => 4,
            (_, DayStatus::OnTime) => 5,
        };
        rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.firm_name.cmp(&b.firm_name)));
        let total = rows.len() as u32;
        Ok(DailyStatus {
            date,
            due_at: ts(daily::deadline(date, &policy.daily_report)),
            missing_at: ts(daily::missing_at(date, &policy.daily_report)),
            counts,
            rows,
            total,
        })
    }

    /// Every firm expected to report on `date` within the actor's scope, with its standing.
    pub(crate) fn compliance_rows(
        &self,
        actor: &Actor,
        date: NaiveDate,
        policy: &crate::domain::policy::DailyReport,
        now: DateTime<Utc>,
    ) -> Result<Vec<ComplianceRow>> {
        let due_at = ts(daily::deadline(date, policy));
        let mut rows = store::compliance(self.db(), &actor.scope(), date, &due_at)?;
        for row in &mut rows {
            let filed = row.filed_at.as_deref().map(parse_ts).transpose()?;
            row.status = daily::status(date, filed, now, policy);
        }
        Ok(rows)
    }

    /// Counts per day over a range (at most 92 days).
    pub fn daily_compliance(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<ComplianceDay>> {
        actor.require(
            &[Role::Reviewer, Role::Clerk, Role::Leader, Role::Admin],
            &t!("查看每日报告情况", "read daily-report compliance"),
        )?;
        let to = to.min(local_date(now));
        if from > to || (to - from).num_days() > 91 {
            return Err(Error::field(
                "from",
                t!(
                    "区间应在 92 天以内且起始不晚于结束",
                    "the range must be at most 92 days, from before to"
                ),
            ));
        }
        let policy = self.policy()?;
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            let rows = self.compliance_rows(actor, d, &policy.daily_report, now)?;
            out.push(ComplianceDay {
                date: d,
                counts: ComplianceCounts::of(&rows),
            });
            d += Duration::days(1);
        }
        Ok(out)
    }

    /// Flagged reports not yet handled, for the reviewer's department (top of its queue), or the
    /// jurisdiction of a clerk or leader. Newest first.
    pub fn daily_flags(&self, actor: &Actor) -> Result<Vec<DailyReportRow>> {
        actor.require(
            &[Role::Reviewer, Role::Clerk, Role::Leader, Role::Admin],
            &t!("查看每日报告预警", "read daily-report flags"),
        )?;
        store::open_flags(self.db(), &actor.scope())
    }

    /// A reviewer of the firm's department records how a flag was followed up (audited).
    pub fn daily_flag_handle(
        &mut self,
        actor: &Actor,
        report_id: i64,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<DailyReportRow> {
        actor.require(
            &[Role::Reviewer],
            &t!("处理每日报告预警", "follow up daily-report flags"),
        )?;
        let note = parse_text(note, 500, true).map_err(|m| Error::field("note", m))?;
        self.write(|tx| {
            let r = report_by_id(tx, report_id)?;
            if !store::routed_to(tx, r.application_id, actor.department_id)? {
                return Err(Error::forbidden(t!(
                    "该企业不归本部门管理",
                    "this firm is not your department's"
                )));
            }
            if r.flags.is_empty() {
                return Err(Error::conflict(t!(
                    "该报告没有预警",
                    "this report raised no flag"
                )));
            }
            if r.flag_handled_at.is_some() {
                return Err(Error::conflict(t!(
                    "该预警已处理",
                    "this flag was already followed up"
                )));
            }
            store::handle_flag(tx, report_id, now, actor.user_id, &note)?;
            audit(
                tx,
                actor,
                "daily.flag_handled",
                &format!("firm:{}", r.credit_code),
                None,
                Some(&json!({"report": report_id, "date": r.date, "note": note})),
                now,
            )?;
            report_by_id(tx, report_id)
        })
    }
}

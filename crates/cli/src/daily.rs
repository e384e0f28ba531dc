//! `reopen daily …`: daily reports after reopening (file, status), and the department's follow-up.

use std::path::PathBuf;

use chrono::{Duration, NaiveDate};
use clap::Subcommand;
use reopen_core::api;
use reopen_core::domain::daily::DayStatus;
use reopen_core::domain::ids::parse_date;
use reopen_core::error::{Error, Lang};
use reopen_core::service::{local_date, DailyReportRow, StatusFilter};
use reopen_core::t;

use crate::ctx::Ctx;
use crate::output::Out;
use crate::read_json;

#[derive(Subcommand)]
pub enum DailyCmd {
    /// File the firm's report for a day (report.json: date, staff_on_site, fever,
    /// under_observation, masks_remaining, notes)
    File {
        credit_code: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Compliance for a day (default: yesterday): on time, late, overdue, missing
    Status {
        #[arg(long)]
        date: Option<String>,
        /// Only firms in this standing: on_time|late|pending|overdue|missing
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        offset: Option<u32>,
    },
    /// A firm's reports, newest first
    List {
        credit_code: String,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        offset: Option<u32>,
    },
    /// Per-day counts over a range (default: the last 7 days)
    Compliance {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// Flagged reports not yet followed up (fever, more staff than approved)
    Flags,
    /// Record how a flagged report was followed up (the firm's department)
    Handle {
        report_id: i64,
        #[arg(long)]
        note: String,
    },
}

pub(crate) fn date_arg(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    v.map(|s| parse_date(s).map_err(|m| Error::field(field, m)))
        .transpose()
}

fn report_line(r: &DailyReportRow, lang: Lang) -> String {
    let flags: Vec<&str> = r.flags.iter().map(|f| f.zh()).collect();
    if lang == Lang::En {
        format!(
            "report {} for {} {}: {} on site, {} with fever, {} under observation, {} masks — {}{}",
            r.id,
            r.firm_name,
            r.date,
            r.staff_on_site,
            r.fever,
            r.under_observation,
            r.masks_remaining,
            r.status.as_str(),
            if flags.is_empty() {
                String::new()
            } else {
                format!(
                    "; flags: {}",
                    serde_json::to_string(&r.flags).unwrap_or_default()
                )
            }
        )
    } else {
        format!(
            "每日报告 {}：{} {}，在岗 {} 人，发热 {} 人，隔离观察 {} 人，口罩 {} 只 —— {}{}",
            r.id,
            r.firm_name,
            r.date,
            r.staff_on_site,
            r.fever,
            r.under_observation,
            r.masks_remaining,
            r.status.zh(),
            if flags.is_empty() {
                String::new()
            } else {
                format!("；预警：{}", flags.join("、"))
            }
        )
    }
}

pub fn run(cx: &mut Ctx, c: DailyCmd, out: &mut Out) -> Result<(), Error> {
    let now = cx.now;
    match c {
        DailyCmd::File { credit_code, file } => {
            let v = read_json(&file)?;
            let r = cx.call(api::DailyFile {
                credit_code,
                report: v,
            })?;
            let lang = out.lang;
            out.value(&r, |r| report_line(r, lang))
        }
        DailyCmd::Status {
            date,
            status,
            limit,
            offset,
        } => {
            let status = status
                .map(|s| {
                    DayStatus::parse(s.trim()).ok_or_else(|| {
                        Error::field(
                            "status",
                            t!(
                                format!("未知状态“{s}”，应为 on_time、late、pending、overdue 或 missing"),
                                format!("unknown status '{s}': use on_time, late, pending, overdue or missing")
                            ),
                        )
                    })
                })
                .transpose()?;
            let f = StatusFilter {
                date: date_arg("date", date.as_deref())?,
                status,
                limit,
                offset,
            };
            let s = cx.call(api::DailyStatusOp { filter: f })?;
            if out.json {
                return out.json_or_pretty(&s);
            }
            let c = &s.counts;
            out.value(&s, |s| {
                let mut text = format!(
                    "{} 每日报告：应报 {}，按时 {}，迟报 {}，待报 {}，逾期未报 {}，漏报 {}（截止 {}）\n",
                    s.date,
                    c.expected,
                    c.on_time,
                    c.late,
                    c.pending,
                    c.overdue,
                    c.missing,
                    s.due_at
                );
                text.push_str("credit_code\tfirm_name\tdivision_name\tstatus\tfiled_at\tstaff_on_site\tapproved_headcount\tfever\tflags");
                for r in &s.rows {
                    let flags: Vec<&str> = r.flags.iter().map(|f| f.zh()).collect();
                    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
                    text.push_str(&format!(
                        "\n{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        r.credit_code,
                        r.firm_name,
                        r.division_name,
                        r.status.zh(),
                        r.filed_at.as_deref().unwrap_or("-"),
                        opt(r.staff_on_site),
                        opt(r.approved_headcount),
                        opt(r.fever),
                        if flags.is_empty() { "-".to_string() } else { flags.join("、") }
                    ));
                }
                text
            })
        }
        DailyCmd::List {
            credit_code,
            limit,
            offset,
        } => {
            let rows = cx.call(api::DailyList {
                credit_code,
                limit,
                offset,
            })?;
            out.table(
                &rows,
                &[
                    "id",
                    "date",
                    "staff_on_site",
                    "fever",
                    "under_observation",
                    "masks_remaining",
                    "status",
                    "filed_at",
                    "flags",
                ],
            )
        }
        DailyCmd::Compliance { from, to } => {
            let to = date_arg("to", to.as_deref())?.unwrap_or(local_date(now));
            let from = date_arg("from", from.as_deref())?.unwrap_or(to - Duration::days(6));
            let days = cx.call(api::DailyCompliance { from, to })?;
            if out.json {
                return out.json_or_pretty(&days);
            }
            let flat: Vec<serde_json::Value> = days
                .iter()
                .map(|d| {
                    let mut v = serde_json::to_value(&d.counts).unwrap_or_default();
                    v["date"] = serde_json::json!(d.date);
                    v
                })
                .collect();
            out.table(
                &flat,
                &[
                    "date", "expected", "on_time", "late", "pending", "overdue", "missing",
                ],
            )
        }
        DailyCmd::Flags => {
            let rows = cx.call(api::DailyFlags {})?;
            out.table(
                &rows,
                &[
                    "id",
                    "credit_code",
                    "firm_name",
                    "date",
                    "staff_on_site",
                    "approved_headcount",
                    "fever",
                    "flags",
                ],
            )
        }
        DailyCmd::Handle { report_id, note } => {
            let r = cx.call(api::DailyFlagHandle { report_id, note })?;
            let lang = out.lang;
            out.value(&r, |r| report_line(r, lang))
        }
    }
}

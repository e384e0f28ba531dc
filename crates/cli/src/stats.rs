//! `reopen stats`: statistics for a day or a range, optionally as an .xlsx (and the daily
//! bulletin 复工复产日报 as a PDF).

use std::path::PathBuf;

use clap::Args;
use reopen_core::api;
use reopen_core::error::{Error, Problems};
use reopen_core::service::{Dim, Stats, StatsQuery};
use reopen_core::t;
use serde_json::json;

use crate::certs::write_new;
use crate::ctx::Ctx;
use crate::daily::date_arg;
use crate::output::Out;

#[derive(Args)]
pub struct StatsArgs {
    /// First day (YYYY-MM-DD; default: --to)
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (default: today)
    #[arg(long)]
    pub to: Option<String>,
    /// division|industry|category, or two of them as division,industry
    #[arg(long)]
    pub by: Option<String>,
    /// Also write the statistics as an .xlsx workbook
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
    /// Also write the daily bulletin 复工复产日报 as a PDF
    #[arg(long)]
    pub pdf: Option<PathBuf>,
}

pub fn parse_by(v: Option<&str>) -> Result<Vec<Dim>, Error> {
    let mut p = Problems::new();
    let mut dims = Vec::new();
    for part in v.unwrap_or("").split(',').filter(|s| !s.trim().is_empty()) {
        match Dim::parse(part) {
            Some(d) => dims.push(d),
            None => p.add(
                "by",
                t!(
                    format!(
                        "未知分组“{}”，应为 division、industry 或 category",
                        part.trim()
                    ),
                    format!(
                        "unknown grouping '{}': use division, industry or category",
                        part.trim()
                    )
                ),
            ),
        }
    }
    p.into_result()?;
    Ok(dims)
}

fn human(s: &Stats) -> String {
    let head = s.by.iter().map(|d| d.zh()).collect::<Vec<_>>().join("/");
    let mut text = format!(
        "{}复工复产统计 {} 至 {}\n{head}\t提交\t批准\t不予批准\t退回补正\t待审\t超时\t企业数\t已复工\t复工率\t核定复工人数\t重点地区人员\t隔离观察\t应报\t按时\t迟报\t漏报",
        s.scope, s.from, s.to
    );
    for r in s.rows.iter().chain(std::iter::once(&s.total)) {
        text.push_str(&format!(
            "\n{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.1}%\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.labels.join("/"),
            r.submitted,
            r.approved,
            r.rejected,
            r.returned,
            r.pending,
            r.overdue,
            r.firms,
            r.firms_reopened,
            r.reopening_rate() * 100.0,
            r.approved_headcount,
            r.key_area_staff,
            r.under_observation,
            r.reports.expected,
            r.reports.on_time,
            r.reports.late,
            r.reports.missing,
        ));
    }
    text
}

pub fn run(cx: &mut Ctx, a: StatsArgs, out: &mut Out) -> Result<(), Error> {
    let q = StatsQuery {
        from: date_arg("from", a.from.as_deref())?,
        to: date_arg("to", a.to.as_deref())?,
        by: parse_by(a.by.as_deref())?,
    };
    let stats = cx.call(api::StatsOp { query: q })?;
    let mut written = Vec::new();
    if let Some(path) = &a.xlsx {
        let bytes = reopen_core::service::stats_workbook(&stats)?;
        write_new(path, &bytes)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &a.pdf {
        let bytes = cx.call(api::BulletinPdf {
            date: Some(stats.to),
        })?;
        write_new(path, &bytes.0)?;
        written.push(path.display().to_string());
    }
    if out.json {
        let mut v = serde_json::to_value(&stats)?;
        if !written.is_empty() {
            v["written"] = json!(written);
        }
        return out.json_or_pretty(&v);
    }
    out.value(&stats, |s| {
        let mut t = human(s);
        for w in &written {
            t.push_str(&format!("\n已写入 {w}"));
        }
        t
    })
}

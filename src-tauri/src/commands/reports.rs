//! Daily reports after reopening, statistics, the daily bulletin and the .xlsx exports. Every
//! export is written to the path the user chose in the save dialog; the core checks permission.

use reopen_core::api::{
    AppListXlsx, BulletinPdf, BulletinXlsx, DailyCompliance, DailyDue, DailyFile, DailyFlagHandle,
    DailyFlags, DailyList, DailyStatusOp, DailyStatusXlsx, RosterXlsx, StatsOp,
};
use reopen_core::domain::daily::DayStatus;
use reopen_core::error::Error;
use reopen_core::service::{
    AppFilter, ComplianceDay, ComplianceRow, DailyReportRow, DailyStatus, Dim, Stats, StatsQuery,
    StatusFilter,
};
use reopen_core::t;
use serde_json::Value;
use tauri::State;

use super::admin::date;
use crate::error::CmdResult;
use crate::files::{self, Target};
use crate::state::Shared;

#[tauri::command]
pub async fn daily_file(
    state: State<'_, Shared>,
    credit_code: String,
    report: Value,
) -> CmdResult<DailyReportRow> {
    state
        .op(DailyFile {
            credit_code,
            report,
        })
        .await
}

#[tauri::command]
pub async fn daily_list(
    state: State<'_, Shared>,
    credit_code: String,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<DailyReportRow>> {
    state
        .op(DailyList {
            credit_code,
            limit,
            offset,
        })
        .await
}

/// The last 14 days of a firm since it reopened, each with its standing (the firm's screen).
#[tauri::command]
pub async fn daily_due(
    state: State<'_, Shared>,
    credit_code: String,
) -> CmdResult<Vec<ComplianceRow>> {
    state.op(DailyDue { credit_code }).await
}

#[tauri::command]
pub async fn daily_status(
    state: State<'_, Shared>,
    date: Option<String>,
    status: Option<DayStatus>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<DailyStatus> {
    let f = StatusFilter {
        date: self::date(&state, "date", date)?,
        status,
        limit,
        offset,
    };
    state.op(DailyStatusOp { filter: f }).await
}

#[tauri::command]
pub async fn daily_compliance(
    state: State<'_, Shared>,
    from: String,
    to: String,
) -> CmdResult<Vec<ComplianceDay>> {
    let from = date(&state, "from", Some(from))?;
    let to = date(&state, "to", Some(to))?;
    match (from, to) {
        (Some(f), Some(t)) => state.op(DailyCompliance { from: f, to: t }).await,
        _ => Err(state.err(Error::field(
            "from",
            t!("请选择起止日期", "choose the first and last day"),
        ))),
    }
}

#[tauri::command]
pub async fn daily_flags(state: State<'_, Shared>) -> CmdResult<Vec<DailyReportRow>> {
    state.op(DailyFlags {}).await
}

#[tauri::command]
pub async fn daily_flag_handle(
    state: State<'_, Shared>,
    report_id: i64,
    note: String,
) -> CmdResult<DailyReportRow> {
    state.op(DailyFlagHandle { report_id, note }).await
}

#[tauri::command]
pub async fn daily_status_xlsx(
    state: State<'_, Shared>,
    date: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let d = self::date(&state, "date", date)?;
    state
        .run(move |s| s.call_to_file(out, files::XLSX, DailyStatusXlsx { date: d }, |b| b.0))
        .await
}

fn query(
    state: &Shared,
    from: Option<String>,
    to: Option<String>,
    by: Vec<Dim>,
) -> CmdResult<StatsQuery> {
    Ok(StatsQuery {
        from: date(state, "from", from)?,
        to: date(state, "to", to)?,
        by,
    })
}

#[tauri::command]
pub async fn stats(
    state: State<'_, Shared>,
    from: Option<String>,
    to: Option<String>,
    by: Vec<Dim>,
) -> CmdResult<Stats> {
    let q = query(&state, from, to, by)?;
    state.op(StatsOp { query: q }).await
}

#[tauri::command]
pub async fn stats_xlsx(
    state: State<'_, Shared>,
    from: Option<String>,
    to: Option<String>,
    by: Vec<Dim>,
    out: String,
) -> CmdResult<u64> {
    let q = query(&state, from, to, by)?;
    state
        .run(move |s| {
            let target = Target::new(out, files::XLSX).map_err(|e| s.err(e))?;
            let stats = s.call(StatsOp { query: q })?;
            let bytes = reopen_core::service::stats_workbook(&stats).map_err(|e| s.err(e))?;
            target.write(&bytes).map_err(|e| s.err(e))?;
            Ok(bytes.len() as u64)
        })
        .await
}

/// The daily bulletin 复工复产日报 for a day, as .xlsx or PDF (by the chosen file's extension).
#[tauri::command]
pub async fn bulletin_export(
    state: State<'_, Shared>,
    date: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let d = self::date(&state, "date", date)?;
    state
        .run(move |s| {
            let target = Target::new(out, files::PDF_OR_XLSX).map_err(|e| s.err(e))?;
            let bytes = if target.extension() == "pdf" {
                s.call(BulletinPdf { date: d })?
            } else {
                s.call(BulletinXlsx { date: d })?
            };
            target.write(&bytes.0).map_err(|e| s.err(e))?;
            Ok(bytes.0.len() as u64)
        })
        .await
}

#[tauri::command]
pub async fn app_list_xlsx(
    state: State<'_, Shared>,
    filter: AppFilter,
    out: String,
) -> CmdResult<u64> {
    state
        .run(move |s| s.call_to_file(out, files::XLSX, AppListXlsx { filter }, |b| b.0))
        .await
}

#[tauri::command]
pub async fn roster_xlsx(
    state: State<'_, Shared>,
    application_id: i64,
    out: String,
) -> CmdResult<u64> {
    state
        .run(move |s| s.call_to_file(out, files::XLSX, RosterXlsx { id: application_id }, |b| b.0))
        .await
}

//! Daily reports after reopening, statistics, the daily bulletin and the .xlsx exports. Every
//! export is written to the path the user chose in the save dialog; the core checks permission.

use std::path::Path;

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
use super::certs::write_file;
use crate::error::CmdResult;
use crate::state::AppState;

fn save(state: &AppState, out: &str, bytes: Vec<u8>) -> CmdResult<u64> {
    write_file(Path::new(out), &bytes).map_err(|e| state.err(e))?;
    Ok(bytes.len() as u64)
}

#[tauri::command]
pub fn daily_file(
    state: State<'_, AppState>,
    credit_code: String,
    report: Value,
) -> CmdResult<DailyReportRow> {
    state.as_actor(|c, a, now| c.daily_file(a, &credit_code, &report, now))
}

#[tauri::command]
pub fn daily_list(
    state: State<'_, AppState>,
    credit_code: String,
    limit: Option<u32>,
    offset: Option<u32>,
) -> CmdResult<Vec<DailyReportRow>> {
    state.as_actor(|c, a, _| c.daily_list(a, &credit_code, limit, offset))
}

/// The last 14 days of a firm since it reopened, each with its standing (the firm's screen).
#[tauri::command]
pub fn daily_due(state: State<'_, AppState>, credit_code: String) -> CmdResult<Vec<ComplianceRow>> {
    state.as_actor(|c, a, now| c.daily_due(a, &credit_code, now))
}

#[tauri::command]
pub fn daily_status(
    state: State<'_, AppState>,
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
    state.as_actor(|c, a, now| c.daily_status(a, &f, now))
}

#[tauri::command]
pub fn daily_compliance(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> CmdResult<Vec<ComplianceDay>> {
    let from = date(&state, "from", Some(from))?;
    let to = date(&state, "to", Some(to))?;
    match (from, to) {
        (Some(f), Some(t)) => state.as_actor(|c, a, now| c.daily_compliance(a, f, t, now)),
        _ => Err(state.err(Error::field(
            "from",
            t!("请选择起止日期", "choose the first and last day"),
        ))),
    }
}

#[tauri::command]
pub fn daily_flags(state: State<'_, AppState>) -> CmdResult<Vec<DailyReportRow>> {
    state.as_actor(|c, a, _| c.daily_flags(a))
}

#[tauri::command]
pub fn daily_flag_handle(
    state: State<'_, AppState>,
    report_id: i64,
    note: String,
) -> CmdResult<DailyReportRow> {
    state.as_actor(|c, a, now| c.daily_flag_handle(a, report_id, &note, now))
}

#[tauri::command]
pub fn daily_status_xlsx(
    state: State<'_, AppState>,
    date: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let d = self::date(&state, "date", date)?;
    let bytes = state.as_actor(|c, a, now| c.daily_status_xlsx(a, d, now))?;
    save(&state, &out, bytes)
}

#[tauri::command]
pub fn stats(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    by: Vec<Dim>,
) -> CmdResult<Stats> {
    let q = StatsQuery {
        from: date(&state, "from", from)?,
        to: date(&state, "to", to)?,
        by,
    };
    state.as_actor(|c, a, now| c.stats(a, &q, now))
}

#[tauri::command]
pub fn stats_xlsx(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    by: Vec<Dim>,
    out: String,
) -> CmdResult<u64> {
    let q = StatsQuery {
        from: date(&state, "from", from)?,
        to: date(&state, "to", to)?,
        by,
    };
    let bytes = state.as_actor(|c, a, now| {
        c.stats(a, &q, now)
            .and_then(|s| reopen_core::service::stats_workbook(&s))
    })?;
    save(&state, &out, bytes)
}

/// The daily bulletin 复工复产日报 for a day, as .xlsx or PDF (by the chosen file's extension).
#[tauri::command]
pub fn bulletin_export(
    state: State<'_, AppState>,
    date: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let d = self::date(&state, "date", date)?;
    let pdf = out.to_ascii_lowercase().ends_with(".pdf");
    let bytes = if pdf {
        let fonts = state.fonts()?;
        state.as_actor(|c, a, now| c.bulletin_pdf(a, d, fonts, now))?
    } else {
        state.as_actor(|c, a, now| c.bulletin_xlsx(a, d, now))?
    };
    save(&state, &out, bytes)
}

#[tauri::command]
pub fn app_list_xlsx(state: State<'_, AppState>, filter: AppFilter, out: String) -> CmdResult<u64> {
    let bytes = state.as_actor(|c, a, _| c.app_list_xlsx(a, &filter))?;
    save(&state, &out, bytes)
}

#[tauri::command]
pub fn roster_xlsx(state: State<'_, AppState>, application_id: i64, out: String) -> CmdResult<u64> {
    let bytes = state.as_actor(|c, a, _| c.roster_xlsx(a, application_id))?;
    save(&state, &out, bytes)
}

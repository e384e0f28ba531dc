//! Daily reports after reopening, statistics, the daily bulletin and the .xlsx exports. Every
//! export is written to the path the user chose in the save dialog; the core checks permission.

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
use crate::files;
use crate::state::Shared;

#[tauri::command]
pub async fn daily_file(
    state: State<'_, Shared>,
    credit_code: String,
    report: Value,
) -> CmdResult<DailyReportRow> {
    state
        .run_as_actor(move |c, a, now| c.daily_file(a, &credit_code, &report, now))
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
        .run_as_actor(move |c, a, _| c.daily_list(a, &credit_code, limit, offset))
        .await
}

/// The last 14 days of a firm since it reopened, each with its standing (the firm's screen).
#[tauri::command]
pub async fn daily_due(
    state: State<'_, Shared>,
    credit_code: String,
) -> CmdResult<Vec<ComplianceRow>> {
    state
        .run_as_actor(move |c, a, now| c.daily_due(a, &credit_code, now))
        .await
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
    state
        .run_as_actor(move |c, a, now| c.daily_status(a, &f, now))
        .await
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
        (Some(f), Some(t)) => {
            state
                .run_as_actor(move |c, a, now| c.daily_compliance(a, f, t, now))
                .await
        }
        _ => Err(state.err(Error::field(
            "from",
            t!("请选择起止日期", "choose the first and last day"),
        ))),
    }
}

#[tauri::command]
pub async fn daily_flags(state: State<'_, Shared>) -> CmdResult<Vec<DailyReportRow>> {
    state.run_as_actor(|c, a, _| c.daily_flags(a)).await
}

#[tauri::command]
pub async fn daily_flag_handle(
    state: State<'_, Shared>,
    report_id: i64,
    note: String,
) -> CmdResult<DailyReportRow> {
    state
        .run_as_actor(move |c, a, now| c.daily_flag_handle(a, report_id, &note, now))
        .await
}

#[tauri::command]
pub async fn daily_status_xlsx(
    state: State<'_, Shared>,
    date: Option<String>,
    out: String,
) -> CmdResult<u64> {
    let d = self::date(&state, "date", date)?;
    state
        .run(move |s| {
            s.as_actor_to_file(out, files::XLSX, |c, a, now, _| {
                c.daily_status_xlsx(a, d, now)
            })
        })
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
    state
        .run_as_actor(move |c, a, now| c.stats(a, &q, now))
        .await
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
            s.as_actor_to_file(out, files::XLSX, |c, a, now, _| {
                c.stats(a, &q, now)
                    .and_then(|s| reopen_core::service::stats_workbook(&s))
            })
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
            s.as_actor_to_file(out, files::PDF_OR_XLSX, |c, a, now, target| {
                if target.extension() == "pdf" {
                    c.bulletin_pdf(a, d, s.doc_fonts()?, now)
                } else {
                    c.bulletin_xlsx(a, d, now)
                }
            })
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
        .run(move |s| {
            s.as_actor_to_file(out, files::XLSX, |c, a, _, _| c.app_list_xlsx(a, &filter))
        })
        .await
}

#[tauri::command]
pub async fn roster_xlsx(
    state: State<'_, Shared>,
    application_id: i64,
    out: String,
) -> CmdResult<u64> {
    state
        .run(move |s| {
            s.as_actor_to_file(out, files::XLSX, |c, a, _, _| {
                c.roster_xlsx(a, application_id)
            })
        })
        .await
}

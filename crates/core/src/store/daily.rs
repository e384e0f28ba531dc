//! Daily reports (`daily_reports`): filing, reading, the follow-up of flags, and the firms expected
//! to report on a day. Flags are a JSON array kept as text: read and decoded in Rust, filtered
//! only by the plain text comparison `flags <> '[]'` (what the partial index of open flags says).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::domain::auth::Scope;
use crate::domain::daily::{DailyFlag, DayStatus};
use crate::domain::workflow::AppState;
use crate::error::{Error, Result};
use crate::service::{local_date, shanghai_midnight, ComplianceRow, DailyReportRow};
use crate::store::db::ToArg;
use crate::store::{scope, Db, Row};

/// The day a firm reopened: the later of its planned date and the local day of the approval.
pub(crate) fn reopened_on(planned: NaiveDate, decided_at: DateTime<Utc>) -> NaiveDate {
    planned.max(local_date(decided_at))
}

/// The flags column (a JSON array of codes) decoded; anything else is an error.
pub(crate) fn decode_flags(text: &str) -> Result<Vec<DailyFlag>> {
    serde_json::from_str(text)
        .map_err(|e| Error::internal(format!("stored daily-report flags {text:?}: {e}")))
}

/// A firm's approved (or certified) application, the one its reports are filed under.
pub(crate) struct Reopened {
    pub app_id: i64,
    pub reopened_on: NaiveDate,
    pub approved_headcount: Option<u32>,
}

pub(crate) fn reopened_app(db: Db<'_>, firm_id: i64) -> Result<Option<Reopened>> {
    db.row_opt(
        "SELECT a.id, a.planned_date, a.decided_at, a.approved_headcount FROM applications a
         WHERE a.firm_id = ?1 AND a.state IN (?2, ?3) ORDER BY a.id DESC LIMIT 1",
        args![
            firm_id,
            AppState::Approved.as_str(),
            AppState::Certified.as_str()
        ],
        |r| {
            let decided: Option<DateTime<Utc>> = r.get(2)?;
            let decided = decided
                .ok_or_else(|| Error::internal("an approved application has no decision time"))?;
            Ok(Reopened {
                app_id: r.get(0)?,
                reopened_on: reopened_on(r.get(1)?, decided),
                approved_headcount: r.get(3)?,
            })
        },
    )
}

/// When the firm's report for `day` was filed, if it was.
pub(crate) fn filed_at(db: Db<'_>, firm_id: i64, day: NaiveDate) -> Result<Option<DateTime<Utc>>> {
    db.first(
        "SELECT filed_at FROM daily_reports WHERE firm_id = ?1 AND report_date = ?2",
        args![firm_id, day],
    )
}

/// A report to store, as decided by the domain.
pub(crate) struct NewReport<'a> {
    pub firm_id: i64,
    pub application_id: i64,
    pub date: NaiveDate,
    pub staff_on_site: u32,
    pub fever: u32,
    pub under_observation: u32,
    pub masks_remaining: u32,
    pub notes: &'a str,
    pub filed_at: DateTime<Utc>,
    pub filed_by: i64,
    pub timeliness: DayStatus,
    pub flags: &'a [DailyFlag],
}

/// Stores a filed report; its id.
pub(crate) fn insert_report(db: Db<'_>, r: &NewReport<'_>) -> Result<i64> {
    let flags = serde_json::to_string(r.flags)?;
    db.one(
        "INSERT INTO daily_reports(firm_id, application_id, report_date, staff_on_site, fever, under_observation,
             masks_remaining, notes, filed_at, filed_by, timeliness, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        args![
            r.firm_id,
            r.application_id,
            r.date,
            r.staff_on_site,
            r.fever,
            r.under_observation,
            r.masks_remaining,
            r.notes,
            r.filed_at,
            r.filed_by,
            r.timeliness.as_str(),
            flags,
        ],
    )
}

const REPORT_SELECT: &str = "SELECT r.id, f.credit_code, f.name, r.application_id, r.report_date, r.staff_on_site, r.fever,
    r.under_observation, r.masks_remaining, r.notes, r.filed_at, u.name, r.timeliness, a.approved_headcount, r.flags,
    r.flag_handled_at, r.flag_note
    FROM daily_reports r JOIN firms f ON f.id = r.firm_id JOIN applications a ON a.id = r.application_id
    JOIN users u ON u.id = r.filed_by";

fn report_from_row(r: &Row<'_>) -> Result<DailyReportRow> {
    Ok(DailyReportRow {
        id: r.get(0)?,
        credit_code: r.get(1)?,
        firm_name: r.get(2)?,
        application_id: r.get(3)?,
        date: r.get(4)?,
        staff_on_site: r.get(5)?,
        fever: r.get(6)?,
        under_observation: r.get(7)?,
        masks_remaining: r.get(8)?,
        notes: r.get(9)?,
        filed_at: r.get(10)?,
        filed_by: r.get(11)?,
        status: r.decode(12, DayStatus::parse)?,
        approved_headcount: r.get(13)?,
        flags: decode_flags(&r.get::<String>(14)?)?,
        flag_handled_at: r.get(15)?,
        flag_note: r.get(16)?,
    })
}

pub(crate) fn report_by_id(db: Db<'_>, id: i64) -> Result<Option<DailyReportRow>> {
    db.row_opt(
        &format!("{REPORT_SELECT} WHERE r.id = ?1"),
        args![id],
        report_from_row,
    )
}

/// A page of a firm's reports, newest first.
/// How many reports a firm has filed (the pager's 共 N 条 over `reports_of_firm`).
pub(crate) fn count_reports_of_firm(db: Db<'_>, firm_id: i64) -> Result<i64> {
    db.one(
        "SELECT count(*) FROM daily_reports WHERE firm_id = ?1",
        args![firm_id],
    )
}

pub(crate) fn reports_of_firm(
    db: Db<'_>,
    firm_id: i64,
    limit: u32,
    offset: u32,
) -> Result<Vec<DailyReportRow>> {
    db.rows(
        &format!(
            "{REPORT_SELECT} WHERE r.firm_id = ?1 ORDER BY r.report_date DESC, r.id DESC LIMIT ?2 OFFSET ?3"
        ),
        args![firm_id, limit, offset],
        report_from_row,
    )
}

/// Flagged reports not yet followed up within `scope`, newest first (at most 200).
pub(crate) fn open_flags(db: Db<'_>, scope: &Scope) -> Result<Vec<DailyReportRow>> {
    let (cond, args) = scope::applications(scope);
    // The literal `'[]'` is the partial index's own condition (daily_reports_flagged): with a
    // parameter there SQLite could not use it.
    let sql = format!(
        "{REPORT_SELECT} WHERE r.flags <> '[]' AND r.flag_handled_at IS NULL AND {cond}
         ORDER BY r.report_date DESC, r.id DESC LIMIT 200"
    );
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(&sql, &refs, report_from_row)
}

/// What a firm filed for one day (the firm's own screen).
pub(crate) struct Filed {
    pub id: i64,
    pub filed_at: String,
    pub staff_on_site: u32,
    pub fever: u32,
    pub under_observation: u32,
    pub masks_remaining: u32,
    pub flags: Vec<DailyFlag>,
}

pub(crate) fn filed_for_day(db: Db<'_>, firm_id: i64, day: NaiveDate) -> Result<Option<Filed>> {
    db.row_opt(
        "SELECT id, filed_at, staff_on_site, fever, under_observation, masks_remaining, flags
         FROM daily_reports WHERE firm_id = ?1 AND report_date = ?2",
        args![firm_id, day],
        |r| {
            Ok(Filed {
                id: r.get(0)?,
                filed_at: r.get(1)?,
                staff_on_site: r.get(2)?,
                fever: r.get(3)?,
                under_observation: r.get(4)?,
                masks_remaining: r.get(5)?,
                flags: decode_flags(&r.get::<String>(6)?)?,
            })
        },
    )
}

/// Whether the application has a review task for the department (its reports are then that
/// department's to follow up).
pub(crate) fn routed_to(
    db: Db<'_>,
    application_id: i64,
    department_id: Option<i64>,
) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM review_tasks WHERE application_id = ?1 AND department_id = ?2",
        args![application_id, department_id],
    )?;
    Ok(n > 0)
}

/// Records the follow-up of a report's flags.
pub(crate) fn handle_flag(
    db: Db<'_>,
    report_id: i64,
    at: DateTime<Utc>,
    by: i64,
    note: &str,
) -> Result<()> {
    db.exec(
        "UPDATE daily_reports SET flag_handled_at = ?2, flag_handled_by = ?3, flag_note = ?4 WHERE id = ?1",
        args![report_id, at, by, note],
    )?;
    Ok(())
}

/// Every firm within `scope` expected to report on `date`, with what it filed for the day (its
/// status left `Pending` for the caller to decide; `due_at` as given).
///
/// Expected: the application is approved or certified, and reopened by `date` (its planned date
/// and the local day of its approval both on or before `date`, compared as the UTC instant the
/// next local day starts, so that no per-row date arithmetic runs in SQL). A firm whose approval
/// was revoked later was expected on the days before the local day its certificate was revoked:
/// a past day's figures do not shrink afterwards.
pub(crate) fn compliance(
    db: Db<'_>,
    scope: &Scope,
    date: NaiveDate,
    due_at: &str,
) -> Result<Vec<ComplianceRow>> {
    let next_day = shanghai_midnight(date + chrono::Duration::days(1));
    let (cond, scope_args) = scope::applications(scope);
    // `COALESCE(a.decided_at, '')` is the plain comparison written as an expression on purpose:
    // SQLite then keeps reading the covering index applications_stats in one pass, instead of the
    // range of applications_decided with a table lookup for nearly every decided application.
    // The certificate state is written as a literal: certificates have no state enum to carry
    // it here (service::certs owns it); it is the only one and stays in this statement.
    let sql = format!(
        "SELECT f.credit_code, f.name, f.division, dv.name, a.id, a.planned_date, a.decided_at, a.approved_headcount,
                r.id, r.filed_at, r.staff_on_site, r.fever, r.under_observation, r.masks_remaining, r.flags
         FROM applications a JOIN firms f ON f.id = a.firm_id JOIN divisions dv ON dv.code = f.division
         LEFT JOIN daily_reports r ON r.firm_id = a.firm_id AND r.report_date = ?
         WHERE a.decided_at IS NOT NULL AND COALESCE(a.decided_at, '') < ? AND a.planned_date <= ?
           AND a.state IN (?, ?, ?)
           AND (a.state <> ? OR EXISTS (SELECT 1 FROM certificates c WHERE c.application_id = a.id
                AND c.state = 'revoked' AND c.closed_at >= ?))
           AND {cond}"
    );
    let [approved, certified, revoked] =
        [AppState::Approved, AppState::Certified, AppState::Revoked].map(AppState::as_str);
    let mut args: Vec<&dyn ToArg> = vec![
        &date, &next_day, &date, &approved, &certified, &revoked, &revoked, &next_day,
    ];
    args.extend(scope_args.iter().map(|v| v as &dyn ToArg));
    db.rows(&sql, &args, |r| {
        let decided: DateTime<Utc> = r.get(6)?;
        Ok(ComplianceRow {
            date,
            due_at: due_at.to_string(),
            credit_code: r.get(0)?,
            firm_name: r.get(1)?,
            division: r.get(2)?,
            division_name: r.get(3)?,
            application_id: r.get(4)?,
            reopened_on: reopened_on(r.get(5)?, decided),
            approved_headcount: r.get(7)?,
            status: DayStatus::Pending,
            report_id: r.get(8)?,
            filed_at: r.get(9)?,
            staff_on_site: r.get(10)?,
            fever: r.get(11)?,
            under_observation: r.get(12)?,
            masks_remaining: r.get(13)?,
            flags: match r.get::<Option<String>>(14)? {
                Some(t) => decode_flags(&t)?,
                None => vec![],
            },
        })
    })
}

/// When each firm filed its report for each day of `from..=to` (statistics).
pub(crate) fn filed_in_range(
    db: Db<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, NaiveDate, DateTime<Utc>)>> {
    db.rows(
        "SELECT r.firm_id, r.report_date, r.filed_at FROM daily_reports r
         WHERE r.report_date >= ?1 AND r.report_date <= ?2",
        args![from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ts;
    use chrono::{Duration, TimeZone};

    /// The reopening day and the day's bound computed in Rust agree with the SQLite expressions
    /// they replace (`max(planned_date, date(decided_at, '+8 hours'))`, compared with the day),
    /// around local midnight (16:00 UTC).
    #[test]
    fn reopening_day_and_bounds_match_the_local_day_of_the_approval() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let planned = NaiveDate::from_ymd_opt(2020, 2, 10).unwrap();
        for (d, h, m, s) in [
            (8, 12, 0, 0),
            (9, 15, 59, 59),
            (9, 16, 0, 0),
            (10, 15, 59, 59),
            (10, 16, 0, 0),
            (11, 3, 0, 0),
        ] {
            let at = Utc.with_ymd_and_hms(2020, 2, d, h, m, s).unwrap();
            let text = ts(at);
            let old: String = c
                .query_row(
                    "SELECT max(?1, date(?2, '+8 hours'))",
                    rusqlite::params![planned.to_string(), text],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(reopened_on(planned, at).to_string(), old, "{text}");
            for day in [
                planned - Duration::days(1),
                planned,
                planned + Duration::days(1),
            ] {
                let old: bool = c
                    .query_row(
                        "SELECT date(?1, '+8 hours') <= ?2",
                        rusqlite::params![text, day.to_string()],
                        |r| r.get(0),
                    )
                    .unwrap();
                let new = text < ts(shanghai_midnight(day + Duration::days(1)));
                assert_eq!(new, old, "{text} by {day}");
            }
        }
    }
}

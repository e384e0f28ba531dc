//! The `submissions` table: each submission of an application frozen as it was (plan, roster,
//! the resolved stages, the findings). Rows are never changed (a trigger), except by the
//! retention purge and the sealing, which lift the guard inside their transaction.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::roster::RosterRecord;
use crate::error::Result;
use crate::service::SubmissionInfo;
use crate::store::seal::{seal_roster_json, RosterKey, Sealer};
use crate::store::Db;

/// A submission to freeze, its parts as JSON.
pub(crate) struct NewSubmission<'a> {
    pub app_id: i64,
    pub submission_no: i64,
    pub plan: &'a str,
    pub roster: &'a [RosterRecord],
    pub stages: &'a str,
    pub findings: &'a str,
    pub submitted_by: i64,
    pub now: DateTime<Utc>,
}

/// Freezes a submission, the ID and phone numbers of its roster sealed by `sealer`.
pub(crate) fn insert(db: Db<'_>, sealer: &Sealer, s: &NewSubmission<'_>) -> Result<()> {
    let roster = s
        .roster
        .iter()
        .map(|r| sealer.seal_record(r))
        .collect::<Result<Vec<_>>>()?;
    db.exec(
        "INSERT INTO submissions(application_id, submission_no, plan, roster, stages, findings,
            submitted_by, submitted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![
            s.app_id,
            s.submission_no,
            s.plan,
            serde_json::to_string(&roster)?,
            s.stages,
            s.findings,
            s.submitted_by,
            s.now
        ],
    )?;
    Ok(())
}

/// The findings (JSON) of one submission, if it exists.
pub(crate) fn findings(db: Db<'_>, app_id: i64, no: i64) -> Result<Option<String>> {
    db.first(
        "SELECT findings FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        args![app_id, no],
    )
}

/// The stage plans (JSON) frozen with one submission.
pub(crate) fn stages(db: Db<'_>, app_id: i64, no: i64) -> Result<String> {
    db.one(
        "SELECT stages FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        args![app_id, no],
    )
}

/// The plan (JSON) and the roster (ID and phone numbers in clear, unsealed by `sealer`) of one
/// submission, if it exists.
pub(crate) fn plan_and_roster(
    db: Db<'_>,
    sealer: &Sealer,
    app_id: i64,
    no: i64,
) -> Result<Option<(String, Vec<RosterRecord>)>> {
    let row: Option<(String, String)> = db.row_opt(
        "SELECT plan, roster FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        args![app_id, no],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Some((plan, roster)) = row else {
        return Ok(None);
    };
    let roster = serde_json::from_str::<Vec<RosterRecord>>(&roster)?
        .into_iter()
        .map(|r| sealer.unseal_record(r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((plan, roster)))
}

/// Who submitted each submission, and when, in order.
pub(crate) fn history(db: Db<'_>, app_id: i64) -> Result<Vec<SubmissionInfo>> {
    db.rows(
        "SELECT s.submission_no, s.submitted_at, u.name
         FROM submissions s JOIN users u ON u.id = s.submitted_by
         WHERE s.application_id = ?1 ORDER BY s.submission_no",
        args![app_id],
        |r| {
            Ok(SubmissionInfo {
                submission_no: r.get(0)?,
                submitted_at: r.get(1)?,
                submitted_by: r.get(2)?,
            })
        },
    )
}

/// How many of the application's submissions still carry a roster.
pub(crate) fn count_with_roster(db: Db<'_>, app_id: i64) -> Result<u64> {
    db.one(
        "SELECT count(*) FROM submissions WHERE application_id = ?1 AND roster <> '[]'",
        args![app_id],
    )
}

/// Empties the rosters frozen in the application's submissions (the purge; guard lifted).
pub(crate) fn clear_rosters(db: Db<'_>, app_id: i64) -> Result<()> {
    db.exec(
        "UPDATE submissions SET roster = '[]' WHERE application_id = ?1",
        args![app_id],
    )?;
    Ok(())
}

/// Seals with `key` the numbers in every frozen roster (the sealing; guard lifted), a page of
/// submissions at a time; how many submissions carry a roster.
pub(crate) fn seal_all(db: Db<'_>, key: &RosterKey) -> Result<u64> {
    const PAGE: i64 = 200;
    let (mut after, mut count) = ((0i64, 0i64), 0u64);
    loop {
        let page: Vec<(i64, i64, String)> = db.rows(
            "SELECT application_id, submission_no, roster FROM submissions
             WHERE roster <> '[]' AND (application_id > ?1 OR (application_id = ?1 AND submission_no > ?2))
             ORDER BY application_id, submission_no LIMIT ?3",
            args![after.0, after.1, PAGE],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let Some(last) = page.last().map(|p| (p.0, p.1)) else {
            return Ok(count);
        };
        for (app_id, no, roster) in &page {
            db.exec(
                "UPDATE submissions SET roster = ?3 WHERE application_id = ?1 AND submission_no = ?2",
                args![app_id, no, seal_roster_json(key, roster)?],
            )?;
        }
        count += page.len() as u64;
        after = last;
    }
}

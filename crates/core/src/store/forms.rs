//! What the printed forms and counter documents read besides review tasks and certificates: the
//! submission they answer, the case number's parts, the departments' names.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::plan::Plan;
use crate::error::{Error, Result};
use crate::store::db::Db;

/// A department's name.
pub(crate) fn department_name(db: Db<'_>, id: i64) -> Result<String> {
    db.one("SELECT name FROM departments WHERE id = ?1", args![id])
}

/// The parts of an application's case number: its jurisdiction's short name and when it was
/// created.
pub(crate) fn case_parts(db: Db<'_>, application_id: i64) -> Result<(String, DateTime<Utc>)> {
    db.row(
        "SELECT d.short, a.created_at FROM applications a JOIN divisions d ON d.code = a.jurisdiction
         WHERE a.id = ?1",
        args![application_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// When a submission was made.
pub(crate) fn submitted_at(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
) -> Result<DateTime<Utc>> {
    db.one(
        "SELECT submitted_at FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        args![application_id, submission_no],
    )
}

/// The plan as it was submitted.
pub(crate) fn submitted_plan(db: Db<'_>, application_id: i64, submission_no: i64) -> Result<Plan> {
    let text: String = db.one(
        "SELECT plan FROM submissions WHERE application_id = ?1 AND submission_no = ?2",
        args![application_id, submission_no],
    )?;
    serde_json::from_str(&text)
        .map_err(|e| Error::internal(format!("the plan of submission {submission_no}: {e}")))
}

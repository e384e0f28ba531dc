//! The `review_tasks` of one application as the application use cases see them: who may see it,
//! its timeline, the tasks a submission opens and a withdrawal closes. (The reviewer's queue
//! and decisions are the review use cases'.)

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::workflow::{OpenTask, TaskState};
use crate::error::Result;
use crate::service::TaskRecord;
use crate::store::Db;

/// How many of the application's tasks went to `department_id` (pending ones only with
/// `pending_only`).
pub(crate) fn count_for_department(
    db: Db<'_>,
    app_id: i64,
    department_id: Option<i64>,
    pending_only: bool,
) -> Result<i64> {
    if pending_only {
        db.one(
            "SELECT count(*) FROM review_tasks
             WHERE application_id = ?1 AND department_id = ?2 AND state = ?3",
            args![app_id, department_id, TaskState::Pending.as_str()],
        )
    } else {
        db.one(
            "SELECT count(*) FROM review_tasks WHERE application_id = ?1 AND department_id = ?2",
            args![app_id, department_id],
        )
    }
}

/// Every task of the application, oldest submission and stage first (`overdue` left false).
pub(crate) fn timeline(db: Db<'_>, app_id: i64) -> Result<Vec<TaskRecord>> {
    db.rows(
        "SELECT t.id, t.submission_no, t.stage, t.stage_name, d.division || '-' || d.kind, d.name,
                t.state, t.green_channel, t.opened_at, t.due_at, t.decided_at, u.name, t.opinion,
                t.headcount, t.conditions
         FROM review_tasks t JOIN departments d ON d.id = t.department_id
              LEFT JOIN users u ON u.id = t.decided_by
         WHERE t.application_id = ?1 ORDER BY t.submission_no, t.stage, t.id",
        args![app_id],
        |r| {
            let conditions: Option<String> = r.get(14)?;
            Ok(TaskRecord {
                id: r.get(0)?,
                submission_no: r.get(1)?,
                stage: r.get(2)?,
                stage_name: r.get(3)?,
                department: r.get(4)?,
                department_name: r.get(5)?,
                state: r.decode(6, TaskState::parse)?,
                green_channel: r.get(7)?,
                opened_at: r.get(8)?,
                due_at: r.get(9)?,
                overdue: false,
                decided_at: r.get(10)?,
                decided_by: r.get(11)?,
                opinion: r.get(12)?,
                headcount: r.get(13)?,
                conditions: conditions
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or_default(),
            })
        },
    )
}

/// Opens the tasks of a submission's stage (pending, opened `now`).
pub(crate) fn insert_open(
    db: Db<'_>,
    app_id: i64,
    submission_no: i64,
    open: &[OpenTask],
    green: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    for t in open {
        db.exec(
            "INSERT INTO review_tasks(application_id, submission_no, stage, stage_name, department_id,
                quorum, state, green_channel, opened_at, due_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            args![
                app_id,
                submission_no,
                t.stage,
                t.stage_name,
                t.department_id,
                t.quorum,
                TaskState::Pending.as_str(),
                green,
                now,
                t.due_at
            ],
        )?;
    }
    Ok(())
}

/// Closes the application's pending tasks (a withdrawal).
pub(crate) fn close_pending(db: Db<'_>, app_id: i64) -> Result<()> {
    db.exec(
        "UPDATE review_tasks SET state = ?2 WHERE application_id = ?1 AND state = ?3",
        args![
            app_id,
            TaskState::Closed.as_str(),
            TaskState::Pending.as_str()
        ],
    )?;
    Ok(())
}

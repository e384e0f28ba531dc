//! Review tasks (`review_tasks`), every statement on the table: the tasks a submission opens and a
//! withdrawal closes, an application's timeline and who may see it, the reviewer's queue, a
//! decision and what it changes on the application, and the decided tasks the printed documents
//! show.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::workflow::{AppState, OpenTask, TaskState, TaskView};
use crate::error::Result;
use crate::service::{minutes_left, time_left_words, QueueFilter, QueueRow, TaskRecord};
use crate::store::db::{Db, ToArg};
use crate::store::Engine;
use crate::store::Value;

/// The decided states, written out for the partial index review_tasks_dept_decided, whose WHERE
/// clause the planner matches only against the same literals (a parameter cannot use it). The
/// test below keeps them equal to [`TaskState::as_str`].
const DECIDED: &str = "t.state IN ('approved', 'rejected', 'returned')";

/// The departments that approved a submission, in stage order (repeats kept).
pub(crate) fn approving_departments(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
) -> Result<Vec<String>> {
    db.rows(
        "SELECT d.name FROM review_tasks t JOIN departments d ON d.id = t.department_id
         WHERE t.application_id = ?1 AND t.submission_no = ?2 AND t.state = ?3
         ORDER BY t.stage, t.id",
        args![application_id, submission_no, TaskState::Approved.as_str()],
        |r| r.get(0),
    )
}

/// The latest decision of one stage of a submission.
pub(crate) struct StageDecision {
    pub state: TaskState,
    pub opinion: String,
    /// The deciding department's name.
    pub department: String,
    pub decided_at: DateTime<Utc>,
}

pub(crate) fn latest_decision(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
    stage: i64,
) -> Result<Option<StageDecision>> {
    db.row_opt(
        &format!(
            "SELECT t.state, COALESCE(t.opinion, ''), d.name, t.decided_at FROM review_tasks t
             JOIN departments d ON d.id = t.department_id
             WHERE t.application_id = ?1 AND t.submission_no = ?2 AND t.stage = ?3
               AND {DECIDED} AND t.decided_at IS NOT NULL
             ORDER BY t.decided_at DESC, t.id DESC LIMIT 1"
        ),
        args![application_id, submission_no, stage],
        |r| {
            Ok(StageDecision {
                state: r.decode(0, TaskState::parse)?,
                opinion: r.get(1)?,
                department: r.get(2)?,
                decided_at: r.get(3)?,
            })
        },
    )
}

/// A task of a submission in a given state, as a notice quotes it.
pub(crate) struct DecidedTask {
    pub stage_name: String,
    pub department: String,
    pub opinion: String,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The tasks of a submission in `state`, in stage order.
pub(crate) fn in_state(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
    state: TaskState,
) -> Result<Vec<DecidedTask>> {
    db.rows(
        "SELECT t.stage_name, d.name, COALESCE(t.opinion, ''), t.decided_at FROM review_tasks t
         JOIN departments d ON d.id = t.department_id
         WHERE t.application_id = ?1 AND t.submission_no = ?2 AND t.state = ?3
         ORDER BY t.stage, t.id",
        args![application_id, submission_no, state.as_str()],
        |r| {
            Ok(DecidedTask {
                stage_name: r.get(0)?,
                department: r.get(1)?,
                opinion: r.get(2)?,
                decided_at: r.get(3)?,
            })
        },
    )
}

/// The first task of a submission's first stage: when review opened, when it was due, whether
/// on the green channel. None in filing mode (no review).
pub(crate) struct FirstTask {
    pub opened_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub green_channel: bool,
}

pub(crate) fn first_task(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
) -> Result<Option<FirstTask>> {
    db.row_opt(
        "SELECT opened_at, due_at, green_channel FROM review_tasks
         WHERE application_id = ?1 AND submission_no = ?2 AND stage = 0 ORDER BY id LIMIT 1",
        args![application_id, submission_no],
        |r| {
            Ok(FirstTask {
                opened_at: r.get(0)?,
                due_at: r.get(1)?,
                green_channel: r.get(2)?,
            })
        },
    )
}

/// The latest submission of an application that had a task in `state`.
pub(crate) fn last_submission_with(
    db: Db<'_>,
    application_id: i64,
    state: TaskState,
) -> Result<Option<i64>> {
    db.one(
        "SELECT max(submission_no) FROM review_tasks WHERE application_id = ?1 AND state = ?2",
        args![application_id, state.as_str()],
    )
}

/// The task of a department at a stage of a submission.
pub(crate) fn task_of_department(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
    stage: u32,
    department_id: i64,
) -> Result<Option<i64>> {
    db.first(
        "SELECT id FROM review_tasks
         WHERE application_id = ?1 AND submission_no = ?2 AND stage = ?3 AND department_id = ?4",
        args![application_id, submission_no, stage, department_id],
    )
}

/// The state of a department's latest task on an application, whatever its submission.
pub(crate) fn last_state_of_department(
    db: Db<'_>,
    application_id: i64,
    department_id: i64,
) -> Result<Option<TaskState>> {
    db.row_opt(
        "SELECT state FROM review_tasks WHERE application_id = ?1 AND department_id = ?2
         ORDER BY id DESC LIMIT 1",
        args![application_id, department_id],
        |r| r.decode(0, TaskState::parse),
    )
}

/// The tasks of one stage of a submission.
pub(crate) fn stage_tasks(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
    stage: u32,
) -> Result<Vec<TaskView>> {
    db.rows(
        "SELECT id, department_id, state, headcount FROM review_tasks
         WHERE application_id = ?1 AND submission_no = ?2 AND stage = ?3 ORDER BY id",
        args![application_id, submission_no, stage],
        |r| {
            Ok(TaskView {
                id: r.get(0)?,
                department_id: r.get(1)?,
                state: r.decode(2, TaskState::parse)?,
                headcount: r.get(3)?,
            })
        },
    )
}

/// The smallest headcount approved at an earlier stage of a submission.
pub(crate) fn prior_headcount(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
    stage: u32,
) -> Result<Option<u32>> {
    db.one(
        "SELECT min(headcount) FROM review_tasks
         WHERE application_id = ?1 AND submission_no = ?2 AND stage < ?3 AND state = ?4",
        args![
            application_id,
            submission_no,
            stage,
            TaskState::Approved.as_str()
        ],
    )
}

/// A reviewer's decision on a task.
pub(crate) struct TaskDecision<'a> {
    pub task_id: i64,
    pub state: TaskState,
    pub at: DateTime<Utc>,
    pub by: i64,
    pub opinion: &'a str,
    pub headcount: Option<u32>,
    /// The conditions as a JSON list of texts, when there are any.
    pub conditions: Option<&'a str>,
}

/// Records a decision on a task still pending; false when it no longer was.
pub(crate) fn decide(db: Db<'_>, d: &TaskDecision<'_>) -> Result<bool> {
    let n = db.exec(
        "UPDATE review_tasks SET state = ?2, decided_at = ?3, decided_by = ?4, opinion = ?5,
            headcount = ?6, conditions = ?7
         WHERE id = ?1 AND state = ?8",
        args![
            d.task_id,
            d.state.as_str(),
            d.at,
            d.by,
            d.opinion,
            d.headcount,
            d.conditions,
            TaskState::Pending.as_str()
        ],
    )?;
    Ok(n == 1)
}

/// Closes a task still pending (its stage was settled without it).
pub(crate) fn close_pending(db: Db<'_>, task_id: i64) -> Result<()> {
    db.exec(
        "UPDATE review_tasks SET state = ?2 WHERE id = ?1 AND state = ?3",
        args![
            task_id,
            TaskState::Closed.as_str(),
            TaskState::Pending.as_str()
        ],
    )?;
    Ok(())
}

/// The conditions (JSON lists of texts) of every approval of a submission, in stage order.
pub(crate) fn approved_conditions(
    db: Db<'_>,
    application_id: i64,
    submission_no: i64,
) -> Result<Vec<String>> {
    db.rows(
        "SELECT conditions FROM review_tasks
         WHERE application_id = ?1 AND submission_no = ?2 AND state = ?3 AND conditions IS NOT NULL
         ORDER BY stage, id",
        args![application_id, submission_no, TaskState::Approved.as_str()],
        |r| r.get(0),
    )
}

/// What a decision changes on its application.
pub(crate) struct AppDecision<'a> {
    pub state: AppState,
    pub stage: Option<u32>,
    pub at: DateTime<Utc>,
    /// The application is decided (approved, rejected, returned): `decided_at` is set.
    pub settled: bool,
    /// Kept as it was when None.
    pub approved_headcount: Option<u32>,
    /// The accumulated conditions as a JSON list of texts; None when there are none.
    pub conditions: Option<&'a str>,
}

pub(crate) fn apply_to_application(
    db: Db<'_>,
    application_id: i64,
    d: &AppDecision<'_>,
) -> Result<()> {
    db.exec(
        "UPDATE applications SET state = ?2, stage = ?3, version = version + 1, updated_at = ?4,
            decided_at = CASE WHEN ?5 = 1 THEN ?4 ELSE decided_at END,
            approved_headcount = COALESCE(CAST(?6 AS BIGINT), approved_headcount),
            conditions = ?7
         WHERE id = ?1",
        args![
            application_id,
            d.state.as_str(),
            d.stage,
            d.at,
            d.settled,
            d.approved_headcount,
            d.conditions
        ],
    )?;
    Ok(())
}

/// One page of a department's queue: pending tasks soonest due first, then decided ones newest
/// first. Two parts, each read in the order of an index and cut at the end of the page, so that
/// a page costs the same for a department with ten tasks or ten thousand: pending tasks by
/// review_queue (department_id, state, due_at), decided ones by review_tasks_dept_decided. Only
/// the rows of the page are joined to their applications and firms.
pub(crate) fn queue(
    db: Db<'_>,
    department_id: i64,
    f: &QueueFilter,
    now: DateTime<Utc>,
    limit: u32,
    offset: u32,
) -> Result<Vec<QueueRow>> {
    let reach = i64::from(limit) + i64::from(offset);
    let mut parts: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let now_s = crate::service::ts(now);
    let engine = db.engine();
    let mut part = |pending: bool, args: &mut Vec<Value>| {
        let from_where = queue_part(engine, department_id, pending, f, &now_s, args);
        let order = if pending {
            "t.due_at, t.id"
        } else {
            "t.decided_at DESC NULLS LAST, t.id"
        };
        parts.push(format!(
            "SELECT t.id AS tid, {} AS part {from_where} ORDER BY {order} LIMIT ?",
            i64::from(!pending)
        ));
        args.push(Value::Int(reach));
    };
    for pending in queue_parts(f) {
        part(pending, &mut args);
    }
    // A member of a compound SELECT cannot have its own ORDER BY and LIMIT: two parts are each
    // wrapped in a subquery (named, as PostgreSQL requires).
    let parts = match parts.len() {
        0 => return Ok(Vec::new()),
        1 => parts.remove(0),
        _ => parts
            .iter()
            .enumerate()
            .map(|(i, p)| format!("SELECT * FROM ({p}) AS p{i}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    };
    let sql = format!(
        "SELECT t.id, a.id, fm.name, fm.credit_code, a.category, t.stage, t.stage_name, t.state,
                t.green_channel, t.opened_at, t.due_at, a.planned_headcount, fm.warnings <> '[]',
                fm.division, dv.name, fm.industry, COALESCE(i.name, ''), t.submission_no
         FROM ({parts}) q JOIN review_tasks t ON t.id = q.tid
              JOIN applications a ON a.id = t.application_id JOIN firms fm ON fm.id = a.firm_id
              JOIN divisions dv ON dv.code = fm.division
              LEFT JOIN industries i ON i.division = fm.industry
         ORDER BY q.part, CASE WHEN q.part = 0 THEN t.due_at END NULLS FIRST,
                  t.decided_at DESC NULLS LAST, t.id
         LIMIT ? OFFSET ?"
    );
    args.push(Value::Int(i64::from(limit)));
    args.push(Value::Int(i64::from(offset)));
    let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
    db.rows(&sql, &refs, |r| {
        let state = r.decode(7, TaskState::parse)?;
        let due: String = r.get(10)?;
        let minutes = match state {
            TaskState::Pending => Some(minutes_left(crate::service::parse_ts(&due)?, now)),
            _ => None,
        };
        Ok(QueueRow {
            task_id: r.get(0)?,
            application_id: r.get(1)?,
            firm_name: r.get(2)?,
            credit_code: r.get(3)?,
            category: r.get(4)?,
            stage: r.get(5)?,
            stage_name: r.get(6)?,
            state,
            green_channel: r.get(8)?,
            opened_at: r.get(9)?,
            overdue: state == TaskState::Pending && due < now_s,
            due_at: due,
            planned_headcount: r.get(11)?,
            has_warnings: r.get(12)?,
            division: r.get(13)?,
            division_name: r.get(14)?,
            industry: r.get(15)?,
            industry_name: r.get(16)?,
            submission_no: r.get(17)?,
            minutes_left: minutes,
            time_left: minutes.map(time_left_words),
        })
    })
}

/// Which of a department's queue parts a filter reads: the pending part, the decided part or both
/// (an overdue filter reads pending tasks only).
fn queue_parts(f: &QueueFilter) -> Vec<bool> {
    let mut parts = Vec::new();
    if f.pending != Some(false) {
        parts.push(true);
    }
    if f.pending != Some(true) && f.overdue != Some(true) {
        parts.push(false);
    }
    parts
}

/// `FROM … WHERE …` of one part of a department's queue (pending or decided tasks) under the
/// filter, its arguments appended to `args`. The page and its count share it, so that 共 N 条
/// always counts the rows the pages show.
fn queue_part(
    engine: Engine,
    department_id: i64,
    pending: bool,
    f: &QueueFilter,
    now_s: &str,
    args: &mut Vec<Value>,
) -> String {
    let mut q = String::from("FROM review_tasks t");
    if f.category.is_some() {
        q.push_str(" JOIN applications a ON a.id = t.application_id");
    }
    q.push_str(" WHERE t.department_id = ?");
    args.push(Value::Int(department_id));
    if pending {
        q.push_str(" AND t.state = ?");
        args.push(Value::Text(TaskState::Pending.as_str().into()));
    } else {
        q.push_str(&format!(" AND {DECIDED}"));
    }
    if let Some(c) = &f.category {
        q.push_str(" AND a.category = ?");
        args.push(Value::Text(c.clone()));
    }
    if pending && f.overdue == Some(true) {
        q.push_str(" AND t.due_at < ?");
        args.push(Value::Text(now_s.to_string()));
    }
    if let Some(g) = f.green_channel {
        q.push_str(" AND t.green_channel = ?");
        args.push(Value::Int(i64::from(g)));
    }
    if let Some(s) = &f.search {
        let (cond, found) = firm_search(engine, s);
        q.push_str(&format!(
            " AND t.application_id IN (SELECT sa.id FROM applications sa JOIN firms f ON f.id = sa.firm_id WHERE {cond})"
        ));
        args.extend(found);
    }
    q
}

/// How many tasks of a department's queue the filter finds (the pages' 共 N 条).
pub(crate) fn queue_count(
    db: Db<'_>,
    department_id: i64,
    f: &QueueFilter,
    now: DateTime<Utc>,
) -> Result<i64> {
    let now_s = crate::service::ts(now);
    let mut total = 0;
    for pending in queue_parts(f) {
        let mut args = Vec::new();
        let from_where = queue_part(db.engine(), department_id, pending, f, &now_s, &mut args);
        let refs: Vec<&dyn ToArg> = args.iter().map(|v| v as &dyn ToArg).collect();
        let n: i64 = db.one(&format!("SELECT count(*) {from_where}"), &refs)?;
        total += n;
    }
    Ok(total)
}

/// The firms a queue search finds, as a condition over `f` (firms) with its arguments: the name
/// holding the fragment (store::firms's condition: SQLite's trigram table for three characters
/// and more, else LIKE; PostgreSQL's LIKE on its trigram index), or, for letters and digits, a
/// credit code beginning with them (a range over the unique index, bytewise on both engines).
fn firm_search(engine: Engine, s: &str) -> (String, Vec<Value>) {
    let (name_cond, arg) = crate::store::firms::name_condition(engine, s);
    let upper = s.to_ascii_uppercase();
    if upper.chars().all(|c| c.is_ascii_alphanumeric()) {
        let end = format!("{upper}\u{7f}");
        (
            format!("({name_cond} OR (f.credit_code >= ? AND f.credit_code < ?))"),
            vec![arg, Value::Text(upper), Value::Text(end)],
        )
    } else {
        (name_cond.to_string(), vec![arg])
    }
}

// --- the tasks of one application ---------------------------------------------------------

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
pub(crate) fn close_pending_of_application(db: Db<'_>, app_id: i64) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decided_literals_are_the_decided_states() {
        let states = [
            TaskState::Approved,
            TaskState::Rejected,
            TaskState::Returned,
        ];
        let written: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(DECIDED, format!("t.state IN ({})", written.join(", ")));
    }
}

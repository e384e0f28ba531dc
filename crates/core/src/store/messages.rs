//! The message centre's statements: what a firm's messages are derived from (its submissions, the
//! returned and rejected review tasks, its approved applications, its certificates) and the one
//! table of its own, `message_reads`, which says which messages a user has read.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::workflow::TaskState;
use crate::error::Result;
use crate::service::CertState;
use crate::store::db::Db;
use crate::store::Row;

/// A submission of one of the firm's applications (已受理).
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub app_id: i64,
    pub submission_no: i64,
    pub at: String,
}

/// A review task of one of the firm's applications decided as returned or rejected.
#[derive(Debug, Clone)]
pub(crate) struct Decided {
    pub task_id: i64,
    pub app_id: i64,
    pub submission_no: i64,
    pub state: TaskState,
    pub at: String,
    pub stage_name: String,
    pub department: String,
    pub opinion: Option<String>,
}

/// An application of the firm that was approved (and may since be certified or revoked).
#[derive(Debug, Clone)]
pub(crate) struct Approved {
    pub app_id: i64,
    pub at: String,
    pub headcount: Option<u32>,
    /// JSON list of texts, as stored.
    pub conditions: Option<String>,
    /// The department of the last approving decision (none in filing mode).
    pub department: Option<String>,
}

/// A certificate issued on one of the firm's applications.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub cert_id: i64,
    pub app_id: i64,
    pub number: String,
    pub state: CertState,
    pub issued_at: String,
    pub closed_at: Option<String>,
    pub reason: Option<String>,
    pub approved_headcount: u32,
    /// JSON lists of texts, as stored.
    pub conditions: String,
    pub departments: String,
}

pub(crate) fn accepted(db: Db<'_>, firm_id: i64) -> Result<Vec<Accepted>> {
    db.rows(
        "SELECT s.application_id, s.submission_no, s.submitted_at
         FROM submissions s JOIN applications a ON a.id = s.application_id
         WHERE a.firm_id = ?1 ORDER BY s.application_id, s.submission_no",
        args![firm_id],
        |r| {
            Ok(Accepted {
                app_id: r.get(0)?,
                submission_no: r.get(1)?,
                at: r.get(2)?,
            })
        },
    )
}

pub(crate) fn decided(db: Db<'_>, firm_id: i64) -> Result<Vec<Decided>> {
    db.rows(
        "SELECT t.id, t.application_id, t.submission_no, t.state, t.decided_at, t.stage_name,
                d.name, t.opinion
         FROM review_tasks t JOIN applications a ON a.id = t.application_id
              JOIN departments d ON d.id = t.department_id
         WHERE a.firm_id = ?1 AND t.state IN (?2, ?3) AND t.decided_at IS NOT NULL
         ORDER BY t.id",
        args![
            firm_id,
            TaskState::Returned.as_str(),
            TaskState::Rejected.as_str()
        ],
        |r: &Row<'_>| {
            Ok(Decided {
                task_id: r.get(0)?,
                app_id: r.get(1)?,
                submission_no: r.get(2)?,
                state: r.decode(3, TaskState::parse)?,
                at: r.get(4)?,
                stage_name: r.get(5)?,
                department: r.get(6)?,
                opinion: r.get(7)?,
            })
        },
    )
}

pub(crate) fn approved(db: Db<'_>, firm_id: i64) -> Result<Vec<Approved>> {
    db.rows(
        "SELECT a.id, a.decided_at, a.approved_headcount, a.conditions,
                (SELECT d.name FROM review_tasks t JOIN departments d ON d.id = t.department_id
                 WHERE t.application_id = a.id AND t.state = ?2
                 ORDER BY t.submission_no DESC, t.stage DESC, t.id DESC LIMIT 1)
         FROM applications a
         WHERE a.firm_id = ?1 AND a.state IN ('approved', 'certified', 'revoked')
               AND a.decided_at IS NOT NULL
         ORDER BY a.id",
        args![firm_id, TaskState::Approved.as_str()],
        |r| {
            Ok(Approved {
                app_id: r.get(0)?,
                at: r.get(1)?,
                headcount: r.get(2)?,
                conditions: r.get(3)?,
                department: r.get(4)?,
            })
        },
    )
}

pub(crate) fn issued(db: Db<'_>, firm_id: i64) -> Result<Vec<Issued>> {
    db.rows(
        "SELECT c.id, c.application_id, c.number, c.state, c.issued_at, c.closed_at, c.reason,
                c.approved_headcount, c.conditions, c.departments
         FROM certificates c JOIN applications a ON a.id = c.application_id
         WHERE a.firm_id = ?1 ORDER BY c.id",
        args![firm_id],
        |r| {
            Ok(Issued {
                cert_id: r.get(0)?,
                app_id: r.get(1)?,
                number: r.get(2)?,
                state: r.decode(3, CertState::parse)?,
                issued_at: r.get(4)?,
                closed_at: r.get(5)?,
                reason: r.get(6)?,
                approved_headcount: r.get(7)?,
                conditions: r.get(8)?,
                departments: r.get(9)?,
            })
        },
    )
}

/// The numbers of an application's certificates, the newest first.
pub(crate) fn certificate_numbers(db: Db<'_>, app_id: i64) -> Result<Vec<String>> {
    db.rows(
        "SELECT number FROM certificates WHERE application_id = ?1 ORDER BY id DESC",
        args![app_id],
        |r| r.get(0),
    )
}

/// The keys of the messages `user_id` has read.
pub(crate) fn read_keys(db: Db<'_>, user_id: i64) -> Result<Vec<String>> {
    db.rows(
        "SELECT message FROM message_reads WHERE user_id = ?1 ORDER BY message",
        args![user_id],
        |r| r.get(0),
    )
}

/// Marks messages read (a message read before keeps its first time); returns how many were new.
pub(crate) fn mark_read(
    db: Db<'_>,
    user_id: i64,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<usize> {
    let at = crate::service::ts(now);
    let mut n = 0;
    for key in keys {
        n += db.exec(
            "INSERT INTO message_reads (user_id, message, read_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, message) DO NOTHING",
            args![user_id, key, at],
        )?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The read markers on a migrated database of either engine: a second mark is not new.
    fn reads_on(db: Db<'_>) {
        db.exec(
            "INSERT INTO users (name, role, password_hash, must_change, password_changed_at, created_at)
             VALUES ('a', 'admin', 'x', 0, '2020-02-05T01:00:00Z', '2020-02-05T01:00:00Z')",
            args![],
        )
        .unwrap();
        let id: i64 = db
            .one("SELECT id FROM users WHERE name = 'a'", args![])
            .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2020-02-10T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let keys = vec!["task:1".to_string(), "accepted:1:1".to_string()];
        assert_eq!(mark_read(db, id, &keys, now).unwrap(), 2);
        assert_eq!(mark_read(db, id, &keys[..1], now).unwrap(), 0);
        assert_eq!(read_keys(db, id).unwrap(), ["accepted:1:1", "task:1"]);
        assert!(read_keys(db, id + 1).unwrap().is_empty());
        assert!(accepted(db, 1).unwrap().is_empty());
        assert!(decided(db, 1).unwrap().is_empty());
        assert!(approved(db, 1).unwrap().is_empty());
        assert!(issued(db, 1).unwrap().is_empty());
        assert!(certificate_numbers(db, 1).unwrap().is_empty());
    }

    #[test]
    fn reads_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        reads_on(Db::from(&c));
    }

    #[test]
    fn reads_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        reads_on(Db::from(&pg));
    }
}

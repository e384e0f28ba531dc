//! The `users` table: accounts, their role and binding (department, firm or division), the
//! password hash and the flags a session is checked against.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::auth::{Actor, Role};
use crate::error::Result;
use crate::store::{Db, Row};

/// A new account, its password already hashed (argon2 runs before the write transaction).
pub(crate) struct NewUser<'a> {
    pub name: &'a str,
    pub role: Role,
    pub department_id: Option<i64>,
    pub firm_id: Option<i64>,
    pub division: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change: bool,
}

/// What a login checks: the account's id, password hash and whether it is disabled.
pub(crate) struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

/// What a session is checked against.
pub(crate) struct SessionState {
    pub disabled: bool,
    pub password_changed_at: DateTime<Utc>,
}

/// An account found by name: id, role and whether it is disabled.
pub(crate) struct Named {
    pub id: i64,
    pub role: Role,
    pub disabled: bool,
}

/// One line of the administrator's list, with the failed logins counted under its name.
pub(crate) struct Listed {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// `DIVISION-KIND` of a reviewer's department.
    pub department: Option<String>,
    /// A firm user's firm's credit code.
    pub firm: Option<String>,
    pub division: Option<String>,
    pub disabled: bool,
    pub must_change: bool,
    pub created_at: String,
    pub failures: Option<i64>,
    /// As stored (RFC 3339 text).
    pub last_failed_at: Option<String>,
}

pub(crate) fn name_taken(db: Db<'_>, name: &str) -> Result<bool> {
    let n: i64 = db.one("SELECT count(*) FROM users WHERE name = ?1", args![name])?;
    Ok(n > 0)
}

/// Adds an account; its id.
pub(crate) fn insert(db: Db<'_>, u: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
    db.one(
        "INSERT INTO users(name, role, department_id, firm_id, division, password_hash, must_change,
                           password_changed_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        args![
            u.name,
            u.role.as_str(),
            u.department_id,
            u.firm_id,
            u.division,
            u.password_hash,
            u.must_change,
            now
        ],
    )
}

fn actor_of(r: &Row<'_>) -> Result<Actor> {
    Ok(Actor {
        user_id: r.get(0)?,
        name: r.get(1)?,
        role: r.decode(2, |s| Role::parse(s).ok())?,
        department_id: r.get(3)?,
        firm_id: r.get(4)?,
        division: r.get(5)?,
        must_change_password: r.get(6)?,
        client: None,
    })
}

/// The account `id` as an actor (a reviewer's division is their department's).
pub(crate) fn actor(db: Db<'_>, id: i64) -> Result<Option<Actor>> {
    db.row_opt(
        "SELECT u.id, u.name, u.role, u.department_id, u.firm_id, COALESCE(u.division, d.division),
                u.must_change
         FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?1",
        args![id],
        actor_of,
    )
}

pub(crate) fn password_hash(db: Db<'_>, name: &str) -> Result<Option<String>> {
    db.first(
        "SELECT password_hash FROM users WHERE name = ?1",
        args![name],
    )
}

pub(crate) fn credentials(db: Db<'_>, name: &str) -> Result<Option<Credentials>> {
    db.row_opt(
        "SELECT id, password_hash, disabled FROM users WHERE name = ?1",
        args![name],
        |r| {
            Ok(Credentials {
                id: r.get(0)?,
                password_hash: r.get(1)?,
                disabled: r.get(2)?,
            })
        },
    )
}

pub(crate) fn session_state(db: Db<'_>, id: i64) -> Result<Option<SessionState>> {
    db.row_opt(
        "SELECT disabled, password_changed_at FROM users WHERE id = ?1",
        args![id],
        |r| {
            Ok(SessionState {
                disabled: r.get(0)?,
                password_changed_at: r.get(1)?,
            })
        },
    )
}

pub(crate) fn by_name(db: Db<'_>, name: &str) -> Result<Option<Named>> {
    db.row_opt(
        "SELECT id, role, disabled FROM users WHERE name = ?1",
        args![name],
        |r| {
            Ok(Named {
                id: r.get(0)?,
                role: r.decode(1, |s| Role::parse(s).ok())?,
                disabled: r.get(2)?,
            })
        },
    )
}

/// Every account, by id, with the failed logins under its name.
pub(crate) fn list(db: Db<'_>) -> Result<Vec<Listed>> {
    db.rows(
        "SELECT u.id, u.name, u.role, d.division || '-' || d.kind, f.credit_code, u.division,
                u.disabled, u.must_change, u.created_at, lf.failures, lf.last_failed_at
         FROM users u LEFT JOIN departments d ON d.id = u.department_id
              LEFT JOIN firms f ON f.id = u.firm_id
              LEFT JOIN login_failures lf ON lf.key = 'user:' || u.name
         ORDER BY u.id",
        args![],
        |r| {
            Ok(Listed {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.decode(2, |s| Role::parse(s).ok())?,
                department: r.get(3)?,
                firm: r.get(4)?,
                division: r.get(5)?,
                disabled: r.get(6)?,
                must_change: r.get(7)?,
                created_at: r.get(8)?,
                failures: r.get(9)?,
                last_failed_at: r.get(10)?,
            })
        },
    )
}

/// How many accounts have `role`.
pub(crate) fn count_with_role(db: Db<'_>, role: Role) -> Result<i64> {
    db.one(
        "SELECT count(*) FROM users WHERE role = ?1",
        args![role.as_str()],
    )
}

/// Whether the account `name` has `role`.
pub(crate) fn named_with_role(db: Db<'_>, name: &str, role: Role) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM users WHERE role = ?1 AND name = ?2",
        args![role.as_str(), name],
    )?;
    Ok(n > 0)
}

/// Whether the account `id` has `role`.
pub(crate) fn has_role(db: Db<'_>, id: i64, role: Role) -> Result<bool> {
    let n: i64 = db.one(
        "SELECT count(*) FROM users WHERE id = ?1 AND role = ?2",
        args![id, role.as_str()],
    )?;
    Ok(n > 0)
}

/// How many enabled accounts other than `id` have `role`.
pub(crate) fn others_enabled_with_role(db: Db<'_>, id: i64, role: Role) -> Result<i64> {
    db.one(
        "SELECT count(*) FROM users WHERE role = ?1 AND disabled = 0 AND id <> ?2",
        args![role.as_str(), id],
    )
}

pub(crate) fn disable(db: Db<'_>, id: i64) -> Result<()> {
    db.exec("UPDATE users SET disabled = 1 WHERE id = ?1", args![id])?;
    Ok(())
}

/// A new password hash, changed at `now`; `must_change` when someone else set it.
pub(crate) fn set_password(
    db: Db<'_>,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE users SET password_hash = ?2, must_change = ?3, password_changed_at = ?4
         WHERE id = ?1",
        args![id, password_hash, must_change, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::store::logins;

    /// Every statement of `store::users` and `store::logins` on a migrated database.
    fn users_on(db: Db<'_>) {
        crate::reference::load_defaults(db).unwrap();
        let now = Utc.with_ymd_and_hms(2020, 2, 10, 1, 0, 0).unwrap();
        let dep = crate::store::reference::active_department_id(db, "511802", "SWJ")
            .unwrap()
            .unwrap();
        let new = |name, role, department_id, division| NewUser {
            name,
            role,
            department_id,
            firm_id: None,
            division,
            password_hash: "h1",
            must_change: true,
        };
        let admin = insert(db, &new("admin", Role::Admin, None, None), now).unwrap();
        let swj = insert(db, &new("swj", Role::Reviewer, Some(dep), None), now).unwrap();
        assert_ne!(admin, swj);
        assert!(insert(db, &new("swj", Role::Admin, None, None), now).is_err());
        assert!(name_taken(db, "swj").unwrap() && !name_taken(db, "nobody").unwrap());

        let a = actor(db, swj).unwrap().unwrap();
        assert_eq!((a.role, a.department_id), (Role::Reviewer, Some(dep)));
        assert_eq!(
            a.division.as_deref(),
            Some("511802"),
            "the department's division"
        );
        assert!(a.must_change_password);
        assert!(actor(db, 999).unwrap().is_none());

        let c = credentials(db, "swj").unwrap().unwrap();
        assert_eq!(
            (c.id, c.password_hash.as_str(), c.disabled),
            (swj, "h1", false)
        );
        let n = by_name(db, "admin").unwrap().unwrap();
        assert_eq!((n.id, n.role, n.disabled), (admin, Role::Admin, false));
        assert_eq!(count_with_role(db, Role::Admin).unwrap(), 1);
        assert!(named_with_role(db, "admin", Role::Admin).unwrap());
        assert!(!named_with_role(db, "swj", Role::Admin).unwrap());
        assert!(
            has_role(db, admin, Role::Admin).unwrap() && !has_role(db, swj, Role::Admin).unwrap()
        );
        assert_eq!(others_enabled_with_role(db, admin, Role::Admin).unwrap(), 0);

        let later = now + chrono::Duration::hours(1);
        set_password(db, swj, "h2", false, later).unwrap();
        assert_eq!(password_hash(db, "swj").unwrap().as_deref(), Some("h2"));
        let s = session_state(db, swj).unwrap().unwrap();
        assert_eq!((s.disabled, s.password_changed_at), (false, later));
        disable(db, swj).unwrap();
        assert!(session_state(db, swj).unwrap().unwrap().disabled);
        assert!(crate::store::firms::id_of(db, "91511802MA62H0001X")
            .unwrap()
            .is_none());

        logins::set(db, "user:swj", 3, now).unwrap();
        logins::set(db, "user:swj", 4, later).unwrap();
        logins::set(db, "source:10.0.0.1", 1, now).unwrap();
        assert_eq!(logins::failures(db, "user:swj").unwrap(), Some((4, later)));
        let listed = list(db).unwrap();
        assert_eq!(
            listed.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![admin, swj]
        );
        let l = &listed[1];
        assert_eq!(l.department.as_deref(), Some("511802-SWJ"));
        assert_eq!(
            (l.role, l.disabled, l.must_change),
            (Role::Reviewer, true, false)
        );
        assert_eq!(
            (l.failures, l.last_failed_at.as_deref()),
            (Some(4), Some("2020-02-10T02:00:00Z"))
        );
        assert_eq!(listed[0].failures, None);
        logins::forget_before(db, later).unwrap();
        assert!(logins::failures(db, "source:10.0.0.1").unwrap().is_none());
        logins::clear(db, "user:swj").unwrap();
        assert!(logins::failures(db, "user:swj").unwrap().is_none());
    }

    #[test]
    fn users_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        users_on(Db::from(&c));
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn users_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        users_on(Db::from(&pg));
    }
}

//! Users, login, lockout and passwords.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{audit, parse_ts, ts, Reopen};
use crate::audit as chain;
use crate::domain::auth::{
    bad_login, check_password, generate_password, hash_password, login_delay, login_retry_at,
    login_throttled, verify_password, Actor, Role, LOGIN_FAILURE_MEMORY_HOURS,
};
use crate::domain::ids::{parse_name, CreditCode, DivisionCode};
use crate::error::{Error, Problems, Result, Text};
use crate::store::Db;
use crate::t;

pub(crate) struct NewUserRow<'a> {
    pub name: &'a str,
    pub role: Role,
    pub department_id: Option<i64>,
    pub firm_id: Option<i64>,
    pub division: Option<String>,
    pub password: &'a str,
    pub must_change: bool,
}

pub(crate) fn insert_user(conn: Db<'_>, u: &NewUserRow<'_>, now: DateTime<Utc>) -> Result<i64> {
    let mut p = Problems::new();
    p.take("name", check_user_name(u.name));
    p.take("password", check_password(u.password, u.name));
    p.into_result()?;
    let exists: i64 = conn.query_row(
        "SELECT count(*) FROM users WHERE name = ?1",
        [u.name],
        |r| r.get(0),
    )?;
    if exists > 0 {
        return Err(Error::conflict(t!(
            format!("用户名“{}”已存在", u.name),
            format!("user '{}' already exists", u.name)
        )));
    }
    conn.execute(
        "INSERT INTO users(name, role, department_id, firm_id, division, password_hash, must_change, password_changed_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            u.name,
            u.role.as_str(),
            u.department_id,
            u.firm_id,
            u.division,
            hash_password(u.password)?,
            u.must_change,
            ts(now)
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn check_user_name(name: &str) -> Result<String, crate::Text> {
    let n = parse_name(name, 32)?;
    if n.chars().count() < 2 || n.chars().any(|c| c.is_whitespace()) {
        return Err(t!(
            "用户名为 2–32 个字符,不含空格",
            "a user name has 2 to 32 characters and no spaces"
        ));
    }
    // Invisible characters would let two accounts look the same ("雨城\u{200B}商行").
    let invisible = |c: char| {
        matches!(c, '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
    };
    if let Some(c) = n.chars().find(|c| invisible(*c)) {
        return Err(t!(
            "用户名不能含不可见字符(U+{:04X})",
            "a user name may not hold an invisible character (U+{:04X})"; c as u32
        ));
    }
    Ok(n)
}

/// What `user add` takes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: String,
    /// `DIVISION-KIND`, e.g. `511802-SWJ` (reviewers).
    pub department: Option<String>,
    /// Credit code (firm users; optional: an unbound firm user binds by registering its firm).
    pub firm: Option<String>,
    /// Jurisdiction code (clerks and leaders).
    pub division: Option<String>,
    /// None: a strong one is generated and returned once.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UserCreated {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Set when the password was generated: shown once, never stored in clear.
    pub initial_password: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub department: Option<String>,
    pub firm: Option<String>,
    pub division: Option<String>,
    pub disabled: bool,
    /// Until when a login attempt under this name is not heard (failed logins make it wait; no
    /// lock). Past times mean none.
    pub locked_until: Option<String>,
    pub must_change_password: bool,
    pub created_at: String,
}

/// Resolves `DIVISION-KIND` to a department id.
pub(crate) fn department_id(conn: Db<'_>, code: &str) -> Result<i64> {
    let (div, kind) = code.split_once('-').ok_or_else(|| {
        Error::field(
            "department",
            t!(
                format!("部门应写作 区划代码-部门类别,如 511802-SWJ(实为“{code}”)"),
                format!("a department is DIVISION-KIND, e.g. 511802-SWJ (got '{code}')")
            ),
        )
    })?;
    conn.query_row(
        "SELECT id FROM departments WHERE division = ?1 AND kind = ?2 AND active = 1",
        params![div, kind.to_ascii_uppercase()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        Error::field(
            "department",
            t!(format!("没有部门 {code}"), format!("no department {code}")),
        )
    })
}

pub(crate) fn division_exists(conn: Db<'_>, code: &str) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM divisions WHERE code = ?1",
        [code],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub(crate) fn load_actor(conn: Db<'_>, user_id: i64) -> Result<Actor> {
    conn.query_row(
        "SELECT u.id, u.name, u.role, u.department_id, u.firm_id, COALESCE(u.division, d.division), u.must_change
         FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?1",
        [user_id],
        |r| {
            let role = crate::store::decode(r, 2, |s| Role::parse(s).ok())?;
            Ok(Actor {
                user_id: r.get(0)?,
                name: r.get(1)?,
                role,
                department_id: r.get(3)?,
                firm_id: r.get(4)?,
                division: r.get(5)?,
                must_change_password: r.get(6)?,
            })
        },
    )
    .map_err(Error::from)
}

/// A session idle this long ends (the desktop app locks its screen earlier, at 15 minutes).
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// No session outlives a working day.
pub const SESSION_MAX_HOURS: i64 = 12;

/// Why a logged-in session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    /// The user was disabled (or removed) meanwhile.
    Disabled,
    /// The password was changed (by the user elsewhere or reset by the administrator).
    PasswordChanged,
    Idle,
    Expired,
}

impl SessionEnd {
    pub fn message(self) -> Text {
        match self {
            SessionEnd::Disabled => t!("账户已被停用,请联系管理员", "the account was disabled"),
            SessionEnd::PasswordChanged => t!(
                "密码已修改,请重新登录",
                "the password was changed: log in again"
            ),
            SessionEnd::Idle => t!(
                format!("超过 {SESSION_IDLE_MINUTES} 分钟无操作,请重新登录"),
                format!("idle for over {SESSION_IDLE_MINUTES} minutes: log in again")
            ),
            SessionEnd::Expired => t!(
                format!("登录已超过 {SESSION_MAX_HOURS} 小时,请重新登录"),
                format!("logged in for over {SESSION_MAX_HOURS} hours: log in again")
            ),
        }
    }
}

/// The failures recorded under `key` ('user:NAME' or 'source:ADDRESS'): count and last time.
fn failures_of(conn: Db<'_>, key: &str) -> Result<Option<(i64, DateTime<Utc>)>> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT failures, last_failed_at FROM login_failures WHERE key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(n, at)| Ok((n, parse_ts(&at)?))).transpose()
}

/// When the next attempt under any of `keys` is heard (None: now).
fn retry_at(conn: Db<'_>, keys: &[String], now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let mut at = None;
    for k in keys {
        if let Some((n, last)) = failures_of(conn, k)? {
            at = at.max(login_retry_at(n, last, now));
        }
    }
    Ok(at)
}

/// Counts a failure under each key (a count older than a day starts again), and forgets
/// failures nobody has repeated for a day.
fn record_failure(conn: Db<'_>, keys: &[String], now: DateTime<Utc>) -> Result<i64> {
    let forget = ts(now - Duration::hours(LOGIN_FAILURE_MEMORY_HOURS));
    conn.execute(
        "DELETE FROM login_failures WHERE last_failed_at < ?1",
        [&forget],
    )?;
    let mut most = 0;
    for k in keys {
        let n = failures_of(conn, k)?.map(|(n, _)| n).unwrap_or(0) + 1;
        conn.execute(
            "INSERT INTO login_failures(key, failures, last_failed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_failed_at = excluded.last_failed_at",
            params![k, n, ts(now)],
        )?;
        most = most.max(n);
    }
    Ok(most)
}

/// The keys failures are counted under: the name, and the source when there is one.
fn throttle_keys(name: &str, source: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("user:{name}")];
    keys.extend(source.map(|s| format!("source:{s}")));
    keys
}

impl Reopen {
    /// A login on this PC (the desktop app, the local CLI): failures are counted by name only,
    /// since every attempt here comes from the same place — a source's count would make one
    /// user's typing mistakes everyone's wait.
    pub fn login(&mut self, name: &str, password: &str, now: DateTime<Utc>) -> Result<Actor> {
        self.login_attempt(name, password, None, true, now)
    }

    /// Checks a user's password as [`Reopen::login`] does (failures counted, waited for and
    /// audited alike) without recording a login: for a command-line call, which acts once and
    /// whose changes are audited under the user's name, and for re-checking the current password
    /// before a change. Leaves nothing behind when it succeeds.
    pub fn authenticate(
        &mut self,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        self.login_attempt(name, password, None, false, now)
    }

    /// A login from `source` (a client's address, for a server): failures are counted by name
    /// and by source.
    pub fn login_from(
        &mut self,
        name: &str,
        password: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        self.login_attempt(name, password, Some(source), true, now)
    }

    /// Checks the password. Every failure gets the same answer (a wrong password, an unknown or a
    /// disabled account alike); failures are counted by user name and by `source` (a client's
    /// address, when there is one), and past a few each doubles the wait before the next attempt is heard,
    /// up to a minute — a delay, never a lock, so nobody can keep an account from its owner.
    /// Successful logins and failures on an account are audited.
    fn login_attempt(
        &mut self,
        name: &str,
        password: &str,
        source: Option<&str>,
        record_login: bool,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        let keys = throttle_keys(name, source);
        // An attempt before its wait is over is not heard: no password check, nothing counted.
        if let Some(at) = retry_at(self.db(), &keys, now)? {
            return Err(login_throttled(at - now));
        }
        // The password hash is checked (argon2: tens of milliseconds) before the write lock is
        // taken, so logins on other PCs do not queue behind it.
        let seen: Option<String> = self
            .conn
            .sqlite()
            .query_row(
                "SELECT password_hash FROM users WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let password_ok = match &seen {
            Some(h) => verify_password(password, h),
            None => {
                // Spend the same effort as a real check, so timing does not tell which names exist.
                let _ = hash_password(password);
                false
            }
        };
        let guard = self.conn.begin_write()?;
        let tx = guard.db();
        let mark = chain::Mark::take(tx)?;
        if let Some(at) = retry_at(tx, &keys, now)? {
            return Err(login_throttled(at - now));
        }
        let row: Option<(i64, String, bool)> = tx
            .query_row(
                "SELECT id, password_hash, disabled FROM users WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        // The password was changed in between: check against the new one.
        let ok = match &row {
            Some((_, hash, disabled)) => {
                let ok = if Some(hash) == seen.as_ref() {
                    password_ok
                } else {
                    verify_password(password, hash)
                };
                ok && !disabled
            }
            None => false,
        };
        let Some((id, _, _)) = row else {
            record_failure(tx, &keys, now)?;
            mark.sign_head(tx, &self.keys)?;
            guard.commit()?;
            return Err(bad_login());
        };
        let who = chain::Who {
            id: Some(id),
            name: name.to_string(),
            role: "-".into(),
        };
        if !ok {
            let failures = record_failure(tx, &keys, now)?;
            chain::append(
                tx,
                &who,
                "user.login_failed",
                &format!("user:{id}"),
                None,
                Some(&serde_json::json!({"failures": failures, "source": source})),
                now,
            )?;
            mark.sign_head(tx, &self.keys)?;
            guard.commit()?;
            return Err(bad_login());
        }
        for k in &keys {
            tx.execute("DELETE FROM login_failures WHERE key = ?1", [k])?;
        }
        let actor = load_actor(tx, id)?;
        if record_login {
            chain::append(
                tx,
                &actor.who(),
                "user.login",
                &format!("user:{id}"),
                None,
                Some(&serde_json::json!({"source": source})),
                now,
            )?;
        }
        mark.sign_head(tx, &self.keys)?;
        guard.commit()?;
        Ok(actor)
    }

    /// The actor as the store now knows it (e.g. bound to a firm after registering it).
    pub fn refresh_actor(&self, actor: &Actor) -> Result<Actor> {
        load_actor(self.db(), actor.user_id)
    }

    /// Whether a logged-in session may go on at `now`: the user still exists and is enabled, the password was not changed since the session began, the session has not been
    /// idle for [`SESSION_IDLE_MINUTES`] nor open for [`SESSION_MAX_HOURS`]. On success, the actor
    /// as the store now knows it (a changed role or department takes effect at once).
    pub fn session_check(
        &self,
        actor: &Actor,
        started: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<Actor, SessionEnd>> {
        // A lockout (five wrong passwords typed by anyone) stops new logins, not this session.
        let row: Option<(bool, String)> = self
            .conn
            .sqlite()
            .query_row(
                "SELECT disabled, password_changed_at FROM users WHERE id = ?1",
                [actor.user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((disabled, changed)) = row else {
            return Ok(Err(SessionEnd::Disabled));
        };
        let end = if disabled {
            Some(SessionEnd::Disabled)
        } else if super::parse_ts(&changed)? > started {
            Some(SessionEnd::PasswordChanged)
        } else if now - last_seen > chrono::Duration::minutes(SESSION_IDLE_MINUTES) {
            Some(SessionEnd::Idle)
        } else if now - started > chrono::Duration::hours(SESSION_MAX_HOURS) {
            Some(SessionEnd::Expired)
        } else {
            None
        };
        Ok(match end {
            Some(e) => Err(e),
            None => Ok(load_actor(self.db(), actor.user_id)?),
        })
    }

    pub fn user_add(
        &mut self,
        actor: &Actor,
        u: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserCreated> {
        actor.require(&[Role::Admin], &t!("管理用户", "manage users"))?;
        self.write(|tx| {
            let mut p = Problems::new();
            let role = p.take("role", Role::parse(&u.role));
            let mut department_id = None;
            let mut firm_id = None;
            let mut division = None;
            if let Some(d) = &u.department {
                if role != Some(Role::Reviewer) {
                    p.add("department", t!("只有审核员属于部门", "only reviewers belong to a department"));
                } else {
                    match self::department_id(tx, d) {
                        Ok(id) => department_id = Some(id),
                        Err(e) => p.0.extend(e.fields),
                    }
                }
            } else if role == Some(Role::Reviewer) {
                p.add("department", t!("审核员须指定所属部门(--department)", "a reviewer needs --department"));
            }
            if let Some(f) = &u.firm {
                if role != Some(Role::Firm) {
                    p.add("firm", t!("只有企业填报人绑定企业", "only firm users are bound to a firm"));
                } else if let Some(code) = p.take("firm", CreditCode::parse(f)) {
                    match tx
                        .query_row("SELECT id FROM firms WHERE credit_code = ?1", [code.as_str()], |r| r.get::<_, i64>(0))
                        .optional()?
                    {
                        Some(id) => firm_id = Some(id),
                        None => p.add("firm", t!(format!("没有登记统一社会信用代码为 {f} 的企业"), format!("no firm with credit code {f}"))),
                    }
                }
            }
            if let Some(d) = &u.division {
                if !matches!(role, Some(Role::Clerk) | Some(Role::Leader)) {
                    p.add("division", t!("只有窗口工作人员和领导小组绑定行政区划", "only clerks and leaders have a division"));
                } else if let Some(code) = p.take("division", DivisionCode::parse(d)) {
                    if division_exists(tx, code.as_str())? {
                        division = Some(code.as_str().to_string());
                    } else {
                        p.add("division", t!(format!("本市没有行政区划 {d}"), format!("no division {d} in this city")));
                    }
                }
            } else if matches!(role, Some(Role::Clerk) | Some(Role::Leader)) {
                p.add("division", t!("窗口工作人员和领导小组须指定行政区划(--division)", "clerks and leaders need --division"));
            }
            let generated = u.password.is_none().then(generate_password);
            let password = u.password.clone().or_else(|| generated.clone()).unwrap_or_default();
            p.take("password", check_password(&password, &u.name));
            p.take("name", check_user_name(&u.name));
            p.into_result()?;
            let role = role.ok_or_else(|| Error::internal("role"))?;
            let id = insert_user(
                tx,
                &NewUserRow {
                    name: &u.name,
                    role,
                    department_id,
                    firm_id,
                    division,
                    password: &password,
                    must_change: true,
                },
                now,
            )?;
            audit(
                tx,
                actor,
                "user.add",
                &format!("user:{id}"),
                None,
                Some(&serde_json::json!({"name": u.name, "role": role, "department": u.department, "firm": u.firm, "division": u.division})),
                now,
            )?;
            Ok(UserCreated {
                id,
                name: u.name.clone(),
                role,
                initial_password: generated,
            })
        })
    }

    pub fn user_list(&self, actor: &Actor) -> Result<Vec<UserRow>> {
        actor.require(&[Role::Admin], &t!("查看用户", "list users"))?;
        let mut stmt = self.conn.sqlite().prepare(
            "SELECT u.id, u.name, u.role, d.division || '-' || d.kind, f.credit_code, u.division, u.disabled,
                    u.must_change, u.created_at, lf.failures, lf.last_failed_at
             FROM users u LEFT JOIN departments d ON d.id = u.department_id LEFT JOIN firms f ON f.id = u.firm_id
                  LEFT JOIN login_failures lf ON lf.key = 'user:' || u.name
             ORDER BY u.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let role = crate::store::decode(r, 2, |s| Role::parse(s).ok())?;
            Ok(UserRow {
                id: r.get(0)?,
                name: r.get(1)?,
                role,
                department: r.get(3)?,
                firm: r.get(4)?,
                division: r.get(5)?,
                disabled: r.get(6)?,
                must_change_password: r.get(7)?,
                created_at: r.get(8)?,
                locked_until: {
                    let failures: Option<i64> = r.get(9)?;
                    let last: Option<String> = r.get(10)?;
                    match (failures, last.as_deref().map(parse_ts)) {
                        (Some(n), Some(Ok(last))) if login_delay(n) > Duration::zero() => {
                            Some(ts(last + login_delay(n)))
                        }
                        _ => None,
                    }
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn user_id(tx: Db<'_>, name: &str) -> Result<(i64, String, bool)> {
        tx.query_row(
            "SELECT id, role, disabled FROM users WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| {
            Error::not_found(t!(format!("没有用户“{name}”"), format!("no user '{name}'")))
        })
    }

    pub fn user_disable(&mut self, actor: &Actor, name: &str, now: DateTime<Utc>) -> Result<()> {
        actor.require(&[Role::Admin], &t!("停用用户", "disable users"))?;
        self.write(|tx| {
            let (id, role, disabled) = Self::user_id(tx, name)?;
            if disabled {
                return Err(Error::conflict(t!(
                    format!("用户“{name}”已停用"),
                    format!("user '{name}' is already disabled")
                )));
            }
            if role == "admin" {
                let others: i64 = tx.query_row(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?1",
                    [id],
                    |r| r.get(0),
                )?;
                if others == 0 {
                    return Err(Error::conflict(t!(
                        "不能停用最后一个管理员",
                        "cannot disable the last administrator"
                    )));
                }
            }
            tx.execute("UPDATE users SET disabled = 1 WHERE id = ?1", [id])?;
            audit(
                tx,
                actor,
                "user.disable",
                &format!("user:{id}"),
                Some(&serde_json::json!({"disabled": false})),
                Some(&serde_json::json!({"disabled": true})),
                now,
            )
        })
    }

    /// Forgets the failed logins under a user's name: the next attempt is heard at once.
    pub fn user_unlock(&mut self, actor: &Actor, name: &str, now: DateTime<Utc>) -> Result<()> {
        actor.require(&[Role::Admin], &t!("解锁用户", "unlock users"))?;
        self.write(|tx| {
            let (id, _, _) = Self::user_id(tx, name)?;
            tx.execute(
                "DELETE FROM login_failures WHERE key = ?1",
                [format!("user:{name}")],
            )?;
            audit(
                tx,
                actor,
                "user.unlock",
                &format!("user:{id}"),
                None,
                None,
                now,
            )
        })
    }

    /// Changes a password. Users change their own (`new` required); an administrator resets
    /// another user's (`new` or a generated one, which the user must change at next login).
    pub fn user_password(
        &mut self,
        actor: &Actor,
        name: &str,
        new: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let own = actor.name == name;
        if !own {
            actor.require(
                &[Role::Admin],
                &t!("重置他人密码", "reset another user's password"),
            )?;
        }
        let generated = (new.is_none() && !own).then(generate_password);
        let Some(pw) = new.map(str::to_string).or_else(|| generated.clone()) else {
            return Err(Error::field(
                "password",
                t!(
                    "请通过 REOPEN_NEW_PASSWORD 提供新密码",
                    "give the new password in REOPEN_NEW_PASSWORD"
                ),
            ));
        };
        check_password(&pw, name).map_err(|e| Error::field("password", e))?;
        // argon2 runs before the write lock is taken (tens of milliseconds each).
        let (_, _, _) = Self::user_id(self.db(), name)?;
        let current: String = self.conn.sqlite().query_row(
            "SELECT password_hash FROM users WHERE name = ?1",
            [name],
            |r| r.get(0),
        )?;
        if verify_password(&pw, &current) {
            return Err(Error::field(
                "password",
                t!(
                    "新密码不能与当前密码相同",
                    "the new password must differ from the current one"
                ),
            ));
        }
        let hash = hash_password(&pw)?;
        self.write(|tx| {
            let (id, _, _) = Self::user_id(tx, name)?;
            tx.execute(
                "UPDATE users SET password_hash = ?2, must_change = ?3, password_changed_at = ?4 WHERE id = ?1",
                params![id, hash, !own, ts(now)],
            )?;
            audit(tx, actor, if own { "user.password_change" } else { "user.password_reset" }, &format!("user:{id}"), None, None, now)?;
            Ok(generated)
        })
    }
}

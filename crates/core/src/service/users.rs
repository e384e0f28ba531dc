//! Users: accounts, their binding and passwords (logins and sessions are `login.rs`'s).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{audit, parse_ts, ts, Reopen};
use crate::domain::auth::{
    check_password, generate_password, hash_password, login_delay, verify_password, Actor, Role,
};
use crate::domain::ids::{parse_name, CreditCode, DivisionCode};
use crate::error::{Error, Problems, Result};
use crate::store;
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

/// Adds a user, checking its name and password and hashing the password here: for a caller
/// that cannot hash before its transaction began (prefer [`prehash`] + [`insert_user_hashed`]).
pub(crate) fn insert_user(conn: Db<'_>, u: &NewUserRow<'_>, now: DateTime<Utc>) -> Result<i64> {
    check_new_user(u)?;
    let hash = hash_password(u.password)?;
    insert_user_hashed(conn, u, Some(&hash), now)
}

fn check_new_user(u: &NewUserRow<'_>) -> Result<()> {
    let mut p = Problems::new();
    p.take("name", check_user_name(u.name));
    p.take("password", check_password(u.password, u.name));
    p.into_result()
}

/// The hash of a new user's password, made before the write transaction begins (argon2: tens
/// of milliseconds, which other writers must not wait for); None when the name or the password
/// will be refused anyway (the transaction then reports why).
pub(crate) fn prehash(name: &str, password: &str) -> Result<Option<String>> {
    if check_user_name(name).is_err() || check_password(password, name).is_err() {
        return Ok(None);
    }
    hash_password(password).map(Some)
}

/// Adds a user whose name and password [`prehash`] checked and hashed (given the same name and
/// password); without a hash they are refused here, the answer naming the field. The name must
/// be free.
pub(crate) fn insert_user_hashed(
    conn: Db<'_>,
    u: &NewUserRow<'_>,
    hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    if hash.is_none() {
        check_new_user(u)?;
    }
    if store::users::name_taken(conn, u.name)? {
        return Err(Error::conflict(t!(
            format!("用户名“{}”已存在", u.name),
            format!("user '{}' already exists", u.name)
        )));
    }
    let hash = hash.ok_or_else(|| Error::internal("a new user's password was not hashed"))?;
    store::users::insert(
        conn,
        &store::users::NewUser {
            name: u.name,
            role: u.role,
            department_id: u.department_id,
            firm_id: u.firm_id,
            division: u.division.as_deref(),
            password_hash: hash,
            must_change: u.must_change,
        },
        now,
    )
}

fn check_user_name(name: &str) -> Result<String, crate::Text> {
    let n = parse_name(name, 32)?;
    if n.chars().count() < 2 || n.chars().any(|c| c.is_whitespace()) {
        return Err(t!(
            "用户名为 2–32 个字符，不含空格",
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
            "用户名不能含不可见字符（U+{:04X}）",
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UserCreated {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Set when the password was generated: shown once, never stored in clear.
    pub initial_password: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
                format!("部门应写作 区划代码-部门类别，如 511802-SWJ（实为“{code}”）"),
                format!("a department is DIVISION-KIND, e.g. 511802-SWJ (got '{code}')")
            ),
        )
    })?;
    store::reference::active_department_id(conn, div, &kind.to_ascii_uppercase())?.ok_or_else(
        || {
            Error::field(
                "department",
                t!(format!("没有部门 {code}"), format!("no department {code}")),
            )
        },
    )
}

pub(crate) fn division_exists(conn: Db<'_>, code: &str) -> Result<bool> {
    store::reference::division_exists(conn, code)
}

pub(crate) fn load_actor(conn: Db<'_>, user_id: i64) -> Result<Actor> {
    store::users::actor(conn, user_id)?
        .ok_or_else(|| Error::internal(format!("no user with id {user_id}")))
}

impl Reopen {
    pub fn user_add(
        &mut self,
        actor: &Actor,
        u: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserCreated> {
        actor.require(&[Role::Admin], &t!("管理用户", "manage users"))?;
        let generated = u.password.is_none().then(generate_password);
        let password = u
            .password
            .clone()
            .or_else(|| generated.clone())
            .unwrap_or_default();
        // argon2 runs before the write lock is taken (tens of milliseconds).
        let hash = prehash(&u.name, &password)?;
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
                p.add("department", t!("审核员须指定所属部门（--department）", "a reviewer needs --department"));
            }
            if let Some(f) = &u.firm {
                if role != Some(Role::Firm) {
                    p.add("firm", t!("只有企业填报人绑定企业", "only firm users are bound to a firm"));
                } else if let Some(code) = p.take("firm", CreditCode::parse(f)) {
                    match store::firms::id_of(tx, code.as_str())? {
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
                p.add("division", t!("窗口工作人员和领导小组须指定行政区划（--division）", "clerks and leaders need --division"));
            }
            p.take("password", check_password(&password, &u.name));
            p.take("name", check_user_name(&u.name));
            p.into_result()?;
            let role = role.ok_or_else(|| Error::internal("role"))?;
            let id = insert_user_hashed(
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
                hash.as_deref(),
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
        let rows = store::users::list(self.db())?;
        Ok(rows
            .into_iter()
            .map(|r| {
                // Until when attempts under the name wait (an unreadable time shows none).
                let locked_until = match (r.failures, r.last_failed_at.as_deref().map(parse_ts)) {
                    (Some(n), Some(Ok(last))) if login_delay(n) > Duration::zero() => {
                        Some(ts(last + login_delay(n)))
                    }
                    _ => None,
                };
                UserRow {
                    id: r.id,
                    name: r.name,
                    role: r.role,
                    department: r.department,
                    firm: r.firm,
                    division: r.division,
                    disabled: r.disabled,
                    locked_until,
                    must_change_password: r.must_change,
                    created_at: r.created_at,
                }
            })
            .collect())
    }

    fn user_id(tx: Db<'_>, name: &str) -> Result<store::users::Named> {
        store::users::by_name(tx, name)?.ok_or_else(|| {
            Error::not_found(t!(format!("没有用户“{name}”"), format!("no user '{name}'")))
        })
    }

    pub fn user_disable(&mut self, actor: &Actor, name: &str, now: DateTime<Utc>) -> Result<()> {
        actor.require(&[Role::Admin], &t!("停用用户", "disable users"))?;
        self.write(|tx| {
            let store::users::Named { id, role, disabled } = Self::user_id(tx, name)?;
            if disabled {
                return Err(Error::conflict(t!(
                    format!("用户“{name}”已停用"),
                    format!("user '{name}' is already disabled")
                )));
            }
            if role == Role::Admin
                && store::users::others_enabled_with_role(tx, id, Role::Admin)? == 0
            {
                return Err(Error::conflict(t!(
                    "不能停用最后一个管理员",
                    "cannot disable the last administrator"
                )));
            }
            store::users::disable(tx, id)?;
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
            let id = Self::user_id(tx, name)?.id;
            store::logins::clear(tx, &format!("user:{name}"))?;
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
        // A reset makes up a password for someone else; one's own is chosen, never made up.
        let Some(pw) = new.map(str::to_string).or_else(|| generated.clone()) else {
            return Err(Error::field(
                "name",
                t!(
                    "不能重置自己的密码：请用“修改密码”（命令行：用 REOPEN_NEW_PASSWORD 给出新密码）",
                    "you cannot reset your own password: use Change password (on the command line, give the new one in REOPEN_NEW_PASSWORD)"
                ),
            ));
        };
        check_password(&pw, name).map_err(|e| Error::field("password", e))?;
        // argon2 runs before the write lock is taken (tens of milliseconds each).
        Self::user_id(self.db(), name)?;
        let current = store::users::password_hash(self.db(), name)?
            .ok_or_else(|| Error::internal(format!("no password hash for '{name}'")))?;
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
            let id = Self::user_id(tx, name)?.id;
            store::users::set_password(tx, id, &hash, !own, now)?;
            audit(
                tx,
                actor,
                if own {
                    "user.password_change"
                } else {
                    "user.password_reset"
                },
                &format!("user:{id}"),
                None,
                None,
                now,
            )?;
            Ok(generated)
        })
    }
}

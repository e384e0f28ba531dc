//! Logins and sessions: the password check, the wait after failed attempts (never a lock), and
//! whether a logged-in session may go on.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::users::load_actor;
use super::Reopen;
use crate::audit as chain;
use crate::domain::auth::{
    bad_login, hash_password, login_retry_at, login_throttled, verify_password, Actor,
    LOGIN_FAILURE_MEMORY_HOURS,
};
use crate::error::{Result, Text};
use crate::store;
use crate::store::Db;
use crate::t;

/// A session idle this long ends (the desktop app locks its screen earlier, at 15 minutes).
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// No session outlives a working day.
pub const SESSION_MAX_HOURS: i64 = 12;

/// Why a logged-in session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    /// The user was disabled (or removed) meanwhile.
    Disabled,
    /// The password was changed (by the user elsewhere or reset by the administrator).
    PasswordChanged,
    Idle,
    Expired,
    /// No such session: never opened, logged out, or forgotten.
    Unknown,
}

impl SessionEnd {
    pub fn message(self) -> Text {
        match self {
            SessionEnd::Disabled => t!("账户已被停用，请联系管理员", "the account was disabled"),
            SessionEnd::PasswordChanged => t!(
                "密码已修改，请重新登录",
                "the password was changed: log in again"
            ),
            SessionEnd::Idle => t!(
                format!("超过 {SESSION_IDLE_MINUTES} 分钟无操作，请重新登录"),
                format!("idle for over {SESSION_IDLE_MINUTES} minutes: log in again")
            ),
            SessionEnd::Unknown => t!("登录已失效，请重新登录", "not logged in: log in again"),
            SessionEnd::Expired => t!(
                format!("登录已超过 {SESSION_MAX_HOURS} 小时，请重新登录"),
                format!("logged in for over {SESSION_MAX_HOURS} hours: log in again")
            ),
        }
    }
}

/// The failures recorded under `key` ('user:NAME' or 'source:ADDRESS'): count and last time.
fn failures_of(conn: Db<'_>, key: &str) -> Result<Option<(i64, DateTime<Utc>)>> {
    store::logins::failures(conn, key)
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
    store::logins::forget_before(conn, now - Duration::hours(LOGIN_FAILURE_MEMORY_HOURS))?;
    let mut most = 0;
    for k in keys {
        let n = failures_of(conn, k)?.map(|(n, _)| n).unwrap_or(0) + 1;
        store::logins::set(conn, k, n, now)?;
        most = most.max(n);
    }
    Ok(most)
}

/// The keys failures are counted under: the name, and the source when there is one. A NUL, which
/// no stored name holds and PostgreSQL cannot store, is written `\0`; a name or source longer than
/// any user's (a hostile megabyte) is counted under its SHA-256, so that a key fits an index entry.
fn throttle_keys(name: &str, source: Option<&str>) -> Vec<String> {
    let safe = |s: &str| {
        if s.len() > 256 {
            use sha2::Digest;
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(s.as_bytes())))
        } else {
            s.replace('\0', "\\0")
        }
    };
    let mut keys = vec![format!("user:{}", safe(name))];
    keys.extend(source.map(|s| format!("source:{}", safe(s))));
    keys
}

/// Whether `name` can be a user's at all (no stored name holds a NUL): else it is not looked up.
fn storable(name: &str) -> bool {
    !name.contains('\0')
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
        let seen = match storable(name) {
            true => store::users::password_hash(self.db(), name)?,
            false => None,
        };
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
        let row = match storable(name) {
            true => store::users::credentials(tx, name)?,
            false => None,
        };
        // The password was changed in between: check against the new one.
        let ok = match &row {
            Some(c) => {
                let ok = if Some(&c.password_hash) == seen.as_ref() {
                    password_ok
                } else {
                    verify_password(password, &c.password_hash)
                };
                ok && !c.disabled
            }
            None => false,
        };
        let Some(store::users::Credentials { id, .. }) = row else {
            record_failure(tx, &keys, now)?;
            mark.sign_head(tx, &self.keys)?;
            guard.commit()?;
            return Err(bad_login());
        };
        let who = chain::Who {
            id: Some(id),
            name: name.to_string(),
            role: "-".into(),
            client: None,
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
            store::logins::clear(tx, k)?;
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
        let Some(state) = store::users::session_state(self.db(), actor.user_id)? else {
            return Ok(Err(SessionEnd::Disabled));
        };
        let end = if state.disabled {
            Some(SessionEnd::Disabled)
        } else if state.password_changed_at > started {
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
}

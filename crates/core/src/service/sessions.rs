//! A server's sessions: a login answers an opaque random token, kept in the database (only its
//! SHA-256), so that several servers behind one address share them. The rules are the app's
//! ([`Reopen::session_check`]): 30 minutes idle, 12 hours at most, ended by logout, a password
//! change or the user's disabling.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::login::{SessionEnd, SESSION_MAX_HOURS};
use super::Reopen;
use crate::domain::auth::Actor;
use crate::domain::package::sha256_hex;
use crate::error::Result;
use crate::store;

/// How stale a session's recorded last activity may get before a request writes it again.
const TOUCH_SECONDS: i64 = 60;

/// A new session: its token (answered once, never stored) and its user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenedSession {
    pub token: String,
    pub actor: Actor,
}

fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

impl Reopen {
    /// A login from a server's client at `source` (its address): the password checked and
    /// throttled by name and by source and the login audited as [`Reopen::login_from`] does,
    /// then a session. Sessions older than a working day are forgotten on the way.
    pub fn session_open(
        &mut self,
        name: &str,
        password: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<OpenedSession> {
        let actor = self.login_from(name, password, source, now)?;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let tx = self.conn.begin_write()?;
        store::sessions::forget_started_before(tx.db(), now - Duration::hours(SESSION_MAX_HOURS))?;
        store::sessions::insert(tx.db(), &token_hash(&token), actor.user_id, now, source)?;
        tx.commit()?;
        Ok(OpenedSession { token, actor })
    }

    /// The user of the session `token` at `now`, as the store knows them now, its last activity
    /// moved on; or why there is no such session (unknown, logged out, ended: then forgotten).
    pub fn session_resume(
        &mut self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<Actor, SessionEnd>> {
        let hash = token_hash(token);
        let Some(s) = store::sessions::get(self.db(), &hash)? else {
            return Ok(Err(SessionEnd::Unknown));
        };
        let known = super::users::load_actor(self.db(), s.user_id).ok();
        let checked = match &known {
            Some(actor) => self.session_check(actor, s.started_at, s.last_seen_at, now)?,
            None => Err(SessionEnd::Disabled),
        };
        match &checked {
            // A session's last activity is written at most once a minute, not at every request:
            // the idle limit is thirty minutes, and a write per request would cost every call a
            // commit. The session may so end up to a minute early, never late.
            Ok(_) if now - s.last_seen_at >= Duration::seconds(TOUCH_SECONDS) => {
                store::sessions::touch(self.db(), &hash, now)?
            }
            Ok(_) => {}
            Err(_) => {
                store::sessions::delete(self.db(), &hash)?;
            }
        }
        Ok(checked)
    }

    /// Ends the session `token` (logout), audited under its user; an unknown token is no error
    /// (logging out twice is logging out).
    pub fn session_close(&mut self, token: &str, now: DateTime<Utc>) -> Result<bool> {
        let hash = token_hash(token);
        let Some(s) = store::sessions::get(self.db(), &hash)? else {
            return Ok(false);
        };
        let actor = super::users::load_actor(self.db(), s.user_id)?;
        self.write(|tx| {
            let gone = store::sessions::delete(tx, &hash)?;
            if gone {
                super::audit(
                    tx,
                    &actor,
                    "user.logout",
                    &format!("user:{}", actor.user_id),
                    None,
                    Some(&serde_json::json!({"source": s.source})),
                    now,
                )?;
            }
            Ok(gone)
        })
    }
}

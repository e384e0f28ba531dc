//! The app's state: one core (one SQLite connection) behind a mutex, the logged-in session,
//! the UI language and the clock (REOPEN_NOW for training and demos).

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use reopen_core::documents::DocFonts;
use reopen_core::domain::auth::Actor;
use reopen_core::error::{Error, Lang};
use reopen_core::Reopen;

use crate::error::{CmdError, CmdResult};

pub struct Session {
    pub actor: Actor,
    /// When the user logged in (or changed their password), and when they last did anything:
    /// the core ends the session when it has been idle or open too long.
    pub started: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

pub struct AppState {
    pub core: Mutex<Reopen>,
    pub session: Mutex<Option<Session>>,
    pub lang: Mutex<Lang>,
    pub clock: Option<DateTime<Utc>>,
    pub db_path: PathBuf,
    /// `--bench-startup`: report start-up time and memory once the UI is ready, then exit.
    pub bench: Option<crate::startup::StartupBench>,
    fonts: std::sync::OnceLock<DocFonts>,
}

/// The per-user data directory the CLI uses too.
pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("cn.gov.yaan", "Yaan", "Reopen")
        .map(|d| d.data_dir().join("reopen.db"))
        .unwrap_or_else(|| PathBuf::from("reopen.db"))
}

/// REOPEN_NOW (RFC 3339) fixes the clock; the UI shows a banner while it is set.
pub fn clock_from_env() -> Result<Option<DateTime<Utc>>, String> {
    match std::env::var("REOPEN_NOW") {
        Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|e| format!("REOPEN_NOW is not RFC 3339 ({v}): {e}")),
        _ => Ok(None),
    }
}

impl AppState {
    pub fn new(core: Reopen, db_path: PathBuf, clock: Option<DateTime<Utc>>) -> AppState {
        AppState {
            core: Mutex::new(core),
            session: Mutex::new(None),
            lang: Mutex::new(Lang::Zh),
            clock,
            db_path,
            bench: None,
            fonts: Default::default(),
        }
    }

    pub fn with_bench(mut self, bench: Option<crate::startup::StartupBench>) -> AppState {
        self.bench = bench;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    pub fn lang(&self) -> Lang {
        self.lang.lock().map(|l| *l).unwrap_or_default()
    }

    pub fn err(&self, e: Error) -> CmdError {
        CmdError::from_core(&e, self.lang())
    }

    fn poisoned(&self) -> CmdError {
        self.err(Error::internal("state lock poisoned"))
    }

    /// The logged-in user, checked by the core on every call: a user disabled or whose password
    /// was changed meanwhile, or a session idle or open too long, is logged out here.
    pub fn actor(&self) -> CmdResult<Actor> {
        let (actor, started, last_seen) = {
            let s = self.session.lock().map_err(|_| self.poisoned())?;
            let s = s
                .as_ref()
                .ok_or_else(|| CmdError::unauthenticated(self.lang()))?;
            (s.actor.clone(), s.started, s.last_seen)
        };
        let now = self.now();
        let checked = {
            let core = self.core.lock().map_err(|_| self.poisoned())?;
            core.session_check(&actor, started, last_seen, now)
                .map_err(|e| self.err(e))?
        };
        let mut s = self.session.lock().map_err(|_| self.poisoned())?;
        match checked {
            Ok(fresh) => {
                if let Some(s) = s.as_mut() {
                    s.actor = fresh.clone();
                    s.last_seen = now;
                }
                Ok(fresh)
            }
            Err(end) => {
                *s = None;
                let mut e = CmdError::unauthenticated(self.lang());
                e.message = end.message().get(self.lang()).to_string();
                Err(e)
            }
        }
    }

    /// Starts a session for `actor` (login, a changed password), or ends it (None).
    pub fn set_actor(&self, actor: Option<Actor>) -> CmdResult<()> {
        let now = self.now();
        let mut s = self.session.lock().map_err(|_| self.poisoned())?;
        *s = actor.map(|actor| Session {
            actor,
            started: now,
            last_seen: now,
        });
        Ok(())
    }

    /// Runs a use case with the core, without a session (login, first run, verify).
    pub fn with_core<T>(
        &self,
        f: impl FnOnce(&mut Reopen, DateTime<Utc>) -> reopen_core::Result<T>,
    ) -> CmdResult<T> {
        let now = self.now();
        let mut core = self.core.lock().map_err(|_| self.poisoned())?;
        f(&mut core, now).map_err(|e| self.err(e))
    }

    /// Runs a use case as the logged-in user.
    pub fn as_actor<T>(
        &self,
        f: impl FnOnce(&mut Reopen, &Actor, DateTime<Utc>) -> reopen_core::Result<T>,
    ) -> CmdResult<T> {
        let actor = self.actor()?;
        self.with_core(|core, now| f(core, &actor, now))
    }

    pub fn fonts(&self) -> CmdResult<&DocFonts> {
        if self.fonts.get().is_none() {
            let f = DocFonts::load().map_err(|e| self.err(e))?;
            let _ = self.fonts.set(f);
        }
        self.fonts.get().ok_or_else(|| self.poisoned())
    }
}

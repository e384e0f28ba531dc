//! The app's state: where the data lives — one core (one SQLite connection) behind a mutex, or
//! a city's server through the remote client — the logged-in session, the UI language and the
//! clock (REOPEN_NOW for training and demos).
//!
//! Every use case is one operation of `reopen_core::api` ([`AppState::call`]): run on the local
//! core as the session's user, or sent to the server, which checks its own session. The screens
//! cannot tell the two apart; files, dialogs and PDFs stay on this PC in both modes.
//!
//! Commands run off the main thread (see [`Shared::run`]): the window stays responsive while a
//! use case holds the core, and the core's mutex is taken only inside that blocking work.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reopen_client::Remote;
use reopen_core::api::Op;
use reopen_core::documents::DocFonts;
use reopen_core::domain::auth::Actor;
use reopen_core::error::{Error, Lang};
use reopen_core::Reopen;

use crate::error::{CmdError, CmdResult};
use crate::files::{self, Chosen, Limit, Target};

pub struct Session {
    /// Which login this is: a command that began under one session never updates another.
    pub serial: u64,
    pub actor: Actor,
    /// When the user logged in (or changed their password), and when they last did anything:
    /// the core ends the session when it has been idle or open too long.
    pub started: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// The app's clock: the system's, or in training mode (REOPEN_NOW) the fixed start moved on by
/// the real time elapsed since the app started, so deadlines, idle sessions and the day's date
/// behave as they do in real use.
pub struct Clock {
    start: Option<DateTime<Utc>>,
    elapsed: Box<dyn Fn() -> Duration + Send + Sync>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            start: None,
            elapsed: Box::new(|| Duration::ZERO),
        }
    }

    /// Training mode: `start`, then advancing with the monotonic clock.
    pub fn training(start: DateTime<Utc>) -> Clock {
        let origin = Instant::now();
        Clock::training_with(start, move || origin.elapsed())
    }

    /// Training mode with the elapsed time given by `elapsed` (tests simulate idle time).
    pub fn training_with(
        start: DateTime<Utc>,
        elapsed: impl Fn() -> Duration + Send + Sync + 'static,
    ) -> Clock {
        Clock {
            start: Some(start),
            elapsed: Box::new(elapsed),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.start {
            None => Utc::now(),
            Some(start) => chrono::Duration::from_std((self.elapsed)())
                .ok()
                .and_then(|d| start.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }

    /// Whether REOPEN_NOW set the clock (the UI shows a banner).
    pub fn is_training(&self) -> bool {
        self.start.is_some()
    }
}

/// Where the data lives.
pub enum Backend {
    /// This PC's embedded database (本机数据库).
    Local(Mutex<Reopen>),
    /// A city's server (连接服务器): its address and pinned fingerprint, and the client, whose
    /// session token is written at login and logout only.
    Server {
        url: String,
        fingerprint: Option<String>,
        remote: RwLock<Remote>,
    },
}

pub struct AppState {
    backend: RwLock<Arc<Backend>>,
    pub session: Mutex<Option<Session>>,
    pub lang: Mutex<Lang>,
    pub clock: Clock,
    pub db_path: PathBuf,
    /// `--bench-startup`: report start-up time and memory once the UI is ready, then exit.
    pub bench: Option<crate::startup::StartupBench>,
    fonts: std::sync::OnceLock<DocFonts>,
    logins: std::sync::atomic::AtomicU64,
}

/// What Tauri manages: the state, shared with the blocking tasks commands run in.
#[derive(Clone)]
pub struct Shared(Arc<AppState>);

impl std::ops::Deref for Shared {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl Shared {
    pub fn new(state: AppState) -> Shared {
        Shared(Arc::new(state))
    }

    /// Runs `f` on Tauri's blocking thread pool, never on the main (window) thread: a batch
    /// print, an import or an export keeps the window responsive, and a command waiting for the
    /// core's mutex waits there too.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> CmdResult<T> + Send + 'static,
    ) -> CmdResult<T> {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| self.err(Error::internal(format!("command failed: {e}"))))?
    }

    /// [`AppState::call`] off the main thread.
    pub async fn op<O: Op>(&self, op: O) -> CmdResult<O::Output> {
        self.run(move |s| s.call(op)).await
    }
}

/// The per-user data directory the CLI uses too.
pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("cn.gov.yaan", "Yaan", "Reopen")
        .map(|d| d.data_dir().join("reopen.db"))
        .unwrap_or_else(|| PathBuf::from("reopen.db"))
}

/// REOPEN_NOW (RFC 3339) sets the clock's start; the UI shows a banner while it is set.
pub fn clock_from_env() -> Result<Option<DateTime<Utc>>, String> {
    match std::env::var("REOPEN_NOW") {
        Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|e| format!("REOPEN_NOW is not RFC 3339 ({v}): {e}")),
        _ => Ok(None),
    }
}

/// Where the training clock starts: REOPEN_NOW, or the time of the last event the database
/// recorded if that is later, since an earlier run's clock ran on from REOPEN_NOW too. Starting
/// again before it would date new records before old ones, and would end at once the session of
/// anyone whose password an earlier run changed (the change would lie in the session's future).
pub fn training_start(core: &Reopen, fixed: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let last = core
        .last_recorded_at()
        .map_err(|e| format!("cannot read the last recorded time: {}", e.message.en))?;
    Ok(last.map_or(fixed, |at| at.max(fixed)))
}

impl AppState {
    /// `training`: REOPEN_NOW's time, from which the clock runs on (None: the system clock).
    pub fn new(core: Reopen, db_path: PathBuf, training: Option<DateTime<Utc>>) -> AppState {
        AppState::with_backend(Backend::Local(Mutex::new(core)), db_path, training)
    }

    /// The app on `backend`; `db_path` is the embedded database's file (used when the user
    /// switches to it, and where the connection settings are kept).
    pub fn with_backend(
        backend: Backend,
        db_path: PathBuf,
        training: Option<DateTime<Utc>>,
    ) -> AppState {
        AppState {
            backend: RwLock::new(Arc::new(backend)),
            session: Mutex::new(None),
            lang: Mutex::new(Lang::Zh),
            clock: training.map_or_else(Clock::system, Clock::training),
            db_path,
            bench: None,
            fonts: Default::default(),
            logins: Default::default(),
        }
    }

    pub fn with_bench(mut self, bench: Option<crate::startup::StartupBench>) -> AppState {
        self.bench = bench;
        self
    }

    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The backend in use now (a switch replaces it; calls under way finish on the old one).
    pub fn backend(&self) -> Arc<Backend> {
        match self.backend.read() {
            Ok(b) => b.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Uses `backend` from now on; any session ends.
    pub fn switch(&self, backend: Backend) -> CmdResult<()> {
        // The server ends the session; unreachable, it ends by itself when idle.
        let _ = self.with_remote_mut(|r| r.logout().map_err(|e| self.err(e)));
        self.set_actor(None)?;
        *self.backend.write().map_err(|_| self.poisoned())? = Arc::new(backend);
        Ok(())
    }

    pub fn is_local(&self) -> bool {
        matches!(&*self.backend(), Backend::Local(_))
    }

    /// Runs the operation `op` as the session's user: on the local core, or on the server.
    pub fn call<O: Op>(&self, op: O) -> CmdResult<O::Output> {
        match self.with_remote(|r| r.call_coded(&op).map_err(|e| self.refused(e))) {
            Some(done) => done,
            None => self.as_actor(|c, a, now| op.run(c, a, now)),
        }
    }

    /// A server's refusal in the app's terms: its code kept (`unauthenticated` ends the session
    /// on the screens), its message already in the UI's language.
    pub fn refused(&self, r: reopen_client::Refused) -> CmdError {
        let mut e = self.err(r.error);
        e.code = r.code;
        e
    }

    /// The session's user as the local core or the server knows them now.
    pub fn me(&self) -> CmdResult<Actor> {
        match self.with_remote(|r| r.whoami_coded().map_err(|e| self.refused(e))) {
            Some(me) => me,
            None => self.actor(),
        }
    }

    /// Runs `f` with the server's client (None on the local database): calls share it.
    pub fn with_remote<T>(&self, f: impl FnOnce(&Remote) -> CmdResult<T>) -> Option<CmdResult<T>> {
        match &*self.backend() {
            Backend::Local(_) => None,
            Backend::Server { remote, .. } => Some(match remote.read() {
                Ok(r) => f(&r),
                Err(_) => Err(self.poisoned()),
            }),
        }
    }

    /// [`AppState::with_remote`] for what changes the client: its session (login, logout) or
    /// its language; other calls wait meanwhile.
    pub fn with_remote_mut<T>(
        &self,
        f: impl FnOnce(&mut Remote) -> CmdResult<T>,
    ) -> Option<CmdResult<T>> {
        match &*self.backend() {
            Backend::Local(_) => None,
            Backend::Server { remote, .. } => Some(match remote.write() {
                Ok(mut r) => f(&mut r),
                Err(_) => Err(self.poisoned()),
            }),
        }
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
    /// was changed meanwhile, or a session idle or open too long, is logged out here. A user who
    /// must still change the initial password is refused (`must_change_password`): this is the
    /// one place commands take the session's actor from, so none can forget it. Only what the
    /// password dialog needs uses [`AppState::session_actor`] instead.
    pub fn actor(&self) -> CmdResult<Actor> {
        let (_, actor) = self.session_actor()?;
        if actor.must_change_password {
            return Err(CmdError::must_change_password(self.lang()));
        }
        Ok(actor)
    }

    /// The session's serial and its user as the core knows them now, whether or not the
    /// initial password has been changed (who am I, changing the password).
    pub fn session_actor(&self) -> CmdResult<(u64, Actor)> {
        let (serial, actor, started, last_seen) = {
            let s = self.session.lock().map_err(|_| self.poisoned())?;
            let s = s
                .as_ref()
                .ok_or_else(|| CmdError::unauthenticated(self.lang()))?;
            (s.serial, s.actor.clone(), s.started, s.last_seen)
        };
        let now = self.now();
        let checked =
            self.with_core(|core, _| core.session_check(&actor, started, last_seen, now))?;
        let mut s = self.session.lock().map_err(|_| self.poisoned())?;
        // Another command may have logged out or in meanwhile: only this session is touched.
        let same = s.as_ref().is_some_and(|s| s.serial == serial);
        match checked {
            Ok(fresh) => {
                if let Some(s) = s.as_mut().filter(|_| same) {
                    s.actor = fresh.clone();
                    s.last_seen = s.last_seen.max(now);
                }
                Ok((serial, fresh))
            }
            Err(end) => {
                if same {
                    *s = None;
                }
                let mut e = CmdError::unauthenticated(self.lang());
                e.message = end.message().get(self.lang()).to_string();
                Err(e)
            }
        }
    }

    /// Starts a session for `actor` (login), or ends it (None).
    pub fn set_actor(&self, actor: Option<Actor>) -> CmdResult<()> {
        let now = self.now();
        let mut s = self.session.lock().map_err(|_| self.poisoned())?;
        *s = actor.map(|actor| Session {
            serial: self
                .logins
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            actor,
            started: now,
            last_seen: now,
        });
        Ok(())
    }

    /// Starts a new session for the same user after they changed their password, unless the
    /// session `serial` ended meanwhile (a logout is never undone).
    pub fn restart_session(&self, serial: u64, actor: Actor) -> CmdResult<()> {
        let ongoing = self
            .session
            .lock()
            .map_err(|_| self.poisoned())?
            .as_ref()
            .is_some_and(|s| s.serial == serial);
        if ongoing {
            self.set_actor(Some(actor))
        } else {
            Err(CmdError::unauthenticated(self.lang()))
        }
    }

    /// Runs a use case with the core, without a session (login, first run, verify).
    pub fn with_core<T>(
        &self,
        f: impl FnOnce(&mut Reopen, DateTime<Utc>) -> reopen_core::Result<T>,
    ) -> CmdResult<T> {
        let now = self.now();
        let backend = self.backend();
        let Backend::Local(core) = &*backend else {
            return Err(self.err(Error::internal(
                "a use case of the local database called in server mode",
            )));
        };
        let mut core = core.lock().map_err(|_| self.poisoned())?;
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

    /// The operation `make` builds from a file the user chose in the open dialog, read bounded
    /// by `limit` (see [`files::read_chosen`]). On the local database the session is checked
    /// first, so nothing is opened for a caller without one.
    pub fn call_with_file<O: Op>(
        &self,
        path: &str,
        limit: &Limit,
        make: impl FnOnce(Chosen) -> O,
    ) -> CmdResult<O::Output> {
        if self.is_local() {
            self.actor()?;
        }
        let file =
            files::read_chosen(std::path::Path::new(path), limit).map_err(|e| self.err(e))?;
        self.call(make(file))
    }

    /// The operation `op` that makes a file (an export, a workbook), written to `out`, chosen
    /// in the save dialog with one of the `allowed` extensions: the name is checked first, the
    /// file written after the use case. The size written is the result.
    pub fn call_to_file<O: Op>(
        &self,
        out: String,
        allowed: &[&str],
        op: O,
        bytes: impl FnOnce(O::Output) -> Vec<u8>,
    ) -> CmdResult<u64> {
        let target = Target::new(out, allowed).map_err(|e| self.err(e))?;
        let bytes = bytes(self.call(op)?);
        target.write(&bytes).map_err(|e| self.err(e))?;
        Ok(bytes.len() as u64)
    }

    /// A printed document written to `path` (.pdf). On the local database `local` runs the use
    /// case with the write inside its transaction, so the print is logged only once written. On
    /// a server, the server logs the print when it answers with the PDF and the file is written
    /// after: a failed write says so, and printing again is logged as the next copy (补打).
    pub fn print<O, R, T>(
        &self,
        path: String,
        op: O,
        local: impl FnOnce(
            &mut Reopen,
            &Actor,
            DateTime<Utc>,
            &DocFonts,
            &Target,
        ) -> reopen_core::Result<T>,
        remote: impl FnOnce(R, usize) -> T,
    ) -> CmdResult<T>
    where
        O: Op<Output = reopen_core::api::Printed<R>>,
    {
        let target = Target::new(path, files::PDF).map_err(|e| self.err(e))?;
        if self.is_local() {
            let actor = self.actor()?;
            let fonts = self.fonts()?;
            return self.with_core(|c, now| local(c, &actor, now, fonts, &target));
        }
        let printed = self.call(op)?;
        let size = printed.pdf.0.len();
        target.write(&printed.pdf.0).map_err(|e| {
            let mut e = self.err(e);
            e.message = match self.lang() {
                Lang::Zh => format!("{}（服务器已记录此次打印；再次打印将记为补打）", e.message),
                Lang::En => format!(
                    "{} (the server logged this print; printing again is logged as a reprint)",
                    e.message
                ),
            };
            e
        })?;
        Ok(remote(printed.record, size))
    }

    /// The documents' fonts, parsed once on first use.
    pub fn doc_fonts(&self) -> reopen_core::Result<&DocFonts> {
        if let Some(f) = self.fonts.get() {
            return Ok(f);
        }
        let f = DocFonts::load()?;
        Ok(self.fonts.get_or_init(|| f))
    }

    pub fn fonts(&self) -> CmdResult<&DocFonts> {
        self.doc_fonts().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap()
    }

    #[test]
    fn the_training_clock_runs_on_from_its_start() {
        let clock = Clock::training(start());
        let a = clock.now();
        std::thread::sleep(Duration::from_millis(20));
        let b = clock.now();
        assert!(a >= start());
        assert!(b - a >= chrono::Duration::milliseconds(20), "{a} {b}");
        assert!(b - start() < chrono::Duration::minutes(1));
        assert!(clock.is_training());
        assert!(!Clock::system().is_training());
    }

    /// A user changed their password in an earlier run, a few minutes after REOPEN_NOW: the next
    /// run's clock starts after that change, so their new session is not ended at once.
    #[test]
    fn a_later_run_resumes_the_training_clock_after_the_last_recorded_event() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let mut core = Reopen::open(&db).unwrap();
        assert_eq!(training_start(&core, start()).unwrap(), start());
        core.init(Some(("admin", "Passw0rd-x")), start()).unwrap();
        let admin = core.login("admin", "Passw0rd-x", start()).unwrap();
        let changed = start() + chrono::Duration::minutes(4);
        core.user_password(&admin, "admin", Some("Changed-Passw0rd-2"), changed)
            .unwrap();
        let resumed = training_start(&core, start()).unwrap();
        assert_eq!(resumed, changed);
        // A later REOPEN_NOW stands.
        let later = start() + chrono::Duration::days(1);
        assert_eq!(training_start(&core, later).unwrap(), later);

        let admin = core.login("admin", "Changed-Passw0rd-2", changed).unwrap();
        let state = AppState::new(core, db.clone(), Some(resumed));
        state.set_actor(Some(admin.clone())).unwrap();
        assert_eq!(state.actor().unwrap().name, "admin");
        // Started again at REOPEN_NOW itself, the same login would end at its first command.
        let state = AppState::new(Reopen::open(&db).unwrap(), db, Some(start()));
        state.set_actor(Some(admin)).unwrap();
        assert_eq!(state.actor().unwrap_err().code, "unauthenticated");
    }

    /// A session left idle in training mode ends, as it does with the system clock.
    #[test]
    fn an_idle_training_session_ends() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let mut core = Reopen::open(&db).unwrap();
        core.init(Some(("admin", "Passw0rd-x")), start()).unwrap();
        let admin = core.login("admin", "Passw0rd-x", start()).unwrap();
        let idle = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let secs = idle.clone();
        let state = AppState::new(core, db, None).with_clock(Clock::training_with(start(), {
            move || Duration::from_secs(secs.load(std::sync::atomic::Ordering::SeqCst))
        }));
        state.set_actor(Some(admin)).unwrap();
        idle.store(29 * 60, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(state.actor().unwrap().name, "admin");
        // 29 minutes later, then 31 minutes without a call.
        idle.store(60 * 60, std::sync::atomic::Ordering::SeqCst);
        let e = state.actor().unwrap_err();
        assert_eq!(e.code, "unauthenticated");
        assert!(e.message.contains("30 分钟"), "{}", e.message);
        assert!(state.session.lock().unwrap().is_none());
    }
}

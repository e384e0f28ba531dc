//! Where a command runs: on a database here (`--db`, a file or a PostgreSQL URL) or through a
//! server (`--server`). The one place where local and remote differ: every user command calls
//! [`Ctx::call`] with an operation of the core's list, which runs it on the local core or sends
//! it to the server, with the same answer and the same errors (so the same output and exit code).

use reopen_client::Remote;
use reopen_core::api::Op;
use reopen_core::domain::auth::Actor;
use reopen_core::error::Error;
use reopen_core::{t, Reopen};

use chrono::{DateTime, Utc};

use crate::env_password;

pub(crate) enum Backend {
    Local(Box<Reopen>),
    Remote(Box<Remote>),
}

pub(crate) struct Ctx {
    pub(crate) backend: Backend,
    user: Option<String>,
    pub(crate) now: DateTime<Utc>,
    /// The remote session's user, once logged in (one login per command).
    remote_actor: Option<Actor>,
}

impl Ctx {
    pub(crate) fn new(backend: Backend, user: Option<String>, now: DateTime<Utc>) -> Ctx {
        Ctx {
            backend,
            user,
            now,
            remote_actor: None,
        }
    }

    /// The database here, for what runs only on one (init, backup, restore, sealing, migrate,
    /// printing straight into a file); through a server such a command is refused.
    pub(crate) fn local(&mut self) -> Result<&mut Reopen, Error> {
        match &mut self.backend {
            Backend::Local(core) => Ok(core),
            Backend::Remote(_) => Err(Error::field(
                "server",
                t!(
                    "此命令只在本机数据库上运行，不能通过 --server 使用",
                    "this command runs on a database here only, not through --server"
                ),
            )),
        }
    }

    fn credentials(&self) -> Result<(String, String), Error> {
        let Some(name) = self.user.clone() else {
            return Err(Error::field(
                "user",
                t!(
                    "此命令需要 --user 用户名（密码通过环境变量 REOPEN_PASSWORD 提供）",
                    "this command needs --user NAME (password in REOPEN_PASSWORD)"
                ),
            ));
        };
        let Some(pw) = env_password("REOPEN_PASSWORD") else {
            return Err(Error::field(
                "REOPEN_PASSWORD",
                t!(
                    "请通过环境变量 REOPEN_PASSWORD 提供密码",
                    "give the password in env REOPEN_PASSWORD"
                ),
            ));
        };
        Ok((name, pw))
    }

    /// Logs the `--user` in. A user who must change the password may only do that.
    pub(crate) fn actor(&mut self, changing_password: bool) -> Result<Actor, Error> {
        let (name, pw) = self.credentials()?;
        let actor = match &mut self.backend {
            Backend::Local(core) => {
                if !core.is_initialised()? {
                    return Err(Error::not_found(t!(
                        "数据库尚未初始化，请先运行 reopen init --admin 用户名",
                        "the database is not initialised: run reopen init --admin NAME first"
                    )));
                }
                // Authenticates this one call: its changes are audited under the user's name.
                core.authenticate(&name, &pw, self.now)?
            }
            Backend::Remote(remote) => match &self.remote_actor {
                Some(a) => a.clone(),
                None => {
                    let a = remote.login(&name, &pw)?;
                    self.remote_actor = Some(a.clone());
                    a
                }
            },
        };
        if actor.must_change_password && !changing_password {
            return Err(Error::forbidden(t!(
                format!("首次登录须先修改初始密码：REOPEN_NEW_PASSWORD=… reopen user password {name}"),
                format!("change the initial password first: REOPEN_NEW_PASSWORD=… reopen user password {name}")
            )));
        }
        Ok(actor)
    }

    /// Runs one operation as the `--user`, here or through the server.
    pub(crate) fn call<O: Op>(&mut self, op: O) -> Result<O::Output, Error> {
        let actor = self.actor(O::BEFORE_PASSWORD_CHANGE)?;
        match &mut self.backend {
            Backend::Local(core) => op.run(core, &actor, self.now),
            Backend::Remote(remote) => remote.call(&op),
        }
    }

    /// Ends the remote session, if one was opened.
    pub(crate) fn finish(&mut self) {
        if let Backend::Remote(remote) = &mut self.backend {
            let _ = remote.logout();
        }
    }
}

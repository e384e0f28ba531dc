//! `reopen serve`: the same use cases as the desktop app, over HTTPS, for a city whose
//! departments, service halls and leaders work on one PostgreSQL database from their own PCs.
//!
//! The list of operations is the core's ([`reopen_core::api`]): `POST /api/v1/op/NAME` with the
//! request as JSON runs it as the session's user. Sessions live in the database, so several
//! servers behind one address share them. Each request runs on a blocking thread with a
//! database connection of the pool; a slow request never holds up the others.

mod clock;
mod http;
mod page;
mod plain;
mod pool;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reopen_core::error::{Error, Result};
use reopen_core::t;

pub use clock::Clock;

/// How a server is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database: a PostgreSQL URL (or, for a try on one PC, a SQLite file).
    pub db: String,
    /// The key directory (certificate signing, audit and roster keys), shared by every server of
    /// the same database.
    pub keys: PathBuf,
    pub listen: SocketAddr,
    /// The certificate and key (PEM); None: a self-signed pair kept in `<keys>/tls/`.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Database connections, so requests at once (the rest wait for one).
    pub connections: usize,
    /// REOPEN_NOW: the training clock's start (None: the system clock).
    pub training: Option<DateTime<Utc>>,
    /// How long in-flight requests may finish after SIGTERM before they are cut.
    pub grace: Duration,
    /// The address the public reaches this server at (`https://yaan.example`): printed QR codes
    /// then open its check page (`/v`) on a phone. None: QR codes carry the payload alone.
    pub public_url: Option<String>,
}

/// What a started server tells its operator.
#[derive(Debug, Clone)]
pub struct Started {
    /// The address it listens on (the port chosen when the configuration said 0).
    pub addr: SocketAddr,
    /// The SHA-256 fingerprint of its certificate, as clients pin it.
    pub fingerprint: String,
    /// Where the self-signed certificate was written, when one was made at this start.
    pub created_certificate: Option<PathBuf>,
}

/// Runs the server until SIGTERM or Ctrl-C: then it stops accepting, lets in-flight requests
/// finish (at most `grace`), and returns. `started` is told once it listens.
pub fn run(cfg: Config, started: impl FnOnce(&Started)) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cfg.connections.max(1) + 4)
        .build()
        .map_err(|e| Error::internal(format!("runtime: {e}")))?;
    rt.block_on(serve(cfg, started))
}

async fn serve(cfg: Config, started: impl FnOnce(&Started)) -> Result<()> {
    let tls = match &cfg.tls {
        Some((cert, key)) => tls::Identity::load(cert, key)?,
        None => tls::Identity::self_signed(&cfg.keys.join("tls"))?,
    };
    let address = cfg
        .public_url
        .as_deref()
        .map(|u| format!("{}/v", u.trim_end_matches('/')));
    let pool = Arc::new(pool::Pool::open(&cfg.db, &cfg.keys, cfg.connections, address).await?);
    let clock = match cfg.training {
        // As the desktop app does: from REOPEN_NOW, or from the last recorded event if later
        // (starting before it would date new records before old ones, and end at once the
        // sessions of users whose password an earlier run changed).
        Some(start) => {
            let last = pool.run(|core| core.last_recorded_at()).await?;
            Clock::training(last.map_or(start, |at| at.max(start)))
        }
        None => Clock::system(),
    };
    let state = http::State::new(pool, clock);
    let app = http::router(state);
    let listener = std::net::TcpListener::bind(cfg.listen).map_err(|e| {
        Error::field(
            "listen",
            t!(
                format!("无法监听 {}：{e}", cfg.listen),
                format!("cannot listen on {}: {e}", cfg.listen)
            ),
        )
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::internal(format!("listen: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("listen: {e}")))?;
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    let grace = cfg.grace;
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping: in-flight requests finish, new ones are refused");
        shutdown.graceful_shutdown(Some(grace));
    });
    let rustls = axum_server::tls_rustls::RustlsConfig::from_config(tls.server_config()?);
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls)
        .handshake_timeout(Duration::from_secs(15))
        .acceptor(plain::RefusePlainHttp);
    let mut server = axum_server::from_tcp(listener)
        .map_err(|e| Error::internal(format!("listen: {e}")))?
        .acceptor(acceptor)
        .handle(handle);
    server
        .http_builder()
        .http1()
        .timer(hyper_util_timer())
        .header_read_timeout(Duration::from_secs(15));
    started(&Started {
        addr,
        fingerprint: tls.fingerprint(),
        created_certificate: tls.created.clone(),
    });
    tracing::info!(%addr, "listening");
    server
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(|e| Error::internal(format!("server: {e}")))
}

fn hyper_util_timer() -> hyper_util::rt::TokioTimer {
    hyper_util::rt::TokioTimer::new()
}

/// SIGTERM (systemd's stop) or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

//! The cores of a server: one database connection each, at most `size` in use at once, each
//! request on a blocking thread. A connection the database closed (a restart) is dropped and a
//! new one opened at the next request, so the server recovers without a restart of its own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reopen_core::documents::DocFonts;
use reopen_core::error::{Error, Result};
use reopen_core::Reopen;
use tokio::sync::Semaphore;

pub struct Pool {
    db: String,
    keys: PathBuf,
    idle: Mutex<Vec<Reopen>>,
    permits: Arc<Semaphore>,
    /// The documents' fonts, parsed once and shared by every core.
    fonts: Arc<DocFonts>,
    /// The public check page, for the QR codes printed here.
    address: Option<String>,
}

impl Pool {
    /// Opens the first connection at once (so a wrong URL, a wrong password or a database of
    /// another schema stops the server at its start, with the core's clear error).
    pub async fn open(db: &str, keys: &Path, size: usize, address: Option<String>) -> Result<Pool> {
        let (db, keys) = (db.to_string(), keys.to_path_buf());
        let (first, fonts) = tokio::task::spawn_blocking({
            let (db, keys, address) = (db.clone(), keys.clone(), address.clone());
            move || -> Result<(Reopen, Arc<DocFonts>)> {
                let mut core = Reopen::open_db(&db, &keys)?;
                let fonts = Arc::new(DocFonts::load()?);
                core.share_doc_fonts(fonts.clone());
                core.set_verification_address(address);
                Ok((core, fonts))
            }
        })
        .await
        .map_err(|e| Error::internal(format!("pool: {e}")))??;
        Ok(Pool {
            db,
            keys,
            idle: Mutex::new(vec![first]),
            permits: Arc::new(Semaphore::new(size.max(1))),
            fonts,
            address,
        })
    }

    /// Runs `f` with a core on a blocking thread, once a connection is free.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Reopen) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::internal(format!("pool: {e}")))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut core = pool.take()?;
            let out = f(&mut core);
            pool.give(core);
            out
        })
        .await
        .map_err(|e| Error::internal(format!("request: {e}")))?
    }

    fn take(&self) -> Result<Reopen> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        match idle {
            Some(core) => Ok(core),
            None => {
                let mut core = Reopen::open_db(&self.db, &self.keys)?;
                core.share_doc_fonts(self.fonts.clone());
                core.set_verification_address(self.address.clone());
                Ok(core)
            }
        }
    }

    fn give(&self, core: Reopen) {
        if core.is_closed() {
            tracing::warn!("a database connection was lost: a new one opens at the next request");
            return;
        }
        if let Ok(mut v) = self.idle.lock() {
            v.push(core);
        }
    }
}

impl Drop for Pool {
    /// The cores close their connections on a thread of their own: a PostgreSQL client blocks
    /// on its own runtime when dropped, which a thread of the server's runtime may not do.
    fn drop(&mut self) {
        let cores = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        if !cores.is_empty() {
            let _ = std::thread::spawn(move || drop(cores)).join();
        }
    }
}

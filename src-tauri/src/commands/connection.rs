//! Where the app's data lives: the embedded database on this PC (本机数据库) or a city's server
//! (连接服务器), chosen on the first-run and login screens and remembered beside the database.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use reopen_client::{Remote, Trust};
use reopen_core::error::{Error, Lang};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::session::{info, AppInfo};
use crate::error::CmdResult;
use crate::state::{Backend, Shared};

/// What a server shows before the app trusts it: its certificate's fingerprint, and the one this
/// PC remembered for the same address (None: never connected before).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ServerProbe {
    pub url: String,
    pub fingerprint: String,
    pub remembered: Option<String>,
}

/// The choice remembered beside the embedded database: `connection.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The server's address; none: this PC's own database.
    #[serde(default)]
    pub server: Option<String>,
}

impl Settings {
    fn file(db_path: &Path) -> PathBuf {
        db_path.with_file_name("connection.json")
    }

    /// The servers this PC trusts, by fingerprint (`host:port FINGERPRINT` per line).
    pub fn known_servers(db_path: &Path) -> PathBuf {
        db_path.with_file_name("known_servers")
    }

    /// The remembered choice; none (or one this version cannot read) is the local database.
    pub fn load(db_path: &Path) -> Settings {
        std::fs::read(Settings::file(db_path))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Written whole (a temporary file renamed over the old one).
    pub fn save(&self, db_path: &Path) -> reopen_core::Result<()> {
        let file = Settings::file(db_path);
        let fail = |e: &dyn std::fmt::Display| {
            Error::internal(format!("cannot save {}: {e}", file.display()))
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
        serde_json::to_writer_pretty(&mut tmp, self).map_err(|e| fail(&e))?;
        tmp.as_file().sync_all().map_err(|e| fail(&e))?;
        tmp.persist(&file).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

/// The server at `url` as this PC trusts it: by the fingerprint remembered for it.
pub fn server_backend(db_path: &Path, url: &str, lang: Lang) -> reopen_core::Result<Backend> {
    let known = Settings::known_servers(db_path);
    let fingerprint = reopen_client::remembered_fingerprint(&known, url)?;
    let remote = Remote::new(url, Trust::KnownServers(known), lang)?;
    Ok(Backend::Server {
        url: url.trim().trim_end_matches('/').to_string(),
        fingerprint,
        remote: RwLock::new(remote),
    })
}

/// Reads the certificate's fingerprint of the server at `url` without trusting it, and the one
/// this PC remembered for it: the screen shows the first for a person to check, or warns when the
/// two differ.
#[tauri::command]
pub async fn server_probe(state: State<'_, Shared>, url: String) -> CmdResult<ServerProbe> {
    state
        .run(move |s| {
            let url = checked_url(&url).map_err(|e| s.err(e))?;
            let fingerprint = reopen_client::probe(&url, s.lang()).map_err(|e| s.err(e))?;
            let remembered =
                reopen_client::remembered_fingerprint(&Settings::known_servers(&s.db_path), &url)
                    .map_err(|e| s.err(e))?;
            Ok(ServerProbe {
                url,
                fingerprint,
                remembered,
            })
        })
        .await
}

/// Trusts the server at `url` by `fingerprint` (remembered on this PC), checks it answers with
/// that certificate, and works on it from now on (also at the next start). Any session ends.
#[tauri::command]
pub async fn connect_server(
    state: State<'_, Shared>,
    url: String,
    fingerprint: String,
) -> CmdResult<AppInfo> {
    state
        .run(move |s| {
            let url = checked_url(&url).map_err(|e| s.err(e))?;
            let pinned = Remote::new(&url, Trust::Fingerprint(fingerprint.clone()), s.lang())
                .map_err(|e| s.err(e))?;
            pinned.health().map_err(|e| s.err(e))?;
            let known = Settings::known_servers(&s.db_path);
            reopen_client::remember_fingerprint(&known, &url, &fingerprint)
                .map_err(|e| s.err(e))?;
            let backend = server_backend(&s.db_path, &url, s.lang()).map_err(|e| s.err(e))?;
            s.switch(backend)?;
            Settings { server: Some(url) }
                .save(&s.db_path)
                .map_err(|e| s.err(e))?;
            info(s)
        })
        .await
}

/// Works on this PC's embedded database from now on (also at the next start).
#[tauri::command]
pub async fn connect_local(state: State<'_, Shared>) -> CmdResult<AppInfo> {
    state
        .run(move |s| {
            if !s.is_local() {
                let core = crate::open_db(&s.db_path)
                    .map_err(|e| s.err(Error::unavailable(reopen_core::t!(e.clone(), e))))?;
                s.switch(Backend::Local(std::sync::Mutex::new(core)))?;
            }
            Settings::default().save(&s.db_path).map_err(|e| s.err(e))?;
            info(s)
        })
        .await
}

/// An address the server can be at: `https://` and a host, with or without a port.
fn checked_url(url: &str) -> reopen_core::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let host = url.strip_prefix("https://").unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Error::field(
            "server",
            reopen_core::t!(
                "请填写服务器地址，以 https:// 开头，如 https://10.1.2.3:8443",
                "give the server's address starting with https://, e.g. https://10.1.2.3:8443"
            ),
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_choice_is_remembered_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("reopen.db");
        assert_eq!(Settings::load(&db), Settings::default());
        let s = Settings {
            server: Some("https://10.1.2.3:8443".into()),
        };
        s.save(&db).unwrap();
        assert_eq!(Settings::load(&db), s);
        // A file this version cannot read is the local database, not a failure to start.
        std::fs::write(dir.path().join("connection.json"), b"{oops").unwrap();
        assert_eq!(Settings::load(&db), Settings::default());
    }

    #[test]
    fn an_address_needs_https_and_a_host() {
        assert_eq!(
            checked_url(" https://10.1.2.3:8443/ ").unwrap(),
            "https://10.1.2.3:8443"
        );
        for bad in [
            "",
            "http://10.1.2.3",
            "https://",
            "10.1.2.3:8443",
            "https://a b",
        ] {
            let e = checked_url(bad).unwrap_err();
            assert_eq!(e.fields[0].field, "server", "{bad}");
        }
    }
}

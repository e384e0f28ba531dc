//! Where the app's data lives: the embedded database on this PC (本机数据库) or a city's server
//! (连接服务器), chosen on the first-run and login screens and remembered beside the database.

use serde::Serialize;

/// What a server shows before the app trusts it: its certificate's fingerprint, and the one this
/// PC remembered for the same address (None: never connected before).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ServerProbe {
    pub url: String,
    pub fingerprint: String,
    pub remembered: Option<String>,
}

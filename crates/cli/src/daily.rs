//! `reopen daily file` / `daily status`: daily reports after reopening.

use std::path::PathBuf;

use clap::Subcommand;
use reopen_core::error::Error;
use reopen_core::t;

use crate::output::Out;
use crate::Ctx;

#[derive(Subcommand)]
pub enum DailyCmd {
    /// File the firm's report for a day (report.json)
    File {
        credit_code: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Compliance for a day: on time, late, missing
    Status {
        #[arg(long)]
        date: Option<String>,
    },
}

pub fn run(_cx: &mut Ctx, _c: DailyCmd, _out: &mut Out) -> Result<(), Error> {
    Err(Error::internal(t!("尚未实现", "not implemented yet")))
}

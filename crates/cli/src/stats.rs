//! `reopen stats`: statistics for a day or a range, optionally as an .xlsx.

use std::path::PathBuf;

use clap::Args;
use reopen_core::error::Error;
use reopen_core::t;

use crate::output::Out;
use crate::Ctx;

#[derive(Args)]
pub struct StatsArgs {
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
    /// division|industry|category
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
}

pub fn run(_cx: &mut Ctx, _a: StatsArgs, _out: &mut Out) -> Result<(), Error> {
    Err(Error::internal(t!("尚未实现", "not implemented yet")))
}

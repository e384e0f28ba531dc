//! `reopen firm …`: firms.

use std::path::PathBuf;

use clap::Subcommand;
use reopen_core::api;
use reopen_core::error::Error;

use crate::ctx::Ctx;
use crate::output::Out;
use crate::{read_json, Page};

#[derive(Subcommand)]
pub enum FirmCmd {
    Register {
        #[arg(long)]
        file: PathBuf,
    },
    Update {
        credit_code: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        expect_version: Option<i64>,
    },
    Show {
        credit_code: String,
    },
    List {
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        page: Page,
    },
}

pub fn run(cx: &mut Ctx, c: FirmCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        FirmCmd::Register { file } => {
            let firm = read_json(&file)?;
            let f = cx.call(api::FirmRegister { firm })?;
            out.firm(&f)
        }
        FirmCmd::Update {
            credit_code,
            file,
            expect_version,
        } => {
            let firm = read_json(&file)?;
            let f = cx.call(api::FirmUpdate {
                credit_code,
                firm,
                expect_version,
            })?;
            out.firm(&f)
        }
        FirmCmd::Show { credit_code } => {
            let f = cx.call(api::FirmShow { credit_code })?;
            out.firm(&f)
        }
        FirmCmd::List {
            division,
            search,
            page,
        } => {
            let r = cx.call(api::FirmList {
                division,
                search,
                limit: page.limit,
                offset: page.offset,
            })?;
            out.table(
                &r,
                &[
                    "credit_code",
                    "name",
                    "division",
                    "industry",
                    "staff_total",
                    "has_warnings",
                ],
            )
        }
    }
}

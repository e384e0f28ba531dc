//! `reopen review …`: the reviewer's queue and decisions.

use clap::Subcommand;
use reopen_core::api;
use reopen_core::error::Error;
use reopen_core::service::{Decision, QueueFilter};

use crate::ctx::Ctx;
use crate::output::Out;
use crate::Page;

#[derive(Subcommand)]
pub enum ReviewCmd {
    Queue {
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        green: bool,
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        page: Page,
    },
    #[command(group(clap::ArgGroup::new("verdict").required(true).multiple(false)))]
    Decide {
        id: i64,
        #[arg(long, group = "verdict")]
        approve: bool,
        #[arg(long, group = "verdict")]
        reject: bool,
        #[arg(long = "return", group = "verdict")]
        return_: bool,
        #[arg(long)]
        opinion: String,
        #[arg(long)]
        headcount: Option<i64>,
        #[arg(long)]
        conditions: Option<String>,
        #[arg(long)]
        expect_version: Option<i64>,
    },
}

pub fn run(cx: &mut Ctx, c: ReviewCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        ReviewCmd::Queue {
            pending,
            overdue,
            green,
            category,
            page,
        } => {
            let filter = QueueFilter {
                pending: pending.then_some(true),
                category,
                overdue: overdue.then_some(true),
                green_channel: green.then_some(true),
                limit: page.limit,
                offset: page.offset,
            };
            let r = cx.call(api::ReviewQueue { filter })?;
            // Flagged daily reports come first on screen; the JSON stays the queue's array.
            if !out.json && page.offset.unwrap_or(0) == 0 {
                out.daily_flags(&cx.call(api::DailyFlags {})?);
            }
            out.queue(&r)
        }
        ReviewCmd::Decide {
            id,
            approve,
            reject,
            return_: _,
            opinion,
            headcount,
            conditions,
            expect_version,
        } => {
            let verdict = if approve {
                "approve"
            } else if reject {
                "reject"
            } else {
                "return"
            };
            let decision = Decision {
                verdict: verdict.into(),
                opinion,
                headcount,
                conditions,
                expect_version,
            };
            let app = cx.call(api::ReviewDecide { id, decision })?;
            out.app(&app)
        }
    }
}

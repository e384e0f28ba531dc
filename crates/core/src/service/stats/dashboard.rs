//! The leader's dashboard: counts by state, jurisdiction, industry section and category, the daily
//! trend of submissions and decisions, and the overdue list.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Dashboard, DayPoint};
use crate::domain::auth::{Actor, Role, Scope};
use crate::domain::workflow::{AppState, TaskState};
use crate::error::{Error, Result};
use crate::service::{local_date, shanghai_midnight, Reopen};
use crate::store::stats::{self as store, Grouping};
use crate::store::Db;
use crate::t;

/// The overdue list shows at most this many stages, oldest first.
const OVERDUE_SHOWN: u32 = 100;

impl Reopen {
    /// For leaders (their jurisdiction; the city's see all), clerks and the administrator.
    /// `from`/`to` bound the trend (default: the last 14 days to today, Asia/Shanghai).
    pub fn dashboard(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Dashboard> {
        actor.require(
            &[Role::Leader, Role::Clerk, Role::Admin],
            &t!("查看统计", "read statistics"),
        )?;
        let to = to.unwrap_or_else(|| local_date(now));
        let from = from.unwrap_or(to - Duration::days(13));
        if from > to || (to - from).num_days() > 366 {
            return Err(Error::field(
                "from",
                t!(
                    "统计区间应在一年以内且起始不晚于结束",
                    "the range must be at most a year, from before to"
                ),
            ));
        }
        let scope = actor.scope();
        let policy = self.policy()?;
        let db = self.db();
        let mut by_state = store::counts(db, &scope, Grouping::State)?;
        for c in &mut by_state {
            if let Some(st) = AppState::parse(&c.key) {
                c.label = st.zh().to_string();
            }
        }
        let mut by_category = store::counts(db, &scope, Grouping::Category)?;
        for c in &mut by_category {
            if let Some(zh) = policy.categories.get(&c.key) {
                c.label = zh.clone();
            }
        }
        Ok(Dashboard {
            from,
            to,
            by_state,
            by_division: store::counts(db, &scope, Grouping::Division)?,
            by_section: store::counts(db, &scope, Grouping::Section)?,
            by_category,
            trend: trend(db, &scope, from, to)?,
            overdue: store::overdue_tasks(db, &scope, now, OVERDUE_SHOWN)?,
            approved_headcount: store::approved_headcount(db, &scope)?,
        })
    }
}

/// Each local day of `from..=to`: submissions, approvals (by the day they were given, including
/// those revoked since), rejections and returns. The range is given as UTC bounds (an index
/// serves them) and each row is grouped by its local day.
fn trend(db: Db<'_>, scope: &Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayPoint>> {
    let (lo, hi) = (
        shanghai_midnight(from),
        shanghai_midnight(to + Duration::days(1)),
    );
    let submitted = store::submitted_by_day(db, scope, lo, hi)?;
    let approved = store::approved_by_day(db, scope, lo, hi)?;
    let rejected = store::verdicts_by_day(db, scope, lo, hi, TaskState::Rejected)?;
    let returned = store::verdicts_by_day(db, scope, lo, hi, TaskState::Returned)?;
    let mut trend = Vec::new();
    let mut d = from;
    while d <= to {
        let n = |m: &HashMap<NaiveDate, i64>| m.get(&d).copied().unwrap_or(0);
        trend.push(DayPoint {
            date: d,
            submitted: n(&submitted),
            approved: n(&approved),
            rejected: n(&rejected),
            returned: n(&returned),
        });
        d += Duration::days(1);
    }
    Ok(trend)
}

//! Statistics for a day or a range (`reopen stats`, the leading group's daily bulletin): one
//! pass over the applications in scope, grouped counts of submissions, decisions and firms, and
//! the daily reports expected from every reopened firm.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Dim, RatePoint, Stats, StatsQuery, StatsRow, SECTION_NAMES};
use crate::domain::auth::{Actor, Role, Scope, CITY};
use crate::domain::policy::Policy;
use crate::domain::workflow::{AppState, TaskState};
use crate::error::Result;
use crate::service::{local_date, shanghai_midnight, ts, ComplianceCounts, Reopen};
use crate::store::stats as store;
use crate::store::Db;
use crate::t;

type Keyed = HashMap<Vec<String>, i64>;

fn bump(m: &mut Keyed, k: &[String], n: i64) {
    if let Some(v) = m.get_mut(k) {
        *v += n;
    } else {
        m.insert(k.to_vec(), n);
    }
}

/// The local days asked for, as UTC bounds (`lo` the first day's start, `hi` the start of the
/// day after the last) in the text timestamps are stored as, and the moment asked at.
struct Range {
    from: NaiveDate,
    to: NaiveDate,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    lo_text: String,
    hi_text: String,
    now: DateTime<Utc>,
}

impl Range {
    fn new(from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> Range {
        let lo = shanghai_midnight(from);
        let hi = shanghai_midnight(to + Duration::days(1));
        Range {
            from,
            to,
            lo,
            hi,
            lo_text: ts(lo),
            hi_text: ts(hi),
            now,
        }
    }
}

/// A group's key as shown: the industry's two-digit division becomes its section.
struct Keys<'a> {
    by: &'a [Dim],
    sections: HashMap<String, String>,
}

impl Keys<'_> {
    fn of(&self, mut raw: Vec<String>) -> Vec<String> {
        for (v, d) in raw.iter_mut().zip(self.by) {
            if *d == Dim::Industry {
                if let Some(s) = self.sections.get(v.as_str()) {
                    *v = s.clone();
                }
            }
        }
        raw
    }

    fn grouped(&self, rows: Vec<(Vec<String>, i64)>) -> Keyed {
        let mut m = Keyed::new();
        for (k, n) in rows {
            bump(&mut m, &self.of(k), n);
        }
        m
    }
}

/// What the one pass over the applications gives.
#[derive(Default)]
struct AppFigures {
    approved: Keyed,
    pending: Keyed,
    overdue: Keyed,
    reopened: Keyed,
    headcount: Keyed,
    key_area: Keyed,
    observed: Keyed,
    /// Every application reopened by the range's end: its group, firm and reopening day.
    reopened_apps: Vec<(Vec<String>, i64, NaiveDate)>,
}

/// One pass over the applications in scope, read from one covering index.
fn application_figures(
    db: Db<'_>,
    scope: &Scope,
    keys: &Keys<'_>,
    r: &Range,
) -> Result<AppFigures> {
    let late = store::late_applications(db, r.now)?;
    let mut f = AppFigures::default();
    store::each_application(db, scope, keys.by, |mut a| {
        let k = keys.of(std::mem::take(&mut a.keys));
        let decided = a.decided_at.as_deref();
        if decided.is_some_and(|d| d >= r.lo_text.as_str() && d < r.hi_text.as_str()) {
            bump(&mut f.approved, &k, 1);
        }
        if a.state == AppState::InReview {
            bump(&mut f.pending, &k, 1);
            if late.contains(&a.id) {
                bump(&mut f.overdue, &k, 1);
            }
        }
        let live = matches!(a.state, AppState::Approved | AppState::Certified);
        if !live {
            return Ok(());
        }
        if decided.is_some_and(|d| d < r.hi_text.as_str()) {
            bump(&mut f.headcount, &k, a.approved_headcount.unwrap_or(0));
            bump(&mut f.key_area, &k, a.key_area.unwrap_or(0));
            bump(&mut f.observed, &k, a.under_observation.unwrap_or(0));
        }
        if let Some(on) = a.reopened_on()?.filter(|d| *d <= r.to) {
            bump(&mut f.reopened, &k, 1);
            f.reopened_apps.push((k, a.firm_id, on));
        }
        Ok(())
    })?;
    Ok(f)
}

/// Submissions rejected and returned in the range, by group.
fn verdicts(db: Db<'_>, scope: &Scope, keys: &Keys<'_>, r: &Range) -> Result<(Keyed, Keyed)> {
    let (mut rejected, mut returned) = (Keyed::new(), Keyed::new());
    for (k, state, n) in store::verdicts_by(db, scope, keys.by, r.lo, r.hi)? {
        let m = match state {
            TaskState::Rejected => &mut rejected,
            _ => &mut returned,
        };
        bump(m, &keys.of(k), n);
    }
    Ok((rejected, returned))
}

/// The daily reports expected over the range from every reopened firm, by group.
fn report_counts(
    db: Db<'_>,
    reopened_apps: &[(Vec<String>, i64, NaiveDate)],
    r: &Range,
    policy: &Policy,
) -> Result<HashMap<Vec<String>, ComplianceCounts>> {
    let filed: HashMap<(i64, NaiveDate), DateTime<Utc>> =
        crate::store::daily::filed_in_range(db, r.from, r.to)?
            .into_iter()
            .map(|(firm, day, at)| ((firm, day), at))
            .collect();
    let mut reports: HashMap<Vec<String>, ComplianceCounts> = HashMap::new();
    for (k, firm, reopened_on) in reopened_apps {
        let c = reports.entry(k.clone()).or_default();
        let mut d = (*reopened_on).max(r.from);
        while d <= r.to {
            let filed_at = filed.get(&(*firm, d)).copied();
            c.add(crate::domain::daily::status(
                d,
                filed_at,
                r.now,
                &policy.daily_report,
            ));
            d += Duration::days(1);
        }
    }
    Ok(reports)
}

/// The reopening rate at the end of each day, as 复工率 is read: firms reopened by the end of
/// each day, out of all the firms registered by the end of the range (one denominator, so the
/// curve shows reopening, not registration).
fn rate(mut reopen_days: Vec<NaiveDate>, firms_total: i64, r: &Range) -> Vec<RatePoint> {
    reopen_days.sort_unstable();
    let mut rate = Vec::new();
    let mut d = r.from;
    while d <= r.to {
        let reopened = reopen_days.partition_point(|x| *x <= d) as i64;
        rate.push(RatePoint {
            date: d,
            firms: firms_total,
            reopened,
            rate: if firms_total == 0 {
                0.0
            } else {
                (reopened as f64 / firms_total as f64).min(1.0)
            },
        });
        d += Duration::days(1);
    }
    rate
}

/// The query checked: the range (default: today) and the dimensions (default: by county).
fn checked(q: &StatsQuery, now: DateTime<Utc>) -> Result<(NaiveDate, NaiveDate, Vec<Dim>)> {
    let to = q.to.unwrap_or_else(|| local_date(now));
    let from = q.from.unwrap_or(to);
    let mut p = crate::error::Problems::new();
    if from > to || (to - from).num_days() > 366 {
        p.add(
            "from",
            t!(
                "统计区间应在一年以内且起始不晚于结束",
                "the range must be at most a year, from before to"
            ),
        );
    }
    if to > local_date(now) {
        p.add(
            "to",
            t!(
                "统计截止日期不能晚于今天",
                "the range must not end after today"
            ),
        );
    }
    let mut by = q.by.clone();
    if by.is_empty() {
        by.push(Dim::Division);
    }
    if by.len() > 2 || (by.len() == 2 && by[0] == by[1]) {
        p.add(
            "by",
            t!(
                "最多按两个不同维度分组（如 division,industry）",
                "group by at most two different dimensions (such as division,industry)"
            ),
        );
    }
    p.into_result()?;
    Ok((from, to, by))
}

/// Every figure of every group, before labels.
struct Figures {
    apps: AppFigures,
    submitted: Keyed,
    rejected: Keyed,
    returned: Keyed,
    firms: Keyed,
    reports: HashMap<Vec<String>, ComplianceCounts>,
}

impl Figures {
    /// The groups that have any figure.
    fn keys(&self) -> BTreeSet<Vec<String>> {
        let a = &self.apps;
        let mut all = BTreeSet::new();
        for m in [
            &self.submitted,
            &a.approved,
            &self.rejected,
            &self.returned,
            &a.pending,
            &a.overdue,
            &a.reopened,
            &self.firms,
        ] {
            all.extend(m.keys().cloned());
        }
        all.extend(self.reports.keys().cloned());
        all
    }

    fn row(&self, keys: Vec<String>, labels: Vec<String>) -> StatsRow {
        let get = |m: &Keyed| m.get(&keys).copied().unwrap_or(0);
        let a = &self.apps;
        StatsRow {
            labels,
            submitted: get(&self.submitted),
            approved: get(&a.approved),
            rejected: get(&self.rejected),
            returned: get(&self.returned),
            pending: get(&a.pending),
            overdue: get(&a.overdue),
            firms: get(&self.firms),
            firms_reopened: get(&a.reopened),
            approved_headcount: get(&a.headcount),
            key_area_staff: get(&a.key_area),
            under_observation: get(&a.observed),
            reports: self.reports.get(&keys).cloned().unwrap_or_default(),
            keys,
        }
    }
}

/// A group's value as shown: the county's name, the section's letter and name, the category's
/// Chinese name.
fn label(d: Dim, k: &str, division_names: &HashMap<String, String>, policy: &Policy) -> String {
    match d {
        Dim::Division => division_names.get(k).cloned(),
        Dim::Industry => SECTION_NAMES
            .iter()
            .find(|(s, _)| *s == k)
            .map(|(s, n)| format!("{s} {n}")),
        Dim::Category => policy.categories.get(k).cloned(),
    }
    .unwrap_or_else(|| k.to_string())
}

impl Reopen {
    /// Statistics for a day or a range, grouped by one or two dimensions, within the actor's
    /// jurisdiction (leaders, clerks; the administrator and the city's users see the whole city).
    pub fn stats(&self, actor: &Actor, q: &StatsQuery, now: DateTime<Utc>) -> Result<Stats> {
        actor.require(
            &[Role::Leader, Role::Clerk, Role::Admin],
            &t!("查看统计", "read statistics"),
        )?;
        let (from, to, by) = checked(q, now)?;
        let policy = self.policy()?;
        let db = self.db();
        let scope = actor.scope();
        let r = Range::new(from, to, now);
        let keys = Keys {
            by: &by,
            sections: store::industry_sections(db)?,
        };
        let apps = application_figures(db, &scope, &keys, &r)?;
        let (rejected, returned) = verdicts(db, &scope, &keys, &r)?;
        let figures = Figures {
            submitted: keys.grouped(store::submissions_by(db, &scope, &by, r.lo, r.hi)?),
            rejected,
            returned,
            firms: keys.grouped(store::firms_by(db, &scope, &by, r.hi)?),
            reports: report_counts(db, &apps.reopened_apps, &r, &policy)?,
            apps,
        };
        let mut all_keys = figures.keys();
        // By county alone, every county of the scope is listed, with zeros where nothing happened.
        if by == [Dim::Division] {
            all_keys.extend(store::counties(db, &scope)?.into_iter().map(|c| vec![c]));
        }
        let division_names = store::division_names(db)?;
        let mut rows = Vec::new();
        let mut total = StatsRow::default();
        for k in all_keys {
            let labels = k
                .iter()
                .zip(&by)
                .map(|(v, d)| label(*d, v, &division_names, &policy))
                .collect();
            let row = figures.row(k, labels);
            total.merge(&row);
            rows.push(row);
        }
        total.labels = vec!["合计".to_string()];
        let reopen_days = figures.apps.reopened_apps.iter().map(|a| a.2).collect();
        let firms_total = store::firms_total(db, &scope, r.hi)?;
        Ok(Stats {
            from,
            to,
            by,
            scope: scope_name(db, &scope)?,
            rows,
            total,
            rate: rate(reopen_days, firms_total, &r),
            generated_at: ts(now),
        })
    }
}

/// The scope's name: the city's, or the county's or district's.
fn scope_name(db: Db<'_>, scope: &Scope) -> Result<String> {
    let code = match scope {
        Scope::All => CITY,
        Scope::Division(d) => d.as_str(),
        Scope::Department(_) | Scope::Firm(_) | Scope::Nothing => return Ok(String::new()),
    };
    Ok(store::division_name(db, code)?.unwrap_or_default())
}

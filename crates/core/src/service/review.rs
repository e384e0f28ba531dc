//! The reviewer's queue and decisions. A decision is checked (`parse_decision`), its task found
//! (`task_to_decide`), decided by the domain (`workflow::decide` over the facts loaded by
//! `decide_facts`), persisted (`persist_decision`) and audited, in one write transaction; the
//! statements are in [`crate::store::tasks`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::apps::{
    app_core, application, can_see_app, forbidden_app, frozen_stages, load_roster, open_tasks,
    AppCore, Application,
};
use super::firms::stale;
use super::{audit, load_policy, page, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::domain::ids::parse_text;
use crate::domain::policy::Phrases;
use crate::domain::roster::{Health, RosterView};
use crate::domain::workflow::{self, AppState, DecideFacts, DecideOutcome, TaskState, Verdict};
use crate::error::{Error, Problems, Result, Text};
use crate::store::{self, Db};
use crate::t;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueRow {
    pub task_id: i64,
    pub application_id: i64,
    pub firm_name: String,
    pub credit_code: String,
    pub category: String,
    pub stage: u32,
    pub stage_name: String,
    pub state: TaskState,
    pub green_channel: bool,
    pub opened_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub planned_headcount: u32,
    pub has_warnings: bool,
    /// The firm's county/district: its code and name.
    pub division: String,
    pub division_name: String,
    /// The firm's industry (GB/T 4754 two-digit division) and its name.
    pub industry: String,
    pub industry_name: String,
    /// The submission the task belongs to: above 1 after a return and a resubmission (复核).
    pub submission_no: i64,
    /// Minutes until the task's deadline at `now` (negative once overdue); None once decided.
    pub minutes_left: Option<i64>,
    /// The same in words ("剩余 5 小时", "已超时 2 小时"); None once decided.
    pub time_left: Option<Text>,
}

/// Whole minutes from `now` to `due` (negative once `due` is past), rounded toward `now`'s
/// side: 59 seconds left is 0 minutes left, 59 seconds past is 0 minutes past.
pub fn minutes_left(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (due - now).num_minutes()
}

/// Time left before a deadline, or past it, in words a reviewer reads at a glance: minutes under
/// an hour, hours under two days, then days and hours ("剩余 2 天 3 小时"). Rounded down, so a
/// task never looks less urgent than it is: 5 h 50 min left reads 剩余 5 小时; 2 h 50 min past
/// reads 已超时 2 小时. Exactly at the deadline it is 剩余 0 分钟.
pub fn time_left_words(minutes: i64) -> Text {
    let past = minutes < 0;
    let m = minutes.unsigned_abs();
    let (zh, en) = if m < 60 {
        (format!("{m} 分钟"), format!("{m} min"))
    } else if m < 48 * 60 {
        let h = m / 60;
        (format!("{h} 小时"), format!("{h} h"))
    } else {
        let (d, h) = (m / (24 * 60), (m % (24 * 60)) / 60);
        if h == 0 {
            (format!("{d} 天"), format!("{d} d"))
        } else {
            (format!("{d} 天 {h} 小时"), format!("{d} d {h} h"))
        }
    };
    if past {
        Text::new(format!("已超时 {zh}"), format!("{en} overdue"))
    } else {
        Text::new(format!("剩余 {zh}"), format!("{en} left"))
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueFilter {
    /// Only pending (true) or only decided (false) tasks; both when None.
    pub pending: Option<bool>,
    pub category: Option<String>,
    pub overdue: Option<bool>,
    pub green_channel: Option<bool>,
    /// A fragment of the firm's name, or the beginning of its credit code.
    #[serde(default)]
    pub search: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// The longest queue search: a firm's name or a credit code, with room to spare.
const SEARCH_MAX: usize = 50;

/// The queue's search as the store takes it: control characters dropped (names never hold
/// them), trimmed, None when nothing is left; too long a text is refused on the field `search`.
fn queue_search(raw: Option<&str>) -> Result<Option<String>> {
    let cleaned: String = raw
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let s = cleaned.trim();
    if s.chars().count() > SEARCH_MAX {
        return Err(Error::field(
            "search",
            t!(
                format!("搜索内容不能超过 {SEARCH_MAX} 个字"),
                format!("the search is at most {SEARCH_MAX} characters")
            ),
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

/// A roster shown by one health concern (the reviewer's filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RosterConcern {
    /// 发热
    Fever,
    /// 隔离观察
    Observation,
    /// 重点地区返岗: from elsewhere, from a key epidemic area of the policy.
    KeyArea,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterFilter {
    /// Everyone when None.
    pub health: Option<RosterConcern>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// How many people of a roster have each concern.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct HealthCounts {
    pub all: u32,
    pub fever: u32,
    pub observation: u32,
    pub key_area: u32,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterPage {
    pub rows: Vec<RosterView>,
    /// Rows the filter selects (the pager's 共 N 条).
    pub total: u32,
    pub counts: HealthCounts,
}

/// A decision as a reviewer gives it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Decision {
    pub verdict: String,
    pub opinion: String,
    pub headcount: Option<i64>,
    /// Conditions, one per line (or separated by ；/;).
    pub conditions: Option<String>,
    pub expect_version: Option<i64>,
}

pub fn split_conditions(s: &str) -> Vec<String> {
    s.split(['\n', ';', '；'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// A decision checked field by field: every problem is reported at once.
struct Checked {
    verdict: Verdict,
    opinion: String,
    conditions: Vec<String>,
}

fn parse_decision(d: &Decision) -> Result<Checked> {
    let mut p = Problems::new();
    let opinion = p.take("opinion", parse_text(&d.opinion, 2000, true));
    let conditions = d
        .conditions
        .as_deref()
        .map(split_conditions)
        .unwrap_or_default();
    for (i, c) in conditions.iter().enumerate() {
        p.take(&format!("conditions[{i}]"), parse_text(c, 500, true));
    }
    let headcount = match d.headcount {
        Some(h) if h < 0 => {
            p.add(
                "headcount",
                t!("核定复工人数不能为负数", "the headcount cannot be negative"),
            );
            None
        }
        Some(h) => Some(u32::try_from(h).unwrap_or(u32::MAX)),
        None => None,
    };
    let verdict = match d.verdict.as_str() {
        "approve" => Some(Verdict::Approve {
            headcount,
            conditions: conditions.clone(),
        }),
        "reject" => Some(Verdict::Reject),
        "return" => Some(Verdict::Return),
        other => {
            p.add(
                "verdict",
                t!(
                    format!("审核结论应为 approve、reject 或 return（实为“{other}”）"),
                    format!("verdict must be approve, reject or return, not '{other}'")
                ),
            );
            None
        }
    };
    if !matches!(verdict, Some(Verdict::Approve { .. }) | None)
        && (headcount.is_some() || !conditions.is_empty())
    {
        p.add(
            "headcount",
            t!(
                "只有同意时才填写核定复工人数和附加条件",
                "headcount and conditions go with an approval only"
            ),
        );
    }
    p.into_result()?;
    let (Some(verdict), Some(opinion)) = (verdict, opinion) else {
        return Err(Error::internal("decision"));
    };
    Ok(Checked {
        verdict,
        opinion,
        conditions,
    })
}

/// The task of the reviewer's department at the application's current stage; when there is
/// none, why not: not in review, settled without this department, decided already (a conflict),
/// or never routed here (forbidden).
fn task_to_decide(tx: Db<'_>, core: &AppCore, dept: i64) -> Result<i64> {
    let mine = match core.stage {
        Some(stage) => {
            store::tasks::task_of_department(tx, core.id, core.submission_no, stage, dept)?
        }
        None => None,
    };
    if let Some(task_id) = mine {
        return Ok(task_id);
    }
    let last = store::tasks::last_state_of_department(tx, core.id, dept)?;
    let ever = last.is_some();
    if ever && core.state != AppState::InReview {
        return Err(Error::conflict(t!(
            format!("申请当前状态为“{}”，不能审核", core.state.zh()),
            format!("the application is {}, not in review", core.state.as_str())
        )));
    }
    if last == Some(TaskState::Closed) {
        return Err(Error::conflict(t!(
            "本环节已满足通过条件或已结束，无需本部门再审核",
            "this stage is already settled without your department"
        )));
    }
    if ever {
        // Routed here before, decided already (e.g. a colleague approved first and the
        // application moved on): a conflict, not a permission problem.
        return Err(Error::conflict(t!(
            "本部门已对该申请作出审核意见，申请已进入下一环节",
            "your department has already decided; the application has moved on"
        )));
    }
    Err(Error::forbidden(t!(
        "该申请当前环节不由本部门审核",
        "this application is not with your department at its current stage"
    )))
}

/// Loads what the domain needs to decide and applies `workflow::decide`; also whether the
/// category goes through the green channel (for the tasks it opens).
fn decide_facts(
    tx: Db<'_>,
    core: &AppCore,
    task_id: i64,
    c: &Checked,
    now: DateTime<Utc>,
) -> Result<(DecideOutcome, bool)> {
    let stage = core.stage.unwrap_or(0);
    let stages = frozen_stages(tx, core.id, core.submission_no)?;
    let tasks = store::tasks::stage_tasks(tx, core.id, core.submission_no, stage)?;
    let prior = store::tasks::prior_headcount(tx, core.id, core.submission_no, stage)?;
    let policy = load_policy(tx)?;
    let category = core.plan.category.clone().unwrap_or_default();
    let (sla, green) = policy.sla_hours(&category);
    let facts = DecideFacts {
        state: core.state,
        stage,
        stages: &stages,
        tasks: &tasks,
        task_id,
        max_headcount: core.plan.headcount.max_approvable(),
        planned_headcount: core.plan.headcount.planned,
        prior_headcount: prior,
        opinion: &c.opinion,
        sla_hours: sla,
        now,
    };
    Ok((workflow::decide(&facts, &c.verdict)?, green))
}

/// Conditions of every approval of this submission, each once, in stage order: what the
/// application carries.
fn accumulated_conditions(tx: Db<'_>, core: &AppCore) -> Result<Vec<String>> {
    let mut all = Vec::new();
    for text in store::tasks::approved_conditions(tx, core.id, core.submission_no)? {
        let list: Vec<String> = serde_json::from_str(&text)?;
        for c in list {
            if !all.contains(&c) {
                all.push(c);
            }
        }
    }
    Ok(all)
}

/// Writes the decision: the task decided (a conflict when it was decided meanwhile), the tasks
/// it closes, the tasks it opens, and the application's new state with its accumulated
/// conditions.
#[allow(clippy::too_many_arguments)]
fn persist_decision(
    tx: Db<'_>,
    actor: &Actor,
    core: &AppCore,
    task_id: i64,
    c: &Checked,
    out: &DecideOutcome,
    green: bool,
    now: DateTime<Utc>,
) -> Result<Option<u32>> {
    let (given_headcount, given_conditions) = match &c.verdict {
        Verdict::Approve {
            headcount,
            conditions,
        } => (
            *headcount,
            (!conditions.is_empty())
                .then(|| serde_json::to_string(conditions))
                .transpose()?,
        ),
        _ => (None, None),
    };
    let decided = store::tasks::decide(
        tx,
        &store::tasks::TaskDecision {
            task_id,
            state: out.task_state,
            at: now,
            by: actor.user_id,
            opinion: &c.opinion,
            headcount: given_headcount,
            conditions: given_conditions.as_deref(),
        },
    )?;
    if !decided {
        return Err(Error::conflict(t!(
            "该环节已有审核结果",
            "this stage was decided meanwhile"
        )));
    }
    for id in &out.close {
        store::tasks::close_pending(tx, *id)?;
    }
    open_tasks(tx, core.id, core.submission_no, &out.open, green, now)?;
    let all = accumulated_conditions(tx, core)?;
    let all = (!all.is_empty())
        .then(|| serde_json::to_string(&all))
        .transpose()?;
    store::tasks::apply_to_application(
        tx,
        core.id,
        &store::tasks::AppDecision {
            state: out.state,
            stage: out.stage,
            at: now,
            settled: out.state != AppState::InReview,
            approved_headcount: out.approved_headcount,
            conditions: all.as_deref(),
        },
    )?;
    Ok(given_headcount)
}

/// Whose queue a reviewer reads (their department's) and the filter as the store takes it.
fn queue_of(actor: &Actor, f: &QueueFilter) -> Result<(i64, QueueFilter)> {
    actor.require(
        &[Role::Reviewer],
        &t!("查看审核队列", "read a review queue"),
    )?;
    let f = QueueFilter {
        search: queue_search(f.search.as_deref())?,
        ..f.clone()
    };
    Ok((actor.department_id.unwrap_or(-1), f))
}

impl Reopen {
    /// The acting reviewer's department: pending first (soonest due first), then decided ones.
    pub fn review_queue(
        &self,
        actor: &Actor,
        f: &QueueFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<QueueRow>> {
        let (dept, f) = queue_of(actor, f)?;
        let (limit, offset) = page(f.limit, f.offset);
        store::tasks::queue(self.db(), dept, &f, now, limit, offset)
    }

    /// How many tasks the acting reviewer's queue holds under the filter (its page and offset
    /// aside): the 共 N 条 of the queue's pager.
    pub fn review_queue_count(
        &self,
        actor: &Actor,
        f: &QueueFilter,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (dept, f) = queue_of(actor, f)?;
        store::tasks::queue_count(self.db(), dept, &f, now)
    }

    /// The stock opinions and standard conditions of the policy, for the decision dialog.
    pub fn review_phrases(&self, actor: &Actor) -> Result<Phrases> {
        actor.require(
            &[Role::Reviewer, Role::Admin],
            &t!("查看常用审核意见", "read the stock opinions"),
        )?;
        Ok(self.policy()?.phrases)
    }

    /// One page of an application's roster (ID and phone numbers masked), only the people of
    /// one health concern when `f.health` says so, with how many there are of each, for whoever
    /// may see the application. Rows keep their number in the whole roster.
    pub fn review_roster(&self, actor: &Actor, id: i64, f: &RosterFilter) -> Result<RosterPage> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let policy = self.policy()?;
        let all = load_roster(self.db(), &self.sealer, id)?;
        let (limit, offset) = page(f.limit, f.offset);
        let mut counts = HealthCounts::default();
        let mut rows = Vec::new();
        for (i, r) in all.iter().enumerate() {
            let key_area = r.from_elsewhere && policy.is_key_area(&r.from_region);
            counts.all += 1;
            counts.fever += u32::from(r.health == Health::Fever);
            counts.observation += u32::from(r.health == Health::Observation);
            counts.key_area += u32::from(key_area);
            let shown = match f.health {
                None => true,
                Some(RosterConcern::Fever) => r.health == Health::Fever,
                Some(RosterConcern::Observation) => r.health == Health::Observation,
                Some(RosterConcern::KeyArea) => key_area,
            };
            if shown {
                rows.push(r.view(i as u32 + 1));
            }
        }
        let total = rows.len() as u32;
        let rows = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(RosterPage {
            rows,
            total,
            counts,
        })
    }

    /// A reviewer's decision on the current stage of an application routed to their department.
    pub fn review_decide(
        &mut self,
        actor: &Actor,
        id: i64,
        d: &Decision,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Reviewer],
            &t!("审核复工申请", "decide applications"),
        )?;
        let c = parse_decision(d)?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            let Some(dept) = actor.department_id else {
                return Err(Error::forbidden(t!(
                    "该审核员未绑定部门",
                    "this reviewer has no department"
                )));
            };
            let task_id = task_to_decide(tx, &core, dept)?;
            if let Some(v) = d.expect_version {
                if v != core.version {
                    return Err(stale(v, core.version));
                }
            }
            let (out, green) = decide_facts(tx, &core, task_id, &c, now)?;
            let given_headcount =
                persist_decision(tx, actor, &core, task_id, &c, &out, green, now)?;
            audit(
                tx,
                actor,
                &format!("review.{}", d.verdict),
                &format!("app:{id}"),
                Some(&serde_json::json!({"state": core.state, "stage": core.stage})),
                Some(
                    &serde_json::json!({"state": out.state, "stage": out.stage, "task": task_id,
                    "opinion": c.opinion, "headcount": given_headcount, "conditions": c.conditions,
                    "approved_headcount": out.approved_headcount}),
                ),
                now,
            )?;
            application(tx, id, now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn conditions_split_at_lines_and_either_semicolon() {
        assert_eq!(
            split_conditions("每日两次测温；进出登记;错峰就餐\n 食堂分餐 \n\n"),
            ["每日两次测温", "进出登记", "错峰就餐", "食堂分餐"]
        );
    }

    #[test]
    fn time_left_in_words_rounds_toward_urgency() {
        let words = |m: i64| time_left_words(m).zh;
        assert_eq!(words(0), "剩余 0 分钟");
        assert_eq!(words(45), "剩余 45 分钟");
        assert_eq!(words(60), "剩余 1 小时");
        assert_eq!(words(5 * 60 + 50), "剩余 5 小时");
        assert_eq!(words(47 * 60 + 59), "剩余 47 小时");
        assert_eq!(words(48 * 60), "剩余 2 天");
        assert_eq!(words(3 * 24 * 60 + 5 * 60 + 10), "剩余 3 天 5 小时");
        assert_eq!(words(-1), "已超时 1 分钟");
        assert_eq!(words(-(2 * 60 + 50)), "已超时 2 小时");
        assert_eq!(words(-(50 * 60)), "已超时 2 天 2 小时");
        assert_eq!(time_left_words(-(2 * 60)).en, "2 h overdue");
        assert_eq!(time_left_words(5 * 60).en, "5 h left");
    }

    #[test]
    fn minutes_left_are_counted_from_now() {
        let due = Utc.with_ymd_and_hms(2020, 2, 6, 1, 0, 0).single().unwrap();
        assert_eq!(minutes_left(due, due - Duration::hours(5)), 300);
        assert_eq!(minutes_left(due, due - Duration::seconds(59)), 0);
        assert_eq!(minutes_left(due, due + Duration::seconds(59)), 0);
        assert_eq!(minutes_left(due, due + Duration::minutes(121)), -121);
    }

    #[test]
    fn the_queue_search_is_cleaned_and_bounded() {
        assert_eq!(queue_search(None).unwrap(), None);
        assert_eq!(queue_search(Some("  \t ")).unwrap(), None);
        assert_eq!(
            queue_search(Some(" 蒙\u{7}顶 ")).unwrap().as_deref(),
            Some("蒙顶")
        );
        assert!(queue_search(Some(&"字".repeat(50))).is_ok());
        let e = queue_search(Some(&"字".repeat(51))).unwrap_err();
        assert_eq!(e.fields[0].field, "search");
    }
}

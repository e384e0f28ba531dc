//! The review workflow as a pure state machine: `(state, action, facts) -> transition`.
//! Nothing here reads the clock or the database; the use cases pass `now` and the facts in
//! and persist what comes out.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::t;

use super::policy::ReviewMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    Draft,
    InReview,
    Returned,
    Approved,
    Rejected,
    Withdrawn,
    Certified,
    Revoked,
}

impl AppState {
    pub const ALL: [AppState; 8] = [
        AppState::Draft,
        AppState::InReview,
        AppState::Returned,
        AppState::Approved,
        AppState::Rejected,
        AppState::Withdrawn,
        AppState::Certified,
        AppState::Revoked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Draft => "draft",
            AppState::InReview => "in_review",
            AppState::Returned => "returned",
            AppState::Approved => "approved",
            AppState::Rejected => "rejected",
            AppState::Withdrawn => "withdrawn",
            AppState::Certified => "certified",
            AppState::Revoked => "revoked",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            AppState::Draft => "草稿",
            AppState::InReview => "审核中",
            AppState::Returned => "退回补正",
            AppState::Approved => "已批准",
            AppState::Rejected => "不予批准",
            AppState::Withdrawn => "已撤回",
            AppState::Certified => "已发证",
            AppState::Revoked => "已撤销",
        }
    }
    pub fn parse(s: &str) -> Option<AppState> {
        AppState::ALL.into_iter().find(|a| a.as_str() == s)
    }
    /// Final states free the firm to file a new application.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AppState::Rejected | AppState::Withdrawn | AppState::Revoked
        )
    }
    /// The firm may edit the plan and roster only in these states.
    pub fn is_editable(self) -> bool {
        matches!(self, AppState::Draft | AppState::Returned)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Approved,
    Rejected,
    Returned,
    /// Not needed any more: another department rejected or returned, or the quorum was reached.
    Closed,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Approved => "approved",
            TaskState::Rejected => "rejected",
            TaskState::Returned => "returned",
            TaskState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        [
            TaskState::Pending,
            TaskState::Approved,
            TaskState::Rejected,
            TaskState::Returned,
            TaskState::Closed,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// One stage of the chain as resolved for one application: which departments, how many must approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StagePlan {
    pub name: String,
    pub departments: Vec<i64>,
    /// Approvals needed to pass the stage: `departments.len()` for all-of, M for M-of-N.
    pub quorum: u32,
}

/// A task to open: department `department_id` reviews stage `stage` by `due_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub stage: u32,
    pub stage_name: String,
    pub department_id: i64,
    pub quorum: u32,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitOutcome {
    pub state: AppState,
    pub stage: Option<u32>,
    pub open: Vec<OpenTask>,
}

/// Deadline of a stage opened at `now`: `sla_hours` later (hours are absolute, so Asia/Shanghai,
/// which has no daylight saving, gives the same instant; shown in local time by the callers).
pub fn due_at(now: DateTime<Utc>, sla_hours: u32) -> DateTime<Utc> {
    now + Duration::hours(i64::from(sla_hours))
}

fn open_stage(stages: &[StagePlan], k: usize, now: DateTime<Utc>, sla: u32) -> Vec<OpenTask> {
    stages
        .get(k)
        .map(|s| {
            s.departments
                .iter()
                .map(|d| OpenTask {
                    stage: k as u32,
                    stage_name: s.name.clone(),
                    department_id: *d,
                    quorum: s.quorum,
                    due_at: due_at(now, sla),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn check_stages(stages: &[StagePlan]) -> Result<()> {
    if stages.is_empty() {
        return Err(Error::internal(
            "工作流没有审核环节 / workflow has no stage",
        ));
    }
    for s in stages {
        if s.departments.is_empty() || s.quorum == 0 || s.quorum as usize > s.departments.len() {
            return Err(Error::internal(format!(
                "审核环节“{}”配置无效 / stage '{}' is misconfigured",
                s.name, s.name
            )));
        }
    }
    Ok(())
}

/// draft|returned --submit--> in_review(stage 0), or approved at once in filing mode.
pub fn submit(
    state: AppState,
    mode: ReviewMode,
    stages: &[StagePlan],
    now: DateTime<Utc>,
    sla_hours: u32,
) -> Result<SubmitOutcome> {
    if !state.is_editable() {
        return Err(Error::conflict(t!(
            format!("当前状态为“{}”，不能提交", state.zh()),
            format!("cannot submit an application in state {}", state.as_str())
        )));
    }
    match mode {
        ReviewMode::Filing => Ok(SubmitOutcome {
            state: AppState::Approved,
            stage: None,
            open: vec![],
        }),
        ReviewMode::Approval => {
            check_stages(stages)?;
            Ok(SubmitOutcome {
                state: AppState::InReview,
                stage: Some(0),
                open: open_stage(stages, 0, now, sla_hours),
            })
        }
    }
}

/// draft|returned|in_review --withdraw--> withdrawn (pending tasks close).
pub fn withdraw(state: AppState) -> Result<AppState> {
    match state {
        AppState::Draft | AppState::Returned | AppState::InReview => Ok(AppState::Withdrawn),
        s => Err(Error::conflict(t!(
            format!("当前状态为“{}”，不能撤回", s.zh()),
            format!("cannot withdraw an application in state {}", s.as_str())
        ))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    Approve {
        headcount: Option<u32>,
        conditions: Vec<String>,
    },
    Reject,
    Return,
}

impl Verdict {
    pub fn task_state(&self) -> TaskState {
        match self {
            Verdict::Approve { .. } => TaskState::Approved,
            Verdict::Reject => TaskState::Rejected,
            Verdict::Return => TaskState::Returned,
        }
    }
}

/// A task of the current stage as the store sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub id: i64,
    pub department_id: i64,
    pub state: TaskState,
    pub headcount: Option<u32>,
}

/// What the use case knows when a reviewer decides.
#[derive(Debug, Clone)]
pub struct DecideFacts<'a> {
    pub state: AppState,
    pub stage: u32,
    pub stages: &'a [StagePlan],
    /// Every task of the current stage of the current submission.
    pub tasks: &'a [TaskView],
    /// The task being decided.
    pub task_id: i64,
    /// Planned headcount minus key-area staff who have not finished observation.
    pub max_headcount: u32,
    pub planned_headcount: u32,
    /// Smallest headcount approved by earlier stages of this submission.
    pub prior_headcount: Option<u32>,
    pub opinion: &'a str,
    pub sla_hours: u32,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideOutcome {
    pub task_state: TaskState,
    pub state: AppState,
    pub stage: Option<u32>,
    /// Pending tasks of the stage to close (other departments' work no longer needed).
    pub close: Vec<i64>,
    pub open: Vec<OpenTask>,
    /// Set when the application becomes approved.
    pub approved_headcount: Option<u32>,
}

pub fn decide(f: &DecideFacts<'_>, verdict: &Verdict) -> Result<DecideOutcome> {
    if f.state != AppState::InReview {
        return Err(Error::conflict(t!(
            format!("申请当前状态为“{}”，不能审核", f.state.zh()),
            format!("the application is {}, not in review", f.state.as_str())
        )));
    }
    let Some(task) = f.tasks.iter().find(|t| t.id == f.task_id) else {
        return Err(Error::internal("task not in the current stage"));
    };
    if task.state != TaskState::Pending {
        return Err(Error::conflict(t!(
            "本环节已由本部门作出审核意见，不能重复审核",
            "this department has already decided this stage"
        )));
    }
    if f.opinion.trim().is_empty() {
        return Err(Error::field(
            "opinion",
            t!("审核意见不能为空", "an opinion is required"),
        ));
    }
    let others: Vec<i64> = f
        .tasks
        .iter()
        .filter(|t| t.id != f.task_id && t.state == TaskState::Pending)
        .map(|t| t.id)
        .collect();
    match verdict {
        Verdict::Reject => Ok(DecideOutcome {
            task_state: TaskState::Rejected,
            state: AppState::Rejected,
            stage: None,
            close: others,
            open: vec![],
            approved_headcount: None,
        }),
        Verdict::Return => Ok(DecideOutcome {
            task_state: TaskState::Returned,
            state: AppState::Returned,
            stage: None,
            close: others,
            open: vec![],
            approved_headcount: None,
        }),
        Verdict::Approve { headcount, .. } => {
            let stage = f
                .stages
                .get(f.stage as usize)
                .ok_or_else(|| Error::internal(format!("stage {} does not exist", f.stage)))?;
            let headcount = match (headcount, f.prior_headcount) {
                (None, None) => {
                    return Err(Error::field(
                        "headcount",
                        t!(
                            "同意复工须填写核定复工人数",
                            "an approval must state the approved headcount"
                        ),
                    ))
                }
                (None, Some(p)) => p,
                (Some(h), prior) => {
                    if *h > f.planned_headcount {
                        return Err(Error::field(
                            "headcount",
                            t!(
                                format!(
                                    "核定复工人数 {h} 不能超过计划复工人数 {}",
                                    f.planned_headcount
                                ),
                                format!(
                                    "approved headcount {h} exceeds the planned {}",
                                    f.planned_headcount
                                )
                            ),
                        ));
                    }
                    if *h > f.max_headcount {
                        return Err(Error::field(
                            "headcount",
                            t!(
                                format!("核定复工人数 {h} 超过 {}：重点地区来雅人员未满观察期的不得计入", f.max_headcount),
                                format!("approved headcount {h} exceeds {}: key-area staff still under observation cannot be counted", f.max_headcount)
                            ),
                        ));
                    }
                    if let Some(p) = prior {
                        if *h > p {
                            return Err(Error::field(
                                "headcount",
                                t!(
                                    format!("核定复工人数 {h} 不能超过前一环节核定的 {p}"),
                                    format!("approved headcount {h} exceeds {p} approved by the earlier stage")
                                ),
                            ));
                        }
                    }
                    *h
                }
            };
            let approvals = f
                .tasks
                .iter()
                .filter(|t| t.state == TaskState::Approved)
                .count() as u32
                + 1;
            if approvals < stage.quorum {
                return Ok(DecideOutcome {
                    task_state: TaskState::Approved,
                    state: AppState::InReview,
                    stage: Some(f.stage),
                    close: vec![],
                    open: vec![],
                    approved_headcount: None,
                });
            }
            let stage_headcount = f
                .tasks
                .iter()
                .filter_map(|t| {
                    (t.state == TaskState::Approved)
                        .then_some(t.headcount)
                        .flatten()
                })
                .chain(std::iter::once(headcount))
                .min()
                .unwrap_or(headcount);
            let next = f.stage as usize + 1;
            if next >= f.stages.len() {
                Ok(DecideOutcome {
                    task_state: TaskState::Approved,
                    state: AppState::Approved,
                    stage: None,
                    close: others,
                    open: vec![],
                    approved_headcount: Some(stage_headcount),
                })
            } else {
                Ok(DecideOutcome {
                    task_state: TaskState::Approved,
                    state: AppState::InReview,
                    stage: Some(next as u32),
                    close: others,
                    open: open_stage(f.stages, next, f.now, f.sla_hours),
                    approved_headcount: None,
                })
            }
        }
    }
}

/// approved --issue--> certified; a certified application whose certificate was voided (a
/// misprint) gets a new one and stays certified.
pub fn issue(state: AppState, has_live_certificate: bool) -> Result<AppState> {
    match (state, has_live_certificate) {
        (AppState::Approved, false) | (AppState::Certified, false) => Ok(AppState::Certified),
        (AppState::Approved | AppState::Certified, true) => Err(Error::conflict(t!(
            "该申请已有有效的批准通知书；误印请先作废再重新发证",
            "the application already has a live certificate; void a misprint first"
        ))),
        (s, _) => Err(Error::conflict(t!(
            format!("申请当前状态为“{}”，不能发证", s.zh()),
            format!(
                "cannot issue a certificate for an application in state {}",
                s.as_str()
            )
        ))),
    }
}

/// certified --revoke--> revoked.
pub fn revoke(state: AppState) -> Result<AppState> {
    match state {
        AppState::Certified | AppState::Approved => Ok(AppState::Revoked),
        s => Err(Error::conflict(t!(
            format!("申请当前状态为“{}”，不能撤销", s.zh()),
            format!("cannot revoke an application in state {}", s.as_str())
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0)
            .single()
            .unwrap_or_default()
    }
    fn two_stages() -> Vec<StagePlan> {
        vec![
            StagePlan {
                name: "行业主管部门审核".into(),
                departments: vec![10, 11],
                quorum: 2,
            },
            StagePlan {
                name: "领导小组办公室会签".into(),
                departments: vec![20],
                quorum: 1,
            },
        ]
    }
    fn task(id: i64, d: i64, s: TaskState, h: Option<u32>) -> TaskView {
        TaskView {
            id,
            department_id: d,
            state: s,
            headcount: h,
        }
    }
    fn facts<'a>(
        stages: &'a [StagePlan],
        stage: u32,
        tasks: &'a [TaskView],
        task_id: i64,
    ) -> DecideFacts<'a> {
        DecideFacts {
            state: AppState::InReview,
            stage,
            stages,
            tasks,
            task_id,
            max_headcount: 78,
            planned_headcount: 80,
            prior_headcount: None,
            opinion: "同意",
            sla_hours: 24,
            now: now(),
        }
    }
    fn approve(h: Option<u32>) -> Verdict {
        Verdict::Approve {
            headcount: h,
            conditions: vec![],
        }
    }

    #[test]
    fn submit_from_draft_opens_stage_one_with_deadline() {
        let o = submit(
            AppState::Draft,
            ReviewMode::Approval,
            &two_stages(),
            now(),
            24,
        )
        .unwrap();
        assert_eq!(o.state, AppState::InReview);
        assert_eq!(o.stage, Some(0));
        assert_eq!(o.open.len(), 2);
        assert_eq!(o.open[0].due_at, now() + Duration::hours(24));
    }

    #[test]
    fn resubmit_from_returned_starts_again_at_stage_one() {
        let o = submit(
            AppState::Returned,
            ReviewMode::Approval,
            &two_stages(),
            now(),
            8,
        )
        .unwrap();
        assert_eq!(o.stage, Some(0));
        assert_eq!(o.open[0].due_at, now() + Duration::hours(8));
    }

    #[test]
    fn filing_mode_approves_at_once() {
        let o = submit(AppState::Draft, ReviewMode::Filing, &[], now(), 24).unwrap();
        assert_eq!(o.state, AppState::Approved);
        assert!(o.open.is_empty());
    }

    #[test]
    fn submit_refused_outside_draft_or_returned() {
        for s in [
            AppState::InReview,
            AppState::Approved,
            AppState::Rejected,
            AppState::Withdrawn,
            AppState::Certified,
            AppState::Revoked,
        ] {
            let e = submit(s, ReviewMode::Approval, &two_stages(), now(), 24).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Conflict, "{s:?}");
        }
    }

    #[test]
    fn submit_refused_with_misconfigured_stage() {
        let bad = vec![StagePlan {
            name: "x".into(),
            departments: vec![1],
            quorum: 2,
        }];
        assert!(submit(AppState::Draft, ReviewMode::Approval, &bad, now(), 24).is_err());
        assert!(submit(AppState::Draft, ReviewMode::Approval, &[], now(), 24).is_err());
    }

    #[test]
    fn withdraw_arrows_and_refusals() {
        for s in [AppState::Draft, AppState::Returned, AppState::InReview] {
            assert_eq!(withdraw(s).unwrap(), AppState::Withdrawn);
        }
        for s in [
            AppState::Approved,
            AppState::Rejected,
            AppState::Withdrawn,
            AppState::Certified,
            AppState::Revoked,
        ] {
            assert_eq!(withdraw(s).unwrap_err().kind, ErrorKind::Conflict);
        }
    }

    #[test]
    fn first_of_two_all_of_approvals_keeps_stage_open() {
        let st = two_stages();
        let tasks = [
            task(1, 10, TaskState::Pending, None),
            task(2, 11, TaskState::Pending, None),
        ];
        let o = decide(&facts(&st, 0, &tasks, 1), &approve(Some(70))).unwrap();
        assert_eq!(o.state, AppState::InReview);
        assert_eq!(o.stage, Some(0));
        assert!(o.open.is_empty() && o.close.is_empty());
    }

    #[test]
    fn last_approval_of_stage_opens_next_stage() {
        let st = two_stages();
        let tasks = [
            task(1, 10, TaskState::Approved, Some(70)),
            task(2, 11, TaskState::Pending, None),
        ];
        let o = decide(&facts(&st, 0, &tasks, 2), &approve(Some(75))).unwrap();
        assert_eq!(o.state, AppState::InReview);
        assert_eq!(o.stage, Some(1));
        assert_eq!(o.open.len(), 1);
        assert_eq!(o.open[0].department_id, 20);
    }

    #[test]
    fn approval_at_last_stage_approves_with_smallest_headcount() {
        let st = two_stages();
        let tasks = [task(3, 20, TaskState::Pending, None)];
        let mut f = facts(&st, 1, &tasks, 3);
        f.prior_headcount = Some(70);
        let o = decide(&f, &approve(None)).unwrap();
        assert_eq!(o.state, AppState::Approved);
        assert_eq!(o.approved_headcount, Some(70));
        let o = decide(&f, &approve(Some(60))).unwrap();
        assert_eq!(o.approved_headcount, Some(60));
    }

    #[test]
    fn m_of_n_closes_the_rest_when_quorum_reached() {
        let st = vec![StagePlan {
            name: "联审".into(),
            departments: vec![1, 2, 3],
            quorum: 2,
        }];
        let tasks = [
            task(1, 1, TaskState::Approved, Some(50)),
            task(2, 2, TaskState::Pending, None),
            task(3, 3, TaskState::Pending, None),
        ];
        let o = decide(&facts(&st, 0, &tasks, 2), &approve(Some(60))).unwrap();
        assert_eq!(o.state, AppState::Approved);
        assert_eq!(o.close, vec![3]);
        assert_eq!(o.approved_headcount, Some(50));
    }

    #[test]
    fn reject_is_final_and_closes_others() {
        let st = two_stages();
        let tasks = [
            task(1, 10, TaskState::Pending, None),
            task(2, 11, TaskState::Pending, None),
        ];
        let o = decide(&facts(&st, 0, &tasks, 1), &Verdict::Reject).unwrap();
        assert_eq!(o.state, AppState::Rejected);
        assert_eq!(o.task_state, TaskState::Rejected);
        assert_eq!(o.close, vec![2]);
    }

    #[test]
    fn return_goes_back_to_the_firm_and_closes_others() {
        let st = two_stages();
        let tasks = [
            task(1, 10, TaskState::Pending, None),
            task(2, 11, TaskState::Pending, None),
        ];
        let o = decide(&facts(&st, 0, &tasks, 2), &Verdict::Return).unwrap();
        assert_eq!(o.state, AppState::Returned);
        assert_eq!(o.close, vec![1]);
    }

    #[test]
    fn decide_refused_when_not_in_review() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Pending, None)];
        let mut f = facts(&st, 0, &tasks, 1);
        f.state = AppState::Returned;
        assert_eq!(
            decide(&f, &Verdict::Reject).unwrap_err().kind,
            ErrorKind::Conflict
        );
    }

    #[test]
    fn decide_refused_when_task_already_decided() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Approved, Some(3))];
        assert_eq!(
            decide(&facts(&st, 0, &tasks, 1), &Verdict::Reject)
                .unwrap_err()
                .kind,
            ErrorKind::Conflict
        );
    }

    #[test]
    fn decide_refused_without_opinion() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Pending, None)];
        let mut f = facts(&st, 0, &tasks, 1);
        f.opinion = "  ";
        let e = decide(&f, &Verdict::Return).unwrap_err();
        assert_eq!(e.fields[0].field, "opinion");
    }

    #[test]
    fn approval_without_headcount_refused_at_first_stage() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Pending, None)];
        let e = decide(&facts(&st, 0, &tasks, 1), &approve(None)).unwrap_err();
        assert_eq!(e.fields[0].field, "headcount");
    }

    #[test]
    fn approval_above_planned_refused() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Pending, None)];
        let e = decide(&facts(&st, 0, &tasks, 1), &approve(Some(81))).unwrap_err();
        assert!(e.fields[0].message.zh.contains("计划"));
    }

    #[test]
    fn approval_counting_staff_under_observation_refused() {
        let st = two_stages();
        let tasks = [task(1, 10, TaskState::Pending, None)];
        let e = decide(&facts(&st, 0, &tasks, 1), &approve(Some(79))).unwrap_err();
        assert!(e.fields[0].message.zh.contains("观察期"));
    }

    #[test]
    fn approval_above_earlier_stage_refused() {
        let st = two_stages();
        let tasks = [task(3, 20, TaskState::Pending, None)];
        let mut f = facts(&st, 1, &tasks, 3);
        f.prior_headcount = Some(50);
        assert!(decide(&f, &approve(Some(51))).is_err());
    }

    #[test]
    fn issue_and_revoke_arrows() {
        assert_eq!(
            issue(AppState::Approved, false).unwrap(),
            AppState::Certified
        );
        assert_eq!(
            issue(AppState::Certified, false).unwrap(),
            AppState::Certified
        );
        assert!(issue(AppState::InReview, false).is_err());
        assert!(issue(AppState::Certified, true).is_err());
        assert!(issue(AppState::Revoked, false).is_err());
        assert_eq!(revoke(AppState::Certified).unwrap(), AppState::Revoked);
        assert!(revoke(AppState::Draft).is_err());
    }

    #[test]
    fn final_and_editable_states() {
        assert!(
            AppState::Rejected.is_final()
                && AppState::Withdrawn.is_final()
                && AppState::Revoked.is_final()
        );
        assert!(!AppState::Approved.is_final());
        assert!(AppState::Draft.is_editable() && AppState::Returned.is_editable());
        assert!(!AppState::InReview.is_editable());
        for s in AppState::ALL {
            assert_eq!(AppState::parse(s.as_str()), Some(s));
        }
    }
}

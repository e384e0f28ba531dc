//! End-to-end review workflows through the core.

use reopen_core::domain::policy::ReviewMode;
use reopen_core::domain::workflow::{AppState, TaskState};
use reopen_core::service::{QueueFilter, StageConfig, StageDepartment, WorkflowConfig};
use reopen_core::ErrorKind;

use super::*;

use super::county as world;

fn due_hours(due_at: &str, opened_at: &str) -> i64 {
    let d = DateTime::parse_from_rfc3339(due_at).unwrap();
    let o = DateTime::parse_from_rfc3339(opened_at).unwrap();
    (d - o).num_hours()
}

#[test]
fn submit_return_resubmit_approve_countersign() -> R {
    let mut w = world()?;
    let code = register(&mut w.core, &w.clerk, 1, "雨城甲商贸有限公司")?;
    let firm = user(
        &mut w.core,
        &w.admin,
        "firm",
        "firm",
        None,
        Some(&code),
        None,
    )?;
    let id = submitted(&mut w.core, &firm, &code, "production", 5, 1, 0)?;
    let app = w.core.app_show(&firm, id, now())?;
    assert_eq!(
        (app.state, app.stage, app.submission_no),
        (AppState::InReview, Some(0), 1)
    );

    let app = w
        .core
        .review_decide(&w.swj, id, &decision("return", None), hours(1))?;
    assert_eq!(app.state, AppState::Returned);
    assert_eq!(app.stage, None);

    let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, now());
    plan["emergency_plan"] = "发现发热人员立即送临时隔离观察室,报告属地卫生院并停工消杀".into();
    let v = w.core.app_show(&firm, id, hours(2))?.version;
    w.core.app_update(&firm, id, &plan, Some(v), hours(2))?;
    let app = w.core.app_submit(&firm, id, None, hours(2))?;
    assert_eq!(
        (app.state, app.stage, app.submission_no),
        (AppState::InReview, Some(0), 2)
    );

    let app = w
        .core
        .review_decide(&w.swj, id, &decision("approve", Some(4)), hours(3))?;
    assert_eq!((app.state, app.stage), (AppState::InReview, Some(1)));
    assert_eq!(app.approved_headcount, None);
    // The countersignature may not raise the headcount the industry department approved.
    assert_eq!(
        kind(
            w.core
                .review_decide(&w.zhb, id, &decision("approve", Some(5)), hours(4))
        ),
        Some(ErrorKind::Validation)
    );
    let app = w
        .core
        .review_decide(&w.zhb, id, &decision("approve", None), hours(4))?;
    assert_eq!(app.state, AppState::Approved);
    assert_eq!(app.approved_headcount, Some(4));
    assert!(app.decided_at.is_some());

    // The timeline keeps the return of the first submission.
    let t = &app.tasks;
    assert_eq!(t.len(), 3, "{t:#?}");
    assert_eq!((t[0].submission_no, t[0].state), (1, TaskState::Returned));
    assert_eq!(t[0].decided_by.as_deref(), Some("swj"));
    assert_eq!(
        (t[1].submission_no, t[1].stage, t[1].state),
        (2, 0, TaskState::Approved)
    );
    assert_eq!(t[1].headcount, Some(4));
    assert_eq!(
        (t[2].submission_no, t[2].stage, t[2].state),
        (2, 1, TaskState::Approved)
    );
    assert!(t[2].department.ends_with("ZHB"));

    // Versions and what changed between them.
    let versions = w.core.app_versions(&w.swj, id)?;
    assert_eq!(
        versions.iter().map(|v| v.submission_no).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(versions.iter().all(|v| v.submitted_by == "firm"));
    let diff = w.core.app_diff(&w.swj, id, None, None)?;
    assert_eq!((diff.from, diff.to), (1, 2));
    let changed: Vec<&str> = diff.plan.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(changed, vec!["emergency_plan"], "{diff:#?}");
    assert!(diff.roster.is_empty());
    assert!(w.core.audit_verify(&w.admin)?.ok);
    Ok(())
}

#[test]
fn key_project_gets_fgw_in_parallel_at_stage_one() -> R {
    let mut w = world()?;
    let code = register(&mut w.core, &w.clerk, 1, "雨城重点项目建设有限公司")?;
    let id = submitted(&mut w.core, &w.clerk, &code, "key_project", 6, 2, 0)?;
    let app = w.core.app_show(&w.admin, id, now())?;
    let depts: Vec<&str> = app.tasks.iter().map(|t| t.department.as_str()).collect();
    assert_eq!(depts.len(), 2, "{depts:?}");
    assert!(
        depts.contains(&"511802-SWJ") && depts.contains(&"511802-FGW"),
        "{depts:?}"
    );
    assert!(app
        .tasks
        .iter()
        .all(|t| t.stage == 0 && t.state == TaskState::Pending));

    let app = w
        .core
        .review_decide(&w.swj, id, &decision("approve", Some(6)), hours(1))?;
    assert_eq!(
        (app.state, app.stage),
        (AppState::InReview, Some(0)),
        "one of two approvals is not enough"
    );
    assert_eq!(
        kind(
            w.core
                .review_decide(&w.zhb, id, &decision("approve", None), hours(1))
        ),
        Some(ErrorKind::Forbidden),
        "stage 2 must wait for both stage-1 departments"
    );
    let app = w
        .core
        .review_decide(&w.fgw, id, &decision("approve", Some(5)), hours(2))?;
    assert_eq!((app.state, app.stage), (AppState::InReview, Some(1)));
    let app = w
        .core
        .review_decide(&w.zhb, id, &decision("approve", None), hours(3))?;
    assert_eq!(app.state, AppState::Approved);
    assert_eq!(
        app.approved_headcount,
        Some(5),
        "the lower of the parallel headcounts"
    );
    // A production app of another firm is not routed to FGW.
    let code2 = register(&mut w.core, &w.clerk, 2, "雨城普通商贸有限公司")?;
    let id2 = submitted(&mut w.core, &w.clerk, &code2, "production", 3, 0, 0)?;
    let app2 = w.core.app_show(&w.admin, id2, now())?;
    assert_eq!(app2.tasks.len(), 1);
    assert_eq!(app2.tasks[0].department, "511802-SWJ");
    Ok(())
}

fn dep(kind: &str) -> StageDepartment {
    StageDepartment {
        kind: kind.into(),
        categories: vec![],
        division: None,
    }
}

#[test]
fn m_of_n_quorum() -> R {
    let mut w = world()?;
    let cfg = WorkflowConfig {
        mode: None,
        stages: vec![
            StageConfig {
                name: "联合审核".into(),
                departments: vec![dep("@industry"), dep("FGW")],
                quorum: Some(1),
            },
            StageConfig {
                name: "会签".into(),
                departments: vec![dep("ZHB")],
                quorum: None,
            },
        ],
    };
    w.core.workflow_set(&w.admin, "511802", &cfg, now())?;
    assert_eq!(w.core.workflow_get("511802")?, cfg);
    let code = register(&mut w.core, &w.clerk, 1, "雨城甲商贸有限公司")?;
    let id = submitted(&mut w.core, &w.clerk, &code, "production", 5, 1, 0)?;
    assert_eq!(w.core.app_show(&w.admin, id, now())?.tasks.len(), 2);
    let app = w
        .core
        .review_decide(&w.fgw, id, &decision("approve", Some(5)), hours(1))?;
    assert_eq!(
        (app.state, app.stage),
        (AppState::InReview, Some(1)),
        "1 of 2 suffices"
    );
    let swj_task = app
        .tasks
        .iter()
        .find(|t| t.department == "511802-SWJ")
        .unwrap();
    assert_eq!(swj_task.state, TaskState::Closed);
    assert_eq!(
        kind(
            w.core
                .review_decide(&w.swj, id, &decision("approve", Some(5)), hours(1))
        ),
        Some(ErrorKind::Conflict),
        "the quorum was reached without SWJ: its closed task is a conflict, not a permission problem"
    );
    let app = w
        .core
        .review_decide(&w.zhb, id, &decision("approve", None), hours(2))?;
    assert_eq!(
        (app.state, app.approved_headcount),
        (AppState::Approved, Some(5))
    );
    // A quorum above the number of departments is refused.
    let bad = WorkflowConfig {
        mode: None,
        stages: vec![StageConfig {
            name: "x".into(),
            departments: vec![dep("FGW")],
            quorum: Some(2),
        }],
    };
    let f = fields(w.core.workflow_set(&w.admin, "511802", &bad, now()));
    assert!(f.contains(&"stages[0].quorum".to_string()), "{f:?}");
    Ok(())
}

#[test]
fn filing_mode_approves_at_submit() -> R {
    let mut w = world()?;
    let cfg = WorkflowConfig {
        mode: Some(ReviewMode::Filing),
        stages: vec![],
    };
    w.core.workflow_set(&w.admin, "511802", &cfg, now())?;
    let code = register(&mut w.core, &w.clerk, 1, "雨城甲商贸有限公司")?;
    // 6 planned, 2 from Hubei still under observation: 4 may be counted.
    let id = submitted(&mut w.core, &w.clerk, &code, "production", 6, 3, 2)?;
    let app = w.core.app_show(&w.admin, id, now())?;
    assert_eq!(app.state, AppState::Approved);
    assert_eq!(app.approved_headcount, Some(4));
    assert!(app.tasks.is_empty());
    assert!(app.decided_at.is_some());
    Ok(())
}

#[test]
fn green_channel_deadlines() -> R {
    let mut w = world()?;
    let c1 = register(&mut w.core, &w.clerk, 1, "雨城防疫物资有限公司")?;
    let c2 = register(&mut w.core, &w.clerk, 2, "雨城生产企业有限公司")?;
    let green = submitted(&mut w.core, &w.clerk, &c1, "epidemic_prevention", 3, 0, 0)?;
    let normal = submitted(&mut w.core, &w.clerk, &c2, "production", 3, 0, 0)?;
    let g = &w.core.app_show(&w.admin, green, now())?.tasks[0];
    assert!(g.green_channel);
    assert_eq!(due_hours(&g.due_at, &g.opened_at), 8);
    assert_eq!(DateTime::parse_from_rfc3339(&g.due_at)?, hours(8));
    let n = &w.core.app_show(&w.admin, normal, now())?.tasks[0];
    assert!(!n.green_channel);
    assert_eq!(due_hours(&n.due_at, &n.opened_at), 24);
    // The green channel can be filtered on.
    let f = QueueFilter {
        green_channel: Some(true),
        ..Default::default()
    };
    let q = w.core.review_queue(&w.swj, &f, now())?;
    assert_eq!(
        q.iter().map(|r| r.application_id).collect::<Vec<_>>(),
        vec![green]
    );
    // Stage 2 keeps the green channel deadline, counted from the stage-1 decision.
    let app = w
        .core
        .review_decide(&w.swj, green, &decision("approve", Some(3)), hours(2))?;
    let t2 = app.tasks.iter().find(|t| t.stage == 1).unwrap();
    assert!(t2.green_channel);
    assert_eq!(DateTime::parse_from_rfc3339(&t2.due_at)?, hours(10));
    Ok(())
}

#[test]
fn overdue_flagged_and_pending_first() -> R {
    let mut w = world()?;
    let c1 = register(&mut w.core, &w.clerk, 1, "雨城甲商贸有限公司")?;
    let c2 = register(&mut w.core, &w.clerk, 2, "雨城乙商贸有限公司")?;
    let c3 = register(&mut w.core, &w.clerk, 3, "雨城丙商贸有限公司")?;
    let a1 = submitted(&mut w.core, &w.clerk, &c1, "production", 3, 0, 0)?;
    let a2 = submitted(&mut w.core, &w.clerk, &c2, "production", 3, 0, 0)?;
    let a3 = submitted(&mut w.core, &w.clerk, &c3, "epidemic_prevention", 3, 0, 0)?;
    w.core
        .review_decide(&w.swj, a1, &decision("approve", Some(3)), hours(1))?;

    let q = w
        .core
        .review_queue(&w.swj, &QueueFilter::default(), hours(2))?;
    assert_eq!(q.len(), 3);
    assert!(
        q.iter().all(|r| !r.overdue),
        "nothing is overdue yet: {q:#?}"
    );

    // 10 h later: the green channel task (8 h) is overdue, the 24 h one not yet.
    let q = w
        .core
        .review_queue(&w.swj, &QueueFilter::default(), hours(10))?;
    let ids: Vec<i64> = q.iter().map(|r| r.application_id).collect();
    assert_eq!(
        ids,
        vec![a3, a2, a1],
        "pending (soonest due first) before decided: {q:#?}"
    );
    assert!(q[0].overdue && !q[1].overdue && !q[2].overdue);

    // 25 h later: both pending ones overdue; the decided one never is.
    let q = w
        .core
        .review_queue(&w.swj, &QueueFilter::default(), hours(25))?;
    assert_eq!(
        q.iter().map(|r| r.overdue).collect::<Vec<_>>(),
        vec![true, true, false]
    );
    assert_eq!(q[2].state, TaskState::Approved);
    let f = QueueFilter {
        overdue: Some(true),
        ..Default::default()
    };
    assert_eq!(w.core.review_queue(&w.swj, &f, hours(25))?.len(), 2);
    assert_eq!(w.core.review_queue_count(&w.swj, &f, hours(25))?, 2);
    // Before the deadlines the overdue filter counts none.
    assert_eq!(w.core.review_queue_count(&w.swj, &f, hours(2))?, 0);
    let f = QueueFilter {
        pending: Some(false),
        ..Default::default()
    };
    assert_eq!(w.core.review_queue(&w.swj, &f, hours(25))?.len(), 1);
    assert_eq!(w.core.review_queue_count(&w.swj, &f, hours(25))?, 1);
    let all = QueueFilter {
        limit: Some(1),
        offset: Some(2),
        ..Default::default()
    };
    assert_eq!(
        w.core.review_queue_count(&w.swj, &all, hours(25))?,
        3,
        "the page and offset do not change the total"
    );
    let search = QueueFilter {
        search: Some("乙商贸".into()),
        ..Default::default()
    };
    assert_eq!(w.core.review_queue_count(&w.swj, &search, hours(25))?, 1);
    // Another department's reviewer counts its own queue (the countersignature of a1), not this one.
    let theirs = w
        .core
        .review_queue(&w.zhb, &QueueFilter::default(), hours(25))?;
    assert!(theirs.iter().all(|r| r.application_id == a1), "{theirs:#?}");
    assert_eq!(
        w.core
            .review_queue_count(&w.zhb, &QueueFilter::default(), hours(25))?,
        theirs.len() as i64
    );
    // Only a reviewer has a queue to count.
    assert!(w
        .core
        .review_queue_count(&w.clerk, &QueueFilter::default(), hours(25))
        .is_err());
    // The application's timeline shows the same flag.
    let app = w.core.app_show(&w.admin, a2, hours(25))?;
    assert!(app.tasks[0].overdue);
    Ok(())
}

/// The queue reads its pending and decided parts separately, each in index order (a page costs the
/// same for ten tasks or ten thousand). Paged three at a time, with and without filters, it must
/// give exactly the order of one sort of all the department's open tasks: pending soonest due
/// first, then decided newest first, ties by task.
#[test]
fn queue_pages_match_one_sort_of_every_task() -> R {
    let mut w = world()?;
    // Fourteen applications: green-channel ones due sooner, the rest due together (ties on due
    // date); five approved at the same hour (ties on decision time), two returned later, one
    // rejected, and one drafted but not submitted.
    let mut ids = Vec::new();
    for n in 1..=14u32 {
        let code = register(&mut w.core, &w.clerk, n, &format!("雨城{n}号商贸有限公司"))?;
        let category = if n % 4 == 0 {
            "epidemic_prevention"
        } else {
            "general"
        };
        if n == 14 {
            draft(&mut w.core, &w.clerk, &code, category, 3, 0, 0)?;
        } else {
            ids.push(submitted(&mut w.core, &w.clerk, &code, category, 3, 0, 0)?);
        }
    }
    for (i, id) in ids.iter().enumerate() {
        let (verdict, at) = match i {
            0..=4 => ("approve", hours(2)),
            5 | 6 => ("return", hours(3)),
            7 => ("reject", hours(1)),
            _ => continue,
        };
        let headcount = (verdict == "approve").then_some(3);
        w.core
            .review_decide(&w.swj, *id, &decision(verdict, headcount), at)?;
    }
    let (core, swj) = (&w.core, &w.swj);
    let dept = swj.department_id.ok_or("no department")?;
    let at = hours(30);
    for (label, f, extra) in [
        ("all", QueueFilter::default(), ""),
        (
            "pending",
            QueueFilter {
                pending: Some(true),
                ..Default::default()
            },
            " AND t.state = 'pending'",
        ),
        (
            "decided",
            QueueFilter {
                pending: Some(false),
                ..Default::default()
            },
            " AND t.state <> 'pending'",
        ),
        (
            "overdue",
            QueueFilter {
                overdue: Some(true),
                ..Default::default()
            },
            " AND t.state = 'pending' AND t.due_at < '2020-02-06T07:00:00Z'",
        ),
        (
            "general",
            QueueFilter {
                category: Some("general".into()),
                ..Default::default()
            },
            " AND a.category = 'general'",
        ),
    ] {
        let expected: Vec<i64> = core.raw().rows(
            &format!(
                "SELECT t.id FROM review_tasks t JOIN applications a ON a.id = t.application_id
                 WHERE t.department_id = ?1 AND t.state <> 'closed'{extra}
                 ORDER BY t.state <> 'pending', CASE WHEN t.state = 'pending' THEN t.due_at END,
                          t.decided_at DESC, t.id"
            ),
            reopen_core::args![dept],
            |r| r.get(0),
        )?;
        let mut paged = Vec::new();
        for offset in (0..expected.len() as u32 + 3).step_by(3) {
            let page = QueueFilter {
                limit: Some(3),
                offset: Some(offset),
                ..f.clone()
            };
            paged.extend(core.review_queue(swj, &page, at)?.iter().map(|r| r.task_id));
        }
        assert_eq!(paged, expected, "{label}");
        // The pager's 共 N 条 counts the same rows, whatever the page.
        assert_eq!(
            core.review_queue_count(swj, &f, at)?,
            expected.len() as i64,
            "count, {label}"
        );
        if label == "all" {
            assert_eq!(
                expected.len(),
                13,
                "every submitted application is in the queue"
            );
        }
    }
    Ok(())
}

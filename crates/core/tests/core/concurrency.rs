//! Several connections on one database (a file, or a PostgreSQL database): one decision wins and
//! the other gets a clear conflict; concurrent issuers in one jurisdiction get gapless, unique
//! numbers; concurrent writers extend one audit chain.

use std::sync::Barrier;

use reopen_core::domain::workflow::{AppState, TaskState};
use reopen_core::ErrorKind;

use super::*;

struct Race {
    dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    firm: Actor,
    r1: Actor,
    r2: Actor,
    id: i64,
}

fn race_setup() -> R<Race> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let c = clerk(&mut core, &admin, "clerk", "511802")?;
    let code = register(&mut core, &c, 1, "雨城甲商贸有限公司")?;
    let firm = user(&mut core, &admin, "firm", "firm", None, Some(&code), None)?;
    let r1 = reviewer(&mut core, &admin, "swj1", "511802-SWJ")?;
    let r2 = reviewer(&mut core, &admin, "swj2", "511802-SWJ")?;
    let id = submitted(&mut core, &firm, &code, "production", 5, 1, 0)?;
    Ok(Race {
        dir,
        core,
        admin,
        firm,
        r1,
        r2,
        id,
    })
}

/// Runs two decisions on the same task from two connections at once.
fn race(verdicts: [(&str, Option<i64>); 2]) -> R<(Race, Vec<reopen_core::Result<AppState>>)> {
    let s = race_setup()?;
    let mut c1 = open_again(s.dir.path())?;
    let mut c2 = open_again(s.dir.path())?;
    let barrier = Barrier::new(2);
    let (a1, a2, id) = (&s.r1, &s.r2, s.id);
    let results = std::thread::scope(|sc| {
        let h1 = sc.spawn(|| {
            barrier.wait();
            c1.review_decide(a1, id, &decision(verdicts[0].0, verdicts[0].1), now())
                .map(|a| a.state)
        });
        let h2 = sc.spawn(|| {
            barrier.wait();
            c2.review_decide(a2, id, &decision(verdicts[1].0, verdicts[1].1), now())
                .map(|a| a.state)
        });
        vec![h1.join().unwrap(), h2.join().unwrap()]
    });
    Ok((s, results))
}

fn check_one_winner(s: &Race, results: &[reopen_core::Result<AppState>]) -> R {
    let oks = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(oks, 1, "exactly one decision wins: {results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(
        loser.kind,
        ErrorKind::Conflict,
        "the other gets a conflict: {loser:?}"
    );
    // Nothing half-written.
    let app = s.core.app_show(&s.admin, s.id, now())?;
    let decided: Vec<_> = app
        .tasks
        .iter()
        .filter(|t| t.stage == 0 && t.state != TaskState::Pending)
        .collect();
    assert_eq!(decided.len(), 1, "{:#?}", app.tasks);
    let decisions: i64 = s.core.raw().one(
        "SELECT count(*) FROM audit_events WHERE action LIKE 'review.%'",
        reopen_core::args![],
    )?;
    assert_eq!(decisions, 1);
    assert!(s.core.audit_verify(&s.admin)?.ok);
    // SQLite's own check of the file (PostgreSQL has no equivalent statement).
    if let Some(sqlite) = s.core.raw().sqlite() {
        assert_eq!(
            reopen_core::store::integrity_check(sqlite)?,
            vec!["ok".to_string()]
        );
    }
    Ok(())
}

#[test]
fn concurrent_returns_one_wins_other_conflicts() -> R {
    let (s, results) = race([("return", None), ("return", None)])?;
    check_one_winner(&s, &results)?;
    assert_eq!(
        s.core.app_show(&s.firm, s.id, now())?.state,
        AppState::Returned
    );
    Ok(())
}

#[test]
fn concurrent_return_and_reject_one_wins_other_conflicts() -> R {
    let (s, results) = race([("return", None), ("reject", None)])?;
    check_one_winner(&s, &results)
}

#[test]
fn concurrent_approvals_one_wins_other_conflicts() -> R {
    let (s, results) = race([("approve", Some(5)), ("approve", Some(4))])?;
    check_one_winner(&s, &results)?;
    let app = s.core.app_show(&s.admin, s.id, now())?;
    assert_eq!((app.state, app.stage), (AppState::InReview, Some(1)));
    Ok(())
}

/// The same situation without threads: deciding a stage already decided by a colleague of the
/// same department is a conflict, whatever the first verdict was.
#[test]
fn decide_after_colleague_approved_is_conflict() -> R {
    let mut s = race_setup()?;
    s.core
        .review_decide(&s.r1, s.id, &decision("approve", Some(5)), now())?;
    let r = s
        .core
        .review_decide(&s.r2, s.id, &decision("approve", Some(5)), now());
    assert_eq!(kind(r), Some(ErrorKind::Conflict));
    Ok(())
}

#[test]
fn stale_expect_version_on_app_update_is_conflict_and_changes_nothing() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let c = clerk(&mut core, &admin, "clerk", "511802")?;
    let code = register(&mut core, &c, 1, "雨城甲商贸有限公司")?;
    let firm = user(&mut core, &admin, "firm", "firm", None, Some(&code), None)?;
    let id = draft(&mut core, &firm, &code, "production", 5, 1, 0)?;
    let mut other = open_again(dir.path())?;
    let seen = other.app_show(&c, id, now())?.version;

    let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, now());
    plan["emergency_plan"] = "企业填报人的修改".into();
    let mine = core.app_update(&firm, id, &plan, Some(seen), now())?;
    assert_eq!(mine.version, seen + 1);
    let events = audit_len(&core, &admin);

    plan["emergency_plan"] = "窗口人员基于旧版本的修改".into();
    let r = other.app_update(&c, id, &plan, Some(seen), hours(1));
    assert_eq!(kind(r), Some(ErrorKind::Conflict));
    let after = core.app_show(&admin, id, now())?;
    assert_eq!(after.version, seen + 1);
    assert_eq!(after.plan.emergency_plan, "企业填报人的修改");
    assert_eq!(audit_len(&core, &admin), events);
    // Stale versions are refused on submit and roster replace too.
    assert_eq!(
        kind(other.app_submit(&c, id, Some(seen), hours(1))),
        Some(ErrorKind::Conflict)
    );
    let csv = demo_roster_csv(5, 1, 0, 1, today());
    assert_eq!(
        kind(other.app_roster_replace(&c, id, "r.csv", csv.as_bytes(), Some(seen), hours(1))),
        Some(ErrorKind::Conflict)
    );
    assert_eq!(core.app_show(&admin, id, now())?.version, seen + 1);
    Ok(())
}

/// Registers, files and fully approves `n` applications of 511802 through `core`.
fn approved_apps(core: &mut Reopen, admin: &Actor, n: u32) -> R<(Actor, Vec<i64>)> {
    let c = clerk(core, admin, "clerk", "511802")?;
    let swj = reviewer(core, admin, "swj", "511802-SWJ")?;
    let zhb = reviewer(core, admin, "zhb", "511802-ZHB")?;
    let mut ids = Vec::new();
    for k in 1..=n {
        let code = register(core, &c, k, &format!("雨城并发商贸{k}有限公司"))?;
        let id = submitted(core, &c, &code, "daily_necessities", 5, 1, 0)?;
        core.review_decide(&swj, id, &decision("approve", Some(5)), now())?;
        core.review_decide(&zhb, id, &decision("approve", None), now())?;
        ids.push(id);
    }
    Ok((c, ids))
}

/// Two issuers at two counters of one jurisdiction, each on its own connection, issue at once:
/// the numbers are unique and leave no gap (no number is lost to a rolled-back issue either).
#[test]
fn concurrent_issuers_get_gapless_unique_numbers() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let (c, ids) = approved_apps(&mut core, &admin, 8)?;
    let c2 = clerk(&mut core, &admin, "clerk2", "511802")?;
    let (left, right) = ids.split_at(4);
    let mut k1 = open_again(dir.path())?;
    let mut k2 = open_again(dir.path())?;
    let barrier = Barrier::new(2);
    let issue = |k: &mut Reopen, who: &Actor, ids: &[i64]| -> Vec<String> {
        barrier.wait();
        ids.iter()
            .map(|id| k.cert_issue(who, *id, now()).expect("issued").number)
            .collect()
    };
    let (n1, n2) = std::thread::scope(|sc| {
        let h1 = sc.spawn(|| issue(&mut k1, &c, left));
        let h2 = sc.spawn(|| issue(&mut k2, &c2, right));
        (h1.join().unwrap(), h2.join().unwrap())
    });
    let mut seqs: Vec<u32> = n1
        .iter()
        .chain(&n2)
        .map(|n| {
            n.trim_end_matches('号')
                .rsplit('〕')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("a number: {n}"))
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=8).collect::<Vec<u32>>(), "{n1:?} {n2:?}");
    assert!(core.audit_verify(&admin)?.ok);
    Ok(())
}

/// Several writers on their own connections append to the audit log at once: one chain, every
/// event in it, and it verifies.
#[test]
fn concurrent_writers_extend_one_audit_chain() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let before = audit_len(&core, &admin);
    let writers = 3;
    let each = 5;
    let barrier = Barrier::new(writers);
    std::thread::scope(|sc| {
        for w in 0..writers {
            let barrier = &barrier;
            let admin = &admin;
            let dir = dir.path();
            sc.spawn(move || {
                let mut k = open_again(dir).expect("opened");
                barrier.wait();
                for i in 0..each {
                    let u = NewUser {
                        name: format!("w{w}u{i}"),
                        role: "leader".into(),
                        department: None,
                        firm: None,
                        division: Some("511802".into()),
                        password: Some(PW.into()),
                    };
                    k.user_add(admin, &u, now()).expect("added");
                }
            });
        }
    });
    assert_eq!(audit_len(&core, &admin), before + writers * each);
    let report = core.audit_verify(&admin)?;
    assert!(report.ok, "{report:?}");
    let _ = &mut core;
    Ok(())
}

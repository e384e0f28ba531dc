//! Several `reopen` processes on one database at the same time (spawned together, then waited
//! for): parallel certificate issues get unique, gapless numbers; two reviewers deciding the same
//! application, or two edits from the same version, give one winner (exit 0) and one conflict
//! (exit 5, a clear message); and contention itself never escapes as an error: the conflicts seen
//! are exactly the conflicts expected, and no process exits 1 or reports a busy database.
//! The applications are prepared through the core library.

use chrono::{TimeZone, Utc};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use reopen_core::service::{local_date, Decision, NewUser};
use serde_json::Value;

use crate::certs::{keys_args, open_core};
use crate::support::*;

/// Applications of 511802 ready for the races.
pub(super) struct Town {
    pub env: Env,
    pub approved: Vec<i64>,
    pub in_review: Vec<i64>,
    pub drafts: Vec<i64>,
}

/// Users `clerk`, `clerk2` (511802), `swj`, `swj2` (511802-SWJ), `zhb` (511802-ZHB), password PW;
/// `approved` fully approved applications, `in_review` ones pending at stage 1 (SWJ), `drafts`
/// drafts with their roster.
pub(super) fn town(approved: u32, in_review: u32, drafts: u32) -> Town {
    let env = Env::new();
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    let mut core = open_core(&env);
    let admin = core.login("admin", ADMIN_PW, now).unwrap();
    let mut add = |name: &str, role: &str, dep: Option<&str>, div: Option<&str>| {
        let u = NewUser {
            name: name.into(),
            role: role.into(),
            department: dep.map(Into::into),
            division: div.map(Into::into),
            password: Some(PW.into()),
            ..Default::default()
        };
        core.user_add(&admin, &u, now).unwrap();
        core.raw()
            .exec(
                "UPDATE users SET must_change = 0 WHERE name = ?1",
                reopen_core::args![name],
            )
            .unwrap();
        core.login(name, PW, now).unwrap()
    };
    let clerk = add("clerk", "clerk", None, Some("511802"));
    add("clerk2", "clerk", None, Some("511802"));
    let swj = add("swj", "reviewer", Some("511802-SWJ"), None);
    add("swj2", "reviewer", Some("511802-SWJ"), None);
    let zhb = add("zhb", "reviewer", Some("511802-ZHB"), None);
    let yes = |h: Option<i64>| Decision {
        verdict: "approve".into(),
        opinion: "同意".into(),
        headcount: h,
        conditions: None,
        expect_version: None,
    };
    let mut t = Town {
        env,
        approved: Vec::new(),
        in_review: Vec::new(),
        drafts: Vec::new(),
    };
    for i in 0..approved + in_review + drafts {
        let code = demo_credit_code("511802", 500 + i);
        let firm = serde_json::json!({"credit_code": code, "name": format!("雅安雨城第{}并发商贸有限公司", i + 1),
            "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号", "industry": "52",
            "legal_representative": "张三", "principal": {"name": "张三", "phone": "13800000000"},
            "contact": {"name": "李四", "phone": "13900000000"}, "staff_total": 20, "city_managed": false});
        core.firm_register(&clerk, &firm, now).unwrap();
        let app = core
            .app_create(
                &clerk,
                &code,
                &demo_plan("daily_necessities", 5, 1, 0, "张三", now),
                now,
            )
            .unwrap();
        let csv = demo_roster_csv(5, 1, 0, 60 + i, local_date(now));
        core.app_roster_replace(&clerk, app.id, "r.csv", csv.as_bytes(), None, now)
            .unwrap();
        if i >= approved + in_review {
            t.drafts.push(app.id);
            continue;
        }
        core.app_submit(&clerk, app.id, None, now).unwrap();
        if i >= approved {
            t.in_review.push(app.id);
            continue;
        }
        core.review_decide(&swj, app.id, &yes(Some(5)), now)
            .unwrap();
        core.review_decide(&zhb, app.id, &yes(None), now).unwrap();
        t.approved.push(app.id);
    }
    t
}

/// Exit codes and conflicts of a batch of processes run at once.
#[derive(Default, Debug)]
struct Tally {
    ok: usize,
    conflicts: usize,
}

impl Tally {
    /// Counts one finished process: success or a clear conflict; anything else fails the test.
    fn add(&mut self, what: &str, r: &Run) {
        match r.code {
            0 => self.ok += 1,
            5 => {
                let e = r.error();
                assert_eq!(e["kind"], "conflict", "{what}: {r:?}");
                let msg = e["message"].as_str().unwrap_or("");
                assert!(has_cjk(msg), "{what}: the conflict is not explained: {r:?}");
                self.conflicts += 1;
            }
            _ => panic!(
                "{what}: neither done nor a conflict (exit {}): {r:?}",
                r.code
            ),
        }
        // Contention is waited out (busy timeout), never reported.
        for busy in [
            "数据库正被其他操作占用",
            "database is locked",
            "database is busy",
        ] {
            assert!(
                !r.stderr.contains(busy),
                "{what}: contention escaped as an error: {r:?}"
            );
        }
    }
}

/// Starts every command at once, then waits for all; returns them in order.
fn at_once(env: &Env, cmds: &[(String, Vec<String>)]) -> Vec<Run> {
    let children: Vec<_> = cmds
        .iter()
        .map(|(user, args)| {
            // `--keys DIR` on PostgreSQL (a global flag; a file's keys are found beside it).
            let keys = keys_args(env);
            let args: Vec<&str> = args.iter().chain(&keys).map(String::as_str).collect();
            env.spawn_as(user, &args)
        })
        .collect();
    children.into_iter().map(finish).collect()
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn issue_cmds(ids: &[i64]) -> Vec<(String, Vec<String>)> {
    ids.iter()
        .enumerate()
        .map(|(k, id)| {
            let clerk = if k % 2 == 0 { "clerk" } else { "clerk2" };
            (clerk.to_string(), args(&["cert", "issue", &id.to_string()]))
        })
        .collect()
}

fn decide_cmds(id: i64) -> Vec<(String, Vec<String>)> {
    let id = id.to_string();
    vec![
        (
            "swj".into(),
            args(&[
                "review",
                "decide",
                &id,
                "--approve",
                "--opinion",
                "同意复工",
                "--headcount",
                "5",
            ]),
        ),
        (
            "swj2".into(),
            args(&[
                "review",
                "decide",
                &id,
                "--return",
                "--opinion",
                "材料不全,请补充",
            ]),
        ),
    ]
}

/// Two edits of `id` from the same version, each with its own emergency plan text.
fn edit_cmds(env: &Env, id: i64, round: usize) -> Vec<(String, Vec<String>)> {
    let version = env.show("clerk", id)["version"].as_i64().unwrap();
    let now = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap();
    ["clerk", "clerk2"]
        .iter()
        .enumerate()
        .map(|(k, user)| {
            let mut plan = demo_plan("daily_necessities", 5, 1, 0, "张三", now);
            plan["emergency_plan"] = edit_text(round, k).into();
            let file = env.write_json(&format!("plan-{id}-{round}-{k}.json"), &plan);
            (
                user.to_string(),
                args(&[
                    "app",
                    "update",
                    &id.to_string(),
                    "--file",
                    file.to_str().unwrap(),
                    "--expect-version",
                    &version.to_string(),
                ]),
            )
        })
        .collect()
}

fn edit_text(round: usize, k: usize) -> String {
    format!("第{round}轮第{k}位经办人的修改:发现发热人员立即报告")
}

fn check_issues(runs: &[Run], tally: &mut Tally) -> Vec<u64> {
    let mut seqs = Vec::new();
    for r in runs {
        tally.add("cert issue", r);
        if r.code == 0 {
            seqs.push(r.json()["seq"].as_u64().unwrap());
        }
    }
    seqs.sort_unstable();
    seqs
}

/// Exactly one of the two decisions won; the application shows the winner's verdict.
fn check_decision(env: &Env, id: i64, runs: &[Run], tally: &mut Tally) {
    let before = tally.conflicts;
    tally.add("review decide (approve)", &runs[0]);
    tally.add("review decide (return)", &runs[1]);
    assert_eq!(
        tally.conflicts - before,
        1,
        "one winner, one conflict: {runs:?}"
    );
    let app = env.show("admin", id);
    if runs[0].code == 0 {
        assert_eq!(app["state"], "in_review", "the approval won: {app}");
        assert_eq!(app["stage"], 1, "{app}");
    } else {
        assert_eq!(app["state"], "returned", "the return won: {app}");
    }
}

/// Exactly one of the two edits won; the plan is the winner's.
fn check_edit(env: &Env, id: i64, round: usize, version: i64, runs: &[Run], tally: &mut Tally) {
    let before = tally.conflicts;
    for r in runs {
        tally.add("app update", r);
    }
    assert_eq!(
        tally.conflicts - before,
        1,
        "one winner, one conflict: {runs:?}"
    );
    let winner = runs.iter().position(|r| r.code == 0).unwrap();
    let app: Value = env.show("admin", id);
    assert_eq!(app["version"].as_i64().unwrap(), version + 1, "{app}");
    assert_eq!(app["plan"]["emergency_plan"], edit_text(round, winner));
}

#[test]
fn eight_clerk_processes_issue_at_once_unique_gapless_numbers() {
    let t = town(8, 0, 0);
    let mut tally = Tally::default();
    let runs = at_once(&t.env, &issue_cmds(&t.approved));
    let seqs = check_issues(&runs, &mut tally);
    // Different applications: nothing to conflict about.
    assert_eq!(tally.conflicts, 0, "{runs:?}");
    assert_eq!(seqs, (1..=8).collect::<Vec<u64>>(), "unique and gapless");
    t.env.as_("admin", &["audit", "verify"]).ok();
}

#[test]
fn two_reviewers_deciding_at_once_one_wins_the_other_gets_a_conflict() {
    let t = town(0, 3, 0);
    let mut tally = Tally::default();
    for id in &t.in_review {
        let runs = at_once(&t.env, &decide_cmds(*id));
        check_decision(&t.env, *id, &runs, &mut tally);
    }
    assert_eq!((tally.ok, tally.conflicts), (3, 3));
    t.env.as_("admin", &["audit", "verify"]).ok();
}

#[test]
fn two_edits_from_the_same_version_one_wins_the_other_gets_a_conflict() {
    let t = town(0, 0, 1);
    let id = t.drafts[0];
    let mut tally = Tally::default();
    for round in 0..3 {
        let version = t.env.show("clerk", id)["version"].as_i64().unwrap();
        let runs = at_once(&t.env, &edit_cmds(&t.env, id, round));
        check_edit(&t.env, id, round, version, &runs, &mut tally);
    }
    assert_eq!((tally.ok, tally.conflicts), (3, 3));
}

/// Everything at once: 8 issues, 2 decisions on one application and 2 edits of another. The
/// conflicts seen are the conflicts expected (one per race), and none is a busy database.
#[test]
fn twelve_processes_at_once_conflicts_seen_match_conflicts_expected() {
    let t = town(8, 1, 1);
    let (review, draft) = (t.in_review[0], t.drafts[0]);
    let version = t.env.show("clerk", draft)["version"].as_i64().unwrap();
    let mut cmds = issue_cmds(&t.approved);
    cmds.extend(decide_cmds(review));
    cmds.extend(edit_cmds(&t.env, draft, 0));
    let runs = at_once(&t.env, &cmds);

    let mut tally = Tally::default();
    let seqs = check_issues(&runs[..8], &mut tally);
    assert_eq!(seqs, (1..=8).collect::<Vec<u64>>(), "unique and gapless");
    check_decision(&t.env, review, &runs[8..10], &mut tally);
    check_edit(&t.env, draft, 0, version, &runs[10..12], &mut tally);
    let expected = 2;
    assert_eq!(
        tally.conflicts, expected,
        "conflicts seen {} vs expected {expected}: {runs:?}",
        tally.conflicts
    );
    assert_eq!(tally.ok, 10);
    let v = t.env.as_("admin", &["audit", "verify"]).ok().json();
    assert_eq!(v["ok"], true, "{v}");
}

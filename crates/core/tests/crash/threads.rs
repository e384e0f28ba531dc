//! Two threads, two connections on one file, at the same instant (a barrier): certificate issues
//! and edits. Decisions racing each other are covered in tests/core/concurrency.rs.

use std::sync::Barrier;

use reopen_core::ErrorKind;

use super::*;

/// A database with `n` fully approved applications; the clerk, and the path.
fn approved(n: u32) -> R<(tempfile::TempDir, PathBuf, Vec<i64>, Actor)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("t.db");
    prepare(&db)?;
    let mut core = Reopen::open(&db)?;
    let s = login_staff(&mut core)?;
    let mut ids: Vec<i64> = {
        let mut st = core
            .raw()
            .sqlite()
            .expect("the crash tests run on a SQLite file")
            .prepare("SELECT id FROM applications ORDER BY id")?;
        let v = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        v
    };
    for k in 5..=n {
        let code = demo_credit_code("511802", k);
        core.firm_register(
            &s.clerk,
            &firm_json(&code, &format!("雨城第{k}号商贸有限公司")),
            now(),
        )?;
        let plan = demo_plan("daily_necessities", 5, 1, 0, "王建国", now());
        let app = core.app_create(&s.clerk, &code, &plan, now())?;
        let csv = demo_roster_csv(5, 1, 0, u32::try_from(app.id)? * 7 + 3, local_date(now()));
        core.app_roster_replace(&s.clerk, app.id, "r.csv", csv.as_bytes(), None, now())?;
        core.app_submit(&s.clerk, app.id, None, now())?;
        ids.push(app.id);
    }
    ids.truncate(n as usize);
    let yes = |h: Option<i64>| Decision {
        verdict: "approve".into(),
        opinion: "同意".into(),
        headcount: h,
        conditions: None,
        expect_version: None,
    };
    for id in &ids {
        core.review_decide(&s.swj, *id, &yes(Some(5)), now())?;
        core.review_decide(&s.zhb, *id, &yes(None), now())?;
    }
    Ok((dir, db, ids, s.clerk))
}

#[test]
fn two_connections_issuing_different_certificates_get_gapless_numbers() -> R {
    let (_dir, db, ids, clerk) = approved(8)?;
    let barrier = Barrier::new(2);
    let halves = [ids[..4].to_vec(), ids[4..].to_vec()];
    let results: Vec<reopen_core::Result<u32>> = std::thread::scope(|sc| {
        let hs: Vec<_> = halves
            .iter()
            .map(|half| {
                let (db, clerk, barrier) = (&db, &clerk, &barrier);
                sc.spawn(move || {
                    let mut core = Reopen::open(db).unwrap();
                    barrier.wait();
                    half.iter()
                        .map(|id| core.cert_issue(clerk, *id, now()).map(|c| c.seq))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut seqs: Vec<u32> = results
        .into_iter()
        .map(|r| r.map_err(|e| format!("an issue failed under contention: {e:?}")))
        .collect::<Result<_, _>>()?;
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=8).collect::<Vec<u32>>(), "distinct and gapless");
    check_db(&db, &[], "two issuers")?;
    Ok(())
}

#[test]
fn two_connections_issuing_the_same_certificate_one_wins_and_no_number_is_lost() -> R {
    let (_dir, db, ids, clerk) = approved(2)?;
    for id in ids {
        let barrier = Barrier::new(2);
        let results: Vec<reopen_core::Result<u32>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let (db, clerk, barrier) = (&db, &clerk, &barrier);
                    sc.spawn(move || {
                        let mut core = Reopen::open(db).unwrap();
                        barrier.wait();
                        core.cert_issue(clerk, id, now()).map(|c| c.seq)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let oks = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(oks, 1, "exactly one issue wins: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(loser.kind, ErrorKind::Conflict, "{loser:?}");
    }
    // Two certificates, numbered 1 and 2: the losers consumed no number.
    check_db(&db, &[], "same certificate")?;
    let core = Reopen::open(&db)?;
    assert_eq!(
        count(
            core.raw().sqlite().expect("a SQLite file"),
            "SELECT max(last) FROM cert_sequences"
        )?,
        2
    );
    Ok(())
}

#[test]
fn two_connections_editing_with_the_same_version_one_wins() -> R {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("t.db");
    prepare(&db)?;
    let mut core = Reopen::open(&db)?;
    let s = login_staff(&mut core)?;
    let code = demo_credit_code("511802", 9);
    core.firm_register(&s.clerk, &firm_json(&code, "雨城第9号商贸有限公司"), now())?;
    let plan = demo_plan("daily_necessities", 5, 1, 0, "王建国", now());
    let id = core.app_create(&s.clerk, &code, &plan, now())?.id;
    for round in 0..3 {
        let seen = core.app_show(&s.clerk, id, now())?.version;
        let barrier = Barrier::new(2);
        let results: Vec<reopen_core::Result<i64>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..2)
                .map(|k| {
                    let (db, clerk, barrier) = (&db, &s.clerk, &barrier);
                    let mut p = plan.clone();
                    p["emergency_plan"] =
                        format!("第{round}轮第{k}人的修改:发现发热立即报告").into();
                    sc.spawn(move || {
                        let mut core = Reopen::open(db).unwrap();
                        barrier.wait();
                        core.app_update(clerk, id, &p, Some(seen), now())
                            .map(|a| a.version)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winner = results.iter().position(|r| r.is_ok());
        let oks = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(oks, 1, "exactly one edit wins: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(loser.kind, ErrorKind::Conflict, "{loser:?}");
        let after = core.app_show(&s.clerk, id, now())?;
        assert_eq!(after.version, seen + 1);
        assert_eq!(
            after.plan.emergency_plan,
            format!("第{round}轮第{}人的修改:发现发热立即报告", winner.unwrap())
        );
    }
    check_db(&db, &[], "edits")?;
    Ok(())
}

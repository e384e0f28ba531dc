//! Issue 15, item 1: what a reviewer has in front of them. The queue searched by a firm's name or
//! credit code (on both engines), its county, industry, resubmission and time-left columns, the
//! attachments a reviewer of the application may read (and one of another department may not),
//! the roster by health concern, and the policy's stock phrases.

use reopen_core::service::{QueueFilter, RosterConcern, RosterFilter};
use reopen_core::ErrorKind;

use super::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Office {
    _dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    clerk: Actor,
    swj: Actor,
    jxj: Actor,
}

fn office() -> R<Office> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let jxj = reviewer(&mut core, &admin, "jxj", "511802-JXJ")?;
    Ok(Office {
        _dir: dir,
        core,
        admin,
        clerk,
        swj,
        jxj,
    })
}

fn search(o: &Office, s: &str) -> R<Vec<i64>> {
    let f = QueueFilter {
        search: Some(s.into()),
        ..Default::default()
    };
    let mut ids: Vec<i64> = o
        .core
        .review_queue(&o.swj, &f, hours(1))?
        .iter()
        .map(|r| r.application_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

#[test]
fn the_queue_is_searched_by_name_fragment_or_credit_code() -> R {
    let mut o = office()?;
    let c1 = register(&mut o.core, &o.clerk, 1, "雨城青衣江超市有限公司")?;
    let c2 = register(&mut o.core, &o.clerk, 2, "雅安蒙顶百货商行")?;
    let c3 = register(&mut o.core, &o.clerk, 3, "雨城100%便民店")?;
    let a1 = submitted(&mut o.core, &o.clerk, &c1, "production", 3, 0, 0)?;
    let a2 = submitted(&mut o.core, &o.clerk, &c2, "production", 3, 0, 0)?;
    let a3 = submitted(&mut o.core, &o.clerk, &c3, "production", 3, 0, 0)?;
    // Three characters and more (SQLite's trigram table), two (LIKE), one.
    assert_eq!(search(&o, "青衣江")?, vec![a1]);
    assert_eq!(search(&o, "蒙顶")?, vec![a2]);
    assert_eq!(search(&o, "雨")?, vec![a1, a3]);
    assert_eq!(search(&o, "  百货商行 ")?, vec![a2], "trimmed");
    // A wildcard is the character itself.
    assert_eq!(search(&o, "100%")?, vec![a3]);
    assert_eq!(search(&o, "%")?, vec![a3]);
    assert_eq!(search(&o, "_")?, Vec::<i64>::new());
    // The whole credit code, a prefix of it, lower-case as typed.
    assert_eq!(search(&o, &c2)?, vec![a2]);
    assert_eq!(search(&o, &c3.to_ascii_lowercase())?, vec![a3]);
    let common = &c1[..10];
    assert_eq!(&c2[..10], common, "demo codes of one county share a prefix");
    assert_eq!(search(&o, common)?, vec![a1, a2, a3]);
    assert_eq!(search(&o, "91999")?, Vec::<i64>::new());
    assert_eq!(search(&o, "无此企业")?, Vec::<i64>::new());
    // Blank is no search; control characters are dropped.
    assert_eq!(search(&o, "   ")?, vec![a1, a2, a3]);
    assert_eq!(search(&o, "蒙\u{0}顶")?, vec![a2]);
    // Search with the other filters: decided ones only, then pending ones only.
    o.core
        .review_decide(&o.swj, a2, &decision("return", None), hours(1))?;
    let f = |pending| QueueFilter {
        search: Some("雅安蒙顶".into()),
        pending: Some(pending),
        ..Default::default()
    };
    let decided = o.core.review_queue(&o.swj, &f(false), hours(2))?;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].application_id, a2);
    assert!(o.core.review_queue(&o.swj, &f(true), hours(2))?.is_empty());
    // Too long a search is refused on its field.
    let long = QueueFilter {
        search: Some("长".repeat(51)),
        ..Default::default()
    };
    assert_eq!(
        fields(o.core.review_queue(&o.swj, &long, hours(1))),
        vec!["search"]
    );
    // Another department's queue finds nothing of these.
    let f = QueueFilter {
        search: Some("青衣江".into()),
        ..Default::default()
    };
    assert!(o.core.review_queue(&o.jxj, &f, hours(1))?.is_empty());
    Ok(())
}

#[test]
fn queue_rows_carry_county_industry_resubmission_and_time_left() -> R {
    let mut o = office()?;
    let c1 = register(&mut o.core, &o.clerk, 1, "雨城甲商贸有限公司")?;
    let a1 = submitted(&mut o.core, &o.clerk, &c1, "production", 3, 0, 0)?;
    let q = o
        .core
        .review_queue(&o.swj, &QueueFilter::default(), hours(19))?;
    let r = &q[0];
    assert_eq!(
        (r.division.as_str(), r.division_name.as_str()),
        ("511802", "雨城区")
    );
    assert_eq!(
        (r.industry.as_str(), r.industry_name.as_str()),
        ("52", "零售业")
    );
    assert_eq!(r.credit_code, c1);
    assert_eq!(r.submission_no, 1);
    // Opened at now() with 24 hours: 5 hours left at hour 19, 2 hours past at hour 26.
    assert_eq!(r.minutes_left, Some(5 * 60));
    assert_eq!(
        r.time_left.as_ref().map(|t| t.zh.as_str()),
        Some("剩余 5 小时")
    );
    let q = o
        .core
        .review_queue(&o.swj, &QueueFilter::default(), hours(26))?;
    assert_eq!(
        q[0].time_left.as_ref().map(|t| t.zh.as_str()),
        Some("已超时 2 小时")
    );
    assert!(q[0].overdue);

    // Returned and resubmitted: the new task is submission 2; the decided one has no time left.
    o.core
        .review_decide(&o.swj, a1, &decision("return", None), hours(1))?;
    o.core.app_submit(&o.clerk, a1, None, hours(2))?;
    let q = o
        .core
        .review_queue(&o.swj, &QueueFilter::default(), hours(3))?;
    assert_eq!(
        q.iter()
            .map(|r| (r.submission_no, r.time_left.as_ref().map(|t| t.zh.clone())))
            .collect::<Vec<_>>(),
        vec![(2, Some("剩余 23 小时".to_string())), (1, None)]
    );
    Ok(())
}

#[test]
fn a_reviewer_of_the_application_reads_its_attachments_and_no_other_department_does() -> R {
    let mut o = office()?;
    let c1 = register(&mut o.core, &o.clerk, 1, "雨城甲商贸有限公司")?;
    let id = draft(&mut o.core, &o.clerk, &c1, "production", 3, 0, 0)?;
    o.core
        .app_attach(&o.clerk, id, "营业执照.pdf", PDF, now())?;
    // Before submission no reviewer sees it.
    assert_eq!(
        kind(o.core.app_attachments(&o.swj, id)),
        Some(ErrorKind::Forbidden)
    );
    o.core.app_submit(&o.clerk, id, None, now())?;
    let list = o.core.app_attachments(&o.swj, id)?;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].name.as_str(), list[0].size),
        ("营业执照.pdf", PDF.len() as i64)
    );
    let (meta, bytes) = o.core.app_attachment(&o.swj, id, "营业执照.pdf")?;
    assert_eq!(bytes, PDF);
    assert_eq!(meta.mime, "application/pdf");
    // A reviewer of a department the application never went to.
    assert_eq!(
        kind(o.core.app_attachments(&o.jxj, id)),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        kind(o.core.app_attachment(&o.jxj, id, "营业执照.pdf")),
        Some(ErrorKind::Forbidden)
    );
    // After the decision the deciding department still reads it.
    o.core
        .review_decide(&o.swj, id, &decision("reject", None), hours(1))?;
    assert_eq!(o.core.app_attachment(&o.swj, id, "营业执照.pdf")?.1, PDF);
    assert_eq!(
        kind(o.core.app_attachment(&o.swj, id, "无此附件.pdf")),
        Some(ErrorKind::NotFound)
    );
    Ok(())
}

#[test]
fn the_roster_is_filtered_by_health_concern_with_counts() -> R {
    let mut o = office()?;
    let c1 = register(&mut o.core, &o.clerk, 1, "雨城甲商贸有限公司")?;
    // Ten people: four from elsewhere, two of them from Hubei and under observation.
    let id = submitted(&mut o.core, &o.clerk, &c1, "production", 10, 4, 2)?;
    let all = o.core.review_roster(&o.swj, id, &RosterFilter::default())?;
    assert_eq!(all.total, 10);
    assert_eq!(
        (
            all.counts.all,
            all.counts.fever,
            all.counts.observation,
            all.counts.key_area
        ),
        (10, 0, 2, 2)
    );
    let key = o.core.review_roster(
        &o.swj,
        id,
        &RosterFilter {
            health: Some(RosterConcern::KeyArea),
            ..Default::default()
        },
    )?;
    assert_eq!(key.total, 2);
    assert!(key
        .rows
        .iter()
        .all(|r| r.masked.from_region.starts_with("湖北省")));
    // Numbers stay those of the whole roster; ID numbers stay masked.
    assert_eq!(
        key.rows.iter().map(|r| r.row_no).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(key.rows[0].masked.id_number.contains('*'));
    let page = o.core.review_roster(
        &o.swj,
        id,
        &RosterFilter {
            health: None,
            limit: Some(3),
            offset: Some(9),
        },
    )?;
    assert_eq!(
        (page.total, page.rows.len(), page.rows[0].row_no),
        (10, 1, 10)
    );
    let fever = o.core.review_roster(
        &o.swj,
        id,
        &RosterFilter {
            health: Some(RosterConcern::Fever),
            ..Default::default()
        },
    )?;
    assert_eq!((fever.total, fever.rows.len()), (0, 0));
    assert_eq!(
        kind(o.core.review_roster(&o.jxj, id, &RosterFilter::default())),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

#[test]
fn stock_phrases_come_from_the_policy_the_administrator_edits() -> R {
    let mut o = office()?;
    let shipped = o.core.review_phrases(&o.swj)?;
    assert!(!shipped.approve.is_empty() && !shipped.conditions.is_empty());
    assert_eq!(
        kind(o.core.review_phrases(&o.clerk)),
        Some(ErrorKind::Forbidden)
    );
    let mut p = o.core.policy()?;
    p.phrases.reject = vec!["不符合复工条件，不予批准。".into()];
    let text = toml::to_string(&p)?;
    o.core.policy_set(&o.admin, &text, now())?;
    assert_eq!(
        o.core.review_phrases(&o.swj)?.reject,
        vec!["不符合复工条件，不予批准。".to_string()]
    );
    // A blank phrase is refused, naming it, and nothing changes.
    p.phrases.reject = vec![" ".into()];
    let e = o
        .core
        .policy_set(&o.admin, &toml::to_string(&p)?, now())
        .unwrap_err();
    assert_eq!(e.fields[0].field, "phrases.reject[0]", "{e:?}");
    assert_eq!(e.fields[0].message.zh, "不同意时的常用意见第 1 条为空");
    assert_eq!(o.core.review_phrases(&o.swj)?.reject.len(), 1);
    Ok(())
}

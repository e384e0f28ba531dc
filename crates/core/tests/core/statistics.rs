//! Statistics for a day or a range (`reopen stats`), their .xlsx export read back with calamine,
//! and the application list and compliance exports.

use std::io::Cursor;

use super::*;
use calamine::{Data, Reader, Xlsx};
use reopen_core::service::demo::generate;
use reopen_core::service::{stats_workbook, AppFilter, Dim, StatsQuery};

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn q(by: &[Dim]) -> StatsQuery {
    StatsQuery {
        from: None,
        to: None,
        by: by.to_vec(),
    }
}

#[test]
fn stats_by_county_industry_and_category_add_up_and_match_the_dashboard() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    generate(&mut core, "small", now())?;
    let leader = user(
        &mut core,
        &admin,
        "leader",
        "leader",
        None,
        None,
        Some("511800"),
    )?;
    let dash = core.dashboard(&leader, None, None, now())?;
    let today_submitted = dash.trend.last().unwrap().submitted;
    let by_div = core.stats(&leader, &q(&[Dim::Division]), now())?;
    assert_eq!(by_div.from, today());
    assert_eq!(by_div.total.submitted, today_submitted);
    assert_eq!(by_div.total.approved_headcount, dash.approved_headcount);
    let pending = dash
        .by_state
        .iter()
        .find(|c| c.key == "in_review")
        .map(|c| c.count)
        .unwrap_or(0);
    assert_eq!(by_div.total.pending, pending);
    assert_eq!(by_div.total.overdue, dash.overdue.len() as i64);
    assert!(by_div.rows.iter().any(|r| r.labels == ["雨城区"]));
    // Every grouping, and county × industry, has the same totals.
    for by in [
        vec![Dim::Industry],
        vec![Dim::Category],
        vec![Dim::Division, Dim::Industry],
    ] {
        let s = core.stats(&leader, &q(&by), now())?;
        assert_eq!(s.total.submitted, by_div.total.submitted, "{by:?}");
        assert_eq!(s.total.pending, by_div.total.pending, "{by:?}");
        assert_eq!(
            s.total.approved_headcount, by_div.total.approved_headcount,
            "{by:?}"
        );
        let sum: i64 = s.rows.iter().map(|r| r.submitted).sum();
        assert_eq!(sum, s.total.submitted);
        assert!(s
            .rows
            .iter()
            .all(|r| r.keys.len() == by.len() && r.labels.len() == by.len()));
    }
    // A range: the rate by day, one point per day.
    let range = core.stats(
        &leader,
        &StatsQuery {
            from: Some(today() - Duration::days(6)),
            to: Some(today()),
            by: vec![],
        },
        now(),
    )?;
    assert_eq!(range.rate.len(), 7);
    assert!(range.total.submitted >= by_div.total.submitted);
    assert!(range.rate.iter().all(|p| p.rate >= 0.0 && p.rate <= 1.0));
    // One denominator (the firms registered by the end of the range): the demo's ninth firm
    // reopened six days ago (the first day of this range), the others have not yet.
    assert!(range.rate.iter().all(|p| p.firms == 9), "{:?}", range.rate);
    let reopened: Vec<i64> = range.rate.iter().map(|p| p.reopened).collect();
    assert_eq!(reopened, [1; 7], "reopened on the first day of the range");
    // Bad ranges and groupings are refused by field; firms and reviewers may not read statistics.
    let bad = StatsQuery {
        from: Some(today()),
        to: Some(today() + Duration::days(1)),
        by: vec![Dim::Division, Dim::Division],
    };
    let mut f = fields(core.stats(&leader, &bad, now()));
    f.sort();
    assert_eq!(f, ["by", "to"]);
    let swj = reviewer(&mut core, &admin, "swj_x", "511802-SWJ")?;
    assert_eq!(
        kind(core.stats(&swj, &q(&[]), now())),
        Some(ErrorKind::Forbidden)
    );
    // A county's leader sees only the county.
    let county = user(
        &mut core,
        &admin,
        "leader2",
        "leader",
        None,
        None,
        Some("511803"),
    )?;
    let c = core.stats(&county, &q(&[Dim::Division]), now())?;
    assert!(c.rows.iter().all(|r| r.keys == ["511803"]));
    assert_eq!(c.scope, "名山区");
    Ok(())
}

#[test]
fn stats_workbook_reads_back_with_the_same_figures() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    generate(&mut core, "small", now())?;
    let leader = user(
        &mut core,
        &admin,
        "leader",
        "leader",
        None,
        None,
        Some("511800"),
    )?;
    let s = core.stats(&leader, &q(&[Dim::Division]), now())?;
    let bytes = stats_workbook(&s)?;
    let rows = sheet(&bytes, "统计");
    assert!(text(&rows[0][0]).contains("复工复产统计"));
    let head: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(&head[..4], ["县（区）", "提交（件次）", "批准", "不予批准"]);
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let total = rows.last().unwrap();
    assert_eq!(text(&total[0]), "合计");
    assert_eq!(
        text(&total[col("提交（件次）")]),
        s.total.submitted.to_string()
    );
    assert_eq!(text(&total[col("审核中")]), s.total.pending.to_string());
    assert_eq!(
        text(&total[col("核定复工人数")]),
        s.total.approved_headcount.to_string()
    );
    let yc = rows.iter().find(|r| text(&r[0]) == "雨城区").unwrap();
    let yc_row = s.rows.iter().find(|r| r.keys == ["511802"]).unwrap();
    assert_eq!(text(&yc[col("提交（件次）")]), yc_row.submitted.to_string());
    assert_eq!(rows.len(), s.rows.len() + 3, "title, header, rows, total");
    let rate = sheet(&bytes, "复工率");
    assert_eq!(text(&rate[1][0]), "日期");
    // The bulletin workbook has its summary and one sheet per grouping.
    let b = core.bulletin_xlsx(&leader, None, now())?;
    let summary = sheet(&b, "概况");
    assert!(text(&summary[0][0]).contains("复工复产日报"));
    assert!(summary
        .iter()
        .any(|r| text(&r[0]) == "审核中" && text(&r[1]) == s.total.pending.to_string()));
    for name in ["按县（区）", "按行业", "按复工类别", "复工率", "超时未办"] {
        assert!(!sheet(&b, name).is_empty(), "{name}");
    }
    Ok(())
}

#[test]
fn application_list_export_is_the_filtered_list_and_rosters_leave_masked() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    generate(&mut core, "small", now())?;
    let filter = AppFilter {
        state: Some("in_review".into()),
        ..Default::default()
    };
    let listed = core.app_list(&admin, &filter)?;
    let bytes = core.app_list_xlsx(&admin, &filter)?;
    let rows = sheet(&bytes, "申请列表");
    let head: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(&head[..3], ["申请编号", "企业名称", "统一社会信用代码"]);
    assert_eq!(rows.len(), listed.len() + 1);
    assert!(rows[1..].iter().all(|r| text(&r[4]) == "审核中"));
    let ids: Vec<String> = listed.iter().map(|a| a.id.to_string()).collect();
    let got: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(got, ids);
    // A roster export: every ID number and phone masked.
    let id = listed[0].id;
    let full = core.raw().one::<String>(
        "SELECT id_number FROM roster_entries WHERE application_id = ?1 ORDER BY row_no LIMIT 1",
        reopen_core::args![id],
    )?;
    let roster = sheet(&core.roster_xlsx(&admin, id)?, "员工花名册");
    assert_eq!(text(&roster[0][2]), "身份证号");
    assert!(roster.len() > 1);
    for r in &roster[1..] {
        let idn = text(&r[2]);
        assert!(idn.contains('*') && idn.len() == 18 && idn != full, "{idn}");
        assert!(text(&r[3]).contains('*'));
    }
    Ok(())
}

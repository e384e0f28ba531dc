//! Issue 15, item 7: the leader's dashboard — the headline figures (the same numbers as the
//! statistics of the period), every county of the scope even at zero, the default period said as
//! such, and the export read back.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reopen_core::service::demo::generate;
use reopen_core::service::{Dim, StatsQuery};
use reopen_core::ErrorKind;

use super::*;

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{i}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_headline_counts_the_period_and_every_county_is_shown() -> R {
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
    let d = core.dashboard(&leader, None, None, now())?;
    assert!(d.default_period);
    assert_eq!(d.scope, "雅安市");
    assert_eq!((d.to - d.from).num_days(), 13);
    // The same numbers as the statistics of the period.
    let s = core.stats(
        &leader,
        &StatsQuery {
            from: Some(d.from),
            to: Some(d.to),
            by: vec![Dim::Division],
        },
        now(),
    )?;
    let h = &d.headline;
    assert_eq!(
        (
            h.firms,
            h.firms_reopened,
            h.approved_headcount,
            h.in_review,
            h.overdue
        ),
        (
            s.total.firms,
            s.total.firms_reopened,
            s.total.approved_headcount,
            s.total.pending,
            s.total.overdue
        )
    );
    assert_eq!(h.firms, 9, "the small demo's firms");
    assert_eq!(h.in_review, 3);
    assert_eq!(h.overdue, 1, "filed 30 hours ago");
    assert!(h.firms_reopened >= 1 && h.reopening_rate > 0.0 && h.reopening_rate <= 1.0);
    assert!((h.reopening_rate - h.firms_reopened as f64 / h.firms as f64).abs() < 1e-9);
    // All eight counties and districts of Ya'an, by code, 雨城区 holding every application.
    let names: Vec<&str> = d.by_division.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "雨城区",
            "名山区",
            "荥经县",
            "汉源县",
            "石棉县",
            "天全县",
            "芦山县",
            "宝兴县"
        ]
    );
    assert_eq!(d.by_division[0].count, 9);
    assert!(d.by_division[1..].iter().all(|c| c.count == 0));
    // Industry sections by name, not by letter.
    assert!(
        d.by_section
            .iter()
            .any(|c| c.key == "C" && c.label == "制造业"),
        "{:?}",
        d.by_section
    );

    // A chosen period is not the default; the headline's stocks stay those of now.
    let chosen = core.dashboard(&leader, Some(d.from), Some(d.to), now())?;
    assert!(!chosen.default_period);
    assert_eq!(chosen.headline, d.headline);

    // A county's leader: their county only, at zero.
    let county = user(
        &mut core,
        &admin,
        "leader2",
        "leader",
        None,
        None,
        Some("511803"),
    )?;
    let c = core.dashboard(&county, None, None, now())?;
    assert_eq!(c.scope, "名山区");
    assert_eq!(
        c.by_division
            .iter()
            .map(|x| (x.label.as_str(), x.count))
            .collect::<Vec<_>>(),
        vec![("名山区", 0)]
    );
    assert_eq!((c.headline.firms, c.headline.in_review), (0, 0));
    assert_eq!(c.headline.reopening_rate, 0.0);
    Ok(())
}

#[test]
fn the_dashboard_exports_the_numbers_on_screen() -> R {
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
    let d = core.dashboard(&leader, None, None, now())?;
    let bytes = core.dashboard_xlsx(&leader, None, None, now())?;
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone()))?;
    assert_eq!(
        book.sheet_names(),
        vec![
            "概况",
            "按县区",
            "按行业",
            "按类别",
            "按状态",
            "每日趋势",
            "超时未办"
        ]
    );
    let head = sheet(&bytes, "概况");
    assert!(head[0][0].contains("雅安市"), "{head:?}");
    let value = |label: &str| {
        head.iter()
            .find(|r| r[0] == label)
            .map(|r| r[1].clone())
            .unwrap_or_default()
    };
    assert_eq!(value("登记企业"), d.headline.firms.to_string());
    assert_eq!(
        value("核定复工人数"),
        d.headline.approved_headcount.to_string()
    );
    assert_eq!(value("超时未办"), "1");
    let counties = sheet(&bytes, "按县区");
    // Title, header, eight counties, the total.
    assert_eq!(counties.len(), 11, "{counties:?}");
    assert_eq!(counties[1], vec!["县（区）", "申请数"]);
    assert_eq!(counties[10], vec!["合计", "9"]);
    assert_eq!(sheet(&bytes, "每日趋势").len(), 2 + 14);
    assert_eq!(sheet(&bytes, "超时未办").len(), 2 + 1);
    // Only who may read statistics may export them.
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    assert_eq!(
        kind(core.dashboard_xlsx(&swj, None, None, now())),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

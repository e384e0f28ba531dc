//! The daily bulletin 复工复产日报: from a real database with the small demo data, and from a
//! synthetic city-sized bulletin (8 counties, 20 sections, 7 categories, 100 overdue stages).

use super::*;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use reopen_core::documents::render_bulletin;
use reopen_core::service::{
    demo, Bulletin, ComplianceCounts, Dim, NewUser, OverdueRow, RatePoint, Stats, StatsRow,
};
use reopen_core::Reopen;

/// 2020-02-05T01:00:00Z, 09:00 in Ya'an.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0)
        .single()
        .expect("time")
}

/// A database with the small demo data and a city leader logged in.
fn demo_core(dir: &Path) -> (Reopen, reopen_core::domain::auth::Actor) {
    let mut core = Reopen::open(&dir.join("t.db")).expect("open");
    core.init(Some(("admin", "Chief-2020x")), now())
        .expect("init");
    demo::generate(&mut core, "small", now()).expect("demo data");
    let admin = core.login("admin", "Chief-2020x", now()).expect("admin");
    let u = NewUser {
        name: "leader".into(),
        role: "leader".into(),
        department: None,
        firm: None,
        division: Some("511800".into()),
        password: Some("Passw0rd-x".into()),
    };
    core.user_add(&admin, &u, now()).expect("leader");
    let leader = core.login("leader", "Passw0rd-x", now()).expect("login");
    (core, leader)
}

#[test]
fn bulletin_from_the_demo_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (core, leader) = demo_core(dir.path());
    let b = core.bulletin(&leader, None, now()).expect("bulletin");
    assert!(!b.by_division.rows.is_empty(), "demo data has a county");
    let pdf = core
        .bulletin_pdf(&leader, None, fonts(), now())
        .expect("render");
    let path = write(dir.path(), "bulletin.pdf", &pdf);
    qpdf_check(&path);
    let n = pages(&path);
    let text = text_of(&path, None);
    for needle in [
        "复工复产日报",
        b.scope.as_str(),
        "2020年2月5日",
        "合计",
        "各县（区）情况",
        "各行业情况",
        "各复工类别情况",
        "复工率",
        "超时未办事项",
        "生成时间：2020-02-05 09:00",
        // The footer names the system as the policy does.
        "雅安市企业复工复产审批",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
    }
    assert_eq!(b.scope, "雅安市");
    for r in b
        .by_division
        .rows
        .iter()
        .chain(&b.by_category.rows)
        .chain(&b.by_industry.rows)
    {
        // Long section names wrap in their cell: look for their first words.
        let start: String = r.labels[0].chars().take(6).collect();
        assert!(text.contains(&start), "{:?} missing:\n{text}", r.labels);
    }
    // The demo's overdue stage (filed 30 hours ago), its firm named with its county.
    for o in &b.overdue {
        assert!(
            text.contains(&o.firm_name),
            "{} missing:\n{text}",
            o.firm_name
        );
    }
    for p in 1..=n {
        let page = text_of(&path, Some(p));
        assert!(
            page.contains(&format!("第 {p} 页 共 {n} 页")),
            "page number on page {p}:\n{page}"
        );
    }
    let (ok, info) = run("pdfinfo", &["-isodates", &path]);
    assert!(ok, "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("CreationDate:") && l.contains("2020-02-05T01:00:00")),
        "creation date from generated_at:\n{info}"
    );
    assert!(info.contains("595.276 x 841.89"), "A4: {info}");
    // Nothing reads the clock: the same data renders to the same bytes.
    let again = core
        .bulletin_pdf(&leader, None, fonts(), now())
        .expect("render");
    assert!(without_id(&pdf) == without_id(&again), "two renders differ");
}

/// The PDF with its trailer's file identifier blanked: printpdf draws the /ID from a
/// process-wide counter (not the clock), so two documents made by one process differ there only.
fn without_id(pdf: &[u8]) -> Vec<u8> {
    let mut out = pdf.to_vec();
    let at = pdf
        .windows(4)
        .rposition(|w| w == b"/ID[")
        .expect("a trailer /ID");
    let end = at
        + pdf[at..]
            .iter()
            .position(|&c| c == b']')
            .expect("end of /ID");
    out[at + 4..end].fill(b'X');
    out
}

fn row(label: &str, key: &str, i: i64) -> StatsRow {
    StatsRow {
        keys: vec![key.to_string()],
        labels: vec![label.to_string()],
        submitted: 3 * i + 1,
        approved: 2 * i,
        rejected: i % 3,
        returned: i % 2,
        pending: 5 + i,
        overdue: i % 4,
        firms: 1200 + 37 * i,
        firms_reopened: 700 + 29 * i,
        approved_headcount: 24_000 + 1_311 * i,
        key_area_staff: 30 + i,
        under_observation: 12 + i,
        reports: ComplianceCounts::default(),
    }
}

fn stats(by: Dim, rows: Vec<StatsRow>, date: NaiveDate) -> Stats {
    let mut total = StatsRow {
        labels: vec!["合计".into()],
        ..StatsRow::default()
    };
    for r in &rows {
        total.submitted += r.submitted;
        total.approved += r.approved;
        total.rejected += r.rejected;
        total.returned += r.returned;
        total.pending += r.pending;
        total.overdue += r.overdue;
        total.firms += r.firms;
        total.firms_reopened += r.firms_reopened;
        total.approved_headcount += r.approved_headcount;
        total.key_area_staff += r.key_area_staff;
        total.under_observation += r.under_observation;
    }
    Stats {
        from: date,
        to: date,
        by: vec![by],
        scope: "雅安市".into(),
        rows,
        total,
        rate: Vec::new(),
        generated_at: "2020-02-05T01:00:00Z".into(),
    }
}

pub const COUNTIES: [(&str, &str); 8] = [
    ("511802", "雨城区"),
    ("511803", "名山区"),
    ("511822", "荥经县"),
    ("511823", "汉源县"),
    ("511824", "石棉县"),
    ("511825", "天全县"),
    ("511826", "芦山县"),
    ("511827", "宝兴县"),
];

/// A city-sized bulletin with `overdue` overdue stages.
pub fn synthetic(overdue: usize) -> Bulletin {
    let date = NaiveDate::from_ymd_opt(2020, 2, 20).expect("date");
    let counties = COUNTIES
        .iter()
        .enumerate()
        .map(|(i, (k, n))| row(n, k, i as i64))
        .collect();
    let sections = reopen_core::service::SECTION_NAMES
        .iter()
        .enumerate()
        .map(|(i, (k, n))| row(&format!("{k} {n}"), k, i as i64))
        .collect();
    let categories = [
        "疫情防控急需",
        "群众生活必需",
        "城市运行保障",
        "春耕备耕",
        "重点项目",
        "规模以上工业",
        "其他一般企业",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| row(n, n, i as i64))
    .collect();
    let rate = (0..14)
        .map(|i| {
            let firms = 9_000 + 40 * i;
            let reopened = 2_000 + 420 * i;
            RatePoint {
                date: date - Duration::days(13 - i),
                firms,
                reopened,
                rate: reopened as f64 / firms as f64,
            }
        })
        .collect();
    let overdue = (0..overdue)
        .map(|i| OverdueRow {
            application_id: 1000 + i as i64,
            firm_name: format!("雅安市某某新材料科技有限公司第{}分公司", i + 1),
            jurisdiction: COUNTIES[i % 8].0.to_string(),
            jurisdiction_name: COUNTIES[i % 8].1.to_string(),
            department: "雨城区经济和信息化局".into(),
            stage_name: "行业主管部门审核".into(),
            due_at: format!("2020-02-{:02}T{:02}:30:00Z", 10 + i / 24, i % 24),
            green_channel: i % 5 == 0,
        })
        .collect();
    Bulletin {
        date,
        scope: "雅安市".into(),
        system: "雅安市企业复工复产审批".into(),
        generated_at: "2020-02-20T01:00:00Z".into(),
        by_division: stats(Dim::Division, counties, date),
        by_industry: stats(Dim::Industry, sections, date),
        by_category: stats(Dim::Category, categories, date),
        rate,
        reports_date: date - Duration::days(1),
        reports: ComplianceCounts {
            expected: 7_313,
            on_time: 6_900,
            late: 210,
            pending: 0,
            overdue: 150,
            missing: 53,
        },
        open_flags: 17,
        overdue,
    }
}

#[test]
fn a_city_bulletin_with_100_overdue_stages_runs_over_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = synthetic(100);
    let pdf = render_bulletin(&b, fonts()).expect("render");
    let path = write(dir.path(), "city.pdf", &pdf);
    qpdf_check(&path);
    let n = pages(&path);
    assert!(n > 1, "100 overdue rows need more than one page");
    let text = text_of(&path, None);
    for (_, county) in COUNTIES {
        assert!(text.contains(county), "{county} missing:\n{text}");
    }
    for needle in [
        "2020年2月20日",
        "合计",
        "D 电力、热力、燃气及水",
        "T 国际组织",
        "其他一般企业",
        "第100分公司",
        "列出最早的 100 项",
        "2020-02-14 11:30",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
    }
    // The overdue table's header row is repeated on the last page, which is numbered.
    let last = text_of(&path, Some(n));
    assert!(last.contains("企业名称"), "{last}");
    assert!(last.contains(&format!("第 {n} 页 共 {n} 页")), "{last}");
    // No wall clock: the same bulletin renders to the same bytes.
    let again = render_bulletin(&b, fonts()).expect("render");
    assert!(without_id(&pdf) == without_id(&again), "two renders differ");
}

#[test]
fn an_empty_bulletin_says_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = synthetic(0);
    for s in [&mut b.by_division, &mut b.by_industry, &mut b.by_category] {
        s.rows.clear();
        s.total = StatsRow {
            labels: vec!["合计".into()],
            ..StatsRow::default()
        };
    }
    b.rate.clear();
    b.reports = ComplianceCounts::default();
    let pdf = render_bulletin(&b, fonts()).expect("render");
    let path = write(dir.path(), "empty.pdf", &pdf);
    qpdf_check(&path);
    let text = text_of(&path, None);
    assert!(text.contains("无"), "{text}");
    assert!(text.contains("无应报送日报"), "{text}");
    // A bad timestamp is an error, not a clock read.
    b.generated_at = "yesterday".into();
    assert!(render_bulletin(&b, fonts()).is_err());
}

#[test]
#[ignore = "writes sample bulletins to target/doc-samples for a look"]
fn write_bulletin_samples() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/doc-samples");
    std::fs::create_dir_all(&out).expect("dir");
    let dir = tempfile::tempdir().expect("tempdir");
    let (core, leader) = demo_core(dir.path());
    let pdf = core
        .bulletin_pdf(&leader, None, fonts(), now())
        .expect("render");
    std::fs::write(out.join("bulletin-demo.pdf"), pdf).expect("write");
    let t = std::time::Instant::now();
    let pdf = render_bulletin(&synthetic(100), fonts()).expect("render");
    eprintln!("city bulletin: {} bytes in {:?}", pdf.len(), t.elapsed());
    std::fs::write(out.join("bulletin-city.pdf"), pdf).expect("write");
}

//! Document rendering benchmarks: `cargo bench -p reopen-core --bench documents`.
//! The font is parsed once (as the application does); each iteration renders and subsets.
//! `DOCS_PROFILE_N=200 target/release/deps/documents-*` renders 200 certificates and exits,
//! without criterion: a fixed workload for `perf stat -e instructions`, `perf record` or
//! `valgrind --tool=callgrind` (instruction counts stay stable on a loaded machine).

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, Criterion};
use reopen_core::documents::{render_certificate, CertificateDoc, DocFonts};

fn sample(i: u32) -> CertificateDoc {
    let d = |m, day| NaiveDate::from_ymd_opt(2020, m, day).expect("date");
    CertificateDoc {
        title: "复工复产批准通知书".into(),
        number: format!("雨复工〔2020〕{i:04}号"),
        firm_name: "雅安市雨城区蜀通机械制造有限公司".into(),
        credit_code: "91511802MA62A3XK5N".into(),
        address: "四川省雅安市雨城区草坝镇工业园区兴业路18号".into(),
        approved_date: d(2, 20),
        approved_headcount: 86,
        conditions: vec![
            "落实员工每日两次体温检测和健康登记，发现发热、咳嗽等症状立即报告并送医排查。".into(),
            "来自重点地区的员工须居家隔离观察满14天且无异常后方可返岗。".into(),
            "生产车间、食堂、宿舍每日消毒不少于两次，保持通风，实行错峰就餐。".into(),
            "储备不少于7天用量的口罩、消毒液等防疫物资，员工上岗全程佩戴口罩。".into(),
        ],
        departments: vec![
            "雨城区经济和信息化局".into(),
            "雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室".into(),
        ],
        issue_date: d(2, 18),
        issued_at: Utc.with_ymd_and_hms(2020, 2, 18, 2, 30, 0).single().expect("time"),
        qr_payload: format!("REOPEN1:cert=2020-{i:04};firm=91511802MA62A3XK5N;date=2020-02-20;n=86;sig=Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nT25seTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk"),
        mark: None,
        reprint: None,
    }
}

fn bench(c: &mut Criterion) {
    let fonts = DocFonts::load().expect("font");
    let doc = sample(1);
    let bytes = render_certificate(&doc, &fonts).expect("render");
    eprintln!("certificate: {} bytes", bytes.len());
    c.bench_function("certificate", |b| {
        b.iter(|| render_certificate(&doc, &fonts).expect("render"))
    });

    // 1,000 certificates in a batch, timed once.
    let start = Instant::now();
    let mut total = 0usize;
    for i in 1..=1000 {
        total += render_certificate(&sample(i), &fonts)
            .expect("render")
            .len();
    }
    eprintln!(
        "batch: 1000 certificates in {:.2} s, {} KB average",
        start.elapsed().as_secs_f64(),
        total / 1000 / 1024
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
fn main() {
    if let Some(n) = std::env::var("DOCS_PROFILE_N")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let fonts = DocFonts::load().expect("font");
        let mut total = 0usize;
        for i in 1..=n {
            total += render_certificate(&sample(i), &fonts)
                .expect("render")
                .len();
        }
        eprintln!("{n} certificates, {total} bytes");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

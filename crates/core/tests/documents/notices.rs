//! The counter documents: 受理回执, 退回补正告知书, 不予批准决定书.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use reopen_core::documents::{
    case_number, render_notice, NoticeBody, NoticeDoc, NoticeOpinion, ReceiptStage,
};

use super::{fonts, pages, qpdf_check, run, text_of, write};

fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 2, d)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .expect("time")
}

fn doc(body: NoticeBody, departments: &[&str]) -> NoticeDoc {
    NoticeDoc {
        case_number: case_number("雨", 2020, 8),
        application_id: 8,
        submission_no: 1,
        firm_name: "雅安市雨城区蜀通机械制造有限公司".into(),
        credit_code: "91511802MA62A3XK5N".into(),
        category_zh: "企业生产必需".into(),
        planned_date: NaiveDate::from_ymd_opt(2020, 2, 10),
        planned_headcount: 90,
        submitted_at: at(5, 9, 0),
        body,
        departments: departments.iter().map(|s| s.to_string()).collect(),
        date: NaiveDate::from_ymd_opt(2020, 2, 5).expect("date"),
        created: Utc
            .with_ymd_and_hms(2020, 2, 5, 1, 0, 0)
            .single()
            .expect("time"),
    }
}

pub fn receipt() -> NoticeDoc {
    doc(
        NoticeBody::Receipt {
            stages: vec![
                ReceiptStage {
                    name: "行业主管部门审核".into(),
                    departments: "雨城区经济和信息化局".into(),
                },
                ReceiptStage {
                    name: "领导小组办公室会签".into(),
                    departments: "雨城区应对新型冠状病毒肺炎疫情工作领导小组办公室".into(),
                },
            ],
            hours_per_stage: 24,
            green_channel: false,
            deadline: Some(at(7, 9, 0)),
        },
        &["雨城区经济和信息化局"],
    )
}

pub fn return_notice() -> NoticeDoc {
    let mut d = doc(
        NoticeBody::Return {
            decided_at: at(5, 15, 30),
            opinions: vec![NoticeOpinion {
                stage: "行业主管部门审核".into(),
                department: "雨城区经济和信息化局".into(),
                opinion: "口罩储备不足7天用量，请补充口罩储备并更新物资数量。\n花名册中2名来自重点地区的员工隔离观察未满14天，请调整返岗日期。".into(),
            }],
        },
        &["雨城区经济和信息化局"],
    );
    d.date = NaiveDate::from_ymd_opt(2020, 2, 5).expect("date");
    d
}

pub fn rejection() -> NoticeDoc {
    let mut d = doc(
        NoticeBody::Rejection {
            decided_at: at(6, 10, 0),
            opinions: vec![NoticeOpinion {
                stage: "行业主管部门审核".into(),
                department: "雨城区经济和信息化局".into(),
                opinion: "企业所在园区尚未解除封闭管理，且未建立员工健康台账，不具备复工复产条件。"
                    .into(),
            }],
        },
        &["雨城区经济和信息化局"],
    );
    d.submission_no = 2;
    d.date = NaiveDate::from_ymd_opt(2020, 2, 6).expect("date");
    d
}

/// qpdf passes; the Noto font is embedded as a subset with a Unicode map.
fn check_pdf(path: &str) {
    qpdf_check(path);
    let (ok, f) = run("pdffonts", &[path]);
    assert!(ok, "{f}");
    let row = f
        .lines()
        .find(|l| l.contains("NotoSerifSC"))
        .unwrap_or_else(|| panic!("no Noto font:\n{f}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert!(
        cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
        "subset tag: {row}"
    );
    assert!(row.contains("yes yes yes"), "emb/sub/uni: {row}");
}

/// pdftotext -layout may space out justified CJK lines; compare without spaces.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn has_all(text: &str, needles: &[&str]) {
    let t = squeezed(text);
    for n in needles {
        assert!(t.contains(&squeezed(n)), "pdftotext lacks {n:?}:\n{text}");
    }
}

#[test]
fn receipt_shows_the_case_number_the_date_and_the_promised_deadline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = receipt();
    let pdf = render_notice(&d, fonts()).expect("render");
    let path = write(dir.path(), "receipt.pdf", &pdf);
    check_pdf(&path);
    assert_eq!(pages(&path), 1);
    has_all(
        &text_of(&path, None),
        &[
            "复工复产申请受理回执",
            "受理编号：雨复工受〔2020〕8号",
            &d.firm_name,
            &d.credit_code,
            "2020年2月5日9时00分",
            "承诺于2020年2月7日9时00分前办结",
            "每个环节24小时",
            "领导小组办公室会签",
            "雨城区经济和信息化局",
            "2020年2月5日",
        ],
    );
    let (_, info) = run("pdfinfo", &["-isodates", &path]);
    assert!(
        info.contains("2020-02-05T01:00:00"),
        "date from now: {info}"
    );
}

#[test]
fn filing_mode_receipt_says_it_was_settled_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = receipt();
    d.body = NoticeBody::Receipt {
        stages: vec![],
        hours_per_stage: 0,
        green_channel: false,
        deadline: None,
    };
    let path = write(
        dir.path(),
        "filing.pdf",
        &render_notice(&d, fonts()).expect("render"),
    );
    check_pdf(&path);
    let text = text_of(&path, None);
    has_all(&text, &["按备案制办理，已即时办结", "雨复工受〔2020〕8号"]);
    assert!(!squeezed(&text).contains("承诺于"), "{text}");
}

#[test]
fn return_notice_lists_every_opinion_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = return_notice();
    let path = write(
        dir.path(),
        "return.pdf",
        &render_notice(&d, fonts()).expect("render"),
    );
    check_pdf(&path);
    assert_eq!(pages(&path), 1);
    has_all(
        &text_of(&path, None),
        &[
            "复工复产申请退回补正告知书",
            "雨复工受〔2020〕8号",
            &d.firm_name,
            "一次性告知",
            "需要补正的内容",
            "雨城区经济和信息化局（行业主管部门审核）意见：",
            "请补充口罩储备并更新物资数量。",
            "请调整返岗日期。",
            "2020年2月5日15时30分",
        ],
    );
}

#[test]
fn rejection_decision_states_the_reason_and_the_rights_of_appeal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = rejection();
    let path = write(
        dir.path(),
        "rejection.pdf",
        &render_notice(&d, fonts()).expect("render"),
    );
    check_pdf(&path);
    has_all(
        &text_of(&path, None),
        &[
            "复工复产申请不予批准决定书",
            "雨复工受〔2020〕8号",
            &d.firm_name,
            "决定不予批准",
            "不予批准的理由",
            "不具备复工复产条件。",
            "第2次提交",
            "申请行政复议",
            "2020年2月6日",
        ],
    );
}

fn long_return() -> NoticeDoc {
    let mut d = return_notice();
    let long =
        "请逐项补充员工健康监测台账，写明每名员工每日两次的体温、症状和处置情况。".repeat(25);
    if let NoticeBody::Return { opinions, .. } = &mut d.body {
        for i in 0..3 {
            opinions.push(NoticeOpinion {
                stage: format!("第{}环节", i + 2),
                department: "雨城区发展和改革局".into(),
                opinion: format!("{long}第{i}条完。"),
            });
        }
    }
    d
}

#[test]
fn long_opinions_flow_onto_numbered_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = long_return();
    let path = write(
        dir.path(),
        "long.pdf",
        &render_notice(&d, fonts()).expect("render"),
    );
    check_pdf(&path);
    let n = pages(&path);
    assert!(n >= 2, "{n} pages");
    for p in 1..=n {
        has_all(&text_of(&path, Some(p)), &[&format!("第 {p} 页 共 {n} 页")]);
    }
    let all = squeezed(&text_of(&path, None));
    for i in 0..3 {
        assert!(all.contains(&format!("第{i}条完。")), "opinion {i} whole");
    }
}

#[test]
#[ignore = "writes the counter documents to target/doc-samples for a look"]
fn write_notice_samples() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/doc-samples");
    std::fs::create_dir_all(&out).expect("dir");
    for (name, d) in [
        ("receipt.pdf", receipt()),
        ("return-notice.pdf", return_notice()),
        ("rejection.pdf", rejection()),
        ("return-notice-long.pdf", long_return()),
    ] {
        std::fs::write(out.join(name), render_notice(&d, fonts()).expect("r")).expect("w");
    }
}

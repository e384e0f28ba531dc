//! The application form as an 申请审批表: addressed, the commitment the firm accepted on
//! screen, the principal as signer, a box per review stage, no transient state.

use reopen_core::documents::{render_form, render_form_reviewed, COMMITMENT};

use super::samples::{self, reviewed};
use super::{fonts, text_of, write};

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_form_is_addressed_signed_by_the_principal_and_has_a_box_per_stage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::form(3);
    let pdf = render_form_reviewed(&doc, &reviewed(), fonts()).expect("render");
    let path = write(dir.path(), "form.pdf", &pdf);
    let text = text_of(&path, None);
    assert!(
        text.contains("致：雅安市雨城区经济和信息化局"),
        "addressee:\n{text}"
    );
    // The label column holds 统一社会信用代码 on one line, next to the code.
    let line = text
        .lines()
        .find(|l| l.contains("统一社会信用代码"))
        .unwrap_or_else(|| panic!("no credit code label:\n{text}"));
    assert!(line.contains(&doc.firm.credit_code), "{line}");
    // Word for word what the firm accepted on screen.
    assert!(squeeze(&text).contains(COMMITMENT), "commitment:\n{text}");
    for needle in [
        "承诺人（主要负责人）：王建国",
        "主要负责人（签字）",
        "企业（盖章）",
    ] {
        assert!(text.contains(needle), "{needle:?}:\n{text}");
    }
    // One box per stage: the decided one with its opinion, reviewer and date, the other empty.
    assert!(text.contains("八、审批意见"), "{text}");
    assert_eq!(text.matches("经办人（签字）").count(), 2, "{text}");
    assert_eq!(text.matches("（盖章）").count(), 2 + 1, "{text}");
    for needle in [
        "行业主管部门",
        "审核意见",
        "领导小组办公室",
        "会签意见",
        "同意。防控措施落实到位，同意复工复产",
        "经办人（签字）：陈审核",
        "2020年2月13日",
    ] {
        assert!(text.contains(needle), "{needle:?}:\n{text}");
    }
    // No transient state: the state, the submission count, the print time.
    for gone in ["审核中", "状态", "次提交", "打印时间"] {
        assert!(!text.contains(gone), "{gone:?} printed:\n{text}");
    }
}

#[test]
fn phones_are_in_full_only_on_the_firms_own_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::form(3);
    let full: Vec<String> = (0..3)
        .map(|i| format!("138{:08}", 10_000_000 + i))
        .collect();
    let mut own = reviewed();
    own.full_phones = Some(full.clone());
    let path = write(
        dir.path(),
        "own.pdf",
        &render_form_reviewed(&doc, &own, fonts()).expect("render"),
    );
    let text = text_of(&path, None);
    for p in &full {
        assert!(text.contains(p.as_str()), "{p} in full:\n{text}");
    }
    // Anyone else's copy (and the form without review data) keeps them masked.
    for pdf in [
        render_form_reviewed(&doc, &reviewed(), fonts()).expect("render"),
        render_form(&doc, fonts()).expect("render"),
    ] {
        let path = write(dir.path(), "other.pdf", &pdf);
        let text = text_of(&path, None);
        assert!(!text.contains(full[0].as_str()), "{text}");
        assert!(text.contains("138****0000"), "{text}");
    }
}

#[test]
fn the_printed_commitment_is_the_one_on_screen() {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/i18n/zh-CN.ts");
    let ts = std::fs::read_to_string(&ui).expect("zh-CN.ts");
    let at = ts
        .find("commitmentText")
        .expect("commitmentText in zh-CN.ts");
    let shown = ts[at..]
        .split('\'')
        .nth(1)
        .expect("the commitment's string");
    assert_eq!(shown, COMMITMENT, "the form prints what the firm accepted");
}

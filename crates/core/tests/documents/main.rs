//! The PDF documents checked with real third-party tools: qpdf, poppler-utils (pdftotext,
//! pdffonts, pdfinfo, pdftoppm) and zbar-tools (zbarimg). Debian: `qpdf poppler-utils zbar-tools`.

mod bulletin;
mod form;
mod glossary;
mod notices;
mod punctuation;
mod samples;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use reopen_core::documents::{
    render_certificate, render_form, render_form_reviewed, CertMark, DocFonts,
};

fn fonts() -> &'static DocFonts {
    static F: OnceLock<DocFonts> = OnceLock::new();
    F.get_or_init(|| DocFonts::load().expect("shipped font"))
}

fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {cmd} (install qpdf poppler-utils zbar-tools): {e}")
    });
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write pdf");
    p.to_string_lossy().into_owned()
}

fn text_of(pdf: &str, page: Option<u32>) -> String {
    let mut args = vec!["-layout"];
    let n;
    if let Some(p) = page {
        n = p.to_string();
        args.extend(["-f", n.as_str(), "-l", n.as_str()]);
    }
    args.extend([pdf, "-"]);
    let (ok, out) = run("pdftotext", &args);
    assert!(ok, "pdftotext failed: {out}");
    out
}

fn pages(pdf: &str) -> u32 {
    let (ok, info) = run("pdfinfo", &[pdf]);
    assert!(ok, "{info}");
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count:\n{info}"))
}

fn qpdf_check(pdf: &str) {
    let (ok, out) = run("qpdf", &["--check", pdf]);
    assert!(ok, "qpdf --check failed:\n{out}");
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

#[test]
fn certificate_is_valid_extractable_and_embeds_a_subset_font() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::certificate();
    let pdf = render_certificate(&doc, fonts()).expect("render");
    // The target is 80 KB (~70 KB: the hint-free subset font is most of it, and the 注意事项
    // and 抄送 lines bring their own characters).
    assert!(pdf.len() <= 80 * 1024, "certificate is {} bytes", pdf.len());
    let path = write(dir.path(), "cert.pdf", &pdf);
    qpdf_check(&path);

    let text = text_of(&path, None);
    for needle in [
        doc.title.as_str(),
        doc.firm_name.as_str(),
        doc.number.as_str(),
        // The signer's name, broken between its words (雅安市雨城区 / 经济和信息化局).
        "经济和信息化局",
        doc.credit_code.as_str(),
        "2020年2月18日",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("补打"),
        "a first print says nothing of reprints"
    );
    // The verification code under the QR code, and one line on how to check it.
    let code = reopen_core::domain::certificate::verification_code(&doc.qr_payload);
    assert_eq!(code.len(), 14, "{code}");
    assert!(
        text.contains(&format!("核验码：{code}")),
        "pdftotext lacks the code {code}:\n{text}"
    );
    assert!(text.contains("reopen verify"), "how to check it:\n{text}");

    let (ok, fonts_out) = run("pdffonts", &[&path]);
    assert!(ok, "{fonts_out}");
    let row = fonts_out
        .lines()
        .find(|l| l.contains("NotoSerifSC"))
        .unwrap_or_else(|| panic!("no Noto font listed:\n{fonts_out}"));
    // name type encoding emb sub uni object ID
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert!(
        cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
        "subset tag: {row}"
    );
    assert!(row.contains("yes yes yes"), "emb/sub/uni: {row}");

    let (ok, info) = run("pdfinfo", &["-isodates", &path]);
    assert!(ok, "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("CreationDate:") && l.contains("2020-02-18T02:30:00")),
        "creation date from issued_at:\n{info}"
    );
    assert_eq!(pages(&path), 1);
    assert!(info.contains("595.276 x 841.89"), "A4: {info}");
}

#[test]
fn certificate_reads_as_an_official_notice_with_a_seal_per_signer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::certificate();
    let pdf = render_certificate(&doc, fonts()).expect("render");
    let path = write(dir.path(), "cert.pdf", &pdf);
    let text = text_of(&path, None);
    // The number as GB/T 9704 writes 发文字号 (不编虚位).
    assert!(text.contains("雨复工〔2020〕1号"), "{text}");
    for needle in [
        "特此通知。",
        "注意事项：",
        "张贴于企业经营场所",
        "每日",
        "撤销本通知书",
        "抄送：",
        "属地乡镇",
        "核定复工人数86人",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
    }
    // Both issuing bodies sign with their full names (the city included), broken only between
    // words.
    for line in [
        "雅安市雨城区",
        "经济和信息化局",
        "雅安市雨城区应对",
        "新型冠状病毒感染肺炎疫情",
        "工作领导小组办公室",
    ] {
        assert!(text.contains(line), "signature line {line:?}:\n{text}");
    }
    for broken in ["经济和信\n", "领导小\n", "办公\n"] {
        assert!(!text.contains(broken), "a name cut inside a word:\n{text}");
    }
    // One seal per body: each seal draws its name along the ring, glyph by glyph, with the
    // same 复工复产专用章 under the star.
    let (ok, raw) = run("pdftotext", &["-raw", &path, "-"]);
    assert!(ok, "{raw}");
    assert_eq!(
        raw.matches("专用章").count(),
        2,
        "two seals expected:\n{raw}"
    );
    // One signer: one seal, the name in full.
    let mut one = samples::certificate();
    one.departments.truncate(1);
    let pdf = render_certificate(&one, fonts()).expect("render");
    let path = write(dir.path(), "one.pdf", &pdf);
    let (_, raw) = run("pdftotext", &["-raw", &path, "-"]);
    assert_eq!(raw.matches("专用章").count(), 1, "{raw}");
    let text = text_of(&path, None);
    assert!(text.contains("雅安市雨城区经济和信息化局"), "{text}");
    // With no leading group office signing, it is copied.
    assert!(
        text.contains("雅安市雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室"),
        "{text}"
    );
    assert_eq!(pages(&path), 1);

    // Four signers (an all-of stage): seals in rows, every one drawn, every name whole.
    let mut four = samples::certificate();
    four.departments = vec![
        "雨城区经济和信息化局".into(),
        "雨城区商务局".into(),
        "雨城区卫生健康局".into(),
        "雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室".into(),
    ];
    let pdf = render_certificate(&four, fonts()).expect("render");
    let path = write(dir.path(), "four.pdf", &pdf);
    qpdf_check(&path);
    assert_eq!(pages(&path), 1);
    let (_, raw) = run("pdftotext", &["-raw", &path, "-"]);
    assert_eq!(raw.matches("专用章").count(), 4, "{raw}");
    let text = text_of(&path, None);
    for line in [
        "商务局",
        "卫生健康局",
        "经济和信息化局",
        "领导小组",
        "2020年2月18日",
    ] {
        assert!(text.contains(line), "{line:?}:\n{text}");
    }
}

#[test]
fn certificate_qr_code_decodes_to_the_payload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::certificate();
    let pdf = render_certificate(&doc, fonts()).expect("render");
    let path = write(dir.path(), "cert.pdf", &pdf);
    let prefix = dir.path().join("page").to_string_lossy().into_owned();
    let (ok, out) = run("pdftoppm", &["-r", "150", "-png", &path, &prefix]);
    assert!(ok, "{out}");
    let png = dir.path().join("page-1.png");
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", &png.to_string_lossy()])
        .output()
        .expect("zbarimg (zbar-tools)");
    assert!(out.status.success(), "zbarimg found no code");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), doc.qr_payload);
}

#[test]
fn void_revoked_and_reprinted_certificates_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (mark, word) in [(CertMark::Voided, "作废"), (CertMark::Revoked, "已撤销")] {
        let mut doc = samples::certificate();
        doc.mark = Some(mark);
        let pdf = render_certificate(&doc, fonts()).expect("render");
        let path = write(dir.path(), "marked.pdf", &pdf);
        qpdf_check(&path);
        let text = text_of(&path, None);
        assert!(text.contains(word), "{word} missing:\n{text}");
        assert!(text.contains(&doc.firm_name));
    }
    let mut doc = samples::certificate();
    doc.reprint = Some(2);
    let pdf = render_certificate(&doc, fonts()).expect("render");
    let path = write(dir.path(), "reprint.pdf", &pdf);
    let text = text_of(&path, None);
    assert!(text.contains("补打 第2次"), "{text}");
}

#[test]
fn long_names_and_many_conditions_still_fit_one_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = samples::certificate();
    doc.firm_name =
        "雨安市雨城区某某某某新材料科技股份有限公司第二分公司（雨城区经济开发区）".into();
    doc.address =
        "四川省雨安市雨城区经济开发区工业园区创新大道东段888号标准化厂房A区3栋2单元".into();
    doc.conditions = (1..=6)
        .map(|i| format!("第{i}项：严格落实员工每日两次体温检测、登记和报告制度，设立临时隔离观察点，发现发热、乏力、干咳等症状的员工立即送医排查。"))
        .collect();
    let pdf = render_certificate(&doc, fonts()).expect("render");
    let path = write(dir.path(), "long.pdf", &pdf);
    qpdf_check(&path);
    assert_eq!(pages(&path), 1);
    let text = text_of(&path, None);
    assert!(text.contains("6．第6项"), "{text}");
}

#[test]
fn three_page_form_numbers_pages_and_repeats_the_roster_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = samples::form(samples::ROSTER_FOR_THREE_PAGES);
    let pdf = render_form(&doc, fonts()).expect("render");
    let path = write(dir.path(), "form.pdf", &pdf);
    qpdf_check(&path);
    let (_, info) = run("pdfinfo", &["-isodates", &path]);
    assert_eq!(pages(&path), 3);
    assert!(info.contains("2020-02-12T01:00:00"), "{info}");
    for p in 1..=3u32 {
        let text = text_of(&path, Some(p));
        assert!(
            text.contains(&format!("第 {p} 页 共 3 页")),
            "page number on page {p}:\n{text}"
        );
        // The roster starts on page 2 (page 1 holds the firm and the plan); its header row
        // repeats on every page it runs over.
        if p >= 2 {
            assert!(
                text.contains("身份证号"),
                "roster header on page {p}:\n{text}"
            );
        }
    }
    let first = text_of(&path, Some(1));
    for needle in [
        doc.firm.name.as_str(),
        doc.firm.credit_code.as_str(),
        "复工复产申请审批表",
        "佩戴口罩",
        "口罩",
        "来自重点地区",
    ] {
        assert!(first.contains(needle), "page 1 lacks {needle:?}:\n{first}");
    }
    let all = text_of(&path, None);
    assert!(all.contains("510102********0012"), "masked ID numbers");
    let last = text_of(&path, Some(3));
    assert!(
        last.contains("企业承诺") && last.contains("企业（盖章）"),
        "{last}"
    );
    // The principal signs; the review boxes follow the commitment.
    assert!(last.contains("主要负责人（签字）"), "{last}");
    assert!(last.contains("八、审批意见"), "{last}");
}

#[test]
fn rare_characters_fall_back_or_are_reported() {
    // A private-use character no font draws.
    assert_eq!(
        fonts().missing_glyphs("雨城区\u{F0000}商务局"),
        vec!['\u{F0000}']
    );
    assert!(fonts()
        .missing_glyphs("雨城区商务局 ABC 123，。")
        .is_empty());
    assert!(fonts().missing_glyphs("一\n二\t三").is_empty());

    // With no fallback directories, the rare ones the shipped font lacks are reported.
    let bare = DocFonts::load().expect("font").with_fallback_dirs(vec![]);
    let rare = "䶮堃𠮷";
    let bare_missing = bare.missing_glyphs(rare);
    // With the system fonts, fewer (none where a CJK font such as fonts-noto-cjk is installed).
    let sys_missing = fonts().missing_glyphs(rare);
    assert!(sys_missing.len() <= bare_missing.len());
    if Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").exists() {
        assert!(sys_missing.is_empty(), "{sys_missing:?}");
        // And a certificate for such a firm embeds the fallback font and extracts the name.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut doc = samples::certificate();
        doc.firm_name = "雨城区𠮷䶮堃餐饮管理有限公司".into();
        let pdf = render_certificate(&doc, fonts()).expect("render");
        let path = write(dir.path(), "rare.pdf", &pdf);
        qpdf_check(&path);
        let text = text_of(&path, None);
        assert!(text.contains(&doc.firm_name), "{text}");
        let (_, f) = run("pdffonts", &[&path]);
        if !bare_missing.is_empty() {
            assert!(f.lines().count() >= 4, "a second, fallback font:\n{f}");
        }
    }
}

#[test]
#[ignore = "writes sample PDFs to target/doc-samples for a look"]
fn write_samples() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/doc-samples");
    std::fs::create_dir_all(&out).expect("dir");
    let cert = render_certificate(&samples::certificate(), fonts()).expect("render");
    std::fs::write(out.join("certificate.pdf"), cert).expect("write");
    let mut one = samples::certificate();
    one.departments.truncate(1);
    let one = render_certificate(&one, fonts()).expect("render");
    std::fs::write(out.join("certificate-one-signer.pdf"), one).expect("write");
    let mut four = samples::certificate();
    four.departments = vec![
        "雨城区经济和信息化局".into(),
        "雨城区商务局".into(),
        "雨城区卫生健康局".into(),
        "雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室".into(),
    ];
    let four = render_certificate(&four, fonts()).expect("render");
    std::fs::write(out.join("certificate-four-signers.pdf"), four).expect("write");
    let mut v = samples::certificate();
    v.mark = Some(CertMark::Revoked);
    v.reprint = Some(2);
    std::fs::write(
        out.join("revoked.pdf"),
        render_certificate(&v, fonts()).expect("r"),
    )
    .expect("w");
    let form = render_form(&samples::form(samples::ROSTER_FOR_THREE_PAGES), fonts()).expect("r");
    std::fs::write(out.join("form.pdf"), form).expect("write");
    // The README's pictures: a two-page form half way through its review.
    let form = render_form_reviewed(&samples::form(6), &samples::reviewed(), fonts()).expect("r");
    std::fs::write(out.join("form-reviewed.pdf"), form).expect("write");
}

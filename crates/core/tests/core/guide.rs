//! Issue 15, item 8: the guide (办事指南) reads the policy in force, without a login, and the blank
//! commitment carries the commitment text the firm accepts on screen.

use reopen_core::documents::{DocFonts, COMMITMENT};

use super::*;

#[test]
fn the_guide_reads_the_policy_in_force_without_a_login() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let g = core.guide()?;
    assert_eq!(g.city, "雅安市");
    assert_eq!((g.sla_hours, g.green_channel_sla_hours), (24, 8));
    assert_eq!(g.daily_due_by, "10:00");
    assert_eq!(g.observation_days, 14);
    assert_eq!(g.key_regions, vec!["湖北省".to_string()]);
    assert!(g.countersign);
    assert!(g
        .categories
        .iter()
        .any(|c| c.name == "疫情防控必需" && c.flag));
    assert!(g.categories.iter().any(|c| c.name == "其他企业" && !c.flag));
    assert!(g
        .measures
        .iter()
        .any(|m| m.name == "员工体温监测" && m.flag));
    assert!(g.measures.iter().any(|m| m.name == "定时通风" && !m.flag));
    assert_eq!(g.earliest_reopening.len(), 1);
    assert_eq!(g.earliest_reopening[0].industry, "教育");
    assert_eq!(g.contacts.len(), 1);
    assert_eq!(g.contacts[0].phone, "12345");
    assert_eq!(g.commitment, COMMITMENT);

    // The administrator changes a deadline and adds a department's phone: the guide follows.
    let mut p = core.policy()?;
    p.review.sla_hours = 48;
    p.contacts
        .insert("雨城区商务局".into(), "0835-2222222".into());
    core.policy_set(&admin, &toml::to_string(&p)?, now())?;
    let g = core.guide()?;
    assert_eq!(g.sla_hours, 48);
    assert_eq!(
        g.contacts
            .iter()
            .map(|c| (c.department.as_str(), c.phone.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("雅安市人民政府政务服务便民热线", "12345"),
            ("雨城区商务局", "0835-2222222")
        ]
    );
    Ok(())
}

#[test]
fn the_blank_commitment_is_the_text_accepted_on_screen() -> R {
    let dir = tempfile::tempdir()?;
    let (core, _admin) = open(dir.path())?;
    let fonts = DocFonts::load()?;
    let pdf = core.commitment_template(&fonts, now())?;
    assert!(pdf.starts_with(b"%PDF"));
    let path = dir.path().join("commitment.pdf");
    std::fs::write(&path, &pdf)?;
    let out = std::process::Command::new("pdftotext")
        .args([&path.to_string_lossy(), "-"])
        .output()?;
    assert!(out.status.success(), "pdftotext failed");
    let text: String = String::from_utf8(out.stdout)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("企业复工复产承诺书"), "{text}");
    assert!(text.contains("雅安市复工复产审核部门："), "{text}");
    let said: String = COMMITMENT.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        text.contains(&said),
        "the commitment word for word:\n{text}"
    );
    for blank in [
        "企业名称：",
        "统一社会信用代码：",
        "主要负责人（签字）：",
        "企业（盖章）：",
    ] {
        assert!(text.contains(blank), "{blank} in {text}");
    }
    // One page, dated by `now`, not the wall clock.
    let info = std::process::Command::new("pdfinfo").arg(&path).output()?;
    let info = String::from_utf8(info.stdout)?;
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "{info}"
    );
    assert!(info.contains("2020"), "{info}");
    Ok(())
}

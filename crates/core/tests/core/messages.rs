//! The message centre and the status page's path: a firm's messages are derived from its own
//! applications only, carry the opinion, reason, headcount, conditions and number, and are marked
//! read per user (audited); the path shows the stages ahead and the certificate; the firm saves
//! its own copy of the certificate.

use super::*;
use reopen_core::documents::DocFonts;
use reopen_core::service::{MessageKind, StageStatus};

use super::{county as world, County as World};

fn firm(w: &mut World, n: u32) -> R<(Actor, String)> {
    let code = register(
        &mut w.core,
        &w.clerk,
        n,
        &format!("雨城消息商贸{n}有限公司"),
    )?;
    let f = user(
        &mut w.core,
        &w.admin,
        &format!("firm{n}"),
        "firm",
        None,
        Some(&code),
        None,
    )?;
    Ok((f, code))
}

fn said(core: &Reopen, firm: &Actor) -> R<Vec<(MessageKind, i64)>> {
    Ok(core
        .messages(firm)?
        .items
        .iter()
        .map(|m| (m.kind, m.application_id))
        .collect())
}

#[test]
fn a_firm_is_told_each_step_of_its_own_applications_only() -> R {
    let mut w = world()?;
    let (f1, c1) = firm(&mut w, 1)?;
    let (f2, c2) = firm(&mut w, 2)?;
    assert!(w.core.messages(&f1)?.items.is_empty());

    // Firm 1: submitted, returned with an opinion, resubmitted, approved, certified.
    let a1 = submitted(&mut w.core, &f1, &c1, "daily_necessities", 5, 1, 0)?;
    let mut back = decision("return", None);
    back.opinion = "花名册缺少返岗日期，请补正".into();
    w.core.review_decide(&w.swj, a1, &back, hours(1))?;
    w.core.app_submit(&f1, a1, None, hours(2))?;
    let mut ok = decision("approve", Some(4));
    ok.conditions = Some("每日报送健康情况\n错峰就餐".into());
    w.core.review_decide(&w.swj, a1, &ok, hours(3))?;
    w.core
        .review_decide(&w.zhb, a1, &decision("approve", None), hours(4))?;
    let cert = w.core.cert_issue(&w.clerk, a1, hours(5))?;

    // Firm 2: submitted and rejected with a reason.
    let a2 = submitted(&mut w.core, &f2, &c2, "daily_necessities", 5, 1, 0)?;
    let mut no = decision("reject", None);
    no.opinion = "不符合复工条件：防疫物资不足".into();
    w.core.review_decide(&w.swj, a2, &no, hours(6))?;

    let m1 = w.core.messages(&f1)?;
    assert_eq!(
        said(&w.core, &f1)?,
        [
            (MessageKind::Issued, a1),
            (MessageKind::Approved, a1),
            (MessageKind::Accepted, a1),
            (MessageKind::Returned, a1),
            (MessageKind::Accepted, a1),
        ]
    );
    assert_eq!(m1.unread, 5);
    let returned = &m1.items[3];
    assert_eq!(
        returned.opinion.as_deref(),
        Some("花名册缺少返岗日期，请补正")
    );
    assert_eq!(returned.kind_zh, "退回补正");
    assert!(returned.department.as_deref().unwrap().contains("商务"));
    let approved = &m1.items[1];
    assert_eq!(approved.headcount, Some(4));
    assert_eq!(approved.conditions, ["每日报送健康情况", "错峰就餐"]);
    let issued = &m1.items[0];
    assert_eq!(issued.certificate.as_deref(), Some(cert.number.as_str()));
    assert_eq!(issued.headcount, Some(4));

    // Firm 2 sees its rejection and its reason, and nothing of firm 1.
    let m2 = w.core.messages(&f2)?;
    assert_eq!(
        said(&w.core, &f2)?,
        [(MessageKind::Rejected, a2), (MessageKind::Accepted, a2)]
    );
    assert_eq!(
        m2.items[0].opinion.as_deref(),
        Some("不符合复工条件：防疫物资不足")
    );
    assert_eq!(m2.items[0].kind_zh, "不予批准");

    // Revocation is a message too, with its reason.
    w.core
        .cert_revoke(&w.clerk, &cert.number, "未落实防控措施", hours(7))?;
    let m1 = w.core.messages(&f1)?;
    assert_eq!(m1.items[0].kind, MessageKind::Revoked);
    assert_eq!(m1.items[0].opinion.as_deref(), Some("未落实防控措施"));
    Ok(())
}

#[test]
fn reading_marks_only_ones_own_messages_and_is_audited() -> R {
    let mut w = world()?;
    let (f1, c1) = firm(&mut w, 1)?;
    let (f2, c2) = firm(&mut w, 2)?;
    let a1 = submitted(&mut w.core, &f1, &c1, "daily_necessities", 5, 1, 0)?;
    submitted(&mut w.core, &f2, &c2, "daily_necessities", 5, 1, 0)?;
    w.core
        .review_decide(&w.swj, a1, &decision("return", None), hours(1))?;
    let mine = w.core.messages(&f1)?;
    assert_eq!(mine.unread, 2);
    let theirs = w.core.messages(&f2)?;

    // Another firm's message key is refused, and nothing is marked.
    let before = audit_len(&w.core, &w.admin);
    let keys = vec![mine.items[0].key.clone(), theirs.items[0].key.clone()];
    assert_eq!(
        fields(w.core.messages_read(&f1, &keys, hours(2))),
        ["keys[1]"]
    );
    assert_eq!(w.core.messages(&f1)?.unread, 2);
    assert_eq!(audit_len(&w.core, &w.admin), before);

    // One read; again is not new and not audited again.
    let one = vec![mine.items[0].key.clone()];
    assert_eq!(w.core.messages_read(&f1, &one, hours(2))?, 1);
    assert_eq!(w.core.messages_read(&f1, &one, hours(2))?, 0);
    let after = w.core.messages(&f1)?;
    assert_eq!(after.unread, 1);
    assert!(after.items[0].read && !after.items[1].read);
    let log = w.core.audit_log(&w.admin, None, Some(1), None)?;
    assert_eq!(log[0].action, "message.read");
    assert_eq!(audit_len(&w.core, &w.admin), before + 1);
    // All at once; the other firm's stay unread.
    assert_eq!(w.core.messages_read(&f1, &[], hours(3))?, 1);
    assert_eq!(w.core.messages(&f1)?.unread, 0);
    assert_eq!(w.core.messages(&f2)?.unread, 1);

    // Only firm users have messages.
    for actor in [&w.admin, &w.clerk, &w.swj] {
        assert_eq!(kind(w.core.messages(actor)), Some(ErrorKind::Forbidden));
        assert_eq!(
            kind(w.core.messages_read(actor, &[], hours(3))),
            Some(ErrorKind::Forbidden)
        );
    }
    Ok(())
}

#[test]
fn the_path_shows_the_stages_ahead_and_the_certificate() -> R {
    let mut w = world()?;
    let (f1, c1) = firm(&mut w, 1)?;
    let (f2, _) = firm(&mut w, 2)?;
    let a1 = submitted(&mut w.core, &f1, &c1, "daily_necessities", 5, 1, 0)?;
    let p = w.core.app_path(&f1, a1)?;
    let status: Vec<StageStatus> = p.stages.iter().map(|s| s.status).collect();
    assert_eq!(status, [StageStatus::Current, StageStatus::Waiting]);
    assert_eq!(p.remaining, 2);
    assert!(p.stages[0].due_at.is_some() && p.stages[1].due_at.is_none());
    assert!(p.deadline.is_some() && p.certificate.is_none());
    assert!(p.stages[0].departments[0].contains("商务"));
    // Another firm may not see it.
    assert_eq!(kind(w.core.app_path(&f2, a1)), Some(ErrorKind::Forbidden));

    w.core
        .review_decide(&w.swj, a1, &decision("approve", Some(5)), hours(1))?;
    let p = w.core.app_path(&f1, a1)?;
    let status: Vec<StageStatus> = p.stages.iter().map(|s| s.status).collect();
    assert_eq!(status, [StageStatus::Done, StageStatus::Current]);
    assert_eq!(p.remaining, 1);

    // No certificate yet: the firm's copy is refused.
    let fonts = DocFonts::load()?;
    let none =
        w.core
            .app_certificate_copy_staged(&f1, a1, &fonts, hours(2), |_| Ok(()), |()| Ok(()));
    assert_eq!(kind(none), Some(ErrorKind::Conflict));

    w.core
        .review_decide(&w.zhb, a1, &decision("approve", None), hours(2))?;
    let cert = w.core.cert_issue(&w.clerk, a1, hours(3))?;
    let p = w.core.app_path(&f1, a1)?;
    assert_eq!(p.remaining, 0);
    assert_eq!(
        p.certificate.as_ref().map(|c| c.number.clone()),
        Some(cert.number.clone())
    );

    // The firm saves its copy: audited, not a clerk's print (the next print is not a reprint).
    let mut pdf = Vec::new();
    let (c, bytes) = w.core.app_certificate_copy_staged(
        &f1,
        a1,
        &fonts,
        hours(4),
        |b| Ok(b.to_vec()),
        |b| {
            pdf = b;
            Ok(())
        },
    )?;
    assert_eq!(c.number, cert.number);
    assert!(pdf.starts_with(b"%PDF") && pdf.len() == bytes);
    // With a public verification address, the firm's copy carries the same link in its QR code
    // as the clerk's print: one certificate document for both.
    w.core
        .set_verification_address(Some("https://yaan.example/v".into()));
    let mut linked = Vec::new();
    w.core.app_certificate_copy_staged(
        &f1,
        a1,
        &fonts,
        hours(4),
        |b| Ok(b.to_vec()),
        |b| {
            linked = b;
            Ok(())
        },
    )?;
    w.core.set_verification_address(None);
    assert_eq!(
        qr_of(&linked),
        format!("https://yaan.example/v?c={}", cert.payload)
    );
    let log = w.core.audit_log(&w.admin, None, Some(1), None)?;
    assert_eq!(log[0].action, "cert.copy");
    let printed = w
        .core
        .cert_print(&w.clerk, &cert.number, &fonts, hours(5), |_| Ok(()))?;
    assert_eq!(printed.copy_no, 1);
    // Only the firm itself, and only a firm user.
    for actor in [&f2, &w.clerk, &w.admin] {
        let r = w.core.app_certificate_copy_staged(
            actor,
            a1,
            &fonts,
            hours(6),
            |_| Ok(()),
            |()| Ok(()),
        );
        assert_eq!(kind(r), Some(ErrorKind::Forbidden));
    }
    Ok(())
}

/// The QR code of a one-page PDF, read with pdftoppm and zbarimg (poppler-utils, zbar-tools).
fn qr_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).expect("write");
    let prefix = dir.path().join("p");
    let ok = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(&path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)")
        .success();
    assert!(ok, "pdftoppm failed");
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(dir.path().join("p-1.png"))
        .output()
        .expect("zbarimg (zbar-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

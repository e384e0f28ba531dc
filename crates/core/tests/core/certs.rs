//! The certificate lifecycle through the core: gapless numbering, one live certificate, print log,
//! void and reissue, revoke, verification by number and by signed payload.

use super::*;
use reopen_core::documents::DocFonts;
use reopen_core::domain::workflow::AppState;
use reopen_core::service::{verify_offline, CertState, CertStatus};

struct World {
    _dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    clerk: Actor,
    other_clerk: Actor,
    swj: Actor,
    zhb: Actor,
    firm_clerk: Actor,
}

fn world() -> R<World> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let other_clerk = super::clerk(&mut core, &admin, "clerk2", "511803")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let zhb = reviewer(&mut core, &admin, "zhb", "511802-ZHB")?;
    let firm_clerk = clerk.clone();
    Ok(World {
        _dir: dir,
        core,
        admin,
        clerk,
        other_clerk,
        swj,
        zhb,
        firm_clerk,
    })
}

/// Registers firm `n`, files and fully approves its application; returns the application id.
fn approved(w: &mut World, n: u32) -> R<i64> {
    let code = register(
        &mut w.core,
        &w.clerk,
        n,
        &format!("雨城测试商贸{n}有限公司"),
    )?;
    let id = submitted(
        &mut w.core,
        &w.firm_clerk,
        &code,
        "daily_necessities",
        5,
        1,
        0,
    )?;
    w.core
        .review_decide(&w.swj, id, &decision("approve", Some(5)), now())?;
    w.core
        .review_decide(&w.zhb, id, &decision("approve", None), now())?;
    Ok(id)
}

#[test]
fn numbers_are_gapless_per_jurisdiction_and_year() -> R {
    let mut w = world()?;
    let mut numbers = Vec::new();
    for n in 1..=3 {
        let id = approved(&mut w, n)?;
        let cert = w.core.cert_issue(&w.clerk, id, now())?;
        assert_eq!(
            w.core.app_show(&w.admin, id, now())?.state,
            AppState::Certified
        );
        numbers.push(cert.number);
    }
    assert_eq!(
        numbers,
        [
            "雨复工〔2020〕0001号",
            "雨复工〔2020〕0002号",
            "雨复工〔2020〕0003号"
        ]
    );
    // A new year starts again at 1.
    let id = approved(&mut w, 4)?;
    let next_year = Utc.with_ymd_and_hms(2021, 1, 4, 1, 0, 0).single().unwrap();
    assert_eq!(
        w.core.cert_issue(&w.clerk, id, next_year)?.number,
        "雨复工〔2021〕0001号"
    );
    Ok(())
}

#[test]
fn only_approved_applications_of_the_clerks_jurisdiction_get_one_live_certificate() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    assert_eq!(
        kind(w.core.cert_issue(&w.other_clerk, id, now())),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        kind(w.core.cert_issue(&w.swj, id, now())),
        Some(ErrorKind::Forbidden)
    );
    assert_eq!(
        kind(w.core.cert_issue(&w.admin, id, now())),
        Some(ErrorKind::Forbidden)
    );
    w.core.cert_issue(&w.clerk, id, now())?;
    assert_eq!(
        kind(w.core.cert_issue(&w.clerk, id, now())),
        Some(ErrorKind::Conflict)
    );
    // In review: no certificate, and the number is not consumed.
    let code = register(&mut w.core, &w.clerk, 2, "雨城审核中商贸有限公司")?;
    let pending = submitted(&mut w.core, &w.clerk, &code, "general", 5, 1, 0)?;
    assert_eq!(
        kind(w.core.cert_issue(&w.clerk, pending, now())),
        Some(ErrorKind::Conflict)
    );
    let id3 = approved(&mut w, 3)?;
    assert_eq!(w.core.cert_issue(&w.clerk, id3, now())?.seq, 2);
    Ok(())
}

#[test]
fn void_keeps_the_number_and_allows_a_new_certificate() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    let first = w.core.cert_issue(&w.clerk, id, now())?;
    assert_eq!(
        kind(w.core.cert_void(&w.clerk, &first.number, "  ", now())),
        Some(ErrorKind::Validation)
    );
    let voided = w
        .core
        .cert_void(&w.clerk, &first.number, "打印错位,作废重打", now())?;
    assert_eq!(voided.state, CertState::Voided);
    assert_eq!(
        kind(w.core.cert_void(&w.clerk, &first.number, "再次作废", now())),
        Some(ErrorKind::Conflict)
    );
    assert_eq!(
        w.core.app_show(&w.admin, id, now())?.state,
        AppState::Certified
    );
    let second = w.core.cert_issue(&w.clerk, id, now())?;
    assert_eq!(second.seq, 2, "the voided number stays used");
    let listed = w.core.cert_list(&w.clerk, None, false, None, None)?;
    assert_eq!(listed.len(), 2);
    assert_eq!(w.core.verify(&first.number)?.status, CertStatus::Voided);
    assert_eq!(w.core.verify(&second.number)?.status, CertStatus::Valid);
    Ok(())
}

#[test]
fn revoke_marks_certificate_and_application() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    let r = w
        .core
        .cert_revoke(&w.clerk, &cert.number, "检查发现未落实测温措施", now())?;
    assert_eq!(r.state, CertState::Revoked);
    assert_eq!(r.reason.as_deref(), Some("检查发现未落实测温措施"));
    assert_eq!(
        w.core.app_show(&w.admin, id, now())?.state,
        AppState::Revoked
    );
    assert_eq!(w.core.verify(&cert.payload)?.status, CertStatus::Revoked);
    // The firm may file a new application after a revocation (final state).
    Ok(())
}

#[test]
fn verification_by_number_and_payload() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    assert!(cert.payload.is_ascii());
    let v = w.core.verify(&cert.payload)?;
    assert_eq!(v.status, CertStatus::Valid);
    assert_eq!(v.fields.as_ref().map(|f| f.approved_headcount), Some(5));
    assert_eq!(
        w.core.verify("雨复工〔2020〕9999号")?.status,
        CertStatus::Unknown
    );
    // Flip one character of the signed part.
    let mut bytes = cert.payload.clone().into_bytes();
    let i = 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes)?;
    assert_eq!(w.core.verify(&tampered)?.status, CertStatus::Forged);
    // Offline, with the exported public key only.
    let key = w.core.cert_public_key()?;
    assert_eq!(
        verify_offline(&cert.payload, &key)?.status,
        CertStatus::Valid
    );
    assert_eq!(verify_offline(&tampered, &key)?.status, CertStatus::Forged);
    let other = reopen_core::domain::certificate::new_signing_key();
    assert_eq!(
        verify_offline(
            &cert.payload,
            &hex::encode(other.verifying_key().to_bytes())
        )?
        .status,
        CertStatus::Forged
    );
    Ok(())
}

#[test]
fn every_print_is_logged_and_a_failed_write_logs_nothing() -> R {
    let mut w = world()?;
    let fonts = DocFonts::load()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    assert_eq!(
        w.core
            .cert_list(&w.clerk, Some("issued"), true, None, None)?
            .len(),
        1
    );
    let mut first = Vec::new();
    let r = w
        .core
        .cert_print(&w.clerk, &cert.number, &fonts, now(), |pdf| {
            first = pdf.to_vec();
            Ok(())
        })?;
    assert_eq!(r.copy_no, 1);
    assert!(first.starts_with(b"%PDF"));
    assert!(w
        .core
        .cert_list(&w.clerk, Some("issued"), true, None, None)?
        .is_empty());
    let before = audit_len(&w.core, &w.admin);
    let e = w
        .core
        .cert_print(&w.clerk, &cert.number, &fonts, now(), |_| {
            Err(reopen_core::Error::internal("disk full"))
        });
    assert!(e.is_err());
    assert_eq!(
        audit_len(&w.core, &w.admin),
        before,
        "a failed print logs nothing"
    );
    let r = w
        .core
        .cert_print(&w.clerk, &cert.number, &fonts, now(), |_| Ok(()))?;
    assert_eq!(r.copy_no, 2, "the failed attempt took no copy number");
    assert_eq!(w.core.cert_show(&w.clerk, &cert.number)?.prints, 2);
    assert_eq!(
        kind(
            w.core
                .cert_print(&w.other_clerk, &cert.number, &fonts, now(), |_| Ok(()))
        ),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

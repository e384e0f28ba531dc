//! Application packages: a firm-mode database exports, an office database imports.

use reopen_core::domain::auth::Role;
use reopen_core::domain::package;
use reopen_core::domain::workflow::AppState;
use reopen_core::service::{ImportReport, Mode};
use reopen_core::ErrorKind;

use super::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// The firm's own PC: a firm-mode database with one firm user and a prepared application.
struct FirmPc {
    _dir: tempfile::TempDir,
    core: Reopen,
    user: Actor,
    code: String,
    app: i64,
}

fn firm_pc(n: u32) -> R<FirmPc> {
    let dir = tempfile::tempdir()?;
    let mut core = Reopen::open(&dir.path().join("firm.db"))?;
    let code = demo_credit_code("511802", n);
    let report = core.init_firm_mode(
        &firm_json(&code, "雨城包企业有限公司", "52", 50),
        "firm",
        PW,
        now(),
    )?;
    assert_eq!(report.firm.credit_code, code);
    assert_eq!(core.mode()?, Mode::Firm);
    let user = core.login("firm", PW, now())?;
    assert_eq!(user.firm_id, Some(report.firm.id));
    let app = draft(&mut core, &user, &code, "production", 6, 2, 0)?;
    core.app_attach(&user, app, "承诺书.pdf", PDF, now())?;
    core.app_attach(&user, app, "C:\\scans\\营业执照.png", PNG, now())?;
    Ok(FirmPc {
        _dir: dir,
        core,
        user,
        code,
        app,
    })
}

fn export(pc: &mut FirmPc) -> R<Vec<u8>> {
    let mut out = Vec::new();
    let r = pc.core.app_export(&pc.user, pc.app, now(), |b| {
        out = b.to_vec();
        Ok(())
    })?;
    assert_eq!(r.application_id, pc.app);
    assert_eq!(r.attachments, 2);
    assert_eq!(r.bytes as usize, out.len());
    Ok(out)
}

// The office: an initialised database with a clerk of 511802 and 雨城区's reviewers (the retail
// department's among them), as the workflow tests have it.
use super::{county as office, County as Office};

fn count(core: &Reopen, table: &str) -> i64 {
    count_rows(core, table)
}

/// Nothing of a refused package was stored.
fn nothing_stored(o: &Office, audit_before: usize) {
    for t in [
        "firms",
        "applications",
        "roster_entries",
        "attachments",
        "imported_packages",
        "submissions",
    ] {
        assert_eq!(count(&o.core, t), 0, "{t} has rows");
    }
    assert_eq!(audit_len(&o.core, &o.admin), audit_before);
}

fn package_reason(r: reopen_core::Result<ImportReport>) -> String {
    let e = r.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Validation, "{e:?}");
    assert_eq!(e.fields[0].field, "package", "{e:?}");
    assert!(!e.fields[0].message.zh.is_empty());
    e.fields[0].message.en.clone()
}

fn reseal(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(bytes).unwrap();
    edit(&mut v);
    v["sha256"] = package::checksum(&v).into();
    serde_json::to_vec_pretty(&v).unwrap()
}

#[test]
fn firm_mode_refuses_submission_and_the_package_round_trips_to_the_office() -> R {
    let mut pc = firm_pc(301)?;
    let e = pc
        .core
        .app_submit(&pc.user, pc.app, None, now())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.message.zh.contains("导出申报包"), "{e:?}");
    let bytes = export(&mut pc)?;
    assert!(reopen_core::audit::verify(pc.core.raw(), pc.core.keys())?.ok);

    let mut o = office()?;
    assert_eq!(o.core.mode()?, Mode::Office);
    let r = o.core.app_import(&o.clerk, &bytes, hours(1))?;
    assert!(r.firm_registered);
    assert!(!r.matched_application);
    assert_eq!(r.attachments, 2);
    let app = &r.application;
    assert_eq!(
        (app.state, app.submission_no, app.stage),
        (AppState::InReview, 1, Some(0))
    );
    assert_eq!(app.firm.credit_code, pc.code);

    // Plan, roster and attachments are what the firm prepared.
    let theirs = pc.core.app_show(&pc.user, pc.app, now())?;
    assert_eq!(app.plan, theirs.plan);
    assert_eq!(app.roster_count, theirs.roster_count);
    let firm_user = user(
        &mut o.core,
        &o.admin,
        "firm_here",
        "firm",
        None,
        Some(&pc.code),
        None,
    )?;
    let mine = pc.core.app_roster_reveal(&pc.user, pc.app, now())?;
    let here = o.core.app_roster_reveal(&firm_user, app.id, hours(1))?;
    assert_eq!(mine, here);
    let a = pc.core.app_attachments(&pc.user, pc.app)?;
    let b = o.core.app_attachments(&o.clerk, app.id)?;
    let key = |v: &[reopen_core::service::Attachment]| {
        v.iter()
            .map(|x| (x.name.clone(), x.mime.clone(), x.sha256.clone(), x.size))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&a), key(&b));
    assert_eq!(b[1].name, "营业执照.png");
    let (_, content) = o.core.app_attachment(&o.swj, app.id, "承诺书.pdf")?;
    assert_eq!(content, PDF);

    // The reviewer finds it in the queue; the import is audited and the chain holds.
    let queue = o.core.review_queue(&o.swj, &Default::default(), hours(1))?;
    assert!(queue.iter().any(|q| q.application_id == app.id));
    let events = o
        .core
        .audit_log(&o.admin, Some(&format!("app:{}", app.id)), None, None)?;
    let import = events
        .iter()
        .find(|e| e.action == "app.import")
        .expect("import audited");
    let after = serde_json::to_string(&import.after)?;
    assert!(
        after.contains(&r.package_id) && after.contains(&r.sha256),
        "{after}"
    );
    assert!(o.core.audit_verify(&o.admin)?.ok);
    let pkgs: (String, i64) = o.core.raw().row(
        "SELECT package_id, submission_no FROM imported_packages",
        reopen_core::args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(pkgs, (r.package_id.clone(), 1));

    // The same package again: a conflict, nothing changes.
    let n = audit_len(&o.core, &o.admin);
    assert_eq!(
        kind(o.core.app_import(&o.clerk, &bytes, hours(2))),
        Some(ErrorKind::Conflict)
    );
    assert_eq!(audit_len(&o.core, &o.admin), n);
    Ok(())
}

#[test]
fn a_tampered_package_is_refused_and_nothing_is_stored() -> R {
    let mut pc = firm_pc(302)?;
    let bytes = export(&mut pc)?;
    let mut o = office()?;
    let n = audit_len(&o.core, &o.admin);

    // One byte of the plan changed (the planned headcount 6 → 7).
    let text = String::from_utf8(bytes.clone())?;
    let at = text
        .find("\"planned\": 6")
        .expect("planned headcount in the file");
    let mut tampered = bytes.clone();
    tampered[at + "\"planned\": ".len()] = b'7';
    assert!(package_reason(o.core.app_import(&o.clerk, &tampered, now())).contains("checksum"));
    nothing_stored(&o, n);

    // Truncated (copied off a USB stick half way).
    let cut = &bytes[..bytes.len() * 2 / 3];
    assert!(package_reason(o.core.app_import(&o.clerk, cut, now())).contains("cut off"));
    // Not a package at all; a newer version; an empty file.
    assert!(package_reason(o.core.app_import(&o.clerk, PDF, now()))
        .contains("not an application package"));
    // A roster longer than the policy's cap (a package is not a way around the sheet's).
    let long = reseal(&bytes, |v| {
        let row = v["application"]["roster"][0].clone();
        v["application"]["roster"] = Value::Array(vec![row; 20_001]);
    });
    assert!(package_reason(o.core.app_import(&o.clerk, &long, now())).contains("at most 20000"));
    nothing_stored(&o, n);
    let wrong = reseal(&bytes, |v| v["format"] = "zip".into());
    assert!(package_reason(o.core.app_import(&o.clerk, &wrong, now())).contains("format"));
    let v2 = reseal(&bytes, |v| v["version"] = 2.into());
    assert!(package_reason(o.core.app_import(&o.clerk, &v2, now())).contains("version 2"));
    assert!(package_reason(o.core.app_import(&o.clerk, b"", now())).contains("empty"));
    // An attachment swapped inside a resealed package: its own digest no longer matches.
    let swapped = reseal(&bytes, |v| {
        v["application"]["attachments"][0]["content_base64"] =
            package::encode_base64(b"%PDF-1.4 other").into()
    });
    let e = o.core.app_import(&o.clerk, &swapped, now()).unwrap_err();
    assert_eq!(e.fields[0].field, "attachments[0]", "{e:?}");
    nothing_stored(&o, n);
    Ok(())
}

#[test]
fn an_invalid_plan_in_a_sound_package_reports_every_field_and_stores_nothing() -> R {
    let mut pc = firm_pc(303)?;
    let bytes = export(&mut pc)?;
    let mut o = office()?;
    let n = audit_len(&o.core, &o.admin);
    let bad = reseal(&bytes, |v| {
        v["application"]["plan"]["headcount"]["local"] = "many".into();
        v["application"]["plan"]["category"] = "casino".into();
        v["application"]["roster"][0]["phone"] = "12345".into();
        v["firm"]["principal"]["phone"] = "1".into();
    });
    let mut f = fields(o.core.app_import(&o.clerk, &bad, now()));
    f.sort();
    assert_eq!(
        f,
        [
            "category",
            "firm.principal.phone",
            "headcount.local",
            "roster[2].phone"
        ]
    );
    nothing_stored(&o, n);

    // Well-formed but incomplete for submission (no commitment): the submission check's fields,
    // and still nothing stored — not even the firm.
    let incomplete = reseal(&bytes, |v| {
        v["application"]["plan"]["commitment"] = Value::Null
    });
    let f = fields(o.core.app_import(&o.clerk, &incomplete, now()));
    assert!(f.iter().any(|f| f.starts_with("commitment")), "{f:?}");
    nothing_stored(&o, n);

    // Well-formed plan text that no font can print (the application form prints it).
    let unprintable = reseal(&bytes, |v| {
        v["application"]["plan"]["emergency_plan"] = "隔离\u{F0005}观察".into()
    });
    let f = fields(o.core.app_import(&o.clerk, &unprintable, now()));
    assert_eq!(f, ["emergency_plan"]);
    nothing_stored(&o, n);
    Ok(())
}

#[test]
fn a_resubmission_after_a_return_continues_the_same_application() -> R {
    let mut pc = firm_pc(304)?;
    let first = export(&mut pc)?;
    let mut o = office()?;
    let id = o.core.app_import(&o.clerk, &first, now())?.application.id;
    o.core
        .review_decide(&o.swj, id, &decision("return", None), hours(1))?;

    // The firm revises on its own PC and brings a new package.
    let mut plan = demo_plan("production", 6, 2, 0, PRINCIPAL, now());
    plan["emergency_plan"] = "发现发热人员立即隔离并报告属地卫生院,停工消杀后复查".into();
    pc.core
        .app_update(&pc.user, pc.app, &plan, None, hours(2))?;
    let second = export(&mut pc)?;
    let r = o.core.app_import(&o.clerk, &second, hours(3))?;
    assert!(!r.firm_registered);
    assert!(r.matched_application);
    assert_eq!(r.application.id, id);
    assert_eq!(
        (r.application.state, r.application.submission_no),
        (AppState::InReview, 2)
    );
    let diff = o.core.app_diff(&o.swj, id, None, None)?;
    assert!(
        diff.plan.iter().any(|c| c.field == "emergency_plan"),
        "{diff:?}"
    );
    assert_eq!(count(&o.core, "firms"), 1);
    assert_eq!(count(&o.core, "imported_packages"), 2);

    // While it is in review a third package is a conflict.
    let third = export(&mut pc)?;
    assert_eq!(
        kind(o.core.app_import(&o.clerk, &third, hours(4))),
        Some(ErrorKind::Conflict)
    );
    assert!(o.core.audit_verify(&o.admin)?.ok);
    Ok(())
}

#[test]
fn a_known_firm_keeps_its_record_and_differences_are_warnings() -> R {
    let mut pc = firm_pc(305)?;
    let bytes = export(&mut pc)?;
    let mut o = office()?;
    let mut fj = firm_json(&pc.code, "雨城包企业有限公司", "52", 50);
    fj["address"] = "雅安市雨城区另一条路2号".into();
    o.core.firm_register(&o.clerk, &fj, now())?;
    let r = o.core.app_import(&o.clerk, &bytes, now())?;
    assert!(!r.firm_registered);
    assert!(
        r.warnings.iter().any(|w| w.en.contains("address")),
        "{:?}",
        r.warnings
    );
    assert_eq!(
        o.core.firm_show(&o.clerk, &pc.code)?.address,
        "雅安市雨城区另一条路2号"
    );
    Ok(())
}

#[test]
fn only_a_clerk_of_the_jurisdiction_or_the_administrator_imports() -> R {
    let mut pc = firm_pc(306)?;
    let bytes = export(&mut pc)?;
    let mut o = office()?;
    let code = register(&mut o.core, &o.clerk, 1, "雨城甲商贸有限公司")?;
    let firm = user(
        &mut o.core,
        &o.admin,
        "firm",
        "firm",
        None,
        Some(&code),
        None,
    )?;
    let leader = user(
        &mut o.core,
        &o.admin,
        "leader",
        "leader",
        None,
        None,
        Some("511802"),
    )?;
    let other_clerk = clerk(&mut o.core, &o.admin, "mingshan", "511803")?;
    for who in [&firm, &o.swj, &leader, &other_clerk] {
        assert_eq!(
            kind(o.core.app_import(who, &bytes, now())),
            Some(ErrorKind::Forbidden),
            "{}",
            who.name
        );
    }
    assert_eq!(count(&o.core, "imported_packages"), 0);
    // A firm may not export another firm's application; the administrator may import.
    let theirs = draft(&mut o.core, &firm, &code, "production", 3, 0, 0)?;
    assert_eq!(
        kind(o.core.app_export(&o.swj, theirs, now(), |_| Ok(()))),
        Some(ErrorKind::Forbidden)
    );
    let r = o.core.app_import(&o.admin, &bytes, now())?;
    assert_eq!(r.application.state, AppState::InReview);
    Ok(())
}

#[test]
fn attachments_are_checked_and_only_editable_applications_change() -> R {
    let mut o = office()?;
    let code = register(&mut o.core, &o.clerk, 2, "雨城乙商贸有限公司")?;
    let firm = user(
        &mut o.core,
        &o.admin,
        "firm",
        "firm",
        None,
        Some(&code),
        None,
    )?;
    let id = draft(&mut o.core, &firm, &code, "production", 3, 0, 0)?;
    let f = fields(o.core.app_attach(&firm, id, "a.exe", b"MZ\x90\0", now()));
    assert_eq!(f, ["file"]);
    o.core.app_attach(&firm, id, "a.pdf", PDF, now())?;
    assert_eq!(
        kind(o.core.app_attach(&firm, id, "a.pdf", PDF, now())),
        Some(ErrorKind::Conflict)
    );
    assert_eq!(
        kind(o.core.app_attach(&o.swj, id, "b.pdf", PDF, now())),
        Some(ErrorKind::Forbidden)
    );
    o.core.app_detach(&firm, id, "a.pdf", now())?;
    assert!(o.core.app_attachments(&firm, id)?.is_empty());
    o.core.app_attach(&firm, id, "a.pdf", PDF, now())?;
    o.core.app_submit(&firm, id, None, now())?;
    assert_eq!(
        kind(o.core.app_detach(&firm, id, "a.pdf", now())),
        Some(ErrorKind::Conflict)
    );
    assert_eq!(
        kind(o.core.app_attach(&firm, id, "b.png", PNG, now())),
        Some(ErrorKind::Conflict)
    );
    // The removed copy of a.pdf is kept on record, marked removed: nothing submitted is lost.
    let (all, removed): (i64, i64) = o.core.raw().row(
        "SELECT count(*), count(removed_at) FROM attachments WHERE application_id = ?1 AND name = 'a.pdf'",
        reopen_core::args![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!((all, removed), (2, 1));
    assert_eq!(o.core.app_attachments(&firm, id)?.len(), 1);
    // An office export (by the clerk) of a submitted application carries the roster masked, so
    // it cannot come back in as a package: refused with the reason.
    let mut bytes = Vec::new();
    let r = o.core.app_export(&o.clerk, id, now(), |b| {
        bytes = b.to_vec();
        Ok(())
    })?;
    assert!(r.roster_masked);
    let reason = package_reason(o.core.app_import(&o.clerk, &bytes, now()));
    assert!(reason.contains("masked"), "{reason}");
    Ok(())
}

/// Full ID and phone numbers leave in a package only for whom the reveal rule allows them: the
/// firm itself. A clerk's or the administrator's copy is masked (the reveal refuses them too), and
/// the audit event says which the package carried.
#[test]
fn office_exports_carry_the_roster_masked() -> R {
    let mut o = office()?;
    let code = register(&mut o.core, &o.clerk, 3, "雨城丙商贸有限公司")?;
    let firm = user(
        &mut o.core,
        &o.admin,
        "firm",
        "firm",
        None,
        Some(&code),
        None,
    )?;
    let id = submitted(&mut o.core, &firm, &code, "production", 4, 1, 0)?;
    let full = o.core.app_roster_reveal(&o.swj, id, now())?;
    assert!(!full.is_empty());
    for who in [&o.clerk, &o.admin, &firm] {
        let reveal = o.core.app_roster_reveal(who, id, now());
        let mut bytes = Vec::new();
        let r = o.core.app_export(who, id, now(), |b| {
            bytes = b.to_vec();
            Ok(())
        })?;
        let text = String::from_utf8(bytes)?;
        let allowed = reveal.is_ok();
        assert_eq!(allowed, who.role == Role::Firm, "{}", who.name);
        assert_eq!(r.roster_masked, !allowed, "{}", who.name);
        for rec in &full {
            assert_eq!(
                text.contains(&rec.id_number),
                allowed,
                "{}: full ID number in the package",
                who.name
            );
            assert_eq!(
                text.contains(&rec.phone),
                allowed,
                "{}: full phone",
                who.name
            );
        }
        let (action, after): (String, String) = o.core.raw().row(
            "SELECT action, after FROM audit_events ORDER BY seq DESC LIMIT 1",
            reopen_core::args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(action, "app.export");
        let after: Value = serde_json::from_str(&after)?;
        assert_eq!(after["roster"], if allowed { "full" } else { "masked" });
    }
    Ok(())
}

#[test]
fn firm_mode_is_set_up_once_on_a_new_database_with_every_problem_named() -> R {
    let dir = tempfile::tempdir()?;
    let mut core = Reopen::open(&dir.path().join("firm.db"))?;
    let code = demo_credit_code("511802", 307);
    let mut bad = firm_json(&code, "雨城包企业有限公司", "52", 50);
    bad["principal"]["phone"] = "123".into();
    let f = fields(core.init_firm_mode(&bad, "firm", PW, now()));
    assert_eq!(f, ["principal.phone"]);
    let f = fields(core.init_firm_mode(
        &firm_json(&code, "雨城包企业有限公司", "52", 50),
        "",
        "short",
        now(),
    ));
    assert!(
        f.contains(&"user".to_string()) && f.contains(&"password".to_string()),
        "{f:?}"
    );
    assert!(!core.is_initialised()?, "nothing kept");
    core.init_firm_mode(
        &firm_json(&code, "雨城包企业有限公司", "52", 50),
        "firm",
        PW,
        now(),
    )?;
    let again = core.init_firm_mode(
        &firm_json(&code, "雨城包企业有限公司", "52", 50),
        "firm2",
        PW,
        now(),
    );
    assert_eq!(kind(again), Some(ErrorKind::Conflict));
    // `init` without --admin on a firm-mode database only migrates.
    assert!(!core.init(None, now())?.created);
    let firm = core.login("firm", PW, now())?;
    assert_eq!(
        kind(core.app_import(&firm, b"{}", now())),
        Some(ErrorKind::Forbidden)
    );
    Ok(())
}

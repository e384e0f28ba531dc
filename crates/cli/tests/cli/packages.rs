//! `reopen init --firm`, `app attach|attachments`, `app export` and `app import`.

use crate::support::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A firm-mode database (the firm's own PC) with a prepared application; returns the package.
fn firm_pc_package() -> (Env, std::path::PathBuf) {
    let pc = Env::empty();
    let r = pc
        .cmd(
            &[
                "init",
                "--firm",
                fixture("firm.json").to_str().unwrap(),
                "--firm-user",
                "f1",
            ],
            &[("REOPEN_PASSWORD", PW)],
        )
        .ok()
        .json();
    assert_eq!(r["mode"], "firm");
    assert_eq!(r["firm"]["credit_code"], FIRM_CODE);
    let id = pc
        .as_(
            "f1",
            &[
                "app",
                "create",
                "--firm",
                FIRM_CODE,
                "--file",
                fixture("plan.json").to_str().unwrap(),
            ],
        )
        .ok()
        .json()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    pc.as_(
        "f1",
        &[
            "app",
            "roster",
            &id,
            "--file",
            fixture("roster.csv").to_str().unwrap(),
        ],
    )
    .ok();
    let scan = pc.path("承诺书.pdf");
    std::fs::write(&scan, PDF).unwrap();
    let att = pc
        .as_("f1", &["app", "attach", &id, scan.to_str().unwrap()])
        .ok()
        .json();
    assert_eq!(att["mime"], "application/pdf");

    // In firm mode nothing is submitted: the message says to export a package.
    let r = pc.as_("f1", &["app", "submit", &id]).code(3);
    assert!(
        r.error()["message"]
            .as_str()
            .unwrap()
            .contains("导出申报包"),
        "{r:?}"
    );

    let file = pc.path("申报包.reopen");
    let out = file.to_str().unwrap();
    let r = pc
        .as_("f1", &["app", "export", &id, "--out", out])
        .ok()
        .json();
    assert_eq!(r["file"], out);
    assert_eq!(r["attachments"], 1);
    assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
    assert!(file.exists());
    // Never overwrites.
    let r = pc.as_("f1", &["app", "export", &id, "--out", out]).code(5);
    assert_eq!(r.error()["kind"], "conflict");
    (pc, file)
}

fn office() -> Env {
    let env = Env::new();
    env.add_user("clerk", "clerk", None);
    env.add_user("swj", "reviewer", Some("511802-SWJ"));
    env.add_user("f1", "firm", None);
    env
}

#[test]
fn export_on_a_firm_pc_import_at_the_counter() {
    let (_pc, file) = firm_pc_package();
    let env = office();
    let path = file.to_str().unwrap();

    // A firm user or a reviewer may not import.
    for who in ["f1", "swj"] {
        let r = env.as_(who, &["app", "import", path]).code(3);
        assert_eq!(r.error()["kind"], "forbidden");
    }
    assert_eq!(env.firm_count(), 0);

    let r = env.as_("clerk", &["app", "import", path]).ok().json();
    assert_eq!(r["firm_registered"], true);
    assert_eq!(r["matched_application"], false);
    assert_eq!(r["attachments"], 1);
    assert_eq!(r["application"]["state"], "in_review");
    assert_eq!(r["application"]["submission_no"], 1);
    assert_eq!(r["application"]["roster_count"], 10);
    let id = r["application"]["id"].as_i64().unwrap().to_string();
    let atts = env.as_("swj", &["app", "attachments", &id]).ok().json();
    assert_eq!(atts[0]["name"], "承诺书.pdf");
    let saved = env.path("saved.pdf");
    env.as_(
        "swj",
        &[
            "app",
            "attachment",
            &id,
            "承诺书.pdf",
            "--out",
            saved.to_str().unwrap(),
        ],
    )
    .ok();
    assert_eq!(std::fs::read(&saved).unwrap(), PDF);

    // The same package twice: a conflict (exit 5), nothing changes.
    let n = env.audit_len();
    let r = env.as_("clerk", &["app", "import", path]).code(5);
    assert_eq!(r.error()["kind"], "conflict");
    assert_eq!(env.audit_len(), n);
    let v = env.as_("admin", &["audit", "verify"]).ok().json();
    assert_eq!(v["ok"], true);

    // Human output names the application.
    let r = env.cmd(
        &["--user", "clerk", "app", "show", &id],
        &[("REOPEN_PASSWORD", PW)],
    );
    assert_eq!(r.code, 0);
}

#[test]
fn tampered_truncated_and_missing_packages_are_refused() {
    let (_pc, file) = firm_pc_package();
    let env = office();
    let bytes = std::fs::read(&file).unwrap();

    // One byte of the plan changed.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text.find("\"emergency_plan\": \"").unwrap() + "\"emergency_plan\": \"".len();
    let mut tampered = bytes.clone();
    tampered[at] ^= 0x01;
    let bad = env.path("tampered.reopen");
    std::fs::write(&bad, &tampered).unwrap();
    let r = env.as_("clerk", &["app", "import", bad.to_str().unwrap()]);
    assert_invalid(&r, &["package"]);
    assert!(r.field_message("package").contains("校验和"), "{r:?}");

    let cut = env.path("cut.reopen");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let r = env.as_("clerk", &["app", "import", cut.to_str().unwrap()]);
    assert_invalid(&r, &["package"]);
    assert!(r.field_message("package").contains("截断"), "{r:?}");

    let r = env.as_(
        "clerk",
        &["app", "import", env.path("none.reopen").to_str().unwrap()],
    );
    assert_invalid(&r, &["file"]);

    // English when LANG is English.
    let r = env.cmd(
        &["--user", "clerk", "app", "import", bad.to_str().unwrap()],
        &[("REOPEN_PASSWORD", PW), ("LANG", "en_US.UTF-8")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("checksum"), "{r:?}");

    assert_eq!(env.firm_count(), 0);
    let v = env.as_("admin", &["audit", "verify"]).ok().json();
    assert_eq!(v["ok"], true);
}

#[test]
fn attachments_must_be_pdf_jpeg_or_png() {
    let (env, id) = with_draft();
    let id = id.to_string();
    let exe = env.write("tool.exe", "MZ not a document");
    let r = env.as_("f1", &["app", "attach", &id, exe.to_str().unwrap()]);
    assert_invalid(&r, &["file"]);
    let pdf = env.path("a.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    env.as_(
        "f1",
        &[
            "app",
            "attach",
            &id,
            pdf.to_str().unwrap(),
            "--name",
            "承诺书.pdf",
        ],
    )
    .ok();
    env.as_("f1", &["app", "detach", &id, "承诺书.pdf"]).ok();
    let r = env.as_("f1", &["app", "detach", &id, "承诺书.pdf"]).code(4);
    assert_eq!(r.error()["kind"], "not_found");
    let rows = env.as_("f1", &["app", "attachments", &id]).ok().json();
    assert_eq!(rows.as_array().unwrap().len(), 0);
}

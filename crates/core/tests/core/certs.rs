//! The certificate lifecycle through the core: gapless numbering, one live certificate, print log,
//! void and reissue, revoke, verification by number and by signed payload.

use std::path::Path;

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
            "雨复工〔2020〕1号",
            "雨复工〔2020〕2号",
            "雨复工〔2020〕3号"
        ]
    );
    // A new year starts again at 1.
    let id = approved(&mut w, 4)?;
    let next_year = Utc.with_ymd_and_hms(2021, 1, 4, 1, 0, 0).single().unwrap();
    assert_eq!(
        w.core.cert_issue(&w.clerk, id, next_year)?.number,
        "雨复工〔2021〕1号"
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
    // Staging the file (inside the transaction) fails: nothing is logged.
    let e = w.core.cert_print_staged(
        &w.clerk,
        &cert.number,
        &fonts,
        now(),
        |_| -> reopen_core::Result<()> { Err(reopen_core::Error::internal("disk full")) },
        |()| Ok(()),
    );
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

/// A commit that fails leaves no PDF: the file is given its name only after the commit (the old
/// code wrote it inside the transaction, so a failed commit left an unlogged certificate).
#[test]
fn a_failed_commit_leaves_no_pdf() -> R {
    let mut w = world()?;
    let fonts = DocFonts::load()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    let out = w._dir.path().join("cert.pdf");
    let events = audit_len(&w.core, &w.admin);
    // Every commit becomes a rollback.
    fail_commits(&w.core, true)?;
    let r = w
        .core
        .cert_print(&w.clerk, &cert.number, &fonts, now(), |pdf| {
            std::fs::write(&out, pdf).map_err(reopen_core::Error::internal)
        });
    assert!(r.is_err(), "{r:?}");
    let staged = w.core.cert_print_staged(
        &w.clerk,
        &cert.number,
        &fonts,
        now(),
        |pdf| {
            let tmp = w._dir.path().join(".cert.pdf.part");
            std::fs::write(&tmp, pdf).map_err(reopen_core::Error::internal)?;
            Ok(tmp)
        },
        |tmp| std::fs::rename(tmp, &out).map_err(reopen_core::Error::internal),
    );
    assert!(staged.is_err());
    fail_commits(&w.core, false)?;
    assert!(!out.exists(), "a PDF exists that the log does not count");
    assert_eq!(audit_len(&w.core, &w.admin), events);
    assert_eq!(w.core.cert_show(&w.clerk, &cert.number)?.prints, 0);
    // And when the commit succeeds, the file is there and logged.
    w.core
        .cert_print(&w.clerk, &cert.number, &fonts, now(), |pdf| {
            std::fs::write(&out, pdf).map_err(reopen_core::Error::internal)
        })?;
    assert!(out.exists());
    assert_eq!(w.core.cert_show(&w.clerk, &cert.number)?.prints, 1);
    Ok(())
}

/// From `on` until called with `false`, every commit of `core` fails: a commit hook that turns it
/// into a rollback on SQLite; on PostgreSQL a deferred constraint trigger on the audit log (which
/// every write appends to) that raises at commit.
fn fail_commits(core: &Reopen, on: bool) -> R {
    let db = core.raw();
    match (db.engine(), on) {
        (Engine::Sqlite, true) => {
            db.sqlite().expect("SQLite").commit_hook(Some(|| true));
        }
        (Engine::Sqlite, false) => {
            db.sqlite()
                .expect("SQLite")
                .commit_hook(None::<fn() -> bool>);
        }
        (Engine::Postgres, true) => db.batch(
            "CREATE FUNCTION test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'the test refuses every commit'; END $$;
             CREATE CONSTRAINT TRIGGER test_refuse_commit AFTER INSERT ON audit_events
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_commit();",
        )?,
        (Engine::Postgres, false) => db.batch(
            "DROP TRIGGER test_refuse_commit ON audit_events; DROP FUNCTION test_refuse_commit();",
        )?,
    }
    Ok(())
}

fn keys_dir(w: &World) -> std::path::PathBuf {
    w.core.keys().dir().expect("a key directory").to_path_buf()
}

/// A consistent copy of the database file alone (what someone walking off with it has).
fn copy_db(w: &World, to: &Path) -> R {
    let sqlite = w.core.raw().sqlite().expect("a SQLite file to copy");
    sqlite.execute("VACUUM INTO ?1", [to.to_str().unwrap()])?;
    Ok(())
}

/// The private key lives in the key directory (0700) as a 0600 file, never in the database.
#[test]
fn the_signing_key_is_kept_outside_the_database() -> R {
    let w = world()?;
    let n: i64 = w.core.raw().one(
        "SELECT count(*) FROM settings WHERE key = 'signing_key'",
        reopen_core::args![],
    )?;
    assert_eq!(n, 0, "no key in the database");
    let dir = keys_dir(&w);
    let key = std::fs::read_to_string(dir.join("signing.key"))?;
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("signing.key")), 0o600);
        assert_eq!(mode(&dir.join("audit.key")), 0o600);
    }
    if pg_cluster().is_some() {
        return Ok(()); // the copy searched below is a SQLite file; PostgreSQL has none to copy
    }
    let copy = w._dir.path().join("copy.db");
    copy_db(&w, &copy)?;
    let bytes = std::fs::read(&copy)?;
    let needle = key.trim().as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|win| win == needle),
        "the database file holds the private key"
    );
    Ok(())
}

/// Someone with a copy of the database but not the key directory cannot issue a certificate:
/// the error names the missing key file, nothing is created; and a key of their own making does
/// not verify against the office's public keys.
#[test]
fn a_copied_database_cannot_mint_a_certificate_that_verifies() -> R {
    if pg_cluster().is_some() {
        return Ok(()); // about a copied SQLite file without its key directory
    }
    let mut w = world()?;
    let first = approved(&mut w, 1)?;
    w.core.cert_issue(&w.clerk, first, now())?;
    let second = approved(&mut w, 2)?;
    let office_keys: String = w
        .core
        .cert_public_keys()?
        .iter()
        .map(|k| format!("{}\n", k.public_key))
        .collect();
    let elsewhere = tempfile::tempdir()?;
    let copy = elsewhere.path().join("stolen.db");
    copy_db(&w, &copy)?;
    let mut thief = Reopen::open(&copy)?;
    let e = thief.cert_issue(&w.clerk, second, now()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
    let missing = elsewhere.path().join("stolen.db.keys").join("signing.key");
    assert!(
        e.message.zh.contains(&missing.display().to_string()),
        "{}",
        e.message.zh
    );
    assert!(e.message.en.contains("signing.key"));
    assert!(!missing.exists(), "no key was made");
    let n: i64 = thief
        .raw()
        .one("SELECT count(*) FROM certificates", reopen_core::args![])?;
    assert_eq!(n, 1);
    // Nor can it write anything else: the audit head cannot be signed without the audit key.
    let e = thief.cert_key_rotate(&w.admin, now()).unwrap_err();
    assert!(e.message.en.contains("audit.key"), "{e:?}");
    drop(thief);
    // The thief forges the database into looking never signed, gets keys of their own and mints.
    rusqlite::Connection::open(&copy)?
        .execute("DELETE FROM settings WHERE key = 'audit_head_sig'", [])?;
    let mut thief = Reopen::open(&copy)?;
    thief.cert_key_rotate(&w.admin, now())?;
    let forged = thief.cert_issue(&w.clerk, second, now())?;
    assert_eq!(
        verify_offline(&forged.payload, &office_keys)?.status,
        CertStatus::Forged
    );
    assert_eq!(w.core.verify(&forged.payload)?.status, CertStatus::Forged);
    Ok(())
}

/// After a rotation new certificates carry the new key id; the old public key is kept, so the
/// certificates signed before still verify, online and offline.
#[test]
fn rotation_keeps_old_certificates_verifiable() -> R {
    let mut w = world()?;
    let a = approved(&mut w, 1)?;
    let old = w.core.cert_issue(&w.clerk, a, now())?;
    let old_key = w.core.cert_public_key()?;
    assert_eq!(
        kind(w.core.cert_key_rotate(&w.clerk, now())),
        Some(ErrorKind::Forbidden)
    );
    let r = w.core.cert_key_rotate(&w.admin, now())?;
    assert_ne!(Some(r.new_kid.clone()), r.old_kid);
    let b = approved(&mut w, 2)?;
    let new = w.core.cert_issue(&w.clerk, b, now())?;
    assert!(new.payload.starts_with(&format!("RO2.{}.", r.new_kid)));
    assert!(old
        .payload
        .starts_with(&format!("RO2.{}.", r.old_kid.unwrap())));
    assert_eq!(w.core.verify(&old.payload)?.status, CertStatus::Valid);
    assert_eq!(w.core.verify(&new.payload)?.status, CertStatus::Valid);
    let keys = w.core.cert_public_keys()?;
    assert_eq!(keys.len(), 2);
    assert!(keys[0].current && keys[0].public_key == r.public_key);
    let all: String = keys.iter().map(|k| format!("{}\n", k.public_key)).collect();
    assert_eq!(
        verify_offline(&old.payload, &all)?.status,
        CertStatus::Valid
    );
    assert_eq!(
        verify_offline(&new.payload, &all)?.status,
        CertStatus::Valid
    );
    // An inspector with only the old key: the new certificate is not accepted.
    assert_eq!(
        verify_offline(&old.payload, &old_key)?.status,
        CertStatus::Valid
    );
    assert_eq!(
        verify_offline(&new.payload, &old_key)?.status,
        CertStatus::Forged
    );
    let actions: Vec<String> = w
        .core
        .audit_log(&w.admin, Some("keys"), None, None)?
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["cert.key.rotate"]);
    assert!(w.core.audit_verify(&w.admin)?.ok);
    Ok(())
}

/// A database of the earlier format (the signing key in `settings`, the audit head unsigned):
/// on open the key moves to the key directory, the row is deleted, both audited, the log is
/// signed from then on; certificates of the old `RO1.` format still verify.
#[test]
fn an_old_database_has_its_signing_key_moved_out() -> R {
    use reopen_core::domain::certificate::{new_signing_key, sign_payload_v1, CertFields};
    if pg_cluster().is_some() {
        return Ok(()); // the earlier format was a SQLite file; no PostgreSQL database had it
    }
    let w = world()?;
    let path = w._dir.path().join("t.db");
    let legacy = new_signing_key();
    let legacy_hex = hex::encode(legacy.to_bytes());
    let World { core, admin, .. } = w;
    drop(core);
    // Make it look like the earlier format: key row, unsigned head, no key directory.
    {
        let c = rusqlite::Connection::open(&path)?;
        c.execute(
            "INSERT INTO settings(key, value) VALUES ('signing_key', ?1)",
            [&legacy_hex],
        )?;
        c.execute("DELETE FROM settings WHERE key = 'audit_head_sig'", [])?;
    }
    std::fs::remove_dir_all(path.with_file_name("t.db.keys"))?;
    let before: i64 = rusqlite::Connection::open(&path)?.query_row(
        "SELECT count(*) FROM audit_events",
        [],
        |r| r.get(0),
    )?;
    let core = Reopen::open(&path)?;
    let n: i64 = core.raw().one(
        "SELECT count(*) FROM settings WHERE key = 'signing_key'",
        reopen_core::args![],
    )?;
    assert_eq!(n, 0, "the row is gone");
    let file = std::fs::read_to_string(path.with_file_name("t.db.keys").join("signing.key"))?;
    assert_eq!(file.trim(), legacy_hex);
    let events = core.audit_log(&admin, None, Some(10), None)?;
    let actions: Vec<&str> = events.iter().take(2).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["cert.key.moved", "audit.keyed"]);
    assert_eq!(events[0].seq, before + 2);
    assert!(core.audit_verify(&admin)?.ok);
    // Opening again changes nothing.
    drop(core);
    let mut core = Reopen::open(&path)?;
    assert_eq!(audit_len(&core, &admin) as i64, before + 2);
    // A certificate of the old format, signed with the old key, still verifies offline.
    let fields = CertFields {
        jurisdiction: "511802".into(),
        year: 2020,
        seq: 1,
        number: "雨复工〔2020〕0001号".into(),
        credit_code: "91511802MA62AB0208".into(),
        firm_name: "雅安市惠民超市有限公司".into(),
        approved_headcount: 12,
        approved_date: today(),
        issue_date: today(),
    };
    let v1 = sign_payload_v1(&fields, &legacy);
    let keys: String = core
        .cert_public_keys()?
        .iter()
        .map(|k| format!("{}\n", k.public_key))
        .collect();
    assert_eq!(verify_offline(&v1, &keys)?.status, CertStatus::Valid);
    assert_eq!(
        core.cert_public_key()?,
        hex::encode(legacy.verifying_key().to_bytes())
    );
    Ok(())
}

/// A key found in the database of a log that this key directory already signs is not adopted:
/// it could have been planted by whoever had the file.
#[test]
fn a_planted_key_row_is_not_adopted() -> R {
    use reopen_core::domain::certificate::new_signing_key;
    let w = world()?;
    let office = w.core.cert_public_keys()?;
    let planted = new_signing_key();
    w.core.raw().exec(
        "INSERT INTO settings(key, value) VALUES ('signing_key', ?1)",
        reopen_core::args![hex::encode(planted.to_bytes())],
    )?;
    drop(w.core);
    let core = open_again(w._dir.path())?;
    let now_keys = core.cert_public_keys()?;
    assert_eq!(now_keys.len(), office.len());
    assert!(!now_keys
        .iter()
        .any(|k| k.public_key == hex::encode(planted.verifying_key().to_bytes())));
    Ok(())
}

/// Offline, only the signature can be checked, and the answer says so; a public verification
/// never names the clerk who issued the certificate.
#[test]
fn verification_says_what_it_knows_and_names_no_user() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    let keys = w.core.cert_public_key()?;
    let v = verify_offline(&cert.payload, &keys)?;
    assert_eq!(v.status, CertStatus::Valid);
    assert!(!v.revocation_checked);
    let note = reopen_core::service::offline_note(&v);
    assert_eq!(note.zh, "签名有效；未核对是否已作废或撤销");
    assert_eq!(note.en, "signature valid; revocation not checked");
    for input in [cert.number.as_str(), cert.payload.as_str()] {
        let v = w.core.verify(input)?;
        assert!(v.revocation_checked);
        let json = serde_json::to_string(&v)?;
        assert!(!json.contains("issued_by"), "{json}");
        assert!(!json.contains(&w.clerk.name), "{json}");
    }
    Ok(())
}

#[test]
fn numbers_issued_under_an_earlier_format_stay_as_issued() -> R {
    use reopen_core::domain::policy::DEFAULT_POLICY_TOML;
    let mut w = world()?;
    // An office that once padded its numbers (the shipped default before GB/T 9704's 不编虚位).
    let padded = DEFAULT_POLICY_TOML.replace("{seq}号", "{seq:04}号");
    assert_ne!(
        padded, DEFAULT_POLICY_TOML,
        "the shipped format is unpadded"
    );
    w.core.policy_set(&w.admin, &padded, now())?;
    let id = approved(&mut w, 1)?;
    let old = w.core.cert_issue(&w.clerk, id, now())?.number;
    assert_eq!(old, "雨复工〔2020〕0001号");
    // Back to the shipped default: the next number is unpadded, the issued one unchanged.
    w.core.policy_set(&w.admin, DEFAULT_POLICY_TOML, now())?;
    let id = approved(&mut w, 2)?;
    assert_eq!(
        w.core.cert_issue(&w.clerk, id, now())?.number,
        "雨复工〔2020〕2号"
    );
    assert_eq!(w.core.cert_show(&w.clerk, &old)?.number, old);
    assert_eq!(w.core.verify(&old)?.status, CertStatus::Valid);
    let fonts = DocFonts::load()?;
    let printed = w
        .core
        .cert_print(&w.clerk, &old, &fonts, now(), |_| Ok(()))?;
    assert_eq!(printed.number, old);
    Ok(())
}

/// The text of a PDF, through pdftotext.
fn pdf_text(dir: &Path, name: &str, pdf: &[u8]) -> R<String> {
    let path = dir.join(name);
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", &path.to_string_lossy(), "-"])
        .output()?;
    assert!(out.status.success(), "pdftotext failed");
    Ok(String::from_utf8(out.stdout)?)
}

/// The masked phone numbers (`138****1234`) in a text.
fn masked_phones(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for w in chars.windows(11) {
        let s: String = w.iter().collect();
        let ok = w[..3].iter().all(char::is_ascii_digit)
            && w[3..7].iter().all(|c| *c == '*')
            && w[7..].iter().all(char::is_ascii_digit);
        if ok {
            out.push(s);
        }
    }
    out
}

/// The form printed through the service carries its review: addressed to the first stage's
/// department, the decided stage with 同意 and its opinion signed by the department (users have
/// no display name: never a login name), the undecided stage an empty box; the firm's own copy
/// has the roster's phone numbers in full, a clerk's copy masked ones.
#[test]
fn the_printed_form_carries_its_review_and_phones_only_for_the_firm() -> R {
    let mut w = world()?;
    let fonts = DocFonts::load()?;
    let code = register(&mut w.core, &w.clerk, 7, "雨城表格商贸有限公司")?;
    let firm = user(
        &mut w.core,
        &w.admin,
        "firm7",
        "firm",
        None,
        Some(&code),
        None,
    )?;
    let id = submitted(&mut w.core, &firm, &code, "daily_necessities", 5, 1, 0)?;
    w.core
        .review_decide(&w.swj, id, &decision("approve", Some(5)), now())?;
    let mut clerk_pdf = Vec::new();
    w.core.form_print(&w.clerk, id, &fonts, now(), |pdf| {
        clerk_pdf = pdf.to_vec();
        Ok(())
    })?;
    let mut firm_pdf = Vec::new();
    w.core.form_print(&firm, id, &fonts, now(), |pdf| {
        firm_pdf = pdf.to_vec();
        Ok(())
    })?;
    let dir = w._dir.path().to_path_buf();
    let clerk_text = pdf_text(&dir, "clerk.pdf", &clerk_pdf)?;
    let firm_text = pdf_text(&dir, "firm.pdf", &firm_pdf)?;
    // Addressed to the first stage's department.
    assert!(
        clerk_text.contains("致：雅安市雨城区商务局"),
        "addressee:\n{clerk_text}"
    );
    // The decided stage: 同意, the opinion, the department as reviewer and the date.
    for text in [&clerk_text, &firm_text] {
        assert!(text.contains("同意。approve:经审核"), "{text}");
        assert_eq!(text.matches("经办人（签字）").count(), 2, "{text}");
        assert!(text.contains("经办人（签字）：雨城区商务局"), "{text}");
        assert!(!text.contains("swj") && !text.contains("zhb"), "{text}");
        // The undecided stage: an empty box, a blank date.
        assert!(
            text.contains("经办人（签字）：\n") || text.contains("经办人（签字）： "),
            "{text}"
        );
        let boxes = text.split("八、审批意见").nth(1).unwrap_or_default();
        let squeezed: String = boxes.split_whitespace().collect();
        assert_eq!(squeezed.matches("年月日").count(), 1, "{text}");
    }
    // Phones: masked on the clerk's copy, in full on the firm's.
    let masked = masked_phones(&clerk_text);
    assert_eq!(
        masked.len(),
        5,
        "one masked phone per roster row:\n{clerk_text}"
    );
    assert!(masked_phones(&firm_text).is_empty(), "{firm_text}");
    for m in &masked {
        let (head, tail) = (&m[..3], &m[7..]);
        assert!(
            firm_text
                .split(|c: char| !c.is_ascii_digit())
                .any(|n| n.len() == 11 && n.starts_with(head) && n.ends_with(tail)),
            "{m} in full on the firm's copy:\n{firm_text}"
        );
    }
    Ok(())
}

/// The form's file is staged inside the transaction and named after the commit: a failed commit
/// leaves no file and no log entry.
#[test]
fn a_form_print_whose_commit_fails_leaves_no_file() -> R {
    let mut w = world()?;
    let fonts = DocFonts::load()?;
    let id = approved(&mut w, 1)?;
    let out = w._dir.path().join("form.pdf");
    let events = audit_len(&w.core, &w.admin);
    fail_commits(&w.core, true)?;
    let r = w.core.form_print_staged(
        &w.clerk,
        id,
        &fonts,
        now(),
        |pdf| {
            let tmp = w._dir.path().join(".form.pdf.part");
            std::fs::write(&tmp, pdf).map_err(reopen_core::Error::internal)?;
            Ok(tmp)
        },
        |tmp| std::fs::rename(tmp, &out).map_err(reopen_core::Error::internal),
    );
    assert!(r.is_err(), "{r:?}");
    fail_commits(&w.core, false)?;
    assert!(!out.exists(), "a form exists that the log does not count");
    assert_eq!(audit_len(&w.core, &w.admin), events);
    let n = w.core.form_print_staged(
        &w.clerk,
        id,
        &fonts,
        now(),
        |pdf| {
            let tmp = w._dir.path().join(".form.pdf.part");
            std::fs::write(&tmp, pdf).map_err(reopen_core::Error::internal)?;
            Ok(tmp)
        },
        |tmp| std::fs::rename(tmp, &out).map_err(reopen_core::Error::internal),
    )?;
    assert_eq!(std::fs::metadata(&out)?.len(), n as u64);
    assert_eq!(audit_len(&w.core, &w.admin), events + 1);
    Ok(())
}

/// The verification code printed under the QR code finds the same certificate as its number, in
/// any case and with or without dashes; a wrong code is unknown.
#[test]
fn verification_by_the_printed_code() -> R {
    let mut w = world()?;
    let id = approved(&mut w, 1)?;
    let cert = w.core.cert_issue(&w.clerk, id, now())?;
    let code = reopen_core::domain::certificate::verification_code(&cert.payload);
    let by_number = w.core.verify(&cert.number)?;
    let by_code = w.core.verify(&code)?;
    assert_eq!(by_code.status, CertStatus::Valid);
    assert_eq!(
        serde_json::to_value(&by_code)?,
        serde_json::to_value(&by_number)?
    );
    let typed = code.replace('-', "").to_lowercase();
    assert_eq!(w.core.verify(&typed)?.status, CertStatus::Valid);
    // Voided: the code tells it too.
    w.core
        .cert_void(&w.clerk, &cert.number, "打印错误", now())?;
    assert_eq!(w.core.verify(&code)?.status, CertStatus::Voided);
    let wrong = if code.starts_with('0') {
        code.replacen('0', "1", 1)
    } else {
        format!("0{}", &code[1..])
    };
    assert_eq!(w.core.verify(&wrong)?.status, CertStatus::Unknown);
    // Offline there is no register to look a code up in: said so, never "forged".
    let key = w.core.cert_public_key()?;
    let e = verify_offline(&code, &key).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{e:?}");
    assert!(
        e.message.zh.contains("核验码") || e.fields.iter().any(|f| f.message.zh.contains("核验码")),
        "{e:?}"
    );
    Ok(())
}

//! Optional at-rest encryption of the roster's ID and phone numbers, with the key outside the
//! database file.

use reopen_core::store::seal::RosterKey;

use super::*;

#[test]
fn sealed_rosters_need_the_key_and_read_back_exactly() -> R {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    let code = register(&mut core, &clerk, 1, "雨城甲商贸有限公司")?;
    let firm = user(&mut core, &admin, "firm", "firm", None, Some(&code), None)?;
    let id = submitted(&mut core, &firm, &code, "general", 5, 1, 0)?;
    let before = core.app_roster_reveal(&firm, id, now())?;
    let schema = core.schema()?;
    let key = RosterKey::generate();
    assert_eq!(
        kind(core.roster_seal(&clerk, &key, now())),
        Some(ErrorKind::Forbidden)
    );
    let r = core.roster_seal(&admin, &key, now())?;
    assert_eq!((r.roster_rows, r.submissions), (5, 1));
    assert_eq!(r.fingerprint, key.fingerprint());
    assert_eq!(
        kind(core.roster_seal(&admin, &key, now())),
        Some(ErrorKind::Conflict)
    );
    // On disk: no ID or phone number in clear, in the roster or in the frozen submission.
    let raw: Vec<(String, String)> = core.raw().rows(
        "SELECT id_number, phone FROM roster_entries",
        reopen_core::args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert!(raw
        .iter()
        .all(|(i, p)| i.starts_with("enc1:") && p.starts_with("enc1:")));
    let frozen: String = core
        .raw()
        .one("SELECT roster FROM submissions", reopen_core::args![])?;
    for p in &before {
        assert!(!frozen.contains(&p.id_number) && !frozen.contains(&p.phone));
    }
    // Through the use cases: exactly as before, masked or revealed.
    assert_eq!(core.app_roster_reveal(&firm, id, now())?, before);
    assert!(core.app_roster(&swj, id, None, None)?[0]
        .masked
        .id_number
        .contains('*'));
    // A return, a new roster (sealed as it is written) and a resubmission: the diff still reads.
    core.review_decide(&swj, id, &decision("return", None), now())?;
    let csv = demo_roster_csv(5, 1, 0, 77, today());
    core.app_roster_replace(&firm, id, "r.csv", csv.as_bytes(), None, now())?;
    core.app_submit(&firm, id, None, now())?;
    let diff = core.app_diff(&swj, id, None, None)?;
    assert!(!diff.roster.is_empty());
    assert_eq!(core.schema()?, schema, "the guards are back");
    assert!(reopen_core::audit::verify(core.raw(), core.keys())?.ok);
    drop(core);
    // Without the key: reading is refused with the reason, writing changes nothing.
    let mut bare = open_again(dir.path())?;
    let firm = bare.login("firm", PW, now())?;
    let e = bare.app_roster(&firm, id, None, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.message.zh.contains("REOPEN_KEY_FILE"), "{e:?}");
    // The wrong key is refused by name; the right one opens.
    assert_eq!(
        fields(bare.set_roster_key(RosterKey::generate())),
        ["key_file"]
    );
    bare.set_roster_key(RosterKey::from_hex(&key.to_hex())?)?;
    assert_eq!(bare.app_roster(&firm, id, None, None)?.len(), 5);
    Ok(())
}

//! The certificate's QR payload: `verify_offline` (payload + exported public key), the payload
//! parser `check_payload`, and `Reopen::verify` on a real database. A payload with any character
//! changed never verifies as valid; arbitrary fields (hostile firm names, any dates) round-trip
//! through signing.

use std::cell::RefCell;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use reopen_core::domain::certificate::{
    check_payload, key_id, sign_payload, sign_payload_v1, CertFields, PayloadCheck,
};
use reopen_core::service::{verify_offline, CertStatus};
use reopen_core::Reopen;

use super::*;

fn key() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| SigningKey::from_bytes(&[7u8; 32]))
}

fn key_hex() -> String {
    hex::encode(key().verifying_key().to_bytes())
}

fn fields() -> CertFields {
    CertFields {
        jurisdiction: "511802".into(),
        year: 2020,
        seq: 1,
        number: "雨复工〔2020〕0001号".into(),
        credit_code: "91511802MA62AB0208".into(),
        firm_name: "雅安市惠民超市有限公司".into(),
        approved_headcount: 12,
        approved_date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap(),
        issue_date: NaiveDate::from_ymd_opt(2020, 2, 6).unwrap(),
    }
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
        .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

fn cert_fields() -> impl Strategy<Value = CertFields> {
    (
        (
            hostile_string(10),
            any::<i32>(),
            any::<u32>(),
            hostile_string(20),
        ),
        (hostile_string(20), hostile_string(30), any::<u32>()),
        (any_date(), any_date()),
    )
        .prop_map(
            |(
                (jurisdiction, year, seq, number),
                (credit_code, firm_name, approved_headcount),
                (a, i),
            )| {
                CertFields {
                    jurisdiction,
                    year,
                    seq,
                    number,
                    credit_code,
                    firm_name,
                    approved_headcount,
                    approved_date: a,
                    issue_date: i,
                }
            },
        )
}

fn never_valid(input: &str) -> Result<(), TestCaseError> {
    let v = verify_offline(input, &key_hex()).unwrap();
    prop_assert_ne!(v.status, CertStatus::Valid, "{:?} verified", input);
    prop_assert!(!matches!(
        check_payload(input, &key().verifying_key()),
        PayloadCheck::Signed(_)
    ));
    Ok(())
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn payload_arbitrary(s in hostile_string(120), prefix in 0..3u8) {
        let s = match prefix {
            0 => s,
            1 => format!("RO1.{s}"),
            _ => format!("RO2.{}.{s}", key_id(&key().verifying_key())),
        };
        never_valid(&s)?;
    }

    #[test]
    fn payload_base64_shaped(a in "[A-Za-z0-9_-]{0,200}", b in "[A-Za-z0-9_-]{0,100}") {
        never_valid(&format!("RO1.{a}.{b}"))?;
        never_valid(&format!("RO2.{}.{a}.{b}", key_id(&key().verifying_key())))?;
    }

    /// The first format (no key id) still verifies, and edits of it never do.
    #[test]
    fn payload_v1_edited(edits in proptest::collection::vec(text_edit(), 1..4)) {
        let valid = sign_payload_v1(&fields(), key());
        prop_assert_eq!(verify_offline(&valid, &key_hex()).unwrap().status, CertStatus::Valid);
        let edited = edit_text(&valid, &edits);
        if edited.trim() != valid {
            never_valid(&edited)?;
        }
    }

    /// Any change to a valid payload is found: never valid, whatever was changed.
    #[test]
    fn payload_edited(edits in proptest::collection::vec(text_edit(), 1..4)) {
        let valid = sign_payload(&fields(), key());
        prop_assert_eq!(verify_offline(&valid, &key_hex()).unwrap().status, CertStatus::Valid);
        let edited = edit_text(&valid, &edits);
        if edited.trim() != valid {
            never_valid(&edited)?;
        }
    }

    /// Signed with another key: forged.
    #[test]
    fn payload_of_another_key(seed in any::<[u8; 32]>()) {
        prop_assume!(seed != [7u8; 32]);
        let other = sign_payload(&fields(), &SigningKey::from_bytes(&seed));
        let v = verify_offline(&other, &key_hex()).unwrap();
        prop_assert_eq!(v.status, CertStatus::Forged);
        prop_assert_eq!(v.fields, Some(fields()));
    }

    /// Whatever the fields hold, a signed payload is ASCII and verifies to the same fields.
    #[test]
    fn payload_fields_round_trip(f in cert_fields()) {
        let p = sign_payload(&f, key());
        prop_assert!(p.is_ascii() && p.starts_with("RO2."));
        let v = verify_offline(&p, &key_hex()).unwrap();
        prop_assert_eq!(v.status, CertStatus::Valid);
        prop_assert_eq!(v.fields, Some(f));
    }

    /// A bad public key is a field error on `public_key`, never a panic.
    #[test]
    fn public_key_arbitrary(k in hostile_string(70), hexed in "[0-9a-fA-F]{0,70}") {
        let valid = sign_payload(&fields(), key());
        for k in [k, hexed] {
            match verify_offline(&valid, &k) {
                Ok(v) => prop_assert!(v.status == CertStatus::Valid || v.status == CertStatus::Forged),
                Err(e) => prop_assert_eq!(e.fields[0].field.as_str(), "public_key"),
            }
        }
    }
}

/// `Reopen::verify` on a real database: a number or a payload, never a panic, never valid.
#[test]
fn verify_on_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = Reopen::open(&dir.path().join("t.db")).unwrap();
    core.init(Some(("admin", "Chief-2020x")), now()).unwrap();
    // A payload signed with the database's own key for a number it does not know: unknown, not valid.
    let own = std::fs::read_to_string(dir.path().join("t.db.keys").join("signing.key")).unwrap();
    let own: [u8; 32] = hex::decode(own.trim()).unwrap().try_into().unwrap();
    let unknown = sign_payload(&fields(), &SigningKey::from_bytes(&own));
    assert_eq!(core.verify(&unknown).unwrap().status, CertStatus::Unknown);
    let core = RefCell::new(core);
    let mut runner = TestRunner::new(config(CASES / 4));
    let strategy = (
        hostile_string(60),
        proptest::collection::vec(text_edit(), 0..3),
    );
    runner
        .run(&strategy, |(s, edits)| {
            let valid = sign_payload(&fields(), key());
            for input in [s, edit_text(&valid, &edits), format!("RO1.{}", valid.len())] {
                let v = core.borrow_mut().verify(&input).unwrap();
                prop_assert!(v.status != CertStatus::Valid, "{:?}", input);
                prop_assert!(v.certificate.is_none());
            }
            Ok(())
        })
        .unwrap();
    // The tables are intact.
    let n: i64 = core
        .borrow()
        .raw()
        .one("SELECT count(*) FROM certificates", reopen_core::args![])
        .unwrap();
    assert_eq!(n, 0);
}

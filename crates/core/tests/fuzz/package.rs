//! Application packages (`domain::package::parse`) and what the import does with a parsed one
//! (firm.json, plan.json, roster rows, attachments): arbitrary bytes, a valid package with bytes
//! changed or cut off (always refused: the checksum covers every value), and a valid package with
//! its JSON edited and the checksum recomputed (so the structure checks are reached).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use proptest::prelude::*;
use reopen_core::domain::firm::FirmInput;
use reopen_core::domain::package::{
    self, decode_attachment, Package, PackageApplication, PackageAttachment, PackageOrigin,
    ROSTER_KEYS,
};
use reopen_core::domain::plan::Plan;
use reopen_core::domain::roster::{check_rows, RawRow};
use reopen_core::service::demo::{demo_credit_code, demo_plan, demo_roster_csv};
use serde_json::{json, Value};

use super::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn valid() -> &'static (Package, Vec<u8>) {
    static P: OnceLock<(Package, Vec<u8>)> = OnceLock::new();
    P.get_or_init(|| {
        let csv = demo_roster_csv(4, 2, 1, 5, today());
        let mut lines = csv.lines();
        lines.next();
        let roster = lines
            .map(|l| {
                ROSTER_KEYS
                    .iter()
                    .zip(l.split(','))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>()
            })
            .collect();
        let p = Package {
            format: package::FORMAT.into(),
            version: package::VERSION,
            package_id: "0123456789abcdef0123456789abcdef".into(),
            created_at: "2020-02-05T01:00:00Z".into(),
            firm: json!({"credit_code": demo_credit_code("511802", 7), "name": "雨城包企业有限公司",
                "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号",
                "industry": "52", "legal_representative": "王建国",
                "principal": {"name": "王建国", "phone": "13800000000"},
                "contact": {"name": "李防疫", "phone": "13900000000"},
                "staff_total": 50, "city_managed": false}),
            application: PackageApplication {
                plan: demo_plan("production", 4, 2, 1, "王建国", now()),
                roster,
                attachments: vec![PackageAttachment {
                    name: "承诺书.pdf".into(),
                    mime: "application/pdf".into(),
                    sha256: package::sha256_hex(PDF),
                    content_base64: package::encode_base64(PDF),
                }],
            },
            origin: Some(PackageOrigin {
                application_id: 1,
                state: "draft".into(),
                submission_no: 0,
                exported_by: "firm".into(),
                mode: "firm".into(),
            }),
            sha256: String::new(),
        };
        package::seal(p).unwrap()
    })
}

/// What `app_import` checks after `parse`: none of it may panic on a package that parsed.
fn import_checks(p: &Package) -> Result<(), TestCaseError> {
    let policy = policy();
    let _ = FirmInput::from_json(&p.firm);
    let _ = Plan::from_json(&p.application.plan, &policy);
    let rows: Vec<(usize, RawRow)> = p
        .application
        .roster
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let row: HashMap<&'static str, String> = ROSTER_KEYS
                .iter()
                .filter_map(|k| r.get(*k).map(|v| (*k, v.clone())))
                .collect();
            (i + 2, row)
        })
        .collect();
    let key_area = |r: &str| policy.is_key_area(r);
    let _ = check_rows(&rows, &key_area, today());
    for a in &p.application.attachments {
        if let Ok((name, mime, bytes)) = decode_attachment(a) {
            prop_assert!(!name.is_empty() && !name.contains(['/', '\\']));
            prop_assert_eq!(package::sniff_mime(&bytes), Some(mime));
        }
    }
    Ok(())
}

/// A package that parsed, sealed again, parses to itself.
fn check(bytes: &[u8]) -> Result<Option<Package>, TestCaseError> {
    match package::parse(bytes) {
        Ok(p) => {
            let (sealed, again) = package::seal(p.clone()).unwrap();
            prop_assert_eq!(package::parse(&again), Ok(sealed));
            import_checks(&p)?;
            Ok(Some(p))
        }
        Err(e) => {
            prop_assert!(!e.is_empty());
            for f in &e {
                prop_assert!(f.field.starts_with("package"), "{f:?}");
                prop_assert!(!f.message.zh.is_empty() && !f.message.en.is_empty());
            }
            Ok(None)
        }
    }
}

fn same_package(a: &Package, b: &Package) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.sha256.make_ascii_lowercase();
    b.sha256.make_ascii_lowercase();
    a == b
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn package_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
    }

    #[test]
    fn package_arbitrary_json(v in json_value(), format in any::<bool>()) {
        let mut v = v;
        if format {
            if let Value::Object(m) = &mut v {
                m.insert("format".into(), package::FORMAT.into());
                m.insert("version".into(), 1.into());
            }
            if v.is_object() {
                v["sha256"] = package::checksum(&v).into();
            }
        }
        check(v.to_string().as_bytes())?;
    }

    /// Bytes changed or cut off: refused, unless the change left every value as it was
    /// (whitespace, the checksum's letter case).
    #[test]
    fn package_bytes_edited(edits in proptest::collection::vec(byte_edit(), 1..4)) {
        let (original, bytes) = valid();
        let parsed = package::parse(bytes);
        prop_assert_eq!(parsed.as_ref(), Ok(original));
        let edited = edit_bytes(bytes, &edits);
        if let Some(p) = check(&edited)? {
            prop_assert!(same_package(&p, original), "an edited package was accepted with other values");
        }
    }

    #[test]
    fn package_truncated(cut in any::<usize>()) {
        let (_, bytes) = valid();
        let cut = cut % bytes.len();
        let e = package::parse(&bytes[..cut]).unwrap_err();
        prop_assert_eq!(e[0].field.as_str(), "package");
    }

    /// The JSON edited and sealed again: the checksum holds, the structure and fields are checked.
    #[test]
    fn package_json_edited_and_resealed(edits in proptest::collection::vec(json_edit(), 1..4)) {
        let (_, bytes) = valid();
        let doc: Value = serde_json::from_slice(bytes).unwrap();
        let mut edited = edit_json(&doc, &edits);
        if edited.is_object() {
            edited["sha256"] = package::checksum(&edited).into();
        }
        check(&serde_json::to_vec_pretty(&edited).unwrap())?;
    }
}

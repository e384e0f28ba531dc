//! The roster importer: `sheet::read_table` (CSV in UTF-8/UTF-16/GB18030, .xlsx/.xls/.ods through
//! calamine), `roster::rows_from_table` and `roster::check_rows`, on arbitrary bytes, edited CSV and
//! truncated or edited workbooks.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::select;
use reopen_core::domain::roster::{check_rows, rows_from_table, RosterEntry};
use reopen_core::domain::sheet::{read_table, DEFAULT_MAX_ROWS};
use reopen_core::service::demo::demo_roster_csv;
use reopen_core::FieldError;

use super::*;

fn errors_named(errors: &[FieldError]) -> Result<(), TestCaseError> {
    prop_assert!(!errors.is_empty());
    for e in errors {
        prop_assert!(e.field.starts_with("roster"), "{e:?}");
        prop_assert!(
            !e.message.zh.is_empty() && !e.message.en.is_empty(),
            "{e:?}"
        );
    }
    Ok(())
}

/// The whole import of a file: table → rows → entries. Every entry is valid (its stored record
/// reads back as the same entry).
pub fn import(file_name: &str, bytes: &[u8]) -> Result<Vec<RosterEntry>, TestCaseError> {
    let policy = policy();
    let key_area = |r: &str| policy.is_key_area(r);
    let table = match read_table(file_name, bytes, DEFAULT_MAX_ROWS) {
        Ok(t) => t,
        Err(e) => {
            errors_named(&e)?;
            return Ok(Vec::new());
        }
    };
    let rows = match rows_from_table(table) {
        Ok(r) => r,
        Err(e) => {
            errors_named(&e)?;
            return Ok(Vec::new());
        }
    };
    match check_rows(&rows, &key_area, today()) {
        Ok(entries) => {
            for e in &entries {
                let back = e.record().entry(today());
                prop_assert_eq!(back.as_ref(), Ok(e));
                let view = e.record().view(1);
                prop_assert!(!view.masked.id_number.contains(&e.id_number.expose()[6..14]));
            }
            Ok(entries)
        }
        Err(e) => {
            errors_named(&e)?;
            Ok(Vec::new())
        }
    }
}

fn csv() -> String {
    demo_roster_csv(6, 3, 1, 11, today())
}

/// A valid workbook: the roster a spreadsheet program saved (tests/fixtures/roster).
fn xlsx() -> &'static [u8] {
    static X: OnceLock<Vec<u8>> = OnceLock::new();
    X.get_or_init(|| {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/roster/roster-good.xlsx"
        );
        std::fs::read(p).expect("fixture roster-good.xlsx")
    })
}

/// The demo roster as rust_xlsxwriter writes it (another zip and XML layout than Calc's).
fn xlsx_written() -> &'static [u8] {
    static X: OnceLock<Vec<u8>> = OnceLock::new();
    X.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, line) in csv().lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    })
}

/// No magic; a zip's (xlsx, ods); a compound file's (xls); the BOMs of UTF-8 and UTF-16LE.
const MAGIC: &[&[u8]] = &[
    b"",
    b"PK\x03\x04",
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
];

const NAMES: &[&str] = &[
    "r.csv",
    "r.xlsx",
    "r.xls",
    "r.ods",
    "r.xlsm",
    "花名册.CSV",
    "r",
];

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn roster_arbitrary_bytes(
        name in select(NAMES),
        magic in select(MAGIC),
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut all = magic.to_vec();
        all.extend(bytes);
        import(name, &all)?;
    }

    #[test]
    fn roster_arbitrary_text(cells in proptest::collection::vec(proptest::collection::vec(hostile_string(12), 0..12), 0..6)) {
        let mut text = csv().lines().next().unwrap().to_string();
        for row in cells {
            text.push('\n');
            text.push_str(&row.join(","));
        }
        import("r.csv", text.as_bytes())?;
    }

    #[test]
    fn roster_csv_edited(edits in proptest::collection::vec(text_edit(), 1..6), encoding in 0u8..3) {
        let valid = csv();
        prop_assert_eq!(import("r.csv", valid.as_bytes())?.len(), 6);
        let text = edit_text(&valid, &edits);
        let bytes = match encoding {
            0 => text.into_bytes(),
            1 => encoding_rs::GB18030.encode(&text).0.into_owned(),
            _ => {
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                b
            }
        };
        import("r.csv", &bytes)?;
    }

    #[test]
    fn roster_csv_bytes_edited(edits in proptest::collection::vec(byte_edit(), 1..6)) {
        import("r.csv", &edit_bytes(csv().as_bytes(), &edits))?;
    }
}

proptest! {
    // A workbook is a zip of XML: each case inflates it, so fewer cases by default.
    #![proptest_config(config(CASES / 2))]

    #[test]
    fn roster_xlsx_truncated(which in any::<bool>(), cut in any::<usize>()) {
        let valid = if which { xlsx() } else { xlsx_written() };
        if !which {
            prop_assert_eq!(import("r.xlsx", valid)?.len(), 6);
        }
        let cut = cut % valid.len();
        import("r.xlsx", &valid[..cut])?;
    }

    #[test]
    fn roster_xlsx_edited(which in any::<bool>(), edits in proptest::collection::vec(byte_edit(), 1..5)) {
        let valid = if which { xlsx() } else { xlsx_written() };
        let bytes = edit_bytes(valid, &edits);
        import("r.xlsx", &bytes)?;
        import("r.ods", &bytes)?;
    }
}

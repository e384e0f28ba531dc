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

/// The demo roster as an .ods's content.xml, as Calc writes it: a row per line, a string cell per
/// value with its text in a paragraph, and the rest of the sheet as repeated empty rows.
fn ods_content() -> String {
    let mut rows = String::new();
    for line in csv().lines() {
        rows.push_str("<table:table-row>");
        for cell in line.split(',') {
            let cell = cell.replace('&', "&amp;").replace('<', "&lt;");
            rows.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
            ));
        }
        rows.push_str(
            r#"<table:table-cell table:number-columns-repeated="1013"/></table:table-row>"#,
        );
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="花名册">{rows}<table:table-row table:number-rows-repeated="1048569"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

fn ods(content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// The demo roster as an Excel 97–2003 Workbook stream (BIFF8): globals, then one sheet of
/// LABEL records.
fn biff() -> Vec<u8> {
    let bof = |dt: u16| {
        record(
            0x0809,
            &[&[0x00, 0x06][..], &dt.to_le_bytes(), &[0; 12]].concat(),
        )
    };
    let bound = |pos: u32| {
        record(
            0x0085,
            &[&pos.to_le_bytes()[..], &[0, 0, 1, 0, b'R']].concat(),
        )
    };
    let eof = record(0x000A, &[]);
    let globals = bof(5).len() + bound(0).len() + eof.len();
    let mut stream = [bof(5), bound(globals as u32), eof.clone(), bof(0x10)].concat();
    let text = csv();
    let lines: Vec<&str> = text.lines().collect();
    let dims = [
        &0u32.to_le_bytes()[..],
        &(lines.len() as u32).to_le_bytes(),
        &[0, 0, 11, 0, 0, 0],
    ]
    .concat();
    stream.extend(record(0x0200, &dims));
    for (r, line) in lines.iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let utf16: Vec<u16> = cell.encode_utf16().collect();
            let mut d = [(r as u16).to_le_bytes(), (c as u16).to_le_bytes(), [0, 0]].concat();
            d.extend((utf16.len() as u16).to_le_bytes());
            d.push(1);
            d.extend(utf16.iter().flat_map(|u| u.to_le_bytes()));
            stream.extend(record(0x0204, &d));
        }
    }
    stream.extend(eof);
    stream
}

fn xls(stream: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    let mut s = file.create_stream("/Workbook").unwrap();
    s.write_all(stream).unwrap();
    s.flush().unwrap();
    drop(s);
    file.flush().unwrap();
    file.into_inner().into_inner()
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
    fn roster_ods_edited(edits in proptest::collection::vec(text_edit(), 1..6)) {
        // content.xml is read by our own streaming reader: edited XML, repeats and values.
        let valid = ods_content();
        prop_assert_eq!(import("r.ods", &ods(&valid))?.len(), 6);
        import("r.ods", &ods(&edit_text(&valid, &edits)))?;
    }

    #[test]
    fn roster_xls_edited(edits in proptest::collection::vec(byte_edit(), 1..5)) {
        // The Workbook stream's records are scanned here before calamine parses them.
        let valid = biff();
        prop_assert_eq!(import("r.xls", &xls(&valid))?.len(), 6);
        import("r.xls", &xls(&edit_bytes(&valid, &edits)))?;
    }

    #[test]
    fn roster_xlsx_edited(which in any::<bool>(), edits in proptest::collection::vec(byte_edit(), 1..5)) {
        let valid = if which { xlsx() } else { xlsx_written() };
        let bytes = edit_bytes(valid, &edits);
        import("r.xlsx", &bytes)?;
        import("r.ods", &bytes)?;
    }
}

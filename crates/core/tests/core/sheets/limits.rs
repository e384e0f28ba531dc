//! Hostile roster files, refused with a clear error in bounded memory: a 2 KB .xlsx with cells at
//! A1 and XFD1048576 (calamine's range for it is hundreds of GB), its .ods twin (repeated columns
//! and rows that calamine expands at open), and a CSV of a million rows. Each runs in a child
//! process — this test binary again, one test selected — under `prlimit --as`, so the old code's
//! allocation aborts the child instead of the machine, and the new code's refusal is printed.

use std::io::Write;
use std::process::Command;

use reopen_core::domain::roster::{check_rows, rows_from_table};
use reopen_core::domain::sheet::{read_table, DEFAULT_MAX_ROWS, MAX_SHEET_BYTES};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

/// The child's address space: the test binary and its allocator arenas need some 100 MB; the old
/// code asks for gigabytes (the .xlsx for hundreds of them).
const CHILD_MEMORY: u64 = 512 * 1024 * 1024;
const CASE_VAR: &str = "REOPEN_SHEET_LIMITS_CASE";

fn zipped(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut z = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        let method = if *name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        z.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A workbook Excel opens: one sheet declaring `dimension`, with a header at A1 and `last` holding 1.
pub fn xlsx_with(dimension: &str, last: &str) -> Vec<u8> {
    xlsx_parts(dimension, last, &[])
}

/// The same with more parts (a string table, styles).
pub fn xlsx_parts(dimension: &str, last: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="{row}"><c r="{last}"><v>1</v></c></row></sheetData></worksheet>"#,
        row = last.trim_start_matches(|c: char| c.is_ascii_alphabetic()),
    );
    let mut parts = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
    ];
    parts.extend_from_slice(extra);
    zipped(&parts)
}

/// A string table declaring four billion entries, which calamine reserved room for at open.
pub fn sst_xlsx() -> Vec<u8> {
    xlsx_parts(
        "A1",
        "A2",
        &[(
            "xl/sharedStrings.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>姓名</t></si></sst>"#,
        )],
    )
}

/// The 2 KB workbook of the report: cells at A1 and XFD1048576, and it says so.
pub fn huge_xlsx() -> Vec<u8> {
    xlsx_with("A1:XFD1048576", "XFD1048576")
}

/// An .ods with `rows` after its header row (each as LibreOffice writes a row).
pub fn ods_with(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="花名册"><table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row>{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zipped(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        (
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        ),
        ("content.xml", &content),
    ])
}

/// The .ods twin: a thousand rows of one cell repeated over all 16,384 columns, then one cell
/// repeated over every row to the sheet's end.
pub fn huge_ods() -> Vec<u8> {
    let wide = r#"<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    ods_with(&format!(
        r#"{}<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384" office:value="1" office:value-type="float"/></table:table-row>"#,
        wide.repeat(1000)
    ))
}

/// A million rows below the header, small enough a file (7 MB) to pass the size check.
pub fn million_row_csv() -> Vec<u8> {
    let mut csv = String::from("姓名,身份证号,手机号\n");
    csv.push_str(&"王,1,1\n".repeat(1_000_000));
    csv.into_bytes()
}

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    let mut d = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    d.extend((utf16.len() as u16).to_le_bytes());
    d.push(1);
    d.extend(utf16.iter().flat_map(|u| u.to_le_bytes()));
    record(0x0204, &d)
}

fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
    let d = [
        &row.to_le_bytes()[..],
        &col.to_le_bytes(),
        &[0, 0],
        &v.to_le_bytes(),
    ]
    .concat();
    record(0x0203, &d)
}

/// An Excel 97–2003 workbook (BIFF8 in a compound file) with one sheet: a DIMENSIONS record
/// declaring rows `rows.0..rows.1` and columns `cols.0..cols.1`, then `cells`.
pub fn xls_with(rows: (u32, u32), cols: (u16, u16), cells: &[Vec<u8>]) -> Vec<u8> {
    let bof = |dt: u16| {
        record(
            0x0809,
            &[&[0x00, 0x06][..], &dt.to_le_bytes(), &[0; 12]].concat(),
        )
    };
    let name: Vec<u8> = "花名册"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let bound = |pos: u32| {
        record(
            0x0085,
            &[&pos.to_le_bytes()[..], &[0, 0, 3, 1], &name].concat(),
        )
    };
    let eof = record(0x000A, &[]);
    let globals_len = bof(5).len() + bound(0).len() + eof.len();
    let mut stream = [bof(5), bound(globals_len as u32), eof.clone(), bof(0x10)].concat();
    let dims = [
        &rows.0.to_le_bytes()[..],
        &rows.1.to_le_bytes(),
        &cols.0.to_le_bytes(),
        &cols.1.to_le_bytes(),
        &[0, 0],
    ]
    .concat();
    stream.extend(record(0x0200, &dims));
    for c in cells {
        stream.extend(c);
    }
    stream.extend(eof);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// An .xls declaring every row a BIFF8 DIMENSIONS record can (2^32) over 256 columns.
pub fn huge_xls() -> Vec<u8> {
    xls_with((0, u32::MAX), (0, 256), &[label(0, 0, "姓名")])
}

fn case(name: &str) -> (&'static str, Vec<u8>, &'static str) {
    match name {
        "xlsx" => ("花名册.xlsx", huge_xlsx(), "XFD1048576"),
        "ods" => ("花名册.ods", huge_ods(), "表格过宽"),
        "csv" => ("花名册.csv", million_row_csv(), "第 20002 行仍有内容"),
        "xls" => ("花名册.xls", huge_xls(), "4294967295 行 × 256 列"),
        "sst" => ("花名册.xlsx", sst_xlsx(), "声明了 4000000000 项"),
        other => panic!("no case {other}"),
    }
}

/// The child: reads the case's file as the roster import does (table → rows → checks) and prints
/// the refusal. It does nothing in a normal test run.
#[test]
fn bounded_child() {
    let Ok(name) = std::env::var(CASE_VAR) else {
        return;
    };
    let (file, bytes, _) = case(&name);
    let errors = match read_table(file, &bytes, DEFAULT_MAX_ROWS) {
        Err(e) => e,
        Ok(table) => match rows_from_table(table) {
            Err(e) => e,
            Ok(rows) => check_rows(&rows, &|_| false, today())
                .err()
                .unwrap_or_default(),
        },
    };
    for e in &errors {
        println!("REFUSED {}: {} / {}", e.field, e.message.zh, e.message.en);
    }
}

fn run_bounded(name: &str) {
    let (_, bytes, expected) = case(name);
    assert!(
        bytes.len() < MAX_SHEET_BYTES,
        "{name}: {} bytes",
        bytes.len()
    );
    let out = Command::new("prlimit")
        .arg(format!("--as={CHILD_MEMORY}"))
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sheets::limits::bounded_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CASE_VAR, name)
        .output()
        .expect("prlimit (util-linux) runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name}: the child did not finish ({:?}) in {CHILD_MEMORY} bytes\n{stdout}\n{stderr}",
        out.status
    );
    let refusal = stdout
        .lines()
        .find(|l| l.contains("REFUSED roster:"))
        .unwrap_or_else(|| panic!("{name}: no refusal on `roster`\n{stdout}"));
    assert!(refusal.contains(expected), "{name}: {refusal}");
}

#[test]
fn a_2kb_xlsx_reaching_xfd1048576_is_refused_in_bounded_memory() {
    let bytes = huge_xlsx();
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
    // It declares the sheet's whole size, as the report's file did.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(sheet.contains(r#"<dimension ref="A1:XFD1048576"/>"#));
    run_bounded("xlsx");
}

#[test]
fn an_ods_of_repeated_rows_and_columns_is_refused_in_bounded_memory() {
    assert!(huge_ods().len() < 8192, "{} bytes", huge_ods().len());
    run_bounded("ods");
}

#[test]
fn a_million_row_csv_is_refused_in_bounded_memory() {
    run_bounded("csv");
}

#[test]
fn an_xls_declaring_four_billion_rows_is_refused_in_bounded_memory() {
    run_bounded("xls");
}

#[test]
fn an_xlsx_string_table_declaring_billions_is_refused_in_bounded_memory() {
    run_bounded("sst");
}

#[test]
fn an_xlsx_part_unpacking_past_64_mib_is_refused() {
    // 65 MiB of one letter deflates to some 65 KB; the zip may say anything about its size.
    let bomb = "a".repeat(65 << 20);
    let bytes = xlsx_parts("A1", "A2", &[("xl/styles.xml", &bomb)]);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let m = refusal("a.xlsx", &bytes, DEFAULT_MAX_ROWS);
    assert!(m.contains("解压后超过 64.0 MB"), "{m}");
}

#[test]
fn an_xls_reads_and_its_used_area_is_bounded() {
    let good = xls_with(
        (0, 2),
        (0, 2),
        &[
            label(0, 0, "姓名"),
            label(0, 1, "手机号"),
            label(1, 0, "王一"),
            number(1, 1, 13800000001.0),
        ],
    );
    let t = read_table("a.xls", &good, DEFAULT_MAX_ROWS).unwrap();
    assert_eq!(t, [["姓名", "手机号"], ["王一", "13800000001"]]);
    // Cells spread over 65,536 rows × 256 columns, under a modest declaration.
    let spread = xls_with(
        (0, 1),
        (0, 1),
        &[label(0, 0, "姓名"), number(65535, 255, 1.0)],
    );
    let m = refusal("a.xls", &spread, DEFAULT_MAX_ROWS);
    assert!(m.contains("IV65536"), "{m}");
    // Inverted bounds, which calamine's arithmetic would underflow on.
    let m = refusal("a.xls", &xls_with((5, 2), (0, 1), &[]), DEFAULT_MAX_ROWS);
    assert!(m.contains("无法读取"), "{m}");
}

fn refusal(file: &str, bytes: &[u8], max_rows: usize) -> String {
    let e = read_table(file, bytes, max_rows).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "roster");
    assert!(!e[0].message.en.is_empty());
    e[0].message.zh.clone()
}

#[test]
fn each_way_past_the_caps_is_named() {
    // Declared huge, or declared small and reaching far: both refused, the second as it streams.
    let m = refusal("a.xlsx", &huge_xlsx(), DEFAULT_MAX_ROWS);
    assert!(
        m.contains("XFD1048576") && m.contains("1048576 行 × 16384 列"),
        "{m}"
    );
    let m = refusal("a.xlsx", &xlsx_with("A1", "A1048576"), DEFAULT_MAX_ROWS);
    assert!(m.contains("第 1048576 行仍有内容"), "{m}");
    let m = refusal("a.xlsx", &xlsx_with("A1", "BM2"), DEFAULT_MAX_ROWS);
    assert!(m.contains("表格过宽") && m.contains("第 65 列"), "{m}");
    // A sheet formatted to row 65,536 in advance is read (its content decides).
    let ok = read_table("a.xlsx", &xlsx_with("A1:K65536", "B3"), DEFAULT_MAX_ROWS).unwrap();
    assert_eq!((ok.len(), ok[2][1].as_str()), (3, "1"));
    // .ods: rows repeated past the cap; a string cell longer than a cell may be.
    let rows = r#"<table:table-row table:number-rows-repeated="30000"><table:table-cell office:value="1" office:value-type="float"/></table:table-row>"#;
    let m = refusal("a.ods", &ods_with(rows), DEFAULT_MAX_ROWS);
    assert!(
        m.contains("第 20002 行仍有内容") && m.contains("最多 20000 行"),
        "{m}"
    );
    let long = r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row>"#;
    let m = refusal("a.ods", &ods_with(long), DEFAULT_MAX_ROWS);
    assert!(m.contains("内容过长"), "{m}");
    // The policy's cap, and the file size.
    let csv = "姓名\n王一\n王二\n王三\n";
    assert!(refusal("a.csv", csv.as_bytes(), 2).contains("第 4 行仍有内容"));
    assert_eq!(read_table("a.csv", csv.as_bytes(), 3).unwrap().len(), 4);
    let big = vec![b'a'; MAX_SHEET_BYTES + 1];
    assert!(refusal("a.csv", &big, DEFAULT_MAX_ROWS).contains("文件过大"));
}

#[test]
fn an_ods_reads_as_calc_writes_it() {
    let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>王 &amp; 一</text:p><office:annotation><text:p>批注</text:p></office:annotation></table:table-cell><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="float" office:value="13800000001"/><table:table-cell office:value-type="date" office:date-value="2020-02-10"/></table:table-row><table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
    let t = read_table("a.ods", &ods_with(rows), DEFAULT_MAX_ROWS).unwrap();
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[1], ["王 & 一", "", "", "13800000001", "2020-02-10"]);
}

#[test]
fn the_use_cases_refuse_the_same_files_and_change_nothing() -> R {
    let mut d = super::desk()?;
    let before = d.core.app_show(&d.admin, d.app, now())?;
    let audit_before = audit_len(&d.core, &d.admin);
    for name in ["xlsx", "ods", "csv", "xls", "sst"] {
        let (file, bytes, expected) = case(name);
        let err = d
            .core
            .app_roster_replace(&d.firm, d.app, file, &bytes, None, now())
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{err:?}");
        assert_eq!(err.fields[0].field, "roster");
        assert!(err.fields[0].message.zh.contains(expected), "{err:?}");
        // The error report reads the file the same way, and never gets a huge table.
        let err = d
            .core
            .roster_error_report(&d.firm, file, &bytes, reopen_core::Lang::Zh, now())
            .unwrap_err();
        assert!(err.fields[0].message.zh.contains(expected), "{err:?}");
    }
    let after = d.core.app_show(&d.admin, d.app, now())?;
    assert_eq!(
        (after.roster_count, after.version),
        (before.roster_count, before.version)
    );
    assert_eq!(audit_len(&d.core, &d.admin), audit_before);
    Ok(())
}

//! Tables as offices keep them: a workbook from Excel, WPS or LibreOffice (.xlsx, .xls, .ods), or
//! CSV text in UTF-8 or in GBK/GB18030, which Chinese Excel and WPS write by default (decoded with
//! encoding_rs). Every cell becomes text; dates typed as dates become YYYY-MM-DD, and whole numbers
//! lose Excel's ".0", so the roster's checks see what the user saw.
//!
//! A roster file comes from outside, so reading one is bounded before anything is built: the file's
//! size ([`MAX_SHEET_BYTES`]); for a zipped workbook the real unpacked size of every part (measured
//! by decompressing into nothing, since a zip's declared sizes are not binding) and the declared
//! sheet size; then cells are read one at a time (.xlsx: calamine's cell reader; .ods: content.xml
//! streamed here, because calamine expands every repeated row and column of every sheet at open;
//! .xls: the compound file taken apart by `cfb`, its records' positions checked, then rebuilt for
//! calamine) into a table that refuses a cell beyond the row cap or [`MAX_SHEET_COLUMNS`], a cell
//! longer than [`MAX_CELL_CHARS`], and more than [`MAX_TABLE_TEXT_BYTES`] of text in all. CSV is
//! read record by record and stops at the first row over the cap.
//!
//! What that bounds: the table (at most `max_rows + 1` rows of 64 cells, 64 MiB of text, a cell 1,000,000 characters); an .xlsx's
//! string table and the XML buffers calamine keeps (each part at most 64 MiB unpacked, all parts
//! 128 MiB, at most 1,000,000 declared strings); an .xls's ranges (2,000,000 cells over all sheets);
//! the file itself (20 MiB, and a decoded CSV at most 1.5 times that). The hostile files of
//! `tests/core/sheets/limits.rs` are refused in about 20 MB.

mod xls;
mod zipped;

use std::borrow::Cow;

use calamine::Data;
use chrono::{Duration, NaiveDate};

use crate::error::{FieldError, Text};
use crate::t;

/// The largest roster file read, in bytes (20 MiB). A roster row is about 100 bytes of CSV or
/// 150 bytes of .xlsx XML before compression, so 20,000 rows (the default row cap) are 2–3 MB even
/// as uncompressed CSV and a few hundred KB as .xlsx: 20 MiB leaves a wide margin (formatting,
/// pictures of a seal, an old .xls's padding) while keeping what a shell must read into memory
/// small. The desktop shell bounds its file reads with it.
pub const MAX_SHEET_BYTES: usize = 20 * 1024 * 1024;

/// The default cap on data rows below the header (`policy.toml`'s `[roster] max_rows`): a firm's
/// roster is thousands of rows, not millions; the largest employers of a county have a few thousand.
pub const DEFAULT_MAX_ROWS: usize = 20_000;

/// The highest row cap a policy may set: what the memory bounds below are reckoned for.
pub const HARD_MAX_ROWS: usize = 100_000;

/// Columns with content (the roster has 11, plus a sequence number and a few notes).
pub const MAX_SHEET_COLUMNS: usize = 64;

/// Characters in one cell: a bound on memory, not a content rule. The roster's own checks refuse a
/// name over 50 characters by its row and column (`roster[3].name`), which this leaves to them; it
/// only stops one cell from being several megabytes.
pub const MAX_CELL_CHARS: usize = 1_000_000;

/// Text in all cells together, in bytes (a roster of 20,000 rows has about 2 MB).
pub const MAX_TABLE_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// Spreadsheet workbooks by name; anything else is read as CSV text.
pub fn is_workbook(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reads the first non-empty sheet of a workbook, or the rows of a CSV file, as text cells; at most
/// `max_rows` rows below the header (row 1), each refusal a clear error on the field `roster`.
pub fn read_table(
    file_name: &str,
    bytes: &[u8],
    max_rows: usize,
) -> Result<Vec<Vec<String>>, Vec<FieldError>> {
    read_bounded(file_name, bytes, max_rows.min(HARD_MAX_ROWS))
        .map_err(|m| vec![FieldError::new("roster", m)])
}

fn read_bounded(file_name: &str, bytes: &[u8], max_rows: usize) -> Result<Vec<Vec<String>>, Text> {
    if bytes.len() > MAX_SHEET_BYTES {
        return Err(t!(
            format!(
                "文件过大：{}，花名册文件最多 {}",
                mib(bytes.len() as u64),
                mib(MAX_SHEET_BYTES as u64)
            ),
            format!(
                "the file is too large: {}; a roster file has at most {}",
                mib(bytes.len() as u64),
                mib(MAX_SHEET_BYTES as u64)
            )
        ));
    }
    let mut table = TableBuilder::new(max_rows);
    if bytes.starts_with(b"PK\x03\x04") {
        zipped::read(bytes, &mut table)?;
    } else if bytes.starts_with(&xls::CFB_MAGIC) {
        xls::read(bytes, &mut table)?;
    } else if is_workbook(file_name) {
        return Err(unreadable("not a zip or compound file"));
    } else {
        read_csv(&decode_text(bytes)?, &mut table)?;
        return Ok(table.rows);
    }
    if table.is_empty() {
        return Err(t!("表格里没有数据", "the workbook has no data"));
    }
    Ok(table.rows)
}

pub(crate) fn mib(n: u64) -> String {
    format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
}

pub(crate) fn unreadable(e: impl std::fmt::Display) -> Text {
    t!(
        format!("无法读取该表格文件（可能已损坏，或不是 Excel/WPS 表格）：{e}"),
        format!("cannot read this workbook (damaged, or not an Excel/WPS sheet): {e}")
    )
}

pub(crate) fn password_protected() -> Text {
    t!(
        "该表格文件设有打开密码，请在 Excel/WPS 中取消密码后另存",
        "the workbook is password-protected; remove the password and save it again"
    )
}

pub(crate) fn too_many_rows(row: usize, max_rows: usize) -> Text {
    t!(
        format!("表格过大：第 {} 行仍有内容，花名册最多 {max_rows} 行（不含表头）", row + 1),
        format!(
            "the table is too large: row {} has content; a roster has at most {max_rows} rows below the header",
            row + 1
        )
    )
}

/// A table being read, cell by cell, in bounded memory: rows are kept by their index in the sheet
/// (0 is the header), so line numbers stay the sheet's row numbers.
pub(crate) struct TableBuilder {
    rows: Vec<Vec<String>>,
    max_rows: usize,
    text_bytes: usize,
}

impl TableBuilder {
    fn new(max_rows: usize) -> Self {
        TableBuilder {
            rows: Vec::new(),
            max_rows,
            text_bytes: 0,
        }
    }

    pub(crate) fn max_rows(&self) -> usize {
        self.max_rows
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Forgets an empty sheet's rows (a workbook's first non-empty sheet is the roster).
    pub(crate) fn clear(&mut self) {
        self.rows.clear();
        self.text_bytes = 0;
    }

    /// A cell's length, checked before its text is copied anywhere.
    pub(crate) fn check_len(row: usize, col: usize, text: &str) -> Result<(), Text> {
        if text.len() > MAX_CELL_CHARS {
            let n = text.chars().count();
            if n > MAX_CELL_CHARS {
                return Err(t!(
                    format!(
                        "第 {} 行第 {} 列的内容过长（{n} 字），一个单元格最多 {MAX_CELL_CHARS} 字",
                        row + 1,
                        col + 1
                    ),
                    format!(
                        "the cell at row {}, column {} is too long ({n} characters); at most {MAX_CELL_CHARS}",
                        row + 1,
                        col + 1
                    )
                ));
            }
        }
        Ok(())
    }

    /// Checks where a cell with content is, before it is read: within the row cap and the columns.
    pub(crate) fn check_position(&self, row: usize, col: usize) -> Result<(), Text> {
        if row > self.max_rows {
            return Err(too_many_rows(row, self.max_rows));
        }
        if col >= MAX_SHEET_COLUMNS {
            return Err(t!(
                format!(
                    "表格过宽：第 {} 行第 {} 列有内容，花名册最多 {MAX_SHEET_COLUMNS} 列",
                    row + 1,
                    col + 1
                ),
                format!(
                    "the table is too wide: row {}, column {} has content; a roster has at most {MAX_SHEET_COLUMNS} columns",
                    row + 1,
                    col + 1
                )
            ));
        }
        Ok(())
    }

    /// Puts one cell (row and column from 0); empty text is skipped.
    pub(crate) fn put(&mut self, row: usize, col: usize, text: String) -> Result<(), Text> {
        if text.is_empty() {
            return Ok(());
        }
        self.check_position(row, col)?;
        Self::check_len(row, col, &text)?;
        self.text_bytes += text.len();
        if self.text_bytes > MAX_TABLE_TEXT_BYTES {
            return Err(t!(
                format!(
                    "表格内容过多：文字超过 {}，不像一份花名册",
                    mib(MAX_TABLE_TEXT_BYTES as u64)
                ),
                format!(
                    "the table holds too much text (over {}) for a roster",
                    mib(MAX_TABLE_TEXT_BYTES as u64)
                )
            ));
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            cells.resize_with(col + 1, String::new);
        }
        cells[col] = text;
        Ok(())
    }
}

/// One cell as the user sees it.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(true) => "是".into(),
        Data::Bool(false) => "否".into(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|dt| dt.date().format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

/// CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (a superset of
/// GBK and GB2312) — refused when it is not valid GB18030 either.
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, Text> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return if had_errors {
            Err(not_decodable(enc.name()))
        } else {
            Ok(text)
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        Err(not_decodable("UTF-8/GBK"))
    } else {
        Ok(text)
    }
}

fn not_decodable(encoding: &str) -> Text {
    t!(
        format!("文件编码无法识别（按 {encoding} 读取有乱码）；请在 Excel/WPS 中另存为 .xlsx 或“CSV UTF-8”"),
        format!("the file's encoding is not recognised (garbled as {encoding}); save it as .xlsx or CSV UTF-8")
    )
}

/// CSV rows one record at a time: the reader stops at the first row over the cap, so a file of a
/// million rows is refused after reading `max_rows + 1` of them, never held whole.
fn read_csv(text: &str, table: &mut TableBuilder) -> Result<(), Text> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut row = 0;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                return Err(t!(
                    format!("CSV 格式错误（第 {} 行）：{e}", row + 1),
                    format!("malformed CSV (row {}): {e}", row + 1)
                ))
            }
        }
        if row > table.max_rows() {
            return Err(too_many_rows(row, table.max_rows()));
        }
        for (col, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if !cell.is_empty() {
                table.check_position(row, col)?;
                TableBuilder::check_len(row, col, cell)?;
                table.put(row, col, cell.to_string())?;
            }
        }
        row += 1;
    }
}

/// A date as people type it in a sheet: 2020-02-10, 2020/2/10, 2020.2.10, 2020年2月10日, an
/// Excel serial number (43871), with an optional time after a space.
pub fn parse_sheet_date(s: &str) -> Result<NaiveDate, Text> {
    let t = s.trim();
    let day = t.split_whitespace().next().unwrap_or("");
    if day.is_empty() {
        return Err(t!("日期不能为空", "the date is empty"));
    }
    if day.bytes().all(|b| b.is_ascii_digit()) && day.len() <= 5 {
        // Excel's 1900 date system, from 1900-03-01 (serial 61) on.
        let n: i64 = day.parse().unwrap_or(0);
        if n >= 61 {
            if let Some(d) = NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(Duration::days(n)))
            {
                return Ok(d);
            }
        }
        return Err(bad_date(t));
    }
    let parts: Vec<&str> = day
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let nums: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    match nums.as_deref() {
        Some([y, m, d]) if parts[0].len() == 4 => NaiveDate::from_ymd_opt(*y as i32, *m, *d)
            .ok_or_else(|| t!("“{}”不是真实存在的日期", "'{}' is not a real calendar date"; t)),
        _ => Err(bad_date(t)),
    }
}

fn bad_date(t: &str) -> Text {
    t!(
        "日期“{}”无法识别，请写成 2020-02-10、2020/2/10 或 2020年2月10日",
        "cannot read the date '{}'; write 2020-02-10, 2020/2/10 or 2020年2月10日"; t
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_as_people_type_them() {
        for s in [
            "2020-02-10",
            "2020/2/10",
            "2020.2.10",
            "2020年2月10日",
            "2020年02月10日",
            " 2020-02-10 00:00:00 ",
            "43871",
        ] {
            assert_eq!(parse_sheet_date(s).unwrap(), d(2020, 2, 10), "{s}");
        }
        assert_eq!(parse_sheet_date("2020/12/31").unwrap(), d(2020, 12, 31));
        let err = parse_sheet_date("2020-02-30").unwrap_err();
        assert!(err.zh.contains("不是真实存在的日期"), "{}", err.zh);
        for s in [
            "20/2/10",
            "2月10日",
            "二〇二〇年",
            "2020-2",
            "12",
            "abc",
            "2020--10",
        ] {
            let err = parse_sheet_date(s).unwrap_err();
            assert!(err.zh.contains("无法识别"), "{s}: {}", err.zh);
        }
        assert_eq!(parse_sheet_date("  ").unwrap_err().en, "the date is empty");
    }

    #[test]
    fn text_in_utf8_utf16_and_gbk() {
        assert_eq!(
            decode_text("姓名,手机号".as_bytes()).unwrap(),
            "姓名,手机号"
        );
        assert_eq!(decode_text("\u{feff}姓名".as_bytes()).unwrap(), "姓名");
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,身份证号\n王伟,51180219900101001X");
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(
            decode_text(&gbk).unwrap(),
            "姓名,身份证号\n王伟,51180219900101001X"
        );
        let (gb18030, _, _) = encoding_rs::GB18030.encode("𠮷");
        assert_eq!(decode_text(&gb18030).unwrap(), "𠮷");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("姓名".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode_text(&utf16).unwrap(), "姓名");
        // Bytes that are neither UTF-8 nor GB18030 (0x80 alone, 0xFF lead byte).
        let err = decode_text(&[0x80, 0xFF, 0xFF, 0x41]).unwrap_err();
        assert!(err.zh.contains("编码无法识别"), "{}", err.zh);
    }

    #[test]
    fn cells_read_as_the_user_sees_them() {
        assert_eq!(cell_text(&Data::Float(13800000000.0)), "13800000000");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(cell_text(&Data::String("  王伟 ".into())), "王伟");
        assert_eq!(cell_text(&Data::Bool(true)), "是");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2020-02-10T00:00:00".into())),
            "2020-02-10"
        );
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn csv_rows_and_a_broken_workbook() {
        let t = read_table(
            "r.csv",
            "姓名,手机号\n王伟,13800000000\n".as_bytes(),
            DEFAULT_MAX_ROWS,
        )
        .unwrap();
        assert_eq!(t, vec![vec!["姓名", "手机号"], vec!["王伟", "13800000000"]]);
        let e = read_table("r.xlsx", b"PK\x03\x04 not really a zip", DEFAULT_MAX_ROWS).unwrap_err();
        assert!(
            e[0].message.zh.contains("无法读取该表格文件"),
            "{}",
            e[0].message.zh
        );
        assert!(is_workbook("花名册.XLSX") && is_workbook("a.ods") && !is_workbook("a.csv"));
    }

    #[test]
    fn csv_caps_name_the_row_and_column() {
        let msg = |csv: String, max: usize| {
            let e = read_table("r.csv", csv.as_bytes(), max).unwrap_err();
            assert_eq!((e.len(), e[0].field.as_str()), (1, "roster"));
            e[0].message.zh.clone()
        };
        let m = msg("姓名\n王一\n王二\n".into(), 1);
        assert!(
            m.contains("第 3 行仍有内容") && m.contains("最多 1 行"),
            "{m}"
        );
        let m = msg(format!("姓名\n{}x\n", ",".repeat(64)), 10);
        assert!(
            m.contains("表格过宽") && m.contains("第 2 行第 65 列"),
            "{m}"
        );
        let m = msg(format!("姓名\n{}\n", "王".repeat(MAX_CELL_CHARS + 1)), 10);
        assert!(m.contains("内容过长（1000001 字）"), "{m}");
        // Trailing empty cells (Excel writes a row as wide as the widest) are no content.
        let t = read_table(
            "r.csv",
            format!("姓名{}\n王一\n", ",".repeat(100)).as_bytes(),
            10,
        );
        assert_eq!(t.unwrap(), [["姓名"], ["王一"]]);
    }
}

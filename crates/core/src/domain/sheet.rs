//! Tables as offices keep them: a workbook from Excel, WPS or LibreOffice (.xlsx, .xls, .ods, read
//! with calamine), or CSV text in UTF-8 or in GBK/GB18030, which Chinese Excel and WPS write by
//! default (decoded with encoding_rs). Every cell becomes text; dates typed as dates become
//! YYYY-MM-DD, and whole numbers lose Excel's ".0", so the roster's checks see what the user saw.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use chrono::{Duration, NaiveDate};

use crate::error::{FieldError, Text};
use crate::t;

/// Spreadsheet workbooks by name; anything else is read as CSV text.
pub fn is_workbook(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reads the first non-empty sheet of a workbook, or the rows of a CSV file, as text cells.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, Vec<FieldError>> {
    if is_workbook(file_name) {
        read_workbook(bytes).map_err(|m| vec![FieldError::new("roster", m)])
    } else {
        let text = decode_text(bytes).map_err(|m| vec![FieldError::new("roster", m)])?;
        parse_csv(&text)
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, Text> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        t!(
            format!("无法读取该表格文件(可能已损坏,或不是 Excel/WPS 表格):{e}"),
            format!("cannot read this workbook (damaged, or not an Excel/WPS sheet): {e}")
        )
    })?;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            t!(
                format!("无法读取工作表“{name}”:{e}"),
                format!("cannot read sheet '{name}': {e}")
            )
        })?;
        if range.is_empty() {
            continue;
        }
        // Rows above the first used cell stay, so line numbers are the sheet's row numbers.
        let (first_row, _) = range.start().unwrap_or((0, 0));
        let mut table: Vec<Vec<String>> = vec![Vec::new(); first_row as usize];
        table.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
        return Ok(table);
    }
    Err(t!("表格里没有数据", "the workbook has no data"))
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
        format!("文件编码无法识别(按 {encoding} 读取有乱码);请在 Excel/WPS 中另存为 .xlsx 或“CSV UTF-8”"),
        format!("the file's encoding is not recognised (garbled as {encoding}); save it as .xlsx or CSV UTF-8")
    )
}

fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, Vec<FieldError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        match rec {
            Ok(r) => table.push(r.iter().map(|s| s.trim().to_string()).collect()),
            Err(e) => {
                return Err(vec![FieldError::new(
                    format!("roster[{}]", i + 1),
                    t!(format!("CSV 格式错误:{e}"), format!("malformed CSV: {e}")),
                )])
            }
        }
    }
    Ok(table)
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
        "日期“{}”无法识别,请写成 2020-02-10、2020/2/10 或 2020年2月10日",
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
        let t = read_table("r.csv", "姓名,手机号\n王伟,13800000000\n".as_bytes()).unwrap();
        assert_eq!(t, vec![vec!["姓名", "手机号"], vec!["王伟", "13800000000"]]);
        let e = read_table("r.xlsx", b"PK\x03\x04 not really a zip").unwrap_err();
        assert!(
            e[0].message.zh.contains("无法读取该表格文件"),
            "{}",
            e[0].message.zh
        );
        assert!(is_workbook("花名册.XLSX") && is_workbook("a.ods") && !is_workbook("a.csv"));
    }
}

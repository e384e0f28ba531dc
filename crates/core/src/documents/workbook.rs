//! The workbooks we hand to firms (written with rust_xlsxwriter): the roster template with Chinese
//! headers and one example row, and a refused roster returned with every bad cell marked and the
//! reasons beside each row, so the firm fixes its own file instead of retyping it.

use rust_xlsxwriter::{Color, Format, FormatBorder, Note, Workbook, XlsxError};

use crate::domain::roster::{header_key, COLUMNS};
use crate::error::{Error, FieldError, Lang, Result};

fn internal(e: XlsxError) -> Error {
    Error::internal(format!("xlsx: {e}"))
}

fn width(key: &str) -> f64 {
    match key {
        "id_number" => 22.0,
        "phone" => 14.0,
        "home_region" | "from_region" => 18.0,
        "return_date" | "observation_start" | "observation_end" => 13.0,
        "from_elsewhere" | "health" => 13.0,
        _ => 10.0,
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
}

/// The roster template: the headers of `COLUMNS` in Chinese, text format for ID numbers and phone
/// numbers (so Excel keeps all 18 digits), and one example row that passes every check.
pub fn roster_template() -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("员工花名册").map_err(internal)?;
    let text = Format::new().set_num_format("@");
    let head = header_format();
    // The national standard's own sample ID number (GB 11643-1999), never a real person's.
    let example = [
        "王伟",
        "11010519491231002X",
        "13800000000",
        "操作工",
        "四川省雅安市雨城区",
        "否",
        "",
        "",
        "",
        "",
        "正常",
    ];
    for (c, (key, zh, required)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, width(key)).map_err(internal)?;
        if matches!(*key, "id_number" | "phone") {
            sheet.set_column_format(c, &text).map_err(internal)?;
        }
        sheet
            .write_string_with_format(0, c, *zh, &head)
            .map_err(internal)?;
        if *required {
            sheet
                .insert_note(0, c, &Note::new("必填").set_author("复工复产审批"))
                .map_err(internal)?;
        }
        sheet
            .write_string(1, c, example[c as usize])
            .map_err(internal)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

/// The rows of a refused roster file as they were read, each bad cell filled red with its reason
/// in a note, and a last column with every reason of the row; errors that name no column (a
/// missing header, a duplicate row) go to that column only.
pub fn roster_error_report(
    table: &[Vec<String>],
    errors: &[FieldError],
    lang: Lang,
) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name(if lang == Lang::En {
            "Errors"
        } else {
            "错误标注"
        })
        .map_err(internal)?;
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006))
        .set_border(FormatBorder::Thin);
    let head = header_format();
    let text = |t: &crate::error::Text| {
        if lang == Lang::En {
            t.en.clone()
        } else {
            t.zh.clone()
        }
    };

    // The table comes from `sheet::read_table`, which caps it; a larger one is a programming error,
    // refused here rather than written cell by cell.
    if table.len() > crate::domain::sheet::HARD_MAX_ROWS + 1
        || table
            .iter()
            .any(|r| r.len() > crate::domain::sheet::MAX_SHEET_COLUMNS)
    {
        return Err(Error::internal(
            "roster error report: the table is over the sheet caps",
        ));
    }
    let header = table.first().cloned().unwrap_or_default();
    let ncols = table.iter().map(Vec::len).max().unwrap_or(0);
    let reason_col = ncols as u16;
    for (r, row) in table.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if r == 0 {
                sheet
                    .write_string_with_format(0, c as u16, v, &head)
                    .map_err(internal)?;
            } else {
                sheet
                    .write_string(r as u32, c as u16, v)
                    .map_err(internal)?;
            }
        }
    }
    sheet
        .write_string_with_format(
            0,
            reason_col,
            if lang == Lang::En {
                "Errors"
            } else {
                "错误说明"
            },
            &head,
        )
        .map_err(internal)?;

    let mut reasons: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for e in errors {
        let Some((line, key)) = parse_field(&e.field) else {
            reasons.entry(0).or_default().push(text(&e.message));
            continue;
        };
        let row = line.saturating_sub(1);
        reasons.entry(row).or_default().push(text(&e.message));
        let col = key.and_then(|k| header.iter().position(|h| header_key(h) == Some(k)));
        if let Some(c) = col {
            let value = table
                .get(row as usize)
                .and_then(|r| r.get(c))
                .cloned()
                .unwrap_or_default();
            sheet
                .write_string_with_format(row, c as u16, &value, &bad)
                .map_err(internal)?;
            sheet
                .insert_note(
                    row,
                    c as u16,
                    &Note::new(text(&e.message)).set_author("复工复产审批"),
                )
                .map_err(internal)?;
        }
    }
    let separator = if lang == Lang::En { "; " } else { "；" };
    for (row, list) in &reasons {
        sheet
            .write_string_with_format(*row, reason_col, list.join(separator), &bad)
            .map_err(internal)?;
    }
    for (c, h) in header.iter().enumerate() {
        let w = header_key(h).map(width).unwrap_or(12.0);
        sheet.set_column_width(c as u16, w).map_err(internal)?;
    }
    sheet.set_column_width(reason_col, 60.0).map_err(internal)?;
    sheet.set_freeze_panes(1, 0).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

/// "roster[5].id_number" → (5, Some("id_number")); "roster[5]" → (5, None); others → None.
fn parse_field(field: &str) -> Option<(u32, Option<&str>)> {
    let rest = field.strip_prefix("roster[")?;
    let (n, rest) = rest.split_once(']')?;
    let line = n.parse().ok()?;
    Some((line, rest.strip_prefix('.')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roster::rows_from_table;
    use crate::domain::sheet::{read_table, DEFAULT_MAX_ROWS};

    #[test]
    fn fields_name_rows_and_columns() {
        assert_eq!(
            parse_field("roster[5].id_number"),
            Some((5, Some("id_number")))
        );
        assert_eq!(parse_field("roster[12]"), Some((12, None)));
        assert_eq!(parse_field("roster.header"), None);
    }

    #[test]
    fn the_template_reads_back_as_a_valid_roster() {
        let bytes = roster_template().unwrap();
        let table = read_table("模板.xlsx", &bytes, DEFAULT_MAX_ROWS).unwrap();
        let zh: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
        assert_eq!(table[0], zh);
        let rows = rows_from_table(table).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2020, 2, 5).unwrap();
        let entries = crate::domain::roster::check_rows(&rows, &|_| false, today).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id_number.expose(), "11010519491231002X");
    }

    #[test]
    fn the_error_report_keeps_the_rows_and_names_the_faults() {
        let table = vec![
            vec!["姓名".to_string(), "身份证号".into(), "手机号".into()],
            vec!["王一".into(), "123".into(), "13800000001".into()],
            vec!["王二".into(), "11010519491231002X".into(), "1380".into()],
        ];
        let errors = vec![
            FieldError::new(
                "roster[2].id_number",
                crate::t!("身份证号位数不对", "wrong length"),
            ),
            FieldError::new("roster[3].phone", crate::t!("手机号位数不对", "bad phone")),
            FieldError::new("roster[3]", crate::t!("与第 2 行重复", "repeats row 2")),
        ];
        let bytes = roster_error_report(&table, &errors, Lang::Zh).unwrap();
        let back = read_table("错误.xlsx", &bytes, DEFAULT_MAX_ROWS).unwrap();
        assert_eq!(back[0], ["姓名", "身份证号", "手机号", "错误说明"]);
        assert_eq!(back[1], ["王一", "123", "13800000001", "身份证号位数不对"]);
        assert_eq!(back[2][3], "手机号位数不对；与第 2 行重复");
        assert_eq!(back[2][1], "11010519491231002X", "values are kept as text");
        let en = roster_error_report(&table, &errors, Lang::En).unwrap();
        assert_eq!(
            read_table("e.xlsx", &en, DEFAULT_MAX_ROWS).unwrap()[1][3],
            "wrong length"
        );
    }
}

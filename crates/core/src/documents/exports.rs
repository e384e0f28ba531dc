//! Tables exported as .xlsx (rust_xlsxwriter): Chinese headers, a frozen header row, column widths
//! that fit their content, numbers as numbers and percentages as percentages. The use cases build
//! the [`Table`]s (and mask personal numbers before they get here); this module only lays them out.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::error::{Error, Result};

fn internal(e: XlsxError) -> Error {
    Error::internal(format!("xlsx: {e}"))
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A share 0..1, shown as a percentage.
    Percent(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<u32> for Cell {
    fn from(n: u32) -> Cell {
        Cell::Int(i64::from(n))
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// A sheet: an optional title line above the header, the headers, the rows, and a last row in bold
/// (a total) if `total` is set.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub sheet: String,
    pub title: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<Vec<Cell>>,
}

/// Display width of text in Excel's character units: CJK and other wide characters count double.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1.0 } else { 2.0 })
        .sum()
}

fn cell_width(c: &Cell) -> f64 {
    match c {
        Cell::Text(s) => text_width(s),
        Cell::Int(n) => n.to_string().len() as f64,
        Cell::Percent(_) => 6.0,
        Cell::Empty => 0.0,
    }
}

/// Writes the tables as the sheets of one workbook.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let title_format = Format::new().set_bold().set_font_size(14);
    let pct = Format::new().set_num_format("0.0%");
    let bold = Format::new().set_bold();
    let bold_pct = Format::new().set_bold().set_num_format("0.0%");
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.sheet).map_err(internal)?;
        let mut row: u32 = 0;
        if let Some(title) = &t.title {
            sheet
                .write_string_with_format(0, 0, title, &title_format)
                .map_err(internal)?;
            row = 1;
        }
        let header_row = row;
        let mut widths: Vec<f64> = t.headers.iter().map(|h| text_width(h)).collect();
        for (c, h) in t.headers.iter().enumerate() {
            sheet
                .write_string_with_format(row, c as u16, h, &head)
                .map_err(internal)?;
        }
        let all = t
            .rows
            .iter()
            .map(|r| (r, false))
            .chain(t.total.iter().map(|r| (r, true)));
        for (cells, is_total) in all {
            row += 1;
            for (c, cell) in cells.iter().enumerate() {
                let col = c as u16;
                if let Some(w) = widths.get_mut(c) {
                    *w = w.max(cell_width(cell));
                }
                match (cell, is_total) {
                    (Cell::Text(s), false) => sheet.write_string(row, col, s),
                    (Cell::Text(s), true) => sheet.write_string_with_format(row, col, s, &bold),
                    (Cell::Int(n), false) => sheet.write_number(row, col, *n as f64),
                    (Cell::Int(n), true) => {
                        sheet.write_number_with_format(row, col, *n as f64, &bold)
                    }
                    (Cell::Percent(p), false) => sheet.write_number_with_format(row, col, *p, &pct),
                    (Cell::Percent(p), true) => {
                        sheet.write_number_with_format(row, col, *p, &bold_pct)
                    }
                    (Cell::Empty, _) => continue,
                }
                .map_err(internal)?;
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet
                .set_column_width(c as u16, (w + 2.0).clamp(6.0, 60.0))
                .map_err(internal)?;
        }
        sheet
            .set_freeze_panes(header_row + 1, 0)
            .map_err(internal)?;
    }
    book.save_to_buffer().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(text_width("雅安abc"), 7.0);
    }

    #[test]
    fn a_workbook_is_written() {
        let t = Table {
            sheet: "统计".into(),
            title: Some("标题".into()),
            headers: vec!["县（区）".into(), "数".into(), "率".into()],
            rows: vec![vec!["雨城区".into(), 3i64.into(), Cell::Percent(0.5)]],
            total: Some(vec!["合计".into(), 3i64.into(), Cell::Percent(0.5)]),
        };
        let bytes = workbook(&[t]).expect("written");
        assert_eq!(&bytes[..2], b"PK");
    }
}

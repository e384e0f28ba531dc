//! Zipped workbooks (.xlsx, .ods) in bounded memory. First every part is unpacked into nothing to
//! measure it (a zip's declared sizes bind nothing: a 20 KB deflate stream can unpack to 20 MB, and
//! a crafted one to gigabytes). Then an .xlsx's string table is checked before calamine reserves
//! room for its declared count, its sheet's declared size before any cell is read, and its cells
//! come one at a time from calamine's cell reader. An .ods's content.xml is streamed here: calamine
//! builds every sheet of an .ods at open, expanding each repeated row and column into cells.

use std::io::{self, BufReader, Cursor, Read, Seek};

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::{cell_text, mib, unreadable, TableBuilder};
use crate::error::Text;
use crate::t;

/// One part unpacked: a roster of 20,000 rows is about 3 MB of sheet XML and as much of strings.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// All parts unpacked together (this also bounds the time spent measuring them).
const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
/// Entries of the string table calamine reserves room for at open (24 bytes each).
const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// A declared sheet size accepted before reading: the old Excel sheet (65,536 rows × 256 columns),
/// which templates formatted in advance often declare. What counts is where content is, checked
/// cell by cell against the row cap and `MAX_SHEET_COLUMNS`.
const MAX_DECLARED_ROWS: u64 = 65_536;
const MAX_DECLARED_COLUMNS: u64 = 256;

pub(super) fn read(bytes: &[u8], table: &mut TableBuilder) -> Result<(), Text> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    measure(&mut zip)?;
    if find(&zip, "xl/workbook.bin").is_some() {
        return Err(t!(
            "不支持 .xlsb 格式，请在 Excel/WPS 中另存为 .xlsx",
            "the .xlsb format is not supported; save the file as .xlsx"
        ));
    }
    if find(&zip, "xl/workbook.xml").is_some() {
        check_shared_strings(&mut zip)?;
        read_xlsx(bytes, table)
    } else if let Some(i) = find(&zip, "content.xml") {
        refuse_encrypted(&mut zip)?;
        let part = zip.by_index(i).map_err(unreadable)?;
        read_ods(BufReader::new(part), table)
    } else {
        Err(unreadable("neither .xlsx nor .ods"))
    }
}

/// An .ods saved with a password keeps content.xml encrypted; its manifest says so.
fn refuse_encrypted<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<(), Text> {
    let Some(i) = find(zip, "META-INF/manifest.xml") else {
        return Ok(());
    };
    let mut manifest = Vec::new();
    zip.by_index(i)
        .map_err(unreadable)?
        .read_to_end(&mut manifest)
        .map_err(unreadable)?;
    if memchr_find(&manifest, b"encryption-data") {
        return Err(super::password_protected());
    }
    Ok(())
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A part by name as calamine finds it: case-insensitive, `\` taken as `/`.
fn find<R: Read + Seek>(zip: &ZipArchive<R>, name: &str) -> Option<usize> {
    // `file_names` lists the parts in index order.
    zip.file_names()
        .position(|n| n.replace('\\', "/").eq_ignore_ascii_case(name))
}

fn too_big_unpacked(limit: u64) -> Text {
    t!(
        format!(
            "表格文件解压后超过 {}，可能已损坏，或不是一份花名册",
            mib(limit)
        ),
        format!(
            "the workbook unpacks to more than {}; it is damaged or not a roster",
            mib(limit)
        )
    )
}

/// Unpacks every part into nothing, up to the limits, and refuses the workbook over them.
fn measure<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<(), Text> {
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(unreadable)?;
        if part.is_dir() {
            continue;
        }
        let n = io::copy(&mut (&mut part).take(MAX_PART_BYTES + 1), &mut io::sink())
            .map_err(unreadable)?;
        if n > MAX_PART_BYTES {
            return Err(too_big_unpacked(MAX_PART_BYTES));
        }
        total += n;
        if total > MAX_UNPACKED_BYTES {
            return Err(too_big_unpacked(MAX_UNPACKED_BYTES));
        }
    }
    Ok(())
}

fn xml<R: io::BufRead>(r: R) -> quick_xml::Reader<R> {
    let mut x = quick_xml::Reader::from_reader(r);
    let c = x.config_mut();
    c.check_end_names = false;
    c.expand_empty_elements = true;
    x
}

/// calamine reserves the string table's declared `uniqueCount` at open.
fn check_shared_strings<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<(), Text> {
    let Some(i) = find(zip, "xl/sharedStrings.xml") else {
        return Ok(());
    };
    let part = zip.by_index(i).map_err(unreadable)?;
    let mut x = xml(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(e) if e.local_name().as_ref() == b"sst" => {
                let count = attr(&e, b"uniqueCount")
                    .map(|v| v.trim().parse::<u64>().unwrap_or(u64::MAX))
                    .unwrap_or(0);
                if count > MAX_SHARED_STRINGS {
                    return Err(t!(
                        format!("表格过大：共享字符串表声明了 {count} 项，最多 {MAX_SHARED_STRINGS} 项"),
                        format!("the workbook is too large: its string table declares {count} entries; at most {MAX_SHARED_STRINGS}")
                    ));
                }
                return Ok(());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| value(&a).ok())
}

/// An attribute's value (the parts we read are UTF-8, as OOXML and ODF require).
fn value(a: &quick_xml::events::attributes::Attribute<'_>) -> Result<String, Text> {
    let raw = std::str::from_utf8(&a.value).map_err(unreadable)?;
    Ok(quick_xml::escape::unescape(raw)
        .map_err(unreadable)?
        .into_owned())
}

/// "A1", "XFD1048576": a cell's name from its 0-based row and column.
pub(super) fn cell_name(row: u64, col: u64) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Refuses a sheet that declares more rows or columns than a roster's sheet can have.
pub(super) fn check_declared(sheet: &str, last: (u64, u64), max_rows: usize) -> Result<(), Text> {
    let (rows, cols) = (last.0 + 1, last.1 + 1);
    if rows <= MAX_DECLARED_ROWS.max(max_rows as u64 + 1) && cols <= MAX_DECLARED_COLUMNS {
        return Ok(());
    }
    let to = cell_name(last.0, last.1);
    Err(t!(
        format!(
            "表格过大：工作表“{sheet}”的范围到 {to}（{rows} 行 × {cols} 列），花名册最多 {max_rows} 行（不含表头）、{} 列；如果其中多是空行空列，请删除后另存",
            super::MAX_SHEET_COLUMNS
        ),
        format!(
            "the table is too large: sheet '{sheet}' extends to {to} ({rows} rows × {cols} columns); a roster has at most {max_rows} rows below the header and {} columns; delete blank rows and columns and save again",
            super::MAX_SHEET_COLUMNS
        )
    ))
}

fn read_xlsx(bytes: &[u8], table: &mut TableBuilder) -> Result<(), Text> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    for name in book.sheet_names() {
        let sheet_error = |e: XlsxError| {
            t!(
                format!("无法读取工作表“{name}”：{e}"),
                format!("cannot read sheet '{name}': {e}")
            )
        };
        let mut cells = match book.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(sheet_error(e)),
        };
        let d = cells.dimensions();
        check_declared(
            &name,
            (u64::from(d.end.0), u64::from(d.end.1)),
            table.max_rows(),
        )?;
        while let Some(cell) = cells.next_cell().map_err(sheet_error)? {
            let (row, col) = cell.get_position();
            let (row, col) = (row as usize, col as usize);
            let value = cell.get_value();
            let shared = match value {
                DataRef::Empty => continue,
                DataRef::SharedString(s) => Some(*s),
                _ => None,
            };
            table.check_position(row, col)?;
            if let Some(s) = shared {
                TableBuilder::check_len(row, col, s)?;
            }
            table.put(row, col, cell_text(&Data::from(value.clone())))?;
        }
        if !table.is_empty() {
            return Ok(());
        }
    }
    Ok(())
}

/// One cell of content.xml: its value as calamine would read it (`office:value` first, then the
/// typed value attributes, then a string's paragraphs), and how many columns it repeats over.
struct OdsCell {
    repeat: u64,
    value: Data,
    text: bool,
}

fn ods_cell(e: &BytesStart<'_>) -> Result<OdsCell, Text> {
    let mut cell = OdsCell {
        repeat: 1,
        value: Data::Empty,
        text: false,
    };
    let mut set = false;
    for a in e.attributes() {
        let a = a.map_err(unreadable)?;
        let v = || value(&a);
        match a.key.as_ref() {
            b"table:number-columns-repeated" => {
                cell.repeat = v()?.trim().parse().map_err(unreadable)?;
            }
            b"office:value" if !set => {
                cell.value = Data::Float(v()?.trim().parse().map_err(unreadable)?);
                set = true;
            }
            b"office:string-value" if !set => {
                cell.value = Data::String(v()?);
                set = true;
            }
            b"office:date-value" if !set => {
                cell.value = Data::DateTimeIso(v()?);
                set = true;
            }
            b"office:time-value" if !set => {
                cell.value = Data::DurationIso(v()?);
                set = true;
            }
            b"office:boolean-value" if !set => {
                cell.value = Data::Bool(matches!(v()?.as_str(), "true" | "TRUE"));
                set = true;
            }
            b"office:value-type" if !set => cell.text = a.value.as_ref() == b"string",
            _ => {}
        }
    }
    cell.text &= !set;
    Ok(cell)
}

/// A string cell's text (paragraphs joined by line breaks, `text:s` spaces), up to the cell
/// length cap; comments are skipped.
fn ods_text<R: io::BufRead>(
    x: &mut quick_xml::Reader<R>,
    buf: &mut Vec<u8>,
    at: (usize, usize),
) -> Result<String, Text> {
    let mut s = String::new();
    let mut paragraphs = 0;
    let mut annotation = 0;
    let limit = super::MAX_CELL_CHARS * 4;
    loop {
        buf.clear();
        match x.read_event_into(buf).map_err(unreadable)? {
            Event::Start(e) => match e.name().as_ref() {
                b"office:annotation" => annotation += 1,
                _ if annotation > 0 => {}
                b"text:p" => {
                    if paragraphs > 0 {
                        s.push('\n');
                    }
                    paragraphs += 1;
                }
                b"text:s" => {
                    let n: usize = attr(&e, b"text:c")
                        .and_then(|c| c.trim().parse().ok())
                        .unwrap_or(1);
                    s.extend(std::iter::repeat_n(' ', n.min(limit + 1)));
                }
                b"text:tab" => s.push('\t'),
                b"text:line-break" => s.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                b"office:annotation" => annotation -= 1,
                b"table:table-cell" | b"table:covered-table-cell" => return Ok(s),
                _ => {}
            },
            Event::Text(t) if annotation == 0 => {
                s.push_str(&t.xml10_content().map_err(unreadable)?)
            }
            Event::GeneralRef(r) if annotation == 0 => {
                let name = r.decode().map_err(unreadable)?;
                if let Some(v) = quick_xml::escape::resolve_xml_entity(&name) {
                    s.push_str(v);
                } else if let Some(c) = r.resolve_char_ref().map_err(unreadable)? {
                    s.push(c);
                }
            }
            Event::Eof => return Err(unreadable("content.xml ends inside a cell")),
            _ => {}
        }
        if s.len() > limit {
            TableBuilder::check_len(at.0, at.1, &s)?;
        }
    }
}

/// The first table of content.xml with content, row by row: a row's cells (at most
/// `MAX_SHEET_COLUMNS` with content) are kept until the row ends, then put once per repeat, so a
/// repeated row or column is refused at the first copy past the caps, never expanded.
fn read_ods<R: io::BufRead>(r: R, table: &mut TableBuilder) -> Result<(), Text> {
    let mut x = xml(r);
    let mut buf = Vec::new();
    let mut text_buf = Vec::new();
    let (mut in_table, mut row, mut col, mut row_repeat) = (false, 0u64, 0u64, 1u64);
    let mut cells: Vec<(usize, String)> = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(e) => match e.name().as_ref() {
                b"table:table" if !in_table => {
                    (in_table, row) = (true, 0);
                }
                b"table:table-row" if in_table => {
                    row_repeat = attr(&e, b"table:number-rows-repeated")
                        .map(|v| v.trim().parse().map_err(unreadable))
                        .transpose()?
                        .unwrap_or(1);
                    col = 0;
                    cells.clear();
                }
                b"table:table-cell" | b"table:covered-table-cell" if in_table => {
                    let cell = ods_cell(&e)?;
                    let at = (row as usize, col as usize);
                    let value = if cell.text {
                        Data::String(ods_text(&mut x, &mut text_buf, at)?)
                    } else {
                        cell.value
                    };
                    let text = cell_text(&value);
                    if !text.is_empty() {
                        for k in 0..cell.repeat {
                            let c = col.saturating_add(k) as usize;
                            table.check_position(row as usize, c)?;
                            TableBuilder::check_len(row as usize, c, &text)?;
                            cells.push((c, text.clone()));
                        }
                    }
                    col = col.saturating_add(cell.repeat);
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                b"table:table-row" if in_table => {
                    if !cells.is_empty() {
                        for k in 0..row_repeat {
                            let r = row.saturating_add(k) as usize;
                            table.check_position(r, 0)?;
                            for (c, v) in &cells {
                                table.put(r, *c, v.clone())?;
                            }
                        }
                    }
                    row = row.saturating_add(row_repeat);
                }
                b"table:table" if in_table => {
                    if !table.is_empty() {
                        return Ok(());
                    }
                    in_table = false;
                    table.clear();
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(9, 26), "AA10");
    }
}

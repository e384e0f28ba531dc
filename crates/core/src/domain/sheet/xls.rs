//! Excel 97–2003 workbooks (.xls) in bounded memory. calamine parses every sheet of an .xls at open
//! into a range as large as the sheet's used area (and reserves what a DIMENSIONS record declares),
//! and its compound-file reader trusts the header's counts. So the compound file is opened with
//! `cfb` (which checks its structure), its Workbook stream is read (no larger than the file), each
//! sheet's records are scanned here for their declared and used area, and only then is calamine
//! given a fresh compound file holding that one stream, written by `cfb`.

use std::io::{Cursor, Read, Write};

use calamine::{Reader, Xls};

use super::zipped::check_declared;
use super::{cell_text, mib, unreadable, TableBuilder, MAX_SHEET_BYTES};
use crate::error::Text;
use crate::t;

pub(super) const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Cells of all sheets' used areas together, which calamine builds at open (32 bytes each, and as
/// much again for formulas): 2,000,000 is 100 rosters of 20,000 rows × 1 column, or one roster of
/// 20,000 rows × 100 columns.
const MAX_XLS_CELLS: u64 = 2_000_000;

const EOF: u16 = 0x000A;
const BOF: u16 = 0x0809;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
/// Records calamine turns into cells: Number, Label, BoolErr, RK, LabelSst, Formula; each starts
/// with its row and column (u16 each).
const CELLS: [u16; 6] = [0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006];

pub(super) fn read(bytes: &[u8], table: &mut TableBuilder) -> Result<(), Text> {
    let stream = workbook_stream(bytes)?;
    scan(&stream, table.max_rows())?;
    let clean = rebuild(&stream).map_err(unreadable)?;
    let mut book: Xls<_> = Xls::new(Cursor::new(clean)).map_err(unreadable)?;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            t!(
                format!("无法读取工作表“{name}”：{e}"),
                format!("cannot read sheet '{name}': {e}")
            )
        })?;
        let Some((r0, c0)) = range.start() else {
            continue;
        };
        for (r, c, v) in range.used_cells() {
            table.put(r0 as usize + r, c0 as usize + c, cell_text(v))?;
        }
        if !table.is_empty() {
            return Ok(());
        }
    }
    Ok(())
}

fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, Text> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    if file.is_stream("/EncryptedPackage") {
        return Err(super::password_protected());
    }
    let path = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|p| file.is_stream(p))
        .ok_or_else(|| unreadable("no Workbook stream"))?;
    let mut stream = Vec::new();
    file.open_stream(path)
        .map_err(unreadable)?
        .take(MAX_SHEET_BYTES as u64 + 1)
        .read_to_end(&mut stream)
        .map_err(unreadable)?;
    if stream.len() > MAX_SHEET_BYTES {
        return Err(unreadable(format!(
            "the Workbook stream is over {}",
            mib(MAX_SHEET_BYTES as u64)
        )));
    }
    Ok(stream)
}

fn rebuild(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
    let mut workbook = out.create_stream("/Workbook")?;
    workbook.write_all(stream)?;
    workbook.flush()?;
    drop(workbook);
    out.flush()?;
    Ok(out.into_inner().into_inner())
}

fn u16_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(
        d.get(i..i + 2)?.try_into().ok()?,
    )))
}

fn u32_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(
        d.get(i..i + 4)?.try_into().ok()?,
    )))
}

/// BIFF records from `pos` to the EOF record: (type, data).
fn records(stream: &[u8], pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream.get(pos..).unwrap_or_default();
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)? as u16;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        (typ != EOF).then_some((typ, data))
    })
}

/// What calamine will build, sheet by sheet: a DIMENSIONS record's area is reserved as declared
/// (refused like an .xlsx's declared size; inverted bounds, which calamine's arithmetic underflows
/// on, refused as damage), and the used area of the cells is allocated whole.
fn scan(stream: &[u8], max_rows: usize) -> Result<(), Text> {
    let damaged = || unreadable("a sheet's records are damaged");
    // calamine indexes these records' bytes without checking their length.
    let short = |t: u16, d: &[u8]| (t == BOF && d.len() < 4) || (t == BOUND_SHEET && d.len() < 8);
    let mut sheets = Vec::new();
    for (typ, d) in records(stream, 0) {
        if short(typ, d) {
            return Err(damaged());
        }
        if typ == BOUND_SHEET {
            sheets.push(u32_at(d, 0).ok_or_else(damaged)? as usize);
        }
    }
    let mut total = 0u64;
    for (n, pos) in sheets.into_iter().enumerate() {
        if pos >= stream.len() {
            return Err(damaged());
        }
        let name = format!("{}", n + 1);
        let mut used: Option<(u64, u64, u64, u64)> = None;
        for (typ, d) in records(stream, pos) {
            if short(typ, d) {
                return Err(damaged());
            }
            let cells: Vec<(u64, u64)> = match typ {
                DIMENSIONS => {
                    let (rf, rl, mut cf, cl) = dimensions(d).ok_or_else(damaged)?;
                    if cf > 0xFF || cl < cf {
                        cf = 0;
                    }
                    if rl >= 1 && cl >= 1 {
                        if rl - 1 < rf || cl - 1 < cf {
                            return Err(damaged());
                        }
                        check_declared(&name, (rl - 1 - rf, cl - 1 - cf), max_rows)?;
                    }
                    continue;
                }
                MUL_RK if d.len() >= 6 => {
                    let row = u16_at(d, 0).ok_or_else(damaged)?;
                    let first = u16_at(d, 2).ok_or_else(damaged)?;
                    let last = u16_at(d, d.len() - 2).ok_or_else(damaged)?;
                    vec![(row, first), (row, last.max(first))]
                }
                t if CELLS.contains(&t) => vec![(
                    u16_at(d, 0).ok_or_else(damaged)?,
                    u16_at(d, 2).ok_or_else(damaged)?,
                )],
                _ => continue,
            };
            for (r, c) in cells {
                used = Some(match used {
                    None => (r, c, r, c),
                    Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
                });
            }
        }
        if let Some((r0, c0, r1, c1)) = used {
            total += (r1 - r0 + 1) * (c1 - c0 + 1);
            if total > MAX_XLS_CELLS {
                return Err(t!(
                    format!("表格过大：工作表的已用范围到 {}，共超过 {MAX_XLS_CELLS} 个单元格；请删除多余的行列或另存为 .xlsx", super::zipped::cell_name(r1, c1)),
                    format!("the workbook is too large: its sheets' used areas (to {}) exceed {MAX_XLS_CELLS} cells; delete the extra rows and columns or save as .xlsx", super::zipped::cell_name(r1, c1))
                ));
            }
        }
    }
    Ok(())
}

/// A DIMENSIONS record: first row, last row + 1, first column, last column + 1 (BIFF8 has 32-bit
/// rows, older versions 16-bit).
fn dimensions(d: &[u8]) -> Option<(u64, u64, u64, u64)> {
    match d.len() {
        10 => Some((u16_at(d, 0)?, u16_at(d, 2)?, u16_at(d, 4)?, u16_at(d, 6)?)),
        14 => Some((u32_at(d, 0)?, u32_at(d, 4)?, u16_at(d, 8)?, u16_at(d, 10)?)),
        _ => None,
    }
}

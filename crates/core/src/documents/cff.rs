//! Removes the hinting from a bare CFF font program (the `/FontFile3 /CIDFontType0C` stream of a
//! subset font): stem hints (`hstem`, `vstem`, `hstemhm`, `vstemhm`) and hint/counter masks
//! (`hintmask`, `cntrmask`) are dropped from every charstring; outlines and advance widths stay
//! byte-for-byte. Noto Serif SC's CJK glyphs carry many hints (~15% of their charstrings):
//! for a typical certificate this takes the embedded font from 49.5 KB to ~41 KB compressed.
//! PDF viewers rasterise at print and screen resolutions without them (poppler does not hint
//! at all), so nothing visible changes. The Private DICTs' hint values (BlueValues, StdHW…)
//! are left as they are.
//!
//! Only desubroutinised programs are rewritten (what `subsetter` writes): a charstring that
//! calls a subroutine, or any structure this code does not expect, leaves the font untouched.
//! Offsets in the Top DICT and the Font DICTs that point past the CharStrings INDEX are moved
//! by how much it shrank; they are rewritten in place, so they must be 5-byte integers (as
//! `subsetter` writes them) — otherwise the font is left untouched too.

/// The font without hints, or `None` when it cannot be rewritten safely (keep the original).
pub(crate) fn strip_hints(data: &[u8]) -> Option<Vec<u8>> {
    let hdr_size = usize::from(*data.get(2)?);
    let (_, after_names) = index(data, hdr_size)?;
    let (top_dicts, after_top) = index(data, after_names)?;
    let top = *top_dicts.first()?;
    let top_start = offset_of(data, top);
    let top_ops = dict(top)?;
    let (_, after_strings) = index(data, after_top)?;
    let (gsubrs, _) = index(data, after_strings)?;
    if !gsubrs.is_empty() {
        return None;
    }
    let cs_off = usize::try_from(operand(&top_ops, 17, 0)?.value).ok()?;
    let (charstrings, cs_end) = index(data, cs_off)?;

    let mut stripped = Vec::with_capacity(charstrings.len());
    for cs in &charstrings {
        let mut out = Vec::with_capacity(cs.len());
        strip_charstring(cs, &mut out)?;
        stripped.push(out);
    }
    let new_index = write_index(&stripped);
    let old_len = cs_end - cs_off;
    if new_index.len() >= old_len {
        return None;
    }
    let delta = (old_len - new_index.len()) as i64;

    // Offsets to move: charset (15), Encoding (16), Private (18, its 2nd operand), FDArray
    // (12 36), FDSelect (12 37) in the Top DICT, Private in each Font DICT.
    let mut patches: Vec<(usize, i64)> = Vec::new();
    let mut collect = |ops: &[Op], base: usize| -> Option<()> {
        for op in ops {
            let idx = match op.code {
                15 | 16 | 1236 | 1237 => 0,
                18 => 1,
                _ => continue,
            };
            let Some(arg) = op.args.get(idx) else {
                continue;
            };
            // charset/Encoding 0..2 are predefined ids, not offsets.
            if matches!(op.code, 15 | 16) && arg.value <= 2 {
                continue;
            }
            if arg.value > cs_off as i64 {
                if !arg.five_bytes {
                    return None;
                }
                patches.push((base + arg.pos, arg.value - delta));
            }
        }
        Some(())
    };
    collect(&top_ops, top_start)?;
    if let Some(fd_array) = operand(&top_ops, 1236, 0) {
        let (fds, _) = index(data, usize::try_from(fd_array.value).ok()?)?;
        for fd in fds {
            let base = offset_of(data, fd);
            collect(&dict(fd)?, base)?;
        }
    }

    let mut out = Vec::with_capacity(data.len() - delta as usize);
    out.extend_from_slice(&data[..cs_off]);
    out.extend_from_slice(&new_index);
    out.extend_from_slice(&data[cs_end..]);
    for (pos, value) in patches {
        // Every patched number sits outside the CharStrings INDEX; those after it moved.
        let at = if pos >= cs_end {
            pos - delta as usize
        } else {
            pos
        };
        let v = i32::try_from(value).ok()?;
        out.get_mut(at..at + 5)?.copy_from_slice(&[
            29,
            (v >> 24) as u8,
            (v >> 16) as u8,
            (v >> 8) as u8,
            v as u8,
        ]);
    }
    Some(out)
}

fn offset_of(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// A CFF INDEX at `at`: its items and the offset just past it.
fn index(data: &[u8], at: usize) -> Option<(Vec<&[u8]>, usize)> {
    let count = usize::from(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]));
    if count == 0 {
        return Some((Vec::new(), at + 2));
    }
    let off_size = usize::from(*data.get(at + 2)?);
    if !(1..=4).contains(&off_size) {
        return None;
    }
    let offsets_at = at + 3;
    let data_at = offsets_at + (count + 1) * off_size - 1;
    let read = |i: usize| -> Option<usize> {
        let b = data.get(offsets_at + i * off_size..offsets_at + (i + 1) * off_size)?;
        Some(b.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x)))
    };
    let mut items = Vec::with_capacity(count);
    let mut prev = read(0)?;
    for i in 1..=count {
        let next = read(i)?;
        if next < prev {
            return None;
        }
        items.push(data.get(data_at + prev..data_at + next)?);
        prev = next;
    }
    Some((items, data_at + prev))
}

fn write_index(items: &[Vec<u8>]) -> Vec<u8> {
    let total: usize = items.iter().map(Vec::len).sum();
    let last = total + 1;
    let off_size: usize = match last {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xff_ffff => 3,
        _ => 4,
    };
    let mut out = Vec::with_capacity(3 + (items.len() + 1) * off_size + total);
    out.extend_from_slice(&(items.len() as u16).to_be_bytes());
    out.push(off_size as u8);
    let mut off = 1usize;
    let put = |out: &mut Vec<u8>, v: usize| {
        out.extend_from_slice(&(v as u32).to_be_bytes()[4 - off_size..]);
    };
    put(&mut out, off);
    for it in items {
        off += it.len();
        put(&mut out, off);
    }
    for it in items {
        out.extend_from_slice(it);
    }
    out
}

struct Arg {
    /// Offset of the number's first byte within its DICT.
    pos: usize,
    value: i64,
    five_bytes: bool,
}

struct Op {
    /// The operator; escaped ones (12 x) as 1200 + x.
    code: u16,
    args: Vec<Arg>,
    /// Byte range of the operands and the operator within the DICT.
    span: (usize, usize),
}

fn operand(ops: &[Op], code: u16, i: usize) -> Option<&Arg> {
    ops.iter().find(|o| o.code == code)?.args.get(i)
}

/// A DICT's operators with their integer operands (reals count as 0; none we patch is real).
fn dict(d: &[u8]) -> Option<Vec<Op>> {
    let mut ops = Vec::new();
    let mut args = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < d.len() {
        let b = d[i];
        match b {
            0..=11 | 13..=21 => {
                i += 1;
                ops.push(Op {
                    code: u16::from(b),
                    args: std::mem::take(&mut args),
                    span: (start, i),
                });
                start = i;
            }
            12 => {
                i += 2;
                ops.push(Op {
                    code: 1200 + u16::from(*d.get(i - 1)?),
                    args: std::mem::take(&mut args),
                    span: (start, i),
                });
                start = i;
            }
            28 => {
                let v = i16::from_be_bytes([*d.get(i + 1)?, *d.get(i + 2)?]);
                args.push(Arg {
                    pos: i,
                    value: i64::from(v),
                    five_bytes: false,
                });
                i += 3;
            }
            29 => {
                let v = i32::from_be_bytes([
                    *d.get(i + 1)?,
                    *d.get(i + 2)?,
                    *d.get(i + 3)?,
                    *d.get(i + 4)?,
                ]);
                args.push(Arg {
                    pos: i,
                    value: i64::from(v),
                    five_bytes: true,
                });
                i += 5;
            }
            30 => {
                let start = i;
                i += 1;
                loop {
                    let n = *d.get(i)?;
                    i += 1;
                    if n >> 4 == 0xf || n & 0xf == 0xf {
                        break;
                    }
                }
                args.push(Arg {
                    pos: start,
                    value: 0,
                    five_bytes: false,
                });
            }
            32..=246 => {
                args.push(Arg {
                    pos: i,
                    value: i64::from(b) - 139,
                    five_bytes: false,
                });
                i += 1;
            }
            247..=250 => {
                let v = (i64::from(b) - 247) * 256 + i64::from(*d.get(i + 1)?) + 108;
                args.push(Arg {
                    pos: i,
                    value: v,
                    five_bytes: false,
                });
                i += 2;
            }
            251..=254 => {
                let v = -(i64::from(b) - 251) * 256 - i64::from(*d.get(i + 1)?) - 108;
                args.push(Arg {
                    pos: i,
                    value: v,
                    five_bytes: false,
                });
                i += 2;
            }
            _ => return None,
        }
    }
    Some(ops)
}

/// Copies a Type 2 charstring without its hints. `None` for anything unexpected (subroutine
/// calls, reserved operators, truncation).
fn strip_charstring(cs: &[u8], out: &mut Vec<u8>) -> Option<()> {
    // Start of each operand on the stack (operands are contiguous before their operator).
    let mut starts: Vec<usize> = Vec::with_capacity(48);
    let mut stems = 0usize;
    // Whether the first stack-clearing operator (which may carry the advance width) was seen.
    let mut cleared = false;
    // The width, when it came with a hint operator that is dropped.
    let mut width: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < cs.len() {
        let b = cs[i];
        match b {
            32..=246 => {
                starts.push(i);
                i += 1;
            }
            247..=254 => {
                starts.push(i);
                i += 2;
            }
            28 => {
                starts.push(i);
                i += 3;
            }
            255 => {
                starts.push(i);
                i += 5;
            }
            // hstem, vstem, hstemhm, vstemhm; hintmask, cntrmask (with implicit vstems).
            1 | 3 | 18 | 23 | 19 | 20 => {
                let n = starts.len();
                if !cleared && n % 2 == 1 {
                    width = Some((starts[0], starts.get(1).copied().unwrap_or(i)));
                }
                cleared = true;
                stems += n / 2;
                starts.clear();
                i += 1;
                if matches!(b, 19 | 20) {
                    i += stems.div_ceil(8);
                }
            }
            // callsubr, return, callgsubr; reserved operators.
            10 | 11 | 29 | 0 | 2 | 9 | 13 | 15 | 16 | 17 => return None,
            _ => {
                let op_len = if b == 12 { 2 } else { 1 };
                let from = starts.first().copied().unwrap_or(i);
                if let Some((w0, w1)) = width.take() {
                    out.extend_from_slice(cs.get(w0..w1)?);
                }
                // rmoveto, hmoveto, vmoveto, endchar clear the stack (and may carry the width:
                // kept as it is, in place).
                if matches!(b, 21 | 22 | 4 | 14) {
                    cleared = true;
                }
                out.extend_from_slice(cs.get(from..i + op_len)?);
                starts.clear();
                i += op_len;
                if b == 14 {
                    return Some(());
                }
            }
        }
    }
    if i != cs.len() || !starts.is_empty() {
        return None;
    }
    Some(())
}

/// The shipped CID-keyed CFF, parsed once, for building subsets without `subsetter`: each
/// glyph's charstring is desubroutinised and stripped of hints once (see [`CidSource::glyph`]),
/// then a subset is just these programs concatenated behind freshly written tables.
pub(crate) struct CidSource<'a> {
    name: &'a [u8],
    gsubrs: Vec<&'a [u8]>,
    charstrings: Vec<&'a [u8]>,
    /// Font DICT index of each glyph.
    fd_select: Vec<u8>,
    fds: Vec<FdSource<'a>>,
}

struct FdSource<'a> {
    /// The Private DICT without its Subrs entry (the subset has no subroutines).
    private: Vec<u8>,
    subrs: Vec<&'a [u8]>,
}

impl<'a> CidSource<'a> {
    /// Parses a bare CID-keyed `CFF ` table; `None` for anything else.
    pub(crate) fn parse(data: &'a [u8]) -> Option<CidSource<'a>> {
        let hdr_size = usize::from(*data.get(2)?);
        let (names, after_names) = index(data, hdr_size)?;
        let (top_dicts, after_top) = index(data, after_names)?;
        let top_ops = dict(top_dicts.first()?)?;
        let (_, after_strings) = index(data, after_top)?;
        let (gsubrs, _) = index(data, after_strings)?;
        operand(&top_ops, 1230, 0)?; // ROS: CID-keyed
        let at = |code| usize::try_from(operand(&top_ops, code, 0)?.value).ok();
        let (charstrings, _) = index(data, at(17)?)?;
        let n = charstrings.len();
        let fd_select_at = at(1237)?;
        let mut fd_select = vec![0u8; n];
        match *data.get(fd_select_at)? {
            0 => fd_select.copy_from_slice(data.get(fd_select_at + 1..fd_select_at + 1 + n)?),
            3 => {
                let u16_at = |i: usize| -> Option<usize> {
                    Some(usize::from(u16::from_be_bytes([
                        *data.get(i)?,
                        *data.get(i + 1)?,
                    ])))
                };
                let ranges = u16_at(fd_select_at + 1)?;
                for r in 0..ranges {
                    let rec = fd_select_at + 3 + r * 3;
                    let first = u16_at(rec)?;
                    let fd = *data.get(rec + 2)?;
                    let end = u16_at(rec + 3)?.min(n);
                    fd_select.get_mut(first..end)?.fill(fd);
                }
            }
            _ => return None,
        }
        let (fd_dicts, _) = index(data, at(1236)?)?;
        let mut fds = Vec::with_capacity(fd_dicts.len());
        for fd in fd_dicts {
            let ops = dict(fd)?;
            let size = usize::try_from(operand(&ops, 18, 0)?.value).ok()?;
            let off = usize::try_from(operand(&ops, 18, 1)?.value).ok()?;
            let pd = data.get(off..off + size)?;
            let pops = dict(pd)?;
            let mut private = Vec::with_capacity(pd.len());
            let mut subrs = Vec::new();
            for op in &pops {
                if op.code == 19 {
                    let rel = usize::try_from(op.args.first()?.value).ok()?;
                    subrs = index(data, off + rel)?.0;
                } else {
                    private.extend_from_slice(pd.get(op.span.0..op.span.1)?);
                }
            }
            fds.push(FdSource { private, subrs });
        }
        if fd_select.iter().any(|&f| usize::from(f) >= fds.len()) {
            return None;
        }
        Some(CidSource {
            name: names.first()?,
            gsubrs,
            charstrings,
            fd_select,
            fds,
        })
    }

    /// Glyph `gid`'s charstring without subroutine calls and hints, and its Font DICT.
    pub(crate) fn glyph(&self, gid: u16) -> Option<(Vec<u8>, u8)> {
        let cs = self.charstrings.get(usize::from(gid))?;
        let fd = *self.fd_select.get(usize::from(gid))?;
        let mut st = Flatten::default();
        st.run(cs, &self.gsubrs, &self.fds.get(usize::from(fd))?.subrs, 0)?;
        Some((st.out, fd))
    }

    /// A CID-keyed CFF of `glyphs` (charstring from [`CidSource::glyph`], Font DICT), in order:
    /// the first must be .notdef. CIDs equal the new glyph ids (identity charset).
    pub(crate) fn build(&self, glyphs: &[(&[u8], u8)]) -> Vec<u8> {
        let n = glyphs.len();
        // Used Font DICTs, renumbered in order of first use.
        let mut fd_map: Vec<Option<u8>> = vec![None; self.fds.len()];
        let mut used: Vec<usize> = Vec::new();
        for &(_, fd) in glyphs {
            let slot = &mut fd_map[usize::from(fd)];
            if slot.is_none() {
                *slot = Some(used.len() as u8);
                used.push(usize::from(fd));
            }
        }
        let new_fd = |fd: u8| fd_map[usize::from(fd)].unwrap_or(0);

        let name_index = write_index(&[self.name.to_vec()]);
        let string_index = write_index(&[b"Adobe".to_vec(), b"Identity".to_vec()]);
        let gsubr_index = [0u8, 0];
        // charset format 2: CIDs 1..n-1 for gids 1..n-1.
        let mut charset = vec![2u8];
        if n > 1 {
            charset.extend_from_slice(&1u16.to_be_bytes());
            charset.extend_from_slice(&((n - 2) as u16).to_be_bytes());
        }
        // FDSelect format 3.
        let mut ranges: Vec<(u16, u8)> = Vec::new();
        for (gid, &(_, fd)) in glyphs.iter().enumerate() {
            let f = new_fd(fd);
            if ranges.last().is_none_or(|r| r.1 != f) {
                ranges.push((gid as u16, f));
            }
        }
        let mut fd_select = vec![3u8];
        fd_select.extend_from_slice(&(ranges.len() as u16).to_be_bytes());
        for (first, f) in &ranges {
            fd_select.extend_from_slice(&first.to_be_bytes());
            fd_select.push(*f);
        }
        fd_select.extend_from_slice(&(n as u16).to_be_bytes());
        let cs_items: Vec<Vec<u8>> = glyphs.iter().map(|(cs, _)| cs.to_vec()).collect();
        let charstrings = write_index(&cs_items);

        // Top DICT: ROS, CIDCount, charset, FDSelect, CharStrings, FDArray (offsets as 5-byte
        // integers so its length is known before the offsets are).
        let top = |charset_at: usize, fd_select_at: usize, cs_at: usize, fd_array_at: usize| {
            let mut d = Vec::with_capacity(48);
            for v in [391, 392, 0] {
                int5(&mut d, v);
            }
            d.extend_from_slice(&[12, 30]);
            int5(&mut d, n);
            d.extend_from_slice(&[12, 34]);
            int5(&mut d, charset_at);
            d.push(15);
            int5(&mut d, fd_select_at);
            d.extend_from_slice(&[12, 37]);
            int5(&mut d, cs_at);
            d.push(17);
            int5(&mut d, fd_array_at);
            d.extend_from_slice(&[12, 36]);
            d
        };
        let top_len = write_index(&[top(0, 0, 0, 0)]).len();
        let charset_at = 4 + name_index.len() + top_len + string_index.len() + gsubr_index.len();
        let fd_select_at = charset_at + charset.len();
        let cs_at = fd_select_at + fd_select.len();
        let fd_array_at = cs_at + charstrings.len();
        let fd_dict = |size: usize, at: usize| {
            let mut d = Vec::with_capacity(11);
            int5(&mut d, size);
            int5(&mut d, at);
            d.push(18);
            d
        };
        let fd_array_len = write_index(&vec![fd_dict(0, 0); used.len()]).len();
        let mut private_at = fd_array_at + fd_array_len;
        let mut fd_dicts = Vec::with_capacity(used.len());
        for &fd in &used {
            let size = self.fds[fd].private.len();
            fd_dicts.push(fd_dict(size, private_at));
            private_at += size;
        }

        let mut out = Vec::with_capacity(private_at);
        out.extend_from_slice(&[1, 0, 4, 4]);
        out.extend_from_slice(&name_index);
        out.extend_from_slice(&write_index(&[top(
            charset_at,
            fd_select_at,
            cs_at,
            fd_array_at,
        )]));
        out.extend_from_slice(&string_index);
        out.extend_from_slice(&gsubr_index);
        out.extend_from_slice(&charset);
        out.extend_from_slice(&fd_select);
        out.extend_from_slice(&charstrings);
        out.extend_from_slice(&write_index(&fd_dicts));
        for &fd in &used {
            out.extend_from_slice(&self.fds[fd].private);
        }
        out
    }
}

fn int5(d: &mut Vec<u8>, v: usize) {
    d.push(29);
    d.extend_from_slice(&(v as u32).to_be_bytes());
}

/// Wraps a bare CFF table in a minimal OpenType (`OTTO`) file with that one table, which is
/// what printpdf takes a font program as (it embeds the bare table again).
pub(crate) fn wrap_otto(cff: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(28 + cff.len() + 3);
    out.extend_from_slice(b"OTTO");
    out.extend_from_slice(&[0, 1, 0, 16, 0, 0, 0, 0]);
    out.extend_from_slice(b"CFF ");
    let mut sum = 0u32;
    for chunk in cff.chunks(4) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        sum = sum.wrapping_add(u32::from_be_bytes(w));
    }
    out.extend_from_slice(&sum.to_be_bytes());
    out.extend_from_slice(&28u32.to_be_bytes());
    out.extend_from_slice(&(cff.len() as u32).to_be_bytes());
    out.extend_from_slice(cff);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

/// State of flattening one charstring: subroutines inlined, hints dropped (as in
/// [`strip_charstring`], whose rules this follows).
#[derive(Default)]
struct Flatten {
    out: Vec<u8>,
    /// Encoded operands on the stack (they may cross subroutine boundaries).
    args: Vec<u8>,
    starts: Vec<usize>,
    stems: usize,
    cleared: bool,
    width: Option<Vec<u8>>,
}

fn subr_bias(n: usize) -> i64 {
    if n < 1240 {
        107
    } else if n < 33900 {
        1131
    } else {
        32768
    }
}

impl Flatten {
    /// Runs `cs`; `Some(true)` once endchar was met, `Some(false)` on return.
    fn run(&mut self, cs: &[u8], gsubrs: &[&[u8]], lsubrs: &[&[u8]], depth: u8) -> Option<bool> {
        if depth > 10 {
            return None;
        }
        let mut i = 0;
        while i < cs.len() {
            let b = cs[i];
            let len = match b {
                32..=246 => 1,
                247..=254 => 2,
                28 => 3,
                255 => 5,
                _ => 0,
            };
            if len > 0 {
                self.starts.push(self.args.len());
                self.args.extend_from_slice(cs.get(i..i + len)?);
                i += len;
                continue;
            }
            match b {
                10 | 29 => {
                    let at = self.starts.pop()?;
                    let v = number(&self.args[at..])?;
                    self.args.truncate(at);
                    let subrs = if b == 10 { lsubrs } else { gsubrs };
                    let idx = usize::try_from(v + subr_bias(subrs.len())).ok()?;
                    if self.run(subrs.get(idx)?, gsubrs, lsubrs, depth + 1)? {
                        return Some(true);
                    }
                    i += 1;
                }
                11 => return Some(false),
                1 | 3 | 18 | 23 | 19 | 20 => {
                    let n = self.starts.len();
                    if !self.cleared && n % 2 == 1 {
                        let end = self.starts.get(1).copied().unwrap_or(self.args.len());
                        self.width = Some(self.args[..end].to_vec());
                    }
                    self.cleared = true;
                    self.stems += n / 2;
                    self.starts.clear();
                    self.args.clear();
                    i += 1;
                    if matches!(b, 19 | 20) {
                        i += self.stems.div_ceil(8);
                    }
                }
                0 | 2 | 9 | 13 | 15 | 16 | 17 => return None,
                _ => {
                    let op_len = if b == 12 { 2 } else { 1 };
                    if let Some(w) = self.width.take() {
                        self.out.extend_from_slice(&w);
                    }
                    if matches!(b, 21 | 22 | 4 | 14) {
                        self.cleared = true;
                    }
                    self.out.extend_from_slice(&self.args);
                    self.out.extend_from_slice(cs.get(i..i + op_len)?);
                    self.args.clear();
                    self.starts.clear();
                    i += op_len;
                    if b == 14 {
                        return Some(true);
                    }
                }
            }
        }
        Some(false)
    }
}

/// The integer value of one encoded charstring operand.
fn number(b: &[u8]) -> Option<i64> {
    let b0 = *b.first()?;
    Some(match b0 {
        32..=246 => i64::from(b0) - 139,
        247..=250 => (i64::from(b0) - 247) * 256 + i64::from(*b.get(1)?) + 108,
        251..=254 => -(i64::from(b0) - 251) * 256 - i64::from(*b.get(1)?) - 108,
        28 => i64::from(i16::from_be_bytes([*b.get(1)?, *b.get(2)?])),
        255 => {
            i64::from(i32::from_be_bytes([*b.get(1)?, *b.get(2)?, *b.get(3)?, *b.get(4)?]) >> 16)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::strip_charstring;

    fn strip(cs: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        strip_charstring(cs, &mut out).expect("strips");
        out
    }

    #[test]
    fn hints_go_and_the_width_moves_to_the_first_move() {
        // width 10, hstem 0 50, hintmask (1 stem: 1 byte), rmoveto 5 5, endchar.
        let cs = [149, 139, 189, 1, 19, 0x80, 144, 144, 21, 14];
        assert_eq!(strip(&cs), vec![149, 144, 144, 21, 14]);
        // No width: hstemhm 0 50, implicit vstem 1 2 before hintmask (2 stems: 1 byte).
        let cs = [139, 189, 18, 140, 141, 19, 0xc0, 144, 22, 14];
        assert_eq!(strip(&cs), vec![144, 22, 14]);
        // Nine stems need a two-byte mask.
        let mut cs = Vec::new();
        for _ in 0..9 {
            cs.extend([139, 140]);
        }
        cs.extend([1, 20, 0xff, 0x80, 144, 4, 14]);
        assert_eq!(strip(&cs), vec![144, 4, 14]);
    }

    #[test]
    fn subroutine_calls_are_refused() {
        let mut out = Vec::new();
        assert!(strip_charstring(&[139, 10, 14], &mut out).is_none());
    }
}

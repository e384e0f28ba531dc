//! Fonts for the documents: the shipped Noto Serif SC (parsed once), system fallbacks for rare
//! characters (found lazily), and per-document subsetting.
//!
//! printpdf is used without its `text_layout` feature (which would pull in a whole layout
//! engine and, without it, printpdf embeds fonts whole). Instead each document collects the
//! characters it draws per font, and [`FontUse::finish`] subsets each used font with the
//! `subsetter` crate and hands printpdf a ready `ParsedFont` whose program *is* the subset, whose
//! cmap maps only the used characters to the renumbered glyphs and whose name carries the
//! `XXXXXX+` subset tag. Nothing in a render parses the 11 MB font again.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::cff::{self, CidSource};

use crate::error::{Error, Result};

/// The shipped font (SIL OFL 1.1, see assets/fonts/OFL.txt).
static MAIN_FONT: &[u8] = include_bytes!("../../../../assets/fonts/NotoSerifSC-Regular.otf");
const MAIN_NAME: &str = "NotoSerifSC-Regular";

/// Where system fonts live on Linux, macOS and Windows. The core reads no environment variable,
/// so per-user directories are the shell's to add with [`DocFonts::with_fallback_dirs`].
pub const SYSTEM_FONT_DIRS: &[&str] = &[
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:\\Windows\\Fonts",
];

/// Which font draws a character in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FontKey {
    Main,
    Fallback(usize),
}

impl FontKey {
    pub(crate) fn resource_name(self) -> String {
        match self {
            FontKey::Main => "F0".to_string(),
            FontKey::Fallback(i) => format!("F{}", i + 1),
        }
    }
}

/// Metrics the PDF font descriptor needs, read once per face.
#[derive(Debug, Clone)]
struct Metrics {
    units_per_em: u16,
    ascent: i16,
    descent: i16,
    bbox: (i16, i16, i16, i16),
    caret_rise: i16,
    caret_run: i16,
    weight: u16,
}

fn metrics(face: &ttf_parser::Face<'_>) -> Metrics {
    let b = face.global_bounding_box();
    Metrics {
        units_per_em: face.units_per_em(),
        ascent: face.ascender(),
        descent: face.descender(),
        bbox: (b.x_min, b.y_min, b.x_max, b.y_max),
        caret_rise: 1,
        caret_run: 0,
        weight: face.weight().to_number(),
    }
}

/// A system font face loaded for fallback.
struct FallbackFace {
    data: Arc<Vec<u8>>,
    index: u32,
    name: String,
    metrics: Metrics,
}

impl FallbackFace {
    fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).ok()
    }
}

#[derive(Default)]
struct FallbackState {
    /// Candidate files, best first; `None` until the directories were first listed.
    paths: Option<Vec<PathBuf>>,
    /// How many of `paths` were loaded already.
    next: usize,
    faces: Vec<Arc<FallbackFace>>,
    /// char -> index into `faces`, or None when no font has it.
    cache: HashMap<char, Option<usize>>,
}

/// A glyph's flattened, hint-free charstring and its Font DICT index.
type GlyphProgram = (Arc<[u8]>, u8);

/// The parsed shipped font and the lazily found fallbacks. Cost paid once: keep it and reuse it
/// (it is `Send + Sync`).
pub struct DocFonts {
    main: ttf_parser::Face<'static>,
    main_metrics: Metrics,
    /// The shipped font's CFF table, for subsetting without `subsetter` (see [`subset_main`]).
    main_cff: Option<CidSource<'static>>,
    /// Flattened, hint-free charstrings of the shipped font's glyphs met so far, with their
    /// Font DICT: each glyph is prepared once per process.
    glyph_cache: Mutex<HashMap<u16, GlyphProgram>>,
    dirs: Vec<PathBuf>,
    fallback: Mutex<FallbackState>,
}

impl std::fmt::Debug for DocFonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocFonts")
            .field("main", &MAIN_NAME)
            .field("dirs", &self.dirs)
            .finish()
    }
}

impl DocFonts {
    /// Parses the shipped font. Fallback fonts are looked for in [`SYSTEM_FONT_DIRS`], only when
    /// a character the shipped font lacks is first met.
    pub fn load() -> Result<DocFonts> {
        let main = ttf_parser::Face::parse(MAIN_FONT, 0)
            .map_err(|e| Error::internal(format!("shipped font: {e}")))?;
        let main_metrics = metrics(&main);
        let main_cff = main
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"CFF "))
            .and_then(CidSource::parse);
        Ok(DocFonts {
            main,
            main_metrics,
            main_cff,
            glyph_cache: Mutex::new(HashMap::new()),
            dirs: SYSTEM_FONT_DIRS.iter().map(PathBuf::from).collect(),
            fallback: Mutex::new(FallbackState::default()),
        })
    }

    /// Replaces the directories searched for fallback fonts (e.g. to add the user's font folder,
    /// or none at all).
    pub fn with_fallback_dirs(mut self, dirs: Vec<PathBuf>) -> DocFonts {
        self.dirs = dirs;
        self.fallback = Mutex::new(FallbackState::default());
        self
    }

    /// Characters that no available font can draw (each once, in order of appearance).
    /// Control characters (line breaks, tabs) are not drawn and never reported.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_control() && self.resolve(c).is_none() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The font that draws `c`: the shipped one when it can, else the first fallback that can.
    pub(crate) fn resolve(&self, c: char) -> Option<FontKey> {
        if self.main.glyph_index(c).is_some() {
            return Some(FontKey::Main);
        }
        let mut st = match self.fallback.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(hit) = st.cache.get(&c) {
            return hit.map(FontKey::Fallback);
        }
        let found = find_fallback(&mut st, &self.dirs, c);
        st.cache.insert(c, found);
        found.map(FontKey::Fallback)
    }

    /// Advance width of `c` in `key`'s font, in em.
    pub(crate) fn advance_em(&self, key: FontKey, c: char) -> f32 {
        match key {
            FontKey::Main => advance(&self.main, c),
            FontKey::Fallback(i) => match self.fallback_face(i) {
                Some(f) => f.face().map(|face| advance(&face, c)).unwrap_or(1.0),
                None => 1.0,
            },
        }
    }

    fn fallback_face(&self, i: usize) -> Option<Arc<FallbackFace>> {
        let st = match self.fallback.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        st.faces.get(i).cloned()
    }
}

fn advance(face: &ttf_parser::Face<'_>, c: char) -> f32 {
    let upm = f32::from(face.units_per_em().max(1));
    match face.glyph_index(c) {
        Some(g) => f32::from(face.glyph_hor_advance(g).unwrap_or(0)) / upm,
        None => 1.0,
    }
}

/// Loads candidate files one by one until a face draws `c`.
fn find_fallback(st: &mut FallbackState, dirs: &[PathBuf], c: char) -> Option<usize> {
    let covers = |f: &FallbackFace| f.face().is_some_and(|face| face.glyph_index(c).is_some());
    if let Some(i) = st.faces.iter().position(|f| covers(f)) {
        return Some(i);
    }
    if st.paths.is_none() {
        let mut paths = Vec::new();
        for d in dirs {
            list_fonts(d, 0, &mut paths);
        }
        // CJK families first: the rare characters we fall back for are Han characters.
        paths.sort_by_key(|p| {
            let n = p.to_string_lossy().to_lowercase();
            let rank = if n.contains("serif") && n.contains("cjk") {
                0
            } else if n.contains("cjk") || n.contains("song") || n.contains("ming") {
                1
            } else if n.contains("han") || n.contains("fallback") || n.contains("unifont") {
                2
            } else {
                3
            };
            (rank, n)
        });
        st.paths = Some(paths);
    }
    loop {
        let path = st.paths.as_ref()?.get(st.next)?.clone();
        st.next += 1;
        let first_new = st.faces.len();
        load_faces(&path, &mut st.faces);
        if let Some(off) = st.faces[first_new..].iter().position(|f| covers(f)) {
            return Some(first_new + off);
        }
    }
}

fn list_fonts(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            list_fonts(&p, depth + 1, out);
        } else if let Some(ext) = p.extension().and_then(|e| e.to_str()) {
            if matches!(
                ext.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            ) {
                out.push(p);
            }
        }
    }
}

fn load_faces(path: &Path, out: &mut Vec<Arc<FallbackFace>>) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let data = Arc::new(bytes);
    let n = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    for index in 0..n {
        let Ok(face) = ttf_parser::Face::parse(&data, index) else {
            continue;
        };
        // The subsetter handles TrueType and CFF outlines, not CFF2 (variable) ones.
        if face.is_variable()
            || face
                .raw_face()
                .table(ttf_parser::Tag::from_bytes(b"CFF2"))
                .is_some()
        {
            continue;
        }
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "Fallback".to_string());
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let m = metrics(&face);
        out.push(Arc::new(FallbackFace {
            data: data.clone(),
            index,
            name,
            metrics: m,
        }));
    }
}

/// The characters one document draws, per font; turns into subset fonts at the end.
#[derive(Default)]
pub(crate) struct FontUse {
    used: BTreeMap<FontKey, BTreeMap<char, ()>>,
}

impl FontUse {
    pub(crate) fn add(&mut self, key: FontKey, c: char) {
        self.used.entry(key).or_default().insert(c, ());
    }

    /// Subsets every used font and registers it with the document under its resource name.
    pub(crate) fn finish(&self, fonts: &DocFonts, doc: &mut printpdf::PdfDocument) -> Result<()> {
        for (key, chars) in &self.used {
            let fb;
            let (face, data, index, name, m) = match key {
                FontKey::Main => (
                    fonts.main.clone(),
                    MAIN_FONT,
                    0u32,
                    MAIN_NAME,
                    &fonts.main_metrics,
                ),
                FontKey::Fallback(i) => {
                    fb = fonts
                        .fallback_face(*i)
                        .ok_or_else(|| Error::internal("fallback font vanished"))?;
                    let face = fb
                        .face()
                        .ok_or_else(|| Error::internal("fallback font unreadable"))?;
                    (
                        face,
                        fb.data.as_slice(),
                        fb.index,
                        fb.name.as_str(),
                        &fb.metrics,
                    )
                }
            };
            let fast = match (key, &fonts.main_cff) {
                (FontKey::Main, Some(src)) => subset_main(fonts, src, chars.keys().copied()),
                _ => None,
            };
            let parsed = match fast {
                Some(p) => p,
                None => subset_face(&face, data, index, name, m, chars.keys().copied())?,
            };
            doc.resources.fonts.map.insert(
                printpdf::FontId(key.resource_name()),
                printpdf::PdfFont::new(parsed),
            );
        }
        Ok(())
    }
}

/// Subsets the shipped font from cached per-glyph programs: no parsing, no subroutine
/// inlining, no hint handling per document (all done once per glyph in [`CidSource::glyph`]).
/// `None` if a glyph cannot be prepared; the caller then falls back to `subsetter`.
fn subset_main(
    fonts: &DocFonts,
    src: &CidSource<'static>,
    chars: impl Iterator<Item = char>,
) -> Option<printpdf::ParsedFont> {
    let face = &fonts.main;
    let mut gids: Vec<u16> = vec![0];
    let mut new_of: HashMap<u16, u16> = HashMap::new();
    new_of.insert(0, 0);
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    let mut tag_hash: u32 = 2_166_136_261;
    for c in chars {
        let Some(g) = face.glyph_index(c) else {
            continue;
        };
        let new = *new_of.entry(g.0).or_insert_with(|| {
            gids.push(g.0);
            (gids.len() - 1) as u16
        });
        cmap.insert(c as u32, new);
        widths.insert(new, face.glyph_hor_advance(g).unwrap_or(0));
        tag_hash = (tag_hash ^ c as u32).wrapping_mul(16_777_619);
    }
    let programs: Vec<GlyphProgram> = {
        let mut cache = match fonts.glyph_cache.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut v = Vec::with_capacity(gids.len());
        for g in &gids {
            if let Some(hit) = cache.get(g) {
                v.push(hit.clone());
                continue;
            }
            let (cs, fd) = src.glyph(*g)?;
            let entry: GlyphProgram = (cs.into(), fd);
            cache.insert(*g, entry.clone());
            v.push(entry);
        }
        v
    };
    let glyphs: Vec<(&[u8], u8)> = programs.iter().map(|(cs, fd)| (&cs[..], *fd)).collect();
    let bytes = cff::wrap_otto(&src.build(&glyphs));
    Some(parsed_font(
        bytes,
        &subset_tag(tag_hash),
        MAIN_NAME,
        &fonts.main_metrics,
        cmap,
        widths,
        true,
    ))
}

/// ISO 32000-1 9.6.4: a subset font's name starts with six upper-case letters and '+'.
fn subset_tag(hash: u32) -> String {
    let mut tag = String::with_capacity(7);
    let mut h = hash;
    for _ in 0..6 {
        tag.push(char::from(b'A' + (h % 26) as u8));
        h /= 26;
    }
    tag
}

fn parsed_font(
    bytes: Vec<u8>,
    tag: &str,
    name: &str,
    m: &Metrics,
    cmap: BTreeMap<u32, u16>,
    widths: BTreeMap<u16, u16>,
    is_cff: bool,
) -> printpdf::ParsedFont {
    printpdf::ParsedFont {
        original_bytes: bytes,
        font_index: 0,
        font_name: Some(format!("{tag}+{name}")),
        codepoint_to_glyph: cmap,
        glyph_widths: widths,
        units_per_em: m.units_per_em,
        font_metrics: printpdf::FontMetrics {
            ascent: m.ascent,
            descent: m.descent,
        },
        font_type: if is_cff {
            printpdf::FontType::OpenTypeCFF(())
        } else {
            printpdf::FontType::TrueType
        },
        pdf_font_metrics: printpdf::PdfFontMetricsStub {
            units_per_em: m.units_per_em,
            x_min: m.bbox.0,
            y_min: m.bbox.1,
            x_max: m.bbox.2,
            y_max: m.bbox.3,
            caret_slope_rise: m.caret_rise,
            caret_slope_run: m.caret_run,
            us_weight_class: m.weight,
        },
    }
}

fn subset_face(
    face: &ttf_parser::Face<'_>,
    data: &[u8],
    index: u32,
    name: &str,
    m: &Metrics,
    chars: impl Iterator<Item = char>,
) -> Result<printpdf::ParsedFont> {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    let mut tag_hash: u32 = 2_166_136_261;
    for c in chars {
        let Some(g) = face.glyph_index(c) else {
            continue;
        };
        let new = remapper.remap(g.0);
        cmap.insert(c as u32, new);
        widths.insert(new, face.glyph_hor_advance(g).unwrap_or(0));
        tag_hash = (tag_hash ^ c as u32).wrapping_mul(16_777_619);
    }
    let bytes = subsetter::subset(data, index, &remapper)
        .map_err(|e| Error::internal(format!("font subsetting failed: {e:?}")))?;
    let is_cff = face.tables().cff.is_some();
    Ok(parsed_font(
        bytes,
        &subset_tag(tag_hash),
        name,
        m,
        cmap,
        widths,
        is_cff,
    ))
}

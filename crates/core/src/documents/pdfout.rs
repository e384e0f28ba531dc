//! Writes the lopdf document that printpdf builds, compressing the streams ourselves.
//!
//! Measured first (perf on the bench binary, `DOCS_PROFILE_N`; see benches/documents.rs):
//! printpdf's `save` (lopdf's `compress`) deflates every stream at the *best* level, 46% of a
//! certificate's render time; `subsetter` was 32% (mostly inlining subroutines), the QR code's
//! mask selection 16%, printpdf's own object building ~12%. The font program dominates the
//! compression: CFF charstrings are dense and gain only ~16% from deflate whatever the level
//! (sample certificate: 59.5 KB raw → 50.0 KB at level 1, 49.6 KB at level 9). So:
//! - the shipped font is subset by `fonts::subset_main` from cached, hint-free glyph programs
//!   (see `cff.rs`; hints were ~15% of the charstrings, −8 KB compressed), and a fallback
//!   font's `subsetter` output loses its hints here ([`cff::strip_hints`]);
//! - every stream is deflated at miniz's fast greedy level (1) by a reused compressor.
//!   Content streams would be ~1.3 KB smaller at level 6 (8.2 KB vs 9.4 KB) but that cost
//!   ~1.5 ms of the ~6 ms left per certificate; the certificate stays ~57 KB.
//! - the QR code's mask is chosen by the same rules on a plain grid (`certificate::qr_modules`).
//!
//! Result (criterion, `--warm-up-time 2 --measurement-time 5`, same loaded machine):
//! 9.6 ms → 2.6–2.7 ms median, 61.7 KB → 57.0 KB, 1,000 certificates 10.2 s → 2.7–3.1 s;
//! CPU time per certificate (`DOCS_PROFILE_N=300`, perf stat task-clock) 10.6 ms → 3.3 ms.
//!
//! Rejected: two fonts (a cached subset of the fixed template text plus a per-document one):
//! with the per-glyph cache, subsetting is no longer a cost worth a second font's overhead.
//! XMP is not written (printpdf only adds it for PDF/A conformance); object streams were
//! not needed for the size target.

use lopdf::{Document, Object};
use miniz_oxide::deflate::core::{compress_to_output, CompressorOxide, TDEFLFlush, TDEFLStatus};
use miniz_oxide::DataFormat;

use super::cff;
use crate::error::{Error, Result};

/// Deflate level of font programs (miniz: 1 is its fast greedy path).
const FONT_LEVEL: u8 = 1;
/// Deflate level of content streams and CMaps (see the module note for 6 vs 1).
const CONTENT_LEVEL: u8 = 1;

/// Compresses the streams (stripping CFF hints on the way) and serialises the document.
pub(crate) fn write_pdf(mut doc: Document) -> Result<Vec<u8>> {
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let is_cff = stream
            .dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|n| n == b"CIDFontType0C");
        let level = if is_cff {
            if let Some(stripped) = cff::strip_hints(&stream.content) {
                stream.set_content(stripped);
            }
            FONT_LEVEL
        } else {
            CONTENT_LEVEL
        };
        let Some(packed) = deflate(&stream.content, level) else {
            continue;
        };
        if packed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    let mut out = Vec::with_capacity(64 * 1024);
    doc.save_to(&mut out)
        .map_err(|e| Error::internal(format!("PDF writing: {e}")))?;
    Ok(out)
}

thread_local! {
    /// One compressor per thread, reset between streams: a fresh one allocates (and the kernel
    /// zero-fills) ~300 KB of hash tables each time, which showed as page faults in profiles.
    static COMPRESSOR: std::cell::RefCell<Box<CompressorOxide>> =
        std::cell::RefCell::new(Box::default());
}

/// zlib-wrapped deflate of `data` at `level` (`None` should the compressor fail: the stream
/// is then written uncompressed).
fn deflate(data: &[u8], level: u8) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        c.set_format_and_level(DataFormat::Zlib, level);
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let (status, _) = compress_to_output(&mut c, data, TDEFLFlush::Finish, |chunk| {
            out.extend_from_slice(chunk);
            true
        });
        (status == TDEFLStatus::Done).then_some(out)
    })
}

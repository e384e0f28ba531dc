//! A thin drawing layer over printpdf: absolute positions in points (y up), text split into runs
//! by the font that draws each character, every used character recorded for subsetting.

use printpdf::{
    BlendMode, Color, CurTransMat, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId,
    LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Polygon, PolygonRing, Pt, Rgb, TextItem, TextMatrix, TextRenderingMode, WindingOrder,
};

use super::fonts::{DocFonts, FontKey, FontUse};
use super::linebreak::{break_lines, Line};
use crate::error::{Error, Result};

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
pub const PAGE_W: f32 = 210.0 * MM;
pub const PAGE_H: f32 = 297.0 * MM;

pub const BLACK: (f32, f32, f32) = (0.0, 0.0, 0.0);
pub const GREY: (f32, f32, f32) = (0.35, 0.35, 0.35);
/// The red of seals and marks.
pub const RED: (f32, f32, f32) = (0.86, 0.08, 0.09);

pub fn rgb(c: (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r: c.0,
        g: c.1,
        b: c.2,
        icc_profile: None,
    })
}

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

pub struct Canvas<'a> {
    pub fonts: &'a DocFonts,
    use_: FontUse,
    pages: Vec<Vec<Op>>,
    cur: usize,
    doc: PdfDocument,
    multiply: Option<ExtendedGraphicsStateId>,
}

impl<'a> Canvas<'a> {
    pub fn new(fonts: &'a DocFonts, title: &str) -> Canvas<'a> {
        Canvas {
            fonts,
            use_: FontUse::default(),
            pages: vec![Vec::new()],
            cur: 0,
            doc: PdfDocument::new(title),
            multiply: None,
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.cur = self.pages.len() - 1;
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Draws on page `i` (0-based) from now on; used for footers once the page count is known.
    pub fn set_page(&mut self, i: usize) {
        if i < self.pages.len() {
            self.cur = i;
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.cur >= self.pages.len() {
            self.pages.push(Vec::new());
            self.cur = self.pages.len() - 1;
        }
        &mut self.pages[self.cur]
    }

    pub fn push_op(&mut self, op: Op) {
        self.ops().push(op);
    }

    /// Width of `s` at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.char_width(c, size)).sum()
    }

    pub fn char_width(&self, c: char, size: f32) -> f32 {
        let key = self.fonts.resolve(c).unwrap_or(FontKey::Main);
        self.fonts.advance_em(key, c) * size
    }

    /// Draws `s` with its baseline starting at (x, y); `spacing` is added after every character
    /// (for justification). Returns the width drawn.
    pub fn text_spaced(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        s: &str,
        color: (f32, f32, f32),
        spacing: f32,
    ) -> f32 {
        let mut runs: Vec<(FontKey, String, f32)> = Vec::new();
        let mut cx = x;
        for c in s.chars() {
            if c.is_control() {
                continue;
            }
            let key = self.fonts.resolve(c).unwrap_or(FontKey::Main);
            self.use_.add(key, c);
            match runs.last_mut() {
                Some((k, run, _)) if *k == key => run.push(c),
                _ => runs.push((key, c.to_string(), cx)),
            }
            cx += self.fonts.advance_em(key, c) * size + spacing;
        }
        if runs.is_empty() {
            return 0.0;
        }
        let ops = self.ops();
        ops.push(Op::SetFillColor { col: rgb(color) });
        ops.push(Op::StartTextSection);
        if spacing != 0.0 {
            ops.push(Op::SetCharacterSpacing {
                multiplier: spacing,
            });
        }
        for (key, run, rx) in runs {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(key.resource_name())),
                size: Pt(size),
            });
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(rx), Pt(y)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run)],
            });
        }
        if spacing != 0.0 {
            ops.push(Op::SetCharacterSpacing { multiplier: 0.0 });
        }
        ops.push(Op::EndTextSection);
        cx - x
    }

    pub fn text(&mut self, x: f32, y: f32, size: f32, s: &str, color: (f32, f32, f32)) -> f32 {
        self.text_spaced(x, y, size, s, color, 0.0)
    }

    pub fn text_centered(&mut self, cx: f32, y: f32, size: f32, s: &str, color: (f32, f32, f32)) {
        let w = self.width(s, size);
        self.text(cx - w / 2.0, y, size, s, color);
    }

    pub fn text_right(&mut self, right: f32, y: f32, size: f32, s: &str, color: (f32, f32, f32)) {
        let w = self.width(s, size);
        self.text(right - w, y, size, s, color);
    }

    /// Breaks `s` to `width` (the first line indented by `indent`).
    pub fn wrap(&self, s: &str, size: f32, width: f32, indent: f32) -> Vec<Line> {
        // The indent is modelled as leading ideographic spaces, the way Chinese text does it.
        let w = |c: char| self.char_width(c, size);
        if indent > 0.0 {
            let n = (indent / size).round() as usize;
            let pre: String = std::iter::repeat_n('\u{3000}', n).collect();
            let mut lines = break_lines(&format!("{pre}{s}"), width, &w);
            if let Some(first) = lines.first_mut() {
                first.text = first.text.trim_start_matches('\u{3000}').to_string();
            }
            lines
        } else {
            break_lines(s, width, &w)
        }
    }

    /// Draws wrapped lines from baseline `y` downwards; justified lines fill `width`.
    /// Returns the y below the last line (baseline of a following line).
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        size: f32,
        leading: f32,
        s: &str,
        indent: f32,
        justify: bool,
    ) -> f32 {
        let lines = self.wrap(s, size, width, indent);
        let mut y = y;
        for (i, l) in lines.iter().enumerate() {
            let lx = if i == 0 { x + indent } else { x };
            let lw = if i == 0 { width - indent } else { width };
            let n = l.text.chars().count();
            let natural = self.width(&l.text, size);
            let spacing = if justify && l.justify && n > 1 && natural < lw {
                (lw - natural) / (n - 1) as f32
            } else {
                0.0
            };
            self.text_spaced(lx, y, size, &l.text, BLACK, spacing);
            y -= leading;
        }
        y
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, w: f32, color: (f32, f32, f32)) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: rgb(color) });
        ops.push(Op::SetOutlineThickness { pt: Pt(w) });
        ops.push(Op::DrawLine {
            line: printpdf::Line {
                points: vec![
                    LinePoint {
                        p: pt(x1, y1),
                        bezier: false,
                    },
                    LinePoint {
                        p: pt(x2, y2),
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    pub fn rect_stroke(&mut self, x: f32, y: f32, w: f32, h: f32, lw: f32) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: rgb(BLACK) });
        ops.push(Op::SetOutlineThickness { pt: Pt(lw) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![ring(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)])],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// Fills many rectangles (x, y, w, h) as one path.
    pub fn rects_fill(&mut self, rects: &[(f32, f32, f32, f32)], color: (f32, f32, f32)) {
        if rects.is_empty() {
            return;
        }
        let rings = rects
            .iter()
            .map(|&(x, y, w, h)| ring(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)]))
            .collect();
        let ops = self.ops();
        ops.push(Op::SetFillColor { col: rgb(color) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// A path of (point, is-control-point) rings, filled, stroked or both.
    pub fn path(&mut self, rings: Vec<Vec<((f32, f32), bool)>>, mode: PaintMode, even_odd: bool) {
        let rings = rings
            .into_iter()
            .map(|r| PolygonRing {
                points: r
                    .into_iter()
                    .map(|((x, y), bezier)| LinePoint {
                        p: pt(x, y),
                        bezier,
                    })
                    .collect(),
            })
            .collect();
        self.ops().push(Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode,
                winding_order: if even_odd {
                    WindingOrder::EvenOdd
                } else {
                    WindingOrder::NonZero
                },
            },
        });
    }

    pub fn set_fill(&mut self, color: (f32, f32, f32)) {
        self.ops().push(Op::SetFillColor { col: rgb(color) });
    }

    pub fn set_stroke(&mut self, color: (f32, f32, f32), w: f32) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: rgb(color) });
        ops.push(Op::SetOutlineThickness { pt: Pt(w) });
    }

    /// Starts a group drawn with multiply blending (seals, marks): paper-white becomes
    /// transparent and black text under the red stays readable. Close with [`Canvas::end_group`].
    pub fn begin_multiply(&mut self) {
        let id = match &self.multiply {
            Some(id) => id.clone(),
            None => {
                let gs = ExtendedGraphicsState::default().with_blend_mode(BlendMode::multiply());
                let id = self.doc.add_graphics_state(gs);
                self.multiply = Some(id.clone());
                id
            }
        };
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::LoadGraphicsState { gs: id });
    }

    pub fn end_group(&mut self) {
        self.ops().push(Op::RestoreGraphicsState);
    }

    pub fn transform(&mut self, m: [f32; 6]) {
        self.ops().push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw(m),
        });
    }

    /// One glyph with an arbitrary text matrix (rotated/condensed seal text), fill+stroke so it
    /// looks engraved.
    pub fn glyph(&mut self, c: char, size: f32, m: [f32; 6], bold: f32) {
        let key = self.fonts.resolve(c).unwrap_or(FontKey::Main);
        self.use_.add(key, c);
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        if bold > 0.0 {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            });
            ops.push(Op::SetOutlineThickness { pt: Pt(bold) });
        }
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(FontId(key.resource_name())),
            size: Pt(size),
        });
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw(m),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(c.to_string())],
        });
        if bold > 0.0 {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Fill,
            });
        }
        ops.push(Op::EndTextSection);
    }

    /// Subsets the fonts, writes the pages and serialises the document.
    pub fn finish(
        mut self,
        created: chrono::DateTime<chrono::Utc>,
        subject: &str,
    ) -> Result<Vec<u8>> {
        let ts = printpdf::OffsetDateTime::from_unix_timestamp(created.timestamp())
            .map_err(|e| Error::internal(format!("bad document date: {e}")))?;
        let info = &mut self.doc.metadata.info;
        info.creation_date = ts;
        info.modification_date = ts;
        info.metadata_date = ts;
        info.creator = "Reopen 复工复产审批".to_string();
        info.producer = "Reopen (printpdf)".to_string();
        info.subject = subject.to_string();
        self.use_.finish(self.fonts, &mut self.doc)?;
        let pages = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        self.doc.with_pages(pages);
        let opts = PdfSaveOptions {
            // Streams are compressed below (`write_pdf`), at levels chosen per stream.
            optimize: false,
            // The fonts are subset already (FontUse::finish); printpdf would otherwise re-parse them.
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let lo = self.doc.to_lopdf_document(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| matches!(w.severity, printpdf::PdfParseErrorSeverity::Error))
        {
            return Err(Error::internal(format!("PDF rendering: {}", w.msg)));
        }
        let bytes = super::pdfout::write_pdf(lo)?;
        Ok(bytes)
    }
}

fn ring(pts: &[(f32, f32)]) -> PolygonRing {
    PolygonRing {
        points: pts
            .iter()
            .map(|&(x, y)| LinePoint {
                p: pt(x, y),
                bezier: false,
            })
            .collect(),
    }
}

//! The approval certificate (复工复产批准通知书): one A4 page laid out like an official document
//! (GB/T 9704 margins), a ruled table, the issuing departments with a red vector seal printed
//! over them in multiply mode, and a QR code for verification.

use printpdf::{Op, PaintMode, TextRenderingMode};

use super::canvas::{Canvas, BLACK, GREY, MM, PAGE_H, PAGE_W, RED};
use super::linebreak::Line;
use super::seal;
use super::{zh_date, CertMark, CertificateDoc, DocFonts};
use crate::domain::certificate::verification_code;
use crate::error::{Error, Result};

const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = PAGE_W - 28.0 * MM;
const BOTTOM: f32 = 20.0 * MM;
/// Size of the signature lines (issuing bodies and the date).
const SIGN: f32 = 15.0;
/// The seal's radius (a 42 mm seal).
const SEAL_R: f32 = 21.0 * MM;
/// Size of the 注意事项 and 抄送 text.
const SMALL: f32 = 10.5;
const QR: f32 = 25.0 * MM;

/// How to check a certificate, printed after its verification code.
const HOW_TO_VERIFY: &str = "可扫描二维码，或在政务服务窗口、用 reopen verify 核验码 核验";

const NOTES: [&str; 3] = [
    "本通知书应张贴于企业经营场所醒目位置，接受监督检查。",
    "复工复产后每日向属地乡镇（街道）和行业主管部门报告员工健康状况和防控措施落实情况。",
    "违反疫情防控要求或所报情况不实的，撤销本通知书，责令停工整改，并依法追究责任。",
];

struct Row {
    label: &'static str,
    /// Each item: a prefix ("1．") drawn once, and the wrapped text hanging after it.
    items: Vec<(String, Vec<Line>, f32)>,
    height: f32,
}

/// The signature block laid out below a baseline at y = 0 (特此通知): each issuing body's name in
/// lines under its seal, the seals in one row, the date under the last body.
struct SignLayout {
    /// Size of the names and the date.
    size: f32,
    /// The seals' radius.
    r: f32,
    /// (centre x, baseline y, text) of every name line.
    names: Vec<(f32, f32, String)>,
    /// (centre x, centre y, department) of every seal.
    seals: Vec<(f32, f32, String)>,
    /// Centre x and baseline y of the date.
    date: (f32, f32),
    /// Depth of the block (positive), down to the lowest seal or the date's line.
    depth: f32,
}

/// Renders the certificate to PDF bytes.
pub fn render_certificate(doc: &CertificateDoc, fonts: &DocFonts) -> Result<Vec<u8>> {
    let mut c = Canvas::new(fonts, &doc.title);
    let sign = sign_layout(&c, doc);
    let copy_to = copy_to(doc);
    let tail = tail_height(&c, &sign, &copy_to);
    // Shrink the body until the page holds it (a policy with many conditions).
    let mut chosen = None;
    for scale in [1.0f32, 0.92, 0.84, 0.76, 0.68, 0.6, 0.54, 0.5] {
        let (rows, table_h) = table_rows(&c, doc, scale);
        let body_h = body_height(&c, doc, scale);
        let top = PAGE_H - 37.0 * MM - 30.0 * MM;
        let bottom_of_table = top - body_h - table_h;
        if bottom_of_table - 15.0 * scale * 1.8 - tail >= BOTTOM {
            chosen = Some((scale, rows));
            break;
        }
    }
    let (scale, rows) = chosen.ok_or_else(|| {
        Error::internal("certificate content does not fit on one page (too many conditions)")
    })?;

    // Title, number, red rule.
    let cx = PAGE_W / 2.0;
    let mut y = PAGE_H - 37.0 * MM - 4.0 * MM;
    let title_size = 22.0;
    let spacing = 3.0;
    let n = doc.title.chars().count() as f32;
    let tw = c.width(&doc.title, title_size) + spacing * (n - 1.0).max(0.0);
    c.set_stroke(BLACK, 0.45);
    push(
        &mut c,
        Op::SetTextRenderingMode {
            mode: TextRenderingMode::FillStroke,
        },
    );
    c.text_spaced(cx - tw / 2.0, y, title_size, &doc.title, BLACK, spacing);
    push(
        &mut c,
        Op::SetTextRenderingMode {
            mode: TextRenderingMode::Fill,
        },
    );
    y -= 13.0 * MM;
    c.text_centered(cx, y, 16.0, &doc.number, BLACK);
    if let Some(n) = doc.reprint {
        let nw = c.width(&doc.number, 16.0);
        c.text(
            cx + nw / 2.0 + 3.0 * MM,
            y,
            8.0,
            &format!("补打 第{n}次"),
            GREY,
        );
    }
    y -= 5.5 * MM;
    c.line(LEFT, y, RIGHT, y, 1.2, RED);
    y -= 11.0 * MM;

    // Addressee and body.
    let size = 15.0 * scale;
    let leading = size * 1.8;
    c.text(LEFT, y, size, &format!("{}：", doc.firm_name), BLACK);
    y -= leading;
    y = c.paragraph(
        LEFT,
        y,
        RIGHT - LEFT,
        size,
        leading,
        &body_text(doc),
        2.0 * size,
        true,
    );
    y += leading - 5.0 * MM;

    // The ruled table.
    let label_w = 38.0 * MM;
    let cell = 12.0 * scale;
    let cell_leading = cell * 1.55;
    let pad = 2.4 * MM;
    let top = y;
    c.line(LEFT, top, RIGHT, top, 1.0, BLACK);
    for (i, row) in rows.iter().enumerate() {
        let row_top = y;
        let mut ty = row_top - pad - cell * 0.88;
        let lines_in_row: usize = row.items.iter().map(|(_, l, _)| l.len()).sum();
        // Centre the label vertically in its cell.
        let lh = (lines_in_row as f32 - 1.0) * cell_leading;
        let label_y = row_top - pad - cell * 0.88 - lh / 2.0;
        c.text(LEFT + pad, label_y, cell, row.label, BLACK);
        for (prefix, lines, pw) in &row.items {
            let x = LEFT + label_w + pad;
            if !prefix.is_empty() {
                c.text(x, ty, cell, prefix, BLACK);
            }
            for l in lines {
                c.text(x + pw, ty, cell, &l.text, BLACK);
                ty -= cell_leading;
            }
        }
        y = row_top - row.height;
        let w = if i + 1 == rows.len() { 1.0 } else { 0.5 };
        c.line(LEFT, y, RIGHT, y, w, BLACK);
    }
    c.line(LEFT, top, LEFT, y, 1.0, BLACK);
    c.line(RIGHT, top, RIGHT, y, 1.0, BLACK);
    c.line(LEFT + label_w, top, LEFT + label_w, y, 0.5, BLACK);

    // 特此通知。
    let size = 15.0 * scale;
    y -= size * 1.8;
    c.text(LEFT + 2.0 * size, y, size, "特此通知。", BLACK);

    // Signature block: each issuing body in its column, the date under the last one, and one
    // seal per body pressed centred on its name (the last one on its name and the date: 骑年盖月).
    let date = zh_date(doc.issue_date);
    let date_w = c.width(&date, sign.size);
    for (cx, dy, l) in &sign.names {
        c.text_centered(*cx, y + dy, sign.size, l, BLACK);
    }
    c.text(
        sign.date.0 - date_w / 2.0,
        y + sign.date.1,
        sign.size,
        &date,
        BLACK,
    );
    let seals: Vec<(f32, f32, String)> = sign
        .seals
        .iter()
        .map(|(cx, dy, d)| (*cx, y + dy, d.clone()))
        .collect();
    let lowest_seal = y - sign.depth;

    // 注意事项 beside the QR code, then the 抄送 line between two rules at the foot.
    let notes_top = lowest_seal - 2.0 * MM;
    let qr_y = notes_top - QR;
    draw_qr(&mut c, &doc.qr_payload, RIGHT - QR, qr_y, QR)?;
    // The verification code under the QR code, for those who cannot scan it.
    let code = verification_code(&doc.qr_payload);
    c.text_centered(RIGHT - QR / 2.0, qr_y - 3.5 * MM, 8.0, "核验码", GREY);
    c.text_centered(RIGHT - QR / 2.0, qr_y - 7.0 * MM, 8.5, &code, BLACK);
    let mut ny = notes_top - SMALL;
    let notes_w = RIGHT - QR - 6.0 * MM - LEFT;
    c.text(LEFT, ny, SMALL, "注意事项：", BLACK);
    for (i, note) in NOTES.iter().enumerate() {
        ny -= SMALL * 1.5;
        let prefix = format!("{}．", i + 1);
        let pw = c.width(&prefix, SMALL);
        c.text(LEFT, ny, SMALL, &prefix, BLACK);
        let lines = c.wrap(note, SMALL, notes_w - pw, 0.0);
        for (k, l) in lines.iter().enumerate() {
            if k > 0 {
                ny -= SMALL * 1.5;
            }
            c.text(LEFT + pw, ny, SMALL, &l.text, BLACK);
        }
    }
    // One line on how to check it, under the notes and the code.
    let how_y = ny.min(qr_y - 7.0 * MM) - SMALL * 1.6;
    c.text(
        LEFT,
        how_y,
        9.0,
        &format!("核验码：{code}　{HOW_TO_VERIFY}"),
        GREY,
    );
    let copy_lines = copy_lines(&c, &copy_to);
    let foot_h = copy_lines.len() as f32 * SMALL * 1.5 + 3.0 * MM;
    let rule_top = BOTTOM + foot_h;
    c.line(LEFT, rule_top, RIGHT, rule_top, 0.5, BLACK);
    let mut fy = rule_top - 1.5 * MM - SMALL;
    let head = c.width(COPY_HEAD, SMALL);
    c.text(LEFT + SMALL, fy, SMALL, COPY_HEAD, BLACK);
    for l in &copy_lines {
        c.text(LEFT + SMALL + head, fy, SMALL, &l.text, BLACK);
        fy -= SMALL * 1.5;
    }
    c.line(LEFT, BOTTOM, RIGHT, BOTTOM, 0.5, BLACK);

    for (cx, cy, dept) in &seals {
        draw_seal(&mut c, *cx, *cy, sign.r, dept)?;
    }

    if let Some(mark) = doc.mark {
        draw_mark(&mut c, mark);
    }

    c.finish(doc.issued_at, &format!("{} {}", doc.title, doc.number))
}

/// The issuing bodies, full names broken between words, each centred in its column under its
/// seal: one body over the date at the right; more side by side, the last over the date. Names end
/// on the same line and the seals stand level (印章之间排列整齐), apart, within the text width
/// (每排印章两端不得超出版心: beyond three bodies the seals and names get smaller), below 特此通知.
fn sign_layout(c: &Canvas<'_>, doc: &CertificateDoc) -> SignLayout {
    let n = doc.departments.len().max(1);
    let width = RIGHT - LEFT;
    let gap = width / n as f32;
    let r = SEAL_R.min((gap - 4.0 * MM) / 2.0);
    let size = if n > 3 { 12.0 } else { SIGN };
    let lead = size * 1.6;
    let date_w = c.width(&zh_date(doc.issue_date), size);
    let last_cx = (RIGHT - 2.0 * size - date_w / 2.0).min(RIGHT - gap / 2.0 + 8.0 * MM);
    // Neighbouring names keep a clear space between them.
    let col_w = match n {
        1 => 80.0 * MM,
        2 | 3 => gap - 10.0 * MM,
        _ => gap - 4.0 * MM,
    };
    let w = |s: &str| c.width(s, size);
    let lines: Vec<Vec<String>> = doc
        .departments
        .iter()
        .map(|d| seal::name_lines(&seal::full_name(d), col_w, &w))
        .collect();
    let k = lines.iter().map(Vec::len).max().unwrap_or(1);
    // The seals' centre below the first name line: on the names and the date.
    let dy = -(k as f32 * lead + 1.0 * MM) / 2.0 + 3.0 * MM;
    // The seals' tops stay below 特此通知, and so do the names of a long name.
    let top = (-3.0 * MM - r - dy).min(-1.6 * lead);
    let cy = top + dy;
    let mut out = SignLayout {
        size,
        r,
        names: Vec::new(),
        seals: Vec::new(),
        date: (last_cx, top - k as f32 * lead - 1.0 * MM),
        depth: 0.0,
    };
    let count = lines.len();
    for (j, (d, ls)) in doc.departments.iter().zip(&lines).enumerate() {
        let cx = last_cx - (count - 1 - j) as f32 * gap;
        // A long name is kept on the page.
        let widest = ls.iter().map(|l| w(l)).fold(0.0, f32::max);
        let cx = cx.clamp(LEFT + widest / 2.0, RIGHT - widest / 2.0);
        let mut ly = top - (k - ls.len()) as f32 * lead;
        for l in ls {
            out.names.push((cx, ly, l.clone()));
            ly -= lead;
        }
        out.seals.push((cx, cy, d.clone()));
        if j + 1 == count {
            out.date.0 = cx.min(RIGHT - date_w / 2.0);
        }
    }
    out.depth = -(cy - r).min(out.date.1 - lead);
    out
}

/// Whom the certificate is copied to (after 抄送：): the county's leading group office (unless
/// it signed) and the firm's township.
fn copy_to(doc: &CertificateDoc) -> String {
    let county = doc
        .departments
        .first()
        .map(|d| seal::full_name(d))
        .and_then(|d| seal::name_words(&d).get(1).cloned())
        .filter(|w| w.ends_with('区') || w.ends_with('县'))
        .unwrap_or_else(|| "县（区）".to_string());
    let mut to = Vec::new();
    let office_signed = doc.departments.iter().any(|d| d.contains("领导小组"));
    if !office_signed {
        to.push(format!(
            "{}{county}应对新型冠状病毒感染肺炎疫情工作领导小组办公室",
            seal::CITY
        ));
    }
    to.push("属地乡镇人民政府（街道办事处）".to_string());
    format!("{}。", to.join("，"))
}

const COPY_HEAD: &str = "抄送：";

/// The 抄送 organs in lines, a wrapped line aligned with the first one after the colon.
fn copy_lines(c: &Canvas<'_>, copy_to: &str) -> Vec<Line> {
    let head = c.width(COPY_HEAD, SMALL);
    c.wrap(copy_to, SMALL, RIGHT - LEFT - 2.0 * SMALL - head, 0.0)
}

/// Height below the table: 特此通知, the signature block, 注意事项 and the 抄送 foot.
fn tail_height(c: &Canvas<'_>, sign: &SignLayout, copy_to: &str) -> f32 {
    // The QR code, the two lines of its code, the line on how to check it.
    let notes = 2.0 * MM + QR + 7.0 * MM + SMALL * 1.6 + 5.0 * MM;
    let copy = copy_lines(c, copy_to).len() as f32;
    sign.depth + notes + copy * SMALL * 1.5 + 3.0 * MM
}

fn push(c: &mut Canvas<'_>, op: Op) {
    c.push_op(op);
}

fn body_text(doc: &CertificateDoc) -> String {
    format!(
        "你单位提交的复工复产申请及疫情防控工作方案收悉。经审核，你单位符合复工复产条件，同意自{}起复工复产，核定复工人数{}人。请切实落实疫情防控主体责任，严格执行下列防控条件，确保复工复产安全有序。",
        zh_date(doc.approved_date),
        doc.approved_headcount
    )
}

fn body_height(c: &Canvas<'_>, doc: &CertificateDoc, scale: f32) -> f32 {
    let size = 15.0 * scale;
    let lines = c
        .wrap(&body_text(doc), size, RIGHT - LEFT, 2.0 * size)
        .len();
    (lines as f32 + 1.0) * size * 1.8 + 6.0 * MM
}

fn table_rows(c: &Canvas<'_>, doc: &CertificateDoc, scale: f32) -> (Vec<Row>, f32) {
    let cell = 12.0 * scale;
    let leading = cell * 1.55;
    let pad = 2.4 * MM;
    let value_w = RIGHT - LEFT - 38.0 * MM - 2.0 * pad;
    let simple = |label: &'static str, v: &str| {
        let lines = c.wrap(v, cell, value_w, 0.0);
        let h = lines.len() as f32 * leading - (leading - cell) + 2.0 * pad;
        Row {
            label,
            items: vec![(String::new(), lines, 0.0)],
            height: h.max(cell + 2.0 * pad + 2.0),
        }
    };
    let mut rows = vec![
        simple("企业名称", &doc.firm_name),
        simple("统一社会信用代码", &doc.credit_code),
        simple("经营地址", &doc.address),
        simple("批准复工日期", &zh_date(doc.approved_date)),
        simple("核定复工人数", &format!("{}人", doc.approved_headcount)),
    ];
    let mut items = Vec::new();
    let mut n_lines = 0usize;
    for (i, cond) in doc.conditions.iter().enumerate() {
        let prefix = format!("{}．", i + 1);
        let pw = c.width(&prefix, cell);
        let lines = c.wrap(cond, cell, value_w - pw, 0.0);
        n_lines += lines.len();
        items.push((prefix, lines, pw));
    }
    if items.is_empty() {
        items.push((
            String::new(),
            vec![Line {
                text: "无".into(),
                justify: false,
            }],
            0.0,
        ));
        n_lines = 1;
    }
    rows.push(Row {
        label: "复工复产条件",
        items,
        height: n_lines as f32 * leading - (leading - cell) + 2.0 * pad,
    });
    let h = rows.iter().map(|r| r.height).sum();
    (rows, h)
}

/// QR code as vector squares: drawn in module units under a scaling matrix (small integer
/// coordinates keep the content stream short), each horizontal run one rectangle, identical runs
/// on consecutive rows merged into one taller rectangle.
fn draw_qr(c: &mut Canvas<'_>, payload: &str, x: f32, y: f32, size: f32) -> Result<()> {
    let (n, dark) = qr_modules(payload.as_bytes())?;
    let rects = qr_rects(n, |row, col| dark[row * n + col]);
    let m = size / n as f32;
    c.push_op(Op::SaveGraphicsState);
    // Module (col, row) spans [col, col+1] x [n-row-1, n-row] in this space.
    c.transform([m, 0.0, 0.0, m, x, y]);
    let rects: Vec<(f32, f32, f32, f32)> = rects
        .into_iter()
        .map(|(col, row, w, h)| (col as f32, (n - row - h) as f32, w as f32, h as f32))
        .collect();
    c.rects_fill(&rects, BLACK);
    c.end_group();
    Ok(())
}

/// The QR code's modules (width, dark flags row by row), exactly as
/// `qrcode::QrCode::with_error_correction_level(payload, EcLevel::M)` makes them — the same
/// mask is chosen by the same penalty rules — but scored on a plain grid: qrcode's scoring
/// (bounds-checked `get`, a boxed closure per position) was ~25% of a certificate's render.
fn qr_modules(payload: &[u8]) -> Result<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern, Module};
    use qrcode::{Color, EcLevel, Version};
    let err = |e: qrcode::types::QrError| Error::internal(format!("QR code: {e}"));
    let ec_level = EcLevel::M;
    let bits = qrcode::bits::encode_auto(payload, ec_level).map_err(err)?;
    let version = bits.version();
    let data = bits.into_bytes();
    let (encoded, ec) = qrcode::ec::construct_codewords(&data, version, ec_level).map_err(err)?;
    let mut canvas = Canvas::new(version, ec_level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    let n = usize::try_from(version.width()).map_err(|_| Error::internal("QR width"))?;
    let best = if matches!(version, Version::Micro(_)) {
        canvas.apply_best_mask()
    } else {
        let mut best: Option<(u16, Canvas)> = None;
        for p in [
            MaskPattern::Checkerboard,
            MaskPattern::HorizontalLines,
            MaskPattern::VerticalLines,
            MaskPattern::DiagonalLines,
            MaskPattern::LargeCheckerboard,
            MaskPattern::Fields,
            MaskPattern::Diamonds,
            MaskPattern::Meadow,
        ] {
            let mut c = canvas.clone();
            c.apply_mask(p);
            // Module identity as qrcode compares it (kind and colour).
            let mut grid = vec![0u8; n * n];
            for y in 0..n {
                for x in 0..n {
                    grid[y * n + x] = match c.get(x as i16, y as i16) {
                        Module::Empty => 0,
                        Module::Masked(Color::Light) => 1,
                        Module::Masked(Color::Dark) => 2,
                        Module::Unmasked(Color::Light) => 3,
                        Module::Unmasked(Color::Dark) => 4,
                    };
                }
            }
            let score = qr_penalty(&grid, n);
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, c));
            }
        }
        best.map(|(_, c)| c)
            .ok_or_else(|| Error::internal("QR mask"))?
    };
    let dark = best
        .into_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok((n, dark))
}

/// qrcode 0.14's penalty score of a masked normal QR code (`compute_total_penalty_scores`),
/// on module codes: 0 empty, 1/2 masked light/dark, 3/4 unmasked light/dark.
fn qr_penalty(g: &[u8], n: usize) -> u16 {
    let dark = |v: u8| v == 2 || v == 4;
    let mut total: u16 = 0;
    // Runs of 5+ equal modules, rows then columns.
    for horizontal in [true, false] {
        for i in 0..n {
            let mut last = 0u8;
            let mut len = 1u16;
            for j in 0..=n {
                let v = if j == n {
                    0
                } else if horizontal {
                    g[i * n + j]
                } else {
                    g[j * n + i]
                };
                if v == last {
                    len += 1;
                } else {
                    last = v;
                    if len >= 5 {
                        total = total.wrapping_add(len - 2);
                    }
                    len = 1;
                }
            }
        }
    }
    // 2x2 blocks.
    for y in 0..n - 1 {
        for x in 0..n - 1 {
            let a = g[y * n + x];
            if a == g[y * n + x + 1] && a == g[(y + 1) * n + x] && a == g[(y + 1) * n + x + 1] {
                total = total.wrapping_add(3);
            }
        }
    }
    // Finder-like patterns (#.###.# with 4 light modules on one side).
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    for horizontal in [true, false] {
        let mut score: u16 = 0;
        for i in 0..n {
            let at = |k: usize| {
                if horizontal {
                    dark(g[i * n + k])
                } else {
                    dark(g[k * n + i])
                }
            };
            for j in 0..n - 6 {
                if (0..7).any(|k| at(j + k) != PATTERN[k]) {
                    continue;
                }
                let before = (j.saturating_sub(4)..j).any(at);
                let after = (j + 7..(j + 11).min(n)).any(at);
                if !before || !after {
                    score = score.wrapping_add(40);
                }
            }
        }
        total = total.wrapping_add(score.wrapping_sub(360));
    }
    // Dark/light balance.
    let dark_count = g.iter().filter(|&&v| dark(v)).count();
    let ratio = dark_count * 200 / (n * n);
    total.wrapping_add(ratio.abs_diff(100) as u16)
}

/// Dark modules as rectangles (col, row, width, height) in module units, rows counted from the top.
pub(crate) fn qr_rects(
    n: usize,
    dark: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize, usize)> = Vec::new();
    // Rectangles still growing downwards, keyed by (start col, width).
    let mut open: Vec<usize> = Vec::new();
    for row in 0..n {
        let mut runs = Vec::new();
        let mut col = 0;
        while col < n {
            if dark(row, col) {
                let start = col;
                while col < n && dark(row, col) {
                    col += 1;
                }
                runs.push((start, col - start));
            } else {
                col += 1;
            }
        }
        let mut still_open = Vec::new();
        for (start, w) in runs {
            let hit = open.iter().position(|&i| {
                let r = out[i];
                r.0 == start && r.2 == w && r.1 + r.3 == row
            });
            match hit {
                Some(k) => {
                    let i = open.swap_remove(k);
                    out[i].3 += 1;
                    still_open.push(i);
                }
                None => {
                    out.push((start, row, w, 1));
                    still_open.push(out.len() - 1);
                }
            }
        }
        open = still_open;
    }
    out
}

/// The round seal: ring, star, the department along the arc, 复工复产专用章 below the star.
pub(super) fn draw_seal(c: &mut Canvas<'_>, cx: f32, cy: f32, r: f32, dept: &str) -> Result<()> {
    let ring_w = 1.1 * MM;
    c.begin_multiply();
    c.set_fill(RED);
    c.set_stroke(RED, ring_w);
    c.path(
        vec![seal::circle(cx, cy, r - ring_w / 2.0)],
        PaintMode::Stroke,
        false,
    );
    let star: Vec<((f32, f32), bool)> = seal::star(cx, cy + 0.5 * MM, r * 0.33)
        .into_iter()
        .map(|p| (p, false))
        .collect();
    c.path(vec![star], PaintMode::Fill, false);

    // The full name in one ring, never cut: a long name in smaller characters.
    let chars: Vec<char> = seal::full_name(dept)
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .collect();
    let n = chars.len();
    let span = seal::arc_span(n);
    let mut size = (r * 0.27).min(14.0);
    while size > 6.0 && n > 1 {
        let rb = r - ring_w - 1.4 * MM - size * 0.88;
        if rb * span.to_radians() / (n - 1) as f32 >= size * 0.85 {
            break;
        }
        size -= 0.5;
    }
    let rb = r - ring_w - 1.4 * MM - size * 0.88;
    let pitch = if n > 1 {
        rb * span.to_radians() / (n - 1) as f32
    } else {
        size
    };
    let sx = (pitch * 0.92 / size).min(1.0);
    c.set_stroke(RED, 0.25);
    for (ch, g) in chars.iter().zip(seal::arc_layout(cx, cy, rb, n, span)) {
        let w = c.char_width(*ch, size) * sx;
        let (cos, sin) = (g.angle.cos(), g.angle.sin());
        let ox = g.x - w / 2.0 * cos;
        let oy = g.y - w / 2.0 * sin;
        c.glyph(*ch, size, [sx * cos, sx * sin, -sin, cos, ox, oy], 0.25);
    }
    let sub = "复工复产专用章";
    let sub_size = (r * 0.27).min(14.0) * 0.72;
    let sw = c.width(sub, sub_size);
    let y = cy - r * 0.6;
    let mut x = cx - sw / 2.0;
    for ch in sub.chars() {
        c.glyph(ch, sub_size, [1.0, 0.0, 0.0, 1.0, x, y], 0.2);
        x += c.char_width(ch, sub_size);
    }
    c.end_group();
    Ok(())
}

/// 作废 / 已撤销: large, red, diagonal, stamped across the page with a frame.
fn draw_mark(c: &mut Canvas<'_>, mark: CertMark) {
    let text = mark.zh();
    let size = if text.chars().count() > 2 {
        96.0
    } else {
        120.0
    };
    let w = c.width(text, size) + 10.0 * MM;
    let h = size + 10.0 * MM;
    let a = 30f32.to_radians();
    let (cos, sin) = (a.cos(), a.sin());
    c.begin_multiply();
    c.transform([cos, sin, -sin, cos, PAGE_W / 2.0, PAGE_H / 2.0 + 10.0 * MM]);
    c.set_stroke(RED, 4.0);
    let frame = |x0: f32, y0: f32, x1: f32, y1: f32| {
        vec![
            ((x0, y0), false),
            ((x1, y0), false),
            ((x1, y1), false),
            ((x0, y1), false),
        ]
    };
    c.path(
        vec![frame(-w / 2.0, -h / 2.0, w / 2.0, h / 2.0)],
        PaintMode::Stroke,
        false,
    );
    c.set_stroke(RED, 1.2);
    c.path(
        vec![frame(
            -w / 2.0 + 2.0 * MM,
            -h / 2.0 + 2.0 * MM,
            w / 2.0 - 2.0 * MM,
            h / 2.0 - 2.0 * MM,
        )],
        PaintMode::Stroke,
        false,
    );
    let tw = c.width(text, size);
    c.text(-tw / 2.0, -size * 0.36, size, text, RED);
    c.end_group();
    // A plain statement at the top, too: the mark must not be missed or cut off.
    let note = match mark {
        CertMark::Voided => "本通知书已作废，不得作为复工复产凭证",
        CertMark::Revoked => "本通知书已撤销，不得作为复工复产凭证",
    };
    c.text_centered(PAGE_W / 2.0, PAGE_H - 20.0 * MM, 12.0, note, RED);
}

#[cfg(test)]
mod tests {
    use super::{qr_modules, qr_rects};

    #[test]
    fn qr_modules_match_the_qrcode_crate() {
        let mut payloads = vec![
            "A".to_string(),
            "REOPEN1:cert=2020-0001;firm=91511802MA62A3XK5N".to_string(),
        ];
        for i in 0..40 {
            payloads.push(format!(
                "REOPEN1:cert=2020-{i:04};firm=91511802MA62A3XK5N;date=2020-02-20;n={};sig={}",
                i * 7,
                "Qm9ndXNTaWduYXR1cmU".repeat(1 + i % 9)
            ));
        }
        for p in payloads {
            let code =
                qrcode::QrCode::with_error_correction_level(p.as_bytes(), qrcode::EcLevel::M)
                    .expect("qr");
            let want: Vec<bool> = code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect();
            let (n, got) = qr_modules(p.as_bytes()).expect("qr");
            assert_eq!(n, code.width());
            assert!(got == want, "modules differ for {p:?}");
        }
    }

    #[test]
    fn qr_rects_cover_exactly_the_dark_modules() {
        let grid = ["##.##", "##.##", "#...#", ".....", "#####"];
        let dark = |r: usize, c: usize| grid[r].as_bytes()[c] == b'#';
        let rects = qr_rects(5, dark);
        let mut seen = std::collections::HashSet::new();
        for (c0, r0, w, h) in &rects {
            for r in *r0..r0 + h {
                for c in *c0..c0 + w {
                    assert!(dark(r, c) && seen.insert((r, c)), "({r},{c})");
                }
            }
        }
        let n_dark = (0..25).filter(|i| dark(i / 5, i % 5)).count();
        assert_eq!(seen.len(), n_dark);
        // The two 2x2 blocks merge vertically: 2 + 2 + 1 rectangles.
        assert_eq!(rects.len(), 5);
    }
}

//! The blank 企业复工复产承诺书 a firm downloads from the guide (办事指南), prints, has its principal
//! sign and stamps, and scans back as an attachment: the same commitment text the firm accepts on
//! screen and that the application form prints ([`COMMITMENT`]), with blanks for the firm, its
//! credit code, the principal's signature, the seal and the date.

use chrono::{DateTime, Utc};

use super::canvas::{Canvas, BLACK, GREY, MM, PAGE_H, PAGE_W};
use super::{DocFonts, COMMITMENT};
use crate::error::Result;

const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = PAGE_W - 28.0 * MM;
const BODY: f32 = 14.0;
const LEADING: f32 = BODY * 1.9;
pub const COMMITMENT_TITLE: &str = "企业复工复产承诺书";

/// The blank commitment, addressed to `addressee` (the city's leading group, from settings or
/// the reference data); `created` is the PDF's date (the print's `now`, never the wall clock).
pub fn render_commitment_template(
    addressee: &str,
    fonts: &DocFonts,
    created: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let mut c = Canvas::new(fonts, COMMITMENT_TITLE);
    let cx = PAGE_W / 2.0;
    let mut y = PAGE_H - 34.0 * MM;
    let n = COMMITMENT_TITLE.chars().count() as f32;
    let (size, spacing) = (22.0, 3.0);
    let tw = c.width(COMMITMENT_TITLE, size) + spacing * (n - 1.0);
    c.text_spaced(cx - tw / 2.0, y, size, COMMITMENT_TITLE, BLACK, spacing);
    y -= 18.0 * MM;
    c.text(LEFT, y, BODY, &format!("{addressee}："), BLACK);
    y -= LEADING;
    // Who commits: blanks the firm fills in by hand.
    for label in ["企业名称：", "统一社会信用代码："] {
        let w = c.text(LEFT + 2.0 * BODY, y, BODY, label, BLACK);
        c.line(
            LEFT + 2.0 * BODY + w,
            y - 1.5 * MM,
            RIGHT,
            y - 1.5 * MM,
            0.6,
            BLACK,
        );
        y -= LEADING;
    }
    y -= 2.0 * MM;
    y = c.paragraph(
        LEFT,
        y,
        RIGHT - LEFT,
        BODY,
        LEADING,
        COMMITMENT,
        2.0 * BODY,
        true,
    );
    y = c.paragraph(
        LEFT,
        y,
        RIGHT - LEFT,
        BODY,
        LEADING,
        "本承诺书一式两份，一份随复工复产申请提交（可扫描后作为附件上传），一份由企业留存。",
        2.0 * BODY,
        true,
    );
    y -= 14.0 * MM;
    // The signature block, on the right as a letter signs.
    let sx = PAGE_W / 2.0 + 4.0 * MM;
    for label in ["主要负责人（签字）：", "企业（盖章）："] {
        let w = c.text(sx, y, BODY, label, BLACK);
        c.line(sx + w, y - 1.5 * MM, RIGHT, y - 1.5 * MM, 0.6, BLACK);
        y -= 2.0 * LEADING;
    }
    c.text_right(RIGHT, y, BODY, "年　　月　　日", BLACK);
    c.text(
        LEFT,
        24.0 * MM,
        10.0,
        "填写说明：由企业主要负责人本人签字并加盖企业公章；内容与申请时在系统中确认的承诺一致。",
        GREY,
    );
    c.finish(created, COMMITMENT_TITLE)
}

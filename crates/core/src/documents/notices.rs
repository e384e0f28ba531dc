//! The counter documents, in the certificate's look (title, number, red rule, addressee, a ruled
//! table, the issuing department with its red seal over the date):
//! - 复工复产申请受理回执: the case number, when it was received and the promised deadline;
//! - 复工复产申请退回补正告知书: everything to correct, told at once (一次性告知);
//! - 复工复产申请不予批准决定书: the reason, and the applicant's rights of appeal.
//!
//! Opinions may be long (2,000 characters), so the body flows over as many pages as it needs,
//! line by line; the signature block is never split and pages are numbered when there are several.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use printpdf::{Op, TextRenderingMode};

use super::canvas::{Canvas, BLACK, GREY, MM, PAGE_H, PAGE_W, RED};
use super::certificate::draw_seal;
use super::linebreak::Line;
use super::seal;
use super::{zh_date, DocFonts};
use crate::error::Result;

const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = PAGE_W - 28.0 * MM;
const TOP: f32 = PAGE_H - 30.0 * MM;
const BOTTOM: f32 = 20.0 * MM;
const LABEL_W: f32 = 38.0 * MM;
const PAD: f32 = 2.4 * MM;
const BODY: f32 = 14.0;
const BODY_LEADING: f32 = BODY * 1.75;
const CELL: f32 = 12.0;
const CELL_LEADING: f32 = CELL * 1.55;
/// Height of the signature block: departments, date, seal.
const SIGN_BLOCK: f32 = 35.0 * MM;

/// Which counter document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 受理回执.
    Receipt,
    /// 退回补正告知书.
    Return,
    /// 不予批准决定书.
    Rejection,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::Receipt,
        NoticeKind::Return,
        NoticeKind::Rejection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "receipt",
            NoticeKind::Return => "return",
            NoticeKind::Rejection => "rejection",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The document's title.
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "复工复产申请受理回执",
            NoticeKind::Return => "复工复产申请退回补正告知书",
            NoticeKind::Rejection => "复工复产申请不予批准决定书",
        }
    }

    /// The short name people use for it.
    pub fn zh(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "受理回执",
            NoticeKind::Return => "退回补正告知书",
            NoticeKind::Rejection => "不予批准决定书",
        }
    }
}

/// One review stage ahead, as the receipt lists it.
#[derive(Debug, Clone)]
pub struct ReceiptStage {
    pub name: String,
    /// The departments of the stage, joined with 、.
    pub departments: String,
}

/// One decision of a department, as the return notice and the rejection decision quote it.
#[derive(Debug, Clone)]
pub struct NoticeOpinion {
    pub stage: String,
    pub department: String,
    pub opinion: String,
}

/// What differs between the three documents.
#[derive(Debug, Clone)]
pub enum NoticeBody {
    Receipt {
        /// The stages the submission goes through; empty in filing mode (备案制).
        stages: Vec<ReceiptStage>,
        /// Hours each stage has (policy: `review.sla_hours` or the green channel's).
        hours_per_stage: u32,
        green_channel: bool,
        /// The promised deadline (local time); `None` when filing mode approved it at once.
        deadline: Option<NaiveDateTime>,
    },
    Return {
        /// When the return was decided (local time).
        decided_at: NaiveDateTime,
        /// Every returned stage's opinion of the current return.
        opinions: Vec<NoticeOpinion>,
    },
    Rejection {
        decided_at: NaiveDateTime,
        opinions: Vec<NoticeOpinion>,
    },
}

impl NoticeBody {
    pub fn kind(&self) -> NoticeKind {
        match self {
            NoticeBody::Receipt { .. } => NoticeKind::Receipt,
            NoticeBody::Return { .. } => NoticeKind::Return,
            NoticeBody::Rejection { .. } => NoticeKind::Rejection,
        }
    }
}

/// Everything printed on a counter document.
#[derive(Debug, Clone)]
pub struct NoticeDoc {
    /// `雨复工受〔2020〕8号`: see `case_number`.
    pub case_number: String,
    pub application_id: i64,
    pub submission_no: i64,
    pub firm_name: String,
    pub credit_code: String,
    pub category_zh: String,
    pub planned_date: Option<NaiveDate>,
    pub planned_headcount: u32,
    /// When the current submission was received (local time).
    pub submitted_at: NaiveDateTime,
    pub body: NoticeBody,
    /// The issuing departments; the seal shows the first.
    pub departments: Vec<String>,
    /// The date under the signature.
    pub date: NaiveDate,
    /// The PDF metadata creation date (the print's `now`, never the wall clock).
    pub created: chrono::DateTime<chrono::Utc>,
}

/// The case number of an application: the jurisdiction's one-character short name, 复工受, the
/// year it was created and its id, without leading zeros (GB/T 9704: 不编虚位), e.g.
/// `雨复工受〔2020〕8号`. It stays the same across resubmissions.
pub fn case_number(short: &str, year: i32, application_id: i64) -> String {
    format!("{short}复工受〔{year}〕{application_id}号")
}

/// "2020年2月6日9时00分".
pub fn zh_datetime(t: NaiveDateTime) -> String {
    format!("{}{}时{:02}分", zh_date(t.date()), t.hour(), t.minute())
}

/// Renders a counter document to PDF bytes.
pub fn render_notice(doc: &NoticeDoc, fonts: &DocFonts) -> Result<Vec<u8>> {
    let kind = doc.body.kind();
    let mut f = Flow {
        c: Canvas::new(fonts, kind.title()),
        y: TOP,
    };
    header(
        &mut f,
        kind.title(),
        &format!("受理编号：{}", doc.case_number),
    );
    f.c.text(LEFT, f.y, BODY, &format!("{}：", doc.firm_name), BLACK);
    f.y -= BODY_LEADING;
    for p in intro(doc) {
        f.paragraph(&p);
    }
    f.y += BODY_LEADING - 5.0 * MM;
    f.table(&rows(doc));
    match &doc.body {
        NoticeBody::Receipt { .. } => {}
        NoticeBody::Return { opinions, .. } => {
            f.heading("需要补正的内容");
            f.opinions(opinions, "意见");
        }
        NoticeBody::Rejection { opinions, .. } => {
            f.heading("不予批准的理由");
            f.opinions(opinions, "理由");
        }
    }
    for p in closing(doc) {
        f.paragraph(&p);
    }
    f.signature(&doc.departments, doc.date)?;
    if let NoticeBody::Receipt { .. } = doc.body {
        f.note(
            "本回执仅证明申请已受理，不作为复工复产的凭证；请妥善保存，凭受理编号查询办理进度。",
        );
    }
    f.page_numbers();
    f.c.finish(
        doc.created,
        &format!("{} {}", kind.title(), doc.case_number),
    )
}

fn intro(doc: &NoticeDoc) -> Vec<String> {
    let at = zh_datetime(doc.submitted_at);
    match &doc.body {
        NoticeBody::Receipt { deadline, stages, hours_per_stage, green_channel } => {
            let mut p = format!("你单位于{at}提交的复工复产申请（第{}次提交）已收到，材料齐全，予以受理。", doc.submission_no);
            match deadline {
                Some(d) => p.push_str(&format!(
                    "本申请{}共经{}个审核环节，每个环节办理时限为{}小时，承诺于{}前办结。",
                    if *green_channel { "走绿色通道，" } else { "" },
                    stages.len(),
                    hours_per_stage,
                    zh_datetime(*d)
                )),
                None => p.push_str("本申请按备案制办理，已即时办结，有关部门将事后核查。"),
            }
            vec![p]
        }
        NoticeBody::Return { decided_at, opinions } => vec![format!(
            "你单位于{at}提交的复工复产申请（第{}次提交），经审核，尚需补正。{}根据审核意见，现将需要补正的全部内容一次性告知如下。",
            doc.submission_no,
            decided_label(*decided_at, opinions)
        )],
        NoticeBody::Rejection { decided_at, opinions } => vec![format!(
            "你单位于{at}提交的复工复产申请（第{}次提交），经审核，不符合复工复产条件。{}决定不予批准。",
            doc.submission_no,
            decided_label(*decided_at, opinions)
        )],
    }
}

/// "雨城区经济和信息化局于2020年2月6日10时00分" (the deciding departments, joined with 、).
fn decided_label(at: NaiveDateTime, opinions: &[NoticeOpinion]) -> String {
    let mut names: Vec<&str> = opinions.iter().map(|o| o.department.as_str()).collect();
    names.dedup();
    format!("{}于{}", names.join("、"), zh_datetime(at))
}

fn closing(doc: &NoticeDoc) -> Vec<String> {
    match &doc.body {
        NoticeBody::Receipt { .. } => vec![
            "审核中如需补正，将一次性告知需要补正的全部内容；办理结果将在系统中告知，请保持联系电话畅通。".into(),
        ],
        NoticeBody::Return { .. } => vec![
            "请按上述意见补正后重新提交申请。补正后重新提交的，审核时限自重新提交之时起计算。".into(),
        ],
        NoticeBody::Rejection { .. } => vec![
            "你单位可在整改后重新提出申请。如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into(),
        ],
    }
}

fn rows(doc: &NoticeDoc) -> Vec<(&'static str, String)> {
    // The case number heads the page; the table starts with the firm.
    let mut rows = vec![
        ("企业名称", doc.firm_name.clone()),
        ("统一社会信用代码", doc.credit_code.clone()),
        ("复工类别", doc.category_zh.clone()),
    ];
    if let Some(d) = doc.planned_date {
        rows.push(("计划复工日期", zh_date(d)));
    }
    rows.push(("计划复工人数", format!("{}人", doc.planned_headcount)));
    rows.push((
        "提交时间",
        format!(
            "{}（第{}次提交）",
            zh_datetime(doc.submitted_at),
            doc.submission_no
        ),
    ));
    match &doc.body {
        NoticeBody::Receipt {
            stages,
            hours_per_stage,
            green_channel,
            deadline,
        } => {
            let path = if stages.is_empty() {
                "备案制，即时办结".to_string()
            } else {
                stages
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}．{}（{}）", i + 1, s.name, s.departments))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            rows.push(("审核环节", path));
            if let Some(d) = deadline {
                rows.push((
                    "承诺办结时限",
                    format!(
                        "{}前（每个环节{}小时{}）",
                        zh_datetime(*d),
                        hours_per_stage,
                        if *green_channel {
                            "，绿色通道"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
        NoticeBody::Return { decided_at, .. } => {
            rows.push(("退回时间", zh_datetime(*decided_at)));
        }
        NoticeBody::Rejection { decided_at, .. } => {
            rows.push(("决定时间", zh_datetime(*decided_at)));
        }
    }
    rows
}

/// Draws page by page from the top down.
struct Flow<'a> {
    c: Canvas<'a>,
    y: f32,
}

impl Flow<'_> {
    /// Room for `h` below `y`, else a new page.
    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.c.new_page();
            self.y = TOP;
        }
    }

    fn paragraph(&mut self, s: &str) {
        let lines = self.c.wrap(s, BODY, RIGHT - LEFT, 2.0 * BODY);
        for (i, l) in lines.iter().enumerate() {
            self.need(BODY);
            let (x, w) = if i == 0 {
                (LEFT + 2.0 * BODY, RIGHT - LEFT - 2.0 * BODY)
            } else {
                (LEFT, RIGHT - LEFT)
            };
            self.justified(x, w, BODY, l);
            self.y -= BODY_LEADING;
        }
    }

    fn justified(&mut self, x: f32, w: f32, size: f32, l: &Line) {
        let n = l.text.chars().count();
        let natural = self.c.width(&l.text, size);
        let spacing = if l.justify && n > 1 && natural < w {
            (w - natural) / (n - 1) as f32
        } else {
            0.0
        };
        self.c.text_spaced(x, self.y, size, &l.text, BLACK, spacing);
    }

    fn heading(&mut self, s: &str) {
        self.y -= 3.0 * MM;
        self.need(BODY + BODY_LEADING);
        self.c.text(LEFT, self.y, BODY, s, BLACK);
        self.c.text(LEFT + 0.3, self.y, BODY, s, BLACK);
        self.y -= BODY_LEADING;
    }

    /// Numbered opinions with a hanging indent: the stage and department, then the text, each
    /// line break of the opinion kept as its own paragraph.
    fn opinions(&mut self, opinions: &[NoticeOpinion], what: &str) {
        let size = 13.5;
        let leading = size * 1.7;
        for (i, o) in opinions.iter().enumerate() {
            let prefix = format!("{}．", i + 1);
            let pw = self.c.width(&prefix, size).max(2.0 * size);
            let x = LEFT + 2.0 * BODY;
            let w = RIGHT - x - pw;
            self.need(size + leading);
            self.c.text(x, self.y, size, &prefix, BLACK);
            let who = format!("{}（{}）{}：", o.department, o.stage, what);
            for l in self.c.wrap(&who, size, w, 0.0) {
                self.need(size);
                self.c.text(x + pw, self.y, size, &l.text, GREY);
                self.y -= leading;
            }
            for para in o.opinion.lines().map(str::trim).filter(|p| !p.is_empty()) {
                for l in self.c.wrap(para, size, w, 0.0) {
                    self.need(size);
                    self.justified(x + pw, w, size, &l);
                    self.y -= leading;
                }
            }
            self.y -= 1.5 * MM;
        }
        self.y -= BODY_LEADING - leading;
    }

    /// The ruled two-column table; a row is never split (rows are short: names and dates).
    fn table(&mut self, rows: &[(&'static str, String)]) {
        let value_w = RIGHT - LEFT - LABEL_W - 2.0 * PAD;
        let mut top = self.y;
        let mut drawn_any = false;
        for (label, value) in rows {
            let lines: Vec<Line> = value
                .split('\n')
                .flat_map(|v| self.c.wrap(v, CELL, value_w, 0.0))
                .collect();
            let h = (lines.len() as f32 * CELL_LEADING - (CELL_LEADING - CELL) + 2.0 * PAD)
                .max(CELL + 2.0 * PAD + 2.0);
            if self.y - h < BOTTOM {
                self.close_table(top, drawn_any);
                self.c.new_page();
                self.y = TOP;
                top = self.y;
                drawn_any = false;
            }
            if !drawn_any {
                self.c.line(LEFT, top, RIGHT, top, 1.0, BLACK);
            }
            let row_top = self.y;
            let lh = (lines.len() as f32 - 1.0) * CELL_LEADING;
            self.c.text(
                LEFT + PAD,
                row_top - PAD - CELL * 0.88 - lh / 2.0,
                CELL,
                label,
                BLACK,
            );
            let mut ty = row_top - PAD - CELL * 0.88;
            for l in &lines {
                self.c.text(LEFT + LABEL_W + PAD, ty, CELL, &l.text, BLACK);
                ty -= CELL_LEADING;
            }
            self.y = row_top - h;
            self.c.line(LEFT, self.y, RIGHT, self.y, 0.5, BLACK);
            drawn_any = true;
        }
        self.close_table(top, drawn_any);
        self.y -= 8.0 * MM;
    }

    fn close_table(&mut self, top: f32, drawn_any: bool) {
        if !drawn_any {
            return;
        }
        let y = self.y;
        self.c.line(LEFT, y, RIGHT, y, 1.0, BLACK);
        self.c.line(LEFT, top, LEFT, y, 1.0, BLACK);
        self.c.line(RIGHT, top, RIGHT, y, 1.0, BLACK);
        self.c
            .line(LEFT + LABEL_W, top, LEFT + LABEL_W, y, 0.5, BLACK);
    }

    /// The departments centred over the date, the seal over both (骑年盖月); never split.
    fn signature(&mut self, departments: &[String], date: NaiveDate) -> Result<()> {
        self.need(SIGN_BLOCK);
        let size = BODY;
        let date_s = zh_date(date);
        let date_w = self.c.width(&date_s, size);
        let date_right = RIGHT - 2.0 * size;
        let cx = date_right - date_w / 2.0;
        let mut sy = self.y - 10.0 * MM;
        let first_y = sy;
        let max_w = RIGHT - LEFT - 40.0 * MM;
        // The full name with the city (雅安市…), as on the seal, broken only between its words.
        for d in departments {
            let width = |s: &str| self.c.width(s, size);
            let lines = seal::name_lines(&seal::full_name(d), max_w, &width);
            for l in lines {
                let w = self.c.width(&l, size);
                let x = if cx + w / 2.0 > RIGHT {
                    RIGHT - w
                } else {
                    cx - w / 2.0
                };
                self.c.text(x, sy, size, &l, BLACK);
                sy -= size * 1.6;
            }
        }
        let date_y = sy - 1.0 * MM;
        self.c
            .text(date_right - date_w, date_y, size, &date_s, BLACK);
        if let Some(first) = departments.first() {
            draw_seal(
                &mut self.c,
                cx,
                (first_y + date_y) / 2.0 + 3.0 * MM,
                21.0 * MM,
                first,
            )?;
        }
        self.y = date_y - 19.0 * MM;
        Ok(())
    }

    fn note(&mut self, s: &str) {
        let size = 10.0;
        let lines = self.c.wrap(s, size, RIGHT - LEFT, 0.0);
        for l in lines {
            self.need(size);
            self.c.text(LEFT, self.y, size, &l.text, GREY);
            self.y -= size * 1.6;
        }
    }

    fn page_numbers(&mut self) {
        let total = self.c.page_count();
        if total < 2 {
            return;
        }
        for i in 0..total {
            self.c.set_page(i);
            let label = format!("第 {} 页 共 {} 页", i + 1, total);
            self.c
                .text_centered(PAGE_W / 2.0, 14.0 * MM, 9.0, &label, GREY);
        }
    }
}

/// Title (spaced, stroked like the certificate's), the number line, the red rule.
fn header(f: &mut Flow<'_>, title: &str, number: &str) {
    let cx = PAGE_W / 2.0;
    let mut y = PAGE_H - 32.0 * MM;
    // A long title gets less letter spacing and a smaller size, so that it stays on one line.
    let n = title.chars().count() as f32;
    let (size, spacing) = if n > 10.0 { (20.0, 1.0) } else { (22.0, 3.0) };
    let tw = f.c.width(title, size) + spacing * (n - 1.0).max(0.0);
    f.c.set_stroke(BLACK, 0.45);
    f.c.push_op(Op::SetTextRenderingMode {
        mode: TextRenderingMode::FillStroke,
    });
    f.c.text_spaced(cx - tw / 2.0, y, size, title, BLACK, spacing);
    f.c.push_op(Op::SetTextRenderingMode {
        mode: TextRenderingMode::Fill,
    });
    y -= 12.0 * MM;
    f.c.text_centered(cx, y, 14.0, number, BLACK);
    y -= 5.5 * MM;
    f.c.line(LEFT, y, RIGHT, y, 1.2, RED);
    f.y = y - 11.0 * MM;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_have_no_leading_zeros() {
        assert_eq!(case_number("雨", 2020, 8), "雨复工受〔2020〕8号");
        assert_eq!(case_number("名", 2021, 12045), "名复工受〔2021〕12045号");
    }

    #[test]
    fn kinds_round_trip_and_dates_read_as_chinese() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NoticeKind::parse("form"), None);
        let t = NaiveDate::from_ymd_opt(2020, 2, 6)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("time");
        assert_eq!(zh_datetime(t), "2020年2月6日9时05分");
    }
}

//! The printed application form (复工复产申请审批表): every field of the firm and the plan, the
//! measures, supplies, key-area figures, the roster as a table whose header row repeats on every
//! page, page numbers 第 n 页 共 m 页, and the commitment with its signature and seal boxes kept
//! together on the last page.

use std::ops::Range;

use super::canvas::{Canvas, BLACK, GREY, MM, PAGE_H, PAGE_W};
use super::seal;
use super::{zh_date, DocFonts, FormDoc};
use crate::error::Result;

/// The commitment the firm accepts on screen (the firm wizard's 承诺书, `commitmentText` in
/// ui/src/i18n/zh-CN.ts), printed word for word on the form it signs. A test keeps the two equal.
pub const COMMITMENT: &str = "本企业郑重承诺：严格落实疫情防控主体责任，落实员工体温监测、出入公共场所佩戴口罩、工作场所消毒通风等措施；如实申报复工人员情况，来自疫情重点地区人员完成隔离观察前不安排上岗；发现发热等症状人员立即报告并配合处置；复工后按要求每日报告。如有瞒报、谎报，愿承担相应责任。";

/// What the form shows of the review: to whom it is addressed, a box per review stage, and
/// whether the firm prints its own copy (then the roster's phone numbers are printed in full).
#[derive(Debug, Clone, Default)]
pub struct FormReview {
    /// The competent department (致：…), as stored (the city is prefixed when printed).
    pub addressee: String,
    /// Every stage of the application's review, in order; a stage not yet decided has no opinion.
    pub stages: Vec<FormStage>,
    /// Only for the firm's own copy: each roster row's phone number in full, by row.
    pub full_phones: Option<Vec<String>>,
}

/// One review stage's box: opinion, signature, seal and date.
#[derive(Debug, Clone, Default)]
pub struct FormStage {
    /// "行业主管部门审核".
    pub name: String,
    /// The department(s) deciding it, as stored; may be empty.
    pub department: String,
    pub decision: Option<FormDecision>,
}

/// A stage's recorded decision.
#[derive(Debug, Clone)]
pub struct FormDecision {
    /// "同意" / "不同意" / "退回补正".
    pub verdict_zh: String,
    pub opinion: String,
    /// The reviewer's display name.
    pub reviewer: String,
    pub date: chrono::NaiveDate,
}

impl FormReview {
    /// When nothing of the review is known: addressed to the county's competent industry
    /// department, with empty boxes for the shipped workflow's two stages.
    pub fn undecided(doc: &FormDoc) -> FormReview {
        let stage = |name: &str| FormStage {
            name: name.to_string(),
            ..FormStage::default()
        };
        FormReview {
            addressee: format!("{}行业主管部门", doc.firm.division_name),
            stages: vec![stage("行业主管部门审核"), stage("领导小组办公室会签")],
            full_phones: None,
        }
    }
}

const LEFT: f32 = 20.0 * MM;
const RIGHT: f32 = PAGE_W - 20.0 * MM;
const TOP: f32 = PAGE_H - 20.0 * MM;
const BOTTOM: f32 = 22.0 * MM;
const PAD: f32 = 1.6 * MM;

/// How a run of table rows followed by a block that must stay whole fills pages.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan {
    /// The rows on each page (the first range on the current page).
    pub pages: Vec<Range<usize>>,
    /// The page (index into `pages`, possibly one past the last) that holds the tail block.
    pub tail_page: usize,
}

impl PagePlan {
    /// Pages used, counting the current one.
    pub fn page_count(&self) -> usize {
        self.pages.len().max(self.tail_page + 1)
    }
}

/// Lays `rows` (heights) out from the current page, which has `first_avail` left, onto pages of
/// `page_avail`; every page's rows are preceded by a header of `header` height. A row taller than
/// a page gets a page of its own. Then a `tail` block that is never split.
pub fn paginate(
    first_avail: f32,
    page_avail: f32,
    header: f32,
    rows: &[f32],
    tail: f32,
) -> PagePlan {
    let mut pages = Vec::new();
    let mut avail = first_avail;
    let mut start = 0usize;
    let mut used = header;
    let mut i = 0usize;
    while i < rows.len() {
        if used + rows[i] > avail && (i > start || avail < page_avail) {
            pages.push(start..i);
            start = i;
            avail = page_avail;
            used = header;
            continue;
        }
        used += rows[i];
        i += 1;
    }
    pages.push(start..rows.len());
    let last = pages.len() - 1;
    let left = avail - used;
    let tail_page = if tail <= left { last } else { last + 1 };
    PagePlan { pages, tail_page }
}

struct Form<'a> {
    c: Canvas<'a>,
    y: f32,
}

/// Cell contents of one row, with column widths.
struct Table<'t> {
    widths: &'t [f32],
    size: f32,
    /// Columns drawn as labels (shaded background).
    labels: &'t [bool],
}

impl Form<'_> {
    fn new_page(&mut self) {
        self.c.new_page();
        self.y = TOP;
    }

    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn heading(&mut self, s: &str) {
        self.ensure(12.0 * MM);
        self.y -= 7.0 * MM;
        self.c.text(LEFT, self.y, 12.5, s, BLACK);
        self.y -= 2.5 * MM;
    }

    fn row_lines(&self, t: &Table<'_>, cells: &[String]) -> (Vec<Vec<String>>, f32) {
        let leading = t.size * 1.4;
        let mut max_lines = 1usize;
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(t.widths)
            .map(|(s, w)| {
                let l: Vec<String> = self
                    .c
                    .wrap(s, t.size, w - 2.0 * PAD, 0.0)
                    .into_iter()
                    .map(|l| l.text)
                    .collect();
                max_lines = max_lines.max(l.len());
                l
            })
            .collect();
        let h = max_lines as f32 * leading - (leading - t.size) + 2.0 * PAD + 1.0;
        (lines, h)
    }

    fn draw_row(&mut self, t: &Table<'_>, lines: &[Vec<String>], h: f32, shade_all: bool) {
        let top = self.y;
        let leading = t.size * 1.4;
        let mut x = LEFT;
        let mut shade = Vec::new();
        for (i, w) in t.widths.iter().enumerate() {
            if shade_all || t.labels.get(i).copied().unwrap_or(false) {
                shade.push((x, top - h, *w, h));
            }
            x += w;
        }
        self.c.rects_fill(&shade, (0.93, 0.93, 0.93));
        let mut x = LEFT;
        for (cell, w) in lines.iter().zip(t.widths) {
            let mut ty = top - PAD - t.size * 0.88;
            for l in cell {
                self.c.text(x + PAD, ty, t.size, l, BLACK);
                ty -= leading;
            }
            x += w;
        }
        let total: f32 = t.widths.iter().sum();
        self.c.set_stroke(BLACK, 0.5);
        self.c.rect_stroke(LEFT, top - h, total, h, 0.5);
        let mut x = LEFT;
        for w in &t.widths[..t.widths.len().saturating_sub(1)] {
            x += w;
            self.c.line(x, top, x, top - h, 0.5, BLACK);
        }
        self.y = top - h;
    }

    /// A key-value table that may break between rows.
    fn table(&mut self, t: &Table<'_>, rows: &[Vec<String>]) {
        for r in rows {
            let (lines, h) = self.row_lines(t, r);
            self.ensure(h);
            self.draw_row(t, &lines, h, false);
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Renders the application form to PDF bytes, with empty review boxes
/// ([`FormReview::undecided`]).
pub fn render_form(doc: &FormDoc, fonts: &DocFonts) -> Result<Vec<u8>> {
    render_form_reviewed(doc, &FormReview::undecided(doc), fonts)
}

/// Renders the application form (申请审批表) with what is known of its review.
pub fn render_form_reviewed(
    doc: &FormDoc,
    review: &FormReview,
    fonts: &DocFonts,
) -> Result<Vec<u8>> {
    let mut f = Form {
        c: Canvas::new(fonts, "复工复产申请审批表"),
        y: TOP,
    };
    f.y -= 8.0 * MM;
    f.c.text_centered(PAGE_W / 2.0, f.y, 20.0, "复工复产申请审批表", BLACK);
    f.y -= 11.0 * MM;
    // The addressee, the competent department; the form carries no state and no version: what
    // is printed stays true once signed.
    f.c.text(
        LEFT,
        f.y,
        12.0,
        &format!("致：{}", seal::full_name(&review.addressee)),
        BLACK,
    );
    f.c.text_right(
        RIGHT,
        f.y,
        9.0,
        &format!("申请编号：{}", doc.application_id),
        GREY,
    );
    f.y -= 1.0 * MM;

    // Label columns wide enough for 统一社会信用代码 on one line.
    let w4 = [36.0 * MM, 49.0 * MM, 36.0 * MM, 49.0 * MM];
    let l4 = [true, false, true, false];
    let kv = Table {
        widths: &w4,
        size: 10.5,
        labels: &l4,
    };
    let w2 = [36.0 * MM, 134.0 * MM];
    let l2 = [true, false];
    let kv2 = Table {
        widths: &w2,
        size: 10.5,
        labels: &l2,
    };
    let s = |a: &str| a.to_string();
    let firm = &doc.firm;
    let plan = &doc.plan;

    f.heading("一、企业基本信息");
    f.table(&kv2, &[vec![s("企业名称"), firm.name.clone()]]);
    f.table(
        &kv,
        &[
            vec![
                s("统一社会信用代码"),
                firm.credit_code.clone(),
                s("所属行业"),
                firm.industry_name.clone(),
            ],
            vec![
                s("所属区划"),
                firm.division_name.clone(),
                s("乡镇（街道）"),
                firm.township.clone(),
            ],
        ],
    );
    f.table(&kv2, &[vec![s("经营地址"), firm.address.clone()]]);
    f.table(
        &kv,
        &[
            vec![
                s("法定代表人"),
                firm.legal_representative.clone(),
                s("职工总数"),
                format!("{}人", firm.staff_total),
            ],
            vec![
                s("主要负责人"),
                format!("{}　{}", firm.principal.name, firm.principal.phone),
                s("防疫联络员"),
                format!("{}　{}", firm.contact.name, firm.contact.phone),
            ],
            vec![
                s("市管企业"),
                s(yes_no(firm.city_managed)),
                s("复工类别"),
                doc.category_zh.clone(),
            ],
        ],
    );

    f.heading("二、复工计划与人员情况");
    let h = &plan.headcount;
    f.table(
        &kv,
        &[
            vec![
                s("计划复工日期"),
                plan.planned_date.map(zh_date).unwrap_or_default(),
                s("计划返岗人数"),
                format!("{}人", h.planned),
            ],
            vec![
                s("本地员工"),
                format!("{}人", h.local),
                s("外地返回员工"),
                format!("{}人", h.elsewhere),
            ],
            vec![
                s("来自重点地区"),
                format!("{}人", h.key_area),
                s("其中已满14天"),
                format!("{}人", h.key_area_observed_14d),
            ],
            vec![
                s("正在隔离观察"),
                format!("{}人", h.under_observation),
                s("有发热等症状"),
                format!("{}人", h.symptomatic),
            ],
        ],
    );

    f.heading("三、防控措施");
    let wm = [130.0 * MM, 40.0 * MM];
    let lm = [false, false];
    let mt = Table {
        widths: &wm,
        size: 10.5,
        labels: &lm,
    };
    let (hl, hh) = f.row_lines(&mt, &[s("防控措施"), s("是否承诺落实")]);
    f.ensure(hh * 2.0);
    f.draw_row(&mt, &hl, hh, true);
    let measures: Vec<Vec<String>> = doc
        .measures_zh
        .iter()
        .map(|(name, yes)| vec![name.clone(), s(if *yes { "√ 是" } else { "否" })])
        .collect();
    f.table(&mt, &measures);
    if !plan.measures_note.is_empty() {
        f.table(&kv2, &[vec![s("措施说明"), plan.measures_note.clone()]]);
    }

    f.heading("四、防疫物资储备");
    let sp = &plan.supplies;
    f.table(
        &kv,
        &[
            vec![
                s("口罩"),
                format!("{} 只", sp.masks),
                s("体温计"),
                format!("{} 支", sp.thermometers),
            ],
            vec![
                s("消毒液"),
                format!("{} 升", sp.disinfectant_litres),
                s("手套"),
                format!("{} 副", sp.gloves),
            ],
        ],
    );

    f.heading("五、应急处置预案");
    let plan_text = if plan.emergency_plan.is_empty() {
        s("（未填写）")
    } else {
        plan.emergency_plan.clone()
    };
    f.table(&kv2, &[vec![s("应急预案"), plan_text]]);

    // The roster, with its header row repeated on every page, then the commitment block.
    // Each column as wide as its header and its usual value (an ID number, a phone number in
    // full, a date) on one line.
    let wr = [
        9.0 * MM,
        12.0 * MM,
        32.0 * MM,
        21.0 * MM,
        14.0 * MM,
        16.0 * MM,
        15.0 * MM,
        18.0 * MM,
        18.0 * MM,
        15.0 * MM,
    ];
    let lr = [false; 10];
    let rt = Table {
        widths: &wr,
        size: 8.0,
        labels: &lr,
    };
    let header: Vec<String> = [
        "序号",
        "姓名",
        "身份证号",
        "联系电话",
        "岗位",
        "户籍地",
        "外地返回",
        "返岗日期",
        "隔离观察期",
        "健康状况",
    ]
    .iter()
    .map(|x| s(x))
    .collect();
    let (head_lines, head_h) = f.row_lines(&rt, &header);
    let full = review.full_phones.as_ref();
    let rows: Vec<(Vec<Vec<String>>, f32)> = doc
        .roster
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let m = &r.masked;
            let phone = full
                .and_then(|p| p.get(i))
                .cloned()
                .unwrap_or_else(|| m.phone.clone());
            let obs = match (m.observation_start, m.observation_end) {
                (None, None) => String::new(),
                (a, b) => format!("{}至{}", opt_date(a), opt_date(b)),
            };
            let cells = vec![
                r.row_no.to_string(),
                m.name.clone(),
                m.id_number.clone(),
                phone,
                m.post.clone(),
                m.home_region.clone(),
                if m.from_elsewhere {
                    if m.from_region.is_empty() {
                        s("是")
                    } else {
                        m.from_region.clone()
                    }
                } else {
                    s("否")
                },
                opt_date(m.return_date),
                obs,
                s(m.health.zh()),
            ];
            f.row_lines(&rt, &cells)
        })
        .collect();
    let heights: Vec<f32> = rows.iter().map(|r| r.1).collect();
    // The heading stays with the header row and the first roster row.
    f.ensure(12.0 * MM + head_h + heights.first().copied().unwrap_or(0.0));
    f.heading(&format!("六、返岗员工花名册（共 {} 人）", doc.roster.len()));
    let tail_h = commitment_height();
    let plan_pages = paginate(f.y - BOTTOM, TOP - BOTTOM, head_h, &heights, tail_h);
    for (pi, range) in plan_pages.pages.iter().enumerate() {
        if pi > 0 {
            f.new_page();
        }
        if range.is_empty() && pi + 1 < plan_pages.pages.len() {
            continue; // no orphan header row at the foot of a page
        }
        f.draw_row(&rt, &head_lines, head_h, true);
        for (lines, h) in &rows[range.clone()] {
            f.draw_row(&rt, lines, *h, false);
        }
    }
    if plan_pages.tail_page >= plan_pages.pages.len() {
        f.new_page();
    }
    commitment(&mut f, doc);
    stages(&mut f, review);

    // Page numbers, now that the count is known.
    let total = f.c.page_count();
    for i in 0..total {
        f.c.set_page(i);
        // Words drawn apart (not with the font's narrow space) so that text extraction keeps
        // the spaces of "第 1 页 共 3 页".
        let label = format!("第 {} 页 共 {} 页", i + 1, total);
        let gap = 9.0 * 0.5;
        let words: Vec<&str> = label.split(' ').collect();
        let w: f32 =
            words.iter().map(|w| f.c.width(w, 9.0)).sum::<f32>() + gap * (words.len() as f32 - 1.0);
        let mut x = PAGE_W / 2.0 - w / 2.0;
        for word in words {
            x += f.c.text(x, 12.0 * MM, 9.0, word, GREY) + gap;
        }
    }
    f.c.finish(
        doc.printed_at,
        &format!("复工复产申请审批表 {}", doc.application_id),
    )
}

/// Height of one stage's box.
const STAGE_H: f32 = 30.0 * MM;

/// 八、审批意见: a box per review stage (opinion, signature, seal, date), filled with what was
/// decided so far; the boxes stay together on one page when a page holds them, and a box is never
/// split.
fn stages(f: &mut Form<'_>, review: &FormReview) {
    if review.stages.is_empty() {
        return;
    }
    let all = 12.0 * MM + review.stages.len() as f32 * STAGE_H;
    f.ensure(if all <= TOP - BOTTOM {
        all
    } else {
        12.0 * MM + STAGE_H
    });
    f.heading("八、审批意见");
    let label_w = 36.0 * MM;
    let size = 10.5;
    for st in &review.stages {
        f.ensure(STAGE_H);
        let top = f.y;
        let bottom = top - STAGE_H;
        f.c.rects_fill(&[(LEFT, bottom, label_w, STAGE_H)], (0.93, 0.93, 0.93));
        f.c.set_stroke(BLACK, 0.5);
        f.c.rect_stroke(LEFT, bottom, RIGHT - LEFT, STAGE_H, 0.5);
        f.c.line(LEFT + label_w, top, LEFT + label_w, bottom, 0.5, BLACK);
        // The label: the stage, then its department in smaller type, each broken between words.
        let lw = label_w - 2.0 * PAD;
        let mut ly = top - PAD - size * 0.88 - 2.0 * MM;
        let w = |s: &str| f.c.width(s, size);
        for l in seal::name_lines(&format!("{}意见", st.name), lw, &w) {
            f.c.text(LEFT + PAD, ly, size, &l, BLACK);
            ly -= size * 1.4;
        }
        if !st.department.is_empty() {
            let w = |s: &str| f.c.width(s, 8.0);
            let lines = seal::name_lines(&seal::full_name(&st.department), lw, &w);
            for l in lines {
                f.c.text(LEFT + PAD, ly, 8.0, &l, GREY);
                ly -= 8.0 * 1.4;
            }
        }
        let x = LEFT + label_w + 3.0 * MM;
        let vw = RIGHT - x - 3.0 * MM;
        let mut vy = top - PAD - size * 0.88 - 1.0 * MM;
        if let Some(d) = &st.decision {
            let text = if d.opinion.is_empty() {
                d.verdict_zh.clone()
            } else {
                format!("{}。{}", d.verdict_zh, d.opinion.trim_end_matches('。'))
            };
            for l in f.c.wrap(&text, size, vw, 0.0).iter().take(3) {
                f.c.text(x, vy, size, &l.text, BLACK);
                vy -= size * 1.5;
            }
        }
        let sign_y = bottom + 10.0 * MM;
        let reviewer = st
            .decision
            .as_ref()
            .map(|d| d.reviewer.as_str())
            .unwrap_or("");
        // A long name (a whole office's) is set smaller rather than run into （盖章）.
        let signer = format!("经办人（签字）：{reviewer}");
        let seal_at = RIGHT - 8.0 * MM - f.c.width("（盖章）", size) - 3.0 * MM;
        let room = seal_at - x;
        let wide = f.c.width(&signer, size);
        let signer_size = if wide > room {
            (size * room / wide).max(6.0)
        } else {
            size
        };
        f.c.text(x, sign_y, signer_size, &signer, BLACK);
        f.c.text_right(RIGHT - 8.0 * MM, sign_y, size, "（盖章）", BLACK);
        let date = st
            .decision
            .as_ref()
            .map(|d| zh_date(d.date))
            .unwrap_or_else(|| "年　　月　　日".to_string());
        f.c.text_right(RIGHT - 8.0 * MM, bottom + 4.0 * MM, size, &date, BLACK);
        f.y = bottom;
    }
}

fn commitment_height() -> f32 {
    // Heading, three lines of text, the signature line, the boxes.
    10.0 * MM + 3.0 * 10.5 * 1.7 + 8.0 * MM + 40.0 * MM
}

/// The commitment and the signature/seal boxes: one block, never split across pages.
fn commitment(f: &mut Form<'_>, doc: &FormDoc) {
    f.ensure(commitment_height());
    f.heading("七、企业承诺");
    f.y -= 10.5 * 1.2;
    f.y = f.c.paragraph(
        LEFT,
        f.y,
        RIGHT - LEFT,
        10.5,
        10.5 * 1.7,
        COMMITMENT,
        21.0,
        true,
    );
    // The principal signs (承诺人（主要负责人）, as on screen).
    let (signed, date, accepted) = match &doc.plan.commitment {
        Some(c) => (c.signed_by.clone(), zh_date(c.date), c.accepted),
        None => (String::new(), String::new(), false),
    };
    let signer = if signed.is_empty() {
        doc.firm.principal.name.clone()
    } else {
        signed
    };
    f.y -= 2.0 * MM;
    let mut line = format!("承诺人（主要负责人）：{signer}　　承诺日期：{date}");
    if accepted {
        line.push_str("　　本人已阅读并承诺遵守上述内容");
    }
    f.c.text(LEFT, f.y, 10.5, &line, BLACK);
    f.y -= 5.0 * MM;
    let bw = (RIGHT - LEFT - 10.0 * MM) / 2.0;
    let bh = 34.0 * MM;
    for (i, label) in ["主要负责人（签字）：", "企业（盖章）："]
        .iter()
        .enumerate()
    {
        let x = LEFT + i as f32 * (bw + 10.0 * MM);
        f.c.set_stroke(BLACK, 0.6);
        f.c.rect_stroke(x, f.y - bh, bw, bh, 0.6);
        f.c.text(x + 3.0 * MM, f.y - 7.0 * MM, 10.5, label, BLACK);
        f.c.text_right(
            x + bw - 4.0 * MM,
            f.y - bh + 5.0 * MM,
            10.5,
            "年　　月　　日",
            BLACK,
        );
    }
    f.y -= bh;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fill_pages_and_the_tail_stays_whole() {
        // 10 rows of 10 under a header of 5: 3 fit on the first page (35 of 40), 9 on a full one.
        let p = paginate(40.0, 100.0, 5.0, &[10.0; 10], 20.0);
        assert_eq!(p.pages, vec![0..3, 3..10]);
        // Second page: 5 + 70 = 75 used, 25 left: the 20-high tail fits.
        assert_eq!(p.tail_page, 1);
        assert_eq!(p.page_count(), 2);
        // A 30-high tail does not: it goes to a third page.
        let p = paginate(40.0, 100.0, 5.0, &[10.0; 10], 30.0);
        assert_eq!(p.tail_page, 2);
        assert_eq!(p.page_count(), 3);
    }

    #[test]
    fn a_first_page_too_full_for_one_row_starts_on_the_next() {
        let p = paginate(12.0, 100.0, 5.0, &[10.0, 10.0], 0.0);
        assert_eq!(p.pages, vec![0..0, 0..2]);
        assert_eq!(p.page_count(), 2);
    }

    #[test]
    fn oversized_rows_and_empty_tables() {
        let p = paginate(100.0, 100.0, 5.0, &[150.0, 10.0], 0.0);
        assert_eq!(p.pages, vec![0..1, 1..2]);
        let p = paginate(50.0, 100.0, 5.0, &[], 60.0);
        assert_eq!(p.pages, vec![0..0]);
        assert_eq!(p.tail_page, 1);
    }
}

//! The daily bulletin 复工复产日报 as a PDF for the leading group: A4 portrait in the style of
//! the application form (GB/T 9704-ish margins), a red title over a red rule, the headline
//! figures as a strip and a paragraph, tables by county/district, industry section and category
//! (each with its total row), a vector bar chart of the reopening rate over 14 days, and the
//! overdue list. Tables break between rows with their header row repeated; every page carries
//! the generation time and "第 x 页 共 y 页". Nothing reads the clock: the generation time and the
//! PDF creation date both come from `Bulletin::generated_at`.

use chrono::{DateTime, Datelike, Utc};
use printpdf::{Op, TextRenderingMode};

use super::canvas::{Canvas, BLACK, GREY, MM, PAGE_H, PAGE_W, RED};
use super::{zh_date, DocFonts};
use crate::error::{Error, Result};
use crate::model::{Bulletin, OverdueRow, RatePoint, StatsRow};

const LEFT: f32 = 20.0 * MM;
const RIGHT: f32 = PAGE_W - 20.0 * MM;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = PAGE_H - 20.0 * MM;
const BOTTOM: f32 = 22.0 * MM;
/// Cell padding.
const PAD: f32 = 1.2 * MM;
const SHADE: (f32, f32, f32) = (0.93, 0.93, 0.93);
const TOTAL_SHADE: (f32, f32, f32) = (0.97, 0.90, 0.90);
const GRID: (f32, f32, f32) = (0.82, 0.82, 0.82);
const BAR: (f32, f32, f32) = (0.85, 0.45, 0.42);

#[derive(Clone, Copy, PartialEq)]
enum Align {
    /// Wrapped text.
    Left,
    /// One line, shrunk to fit the cell if need be.
    Center,
    Right,
}

struct Col {
    w: f32,
    align: Align,
}

/// A table: its columns, the header (lines of a cell separated by '\n') and the body text size.
struct Grid<'t> {
    cols: &'t [Col],
    head: &'t [&'t str],
    size: f32,
}

const HEAD_SIZE: f32 = 7.5;

/// One laid-out row: each cell's lines and text size, the height, a background.
struct Row {
    cells: Vec<(Vec<String>, f32)>,
    h: f32,
    shade: Option<(f32, f32, f32)>,
    head: bool,
}

struct Doc<'a> {
    c: Canvas<'a>,
    y: f32,
}

impl Doc<'_> {
    fn new_page(&mut self) {
        self.c.new_page();
        self.y = TOP;
    }

    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    /// Text drawn filled and stroked, the way the certificate makes its title heavier.
    fn bold(&mut self, x: f32, y: f32, size: f32, s: &str, color: (f32, f32, f32), spacing: f32) {
        self.c.set_stroke(color, size * 0.025);
        self.c.push_op(Op::SetTextRenderingMode {
            mode: TextRenderingMode::FillStroke,
        });
        self.c.text_spaced(x, y, size, s, color, spacing);
        self.c.push_op(Op::SetTextRenderingMode {
            mode: TextRenderingMode::Fill,
        });
    }

    /// A section heading, kept on one page with the `keep` points that follow it.
    fn heading(&mut self, s: &str, keep: f32) {
        self.ensure(11.0 * MM + keep);
        self.y -= 8.0 * MM;
        self.bold(LEFT, self.y, 13.0, s, BLACK, 0.0);
        self.y -= 3.0 * MM;
    }

    fn note(&mut self, s: &str) {
        self.y -= 4.0 * MM;
        self.y = self
            .c
            .paragraph(LEFT, self.y, WIDTH, 7.5, 7.5 * 1.5, s, 0.0, false)
            + 7.5 * 1.5;
    }

    fn layout(&self, g: &Grid<'_>, cells: &[String], shade: Option<(f32, f32, f32)>) -> Row {
        let leading = g.size * 1.35;
        let mut n = 1usize;
        let cells: Vec<(Vec<String>, f32)> = cells
            .iter()
            .zip(g.cols)
            .map(|(s, col)| {
                let avail = col.w - 2.0 * PAD;
                if col.align == Align::Left {
                    let lines: Vec<String> = self
                        .c
                        .wrap(s, g.size, avail, 0.0)
                        .into_iter()
                        .map(|l| l.text)
                        .collect();
                    n = n.max(lines.len());
                    (lines, g.size)
                } else {
                    let w = self.c.width(s, g.size);
                    let size = if w > avail && w > 0.0 {
                        g.size * avail / w
                    } else {
                        g.size
                    };
                    (vec![s.clone()], size)
                }
            })
            .collect();
        let h = n as f32 * leading - (leading - g.size) + 2.0 * PAD + 1.0;
        Row {
            cells,
            h,
            shade,
            head: false,
        }
    }

    fn head_row(&self, g: &Grid<'_>) -> Row {
        let leading = HEAD_SIZE * 1.3;
        let cells: Vec<(Vec<String>, f32)> = g
            .head
            .iter()
            .map(|s| (s.split('\n').map(str::to_string).collect(), HEAD_SIZE))
            .collect();
        let n = cells.iter().map(|c| c.0.len()).max().unwrap_or(1);
        Row {
            cells,
            h: n as f32 * leading - (leading - HEAD_SIZE) + 2.0 * PAD + 1.0,
            shade: Some(SHADE),
            head: true,
        }
    }

    fn draw_row(&mut self, g: &Grid<'_>, row: &Row) {
        let top = self.y;
        let h = row.h;
        if let Some(shade) = row.shade {
            self.c.rects_fill(&[(LEFT, top - h, WIDTH, h)], shade);
        }
        let mut x = LEFT;
        for (col, (lines, size)) in g.cols.iter().zip(&row.cells) {
            let leading = if row.head { size * 1.3 } else { size * 1.35 };
            // Each cell's block centred vertically in the row.
            let block = lines.len() as f32 * leading - (leading - size);
            let mut ty = top - (h - block) / 2.0 - size * 0.88;
            for l in lines {
                let align = if row.head { Align::Center } else { col.align };
                match align {
                    Align::Left => {
                        self.c.text(x + PAD, ty, *size, l, BLACK);
                    }
                    Align::Center => self.c.text_centered(x + col.w / 2.0, ty, *size, l, BLACK),
                    Align::Right => self.c.text_right(x + col.w - PAD, ty, *size, l, BLACK),
                }
                ty -= leading;
            }
            x += col.w;
        }
        self.c.rect_stroke(LEFT, top - h, WIDTH, h, 0.5);
        let mut x = LEFT;
        for col in &g.cols[..g.cols.len().saturating_sub(1)] {
            x += col.w;
            self.c.line(x, top, x, top - h, 0.4, BLACK);
        }
        self.y = top - h;
    }

    /// The rows under the header row, which is repeated at the top of every page the table
    /// runs onto; a page never ends with a header row alone.
    fn table(&mut self, g: &Grid<'_>, rows: &[Row]) {
        let head = self.head_row(g);
        let first = rows.first().map_or(0.0, |r| r.h);
        self.ensure(head.h + first);
        self.draw_row(g, &head);
        for r in rows {
            if self.y - r.h < BOTTOM {
                self.new_page();
                self.draw_row(g, &head);
            }
            self.draw_row(g, r);
        }
    }

    /// Height a table's header and first `n` rows need (to keep a heading with them).
    fn lead_height(&self, g: &Grid<'_>, rows: &[Row], n: usize) -> f32 {
        self.head_row(g).h + rows.iter().take(n).map(|r| r.h).sum::<f32>()
    }
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn stats_cells(r: &StatsRow, label: &str) -> Vec<String> {
    vec![
        label.to_string(),
        r.firms.to_string(),
        r.firms_reopened.to_string(),
        pct(r.reopening_rate()),
        r.submitted.to_string(),
        r.approved.to_string(),
        r.rejected.to_string(),
        r.returned.to_string(),
        r.pending.to_string(),
        r.overdue.to_string(),
        r.approved_headcount.to_string(),
        r.key_area_staff.to_string(),
        r.under_observation.to_string(),
    ]
}

fn has_figures(r: &StatsRow) -> bool {
    [
        r.firms,
        r.firms_reopened,
        r.submitted,
        r.approved,
        r.rejected,
        r.returned,
        r.pending,
        r.overdue,
        r.approved_headcount,
        r.key_area_staff,
        r.under_observation,
    ]
    .iter()
    .any(|&v| v != 0)
}

/// The label column, then firms, reopened, rate, the day's four counts, pending, overdue,
/// headcount (the widest figure), key-area staff, under observation.
const STATS_W: [f32; 13] = [
    39.0, 11.5, 11.5, 12.0, 10.0, 10.0, 10.0, 10.0, 10.5, 10.0, 14.5, 11.0, 10.0,
];

fn stats_cols() -> Vec<Col> {
    STATS_W
        .iter()
        .enumerate()
        .map(|(i, w)| Col {
            w: w * MM,
            align: if i == 0 { Align::Left } else { Align::Right },
        })
        .collect()
}

/// A table of figures with its total row.
fn stats_table(d: &mut Doc<'_>, heading: &str, label: &str, rows: &[StatsRow], total: &StatsRow) {
    let cols = stats_cols();
    let head = [
        label,
        "企业数",
        "已复工",
        "复工率",
        "当日\n提交",
        "当日\n批准",
        "不予\n批准",
        "退回\n补正",
        "审核中",
        "超时\n未办",
        "核定复\n工人数",
        "重点地\n区人员",
        "隔离\n观察",
    ];
    let g = Grid {
        cols: &cols,
        head: &head,
        size: 8.5,
    };
    let mut laid: Vec<Row> = rows
        .iter()
        .map(|r| {
            let name = r.labels.first().cloned().unwrap_or_default();
            d.layout(&g, &stats_cells(r, &name), None)
        })
        .collect();
    let keep = d.lead_height(&g, &laid, 2) + 2.0;
    d.heading(heading, keep);
    if laid.is_empty() {
        let mut none = vec![String::from("无")];
        none.extend((0..12).map(|_| String::new()));
        laid.push(d.layout(&g, &none, None));
    }
    laid.push(d.layout(&g, &stats_cells(total, "合计"), Some(TOTAL_SHADE)));
    d.table(&g, &laid);
}

/// "2月5日".
fn month_day(d: chrono::NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

const CHART_H: f32 = 58.0 * MM;

/// A bar chart of the rate, with gridlines, the value over each bar and the day under it.
fn rate_chart(d: &mut Doc<'_>, rate: &[RatePoint]) {
    let c = &mut d.c;
    let top = d.y - 6.0 * MM;
    let base = d.y - CHART_H + 12.0 * MM;
    let x0 = LEFT + 12.0 * MM;
    let x1 = RIGHT - 2.0 * MM;
    let max = rate.iter().map(|p| p.rate).fold(0.0f64, f64::max).min(1.0);
    let (mut step, mut ceil) = (0.25f64, 1.0f64);
    for s in [0.02f64, 0.05, 0.1, 0.2, 0.25] {
        let t = ((max / s - 1e-9).ceil() * s).max(0.1);
        if t / s <= 5.0 + 1e-9 {
            step = s;
            ceil = t.min(1.0);
            break;
        }
    }
    let y_of = |r: f64| base + ((r / ceil).min(1.0) as f32) * (top - base);
    let ticks = (ceil / step).round() as i32;
    for i in 0..=ticks {
        let r = step * i as f64;
        let y = y_of(r);
        if i > 0 {
            c.line(x0, y, x1, y, 0.3, GRID);
        }
        c.text_right(
            x0 - 1.5 * MM,
            y - 2.4,
            7.0,
            &format!("{}%", (r * 100.0).round()),
            GREY,
        );
    }
    let n = rate.len().max(1) as f32;
    let slot = (x1 - x0) / n;
    let bw = slot * 0.55;
    let mut bars = Vec::new();
    let mut last = None;
    for (i, p) in rate.iter().enumerate() {
        let cx = x0 + slot * (i as f32 + 0.5);
        let y = y_of(p.rate);
        if y > base {
            let b = (cx - bw / 2.0, base, bw, y - base);
            if i + 1 == rate.len() {
                last = Some(b);
            } else {
                bars.push(b);
            }
        }
        let mut label = |y: f32, size: f32, s: &str, color| {
            let w = c.width(s, size);
            let size = if w > slot * 0.95 {
                size * slot * 0.95 / w
            } else {
                size
            };
            c.text_centered(cx, y, size, s, color);
        };
        label(y + 1.5 * MM, 6.5, &pct(p.rate), BLACK);
        label(base - 4.0 * MM, 6.5, &month_day(p.date), GREY);
        label(
            base - 7.5 * MM,
            6.0,
            &format!("{}/{}", p.reopened, p.firms),
            GREY,
        );
    }
    c.rects_fill(&bars, BAR);
    if let Some(b) = last {
        c.rects_fill(&[b], RED);
    }
    c.line(x0, base, x1, base, 0.6, BLACK);
    c.line(x0, base, x0, top, 0.6, BLACK);
    if rate.is_empty() {
        c.text_centered((x0 + x1) / 2.0, (base + top) / 2.0, 9.0, "无数据", GREY);
    }
    d.y -= CHART_H;
}

fn overdue_table(d: &mut Doc<'_>, b: &Bulletin) -> Result<()> {
    let cols = [
        (8.0, Align::Center),
        (13.0, Align::Center),
        (44.0, Align::Left),
        (14.0, Align::Left),
        (31.0, Align::Left),
        (28.0, Align::Left),
        (24.0, Align::Center),
        (8.0, Align::Center),
    ]
    .map(|(w, align)| Col { w: w * MM, align });
    let head = [
        "序号",
        "申请编号",
        "企业名称",
        "受理地",
        "审核部门",
        "审核环节",
        "办理期限",
        "绿色\n通道",
    ];
    let g = Grid {
        cols: &cols,
        head: &head,
        size: 8.0,
    };
    let rows = b
        .overdue
        .iter()
        .enumerate()
        .map(|(i, o): (usize, &OverdueRow)| {
            let due = crate::time::parse_ts(&o.due_at)
                .map(crate::time::local_time)
                .unwrap_or_else(|_| o.due_at.clone());
            let place = o.jurisdiction_name.clone();
            let cells = vec![
                (i + 1).to_string(),
                o.application_id.to_string(),
                o.firm_name.clone(),
                place,
                o.department.clone(),
                o.stage_name.clone(),
                due,
                if o.green_channel { "是" } else { "否" }.to_string(),
            ];
            d.layout(&g, &cells, None)
        })
        .collect::<Vec<_>>();
    let title = if b.overdue.len() >= 100 {
        format!("六、超时未办事项（列出最早的 {} 项）", b.overdue.len())
    } else {
        format!("六、超时未办事项（{} 项）", b.overdue.len())
    };
    if rows.is_empty() {
        d.heading(&title, 8.0 * MM);
        d.y -= 5.5 * MM;
        d.c.text(LEFT + 7.0 * MM, d.y, 10.5, "无", BLACK);
        return Ok(());
    }
    let keep = d.lead_height(&g, &rows, 2);
    d.heading(&title, keep);
    d.table(&g, &rows);
    d.note("注：办理期限为北京时间；按期限先后排列。");
    Ok(())
}

/// Renders the bulletin to PDF bytes.
pub fn render_bulletin(b: &Bulletin, fonts: &DocFonts) -> Result<Vec<u8>> {
    let generated: DateTime<Utc> = crate::time::parse_ts(&b.generated_at)
        .map_err(|e| Error::internal(format!("bulletin time {:?}: {e}", b.generated_at)))?;
    let generated_local = crate::time::local_time(generated);
    let title = "复工复产日报";
    let system = if b.system.trim().is_empty() {
        "复工复产审批系统"
    } else {
        b.system.trim()
    };
    let mut d = Doc {
        c: Canvas::new(fonts, &format!("{}{title}", b.scope)),
        y: TOP,
    };
    let t = &b.by_division.total;

    // The red title, the scope and date, the red rule.
    let size = 30.0;
    let spacing = 6.0;
    let n = title.chars().count() as f32;
    let tw = d.c.width(title, size) + spacing * (n - 1.0);
    d.y -= 14.0 * MM;
    d.bold(PAGE_W / 2.0 - tw / 2.0, d.y, size, title, RED, spacing);
    d.y -= 12.0 * MM;
    d.c.text(LEFT, d.y, 12.0, &b.scope, BLACK);
    d.c.text_right(RIGHT, d.y, 12.0, &zh_date(b.date), BLACK);
    d.y -= 3.5 * MM;
    d.c.line(LEFT, d.y, RIGHT, d.y, 1.4, RED);
    d.y -= 0.9 * MM;
    d.c.line(LEFT, d.y, RIGHT, d.y, 0.4, RED);

    // Headline figures.
    let figures = [
        ("复工率", pct(t.reopening_rate())),
        (
            "已复工/登记企业",
            format!("{}/{}", t.firms_reopened, t.firms),
        ),
        ("核定复工人数", t.approved_headcount.to_string()),
        ("当日提交申请", t.submitted.to_string()),
        ("审核中", t.pending.to_string()),
        ("超时未办", t.overdue.to_string()),
    ];
    d.y -= 6.0 * MM;
    let bw = WIDTH / figures.len() as f32;
    let bh = 16.0 * MM;
    d.c.rects_fill(&[(LEFT, d.y - bh, WIDTH, bh)], (0.98, 0.95, 0.95));
    for (i, (label, value)) in figures.iter().enumerate() {
        let x = LEFT + bw * i as f32;
        if i > 0 {
            d.c.line(x, d.y - 2.5 * MM, x, d.y - bh + 2.5 * MM, 0.4, GRID);
        }
        d.c.text_centered(x + bw / 2.0, d.y - 5.5 * MM, 8.0, label, GREY);
        let color = if *label == "超时未办" && t.overdue > 0 {
            RED
        } else {
            BLACK
        };
        let vs = 15.0f32.min(15.0 * (bw - 4.0 * MM) / d.c.width(value, 15.0).max(1.0));
        let vw = d.c.width(value, vs);
        d.bold(
            x + bw / 2.0 - vw / 2.0,
            d.y - 12.5 * MM,
            vs,
            value,
            color,
            0.0,
        );
    }
    d.y -= bh;

    // The summary.
    d.heading("一、总体情况", 30.0 * MM);
    let trend = match b.rate.as_slice() {
        [.., a, z] => {
            let diff = (z.rate - a.rate) * 100.0;
            if diff.abs() < 0.05 {
                "，与前一日持平".to_string()
            } else if diff > 0.0 {
                format!("，较前一日上升{diff:.1}个百分点")
            } else {
                format!("，较前一日下降{:.1}个百分点", -diff)
            }
        }
        _ => String::new(),
    };
    let p1 = format!(
        "截至{}，{}已登记企业{}家，已复工{}家，复工率{}{}；核定复工人数{}人，复工企业员工中来自重点地区{}人、正在隔离观察{}人。",
        zh_date(b.date),
        b.scope,
        t.firms,
        t.firms_reopened,
        pct(t.reopening_rate()),
        trend,
        t.approved_headcount,
        t.key_area_staff,
        t.under_observation
    );
    let p2 = format!(
        "当日受理复工复产申请{}件次，批准{}件，不予批准{}件，退回补正{}件；目前审核中{}件，其中超时未办{}件。",
        t.submitted, t.approved, t.rejected, t.returned, t.pending, t.overdue
    );
    let r = &b.reports;
    let mut p3 = if r.expected == 0 {
        format!("{}无应报送日报的复工企业", zh_date(b.reports_date))
    } else {
        format!(
            "{}应报送日报{}份，按时报送{}份，迟报{}份，逾期未报{}份，漏报{}份",
            zh_date(b.reports_date),
            r.expected,
            r.on_time,
            r.late,
            r.overdue,
            r.missing
        )
    };
    if r.pending > 0 {
        p3.push_str(&format!("，待报{}份", r.pending));
    }
    p3.push_str(&format!("；未处理的日报预警{}条。", b.open_flags));
    let body = 11.0;
    let leading = body * 1.75;
    for p in [p1, p2, p3] {
        d.ensure(leading * 2.0);
        d.y -= body * 1.3;
        d.y =
            d.c.paragraph(LEFT, d.y, WIDTH, body, leading, &p, 2.0 * body, true) + leading
                - body * 0.45;
    }

    // The tables.
    stats_table(
        &mut d,
        "二、各县（区）情况",
        "县（区）",
        &b.by_division.rows,
        &b.by_division.total,
    );
    d.note("注：企业数为截至当日已登记的企业（按类别统计时为提出申请的企业）；“当日”各项为当天数据；审核中、超时未办为生成时的状态；人数为已复工企业的核定数及计划所报数。");
    let sections: Vec<StatsRow> = b
        .by_industry
        .rows
        .iter()
        .filter(|r| has_figures(r))
        .cloned()
        .collect();
    stats_table(
        &mut d,
        "三、各行业情况",
        "行业门类",
        &sections,
        &b.by_industry.total,
    );
    stats_table(
        &mut d,
        "四、各复工类别情况",
        "复工类别",
        &b.by_category.rows,
        &b.by_category.total,
    );

    // The rate over the days.
    let days = match (b.rate.first(), b.rate.last()) {
        (Some(a), Some(z)) => format!("（{}至{}）", month_day(a.date), month_day(z.date)),
        _ => String::new(),
    };
    d.heading(&format!("五、近{}日复工率{days}", b.rate.len()), CHART_H);
    rate_chart(&mut d, &b.rate);
    d.note("注：复工率＝截至当日已复工企业数÷截至报告日已登记企业数；柱下为已复工/已登记企业数。");

    overdue_table(&mut d, b)?;

    // Running head, footer and page numbers, now that the count is known.
    let total = d.c.page_count();
    let running = format!("{}{title}（{}）", b.scope, zh_date(b.date));
    for i in 0..total {
        d.c.set_page(i);
        if i > 0 {
            let y = PAGE_H - 13.0 * MM;
            d.c.text(LEFT, y, 8.0, &running, GREY);
            d.c.line(LEFT, y - 2.0 * MM, RIGHT, y - 2.0 * MM, 0.4, GREY);
        }
        let y = 12.0 * MM;
        d.c.line(LEFT, y + 4.0 * MM, RIGHT, y + 4.0 * MM, 0.4, GREY);
        d.c.text(
            LEFT,
            y,
            8.0,
            &format!("生成时间：{generated_local}（北京时间）　{system}"),
            GREY,
        );
        // Words drawn apart (as the form does) so that extraction keeps "第 1 页 共 3 页".
        let label = format!("第 {} 页 共 {} 页", i + 1, total);
        let gap = 8.0 * 0.5;
        let words: Vec<&str> = label.split(' ').collect();
        let w: f32 =
            words.iter().map(|w| d.c.width(w, 8.0)).sum::<f32>() + gap * (words.len() as f32 - 1.0);
        let mut x = RIGHT - w;
        for word in words {
            x += d.c.text(x, y, 8.0, word, GREY) + gap;
        }
    }
    d.c.finish(
        generated,
        &format!("{}{title} {}", b.scope, b.date.format("%Y-%m-%d")),
    )
}

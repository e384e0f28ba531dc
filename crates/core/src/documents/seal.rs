//! Geometry of the round official seal (公章): ring, five-pointed star, the department's name
//! along the upper arc. Pure functions, in points, y up.

use std::f32::consts::PI;

/// Bézier constant for a quarter circle.
const KAPPA: f32 = 0.552_284_8;

/// A point and whether it is a Bézier control point (printpdf's `LinePoint` convention).
pub type PathPoint = ((f32, f32), bool);

/// A closed circle as four cubic Bézier segments, counter-clockwise from the rightmost point
/// (which ends the path too).
pub fn circle(cx: f32, cy: f32, r: f32) -> Vec<PathPoint> {
    let k = r * KAPPA;
    vec![
        ((cx + r, cy), false),
        ((cx + r, cy + k), true),
        ((cx + k, cy + r), true),
        ((cx, cy + r), false),
        ((cx - k, cy + r), true),
        ((cx - r, cy + k), true),
        ((cx - r, cy), false),
        ((cx - r, cy - k), true),
        ((cx - k, cy - r), true),
        ((cx, cy - r), false),
        ((cx + k, cy - r), true),
        ((cx + r, cy - k), true),
        ((cx + r, cy), false),
    ]
}

/// The ten corners of a five-pointed star pointing up, outer radius `r` (inner radius in the
/// regular star's golden ratio).
pub fn star(cx: f32, cy: f32, r: f32) -> Vec<(f32, f32)> {
    let inner = r * (18f32.to_radians().sin() / 54f32.to_radians().sin());
    (0..10)
        .map(|i| {
            let a = PI / 2.0 + i as f32 * PI / 5.0;
            let rr = if i % 2 == 0 { r } else { inner };
            (cx + rr * a.cos(), cy + rr * a.sin())
        })
        .collect()
}

/// Where one character of the arc text goes: the centre of its baseline, and the direction its
/// baseline runs (radians from +x). The glyph's "up" points away from the seal's centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcGlyph {
    pub x: f32,
    pub y: f32,
    pub angle: f32,
}

/// Places `n` characters evenly over the upper arc of radius `r` (their baseline), left to right,
/// spanning `span_deg` degrees centred on the top.
pub fn arc_layout(cx: f32, cy: f32, r: f32, n: usize, span_deg: f32) -> Vec<ArcGlyph> {
    if n == 0 {
        return Vec::new();
    }
    let span = span_deg.to_radians();
    let start = PI / 2.0 + span / 2.0;
    let step = if n > 1 { span / (n - 1) as f32 } else { 0.0 };
    (0..n)
        .map(|i| {
            let phi = if n > 1 {
                start - step * i as f32
            } else {
                PI / 2.0
            };
            ArcGlyph {
                x: cx + r * phi.cos(),
                y: cy + r * phi.sin(),
                angle: phi - PI / 2.0,
            }
        })
        .collect()
}

/// The arc span (degrees) for `n` characters: longer names use more of the circle, up to 230°
/// (clear of 复工复产专用章 below the star); a long name such as a leading group office's goes
/// round in one ring in smaller characters.
pub fn arc_span(n: usize) -> f32 {
    match n {
        0..=1 => 0.0,
        2..=4 => 40.0 * (n as f32 - 1.0),
        _ => (26.0 * (n as f32 - 1.0)).clamp(150.0, 230.0),
    }
}

/// The city whose departments issue the documents: a county's department is named with it in
/// full on the seal and in the signature (雅安市雨城区商务局), as the reference data stores the
/// county departments without it (雨城区商务局).
pub const CITY: &str = "雅安市";

/// A department's full name: the city prefixed unless the name already starts with it.
pub fn full_name(name: &str) -> String {
    let name = name.trim();
    if name.starts_with(CITY) {
        name.to_string()
    } else {
        format!("{CITY}{name}")
    }
}

/// Words after which an organisation's name may break (the city, a county or district, and the
/// words of the epidemic leading group's long name). Nowhere else: 经济和信息化局 stays whole.
const BREAK_AFTER: [&str; 10] = [
    "部门",
    "办公室",
    "应对",
    "新型冠状病毒",
    "感染",
    "肺炎",
    "疫情",
    "工作",
    "领导小组",
    "委员会",
];

/// An organisation's name cut into the words it may break between.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = name;
    // The city, then the county or district (the first 区 or 县 within four characters).
    if let Some(r) = rest.strip_prefix(CITY) {
        words.push(CITY.to_string());
        rest = r;
    }
    let head: Vec<(usize, char)> = rest.char_indices().take(4).collect();
    if let Some(&(i, c)) = head.iter().skip(1).find(|(_, c)| matches!(c, '区' | '县')) {
        let end = i + c.len_utf8();
        if end < rest.len() {
            words.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    let mut word = String::new();
    let mut i = 0;
    while i < rest.len() {
        let tail = &rest[i..];
        if let Some(w) = BREAK_AFTER.iter().find(|w| tail.starts_with(**w)) {
            word.push_str(w);
            words.push(std::mem::take(&mut word));
            i += w.len();
            continue;
        }
        let c = tail.chars().next().unwrap_or(' ');
        word.push(c);
        i += c.len_utf8();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Lines of an organisation's name no wider than `max` (by `width`), broken only between its
/// words; a single word wider than a line is cut by characters as a last resort.
pub fn name_lines(name: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in name_words(name) {
        let joined = format!("{cur}{w}");
        if cur.is_empty() || width(&joined) <= max {
            cur = joined;
            continue;
        }
        lines.push(std::mem::take(&mut cur));
        cur = w;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    // Last resort: a word wider than the line.
    let mut out = Vec::new();
    for l in lines {
        if width(&l) <= max {
            out.push(l);
            continue;
        }
        let mut part = String::new();
        for c in l.chars() {
            let next = format!("{part}{c}");
            if !part.is_empty() && width(&next) > max {
                out.push(std::mem::replace(&mut part, c.to_string()));
            } else {
                part = next;
            }
        }
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn star_points_alternate_between_radii_and_point_up() {
        let s = star(10.0, 20.0, 5.0);
        assert_eq!(s.len(), 10);
        assert!(close(s[0].0, 10.0) && close(s[0].1, 25.0));
        for (i, (x, y)) in s.iter().enumerate() {
            let d = ((x - 10.0).powi(2) + (y - 20.0).powi(2)).sqrt();
            if i % 2 == 0 {
                assert!(close(d, 5.0));
            } else {
                assert!(close(d, 5.0 * 0.381_966), "inner radius {d}");
            }
        }
    }

    #[test]
    fn arc_text_is_symmetric_and_left_to_right() {
        let g = arc_layout(0.0, 0.0, 10.0, 5, arc_span(5));
        assert_eq!(g.len(), 5);
        assert!(close(g[2].x, 0.0) && close(g[2].y, 10.0) && close(g[2].angle, 0.0));
        assert!(close(g[0].x, -g[4].x) && close(g[0].y, g[4].y));
        assert!(g.windows(2).all(|w| w[0].x < w[1].x));
        for a in &g {
            assert!(close((a.x * a.x + a.y * a.y).sqrt(), 10.0));
        }
        // Left of the top a baseline rises to the right; right of it, it falls.
        assert!(g[0].angle > 0.0 && g[4].angle < 0.0);
    }

    #[test]
    fn spans_grow_with_length_and_are_capped() {
        assert_eq!(arc_span(1), 0.0);
        assert!(arc_span(6) >= 150.0);
        assert_eq!(arc_span(30), 230.0);
        assert_eq!(circle(0.0, 0.0, 1.0).len(), 13);
    }

    #[test]
    fn full_names_carry_the_city_once() {
        assert_eq!(full_name("雨城区商务局"), "雅安市雨城区商务局");
        assert_eq!(full_name("雅安市商务局"), "雅安市商务局");
    }

    #[test]
    fn names_break_between_words_only() {
        let office = "雅安市雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室";
        assert_eq!(
            name_words(office),
            [
                "雅安市",
                "雨城区",
                "应对",
                "新型冠状病毒",
                "感染",
                "肺炎",
                "疫情",
                "工作",
                "领导小组",
                "办公室"
            ]
        );
        assert_eq!(
            name_words("雅安市雨城区经济和信息化局"),
            ["雅安市", "雨城区", "经济和信息化局"]
        );
        // 市场监督管理局 is not cut after its 市.
        assert_eq!(
            name_words("雅安市市场监督管理局"),
            ["雅安市", "市场监督管理局"]
        );
        let w = |s: &str| s.chars().count() as f32;
        let lines = name_lines(office, 12.0, &w);
        assert_eq!(
            lines,
            [
                "雅安市雨城区应对",
                "新型冠状病毒感染肺炎疫情",
                "工作领导小组办公室"
            ]
        );
        assert_eq!(lines.concat(), office);
        assert_eq!(
            name_lines("雅安市雨城区经济和信息化局", 10.0, &w),
            ["雅安市雨城区", "经济和信息化局"]
        );
        // A word wider than the line is cut, as a last resort.
        assert_eq!(name_lines("一二三四五", 2.0, &w), ["一二", "三四", "五"]);
    }
}

//! Chinese line breaking: a break is allowed between any two Han characters, never inside a
//! Latin/digit run (unless the run alone is wider than the line), never before closing
//! punctuation (，。、；：？！」』）》】〕 …) and never after opening punctuation (（《「“〔【 …).

/// Characters a line must not start with (GB/T 15834 and common practice).
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '」'
            | '』'
            | '）'
            | '》'
            | '】'
            | '〕'
            | '〉'
            | '］'
            | '｝'
            | '”'
            | '’'
            | '…'
            | '—'
            | '·'
            | '%'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
    )
}

/// Characters a line must not end with.
pub fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『'
            | '（'
            | '《'
            | '【'
            | '〔'
            | '〈'
            | '［'
            | '｛'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// Part of a Latin/digit run that stays on one line.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '@' | '#' | '+' | '&' | '\'')
}

#[derive(Debug, Clone)]
struct Unit {
    start: usize,
    end: usize,
    width: f32,
    space: bool,
    first: char,
    last: char,
}

/// One laid-out line: the text and whether it should be justified (every line of a paragraph
/// but its last).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub justify: bool,
}

/// Breaks `text` into lines no wider than `max` (in the unit `width` returns), honouring
/// explicit newlines.
pub fn break_lines(text: &str, max: f32, width: &dyn Fn(char) -> f32) -> Vec<Line> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = para.trim_end_matches('\r');
        let units = units(para, max, width);
        if units.is_empty() {
            out.push(Line {
                text: String::new(),
                justify: false,
            });
            continue;
        }
        let mut start = 0usize;
        let mut w = 0.0f32;
        let mut i = 0usize;
        while i < units.len() {
            let u = &units[i];
            if i > start && !u.space && w + u.width > max + 1e-3 {
                let mut brk = i;
                // Keep closing punctuation off the line start: carry the character before it along.
                while brk > start + 1 && no_line_start(units[brk].first) {
                    brk -= 1;
                }
                // Keep opening punctuation off the line end.
                while brk > start + 1 && no_line_end(units[brk - 1].last) {
                    brk -= 1;
                }
                out.push(line(para, &units[start..brk], true));
                start = brk;
                while start < units.len() && units[start].space {
                    start += 1;
                }
                // `units[i]` is not a space, so `start <= i`.
                w = units[start..i].iter().map(|u| u.width).sum();
            }
            w += units[i].width;
            i += 1;
        }
        if start < units.len() {
            out.push(line(para, &units[start..], false));
        }
    }
    out
}

fn line(para: &str, units: &[Unit], justify: bool) -> Line {
    let mut end = units.len();
    while end > 0 && units[end - 1].space {
        end -= 1;
    }
    let text = match (units.first(), end) {
        (Some(f), e) if e > 0 => para[f.start..units[e - 1].end].to_string(),
        _ => String::new(),
    };
    Line { text, justify }
}

fn units(para: &str, max: f32, width: &dyn Fn(char) -> f32) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut word: Option<Unit> = None;
    let flush = |word: &mut Option<Unit>, out: &mut Vec<Unit>| {
        if let Some(u) = word.take() {
            if u.width > max {
                // A run wider than the line: break it by character.
                for (off, c) in para[u.start..u.end].char_indices() {
                    out.push(Unit {
                        start: u.start + off,
                        end: u.start + off + c.len_utf8(),
                        width: width(c),
                        space: false,
                        first: c,
                        last: c,
                    });
                }
            } else {
                out.push(u);
            }
        }
    };
    for (i, c) in para.char_indices() {
        let cw = width(c);
        if is_word_char(c) {
            match word.as_mut() {
                Some(u) => {
                    u.end = i + c.len_utf8();
                    u.width += cw;
                    u.last = c;
                }
                None => {
                    word = Some(Unit {
                        start: i,
                        end: i + c.len_utf8(),
                        width: cw,
                        space: false,
                        first: c,
                        last: c,
                    })
                }
            }
            continue;
        }
        flush(&mut word, &mut out);
        out.push(Unit {
            start: i,
            end: i + c.len_utf8(),
            width: cw,
            space: c == ' ' || c == '\t',
            first: c,
            last: c,
        });
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(c: char) -> f32 {
        if c.is_ascii() {
            0.5
        } else {
            1.0
        }
    }

    fn texts(s: &str, max: f32) -> Vec<String> {
        break_lines(s, max, &w)
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn breaks_han_text_at_width() {
        assert_eq!(
            texts("一二三四五六七八九十", 4.0),
            ["一二三四", "五六七八", "九十"]
        );
        let lines = break_lines("一二三四五六", 4.0, &w);
        assert!(lines[0].justify);
        assert!(!lines[1].justify);
    }

    #[test]
    fn latin_and_digit_runs_stay_together() {
        // "2020" is 2.0 wide: it does not fit after 一二三 (3.0) in 4.0, so it moves whole.
        assert_eq!(texts("一二三2020年", 4.0), ["一二三", "2020年"]);
        assert_eq!(texts("甲乙ABC-12丙", 4.0), ["甲乙", "ABC-12丙"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let lines = texts("一二三四，五六", 4.0);
        assert_eq!(lines, ["一二三", "四，五六"]);
        for l in texts("一二三四。」五六七八、九十", 4.0) {
            let first = l.chars().next().unwrap_or(' ');
            assert!(!no_line_start(first), "line starts with {first}: {l}");
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let lines = texts("一二三（四五）", 4.0);
        assert_eq!(lines, ["一二三", "（四五）"]);
    }

    #[test]
    fn over_long_runs_are_split_and_newlines_kept() {
        assert_eq!(texts("ABCDEFGHIJ", 2.0), ["ABCD", "EFGH", "IJ"]);
        assert_eq!(texts("一\n二", 4.0), ["一", "二"]);
    }

    #[test]
    fn spaces_do_not_start_or_end_lines() {
        assert_eq!(texts("ab cd ef", 2.5), ["ab cd", "ef"]);
    }
}

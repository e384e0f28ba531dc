//! Chinese typography in the Rust sources: full-width ，：；（）？！ in Chinese text, as the UI's
//! zh-CN messages are held to by `ui/src/tests/punctuation.test.ts`, with the same rule. A
//! half-width , : ; ( ) ? ! in a string literal is a failure when the nearest non-space character
//! on either side is Chinese (a Han character, CJK punctuation or a full-width form). Format
//! placeholders (`{}`, `{n}`, `{:?}`), URLs and `code` spans count as Latin text, so
//! "共 {n} 条", "10:00", "--kind receipt" and "https://…" stay as they are; a comma or semicolon
//! between two placeholders of a Chinese message ("{},{}") is prose all the same. A full-width
//! bracket closed by a half-width one (or the other way round) is a failure too.
//!
//! A source's `#[cfg(test)]` module is left out: its literals are test inputs (CSV rows, bad
//! entries), and its expected messages follow the checked ones they are compared with.

use crate::glossary::{shown, sources, string_literals};

const HALF: [char; 7] = [',', ':', ';', '(', ')', '?', '!'];

fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// `s` with placeholders, URLs and backtick spans each replaced by one Latin letter.
fn masked(s: &str) -> Vec<char> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(8).collect();
        let end = if chars[i] == '{' {
            chars[i..].iter().position(|&c| c == '}').map(|p| i + p + 1)
        } else if chars[i] == '`' {
            chars[i + 1..]
                .iter()
                .position(|&c| c == '`')
                .map(|p| i + p + 2)
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            Some(
                chars[i..]
                    .iter()
                    .position(|c| c.is_whitespace() || is_chinese(*c))
                    .map_or(chars.len(), |p| i + p),
            )
        } else {
            None
        };
        match end {
            Some(e) => {
                // A placeholder is NUL, a URL or code span X: both count as Latin text.
                out.push(if chars[i] == '{' { '\0' } else { 'X' });
                i = e;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// The half-width punctuation of `s` that touches Chinese text, each with a little context.
pub fn half_width_in_chinese(s: &str) -> Vec<String> {
    let chinese = s.chars().any(is_chinese);
    let chars = masked(s);
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if !HALF.contains(c) {
            continue;
        }
        let left = chars[..i].iter().rev().find(|c| **c != ' ');
        let right = chars[i + 1..].iter().find(|c| **c != ' ');
        // Between two placeholders of a Chinese message ("{},{}"), a comma or semicolon is prose.
        let between =
            chinese && matches!(c, ',' | ';') && left == Some(&'\0') && right == Some(&'\0');
        if between || left.is_some_and(|c| is_chinese(*c)) || right.is_some_and(|c| is_chinese(*c))
        {
            let from = i.saturating_sub(4);
            let to = (i + 5).min(chars.len());
            found.push(chars[from..to].iter().collect());
        }
    }
    let count = |c: char| chars.iter().filter(|x| **x == c).count();
    if count('（') != count('）') {
        found.push(format!("{} 的括号不成对", chars.iter().collect::<String>()));
    }
    found
}

/// `src` without its `#[cfg(test)]` tail.
fn without_tests(src: &str) -> &str {
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        if line.starts_with("#[cfg(test)]") {
            return &src[..at];
        }
        at += line.len();
    }
    src
}

#[test]
fn the_check_finds_half_width_punctuation_next_to_chinese_and_leaves_code() {
    assert_eq!(half_width_in_chinese("口罩(只)").len(), 2);
    assert_eq!(half_width_in_chinese("输入有误,共 {} 处").len(), 1);
    assert_eq!(half_width_in_chinese("统计范围:{scope}").len(), 1);
    assert_eq!(half_width_in_chinese("确认撤回?").len(), 1);
    assert!(half_width_in_chinese("已导出 {}").is_empty());
    assert!(half_width_in_chinese("{}:{} 第 {n} 页").is_empty());
    assert!(half_width_in_chinese("一般为 10:00").is_empty());
    assert!(half_width_in_chinese("见 https://yaan.example/v?c=a,b 说明").is_empty());
    assert!(half_width_in_chinese("输入 `reopen form print 8 --kind receipt` 打印").is_empty());
    assert!(half_width_in_chinese("Excel/CSV (UTF-8)").is_empty());
    assert!(half_width_in_chinese("口罩（只），共 3 处：").is_empty());
    assert_eq!(half_width_in_chinese("所属部门（--department)").len(), 1);
    assert_eq!(
        half_width_in_chinese("报送截止 {due},{missing} 起").len(),
        1
    );
    assert!(half_width_in_chinese("{a},{b}").is_empty());
    assert!(half_width_in_chinese("时间 {h}:{m}").is_empty());
    assert_eq!(
        without_tests("fn a() {}\n#[cfg(test)]\nmod tests {}\n"),
        "fn a() {}\n"
    );
}

#[test]
fn every_chinese_text_of_the_rust_sources_uses_full_width_punctuation() {
    let mut report = Vec::new();
    for (path, rust) in sources() {
        if !rust {
            continue; // zh-CN.ts: the UI's own test checks it
        }
        let src = std::fs::read_to_string(&path).expect("read source");
        for (line, lit) in string_literals(without_tests(&src), true) {
            for ctx in half_width_in_chinese(&lit) {
                report.push(format!("{}:{line}: …{ctx}…", shown(&path)));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} half-width marks in Chinese text:\n{}",
        report.len(),
        report.join("\n")
    );
}

//! One vocabulary (docs/glossary.toml): no word the glossary rules out in a Chinese string of
//! the UI (ui/src/i18n/zh-CN.ts) or of the Rust sources (the core's documents and messages, the
//! CLI, the server, the desktop shell).
//!
//! It lives with the document tests because the PDF texts are the documents' and this crate
//! already reads TOML; it reads the other two places as files. Only string literals are checked
//! (comments and identifiers may name things in any words).

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Glossary {
    term: Vec<Term>,
}

#[derive(Debug, Deserialize)]
struct Term {
    term: String,
    meaning: String,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    allow: Vec<String>,
    avoid: Vec<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn glossary() -> Glossary {
    let text =
        std::fs::read_to_string(root().join("docs/glossary.toml")).expect("docs/glossary.toml");
    toml::from_str(&text).expect("docs/glossary.toml is valid")
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The string literals of a Rust or TypeScript source with the line each starts on; comments
/// are skipped. Rust raw strings and char literals, TS template strings are understood.
pub fn string_literals(src: &str, rust: bool) -> Vec<(usize, String)> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    while i < s.len() {
        let c = s[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < s.len() && !(s[i] == '*' && at(i + 1) == '/') {
                if s[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if rust
            && c == 'r'
            && (at(i + 1) == '"' || at(i + 1) == '#')
            && !at(i.wrapping_sub(1)).is_alphanumeric()
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                i += 1;
                continue;
            }
            let start_line = line;
            let mut text = String::new();
            j += 1;
            loop {
                if j >= s.len() {
                    break;
                }
                if s[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                if s[j] == '\n' {
                    line += 1;
                }
                text.push(s[j]);
                j += 1;
            }
            out.push((start_line, text));
            i = j;
        } else if rust && c == '\'' {
            // A char literal ('x', '\n', '\u{3000}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < s.len() && s[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == '"' || (!rust && (c == '\'' || c == '`')) {
            let start_line = line;
            let mut text = String::new();
            let mut j = i + 1;
            while j < s.len() && s[j] != c {
                if s[j] == '\\' {
                    text.push(s[j]);
                    j += 1;
                }
                if j < s.len() {
                    if s[j] == '\n' {
                        line += 1;
                    }
                    text.push(s[j]);
                }
                j += 1;
            }
            out.push((start_line, text));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Every use of a ruled-out word in the Chinese literals of `src`: (line, avoided word, term, literal).
fn violations(g: &Glossary, src: &str, rust: bool) -> Vec<(usize, String, String, String)> {
    let mut found = Vec::new();
    for (line, lit) in string_literals(src, rust) {
        if !lit.chars().any(is_cjk) {
            continue;
        }
        for t in &g.term {
            let mut masked = lit.clone();
            let mut keep: Vec<&String> = t.allow.iter().chain(&t.also).chain([&t.term]).collect();
            // Longer words first, so that 不予批准 goes before 批准.
            keep.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            // A kept word inside an avoided one (批准 in 不批准) must not hide it.
            keep.retain(|w| !t.avoid.iter().any(|a| a.contains(w.as_str())));
            for w in keep {
                masked = masked.replace(w.as_str(), "\u{25a1}");
            }
            for a in &t.avoid {
                if masked.contains(a.as_str()) {
                    found.push((line, a.clone(), t.term.clone(), lit.clone()));
                }
            }
        }
    }
    found
}

/// The files whose Chinese reaches a person: the UI's zh-CN messages and every Rust source of the
/// core (documents, messages, state names, export headers), the CLI, the server and the desktop
/// shell, subfolders included.
pub fn sources() -> Vec<(PathBuf, bool)> {
    let mut files = vec![(root().join("ui/src/i18n/zh-CN.ts"), false)];
    for dir in [
        "crates/core/src",
        "crates/cli/src",
        "crates/client/src",
        "crates/server/src",
        "src-tauri/src",
    ] {
        let mut rs = Vec::new();
        rust_files(&root().join(dir), &mut rs);
        rs.sort();
        files.extend(rs.into_iter().map(|p| (p, true)));
    }
    files
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A path as the report names it, from the repository's root.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn the_glossary_is_complete_and_consistent() {
    let g = glossary();
    for needed in [
        "同意",
        "批准",
        "退回补正",
        "超时",
        "核定复工人数",
        "主要负责人",
        "防疫联络员",
        "复工类别",
        "复工复产批准通知书",
    ] {
        assert!(
            g.term.iter().any(|t| t.term == needed),
            "glossary lacks {needed}"
        );
    }
    for t in &g.term {
        assert!(!t.meaning.trim().is_empty() && !t.avoid.is_empty(), "{t:?}");
        // A term never rules out a word another term uses.
        for other in &g.term {
            for w in [&other.term].into_iter().chain(&other.also) {
                assert!(
                    !t.avoid.contains(w),
                    "{} rules out {w}, which {} uses",
                    t.term,
                    other.term
                );
            }
        }
    }
}

#[test]
fn ui_pdfs_and_cli_use_only_the_glossary_words() {
    let g = glossary();
    let mut report = Vec::new();
    for (path, rust) in sources() {
        let src = std::fs::read_to_string(&path).expect("read source");
        for (line, word, term, lit) in violations(&g, &src, rust) {
            report.push(format!(
                "{}:{line}: “{word}” (use “{term}”): {lit}",
                shown(&path)
            ));
        }
    }
    assert!(
        report.is_empty(),
        "words docs/glossary.toml rules out:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_check_finds_a_ruled_out_word_in_strings_only() {
    let g = glossary();
    let ts = "const m = {\n  // 退回修改 in a comment is fine\n  a: '申请被退回修改',\n  b: \"主要负责人\",\n  c: `联系人 {n}`,\n}\n";
    let v = violations(&g, ts, false);
    let words: Vec<(usize, &str)> = v.iter().map(|(l, w, _, _)| (*l, w.as_str())).collect();
    assert_eq!(words, vec![(3, "退回修改"), (5, "联系人")]);
    let rs = "/// 负责人\nfn f() { let c = '\"'; let s = r#\"不批准 \"quoted\"\"#; g(\"不予批准，主要负责人\", 'a'); }\n";
    let v = violations(&g, rs, true);
    let words: Vec<&str> = v.iter().map(|(_, w, _, _)| w.as_str()).collect();
    assert_eq!(words, vec!["不批准"]);
    assert!(violations(&g, "x = \"逾期未报 3 份\"", true).is_empty());
    assert_eq!(violations(&g, "x = \"逾期 3 份\"", true).len(), 1);
}

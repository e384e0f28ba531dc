//! Property-based fuzzing (proptest) of every parser and importer that reads outside input: credit
//! codes, ID numbers, phones, dates and text; plan.json, report.json and firm.json; roster tables
//! (CSV in any encoding, .xlsx/.xls/.ods); application packages; the certificate's QR payload.
//!
//! Each target holds two properties: it never panics, and every `Ok` is valid — parsing what it
//! returned gives it back (and, for values with check characters, a valid value with one character
//! changed is refused). Inputs are arbitrary, and mutations of a valid value (one character
//! changed, inserted, deleted; a JSON member replaced, removed or added; a file truncated).
//!
//!     cargo test -p reopen-core --test fuzz                                  # 256 cases a target
//!     PROPTEST_CASES=20000 cargo test -p reopen-core --release --test fuzz   # a long run
//!
//! A failing case is shrunk and saved under tests/fuzz/*.proptest-regressions (commit those); a
//! crash found here also gets an explicit test in `regressions.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ids;
mod json;
mod package;
mod qr;
mod regressions;
mod roster;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Map, Number, Value};

/// The number of cases of a target: `PROPTEST_CASES` when set, else `default` (CI stays fast).
pub fn config(default: u32) -> Config {
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default;
    }
    // Failures are saved beside the target's source: tests/fuzz/<target>.proptest-regressions.
    c.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource(
        "proptest-regressions",
    )));
    c
}

/// The default number of cases of a cheap target.
pub const CASES: u32 = 256;

pub fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).single().unwrap()
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 5).unwrap()
}

/// Characters that break naive code: controls (NUL, BEL, ESC, CR, NEL, LS), bidi overrides and
/// isolates, zero-width characters and the BOM, emoji with ZWJ and skin tones, CJK from extensions
/// B, E and G, a combining mark, quoting and format specials, the digits and letters of codes.
pub const HOSTILE_CHARS: &[char] = &[
    '\0',
    '\u{7}',
    '\u{1b}',
    '\r',
    '\n',
    '\t',
    '\u{85}',
    '\u{2028}',
    '\u{202E}',
    '\u{2066}',
    '\u{200F}',
    '\u{200B}',
    '\u{200D}',
    '\u{FEFF}',
    '😀',
    '👩',
    '\u{1F3FD}',
    '𠀀',
    '𪚥',
    '𰻞',
    '\u{301}',
    '\u{FFFD}',
    '"',
    '\\',
    '\'',
    ',',
    ';',
    '<',
    '>',
    '{',
    '}',
    '%',
    '$',
    '@',
    ' ',
    '.',
    '-',
    '/',
    '+',
    'X',
    'x',
    '0',
    '1',
    '3',
    '8',
    '9',
    '年',
    '月',
    '日',
    '是',
    '否',
];

pub fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        3 => select(HOSTILE_CHARS),
        2 => (b'0'..=b'9').prop_map(char::from),
        1 => (b'A'..=b'Z').prop_map(char::from),
    ]
}

pub fn hostile_string(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(hostile_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Keys of plan.json, report.json and firm.json, so that arbitrary objects reach the parsers'
/// inner fields, plus arbitrary keys.
const KEYS: &[&str] = &[
    "category",
    "planned_date",
    "headcount",
    "planned",
    "local",
    "elsewhere",
    "key_area",
    "key_area_observed_14d",
    "under_observation",
    "symptomatic",
    "measures",
    "measures_note",
    "supplies",
    "masks",
    "thermometers",
    "disinfectant_litres",
    "gloves",
    "emergency_plan",
    "commitment",
    "signed_by",
    "date",
    "accepted",
    "staff_on_site",
    "fever",
    "masks_remaining",
    "notes",
    "credit_code",
    "name",
    "division",
    "township",
    "address",
    "industry",
    "legal_representative",
    "principal",
    "contact",
    "phone",
    "staff_total",
    "city_managed",
];

pub fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(KEYS).prop_map(str::to_string),
        1 => hostile_string(8),
    ]
}

/// Leaves near the values the parsers expect (codes, dates, counts at their limits) and far from
/// them (any number, any text).
pub fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        select(&[0i64, 1, -1, 999_999, 1_000_000, 1_000_001, 4_294_967_296][..])
            .prop_map(Value::from),
        hostile_string(24).prop_map(Value::String),
        select(
            &[
                "2020-02-08",
                "2020-02-30",
                "2020-2-8",
                "0000-01-01",
                "9999-12-31",
                "production",
                "commerce",
                "general",
                "masks",
                "temperature_monitoring",
                "511802",
                "52",
                "91",
                "13800000000",
                "王建国",
                "",
            ][..]
        )
        .prop_map(|s| Value::String(s.into())),
    ]
}

pub fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((json_key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// One edit of a JSON document: which node (an index into its nodes, modulo their number), what
/// to do (replace it, remove it, add a member to it) and the new value.
#[derive(Debug, Clone)]
pub struct JsonEdit {
    pub node: usize,
    pub op: u8,
    pub key: String,
    pub value: Value,
}

pub fn json_edit() -> impl Strategy<Value = JsonEdit> {
    (any::<usize>(), 0u8..3, json_key(), json_value()).prop_map(|(node, op, key, value)| JsonEdit {
        node,
        op,
        key,
        value,
    })
}

fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(x, format!("{here}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Applies edits to a copy of `doc`.
pub fn edit_json(doc: &Value, edits: &[JsonEdit]) -> Value {
    let mut doc = doc.clone();
    for e in edits {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let at = all[e.node % all.len()].clone();
        match e.op {
            0 => {
                if let Some(x) = doc.pointer_mut(&at) {
                    *x = e.value.clone();
                }
            }
            1 => {
                if let Some((parent, last)) = at.rsplit_once('/') {
                    let last = last.replace("~1", "/").replace("~0", "~");
                    match doc.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last);
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = last.parse::<usize>() {
                                if i < a.len() {
                                    a.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => match doc.pointer_mut(&at) {
                Some(Value::Object(m)) => {
                    m.insert(e.key.clone(), e.value.clone());
                }
                Some(Value::Array(a)) => a.push(e.value.clone()),
                Some(x) => *x = e.value.clone(),
                None => {}
            },
        }
    }
    doc
}

/// One edit of a text: replace, insert or delete the character at a position, or cut the text
/// there.
#[derive(Debug, Clone)]
pub struct TextEdit {
    pub pos: usize,
    pub op: u8,
    pub c: char,
}

pub fn text_edit() -> impl Strategy<Value = TextEdit> {
    (any::<usize>(), 0u8..7, hostile_char()).prop_map(|(pos, op, c)| TextEdit { pos, op, c })
}

pub fn edit_text(s: &str, edits: &[TextEdit]) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for e in edits {
        let i = e.pos % (chars.len() + 1);
        match e.op {
            0..=2 if i < chars.len() => chars[i] = e.c,
            3 | 4 => chars.insert(i, e.c),
            5 if i < chars.len() => {
                chars.remove(i);
            }
            6 => chars.truncate(i),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// One edit of bytes: replace, insert or delete a byte, flip a bit, or cut the file there.
#[derive(Debug, Clone)]
pub struct ByteEdit {
    pub pos: usize,
    pub op: u8,
    pub b: u8,
}

pub fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    (any::<usize>(), 0u8..6, any::<u8>()).prop_map(|(pos, op, b)| ByteEdit { pos, op, b })
}

pub fn edit_bytes(bytes: &[u8], edits: &[ByteEdit]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    for e in edits {
        let i = e.pos % (v.len() + 1);
        match e.op {
            0 if i < v.len() => v[i] = e.b,
            1 if i < v.len() => v[i] ^= 1 << (e.b % 8),
            2 => v.insert(i, e.b),
            3 if i < v.len() => {
                v.remove(i);
            }
            4 => v.truncate(i),
            _ => {}
        }
    }
    v
}

/// The default policy, as `init` installs it.
pub fn policy() -> reopen_core::domain::policy::Policy {
    reopen_core::domain::policy::Policy::default_policy()
}

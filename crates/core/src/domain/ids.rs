//! Identifiers and small values, parsed once at the edge ("parse, don't validate").
//!
//! The only way to obtain a value of these types is through a parser that returns `Err(Text)`
//! with a specific bilingual reason, so a value that exists is valid.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Text;

/// Province-level prefixes of GB/T 2260 (including 71 Taiwan, 81 Hong Kong, 82 Macao).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

fn is_province(prefix: &str) -> bool {
    PROVINCES.contains(&prefix)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The user's input as quoted in a message, cut short so that a pasted essay stays out of it.
fn shown(s: &str) -> String {
    const MAX: usize = 24;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// `as_str`, `Display`, `FromStr`, and the serde conversions of a newtype whose `.0` is its text.
macro_rules! string_newtype {
    ($t:ident) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $t {
            type Err = Text;
            fn from_str(s: &str) -> Result<Self, Text> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).map_err(|e| e.zh)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code (GB 32100-2015)

/// The 31 characters of GB 32100; a character's value is its index.
pub const CREDIT_CODE_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const REGISTRATION_AUTHORITIES: &[u8] = b"123456789ANY";
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: u8) -> Option<u32> {
    CREDIT_CODE_ALPHABET
        .iter()
        .position(|&a| a == c)
        .map(|p| p as u32)
}

/// GB 11714 values: digits are themselves, letters A..Z are 10..35.
fn org_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// GB 11714 check character of an 8-character organisation code body.
fn org_check(body: &[u8]) -> Option<u8> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in body.iter().zip(ORG_WEIGHTS) {
        sum += org_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    })
}

/// GB 32100 final check character of the first 17 characters.
fn credit_check(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in first17.iter().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
    }
    CREDIT_CODE_ALPHABET
        .get(((31 - sum % 31) % 31) as usize)
        .copied()
}

/// 统一社会信用代码: 18 characters, both check characters correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);
string_newtype!(CreditCode);

impl CreditCode {
    pub fn parse(s: &str) -> Result<Self, Text> {
        let code = s.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n == 0 {
            return Err(crate::t!(
                "统一社会信用代码不能为空",
                "the unified social credit code is empty"
            ));
        }
        if n != 18 {
            return Err(crate::t!(
                "统一社会信用代码应为 18 位，实为 {} 位",
                "a unified social credit code has 18 characters, not {}"; n));
        }
        for (i, c) in code.chars().enumerate() {
            if !c.is_ascii() || credit_value(c as u8).is_none() {
                return Err(crate::t!(
                    "统一社会信用代码第 {} 位“{}”不是允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）",
                    "character {} ('{}') is not allowed in a unified social credit code (digits and capital letters other than I, O, S, V, Z)";
                    i + 1, c));
            }
        }
        // All 18 characters are ASCII from here on.
        let b = code.as_bytes();
        if !REGISTRATION_AUTHORITIES.contains(&b[0]) {
            return Err(crate::t!(
                "统一社会信用代码第 1 位登记管理部门代码“{}”无效，应为 1–9、A、N 或 Y",
                "the registration authority code (character 1) '{}' is invalid; it must be 1–9, A, N or Y";
                char::from(b[0])));
        }
        let division = &code[2..8];
        if !all_digits(division) {
            return Err(crate::t!(
                "统一社会信用代码第 3–8 位登记管理机关行政区划码“{}”应为 6 位数字",
                "the division code (characters 3–8) '{}' must be 6 digits"; division));
        }
        if !is_province(&division[..2]) {
            return Err(crate::t!(
                "统一社会信用代码第 3–8 位行政区划码“{}”的省级代码“{}”不存在",
                "the division code (characters 3–8) '{}' has no such province '{}'";
                division, &division[..2]));
        }
        if let Some(expected) = org_check(&b[8..16]) {
            if expected != b[16] {
                return Err(crate::t!(
                    "统一社会信用代码第 9–17 位组织机构代码校验位错误：应为 {}，实为 {}",
                    "the organisation code (characters 9–17) has a wrong check character: expected {}, found {}";
                    char::from(expected), char::from(b[16])));
            }
        }
        if let Some(expected) = credit_check(&b[..17]) {
            if expected != b[17] {
                return Err(crate::t!(
                    "统一社会信用代码校验位错误：应为 {}，实为 {}",
                    "the unified social credit code has a wrong check character: expected {}, found {}";
                    char::from(expected), char::from(b[17])));
            }
        }
        Ok(CreditCode(code))
    }

    /// The 6-digit division code of the registering authority (characters 3–8).
    pub fn registration_division(&self) -> &str {
        &self.0[2..8]
    }
}

/// Completes a 17-character prefix with the final GB 32100 check character (for fixtures).
/// The organisation-code check at index 16 is taken as given, so the result may still be refused.
pub fn credit_code_with_check(prefix17: &str) -> Option<String> {
    let p = prefix17.trim().to_ascii_uppercase();
    let check = credit_check(p.as_bytes())?;
    Some(format!("{p}{}", char::from(check)))
}

/// Builds a valid credit code from its parts, computing both check characters (for fixtures).
/// `None` when the parts cannot form a code that [`CreditCode::parse`] accepts.
pub fn make_credit_code(reg: char, cat: char, division: &str, org_body8: &str) -> Option<String> {
    let org = org_body8.to_ascii_uppercase();
    let check = org_check(org.as_bytes())?;
    let prefix = format!("{reg}{cat}{division}{org}{}", char::from(check));
    let code = credit_code_with_check(&prefix)?;
    CreditCode::parse(&code).ok().map(String::from)
}

// ---------------------------------------------------------------------------------------------
// Resident identity card number (GB 11643-1999)

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
fn id_check(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in first17.iter().zip(ID_WEIGHTS) {
        if !c.is_ascii_digit() {
            return None;
        }
        sum += u32::from(c - b'0') * w;
    }
    Some(match (12 - sum % 11) % 11 {
        10 => b'X',
        d => b'0' + d as u8,
    })
}

fn digits_value(s: &str) -> u32 {
    s.bytes()
        .fold(0, |acc, b| acc * 10 + u32::from(b.wrapping_sub(b'0')))
}

/// 居民身份证号码. Personal data: `Debug` and `Display` print the masked form, there is no
/// `Serialize`, and the full value is reachable only through [`IdNumber::expose`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    value: String,
    birth: NaiveDate,
}

impl IdNumber {
    /// `today` bounds the birth date; the messages never quote the number itself.
    pub fn parse(s: &str, today: NaiveDate) -> Result<Self, Text> {
        let v = s.trim().replace('x', "X");
        let n = v.chars().count();
        if n == 0 {
            return Err(crate::t!("身份证号码不能为空", "the ID number is empty"));
        }
        if n == 15 {
            return Err(crate::t!(
                "15 位旧身份证号码不再受理，请填写 18 位号码",
                "old 15-digit ID numbers are not accepted; enter the 18-character number"
            ));
        }
        if n != 18 {
            return Err(crate::t!(
                "身份证号码应为 18 位，实为 {} 位",
                "an ID number has 18 characters, not {}"; n));
        }
        for (i, c) in v.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                return Err(if i == 17 {
                    crate::t!(
                        "身份证号码第 18 位应为数字或 X，实为“{}”",
                        "the last character of an ID number must be a digit or X, not '{}'"; c)
                } else {
                    crate::t!(
                        "身份证号码第 {} 位应为数字，实为“{}”",
                        "character {} of an ID number must be a digit, not '{}'"; i + 1, c)
                });
            }
        }
        // All ASCII from here on.
        let date = &v[6..14];
        let birth = NaiveDate::from_ymd_opt(
            digits_value(&date[..4]) as i32,
            digits_value(&date[4..6]),
            digits_value(&date[6..]),
        )
        .ok_or_else(|| {
            crate::t!(
                "身份证号码第 7–14 位的出生日期不是真实存在的日期",
                "the birth date in an ID number (characters 7–14) is not a real date"
            )
        })?;
        if birth.year() < 1900 {
            return Err(crate::t!(
                "身份证号码中的出生日期早于 1900-01-01",
                "the birth date in an ID number is before 1900-01-01"
            ));
        }
        if birth > today {
            return Err(crate::t!(
                "身份证号码中的出生日期晚于今天",
                "the birth date in an ID number is after today"
            ));
        }
        let b = v.as_bytes();
        if let Some(expected) = id_check(&b[..17]) {
            if expected != b[17] {
                return Err(crate::t!(
                    "身份证号码校验位错误：应为 {}，实为 {}",
                    "the ID number has a wrong check character: expected {}, found {}";
                    char::from(expected), char::from(b[17])));
            }
        }
        Ok(IdNumber { value: v, birth })
    }

    /// First 6 characters, 8 stars, last 4: `510102********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.value[..6], &self.value[14..])
    }

    /// The full number. Personal data: store and show it only where the law requires.
    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Completes 17 digits with the MOD 11-2 check character (for fixtures; the date is not checked).
pub fn make_id_number(first17: &str) -> Option<String> {
    let check = id_check(first17.as_bytes())?;
    Some(format!("{first17}{}", char::from(check)))
}

// ---------------------------------------------------------------------------------------------
// Mainland mobile phone number

/// 手机号: 11 digits, `1[3-9]…`, stored without the `+86`/`86` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);
string_newtype!(Phone);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, Text> {
        let t = s.trim();
        let rest = if let Some(r) = t.strip_prefix("+86") {
            r
        } else if t.chars().count() > 11 {
            t.strip_prefix("86").unwrap_or(t)
        } else {
            t
        };
        let rest = rest.trim_start_matches([' ', '-']);
        if rest.is_empty() {
            return Err(crate::t!("手机号不能为空", "the mobile number is empty"));
        }
        if let Some((i, c)) = rest.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(crate::t!(
                "手机号只能包含数字，第 {} 位为“{}”",
                "a mobile number has only digits; character {} is '{}'"; i + 1, c));
        }
        if rest.len() != 11 {
            return Err(crate::t!(
                "手机号应为 11 位数字，实为 {} 位",
                "a mobile number has 11 digits, not {}"; rest.len()));
        }
        let b = rest.as_bytes();
        if b[0] != b'1' {
            return Err(crate::t!(
                "手机号应以 1 开头",
                "a mobile number starts with 1"
            ));
        }
        if !(b'3'..=b'9').contains(&b[1]) {
            return Err(crate::t!(
                "手机号第 2 位应为 3–9，实为 {}",
                "the second digit of a mobile number must be 3–9, not {}"; char::from(b[1])));
        }
        Ok(Phone(rest.to_string()))
    }

    /// `138****0000`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

// ---------------------------------------------------------------------------------------------
// Administrative division code (GB/T 2260)

/// 行政区划代码: 6 digits with a valid province prefix (existence is checked against the database).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);
string_newtype!(DivisionCode);

impl DivisionCode {
    pub fn parse(s: &str) -> Result<Self, Text> {
        let t = s.trim();
        if t.is_empty() {
            return Err(crate::t!(
                "行政区划代码不能为空",
                "the division code is empty"
            ));
        }
        if t.len() != 6 || !all_digits(t) {
            return Err(crate::t!(
                "行政区划代码应为 6 位数字，实为“{}”",
                "a division code has 6 digits, not '{}'"; shown(t)));
        }
        if !is_province(&t[..2]) {
            return Err(crate::t!(
                "行政区划代码“{}”的省级代码“{}”不存在",
                "division code '{}' has no such province '{}'"; t, &t[..2]));
        }
        Ok(DivisionCode(t.to_string()))
    }

    /// The province-level code, `xx0000`.
    pub fn province(&self) -> DivisionCode {
        DivisionCode(format!("{}0000", &self.0[..2]))
    }

    /// True for codes ending in `00`, which includes province-level codes.
    pub fn is_prefecture_level(&self) -> bool {
        self.0.ends_with("00")
    }

    /// The prefecture-level code, `xxxx00`.
    pub fn prefecture(&self) -> DivisionCode {
        DivisionCode(format!("{}00", &self.0[..4]))
    }
}

// ---------------------------------------------------------------------------------------------
// Industry division (GB/T 4754-2017)

/// Sections by the last division number they contain.
#[rustfmt::skip]
const SECTIONS: [(u8, char); 20] = [
    (5, 'A'), (12, 'B'), (43, 'C'), (46, 'D'), (50, 'E'), (52, 'F'), (60, 'G'), (62, 'H'),
    (65, 'I'), (69, 'J'), (70, 'K'), (72, 'L'), (75, 'M'), (79, 'N'), (82, 'O'), (83, 'P'),
    (85, 'Q'), (90, 'R'), (96, 'S'), (97, 'T'),
];

fn section_of(n: u8) -> Option<char> {
    if n == 0 {
        return None;
    }
    SECTIONS
        .iter()
        .find(|(last, _)| n <= *last)
        .map(|(_, s)| *s)
}

/// 国民经济行业大类 "01".."96" outside sections S and T; keeps its section letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryDivision(String, char);
string_newtype!(IndustryDivision);

impl IndustryDivision {
    pub fn parse(s: &str) -> Result<Self, Text> {
        let t = s.trim();
        if t.len() != 2 || !all_digits(t) {
            return Err(crate::t!(
                "国民经济行业大类代码应为两位数字（如“01”），实为“{}”",
                "an industry division is two digits (such as '01'), not '{}'"; shown(t)));
        }
        let n = digits_value(t) as u8;
        match section_of(n) {
            None => Err(crate::t!(
                "“{}”不是国民经济行业大类代码（应为 01–97）",
                "'{}' is not an industry division (01–97)"; t)),
            Some('S') => Err(crate::t!(
                "大类“{}”属于门类 S（公共管理、社会保障和社会组织）：中国共产党机关、国家机构、人民政协、社会保障、群众团体和基层群众自治组织不在本系统申报复工",
                "division '{}' is in section S (public administration, social security and social organisations): Party organs, state bodies, the CPPCC, social security, mass organisations and grassroots self-government do not apply for reopening in this system"; t)),
            Some('T') => Err(crate::t!(
                "大类“{}”属于门类 T（国际组织），国际组织不在本系统申报复工",
                "division '{}' is in section T (international organisations), which do not apply for reopening in this system"; t)),
            Some(section) => Ok(IndustryDivision(t.to_string(), section)),
        }
    }

    /// The section letter, A..R.
    pub fn section(&self) -> char {
        self.1
    }
}

// ---------------------------------------------------------------------------------------------
// Headcount

pub const MAX_HEADCOUNT: u32 = 1_000_000;

/// A number of people, 0..=1 000 000. Serialized as a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64")]
pub struct Headcount(u32);

impl Headcount {
    pub fn parse(n: i64) -> Result<Self, Text> {
        if n < 0 {
            return Err(crate::t!(
                "人数不能为负数，实为 {}",
                "a number of people cannot be negative, got {}"; n));
        }
        match u32::try_from(n) {
            Ok(v) if v <= MAX_HEADCOUNT => Ok(Headcount(v)),
            _ => Err(crate::t!(
                "人数不能超过 {}，实为 {}",
                "a number of people cannot exceed {}, got {}"; MAX_HEADCOUNT, n)),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Headcount {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        Headcount::parse(n).map_err(|e| e.zh)
    }
}

impl fmt::Display for Headcount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and text

/// A strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<NaiveDate, Text> {
    let t = s.trim();
    if t.is_empty() {
        return Err(crate::t!("日期不能为空", "the date is empty"));
    }
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shaped {
        return Err(crate::t!(
            "日期应为 YYYY-MM-DD 格式（如 2020-03-01），实为“{}”",
            "a date must look like YYYY-MM-DD (such as 2020-03-01), not '{}'"; shown(t)));
    }
    NaiveDate::from_ymd_opt(
        digits_value(&t[..4]) as i32,
        digits_value(&t[5..7]),
        digits_value(&t[8..]),
    )
    .ok_or_else(|| crate::t!("“{}”不是真实存在的日期", "'{}' is not a real calendar date"; t))
}

/// Explicit directional formatting characters (Trojan Source), which `char::is_control` misses.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses control characters (but a text's line breaks and tabs when `allow_layout`) and
/// direction controls. Runs before any font is consulted, so whether such a character is refused
/// never depends on the fonts a machine has.
pub fn check_chars(s: &str, allow_layout: bool) -> Result<(), Text> {
    for (i, c) in s.chars().enumerate() {
        if allow_layout && (c == '\n' || c == '\t') {
            continue;
        }
        if c.is_control() {
            return Err(crate::t!(
                "第 {} 个字符是控制字符（U+{:04X}），不允许",
                "character {} is a control character (U+{:04X}), which is not allowed";
                i + 1, c as u32));
        }
        if is_bidi_control(c) {
            return Err(crate::t!(
                "第 {} 个字符是文字方向控制字符（U+{:04X}），不允许",
                "character {} is a text-direction control character (U+{:04X}), which is not allowed";
                i + 1, c as u32));
        }
    }
    Ok(())
}

fn check_length(s: &str, max_chars: usize) -> Result<(), Text> {
    let n = s.chars().count();
    if n > max_chars {
        return Err(crate::t!(
            "不能超过 {} 个字，实为 {} 个字",
            "at most {} characters are allowed, got {}"; max_chars, n));
    }
    Ok(())
}

/// A person's or firm's name or other short text: trimmed, not empty, no control characters.
pub fn parse_name(s: &str, max_chars: usize) -> Result<String, Text> {
    let t = s.trim();
    if t.is_empty() {
        return Err(crate::t!("不能为空", "must not be empty"));
    }
    check_length(t, max_chars)?;
    check_chars(t, false)?;
    Ok(t.to_string())
}

/// Free text: trimmed, `\r\n` becomes `\n`; `\n` and `\t` allowed, no other control characters.
/// When not `required`, empty input gives an empty string.
pub fn parse_text(s: &str, max_chars: usize, required: bool) -> Result<String, Text> {
    let normalized = s.replace("\r\n", "\n");
    let t = normalized.trim();
    if t.is_empty() {
        return if required {
            Err(crate::t!("不能为空", "must not be empty"))
        } else {
            Ok(String::new())
        };
    }
    check_length(t, max_chars)?;
    check_chars(t, true)?;
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T, E: fmt::Debug>(r: Result<T, E>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("expected Ok, got {e:?}"),
        }
    }

    /// The Chinese message of a refusal.
    fn err<T: fmt::Debug>(r: Result<T, Text>) -> String {
        match r {
            Ok(v) => panic!("expected a refusal, got {v:?}"),
            Err(e) => {
                assert!(!e.en.is_empty());
                e.zh
            }
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    const TODAY: (i32, u32, u32) = (2024, 6, 1);
    fn id(s: &str) -> Result<IdNumber, Text> {
        IdNumber::parse(s, day(TODAY.0, TODAY.1, TODAY.2))
    }
    fn fixture_id(first17: &str) -> String {
        make_id_number(first17).expect("17 digits")
    }

    #[test]
    fn credit_known_codes_pass() {
        for c in ["91350100M000100Y43", "914403001922038216"] {
            assert_eq!(ok(CreditCode::parse(c)).as_str(), c);
        }
        assert_eq!(
            ok(CreditCode::parse("914403001922038216")).registration_division(),
            "440300"
        );
    }

    #[test]
    fn credit_lowercase_and_spaces_accepted() {
        let c = ok(CreditCode::parse("  91350100m000100y43 "));
        assert_eq!(c.to_string(), "91350100M000100Y43");
    }

    #[test]
    fn credit_wrong_length() {
        assert!(err(CreditCode::parse("91350100M000100Y4")).contains("实为 17 位"));
        assert!(err(CreditCode::parse("")).contains("不能为空"));
    }

    #[test]
    fn credit_bad_char_named_with_position() {
        let m = err(CreditCode::parse("91350100O000100Y43"));
        assert!(m.contains("第 9 位") && m.contains('O'), "{m}");
        assert!(err(CreditCode::parse("91350100M000100Y4中")).contains("第 18 位"));
    }

    #[test]
    fn credit_bad_registration_authority() {
        assert!(err(CreditCode::parse("B1350100M000100Y43")).contains("登记管理部门"));
        assert!(err(CreditCode::parse("01350100M000100Y43")).contains("登记管理部门"));
    }

    #[test]
    fn credit_bad_division() {
        assert!(err(CreditCode::parse("91990100M000100Y43")).contains("省级代码“99”"));
        assert!(err(CreditCode::parse("9135A100M000100Y43")).contains("6 位数字"));
    }

    #[test]
    fn credit_bad_org_check() {
        let code = credit_code_with_check("91350100M000100Y5").expect("17 chars");
        let m = err(CreditCode::parse(&code));
        assert!(m.contains("组织机构代码校验位错误：应为 4，实为 5"), "{m}");
    }

    #[test]
    fn credit_bad_final_check() {
        let m = err(CreditCode::parse("91350100M000100Y44"));
        assert_eq!(m, "统一社会信用代码校验位错误：应为 3，实为 4");
    }

    #[test]
    fn credit_fixture_helpers() {
        assert_eq!(
            make_credit_code('9', '1', "350100", "M000100Y").as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(
            make_credit_code('9', '1', "440300", "19220382").as_deref(),
            Some("914403001922038216")
        );
        assert_eq!(make_credit_code('9', '1', "990100", "M000100Y"), None);
        assert_eq!(
            credit_code_with_check("91350100M000100Y4").as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(credit_code_with_check("9135"), None);
    }

    #[test]
    fn credit_serde_round_trip() {
        let c = ok(CreditCode::parse("91350100M000100Y43"));
        assert_eq!(ok(serde_json::to_string(&c)), "\"91350100M000100Y43\"");
        assert_eq!(
            ok(serde_json::from_str::<CreditCode>("\"91350100M000100Y43\"")),
            c
        );
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
    }

    #[test]
    fn id_valid_with_x_and_lowercase_x() {
        assert_eq!(fixture_id("11010519491231002"), "11010519491231002X");
        let a = ok(id("11010519491231002X"));
        let b = ok(id(" 11010519491231002x "));
        assert_eq!(a, b);
        assert_eq!(a.expose(), "11010519491231002X");
        assert_eq!(a.birth_date(), day(1949, 12, 31));
    }

    #[test]
    fn id_bad_length() {
        assert!(err(id("1101051949123100")).contains("实为 16 位"));
        assert!(err(id("110105491231002")).contains("15 位"));
    }

    #[test]
    fn id_non_digit() {
        assert!(err(id("1101051949123100AX")).contains("第 17 位应为数字"));
        assert!(err(id("11010519491231002Y")).contains("第 18 位应为数字或 X"));
    }

    #[test]
    fn id_bad_check() {
        assert_eq!(
            err(id("110105194912310021")),
            "身份证号码校验位错误：应为 X，实为 1"
        );
    }

    #[test]
    fn id_impossible_date() {
        assert!(err(id(&fixture_id("11010520210230001"))).contains("不是真实存在的日期"));
        assert!(err(id(&fixture_id("11010520211301001"))).contains("不是真实存在的日期"));
    }

    #[test]
    fn id_future_and_too_old_birth() {
        assert!(err(id(&fixture_id("11010520240602001"))).contains("晚于今天"));
        assert!(ok(id(&fixture_id("11010520240601001"))).birth_date() == day(2024, 6, 1));
        assert!(err(id(&fixture_id("11010518991231001"))).contains("早于 1900-01-01"));
        assert!(id(&fixture_id("11010519000101001")).is_ok());
    }

    #[test]
    fn id_masked_everywhere() {
        let v = ok(id(&fixture_id("51010219900101123")));
        let m = v.masked();
        assert_eq!(m.len(), 18);
        assert!(m.starts_with("510102********") && m.ends_with(&v.expose()[14..]));
        assert_eq!(v.to_string(), m);
        assert_eq!(format!("{v:?}"), format!("IdNumber(\"{m}\")"));
        assert!(!format!("{v:?}{v}").contains("19900101"));
    }

    #[test]
    fn phone_rules() {
        for s in [
            "13800000000",
            " +8613800000000",
            "+86 13800000000",
            "8613800000000",
            "86-13800000000",
        ] {
            assert_eq!(ok(Phone::parse(s)).as_str(), "13800000000", "{s}");
        }
        assert!(err(Phone::parse("+86 138-0000-0000")).contains("只能包含数字"));
        assert_eq!(ok(Phone::parse("13800000000")).masked(), "138****0000");
        assert!(err(Phone::parse("1380000000")).contains("实为 10 位"));
        assert!(err(Phone::parse("23800000000")).contains("以 1 开头"));
        assert!(err(Phone::parse("12800000000")).contains("第 2 位应为 3–9"));
        assert!(err(Phone::parse("")).contains("不能为空"));
        assert!(err(Phone::parse("138a0000000")).contains("第 4 位"));
    }

    #[test]
    fn division_rules() {
        let d = ok(DivisionCode::parse(" 350102 "));
        assert_eq!(d.as_str(), "350102");
        assert_eq!(d.province().as_str(), "350000");
        assert_eq!(d.prefecture().as_str(), "350100");
        assert!(!d.is_prefecture_level());
        assert!(d.prefecture().is_prefecture_level());
        assert!(err(DivisionCode::parse("35010")).contains("6 位数字"));
        assert!(err(DivisionCode::parse("35010a")).contains("6 位数字"));
        assert!(err(DivisionCode::parse("990100")).contains("省级代码“99”"));
        assert!(err(DivisionCode::parse("")).contains("不能为空"));
    }

    #[test]
    fn industry_section_boundaries() {
        for (code, section) in [
            ("01", 'A'),
            ("05", 'A'),
            ("06", 'B'),
            ("12", 'B'),
            ("13", 'C'),
            ("43", 'C'),
            ("44", 'D'),
            ("70", 'K'),
            ("83", 'P'),
            ("90", 'R'),
        ] {
            assert_eq!(
                ok(IndustryDivision::parse(code)).section(),
                section,
                "{code}"
            );
        }
        assert_eq!(ok(IndustryDivision::parse(" 36 ")).as_str(), "36");
    }

    #[test]
    fn industry_refusals() {
        assert!(err(IndustryDivision::parse("91")).contains("门类 S"));
        assert!(err(IndustryDivision::parse("96")).contains("门类 S"));
        assert!(err(IndustryDivision::parse("97")).contains("门类 T"));
        for c in ["00", "98", "99"] {
            assert!(
                err(IndustryDivision::parse(c)).contains("不是国民经济行业大类代码"),
                "{c}"
            );
        }
        assert!(err(IndustryDivision::parse("1")).contains("两位数字"));
        assert!(err(IndustryDivision::parse("C13")).contains("两位数字"));
    }

    #[test]
    fn headcount_rules() {
        assert_eq!(ok(Headcount::parse(0)).get(), 0);
        assert_eq!(ok(Headcount::parse(1_000_000)).get(), 1_000_000);
        assert!(err(Headcount::parse(-1)).contains("不能为负数"));
        assert!(err(Headcount::parse(1_000_001)).contains("不能超过"));
        assert!(err(Headcount::parse(i64::MAX)).contains("不能超过"));
        let h = ok(Headcount::parse(42));
        assert_eq!(ok(serde_json::to_string(&h)), "42");
        assert_eq!(ok(serde_json::from_str::<Headcount>("42")), h);
        assert!(serde_json::from_str::<Headcount>("-3").is_err());
    }

    #[test]
    fn date_rules() {
        assert_eq!(ok(parse_date(" 2020-02-29 ")), day(2020, 2, 29));
        assert!(err(parse_date("2020-02-30")).contains("不是真实存在的日期"));
        assert!(err(parse_date("2021-02-29")).contains("不是真实存在的日期"));
        for bad in ["2020-2-3", "2020/02/03", "20200203", "2020-02-03T00:00"] {
            let m = err(parse_date(bad));
            assert!(m.contains("YYYY-MM-DD") && m.contains(bad), "{m}");
        }
        assert!(err(parse_date("")).contains("不能为空"));
    }

    #[test]
    fn name_rules() {
        assert_eq!(ok(parse_name("  张三  ", 10)), "张三");
        assert!(err(parse_name("   ", 10)).contains("不能为空"));
        assert!(err(parse_name("一二三四五六", 5)).contains("实为 6 个字"));
        assert!(err(parse_name("张\n三", 10)).contains("第 2 个字符是控制字符"));
        assert!(err(parse_name("ab\u{7}", 10)).contains("U+0007"));
        for bidi in [
            '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
        ] {
            let m = err(parse_name(&format!("张{bidi}三"), 10));
            assert!(m.contains("第 2 个字符是文字方向控制字符"), "{m}");
        }
    }

    #[test]
    fn text_rules() {
        assert_eq!(
            ok(parse_text(" 第一行\r\n\t第二行 \n", 100, true)),
            "第一行\n\t第二行"
        );
        assert_eq!(ok(parse_text("  ", 100, false)), "");
        assert!(err(parse_text("  ", 100, true)).contains("不能为空"));
        assert!(err(parse_text("a\rb", 100, false)).contains("控制字符"));
        assert!(err(parse_text("a\u{202E}b", 100, false)).contains("文字方向控制字符"));
        assert!(err(parse_text("abcdef", 5, false)).contains("不能超过 5 个字"));
    }
}

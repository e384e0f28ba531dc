//! Codes, numbers, dates and text (domain/ids.rs, and the sheet's date reader).

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;
use reopen_core::domain::ids::{
    make_credit_code, make_id_number, parse_date, parse_name, parse_text, CreditCode, DivisionCode,
    Headcount, IdNumber, IndustryDivision, Phone, CREDIT_CODE_ALPHABET,
};
use reopen_core::domain::sheet::parse_sheet_date;

use super::*;

const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A valid credit code built from arbitrary parts (both check characters computed).
fn credit_code() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = CREDIT_CODE_ALPHABET
        .iter()
        .map(|&b| char::from(b))
        .collect();
    (
        select(
            b"123456789ANY"
                .iter()
                .map(|&b| char::from(b))
                .collect::<Vec<_>>(),
        ),
        select(alphabet.clone()),
        select(PROVINCES),
        0u32..10_000,
        proptest::collection::vec(select(alphabet), 8),
    )
        .prop_filter_map("no valid code", |(reg, cat, prov, rest, body)| {
            let body: String = body.into_iter().collect();
            make_credit_code(reg, cat, &format!("{prov}{rest:04}"), &body)
        })
}

/// A valid ID number of someone born between 1900-01-01 and today.
fn id_number() -> impl Strategy<Value = String> {
    let days = (today() - NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).num_days();
    (select(PROVINCES), 0u32..10_000, 0..=days, 0u32..1000).prop_map(|(prov, rest, d, seq)| {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(d);
        make_id_number(&format!(
            "{prov}{rest:04}{}{seq:03}",
            birth.format("%Y%m%d")
        ))
        .unwrap()
    })
}

fn phone() -> impl Strategy<Value = String> {
    (
        select(&["", "+86", "+86 ", "86", "86-", " "][..]),
        3u8..=9,
        0u64..1_000_000_000,
    )
        .prop_map(|(prefix, second, rest)| format!("{prefix}1{second}{rest:09}"))
}

/// Replaces the character at `pos` (modulo the length) with `c`.
fn with_char(s: &str, pos: usize, c: char) -> (String, char) {
    let mut chars: Vec<char> = s.chars().collect();
    let i = pos % chars.len();
    let old = chars[i];
    chars[i] = c;
    (chars.into_iter().collect(), old)
}

fn refusal_is_bilingual(e: &reopen_core::Text) -> Result<(), TestCaseError> {
    prop_assert!(!e.zh.is_empty() && !e.en.is_empty(), "{e:?}");
    Ok(())
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn credit_code_arbitrary(s in hostile_string(24)) {
        match CreditCode::parse(&s) {
            Ok(c) => {
                prop_assert_eq!(c.as_str().len(), 18);
                prop_assert_eq!(CreditCode::parse(c.as_str()), Ok(c.clone()));
                prop_assert!(DivisionCode::parse(c.registration_division()).is_ok());
            }
            Err(e) => refusal_is_bilingual(&e)?,
        }
    }

    #[test]
    fn credit_code_from_the_alphabet(s in "[0-9A-Z]{18}") {
        if let Ok(c) = CreditCode::parse(&s) {
            prop_assert_eq!(c.as_str(), s.as_str());
        }
    }

    /// Both check characters together catch every single substitution: a valid code with one
    /// character changed is refused (unless only its case changed).
    #[test]
    fn credit_code_one_character_changed(code in credit_code(), pos in any::<usize>(), c in hostile_char()) {
        let (mutated, old) = with_char(&code, pos, c);
        match CreditCode::parse(&mutated) {
            Ok(v) => {
                prop_assert_eq!(c.to_ascii_uppercase(), old, "{} accepted as {}", mutated, v);
                prop_assert_eq!(v.as_str(), code.as_str());
            }
            Err(e) => {
                prop_assert_ne!(c.to_ascii_uppercase(), old);
                refusal_is_bilingual(&e)?;
            }
        }
    }

    #[test]
    fn id_number_arbitrary(s in hostile_string(24)) {
        match IdNumber::parse(&s, today()) {
            Ok(id) => {
                prop_assert_eq!(id.expose().len(), 18);
                prop_assert!(id.birth_date() <= today() && id.birth_date().year() >= 1900);
                prop_assert_eq!(IdNumber::parse(id.expose(), today()), Ok(id.clone()));
                prop_assert!(!id.masked().contains(&id.expose()[6..14]));
            }
            Err(e) => refusal_is_bilingual(&e)?,
        }
    }

    #[test]
    fn id_number_from_digits(s in "[0-9]{17}[0-9Xx]") {
        if let Ok(id) = IdNumber::parse(&s, today()) {
            prop_assert_eq!(id.expose(), s.to_ascii_uppercase());
        }
    }

    /// MOD 11-2 catches every single substitution.
    #[test]
    fn id_number_one_character_changed(id in id_number(), pos in any::<usize>(), c in hostile_char()) {
        prop_assert!(IdNumber::parse(&id, today()).is_ok(), "{}", id);
        let (mutated, old) = with_char(&id, pos, c);
        match IdNumber::parse(&mutated, today()) {
            Ok(v) => {
                prop_assert_eq!(c.to_ascii_uppercase(), old);
                prop_assert_eq!(v.expose(), id.as_str());
            }
            Err(e) => {
                prop_assert_ne!(c.to_ascii_uppercase(), old);
                refusal_is_bilingual(&e)?;
            }
        }
    }

    #[test]
    fn phone_arbitrary_and_changed(p in phone(), edits in proptest::collection::vec(text_edit(), 0..3), s in hostile_string(16)) {
        prop_assert!(Phone::parse(&p).is_ok(), "{}", p);
        for input in [edit_text(&p, &edits), s] {
            match Phone::parse(&input) {
                Ok(v) => {
                    let t = v.as_str();
                    prop_assert!(t.len() == 11 && t.bytes().all(|b| b.is_ascii_digit()), "{}", t);
                    prop_assert!(t.starts_with('1') && (b'3'..=b'9').contains(&t.as_bytes()[1]));
                    prop_assert_eq!(Phone::parse(t), Ok(v.clone()));
                    prop_assert_eq!(v.masked().chars().count(), 11);
                }
                Err(e) => refusal_is_bilingual(&e)?,
            }
        }
    }

    #[test]
    fn division_industry_headcount(s in hostile_string(8), n in any::<i64>()) {
        if let Ok(d) = DivisionCode::parse(&s) {
            prop_assert_eq!(DivisionCode::parse(d.as_str()), Ok(d.clone()));
            prop_assert!(d.province().is_prefecture_level() && d.prefecture().is_prefecture_level());
        }
        if let Ok(i) = IndustryDivision::parse(&s) {
            prop_assert!(('A'..='R').contains(&i.section()));
            prop_assert_eq!(IndustryDivision::parse(i.as_str()), Ok(i.clone()));
        }
        match Headcount::parse(n) {
            Ok(h) => prop_assert_eq!(i64::from(h.get()), n),
            Err(_) => prop_assert!(!(0..=1_000_000).contains(&n)),
        }
    }

    #[test]
    fn dates_strict_and_as_typed(
        y in 0i32..10_000, m in 0u32..14, d in 0u32..33,
        edits in proptest::collection::vec(text_edit(), 0..3),
        s in hostile_string(20),
    ) {
        let shaped = format!("{y:04}-{m:02}-{d:02}");
        let real = NaiveDate::from_ymd_opt(y, m, d);
        prop_assert_eq!(parse_date(&shaped).ok(), real);
        for input in [edit_text(&shaped, &edits), s.clone(), format!("{y}年{m}月{d}日"), format!("{y}/{m}/{d} 08:00")] {
            if let Ok(date) = parse_date(&input) {
                prop_assert_eq!(date.format("%Y-%m-%d").to_string(), input.trim());
            }
            if let Ok(date) = parse_sheet_date(&input) {
                prop_assert!((0..=9999).contains(&date.year()), "{} read as {}", input, date);
            }
        }
    }

    /// Text is refused or kept exactly (trimmed, CRLF as LF): never altered in between.
    #[test]
    fn text_and_names(s in hostile_string(40), max in 0usize..50, required in any::<bool>()) {
        match parse_text(&s, max, required) {
            Ok(t) => {
                let expected = s.replace("\r\n", "\n");
                prop_assert_eq!(t.as_str(), expected.trim());
                prop_assert!(t.chars().count() <= max);
                prop_assert!(t.chars().all(|c| c == '\n' || c == '\t' || !c.is_control()));
                prop_assert!(!t.contains(['\u{202E}', '\u{2066}', '\u{200F}']), "bidi control kept: {:?}", t);
                prop_assert_eq!(parse_text(&t, max, required), Ok(t.clone()));
                prop_assert!(!required || !t.is_empty());
            }
            Err(e) => refusal_is_bilingual(&e)?,
        }
        match parse_name(&s, max) {
            Ok(t) => {
                prop_assert_eq!(t.as_str(), s.trim());
                prop_assert!(!t.is_empty() && t.chars().count() <= max);
                prop_assert!(t.chars().all(|c| !c.is_control()));
                prop_assert_eq!(parse_name(&t, max), Ok(t.clone()));
            }
            Err(e) => refusal_is_bilingual(&e)?,
        }
    }
}

//! The staff roster (员工花名册): one entry per person returning to work, parsed from CSV with
//! Chinese or English headers; every bad cell is reported at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{parse_name, parse_text, IdNumber, Phone};
use crate::error::{FieldError, Text};
use crate::t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Normal,
    Observation,
    Fever,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Normal => "normal",
            Health::Observation => "observation",
            Health::Fever => "fever",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Health::Normal => "正常",
            Health::Observation => "隔离观察",
            Health::Fever => "发热",
        }
    }
    pub fn parse(s: &str) -> Result<Health, Text> {
        match s.trim() {
            "" | "正常" | "normal" | "Normal" => Ok(Health::Normal),
            "隔离观察" | "观察" | "observation" | "Observation" => Ok(Health::Observation),
            "发热" | "fever" | "Fever" => Ok(Health::Fever),
            other => Err(t!(
                format!("健康状况应为 正常、隔离观察 或 发热，不能是“{other}”"),
                format!("health must be normal, observation or fever, not '{other}'")
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Phone,
    pub post: String,
    pub home_region: String,
    pub from_elsewhere: bool,
    pub from_region: String,
    pub return_date: Option<NaiveDate>,
    pub observation_start: Option<NaiveDate>,
    pub observation_end: Option<NaiveDate>,
    pub health: Health,
}

/// A roster row as it is stored and exchanged, with the full ID number (personal data: only the
/// store, the frozen submissions and an audited reveal see this form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterRecord {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub post: String,
    pub home_region: String,
    pub from_elsewhere: bool,
    pub from_region: String,
    pub return_date: Option<NaiveDate>,
    pub observation_start: Option<NaiveDate>,
    pub observation_end: Option<NaiveDate>,
    pub health: Health,
}

/// A roster row for display: the record with its ID number and phone masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterView {
    pub row_no: u32,
    #[serde(flatten)]
    pub masked: RosterRecord,
}

impl RosterEntry {
    pub fn record(&self) -> RosterRecord {
        RosterRecord {
            name: self.name.clone(),
            id_number: self.id_number.expose().to_string(),
            phone: self.phone.as_str().to_string(),
            post: self.post.clone(),
            home_region: self.home_region.clone(),
            from_elsewhere: self.from_elsewhere,
            from_region: self.from_region.clone(),
            return_date: self.return_date,
            observation_start: self.observation_start,
            observation_end: self.observation_end,
            health: self.health,
        }
    }
}

impl RosterRecord {
    pub fn view(&self, row_no: u32) -> RosterView {
        RosterView {
            row_no,
            masked: RosterRecord {
                id_number: mask_id(&self.id_number),
                phone: mask_phone(&self.phone),
                ..self.clone()
            },
        }
    }
    /// Back to the domain type (values in the store were valid when written).
    pub fn entry(&self, today: NaiveDate) -> Result<RosterEntry, Text> {
        Ok(RosterEntry {
            name: self.name.clone(),
            id_number: IdNumber::parse(&self.id_number, today)?,
            phone: Phone::parse(&self.phone)?,
            post: self.post.clone(),
            home_region: self.home_region.clone(),
            from_elsewhere: self.from_elsewhere,
            from_region: self.from_region.clone(),
            return_date: self.return_date,
            observation_start: self.observation_start,
            observation_end: self.observation_end,
            health: self.health,
        })
    }
}

/// `510102********123X`: the first six and last four characters.
pub fn mask_id(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// `138****0000`.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// The roster columns: (key, Chinese header, English header, required).
pub const COLUMNS: [(&str, &str, bool); 11] = [
    ("name", "姓名", true),
    ("id_number", "身份证号", true),
    ("phone", "手机号", true),
    ("post", "岗位", false),
    ("home_region", "户籍地", false),
    ("from_elsewhere", "是否外地返岗", false),
    ("from_region", "来自地区", false),
    ("return_date", "返岗日期", false),
    ("observation_start", "隔离开始", false),
    ("observation_end", "隔离结束", false),
    ("health", "健康状况", false),
];

fn column_zh(key: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.0 == key)
        .map(|c| c.1)
        .unwrap_or("")
}

fn parse_bool(s: &str) -> Result<bool, Text> {
    match s.trim() {
        "" | "否" | "no" | "No" | "NO" | "false" | "N" | "n" | "0" => Ok(false),
        "是" | "yes" | "Yes" | "YES" | "true" | "Y" | "y" | "1" => Ok(true),
        other => Err(t!(
            format!("应为“是”或“否”，不能是“{other}”"),
            format!("must be yes or no, not '{other}'")
        )),
    }
}

/// A masked number (as the app's own exports show it, `510102********123X`) says what to do instead
/// of failing a digit check.
fn unmasked<'a>(s: &'a str, zh: &str, en: &str) -> Result<&'a str, Text> {
    if s.contains('*') {
        Err(t!(
            format!("{zh}是脱敏显示的（含 *），请填写完整的{zh}"),
            format!("the {en} is masked (contains *); enter the full {en}")
        ))
    } else {
        Ok(s)
    }
}

/// A sequence-number column (序号, 编号, No., #), which nearly every Chinese roster sheet starts with
/// and the app's own roster export writes: ignored on import. Spaces inside ("序 号"), case and a
/// trailing full stop do not matter.
pub fn is_sequence_header(h: &str) -> bool {
    let h: String = h
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .collect::<String>()
        .to_lowercase();
    let h = h.trim_end_matches(['.', '．', '。']);
    matches!(h, "序号" | "编号" | "no" | "#" | "＃")
}

/// One row's raw cells, by column key.
pub type RawRow = HashMap<&'static str, String>;

fn cell_error(line: usize, key: &str, msg: Text) -> FieldError {
    FieldError::new(
        format!("roster[{line}].{key}"),
        Text::new(
            format!("第{line}行 {}:{}", column_zh(key), msg.zh),
            format!("row {line} {key}: {}", msg.en),
        ),
    )
}

/// Checks rows (numbered by their line in the source file) into entries; every bad cell and every
/// ID number repeated within the file is reported; no entry is returned unless all rows are good.
pub fn check_rows(
    rows: &[(usize, RawRow)],
    key_area: &dyn Fn(&str) -> bool,
    today: NaiveDate,
) -> Result<Vec<RosterEntry>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut entries = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows {
        let line = *line;
        let get = |k: &str| row.get(k).map(|s| s.as_str()).unwrap_or("");
        let before = errors.len();
        fn keep<T>(
            errors: &mut Vec<FieldError>,
            line: usize,
            key: &str,
            r: Result<T, Text>,
        ) -> Option<T> {
            match r {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(cell_error(line, key, e));
                    None
                }
            }
        }
        macro_rules! take {
            ($key:expr, $r:expr) => {
                keep(&mut errors, line, $key, $r)
            };
        }
        let name = take!("name", parse_name(get("name"), 50));
        let id = take!(
            "id_number",
            unmasked(get("id_number"), "身份证号", "ID number")
                .and_then(|s| IdNumber::parse(s, today))
        );
        let phone = take!(
            "phone",
            unmasked(get("phone"), "手机号", "phone number").and_then(Phone::parse)
        );
        let post = take!("post", parse_text(get("post"), 50, false)).unwrap_or_default();
        let home_region =
            take!("home_region", parse_text(get("home_region"), 100, false)).unwrap_or_default();
        let from_elsewhere =
            take!("from_elsewhere", parse_bool(get("from_elsewhere"))).unwrap_or(false);
        let from_region =
            take!("from_region", parse_text(get("from_region"), 100, false)).unwrap_or_default();
        let opt_date = |s: &str| -> Result<Option<NaiveDate>, Text> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                super::sheet::parse_sheet_date(s).map(Some)
            }
        };
        let return_date = take!("return_date", opt_date(get("return_date"))).flatten();
        let obs_start = take!("observation_start", opt_date(get("observation_start"))).flatten();
        let obs_end = take!("observation_end", opt_date(get("observation_end"))).flatten();
        let health = take!("health", Health::parse(get("health")));
        if from_elsewhere && from_region.is_empty() {
            errors.push(cell_error(
                line,
                "from_region",
                t!(
                    "外地返岗人员须填写来自地区",
                    "required for staff from elsewhere"
                ),
            ));
        }
        if from_elsewhere && return_date.is_none() && get("return_date").trim().is_empty() {
            errors.push(cell_error(
                line,
                "return_date",
                t!(
                    "外地返岗人员须填写返岗日期",
                    "required for staff from elsewhere"
                ),
            ));
        }
        if let (Some(s), Some(e)) = (obs_start, obs_end) {
            if e < s {
                errors.push(cell_error(
                    line,
                    "observation_end",
                    t!("隔离结束日期早于开始日期", "ends before it starts"),
                ));
            }
        }
        if obs_end.is_some() && obs_start.is_none() && get("observation_start").trim().is_empty() {
            errors.push(cell_error(
                line,
                "observation_start",
                t!(
                    "填写了隔离结束日期，须同时填写开始日期",
                    "required when an end date is given"
                ),
            ));
        }
        if health == Some(Health::Observation)
            && obs_start.is_none()
            && get("observation_start").trim().is_empty()
        {
            errors.push(cell_error(
                line,
                "observation_start",
                t!(
                    "隔离观察人员须填写隔离开始日期",
                    "required for staff under observation"
                ),
            ));
        }
        if from_elsewhere
            && key_area(&from_region)
            && obs_start.is_none()
            && get("observation_start").trim().is_empty()
        {
            errors.push(cell_error(
                line,
                "observation_start",
                t!(
                    "重点地区来雅人员须填写隔离开始日期",
                    "required for staff from key areas"
                ),
            ));
        }
        if let Some(id) = &id {
            if let Some(first) = seen.get(id.expose()) {
                errors.push(cell_error(
                    line,
                    "id_number",
                    t!(
                        format!("与第{first}行身份证号重复"),
                        format!("same ID number as row {first}")
                    ),
                ));
            } else {
                seen.insert(id.expose().to_string(), line);
            }
        }
        if errors.len() == before {
            if let (Some(name), Some(id_number), Some(phone), Some(health)) =
                (name, id, phone, health)
            {
                entries.push(RosterEntry {
                    name,
                    id_number,
                    phone,
                    post,
                    home_region,
                    from_elsewhere,
                    from_region,
                    return_date,
                    observation_start: obs_start,
                    observation_end: obs_end,
                    health,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// Maps a header cell (Chinese or English, any case, surrounding spaces ignored) to a column key.
pub fn header_key(h: &str) -> Option<&'static str> {
    let h = h.trim().trim_start_matches('\u{feff}').trim();
    COLUMNS
        .iter()
        .find(|(k, zh, _)| h == *zh || h.eq_ignore_ascii_case(k))
        .map(|c| c.0)
}

/// Reads header + rows from a table of strings (CSV or a sheet); line numbers are 1-based with
/// the header on line 1.
pub fn rows_from_table(table: Vec<Vec<String>>) -> Result<Vec<(usize, RawRow)>, Vec<FieldError>> {
    let mut it = table.into_iter();
    let Some(header) = it.next() else {
        return Err(vec![FieldError::new(
            "roster",
            t!("文件为空", "the file is empty"),
        )]);
    };
    let mut errors = Vec::new();
    let mut keys: Vec<Option<&'static str>> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            keys.push(None);
            continue;
        }
        if is_sequence_header(h) {
            keys.push(None);
            continue;
        }
        match header_key(h) {
            Some(k) if keys.contains(&Some(k)) => errors.push(FieldError::new(
                format!("roster.header[{}]", i + 1),
                t!(
                    format!("列“{h}”重复"),
                    format!("column '{h}' appears twice")
                ),
            )),
            Some(k) => {
                keys.push(Some(k));
                continue;
            }
            None => errors.push(FieldError::new(
                format!("roster.header[{}]", i + 1),
                t!(format!("未知的列“{h}”"), format!("unknown column '{h}'")),
            )),
        }
        keys.push(None);
    }
    for (k, zh, required) in COLUMNS {
        if required && !keys.contains(&Some(k)) {
            errors.push(FieldError::new(
                "roster.header",
                t!(
                    format!("缺少必填列“{zh}”"),
                    format!("required column '{k}' is missing")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for (n, cells) in it.enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = RawRow::new();
        for (i, c) in cells.into_iter().enumerate() {
            if let Some(Some(k)) = keys.get(i) {
                row.insert(k, c);
            }
        }
        rows.push((n + 2, row));
    }
    Ok(rows)
}

/// Parses CSV bytes (UTF-8, UTF-16 with a BOM, or GBK/GB18030); see `sheet::read_table`.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Vec<FieldError>> {
    super::sheet::read_table("roster.csv", bytes, super::sheet::DEFAULT_MAX_ROWS)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::ids::make_id_number;

    pub(crate) fn id(first17: &str) -> String {
        make_id_number(first17).unwrap_or_default()
    }

    pub(crate) fn sample_csv() -> String {
        format!(
            "\u{feff}姓名,身份证号,手机号,岗位,户籍地,是否外地返岗,来自地区,返岗日期,隔离开始,隔离结束,健康状况\n\
             王一,{},13800000001,操作工,雅安市雨城区,否,,,,,正常\n\
             王二,{},13800000002,操作工,雅安市名山区,否,,,,,正常\n\
             王三,{},13800000003,司机,湖北省孝感市,是,湖北省孝感市,2020-02-01,2020-02-01,2020-02-15,隔离观察\n",
            id("51180219800101001"),
            id("51180319850202002"),
            id("42090219900303003"),
        )
    }

    pub(crate) fn sample_roster(today: NaiveDate) -> Vec<RosterEntry> {
        let p = crate::domain::policy::Policy::default_policy();
        let table = parse_csv(sample_csv().as_bytes()).unwrap();
        let rows = rows_from_table(table).unwrap();
        check_rows(&rows, &|r| p.is_key_area(r), today).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, 5).unwrap()
    }

    #[test]
    fn chinese_headers_with_bom_parse() {
        let r = sample_roster(today());
        assert_eq!(r.len(), 3);
        assert!(r[2].from_elsewhere);
        assert_eq!(r[2].health, Health::Observation);
    }

    #[test]
    fn english_headers_in_any_order_parse() {
        let csv = format!(
            "phone,NAME,id_number,health\n13800000001,李四,{},fever\n",
            id("51180219800101001")
        );
        let rows = rows_from_table(parse_csv(csv.as_bytes()).unwrap()).unwrap();
        let r = check_rows(&rows, &|_| false, today()).unwrap();
        assert_eq!(r[0].name, "李四");
        assert_eq!(r[0].health, Health::Fever);
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line() {
        let csv = format!(
            "姓名,身份证号,手机号,是否外地返岗,健康状况,隔离开始,隔离结束\n\
             ,123,2800000000,也许,咳嗽,2020-02-10,2020-02-01\n\
             赵六,{},13800000001,是,正常,,\n\
             钱七,{},13800000002,否,正常,,\n",
            id("51180219800101001"),
            id("51180219800101001")
        );
        let rows = rows_from_table(parse_csv(csv.as_bytes()).unwrap()).unwrap();
        let errs = check_rows(&rows, &|_| false, today()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "roster[2].name",
            "roster[2].id_number",
            "roster[2].phone",
            "roster[2].from_elsewhere",
            "roster[2].health",
            "roster[2].observation_end",
            "roster[3].from_region",
            "roster[3].return_date",
            "roster[4].id_number",
        ] {
            assert!(fields.contains(&f), "missing {f} in {fields:?}");
        }
        assert!(errs
            .iter()
            .any(|e| e.message.zh.contains("与第3行身份证号重复")));
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let errs =
            rows_from_table(parse_csv("姓名,工号\n张三,1\n".as_bytes()).unwrap()).unwrap_err();
        assert!(errs.iter().any(|e| e.message.zh.contains("工号")));
        assert!(errs.iter().any(|e| e.message.zh.contains("身份证号")));
    }

    #[test]
    fn a_sequence_number_column_is_ignored() {
        for seq in ["序号", "序 号", " 编号 ", "No.", "NO", "no．", "#"] {
            let csv = format!(
                "{seq},姓名,身份证号,手机号\n1,王一,{},13800000001\n",
                id("51180219800101001")
            );
            let rows = rows_from_table(parse_csv(csv.as_bytes()).unwrap()).unwrap();
            let r = check_rows(&rows, &|_| false, today()).unwrap();
            assert_eq!(r[0].name, "王一", "{seq}");
        }
        for not_seq in ["序号码", "Number", "No.1"] {
            assert!(!is_sequence_header(not_seq), "{not_seq}");
        }
    }

    #[test]
    fn a_masked_number_says_it_is_masked() {
        let csv = "姓名,身份证号,手机号\n王一,510102********123X,138****0001\n";
        let rows = rows_from_table(parse_csv(csv.as_bytes()).unwrap()).unwrap();
        let errs = check_rows(&rows, &|_| false, today()).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs.iter().all(|e| e.message.zh.contains("脱敏")),
            "{errs:?}"
        );
    }

    #[test]
    fn gbk_is_read_and_garbage_refused_clearly() {
        // "姓名" in GBK, as Chinese Excel and WPS save CSV by default.
        let table = parse_csv(&[0xd0, 0xd5, 0xc3, 0xfb, b'\n']).unwrap();
        assert_eq!(table, vec![vec!["姓名".to_string()]]);
        let errs = parse_csv(&[0x80, 0xff, 0xff, b'\n']).unwrap_err();
        assert!(
            errs[0].message.zh.contains("UTF-8"),
            "{}",
            errs[0].message.zh
        );
    }

    #[test]
    fn empty_file_is_refused() {
        assert!(rows_from_table(parse_csv(b"").unwrap()).is_err());
    }

    #[test]
    fn masks_hide_the_middle() {
        assert_eq!(mask_id("51010219800101123X"), "510102********123X");
        assert_eq!(mask_phone("13800000000"), "138****0000");
    }
}

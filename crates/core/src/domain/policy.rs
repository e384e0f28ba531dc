//! The reopening policy: every value an administrator may change, shipped from `assets/reference/policy.toml`.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Problems, Text};
use crate::t;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// category code → Chinese name; order is the table's order in the file.
    pub categories: IndexMap<String, String>,
    /// GB/T 4754 two-digit division → earliest planned reopening date.
    pub earliest_reopening: BTreeMap<String, NaiveDate>,
    pub mandatory_measures: IndexMap<String, String>,
    pub optional_measures: IndexMap<String, String>,
    pub key_areas: KeyAreas,
    pub supplies: Supplies,
    pub review: Review,
    pub daily_report: DailyReport,
    pub certificate: Certificate,
    /// Roster imports (a policy saved before this table existed reads as the defaults).
    #[serde(default)]
    pub roster: RosterLimits,
    /// Stock opinions and standard conditions a reviewer picks from (a policy saved before this
    /// table existed reads as the shipped ones).
    #[serde(default)]
    pub phrases: Phrases,
    /// Consulting phones shown in the guide (办事指南): the department's name → its phone.
    #[serde(default = "shipped_contacts")]
    pub contacts: IndexMap<String, String>,
    /// The system's name on the window, the login screen and the guide (a policy saved before
    /// this table existed reads the shipped one).
    #[serde(default = "shipped_system")]
    pub system: SystemName,
}

/// What the installation calls itself: 雅安市企业复工复产审批, with its motto 一企一策.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SystemName {
    pub name: String,
    #[serde(default)]
    pub motto: String,
}

/// What a reviewer picks from in the decision dialog instead of typing it each time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "PhrasesPolicy")
)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    /// Stock opinions for an approval (同意).
    pub approve: Vec<String>,
    /// Stock opinions for a return for correction (退回补正).
    #[serde(rename = "return")]
    pub return_: Vec<String>,
    /// Stock opinions for a rejection (不予批准).
    pub reject: Vec<String>,
    /// Standard conditions attached to an approval.
    pub conditions: Vec<String>,
}

/// The tables of the shipped file that a policy saved before they existed takes as they ship
/// (read leniently: the other tables are ignored here).
#[derive(Deserialize)]
struct ShippedExtras {
    phrases: Phrases,
    contacts: IndexMap<String, String>,
    system: SystemName,
}

fn shipped_extras() -> ShippedExtras {
    // The shipped file is covered by a unit test; a broken build asset is a programming error.
    #[allow(clippy::expect_used)]
    toml::from_str(DEFAULT_POLICY_TOML)
        .expect("the shipped policy.toml has [phrases], [contacts] and [system]")
}

impl Default for Phrases {
    fn default() -> Self {
        shipped_extras().phrases
    }
}

fn shipped_contacts() -> IndexMap<String, String> {
    shipped_extras().contacts
}

fn shipped_system() -> SystemName {
    shipped_extras().system
}

/// The longest stock opinion or condition, as the decision accepts them.
const PHRASE_MAX: usize = 500;

/// A consulting phone as offices publish them: digits with an optional area code and extension
/// (`0835-2222222`, `12345`, `0835-2222222转8001`), 3 to 24 characters.
pub fn is_contact_phone(s: &str) -> bool {
    let n = s.chars().count();
    (3..=24).contains(&n)
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && s.chars().last().is_some_and(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '转' | ' '))
}

/// How large a roster file may be (see `domain::sheet`): thousands of rows, not millions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "RosterPolicy"))]
#[serde(deny_unknown_fields)]
pub struct RosterLimits {
    /// Rows below the header, at most `sheet::HARD_MAX_ROWS`.
    pub max_rows: u32,
}

impl Default for RosterLimits {
    fn default() -> Self {
        RosterLimits {
            max_rows: crate::domain::sheet::DEFAULT_MAX_ROWS as u32,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct KeyAreas {
    pub observation_days: u32,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "SuppliesPolicy")
)]
#[serde(deny_unknown_fields)]
pub struct Supplies {
    pub min_days: u32,
    pub masks_per_person_per_day: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewMode {
    Approval,
    Filing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ReviewPolicy"))]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub mode: ReviewMode,
    pub sla_hours: u32,
    pub green_channel_sla_hours: u32,
    pub green_channel: Vec<String>,
    pub countersign: bool,
    pub parallel_fgw_for: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "DailyReportPolicy")
)]
#[serde(deny_unknown_fields)]
pub struct DailyReport {
    pub due_next_day_by: String,
    pub missing_after_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "CertificatePolicy")
)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub number_format: String,
    pub title: String,
}

/// The defaults shipped with the product.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../../assets/reference/policy.toml");

impl Policy {
    pub fn from_toml(text: &str) -> Result<Policy, Text> {
        let p: Policy = toml::from_str(text).map_err(|e| {
            t!(
                format!("政策配置格式错误：{e}"),
                format!("policy file is not valid: {e}")
            )
        })?;
        p.check().map_err(|fields| {
            let joined: Vec<String> = fields
                .iter()
                .map(|f| format!("{}：{}", f.field, f.message.zh))
                .collect();
            let joined_en: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.en))
                .collect();
            Text::new(joined.join("；"), joined_en.join("; "))
        })?;
        Ok(p)
    }

    /// Like [`Policy::from_toml`], each problem of a well-formed file on its own field (so that
    /// the policy screen shows it next to its value); a file TOML cannot read is one problem on
    /// the field `policy`.
    pub fn from_toml_by_field(text: &str) -> Result<Policy, Vec<crate::error::FieldError>> {
        let p: Policy = toml::from_str(text).map_err(|e| {
            vec![crate::error::FieldError::new(
                "policy",
                t!(
                    format!("政策配置格式错误：{e}"),
                    format!("policy file is not valid: {e}")
                ),
            )]
        })?;
        p.check()?;
        Ok(p)
    }

    pub fn default_policy() -> Policy {
        // The shipped file is covered by a unit test; a broken build asset is a programming error.
        #[allow(clippy::expect_used)]
        Policy::from_toml(DEFAULT_POLICY_TOML).expect("the shipped policy.toml is valid")
    }

    /// Internal consistency: every referenced category and measure exists, numbers are sane.
    pub fn check(&self) -> Result<(), Vec<crate::error::FieldError>> {
        let mut p = Problems::new();
        if !self.categories.contains_key("general") {
            p.add(
                "categories",
                t!(
                    "必须保留“其他企业”（general）类别",
                    "the 'general' category must exist"
                ),
            );
        }
        for c in self
            .review
            .green_channel
            .iter()
            .chain(&self.review.parallel_fgw_for)
        {
            if !self.categories.contains_key(c) {
                p.add(
                    "review",
                    t!("未知的复工类别：{}", "unknown category: {}"; c),
                );
            }
        }
        for k in self.earliest_reopening.keys() {
            if k.len() != 2 || !k.bytes().all(|b| b.is_ascii_digit()) {
                p.add(
                    "earliest_reopening",
                    t!("行业代码应为两位数字：{}", "industry division must be two digits: {}"; k),
                );
            }
        }
        if self.review.sla_hours == 0 || self.review.green_channel_sla_hours == 0 {
            p.add(
                "review.sla_hours",
                t!(
                    "审核时限必须大于 0 小时",
                    "review deadlines must be above 0 hours"
                ),
            );
        }
        if self.review.green_channel_sla_hours > self.review.sla_hours {
            p.add(
                "review.green_channel_sla_hours",
                t!(
                    "绿色通道时限不应长于普通时限",
                    "the green channel deadline must not be longer than the normal one"
                ),
            );
        }
        if self.key_areas.observation_days == 0 {
            p.add(
                "key_areas.observation_days",
                t!("观察期天数必须大于 0", "observation days must be above 0"),
            );
        }
        if chrono::NaiveTime::parse_from_str(&self.daily_report.due_next_day_by, "%H:%M").is_err() {
            p.add(
                "daily_report.due_next_day_by",
                t!("时间格式应为 HH:MM", "time must be HH:MM"),
            );
        }
        if self.daily_report.missing_after_days == 0 {
            p.add(
                "daily_report.missing_after_days",
                t!(
                    "漏报天数必须大于 0",
                    "the days before a report is missing must be above 0"
                ),
            );
        }
        let hard = crate::domain::sheet::HARD_MAX_ROWS;
        if self.roster.max_rows == 0 || self.roster.max_rows as usize > hard {
            p.add(
                "roster.max_rows",
                t!(
                    format!("花名册行数上限应在 1 到 {hard} 之间"),
                    format!("the roster row cap must be between 1 and {hard}")
                ),
            );
        }
        self.check_phrases(&mut p);
        self.check_contacts(&mut p);
        self.check_system(&mut p);
        if !self.certificate.number_format.contains("{seq") {
            p.add(
                "certificate.number_format",
                t!(
                    "编号格式必须包含 {seq}",
                    "the number format must contain {seq}"
                ),
            );
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(p.0)
        }
    }

    /// Every stock phrase non-blank, at most `PHRASE_MAX` characters, without line breaks (a
    /// condition is one line of the decision) and not repeated in its list.
    fn check_phrases(&self, p: &mut Problems) {
        let lists = [
            (
                "phrases.approve",
                "同意时的常用意见",
                "approval opinion",
                &self.phrases.approve,
            ),
            (
                "phrases.return",
                "退回补正时的常用意见",
                "return opinion",
                &self.phrases.return_,
            ),
            (
                "phrases.reject",
                "不同意时的常用意见",
                "disagreement opinion",
                &self.phrases.reject,
            ),
            (
                "phrases.conditions",
                "常用附加条件",
                "standard condition",
                &self.phrases.conditions,
            ),
        ];
        for (field, zh, en, list) in lists {
            for (i, text) in list.iter().enumerate() {
                let n = i + 1;
                let at = format!("{field}[{i}]");
                if text.trim().is_empty() {
                    p.add(
                        &at,
                        t!(format!("{zh}第 {n} 条为空"), format!("{en} {n} is empty")),
                    );
                } else if text.chars().count() > PHRASE_MAX {
                    p.add(
                        &at,
                        t!(
                            format!("{zh}第 {n} 条超过 {PHRASE_MAX} 个字"),
                            format!("{en} {n} is longer than {PHRASE_MAX} characters")
                        ),
                    );
                } else if text.contains(['\n', '\r']) {
                    p.add(
                        &at,
                        t!(
                            format!("{zh}第 {n} 条不能换行"),
                            format!("{en} {n} must be one line")
                        ),
                    );
                } else if list[..i].iter().any(|o| o.trim() == text.trim()) {
                    p.add(
                        &at,
                        t!(
                            format!("{zh}第 {n} 条与前面重复"),
                            format!("{en} {n} repeats an earlier one")
                        ),
                    );
                }
            }
        }
    }

    /// A name for the window and the login screen: 2 to 40 characters, a motto up to 20.
    fn check_system(&self, p: &mut Problems) {
        let n = self.system.name.trim().chars().count();
        if !(2..=40).contains(&n) {
            p.add(
                "system.name",
                t!(
                    "系统名称应为 2 到 40 个字",
                    "the system's name is 2 to 40 characters"
                ),
            );
        }
        if self.system.motto.trim().chars().count() > 20 {
            p.add(
                "system.motto",
                t!(
                    "系统标语不超过 20 个字",
                    "the motto is at most 20 characters"
                ),
            );
        }
    }

    /// Every consulting phone named and dialable.
    fn check_contacts(&self, p: &mut Problems) {
        for (name, phone) in &self.contacts {
            let at = format!("contacts.{name}");
            if name.trim().is_empty() || name.chars().count() > 60 {
                p.add(
                    &at,
                    t!(
                        "部门名称应为 1 到 60 个字",
                        "a department name is 1 to 60 characters"
                    ),
                );
            }
            if !is_contact_phone(phone.trim()) {
                p.add(&at, t!(
                    format!("“{name}”的咨询电话“{phone}”不是有效号码（如 0835-2222222 或 12345）"),
                    format!("the phone '{phone}' of '{name}' is not a valid number (e.g. 0835-2222222 or 12345)")
                ));
            }
        }
    }

    pub fn is_measure(&self, code: &str) -> bool {
        self.mandatory_measures.contains_key(code) || self.optional_measures.contains_key(code)
    }

    pub fn sla_hours(&self, category: &str) -> (u32, bool) {
        if self.review.green_channel.iter().any(|c| c == category) {
            (self.review.green_channel_sla_hours, true)
        } else {
            (self.review.sla_hours, false)
        }
    }

    pub fn is_key_area(&self, region: &str) -> bool {
        let r = region.trim();
        !r.is_empty()
            && self
                .key_areas
                .regions
                .iter()
                .any(|k| r.starts_with(k.as_str()) || k.starts_with(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_policy_parses_and_is_consistent() {
        let p = Policy::default_policy();
        assert_eq!(p.categories.len(), 7);
        assert!(p.mandatory_measures.contains_key("temperature_monitoring"));
        assert_eq!(
            p.earliest_reopening.get("83"),
            NaiveDate::from_ymd_opt(2020, 2, 17).as_ref()
        );
        assert_eq!(p.sla_hours("city_operation"), (8, true));
        assert_eq!(p.sla_hours("production"), (24, false));
        assert_eq!(p.roster.max_rows, 20_000);
    }

    #[test]
    fn the_roster_cap_defaults_when_absent_and_is_bounded() {
        let start = DEFAULT_POLICY_TOML.find("[roster]").unwrap();
        let without = &DEFAULT_POLICY_TOML[..start];
        assert_eq!(Policy::from_toml(without).unwrap().roster.max_rows, 20_000);
        for bad in ["max_rows = 0", "max_rows = 100001"] {
            let text = DEFAULT_POLICY_TOML.replace("max_rows = 20000", bad);
            let e = Policy::from_toml(&text).unwrap_err();
            assert!(e.zh.contains("花名册行数上限"), "{e:?}");
        }
    }

    #[test]
    fn unknown_category_in_green_channel_is_refused() {
        let bad = DEFAULT_POLICY_TOML.replace(
            "green_channel = [\"epidemic_prevention\"",
            "green_channel = [\"nonsense\"",
        );
        let e = Policy::from_toml(&bad).unwrap_err();
        assert!(e.zh.contains("nonsense"), "{e:?}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let bad = format!("{DEFAULT_POLICY_TOML}\n[extra]\nx = 1\n");
        assert!(Policy::from_toml(&bad).is_err());
    }

    #[test]
    fn key_area_matches_province_and_its_cities() {
        let p = Policy::default_policy();
        assert!(p.is_key_area("湖北省"));
        assert!(p.is_key_area("湖北省武汉市"));
        assert!(!p.is_key_area("四川省"));
        assert!(!p.is_key_area(""));
    }

    #[test]
    fn shipped_phrases_and_contacts_are_read_and_default_when_absent() {
        let p = Policy::default_policy();
        assert!(p.phrases.approve.len() >= 2 && p.phrases.reject.len() >= 2);
        assert!(p.phrases.return_.iter().any(|o| o.contains("花名册")));
        assert!(p
            .phrases
            .conditions
            .iter()
            .any(|c| c.contains("核定复工人数")));
        assert_eq!(
            p.contacts
                .get("雅安市人民政府政务服务便民热线")
                .map(String::as_str),
            Some("12345")
        );
        // A policy saved before these tables existed reads them as shipped.
        let start = DEFAULT_POLICY_TOML.find("[phrases]").unwrap();
        let old = Policy::from_toml(&DEFAULT_POLICY_TOML[..start]).unwrap();
        assert_eq!(old.phrases, p.phrases);
        assert_eq!(old.contacts, p.contacts);
        assert_eq!(old.system, p.system);
        assert_eq!(p.system.name, "雅安市企业复工复产审批");
        assert_eq!(p.system.motto, "一企一策");
        // So does one stored as JSON (settings) without them.
        let mut json = serde_json::to_value(&p).unwrap();
        let o = json.as_object_mut().unwrap();
        o.remove("phrases");
        o.remove("contacts");
        o.remove("system");
        let back: Policy = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn bad_phrases_and_contacts_are_refused_field_by_field() {
        let mut p = Policy::default_policy();
        p.phrases.approve.push("  ".into());
        p.phrases.reject.push("第一行\n第二行".into());
        p.phrases.conditions.push(p.phrases.conditions[0].clone());
        p.phrases.return_.push("长".repeat(501));
        p.contacts.insert("雨城区商务局".into(), "打电话问".into());
        p.contacts
            .insert("名山区经济和信息化局".into(), "0835-3222222转8001".into());
        let fields: Vec<String> = p
            .check()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        let n = |l: &Vec<String>| l.len() - 1;
        assert_eq!(
            fields,
            vec![
                format!("phrases.approve[{}]", n(&p.phrases.approve)),
                format!("phrases.return[{}]", n(&p.phrases.return_)),
                format!("phrases.reject[{}]", n(&p.phrases.reject)),
                format!("phrases.conditions[{}]", n(&p.phrases.conditions)),
                "contacts.雨城区商务局".to_string(),
            ]
        );
        // Through the TOML the administrator saves, the message names the field in Chinese.
        let bad = DEFAULT_POLICY_TOML.replace("= \"12345\"", "= \"12345abc\"");
        let e = Policy::from_toml(&bad).unwrap_err();
        assert!(e.zh.contains("不是有效号码"), "{e:?}");
    }

    #[test]
    fn contact_phones_as_offices_publish_them() {
        for ok in ["12345", "0835-2222222", "0835-2222222转8001", "13800000000"] {
            assert!(is_contact_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "12",
            "-12345",
            "0835-",
            "电话",
            "0835 222 abc",
            &"1".repeat(25),
        ] {
            assert!(!is_contact_phone(bad), "{bad}");
        }
    }

    #[test]
    fn problems_come_field_by_field_for_the_policy_screen() {
        let bad = DEFAULT_POLICY_TOML.replace("= \"12345\"", "= \"电话\"");
        let fields = Policy::from_toml_by_field(&bad).unwrap_err();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, "contacts.雅安市人民政府政务服务便民热线");
        let broken = Policy::from_toml_by_field("[categories").unwrap_err();
        assert_eq!(broken[0].field, "policy");
        assert!(Policy::from_toml_by_field(DEFAULT_POLICY_TOML).is_ok());
    }
}

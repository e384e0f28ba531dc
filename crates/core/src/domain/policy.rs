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
                format!("政策配置格式错误:{e}"),
                format!("policy file is not valid: {e}")
            )
        })?;
        p.check().map_err(|fields| {
            let joined: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.zh))
                .collect();
            let joined_en: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.en))
                .collect();
            Text::new(joined.join(";"), joined_en.join("; "))
        })?;
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
                    "必须保留“其他企业”(general)类别",
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
                p.add("review", t!("未知的复工类别:{}", "unknown category: {}"; c));
            }
        }
        for k in self.earliest_reopening.keys() {
            if k.len() != 2 || !k.bytes().all(|b| b.is_ascii_digit()) {
                p.add(
                    "earliest_reopening",
                    t!("行业代码应为两位数字:{}", "industry division must be two digits: {}"; k),
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
}

//! Daily reports after reopening (每日报告): the report a firm files for each local day, its
//! deadline, when it counts as late or missing, and the flags it raises. Pure: `now` and the policy
//! are parameters; days are Asia/Shanghai calendar days.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::ids::{parse_date, parse_text};
use crate::domain::policy::DailyReport as DailyPolicy;
use crate::error::{FieldError, Problems, Text};
use crate::t;

/// What a firm reports for one day (report.json of `reopen daily file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DailyInput {
    pub date: NaiveDate,
    /// Staff at work on the site that day.
    pub staff_on_site: u32,
    /// Staff with a fever (≥ 37.3 ℃) found that day, on site or reported from home.
    pub fever: u32,
    /// Staff under medical observation (isolation) that day.
    pub under_observation: u32,
    pub masks_remaining: u32,
    pub notes: String,
}

pub const NOTES_MAX: usize = 2000;
/// A count larger than any firm of the city: a typo, not a report.
pub const COUNT_MAX: u64 = 1_000_000;

const KEYS: [&str; 6] = [
    "date",
    "staff_on_site",
    "fever",
    "under_observation",
    "masks_remaining",
    "notes",
];

fn count(m: &Map<String, Value>, key: &str, p: &mut Problems, required: bool) -> u32 {
    match m.get(key) {
        None | Some(Value::Null) => {
            if required {
                p.add(key, t!("必须填写", "is required"));
            }
            0
        }
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= COUNT_MAX => v as u32,
            Some(_) => {
                p.add(
                    key,
                    t!("数值过大（不超过 {}）", "too large (at most {})"; COUNT_MAX),
                );
                0
            }
            None => {
                p.add(
                    key,
                    t!("应为不小于 0 的整数", "must be a whole number, 0 or more"),
                );
                0
            }
        },
        Some(_) => {
            p.add(
                key,
                t!("应为不小于 0 的整数", "must be a whole number, 0 or more"),
            );
            0
        }
    }
}

impl DailyInput {
    /// Parses report.json, reporting every bad field at once; unknown fields are refused.
    pub fn from_json(v: &Value) -> Result<DailyInput, Vec<FieldError>> {
        let mut p = Problems::new();
        let Some(m) = v.as_object() else {
            p.add(
                "",
                t!(
                    "每日报告应为 JSON 对象",
                    "a daily report must be a JSON object"
                ),
            );
            return Err(p.0);
        };
        for k in m.keys() {
            if !KEYS.contains(&k.as_str()) {
                p.add(k.clone(), t!("未知字段“{}”", "unknown field '{}'"; k));
            }
        }
        let date = match m.get("date") {
            Some(Value::String(s)) => p.take("date", parse_date(s)),
            None | Some(Value::Null) => {
                p.add(
                    "date",
                    t!("必须填写报告日期", "the report date is required"),
                );
                None
            }
            Some(_) => {
                p.add(
                    "date",
                    t!(
                        "日期应为文本 YYYY-MM-DD",
                        "the date must be text YYYY-MM-DD"
                    ),
                );
                None
            }
        };
        let staff_on_site = count(m, "staff_on_site", &mut p, true);
        let fever = count(m, "fever", &mut p, true);
        let under_observation = count(m, "under_observation", &mut p, true);
        let masks_remaining = count(m, "masks_remaining", &mut p, true);
        let notes = match m.get("notes") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => p
                .take("notes", parse_text(s, NOTES_MAX, false))
                .unwrap_or_default(),
            Some(_) => {
                p.add("notes", t!("应为文本", "must be text"));
                String::new()
            }
        };
        match (date, p.is_empty()) {
            (Some(date), true) => Ok(DailyInput {
                date,
                staff_on_site,
                fever,
                under_observation,
                masks_remaining,
                notes,
            }),
            _ => Err(p.0),
        }
    }
}

/// How a day's report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// Filed by the deadline.
    OnTime,
    /// Filed after the deadline (迟报).
    Late,
    /// Not filed, the deadline not yet passed (待报).
    Pending,
    /// Not filed, past the deadline but not yet missing (逾期未报).
    Overdue,
    /// Not filed within the policy's days (漏报).
    Missing,
}

impl DayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DayStatus::OnTime => "on_time",
            DayStatus::Late => "late",
            DayStatus::Pending => "pending",
            DayStatus::Overdue => "overdue",
            DayStatus::Missing => "missing",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            DayStatus::OnTime => "按时",
            DayStatus::Late => "迟报",
            DayStatus::Pending => "待报",
            DayStatus::Overdue => "逾期未报",
            DayStatus::Missing => "漏报",
        }
    }
    pub fn parse(s: &str) -> Option<DayStatus> {
        [
            DayStatus::OnTime,
            DayStatus::Late,
            DayStatus::Pending,
            DayStatus::Overdue,
            DayStatus::Missing,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

fn local_instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    // Asia/Shanghai has no daylight saving since 1991: every local time exists exactly once.
    Shanghai
        .from_local_datetime(&day.and_time(time))
        .single()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&(day.and_time(time) - Duration::hours(8))))
}

/// The policy's time of day by which the next day's report is due (validated with the policy).
pub fn due_time(p: &DailyPolicy) -> NaiveTime {
    NaiveTime::parse_from_str(&p.due_next_day_by, "%H:%M")
        .unwrap_or_else(|_| NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default())
}

/// The report for `day` is due by the policy's time on the next local day.
pub fn deadline(day: NaiveDate, p: &DailyPolicy) -> DateTime<Utc> {
    local_instant(day + Duration::days(1), due_time(p))
}

/// With no report by the end of local day `day + missing_after_days`, the day counts as missing.
pub fn missing_at(day: NaiveDate, p: &DailyPolicy) -> DateTime<Utc> {
    let days = i64::from(p.missing_after_days.max(1)) + 1;
    local_instant(day + Duration::days(days), NaiveTime::MIN).max(deadline(day, p))
}

/// Whether a report filed at `filed_at` for `day` is on time or late.
pub fn timeliness(day: NaiveDate, filed_at: DateTime<Utc>, p: &DailyPolicy) -> DayStatus {
    if filed_at <= deadline(day, p) {
        DayStatus::OnTime
    } else {
        DayStatus::Late
    }
}

/// The standing of `day` at `now`, given when (if ever) its report was filed.
pub fn status(
    day: NaiveDate,
    filed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    p: &DailyPolicy,
) -> DayStatus {
    match filed_at {
        Some(at) => timeliness(day, at, p),
        None if now <= deadline(day, p) => DayStatus::Pending,
        None if now < missing_at(day, p) => DayStatus::Overdue,
        None => DayStatus::Missing,
    }
}

/// A flag a report raises for the firm's department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum DailyFlag {
    /// More staff on site than the approved headcount.
    OverHeadcount,
    /// At least one member of staff with a fever.
    Fever,
}

impl DailyFlag {
    pub fn zh(self) -> &'static str {
        match self {
            DailyFlag::OverHeadcount => "在岗人数超过核定复工人数",
            DailyFlag::Fever => "有发热人员",
        }
    }
}

pub fn flags(r: &DailyInput, approved_headcount: Option<u32>) -> Vec<DailyFlag> {
    let mut f = Vec::new();
    if approved_headcount.is_some_and(|h| r.staff_on_site > h) {
        f.push(DailyFlag::OverHeadcount);
    }
    if r.fever > 0 {
        f.push(DailyFlag::Fever);
    }
    f
}

/// Why a report for `day` cannot be filed at `now` by a firm that reopened on `reopened_on`.
pub fn check_day(day: NaiveDate, reopened_on: NaiveDate, today: NaiveDate) -> Result<(), Text> {
    if day > today {
        return Err(t!(
            "不能报送未来日期（{}）的报告，今天是 {}",
            "cannot file a report for a future day ({}); today is {}"; day, today));
    }
    if day < reopened_on {
        return Err(t!(
            "{} 早于复工日期 {}，无需报送",
            "{} is before the reopening date {}: no report is due"; day, reopened_on));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> DailyPolicy {
        DailyPolicy {
            due_next_day_by: "10:00".into(),
            missing_after_days: 3,
        }
    }
    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, d).expect("date")
    }
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_deadline_is_ten_oclock_beijing_time_the_next_day() {
        assert_eq!(deadline(day(2, 10), &policy()), at("2020-02-11T02:00:00Z"));
        assert_eq!(
            missing_at(day(2, 10), &policy()),
            at("2020-02-13T16:00:00Z")
        );
    }

    #[test]
    fn lateness_turns_at_the_deadline_in_shanghai_not_utc() {
        let p = policy();
        let d = day(2, 10);
        // 09:59:59 and 10:00:00 Beijing time on the 11th are on time; a second later is late.
        assert_eq!(
            timeliness(d, at("2020-02-11T09:59:59+08:00"), &p),
            DayStatus::OnTime
        );
        assert_eq!(
            timeliness(d, at("2020-02-11T10:00:00+08:00"), &p),
            DayStatus::OnTime
        );
        assert_eq!(
            timeliness(d, at("2020-02-11T10:00:01+08:00"), &p),
            DayStatus::Late
        );
        // Filed on the day itself, just before local midnight (still the 10th in UTC too).
        assert_eq!(
            timeliness(d, at("2020-02-10T23:59:00+08:00"), &p),
            DayStatus::OnTime
        );
        // 01:30 UTC on the 11th is 09:30 in Beijing: on time, though it is the 11th in both.
        assert_eq!(
            timeliness(d, at("2020-02-11T01:30:00Z"), &p),
            DayStatus::OnTime
        );
        // 02:30 UTC is 10:30 in Beijing: late.
        assert_eq!(
            timeliness(d, at("2020-02-11T02:30:00Z"), &p),
            DayStatus::Late
        );
    }

    #[test]
    fn an_unfiled_day_goes_pending_overdue_missing() {
        let p = policy();
        let d = day(2, 10);
        let s = |now: &str| status(d, None, at(now), &p);
        assert_eq!(s("2020-02-10T20:00:00+08:00"), DayStatus::Pending);
        assert_eq!(s("2020-02-11T00:00:01+08:00"), DayStatus::Pending); // across midnight
        assert_eq!(s("2020-02-11T10:00:00+08:00"), DayStatus::Pending);
        assert_eq!(s("2020-02-11T10:00:01+08:00"), DayStatus::Overdue);
        assert_eq!(s("2020-02-13T23:59:59+08:00"), DayStatus::Overdue);
        assert_eq!(s("2020-02-14T00:00:00+08:00"), DayStatus::Missing);
        // A report filed after it went missing is late, not missing.
        assert_eq!(
            status(
                d,
                Some(at("2020-02-15T09:00:00+08:00")),
                at("2020-02-16T09:00:00+08:00"),
                &p
            ),
            DayStatus::Late
        );
    }

    #[test]
    fn missing_never_comes_before_the_deadline() {
        let p = DailyPolicy {
            due_next_day_by: "23:30".into(),
            missing_after_days: 0,
        };
        assert!(missing_at(day(2, 10), &p) >= deadline(day(2, 10), &p));
    }

    #[test]
    fn a_report_is_read_field_by_field() {
        let ok = DailyInput::from_json(&json!({"date":"2020-02-10","staff_on_site":40,"fever":0,
            "under_observation":2,"masks_remaining":800,"notes":" 正常 "}))
        .expect("valid");
        assert_eq!(ok.staff_on_site, 40);
        assert_eq!(ok.notes, "正常");
        let bad =
            DailyInput::from_json(&json!({"date":"2020/02/10","staff_on_site":-1,"fever":"0",
            "masks_remaining":1.5,"extra":1}))
            .expect_err("invalid");
        let fields: Vec<&str> = bad.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "extra",
                "date",
                "staff_on_site",
                "fever",
                "under_observation",
                "masks_remaining"
            ]
        );
    }

    #[test]
    fn flags_are_raised_for_fever_and_for_more_staff_than_approved() {
        let mut r = DailyInput {
            date: day(2, 10),
            staff_on_site: 50,
            fever: 0,
            under_observation: 0,
            masks_remaining: 100,
            notes: String::new(),
        };
        assert!(flags(&r, Some(50)).is_empty());
        assert_eq!(flags(&r, Some(49)), [DailyFlag::OverHeadcount]);
        r.fever = 1;
        assert_eq!(flags(&r, None), [DailyFlag::Fever]);
    }

    #[test]
    fn no_report_for_the_future_or_before_reopening() {
        assert!(check_day(day(2, 11), day(2, 10), day(2, 10)).is_err());
        assert!(check_day(day(2, 9), day(2, 10), day(2, 12)).is_err());
        assert!(check_day(day(2, 10), day(2, 10), day(2, 10)).is_ok());
    }
}

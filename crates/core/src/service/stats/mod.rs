//! Statistics, read-only: the leader's dashboard (`dashboard`), statistics for a day or a range
//! by one or two dimensions (`range`), and the leading group's daily bulletin built from them
//! (`bulletin`). Every statement is in `store::stats`.

use chrono::NaiveDate;
use serde::Serialize;

use super::daily::ComplianceCounts;

mod bulletin;
mod dashboard;
mod range;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DayPoint {
    pub date: NaiveDate,
    pub submitted: i64,
    pub approved: i64,
    pub rejected: i64,
    pub returned: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OverdueRow {
    pub application_id: i64,
    pub firm_name: String,
    pub jurisdiction: String,
    pub jurisdiction_name: String,
    pub department: String,
    pub stage_name: String,
    pub due_at: String,
    pub green_channel: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Applications by state (key = state, label = its Chinese name).
    pub by_state: Vec<Count>,
    /// By the firm's county/district (key = division code, label = its name).
    pub by_division: Vec<Count>,
    /// By GB/T 4754 section (key = the letter).
    pub by_section: Vec<Count>,
    /// By category (label = the category's Chinese name).
    pub by_category: Vec<Count>,
    pub trend: Vec<DayPoint>,
    pub overdue: Vec<OverdueRow>,
    pub approved_headcount: i64,
}

// ---------------------------------------------------------------------------------------------
// Statistics for a day or a range (`reopen stats`, the leading group's daily bulletin)

/// GB/T 4754-2017 sections (门类) by letter.
pub const SECTION_NAMES: [(&str, &str); 20] = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
];

/// What statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The firm's county or district.
    Division,
    /// The firm's GB/T 4754 section.
    Industry,
    /// The application's category (复工类别).
    Category,
}

impl Dim {
    pub fn parse(s: &str) -> Option<Dim> {
        match s.trim() {
            "division" => Some(Dim::Division),
            "industry" => Some(Dim::Industry),
            "category" => Some(Dim::Category),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Division => "division",
            Dim::Industry => "industry",
            Dim::Category => "category",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Dim::Division => "县(区)",
            Dim::Industry => "行业门类",
            Dim::Category => "复工类别",
        }
    }
}

/// One group's figures. Flows (submitted … returned, reports) count within the range; stocks
/// (pending, overdue) are as of now; reopened firms and their staff are as of the range's end.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatsRow {
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    /// Submissions received in the range (a resubmission after a return counts again).
    pub submitted: i64,
    /// Applications finally approved in the range.
    pub approved: i64,
    pub rejected: i64,
    pub returned: i64,
    /// Applications in review now, and those with a stage past its deadline.
    pub pending: i64,
    pub overdue: i64,
    /// Firms registered by the range's end, and those reopened (approved, reopening date reached).
    pub firms: i64,
    pub firms_reopened: i64,
    /// Of applications approved by the range's end (reopened or about to): the approved headcount,
    /// and staff from key epidemic areas and under observation as their plans say.
    pub approved_headcount: i64,
    pub key_area_staff: i64,
    pub under_observation: i64,
    /// Daily reports expected over the range and how they stand.
    pub reports: ComplianceCounts,
}

impl StatsRow {
    /// Reopened firms as a share of registered firms (0 when there are none).
    pub fn reopening_rate(&self) -> f64 {
        if self.firms == 0 {
            0.0
        } else {
            self.firms_reopened as f64 / self.firms as f64
        }
    }
    fn merge(&mut self, o: &StatsRow) {
        self.submitted += o.submitted;
        self.approved += o.approved;
        self.rejected += o.rejected;
        self.returned += o.returned;
        self.pending += o.pending;
        self.overdue += o.overdue;
        self.firms += o.firms;
        self.firms_reopened += o.firms_reopened;
        self.approved_headcount += o.approved_headcount;
        self.key_area_staff += o.key_area_staff;
        self.under_observation += o.under_observation;
        self.reports.merge(&o.reports);
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RatePoint {
    pub date: NaiveDate,
    /// Firms registered by the end of the range (the same for every day).
    pub firms: i64,
    pub reopened: i64,
    /// reopened / firms, 0..1.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Vec<Dim>,
    /// The scope: the city's name, or the actor's county/district.
    pub scope: String,
    pub rows: Vec<StatsRow>,
    pub total: StatsRow,
    /// The reopening rate at the end of each day of the range, out of the firms registered by
    /// its end.
    pub rate: Vec<RatePoint>,
    pub generated_at: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatsQuery {
    /// Default: `to`. At most 366 days before `to`.
    pub from: Option<NaiveDate>,
    /// Default: today (Asia/Shanghai).
    pub to: Option<NaiveDate>,
    /// One or two dimensions (e.g. county × industry); default: by county.
    pub by: Vec<Dim>,
}

/// The leading group's daily bulletin (复工复产日报) for one day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Bulletin {
    pub date: NaiveDate,
    pub scope: String,
    pub generated_at: String,
    /// The day's figures by county/district, by industry section and by category.
    pub by_division: Stats,
    pub by_industry: Stats,
    pub by_category: Stats,
    /// The reopening rate over the 14 days to `date`.
    pub rate: Vec<RatePoint>,
    /// Daily reports due for the day before `date` (filed by this morning's deadline or not).
    pub reports_date: NaiveDate,
    pub reports: ComplianceCounts,
    /// Flagged daily reports not yet followed up.
    pub open_flags: i64,
    /// Stages past their deadline now (at most 100, oldest first).
    pub overdue: Vec<OverdueRow>,
}

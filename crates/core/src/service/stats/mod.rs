//! Statistics, read-only: the leader's dashboard (`dashboard`), statistics for a day or a range
//! by one or two dimensions (`range`), and the leading group's daily bulletin built from them
//! (`bulletin`). Every statement is in `store::stats`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::model::{Bulletin, Dim, OverdueRow, RatePoint, Stats, StatsRow};
pub use dashboard::dashboard_workbook;

mod bulletin;
mod dashboard;
mod range;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DayPoint {
    pub date: NaiveDate,
    pub submitted: i64,
    pub approved: i64,
    pub rejected: i64,
    pub returned: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The headline figures, at the end of the period (registered, reopened, the rate and the
    /// approved headcount) and now (in review, overdue).
    pub headline: Headline,
    /// The scope's name: the city's, or the leader's county or district.
    pub scope: String,
    /// The period is the default one (the last 14 days to today), not one the leader chose.
    pub default_period: bool,
}

/// The figures a leader reads first.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Headline {
    /// Firms registered by the end of the period.
    pub firms: i64,
    /// Of them, reopened (approved, the reopening date reached) by the end of the period.
    pub firms_reopened: i64,
    /// firms_reopened / firms, 0..1 (0 when there is no firm).
    pub reopening_rate: f64,
    /// 核定复工人数 of the applications approved by the end of the period.
    pub approved_headcount: i64,
    /// Applications in review now, and those with a stage past its deadline now.
    pub in_review: i64,
    pub overdue: i64,
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
            Dim::Division => "县（区）",
            Dim::Industry => "行业门类",
            Dim::Category => "复工类别",
        }
    }
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

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StatsQuery {
    /// Default: `to`. At most 366 days before `to`.
    pub from: Option<NaiveDate>,
    /// Default: today (Asia/Shanghai).
    pub to: Option<NaiveDate>,
    /// One or two dimensions (e.g. county × industry); default: by county.
    pub by: Vec<Dim>,
}

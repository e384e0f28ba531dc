//! Read models shared by the use cases and the documents (the bulletin's rows, a firm): plain
//! data beneath both, so that the documents never reach into the service.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::firm::Person;
use crate::error::Text;

#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// One group's figures. Flows (submitted … returned, reports) count within the range; stocks
/// (pending, overdue) are as of now; reopened firms and their staff are as of the range's end.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RatePoint {
    pub date: NaiveDate,
    /// Firms registered by the end of the range (the same for every day).
    pub firms: i64,
    pub reopened: i64,
    /// reopened / firms, 0..1.
    pub rate: f64,
}

/// The leading group's daily bulletin (复工复产日报) for one day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Bulletin {
    pub date: NaiveDate,
    pub scope: String,
    /// The system's name from the policy (雅安市企业复工复产审批), in the footer.
    #[serde(default)]
    pub system: String,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Firm {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub division: String,
    pub division_name: String,
    pub township: String,
    pub address: String,
    pub industry: String,
    pub industry_name: String,
    pub legal_representative: String,
    pub principal: Person,
    pub contact: Person,
    pub staff_total: u32,
    pub city_managed: bool,
    /// Things the reviewer should see (e.g. a credit code registered in another division).
    pub warnings: Vec<Text>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ComplianceCounts {
    pub expected: u32,
    pub on_time: u32,
    pub late: u32,
    pub pending: u32,
    pub overdue: u32,
    pub missing: u32,
}

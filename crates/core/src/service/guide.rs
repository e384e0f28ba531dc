//! Issue 15, item 8: the guide (办事指南) — what anyone may read before logging in: who may apply,
//! the measures and supplies asked for, the deadlines and the consulting phones, all from the
//! policy in force (an administrator edits them on the policy screen), and the blank commitment.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Reopen;
use crate::documents::{render_commitment_template, DocFonts, COMMITMENT};
use crate::domain::policy::ReviewMode;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct GuideItem {
    pub name: String,
    /// The green channel's shorter deadline applies (categories), or the measure is required.
    pub flag: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct GuideDate {
    /// The industry (GB/T 4754 two-digit division) by name.
    pub industry: String,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct GuideContact {
    pub department: String,
    pub phone: String,
}

/// Everything the guide page says that comes from the policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Guide {
    /// The city's name (雅安市).
    pub city: String,
    /// The system's name and motto from the policy.
    pub system: crate::domain::policy::SystemName,
    /// 复工类别, flagged when on the green channel.
    pub categories: Vec<GuideItem>,
    /// Prevention measures, flagged when required.
    pub measures: Vec<GuideItem>,
    /// Industries that may not reopen before a date.
    pub earliest_reopening: Vec<GuideDate>,
    pub key_regions: Vec<String>,
    pub observation_days: u32,
    pub supplies_min_days: u32,
    pub masks_per_person_per_day: u32,
    pub review_mode: ReviewMode,
    pub sla_hours: u32,
    pub green_channel_sla_hours: u32,
    /// The leading group office countersigns after the department.
    pub countersign: bool,
    /// A daily report is due by this local time the next day ("10:00").
    pub daily_due_by: String,
    pub missing_after_days: u32,
    pub contacts: Vec<GuideContact>,
    /// The commitment the principal signs, word for word.
    pub commitment: String,
}

impl Reopen {
    /// The guide: public information, no login needed.
    pub fn guide(&self) -> Result<Guide> {
        let p = self.policy()?;
        let industries = self.routing_list()?;
        let city = city_name(self)?;
        let green = |code: &str| p.review.green_channel.iter().any(|g| g == code);
        Ok(Guide {
            city,
            categories: p
                .categories
                .iter()
                .map(|(code, name)| GuideItem {
                    name: name.clone(),
                    flag: green(code),
                })
                .collect(),
            measures: p
                .mandatory_measures
                .values()
                .map(|name| GuideItem {
                    name: name.clone(),
                    flag: true,
                })
                .chain(p.optional_measures.values().map(|name| GuideItem {
                    name: name.clone(),
                    flag: false,
                }))
                .collect(),
            earliest_reopening: p
                .earliest_reopening
                .iter()
                .map(|(code, date)| GuideDate {
                    industry: industries
                        .iter()
                        .find(|i| &i.industry == code)
                        .map_or_else(|| code.clone(), |i| i.name.clone()),
                    date: *date,
                })
                .collect(),
            key_regions: p.key_areas.regions.clone(),
            observation_days: p.key_areas.observation_days,
            supplies_min_days: p.supplies.min_days,
            masks_per_person_per_day: p.supplies.masks_per_person_per_day,
            review_mode: p.review.mode,
            sla_hours: p.review.sla_hours,
            green_channel_sla_hours: p.review.green_channel_sla_hours,
            countersign: p.review.countersign,
            daily_due_by: p.daily_report.due_next_day_by.clone(),
            missing_after_days: p.daily_report.missing_after_days,
            contacts: p
                .contacts
                .iter()
                .map(|(department, phone)| GuideContact {
                    department: department.clone(),
                    phone: phone.clone(),
                })
                .collect(),
            commitment: COMMITMENT.to_string(),
            system: p.system.clone(),
        })
    }

    /// The blank commitment (PDF) of the guide, addressed to the city's reviewing departments.
    pub fn commitment_template(&self, fonts: &DocFonts, now: DateTime<Utc>) -> Result<Vec<u8>> {
        let city = city_name(self)?;
        render_commitment_template(&format!("{city}复工复产审核部门"), fonts, now)
    }
}

/// The name of the one division above the counties (reference data).
fn city_name(core: &Reopen) -> Result<String> {
    Ok(crate::store::reference::divisions(core.db())?
        .into_iter()
        .find(|d| d.level == "city")
        .map(|d| d.name)
        .unwrap_or_default())
}

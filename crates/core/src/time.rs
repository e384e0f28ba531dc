//! Time as the product shows and stores it: instants are UTC RFC 3339 text to the second in the
//! database; days, deadlines and what a person reads are Asia/Shanghai's. Beneath the service,
//! the store and the documents alike.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

use crate::error::{Error, Result};

/// The local calendar day (Asia/Shanghai) of an instant.
pub fn local_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Shanghai).date_naive()
}

/// The instant local (Asia/Shanghai) midnight starts `day`.
pub fn shanghai_midnight(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    // Asia/Shanghai has had no daylight saving since 1991: every local midnight exists once.
    Shanghai
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN)))
}

/// An instant shown in Asia/Shanghai.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn ts(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| Error::internal(format!("bad timestamp {s}: {e}")))
}

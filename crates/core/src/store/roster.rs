//! The `roster_entries` table: the current roster of an application (personal data: ID and
//! phone numbers, sealed at rest when the database is sealed).

use crate::args;
use crate::domain::roster::{Health, RosterRecord};
use crate::error::Result;
use crate::store::Db;

/// The roster in its row order, ID and phone numbers in clear.
pub(crate) fn load(db: Db<'_>, app_id: i64) -> Result<Vec<RosterRecord>> {
    db.rows(
        "SELECT name, reopen_unseal(id_number), reopen_unseal(phone), post, home_region,
                from_elsewhere, from_region, return_date, observation_start, observation_end, health
         FROM roster_entries WHERE application_id = ?1 ORDER BY row_no",
        args![app_id],
        |r| {
            Ok(RosterRecord {
                name: r.get(0)?,
                id_number: r.get(1)?,
                phone: r.get(2)?,
                post: r.get(3)?,
                home_region: r.get(4)?,
                from_elsewhere: r.get(5)?,
                from_region: r.get(6)?,
                return_date: r.get(7)?,
                observation_start: r.get(8)?,
                observation_end: r.get(9)?,
                health: r.decode(10, |s| Health::parse(s).ok())?,
            })
        },
    )
}

/// Stores `entries` as the application's roster, numbered from 1 (after [`delete`]).
pub(crate) fn insert(db: Db<'_>, app_id: i64, entries: &[RosterRecord]) -> Result<()> {
    for (i, e) in entries.iter().enumerate() {
        db.exec(
            "INSERT INTO roster_entries(application_id, row_no, name, id_number, phone, post,
                home_region, from_elsewhere, from_region, return_date, observation_start,
                observation_end, health)
             VALUES (?1, ?2, ?3, reopen_seal(?4), reopen_seal(?5), ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            args![
                app_id,
                i + 1,
                e.name,
                e.id_number,
                e.phone,
                e.post,
                e.home_region,
                e.from_elsewhere,
                e.from_region,
                e.return_date,
                e.observation_start,
                e.observation_end,
                e.health.as_str()
            ],
        )?;
    }
    Ok(())
}

/// Removes the application's roster; how many rows it had.
pub(crate) fn delete(db: Db<'_>, app_id: i64) -> Result<usize> {
    db.exec(
        "DELETE FROM roster_entries WHERE application_id = ?1",
        args![app_id],
    )
}

pub(crate) fn count(db: Db<'_>, app_id: i64) -> Result<u64> {
    db.one(
        "SELECT count(*) FROM roster_entries WHERE application_id = ?1",
        args![app_id],
    )
}

/// Seals every ID and phone number of every roster (the once-per-database sealing); how many
/// rows.
pub(crate) fn seal_all(db: Db<'_>) -> Result<u64> {
    Ok(db.exec(
        "UPDATE roster_entries SET id_number = reopen_seal(id_number), phone = reopen_seal(phone)",
        args![],
    )? as u64)
}

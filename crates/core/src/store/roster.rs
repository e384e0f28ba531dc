//! The `roster_entries` table: the current roster of an application (personal data: ID and
//! phone numbers, sealed at rest when the database is sealed).

use crate::args;
use crate::domain::roster::{Health, RosterRecord};
use crate::error::Result;
use crate::store::seal::{is_sealed, RosterKey, Sealer};
use crate::store::Db;

/// The roster in its row order, ID and phone numbers in clear (unsealed by `sealer`).
pub(crate) fn load(db: Db<'_>, sealer: &Sealer, app_id: i64) -> Result<Vec<RosterRecord>> {
    db.rows(
        "SELECT name, id_number, phone, post, home_region,
                from_elsewhere, from_region, return_date, observation_start, observation_end, health
         FROM roster_entries WHERE application_id = ?1 ORDER BY row_no",
        args![app_id],
        |r| {
            Ok(RosterRecord {
                name: r.get(0)?,
                id_number: sealer.unseal(&r.get::<String>(1)?)?,
                phone: sealer.unseal(&r.get::<String>(2)?)?,
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

/// How many roster rows one INSERT carries: a 500-row roster is 10 statements, not 500 round
/// trips to a server (13 parameters a row, far below either engine's limit).
const INSERT_BATCH: usize = 50;

/// Stores `entries` as the application's roster, numbered from 1 (after [`delete`]), ID and
/// phone numbers sealed by `sealer`.
pub(crate) fn insert(
    db: Db<'_>,
    sealer: &Sealer,
    app_id: i64,
    entries: &[RosterRecord],
) -> Result<()> {
    use crate::store::db::ToArg;
    for (chunk_no, chunk) in entries.chunks(INSERT_BATCH).enumerate() {
        let first = chunk_no * INSERT_BATCH;
        let sealed = chunk
            .iter()
            .map(|e| Ok((sealer.seal(&e.id_number)?, sealer.seal(&e.phone)?)))
            .collect::<Result<Vec<_>>>()?;
        let row_nos: Vec<i64> = (0..chunk.len()).map(|k| (first + k + 1) as i64).collect();
        let health: Vec<&str> = chunk.iter().map(|e| e.health.as_str()).collect();
        let mut sql = String::from(
            "INSERT INTO roster_entries(application_id, row_no, name, id_number, phone, post,
                home_region, from_elsewhere, from_region, return_date, observation_start,
                observation_end, health) VALUES ",
        );
        let mut refs: Vec<&dyn ToArg> = Vec::with_capacity(chunk.len() * 13);
        for (k, e) in chunk.iter().enumerate() {
            let n = k * 13;
            let marks: Vec<String> = (1..=13).map(|c| format!("?{}", n + c)).collect();
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&marks.join(", "));
            sql.push(')');
            refs.extend_from_slice(&[
                &app_id,
                &row_nos[k],
                &e.name,
                &sealed[k].0,
                &sealed[k].1,
                &e.post,
                &e.home_region,
                &e.from_elsewhere,
                &e.from_region,
                &e.return_date,
                &e.observation_start,
                &e.observation_end,
                &health[k],
            ]);
        }
        db.exec(&sql, &refs)?;
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

/// Seals with `key` every ID and phone number of every roster not sealed yet (the
/// once-per-database sealing), a page of rows at a time; how many rows the rosters have.
pub(crate) fn seal_all(db: Db<'_>, key: &RosterKey) -> Result<u64> {
    const PAGE: i64 = 1000;
    let (mut last, mut rows) = (0i64, 0u64);
    loop {
        let page: Vec<(i64, String, String)> = db.rows(
            "SELECT id, id_number, phone FROM roster_entries WHERE id > ?1 ORDER BY id LIMIT ?2",
            args![last, PAGE],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let Some(end) = page.last().map(|p| p.0) else {
            return Ok(rows);
        };
        for (id, id_number, phone) in &page {
            let seal = |v: &String| {
                if is_sealed(v) {
                    v.clone()
                } else {
                    key.seal(v)
                }
            };
            db.exec(
                "UPDATE roster_entries SET id_number = ?2, phone = ?3 WHERE id = ?1",
                args![id, seal(id_number), seal(phone)],
            )?;
        }
        rows += page.len() as u64;
        last = end;
    }
}

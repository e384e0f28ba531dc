//! The `attachments` table, as far as the retention purge needs it (the attachment use cases
//! keep their own statements for now).

use crate::args;
use crate::error::Result;
use crate::store::Db;

pub(crate) fn count(db: Db<'_>, app_id: i64) -> Result<u64> {
    db.one(
        "SELECT count(*) FROM attachments WHERE application_id = ?1",
        args![app_id],
    )
}

/// Removes every attachment of the application (the purge).
pub(crate) fn delete_all(db: Db<'_>, app_id: i64) -> Result<()> {
    db.exec(
        "DELETE FROM attachments WHERE application_id = ?1",
        args![app_id],
    )?;
    Ok(())
}

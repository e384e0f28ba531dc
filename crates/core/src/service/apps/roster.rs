//! The roster: importing it from a file, the error report of a bad file, the masked pages and
//! the audited reveal.

use chrono::{DateTime, Utc};

use crate::domain::auth::{Actor, Role};
use crate::domain::roster::{self, RosterEntry, RosterRecord, RosterView};
use crate::error::{Error, Result};
use crate::service::{audit, load_policy, local_date, page, Reopen};
use crate::store::seal::Sealer;
use crate::store::{self, Db};
use crate::t;

use super::access::{
    can_see_app, check_editable, file_for, forbidden_app, roster_disclosure, Disclosure,
};
use super::show::{app_core, application};
use super::{AppCore, Application};

/// The application's roster in row order, ID and phone numbers in clear.
pub(crate) fn load_roster(conn: Db<'_>, sealer: &Sealer, app_id: i64) -> Result<Vec<RosterRecord>> {
    store::roster::load(conn, sealer, app_id)
}

/// `app_roster_replace` after the permission check, inside the caller's transaction: `rows` as
/// `roster::rows_from_table` read them, `source` names the file in the audit event.
#[allow(clippy::too_many_arguments)]
pub(crate) fn roster_tx(
    tx: Db<'_>,
    sealer: &Sealer,
    actor: &Actor,
    core: &AppCore,
    rows: &[(usize, roster::RawRow)],
    source: &str,
    expect_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let id = core.id;
    check_editable(core, expect_version)?;
    let policy = load_policy(tx)?;
    let entries = roster::check_rows(rows, &|r| policy.is_key_area(r), local_date(now))
        .map_err(Error::validation)?;
    let before = store::apps::roster_count(tx, id)?;
    store::roster::delete(tx, id)?;
    let records: Vec<RosterRecord> = entries.iter().map(RosterEntry::record).collect();
    store::roster::insert(tx, sealer, id, &records)?;
    store::apps::set_roster_count(tx, id, records.len(), now)?;
    audit(
        tx,
        actor,
        "app.roster",
        &format!("app:{id}"),
        Some(&serde_json::json!({"roster_count": before})),
        Some(&serde_json::json!({"roster_count": records.len(), "file": source})),
        now,
    )?;
    application(tx, id, now)
}

impl Reopen {
    /// The rows of a roster file, read within the policy's row limit.
    fn read_roster_file(&self, file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
        let max_rows = load_policy(self.db())?.roster.max_rows as usize;
        crate::domain::sheet::read_table(file_name, bytes, max_rows).map_err(Error::validation)
    }

    /// A roster file checked as `app_roster_replace` checks it, storing nothing, and returned as a
    /// workbook with every bad cell marked and the reasons beside each row, for the firm to fix its
    /// own file. A file without errors is refused (import it instead).
    pub fn roster_error_report(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        lang: crate::error::Lang,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("导入花名册", "import rosters"),
        )?;
        let table = self.read_roster_file(file_name, bytes)?;
        let errors = match roster::rows_from_table(table.clone()) {
            Err(e) => e,
            Ok(rows) => {
                let policy = load_policy(self.db())?;
                roster::check_rows(&rows, &|r| policy.is_key_area(r), local_date(now))
                    .err()
                    .unwrap_or_default()
            }
        };
        if errors.is_empty() {
            return Err(Error::field(
                "file",
                t!(
                    "该文件没有发现错误，可以直接导入",
                    "this file has no errors; import it"
                ),
            ));
        }
        crate::documents::workbook::roster_error_report(&table, &errors, lang)
    }

    /// Replaces the roster from a workbook's (.xlsx/.xls/.ods) or a CSV file's (UTF-8 or GBK) bytes;
    /// every bad row is reported, nothing is kept on error.
    pub fn app_roster_replace(
        &mut self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
        expect_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Application> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("导入花名册", "import rosters"),
        )?;
        let table = self.read_roster_file(file_name, bytes)?;
        let rows = roster::rows_from_table(table).map_err(Error::validation)?;
        let names: Vec<(String, &str)> = rows
            .iter()
            .filter_map(|(line, r)| {
                r.get("name")
                    .map(|n| (format!("roster[{line}].name"), n.as_str()))
            })
            .collect();
        self.check_printable(&names)?;
        let sealer = self.sealer();
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            roster_tx(
                tx,
                &sealer,
                actor,
                &core,
                &rows,
                file_name,
                expect_version,
                now,
            )
        })
    }

    /// The roster with ID numbers and phones masked, a page at a time.
    pub fn app_roster(
        &self,
        actor: &Actor,
        id: i64,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<RosterView>> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let (limit, offset) = page(limit, offset);
        let all = load_roster(self.db(), &self.sealer, id)?;
        Ok(all
            .iter()
            .enumerate()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(i, r)| r.view(i as u32 + 1))
            .collect())
    }

    /// The full roster (ID numbers in clear) for the reviewer who is deciding this application
    /// now, or for the firm itself; audited.
    pub fn app_roster_reveal(
        &mut self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<RosterRecord>> {
        let sealer = self.sealer();
        self.write(|tx| {
            let core = app_core(tx, id)?;
            if roster_disclosure(tx, actor, &core)? != Disclosure::Full {
                return Err(Error::forbidden(t!(
                    "只有正在审核该申请的审核员可以查看完整身份证号",
                    "only the reviewer deciding this application may see full ID numbers"
                )));
            }
            let rows = load_roster(tx, &sealer, id)?;
            audit(
                tx,
                actor,
                "app.roster_reveal",
                &format!("app:{id}"),
                None,
                Some(&serde_json::json!({"rows": rows.len()})),
                now,
            )?;
            Ok(rows)
        })
    }
}

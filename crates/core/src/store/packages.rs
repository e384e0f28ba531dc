//! Application packages and what comes with them: the packages imported at the counter
//! (`imported_packages`), the attachments of an application and the few reads and writes of applications the import and the attachments
//! make around the office's use cases.

use chrono::{DateTime, Utc};

use crate::args;
use crate::domain::workflow::AppState;
use crate::error::Result;
use crate::service::Attachment;
use crate::store::Db;

// --- attachments ------------------------------------------------------------------------------

/// An application's attachments in force (not removed), oldest first.
pub(crate) fn attachments(db: Db<'_>, app_id: i64) -> Result<Vec<Attachment>> {
    db.rows(
        "SELECT a.id, a.name, a.mime, a.sha256, a.size, a.added_at, COALESCE(u.name, '')
         FROM attachments a LEFT JOIN users u ON u.id = a.added_by
         WHERE a.application_id = ?1 AND a.removed_at IS NULL ORDER BY a.id",
        args![app_id],
        |r| {
            Ok(Attachment {
                id: r.get(0)?,
                name: r.get(1)?,
                mime: r.get(2)?,
                sha256: r.get(3)?,
                size: r.get(4)?,
                added_at: r.get(5)?,
                added_by: r.get(6)?,
            })
        },
    )
}

/// The content of the application's attachment in force named `name`.
pub(crate) fn attachment_content(db: Db<'_>, app_id: i64, name: &str) -> Result<Option<Vec<u8>>> {
    db.first(
        "SELECT content FROM attachments WHERE application_id = ?1 AND name = ?2 AND removed_at IS NULL",
        args![app_id, name],
    )
}

/// An attachment as stored.
pub(crate) struct NewAttachment<'a> {
    pub application_id: i64,
    pub name: &'a str,
    pub mime: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub added_by: i64,
}

pub(crate) fn insert_attachment(
    db: Db<'_>,
    a: &NewAttachment<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "INSERT INTO attachments(application_id, name, mime, sha256, size, content, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![
            a.application_id,
            a.name,
            a.mime,
            a.sha256,
            a.content.len() as i64,
            a.content,
            now,
            a.added_by
        ],
    )?;
    Ok(())
}

/// Marks the application's attachment `name` removed (kept: what went with a submission stays on
/// record).
pub(crate) fn remove_attachment(
    db: Db<'_>,
    app_id: i64,
    name: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE attachments SET removed_at = ?3, removed_by = ?4
         WHERE application_id = ?1 AND name = ?2 AND removed_at IS NULL",
        args![app_id, name, now, by],
    )?;
    Ok(())
}

/// Marks every attachment of the application removed (a package brings its own).
pub(crate) fn remove_attachments(
    db: Db<'_>,
    app_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    db.exec(
        "UPDATE attachments SET removed_at = ?2, removed_by = ?3 WHERE application_id = ?1 AND removed_at IS NULL",
        args![app_id, now, by],
    )?;
    Ok(())
}

// --- applications, around the attachments and the import --------------------------------------

/// Moves the application to its next version (its attachments changed).
pub(crate) fn touch_application(db: Db<'_>, app_id: i64, now: DateTime<Utc>) -> Result<()> {
    db.exec(
        "UPDATE applications SET version = version + 1, updated_at = ?2 WHERE id = ?1",
        args![app_id, now],
    )?;
    Ok(())
}

/// The firm's application that is not final (at most one), if any.
pub(crate) fn open_application(db: Db<'_>, firm_id: i64) -> Result<Option<i64>> {
    let [a, b, c] = FINAL;
    db.first(
        "SELECT id FROM applications WHERE firm_id = ?1 AND state NOT IN (?2, ?3, ?4)",
        args![firm_id, a.as_str(), b.as_str(), c.as_str()],
    )
}

/// The final states: they free the firm to file a new application.
const FINAL: [AppState; 3] = [AppState::Rejected, AppState::Withdrawn, AppState::Revoked];

// --- imported packages -------------------------------------------------------------------------

/// A package imported before.
pub(crate) struct ImportedPackage {
    pub application_id: i64,
    pub imported_at: DateTime<Utc>,
}

pub(crate) fn imported(db: Db<'_>, package_id: &str) -> Result<Option<ImportedPackage>> {
    db.row_opt(
        "SELECT application_id, imported_at FROM imported_packages WHERE package_id = ?1",
        args![package_id],
        |r| {
            Ok(ImportedPackage {
                application_id: r.get(0)?,
                imported_at: r.get(1)?,
            })
        },
    )
}

/// A package's import, recorded.
pub(crate) struct NewImport<'a> {
    pub package_id: &'a str,
    pub sha256: &'a str,
    pub application_id: i64,
    pub submission_no: i64,
    pub imported_by: i64,
}

pub(crate) fn record_import(db: Db<'_>, i: &NewImport<'_>, now: DateTime<Utc>) -> Result<()> {
    db.exec(
        "INSERT INTO imported_packages(package_id, sha256, application_id, submission_no, imported_at, imported_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![
            i.package_id,
            i.sha256,
            i.application_id,
            i.submission_no,
            now,
            i.imported_by
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store's statements of packages and attachments on a migrated database of either
    /// engine.
    fn packages_on(db: Db<'_>) {
        let now = chrono::DateTime::parse_from_rfc3339("2020-02-10T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        use crate::store::settings;
        assert_eq!(settings::mode(db).unwrap(), None);
        assert!(!settings::has_policy(db).unwrap());
        settings::put(db, settings::MODE, "firm").unwrap();
        assert_eq!(settings::mode(db).unwrap().as_deref(), Some("firm"));
        db.exec(
            "INSERT INTO divisions(code, name, short, level, parent) VALUES ('5118', '雅安市', '雅安', 'city', NULL)",
            args![],
        )
        .unwrap();
        db.exec(
            "INSERT INTO industries(division, section, name, department_kind) VALUES ('52', 'F', '零售业', NULL)",
            args![],
        )
        .unwrap();
        let firm: i64 = db
            .one(
                "INSERT INTO firms(credit_code, name, division, township, address, industry, legal_representative,
                    principal_name, principal_phone, contact_name, contact_phone, staff_total, city_managed,
                    created_at, updated_at)
                 VALUES ('X', '甲', '5118', 't', 'a', '52', 'l', 'p', '1', 'c', '2', 1, 0, ?1, ?1) RETURNING id",
                args![now],
            )
            .unwrap();
        let user: i64 = db
            .one(
                "INSERT INTO users(name, role, firm_id, password_hash, password_changed_at, created_at)
                 VALUES ('u', 'firm', ?1, 'h', ?2, ?2) RETURNING id",
                args![firm, now],
            )
            .unwrap();
        let app = |state: AppState| -> i64 {
            db.one(
                "INSERT INTO applications(firm_id, jurisdiction, state, category, planned_date, planned_headcount,
                    plan, created_by, created_at, updated_at)
                 VALUES (?1, '5118', ?2, 'c', '2020-02-10', 1, '{}', ?3, ?4, ?4) RETURNING id",
                args![firm, state.as_str(), user, now],
            )
            .unwrap()
        };
        app(AppState::Withdrawn);
        assert_eq!(open_application(db, firm).unwrap(), None);
        let id = app(AppState::Draft);
        assert_eq!(open_application(db, firm).unwrap(), Some(id));
        for (name, content) in [("a.pdf", &b"%PDF-1.4"[..]), ("b.png", &[0u8, 255, 7][..])] {
            let a = NewAttachment {
                application_id: id,
                name,
                mime: "application/pdf",
                sha256: "00",
                content,
                added_by: user,
            };
            insert_attachment(db, &a, now).unwrap();
        }
        let names = || -> Vec<(String, i64, String)> {
            attachments(db, id)
                .unwrap()
                .into_iter()
                .map(|a| (a.name, a.size, a.added_by))
                .collect()
        };
        assert_eq!(
            names(),
            vec![
                ("a.pdf".into(), 8, "u".into()),
                ("b.png".into(), 3, "u".into())
            ]
        );
        assert_eq!(
            attachment_content(db, id, "b.png").unwrap(),
            Some(vec![0, 255, 7])
        );
        remove_attachment(db, id, "a.pdf", user, now).unwrap();
        assert_eq!(attachment_content(db, id, "a.pdf").unwrap(), None);
        assert_eq!(names().len(), 1);
        remove_attachments(db, id, user, now).unwrap();
        assert!(names().is_empty());
        touch_application(db, id, now).unwrap();
        let version: i64 = db
            .one("SELECT version FROM applications WHERE id = ?1", args![id])
            .unwrap();
        assert_eq!(version, 2);
        assert!(imported(db, "p1").unwrap().is_none());
        let i = NewImport {
            package_id: "p1",
            sha256: "ab",
            application_id: id,
            submission_no: 1,
            imported_by: user,
        };
        record_import(db, &i, now).unwrap();
        let seen = imported(db, "p1").unwrap().unwrap();
        assert_eq!((seen.application_id, seen.imported_at), (id, now));
        assert!(
            record_import(db, &i, now).is_err(),
            "a package is imported once"
        );
    }

    #[test]
    fn packages_on_sqlite() {
        let c = crate::store::open_in_memory().unwrap();
        packages_on(Db::from(&c));
    }

    /// On PostgreSQL when `REOPEN_TEST_PG` names a cluster (scripts/lib/pg.sh starts one).
    #[test]
    fn packages_on_postgres() {
        let Some(pg) = crate::store::testing::postgres() else {
            return;
        };
        packages_on(Db::from(&pg));
    }

    #[test]
    fn the_final_states_are_the_workflows() {
        let fin: Vec<AppState> = AppState::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(fin, FINAL.to_vec());
    }
}

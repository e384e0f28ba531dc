//! The attachments of an application: added and removed while it is being prepared (draft or
//! returned), read by whoever may see it. A removed attachment is kept, marked removed.

use chrono::{DateTime, Utc};

use super::Attachment;
use crate::domain::auth::{Actor, Role};
use crate::domain::package;
use crate::error::{Error, Problems, Result};
use crate::service::apps::{app_core, can_see_app, file_for, forbidden_app, not_editable};
use crate::service::{audit, Reopen};
use crate::store::{self, Db};
use crate::t;

/// The content of the application's attachment in force named `name`.
pub(super) fn attachment_content(db: Db<'_>, app_id: i64, name: &str) -> Result<Vec<u8>> {
    store::packages::attachment_content(db, app_id, name)?.ok_or_else(|| {
        Error::not_found(t!(
            format!("申请 {app_id} 没有名为“{name}”的附件"),
            format!("application {app_id} has no attachment '{name}'")
        ))
    })
}

/// Stores an attachment added by `actor`; its SHA-256 (hex).
pub(super) fn insert_attachment(
    db: Db<'_>,
    actor: &Actor,
    app_id: i64,
    name: &str,
    mime: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<String> {
    let sha = package::sha256_hex(bytes);
    let a = store::packages::NewAttachment {
        application_id: app_id,
        name,
        mime,
        sha256: &sha,
        content: bytes,
        added_by: actor.user_id,
    };
    store::packages::insert_attachment(db, &a, now)?;
    Ok(sha)
}

impl Reopen {
    /// Adds a file (PDF, JPEG or PNG, by its content) to an application being prepared.
    pub fn app_attach(
        &mut self,
        actor: &Actor,
        id: i64,
        name: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Attachment> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("添加附件", "add attachments"),
        )?;
        let mut p = Problems::new();
        let name = p.take("name", package::attachment_name(name));
        let mime = p.take("file", package::check_attachment(bytes));
        p.into_result()?;
        let (Some(name), Some(mime)) = (name, mime) else {
            return Err(Error::internal("attachment"));
        };
        self.check_printable(&[("name".to_string(), name.as_str())])?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            if !core.state.is_editable() {
                return Err(not_editable(core.state));
            }
            let have = store::packages::attachments(tx, id)?;
            if have.iter().any(|a| a.name == name) {
                return Err(Error::conflict(t!(
                    format!("已有同名附件“{name}”，请先删除或改名"),
                    format!("an attachment named '{name}' exists; remove or rename it first")
                )));
            }
            if have.len() >= package::MAX_ATTACHMENTS {
                return Err(Error::field("file", t!(
                    format!("附件最多 {} 个", package::MAX_ATTACHMENTS),
                    format!("at most {} attachments", package::MAX_ATTACHMENTS)
                )));
            }
            let sha = insert_attachment(tx, actor, id, &name, mime, bytes, now)?;
            store::packages::touch_application(tx, id, now)?;
            audit(tx, actor, "app.attach", &format!("app:{id}"), None,
                Some(&serde_json::json!({"name": name, "mime": mime, "sha256": sha, "size": bytes.len()})), now)?;
            store::packages::attachments(tx, id)?
                .into_iter()
                .find(|a| a.name == name)
                .ok_or_else(|| Error::internal("attachment"))
        })
    }

    pub fn app_attachments(&self, actor: &Actor, id: i64) -> Result<Vec<Attachment>> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        store::packages::attachments(self.db(), id)
    }

    /// One attachment's content, for whoever may see the application.
    pub fn app_attachment(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
        let core = app_core(self.db(), id)?;
        if !can_see_app(self.db(), actor, &core)? {
            return Err(forbidden_app());
        }
        let bytes = attachment_content(self.db(), id, name)?;
        let meta = store::packages::attachments(self.db(), id)?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| Error::internal("attachment"))?;
        Ok((meta, bytes))
    }

    /// Removes an attachment from an application being prepared (draft or returned).
    pub fn app_detach(
        &mut self,
        actor: &Actor,
        id: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        actor.require(
            &[Role::Firm, Role::Clerk],
            &t!("删除附件", "remove attachments"),
        )?;
        self.write(|tx| {
            let core = app_core(tx, id)?;
            file_for(tx, actor, &core)?;
            if !core.state.is_editable() {
                return Err(not_editable(core.state));
            }
            let bytes = attachment_content(tx, id, name)?;
            // Kept, marked removed: an attachment that went with a submission stays on record.
            store::packages::remove_attachment(tx, id, name, actor.user_id, now)?;
            store::packages::touch_application(tx, id, now)?;
            audit(
                tx,
                actor,
                "app.detach",
                &format!("app:{id}"),
                Some(&serde_json::json!({"name": name, "sha256": package::sha256_hex(&bytes)})),
                None,
                now,
            )?;
            Ok(())
        })
    }
}

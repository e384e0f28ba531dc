//! The export of an application as a package: what the firm brings to the counter (or an office
//! copy, its roster masked).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::attachments::attachment_content;
use super::{mode_of, ExportReport};
use crate::domain::auth::{Actor, Role};
use crate::domain::package::{self, Package, PackageApplication, PackageAttachment, PackageOrigin};
use crate::domain::roster::{self, RosterRecord};
use crate::error::{Error, Result};
use crate::service::apps::{
    app_core, application, can_see_app, forbidden_app, load_roster, roster_disclosure, Disclosure,
};
use crate::service::firms::{firm_by_code, Firm};
use crate::service::{audit, ts, Reopen};
use crate::store;
use crate::t;

/// A roster record as a package row: the cells a roster file would hold.
fn roster_row(r: &RosterRecord) -> BTreeMap<String, String> {
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let cells = [
        ("name", r.name.clone()),
        ("id_number", r.id_number.clone()),
        ("phone", r.phone.clone()),
        ("post", r.post.clone()),
        ("home_region", r.home_region.clone()),
        (
            "from_elsewhere",
            if r.from_elsewhere { "是" } else { "否" }.to_string(),
        ),
        ("from_region", r.from_region.clone()),
        ("return_date", d(r.return_date)),
        ("observation_start", d(r.observation_start)),
        ("observation_end", d(r.observation_end)),
        ("health", r.health.as_str().to_string()),
    ];
    cells.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn firm_json(f: &Firm) -> Value {
    serde_json::json!({
        "credit_code": f.credit_code, "name": f.name, "division": f.division, "township": f.township,
        "address": f.address, "industry": f.industry, "legal_representative": f.legal_representative,
        "principal": f.principal, "contact": f.contact, "staff_total": f.staff_total,
        "city_managed": f.city_managed,
    })
}

impl Reopen {
    /// Writes the application as a package (plan, roster, attachments, checksum) through `write`
    /// (the caller's atomic file write). The firm itself, a clerk who may see it, or the
    /// administrator; any state. The export is audited only if the file was written.
    pub fn app_export(
        &mut self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
        write: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<ExportReport> {
        actor.require(
            &[Role::Firm, Role::Clerk, Role::Admin],
            &t!("导出申报包", "export application packages"),
        )?;
        let sealer = self.sealer();
        self.write(|tx| {
            let core = app_core(tx, id)?;
            if !can_see_app(tx, actor, &core)? {
                return Err(forbidden_app());
            }
            let app = application(tx, id, now)?;
            let firm = firm_by_code(tx, &app.firm.credit_code)?;
            // Full numbers only for whom the reveal rule allows them (the firm itself: its package
            // goes to the counter); a clerk's or the administrator's copy carries them masked.
            let disclosure = roster_disclosure(tx, actor, &core)?;
            let mut records = load_roster(tx, &sealer, id)?;
            if disclosure == Disclosure::Masked {
                for r in &mut records {
                    r.id_number = roster::mask_id(&r.id_number);
                    r.phone = roster::mask_phone(&r.phone);
                }
            }
            let mut attachments = Vec::new();
            for a in store::packages::attachments(tx, id)? {
                let bytes = attachment_content(tx, id, &a.name)?;
                attachments.push(PackageAttachment {
                    name: a.name,
                    mime: a.mime,
                    sha256: a.sha256,
                    content_base64: package::encode_base64(&bytes),
                });
            }
            let pkg = Package {
                format: package::FORMAT.into(),
                version: package::VERSION,
                package_id: package::new_package_id(),
                created_at: ts(now),
                firm: firm_json(&firm),
                application: PackageApplication {
                    plan: serde_json::to_value(&app.plan)?,
                    roster: records.iter().map(roster_row).collect(),
                    attachments,
                },
                origin: Some(PackageOrigin {
                    application_id: id,
                    state: app.state.as_str().into(),
                    submission_no: app.submission_no,
                    exported_by: actor.name.clone(),
                    mode: mode_of(tx)?.as_str().into(),
                }),
                sha256: String::new(),
            };
            let n_att = pkg.application.attachments.len() as u32;
            let (pkg, bytes) = package::seal(pkg)?;
            if bytes.len() > package::MAX_PACKAGE_BYTES {
                return Err(Error::field("package", t!(
                    format!("申报包超过 {} MB 上限，请压缩附件", package::MAX_PACKAGE_BYTES / 1024 / 1024),
                    format!("the package exceeds {} MB; make the attachments smaller", package::MAX_PACKAGE_BYTES / 1024 / 1024)
                )));
            }
            write(&bytes)?;
            audit(tx, actor, "app.export", &format!("app:{id}"), None,
                Some(&serde_json::json!({"package_id": pkg.package_id, "sha256": pkg.sha256, "bytes": bytes.len(),
                    "roster": disclosure.as_str(), "roster_rows": records.len()})), now)?;
            Ok(ExportReport {
                package_id: pkg.package_id,
                sha256: pkg.sha256,
                application_id: id,
                credit_code: firm.credit_code,
                state: app.state,
                roster_rows: records.len() as u32,
                roster_masked: disclosure == Disclosure::Masked,
                attachments: n_att,
                bytes: bytes.len() as u32,
            })
        })
    }
}

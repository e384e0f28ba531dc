//! The import of a package at the counter: checked like an application filed here, then taken
//! whole in one transaction through the office's own use cases, or not at all.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::attachments::insert_attachment;
use super::{mode_of, ImportReport, Mode};
use crate::domain::auth::{Actor, Role};
use crate::domain::firm::FirmInput;
use crate::domain::package::{self, Package};
use crate::domain::plan::Plan;
use crate::domain::policy::Policy;
use crate::domain::roster;
use crate::error::{Error, ErrorKind, FieldError, Problems, Result};
use crate::service::apps::{app_core, create_tx, not_editable, roster_tx, submit_tx, update_tx};
use crate::service::firms::{firm_by_code, printable_fields, register_tx, Firm};
use crate::service::{audit, load_policy, local_date, local_time, ts, Reopen};
use crate::store;
use crate::t;

/// Package rows as the table a roster file would be: a header of the known columns (then any
/// unknown ones, which the roster reader refuses by name), one line per row.
fn roster_table(rows: &[BTreeMap<String, String>]) -> Vec<Vec<String>> {
    let mut header: Vec<String> = package::ROSTER_KEYS.iter().map(|k| k.to_string()).collect();
    for r in rows {
        for k in r.keys() {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let mut table = vec![header.clone()];
    for r in rows {
        table.push(
            header
                .iter()
                .map(|k| r.get(k).cloned().unwrap_or_default())
                .collect(),
        );
    }
    table
}

/// Which of the office's firm details the package states differently.
fn firm_differences(office: &Firm, pkg: &FirmInput) -> Vec<&'static str> {
    let mut out = Vec::new();
    let pairs: [(&'static str, bool); 9] = [
        ("name", office.name == pkg.name),
        ("division", office.division == pkg.division.as_str()),
        ("township", office.township == pkg.township),
        ("address", office.address == pkg.address),
        ("industry", office.industry == pkg.industry.as_str()),
        (
            "legal_representative",
            office.legal_representative == pkg.legal_representative,
        ),
        ("principal", office.principal == pkg.principal),
        ("contact", office.contact == pkg.contact),
        ("staff_total", office.staff_total == pkg.staff_total),
    ];
    for (k, same) in pairs {
        if !same {
            out.push(k);
        }
    }
    out
}

fn prefixed(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|f| FieldError::new(format!("{prefix}{}", f.field), f.message))
        .collect()
}

/// Everything in a package checked before any write, every problem at once: the firm (fields
/// `firm.*`), the plan (as `app_create` names them), the roster rows (`roster[n].*`, as
/// `app_roster_replace`) and the attachments (`attachments[i]`).
struct Checked {
    firm: FirmInput,
    plan: Plan,
    rows: Vec<(usize, roster::RawRow)>,
    attachments: Vec<(String, &'static str, Vec<u8>)>,
}

fn check_package(p: &Package, policy: &Policy, now: DateTime<Utc>) -> Result<Checked> {
    let masked = |r: &BTreeMap<String, String>| {
        ["id_number", "phone"]
            .iter()
            .any(|k| r.get(*k).is_some_and(|v| v.contains('*')))
    };
    if p.application.roster.iter().any(masked) {
        return Err(Error::field(
            "package",
            t!(
                "该申报包的花名册身份证号、手机号已脱敏（窗口或管理员导出的副本），不能受理；请企业在本机导出申报包",
                "the package's roster has masked ID and phone numbers (an office copy) and cannot be imported; the firm must export it from its own PC"
            ),
        ));
    }
    let max_rows = policy.roster.max_rows as usize;
    if p.application.roster.len() > max_rows {
        return Err(Error::field(
            "package",
            t!(
                format!(
                    "申报包的花名册有 {} 行，最多 {max_rows} 行",
                    p.application.roster.len()
                ),
                format!(
                    "the package's roster has {} rows; at most {max_rows} are allowed",
                    p.application.roster.len()
                )
            ),
        ));
    }
    let mut problems = Problems::new();
    let firm = match FirmInput::from_json(&p.firm) {
        Ok(f) => Some(f),
        Err(e) => {
            problems.0.extend(prefixed("firm.", e));
            None
        }
    };
    let plan = match Plan::from_json(&p.application.plan, policy) {
        Ok(plan) => Some(plan),
        Err(e) => {
            problems.0.extend(e);
            None
        }
    };
    let rows = match roster::rows_from_table(roster_table(&p.application.roster)) {
        Ok(rows) => {
            if let Err(e) = roster::check_rows(&rows, &|r| policy.is_key_area(r), local_date(now)) {
                problems.0.extend(e);
            }
            rows
        }
        Err(e) => {
            problems.0.extend(e);
            Vec::new()
        }
    };
    let mut attachments = Vec::new();
    if p.application.attachments.len() > package::MAX_ATTACHMENTS {
        problems.add(
            "attachments",
            t!(
                format!("附件最多 {} 个", package::MAX_ATTACHMENTS),
                format!("at most {} attachments", package::MAX_ATTACHMENTS)
            ),
        );
    }
    for (i, a) in p.application.attachments.iter().enumerate() {
        match package::decode_attachment(a) {
            Ok(x)
                if attachments
                    .iter()
                    .any(|(n, _, _): &(String, _, _)| *n == x.0) =>
            {
                problems.add(
                    format!("attachments[{i}]"),
                    t!(
                        format!("附件“{}”重名", x.0),
                        format!("attachment '{}' appears twice", x.0)
                    ),
                )
            }
            Ok(x) => attachments.push(x),
            Err(e) => problems.add(format!("attachments[{i}]"), e),
        }
    }
    problems.into_result()?;
    let firm = firm.ok_or_else(|| Error::internal("firm"))?;
    let plan = plan.ok_or_else(|| Error::internal("plan"))?;
    Ok(Checked {
        firm,
        plan,
        rows,
        attachments,
    })
}

impl Reopen {
    /// Imports a package at the counter (a clerk of the firm's jurisdiction, or the
    /// administrator): checked like an application filed here, then in one transaction the firm is
    /// registered if new, its open draft or returned application is continued (a resubmission
    /// after a return becomes the next submission of the same application) or a new one opened,
    /// the plan, roster and attachments stored and the application submitted. Any failure stores
    /// nothing; a package is imported once.
    pub fn app_import(
        &mut self,
        actor: &Actor,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ImportReport> {
        actor.require(
            &[Role::Clerk, Role::Admin],
            &t!("受理申报包", "import application packages"),
        )?;
        let pkg = package::parse(bytes).map_err(Error::validation)?;
        if mode_of(self.db())? == Mode::Firm {
            return Err(Error::forbidden(t!(
                "企业自用模式的数据库不能受理申报包",
                "a firm-mode database does not import packages"
            )));
        }
        let policy = load_policy(self.db())?;
        let checked = check_package(&pkg, &policy, now)?;
        if actor.role == Role::Clerk && !actor.covers(checked.firm.division.as_str()) {
            return Err(Error::forbidden(t!(
                "只能受理本辖区企业的申报包",
                "you may only import packages of firms of your jurisdiction"
            )));
        }
        let mut printable: Vec<(String, &str)> = printable_fields(&checked.firm)
            .into_iter()
            .map(|(f, v)| (format!("firm.{f}"), v))
            .collect();
        printable.extend(checked.rows.iter().filter_map(|(line, r)| {
            r.get("name")
                .map(|n| (format!("roster[{line}].name"), n.as_str()))
        }));
        printable.extend(checked.plan.printed_text());
        printable.extend(
            checked
                .attachments
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("attachments[{i}]"), a.0.as_str())),
        );
        self.check_printable(&printable)?;
        let sha = pkg.sha256.to_ascii_lowercase();
        let sealer = self.sealer();
        self.write(|tx| {
            if let Some(seen) = store::packages::imported(tx, &pkg.package_id)? {
                let (app_id, at) = (seen.application_id, ts(seen.imported_at));
                return Err(Error::conflict(t!(
                    format!("该申报包已于 {} 受理（申请 {app_id}），不能重复导入", local_time(seen.imported_at)),
                    format!("this package was already imported at {at} (application {app_id})")
                )));
            }
            let (firm, firm_registered, mut warnings) = match firm_by_code(tx, checked.firm.credit_code.as_str()) {
                Ok(f) => {
                    if actor.role == Role::Clerk && !actor.covers(&f.division) {
                        return Err(Error::forbidden(t!(
                            "只能受理本辖区企业的申报包",
                            "you may only import packages of firms of your jurisdiction"
                        )));
                    }
                    let diff = firm_differences(&f, &checked.firm);
                    let w = if diff.is_empty() { vec![] } else {
                        vec![t!(
                            format!("申报包中的企业信息与本窗口登记的不同（{}），以登记信息为准；如需更改请修改企业信息", diff.join("、")),
                            format!("the package's firm details differ from the record here ({}); the record stands: update the firm to change it", diff.join(", "))
                        )]
                    };
                    (f, false, w)
                }
                Err(e) if e.kind == ErrorKind::NotFound => (register_tx(tx, actor, &checked.firm, now)?, true, vec![]),
                Err(e) => return Err(e),
            };
            warnings.extend(firm.warnings.iter().cloned());
            let plan = &pkg.application.plan;
            let open = store::packages::open_application(tx, firm.id)?;
            let (app_id, matched) = match open {
                Some(app_id) => {
                    let core = app_core(tx, app_id)?;
                    if !core.state.is_editable() {
                        return Err(Error::conflict(t!(
                            format!("该企业已有{}的申请（编号 {app_id}），不能再受理申报包", core.state.zh()),
                            format!("the firm already has an application {app_id} in state {}; the package cannot be taken", core.state.as_str())
                        )));
                    }
                    update_tx(tx, actor, &core, plan, None, now)?;
                    (app_id, true)
                }
                None => (create_tx(tx, actor, &firm, plan, now)?.id, false),
            };
            let source = format!("package:{}", pkg.package_id);
            roster_tx(tx, &sealer, actor, &app_core(tx, app_id)?, &checked.rows, &source, None, now)?;
            store::packages::remove_attachments(tx, app_id, actor.user_id, now)?;
            for (name, mime, bytes) in &checked.attachments {
                insert_attachment(tx, actor, app_id, name, mime, bytes, now)?;
            }
            let core = app_core(tx, app_id)?;
            if !core.state.is_editable() {
                return Err(not_editable(core.state));
            }
            let app = submit_tx(tx, &sealer, actor, &core, &firm, None, now)?;
            let import = store::packages::NewImport {
                package_id: &pkg.package_id,
                sha256: &sha,
                application_id: app_id,
                submission_no: app.submission_no,
                imported_by: actor.user_id,
            };
            store::packages::record_import(tx, &import, now)?;
            audit(tx, actor, "app.import", &format!("app:{app_id}"), None, Some(&serde_json::json!({
                "package_id": pkg.package_id, "sha256": sha, "submission_no": app.submission_no,
                "firm_registered": firm_registered, "matched_application": matched,
                "attachments": checked.attachments.len(), "origin": pkg.origin,
            })), now)?;
            Ok(ImportReport {
                package_id: pkg.package_id.clone(),
                sha256: sha.clone(),
                firm_registered,
                matched_application: matched,
                application: app,
                attachments: checked.attachments.len() as u32,
                warnings,
            })
        })
    }
}

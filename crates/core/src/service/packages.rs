//! Application packages: a firm prepares its application on its own PC and brings one file to the
//! counter, where it is imported and validated exactly like an application filed in the office.
//! Also the firm mode (a database on the firm's own PC) and the attachments of an application.
//!
//! The import composes the office's own use cases (`register_tx`, `create_tx`, `update_tx`,
//! `roster_tx`, `submit_tx`) in ONE immediate transaction: a package is taken whole or not at all.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use super::apps::{
    app_core, application, can_see_app, create_tx, file_for, forbidden_app, load_roster,
    not_editable, roster_tx, submit_tx, update_tx, Application, Disclosure,
};
use super::firms::{firm_by_code, printable_fields, register_tx, Firm};
use super::users::{insert_user, load_actor, NewUserRow};
use super::{audit, load_policy, local_date, system, ts, Reopen};
use crate::audit as chain;
use crate::domain::auth::{Actor, Role};
use crate::domain::firm::FirmInput;
use crate::domain::package::{self, Package, PackageApplication, PackageAttachment, PackageOrigin};
use crate::domain::plan::Plan;
use crate::domain::policy::Policy;
use crate::domain::roster::{self, RosterRecord};
use crate::domain::workflow::AppState;
use crate::error::{Error, ErrorKind, FieldError, Problems, Result, Text};
use crate::store::Db;
use crate::t;

/// Where this database runs: the office (the default) or a firm's own PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Office,
    Firm,
}

/// An application's attachment (its content is a separate read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
    pub added_by: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FirmModeReport {
    pub firm: Firm,
    pub user: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportReport {
    pub package_id: String,
    pub sha256: String,
    pub application_id: i64,
    pub credit_code: String,
    pub state: AppState,
    pub roster_rows: u32,
    /// The roster's ID and phone numbers are masked (an office copy: such a package is not
    /// importable). Full numbers go only to whom the reveal rule allows them.
    pub roster_masked: bool,
    pub attachments: u32,
    pub bytes: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportReport {
    pub package_id: String,
    pub sha256: String,
    /// The firm was not known here and was registered from the package.
    pub firm_registered: bool,
    /// The package continued the firm's application here (a draft, or a resubmission after a
    /// return) rather than opening a new one.
    pub matched_application: bool,
    pub application: Application,
    pub attachments: u32,
    /// E.g. the package's firm details differ from the office's record (the office's stands).
    pub warnings: Vec<Text>,
}

pub(crate) fn mode_of(conn: Db<'_>) -> Result<Mode> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = 'mode'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(if v.as_deref() == Some("firm") {
        Mode::Firm
    } else {
        Mode::Office
    })
}

/// In firm mode nothing is submitted from this PC: the firm exports a package instead.
pub(crate) fn refuse_in_firm_mode(conn: Db<'_>) -> Result<()> {
    if mode_of(conn)? == Mode::Firm {
        return Err(Error::forbidden(t!(
            "本机为企业自用模式,不能直接提交:请导出申报包(reopen app export),带到政务服务窗口受理",
            "this is a firm's own PC (firm mode): nothing is submitted from here; export the application package (reopen app export) and bring it to the service counter"
        )));
    }
    Ok(())
}

fn attachment_rows(conn: Db<'_>, app_id: i64) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name, a.mime, a.sha256, a.size, a.added_at, COALESCE(u.name, '')
         FROM attachments a LEFT JOIN users u ON u.id = a.added_by
         WHERE a.application_id = ?1 AND a.removed_at IS NULL ORDER BY a.id",
    )?;
    let rows = stmt.query_map([app_id], |r| {
        Ok(Attachment {
            id: r.get(0)?,
            name: r.get(1)?,
            mime: r.get(2)?,
            sha256: r.get(3)?,
            size: r.get(4)?,
            added_at: r.get(5)?,
            added_by: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn attachment_content(conn: Db<'_>, app_id: i64, name: &str) -> Result<Vec<u8>> {
    conn.query_row(
        "SELECT content FROM attachments WHERE application_id = ?1 AND name = ?2 AND removed_at IS NULL",
        params![app_id, name],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        Error::not_found(t!(
            format!("申请 {app_id} 没有名为“{name}”的附件"),
            format!("application {app_id} has no attachment '{name}'")
        ))
    })
}

fn insert_attachment(
    conn: Db<'_>,
    actor: &Actor,
    app_id: i64,
    name: &str,
    mime: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<String> {
    let sha = package::sha256_hex(bytes);
    conn.execute(
        "INSERT INTO attachments(application_id, name, mime, sha256, size, content, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![app_id, name, mime, sha, bytes.len() as i64, bytes, ts(now), actor.user_id],
    )?;
    Ok(sha)
}

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

fn firm_json(f: &Firm) -> Value {
    serde_json::json!({
        "credit_code": f.credit_code, "name": f.name, "division": f.division, "township": f.township,
        "address": f.address, "industry": f.industry, "legal_representative": f.legal_representative,
        "principal": f.principal, "contact": f.contact, "staff_total": f.staff_total,
        "city_managed": f.city_managed,
    })
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
    /// Where this database runs (the UI offers "export the package" instead of "submit" in firm mode).
    pub fn mode(&self) -> Result<Mode> {
        mode_of(self.db())
    }

    /// Sets up a new database on a firm's own PC: reference data, policy, the firm (checked as
    /// `firm_register` checks it) and its one user, in one transaction. Nothing is submitted from
    /// such a database; the firm exports an application package for the counter.
    pub fn init_firm_mode(
        &mut self,
        firm: &Value,
        user: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<FirmModeReport> {
        let f = FirmInput::from_json(firm).map_err(Error::validation)?;
        self.check_printable(&printable_fields(&f))?;
        self.write(|tx| {
            let done: i64 = tx.query_row("SELECT count(*) FROM settings WHERE key = 'policy'", [], |r| r.get(0))?;
            if done > 0 {
                return Err(Error::conflict(t!(
                    "该数据库已初始化,企业自用模式只能在新数据库上设置",
                    "the database is already initialised; firm mode is set up on a new database only"
                )));
            }
            let (d, dep, ind) = crate::reference::load_defaults(tx)?;
            tx.execute(
                "INSERT INTO settings(key, value) VALUES ('policy', ?1)",
                params![serde_json::to_string(&Policy::default_policy())?],
            )?;
            tx.execute("INSERT INTO settings(key, value) VALUES ('mode', 'firm')", [])?;
            chain::append(
                tx,
                &system(),
                "init",
                "database",
                None,
                Some(&serde_json::json!({"divisions": d, "departments": dep, "industries": ind, "mode": "firm"})),
                now,
            )?;
            let id = insert_user(
                tx,
                &NewUserRow {
                    name: user,
                    role: Role::Firm,
                    department_id: None,
                    firm_id: None,
                    division: None,
                    password,
                    must_change: false,
                },
                now,
            )
            .map_err(|mut e| {
                // The firm has a `name` too: the user's problems are under `user`.
                for f in &mut e.fields {
                    if f.field == "name" {
                        f.field = "user".into();
                    }
                }
                e
            })?;
            chain::append(
                tx,
                &system(),
                "user.add",
                &format!("user:{id}"),
                None,
                Some(&serde_json::json!({"name": user, "role": "firm"})),
                now,
            )?;
            let actor = load_actor(tx, id)?;
            let firm = register_tx(tx, &actor, &f, now)?;
            Ok(FirmModeReport { firm, user: user.to_string() })
        })
    }

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
            let have = attachment_rows(tx, id)?;
            if have.iter().any(|a| a.name == name) {
                return Err(Error::conflict(t!(
                    format!("已有同名附件“{name}”,请先删除或改名"),
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
            tx.execute("UPDATE applications SET version = version + 1, updated_at = ?2 WHERE id = ?1", params![id, ts(now)])?;
            audit(tx, actor, "app.attach", &format!("app:{id}"), None,
                Some(&serde_json::json!({"name": name, "mime": mime, "sha256": sha, "size": bytes.len()})), now)?;
            attachment_rows(tx, id)?
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
        attachment_rows(self.db(), id)
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
        let meta = attachment_rows(self.db(), id)?
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
            tx.execute(
                "UPDATE attachments SET removed_at = ?3, removed_by = ?4
                 WHERE application_id = ?1 AND name = ?2 AND removed_at IS NULL",
                params![id, name, ts(now), actor.user_id],
            )?;
            tx.execute(
                "UPDATE applications SET version = version + 1, updated_at = ?2 WHERE id = ?1",
                params![id, ts(now)],
            )?;
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
        self.write(|tx| {
            let core = app_core(tx, id)?;
            if !can_see_app(tx, actor, &core)? {
                return Err(forbidden_app());
            }
            let app = application(tx, id, now)?;
            let firm = firm_by_code(tx, &app.firm.credit_code)?;
            // Full numbers only for whom the reveal rule allows them (the firm itself: its package
            // goes to the counter); a clerk's or the administrator's copy carries them masked.
            let disclosure = super::apps::roster_disclosure(tx, actor, &core)?;
            let mut records = load_roster(tx, id)?;
            if disclosure == Disclosure::Masked {
                for r in &mut records {
                    r.id_number = roster::mask_id(&r.id_number);
                    r.phone = roster::mask_phone(&r.phone);
                }
            }
            let mut attachments = Vec::new();
            for a in attachment_rows(tx, id)? {
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
                    mode: match mode_of(tx)? { Mode::Firm => "firm", Mode::Office => "office" }.into(),
                }),
                sha256: String::new(),
            };
            let n_att = pkg.application.attachments.len() as u32;
            let (pkg, bytes) = package::seal(pkg)?;
            if bytes.len() > package::MAX_PACKAGE_BYTES {
                return Err(Error::field("package", t!(
                    format!("申报包超过 {} MB 上限,请压缩附件", package::MAX_PACKAGE_BYTES / 1024 / 1024),
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
        self.write(|tx| {
            let seen: Option<(i64, String)> = tx
                .query_row(
                    "SELECT application_id, imported_at FROM imported_packages WHERE package_id = ?1",
                    [&pkg.package_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((app_id, at)) = seen {
                return Err(Error::conflict(t!(
                    format!("该申报包已于 {} 受理(申请 {app_id}),不能重复导入", super::local_time(super::parse_ts(&at)?)),
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
                            format!("申报包中的企业信息与本窗口登记的不同({}),以登记信息为准;如需更改请修改企业信息", diff.join("、")),
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
            let open: Option<i64> = tx
                .query_row(
                    "SELECT id FROM applications WHERE firm_id = ?1 AND state NOT IN ('rejected','withdrawn','revoked')",
                    [firm.id],
                    |r| r.get(0),
                )
                .optional()?;
            let (app_id, matched) = match open {
                Some(app_id) => {
                    let core = app_core(tx, app_id)?;
                    if !core.state.is_editable() {
                        return Err(Error::conflict(t!(
                            format!("该企业已有{}的申请(编号 {app_id}),不能再受理申报包", core.state.zh()),
                            format!("the firm already has an application {app_id} in state {}; the package cannot be taken", core.state.as_str())
                        )));
                    }
                    update_tx(tx, actor, &core, plan, None, now)?;
                    (app_id, true)
                }
                None => (create_tx(tx, actor, &firm, plan, now)?.id, false),
            };
            let source = format!("package:{}", pkg.package_id);
            roster_tx(tx, actor, &app_core(tx, app_id)?, &checked.rows, &source, None, now)?;
            tx.execute(
                "UPDATE attachments SET removed_at = ?2, removed_by = ?3 WHERE application_id = ?1 AND removed_at IS NULL",
                params![app_id, ts(now), actor.user_id],
            )?;
            for (name, mime, bytes) in &checked.attachments {
                insert_attachment(tx, actor, app_id, name, mime, bytes, now)?;
            }
            let core = app_core(tx, app_id)?;
            if !core.state.is_editable() {
                return Err(not_editable(core.state));
            }
            let app = submit_tx(tx, actor, &core, &firm, None, now)?;
            tx.execute(
                "INSERT INTO imported_packages(package_id, sha256, application_id, submission_no, imported_at, imported_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![pkg.package_id, sha, app_id, app.submission_no, ts(now), actor.user_id],
            )?;
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

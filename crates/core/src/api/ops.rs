//! The operations, one line of request fields and one call each (see the module above).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{run_json, Blob, Op};
use crate::audit::{Anchor, AuditEvent, VerifyReport};
use crate::documents::NoticeKind;
use crate::domain::auth::Actor;
use crate::domain::policy::{Phrases, Policy};
use crate::domain::roster::{RosterRecord, RosterView};
use crate::error::{Lang, Result};
use crate::model::{Bulletin, Firm, Stats};
use crate::service::*;

/// A printed document: the PDF and what the print log says of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Printed<R> {
    pub record: R,
    pub pdf: Blob,
}

/// An attachment and its content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttachmentFile {
    pub attachment: Attachment,
    pub bytes: Blob,
}

/// An exported package and what the export says of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    pub report: ExportReport,
    pub package: Blob,
}

type Runner = fn(Value, &mut crate::Reopen, &Actor, DateTime<Utc>) -> Result<Value>;

macro_rules! ops {
    ($(
        $(#[$doc:meta])*
        $name:ident => $Req:ident $([$before:ident])? {
            $($(#[$fa:meta])* $f:ident : $t:ty),* $(,)?
        } -> $Out:ty = |$c:pat_param, $a:pat_param, $now:pat_param, $r:pat_param| $body:expr;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Serialize, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $Req { $($(#[$fa])* pub $f: $t),* }

            impl Op for $Req {
                const NAME: &'static str = stringify!($name);
                const BEFORE_PASSWORD_CHANGE: bool = ops!(@before $($before)?);
                type Output = $Out;
                fn run(self, core: &mut crate::Reopen, actor: &Actor, now: DateTime<Utc>) -> Result<$Out> {
                    let $c = core;
                    let $a = actor;
                    let $now = now;
                    let $r = self;
                    $body
                }
            }
        )*

        /// Every operation's name, in the order of this list.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        pub(super) fn find(name: &str) -> Option<Runner> {
            match name {
                $(stringify!($name) => Some(run_json::<$Req> as Runner),)*
                _ => None,
            }
        }

        pub(super) fn before_password_change(name: &str) -> bool {
            match name {
                $(stringify!($name) => <$Req as Op>::BEFORE_PASSWORD_CHANGE,)*
                _ => false,
            }
        }
    };
    (@before before) => { true };
    (@before) => { false };
}

ops! {
    // Firms
    /// Registers a firm (its fields as the firm form has them).
    firm_register => FirmRegister { firm: Value } -> Firm
        = |c, a, now, r| c.firm_register(a, &r.firm, now);
    firm_update => FirmUpdate {
        credit_code: String, firm: Value, #[serde(default)] expect_version: Option<i64>,
    } -> Firm = |c, a, now, r| c.firm_update(a, &r.credit_code, &r.firm, r.expect_version, now);
    firm_show => FirmShow { credit_code: String } -> Firm
        = |c, a, _, r| c.firm_show(a, &r.credit_code);
    /// The firm of a firm's user, if it registered one.
    my_firm => MyFirm {} -> Option<Firm> = |c, a, _, _| c.firm_mine(a);
    firm_count => FirmCount {
        #[serde(default)] division: Option<String>, #[serde(default)] search: Option<String>,
    } -> i64 = |c, a, _, r| c.firm_count(a, r.division.as_deref(), r.search.as_deref());
    firm_list => FirmList {
        #[serde(default)] division: Option<String>,
        #[serde(default)] search: Option<String>,
        #[serde(default)] limit: Option<u32>,
        #[serde(default)] offset: Option<u32>,
    } -> Vec<FirmRow> = |c, a, _, r| {
        c.firm_list(a, r.division.as_deref(), r.search.as_deref(), r.limit, r.offset)
    };

    // Applications
    app_create => AppCreate { credit_code: String, plan: Value } -> Application
        = |c, a, now, r| c.app_create(a, &r.credit_code, &r.plan, now);
    app_update => AppUpdate {
        id: i64, plan: Value, #[serde(default)] expect_version: Option<i64>,
    } -> Application = |c, a, now, r| c.app_update(a, r.id, &r.plan, r.expect_version, now);
    /// Replaces the roster with a file's rows (.xlsx, .xls, .ods or .csv, by its name).
    app_roster_replace => AppRosterReplace {
        id: i64, file_name: String, bytes: Blob, #[serde(default)] expect_version: Option<i64>,
    } -> Application = |c, a, now, r| {
        c.app_roster_replace(a, r.id, &r.file_name, &r.bytes.0, r.expect_version, now)
    };
    /// The roster file with its errors marked (.xlsx).
    roster_error_report => RosterErrorReport { file_name: String, bytes: Blob, lang: Lang } -> Blob
        = |c, a, now, r| c.roster_error_report(a, &r.file_name, &r.bytes.0, r.lang, now).map(Blob);
    app_submit => AppSubmit { id: i64, #[serde(default)] expect_version: Option<i64> } -> Application
        = |c, a, now, r| c.app_submit(a, r.id, r.expect_version, now);
    app_withdraw => AppWithdraw { id: i64 } -> Application
        = |c, a, now, r| c.app_withdraw(a, r.id, now);
    app_show => AppShow { id: i64 } -> Application = |c, a, now, r| c.app_show(a, r.id, now);
    app_list => AppList { #[serde(default)] filter: AppFilter } -> Vec<AppRow>
        = |c, a, _, r| c.app_list(a, &r.filter);
    app_count => AppCount { #[serde(default)] filter: AppFilter } -> i64
        = |c, a, _, r| c.app_count(a, &r.filter);
    /// The stages passed, under review and to come, with their deadlines.
    app_path => AppPathOp { id: i64 } -> AppPath = |c, a, _, r| c.app_path(a, r.id);
    /// The firm's own copy of its certificate (audited as `cert.copy`, not a clerk's print).
    app_certificate_copy => AppCertificateCopy { id: i64 } -> Printed<Certificate>
        = |c, a, now, r| {
            let fonts = c.doc_fonts()?;
            let mut pdf = Vec::new();
            let (record, _) = c.app_certificate_copy_staged(
                a,
                r.id,
                &fonts,
                now,
                |b| {
                    pdf = b.to_vec();
                    Ok(())
                },
                |_| Ok(()),
            )?;
            Ok(Printed { record, pdf: Blob(pdf) })
        };
    // Messages (站内消息)
    messages => MessagesOp {} -> Messages = |c, a, _, _| c.messages(a);
    /// Marks messages read (all of them when `keys` is empty).
    messages_read => MessagesRead { #[serde(default)] keys: Vec<String> } -> usize
        = |c, a, now, r| c.messages_read(a, &r.keys, now);
    app_roster => AppRoster {
        id: i64, #[serde(default)] limit: Option<u32>, #[serde(default)] offset: Option<u32>,
    } -> Vec<RosterView> = |c, a, _, r| c.app_roster(a, r.id, r.limit, r.offset);
    /// The roster with its ID and phone numbers in full (audited).
    app_roster_reveal => AppRosterReveal { id: i64 } -> Vec<RosterRecord>
        = |c, a, now, r| c.app_roster_reveal(a, r.id, now);
    app_versions => AppVersions { id: i64 } -> Vec<SubmissionInfo>
        = |c, a, _, r| c.app_versions(a, r.id);
    app_diff => AppDiff {
        id: i64, #[serde(default)] from: Option<i64>, #[serde(default)] to: Option<i64>,
    } -> Diff = |c, a, _, r| c.app_diff(a, r.id, r.from, r.to);

    // Packages and attachments
    app_export => AppExport { id: i64 } -> Exported = |c, a, now, r| {
        let mut package = Vec::new();
        let report = c.app_export(a, r.id, now, |b| {
            package = b.to_vec();
            Ok(())
        })?;
        Ok(Exported { report, package: Blob(package) })
    };
    app_import => AppImport { bytes: Blob } -> ImportReport
        = |c, a, now, r| c.app_import(a, &r.bytes.0, now);
    app_attach => AppAttach { id: i64, name: String, bytes: Blob } -> Attachment
        = |c, a, now, r| c.app_attach(a, r.id, &r.name, &r.bytes.0, now);
    app_attachments => AppAttachments { id: i64 } -> Vec<Attachment>
        = |c, a, _, r| c.app_attachments(a, r.id);
    app_attachment => AppAttachment { id: i64, name: String } -> AttachmentFile
        = |c, a, _, r| {
            let (attachment, bytes) = c.app_attachment(a, r.id, &r.name)?;
            Ok(AttachmentFile { attachment, bytes: Blob(bytes) })
        };
    app_detach => AppDetach { id: i64, name: String } -> ()
        = |c, a, now, r| c.app_detach(a, r.id, &r.name, now);

    // Review
    review_queue => ReviewQueue { #[serde(default)] filter: QueueFilter } -> Vec<QueueRow>
        = |c, a, now, r| c.review_queue(a, &r.filter, now);
    /// How many tasks the queue holds under the filter (its page aside).
    review_queue_count => ReviewQueueCount { #[serde(default)] filter: QueueFilter } -> i64
        = |c, a, now, r| c.review_queue_count(a, &r.filter, now);
    review_decide => ReviewDecide { id: i64, decision: Decision } -> Application
        = |c, a, now, r| c.review_decide(a, r.id, &r.decision, now);
    /// The stock opinions and standard conditions a reviewer picks from.
    review_phrases => ReviewPhrases {} -> Phrases = |c, a, _, _| c.review_phrases(a);
    /// A page of the roster filtered by health concern, with the counts of each.
    review_roster => ReviewRoster { id: i64, #[serde(default)] filter: RosterFilter } -> RosterPage
        = |c, a, _, r| c.review_roster(a, r.id, &r.filter);

    // Certificates and printed documents
    cert_issue => CertIssue { app_id: i64 } -> Certificate
        = |c, a, now, r| c.cert_issue(a, r.app_id, now);
    cert_show => CertShow { number: String } -> Certificate
        = |c, a, _, r| c.cert_show(a, &r.number);
    cert_list => CertList {
        #[serde(default)] state: Option<String>,
        #[serde(default)] unprinted: bool,
        #[serde(default)] limit: Option<u32>,
        #[serde(default)] offset: Option<u32>,
    } -> Vec<Certificate> = |c, a, _, r| {
        c.cert_list(a, r.state.as_deref(), r.unprinted, r.limit, r.offset)
    };
    cert_count => CertCount {
        #[serde(default)] state: Option<String>, #[serde(default)] unprinted: bool,
    } -> i64 = |c, a, _, r| c.cert_count(a, r.state.as_deref(), r.unprinted);
    cert_unprinted_numbers => CertUnprintedNumbers {} -> Vec<String>
        = |c, a, _, _| c.cert_unprinted_numbers(a);
    cert_void => CertVoid { number: String, reason: String } -> Certificate
        = |c, a, now, r| c.cert_void(a, &r.number, &r.reason, now);
    cert_revoke => CertRevoke { number: String, reason: String } -> Certificate
        = |c, a, now, r| c.cert_revoke(a, &r.number, &r.reason, now);
    /// One print of a certificate: logged with the PDF it answers (a copy the caller fails to
    /// keep is printed again as the next copy, 补打).
    cert_print => CertPrint { number: String } -> Printed<PrintRecord> = |c, a, now, r| {
        let mut pdf = Vec::new();
        let fonts = c.doc_fonts()?;
        let record = c.cert_print(a, &r.number, &fonts, now, |b| {
            pdf = b.to_vec();
            Ok(())
        })?;
        Ok(Printed { record, pdf: Blob(pdf) })
    };
    /// The application form with its review so far (audited).
    form_print => FormPrint { app_id: i64 } -> Printed<usize> = |c, a, now, r| {
        let mut pdf = Vec::new();
        let fonts = c.doc_fonts()?;
        let record = c.form_print(a, r.app_id, &fonts, now, |b| {
            pdf = b.to_vec();
            Ok(())
        })?;
        Ok(Printed { record, pdf: Blob(pdf) })
    };
    /// A counter document: 受理回执, 退回补正告知书 or 不予批准决定书 (audited).
    notice_print => NoticePrintOp { app_id: i64, kind: NoticeKind } -> Printed<NoticePrint>
        = |c, a, now, r| {
            let mut pdf = Vec::new();
            let fonts = c.doc_fonts()?;
            let record = c.notice_print(a, r.app_id, r.kind, &fonts, now, |b| {
                pdf = b.to_vec();
                Ok(())
            })?;
            Ok(Printed { record, pdf: Blob(pdf) })
        };
    cert_public_keys => CertPublicKeys {} -> Vec<PublicKeyInfo>
        = |c, _, _, _| c.cert_public_keys();
    cert_key_rotate => CertKeyRotate {} -> KeyRotation = |c, a, now, _| c.cert_key_rotate(a, now);

    // Daily reports
    daily_file => DailyFile { credit_code: String, report: Value } -> DailyReportRow
        = |c, a, now, r| c.daily_file(a, &r.credit_code, &r.report, now);
    daily_list => DailyList {
        credit_code: String, #[serde(default)] limit: Option<u32>, #[serde(default)] offset: Option<u32>,
    } -> Vec<DailyReportRow> = |c, a, _, r| c.daily_list(a, &r.credit_code, r.limit, r.offset);
    daily_count => DailyCount { credit_code: String } -> i64
        = |c, a, _, r| c.daily_count(a, &r.credit_code);
    daily_due => DailyDue { credit_code: String } -> Vec<ComplianceRow>
        = |c, a, now, r| c.daily_due(a, &r.credit_code, now);
    daily_status => DailyStatusOp { #[serde(default)] filter: StatusFilter } -> DailyStatus
        = |c, a, now, r| c.daily_status(a, &r.filter, now);
    daily_compliance => DailyCompliance { from: NaiveDate, to: NaiveDate } -> Vec<ComplianceDay>
        = |c, a, now, r| c.daily_compliance(a, r.from, r.to, now);
    daily_flags => DailyFlags {} -> Vec<DailyReportRow> = |c, a, _, _| c.daily_flags(a);
    daily_flag_handle => DailyFlagHandle { report_id: i64, note: String } -> DailyReportRow
        = |c, a, now, r| c.daily_flag_handle(a, r.report_id, &r.note, now);
    daily_status_xlsx => DailyStatusXlsx { #[serde(default)] date: Option<NaiveDate> } -> Blob
        = |c, a, now, r| c.daily_status_xlsx(a, r.date, now).map(Blob);

    // Statistics and exports
    stats => StatsOp { #[serde(default)] query: StatsQuery } -> Stats
        = |c, a, now, r| c.stats(a, &r.query, now);
    dashboard => DashboardOp {
        #[serde(default)] from: Option<NaiveDate>, #[serde(default)] to: Option<NaiveDate>,
    } -> Dashboard = |c, a, now, r| c.dashboard(a, r.from, r.to, now);
    dashboard_xlsx => DashboardXlsx {
        #[serde(default)] from: Option<NaiveDate>, #[serde(default)] to: Option<NaiveDate>,
    } -> Blob = |c, a, now, r| c.dashboard_xlsx(a, r.from, r.to, now).map(Blob);
    /// 办事指南: conditions, materials, steps, deadlines and consulting phones from the policy.
    guide => GuideOp {} -> Guide = |c, _, _, _| c.guide();
    /// The blank commitment (承诺书) as a PDF.
    commitment_template => CommitmentTemplate {} -> Blob = |c, _, now, _| {
        let fonts = c.doc_fonts()?;
        c.commitment_template(&fonts, now).map(Blob)
    };
    bulletin => BulletinOp { #[serde(default)] date: Option<NaiveDate> } -> Bulletin
        = |c, a, now, r| c.bulletin(a, r.date, now);
    bulletin_xlsx => BulletinXlsx { #[serde(default)] date: Option<NaiveDate> } -> Blob
        = |c, a, now, r| c.bulletin_xlsx(a, r.date, now).map(Blob);
    bulletin_pdf => BulletinPdf { #[serde(default)] date: Option<NaiveDate> } -> Blob
        = |c, a, now, r| {
            let fonts = c.doc_fonts()?;
            c.bulletin_pdf(a, r.date, &fonts, now).map(Blob)
        };
    app_list_xlsx => AppListXlsx { #[serde(default)] filter: AppFilter } -> Blob
        = |c, a, _, r| c.app_list_xlsx(a, &r.filter).map(Blob);
    roster_xlsx => RosterXlsx { id: i64 } -> Blob = |c, a, _, r| c.roster_xlsx(a, r.id).map(Blob);

    // Users
    user_add => UserAdd { user: NewUser } -> UserCreated = |c, a, now, r| c.user_add(a, &r.user, now);
    user_list => UserList {} -> Vec<UserRow> = |c, a, _, _| c.user_list(a);
    user_disable => UserDisable { name: String } -> () = |c, a, now, r| c.user_disable(a, &r.name, now);
    user_unlock => UserUnlock { name: String } -> () = |c, a, now, r| c.user_unlock(a, &r.name, now);
    /// Sets a user's password (`new`), or resets it to a generated initial one (None; answered).
    /// A user who must change the initial password may call it for themselves.
    user_password => UserPassword [before] { name: String, #[serde(default)] new: Option<String> }
        -> Option<String> = |c, a, now, r| c.user_password(a, &r.name, r.new.as_deref(), now);

    /// Changes the caller's own password after checking the current one; the caller's sessions
    /// end (log in again with the new one). Open before the initial password is changed.
    password_change => PasswordChange [before] { current: String, next: String } -> Actor
        = |c, a, now, r| {
            c.authenticate(&a.name, &r.current, now)?;
            c.user_password(a, &a.name, Some(&r.next), now)?;
            c.refresh_actor(a)
        };

    // Administration
    department_list => DepartmentList { #[serde(default)] division: Option<String> }
        -> Vec<DepartmentRow> = |c, _, _, r| c.department_list(r.division.as_deref());
    department_set => DepartmentSet {
        code: String, #[serde(default)] name: Option<String>, #[serde(default)] active: Option<bool>,
    } -> DepartmentRow = |c, a, now, r| c.department_set(a, &r.code, r.name.as_deref(), r.active, now);
    routing_list => RoutingList {} -> Vec<RoutingRow> = |c, _, _, _| c.routing_list();
    routing_set => RoutingSet { industry: String, kind: String } -> RoutingRow
        = |c, a, now, r| c.routing_set(a, &r.industry, &r.kind, now);
    workflow_get => WorkflowGet { division: String } -> WorkflowConfig
        = |c, _, _, r| c.workflow_get(&r.division);
    workflow_set => WorkflowSet { division: String, config: WorkflowConfig } -> WorkflowConfig
        = |c, a, now, r| c.workflow_set(a, &r.division, &r.config, now);
    policy_get => PolicyGet {} -> Policy = |c, _, _, _| c.policy();
    policy_set => PolicySet { toml: String } -> Policy = |c, a, now, r| c.policy_set(a, &r.toml, now);
    reference => ReferenceOp {} -> Reference = |c, _, _, _| c.reference();
    audit_log => AuditLog {
        #[serde(default)] record: Option<String>,
        #[serde(default)] limit: Option<u32>,
        #[serde(default)] offset: Option<u32>,
    } -> Vec<AuditEvent> = |c, a, _, r| c.audit_log(a, r.record.as_deref(), r.limit, r.offset);
    audit_page => AuditPageOp { #[serde(default)] filter: AuditFilter } -> AuditPage
        = |c, a, _, r| c.audit_page(a, &r.filter);
    audit_xlsx => AuditXlsx { #[serde(default)] filter: AuditFilter } -> Blob
        = |c, a, _, r| c.audit_xlsx(a, &r.filter).map(Blob);
    audit_verify => AuditVerify {} -> VerifyReport = |c, a, _, _| c.audit_verify(a);
    audit_anchor => AuditAnchor {} -> Anchor = |c, a, now, _| c.audit_anchor(a, now);
    audit_verify_anchor => AuditVerifyAnchor { anchor: String } -> VerifyReport
        = |c, a, _, r| c.audit_verify_anchor(a, &r.anchor);
    retention_purge => RetentionPurge { days: u32, #[serde(default)] dry_run: bool } -> PurgeReport
        = |c, a, now, r| c.retention_purge(a, r.days, r.dry_run, now);
}

//! The product's PDF documents: the approval certificate (复工复产批准通知书) and the printed
//! application form (复工复产申请审批表).
//!
//! Drawing is ours (absolute layout in points on A4, Chinese line breaking, a vector seal and QR
//! code); printpdf 0.12 (without its layout engine) writes the PDF. The shipped Noto Serif SC is
//! parsed once into [`DocFonts`]; every document embeds a subset of just the characters it
//! draws (see `fonts.rs`), so a certificate is a few tens of kilobytes and takes milliseconds.

mod bulletin;
mod canvas;
mod certificate;
mod cff;
mod commitment;
pub mod exports;
mod fonts;
mod form;
pub mod linebreak;
mod notices;
mod pdfout;
pub mod seal;
pub mod workbook;

pub use bulletin::render_bulletin;
pub use certificate::render_certificate;
pub use commitment::{render_commitment_template, COMMITMENT_TITLE};
pub use fonts::{DocFonts, SYSTEM_FONT_DIRS};
pub use form::{
    paginate, render_form, render_form_reviewed, FormDecision, FormReview, FormStage, PagePlan,
    COMMITMENT,
};
pub use notices::{
    case_number, render_notice, zh_datetime, NoticeBody, NoticeDoc, NoticeKind, NoticeOpinion,
    ReceiptStage,
};

/// A mark that must be printed over a certificate that is no longer valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertMark {
    Voided,
    Revoked,
}

impl CertMark {
    pub fn zh(self) -> &'static str {
        match self {
            CertMark::Voided => "作废",
            CertMark::Revoked => "已撤销",
        }
    }
}

/// Everything printed on an approval certificate.
#[derive(Debug, Clone)]
pub struct CertificateDoc {
    /// From the policy, "复工复产批准通知书".
    pub title: String,
    /// "雨复工〔2020〕1号", as issued (stored, never re-formatted).
    pub number: String,
    pub firm_name: String,
    pub credit_code: String,
    pub address: String,
    pub approved_date: chrono::NaiveDate,
    pub approved_headcount: u32,
    pub conditions: Vec<String>,
    /// Issuing departments; the seal shows the first.
    pub departments: Vec<String>,
    pub issue_date: chrono::NaiveDate,
    /// The PDF metadata creation date (never the wall clock).
    pub issued_at: chrono::DateTime<chrono::Utc>,
    /// ASCII, up to ~300 characters, drawn as a QR code.
    pub qr_payload: String,
    pub mark: Option<CertMark>,
    /// `Some(n)`: this is print number n (n >= 2).
    pub reprint: Option<u32>,
}

/// Everything printed on an application form.
#[derive(Debug, Clone)]
pub struct FormDoc {
    pub application_id: i64,
    pub firm: crate::model::Firm,
    pub plan: crate::domain::plan::Plan,
    pub category_zh: String,
    /// Every measure of the policy with its Chinese name, and whether the plan commits to it.
    pub measures_zh: Vec<(String, bool)>,
    /// Already masked.
    pub roster: Vec<crate::domain::roster::RosterView>,
    pub printed_at: chrono::DateTime<chrono::Utc>,
}

/// "2020年2月18日" (Arabic numerals, as GB/T 9704-2012 prescribes for official documents).
pub fn zh_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

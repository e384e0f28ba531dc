//! The message centre (站内消息) of a firm's users: what happened to the firm's applications —
//! 已受理, 退回补正 with the opinion, 不予批准 with the reason, 已批准 with the approved headcount
//! and conditions, 已发证 with the number, 已撤销 with the reason — derived from the records that
//! already say so (submissions, review tasks, applications, certificates). Only the read markers
//! are stored (`message_reads`); marking read is audited (`message.read`): it is the firm's
//! acknowledgement that it was told.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{audit, CertState, Reopen};
use crate::domain::auth::{Actor, Role};
use crate::domain::workflow::TaskState;
use crate::error::{Error, Result};
use crate::store;
use crate::t;

/// What a message says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The application was submitted and accepted for review (已受理).
    Accepted,
    /// A stage returned it for correction (退回补正).
    Returned,
    /// A stage rejected it (不予批准).
    Rejected,
    /// The last stage approved it (已批准).
    Approved,
    /// A certificate was issued (已发证).
    Issued,
    /// The certificate was revoked (已撤销).
    Revoked,
}

impl MessageKind {
    pub fn zh(self) -> &'static str {
        match self {
            MessageKind::Accepted => "已受理",
            MessageKind::Returned => "退回补正",
            MessageKind::Rejected => "不予批准",
            MessageKind::Approved => "已批准",
            MessageKind::Issued => "已发证",
            MessageKind::Revoked => "批准通知书已撤销",
        }
    }
}

/// One message of the message centre.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Message {
    /// Stable key (`accepted:APP:NO`, `task:ID`, `approved:APP`, `issued:CERT`, `revoked:CERT`).
    pub key: String,
    pub kind: MessageKind,
    /// The kind in Chinese (已受理 …).
    pub kind_zh: String,
    pub application_id: i64,
    pub submission_no: Option<i64>,
    /// When it happened (UTC RFC 3339).
    pub at: String,
    /// The stage that decided (returns and rejections).
    pub stage_name: Option<String>,
    /// The department that decided or signed, by name.
    pub department: Option<String>,
    /// The opinion of a return, the reason of a rejection or revocation.
    pub opinion: Option<String>,
    /// 核定复工人数 (approvals and certificates).
    pub headcount: Option<u32>,
    pub conditions: Vec<String>,
    /// The certificate's number (issued and revoked).
    pub certificate: Option<String>,
    /// Where to ask: the deciding department's consulting phone from the policy, else the
    /// policy's first line (the city's hotline).
    pub contact: Option<super::GuideContact>,
    pub read: bool,
}

/// A user's messages, newest first, and how many are unread.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Messages {
    pub items: Vec<Message>,
    pub unread: u32,
}

fn text_list(json: Option<&str>) -> Vec<String> {
    json.and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

fn firm_of(actor: &Actor) -> Result<i64> {
    actor.require(&[Role::Firm], &t!("查看站内消息", "read the messages"))?;
    actor.firm_id.ok_or_else(|| {
        Error::forbidden(t!(
            "该账号尚未关联企业，没有站内消息",
            "this account has no firm yet, so no messages"
        ))
    })
}

/// Every message of the firm's applications, newest first (read flags unset).
fn derive(db: store::Db<'_>, firm_id: i64) -> Result<Vec<Message>> {
    let blank = |key: String, kind: MessageKind, app: i64, at: String| Message {
        key,
        kind,
        kind_zh: kind.zh().to_string(),
        application_id: app,
        submission_no: None,
        at,
        stage_name: None,
        department: None,
        opinion: None,
        headcount: None,
        conditions: vec![],
        certificate: None,
        contact: None,
        read: false,
    };
    let mut out = Vec::new();
    for a in store::messages::accepted(db, firm_id)? {
        let mut m = blank(
            format!("accepted:{}:{}", a.app_id, a.submission_no),
            MessageKind::Accepted,
            a.app_id,
            a.at,
        );
        m.submission_no = Some(a.submission_no);
        out.push(m);
    }
    for d in store::messages::decided(db, firm_id)? {
        let kind = if d.state == TaskState::Rejected {
            MessageKind::Rejected
        } else {
            MessageKind::Returned
        };
        let mut m = blank(format!("task:{}", d.task_id), kind, d.app_id, d.at);
        m.submission_no = Some(d.submission_no);
        m.stage_name = Some(d.stage_name);
        m.department = Some(d.department);
        m.opinion = d.opinion;
        out.push(m);
    }
    for a in store::messages::approved(db, firm_id)? {
        let mut m = blank(
            format!("approved:{}", a.app_id),
            MessageKind::Approved,
            a.app_id,
            a.at,
        );
        m.department = a.department;
        m.headcount = a.headcount;
        m.conditions = text_list(a.conditions.as_deref());
        out.push(m);
    }
    for c in store::messages::issued(db, firm_id)? {
        let departments = text_list(Some(&c.departments));
        let mut m = blank(
            format!("issued:{}", c.cert_id),
            MessageKind::Issued,
            c.app_id,
            c.issued_at,
        );
        m.department = departments.first().cloned();
        m.headcount = Some(c.approved_headcount);
        m.conditions = text_list(Some(&c.conditions));
        m.certificate = Some(c.number.clone());
        out.push(m);
        if let (CertState::Revoked, Some(at)) = (c.state, c.closed_at) {
            let mut m = blank(
                format!("revoked:{}", c.cert_id),
                MessageKind::Revoked,
                c.app_id,
                at,
            );
            m.opinion = c.reason;
            m.certificate = Some(c.number);
            out.push(m);
        }
    }
    // Newest first; on the same instant the later step of the path first.
    out.sort_by(|a, b| b.at.cmp(&a.at).then(rank(b.kind).cmp(&rank(a.kind))));
    Ok(out)
}

/// The consulting phone of `department` in the policy's contacts, else the first one listed (the
/// city's hotline as shipped); none when the policy lists none.
fn contact_for(
    contacts: &indexmap::IndexMap<String, String>,
    department: Option<&str>,
) -> Option<super::GuideContact> {
    department
        .and_then(|d| contacts.get_key_value(d))
        .or_else(|| contacts.first())
        .map(|(department, phone)| super::GuideContact {
            department: department.clone(),
            phone: phone.clone(),
        })
}

fn rank(kind: MessageKind) -> u8 {
    match kind {
        MessageKind::Accepted => 0,
        MessageKind::Returned | MessageKind::Rejected => 1,
        MessageKind::Approved => 2,
        MessageKind::Issued => 3,
        MessageKind::Revoked => 4,
    }
}

impl Reopen {
    /// The firm user's messages: only those of the user's own firm's applications.
    pub fn messages(&self, actor: &Actor) -> Result<Messages> {
        let firm_id = firm_of(actor)?;
        let mut items = derive(self.db(), firm_id)?;
        let read: std::collections::HashSet<String> =
            store::messages::read_keys(self.db(), actor.user_id)?
                .into_iter()
                .collect();
        let contacts = self.policy()?.contacts;
        for m in &mut items {
            m.read = read.contains(&m.key);
            m.contact = contact_for(&contacts, m.department.as_deref());
        }
        let unread = u32::try_from(items.iter().filter(|m| !m.read).count()).unwrap_or(u32::MAX);
        Ok(Messages { items, unread })
    }

    /// Marks messages read: the given keys, or every message when `keys` is empty. A key that is
    /// not one of the user's messages is refused and nothing is marked. Returns how many were
    /// newly read; audited (`message.read`) when any was.
    pub fn messages_read(
        &mut self,
        actor: &Actor,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let firm_id = firm_of(actor)?;
        self.write(|tx| {
            let mine = derive(tx, firm_id)?;
            let keys: Vec<String> = if keys.is_empty() {
                mine.iter().map(|m| m.key.clone()).collect()
            } else {
                for (i, k) in keys.iter().enumerate() {
                    if !mine.iter().any(|m| &m.key == k) {
                        return Err(Error::field(
                            format!("keys[{i}]"),
                            t!(
                                format!("没有这条消息：{k}"),
                                format!("no such message: {k}")
                            ),
                        ));
                    }
                }
                keys.to_vec()
            };
            let n = store::messages::mark_read(tx, actor.user_id, &keys, now)?;
            if n > 0 {
                audit(
                    tx,
                    actor,
                    "message.read",
                    &format!("user:{}", actor.user_id),
                    None,
                    Some(&serde_json::json!({ "messages": keys, "new": n })),
                    now,
                )?;
            }
            Ok(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_departments_phone_else_the_hotline() {
        let mut contacts = indexmap::IndexMap::new();
        assert_eq!(contact_for(&contacts, Some("雨城区商务局")), None);
        contacts.insert(
            "雅安市人民政府政务服务便民热线".to_string(),
            "12345".to_string(),
        );
        contacts.insert("雨城区商务局".to_string(), "0835-2222222".to_string());
        let own = contact_for(&contacts, Some("雨城区商务局")).unwrap();
        assert_eq!(
            (own.department.as_str(), own.phone.as_str()),
            ("雨城区商务局", "0835-2222222")
        );
        for other in [Some("雨城区生态环境局"), None] {
            assert_eq!(contact_for(&contacts, other).unwrap().phone, "12345");
        }
    }
}

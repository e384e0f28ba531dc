//! Human-readable and JSON output of the `reopen` command.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reopen_core::domain::ids::{CreditCode, IdNumber, Phone};
use reopen_core::domain::roster::RosterView;
use reopen_core::domain::workflow::TaskState;
use reopen_core::error::{Error, Lang};
use reopen_core::service::{local_date, Application, Diff, Firm, QueueRow};
use reopen_core::t;
use serde::Serialize;
use serde_json::{json, Value};

pub struct Out {
    pub json: bool,
    pub lang: Lang,
    pub stdout: String,
    /// The policy's category names (code → 中文) for human output; empty before the database
    /// is open, when codes are shown as they are.
    pub categories: HashMap<String, String>,
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        other => other.to_string(),
    }
}

impl Out {
    fn line(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
        self.stdout.push('\n');
    }

    fn emit_json<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let s = serde_json::to_string(v)?;
        self.line(s);
        Ok(())
    }

    pub fn value<T: Serialize>(
        &mut self,
        v: &T,
        human: impl FnOnce(&T) -> String,
    ) -> Result<(), Error> {
        if self.json {
            self.emit_json(v)
        } else {
            let s = human(v);
            self.line(s);
            Ok(())
        }
    }

    pub fn json_or_pretty<T: Serialize>(&mut self, v: &T) -> Result<(), Error> {
        if self.json {
            self.emit_json(v)
        } else {
            let s = serde_json::to_string_pretty(v)?;
            self.line(s);
            Ok(())
        }
    }

    pub fn table<T: Serialize>(&mut self, rows: &[T], cols: &[&str]) -> Result<(), Error> {
        if self.json {
            return self.emit_json(rows);
        }
        if rows.is_empty() {
            let s = if self.lang == Lang::En {
                "(none)"
            } else {
                "（无）"
            };
            self.line(s);
            return Ok(());
        }
        self.line(cols.join("\t"));
        for r in rows {
            let v = serde_json::to_value(r)?;
            let line: Vec<String> = cols.iter().map(|c| cell(&v[*c])).collect();
            self.line(line.join("\t"));
        }
        Ok(())
    }

    pub fn init(&mut self, doc: &Value) -> Result<(), Error> {
        if self.json {
            return self.emit_json(doc);
        }
        self.line(format!("数据库：{}", cell(&doc["database"])));
        if doc["init"]["created"] == json!(true) {
            self.line(format!(
                "已初始化：行政区划 {} 个，部门 {} 个，行业 {} 个",
                doc["init"]["divisions"], doc["init"]["departments"], doc["init"]["industries"]
            ));
        } else {
            self.line("数据库已是最新结构");
        }
        if let Some(a) = doc["init"]["admin"].as_str() {
            self.line(format!("管理员：{a}"));
        }
        if let Some(users) = doc["demo"]["users"].as_array() {
            self.line("演示账户（密码只显示这一次）：");
            for u in users {
                self.line(format!(
                    "  {}\t{}\t{}\t{}",
                    cell(&u["name"]),
                    cell(&u["role"]),
                    cell(&u["password"]),
                    cell(&u["note"])
                ));
            }
        }
        if !doc["demo"].is_null() {
            self.line(format!(
                "演示数据：企业 {}，申请 {}，花名册 {} 行",
                doc["demo"]["firms"], doc["demo"]["applications"], doc["demo"]["roster_rows"]
            ));
        }
        Ok(())
    }

    pub fn firm(&mut self, f: &Firm) -> Result<(), Error> {
        if self.json {
            return self.emit_json(f);
        }
        self.line(format!("{}  {}", f.credit_code, f.name));
        self.line(format!(
            "  所在地：{}（{}）{} {}",
            f.division_name, f.division, f.township, f.address
        ));
        self.line(format!(
            "  行业：{} {}  职工 {} 人{}",
            f.industry,
            f.industry_name,
            f.staff_total,
            if f.city_managed { "  市管" } else { "" }
        ));
        self.line(format!(
            "  法定代表人 {}；主要负责人 {} {}；防疫联络员 {} {}",
            f.legal_representative,
            f.principal.name,
            f.principal.phone,
            f.contact.name,
            f.contact.phone
        ));
        for w in &f.warnings {
            let s = w.get(self.lang).to_string();
            self.line(format!("  ⚠ {s}"));
        }
        Ok(())
    }

    fn app_human(&mut self, a: &Application) {
        self.line(format!(
            "申请 {}  {}（{}）  状态：{}  第 {} 版",
            a.id, a.firm.name, a.firm.credit_code, a.state_zh, a.version
        ));
        let p = &a.plan;
        self.line(format!(
            "  复工类别 {}  计划复工 {}  计划人数 {}（本地 {} 外地 {} 重点地区 {} 已满观察期 {} 观察中 {} 有症状 {}）  花名册 {} 人",
            p.category
                .as_deref()
                .map(|c| category_zh(&self.categories, c).to_string())
                .unwrap_or_else(|| "-".into()),
            p.planned_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            p.headcount.planned,
            p.headcount.local,
            p.headcount.elsewhere,
            p.headcount.key_area,
            p.headcount.key_area_observed_14d,
            p.headcount.under_observation,
            p.headcount.symptomatic,
            a.roster_count
        ));
        if let Some(h) = a.approved_headcount {
            self.line(format!("  核定复工人数 {h}"));
        }
        for (i, c) in a.conditions.iter().enumerate() {
            self.line(format!("  附加条件 {}．{c}", i + 1));
        }
        for w in &a.firm.warnings {
            let s = w.get(self.lang).to_string();
            self.line(format!("  ⚠ {s}"));
        }
        for f in &a.findings {
            let s = f.message.get(self.lang).to_string();
            self.line(format!("  ⚠ {s}"));
        }
        for t in &a.tasks {
            let state = task_state_zh(t.state);
            self.line(format!(
                "  [第{}次提交·{}] {}：{}{}{}{}",
                t.submission_no,
                t.stage_name,
                t.department_name,
                state,
                if t.overdue { "（已超时）" } else { "" },
                t.opinion
                    .as_deref()
                    .map(|o| format!(" 意见：{o}"))
                    .unwrap_or_default(),
                t.decided_by
                    .as_deref()
                    .map(|o| format!("（{o}）"))
                    .unwrap_or_default(),
            ));
        }
    }

    pub fn app(&mut self, a: &Application) -> Result<(), Error> {
        if self.json {
            return self.emit_json(a);
        }
        self.app_human(a);
        Ok(())
    }

    pub fn app_with_roster(&mut self, a: &Application, r: &[RosterView]) -> Result<(), Error> {
        if self.json {
            let mut v = serde_json::to_value(a)?;
            v["roster"] = serde_json::to_value(r)?;
            return self.emit_json(&v);
        }
        self.app_human(a);
        self.table(
            r,
            &[
                "row_no",
                "name",
                "id_number",
                "phone",
                "post",
                "from_elsewhere",
                "from_region",
                "health",
            ],
        )
    }

    pub fn diff(&mut self, d: &Diff) -> Result<(), Error> {
        if self.json {
            return self.emit_json(d);
        }
        self.line(format!("第 {} 次与第 {} 次提交的差异：", d.from, d.to));
        if d.plan.is_empty() && d.roster.is_empty() {
            self.line("  无变化");
        }
        for c in &d.plan {
            self.line(format!(
                "  {}: {} → {}",
                c.field,
                cell(&c.before),
                cell(&c.after)
            ));
        }
        for r in &d.roster {
            self.line(format!(
                "  花名册 {} {} {} {}",
                r.change,
                r.name,
                r.id_number,
                r.fields.join("、")
            ));
        }
        Ok(())
    }

    /// Flagged daily reports not yet followed up, above the reviewer's queue.
    pub fn daily_flags(&mut self, rows: &[reopen_core::service::DailyReportRow]) {
        if rows.is_empty() {
            return;
        }
        self.line(format!(
            "每日报告预警 {} 条（reopen daily handle 报告号 --note 处理情况）：",
            rows.len()
        ));
        for r in rows {
            let flags: Vec<&str> = r.flags.iter().map(|f| f.zh()).collect();
            self.line(format!(
                "  报告 {}\t{}\t{}\t在岗 {} / 核定 {}\t发热 {}\t{}",
                r.id,
                r.firm_name,
                r.date,
                r.staff_on_site,
                r.approved_headcount
                    .map(|h| h.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.fever,
                flags.join("、")
            ));
        }
        self.line("");
    }

    /// The reviewer's queue. The human table names categories and states in Chinese (the
    /// category names are the policy's); `--json` keeps the codes.
    pub fn queue(&mut self, rows: &[QueueRow]) -> Result<(), Error> {
        if self.json {
            return self.emit_json(rows);
        }
        for l in queue_lines(rows, &self.categories) {
            self.line(l);
        }
        Ok(())
    }
}

/// A task's state as the reviewer's verdict reads (docs/glossary.toml).
pub fn task_state_zh(s: TaskState) -> &'static str {
    match s {
        TaskState::Pending => "待审核",
        TaskState::Approved => "同意",
        TaskState::Rejected => "不同意",
        TaskState::Returned => "退回补正",
        TaskState::Closed => "已关闭",
    }
}

/// A category's Chinese name from the policy; a code the policy no longer names as it is.
fn category_zh<'a>(categories: &'a HashMap<String, String>, code: &'a str) -> &'a str {
    categories.get(code).map(String::as_str).unwrap_or(code)
}

fn queue_lines(rows: &[QueueRow], categories: &HashMap<String, String>) -> Vec<String> {
    if rows.is_empty() {
        return vec!["（队列为空）".into()];
    }
    let mut out = vec!["申请\t企业\t复工类别\t环节\t状态\t期限\t标记".to_string()];
    for r in rows {
        let due = DateTime::parse_from_rfc3339(&r.due_at)
            .map(|d| reopen_core::service::local_time(d.with_timezone(&Utc)))
            .unwrap_or_else(|_| r.due_at.clone());
        let mut marks = Vec::new();
        if r.overdue {
            marks.push("超时");
        }
        if r.green_channel {
            marks.push("绿色通道");
        }
        if r.has_warnings {
            marks.push("有警示");
        }
        let category = category_zh(categories, &r.category);
        out.push(format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.application_id,
            r.firm_name,
            category,
            r.stage_name,
            task_state_zh(r.state),
            due,
            marks.join("、")
        ));
    }
    out
}

/// `reopen check KIND VALUE...`: one line per value; exit 2 if any is invalid.
pub fn check(
    kind: &str,
    values: &[String],
    now: DateTime<Utc>,
    out: &mut Out,
) -> Result<(), Error> {
    let today = local_date(now);
    let mut bad = 0;
    for v in values {
        let r: Result<String, reopen_core::Text> = match kind {
            "credit-code" => CreditCode::parse(v).map(|c| c.as_str().to_string()),
            "id-number" => IdNumber::parse(v, today).map(|c| c.masked()),
            _ => Phone::parse(v).map(|c| c.as_str().to_string()),
        };
        if r.is_err() {
            bad += 1;
        }
        if out.json {
            let doc = match &r {
                Ok(n) => json!({"value": v, "valid": true, "normalized": n}),
                Err(e) => json!({"value": v, "valid": false, "reason": e.get(out.lang)}),
            };
            out.emit_json(&doc)?;
        } else {
            let s = match &r {
                Ok(_) => format!(
                    "{v}\t{}",
                    if out.lang == Lang::En {
                        "valid"
                    } else {
                        "有效"
                    }
                ),
                Err(e) => format!("{v}\t{}", e.get(out.lang)),
            };
            out.line(s);
        }
    }
    if bad > 0 {
        return Err(Error::field(
            "values",
            t!(format!("{bad} 个值无效"), format!("{bad} value(s) invalid")),
        ));
    }
    Ok(())
}

/// `reopen verify`: the status and what the certificate says. Exit 0 only when valid.
pub fn verification(v: &reopen_core::service::Verification, out: &mut Out) -> Result<(), Error> {
    use reopen_core::service::CertStatus;
    if out.json {
        out.emit_json(v)?;
    } else {
        out.line(format!("验证结果：{}", v.status.zh()));
        if let Some(c) = &v.certificate {
            out.line(format!(
                "  编号 {}  企业 {}（{}）",
                c.number, c.firm_name, c.credit_code
            ));
            out.line(format!(
                "  核定复工人数 {}  批准日期 {}  签发日期 {}",
                c.approved_headcount, c.approved_date, c.issue_date
            ));
            if let Some(r) = &c.reason {
                out.line(format!("  原因：{r}"));
            }
        } else if let Some(f) = &v.fields {
            out.line(format!(
                "  编号 {}  企业 {}（{}）",
                f.number, f.firm_name, f.credit_code
            ));
            out.line(format!(
                "  核定复工人数 {}  批准日期 {}  签发日期 {}",
                f.approved_headcount, f.approved_date, f.issue_date
            ));
        }
    }
    match v.status {
        CertStatus::Valid => Ok(()),
        CertStatus::Unknown => Err(Error::not_found(t!("查无此证", "no such certificate"))),
        CertStatus::Forged => Err(Error::field(
            "code",
            t!("签名不符：伪造或被篡改", "bad signature: forged or altered"),
        )),
        CertStatus::Voided | CertStatus::Revoked => Err(Error::conflict(t!(
            format!("该批准通知书{}", v.status.zh()),
            format!("the certificate is {:?}", v.status).to_lowercase()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reopen_core::domain::policy::Policy;

    fn names() -> HashMap<String, String> {
        Policy::default_policy().categories.into_iter().collect()
    }

    fn row(category: &str, state: TaskState, overdue: bool) -> QueueRow {
        QueueRow {
            task_id: 1,
            application_id: 8,
            firm_name: "雅安雨城综合建材商行".into(),
            credit_code: "91511802MA62AB0208".into(),
            category: category.into(),
            stage: 0,
            stage_name: "行业主管部门审核".into(),
            state,
            green_channel: category == "daily_necessities",
            opened_at: "2020-02-05T01:00:00Z".into(),
            due_at: "2020-02-06T01:00:00Z".into(),
            overdue,
            planned_headcount: 5,
            has_warnings: false,
            division: "511802".into(),
            division_name: "雨城区".into(),
            industry: "52".into(),
            industry_name: "零售业".into(),
            submission_no: 1,
            minutes_left: None,
            time_left: None,
        }
    }

    #[test]
    fn the_human_queue_prints_chinese_names_not_codes() {
        let policy = names();
        let rows = [
            row("general", TaskState::Pending, true),
            row("daily_necessities", TaskState::Approved, false),
            row("production", TaskState::Returned, false),
        ];
        let lines = queue_lines(&rows, &policy);
        let text = lines.join("\n");
        for code in [
            "general",
            "daily_necessities",
            "production",
            "pending",
            "approved",
            "returned",
        ] {
            assert!(!text.contains(code), "{code} printed:\n{text}");
        }
        assert_eq!(
            lines[1],
            "8\t雅安雨城综合建材商行\t其他企业\t行业主管部门审核\t待审核\t2020-02-06 09:00\t超时"
        );
        assert!(
            lines[2].contains("\t群众生活必需\t") && lines[2].contains("\t同意\t"),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with("绿色通道"), "{}", lines[2]);
        assert!(
            lines[3].contains("\t企业生产必需\t") && lines[3].contains("\t退回补正\t"),
            "{}",
            lines[3]
        );
        // A category the policy no longer names is shown as it is stored.
        let retired = &queue_lines(&[row("retired", TaskState::Closed, false)], &policy)[1];
        assert!(
            retired.contains("\tretired\t") && retired.contains("\t已关闭\t"),
            "{retired}"
        );
    }

    #[test]
    fn json_keeps_the_codes() {
        let mut out = Out {
            json: true,
            lang: Lang::Zh,
            stdout: String::new(),
            categories: names(),
        };
        out.queue(&[row("general", TaskState::Pending, false)])
            .expect("json");
        assert!(
            out.stdout.contains("\"category\":\"general\"")
                && out.stdout.contains("\"state\":\"pending\""),
            "{}",
            out.stdout
        );
    }
}

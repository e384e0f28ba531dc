//! The one-enterprise-one-plan (一企一策) document: parsing every field at once, and the
//! completeness and policy checks that a submission must pass.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::{parse_date, parse_name, parse_text};
use super::policy::Policy;
use super::roster::{Health, RosterEntry};
use crate::error::{FieldError, Problems, Text};
use crate::t;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Headcounts {
    pub planned: u32,
    pub local: u32,
    pub elsewhere: u32,
    pub key_area: u32,
    pub key_area_observed_14d: u32,
    pub under_observation: u32,
    pub symptomatic: u32,
}

impl Headcounts {
    /// Key-area staff who have not finished the observation period: never in an approved headcount.
    pub fn key_area_not_cleared(&self) -> u32 {
        self.key_area.saturating_sub(self.key_area_observed_14d)
    }
    pub fn max_approvable(&self) -> u32 {
        self.planned.saturating_sub(self.key_area_not_cleared())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SuppliesOnHand {
    pub masks: u32,
    pub thermometers: u32,
    pub disinfectant_litres: u32,
    pub gloves: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Commitment {
    pub signed_by: String,
    pub date: NaiveDate,
    pub accepted: bool,
}

/// A plan as stored: a draft may be incomplete, but every value present is well-formed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Plan {
    pub category: Option<String>,
    pub planned_date: Option<NaiveDate>,
    pub headcount: Headcounts,
    pub measures: Vec<String>,
    pub measures_note: String,
    pub supplies: SuppliesOnHand,
    pub emergency_plan: String,
    pub commitment: Option<Commitment>,
}

/// A finding the reviewer sees; it does not stop a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Finding {
    pub code: String,
    pub message: Text,
}

struct Reader<'a> {
    p: &'a mut Problems,
}

impl Reader<'_> {
    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        match v.as_object() {
            Some(m) => {
                for k in m.keys() {
                    if !allowed.contains(&k.as_str()) {
                        let f = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        self.p.add(f, t!("未知字段", "unknown field"));
                    }
                }
                Some(m)
            }
            None => {
                self.p.add(
                    if path.is_empty() { "plan" } else { path },
                    t!("应为 JSON 对象", "must be a JSON object"),
                );
                None
            }
        }
    }
    fn count(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> u32 {
        let field = format!("{path}{key}");
        match m.get(key) {
            None | Some(Value::Null) => 0,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) if i < 0 => {
                    self.p.add(field, t!("不能为负数", "must not be negative"));
                    0
                }
                Some(i) if i > 1_000_000 => {
                    self.p.add(
                        field,
                        t!("数值过大（不超过 1000000）", "too large (at most 1000000)"),
                    );
                    0
                }
                Some(i) => i as u32,
                None => {
                    self.p.add(field, t!("应为整数", "must be a whole number"));
                    0
                }
            },
            Some(_) => {
                self.p.add(field, t!("应为整数", "must be a whole number"));
                0
            }
        }
    }
    fn string(&mut self, m: &Map<String, Value>, key: &str, field: &str) -> Option<String> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.p.add(field, t!("应为文本", "must be text"));
                None
            }
        }
    }
    fn date(&mut self, m: &Map<String, Value>, key: &str, field: &str) -> Option<NaiveDate> {
        let s = self.string(m, key, field)?;
        if s.trim().is_empty() {
            return None;
        }
        self.p.take(field, parse_date(&s))
    }
    fn text(&mut self, m: &Map<String, Value>, key: &str, field: &str, max: usize) -> String {
        self.string(m, key, field)
            .and_then(|s| self.p.take(field, parse_text(&s, max, false)))
            .unwrap_or_default()
    }
}

impl Plan {
    /// The plan's free text that the application form prints, with the field each comes from:
    /// text a font cannot draw is refused when it is saved, not found on paper.
    pub fn printed_text(&self) -> Vec<(String, &str)> {
        let mut out = vec![
            ("measures_note".to_string(), self.measures_note.as_str()),
            ("emergency_plan".to_string(), self.emergency_plan.as_str()),
        ];
        if let Some(c) = &self.commitment {
            out.push(("commitment.signed_by".to_string(), c.signed_by.as_str()));
        }
        out
    }

    /// Parses a plan document (plan.json of cli.md), reporting every malformed field at once.
    /// Unknown fields are refused. Missing fields are allowed here (a draft); `check_submission`
    /// demands completeness.
    pub fn from_json(v: &Value, policy: &Policy) -> Result<Plan, Vec<FieldError>> {
        let mut problems = Problems::new();
        let mut r = Reader { p: &mut problems };
        let mut plan = Plan::default();
        let top = [
            "category",
            "planned_date",
            "headcount",
            "measures",
            "measures_note",
            "supplies",
            "emergency_plan",
            "commitment",
        ];
        if let Some(m) = r.object(v, "", &top) {
            if let Some(c) = r.string(m, "category", "category") {
                if policy.categories.contains_key(&c) {
                    plan.category = Some(c);
                } else if !c.is_empty() {
                    r.p.add(
                        "category",
                        t!(
                            format!("未知的复工类别：{c}"),
                            format!("unknown category: {c}")
                        ),
                    );
                }
            }
            plan.planned_date = r.date(m, "planned_date", "planned_date");
            if let Some(h) = m.get("headcount") {
                let keys = [
                    "planned",
                    "local",
                    "elsewhere",
                    "key_area",
                    "key_area_observed_14d",
                    "under_observation",
                    "symptomatic",
                ];
                if let Some(hm) = r.object(h, "headcount", &keys) {
                    plan.headcount = Headcounts {
                        planned: r.count(hm, "planned", "headcount."),
                        local: r.count(hm, "local", "headcount."),
                        elsewhere: r.count(hm, "elsewhere", "headcount."),
                        key_area: r.count(hm, "key_area", "headcount."),
                        key_area_observed_14d: r.count(hm, "key_area_observed_14d", "headcount."),
                        under_observation: r.count(hm, "under_observation", "headcount."),
                        symptomatic: r.count(hm, "symptomatic", "headcount."),
                    };
                }
            }
            match m.get("measures") {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for (i, it) in items.iter().enumerate() {
                        match it.as_str() {
                            Some(code) if policy.is_measure(code) => {
                                if !plan.measures.iter().any(|x| x == code) {
                                    plan.measures.push(code.to_string());
                                }
                            }
                            Some(code) => r.p.add(
                                format!("measures[{i}]"),
                                t!(
                                    format!("未知的防控措施：{code}"),
                                    format!("unknown measure: {code}")
                                ),
                            ),
                            None => {
                                r.p.add(format!("measures[{i}]"), t!("应为文本", "must be text"))
                            }
                        }
                    }
                }
                Some(_) => r.p.add("measures", t!("应为列表", "must be a list")),
            }
            plan.measures_note = r.text(m, "measures_note", "measures_note", 2000);
            if let Some(s) = m.get("supplies") {
                let keys = ["masks", "thermometers", "disinfectant_litres", "gloves"];
                if let Some(sm) = r.object(s, "supplies", &keys) {
                    plan.supplies = SuppliesOnHand {
                        masks: r.count(sm, "masks", "supplies."),
                        thermometers: r.count(sm, "thermometers", "supplies."),
                        disinfectant_litres: r.count(sm, "disinfectant_litres", "supplies."),
                        gloves: r.count(sm, "gloves", "supplies."),
                    };
                }
            }
            plan.emergency_plan = r.text(m, "emergency_plan", "emergency_plan", 5000);
            match m.get("commitment") {
                None | Some(Value::Null) => {}
                Some(c) => {
                    if let Some(cm) = r.object(c, "commitment", &["signed_by", "date", "accepted"])
                    {
                        let signed_by = r
                            .string(cm, "signed_by", "commitment.signed_by")
                            .and_then(|s| r.p.take("commitment.signed_by", parse_name(&s, 50)));
                        let date = r.date(cm, "date", "commitment.date");
                        let accepted = match cm.get("accepted") {
                            Some(Value::Bool(b)) => *b,
                            None | Some(Value::Null) => false,
                            Some(_) => {
                                r.p.add(
                                    "commitment.accepted",
                                    t!("应为 true 或 false", "must be true or false"),
                                );
                                false
                            }
                        };
                        if let (Some(signed_by), Some(date)) = (signed_by, date) {
                            plan.commitment = Some(Commitment {
                                signed_by,
                                date,
                                accepted,
                            });
                        } else if cm.get("signed_by").is_none() || cm.get("date").is_none() {
                            r.p.add(
                                "commitment",
                                t!(
                                    "承诺书须有签署人和日期",
                                    "the commitment needs a signer and a date"
                                ),
                            );
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(problems.0)
        }
    }
}

/// What a submission check needs to know about the firm.
pub struct FirmFacts<'a> {
    pub industry: &'a str,
    pub principal_name: &'a str,
    pub staff_total: u32,
}

/// Completeness and policy checks at submission. Returns every failing field at once, and the
/// findings (warnings) for the reviewer.
pub fn check_submission(
    plan: &Plan,
    firm: &FirmFacts<'_>,
    roster: &[RosterEntry],
    policy: &Policy,
    today: NaiveDate,
) -> (Vec<FieldError>, Vec<Finding>) {
    let mut p = Problems::new();
    if plan.category.is_none() {
        p.add("category", t!("请选择复工类别", "choose a category"));
    }
    check_planned_date(&mut p, plan, firm, policy, today);
    check_headcount(&mut p, &plan.headcount, firm, policy);
    check_measures(&mut p, plan, policy);
    check_commitment(&mut p, plan, firm, today);
    check_roster(&mut p, &plan.headcount, roster, policy);
    (p.0, findings(plan, roster, policy))
}

/// The planned date: given, not past, not before the industry's earliest reopening.
fn check_planned_date(
    p: &mut Problems,
    plan: &Plan,
    firm: &FirmFacts<'_>,
    policy: &Policy,
    today: NaiveDate,
) {
    match plan.planned_date {
        None => p.add(
            "planned_date",
            t!(
                "请填写计划复工日期",
                "the planned reopening date is required"
            ),
        ),
        Some(d) => {
            if d < today {
                p.add(
                    "planned_date",
                    t!(
                        format!("计划复工日期 {d} 早于今天 {today}"),
                        format!("planned date {d} is before today {today}")
                    ),
                );
            }
            if let Some(earliest) = policy.earliest_reopening.get(firm.industry) {
                if d < *earliest {
                    p.add(
                        "planned_date",
                        t!(
                            format!("本行业复工日期不得早于 {earliest}（计划为 {d}）"),
                            format!("this industry may not reopen before {earliest} (planned {d})")
                        ),
                    );
                }
            }
        }
    }
}

/// The headcounts add up and stay within the firm's staff, and key-area staff not yet cleared
/// are under observation.
fn check_headcount(p: &mut Problems, h: &Headcounts, firm: &FirmFacts<'_>, policy: &Policy) {
    if h.planned == 0 {
        p.add(
            "headcount.planned",
            t!(
                "计划复工人数必须大于 0",
                "planned headcount must be above 0"
            ),
        );
    }
    if h.planned > firm.staff_total {
        p.add(
            "headcount.planned",
            t!(
                format!(
                    "计划复工人数 {} 超过企业职工总数 {}",
                    h.planned, firm.staff_total
                ),
                format!(
                    "planned headcount {} exceeds the firm's staff total {}",
                    h.planned, firm.staff_total
                )
            ),
        );
    }
    if h.local + h.elsewhere != h.planned {
        p.add(
            "headcount.local",
            t!(
                format!(
                    "本地 {} 人 + 外地返岗 {} 人应等于计划复工人数 {} 人",
                    h.local, h.elsewhere, h.planned
                ),
                format!(
                    "local {} + from elsewhere {} must equal planned {}",
                    h.local, h.elsewhere, h.planned
                )
            ),
        );
    }
    if h.key_area > h.elsewhere {
        p.add(
            "headcount.key_area",
            t!(
                format!(
                    "重点地区来雅人员 {} 人不能多于外地返岗人员 {} 人",
                    h.key_area, h.elsewhere
                ),
                format!(
                    "key-area staff {} cannot exceed staff from elsewhere {}",
                    h.key_area, h.elsewhere
                )
            ),
        );
    }
    if h.key_area_observed_14d > h.key_area {
        p.add(
            "headcount.key_area_observed_14d",
            t!(
                "已满观察期人数不能多于重点地区来雅人数",
                "staff who finished observation cannot exceed key-area staff"
            ),
        );
    }
    if h.under_observation < h.key_area_not_cleared() {
        p.add(
            "headcount.under_observation",
            t!(
                format!(
                    "重点地区来雅未满 {} 天观察期的 {} 人必须处于隔离观察中（填报 {} 人）",
                    policy.key_areas.observation_days,
                    h.key_area_not_cleared(),
                    h.under_observation
                ),
                format!(
                    "{} key-area staff have not finished {} days of observation and must be under observation (stated {})",
                    h.key_area_not_cleared(),
                    policy.key_areas.observation_days,
                    h.under_observation
                )
            ),
        );
    }
    if h.under_observation > h.planned || h.symptomatic > h.planned {
        p.add(
            "headcount.under_observation",
            t!(
                "隔离观察或有症状人数不能多于计划复工人数",
                "staff under observation or with symptoms cannot exceed the planned headcount"
            ),
        );
    }
}

/// Every mandatory measure taken, and an emergency plan written.
fn check_measures(p: &mut Problems, plan: &Plan, policy: &Policy) {
    for (code, name) in &policy.mandatory_measures {
        if !plan.measures.iter().any(|m| m == code) {
            p.add(
                "measures",
                t!(
                    format!("必须落实防控措施：{name}"),
                    format!("mandatory measure missing: {code}")
                ),
            );
        }
    }
    if plan.emergency_plan.trim().is_empty() {
        p.add(
            "emergency_plan",
            t!("请填写疫情应急预案", "the emergency plan is required"),
        );
    }
}

/// The commitment signed and accepted by the principal, not dated in the future.
fn check_commitment(p: &mut Problems, plan: &Plan, firm: &FirmFacts<'_>, today: NaiveDate) {
    match &plan.commitment {
        None => p.add(
            "commitment",
            t!(
                "缺少主要负责人签署的承诺书",
                "the principal's signed commitment is missing"
            ),
        ),
        Some(c) => {
            if !c.accepted {
                p.add(
                    "commitment.accepted",
                    t!(
                        "主要负责人须确认承诺书内容",
                        "the principal must accept the commitment"
                    ),
                );
            }
            if c.signed_by != firm.principal_name {
                p.add(
                    "commitment.signed_by",
                    t!(
                        format!(
                            "承诺书应由主要负责人 {} 签署（实为 {}）",
                            firm.principal_name, c.signed_by
                        ),
                        format!(
                            "the commitment must be signed by the principal {} (signed by {})",
                            firm.principal_name, c.signed_by
                        )
                    ),
                );
            }
            if c.date > today {
                p.add(
                    "commitment.date",
                    t!(
                        "承诺书日期不能晚于今天",
                        "the commitment date cannot be in the future"
                    ),
                );
            }
        }
    }
}

/// The roster describes the same people as the plan.
fn check_roster(p: &mut Problems, h: &Headcounts, roster: &[RosterEntry], policy: &Policy) {
    let n = roster.len() as u32;
    if n != h.planned {
        p.add(
            "roster",
            t!(
                format!("员工花名册 {n} 人，与计划复工人数 {} 人不一致", h.planned),
                format!(
                    "the roster lists {n} people but the plan says {}",
                    h.planned
                )
            ),
        );
    }
    let elsewhere = roster.iter().filter(|r| r.from_elsewhere).count() as u32;
    if n == h.planned && elsewhere != h.elsewhere {
        p.add(
            "roster",
            t!(
                format!(
                    "花名册中外地返岗 {elsewhere} 人，与方案填报 {} 人不一致",
                    h.elsewhere
                ),
                format!(
                    "the roster has {elsewhere} from elsewhere but the plan says {}",
                    h.elsewhere
                )
            ),
        );
    }
    let key = roster
        .iter()
        .filter(|r| r.from_elsewhere && policy.is_key_area(&r.from_region))
        .count() as u32;
    if n == h.planned && key != h.key_area {
        p.add(
            "roster",
            t!(
                format!(
                    "花名册中来自重点地区 {key} 人，与方案填报 {} 人不一致",
                    h.key_area
                ),
                format!(
                    "the roster has {key} from key areas but the plan says {}",
                    h.key_area
                )
            ),
        );
    }
}

/// What the reviewer should see: supplies that run short, staff with symptoms, a roster whose
/// health differs from the plan.
fn findings(plan: &Plan, roster: &[RosterEntry], policy: &Policy) -> Vec<Finding> {
    let h = &plan.headcount;
    let mut findings = Vec::new();
    let need = u64::from(h.planned) * u64::from(policy.supplies.masks_per_person_per_day);
    if let Some(days) = u64::from(plan.supplies.masks).checked_div(need) {
        if days < u64::from(policy.supplies.min_days) {
            findings.push(Finding {
                code: "supplies_days".into(),
                message: t!(
                    format!(
                        "口罩储备仅够 {days} 天（要求不少于 {} 天）",
                        policy.supplies.min_days
                    ),
                    format!(
                        "masks on hand last {days} days (at least {} expected)",
                        policy.supplies.min_days
                    )
                ),
            });
        }
    }
    if h.symptomatic > 0 {
        findings.push(Finding {
            code: "symptomatic".into(),
            message: t!(
                format!("现有发热或症状人员 {} 人", h.symptomatic),
                format!("{} staff have fever or symptoms now", h.symptomatic)
            ),
        });
    }
    let fever = roster.iter().filter(|r| r.health == Health::Fever).count() as u32;
    let obs = roster
        .iter()
        .filter(|r| r.health == Health::Observation)
        .count() as u32;
    if !roster.is_empty() && (fever != h.symptomatic || obs != h.under_observation) {
        findings.push(Finding {
            code: "roster_health".into(),
            message: t!(
                format!("花名册健康状况（隔离 {obs}、发热 {fever}）与方案（隔离 {}、症状 {}）不一致", h.under_observation, h.symptomatic),
                format!("roster health (observation {obs}, fever {fever}) differs from the plan ({}, {})", h.under_observation, h.symptomatic)
            ),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy() -> Policy {
        Policy::default_policy()
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, 5).unwrap()
    }
    fn good_json() -> Value {
        json!({"category":"production","planned_date":"2020-02-10","headcount":{"planned":3,"local":2,"elsewhere":1,
          "key_area":1,"key_area_observed_14d":0,"under_observation":1,"symptomatic":0},
          "measures":["temperature_monitoring","masks","disinfection"],"measures_note":"每日两次测温",
          "supplies":{"masks":2000,"thermometers":5,"disinfectant_litres":50,"gloves":500},
          "emergency_plan":"发现发热立即隔离并报告","commitment":{"signed_by":"张三","date":"2020-02-05","accepted":true}})
    }
    fn roster() -> Vec<RosterEntry> {
        super::super::roster::tests::sample_roster(today())
    }
    fn firm() -> FirmFacts<'static> {
        FirmFacts {
            industry: "14",
            principal_name: "张三",
            staff_total: 120,
        }
    }

    #[test]
    fn a_good_plan_passes() {
        let plan = Plan::from_json(&good_json(), &policy()).unwrap();
        let (errs, findings) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert!(errs.is_empty(), "{errs:?}");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(plan.headcount.max_approvable(), 2);
    }

    #[test]
    fn malformed_fields_are_all_reported_at_once() {
        let v = json!({"category":"party","planned_date":"2020-02-30","headcount":{"planned":-1,"local":"x","bogus":1},
            "measures":["masks","fly"],"extra":true,"commitment":{"signed_by":"","date":"2020/02/05","accepted":"yes"}});
        let errs = Plan::from_json(&v, &policy()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "extra",
            "category",
            "planned_date",
            "headcount.bogus",
            "headcount.planned",
            "headcount.local",
            "measures[1]",
            "commitment.signed_by",
            "commitment.date",
            "commitment.accepted",
        ] {
            assert!(fields.contains(&f), "missing {f} in {fields:?}");
        }
    }

    #[test]
    fn an_empty_draft_parses_but_fails_every_check_at_once() {
        let plan = Plan::from_json(&json!({}), &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &[], &policy(), today());
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "category",
            "planned_date",
            "headcount.planned",
            "measures",
            "emergency_plan",
            "commitment",
        ] {
            assert!(fields.contains(&f), "missing {f} in {fields:?}");
        }
    }

    #[test]
    fn mandatory_measures_missing_is_refused() {
        let mut v = good_json();
        v["measures"] = json!(["disinfection"]);
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert_eq!(errs.iter().filter(|e| e.field == "measures").count(), 2);
    }

    #[test]
    fn education_may_not_reopen_before_february_17() {
        let plan = Plan::from_json(&good_json(), &policy()).unwrap();
        let school = FirmFacts {
            industry: "83",
            ..firm()
        };
        let (errs, _) = check_submission(&plan, &school, &roster(), &policy(), today());
        assert!(
            errs.iter()
                .any(|e| e.field == "planned_date" && e.message.zh.contains("2020-02-17")),
            "{errs:?}"
        );
    }

    #[test]
    fn planned_date_in_the_past_is_refused() {
        let plan = Plan::from_json(&good_json(), &policy()).unwrap();
        let later = NaiveDate::from_ymd_opt(2020, 2, 11).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), later);
        assert!(errs.iter().any(|e| e.field == "planned_date"));
    }

    #[test]
    fn headcounts_must_add_up() {
        let mut v = good_json();
        v["headcount"]["local"] = json!(5);
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert!(errs.iter().any(|e| e.field == "headcount.local"));
    }

    #[test]
    fn key_area_staff_not_cleared_must_be_under_observation() {
        let mut v = good_json();
        v["headcount"]["under_observation"] = json!(0);
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert!(
            errs.iter()
                .any(|e| e.field == "headcount.under_observation"),
            "{errs:?}"
        );
    }

    #[test]
    fn key_area_cannot_exceed_elsewhere_nor_observed_exceed_key_area() {
        let mut v = good_json();
        v["headcount"]["key_area"] = json!(2);
        v["headcount"]["key_area_observed_14d"] = json!(3);
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert!(errs.iter().any(|e| e.field == "headcount.key_area"));
        assert!(errs
            .iter()
            .any(|e| e.field == "headcount.key_area_observed_14d"));
    }

    #[test]
    fn commitment_must_be_accepted_signed_by_the_principal() {
        let mut v = good_json();
        v["commitment"] = json!({"signed_by":"王五","date":"2020-02-06","accepted":false});
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, _) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"commitment.accepted"));
        assert!(fields.contains(&"commitment.signed_by"));
        assert!(fields.contains(&"commitment.date"));
    }

    #[test]
    fn roster_count_must_match_the_plan() {
        let plan = Plan::from_json(&good_json(), &policy()).unwrap();
        let mut r = roster();
        r.pop();
        let (errs, _) = check_submission(&plan, &firm(), &r, &policy(), today());
        assert!(errs.iter().any(|e| e.field == "roster"));
    }

    #[test]
    fn planned_above_staff_total_is_refused() {
        let plan = Plan::from_json(&good_json(), &policy()).unwrap();
        let tiny = FirmFacts {
            staff_total: 2,
            ..firm()
        };
        let (errs, _) = check_submission(&plan, &tiny, &roster(), &policy(), today());
        assert!(errs.iter().any(|e| e.field == "headcount.planned"));
    }

    #[test]
    fn few_masks_is_a_finding_not_a_refusal() {
        let mut v = good_json();
        v["supplies"]["masks"] = json!(10);
        let plan = Plan::from_json(&v, &policy()).unwrap();
        let (errs, findings) = check_submission(&plan, &firm(), &roster(), &policy(), today());
        assert!(errs.is_empty());
        assert_eq!(findings[0].code, "supplies_days");
    }
}

//! plan.json (`Plan::from_json`), report.json (`DailyInput::from_json`) and firm.json
//! (`FirmInput::from_json`): arbitrary JSON trees and edits of a valid document.

use proptest::prelude::*;
use reopen_core::domain::daily::DailyInput;
use reopen_core::domain::firm::FirmInput;
use reopen_core::domain::plan::Plan;
use reopen_core::service::demo::{demo_credit_code, demo_plan};
use reopen_core::FieldError;
use serde_json::{json, Value};

use super::*;

fn refusal_names_fields(errors: &[FieldError]) -> Result<(), TestCaseError> {
    prop_assert!(!errors.is_empty());
    for e in errors {
        prop_assert!(
            !e.message.zh.is_empty() && !e.message.en.is_empty(),
            "{e:?}"
        );
    }
    Ok(())
}

/// A parsed plan, written back as JSON and parsed again, is the same plan.
fn plan_round_trips(plan: &Plan) -> Result<(), TestCaseError> {
    let policy = policy();
    let again = Plan::from_json(&serde_json::to_value(plan).unwrap(), &policy);
    prop_assert_eq!(again.as_ref(), Ok(plan), "{:?}", plan);
    Ok(())
}

fn valid_plan() -> Value {
    demo_plan("production", 6, 2, 1, "王建国", now())
}

fn valid_report() -> Value {
    json!({"date": "2020-02-08", "staff_on_site": 12, "fever": 0, "under_observation": 1,
        "masks_remaining": 300, "notes": "上下班测温两次,均正常"})
}

fn valid_firm() -> Value {
    json!({"credit_code": demo_credit_code("511802", 7), "name": "雨城甲商贸有限公司",
        "division": "511802", "township": "河北街道", "address": "雅安市雨城区青衣江路1号",
        "industry": "52", "legal_representative": "王建国",
        "principal": {"name": "王建国", "phone": "13800000000"},
        "contact": {"name": "李防疫", "phone": "13900000000"},
        "staff_total": 50, "city_managed": false})
}

fn check_plan(v: &Value) -> Result<(), TestCaseError> {
    match Plan::from_json(v, &policy()) {
        Ok(plan) => plan_round_trips(&plan),
        Err(e) => refusal_names_fields(&e),
    }
}

fn check_report(v: &Value) -> Result<(), TestCaseError> {
    match DailyInput::from_json(v) {
        Ok(r) => {
            let again = DailyInput::from_json(&serde_json::to_value(&r).unwrap());
            prop_assert_eq!(again, Ok(r));
            Ok(())
        }
        Err(e) => refusal_names_fields(&e),
    }
}

fn check_firm(v: &Value) -> Result<(), TestCaseError> {
    match FirmInput::from_json(v) {
        Ok(f) => {
            let back = json!({"credit_code": f.credit_code.as_str(), "name": f.name,
                "division": f.division.as_str(), "township": f.township, "address": f.address,
                "industry": f.industry.as_str(), "legal_representative": f.legal_representative,
                "principal": {"name": f.principal.name, "phone": f.principal.phone},
                "contact": {"name": f.contact.name, "phone": f.contact.phone},
                "staff_total": f.staff_total, "city_managed": f.city_managed});
            prop_assert_eq!(FirmInput::from_json(&back), Ok(f));
            Ok(())
        }
        Err(e) => refusal_names_fields(&e),
    }
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn plan_arbitrary_json(v in json_value()) {
        check_plan(&v)?;
        check_report(&v)?;
        check_firm(&v)?;
    }

    #[test]
    fn plan_edited(edits in proptest::collection::vec(json_edit(), 1..4)) {
        let valid = valid_plan();
        prop_assert!(Plan::from_json(&valid, &policy()).is_ok());
        check_plan(&edit_json(&valid, &edits))?;
    }

    /// A text field replaced by arbitrary text is refused naming that field, or kept exactly.
    #[test]
    fn plan_text_fields(field in 0usize..3, s in hostile_string(60)) {
        let mut v = valid_plan();
        let (path, name) = [
            ("/measures_note", "measures_note"),
            ("/emergency_plan", "emergency_plan"),
            ("/commitment/signed_by", "commitment.signed_by"),
        ][field];
        *v.pointer_mut(path).unwrap() = s.clone().into();
        match Plan::from_json(&v, &policy()) {
            Ok(plan) => {
                let kept = match field {
                    0 => plan.measures_note.clone(),
                    1 => plan.emergency_plan.clone(),
                    _ => plan.commitment.as_ref().unwrap().signed_by.clone(),
                };
                let expected = s.replace("\r\n", "\n");
                prop_assert_eq!(kept.as_str(), expected.trim());
                plan_round_trips(&plan)?;
            }
            Err(e) => {
                prop_assert!(e.iter().all(|f| f.field == name), "{:?}", e);
            }
        }
    }

    #[test]
    fn report_edited(edits in proptest::collection::vec(json_edit(), 1..4)) {
        let valid = valid_report();
        prop_assert!(DailyInput::from_json(&valid).is_ok());
        check_report(&edit_json(&valid, &edits))?;
    }

    #[test]
    fn firm_edited(edits in proptest::collection::vec(json_edit(), 1..4)) {
        let valid = valid_firm();
        prop_assert!(FirmInput::from_json(&valid).is_ok());
        check_firm(&edit_json(&valid, &edits))?;
    }

    /// JSON text itself: arbitrary bytes and edited documents through serde_json first, as the
    /// shells read files.
    #[test]
    fn json_text_edited(which in 0usize..3, edits in proptest::collection::vec(text_edit(), 1..4)) {
        let valid = [valid_plan(), valid_report(), valid_firm()][which].to_string();
        if let Ok(v) = serde_json::from_str::<Value>(&edit_text(&valid, &edits)) {
            check_plan(&v)?;
            check_report(&v)?;
            check_firm(&v)?;
        }
    }
}

//! The firm (企业) record: firm.json of cli.md parsed into checked values, every bad field at once.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::{
    parse_name, parse_text, CreditCode, DivisionCode, Headcount, IndustryDivision, Phone,
};
use crate::error::{FieldError, Problems, Text};
use crate::t;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Person {
    pub name: String,
    pub phone: String,
}

/// A firm as entered, every value checked for form. Existence of the division and routing of the
/// industry are the store's to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmInput {
    pub credit_code: CreditCode,
    pub name: String,
    pub division: DivisionCode,
    pub township: String,
    pub address: String,
    pub industry: IndustryDivision,
    pub legal_representative: String,
    pub principal: Person,
    pub contact: Person,
    pub staff_total: u32,
    pub city_managed: bool,
}

const KEYS: [&str; 11] = [
    "credit_code",
    "name",
    "division",
    "township",
    "address",
    "industry",
    "legal_representative",
    "principal",
    "contact",
    "staff_total",
    "city_managed",
];

fn text_of(v: Option<&Value>, field: &str, p: &mut Problems) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => {
            p.add(field, t!("必填", "required"));
            String::new()
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            p.add(field, t!("应为文本", "must be text"));
            String::new()
        }
    }
}

fn person(v: Option<&Value>, field: &str, p: &mut Problems) -> Option<Person> {
    let Some(Value::Object(m)) = v else {
        p.add(
            field,
            t!(
                "必填：应含 name 和 phone",
                "required: an object with name and phone"
            ),
        );
        return None;
    };
    for k in m.keys() {
        if k != "name" && k != "phone" {
            p.add(format!("{field}.{k}"), t!("未知字段", "unknown field"));
        }
    }
    let nf = format!("{field}.name");
    let pf = format!("{field}.phone");
    let name_raw = text_of(m.get("name"), &nf, p);
    let phone_raw = text_of(m.get("phone"), &pf, p);
    // A name or phone given as blank text is as missing as one left out.
    for (raw, f) in [(&name_raw, &nf), (&phone_raw, &pf)] {
        if raw.trim().is_empty()
            && matches!(
                m.get(f.rsplit('.').next().unwrap_or_default()),
                Some(Value::String(_))
            )
        {
            p.add(f.clone(), t!("必填", "required"));
        }
    }
    let name = if name_raw.trim().is_empty() {
        None
    } else {
        p.take(&nf, parse_name(&name_raw, 50))
    };
    let phone = if phone_raw.trim().is_empty() {
        None
    } else {
        p.take(&pf, Phone::parse(&phone_raw))
    };
    Some(Person {
        name: name?,
        phone: phone?.as_str().to_string(),
    })
}

impl FirmInput {
    pub fn from_json(v: &Value) -> Result<FirmInput, Vec<FieldError>> {
        let mut p = Problems::new();
        let Some(m) = v.as_object() else {
            return Err(vec![FieldError::new(
                "firm",
                t!("应为 JSON 对象", "must be a JSON object"),
            )]);
        };
        for k in m.keys() {
            if !KEYS.contains(&k.as_str()) {
                p.add(k.clone(), t!("未知字段", "unknown field"));
            }
        }
        let req = |key: &str, p: &mut Problems| {
            let present = matches!(m.get(key), Some(Value::String(_)) | Some(Value::Number(_)));
            let s = text_of(m.get(key), key, p);
            if present && s.trim().is_empty() {
                p.add(key, t!("必填", "required"));
            }
            (!s.trim().is_empty()).then_some(s)
        };
        let credit_code =
            req("credit_code", &mut p).and_then(|s| p.take("credit_code", CreditCode::parse(&s)));
        let name = req("name", &mut p).and_then(|s| p.take("name", parse_name(&s, 100)));
        let division =
            req("division", &mut p).and_then(|s| p.take("division", DivisionCode::parse(&s)));
        let township = req("township", &mut p).and_then(|s| p.take("township", parse_name(&s, 50)));
        let address =
            req("address", &mut p).and_then(|s| p.take("address", parse_text(&s, 200, true)));
        let industry =
            req("industry", &mut p).and_then(|s| p.take("industry", IndustryDivision::parse(&s)));
        let legal = req("legal_representative", &mut p)
            .and_then(|s| p.take("legal_representative", parse_name(&s, 50)));
        let principal = person(m.get("principal"), "principal", &mut p);
        let contact = person(m.get("contact"), "contact", &mut p);
        let staff_total = match m.get("staff_total") {
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => p.take("staff_total", Headcount::parse(i)).map(|h| h.get()),
                None => {
                    p.add("staff_total", t!("应为整数", "must be a whole number"));
                    None
                }
            },
            None | Some(Value::Null) => {
                p.add("staff_total", t!("必填", "required"));
                None
            }
            Some(_) => {
                p.add("staff_total", t!("应为整数", "must be a whole number"));
                None
            }
        };
        if staff_total == Some(0) {
            p.add(
                "staff_total",
                t!("职工总数必须大于 0", "staff total must be above 0"),
            );
        }
        let city_managed = match m.get("city_managed") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                p.add(
                    "city_managed",
                    t!("应为 true 或 false", "must be true or false"),
                );
                false
            }
        };
        match (
            credit_code,
            name,
            division,
            township,
            address,
            industry,
            legal,
            principal,
            contact,
            staff_total,
        ) {
            (
                Some(credit_code),
                Some(name),
                Some(division),
                Some(township),
                Some(address),
                Some(industry),
                Some(legal_representative),
                Some(principal),
                Some(contact),
                Some(staff_total),
            ) if p.is_empty() => Ok(FirmInput {
                credit_code,
                name,
                division,
                township,
                address,
                industry,
                legal_representative,
                principal,
                contact,
                staff_total,
                city_managed,
            }),
            // Every refusal names a field; one that did not would be a bug of this reader.
            _ if p.is_empty() => Err(vec![FieldError::new(
                "firm",
                t!("企业信息不完整", "the firm's details are incomplete"),
            )]),
            _ => Err(p.0),
        }
    }

    /// The warning a reviewer sees when the credit code was registered outside the firm's
    /// jurisdiction (a code registered at the city level matches every county of the city).
    pub fn division_warning(&self, city: &str) -> Option<Text> {
        let reg = self.credit_code.registration_division();
        let div = self.division.as_str();
        if reg == div || reg == city && self.division.prefecture().as_str() == city {
            None
        } else {
            Some(t!(
                format!("统一社会信用代码的登记机关区划为 {reg}，与企业所在县（区）{div} 不一致"),
                format!("the credit code was registered in division {reg}, not in the firm's division {div}")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::make_credit_code;
    use serde_json::json;

    pub(crate) fn firm_json(code: &str) -> Value {
        json!({"credit_code":code,"name":"雅安某某食品有限公司","division":"511802",
            "township":"河北街道","address":"雅安市雨城区某路1号","industry":"14","legal_representative":"张三",
            "principal":{"name":"张三","phone":"13800000000"},"contact":{"name":"李四","phone":"13900000000"},
            "staff_total":120,"city_managed":false})
    }

    /// Found by the fuzzer (tests/fuzz, `firm_edited`): a blank principal name was refused with
    /// no field named.
    #[test]
    fn a_blank_name_or_phone_of_a_person_is_named() {
        let code = make_credit_code('9', '1', "511802", "MA62AB01").unwrap();
        let mut v = firm_json(&code);
        v["principal"]["name"] = json!("");
        v["contact"]["phone"] = json!("  ");
        let errs = FirmInput::from_json(&v).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["principal.name", "contact.phone"]);
    }

    #[test]
    fn a_good_firm_parses() {
        let code = make_credit_code('9', '1', "511802", "MA62AB01").unwrap();
        let f = FirmInput::from_json(&firm_json(&code)).unwrap();
        assert_eq!(f.industry.section(), 'C');
        assert_eq!(f.division_warning("511800"), None);
    }

    #[test]
    fn code_from_another_county_is_a_warning() {
        let code = make_credit_code('9', '1', "511803", "MA62AB01").unwrap();
        let f = FirmInput::from_json(&firm_json(&code)).unwrap();
        assert!(f.division_warning("511800").unwrap().zh.contains("511803"));
        let city = make_credit_code('9', '1', "511800", "MA62AB01").unwrap();
        let f = FirmInput::from_json(&firm_json(&city)).unwrap();
        assert_eq!(f.division_warning("511800"), None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let v = json!({"credit_code":"91511802MA62XXXXX0","name":"","division":"99","township":"x",
            "address":"a","industry":"92","legal_representative":"张三","principal":{"name":"张三","phone":"123"},
            "contact":{"name":"李四"},"staff_total":-3,"city_managed":"no","extra":1});
        let errs = FirmInput::from_json(&v).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "credit_code",
            "name",
            "division",
            "industry",
            "principal.phone",
            "contact.phone",
            "staff_total",
            "city_managed",
            "extra",
        ] {
            assert!(fields.contains(&f), "missing {f} in {fields:?}");
        }
        assert!(
            errs.iter()
                .any(|e| e.field == "industry" && e.message.zh.contains("不在本系统")),
            "{errs:?}"
        );
    }
}

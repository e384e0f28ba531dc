//! Realistic sample documents.

use chrono::{NaiveDate, TimeZone, Utc};
use reopen_core::documents::{CertificateDoc, FormDecision, FormDoc, FormReview, FormStage};
use reopen_core::domain::firm::Person;
use reopen_core::domain::plan::{Commitment, Headcounts, Plan, SuppliesOnHand};
use reopen_core::domain::roster::{mask_id, mask_phone, Health, RosterRecord, RosterView};
use reopen_core::service::Firm;

/// Enough roster rows for a three-page form.
pub const ROSTER_FOR_THREE_PAGES: usize = 24;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn certificate() -> CertificateDoc {
    CertificateDoc {
        title: "复工复产批准通知书".into(),
        number: "雨复工〔2020〕1号".into(),
        firm_name: "雅安市雨城区蜀通机械制造有限公司".into(),
        credit_code: "91511802MA62A3XK5N".into(),
        address: "四川省雅安市雨城区草坝镇工业园区兴业路18号".into(),
        approved_date: date(2020, 2, 20),
        approved_headcount: 86,
        conditions: vec![
            "落实员工每日两次体温检测和健康登记，发现发热、咳嗽等症状立即报告并送医排查。".into(),
            "来自重点地区的员工须居家隔离观察满14天且无异常后方可返岗。".into(),
            "生产车间、食堂、宿舍每日消毒不少于两次，保持通风，实行错峰就餐。".into(),
            "储备不少于7天用量的口罩、消毒液等防疫物资，员工上岗全程佩戴口罩。".into(),
        ],
        departments: vec![
            "雨城区经济和信息化局".into(),
            "雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室".into(),
        ],
        issue_date: date(2020, 2, 18),
        issued_at: Utc.with_ymd_and_hms(2020, 2, 18, 2, 30, 0).single().expect("time"),
        qr_payload: "REOPEN1:cert=%E9%9B%A8%E5%A4%8D%E5%B7%A52020-0001;firm=91511802MA62A3XK5N;date=2020-02-20;n=86;sig=Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nT25seTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk".into(),
        mark: None,
        reprint: None,
    }
}

pub fn form(roster: usize) -> FormDoc {
    let firm = Firm {
        id: 7,
        credit_code: "91511802MA62A3XK5N".into(),
        name: "雅安市雨城区蜀通机械制造有限公司".into(),
        division: "511802".into(),
        division_name: "雨城区".into(),
        township: "草坝镇".into(),
        address: "四川省雅安市雨城区草坝镇工业园区兴业路18号".into(),
        industry: "C34".into(),
        industry_name: "通用设备制造业".into(),
        legal_representative: "王建国".into(),
        principal: Person {
            name: "李明".into(),
            phone: "138****5678".into(),
        },
        contact: Person {
            name: "张丽".into(),
            phone: "139****4321".into(),
        },
        staff_total: 120,
        city_managed: false,
        warnings: vec![],
        version: 3,
        created_at: "2020-02-10T01:00:00Z".into(),
        updated_at: "2020-02-11T01:00:00Z".into(),
    };
    let plan = Plan {
        category: Some("manufacturing".into()),
        planned_date: Some(date(2020, 2, 20)),
        headcount: Headcounts {
            planned: 90,
            local: 70,
            elsewhere: 20,
            key_area: 4,
            key_area_observed_14d: 0,
            under_observation: 4,
            symptomatic: 0,
        },
        measures: vec!["temperature".into(), "masks".into()],
        measures_note: "厂区设两个测温点；食堂改为分餐制，每批就餐不超过20人。".into(),
        supplies: SuppliesOnHand {
            masks: 2000,
            thermometers: 12,
            disinfectant_litres: 150,
            gloves: 500,
        },
        emergency_plan: "成立以总经理为组长的疫情防控工作小组；设置临时隔离观察室一间；员工出现发热等症状时，立即隔离并报告草坝镇卫生院，配合开展流行病学调查和消杀。".into(),
        commitment: Some(Commitment {
            signed_by: "王建国".into(),
            date: date(2020, 2, 11),
            accepted: true,
        }),
    };
    let names = [
        "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴倩",
    ];
    let posts = ["车间操作工", "质检员", "仓管", "司机", "财务", "电工"];
    let roster = (0..roster)
        .map(|i| {
            let from_elsewhere = i % 5 == 0;
            RosterView {
                row_no: i as u32 + 1,
                masked: RosterRecord {
                    name: names[i % names.len()].to_string(),
                    id_number: mask_id(&format!("51010219900101{:04}", 12 + i)),
                    phone: mask_phone(&format!("138{:08}", 10_000_000 + i)),
                    post: posts[i % posts.len()].to_string(),
                    home_region: "四川省雅安市".into(),
                    from_elsewhere,
                    from_region: if from_elsewhere {
                        "重庆市".into()
                    } else {
                        String::new()
                    },
                    return_date: Some(date(2020, 2, 20)),
                    observation_start: from_elsewhere.then(|| date(2020, 2, 5)),
                    observation_end: from_elsewhere.then(|| date(2020, 2, 19)),
                    health: if i % 11 == 3 {
                        Health::Observation
                    } else {
                        Health::Normal
                    },
                },
            }
        })
        .collect();
    FormDoc {
        application_id: 1024,
        firm,
        plan,
        category_zh: "工业企业".into(),
        measures_zh: vec![
            ("每日两次测量员工体温并登记".into(), true),
            ("员工上岗全程佩戴口罩".into(), true),
            ("工作场所每日消毒并通风".into(), true),
            ("食堂分餐、错峰就餐".into(), true),
            ("设置临时隔离观察点".into(), false),
        ],
        roster,
        printed_at: Utc
            .with_ymd_and_hms(2020, 2, 12, 1, 0, 0)
            .single()
            .expect("time"),
    }
}

/// A review half way: the industry department agreed, the leading group office has not decided.
pub fn reviewed() -> FormReview {
    FormReview {
        addressee: "雨城区经济和信息化局".into(),
        stages: vec![
            FormStage {
                name: "行业主管部门审核".into(),
                department: "雨城区经济和信息化局".into(),
                decision: Some(FormDecision {
                    verdict_zh: "同意".into(),
                    opinion: "防控措施落实到位，同意复工复产".into(),
                    reviewer: "陈审核".into(),
                    date: date(2020, 2, 13),
                }),
            },
            FormStage {
                name: "领导小组办公室会签".into(),
                department: "雨城区应对新型冠状病毒感染肺炎疫情工作领导小组办公室".into(),
                decision: None,
            },
        ],
        full_phones: None,
    }
}

//! Every class of bad input is refused with ErrorKind::Validation naming the fields, and changes
//! nothing (audit log length and the application's version are compared before and after).

use reopen_core::domain::workflow::{AppState, TaskState};
use reopen_core::service::Decision;

use super::*;

struct Desk {
    _dir: tempfile::TempDir,
    core: Reopen,
    admin: Actor,
    clerk: Actor,
    firm: Actor,
    swj: Actor,
    code: String,
}

fn desk() -> R<Desk> {
    let dir = tempfile::tempdir()?;
    let (mut core, admin) = open(dir.path())?;
    let clerk = clerk(&mut core, &admin, "clerk", "511802")?;
    let code = register(&mut core, &clerk, 1, "雨城甲商贸有限公司")?;
    let firm = user(&mut core, &admin, "firm", "firm", None, Some(&code), None)?;
    let swj = reviewer(&mut core, &admin, "swj", "511802-SWJ")?;
    Ok(Desk {
        _dir: dir,
        core,
        admin,
        clerk,
        firm,
        swj,
        code,
    })
}

/// (audit events, application version) — what must not move on a refusal.
fn mark(d: &Desk, app: Option<i64>) -> (usize, Option<i64>) {
    (
        audit_len(&d.core, &d.admin),
        app.map(|id| d.core.app_show(&d.admin, id, now()).unwrap().version),
    )
}

fn has(fields: &[String], f: &str) -> bool {
    fields.iter().any(|x| x == f)
}

#[test]
fn bad_credit_code_is_refused() -> R {
    let mut d = desk()?;
    let before = mark(&d, None);
    let mut code = demo_credit_code("511802", 9);
    let last = code.pop().unwrap();
    code.push(if last == '0' { '1' } else { '0' }); // wrong check character
    for bad in [
        code.as_str(),
        "123",
        "91511802MA6000000",
        "91511802MA60000O0I",
    ] {
        let f = fields(d.core.firm_register(
            &d.clerk,
            &firm_json(bad, "雨城某公司", "52", 10),
            now(),
        ));
        assert!(has(&f, "credit_code"), "{bad}: {f:?}");
    }
    assert_eq!(mark(&d, None), before);
    assert_eq!(d.core.firm_list(&d.admin, None, None, None, None)?.len(), 1);
    Ok(())
}

#[test]
fn credit_code_of_another_county_is_a_warning() -> R {
    let mut d = desk()?;
    let code = demo_credit_code("511803", 5);
    let firm = d.core.firm_register(
        &d.clerk,
        &firm_json(&code, "名山登记雨城经营公司", "52", 10),
        now(),
    )?;
    assert_eq!(firm.division, "511802");
    assert_eq!(firm.warnings.len(), 1, "{:?}", firm.warnings);
    assert!(firm.warnings[0].zh.contains("511803"));
    let shown = d.core.firm_show(&d.admin, &code)?;
    assert_eq!(shown.warnings, firm.warnings);
    let row = d.core.firm_list(&d.admin, None, Some(&code), None, None)?;
    assert!(row[0].has_warnings);
    // A code of the same county carries no warning.
    assert!(d.core.firm_show(&d.admin, &d.code)?.warnings.is_empty());
    Ok(())
}

#[test]
fn section_s_and_t_industries_are_refused() -> R {
    let mut d = desk()?;
    let before = mark(&d, None);
    for (n, ind) in [(11, "91"), (12, "94"), (13, "97"), (14, "00"), (15, "5")] {
        let code = demo_credit_code("511802", n);
        let f = fields(d.core.firm_register(
            &d.clerk,
            &firm_json(&code, "雨城某机关", ind, 10),
            now(),
        ));
        assert!(has(&f, "industry"), "{ind}: {f:?}");
    }
    assert_eq!(mark(&d, None), before);
    // Routing cannot make them file either.
    let f = fields(d.core.routing_set(&d.admin, "91", "SWJ", now()));
    assert!(has(&f, "industry"));
    Ok(())
}

#[test]
fn bad_phones_are_refused() -> R {
    let mut d = desk()?;
    let before = mark(&d, None);
    for (n, phone) in [
        (21, "1380000000"),
        (22, "138000000001"),
        (23, "23800000000"),
        (24, "138-0000-000a"),
    ] {
        let code = demo_credit_code("511802", n);
        let mut v = firm_json(&code, "雨城某公司", "52", 10);
        v["principal"]["phone"] = phone.into();
        v["contact"]["phone"] = phone.into();
        let f = fields(d.core.firm_register(&d.clerk, &v, now()));
        assert!(
            has(&f, "principal.phone") && has(&f, "contact.phone"),
            "{phone}: {f:?}"
        );
    }
    // Updating a firm with a bad phone changes nothing.
    let firm = d.core.firm_show(&d.admin, &d.code)?;
    let mut v = firm_json(&d.code, "雨城甲商贸有限公司", "52", 50);
    v["principal"]["phone"] = "12345".into();
    let f = fields(d.core.firm_update(&d.clerk, &d.code, &v, None, now()));
    assert!(has(&f, "principal.phone"));
    assert_eq!(d.core.firm_show(&d.admin, &d.code)?.version, firm.version);
    assert_eq!(mark(&d, None), before);
    Ok(())
}

fn roster_lines(n: u32) -> Vec<String> {
    demo_roster_csv(n, 1, 0, 5, today())
        .lines()
        .map(str::to_string)
        .collect()
}

fn replace(d: &mut Desk, id: i64, bytes: &[u8]) -> Vec<String> {
    fields(
        d.core
            .app_roster_replace(&d.firm, id, "r.csv", bytes, None, now()),
    )
}

#[test]
fn bad_rosters_are_refused_and_change_nothing() -> R {
    let mut d = desk()?;
    let id = draft(&mut d.core, &d.firm, &d.code.clone(), "production", 5, 1, 0)?;
    let before = mark(&d, Some(id));
    let count = d.core.app_show(&d.admin, id, now())?.roster_count;

    // Bad ID number (wrong check digit) on the third data row (line 4 of the file).
    let mut lines = roster_lines(5);
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    let last = cells[1].pop().unwrap();
    cells[1].push(if last == '1' { '2' } else { '1' });
    lines[3] = cells.join(",");
    let f = replace(&mut d, id, lines.join("\n").as_bytes());
    assert_eq!(f, vec!["roster[4].id_number".to_string()], "{f:?}");

    // The same ID number twice.
    let mut lines = roster_lines(5);
    let id1 = lines[1].split(',').nth(1).unwrap().to_string();
    let id3 = lines[3].split(',').nth(1).unwrap().to_string();
    lines[3] = lines[3].replace(&id3, &id1);
    let f = replace(&mut d, id, lines.join("\n").as_bytes());
    assert!(f.iter().any(|x| x.ends_with("id_number")), "{f:?}");

    // An unknown column.
    let mut lines = roster_lines(5);
    lines[0].push_str(",血型");
    for l in lines.iter_mut().skip(1) {
        l.push_str(",A");
    }
    let f = replace(&mut d, id, lines.join("\n").as_bytes());
    assert!(f.iter().any(|x| x.starts_with("roster.header")), "{f:?}");

    // Neither UTF-8 nor GBK/GB18030.
    let f = replace(&mut d, id, b"\x80\xff\xff\x41,\x80\n");
    assert_eq!(f, vec!["roster".to_string()]);

    // Empty file, and a damaged workbook.
    let f = replace(&mut d, id, b"");
    assert!(has(&f, "roster"), "{f:?}");
    let f = fields(
        d.core
            .app_roster_replace(&d.firm, id, "r.xlsx", b"PK\x03\x04", None, now()),
    );
    assert_eq!(f, vec!["roster".to_string()]);

    // A control character in a name.
    let mut lines = roster_lines(5);
    lines[2] = lines[2].replacen(',', "\u{7},", 1);
    let f = replace(&mut d, id, lines.join("\n").as_bytes());
    assert_eq!(f, vec!["roster[3].name".to_string()], "{f:?}");

    assert_eq!(mark(&d, Some(id)), before);
    assert_eq!(d.core.app_show(&d.admin, id, now())?.roster_count, count);
    Ok(())
}

#[test]
fn plan_with_unknown_field_is_refused() -> R {
    let mut d = desk()?;
    let id = draft(&mut d.core, &d.firm, &d.code.clone(), "production", 5, 1, 0)?;
    let before = mark(&d, Some(id));
    let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, now());
    plan["bonus"] = 1.into();
    plan["headcount"]["robots"] = 3.into();
    let f = fields(d.core.app_update(&d.firm, id, &plan, None, now()));
    assert!(has(&f, "bonus") && has(&f, "headcount.robots"), "{f:?}");
    plan.as_object_mut().unwrap().remove("bonus");
    plan["headcount"].as_object_mut().unwrap().remove("robots");
    plan["category"] = "casino".into();
    plan["headcount"]["planned"] = (-3).into();
    let f = fields(d.core.app_update(&d.firm, id, &plan, None, now()));
    assert!(has(&f, "category") && has(&f, "headcount.planned"), "{f:?}");
    assert_eq!(mark(&d, Some(id)), before);
    // app_create refuses the same way and creates nothing.
    let c2 = register(&mut d.core, &d.clerk, 2, "雨城乙商贸有限公司")?;
    let before = mark(&d, None);
    let f = fields(
        d.core
            .app_create(&d.clerk, &c2, &serde_json::json!({"x": 1}), now()),
    );
    assert!(has(&f, "x"));
    assert_eq!(mark(&d, None), before);
    Ok(())
}

#[test]
fn submit_reports_every_failing_field_at_once() -> R {
    let mut d = desk()?;
    let mut plan = demo_plan("production", 6, 1, 0, PRINCIPAL, now());
    plan["headcount"]["local"] = 3.into(); // 3 + 1 != 6
    plan["measures"] = serde_json::json!(["temperature_monitoring", "disinfection"]); // no masks
    plan["commitment"]["signed_by"] = "张冒名".into();
    plan["commitment"]["accepted"] = false.into();
    plan["emergency_plan"] = "".into();
    let app = d.core.app_create(&d.firm, &d.code.clone(), &plan, now())?;
    let csv = demo_roster_csv(5, 1, 0, 3, today()); // 5 people, the plan says 6
    d.core
        .app_roster_replace(&d.firm, app.id, "r.csv", csv.as_bytes(), None, now())?;
    let before = mark(&d, Some(app.id));
    let f = fields(d.core.app_submit(&d.firm, app.id, None, now()));
    for want in [
        "headcount.local",
        "measures",
        "commitment.signed_by",
        "commitment.accepted",
        "emergency_plan",
        "roster",
    ] {
        assert!(has(&f, want), "missing {want} in {f:?}");
    }
    assert_eq!(mark(&d, Some(app.id)), before);
    let app = d.core.app_show(&d.admin, app.id, now())?;
    assert_eq!((app.state, app.submission_no), (AppState::Draft, 0));
    assert!(d.core.app_versions(&d.admin, app.id)?.is_empty());
    Ok(())
}

#[test]
fn education_may_not_reopen_before_february_17() -> R {
    let mut d = desk()?;
    let code = demo_credit_code("511802", 30);
    d.core
        .firm_register(&d.clerk, &firm_json(&code, "雨城实验学校", "83", 80), now())?;
    let mut plan = demo_plan("general", 5, 1, 0, PRINCIPAL, now());
    plan["planned_date"] = "2020-02-10".into();
    let app = d.core.app_create(&d.clerk, &code, &plan, now())?;
    let csv = demo_roster_csv(5, 1, 0, 4, today());
    d.core
        .app_roster_replace(&d.clerk, app.id, "r.csv", csv.as_bytes(), None, now())?;
    let before = mark(&d, Some(app.id));
    let f = fields(d.core.app_submit(&d.clerk, app.id, None, now()));
    assert_eq!(f, vec!["planned_date".to_string()]);
    assert_eq!(mark(&d, Some(app.id)), before);
    // On the 17th it may.
    plan["planned_date"] = "2020-02-17".into();
    d.core.app_update(&d.clerk, app.id, &plan, None, now())?;
    let app = d.core.app_submit(&d.clerk, app.id, None, now())?;
    assert_eq!(app.state, AppState::InReview);
    assert!(app.tasks[0].department.ends_with("JYJ"));
    Ok(())
}

fn pending(d: &Desk, id: i64) -> (AppState, Option<u32>, i64, TaskState) {
    let a = d.core.app_show(&d.admin, id, now()).unwrap();
    (a.state, a.stage, a.version, a.tasks.last().unwrap().state)
}

#[test]
fn bad_decisions_are_refused_and_change_nothing() -> R {
    let mut d = desk()?;
    // 6 planned, 3 from elsewhere, 2 of them from Hubei still under observation: at most 4.
    let id = submitted(&mut d.core, &d.firm, &d.code.clone(), "production", 6, 3, 2)?;
    let before = (mark(&d, Some(id)), pending(&d, id));
    let swj = d.swj.clone();
    let mut check = |dec: Decision, field: &str| {
        let f = fields(d.core.review_decide(&swj, id, &dec, now()));
        assert!(has(&f, field), "{dec:?}: {f:?}");
    };
    check(decision("approve", Some(7)), "headcount"); // above planned
    check(decision("approve", Some(5)), "headcount"); // counts key-area staff under observation
    check(decision("approve", None), "headcount"); // no headcount
    check(decision("approve", Some(-1)), "headcount");
    check(decision("reject", Some(3)), "headcount"); // headcount with a refusal
    check(decision("maybe", None), "verdict");
    check(
        Decision {
            opinion: "   \n\t ".into(),
            ..decision("return", None)
        },
        "opinion",
    );
    check(
        Decision {
            opinion: "".into(),
            ..decision("approve", Some(4))
        },
        "opinion",
    );
    check(
        Decision {
            opinion: "同意".repeat(600_000),
            ..decision("approve", Some(4))
        },
        "opinion",
    );
    check(
        Decision {
            opinion: "同意\u{202E}不".into(),
            ..decision("approve", Some(4))
        },
        "opinion",
    );
    check(
        Decision {
            conditions: Some("每日测温;\u{1b}[31m".into()),
            ..decision("approve", Some(4))
        },
        "conditions[1]",
    );
    assert_eq!((mark(&d, Some(id)), pending(&d, id)), before);
    let app = d
        .core
        .review_decide(&d.swj, id, &decision("approve", Some(4)), now())?;
    assert_eq!(app.stage, Some(1));
    Ok(())
}

#[test]
fn megabyte_text_fields_are_refused_without_panic() -> R {
    let mut d = desk()?;
    let id = draft(&mut d.core, &d.firm, &d.code.clone(), "production", 5, 1, 0)?;
    let before = mark(&d, Some(id));
    let mb = "疫".repeat(350_000); // > 1 MB of UTF-8
    let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, now());
    plan["emergency_plan"] = mb.clone().into();
    let f = fields(d.core.app_update(&d.firm, id, &plan, None, now()));
    assert!(has(&f, "emergency_plan"), "{f:?}");
    let mut v = firm_json(&d.code, &mb, "52", 50);
    v["address"] = mb.clone().into();
    let f = fields(d.core.firm_update(&d.clerk, &d.code, &v, None, now()));
    assert!(has(&f, "name") && has(&f, "address"), "{f:?}");
    let code = demo_credit_code("511802", 40);
    let f = fields(d.core.firm_register(
        &d.clerk,
        &firm_json(&code, &"x".repeat(1 << 20), "52", 5),
        now(),
    ));
    assert!(has(&f, "name"));
    // A 1 MB roster cell.
    let mut lines = roster_lines(5);
    lines[1] = lines[1].replacen("操作工", &"岗".repeat(400_000), 1);
    let f = fields(d.core.app_roster_replace(
        &d.firm,
        id,
        "r.csv",
        lines.join("\n").as_bytes(),
        None,
        now(),
    ));
    assert_eq!(f, vec!["roster[2].post".to_string()]);
    // A 1 MB user name.
    let u = reopen_core::service::NewUser {
        name: "u".repeat(1 << 20),
        role: "leader".into(),
        division: Some("511802".into()),
        password: Some(PW.into()),
        ..Default::default()
    };
    assert!(has(&fields(d.core.user_add(&d.admin, &u, now())), "name"));
    assert_eq!(mark(&d, Some(id)), before);
    Ok(())
}

#[test]
fn control_characters_and_direction_marks_in_names_are_refused() -> R {
    let mut d = desk()?;
    let before = mark(&d, None);
    for (n, name) in [
        (51, "雨城\u{202E}司公限有"),
        (52, "雨城\u{200F}商行"),
        (53, "雨城\u{0007}商行"),
        (54, "雨城\u{0000}商行"),
        (55, "雨城\n商行"),
        (56, "雨城\u{2067}商行"),
    ] {
        let code = demo_credit_code("511802", n);
        let f = fields(
            d.core
                .firm_register(&d.clerk, &firm_json(&code, name, "52", 5), now()),
        );
        assert!(has(&f, "name"), "{name:?}: {f:?}");
    }
    let mut v = firm_json(&d.code, "雨城甲商贸有限公司", "52", 50);
    v["principal"]["name"] = "王\u{202B}建国".into();
    let f = fields(d.core.firm_update(&d.clerk, &d.code, &v, None, now()));
    assert!(has(&f, "principal.name"), "{f:?}");
    assert_eq!(mark(&d, None), before);
    Ok(())
}

#[test]
fn emoji_and_rare_cjk_are_stored_exactly() -> R {
    let mut d = desk()?;
    let name = "𠮷野家䶮堃餐饮(雅安)店";
    let code = demo_credit_code("511802", 60);
    let mut v = firm_json(&code, name, "52", 5);
    v["principal"]["name"] = "𠮷田䶮".into();
    v["address"] = "雅安市雨城区𡈼街道1号".into();
    let firm = d.core.firm_register(&d.clerk, &v, now())?;
    assert_eq!(firm.name, name);
    let shown = d.core.firm_show(&d.admin, &code)?;
    assert_eq!(shown.name, name);
    assert_eq!(shown.principal.name, "𠮷田䶮");
    assert_eq!(shown.address, "雅安市雨城区𡈼街道1号");
    // Found by a fragment of the rare characters, through the trigram index and LIKE.
    let hits = d
        .core
        .firm_list(&d.admin, None, Some("𠮷野家"), None, None)?;
    assert_eq!(
        hits.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec![name]
    );
    let hits = d.core.firm_list(&d.admin, None, Some("䶮堃"), None, None)?;
    assert_eq!(hits.len(), 1);
    // And through a reopen of the database.
    drop(d.core);
    let core = open_again(d._dir.path())?;
    assert_eq!(core.firm_show(&d.admin, &code)?.name, name);
    Ok(())
}

/// A character no font can print (a code point of the supplementary private use area, which no
/// system font covers; LibreOffice's OpenSymbol does cover some of the BMP's) is refused at data
/// entry, naming it, so that a certificate never prints an empty box; nothing is stored.
#[test]
fn unprintable_characters_are_refused_by_name() -> R {
    let mut d = desk()?;
    let before = audit_len(&d.core, &d.admin);
    let code = demo_credit_code("511802", 61);
    let mut v = firm_json(&code, "雅安\u{F0000}商贸有限公司", "52", 5);
    v["principal"]["name"] = "张\u{F0001}".into();
    let e = d.core.firm_register(&d.clerk, &v, now()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    let f: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(f, ["name", "principal.name"]);
    assert!(
        e.fields[0].message.zh.contains("U+F0000"),
        "{:?}",
        e.fields[0]
    );
    assert_eq!(audit_len(&d.core, &d.admin), before);
    assert!(d.core.firm_show(&d.admin, &code).is_err());
    Ok(())
}

/// The plan's free text is printed on the application form, so it is held to the same rule as
/// names: a character no font has is refused by field and by code point when the plan is saved,
/// and the saved plan does not change.
#[test]
fn unprintable_plan_text_is_refused_by_field() -> R {
    let mut d = desk()?;
    let id = draft(&mut d.core, &d.firm, &d.code, "production", 5, 1, 0)?;
    let before = mark(&d, Some(id));
    let mut plan = demo_plan("production", 5, 1, 0, PRINCIPAL, now());
    plan["measures_note"] = "每日测温\u{F0002}两次".into();
    plan["emergency_plan"] = "隔离\u{F0003}".into();
    plan["commitment"]["signed_by"] = "王\u{F0004}".into();
    let e = d
        .core
        .app_update(&d.firm, id, &plan, None, now())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    let f: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        f,
        ["measures_note", "emergency_plan", "commitment.signed_by"]
    );
    assert!(
        e.fields[2].message.zh.contains("U+F0004"),
        "{:?}",
        e.fields[2]
    );
    assert_eq!(mark(&d, Some(id)), before);

    // A new application at the counter is refused the same way, and none is created.
    let apps = d.core.app_list(&d.admin, &Default::default())?.len();
    let e = d
        .core
        .app_create(&d.clerk, &d.code, &plan, now())
        .unwrap_err();
    assert_eq!(e.fields.len(), 3, "{:?}", e.fields);
    assert_eq!(d.core.app_list(&d.admin, &Default::default())?.len(), apps);
    Ok(())
}

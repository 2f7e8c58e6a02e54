//! Customer records as agents and sales keep them: add, find, show, update, import from CSV;
//! every bad input refused with a clear message and nothing changed.

use crate::common;
use common::spawn_desk;

#[tokio::test]
async fn an_agent_adds_finds_shows_and_updates_a_customer() {
    let d = spawn_desk().await;
    let added = d
        .ok(
            "li.na",
            "/customer add name:\"周军\" company:\"华东电子\" email:Zhou.Jun@HuaDong.cn phone:\"+86 138 0013 8000\" locale:zh-CN",
        )
        .await;
    assert!(
        added.contains("已新增客户 #1") && added.contains("zhou.jun@huadong.cn"),
        "{added}"
    );
    assert!(
        added.contains("负责人：李娜") && added.contains("邮件语言：中文"),
        "{added}"
    );
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme Buyer\" company:\"Acme Ltd\" phone:\"(021) 6234-5678\"",
    )
    .await;

    for (query, expect) in [
        ("华东", "#1"),
        ("ACME", "#2"),
        ("6234", "#2"),
        ("huadong.cn", "#1"),
    ] {
        let found = d
            .ok("tom.baker", &format!("/customer find text:\"{query}\""))
            .await;
        assert!(found.contains(expect), "{query}: {found}");
    }
    let none = d.ok("tom.baker", "/customer find text:nobody").await;
    assert!(none.contains("No customer matches"), "{none}");
    for who in ["#1", "1", "zhou.jun@huadong.cn", "周军"] {
        let shown = d
            .ok("tom.baker", &format!("/customer show customer:\"{who}\""))
            .await;
        assert!(shown.contains("#1 · 周军 · 华东电子"), "{who}: {shown}");
    }
    let updated = d
        .ok(
            "tom.baker",
            "/customer update customer:#1 phone:\"\" email:zj@huadong.cn owner:tom.baker",
        )
        .await;
    assert!(
        updated.contains("zj@huadong.cn")
            && !updated.contains("Phone")
            && updated.contains("Tom Baker"),
        "{updated}"
    );
    let summaries: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, summary FROM audit_events WHERE subject = 'customer #1' ORDER BY seq",
    )
    .fetch_all(d.chat.desk.store.pool())
    .await
    .unwrap();
    assert_eq!(summaries[0].0, "customer.add");
    let tag = d.chat.desk.keys.audit.tag("email", "zj@huadong.cn");
    assert_eq!(
        summaries[1].1,
        format!("email changed ({tag}), phone cleared"),
        "field names and a keyed tag, no values: {summaries:?}"
    );
}

/// Personal data stays out of the audit trail: it is kept forever, exported and backed up,
/// and cannot be erased without breaking the chain.
#[tokio::test]
async fn the_audit_trail_holds_no_customer_email_phone_or_name() {
    let d = spawn_desk().await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" company:\"华东电子\" email:zhou.jun@huadong.cn phone:\"+86 138 0013 8000\"",
    )
    .await;
    d.ok(
        "xu.jing",
        "/customer update customer:#1 email:zj@huadong.cn phone:\"13900001111\" name:\"周俊\"",
    )
    .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:email kind:complaint subject:\"周军 申请退款\" details:\"多扣款\"").await;
    d.ok("xu.jing", "/inquiry reply ref:INQ-000001 text:\"已收到\"")
        .await;
    d.ok(
        "xu.jing",
        "/callback schedule customer:#1 when:\"2026-12-01 10:00\" note:\"回访\"",
    )
    .await;
    let mut csv = Vec::new();
    bizdesk::service::audit::export(&d.chat.desk, i64::MIN, &mut csv)
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    for personal in [
        "zhou.jun@huadong.cn",
        "zj@huadong.cn",
        "138 0013 8000",
        "13900001111",
        "周军",
        "周俊",
        "华东电子",
    ] {
        assert!(!csv.contains(personal), "{personal} in the trail:\n{csv}");
    }
    for action in [
        "customer.add",
        "customer.update",
        "inquiry.log",
        "inquiry.reply",
    ] {
        assert!(csv.contains(action), "{action} recorded:\n{csv}");
    }
    assert!(csv.contains("customer #1"), "{csv}");
}

#[tokio::test]
async fn bad_customer_input_gets_a_clear_message_and_changes_nothing() {
    let d = spawn_desk().await;
    d.ok("li.na", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok(
        "li.na",
        "/customer add name:\"周军\" company:\"另一家\" phone:13900001111",
    )
    .await;
    let cases = [
        ("/customer add name:\"Wang\" email:wang@", "wang@"),
        ("/customer add name:\"Wang\" phone:12-34", "12-34"),
        ("/customer add name:\"Wang\"", "email or a phone"),
        ("/customer add name:\"Wang\" email:ZJ@huadong.cn", "#1"),
        (
            "/customer add name:\"Wang\" email:w@x.cn owner:nobody",
            "nobody",
        ),
        ("/customer show customer:#99", "#99"),
        (
            "/customer show customer:\"周军\"",
            "#1 周军; #2 周军 (另一家)",
        ),
        ("/customer update customer:#2 email:zj@huadong.cn", "#1"),
        (
            "/customer update customer:#1 email:\"\"",
            "email or a phone",
        ),
    ];
    for (line, shows) in cases {
        let text = d.refused("tom.baker", line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM customers").await, 2);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM customers WHERE email = 'zj@huadong.cn'")
            .await,
        1
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'customer.%'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_csv_import_adds_the_good_rows_and_names_each_bad_one() {
    let d = spawn_desk().await;
    d.ok(
        "li.na",
        "/customer add name:\"Existing\" email:old@example.com",
    )
    .await;
    let csv = "\u{feff}姓名,公司,邮箱,电话,语言,负责人\n\
        周军,华东电子,zj@huadong.cn,+86 138 0013 8000,zh-CN,li.na\n\
        Acme Buyer,Acme Ltd,buyer@acme.com,,en,\n\
        ,No Name Ltd,nn@example.com,,,\n\
        Bad Mail,,not-an-email,,,\n\
        Again,,ZJ@huadong.cn,,,\n\
        Known,,old@example.com,,,\n\
        \"Quoted, Name\",\"Comma, Inc\",q@example.com,021-62345678,,tom.baker\n\
        Nobody Owns,,no@example.com,,,ghost\n\
        Too,Many,t@example.com,1234567,en,li.na,extra\n";
    let actor = d.employee("li.na").await;
    let report = bizdesk::service_desk::customers::service::import(&d.chat.desk, &actor, csv)
        .await
        .unwrap();
    let added: Vec<(usize, String)> = report
        .added
        .iter()
        .map(|(l, c)| (*l, c.name.clone()))
        .collect();
    assert_eq!(
        added,
        [
            (2, "周军".into()),
            (3, "Acme Buyer".into()),
            (8, "Quoted, Name".into())
        ]
    );
    let refused: Vec<(usize, Vec<&str>)> = report
        .refused
        .iter()
        .map(|(l, m)| (*l, m.iter().map(|m| m.key).collect()))
        .collect();
    assert_eq!(
        refused,
        [
            (4, vec!["customer.name_required"]),
            (5, vec!["customer.bad_email"]),
            (6, vec!["customer.csv_repeated_email"]),
            (7, vec!["customer.duplicate_email"]),
            (9, vec!["customer.unknown_owner"]),
            (10, vec!["customer.csv_extra_fields"]),
        ]
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM customers").await, 4);
    let shown = d.ok("li.na", "/customer show customer:q@example.com").await;
    assert!(
        shown.contains("Quoted, Name · Comma, Inc") && shown.contains("Tom Baker"),
        "{shown}"
    );

    // A header it cannot read refuses the whole file.
    for (bad, key) in [
        ("name,fax\nX,1\n", "customer.csv_unknown_column"),
        ("company\nX\n", "customer.csv_no_name"),
    ] {
        let e = bizdesk::service_desk::customers::service::import(&d.chat.desk, &actor, bad)
            .await
            .unwrap_err();
        assert_eq!(e.user_msgs().unwrap()[0].key, key);
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM customers").await, 4);
}

#[tokio::test]
async fn percent_and_underscore_in_a_search_match_themselves() {
    let d = spawn_desk().await;
    let actor = d.employee("li.na").await;
    for (name, email) in [
        ("100% Cotton", "cotton@example.com"),
        ("A_B Trading", "ab@example.com"),
        ("AxB Trading", "axb@example.com"),
        ("Back\\Slash", "slash@example.com"),
    ] {
        let fields = bizdesk::service_desk::customers::service::Fields {
            name: Some(name),
            email: Some(email),
            ..Default::default()
        };
        bizdesk::service_desk::customers::service::add(&d.chat.desk, &actor, fields)
            .await
            .unwrap();
    }
    let found = |text: &'static str| {
        let (d, actor) = (&d, &actor);
        async move {
            let found = bizdesk::service_desk::customers::service::find(&d.chat.desk, actor, text)
                .await
                .unwrap();
            found.into_iter().map(|c| c.name).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("%").await, ["100% Cotton"]);
    assert_eq!(found("0%").await, ["100% Cotton"]);
    assert_eq!(found("a_b").await, ["A_B Trading"]);
    assert_eq!(found("_").await, ["A_B Trading"]);
    assert_eq!(found("\\").await, ["Back\\Slash"]);
    assert_eq!(found("trading").await, ["A_B Trading", "AxB Trading"]);
}

#[tokio::test]
async fn an_email_typed_in_full_width_letters_is_the_same_address() {
    let d = spawn_desk().await;
    d.ok("li.na", "/customer add name:\"Q\" email:q@example.com")
        .await;
    d.ok("li.na", "/customer add name:\"R\" email:r@example.com")
        .await;
    for line in [
        "/customer add name:\"Q2\" email:q@ｅｘａｍｐｌｅ.com",
        "/customer add name:\"Q3\" email:Ｑ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
        "/customer update customer:#2 email:q@ｅｘａｍｐｌｅ.com",
    ] {
        let text = d.refused("li.na", line).await;
        assert!(text.contains("#1"), "{line}: {text}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM customers").await, 2);
    let shown = d
        .ok("li.na", "/customer show customer:ｑ＠example.com")
        .await;
    assert!(shown.contains("#1 · Q"), "{shown}");

    let added = d
        .ok(
            "li.na",
            "/customer add name:\"S\" email:Ｓ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        )
        .await;
    assert!(added.contains("s@example.com"), "stored as ASCII: {added}");
}

/// A data-protection request: the customer's personal data is erased everywhere it sits,
/// their links stop working, and the audit trail records it without the data and still
/// verifies.
#[tokio::test]
async fn forgetting_a_customer_erases_their_data_and_leaves_the_trail_intact() {
    use bizdesk::service::audit;
    use bizdesk::service_desk::forget::service as forget;
    use bizdesk::service_desk::satisfaction::service as satisfaction;
    let d = spawn_desk().await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn phone:\"+86 138 0013 8000\"",
    )
    .await;
    d.ok("xu.jing", "/customer add name:\"Other\" email:o@x.cn")
        .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:email kind:complaint subject:\"周军 申请退款\" details:\"电话 +86 138 0013 8000\"").await;
    d.send_all_email().await;
    d.ok("xu.jing", "/inquiry reply ref:INQ-000001 text:\"已收到\"")
        .await;
    d.ok(
        "xu.jing",
        "/inquiry resolve ref:INQ-000001 resolution:\"已退款\"",
    )
    .await;
    d.ok(
        "xu.jing",
        "/callback schedule customer:#1 when:\"2026-12-01 10:00\" note:\"问周军\"",
    )
    .await;
    let url = d.survey_url().await;
    let token = url.rsplit('/').next().unwrap().to_string();
    let before = audit::verify(&d.chat.desk).await.unwrap().unwrap();
    let trail_before = d.count("SELECT COUNT(*) FROM audit_events").await;

    let preview = forget::forget(&d.chat.desk, "operator", "#1", false)
        .await
        .unwrap();
    assert_eq!(
        (preview.inquiries, preview.unsent_emails),
        (1, 2),
        "{preview:?}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM customers WHERE email = 'zj@huadong.cn'")
            .await,
        1,
        "a preview changes nothing"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events").await,
        trail_before
    );

    let done = forget::forget(&d.chat.desk, "operator", "#1", true)
        .await
        .unwrap();
    // Two callbacks: the one scheduled, and the complaint's satisfaction follow-up.
    assert_eq!(
        (done.inquiries, done.callbacks, done.unsent_emails),
        (1, 2, 2),
        "{done:?}"
    );
    assert!(
        done.messages_scrubbed >= 1,
        "the sent acknowledgement: {done:?}"
    );
    for table_and_text in [
        "SELECT COUNT(*) FROM customers WHERE name LIKE '%周军%' OR company <> '' AND id = 1 OR email = 'zj@huadong.cn' OR phone LIKE '%138%'",
        "SELECT COUNT(*) FROM inquiries WHERE subject LIKE '%周军%' OR details LIKE '%138%' OR resolution LIKE '%退款%'",
        "SELECT COUNT(*) FROM inquiry_events WHERE text LIKE '%已收到%' OR text LIKE '%退款%'",
        "SELECT COUNT(*) FROM callbacks WHERE customer LIKE '%周军%' OR note LIKE '%周军%'",
        "SELECT COUNT(*) FROM outbox WHERE address = 'zj@huadong.cn' OR payload LIKE '%zj@huadong.cn%' OR payload LIKE '%周军%' OR payload LIKE '%华东电子%'",
        "SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%zj@huadong.cn%' OR summary LIKE '%周军%'",
    ] {
        assert_eq!(d.count(table_and_text).await, 0, "{table_and_text}");
    }
    // The other customer and the records the company keeps are untouched.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM customers WHERE email = 'o@x.cn'")
            .await,
        1
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM inquiries WHERE customer_id = 1")
            .await,
        1
    );
    // Their satisfaction link no longer opens.
    let (page, _) = satisfaction::open(&d.chat.desk, &token, None)
        .await
        .unwrap();
    assert_eq!(page, satisfaction::Page::Invalid);
    // The trail: one more event, without the data, and the chain through the old head intact.
    let after = audit::verify(&d.chat.desk).await.unwrap().unwrap();
    assert_eq!(after.events, before.events + 1);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'customer.forget' AND subject = 'customer #1'").await,
        1
    );
    let again = forget::forget(&d.chat.desk, "operator", "#1", true)
        .await
        .unwrap();
    assert!(again.already);
}

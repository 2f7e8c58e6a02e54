//! Customer service as agents and customers live it: an inquiry routed by the rules,
//! acknowledged, handed off, replied to and resolved, the customer's mailbox holding one
//! thread (a real SMTP server on 127.0.0.1); complaints to the central office; bad input.

use crate::common;
use crate::smtp_sink;

use bizdesk::config::org::OrgFile;
use bizdesk::config::Secret;
use bizdesk::service::directory;
use common::{spawn_desk, spawn_desk_with};
use smtp_sink::Sink;

#[tokio::test]
async fn a_refund_inquiry_by_email_is_routed_to_finance_answered_and_resolved_in_one_thread() {
    let sink = Sink::start();
    let url = sink.url();
    let d = spawn_desk_with(move |c| c.smtp.url = Secret::new(url)).await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;

    let logged = d
        .ok(
            "xu.jing",
            "/inquiry log customer:\"周军\" channel:email kind:inquiry subject:\"申请退款\" details:\"上月订单多扣了 1,200 元，请退款。\"",
        )
        .await;
    assert!(logged.contains("INQ-000001"), "{logged}");
    // Routed by config/routing.toml: 退款 → billing, Finance, high.
    let (dept, category, priority): (String, Option<String>, String) =
        sqlx::query_as("SELECT department_code, category, priority FROM inquiries WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        (dept.as_str(), category.as_deref(), priority.as_str()),
        ("FIN", Some("billing"), "high")
    );
    // Finance's members hear of it.
    assert_eq!(d.notes_of("zhao.min", "inquiry_handoff").await.len(), 1);
    // Handing it to Finance again, while nobody there has taken it, changes nothing and
    // notifies nobody twice.
    let again = d
        .refused("xu.jing", "/inquiry handoff ref:INQ-000001 department:FIN")
        .await;
    assert!(again.contains("已在财务部"), "{again}");
    assert_eq!(d.notes_of("zhao.min", "inquiry_handoff").await.len(), 1);

    // Finance hands it to sales (it was an order question after all), who reply and resolve.
    d.ok("zhao.min", "/inquiry handoff ref:INQ-000001 department:SAL")
        .await;
    let sales = d.notes_of("li.na", "inquiry_handoff").await;
    assert_eq!(sales.len(), 1, "sales members are told");
    assert!(d
        .ok("li.na", "/inquiry list scope:department")
        .await
        .contains("INQ-000001"));
    d.ok("li.na", "/inquiry take ref:INQ-000001").await;
    d.ok(
        "li.na",
        "/inquiry note ref:INQ-000001 text:\"checked the order: double charge\"",
    )
    .await;
    d.ok(
        "li.na",
        "/inquiry reply ref:INQ-000001 text:\"您好，我们已核实重复扣款，将在 3 个工作日内退回。\"",
    )
    .await;
    d.ok(
        "li.na",
        "/inquiry resolve ref:INQ-000001 resolution:\"已退回 1,200 元至原付款账户。\"",
    )
    .await;
    let again = d
        .refused("li.na", "/inquiry reply ref:INQ-000001 text:\"more\"")
        .await;
    assert!(again.contains("已解决"), "{again}");
    let shown = d.ok("li.na", "/inquiry show ref:INQ-000001").await;
    assert!(
        shown.contains("checked the order") && shown.contains("已退回"),
        "{shown}"
    );

    // The customer's mailbox: acknowledgement, reply and result, in Chinese, one thread.
    d.send_all_email().await;
    let mut mails = sink.to("zj@huadong.cn");
    assert_eq!(mails.len(), 3);
    // Sent concurrently: put them in the order they were written (the row id in the
    // Message-ID, `bizdesk.ROW.CREATED@…`).
    let row = |m: &smtp_sink::Received| -> i64 {
        m.message_id()
            .split('.')
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(-1)
    };
    mails.sort_by_key(row);
    let parsed: Vec<_> = mails.iter().map(|m| m.parsed()).collect();
    let subjects: Vec<&str> = parsed.iter().map(|p| p.subject().unwrap_or("")).collect();
    assert!(subjects.iter().all(|s| *s == subjects[0]), "{subjects:?}");
    assert!(
        subjects[0].contains("INQ-000001") && subjects[0].contains("申请退款"),
        "{subjects:?}"
    );
    let first_id = parsed[0].message_id().unwrap().to_string();
    for p in &parsed[1..] {
        let refs = p
            .references()
            .as_text_list()
            .map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .or_else(|| p.references().as_text().map(|s| vec![s.to_string()]))
            .unwrap_or_default();
        assert!(
            refs.contains(&first_id),
            "threads under the acknowledgement: {refs:?}"
        );
    }
    let reply_text = parsed[1].body_text(0).unwrap_or_default().to_string();
    assert!(
        reply_text.contains("周军") && reply_text.contains("3 个工作日"),
        "{reply_text}"
    );
    let actions: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_events WHERE subject = 'INQ-000001' ORDER BY seq")
            .fetch_all(d.chat.desk.store.pool())
            .await
            .unwrap();
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "inquiry.log",
            "inquiry.handoff",
            "inquiry.take",
            "inquiry.note",
            "inquiry.reply",
            "inquiry.resolve"
        ]
    );
}

#[tokio::test]
async fn a_complaint_reaches_the_central_office_and_needs_a_way_to_send_its_result() {
    let d = spawn_desk().await;
    d.ok(
        "xu.jing",
        "/customer add name:\"Acme Buyer\" phone:\"+1 415 555 0100\"",
    )
    .await;
    d.ok(
        "xu.jing",
        "/inquiry log customer:\"Acme Buyer\" channel:phone kind:complaint subject:\"Broken screens\" details:\"3 of 20 monitors arrived damaged\" priority:urgent",
    )
    .await;
    for bcmo in ["chen.jie", "liu.yang"] {
        let n = d.notes_of(bcmo, "complaint_logged").await;
        assert_eq!(n.len(), 1, "{bcmo}");
    }
    let routed: (String, String) =
        sqlx::query_as("SELECT department_code, priority FROM inquiries WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        routed,
        ("BCMO".to_string(), "urgent".to_string()),
        "quality → BCMO; priority overridden"
    );
    let refused = d
        .refused(
            "chen.jie",
            "/inquiry resolve ref:INQ-000001 resolution:\"replaced\"",
        )
        .await;
    assert!(refused.contains("没有邮箱"), "{refused}");
    d.ok(
        "chen.jie",
        "/customer update customer:\"Acme Buyer\" email:buyer@acme.com",
    )
    .await;
    d.ok(
        "chen.jie",
        "/inquiry resolve ref:INQ-000001 resolution:\"Three monitors replaced\"",
    )
    .await;
    assert_eq!(d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'inquiry_resolved' AND address = 'buyer@acme.com'").await, 1);
    // Three days later (config/routing.toml), a satisfaction callback for whoever resolved it.
    assert!(d
        .ok("chen.jie", "/callback list")
        .await
        .contains("Acme Buyer"));
    d.advance(3 * 86_400).await;
    let due = d.notes_of("chen.jie", "callback_due").await;
    assert_eq!(due.len(), 1);
    assert!(
        due[0].text.contains("INQ-000001") && due[0].text.contains("满意度回访"),
        "{}",
        due[0].text
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM callbacks WHERE customer_id = 1")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_inquiry_input_gets_clear_messages_and_changes_nothing() {
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    let cases = [
        ("/inquiry log customer:\"nobody\" channel:email kind:inquiry subject:x details:y", "nobody"),
        ("/inquiry log customer:#1 channel:fax kind:inquiry subject:x details:y", "fax"),
        ("/inquiry log customer:#1 channel:email kind:inquiry subject:x details:y department:XYZ", "XYZ"),
        ("/inquiry take ref:INQ-000009", "INQ-000009"),
        ("/inquiry reply ref:REQ-000001 text:hi", "INQ"),
    ];
    for (line, shows) in cases {
        let text = d.refused("xu.jing", line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM inquiries").await, 0);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind LIKE 'inquiry%'")
            .await,
        0
    );
}

/// A desk that routes everything to Customer Service with this `[sla]` line (the routing
/// file lives as long as the returned folder).
async fn desk_with_sla(line: &str) -> (common::TestDesk, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing.toml");
    std::fs::write(
        &routing,
        format!("default_department = \"SVC\"\n[sla]\n{line}\n"),
    )
    .unwrap();
    let d = spawn_desk_with(|c| c.inquiries.routing_file = routing.clone()).await;
    (d, dir)
}

#[tokio::test]
async fn missed_service_levels_are_recorded_and_escalate() {
    let (d, _routing) = desk_with_sla("complaint = { normal = \"10m/1h\" }").await;
    d.ok("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:phone kind:complaint subject:\"Late\" details:\"Order late\"").await;
    d.ok(
        "xu.jing",
        "/customer add name:\"Li Lei\" email:ll@example.com",
    )
    .await;
    d.ok("xu.jing", "/inquiry log customer:#2 channel:phone kind:complaint subject:\"Noise\" details:\"Too loud\"").await;
    // The second is answered in time; the first is not.
    d.advance(5 * 60).await;
    d.ok(
        "xu.jing",
        "/inquiry reply ref:INQ-000002 text:\"We are on it\"",
    )
    .await;
    // Three quarters of the way to the first-answer deadline, whoever has it is reminded
    // (the department's members, as nobody took it: its head hears as one of them).
    d.advance(3 * 60).await;
    let reminders = d.notes_of("xu.jing", "inquiry_sla").await;
    assert_eq!(reminders.len(), 1, "only INQ-000001 is still unanswered");
    assert!(
        reminders[0].text.contains("INQ-000001") && reminders[0].text.contains("即将到期"),
        "{}",
        reminders[0].text
    );
    assert_eq!(d.notes_of("emily.chen", "inquiry_sla").await.len(), 1);
    assert!(d.notes_of("chen.jie", "inquiry_sla").await.is_empty());
    d.advance(2 * 60 + 1).await;
    // Unowned: the department (Customer Service) and its head hear of the late first answer.
    let late = |notes: Vec<bizdesk::chat::Reply>| -> Vec<bizdesk::chat::Reply> {
        notes
            .into_iter()
            .filter(|n| n.text.contains("已超过") || n.text.contains("missed"))
            .collect()
    };
    let alerts = late(d.notes_of("xu.jing", "inquiry_sla").await);
    assert_eq!(alerts.len(), 1, "only INQ-000001 is late");
    assert!(
        alerts[0].text.contains("INQ-000001") && alerts[0].text.contains("首次答复"),
        "{}",
        alerts[0].text
    );
    assert_eq!(
        late(d.notes_of("emily.chen", "inquiry_sla").await).len(),
        1,
        "the head"
    );
    assert!(
        d.notes_of("chen.jie", "inquiry_sla").await.is_empty(),
        "not yet the central office"
    );
    // Still unanswered as long again past the deadline (20 minutes), INQ-000001 goes up to
    // the central office. Both resolutions are then reminded (45 minutes) and missed (1 hour),
    // which the head hears of; the central office only once they are an hour late.
    d.advance(3600).await;
    let up = d.notes_of("chen.jie", "inquiry_sla").await;
    assert_eq!(up.len(), 1, "INQ-000001's first answer");
    assert!(
        up[0].text.contains("INQ-000001") && up[0].text.contains("已升级"),
        "{}",
        up[0].text
    );
    d.advance(3600).await;
    assert_eq!(d.notes_of("chen.jie", "inquiry_sla").await.len(), 3);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'inquiry.sla_escalate'")
            .await,
        3
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'inquiry.sla_remind'")
            .await,
        3,
        "INQ-000001's first answer, both resolutions"
    );
    let breaches: Vec<(i64, String)> = sqlx::query_as(
        "SELECT inquiry_id, text FROM inquiry_events WHERE kind = 'breach' ORDER BY id",
    )
    .fetch_all(d.chat.desk.store.pool())
    .await
    .unwrap();
    assert_eq!(
        breaches,
        [
            (1, "response".to_string()),
            (1, "resolution".to_string()),
            (2, "resolution".to_string())
        ]
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'inquiry.sla_breach'")
            .await,
        3
    );
    let shown = d.ok("emily.chen", "/inquiry show ref:INQ-000001").await;
    assert!(shown.contains("recorded a missed deadline"), "{shown}");
}

#[tokio::test]
async fn the_service_report_shows_what_happened() {
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:\"A\" email:a@example.com")
        .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:email kind:inquiry subject:\"Refund please\" details:\"double charge\"").await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:phone kind:complaint subject:\"Broken screen\" details:\"arrived damaged\"").await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:web kind:feedback subject:\"Nice service\" details:\"thanks\"").await;
    d.advance(30 * 60).await;
    d.ok("zhao.min", "/inquiry reply ref:INQ-000001 text:\"on it\"")
        .await;
    d.advance(90 * 60).await; // 2 h: the complaint's first answer is late (high: 2h/1d)
    d.ok(
        "zhao.min",
        "/inquiry resolve ref:INQ-000001 resolution:\"refunded\"",
    )
    .await;
    d.advance(60 * 60).await;
    d.ok("chen.jie", "/inquiry reply ref:INQ-000002 text:\"sorry\"")
        .await;
    d.advance(2 * 60 * 60).await;
    d.ok(
        "chen.jie",
        "/inquiry resolve ref:INQ-000002 resolution:\"replaced\"",
    )
    .await;

    let refused = d.refused("tom.baker", "/report service").await;
    assert!(refused.contains("department heads"), "{refused}");
    let report = d.ok("emily.chen", "/report service period:week").await;
    for part in [
        "Logged: 3 · resolved: 2 · open: 1 · complaint: 1 · feedback: 1 · inquiry: 1",
        "Service levels met: 2 of 3 (66%)",
        "First response: median 0h 30m, p90 3h 0m (2 answered)",
        "Resolution: median 2h 0m, p90 5h 0m (2 resolved)",
        "By category: - 1, Billing 1, Quality 1",
        "Top complaint categories: Quality 1",
    ] {
        assert!(report.contains(part), "{part}\n---\n{report}");
    }
    let zh = d.ok("chen.jie", "/report service").await;
    assert!(zh.contains("时限达成：2 / 3（66%）"), "{zh}");
}

#[tokio::test]
async fn people_who_left_hear_nothing_of_handoffs_or_service_levels() {
    let (d, _routing) = desk_with_sla("inquiry = { normal = \"10m/1h\" }").await;
    let leaver = d.employee("xu.jing").await.id;
    // Xu Jing leaves Customer Service: the next directory sync no longer lists her.
    let sample = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml"));
    let without: Vec<&str> = sample
        .split("[[employees]]")
        .filter(|block| !block.contains("handle = \"xu.jing\""))
        .collect();
    let org = OrgFile::parse(&without.join("[[employees]]")).unwrap();
    let report = directory::sync(&d.chat.desk, &org, "test").await.unwrap();
    assert_eq!(report.deactivated, ["xu.jing"]);

    d.ok(
        "emily.chen",
        "/customer add name:\"周军\" email:zj@huadong.cn",
    )
    .await;
    d.ok("emily.chen", "/inquiry log customer:#1 channel:phone kind:inquiry subject:\"Invoice\" details:\"Where is it\" department:FIN").await;
    // Finance hands it to Customer Service; nobody takes it, so its members are reminded.
    d.ok("zhao.min", "/inquiry handoff ref:INQ-000001 department:SVC")
        .await;
    assert_eq!(d.notes_of("emily.chen", "inquiry_handoff").await.len(), 1);
    d.advance(8 * 60).await;
    assert_eq!(d.notes_of("emily.chen", "inquiry_sla").await.len(), 1);

    let to_leaver = d
        .count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE recipient_id = {leaver}"
        ))
        .await;
    assert_eq!(to_leaver, 0, "a leaver is told nothing");
}

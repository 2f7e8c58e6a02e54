//! The sales process beyond orders: opportunities assessed by the central office through the
//! approval engine, contracts reviewed by legal (and the central office above an amount),
//! change requests and quality problems on orders, and the sales report that sums it up.

use crate::common;

use common::{spawn_desk, TestDesk};

/// A customer (#1) and an opportunity OPP-000001 from li.na, pending assessment.
async fn opportunity(d: &TestDesk) -> String {
    d.ok(
        "li.na",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;
    d.ok(
        "li.na",
        "/opportunity new customer:#1 title:\"办公室装修三层\" value:250000 notes:\"客户预算已批\"",
    )
    .await
}

#[tokio::test]
async fn the_central_office_assesses_an_opportunity_with_feasibility_and_priority() {
    let d = spawn_desk().await;
    let new = opportunity(&d).await;
    assert!(new.contains("OPP-000001") && new.contains("陈杰"), "{new}");
    // Both central-office members are prompted, with priority buttons and Not feasible.
    let prompts = d.notes_of("chen.jie", "approval_prompt").await;
    assert_eq!(prompts.len(), 1);
    let prompt = &prompts[0];
    assert!(
        prompt.text.contains("办公室装修三层 · 周军") && prompt.text.contains("客户预算已批"),
        "{}",
        prompt.text
    );
    let verbs: Vec<&str> = prompt
        .actions
        .iter()
        .map(|a| a.custom_id.split(':').nth(1).unwrap())
        .collect();
    assert_eq!(verbs, ["high", "medium", "low", "reject"]);
    assert!(prompt.actions.iter().all(|a| a.needs_comment));

    let inbox = d.ok("liu.yang", "/inbox").await;
    assert!(
        inbox.contains("办公室装修三层 · 周军") && inbox.contains("优先级:高|中|低"),
        "{inbox}"
    );
    // An approval without the assessment is refused and changes nothing.
    for line in [
        "/approval approve ref:OPP-000001",
        "/approval approve ref:OPP-000001 priority:high",
        "/approval changes ref:OPP-000001 comment:\"再想想\"",
    ] {
        let text = d.refused("chen.jie", line).await;
        assert!(text.contains("OPP-000001"), "{line}: {text}");
    }
    let priority_on_requisition = d
        .refused("chen.jie", "/approval approve ref:REQ-000001 priority:low")
        .await;
    assert!(!priority_on_requisition.is_empty());
    assert_eq!(
        d.count("SELECT COUNT(*) FROM opportunities WHERE status = 'pending' AND priority IS NULL")
            .await,
        1
    );

    // The button: feasible, high priority, with the reason asked for.
    let high = prompt
        .actions
        .iter()
        .find(|a| a.custom_id.starts_with("appr:high:"))
        .unwrap();
    let actor = d.employee("chen.jie").await;
    let reply = d.chat.press(&actor, high, Some("产能充足，利润率高")).await;
    assert!(!reply.text.is_empty(), "{}", reply.text);
    let shown = d.ok("tom.baker", "/opportunity show ref:OPP-000001").await;
    assert!(
        shown.contains("approved")
            && shown.contains("high priority")
            && shown.contains("产能充足，利润率高")
            && shown.contains("陈杰"),
        "{shown}"
    );
    let outcome = d.notes_of("li.na", "request_outcome").await;
    assert!(
        outcome.len() == 1 && outcome[0].text.contains("商机 OPP-000001"),
        "{outcome:?}"
    );
    // The other member's prompt is closed: the stage is decided.
    let late = d
        .refused(
            "liu.yang",
            "/approval reject ref:OPP-000001 comment:\"不做\"",
        )
        .await;
    assert!(late.contains("OPP-000001"), "{late}");

    // Orders come from approved opportunities of the same customer only.
    let order = d
        .ok(
            "li.na",
            "/order new customer:#1 items:\"装修工程\" amount:240000 opportunity:OPP-000001",
        )
        .await;
    assert!(order.contains("SO-000001"), "{order}");
    let status = d.ok("li.na", "/order status ref:SO-000001").await;
    assert!(status.contains("OPP-000001"), "{status}");
    d.ok(
        "li.na",
        "/opportunity new customer:#1 title:\"第二期\" value:90000",
    )
    .await;
    let early = d
        .refused(
            "li.na",
            "/order new customer:#1 items:x amount:10 opportunity:OPP-000002",
        )
        .await;
    assert!(early.contains("OPP-000002"), "{early}");
    d.ok("li.na", "/customer add name:\"王五\" email:ww@example.com")
        .await;
    let other = d
        .refused(
            "li.na",
            "/order new customer:#2 items:x amount:10 opportunity:OPP-000001",
        )
        .await;
    assert!(other.contains("周军"), "{other}");
    assert_eq!(d.count("SELECT COUNT(*) FROM orders").await, 1);
    let audit = d
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.approved' AND subject = 'OPP-000001'")
        .await;
    assert_eq!(audit, 1);
    // The prompts and outcomes render as email too (approvers get prompts by email).
    d.send_all_email().await;
    assert!(
        d.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND status = 'sent'")
            .await
            > 0
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE status = 'dead'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_contract_goes_through_legal_then_the_central_office_and_is_filed() {
    let d = spawn_desk().await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme Ltd\" email:buyer@acme.example locale:en",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:\"500 chairs\" amount:300000",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:\"5 desks\" amount:8000",
    )
    .await;
    // Bad input changes nothing.
    for (who, line, shows) in [
        (
            "tom.baker",
            "/contract submit order:SO-000001 attachment:ftp://files/c.pdf",
            "https://",
        ),
        ("tom.baker", "/contract submit order:SO-000009", "SO-000009"),
        ("xu.jing", "/contract submit order:SO-000001", "SO-000001"),
    ] {
        let text = d.refused(who, line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM contracts").await, 0);

    let submitted = d
        .ok(
            "tom.baker",
            "/contract submit order:SO-000001 terms:\"30% upfront, penalty 0.1%/day\" attachment:https://files.example.com/acme-chairs.pdf",
        )
        .await;
    assert!(
        submitted.contains("CTR-000001") && submitted.contains("David Wu"),
        "{submitted}"
    );
    let again = d
        .refused("tom.baker", "/contract submit order:SO-000001")
        .await;
    assert!(again.contains("CTR-000001"), "{again}");
    let prompt = &d.notes_of("david.wu", "approval_prompt").await[0];
    assert!(
        prompt.text.contains("SO-000001 · Acme Ltd")
            && prompt.text.contains("acme-chairs.pdf")
            && prompt.text.contains("30% upfront"),
        "{}",
        prompt.text
    );
    let verbs: Vec<&str> = prompt
        .actions
        .iter()
        .map(|a| a.custom_id.split(':').nth(1).unwrap())
        .collect();
    assert_eq!(verbs, ["approve", "reject"]);
    let changes = d
        .refused(
            "david.wu",
            "/approval changes ref:CTR-000001 comment:\"clause 3\"",
        )
        .await;
    assert!(changes.contains("CTR-000001"), "{changes}");
    d.press("david.wu", &prompt.actions[0]).await;
    // 300,000 is above the central office's threshold: it is their turn.
    let pending = d.ok("tom.baker", "/contract show ref:CTR-000001").await;
    assert!(
        pending.contains("pending") && pending.contains("Central office"),
        "{pending}"
    );
    d.ok("chen.jie", "/approval approve ref:CTR-000001").await;
    let hidden = d.refused("xu.jing", "/contract show ref:CTR-000001").await;
    assert!(
        hidden.contains("CTR-000001") && !hidden.contains("30% upfront"),
        "{hidden}"
    );
    d.ok("grace.lin", "/contract show ref:CTR-000001").await;
    let filed = d.ok("tom.baker", "/contract show ref:CTR-000001").await;
    assert!(
        filed.contains("Filed") && filed.contains("David Wu, 陈杰"),
        "{filed}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM contracts WHERE status = 'approved' AND filed_at IS NOT NULL AND document_url LIKE 'https://%'")
            .await,
        1
    );
    // A small contract needs legal only; a rejected one can be followed by a new one.
    d.ok("tom.baker", "/contract submit order:SO-000002").await;
    d.ok(
        "david.wu",
        "/approval reject ref:CTR-000002 comment:\"missing warranty clause\"",
    )
    .await;
    let rejected = d.ok("tom.baker", "/contract show ref:CTR-000002").await;
    assert!(
        rejected.contains("Rejected by David Wu: “missing warranty clause”"),
        "{rejected}"
    );
    d.ok(
        "tom.baker",
        "/contract submit order:SO-000002 terms:\"warranty 2y\"",
    )
    .await;
    d.ok("david.wu", "/approval approve ref:CTR-000003").await;
    let small = d.ok("tom.baker", "/contract show ref:CTR-000003").await;
    assert!(small.contains("approved by David Wu."), "{small}");
    let status = d.ok("tom.baker", "/order status ref:SO-000002").await;
    assert!(
        status.contains("CTR-000002: rejected") && status.contains("CTR-000003: approved"),
        "{status}"
    );
    // Every prompt, stage notice and outcome about a contract renders as email too.
    d.send_all_email().await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE status = 'dead'")
            .await,
        0
    );
    assert!(
        d.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND subject_ref = 'CTR-000001' AND status = 'sent'")
            .await
            > 0
    );
}

#[tokio::test]
async fn an_order_issue_reaches_the_central_office_and_stays_open_until_resolved() {
    let d = spawn_desk().await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme Ltd\" email:buyer@acme.example",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:\"500 chairs\" amount:30000",
    )
    .await;
    for line in [
        "/order issue ref:SO-000001 kind:refund text:x",
        "/order issue ref:SO-000009 kind:quality text:\"broken legs\"",
        "/order issue ref:SO-000001 kind:quality text:\"  \"",
    ] {
        d.refused("xu.jing", line).await;
    }
    let raised = d
        .ok(
            "xu.jing",
            "/order issue ref:SO-000001 kind:quality text:\"12 chairs arrived with broken legs\"",
        )
        .await;
    assert!(raised.contains("#1"), "{raised}");
    for who in ["chen.jie", "liu.yang", "tom.baker"] {
        let notes = d.notes_of(who, "order_issue").await;
        assert_eq!(notes.len(), 1, "{who}");
        assert!(notes[0].text.contains("broken legs"), "{}", notes[0].text);
    }
    assert_eq!(d.notes_of("xu.jing", "order_issue").await.len(), 0);
    let status = d.ok("tom.baker", "/order status ref:SO-000001").await;
    assert!(status.contains("open"), "{status}");
    let refused = d
        .refused("xu.jing", "/order resolve issue:1 resolution:\"done\"")
        .await;
    assert!(refused.contains("#1"), "{refused}");
    d.ok(
        "tom.baker",
        "/order resolve issue:1 resolution:\"12 chairs replaced on 12-03\"",
    )
    .await;
    let again = d
        .refused("chen.jie", "/order resolve issue:1 resolution:\"again\"")
        .await;
    assert!(again.contains("Tom Baker"), "{again}");
    let told = d.notes_of("xu.jing", "order_issue").await;
    assert!(
        told.len() == 1 && told[0].text.contains("12 chairs replaced"),
        "{told:?}"
    );
    let status = d.ok("tom.baker", "/order status ref:SO-000001").await;
    assert!(
        status.contains("resolved") && status.contains("12 chairs replaced"),
        "{status}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'order.issue%'")
            .await,
        2
    );
}

#[tokio::test]
async fn the_sales_report_shows_what_happened() {
    let d = spawn_desk().await;
    opportunity(&d).await;
    d.ok(
        "li.na",
        "/opportunity new customer:#1 title:\"第二期\" value:90000",
    )
    .await;
    d.ok("li.na", "/opportunity new customer:#1 title:\"第三期\"")
        .await;
    d.ok(
        "chen.jie",
        "/approval approve ref:OPP-000001 priority:high comment:\"可行\"",
    )
    .await;
    d.ok(
        "chen.jie",
        "/approval approve ref:OPP-000002 priority:low comment:\"可做\"",
    )
    .await;
    d.ok(
        "chen.jie",
        "/approval reject ref:OPP-000003 comment:\"不可行\"",
    )
    .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"装修\" amount:240000 opportunity:OPP-000001",
    )
    .await;
    d.ok("li.na", "/order new customer:#1 items:\"灯具\" amount:6000")
        .await;
    d.ok("li.na", "/order update ref:SO-000002 stage:shipped")
        .await;
    let today = d.chat.desk.today();
    let due = today + chrono::Duration::days(2);
    d.ok("li.na", &format!("/order terms ref:SO-000002 due:{due}"))
        .await;
    d.ok("li.na", "/order paid ref:SO-000001 amount:100000")
        .await;
    // The due date passes unpaid.
    d.advance(4 * 86_400).await;
    let report = d.ok("tom.baker", "/report sales").await;
    let month = today.format("%Y-%m").to_string();
    for shows in [
        "Orders taken: 2",
        "Received 1",
        "Shipped 1",
        &format!("{month}: 246,000.00 CNY · 100,000.00 CNY"),
        "SO-000002 · 周军 · 6,000.00 CNY",
        "3 recorded, 2 approved, 1 became orders (50% conversion)",
    ] {
        assert!(report.contains(shows), "missing {shows:?} in:\n{report}");
    }
    // The same facts in /order list: the overdue one, and by customer.
    let overdue = d.ok("tom.baker", "/order list scope:overdue").await;
    assert!(
        overdue.contains("SO-000002") && !overdue.contains("SO-000001"),
        "{overdue}"
    );
    let by_customer = d.ok("tom.baker", "/order list customer:#1").await;
    assert!(
        by_customer.contains("SO-000001") && by_customer.contains("SO-000002"),
        "{by_customer}"
    );
    let unknown = d.refused("tom.baker", "/order list customer:#7").await;
    assert!(unknown.contains("#7"), "{unknown}");
    d.ok("li.na", "/order paid ref:SO-000002 amount:6000").await;
    let cleared = d.ok("tom.baker", "/order list scope:overdue").await;
    assert!(
        cleared.contains("No order has an overdue payment"),
        "{cleared}"
    );
    let zh = d.ok("li.na", "/report sales period:week").await;
    assert!(
        zh.contains("转化率 50%") && zh.contains("逾期应收：无"),
        "{zh}"
    );
    let refused = d.refused("xu.jing", "/report sales").await;
    assert!(!refused.is_empty());
}

//! Sales orders as sales and customers live them: stages moved by the right people, the
//! customer emailed at exactly the customer-visible stages, in one thread.

use crate::common;
use crate::smtp_sink;

use bizdesk::config::Secret;
use chrono::Duration;
use common::spawn_desk_with;
use smtp_sink::Sink;

#[tokio::test]
async fn an_order_moves_through_its_stages_and_the_customer_hears_the_visible_ones() {
    let sink = Sink::start();
    let url = sink.url();
    let d = spawn_desk_with(move |c| c.smtp.url = Secret::new(url)).await;
    d.ok(
        "li.na",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;
    let new = d
        .ok(
            "li.na",
            "/order new customer:#1 items:\"27寸显示器 × 20\" amount:36000 delivery:2026-12-20",
        )
        .await;
    assert!(
        new.contains("SO-000001") && new.contains("36,000.00 CNY"),
        "{new}"
    );
    for (who, stage, note) in [
        ("li.na", "confirmed", ""),
        ("tom.baker", "in_production", ""),
        ("li.na", "shipped", " note:\"顺丰 SF1234567\""),
        ("chen.jie", "delivered", ""),
        ("li.na", "invoiced", ""),
        ("li.na", "paid", ""),
        ("li.na", "closed", ""),
    ] {
        d.ok(
            who,
            &format!("/order update ref:SO-000001 stage:{stage}{note}"),
        )
        .await;
    }
    let refusals = [
        (
            "xu.jing",
            "/order update ref:SO-000001 stage:shipped",
            "只有",
        ),
        (
            "li.na",
            "/order update ref:SO-000001 stage:closed",
            "已处于",
        ),
        ("li.na", "/order update ref:SO-000001 stage:lost", "lost"),
        (
            "li.na",
            "/order update ref:SO-000009 stage:paid",
            "SO-000009",
        ),
        ("li.na", "/order new customer:#9 items:x amount:10", "#9"),
        (
            "li.na",
            "/order new customer:#1 items:x amount:10 delivery:2020-01-01",
            "交货日期",
        ),
        ("li.na", "/order list stage:lost", "lost"),
    ];
    for (who, line, shows) in refusals {
        let text = d.refused(who, line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    let status = d.ok("xu.jing", "/order status ref:SO-000001").await;
    assert!(
        status.contains("顺丰 SF1234567") && status.contains("已完结"),
        "{status}"
    );
    assert!(d
        .ok("emily.chen", "/order list scope:all stage:closed")
        .await
        .contains("SO-000001"));
    assert!(
        d.ok("chen.jie", "/order list").await.contains("暂无订单"),
        "chen.jie owns none"
    );

    d.send_all_email().await;
    let mails = sink.to("zj@huadong.cn");
    let bodies: Vec<String> = mails
        .iter()
        .map(|m| m.parsed().body_text(0).unwrap_or_default().to_string())
        .collect();
    let stages: Vec<&str> = ["已接单", "已确认", "已发货", "已送达"].to_vec();
    assert_eq!(
        bodies.len(),
        4,
        "exactly the customer-visible stages: {bodies:?}"
    );
    for s in &stages {
        assert_eq!(
            bodies
                .iter()
                .filter(|b| b.contains(&format!("当前进度：{s}")))
                .count(),
            1,
            "{s}"
        );
    }
    assert!(bodies.iter().any(|b| b.contains("顺丰 SF1234567")));
    let subjects: Vec<String> = mails
        .iter()
        .map(|m| m.parsed().subject().unwrap_or("").to_string())
        .collect();
    assert!(
        subjects.iter().all(|s| s == "您的订单 SO-000001"),
        "{subjects:?}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE subject = 'SO-000001'")
            .await,
        8
    );
}

#[tokio::test]
async fn finance_is_reminded_before_and_after_the_due_date_until_the_order_is_paid() {
    let d = common::spawn_desk().await;
    d.ok("li.na", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"显示器 × 20\" amount:36000",
    )
    .await;
    // Thursday 2026-11-26 10:00: payment due Tuesday 2026-12-01.
    let set = d
        .ok("li.na", "/order terms ref:SO-000001 due:2026-12-01")
        .await;
    assert!(
        set.contains("36,000.00 CNY") && set.contains("2026-12-01"),
        "{set}"
    );
    for (line, shows) in [
        ("/order terms ref:SO-000001 due:2020-01-01", "到期日"),
        (
            "/order terms ref:SO-000001 due:2026-12-01 amount:99999",
            "36,000.00",
        ),
        ("/order paid ref:SO-000001 amount:50000", "36,000.00"),
        (
            "/order paid ref:SO-000001 amount:100 date:2027-01-01",
            "不能晚于",
        ),
    ] {
        let text = d.refused("li.na", line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    let refused = d
        .refused("xu.jing", "/order paid ref:SO-000001 amount:100")
        .await;
    assert!(refused.contains("只有"), "{refused}");

    // Saturday 09:00, three days before: finance and the owner.
    d.advance(47 * 3600 - 1).await;
    assert!(d.notes_of("zhao.min", "payment_due").await.is_empty());
    d.advance(1).await;
    for who in ["zhao.min", "grace.lin", "li.na"] {
        let n = d.notes_of(who, "payment_due").await;
        assert_eq!(n.len(), 1, "{who}");
        assert!(n[0].text.contains("36,000.00 CNY"), "{}", n[0].text);
    }
    let part = d
        .ok("grace.lin", "/order paid ref:SO-000001 amount:10000")
        .await;
    assert!(part.contains("26,000.00 CNY"), "{part}");
    // Wednesday 09:00, the day after: overdue, for what is still owed.
    d.advance(4 * 86_400).await;
    let overdue = d.notes_of("zhao.min", "payment_due").await;
    assert_eq!(overdue.len(), 2);
    assert!(
        overdue[1].text.contains("逾期") && overdue[1].text.contains("26,000.00 CNY"),
        "{}",
        overdue[1].text
    );
    // Finance's morning digest (Thursday 09:00) lists it as overdue; the owner's does not.
    d.sync_schedules().await;
    d.advance(86_400).await;
    let digest = d.notes_of("zhao.min", "daily_digest").await;
    assert_eq!(digest.len(), 1);
    assert!(
        digest[0].text.contains("逾期未回款（1 笔）") && digest[0].text.contains("SO-000001"),
        "{}",
        digest[0].text
    );
    assert!(d
        .notes_of("li.na", "daily_digest")
        .await
        .iter()
        .all(|n| !n.text.contains("逾期")));
    let done = d
        .ok("zhao.min", "/order paid ref:SO-000001 amount:26000")
        .await;
    assert!(done.contains("未收：0.00 CNY"), "{done}");
    d.advance(30 * 86_400).await;
    assert_eq!(
        d.notes_of("zhao.min", "payment_due").await.len(),
        2,
        "nothing more once paid"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'order.overdue'")
            .await,
        1
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM payments").await, 2);
}

#[tokio::test]
async fn who_may_handle_orders_is_configured() {
    let d = spawn_desk_with(|c| c.sales.order_roles = vec!["service".into()]).await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme\" email:a@acme.example",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:chairs amount:100",
    )
    .await;
    // The owner always may; service now may; the central office no longer may.
    d.ok("tom.baker", "/order update ref:SO-000001 stage:confirmed")
        .await;
    d.ok("xu.jing", "/order update ref:SO-000001 stage:shipped")
        .await;
    let no = d
        .refused("chen.jie", "/order update ref:SO-000001 stage:delivered")
        .await;
    assert!(no.contains("客户服务"), "{no}");
}

#[tokio::test]
async fn payment_terms_in_installments_are_reminded_and_settled_earliest_first() {
    let d = common::spawn_desk().await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme\" email:a@acme.example",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:chairs amount:100000",
    )
    .await;
    let today = d.chat.desk.today();
    let (first, second) = (today + Duration::days(5), today + Duration::days(20));
    let set = d
        .ok(
            "tom.baker",
            &format!("/order terms ref:SO-000001 due:{first} amount:30000"),
        )
        .await;
    assert!(
        set.contains("70,000.00 CNY"),
        "the rest is unscheduled: {set}"
    );
    // The second installment takes the rest by default; nothing can be scheduled beyond it.
    let set = d
        .ok(
            "tom.baker",
            &format!("/order terms ref:SO-000001 due:{second}"),
        )
        .await;
    assert!(
        set.contains(&format!("{second} · 70,000.00 CNY")) && !set.contains("Not yet"),
        "{set}"
    );
    let third = today + Duration::days(40);
    let refused = d
        .refused(
            "tom.baker",
            &format!("/order terms ref:SO-000001 due:{third} amount:1"),
        )
        .await;
    assert!(refused.contains("0.00 CNY"), "{refused}");
    // A date already on the terms gets the new amount (within what the others leave).
    d.ok(
        "tom.baker",
        &format!("/order terms ref:SO-000001 due:{first} amount:25000"),
    )
    .await;
    d.ok(
        "tom.baker",
        &format!("/order terms ref:SO-000001 due:{first} amount:30000"),
    )
    .await;
    // The first installment is paid before its reminder: nobody is reminded of it.
    let paid = d
        .ok("grace.lin", "/order paid ref:SO-000001 amount:30000")
        .await;
    assert!(
        paid.contains(&format!("{first} · 30,000.00 CNY · paid")),
        "{paid}"
    );
    d.advance(7 * 86_400).await;
    assert!(d.notes_of("tom.baker", "payment_due").await.is_empty());
    assert!(d
        .ok("tom.baker", "/order list scope:overdue")
        .await
        .contains("No order"));
    // The second passes unpaid: overdue for its 70,000, in the list and the report.
    d.advance(15 * 86_400).await;
    let notes = d.notes_of("tom.baker", "payment_due").await;
    assert_eq!(notes.len(), 2, "before and after the second");
    assert!(
        notes[1].text.contains("Overdue") && notes[1].text.contains("70,000.00 CNY"),
        "{}",
        notes[1].text
    );
    assert!(d
        .ok("tom.baker", "/order list scope:overdue")
        .await
        .contains("SO-000001"));
    let report = d.ok("tom.baker", "/report sales").await;
    assert!(
        report.contains(&format!("SO-000001 · Acme · 70,000.00 CNY due {second}")),
        "{report}"
    );
    d.ok("grace.lin", "/order paid ref:SO-000001 amount:70000")
        .await;
    assert!(d
        .ok("tom.baker", "/order list scope:overdue")
        .await
        .contains("No order"));
}

#[tokio::test]
async fn an_installment_removed_from_the_terms_is_never_reminded() {
    let d = common::spawn_desk().await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme\" email:a@acme.example",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:desks amount:50000",
    )
    .await;
    let today = d.chat.desk.today();
    let (first, second) = (today + Duration::days(5), today + Duration::days(10));
    d.ok(
        "tom.baker",
        &format!("/order terms ref:SO-000001 due:{first} amount:20000"),
    )
    .await;
    d.ok(
        "tom.baker",
        &format!("/order terms ref:SO-000001 due:{second}"),
    )
    .await;
    // A date with no installment is named; nothing changes.
    let missing = today + Duration::days(7);
    let refused = d
        .refused(
            "tom.baker",
            &format!("/order terms ref:SO-000001 due:{missing} amount:0"),
        )
        .await;
    assert!(
        refused.contains(&format!("no installment due on {missing}")),
        "{refused}"
    );
    // Someone who may not handle the order cannot remove one either.
    d.refused(
        "xu.jing",
        &format!("/order terms ref:SO-000001 due:{first} amount:0"),
    )
    .await;
    let removed = d
        .ok(
            "tom.baker",
            &format!("/order terms ref:SO-000001 due:{first} amount:0"),
        )
        .await;
    assert!(
        removed.contains("is removed") && !removed.contains(&format!("{first} ·")),
        "{removed}"
    );
    assert!(
        removed.contains("Not yet on any due date: 20,000.00 CNY"),
        "{removed}"
    );
    assert_eq!(
        d.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'order.terms' AND summary LIKE 'removed%'"
        )
        .await,
        1
    );
    // Past both dates: only the installment still on the terms was reminded of.
    d.advance(12 * 86_400).await;
    let notes = d.notes_of("tom.baker", "payment_due").await;
    assert_eq!(notes.len(), 2, "before and after the second only");
    assert!(
        notes
            .iter()
            .all(|n| n.text.contains(&second.to_string()) && n.text.contains("30,000.00 CNY")),
        "{notes:?}"
    );
    // An overdue installment can still be taken off the terms (renegotiated).
    d.ok(
        "tom.baker",
        &format!("/order terms ref:SO-000001 due:{second} amount:0"),
    )
    .await;
    assert!(d
        .ok("tom.baker", "/order list scope:overdue")
        .await
        .contains("No order"));
}

#[tokio::test]
async fn moving_an_order_back_needs_confirming_and_does_not_email_the_customer_again() {
    let d = common::spawn_desk().await;
    d.ok(
        "li.na",
        "/customer add name:\"周军\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"显示器\" amount:3600",
    )
    .await;
    for stage in ["confirmed", "shipped"] {
        d.ok(
            "li.na",
            &format!("/order update ref:SO-000001 stage:{stage}"),
        )
        .await;
    }
    let stage_emails = || d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'order_stage'");
    assert_eq!(stage_emails().await, 3, "received, confirmed, shipped");

    let refused = d
        .refused("li.na", "/order update ref:SO-000001 stage:received")
        .await;
    assert!(
        refused.contains("已发货") && refused.contains("退回:是"),
        "names the current stage and how to confirm: {refused}"
    );
    let stage = || async {
        let (stage,): (String,) = sqlx::query_as("SELECT stage FROM orders WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
        stage
    };
    assert_eq!(stage().await, "shipped", "nothing changed");

    let back = d
        .ok(
            "li.na",
            "/order update ref:SO-000001 stage:received back:yes note:\"客户退货\"",
        )
        .await;
    // The reply says it went back and that nobody was emailed (it said "moved on, emailed").
    assert!(
        back.contains("已退回到") && back.contains("未通知客户") && !back.contains("已邮件通知"),
        "{back}"
    );
    assert_eq!(stage().await, "received");
    assert_eq!(stage_emails().await, 3, "no second \"Received\" email");
    assert_eq!(
        d.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'order.stage' \
             AND summary LIKE '← back to received%'"
        )
        .await,
        1
    );
    // Forward again is an ordinary move; back:yes on a forward move changes nothing about it.
    d.ok(
        "li.na",
        "/order update ref:SO-000001 stage:confirmed back:yes",
    )
    .await;
    assert_eq!(stage_emails().await, 4);
}

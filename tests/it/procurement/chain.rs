//! The procurement chain as a new company lives it, every step through the real commands (no
//! row written by hand): a supplier added, qualified and rated; a requisition approved; a
//! 150,000 purchase order reviewed by the central office and finance, held until its
//! contract's legal review, then emailed to the supplier; a delivery half rejected and the
//! claim emailed in the PO's thread; a full-amount invoice caught by the three-way match;
//! finance pays the accepted amount; `/report procurement` shows what these events imply.

use crate::common::{spawn_desk, TestDesk};

async fn one(d: &TestDesk, sql: &str) -> String {
    let (s,): (String,) = sqlx::query_as(sql)
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    s
}

/// The emails the file transport dropped, parsed, oldest first.
fn emails(d: &TestDesk) -> Vec<mail_parser::Message<'static>> {
    let mut files: Vec<_> = std::fs::read_dir(&d.config.smtp.drop_dir)
        .map(|dir| dir.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(p).unwrap();
            mail_parser::MessageParser::default()
                .parse(&raw)
                .unwrap()
                .into_owned()
        })
        .collect()
}

fn to_supplier(m: &mail_parser::Message<'_>) -> bool {
    m.to()
        .and_then(|t| t.first())
        .and_then(|a| a.address())
        .is_some_and(|a| a == "sales@acme.example")
}

#[tokio::test]
async fn supplier_to_payment_through_the_real_commands_and_the_report_adds_up() {
    let d = spawn_desk().await;
    for who in ["chen.jie"] {
        d.sql(&format!(
            "UPDATE employees SET locale = 'en' WHERE handle = '{who}'"
        ))
        .await;
    }

    // 采购 2: the supplier is added, qualified by the central office then legal, and rated.
    let sup = d
        .run(
            "huang.lei",
            "/supplier add name:\"Acme Displays\" email:Sales@Acme.example company:\"Acme Ltd\" categories:it locale:en",
        )
        .await;
    assert!(sup.ok, "{}", sup.text);
    assert_eq!(sup.reference.unwrap().to_string(), "SUP-000001");
    d.ok(
        "huang.lei",
        "/supplier qualify ref:SUP-000001 note:\"site visit passed\"",
    )
    .await;
    d.ok("chen.jie", "/approval approve ref:SUP-000001").await;
    d.ok("david.wu", "/approval approve ref:SUP-000001").await;
    assert_eq!(
        one(&d, "SELECT status FROM suppliers WHERE id = 1").await,
        "qualified"
    );
    d.ok(
        "chen.jie",
        "/supplier rate ref:SUP-000001 quality:5 delivery:4 price:4 service:5",
    )
    .await;

    // 采购 1: Tom Baker's requisition for 10 monitors at 15,000, approved all the way.
    let req = d.submit("tom.baker", "4K monitor", 10, "15000").await;
    for who in ["wang.fang", "chen.jie", "zhao.min"] {
        d.ok(who, &format!("/approval approve ref:{req}")).await;
    }

    // Procurement hears it is theirs to buy, and may read it.
    let to_buy = d.notes_of("huang.lei", "requisition_to_buy").await;
    assert_eq!(to_buy.len(), 1);
    assert!(
        to_buy[0].text.contains(&req) && to_buy[0].text.contains("销售部"),
        "{}",
        to_buy[0].text
    );
    d.ok("huang.lei", &format!("/requisition show ref:{req}"))
        .await;

    // 采购 3: a 150,000 PO, reviewed by the central office and finance, waits for its contract.
    let po = d
        .run(
            "huang.lei",
            &format!("/po new requisition:{req} supplier:SUP-000001 delivery:2026-12-03 place:\"HQ 5F store room\""),
        )
        .await;
    assert!(po.ok, "{}", po.text);
    assert!(po.text.contains("150,000.00"), "{}", po.text);
    for who in ["chen.jie", "zhao.min"] {
        d.ok(who, "/approval approve ref:PO-000001").await;
    }
    assert_eq!(
        one(&d, "SELECT status FROM purchase_orders WHERE id = 1").await,
        "approved"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent'")
            .await,
        0,
        "not sent before its contract is filed"
    );

    // 采购 4: legal files the contract; the PO goes out then, in the supplier's language.
    d.ok(
        "huang.lei",
        "/contract submit po:PO-000001 terms:\"3-year warranty, net 30\"",
    )
    .await;
    d.ok("david.wu", "/approval approve ref:CTR-000001").await;
    assert_eq!(
        one(&d, "SELECT status FROM purchase_orders WHERE id = 1").await,
        "sent"
    );
    d.ok("huang.lei", "/po confirm ref:PO-000001").await;
    d.send_all_email().await;
    let sent: Vec<_> = emails(&d).into_iter().filter(to_supplier).collect();
    assert_eq!(sent.len(), 1, "the PO email");
    let body = sent[0].body_text(0).unwrap().to_string();
    for fact in [
        "PO-000001",
        "4K monitor",
        "15,000.00",
        "150,000.00",
        "HQ 5F store room",
        "2026-12-03",
    ] {
        assert!(body.contains(fact), "{fact} not in the PO email:\n{body}");
    }
    let po_message_id = sent[0].message_id().unwrap().to_string();
    // The sender is the company, named in the reader's language.
    let from = |m: &mail_parser::Message<'_>| {
        m.from()
            .and_then(|f| f.first())
            .and_then(|a| a.name())
            .map(str::to_string)
    };
    assert_eq!(from(&sent[0]).as_deref(), Some("Huaxin Trading Co., Ltd."));
    let zh = emails(&d)
        .into_iter()
        .find(|m| {
            let to = m.to().and_then(|t| t.first()).and_then(|a| a.address());
            to == Some("huang.lei@example.com")
        })
        .expect("an email to the buyer, who reads Chinese");
    assert_eq!(from(&zh).as_deref(), Some("华信贸易有限公司"));
    // The supplier's answer reaches the buyer.
    let reply_to = sent[0]
        .reply_to()
        .and_then(|r| r.first())
        .and_then(|a| a.address());
    assert_eq!(reply_to, Some("huang.lei@example.com"));

    // 采购 5: half the delivery is rejected; the claim reaches the supplier in the PO's thread.
    d.ok(
        "tom.baker",
        "/receipt new po:PO-000001 accepted:5 rejected:5 reason:\"dead pixels\"",
    )
    .await;
    d.send_all_email().await;
    let sent: Vec<_> = emails(&d).into_iter().filter(to_supplier).collect();
    assert_eq!(sent.len(), 2, "the PO email and the claim");
    let claim = &sent[1];
    assert_eq!(
        claim.in_reply_to().as_text(),
        Some(po_message_id.as_str()),
        "the claim answers the PO email"
    );
    assert!(claim.body_text(0).unwrap().contains("dead pixels"));

    // 采购 6: an invoice for the full amount is caught; finance sees the three figures.
    d.ok(
        "huang.lei",
        "/payment request po:PO-000001 invoice:ACME-7781 amount:150000 due:2026-12-20",
    )
    .await;
    assert_eq!(
        one(&d, "SELECT status FROM supplier_payments WHERE id = 1").await,
        "exception"
    );
    let prompt = &d.notes_of("grace.lin", "payment_exception").await[0];
    for figure in ["150,000.00", "75,000.00", "ACME-7781"] {
        assert!(prompt.text.contains(figure), "{figure}: {}", prompt.text);
    }
    // Finance pays the accepted amount (through the [payment] approval), then records the
    // payment.
    let paid = d.press("grace.lin", &prompt.actions[0]).await;
    assert!(paid.ok, "{}", paid.text);
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    d.ok("grace.lin", "/payment paid ref:PAY-000001").await;
    assert_eq!(
        d.count("SELECT paid_minor FROM supplier_payments WHERE id = 1")
            .await,
        7_500_000
    );

    // The requester's one PO message, as last edited, says how much arrived and was paid.
    let steps = d.notes_of("tom.baker", "po_progress").await;
    let last = &steps.last().unwrap().text;
    assert!(
        last.contains("is paid")
            && last.contains("Received: 5 of 10 accepted, 5 rejected · paid 75,000.00 CNY"),
        "{last}"
    );

    // Every email of the chain went out: none is a dead letter (a subject kind without its
    // noun in the templates made every prompt and outcome email undeliverable).
    d.send_all_email().await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE status = 'dead'")
            .await,
        0
    );
    assert!(
        d.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND subject_ref = 'PO-000001' AND kind = 'request_outcome'")
            .await
            >= 1
    );

    // The report says what happened: ordered 150,000, paid 75,000, one receipt on time with
    // half accepted, the claim still open, nothing payable.
    let report = d.ok("chen.jie", "/report procurement").await;
    for line in [
        "Spend: 150,000.00 CNY ordered in 1 purchase order · 75,000.00 CNY paid",
        "SUP-000001 Acme Displays: 150,000.00 CNY · 75,000.00 CNY",
        "SUP-000001 Acme Displays: 100% of 1 receipt · 50% of 10",
        "Open supplier claims (1):",
        "Overdue payables: none.",
    ] {
        assert!(report.contains(line), "{line}\nnot in:\n{report}");
    }
}

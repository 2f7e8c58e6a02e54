//! Purchase orders (采购 3) and purchase contracts (采购 4) as users live them: raised from an
//! approved requisition to a qualified supplier, reviewed by the central office, emailed to
//! the supplier, confirmed; a large one waits for its contract; refusals change nothing.

use crate::common::{self, spawn_desk, TestDesk};

/// A supplier written by SQL (the `/supplier` commands are another part), with this status
/// and standing; returns its reference.
pub async fn supplier(
    d: &TestDesk,
    name: &str,
    email: &str,
    status: &str,
    standing: Option<&str>,
) -> String {
    let standing = standing.map(|s| format!("'{s}'")).unwrap_or("NULL".into());
    d.sql(&format!(
        "INSERT INTO suppliers (name, email, status, standing, owner_id, created_at, updated_at) \
         SELECT '{name}', '{email}', 'candidate', {standing}, id, 0, 0 FROM employees WHERE handle = 'huang.lei'"
    ))
    .await;
    let id = d.count("SELECT MAX(id) FROM suppliers").await;
    d.sql(&format!(
        "UPDATE suppliers SET status = '{status}' WHERE id = {id}"
    ))
    .await;
    format!("SUP-{id:06}")
}

/// An approved requisition of tom.baker's (SAL) written by SQL; returns its reference.
pub async fn approved_requisition(
    d: &TestDesk,
    item: &str,
    quantity: i64,
    unit_major: i64,
) -> String {
    d.sql(&format!(
        "INSERT INTO requisitions (requester_id, department_code, item, spec, quantity, \
         unit_price_minor, total_minor, currency, reason, status, round, created_at, updated_at) \
         SELECT id, 'SAL', '{item}', 'grade A', {quantity}, {}, {}, 'CNY', 'test', 'approved', 1, 0, 0 \
         FROM employees WHERE handle = 'tom.baker'",
        unit_major * 100,
        unit_major * 100 * quantity
    ))
    .await;
    let id = d.count("SELECT MAX(id) FROM requisitions").await;
    format!("REQ-{id:06}")
}

/// Emails dropped by the file transport: (subject + text + html).
pub(crate) fn dropped(d: &TestDesk) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(&d.config.smtp.drop_dir) else {
        return vec![];
    };
    let mut out: Vec<(String, String)> = dir
        .map(|e| {
            let e = e.unwrap();
            let raw = std::fs::read(e.path()).unwrap();
            let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let text = format!(
                "{}\n{}\n{}",
                m.subject().unwrap_or_default(),
                m.body_text(0).unwrap_or_default(),
                m.body_html(0).unwrap_or_default()
            );
            (e.file_name().to_string_lossy().to_string(), text)
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, t)| t).collect()
}

async fn english(d: &TestDesk, handle: &str) {
    d.sql(&format!(
        "UPDATE employees SET locale = 'en' WHERE handle = '{handle}'"
    ))
    .await;
}

async fn status(d: &TestDesk, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as(&format!(
        "SELECT status FROM purchase_orders WHERE id = {id}"
    ))
    .fetch_one(d.chat.desk.store.pool())
    .await
    .unwrap();
    s
}

#[tokio::test]
async fn a_po_is_reviewed_emailed_to_the_supplier_and_confirmed() {
    let d = spawn_desk().await;
    english(&d, "huang.lei").await;
    // A real requisition, approved by its head and the central office.
    let req = d.submit("tom.baker", "Steel sheet", 40, "1000").await;
    d.ok("wang.fang", &format!("/approval approve ref:{req}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{req}"))
        .await;
    let sup = supplier(
        &d,
        "Baosteel Trading",
        "sales@baosteel.test",
        "qualified",
        None,
    )
    .await;
    // The supplier reads English (the company's language is Chinese).
    d.sql("UPDATE suppliers SET locale = 'en'").await;

    let text = d
        .ok(
            "huang.lei",
            &format!("/po new requisition:{req} supplier:{sup} delivery:2026-12-10 place:\"Plant 2 dock\" terms:\"Net 30 days\""),
        )
        .await;
    assert!(
        text.contains("PO-000001") && text.contains("40,000.00 CNY"),
        "{text}"
    );
    assert!(
        text.contains("Central office") || text.contains("业务集中"),
        "{text}"
    );

    // The central office's prompt shows the supplier, the line, the price and the delivery.
    let prompt = d.notes_of("chen.jie", "approval_prompt").await;
    let prompt = prompt
        .iter()
        .find(|p| p.text.contains("PO-000001"))
        .expect("a PO prompt");
    for expect in [
        "Baosteel Trading",
        "Steel sheet × 40",
        "1,000.00 CNY",
        "2026-12-10 · Plant 2 dock",
    ] {
        assert!(
            prompt.text.contains(expect),
            "prompt lacks {expect}: {}",
            prompt.text
        );
    }
    assert_eq!(prompt.actions.len(), 2);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent'")
            .await,
        0
    );

    d.ok("chen.jie", "/approval approve ref:PO-000001").await;
    assert_eq!(status(&d, 1).await, "sent");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent' AND address = 'sales@baosteel.test' AND recipient_id IS NULL AND subject_ref = 'PO-000001'").await,
        1
    );
    let (payload,): (String,) = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'po_sent'")
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert!(payload.contains("\"locale\":\"en\""), "{payload}");
    d.send_all_email().await;
    let mails = dropped(&d);
    let po = mails
        .iter()
        .find(|m| m.contains("PO-000001") && m.contains("Dear Baosteel Trading"))
        .expect("the PO email");
    for expect in [
        "Purchase order PO-000001",
        "Steel sheet",
        "40,000.00 CNY",
        "1,000.00 CNY",
        "2026-12-10",
        "Plant 2 dock",
        "Net 30 days",
        "Dear Baosteel Trading",
        "<table",
    ] {
        assert!(po.contains(expect), "email lacks {expect}:\n{po}");
    }
    assert!(!po.contains("<script"), "{po}");
    let buyer = d.employee("huang.lei").await;
    assert!(
        po.contains(&buyer.name) && po.contains(&buyer.email),
        "{po}"
    );

    // The requester was told: one message, then an edit of it for each step.
    let steps = d.notes_of("tom.baker", "po_progress").await;
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(
        steps[0].text.contains("PO-000001") && steps[0].text.contains("was sent to the supplier"),
        "{}",
        steps[0].text
    );

    let text = d
        .ok("huang.lei", "/po confirm ref:PO-000001 delivery:2026-12-12")
        .await;
    assert!(
        text.contains("confirmed by the supplier") && text.contains("2026-12-12"),
        "{text}"
    );
    assert_eq!(status(&d, 1).await, "confirmed");
    let steps = d.notes_of("tom.baker", "po_progress").await;
    assert_eq!(steps.len(), 2);
    assert!(
        steps[1].text.contains("was confirmed by the supplier"),
        "{}",
        steps[1].text
    );
    let first = d
        .count("SELECT dm_message_id FROM purchase_orders WHERE id = 1")
        .await;
    assert_eq!(
        d.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'po_progress' AND edits_id = {first}"
        ))
        .await,
        1
    );
    // Confirming twice is refused; the requester and the central office read it, others not.
    d.refused("huang.lei", "/po confirm ref:PO-000001").await;
    let shown = d.ok("tom.baker", "/po show ref:PO-000001").await;
    assert!(shown.contains("Baosteel Trading"), "{shown}");
    // His department reads it (they receive the goods); another department does not.
    d.ok("li.na", "/po show ref:PO-000001").await;
    d.refused("xu.jing", "/po show ref:PO-000001").await;
    let listed = d.ok("tom.baker", "/po list").await;
    assert!(listed.contains("PO-000001"), "{listed}");
    assert!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('po.new', 'po.confirm')")
            .await
            >= 2
    );
}

#[tokio::test]
async fn a_large_po_waits_for_its_contract_then_is_sent() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "CNC machine", 1, 150_000).await;
    let sup = supplier(
        &d,
        "Haitian Machinery",
        "orders@haitian.test",
        "qualified",
        None,
    )
    .await;
    let text = d
        .ok(
            "huang.lei",
            &format!("/po new requisition:{req} supplier:{sup}"),
        )
        .await;
    assert!(text.contains("/合同 提交 采购订单:PO-000001"), "{text}");
    // A contract cannot be filed by just anyone.
    d.refused("tom.baker", "/contract submit po:PO-000001")
        .await;
    d.refused("huang.lei", "/contract submit").await;
    d.refused("huang.lei", "/contract submit po:PO-000001 order:SO-000001")
        .await;

    d.ok("chen.jie", "/approval approve ref:PO-000001").await;
    d.ok("zhao.min", "/approval approve ref:PO-000001").await;
    assert_eq!(status(&d, 1).await, "approved");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent'")
            .await,
        0
    );

    let text = d
        // As the Chinese reply says it, by the procurement head.
        .ok("zhou.qiang", "/合同 提交 采购订单:PO-000001 条款:\"Warranty 2 years\" 附件:https://files.example.com/ctr.pdf")
        .await;
    assert!(
        text.contains("CTR-000001") && text.contains("PO-000001"),
        "{text}"
    );
    assert_eq!(d.inbox("david.wu").await, ["CTR-000001"]);
    let shown = d.ok("david.wu", "/contract show ref:CTR-000001").await;
    assert!(
        shown.contains("Haitian Machinery") && shown.contains("150,000.00 CNY"),
        "{shown}"
    );
    d.ok("david.wu", "/approval approve ref:CTR-000001").await;
    assert_eq!(status(&d, 1).await, "sent");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent' AND address = 'orders@haitian.test'").await,
        1
    );
    let shown = d.ok("huang.lei", "/po show ref:PO-000001").await;
    assert!(shown.contains("CTR-000001"), "{shown}");
    // A supplier without a language of its own reads the company's (Chinese).
    d.send_all_email().await;
    let mails = dropped(&d);
    let po = mails
        .iter()
        .find(|m| m.contains("采购订单 PO-000001") && m.contains("Haitian Machinery，您好"))
        .expect("the PO email");
    for expect in [
        "CNC machine",
        "150,000.00 CNY",
        "Haitian Machinery，您好",
        "联系人：黄磊",
    ] {
        assert!(po.contains(expect), "email lacks {expect}:\n{po}");
    }
    // The requester saw approved (waiting), then sent, in one message edited.
    let steps = d.notes_of("tom.baker", "po_progress").await;
    assert_eq!(steps.len(), 2);
    assert!(
        steps[0].text.contains("was approved")
            && steps[1].text.contains("was sent to the supplier"),
        "{steps:?}"
    );
}

#[tokio::test]
async fn refusals_say_why_in_english_and_chinese_and_change_nothing() {
    let d = spawn_desk().await;
    english(&d, "huang.lei").await;
    let pending = d.submit("tom.baker", "Desk", 2, "500").await;
    let req = approved_requisition(&d, "Chair", 10, 300).await;
    let ok = supplier(&d, "Good Co", "good@example.test", "qualified", None).await;
    let cand = supplier(&d, "New Co", "new@example.test", "candidate", None).await;
    let susp = supplier(&d, "Late Co", "late@example.test", "suspended", None).await;
    let bad = supplier(
        &d,
        "Bad Co",
        "bad@example.test",
        "qualified",
        Some("very_poor"),
    )
    .await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{ok} quantity:6"),
    )
    .await;
    let before = d.count("SELECT COUNT(*) FROM purchase_orders").await;
    let outbox = d.count("SELECT COUNT(*) FROM outbox").await;

    for (line, en, zh) in [
        (
            format!("/po new requisition:{pending} supplier:{ok}"),
            "only be raised from an approved requisition",
            "只能根据已批准的采购申请",
        ),
        (
            format!("/po new requisition:{req} supplier:{ok} quantity:5"),
            "at most 4 can still be ordered",
            "最多还能下单 4",
        ),
        (
            format!("/po new requisition:{req} supplier:{cand}"),
            "candidate",
            "候选供应商",
        ),
        (
            format!("/po new requisition:{req} supplier:{susp}"),
            "suspended",
            "已暂停",
        ),
        (
            format!("/po new requisition:{req} supplier:{bad}"),
            "very poor",
            "很差",
        ),
        (
            format!("/po new requisition:REQ-000099 supplier:{ok}"),
            "REQ-000099",
            "REQ-000099",
        ),
        (
            format!("/po new requisition:{req} supplier:SUP-000099"),
            "no supplier SUP-000099",
            "没有供应商 SUP-000099",
        ),
        (
            format!("/po new requisition:{req} supplier:{ok} delivery:2026-13-45"),
            "delivery",
            "交货日期",
        ),
        (
            format!("/po new requisition:{req} supplier:{ok} delivery:2026-01-02"),
            "in the past",
            "已过",
        ),
        (
            "/po confirm ref:PO-000099".to_string(),
            "no purchase order PO-000099",
            "没有您可查看的采购订单 PO-000099",
        ),
    ] {
        let said = d.refused("huang.lei", &line).await;
        assert!(said.contains(en), "{line}: {said}");
        let said = d.refused("zhou.qiang", &line).await;
        assert!(said.contains(zh), "{line}: {said}");
    }
    // Not a buyer at all.
    d.refused(
        "tom.baker",
        &format!("/po new requisition:{req} supplier:{ok}"),
    )
    .await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM purchase_orders").await,
        before
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM outbox").await, outbox);
    // What remains is the default quantity.
    let text = d
        .ok(
            "huang.lei",
            &format!("/po new requisition:{req} supplier:{ok}"),
        )
        .await;
    assert!(text.contains("Chair × 4"), "{text}");
}

#[tokio::test]
async fn a_poor_suppliers_po_is_approved_only_with_an_acknowledgement() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Gloves", 100, 10).await;
    let sup = supplier(
        &d,
        "Cheap Co",
        "cheap@example.test",
        "qualified",
        Some("poor"),
    )
    .await;
    d.sql("UPDATE suppliers SET score = 42").await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} unit_price:12"),
    )
    .await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM purchase_orders WHERE warning = 'poor'")
            .await,
        1
    );
    let prompt = d.notes_of("chen.jie", "approval_prompt").await;
    assert!(
        prompt[0].text.contains("供应商评级较差") && prompt[0].text.contains("42/100"),
        "{}",
        prompt[0].text
    );
    // The approver sees the price the requisition was approved at, next to the PO's.
    assert!(
        prompt[0].text.contains("采购申请批准单价：10.00 CNY"),
        "{}",
        prompt[0].text
    );
    let said = d
        .refused("chen.jie", "/approval approve ref:PO-000001")
        .await;
    assert!(said.contains("确认已知悉"), "{said}");
    assert_eq!(status(&d, 1).await, "pending");
    assert_eq!(d.inbox("chen.jie").await, ["PO-000001"]);
    d.ok(
        "chen.jie",
        "/approval approve ref:PO-000001 comment:\"aware of the rating, only source\"",
    )
    .await;
    assert_eq!(status(&d, 1).await, "sent");
    // Rejecting needs no acknowledgement.
    let req = approved_requisition(&d, "Masks", 10, 10).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.ok(
        "chen.jie",
        "/approval reject ref:PO-000002 comment:\"find another\"",
    )
    .await;
    assert_eq!(status(&d, 2).await, "rejected");
    let told = d.notes_of("tom.baker", "po_progress").await;
    assert!(
        told.last().unwrap().text.contains("PO-000002")
            && told.last().unwrap().text.contains("was rejected"),
        "{told:?}"
    );
}

#[tokio::test]
async fn a_po_is_cancelled_with_a_reason_and_its_review_closed() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    let sup = supplier(&d, "Paper Co", "paper@example.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.refused("huang.lei", "/po cancel ref:PO-000001").await;
    d.refused("tom.baker", "/po cancel ref:PO-000001 reason:x")
        .await;
    d.ok(
        "huang.lei",
        "/po cancel ref:PO-000001 reason:\"found stock\"",
    )
    .await;
    assert_eq!(status(&d, 1).await, "cancelled");
    assert!(d.inbox("chen.jie").await.is_empty());
    d.refused("huang.lei", "/po cancel ref:PO-000001 reason:again")
        .await;
    // Its quantity is free again.
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} quantity:10"),
    )
    .await;
}

#[tokio::test]
async fn the_inspection_is_reminded_before_delivery_once() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    let req = approved_requisition(&d, "Pumps", 2, 1000).await;
    let sup = supplier(&d, "Pump Co", "pump@example.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} delivery:2026-11-30"),
    )
    .await;
    d.ok("chen.jie", "/approval approve ref:PO-000001").await;
    // 26th 10:00 → the 27th at 08:00 is 3 days before: nothing; the 28th: the reminder.
    d.advance(86_400).await;
    assert!(d
        .notes_of("tom.baker", "po_inspection_due")
        .await
        .is_empty());
    d.advance(86_400).await;
    for who in ["tom.baker", "wang.fang", "chen.jie", "liu.yang"] {
        assert_eq!(d.notes_of(who, "po_inspection_due").await.len(), 1, "{who}");
    }
    d.advance(86_400).await;
    assert_eq!(d.notes_of("tom.baker", "po_inspection_due").await.len(), 1);
}

#[tokio::test]
async fn two_pos_at_once_never_exceed_the_requisition() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Laptops", 40, 100).await;
    let sup = supplier(&d, "PC Co", "pc@example.test", "qualified", None).await;
    let line = format!("/po new requisition:{req} supplier:{sup} quantity:30");
    let (a, b) = tokio::join!(d.run("huang.lei", &line), d.run("zhou.qiang", &line));
    assert!(a.ok != b.ok, "exactly one: {} / {}", a.text, b.text);
    assert_eq!(
        d.count("SELECT CAST(SUM(quantity) AS BIGINT) FROM purchase_orders")
            .await,
        30
    );
    if common::postgres().is_none() {
        eprintln!("(on SQLite; set BIZDESK_TEST_POSTGRES_URL for the PostgreSQL run)");
    }
}

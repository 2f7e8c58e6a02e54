//! Purchase orders after review: two reviews finishing at once, currencies, what a PO still
//! expects, permissions checked by the services themselves, disqualified suppliers, the
//! requesting department in the policy, delivery moves, cancellations the supplier hears of,
//! receipts that do not reveal POs, contacts masked by the service.

use super::orders::{approved_requisition, supplier};
use super::receipts::{refusal, sent_po};
use crate::common::{self, spawn_desk, TestDesk};
use bizdesk::domain::reference::Reference;
use bizdesk::service::DeskError;

async fn one(d: &TestDesk, sql: &str) -> String {
    let (s,): (String,) = sqlx::query_as(sql)
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    s
}

fn on_sqlite() {
    if common::postgres().is_none() {
        eprintln!("(on SQLite; set BIZDESK_TEST_POSTGRES_URL for the PostgreSQL run)");
    }
}

#[tokio::test]
async fn a_po_and_its_contract_approved_at_once_send_the_po() {
    const N: i64 = 8;
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "CNC machine", N, 150_000).await;
    let sup = supplier(&d, "Haitian", "orders@haitian.test", "qualified", None).await;
    let mut lines = Vec::new();
    for i in 1..=N {
        d.ok(
            "huang.lei",
            &format!("/po new requisition:{req} supplier:{sup} quantity:1"),
        )
        .await;
        d.ok("huang.lei", &format!("/contract submit po:PO-{i:06}"))
            .await;
        d.ok("chen.jie", &format!("/approval approve ref:PO-{i:06}"))
            .await;
        lines.push(("zhao.min", format!("/approval approve ref:PO-{i:06}")));
        lines.push(("david.wu", format!("/approval approve ref:CTR-{i:06}")));
    }
    // Each PO's last approval and its contract's filing at once.
    let replies = futures::future::join_all(lines.iter().map(|(who, line)| d.run(who, line))).await;
    for r in &replies {
        assert!(r.ok, "{}", r.text);
    }
    assert_eq!(
        d.count("SELECT COUNT(*) FROM purchase_orders WHERE status = 'sent'")
            .await,
        N
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_sent'")
            .await,
        N
    );
    on_sqlite();
}

#[tokio::test]
async fn a_po_is_priced_in_its_requisitions_currency() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    let sup = supplier(&d, "Paper Co", "paper@example.test", "qualified", None).await;
    let (en, zh) = refusal(
        &d,
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} unit_price:\"18 USD\""),
    )
    .await;
    assert!(en.contains("USD") && en.contains("in CNY"), "{en}");
    assert!(zh.contains("币种"), "{zh}");
    assert_eq!(d.count("SELECT COUNT(*) FROM purchase_orders").await, 0);
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} unit_price:\"18 CNY\""),
    )
    .await;
}

#[tokio::test]
async fn a_po_shows_what_is_still_due_its_receipts_and_payments() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    d.ok("tom.baker", &format!("/receipt new po:{po} accepted:4"))
        .await;
    d.ok(
        "tom.baker",
        &format!("/receipt new po:{po} accepted:1 rejected:2 reason:\"cracked\""),
    )
    .await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:A-1 amount:500"),
    )
    .await;
    d.sql("UPDATE employees SET locale = 'en' WHERE handle = 'huang.lei'")
        .await;
    let shown = d.ok("huang.lei", &format!("/po show ref:{po}")).await;
    for expect in [
        "Ordered 10",
        "accepted 5",
        "rejected 2",
        "still due 5",
        "GR-000001",
        "GR-000002",
        "PAY-000001",
    ] {
        assert!(shown.contains(expect), "lacks {expect}: {shown}");
    }
    let shown = d.ok("zhou.qiang", &format!("/po show ref:{po}")).await;
    assert!(
        shown.contains("尚欠 5") && shown.contains("PAY-000001"),
        "{shown}"
    );
}

#[tokio::test]
async fn ratings_and_receipts_at_once_do_not_deadlock() {
    let d = spawn_desk().await;
    let mut lines = Vec::new();
    for (i, rater) in ["chen.jie", "zhou.qiang", "huang.lei", "liu.yang"]
        .into_iter()
        .enumerate()
    {
        let po = sent_po(&d, 10, 100).await;
        lines.push(("tom.baker", format!("/receipt new po:{po} accepted:3")));
        let q = i % 5 + 1;
        lines.push((
            rater,
            format!("/supplier rate ref:SUP-000001 quality:{q} delivery:4 price:4 service:5"),
        ));
    }
    let replies = futures::future::join_all(lines.iter().map(|(who, line)| d.run(who, line))).await;
    for r in &replies {
        assert!(r.ok, "{}", r.text);
    }
    on_sqlite();
}

#[tokio::test]
async fn po_services_check_permissions_themselves() {
    use bizdesk::procurement::orders::service as po;
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    let sup = supplier(&d, "Paper Co", "paper@example.test", "qualified", None).await;
    let tom = d.employee("tom.baker").await;
    let desk = &d.chat.desk;
    let input = po::NewInput {
        requisition: Reference::parse(&req).ok(),
        supplier: Reference::parse(&sup).ok(),
        ..Default::default()
    };
    let denied = |r: Result<po::Story, DeskError>| matches!(r, Err(DeskError::User(_)));
    assert!(denied(po::create(desk, &tom, input).await));
    assert_eq!(d.count("SELECT COUNT(*) FROM purchase_orders").await, 0);
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    let r = Reference::parse("PO-000001").unwrap();
    assert!(denied(po::confirm(desk, &tom, r, None).await));
    assert!(denied(po::cancel(desk, &tom, r, Some("no")).await));
    assert_eq!(
        one(&d, "SELECT status FROM purchase_orders WHERE id = 1").await,
        "pending"
    );
}

#[tokio::test]
async fn a_supplier_is_disqualified_and_qualified_again_only_through_review() {
    let d = spawn_desk().await;
    let sup = supplier(&d, "Acme", "acme@example.test", "qualified", None).await;
    // Not by just anyone, not without a reason.
    d.refused(
        "tom.baker",
        &format!("/supplier disqualify ref:{sup} reason:x"),
    )
    .await;
    let (en, zh) = refusal(&d, "chen.jie", &format!("/supplier disqualify ref:{sup}")).await;
    assert!(
        en.contains("reason") && zh.contains("reason"),
        "{en} / {zh}"
    );
    let text = d
        .ok(
            "chen.jie",
            &format!("/供应商 取消资格 编号:{sup} 原因:\"failed the audit\""),
        )
        .await;
    assert!(text.contains("SUP-000001"), "{text}");
    assert_eq!(
        one(&d, "SELECT status FROM suppliers WHERE id = 1").await,
        "disqualified"
    );
    let told = d.notes_of("huang.lei", "supplier_disqualified").await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text.contains("failed the audit"),
        "{}",
        told[0].text
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'supplier.disqualify'")
            .await,
        1
    );
    let (en, _) = refusal(
        &d,
        "chen.jie",
        &format!("/supplier disqualify ref:{sup} reason:again"),
    )
    .await;
    assert!(en.contains("/supplier qualify"), "{en}");
    // No purchase orders to it; a new certificate does not bring it back.
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    d.refused(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.ok(
        "huang.lei",
        &format!("/supplier cert ref:{sup} kind:business_license expires:2027-06-30"),
    )
    .await;
    assert_eq!(
        one(&d, "SELECT status FROM suppliers WHERE id = 1").await,
        "disqualified"
    );
    // Only review qualifies it again; a disqualification during review withdraws it.
    d.ok("huang.lei", &format!("/supplier qualify ref:{sup}"))
        .await;
    assert_eq!(d.inbox("chen.jie").await, [sup.as_str()]);
    d.sql("UPDATE suppliers SET status = 'candidate' WHERE id = 1")
        .await;
    d.ok(
        "zhou.qiang",
        &format!("/supplier disqualify ref:{sup} reason:fraud"),
    )
    .await;
    assert!(d.inbox("chen.jie").await.is_empty());
    d.ok("huang.lei", &format!("/supplier qualify ref:{sup}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{sup}"))
        .await;
    d.ok("david.wu", &format!("/approval approve ref:{sup}"))
        .await;
    assert_eq!(
        one(&d, "SELECT status FROM suppliers WHERE id = 1").await,
        "qualified"
    );
}

#[tokio::test]
async fn certificate_reminders_skip_an_inactive_owner() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    let sup = supplier(&d, "Acme", "acme@example.test", "qualified", None).await;
    d.ok(
        "zhou.qiang",
        &format!("/supplier cert ref:{sup} kind:business_license expires:2026-12-20"),
    )
    .await;
    d.sql("UPDATE employees SET active = 0 WHERE handle = 'huang.lei'")
        .await;
    d.advance(86_400).await;
    assert_eq!(
        d.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'supplier_cert_expiring' AND recipient_id = \
             (SELECT id FROM employees WHERE handle = 'huang.lei')"
        )
        .await,
        0
    );
    assert_eq!(
        d.notes_of("chen.jie", "supplier_cert_expiring").await.len(),
        1
    );
}

/// A policy where the requesting department's head reviews POs, and Sales' contracts also
/// go to the central office.
const DEPT_POLICY: &str = r#"
[purchase_order]
[[purchase_order.stages]]
name = "Department head"
name_zh = "部门负责人审批"
approvers = ["dept_head"]
fallback = ["role:management"]

[contract]
[[contract.stages]]
name = "Legal review"
name_zh = "法务审核"
approvers = ["role:legal"]

[[contract.stages]]
name = "Central office"
name_zh = "业务集中管理部门审批"
approvers = ["role:bcmo"]
when = { departments = ["SAL"] }
"#;

#[tokio::test]
async fn po_and_contract_reviews_follow_the_requesting_department() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(&policy, DEPT_POLICY).unwrap();
    let d = common::spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    // tom.baker's (Sales) requisition, the PO raised by huang.lei (Procurement).
    let req = approved_requisition(&d, "Safes", 1, 150_000).await;
    let sup = supplier(&d, "Safe Co", "safe@example.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    // Sales' head, not procurement's.
    assert_eq!(d.inbox("wang.fang").await, ["PO-000001"]);
    assert!(d.inbox("zhou.qiang").await.is_empty());
    d.ok("huang.lei", "/contract submit po:PO-000001").await;
    d.ok("david.wu", "/approval approve ref:CTR-000001").await;
    // The contract is for Sales: the central office's stage applies.
    assert_eq!(d.inbox("chen.jie").await, ["CTR-000001"]);
}

#[tokio::test]
async fn a_moved_delivery_is_reminded_of_again() {
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
    d.advance(2 * 86_400).await;
    assert_eq!(d.notes_of("tom.baker", "po_inspection_due").await.len(), 1);
    // The supplier confirms a later date: the inspection is reminded of before it.
    d.ok("huang.lei", "/po confirm ref:PO-000001 delivery:2026-12-10")
        .await;
    while d.chat.desk.today() < chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap() {
        d.advance(86_400).await;
    }
    let notes = d.notes_of("tom.baker", "po_inspection_due").await;
    assert_eq!(notes.len(), 2);
    assert!(notes[1].text.contains("2026-12-10"), "{}", notes[1].text);
}

#[tokio::test]
async fn cancelling_a_sent_po_tells_the_supplier_in_its_thread() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    let sup = supplier(&d, "Paper Co", "paper@example.test", "qualified", None).await;
    d.sql("UPDATE suppliers SET locale = 'en'").await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.ok("chen.jie", "/approval approve ref:PO-000001").await;
    d.ok("huang.lei", "/po confirm ref:PO-000001").await;
    d.send_all_email().await;
    d.ok(
        "huang.lei",
        "/po cancel ref:PO-000001 reason:\"found stock\"",
    )
    .await;
    assert_eq!(
        d.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'po_cancelled' \
             AND address = 'paper@example.test' AND subject_ref = 'PO-000001'"
        )
        .await,
        1
    );
    d.send_all_email().await;
    let mails: Vec<String> = std::fs::read_dir(&d.config.smtp.drop_dir)
        .unwrap()
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).to_string())
        .collect();
    let cancelled = mails
        .iter()
        .find(|m| m.contains("is cancelled"))
        .expect("the cancellation email");
    assert!(cancelled.contains("In-Reply-To:"), "{cancelled}");
    assert!(!cancelled.contains("found stock"), "{cancelled}");
    // A PO the supplier never saw: no email.
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.ok("huang.lei", "/po cancel ref:PO-000002 reason:x").await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'po_cancelled'")
            .await,
        1
    );
}

#[tokio::test]
async fn receipts_do_not_reveal_a_po_one_may_not_read() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    d.ok("tom.baker", &format!("/receipt new po:{po} accepted:1"))
        .await;
    // Service (emily.chen) may not read Sales' PO: it does not exist for her, as PO-999999.
    let (seen, _) = refusal(
        &d,
        "emily.chen",
        &format!("/receipt new po:{po} accepted:1"),
    )
    .await;
    let (none, _) = refusal(&d, "emily.chen", "/receipt new po:PO-999999 accepted:1").await;
    assert_eq!(seen.replace(&po, "PO-999999"), none);
    assert!(!seen.contains("SAL") && !seen.contains("Sales"), "{seen}");
    let (listed, _) = refusal(&d, "emily.chen", &format!("/receipt list po:{po}")).await;
    assert_eq!(listed.replace(&po, "PO-999999"), none);
    // Sales' own list is filtered before its limit: 60 newer receipts of another
    // department's PO do not hide GR-000001.
    d.sql(
        "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, \
         buyer_id, item, quantity, unit_price_minor, total_minor, currency, status, created_at, \
         updated_at) SELECT requisition_id, supplier_id, requester_id, 'SVC', buyer_id, item, 100, \
         100, 10000, 'CNY', 'sent', 0, 0 FROM purchase_orders WHERE id = 1",
    )
    .await;
    for _ in 0..60 {
        d.sql(
            "INSERT INTO receipts (po_id, inspector_id, accepted, received_on, created_at) \
             SELECT 2, inspector_id, 1, received_on, 0 FROM receipts WHERE id = 1",
        )
        .await;
    }
    let mine = d.ok("li.na", "/receipt list").await;
    assert!(mine.contains("GR-000001"), "{mine}");
    assert!(!mine.contains("GR-000002"), "{mine}");
}

#[tokio::test]
async fn supplier_contacts_are_masked_by_the_service() {
    use bizdesk::procurement::suppliers::service as suppliers;
    let d = spawn_desk().await;
    let sup = supplier(&d, "Acme", "acme@example.test", "qualified", None).await;
    d.sql("UPDATE suppliers SET phone = '13900001111'").await;
    let r = Reference::parse(&sup).unwrap();
    let desk = &d.chat.desk;
    let (tom, buyer) = (d.employee("tom.baker").await, d.employee("huang.lei").await);
    let seen = suppliers::show(desk, &tom, r).await.unwrap();
    assert!(!seen.contacts);
    assert_eq!(
        (seen.supplier.email.as_str(), seen.supplier.phone.as_str()),
        ("", "")
    );
    let listed = suppliers::list(desk, &tom, None).await.unwrap();
    assert!(listed
        .iter()
        .all(|s| s.email.is_empty() && s.phone.is_empty()));
    let found = suppliers::find(desk, &tom, "Acme").await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].email.is_empty() && found[0].phone.is_empty());
    let seen = suppliers::show(desk, &buyer, r).await.unwrap();
    assert_eq!(seen.supplier.email, "acme@example.test");
    assert_eq!(seen.supplier.phone, "13900001111");
    let found = suppliers::find(desk, &buyer, "acme@").await.unwrap();
    assert_eq!(found[0].email, "acme@example.test");
    // The chat shows what the service gave.
    let shown = d
        .ok("tom.baker", &format!("/supplier show ref:{sup}"))
        .await;
    assert!(
        !shown.contains("acme@example.test") && !shown.contains("13900001111"),
        "{shown}"
    );
    let shown = d.ok("huang.lei", "/supplier list").await;
    assert!(shown.contains("acme@example.test"), "{shown}");
}

#[tokio::test]
async fn a_po_cancelled_while_approved_and_a_supplier_disqualified_while_reviewed_never_deadlock() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "Paper", 10, 20).await;
    let sup = supplier(&d, "Paper Co", "paper@example.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    let (a, b) = tokio::join!(
        d.run("chen.jie", "/approval approve ref:PO-000001"),
        d.run(
            "huang.lei",
            "/po cancel ref:PO-000001 reason:\"found stock\""
        )
    );
    for t in [&a.text, &b.text] {
        assert!(!t.contains("went wrong") && !t.contains("出错"), "{t}");
    }
    assert!(b.ok, "{}", b.text);
    assert_eq!(
        one(&d, "SELECT status FROM purchase_orders WHERE id = 1").await,
        "cancelled"
    );
    let other = supplier(&d, "New Co", "new@example.test", "candidate", None).await;
    d.ok("huang.lei", &format!("/supplier qualify ref:{other}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{other}"))
        .await;
    let approve = format!("/approval approve ref:{other}");
    let disqualify = format!("/supplier disqualify ref:{other} reason:fraud");
    let (a, b) = tokio::join!(
        d.run("david.wu", &approve),
        d.run("zhou.qiang", &disqualify)
    );
    for t in [&a.text, &b.text] {
        assert!(!t.contains("went wrong") && !t.contains("出错"), "{t}");
    }
    assert!(b.ok, "{}", b.text);
    assert_eq!(
        one(&d, "SELECT status FROM suppliers WHERE id = 2").await,
        "disqualified"
    );
    on_sqlite();
}

#[tokio::test]
async fn cancelling_a_po_withdraws_its_contract_in_review() {
    let d = spawn_desk().await;
    let req = approved_requisition(&d, "CNC machine", 1, 150_000).await;
    let sup = supplier(&d, "Haitian", "orders@haitian.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup}"),
    )
    .await;
    d.ok("huang.lei", "/contract submit po:PO-000001").await;
    assert_eq!(d.inbox("david.wu").await, ["CTR-000001"]);
    d.ok(
        "huang.lei",
        "/po cancel ref:PO-000001 reason:\"bought elsewhere\"",
    )
    .await;
    // Legal has nothing left to review, and an old button says it was withdrawn.
    assert!(d.inbox("david.wu").await.is_empty());
    assert_eq!(
        one(&d, "SELECT status FROM contracts WHERE id = 1").await,
        "withdrawn"
    );
    d.refused("david.wu", "/approval approve ref:CTR-000001")
        .await;
}

//! How supplier payments end: paying the accepted amount never pays more than invoiced or
//! accepted, settlements go through the `[payment]` approval tiers, exceptions can be
//! rejected and requests cancelled (freeing their invoice number), partial payments, and
//! payables reminders sent once.

use super::payments::{receive, status};
use super::receipts::{refusal, sent_po};
use crate::common::{spawn_desk, TestDesk};

async fn money_of(d: &TestDesk, id: i64) -> (String, Option<i64>, Option<i64>) {
    sqlx::query_as("SELECT status, approved_minor, paid_minor FROM supplier_payments WHERE id = $1")
        .bind(id)
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap()
}

async fn remind(d: &TestDesk) {
    let desk = &d.chat.desk;
    let fire = bizdesk::store::to_ms(desk.now());
    let mut conn = desk.store.pool().acquire().await.unwrap();
    bizdesk::procurement::payments::service::remind(desk, &mut conn, fire)
        .await
        .unwrap();
}

#[tokio::test]
async fn paying_the_accepted_amount_never_pays_more_than_invoiced_or_still_accepted() {
    let d = spawn_desk().await;
    // 10 × 1,000.00 accepted: 10,000.00.
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    // Invoiced 4,000.00 against 10,000.00: outside the tolerance, an exception.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:U-1 amount:4000"),
    )
    .await;
    assert_eq!(status(&d, 1).await, "exception");
    // A second invoice for the 6,000.00 left (6,100.00 is within 2 % and 500): a match.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:U-2 amount:6100"),
    )
    .await;
    assert_eq!(status(&d, 2).await, "pending");
    d.ok(
        "zhao.min",
        "/payment settle ref:PAY-000001 action:pay_accepted",
    )
    .await;
    // At most what is invoiced (4,000.00) and what the other request leaves (3,900.00).
    let (st, approved, _) = money_of(&d, 1).await;
    assert_eq!((st.as_str(), approved), ("pending", Some(390_000)));
    let claimed = d
        .count(
            "SELECT CAST(SUM(approved_minor) AS BIGINT) + 610000 FROM supplier_payments \
             WHERE id = 1",
        )
        .await;
    assert!(claimed <= 1_000_000, "{claimed}");
}

#[tokio::test]
async fn nothing_left_to_accept_is_refused_when_paying_the_accepted_amount() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 5, 0).await;
    // 5,000.00 accepted; 3,000.00 invoiced: an exception.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:N-1 amount:3000"),
    )
    .await;
    // A second invoice of 6,000.00 against the 2,000.00 left, overridden: it claims 6,000.00.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:N-2 amount:6000"),
    )
    .await;
    d.ok(
        "zhao.min",
        "/payment settle ref:PAY-000002 action:override reason:\"agreed\"",
    )
    .await;
    let (en, zh) = refusal(
        &d,
        "zhao.min",
        "/payment settle ref:PAY-000001 action:pay_accepted",
    )
    .await;
    assert!(
        en.contains("PAY-000001") && en.contains("other payment requests"),
        "{en}"
    );
    assert!(
        zh.contains("PAY-000001") && zh.contains("其他付款申请"),
        "{zh}"
    );
    assert_eq!(status(&d, 1).await, "exception");
}

#[tokio::test]
async fn a_million_override_still_needs_management() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100_000).await;
    receive(&d, &po, 5, 5).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:M-1 amount:1000000"),
    )
    .await;
    assert_eq!(status(&d, 1).await, "exception");
    d.ok(
        "zhao.min",
        "/payment settle ref:PAY-000001 action:override reason:\"contract price\"",
    )
    .await;
    assert_eq!(
        money_of(&d, 1).await,
        ("pending".to_string(), Some(100_000_000), None)
    );
    // The approval prompt shows the amount being approved.
    assert!(d
        .notes_of("grace.lin", "approval_prompt")
        .await
        .iter()
        .any(|n| n.text.contains("PAY-000001") && n.text.contains("1,000,000.00")));
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    assert_eq!(status(&d, 1).await, "pending");
    d.ok("zhang.wei", "/approval approve ref:PAY-000001").await;
    assert_eq!(
        money_of(&d, 1).await,
        ("approved".to_string(), Some(100_000_000), None)
    );
    let (decision,): (String,) =
        sqlx::query_as("SELECT decision FROM supplier_payments WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(decision, "override");
}

#[tokio::test]
async fn finance_rejects_an_exception_and_its_invoice_and_amount_are_free_again() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:INV-1 amount:12000"),
    )
    .await;
    assert_eq!(status(&d, 1).await, "exception");
    // The same invoice in other case is the same invoice.
    let (en, zh) = refusal(
        &d,
        "huang.lei",
        &format!("/payment request po:{po} invoice:inv-1 amount:10000"),
    )
    .await;
    assert!(
        en.contains("PAY-000001") && zh.contains("PAY-000001"),
        "{en}"
    );
    let (en, zh) = refusal(
        &d,
        "zhao.min",
        "/payment settle ref:PAY-000001 action:reject",
    )
    .await;
    assert!(en.contains("reason:") && zh.contains("理由"), "{en} / {zh}");
    let denied = d
        .refused(
            "huang.lei",
            "/payment settle ref:PAY-000001 action:reject reason:x",
        )
        .await;
    assert!(
        denied.contains("finance") || denied.contains("财务"),
        "{denied}"
    );
    let emails = d
        .count("SELECT COUNT(*) FROM outbox WHERE channel = 'email'")
        .await;
    let text = d
        .ok(
            "zhao.min",
            "/payment settle ref:PAY-000001 action:reject reason:\"wrong price\"",
        )
        .await;
    assert!(text.contains("已驳回"), "{text}");
    assert_eq!(status(&d, 1).await, "rejected");
    // The supplier is not emailed; the requester is told why; finance's prompts close.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email'")
            .await,
        emails
    );
    let told = d.notes_of("huang.lei", "payment_update").await;
    assert!(
        told.iter().any(|n| n.text.contains("wrong price")),
        "{told:?}"
    );
    assert_eq!(d.notes_of("grace.lin", "prompt_closed").await.len(), 1);
    assert!(!d
        .refused("zhao.min", "/payment settle ref:PAY-000001 action:hold")
        .await
        .is_empty());
    // The corrected invoice, with the same number in lower case, claims the full value.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:inv-1 amount:10000"),
    )
    .await;
    assert_eq!(status(&d, 2).await, "pending");
    let listed = d.ok("grace.lin", "/payment list status:rejected").await;
    assert!(listed.contains("PAY-000001"), "{listed}");
}

#[tokio::test]
async fn the_requester_or_finance_cancels_a_request_not_decided_yet() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:K-1 amount:10000"),
    )
    .await;
    assert_eq!(status(&d, 1).await, "pending");
    // Procurement, but not its requester.
    let (en, zh) = refusal(
        &d,
        "zhou.qiang",
        "/payment cancel ref:PAY-000001 reason:dup",
    )
    .await;
    assert!(
        en.contains("PAY-000001") && zh.contains("PAY-000001"),
        "{en}"
    );
    assert!(d
        .refused("tom.baker", "/payment cancel ref:PAY-000001 reason:dup")
        .await
        .contains("/payment cancel"));
    let text = d
        .ok(
            "huang.lei",
            "/payment cancel ref:PAY-000001 reason:\"sent twice\"",
        )
        .await;
    assert!(text.contains("已取消"), "{text}");
    assert_eq!(status(&d, 1).await, "cancelled");
    // Its approval is withdrawn: finance's prompt closes, approving it is refused.
    assert!(!d.notes_of("zhao.min", "prompt_closed").await.is_empty());
    assert!(!d
        .refused("zhao.min", "/approval approve ref:PAY-000001")
        .await
        .is_empty());
    assert_eq!(status(&d, 1).await, "cancelled");
    // The invoice and the amount are free again; finance cancels an exception.
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:K-1 amount:3000"),
    )
    .await;
    assert_eq!(status(&d, 2).await, "exception");
    d.ok(
        "grace.lin",
        "/payment cancel ref:PAY-000002 reason:\"wrong amount\"",
    )
    .await;
    assert_eq!(status(&d, 2).await, "cancelled");
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:k-1 amount:10000"),
    )
    .await;
    d.ok("zhao.min", "/approval approve ref:PAY-000003").await;
    assert_eq!(status(&d, 3).await, "approved");
    let (en, zh) = refusal(
        &d,
        "huang.lei",
        "/payment cancel ref:PAY-000003 reason:late",
    )
    .await;
    assert!(en.contains("approved") && zh.contains("PAY-000003"), "{en}");
    assert_eq!(status(&d, 3).await, "approved");
}

#[tokio::test]
async fn a_partial_payment_leaves_the_rest_to_pay() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:P-1 amount:10000"),
    )
    .await;
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    let text = d
        .ok("zhao.min", "/payment paid ref:PAY-000001 amount:4000")
        .await;
    assert!(text.contains("6,000.00"), "{text}");
    assert_eq!(
        money_of(&d, 1).await,
        ("approved".to_string(), Some(1_000_000), Some(400_000))
    );
    // More than what remains is refused and changes nothing.
    let (en, zh) = refusal(&d, "zhao.min", "/payment paid ref:PAY-000001 amount:7000").await;
    assert!(en.contains("6,000.00") && zh.contains("6,000.00"), "{en}");
    d.ok("zhao.min", "/payment paid ref:PAY-000001 amount:6000")
        .await;
    assert_eq!(
        money_of(&d, 1).await,
        ("paid".to_string(), Some(1_000_000), Some(1_000_000))
    );
}

#[tokio::test]
async fn payables_reminders_go_out_once_before_the_due_date_and_once_overdue() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:R-1 amount:10000 due:2026-11-28"),
    )
    .await;
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    for _ in 0..2 {
        remind(&d).await;
        d.clock.advance(chrono::Duration::days(1));
    }
    assert_eq!(d.notes_of("grace.lin", "payable_due").await.len(), 1);
    // Overdue: once more, then not again.
    d.clock.advance(chrono::Duration::days(2));
    for _ in 0..3 {
        remind(&d).await;
        d.clock.advance(chrono::Duration::days(1));
    }
    let notes = d.notes_of("grace.lin", "payable_due").await;
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[1].text.contains("Overdue"), "{}", notes[1].text);
}

#[tokio::test]
async fn one_invoice_in_two_cases_on_two_orders_at_once_is_used_once() {
    let d = spawn_desk().await;
    let a = sent_po(&d, 10, 100).await;
    let b = sent_po(&d, 10, 100).await;
    receive(&d, &a, 10, 0).await;
    receive(&d, &b, 10, 0).await;
    let la = format!("/payment request po:{a} invoice:Z-1 amount:1000");
    let lb = format!("/payment request po:{b} invoice:z-1 amount:1000");
    let (ra, rb) = tokio::join!(d.run("huang.lei", &la), d.run("zhou.qiang", &lb));
    assert!(ra.ok != rb.ok, "{} / {}", ra.text, rb.text);
    // The one refused is told which request has the invoice (not an internal error).
    let refused = if ra.ok { &rb } else { &ra };
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM supplier_payments")
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert!(
        refused.text.contains(&format!("PAY-{id:06}")) && !refused.internal,
        "{}",
        refused.text
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM supplier_payments WHERE UPPER(invoice) = 'Z-1'")
            .await,
        1
    );
}

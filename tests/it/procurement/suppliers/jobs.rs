//! The supplier jobs with the manual clock: certificate expiry (reminder, suspension, renewal)
//! and the quarterly evaluation.

use super::{supplier, ADD};
use crate::common::spawn_desk;
use bizdesk::procurement::suppliers::domain::{Standing, SupplierStatus};

#[tokio::test]
async fn an_expired_required_certificate_suspends_on_its_day_and_renewal_lifts_it() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    d.ok("zhou.qiang", ADD).await;
    d.ok("zhou.qiang", "/supplier qualify ref:SUP-000001").await;
    d.ok("chen.jie", "/approval approve ref:SUP-000001").await;
    d.ok("david.wu", "/approval approve ref:SUP-000001").await;
    // Today is 2026-11-26; valid to 2026-12-20: reminded from 11-20 on (30 days), i.e. at
    // the next daily run.
    let text = d
        .ok(
            "zhou.qiang",
            "/supplier cert ref:SUP-000001 kind:\"Business License\" expires:2026-12-20",
        )
        .await;
    assert!(
        text.contains("business_license") && text.contains("2026-12-20"),
        "{text}"
    );
    d.ok(
        "zhou.qiang",
        "/supplier cert ref:SUP-000001 kind:\"ISO 9001\" expires:2026-12-01",
    )
    .await;
    let day = 86_400;
    d.advance(day).await;
    let owner = d.notes_of("zhou.qiang", "supplier_cert_expiring").await;
    assert_eq!(owner.len(), 2, "both certificates, once each");
    assert!(owner
        .iter()
        .any(|n| n.text.contains("business_license") && n.text.contains("2026-12-20")));
    assert_eq!(
        d.notes_of("liu.yang", "supplier_cert_expiring").await.len(),
        2
    );
    // Day by day up to the last valid day: still qualified, reminded only once.
    // (ISO 9001 expires 12-01 but is not required: it suspends nothing.)
    while d.chat.desk.today() < chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap() {
        d.advance(day).await;
    }
    assert_eq!(supplier(&d, 1).await.status, SupplierStatus::Qualified);
    assert_eq!(
        d.notes_of("zhou.qiang", "supplier_cert_expiring")
            .await
            .len(),
        2
    );
    // The day after its last valid day: suspended, owner and central office told.
    d.advance(day).await;
    let s = supplier(&d, 1).await;
    assert_eq!(s.status, SupplierStatus::Suspended);
    assert_eq!(s.suspended_reason.as_deref(), Some("cert:business_license"));
    let told = d.notes_of("chen.jie", "supplier_suspended").await;
    assert_eq!(told.len(), 1);
    assert!(told[0].text.contains("SUP-000001"), "{}", told[0].text);
    assert_eq!(
        d.notes_of("zhou.qiang", "supplier_suspended").await.len(),
        1
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'supplier.suspend'")
            .await,
        1
    );
    // The renewed certificate replaces the old one and lifts the suspension.
    let text = d
        .ok(
            "huang.lei",
            "/supplier cert ref:SUP-000001 kind:business_license expires:2027-12-20",
        )
        .await;
    assert!(text.contains("恢复合格"), "{text}");
    let s = supplier(&d, 1).await;
    assert_eq!(
        (s.status, s.suspended_reason),
        (SupplierStatus::Qualified, None)
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM supplier_certs WHERE replaced_at IS NOT NULL")
            .await,
        1
    );
    d.advance(day).await;
    assert_eq!(supplier(&d, 1).await.status, SupplierStatus::Qualified);
}

#[tokio::test]
async fn the_quarterly_evaluation_scores_measured_deliveries_and_asks_for_ratings() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    d.ok("zhou.qiang", ADD).await;
    d.ok(
        "zhou.qiang",
        "/supplier add name:Idle email:idle@example.com",
    )
    .await;
    d.ok(
        "tom.baker",
        "/requisition new item:Monitor quantity:20 unit_price:1000 reason:x",
    )
    .await;
    let now = d.chat.desk.now().timestamp_millis();
    for (price, _) in [(100_000, 1), (110_000, 2)] {
        d.sql(&format!(
            "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, \
             buyer_id, item, quantity, unit_price_minor, total_minor, currency, status, created_at, \
             updated_at) SELECT 1, 1, e.id, 'SAL', e.id, 'Monitor', 10, {price}, {}, 'CNY', 'sent', \
             {now}, {now} FROM employees e WHERE e.handle = 'tom.baker'",
            price * 10
        ))
        .await;
    }
    for (accepted, rejected, late) in [(8, 2, 0), (10, 0, 3)] {
        d.sql(&format!(
            "INSERT INTO receipts (po_id, inspector_id, accepted, rejected, received_on, days_late, \
             created_at) SELECT 2, e.id, {accepted}, {rejected}, '2026-12-10', {late}, {now} \
             FROM employees e WHERE e.handle = 'tom.baker'"
        ))
        .await;
    }
    // 2027-01-01 09:00 in Shanghai: the evaluation of 2026-Q4.
    d.advance(36 * 86_400 - 3600).await;
    let s = supplier(&d, 1).await;
    // On time 1 of 2 (50), accepted 18 of 20 (90), equally weighted: 70.
    assert_eq!((s.score, s.standing), (Some(70), Some(Standing::Good)));
    assert_eq!(supplier(&d, 2).await.score, None, "no orders, no scorecard");
    let asked = d.notes_of("chen.jie", "supplier_evaluation").await;
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].text.contains("2026-Q4") && asked[0].text.contains("SUP-000001"),
        "{}",
        asked[0].text
    );
    assert!(!asked[0].text.contains("SUP-000002"), "{}", asked[0].text);
    let shown = d.ok("zhou.qiang", "/supplier show ref:SUP-000001").await;
    assert!(
        shown.contains("准时 50%") && shown.contains("合格 90%") && shown.contains("10.0%"),
        "{shown}"
    );
    let shown = d.ok("tom.baker", "/supplier show ref:SUP-000001").await;
    assert!(
        !shown.contains("10.0%"),
        "prices only for those allowed: {shown}"
    );
}

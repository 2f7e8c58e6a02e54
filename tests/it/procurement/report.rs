//! `/report procurement`: the numbers a period of purchase orders, receipts and supplier
//! payments implies. Requisitions are approved through the real commands; suppliers, orders,
//! receipts and payments are written with SQL at chosen times (their own commands are built
//! elsewhere), so each figure below can be worked out by hand.

use crate::common::{self, TestDesk};
use chrono::Duration;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// An approved requisition: `who` asks, their head and the central office approve (now).
async fn approved_requisition(d: &TestDesk, who: &str, head: &str, item: &str, category: &str) {
    let r = d
        .ok(
            who,
            &format!("/requisition new item:\"{item}\" quantity:10 unit_price:100 reason:test category:{category}"),
        )
        .await;
    let reference = r
        .split_whitespace()
        .find(|w| w.starts_with("REQ-"))
        .unwrap()
        .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .to_string();
    d.ok(head, &format!("/approval approve ref:{reference}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{reference}"))
        .await;
}

async fn supplier(d: &TestDesk, name: &str, email: &str, at: i64) {
    d.sql(&format!(
        "INSERT INTO suppliers (name, email, status, owner_id, created_at, updated_at) \
         VALUES ('{name}', '{email}', 'qualified', (SELECT id FROM employees WHERE handle = 'huang.lei'), {at}, {at})"
    ))
    .await;
}

/// A purchase order of `quantity` × `price` (minor units) sent at `sent`.
#[allow(clippy::too_many_arguments)]
async fn po(
    d: &TestDesk,
    requisition: i64,
    supplier: i64,
    dept: &str,
    category: &str,
    item: &str,
    quantity: i64,
    price: i64,
    status: &str,
    sent: i64,
) {
    d.sql(&format!(
        "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, buyer_id, \
         item, category, quantity, unit_price_minor, total_minor, currency, status, sent_at, created_at, updated_at) \
         VALUES ({requisition}, {supplier}, (SELECT requester_id FROM requisitions WHERE id = {requisition}), '{dept}', \
         (SELECT id FROM employees WHERE handle = 'huang.lei'), '{item}', '{category}', {quantity}, {price}, {}, 'CNY', \
         '{status}', {sent}, {sent}, {sent})",
        quantity * price
    ))
    .await;
}

/// A receipt recorded at `at` (received that day in Shanghai).
#[allow(clippy::too_many_arguments)]
async fn receipt(
    d: &TestDesk,
    po: i64,
    accepted: i64,
    rejected: i64,
    days_late: i64,
    claim: Option<&str>,
    at: i64,
) {
    let on = day(d, at);
    let claim = claim.map_or("NULL".to_string(), |c| format!("'{c}'"));
    d.sql(&format!(
        "INSERT INTO receipts (po_id, inspector_id, accepted, rejected, reason, received_on, days_late, claim_status, created_at) \
         VALUES ({po}, (SELECT id FROM employees WHERE handle = 'huang.lei'), {accepted}, {rejected}, \
         '{}', '{on}', {days_late}, {claim}, {at})",
        if rejected > 0 { "scratched" } else { "" }
    ))
    .await;
}

/// A supplier payment of `minor` for `po`, `status` paid (on the day of `at`) or approved
/// (due `due`), last changed at `at`.
async fn payment(
    d: &TestDesk,
    po: i64,
    invoice: &str,
    minor: i64,
    status: &str,
    due: &str,
    at: i64,
) {
    let (paid_minor, paid_on) = if status == "paid" {
        (minor.to_string(), format!("'{}'", day(d, at)))
    } else {
        ("NULL".to_string(), "NULL".to_string())
    };
    d.sql(&format!(
        "INSERT INTO supplier_payments (po_id, supplier_id, requester_id, invoice, amount_minor, currency, \
         ordered_minor, expected_minor, accepted_qty, match_result, status, approved_minor, due_on, paid_minor, paid_on, \
         created_at, updated_at) \
         SELECT id, supplier_id, requester_id, '{invoice}', {minor}, 'CNY', total_minor, {minor}, 0, 'matched', '{status}', \
         {minor}, '{due}', {paid_minor}, {paid_on}, {at}, {at} FROM purchase_orders WHERE id = {po}"
    ))
    .await;
}

fn day(d: &TestDesk, ms: i64) -> String {
    bizdesk::store::from_ms(ms)
        .with_timezone(&d.chat.desk.company.time_zone)
        .date_naive()
        .to_string()
}

/// Two suppliers, two approved requisitions (Sales: IT equipment; Procurement: office
/// supplies), an earlier monitor order for the price history and two orders in the period,
/// their receipts (one half rejected, one two days late) and payments; then twenty days on.
async fn seeded() -> TestDesk {
    let d = common::spawn_desk().await;
    approved_requisition(&d, "tom.baker", "wang.fang", "Monitor", "it").await;
    approved_requisition(&d, "huang.lei", "zhou.qiang", "Chair", "office").await;
    // Both were approved now: t0.
    let t0 = bizdesk::store::to_ms(d.chat.desk.now());
    supplier(&d, "Acme Supplies", "sales@acme.example", t0 - 60 * DAY).await;
    supplier(&d, "Beijing Office Co", "bj@office.example", t0 - 60 * DAY).await;
    // PO-1: an earlier monitor order at 1,000.00 each, before the period.
    po(
        &d,
        1,
        1,
        "SAL",
        "it",
        "Monitor",
        10,
        100_000,
        "received",
        t0 - 40 * DAY,
    )
    .await;
    // PO-2: monitors at 1,200.00 (+20%) sent 4 hours after approval; half rejected 3 days
    // later (a claim), paid the accepted half 7 days after that.
    po(
        &d,
        1,
        2,
        "SAL",
        "it",
        "monitor",
        10,
        120_000,
        "received",
        t0 + 4 * HOUR,
    )
    .await;
    receipt(&d, 2, 5, 5, 0, Some("open"), t0 + 4 * HOUR + 3 * DAY).await;
    payment(
        &d,
        2,
        "INV-1",
        600_000,
        "paid",
        "2026-12-31",
        t0 + 4 * HOUR + 10 * DAY,
    )
    .await;
    // PO-3: chairs sent a day after approval, received in full two days late 5 days later;
    // 2,000.00 approved and due on 11 December (overdue by the report), 500.00 due later.
    po(
        &d,
        2,
        1,
        "PUR",
        "office",
        "Chair",
        4,
        50_000,
        "received",
        t0 + DAY,
    )
    .await;
    receipt(&d, 3, 4, 0, 2, None, t0 + 6 * DAY).await;
    payment(
        &d,
        3,
        "INV-2",
        200_000,
        "approved",
        "2026-12-11",
        t0 + 7 * DAY,
    )
    .await;
    payment(
        &d,
        3,
        "INV-3",
        50_000,
        "approved",
        "2026-12-21",
        t0 + 7 * DAY,
    )
    .await;
    d.clock.advance(Duration::days(20));
    d
}

#[tokio::test]
async fn the_report_shows_what_the_period_implies() {
    let d = seeded().await;
    let r = d.ok("grace.lin", "/report procurement period:month").await;
    for line in [
        "Spend: 14,000.00 CNY ordered in 2 purchase orders · 6,000.00 CNY paid",
        "  SUP-000002 Beijing Office Co: 12,000.00 CNY · 6,000.00 CNY",
        "  SUP-000001 Acme Supplies: 2,000.00 CNY · –",
        "  IT equipment: 12,000.00 CNY · 6,000.00 CNY",
        "  Office supplies: 2,000.00 CNY · –",
        "  Requisition approved → PO sent: 4.0 h · 24.0 h (2 orders)",
        "  PO sent → received in full: 3.0 days · 5.0 days (2 orders)",
        "  Received → paid: 7.0 days · 7.0 days (1 order)",
        "  Approved → paid (whole way): 10.2 days · 10.2 days (1 order)",
        "average +20.0% over 1 order; largest +20.0% (PO-000002 monitor: 1,000.00 CNY → 1,200.00 CNY",
        "  SUP-000001 Acme Supplies: 0% of 1 receipt · 100% of 4",
        "  SUP-000002 Beijing Office Co: 100% of 1 receipt · 50% of 10",
        "  All suppliers: 50% · 64%",
        "Open supplier claims (1):",
        "  GR-000001 · PO-000002 · Beijing Office Co · 5 rejected (scratched) · open 17 days",
        "Overdue payables (1, 2,000.00 CNY):",
        "  PAY-000002 · PO-000003 · Acme Supplies · 2,000.00 CNY due 2026-12-11",
        "Payables due (1, 500.00 CNY):",
        "  PAY-000003 · PO-000003 · Acme Supplies · 500.00 CNY due 2026-12-21",
    ] {
        assert!(r.contains(line), "missing {line:?} in:\n{r}");
    }
    // In Chinese, for the head of procurement.
    let zh = d.ok("zhou.qiang", "/report procurement").await;
    for line in [
        "支出：下单 14,000.00 CNY（2 张采购单）· 已付 6,000.00 CNY",
        "  IT设备：12,000.00 CNY · 6,000.00 CNY",
        "  申请批准 → 采购单发出：4.0 小时 · 24.0 小时（2 张）",
        "逾期应付（1 笔，2,000.00 CNY）：",
    ] {
        assert!(zh.contains(line), "missing {line:?} in:\n{zh}");
    }
}

#[tokio::test]
async fn an_empty_period_reads_well_and_outsiders_are_refused() {
    let d = seeded().await;
    // Eleven more payables due: the reply lists ten of the twelve and counts the rest.
    let now = bizdesk::store::to_ms(d.chat.desk.now());
    for n in 10..21 {
        payment(
            &d,
            3,
            &format!("INV-{n}"),
            100,
            "approved",
            "2026-12-30",
            now,
        )
        .await;
    }
    // The last week has no orders sent and nothing paid; claims and payables are as of now.
    let r = d.ok("david.wu", "/report procurement period:week").await;
    assert!(
        r.contains("No purchase orders sent and no supplier payments in this period."),
        "{r}"
    );
    assert!(r.contains("no goods received in this period"), "{r}");
    assert!(r.contains("Open supplier claims (1):"), "{r}");
    assert!(!r.contains("Cycle times"), "{r}");
    assert!(r.contains("Payables due (12, 511.00 CNY):"), "{r}");
    assert!(r.contains("  … and 2 more"), "{r}");
    let fresh = common::spawn_desk().await;
    let r = fresh.ok("emily.chen", "/report procurement").await;
    for line in [
        "No purchase orders sent",
        "Open supplier claims: none.",
        "Overdue payables: none.",
        "Payables due: none.",
    ] {
        assert!(r.contains(line), "missing {line:?} in:\n{r}");
    }
    let no = d.refused("tom.baker", "/report procurement").await;
    assert!(no.contains("procurement report is for procurement"), "{no}");
    d.refused("li.na", "/report procurement period:decade")
        .await;
}

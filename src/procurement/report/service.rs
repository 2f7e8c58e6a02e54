//! `/report procurement`: what procurement spent and how fast, over the last week, month,
//! quarter or year (the same periods as the other reports).

use super::domain::{self, Milestones, Payable, StepTime, Sums};
use super::store;
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Locale;
use crate::service::{Desk, DeskResult};
use crate::store as db;
use chrono::Duration;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The action (and its gate in [`crate::access::COMMANDS`]).
pub const ACTION: &str = "report.procurement";

fn reference(kind: RefKind, number: i64) -> String {
    Reference { kind, number }.to_string()
}

/// Sums per currency, formatted (`12,000.00 CNY`, several joined by ` + `); `–` for none.
fn sums(m: &Sums) -> String {
    if m.is_empty() {
        return "–".to_string();
    }
    m.iter()
        .map(|(cur, minor)| Money::new(*minor, *cur).to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A duration for reading: hours (one decimal) under two days, else days.
fn duration(ms: Option<i64>) -> Value {
    match ms {
        None => Value::Null,
        Some(ms) if ms < 48 * 3_600_000 => {
            json!({ "value": format!("{:.1}", ms as f64 / 3_600_000.0), "days": false })
        }
        Some(ms) => json!({ "value": format!("{:.1}", ms as f64 / 86_400_000.0), "days": true }),
    }
}

fn step(name: &str, s: StepTime) -> Value {
    json!({ "step": name, "count": s.count, "median": duration(s.median), "p90": duration(s.p90) })
}

/// Basis points as a signed percentage with one decimal: `+20.0%`, `-2.5%`.
fn signed_percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "+" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{}%", a / 100, (a % 100) / 10)
}

fn spend_row(s: &domain::Spend) -> Value {
    json!({ "ordered": sums(&s.ordered), "paid": sums(&s.paid), "orders": s.orders })
}

/// How many rows of a list the reply shows (a chat message has room for so much); the rest
/// are counted.
const SHOWN: usize = 10;

/// The first [`SHOWN`] of `v`, and how many more there are.
fn top(mut v: Vec<Value>) -> (Vec<Value>, usize) {
    let more = v.len().saturating_sub(SHOWN);
    v.truncate(SHOWN);
    (v, more)
}

fn with(mut v: Value, extra: Value) -> Value {
    if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

fn payable_rows(v: &[Payable]) -> Vec<Value> {
    v.iter()
        .map(|p| {
            json!({
                "ref": reference(RefKind::Payment, p.payment_id), "po": reference(RefKind::PurchaseOrder, p.po_id),
                "supplier": p.supplier, "amount": Money::new(p.minor, p.currency).to_string(),
                "due": p.due_on.map(|d| d.to_string()),
            })
        })
        .collect()
}

/// The procurement report for the last `days` days, up to now, as the reply template reads it:
/// spend (purchase orders sent and supplier payments paid in the period) by supplier,
/// category and department; cycle times of the orders sent in the period; their price
/// variance; suppliers' on-time and acceptance rates over the receipts of the period; and, as
/// of now, open supplier claims and payables due and overdue.
pub async fn report(
    desk: &Desk,
    actor: &crate::domain::directory::Employee,
    days: i64,
) -> DeskResult<Value> {
    crate::access::require(actor, ACTION)?;
    let to = db::to_ms(desk.now()) + 1;
    let from = to - Duration::days(days).num_milliseconds();
    let tz = desk.company.time_zone;
    let day_of = |ms: i64| db::from_ms(ms).with_timezone(&tz).date_naive();
    let (first_day, last_day) = (day_of(from), day_of(to - 1));
    let today = desk.today();
    let mut conn = desk.store.pool().acquire().await?;
    let orders = store::sent_orders(&mut conn, from, to).await?;
    let paid = store::paid(&mut conn, first_day, last_day).await?;
    let history = store::prices(&mut conn, from, to).await?;
    let receipts = store::receipts_of_sent(&mut conn, from, to).await?;
    let payments = store::payments_of_sent(&mut conn, from, to).await?;
    let deliveries = store::deliveries(&mut conn, first_day, last_day).await?;
    let claims = store::open_claims(&mut conn).await?;
    let payables = store::payables(&mut conn).await?;
    let dir = db::directory::load(&mut conn).await?;
    drop(conn);

    // Spend.
    let mut lines: Vec<domain::SpendLine> = orders.iter().map(store::SentOrder::spend).collect();
    lines.extend(paid);
    let spend = domain::spend(&lines);
    let terms = &desk.company.terms;
    let by_supplier: Vec<Value> = spend
        .by_supplier
        .iter()
        .map(|((id, name), s)| {
            with(
                spend_row(s),
                json!({ "ref": reference(RefKind::Supplier, *id), "name": name }),
            )
        })
        .collect();
    let by_category: Vec<Value> = spend
        .by_category
        .iter()
        .map(|(code, s)| {
            let (en, zh) = match code {
                Some(c) => (
                    terms
                        .name("requisition_categories", c, Locale::En)
                        .to_string(),
                    terms
                        .name("requisition_categories", c, Locale::ZhCn)
                        .to_string(),
                ),
                None => ("(none)".to_string(), "（未分类）".to_string()),
            };
            with(spend_row(s), json!({ "name": en, "name_zh": zh }))
        })
        .collect();
    let by_department: Vec<Value> = spend
        .by_department
        .iter()
        .map(|(code, s)| {
            let (en, zh) = dir
                .department(code)
                .map(|d| (d.name.clone(), d.name_zh.clone()))
                .unwrap_or((code.clone(), code.clone()));
            with(spend_row(s), json!({ "name": en, "name_zh": zh }))
        })
        .collect();

    // Cycle times.
    let mut steps: BTreeMap<i64, (Vec<domain::ReceiptStep>, Vec<domain::PaymentStep>)> =
        BTreeMap::new();
    for (po, r) in receipts {
        steps.entry(po).or_default().0.push(r);
    }
    for (po, p) in payments {
        steps.entry(po).or_default().1.push(p);
    }
    let milestones: Vec<Milestones> = orders
        .iter()
        .map(|o| {
            let (r, p) = steps.get(&o.id).cloned().unwrap_or_default();
            Milestones {
                approved: o.approved_at,
                sent: Some(o.sent_at),
                received: domain::fully_received_at(o.quantity, &r),
                paid: domain::paid_at(&p),
            }
        })
        .collect();
    let c = domain::cycle(&milestones);

    // Price variance.
    let prices: Vec<domain::Price> = orders.iter().map(store::SentOrder::price).collect();
    let variances = domain::variances(&prices, &history);
    let (average, largest) = domain::variance_summary(&variances);
    let largest = largest.map(|v| {
        json!({
            "po": reference(RefKind::PurchaseOrder, v.po_id),
            "previous": reference(RefKind::PurchaseOrder, v.previous_po_id), "item": v.item,
            "from": Money::new(v.previous_minor, v.currency).to_string(),
            "to": Money::new(v.unit_price_minor, v.currency).to_string(),
            "percent": signed_percent(v.basis_points),
        })
    });

    // Suppliers' rates.
    let (each, all) = domain::supplier_rates(&deliveries);
    let rates = |s: &domain::SupplierRates| {
        json!({
            "ref": reference(RefKind::Supplier, s.supplier_id), "name": s.supplier,
            "receipts": s.receipts, "on_time": s.on_time,
            "on_time_percent": domain::percent(s.on_time_rate()),
            "accepted": s.accepted, "received": s.received,
            "accepted_percent": domain::percent(s.acceptance_rate()),
        })
    };

    // Claims and payables, as of now.
    let claims: Vec<Value> = claims
        .iter()
        .map(|c| {
            json!({
                "ref": reference(RefKind::GoodsReceipt, c.receipt_id),
                "po": reference(RefKind::PurchaseOrder, c.po_id), "supplier": c.supplier,
                "rejected": c.rejected, "reason": c.reason, "received_on": c.received_on.to_string(),
                "days_open": (today - c.received_on).num_days().max(0),
            })
        })
        .collect();
    let (overdue, overdue_sum, due, due_sum) = domain::payables(&payables, today);
    let (overdue_n, due_n, claims_n) = (overdue.len(), due.len(), claims.len());
    let (by_supplier, more_suppliers) = top(by_supplier);
    let (by_category, more_categories) = top(by_category);
    let (by_department, more_departments) = top(by_department);
    let mut each = each;
    each.sort_by(|a, b| {
        b.receipts
            .cmp(&a.receipts)
            .then(a.supplier_id.cmp(&b.supplier_id))
    });
    let (rated, more_rated) = top(each.iter().map(rates).collect());
    let (claims, more_claims) = top(claims);
    let (overdue, more_overdue) = top(payable_rows(&overdue));
    let (due, more_due) = top(payable_rows(&due));

    Ok(json!({
        "days": days, "from_ms": from, "to_ms": to, "today": today.to_string(),
        "orders": orders.len(),
        "spend": {
            "total": spend_row(&spend.total), "any": !lines.is_empty(),
            "by_supplier": by_supplier, "by_category": by_category, "by_department": by_department,
            "more_suppliers": more_suppliers, "more_categories": more_categories,
            "more_departments": more_departments,
        },
        "cycle": [
            step("approve_to_send", c.approve_to_send), step("send_to_receive", c.send_to_receive),
            step("receive_to_pay", c.receive_to_pay), step("approve_to_pay", c.approve_to_pay),
        ],
        "variance": {
            "count": variances.len(), "average": average.map(signed_percent), "largest": largest,
        },
        "suppliers": rated, "more_suppliers": more_rated, "all_suppliers": rates(&all),
        "claims": claims, "claims_count": claims_n, "more_claims": more_claims,
        "payables": {
            "overdue": overdue, "overdue_count": overdue_n, "overdue_total": sums(&overdue_sum),
            "more_overdue": more_overdue,
            "due": due, "due_count": due_n, "due_total": sums(&due_sum), "more_due": more_due,
        },
    }))
}

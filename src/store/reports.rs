//! Read-only queries behind digests and KPI summaries.

use crate::approval::store::InboxRow;
use crate::store::Conn;

/// Every open approval task, by assignee then age.
pub async fn all_open_tasks(conn: &mut Conn) -> sqlx::Result<Vec<InboxRow>> {
    sqlx::query_as(
        "SELECT t.id AS task_id, t.assignee_id, t.approval_id, a.subject_ref, a.subject_kind, a.subject_id, \
         a.requester_id, s.name AS stage_name, s.name_zh AS stage_name_zh, t.created_at \
         FROM approval_tasks t JOIN approvals a ON a.id = t.approval_id JOIN approval_stages s ON s.id = t.stage_id \
         WHERE t.status = 'open' ORDER BY t.assignee_id, t.created_at, t.id",
    )
    .fetch_all(conn)
    .await
}

/// Rounds that ended in `[from, to)`: (status, opened, closed).
pub async fn closed_rounds(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT status, created_at, closed_at FROM approvals \
         WHERE closed_at IS NOT NULL AND closed_at >= $1 AND closed_at < $2 ORDER BY closed_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// One inquiry as the service report counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InquiryFacts {
    pub kind: String,
    pub category: Option<String>,
    pub department_code: String,
    pub status: String,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// How many service-level breaches it had.
    pub breaches: i64,
    /// The customer's score (1–5), if they gave one.
    pub satisfaction: Option<i64>,
}

/// Inquiries logged in `[from, to)`, with their breach counts.
pub async fn inquiries(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<InquiryFacts>> {
    sqlx::query_as(
        "SELECT i.kind, i.category, i.department_code, i.status, i.created_at, i.first_response_at, \
         i.resolved_at, (SELECT COUNT(*) FROM inquiry_events e WHERE e.inquiry_id = i.id AND e.kind = 'breach') AS breaches, \
         i.satisfaction \
         FROM inquiries i WHERE i.created_at >= $1 AND i.created_at < $2 ORDER BY i.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Orders with an installment due before `today` (YYYY-MM-DD) and still owed, oldest due
/// first: reference, customer, the overdue amount (with currency) and the earliest unpaid due
/// date. Payments settle the earliest installment first.
pub async fn overdue_payments(
    conn: &mut Conn,
    today: &str,
) -> sqlx::Result<Vec<serde_json::Value>> {
    use crate::sales::orders::domain::{overdue, Installment};
    let rows: Vec<(i64, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT o.id, c.name, o.paid_minor, o.currency, t.due, t.amount_minor \
         FROM orders o JOIN customers c ON c.id = o.customer_id JOIN payment_terms t ON t.order_id = o.id \
         WHERE o.id IN (SELECT order_id FROM payment_terms WHERE due < $1) ORDER BY o.id, t.due",
    )
    .bind(today)
    .fetch_all(conn)
    .await?;
    let Ok(today) = today.parse::<chrono::NaiveDate>() else {
        return Ok(Vec::new());
    };
    let mut late = Vec::new();
    for order in rows.chunk_by(|a, b| a.0 == b.0) {
        let (id, customer, paid, currency) = (order[0].0, &order[0].1, order[0].2, &order[0].3);
        let terms: Vec<Installment> = order
            .iter()
            .filter_map(|r| {
                Some(Installment {
                    due: r.4.parse().ok()?,
                    amount_minor: r.5,
                })
            })
            .collect();
        if let Some((minor, due)) = overdue(&terms, paid, today) {
            late.push((due, id, customer.clone(), minor, currency.clone()));
        }
    }
    late.sort();
    Ok(late
        .into_iter()
        .map(|(due, id, customer, minor, currency)| {
            let amount = crate::domain::money::format_stored(minor, &currency);
            let r = crate::domain::reference::Reference {
                kind: crate::domain::reference::RefKind::SalesOrder,
                number: id,
            };
            serde_json::json!({ "ref": r.to_string(), "customer": customer, "outstanding": amount, "due": due.to_string() })
        })
        .collect())
}

/// Approval rounds opened in `[from, to)`, of every kind (requisitions, their resubmissions,
/// opportunities, contracts), like the decided and pending counts beside it.
pub async fn submitted(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM approvals WHERE created_at >= $1 AND created_at < $2")
            .bind(from)
            .bind(to)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

/// Rounds waiting for a decision now.
pub async fn pending_rounds(conn: &mut Conn) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM approvals WHERE status = 'pending'")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// How many audit events of `action` happened in `[from, to)`.
pub async fn audit_count(conn: &mut Conn, action: &str, from: i64, to: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND at >= $2 AND at < $3",
    )
    .bind(action)
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// One sales order as the sales report counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderFacts {
    pub stage: String,
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: i64,
}

/// Orders taken in `[from, to)`.
pub async fn orders(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<OrderFacts>> {
    sqlx::query_as(
        "SELECT stage, amount_minor, currency, created_at FROM orders \
         WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Payments received on days `from..=to` (YYYY-MM-DD): amount, currency, day.
pub async fn payments(
    conn: &mut Conn,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT p.amount_minor, o.currency, p.paid_on FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.paid_on >= $1 AND p.paid_on <= $2 ORDER BY p.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Opportunities recorded in `[from, to)`: status, and how many orders came from each.
pub async fn opportunities(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT p.status, (SELECT COUNT(*) FROM orders o WHERE o.opportunity_id = p.id) \
         FROM opportunities p WHERE p.created_at >= $1 AND p.created_at < $2 ORDER BY p.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

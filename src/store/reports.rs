//! Read-only queries behind digests and KPI summaries.

use crate::approval::domain::ApprovalStatus;
use crate::approval::store::InboxRow;
use crate::domain::money::{Currency, Money};
use crate::service_desk::inquiries::domain::{Kind, Status};
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::FromRow;

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
) -> sqlx::Result<Vec<(ApprovalStatus, i64, i64)>> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, status, created_at, closed_at FROM approvals \
         WHERE closed_at IS NOT NULL AND closed_at >= $1 AND closed_at < $2 ORDER BY closed_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, status, opened, closed)| {
            Ok((
                decode::column("approvals", id, "status", &status)?,
                opened,
                closed,
            ))
        })
        .collect()
}

/// One inquiry as the service report counts it.
#[derive(Debug, Clone)]
pub struct InquiryFacts {
    pub kind: Kind,
    pub category: Option<String>,
    pub department_code: String,
    pub status: Status,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// How many service-level breaches it had.
    pub breaches: i64,
    /// The customer's score (1–5), if they gave one.
    pub satisfaction: Option<i64>,
}

#[derive(FromRow)]
struct InquiryFactsRecord {
    id: i64,
    kind: String,
    category: Option<String>,
    department_code: String,
    status: String,
    created_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    breaches: i64,
    satisfaction: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for InquiryFacts {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<InquiryFacts> {
        let r = InquiryFactsRecord::from_row(row)?;
        Ok(InquiryFacts {
            kind: decode::column("inquiries", r.id, "kind", &r.kind)?,
            status: decode::column("inquiries", r.id, "status", &r.status)?,
            category: r.category,
            department_code: r.department_code,
            created_at: r.created_at,
            first_response_at: r.first_response_at,
            resolved_at: r.resolved_at,
            breaches: r.breaches,
            satisfaction: r.satisfaction,
        })
    }
}

/// Inquiries logged in `[from, to)`, with their breach counts.
pub async fn inquiries(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<InquiryFacts>> {
    sqlx::query_as(
        "SELECT i.id, i.kind, i.category, i.department_code, i.status, i.created_at, i.first_response_at, \
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
    let rows: Vec<(i64, String, i64, String, i64, String, i64)> = sqlx::query_as(
        "SELECT o.id, c.name, o.paid_minor, o.currency, t.id, t.due, t.amount_minor \
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
        let (id, customer, paid) = (order[0].0, &order[0].1, order[0].2);
        let currency: Currency = decode::column("orders", id, "currency", &order[0].3)?;
        let terms = order
            .iter()
            .map(|r| {
                Ok(Installment {
                    due: r
                        .5
                        .parse()
                        .map_err(|_| decode::unknown("payment_terms", r.4, "due", &r.5))?,
                    amount_minor: r.6,
                })
            })
            .collect::<sqlx::Result<Vec<Installment>>>()?;
        if let Some((minor, due)) = overdue(&terms, paid, today) {
            late.push((due, id, customer.clone(), Money::new(minor, currency)));
        }
    }
    late.sort_by_key(|l| (l.0, l.1));
    Ok(late
        .into_iter()
        .map(|(due, id, customer, amount)| {
            let r = crate::domain::reference::Reference {
                kind: crate::domain::reference::RefKind::SalesOrder,
                number: id,
            };
            serde_json::json!({ "ref": r.to_string(), "customer": customer, "outstanding": amount.to_string(), "due": due.to_string() })
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
#[derive(Debug, Clone)]
pub struct OrderFacts {
    /// A configured stage's code (see [`crate::sales::orders::store::Order::stage`]).
    pub stage: String,
    pub amount: Money,
    pub created_at: i64,
}

/// Orders taken in `[from, to)`.
pub async fn orders(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<OrderFacts>> {
    let rows: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(
        "SELECT id, stage, amount_minor, currency, created_at FROM orders \
         WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, stage, minor, currency, created_at)| {
            Ok(OrderFacts {
                stage,
                amount: Money::new(minor, decode::column("orders", id, "currency", &currency)?),
                created_at,
            })
        })
        .collect()
}

/// Payments received on days `from..=to`: amount and day.
pub async fn payments(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<(Money, NaiveDate)>> {
    let rows: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.amount_minor, o.id, o.currency, p.paid_on FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.paid_on >= $1 AND p.paid_on <= $2 ORDER BY p.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, minor, order, currency, on)| {
            let currency: Currency = decode::column("orders", order, "currency", &currency)?;
            let on = on
                .parse()
                .map_err(|_| decode::unknown("payments", id, "paid_on", &on))?;
            Ok((Money::new(minor, currency), on))
        })
        .collect()
}

/// Opportunities recorded in `[from, to)`: status, and how many orders came from each.
pub async fn opportunities(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(ApprovalStatus, i64)>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT p.id, p.status, (SELECT COUNT(*) FROM orders o WHERE o.opportunity_id = p.id) \
         FROM opportunities p WHERE p.created_at >= $1 AND p.created_at < $2 ORDER BY p.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, status, orders)| {
            Ok((
                decode::column("opportunities", id, "status", &status)?,
                orders,
            ))
        })
        .collect()
}

//! Sales orders and their stage history.

use crate::domain::directory::EmployeeId;
use crate::domain::money::Money;
use crate::service_desk::customers::domain::CustomerId;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored order.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub customer_id: CustomerId,
    pub owner_id: i64,
    pub items: String,
    pub amount: Money,
    pub delivery_date: Option<NaiveDate>,
    /// The code of a configured stage (`sales.stages`); stages are configuration, so an order
    /// may sit at one since removed, which the service shows by its code.
    pub stage: String,
    pub created_at: i64,
    /// The opportunity it came from, if any.
    pub opportunity_id: Option<i64>,
}

#[derive(FromRow)]
struct OrderRecord {
    id: i64,
    customer_id: CustomerId,
    owner_id: i64,
    items: String,
    amount_minor: i64,
    currency: String,
    delivery_date: Option<String>,
    stage: String,
    created_at: i64,
    opportunity_id: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Order {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Order> {
        let r = OrderRecord::from_row(row)?;
        const T: &str = "orders";
        let delivery_date = match r.delivery_date.as_deref() {
            Some(d) => Some(
                d.parse::<NaiveDate>()
                    .map_err(|_| decode::unknown(T, r.id, "delivery_date", d))?,
            ),
            None => None,
        };
        Ok(Order {
            amount: Money::new(
                r.amount_minor,
                decode::column(T, r.id, "currency", &r.currency)?,
            ),
            delivery_date,
            id: r.id,
            customer_id: r.customer_id,
            owner_id: r.owner_id,
            items: r.items,
            stage: r.stage,
            created_at: r.created_at,
            opportunity_id: r.opportunity_id,
        })
    }
}

const COLS: &str = "id, customer_id, owner_id, items, amount_minor, currency, delivery_date, \
     stage, created_at, opportunity_id";

/// One stage change.
#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub stage: String,
    pub note: String,
    pub author_id: i64,
    pub created_at: i64,
}

/// What a new order needs.
pub struct NewOrder<'a> {
    pub customer_id: CustomerId,
    pub owner: EmployeeId,
    pub items: &'a str,
    pub amount: Money,
    pub delivery_date: Option<NaiveDate>,
    pub stage: &'a str,
    pub opportunity_id: Option<i64>,
}

/// Writes an order at its first stage, with that stage as its first event.
pub async fn insert(conn: &mut Conn, o: &NewOrder<'_>, now_ms: i64) -> sqlx::Result<Order> {
    let order: Order = sqlx::query_as(&format!(
        "INSERT INTO orders (customer_id, owner_id, items, amount_minor, currency, delivery_date, stage, created_at, updated_at, opportunity_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING {COLS}"
    ))
    .bind(o.customer_id)
    .bind(o.owner)
    .bind(o.items)
    .bind(o.amount.minor)
    .bind(o.amount.currency.as_str())
    .bind(o.delivery_date.map(|d| d.to_string()))
    .bind(o.stage)
    .bind(now_ms)
    .bind(o.opportunity_id)
    .fetch_one(&mut *conn)
    .await?;
    add_event(conn, order.id, o.stage, "", o.owner, now_ms).await?;
    Ok(order)
}

/// An order by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Order>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM orders WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Locks an order's row for the rest of the transaction (PostgreSQL; SQLite has one writer),
/// so checks on its contracts or payment terms and the writes that follow them serialize.
/// Returns whether the order exists.
pub async fn lock(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE orders SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an order to `stage` if it is still at `from` (compare-and-set); returns whether.
pub async fn set_stage(
    conn: &mut Conn,
    id: i64,
    from: &str,
    stage: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE orders SET stage = $3, updated_at = $4 WHERE id = $1 AND stage = $2")
            .bind(id)
            .bind(from)
            .bind(stage)
            .bind(now_ms)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a stage event.
pub async fn add_event(
    conn: &mut Conn,
    id: i64,
    stage: &str,
    note: &str,
    author: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO order_events (order_id, stage, note, author_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(stage)
        .bind(note)
        .bind(author)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// An order's stage history, oldest first.
pub async fn events(conn: &mut Conn, id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as("SELECT stage, note, author_id, created_at FROM order_events WHERE order_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(conn)
        .await
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    /// Someone's orders only.
    pub owner: Option<EmployeeId>,
    /// At this stage only.
    pub stage: Option<&'a str>,
    /// One customer's only.
    pub customer_id: Option<CustomerId>,
    /// Only those owing an installment due before this day (YYYY-MM-DD); payments settle the
    /// earliest installment first, so that is: more fell due before it than was paid.
    pub overdue_on: Option<&'a str>,
}

/// Orders, newest first, at most 50, as `f` selects.
pub async fn list(conn: &mut Conn, f: &Filter<'_>) -> sqlx::Result<Vec<Order>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM orders WHERE ($1 = 0 OR owner_id = $1) AND ($2 = '' OR stage = $2) \
         AND ($3 = 0 OR customer_id = $3) AND ($4 = '' OR (SELECT COALESCE(SUM(t.amount_minor), 0) \
         FROM payment_terms t WHERE t.order_id = orders.id AND t.due < $4) > paid_minor) \
         ORDER BY id DESC LIMIT 50"
    ))
    .bind(f.owner.unwrap_or(0))
    .bind(f.stage.unwrap_or(""))
    .bind(f.customer_id.map_or(0, |c| c.0))
    .bind(f.overdue_on.unwrap_or(""))
    .fetch_all(conn)
    .await
}

//! Erasing one customer's personal data in place (a data-protection request): the rows stay,
//! so orders, inquiries and the audit trail keep their numbers and shape.

use crate::service_desk::customers::domain::CustomerId;
use crate::store::Conn;

/// What a customer's name becomes.
pub const FORGOTTEN_NAME: &str = "(forgotten)";
/// What erased free text becomes.
pub const ERASED: &str = "[erased]";

/// Whether the customer's data was erased.
pub async fn is_forgotten(conn: &mut Conn, customer_id: CustomerId) -> sqlx::Result<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM customers WHERE id = $1 AND forgotten_at IS NOT NULL")
            .bind(customer_id)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Blanks the customer row's personal fields and marks it forgotten.
pub async fn customer(conn: &mut Conn, id: CustomerId, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE customers SET name = $2, company = '', email = '', phone = '', \
         forgotten_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(FORGOTTEN_NAME)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Erases what the customer and agents wrote on the customer's inquiries (subject, details,
/// notes, replies, resolution, satisfaction comment); kind, channel, category, department,
/// priority, times and score stay for the reports. Returns the inquiry ids.
pub async fn inquiries(
    conn: &mut Conn,
    customer_id: CustomerId,
    now: i64,
) -> sqlx::Result<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM inquiries WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE inquiries SET subject = $2, details = $2, \
         resolution = CASE WHEN resolution IS NULL THEN NULL ELSE $2 END, \
         satisfaction_comment = NULL, updated_at = $3 WHERE customer_id = $1",
    )
    .bind(customer_id)
    .bind(ERASED)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE inquiry_events SET text = $2 WHERE text <> '' AND kind IN ('note', 'reply', 'resolve') \
         AND inquiry_id IN (SELECT id FROM inquiries WHERE customer_id = $1)",
    )
    .bind(customer_id)
    .bind(ERASED)
    .execute(conn)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Blanks the name and note of callbacks linked to the customer.
pub async fn callbacks(conn: &mut Conn, customer_id: CustomerId) -> sqlx::Result<u64> {
    let done = sqlx::query("UPDATE callbacks SET customer = $2, note = '' WHERE customer_id = $1")
        .bind(customer_id)
        .bind(FORGOTTEN_NAME)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The references of the customer's orders and opportunities (`orders.id`, `opportunities.id`).
pub async fn sales_ids(
    conn: &mut Conn,
    customer_id: CustomerId,
) -> sqlx::Result<(Vec<i64>, Vec<i64>)> {
    let orders: Vec<(i64,)> = sqlx::query_as("SELECT id FROM orders WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    let opps: Vec<(i64,)> = sqlx::query_as("SELECT id FROM opportunities WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(conn)
        .await?;
    Ok((
        orders.into_iter().map(|r| r.0).collect(),
        opps.into_iter().map(|r| r.0).collect(),
    ))
}

/// Emails to `address` not sent yet (pending or dead): deleted, so they never go out.
pub async fn drop_unsent_email(conn: &mut Conn, address: &str) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE channel = 'email' AND address = $1 AND status <> 'sent'",
    )
    .bind(address)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Outbox rows to `address` or about one of `refs`: (id, payload).
pub async fn outbox_rows(
    conn: &mut Conn,
    address: &str,
    refs: &[String],
) -> sqlx::Result<Vec<(i64, String)>> {
    let mut out: Vec<(i64, String)> = Vec::new();
    if !address.is_empty() {
        out = sqlx::query_as("SELECT id, payload FROM outbox WHERE address = $1")
            .bind(address)
            .fetch_all(&mut *conn)
            .await?;
    }
    for r in refs {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, payload FROM outbox WHERE subject_ref = $1")
                .bind(r)
                .fetch_all(&mut *conn)
                .await?;
        for row in rows {
            if !out.iter().any(|o| o.0 == row.0) {
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// Replaces an outbox row's payload, and blanks its address if it was `address`.
pub async fn scrub_outbox_row(
    conn: &mut Conn,
    id: i64,
    payload: &str,
    address: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET payload = $2, address = CASE WHEN address = $3 THEN '' ELSE address END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(payload)
    .bind(address)
    .execute(conn)
    .await?;
    Ok(())
}

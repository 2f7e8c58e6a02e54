//! Supplier rows.

use super::domain::{Marks, Standing, SupplierInput, SupplierStatus};
use crate::domain::Locale;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored supplier.
#[derive(Debug, Clone)]
pub struct Supplier {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub email: String,
    pub phone: String,
    /// Purchase category codes.
    pub categories: Vec<String>,
    /// The language it is written to in; `None`: the company's.
    pub locale: Option<Locale>,
    pub status: SupplierStatus,
    /// Why it is suspended (`cert:KIND` for an expired required certificate).
    pub suspended_reason: Option<String>,
    /// Its qualification review's latest round (0: never submitted).
    pub round: i64,
    /// The latest scorecard's score (0–100) and standing; `None`: never scored.
    pub score: Option<i64>,
    pub standing: Option<Standing>,
    pub owner_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct SupplierRecord {
    id: i64,
    name: String,
    company: String,
    email: String,
    phone: String,
    categories: String,
    locale: Option<String>,
    status: String,
    suspended_reason: Option<String>,
    round: i64,
    score: Option<i64>,
    standing: Option<String>,
    owner_id: i64,
    created_at: i64,
    updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Supplier {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Supplier> {
        let r = SupplierRecord::from_row(row)?;
        const T: &str = "suppliers";
        Ok(Supplier {
            locale: decode::optional(T, r.id, "locale", r.locale.as_deref())?,
            status: decode::column(T, r.id, "status", &r.status)?,
            standing: decode::optional(T, r.id, "standing", r.standing.as_deref())?,
            categories: r
                .categories
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect(),
            id: r.id,
            name: r.name,
            company: r.company,
            email: r.email,
            phone: r.phone,
            suspended_reason: r.suspended_reason,
            round: r.round,
            score: r.score,
            owner_id: r.owner_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The columns a [`Supplier`] is read from.
pub const COLS: &str = "id, name, company, email, phone, categories, locale, status, \
     suspended_reason, round, score, standing, owner_id, created_at, updated_at";

/// Supplier `id`.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Supplier>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM suppliers WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Writes a new candidate supplier; `None` when one with that email exists already.
pub async fn insert(
    conn: &mut Conn,
    s: &SupplierInput,
    owner: i64,
    now_ms: i64,
) -> sqlx::Result<Option<Supplier>> {
    // Looked up first so a refused duplicate does not use up a number on PostgreSQL (the
    // conflict clause still guards a race).
    if by_email(&mut *conn, &s.email).await?.is_some() {
        return Ok(None);
    }
    sqlx::query_as(&format!(
        "INSERT INTO suppliers (name, company, email, phone, categories, locale, status, owner_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'candidate', $7, $8, $8) \
         ON CONFLICT DO NOTHING RETURNING {COLS}"
    ))
    .bind(&s.name)
    .bind(&s.company)
    .bind(&s.email)
    .bind(&s.phone)
    .bind(s.categories.join(","))
    .bind(s.locale.map(|l| l.tag()))
    .bind(owner)
    .bind(now_ms)
    .fetch_optional(conn)
    .await
}

/// Replaces a supplier's details; `false` when the new email belongs to another supplier.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    s: &SupplierInput,
    now_ms: i64,
) -> sqlx::Result<bool> {
    if let Some(other) = by_email(&mut *conn, &s.email).await? {
        if other.id != id {
            return Ok(false);
        }
    }
    sqlx::query(
        "UPDATE suppliers SET name = $2, company = $3, email = $4, phone = $5, categories = $6, \
         locale = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(&s.name)
    .bind(&s.company)
    .bind(&s.email)
    .bind(&s.phone)
    .bind(s.categories.join(","))
    .bind(s.locale.map(|l| l.tag()))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Takes supplier `id`'s row lock for the transaction; `false` when there is no such supplier.
pub async fn lock(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE suppliers SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A supplier by (normalised) email.
pub async fn by_email(conn: &mut Conn, email: &str) -> sqlx::Result<Option<Supplier>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM suppliers WHERE email = $1"))
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// Suppliers whose name or company (and email when `contacts`) contains `text`
/// (case-insensitive), by name; at most `limit`.
pub async fn find(
    conn: &mut Conn,
    text: &str,
    contacts: bool,
    limit: i64,
) -> sqlx::Result<Vec<Supplier>> {
    let needle: String = text
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM suppliers WHERE LOWER(name) LIKE $1 ESCAPE '\\' \
         OR LOWER(company) LIKE $1 ESCAPE '\\' OR ($2 = 1 AND email LIKE $1 ESCAPE '\\') \
         ORDER BY name, id LIMIT $3"
    ))
    .bind(format!("%{needle}%"))
    .bind(i64::from(contacts))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Suppliers (with `status`, or all), by name; at most `limit`.
pub async fn list(
    conn: &mut Conn,
    status: Option<SupplierStatus>,
    limit: i64,
) -> sqlx::Result<Vec<Supplier>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM suppliers WHERE ($1 = '' OR status = $1) ORDER BY name, id LIMIT $2"
    ))
    .bind(status.map_or("", |s| s.as_str()))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Sets a supplier's status and suspension reason.
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    status: SupplierStatus,
    reason: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE suppliers SET status = $2, suspended_reason = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(reason)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a new qualification round number.
pub async fn set_round(conn: &mut Conn, id: i64, round: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE suppliers SET round = $2 WHERE id = $1")
        .bind(id)
        .bind(round)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored certificate.
#[derive(Debug, Clone, FromRow)]
pub struct Cert {
    pub id: i64,
    pub supplier_id: i64,
    pub kind: String,
    pub expires_on: String,
    pub document_url: Option<String>,
    pub reminded_at: Option<i64>,
    pub replaced_at: Option<i64>,
}

const CERT_COLS: &str = "id, supplier_id, kind, expires_on, document_url, reminded_at, replaced_at";

/// Files a certificate and marks older ones of its kind replaced; returns its id.
pub async fn add_cert(
    conn: &mut Conn,
    supplier_id: i64,
    kind: &str,
    expires_on: NaiveDate,
    url: Option<&str>,
    by: i64,
    now_ms: i64,
) -> sqlx::Result<i64> {
    sqlx::query(
        "UPDATE supplier_certs SET replaced_at = $3 WHERE supplier_id = $1 AND kind = $2 \
         AND replaced_at IS NULL",
    )
    .bind(supplier_id)
    .bind(kind)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO supplier_certs (supplier_id, kind, expires_on, document_url, added_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(supplier_id)
    .bind(kind)
    .bind(expires_on.to_string())
    .bind(url)
    .bind(by)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A supplier's current certificates (not replaced), by kind.
pub async fn current_certs(conn: &mut Conn, supplier_id: i64) -> sqlx::Result<Vec<Cert>> {
    sqlx::query_as(&format!(
        "SELECT {CERT_COLS} FROM supplier_certs WHERE supplier_id = $1 AND replaced_at IS NULL \
         ORDER BY kind, id"
    ))
    .bind(supplier_id)
    .fetch_all(conn)
    .await
}

/// Current certificates expiring from `from` to `to` (inclusive) not yet reminded of.
pub async fn certs_to_remind(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<Cert>> {
    sqlx::query_as(&format!(
        "SELECT {CERT_COLS} FROM supplier_certs WHERE replaced_at IS NULL AND reminded_at IS NULL \
         AND expires_on >= $1 AND expires_on <= $2 ORDER BY id"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await
}

/// Marks a certificate's reminder sent.
pub async fn mark_reminded(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE supplier_certs SET reminded_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// The ids of qualified suppliers with a current certificate that expired before `today`.
pub async fn qualified_with_expired(conn: &mut Conn, today: NaiveDate) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT s.id FROM suppliers s JOIN supplier_certs c ON c.supplier_id = s.id \
         WHERE s.status = 'qualified' AND c.replaced_at IS NULL AND c.expires_on < $1 ORDER BY s.id",
    )
    .bind(today.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Stores a rating.
pub async fn add_rating(
    conn: &mut Conn,
    supplier_id: i64,
    rater: i64,
    period: &str,
    m: &Marks,
    comment: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO supplier_ratings (supplier_id, rater_id, period, quality, delivery, price, \
         service, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(supplier_id)
    .bind(rater)
    .bind(period)
    .bind(m.quality)
    .bind(m.delivery)
    .bind(m.price)
    .bind(m.service)
    .bind(comment)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A supplier's scorecards, newest period first: (id, period, score, standing, components).
pub async fn scores(
    conn: &mut Conn,
    supplier_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64, String, String)>> {
    sqlx::query_as(
        "SELECT id, period, score, standing, components FROM supplier_scores \
         WHERE supplier_id = $1 ORDER BY period DESC",
    )
    .bind(supplier_id)
    .fetch_all(conn)
    .await
}

/// The suppliers with purchase orders raised from `from_ms` (inclusive) to `to_ms`.
pub async fn ordered_between(conn: &mut Conn, from_ms: i64, to_ms: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT supplier_id FROM purchase_orders WHERE created_at >= $1 \
         AND created_at < $2 AND status <> 'cancelled' ORDER BY supplier_id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

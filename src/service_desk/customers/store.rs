//! Customer records.

use crate::domain::directory::EmployeeId;
use crate::domain::Locale;
use crate::service_desk::customers::domain::{CustomerId, CustomerInput};
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored customer.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub company: String,
    pub email: String,
    pub phone: String,
    /// The language they are written to in; `None`: the company's.
    pub locale: Option<Locale>,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct CustomerRecord {
    id: CustomerId,
    name: String,
    company: String,
    email: String,
    phone: String,
    locale: Option<String>,
    owner_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Customer {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Customer> {
        let r = CustomerRecord::from_row(row)?;
        Ok(Customer {
            locale: decode::optional("customers", r.id.0, "locale", r.locale.as_deref())?,
            id: r.id,
            name: r.name,
            company: r.company,
            email: r.email,
            phone: r.phone,
            owner_id: r.owner_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLS: &str = "id, name, company, email, phone, locale, owner_id, created_at, updated_at";

/// Writes a customer; `None` when one with that email exists already.
pub async fn insert(
    conn: &mut Conn,
    c: &CustomerInput,
    owner: Option<EmployeeId>,
    now_ms: i64,
) -> sqlx::Result<Option<Customer>> {
    sqlx::query_as(&format!(
        "INSERT INTO customers (name, company, email, phone, locale, owner_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING {COLS}"
    ))
    .bind(&c.name)
    .bind(&c.company)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(c.locale.map(|l| l.tag()))
    .bind(owner)
    .bind(now_ms)
    .fetch_optional(conn)
    .await
}

/// Replaces a customer's details; `false` when the new email belongs to another customer.
pub async fn update(
    conn: &mut Conn,
    id: CustomerId,
    c: &CustomerInput,
    owner: Option<EmployeeId>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    if !c.email.is_empty() {
        if let Some(other) = by_email(&mut *conn, &c.email).await? {
            if other.id != id {
                return Ok(false);
            }
        }
    }
    sqlx::query(
        "UPDATE customers SET name = $2, company = $3, email = $4, phone = $5, locale = $6, \
         owner_id = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(&c.name)
    .bind(&c.company)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(c.locale.map(|l| l.tag()))
    .bind(owner)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(true)
}

/// A customer by id.
pub async fn get(conn: &mut Conn, id: CustomerId) -> sqlx::Result<Option<Customer>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM customers WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A customer by (lowercased) email.
pub async fn by_email(conn: &mut Conn, email: &str) -> sqlx::Result<Option<Customer>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM customers WHERE email = $1 AND email <> ''"
    ))
    .bind(email)
    .fetch_optional(conn)
    .await
}

/// Customers whose name, company, email or phone contains `text` (case-insensitive), by name;
/// at most `limit`. `%`, `_` and `\` in `text` are matched as themselves.
pub async fn find(conn: &mut Conn, text: &str, limit: i64) -> sqlx::Result<Vec<Customer>> {
    let needle = like_escaped(&text.trim().to_lowercase());
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM customers WHERE LOWER(name) LIKE $1 ESCAPE '\\' \
         OR LOWER(company) LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\' \
         OR (LENGTH($2) >= 4 AND REPLACE(REPLACE(REPLACE(phone, ' ', ''), '-', ''), '+', '') LIKE $3) \
         ORDER BY name, id LIMIT $4"
    ))
    .bind(format!("%{needle}%"))
    .bind(&digits)
    .bind(format!("%{digits}%"))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) escaped, for
/// `LIKE … ESCAPE '\'` (the same on SQLite and PostgreSQL).
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// How many customers there are.
pub async fn count(conn: &mut Conn) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

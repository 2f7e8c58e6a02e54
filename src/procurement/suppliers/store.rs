//! Supplier rows.

use super::domain::{Standing, SupplierStatus};
use crate::domain::Locale;
use crate::store::{decode, Conn};
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

//! What finance's reports read besides the ledger: sales orders' installments and the
//! payments received on them, supplier payments paid, and expense claims approved or paid.
//! Dates are company dates stored as `YYYY-MM-DD`, so text comparison orders them.

use super::domain::Owed;
use crate::domain::money::Currency;
use crate::sales::orders::domain::{owed, Installment};
use crate::store::{decode, Conn};
use chrono::NaiveDate;

fn date(table: &'static str, id: i64, column: &'static str, s: &str) -> sqlx::Result<NaiveDate> {
    s.parse()
        .map_err(|_| decode::unknown(table, id, column, s).into())
}

fn currency(table: &'static str, id: i64, s: &str) -> sqlx::Result<Currency> {
    Ok(decode::column(table, id, "currency", s)?)
}

/// The rows of `sql`, whose `$1` and `$2` are the first and last day of a span.
async fn between<R>(
    conn: &mut Conn,
    sql: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(conn)
        .await
}

/// One installment of a sales order's payment terms, with what is still owed of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallmentDue {
    pub order_id: i64,
    pub customer_id: i64,
    pub due: NaiveDate,
    pub amount_minor: i64,
    pub owed_minor: i64,
    pub currency: Currency,
}

/// Every installment of every order's payment terms (with what is owed of it, payments
/// settling the earliest first), by order and due date; with `year`, only those due in it.
pub async fn installments(conn: &mut Conn, year: Option<i32>) -> sqlx::Result<Vec<InstallmentDue>> {
    type Row = (i64, i64, String, i64, i64, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.id, o.customer_id, o.currency, o.paid_minor, t.id, t.due, t.amount_minor \
         FROM orders o JOIN payment_terms t ON t.order_id = o.id ORDER BY o.id, t.due",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for order in rows.chunk_by(|a, b| a.0 == b.0) {
        let (id, customer_id, paid) = (order[0].0, order[0].1, order[0].3);
        let cur = currency("orders", id, &order[0].2)?;
        let terms = order
            .iter()
            .map(|r| {
                Ok(Installment {
                    due: date("payment_terms", r.4, "due", &r.5)?,
                    amount_minor: r.6,
                })
            })
            .collect::<sqlx::Result<Vec<Installment>>>()?;
        for (t, left) in terms.iter().zip(owed(&terms, paid)) {
            out.push(InstallmentDue {
                order_id: id,
                customer_id,
                due: t.due,
                amount_minor: t.amount_minor,
                owed_minor: left,
                currency: cur,
            });
        }
    }
    if let Some(y) = year {
        out.retain(|i| chrono::Datelike::year(&i.due) == y);
    }
    Ok(out)
}

/// What customers still owe, installment by installment, as owed amounts with due dates.
pub async fn receivables(conn: &mut Conn) -> sqlx::Result<Vec<Owed>> {
    Ok(installments(conn, None)
        .await?
        .into_iter()
        .filter(|i| i.owed_minor > 0)
        .map(|i| Owed {
            due: Some(i.due),
            currency: i.currency,
            minor: i.owed_minor,
        })
        .collect())
}

/// A payment received on a sales order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub id: i64,
    pub order_id: i64,
    pub customer_id: i64,
    pub paid_on: NaiveDate,
    pub minor: i64,
    pub currency: Currency,
}

/// Payments received on sales orders on days `from..=to`, oldest first.
pub async fn collections(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<Collection>> {
    let rows: Vec<(i64, i64, i64, String, i64, String)> = between(
        conn,
        "SELECT p.id, o.id, o.customer_id, p.paid_on, p.amount_minor, o.currency \
         FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.paid_on >= $1 AND p.paid_on <= $2 ORDER BY p.paid_on, p.id",
        from,
        to,
    )
    .await?;
    rows.into_iter()
        .map(|(id, order_id, customer_id, on, minor, cur)| {
            Ok(Collection {
                id,
                order_id,
                customer_id,
                paid_on: date("payments", id, "paid_on", &on)?,
                minor,
                currency: currency("orders", order_id, &cur)?,
            })
        })
        .collect()
}

/// A supplier payment request with money paid on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierPaid {
    pub id: i64,
    pub po_id: i64,
    pub supplier_id: i64,
    /// The supplier's company name, else its name.
    pub supplier: String,
    pub invoice: String,
    /// The purchase order's department and category (if it has one).
    pub department: String,
    pub category: Option<String>,
    pub paid_minor: i64,
    pub currency: Currency,
    /// The day of its last payment.
    pub paid_on: NaiveDate,
}

/// Supplier payment requests paid (in full, or in part so far) whose last payment was on days
/// `from..=to`, oldest first. A request paid in parts counts everything paid on its last day.
pub async fn supplier_paid(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<SupplierPaid>> {
    type Row = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
        String,
    );
    let rows: Vec<Row> = between(
        conn,
        "SELECT y.id, y.po_id, y.supplier_id, s.company, s.name, y.invoice, p.department_code, \
         p.category, y.paid_minor, y.currency, y.paid_on FROM supplier_payments y \
         JOIN suppliers s ON s.id = y.supplier_id JOIN purchase_orders p ON p.id = y.po_id \
         WHERE y.status IN ('paid', 'approved') AND y.paid_minor > 0 AND y.paid_on IS NOT NULL \
         AND y.paid_on >= $1 AND y.paid_on <= $2 ORDER BY y.paid_on, y.id",
        from,
        to,
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(SupplierPaid {
                id: r.0,
                po_id: r.1,
                supplier_id: r.2,
                supplier: if r.3.trim().is_empty() { r.4 } else { r.3 },
                invoice: r.5,
                department: r.6,
                category: r.7,
                paid_minor: r.8,
                currency: currency("supplier_payments", r.0, &r.9)?,
                paid_on: date("supplier_payments", r.0, "paid_on", &r.10)?,
            })
        })
        .collect()
}

/// An expense claim with money paid on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpensePaid {
    pub id: i64,
    pub department: String,
    pub category: String,
    /// The claimant's name (an employee's, not a customer's).
    pub claimant: String,
    pub paid_minor: i64,
    pub currency: Currency,
    pub paid_on: NaiveDate,
}

/// Expense claims paid (in full or in part) on days `from..=to`, oldest first.
pub async fn expenses_paid(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<ExpensePaid>> {
    type Row = (i64, String, String, String, i64, String, String);
    let rows: Vec<Row> = between(
        conn,
        "SELECT x.id, x.department_code, x.category, e.name, x.paid_minor, x.currency, x.paid_on \
         FROM expense_claims x JOIN employees e ON e.id = x.claimant_id \
         WHERE x.paid_minor > 0 AND x.paid_on IS NOT NULL AND x.paid_on >= $1 AND x.paid_on <= $2 \
         ORDER BY x.paid_on, x.id",
        from,
        to,
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ExpensePaid {
                id: r.0,
                department: r.1,
                category: r.2,
                claimant: r.3,
                paid_minor: r.4,
                currency: currency("expense_claims", r.0, &r.5)?,
                paid_on: date("expense_claims", r.0, "paid_on", &r.6)?,
            })
        })
        .collect()
}

/// Approved expense claims not paid in full: what is left to pay of each (no due date).
pub async fn expenses_unpaid(conn: &mut Conn) -> sqlx::Result<Vec<Owed>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, amount_minor - paid_minor, currency FROM expense_claims \
         WHERE status = 'approved' AND amount_minor > paid_minor ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, minor, cur)| {
            Ok(Owed {
                due: None,
                currency: currency("expense_claims", id, &cur)?,
                minor,
            })
        })
        .collect()
}

//! `bizdesk export budget|payments|receivables [--year YEAR]`: one year's figures as a table
//! for the accounting system (the operator command writes it as CSV). Amounts are decimal
//! numbers in major units (`1200.00`) with a currency column; department and category by
//! code, with their names in the company's language beside them. No personal data: customers
//! appear by id only; suppliers by reference and company name; claimants (employees) by name,
//! never an email or phone.

use super::domain::{category_name, department_name};
use super::store;
use crate::domain::money::{Currency, Money};
use crate::domain::reference::{RefKind, Reference};
use crate::finance::ledger;
use crate::service::{Desk, DeskResult};
use crate::store as db;
use chrono::{Datelike, NaiveDate};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Budget lines: allocated and the ledger's columns.
    Budget,
    /// Supplier payments and expense claims paid in the year.
    Payments,
    /// Sales installments due in the year and payments received in it.
    Receivables,
}

/// An export asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub kind: Kind,
    /// `None`: this year.
    pub year: Option<i32>,
}

impl Request {
    /// Reads the command line's kind and `--year`; the error says what is wrong, in English
    /// (for the operator).
    pub fn parse(kind: &str, year: Option<&str>) -> Result<Request, String> {
        let kind = match kind.trim().to_ascii_lowercase().as_str() {
            "budget" => Kind::Budget,
            "payments" => Kind::Payments,
            "receivables" => Kind::Receivables,
            other => {
                return Err(format!(
                    "unknown export `{other}`: choose budget, payments or receivables"
                ))
            }
        };
        let year = match year {
            None => None,
            Some(y) => Some(
                y.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (2000..=2100).contains(y))
                    .ok_or_else(|| {
                        format!("--year: expected a year from 2000 to 2100, e.g. 2027, not `{y}`")
                    })?,
            ),
        };
        Ok(Request { kind, year })
    }
}

/// A table: its column names and rows of text cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// An amount as a plain decimal number in major units: `1200.00`, `-5.20`.
pub fn decimal(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).format_plain()
}

fn reference(kind: RefKind, number: i64) -> String {
    Reference { kind, number }.to_string()
}

/// The table of `request` (its year defaulting to the company's current one).
pub async fn table(desk: &Desk, request: &Request) -> DeskResult<Table> {
    let year = request.year.unwrap_or_else(|| desk.today().year());
    let (first, last) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err(anyhow::anyhow!("no such year: {year}").into()),
    };
    let mut conn = desk.store.pool().acquire().await?;
    let locale = desk.company.locale;
    let terms = &desk.company.terms;
    let cur = desk.company.currency;
    let dir = db::directory::load(&mut conn).await?;
    let dept = |code: &str| department_name(&dir, code, locale);
    let cat = |code: &str| category_name(terms, code, locale);
    let mut t = Table::default();
    match request.kind {
        Kind::Budget => {
            t.columns = columns(&[
                "year",
                "department",
                "department_name",
                "category",
                "category_name",
                "currency",
                "allocated",
                "requested",
                "committed",
                "spent",
                "available",
            ]);
            for (d, c, f) in ledger::figures(&mut conn, year, None, None).await? {
                t.rows.push(vec![
                    year.to_string(),
                    d.clone(),
                    dept(&d),
                    c.clone(),
                    cat(&c),
                    cur.to_string(),
                    decimal(f.allocated, cur),
                    decimal(f.requested, cur),
                    decimal(f.committed, cur),
                    decimal(f.spent, cur),
                    decimal(f.available(), cur),
                ]);
            }
        }
        Kind::Payments => {
            t.columns = columns(&[
                "type",
                "reference",
                "purchase_order",
                "supplier",
                "supplier_name",
                "invoice",
                "department",
                "category",
                "claimant",
                "currency",
                "amount",
                "paid_on",
            ]);
            for p in store::supplier_paid(&mut conn, first, last).await? {
                t.rows.push(vec![
                    "supplier_payment".into(),
                    reference(RefKind::Payment, p.id),
                    reference(RefKind::PurchaseOrder, p.po_id),
                    reference(RefKind::Supplier, p.supplier_id),
                    p.supplier,
                    p.invoice,
                    p.department,
                    p.category.unwrap_or_default(),
                    String::new(),
                    p.currency.to_string(),
                    decimal(p.paid_minor, p.currency),
                    p.paid_on.to_string(),
                ]);
            }
            for x in store::expenses_paid(&mut conn, first, last).await? {
                t.rows.push(vec![
                    "expense_claim".into(),
                    reference(RefKind::Expense, x.id),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    x.department,
                    x.category,
                    x.claimant,
                    x.currency.to_string(),
                    decimal(x.paid_minor, x.currency),
                    x.paid_on.to_string(),
                ]);
            }
        }
        Kind::Receivables => {
            t.columns = columns(&[
                "type",
                "order",
                "customer_id",
                "date",
                "currency",
                "amount",
                "outstanding",
            ]);
            for i in store::installments(&mut conn, Some(year)).await? {
                t.rows.push(vec![
                    "due".into(),
                    reference(RefKind::SalesOrder, i.order_id),
                    i.customer_id.to_string(),
                    i.due.to_string(),
                    i.currency.to_string(),
                    decimal(i.amount_minor, i.currency),
                    decimal(i.owed_minor, i.currency),
                ]);
            }
            for c in store::collections(&mut conn, first, last).await? {
                t.rows.push(vec![
                    "collected".into(),
                    reference(RefKind::SalesOrder, c.order_id),
                    c.customer_id.to_string(),
                    c.paid_on.to_string(),
                    c.currency.to_string(),
                    decimal(c.minor, c.currency),
                    String::new(),
                ]);
            }
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_names_a_kind_and_a_plausible_year() {
        assert_eq!(
            Request::parse("Budget", Some("2027")),
            Ok(Request {
                kind: Kind::Budget,
                year: Some(2027)
            })
        );
        assert_eq!(Request::parse("payments", None).unwrap().year, None);
        assert!(Request::parse("ledger", None)
            .unwrap_err()
            .contains("budget"));
        for bad in ["27x", "1999", "", "20270"] {
            assert!(
                Request::parse("receivables", Some(bad))
                    .unwrap_err()
                    .contains("--year"),
                "{bad}"
            );
        }
    }

    #[test]
    fn amounts_are_plain_decimals_in_major_units() {
        let cny = Currency::new("CNY").unwrap();
        assert_eq!(decimal(120_000, cny), "1200.00");
        assert_eq!(decimal(-520, cny), "-5.20");
    }
}

//! `/report budget`: allocated, requested, committed, spent, available and variance per
//! department and category for a year, with department subtotals, the company total and the
//! top overruns. Finance, management, the central office and auditors read every department;
//! a department head (or whoever stands in for them today) only their own.

use super::domain::{self, Table};
use crate::access::budgets;
use crate::domain::directory::Employee;
use crate::domain::money::Currency;
use crate::domain::Msg;
use crate::finance::ledger;
use crate::service::{Desk, DeskResult};
use crate::store as db;
use chrono::Datelike;

/// The action (and its gate in [`crate::access::COMMANDS`]).
pub const ACTION: &str = "report.budget";

/// The budget report of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetReport {
    pub year: i32,
    /// The company's currency (budgets are in it only).
    pub currency: Currency,
    /// The department asked for, if any.
    pub department: Option<String>,
    /// Only the departments the reader heads (a head's view of their own).
    pub own_only: bool,
    pub table: Table,
}

pub use crate::finance::budgets::service::headed;

/// The budget report of `year` (default: this year), for every department the actor may read
/// or only `department` (a code or name).
pub async fn budget(
    desk: &Desk,
    actor: &Employee,
    year: Option<i64>,
    department: Option<&str>,
) -> DeskResult<BudgetReport> {
    crate::access::require(actor, ACTION)?;
    let today = desk.today();
    let year = match year {
        None => today.year(),
        Some(y) => i32::try_from(y)
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| Msg::new("budget_report.bad_year").arg("value", y))?,
    };
    let mut conn = desk.store.pool().acquire().await?;
    let dir = db::directory::load(&mut conn).await?;
    let asked = match department {
        None => None,
        Some(word) => Some(
            dir.find_department(word)
                .ok_or_else(|| dir.unknown_department(word))?
                .code
                .clone(),
        ),
    };
    let (shown, own_only): (Option<Vec<String>>, bool) = if budgets::may_read_all(actor) {
        (asked.clone().map(|d| vec![d]), false)
    } else {
        let mine = headed(&mut conn, &dir, actor, today).await?;
        match &asked {
            Some(d) if mine.contains(d) => (Some(vec![d.clone()]), true),
            None if !mine.is_empty() => (Some(mine), true),
            _ => return Err(Msg::new("budget.not_allowed").into()),
        }
    };
    let mut rows = Vec::new();
    match shown {
        None => rows = ledger::figures(&mut conn, year, None, None).await?,
        Some(list) => {
            for d in list {
                rows.extend(ledger::figures(&mut conn, year, Some(&d), None).await?);
            }
        }
    }
    Ok(BudgetReport {
        year,
        currency: desk.company.currency,
        department: asked,
        own_only,
        table: domain::table(rows),
    })
}
